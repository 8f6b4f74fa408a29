/* test_repo_source.c: directory walks and tar / tar.gz streaming, from hand-built archives to the opam snapshot. */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "repo_source.h"
#include "testutil.h"

/* ---- building archives byte by byte ---- */

typedef struct bytes {
    unsigned char *data;
    size_t len, cap;
} bytes;

static void bytes_add(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 1024;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void bytes_pad_to_block(bytes *b)
{
    static const unsigned char zeros[512];
    bytes_add(b, zeros, (512 - b->len % 512) % 512);
}

typedef enum { MAGIC_POSIX, MAGIC_GNU } tar_magic;

/* Fills a ustar header; the checksum is computed by add_header, after any tweak. */
static void make_header(unsigned char h[512], const char *name, char type, uint64_t size, tar_magic magic)
{
    memset(h, 0, 512);
    memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    memcpy(h + 136, "00000000000", 12);
    h[156] = (unsigned char)type;
    if (magic == MAGIC_POSIX)
        memcpy(h + 257, "ustar\0" "00", 8);
    else
        memcpy(h + 257, "ustar  \0", 8);
}

static void add_header(bytes *b, unsigned char h[512])
{
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);  /* six digits, NUL, then the space kept */
    bytes_add(b, h, 512);
}

static void add_member(bytes *b, const char *name, char type, const void *data, size_t len, tar_magic magic)
{
    unsigned char h[512];
    make_header(h, name, type, len, magic);
    add_header(b, h);
    bytes_add(b, data, len);
    bytes_pad_to_block(b);
}

static void add_file(bytes *b, const char *name, const char *content)
{
    add_member(b, name, '0', content, strlen(content), MAGIC_POSIX);
}

/* A pax record "LEN key=value\n", where LEN counts the whole record including itself. */
static void add_pax_record(bytes *b, const char *key, const char *value)
{
    size_t body = 1 + strlen(key) + 1 + strlen(value) + 1;
    size_t len = body + 1;
    while (len != body + (size_t)snprintf(NULL, 0, "%zu", len))
        len = body + (size_t)snprintf(NULL, 0, "%zu", len);
    char *rec = malloc(len + 1);
    snprintf(rec, len + 1, "%zu %s=%s\n", len, key, value);
    ck_assert_uint_eq(strlen(rec), len);
    bytes_add(b, rec, len);
    free(rec);
}

static void add_end(bytes *b)
{
    static const unsigned char zeros[1024];
    bytes_add(b, zeros, sizeof zeros);
}

static bytes gzip_bytes(const unsigned char *data, size_t len)
{
    z_stream z = { 0 };
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    bytes out = { 0 };
    out.cap = deflateBound(&z, len) + 64;
    out.data = malloc(out.cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out.data;
    z.avail_out = (uInt)out.cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.len = out.cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* ---- collecting what a walk hands out ---- */

typedef struct seen {
    int n;
    char *paths[64];
    char *data[64];
    size_t lens[64];
    int stop_at;          /* when > 0, on_file returns an error on that file (1-based) */
    const char *reject;   /* want() says no to this path */
    int asked;            /* want() calls */
} seen;

static int seen_want(void *user, const char *path)
{
    seen *s = user;
    s->asked++;
    return !(s->reject && strcmp(path, s->reject) == 0);
}

static int seen_file(void *user, const char *path, const char *data, size_t len)
{
    seen *s = user;
    ck_assert_int_lt(s->n, 64);
    ck_assert_int_eq(data[len], '\0');
    s->paths[s->n] = strdup(path);
    s->data[s->n] = malloc(len + 1);
    memcpy(s->data[s->n], data, len + 1);
    s->lens[s->n] = len;
    s->n++;
    return s->stop_at == s->n ? VSOLVE_EUSAGE : VSOLVE_OK;
}

static void seen_free(seen *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->paths[i]);
        free(s->data[i]);
    }
    s->n = 0;
}

static int walk_memory(const bytes *b, size_t len, int gzipped, seen *s, vs_error *err)
{
    vs_error_clear(err);
    /* An exactly-sized copy, so AddressSanitizer sees any read past the end. */
    unsigned char *copy = malloc(len ? len : 1);
    memcpy(copy, b->data, len);
    int rc = repo_source_walk_tar_memory("mem.tar", copy, len, gzipped, 0, seen_want, seen_file, s, err);
    free(copy);
    return rc;
}

static void assert_file(const seen *s, int i, const char *path, const char *content)
{
    ck_assert_int_gt(s->n, i);
    ck_assert_str_eq(s->paths[i], path);
    ck_assert_uint_eq(s->lens[i], strlen(content));
    ck_assert_str_eq(s->data[i], content);
}

static char *pattern(size_t n, unsigned seed)
{
    char *p = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('a' + (i * 7 + seed) % 26);
    p[n] = '\0';
    return p;
}

/* An archive with one of everything: plain members, skipped kinds, long names, pax, base-256. */
static bytes sample_archive(void)
{
    bytes b = { 0 };
    unsigned char h[512];
    add_member(&b, "pkg/", '5', NULL, 0, MAGIC_POSIX);
    add_file(&b, "pkg/b.txt", "hello\n");
    add_member(&b, "pkg/empty", '0', NULL, 0, MAGIC_GNU);
    make_header(h, "pkg/link", '2', 0, MAGIC_POSIX);
    memcpy(h + 157, "b.txt", 5);
    add_header(&b, h);
    make_header(h, "pkg/hard", '1', 0, MAGIC_POSIX);
    memcpy(h + 157, "pkg/b.txt", 9);
    add_header(&b, h);
    add_member(&b, "pkg/fifo", '6', NULL, 0, MAGIC_POSIX);
    char *big = pattern(1300, 1);
    add_member(&b, "pkg/big", '0', big, 1300, MAGIC_POSIX);
    free(big);
    add_member(&b, "old-style-dir/", '\0', NULL, 0, MAGIC_GNU);

    /* GNU long name: the next member's name is the data of an 'L' member. */
    char long_name[301];
    memset(long_name, 'n', 300);
    memcpy(long_name, "long/", 5);
    long_name[300] = '\0';
    add_member(&b, "././@LongLink", 'L', long_name, 301, MAGIC_GNU);
    make_header(h, long_name, '0', 4, MAGIC_GNU);  /* the header keeps the first 100 bytes */
    add_header(&b, h);
    bytes_add(&b, "gnu\n", 4);
    bytes_pad_to_block(&b);

    /* ustar prefix + name. */
    make_header(h, "opam", '0', 3, MAGIC_POSIX);
    memcpy(h + 345, "opam-repository/packages/a-package/a-package.1.0.0", 50);
    add_header(&b, h);
    bytes_add(&b, "pfx", 3);
    bytes_pad_to_block(&b);

    /* pax: a global header (ignored), then path= and size= for the next member only. */
    bytes pax = { 0 };
    add_pax_record(&pax, "comment", "global, ignored");
    add_member(&b, "pax_global_header", 'g', pax.data, pax.len, MAGIC_POSIX);
    pax.len = 0;
    char pax_path[201];
    memset(pax_path, 'p', 200);
    memcpy(pax_path, "pax/", 4);
    pax_path[200] = '\0';
    add_pax_record(&pax, "mtime", "1700000000.5");
    add_pax_record(&pax, "path", pax_path);
    add_pax_record(&pax, "size", "11");
    add_member(&b, "PaxHeaders/x", 'x', pax.data, pax.len, MAGIC_POSIX);
    free(pax.data);
    make_header(h, "truncated-name-from-ustar", '0', 0, MAGIC_POSIX);  /* size comes from pax */
    add_header(&b, h);
    bytes_add(&b, "hello world", 11);
    bytes_pad_to_block(&b);
    add_file(&b, "after-pax", "own name");

    /* GNU base-256 size. */
    char *b256 = pattern(700, 2);
    make_header(h, "base256", '0', 0, MAGIC_GNU);
    memset(h + 124, 0, 12);
    h[124] = 0x80;
    h[134] = 700 >> 8;
    h[135] = 700 & 0xFF;
    add_header(&b, h);
    bytes_add(&b, b256, 700);
    bytes_pad_to_block(&b);
    free(b256);
    add_file(&b, "last", "end");
    add_end(&b);
    return b;
}

static void assert_sample_files(const seen *s)
{
    ck_assert_int_eq(s->n, 9);  /* the regular files only */
    assert_file(s, 0, "pkg/b.txt", "hello\n");
    assert_file(s, 1, "pkg/empty", "");
    char *big = pattern(1300, 1);
    assert_file(s, 2, "pkg/big", big);
    free(big);
    ck_assert_uint_eq(strlen(s->paths[3]), 300);
    ck_assert(strncmp(s->paths[3], "long/nnn", 8) == 0);
    assert_file(s, 3, s->paths[3], "gnu\n");
    assert_file(s, 4, "opam-repository/packages/a-package/a-package.1.0.0/opam", "pfx");
    ck_assert_uint_eq(strlen(s->paths[5]), 200);
    ck_assert(strncmp(s->paths[5], "pax/ppp", 7) == 0);
    assert_file(s, 5, s->paths[5], "hello world");
    assert_file(s, 6, "after-pax", "own name");
    char *b256 = pattern(700, 2);
    assert_file(s, 7, "base256", b256);
    free(b256);
    assert_file(s, 8, "last", "end");
}

START_TEST(test_tar_members)
{
    bytes b = sample_archive();
    seen s = { 0 };
    vs_error err;
    int rc = walk_memory(&b, b.len, 0, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    assert_sample_files(&s);
    ck_assert_int_eq(s.asked, 9);  /* want() is asked about regular files only */
    seen_free(&s);

    /* Rejected files are skipped without disturbing the ones after them. */
    s.reject = "pkg/big";
    rc = walk_memory(&b, b.len, 0, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(s.n, 8);
    assert_file(&s, 2, s.paths[2], "gnu\n");
    assert_file(&s, 7, "last", "end");
    seen_free(&s);

    /* A callback's error stops the walk and is returned as is. */
    seen stop = { .stop_at = 2 };
    rc = walk_memory(&b, b.len, 0, &stop, &err);
    ck_assert_int_eq(rc, VSOLVE_EUSAGE);
    ck_assert_int_eq(stop.n, 2);
    seen_free(&stop);

    /* The same archive gzipped. */
    s.reject = NULL;
    bytes gz = gzip_bytes(b.data, b.len);
    rc = walk_memory(&gz, gz.len, 1, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(s.n, 9);
    assert_file(&s, 8, "last", "end");
    seen_free(&s);

    /* Two gzip members back to back (as pigz and `cat a.gz b.gz` make) are one stream. */
    bytes first = gzip_bytes(b.data, 2048), second = gzip_bytes(b.data + 2048, b.len - 2048);
    bytes both = { 0 };
    bytes_add(&both, first.data, first.len);
    bytes_add(&both, second.data, second.len);
    rc = walk_memory(&both, both.len, 1, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(s.n, 9);
    seen_free(&s);

    /* Each member's trailer is checked: its crc32 (the first member's here), then its size. */
    both.data[first.len - 8] ^= 1;
    ck_assert_int_eq(walk_memory(&both, both.len, 1, &s, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "corrupt gzip data (incorrect data check)"), "%s", err.message);
    seen_free(&s);
    both.data[first.len - 8] ^= 1;
    both.data[both.len - 4] ^= 1;
    ck_assert_int_eq(walk_memory(&both, both.len, 1, &s, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "corrupt gzip data (incorrect length check)"), "%s", err.message);
    seen_free(&s);

    /* A zlib stream (not gzip) is read too, its adler32 checked. */
    uLongf zlen = compressBound((uLong)b.len);
    bytes zs = { malloc(zlen), 0, zlen };
    ck_assert_int_eq(compress(zs.data, &zlen, b.data, (uLong)b.len), Z_OK);
    zs.len = zlen;
    rc = walk_memory(&zs, zs.len, 1, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(s.n, 9);
    seen_free(&s);
    zs.data[zs.len - 1] ^= 1;
    ck_assert_int_eq(walk_memory(&zs, zs.len, 1, &s, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "corrupt gzip data (incorrect data check)"), "%s", err.message);
    seen_free(&s);
    free(zs.data);
    free(first.data);
    free(second.data);
    free(both.data);
    free(gz.data);
    free(b.data);
}
END_TEST

static void assert_walk_fails(const bytes *b, const char *fragment1, const char *fragment2)
{
    seen s = { 0 };
    vs_error err;
    int rc = walk_memory(b, b->len, 0, &s, &err);
    ck_assert_int_eq(rc, VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, fragment1), "<%s> lacks <%s>", err.message, fragment1);
    if (fragment2)
        ck_assert_msg(strstr(err.message, fragment2), "<%s> lacks <%s>", err.message, fragment2);
    seen_free(&s);
}

START_TEST(test_tar_corruption)
{
    unsigned char h[512];
    bytes b = { 0 };
    add_file(&b, "first.txt", "1");
    make_header(h, "second.txt", '0', 1, MAGIC_POSIX);
    add_header(&b, h);
    b.data[1024 + 148] ^= 1;  /* damage the stored checksum */
    bytes_add(&b, "2", 1);
    bytes_pad_to_block(&b);
    add_end(&b);
    assert_walk_fails(&b, "mem.tar: corrupt archive: header checksum mismatch at byte 1024",
                      "after member 'first.txt'");

    b.len = 0;
    make_header(h, "x", '0', 1, MAGIC_POSIX);
    memcpy(h + 124, "0000000001x", 12);
    add_header(&b, h);
    bytes_add(&b, "x", 1);
    bytes_pad_to_block(&b);
    add_end(&b);
    assert_walk_fails(&b, "bad size field at byte 0 (first header)", NULL);

    /* A header after a single zero block, and an archive without its end blocks. */
    b.len = 0;
    add_file(&b, "a", "a");
    bytes_add(&b, (unsigned char[512]){ 0 }, 512);
    add_file(&b, "b", "b");
    add_end(&b);
    assert_walk_fails(&b, "a lone zero block followed by a header at byte 1536", "after member 'a'");
    b.len = 0;
    add_file(&b, "a", "a");
    assert_walk_fails(&b, "truncated archive: no end-of-archive blocks at byte 1024", NULL);

    /* Malformed pax records. */
    const char *bad_pax[] = { "5 a=b\n", "x path=a\n", "9 path=a", "8 patha\n", "100 path=a\n", "11 size=1x\n" };
    for (size_t i = 0; i < sizeof bad_pax / sizeof *bad_pax; i++) {
        b.len = 0;
        add_member(&b, "PaxHeaders/a", 'x', bad_pax[i], strlen(bad_pax[i]), MAGIC_POSIX);
        add_file(&b, "a", "a");
        add_end(&b);
        assert_walk_fails(&b, "malformed pax", NULL);
    }

    /* A huge declared size neither allocates it nor hangs: the data simply is not there. */
    b.len = 0;
    make_header(h, "huge", '0', 0, MAGIC_GNU);
    memset(h + 124, 0, 12);
    h[124] = 0x80;
    h[128] = 0x40;  /* 2^62 bytes */
    add_header(&b, h);
    add_end(&b);
    assert_walk_fails(&b, "truncated archive: member 'huge' (header at byte 0) has 4611686018427387904 bytes", NULL);
    b.len = 0;
    h[124] = 0xFF;
    add_header(&b, h);
    add_end(&b);
    assert_walk_fails(&b, "bad size field", NULL);

    /* A GNU long name larger than any real one is refused before it is read. */
    b.len = 0;
    make_header(h, "././@LongLink", 'L', 2u << 20, MAGIC_GNU);
    add_header(&b, h);
    add_end(&b);
    assert_walk_fails(&b, "long name or pax header too large at byte 0", NULL);

    /* An empty GNU long name leaves an empty member name. */
    b.len = 0;
    add_member(&b, "././@LongLink", 'L', NULL, 0, MAGIC_GNU);
    add_file(&b, "a", "a");
    add_end(&b);
    assert_walk_fails(&b, "member with an empty name at byte 512", NULL);

    /* Corrupt gzip data is reported, never silently truncated. */
    b.len = 0;
    add_file(&b, "a", "some text that compresses");
    add_end(&b);
    bytes gz = gzip_bytes(b.data, b.len);
    for (size_t at = 10; at < gz.len; at++) {
        gz.data[at] ^= 0xFF;
        seen s = { 0 };
        vs_error err;
        ck_assert_msg(walk_memory(&gz, gz.len, 1, &s, &err) == VSOLVE_EBADINPUT, "flip at %zu", at);
        seen_free(&s);
        gz.data[at] ^= 0xFF;
    }
    seen s = { 0 };
    vs_error err;
    ck_assert_int_eq(walk_memory(&b, b.len, 1, &s, &err), VSOLVE_EBADINPUT);  /* not gzip at all */
    ck_assert_msg(strstr(err.message, "corrupt gzip data"), "%s", err.message);
    free(gz.data);
    free(b.data);
}
END_TEST

/* An empty file as the very first data handed out (no data buffer exists yet). */
START_TEST(test_tar_first_file_empty)
{
    bytes b = { 0 };
    add_member(&b, "empty", '0', NULL, 0, MAGIC_POSIX);
    add_end(&b);
    seen s = { 0 };
    vs_error err;
    ck_assert_int_eq(walk_memory(&b, b.len, 0, &s, &err), VSOLVE_OK);
    ck_assert_int_eq(s.n, 1);
    assert_file(&s, 0, "empty", "");
    seen_free(&s);
    free(b.data);
}
END_TEST

/* Inputs libFuzzer (tests/fuzz/fuzz_tar.c) found crashing, minimized. */
START_TEST(test_fuzz_regressions)
{
    /* One header block, all zero but two 0x80 bytes: its signed checksum is 0, matching the
     * all-NUL checksum field; a regular file with an empty name and no data, handed out before
     * any data buffer existed (a NULL write). Now: an error for the empty name. */
    bytes b = { 0 };
    unsigned char h[512] = { 0 };
    h[118] = 0x80;
    h[204] = 0x80;
    bytes_add(&b, h, sizeof h);
    assert_walk_fails(&b, "mem.tar: corrupt archive: member with an empty name at byte 0", NULL);
    free(b.data);
}
END_TEST

START_TEST(test_tar_truncated_at_every_offset)
{
    bytes b = sample_archive();
    for (size_t cut = 0; cut < b.len; cut++) {
        seen s = { 0 };
        vs_error err;
        int rc = walk_memory(&b, cut, 0, &s, &err);
        ck_assert_msg(rc == VSOLVE_EBADINPUT, "cut at %zu: rc %d", cut, rc);
        ck_assert_msg(strstr(err.message, "mem.tar: truncated archive") && strstr(err.message, "byte "),
                      "cut at %zu: %s", cut, err.message);
        ck_assert_int_le(s.n, 9);
        if (s.n > 0)  /* what was delivered before the cut is intact */
            ck_assert_uint_eq(s.lens[0], 6);
        seen_free(&s);
    }
    bytes gz = gzip_bytes(b.data, b.len);
    for (size_t cut = 0; cut < gz.len; cut++) {
        seen s = { 0 };
        vs_error err;
        int rc = walk_memory(&gz, cut, 1, &s, &err);
        ck_assert_msg(rc == VSOLVE_EBADINPUT, "gzip cut at %zu: rc %d", cut, rc);
        ck_assert_msg(strstr(err.message, "truncated"), "gzip cut at %zu: %s", cut, err.message);
        seen_free(&s);
    }
    free(gz.data);
    free(b.data);
}
END_TEST

/* ---- files and directories on disk ---- */

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void make_dir(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            remove_tree(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int walk_path(const char *path, seen *s, vs_error *err)
{
    vs_error_clear(err);
    return repo_source_walk(path, 0, seen_want, seen_file, s, err);
}

START_TEST(test_archives_on_disk)
{
    char dir[] = "/tmp/vsolve-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    bytes b = sample_archive();
    bytes gz = gzip_bytes(b.data, b.len);
    write_file(dir, "a.tar", b.data, b.len);
    write_file(dir, "a.tar.gz", gz.data, gz.len);
    write_file(dir, "a.tgz", gz.data, gz.len);
    write_file(dir, "cut.tar.gz", gz.data, gz.len / 2);
    write_file(dir, "a.zip", "PK", 2);
    char path[4096];
    const char *names[] = { "a.tar", "a.tar.gz", "a.tgz" };
    for (int i = 0; i < 3; i++) {
        seen s = { 0 };
        vs_error err;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int rc = walk_path(path, &s, &err);
        ck_assert_msg(rc == VSOLVE_OK, "%s: %s", names[i], err.message);
        ck_assert_int_eq(s.n, 9);
        assert_file(&s, 4, "opam-repository/packages/a-package/a-package.1.0.0/opam", "pfx");
        seen_free(&s);
    }
    seen s = { 0 };
    vs_error err;
    snprintf(path, sizeof path, "%s/cut.tar.gz", dir);
    ck_assert_int_eq(walk_path(path, &s, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "cut.tar.gz: truncated gzip data at byte "), "%s", err.message);
    seen_free(&s);
    snprintf(path, sizeof path, "%s/a.zip", dir);
    ck_assert_int_eq(walk_path(path, &s, &err), VSOLVE_EUSAGE);
    snprintf(path, sizeof path, "%s/missing.tar", dir);
    ck_assert_int_eq(walk_path(path, &s, &err), VSOLVE_EIO);
    ck_assert_int_eq(s.n, 0);

    /* repo_read_file: plain, gzipped (also two members), truncated, missing. */
    size_t len = 0;
    char *data = repo_read_file(path, 0, &len, &err);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(err.code, VSOLVE_EIO);
    snprintf(path, sizeof path, "%s/a.tar", dir);
    data = repo_read_file(path, 0, &len, &err);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, b.len);
    ck_assert_int_eq(memcmp(data, b.data, len), 0);
    ck_assert_int_eq(data[len], '\0');
    free(data);
    snprintf(path, sizeof path, "%s/a.tar.gz", dir);
    data = repo_read_file(path, 0, &len, &err);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, b.len);
    ck_assert_int_eq(memcmp(data, b.data, len), 0);
    free(data);
    bytes part1 = gzip_bytes((const unsigned char *)"hello ", 6), part2 = gzip_bytes((const unsigned char *)"world", 5);
    bytes two = { 0 };
    bytes_add(&two, part1.data, part1.len);
    bytes_add(&two, part2.data, part2.len);
    write_file(dir, "two.txt.gz", two.data, two.len);
    snprintf(path, sizeof path, "%s/two.txt.gz", dir);
    data = repo_read_file(path, 0, &len, &err);
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(data, "hello world");
    free(data);
    write_file(dir, "empty.gz", "", 0);
    snprintf(path, sizeof path, "%s/empty.gz", dir);
    ck_assert_ptr_null(repo_read_file(path, 0, &len, &err));
    ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
    snprintf(path, sizeof path, "%s/cut.tar.gz", dir);
    ck_assert_ptr_null(repo_read_file(path, 0, &len, &err));
    ck_assert_msg(strstr(err.message, "truncated gzip data"), "%s", err.message);

    free(part1.data);
    free(part2.data);
    free(two.data);
    free(gz.data);
    free(b.data);
    remove_tree(dir);
}
END_TEST

/* A staged walk's slot: a copy of the member made by prepare (on either thread). */
typedef struct staged_slot {
    char *data;
    size_t len;
} staged_slot;

typedef struct staged {
    seen s;                     /* filled by take, on the calling thread */
    pthread_t caller;           /* the thread that called the walk */
    atomic_int prepared[2];     /* prepare calls per worker (0: reading thread, 1: calling thread) */
    atomic_int slots;
    int released;
} staged;

static int staged_want(void *user, const char *path)
{
    return seen_want(&((staged *)user)->s, path);
}

static void staged_prepare(void *user, int worker, void **slot, const char *path, const char *data, size_t len)
{
    staged *st = user;
    staged_slot *sl = *slot;
    ck_assert(worker == 0 || worker == 1);
    if (worker == 1)   /* the calling thread's share */
        ck_assert(pthread_equal(pthread_self(), st->caller));
    st->prepared[worker]++;
    if (!sl) {
        sl = *slot = calloc(1, sizeof *sl);
        ck_assert_ptr_nonnull(sl);
        st->slots++;
    }
    ck_assert_ptr_nonnull(path);
    ck_assert_int_eq(data[len], '\0');
    free(sl->data);
    sl->data = malloc(len + 1);
    ck_assert_ptr_nonnull(sl->data);
    memcpy(sl->data, data, len + 1);
    sl->len = len;
}

static int staged_take(void *user, void *slot, const char *path)
{
    staged *st = user;
    const staged_slot *sl = slot;
    return seen_file(&st->s, path, sl->data, sl->len);
}

static void staged_release(void *user, void *slot)
{
    staged *st = user;
    staged_slot *sl = slot;
    st->released++;
    free(sl->data);
    free(sl);
}

/* The pipelined walk (inflating on a second thread) and the staged walk (prepare there too)
 * hand out the same files in the same order as the plain walk, and fail the same way: whole
 * archives, an archive cut at many points, on_file stopping at each file, a missing file. */
static void assert_same_walk(const char *path, int stop_at)
{
    staged c = { .s = { .stop_at = stop_at }, .caller = pthread_self() };
    vs_error ec;
    vs_error_clear(&ec);
    repo_stages stages = { staged_want, staged_prepare, staged_take, staged_release, &c };
    int rc = repo_source_walk_staged(path, 0, &stages, &ec);
    ck_assert_int_eq(c.released, c.slots);   /* every slot freed */
    ck_assert_int_ge(c.prepared[0] + c.prepared[1], c.s.n);     /* prepared ahead, at most */
    seen a = { .stop_at = stop_at }, b = { .stop_at = stop_at };
    vs_error ea, eb;
    vs_error_clear(&ea);
    vs_error_clear(&eb);
    int ra = repo_source_walk(path, 0, seen_want, seen_file, &a, &ea);
    int rb = repo_source_walk_pipelined(path, 0, seen_want, seen_file, &b, &eb);
    ck_assert_msg(ra == rb, "%s (stop at %d): rc %d vs %d (%s | %s)", path, stop_at, ra, rb, ea.message, eb.message);
    ck_assert_str_eq(ea.message, eb.message);
    ck_assert_msg(ra == rc, "%s (stop at %d): rc %d vs staged %d (%s | %s)", path, stop_at, ra, rc, ea.message, ec.message);
    ck_assert_str_eq(ea.message, ec.message);
    ck_assert_int_eq(a.n, b.n);
    ck_assert_int_eq(a.n, c.s.n);
    for (int i = 0; i < a.n; i++) {
        ck_assert_str_eq(a.paths[i], b.paths[i]);
        ck_assert_uint_eq(a.lens[i], b.lens[i]);
        ck_assert_int_eq(memcmp(a.data[i], b.data[i], a.lens[i] + 1), 0);
        ck_assert_str_eq(a.paths[i], c.s.paths[i]);
        ck_assert_uint_eq(a.lens[i], c.s.lens[i]);
        ck_assert_int_eq(memcmp(a.data[i], c.s.data[i], a.lens[i] + 1), 0);
    }
    seen_free(&a);
    seen_free(&b);
    seen_free(&c.s);
}

START_TEST(test_pipelined_walk)
{
    char dir[] = "/tmp/vsolve-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    bytes b = sample_archive();
    bytes gz = gzip_bytes(b.data, b.len);
    write_file(dir, "a.tar", b.data, b.len);
    write_file(dir, "a.tar.gz", gz.data, gz.len);
    char path[4096];
    for (int stop = 0; stop <= 10; stop++) {
        snprintf(path, sizeof path, "%s/a.tar", dir);
        assert_same_walk(path, stop);
        snprintf(path, sizeof path, "%s/a.tar.gz", dir);
        assert_same_walk(path, stop);
    }
    for (size_t cut = 0; cut < b.len; cut += 97) {
        write_file(dir, "cut.tar", b.data, cut);
        snprintf(path, sizeof path, "%s/cut.tar", dir);
        assert_same_walk(path, 0);
    }
    for (size_t cut = 0; cut < gz.len; cut += 7) {
        write_file(dir, "cut.tar.gz", gz.data, cut);
        snprintf(path, sizeof path, "%s/cut.tar.gz", dir);
        assert_same_walk(path, 0);
    }
    snprintf(path, sizeof path, "%s/missing.tar.gz", dir);
    assert_same_walk(path, 0);
    assert_same_walk(dir, 0);   /* a directory: the plain walk */
    free(gz.data);
    free(b.data);
    remove_tree(dir);
}
END_TEST

/* A staged walk of many members, whose take waits on its first file until the reading thread
 * has prepared one: both threads prepare (the calling thread the first PIPE_SHARE_BACKLOG raw
 * members, the reading thread some after them), and take still sees every member, in order. */
typedef struct shared_walk {
    staged st;   /* first: staged_prepare and staged_release take it as theirs */
    int n;
    uint64_t hash;   /* FNV-1a over every path and content, in order */
} shared_walk;

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static int shared_take(void *user, void *slot, const char *path)
{
    shared_walk *w = user;
    const staged_slot *sl = slot;
    /* at most about 10 s: the reading thread needs nothing from this one to get there */
    for (long i = 0; w->n == 0 && atomic_load(&w->st.prepared[0]) == 0 && i < 100000; i++) {
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
    }
    w->n++;
    w->hash = fnv(fnv(w->hash, path, strlen(path) + 1), sl->data, sl->len);
    return VSOLVE_OK;
}

static int hash_file(void *user, const char *path, const char *data, size_t len)
{
    shared_walk *w = user;
    w->n++;
    w->hash = fnv(fnv(w->hash, path, strlen(path) + 1), data, len);
    return VSOLVE_OK;
}

START_TEST(test_staged_walk_shares)
{
    char dir[] = "/tmp/vsolve-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    bytes b = { 0 };
    char name[64];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "pkg/m%03d", i);
        char *content = pattern((size_t)(i * 13 % 700), (unsigned)i);
        add_file(&b, name, content);
        free(content);
    }
    add_end(&b);
    bytes gz = gzip_bytes(b.data, b.len);
    write_file(dir, "many.tar.gz", gz.data, gz.len);
    char path[4096];
    snprintf(path, sizeof path, "%s/many.tar.gz", dir);
    shared_walk plain = { .hash = 14695981039346656037ULL };
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(repo_source_walk(path, 0, NULL, hash_file, &plain, &err), VSOLVE_OK);
    ck_assert_int_eq(plain.n, 200);
    shared_walk w = { .st = { .caller = pthread_self() }, .hash = 14695981039346656037ULL };
    repo_stages stages = { NULL, staged_prepare, shared_take, staged_release, &w };
    ck_assert_int_eq(repo_source_walk_staged(path, 0, &stages, &err), VSOLVE_OK);
    ck_assert_int_eq(w.n, 200);
    ck_assert_uint_eq(w.hash, plain.hash);
    ck_assert_int_gt(w.st.prepared[0], 0);
    ck_assert_int_gt(w.st.prepared[1], 0);
    ck_assert_int_eq(w.st.prepared[0] + w.st.prepared[1], 200);
    ck_assert_int_eq(w.st.released, w.st.slots);
    free(gz.data);
    free(b.data);
    remove_tree(dir);
}
END_TEST

START_TEST(test_directory_source)
{
    char dir[] = "/tmp/vsolve-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    make_dir(dir, "b");
    make_dir(dir, "c");
    make_dir(dir, "c/d");
    make_dir(dir, "c/d/e");
    write_file(dir, "b/z.txt", "z", 1);
    write_file(dir, "b/a.txt", "ba", 2);
    write_file(dir, "c/d/e/opam", "opam-version: \"2.0\"\n", 20);
    write_file(dir, "a.txt", "a", 1);
    write_file(dir, "B.txt", "B", 1);
    write_file(dir, "empty", "", 0);
    char path[4096], target[4096];
    snprintf(path, sizeof path, "%s/link-dir", dir);
    snprintf(target, sizeof target, "%s/b", dir);
    ck_assert_int_eq(symlink(target, path), 0);
    snprintf(path, sizeof path, "%s/link-file", dir);
    ck_assert_int_eq(symlink("a.txt", path), 0);
    snprintf(path, sizeof path, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(path, 0644), 0);  /* opening it would block: it must be skipped */

    seen s = { 0 };
    vs_error err;
    int rc = walk_path(dir, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(s.n, 6);
    assert_file(&s, 0, "B.txt", "B");
    assert_file(&s, 1, "a.txt", "a");
    assert_file(&s, 2, "b/a.txt", "ba");
    assert_file(&s, 3, "b/z.txt", "z");
    assert_file(&s, 4, "c/d/e/opam", "opam-version: \"2.0\"\n");
    assert_file(&s, 5, "empty", "");
    seen_free(&s);

    /* A trailing slash on the root changes nothing; want() filters; a callback error stops. */
    snprintf(path, sizeof path, "%s//", dir);
    s.reject = "b/a.txt";
    rc = walk_path(path, &s, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_int_eq(s.n, 5);
    assert_file(&s, 2, "b/z.txt", "z");
    seen_free(&s);
    seen stop = { .stop_at = 3 };
    ck_assert_int_eq(walk_path(dir, &stop, &err), VSOLVE_EUSAGE);
    ck_assert_int_eq(stop.n, 3);
    seen_free(&stop);

    remove_tree(dir);
}
END_TEST

/* ---- the real opam-repository snapshot ---- */

typedef struct opam_count {
    size_t members, opam_files, bad;
    uint64_t hash;   /* FNV-1a over every path and content, in order */
} opam_count;

static int want_opam(void *user, const char *path)
{
    opam_count *c = user;
    c->members++;
    size_t n = strlen(path);
    return n >= 5 && strcmp(path + n - 5, "/opam") == 0;
}

static int count_opam(void *user, const char *path, const char *data, size_t len)
{
    opam_count *c = user;
    c->opam_files++;
    uint64_t h = c->hash ? c->hash : 14695981039346656037ULL;
    for (const char *q = path; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
    c->hash = h;
    if (strncmp(path, "opam-repository/packages/", 25) != 0 || len == 0 || data[len] != '\0' ||
        strlen(data) != len)
        c->bad++;
    return VSOLVE_OK;
}

START_TEST(test_opam_snapshot)
{
    const char *path = test_corpus_path("opam-repository-2026-08-22.tar.gz");
    if (!path)
        return;
    opam_count c = { 0 };
    vs_error err;
    vs_error_clear(&err);
    int rc = repo_source_walk(path, 0, want_opam, count_opam, &c, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(c.opam_files, 18793);
    ck_assert_uint_eq(c.bad, 0);
    ck_assert_uint_gt(c.members, c.opam_files);  /* files, patches, the repo file */
    opam_count p = { 0 };
    rc = repo_source_walk_pipelined(path, 0, want_opam, count_opam, &p, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(p.opam_files, c.opam_files);
    ck_assert_uint_eq(p.bad, 0);
    ck_assert_uint_eq(p.members, c.members);
    ck_assert_uint_eq(p.hash, c.hash);   /* the same files in the same order */
}
END_TEST

Suite *repo_source_suite(void);
Suite *repo_source_suite(void)
{
    Suite *s = suite_create("repo_source");
    TCase *tc = tcase_create("tar");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tar_members);
    tcase_add_test(tc, test_tar_corruption);
    tcase_add_test(tc, test_tar_first_file_empty);
    tcase_add_test(tc, test_fuzz_regressions);
    tcase_add_test(tc, test_tar_truncated_at_every_offset);
    suite_add_tcase(s, tc);
    TCase *disk = tcase_create("disk");
    tcase_add_test(disk, test_archives_on_disk);
    tcase_add_test(disk, test_directory_source);
    tcase_add_test(disk, test_pipelined_walk);
    tcase_add_test(disk, test_staged_walk_shares);
    suite_add_tcase(s, disk);
    TCase *corpus = tcase_create("corpus");
    tcase_set_timeout(corpus, 300);
    tcase_add_test(corpus, test_opam_snapshot);
    suite_add_tcase(s, corpus);
    return s;
}
