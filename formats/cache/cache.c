/* cache.c: writing and reading the universe cache file.
 *
 * File layout (little-endian):
 *   0  "VSOLVEC\n"             8 bytes
 *   8  format version          u32 (VSOLVE_CACHE_FORMAT)
 *   12 header checksum         u32, crc32 of bytes 16..63
 *   16 source fingerprint      u64
 *   24 settings fingerprint    u64
 *   32 body size               u64 (the file's size less this header and the attributes)
 *   40 body checksum           u32, crc32 of the body
 *   44 part count              u32 (the image's core and its clause chunks)
 *   48 attributes' image size  u32
 *   52 attributes' compressed size  u32 (0: no attributes)
 *   56 attributes' checksum    u32, crc32 of their compressed bytes
 *   60 reserved                4 zero bytes
 *   64 body: per part its image size and compressed size (u32 each), then one zlib stream per
 *      part, in order: the core, the clause descriptions, then the clause chunks
 *      (solver/universe_image.c)
 *   64 + body size: the attributes, one zlib stream, outside the body and its checksum
 *
 * Reading checks both checksums over the whole file and inflates the core; a clause chunk is
 * inflated when a solve first reaches one of its names, and the descriptions when something is
 * to be explained (universe_need_*), so a request reads only what its answer needs. The
 * attributes are not even read from the file: the universe keeps the file open and reads,
 * checks and inflates them when something asks (universe_need_attrs), e.g. a lock writer. zlib writes the streams; libdeflate reads them: it inflates a
 * whole buffer in about 40% of zlib's time.
 */
#include "cache.h"
#include "bytes.h"
#include "atomic_file.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>
#include "repo_source.h"
#include "universe_image.h"

#define HEADER_SIZE 64
#define FIRST_CHUNK 2   /* parts: the core, the descriptions, then the chunks */
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

void cache_make_parent(const char *path)
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

/* One zlib stream per part: the cache is written once and read on every solve. Level 1 for
 * the parts read on demand (inflate speed barely depends on the level, and level 1 writes
 * several times faster). Two exceptions, for the instructions a solve spends inflating:
 * the core, which every solve inflates whole, is stored (level 0): copying its 350-430 kB
 * costs a few hundred thousand instructions, inflating them about 6 million, for about 200 kB
 * more file; the clause chunks (about 1 kB each, a solve reads a few hundred) use fixed
 * Huffman codes (Z_FIXED), so that inflating one builds no code tables: 1-3 million
 * instructions less per solve, for 2% more file. */
static int compress_part(const unsigned char *raw, size_t len, int level, int strategy, unsigned char **out,
                         size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    uLong bound = compressBound((uLong)len);
    *out = malloc(bound);
    int ok = *out && deflateInit2(&zs, level, Z_DEFLATED, 15, 8, strategy) == Z_OK;
    if (ok) {
        zs.next_in = (Bytef *)(uintptr_t)raw;
        zs.avail_in = (uInt)len;
        zs.next_out = *out;
        zs.avail_out = (uInt)bound;
        ok = deflate(&zs, Z_FINISH) == Z_STREAM_END;
        *out_len = zs.total_out;
        deflateEnd(&zs);
    }
    if (!ok) {
        free(*out);
        *out = NULL;
        return VSOLVE_ENOMEM;
    }
    return VSOLVE_OK;
}

int cache_write(const char *path, const vs_universe *u, const cache_key *key, vs_error *err)
{
    universe_image img;
    int wrc = universe_image_write(u, &img);
    if (wrc == VSOLVE_EUSAGE)
        return vs_error_set(err, wrc, "%s: only a universe as universe_sort built it can be cached", path);
    if (wrc != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the cache");
    uint32_t parts = img.n_chunks + FIRST_CHUNK;
    unsigned char **z = calloc(parts, sizeof *z);
    size_t *zlen = calloc(parts, sizeof *zlen), body = (size_t)parts * 8;
    int rc = z && zlen ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (uint32_t i = 0; i < parts && rc == VSOLVE_OK; i++) {
        const unsigned char *raw = i == 0 ? img.core : i == 1 ? img.descs : img.chunks[i - FIRST_CHUNK];
        size_t len = i == 0 ? img.core_len : i == 1 ? img.descs_len : img.chunk_lens[i - FIRST_CHUNK];
        if (len > UINT32_MAX)
            rc = VSOLVE_ENOMEM;
        else
            rc = compress_part(raw, len, i == 0 ? 0 : 1, i >= FIRST_CHUNK ? Z_FIXED : Z_DEFAULT_STRATEGY, &z[i], &zlen[i]);
        body += rc == VSOLVE_OK ? zlen[i] : 0;
    }
    unsigned char *za = NULL;
    size_t za_len = 0;
    if (rc == VSOLVE_OK && img.attrs_len > UINT32_MAX)
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK)
        rc = compress_part(img.attrs, img.attrs_len, 1, Z_DEFAULT_STRATEGY, &za, &za_len);
    unsigned char *file = rc == VSOLVE_OK ? malloc(HEADER_SIZE + body + za_len) : NULL;
    if (file) {
        unsigned char *at = file + HEADER_SIZE + (size_t)parts * 8;
        for (uint32_t i = 0; i < parts; i++) {
            size_t len = i == 0 ? img.core_len : i == 1 ? img.descs_len : img.chunk_lens[i - FIRST_CHUNK];
            put_u32(file + HEADER_SIZE + 8 * (size_t)i, (uint32_t)len);
            put_u32(file + HEADER_SIZE + 8 * (size_t)i + 4, (uint32_t)zlen[i]);
            memcpy(at, z[i], zlen[i]);
            at += zlen[i];
        }
        memset(file, 0, HEADER_SIZE);
        memcpy(file, magic, 8);
        put_u32(file + 8, VSOLVE_CACHE_FORMAT);
        put_u64(file + 16, key->source);
        put_u64(file + 24, key->settings);
        put_u64(file + 32, body);
        put_u32(file + 40, (uint32_t)libdeflate_crc32(0, file + HEADER_SIZE, body));
        put_u32(file + 44, parts);
        put_u32(file + 48, (uint32_t)img.attrs_len);
        put_u32(file + 52, (uint32_t)za_len);
        put_u32(file + 56, (uint32_t)libdeflate_crc32(0, za, za_len));
        memcpy(file + HEADER_SIZE + body, za, za_len);
        put_u32(file + 12, (uint32_t)crc32(0L, file + 16, HEADER_SIZE - 16));
    }
    for (uint32_t i = 0; z && i < parts; i++)
        free(z[i]);
    free(z);
    free(zlen);
    free(za);
    universe_image_free(&img);
    if (!file)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the cache");

    cache_make_parent(path);
    vs_error why;
    vs_error_clear(&why);
    int wr = atomic_file_write(path, file, HEADER_SIZE + body + za_len, &why);   /* whole or not at all; regular files only */
    free(file);
    if (wr != VSOLVE_OK)
        return vs_error_set(err, wr, "cannot write the cache: %s", why.message);
    return VSOLVE_OK;
}

/* What the universe keeps to inflate its clause chunks later: the whole file. */
typedef struct chunk_source {
    unsigned char *file;
    size_t *offset;            /* part -> start of its stream in file */
    uint32_t *raw_len, *z_len; /* part -> sizes */
    struct libdeflate_decompressor *inflater;
    int (*cmp)(const char *a, const char *b);   /* the adapter's version order */
    char path[PATH_MAX];
} chunk_source;

static void chunk_source_free(void *p)
{
    chunk_source *cs = p;
    if (!cs)
        return;
    free(cs->file);
    free(cs->offset);
    free(cs->raw_len);
    free(cs->z_len);
    libdeflate_free_decompressor(cs->inflater);
    free(cs);
}

/* Inflates part i into a malloc'd buffer of exactly its image size. */
static int inflate_part(chunk_source *cs, uint32_t i, unsigned char **out, vs_error *err)
{
    *out = malloc(cs->raw_len[i] ? cs->raw_len[i] : 1);
    if (!*out)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    size_t used = 0;
    /* NULL for the output size: the part must inflate to exactly raw_len bytes */
    enum libdeflate_result zr = libdeflate_zlib_decompress_ex(cs->inflater, cs->file + cs->offset[i], cs->z_len[i],
                                                              *out, cs->raw_len[i], &used, NULL);
    if (zr != LIBDEFLATE_SUCCESS || used != cs->z_len[i]) {
        free(*out);
        *out = NULL;
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the compressed data is damaged (checksum or length)",
                            cs->path);
    }
    return VSOLVE_OK;
}

static int prefixed(vs_error *err, const char *path)
{
    if (err->code == VSOLVE_ENOMEM || strncmp(err->message, "corrupt: ", 9) == 0)
        return err->code;
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: %s", path, why);
}

static int load_chunk(void *source, vs_universe *u, uint32_t chunk, vs_error *err)
{
    chunk_source *cs = source;
    unsigned char *image;
    int rc = inflate_part(cs, chunk + FIRST_CHUNK, &image, err);
    if (rc == VSOLVE_OK) {
        rc = universe_image_read_chunk(u, chunk, image, cs->raw_len[chunk + FIRST_CHUNK], err);
        free(image);
        if (rc != VSOLVE_OK)
            rc = prefixed(err, cs->path);
    }
    return rc;
}

static int load_descs(void *source, vs_universe *u, vs_error *err)
{
    chunk_source *cs = source;
    unsigned char *image;
    int rc = inflate_part(cs, 1, &image, err);
    if (rc == VSOLVE_OK && universe_image_read_descs(u, image, cs->raw_len[1], err) != VSOLVE_OK)   /* keeps image */
        rc = prefixed(err, cs->path);
    return rc;
}

/* What the universe keeps to read its attributes later: the open file (so that a cache
 * replaced in the meantime is not mixed with this one) and where they are. */
typedef struct attr_source {
    int fd;
    uint64_t offset;
    uint32_t raw_len, z_len, crc, n_pkgs;
    char path[PATH_MAX];
} attr_source;

static void attr_source_free(void *p)
{
    attr_source *as = p;
    if (!as)
        return;
    close(as->fd);
    free(as);
}

static int load_attrs(void *source, vs_attrs *a, vs_error *err)
{
    attr_source *as = source;
    unsigned char *z = malloc(as->z_len ? as->z_len : 1), *image = malloc(as->raw_len ? as->raw_len : 1);
    int rc = z && image ? VSOLVE_OK : vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    size_t got = 0;
    while (rc == VSOLVE_OK && got < as->z_len) {
        ssize_t n = pread(as->fd, z + got, as->z_len - got, (off_t)(as->offset + got));
        if (n <= 0)
            rc = vs_error_set(err, VSOLVE_EIO, "%s: cannot read the attributes", as->path);
        else
            got += (size_t)n;
    }
    if (rc == VSOLVE_OK && (uint32_t)libdeflate_crc32(0, z, as->z_len) != as->crc)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the attributes are damaged (checksum mismatch)", as->path);
    struct libdeflate_decompressor *inf = rc == VSOLVE_OK ? libdeflate_alloc_decompressor() : NULL;
    if (rc == VSOLVE_OK && !inf)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    size_t used = 0;
    if (rc == VSOLVE_OK && (libdeflate_zlib_decompress_ex(inf, z, as->z_len, image, as->raw_len, &used, NULL) !=
                                LIBDEFLATE_SUCCESS || used != as->z_len))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the attributes are damaged (length)", as->path);
    libdeflate_free_decompressor(inf);
    free(z);
    if (rc != VSOLVE_OK) {
        free(image);
        return rc;
    }
    return universe_image_read_attrs(a, as->n_pkgs, image, as->raw_len, err) == VSOLVE_OK ? VSOLVE_OK : prefixed(err, as->path);
}

/* Reads and checks the whole file: header, key, sizes, checksums and the part table. */
static int read_file(const char *path, const cache_key *key, chunk_source *cs, uint32_t *parts, attr_source **as,
                     vs_error *err)
{
    *as = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return vs_error_set(err, VSOLVE_EIO, "missing: %s: %s", path, strerror(errno));
    int fd = repo_open_regular(path, err);   /* never a FIFO or a device */
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return err->code ? err->code : vs_error_set(err, VSOLVE_EIO, "%s: cannot read", path);
    }
    unsigned char header[HEADER_SIZE] = { 0 };   /* read below even when fread came short */
    int rc = VSOLVE_OK;
    if (fread(header, 1, HEADER_SIZE, f) != HEADER_SIZE || memcmp(header, magic, 8) != 0)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s is not a vsolve cache", path);
    else if (get_u32(header + 12) != (uint32_t)crc32(0L, header + 16, HEADER_SIZE - 16))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: header checksum mismatch", path);
    else if (get_u32(header + 8) != VSOLVE_CACHE_FORMAT)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s has cache format %u, this vsolve reads %u", path,
                          get_u32(header + 8), VSOLVE_CACHE_FORMAT);
    else if (get_u64(header + 16) != key->source || get_u64(header + 24) != key->settings)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s was built from %s", path,
                          get_u64(header + 16) != key->source ? "another state of the repository"
                                                              : "other settings or variables");
    uint64_t body = get_u64(header + 32);
    *parts = get_u32(header + 44);
    uint32_t attrs_raw = get_u32(header + 48), attrs_z = get_u32(header + 52);
    /* the body and the attributes must be the file's size: no allocation the file does not back;
     * deflate expands at most 1032:1, so the attributes' image size is bounded by their bytes */
    if (rc == VSOLVE_OK && (body > ((uint64_t)1 << 32) || *parts == 0 || (uint64_t)*parts * 8 > body ||
                            fstat(fileno(f), &st) != 0 || (uint64_t)st.st_size != HEADER_SIZE + body + attrs_z ||
                            (uint64_t)attrs_raw > (uint64_t)attrs_z * 1032 + 64))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: implausible sizes", path);
    if (rc == VSOLVE_OK && !(cs->file = malloc(body)))
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    if (rc == VSOLVE_OK && fread(cs->file, 1, body, f) != body)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: wrong length", path);
    if (rc == VSOLVE_OK && attrs_z) {   /* read later, from this very file */
        if (!(*as = calloc(1, sizeof **as)))
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
        else if (((*as)->fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0)) < 0) {
            free(*as);
            *as = NULL;
            rc = vs_error_set(err, VSOLVE_EIO, "%s: %s", path, strerror(errno));
        } else {
            (*as)->offset = HEADER_SIZE + body;
            (*as)->raw_len = attrs_raw;
            (*as)->z_len = attrs_z;
            (*as)->crc = get_u32(header + 56);
            snprintf((*as)->path, sizeof (*as)->path, "%s", path);
        }
    }
    fclose(f);
    if (rc == VSOLVE_OK && get_u32(header + 40) != (uint32_t)libdeflate_crc32(0, cs->file, body))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the compressed data is damaged (checksum mismatch)", path);
    if (rc != VSOLVE_OK)
        return rc;
    cs->offset = malloc(*parts * sizeof *cs->offset);
    cs->raw_len = malloc(*parts * sizeof *cs->raw_len);
    cs->z_len = malloc(*parts * sizeof *cs->z_len);
    if (!cs->offset || !cs->raw_len || !cs->z_len)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    size_t at = (size_t)*parts * 8;
    for (uint32_t i = 0; i < *parts; i++) {
        cs->raw_len[i] = get_u32(cs->file + 8 * (size_t)i);
        cs->z_len[i] = get_u32(cs->file + 8 * (size_t)i + 4);
        cs->offset[i] = at;
        if (cs->z_len[i] > body - at)
            return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: wrong part sizes", path);
        /* deflate expands at most 1032:1: a size field cannot ask for memory the file does not back */
        if ((uint64_t)cs->raw_len[i] > (uint64_t)cs->z_len[i] * 1032 + 64)
            return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: implausible part sizes", path);
        at += cs->z_len[i];
    }
    if (at != body)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: wrong part sizes", path);
    return VSOLVE_OK;
}

/* The names in strcmp order, as universe_sort leaves them (a cheap pass over all of them). */
static int check_names(const vs_universe *u, const char *path, vs_error *err)
{
    for (size_t i = 1; i < u->names.len; i++)
        if (strcmp(universe_str(u, u->names.items[i - 1].str), universe_str(u, u->names.items[i].str)) >= 0)
            return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: names out of order", path);
    return VSOLVE_OK;
}

/* A name's versions strictly increasing under the adapter's order, as universe_sort leaves
 * them: ranks, lags (criteria) and version listings rely on it, and a crafted file could break
 * it. Checked per name when something first reads the name (universe_need_*), not for the whole
 * file at load: a solve reads a few hundred of the thousands of names. */
static int check_versions(void *source, const vs_universe *u, uint32_t name, vs_error *err)
{
    const chunk_source *cs = source;
    const vs_name *n = &u->names.items[name];
    for (uint32_t j = 1; j < n->n_pkgs; j++)
        if (cs->cmp(universe_pkg_version(u, n->first_pkg + j - 1), universe_pkg_version(u, n->first_pkg + j)) >= 0)
            return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: versions of %s out of order", cs->path,
                                universe_str(u, n->str));
    return VSOLVE_OK;
}

int cache_read(const char *path, vs_universe *u, const cache_key *key, int (*cmp)(const char *a, const char *b),
               vs_error *err)
{
    chunk_source *cs = calloc(1, sizeof *cs);
    if (!cs)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    snprintf(cs->path, sizeof cs->path, "%s", path);
    uint32_t parts = 0;
    attr_source *as = NULL;
    int rc = read_file(path, key, cs, &parts, &as, err);
    if (rc == VSOLVE_OK && !(cs->inflater = libdeflate_alloc_decompressor()))
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    unsigned char *core = NULL;
    if (rc == VSOLVE_OK)
        rc = inflate_part(cs, 0, &core, err);
    uint64_t chunk_bytes = 0;   /* each clause takes at least 4 bytes of the chunks */
    for (uint32_t i = FIRST_CHUNK; rc == VSOLVE_OK && i < parts; i++)
        chunk_bytes += cs->raw_len[i];
    uint32_t max_clauses = chunk_bytes / 4 > UINT32_MAX ? UINT32_MAX : (uint32_t)(chunk_bytes / 4);
    if (rc == VSOLVE_OK && universe_image_read_core(u, core, cs->raw_len[0], max_clauses, err) != VSOLVE_OK)   /* keeps core */
        rc = prefixed(err, path);
    if (rc == VSOLVE_OK && (parts < FIRST_CHUNK || u->pending->n_chunks != parts - FIRST_CHUNK))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the chunk count does not match", path);
    if (rc == VSOLVE_OK)
        rc = check_names(u, path, err);
    if (rc == VSOLVE_OK && cmp && !(u->pending->checked = calloc(u->names.len ? u->names.len : 1, 1)))
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading the cache");
    if (rc != VSOLVE_OK) {
        chunk_source_free(cs);
        attr_source_free(as);
        return rc;
    }
    if (as) {
        as->n_pkgs = (uint32_t)u->pkgs.len;
        u->attrs.source = as;
        u->attrs.load = load_attrs;
        u->attrs.free_source = attr_source_free;
    }
    u->pending->source = cs;
    u->pending->load = load_chunk;
    u->pending->load_descs = load_descs;
    u->pending->free_source = chunk_source_free;
    if (cmp) {
        cs->cmp = cmp;
        u->pending->check_name = check_versions;
    }
    return VSOLVE_OK;
}
