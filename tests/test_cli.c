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
    r.out = test_slurp(path, "");
    remove(path);
    snprintf(path, sizeof path, "/tmp/vsolve-cli-err.%d", (int)getpid());
    r.err = test_slurp(path, "");
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
    ck_assert_msg(!strstr(r.out, "\"unavailable\""), "%s", r.out);   /* no package unavailable here */
    run_free(&r);
    remove_repo(repo);
}
END_TEST

/* A refusal's JSON carries each unavailable package its explanation shows as data: the package,
 * its available formula, the values of the variables the formula read (null: undefined); the
 * same parsed and from the cache. */
START_TEST(unavailable_reason_as_json)
{
    const char *const files[][2] = {
        { "app.1.0", "opam-version: \"2.0\"\ndepends: [ \"helper\" {>= \"1.0\"} ]\n" },
        { "helper.1.0", "opam-version: \"2.0\"\navailable: os = \"macos\" & !foo:installed & bar = \"x\"\n" },
    };
    char *repo = make_repo(files, 2);
    char cache[4200], args[9000];
    snprintf(cache, sizeof cache, "%s.vsc", repo);   /* outside the repository: its fingerprint */
    const char *want = "\n  \"unavailable\": [\n    {\"package\": \"helper.1.0\", \"available\": \"os = \\\"macos\\\" & "
                       "!foo:installed & bar = \\\"x\\\"\", \"values\": {\"os\": \"linux\", \"foo:installed\": \"false\", "
                       "\"bar\": null}}\n  ],\n  \"packages\": []\n}\n";
    snprintf(args, sizeof args, "--ecosystem opam --repo %s --cache %s index", repo, cache);
    run r = run_vsolve(args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    for (int cached = 0; cached < 2; cached++) {
        snprintf(args, sizeof args, "--ecosystem opam --repo %s %s%s --format json solve app", repo,
                 cached ? "--cache " : "--no-cache", cached ? cache : "");
        r = run_vsolve(args);
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.out, "its available field os = \\\"macos\\\"") != NULL, "%s", r.out);
        size_t n = strlen(r.out), w = strlen(want);
        ck_assert_msg(n >= w && !strcmp(r.out + n - w, want), "cached %d: %s", cached, r.out);
        run_free(&r);
    }
    remove(cache);
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
    char *text = test_slurp(path, "");
    ck_assert_msg(strstr(text, "request:\n  - \"app<2\": { app: [ 1.0 ] }\nsolution:\n  app: [ 1.0 ]\n  lib: [ 2.0 ]\n") != NULL, "%s", text);
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

/* ---- the command-line conventions ------------------------------------------------------- */

/* Runs vsolve with args formatted like printf, %s usually the repository. */
static run run_fmt(const char *fmt, const char *repo)
{
    char args[4400];
    snprintf(args, sizeof args, fmt, repo);
    return run_vsolve(args);
}

START_TEST(help_for_a_command)
{
    run a = run_vsolve("help solve");
    ck_assert_msg(a.status == 0, "exit %d: %s", a.status, a.err);
    ck_assert_msg(strstr(a.out, "usage: vsolve --ecosystem opam") && strstr(a.out, "--dump-testcase") &&
                  strstr(a.out, "ATOM:") && !strstr(a.out, "--jobs"), "%s", a.out);
    run b = run_vsolve("solve --help");
    ck_assert_int_eq(b.status, 0);
    ck_assert_str_eq(a.out, b.out);
    run_free(&b);
    b = run_vsolve("--ecosystem opam solve -h");
    ck_assert_int_eq(b.status, 0);
    ck_assert_str_eq(a.out, b.out);
    run_free(&b);
    run_free(&a);
    a = run_vsolve("help sweep");
    ck_assert_int_eq(a.status, 0);
    ck_assert_msg(strstr(a.out, "--jobs N") && strstr(a.out, "1 to 64, default 2") && !strstr(a.out, "--manifest"), "%s", a.out);
    run_free(&a);
    a = run_vsolve("help");
    ck_assert_int_eq(a.status, 0);
    ck_assert_msg(strstr(a.out, "usage: vsolve") && strstr(a.out, "  check ") && strstr(a.out, "--solution"), "%s", a.out);
    run_free(&a);
    a = run_vsolve("help frobnicate");
    ck_assert_int_eq(a.status, 2);
    ck_assert_msg(strstr(a.err, "unknown command \"frobnicate\""), "%s", a.err);
    run_free(&a);
}
END_TEST

START_TEST(option_equals_value)
{
    char *repo = make_repo(good_repo, 4);
    run r = run_fmt("--ecosystem=opam --repo=%s --format=json solve 'app<2'", repo);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "{\"name\": \"app\", \"version\": \"1.0\", \"pulled_by\": \"app<2\"}"), "%s", r.out);
    run_free(&r);
    /* a flag takes no value */
    r = run_fmt("--ecosystem opam --repo %s --verbose=1 solve app", repo);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--verbose takes no value"), "%s", r.err);
    run_free(&r);
    remove_repo(repo);
}
END_TEST

START_TEST(options_after_the_command)
{
    char *repo = make_repo(good_repo, 4);
    /* the README's shape: options after the atoms */
    run r = run_fmt("--ecosystem opam --repo %s solve app --format json", repo);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "\"status\": \"sat\"") && strstr(r.out, "\"pulled_by\": \"app\""), "%s", r.out);
    run_free(&r);
    r = run_fmt("solve app --repo %s --ecosystem opam --no-cache", repo);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "app.2.0\nlib.2.0\n");
    run_free(&r);
    /* an option of another command */
    r = run_fmt("--ecosystem opam --repo %s solve app --jobs 4", repo);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--jobs does not apply to solve") && strstr(r.err, "try `vsolve help solve`"), "%s", r.err);
    run_free(&r);
    remove_repo(repo);
}
END_TEST

START_TEST(double_dash_ends_options)
{
    char *repo = make_repo(good_repo, 4);
    run r = run_fmt("--ecosystem opam --repo %s solve -- app", repo);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "app.2.0\nlib.2.0\n");
    run_free(&r);
    /* after --, "--format" is an atom (no such package), not an option */
    r = run_fmt("--ecosystem opam --repo %s solve app -- --format json", repo);
    ck_assert_msg(r.status != 0, "exit %d", r.status);
    ck_assert_msg(!strstr(r.out, "\"status\""), "%s", r.out);
    ck_assert_msg(strstr(r.err, "--format"), "%s", r.err);
    run_free(&r);
    remove_repo(repo);
}
END_TEST

START_TEST(unknown_option_is_one_line)
{
    run r = run_vsolve("--frobnicate");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "vsolve: unknown option \"--frobnicate\"\ntry `vsolve --help`\n");
    ck_assert_str_eq(r.out, "");
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo /tmp solve app --frobnicate=3");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "vsolve: unknown option \"--frobnicate\"\ntry `vsolve --help`\n");
    run_free(&r);
    r = run_vsolve("-x solve");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "vsolve: unknown option \"-x\"\ntry `vsolve --help`\n");
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "vsolve: --repo needs a value (PATH)\ntry `vsolve --help`\n");
    run_free(&r);
}
END_TEST

START_TEST(version_flag)
{
    const char *forms[] = { "-V", "--version", "--ecosystem opam solve -V" };
    char expected[64];
    snprintf(expected, sizeof expected, "vsolve %s\n", VSOLVE_VERSION_STRING);
    for (size_t i = 0; i < 3; i++) {
        run r = run_vsolve(forms[i]);
        ck_assert_msg(r.status == 0, "%s: exit %d: %s", forms[i], r.status, r.err);
        ck_assert_str_eq(r.out, expected);
        run_free(&r);
    }
}
END_TEST

START_TEST(range_and_choice_checks)
{
    run r = run_vsolve("--ecosystem opam --repo /tmp sweep --jobs 0");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--jobs takes a number from 1 to 64"), "%s", r.err);
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo /tmp sweep --jobs=4x");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--jobs takes a number from 1 to 64"), "%s", r.err);
    run_free(&r);
    r = run_vsolve("--format yaml help");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--format yaml is not supported; use text or json"), "%s", r.err);
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo /tmp solve app --manifest Cargo.toml");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--manifest does not apply to --ecosystem opam"), "%s", r.err);
    run_free(&r);
}
END_TEST

START_TEST(bare_vsolve_names_the_ecosystems)
{
    run r = run_vsolve("");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "opam") && strstr(r.err, "cudf") && strstr(r.err, "cargo") && strstr(r.err, "npm") &&
                  strstr(r.err, "try `vsolve --help`"), "%s", r.err);
    run_free(&r);
    r = run_vsolve("--ecosystem maven --repo /tmp solve app");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "use opam, cudf, cargo or npm"), "%s", r.err);
    run_free(&r);
}
END_TEST

/* A package whose dependencies clash: the sweep line names the clashing dependencies. */
static const char *const clash_repo[][2] = {
    { "a.1.0", "opam-version: \"2.0\"\ndepends: [ \"lib\" {< \"2.0\"} ]\n" },
    { "b.1.0", "opam-version: \"2.0\"\ndepends: [ \"lib\" {>= \"2.0\"} ]\n" },
    { "both.1.0", "opam-version: \"2.0\"\ndepends: [ \"ok\" \"a\" \"b\" ]\n" },
    { "lib.1.0", "opam-version: \"2.0\"\n" },
    { "lib.2.0", "opam-version: \"2.0\"\n" },
    { "ok.1.0", "opam-version: \"2.0\"\n" },
    { "self.1.0", "opam-version: \"2.0\"\ndepends: [ \"ok\" \"b\" ]\nconflicts: [ \"lib\" {>= \"2.0\"} ]\n" },
};

START_TEST(sweep_names_the_clash)
{
    char *repo = make_repo(clash_repo, 7);
    run r = run_fmt("--ecosystem opam --repo %s --no-cache sweep --jobs 2", repo);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "both.1.0: needs a and b, which cannot be installed together\n"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "self.1.0: needs b, which cannot be installed with it\n"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "      5  installable\n"), "%s", r.out);
    run_free(&r);
    remove_repo(repo);
}
END_TEST

START_TEST(json_on_every_command)
{
    char *repo = make_repo(good_repo, 4);
    char cache[4200];
    snprintf(cache, sizeof cache, "%s/cache", repo);
    char args[9000];
    snprintf(args, sizeof args, "--ecosystem opam --repo %s --cache %s index --format json", repo, cache);
    run r = run_vsolve(args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(!strncmp(r.out, "{\n  \"cache\": \"", 14), "%s", r.out);
    run_free(&r);
    r = run_fmt("--ecosystem opam --repo %s --no-cache sweep --format json --jobs 1", repo);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "\"checked\": 4,") && strstr(r.out, "\"threads\": 1,") &&
                  strstr(r.out, "\"not_installable\": []") && strstr(r.out, "\"installable\": 4"), "%s", r.out);
    run_free(&r);
    char sol[4200];
    snprintf(sol, sizeof sol, "%s/solution", repo);
    FILE *f = fopen(sol, "w");
    fputs("app.2.0\nlib.1.0\n", f);
    fclose(f);
    snprintf(args, sizeof args, "--ecosystem opam --repo %s --no-cache check --solution %s app --format json", repo, sol);
    r = run_vsolve(args);
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "\"status\": \"violated\"") && strstr(r.out, "\"violations\": \""), "%s", r.out);
    run_free(&r);
    /* errors: an object with the message and the exit code */
    r = run_vsolve("--format json --ecosystem opam solve app");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.out, "\"error\": \"need --repo PATH") && strstr(r.out, "\"exit\": 2\n}"), "%s", r.out);
    run_free(&r);
    r = run_vsolve("--ecosystem opam --repo /nonexistent/repo solve app --format=json");
    ck_assert_int_eq(r.status, 3);
    ck_assert_msg(strstr(r.out, "\"error\": \"/nonexistent/repo") && strstr(r.out, "\"exit\": 3\n}"), "%s", r.out);
    run_free(&r);
    r = run_vsolve("--frob --format json");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "{\n  \"error\": \"unknown option \\\"--frob\\\"\",\n  \"exit\": 2\n}\n");
    run_free(&r);
    remove_repo(repo);
}
END_TEST

/* The README's cargo line, options after `solve` included: JSON, not an unknown option. */
START_TEST(cargo_options_after_solve)
{
    const char *tar = test_corpus_path("cargo-synthetic-index.tar.gz");
    if (!tar)
        return;
    char *dir = strdup("/tmp/vsolve-cli-cargo-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "tar -xzf '%s' -C '%s' projects/cli-tool/Cargo.toml", tar, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "--ecosystem cargo --index '%s' solve --manifest %s/projects/cli-tool/Cargo.toml --format json",
             tar, dir);
    run r = run_vsolve(cmd);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    const char *head = "{\n  \"status\": \"sat\",\n  \"packages\": [";
    ck_assert_msg(!strncmp(r.out, head, strlen(head)), "%s", r.out);
    run_free(&r);
    /* the same with --index=PATH and the lock on stdout */
    snprintf(cmd, sizeof cmd, "solve --manifest=%s/projects/cli-tool/Cargo.toml --ecosystem=cargo --index='%s'", dir, tar);
    r = run_vsolve(cmd);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "# This file is automatically @generated by Cargo.") && strstr(r.out, "[[package]]"), "%s", r.out);
    run_free(&r);
    remove_repo(dir);
}
END_TEST

/* A CUDF document: its solution through the one CUDF writer, FAIL when refused. */
/* npm's peer flags: a refused peer conflict exits 1 naming the edge; --legacy-peer-deps and
 * --force give npm's locks (tests/data/npm/peer-react-dom); the flags are npm's only. */
START_TEST(npm_peer_flags)
{
    const char *tar = test_corpus_file("npm/packuments.tar.gz");
    if (!tar)
        return;
    char dir[4200], cmd[9000];
    snprintf(dir, sizeof dir, "%s", test_source_path("tests/data/npm/peer-react-dom"));
    snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve --manifest '%s/package.json'", tar, dir);
    run r = run_vsolve(cmd);
    ck_assert_msg(r.status == 1 && strstr(r.err, "ERESOLVE unable to resolve dependency tree") &&
                  strstr(r.err, "peer react@\"17.0.2\" from react-dom@17.0.2") && !*r.out, "exit %d: %s", r.status, r.err);
    run_free(&r);
    static const char *const flags[][2] = { { "--legacy-peer-deps", "legacy" }, { "--force", "force" } };
    for (size_t i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve %s --manifest '%s/package.json'", tar, flags[i][0], dir);
        r = run_vsolve(cmd);
        char path[4400];
        snprintf(path, sizeof path, "%s/package-lock.%s.json", dir, flags[i][1]);
        size_t len = 0;
        char *want = test_read_file(path, &len);
        ck_assert_msg(r.status == 0 && want && !strcmp(r.out, want), "%s: exit %d: %s", flags[i][0], r.status, r.err);
        free(want);
        run_free(&r);
    }
    r = run_vsolve("--ecosystem cargo --index x solve --force --manifest Cargo.toml");
    ck_assert_msg(r.status == 2 && strstr(r.err, "--force"), "exit %d: %s", r.status, r.err);
    run_free(&r);
    /* the refusal says what --resolve-peers finds; with it, the lock npm writes for the pinned
     * package.json (tests/data/npm/resolve-peers) and what moved on stderr */
    snprintf(dir, sizeof dir, "%s", test_source_path("tests/data/npm/resolve-peers/react-dom17-react18"));
    snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve --manifest '%s/package.json'", tar, dir);
    r = run_vsolve(cmd);
    ck_assert_msg(r.status == 1 && strstr(r.err, "ERESOLVE unable to resolve dependency tree") &&
                  strstr(r.err, "vsolve --resolve-peers finds a tree: react-dom 18.0.0 (was \"^17.0.2\")"), "exit %d: %s",
                  r.status, r.err);
    run_free(&r);
    snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve --resolve-peers --manifest '%s/package.json'", tar, dir);
    r = run_vsolve(cmd);
    char path[4400];
    snprintf(path, sizeof path, "%s/pinned/package-lock.json", dir);
    size_t len = 0;
    char *want = test_read_file(path, &len);
    ck_assert_msg(r.status == 0 && want && !strcmp(r.out, want) && strstr(r.err, "react-dom 18.0.0"), "exit %d: %s",
                  r.status, r.err);
    free(want);
    run_free(&r);
    /* with --format json the moves are data: the "moved" list */
    snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve --resolve-peers --format json --manifest '%s/package.json'",
             tar, dir);
    r = run_vsolve(cmd);
    ck_assert_msg(r.status == 0 && strstr(r.out, "\"status\": \"sat\"") &&
                  strstr(r.out, "\"moved\": [\n    {\"name\": \"react-dom\", \"version\": \"18.0.0\", \"was\": \"^17.0.2\"}\n  ]") &&
                  !*r.err, "exit %d: %s%s", r.status, r.out, r.err);
    run_free(&r);
    /* --omit: the lock npm writes with --package-lock-only does not change (npm 11.19.1 checked) */
    snprintf(dir, sizeof dir, "%s", test_source_path("tests/data/npm/ws-basic"));
    snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve --omit dev --omit=optional --manifest '%s/package.json'",
             tar, dir);
    r = run_vsolve(cmd);
    snprintf(path, sizeof path, "%s/package-lock.json", dir);
    want = test_read_file(path, &len);
    ck_assert_msg(r.status == 0 && want && !strcmp(r.out, want), "--omit: exit %d: %s", r.status, r.err);
    free(want);
    run_free(&r);
    snprintf(cmd, sizeof cmd, "--ecosystem npm --registry '%s' solve --omit prod --manifest '%s/package.json'", tar, dir);
    r = run_vsolve(cmd);
    ck_assert_msg(r.status == 2 && strstr(r.err, "--omit takes dev, optional or peer"), "exit %d: %s", r.status, r.err);
    run_free(&r);
}
END_TEST

START_TEST(cudf_solution_stanzas)
{
    char *dir = strdup("/tmp/vsolve-cli-cudf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[4200];
    snprintf(path, sizeof path, "%s/ok.cudf", dir);
    FILE *f = fopen(path, "w");
    fputs("package: a\nversion: 1\ndepends: b\n\npackage: b\nversion: 2\n\nrequest: t\ninstall: a\n", f);
    fclose(f);
    char args[9000];
    snprintf(args, sizeof args, "--ecosystem cudf --repo %s solve", path);
    run r = run_vsolve(args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "package: a\nversion: 1\ninstalled: true\n\npackage: b\nversion: 2\ninstalled: true\n");
    run_free(&r);
    snprintf(path, sizeof path, "%s/fail.cudf", dir);
    f = fopen(path, "w");
    fputs("package: a\nversion: 1\ndepends: c\n\nrequest: t\ninstall: a\n", f);
    fclose(f);
    snprintf(args, sizeof args, "--ecosystem cudf --repo %s solve", path);
    r = run_vsolve(args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "FAIL\n");
    ck_assert_msg(r.err[0] != '\0', "no reason on stderr");
    run_free(&r);
    remove_repo(dir);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, solves_and_prints_sorted);
    tcase_add_test(tc, unsat_exits_1_with_reason);
    tcase_add_test(tc, unavailable_reason_as_json);
    tcase_add_test(tc, malformed_opam_files);
    tcase_add_test(tc, usage_errors);
    tcase_add_test(tc, bad_request_atom);
    tcase_add_test(tc, dump_testcase_round_trip);
    tcase_add_test(tc, library_api);
    tcase_add_test(tc, help_for_a_command);
    tcase_add_test(tc, option_equals_value);
    tcase_add_test(tc, options_after_the_command);
    tcase_add_test(tc, double_dash_ends_options);
    tcase_add_test(tc, unknown_option_is_one_line);
    tcase_add_test(tc, version_flag);
    tcase_add_test(tc, range_and_choice_checks);
    tcase_add_test(tc, bare_vsolve_names_the_ecosystems);
    tcase_add_test(tc, json_on_every_command);
    tcase_add_test(tc, sweep_names_the_clash);
    tcase_add_test(tc, cargo_options_after_solve);
    tcase_add_test(tc, cudf_solution_stanzas);
    tcase_add_test(tc, npm_peer_flags);
    suite_add_tcase(s, tc);
    return s;
}
