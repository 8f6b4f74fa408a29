/* test_refusals.c: refusals of opam requests that read well: the failing `available` formula with
 * the values it was evaluated with, a package's own conflicts named with the dependency they
 * rule out, and fixes that relax two atoms when no single edit works (each verified here). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "opam_fixes.h"
#include "opam_repo.h"
#include "solve.h"
#include "testutil.h"

static const opam_memory_file files[] = {
    /* an available formula that fails with the default opam-version */
    { "func", "1", "available: opam-version >= \"2.2.0\"", NULL },
    { "app", "1", "depends: [ \"func\" {= \"1\"} ]", NULL },
    /* a package whose own conflicts rule out every version of a dependency */
    { "ct", "0.8", "", NULL },
    { "ct", "0.9", "", NULL },
    { "uss", "1", "depends: [ \"ct\" ] conflicts: [ \"ct\" {< \"0.4\"} \"ct\" {>= \"0.7\"} ]", NULL },
    { "wrap", "1", "depends: [ \"ct\" ]", NULL },
    { "uss2", "1", "depends: [ \"wrap\" ] conflicts: [ \"ct\" {>= \"0.7\"} ]", NULL },
    /* two clashes, as core and async against a compiler: no single edit works */
    { "ocaml", "1", "", NULL },
    { "ocaml", "2", "", NULL },
    { "ocaml", "3", "", NULL },
    { "comp", "1", "depends: [ \"ocaml\" {= \"1\"} ]", NULL },
    { "comp", "2", "depends: [ \"ocaml\" {= \"2\"} ]", NULL },
    { "comp", "3", "depends: [ \"ocaml\" {= \"3\"} ]", NULL },
    { "core", "1", "depends: [ \"ocaml\" {= \"1\"} ]", NULL },
    { "core", "2", "depends: [ \"ocaml\" {= \"2\"} ]", NULL },
    { "async", "1", "depends: [ \"core\" {= \"1\"} ]", NULL },
    { "async", "2", "depends: [ \"core\" {= \"2\"} ]", NULL },
};

static void build(vs_universe *u)
{
    opam_vars vars = { 0 };
    ck_assert_int_eq(opam_vars_init(&vars), VSOLVE_OK);
    ck_assert_int_eq(opam_vars_set(&vars, "opam-version", "2.1.2"), VSOLVE_OK);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    int rc = opam_load_memory(u, files, sizeof files / sizeof files[0], &vars, NULL, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    opam_vars_free(&vars);
}

/* Solves atoms[0..n) on u; returns the status, the solution in *s. */
static int solve(vs_universe *u, const char *const *atoms, size_t n, vs_solution *s)
{
    vs_request req;
    vs_error err;
    vs_error_clear(&err);
    request_init(&req);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(opam_add_request_atom(u, &req, atoms[i], &err), VSOLVE_OK);
    ck_assert_int_eq(request_need_clauses(u, &req, &err), VSOLVE_OK);
    solution_init(s);
    int rc = vs_solve(u, &req, s);
    request_free(&req);
    return rc;
}

static void expect_refusal(const char *atom, const char *want)
{
    vs_universe u;
    build(&u);
    vs_solution s;
    const char *atoms[] = { atom };
    ck_assert_int_eq(solve(&u, atoms, 1, &s), VSOLVE_UNSAT);
    ck_assert_ptr_nonnull(s.explanation);
    ck_assert_msg(strstr(s.explanation, want) != NULL, "%s: wanted \"%s\" in:\n%s", atom, want, s.explanation);
    solution_free(&s);
    universe_free(&u);
}

START_TEST(available_formula_named)
{
    expect_refusal("app", "(func.1) is not available: its available field opam-version >= \"2.2.0\" is false "
                          "with opam-version = 2.1.2");
    expect_refusal("func", "is not available: its available field opam-version >= \"2.2.0\" is false with "
                           "opam-version = 2.1.2");
}
END_TEST

START_TEST(own_conflicts_named)
{
    /* on the dependency itself */
    expect_refusal("uss", "uss 1 needs this, which its own conflicts rule out:\n  - ct (ct 0.8 and 0.9)\n"
                          "  - uss 1 conflicts with ct 0.8 and 0.9\n"
                          "Why: uss 1 needs ct and conflicts with every version of it that could be installed (0.8 and 0.9).\n");
    /* through another package: the chain */
    expect_refusal("uss2", "Why: uss2 1 conflicts with every version of ct it could use:\n"
                           "  - wrap needs ct 0.8 and 0.9 (through wrap -> ct)\n");
}
END_TEST

START_TEST(two_relaxations)
{
    vs_universe u;
    build(&u);
    const char *atoms[] = { "comp.3", "core.2", "async.1" };
    vs_solution s;
    ck_assert_int_eq(solve(&u, atoms, 3, &s), VSOLVE_UNSAT);
    opam_fixes fixes;
    ck_assert_int_eq(opam_find_fixes(&u, atoms, 3, &s, 4, 0, &fixes), VSOLVE_OK);
    int relaxed_pair = 0;
    for (size_t f = 0; f < fixes.len; f++) {
        ck_assert_uint_eq(fixes.items[f].n, 2);   /* no single edit works here */
        const char *edited[3];
        for (size_t i = 0; i < 3; i++) {
            edited[i] = atoms[i];
            for (size_t k = 0; k < 2; k++)
                if (!strcmp(atoms[i], fixes.items[f].old[k]))
                    edited[i] = fixes.items[f].replacement[k];
        }
        const char *kept[3];
        size_t n = 0;
        for (size_t i = 0; i < 3; i++)
            if (edited[i])
                kept[n++] = edited[i];
        vs_solution fixed;
        ck_assert_msg(solve(&u, kept, n, &fixed) == VSOLVE_OK, "the fix \"%s\" does not solve", fixes.items[f].text);
        solution_free(&fixed);
        relaxed_pair |= fixes.items[f].replacement[0] && fixes.items[f].replacement[1];
    }
    ck_assert_uint_ge(fixes.len, 1);
    ck_assert_msg(relaxed_pair, "no fix relaxes two atoms");
    /* smallest first: relaxing both comes before dropping both */
    ck_assert_str_eq(fixes.items[0].text, "replace `comp.3` with `comp.1` and `core.2` with `core.1` (the newest versions that fit)");
    opam_fixes_free(&fixes);
    /* a deadline already past (second 1 of the monotonic clock): the search stops, no fix */
    ck_assert_int_eq(opam_find_fixes(&u, atoms, 3, &s, 4, 1.0, &fixes), VSOLVE_ETIMEOUT);
    ck_assert_uint_eq(fixes.len, 0);
    opam_fixes_free(&fixes);
    solution_free(&s);
    universe_free(&u);
}
END_TEST

Suite *refusals_suite(void)
{
    Suite *s = suite_create("refusals");
    TCase *tc = tcase_create("refusals");
    tcase_add_test(tc, available_formula_named);
    tcase_add_test(tc, own_conflicts_named);
    tcase_add_test(tc, two_relaxations);
    suite_add_tcase(s, tc);
    return s;
}
