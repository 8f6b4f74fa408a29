/* test_sweep.c: installability of every package: each category of failure, threads agree,
 * and every package called installable really is (the checker verifies a solution for it). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "checker.h"
#include "opam_repo.h"
#include "quick.h"
#include "solve.h"
#include "sweep.h"
#include "testutil.h"

static const opam_memory_file files[] = {
    { "ok", "1.0", "depends: [ \"lib\" ]", NULL },
    { "lib", "1.0", "", NULL },
    { "lib", "2.0", "depends: [ \"ghost\" ]", NULL },                      /* missing */
    { "winonly", "1.0", "available: os = \"win32\"", NULL },              /* unavailable */
    { "uses-win", "1.0", "depends: [ \"winonly\" ]", NULL },               /* missing (only unavailable) */
    { "uses-lib2", "1.0", "depends: [ \"lib\" {>= \"2.0\"} ]", NULL },     /* broken dependency */
    { "a", "1.0", "depends: [ \"lib\" {< \"2.0\"} ]", NULL },
    { "b", "1.0", "depends: [ \"x\" ]", NULL },
    { "x", "1.0", "conflicts: [ \"lib\" ]", NULL },
    { "clash", "1.0", "depends: [ \"a\" \"b\" ]", NULL },                  /* conflict */
    { "y", "1.0", "depends: [ \"z\" ]", NULL },
    { "z", "1.0", "", NULL },
    { "selfish", "1.0", "depends: [ \"ok\" \"y\" ] conflicts: [ \"z\" ]", NULL },   /* conflict with itself */
};

static void build(vs_universe *u)
{
    opam_vars vars = { 0 };
    opam_vars_set(&vars, "os", "linux");
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    int rc = opam_load_memory(u, files, sizeof files / sizeof files[0], &vars, NULL, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    opam_vars_free(&vars);
}

static int status_of(const vs_universe *u, const sweep_result *r, const char *name, const char *version)
{
    uint32_t n = universe_find_name(u, name), first, count;
    ck_assert_uint_ne(n, VS_NONE);
    universe_name_pkgs(u, n, &first, &count);
    for (uint32_t j = 0; j < count; j++)
        if (!strcmp(universe_pkg_version(u, first + j), version))
            return r->status[first + j];
    ck_abort_msg("no %s.%s", name, version);
    return -1;
}

START_TEST(categories)
{
    vs_universe u;
    build(&u);
    for (int threads = 1; threads <= 2; threads++) {
        sweep_result r;
        ck_assert_int_eq(sweep_universe(&u, threads, NULL, NULL, &r), VSOLVE_OK);
        ck_assert_int_eq(status_of(&u, &r, "ok", "1.0"), SWEEP_INSTALLABLE);
        ck_assert_int_eq(status_of(&u, &r, "lib", "1.0"), SWEEP_INSTALLABLE);
        ck_assert_int_eq(status_of(&u, &r, "lib", "2.0"), SWEEP_MISSING);
        ck_assert_int_eq(status_of(&u, &r, "winonly", "1.0"), SWEEP_UNAVAILABLE);
        ck_assert_int_eq(status_of(&u, &r, "uses-win", "1.0"), SWEEP_MISSING);
        ck_assert_int_eq(status_of(&u, &r, "uses-lib2", "1.0"), SWEEP_BROKEN_DEP);
        ck_assert_int_eq(status_of(&u, &r, "x", "1.0"), SWEEP_INSTALLABLE);
        ck_assert_int_eq(status_of(&u, &r, "clash", "1.0"), SWEEP_CONFLICT);
        ck_assert_int_eq(status_of(&u, &r, "selfish", "1.0"), SWEEP_CONFLICT);
        ck_assert_uint_eq(r.count[SWEEP_INSTALLABLE], 7);
        ck_assert_uint_eq(r.count[SWEEP_MISSING] + r.count[SWEEP_BROKEN_DEP] + r.count[SWEEP_CONFLICT] + r.count[SWEEP_UNAVAILABLE], 6);
        /* the clashing dependencies: a and b; y with selfish itself (it conflicts with z) */
        uint32_t clash = u.names.items[universe_find_name(&u, "clash")].first_pkg;
        ck_assert_uint_eq(r.clash_count[clash], 2);
        ck_assert_str_eq(universe_str(&u, u.clauses.items[r.clash.items[r.clash_first[clash]]].desc), "a");
        ck_assert_str_eq(universe_str(&u, u.clauses.items[r.clash.items[r.clash_first[clash] + 1]].desc), "b");
        uint32_t selfish = u.names.items[universe_find_name(&u, "selfish")].first_pkg;
        ck_assert_uint_eq(r.clash_count[selfish], 2);
        ck_assert_str_eq(universe_str(&u, u.clauses.items[r.clash.items[r.clash_first[selfish]]].desc), "y");
        ck_assert_uint_eq(r.clash.items[r.clash_first[selfish] + 1], VS_NONE);
        uint32_t uses_lib2 = u.names.items[universe_find_name(&u, "uses-lib2")].first_pkg;
        ck_assert_str_eq(universe_str(&u, u.clauses.items[r.reason[uses_lib2]].desc), "lib >= 2.0");
        sweep_result_free(&r);
    }
    universe_free(&u);
}
END_TEST

/* On the bundled repository: every "installable" package has a solution the checker accepts,
 * and every other one has none; one and two threads agree. */
START_TEST(bundled_repository_agrees_with_solver)
{
    vs_universe u;
    ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
    opam_vars vars;
    opam_vars_init(&vars);
    opam_vars_set(&vars, "os", "linux");
    opam_vars_set(&vars, "arch", "x86_64");
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(opam_load_repository(&u, test_source_path("corpora/mirage-mini"), &vars, NULL, &err), VSOLVE_OK);
    opam_vars_free(&vars);
    sweep_result one, two;
    ck_assert_int_eq(sweep_universe(&u, 1, NULL, NULL, &one), VSOLVE_OK);
    ck_assert_int_eq(sweep_universe(&u, 2, NULL, NULL, &two), VSOLVE_OK);
    ck_assert_int_eq(memcmp(one.status, two.status, u.pkgs.len), 0);
    ck_assert_uint_gt(one.count[SWEEP_INSTALLABLE], 50);
    for (uint32_t p = 0; p < u.pkgs.len; p++) {
        vs_request req;
        request_init(&req);
        request_add_atom(&req, u.pkgs.items[p].version, u.pkgs.items[p].name, &p, 1);
        vs_solution s;
        solution_init(&s);
        int rc = vs_solve(&u, &req, &s);
        ck_assert_msg((rc == VSOLVE_OK) == (one.status[p] == SWEEP_INSTALLABLE), "%s.%s: sweep says %s, solve says %d",
                      universe_pkg_name(&u, p), universe_pkg_version(&u, p), sweep_status_name(one.status[p]), rc);
        if (rc == VSOLVE_OK)
            ck_assert_uint_eq(check_solution(&u, &req, s.pkgs.items, s.pkgs.len, NULL, 0), 0);
        solution_free(&s);
        request_free(&req);
    }
    sweep_result_free(&one);
    sweep_result_free(&two);
    universe_free(&u);
}
END_TEST

/* quick.c on a small CNF: p (1) needs 2 or 3; 2 needs 4; 4 conflicts with p. The newest
 * choice (2) fails, the search backs up to 3; growing the model with 4 fails and keeps it. */
START_TEST(quick_search)
{
    const int lits[] = { -1, 3, 2, -2, 4, -4, -1 };
    const uint32_t start[] = { 0, 3, 5, 7 };
    quick *q = quick_new(lits, start, 3, 4);
    ck_assert_ptr_nonnull(q);
    u32_vec trues = { 0 };
    ck_assert_int_eq(quick_begin(q, 1, 10), 1);
    ck_assert_int_eq(quick_extend(q, 4, 10), 0);
    ck_assert_int_eq(quick_extend(q, 2, 10), 0);
    ck_assert_int_eq(quick_trues(q, &trues), 1);
    ck_assert_uint_eq(trues.len, 2);
    ck_assert_uint_eq(trues.items[0], 0);
    ck_assert_uint_eq(trues.items[1], 2);
    quick_end(q);
    ck_assert_int_eq(quick_begin(q, 4, 10), 1);   /* 4 alone: nothing else needed */
    ck_assert_int_eq(quick_trues(q, &trues), 1);
    ck_assert_uint_eq(trues.len, 1);
    quick_free(q);
    /* with 3 ruled out as well, p has no model: the search gives up */
    const int lits2[] = { -1, 3, 2, -2, 4, -4, -1, -3 };
    const uint32_t start2[] = { 0, 3, 5, 7, 8 };
    q = quick_new(lits2, start2, 4, 4);
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(quick_begin(q, 1, 10), 0);
    ck_assert_int_eq(quick_begin(q, 2, 10), 1);
    quick_free(q);
    vec_free(&trues);
}
END_TEST

Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, categories);
    tcase_add_test(tc, bundled_repository_agrees_with_solver);
    tcase_add_test(tc, quick_search);
    suite_add_tcase(s, tc);
    return s;
}
