/* test_duplicates.c: --duplicates: refusal without it, copies with it, minimality, the one-copy-
 * per-dependent rule, refusals that duplicates cannot fix, the propagation-only path, and the
 * fixture's repository through the library. Every answer is re-checked by dup_check. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checker.h"
#include "duplicates.h"
#include "testcase.h"
#include "testutil.h"
#include "vsolve.h"

typedef struct run {
    testcase tc;
    vs_universe u;
    vs_request req;
    vs_solution s;
    vs_dup_result r;
    int rc;
} run;

/* Solves a YAML case (its expectation is ignored) in the given mode. */
static void solve_yaml(run *x, const char *yaml, int mode)
{
    char path[] = "/tmp/vsolve-dupcase-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(yaml, f);
    fputs("unsat: [ \"the expectation is not used here\" ]\n", f);
    fclose(f);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(testcase_read(&x->tc, path, &err) == VSOLVE_OK, "%s", err.message);
    unlink(path);
    ck_assert_int_eq(universe_init(&x->u), VSOLVE_OK);
    request_init(&x->req);
    ck_assert_msg(testcase_build(&x->tc, &x->u, &x->req, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(request_need_clauses(&x->u, &x->req, &err), VSOLVE_OK);
    solution_init(&x->s);
    vs_dup_options o = { mode, NULL, 0 };
    x->rc = vs_solve_duplicates(&x->u, &x->req, &o, &x->s, &x->r);
    if (x->rc == VSOLVE_OK) {
        char msg[1024];
        ck_assert_msg(dup_check(&x->u, &x->req, &o, &x->s.pkgs, msg, sizeof msg), "dup_check: %s", msg);
    }
}

static void run_free(run *x)
{
    dup_result_free(&x->r);
    solution_free(&x->s);
    request_free(&x->req);
    universe_free(&x->u);
    testcase_free(&x->tc);
}

static int has(const run *x, const char *name, const char *version)
{
    for (size_t i = 0; i < x->s.pkgs.len; i++)
        if (!strcmp(universe_pkg_name(&x->u, x->s.pkgs.items[i]), name) &&
            !strcmp(universe_pkg_version(&x->u, x->s.pkgs.items[i]), version))
            return 1;
    return 0;
}

static const char fixture_like[] =
    "description: two libraries need incompatible versions of stub\n"
    "packages:\n"
    "  stub.1.0: ''\n"
    "  stub.2.0: ''\n"
    "  left.1.0: 'depends: [ \"stub\" {< \"2.0\"} ]'\n"
    "  right.1.0: 'depends: [ \"stub\" {>= \"2.0\"} ]'\n"
    "  app.1.0: 'depends: [ \"left\" \"right\" ]'\n"
    "request: [ app ]\n";

START_TEST(refused_without_duplicates)
{
    run x;
    solve_yaml(&x, fixture_like, VS_DUP_OFF);
    ck_assert_int_eq(x.rc, VSOLVE_UNSAT);
    ck_assert_ptr_nonnull(strstr(x.s.explanation, "different versions of stub"));
    run_free(&x);
}
END_TEST

START_TEST(two_copies_and_their_users)
{
    for (int mode = VS_DUP_MIN; mode <= VS_DUP_FAST; mode++) {
        run x;
        solve_yaml(&x, fixture_like, mode);
        ck_assert_int_eq(x.rc, VSOLVE_OK);
        ck_assert(has(&x, "stub", "1.0") && has(&x, "stub", "2.0"));
        ck_assert_int_eq(x.r.dup_names, 1);
        ck_assert_int_eq(x.r.extra_copies, 1);
        ck_assert_int_eq(x.r.fast_path, mode == VS_DUP_FAST);
        ck_assert_uint_eq(x.r.copies.len, 2);
        for (size_t c = 0; c < 2; c++) {
            const vs_dup_copy *cp = &x.r.copies.items[c];
            const char *v = universe_pkg_version(&x.u, cp->pkg);
            ck_assert_int_eq(cp->renamed, !strcmp(v, "1.0"));   /* the older copy is renamed */
            ck_assert_uint_eq(cp->users_count, 1);
            const char *user = universe_pkg_name(&x.u, x.r.users.items[cp->users_first]);
            ck_assert_str_eq(user, !strcmp(v, "1.0") ? "left" : "right");
        }
        /* the single-version checker refuses it: the answer really holds two versions */
        char msg[512];
        ck_assert_uint_gt(check_solution(&x.u, &x.req, x.s.pkgs.items, x.s.pkgs.len, msg, sizeof msg), 0);
        run_free(&x);
    }
}
END_TEST

START_TEST(single_version_answer_kept)
{
    static const char yaml[] =
        "packages:\n"
        "  a.1.0: 'depends: [ \"b\" ]'\n"
        "  b.1.0: ''\n"
        "  b.2.0: ''\n"
        "  c.1.0: 'depends: [ \"b\" {< \"2.0\"} ]'\n"
        "request: [ a, c ]\n";
    run x, y;
    solve_yaml(&x, yaml, VS_DUP_OFF);
    solve_yaml(&y, yaml, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_OK);
    ck_assert_int_eq(y.rc, VSOLVE_OK);
    ck_assert_int_eq(y.r.single_version, 1);
    ck_assert_int_eq(y.r.dup_names, 0);
    ck_assert_uint_eq(x.s.pkgs.len, y.s.pkgs.len);
    for (size_t i = 0; i < x.s.pkgs.len; i++)
        ck_assert_uint_eq(x.s.pkgs.items[i], y.s.pkgs.items[i]);
    ck_assert(has(&y, "b", "1.0") && !has(&y, "b", "2.0"));
    run_free(&x);
    run_free(&y);
}
END_TEST

START_TEST(fewest_duplicated_names_first)
{
    /* a.2 needs x 1 and y 1 (two names duplicated beside b), a.1 only x 1 (one name): the
     * older a wins, because fewer duplicated names come before newer versions */
    static const char yaml[] =
        "packages:\n"
        "  x.1: ''\n"
        "  x.2: ''\n"
        "  y.1: ''\n"
        "  y.2: ''\n"
        "  a.1: 'depends: [ \"x\" {= \"1\"} ]'\n"
        "  a.2: 'depends: [ \"x\" {= \"1\"} \"y\" {= \"1\"} ]'\n"
        "  b.1: 'depends: [ \"x\" {= \"2\"} \"y\" {= \"2\"} ]'\n"
        "request: [ a, b ]\n";
    run x;
    solve_yaml(&x, yaml, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_OK);
    ck_assert_int_eq(x.r.dup_names, 1);
    ck_assert(has(&x, "a", "1") && !has(&x, "a", "2"));
    ck_assert(has(&x, "x", "1") && has(&x, "x", "2") && has(&x, "y", "2") && !has(&x, "y", "1"));
    run_free(&x);
}
END_TEST

START_TEST(fewest_extra_copies)
{
    /* p needs x 1, q x >= 2, s x <= 3: two copies suffice (x.1 and x.3), not three */
    static const char yaml[] =
        "packages:\n"
        "  x.1: ''\n"
        "  x.2: ''\n"
        "  x.3: ''\n"
        "  x.4: ''\n"
        "  p.1: 'depends: [ \"x\" {= \"1\"} ]'\n"
        "  q.1: 'depends: [ \"x\" {>= \"2\"} ]'\n"
        "  s.1: 'depends: [ \"x\" {<= \"3\"} ]'\n"
        "request: [ p, q, s ]\n";
    run x;
    solve_yaml(&x, yaml, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_OK);
    ck_assert_int_eq(x.r.dup_names, 1);
    ck_assert_int_eq(x.r.extra_copies, 1);
    ck_assert(has(&x, "x", "1"));
    run_free(&x);
}
END_TEST

START_TEST(one_copy_meets_all_constraints_of_a_dependent)
{
    /* a's two constraints on b are met by one copy (b.2), never by b.1 for one and b.3 for the
     * other; c takes b.3 */
    static const char yaml[] =
        "packages:\n"
        "  b.1: ''\n"
        "  b.2: ''\n"
        "  b.3: ''\n"
        "  a.1: 'depends: [ \"b\" {>= \"2\"} \"b\" {< \"3\"} ]'\n"
        "  c.1: 'depends: [ \"b\" {= \"3\"} ]'\n"
        "request: [ a, c ]\n";
    run x;
    solve_yaml(&x, yaml, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_OK);
    ck_assert(has(&x, "b", "2") && has(&x, "b", "3") && !has(&x, "b", "1"));
    for (size_t e = 0; e < x.r.edge_from.len; e++)
        if (x.r.edge_from.items[e] != VS_NONE && !strcmp(universe_pkg_name(&x.u, x.r.edge_from.items[e]), "a"))
            ck_assert_str_eq(universe_pkg_version(&x.u, x.r.edge_to.items[e]), "2");
    run_free(&x);
    /* no version meets both: refused even with duplicates, naming the dependency */
    static const char no[] =
        "packages:\n"
        "  b.1: ''\n"
        "  b.3: ''\n"
        "  a.1: 'depends: [ \"b\" {>= \"2\"} \"b\" {< \"3\"} ]'\n"
        "request: [ a ]\n";
    for (int mode = VS_DUP_MIN; mode <= VS_DUP_FAST; mode++) {
        solve_yaml(&x, no, mode);
        ck_assert_int_eq(x.rc, VSOLVE_UNSAT);
        ck_assert_ptr_nonnull(strstr(x.s.explanation, "even with duplicate versions allowed"));
        ck_assert_ptr_nonnull(strstr(x.s.explanation, "a.1 needs b"));
        run_free(&x);
    }
}
END_TEST

START_TEST(single_names_stay_single)
{
    /* the compiler cannot be duplicated: refused, and the reason names it */
    static const char yaml[] =
        "packages:\n"
        "  ocaml.4.14.0: ''\n"
        "  ocaml.5.3.0: ''\n"
        "  old.1: 'depends: [ \"ocaml\" {< \"5.0\"} ]'\n"
        "  new.1: 'depends: [ \"ocaml\" {>= \"5.0\"} ]'\n"
        "request: [ old, new ]\n";
    for (int mode = VS_DUP_MIN; mode <= VS_DUP_FAST; mode++) {
        run x;
        solve_yaml(&x, yaml, mode);
        ck_assert_int_eq(x.rc, VSOLVE_UNSAT);
        ck_assert_msg(strstr(x.s.explanation, "even with duplicate versions allowed") &&
                      strstr(x.s.explanation, "ocaml"), "%s", x.s.explanation);
        ck_assert_ptr_nonnull(strstr(x.s.explanation, "different versions of ocaml"));
        run_free(&x);
    }
}
END_TEST

START_TEST(only_dune_built_versions_coexist)
{
    /* with dune in the repository, a version not built with dune cannot sit beside another */
    static const char no[] =
        "packages:\n"
        "  dune.3.0: ''\n"
        "  x.1: ''\n"
        "  x.2: 'depends: [ \"dune\" ]'\n"
        "  x.3: 'depends: [ \"dune\" ]'\n"
        "  l.1: 'depends: [ \"dune\" \"x\" {= \"1\"} ]'\n"
        "  r.1: 'depends: [ \"dune\" \"x\" {>= \"2\"} ]'\n"
        "request: [ l, r ]\n";
    run x;
    solve_yaml(&x, no, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_UNSAT);
    ck_assert_msg(strstr(x.s.explanation, "not built with dune") && strstr(x.s.explanation, " x"), "%s", x.s.explanation);
    run_free(&x);
    /* l needing x 2 and r x 3: both dune-built, they coexist, and x.1 stays out */
    static const char yes[] =
        "packages:\n"
        "  dune.3.0: ''\n"
        "  x.1: ''\n"
        "  x.2: 'depends: [ \"dune\" ]'\n"
        "  x.3: 'depends: [ \"dune\" ]'\n"
        "  l.1: 'depends: [ \"dune\" \"x\" {= \"2\"} ]'\n"
        "  r.1: 'depends: [ \"dune\" \"x\" {>= \"3\"} ]'\n"
        "request: [ l, r ]\n";
    solve_yaml(&x, yes, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_OK);
    ck_assert(has(&x, "x", "2") && has(&x, "x", "3") && !has(&x, "x", "1"));
    run_free(&x);
}
END_TEST

START_TEST(conflicts_stay_hard)
{
    static const char yaml[] =
        "packages:\n"
        "  b.1: ''\n"
        "  b.2: ''\n"
        "  l.1: 'depends: [ \"b\" {= \"1\"} ]'\n"
        "  r.1: |\n"
        "    depends: [ \"b\" {= \"2\"} ]\n"
        "    conflicts: [ \"l\" ]\n"
        "request: [ l, r ]\n";
    run x;
    solve_yaml(&x, yaml, VS_DUP_MIN);
    ck_assert_int_eq(x.rc, VSOLVE_UNSAT);
    ck_assert_ptr_nonnull(strstr(x.s.explanation, "even with duplicate versions allowed"));
    run_free(&x);
}
END_TEST

START_TEST(fast_path_has_no_search)
{
    run x;
    solve_yaml(&x, fixture_like, VS_DUP_FAST);
    ck_assert_int_eq(x.rc, VSOLVE_OK);
    ck_assert_int_eq(x.r.fast_path, 1);
    ck_assert_uint_eq(x.s.sat_calls, 0);
    run_free(&x);
    /* a missing dependency: refused by propagation, naming the chain */
    static const char yaml[] =
        "packages:\n"
        "  a.1: 'depends: [ \"b\" ]'\n"
        "  b.1: 'depends: [ \"c\" {>= \"2\"} ]'\n"
        "  c.1: ''\n"
        "request: [ a ]\n";
    solve_yaml(&x, yaml, VS_DUP_FAST);
    ck_assert_int_eq(x.rc, VSOLVE_UNSAT);
    ck_assert_msg(strstr(x.s.explanation, "a.1 needs b") && strstr(x.s.explanation, "b.1 needs c >= 2"), "%s",
                  x.s.explanation);
    run_free(&x);
}
END_TEST

/* The fixture's repository through the public API: refused, then two copies with their names. */
START_TEST(fixture_through_the_library)
{
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(vsolve_set_cache(ctx, NULL, VSOLVE_CACHE_OFF), VSOLVE_OK);
    ck_assert_int_eq(vsolve_load_opam(ctx, test_source_path("corpora/dup-fixture/repo")), VSOLVE_OK);
    const char *atoms[] = { "app" };
    vsolve_result *r;
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_UNSAT);
    ck_assert_ptr_null(vsolve_result_copy_name(r, 0));
    vsolve_result_free(r);
    ck_assert_int_eq(vsolve_set_duplicates(ctx, 7), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_set_duplicates(ctx, VSOLVE_DUP_MIN), VSOLVE_OK);
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_OK);
    ck_assert_uint_eq(vsolve_result_dup_names(r), 1);
    ck_assert_uint_eq(vsolve_result_extra_copies(r), 1);
    int seen = 0;
    for (size_t i = 0; i < vsolve_result_count(r); i++) {
        if (strcmp(vsolve_result_name(r, i), "stub")) {
            ck_assert_ptr_null(vsolve_result_copy_users(r, i));
            continue;
        }
        seen++;
        int old = !strcmp(vsolve_result_version(r, i), "1.0");
        if (old)
            ck_assert_str_eq(vsolve_result_copy_name(r, i), "stub_v1_0");
        else
            ck_assert_ptr_null(vsolve_result_copy_name(r, i));
        ck_assert_str_eq(vsolve_result_copy_users(r, i), old ? "left.1.0" : "right.1.0");
    }
    ck_assert_int_eq(seen, 2);
    vsolve_result_free(r);
    /* stub given as single (provided): refused again, even with duplicates */
    ck_assert_int_eq(vsolve_add_single(ctx, "stub"), VSOLVE_OK);
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_UNSAT);
    ck_assert_ptr_nonnull(strstr(vsolve_result_explanation(r), "even with duplicate versions allowed"));
    vsolve_result_free(r);
    vsolve_free(ctx);
}
END_TEST

Suite *duplicates_suite(void)
{
    Suite *s = suite_create("duplicates");
    TCase *t = tcase_create("duplicates");
    tcase_add_test(t, refused_without_duplicates);
    tcase_add_test(t, two_copies_and_their_users);
    tcase_add_test(t, single_version_answer_kept);
    tcase_add_test(t, fewest_duplicated_names_first);
    tcase_add_test(t, fewest_extra_copies);
    tcase_add_test(t, one_copy_meets_all_constraints_of_a_dependent);
    tcase_add_test(t, single_names_stay_single);
    tcase_add_test(t, only_dune_built_versions_coexist);
    tcase_add_test(t, conflicts_stay_hard);
    tcase_add_test(t, fast_path_has_no_search);
    tcase_add_test(t, fixture_through_the_library);
    suite_add_tcase(s, t);
    return s;
}
