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
#include "npm_peers_search.h"
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
static size_t check_project_in(npm_registry *reg, const char *dir, const char *project)
{
    char manifest_path[4200], ref_path[4200], out_path[] = "/tmp/vsolve-npm-lock-XXXXXX";
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

static size_t check_project(npm_registry *reg, const char *project)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", test_corpus_path("npm/projects"));
    return check_project_in(reg, dir, project);
}

START_TEST(corpus_projects)
{
    const char *tar = test_corpus_file("npm/packuments.tar.gz");
    if (!tar)
        return;
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_open(tar, 0, &err);
    ck_assert_msg(reg != NULL, "%s", err.message);
    size_t total = 0;
    for (size_t i = 0; i < sizeof projects / sizeof *projects; i++)
        total += check_project(reg, projects[i]);
    npm_registry_close(reg);
    ck_assert_msg(total == 0, "%zu entries differ from npm's locks (see the npm-compare lines)", total);
}
END_TEST

/* The feature projects of tests/data/npm (overrides...), each against npm 11's own lock. */
START_TEST(feature_projects)
{
    static const char *const features[] = { "overrides-global", "overrides-nested", "overrides-keyspec",
                                            "overrides-deep", "overrides-two-sets", "overrides-sibling-sets",
                                            "ws-basic", "ws-mixed", "ws-glob", "file-dep" };
    const char *tar = test_corpus_file("npm/packuments.tar.gz");
    if (!tar)
        return;
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_open(tar, 0, &err);
    ck_assert_msg(reg != NULL, "%s", err.message);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", test_source_path("tests/data/npm"));
    size_t total = 0;
    for (size_t i = 0; i < sizeof features / sizeof *features; i++)
        total += check_project_in(reg, dir, features[i]);
    npm_registry_close(reg);
    ck_assert_msg(total == 0, "%zu entries differ from npm's locks (see the npm-compare lines)", total);
}
END_TEST

static char *lock_text(const npm_tree *t, const char *registry_url);

/* npm's ERESOLVE text in a saved stderr: the lines from "ERESOLVE" to "Fix the upstream",
 * without the "npm error " prefix (malloc'd). */
static char *npm_refusal_text(const char *path)
{
    size_t len = 0;
    char *raw = test_read_file(path, &len);
    ck_assert_ptr_nonnull(raw);
    char *out = calloc(len + 1, 1), *o = out;
    int on = 0;
    for (char *line = strtok(raw, "\n"); line; line = strtok(NULL, "\n")) {
        const char *text = !strncmp(line, "npm error ", 10) ? line + 10 : !strcmp(line, "npm error") ? "" : NULL;
        if (!text)
            continue;
        if (!strncmp(text, "ERESOLVE", 8))
            on = 1;
        if (!on)
            continue;
        o += sprintf(o, "%s%s", o == out ? "" : "\n", text);
        if (!strncmp(text, "Fix the upstream", 16))
            break;
    }
    free(raw);
    return out;
}

/* Peer conflicts on the project's own dependencies: refused as npm 11 refuses them (the same
 * words), and with --legacy-peer-deps or --force the lock npm writes then, byte for byte. */
START_TEST(peer_conflicts)
{
    static const char *const peer_projects[] = { "peer-react-dom", "peer-dev", "ws-peer" };
    const char *tar = test_corpus_file("npm/packuments.tar.gz");
    if (!tar)
        return;
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_open(tar, 0, &err);
    ck_assert_msg(reg != NULL, "%s", err.message);
    for (size_t i = 0; i < sizeof peer_projects / sizeof *peer_projects; i++) {
        char dir[4200], path[4400];
        snprintf(dir, sizeof dir, "%s/%s", test_source_path("tests/data/npm"), peer_projects[i]);
        for (int mode = 0; mode < 3; mode++) {
            arena a;
            arena_init(&a);
            snprintf(path, sizeof path, "%s/package.json", dir);
            const json_value *manifest = NULL;
            ck_assert_msg(npm_manifest_read(&a, path, &manifest, &err) == VSOLVE_OK, "%s", err.message);
            npm_tree_options opt = { NULL, NULL, mode == 1, mode == 2, 0, 0 };
            npm_tree t;
            int rc = npm_tree_build(&t, reg, manifest, path, &opt, NULL, 0, &err);
            if (mode == 0) {
                ck_assert_msg(rc == VSOLVE_UNSAT, "%s: npm refuses it, vsolve gave %d", peer_projects[i], rc);
                snprintf(path, sizeof path, "%s/npm-stderr.txt", dir);
                char *want = npm_refusal_text(path);
                ck_assert_msg(!strcmp(err.message, want), "%s:\nvsolve: %s\nnpm: %s", peer_projects[i], err.message, want);
                free(want);
            } else {
                ck_assert_msg(rc == VSOLVE_OK, "%s: %s", peer_projects[i], err.message);
                char *mine = lock_text(&t, NULL);
                snprintf(path, sizeof path, "%s/package-lock.%s.json", dir, mode == 1 ? "legacy" : "force");
                size_t len = 0;
                char *ref = test_read_file(path, &len);
                ck_assert_ptr_nonnull(ref);
                ck_assert_msg(!strcmp(mine, ref), "%s: the lock differs from %s", peer_projects[i], path);
                free(ref);
                free(mine);
            }
            npm_tree_free(&t);
            arena_free(&a);
        }
    }
    npm_registry_close(reg);
}
END_TEST

/* --resolve-peers on 12 real peer conflicts (tests/data/npm/resolve-peers): npm 11 refuses each
 * with ERESOLVE (vsolve in npm's words); the search finds a tree for 11, and the lock of the manifest pinned
 * to it is byte for byte the lock npm writes for that pinned package.json (pinned/), which npm
 * accepts without --force. tsjest29-jest28 finds none: jest 28's dependencies are not in the
 * frozen corpus. */
/* o[section][key] when it is a string, else NULL */
static const char *json_str_at(const json_value *o, const char *section, const char *key)
{
    const json_value *sec = json_get(o, section), *v = sec ? json_get(sec, key) : NULL;
    return v && v->kind == JSON_STRING ? v->str : NULL;
}

START_TEST(resolve_peers)
{
    static const char *const conflicts[] = { "airbnb-base-eslint9", "airbnb-eslint9", "coverage1-vitest2",
                                             "hooks4-eslint9", "airbnb18-eslint8", "prettier-cfg-eslint6",
                                             "react-dom17-react18", "redux8-react19", "router7-react17",
                                             "tseslint7-eslint9", "tsjest29-jest28", "wds5-webpack4" };
    const char *tar = test_corpus_file("npm/packuments.tar.gz");
    if (!tar)
        return;
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_open(tar, 0, &err);
    ck_assert_msg(reg != NULL, "%s", err.message);
    size_t found = 0;
    for (size_t i = 0; i < sizeof conflicts / sizeof *conflicts; i++) {
        char dir[4200], path[4400];
        snprintf(dir, sizeof dir, "%s/resolve-peers/%s", test_source_path("tests/data/npm"), conflicts[i]);
        arena a;
        arena_init(&a);
        snprintf(path, sizeof path, "%s/package.json", dir);
        const json_value *manifest = NULL;
        ck_assert_msg(npm_manifest_read(&a, path, &manifest, &err) == VSOLVE_OK, "%s", err.message);
        npm_tree t;
        int rc = npm_tree_build(&t, reg, manifest, path, NULL, NULL, 0, &err);
        npm_tree_free(&t);
        ck_assert_msg(rc == VSOLVE_UNSAT, "%s: npm refuses it, vsolve gave %d", conflicts[i], rc);
        snprintf(path, sizeof path, "%s/npm-stderr.txt", dir);
        char *want = npm_refusal_text(path);
        /* npm explains who wants the found version further up the tree in three of them
         * (explain-dep's nesting): there the first line and the unmet peer edge agree */
        int short_explain = !strcmp(conflicts[i], "coverage1-vitest2") || !strcmp(conflicts[i], "tseslint7-eslint9") ||
                            !strcmp(conflicts[i], "wds5-webpack4");
        if (short_explain) {
            char *edge = strstr(want, "Could not resolve dependency:\n"), *eol = edge ? strchr(edge + 30, '\n') : NULL;
            ck_assert_ptr_nonnull(eol);
            *eol = 0;
            ck_assert_msg(strstr(err.message, edge) && !strncmp(err.message, want, strcspn(want, "\n")),
                          "%s:\nvsolve: %s\nnpm: %s", conflicts[i], err.message, want);
        } else
            ck_assert_msg(!strcmp(err.message, want), "%s:\nvsolve: %s\nnpm: %s", conflicts[i], err.message, want);
        free(want);
        snprintf(path, sizeof path, "%s/package.json", dir);
        npm_peers_found f;
        ck_assert_int_eq(npm_peers_search(&a, reg, manifest, path, NULL, &f, &err), VSOLVE_OK);
        snprintf(path, sizeof path, "%s/pinned/package-lock.json", dir);
        size_t len = 0;
        struct stat st;
        char *npm_lock = stat(path, &st) == 0 ? test_read_file(path, &len) : NULL;
        printf("resolve-peers %s: %s (%zu steps, %zu trees built)\n", conflicts[i], f.manifest ? f.summary : "none",
               f.steps, f.checked);
        ck_assert_msg(!f.manifest == !npm_lock, "%s: found %s, npm's pinned lock %s", conflicts[i],
                      f.manifest ? "a tree" : "none", npm_lock ? "stored" : "absent");
        if (f.manifest) {
            found++;
            ck_assert(f.n_moved > 0 && f.summary && *f.summary);
            /* the moves as data: what npm's pinned package.json pins, from what package.json said */
            snprintf(path, sizeof path, "%s/pinned/package.json", dir);
            const json_value *pinned = NULL;
            ck_assert_msg(npm_manifest_read(&a, path, &pinned, &err) == VSOLVE_OK, "%s", err.message);
            static const char *const sections[] = { "dependencies", "devDependencies", "optionalDependencies",
                                                    "peerDependencies" };
            for (size_t k = 0; k < f.n_moved; k++) {
                const npm_peer_move *m = &f.moved[k];
                int seen = 0;
                for (size_t s = 0; s < sizeof sections / sizeof *sections; s++) {
                    const char *now = json_str_at(pinned, sections[s], m->name);
                    const char *was = json_str_at(manifest, sections[s], m->name);
                    if (now && was && strcmp(now, was)) {
                        seen = 1;
                        ck_assert_msg(!strcmp(now, m->version) && !strcmp(was, m->was), "%s: %s %s (was %s)",
                                      conflicts[i], m->name, m->version, m->was);
                    }
                }
                ck_assert_msg(seen, "%s: %s is not pinned in npm's pinned package.json", conflicts[i], m->name);
            }
            snprintf(path, sizeof path, "%s/package.json", dir);
            ck_assert_msg(npm_tree_build(&t, reg, f.manifest, path, NULL, NULL, 0, &err) == VSOLVE_OK, "%s", err.message);
            char *mine = lock_text(&t, NULL);
            ck_assert_msg(!strcmp(mine, npm_lock), "%s: the pinned tree's lock differs from npm's", conflicts[i]);
            free(mine);
            npm_tree_free(&t);
        }
        free(npm_lock);
        free(f.summary);
        arena_free(&a);
    }
    npm_registry_close(reg);
    ck_assert_uint_eq(found, 11);
}
END_TEST

/* The overrides' rule per edge (getEdgeRule): nearest set first, key specs that meet the range. */
START_TEST(override_rules)
{
    arena a;
    arena_init(&a);
    vs_error err = { 0 };
    const char *text = "{\"dependencies\": {\"b\": \"^2.0.0\"}, \"overrides\": {\"a\": {\".\": \"1.0.0\", "
                       "\"b\": \"3.0.0\"}, \"b@^1.0.0\": \"1.5.0\", \"c\": \"$b\", \"@s/d@2\": \"\"}}";
    const json_value *m = json_parse(&a, "t.json", text, strlen(text), &err);
    ck_assert_msg(m != NULL, "%s", err.message);
    const npm_override *root = NULL;
    ck_assert_msg(npm_overrides_parse(&a, m, "t.json", &root, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(root->n_children, 4);
    const npm_override *ra = root->children[0], *rb1 = root->children[1], *rc = root->children[2], *rd = root->children[3];
    ck_assert_str_eq(ra->value, "1.0.0");
    ck_assert_str_eq(rc->value, "^2.0.0");              /* $b: the root's own spec */
    ck_assert_str_eq(rd->name, "@s/d");
    ck_assert_str_eq(rd->value, "*");                    /* "" is "*": the spec is kept */
    ck_assert_str_eq(rd->key_spec, "2");
    npm_options loose = { 1, 0 };
    npm_range r1, r2;
    ck_assert_int_eq(npm_range_parse(&a, "^1.2.0", loose, &r1), 0);
    ck_assert_int_eq(npm_range_parse(&a, "^2.0.0", loose, &r2), 0);
    ck_assert_ptr_eq(npm_override_edge_rule(root, "a", &r1, "^1.2.0"), ra);
    ck_assert_ptr_eq(npm_override_edge_rule(root, "b", &r1, "^1.2.0"), rb1);   /* meets ^1.0.0 */
    ck_assert_ptr_eq(npm_override_edge_rule(root, "b", &r2, "^2.0.0"), root);  /* does not */
    ck_assert_ptr_eq(npm_override_edge_rule(ra, "b", &r2, "^2.0.0"), ra->children[0]);  /* under a */
    ck_assert_ptr_eq(npm_override_edge_rule(ra, "c", &r2, "^2.0.0"), rc);      /* the root's, from a */
    ck_assert_ptr_eq(npm_override_edge_rule(ra, "e", &r2, "^2.0.0"), ra);      /* none: the set */
    const char *bad = "{\"overrides\": {\"x\": \"$nothing\"}}";
    m = json_parse(&a, "bad.json", bad, strlen(bad), &err);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(npm_overrides_parse(&a, m, "bad.json", &root, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "bad.json:1:") && strstr(err.message, "$nothing"), "%s", err.message);
    arena_free(&a);
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
    npm_registry *reg = npm_registry_open(dir, 0, &err);
    ck_assert_ptr_nonnull(reg);
    npm_packument *doc = NULL;
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
    /* @s/good itself needs the missing "missing": only optional packages need it, so npm
     * keeps @s/good (flagged optional, not installed) and leaves "missing" out */
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(t.root->n_children, 1);
    ck_assert_str_eq(t.root->children[0]->name, "@s/good");
    ck_assert(t.root->children[0]->optional);
    npm_tree_free(&t);
    npm_registry_close(reg);
    arena_free(&a);
    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(p), 0);
}
END_TEST

/* Workspaces and file: directories stay inside the project: a pattern or path that leaves it
 * (by "..", an absolute path or a symlink) is refused, and so is "link:", as npm 11 refuses it. */
START_TEST(links_confined)
{
    char dir[] = "/tmp/vsolve-npm-links-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char p[4400], proj[4200], cmd[17000];
    snprintf(proj, sizeof proj, "%s/proj", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/outside' '%s/packages/a' && ln -s '%s/outside' '%s/packages/evil'", dir, proj,
             dir, proj);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(p, sizeof p, "%s/outside/package.json", dir);
    write_file(p, "{\"name\": \"outside\", \"version\": \"1.0.0\"}");
    snprintf(p, sizeof p, "%s/packages/a/package.json", proj);
    write_file(p, "{\"name\": \"a\", \"version\": \"1.0.0\"}");
    static const char *const refused[] = {
        "{\"name\": \"r\", \"workspaces\": [\"../outside\"]}",
        "{\"name\": \"r\", \"workspaces\": [\"/tmp\"]}",
        "{\"name\": \"r\", \"workspaces\": [\"packages/**\"]}",
        "{\"name\": \"r\", \"workspaces\": [\"packages/evil\"]}",
        "{\"name\": \"r\", \"dependencies\": {\"outside\": \"file:../outside\"}}",
        "{\"name\": \"r\", \"dependencies\": {\"outside\": \"file:packages/evil\"}}",
        "{\"name\": \"r\", \"dependencies\": {\"a\": \"file:packages/a/../../../outside\"}}",
        "{\"name\": \"r\", \"dependencies\": {\"a\": \"link:packages/a\"}}",
    };
    snprintf(p, sizeof p, "%s/package.json", proj);
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        write_file(p, refused[i]);
        arena a;
        arena_init(&a);
        vs_error err = { 0 };
        const json_value *man = NULL;
        ck_assert_int_eq(npm_manifest_read(&a, p, &man, &err), VSOLVE_OK);
        npm_tree t;
        int rc = npm_tree_build(&t, NULL, man, p, NULL, NULL, 0, &err);
        ck_assert_msg(rc == VSOLVE_EBADINPUT, "%s: rc %d %s", refused[i], rc, err.message);
        ck_assert_msg(!strstr(refused[i], "link:") || strstr(err.message, "Unsupported URL Type \"link:\": link:packages/a"),
                      "%s", err.message);
        npm_tree_free(&t);
        arena_free(&a);
    }
    /* inside the project, both are fine: a workspace and a file: dependency on it */
    write_file(p, "{\"name\": \"r\", \"workspaces\": [\"packages/*\", \"!packages/evil\"]}");
    arena a;
    arena_init(&a);
    vs_error err = { 0 };
    const json_value *man = NULL;
    ck_assert_int_eq(npm_manifest_read(&a, p, &man, &err), VSOLVE_OK);
    npm_tree t;
    ck_assert_msg(npm_tree_build(&t, NULL, man, p, NULL, NULL, 0, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(t.root->n_children, 1);
    ck_assert_str_eq(t.root->children[0]->location, "packages/a");
    ck_assert_str_eq(t.root->children[0]->link_location, "node_modules/a");
    npm_tree_free(&t);
    arena_free(&a);
    /* npm's own verdict on link: (tests/data/npm/link-dep) */
    snprintf(p, sizeof p, "%s/link-dep/npm-stderr.txt", test_source_path("tests/data/npm"));
    size_t len = 0;
    char *npm_says = test_read_file(p, &len);
    ck_assert_ptr_nonnull(npm_says);
    ck_assert_ptr_nonnull(strstr(npm_says, "Unsupported URL Type \"link:\": link:libs/core"));
    free(npm_says);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A workspace pattern that would walk for ever, or has too many segments, is refused with its
 * position; an ordinary "**" on the same tree is fine. */
START_TEST(workspace_glob_bounded)
{
    char dir[] = "/tmp/vsolve-wsglob-XXXXXX", cmd[8192], p[4200];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* a/a/a/... 24 deep: "**" then "a" twelve times splits those 24 levels in C(36,12) ways */
    size_t o = (size_t)snprintf(cmd, sizeof cmd, "mkdir -p '%s", dir);
    for (int i = 0; i < 24; i++)
        o += (size_t)snprintf(cmd + o, sizeof cmd - o, "/a");
    snprintf(cmd + o, sizeof cmd - o, "'");
    ck_assert_int_eq(system(cmd), 0);
    char deep[8192 + 32], segs65[400] = "";
    snprintf(deep, sizeof deep, "{\"name\": \"r\", \"workspaces\": [\"");
    for (int i = 0; i < 12; i++)
        strcat(deep, i ? "/**/a" : "**/a");
    strcat(deep, "\"]}");
    for (int i = 0; i < 65; i++)
        strcat(segs65, i ? "/s" : "s");
    char many[512];
    snprintf(many, sizeof many, "{\"name\": \"r\", \"workspaces\": [\"%s\"]}", segs65);
    const struct {
        const char *manifest, *says;
    } cases[] = {
        { deep, "visits more than 100000 directories" },
        { many, "1:30: expected a workspace pattern of at most 64 path segments" },
        { "{\"name\": \"r\", \"workspaces\": [\"**\"]}", NULL },
    };
    snprintf(p, sizeof p, "%s/package.json", dir);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_file(p, cases[i].manifest);
        arena a;
        arena_init(&a);
        vs_error err = { 0 };
        const json_value *man = NULL;
        ck_assert_int_eq(npm_manifest_read(&a, p, &man, &err), VSOLVE_OK);
        npm_tree t;
        int rc = npm_tree_build(&t, NULL, man, p, NULL, NULL, 0, &err);
        if (cases[i].says)
            ck_assert_msg(rc == VSOLVE_EBADINPUT && strstr(err.message, cases[i].says), "case %zu: rc %d %s", i, rc,
                          err.message);
        else
            ck_assert_msg(rc == VSOLVE_OK && t.root->n_children == 0, "case %zu: rc %d %s", i, rc, err.message);
        npm_tree_free(&t);
        arena_free(&a);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
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

/* ---- one rule per test: hand-written packuments served from memory ---- */

/* Packuments and manifests below are written with ' for " (none of them needs an apostrophe). */
static char *dq(const char *text)
{
    char *s = strdup(text);
    if (s)
        for (char *p = s; *p; p++)
            if (*p == '\'')
                *p = '"';
    return s;
}

typedef struct mem_pkg {
    const char *name, *doc;
} mem_pkg;

/* A loader over a { name, packument } table ending with { NULL, NULL }. */
static int mem_fetch(void *user, const char *name, char **data, size_t *len, char *where, size_t where_size,
                     vs_error *err)
{
    const mem_pkg *p = user;
    snprintf(where, where_size, "mem:%s.json", name);
    *data = NULL;
    for (; p->name; p++)
        if (!strcmp(p->name, name)) {
            if (!(*data = dq(p->doc)))
                return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            *len = strlen(*data);
            break;
        }
    return VSOLVE_OK;
}

typedef struct npm_fixture {
    arena a;
    npm_registry *reg;
    npm_tree t;
    vs_error err;
    int rc;
} npm_fixture;

/* Builds (and flags) the tree of MANIFEST over PKGS; the outcome is left in f->rc / f->err. */
static int fx_solve(npm_fixture *f, const mem_pkg *pkgs, const char *manifest, const npm_tree_options *opt)
{
    memset(f, 0, sizeof *f);
    arena_init(&f->a);
    f->reg = npm_registry_from_loader((npm_loader){ (void *)pkgs, mem_fetch, NULL }, &f->err);
    ck_assert_msg(f->reg != NULL, "%s", f->err.message);
    char *text = dq(manifest);
    ck_assert_ptr_nonnull(text);
    const json_value *man = json_parse(&f->a, "package.json", text, strlen(text), &f->err);
    free(text);
    ck_assert_msg(man != NULL, "test manifest: %s", f->err.message);
    f->rc = npm_tree_build(&f->t, f->reg, man, "package.json", opt, NULL, 0, &f->err);
    return f->rc;
}

static void fx_free(npm_fixture *f)
{
    npm_tree_free(&f->t);
    npm_registry_close(f->reg);
    arena_free(&f->a);
}

/* The tree as "location version[ flags]" lines in lock order, flags as the lock writes them. */
static char *tree_summary(const npm_tree *t)
{
    npm_node **nodes = NULL;
    size_t n = npm_tree_nodes(t, &nodes);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++) {
        const npm_node *x = nodes[i];
        fprintf(f, "%s %s%s%s%s%s\n", x->location, x->version ? x->version : "-", x->peer ? " peer" : "",
                x->dev ? " dev" : "", x->optional ? " optional" : "",
                x->dev_optional && !x->dev && !x->optional ? " devOptional" : "");
    }
    fclose(f);
    free(nodes);
    return buf;
}

/* Solves MANIFEST over PKGS, which must succeed, and returns the tree summary (malloc'd). */
static char *solved_tree(const mem_pkg *pkgs, const char *manifest, const npm_tree_options *opt)
{
    npm_fixture f;
    fx_solve(&f, pkgs, manifest, opt);
    ck_assert_msg(f.rc == VSOLVE_OK, "%s: %s", manifest, f.err.message);
    char *s = tree_summary(&f.t);
    fx_free(&f);
    return s;
}

#define ASSERT_TREE(pkgs, manifest, opt, expected)               \
    do {                                                         \
        char *got_ = solved_tree(pkgs, manifest, opt);           \
        ck_assert_str_eq(got_, expected);                        \
        free(got_);                                              \
    } while (0)

/* The lock of the tree (malloc'd text). */
static char *lock_text(const npm_tree *t, const char *registry_url)
{
    char *buf = NULL;
    size_t len = 0;
    vs_error err = { 0 };
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(npm_lock_write(f, t, registry_url, &err), VSOLVE_OK);
    fclose(f);
    return buf;
}

/* The text of one "packages" entry, from its key to its closing brace (malloc'd), or NULL. */
static char *lock_entry(const char *lock, const char *location)
{
    char key[512];
    snprintf(key, sizeof key, "\n    \"%s\": {\n", location);
    const char *s = strstr(lock, key);
    if (!s)
        return NULL;
    s += 5;
    const char *e = strstr(s, "\n    }");
    ck_assert_ptr_nonnull(e);
    return strndup(s, (size_t)(e - s) + 6);
}

static const mem_pkg tag_pkgs[] = {
    { "lib", "{'name': 'lib', 'dist-tags': {'latest': '1.2.0', 'next': '1.3.0-beta'}, 'versions': {"
             "'1.2.0': {'name': 'lib', 'version': '1.2.0'},"
             "'1.3.0-beta': {'name': 'lib', 'version': '1.3.0-beta'},"
             "'1.4.0': {'name': 'lib', 'version': '1.4.0'}}}" },
    { "old", "{'name': 'old', 'dist-tags': {'latest': '2.0.0'}, 'versions': {"
             "'1.0.0': {'name': 'old', 'version': '1.0.0'},"
             "'1.5.0': {'name': 'old', 'version': '1.5.0'},"
             "'2.0.0': {'name': 'old', 'version': '2.0.0'}}}" },
    { NULL, NULL }
};

/* npm-pick-manifest: the latest dist-tag wins when it satisfies the range, even below the
 * highest match; otherwise the highest match wins; a tag as spec takes the tagged version. */
START_TEST(pick_latest_tag)
{
    ASSERT_TREE(tag_pkgs, "{'name': 'root', 'dependencies': {'lib': '^1.0.0'}}", NULL,
                "node_modules/lib 1.2.0\n");
    ASSERT_TREE(tag_pkgs, "{'name': 'root', 'dependencies': {'lib': '^1.3.0'}}", NULL,
                "node_modules/lib 1.4.0\n");
    ASSERT_TREE(tag_pkgs, "{'name': 'root', 'dependencies': {'old': '^1.0.0'}}", NULL,
                "node_modules/old 1.5.0\n");
    ASSERT_TREE(tag_pkgs, "{'name': 'root', 'dependencies': {'lib': 'next'}}", NULL,
                "node_modules/lib 1.3.0-beta\n");
    ASSERT_TREE(tag_pkgs, "{'name': 'root', 'dependencies': {'lib': '*'}}", NULL, "node_modules/lib 1.2.0\n");
}
END_TEST

static const mem_pkg engine_pkgs[] = {
    { "eng", "{'name': 'eng', 'dist-tags': {'latest': '1.2.0'}, 'versions': {"
             "'1.0.0': {'name': 'eng', 'version': '1.0.0', 'engines': {'node': '>=14'}},"
             "'1.1.0': {'name': 'eng', 'version': '1.1.0', 'engines': {'node': '>=22'}},"
             "'1.2.0': {'name': 'eng', 'version': '1.2.0', 'engines': {'node': '>=14', 'npm': '>=12'}}}}" },
    { "none", "{'name': 'none', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
              "'1.0.0': {'name': 'none', 'version': '1.0.0', 'engines': {'node': '>=30'}},"
              "'1.1.0': {'name': 'none', 'version': '1.1.0', 'engines': {'node': '>=31'}}}}" },
    { NULL, NULL }
};

/* engines.node / engines.npm against the assumed versions (20.20.2 / 11.19.1 by default):
 * a version they exclude loses to an older one that fits, even when it is `latest`; when
 * every version is excluded, the highest is still chosen (npm only warns). */
START_TEST(pick_engines)
{
    const char *man = "{'name': 'root', 'dependencies': {'eng': '^1.0.0'}}";
    ASSERT_TREE(engine_pkgs, man, NULL, "node_modules/eng 1.0.0\n");
    npm_tree_options node22 = { "22.1.0", NULL, 0, 0, 0, 0 }, npm12 = { "22.1.0", "12.0.0", 0, 0, 0, 0 };
    ASSERT_TREE(engine_pkgs, man, &node22, "node_modules/eng 1.1.0\n");
    ASSERT_TREE(engine_pkgs, man, &npm12, "node_modules/eng 1.2.0\n");
    ASSERT_TREE(engine_pkgs, "{'name': 'root', 'dependencies': {'none': '^1.0.0'}}", NULL,
                "node_modules/none 1.1.0\n");
}
END_TEST

static const mem_pkg deprecated_pkgs[] = {
    { "dep", "{'name': 'dep', 'dist-tags': {'latest': '1.1.0'}, 'versions': {"
             "'1.0.0': {'name': 'dep', 'version': '1.0.0'},"
             "'1.1.0': {'name': 'dep', 'version': '1.1.0', 'deprecated': 'broken, use 1.0.0'},"
             "'2.0.0': {'name': 'dep', 'version': '2.0.0'}}}" },
    { "all", "{'name': 'all', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
             "'1.0.0': {'name': 'all', 'version': '1.0.0', 'deprecated': 'gone'},"
             "'1.1.0': {'name': 'all', 'version': '1.1.0', 'deprecated': 'gone'}}}" },
    { "mix", "{'name': 'mix', 'dist-tags': {'latest': '1.1.0'}, 'versions': {"
             "'1.0.0': {'name': 'mix', 'version': '1.0.0', 'deprecated': 'old'},"
             "'1.1.0': {'name': 'mix', 'version': '1.1.0', 'engines': {'node': '>=30'}}}}" },
    { NULL, NULL }
};

/* deprecated: a deprecated version (here `latest`) loses to a non-deprecated match; with all
 * deprecated the highest wins; a fitting engine counts more than not being deprecated. */
START_TEST(pick_deprecated)
{
    ASSERT_TREE(deprecated_pkgs, "{'name': 'root', 'dependencies': {'dep': '^1.0.0'}}", NULL,
                "node_modules/dep 1.0.0\n");
    ASSERT_TREE(deprecated_pkgs, "{'name': 'root', 'dependencies': {'all': '^1.0.0'}}", NULL,
                "node_modules/all 1.1.0\n");
    ASSERT_TREE(deprecated_pkgs, "{'name': 'root', 'dependencies': {'mix': '^1.0.0'}}", NULL,
                "node_modules/mix 1.0.0\n");
}
END_TEST

static const mem_pkg optional_pkgs[] = {
    { "a", "{'name': 'a', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'a', 'version': '1.0.0', 'optionalDependencies': {'a-native': '^2.0.0'}}}}" },
    { "a-native", "{'name': 'a-native', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
                  "'1.0.0': {'name': 'a-native', 'version': '1.0.0'}}}" },
    { "old", "{'name': 'old', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
             "'1.0.0': {'name': 'old', 'version': '1.0.0'}}}" },
    { "needs-old", "{'name': 'needs-old', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
                   "'1.0.0': {'name': 'needs-old', 'version': '1.0.0', 'dependencies': {'old': '^5.0.0'}}}}" },
    { "wants", "{'name': 'wants', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
               "'1.0.0': {'name': 'wants', 'version': '1.0.0', 'dependencies': {'needs-old': '^1.0.0'}}}}" },
    { NULL, NULL }
};

/* An optional dependency without a matching version (or package) is dropped silently, at the
 * root and below it; a required one is VSOLVE_UNSAT naming the package, range and dependent. */
START_TEST(optional_unresolvable)
{
    npm_fixture f;
    fx_solve(&f, optional_pkgs,
             "{'name': 'root', 'dependencies': {'a': '^1.0.0'},"
             " 'optionalDependencies': {'ghost': '^1.0.0', 'old': '^5.0.0'}}", NULL);
    ck_assert_msg(f.rc == VSOLVE_OK, "%s", f.err.message);
    char *s = tree_summary(&f.t);
    ck_assert_str_eq(s, "node_modules/a 1.0.0\n");
    free(s);
    char *lock = lock_text(&f.t, NULL);
    ck_assert_ptr_null(strstr(lock, "node_modules/ghost"));
    ck_assert_ptr_null(strstr(lock, "node_modules/old"));
    ck_assert_ptr_null(strstr(lock, "node_modules/a-native"));
    free(lock);
    fx_free(&f);

    fx_solve(&f, optional_pkgs, "{'name': 'root', 'dependencies': {'a': '^1.0.0', 'old': '^5.0.0'}}", NULL);
    ck_assert_int_eq(f.rc, VSOLVE_UNSAT);
    ck_assert_str_eq(f.err.message, "no version of old matches \"^5.0.0\" (needed by package.json)");
    fx_free(&f);

    fx_solve(&f, optional_pkgs, "{'name': 'root', 'dependencies': {'ghost': '^1.0.0'}}", NULL);
    ck_assert_int_eq(f.rc, VSOLVE_UNSAT);
    ck_assert_msg(strstr(f.err.message, "ghost") && strstr(f.err.message, "\"^1.0.0\""), "%s", f.err.message);
    fx_free(&f);

    fx_solve(&f, optional_pkgs, "{'name': 'root', 'dependencies': {'needs-old': '^1.0.0'}}", NULL);
    ck_assert_int_eq(f.rc, VSOLVE_UNSAT);
    ck_assert_str_eq(f.err.message, "no version of old matches \"^5.0.0\" (needed by node_modules/needs-old@1.0.0)");
    fx_free(&f);
}
END_TEST

/* arborist's pruneFailedOptional, as npm 11 does it: a required dependency that cannot be had
 * below an optional package only fails that optional subtree. The optional package stays in
 * the lock (npm does not install it), the missing one is left out; when a required package
 * also needs the failing one, it is an error again. */
START_TEST(optional_subtree_failure)
{
    npm_fixture f;
    fx_solve(&f, optional_pkgs, "{'name': 'root', 'dependencies': {'a': '^1.0.0'},"
                                " 'optionalDependencies': {'needs-old': '^1.0.0'}}", NULL);
    ck_assert_msg(f.rc == VSOLVE_OK, "%s", f.err.message);
    char *s = tree_summary(&f.t);
    ck_assert_str_eq(s, "node_modules/a 1.0.0\n"
                        "node_modules/needs-old 1.0.0 optional\n");
    free(s);
    fx_free(&f);

    fx_solve(&f, optional_pkgs, "{'name': 'root', 'dependencies': {'wants': '^1.0.0'},"
                                " 'optionalDependencies': {'needs-old': '^1.0.0'}}", NULL);
    ck_assert_int_eq(f.rc, VSOLVE_UNSAT);
    ck_assert_str_eq(f.err.message, "no version of old matches \"^5.0.0\" (needed by node_modules/needs-old@1.0.0)");
    fx_free(&f);
}
END_TEST

static const mem_pkg peer_pkgs[] = {
    { "plugin", "{'name': 'plugin', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
                "'1.0.0': {'name': 'plugin', 'version': '1.0.0', 'peerDependencies': {'host': '^2.0.0'}}}}" },
    { "host", "{'name': 'host', 'dist-tags': {'latest': '2.1.0'}, 'versions': {"
              "'1.0.0': {'name': 'host', 'version': '1.0.0'},"
              "'2.0.0': {'name': 'host', 'version': '2.0.0'},"
              "'2.1.0': {'name': 'host', 'version': '2.1.0'}}}" },
    { "wrapper", "{'name': 'wrapper', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
                 "'1.0.0': {'name': 'wrapper', 'version': '1.0.0', 'dependencies': {'plugin': '^1.0.0'}}}}" },
    { "plugin-opt", "{'name': 'plugin-opt', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
                    "'1.0.0': {'name': 'plugin-opt', 'version': '1.0.0',"
                    " 'peerDependencies': {'host': '^2.0.0', 'extra': '^1.0.0'},"
                    " 'peerDependenciesMeta': {'extra': {'optional': true}}}}}" },
    { "extra", "{'name': 'extra', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
               "'1.0.0': {'name': 'extra', 'version': '1.0.0'}}}" },
    { NULL, NULL }
};

/* peerDependencies: the peer goes beside its dependent (at the top, or nested with it as a set
 * when the top holds an incompatible copy) and is flagged peer; an optional peer
 * (peerDependenciesMeta) is installed only when something else needs it. */
START_TEST(peer_dependencies)
{
    ASSERT_TREE(peer_pkgs, "{'name': 'root', 'dependencies': {'plugin': '^1.0.0'}}", NULL,
                "node_modules/host 2.1.0 peer\n"
                "node_modules/plugin 1.0.0\n");
    ASSERT_TREE(peer_pkgs, "{'name': 'root', 'dependencies': {'host': '^1.0.0', 'wrapper': '^1.0.0'}}", NULL,
                "node_modules/host 1.0.0\n"
                "node_modules/wrapper 1.0.0\n"
                "node_modules/wrapper/node_modules/host 2.1.0 peer\n"
                "node_modules/wrapper/node_modules/plugin 1.0.0\n");
    /* the root's own compatible copy serves the peer */
    ASSERT_TREE(peer_pkgs, "{'name': 'root', 'dependencies': {'host': '~2.0.0', 'plugin': '^1.0.0'}}", NULL,
                "node_modules/host 2.0.0\n"
                "node_modules/plugin 1.0.0\n");
    ASSERT_TREE(peer_pkgs, "{'name': 'root', 'dependencies': {'plugin-opt': '^1.0.0'}}", NULL,
                "node_modules/host 2.1.0 peer\n"
                "node_modules/plugin-opt 1.0.0\n");
    ASSERT_TREE(peer_pkgs, "{'name': 'root', 'dependencies': {'plugin-opt': '^1.0.0', 'extra': '^1.0.0'}}", NULL,
                "node_modules/extra 1.0.0\n"
                "node_modules/host 2.1.0 peer\n"
                "node_modules/plugin-opt 1.0.0\n");
}
END_TEST

static const mem_pkg placement_pkgs[] = {
    { "a", "{'name': 'a', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'a', 'version': '1.0.0', 'dependencies': {'c': '^1.0.0'}}}}" },
    { "b", "{'name': 'b', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'b', 'version': '1.0.0', 'dependencies': {'c': '^2.0.0'}}}}" },
    { "c", "{'name': 'c', 'dist-tags': {'latest': '2.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'c', 'version': '1.0.0'},"
           "'2.0.0': {'name': 'c', 'version': '2.0.0'}}}" },
    { "p", "{'name': 'p', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'p', 'version': '1.0.0', 'dependencies': {'u': '~1.0.0'}}}}" },
    { "q", "{'name': 'q', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'q', 'version': '1.0.0', 'dependencies': {'u': '^1.0.0'}}}}" },
    { "u", "{'name': 'u', 'dist-tags': {'latest': '1.2.0'}, 'versions': {"
           "'1.0.0': {'name': 'u', 'version': '1.0.0'},"
           "'1.1.0': {'name': 'u', 'version': '1.1.0'},"
           "'1.2.0': {'name': 'u', 'version': '1.2.0'}}}" },
    { NULL, NULL }
};

/* placement: breadth-first, first come first hoisted: of two incompatible versions the one
 * placed first goes to the top and the other is nested under its dependent (the root's own
 * dependencies come first); a visible copy that satisfies the range is reused, not upgraded. */
START_TEST(placement_hoist_nest_dedupe)
{
    ASSERT_TREE(placement_pkgs, "{'name': 'root', 'dependencies': {'a': '^1.0.0', 'b': '^1.0.0'}}", NULL,
                "node_modules/a 1.0.0\n"
                "node_modules/b 1.0.0\n"
                "node_modules/b/node_modules/c 2.0.0\n"
                "node_modules/c 1.0.0\n");
    /* the root's own copy stays at the top, whichever version is higher */
    ASSERT_TREE(placement_pkgs, "{'name': 'root', 'dependencies': {'c': '^1.0.0', 'b': '^1.0.0'}}", NULL,
                "node_modules/b 1.0.0\n"
                "node_modules/b/node_modules/c 2.0.0\n"
                "node_modules/c 1.0.0\n");
    ASSERT_TREE(placement_pkgs, "{'name': 'root', 'dependencies': {'c': '^2.0.0', 'a': '^1.0.0'}}", NULL,
                "node_modules/a 1.0.0\n"
                "node_modules/a/node_modules/c 1.0.0\n"
                "node_modules/c 2.0.0\n");
    ASSERT_TREE(placement_pkgs, "{'name': 'root', 'dependencies': {'p': '^1.0.0', 'q': '^1.0.0'}}", NULL,
                "node_modules/p 1.0.0\n"
                "node_modules/q 1.0.0\n"
                "node_modules/u 1.0.0\n");
    ASSERT_TREE(placement_pkgs, "{'name': 'root', 'dependencies': {'p': '^1.0.0', 'u': '^1.0.0'}}", NULL,
                "node_modules/p 1.0.0\n"
                "node_modules/p/node_modules/u 1.0.0\n"
                "node_modules/u 1.2.0\n");
}
END_TEST

static const mem_pkg flag_pkgs[] = {
    { "a", "{'name': 'a', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'a', 'version': '1.0.0', 'dependencies': {'shared': '^1.0.0'}}}}" },
    { "t", "{'name': 't', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 't', 'version': '1.0.0',"
           " 'dependencies': {'tdep': '^1.0.0', 'shared': '^1.0.0', 'both': '^1.0.0'}}}}" },
    { "o", "{'name': 'o', 'dist-tags': {'latest': '1.0.0'}, 'versions': {"
           "'1.0.0': {'name': 'o', 'version': '1.0.0', 'dependencies': {'both': '^1.0.0', 'odep': '^1.0.0'}}}}" },
    { "tdep", "{'name': 'tdep', 'versions': {'1.0.0': {'name': 'tdep', 'version': '1.0.0'}}}" },
    { "shared", "{'name': 'shared', 'versions': {'1.0.0': {'name': 'shared', 'version': '1.0.0'}}}" },
    { "both", "{'name': 'both', 'versions': {'1.0.0': {'name': 'both', 'version': '1.0.0'}}}" },
    { "odep", "{'name': 'odep', 'versions': {'1.0.0': {'name': 'odep', 'version': '1.0.0'}}}" },
    { NULL, NULL }
};

static const char flag_manifest[] = "{'name': 'root', 'version': '1.0.0', 'dependencies': {'a': '^1.0.0'},"
                                    " 'devDependencies': {'t': '^1.0.0'}, 'optionalDependencies': {'o': '^1.0.0'}}";

/* calcDepFlags: what only the root's devDependencies pull in is dev, what only optional edges
 * reach is optional, what both (but no production path) reach is devOptional; a package also
 * reachable through production edges has no flag. */
START_TEST(dev_optional_flags)
{
    npm_fixture f;
    fx_solve(&f, flag_pkgs, flag_manifest, NULL);
    ck_assert_msg(f.rc == VSOLVE_OK, "%s", f.err.message);
    char *s = tree_summary(&f.t);
    ck_assert_str_eq(s, "node_modules/a 1.0.0\n"
                        "node_modules/both 1.0.0 devOptional\n"
                        "node_modules/o 1.0.0 optional\n"
                        "node_modules/odep 1.0.0 optional\n"
                        "node_modules/shared 1.0.0\n"
                        "node_modules/t 1.0.0 dev\n"
                        "node_modules/tdep 1.0.0 dev\n");
    free(s);
    char *lock = lock_text(&f.t, NULL);
    char *e = lock_entry(lock, "node_modules/t");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "\"node_modules/t\": {\n"
                        "      \"version\": \"1.0.0\",\n"
                        "      \"dev\": true,\n"
                        "      \"dependencies\": {\n"
                        "        \"both\": \"^1.0.0\",\n"
                        "        \"shared\": \"^1.0.0\",\n"
                        "        \"tdep\": \"^1.0.0\"\n"
                        "      }\n"
                        "    }");
    free(e);
    e = lock_entry(lock, "node_modules/both");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "\"node_modules/both\": {\n"
                        "      \"version\": \"1.0.0\",\n"
                        "      \"devOptional\": true\n"
                        "    }");
    free(e);
    e = lock_entry(lock, "node_modules/shared");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "\"node_modules/shared\": {\n"
                        "      \"version\": \"1.0.0\"\n"
                        "    }");
    free(e);
    free(lock);
    fx_free(&f);
}
END_TEST

static const mem_pkg lock_pkgs[] = {
    { "k", "{'name': 'k', 'dist-tags': {'latest': '1.0.0'}, 'versions': {'1.0.0': {'name': 'k', 'version': '1.0.0',"
           " 'peerDependencies': {'p1': '^1.0.0'}, 'optionalDependencies': {'o1': '^1.0.0'},"
           " 'funding': 'https://example.org/fund', 'os': ['linux'], 'cpu': ['x64'], 'bin': './cli.js',"
           " 'license': 'MIT', 'engines': {'node': '>=18'}, 'dependencies': {'d1': '^1.0.0'},"
           " 'deprecated': 'use k2', 'description': 'not in the lock',"
           " 'scripts': {'test': 'tap', 'postinstall': 'node setup.js'},"
           " 'dist': {'tarball': '@REGISTRY@/k/-/k-1.0.0.tgz', 'integrity': 'sha512-AAAA',"
           " 'shasum': '0000000000000000000000000000000000000000'}}}}" },
    { "d1", "{'name': 'd1', 'versions': {'1.0.0': {'name': 'd1', 'version': '1.0.0',"
            " 'dist': {'shasum': '0123456789abcdef0123456789abcdef01234567'}}}}" },
    { "p1", "{'name': 'p1', 'versions': {'1.0.0': {'name': 'p1', 'version': '1.0.0'}}}" },
    { "o1", "{'name': 'o1', 'versions': {'1.0.0': {'name': 'o1', 'version': '1.0.0'}}}" },
    { NULL, NULL }
};

/* The same packuments with every object's members in another order. */
static const mem_pkg lock_pkgs_shuffled[] = {
    { "k", "{'versions': {'1.0.0': {'dist': {'shasum': '0000000000000000000000000000000000000000',"
           " 'integrity': 'sha512-AAAA', 'tarball': '@REGISTRY@/k/-/k-1.0.0.tgz'},"
           " 'scripts': {'postinstall': 'node setup.js', 'test': 'tap'}, 'description': 'not in the lock',"
           " 'deprecated': 'use k2', 'dependencies': {'d1': '^1.0.0'}, 'engines': {'node': '>=18'},"
           " 'license': 'MIT', 'bin': './cli.js', 'cpu': ['x64'], 'os': ['linux'],"
           " 'funding': 'https://example.org/fund', 'optionalDependencies': {'o1': '^1.0.0'},"
           " 'peerDependencies': {'p1': '^1.0.0'}, 'version': '1.0.0', 'name': 'k'}},"
           " 'dist-tags': {'latest': '1.0.0'}, 'name': 'k'}" },
    { "d1", "{'versions': {'1.0.0': {'dist': {'shasum': '0123456789abcdef0123456789abcdef01234567'},"
            " 'version': '1.0.0', 'name': 'd1'}}, 'name': 'd1'}" },
    { "p1", "{'versions': {'1.0.0': {'version': '1.0.0', 'name': 'p1'}}, 'name': 'p1'}" },
    { "o1", "{'versions': {'1.0.0': {'version': '1.0.0', 'name': 'o1'}}, 'name': 'o1'}" },
    { NULL, NULL }
};

static char *solved_lock(const mem_pkg *pkgs, const char *manifest, const char *registry_url)
{
    npm_fixture f;
    fx_solve(&f, pkgs, manifest, NULL);
    ck_assert_msg(f.rc == VSOLVE_OK, "%s", f.err.message);
    char *lock = lock_text(&f.t, registry_url);
    fx_free(&f);
    return lock;
}

/* package-lock.json: the header, the root entry and one entry with most fields in npm's key
 * order (preferred keys, then scalars and arrays, then objects, each in "en" locale order);
 * "resolved" only with a registry URL; sha1 shasum as integrity; two runs and a reordered
 * input give the same bytes. */
START_TEST(lock_key_order_deterministic)
{
    const char *man = "{'version': '1.0.0', 'name': 'root', 'devDependencies': {'kk': 'npm:k@^1.0.0', 'k': '^1.0.0'}}";
    const char *url = "https://registry.example.org/";
    char *lock = solved_lock(lock_pkgs, man, url);
    const char *head = "{\n"
                       "  \"name\": \"root\",\n"
                       "  \"version\": \"1.0.0\",\n"
                       "  \"lockfileVersion\": 3,\n"
                       "  \"requires\": true,\n"
                       "  \"packages\": {\n"
                       "    \"\": {\n"
                       "      \"name\": \"root\",\n"
                       "      \"version\": \"1.0.0\",\n"
                       "      \"devDependencies\": {\n"
                       "        \"k\": \"^1.0.0\",\n"
                       "        \"kk\": \"npm:k@^1.0.0\"\n"
                       "      }\n"
                       "    },\n";
    ck_assert_msg(!strncmp(lock, head, strlen(head)), "lock header:\n%s", lock);
    size_t len = strlen(lock), tail = strlen("\n    }\n  }\n}\n");
    ck_assert(len > tail && !strcmp(lock + len - tail, "\n    }\n  }\n}\n"));
    const char *k_entry = "\"node_modules/k\": {\n"
                          "      \"version\": \"1.0.0\",\n"
                          "      \"resolved\": \"https://registry.example.org/k/-/k-1.0.0.tgz\",\n"
                          "      \"integrity\": \"sha512-AAAA\",\n"
                          "      \"cpu\": [\n"
                          "        \"x64\"\n"
                          "      ],\n"
                          "      \"deprecated\": \"use k2\",\n"
                          "      \"dev\": true,\n"
                          "      \"hasInstallScript\": true,\n"
                          "      \"license\": \"MIT\",\n"
                          "      \"os\": [\n"
                          "        \"linux\"\n"
                          "      ],\n"
                          "      \"dependencies\": {\n"
                          "        \"d1\": \"^1.0.0\"\n"
                          "      },\n"
                          "      \"bin\": {\n"
                          "        \"k\": \"cli.js\"\n"
                          "      },\n"
                          "      \"engines\": {\n"
                          "        \"node\": \">=18\"\n"
                          "      },\n"
                          "      \"funding\": {\n"
                          "        \"url\": \"https://example.org/fund\"\n"
                          "      },\n"
                          "      \"optionalDependencies\": {\n"
                          "        \"o1\": \"^1.0.0\"\n"
                          "      },\n"
                          "      \"peerDependencies\": {\n"
                          "        \"p1\": \"^1.0.0\"\n"
                          "      }\n"
                          "    }";
    char *e = lock_entry(lock, "node_modules/k");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, k_entry);
    free(e);
    /* an alias: its own folder, "name" first */
    e = lock_entry(lock, "node_modules/kk");
    ck_assert_ptr_nonnull(e);
    const char *alias = "\"node_modules/kk\": {\n      \"name\": \"k\",\n      \"version\": \"1.0.0\",\n";
    ck_assert_msg(!strncmp(e, alias, strlen(alias)), "%s", e);
    free(e);
    e = lock_entry(lock, "node_modules/d1");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "\"node_modules/d1\": {\n"
                        "      \"version\": \"1.0.0\",\n"
                        "      \"integrity\": \"sha1-ASNFZ4mrze8BI0VniavN7wEjRWc=\",\n"
                        "      \"dev\": true\n"
                        "    }");
    free(e);
    e = lock_entry(lock, "node_modules/o1");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "\"node_modules/o1\": {\n"
                        "      \"version\": \"1.0.0\",\n"
                        "      \"dev\": true,\n"
                        "      \"optional\": true\n"
                        "    }");
    free(e);
    e = lock_entry(lock, "node_modules/p1");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "\"node_modules/p1\": {\n"
                        "      \"version\": \"1.0.0\",\n"
                        "      \"dev\": true,\n"
                        "      \"peer\": true\n"
                        "    }");
    free(e);

    /* without a registry URL: the same entry less "resolved" */
    char *plain = solved_lock(lock_pkgs, man, NULL);
    e = lock_entry(plain, "node_modules/k");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_null(strstr(plain, "\"resolved\""));
    const char *res = strstr(k_entry, "      \"resolved\"");
    const char *res_end = strchr(res, '\n') + 1;
    char expect[2048];
    snprintf(expect, sizeof expect, "%.*s%s", (int)(res - k_entry), k_entry, res_end);
    ck_assert_str_eq(e, expect);
    free(e);
    free(plain);

    /* deterministic: a second run, and the input with every object reordered, give the same bytes */
    char *again = solved_lock(lock_pkgs, man, url);
    ck_assert_str_eq(again, lock);
    free(again);
    const char *man2 = "{'devDependencies': {'k': '^1.0.0', 'kk': 'npm:k@^1.0.0'}, 'name': 'root', 'version': '1.0.0'}";
    char *shuffled = solved_lock(lock_pkgs_shuffled, man2, url);
    ck_assert_str_eq(shuffled, lock);
    free(shuffled);
    free(lock);
}
END_TEST

Suite *npm_suite(void)
{
    Suite *s = suite_create("npm");
    TCase *tc = tcase_create("npm");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, locale_order);
    tcase_add_test(tc, pick_latest_tag);
    tcase_add_test(tc, pick_engines);
    tcase_add_test(tc, pick_deprecated);
    tcase_add_test(tc, optional_unresolvable);
    tcase_add_test(tc, optional_subtree_failure);
    tcase_add_test(tc, peer_dependencies);
    tcase_add_test(tc, placement_hoist_nest_dedupe);
    tcase_add_test(tc, dev_optional_flags);
    tcase_add_test(tc, lock_key_order_deterministic);
    tcase_add_test(tc, malformed_inputs);
    tcase_add_test(tc, corpus_projects);
    tcase_add_test(tc, feature_projects);
    tcase_add_test(tc, override_rules);
    tcase_add_test(tc, peer_conflicts);
    tcase_add_test(tc, links_confined);
    tcase_add_test(tc, workspace_glob_bounded);
    tcase_add_test(tc, resolve_peers);
    suite_add_tcase(s, tc);
    return s;
}
