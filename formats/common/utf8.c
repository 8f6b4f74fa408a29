/* utf8.c: UTF-8 validation, encoding and description, shared by the JSON and TOML readers. */
#include "utf8.h"
#include <stdio.h>

size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (avail < n)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xF0 && s[1] < 0x90))
        return 0;  /* overlong */
    if (c == 0xED && s[1] >= 0xA0)
        return 0;  /* UTF-16 surrogate */
    if (c == 0xF4 && s[1] >= 0x90)
        return 0;  /* above U+10FFFF */
    return n;
}

size_t utf8_encode(unsigned long cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

void utf8_describe(const unsigned char *s, size_t avail, char *out, size_t size)
{
    if (s[0] < 0x20 || s[0] == 0x7F) {
        snprintf(out, size, "control character 0x%02X", s[0]);
        return;
    }
    if (s[0] < 0x80) {
        snprintf(out, size, "'%c'", s[0]);
        return;
    }
    size_t n = utf8_sequence_length(s, avail);
    if (n > 0) {
        snprintf(out, size, "'%.*s'", (int)n, (const char *)s);
        return;
    }
    /* the bytes that should have formed one character */
    size_t want = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 1;
    if (want > avail)
        want = avail;
    int used = snprintf(out, size, "invalid UTF-8 byte%s", want > 1 ? "s" : "");
    for (size_t k = 0; k < want && used > 0 && (size_t)used < size; k++)
        used += snprintf(out + used, size - (size_t)used, " 0x%02X", s[k]);
}
