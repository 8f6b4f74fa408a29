/* npm_semver.c: node-semver's SemVer, Comparator and Range; a range is desugared by replaying Range's own text rewrites. */
#include "npm_semver.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* node-semver parses with regular expressions; every matcher below reproduces one of them,
 * including their bounds (node-semver's "safe" regexes cap \d+ at 256 digits, identifier runs
 * at 250 characters and \s* at one character) and, where the match is not anchored at both
 * ends, the first match a backtracking engine finds. */

#define MAX_LENGTH 256                      /* SemVer's MAX_LENGTH */
#define MAX_SAFE 9007199254740991ULL        /* Number.MAX_SAFE_INTEGER */
#define DIGITS_MAX 256                      /* \d{1,256} */
#define RUN_MAX 250                         /* [a-zA-Z0-9-]{0,250} */

/* ---- growable text ---------------------------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;   /* an allocation failed; the text is incomplete */
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
static void sb_putc(sbuf *b, char c) { sb_put(b, &c, 1); }
static void sb_clear(sbuf *b) { b->len = 0; }
static void sb_free(sbuf *b) { free(b->s); b->s = NULL; b->len = b->cap = 0; }

/* ---- characters ------------------------------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha_dash(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'; }
static int is_ident(char c) { return is_digit(c) || is_alpha_dash(c); }
static int is_xchar(char c) { return c == 'x' || c == 'X' || c == '*'; }
/* [v=\s] once JavaScript whitespace has been reduced to single spaces. */
static int is_prefix(char c) { return c == 'v' || c == '=' || c == ' '; }

/* Length of the JavaScript whitespace character (\s, String.prototype.trim) starting s[0..n) in
 * UTF-8, or 0. */
static size_t js_space(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] == ' ' || (s[0] >= 0x09 && s[0] <= 0x0d))
        return 1;
    if (s[0] == 0xc2 && n >= 2 && s[1] == 0xa0)                      /* U+00A0 */
        return 2;
    if (n < 3)
        return 0;
    if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)                /* U+1680 */
        return 3;
    if (s[0] == 0xe2 && s[1] == 0x80 &&                              /* U+2000-200A, 2028, 2029, 202F */
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3;
    if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)                /* U+205F */
        return 3;
    if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)                /* U+3000 */
        return 3;
    if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)                /* U+FEFF */
        return 3;
    return 0;
}

/* String.prototype.trim on s[*start..*end). */
static void js_trim(const char *s, size_t *start, size_t *end)
{
    size_t i = *start, last = *start, k;
    while (i < *end && (k = js_space(s + i, *end - i)) > 0)
        i += k;
    *start = last = i;
    while (i < *end) {
        k = js_space(s + i, *end - i);
        if (k) {
            i += k;
        } else {
            i++;
            last = i;
        }
    }
    *end = last;
}

/* The string's .length in UTF-16 code units (each invalid byte counts as one). */
static size_t utf16_length(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80 || s[i] >= 0xc0)
            units++;
        if (s[i] >= 0xf0 && s[i] <= 0xf4)
            units++;   /* a supplementary character is a surrogate pair */
    }
    return units;
}

/* Leading digits of s[0..n), counting at most cap of them. */
static size_t digit_run(const char *s, size_t n, size_t cap)
{
    size_t d = 0;
    while (d < n && d < cap && is_digit(s[d]))
        d++;
    return d;
}

/* ---- anchored matchers: a whole piece of text against one of node-semver's patterns ------ */

/* One prerelease identifier, all of s[0..n): \d{0,256}[a-zA-Z-][a-zA-Z0-9-]{0,250}, or a number
 * (loose \d{1,256}; strict 0|[1-9]\d{0,256}). */
static int pre_ident_ok(const char *s, size_t n, int loose)
{
    if (n == 0)
        return 0;
    size_t d = digit_run(s, n, n);
    for (size_t i = d; i < n; i++)
        if (!is_ident(s[i]))
            return 0;
    if (d == n)
        return loose ? n <= DIGITS_MAX : (n == 1 || (s[0] != '0' && n <= DIGITS_MAX + 1));
    return d <= DIGITS_MAX && n - d - 1 <= RUN_MAX;
}

/* One build identifier: [a-zA-Z0-9-]{1,250}. */
static int build_ident_ok(const char *s, size_t n)
{
    if (n == 0 || n > RUN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_ident(s[i]))
            return 0;
    return 1;
}

/* Dot-separated identifiers, all of s[0..n). */
static int dotted_ok(const char *s, size_t n, int loose, int build)
{
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n && s[j] != '.')
            j++;
        if (build ? !build_ident_ok(s + i, j - i) : !pre_ident_ok(s + i, j - i, loose))
            return 0;
        if (j == n)
            return 1;
        i = j + 1;
    }
}

/* What a version or x-range pattern captured: M, m, p and the prerelease (NULL when absent). */
typedef struct caps {
    const char *M, *m, *p, *pr;
    size_t Mn, mn, pn, prn;
} caps;

/* The qualifier after the patch, all of s[0..n): strict (-PRE)?(+BUILD)?, loose (-?PRE)?(+BUILD)?
 * (the dash is tried first, then kept as part of the first identifier). */
static int qualifier_match(const char *s, size_t n, int loose, caps *c)
{
    size_t plus = 0;
    while (plus < n && s[plus] != '+')
        plus++;
    if (plus < n && !dotted_ok(s + plus + 1, n - plus - 1, loose, 1))
        return 0;
    c->pr = NULL;
    c->prn = 0;
    if (plus == 0)
        return 1;
    if (s[0] == '-' && dotted_ok(s + 1, plus - 1, loose, 0)) {
        c->pr = s + 1;
        c->prn = plus - 1;
        return 1;
    }
    if (loose && dotted_ok(s, plus, loose, 0)) {
        c->pr = s;
        c->prn = plus;
        return 1;
    }
    return 0;
}

/* Length of a major or minor number (or x, X, * when xr) at the start of s[0..n), which the
 * caller requires to be followed by '.' or the end; 0 if none can be. */
static size_t part_span(const char *s, size_t n, int loose, int xr)
{
    if (n == 0)
        return 0;
    if (xr && is_xchar(s[0]))
        return 1;
    size_t d = digit_run(s, n, DIGITS_MAX + 2);
    if (d == 0)
        return 0;
    if (loose)
        return d <= DIGITS_MAX ? d : 0;
    if (s[0] == '0')
        return 1;
    return d <= DIGITS_MAX + 1 ? d : 0;
}

/* All of s[0..n) as M.m.p qualifier (a version body) or, when xr, as an x-range body
 * M(.m(.p qualifier)?)? whose parts may be x, X or *. The loose patch \d{1,256} gives digits
 * back to the prerelease when that is the only way to match ("1.2.34.5" is 1.2.3-4.5). */
static int body_match(const char *s, size_t n, int loose, int xr, caps *c)
{
    memset(c, 0, sizeof *c);
    size_t k = part_span(s, n, loose, xr);
    if (k == 0)
        return 0;
    c->M = s;
    c->Mn = k;
    if (k == n)
        return xr;
    if (s[k] != '.')
        return 0;
    s += k + 1;
    n -= k + 1;
    k = part_span(s, n, loose, xr);
    if (k == 0)
        return 0;
    c->m = s;
    c->mn = k;
    if (k == n)
        return xr;
    if (s[k] != '.')
        return 0;
    s += k + 1;
    n -= k + 1;
    if (n == 0)
        return 0;
    c->p = s;
    if (xr && is_xchar(s[0])) {
        c->pn = 1;
        return qualifier_match(s + 1, n - 1, loose, c);
    }
    size_t d = digit_run(s, n, DIGITS_MAX + 2);
    if (d == 0)
        return 0;
    if (!loose) {
        k = s[0] == '0' ? 1 : (d < DIGITS_MAX + 1 ? d : DIGITS_MAX + 1);
        c->pn = k;
        return qualifier_match(s + k, n - k, 0, c);
    }
    for (k = d < DIGITS_MAX ? d : DIGITS_MAX; k >= 1; k--) {
        if (qualifier_match(s + k, n - k, 1, c)) {
            c->pn = k;
            return 1;
        }
    }
    return 0;
}

/* ---- first-match extents, for the one unanchored pattern (COMPARATORTRIM) --------------- */

/* One prerelease identifier as the regex engine first matches it at s[0..n) (the non-numeric
 * alternative first), or 0. */
static size_t pre_ident_first(const char *s, size_t n, int loose)
{
    size_t d = digit_run(s, n, DIGITS_MAX + 1);
    if (d <= DIGITS_MAX && d < n && is_alpha_dash(s[d])) {
        size_t r = 0;
        while (d + 1 + r < n && r < RUN_MAX && is_ident(s[d + 1 + r]))
            r++;
        return d + 1 + r;
    }
    if (d == 0)
        return 0;
    if (loose)
        return d < DIGITS_MAX ? d : DIGITS_MAX;
    if (s[0] == '0')
        return 1;
    return d;   /* at most 257 */
}

static size_t build_ident_first(const char *s, size_t n)
{
    size_t r = 0;
    while (r < n && r < RUN_MAX && is_ident(s[r]))
        r++;
    return r;
}

/* ID(\.ID)* greedily. */
static size_t dotted_first(const char *s, size_t n, int loose, int build)
{
    size_t e = build ? build_ident_first(s, n) : pre_ident_first(s, n, loose);
    if (e == 0)
        return 0;
    while (e < n && s[e] == '.') {
        size_t k = build ? build_ident_first(s + e + 1, n - e - 1)
                         : pre_ident_first(s + e + 1, n - e - 1, loose);
        if (k == 0)
            break;
        e += 1 + k;
    }
    return e;
}

/* Optional (-?PRE)? then (\+BUILD)? after position i. */
static size_t qualifier_first(const char *s, size_t n, size_t i, int loose)
{
    size_t k;
    if (i < n && s[i] == '-' && (k = dotted_first(s + i + 1, n - i - 1, loose, 0)) > 0)
        i += 1 + k;
    else if (loose && (k = dotted_first(s + i, n - i, 1, 0)) > 0)
        i += k;
    if (i < n && s[i] == '+' && (k = dotted_first(s + i + 1, n - i - 1, loose, 1)) > 0)
        i += 1 + k;
    return i;
}

/* LOOSEPLAIN without its prefix: \d{1,256}\.\d{1,256}\.\d{1,256} then the loose qualifier. */
static size_t looseplain_first(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 2; part++) {
        size_t d = digit_run(s + i, n - i, DIGITS_MAX + 1);
        if (d == 0 || d > DIGITS_MAX || i + d >= n || s[i + d] != '.')
            return 0;
        i += d + 1;
    }
    size_t d = digit_run(s + i, n - i, DIGITS_MAX);
    if (d == 0)
        return 0;
    return qualifier_first(s, n, i + d, 1);
}

/* One strict x-range identifier: 0|[1-9]\d{0,256}|x|X|\*. */
static size_t xid_first(const char *s, size_t n)
{
    if (n == 0 || !(is_digit(s[0]) || is_xchar(s[0])))
        return 0;
    if (s[0] == '0' || is_xchar(s[0]))
        return 1;
    return digit_run(s, n, DIGITS_MAX + 1);
}

/* XRANGEPLAIN without its prefix: XID(\.XID(\.XID PRE? BUILD?)?)?. */
static size_t xrangeplain_first(const char *s, size_t n)
{
    size_t i = xid_first(s, n), k;
    if (i == 0)
        return 0;
    if (i < n && s[i] == '.' && (k = xid_first(s + i + 1, n - i - 1)) > 0) {
        size_t j = i + 1 + k;
        if (j < n && s[j] == '.' && (k = xid_first(s + j + 1, n - j - 1)) > 0)
            j = qualifier_first(s, n, j + 1 + k, 0);
        i = j;
    }
    return i;
}

/* (LOOSEPLAIN|XRANGEPLAIN) at s[j..n): the length of the first match, or 0. run_end[j] is where
 * the run of [v=\s] starting at j ends. */
static size_t plain_first(const char *s, size_t n, size_t j, const size_t *run_end)
{
    size_t k = run_end[j];
    size_t e = looseplain_first(s + k, n - k);
    if (e == 0)
        e = xrangeplain_first(s + k, n - k);
    return e ? k - j + e : 0;
}

/* ---- Range's text rewrites --------------------------------------------------------------- */

/* The strings' optional captures. */
static int is_x(const char *id, size_t n) { return id == NULL || (n == 1 && is_xchar(id[0])); }
static int is_str(const char *id, size_t n, const char *lit) { return id && n == strlen(lit) && memcmp(id, lit, n) == 0; }

/* JavaScript's `${+digits + 1}`: exact up to MAX_SAFE; above it some integer too big for a
 * version (which is all that matters), and from 1e21 on JavaScript's exponent form (which a
 * loose pattern can still read, "1.2.1e+25" being 1.2.1-e+25). */
static void put_inc(sbuf *b, const char *d, size_t n)
{
    while (n > 1 && d[0] == '0') {
        d++;
        n--;
    }
    char tmp[DIGITS_MAX + 8];
    if (n <= 16) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (uint64_t)(d[i] - '0');
        if (v + 1 <= MAX_SAFE + 1) {
            snprintf(tmp, sizeof tmp, "%" PRIu64, v + 1);
            sb_puts(b, tmp);
            return;
        }
    }
    if (n > DIGITS_MAX + 1)
        n = DIGITS_MAX + 1;
    memcpy(tmp, d, n);
    tmp[n] = '\0';
    double x = strtod(tmp, NULL) + 1.0;
    if (x < 1e21) {
        snprintf(tmp, sizeof tmp, "%.0f", x);
    } else {
        /* Number.prototype.toString: the shortest digits that read back, as "1.5e+25" */
        for (int prec = 0; prec < 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*e", prec, x);
            if (strtod(tmp, NULL) == x)
                break;
        }
    }
    sb_puts(b, tmp);
}

/* Global replace of \+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)* by "": build metadata is dropped first. */
static void strip_builds(const char *s, size_t n, sbuf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t k = 0;
        if (s[i] == '+') {
            while (i + 1 + k < n && is_ident(s[i + 1 + k]))
                k++;
        }
        if (k == 0) {
            sb_putc(out, s[i++]);
            continue;
        }
        i += 1 + k;
        while (i < n && s[i] == '.' && i + 1 < n && is_ident(s[i + 1])) {
            i++;
            while (i < n && is_ident(s[i]))
                i++;
        }
    }
}

/* HYPHENRANGE: ^\s?(PLAIN)\s-\s(PLAIN)\s?$ with x-range bodies; 1 when replaced into out. */
static int hyphen_replace(const char *s, size_t n, npm_options o, sbuf *out)
{
    size_t i = 0;
    if (i < n && s[i] == ' ')
        i++;
    size_t from = i;
    while (i < n && is_prefix(s[i]))
        i++;
    size_t fb = i;
    while (i < n && s[i] != ' ')
        i++;
    size_t fe = i;
    caps f, t;
    if (fe == fb || !body_match(s + fb, fe - fb, o.loose, 1, &f))
        return 0;
    if (!(i + 3 <= n && s[i] == ' ' && s[i + 1] == '-' && s[i + 2] == ' '))
        return 0;
    i += 3;
    size_t to = i;
    while (i < n && is_prefix(s[i]))
        i++;
    size_t tb = i;
    while (i < n && s[i] != ' ')
        i++;
    size_t te = i;
    if (te == tb || !(te == n || (te + 1 == n && s[te] == ' ')))
        return 0;
    if (!body_match(s + tb, te - tb, o.loose, 1, &t))
        return 0;

    const char *z = o.include_prerelease ? "-0" : "";
    sbuf r = {0};
    if (is_x(f.M, f.Mn)) {
        /* nothing */
    } else if (is_x(f.m, f.mn)) {
        sb_puts(&r, ">=");
        sb_put(&r, f.M, f.Mn);
        sb_puts(&r, ".0.0");
        sb_puts(&r, z);
    } else if (is_x(f.p, f.pn)) {
        sb_puts(&r, ">=");
        sb_put(&r, f.M, f.Mn);
        sb_putc(&r, '.');
        sb_put(&r, f.m, f.mn);
        sb_puts(&r, ".0");
        sb_puts(&r, z);
    } else {
        sb_puts(&r, ">=");
        sb_put(&r, s + from, fe - from);
        if (!f.pr)
            sb_puts(&r, z);
    }
    sb_putc(&r, ' ');
    if (is_x(t.M, t.Mn)) {
        /* nothing */
    } else if (is_x(t.m, t.mn)) {
        sb_putc(&r, '<');
        put_inc(&r, t.M, t.Mn);
        sb_puts(&r, ".0.0-0");
    } else if (is_x(t.p, t.pn)) {
        sb_putc(&r, '<');
        sb_put(&r, t.M, t.Mn);
        sb_putc(&r, '.');
        put_inc(&r, t.m, t.mn);
        sb_puts(&r, ".0-0");
    } else if (t.pr) {
        sb_puts(&r, "<=");
        sb_put(&r, t.M, t.Mn);
        sb_putc(&r, '.');
        sb_put(&r, t.m, t.mn);
        sb_putc(&r, '.');
        sb_put(&r, t.p, t.pn);
        sb_putc(&r, '-');
        sb_put(&r, t.pr, t.prn);
    } else if (o.include_prerelease) {
        sb_putc(&r, '<');
        sb_put(&r, t.M, t.Mn);
        sb_putc(&r, '.');
        sb_put(&r, t.m, t.mn);
        sb_putc(&r, '.');
        put_inc(&r, t.p, t.pn);
        sb_puts(&r, "-0");
    } else {
        sb_puts(&r, "<=");
        sb_put(&r, s + to, te - to);
    }
    /* .trim(): only single spaces can lead or trail here */
    size_t a = 0, e = r.len;
    while (a < e && r.s[a] == ' ')
        a++;
    while (e > a && r.s[e - 1] == ' ')
        e--;
    if (r.failed)
        out->failed = 1;
    else
        sb_put(out, r.s + a, e - a);
    sb_free(&r);
    return 1;
}

/* COMPARATORTRIM: global (\s?)((?:<|>)?=?)\s?(LOOSEPLAIN|XRANGEPLAIN) -> $1$2$3, which drops
 * the space between an operator and its version. */
static void comparator_trim(const char *s, size_t n, sbuf *out)
{
    size_t *run_end = malloc((n + 1) * sizeof *run_end);
    if (!run_end) {
        out->failed = 1;
        return;
    }
    run_end[n] = n;
    for (size_t j = n; j-- > 0;)
        run_end[j] = is_prefix(s[j]) ? run_end[j + 1] : j;
    size_t i = 0;
    while (i < n) {
        size_t end = 0, drop = SIZE_MAX;
        int found = 0;
        for (int s1 = s[i] == ' '; s1 >= 0 && !found; s1--) {
            size_t a = i + (size_t)s1;
            for (int lt = a < n && (s[a] == '<' || s[a] == '>'); lt >= 0 && !found; lt--) {
                size_t b = a + (size_t)lt;
                for (int eq = b < n && s[b] == '='; eq >= 0 && !found; eq--) {
                    size_t c = b + (size_t)eq;
                    for (int s2 = c < n && s[c] == ' '; s2 >= 0 && !found; s2--) {
                        size_t j = c + (size_t)s2;
                        size_t k = j < n ? plain_first(s, n, j, run_end) : 0;
                        if (k) {
                            found = 1;
                            end = j + k;
                            drop = s2 ? c : SIZE_MAX;
                        }
                    }
                }
            }
        }
        if (!found) {
            sb_putc(out, s[i++]);
            continue;
        }
        for (; i < end; i++)
            if (i != drop)
                sb_putc(out, s[i]);
    }
    free(run_end);
}

/* TILDETRIM (\s?)~>?\s -> $1~ and CARETTRIM (\s?)\^\s -> $1^, global. */
static void lone_trim(const char *s, size_t n, char op, sbuf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t end = 0;
        int found = 0, space = 0;
        for (int s1 = s[i] == ' '; s1 >= 0 && !found; s1--) {
            size_t a = i + (size_t)s1;
            if (a >= n || s[a] != op)
                continue;
            for (int gt = op == '~' && a + 1 < n && s[a + 1] == '>'; gt >= 0 && !found; gt--) {
                size_t b = a + 1 + (size_t)gt;
                if (b < n && s[b] == ' ') {
                    found = 1;
                    end = b + 1;
                    space = s1;
                }
            }
        }
        if (!found) {
            sb_putc(out, s[i++]);
            continue;
        }
        if (space)
            sb_putc(out, ' ');
        sb_putc(out, op);
        i = end;
    }
}

static void put_parts(sbuf *r, const char *a, size_t an, const char *b, size_t bn, const char *c, size_t cn)
{
    sb_put(r, a, an);
    sb_putc(r, '.');
    sb_put(r, b, bn);
    sb_putc(r, '.');
    sb_put(r, c, cn);
}

/* Length of the [v=\s]* prefix at s[0..n). */
static size_t prefix_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_prefix(s[i]))
        i++;
    return i;
}

/* replaceCaret on one piece (no spaces). */
static void replace_caret(const char *s, size_t n, npm_options o, sbuf *out)
{
    caps c;
    size_t k = n > 0 && s[0] == '^' ? 1 + prefix_len(s + 1, n - 1) : 0;
    if (k == 0 || !body_match(s + k, n - k, o.loose, 1, &c)) {
        sb_put(out, s, n);
        return;
    }
    const char *z = o.include_prerelease ? "-0" : "";
    int M0 = is_str(c.M, c.Mn, "0"), m0 = is_str(c.m, c.mn, "0");
    if (is_x(c.M, c.Mn))
        return;
    sb_puts(out, ">=");
    if (is_x(c.m, c.mn)) {
        put_parts(out, c.M, c.Mn, "0", 1, "0", 1);
        sb_puts(out, z);
        sb_puts(out, " <");
        put_inc(out, c.M, c.Mn);
        sb_puts(out, ".0.0-0");
        return;
    }
    if (is_x(c.p, c.pn)) {
        put_parts(out, c.M, c.Mn, c.m, c.mn, "0", 1);
        sb_puts(out, z);
        sb_puts(out, " <");
        if (M0) {
            sb_put(out, c.M, c.Mn);
            sb_putc(out, '.');
            put_inc(out, c.m, c.mn);
            sb_puts(out, ".0-0");
        } else {
            put_inc(out, c.M, c.Mn);
            sb_puts(out, ".0.0-0");
        }
        return;
    }
    put_parts(out, c.M, c.Mn, c.m, c.mn, c.p, c.pn);
    if (c.pr) {
        sb_putc(out, '-');
        sb_put(out, c.pr, c.prn);
    }
    sb_puts(out, " <");
    if (M0 && m0) {
        sb_put(out, c.M, c.Mn);
        sb_putc(out, '.');
        sb_put(out, c.m, c.mn);
        sb_putc(out, '.');
        put_inc(out, c.p, c.pn);
        sb_puts(out, "-0");
    } else if (M0) {
        sb_put(out, c.M, c.Mn);
        sb_putc(out, '.');
        put_inc(out, c.m, c.mn);
        sb_puts(out, ".0-0");
    } else {
        put_inc(out, c.M, c.Mn);
        sb_puts(out, ".0.0-0");
    }
}

/* replaceTilde on one piece (no spaces). */
static void replace_tilde(const char *s, size_t n, npm_options o, sbuf *out)
{
    caps c;
    size_t k = 0;
    if (n > 0 && s[0] == '~') {
        k = 1;
        if (k < n && s[k] == '>')
            k++;
        k += prefix_len(s + k, n - k);
    }
    if (k == 0 || !body_match(s + k, n - k, o.loose, 1, &c)) {
        sb_put(out, s, n);
        return;
    }
    const char *z = o.include_prerelease ? "-0" : "";
    if (is_x(c.M, c.Mn))
        return;
    sb_puts(out, ">=");
    if (is_x(c.m, c.mn)) {
        put_parts(out, c.M, c.Mn, "0", 1, "0", 1);
        sb_puts(out, z);
        sb_puts(out, " <");
        put_inc(out, c.M, c.Mn);
        sb_puts(out, ".0.0-0");
        return;
    }
    if (is_x(c.p, c.pn)) {
        put_parts(out, c.M, c.Mn, c.m, c.mn, "0", 1);
        sb_puts(out, z);
    } else {
        put_parts(out, c.M, c.Mn, c.m, c.mn, c.p, c.pn);
        if (c.pr) {
            sb_putc(out, '-');
            sb_put(out, c.pr, c.prn);
        }
    }
    sb_puts(out, " <");
    sb_put(out, c.M, c.Mn);
    sb_putc(out, '.');
    put_inc(out, c.m, c.mn);
    sb_puts(out, ".0-0");
}

/* replaceXRange on one piece (no spaces). */
static void replace_xrange(const char *s, size_t n, npm_options o, sbuf *out)
{
    caps c;
    size_t g = 0;
    if (g < n && (s[g] == '<' || s[g] == '>'))
        g++;
    if (g < n && s[g] == '=')
        g++;
    size_t k = g + prefix_len(s + g, n - g);
    if (!body_match(s + k, n - k, o.loose, 1, &c)) {
        sb_put(out, s, n);
        return;
    }
    int xM = is_x(c.M, c.Mn), xm = xM || is_x(c.m, c.mn), xp = xm || is_x(c.p, c.pn);
    /* a number after an x ("1.x.5", "x.1") is left as it is, which no comparator accepts */
    if ((xM && c.m && !is_x(c.m, c.mn)) || (xm && c.p && !is_x(c.p, c.pn))) {
        sb_put(out, s, n);
        return;
    }
    char gtlt[3] = {0};
    memcpy(gtlt, s, g);
    if (strcmp(gtlt, "=") == 0 && xp)
        gtlt[0] = '\0';
    const char *pr = o.include_prerelease ? "-0" : "";
    if (xM) {
        sb_puts(out, strcmp(gtlt, ">") == 0 || strcmp(gtlt, "<") == 0 ? "<0.0.0-0" : "*");
    } else if (gtlt[0] && xp) {
        /* M and m as written, or their successor, or 0 */
        int incM = 0, incm = 0, zerom = xm;
        if (strcmp(gtlt, ">") == 0) {
            strcpy(gtlt, ">=");
            if (xm)
                incM = 1;
            else
                incm = 1;
        } else if (strcmp(gtlt, "<=") == 0) {
            strcpy(gtlt, "<");
            if (xm)
                incM = 1;
            else
                incm = 1;
        }
        if (strcmp(gtlt, "<") == 0)
            pr = "-0";
        sb_puts(out, gtlt);
        if (incM)
            put_inc(out, c.M, c.Mn);
        else
            sb_put(out, c.M, c.Mn);
        sb_putc(out, '.');
        if (zerom)
            sb_putc(out, '0');
        else if (incm)
            put_inc(out, c.m, c.mn);
        else
            sb_put(out, c.m, c.mn);
        sb_puts(out, ".0");
        sb_puts(out, pr);
    } else if (xm) {
        sb_puts(out, ">=");
        put_parts(out, c.M, c.Mn, "0", 1, "0", 1);
        sb_puts(out, pr);
        sb_puts(out, " <");
        put_inc(out, c.M, c.Mn);
        sb_puts(out, ".0.0-0");
    } else if (xp) {
        sb_puts(out, ">=");
        put_parts(out, c.M, c.Mn, c.m, c.mn, "0", 1);
        sb_puts(out, pr);
        sb_puts(out, " <");
        sb_put(out, c.M, c.Mn);
        sb_putc(out, '.');
        put_inc(out, c.m, c.mn);
        sb_puts(out, ".0-0");
    } else {
        sb_put(out, s, n);
    }
}

/* replaceStars: the first (<|>)?=?\s?\* is removed. */
static void replace_star(const char *s, size_t n, sbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        for (int lt = s[i] == '<' || s[i] == '>'; lt >= 0; lt--) {
            size_t b = i + (size_t)lt;
            for (int eq = b < n && s[b] == '='; eq >= 0; eq--) {
                size_t c = b + (size_t)eq;
                for (int sp = c < n && s[c] == ' '; sp >= 0; sp--) {
                    size_t j = c + (size_t)sp;
                    if (j < n && s[j] == '*') {
                        sb_put(out, s, i);
                        sb_put(out, s + j + 1, n - j - 1);
                        return;
                    }
                }
            }
        }
    }
    sb_put(out, s, n);
}

typedef void (*piece_fn)(const char *s, size_t n, npm_options o, sbuf *out);

/* comp.split(/\s+/).map(fn).join(' ') over text with single spaces only. */
static void map_pieces(const char *s, size_t n, piece_fn fn, npm_options o, sbuf *out)
{
    size_t i = 0, start = 0;
    for (;;) {
        while (i < n && s[i] != ' ')
            i++;
        fn(s + start, i - start, o, out);
        if (i == n)
            break;
        while (i < n && s[i] == ' ')
            i++;
        start = i;
        sb_putc(out, ' ');
    }
}

/* parseComparator on one space-free token: carets, tildes, x-ranges, then stars. */
static void desugar_token(const char *s, size_t n, npm_options o, sbuf *out, sbuf *t1, sbuf *t2)
{
    sb_clear(t1);
    replace_caret(s, n, o, t1);
    sb_clear(t2);
    map_pieces(t1->s ? t1->s : "", t1->len, replace_tilde, o, t2);
    sb_clear(t1);
    map_pieces(t2->s ? t2->s : "", t2->len, replace_xrange, o, t1);
    size_t a = 0, e = t1->len;
    while (a < e && t1->s[a] == ' ')
        a++;
    while (e > a && t1->s[e - 1] == ' ')
        e--;
    replace_star(t1->s ? t1->s + a : "", e - a, out);
    if (t1->failed || t2->failed)
        out->failed = 1;
}

/* ---- versions ----------------------------------------------------------------------------- */

/* A digit string's value, or -1 above MAX_SAFE. */
static int64_t safe_number(const char *d, size_t n)
{
    while (n > 1 && d[0] == '0') {
        d++;
        n--;
    }
    if (n > 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(d[i] - '0');
    return v > MAX_SAFE ? -1 : (int64_t)v;
}

/* The prerelease as SemVer keeps it: numeric identifiers below MAX_SAFE become numbers, so
 * "007" reads back as "7". */
static char *normalize_pre(arena *a, const char *s, size_t n)
{
    sbuf b = {0};
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n && s[j] != '.')
            j++;
        int64_t v = digit_run(s + i, j - i, j - i) == j - i ? safe_number(s + i, j - i) : -1;
        if (v >= 0 && (uint64_t)v < MAX_SAFE) {
            char tmp[24];
            snprintf(tmp, sizeof tmp, "%" PRId64, v);
            sb_puts(&b, tmp);
        } else {
            sb_put(&b, s + i, j - i);
        }
        if (j == n)
            break;
        sb_putc(&b, '.');
        i = j + 1;
    }
    char *r = b.failed ? NULL : arena_strndup(a, b.s ? b.s : "", b.len);
    sb_free(&b);
    return r;
}

/* new SemVer(s, {loose}) on s[0..n). */
static int parse_version(arena *a, const char *s, size_t n, int loose, npm_version *out)
{
    if (utf16_length(s, n) > MAX_LENGTH)
        return -1;
    size_t start = 0, end = n;
    js_trim(s, &start, &end);
    if (loose) {
        size_t k;
        while (start < end) {
            if (s[start] == 'v' || s[start] == '=')
                start++;
            else if ((k = js_space(s + start, end - start)) > 0)
                start += k;
            else
                break;
        }
    } else if (start < end && s[start] == 'v') {
        start++;
    }
    caps c;
    if (!body_match(s + start, end - start, loose, 0, &c))
        return -1;
    int64_t M = safe_number(c.M, c.Mn), m = safe_number(c.m, c.mn), p = safe_number(c.p, c.pn);
    if (M < 0 || m < 0 || p < 0)
        return -1;
    const char *plus = memchr(c.p, '+', (size_t)(s + end - c.p));
    out->major = (uint64_t)M;
    out->minor = (uint64_t)m;
    out->patch = (uint64_t)p;
    out->pre = NULL;
    out->build = NULL;
    if (c.pr && !(out->pre = normalize_pre(a, c.pr, c.prn)))
        return -1;
    if (plus && !(out->build = arena_strndup(a, plus + 1, (size_t)(s + end - plus - 1))))
        return -1;
    return 0;
}

int npm_version_parse_n(arena *a, const char *s, size_t len, npm_options opt, npm_version *out)
{
    return parse_version(a, s, len, opt.loose != 0, out);
}

int npm_version_parse(arena *a, const char *s, npm_options opt, npm_version *out)
{
    return npm_version_parse_n(a, s, strlen(s), opt, out);
}

/* Next dot-separated identifier of *p (NULL at the end). */
static int next_ident(const char **p, const char **id, size_t *n)
{
    if (!*p)
        return 0;
    const char *dot = strchr(*p, '.');
    *id = *p;
    *n = dot ? (size_t)(dot - *p) : strlen(*p);
    *p = dot ? dot + 1 : NULL;
    return 1;
}

/* compareIdentifiers: numbers numerically (as JavaScript numbers: past 2^53 they may round to
 * equal), numbers before words, words in code-unit order. */
static int compare_idents(const char *a, size_t an, const char *b, size_t bn)
{
    int anum = an > 0 && digit_run(a, an, an) == an, bnum = bn > 0 && digit_run(b, bn, bn) == bn;
    if (anum && bnum) {
        while (an > 1 && a[0] == '0') {
            a++;
            an--;
        }
        while (bn > 1 && b[0] == '0') {
            b++;
            bn--;
        }
        if (an <= 15 && bn <= 15) {
            if (an != bn)
                return an < bn ? -1 : 1;
            int c = memcmp(a, b, an);
            return c < 0 ? -1 : c > 0;
        }
        char ta[DIGITS_MAX + 2], tb[DIGITS_MAX + 2];
        size_t na = an < DIGITS_MAX + 1 ? an : DIGITS_MAX + 1, nb = bn < DIGITS_MAX + 1 ? bn : DIGITS_MAX + 1;
        memcpy(ta, a, na);
        ta[na] = '\0';
        memcpy(tb, b, nb);
        tb[nb] = '\0';
        double x = strtod(ta, NULL), y = strtod(tb, NULL);
        return x < y ? -1 : x > y;
    }
    if (anum != bnum)
        return anum ? -1 : 1;
    size_t n = an < bn ? an : bn;
    int c = memcmp(a, b, n);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* comparePre / compareBuild's loop: the first unequal identifier decides (even when
 * compareIdentifiers then calls them equal). */
static int compare_ident_lists(const char *x, const char *y)
{
    const char *id1, *id2;
    size_t n1, n2;
    for (;;) {
        int h1 = next_ident(&x, &id1, &n1), h2 = next_ident(&y, &id2, &n2);
        if (!h1 && !h2)
            return 0;
        if (!h2)
            return 1;
        if (!h1)
            return -1;
        if (n1 == n2 && memcmp(id1, id2, n1) == 0)
            continue;
        return compare_idents(id1, n1, id2, n2);
    }
}

int npm_version_compare(const npm_version *a, const npm_version *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch)
        return a->patch < b->patch ? -1 : 1;
    if (a->pre && !b->pre)
        return -1;
    if (!a->pre && b->pre)
        return 1;
    if (!a->pre)
        return 0;
    return compare_ident_lists(a->pre, b->pre);
}

int npm_version_compare_build(const npm_version *a, const npm_version *b)
{
    int c = npm_version_compare(a, b);
    if (c != 0)
        return c;
    if (!a->build && !b->build)
        return 0;
    if (!b->build)
        return 1;
    if (!a->build)
        return -1;
    return compare_ident_lists(a->build, b->build);
}

size_t npm_version_format(const npm_version *v, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%" PRIu64 ".%" PRIu64 ".%" PRIu64 "%s%s", v->major, v->minor,
                     v->patch, v->pre ? "-" : "", v->pre ? v->pre : "");
    return n < 0 ? 0 : (size_t)n;
}

/* ---- comparators -------------------------------------------------------------------------- */

/* COMPARATOR / COMPARATORLOOSE: ^((?:<|>)?=?)\s?(PLAIN)$|^$. On a match, *op_len is the
 * operator's length and *v the start of the version text. */
static int comparator_match(const char *s, size_t n, int loose, size_t *op_len, size_t *v)
{
    *op_len = *v = 0;
    if (n == 0)
        return 1;
    size_t i = 0;
    if (s[i] == '<' || s[i] == '>')
        i++;
    if (i < n && s[i] == '=')
        i++;
    *op_len = i;
    if (i < n && s[i] == ' ')
        i++;
    *v = i;
    size_t k = i;
    if (loose)
        k += prefix_len(s + k, n - k);
    else if (k < n && s[k] == 'v')
        k++;
    caps c;
    return body_match(s + k, n - k, loose, 0, &c);
}

/* new Comparator on text without other whitespace than single spaces. */
static int build_comparator(arena *a, const char *s, size_t n, int loose, npm_comparator *out)
{
    size_t op_len, v;
    if (!comparator_match(s, n, loose, &op_len, &v))
        return -1;
    memset(out, 0, sizeof *out);
    if (n == 0) {
        out->op = NPM_ANY;
        return 0;
    }
    if (op_len == 0 || (op_len == 1 && s[0] == '='))
        out->op = NPM_EQ;
    else if (s[0] == '<')
        out->op = op_len == 2 ? NPM_LTE : NPM_LT;
    else
        out->op = op_len == 2 ? NPM_GTE : NPM_GT;
    return parse_version(a, s + v, n - v, loose, &out->v);
}

int npm_comparator_parse(arena *a, const char *text, npm_options opt, npm_comparator *out)
{
    /* comp.trim().split(/\s+/).join(' ') */
    size_t n = strlen(text), start = 0, end = n;
    js_trim(text, &start, &end);
    sbuf b = {0};
    size_t i = start, k;
    while (i < end) {
        if ((k = js_space(text + i, end - i)) > 0) {
            while (i < end && (k = js_space(text + i, end - i)) > 0)
                i += k;
            sb_putc(&b, ' ');
        } else {
            sb_putc(&b, text[i++]);
        }
    }
    int rc = b.failed ? -1 : build_comparator(a, b.s ? b.s : "", b.len, opt.loose != 0, out);
    sb_free(&b);
    return rc;
}

static const char *op_text(npm_op op)
{
    switch (op) {
    case NPM_LT: return "<";
    case NPM_LTE: return "<=";
    case NPM_GT: return ">";
    case NPM_GTE: return ">=";
    default: return "";
    }
}

size_t npm_comparator_format(const npm_comparator *c, char *buf, size_t size)
{
    if (c->op == NPM_ANY) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    size_t k = strlen(op_text(c->op));
    if (size)
        snprintf(buf, size, "%s", op_text(c->op));
    return k + npm_version_format(&c->v, size > k ? buf + k : NULL, size > k ? size - k : 0);
}

static int is_null_set(const npm_comparator *c)   /* value "<0.0.0-0" */
{
    return c->op == NPM_LT && c->v.major == 0 && c->v.minor == 0 && c->v.patch == 0 && c->v.pre &&
           strcmp(c->v.pre, "0") == 0;
}

/* ---- ranges ------------------------------------------------------------------------------- */

typedef struct keyed {
    char *value;   /* Comparator.value */
    size_t index;
} keyed;

static int keyed_cmp(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int c = strcmp(a->value, b->value);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The comparator set of one ||-separated part (parseRange). *count is 0 when loose mode threw
 * every comparator out. */
static int parse_set(arena *a, const char *part, size_t n, npm_options o, npm_comparator **set, size_t *count)
{
    int rc = -1;
    sbuf s1 = {0}, s2 = {0}, t1 = {0}, t2 = {0}, joined = {0};
    npm_comparator *comps = NULL;
    keyed *keys = NULL;
    size_t nc = 0;

    strip_builds(part, n, &s1);
    const char *cur = s1.s ? s1.s : "";
    if (hyphen_replace(cur, s1.len, o, &s2)) {
        sb_clear(&s1);
        sb_put(&s1, s2.s ? s2.s : "", s2.len);
        cur = s1.s ? s1.s : "";
    }
    sb_clear(&s2);
    comparator_trim(cur, s1.len, &s2);
    sb_clear(&s1);
    lone_trim(s2.s ? s2.s : "", s2.len, '~', &s1);
    sb_clear(&s2);
    lone_trim(s1.s ? s1.s : "", s1.len, '^', &s2);
    if (s1.failed || s2.failed)
        goto done;

    /* .split(' ').map(parseComparator).join(' ') */
    const char *r = s2.s ? s2.s : "";
    size_t i = 0, start = 0;
    for (;;) {
        while (i < s2.len && r[i] != ' ')
            i++;
        desugar_token(r + start, i - start, o, &joined, &t1, &t2);
        if (i == s2.len)
            break;
        sb_putc(&joined, ' ');
        start = ++i;
    }
    if (joined.failed)
        goto done;

    /* .split(/\s+/), replaceGTE0, the loose filter, new Comparator */
    const char *js = joined.s ? joined.s : "";
    size_t max = 1;
    for (i = 0; i < joined.len; i++)
        max += js[i] == ' ';
    comps = malloc(max * sizeof *comps);
    keys = malloc(max * sizeof *keys);
    if (!comps || !keys)
        goto done;
    const char *gte0 = o.include_prerelease ? ">=0.0.0-0" : ">=0.0.0";
    i = start = 0;
    for (;;) {
        while (i < joined.len && js[i] != ' ')
            i++;
        const char *tok = js + start;
        size_t tn = i - start, op_len, v;
        if (tn == strlen(gte0) && memcmp(tok, gte0, tn) == 0)
            tn = 0;
        if (!o.loose || comparator_match(tok, tn, 1, &op_len, &v)) {
            if (build_comparator(a, tok, tn, o.loose != 0, &comps[nc]) != 0)
                goto done;
            nc++;
        }
        if (i == joined.len)
            break;
        while (i < joined.len && js[i] == ' ')
            i++;
        start = i;
    }

    for (size_t k = 0; k < nc; k++) {
        if (is_null_set(&comps[k])) {
            *set = arena_alloc(a, sizeof **set);
            if (!*set)
                goto done;
            (*set)[0] = comps[k];
            *count = 1;
            rc = 0;
            goto done;
        }
    }
    /* a Map keyed by value: first position wins; '' dropped when there is anything else */
    char vbuf[2 * MAX_LENGTH + 16];
    for (size_t k = 0; k < nc; k++) {
        npm_comparator_format(&comps[k], vbuf, sizeof vbuf);
        if (!(keys[k].value = arena_strndup(a, vbuf, strlen(vbuf))))
            goto done;
        keys[k].index = k;
    }
    qsort(keys, nc, sizeof *keys, keyed_cmp);
    char *keep = calloc(nc + 1, 1);
    if (!keep)
        goto done;
    size_t distinct = 0, any_at = SIZE_MAX;
    for (size_t k = 0; k < nc; k++) {
        if (k == 0 || strcmp(keys[k].value, keys[k - 1].value) != 0) {
            keep[keys[k].index] = 1;
            distinct++;
            if (keys[k].value[0] == '\0')
                any_at = keys[k].index;
        }
    }
    if (distinct > 1 && any_at != SIZE_MAX) {
        keep[any_at] = 0;
        distinct--;
    }
    *set = arena_alloc(a, (distinct ? distinct : 1) * sizeof **set);
    if (!*set) {
        free(keep);
        goto done;
    }
    *count = 0;
    for (size_t k = 0; k < nc; k++)
        if (keep[k])
            (*set)[(*count)++] = comps[k];
    free(keep);
    rc = 0;
done:
    sb_free(&s1);
    sb_free(&s2);
    sb_free(&t1);
    sb_free(&t2);
    sb_free(&joined);
    free(comps);
    free(keys);
    return rc;
}

int npm_range_parse_n(arena *a, const char *text, size_t len, npm_options opt, npm_range *out)
{
    memset(out, 0, sizeof *out);
    opt.loose = opt.loose != 0;
    opt.include_prerelease = opt.include_prerelease != 0;
    out->opt = opt;
    if (len > NPM_RANGE_MAX_LENGTH)
        return -1;

    /* range.trim().replace(/\s+/g, ' ') */
    size_t start = 0, end = len, k;
    js_trim(text, &start, &end);
    sbuf raw = {0};
    for (size_t i = start; i < end;) {
        if ((k = js_space(text + i, end - i)) > 0) {
            while (i < end && (k = js_space(text + i, end - i)) > 0)
                i += k;
            sb_putc(&raw, ' ');
        } else {
            sb_putc(&raw, text[i++]);
        }
    }
    if (raw.failed) {
        sb_free(&raw);
        return -1;
    }
    const char *r = raw.s ? raw.s : "";

    /* .split('||'), each trimmed and parsed; empty sets (loose) dropped */
    size_t parts = 1;
    for (size_t i = 0; i + 1 < raw.len; i++)
        if (r[i] == '|' && r[i + 1] == '|')
            parts++, i++;
    npm_comparator **sets = arena_alloc(a, parts * sizeof *sets);
    size_t *lens = arena_alloc(a, parts * sizeof *lens);
    if (!sets || !lens) {
        sb_free(&raw);
        return -1;
    }
    size_t n_sets = 0, i = 0;
    for (;;) {
        size_t j = i;
        while (j < raw.len && !(r[j] == '|' && j + 1 < raw.len && r[j + 1] == '|'))
            j++;
        size_t ps = i, pe = j;
        while (ps < pe && r[ps] == ' ')
            ps++;
        while (pe > ps && r[pe - 1] == ' ')
            pe--;
        npm_comparator *set = NULL;
        size_t count = 0;
        if (parse_set(a, r + ps, pe - ps, opt, &set, &count) != 0) {
            sb_free(&raw);
            return -1;
        }
        if (count) {
            sets[n_sets] = set;
            lens[n_sets++] = count;
        }
        if (j >= raw.len)
            break;
        i = j + 2;
    }
    sb_free(&raw);
    if (n_sets == 0)
        return -1;

    if (n_sets > 1) {
        /* null sets go unless all are; then a lone ANY set is the whole range */
        size_t kept = 0;
        for (size_t s = 0; s < n_sets; s++) {
            if (!is_null_set(&sets[s][0])) {
                sets[kept] = sets[s];
                lens[kept++] = lens[s];
            }
        }
        n_sets = kept ? kept : 1;
        if (n_sets > 1) {
            for (size_t s = 0; s < n_sets; s++) {
                if (lens[s] == 1 && sets[s][0].op == NPM_ANY) {
                    sets[0] = sets[s];
                    lens[0] = 1;
                    n_sets = 1;
                    break;
                }
            }
        }
    }
    out->sets = sets;
    out->set_len = lens;
    out->n_sets = n_sets;
    return 0;
}

int npm_range_parse(arena *a, const char *text, npm_options opt, npm_range *out)
{
    return npm_range_parse_n(a, text, strlen(text), opt, out);
}

int npm_range_format(const npm_range *r, char *buf, size_t size)
{
    size_t n = 0;
    char tmp[2 * MAX_LENGTH + 16];
    for (size_t s = 0; s < r->n_sets; s++) {
        for (size_t c = 0; c < r->set_len[s]; c++) {
            const char *sep = c > 0 ? " " : s > 0 ? "||" : "";
            size_t k = npm_comparator_format(&r->sets[s][c], tmp, sizeof tmp);
            for (const char *p = sep; *p; p++, n++)
                if (n + 1 < size)
                    buf[n] = *p;
            for (size_t q = 0; q < k; q++, n++)
                if (n + 1 < size)
                    buf[n] = tmp[q];
        }
    }
    if (n == 0) {
        for (const char *p = "*"; *p; p++, n++)
            if (n + 1 < size)
                buf[n] = *p;
    }
    if (size)
        buf[n < size ? n : size - 1] = '\0';
    return (int)n;
}

/* ---- matching ----------------------------------------------------------------------------- */

static int comparator_test(const npm_comparator *c, const npm_version *v)
{
    if (c->op == NPM_ANY)
        return 1;
    int k = npm_version_compare(v, &c->v);
    switch (c->op) {
    case NPM_LT: return k < 0;
    case NPM_LTE: return k <= 0;
    case NPM_GT: return k > 0;
    case NPM_GTE: return k >= 0;
    default: return k == 0;
    }
}

/* testSet: every comparator, and a pre-release version only where a comparator names a
 * pre-release of the same major.minor.patch. */
static int test_set(const npm_comparator *set, size_t n, const npm_version *v, int include_prerelease)
{
    for (size_t i = 0; i < n; i++)
        if (!comparator_test(&set[i], v))
            return 0;
    if (!v->pre || include_prerelease)
        return 1;
    for (size_t i = 0; i < n; i++) {
        const npm_version *w = &set[i].v;
        if (set[i].op != NPM_ANY && w->pre && w->major == v->major && w->minor == v->minor &&
            w->patch == v->patch)
            return 1;
    }
    return 0;
}

int npm_range_test(const npm_range *r, const npm_version *v)
{
    for (size_t s = 0; s < r->n_sets; s++)
        if (test_set(r->sets[s], r->set_len[s], v, r->opt.include_prerelease))
            return 1;
    return 0;
}

/* outside(version, range, '>' or '<'). */
static int outside(const npm_version *v, const npm_range *r, int high_side)
{
    if (npm_range_test(r, v))
        return 0;
    const npm_comparator zero = {NPM_GTE, {0, 0, 0, NULL, NULL}};
    npm_op comp = high_side ? NPM_GT : NPM_LT, ecomp = high_side ? NPM_GTE : NPM_LTE;
    for (size_t s = 0; s < r->n_sets; s++) {
        const npm_comparator *high = NULL, *low = NULL;
        for (size_t i = 0; i < r->set_len[s]; i++) {
            const npm_comparator *c = r->sets[s][i].op == NPM_ANY ? &zero : &r->sets[s][i];
            if (!high)
                high = c;
            if (!low)
                low = c;
            int kh = npm_version_compare(&c->v, &high->v), kl = npm_version_compare(&c->v, &low->v);
            if (high_side ? kh > 0 : kh < 0)
                high = c;
            else if (high_side ? kl < 0 : kl > 0)
                low = c;
        }
        if (high->op == comp || high->op == ecomp)
            return 0;
        int k = npm_version_compare(v, &low->v);
        if ((low->op == NPM_EQ || low->op == comp) && (high_side ? k <= 0 : k >= 0))
            return 0;
        if (low->op == ecomp && (high_side ? k < 0 : k > 0))
            return 0;
    }
    return 1;
}

int npm_version_gt_range(const npm_version *v, const npm_range *r) { return outside(v, r, 1); }
int npm_version_lt_range(const npm_version *v, const npm_range *r) { return outside(v, r, 0); }

/* new Range(c.value, opt).test(v): the comparator itself, except that >=0.0.0 (>=0.0.0-0 with
 * includePrerelease) reads as ANY. */
static int value_range_test(const npm_comparator *c, const npm_version *v, npm_options opt)
{
    npm_comparator any = {NPM_ANY, {0, 0, 0, NULL, NULL}};
    const npm_version *w = &c->v;
    int zero = c->op == NPM_GTE && w->major == 0 && w->minor == 0 && w->patch == 0;
    if (zero && (opt.include_prerelease ? w->pre && strcmp(w->pre, "0") == 0 : !w->pre))
        c = &any;
    return test_set(c, 1, v, opt.include_prerelease);
}

static int is_gt(npm_op op) { return op == NPM_GT || op == NPM_GTE; }
static int is_lt(npm_op op) { return op == NPM_LT || op == NPM_LTE; }

int npm_comparator_intersects(const npm_comparator *a, const npm_comparator *b, npm_options opt)
{
    if (a->op == NPM_ANY || a->op == NPM_EQ)
        return a->op == NPM_ANY || value_range_test(b, &a->v, opt);
    if (b->op == NPM_ANY || b->op == NPM_EQ)
        return b->op == NPM_ANY || value_range_test(a, &b->v, opt);
    int a000 = a->op == NPM_LT && a->v.major == 0 && a->v.minor == 0 && a->v.patch == 0;
    int b000 = b->op == NPM_LT && b->v.major == 0 && b->v.minor == 0 && b->v.patch == 0;
    if (opt.include_prerelease && (is_null_set(a) || is_null_set(b)))
        return 0;
    if (!opt.include_prerelease && (a000 || b000))
        return 0;
    if ((is_gt(a->op) && is_gt(b->op)) || (is_lt(a->op) && is_lt(b->op)))
        return 1;
    int same = a->v.major == b->v.major && a->v.minor == b->v.minor && a->v.patch == b->v.patch &&
               (a->v.pre && b->v.pre ? strcmp(a->v.pre, b->v.pre) == 0 : a->v.pre == b->v.pre);
    if (same && (a->op == NPM_GTE || a->op == NPM_LTE) && (b->op == NPM_GTE || b->op == NPM_LTE))
        return 1;
    int k = npm_version_compare(&a->v, &b->v);
    if (k < 0 && is_gt(a->op) && is_lt(b->op))
        return 1;
    if (k > 0 && is_lt(a->op) && is_gt(b->op))
        return 1;
    return 0;
}

/* isSatisfiable: popping from the end, each comparator meets all that remain before it. */
static int satisfiable(const npm_comparator *set, size_t n, npm_options opt)
{
    if (n == 0)
        return 1;
    size_t remaining = n - 1;
    const npm_comparator *test = &set[remaining];
    while (remaining > 0) {
        for (size_t j = 0; j < remaining; j++)
            if (!npm_comparator_intersects(test, &set[j], opt))
                return 0;
        test = &set[--remaining];
    }
    return 1;
}

int npm_range_intersects(const npm_range *a, const npm_range *b)
{
    npm_options opt = a->opt;
    for (size_t i = 0; i < a->n_sets; i++) {
        if (!satisfiable(a->sets[i], a->set_len[i], opt))
            continue;
        for (size_t j = 0; j < b->n_sets; j++) {
            if (!satisfiable(b->sets[j], b->set_len[j], opt))
                continue;
            int all = 1;
            for (size_t x = 0; x < a->set_len[i] && all; x++)
                for (size_t y = 0; y < b->set_len[j] && all; y++)
                    all = npm_comparator_intersects(&a->sets[i][x], &b->sets[j][y], opt);
            if (all)
                return 1;
        }
    }
    return 0;
}
