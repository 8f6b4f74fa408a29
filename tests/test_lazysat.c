/* test_lazysat.c: a refusal that unit propagation proves never creates CryptoMiniSat
 * (sat_new_lazy), with the words the solver would have given: the lazy solver's answers and
 * cores equal an eager solver's after the replay, vs_solve's explanation equals the one of the
 * whole cone's eager encoding, and the command line does not even load the library. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "encode.h"
#include "explain.h"
#include "sat.h"
#include "solve.h"
#include "testutil.h"
#include "vsolve.h"

/* A deterministic pseudo-random stream (the test must not depend on the C library's rand). */
static uint32_t next_rand(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

static void both_add_clause(sat *e, sat *l, const int *c, size_t n)
{
    ck_assert_int_ge(sat_add_clause(e, c, n), 0);
    ck_assert_int_ge(sat_add_clause(l, c, n), 0);
}

/* The same search on both: the same answer, and the same model or the same core. */
static enum sat_answer both_solve(sat *e, sat *l, const int *a, size_t n)
{
    enum sat_answer x = sat_solve(e, a, n), y = sat_solve(l, a, n);
    ck_assert_int_eq(x, y);
    if (x == SAT_SAT && sat_loaded(l)) {
        for (uint32_t v = 0; v < sat_num_vars(e); v++)
            ck_assert_int_eq(sat_model_value(e, v), sat_model_value(l, v));
    }
    return x;
}

/* Random 3-clauses over vars [0, nvars) near the threshold, so that the models and cores depend
 * on what the solver did before. */
static void random_clauses(sat *e, sat *l, uint32_t nvars, int count, uint32_t *seed)
{
    for (int i = 0; i < count; i++) {
        int c[3];
        for (int j = 0; j < 3; j++) {
            int v = (int)(next_rand(seed) % nvars) + 1;
            c[j] = next_rand(seed) & 1 ? v : -v;
        }
        both_add_clause(e, l, c, 3);
    }
}

/* The replay: searches that propagation answers leave the lazy solver without CryptoMiniSat;
 * the first one it cannot answer creates it, and from then on every answer, model and core is
 * the eager solver's, which made every call. */
START_TEST(replay_gives_the_eager_answers)
{
    vs_error err;
    vs_error_clear(&err);
    sat *e = sat_new(&err), *l = sat_new_lazy(&err);
    ck_assert_msg(e && l, "%s", err.message);
    ck_assert(sat_loaded(e));
    ck_assert(!sat_loaded(l));
    uint32_t seed = 7;
    ck_assert_uint_eq(sat_add_vars(e, 60), 0);
    ck_assert_uint_eq(sat_add_vars(l, 60), 0);
    random_clauses(e, l, 60, 180, &seed);
    /* x61 -> x62, x61 -> -x62: assuming x61 is refuted by propagation */
    ck_assert_uint_eq(sat_add_vars(e, 2), 60);
    ck_assert_uint_eq(sat_add_vars(l, 2), 60);
    int c1[2] = { -61, 62 }, c2[2] = { -61, -62 }, a1[2] = { 61, 3 };
    both_add_clause(e, l, c1, 2);
    both_add_clause(e, l, c2, 2);
    ck_assert_int_eq(both_solve(e, l, a1, 2), SAT_UNSAT);
    ck_assert_int_eq(both_solve(e, l, a1, 2), SAT_UNSAT);
    ck_assert(!sat_loaded(l));
    ck_assert_uint_eq(sat_solve_calls(l), 2);
    /* more variables and clauses after the answered searches, then searches that need one */
    ck_assert_uint_eq(sat_add_vars(e, 40), 62);
    ck_assert_uint_eq(sat_add_vars(l, 40), 62);
    random_clauses(e, l, 102, 160, &seed);
    int seen_sat = 0, seen_unsat = 0;
    for (int round = 0; round < 12; round++) {
        int a[6];
        for (int j = 0; j < 6; j++) {
            int v = (int)(next_rand(&seed) % 102) + 1;
            a[j] = next_rand(&seed) & 1 ? v : -v;
        }
        enum sat_answer x = both_solve(e, l, a, 6);
        ck_assert(sat_loaded(l) || x == SAT_UNSAT);
        if (x == SAT_UNSAT) {
            const int *fe, *fl;
            size_t ne = sat_failed_assumptions(e, &fe), nl = sat_failed_assumptions(l, &fl);
            ck_assert_uint_eq(ne, nl);
            ck_assert_mem_eq(fe, fl, ne * sizeof *fe);
            seen_unsat++;
        } else {
            seen_sat += x == SAT_SAT;
        }
        int more[3] = { a[0], -a[1], a[2] };
        both_add_clause(e, l, more, 3);
    }
    ck_assert(sat_loaded(l));
    ck_assert_msg(seen_sat && seen_unsat, "sat %d, unsat %d: the rounds test too little", seen_sat, seen_unsat);
    ck_assert_uint_eq(sat_solve_calls(e), sat_solve_calls(l));
    ck_assert_ptr_null(sat_error(l));
    sat_free(e);
    sat_free(l);
}
END_TEST

/* The core of a search propagation answered is asked of CryptoMiniSat: the lazy solver creates
 * it then, replaying the search, and gives the eager solver's core. */
START_TEST(core_after_a_propagated_answer)
{
    vs_error err;
    vs_error_clear(&err);
    sat *e = sat_new(&err), *l = sat_new_lazy(&err);
    ck_assert_msg(e && l, "%s", err.message);
    sat_add_vars(e, 4);
    sat_add_vars(l, 4);
    int c1[2] = { -1, 2 }, c2[2] = { -3, -2 }, c3[1] = { -4 };
    both_add_clause(e, l, c1, 2);
    both_add_clause(e, l, c2, 2);
    both_add_clause(e, l, c3, 1);
    int a[3] = { 4, 1, 3 };
    ck_assert_int_eq(both_solve(e, l, a, 3), SAT_UNSAT);
    ck_assert(!sat_loaded(l));
    const int *fe, *fl;
    size_t ne = sat_failed_assumptions(e, &fe), nl = sat_failed_assumptions(l, &fl);
    ck_assert(sat_loaded(l));
    ck_assert_uint_eq(ne, nl);
    ck_assert_mem_eq(fe, fl, ne * sizeof *fe);
    sat_free(e);
    sat_free(l);
}
END_TEST

/* vs_solve's answer for a case beside the one the whole cone's eager encoding gives (what
 * vs_solve did before sat_new_lazy). Returns whether vs_solve created CryptoMiniSat; *lazy
 * tells whether its encoding's solver was lazy. */
static int same_as_eager(const char *yaml, int *lazy)
{
    vs_universe u;
    vs_request req;
    test_build_case(yaml, &u, &req);
    vs_encoding first;
    ck_assert_int_eq(encode_request(&first, &u, &req), VSOLVE_OK);
    *lazy = first.plain_refusal;
    ck_assert_int_eq(sat_loaded(first.s), !*lazy);
    encoding_free(&first);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_UNSAT);
    vs_encoding e;
    ck_assert_int_eq(encode_request_whole(&e, &u, &req), VSOLVE_OK);
    ck_assert(sat_loaded(e.s));
    ck_assert_int_eq(sat_solve(e.s, e.selectors.items, e.selectors.len), SAT_UNSAT);
    vs_error err;
    vs_error_clear(&err);
    u32_vec clash = { 0 }, unavailable = { 0 };
    char *want = explain_unsat(&e, &u, &clash, &unavailable, &err);
    ck_assert_msg(want != NULL, "%s", err.message);
    ck_assert_ptr_nonnull(s.explanation);
    ck_assert_str_eq(s.explanation, want);
    ck_assert_uint_eq(s.clash.len, clash.len);
    ck_assert_mem_eq(s.clash.items, clash.items, clash.len * sizeof *clash.items);
    ck_assert_uint_eq(s.unavailable.len, unavailable.len);
    int loaded = s.solver_loaded;
    free(want);
    vec_free(&clash);
    vec_free(&unavailable);
    encoding_free(&e);
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
    return loaded;
}

#define APP_UNIVERSE                                                                                              \
    "universe:\n"                                                                                                 \
    "  app: { \"1\": { depends: [ \"lib >= 2\": { lib: [] } ] }, \"2\": { depends: [ \"lib >= 3\": { lib: [] } ] } }\n" \
    "  lib: { \"1\": {} }\n"                                                                                      \
    "  ok: { \"1\": {} }\n"                                                                                       \
    "  feat: { \"1\": { depends: [ \"app\": { app: [ \"1\", \"2\" ] } ] } }\n"                                    \
    "slots: per-name\n"

/* Refusals propagation proves: the same words as with the solver, and no solver when the
 * first requirement is a dead end (its own minimal clash, and CryptoMiniSat's core) or a
 * requirement has no candidate; when only a later one is a dead end, the solver as before (the
 * core is CryptoMiniSat's to find). */
START_TEST(refusal_by_propagation_same_words)
{
    int lazy;
    ck_assert_int_eq(same_as_eager(APP_UNIVERSE "request:\n  - app: { app: [ \"1\", \"2\" ] }\nsolution: {}\n", &lazy), 0);
    ck_assert_int_eq(lazy, 1);
    ck_assert_int_eq(same_as_eager(APP_UNIVERSE "request:\n  - app: { app: [ \"1\", \"2\" ] }\n"
                                                "  - ok: { ok: [ \"1\" ] }\nsolution: {}\n", &lazy), 0);
    ck_assert_int_eq(lazy, 1);
    /* like a cargo root: a feature first, then the package, both failing alone */
    ck_assert_int_eq(same_as_eager(APP_UNIVERSE "request:\n  - feat: { feat: [ \"1\" ] }\n"
                                                "  - app: { app: [ \"1\", \"2\" ] }\nsolution: {}\n", &lazy), 0);
    ck_assert_int_eq(lazy, 1);
    ck_assert_int_eq(same_as_eager(APP_UNIVERSE "request:\n  - ok: { ok: [ \"1\" ] }\n"
                                                "  - app: { app: [ \"1\", \"2\" ] }\nsolution: {}\n", &lazy), 1);
    ck_assert_int_eq(lazy, 0);
    /* an atom without candidates, named directly (no minimal clash) */
    ck_assert_int_eq(same_as_eager(APP_UNIVERSE "request:\n  - ok: { ok: [ \"1\" ] }\n"
                                                "  - \"lib>=5\": { lib: [] }\nsolution: {}\n", &lazy), 0);
    ck_assert_int_eq(lazy, 1);
    /* a dead end in two ranges of versions (lib 2-3 or foo 2-3, each a range in the middle of
     * its slot's ladder, as ok brings versions 1 and 4 into the cone: encode.c): the
     * dependency rules see it, unit propagation of the clauses does not (it cannot rule out a
     * range literal whose versions are all ruled out): the solver is created at the first
     * search, and the words are the same */
    ck_assert_int_eq(same_as_eager("universe:\n"
                                   "  lib: { \"1\": {}, \"2\": { depends: [ \"zzz\": { zzz: [] } ] }, \"3\": { depends: [ \"zzz\": { zzz: [] } ] }, \"4\": {} }\n"
                                   "  foo: { \"1\": {}, \"2\": { depends: [ \"zzz\": { zzz: [] } ] }, \"3\": { depends: [ \"zzz\": { zzz: [] } ] }, \"4\": {} }\n"
                                   "  app: { \"1\": { depends: [ \"lib 2-3 or foo 2-3\": { lib: [ \"2\", \"3\" ], foo: [ \"2\", \"3\" ] } ] } }\n"
                                   "  ok: { \"1\": { depends: [ \"lib\": { lib: [ \"1\", \"2\", \"3\", \"4\" ] },\n"
                                   "                             \"foo\": { foo: [ \"1\", \"2\", \"3\", \"4\" ] } ] } }\n"
                                   "slots: per-name\n"
                                   "request:\n  - app: { app: [ \"1\" ] }\n  - ok: { ok: [ \"1\" ] }\nsolution: {}\n", &lazy),
                     1);
    ck_assert_int_eq(lazy, 1);
    /* a refusal propagation does not prove: the solver as before */
    ck_assert_int_eq(same_as_eager("universe:\n"
                                   "  x: { \"1\": {}, \"2\": {} }\n"
                                   "  a: { \"1\": { depends: [ \"x 1\": { x: [ \"1\" ] } ] }, \"2\": { depends: [ \"x 1\": { x: [ \"1\" ] } ] } }\n"
                                   "  b: { \"1\": { depends: [ \"x 2\": { x: [ \"2\" ] } ] }, \"2\": { depends: [ \"x 2\": { x: [ \"2\" ] } ] } }\n"
                                   "slots: per-name\n"
                                   "request:\n  - a: { a: [ \"1\", \"2\" ] }\n  - b: { b: [ \"1\", \"2\" ] }\nsolution: {}\n", &lazy),
                     1);
    ck_assert_int_eq(lazy, 0);
}
END_TEST

/* A CUDF document in a new temporary directory (its path, malloc'd): app 1 needs lib >= 2 (there
 * is only lib 1), ok 1 needs nothing; the request installs `install` (e.g. "app, ok"). Beside
 * it, lib/ holds a library of CryptoMiniSat's name that is not CryptoMiniSat. */
static char *refusing_cudf(const char *install)
{
    char *dir = strdup("/tmp/vsolve-lazysat-XXXXXX");
    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[4400];
    snprintf(cmd, sizeof cmd,
             "printf 'package: app\\nversion: 1\\ndepends: lib >= 2\\n\\npackage: lib\\nversion: 1\\n\\n"
             "package: ok\\nversion: 1\\n\\nrequest: t\\ninstall: %s\\n' >'%s/t.cudf' && mkdir '%s/lib' && "
             "ln -s '%s/libvsolve.so' '%s/lib/%s'",
             install, dir, dir, VSOLVE_BINARY_DIR, dir, sat_library());
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

/* `vsolve --ecosystem cudf --repo DIR/t.cudf solve` with `env` before it; output, exit status. */
static char *solve_cudf(const char *dir, const char *env, int *status)
{
    char cmd[8000];
    snprintf(cmd, sizeof cmd, "%s '%s/vsolve' --ecosystem cudf --repo '%s/t.cudf' solve", env, VSOLVE_BINARY_DIR, dir);
    return test_run_cmd(cmd, status);
}

/* The command line: a refusal propagation proves does not load CryptoMiniSat (LD_DEBUG=files
 * lists what the dynamic linker loads) and gives the same words without it (a library of its
 * name that is not CryptoMiniSat first in the loader's path); one whose minimal clash needs
 * the solver reports that it cannot load it, exit 3, as any solve does. */
START_TEST(cli_refusal_without_the_library)
{
    char *dir = refusing_cudf("app, ok");
    char env[4400];
    int st;
    char *out = solve_cudf(dir, "LD_DEBUG=files", &st);
    ck_assert_msg(st == 1 && strstr(out, "Why: no version of app can be installed"), "exit %d:\n%.3000s", st, out);
    ck_assert_msg(strstr(out, "file=libc.so.6"), "LD_DEBUG=files gave nothing:\n%.3000s", out);
    ck_assert_msg(!strstr(out, "cryptominisat"), "a refusal by propagation loads CryptoMiniSat:\n%.3000s", out);
    free(out);
    char *with = solve_cudf(dir, "", &st);
    ck_assert_int_eq(st, 1);
    snprintf(env, sizeof env, "LD_LIBRARY_PATH='%s/lib'", dir);
    char *without = solve_cudf(dir, env, &st);
    ck_assert_int_eq(st, 1);
    ck_assert_str_eq(with, without);
    free(with);
    free(without);
    test_remove_dir(dir);
    free(dir);

    /* ok first: its minimal clash is CryptoMiniSat's to find */
    dir = refusing_cudf("ok, app");
    out = solve_cudf(dir, "LD_DEBUG=files", &st);
    ck_assert_msg(st == 1 && strstr(out, "file=libcryptominisat"), "exit %d:\n%.3000s", st, out);
    free(out);
    snprintf(env, sizeof env, "LD_LIBRARY_PATH='%s/lib'", dir);
    out = solve_cudf(dir, env, &st);
    char want[400];
    snprintf(want, sizeof want, "cannot load CryptoMiniSat (%s): ", sat_library());
    ck_assert_msg(st == 3 && strstr(out, want) && !strstr(out, "out of memory") && !strstr(out, "Why:"), "exit %d:\n%.3000s",
                  st, out);
    free(out);
    test_remove_dir(dir);
    free(dir);
}
END_TEST

/* opam: a refusal propagation proves (app>=2, only app 1 exists) still gets its verified fix
 * (relax to app>=1), whose check needs the solver; with a library of CryptoMiniSat's name that
 * is not it, the refusal stands and a warning says why no fix was searched. */
START_TEST(opam_fixes_without_the_library)
{
    char *dir = refusing_cudf("ok");   /* for its directory and its lib/ */
    char cmd[8800];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/repo/packages/app/app.1' && printf 'opam-version: \"2.0\"\\n' >'%s/repo/packages/app/app.1/opam' && "
             "printf 'opam-version: \"2.0\"\\n' >'%s/repo/repo'",
             dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    int st;
    snprintf(cmd, sizeof cmd, "'%s/vsolve' --ecosystem opam --repo '%s/repo' --no-cache solve 'app>=2'", VSOLVE_BINARY_DIR, dir);
    char *out = test_run_cmd(cmd, &st);
    ck_assert_msg(st == 1 && strstr(out, "To fix it") && strstr(out, "app>=1") && !strstr(out, "warning"), "exit %d:\n%.3000s",
                  st, out);
    free(out);
    snprintf(cmd, sizeof cmd, "LD_LIBRARY_PATH='%s/lib' '%s/vsolve' --ecosystem opam --repo '%s/repo' --no-cache solve 'app>=2'",
             dir, VSOLVE_BINARY_DIR, dir);
    out = test_run_cmd(cmd, &st);
    char want[400];
    snprintf(want, sizeof want, "vsolve: warning: no fixes searched: cannot load CryptoMiniSat (%s): ", sat_library());
    ck_assert_msg(st == 1 && strstr(out, "The request cannot be satisfied") && strstr(out, want) && !strstr(out, "To fix it"),
                  "exit %d:\n%.3000s", st, out);
    free(out);
    test_remove_dir(dir);
    free(dir);
}
END_TEST

Suite *lazysat_suite(void)
{
    Suite *s = suite_create("lazysat");
    TCase *tc = tcase_create("lazysat");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, replay_gives_the_eager_answers);
    tcase_add_test(tc, core_after_a_propagated_answer);
    tcase_add_test(tc, refusal_by_propagation_same_words);
    tcase_add_test(tc, cli_refusal_without_the_library);
    tcase_add_test(tc, opam_fixes_without_the_library);
    suite_add_tcase(s, tc);
    return s;
}
