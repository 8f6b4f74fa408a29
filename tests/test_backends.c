/* test_backends.c: the pull backend: lock reading, safe unpacking, cache layout, verification
 * before unpacking, atomic duniverse replacement, nix store names; archives built here with
 * libarchive's writer so that every unsafe case is exact. */
#include <archive.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <archive_entry.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hash.h"
#include "lock_read.h"
#include "nix_preseed.h"
#include "testutil.h"
#include "unpack.h"
#include "workspace.h"

typedef struct entry {
    const char *path;
    char type;             /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c' char device */
    const char *data;      /* file contents, or the link target */
} entry;

/* Writes an archive: format "tar.gz", "tar.bz2", "tar.xz", "zip". */
static void write_archive(const char *path, const char *format, const entry *es, size_t n)
{
    struct archive *a = archive_write_new();
    if (!strcmp(format, "zip"))
        archive_write_set_format_zip(a);
    else {
        archive_write_set_format_pax_restricted(a);
        if (!strcmp(format, "tar.gz"))
            archive_write_add_filter_gzip(a);
        else if (!strcmp(format, "tar.bz2"))
            archive_write_add_filter_bzip2(a);
        else
            archive_write_add_filter_xz(a);
    }
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, es[i].path);
        archive_entry_set_mtime(e, 1600000000, 0);
        size_t len = es[i].type == 'f' ? strlen(es[i].data) : 0;
        switch (es[i].type) {
        case 'f': archive_entry_set_filetype(e, AE_IFREG), archive_entry_set_perm(e, 0644); break;
        case 'd': archive_entry_set_filetype(e, AE_IFDIR), archive_entry_set_perm(e, 0755); break;
        case 'l': archive_entry_set_filetype(e, AE_IFLNK), archive_entry_set_symlink(e, es[i].data); break;
        case 'h': archive_entry_set_filetype(e, AE_IFREG), archive_entry_set_hardlink(e, es[i].data); break;
        default: archive_entry_set_filetype(e, AE_IFCHR), archive_entry_set_rdev(e, 259); break;
        }
        archive_entry_set_size(e, (la_int64_t)len);
        ck_assert_int_ge(archive_write_header(a, e), ARCHIVE_WARN);
        if (len)
            ck_assert_int_eq(archive_write_data(a, es[i].data, len), (la_ssize_t)len);
        archive_entry_free(e);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static char *tmpdir(void)
{
    char *d = strdup("/tmp/vsolve-backends-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void rmtree(char *d)
{
    ck_assert_int_eq(bk_remove_tree(d), 0);
    free(d);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = calloc(1, 65536);
    size_t n = fread(b, 1, 65535, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static const bk_limits big = { BK_DEFAULT_MAX_BYTES, BK_DEFAULT_MAX_ENTRIES };

/* Unpacks es (as format) into d/out; returns the status, the message in err. */
static int try_unpack(const char *d, const char *format, const entry *es, size_t n, const bk_limits *lim, vs_error *err)
{
    char archive[4200], dest[4200];
    snprintf(archive, sizeof archive, "%s/a.%s", d, format);
    snprintf(dest, sizeof dest, "%s/out", d);
    bk_remove_tree(dest);
    write_archive(archive, format, es, n);
    vs_error_clear(err);
    return bk_unpack(archive, dest, lim, err);
}

static const entry good[] = {
    { "pkg-1.0/", 'd', NULL },
    { "pkg-1.0/dune-project", 'f', "(lang dune 2.0)\n" },
    { "pkg-1.0/src/a.ml", 'f', "let x = 1\n" },
    { "pkg-1.0/src/link.ml", 'l', "a.ml" },
    { "pkg-1.0/src/hard.ml", 'h', "pkg-1.0/src/a.ml" },
};

START_TEST(unpacks_every_format_stripping_the_top_directory)
{
    const char *formats[] = { "tar.gz", "tar.bz2", "tar.xz", "zip" };
    for (size_t f = 0; f < 4; f++) {
        char *d = tmpdir(), p[4200];
        vs_error err;
        size_t n = f == 3 ? 4 : 5;   /* zip has no hard links */
        ck_assert_msg(try_unpack(d, formats[f], good, n, &big, &err) == VSOLVE_OK, "%s: %s", formats[f], err.message);
        snprintf(p, sizeof p, "%s/out/src/a.ml", d);
        char *t = read_text(p);
        ck_assert_msg(t && !strcmp(t, "let x = 1\n"), "%s: %s", formats[f], p);
        free(t);
        snprintf(p, sizeof p, "%s/out/dune-project", d);
        ck_assert_msg(exists(p), "%s: top directory not stripped", formats[f]);
        snprintf(p, sizeof p, "%s/out/pkg-1.0", d);
        ck_assert(!exists(p));
        rmtree(d);
    }
    /* Two top-level entries: nothing stripped, as opam. */
    const entry two[] = { { "a/x", 'f', "1" }, { "b/y", 'f', "2" } };
    char *d = tmpdir(), p[4200];
    vs_error err;
    ck_assert_int_eq(try_unpack(d, "tar.gz", two, 2, &big, &err), VSOLVE_OK);
    snprintf(p, sizeof p, "%s/out/a/x", d);
    ck_assert(exists(p));
    rmtree(d);
}
END_TEST

START_TEST(refuses_unsafe_entries)
{
    const struct { entry e; const char *says; } bad[] = {
        { { "pkg/../../evil", 'f', "x" }, "\"..\"" },
        { { "/etc/evil", 'f', "x" }, "absolute" },
        { { "pkg/out", 'l', "../../outside" }, "outside the tree" },
        { { "pkg/abs", 'l', "/etc/passwd" }, "outside the tree" },
        { { "pkg/hl", 'h', "../etc/passwd" }, "hard link" },
        { { "pkg/dev", 'c', NULL }, "device" },
        { { "pkg/../\033[31mred", 'f', "x" }, "\\x1b[31mred" },   /* printed escaped, never raw */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *d = tmpdir(), p[4200];
        entry es[2] = { { "pkg/ok.ml", 'f', "ok" }, bad[i].e };
        vs_error err;
        ck_assert_int_eq(try_unpack(d, "tar.gz", es, 2, &big, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, bad[i].says) && strstr(err.message, "/a.tar.gz"), "%zu: %s", i, err.message);
        snprintf(p, sizeof p, "%s/evil", d);
        ck_assert(!exists(p) && !exists("/etc/evil"));
        rmtree(d);
    }
}
END_TEST

START_TEST(enforces_limits_and_detects_truncation)
{
    char *d = tmpdir(), archive[4200], cut[4200];
    vs_error err;
    bk_limits few = { BK_DEFAULT_MAX_BYTES, 3 }, small = { 12, 1000 };
    ck_assert_int_eq(try_unpack(d, "tar.gz", good, 5, &few, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "more than 3 entries (the entry-count limit)"), "%s", err.message);
    ck_assert_int_eq(try_unpack(d, "tar.gz", good, 5, &small, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "more than 12 bytes unpacked (the size limit)"), "%s", err.message);
    /* A truncated archive: a big incompressible member, cut in the middle. */
    char *blob = malloc(200001);
    unsigned x = 12345;
    for (int i = 0; i < 200000; i++)
        blob[i] = (char)('a' + ((x = x * 1103515245u + 12345u) >> 16) % 26);
    blob[200000] = '\0';
    entry one[] = { { "p/big.txt", 'f', blob } };
    snprintf(archive, sizeof archive, "%s/whole.tar.gz", d);
    write_archive(archive, "tar.gz", one, 1);
    free(blob);
    struct stat st;
    ck_assert_int_eq(stat(archive, &st), 0);
    snprintf(cut, sizeof cut, "%s/cut.tar.gz", d);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "head -c %lld '%s' > '%s'", (long long)st.st_size / 2, archive, cut);
    ck_assert_int_eq(system(cmd), 0);
    char dest[4200];
    snprintf(dest, sizeof dest, "%s/cutout", d);
    ck_assert_int_eq(bk_unpack(cut, dest, &big, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "truncated"), "%s", err.message);
    rmtree(d);
}
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int read_lock_text(const char *d, const char *name, const char *text, bk_lock *l, arena *a, vs_error *err)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", d, name);
    write_text(path, text);
    vs_error_clear(err);
    return bk_lock_read(a, path, l, err);
}

START_TEST(reads_both_lock_formats_and_refuses_bad_ones)
{
    char *d = tmpdir();
    arena a;
    arena_init(&a);
    bk_lock l;
    vs_error err;
    const char *md5 = "md5=0123456789abcdef0123456789abcdef";
    char json[2048];
    snprintf(json, sizeof json,
             "{\"lock-version\": 1, \"roots\": [\"app\"], \"packages\": [{\"name\": \"lib\", \"version\": \"1.0\"}],\n"
             " \"sources\": [{\"dir\": \"lib\", \"url\": \"https://x/lib.tbz\", \"checksums\": [\"%s\", \"sha256=%064d\"],"
             " \"packages\": [\"lib\"]}]}\n", md5, 0);
    ck_assert_msg(read_lock_text(d, "a.lock.json", json, &l, &a, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(l.n_sources, 1);
    ck_assert_str_eq(l.sources[0].packages[0], "lib.1.0");
    ck_assert_int_eq(bk_strongest(&l.sources[0])->kind, BK_SHA256);
    ck_assert_str_eq(l.roots[0], "app");

    const char *opam =
        "opam-version: \"2.0\"\nx-opam-monorepo-version: \"0.3\"\n"
        "depends: [ \"lib\" {= \"1.0\" & ?vendor} ]\n"
        "pin-depends: [ [\"lib.1.0\" \"https://x/lib.tbz\"] [\"lib-extra.1.0\" \"https://x/lib.tbz\"] ]\n"
        "x-opam-monorepo-duniverse-dirs: [\n  [\"https://x/lib.tbz\" \"lib\" [\"md5=0123456789abcdef0123456789abcdef\"]]\n]\n"
        "x-opam-monorepo-root-packages: [ \"app\" ]\n";
    ck_assert_msg(read_lock_text(d, "a.opam.locked", opam, &l, &a, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(l.n_sources, 1);
    ck_assert_uint_eq(l.sources[0].n_packages, 2);
    ck_assert_str_eq(l.sources[0].packages[1], "lib-extra.1.0");
    ck_assert_str_eq(l.sources[0].dir, "lib");
    ck_assert_str_eq(l.roots[0], "app");

    const struct { const char *dir, *ck, *version, *says; } bad[] = {
        { "../up", "md5=0123456789abcdef0123456789abcdef", "1", "invalid source dir" },
        { "dune", "md5=0123456789abcdef0123456789abcdef", "1", "invalid source dir" },
        { ".hidden", "md5=0123456789abcdef0123456789abcdef", "1", "invalid source dir" },
        { "a/b", "md5=0123456789abcdef0123456789abcdef", "1", "invalid source dir" },
        { "lib", "md5=0123", "1", "expected a checksum" },
        { "lib", "sha1=0123456789abcdef0123456789abcdef01234567", "1", "expected a checksum" },
        { "lib", "md5=0123456789abcdef0123456789abcdef", "2", "lock-version 2 is not known" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(json, sizeof json,
                 "{\"lock-version\": %s, \"roots\": [], \"sources\": [{\"dir\": \"%s\", \"url\": \"u\", "
                 "\"checksums\": [\"%s\"], \"packages\": []}]}", bad[i].version, bad[i].dir, bad[i].ck);
        ck_assert_int_eq(read_lock_text(d, "b.lock.json", json, &l, &a, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, bad[i].says) && strstr(err.message, "b.lock.json:1:"), "%zu: %s", i,
                      err.message);
    }
    ck_assert_int_eq(read_lock_text(d, "c.lock.json",
                                    "{\"lock-version\": 1, \"roots\": [], \"sources\": [{\"dir\": \"x\", \"url\": \"u\", "
                                    "\"checksums\": [], \"packages\": []}]}", &l, &a, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "no checksum"), "%s", err.message);
    arena_free(&a);
    rmtree(d);
}
END_TEST

typedef struct run {
    int status;
    char *out, *err;
} run;

static run vsolve(const char *env, const char *args)
{
    char cmd[16384], o[64], e[64];
    snprintf(o, sizeof o, "/tmp/vsolve-bk-out.%d", (int)getpid());
    snprintf(e, sizeof e, "/tmp/vsolve-bk-err.%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "%s %s/vsolve %s >%s 2>%s", env, VSOLVE_BINARY_DIR, args, o, e);
    int st = system(cmd);
    run r = { WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_text(o), read_text(e) };
    remove(o);
    remove(e);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

static void file_sha256(const char *path, char *hex)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    bk_digests dg;
    vs_error err;
    ck_assert_int_eq(bk_hash_file(f, path, &dg, &err), VSOLVE_OK);
    fclose(f);
    strcpy(hex, dg.hex[BK_SHA256]);
}

/* A lock with one source (dir lib, package lib.1.0) at url with a sha256. */
static void write_lock(const char *path, const char *url, const char *sha256)
{
    char json[8192];
    snprintf(json, sizeof json,
             "{\"lock-version\": 1, \"roots\": [\"app\"],\n \"packages\": [{\"name\": \"lib\", \"version\": \"1.0\", "
             "\"mode\": \"vendored\"}],\n \"sources\": [{\"dir\": \"lib\", \"url\": \"%s\", \"checksums\": "
             "[\"sha256=%s\"], \"packages\": [\"lib\"]}]}\n", url, sha256);
    write_text(path, json);
}

/* No ".duniverse.new.*" left in d. */
static int no_scratch_left(const char *d)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q '^\\.duniverse\\.new'", d);
    return system(cmd) != 0;
}

START_TEST(pull_fetches_caches_verifies_and_replaces_atomically)
{
    char *d = tmpdir();
    char archive[4200], lock[4200], env[4400], args[9000], p[4400], sha[129];
    snprintf(archive, sizeof archive, "%s/lib-1.0.tbz", d);
    write_archive(archive, "tar.bz2", good, 5);
    file_sha256(archive, sha);
    snprintf(lock, sizeof lock, "%s/app.lock.json", d);
    char url[4300];
    snprintf(url, sizeof url, "file://%s", archive);
    write_lock(lock, url, sha);
    snprintf(env, sizeof env, "VSOLVE_CACHE_DIR=%s/cache OPAMROOT=%s/noopam", d, d);

    /* First pull: fetched (file://) into vsolve's cache, in opam's layout. */
    snprintf(args, sizeof args, "pull --format json %s", lock);
    run r = vsolve(env, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "\"fetched\": 1") && strstr(r.out, "\"dirs\": [\"lib\"]"), "%s", r.out);
    run_free(&r);
    snprintf(p, sizeof p, "%s/cache/download-cache/sha256/%.2s/%s", d, sha, sha);
    ck_assert_msg(exists(p), "not stored in the cache: %s", p);
    snprintf(p, sizeof p, "%s/duniverse/lib/src/a.ml", d);
    ck_assert(exists(p));
    snprintf(p, sizeof p, "%s/duniverse/dune", d);
    char *t = read_text(p);
    ck_assert_ptr_nonnull(strstr(t, "(vendored_dirs *)"));
    free(t);

    /* Second pull: the source is gone, the cache has it. */
    ck_assert_int_eq(remove(archive), 0);
    snprintf(args, sizeof args, "pull --format json %s -o %s", lock, d);
    r = vsolve(env, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "\"from_cache\": 1"), "%s %s", r.out, r.err);
    run_free(&r);

    /* A mismatch: bytes that do not match the lock. Exit 2, names package, URL, both hashes;
     * the previous duniverse is intact and nothing was unpacked beside it. */
    snprintf(p, sizeof p, "%s/cache/download-cache/sha256/%.2s/%s", d, sha, sha);
    FILE *f = fopen(p, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 100, SEEK_SET);
    fputc('X', f);
    fclose(f);
    char actual[129];
    file_sha256(p, actual);
    snprintf(args, sizeof args, "pull %s", lock);
    r = vsolve(env, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "checksum mismatch for lib.1.0") && strstr(r.err, url) && strstr(r.err, sha) &&
                  strstr(r.err, actual), "%s", r.err);
    run_free(&r);
    snprintf(p, sizeof p, "%s/duniverse/lib/src/a.ml", d);
    ck_assert(exists(p));
    ck_assert(no_scratch_left(d));
    rmtree(d);
}
END_TEST

static int truncate_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return truncate(path, st.st_size / 2);
}

/* Pulls a lock naming archive (with its true sha256) over an existing duniverse: must fail with
 * status 2 and `says`, leaving the old duniverse as it was. */
static void pull_refuses(const char *format, const entry *es, size_t n, int truncate, const char *says)
{
    char *d = tmpdir();
    char archive[4200], lock[4200], env[4400], args[9000], p[4400], sha[129], url[4300];
    snprintf(archive, sizeof archive, "%s/lib.%s", d, format);
    write_archive(archive, format, es, n);
    if (truncate)
        ck_assert_int_eq(truncate_file(archive), 0);
    file_sha256(archive, sha);
    snprintf(lock, sizeof lock, "%s/app.lock.json", d);
    snprintf(url, sizeof url, "file://%s", archive);
    write_lock(lock, url, sha);
    snprintf(p, sizeof p, "%s/duniverse", d);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/duniverse/old-marker", d);
    write_text(p, "previous pull\n");
    snprintf(env, sizeof env, "VSOLVE_CACHE_DIR=%s/cache OPAMROOT=%s/noopam", d, d);
    snprintf(args, sizeof args, "pull %s", lock);
    run r = vsolve(env, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, says) && strstr(r.err, "lib.1.0") && strstr(r.err, url), "%s", r.err);
    run_free(&r);
    ck_assert(exists(p));
    ck_assert(no_scratch_left(d));
    snprintf(p, sizeof p, "%s/evil", d);
    ck_assert(!exists(p));
    rmtree(d);
}

START_TEST(pull_refuses_unsafe_or_truncated_archives_keeping_the_old_duniverse)
{
    const entry dotdot[] = { { "lib/ok.ml", 'f', "ok" }, { "lib/../../evil", 'f', "x" } };
    pull_refuses("tar.gz", dotdot, 2, 0, "\"..\" component");
    const entry outlink[] = { { "lib/ok.ml", 'f', "ok" }, { "lib/l", 'l', "../../evil" } };
    pull_refuses("tar.xz", outlink, 2, 0, "outside the tree");
    char *blob = malloc(300001);
    unsigned x = 7;
    for (int i = 0; i < 300000; i++)
        blob[i] = (char)('a' + ((x = x * 1103515245u + 12345u) >> 16) % 26);
    blob[300000] = '\0';
    const entry big_one[] = { { "lib/big.txt", 'f', blob } };
    pull_refuses("tar.gz", big_one, 1, 1, "truncated");
    free(blob);
}
END_TEST

START_TEST(pull_names_a_missing_source_and_reads_opam_locked)
{
    char *d = tmpdir();
    char lock[4200], env[4400], args[9000], p[4400];
    snprintf(lock, sizeof lock, "%s/app.lock.json", d);
    write_lock(lock, "file:///nonexistent/vsolve/lib-1.0.tbz", "0000000000000000000000000000000000000000000000000000000000000000");
    snprintf(env, sizeof env, "VSOLVE_CACHE_DIR=%s/cache OPAMROOT=%s/noopam", d, d);
    snprintf(args, sizeof args, "pull %s", lock);
    run r = vsolve(env, args);
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "missing source for lib.1.0") && strstr(r.err, "file:///nonexistent/vsolve/lib-1.0.tbz"),
                  "%s", r.err);
    run_free(&r);
    snprintf(p, sizeof p, "%s/duniverse", d);
    ck_assert(!exists(p));

    /* The same archive through an .opam.locked, found in a --download-cache by md5. */
    char archive[4200], cache[4400], cmd[16384];
    snprintf(archive, sizeof archive, "%s/lib.tar.gz", d);
    write_archive(archive, "tar.gz", good, 5);
    FILE *f = fopen(archive, "rb");
    bk_digests dg;
    vs_error err;
    ck_assert_int_eq(bk_hash_file(f, archive, &dg, &err), VSOLVE_OK);
    fclose(f);
    snprintf(cache, sizeof cache, "%s/opamcache/md5/%.2s", d, dg.hex[BK_MD5]);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && mv '%s' '%s/%s'", cache, archive, cache, dg.hex[BK_MD5]);
    ck_assert_int_eq(system(cmd), 0);
    char locked[4000];
    snprintf(locked, sizeof locked,
             "opam-version: \"2.0\"\nx-opam-monorepo-version: \"0.3\"\n"
             "pin-depends: [ [\"lib.1.0\" \"https://example.org/lib-1.0.tar.gz\"] ]\n"
             "x-opam-monorepo-duniverse-dirs: [\n  [\"https://example.org/lib-1.0.tar.gz\" \"lib\" "
             "[\"md5=%s\" \"sha512=%s\"]]\n]\nx-opam-monorepo-root-packages: [ \"app\" ]\n",
             dg.hex[BK_MD5], dg.hex[BK_SHA512]);
    snprintf(lock, sizeof lock, "%s/app.opam.locked", d);
    write_text(lock, locked);
    snprintf(args, sizeof args, "pull --download-cache %s/opamcache %s -o %s", d, lock, d);
    r = vsolve(env, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "1 from the download cache"), "%s %s", r.out, r.err);
    run_free(&r);
    snprintf(p, sizeof p, "%s/duniverse/lib/src/a.ml", d);
    ck_assert(exists(p));
    rmtree(d);
}
END_TEST

START_TEST(nix_store_names_follow_fetchurl)
{
    char name[256];
    ck_assert_int_eq(bk_nix_name("https://github.com/ocsigen/lwt/archive/5.6.1.tar.gz", name, sizeof name), 0);
    ck_assert_str_eq(name, "5.6.1.tar.gz");
    ck_assert_int_eq(bk_nix_name("https://x.org/a/re-1.10.4.tbz", name, sizeof name), 0);
    ck_assert_str_eq(name, "re-1.10.4.tbz");
    ck_assert_int_eq(bk_nix_name("https://x.org/a/", name, sizeof name), -1);
    ck_assert_int_eq(bk_nix_name("https://x.org/.hidden", name, sizeof name), -1);
    ck_assert_int_eq(bk_nix_name("https://x.org/a b.tgz", name, sizeof name), -1);
}
END_TEST

START_TEST(cross_workspace_has_host_and_target_contexts)
{
    char *d = tmpdir(), p[4200];
    vs_error err;
    ck_assert_int_eq(bk_write_cross_workspace(d, "solo5", &err), VSOLVE_OK);
    snprintf(p, sizeof p, "%s/dune-workspace", d);
    char *t = read_text(p);
    ck_assert_ptr_nonnull(t);
    /* The lines MirageOS 4 writes for solo5 targets (hvt, spt, virtio, muen, genode). */
    ck_assert_msg(!strncmp(t, "(lang dune 2.0)\n", 16), "dune wants (lang ...) first:\n%s", t);
    const char *want[] = { "(context (default))\n", "(context (default\n  (name solo5)\n",
                           "  (host default)\n", "  (toolchain solo5)\n",
                           "(disable_dynamically_linked_foreign_archives true)))\n" };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(t, want[i]), "missing %s in:\n%s", want[i], t);
    /* Balanced parentheses outside comments. */
    int depth = 0, comment = 0;
    for (const char *c = t; *c; c++) {
        if (*c == ';')
            comment = 1;
        else if (*c == '\n')
            comment = 0;
        else if (!comment && (*c == '(' || *c == ')'))
            depth += *c == '(' ? 1 : -1;
        ck_assert_int_ge(depth, 0);
    }
    ck_assert_int_eq(depth, 0);
    free(t);
    char buf[2048];
    ck_assert_int_eq(bk_cross_workspace("so lo", buf, sizeof buf, &err), VSOLVE_EUSAGE);
    ck_assert_int_eq(bk_cross_workspace("default", buf, sizeof buf, &err), VSOLVE_EUSAGE);
    ck_assert_int_eq(bk_cross_workspace("x)(y", buf, sizeof buf, &err), VSOLVE_EUSAGE);
    rmtree(d);
}
END_TEST

/* A one-file HTTP server on 127.0.0.1 answering `requests` requests: GET /lib-1.0.tbz gets
 * body, anything else 404. */
typedef struct http_server {
    int fd, port, requests;
    const char *body;
    size_t len;
    pthread_t th;
} http_server;

static void *serve(void *arg)
{
    http_server *h = arg;
    for (int i = 0; i < h->requests; i++) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0)
            break;
        char req[4096];
        size_t n = 0;
        ssize_t r;
        while (n + 1 < sizeof req && (r = read(c, req + n, sizeof req - 1 - n)) > 0) {
            n += (size_t)r;
            req[n] = '\0';
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        req[n] = '\0';
        char head[256];
        if (!strncmp(req, "GET /lib-1.0.tbz ", 17)) {
            int hn = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", h->len);
            if (write(c, head, (size_t)hn) != hn || write(c, h->body, h->len) != (ssize_t)h->len)
                (void)0;
        } else {
            const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            if (write(c, nf, strlen(nf)) < 0)
                (void)0;
        }
        close(c);
    }
    return NULL;
}

static void http_start(http_server *h)
{
    h->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(h->fd, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(h->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(h->fd, 8), 0);
    socklen_t len = sizeof a;
    ck_assert_int_eq(getsockname(h->fd, (struct sockaddr *)&a, &len), 0);
    h->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&h->th, NULL, serve, h), 0);
}

START_TEST(pull_fetches_over_http_and_stores_only_verified_bytes)
{
    char *d = tmpdir();
    char archive[4200], lock[4200], env[4400], args[9000], p[4400], sha[129], url[256];
    snprintf(archive, sizeof archive, "%s/served.tbz", d);
    write_archive(archive, "tar.bz2", good, 5);
    file_sha256(archive, sha);
    size_t len;
    char *body = test_read_file(archive, &len);
    http_server h = { .requests = 3, .body = body, .len = len };
    http_start(&h);
    snprintf(lock, sizeof lock, "%s/app.lock.json", d);
    snprintf(env, sizeof env, "VSOLVE_CACHE_DIR=%s/cache OPAMROOT=%s/noopam http_proxy= HTTP_PROXY= ALL_PROXY=", d, d);

    /* 1: fetched over HTTP, verified, stored in opam's layout, unpacked. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/lib-1.0.tbz", h.port);
    write_lock(lock, url, sha);
    snprintf(args, sizeof args, "pull --format json %s", lock);
    run r = vsolve(env, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "\"fetched\": 1"), "%s %s", r.out, r.err);
    run_free(&r);
    snprintf(p, sizeof p, "%s/cache/download-cache/sha256/%.2s/%s", d, sha, sha);
    ck_assert(exists(p));
    snprintf(p, sizeof p, "%s/duniverse/lib/src/a.ml", d);
    ck_assert(exists(p));

    /* 2: a 404 is a missing source naming package and URL. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/gone-1.0.tbz", h.port);
    write_lock(lock, url, "1111111111111111111111111111111111111111111111111111111111111111");
    r = vsolve(env, args);
    ck_assert_int_eq(r.status, 3);
    ck_assert_msg(strstr(r.err, "missing source for lib.1.0") && strstr(r.err, url) && strstr(r.err, "404"), "%s", r.err);
    run_free(&r);

    /* 3: served bytes that do not match: refused, and nothing enters the cache. */
    const char *wrong = "2222222222222222222222222222222222222222222222222222222222222222";
    snprintf(url, sizeof url, "http://127.0.0.1:%d/lib-1.0.tbz", h.port);
    write_lock(lock, url, wrong);
    r = vsolve(env, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "checksum mismatch for lib.1.0") && strstr(r.err, sha) && strstr(r.err, "as fetched"),
                  "%s", r.err);
    run_free(&r);
    snprintf(p, sizeof p, "%s/cache/download-cache/sha256/22/%s", d, wrong);
    ck_assert(!exists(p));
    snprintf(args, sizeof args, "ls -A '%s/cache/download-cache/sha256/22' 2>/dev/null | grep -q .", d);
    ck_assert_int_ne(system(args), 0);   /* no stray temporary file either */

    pthread_join(h.th, NULL);
    close(h.fd);
    free(body);
    rmtree(d);
}
END_TEST

START_TEST(nix_preseed_adds_verified_archives_under_the_url_base_name)
{
    char *d = tmpdir();
    char archive[4200], cache[4400], lock[4200], fake[4200], env[4400], args[13000], p[4400], cmd[16384];
    snprintf(archive, sizeof archive, "%s/a.tar.gz", d);
    write_archive(archive, "tar.gz", good, 5);
    FILE *f = fopen(archive, "rb");
    bk_digests dg;
    vs_error err;
    ck_assert_int_eq(bk_hash_file(f, archive, &dg, &err), VSOLVE_OK);
    fclose(f);
    /* In the cache under its md5 only; the lock lists md5 and sha512, so sha512 is the algorithm. */
    snprintf(cache, sizeof cache, "%s/dl/md5/%.2s", d, dg.hex[BK_MD5]);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/%s'", cache, archive, cache, dg.hex[BK_MD5]);
    ck_assert_int_eq(system(cmd), 0);
    char json[4096];
    snprintf(json, sizeof json,
             "{\"lock-version\": 1, \"roots\": [\"app\"], \"sources\": [{\"dir\": \"lib\", \"url\": "
             "\"https://example.org/dl/lib-1.0.tar.gz\", \"checksums\": [\"md5=%s\", \"sha512=%s\"], "
             "\"packages\": [\"lib\"]}]}\n", dg.hex[BK_MD5], dg.hex[BK_SHA512]);
    snprintf(lock, sizeof lock, "%s/app.lock.json", d);
    write_text(lock, json);
    /* A stand-in for nix-store: records its arguments and the bytes it was given. */
    snprintf(fake, sizeof fake, "%s/fake-nix-store", d);
    snprintf(cmd, sizeof cmd, "#!/bin/sh\necho \"$1 $2 $(basename \"$3\")\" > '%s/args'\ncp \"$3\" '%s/added'\n"
             "echo /nix/store/0000-$(basename \"$3\")\n", d, d);
    write_text(fake, cmd);
    chmod(fake, 0755);
    snprintf(env, sizeof env, "VSOLVE_CACHE_DIR=%s/vc OPAMROOT=%s/noopam", d, d);
    snprintf(args, sizeof args, "nix-preseed --nix-store %s --download-cache %s/dl %s", fake, d, lock);
    run r = vsolve(env, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "lib /nix/store/0000-lib-1.0.tar.gz\n");
    run_free(&r);
    snprintf(p, sizeof p, "%s/args", d);
    char *t = read_text(p);
    ck_assert_str_eq(t, "--add-fixed sha512 lib-1.0.tar.gz\n");
    free(t);
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s/added'", archive, d);
    ck_assert_int_eq(system(cmd), 0);

    /* Bytes that do not match: refused before nix-store runs. */
    snprintf(p, sizeof p, "%s/args", d);
    remove(p);
    snprintf(cmd, sizeof cmd, "printf x >> '%s/%s'", cache, dg.hex[BK_MD5]);
    ck_assert_int_eq(system(cmd), 0);
    r = vsolve(env, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "checksum mismatch for lib") && strstr(r.err, "https://example.org/dl/lib-1.0.tar.gz"),
                  "%s", r.err);
    run_free(&r);
    ck_assert(!exists(p));
    rmtree(d);
}
END_TEST

Suite *backends_suite(void)
{
    Suite *s = suite_create("backends");
    TCase *tc = tcase_create("backends");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, unpacks_every_format_stripping_the_top_directory);
    tcase_add_test(tc, refuses_unsafe_entries);
    tcase_add_test(tc, enforces_limits_and_detects_truncation);
    tcase_add_test(tc, reads_both_lock_formats_and_refuses_bad_ones);
    tcase_add_test(tc, pull_fetches_caches_verifies_and_replaces_atomically);
    tcase_add_test(tc, pull_refuses_unsafe_or_truncated_archives_keeping_the_old_duniverse);
    tcase_add_test(tc, pull_names_a_missing_source_and_reads_opam_locked);
    tcase_add_test(tc, pull_fetches_over_http_and_stores_only_verified_bytes);
    tcase_add_test(tc, nix_store_names_follow_fetchurl);
    tcase_add_test(tc, nix_preseed_adds_verified_archives_under_the_url_base_name);
    tcase_add_test(tc, cross_workspace_has_host_and_target_contexts);
    suite_add_tcase(s, tc);
    return s;
}
