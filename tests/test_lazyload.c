/* test_lazyload.c: CryptoMiniSat is opened on the first solve, not linked: neither vsolve nor
 * libvsolve.so needs it (nor libstdc++), --version never loads it, a solve does, and a library
 * that cannot serve gives a clear error, never a crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sat.h"
#include "testutil.h"
#include "vsolve.h"

/* The dynamic section of a built file: what it needs at start-up. */
static void check_needed(const char *file)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "readelf -d '%s/%s'", VSOLVE_BINARY_DIR, file);
    int st;
    char *out = test_run_cmd(cmd, &st);
    ck_assert_msg(st == 0, "%s: %.3000s", cmd, out);
    ck_assert_msg(strstr(out, "(NEEDED)") && strstr(out, "[libc.so.6]"), "%s: no NEEDED libc?\n%.3000s", cmd, out);
    ck_assert_msg(!strstr(out, "cryptominisat"), "%s needs CryptoMiniSat at start-up:\n%.3000s", file, out);
    ck_assert_msg(!strstr(out, "libstdc++"), "%s needs libstdc++ at start-up:\n%.3000s", file, out);
    free(out);
}

START_TEST(not_linked)
{
    check_needed("vsolve");
    check_needed("libvsolve.so");
}
END_TEST

/* A repository with app.1.0 needing lib (a SAT solve), in a temporary directory. */
static char *small_repo(void)
{
    char *dir = strdup("/tmp/vsolve-lazy-XXXXXX");
    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[4200];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/packages/app/app.1.0' '%s/packages/lib/lib.2.0' && "
             "printf 'opam-version: \"2.0\"\\ndepends: [ \"lib\" ]\\n' >'%s/packages/app/app.1.0/opam' && "
             "printf 'opam-version: \"2.0\"\\n' >'%s/packages/lib/lib.2.0/opam'",
             dir, dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

/* LD_DEBUG=files lists every shared object the dynamic linker loads, and why. */
START_TEST(loaded_on_first_solve)
{
    char cmd[4400];
    int st;
    snprintf(cmd, sizeof cmd, "LD_DEBUG=files '%s/vsolve' --version", VSOLVE_BINARY_DIR);
    char *out = test_run_cmd(cmd, &st);
    ck_assert_msg(st == 0 && strstr(out, "vsolve "), "%.3000s", out);
    ck_assert_msg(strstr(out, "file=libc.so.6"), "LD_DEBUG=files gave nothing:\n%.3000s", out);
    /* (a sanitizer build loads libstdc++ for libubsan: only CryptoMiniSat's counts) */
    ck_assert_msg(!strstr(out, "cryptominisat"), "--version loads CryptoMiniSat:\n%.3000s", out);
    free(out);

    char *repo = small_repo();
    snprintf(cmd, sizeof cmd, "LD_DEBUG=files VSOLVE_CACHE_DIR='%s/cache' '%s/vsolve' --ecosystem opam --repo '%s' solve app",
             repo, VSOLVE_BINARY_DIR, repo);
    out = test_run_cmd(cmd, &st);
    ck_assert_msg(st == 0 && strstr(out, "app.1.0\nlib.2.0\n"), "exit %d:\n%.3000s", st, out);
    char want[300];
    snprintf(want, sizeof want, "file=%s [0];  dynamically loaded by", sat_library());
    ck_assert_msg(strstr(out, want), "a solve did not dlopen %s:\n%.3000s", sat_library(), out);
    free(out);
    test_remove_dir(repo);
    free(repo);
}
END_TEST

START_TEST(library_name_from_the_build)
{
    ck_assert_msg(!strncmp(sat_library(), "libcryptominisat5.so.", strlen("libcryptominisat5.so.")), "%s",
                  sat_library());
    vs_error err;
    vs_error_clear(&err);
    sat *s = sat_new(&err);
    ck_assert_msg(s != NULL, "%s", err.message);
    /* the library stays loaded (RTLD_NODELETE): a second solver beside the first and after it */
    sat *t = sat_new(&err);
    ck_assert_ptr_nonnull(t);
    sat_free(s);
    ck_assert_uint_eq(sat_add_vars(t, 2), 0);
    int c[2] = { 1, 2 }, a[2] = { -1, -2 };
    ck_assert_int_eq(sat_add_clause(t, c, 2), 1);
    ck_assert_int_eq(sat_solve(t, a, 2), SAT_UNSAT);
    ck_assert_int_eq(sat_solve(t, a, 1), SAT_SAT);
    ck_assert_int_eq(sat_model_value(t, 1), 1);
    sat_free(t);
}
END_TEST

START_TEST(bad_library_clear_error)
{
    vs_error err;
    vs_error_clear(&err);
    ck_assert_ptr_null(sat_new_from("libvsolve-no-such-solver.so.0", &err));
    ck_assert_int_eq(err.code, VSOLVE_EIO);
    const char *head = "cannot load CryptoMiniSat (libvsolve-no-such-solver.so.0): ";
    ck_assert_msg(!strncmp(err.message, head, strlen(head)) && strstr(err.message, "cannot open shared object file"),
                  "%s", err.message);
    /* a shared object without CryptoMiniSat's functions (libvsolve hides all but vsolve_*) */
    char lib[4200];
    snprintf(lib, sizeof lib, "%s/libvsolve.so", VSOLVE_BINARY_DIR);
    vs_error_clear(&err);
    ck_assert_ptr_null(sat_new_from(lib, &err));
    ck_assert_int_eq(err.code, VSOLVE_EIO);
    ck_assert_msg(strstr(err.message, "cannot load CryptoMiniSat (") && strstr(err.message, "undefined symbol: cmsat_new"),
                  "%s", err.message);
}
END_TEST

/* The command line, with a library of the right name that is not CryptoMiniSat first in the
 * loader's path: --version runs, a solve fails with the reason and exit 3, no crash. */
START_TEST(cli_reports_the_load_failure)
{
    char *repo = small_repo();
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/lib' && ln -s '%s/libvsolve.so' '%s/lib/%s'", repo, VSOLVE_BINARY_DIR, repo,
             sat_library());
    ck_assert_int_eq(system(cmd), 0);
    int st;
    snprintf(cmd, sizeof cmd, "LD_LIBRARY_PATH='%s/lib' '%s/vsolve' --version", repo, VSOLVE_BINARY_DIR);
    char *out = test_run_cmd(cmd, &st);
    ck_assert_msg(st == 0, "exit %d: %.3000s", st, out);
    free(out);
    snprintf(cmd, sizeof cmd, "LD_LIBRARY_PATH='%s/lib' VSOLVE_CACHE_DIR='%s/cache' '%s/vsolve' --ecosystem opam --repo '%s' solve app",
             repo, repo, VSOLVE_BINARY_DIR, repo);
    out = test_run_cmd(cmd, &st);
    char want[400];
    snprintf(want, sizeof want, "cannot load CryptoMiniSat (%s): ", sat_library());
    ck_assert_msg(st == 3 && strstr(out, want) && strstr(out, "undefined symbol: cmsat_new") &&
                  !strstr(out, "out of memory"), "exit %d:\n%.3000s", st, out);
    free(out);
    test_remove_dir(repo);
    free(repo);
}
END_TEST

Suite *lazyload_suite(void)
{
    Suite *s = suite_create("lazyload");
    TCase *tc = tcase_create("lazyload");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, not_linked);
    tcase_add_test(tc, loaded_on_first_solve);
    tcase_add_test(tc, library_name_from_the_build);
    tcase_add_test(tc, bad_library_clear_error);
    tcase_add_test(tc, cli_reports_the_load_failure);
    suite_add_tcase(s, tc);
    return s;
}
