/* test_solver_cases.c: runs every YAML solver test case under tests/cases/<ecosystem>/<topic>/
 * (one Check test each), and tests the case format itself: rewriting answers, writing cases
 * that read back (any string), and dumps of opam, cargo and npm runs that replay.
 *
 * VSOLVE_REWRITE_CASES=1 ctest -R solver_cases   rewrites the answer of each case that fails
 * (or gives only phrases of its explanation) with what vsolve answers now, as libsolv's
 * `testsolv -r` does; review the diff before committing it. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "encode.h"
#include "testcase.h"
#include "testutil.h"
#include "vsolve.h"

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

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void read_case(testcase *tc, const char *path)
{
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(testcase_read(tc, path, &err) == VSOLVE_OK, "%s", err.message);
}

START_TEST(yaml_case)
{
    testcase tc;
    read_case(&tc, case_paths[_i]);
    char msg[8192];
    const char *rewrite = getenv("VSOLVE_REWRITE_CASES");
    if (rewrite && *rewrite && strcmp(rewrite, "0") != 0 &&
        (tc.expect == TC_EXPECT_PHRASES || !testcase_run(&tc, msg, sizeof msg))) {
        int changed = 0;
        vs_error err;
        vs_error_clear(&err);
        ck_assert_msg(testcase_rewrite(&tc, &changed, &err) == VSOLVE_OK, "%s", err.message);
        if (changed) {
            printf("rewrote %s\n", case_paths[_i]);
            testcase_free(&tc);
            read_case(&tc, case_paths[_i]);
        }
    }
    int ok = testcase_run(&tc, msg, sizeof msg);
    ck_assert_msg(ok, "%s (%s): %s", case_paths[_i], tc.description ? tc.description : "", msg);
    testcase_free(&tc);
}
END_TEST

/* The cases cover every ecosystem, each in its own folder, and say the full answer. */
START_TEST(there_are_cases)
{
    ck_assert_int_ge(n_cases, 40);
    static const char *const ecosystems[] = { "/cases/opam/", "/cases/cargo/", "/cases/npm/", "/cases/cudf/" };
    for (size_t e = 0; e < sizeof ecosystems / sizeof ecosystems[0]; e++) {
        int n = 0;
        for (int i = 0; i < n_cases; i++)
            if (strstr(case_paths[i], ecosystems[e])) {
                testcase tc;
                read_case(&tc, case_paths[i]);
                ck_assert_msg(tc.expect != TC_EXPECT_PHRASES, "%s: give the full explanation", case_paths[i]);
                ck_assert_msg(e == 0 || !tc.opam_form, "%s: opam files outside cases/opam", case_paths[i]);
                testcase_free(&tc);
                n++;
            }
        ck_assert_msg(n >= 3, "%d cases under %s", n, ecosystems[e]);
    }
}
END_TEST

/* The runner itself must be able to fail: a wrong expectation is reported. */
START_TEST(wrong_expectation_fails)
{
    char path[] = "/tmp/vsolve-case-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    write_text(path, "packages:\n  a.1.0: ''\n  a.2.0: ''\nrequest: [ a ]\nsolution: [ a.1.0 ]\n");
    testcase tc;
    read_case(&tc, path);
    char msg[1024];
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    ck_assert_msg(strstr(msg, "expected [a 1.0], got [a 2.0]") != NULL, "%s", msg);
    testcase_free(&tc);

    /* a neutral case: one missing package, and a different explanation, fail too */
    write_text(path, "universe:\n  a: { \"1\": { depends: [ \"b\": { b: [ \"1\" ] } ] } }\n  b: { \"1\": {} }\n"
                     "request:\n  - a: { a: [ \"1\" ] }\nsolution: { a: [ \"1\" ] }\n");
    read_case(&tc, path);
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    ck_assert_msg(strstr(msg, "expected [a 1], got [a 1, b 1]") != NULL, "%s", msg);
    testcase_free(&tc);
    write_text(path, "universe:\n  a: { \"1\": { flags: [ unavailable ] } }\n"
                     "request:\n  - a: { a: [ \"1\" ] }\nexplanation: \"something else\"\n");
    read_case(&tc, path);
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    ck_assert_msg(strstr(msg, "expected the explanation\nsomething else\ngot\n") != NULL, "%s", msg);
    testcase_free(&tc);
    remove(path);
}
END_TEST

/* The two refusal paths of tests/cases/opam/unsat/pruned_clash_*.yaml: the cone the solution
 * reports is the pruned one when the clash was proven there, the whole one after the fallback. */
static void assert_refusal_path(const char *name, int on_pruned)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/opam/unsat/%s", test_source_path("tests/cases"), name);
    testcase tc;
    read_case(&tc, path);
    vs_error err;
    vs_error_clear(&err);
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

static void assert_read_error(const char *path, const char *text, const char *where)
{
    write_text(path, text);
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(testcase_read(&tc, path, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, where) != NULL, "%s (wanted %s)", err.message, where);
    testcase_free(&tc);
}

START_TEST(malformed_case_has_position)
{
    char path[] = "/tmp/vsolve-case-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    write_text(path, "packages:\n  a.1.0: 'depends: [ \"b\" '\nrequest: [ a ]\nsolution: [ a.1.0 ]\n");
    testcase tc;
    read_case(&tc, path);
    char msg[1024];
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    /* the opam body is reported with the case file and package key */
    ck_assert_msg(strstr(msg, ":a.1.0:1:") != NULL, "%s", msg);
    testcase_free(&tc);

    assert_read_error(path, "packages:\n  a.1.0: ''\nrequest: a\nsolution: [ a.1.0 ]\n", ":3:10: expected a list of strings");
    assert_read_error(path, "universe:\n  a: { \"1\": { flags: [ shiny ] } }\nrequest: []\nsolution: {}\n",
                      ":2:24: expected a flag: avoid, unavailable or virtual");
    assert_read_error(path, "ecosystem: cargo\nuniverse:\n  a: { \"1\": {} }\nrequest: [ a ]\nsolution: {}\n",
                      ":4:12: expected the atom's packages");
    assert_read_error(path, "universe:\n  a: { \"1\": { depends: [ [ x ] ] } }\nrequest: []\nsolution: {}\n",
                      ":2:26: expected a clause DESC:");

    /* a reference to a package the universe lacks: the reference's position */
    write_text(path, "universe:\n  a:\n    \"1\":\n      depends:\n        - \"b\": { b: [ \"2\" ] }\n  b: { \"1\": {} }\n"
                     "request:\n  - a: { a: [ \"1\" ] }\nsolution: {}\n");
    read_case(&tc, path);
    ck_assert(!testcase_run(&tc, msg, sizeof msg));
    ck_assert_msg(strstr(msg, ":5:23: expected a package of the universe, not b 2") != NULL, "%s", msg);
    testcase_free(&tc);
    remove(path);
}
END_TEST

/* Rewriting: the answer is replaced, everything above it kept byte for byte; a second rewrite
 * changes nothing; an answer that is not last is refused. */
START_TEST(rewrite_answers)
{
    char path[] = "/tmp/vsolve-case-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const char *head = "# a comment that stays\ndescription: newest\npackages:\n  a.1.0: ''\n  a.2.0: 'depends: [ \"b\" ]'\n"
                       "  b.1: ''\nrequest: [ a ]   # trailing comment\n";
    char text[1024];
    snprintf(text, sizeof text, "%ssolution: [ a.1.0 ]\n", head);
    write_text(path, text);
    testcase tc;
    read_case(&tc, path);
    int changed = 0;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(testcase_rewrite(&tc, &changed, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert(changed);
    testcase_free(&tc);
    size_t len;
    char *now = test_read_file(path, &len);
    snprintf(text, sizeof text, "%ssolution: [ a.2.0, b.1 ]\n", head);
    ck_assert_str_eq(now, text);
    free(now);
    read_case(&tc, path);
    char msg[1024];
    ck_assert_msg(testcase_run(&tc, msg, sizeof msg), "%s", msg);
    ck_assert_int_eq(testcase_rewrite(&tc, &changed, &err), VSOLVE_OK);
    ck_assert(!changed);
    testcase_free(&tc);

    /* phrases become the full explanation */
    snprintf(text, sizeof text, "universe:\n  a: { \"1\": { flags: [ unavailable ] } }\nrequest:\n  - a: { a: [ \"1\" ] }\n"
                                "unsat: [ \"a\" ]\n");
    write_text(path, text);
    read_case(&tc, path);
    ck_assert_int_eq(testcase_rewrite(&tc, &changed, &err), VSOLVE_OK);
    testcase_free(&tc);
    read_case(&tc, path);
    ck_assert_int_eq(tc.expect, TC_EXPECT_EXPLANATION);
    ck_assert_msg(strstr(tc.explanation, "a") && strlen(tc.explanation) > 10, "%s", tc.explanation);
    ck_assert_msg(testcase_run(&tc, msg, sizeof msg), "%s", msg);
    testcase_free(&tc);

    write_text(path, "solution: {}\nuniverse: {}\nrequest: []\n");
    read_case(&tc, path);
    ck_assert_int_eq(testcase_rewrite(&tc, &changed, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, ":1:1: expected the answer as the file's last key"), "%s", err.message);
    testcase_free(&tc);
    remove(path);
}
END_TEST

/* Writes (u, req) solved as a case to a temporary file and reads it back; returns the path. */
static void dump_and_read(vs_universe *u, vs_request *req, tc_ecosystem eco, char *path, testcase *tc, vs_solution *s)
{
    solution_init(s);
    int rc = vs_solve(u, req, s);
    ck_assert(rc == VSOLVE_OK || rc == VSOLVE_UNSAT);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_int_eq(testcase_write(f, u, req, s, eco, "dumped: \"quoted\"\nkey: injected"), VSOLVE_OK);
    ck_assert_int_eq(fclose(f), 0);
    read_case(tc, path);
}

/* Any string survives writing and reading: newlines, quotes, backslashes, tabs, YAML syntax,
 * line and paragraph separators, control characters (issue 17 item 14). */
START_TEST(written_case_round_trips_any_string)
{
    static const char *const names[] = { "plain", "new\nline: injected", "quote\"d", "back\\slash", "#comment",
                                         "- item", "tab\there", "sep\xe2\x80\xa8" "ar", "nel\xc2\x85x", "ctl\x01\x7f",
                                         "bom\xef\xbb\xbf", "\xc3\xa9t\xc3\xa9", "{ a: b }", "*alias", " lead", "" };
    static const char *const versions[] = { "1.0", "2\"\n3: x", "1\\n", "v: 1" };
    size_t nn = sizeof names / sizeof names[0], nv = sizeof versions / sizeof versions[0];
    vs_universe u;
    vs_request req;
    universe_init(&u);
    request_init(&req);
    for (size_t i = 0; i < nn; i++)
        for (size_t j = 0; j < nv; j++)
            ck_assert_int_eq(universe_add_package(&u, universe_intern(&u, names[i], strlen(names[i])),
                                                  universe_intern(&u, versions[j], strlen(versions[j])), 0, NULL),
                             VSOLVE_OK);
    ck_assert_int_eq(universe_sort(&u, testcase_version_order(TC_CUDF)), VSOLVE_OK);
    /* each package depends on the next name, with a description holding the odd strings */
    for (uint32_t p = 0; p < u.pkgs.len; p++) {
        uint32_t name = u.pkgs.items[p].name;
        if (name + 1 >= u.names.len)
            continue;
        uint32_t first, count;
        universe_name_pkgs(&u, name + 1, &first, &count);
        char desc[256];
        snprintf(desc, sizeof desc, "needs %s\n  - and: \"%s\"", universe_pkg_name(&u, first), universe_pkg_version(&u, p));
        uint32_t providers[8];
        for (uint32_t k = 0; k < count; k++)
            providers[k] = first + k;
        ck_assert_int_eq(universe_add_clause(&u, p, universe_intern(&u, desc, strlen(desc)), providers, count), VSOLVE_OK);
    }
    ck_assert_int_eq(universe_slot_per_name(&u), VSOLVE_OK);
    uint32_t first, count;
    universe_name_pkgs(&u, 0, &first, &count);
    const char *atom = "first\n: atom \"x\"";
    uint32_t all[8];
    for (uint32_t k = 0; k < count; k++)
        all[k] = first + k;
    ck_assert_int_eq(request_add_atom(&req, universe_intern(&u, atom, strlen(atom)), 0, all, count), VSOLVE_OK);
    char path[] = "/tmp/vsolve-case-XXXXXX";
    testcase tc;
    vs_solution s;
    dump_and_read(&u, &req, TC_CUDF, path, &tc, &s);
    ck_assert_str_eq(tc.description, "dumped: \"quoted\"\nkey: injected");
    ck_assert_uint_eq(tc.n_universe, u.pkgs.len);
    for (size_t i = 0; i < tc.n_universe; i++) {
        ck_assert_str_eq(tc.universe[i].name, universe_pkg_name(&u, (uint32_t)i));
        ck_assert_str_eq(tc.universe[i].version, universe_pkg_version(&u, (uint32_t)i));
        uint32_t f, c;
        universe_clauses(&u, (uint32_t)i, 0, &f, &c);
        ck_assert_uint_eq(tc.universe[i].n_depends, c);
        for (uint32_t k = 0; k < c; k++)
            ck_assert_str_eq(tc.universe[i].depends[k].desc, universe_str(&u, u.clauses.items[f + k].desc));
    }
    ck_assert_uint_eq(tc.n_request, 1);
    ck_assert_str_eq(tc.request[0].desc, atom);
    char msg[4096];
    ck_assert_msg(testcase_run(&tc, msg, sizeof msg), "%s", msg);
    ck_assert_uint_eq(s.pkgs.len, nn);   /* one version of every name */
    testcase_free(&tc);
    solution_free(&s);
    remove(path);
    request_free(&req);
    universe_free(&u);
}
END_TEST

/* Every opam case, dumped in the neutral form, replays to the same answer (solution or full
 * explanation): the dump holds what the solver and the explanation need. */
START_TEST(opam_cases_dump_and_replay)
{
    int dumped = 0;
    for (int i = 0; i < n_cases; i++) {
        if (!strstr(case_paths[i], "/cases/opam/"))
            continue;
        testcase orig;
        read_case(&orig, case_paths[i]);
        vs_universe u;
        vs_request req;
        vs_error err;
        vs_error_clear(&err);
        universe_init(&u);
        request_init(&req);
        ck_assert_msg(testcase_build(&orig, &u, &req, &err) == VSOLVE_OK, "%s", err.message);
        char path[] = "/tmp/vsolve-case-XXXXXX";
        testcase tc;
        vs_solution s;
        dump_and_read(&u, &req, TC_OPAM, path, &tc, &s);
        char msg[8192];
        ck_assert_msg(testcase_run(&tc, msg, sizeof msg), "%s dumped: %s", case_paths[i], msg);
        /* and the dump's answer is the original case's */
        ck_assert_msg(testcase_run(&orig, msg, sizeof msg), "%s: %s", case_paths[i], msg);
        ck_assert_int_eq(tc.expect, s.status == VSOLVE_OK ? TC_EXPECT_SOLUTION : TC_EXPECT_EXPLANATION);
        dumped++;
        testcase_free(&tc);
        testcase_free(&orig);
        solution_free(&s);
        remove(path);
        request_free(&req);
        universe_free(&u);
    }
    ck_assert_int_ge(dumped, 20);
}
END_TEST

/* Runs the command line, which must exit with `code`. */
static void run_cli(const char *args, int code)
{
    char cmd[32768];
    snprintf(cmd, sizeof cmd, "%s/vsolve %s >/dev/null 2>&1", VSOLVE_BINARY_DIR, args);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: exit %d, expected %d", cmd, WEXITSTATUS(st), code);
}

static void assert_replays(const char *path, tc_ecosystem eco, int expect_solution)
{
    testcase tc;
    read_case(&tc, path);
    ck_assert_int_eq(tc.ecosystem, eco);
    ck_assert(!tc.opam_form);
    ck_assert_int_eq(tc.expect, expect_solution ? TC_EXPECT_SOLUTION : TC_EXPECT_EXPLANATION);
    char msg[8192];
    ck_assert_msg(testcase_run(&tc, msg, sizeof msg), "%s: %s", path, msg);
    testcase_free(&tc);
}

/* A cargo run, given --dump-testcase, writes a neutral case that replays to its answer (issue 17:
 * the option was ignored for cargo): every project of the synthetic index, the refused one too;
 * with the fast path (the problem of first candidates; the refusal, which the root's pins prove
 * without a problem, has none to record) and without it (the whole problem, what the command
 * line records). */
START_TEST(cargo_runs_dump_and_replay)
{
    const char *tar = test_corpus_path("cargo-synthetic-index.tar.gz");
    if (!tar)
        return;
    char index[4096];
    snprintf(index, sizeof index, "%s", tar);
    char dir[] = "/tmp/vsolve-cargo-dump-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "tar xzf '%s' -C '%s' projects", index, dir);
    ck_assert_int_eq(system(cmd), 0);
    static const char *const projects[] = { "cli-tool", "edge-cases", "links-conflict", "msrv-resolver2",
                                            "msrv-resolver3", "native-deps", "web-service" };
    int refused = 0;
    for (size_t i = 0; i < sizeof projects / sizeof projects[0]; i++) {
        char manifest[4200], dump[4200], lock[4200];
        snprintf(manifest, sizeof manifest, "%s/projects/%s/Cargo.toml", dir, projects[i]);
        snprintf(dump, sizeof dump, "%s/%s.yaml", dir, projects[i]);
        snprintf(lock, sizeof lock, "%s/%s.lock", dir, projects[i]);
        int rc = VSOLVE_OK;
        for (int fast = 1; fast >= 0; fast--) {   /* the whole problem without the fast path, as the CLI */
            vsolve_ctx *ctx = vsolve_new();
            ck_assert_int_eq(vsolve_set_fast_path(ctx, fast), VSOLVE_OK);
            vsolve_result *r = NULL;
            rc = vsolve_cargo_solve(ctx, index, manifest, NULL, NULL, 0, 0, &r);
            ck_assert_msg(rc == VSOLVE_OK || rc == VSOLVE_UNSAT, "%s", vsolve_errmsg(ctx));
            if (fast && !strcmp(projects[i], "links-conflict")) {   /* proven by the root's pins: no problem built */
                ck_assert_int_eq(vsolve_dump_testcase(ctx, NULL, 0, r, dump), VSOLVE_EUSAGE);
                ck_assert_msg(strstr(vsolve_errmsg(ctx), "turn it off"), "%s", vsolve_errmsg(ctx));
                vsolve_result_free(r);
                vsolve_free(ctx);
                continue;
            }
            ck_assert_msg(vsolve_dump_testcase(ctx, NULL, 0, r, dump) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
            assert_replays(dump, TC_CARGO, rc == VSOLVE_OK);
            vsolve_result_free(r);
            vsolve_free(ctx);
        }
        refused += rc == VSOLVE_UNSAT;
        if (i > 0 && strcmp(projects[i], "links-conflict") != 0)
            continue;
        /* the command line writes the same file (a solved project and the refused one) */
        char args[20000], again[4300];
        snprintf(again, sizeof again, "%s.cli", dump);
        snprintf(args, sizeof args, "--ecosystem cargo --index '%s' --dump-testcase '%s' solve --manifest '%s' --lock '%s'",
                 index, again, manifest, lock);
        run_cli(args, rc == VSOLVE_OK ? 0 : 1);
        size_t n1, n2;
        char *a = test_read_file(dump, &n1), *b = test_read_file(again, &n2);
        ck_assert_msg(n1 == n2 && memcmp(a, b, n1) == 0, "%s: the CLI's dump differs", projects[i]);
        free(a);
        free(b);
    }
    ck_assert_int_eq(refused, 1);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* An npm run, given --dump-testcase, writes a neutral case whose replay installs exactly the
 * packages of npm's tree: every shared npm project. */
START_TEST(npm_runs_dump_and_replay)
{
    const char *reg = test_corpus_path("npm/packuments.tar.gz");
    if (!reg)
        return;
    char registry[4096], projects_dir[4096];
    snprintf(registry, sizeof registry, "%s", reg);
    snprintf(projects_dir, sizeof projects_dir, "%s", test_corpus_path("npm/projects"));
    struct stat st;
    if (stat(registry, &st) != 0)
        return;
    char dir[] = "/tmp/vsolve-npm-dump-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    static const char *const projects[] = { "express-api", "vite-vitest", "react-redux-airbnb", "react-webpack",
                                            "ts-lint-test" };
    for (size_t i = 0; i < sizeof projects / sizeof projects[0]; i++) {
        char manifest[4200], dump[4200], lock[4200];
        snprintf(manifest, sizeof manifest, "%s/%s/package.json", projects_dir, projects[i]);
        snprintf(dump, sizeof dump, "%s/%s.yaml", dir, projects[i]);
        snprintf(lock, sizeof lock, "%s/%s.json", dir, projects[i]);
        vsolve_ctx *ctx = vsolve_new();
        vsolve_result *r = NULL;
        ck_assert_msg(vsolve_npm_solve(ctx, registry, manifest, NULL, NULL, NULL, &r) == VSOLVE_OK, "%s",
                      vsolve_errmsg(ctx));
        ck_assert_msg(vsolve_dump_testcase(ctx, NULL, 0, r, dump) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
        assert_replays(dump, TC_NPM, 1);
        /* the case's answer is the tree's packages */
        testcase tc;
        read_case(&tc, dump);
        size_t distinct = 0;
        for (size_t k = 0; k < vsolve_result_count(r); k++) {
            int again = 0;
            for (size_t j = 0; j < k && !again; j++)
                again = !strcmp(vsolve_result_name(r, j), vsolve_result_name(r, k)) &&
                        !strcmp(vsolve_result_version(r, j), vsolve_result_version(r, k));
            distinct += !again;
        }
        ck_assert_uint_eq(tc.solution.n, distinct);
        ck_assert_uint_gt(distinct, 5);
        testcase_free(&tc);
        vsolve_result_free(r);
        vsolve_free(ctx);
        if (i > 0)
            continue;
        /* the command line writes the same file */
        char args[20000], again[4300];
        snprintf(again, sizeof again, "%s.cli", dump);
        snprintf(args, sizeof args, "--ecosystem npm --registry '%s' --dump-testcase '%s' solve --manifest '%s' --lock '%s'",
                 registry, again, manifest, lock);
        run_cli(args, 0);
        size_t n1, n2;
        char *a = test_read_file(dump, &n1), *b = test_read_file(again, &n2);
        ck_assert_msg(n1 == n2 && memcmp(a, b, n1) == 0, "%s: the CLI's dump differs", projects[i]);
        free(a);
        free(b);
    }
    /* workspaces and file: directories (tests/data/npm): the case requests the workspaces too,
     * so it replays to the whole tree */
    static const char *const linked[] = { "ws-basic", "ws-mixed", "ws-glob", "file-dep" };
    for (size_t i = 0; i < sizeof linked / sizeof linked[0]; i++) {
        char manifest[4200], dump[4200];
        snprintf(manifest, sizeof manifest, "%s/%s/package.json", test_source_path("tests/data/npm"), linked[i]);
        snprintf(dump, sizeof dump, "%s/%s.yaml", dir, linked[i]);
        vsolve_ctx *ctx = vsolve_new();
        vsolve_result *r = NULL;
        ck_assert_msg(vsolve_npm_solve(ctx, registry, manifest, NULL, NULL, NULL, &r) == VSOLVE_OK, "%s",
                      vsolve_errmsg(ctx));
        ck_assert_msg(vsolve_dump_testcase(ctx, NULL, 0, r, dump) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
        assert_replays(dump, TC_NPM, 1);
        vsolve_result_free(r);
        vsolve_free(ctx);
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
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
    tcase_add_test(tc, rewrite_answers);
    tcase_add_test(tc, written_case_round_trips_any_string);
    tcase_add_test(tc, opam_cases_dump_and_replay);
    suite_add_tcase(s, tc);
    TCase *dumps = tcase_create("dumps");
    tcase_add_test(dumps, cargo_runs_dump_and_replay);
    tcase_add_test(dumps, npm_runs_dump_and_replay);
    suite_add_tcase(s, dumps);
    return s;
}
