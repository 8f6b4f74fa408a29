/* test_cli.c: the vsolve command and the public C API, end to end: answers, exit codes, and
 * clear file:line:col errors on malformed repositories. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testcase.h"
#include "testutil.h"
#include "vsolve.h"

typedef struct run {
    int status;
    char *out, *err;
} run;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

/* Runs the vsolve binary with the given shell-quoted arguments. */
static run run_vsolve(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s/vsolve %s >/tmp/vsolve-cli-out.%d 2>/tmp/vsolve-cli-err.%d",
             VSOLVE_BINARY_DIR, args, (int)getpid(), (int)getpid());
    int st = system(cmd);
    run r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    char path[128];
    snprintf(path, sizeof path, "/tmp/vsolve-cli-out.%d", (int)getpid());
    r.out = slurp(path);
    remove(path);
    snprintf(path, sizeof path, "/tmp/vsolve-cli-err.%d", (int)getpid());
    r.err = slurp(path);
    remove(path);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

/* A repository in a temporary directory with the given opam files (NAME.VERSION, text). */
static char *make_repo(const char *const files[][2], size_t n)
{
    char *dir = strdup("/tmp/vsolve-repo-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[4096];
    snprintf(path, sizeof path, "%s/packages", dir);
    mkdir(path, 0755);
    for (size_t i = 0; i < n; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", files[i][0]);
        *strchr(name, '.') = '\0';
        snprintf(path, sizeof path, "%s/packages/%s", dir, name);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/packages/%s/%s", dir, name, files[i][0]);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/packages/%s/%s/opam", dir, name, files[i][0]);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(files[i][1], f);
        fclose(f);
    }
    return dir;
}

static void remove_repo(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

static const char *const good_repo[][2] = {
    { "app.1.0", "opam-version: \"2.0\"\ndepends: [ \"lib\" {>= \"1.0\"} ]\n" },
    { "app.2.0", "opam-version: \"2.0\"\ndepends: [ \"lib\" {>= \"2.0\"} ]\n" },
    { "lib.1.0", "opam-version: \"2.0\"\n" },
    { "lib.2.0", "opam-version: \"2.0\"\n" },
};

START_TEST(solves_and_prints_sorted)
{
    char *repo = make_repo(good_repo, 4);
    char args[4400];
    snprintf(args, sizeof args, "--ecosystem opam --repo %s solve app", repo);
    run r = run_vsolve(args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "app.2.0\nlib.2.0\n");
    run_free(&r);

    snprintf(args, sizeof args, "--ecosystem opam --repo %s --format json solve 'app<2'", repo);
    r = run_vsolve(args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"status\": \"sat\"") && strstr(r.out, "{\"name\": \"lib\", \"version\": \"2.0\", \"pulled_by\": \"app.1.0\"}") &&
                  strstr(r.out, "{\"name\": \"app\", \"version\": \"1.0\", \"pulled_by\": \"app<2\"}"), "%s", r.out);
    run_free(&r);
    remove_repo(repo);
}
END_TEST

START_TEST(unsat_exits_1_with_reason)
{
    char *repo = make_repo(good_repo, 4);
    char args[4400];
    snprintf(args, sizeof args, "--ecosystem opam --repo %s solve 'app>=2' 'lib<2'", repo);
    run r = run_vsolve(args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_msg(strstr(r.err, "cannot hold together") && strstr(r.err, "app>=2") && strstr(r.err, "lib<2"), "%s", r.err);
    run_free(&r);
    snprintf(args, sizeof args, "--ecosystem opam --repo %s --format json solve 'app>=2' 'lib<2'", repo);
    r = run_vsolve(args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "\"clash\": [\"app>=2\", \"lib<2\"]") && strstr(r.out, "\"fixes\": [") &&
                  strstr(r.out, "{\"drop\": [\"") && strstr(r.out, "\"text\": \""), "%s", r.out);
    run_free(&r);
    remove_repo(repo);
}
END_TEST

static void expect_bad_file(const char *text, const char *where, const char *what)
{
    const char *const files[][2] = { { "app.1.0", text } };
    char *repo = make_repo(files, 1);
    char args[4400];
    snprintf(args, sizeof args, "--ecosystem opam --repo %s solve app", repo);
    run r = run_vsolve(args);
    ck_assert_msg(r.status == 2, "exit %d for %s: %s", r.status, text, r.err);
    ck_assert_msg(strstr(r.err, "packages/app/app.1.0/opam:") != NULL, "no file name in: %s", r.err);
    ck_assert_msg(strstr(r.err, where) != NULL, "expected position %s in: %s", where, r.err);
    ck_assert_msg(strstr(r.err, what) != NULL, "expected \"%s\" in: %s", what, r.err);
    run_free(&r);
    remove_repo(repo);
}

START_TEST(malformed_opam_files)
{
    expect_bad_file("opam-version: \"2.0\"\ndepends: [ \"lib\" {>= \"1.0\" ]\n", "opam:2:", "expected");
    expect_bad_file("depends: [ \"lib\"\n", "opam:2:", "expected");
    expect_bad_file("synopsis: \"unterminated\n", "opam:1:", "expected");
    expect_bad_file("synopsis: \"bad \\q escape\"\n", "opam:1:", "escape");
    expect_bad_file("depends: [ \"a\" {~= \"1\"} ]\n", "opam:1:", "expected");
    expect_bad_file("\x01\x02\xff\xfe junk", "opam:1:", "expected");
}
END_TEST

START_TEST(usage_errors)
{
    run r = run_vsolve("--ecosystem opam solve app");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--repo"));
    run_free(&r);
    r = run_vsolve("--ecosystem maven --repo /tmp solve app");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "not supported"));
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo /nonexistent/repo solve app");
    ck_assert_int_ne(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/repo"));
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo /tmp --env novalue solve app");
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    r = run_vsolve("--help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: vsolve"));
    run_free(&r);
}
END_TEST

START_TEST(bad_request_atom)
{
    char *repo = make_repo(good_repo, 4);
    char args[4400];
    snprintf(args, sizeof args, "--ecosystem opam --repo %s solve 'app>='", repo);
    run r = run_vsolve(args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "expected a version"));
    run_free(&r);
    remove_repo(repo);
}
END_TEST

START_TEST(dump_testcase_round_trip)
{
    char *repo = make_repo(good_repo, 4);
    char args[4400];
    snprintf(args, sizeof args, "--ecosystem opam --repo %s --dump-testcase %s/case.yaml solve 'app<2'", repo, repo);
    run r = run_vsolve(args);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    char path[4200];
    snprintf(path, sizeof path, "%s/case.yaml", repo);
    char *text = slurp(path);
    ck_assert_msg(strstr(text, "solution:\n  - \"app.1.0\"\n  - \"lib.2.0\"\n") != NULL, "%s", text);
    free(text);
    /* the saved case is a valid test case that passes */
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(testcase_read(&tc, path, &err) == VSOLVE_OK, "%s", err.message);
    char msg[2048];
    ck_assert_msg(testcase_run(&tc, msg, sizeof msg), "%s", msg);
    testcase_free(&tc);
    remove_repo(repo);
}
END_TEST

START_TEST(library_api)
{
    ck_assert_str_eq(vsolve_version(), VSOLVE_VERSION_STRING);
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_ptr_nonnull(ctx);
    vsolve_result *r = NULL;
    const char *atoms[] = { "app" };
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_EUSAGE);
    ck_assert_ptr_nonnull(strstr(vsolve_errmsg(ctx), "load a repository first"));
    ck_assert_int_eq(vsolve_set_var(ctx, "os", "linux"), VSOLVE_OK);
    char *repo = make_repo(good_repo, 4);
    ck_assert_int_eq(vsolve_load_opam(ctx, repo), VSOLVE_OK);
    ck_assert_int_eq(vsolve_set_var(ctx, "os", "macos"), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_load_opam(ctx, repo), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_OK);
    ck_assert_uint_eq(vsolve_result_count(r), 2);
    ck_assert_str_eq(vsolve_result_name(r, 0), "app");
    ck_assert_str_eq(vsolve_result_version(r, 0), "2.0");
    ck_assert_str_eq(vsolve_result_reason(r, 1), "app.2.0");
    ck_assert_ptr_null(vsolve_result_name(r, 2));
    vsolve_result_free(r);
    const char *clash[] = { "app>=2", "lib<2" };
    ck_assert_int_eq(vsolve_solve(ctx, clash, 2, &r), VSOLVE_UNSAT);
    ck_assert_uint_eq(vsolve_result_count(r), 0);
    ck_assert_ptr_nonnull(strstr(vsolve_result_explanation(r), "lib<2"));
    /* the clash as atoms, and fixes that each make the request solve */
    ck_assert_uint_eq(vsolve_result_clash_count(r), 2);
    ck_assert_str_eq(vsolve_result_clash_atom(r, 0), "app>=2");
    ck_assert_uint_ge(vsolve_result_fix_count(r), 1);
    ck_assert_ptr_nonnull(strstr(vsolve_result_explanation(r), "To fix it"));
    for (size_t f = 0; f < vsolve_result_fix_count(r); f++) {
        const char *edited[2];
        size_t n = 0;
        for (size_t i = 0; i < 2; i++) {
            const char *atom = clash[i];
            for (size_t k = 0; k < vsolve_result_fix_edits(r, f); k++)
                if (!strcmp(atom, vsolve_result_fix_atom(r, f, k)))
                    atom = vsolve_result_fix_replacement(r, f, k);
            if (atom)
                edited[n++] = atom;
        }
        ck_assert_uint_lt(n + vsolve_result_fix_edits(r, f), 4);   /* something was edited */
        vsolve_result *fixed = NULL;
        ck_assert_msg(vsolve_solve(ctx, edited, n, &fixed) == VSOLVE_OK, "%s", vsolve_result_fix_text(r, f));
        vsolve_result_free(fixed);
    }
    vsolve_result_free(r);
    /* the preference: newest-first and opam's criteria both answer here */
    ck_assert_int_eq(vsolve_set_preference(ctx, 7), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_set_preference(ctx, VSOLVE_PREFER_NEWEST_FIRST), VSOLVE_OK);
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_OK);
    ck_assert_str_eq(vsolve_result_version(r, 0), "2.0");
    vsolve_result_free(r);
    vsolve_free(ctx);
    remove_repo(repo);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, solves_and_prints_sorted);
    tcase_add_test(tc, unsat_exits_1_with_reason);
    tcase_add_test(tc, malformed_opam_files);
    tcase_add_test(tc, usage_errors);
    tcase_add_test(tc, bad_request_atom);
    tcase_add_test(tc, dump_testcase_round_trip);
    tcase_add_test(tc, library_api);
    suite_add_tcase(s, tc);
    return s;
}
