/* test_api.c: the public API's newer calls: the header/library version check, a result's
 * attributes (parsed and from the cache's separate part) and dependencies (rows), the project
 * options, the lock verb's three destinations against the 0.1 calls, and results that borrow
 * from a context that moved on. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "json.h"
#include "testutil.h"
#include "vsolve.h"

START_TEST(version_check)
{
    ck_assert_uint_eq(vsolve_vernum(), VSOLVE_VERNUM);
    ck_assert_str_eq(vsolve_version(), VSOLVE_VERSION_STRING);
    ck_assert_int_eq(vsolve_check_version(VSOLVE_VERNUM, sizeof(vsolve_project_options)), VSOLVE_OK);
    ck_assert_int_eq(vsolve_check_version(VSOLVE_VERNUM & ~0xffUL, sizeof(vsolve_project_options)), VSOLVE_OK);
    ck_assert_int_eq(vsolve_check_version(VSOLVE_VERNUM + 0x10000, sizeof(vsolve_project_options)), VSOLVE_EVERSION);
    ck_assert_int_eq(vsolve_check_version(VSOLVE_VERNUM + 0x100, sizeof(vsolve_project_options)), VSOLVE_EVERSION);
    ck_assert_int_eq(vsolve_check_version(VSOLVE_VERNUM, sizeof(vsolve_project_options) + 8), VSOLVE_EVERSION);
    vsolve_project_options o;
    memset(&o, 0xff, sizeof o);
    vsolve_project_options_init(&o);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_ptr_null(o.registry);
    /* a struct from another header is refused */
    vsolve_ctx *ctx = vsolve_new();
    vsolve_result *r = (vsolve_result *)&o;
    o.size = 8;
    o.registry = o.manifest = "x";
    ck_assert_int_eq(vsolve_solve_project(ctx, VSOLVE_CARGO, &o, &r), VSOLVE_EUSAGE);
    ck_assert_ptr_null(r);
    vsolve_free(ctx);
}
END_TEST

/* Every row's deps are rows, ascending, not itself. Returns the number of edges. */
static size_t check_deps(const vsolve_result *r)
{
    size_t total = 0;
    for (size_t i = 0; i < vsolve_result_count(r); i++) {
        const size_t *d;
        size_t n = vsolve_result_deps(r, i, &d);
        ck_assert(n == 0 ? d == NULL : d != NULL);
        for (size_t k = 0; k < n; k++) {
            ck_assert_uint_lt(d[k], vsolve_result_count(r));
            ck_assert_uint_ne(d[k], i);
            ck_assert(k == 0 || d[k] > d[k - 1]);
        }
        total += n;
    }
    const size_t *d;
    ck_assert_uint_eq(vsolve_result_deps(r, vsolve_result_count(r), &d), 0);
    ck_assert_ptr_null(d);
    return total;
}

static const char *row_attr(const vsolve_result *r, size_t i, const char *key, size_t k)
{
    const char *v = (const char *)1;
    ck_assert_int_eq(vsolve_result_attr(r, i, key, k, &v), VSOLVE_OK);
    return v;
}

static size_t row_of(const vsolve_result *r, const char *name)
{
    for (size_t i = 0; i < vsolve_result_count(r); i++)
        if (!strcmp(vsolve_result_name(r, i), name))
            return i;
    ck_abort_msg("%s not in the result", name);
    return 0;
}

START_TEST(opam_attributes_and_deps)
{
    char cache[] = "/tmp/vsolve-api-cache-XXXXXX";
    int fd = mkstemp(cache);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const char *atoms[] = { "mirage", "cstruct>=6.2" };
    /* parsed and written to the cache; then read from the cache: the same rows, deps, attributes */
    vsolve_result *r[2];
    vsolve_ctx *ctx[2];
    for (int pass = 0; pass < 2; pass++) {
        ctx[pass] = vsolve_new();
        ck_assert_int_eq(vsolve_set_cache(ctx[pass], cache, pass ? VSOLVE_CACHE_USE : VSOLVE_CACHE_REFRESH), VSOLVE_OK);
        ck_assert_msg(vsolve_load_opam(ctx[pass], test_source_path("corpora/mirage-mini")) == VSOLVE_OK, "%s",
                      vsolve_errmsg(ctx[pass]));
        if (pass)
            ck_assert_msg(!strncmp(vsolve_cache_status(ctx[pass]), "read ", 5), "%s", vsolve_cache_status(ctx[pass]));
        ck_assert_int_eq(vsolve_solve(ctx[pass], atoms, 2, &r[pass]), VSOLVE_OK);
        ck_assert_uint_gt(check_deps(r[pass]), vsolve_result_count(r[pass]) / 2);
    }
    ck_assert_uint_eq(vsolve_result_count(r[0]), vsolve_result_count(r[1]));
    size_t cs = row_of(r[1], "cstruct");
    ck_assert_str_eq(vsolve_result_version(r[1], cs), "6.2.0");
    ck_assert_str_eq(row_attr(r[1], cs, "url", 0),
                     "https://github.com/mirage/ocaml-cstruct/releases/download/v6.2.0/cstruct-6.2.0.tbz");
    ck_assert_str_eq(row_attr(r[1], cs, "checksum", 0),
                     "sha256=805b7a7029e93682bbd5f94153503f3ed6c17a2ed69976336393f9b6d5244fe3");
    ck_assert_ptr_null(row_attr(r[1], cs, "checksum", 1));
    ck_assert_ptr_null(row_attr(r[1], cs, "no-such-key", 0));
    /* mirage depends on something, and what it depends on is in the result */
    const size_t *d;
    ck_assert_uint_gt(vsolve_result_deps(r[1], row_of(r[1], "mirage"), &d), 0);
    static const char *const keys[] = { "url", "checksum", "mirror", "dev-repo", "homepage", "license", "depext",
                                        "builds-with-dune" };
    for (size_t i = 0; i < vsolve_result_count(r[0]); i++) {
        ck_assert_str_eq(vsolve_result_name(r[0], i), vsolve_result_name(r[1], i));
        const size_t *d0, *d1;
        size_t n0 = vsolve_result_deps(r[0], i, &d0), n1 = vsolve_result_deps(r[1], i, &d1);
        ck_assert_uint_eq(n0, n1);
        ck_assert(n0 == 0 || memcmp(d0, d1, n0 * sizeof *d0) == 0);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            for (size_t j = 0; j < 4; j++) {
                const char *a = row_attr(r[0], i, keys[k], j), *b = row_attr(r[1], i, keys[k], j);
                ck_assert((a == NULL) == (b == NULL));
                if (a)
                    ck_assert_str_eq(a, b);
            }
        ck_assert_ptr_nonnull(row_attr(r[0], i, "builds-with-dune", 0));
    }
    /* misuse */
    const char *v;
    ck_assert_int_eq(vsolve_result_attr(r[0], vsolve_result_count(r[0]), "url", 0, &v), VSOLVE_EUSAGE);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(vsolve_result_attr(r[0], 0, NULL, 0, &v), VSOLVE_EUSAGE);
    ck_assert_ptr_null(vsolve_result_path(r[0], 0));
    /* an opam result has no lock format yet */
    char *buf = (char *)1;
    size_t len = 1;
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx[0], r[0], VSOLVE_LOCK_CARGO, &buf, &len), VSOLVE_EUSAGE);
    ck_assert_ptr_null(buf);
    ck_assert_uint_eq(len, 0);
    for (int pass = 0; pass < 2; pass++) {
        vsolve_result_free(r[pass]);
        vsolve_free(ctx[pass]);
    }
    unlink(cache);
}
END_TEST

typedef struct collected {
    char *text;
    size_t len;
    int calls, fail;
} collected;

static int collect(void *user, const char *data, size_t len)
{
    collected *c = user;
    c->calls++;
    if (c->fail)
        return 1;
    c->text = realloc(c->text, c->len + len + 1);
    memcpy(c->text + c->len, data, len);
    c->len += len;
    c->text[c->len] = '\0';
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

/* The lock of r in format through the three destinations and the 0.1 call: all equal. */
static char *three_ways(vsolve_ctx *ctx, const vsolve_result *r, int format, const char *dir,
                        int (*old)(vsolve_ctx *, const char *, const char *), const char *url)
{
    char *buf;
    size_t len;
    ck_assert_msg(vsolve_write_lock_buffer(ctx, r, format, &buf, &len) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
    ck_assert_uint_eq(strlen(buf), len);
    ck_assert_uint_gt(len, 100);
    collected c = { 0 };
    ck_assert_int_eq(vsolve_write_lock_fn(ctx, r, format, collect, &c), VSOLVE_OK);
    ck_assert_int_ge(c.calls, 1);
    ck_assert_str_eq(c.text, buf);
    collected failing = { .fail = 1 };
    ck_assert_int_eq(vsolve_write_lock_fn(ctx, r, format, collect, &failing), VSOLVE_EIO);
    char path[4200], old_path[4200];
    snprintf(path, sizeof path, "%s/lock", dir);
    snprintf(old_path, sizeof old_path, "%s/lock.old", dir);
    ck_assert_int_eq(vsolve_write_lock(ctx, r, format, path), VSOLVE_OK);
    size_t flen;
    char *file = slurp(path, &flen);
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(flen, len);
    ck_assert_str_eq(file, buf);
    free(file);
    ck_assert_int_eq(old(ctx, old_path, url), VSOLVE_OK);
    file = slurp(old_path, &flen);
    ck_assert_str_eq(file, buf);
    free(file);
    /* a directory is not replaced; an existing file is left as it was when the writing fails */
    ck_assert_int_eq(vsolve_write_lock(ctx, r, format, dir), VSOLVE_EIO);
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    char sub[4300];
    snprintf(sub, sizeof sub, "%s/no-such-dir/lock", dir);
    ck_assert_int_eq(vsolve_write_lock(ctx, r, format, sub), VSOLVE_EIO);
    free(c.text);
    unlink(path);
    unlink(old_path);
    return buf;
}

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/vsolve-api-XXXXXX";
    char *d = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(d);
    return strdup(d);
}

START_TEST(cargo_project)
{
    const char *index = test_corpus_path("crates-io-index-2019-11-10.tar.gz");
    if (!test_corpora("crates-io-index-2019-11-10.tar.gz"))
        return;
    char ix[4200], manifest[4200], expected_path[4200];
    snprintf(ix, sizeof ix, "%s", index);
    snprintf(manifest, sizeof manifest, "%s", test_corpus_path("cargo-real-2019/dev-deps/Cargo.toml"));
    snprintf(expected_path, sizeof expected_path, "%s", test_corpus_path("cargo-real-2019/dev-deps/Cargo.lock"));
    vsolve_ctx *ctx = vsolve_new();
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = ix;
    o.manifest = manifest;
    o.source_url = "@CRATES_IO_INDEX@";   /* as the shared locks write it */
    vsolve_result *r;
    ck_assert_msg(vsolve_solve_project(ctx, VSOLVE_CARGO, &o, &r) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
    ck_assert_uint_gt(check_deps(r), 10);
    size_t with_sum = 0;
    for (size_t i = 0; i < vsolve_result_count(r); i++) {
        const char *src = row_attr(r, i, "cargo-source", 0), *sum = row_attr(r, i, "cargo-checksum", 0);
        if (!src)
            continue;   /* the root */
        ck_assert_str_eq(src, "registry+@CRATES_IO_INDEX@");
        ck_assert_ptr_nonnull(sum);
        char expect[100];
        snprintf(expect, sizeof expect, "sha256=%s", sum);
        ck_assert_str_eq(row_attr(r, i, "checksum", 0), expect);
        with_sum++;
    }
    ck_assert_uint_eq(with_sum + 1, vsolve_result_count(r));
    char *dir = temp_dir();
    char *lock = three_ways(ctx, r, VSOLVE_LOCK_CARGO, dir, vsolve_cargo_write_lock, "@CRATES_IO_INDEX@");
    size_t elen;
    char *expected = slurp(expected_path, &elen);
    ck_assert_str_eq(lock, expected);   /* cargo's own lock, byte for byte */
    free(expected);
    free(lock);
    /* a format that is not this result's */
    char *buf;
    size_t len;
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_NPM, &buf, &len), VSOLVE_EUSAGE);
    /* another project solve: the old result keeps its rows but no longer borrows */
    vsolve_result *r2;
    ck_assert_int_eq(vsolve_cargo_solve(ctx, ix, manifest, NULL, NULL, 0, 0, &r2), VSOLVE_OK);
    ck_assert_uint_eq(vsolve_result_count(r2), vsolve_result_count(r));
    const char *v;
    ck_assert_int_eq(vsolve_result_attr(r, 0, "cargo-source", 0, &v), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &buf, &len), VSOLVE_EUSAGE);
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r2, VSOLVE_LOCK_CARGO, &buf, &len), VSOLVE_OK);
    free(buf);
    ck_assert_ptr_nonnull(vsolve_result_name(r, 0));
    vsolve_result_free(r2);
    vsolve_free(ctx);
    ck_assert_ptr_nonnull(vsolve_result_name(r, 0));   /* rows outlive the context */
    vsolve_result_free(r);
    rmdir(dir);
    free(dir);
}
END_TEST

START_TEST(npm_project)
{
    if (!test_corpora("npm/packuments.tar.gz"))
        return;
    char reg[4200], manifest[4200], expected_path[4200];
    snprintf(reg, sizeof reg, "%s", test_corpus_path("npm/packuments.tar.gz"));
    snprintf(manifest, sizeof manifest, "%s", test_corpus_path("npm/projects/express-api/package.json"));
    snprintf(expected_path, sizeof expected_path, "%s", test_corpus_path("npm/projects/express-api/package-lock.json"));
    vsolve_ctx *ctx = vsolve_new();
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = reg;
    o.manifest = manifest;
    vsolve_result *r;
    ck_assert_msg(vsolve_solve_project(ctx, VSOLVE_NPM, &o, &r) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
    ck_assert_uint_gt(check_deps(r), 10);
    /* every row's path, version and integrity as npm's own lock has them */
    size_t elen = 0;
    char *text = slurp(expected_path, &elen);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    const json_value *lock = json_parse(&a, expected_path, text, elen, &err);
    ck_assert_ptr_nonnull(lock);
    const json_value *pkgs = json_get(lock, "packages");
    size_t matched = 0;
    for (size_t i = 0; i < vsolve_result_count(r); i++) {
        const char *path = vsolve_result_path(r, i);
        ck_assert_ptr_nonnull(path);
        ck_assert_str_eq(vsolve_result_reason(r, i), path);
        const json_value *e = json_get(pkgs, path);
        if (!e || strcmp(json_get(e, "version")->str, vsolve_result_version(r, i)) != 0)
            continue;
        const char *integrity = row_attr(r, i, "npm-integrity", 0);
        ck_assert_ptr_nonnull(integrity);
        ck_assert_str_eq(integrity, json_get(e, "integrity")->str);
        ck_assert_ptr_nonnull(row_attr(r, i, "npm-tarball", 0));
        matched++;
    }
    ck_assert_uint_gt(matched, vsolve_result_count(r) * 9 / 10);
    char *dir = temp_dir();
    char *out = three_ways(ctx, r, VSOLVE_LOCK_NPM, dir, vsolve_npm_write_lock, NULL);
    free(out);
    vsolve_result_free(r);
    vsolve_free(ctx);
    arena_free(&a);
    free(text);
    rmdir(dir);
    free(dir);
}
END_TEST

/* Every call vsolve.h declares is exported by lib/vsolve.map (a call missing there would be
 * hidden in libvsolve.so). */
START_TEST(every_call_exported)
{
    size_t hlen, mlen;
    char *header = test_read_file(test_source_path("include/vsolve.h"), &hlen);
    char *map = test_read_file(test_source_path("lib/vsolve.map"), &mlen);
    size_t calls = 0;
    for (const char *at = strstr(header, "VSOLVE_API "); at; at = strstr(at + 1, "VSOLVE_API ")) {
        const char *paren = strchr(at, '(');
        const char *name = paren;
        while (name > at && (name[-1] == '_' || (name[-1] >= 'a' && name[-1] <= 'z')))
            name--;
        if (strncmp(name, "vsolve_", 7) != 0)
            continue;
        char entry[128];
        snprintf(entry, sizeof entry, " %.*s;", (int)(paren - name), name);
        ck_assert_msg(strstr(map, entry) != NULL, "lib/vsolve.map does not export%s", entry);
        calls++;
    }
    ck_assert_uint_ge(calls, 40);
    free(header);
    free(map);
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, version_check);
    tcase_add_test(tc, every_call_exported);
    tcase_add_test(tc, opam_attributes_and_deps);
    tcase_add_test(tc, cargo_project);
    tcase_add_test(tc, npm_project);
    suite_add_tcase(s, tc);
    return s;
}
