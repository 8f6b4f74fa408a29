/* test_npm_image.c: the npm registry image: locks with and without it are byte-identical on the
 * shared projects, and a corrupt, truncated, other-version or stale image is never trusted (the
 * answer unchanged, a warning, the image rebuilt); a packument the reader refuses fails the
 * same way through the image. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image_file.h"
#include "repo_source.h"
#include "testutil.h"
#include "vsolve.h"

static const char *const projects[] = { "express-api", "react-redux-airbnb", "react-webpack", "ts-lint-test",
                                        "vite-vitest" };

/* One solve's whole answer: status, then the lock or the error. */
typedef struct answer {
    int rc;
    char *text;
    size_t warnings;
    char status[1200];
    char warning[1200];
} answer;

/* Solves manifest against the registry, with the image at image (NULL: no image). */
static answer solve(const char *registry, const char *manifest, const char *image)
{
    answer a;
    memset(&a, 0, sizeof a);
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_ptr_nonnull(ctx);
    if (image)
        ck_assert_int_eq(vsolve_set_cache(ctx, image, VSOLVE_CACHE_USE), VSOLVE_OK);
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = registry;
    o.manifest = manifest;
    vsolve_result *r = NULL;
    a.rc = vsolve_solve_project(ctx, VSOLVE_NPM, &o, &r);
    if (a.rc == VSOLVE_OK) {
        size_t len = 0;
        ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_NPM, &a.text, &len), VSOLVE_OK);
    } else {
        a.text = strdup(vsolve_errmsg(ctx));
    }
    a.warnings = vsolve_warning_count(ctx);
    if (a.warnings)
        snprintf(a.warning, sizeof a.warning, "%s", vsolve_warning(ctx, 0));
    snprintf(a.status, sizeof a.status, "%s", vsolve_cache_status(ctx));
    vsolve_result_free(r);
    vsolve_free(ctx);
    return a;
}

static void index_image(const char *registry, const char *image)
{
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_int_eq(vsolve_set_cache(ctx, image, VSOLVE_CACHE_REFRESH), VSOLVE_OK);
    ck_assert_msg(vsolve_index_registry(ctx, VSOLVE_NPM, registry) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
    ck_assert_msg(!strncmp(vsolve_cache_status(ctx), "wrote ", 6), "%s", vsolve_cache_status(ctx));
    vsolve_free(ctx);
}

static void same_answer(const answer *want, const answer *got, const char *what)
{
    ck_assert_msg(want->rc == got->rc, "%s: status %d, %d without the image", what, got->rc, want->rc);
    ck_assert_msg(!strcmp(want->text, got->text), "%s: answers differ:\n%.2000s\n----\n%.2000s", what, want->text,
                  got->text);
}

/* Only the packuments of `names` (NULL: all of them). */
static const char *const *wanted;

static int want(void *user, const char *path)
{
    (void)user;
    if (!wanted)
        return 1;
    for (const char *const *w = wanted; *w; w++) {
        char member[300];
        snprintf(member, sizeof member, "packuments/%s.json", *w);
        if (!strcmp(path, member))
            return 1;
    }
    return 0;
}

/* A temporary copy of the shared packuments (DIR/packuments/...); NULL when the corpus is missing. */
static char *registry_copy(char *dir)
{
    const char *tar = test_corpus_path("npm/packuments.tar.gz");
    if (!tar)
        return NULL;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(repo_source_walk(tar, 0, want, test_extract_member, dir, &err), VSOLVE_OK);
    return dir;
}

static void put_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static const char *project_manifest(const char *name, char *out, size_t size)
{
    const char *p = test_corpus_path("npm/projects");
    if (!p)
        return NULL;
    snprintf(out, size, "%s/%s/package.json", p, name);
    return out;
}

/* Every shared project, with and without the image: the same lock, byte for byte; with it, the
 * status says the image was read and nothing is warned. No image yet: the packuments are read,
 * nothing is written, the status says how to make one. */
START_TEST(round_trip_shared)
{
    char dir[] = "/tmp/vsolve-nimg-XXXXXX";
    wanted = NULL;
    if (!registry_copy(dir))
        return;
    char image[4200], manifest[4300];
    snprintf(image, sizeof image, "%s/cache/image.vsc", dir);
    index_image(dir, image);
    for (size_t i = 0; i < sizeof projects / sizeof projects[0]; i++) {
        if (!project_manifest(projects[i], manifest, sizeof manifest))
            return;
        answer plain = solve(dir, manifest, NULL), img = solve(dir, manifest, image);
        ck_assert_msg(plain.rc == VSOLVE_OK, "%s: %s", projects[i], plain.text);
        same_answer(&plain, &img, projects[i]);
        ck_assert_msg(!strncmp(img.status, "read ", 5), "%s: %s", projects[i], img.status);
        ck_assert_uint_eq(img.warnings, 0);
        free(plain.text);
        free(img.text);
    }
    snprintf(image, sizeof image, "%s/none.vsc", dir);
    answer none = solve(dir, manifest, image);
    ck_assert_int_eq(none.rc, VSOLVE_OK);
    ck_assert_msg(strstr(none.status, "missing: ") && strstr(none.status, "index"), "%s", none.status);
    ck_assert_int_ne(access(image, F_OK), 0);
    free(none.text);
    test_remove_dir(dir);
}
END_TEST

/* The packuments of a small project: prettier, typescript, @types/node and its dependency. */
static const char *const small_cone[] = { "prettier", "typescript", "@types%2fnode", "undici-types", NULL };

static char small_manifest[4300];

/* A project of two dependencies over a registry of four packuments. */
static char *small_registry(char *dir)
{
    wanted = small_cone;
    if (!registry_copy(dir))
        return NULL;
    snprintf(small_manifest, sizeof small_manifest, "%s/project/package.json", dir);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/project'", dir);
    ck_assert_int_eq(system(cmd), 0);
    const char *pj = "{\"name\":\"p\",\"version\":\"1.0.0\",\"dependencies\":{\"prettier\":\"^3.3.2\","
                     "\"typescript\":\"^5.5.3\",\"@types/node\":\"^20.14.10\"}}\n";
    put_file(small_manifest, pj, strlen(pj));
    return dir;
}

static uint64_t u64_at(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t u32_at(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* The entry fields (36 bytes: record offset u64, length u32, head length u32, ...) of the
 * packument file rel: in the table (in a slot block, or in the entry area after them), an entry
 * is its crc32, its fields, its path. */
static const unsigned char *entry_of(const unsigned char *img, size_t len, const char *rel)
{
    uint64_t table = u64_at(img + 32);
    size_t n = strlen(rel);
    ck_assert_uint_le(table, len);
    for (size_t i = table + 40; i + n <= len; i++)
        if (!memcmp(img + i, rel, n))
            return img + i - 36;
    ck_abort_msg("no %s in the image", rel);
    return NULL;
}

/* Damages the image in one way, solves, and checks: the same answer, a warning naming `word`,
 * the image rebuilt (the next solve reads it without a warning). */
static void damaged(const char *registry, const char *image, const answer *want,
                    void (*damage)(unsigned char *img, size_t *len), const char *word)
{
    index_image(registry, image);
    size_t len = 0;
    unsigned char *bytes = (unsigned char *)test_read_file(image, &len);
    ck_assert_ptr_nonnull(bytes);
    damage(bytes, &len);
    put_file(image, bytes, len);
    free(bytes);
    answer got = solve(registry, small_manifest, image);
    same_answer(want, &got, word);
    ck_assert_msg(got.warnings == 1 && strstr(got.warning, word) && strstr(got.warning, "rebuilt"), "%s: %zu: %s",
                  word, got.warnings, got.warning);
    free(got.text);
    answer again = solve(registry, small_manifest, image);
    same_answer(want, &again, word);
    ck_assert_msg(again.warnings == 0 && !strncmp(again.status, "read ", 5), "%s: %s", word, again.status);
    free(again.text);
}

static void flip_header(unsigned char *img, size_t *len)
{
    (void)len;
    img[30] ^= 0x10;   /* the file count: the header checksum no longer matches */
}

/* The path in prettier's table entry: the entry's checksum no longer matches. */
static void flip_table(unsigned char *img, size_t *len)
{
    unsigned char *e = (unsigned char *)entry_of(img, *len, "packuments/prettier.json");
    e[36 + 12] ^= 0x01;
}

/* A byte of every slot block of the table: whatever a lookup reads, its checksum fails. */
static void flip_slots(unsigned char *img, size_t *len)
{
    uint64_t table = u64_at(img + 32);
    uint32_t blocks = u32_at(img + 40);
    ck_assert_uint_le(table + (uint64_t)blocks * IMAGE_BLOCK, *len);
    for (uint32_t b = 0; b < blocks; b++)
        img[table + (uint64_t)b * IMAGE_BLOCK + 5] ^= 0x01;
}

/* A byte of the head of prettier's record (its version table). */
static void flip_head(unsigned char *img, size_t *len)
{
    const unsigned char *e = entry_of(img, *len, "packuments/prettier.json");
    uint64_t off = u64_at(e);
    uint32_t head = u32_at(e + 12);
    img[off + head / 2] ^= 0x04;
}

/* Every byte of typescript's manifests: the head is sound, the version picked is not. */
static void flip_manifests(unsigned char *img, size_t *len)
{
    const unsigned char *e = entry_of(img, *len, "packuments/typescript.json");
    uint64_t off = u64_at(e);
    uint32_t rec = u32_at(e + 8), head = u32_at(e + 12);
    for (uint32_t i = head; i < rec; i++)
        img[off + i] ^= 0x5a;
}

static void truncate_half(unsigned char *img, size_t *len)
{
    (void)img;
    *len /= 2;
}

static void other_version(unsigned char *img, size_t *len)
{
    (void)len;
    img[8] += 1;   /* the format version (outside the header checksum, as in the cargo image) */
}

static void not_an_image(unsigned char *img, size_t *len)
{
    memcpy(img, "garbage!", 8);
    *len = 100;
}

START_TEST(corrupt_images_are_rebuilt)
{
    char dir[] = "/tmp/vsolve-nimg-XXXXXX";
    if (!small_registry(dir))
        return;
    char image[4200];
    snprintf(image, sizeof image, "%s/cache/dir/image.vsc", dir);
    answer want = solve(dir, small_manifest, NULL);
    ck_assert_msg(want.rc == VSOLVE_OK, "%s", want.text);
    damaged(dir, image, &want, flip_header, "corrupt: ");
    damaged(dir, image, &want, flip_table, "corrupt: ");
    damaged(dir, image, &want, flip_slots, "corrupt: ");
    damaged(dir, image, &want, flip_head, "corrupt: ");
    damaged(dir, image, &want, flip_manifests, "corrupt: ");
    damaged(dir, image, &want, truncate_half, "corrupt: ");
    damaged(dir, image, &want, other_version, "stale: ");
    damaged(dir, image, &want, not_an_image, "corrupt: ");
    free(want.text);
    test_remove_dir(dir);
}
END_TEST

/* Replaces every "sha512-" of a file by "sha512-0" (the lock's integrity values change). */
static void edit_integrity(const char *path)
{
    size_t len = 0;
    char *text = test_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    char *out = malloc(len * 2 + 1);
    ck_assert_ptr_nonnull(out);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        out[o++] = text[i];
        if (i >= 6 && !memcmp(text + i - 6, "sha512-", 7))
            out[o++] = '0';
    }
    put_file(path, out, o);
    free(out);
    free(text);
}

/* A packument edited, removed or added after the image was written: the solve sees the
 * directory as it is (the answer is the one without an image), warns, and rebuilds the image. */
START_TEST(stale_images_are_rebuilt)
{
    char dir[] = "/tmp/vsolve-nimg-XXXXXX";
    if (!small_registry(dir))
        return;
    char image[4200], file[4300], moved[4400];
    snprintf(image, sizeof image, "%s/image.vsc", dir);
    snprintf(file, sizeof file, "%s/packuments/prettier.json", dir);
    index_image(dir, image);
    answer before = solve(dir, small_manifest, image);
    ck_assert_int_eq(before.rc, VSOLVE_OK);
    ck_assert_ptr_null(strstr(before.text, "sha512-0"));
    edit_integrity(file);
    answer plain = solve(dir, small_manifest, NULL), img = solve(dir, small_manifest, image);
    ck_assert_ptr_nonnull(strstr(plain.text, "sha512-0"));
    same_answer(&plain, &img, "changed");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "stale: ") && strstr(img.warning, "prettier.json changed"),
                  "%s", img.warning);
    answer again = solve(dir, small_manifest, image);
    same_answer(&plain, &again, "rebuilt");
    ck_assert_msg(again.warnings == 0 && !strncmp(again.status, "read ", 5), "%s", again.status);
    free(plain.text);
    free(img.text);
    free(again.text);
    /* removed: the package is gone, the solve fails as it does without the image */
    snprintf(moved, sizeof moved, "%s.away", file);
    ck_assert_int_eq(rename(file, moved), 0);
    plain = solve(dir, small_manifest, NULL);
    img = solve(dir, small_manifest, image);
    ck_assert_int_ne(plain.rc, VSOLVE_OK);
    same_answer(&plain, &img, "removed");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "prettier was removed"), "%s", img.warning);
    free(plain.text);
    free(img.text);
    /* added back (the image, rebuilt without it, does not know it) */
    ck_assert_int_eq(rename(moved, file), 0);
    plain = solve(dir, small_manifest, NULL);
    img = solve(dir, small_manifest, image);
    same_answer(&plain, &img, "added");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "prettier.json was added"), "%s", img.warning);
    free(plain.text);
    free(img.text);
    free(before.text);
    test_remove_dir(dir);
}
END_TEST

/* A packument the reader refuses is recorded as such: through the image the error is the JSON's
 * own (file:line:col), met only when the resolution reaches it, and nothing is warned; an
 * archive registry is read as without an image. */
START_TEST(refused_packuments_and_archives)
{
    char dir[] = "/tmp/vsolve-nimg-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[4300], image[4300], manifest[4300];
    snprintf(path, sizeof path, "mkdir -p '%s/reg/packuments' '%s/p1' '%s/p2'", dir, dir, dir);
    ck_assert_int_eq(system(path), 0);
    const char *good = "{\"name\":\"good\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{\"1.0.0\":"
                       "{\"name\":\"good\",\"version\":\"1.0.0\",\"engines\":{\"node\":\">=8\"},\"description\":\"x\","
                       "\"dist\":{\"integrity\":\"sha512-AA==\",\"tarball\":\"@REGISTRY@/good/-/good-1.0.0.tgz\","
                       "\"fileCount\":3}}}}";
    const char *bad = "{\"name\":\"bad\",\"versions\":{\"1.0.0\":[]}}";
    snprintf(path, sizeof path, "%s/reg/packuments/good.json", dir);
    put_file(path, good, strlen(good));
    snprintf(path, sizeof path, "%s/reg/packuments/bad.json", dir);
    put_file(path, bad, strlen(bad));
    for (int k = 1; k <= 2; k++) {
        snprintf(manifest, sizeof manifest, "%s/p%d/package.json", dir, k);
        const char *pj = k == 1 ? "{\"name\":\"p\",\"dependencies\":{\"good\":\"^1\"}}"
                                : "{\"name\":\"p\",\"dependencies\":{\"good\":\"^1\",\"bad\":\"^1\"}}";
        put_file(manifest, pj, strlen(pj));
    }
    snprintf(path, sizeof path, "%s/reg", dir);
    snprintf(image, sizeof image, "%s/reg.vsc", dir);
    index_image(path, image);
    for (int k = 1; k <= 2; k++) {
        snprintf(manifest, sizeof manifest, "%s/p%d/package.json", dir, k);
        answer plain = solve(path, manifest, NULL), img = solve(path, manifest, image);
        same_answer(&plain, &img, "refused packument");
        ck_assert_int_eq(img.rc, k == 1 ? VSOLVE_OK : VSOLVE_EBADINPUT);
        ck_assert_uint_eq(img.warnings, 0);
        ck_assert_msg(!strncmp(img.status, "read ", 5), "%s", img.status);
        if (k == 2)
            ck_assert_msg(strstr(img.text, "packuments/bad.json:1:") != NULL, "%s", img.text);
        free(plain.text);
        free(img.text);
    }
    /* the same registry as an archive: no image is read or written */
    char tar[4400], cmd[9000], timage[4400];
    snprintf(tar, sizeof tar, "%s/reg.tar.gz", dir);
    snprintf(timage, sizeof timage, "%s/tar.vsc", dir);
    snprintf(cmd, sizeof cmd, "cd '%s/reg' && tar czf '%s' packuments", dir, tar);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(manifest, sizeof manifest, "%s/p1/package.json", dir);
    answer plain = solve(path, manifest, NULL), img = solve(tar, manifest, timage);
    same_answer(&plain, &img, "archive");
    ck_assert_uint_eq(img.warnings, 0);
    ck_assert_int_ne(access(timage, F_OK), 0);
    free(plain.text);
    free(img.text);
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_int_eq(vsolve_set_cache(ctx, timage, VSOLVE_CACHE_REFRESH), VSOLVE_OK);
    ck_assert_int_eq(vsolve_index_registry(ctx, VSOLVE_NPM, tar), VSOLVE_EIO);
    ck_assert_ptr_nonnull(strstr(vsolve_errmsg(ctx), "packument directory"));
    vsolve_free(ctx);
    test_remove_dir(dir);
}
END_TEST

Suite *npm_image_suite(void)
{
    Suite *s = suite_create("npm_image");
    TCase *tc = tcase_create("image");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, corrupt_images_are_rebuilt);
    tcase_add_test(tc, stale_images_are_rebuilt);
    tcase_add_test(tc, refused_packuments_and_archives);
    tcase_add_test(tc, round_trip_shared);
    suite_add_tcase(s, tc);
    return s;
}
