/* opam_fixes.c: verified fixes for a refused opam request (opam_fixes.h). */
#include "opam_fixes.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deadline.h"
#include "nearest.h"
#include "opam_repo.h"
#include "vsolve.h"

/* Solves the request whose atoms are use[0..n) (an entry NULL: left out), `first` (if not NULL)
 * put before them, only for its status. On VSOLVE_OK, *version (if not NULL) is the version the
 * answer gives the name of the first atom. */
static int try_edited(vs_universe *u, const char *const *use, size_t n, const char *first, int preference,
                      double deadline, const char **version)
{
    vs_request req;
    vs_error err;
    vs_error_clear(&err);
    request_init(&req);
    req.preference = preference;
    req.status_only = 1;
    req.deadline = deadline;
    int rc = first ? opam_add_request_atom(u, &req, first, &err) : VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if (use[i])
            rc = opam_add_request_atom(u, &req, use[i], &err);
    if (rc == VSOLVE_OK)
        rc = request_need_clauses(u, &req, &err);
    vs_solution s;
    solution_init(&s);
    if (rc == VSOLVE_OK)
        rc = vs_solve(u, &req, &s);
    if (rc == VSOLVE_OK && version) {
        *version = NULL;
        uint32_t name = req.atoms.items[0].name;
        for (size_t k = 0; k < s.pkgs.len; k++)
            if (u->pkgs.items[s.pkgs.items[k]].name == name)
                *version = universe_pkg_version(u, s.pkgs.items[k]);
        if (!*version)
            rc = VSOLVE_UNSAT;
    }
    solution_free(&s);
    request_free(&req);
    return rc;
}

/* Solves atoms[0..n) with atom `skip` left out (SIZE_MAX: none), `first` (if not NULL) put
 * before the others and `instead` (if not NULL) in the place of `skip`: try_edited on that
 * list. On VSOLVE_OK, *version (if not NULL) is the version the answer gives the name of `first`. */
static int try_request(vs_universe *u, const char *const *atoms, size_t n, size_t skip, const char *first,
                       const char *instead, int preference, double deadline, const char **version)
{
    const char **use = malloc((n ? n : 1) * sizeof *use);
    if (!use)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        use[i] = i == skip ? instead : atoms[i];
    int rc = try_edited(u, use, n, first, preference, deadline, version);
    free(use);
    return rc;
}

static char *fmt(const char *f, const char *a, const char *b, const char *c)
{
    int len = snprintf(NULL, 0, f, a, b, c);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (s)
        snprintf(s, (size_t)len + 1, f, a, b, c);
    return s;
}

static int add_fix2(opam_fixes *out, const char *old, char *replacement, const char *old2, char *text)
{
    opam_fix *items = realloc(out->items, (out->len + 1) * sizeof *items);
    char *o = fmt("%s%s%s", old, "", ""), *o2 = old2 ? fmt("%s%s%s", old2, "", "") : NULL;
    if (!items || !o || !text || (old2 && !o2)) {
        if (items)
            out->items = items;
        free(o);
        free(o2);
        free(replacement);
        free(text);
        return VSOLVE_ENOMEM;
    }
    out->items = items;
    out->items[out->len++] = (opam_fix){ old2 ? 2 : 1, { o, o2 }, { replacement, NULL }, text };
    return VSOLVE_OK;
}

static int add_fix(opam_fixes *out, const char *old, char *replacement, char *text)
{
    return add_fix2(out, old, replacement, NULL, text);
}

/* Replaces two atoms together: old -> replacement, old2 -> replacement2 (taken over). */
static int add_fix_two_replaced(opam_fixes *out, const char *old, char *replacement, const char *old2,
                                char *replacement2, char *text)
{
    int rc = add_fix2(out, old, replacement, old2, text);
    if (rc == VSOLVE_OK)
        out->items[out->len - 1].replacement[1] = replacement2;
    else
        free(replacement2);
    return rc;
}

/* Solves atoms[0..n) without atoms a and b; on a refusal, the clash (indexes into atoms). */
static int try_without_two(vs_universe *u, const char *const *atoms, size_t n, size_t a, size_t b, double deadline,
                           u32_vec *clash)
{
    vs_request req;
    vs_error err;
    vs_error_clear(&err);
    request_init(&req);
    req.preference = VS_PREFER_ANY;
    req.deadline = deadline;
    u32_vec index = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if (i != a && i != b) {
            rc = opam_add_request_atom(u, &req, atoms[i], &err);
            if (rc == VSOLVE_OK && !vec_push(&index, (uint32_t)i))
                rc = VSOLVE_ENOMEM;
        }
    if (rc == VSOLVE_OK)
        rc = request_need_clauses(u, &req, &err);
    vs_solution s;
    solution_init(&s);
    if (rc == VSOLVE_OK)
        rc = vs_solve(u, &req, &s);
    if (clash)
        clash->len = 0;
    for (size_t i = 0; clash && rc == VSOLVE_UNSAT && i < s.clash.len; i++)
        if (!vec_push(clash, index.items[s.clash.items[i]]))
            rc = VSOLVE_ENOMEM;
    solution_free(&s);
    request_free(&req);
    vec_free(&index);
    return rc;
}

/* The operator of an atom NAME OP VERSION / NAME.VERSION after the name, or NULL for a bare name. */
static const char *atom_op(const char *atom, size_t name_len)
{
    const char *rest = atom + name_len;
    if (*rest == '.')
        return ".";
    static const char *const ops[] = { ">=", "<=", "!=", "=", ">", "<" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strncmp(rest, ops[i], strlen(ops[i])) == 0)
            return ops[i];
    return NULL;
}

/* The operator a relaxed atom gets: a lower bound stays one, an upper bound becomes `<=`, a
 * version (`=` or `.`) stays, `!=` becomes `.`. */
static const char *relaxed_op(const char *op)
{
    const char *nop = !strcmp(op, ">=") || !strcmp(op, ">") ? ">=" : !strcmp(op, "<=") || !strcmp(op, "<") ? "<=" : op;
    return !strcmp(nop, "!=") ? "." : nop;
}

/* The name and operator of an atom of an existing name with a version (relaxable): 1, else 0. */
static int relaxable(vs_universe *u, const char *atom, const char **name, const char **op)
{
    vs_request one;
    vs_error err;
    vs_error_clear(&err);
    request_init(&one);
    int parsed = opam_add_request_atom(u, &one, atom, &err) == VSOLVE_OK && one.atoms.items[0].name != VS_NONE;
    *name = parsed ? universe_str(u, u->names.items[one.atoms.items[0].name].str) : NULL;
    *op = parsed && strncmp(atom, *name, strlen(*name)) == 0 ? atom_op(atom, strlen(*name)) : NULL;
    request_free(&one);
    return *op != NULL;
}

/* Atom k of use[] relaxed: its name at the newest version the others allow (use[k] itself is
 * left out while asking). A new string, or NULL (none fits, or out of memory: *rc). */
static char *relax_in(vs_universe *u, const char **use, size_t n, size_t k, const char *name, const char *op,
                      double deadline, int *rc)
{
    const char *keep = use[k], *v = NULL;
    use[k] = NULL;
    int r = try_edited(u, use, n, name, VS_PREFER_NEWEST_FIRST, deadline, &v);
    use[k] = keep;
    if (r == VSOLVE_ENOMEM || r == VSOLVE_ETIMEOUT)
        *rc = r;
    if (r != VSOLVE_OK || !v)
        return NULL;
    char *repl = fmt("%s%s%s", name, relaxed_op(op), v);
    if (!repl)
        *rc = VSOLVE_ENOMEM;
    return repl;
}

/* Two clashes, atoms i and j each in one: relax both (i first, with j left out; then j, with i
 * relaxed), kept when the request with both relaxed solves. */
static int relax_pair(vs_universe *u, const char *const *atoms, size_t n, size_t i, size_t j, double deadline,
                      opam_fixes *out)
{
    const char *name_i, *op_i, *name_j, *op_j;
    if (!relaxable(u, atoms[i], &name_i, &op_i) || !relaxable(u, atoms[j], &name_j, &op_j))
        return VSOLVE_OK;
    const char **use = malloc(n * sizeof *use);
    if (!use)
        return VSOLVE_ENOMEM;
    memcpy(use, atoms, n * sizeof *use);
    int rc = VSOLVE_OK;
    use[j] = NULL;
    char *ri = relax_in(u, use, n, i, name_i, op_i, deadline, &rc), *rj = NULL;
    if (ri) {
        use[i] = ri;
        use[j] = atoms[j];
        rj = relax_in(u, use, n, j, name_j, op_j, deadline, &rc);
    }
    if (ri && rj && strcmp(ri, atoms[i]) != 0 && strcmp(rj, atoms[j]) != 0) {
        use[j] = rj;
        if (try_edited(u, use, n, NULL, VS_PREFER_ANY, deadline, NULL) == VSOLVE_OK) {
            int bound_i = !strcmp(relaxed_op(op_i), ">=") || !strcmp(relaxed_op(op_i), "<=");
            int bound_j = !strcmp(relaxed_op(op_j), ">=") || !strcmp(relaxed_op(op_j), "<=");
            const char *verb = bound_i && bound_j ? "relax" : !bound_i && !bound_j ? "replace" : "change";
            const char *to = bound_i || bound_j ? "to" : "with";
            size_t size = strlen(atoms[i]) + strlen(ri) + strlen(atoms[j]) + strlen(rj) + 80;
            char *words = malloc(size);
            if (words)
                snprintf(words, size, "%s `%s` %s `%s` and `%s` %s `%s` (the newest versions that fit)", verb, atoms[i], to,
                         ri, atoms[j], to, rj);
            rc = add_fix_two_replaced(out, atoms[i], ri, atoms[j], rj, words);
            ri = rj = NULL;
        }
    }
    free(ri);
    free(rj);
    free(use);
    return rc;
}

/* Is the search to go on: nothing failed and the deadline is not past (else *rc says why)? */
static int go_on(int *rc, double deadline)
{
    if (*rc == VSOLVE_OK && deadline_passed(deadline))
        *rc = VSOLVE_ETIMEOUT;
    return *rc == VSOLVE_OK;
}

int opam_find_fixes(vs_universe *u, const char *const *atoms, size_t n, const vs_solution *refusal, size_t max,
                    double deadline, opam_fixes *out)
{
    out->items = NULL;
    out->len = 0;
    int rc = VSOLVE_OK;
    for (size_t c = 0; c < refusal->clash.len && out->len < max && go_on(&rc, deadline); c++) {
        size_t i = refusal->clash.items[c];
        if (i >= n)
            continue;
        /* relax: the same name, at the newest version the other atoms allow */
        vs_request one;
        vs_error err;
        vs_error_clear(&err);
        request_init(&one);
        int parsed = opam_add_request_atom(u, &one, atoms[i], &err) == VSOLVE_OK && one.atoms.items[0].name != VS_NONE;
        const char *name = parsed ? universe_str(u, u->names.items[one.atoms.items[0].name].str) : NULL;
        const char *op = parsed && strncmp(atoms[i], name, strlen(name)) == 0 ? atom_op(atoms[i], strlen(name)) : NULL;
        if (op) {
            const char *v = NULL;
            int r = try_request(u, atoms, n, i, name, NULL, VS_PREFER_NEWEST_FIRST, deadline, &v);
            if (r == VSOLVE_OK && v) {
                const char *nop = !strcmp(op, ">=") || !strcmp(op, ">") ? ">=" : !strcmp(op, "<=") || !strcmp(op, "<") ? "<=" : op;
                if (!strcmp(nop, "!="))
                    nop = ".";
                char *repl = fmt("%s%s%s", name, nop, v);
                if (!repl)
                    rc = VSOLVE_ENOMEM;
                else if (strcmp(repl, atoms[i]) != 0 &&
                         try_request(u, atoms, n, i, NULL, repl, VS_PREFER_ANY, deadline, NULL) == VSOLVE_OK) {
                    int bound = strcmp(op, "=") && strcmp(op, ".") && strcmp(op, "!=");
                    char *words = fmt(bound ? "relax `%s` to `%s` (the newest version that fits is %s)"
                                            : "replace `%s` with `%s` (the newest version that fits)",
                                      atoms[i], repl, v);
                    rc = add_fix(out, atoms[i], repl, words);
                } else {
                    free(repl);
                }
            } else if (r == VSOLVE_ENOMEM || r == VSOLVE_ETIMEOUT) {
                rc = r;
            }
        }
        /* a name that does not exist: the nearest names instead */
        vs_error_clear(&err);
        if (rc == VSOLVE_OK && !parsed && one.atoms.len == 1 && one.atoms.items[0].name == VS_NONE) {
            size_t len = nearest_atom_name_len(atoms[i]);
            uint32_t near[2];
            size_t k = nearest_names(u, atoms[i], len, near, 2);
            for (size_t j = 0; j < k && go_on(&rc, deadline) && out->len < max; j++) {
                char *repl = fmt("%s%s%s", universe_str(u, u->names.items[near[j]].str), atoms[i] + len, "");
                if (!repl)
                    rc = VSOLVE_ENOMEM;
                else if (try_request(u, atoms, n, i, NULL, repl, VS_PREFER_ANY, deadline, NULL) == VSOLVE_OK)
                    rc = add_fix(out, atoms[i], repl, fmt("replace `%s` with `%s` (a package of a near name)", atoms[i], repl, ""));
                else
                    free(repl);
            }
        }
        request_free(&one);
        /* drop */
        if (rc == VSOLVE_OK && out->len < max) {
            int r = try_request(u, atoms, n, i, NULL, NULL, VS_PREFER_ANY, deadline, NULL);
            if (r == VSOLVE_OK)
                rc = add_fix(out, atoms[i], NULL, fmt("drop `%s`", atoms[i], "", ""));
            else if (r == VSOLVE_ENOMEM || r == VSOLVE_ETIMEOUT)
                rc = r;
        }
    }
    /* no single edit: two clashes; drop an atom of each */
    u32_vec second = { 0 };
    for (size_t c = 0; c < refusal->clash.len && out->len == 0 && go_on(&rc, deadline); c++) {
        size_t i = refusal->clash.items[c];
        if (i >= n)
            continue;
        int r = try_without_two(u, atoms, n, i, i, deadline, &second);
        for (size_t d = 0; r == VSOLVE_UNSAT && d < second.len && out->len < max && go_on(&rc, deadline); d++) {
            size_t j = second.items[d];
            int seen = 0;   /* the pair {j, i} was tried from j's side */
            for (size_t k = 0; k < c && !seen; k++)
                seen = refusal->clash.items[k] == j;
            if (seen || try_without_two(u, atoms, n, i, j, deadline, NULL) != VSOLVE_OK)
                continue;
            size_t first = i < j ? i : j, other = i < j ? j : i;
            rc = relax_pair(u, atoms, n, first, other, deadline, out);
            if (rc == VSOLVE_OK && out->len < max)
                rc = add_fix2(out, atoms[first], NULL, atoms[other],
                              fmt("drop `%s` and `%s`", atoms[first], atoms[other], ""));
        }
        if (r == VSOLVE_ENOMEM || r == VSOLVE_ETIMEOUT)
            rc = r;
    }
    vec_free(&second);
    if (rc == VSOLVE_OK && deadline_passed(deadline))   /* a try cut short may have hidden a fix */
        rc = VSOLVE_ETIMEOUT;
    return rc;
}

void opam_fixes_free(opam_fixes *f)
{
    for (size_t i = 0; i < f->len; i++) {
        for (size_t k = 0; k < 2; k++) {
            free(f->items[i].old[k]);
            free(f->items[i].replacement[k]);
        }
        free(f->items[i].text);
    }
    free(f->items);
    f->items = NULL;
    f->len = 0;
}
