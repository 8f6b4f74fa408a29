/* test_solver_cases.c: runs every YAML solver test case under tests/cases/ (one Check test each). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "encode.h"
#include "testcase.h"
#include "testutil.h"

#define MAX_CASES 512
static char *case_paths[MAX_CASES];
static int n_cases;

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void collect(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        size_t n = strlen(path);
        if (n > 5 && strcmp(path + n - 5, ".yaml") == 0) {
            if (n_cases < MAX_CASES)
                case_paths[n_cases++] = strdup(path);
        } else {
            collect(path);
        }
    }
    closedir(d);
}

START_TEST(yaml_case)
{
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    int rc = testcase_read(&tc, case_paths[_i], &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    char msg[4096];
    int ok = testcase_run(&tc, msg, sizeof msg);
    ck_assert_msg(ok, "%s (%s): %s", case_paths[_i], tc.description ? tc.description : "", msg);
    testcase_free(&tc);
}
END_TEST

START_TEST(there_are_cases)
{
    ck_assert_int_ge(n_cases, 20);
}
END_TEST

/* The runner itself must be able to fail: a wrong expectation is reported. */
START_TEST(wrong_expectation_fails)
{
    char path[] = "/tmp/vsolve-case-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("packages:\n  a.1.0: ''\n  a.2.0: ''\nrequest: [ a ]\nsolution: [ a.1.0 ]\n", f);
    fclose(f);
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(testcase_read(&tc, path, &err), VSOLVE_OK);
    char msg[1024];
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    ck_assert_msg(strstr(msg, "expected [a.1.0], got [a.2.0]") != NULL, "%s", msg);
    testcase_free(&tc);
    remove(path);
}
END_TEST

/* The two refusal paths of tests/cases/unsat/pruned_clash_*.yaml: the cone the solution reports
 * is the pruned one when the clash was proven there, the whole one after the fallback. */
static void assert_refusal_path(const char *name, int on_pruned)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/unsat/%s", test_source_path("tests/cases"), name);
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(testcase_read(&tc, path, &err) == VSOLVE_OK, "%s", err.message);
    vs_universe u;
    vs_request req;
    universe_init(&u);
    request_init(&req);
    ck_assert_msg(testcase_build(&tc, &u, &req, &err) == VSOLVE_OK, "%s", err.message);
    vs_encoding whole;
    ck_assert_int_eq(encode_cone(&whole, &u, &req), VSOLVE_OK);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&u, &req, &s), VSOLVE_UNSAT);
    if (on_pruned)
        ck_assert_uint_lt(s.cone_size, whole.cone.len);
    else
        ck_assert_uint_eq(s.cone_size, whole.cone.len);
    solution_free(&s);
    encoding_free(&whole);
    request_free(&req);
    universe_free(&u);
    testcase_free(&tc);
}

START_TEST(refusal_explained_on_the_pruned_cone_or_the_whole)
{
    assert_refusal_path("pruned_clash_proven.yaml", 1);
    assert_refusal_path("pruned_clash_needs_pinned_atom.yaml", 0);
}
END_TEST

START_TEST(malformed_case_has_position)
{
    char path[] = "/tmp/vsolve-case-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("packages:\n  a.1.0: 'depends: [ \"b\" '\nrequest: [ a ]\nsolution: [ a.1.0 ]\n", f);
    fclose(f);
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(testcase_read(&tc, path, &err), VSOLVE_OK);
    char msg[1024];
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    /* the opam body is reported with the case file and package key */
    ck_assert_msg(strstr(msg, ":a.1.0:1:") != NULL, "%s", msg);
    testcase_free(&tc);

    f = fopen(path, "w");
    fputs("packages:\n  a.1.0: ''\nrequest: a\nsolution: [ a.1.0 ]\n", f);
    fclose(f);
    vs_error_clear(&err);
    ck_assert_int_eq(testcase_read(&tc, path, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, ":3:10: expected a list of strings") != NULL, "%s", err.message);
    testcase_free(&tc);
    remove(path);
}
END_TEST

Suite *solver_cases_suite(void)
{
    if (n_cases == 0) {
        collect(test_source_path("tests/cases"));
        qsort(case_paths, (size_t)n_cases, sizeof *case_paths, by_name);
    }
    Suite *s = suite_create("solver_cases");
    TCase *tc = tcase_create("yaml");
    tcase_add_test(tc, there_are_cases);
    tcase_add_loop_test(tc, yaml_case, 0, n_cases);
    tcase_add_test(tc, wrong_expectation_fails);
    tcase_add_test(tc, malformed_case_has_position);
    tcase_add_test(tc, refusal_explained_on_the_pruned_cone_or_the_whole);
    suite_add_tcase(s, tc);
    return s;
}
