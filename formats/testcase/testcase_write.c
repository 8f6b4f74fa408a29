/* testcase_write.c: writing a universe, request and answer as a neutral YAML test case. */
#include "testcase.h"
#include <stdlib.h>
#include <string.h>
#include "cone.h"
#include "utf8.h"

/* ---- YAML scalars ---------------------------------------------------------------------- */

/* The code point of the valid UTF-8 sequence s[0..len). */
static unsigned long code_point(const unsigned char *s, size_t len)
{
    static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
    unsigned long cp = s[0] & lead_mask[len];
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* Characters a YAML reader takes as they are inside a double-quoted scalar: printable, and
 * neither a line break (U+0085, U+2028, U+2029 fold like newlines) nor a byte order mark. */
static int plain_char(unsigned long cp)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp != 0x7F && cp != '"' && cp != '\\';
    return cp >= 0xA0 && cp != 0x2028 && cp != 0x2029 && cp != 0xFEFF && cp != 0xFFFE && cp != 0xFFFF &&
           !(cp >= 0xD800 && cp <= 0xDFFF);
}

void testcase_yaml_quoted(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t avail = strlen(str);
    fputc('"', out);
    while (avail > 0) {
        size_t len = utf8_sequence_length(s, avail);
        unsigned long cp = len ? code_point(s, len) : s[0];
        if (len && plain_char(cp)) {
            fwrite(s, 1, len, out);
        } else if (len == 0) {
            fprintf(out, "\\x%02X", s[0]);   /* not UTF-8: read back as U+00XX */
            len = 1;
        } else if (cp == '"' || cp == '\\') {
            fprintf(out, "\\%c", (int)cp);
        } else if (cp == '\n') {
            fputs("\\n", out);
        } else if (cp == '\t') {
            fputs("\\t", out);
        } else if (cp < 0x100) {
            fprintf(out, "\\x%02lX", cp);
        } else {
            fprintf(out, "\\u%04lX", cp);
        }
        s += len;
        avail -= len;
    }
    fputc('"', out);
}

/* A word written as it is: letters, digits and . _ + ~ - (starting with a letter or digit). */
static int plain_word(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("._+~-", *s)))
            return 0;
    return 1;
}

/* A name, version or description: plain when it is a plain word, else double-quoted. */
static void scalar(FILE *out, const char *s)
{
    if (plain_word(s))
        fputs(s, out);
    else
        testcase_yaml_quoted(out, s);
}

/* A text that reads back the same from a literal block (`|` keeps one final newline, `|-`
 * none): printable lines without trailing blanks, the first not starting with a blank. */
static int literal_ok(const char *text)
{
    size_t n = strlen(text);
    if (n == 0 || text[0] == ' ' || text[0] == '\n' || (n >= 2 && text[n - 1] == '\n' && text[n - 2] == '\n'))
        return 0;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence_length(s + i, n - i);
        if (len == 0)
            return 0;
        unsigned long cp = code_point(s + i, len);
        if (cp == '\n') {
            if (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\n'))
                return 0;   /* a trailing blank, or an empty line (kept, but hard to read) */
        } else if (!plain_char(cp) && cp != '"' && cp != '\\') {
            return 0;
        }
        i += len;
    }
    return s[n - 1] != ' ';
}

static void text_block(FILE *out, const char *key, const char *text)
{
    if (!literal_ok(text)) {
        fprintf(out, "%s: ", key);
        testcase_yaml_quoted(out, text);
        fputc('\n', out);
        return;
    }
    size_t n = strlen(text);
    fprintf(out, "%s: |%s\n  ", key, text[n - 1] == '\n' ? "" : "-");
    for (size_t i = 0; i < n; i++) {
        fputc(text[i], out);
        if (text[i] == '\n' && i + 1 < n)
            fputs("  ", out);
    }
    if (text[n - 1] != '\n')
        fputc('\n', out);
}

/* { "name": [ "v", ... ], ... }: runs of one name stay in order (a name may come back). */
static void pkg_set(FILE *out, const vs_universe *u, const uint32_t *pkgs, size_t n, uint32_t lead_name)
{
    fputs("{", out);
    int any = 0;
    if (lead_name != VS_NONE && (n == 0 || u->pkgs.items[pkgs[0]].name != lead_name)) {
        fputc(' ', out);
        scalar(out, universe_str(u, u->names.items[lead_name].str));
        fputs(": []", out);
        any = 1;
    }
    for (size_t i = 0; i < n;) {
        uint32_t name = u->pkgs.items[pkgs[i]].name;
        fputs(any ? ", " : " ", out);
        any = 1;
        scalar(out, universe_pkg_name(u, pkgs[i]));
        fputs(": [ ", out);
        for (size_t j = i; i < n && u->pkgs.items[pkgs[i]].name == name; i++) {
            fputs(i > j ? ", " : "", out);
            scalar(out, universe_pkg_version(u, pkgs[i]));
        }
        fputs(" ]", out);
    }
    fputs(any ? " }" : "}", out);
}

int testcase_write_answer(FILE *out, const vs_universe *u, const vs_solution *s, int as_list)
{
    if (s->status == VSOLVE_OK && as_list) {
        fputs("solution: [", out);
        for (size_t i = 0; i < s->pkgs.len; i++) {
            fputs(i ? ", " : " ", out);
            size_t len = strlen(universe_pkg_name(u, s->pkgs.items[i])) + strlen(universe_pkg_version(u, s->pkgs.items[i])) + 2;
            char *key = malloc(len);
            if (!key)
                return VSOLVE_ENOMEM;
            snprintf(key, len, "%s.%s", universe_pkg_name(u, s->pkgs.items[i]), universe_pkg_version(u, s->pkgs.items[i]));
            scalar(out, key);
            free(key);
        }
        fputs(s->pkgs.len ? " ]\n" : "]\n", out);
    } else if (s->status == VSOLVE_OK) {
        fputs("solution:", out);
        for (size_t i = 0; i < s->pkgs.len;) {
            uint32_t name = u->pkgs.items[s->pkgs.items[i]].name;
            fputs("\n  ", out);
            scalar(out, universe_pkg_name(u, s->pkgs.items[i]));
            fputs(": [ ", out);
            for (size_t j = i; i < s->pkgs.len && u->pkgs.items[s->pkgs.items[i]].name == name; i++) {
                fputs(i > j ? ", " : "", out);
                scalar(out, universe_pkg_version(u, s->pkgs.items[i]));
            }
            fputs(" ]", out);
        }
        fputs(s->pkgs.len ? "\n" : " {}\n", out);
    } else {
        text_block(out, "explanation", s->explanation ? s->explanation : "");
    }
    return ferror(out) ? VSOLVE_EIO : VSOLVE_OK;
}

/* ---- the universe ---------------------------------------------------------------------- */

static void write_clauses(FILE *out, const vs_universe *u, const char *key, uint32_t first, uint32_t count)
{
    fprintf(out, "      %s:%s\n", key, count ? "" : " []");
    for (uint32_t c = 0; c < count; c++) {
        const vs_clause *cl = &u->clauses.items[first + c];
        const char *desc = universe_str(u, cl->desc);
        if (cl->cond == VS_NONE && strcmp(desc, "clause") != 0) {
            fputs("        - ", out);
            scalar(out, desc);
            fputs(": ", out);
        } else {
            fputs("        - clause: ", out);
            scalar(out, desc);
            if (cl->cond != VS_NONE) {
                fputs("\n          if: ", out);
                pkg_set(out, u, &cl->cond, 1, VS_NONE);
            }
            fputs("\n          providers: ", out);
        }
        pkg_set(out, u, vec_at(&u->ids, cl->first), cl->count, VS_NONE);
        fputc('\n', out);
    }
}

static void write_package(FILE *out, const vs_universe *u, uint32_t pkg, int in_cone, const unsigned char *dumped)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    static const struct { uint32_t flag; const char *word; } words[] = {
        { VS_PKG_AVOID, "avoid" }, { VS_PKG_UNAVAILABLE, "unavailable" }, { VS_PKG_VIRTUAL, "virtual" },
    };
    fputs("    ", out);
    scalar(out, universe_pkg_version(u, pkg));
    int has_conflicts = 0;
    for (uint32_t c = 0; in_cone && c < p->conflict_count; c++)
        has_conflicts |= dumped[u->ids.items[p->conflict_first + c]];
    uint32_t flags = p->flags & (VS_PKG_AVOID | VS_PKG_UNAVAILABLE | VS_PKG_VIRTUAL);
    /* why an unavailable package is (attr "unavailable-because"), when the attributes are read */
    uint32_t why_key = attrs_pending(&u->attrs) ? VS_ATTR_NONE : attrs_find_key(&u->attrs, "unavailable-because");
    const char *why = why_key != VS_ATTR_NONE && (p->flags & VS_PKG_UNAVAILABLE) ? attrs_lookup(&u->attrs, pkg, why_key) : NULL;
    if (!flags && (!in_cone || (!p->clause_count && !(p->flags & VS_PKG_ROOT_VARIANT) && !has_conflicts))) {
        fputs(": {}\n", out);
        return;
    }
    fputs(":\n", out);
    if (flags) {
        fputs("      flags: [", out);
        int n = 0;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
            if (flags & words[w].flag)
                fprintf(out, "%s %s", n++ ? "," : "", words[w].word);
        fputs(" ]\n", out);
    }
    if (why) {
        fputs("      attrs: { unavailable-because: ", out);
        testcase_yaml_quoted(out, why);
        fputs(" }\n", out);
    }
    if (!in_cone)
        return;
    if (p->clause_count)
        write_clauses(out, u, "depends", p->clause_first, p->clause_count);
    if (p->flags & VS_PKG_ROOT_VARIANT)
        write_clauses(out, u, "root-depends", p->root_clause_first, p->root_clause_count);
    if (has_conflicts) {
        u32_vec ids = { 0 };
        for (uint32_t c = 0; c < p->conflict_count; c++) {
            uint32_t q = u->ids.items[p->conflict_first + c];
            if (dumped[q] && !vec_push(&ids, q))
                break;
        }
        fputs("      conflicts: ", out);
        pkg_set(out, u, ids.items, ids.len, VS_NONE);
        fputc('\n', out);
        vec_free(&ids);
    }
    /* of the other attributes, none changes an answer or its explanation: not written */
}

static void touch(const vs_universe *u, unsigned char *names, uint32_t pkg)
{
    names[u->pkgs.items[pkg].name] = 1;
}

static void touch_clauses(const vs_universe *u, unsigned char *names, uint32_t first, uint32_t count)
{
    for (uint32_t c = 0; c < count; c++) {
        const vs_clause *cl = &u->clauses.items[first + c];
        if (cl->cond != VS_NONE)
            touch(u, names, cl->cond);
        for (uint32_t j = 0; j < cl->count; j++)
            touch(u, names, u->ids.items[cl->first + j]);
    }
}

int testcase_write(FILE *out, const vs_universe *u, const vs_request *req, const vs_solution *s,
                   tc_ecosystem ecosystem, const char *description)
{
    vs_cone cone;
    if (cone_whole(&cone, u, req) != VSOLVE_OK) {
        cone_free(&cone);
        return VSOLVE_ENOMEM;
    }
    unsigned char *names = calloc(u->names.len + 1, 1), *dumped = calloc(u->pkgs.len + 1, 1);
    u32_vec ids = { 0 };
    if (!names || !dumped) {
        free(names);
        free(dumped);
        cone_free(&cone);
        return VSOLVE_ENOMEM;
    }
    /* every name the request's whole cone touches, with all its versions */
    for (size_t i = 0; i < cone.len; i++) {
        const vs_pkg *p = &u->pkgs.items[cone.items[i]];
        touch(u, names, cone.items[i]);
        touch_clauses(u, names, p->clause_first, p->clause_count);
        if (p->flags & VS_PKG_ROOT_VARIANT)
            touch_clauses(u, names, p->root_clause_first, p->root_clause_count);
        for (uint32_t c = 0; c < p->conflict_count; c++)
            touch(u, names, u->ids.items[p->conflict_first + c]);
    }
    for (size_t i = 0; i < req->ids.len; i++)
        touch(u, names, req->ids.items[i]);
    for (size_t i = 0; i < req->atoms.len; i++)
        if (req->atoms.items[i].name != VS_NONE)
            names[req->atoms.items[i].name] = 1;
    for (size_t i = 0; i < req->keep.len; i++)
        touch(u, names, req->keep.items[i]);
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        dumped[p] = names[u->pkgs.items[p].name];

    fputs("# vsolve test case (written by --dump-testcase)\ndescription: ", out);
    testcase_yaml_quoted(out, description ? description : "a saved request");
    int any_name = 0;
    for (uint32_t k = 0; k < u->names.len; k++)
        any_name |= names[k];
    fprintf(out, "\necosystem: %s\nuniverse:%s\n", testcase_ecosystem_name(ecosystem), any_name ? "" : " {}");
    for (uint32_t k = 0; k < u->names.len; k++) {
        if (!names[k])
            continue;
        fputs("  ", out);
        scalar(out, universe_str(u, u->names.items[k].str));
        fputs(":\n", out);
        for (uint32_t j = 0; j < u->names.items[k].n_pkgs; j++) {
            uint32_t p = u->names.items[k].first_pkg + j;
            write_package(out, u, p, cone_has(&cone, p), dumped);
        }
    }
    int any_group = 0;
    for (uint32_t g = 0; g < u->groups.len; g++) {
        const vs_group *gr = &u->groups.items[g];
        ids.len = 0;
        int slot = 0;
        for (uint32_t j = 0; j < gr->count; j++) {
            uint32_t q = u->ids.items[gr->first + j];
            if (dumped[q] && !vec_push(&ids, q))
                break;
            slot |= dumped[q] && u->pkgs.items[q].slot == g;
        }
        if (ids.len == 0)
            continue;
        fputs(any_group++ ? "  - group: " : "groups:\n  - group: ", out);
        scalar(out, universe_str(u, gr->desc));
        fputs(slot ? "\n    slot: true\n    members: " : "\n    members: ", out);
        pkg_set(out, u, ids.items, ids.len, VS_NONE);
        fputc('\n', out);
    }
    /* the preference, when it is not the ecosystem's default (testcase_build's rule) */
    int default_pref = ecosystem == TC_OPAM ? VS_PREFER_OPAM_CRITERIA : VS_PREFER_NEWEST_FIRST;
    if (req->preference != default_pref && req->preference != VS_PREFER_ANY)
        fputs(req->preference == VS_PREFER_OPAM_CRITERIA ? "preference: opam\n" : "preference: newest-first\n", out);
    fputs(req->atoms.len ? "request:\n" : "request: []\n", out);
    for (size_t i = 0; i < req->atoms.len; i++) {
        const vs_atom *a = &req->atoms.items[i];
        const char *desc = universe_str(u, a->desc);
        if (a->forbid) {
            fputs("  - atom: ", out);
            scalar(out, desc);
            fputs("\n    forbid: ", out);
        } else {
            fputs("  - ", out);
            scalar(out, desc);
            fputs(": ", out);
        }
        pkg_set(out, u, vec_at(&req->ids, a->first), a->count, a->name);
        fputc('\n', out);
    }
    if (req->keep.len) {
        fputs("keep: ", out);
        pkg_set(out, u, req->keep.items, req->keep.len, VS_NONE);
        fputc('\n', out);
    }
    int rc = testcase_write_answer(out, u, s, 0);
    vec_free(&ids);
    free(names);
    free(dumped);
    cone_free(&cone);
    return rc == VSOLVE_OK && ferror(out) ? VSOLVE_EIO : rc;
}
