/* cudf.c: the CUDF 2.0 adapter: parses a document's stanzas, then builds the universe and request. */
#include "cudf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "repo_source.h"

/* ---- parsed document ------------------------------------------------------------------- */

enum relop { OP_ANY, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum keep { KEEP_NONE, KEEP_VERSION, KEEP_PACKAGE, KEEP_FEATURE };
enum stanza_kind { IN_NOTHING, IN_PREAMBLE, IN_PACKAGE, IN_REQUEST };
enum req_kind { REQ_INSTALL, REQ_REMOVE, REQ_UPGRADE };
enum type { T_INT, T_POSINT, T_NAT, T_BOOL, T_STRING, T_PKGNAME, T_IDENT, T_ENUM, T_VPKG,
            T_VPKGFORMULA, T_VPKGLIST, T_VEQPKG, T_VEQPKGLIST, T_NONE };

#define MAX_DIGITS 18   /* numbers stay below 10^18: no overflow checks needed */

/* A package constraint: name, or name op version. */
typedef struct vpkg {
    uint64_t ver;
    uint32_t name;          /* string id */
    uint32_t op;            /* enum relop */
} vpkg;

/* One conjunct of a depends formula: vpkgs[first, first + count) or'ed; count 0 is false!. */
typedef struct dclause {
    uint32_t desc, first, count;
} dclause;

/* One package stanza. */
typedef struct stanza {
    uint64_t version;
    uint32_t name, version_str, line;
    uint32_t dep_first, dep_count;      /* into clauses */
    uint32_t conf_first, conf_count;    /* into vpkgs */
    uint32_t prov_first, prov_count;    /* into vpkgs (OP_ANY or OP_EQ) */
    uint32_t opam_name, opam_version;   /* string ids or VS_NONE */
    uint32_t seen;                      /* bit set of the core properties read */
    unsigned char installed, keep, avoid, has_version;
} stanza;

/* One vpkg of the request stanza. */
typedef struct req_item {
    uint32_t kind, vp, desc;
} req_item;

/* A property declared in the preamble. */
typedef struct decl {
    const char *name;
    size_t len;
    int type;
    const char *enum_vals;      /* T_ENUM: the text between the brackets */
    size_t enum_len;
} decl;

typedef struct parser {
    const char *file;
    const char *text, *end;
    vs_universe *u;
    vs_error *err;
    int want_opam;              /* keep opam-name / opam-version */
    /* the cursor: position, end of the current value, and the line it is on */
    const char *p, *vend, *line_start;
    unsigned line;
    int kind;                   /* enum stanza_kind of the stanza being read */
    uint32_t seen;              /* properties of the current preamble/request stanza */
    int seen_preamble, seen_package, seen_request;
    VEC(stanza) pkgs;
    VEC(vpkg) vpkgs;
    VEC(dclause) clauses;
    VEC(req_item) request;
    VEC(decl) decls;
    VEC(char) scratch;
} parser;

/* ---- errors ---------------------------------------------------------------------------- */

/* "FILE:LINE:COL: expected WHAT, found ..." at the cursor. */
static int expected(parser *ps, const char *what)
{
    const char *at = ps->p;
    unsigned col = (unsigned)(at - ps->line_start) + 1;
    char found[32];
    if (at >= ps->vend || *at == '\n')
        snprintf(found, sizeof found, "the end of the line");
    else if (*at > ' ' && *at < 127)
        snprintf(found, sizeof found, "'%c'", *at);
    else if (*at == ' ' || *at == '\t')
        snprintf(found, sizeof found, "a blank");
    else
        snprintf(found, sizeof found, "byte 0x%02x", (unsigned)(unsigned char)*at);
    return vs_error_at(ps->err, ps->file, ps->line, col, "expected %s, found %s", what, found);
}

static int oom(parser *ps) { return vs_error_set(ps->err, VSOLVE_ENOMEM, "out of memory while reading %s", ps->file); }

/* ---- lexing inside a value ------------------------------------------------------------- */

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_key_char(char c) { return is_lower(c) || is_digit(c) || c == '-'; }
static int is_name_char(char c)
{
    return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z') || c == '+' || c == '-' || c == '.' ||
           c == '/' || c == '@' || c == '(' || c == ')' || c == '%' || c == '_';
}

/* Skips blanks, and the line breaks of continuation lines (the value's span holds only those). */
static void skip_ws(parser *ps)
{
    while (ps->p < ps->vend) {
        char c = *ps->p;
        if (c == '\n') {
            ps->line++;
            ps->line_start = ps->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            break;
        }
        ps->p++;
    }
}

static int at_end(parser *ps)
{
    skip_ws(ps);
    return ps->p >= ps->vend;
}

static int expect_end(parser *ps)
{
    return at_end(ps) ? VSOLVE_OK : expected(ps, "the end of the value");
}

static int intern(parser *ps, const char *s, size_t len, uint32_t *id)
{
    *id = universe_intern(ps->u, s, len);
    return *id == UINT32_MAX ? oom(ps) : VSOLVE_OK;
}

/* Interns s[0..len) with every run of blanks and line breaks turned into one space (continued
 * values keep their words apart, and descriptions stay on one line). */
static int intern_folded(parser *ps, const char *s, size_t len, uint32_t *id)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    size_t i = 0;
    while (i < len && (unsigned char)s[i] >= ' ')
        i++;
    if (i == len)
        return intern(ps, s, len, id);
    ps->scratch.len = 0;
    if (!vec_reserve(&ps->scratch, len))
        return oom(ps);
    for (i = 0; i < len; i++) {
        char c = s[i];
        int blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (!blank)
            ps->scratch.items[ps->scratch.len++] = c;
        else if (ps->scratch.len && ps->scratch.items[ps->scratch.len - 1] != ' ')
            ps->scratch.items[ps->scratch.len++] = ' ';
    }
    while (ps->scratch.len && ps->scratch.items[ps->scratch.len - 1] == ' ')
        ps->scratch.len--;
    return intern(ps, ps->scratch.items, ps->scratch.len, id);
}

static int parse_pkgname(parser *ps, uint32_t *id)
{
    skip_ws(ps);
    const char *s = ps->p;
    while (ps->p < ps->vend && is_name_char(*ps->p))
        ps->p++;
    if (ps->p == s)
        return expected(ps, "a package name");
    return intern(ps, s, (size_t)(ps->p - s), id);
}

/* Digits; *start and *len give the digits without leading zeros (at least one). */
static int parse_digits(parser *ps, uint64_t *v, const char **start, size_t *len, const char *what)
{
    skip_ws(ps);
    const char *s = ps->p;
    uint64_t x = 0;
    while (ps->p < ps->vend && is_digit(*ps->p) && ps->p - s < MAX_DIGITS)
        x = x * 10 + (uint64_t)(*ps->p++ - '0');
    if (ps->p == s)
        return expected(ps, what);
    if (ps->p < ps->vend && is_digit(*ps->p)) {
        ps->p = s;
        return expected(ps, "a number of at most 18 digits");
    }
    while (s + 1 < ps->p && *s == '0')
        s++;
    *v = x;
    if (start) {
        *start = s;
        *len = (size_t)(ps->p - s);
    }
    return VSOLVE_OK;
}

/* An optional relational operator; OP_ANY when there is none. */
static int parse_relop(parser *ps, uint32_t *op)
{
    skip_ws(ps);
    const char *p = ps->p;
    int next_eq = p + 1 < ps->vend && p[1] == '=';
    *op = OP_ANY;
    if (p >= ps->vend)
        return VSOLVE_OK;
    switch (*p) {
    case '=': *op = OP_EQ; ps->p += 1; break;
    case '<': *op = next_eq ? OP_LE : OP_LT; ps->p += next_eq ? 2 : 1; break;
    case '>': *op = next_eq ? OP_GE : OP_GT; ps->p += next_eq ? 2 : 1; break;
    case '!':
        if (!next_eq)
            return expected(ps, "a relational operator (= != < <= > >=)");
        *op = OP_NE;
        ps->p += 2;
        break;
    default: break;
    }
    return VSOLVE_OK;
}

/* The rest of a vpkg after its name: [op version]. eq_only: provides' "name = version". */
static int parse_constraint(parser *ps, vpkg *vp, int eq_only)
{
    const char *at = (skip_ws(ps), ps->p);
    int rc = parse_relop(ps, &vp->op);
    if (rc != VSOLVE_OK)
        return rc;
    vp->ver = 0;
    if (vp->op == OP_ANY)
        return VSOLVE_OK;
    if (eq_only && vp->op != OP_EQ) {
        ps->p = at;
        return expected(ps, "'=' (only \"name = version\" is allowed here)");
    }
    return parse_digits(ps, &vp->ver, NULL, NULL, "a version number after the operator");
}

static int parse_vpkg(parser *ps, vpkg *vp, int eq_only)
{
    int rc = parse_pkgname(ps, &vp->name);
    return rc == VSOLVE_OK ? parse_constraint(ps, vp, eq_only) : rc;
}

static int push_vpkg(parser *ps, const vpkg *vp)
{
    return vec_push(&ps->vpkgs, *vp) ? VSOLVE_OK : oom(ps);
}

/* vpkgformula: and-list (',') of or-lists ('|') of vpkgs, or true! / false!. With keep, the
 * conjuncts are appended to ps->clauses (true! ones left out); otherwise only checked. */
static int parse_formula(parser *ps, int keep)
{
    if (at_end(ps))
        return VSOLVE_OK;   /* an empty formula: true */
    for (;;) {
        skip_ws(ps);
        const char *cstart = ps->p, *cend = ps->p;
        uint32_t vfirst = (uint32_t)ps->vpkgs.len;
        int is_true = 0;
        for (;;) {
            vpkg vp;
            int rc = parse_pkgname(ps, &vp.name);
            if (rc != VSOLVE_OK)
                return rc;
            const char *s = universe_str(ps->u, vp.name);
            int constant = ps->p < ps->vend && *ps->p == '!' && !(ps->p + 1 < ps->vend && ps->p[1] == '=') &&
                           (!strcmp(s, "true") || !strcmp(s, "false"));
            if (constant) {
                is_true |= s[0] == 't';
                ps->p++;
            } else if ((rc = parse_constraint(ps, &vp, 0)) != VSOLVE_OK || (rc = push_vpkg(ps, &vp)) != VSOLVE_OK) {
                return rc;
            }
            cend = ps->p;
            skip_ws(ps);
            if (ps->p < ps->vend && *ps->p == '|') {
                ps->p++;
                continue;
            }
            break;
        }
        if (is_true || !keep) {
            ps->vpkgs.len = vfirst;
        } else {
            dclause c = { .first = vfirst, .count = (uint32_t)ps->vpkgs.len - vfirst };
            const vpkg *only = c.count == 1 ? &ps->vpkgs.items[vfirst] : NULL;
            int rc = VSOLVE_OK;
            if (only && only->op == OP_ANY)
                c.desc = only->name;   /* the description is the name, interned already */
            else
                rc = intern_folded(ps, cstart, (size_t)(cend - cstart), &c.desc);
            if (rc != VSOLVE_OK)
                return rc;
            if (!vec_push(&ps->clauses, c))
                return oom(ps);
        }
        if (at_end(ps))
            return VSOLVE_OK;
        if (*ps->p != ',')
            return expected(ps, "',' or '|' between package constraints, or the end of the value");
        ps->p++;
    }
}

/* vpkglist (eq_only: veqpkglist), possibly empty, appended to ps->vpkgs. With record, each
 * becomes a request item of that kind, described by its text. */
static int parse_vpkglist(parser *ps, int eq_only, int record, uint32_t kind)
{
    if (at_end(ps))
        return VSOLVE_OK;
    for (;;) {
        skip_ws(ps);
        const char *s = ps->p;
        vpkg vp;
        int rc = parse_vpkg(ps, &vp, eq_only);
        if (rc == VSOLVE_OK)
            rc = push_vpkg(ps, &vp);
        if (rc != VSOLVE_OK)
            return rc;
        if (record) {
            req_item it = { .kind = kind, .vp = (uint32_t)ps->vpkgs.len - 1 };
            if ((rc = intern_folded(ps, s, (size_t)(ps->p - s), &it.desc)) != VSOLVE_OK)
                return rc;
            if (!vec_push(&ps->request, it))
                return oom(ps);
        }
        if (at_end(ps))
            return VSOLVE_OK;
        if (*ps->p != ',')
            return expected(ps, "',' between packages, or the end of the value");
        ps->p++;
    }
}

/* A lowercase identifier ([a-z][a-z0-9-]*); *len is 0 when there is none. */
static const char *scan_ident(parser *ps, size_t *len)
{
    skip_ws(ps);
    const char *s = ps->p;
    if (ps->p < ps->vend && is_lower(*ps->p))
        while (ps->p < ps->vend && is_key_char(*ps->p))
            ps->p++;
    *len = (size_t)(ps->p - s);
    return s;
}

static int word_is(const char *s, size_t len, const char *w) { return strlen(w) == len && memcmp(s, w, len) == 0; }

static int parse_bool(parser *ps, unsigned char *b)
{
    size_t len;
    const char *s = scan_ident(ps, &len);
    if (word_is(s, len, "true") || word_is(s, len, "false")) {
        *b = s[0] == 't';
        return expect_end(ps);
    }
    ps->p = s;
    return expected(ps, "true or false");
}

static int parse_int(parser *ps, int type, int64_t *v)
{
    skip_ws(ps);
    int neg = 0;
    if (type == T_INT && ps->p < ps->vend && (*ps->p == '-' || *ps->p == '+'))
        neg = *ps->p++ == '-';
    const char *s = ps->p;
    uint64_t x;
    int rc = parse_digits(ps, &x, NULL, NULL, type == T_INT ? "an integer" : "a non-negative integer");
    if (rc != VSOLVE_OK)
        return rc;
    if (type == T_POSINT && x == 0) {
        ps->p = s;
        return expected(ps, "a positive integer");
    }
    *v = neg ? -(int64_t)x : (int64_t)x;
    return expect_end(ps);
}

/* Is word one of the comma-separated identifiers of an enum declaration? */
static int enum_has(const decl *d, const char *w, size_t len)
{
    const char *p = d->enum_vals, *end = d->enum_vals + d->enum_len;
    while (p < end) {
        while (p < end && !is_key_char(*p))
            p++;
        const char *s = p;
        while (p < end && is_key_char(*p))
            p++;
        if ((size_t)(p - s) == len && memcmp(s, w, len) == 0)
            return 1;
    }
    return 0;
}

/* The string value from the cursor to the end of the value, blanks trimmed, continuation
 * lines unfolded (a line break and the blank after it become one space). */
static int string_value(parser *ps, uint32_t *id)
{
    skip_ws(ps);
    const char *s = ps->p, *e = ps->vend;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    ps->p = ps->vend;
    return intern_folded(ps, s, (size_t)(e - s), id);
}

/* A value of a declared type (d may be NULL for the built-in types). Numbers go to *ival. */
static int parse_typed(parser *ps, int type, const decl *d, int64_t *ival)
{
    size_t vlen = ps->vpkgs.len, clen = ps->clauses.len;
    int rc = VSOLVE_OK;
    unsigned char b;
    uint32_t id;
    vpkg vp;
    switch (type) {
    case T_INT:
    case T_POSINT:
    case T_NAT:
        return parse_int(ps, type, ival);
    case T_BOOL:
        rc = parse_bool(ps, &b);
        *ival = b;
        return rc;
    case T_STRING:
        ps->p = ps->vend;
        return VSOLVE_OK;
    case T_PKGNAME:
        rc = parse_pkgname(ps, &id);
        break;
    case T_IDENT:
    case T_ENUM: {
        size_t len;
        const char *s = scan_ident(ps, &len);
        if (len == 0 || (type == T_ENUM && d && !enum_has(d, s, len))) {
            ps->p = s;
            return expected(ps, type == T_ENUM ? "one of the values declared for this property" : "an identifier");
        }
        break;
    }
    case T_VPKG:
    case T_VEQPKG:
        rc = parse_vpkg(ps, &vp, type == T_VEQPKG);
        break;
    case T_VPKGLIST:
    case T_VEQPKGLIST:
        rc = parse_vpkglist(ps, type == T_VEQPKGLIST, 0, 0);
        break;
    case T_VPKGFORMULA:
        rc = parse_formula(ps, 0);
        break;
    default:
        ps->p = ps->vend;
        break;
    }
    ps->vpkgs.len = vlen;
    ps->clauses.len = clen;
    return rc == VSOLVE_OK ? expect_end(ps) : rc;
}

/* ---- the preamble's property declarations ---------------------------------------------- */

static const struct { const char *name; int type; } type_names[] = {
    { "int", T_INT }, { "posint", T_POSINT }, { "nat", T_NAT }, { "bool", T_BOOL },
    { "string", T_STRING }, { "pkgname", T_PKGNAME }, { "ident", T_IDENT }, { "enum", T_ENUM },
    { "vpkg", T_VPKG }, { "vpkgformula", T_VPKGFORMULA }, { "vpkglist", T_VPKGLIST },
    { "veqpkg", T_VEQPKG }, { "veqpkglist", T_VEQPKGLIST },
};

/* A quoted string: "..." with \" and \\ escapes (any escaped character is taken as is). */
static int parse_quoted(parser *ps)
{
    skip_ws(ps);
    if (ps->p >= ps->vend || *ps->p != '"')
        return expected(ps, "a quoted string");
    ps->p++;
    while (ps->p < ps->vend && *ps->p != '"') {
        if (*ps->p == '\\')
            ps->p++;
        if (ps->p < ps->vend && *ps->p == '\n') {
            ps->line++;
            ps->line_start = ps->p + 1;
        }
        if (ps->p < ps->vend)
            ps->p++;
    }
    if (ps->p >= ps->vend)
        return expected(ps, "'\"' to close the string");
    ps->p++;
    return VSOLVE_OK;
}

/* The default of a declaration: "[ value ]", checked against the type. */
static int parse_default(parser *ps, decl *d)
{
    skip_ws(ps);
    if (ps->p >= ps->vend || *ps->p != '[')
        return expected(ps, "'[' before the default value");
    ps->p++;
    int rc;
    if (d->type == T_STRING) {
        if ((rc = parse_quoted(ps)) != VSOLVE_OK)
            return rc;
        skip_ws(ps);
        if (ps->p >= ps->vend || *ps->p != ']')
            return expected(ps, "']' after the default value");
        ps->p++;
        return VSOLVE_OK;
    }
    const char *close = memchr(ps->p, ']', (size_t)(ps->vend - ps->p));
    if (!close) {
        ps->p = ps->vend;
        return expected(ps, "']' after the default value");
    }
    const char *vend = ps->vend;
    ps->vend = close;
    int64_t ignored;
    rc = parse_typed(ps, d->type, d, &ignored);
    ps->vend = vend;
    if (rc == VSOLVE_OK)
        ps->p = close + 1;
    return rc;
}

/* property: name: type [= [default]], ... */
static int parse_typedecl(parser *ps)
{
    if (at_end(ps))
        return VSOLVE_OK;
    for (;;) {
        decl d = { 0 };
        d.name = scan_ident(ps, &d.len);
        if (d.len == 0)
            return expected(ps, "a property name");
        skip_ws(ps);
        if (ps->p >= ps->vend || *ps->p != ':')
            return expected(ps, "':' after the property name");
        ps->p++;
        size_t tlen;
        const char *t = scan_ident(ps, &tlen);
        d.type = T_NONE;
        for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
            if (word_is(t, tlen, type_names[i].name))
                d.type = type_names[i].type;
        if (d.type == T_NONE) {
            ps->p = t;
            return expected(ps, "a type (int, posint, nat, bool, string, pkgname, ident, enum[...], "
                                "vpkg, vpkgformula, vpkglist, veqpkg or veqpkglist)");
        }
        if (d.type == T_ENUM) {
            skip_ws(ps);
            if (ps->p >= ps->vend || *ps->p != '[')
                return expected(ps, "'[' before the enum's values");
            ps->p++;
            d.enum_vals = ps->p;
            for (;;) {
                size_t len;
                scan_ident(ps, &len);
                if (len == 0)
                    return expected(ps, "an enum value");
                skip_ws(ps);
                if (ps->p < ps->vend && *ps->p == ',') {
                    ps->p++;
                    continue;
                }
                if (ps->p < ps->vend && *ps->p == ']')
                    break;
                return expected(ps, "',' or ']' in the enum's values");
            }
            d.enum_len = (size_t)(ps->p - d.enum_vals);
            ps->p++;
        }
        skip_ws(ps);
        if (ps->p < ps->vend && *ps->p == '=') {
            ps->p++;
            int rc = parse_default(ps, &d);
            if (rc != VSOLVE_OK)
                return rc;
        }
        if (!vec_push(&ps->decls, d))
            return oom(ps);
        if (at_end(ps))
            return VSOLVE_OK;
        if (*ps->p != ',')
            return expected(ps, "',' between property declarations, or the end of the value");
        ps->p++;
    }
}

/* ---- stanzas --------------------------------------------------------------------------- */

/* Properties that must appear at most once per stanza (bits of stanza.seen / parser.seen). */
static const char *const core_keys[] = {
    "package", "version", "depends", "conflicts", "provides", "installed", "was-installed", "keep",
    "avoid-version", "opam-name", "opam-version", "property", "install", "remove", "upgrade",
};
enum { K_PACKAGE, K_VERSION, K_DEPENDS, K_CONFLICTS, K_PROVIDES, K_INSTALLED, K_WAS_INSTALLED, K_KEEP,
       K_AVOID, K_OPAM_NAME, K_OPAM_VERSION, K_PROPERTY, K_INSTALL, K_REMOVE, K_UPGRADE, K_OTHER };

static int key_index(const char *k, size_t len)
{
    for (int i = 0; i < K_OTHER; i++)
        if (core_keys[i][0] == k[0] && word_is(k, len, core_keys[i]))
            return i;
    return K_OTHER;
}

static const decl *find_decl(const parser *ps, const char *k, size_t len)
{
    for (size_t i = 0; i < ps->decls.len; i++)
        if (ps->decls.items[i].len == len && memcmp(ps->decls.items[i].name, k, len) == 0)
            return &ps->decls.items[i];
    return NULL;
}

/* Marks key as seen in *seen; an error at the key if it was seen already. */
static int once(parser *ps, uint32_t *seen, int key, const char *at)
{
    if (key == K_OTHER)
        return VSOLVE_OK;
    if (*seen & (1u << key)) {
        ps->p = at;
        return vs_error_at(ps->err, ps->file, ps->line, (unsigned)(at - ps->line_start) + 1,
                           "expected each property once per stanza, found a second %s: (stanzas are "
                           "separated by an empty line)", core_keys[key]);
    }
    *seen |= 1u << key;
    return VSOLVE_OK;
}

static int package_property(parser *ps, int key, const char *k, size_t klen)
{
    stanza *st = &ps->pkgs.items[ps->pkgs.len - 1];
    int rc = once(ps, &st->seen, key, k);
    if (rc != VSOLVE_OK)
        return rc;
    int64_t v = 0;
    switch (key) {
    case K_VERSION: {
        const char *s;
        size_t len;
        const char *at = (skip_ws(ps), ps->p);
        if ((rc = parse_digits(ps, &st->version, &s, &len, "a version number (a positive integer)")) != VSOLVE_OK)
            return rc;
        if (st->version == 0) {
            ps->p = at;
            return expected(ps, "a positive version number");
        }
        st->has_version = 1;
        if ((rc = intern(ps, s, len, &st->version_str)) != VSOLVE_OK)
            return rc;
        return expect_end(ps);
    }
    case K_DEPENDS:
        st->dep_first = (uint32_t)ps->clauses.len;
        rc = parse_formula(ps, 1);
        st->dep_count = (uint32_t)ps->clauses.len - st->dep_first;
        return rc;
    case K_CONFLICTS:
    case K_PROVIDES: {
        uint32_t first = (uint32_t)ps->vpkgs.len;
        rc = parse_vpkglist(ps, key == K_PROVIDES, 0, 0);
        uint32_t count = (uint32_t)ps->vpkgs.len - first;
        if (key == K_CONFLICTS)
            st->conf_first = first, st->conf_count = count;
        else
            st->prov_first = first, st->prov_count = count;
        return rc;
    }
    case K_INSTALLED:
        return parse_bool(ps, &st->installed);
    case K_WAS_INSTALLED: {
        unsigned char ignored;
        return parse_bool(ps, &ignored);
    }
    case K_KEEP: {
        size_t len;
        const char *s = scan_ident(ps, &len);
        if (word_is(s, len, "version"))
            st->keep = KEEP_VERSION;
        else if (word_is(s, len, "package"))
            st->keep = KEEP_PACKAGE;
        else if (word_is(s, len, "feature"))
            st->keep = KEEP_FEATURE;
        else if (word_is(s, len, "none"))
            st->keep = KEEP_NONE;
        else {
            ps->p = s;
            return expected(ps, "version, package, feature or none");
        }
        return expect_end(ps);
    }
    default:
        break;
    }
    /* extra properties: checked by their declared type; opam's are also kept */
    const decl *d = find_decl(ps, k, klen);
    int type = d ? d->type : key == K_AVOID ? T_INT : key == K_OPAM_NAME || key == K_OPAM_VERSION ? T_STRING : T_NONE;
    if (type == T_STRING && (key == K_OPAM_NAME || key == K_OPAM_VERSION)) {
        if (!ps->want_opam) {
            ps->p = ps->vend;
            return VSOLVE_OK;
        }
        return string_value(ps, key == K_OPAM_NAME ? &st->opam_name : &st->opam_version);
    }
    rc = parse_typed(ps, type, d, &v);
    if (rc == VSOLVE_OK && key == K_AVOID && (type == T_INT || type == T_NAT || type == T_POSINT || type == T_BOOL))
        st->avoid = v != 0;
    return rc;
}

static int request_property(parser *ps, int key, const char *k)
{
    int rc = once(ps, &ps->seen, key, k);
    if (rc != VSOLVE_OK)
        return rc;
    switch (key) {
    case K_INSTALL: return parse_vpkglist(ps, 0, 1, REQ_INSTALL);
    case K_REMOVE: return parse_vpkglist(ps, 0, 1, REQ_REMOVE);
    case K_UPGRADE: return parse_vpkglist(ps, 0, 1, REQ_UPGRADE);
    default:
        ps->p = ps->vend;   /* the request's id and extra properties */
        return VSOLVE_OK;
    }
}

static int start_stanza(parser *ps, const char *k, size_t klen)
{
    int rc;
    if (word_is(k, klen, "package") && !ps->seen_request) {
        stanza st = { .line = ps->line, .opam_name = VS_NONE, .opam_version = VS_NONE, .seen = 1u << K_PACKAGE };
        if ((rc = parse_pkgname(ps, &st.name)) != VSOLVE_OK || (rc = expect_end(ps)) != VSOLVE_OK)
            return rc;
        if (!vec_push(&ps->pkgs, st))
            return oom(ps);
        ps->kind = IN_PACKAGE;
        ps->seen_package = 1;
        return VSOLVE_OK;
    }
    if (word_is(k, klen, "preamble") && !ps->seen_preamble && !ps->seen_package && !ps->seen_request) {
        ps->kind = IN_PREAMBLE;
        ps->seen_preamble = 1;
        ps->seen = 0;
        ps->p = ps->vend;
        return VSOLVE_OK;
    }
    if (word_is(k, klen, "request") && !ps->seen_request) {
        ps->kind = IN_REQUEST;
        ps->seen_request = 1;
        ps->seen = 0;
        ps->p = ps->vend;
        return VSOLVE_OK;
    }
    ps->p = k;
    const char *what = ps->seen_request ? "the end of the document after the request stanza (only comments may follow)"
                       : word_is(k, klen, "preamble") ? "the preamble: stanza to come first, before any package"
                       : "package:, preamble: or request: to start a stanza";
    return vs_error_at(ps->err, ps->file, ps->line, (unsigned)(k - ps->line_start) + 1, "expected %s, found %.*s:",
                       what, (int)(klen > 40 ? 40 : klen), k);
}

/* One property line (and its continuation lines, up to vend), the cursor at its start. */
static int property(parser *ps, const char *vend)
{
    ps->vend = vend;
    const char *k = ps->p;
    if (!is_lower(*k))
        return expected(ps, "a property name (lowercase letters, digits and '-') followed by ':'");
    while (ps->p < vend && is_key_char(*ps->p))
        ps->p++;
    size_t klen = (size_t)(ps->p - k);
    if (ps->p >= vend || *ps->p != ':')
        return expected(ps, "':' after the property name");
    ps->p++;
    int key = key_index(k, klen);
    int rc;
    switch (ps->kind) {
    case IN_NOTHING:
        return start_stanza(ps, k, klen);
    case IN_PACKAGE:
        return package_property(ps, key, k, klen);
    case IN_REQUEST:
        return request_property(ps, key, k);
    default:   /* preamble: only the declarations matter */
        if (key == K_PROPERTY) {
            if ((rc = once(ps, &ps->seen, key, k)) != VSOLVE_OK)
                return rc;
            return parse_typedecl(ps);
        }
        ps->p = ps->vend;
        return VSOLVE_OK;
    }
}

static int end_stanza(parser *ps)
{
    if (ps->kind == IN_PACKAGE) {
        const stanza *st = &ps->pkgs.items[ps->pkgs.len - 1];
        if (!st->has_version)
            return vs_error_at(ps->err, ps->file, st->line, 1, "expected a version: property in the stanza of package %s",
                               universe_str(ps->u, st->name));
    }
    ps->kind = IN_NOTHING;
    return VSOLVE_OK;
}

static int is_blank(const char *p, const char *eol)
{
    for (; p < eol; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r')
            return 0;
    return 1;
}

static int parse_document(parser *ps)
{
    const char *p = ps->text, *end = ps->end;
    unsigned line = 1;
    int rc = VSOLVE_OK;
    while (p < end && rc == VSOLVE_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        ps->line = line;
        ps->line_start = ps->p = p;
        ps->vend = eol;
        if (*p == '#') {
            /* a comment */
        } else if (is_blank(p, eol)) {
            rc = end_stanza(ps);
        } else {
            /* the value goes on over the following lines that start with a space */
            const char *vend = eol;
            unsigned extra = 0;
            while (vend < end && vend + 1 < end && vend[1] == ' ') {
                const char *next = vend + 1;
                const char *nnl = memchr(next, '\n', (size_t)(end - next));
                const char *neol = nnl ? nnl : end;
                if (is_blank(next, neol))
                    break;
                vend = neol;
                extra++;
            }
            rc = property(ps, vend);
            line += extra;
            eol = vend;
        }
        if (eol >= end)
            break;
        p = eol + 1;
        line++;
    }
    if (rc == VSOLVE_OK)
        rc = end_stanza(ps);
    if (rc == VSOLVE_OK && !ps->seen_request) {
        unsigned col = 1;
        for (const char *s = end; s > ps->text && s[-1] != '\n'; s--)
            col++;
        rc = vs_error_at(ps->err, ps->file, line, col, "expected a request: stanza, found the end of the document");
    }
    return rc;
}

/* ---- building the universe ------------------------------------------------------------- */

/* Versions are decimal strings without leading zeros: shorter is smaller. */
static int version_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int op_holds(uint32_t op, uint64_t v, uint64_t c)
{
    switch (op) {
    case OP_EQ: return v == c;
    case OP_NE: return v != c;
    case OP_LT: return v < c;
    case OP_LE: return v <= c;
    case OP_GT: return v > c;
    case OP_GE: return v >= c;
    default: return 1;
    }
}

typedef struct provide {
    uint32_t pkg;
    uint32_t op;        /* OP_ANY (every version) or OP_EQ */
    uint64_t ver;
} provide;

typedef struct builder {
    parser *ps;
    vs_universe *u;
    vs_request *req;
    const stanza **st;          /* package id -> its stanza */
    uint64_t *ver;              /* package id -> its version */
    uint32_t n_strings;         /* strings interned while parsing (every name among them) */
    uint32_t *prov_start;       /* string id -> provides[prov_start[s], prov_start[s + 1]) */
    provide *provides;
    uint32_t *stamp;            /* package id -> epoch it was last collected in */
    uint32_t *clause_of_desc;   /* clause description (string id) -> 1 + a clause with it, or 0 */
    uint32_t epoch;
    unsigned char *grouped;     /* name index -> one version at a time (a group) */
    u32_vec out;
} builder;

static uint32_t real_name(const builder *b, uint32_t str)
{
    return str < b->u->name_of_str_len ? b->u->name_of_str[str] : VS_NONE;
}

/* The first package in [lo, hi) (one name, ascending) whose version is >= v, or hi. */
static uint32_t first_at_least(const builder *b, uint32_t lo, uint32_t hi, uint64_t v)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b->ver[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int take(builder *b, uint32_t pkg)
{
    if (b->stamp[pkg] == b->epoch)
        return 1;
    b->stamp[pkg] = b->epoch;
    return vec_push(&b->out, pkg);
}

/* Appends to b->out (once each, this epoch) the packages matching vp: versions of its name and
 * packages providing it, except `self`; with skip_real only the providers. */
static int collect(builder *b, const vpkg *vp, uint32_t self, int skip_real)
{
    uint32_t nm = real_name(b, vp->name);
    if (nm != VS_NONE && !skip_real) {
        const vs_name *n = &b->u->names.items[nm];
        uint32_t lo = n->first_pkg, hi = n->first_pkg + n->n_pkgs;
        if (vp->op != OP_ANY && vp->op != OP_NE) {
            /* versions ascend: the matches are one run [lo, hi) */
            uint32_t below = first_at_least(b, lo, hi, vp->ver);        /* first >= ver */
            uint32_t above = first_at_least(b, below, hi, vp->ver + 1); /* first > ver */
            switch (vp->op) {
            case OP_EQ: lo = below, hi = above; break;
            case OP_LT: hi = below; break;
            case OP_LE: hi = above; break;
            case OP_GT: lo = above; break;
            default: lo = below; break;   /* OP_GE */
            }
        }
        for (uint32_t q = lo; q < hi; q++)
            if (q != self && op_holds(vp->op, b->ver[q], vp->ver) && !take(b, q))
                return VSOLVE_ENOMEM;
    }
    if (vp->name < b->n_strings)
        for (uint32_t i = b->prov_start[vp->name]; i < b->prov_start[vp->name + 1]; i++) {
            const provide *pr = &b->provides[i];
            if (pr->pkg == self)
                continue;
            if ((pr->op == OP_ANY || vp->op == OP_ANY || op_holds(vp->op, pr->ver, vp->ver)) && !take(b, pr->pkg))
                return VSOLVE_ENOMEM;
        }
    return VSOLVE_OK;
}

static int index_provides(builder *b)
{
    const vs_universe *u = b->u;
    const parser *ps = b->ps;
    b->prov_start = calloc((size_t)b->n_strings + 1, sizeof *b->prov_start);
    size_t total = 0;
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        total += b->st[p]->prov_count;
    b->provides = malloc((total ? total : 1) * sizeof *b->provides);
    if (!b->prov_start || !b->provides)
        return VSOLVE_ENOMEM;
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        for (uint32_t i = 0; i < b->st[p]->prov_count; i++)
            b->prov_start[ps->vpkgs.items[b->st[p]->prov_first + i].name + 1]++;
    for (uint32_t s = 0; s < b->n_strings; s++)
        b->prov_start[s + 1] += b->prov_start[s];
    uint32_t *fill = malloc(((size_t)b->n_strings + 1) * sizeof *fill);
    if (!fill)
        return VSOLVE_ENOMEM;
    memcpy(fill, b->prov_start, ((size_t)b->n_strings + 1) * sizeof *fill);
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        for (uint32_t i = 0; i < b->st[p]->prov_count; i++) {
            const vpkg *vp = &ps->vpkgs.items[b->st[p]->prov_first + i];
            provide pr = { .pkg = p, .op = vp->op, .ver = vp->ver };
            b->provides[fill[vp->name]++] = pr;
        }
    free(fill);
    return VSOLVE_OK;
}

/* The one-version rule: a name gets an at-most-one group when all its versions but at most one
 * conflict with every other version of the name (opam writes "conflicts: NAME" in each). */
/* Does `op ver` hold for every version of the name but the j-th? The versions v[0..n) ascend
 * strictly (as universe_sort leaves them), so the question needs the others' least and greatest
 * and, for !=, a binary search: no quadratic walk for a name with 100,000 versions. */
static int holds_for_others(uint32_t op, uint64_t ver, const stanza *const *st, uint32_t n, uint32_t j)
{
    uint64_t lo = st[j == 0 ? 1 : 0]->version, hi = st[j == n - 1 ? n - 2 : n - 1]->version;
    switch (op) {
    case OP_EQ: return lo == ver && hi == ver;
    case OP_LT: return hi < ver;
    case OP_LE: return hi <= ver;
    case OP_GT: return lo > ver;
    case OP_GE: return lo >= ver;
    case OP_NE: {
        uint32_t a = 0, z = n;   /* the first version >= ver */
        while (a < z) {
            uint32_t m = a + (z - a) / 2;
            if (st[m]->version < ver)
                a = m + 1;
            else
                z = m;
        }
        return a == n || st[a]->version != ver || a == j;
    }
    default: return 1;
    }
}

static int find_groups(builder *b)
{
    const vs_universe *u = b->u;
    b->grouped = calloc(u->names.len ? u->names.len : 1, 1);
    if (!b->grouped)
        return VSOLVE_ENOMEM;
    for (uint32_t k = 0; k < u->names.len; k++) {
        const vs_name *nm = &u->names.items[k];
        if (nm->n_pkgs < 2)
            continue;
        const stanza *const *vs = (const stanza *const *)b->st + nm->first_pkg;
        int ascending = 1;
        for (uint32_t i = 1; i < nm->n_pkgs && ascending; i++)
            ascending = vs[i - 1]->version < vs[i]->version;
        uint32_t without = 0;
        for (uint32_t j = 0; j < nm->n_pkgs && without <= 1; j++) {
            uint32_t p = nm->first_pkg + j;
            const stanza *st = b->st[p];
            int covers = 0;
            for (uint32_t c = 0; c < st->conf_count && !covers; c++) {
                const vpkg *vp = &b->ps->vpkgs.items[st->conf_first + c];
                if (vp->name != nm->str)
                    continue;
                covers = 1;
                if (ascending)
                    covers = holds_for_others(vp->op, vp->ver, vs, nm->n_pkgs, j);
                for (uint32_t i = 0; i < nm->n_pkgs && covers && !ascending; i++)
                    if (nm->first_pkg + i != p && !op_holds(vp->op, b->st[nm->first_pkg + i]->version, vp->ver))
                        covers = 0;
            }
            without += !covers;
        }
        b->grouped[k] = without <= 1;
    }
    return VSOLVE_OK;
}

static int add_package_rules(builder *b, uint32_t p)
{
    const stanza *st = b->st[p];
    const parser *ps = b->ps;
    int rc;
    for (uint32_t c = 0; c < st->dep_count; c++) {
        const dclause *cl = &ps->clauses.items[st->dep_first + c];
        /* a clause's text determines its providers: the same text seen before is copied */
        uint32_t *seen = cl->desc < b->n_strings ? &b->clause_of_desc[cl->desc] : NULL;
        b->out.len = 0;
        if (seen && *seen) {
            const vs_clause *prev = &b->u->clauses.items[*seen - 1];
            if (prev->count && !vec_append(&b->out, b->u->ids.items + prev->first, prev->count))
                return VSOLVE_ENOMEM;
        } else {
            b->epoch++;
            for (uint32_t i = 0; i < cl->count; i++)
                if ((rc = collect(b, &ps->vpkgs.items[cl->first + i], VS_NONE, 0)) != VSOLVE_OK)
                    return rc;
        }
        if ((rc = universe_add_clause(b->u, p, cl->desc, b->out.items, b->out.len)) != VSOLVE_OK)
            return rc;
        if (seen && !*seen)
            *seen = (uint32_t)b->u->clauses.len;
    }
    uint32_t own = b->u->pkgs.items[p].name;
    b->epoch++;
    b->out.len = 0;
    for (uint32_t c = 0; c < st->conf_count; c++) {
        const vpkg *vp = &ps->vpkgs.items[st->conf_first + c];
        int own_grouped = b->grouped[own] && vp->name == b->u->names.items[own].str;
        if ((rc = collect(b, vp, p, own_grouped)) != VSOLVE_OK)
            return rc;
    }
    return universe_add_conflicts(b->u, p, b->out.items, b->out.len);
}

static int add_groups(builder *b)
{
    vs_universe *u = b->u;
    for (uint32_t k = 0; k < u->names.len; k++) {
        if (!b->grouped[k] || u->names.items[k].n_pkgs < 2)
            continue;
        const vs_name *nm = &u->names.items[k];
        b->out.len = 0;
        for (uint32_t j = 0; j < nm->n_pkgs; j++)
            if (!vec_push(&b->out, nm->first_pkg + j))
                return VSOLVE_ENOMEM;
        uint32_t g;
        int rc = universe_add_group(u, nm->str, b->out.items, b->out.len, &g);
        if (rc != VSOLVE_OK)
            return rc;
        for (uint32_t j = 0; j < nm->n_pkgs; j++)
            u->pkgs.items[nm->first_pkg + j].slot = g;
    }
    return VSOLVE_OK;
}

/* An installed package: its keep: property becomes request atoms; without one, it is kept if
 * possible (unless an upgrade of its name asks for a newer version). */
static int keep_installed(builder *b, uint32_t p, int upgraded)
{
    vs_universe *u = b->u;
    const stanza *st = b->st[p];
    const char *name = universe_pkg_name(u, p), *ver = universe_pkg_version(u, p);
    uint32_t nm = u->pkgs.items[p].name, desc;
    char buf[256];
    int rc = VSOLVE_OK;
    switch (st->keep) {
    case KEEP_VERSION:
        snprintf(buf, sizeof buf, "%s = %s (installed, keep: version)", name, ver);
        if ((desc = universe_intern(u, buf, strlen(buf))) == UINT32_MAX)
            return VSOLVE_ENOMEM;
        return request_add_atom(b->req, desc, nm, &p, 1);
    case KEEP_PACKAGE: {
        snprintf(buf, sizeof buf, "%s (installed, keep: package)", name);
        if ((desc = universe_intern(u, buf, strlen(buf))) == UINT32_MAX)
            return VSOLVE_ENOMEM;
        const vs_name *n = &u->names.items[nm];
        b->out.len = 0;
        for (uint32_t j = 0; j < n->n_pkgs; j++)
            if (!vec_push(&b->out, n->first_pkg + j))
                return VSOLVE_ENOMEM;
        return request_add_atom(b->req, desc, nm, b->out.items, b->out.len);
    }
    case KEEP_FEATURE:
        for (uint32_t i = 0; i < st->prov_count && rc == VSOLVE_OK; i++) {
            const vpkg *vp = &b->ps->vpkgs.items[st->prov_first + i];
            snprintf(buf, sizeof buf, "%s (provided by installed %s = %s, keep: feature)",
                     universe_str(u, vp->name), name, ver);
            if ((desc = universe_intern(u, buf, strlen(buf))) == UINT32_MAX)
                return VSOLVE_ENOMEM;
            b->epoch++;
            b->out.len = 0;
            if ((rc = collect(b, vp, VS_NONE, 0)) == VSOLVE_OK)
                rc = request_add_atom(b->req, desc, real_name(b, vp->name), b->out.items, b->out.len);
        }
        return rc;
    default:
        return upgraded ? VSOLVE_OK : request_keep(b->req, p);
    }
}

static int add_request(builder *b)
{
    const parser *ps = b->ps;
    vs_universe *u = b->u;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < ps->request.len && rc == VSOLVE_OK; i++) {
        const req_item *it = &ps->request.items[i];
        const vpkg *vp = &ps->vpkgs.items[it->vp];
        uint32_t nm = real_name(b, vp->name);
        b->epoch++;
        b->out.len = 0;
        if ((rc = collect(b, vp, VS_NONE, 0)) != VSOLVE_OK)
            return rc;
        if (it->kind == REQ_REMOVE) {
            rc = request_forbid(b->req, it->desc, nm, b->out.items, b->out.len);
            continue;
        }
        if (it->kind == REQ_UPGRADE && nm != VS_NONE) {
            /* CUDF: never older than the newest installed version of the name */
            uint64_t floor = 0;
            const vs_name *n = &u->names.items[nm];
            for (uint32_t j = 0; j < n->n_pkgs; j++)
                if (b->st[n->first_pkg + j]->installed)
                    floor = b->st[n->first_pkg + j]->version;
            size_t k = 0;
            for (size_t j = 0; j < b->out.len; j++) {
                uint32_t q = b->out.items[j];
                if (u->pkgs.items[q].name != nm || b->st[q]->version >= floor)
                    b->out.items[k++] = q;
            }
            b->out.len = k;
        }
        rc = request_add_atom(b->req, it->desc, nm, b->out.items, b->out.len);
    }
    /* installed packages: kept as their keep: property says, or kept if possible (except the
     * versions that an upgrade asks to replace) */
    unsigned char *upgraded = calloc(u->names.len ? u->names.len : 1, 1);
    if (!upgraded)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < ps->request.len; i++) {
        uint32_t nm = real_name(b, ps->vpkgs.items[ps->request.items[i].vp].name);
        if (ps->request.items[i].kind == REQ_UPGRADE && nm != VS_NONE)
            upgraded[nm] = 1;
    }
    for (uint32_t p = 0; p < u->pkgs.len && rc == VSOLVE_OK; p++)
        if (b->st[p]->installed)
            rc = keep_installed(b, p, upgraded[u->pkgs.items[p].name]);
    free(upgraded);
    return rc;
}

/* Finds the first stanza the universe dropped as a duplicate (same name and version). */
static int duplicate_error(parser *ps, vs_universe *u)
{
    unsigned char *kept = calloc(ps->pkgs.len ? ps->pkgs.len : 1, 1);
    if (!kept)
        return oom(ps);
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        kept[(const stanza *)u->pkgs.items[p].user - ps->pkgs.items] = 1;
    size_t i = 0;
    while (i < ps->pkgs.len && kept[i])
        i++;
    free(kept);
    const stanza *dup = &ps->pkgs.items[i < ps->pkgs.len ? i : 0];
    unsigned other = 0;
    uint32_t nm = dup->name < u->name_of_str_len ? u->name_of_str[dup->name] : VS_NONE;
    for (uint32_t j = 0; nm != VS_NONE && j < u->names.items[nm].n_pkgs; j++) {
        const stanza *st = u->pkgs.items[u->names.items[nm].first_pkg + j].user;
        if (st->version == dup->version)
            other = st->line;
    }
    return vs_error_at(ps->err, ps->file, dup->line, 1,
                       "expected each package version once, found %s version %s again (first at line %u)",
                       universe_str(u, dup->name), universe_str(u, dup->version_str), other);
}

static int build(parser *ps, vs_universe *u, vs_request *req, cudf_opam_map *map)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < ps->pkgs.len && rc == VSOLVE_OK; i++) {
        stanza *st = &ps->pkgs.items[i];
        rc = universe_add_package(u, st->name, st->version_str, st->avoid ? VS_PKG_AVOID : 0, st);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(u, version_cmp);
    if (rc != VSOLVE_OK)
        return oom(ps);
    if (u->pkgs.len != ps->pkgs.len)
        return duplicate_error(ps, u);

    builder b = { .ps = ps, .u = u, .req = req, .n_strings = u->strings.count };
    size_t n = u->pkgs.len;
    b.st = malloc((n ? n : 1) * sizeof *b.st);
    b.ver = malloc((n ? n : 1) * sizeof *b.ver);
    b.stamp = calloc(n ? n : 1, sizeof *b.stamp);
    b.clause_of_desc = calloc(b.n_strings ? b.n_strings : 1, sizeof *b.clause_of_desc);
    if (!b.st || !b.ver || !b.stamp || !b.clause_of_desc)
        rc = VSOLVE_ENOMEM;
    for (size_t p = 0; p < n && rc == VSOLVE_OK; p++) {
        b.st[p] = u->pkgs.items[p].user;
        b.ver[p] = b.st[p]->version;
        u->pkgs.items[p].user = NULL;   /* the stanzas do not outlive the load */
    }
    if (rc == VSOLVE_OK)
        rc = index_provides(&b);
    if (rc == VSOLVE_OK)
        rc = find_groups(&b);
    for (uint32_t p = 0; p < n && rc == VSOLVE_OK; p++)
        rc = add_package_rules(&b, p);
    if (rc == VSOLVE_OK)
        rc = add_groups(&b);
    if (rc == VSOLVE_OK)
        rc = add_request(&b);
    if (rc == VSOLVE_OK && map) {
        map->name = malloc((n ? n : 1) * sizeof *map->name);
        map->version = malloc((n ? n : 1) * sizeof *map->version);
        if (!map->name || !map->version)
            rc = VSOLVE_ENOMEM;
        for (size_t p = 0; p < n && rc == VSOLVE_OK; p++) {
            map->name[p] = b.st[p]->opam_name;
            map->version[p] = b.st[p]->opam_version;
        }
        map->count = rc == VSOLVE_OK ? n : 0;
    }
    free(b.st);
    free(b.ver);
    free(b.stamp);
    free(b.clause_of_desc);
    free(b.prov_start);
    free(b.provides);
    free(b.grouped);
    vec_free(&b.out);
    if (rc == VSOLVE_ENOMEM)
        return oom(ps);
    if (rc != VSOLVE_OK)
        return vs_error_set(ps->err, rc, "%s: building the universe failed (status %d)", ps->file, rc);
    return VSOLVE_OK;
}

/* ---- entry points ---------------------------------------------------------------------- */

int cudf_load_memory_ex(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                        cudf_stats *stats, cudf_opam_map *map, vs_error *err)
{
    vs_error_clear(err);
    if (map)
        memset(map, 0, sizeof *map);
    parser ps = { .file = filename ? filename : "<cudf>", .text = text, .end = text + len, .u = u, .err = err,
                  .want_opam = map != NULL };
    int rc = parse_document(&ps);
    if (rc == VSOLVE_OK)
        rc = build(&ps, u, req, map);
    if (rc == VSOLVE_OK && stats) {
        stats->packages = ps.pkgs.len;
        stats->installed = 0;
        for (size_t i = 0; i < ps.pkgs.len; i++)
            stats->installed += ps.pkgs.items[i].installed;
    }
    if (rc != VSOLVE_OK && map)
        cudf_opam_map_free(map);
    vec_free(&ps.pkgs);
    vec_free(&ps.vpkgs);
    vec_free(&ps.clauses);
    vec_free(&ps.request);
    vec_free(&ps.decls);
    vec_free(&ps.scratch);
    return rc;
}

int cudf_load_memory(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                     cudf_stats *stats, vs_error *err)
{
    return cudf_load_memory_ex(u, req, filename, text, len, stats, NULL, err);
}

int cudf_load_ex(vs_universe *u, vs_request *req, const char *path, cudf_stats *stats, cudf_opam_map *map,
                 vs_error *err)
{
    size_t len;
    char *text = repo_read_file(path, &len, err);
    if (!text) {
        if (map)
            memset(map, 0, sizeof *map);
        return err->code;
    }
    int rc = cudf_load_memory_ex(u, req, path, text, len, stats, map, err);
    free(text);
    return rc;
}

int cudf_load(vs_universe *u, vs_request *req, const char *path, cudf_stats *stats, vs_error *err)
{
    return cudf_load_ex(u, req, path, stats, NULL, err);
}

void cudf_opam_map_free(cudf_opam_map *map)
{
    free(map->name);
    free(map->version);
    memset(map, 0, sizeof *map);
}

const char *cudf_opam_name(const vs_universe *u, const cudf_opam_map *map, uint32_t pkg)
{
    return pkg < map->count && map->name[pkg] != VS_NONE ? universe_str(u, map->name[pkg]) : NULL;
}

const char *cudf_opam_version(const vs_universe *u, const cudf_opam_map *map, uint32_t pkg)
{
    return pkg < map->count && map->version[pkg] != VS_NONE ? universe_str(u, map->version[pkg]) : NULL;
}

int cudf_write_solution(FILE *out, const vs_universe *u, const vs_solution *s)
{
    if (s->status == VSOLVE_OK) {
        for (size_t i = 0; i < s->pkgs.len; i++)
            fprintf(out, "%spackage: %s\nversion: %s\ninstalled: true\n", i ? "\n" : "",
                    universe_pkg_name(u, s->pkgs.items[i]), universe_pkg_version(u, s->pkgs.items[i]));
    } else {
        fprintf(out, "FAIL\n%s", s->explanation ? s->explanation : "");
        if (s->explanation && *s->explanation && s->explanation[strlen(s->explanation) - 1] != '\n')
            fputc('\n', out);
    }
    return ferror(out) ? VSOLVE_EIO : VSOLVE_OK;
}
