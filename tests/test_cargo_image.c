/* test_cargo_image.c: the cargo registry image: answers with and without it are the same on the
 * shared projects, and a corrupt, truncated, other-version or stale image is never trusted (the
 * answer unchanged, a warning, the image rebuilt). */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "image_file.h"
#include "repo_source.h"
#include "testutil.h"
#include "vsolve.h"

static const char *const synthetic[] = { "cli-tool", "edge-cases", "links-conflict", "msrv-resolver2",
                                         "msrv-resolver3", "native-deps", "web-service" };

/* One solve's whole answer: status, then the lock or the explanation. */
typedef struct answer {
    int rc;
    char *text;
    size_t warnings;
    char status[1200];
    char warning[1200];
} answer;

/* Solves manifest against index, with the image at image (NULL: no image). */
static answer solve(const char *index, const char *manifest, const char *image)
{
    answer a;
    memset(&a, 0, sizeof a);
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_ptr_nonnull(ctx);
    if (image)
        ck_assert_int_eq(vsolve_set_cache(ctx, image, VSOLVE_CACHE_USE), VSOLVE_OK);
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = index;
    o.manifest = manifest;
    vsolve_result *r = NULL;
    a.rc = vsolve_solve_project(ctx, VSOLVE_CARGO, &o, &r);
    if (a.rc == VSOLVE_OK) {
        size_t len = 0;
        ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &a.text, &len), VSOLVE_OK);
    } else {
        const char *why = a.rc == VSOLVE_UNSAT ? vsolve_result_explanation(r) : vsolve_errmsg(ctx);
        a.text = strdup(why ? why : "");
    }
    a.warnings = vsolve_warning_count(ctx);
    if (a.warnings)
        snprintf(a.warning, sizeof a.warning, "%s", vsolve_warning(ctx, 0));
    snprintf(a.status, sizeof a.status, "%s", vsolve_cache_status(ctx));
    vsolve_result_free(r);
    vsolve_free(ctx);
    return a;
}

static void index_image(const char *index, const char *image)
{
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_int_eq(vsolve_set_cache(ctx, image, VSOLVE_CACHE_REFRESH), VSOLVE_OK);
    ck_assert_msg(vsolve_index_registry(ctx, VSOLVE_CARGO, index) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
    ck_assert_msg(!strncmp(vsolve_cache_status(ctx), "wrote ", 6), "%s", vsolve_cache_status(ctx));
    vsolve_free(ctx);
}

static void same_answer(const answer *want, const answer *got, const char *what)
{
    ck_assert_msg(want->rc == got->rc, "%s: status %d, %d without the image", what, got->rc, want->rc);
    ck_assert_msg(!strcmp(want->text, got->text), "%s: answers differ:\n%s\n----\n%s", what, want->text, got->text);
}

/* A temporary copy of the synthetic corpus; NULL when the corpus is missing (testutil decides). */
static char *synthetic_copy(char *dir)
{
    const char *tar = test_corpus_path("cargo-synthetic-index.tar.gz");
    if (!tar)
        return NULL;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(repo_source_walk(tar, 0, NULL, test_extract_member, dir, &err), VSOLVE_OK);
    return dir;
}

static unsigned char *slurp_bytes(const char *path, size_t *len)
{
    char *t = test_read_file(path, len);
    ck_assert_ptr_nonnull(t);
    return (unsigned char *)t;
}

static void put_bytes(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Every synthetic project, from the directory and from the archive, with and without the image;
 * with it, the status says the image was read and nothing is warned. */
START_TEST(round_trip_synthetic)
{
    char dir[] = "/tmp/vsolve-cimg-XXXXXX";
    if (!synthetic_copy(dir))
        return;
    char tar[4200], index[4200], image[4200], manifest[4300];
    snprintf(tar, sizeof tar, "%s", test_corpus_path("cargo-synthetic-index.tar.gz"));
    for (int archive = 0; archive <= 1; archive++) {
        snprintf(index, sizeof index, "%s", archive ? tar : "");
        if (!archive)
            snprintf(index, sizeof index, "%s/index", dir);
        snprintf(image, sizeof image, "%s/image-%d.vsc", dir, archive);
        index_image(index, image);
        for (size_t i = 0; i < sizeof synthetic / sizeof synthetic[0]; i++) {
            snprintf(manifest, sizeof manifest, "%s/projects/%s/Cargo.toml", dir, synthetic[i]);
            answer plain = solve(index, manifest, NULL), img = solve(index, manifest, image);
            same_answer(&plain, &img, synthetic[i]);
            ck_assert_msg(!strncmp(img.status, "read ", 5), "%s: %s", synthetic[i], img.status);
            ck_assert_uint_eq(img.warnings, 0);
            free(plain.text);
            free(img.text);
        }
    }
    /* no image yet: the index is read, nothing is written, the status says how to make one */
    snprintf(image, sizeof image, "%s/none.vsc", dir);
    snprintf(manifest, sizeof manifest, "%s/projects/web-service/Cargo.toml", dir);
    answer none = solve(index, manifest, image);
    ck_assert_int_eq(none.rc, VSOLVE_OK);
    ck_assert_msg(strstr(none.status, "missing: ") && strstr(none.status, "index"), "%s", none.status);
    ck_assert_int_ne(access(image, F_OK), 0);
    free(none.text);
    test_remove_dir(dir);
}
END_TEST

/* The real 2019 index (archive): every shared project, with and without the image. */
START_TEST(round_trip_real)
{
    char index[4200], pdir[4200], dir[] = "/tmp/vsolve-cimg-XXXXXX", image[4200], manifest[4400];
    const char *tar = test_corpus_path("crates-io-index-2019-11-10.tar.gz");   /* a static buffer */
    if (!tar)
        return;
    snprintf(index, sizeof index, "%s", tar);
    const char *projects = test_corpus_path("cargo-real-2019");
    if (!projects)
        return;
    snprintf(pdir, sizeof pdir, "%s", projects);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/real.vsc", dir);
    index_image(index, image);
    static const char *const real[] = { "actix-web1", "cfg-targets", "data-tool", "dev-deps", "diesel-r2d2",
                                        "parallel-num", "reqwest-rustls", "rg-cli", "tokio01-futures01",
                                        "tokio02-hyper013", "unsat-links", "unsat-prerelease",
                                        "unsat-ring-links", "wasm-web" };
    size_t refused = 0;
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
        snprintf(manifest, sizeof manifest, "%s/%s/Cargo.toml", pdir, real[i]);
        answer plain = solve(index, manifest, NULL), img = solve(index, manifest, image);
        same_answer(&plain, &img, real[i]);
        ck_assert_msg(!strncmp(img.status, "read ", 5), "%s: %s", real[i], img.status);
        refused += img.rc == VSOLVE_UNSAT;
        free(plain.text);
        free(img.text);
    }
    ck_assert_uint_eq(refused, 3);
    test_remove_dir(dir);
}
END_TEST

/* Little-endian u64 at p. */
static uint64_t u64_at(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Solves with a damaged image and checks: the same answer, a warning naming `word`, the image
 * rebuilt (the next solve reads it without a warning). */
static void rebuilt(const char *index, const char *manifest, const char *image, const answer *want, const char *word)
{
    answer got = solve(index, manifest, image);
    same_answer(want, &got, word);
    ck_assert_msg(got.warnings == 1 && strstr(got.warning, word) && strstr(got.warning, "rebuilt"), "%s: %zu: %s",
                  word, got.warnings, got.warning);
    free(got.text);
    answer again = solve(index, manifest, image);
    same_answer(want, &again, word);
    ck_assert_msg(again.warnings == 0 && !strncmp(again.status, "read ", 5), "%s: %s", word, again.status);
    free(again.text);
}

/* Damages the image in one way, then as rebuilt. */
static void damaged(const char *index, const char *manifest, const char *image, const answer *want,
                    void (*damage)(unsigned char *img, size_t *len), const char *word)
{
    index_image(index, image);
    size_t len = 0;
    unsigned char *bytes = slurp_bytes(image, &len);
    damage(bytes, &len);
    put_bytes(image, bytes, len);
    free(bytes);
    rebuilt(index, manifest, image, want, word);
}

/* Every version body of log damaged (a byte of its checksum string: only the body's own crc32
 * sees it, the record's head still checks): the version the solve decodes is read from the
 * index instead, then as rebuilt. */
static void damaged_bodies(const char *index, const char *manifest, const char *image, const answer *want)
{
    index_image(index, image);
    size_t len = 0, text_len = 0, n = 0;
    unsigned char *bytes = slurp_bytes(image, &len);
    char file[4300];
    snprintf(file, sizeof file, "%s/3/l/log", index);
    char *text = test_read_file(file, &text_len);
    ck_assert_ptr_nonnull(text);
    for (const char *p = text; (p = strstr(p, "\"cksum\":\"")) != NULL; p += 9) {
        size_t at = 0;
        while (at + 64 <= len && memcmp(bytes + at, p + 9, 64) != 0)
            at++;
        ck_assert_msg(at + 64 <= len, "a checksum of log is not in the image");
        bytes[at] ^= 0x01;
        n++;
    }
    ck_assert_uint_gt(n, 0);
    put_bytes(image, bytes, len);
    free(bytes);
    free(text);
    rebuilt(index, manifest, image, want, "checksum mismatch");
}

static void flip_header(unsigned char *img, size_t *len)
{
    (void)len;
    img[20] ^= 0x10;   /* the source fingerprint: the header checksum no longer matches */
}

static uint32_t u32_at(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The bytes of an entry's fields (cargo_image.c's FIELDS). */
#define ENTRY_FIELDS 36

/* The table entry of log's crate file (3/l/log: the solve reads it). In the table (in a slot
 * block, or in the entry area after them), an entry is its crc32, its fields, its path (7 bytes
 * here). */
static unsigned char *log_entry(unsigned char *img, size_t len)
{
    uint64_t table = u64_at(img + 32);
    ck_assert_uint_le(table, len);
    for (size_t i = table + 4 + ENTRY_FIELDS; i + 7 <= len; i++)
        if (!memcmp(img + i, "3/l/log", 7))
            return img + i - 4 - ENTRY_FIELDS;
    ck_abort_msg("no 3/l/log in the image");
    return NULL;
}

/* A byte of log's path in its entry: the entry's checksum no longer matches. */
static void flip_table(unsigned char *img, size_t *len)
{
    log_entry(img, *len)[4 + ENTRY_FIELDS + 4] ^= 0x01;
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

/* A byte of the record of the crate "tokio" (every record holds its crate's name). */
static void flip_record(unsigned char *img, size_t *len)
{
    uint64_t table = u64_at(img + 32);
    ck_assert_uint_le(table, *len);
    unsigned char *at = NULL;
    for (size_t i = 64; i + 6 < table && !at; i++)
        if (!memcmp(img + i, "tokio\0", 6))
            at = img + i;
    ck_assert_ptr_nonnull(at);
    at[2] ^= 0x20;
}

/* crc32 (zlib's), chained from crc: to forge checksums that match. */
static uint32_t crc32_of(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void seal_header(unsigned char *img) { put32(img + 12, crc32_of(0, img + 16, 48)); }

/* Slot block b's checksum made to match again (image_file.h). */
static void seal_block(unsigned char *img, uint32_t b)
{
    unsigned char *blk = img + u64_at(img + 32) + (uint64_t)b * IMAGE_BLOCK, no[4];
    put32(no, b);
    put32(blk + IMAGE_BLOCK - 4, crc32_of(crc32_of(0, blk, IMAGE_BLOCK - 4), no, 4));
}

/* Crafted (every checksum matching): a slot block count that is no power of two. */
static void craft_blocks(unsigned char *img, size_t *len)
{
    (void)len;
    put32(img + 40, 3);
    seal_header(img);
}

/* Crafted: every full slot refers past the end of the entry area, or over its block's checksum. */
static void craft_refs(unsigned char *img, size_t *len)
{
    uint64_t table = u64_at(img + 32);
    uint32_t blocks = u32_at(img + 40);
    ck_assert_uint_le(table + (uint64_t)blocks * IMAGE_BLOCK, *len);
    for (uint32_t b = 0; b < blocks; b++) {
        unsigned char *blk = img + table + (uint64_t)b * IMAGE_BLOCK;
        for (int k = 0; k < IMAGE_SLOTS; k++)
            if (u32_at(blk + 8 * k))
                put32(blk + 8 * k, k % 2 ? 0x7FFFFFF0u : IMAGE_INLINE | (IMAGE_BLOCK - 8));   /* area, block */
        seal_block(img, b);
    }
}

/* Crafted: log's entry places its record over the table (the entry's checksum matching). */
static void craft_record(unsigned char *img, size_t *len)
{
    unsigned char *e = log_entry(img, *len);
    memcpy(e + 4, img + 32, 8);   /* the record's offset: the table's */
    put32(e, crc32_of(0, e + 4, ENTRY_FIELDS + 7));
    uint64_t table = u64_at(img + 32), at = (uint64_t)(e - img) - table;
    if (at < (uint64_t)u32_at(img + 40) * IMAGE_BLOCK)   /* in its slot block: sealed again */
        seal_block(img, (uint32_t)(at / IMAGE_BLOCK));
}

static void truncate_half(unsigned char *img, size_t *len)
{
    (void)img;
    *len /= 2;
}

static void other_version(unsigned char *img, size_t *len)
{
    (void)len;
    img[8] += 1;   /* the format version (outside the header checksum, as in the opam cache) */
}

static void not_an_image(unsigned char *img, size_t *len)
{
    memcpy(img, "garbage!", 8);
    *len = 100;
}

START_TEST(corrupt_images_are_rebuilt)
{
    char dir[] = "/tmp/vsolve-cimg-XXXXXX";
    if (!synthetic_copy(dir))
        return;
    char index[4200], image[4200], manifest[4300];
    snprintf(index, sizeof index, "%s/index", dir);
    snprintf(image, sizeof image, "%s/cache/dir/image.vsc", dir);
    snprintf(manifest, sizeof manifest, "%s/projects/web-service/Cargo.toml", dir);
    answer want = solve(index, manifest, NULL);
    ck_assert_int_eq(want.rc, VSOLVE_OK);
    damaged(index, manifest, image, &want, flip_header, "corrupt: ");
    damaged(index, manifest, image, &want, flip_table, "corrupt: ");
    damaged(index, manifest, image, &want, flip_slots, "corrupt: ");
    damaged(index, manifest, image, &want, craft_blocks, "implausible sizes");
    damaged(index, manifest, image, &want, craft_refs, "corrupt: ");
    damaged(index, manifest, image, &want, craft_record, "corrupt: ");
    damaged(index, manifest, image, &want, flip_record, "corrupt: ");
    damaged_bodies(index, manifest, image, &want);
    damaged(index, manifest, image, &want, truncate_half, "corrupt: ");
    damaged(index, manifest, image, &want, other_version, "stale: ");
    damaged(index, manifest, image, &want, not_an_image, "corrupt: ");
    free(want.text);
    test_remove_dir(dir);
}
END_TEST

/* A crate file changed, added or removed after the image was written: the solve sees the index
 * as it is (the answer is the one without an image), warns, and rebuilds the image. */
START_TEST(stale_images_are_rebuilt)
{
    char dir[] = "/tmp/vsolve-cimg-XXXXXX";
    if (!synthetic_copy(dir))
        return;
    char index[4200], image[4200], manifest[4300], file[4300];
    snprintf(index, sizeof index, "%s/index", dir);
    snprintf(image, sizeof image, "%s/image.vsc", dir);
    snprintf(manifest, sizeof manifest, "%s/projects/web-service/Cargo.toml", dir);
    snprintf(file, sizeof file, "%s/index/3/l/log", dir);
    index_image(index, image);
    answer before = solve(index, manifest, image);
    ck_assert_int_eq(before.rc, VSOLVE_OK);
    ck_assert_ptr_null(strstr(before.text, "0.4.99"));
    /* a newer log: the lock must take it */
    FILE *f = fopen(file, "ab");
    ck_assert_ptr_nonnull(f);
    fputs("{\"name\":\"log\",\"vers\":\"0.4.99\",\"deps\":[],\"cksum\":\"00\",\"features\":{},\"yanked\":false}\n", f);
    fclose(f);
    answer plain = solve(index, manifest, NULL), img = solve(index, manifest, image);
    ck_assert_ptr_nonnull(strstr(plain.text, "0.4.99"));
    same_answer(&plain, &img, "changed");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "stale: ") && strstr(img.warning, "3/l/log changed"), "%s",
                  img.warning);
    answer again = solve(index, manifest, image);
    same_answer(&plain, &again, "rebuilt");
    ck_assert_msg(again.warnings == 0 && !strncmp(again.status, "read ", 5), "%s", again.status);
    free(plain.text);
    free(img.text);
    free(again.text);
    /* removed: the crate is gone, the solve fails as it does without the image */
    char moved[4400];
    snprintf(moved, sizeof moved, "%s.away", file);
    ck_assert_int_eq(rename(file, moved), 0);
    plain = solve(index, manifest, NULL);
    img = solve(index, manifest, image);
    ck_assert_int_ne(plain.rc, VSOLVE_OK);
    same_answer(&plain, &img, "removed");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "3/l/log was removed"), "%s", img.warning);
    free(plain.text);
    free(img.text);
    /* added back (the image, rebuilt without it, does not know it) */
    ck_assert_int_eq(rename(moved, file), 0);
    plain = solve(index, manifest, NULL);
    img = solve(index, manifest, image);
    same_answer(&plain, &img, "added");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "3/l/log was added"), "%s", img.warning);
    free(plain.text);
    free(img.text);
    free(before.text);
    test_remove_dir(dir);
}
END_TEST

/* A crate file with a malformed line is kept as text: the line's error is the index's own, met
 * only when the resolution needs the line (its version is then left out, as cargo does, and
 * the warning says why); an archive index that changed is stale as a whole. */
START_TEST(text_records_and_archives)
{
    char dir[] = "/tmp/vsolve-cimg-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[4300], image[4300], manifest[4300], cmd[9000];
    snprintf(path, sizeof path, "mkdir -p '%s/ix/bb/bb' '%s/r1' '%s/r2'", dir, dir, dir);
    ck_assert_int_eq(system(path), 0);
    snprintf(path, sizeof path, "%s/ix/bb/bb/bbbb", dir);
    FILE *f = fopen(path, "wb");
    fputs("{\"name\":\"bbbb\",\"vers\":\"1.0.0\",\"deps\":[],\"features\":{}}\n"
          "{\"name\":\"bbbb\",\"vers\":\"2.0.0\",\"deps\":[{\"name\":1}]}\n", f);
    fclose(f);
    for (int k = 1; k <= 2; k++) {
        snprintf(path, sizeof path, "%s/r%d/Cargo.toml", dir, k);
        f = fopen(path, "wb");
        fprintf(f, "[package]\nname = \"root\"\nversion = \"0.1.0\"\n\n[dependencies]\nbbbb = \"%d\"\n", k);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/ix", dir);
    snprintf(image, sizeof image, "%s/ix.vsc", dir);
    index_image(path, image);
    for (int k = 1; k <= 2; k++) {
        snprintf(manifest, sizeof manifest, "%s/r%d/Cargo.toml", dir, k);
        answer plain = solve(path, manifest, NULL), img = solve(path, manifest, image);
        same_answer(&plain, &img, "text record");
        ck_assert_int_eq(img.rc, k == 1 ? VSOLVE_OK : VSOLVE_UNSAT);
        ck_assert_uint_eq(img.warnings, k == 1 ? 0 : 1);
        if (k == 2)
            ck_assert_msg(strstr(img.warning, "bb/bb/bbbb:2:") && strstr(img.warning, "left out"), "%s", img.warning);
        free(plain.text);
        free(img.text);
    }
    /* the same index as an archive; then the archive rewritten: stale */
    char tar[4300], timage[4300];
    snprintf(tar, sizeof tar, "%s/ix.tar.gz", dir);
    snprintf(timage, sizeof timage, "%s/tar.vsc", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && mv ix crates.io-index && tar czf '%s' crates.io-index && mv crates.io-index ix",
             dir, tar);
    ck_assert_int_eq(system(cmd), 0);
    index_image(tar, timage);
    snprintf(manifest, sizeof manifest, "%s/r1/Cargo.toml", dir);
    answer plain = solve(tar, manifest, NULL), img = solve(tar, manifest, timage);
    same_answer(&plain, &img, "archive");
    ck_assert_msg(!strncmp(img.status, "read ", 5), "%s", img.status);
    free(img.text);
    struct timespec later[2] = { { 0, UTIME_OMIT }, { time(NULL) + 5, 0 } };
    ck_assert_int_eq(utimensat(AT_FDCWD, tar, later, 0), 0);
    img = solve(tar, manifest, timage);
    same_answer(&plain, &img, "archive touched");
    ck_assert_msg(img.warnings == 1 && strstr(img.warning, "stale: ") && strstr(img.warning, "another state"), "%s",
                  img.warning);
    free(img.text);
    free(plain.text);
    test_remove_dir(dir);
}
END_TEST

Suite *cargo_image_suite(void)
{
    Suite *s = suite_create("cargo_image");
    TCase *tc = tcase_create("image");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, round_trip_synthetic);
    tcase_add_test(tc, corrupt_images_are_rebuilt);
    tcase_add_test(tc, stale_images_are_rebuilt);
    tcase_add_test(tc, text_records_and_archives);
    tcase_add_test(tc, round_trip_real);
    suite_add_tcase(s, tc);
    return s;
}
