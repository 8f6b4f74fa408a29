/* cache.c: writing and reading the universe cache file.
 *
 * File layout (little-endian):
 *   0  "VSOLVEC\n"             8 bytes
 *   8  format version          u32 (VSOLVE_CACHE_FORMAT)
 *   12 header checksum         u32, crc32 of bytes 16..63
 *   16 source fingerprint      u64
 *   24 settings fingerprint    u64
 *   32 payload size            u64 (the universe image, uncompressed)
 *   40 compressed size         u64
 *   48 reserved                16 zero bytes
 *   64 zlib stream of the universe image (solver/universe_image.c); the stream's own adler32
 *      is the payload checksum, verified when it is inflated
 *
 * zlib writes the stream; libdeflate reads it: it inflates a whole buffer in about 40% of
 * zlib's time, and every solve from the cache starts by inflating the image.
 */
#include "cache.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>
#include "../solver/universe_image.h"

#define HEADER_SIZE 64
static const char magic[8] = { 'V', 'S', 'O', 'L', 'V', 'E', 'C', '\n' };

uint64_t cache_hash(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t stat_hash(uint64_t h, const struct stat *st)
{
    uint64_t f[4] = { (uint64_t)st->st_size, (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec,
                      (uint64_t)st->st_ino };
    return cache_hash(h, f, sizeof f);
}

/* Order-independent sum of per-file hashes, so the directory walk need not be sorted. */
static int walk_fingerprint(const char *dir, size_t root_len, uint64_t *sum, uint64_t *files, int depth)
{
    if (depth > 64)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *ent;
    int rc = 0;
    char path[PATH_MAX];
    while (rc == 0 && (ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk_fingerprint(path, root_len, sum, files, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            uint64_t h = cache_hash(CACHE_HASH_INIT, path + root_len, strlen(path + root_len));
            *sum += stat_hash(h, &st);
            (*files)++;
        }
    }
    closedir(d);
    return rc;
}

int cache_source_fingerprint(const char *path, uint64_t *out, vs_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        uint64_t dev = (uint64_t)st.st_dev;
        *out = cache_hash(stat_hash(CACHE_HASH_INIT, &st), &dev, sizeof dev);
        return VSOLVE_OK;
    }
    uint64_t sum = 0, files = 0;
    if (walk_fingerprint(path, strlen(path), &sum, &files, 0) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot read the directory", path);
    *out = cache_hash(cache_hash(CACHE_HASH_INIT, &sum, sizeof sum), &files, sizeof files);
    return VSOLVE_OK;
}

int cache_default_path(const char *repo_path, uint64_t settings, char *out, size_t size, vs_error *err)
{
    char dir[PATH_MAX];
    const char *env = getenv("VSOLVE_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (env && *env)
        snprintf(dir, sizeof dir, "%s", env);
    else if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/vsolve", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.cache/vsolve", home);
    else
        return vs_error_set(err, VSOLVE_EUSAGE, "no cache directory: set VSOLVE_CACHE_DIR or HOME");
    char real[PATH_MAX];
    if (!realpath(repo_path, real))
        return vs_error_set(err, VSOLVE_EIO, "%s: %s", repo_path, strerror(errno));
    uint64_t h = cache_hash(cache_hash(CACHE_HASH_INIT, real, strlen(real)), &settings, sizeof settings);
    int n = snprintf(out, size, "%s/%016llx.vsc", dir, (unsigned long long)h);
    if (n < 0 || (size_t)n >= size)
        return vs_error_set(err, VSOLVE_EUSAGE, "cache path too long");
    return VSOLVE_OK;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* mkdir -p for the directory part of path */
static void make_parent(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    mkdir(dir, 0755);
}

int cache_write(const char *path, const vs_universe *u, const cache_key *key, vs_error *err)
{
    unsigned char *image = NULL;
    size_t image_len = 0;
    if (universe_image_write(u, &image, &image_len) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the cache");
    uLongf zlen = compressBound((uLong)image_len);
    unsigned char *file = malloc(HEADER_SIZE + zlen);
    if (!file) {
        free(image);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the cache");
    }
    /* level 1: the cache is written once and read on every solve; inflate speed barely
     * depends on the level, and level 1 writes several times faster */
    int zrc = compress2(file + HEADER_SIZE, &zlen, image, (uLong)image_len, 1);
    free(image);
    if (zrc != Z_OK) {
        free(file);
        return vs_error_set(err, VSOLVE_ENOMEM, "cannot compress the cache (zlib error %d)", zrc);
    }
    memset(file, 0, HEADER_SIZE);
    memcpy(file, magic, 8);
    put_u32(file + 8, VSOLVE_CACHE_FORMAT);
    put_u64(file + 16, key->source);
    put_u64(file + 24, key->settings);
    put_u64(file + 32, image_len);
    put_u64(file + 40, zlen);
    put_u32(file + 12, (uint32_t)crc32(0L, file + 16, HEADER_SIZE - 16));

    make_parent(path);
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(file, 1, HEADER_SIZE + zlen, f) == HEADER_SIZE + zlen;
    if (f && fclose(f) != 0)
        ok = 0;
    free(file);
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot write the cache: %s", path, strerror(e));
    }
    return VSOLVE_OK;
}

int cache_read(const char *path, vs_universe *u, const cache_key *key, vs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "missing: %s: %s", path, strerror(errno));
    unsigned char header[HEADER_SIZE];
    if (fread(header, 1, HEADER_SIZE, f) != HEADER_SIZE || memcmp(header, magic, 8) != 0) {
        fclose(f);
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s is not a vsolve cache", path);
    }
    if (get_u32(header + 12) != (uint32_t)crc32(0L, header + 16, HEADER_SIZE - 16)) {
        fclose(f);
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: header checksum mismatch", path);
    }
    if (get_u32(header + 8) != VSOLVE_CACHE_FORMAT) {
        fclose(f);
        return vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s has cache format %u, this vsolve reads %u", path,
                            get_u32(header + 8), VSOLVE_CACHE_FORMAT);
    }
    if (get_u64(header + 16) != key->source || get_u64(header + 24) != key->settings) {
        fclose(f);
        return vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s was built from %s", path,
                            get_u64(header + 16) != key->source ? "another state of the repository"
                                                                : "other settings or variables");
    }
    uint64_t image_len = get_u64(header + 32), zlen = get_u64(header + 40);
    if (image_len > ((uint64_t)1 << 32) || zlen > ((uint64_t)1 << 32)) {
        fclose(f);
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: implausible sizes", path);
    }
    unsigned char *z = malloc(zlen ? zlen : 1), *image = malloc(image_len ? image_len : 1);
    int rc = VSOLVE_OK;
    if (!z || !image) {
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    } else if (fread(z, 1, zlen, f) != zlen || fgetc(f) != EOF) {
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: wrong length", path);
    } else {
        struct libdeflate_decompressor *inflater = libdeflate_alloc_decompressor();
        int have_inflater = inflater != NULL;
        size_t used = 0;
        /* NULL for the output size: the image must inflate to exactly image_len bytes */
        enum libdeflate_result zr = inflater ? libdeflate_zlib_decompress_ex(inflater, z, (size_t)zlen, image,
                                                                            (size_t)image_len, &used, NULL)
                                             : LIBDEFLATE_BAD_DATA;
        libdeflate_free_decompressor(inflater);
        if (!have_inflater)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
        else if (zr != LIBDEFLATE_SUCCESS || used != zlen)
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the compressed data is damaged (checksum or length)", path);
        else if (universe_image_read(u, image, image_len, err) != VSOLVE_OK) {
            char why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err->message);
            rc = err->code == VSOLVE_ENOMEM ? VSOLVE_ENOMEM
                                            : vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: %s", path, why);
        }
    }
    fclose(f);
    free(z);
    free(image);
    return rc;
}
