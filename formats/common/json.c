/* json.c: the strict RFC 8259 reader: bytes in, a json_value tree in an arena out. */
#include "json.h"
#include "utf8.h"
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#define JSON_MAX_DEPTH 512

/* The reader's state (json_reader in json.h) is the parser's. */
typedef json_reader parser;

/* ---- errors ---- */

static unsigned column_of(const parser *p, size_t pos)
{
    size_t col = pos - p->line_start + 1;
    return col > UINT_MAX ? UINT_MAX : (unsigned)col;
}

/* Words for whatever sits at pos: "end of input", "'x'", "control character 0x0A",
 * "'é'" or "invalid UTF-8 bytes 0xC3 0x28". */
static void describe_found(const parser *p, size_t pos, char *out, size_t size)
{
    if (pos >= p->len)
        snprintf(out, size, "end of input");
    else
        utf8_describe(p->text + pos, p->len - pos, out, size);
}

/* Sets "expected EXPECTED, found FOUND" at pos; returns -1 for `return fail_with(...)`. */
static int fail_with(parser *p, size_t pos, const char *expected, const char *found)
{
    vs_error_at(p->err, p->filename, p->line, column_of(p, pos), "expected %s, found %s", expected, found);
    return -1;
}

/* Same, describing the input at pos as the thing found. */
static int fail(parser *p, size_t pos, const char *expected)
{
    char found[64];
    describe_found(p, pos, found, sizeof found);
    return fail_with(p, pos, expected, found);
}

static int fail_out_of_memory(parser *p)
{
    vs_error_set(p->err, VSOLVE_ENOMEM, "%s: out of memory while reading JSON",
                 p->filename ? p->filename : "<input>");
    return -1;
}

/* ---- scratch buffers ---- */

static int push_member(parser *p, const char *key, size_t key_len, json_value *value)
{
    if (p->members_len == p->members_cap) {
        size_t cap = p->members_cap ? p->members_cap * 2 : 256;
        json_member *m = realloc(p->members, cap * sizeof *m);
        if (!m)
            return fail_out_of_memory(p);
        p->members = m;
        p->members_cap = cap;
    }
    p->members[p->members_len++] = (json_member){ key, key_len, value };
    return 0;
}

static int append_bytes(parser *p, const void *data, size_t n)
{
    if (n == 0)
        return 0;
    if (p->bytes_cap - p->bytes_len < n) {
        size_t cap = p->bytes_cap ? p->bytes_cap : 4096;
        while (cap - p->bytes_len < n)
            cap *= 2;
        char *b = realloc(p->bytes, cap);
        if (!b)
            return fail_out_of_memory(p);
        p->bytes = b;
        p->bytes_cap = cap;
    }
    memcpy(p->bytes + p->bytes_len, data, n);
    p->bytes_len += n;
    return 0;
}

/* ---- lexical pieces ---- */

static void skip_whitespace(parser *p)
{
    if (p->pos < p->len && p->text[p->pos] > ' ')   /* the common case: nothing to skip */
        return;
    while (p->pos < p->len) {
        unsigned char c = p->text[p->pos];
        if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == '\n') {
            p->pos++;
            p->line++;
            p->line_start = p->pos;
        } else {
            break;
        }
    }
}

static int is_digit(parser *p, size_t i)
{
    return i < p->len && p->text[i] >= '0' && p->text[i] <= '9';
}

/* The value of the 4 hex digits at text[at..at+4), or -1 with *bad = the offending offset. */
static long read_hex4(const parser *p, size_t at, size_t *bad)
{
    long v = 0;
    for (size_t i = at; i < at + 4; i++) {
        int d;
        unsigned char c = i < p->len ? p->text[i] : 0;
        if (i >= p->len)
            d = -1;
        else if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            d = -1;
        if (d < 0) {
            *bad = i;
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

static int append_utf8(parser *p, unsigned long cp)
{
    unsigned char b[4];
    return append_bytes(p, b, utf8_encode(cp, b));
}

/* Decodes the escape whose backslash is at *at into p->bytes and moves *at past it. */
static int decode_escape(parser *p, size_t *at, int emit)
{
    size_t i = *at;
    if (i + 1 >= p->len)
        return fail(p, i + 1, "an escape character after '\\'");
    char simple;
    switch (p->text[i + 1]) {
    case '"': simple = '"'; break;
    case '\\': simple = '\\'; break;
    case '/': simple = '/'; break;
    case 'b': simple = '\b'; break;
    case 'f': simple = '\f'; break;
    case 'n': simple = '\n'; break;
    case 'r': simple = '\r'; break;
    case 't': simple = '\t'; break;
    case 'u': simple = 0; break;
    default:
        return fail(p, i + 1, "an escape character (one of \" \\ / b f n r t u)");
    }
    if (simple) {
        *at = i + 2;
        return emit ? append_bytes(p, &simple, 1) : 0;
    }
    size_t bad;
    long cp = read_hex4(p, i + 2, &bad);
    if (cp < 0)
        return fail(p, bad, "4 hex digits after '\\u'");
    size_t next = i + 6;
    char found[32];
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        snprintf(found, sizeof found, "unpaired low surrogate \\u%04lX", cp);
        return fail_with(p, i, "a Unicode scalar value", found);
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        char expected[80];
        snprintf(expected, sizeof expected, "a low surrogate \\uDC00-\\uDFFF after \\u%04lX", cp);
        if (next >= p->len || p->text[next] != '\\')
            return fail(p, next, expected);
        if (next + 1 >= p->len || p->text[next + 1] != 'u')
            return fail(p, next + 1, expected);
        long low = read_hex4(p, next + 2, &bad);
        if (low < 0)
            return fail(p, bad, "4 hex digits after '\\u'");
        if (low < 0xDC00 || low > 0xDFFF) {
            snprintf(found, sizeof found, "\\u%04lX", low);
            return fail_with(p, next, expected, found);
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        next += 6;
    }
    *at = next;
    return emit ? append_utf8(p, (unsigned long)cp) : 0;
}

/* The end of the run of bytes from i that need no attention inside a string (printable ASCII
 * other than '"' and '\\'): eight bytes at a time while no byte of the word needs any. */
static size_t plain_run(const unsigned char *t, size_t i, size_t len)
{
#if defined(__SSE2__) && defined(__GNUC__)
    /* sixteen at a time: '"', '\\', and (a signed compare) both < 0x20 and >= 0x80 */
    const __m128i quote16 = _mm_set1_epi8('"'), bslash16 = _mm_set1_epi8('\\'), space16 = _mm_set1_epi8(0x20);
    while (len - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote16), _mm_cmpeq_epi8(x, bslash16)),
                                   _mm_cmplt_epi8(x, space16));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (len - i >= 8) {
        uint64_t x;
        memcpy(&x, t + i, 8);
        uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
        uint64_t bad = (x & highs)                            /* a byte >= 0x80 */
                       | ((x - ones * 0x20) & ~x & highs)     /* a byte < 0x20 */
                       | ((quote - ones) & ~quote & highs)    /* a '"' */
                       | ((bslash - ones) & ~bslash & highs); /* a '\\' */
        if (bad)
            break;
        i += 8;
    }
    while (i < len && t[i] >= 0x20 && t[i] < 0x80 && t[i] != '"' && t[i] != '\\')
        i++;
    return i;
}

/* Validates the string whose opening quote is at p->pos (unescaping it into p->bytes when
 * emit); *end is the offset of its closing
 * quote; *escaped says whether p->bytes holds its unescaped text (then up to `run`). */
static int scan_string(parser *p, int emit, size_t *end, int *escaped_out, size_t *run_out)
{
    const unsigned char *t = p->text;
    size_t start = p->pos + 1;
    size_t i = start;
    size_t run = start;  /* start of the bytes not yet copied to p->bytes */
    int escaped = 0;
    for (;;) {
        i = plain_run(t, i, p->len);
        if (i >= p->len)
            return fail(p, i, "'\"' to close the string");
        unsigned char c = t[i];
        if (c == '"')
            break;
        if (c >= 0x80) {
            size_t n = utf8_sequence_length(t + i, p->len - i);
            if (n == 0)
                return fail(p, i, "UTF-8 text");
            i += n;
        } else if (c == '\\') {
            if (!escaped) {
                p->bytes_len = 0;
                escaped = 1;
            }
            if ((emit && append_bytes(p, t + run, i - run) != 0) || decode_escape(p, &i, emit) != 0)
                return -1;
            run = i;
        } else {
            return fail(p, i, "a printable character or an escape sequence");
        }
    }
    *end = i;
    *escaped_out = escaped;
    *run_out = run;
    return 0;
}

/* Reads the string whose opening quote is at p->pos into the arena. */
static int parse_string(parser *p, const char **out, size_t *out_len)
{
    const unsigned char *t = p->text;
    size_t start = p->pos + 1, i, run;
    int escaped;
    if (scan_string(p, 1, &i, &escaped, &run) != 0)
        return -1;
    const char *s;
    size_t n;
    if (escaped) {
        if (append_bytes(p, t + run, i - run) != 0)
            return -1;
        s = p->bytes;
        n = p->bytes_len;
    } else {
        s = (const char *)t + start;
        n = i - start;
    }
    char *copy = arena_strndup(p->arena, s, n);
    if (!copy)
        return fail_out_of_memory(p);
    *out = copy;
    *out_len = n;
    p->pos = i + 1;
    return 0;
}

/* The double for a validated number literal. Short integers are converted exactly by hand;
 * the rest goes to strtod, which follows LC_NUMERIC: an embedding program may have set a
 * locale whose decimal point is not '.', so when strtod stops early, retry with that point. */
static double number_from_text(const char *text, size_t n, int integral, size_t digits)
{
    if (integral && digits <= 15) {  /* below 2^53: exact in a double */
        int64_t x = 0;
        int negative = text[0] == '-';
        for (size_t i = (size_t)negative; i < n; i++)
            x = x * 10 + (text[i] - '0');
        return negative ? -(double)x : (double)x;
    }
    char *end;
    double d = strtod(text, &end);
    const char *dot = strchr(text, '.');
    if ((size_t)(end - text) == n || !dot)
        return d;
    const char *point = localeconv()->decimal_point;
    char local[128];
    size_t head = (size_t)(dot - text), point_len = strlen(point);
    if (n + point_len >= sizeof local)
        return d;
    memcpy(local, text, head);
    memcpy(local + head, point, point_len);
    memcpy(local + head + point_len, dot + 1, n - head);  /* the rest and the NUL */
    return strtod(local, NULL);
}

/* Validates the number grammar at p->pos: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
 * *end is the offset after it. */
static int scan_number(parser *p, size_t *end, int *integral_out, size_t *digits_out)
{
    size_t start = p->pos, i = start;
    int integral = 1;
    if (p->text[i] == '-')
        i++;
    if (!is_digit(p, i))
        return fail(p, i, "a digit after '-'");
    size_t first_digit = i;
    if (p->text[i] == '0') {
        i++;
        if (is_digit(p, i))
            return fail(p, i, "'.', 'e' or the end of the number after a leading 0");
    } else {
        while (is_digit(p, i))
            i++;
    }
    size_t digits = i - first_digit;
    if (i < p->len && p->text[i] == '.') {
        i++;
        integral = 0;
        if (!is_digit(p, i))
            return fail(p, i, "a digit after '.'");
        while (is_digit(p, i))
            i++;
    }
    if (i < p->len && (p->text[i] == 'e' || p->text[i] == 'E')) {
        i++;
        integral = 0;
        if (i < p->len && (p->text[i] == '+' || p->text[i] == '-'))
            i++;
        if (!is_digit(p, i))
            return fail(p, i, "a digit in the exponent");
        while (is_digit(p, i))
            i++;
    }
    *end = i;
    *integral_out = integral;
    *digits_out = digits;
    return 0;
}

static int parse_number(parser *p, json_value *v)
{
    size_t start = p->pos, i, digits;
    int integral;
    if (scan_number(p, &i, &integral, &digits) != 0)
        return -1;
    char *text = arena_strndup(p->arena, (const char *)p->text + start, i - start);
    if (!text)
        return fail_out_of_memory(p);
    v->numtext = text;
    v->num = number_from_text(text, i - start, integral, digits);
    p->pos = i;
    return 0;
}

static int parse_word(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos >= n && !memcmp(p->text + p->pos, word, n)) {
        p->pos += n;
        return 0;
    }
    for (size_t k = 0; word[k]; k++) {
        if (p->pos + k >= p->len || p->text[p->pos + k] != (unsigned char)word[k]) {
            char expected[16];
            snprintf(expected, sizeof expected, "'%s'", word);
            return fail(p, p->pos + k, expected);
        }
    }
    p->pos += strlen(word);
    return 0;
}

/* ---- values left unparsed: validated exactly as parse_value would, nothing built ---- */

/* depth: how many arrays and objects enclose the value (the same count and limit as parse_value). */
static int skip_value(parser *p, unsigned depth)
{
    skip_whitespace(p);
    if (p->pos >= p->len)
        return fail(p, p->pos, "a JSON value");
    unsigned char c = p->text[p->pos];
    size_t end, run, digits;
    int flag;
    switch (c) {
    case '{':
    case '[': {
        int is_object = c == '{';
        char close = is_object ? '}' : ']';
        if (depth + 1 > JSON_MAX_DEPTH)
            return fail(p, p->pos, "at most 512 nested arrays and objects");
        p->pos++;
        skip_whitespace(p);
        if (p->pos < p->len && p->text[p->pos] == close) {
            p->pos++;
            return 0;
        }
        for (;;) {
            if (is_object) {
                skip_whitespace(p);
                if (p->pos >= p->len || p->text[p->pos] != '"')
                    return fail(p, p->pos, "a string key");
                if (scan_string(p, 0, &end, &flag, &run) != 0)
                    return -1;
                p->pos = end + 1;
                skip_whitespace(p);
                if (p->pos >= p->len || p->text[p->pos] != ':')
                    return fail(p, p->pos, "':'");
                p->pos++;
            }
            if (skip_value(p, depth + 1) != 0)
                return -1;
            skip_whitespace(p);
            if (p->pos < p->len && p->text[p->pos] == ',') {
                p->pos++;
            } else if (p->pos < p->len && p->text[p->pos] == close) {
                p->pos++;
                return 0;
            } else {
                return fail(p, p->pos, is_object ? "',' or '}'" : "',' or ']'");
            }
        }
    }
    case '"':
        if (scan_string(p, 0, &end, &flag, &run) != 0)
            return -1;
        p->pos = end + 1;
        return 0;
    case 't': return parse_word(p, "true");
    case 'f': return parse_word(p, "false");
    case 'n': return parse_word(p, "null");
    default:
        if (c != '-' && (c < '0' || c > '9'))
            return fail(p, p->pos, "a JSON value");
        if (scan_number(p, &end, &flag, &digits) != 0)
            return -1;
        p->pos = end;
        return 0;
    }
}

/* ---- values ---- */

static json_value *parse_value(parser *p, unsigned depth);

/* Moves the children pushed since `base` into v's arena arrays. */
static int close_container(parser *p, json_value *v, size_t base)
{
    size_t n = p->members_len - base;
    const json_member *m = p->members + base;
    v->n = n;
    if (n > 0) {
        v->items = arena_alloc(p->arena, n * sizeof *v->items);
        if (!v->items)
            return fail_out_of_memory(p);
        for (size_t k = 0; k < n; k++)
            v->items[k] = m[k].value;
        if (v->kind == JSON_OBJECT) {
            const char **keys = arena_alloc(p->arena, n * sizeof *keys);
            size_t *lens = arena_alloc(p->arena, n * sizeof *lens);
            if (!keys || !lens)
                return fail_out_of_memory(p);
            for (size_t k = 0; k < n; k++) {
                keys[k] = m[k].key;
                lens[k] = m[k].key_len;
            }
            v->keys = keys;
            v->key_lens = lens;
        }
    }
    p->members_len = base;
    return 0;
}

/* An array or object (v->kind says which) whose bracket is at p->pos; depth counts it. */
static int parse_container(parser *p, json_value *v, unsigned depth)
{
    int is_object = v->kind == JSON_OBJECT;
    char close = is_object ? '}' : ']';
    if (depth > JSON_MAX_DEPTH)
        return fail(p, p->pos, "at most 512 nested arrays and objects");
    size_t base = p->members_len;
    p->pos++;
    skip_whitespace(p);
    if (p->pos < p->len && p->text[p->pos] == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        if (is_object) {
            skip_whitespace(p);
            if (p->pos >= p->len || p->text[p->pos] != '"')
                return fail(p, p->pos, "a string key");
            if (parse_string(p, &key, &key_len) != 0)
                return -1;
            skip_whitespace(p);
            if (p->pos >= p->len || p->text[p->pos] != ':')
                return fail(p, p->pos, "':'");
            p->pos++;
        }
        json_value *item = parse_value(p, depth);
        if (!item || push_member(p, key, key_len, item) != 0)
            return -1;
        skip_whitespace(p);
        if (p->pos < p->len && p->text[p->pos] == ',') {
            p->pos++;
        } else if (p->pos < p->len && p->text[p->pos] == close) {
            p->pos++;
            return close_container(p, v, base);
        } else {
            return fail(p, p->pos, is_object ? "',' or '}'" : "',' or ']'");
        }
    }
}

/* depth: how many arrays and objects enclose this value. */
static json_value *parse_value(parser *p, unsigned depth)
{
    skip_whitespace(p);
    if (p->pos >= p->len) {
        fail(p, p->pos, "a JSON value");
        return NULL;
    }
    json_value *v = arena_alloc(p->arena, sizeof *v);
    if (!v) {
        fail_out_of_memory(p);
        return NULL;
    }
    v->line = p->line;
    v->col = column_of(p, p->pos);
    int rc;
    unsigned char c = p->text[p->pos];
    if ((c == '{' || c == '[') && depth >= p->keep) {   /* lazy: validated, kept as text */
        size_t start = p->pos;
        v->kind = c == '{' ? JSON_OBJECT : JSON_ARRAY;
        if (skip_value(p, depth) != 0)
            return NULL;
        v->str = (const char *)p->text + start;
        v->len = p->pos - start;
        return v;
    }
    switch (c) {
    case '{':
        v->kind = JSON_OBJECT;
        rc = parse_container(p, v, depth + 1);
        break;
    case '[':
        v->kind = JSON_ARRAY;
        rc = parse_container(p, v, depth + 1);
        break;
    case '"':
        v->kind = JSON_STRING;
        rc = parse_string(p, &v->str, &v->len);
        break;
    case 't':
        v->kind = JSON_BOOL;
        v->b = 1;
        rc = parse_word(p, "true");
        break;
    case 'f':
        v->kind = JSON_BOOL;
        rc = parse_word(p, "false");
        break;
    case 'n':
        v->kind = JSON_NULL;
        rc = parse_word(p, "null");
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            v->kind = JSON_NUMBER;
            rc = parse_number(p, v);
        } else {
            rc = fail(p, p->pos, "a JSON value");
        }
        break;
    }
    return rc == 0 ? v : NULL;
}

/* Parses one value from p->pos to p->len (whitespace around it allowed). */
static json_value *parse_document(parser *p)
{
    json_value *root = parse_value(p, 0);
    if (root) {
        skip_whitespace(p);
        if (p->pos < p->len) {
            fail(p, p->pos, "end of input after the JSON value");
            root = NULL;
        }
    }
    free(p->members);
    free(p->bytes);
    return root;
}

json_value *json_parse_lazy(arena *a, const char *filename, const char *text, size_t len, unsigned keep,
                            vs_error *err)
{
    parser p = { 0 };
    p.text = (const unsigned char *)text;
    p.len = text ? len : 0;
    p.line = 1;
    p.filename = filename;
    p.arena = a;
    p.err = err;
    p.keep = keep;
    if (p.len >= 3 && p.text[0] == 0xEF && p.text[1] == 0xBB && p.text[2] == 0xBF)
        p.pos = p.line_start = 3;  /* byte order mark: allowed to be ignored (RFC 8259 section 8.1) */
    return parse_document(&p);
}

json_value *json_parse(arena *a, const char *filename, const char *text, size_t len, vs_error *err)
{
    return json_parse_lazy(a, filename, text, len, UINT_MAX, err);
}

json_value *json_expand(arena *a, const char *filename, const json_value *v, unsigned keep, vs_error *err)
{
    if (!json_is_lazy(v)) {
        vs_error_set(err, VSOLVE_EUSAGE, "json_expand: the value is not a lazy container");
        return NULL;
    }
    /* the text seen from the start of v's line, so that positions come out as in the document */
    size_t before = v->col - 1;
    parser p = { 0 };
    p.text = (const unsigned char *)v->str - before;
    p.pos = before;
    p.len = before + v->len;
    p.line = v->line;
    p.line_start = 0;
    p.filename = filename;
    p.arena = a;
    p.err = err;
    p.keep = keep;
    return parse_document(&p);
}

int json_lazy_get(arena *a, const char *filename, const json_value *v, const char *key, const json_value **out,
                  vs_error *err)
{
    *out = NULL;
    if (!json_is_lazy(v) || v->kind != JSON_OBJECT)
        return vs_error_set(err, VSOLVE_EUSAGE, "json_lazy_get: the value is not a lazy object");
    size_t before = v->col - 1, key_len = strlen(key);
    parser p = { 0 };
    p.text = (const unsigned char *)v->str - before;
    p.pos = before + 1;   /* past the '{' */
    p.len = before + v->len;
    p.line = v->line;
    p.filename = filename;
    p.arena = a;
    p.err = err;
    p.keep = UINT_MAX;
    int rc = 0;
    skip_whitespace(&p);
    while (rc == 0 && p.pos < p.len && p.text[p.pos] != '}') {
        size_t end, run;
        int escaped;
        skip_whitespace(&p);
        if (p.pos >= p.len || p.text[p.pos] != '"') {
            rc = fail(&p, p.pos, "a string key");
            break;
        }
        size_t start = p.pos + 1;
        if ((rc = scan_string(&p, 1, &end, &escaped, &run)) != 0)
            break;
        if (escaped)
            rc = append_bytes(&p, p.text + run, end - run);
        const char *k = escaped ? p.bytes : (const char *)p.text + start;
        size_t k_len = escaped ? p.bytes_len : end - start;
        int match = rc == 0 && k_len == key_len && !memcmp(k, key, key_len);
        p.pos = end + 1;
        skip_whitespace(&p);
        if (rc == 0 && (p.pos >= p.len || p.text[p.pos] != ':'))
            rc = fail(&p, p.pos, "':'");
        if (rc != 0)
            break;
        p.pos++;
        if (match) {
            json_value *m = parse_value(&p, 1);
            if (!m)
                rc = -1;
            *out = m;
            break;
        }
        if ((rc = skip_value(&p, 1)) != 0)
            break;
        skip_whitespace(&p);
        if (p.pos < p.len && p.text[p.pos] == ',')
            p.pos++;
        else if (p.pos >= p.len || p.text[p.pos] != '}')
            rc = fail(&p, p.pos, "',' or '}'");
    }
    free(p.members);
    free(p.bytes);
    return rc == 0 ? VSOLVE_OK : (err->code ? err->code : VSOLVE_EBADINPUT);
}

int json_is_lazy(const json_value *v)
{
    return v && (v->kind == JSON_OBJECT || v->kind == JSON_ARRAY) && v->str;
}

/* ---- the pull reader ---- */

void json_reader_init(json_reader *r, const char *filename, const char *text, size_t len, vs_error *err)
{
    memset(r, 0, sizeof *r);
    r->text = (const unsigned char *)text;
    r->len = text ? len : 0;
    r->line = 1;
    r->filename = filename;
    r->err = err;
    r->keep = UINT_MAX;
    if (r->len >= 3 && r->text[0] == 0xEF && r->text[1] == 0xBB && r->text[2] == 0xBF)
        r->pos = r->line_start = 3;   /* as json_parse_lazy */
}

void json_reader_done(json_reader *r)
{
    free(r->members);
    free(r->bytes);
    r->members = NULL;
    r->bytes = NULL;
}

int json_reader_peek(json_reader *r)
{
    skip_whitespace(r);
    if (r->pos >= r->len)
        return fail(r, r->pos, "a JSON value");
    switch (r->text[r->pos]) {
    case '{': return JSON_OBJECT;
    case '[': return JSON_ARRAY;
    case '"': return JSON_STRING;
    case 't':
    case 'f': return JSON_BOOL;
    case 'n': return JSON_NULL;
    default: return JSON_NUMBER;   /* or not a value: json_reader_skip says which */
    }
}

int json_reader_enter(json_reader *r)
{
    skip_whitespace(r);
    if (r->pos >= r->len || (r->text[r->pos] != '{' && r->text[r->pos] != '['))
        return fail(r, r->pos, "an array or an object");
    if (r->depth + 1 > JSON_MAX_DEPTH)   /* as parse_container */
        return fail(r, r->pos, "at most 512 nested arrays and objects");
    r->pos++;
    r->depth++;
    r->fresh = 1;
    return 0;
}

/* Past the ',' before the next child of the open container, or past its closing `close`
 * (then 0); 1 when a child follows. */
static int reader_next(json_reader *r, char close)
{
    skip_whitespace(r);
    if (r->pos < r->len && r->text[r->pos] == close && r->fresh) {
        r->pos++;
        r->depth--;
        r->fresh = 0;
        return 0;
    }
    if (r->fresh) {
        r->fresh = 0;
        return 1;
    }
    if (r->pos < r->len && r->text[r->pos] == ',') {
        r->pos++;
        return 1;
    }
    if (r->pos < r->len && r->text[r->pos] == close) {
        r->pos++;
        r->depth--;
        return 0;
    }
    return fail(r, r->pos, close == '}' ? "',' or '}'" : "',' or ']'");
}

int json_reader_member(json_reader *r, const char **key, size_t *key_len)
{
    int rc = reader_next(r, '}');
    if (rc != 1)
        return rc;
    skip_whitespace(r);
    if (r->pos >= r->len || r->text[r->pos] != '"')
        return fail(r, r->pos, "a string key");
    if (json_reader_string(r, key, key_len) != 0)
        return -1;
    skip_whitespace(r);
    if (r->pos >= r->len || r->text[r->pos] != ':')
        return fail(r, r->pos, "':'");
    r->pos++;
    return 1;
}

int json_reader_item(json_reader *r) { return reader_next(r, ']'); }

int json_reader_string(json_reader *r, const char **s, size_t *len)
{
    skip_whitespace(r);
    if (r->pos >= r->len || r->text[r->pos] != '"')
        return fail(r, r->pos, "a string");
    size_t start = r->pos + 1, end, run;
    int escaped;
    end = plain_run(r->text, start, r->len);
    if (end < r->len && r->text[end] == '"') {   /* no escapes, nothing outside printable ASCII */
        *s = (const char *)r->text + start;
        *len = end - start;
        r->pos = end + 1;
        return 0;
    }
    if (scan_string(r, 1, &end, &escaped, &run) != 0)
        return -1;
    if (escaped) {
        if (append_bytes(r, r->text + run, end - run) != 0)
            return -1;
        *s = r->bytes;
        *len = r->bytes_len;
    } else {
        *s = (const char *)r->text + start;
        *len = end - start;
    }
    r->pos = end + 1;
    return 0;
}

int json_reader_bool(json_reader *r, int *b)
{
    skip_whitespace(r);
    *b = r->pos < r->len && r->text[r->pos] == 't';
    return parse_word(r, *b ? "true" : "false");
}

int json_reader_skip(json_reader *r) { return skip_value(r, r->depth); }

int json_reader_end(json_reader *r)
{
    skip_whitespace(r);
    return r->pos < r->len ? fail(r, r->pos, "end of input after the JSON value") : 0;
}

const json_value *json_get(const json_value *v, const char *key)
{
    if (!v || v->kind != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < v->n; i++)
        if (v->key_lens[i] == n && memcmp(v->keys[i], key, n) == 0)
            return v->items[i];
    return NULL;
}

int json_truthy(const json_value *v)
{
    if (!v)
        return 0;
    switch (v->kind) {
    case JSON_NULL: return 0;
    case JSON_BOOL: return v->b;
    case JSON_NUMBER: return v->num != 0;
    case JSON_STRING: return v->len > 0;
    default: return 1;
    }
}

const char *json_kind_name(json_kind kind)
{
    switch (kind) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
    }
    return "unknown";
}
