/* test_lazyload.c: CryptoMiniSat is opened on the first solve, not linked: neither vsolve nor
 * libvsolve.so needs it (nor libstdc++), --version never loads it, a solve does, and a library
 * that cannot serve gives a clear error, never a crash. vsolve_preload_solver opens it ahead in
 * a thread: the same answers, the same errors, and only where the command line expects a SAT
 * solve. */
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

/* Runs `cmd` through the shell, stdout and stderr together; returns its output (malloc'd) and
 * its exit status in *status. */
static char *run_cmd(const char *cmd, int *status)
{
    char full[8192];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            out = realloc(out, cap);
            ck_assert_ptr_nonnull(out);
        }
    }
    out[len] = '\0';
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

/* The dynamic section of a built file: what it needs at start-up. */
static void check_needed(const char *file)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "readelf -d '%s/%s'", VSOLVE_BINARY_DIR, file);
    int st;
    char *out = run_cmd(cmd, &st);
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
    char *out = run_cmd(cmd, &st);
    ck_assert_msg(st == 0 && strstr(out, "vsolve "), "%.3000s", out);
    ck_assert_msg(strstr(out, "file=libc.so.6"), "LD_DEBUG=files gave nothing:\n%.3000s", out);
    /* (a sanitizer build loads libstdc++ for libubsan: only CryptoMiniSat's counts) */
    ck_assert_msg(!strstr(out, "cryptominisat"), "--version loads CryptoMiniSat:\n%.3000s", out);
    free(out);

    char *repo = small_repo();
    snprintf(cmd, sizeof cmd, "LD_DEBUG=files VSOLVE_CACHE_DIR='%s/cache' '%s/vsolve' --ecosystem opam --repo '%s' solve app",
             repo, VSOLVE_BINARY_DIR, repo);
    out = run_cmd(cmd, &st);
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
    char *out = run_cmd(cmd, &st);
    ck_assert_msg(st == 0, "exit %d: %.3000s", st, out);
    free(out);
    snprintf(cmd, sizeof cmd, "LD_LIBRARY_PATH='%s/lib' VSOLVE_CACHE_DIR='%s/cache' '%s/vsolve' --ecosystem opam --repo '%s' solve app",
             repo, repo, VSOLVE_BINARY_DIR, repo);
    out = run_cmd(cmd, &st);
    char want[400];
    snprintf(want, sizeof want, "cannot load CryptoMiniSat (%s): ", sat_library());
    ck_assert_msg(st == 3 && strstr(out, want) && strstr(out, "undefined symbol: cmsat_new") &&
                  !strstr(out, "out of memory"), "exit %d:\n%.3000s", st, out);
    free(out);
    test_remove_dir(repo);
    free(repo);
}
END_TEST

/* A tiny crates index and two projects in a temporary directory: `sat` (every b needs c =1.0.0
 * beside the root's c = "1": the first candidates clash, the SAT solver answers) and `fast`
 * (c alone: the fast path answers). */
#define C_EXACT "{\"name\":\"c\",\"req\":\"=1.0.0\",\"features\":[],\"optional\":false,\"default_features\":true," \
                "\"target\":null,\"kind\":\"normal\"}"
static char *tiny_cargo(void)
{
    char *dir = strdup("/tmp/vsolve-preload-XXXXXX");
    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    static const char *const files[][2] = {
        { "index/1/b",
          "{\"name\":\"b\",\"vers\":\"1.0.0\",\"deps\":[" C_EXACT "],\"cksum\":\"1111111111111111111111111111111111111111111111111111111111111111\","
          "\"features\":{},\"yanked\":false}\n"
          "{\"name\":\"b\",\"vers\":\"1.1.0\",\"deps\":[" C_EXACT "],\"cksum\":\"2222222222222222222222222222222222222222222222222222222222222222\","
          "\"features\":{},\"yanked\":false}\n" },
        { "index/1/c",
          "{\"name\":\"c\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"3333333333333333333333333333333333333333333333333333333333333333\",\"features\":{},\"yanked\":false}\n"
          "{\"name\":\"c\",\"vers\":\"1.1.0\",\"deps\":[],\"cksum\":\"4444444444444444444444444444444444444444444444444444444444444444\",\"features\":{},\"yanked\":false}\n" },
        { "sat/Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\n\n[dependencies]\nc = \"1\"\nb = \"1\"\n" },
        { "fast/Cargo.toml", "[package]\nname = \"q\"\nversion = \"0.1.0\"\n\n[dependencies]\nc = \"1\"\n" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
        char mk[4300];
        snprintf(mk, sizeof mk, "mkdir -p \"$(dirname '%s')\"", path);
        ck_assert_int_eq(system(mk), 0);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fputs(files[i][1], f) >= 0, 1);
        ck_assert_int_eq(fclose(f), 0);
    }
    return dir;
}

/* What a context answers, as text: the status, the rows, the explanation and the message, and
 * the lock of a cargo solution. */
typedef struct answer {
    int rc;
    char text[8192];
} answer;

static void describe(answer *a, vsolve_ctx *ctx, int rc, vsolve_result *r, int cargo)
{
    a->rc = rc;
    size_t at = (size_t)snprintf(a->text, sizeof a->text, "rc %d\nmessage %s\n", rc, vsolve_errmsg(ctx));
    for (size_t i = 0; r && i < vsolve_result_count(r) && at < sizeof a->text; i++)
        at += (size_t)snprintf(a->text + at, sizeof a->text - at, "%s %s %s\n", vsolve_result_name(r, i),
                               vsolve_result_version(r, i), vsolve_result_reason(r, i));
    if (r && at < sizeof a->text)
        at += (size_t)snprintf(a->text + at, sizeof a->text - at, "explanation %s\n", vsolve_result_explanation(r));
    if (cargo && rc == VSOLVE_OK && at < sizeof a->text) {
        char *buf = NULL;
        size_t len = 0;
        ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &buf, &len), VSOLVE_OK);
        snprintf(a->text + at, sizeof a->text - at, "%s", buf);
        free(buf);
    }
}

/* The opam request (atoms) on repo, or the cargo project `project` of tiny_cargo's dir, solved
 * on a new context with the preload mode `when` (-1: no call). */
static void solve_with(answer *a, int when, const char *repo, const char *const *atoms, size_t n, const char *cargo_dir,
                       const char *project)
{
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_ptr_nonnull(ctx);
    if (when >= 0)
        ck_assert_int_eq(vsolve_preload_solver(ctx, when), VSOLVE_OK);
    vsolve_result *r = NULL;
    int rc;
    if (repo) {
        ck_assert_msg(vsolve_load_opam(ctx, repo) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
        rc = vsolve_solve(ctx, atoms, n, &r);
    } else {
        char index[4200], manifest[4200];
        snprintf(index, sizeof index, "%s/index", cargo_dir);
        snprintf(manifest, sizeof manifest, "%s/%s/Cargo.toml", cargo_dir, project);
        vsolve_project_options o;
        vsolve_project_options_init(&o);
        o.registry = index;
        o.manifest = manifest;
        rc = vsolve_solve_project(ctx, VSOLVE_CARGO, &o, &r);
    }
    describe(a, ctx, rc, r, repo == NULL);
    vsolve_result_free(r);
    vsolve_free(ctx);   /* joins the thread */
}

/* With the preload, now or when likely, every answer is the one without: solutions (opam, cargo
 * by the solver and by the fast path), a refusal with its explanation, and a bad request. */
START_TEST(preload_same_answers)
{
    char *repo = small_repo();
    char *cargo = tiny_cargo();
    static const char *const ok[] = { "app" }, *const unsat[] = { "app", "lib<2" }, *const bad[] = { "app>>1" };
    static const struct {
        const char *const *atoms;
        size_t n;
        const char *project;
        int want;
    } cases[] = {
        { ok, 1, NULL, VSOLVE_OK },
        { unsat, 2, NULL, VSOLVE_UNSAT },
        { bad, 1, NULL, VSOLVE_EBADINPUT },
        { NULL, 0, "sat", VSOLVE_OK },
        { NULL, 0, "fast", VSOLVE_OK },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *r = cases[k].project ? NULL : repo;
        answer plain, now, likely, off;
        solve_with(&plain, -1, r, cases[k].atoms, cases[k].n, cargo, cases[k].project);
        ck_assert_msg(plain.rc == cases[k].want, "case %zu: %s", k, plain.text);
        solve_with(&now, VSOLVE_PRELOAD_NOW, r, cases[k].atoms, cases[k].n, cargo, cases[k].project);
        solve_with(&likely, VSOLVE_PRELOAD_LIKELY, r, cases[k].atoms, cases[k].n, cargo, cases[k].project);
        solve_with(&off, VSOLVE_PRELOAD_OFF, r, cases[k].atoms, cases[k].n, cargo, cases[k].project);
        ck_assert_str_eq(now.text, plain.text);
        ck_assert_str_eq(likely.text, plain.text);
        ck_assert_str_eq(off.text, plain.text);
    }
    /* the answers are the expected ones, not only equal */
    answer a;
    solve_with(&a, VSOLVE_PRELOAD_LIKELY, NULL, NULL, 0, cargo, "sat");
    ck_assert_msg(strstr(a.text, "name = \"b\"\nversion = \"1.1.0\"") && strstr(a.text, "name = \"c\"\nversion = \"1.0.0\""),
                  "%s", a.text);
    solve_with(&a, VSOLVE_PRELOAD_NOW, repo, ok, 1, NULL, NULL);
    ck_assert_msg(strstr(a.text, "app 1.0 ") && strstr(a.text, "lib 2.0 "), "%s", a.text);
    test_remove_dir(repo);
    test_remove_dir(cargo);
    free(repo);
    free(cargo);
}
END_TEST

/* The call's contract: NULL and unknown modes are refused; repeated calls, a context freed
 * while its thread loads, several contexts at once, a solve while the thread runs. */
START_TEST(preload_calls)
{
    ck_assert_int_eq(vsolve_preload_solver(NULL, VSOLVE_PRELOAD_NOW), VSOLVE_EUSAGE);
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_int_eq(vsolve_preload_solver(ctx, 3), VSOLVE_EUSAGE);
    ck_assert_msg(strstr(vsolve_errmsg(ctx), "unknown mode 3"), "%s", vsolve_errmsg(ctx));
    ck_assert_int_eq(vsolve_preload_solver(ctx, -1), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_preload_solver(ctx, VSOLVE_PRELOAD_NOW), VSOLVE_OK);
    ck_assert_str_eq(vsolve_errmsg(ctx), "");
    ck_assert_int_eq(vsolve_preload_solver(ctx, VSOLVE_PRELOAD_NOW), VSOLVE_OK);   /* one thread: nothing more */
    ck_assert_int_eq(vsolve_preload_solver(ctx, VSOLVE_PRELOAD_LIKELY), VSOLVE_OK);
    ck_assert_int_eq(vsolve_preload_solver(ctx, VSOLVE_PRELOAD_OFF), VSOLVE_OK);
    vsolve_free(ctx);
    vsolve_ctx *many[6];
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < 6; i++) {
            ck_assert_ptr_nonnull(many[i] = vsolve_new());
            ck_assert_int_eq(vsolve_preload_solver(many[i], VSOLVE_PRELOAD_NOW), VSOLVE_OK);
        }
        for (size_t i = 6; i-- > 0;)   /* freed while their threads may still load */
            vsolve_free(many[i]);
    }
    /* a solver made while the thread may be loading: it waits, then works */
    ctx = vsolve_new();
    ck_assert_int_eq(vsolve_preload_solver(ctx, VSOLVE_PRELOAD_NOW), VSOLVE_OK);
    vs_error err;
    vs_error_clear(&err);
    sat *s = sat_new(&err);
    ck_assert_msg(s != NULL, "%s", err.message);
    ck_assert_uint_eq(sat_add_vars(s, 1), 0);
    int unit = -1;
    ck_assert_int_eq(sat_add_clause(s, &unit, 1), 1);
    ck_assert_int_eq(sat_solve(s, NULL, 0), SAT_SAT);
    ck_assert_int_eq(sat_model_value(s, 0), 0);
    sat_free(s);
    vsolve_free(ctx);
}
END_TEST

/* The command line preloads only where a SAT solve is likely: an opam solve at once (even one
 * whose request is refused before solving: the thread is joined, the exit is clean), a cargo solve only past
 * the fast path, never an npm solve nor a cargo solve that stops at its manifest. */
START_TEST(cli_preloads_where_likely)
{
    char *repo = small_repo();
    char *cargo = tiny_cargo();
    char want[300];
    snprintf(want, sizeof want, "file=%s [0];  dynamically loaded by", sat_library());
    /* npm: a tiny packument directory */
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/npm/reg' '%s/npm/proj' && "
             "printf '{\"name\":\"left\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{\"1.0.0\":"
             "{\"name\":\"left\",\"version\":\"1.0.0\"}}}' >'%s/npm/reg/left.json' && "
             "printf '{\"name\":\"p\",\"version\":\"1.0.0\",\"dependencies\":{\"left\":\"^1.0.0\"}}' "
             ">'%s/npm/proj/package.json' && mkdir -p '%s/bad' && printf '[package\n' >'%s/bad/Cargo.toml'",
             cargo, cargo, cargo, cargo, cargo, cargo);
    ck_assert_int_eq(system(cmd), 0);
    static const struct {
        const char *args;   /* after the binary; %1$s the opam repo, %2$s the cargo directory */
        int status, loads;
        const char *out;
    } runs[] = {
        { "--ecosystem opam --repo '%1$s' solve 'app>>1'", 2, 1, "expected a version character" },
        { "--ecosystem opam --repo '%1$s' solve app", 0, 1, "app.1.0\nlib.2.0\n" },
        { "--ecosystem cargo --index '%2$s/index' --no-cache solve --manifest '%2$s/sat/Cargo.toml'", 0, 1,
          "name = \"c\"\nversion = \"1.0.0\"" },
        { "--ecosystem cargo --index '%2$s/index' --no-cache solve --manifest '%2$s/fast/Cargo.toml'", 0, 0,
          "name = \"c\"\nversion = \"1.1.0\"" },
        { "--ecosystem cargo --index '%2$s/index' --no-cache solve --manifest '%2$s/bad/Cargo.toml'", 2, 0, "Cargo.toml:" },
        { "--ecosystem npm --registry '%2$s/npm/reg' --no-cache solve --manifest '%2$s/npm/proj/package.json'", 0, 0,
          "\"node_modules/left\"" },
        { "--ecosystem cargo --index '%2$s/index' index", 0, 0, "" },
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        char args[4000];
        snprintf(args, sizeof args, runs[k].args, repo, cargo);
        snprintf(cmd, sizeof cmd, "LD_DEBUG=files VSOLVE_CACHE_DIR='%s/cache' '%s/vsolve' %s", repo, VSOLVE_BINARY_DIR, args);
        int st;
        char *out = run_cmd(cmd, &st);
        ck_assert_msg(st == runs[k].status && strstr(out, runs[k].out), "%s: exit %d:\n%.3000s", args, st, out);
        ck_assert_msg(!strstr(out, want) == !runs[k].loads, "%s: CryptoMiniSat %sloaded:\n%.3000s", args,
                      runs[k].loads ? "not " : "", out);
        free(out);
    }
    test_remove_dir(repo);
    test_remove_dir(cargo);
    free(repo);
    free(cargo);
}
END_TEST

/* A library that cannot be loaded at all (a file of its name that is not ELF, first in the
 * loader's path) fails the preload thread and then the solve, which reports the loader's
 * reason with exit 3, as without the preload: opam (preloaded at once) and cargo (past the
 * fast path); a cargo solve the fast path answers never needs it and succeeds. */
START_TEST(cli_failed_preload_reports)
{
    char *repo = small_repo();
    char *cargo = tiny_cargo();
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/lib' && printf 'not a shared object' >'%s/lib/%s'", repo, repo, sat_library());
    ck_assert_int_eq(system(cmd), 0);
    static const struct {
        const char *args;
        int status;
    } runs[] = {
        { "--ecosystem opam --repo '%1$s' solve app", 3 },
        { "--ecosystem cargo --index '%2$s/index' --no-cache solve --manifest '%2$s/sat/Cargo.toml'", 3 },
        { "--ecosystem cargo --index '%2$s/index' --no-cache solve --manifest '%2$s/fast/Cargo.toml'", 0 },
    };
    char want[400];
    snprintf(want, sizeof want, "vsolve: cannot load CryptoMiniSat (%s): %s/lib/%s: ", sat_library(), repo, sat_library());
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        char args[4000];
        snprintf(args, sizeof args, runs[k].args, repo, cargo);
        snprintf(cmd, sizeof cmd, "LD_LIBRARY_PATH='%s/lib' VSOLVE_CACHE_DIR='%s/cache' '%s/vsolve' %s", repo, repo,
                 VSOLVE_BINARY_DIR, args);
        int st;
        char *out = run_cmd(cmd, &st);
        if (runs[k].status == 3)
            ck_assert_msg(st == 3 && strstr(out, want) && !strstr(out, "out of memory"), "%s: exit %d:\n%.3000s", args, st,
                          out);
        else
            ck_assert_msg(st == 0 && strstr(out, "name = \"c\"") && !strstr(out, "CryptoMiniSat"), "%s: exit %d:\n%.3000s",
                          args, st, out);
        free(out);
    }
    test_remove_dir(repo);
    test_remove_dir(cargo);
    free(repo);
    free(cargo);
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
    tcase_add_test(tc, preload_same_answers);
    tcase_add_test(tc, preload_calls);
    tcase_add_test(tc, cli_preloads_where_likely);
    tcase_add_test(tc, cli_failed_preload_reports);
    suite_add_tcase(s, tc);
    return s;
}
