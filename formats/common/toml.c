/* toml.c: the TOML 1.0 reader: bytes in, a toml_value tree in an arena out, every rule enforced. */
#include "toml.h"
#include "utf8.h"
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOML_MAX_DEPTH 256
#define INDEX_FROM 8   /* a table with more keys than this gets a hash index for duplicate checks */

/* How a table or array came to be; decides what later headers and dotted keys may do with it. */
enum origin {
    T_IMPLICIT = 1,  /* a table named on the way by a header ([a] for [a.b]): a header may define it once */
    T_HEADER,        /* a table defined by [header] or an element of [[header]], or the root */
    T_DOTTED,        /* a table created by dotted keys: only dotted keys of its section extend it */
    T_INLINE,        /* an inline table: closed */
    A_STATIC,        /* an array value [ ... ]: closed */
    A_TABLES         /* an array of tables: [[header]] appends */
};

/* Every table and array is a node; its value comes first so that a node is handed out as a
 * toml_value and a toml_value of kind TABLE or ARRAY can be taken back as its node. */
typedef struct node {
    toml_value v;
    size_t cap;          /* allocated length of v.keys, v.items, key_lens */
    size_t *key_lens;    /* byte length of each key (a quoted key may contain U+0000) */
    size_t *slots;       /* hash index of the keys (index + 1, 0 = empty) once n > INDEX_FROM */
    size_t nslots;       /* a power of two */
    int origin;
    unsigned depth;      /* root 0 */
} node;

/* One component of a dotted key: unescaped text and where it was written. */
typedef struct key_part {
    const char *s;
    size_t len;
    size_t pos, end;     /* source range, for messages */
} key_part;

typedef struct parser {
    const unsigned char *text;
    size_t len;
    size_t pos;              /* next byte to read */
    const char *filename;
    arena *arena;
    vs_error *err;
    /* Positions are found lazily: line and line_start describe the text up to `scanned`. */
    unsigned line;
    size_t line_start, scanned, origin_pos;
    /* The dotted key being read (reused; a key/value copies what it needs before its value). */
    key_part *keys;
    size_t nkeys, keys_cap;
    node *root;
} parser;

/* Writes bytes, or only counts them when buf is NULL (strings are read twice: measure, copy). */
typedef struct sink {
    char *buf;
    size_t n;
} sink;

/* ---- characters and positions ---- */

static int at(const parser *p, size_t i)
{
    return i < p->len ? p->text[i] : -1;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
}

/* Length of the newline at i (1 for LF, 2 for CRLF), 0 when there is none. */
static size_t newline_at(const parser *p, size_t i)
{
    int c = at(p, i);
    if (c == '\n')
        return 1;
    if (c == '\r' && at(p, i + 1) == '\n')
        return 2;
    return 0;
}

/* A control character that TOML allows nowhere unescaped (tab is fine; newlines are handled
 * by the callers, so a CR reaching here is a lone CR). */
static int is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

/* Line and column (1-based, in bytes) of offset pos. Scans forward from the last call, so
 * positions asked in document order cost linear time overall. */
static void locate(parser *p, size_t pos, unsigned *line, unsigned *col)
{
    if (pos > p->len)
        pos = p->len;
    if (pos < p->line_start) {
        p->line = 1;
        p->line_start = p->scanned = p->origin_pos;
    }
    for (size_t i = p->scanned; i < pos; i++)
        if (p->text[i] == '\n') {
            if (p->line < UINT_MAX)
                p->line++;
            p->line_start = i + 1;
        }
    if (pos > p->scanned)
        p->scanned = pos;
    size_t c = pos - p->line_start + 1;
    *line = p->line;
    *col = c > UINT_MAX ? UINT_MAX : (unsigned)c;
}

/* ---- errors ---- */

/* Words for what sits at pos: "end of input", "end of line", "'x'", "control character 0x07",
 * "'é'" or "invalid UTF-8 bytes 0xC3 0x28". */
static void describe_at(const parser *p, size_t pos, char *out, size_t size)
{
    if (pos >= p->len)
        snprintf(out, size, "end of input");
    else if (newline_at(p, pos))
        snprintf(out, size, "end of line");
    else
        utf8_describe(p->text + pos, p->len - pos, out, size);
}

/* The source text [start, end) quoted for a message: at most 60 bytes, control bytes as '?'. */
static void quote_source(const parser *p, size_t start, size_t end, char *out, size_t size)
{
    size_t n = end > start ? end - start : 0, k = 0;
    int cut = n > 60;
    if (cut)
        n = 60;
    while (cut && n > 0 && (p->text[start + n] & 0xC0) == 0x80)
        n--;  /* do not split a UTF-8 character */
    if (size < 4)
        return;
    out[k++] = '\'';
    for (size_t i = 0; i < n && k + 6 < size; i++) {
        unsigned char c = p->text[start + i];
        out[k++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    if (cut && k + 6 < size) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k++] = '\'';
    out[k] = '\0';
}

/* Sets "expected EXPECTED, found FOUND" at pos; returns -1 for `return fail_with(...)`. */
static int fail_with(parser *p, size_t pos, const char *expected, const char *found)
{
    unsigned line, col;
    locate(p, pos, &line, &col);
    vs_error_at(p->err, p->filename, line, col, "expected %s, found %s", expected, found);
    return -1;
}

/* Same, describing the input at pos as the thing found. */
static int fail(parser *p, size_t pos, const char *expected)
{
    char found[64];
    describe_at(p, pos, found, sizeof found);
    return fail_with(p, pos, expected, found);
}

static int fail_out_of_memory(parser *p)
{
    vs_error_set(p->err, VSOLVE_ENOMEM, "%s: out of memory while reading TOML",
                 p->filename ? p->filename : "<input>");
    return -1;
}

/* ---- tree building ---- */

static node *new_node(parser *p, toml_kind kind, int origin, unsigned depth, size_t pos)
{
    if (depth > TOML_MAX_DEPTH) {
        fail_with(p, pos, "at most 256 levels of nested tables and arrays", "a 257th level");
        return NULL;
    }
    node *n = arena_alloc(p->arena, sizeof *n);
    if (!n) {
        fail_out_of_memory(p);
        return NULL;
    }
    n->v.kind = kind;
    n->origin = origin;
    n->depth = depth;
    locate(p, pos, &n->v.line, &n->v.col);
    return n;
}

static toml_value *new_scalar(parser *p, toml_kind kind, size_t pos)
{
    toml_value *v = arena_alloc(p->arena, sizeof *v);
    if (!v) {
        fail_out_of_memory(p);
        return NULL;
    }
    v->kind = kind;
    locate(p, pos, &v->line, &v->col);
    return v;
}

static size_t hash_key(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;  /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return (size_t)h;
}

/* Index of key in table t, or -1. */
static long find_key(const node *t, const char *key, size_t len)
{
    if (t->slots) {
        size_t mask = t->nslots - 1;
        for (size_t h = hash_key(key, len) & mask; t->slots[h]; h = (h + 1) & mask) {
            size_t i = t->slots[h] - 1;
            if (t->key_lens[i] == len && memcmp(t->v.keys[i], key, len) == 0)
                return (long)i;
        }
        return -1;
    }
    for (size_t i = 0; i < t->v.n; i++)
        if (t->key_lens[i] == len && memcmp(t->v.keys[i], key, len) == 0)
            return (long)i;
    return -1;
}

/* Makes room for one more key (tables) or item (arrays). */
static int grow(parser *p, node *t)
{
    if (t->v.n < t->cap)
        return 0;
    size_t cap = t->cap ? t->cap * 2 : 4;
    toml_value **items = arena_alloc(p->arena, cap * sizeof *items);
    if (!items)
        return fail_out_of_memory(p);
    if (t->v.n)
        memcpy(items, t->v.items, t->v.n * sizeof *items);
    t->v.items = items;
    if (t->v.kind == TOML_TABLE) {
        const char **keys = arena_alloc(p->arena, cap * sizeof *keys);
        size_t *lens = arena_alloc(p->arena, cap * sizeof *lens);
        if (!keys || !lens)
            return fail_out_of_memory(p);
        if (t->v.n) {
            memcpy(keys, t->v.keys, t->v.n * sizeof *keys);
            memcpy(lens, t->key_lens, t->v.n * sizeof *lens);
        }
        t->v.keys = keys;
        t->key_lens = lens;
    }
    t->cap = cap;
    return 0;
}

static void index_insert(node *t, size_t i)
{
    size_t mask = t->nslots - 1;
    size_t h = hash_key(t->v.keys[i], t->key_lens[i]) & mask;
    while (t->slots[h])
        h = (h + 1) & mask;
    t->slots[h] = i + 1;
}

/* Appends key = v to table t (the caller has checked that key is new). */
static int add_key(parser *p, node *t, const char *key, size_t len, toml_value *v)
{
    if (grow(p, t) != 0)
        return -1;
    size_t i = t->v.n++;
    t->v.keys[i] = key;
    t->key_lens[i] = len;
    t->v.items[i] = v;
    if (t->v.n <= INDEX_FROM)
        return 0;
    if (t->nslots < 2 * t->v.n) {  /* (re)build at a load of at most one half */
        size_t nslots = 16;
        while (nslots < 4 * t->v.n)
            nslots *= 2;
        size_t *slots = arena_alloc(p->arena, nslots * sizeof *slots);
        if (!slots)
            return fail_out_of_memory(p);
        t->slots = slots;
        t->nslots = nslots;
        for (size_t k = 0; k < t->v.n; k++)
            index_insert(t, k);
    } else {
        index_insert(t, i);
    }
    return 0;
}

static int add_item(parser *p, node *a, toml_value *v)
{
    if (grow(p, a) != 0)
        return -1;
    a->v.items[a->v.n++] = v;
    return 0;
}

/* Words for an existing value in a redefinition message. */
static const char *what_is(const toml_value *v)
{
    switch (v->kind) {
    case TOML_TABLE:
        switch (((const node *)v)->origin) {
        case T_IMPLICIT: return "a table";
        case T_DOTTED: return "a table by dotted keys";
        case T_INLINE: return "an inline table (closed to extension)";
        default: return "a table by a header";
        }
    case TOML_ARRAY:
        return ((const node *)v)->origin == A_TABLES ? "an array of tables" : "a static array (closed to extension)";
    case TOML_STRING: return "a string";
    case TOML_INTEGER: return "an integer";
    case TOML_FLOAT: return "a float";
    case TOML_BOOL: return "a boolean";
    case TOML_DATETIME: return "a date-time";
    }
    return "a value";
}

/* A redefinition error at key component k of the current key: "expected EXPECTED, found
 * 'a.b', already defined at L:C as WHAT". */
static int fail_defined(parser *p, size_t k, const toml_value *existing, const char *expected)
{
    char src[80], found[200];
    quote_source(p, p->keys[0].pos, p->keys[k].end, src, sizeof src);
    snprintf(found, sizeof found, "%s, already defined at %u:%u as %s", src, existing->line,
             existing->col, what_is(existing));
    return fail_with(p, p->keys[k].pos, expected, found);
}

/* ---- lexical pieces ---- */

static void skip_ws(parser *p)
{
    while (p->pos < p->len && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t'))
        p->pos++;
}

/* Skips the comment whose '#' is at p->pos, up to its newline (not included). */
static int skip_comment(parser *p)
{
    size_t i = p->pos + 1;
    for (;;) {
        int c = at(p, i);
        if (c == -1 || newline_at(p, i))
            break;
        if (is_control(c))
            return fail(p, i, "a comment character (control characters are not allowed)");
        if (c >= 0x80) {
            size_t n = utf8_sequence_length(p->text + i, p->len - i);
            if (n == 0)
                return fail(p, i, "UTF-8 text");
            i += n;
        } else {
            i++;
        }
    }
    p->pos = i;
    return 0;
}

/* After an expression: whitespace, an optional comment, then a newline or the end. */
static int end_of_line(parser *p, const char *after)
{
    skip_ws(p);
    if (at(p, p->pos) == '#' && skip_comment(p) != 0)
        return -1;
    size_t n = newline_at(p, p->pos);
    if (n) {
        p->pos += n;
        return 0;
    }
    if (p->pos >= p->len)
        return 0;
    char expected[96];
    snprintf(expected, sizeof expected, "a newline or a comment after %s", after);
    return fail(p, p->pos, expected);
}

/* Whitespace, comments and newlines, as allowed between array elements. */
static int skip_ws_comments_newlines(parser *p)
{
    for (;;) {
        skip_ws(p);
        int c = at(p, p->pos);
        size_t n;
        if (c == '#') {
            if (skip_comment(p) != 0)
                return -1;
        } else if ((n = newline_at(p, p->pos)) != 0) {
            p->pos += n;
        } else {
            return 0;
        }
    }
}

/* ---- strings ---- */

static void put(sink *s, const void *bytes, size_t n)
{
    if (s->buf)
        memcpy(s->buf + s->n, bytes, n);
    s->n += n;
}

static void put_utf8(sink *s, unsigned long cp)
{
    unsigned char b[4];
    put(s, b, utf8_encode(cp, b));
}

/* The escape whose backslash is at *i, in a basic string; moves *i past it. In a multi-line
 * string a backslash ending a line swallows the newline and the whitespace after it. */
static int read_escape(parser *p, size_t *i, int multi, sink *out)
{
    size_t b = *i;
    int e = at(p, b + 1);
    char c = 0;
    switch (e) {
    case 'b': c = '\b'; break;
    case 't': c = '\t'; break;
    case 'n': c = '\n'; break;
    case 'f': c = '\f'; break;
    case 'r': c = '\r'; break;
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case 'u':
    case 'U': {
        size_t digits = e == 'u' ? 4 : 8;
        unsigned long cp = 0;
        for (size_t k = 0; k < digits; k++) {
            int h = hex_value(at(p, b + 2 + k));
            if (h < 0)
                return fail(p, b + 2 + k, e == 'u' ? "4 hex digits after '\\u'" : "8 hex digits after '\\U'");
            cp = cp * 16 + (unsigned long)h;
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            char found[64];
            snprintf(found, sizeof found, "\\%c%0*lX", e, (int)digits, cp);
            return fail_with(p, b, "a Unicode scalar value (no surrogates, at most 10FFFF)", found);
        }
        put_utf8(out, cp);
        *i = b + 2 + digits;
        return 0;
    }
    default:
        if (multi && (e == ' ' || e == '\t' || e == '\r' || e == '\n')) {
            size_t j = b + 1;
            while (at(p, j) == ' ' || at(p, j) == '\t')
                j++;
            if (!newline_at(p, j))
                return fail(p, j, "a newline after the line-ending backslash");
            for (;;) {
                size_t n = newline_at(p, j);
                if (n)
                    j += n;
                else if (at(p, j) == ' ' || at(p, j) == '\t')
                    j++;
                else
                    break;
            }
            *i = j;
            return 0;
        }
        return fail(p, b + 1, "an escape character (one of b t n f r \" \\ u U)");
    }
    put(out, &c, 1);
    *i = b + 2;
    return 0;
}

/* Reads the string whose opening quote is at start (basic or literal; multi-line ones only
 * when allowed) into out, and sets *end past its closing quote. */
static int scan_string(parser *p, size_t start, int allow_multi, sink *out, size_t *end)
{
    const unsigned char *t = p->text;
    int q = t[start];
    int basic = q == '"';
    int multi = allow_multi && at(p, start + 1) == q && at(p, start + 2) == q;
    const char *closing = basic ? (multi ? "'\"\"\"' to close the string" : "'\"' to close the string")
                                : (multi ? "\"'''\" to close the string" : "\"'\" to close the string");
    size_t i = start + (multi ? 3 : 1);
    if (multi)
        i += newline_at(p, i);  /* a newline right after the opening is trimmed */
    for (;;) {
        int c = at(p, i);
        if (c == q) {
            if (!multi) {
                i++;
                break;
            }
            /* One or two quotes are content, even just before the closing three. */
            size_t run = 1;
            while (run < 5 && at(p, i + run) == q)
                run++;
            if (run >= 3) {
                put(out, t + i, run - 3);
                i += run;
                break;
            }
            put(out, t + i, run);
            i += run;
            continue;
        }
        if (c == '\\' && basic) {
            if (read_escape(p, &i, multi, out) != 0)
                return -1;
            continue;
        }
        size_t nl = newline_at(p, i);
        if (nl) {
            if (!multi)
                return fail(p, i, closing);
            put(out, "\n", 1);  /* CRLF becomes LF */
            i += nl;
            continue;
        }
        if (c == -1)
            return fail(p, i, closing);
        if (is_control(c))
            return fail(p, i, basic ? "a string character (control characters must be escaped)"
                                    : "a literal string character (no control characters)");
        size_t n = 1;
        if (c >= 0x80 && (n = utf8_sequence_length(t + i, p->len - i)) == 0)
            return fail(p, i, "UTF-8 text");
        put(out, t + i, n);
        i += n;
    }
    *end = i;
    return 0;
}

/* Reads the string at p->pos into the arena (NUL-terminated). */
static int read_string(parser *p, int allow_multi, const char **s, size_t *len)
{
    sink count = { NULL, 0 };
    size_t end;
    if (scan_string(p, p->pos, allow_multi, &count, &end) != 0)
        return -1;
    char *buf = arena_alloc(p->arena, count.n + 1);
    if (!buf)
        return fail_out_of_memory(p);
    sink copy = { buf, 0 };
    scan_string(p, p->pos, allow_multi, &copy, &end);  /* the same input: cannot fail now */
    buf[copy.n] = '\0';
    *s = buf;
    *len = copy.n;
    p->pos = end;
    return 0;
}

/* ---- keys ---- */

static int push_key(parser *p, key_part k)
{
    if (p->nkeys == p->keys_cap) {
        size_t cap = p->keys_cap ? p->keys_cap * 2 : 16;
        key_part *keys = arena_alloc(p->arena, cap * sizeof *keys);
        if (!keys)
            return fail_out_of_memory(p);
        if (p->nkeys)
            memcpy(keys, p->keys, p->nkeys * sizeof *keys);
        p->keys = keys;
        p->keys_cap = cap;
    }
    p->keys[p->nkeys++] = k;
    return 0;
}

/* Reads a key (bare, quoted, or dotted with whitespace around the dots) into p->keys. */
static int read_key(parser *p)
{
    p->nkeys = 0;
    for (;;) {
        skip_ws(p);
        key_part k;
        k.pos = p->pos;
        int c = at(p, p->pos);
        if (c == '"' || c == '\'') {
            if (read_string(p, 0, &k.s, &k.len) != 0)
                return -1;
        } else if (is_bare(c)) {
            while (is_bare(at(p, p->pos)))
                p->pos++;
            k.len = p->pos - k.pos;
            if (!(k.s = arena_strndup(p->arena, (const char *)p->text + k.pos, k.len)))
                return fail_out_of_memory(p);
        } else {
            return fail(p, p->pos, p->nkeys ? "a key after '.'" : "a key");
        }
        k.end = p->pos;
        if (push_key(p, k) != 0)
            return -1;
        skip_ws(p);
        if (at(p, p->pos) != '.')
            return 0;
        p->pos++;
    }
}

/* ---- numbers, booleans, date-times ---- */

/* A run of digits of the given base with single underscores between digits; at *i is a digit. */
static int read_digits(parser *p, size_t *i, int base)
{
    size_t j = *i;
    for (;;) {
        int c = at(p, j);
        int d = hex_value(c);
        if (d >= 0 && d < base) {
            j++;
        } else if (c == '_') {
            d = hex_value(at(p, j + 1));
            if (d < 0 || d >= base)
                return fail(p, j + 1, "a digit after '_'");
            j++;
        } else {
            break;
        }
    }
    *i = j;
    return 0;
}

/* A scalar token (number, boolean, date-time) must not run on into more token characters. */
static int end_of_token(parser *p, size_t i, const char *what)
{
    int c = at(p, i);
    if (is_bare(c) || c == '.' || c == '+' || c == ':') {
        char expected[64];
        snprintf(expected, sizeof expected, "the end of the %s", what);
        return fail(p, i, expected);
    }
    p->pos = i;
    return 0;
}

/* Converts the validated float literal [start, end) (underscores dropped) with strtod, which
 * follows LC_NUMERIC: the '.' is written as the locale's decimal point. */
static int float_value(parser *p, size_t start, size_t end, double *out)
{
    const char *point = localeconv()->decimal_point;
    size_t point_len = point && *point ? strlen(point) : 1;
    size_t need = end - start + point_len + 1;
    char small[128];
    char *buf = need <= sizeof small ? small : arena_alloc(p->arena, need);
    if (!buf)
        return fail_out_of_memory(p);
    size_t k = 0;
    for (size_t i = start; i < end; i++) {
        char c = (char)p->text[i];
        if (c == '_')
            continue;
        if (c == '.') {
            memcpy(buf + k, point && *point ? point : ".", point_len);
            k += point_len;
        } else {
            buf[k++] = c;
        }
    }
    buf[k] = '\0';
    double d = strtod(buf, NULL);
    if (isinf(d)) {
        char src[80];
        quote_source(p, start, end, src, sizeof src);
        return fail_with(p, start, "a float within the 64-bit range", src);
    }
    *out = d;
    return 0;
}

/* Integers (decimal, 0x 0o 0b), floats and inf/nan starting at p->pos. */
static int parse_number(parser *p, toml_value *v)
{
    size_t start = p->pos, i = start;
    int negative = 0, c = at(p, i);
    if (c == '+' || c == '-') {
        negative = c == '-';
        i++;
    }
    c = at(p, i);
    if (c == 'i' || c == 'n') {
        const char *word = c == 'i' ? "inf" : "nan";
        for (size_t k = 0; k < 3; k++)
            if (at(p, i + k) != word[k])
                return fail(p, i + k, c == 'i' ? "'inf'" : "'nan'");
        v->kind = TOML_FLOAT;
        v->f = c == 'i' ? (negative ? -HUGE_VAL : HUGE_VAL) : (negative ? -NAN : NAN);
        return end_of_token(p, i + 3, "number");
    }
    int next = at(p, i + 1);
    if (i == start && c == '0' && (next == 'x' || next == 'o' || next == 'b')) {
        int base = next == 'x' ? 16 : next == 'o' ? 8 : 2;
        i += 2;
        int d = hex_value(at(p, i));
        if (d < 0 || d >= base)
            return fail(p, i, base == 16 ? "a hexadecimal digit after '0x'"
                              : base == 8 ? "an octal digit after '0o'" : "a binary digit after '0b'");
        if (read_digits(p, &i, base) != 0)
            return -1;
        uint64_t x = 0;
        for (size_t k = start + 2; k < i; k++) {
            if (p->text[k] == '_')
                continue;
            uint64_t digit = (uint64_t)hex_value(p->text[k]);
            if (x > ((uint64_t)INT64_MAX - digit) / (uint64_t)base) {
                char src[80];
                quote_source(p, start, i, src, sizeof src);
                return fail_with(p, start, "an integer of at most 0x7FFFFFFFFFFFFFFF", src);
            }
            x = x * (uint64_t)base + digit;
        }
        v->kind = TOML_INTEGER;
        v->i = (int64_t)x;
        return end_of_token(p, i, "number");
    }
    if (!is_digit(c))
        return fail(p, i, "a digit after the sign");
    if (c == '0' && (is_digit(next) || next == '_'))
        return fail(p, i + 1, "no leading zero in a decimal number");
    if (read_digits(p, &i, 10) != 0)
        return -1;
    size_t int_end = i;
    int is_float = 0;
    if (at(p, i) == '.') {
        i++;
        if (!is_digit(at(p, i)))
            return fail(p, i, "a digit after the decimal point");
        if (read_digits(p, &i, 10) != 0)
            return -1;
        is_float = 1;
    }
    if (at(p, i) == 'e' || at(p, i) == 'E') {
        i++;
        if (at(p, i) == '+' || at(p, i) == '-')
            i++;
        if (!is_digit(at(p, i)))
            return fail(p, i, "a digit in the exponent");
        if (read_digits(p, &i, 10) != 0)
            return -1;
        is_float = 1;
    }
    if (is_float) {
        v->kind = TOML_FLOAT;
        if (float_value(p, start, i, &v->f) != 0)
            return -1;
        return end_of_token(p, i, "number");
    }
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, x = 0;
    for (size_t k = start; k < int_end; k++) {
        if (!is_digit(p->text[k]))
            continue;  /* sign, underscores */
        uint64_t digit = (uint64_t)(p->text[k] - '0');
        if (x > (limit - digit) / 10) {
            char src[80];
            quote_source(p, start, int_end, src, sizeof src);
            return fail_with(p, start, "an integer from -9223372036854775808 to 9223372036854775807", src);
        }
        x = x * 10 + digit;
    }
    v->kind = TOML_INTEGER;
    v->i = negative ? (x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x) : (int64_t)x;
    return end_of_token(p, i, "number");
}

/* The two-digit field at i within [lo, hi], else an error naming `what`. */
static int two_digits(parser *p, size_t i, int lo, int hi, const char *what, int *out)
{
    int a = at(p, i), b = at(p, i + 1);
    char expected[96];
    snprintf(expected, sizeof expected, "%s from %02d to %02d", what, lo, hi);
    if (!is_digit(a))
        return fail(p, i, expected);
    if (!is_digit(b))
        return fail(p, i + 1, expected);
    int value = (a - '0') * 10 + (b - '0');
    if (value < lo || value > hi) {
        char found[8];
        snprintf(found, sizeof found, "'%c%c'", a, b);
        return fail_with(p, i, expected, found);
    }
    *out = value;
    return 0;
}

static int expect_char(parser *p, size_t i, int want, const char *expected)
{
    return at(p, i) == want ? 0 : fail(p, i, expected);
}

/* HH:MM:SS[.fraction] at *i. */
static int read_time(parser *p, size_t *i)
{
    int hour, minute, second;
    size_t j = *i;
    if (two_digits(p, j, 0, 23, "an hour", &hour) != 0 || expect_char(p, j + 2, ':', "':' after the hour") != 0 ||
        two_digits(p, j + 3, 0, 59, "a minute", &minute) != 0 ||
        expect_char(p, j + 5, ':', "':' after the minute (seconds are required)") != 0 ||
        two_digits(p, j + 6, 0, 60, "a second", &second) != 0)
        return -1;
    j += 8;
    if (at(p, j) == '.') {
        j++;
        if (!is_digit(at(p, j)))
            return fail(p, j, "a digit after the decimal point of the seconds");
        while (is_digit(at(p, j)))
            j++;
    }
    *i = j;
    return 0;
}

static int days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        return 29;
    return days[month - 1];
}

/* Offset date-time, local date-time, local date or local time at p->pos, kept as written. */
static int parse_datetime(parser *p, toml_value *v)
{
    size_t start = p->pos, i = start;
    int has_date = 1, has_time = 1;
    for (size_t k = 0; k < 4; k++)
        has_date = has_date && is_digit(at(p, i + k));
    has_date = has_date && at(p, i + 4) == '-';
    if (has_date) {
        int year = 0, month, day;
        for (size_t k = 0; k < 4; k++)
            year = year * 10 + (p->text[i + k] - '0');
        if (two_digits(p, i + 5, 1, 12, "a month", &month) != 0 ||
            expect_char(p, i + 7, '-', "'-' after the month") != 0)
            return -1;
        char what[64];
        snprintf(what, sizeof what, "a day of %04d-%02d", year, month);
        if (two_digits(p, i + 8, 1, days_in_month(year, month), what, &day) != 0)
            return -1;
        i += 10;
        int c = at(p, i);
        has_time = c == 'T' || c == 't' || (c == ' ' && is_digit(at(p, i + 1)));
        if (has_time)
            i++;
    }
    if (has_time && read_time(p, &i) != 0)
        return -1;
    if (has_date && has_time) {
        int c = at(p, i), hour, minute;
        if (c == 'Z' || c == 'z') {
            i++;
        } else if (c == '+' || c == '-') {
            if (two_digits(p, i + 1, 0, 23, "an offset hour", &hour) != 0 ||
                expect_char(p, i + 3, ':', "':' in the offset") != 0 ||
                two_digits(p, i + 4, 0, 59, "an offset minute", &minute) != 0)
                return -1;
            i += 6;
        }
    }
    v->kind = TOML_DATETIME;
    v->len = i - start;
    if (!(v->str = arena_strndup(p->arena, (const char *)p->text + start, v->len)))
        return fail_out_of_memory(p);
    return end_of_token(p, i, "date-time");
}

static int parse_bool(parser *p, toml_value *v)
{
    const char *word = at(p, p->pos) == 't' ? "true" : "false";
    size_t n = strlen(word);
    for (size_t k = 0; k < n; k++)
        if (at(p, p->pos + k) != word[k])
            return fail(p, p->pos + k, word[0] == 't' ? "'true'" : "'false'");
    v->kind = TOML_BOOL;
    v->b = word[0] == 't';
    return end_of_token(p, p->pos + n, "value");
}

/* ---- values, arrays, inline tables ---- */

static int parse_value(parser *p, unsigned depth, toml_value **out);
static int parse_keyval(parser *p, node *table);

static int parse_array(parser *p, unsigned depth, toml_value **out)
{
    node *a = new_node(p, TOML_ARRAY, A_STATIC, depth, p->pos);
    if (!a)
        return -1;
    p->pos++;
    for (;;) {
        if (skip_ws_comments_newlines(p) != 0)
            return -1;
        if (at(p, p->pos) == ']')
            break;
        toml_value *v;
        if (parse_value(p, depth + 1, &v) != 0 || add_item(p, a, v) != 0 || skip_ws_comments_newlines(p) != 0)
            return -1;
        int c = at(p, p->pos);
        if (c == ']')
            break;
        if (c != ',')
            return fail(p, p->pos, "',' or ']' after an array element");
        p->pos++;
    }
    p->pos++;
    *out = &a->v;
    return 0;
}

static int parse_inline_table(parser *p, unsigned depth, toml_value **out)
{
    node *t = new_node(p, TOML_TABLE, T_INLINE, depth, p->pos);
    if (!t)
        return -1;
    p->pos++;
    skip_ws(p);
    if (at(p, p->pos) != '}') {
        for (;;) {
            if (parse_keyval(p, t) != 0)
                return -1;
            skip_ws(p);
            int c = at(p, p->pos);
            if (c == '}')
                break;
            if (c != ',')
                return fail(p, p->pos, "',' or '}' after a key/value pair of the inline table (all on one line)");
            p->pos++;
            skip_ws(p);
            if (at(p, p->pos) == '}')
                return fail(p, p->pos, "a key after ',' (no trailing comma in an inline table)");
        }
    }
    p->pos++;
    *out = &t->v;
    return 0;
}

/* Any value at p->pos; depth is the depth it will have in the tree. */
static int parse_value(parser *p, unsigned depth, toml_value **out)
{
    int c = at(p, p->pos);
    if (c == '[')
        return parse_array(p, depth, out);
    if (c == '{')
        return parse_inline_table(p, depth, out);
    toml_value *v = new_scalar(p, TOML_STRING, p->pos);
    if (!v)
        return -1;
    *out = v;
    if (c == '"' || c == '\'')
        return read_string(p, 1, &v->str, &v->len);
    if (c == 't' || c == 'f')
        return parse_bool(p, v);
    if (c == '+' || c == '-' || c == 'i' || c == 'n')
        return parse_number(p, v);
    if (is_digit(c)) {
        int is_date = is_digit(at(p, p->pos + 1)) && is_digit(at(p, p->pos + 2)) &&
                      is_digit(at(p, p->pos + 3)) && at(p, p->pos + 4) == '-';
        int is_time = is_digit(at(p, p->pos + 1)) && at(p, p->pos + 2) == ':';
        return is_date || is_time ? parse_datetime(p, v) : parse_number(p, v);
    }
    return fail(p, p->pos, "a value (string, number, boolean, date-time, array or inline table)");
}

/* key = value into table (the current section, or an inline table being read). Dotted keys
 * create tables, or go through tables created by dotted keys (or only named by headers). */
static int parse_keyval(parser *p, node *table)
{
    if (read_key(p) != 0)
        return -1;
    if (at(p, p->pos) != '=')
        return fail(p, p->pos, "'.' or '=' after the key");
    p->pos++;
    skip_ws(p);
    node *t = table;
    for (size_t k = 0; k + 1 < p->nkeys; k++) {
        key_part *kp = &p->keys[k];
        long i = find_key(t, kp->s, kp->len);
        if (i < 0) {
            node *c = new_node(p, TOML_TABLE, T_DOTTED, t->depth + 1, kp->pos);
            if (!c || add_key(p, t, kp->s, kp->len, &c->v) != 0)
                return -1;
            t = c;
            continue;
        }
        toml_value *v = t->v.items[i];
        node *c = (node *)v;
        if (v->kind != TOML_TABLE || (c->origin != T_DOTTED && c->origin != T_IMPLICIT))
            return fail_defined(p, k, v, "a key naming a table that dotted keys can extend");
        c->origin = T_DOTTED;
        t = c;
    }
    key_part last = p->keys[p->nkeys - 1];
    long i = find_key(t, last.s, last.len);
    if (i >= 0)
        return fail_defined(p, p->nkeys - 1, t->v.items[i], "a key that is not defined yet");
    toml_value *v;
    if (parse_value(p, t->depth + 1, &v) != 0)
        return -1;
    return add_key(p, t, last.s, last.len, v);
}

/* ---- table headers ---- */

/* [a.b.c] or [[a.b.c]] at p->pos; sets *current to the table that the next key/values fill. */
static int parse_header(parser *p, node **current)
{
    size_t start = p->pos;
    int array = at(p, start + 1) == '[';
    p->pos = start + (array ? 2 : 1);
    if (read_key(p) != 0)
        return -1;
    if (at(p, p->pos) != ']')
        return fail(p, p->pos, array ? "'.' or ']]' after the key of the array-of-tables header"
                                     : "'.' or ']' after the key of the table header");
    if (array && at(p, p->pos + 1) != ']')
        return fail(p, p->pos + 1, "']]' to close the array-of-tables header");
    p->pos += array ? 2 : 1;

    /* Walk to the parent: tables (not inline ones) and the last element of arrays of tables. */
    node *t = p->root;
    for (size_t k = 0; k + 1 < p->nkeys; k++) {
        key_part *kp = &p->keys[k];
        long i = find_key(t, kp->s, kp->len);
        if (i < 0) {
            node *c = new_node(p, TOML_TABLE, T_IMPLICIT, t->depth + 1, kp->pos);
            if (!c || add_key(p, t, kp->s, kp->len, &c->v) != 0)
                return -1;
            t = c;
            continue;
        }
        toml_value *v = t->v.items[i];
        node *c = (node *)v;
        if (v->kind == TOML_TABLE && c->origin != T_INLINE)
            t = c;
        else if (v->kind == TOML_ARRAY && c->origin == A_TABLES)
            t = (node *)c->v.items[c->v.n - 1];
        else
            return fail_defined(p, k, v, "a key naming a table or an array of tables");
    }

    size_t k = p->nkeys - 1;
    key_part *kp = &p->keys[k];
    long i = find_key(t, kp->s, kp->len);
    toml_value *existing = i >= 0 ? t->v.items[i] : NULL;
    node *target;
    if (array) {
        node *list = (node *)existing;
        if (!existing) {
            if (!(list = new_node(p, TOML_ARRAY, A_TABLES, t->depth + 1, start)) ||
                add_key(p, t, kp->s, kp->len, &list->v) != 0)
                return -1;
        } else if (existing->kind != TOML_ARRAY || list->origin != A_TABLES) {
            return fail_defined(p, k, existing, "an array of tables or a new key");
        }
        if (!(target = new_node(p, TOML_TABLE, T_HEADER, list->depth + 1, start)) ||
            add_item(p, list, &target->v) != 0)
            return -1;
    } else if (!existing) {
        if (!(target = new_node(p, TOML_TABLE, T_HEADER, t->depth + 1, start)) ||
            add_key(p, t, kp->s, kp->len, &target->v) != 0)
            return -1;
    } else {
        target = (node *)existing;
        if (existing->kind != TOML_TABLE || target->origin != T_IMPLICIT)
            return fail_defined(p, k, existing, "a table that is not defined yet");
        target->origin = T_HEADER;  /* named on the way before, defined now */
        locate(p, start, &target->v.line, &target->v.col);
    }
    *current = target;
    return end_of_line(p, "the table header");
}

/* ---- the document ---- */

toml_value *toml_parse(arena *a, const char *filename, const char *text, size_t len, vs_error *err)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.text = (const unsigned char *)text;
    p.len = text ? len : 0;
    p.filename = filename;
    p.arena = a;
    p.err = err;
    p.line = 1;
    if (p.len >= 3 && memcmp(p.text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = p.line_start = p.scanned = p.origin_pos = 3;  /* a byte order mark is skipped */
    if (!(p.root = new_node(&p, TOML_TABLE, T_HEADER, 0, p.pos)))
        return NULL;
    node *current = p.root;
    for (;;) {
        skip_ws(&p);
        int c = at(&p, p.pos);
        size_t n;
        if (c == -1)
            break;
        if (c == '#') {
            if (skip_comment(&p) != 0)
                return NULL;
        } else if ((n = newline_at(&p, p.pos)) != 0) {
            p.pos += n;
        } else if (c == '[') {
            if (parse_header(&p, &current) != 0)
                return NULL;
        } else if (parse_keyval(&p, current) != 0 || end_of_line(&p, "the value") != 0) {
            return NULL;
        }
    }
    return &p.root->v;
}

const toml_value *toml_get(const toml_value *t, const char *key)
{
    if (!t || t->kind != TOML_TABLE || !key)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->keys[i], key) == 0)
            return t->items[i];
    return NULL;
}

const char *toml_kind_name(toml_kind kind)
{
    switch (kind) {
    case TOML_TABLE: return "table";
    case TOML_ARRAY: return "array";
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOL: return "boolean";
    case TOML_DATETIME: return "date-time";
    }
    return "value";
}
