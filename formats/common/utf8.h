/* utf8.h: UTF-8 validation, encoding and the words readers use for a character in errors. */
#ifndef VSOLVE_UTF8_H
#define VSOLVE_UTF8_H
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 when it is invalid or cut short
 * (avail bytes are readable): no overlong forms, no encoded surrogates, nothing above U+10FFFF. */
size_t utf8_sequence_length(const unsigned char *s, size_t avail);

/* Encodes a code point (at most U+10FFFF) into out; returns the byte count (1 to 4). */
size_t utf8_encode(unsigned long cp, unsigned char out[4]);

/* Words for the character at s (avail >= 1): "'x'", "control character 0x0A", "'é'" or
 * "invalid UTF-8 bytes 0xC3 0x28". */
void utf8_describe(const unsigned char *s, size_t avail, char *out, size_t size);

#endif
