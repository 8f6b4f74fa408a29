/* cargo_semver.c: cargo's versions and requirements, parsed, ordered and matched as the semver crate does. */
#include "cargo_semver.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The most comparators a requirement may have (the semver crate's limit). */
#define MAX_COMPARATORS 32

/* Where a parse error happened, as the semver crate names the positions. */
typedef enum position { POS_MAJOR, POS_MINOR, POS_PATCH, POS_PRE, POS_BUILD } position;

static const char *position_name(position pos)
{
    static const char *const names[] = { "major version number", "minor version number",
                                         "patch version number", "pre-release identifier",
                                         "build metadata" };
    return names[pos];
}

/* The rest of the text still to parse. */
typedef struct cursor {
    const char *s;
    size_t len;
} cursor;

static int peek(const cursor *c, char ch) { return c->len > 0 && c->s[0] == ch; }

static void advance(cursor *c, size_t n)
{
    c->s += n;
    c->len -= n;
}

static int eat(cursor *c, char ch)
{
    if (!peek(c, ch))
        return 0;
    advance(c, 1);
    return 1;
}

static void skip_spaces(cursor *c)
{
    while (eat(c, ' '))
        ;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int is_ident_char(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-';
}

/* Error messages. Every failing path writes one and returns -1. */

static int fail(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Decodes the UTF-8 character at s[0..len) (len > 0); invalid bytes read as U+FFFD. */
static uint32_t decode_utf8(const unsigned char *s, size_t len, size_t *used)
{
    *used = 1;
    if (s[0] < 0x80)
        return s[0];
    size_t n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || n > len)
        return 0xfffd;
    uint32_t cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0xfffd;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t smallest[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    *used = n;
    return cp;
}

/* Whether Rust's char Debug prints the character as itself. Exact below U+0370 (checked
 * against the crate); beyond, an approximation of Rust's Unicode tables: the common format
 * characters, separators, combining marks, private use and non-characters are escaped. */
static int is_printable(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xa0 || cp == 0xad)
        return 0;
    if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) ||
        (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000)
        return 0;
    if ((cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff ||
        (cp >= 0xfff9 && cp <= 0xfffb) || (cp & 0xfffe) == 0xfffe || cp >= 0xe0000)
        return 0;
    return 1;
}

/* The first character of c quoted as the semver crate quotes it (Rust's char Debug, with '\0'). */
static void quote_char(const cursor *c, char *out, size_t size)
{
    size_t used;
    uint32_t cp = decode_utf8((const unsigned char *)c->s, c->len, &used);
    const char *escape = cp == 0 ? "\\0" : cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : cp == '\r' ? "\\r"
                       : cp == '\'' ? "\\'" : cp == '\\' ? "\\\\" : NULL;
    if (escape)
        snprintf(out, size, "'%s'", escape);
    else if (!is_printable(cp))
        snprintf(out, size, "'\\u{%" PRIx32 "}'", cp);
    else if (cp == 0xfffd && used == 1)
        snprintf(out, size, "'\xef\xbf\xbd'");
    else
        snprintf(out, size, "'%.*s'", (int)used, c->s);
}

static int fail_unexpected_char(char *err, size_t err_size, const cursor *c, const char *where, position pos)
{
    char q[16];
    quote_char(c, q, sizeof q);
    return fail(err, err_size, "unexpected character %s %s %s", q, where, position_name(pos));
}

static int fail_expected_comma(char *err, size_t err_size, const cursor *c, position pos)
{
    char q[16];
    quote_char(c, q, sizeof q);
    return fail(err, err_size, "expected comma after %s, found %s", position_name(pos), q);
}

/* The pieces of both grammars. */

/* A number without leading zeros that fits in 64 bits. */
static int numeric(cursor *c, position pos, uint64_t *out, char *err, size_t err_size)
{
    size_t n = 0;
    uint64_t value = 0;
    while (n < c->len && is_digit(c->s[n])) {
        if (n > 0 && value == 0)
            return fail(err, err_size, "invalid leading zero in %s", position_name(pos));
        uint64_t digit = (uint64_t)(c->s[n] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return fail(err, err_size, "value of %s exceeds u64::MAX", position_name(pos));
        value = value * 10 + digit;
        n++;
    }
    if (n == 0) {
        if (c->len == 0)
            return fail(err, err_size, "unexpected end of input while parsing %s", position_name(pos));
        return fail_unexpected_char(err, err_size, c, "while parsing", pos);
    }
    advance(c, n);
    *out = value;
    return 0;
}

/* Dot-separated identifiers of [0-9A-Za-z-] (pre-release: numeric ones without leading zeros).
 * Stops before the first other character; an empty result is an error too. */
static int identifiers(cursor *c, position pos, const char **out, size_t *out_len, char *err, size_t err_size)
{
    size_t done = 0;   /* bytes accepted so far, up to and including the last '.' */
    for (;;) {
        size_t seg = 0;
        int has_nondigit = 0;
        while (done + seg < c->len && is_ident_char(c->s[done + seg])) {
            has_nondigit |= !is_digit(c->s[done + seg]);
            seg++;
        }
        int dot = done + seg < c->len && c->s[done + seg] == '.';
        if (seg == 0)
            return fail(err, err_size, "empty identifier segment in %s", position_name(pos));
        if (pos == POS_PRE && seg > 1 && !has_nondigit && c->s[done] == '0')
            return fail(err, err_size, "invalid leading zero in %s", position_name(pos));
        done += seg;
        if (!dot)
            break;
        done++;
    }
    *out = c->s;
    *out_len = done;
    advance(c, done);
    return 0;
}

/* A wildcard character '*', 'x' or 'X' at the start of c, consumed; 0 when there is none. */
static char wildcard(cursor *c)
{
    if (c->len > 0 && (c->s[0] == '*' || c->s[0] == 'x' || c->s[0] == 'X')) {
        char ch = c->s[0];
        advance(c, 1);
        return ch;
    }
    return 0;
}

/* Versions. */

int semver_parse(const char *text, size_t len, semver_version *out, char *err, size_t err_size)
{
    cursor c = { text, len };
    memset(out, 0, sizeof *out);
    if (len == 0)
        return fail(err, err_size, "empty string, expected a semver version");
    uint64_t *parts[3] = { &out->major, &out->minor, &out->patch };
    position pos = POS_MAJOR;
    for (int i = 0; i < 3; i++) {
        pos = (position)i;
        if (numeric(&c, pos, parts[i], err, err_size) != 0)
            return -1;
        if (i < 2 && !eat(&c, '.')) {
            if (c.len == 0)
                return fail(err, err_size, "unexpected end of input while parsing %s", position_name(pos));
            return fail_unexpected_char(err, err_size, &c, "after", pos);
        }
    }
    if (eat(&c, '-')) {
        pos = POS_PRE;
        if (identifiers(&c, pos, &out->pre, &out->pre_len, err, err_size) != 0)
            return -1;
    }
    if (eat(&c, '+')) {
        pos = POS_BUILD;
        if (identifiers(&c, pos, &out->build, &out->build_len, err, err_size) != 0)
            return -1;
    }
    if (c.len > 0)
        return fail_unexpected_char(err, err_size, &c, "after", pos);
    return 0;
}

/* Compares two runs of digits without leading zeros as numbers. */
static int compare_digits(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len)
        return a_len < b_len ? -1 : 1;
    int c = memcmp(a, b, a_len);
    return (c > 0) - (c < 0);
}

static int all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

static int compare_bytes(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (a_len > b_len) - (a_len < b_len);
}

/* Length of the identifier starting at s[0..len): up to the next '.' or the end. */
static size_t segment(const char *s, size_t len)
{
    const char *dot = memchr(s, '.', len);
    return dot ? (size_t)(dot - s) : len;
}

/* Orders dot-separated identifier lists: identifier by identifier, numeric ones by value and
 * before alphanumeric ones, alphanumeric ones by bytes; a list that runs out first is smaller.
 * Numeric identifiers of build metadata may have leading zeros: they compare by value, then
 * the one with fewer zeros first. Both lists are non-empty. */
static int compare_identifiers(const char *a, size_t a_len, const char *b, size_t b_len)
{
    size_t i = 0, j = 0;
    for (;;) {
        size_t n = segment(a + i, a_len - i), m = segment(b + j, b_len - j);
        int a_num = all_digits(a + i, n), b_num = all_digits(b + j, m);
        int c;
        if (a_num && b_num) {
            size_t za = 0, zb = 0;
            while (za < n && a[i + za] == '0')
                za++;
            while (zb < m && b[j + zb] == '0')
                zb++;
            c = compare_digits(a + i + za, n - za, b + j + zb, m - zb);
            if (c == 0)
                c = (n > m) - (n < m);
        } else if (a_num != b_num) {
            c = a_num ? -1 : 1;
        } else {
            c = compare_bytes(a + i, n, b + j, m);
        }
        if (c != 0)
            return c;
        i += n;
        j += m;
        int a_more = i < a_len, b_more = j < b_len;
        if (!a_more || !b_more)
            return a_more - b_more;
        i++;
        j++;
    }
}

/* Pre-releases: none sorts after any (a release follows its pre-releases). */
static int compare_pre(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len == 0 || b_len == 0)
        return (a_len == 0) - (b_len == 0);
    return compare_identifiers(a, a_len, b, b_len);
}

/* Build metadata: none sorts before any. */
static int compare_build(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len == 0 || b_len == 0)
        return (b_len == 0) - (a_len == 0);
    return compare_identifiers(a, a_len, b, b_len);
}

static int compare_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

/* semver_precedence, here for semver_compare too (a hot path of the cargo resolver). */
static int precedence(const semver_version *a, const semver_version *b)
{
    int c = compare_u64(a->major, b->major);
    if (c == 0)
        c = compare_u64(a->minor, b->minor);
    if (c == 0)
        c = compare_u64(a->patch, b->patch);
    if (c == 0)
        c = compare_pre(a->pre, a->pre_len, b->pre, b->pre_len);
    return c;
}

int semver_precedence(const semver_version *a, const semver_version *b) { return precedence(a, b); }

int semver_compare(const semver_version *a, const semver_version *b)
{
    int c = precedence(a, b);
    return c != 0 ? c : compare_build(a->build, a->build_len, b->build, b->build_len);
}

/* Requirements. */

/* Parses one comparator at c (leading spaces already skipped) up to and including the spaces
 * after it; *pos is where it ended, for the "after ..." messages. The pre-release refers into
 * the text. */
static int comparator(cursor *c, semver_comparator *out, position *pos, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->op = SEMVER_CARET;   /* a bare version means caret */
    int default_op = 0;
    if (eat(c, '=')) {
        out->op = SEMVER_EXACT;
    } else if (eat(c, '>')) {
        out->op = eat(c, '=') ? SEMVER_GREATER_EQ : SEMVER_GREATER;
    } else if (eat(c, '<')) {
        out->op = eat(c, '=') ? SEMVER_LESS_EQ : SEMVER_LESS;
    } else if (eat(c, '~')) {
        out->op = SEMVER_TILDE;
    } else if (!eat(c, '^')) {
        default_op = 1;
    }
    skip_spaces(c);

    *pos = POS_MAJOR;
    if (numeric(c, *pos, &out->major, err, err_size) != 0)
        return -1;
    int minor_wildcard = 0;
    if (eat(c, '.')) {
        *pos = POS_MINOR;
        if (wildcard(c)) {
            minor_wildcard = 1;
            if (default_op)
                out->op = SEMVER_WILDCARD;
        } else {
            if (numeric(c, *pos, &out->minor, err, err_size) != 0)
                return -1;
            out->has_minor = 1;
        }
    }
    if (eat(c, '.')) {
        *pos = POS_PATCH;
        if (wildcard(c)) {
            if (default_op)
                out->op = SEMVER_WILDCARD;
        } else if (minor_wildcard) {
            return fail(err, err_size, "unexpected character after wildcard in version req");
        } else {
            if (numeric(c, *pos, &out->patch, err, err_size) != 0)
                return -1;
            out->has_patch = 1;
        }
    }
    if (out->has_patch && eat(c, '-')) {
        *pos = POS_PRE;
        if (identifiers(c, *pos, &out->pre, &out->pre_len, err, err_size) != 0)
            return -1;
    }
    if (out->has_patch && eat(c, '+')) {
        *pos = POS_BUILD;
        const char *build;
        size_t build_len;
        if (identifiers(c, *pos, &build, &build_len, err, err_size) != 0)
            return -1;
    }
    skip_spaces(c);
    return 0;
}

int semver_comparator_parse(const char *text, size_t len, semver_comparator *out, char *err, size_t err_size)
{
    cursor c = { text, len };
    position pos;
    skip_spaces(&c);
    if (comparator(&c, out, &pos, err, err_size) != 0)
        return -1;
    if (c.len > 0)
        return fail_unexpected_char(err, err_size, &c, "after", pos);
    return 0;
}

static int fail_wildcard_not_alone(char *err, size_t err_size, char ch)
{
    return fail(err, err_size, "wildcard req (%c) must be the only comparator in the version req", ch);
}

int semver_req_parse(arena *a, const char *text, size_t len, semver_req *out, char *err, size_t err_size)
{
    cursor c = { text, len };
    out->items = NULL;
    out->n = 0;
    skip_spaces(&c);
    char star = wildcard(&c);
    if (star) {
        skip_spaces(&c);
        if (c.len == 0)
            return 0;
        if (peek(&c, ','))
            return fail_wildcard_not_alone(err, err_size, star);
        return fail(err, err_size, "unexpected character after wildcard in version req");
    }
    semver_comparator items[MAX_COMPARATORS];
    size_t n = 0;
    for (;;) {
        cursor start = c;
        position pos;
        if (comparator(&c, &items[n], &pos, err, err_size) != 0) {
            /* A lone wildcard among other comparators gets its own message. */
            char ch = wildcard(&start);
            skip_spaces(&start);
            if (ch && (start.len == 0 || peek(&start, ',')))
                return fail_wildcard_not_alone(err, err_size, ch);
            return -1;
        }
        n++;
        if (c.len == 0)
            break;
        if (!eat(&c, ','))
            return fail_expected_comma(err, err_size, &c, pos);
        skip_spaces(&c);
        if (n == MAX_COMPARATORS)
            return fail(err, err_size, "excessive number of version comparators");
    }
    out->items = arena_alloc(a, n * sizeof *out->items);
    if (!out->items)
        return fail(err, err_size, "out of memory");
    for (size_t i = 0; i < n; i++) {
        out->items[i] = items[i];
        if (items[i].pre) {
            out->items[i].pre = arena_strndup(a, items[i].pre, items[i].pre_len);
            if (!out->items[i].pre)
                return fail(err, err_size, "out of memory");
        }
    }
    out->n = n;
    return 0;
}

int semver_req_equal(const semver_req *a, const semver_req *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const semver_comparator *x = &a->items[i], *y = &b->items[i];
        if (x->op != y->op || x->major != y->major || x->has_minor != y->has_minor ||
            x->minor != y->minor || x->has_patch != y->has_patch || x->patch != y->patch ||
            x->pre_len != y->pre_len || (x->pre_len > 0 && memcmp(x->pre, y->pre, x->pre_len) != 0))
            return 0;
    }
    return 1;
}

/* Matching, op by op, as the semver crate evaluates comparators. */

/* The version's pre-release against the comparator's, as a -1/0/1 order. */
static int pre_order(const semver_comparator *cmp, const semver_version *v)
{
    return compare_pre(v->pre, v->pre_len, cmp->pre, cmp->pre_len);
}

static int matches_exact(const semver_comparator *cmp, const semver_version *v)
{
    if (v->major != cmp->major || (cmp->has_minor && v->minor != cmp->minor) ||
        (cmp->has_patch && v->patch != cmp->patch))
        return 0;
    return v->pre_len == cmp->pre_len && (v->pre_len == 0 || memcmp(v->pre, cmp->pre, v->pre_len) == 0);
}

/* sign 1: is v above the comparator's version; sign -1: below. Absent parts are not
 * "above" or "below": >1.2 means >=1.3.0 and <1.2 means <1.2.0. */
static int matches_beyond(const semver_comparator *cmp, const semver_version *v, int sign)
{
    if (v->major != cmp->major)
        return compare_u64(v->major, cmp->major) == sign;
    if (!cmp->has_minor)
        return 0;
    if (v->minor != cmp->minor)
        return compare_u64(v->minor, cmp->minor) == sign;
    if (!cmp->has_patch)
        return 0;
    if (v->patch != cmp->patch)
        return compare_u64(v->patch, cmp->patch) == sign;
    return pre_order(cmp, v) == sign;
}

static int matches_tilde(const semver_comparator *cmp, const semver_version *v)
{
    if (v->major != cmp->major || (cmp->has_minor && v->minor != cmp->minor))
        return 0;
    if (cmp->has_patch && v->patch != cmp->patch)
        return v->patch > cmp->patch;
    return pre_order(cmp, v) >= 0;
}

static int matches_caret(const semver_comparator *cmp, const semver_version *v)
{
    if (v->major != cmp->major)
        return 0;
    if (!cmp->has_minor)
        return 1;
    if (!cmp->has_patch)
        return cmp->major > 0 ? v->minor >= cmp->minor : v->minor == cmp->minor;
    if (cmp->major > 0) {
        if (v->minor != cmp->minor)
            return v->minor > cmp->minor;
        if (v->patch != cmp->patch)
            return v->patch > cmp->patch;
    } else if (cmp->minor > 0) {
        if (v->minor != cmp->minor)
            return 0;
        if (v->patch != cmp->patch)
            return v->patch > cmp->patch;
    } else if (v->minor != cmp->minor || v->patch != cmp->patch) {
        return 0;
    }
    return pre_order(cmp, v) >= 0;
}

static int comparator_matches(const semver_comparator *cmp, const semver_version *v)
{
    switch (cmp->op) {
    case SEMVER_EXACT:
    case SEMVER_WILDCARD:
        return matches_exact(cmp, v);
    case SEMVER_GREATER:
        return matches_beyond(cmp, v, 1);
    case SEMVER_GREATER_EQ:
        return matches_exact(cmp, v) || matches_beyond(cmp, v, 1);
    case SEMVER_LESS:
        return matches_beyond(cmp, v, -1);
    case SEMVER_LESS_EQ:
        return matches_exact(cmp, v) || matches_beyond(cmp, v, -1);
    case SEMVER_TILDE:
        return matches_tilde(cmp, v);
    case SEMVER_CARET:
        return matches_caret(cmp, v);
    }
    return 0;
}

int semver_req_matches(const semver_req *r, const semver_version *v)
{
    for (size_t i = 0; i < r->n; i++)
        if (!comparator_matches(&r->items[i], v))
            return 0;
    if (v->pre_len == 0)
        return 1;
    /* A pre-release needs a comparator that names its major.minor.patch with a pre-release. */
    for (size_t i = 0; i < r->n; i++) {
        const semver_comparator *cmp = &r->items[i];
        if (cmp->major == v->major && cmp->has_minor && cmp->minor == v->minor && cmp->has_patch &&
            cmp->patch == v->patch && cmp->pre_len > 0)
            return 1;
    }
    return 0;
}

/* Ranges (semver_req_range): what each op allows of a release version, read off the matches_*
 * functions above. With s the comparator's version with absent parts 0 and e the first version
 * past its written prefix (M.m.p+1, M.m+1.0 or M+1.0.0):
 *   =, wildcard  [s, e), none when it names a pre-release (a release's is empty)
 *   >            [e, inf); [s, inf) when it names a pre-release (M.m.p is above M.m.p-pre)
 *   >=           [s, inf); [e, inf) for a pre-release without a patch (no parser makes one)
 *   <            [0, s)
 *   <=           [0, e); [0, s) when it names a pre-release
 *   ~            [s, M.m+1.0) with a minor, else [s, M+1.0.0)
 *   ^            [s, M+1.0.0) for M > 0 or no minor; [s, 0.m+1.0) for 0.m with m > 0 or no
 *                patch; [s, 0.0.p+1) for 0.0.p */

/* t past every version that starts with t[0..k] (k 1..3 parts): the next at part k-1, carried
 * upwards on overflow. 0 when none is (the range has no end). */
static int bump(uint64_t t[3], int k)
{
    for (int j = k; j < 3; j++)
        t[j] = 0;
    for (int j = k - 1; j >= 0; j--)
        if (++t[j] != 0)   /* else it wrapped to 0: carry */
            return 1;
    return 0;
}

static int triple_cmp(const uint64_t a[3], const uint64_t b[3])
{
    for (int k = 0; k < 3; k++)
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    return 0;
}

/* t packed (SEMVER_PART_BITS a part) into *key; 0 when a part does not fit. */
static int pack(const uint64_t t[3], uint64_t *key)
{
    if ((t[0] | t[1] | t[2]) >> SEMVER_PART_BITS)
        return 0;
    *key = t[0] << (2 * SEMVER_PART_BITS) | t[1] << SEMVER_PART_BITS | t[2];
    return 1;
}

void semver_req_range(const semver_req *r, semver_range *out)
{
    uint64_t all_lo[3] = { 0, 0, 0 }, all_hi[3] = { 0, 0, 0 };
    int all_inf = 1;
    for (size_t i = 0; i < r->n; i++) {
        const semver_comparator *c = &r->items[i];
        int parts = c->has_patch ? 3 : c->has_minor ? 2 : 1, pre = c->pre_len > 0;
        uint64_t s[3] = { c->major, c->has_minor ? c->minor : 0, c->has_patch ? c->patch : 0 };
        uint64_t lo[3] = { 0, 0, 0 }, hi[3];
        memcpy(hi, s, sizeof hi);
        int hi_inf = 0;   /* hi starts as s: then moved to e, or to the op's own end */
        switch (c->op) {
        case SEMVER_EXACT:
        case SEMVER_WILDCARD:
            memcpy(lo, s, sizeof lo);
            hi_inf = pre ? 0 : !bump(hi, parts);
            if (pre)
                memset(lo, 0, sizeof lo), memset(hi, 0, sizeof hi);   /* empty: [0, 0) */
            break;
        case SEMVER_GREATER:
            memcpy(lo, s, sizeof lo);
            if (!(pre && c->has_patch) && !bump(lo, parts))
                memset(lo, 0, sizeof lo), memset(hi, 0, sizeof hi);   /* nothing past M.m.p */
            else
                hi_inf = 1;
            break;
        case SEMVER_GREATER_EQ:   /* = or >: [s, e) and [e, inf) */
            memcpy(lo, s, sizeof lo);
            hi_inf = 1;
            if (pre && !c->has_patch && !bump(lo, parts))   /* = allows none, > from e: none past M.m */
                memset(lo, 0, sizeof lo), memset(hi, 0, sizeof hi), hi_inf = 0;
            break;
        case SEMVER_LESS:
            break;
        case SEMVER_LESS_EQ:
            hi_inf = !pre && !bump(hi, parts);
            break;
        case SEMVER_TILDE:
            memcpy(lo, s, sizeof lo);
            hi_inf = !bump(hi, c->has_minor ? 2 : 1);
            break;
        case SEMVER_CARET:
            memcpy(lo, s, sizeof lo);
            hi_inf = !bump(hi, c->major > 0 || !c->has_minor ? 1 : c->minor > 0 || !c->has_patch ? 2 : 3);
            break;
        }
        if (triple_cmp(lo, all_lo) > 0)
            memcpy(all_lo, lo, sizeof lo);
        if (!hi_inf && (all_inf || triple_cmp(hi, all_hi) < 0)) {
            memcpy(all_hi, hi, sizeof hi);
            all_inf = 0;
        }
    }
    out->req = r;
    out->hi = UINT64_MAX;
    out->packed = pack(all_lo, &out->lo) && (all_inf || pack(all_hi, &out->hi));
}

/* Formatting into a caller's buffer, snprintf-style: always NUL-terminated when size > 0,
 * returns the length the whole text needs. */

typedef struct writer {
    char *buf;
    size_t size, len;
} writer;

static void put(writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = w->len < w->size ? w->size - w->len : 0;
    int n = vsnprintf(room ? w->buf + w->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        w->len += (size_t)n;
}

/* Appends n bytes of s (identifiers can be longer than printf's int precision). */
static void put_bytes(writer *w, const char *s, size_t n)
{
    if (w->len < w->size) {
        size_t room = w->size - w->len - 1;
        size_t k = n < room ? n : room;
        memcpy(w->buf + w->len, s, k);
        w->buf[w->len + k] = '\0';
    }
    w->len += n;
}

static void put_comparator(writer *w, const semver_comparator *cmp)
{
    static const char *const ops[] = { "=", ">", ">=", "<", "<=", "~", "^", "" };
    put(w, "%s%" PRIu64, ops[cmp->op], cmp->major);
    if (cmp->has_minor) {
        put(w, ".%" PRIu64, cmp->minor);
        if (cmp->has_patch) {
            put(w, ".%" PRIu64, cmp->patch);
            if (cmp->pre_len > 0) {
                put(w, "-");
                put_bytes(w, cmp->pre, cmp->pre_len);
            }
        } else if (cmp->op == SEMVER_WILDCARD) {
            put(w, ".*");
        }
    } else if (cmp->op == SEMVER_WILDCARD) {
        put(w, ".*");
    }
}

static size_t finish(writer *w)
{
    if (w->size > 0 && w->len == 0)
        w->buf[0] = '\0';
    return w->len;
}

size_t semver_req_format(const semver_req *r, char *buf, size_t size)
{
    writer w = { buf, size, 0 };
    if (r->n == 0)
        put(&w, "*");
    for (size_t i = 0; i < r->n; i++) {
        if (i > 0)
            put(&w, ", ");
        put_comparator(&w, &r->items[i]);
    }
    return finish(&w);
}

size_t semver_comparator_format(const semver_comparator *cmp, char *buf, size_t size)
{
    writer w = { buf, size, 0 };
    put_comparator(&w, cmp);
    return finish(&w);
}

size_t semver_format(const semver_version *v, char *buf, size_t size)
{
    writer w = { buf, size, 0 };
    put(&w, "%" PRIu64 ".%" PRIu64 ".%" PRIu64, v->major, v->minor, v->patch);
    if (v->pre_len > 0) {
        put(&w, "-");
        put_bytes(&w, v->pre, v->pre_len);
    }
    if (v->build_len > 0) {
        put(&w, "+");
        put_bytes(&w, v->build, v->build_len);
    }
    return finish(&w);
}

size_t semver_slot(const semver_version *v, char *buf, size_t size)
{
    writer w = { buf, size, 0 };
    if (v->major > 0)
        put(&w, "%" PRIu64, v->major);
    else if (v->minor > 0)
        put(&w, "0.%" PRIu64, v->minor);
    else
        put(&w, "0.0.%" PRIu64, v->patch);
    return finish(&w);
}

int semver_same_slot(const semver_version *a, const semver_version *b)
{
    if (a->major != b->major)
        return 0;
    if (a->major > 0)
        return 1;
    if (a->minor != b->minor)
        return 0;
    return a->minor > 0 || a->patch == b->patch;
}
