/* test_image_file.c: the registry images' hash table (image_file): every path written is found
 * with its fields and no other path is, at every table size, its entry in its slot block or in
 * the entry area; a table whose sizes, blocks or entries do not hold is refused, never read
 * past, whatever its checksums say. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include "image_file.h"

#define FIELDS 16   /* record offset u64, record length u32, the path's number u32 */
static const char magic[8] = { 'V', 'S', 'T', 'E', 'S', 'T', '!', '\n' };

#define LONG 200   /* a path this long never fits in a slot block: its entry is in the area */

/* Path number i in folder d: "d/NUMBER", and for every third number (1, 4, ...) that followed by
 * "/" and LONG x's. */
static void path_of(char *buf, size_t size, uint32_t d, uint32_t i)
{
    int n = snprintf(buf, size, "%u/%u", d, i);
    if (i % 3 == 1) {
        ck_assert(n > 0 && (size_t)n + 1 + LONG < size);
        buf[n] = '/';
        memset(buf + n + 1, 'x', LONG);
        buf[n + 1 + LONG] = '\0';
    }
}

/* An image of n paths path_of(i % 7, i) (every record the one byte at 64) written to path. */
static void write_image(const char *path, uint32_t n)
{
    char **paths = calloc(n + 1, sizeof *paths);
    unsigned char *fields = calloc(n + 1, FIELDS);
    ck_assert(paths && fields);
    for (uint32_t i = 0; i < n; i++) {
        paths[i] = malloc(32 + LONG);
        path_of(paths[i], 32 + LONG, i % 7, i);
        put_u64(fields + (size_t)i * FIELDS, IMAGE_HEADER_SIZE);
        put_u32(fields + (size_t)i * FIELDS + 8, 1);
        put_u32(fields + (size_t)i * FIELDS + 12, i);
    }
    image_buf table = { 0 };
    uint32_t blocks = 0, probe = 0;
    ck_assert_int_eq(image_table_build(&table, (const char *const *)paths, fields, n, FIELDS, &blocks, &probe), 0);
    ck_assert_uint_ge((uint64_t)blocks * IMAGE_SLOTS, 2 * (uint64_t)n);   /* at most half full */
    ck_assert(probe >= 1 && probe <= blocks);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(image_reserve_header(f), 0);
    ck_assert_int_eq(fputc('x', f), 'x');
    ck_assert_uint_eq(fwrite(table.p, 1, table.len, f), table.len);
    ck_assert_int_eq(image_write_header(f, magic, 7, 0, 0, n, IMAGE_HEADER_SIZE + 1, blocks, probe), 0);
    ck_assert_int_eq(fclose(f), 0);
    for (uint32_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(fields);
    free(table.p);
}

static int open_image(image_file *f, const char *path, vs_error *err)
{
    vs_error_clear(err);
    return image_file_open(f, path, magic, "test", 7, FIELDS, err);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *b = malloc(*len);
    ck_assert(b && fread(b, 1, *len, f) == *len);
    fclose(f);
    return b;
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

START_TEST(every_path_is_found)
{
    static const uint32_t sizes[] = { 0, 1, 6, 7, 8, 100, 4099 };
    char dir[] = "/tmp/vsolve-imgf-XXXXXX", path[64], rel[32 + LONG];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.img", dir);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint32_t n = sizes[s];
        write_image(path, n);
        image_file f;
        vs_error err;
        ck_assert_msg(open_image(&f, path, &err) == VSOLVE_OK, "%s", err.message);
        unsigned char fields[FIELDS];
        for (uint32_t i = 0; i < n; i++) {
            path_of(rel, sizeof rel, i % 7, i);
            ck_assert_int_eq(image_lookup(&f, rel, NULL, fields), IMAGE_FOUND);
            ck_assert_uint_eq(get_u32(fields + 12), i);
            path_of(rel, sizeof rel, (i + 1) % 7, i);   /* the same number elsewhere */
            ck_assert_int_eq(image_lookup(&f, rel, NULL, fields), IMAGE_ABSENT);
        }
        ck_assert_int_eq(image_lookup(&f, "none", NULL, fields), IMAGE_ABSENT);
        ck_assert_int_eq(image_lookup(&f, "", NULL, fields), IMAGE_ABSENT);
        image_file_close(&f);
    }
    unlink(path);
    rmdir(dir);
}
END_TEST

static void seal_header(unsigned char *img) { put_u32(img + 12, (uint32_t)libdeflate_crc32(0, img + 16, 48)); }

static void seal_block(unsigned char *block, uint32_t number)
{
    unsigned char no[4];
    put_u32(no, number);
    put_u32(block + IMAGE_BLOCK - 4,
            (uint32_t)libdeflate_crc32((uint32_t)libdeflate_crc32(0, block, IMAGE_BLOCK - 4), no, 4));
}

/* The image at path with its header's u32 at `at` set to v (the checksum matching): refused. */
static void header_refused(const char *path, const unsigned char *base, size_t len, size_t at, uint32_t v)
{
    unsigned char *c = malloc(len);
    memcpy(c, base, len);
    put_u32(c + at, v);
    seal_header(c);
    write_all(path, c, len);
    free(c);
    image_file f;
    vs_error err;
    ck_assert_int_eq(open_image(&f, path, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "implausible sizes"), "%s", err.message);
    image_file_close(&f);
}

START_TEST(crafted_tables_are_refused)
{
    char dir[] = "/tmp/vsolve-imgf-XXXXXX", path[64], rel[32 + LONG];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.img", dir);
    const uint32_t n = 100;
    write_image(path, n);
    size_t len = 0;
    unsigned char *base = (unsigned char *)read_all(path, &len);
    uint64_t table = get_u64(base + 32);
    uint32_t blocks = get_u32(base + 40);
    uint64_t area = table + (uint64_t)blocks * IMAGE_BLOCK;
    /* sizes the file does not back, or a lookup without bound */
    header_refused(path, base, len, 40, 3);                   /* blocks: no power of two */
    header_refused(path, base, len, 40, 1u << 20);            /* more blocks than the file holds */
    header_refused(path, base, len, 44, 0);                   /* no probe */
    header_refused(path, base, len, 44, blocks + 1);          /* a probe longer than the table */
    header_refused(path, base, len, 32, (uint32_t)len + 1);   /* the table past the end */
    header_refused(path, base, len, 28, blocks * IMAGE_SLOTS + 1);
    unsigned char *c = malloc(len), fields[FIELDS];
    image_file f;
    vs_error err;
    ck_assert_uint_gt(len, area + 2 * LONG);   /* the long paths' entries are in the area */
    /* every full slot's entry said to end past the file (in the area), or to lie in its block
     * but partly over the block's checksum, or before the block's entries (over its slots);
     * every block sealed again */
    const uint32_t refs[] = { (uint32_t)(len - area), IMAGE_INLINE | (IMAGE_BLOCK - 8u), IMAGE_INLINE | 8u };
    for (size_t bad = 0; bad < sizeof refs / sizeof refs[0]; bad++) {
        memcpy(c, base, len);
        for (uint32_t b = 0; b < blocks; b++) {
            unsigned char *blk = c + table + (uint64_t)b * IMAGE_BLOCK;
            for (int k = 0; k < IMAGE_SLOTS; k++)
                if (get_u32(blk + 8 * k))
                    put_u32(blk + 8 * k, refs[bad]);
            seal_block(blk, b);
        }
        write_all(path, c, len);
        ck_assert_int_eq(open_image(&f, path, &err), VSOLVE_OK);
        for (uint32_t i = 0; i < n; i++) {
            path_of(rel, sizeof rel, i % 7, i);
            ck_assert_int_eq(image_lookup(&f, rel, NULL, fields), IMAGE_DAMAGED);
        }
        image_file_close(&f);
    }
    /* every slot full, pointing at the first entry with a length no path looked up has: a
     * lookup stops after the longest probe (here the whole table) and finds nothing */
    memcpy(c, base, len);
    put_u32(c + 44, blocks);
    seal_header(c);
    for (uint32_t b = 0; b < blocks; b++) {
        unsigned char *blk = c + table + (uint64_t)b * IMAGE_BLOCK;
        for (int k = 0; k < IMAGE_SLOTS; k++) {
            put_u32(blk + 8 * k, k % 2 ? 1 : IMAGE_INLINE | (IMAGE_SLOTS * 8));   /* the area's, the block's */
            blk[8 * k + 4] = 4 + FIELDS + 1;
            blk[8 * k + 5] = 0;
            blk[8 * k + 6] = blk[8 * k + 7] = 0;
        }
        seal_block(blk, b);
    }
    write_all(path, c, len);
    ck_assert_int_eq(open_image(&f, path, &err), VSOLVE_OK);
    ck_assert_int_eq(image_lookup(&f, "0/0", NULL, fields), IMAGE_ABSENT);
    image_file_close(&f);
    /* an entry (checksum matching) whose record lies over the table, or is empty: in a block
     * ("0/0", which is sealed again) and in the area ("1/1/x...") */
    for (int bad = 0; bad < 4; bad++) {
        memcpy(c, base, len);
        const char *name = bad < 2 ? "0/0" : "1/1/x";
        uint32_t number = bad < 2 ? 0 : 1;
        unsigned char *e = NULL;
        for (size_t i = table + 4 + FIELDS; i + strlen(name) <= len && !e; i++)
            if (!memcmp(c + i, name, strlen(name)) && get_u32(c + i - FIELDS + 12) == number)
                e = c + i - FIELDS - 4;
        ck_assert_ptr_nonnull(e);
        ck_assert((e < c + area) == (bad < 2));
        if (bad % 2 == 0)
            put_u64(e + 4, table);
        else
            put_u32(e + 12, 0);
        size_t elen = 4 + FIELDS + (number ? 4 + LONG : 3);
        put_u32(e, (uint32_t)libdeflate_crc32(0, e + 4, elen - 4));
        if (e < c + area) {
            uint32_t b = (uint32_t)((size_t)(e - c - table) / IMAGE_BLOCK);
            seal_block(c + table + (size_t)b * IMAGE_BLOCK, b);
        }
        write_all(path, c, len);
        ck_assert_int_eq(open_image(&f, path, &err), VSOLVE_OK);
        path_of(rel, sizeof rel, number, number);
        ck_assert_int_eq(image_lookup(&f, rel, NULL, fields), IMAGE_DAMAGED);
        path_of(rel, sizeof rel, 1 - number, 1 - number);
        ck_assert_int_eq(image_lookup(&f, rel, NULL, fields), IMAGE_FOUND);
        image_file_close(&f);
    }
    /* cut short inside the entries: what is gone is damaged, never read past the end */
    write_all(path, base, (size_t)area + 10);
    ck_assert_int_eq(open_image(&f, path, &err), VSOLVE_OK);
    uint32_t found = 0;
    for (uint32_t i = 0; i < n; i++) {
        path_of(rel, sizeof rel, i % 7, i);
        image_lookup_answer a = image_lookup(&f, rel, NULL, fields);
        if (i % 3 == 1) {   /* the area's entries: gone */
            ck_assert_int_ne(a, IMAGE_FOUND);
        } else {            /* the blocks' own: found, or damaged where a block refers past the end */
            ck_assert(a == IMAGE_FOUND || a == IMAGE_DAMAGED);
            if (a == IMAGE_FOUND)
                ck_assert_uint_eq(get_u32(fields + 12), i);
            found += a == IMAGE_FOUND;
        }
    }
    ck_assert_uint_gt(found, 0);
    image_file_close(&f);
    free(c);
    free(base);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *image_file_suite(void)
{
    Suite *s = suite_create("image_file");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_path_is_found);
    tcase_add_test(tc, crafted_tables_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
