/* test_core.c: unit tests of the core: string pool, universe building, SAT wrapper, encoding of
 * large groups, and the checker catching every kind of violation. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"
#include "checker.h"
#include "runset.h"
#include "sat.h"
#include "solve.h"
#include "strpool.h"
#include "universe.h"

/* An arena refuses a size that rounding up would wrap (it once returned 16 bytes for it), and
 * a block of 2 MB or more (whole huge pages) is usable to its last byte. */
START_TEST(arena_bounds)
{
    arena a;
    arena_init(&a);
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX));
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX - 3));
    size_t big = (size_t)5 << 20;
    unsigned char *p = arena_alloc(&a, big);
    ck_assert_ptr_nonnull(p);
    memset(p, 0xab, big);
    ck_assert_int_eq(p[big - 1], 0xab);
    ck_assert_ptr_nonnull(arena_alloc(&a, 16));
    arena_free(&a);
}
END_TEST

/* A reset arena reuses its newest block (the next allocation lands at its start), and memory
 * from arena_alloc is zeroed even where an earlier, reset allocation wrote. */
START_TEST(arena_reset_reuses)
{
    arena a;
    arena_init(&a);
    arena_reset(&a);   /* nothing yet: still usable */
    unsigned char *first = arena_alloc_uninit(&a, 100);
    ck_assert_ptr_nonnull(first);
    memset(first, 0xcd, 100);
    for (int i = 0; i < 64; i++)   /* several blocks */
        ck_assert_ptr_nonnull(arena_alloc(&a, 32 * 1024));
    arena_reset(&a);
    ck_assert_uint_eq(a.total, 0);
    unsigned char *start = arena_alloc_uninit(&a, 16);   /* the start of the kept block */
    memset(start, 0xcd, 16);
    arena_reset(&a);
    unsigned char *again = arena_alloc(&a, 16);
    ck_assert_ptr_eq(again, start);
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(again[i], 0);
    char *s = arena_strndup(&a, "abc", 2);
    ck_assert_str_eq(s, "ab");
    arena_free(&a);
}
END_TEST

/* An ordinary arena that outgrows its first block grows by a 512 KB block, then by a whole 2 MB
 * page (one page fault on transparent huge pages) that three allocations of 100 KB, 1 MB and
 * 900 KB share; a large arena (arena_init_large) takes the 2 MB page right after its first block. */
START_TEST(arena_grows_by_huge_pages)
{
    arena a, big;
    arena_init(&a);
    arena_init_large(&big);
    ck_assert_ptr_nonnull(arena_alloc_uninit(&a, 60 * 1024));   /* the first blocks */
    ck_assert_ptr_nonnull(arena_alloc_uninit(&big, 60 * 1024));
    unsigned char *s = arena_alloc_uninit(&a, 100 * 1024), *t = arena_alloc_uninit(&a, 400 * 1024);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_eq(t, s + 100 * 1024);   /* the second block: 512 KB */
    unsigned char *r = arena_alloc_uninit(&a, 100 * 1024);   /* it is full: a 2 MB block */
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_ne(r, t + 400 * 1024);
    ck_assert_uint_lt((uintptr_t)r % (2u << 20), 64);   /* just past the block's header, on a 2 MB page */
    unsigned char *p = arena_alloc_uninit(&a, 1024 * 1024), *q = arena_alloc_uninit(&a, 900 * 1024);
    ck_assert_ptr_eq(p, r + 100 * 1024);   /* it had room for them all */
    ck_assert_ptr_eq(q, p + 1024 * 1024);
    memset(r, 1, 2024 * 1024);
    unsigned char *u = arena_alloc_uninit(&big, 100 * 1024), *v = arena_alloc_uninit(&big, 1800 * 1024);
    ck_assert_ptr_eq(v, u + 100 * 1024);   /* the second block of a large arena: 2 MB */
    arena_free(&a);
    arena_free(&big);
}
END_TEST

START_TEST(strpool_interns)
{
    strpool p;
    ck_assert_int_eq(strpool_init(&p), VSOLVE_OK);
    uint32_t a = strpool_intern(&p, "lwt", 3), b = strpool_intern(&p, "dune", 4);
    ck_assert_uint_ne(a, b);
    ck_assert_uint_eq(strpool_intern(&p, "lwt", 3), a);
    ck_assert_uint_eq(strpool_find(&p, "dune", 4), b);
    ck_assert_uint_eq(strpool_find(&p, "nope", 4), UINT32_MAX);
    ck_assert_str_eq(strpool_str(&p, a), "lwt");
    char buf[32];
    for (int i = 0; i < 5000; i++) {   /* forces table growth */
        int n = snprintf(buf, sizeof buf, "name-%d", i);
        ck_assert_uint_ne(strpool_intern(&p, buf, (size_t)n), UINT32_MAX);
    }
    ck_assert_uint_eq(strpool_find(&p, "name-4999", 9), strpool_intern(&p, "name-4999", 9));
    ck_assert_uint_eq(strpool_find(&p, "lwt", 3), a);
    /* room made in advance: the strings interned before stay found, the new ones get the next ids */
    uint32_t before = p.count;
    ck_assert_int_eq(strpool_reserve(&p, 20000), VSOLVE_OK);
    ck_assert_uint_ge(p.cap, before + 20000);
    ck_assert_uint_ge(p.table_cap, 2 * (before + 20000));
    ck_assert_uint_eq(strpool_find(&p, "name-17", 7), strpool_intern(&p, "name-17", 7));
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "more-%d", i);
        ck_assert_uint_eq(strpool_intern(&p, buf, (size_t)n), before + (uint32_t)i);
    }
    ck_assert_uint_eq(strpool_find(&p, "more-19999", 10), before + 19999);
    ck_assert_uint_eq(strpool_find(&p, "dune", 4), b);
    strpool_free(&p);
}
END_TEST

static int numeric_cmp(const char *a, const char *b)
{
    long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
    return (x > y) - (x < y);
}

/* A universe: name "a" versions 1..n, "b" versions 1..2; the caller adds clauses. */
static void small_universe(vs_universe *u, int n_a)
{
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    char v[16];
    for (int i = n_a; i >= 1; i--) {
        snprintf(v, sizeof v, "%d", i);
        universe_add_package(u, universe_intern(u, "a", 1), universe_intern(u, v, strlen(v)), 0, NULL);
    }
    universe_add_package(u, universe_intern(u, "b", 1), universe_intern(u, "2", 1), 0, NULL);
    universe_add_package(u, universe_intern(u, "b", 1), universe_intern(u, "1", 1), VS_PKG_UNAVAILABLE, NULL);
    ck_assert_int_eq(universe_sort(u, numeric_cmp), VSOLVE_OK);
}

/* A set of runs keyed by the exact run: each is new once, and stays known through growth. */
START_TEST(runset_knows_each_run_once)
{
    runset s;
    runset_init(&s);
    for (uint32_t i = 0; i < 5000; i++)   /* several growths */
        ck_assert_int_eq(runset_add(&s, i * 7, i % 5 + 1), 1);
    ck_assert_uint_eq(s.len, 5000);
    for (uint32_t i = 0; i < 5000; i++)
        ck_assert_int_eq(runset_add(&s, i * 7, i % 5 + 1), 0);
    ck_assert_int_eq(runset_add(&s, 7, 9), 1);   /* the same first with another length */
    ck_assert_uint_eq(s.len, 5001);
    runset_free(&s);
    ck_assert_ptr_null(s.keys);
}
END_TEST

START_TEST(universe_sorts_and_lags)
{
    vs_universe u;
    small_universe(&u, 3);
    ck_assert_uint_eq(u.names.len, 2);
    uint32_t a = universe_find_name(&u, "a"), first, count;
    universe_name_pkgs(&u, a, &first, &count);
    ck_assert_uint_eq(count, 3);
    ck_assert_str_eq(universe_pkg_version(&u, first), "1");
    ck_assert_str_eq(universe_pkg_version(&u, first + 2), "3");
    ck_assert_uint_eq(u.pkgs.items[first].lag, 2);
    ck_assert_uint_eq(u.pkgs.items[first + 2].lag, 0);
    uint32_t b = universe_find_name(&u, "b");
    universe_name_pkgs(&u, b, &first, &count);
    ck_assert_uint_eq(u.names.items[b].n_available, 1);
    ck_assert_uint_eq(u.pkgs.items[first].lag, 1);   /* b.1 (unavailable) below available b.2 */
    ck_assert_uint_eq(universe_find_name(&u, "zzz"), VS_NONE);
    universe_free(&u);
}
END_TEST

START_TEST(sat_wrapper)
{
    vs_error err;
    sat *s = sat_new(&err);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(sat_add_vars(s, 3), 0);
    int c1[] = { 1, 2 }, c2[] = { -1, 3 }, c3[] = { -2, 3 };
    sat_add_clause(s, c1, 2);
    sat_add_clause(s, c2, 2);
    sat_add_clause(s, c3, 2);
    ck_assert_int_eq(sat_solve(s, NULL, 0), SAT_SAT);
    ck_assert_int_eq(sat_model_value(s, 2), 1);
    int assume[] = { -3 };
    ck_assert_int_eq(sat_solve(s, assume, 1), SAT_UNSAT);
    const int *failed;
    size_t n = sat_failed_assumptions(s, &failed);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(failed[0], -3);
    ck_assert_uint_eq(sat_solve_calls(s), 2);
    sat_free(s);
}
END_TEST

/* Variables and clauses reach CryptoMiniSat in a batch before each solve: variables added one
 * at a time between clauses, and after a solve, are counted at once and take part in the next. */
START_TEST(sat_batches_between_solves)
{
    vs_error err;
    sat *s = sat_new(&err);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(sat_add_vars(s, 1), 0);
    int u1[] = { 1 };
    ck_assert_int_eq(sat_add_clause(s, u1, 1), 1);
    ck_assert_uint_eq(sat_add_vars(s, 1), 1);
    int c12[] = { -1, 2 };
    sat_add_clause(s, c12, 2);
    ck_assert_uint_eq(sat_num_vars(s), 2);
    ck_assert_int_eq(sat_solve(s, NULL, 0), SAT_SAT);
    ck_assert_int_eq(sat_model_value(s, 1), 1);
    /* after the solve: a new variable, forced false by a clause on the old ones */
    ck_assert_uint_eq(sat_add_vars(s, 1), 2);
    ck_assert_uint_eq(sat_num_vars(s), 3);
    int c23[] = { -2, -3 };
    sat_add_clause(s, c23, 2);
    int a3[] = { 3 };
    ck_assert_int_eq(sat_solve(s, a3, 1), SAT_UNSAT);
    ck_assert_int_eq(sat_solve(s, NULL, 0), SAT_SAT);
    ck_assert_int_eq(sat_model_value(s, 2), 0);
    /* the clauses as added, for sat_propagate and sat_clauses */
    const int *lits;
    const uint32_t *start;
    ck_assert_uint_eq(sat_clauses(s, &lits, &start), 3);
    ck_assert_int_eq(lits[start[2]], -2);
    signed char val[3];
    ck_assert_int_eq(sat_propagate(s, NULL, 0, val), 0);
    ck_assert_int_eq(val[0], 1);
    ck_assert_int_eq(val[1], 1);
    ck_assert_int_eq(val[2], -1);
    ck_assert_int_eq(sat_add_clause(s, NULL, 0), 0);   /* the empty clause */
    ck_assert_int_eq(sat_solve(s, NULL, 0), SAT_UNSAT);
    sat_free(s);
}
END_TEST

/* A slot of 40 versions uses the sequential counter: still at most one, and the newest chosen. */
START_TEST(large_group_at_most_one)
{
    vs_universe u;
    small_universe(&u, 40);
    ck_assert_int_eq(universe_slot_per_name(&u), VSOLVE_OK);
    uint32_t a = universe_find_name(&u, "a"), first, count;
    universe_name_pkgs(&u, a, &first, &count);
    vs_request req;
    request_init(&req);
    uint32_t all[40];
    for (uint32_t i = 0; i < count; i++)
        all[i] = first + i;
    request_add_atom(&req, universe_intern(&u, "a", 1), a, all, count);
    request_add_atom(&req, universe_intern(&u, "a<=17", 5), a, all, 17);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_uint_eq(s.pkgs.len, 1);
    ck_assert_str_eq(universe_pkg_version(&u, s.pkgs.items[0]), "17");
    solution_free(&s);
    /* two distinct versions requested at once: refused */
    vs_request two;
    request_init(&two);
    request_add_atom(&two, universe_intern(&u, "a=3", 3), a, &all[2], 1);
    request_add_atom(&two, universe_intern(&u, "a=30", 4), a, &all[29], 1);
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &two, &s), VSOLVE_UNSAT);
    ck_assert_ptr_nonnull(strstr(s.explanation, "a=3"));
    ck_assert_ptr_nonnull(strstr(s.explanation, "a=30"));
    solution_free(&s);
    request_free(&two);
    request_free(&req);
    universe_free(&u);
}
END_TEST

START_TEST(checker_finds_each_violation)
{
    vs_universe u;
    small_universe(&u, 3);
    uint32_t a = universe_find_name(&u, "a"), b = universe_find_name(&u, "b"), af, ac, bf, bc;
    universe_name_pkgs(&u, a, &af, &ac);
    universe_name_pkgs(&u, b, &bf, &bc);
    uint32_t b2 = bf + 1, b1 = bf;
    /* a.3 requires b.2; a.2 conflicts with b.2 */
    ck_assert_int_eq(universe_add_clause(&u, af + 1, universe_intern(&u, "nothing", 7), NULL, 0), VSOLVE_OK);
    ck_assert_int_eq(universe_add_conflicts(&u, af + 1, &b2, 1), VSOLVE_OK);
    ck_assert_int_eq(universe_add_clause(&u, af + 2, universe_intern(&u, "b = 2", 5), &b2, 1), VSOLVE_OK);
    ck_assert_int_eq(universe_slot_per_name(&u), VSOLVE_OK);
    vs_request req;
    request_init(&req);
    request_add_atom(&req, universe_intern(&u, "a", 1), a, (uint32_t[]){ af, af + 1, af + 2 }, 3);
    char msg[2048];

    uint32_t good[] = { af + 2, b2 };
    ck_assert_uint_eq(check_solution(&u, &req, good, 2, msg, sizeof msg), 0);

    uint32_t missing_dep[] = { af + 2 };
    ck_assert_uint_eq(check_solution(&u, &req, missing_dep, 1, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "a.3 requires b = 2"));

    uint32_t conflict[] = { af + 1, b2 };
    ck_assert_uint_ge(check_solution(&u, &req, conflict, 2, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "conflicts with installed b.2"));

    uint32_t two_versions[] = { af, af + 2, b2 };
    ck_assert_uint_eq(check_solution(&u, &req, two_versions, 3, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "exclude each other"));

    uint32_t request_unmet[] = { b2 };
    ck_assert_uint_eq(check_solution(&u, &req, request_unmet, 1, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "request a is not met"));

    uint32_t unavailable[] = { af, b1 };
    ck_assert_uint_eq(check_solution(&u, &req, unavailable, 2, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "b.1 is installed but not available"));

    /* and the solver's own answer passes */
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_uint_eq(check_solution(&u, &req, s.pkgs.items, s.pkgs.len, msg, sizeof msg), 0);
    ck_assert_uint_eq(s.pkgs.len, 2);    /* a.3 and b.2 */
    ck_assert_uint_eq(s.pkgs.items[0], af + 2);
    ck_assert_uint_eq(s.pulled_by.items[1], af + 2);   /* b.2 pulled in by a.3 */
    ck_assert_uint_eq(s.pulled_by_atom.items[0], 0);
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
}
END_TEST

START_TEST(forbid_and_keep)
{
    vs_universe u;
    small_universe(&u, 3);
    ck_assert_int_eq(universe_slot_per_name(&u), VSOLVE_OK);
    uint32_t a = universe_find_name(&u, "a"), first, count;
    universe_name_pkgs(&u, a, &first, &count);
    uint32_t all[] = { first, first + 1, first + 2 };
    vs_request req;
    request_init(&req);
    request_add_atom(&req, universe_intern(&u, "a", 1), a, all, 3);
    request_forbid(&req, universe_intern(&u, "a=3", 3), a, &all[2], 1);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_uint_eq(s.pkgs.len, 1);
    ck_assert_str_eq(universe_pkg_version(&u, s.pkgs.items[0]), "2");
    char msg[512];
    ck_assert_uint_eq(check_solution(&u, &req, &all[2], 1, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "request to remove a=3 is not met"));
    solution_free(&s);
    request_free(&req);

    /* keep a.1 (e.g. locked): kept although a.3 is newer */
    request_init(&req);
    request_add_atom(&req, universe_intern(&u, "a", 1), a, all, 3);
    request_keep(&req, all[0]);
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_str_eq(universe_pkg_version(&u, s.pkgs.items[0]), "1");
    solution_free(&s);
    request_free(&req);

    /* keep something nobody asked for: it stays installed */
    uint32_t b = universe_find_name(&u, "b"), bf, bc;
    universe_name_pkgs(&u, b, &bf, &bc);
    request_init(&req);
    request_add_atom(&req, universe_intern(&u, "a", 1), a, all, 3);
    request_keep(&req, bf + 1);
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_uint_eq(s.pkgs.len, 2);
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
}
END_TEST

/* A clause conditional on another package applies only when that package is installed. */
START_TEST(conditional_clause)
{
    vs_universe u;
    ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
    const char *names[] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++)
        universe_add_package(&u, universe_intern(&u, names[i], 1), universe_intern(&u, "1", 1), 0, NULL);
    ck_assert_int_eq(universe_sort(&u, numeric_cmp), VSOLVE_OK);
    uint32_t a = 0, b = 1, c = 2;
    ck_assert_int_eq(universe_add_clause_if(&u, a, b, universe_intern(&u, "c if b", 6), &c, 1), VSOLVE_OK);
    vs_request req;
    request_init(&req);
    request_add_atom(&req, universe_intern(&u, "a", 1), 0, &a, 1);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_uint_eq(s.pkgs.len, 1);    /* b is not installed: c is not needed */
    solution_free(&s);
    request_add_atom(&req, universe_intern(&u, "b", 1), 1, &b, 1);
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_OK);
    ck_assert_uint_eq(s.pkgs.len, 3);    /* with b, a needs c */
    solution_free(&s);
    char msg[256];
    uint32_t without_c[] = { a, b };
    ck_assert_uint_eq(check_solution(&u, &req, without_c, 2, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "a.1 requires c if b"));
    request_free(&req);
    universe_free(&u);
}
END_TEST

Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, strpool_interns);
    tcase_add_test(tc, arena_bounds);
    tcase_add_test(tc, arena_reset_reuses);
    tcase_add_test(tc, arena_grows_by_huge_pages);
    tcase_add_test(tc, runset_knows_each_run_once);
    tcase_add_test(tc, universe_sorts_and_lags);
    tcase_add_test(tc, sat_wrapper);
    tcase_add_test(tc, sat_batches_between_solves);
    tcase_add_test(tc, large_group_at_most_one);
    tcase_add_test(tc, checker_finds_each_violation);
    tcase_add_test(tc, forbid_and_keep);
    tcase_add_test(tc, conditional_clause);
    suite_add_tcase(s, tc);
    return s;
}
