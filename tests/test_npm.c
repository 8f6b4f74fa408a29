/* test_npm.c: the npm adapter against npm 11 itself: for every shared project, vsolve's
 * package-lock.json has exactly npm's (node_modules path, name, version) entries; malformed
 * packuments and package.json files are refused with file:line:col. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "npm_lock.h"
#include "testutil.h"

static const char *const projects[] = { "express-api", "vite-vitest", "react-redux-airbnb", "react-webpack",
                                        "ts-lint-test" };

/* "path name version" lines of a lock (sorted), written to a malloc'd buffer. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static size_t lock_entries(arena *a, const char *path, char ***out)
{
    npm_locked *l = NULL;
    size_t n = 0;
    vs_error err = { 0 };
    ck_assert_msg(npm_lock_read(a, path, &l, &n, &err) == VSOLVE_OK, "%s", err.message);
    char **lines = calloc(n ? n : 1, sizeof *lines);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(l[i].location) + strlen(l[i].name) + strlen(l[i].version) + 3;
        lines[i] = arena_alloc(a, len);
        snprintf(lines[i], len, "%s %s %s", l[i].location, l[i].name, l[i].version);
    }
    qsort(lines, n, sizeof *lines, cmp_str);
    *out = lines;
    return n;
}

/* Solves one project into a temporary lock and compares entries; prints each difference. */
static size_t check_project(npm_registry *reg, const char *project)
{
    char dir[4096], manifest_path[4200], ref_path[4200], out_path[] = "/tmp/vsolve-npm-lock-XXXXXX";
    snprintf(dir, sizeof dir, "%s", test_corpus_path("npm/projects"));
    snprintf(manifest_path, sizeof manifest_path, "%s/%s/package.json", dir, project);
    snprintf(ref_path, sizeof ref_path, "%s/%s/package-lock.json", dir, project);
    arena a;
    arena_init(&a);
    vs_error err = { 0 };
    const json_value *manifest = NULL;
    ck_assert_msg(npm_manifest_read(&a, manifest_path, &manifest, &err) == VSOLVE_OK, "%s", err.message);
    npm_tree t;
    int rc = npm_tree_build(&t, reg, manifest, manifest_path, NULL, NULL, 0, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s: %s", project, err.message);
    npm_tree_flags(&t);
    int fd = mkstemp(out_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_int_eq(npm_lock_write(f, &t, NULL, &err), VSOLVE_OK);
    fclose(f);
    char **mine = NULL, **ref = NULL;
    size_t n_mine = lock_entries(&a, out_path, &mine), n_ref = lock_entries(&a, ref_path, &ref);
    size_t i = 0, k = 0, diffs = 0;
    while (i < n_mine || k < n_ref) {
        int c = i == n_mine ? 1 : k == n_ref ? -1 : strcmp(mine[i], ref[k]);
        if (c == 0) {
            i++, k++;
            continue;
        }
        printf("npm-compare %s: %s %s\n", project, c < 0 ? "only vsolve:" : "only npm:", c < 0 ? mine[i] : ref[k]);
        diffs++;
        if (c < 0)
            i++;
        else
            k++;
    }
    size_t len_mine = 0, len_ref = 0;
    char *bytes_mine = test_read_file(out_path, &len_mine), *bytes_ref = test_read_file(ref_path, &len_ref);
    int identical = len_mine == len_ref && !memcmp(bytes_mine, bytes_ref, len_mine);
    free(bytes_mine);
    free(bytes_ref);
    printf("npm-compare %s: %zu entries, npm %zu, %zu differences, lock %s\n", project, n_mine, n_ref, diffs,
           identical ? "byte-identical" : "differs in its bytes");
    if (!identical)
        diffs++;
    unlink(out_path);
    free(mine);
    free(ref);
    npm_tree_free(&t);
    arena_free(&a);
    return diffs;
}

START_TEST(corpus_projects)
{
    const char *tar = test_corpus_path("npm/packuments.tar.gz");
    struct stat st;
    if (!tar || stat(tar, &st) != 0)
        return;
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_open(tar, &err);
    ck_assert_msg(reg != NULL, "%s", err.message);
    size_t total = 0;
    for (size_t i = 0; i < sizeof projects / sizeof *projects; i++)
        total += check_project(reg, projects[i]);
    npm_registry_close(reg);
    ck_assert_msg(total == 0, "%zu entries differ from npm's locks (see the npm-compare lines)", total);
}
END_TEST

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(malformed_inputs)
{
    char dir[] = "/tmp/vsolve-npm-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char p[4200], pk[256], m[256];
    snprintf(pk, sizeof pk, "%s/packuments", dir);
    ck_assert_int_eq(mkdir(pk, 0700), 0);
    snprintf(p, sizeof p, "%s/bad.json", pk);
    write_file(p, "{\"name\": \"bad\",\n \"versions\": {\"1.0.0\": {\"version\": \"1.0.0\",}}}\n");
    snprintf(p, sizeof p, "%s/@s%%2fgood.json", pk);
    write_file(p, "{\"name\": \"@s/good\", \"dist-tags\": {\"latest\": \"1.0.0\"},\n"
                  " \"versions\": {\"1.0.0\": {\"version\": \"1.0.0\", \"dependencies\": {\"missing\": \"^1\"},"
                  " \"optionalDependencies\": {\"gone\": \"^2\"}}}}\n");
    vs_error err = { 0 };
    arena a;
    arena_init(&a);
    npm_registry *reg = npm_registry_open(dir, &err);
    ck_assert_ptr_nonnull(reg);
    const json_value *doc = NULL;
    ck_assert_int_eq(npm_registry_get(reg, "bad", &doc, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "bad.json:2:") != NULL, "%s", err.message);
    ck_assert_int_eq(npm_registry_get(reg, "nothing-here", &doc, &err), VSOLVE_OK);
    ck_assert_ptr_null(doc);
    /* a malformed package.json */
    snprintf(m, sizeof m, "%s/package.json", dir);
    write_file(m, "{\n  \"dependencies\": {\"x\": 1}\n}\n");
    const json_value *man = NULL;
    vs_error_clear(&err);
    ck_assert_int_eq(npm_manifest_read(&a, m, &man, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "package.json:2:") != NULL, "%s", err.message);
    write_file(m, "{\"dependencies\": [}");
    ck_assert_int_eq(npm_manifest_read(&a, m, &man, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "package.json:1:") != NULL, "%s", err.message);
    /* a missing dependency is an error naming it; a missing optional one is dropped */
    write_file(m, "{\"name\": \"root\", \"version\": \"1.0.0\", \"dependencies\": {\"@s/good\": \"^1.0.0\"}}");
    ck_assert_int_eq(npm_manifest_read(&a, m, &man, &err), VSOLVE_OK);
    npm_tree t;
    int rc = npm_tree_build(&t, reg, man, m, NULL, NULL, 0, &err);
    ck_assert_int_eq(rc, VSOLVE_UNSAT);
    ck_assert_msg(strstr(err.message, "missing") != NULL, "%s", err.message);
    npm_tree_free(&t);
    write_file(m, "{\"name\": \"root\", \"optionalDependencies\": {\"@s/good\": \"^1.0.0\", \"bad-optional\": \"^3\"}}");
    ck_assert_int_eq(npm_manifest_read(&a, m, &man, &err), VSOLVE_OK);
    rc = npm_tree_build(&t, reg, man, m, NULL, NULL, 0, &err);
    ck_assert_int_eq(rc, VSOLVE_UNSAT);   /* @s/good itself needs the missing "missing" */
    npm_tree_free(&t);
    npm_registry_close(reg);
    arena_free(&a);
    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(p), 0);
}
END_TEST

START_TEST(locale_order)
{
    ck_assert_int_lt(npm_locale_compare("@babel/core", "accepts"), 0);
    ck_assert_int_lt(npm_locale_compare("is-arrayish", "isarray"), 0);
    ck_assert_int_lt(npm_locale_compare("a", "B"), 0);
    ck_assert_int_gt(npm_locale_compare("node_modules/b", "node_modules/a/node_modules/c"), 0);
}
END_TEST

Suite *npm_suite(void)
{
    Suite *s = suite_create("npm");
    TCase *tc = tcase_create("npm");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, locale_order);
    tcase_add_test(tc, malformed_inputs);
    tcase_add_test(tc, corpus_projects);
    suite_add_tcase(s, tc);
    return s;
}
