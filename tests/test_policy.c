/* test_policy.c: unit tests of solver/policy.c: among the solutions, the one users expect
 * (kept packages, no avoid-version unless needed, requested packages newest in request order,
 * the rest newest, a lower version line dropped where a higher one serves, nothing unneeded),
 * and cargo's run clauses, which change the encoding and not the solutions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "encode.h"
#include "policy.h"
#include "testutil.h"

typedef struct chosen {
    vs_universe u;
    vs_request req;
    vs_encoding e;
    unsigned char *model;
} chosen;

/* Encodes the case (whole cone), checks it is satisfiable and runs the policy. */
static void choose(chosen *c, const char *yaml)
{
    test_build_case(yaml, &c->u, &c->req);
    ck_assert_int_eq(encode_request_whole(&c->e, &c->u, &c->req), VSOLVE_OK);
    ck_assert_int_eq(sat_solve(c->e.s, c->e.selectors.items, c->e.selectors.len), SAT_SAT);
    c->model = malloc(c->e.cone.len + 1);
    ck_assert_ptr_nonnull(c->model);
    ck_assert_int_eq(policy_optimize(&c->e, c->model), VSOLVE_OK);
}

/* The chosen packages as "name version" words in id order. */
static void chosen_list(const chosen *c, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (uint32_t p = 0; p < c->u.pkgs.len && used < size; p++)
        if (encode_in_cone(&c->e, p) && c->model[c->e.cone.var_of_pkg[p]])
            used += (size_t)snprintf(buf + used, size - used, "%s%s %s", used ? ", " : "", universe_pkg_name(&c->u, p),
                                     universe_pkg_version(&c->u, p));
}

static void chosen_free(chosen *c)
{
    free(c->model);
    encoding_free(&c->e);
    request_free(&c->req);
    universe_free(&c->u);
}

static void expect(const char *yaml, const char *want)
{
    chosen c;
    choose(&c, yaml);
    char got[1024];
    chosen_list(&c, got, sizeof got);
    ck_assert_str_eq(got, want);
    chosen_free(&c);
}

/* Newest first, in each ecosystem's version order. */
START_TEST(newest_first)
{
    expect("universe:\n  a: { \"1.9\": {}, \"1.10\": {}, \"1.10~rc\": {} }\nslots: per-name\n"
           "request:\n  - a: { a: [ \"1.9\", \"1.10\", \"1.10~rc\" ] }\nsolution: {}\n",
           "a 1.10");
    expect("ecosystem: cudf\nuniverse:\n  a: { \"9\": {}, \"10\": {} }\nslots: per-name\n"
           "request:\n  - a: { a: [ \"9\", \"10\" ] }\nsolution: {}\n",
           "a 10");
    /* a dependency, not only what is requested */
    expect("universe:\n  app: { \"1\": { depends: [ \"lib\": { lib: [ \"1\", \"2\", \"3\" ] } ] } }\n"
           "  lib: { \"1\": {}, \"2\": {}, \"3\": {} }\nslots: per-name\n"
           "request:\n  - app: { app: [ \"1\" ] }\nsolution: {}\n",
           "app 1, lib 3");
}
END_TEST

/* An avoid-version package is taken only when nothing else works, even when newer. */
START_TEST(avoid_version)
{
    static const char *universe = "universe:\n"
                                  "  lib: { \"1.0\": {}, \"2.0~preview\": { flags: [ avoid ] } }\n"
                                  "  app: { \"1\": { depends: [ \"lib\": { lib: [ \"1.0\", \"2.0~preview\" ] } ] } }\n"
                                  "  edge: { \"1\": { depends: [ \"lib >= 2.0~preview\": { lib: [ \"2.0~preview\" ] } ] } }\n"
                                  "slots: per-name\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%srequest:\n  - app: { app: [ \"1\" ] }\nsolution: {}\n", universe);
    expect(yaml, "app 1, lib 1.0");
    snprintf(yaml, sizeof yaml, "%srequest:\n  - app: { app: [ \"1\" ] }\n  - edge: { edge: [ \"1\" ] }\nsolution: {}\n",
             universe);
    expect(yaml, "app 1, edge 1, lib 2.0~preview");
    /* avoiding comes before newness: an old version without the flag beats a new one with it */
    expect("universe:\n  a: { \"1\": {}, \"2\": {}, \"3\": { flags: [ avoid ] } }\nslots: per-name\n"
           "request:\n  - a: { a: [ \"1\", \"2\", \"3\" ] }\nsolution: {}\n",
           "a 2");
}
END_TEST

/* Kept packages (installed, locked) win over newness while the request allows them. */
START_TEST(keep_first)
{
    static const char *universe = "universe:\n"
                                  "  app: { \"1\": { depends: [ \"lib\": { lib: [ \"1\", \"2\" ] } ] } }\n"
                                  "  lib: { \"1\": {}, \"2\": {} }\n"
                                  "  new: { \"1\": { depends: [ \"lib 2\": { lib: [ \"2\" ] } ] } }\n"
                                  "slots: per-name\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%srequest:\n  - app: { app: [ \"1\" ] }\nkeep: { lib: [ \"1\" ] }\nsolution: {}\n", universe);
    expect(yaml, "app 1, lib 1");
    snprintf(yaml, sizeof yaml,
             "%srequest:\n  - app: { app: [ \"1\" ] }\n  - new: { new: [ \"1\" ] }\nkeep: { lib: [ \"1\" ] }\nsolution: {}\n",
             universe);
    expect(yaml, "app 1, lib 2, new 1");
}
END_TEST

/* Requested packages are made newest in request order, before their dependencies. */
START_TEST(request_order)
{
    static const char *universe = "universe:\n"
                                  "  a: { \"1\": {}, \"2\": { depends: [ \"b 1\": { b: [ \"1\" ] } ] } }\n"
                                  "  b: { \"1\": {}, \"2\": { depends: [ \"a 1\": { a: [ \"1\" ] } ] } }\n"
                                  "slots: per-name\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%srequest:\n  - a: { a: [ \"1\", \"2\" ] }\n  - b: { b: [ \"1\", \"2\" ] }\nsolution: {}\n",
             universe);
    expect(yaml, "a 2, b 1");
    snprintf(yaml, sizeof yaml, "%srequest:\n  - b: { b: [ \"1\", \"2\" ] }\n  - a: { a: [ \"1\", \"2\" ] }\nsolution: {}\n",
             universe);
    expect(yaml, "a 1, b 2");
}
END_TEST

/* Nothing that nothing needs: one of two alternatives, and no optional extra. */
START_TEST(nothing_unneeded)
{
    expect("universe:\n"
           "  app: { \"1\": { depends: [ \"tls | ssl\": { tls: [ \"1\" ], ssl: [ \"1\" ] } ] } }\n"
           "  tls: { \"1\": {} }\n  ssl: { \"1\": {} }\n"
           "request:\n  - app: { app: [ \"1\" ] }\nsolution: {}\n",
           "app 1, tls 1");
    /* with no slots (npm), one version serving two ranges is installed once */
    expect("ecosystem: npm\nuniverse:\n"
           "  a: { 1.0.0: { depends: [ \"ms@^2\": { ms: [ 2.0.0, 2.1.3 ] } ] } }\n"
           "  b: { 1.0.0: { depends: [ \"ms@~2.1\": { ms: [ 2.1.3 ] } ] } }\n"
           "  ms: { 2.0.0: {}, 2.1.3: {} }\n"
           "request:\n  - a: { a: [ 1.0.0 ] }\n  - b: { b: [ 1.0.0 ] }\nsolution: {}\n",
           "a 1.0.0, b 1.0.0, ms 2.1.3");
}
END_TEST

/* Version lines (cargo: one slot per semver-compatible range): each line at its newest, and a
 * lower line dropped where a higher one serves the same requirement. */
START_TEST(version_lines)
{
    static const char *universe = "ecosystem: cargo\nuniverse:\n"
                                  "  log: { 0.3.1: {}, 0.3.9: {}, 0.4.0: {}, 0.4.8: {} }\n"
                                  "  app: { 0.1.0: { depends: [ \"log >=0.3, <0.5\": { log: [ 0.3.1, 0.3.9, 0.4.0, 0.4.8 ] } ] } }\n"
                                  "  old: { 1.0.0: { depends: [ \"log ^0.3\": { log: [ 0.3.1, 0.3.9 ] } ] } }\n"
                                  "  new: { 1.0.0: { depends: [ \"log ^0.4\": { log: [ 0.4.0, 0.4.8 ] } ] } }\n"
                                  "groups:\n"
                                  "  - { group: \"log 0.3.x\", slot: true, members: { log: [ 0.3.1, 0.3.9 ] } }\n"
                                  "  - { group: \"log 0.4.x\", slot: true, members: { log: [ 0.4.0, 0.4.8 ] } }\n";
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%srequest:\n  - app: { app: [ 0.1.0 ] }\nsolution: {}\n", universe);
    expect(yaml, "app 0.1.0, log 0.4.8");
    snprintf(yaml, sizeof yaml, "%srequest:\n  - new: { new: [ 1.0.0 ] }\n  - old: { old: [ 1.0.0 ] }\nsolution: {}\n",
             universe);
    expect(yaml, "log 0.3.9, log 0.4.8, new 1.0.0, old 1.0.0");
}
END_TEST

/* cargo's run clauses (vs_request.version_runs, encode.c): a dependency that neighbouring
 * versions of a slot share is one clause over the run, with the same solutions: each version
 * needs the dependency exactly when it has it, and the newest, which has none, does not. */
START_TEST(version_runs)
{
    static const char *yaml = "ecosystem: cargo\nuniverse:\n"
                              "  lib: { 1.0.0: { depends: [ \"dep\": { dep: [ 1.0.0, 1.1.0 ] } ] },"
                              " 1.1.0: { depends: [ \"dep\": { dep: [ 1.0.0, 1.1.0 ] } ] },"
                              " 1.2.0: { depends: [ \"dep\": { dep: [ 1.0.0, 1.1.0 ] } ] }, 1.3.0: {} }\n"
                              "  dep: { 1.0.0: {}, 1.1.0: {} }\n"
                              "groups:\n"
                              "  - { group: \"lib 1.x\", slot: true, members: { lib: [ 1.0.0, 1.1.0, 1.2.0, 1.3.0 ] } }\n"
                              "request:\n  - lib: { lib: [ 1.0.0, 1.1.0, 1.2.0, 1.3.0 ] }\nsolution: {}\n";
    size_t nclauses[2];
    for (int runs = 0; runs < 2; runs++) {
        vs_universe u;
        vs_request req;
        vs_encoding e;
        test_build_case(yaml, &u, &req);
        req.version_runs = runs;
        ck_assert_int_eq(encode_request_whole(&e, &u, &req), VSOLVE_OK);
        const int *lits;
        const uint32_t *start;
        nclauses[runs] = sat_clauses(e.s, &lits, &start);
        uint32_t lib_first, lib_n, dep_first, dep_n;
        universe_name_pkgs(&u, universe_find_name(&u, "lib"), &lib_first, &lib_n);
        universe_name_pkgs(&u, universe_find_name(&u, "dep"), &dep_first, &dep_n);
        ck_assert_uint_eq(lib_n, 4);
        ck_assert_uint_eq(dep_n, 2);
        for (uint32_t v = 0; v < lib_n; v++)
            for (int without_dep = 0; without_dep < 2; without_dep++) {
                int_vec assume = { 0 };
                ck_assert(vec_append(&assume, e.selectors.items, e.selectors.len));
                ck_assert(vec_push(&assume, encode_lit(&e, lib_first + v)));
                for (uint32_t d = 0; d < dep_n && without_dep; d++)
                    ck_assert(vec_push(&assume, -encode_lit(&e, dep_first + d)));
                /* versions 0..2 need dep; the newest does not */
                int want = !without_dep || v == lib_n - 1 ? SAT_SAT : SAT_UNSAT;
                ck_assert_int_eq(sat_solve(e.s, assume.items, assume.len), want);
                vec_free(&assume);
            }
        encoding_free(&e);
        request_free(&req);
        universe_free(&u);
    }
    ck_assert_uint_eq(nclauses[1] + 2, nclauses[0]);   /* three dependency clauses became one */
}
END_TEST

Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, newest_first);
    tcase_add_test(tc, avoid_version);
    tcase_add_test(tc, keep_first);
    tcase_add_test(tc, request_order);
    tcase_add_test(tc, nothing_unneeded);
    tcase_add_test(tc, version_lines);
    tcase_add_test(tc, version_runs);
    suite_add_tcase(s, tc);
    return s;
}
