/* testcase_run.c: building a test case's universe and request, running it, rewriting its answer. */
#include "testcase.h"
#include <stdlib.h>
#include <string.h>
#include "atomic_file.h"
#include "cargo_resolve.h"
#include "checker.h"
#include "npm_semver.h"
#include "opam_version.h"

/* ---- version orders -------------------------------------------------------------------- */

static int npm_order(const char *a, const char *b)
{
    arena mem;
    arena_init(&mem);
    npm_version x, y;
    npm_options opt = { 1, 0 };
    int ax = npm_version_parse(&mem, a, opt, &x), by = npm_version_parse(&mem, b, opt, &y);
    int r = ax || by ? (ax != by ? (ax ? -1 : 1) : strcmp(a, b)) : npm_version_compare_build(&x, &y);
    arena_free(&mem);
    return r;
}

/* CUDF versions are decimal strings without leading zeros: shorter is smaller. */
static int cudf_order(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

int (*testcase_version_order(tc_ecosystem eco))(const char *a, const char *b)
{
    switch (eco) {
    case TC_CARGO: return cargo_version_order;
    case TC_NPM: return npm_order;
    case TC_CUDF: return cudf_order;
    case TC_OPAM: break;
    }
    return opam_version_compare;
}

const char *testcase_ecosystem_name(tc_ecosystem eco)
{
    static const char *const names[] = { "opam", "cargo", "npm", "cudf" };
    return names[eco];
}

/* ---- building -------------------------------------------------------------------------- */

static int build_opam(const testcase *tc, vs_universe *u, vs_request *req, vs_error *err)
{
    /* A fixed platform, so that cases mean the same on every host. */
    static const char *const platform[][2] = {
        { "os", "linux" }, { "arch", "x86_64" }, { "os-family", "debian" },
        { "os-distribution", "debian" }, { "os-version", "12" }, { "opam-version", "2.1.2" },
        { "with-test", "false" }, { "with-doc", "false" }, { "with-dev-setup", "false" },
        { "build", "true" }, { "post", "true" }, { "dev", "false" },
    };
    opam_vars vars = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < sizeof platform / sizeof platform[0] && rc == VSOLVE_OK; i++)
        rc = opam_vars_set(&vars, platform[i][0], platform[i][1]);
    for (size_t i = 0; i < tc->n_env && rc == VSOLVE_OK; i++)
        rc = opam_vars_set(&vars, tc->env[i].name, tc->env[i].value);
    if (rc == VSOLVE_OK)
        rc = opam_load_memory(u, tc->packages, tc->n_packages, &vars, NULL, err);
    for (size_t i = 0; i < tc->n_request && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(u, req, tc->request[i].desc, err);
    opam_vars_free(&vars);
    return rc;
}

/* The package a reference names, or VS_NONE (with err set) when there is none. */
static uint32_t find_pkg(const testcase *tc, const vs_universe *u, const tc_ref *ref, vs_error *err)
{
    uint32_t name = universe_find_name(u, ref->name), first, count;
    if (name != VS_NONE && ref->version) {
        universe_name_pkgs(u, name, &first, &count);
        for (uint32_t k = 0; k < count; k++)
            if (!strcmp(universe_pkg_version(u, first + k), ref->version))
                return first + k;
    }
    vs_error_at(err, tc->path, ref->line, ref->col, "expected a package of the universe, not %s %s", ref->name,
                ref->version ? ref->version : "(no version)");
    return VS_NONE;
}

/* The packages of a set into ids; *name gets the first reference's name (VS_NONE if unknown). */
static int resolve_set(const testcase *tc, const vs_universe *u, const tc_set *set, u32_vec *ids, uint32_t *name,
                       vs_error *err)
{
    ids->len = 0;
    if (name)
        *name = set->n ? universe_find_name(u, set->refs[0].name) : VS_NONE;
    for (size_t i = 0; i < set->n; i++) {
        if (!set->refs[i].version)
            continue;   /* a name with no version: no package */
        uint32_t p = find_pkg(tc, u, &set->refs[i], err);
        if (p == VS_NONE)
            return VSOLVE_EBADINPUT;
        if (!vec_push(ids, p))
            return VSOLVE_ENOMEM;
    }
    return VSOLVE_OK;
}

static int add_clauses(const testcase *tc, vs_universe *u, uint32_t pkg, const tc_clause *cl, size_t n, int root,
                       u32_vec *ids, vs_error *err)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        uint32_t desc = universe_intern(u, cl[i].desc, strlen(cl[i].desc)), cond = VS_NONE;
        if (desc == UINT32_MAX)
            return VSOLVE_ENOMEM;
        if (cl[i].conditional && (cond = find_pkg(tc, u, &cl[i].cond, err)) == VS_NONE)
            return VSOLVE_EBADINPUT;
        rc = resolve_set(tc, u, &cl[i].providers, ids, NULL, err);
        if (rc == VSOLVE_OK)
            rc = root ? universe_add_root_clause(u, pkg, desc, ids->items, ids->len)
                      : universe_add_clause_if(u, pkg, cond, desc, ids->items, ids->len);
    }
    return rc;
}

static int build_neutral(const testcase *tc, vs_universe *u, vs_request *req, vs_error *err)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < tc->n_universe && rc == VSOLVE_OK; i++) {
        const tc_package *p = &tc->universe[i];
        uint32_t ns = universe_intern(u, p->name, strlen(p->name)), vs = universe_intern(u, p->version, strlen(p->version));
        rc = ns == UINT32_MAX || vs == UINT32_MAX ? VSOLVE_ENOMEM
                                                  : universe_add_package(u, ns, vs, p->flags, (void *)p);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(u, testcase_version_order(tc->ecosystem));
    if (rc == VSOLVE_OK && u->pkgs.len != tc->n_universe) {
        for (size_t i = 0; i < tc->n_universe; i++) {
            uint32_t name = universe_find_name(u, tc->universe[i].name), first, count, k = 0;
            universe_name_pkgs(u, name, &first, &count);
            while (k < count && u->pkgs.items[first + k].user != &tc->universe[i])
                k++;
            if (k == count)
                return vs_error_at(err, tc->path, tc->universe[i].line, tc->universe[i].col,
                                   "expected a version different from the others of %s in %s's order",
                                   tc->universe[i].name, testcase_ecosystem_name(tc->ecosystem));
        }
    }
    u32_vec ids = { 0 };
    for (uint32_t pkg = 0; pkg < u->pkgs.len && rc == VSOLVE_OK; pkg++) {
        const tc_package *p = u->pkgs.items[pkg].user;
        rc = add_clauses(tc, u, pkg, p->depends, p->n_depends, 0, &ids, err);
        if (rc == VSOLVE_OK && p->root_variant) {
            rc = add_clauses(tc, u, pkg, p->root_depends, p->n_root_depends, 1, &ids, err);
            u->pkgs.items[pkg].flags |= VS_PKG_ROOT_VARIANT;
        }
        if (rc == VSOLVE_OK)
            rc = resolve_set(tc, u, &p->conflicts, &ids, NULL, err);
        if (rc == VSOLVE_OK)
            rc = universe_add_conflicts(u, pkg, ids.items, ids.len);
        for (size_t k = 0; k < p->n_attrs && rc == VSOLVE_OK; k++) {
            uint32_t key = attrs_key(&u->attrs, p->attrs[k].key);
            rc = key == UINT32_MAX ? VSOLVE_ENOMEM : attrs_add_str(&u->attrs, pkg, key, p->attrs[k].value);
        }
    }
    if (rc == VSOLVE_OK)
        rc = attrs_finish(&u->attrs);
    for (uint32_t pkg = 0; pkg < u->pkgs.len; pkg++)
        u->pkgs.items[pkg].user = NULL;
    if (rc == VSOLVE_OK && tc->slot_per_name)
        rc = universe_slot_per_name(u);
    for (size_t g = 0; g < tc->n_groups && rc == VSOLVE_OK; g++) {
        const tc_group *gr = &tc->groups[g];
        uint32_t desc = universe_intern(u, gr->desc, strlen(gr->desc)), id;
        rc = desc == UINT32_MAX ? VSOLVE_ENOMEM : resolve_set(tc, u, &gr->members, &ids, NULL, err);
        for (size_t m = 0; rc == VSOLVE_OK && gr->slot && m < ids.len; m++)
            if (u->pkgs.items[ids.items[m]].slot != VS_NONE)
                rc = vs_error_at(err, tc->path, gr->members.line, gr->members.col,
                                 "expected each package in one slot at most");
        if (rc == VSOLVE_OK)
            rc = gr->slot ? universe_add_slot(u, desc, ids.items, ids.len, &id)
                          : universe_add_group(u, desc, ids.items, ids.len, &id);
    }
    for (size_t i = 0; i < tc->n_request && rc == VSOLVE_OK; i++) {
        const tc_atom *a = &tc->request[i];
        if (!a->resolved) {
            rc = opam_add_request_atom(u, req, a->desc, err);
            continue;
        }
        uint32_t desc = universe_intern(u, a->desc, strlen(a->desc)), name;
        rc = desc == UINT32_MAX ? VSOLVE_ENOMEM : resolve_set(tc, u, &a->pkgs, &ids, &name, err);
        if (rc == VSOLVE_OK)
            rc = a->forbid ? request_forbid(req, desc, name, ids.items, ids.len)
                           : request_add_atom(req, desc, name, ids.items, ids.len);
    }
    if (rc == VSOLVE_OK)
        rc = resolve_set(tc, u, &tc->keep, &ids, NULL, err);
    for (size_t i = 0; i < ids.len && rc == VSOLVE_OK; i++)
        rc = request_keep(req, ids.items[i]);
    vec_free(&ids);
    return rc;
}

int testcase_build(const testcase *tc, vs_universe *u, vs_request *req, vs_error *err)
{
    int rc = tc->opam_form ? build_opam(tc, u, req, err) : build_neutral(tc, u, req, err);
    /* opam's criteria for opam, the newest-first order for the others (as their adapters) */
    req->preference = tc->preference >= 0 ? tc->preference
                    : tc->ecosystem == TC_OPAM ? VS_PREFER_OPAM_CRITERIA : VS_PREFER_NEWEST_FIRST;
    if (rc == VSOLVE_EUSAGE && !err->code)
        vs_error_at(err, tc->path, 1, 1, "the universe cannot be built in this order");
    if (rc != VSOLVE_OK && !err->code)
        vs_error_set(err, rc, "out of memory");
    return rc;
}

/* ---- running --------------------------------------------------------------------------- */

typedef struct pair {
    const char *name, *version;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : strcmp(x->version, y->version);
}

static size_t append(char *msg, size_t size, size_t used, const pair *p, size_t n)
{
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(msg + used, size - used, "%s%s %s", i ? ", " : "", p[i].name, p[i].version);
    return used;
}

/* Compares the solution with the expected set of packages. */
static int same_solution(const testcase *tc, const vs_universe *u, const vs_solution *s, char *msg, size_t size)
{
    pair *got = calloc(s->pkgs.len + 1, sizeof *got), *want = calloc(tc->solution.n + 1, sizeof *want);
    int ok = 0;
    if (!got || !want) {
        snprintf(msg, size, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < s->pkgs.len; i++)
        got[i] = (pair){ universe_pkg_name(u, s->pkgs.items[i]), universe_pkg_version(u, s->pkgs.items[i]) };
    size_t n_want = 0;
    for (size_t i = 0; i < tc->solution.n; i++)
        if (tc->solution.refs[i].version)
            want[n_want++] = (pair){ tc->solution.refs[i].name, tc->solution.refs[i].version };
    qsort(got, s->pkgs.len, sizeof *got, cmp_pair);
    qsort(want, n_want, sizeof *want, cmp_pair);
    ok = s->pkgs.len == n_want;
    for (size_t i = 0; ok && i < n_want; i++)
        ok = cmp_pair(&got[i], &want[i]) == 0;
    if (!ok) {
        size_t used = (size_t)snprintf(msg, size, "expected [");
        used = append(msg, size, used, want, n_want);
        if (used < size)
            used += (size_t)snprintf(msg + used, size - used, "], got [");
        used = append(msg, size, used, got, s->pkgs.len);
        if (used < size)
            snprintf(msg + used, size - used, "]");
    }
out:
    free(got);
    free(want);
    return ok;
}

/* Solves the case into s (and checks a solution with the checker). 0 with msg on failure. */
static int solve_case(const testcase *tc, vs_universe *u, vs_request *req, vs_solution *s, char *msg, size_t size)
{
    vs_error err;
    vs_error_clear(&err);
    if (testcase_build(tc, u, req, &err) != VSOLVE_OK) {
        snprintf(msg, size, "%s", err.message);
        return 0;
    }
    int rc = vs_solve(u, req, s);
    if (rc == VSOLVE_OK) {
        char why[1024];
        if (check_solution(u, req, s->pkgs.items, s->pkgs.len, why, sizeof why) != 0) {
            snprintf(msg, size, "the checker rejects the solution: %s", why);
            return 0;
        }
    } else if (rc != VSOLVE_UNSAT) {
        snprintf(msg, size, "the solver failed with status %d", rc);
        return 0;
    }
    return 1;
}

int testcase_run(const testcase *tc, char *msg, size_t msg_size)
{
    vs_universe u;
    vs_request req;
    vs_solution s;
    universe_init(&u);
    request_init(&req);
    solution_init(&s);
    int ok = solve_case(tc, &u, &req, &s, msg, msg_size);
    if (!ok)
        goto out;
    ok = 0;
    if (tc->expect != TC_EXPECT_SOLUTION && s.status != VSOLVE_UNSAT) {
        snprintf(msg, msg_size, "expected a refusal, got a solution with %zu packages", s.pkgs.len);
    } else if (tc->expect == TC_EXPECT_SOLUTION && s.status != VSOLVE_OK) {
        snprintf(msg, msg_size, "expected a solution, got a refusal:\n%s", s.explanation ? s.explanation : "");
    } else if (tc->expect == TC_EXPECT_SOLUTION) {
        ok = same_solution(tc, &u, &s, msg, msg_size);
    } else if (tc->expect == TC_EXPECT_EXPLANATION) {
        ok = s.explanation && strcmp(s.explanation, tc->explanation) == 0;
        if (!ok)
            snprintf(msg, msg_size, "expected the explanation\n%s\ngot\n%s", tc->explanation,
                     s.explanation ? s.explanation : "(none)");
    } else {
        ok = 1;
        for (size_t i = 0; ok && i < tc->n_phrases; i++)
            if (!s.explanation || !strstr(s.explanation, tc->phrases[i])) {
                snprintf(msg, msg_size, "the explanation lacks \"%s\":\n%s", tc->phrases[i],
                         s.explanation ? s.explanation : "");
                ok = 0;
            }
    }
out:
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
    return ok;
}

/* ---- rewriting ------------------------------------------------------------------------- */

int testcase_rewrite(const testcase *tc, int *changed, vs_error *err)
{
    *changed = 0;
    if (!tc->expect_last)
        return vs_error_at(err, tc->path, tc->expect_line, 1, "expected the answer as the file's last key (to rewrite it)");
    FILE *f = fopen(tc->path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot open", tc->path);
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nt = realloc(text, cap);
            if (!nt) {
                free(text);
                fclose(f);
                return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            }
            text = nt;
        }
        memcpy(text + len, chunk, n);
        len += n;
    }
    fclose(f);
    /* the byte offset where the answer's line starts */
    size_t at = 0;
    for (unsigned line = 1; line < tc->expect_line && at < len; at++)
        if (text[at] == '\n')
            line++;
    static const char *const keys[] = { "solution:", "explanation:", "unsat:" };
    const char *key = keys[tc->expect];
    if (at >= len || strncmp(text + at, key, strlen(key)) != 0) {
        free(text);
        return vs_error_at(err, tc->path, tc->expect_line, 1, "expected %s at the start of the line", key);
    }
    vs_universe u;
    vs_request req;
    vs_solution s;
    universe_init(&u);
    request_init(&req);
    solution_init(&s);
    char msg[2048];
    int rc = VSOLVE_OK;
    if (!solve_case(tc, &u, &req, &s, msg, sizeof msg)) {
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: %s", tc->path, msg);
    } else {
        char *answer = NULL;
        size_t answer_len = 0;
        FILE *mem = open_memstream(&answer, &answer_len);
        if (!mem) {
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        } else {
            rc = testcase_write_answer(mem, &u, &s, tc->opam_form);
            if (fclose(mem) != 0 && rc == VSOLVE_OK)
                rc = VSOLVE_ENOMEM;
            if (rc == VSOLVE_OK && (len - at != answer_len || memcmp(text + at, answer, answer_len) != 0)) {
                vs_atomic_file af;
                rc = atomic_file_open(&af, tc->path, err);
                if (rc == VSOLVE_OK) {
                    fwrite(text, 1, at, af.f);
                    fwrite(answer, 1, answer_len, af.f);
                    rc = atomic_file_commit(&af, err);
                    *changed = rc == VSOLVE_OK;
                }
            } else if (rc != VSOLVE_OK) {
                vs_error_set(err, rc, "out of memory");
            }
            free(answer);
        }
    }
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
    free(text);
    return rc;
}
