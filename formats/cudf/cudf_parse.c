/* cudf_parse.c: the CUDF 2.0 reader: the preamble's property declarations, the package stanzas
 * and the request stanza of a document, into a cudf_doc. */
#include "cudf_doc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------------------------- */

/* "FILE:LINE:COL: expected WHAT, found ..." at the cursor. */
static int expected(cudf_doc *ps, const char *what)
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
static void skip_ws(cudf_doc *ps)
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

static int at_end(cudf_doc *ps)
{
    skip_ws(ps);
    return ps->p >= ps->vend;
}

static int expect_end(cudf_doc *ps)
{
    return at_end(ps) ? VSOLVE_OK : expected(ps, "the end of the value");
}

static int intern(cudf_doc *ps, const char *s, size_t len, uint32_t *id)
{
    *id = universe_intern(ps->u, s, len);
    return *id == UINT32_MAX ? cudf_oom(ps) : VSOLVE_OK;
}

/* Interns s[0..len) with every run of blanks and line breaks turned into one space (continued
 * values keep their words apart, and descriptions stay on one line). */
static int intern_folded(cudf_doc *ps, const char *s, size_t len, uint32_t *id)
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
        return cudf_oom(ps);
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

static int parse_pkgname(cudf_doc *ps, uint32_t *id)
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
static int parse_digits(cudf_doc *ps, uint64_t *v, const char **start, size_t *len, const char *what)
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
static int parse_relop(cudf_doc *ps, uint32_t *op)
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
static int parse_constraint(cudf_doc *ps, vpkg *vp, int eq_only)
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

static int parse_vpkg(cudf_doc *ps, vpkg *vp, int eq_only)
{
    int rc = parse_pkgname(ps, &vp->name);
    return rc == VSOLVE_OK ? parse_constraint(ps, vp, eq_only) : rc;
}

static int push_vpkg(cudf_doc *ps, const vpkg *vp)
{
    return vec_push(&ps->vpkgs, *vp) ? VSOLVE_OK : cudf_oom(ps);
}

/* vpkgformula: and-list (',') of or-lists ('|') of vpkgs, or true! / false!. With keep, the
 * conjuncts are appended to ps->clauses (true! ones left out); otherwise only checked. */
static int parse_formula(cudf_doc *ps, int keep)
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
                return cudf_oom(ps);
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
static int parse_vpkglist(cudf_doc *ps, int eq_only, int record, uint32_t kind)
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
                return cudf_oom(ps);
        }
        if (at_end(ps))
            return VSOLVE_OK;
        if (*ps->p != ',')
            return expected(ps, "',' between packages, or the end of the value");
        ps->p++;
    }
}

/* A lowercase identifier ([a-z][a-z0-9-]*); *len is 0 when there is none. */
static const char *scan_ident(cudf_doc *ps, size_t *len)
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

static int parse_bool(cudf_doc *ps, unsigned char *b)
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

static int parse_int(cudf_doc *ps, int type, int64_t *v)
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
static int string_value(cudf_doc *ps, uint32_t *id)
{
    skip_ws(ps);
    const char *s = ps->p, *e = ps->vend;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    ps->p = ps->vend;
    return intern_folded(ps, s, (size_t)(e - s), id);
}

/* A value of a declared type (d may be NULL for the built-in types). Numbers go to *ival. */
static int parse_typed(cudf_doc *ps, int type, const decl *d, int64_t *ival)
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
static int parse_quoted(cudf_doc *ps)
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
static int parse_default(cudf_doc *ps, decl *d)
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
static int parse_typedecl(cudf_doc *ps)
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
            return cudf_oom(ps);
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

static const decl *find_decl(const cudf_doc *ps, const char *k, size_t len)
{
    for (size_t i = 0; i < ps->decls.len; i++)
        if (ps->decls.items[i].len == len && memcmp(ps->decls.items[i].name, k, len) == 0)
            return &ps->decls.items[i];
    return NULL;
}

/* Marks key as seen in *seen; an error at the key if it was seen already. */
static int once(cudf_doc *ps, uint32_t *seen, int key, const char *at)
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

static int package_property(cudf_doc *ps, int key, const char *k, size_t klen)
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

static int request_property(cudf_doc *ps, int key, const char *k)
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

static int start_stanza(cudf_doc *ps, const char *k, size_t klen)
{
    int rc;
    if (word_is(k, klen, "package") && !ps->seen_request) {
        stanza st = { .line = ps->line, .opam_name = VS_NONE, .opam_version = VS_NONE, .seen = 1u << K_PACKAGE };
        if ((rc = parse_pkgname(ps, &st.name)) != VSOLVE_OK || (rc = expect_end(ps)) != VSOLVE_OK)
            return rc;
        if (!vec_push(&ps->pkgs, st))
            return cudf_oom(ps);
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
static int property(cudf_doc *ps, const char *vend)
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

static int end_stanza(cudf_doc *ps)
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

int cudf_parse_document(cudf_doc *ps)
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

void cudf_doc_free(cudf_doc *ps)
{
    vec_free(&ps->pkgs);
    vec_free(&ps->vpkgs);
    vec_free(&ps->clauses);
    vec_free(&ps->request);
    vec_free(&ps->decls);
    vec_free(&ps->scratch);
}
