/* image_file.c: the file layout both registry images share: header, file table, bounded record reader. */
#include "image_file.h"
#include "bytes.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include "repo_source.h"

/* ---- writing ------------------------------------------------------------------------------ */

void image_put(image_buf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

void image_w8(image_buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    image_put(b, &c, 1);
}

void image_w32(image_buf *b, uint32_t v)
{
    unsigned char c[4];
    put_u32(c, v);
    image_put(b, c, 4);
}

void image_w64(image_buf *b, uint64_t v)
{
    unsigned char c[8];
    put_u64(c, v);
    image_put(b, c, 8);
}

int image_reserve_header(FILE *f)
{
    unsigned char header[IMAGE_HEADER_SIZE];
    memset(header, 0, sizeof header);
    return fwrite(header, 1, IMAGE_HEADER_SIZE, f) == IMAGE_HEADER_SIZE ? 0 : -1;
}

/* FNV-1a, 64 bits: where a path's slot is looked for. */
static uint64_t path_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* Where a block's own entries start, and its checksum. */
#define BLOCK_ENTRIES (IMAGE_SLOTS * 8)
#define BLOCK_CRC (IMAGE_BLOCK - 4)

/* A slot block's checksum: crc32 of its bytes but the checksum, then of its number (a block in
 * another place does not check). */
static uint32_t block_crc(const unsigned char *block, uint32_t number)
{
    unsigned char no[4];
    put_u32(no, number);
    return (uint32_t)libdeflate_crc32((uint32_t)libdeflate_crc32(0, block, BLOCK_CRC), no, 4);
}

int image_table_build(image_buf *out, const char *const *paths, const unsigned char *fields, uint32_t n,
                      size_t entry_size, uint32_t *n_blocks, uint32_t *max_probe)
{
    /* at most half the slots full: a lookup of a missing path meets an empty slot soon */
    uint64_t blocks = 1;
    while (blocks * IMAGE_SLOTS < 2 * (uint64_t)n)
        blocks *= 2;
    if (blocks > (UINT32_MAX >> 1) || entry_size > IMAGE_FIELDS_MAX)
        return -1;
    unsigned char *slots = calloc((size_t)blocks, IMAGE_BLOCK);
    uint16_t *fill = calloc((size_t)blocks, sizeof *fill);   /* each block's first free entry byte */
    unsigned char *entry = malloc(4 + IMAGE_FIELDS_MAX + IMAGE_PATH_MAX);
    int rc = slots && fill && entry ? 0 : -1;
    image_buf area = { 0 };
    uint32_t longest = 1, mask = (uint32_t)blocks - 1;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        size_t pl = strlen(paths[i]), len = 4 + entry_size + pl;
        if (pl == 0 || pl > IMAGE_PATH_MAX) {
            rc = -1;
            break;
        }
        memcpy(entry + 4, fields + (size_t)i * entry_size, entry_size);
        memcpy(entry + 4 + entry_size, paths[i], pl);
        put_u32(entry, (uint32_t)libdeflate_crc32(0, entry + 4, len - 4));
        uint64_t h = path_hash(paths[i], pl);
        uint32_t b = (uint32_t)h & mask, probe = 1;
        for (;; b = (b + 1) & mask, probe++) {   /* ends: half the slots at least are empty */
            unsigned char *s = slots + (size_t)b * IMAGE_BLOCK;
            unsigned k = 0;
            while (k < IMAGE_SLOTS && get_u32(s + 8 * k))
                k++;
            if (k == IMAGE_SLOTS)
                continue;
            uint32_t ref;
            size_t at = fill[b] ? fill[b] : BLOCK_ENTRIES;
            if (len <= BLOCK_CRC - at) {   /* in the block itself: found with it */
                memcpy(s + at, entry, len);
                fill[b] = (uint16_t)(at + len);
                ref = IMAGE_INLINE | (uint32_t)at;
            } else if (area.len < IMAGE_INLINE - 1 - len) {
                ref = (uint32_t)area.len + 1;
                image_put(&area, entry, len);
            } else {
                rc = -1;
                break;
            }
            s += 8 * k;
            put_u32(s, ref);
            s[4] = (unsigned char)len;
            s[5] = (unsigned char)(len >> 8);
            s[6] = (unsigned char)(h >> 48);
            s[7] = (unsigned char)(h >> 56);
            break;
        }
        if (area.oom)
            rc = -1;
        if (probe > longest)
            longest = probe;
    }
    if (rc == 0) {
        for (uint32_t b = 0; b < blocks; b++)
            put_u32(slots + (size_t)b * IMAGE_BLOCK + BLOCK_CRC, block_crc(slots + (size_t)b * IMAGE_BLOCK, b));
        image_put(out, slots, (size_t)blocks * IMAGE_BLOCK);
        image_put(out, area.p, area.len);
        rc = out->oom ? -1 : 0;
    }
    free(slots);
    free(fill);
    free(entry);
    free(area.p);
    *n_blocks = (uint32_t)blocks;
    *max_probe = longest;
    return rc;
}

int image_write_header(FILE *f, const char magic[8], uint32_t format, uint64_t source, uint32_t kind,
                       uint32_t n_files, uint64_t table_off, uint32_t n_blocks, uint32_t max_probe)
{
    unsigned char header[IMAGE_HEADER_SIZE];
    memset(header, 0, sizeof header);
    memcpy(header, magic, 8);
    put_u32(header + 8, format);
    put_u64(header + 16, source);
    put_u32(header + 24, kind);
    put_u32(header + 28, n_files);
    put_u64(header + 32, table_off);
    put_u32(header + 40, n_blocks);
    put_u32(header + 44, max_probe);
    put_u32(header + 12, (uint32_t)libdeflate_crc32(0, header + 16, IMAGE_HEADER_SIZE - 16));
    if (fseek(f, 0, SEEK_SET) != 0 || fwrite(header, 1, IMAGE_HEADER_SIZE, f) != IMAGE_HEADER_SIZE)
        return -1;
    return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

int image_pread(const image_file *f, void *buf, size_t len, uint64_t off)
{
    for (size_t got = 0; got < len;) {
        ssize_t r = pread(f->fd, (char *)buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int image_file_open(image_file *f, const char *image_path, const char magic[8], const char *what,
                    uint32_t format, size_t entry_size, vs_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->entry_size = entry_size;
    snprintf(f->path, sizeof f->path, "%s", image_path);
    struct stat st;
    if (stat(image_path, &st) != 0)
        return vs_error_set(err, VSOLVE_EIO, "missing: %s: %s", image_path, strerror(errno));
    f->fd = repo_open_regular(image_path, err);
    if (f->fd < 0 || fstat(f->fd, &st) != 0) {
        if (!err->code)
            vs_error_set(err, VSOLVE_EIO, "%s: cannot read", image_path);
        return err->code;
    }
    unsigned char *h = f->header;
    f->size = (uint64_t)st.st_size;
    if (f->size < IMAGE_HEADER_SIZE || image_pread(f, h, IMAGE_HEADER_SIZE, 0) != 0 || memcmp(h, magic, 8) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s is not a vsolve %s image", image_path, what);
    if (get_u32(h + 12) != (uint32_t)libdeflate_crc32(0, h + 16, IMAGE_HEADER_SIZE - 16))
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: header checksum mismatch", image_path);
    if (get_u32(h + 8) != format)
        return vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s has image format %u, this vsolve reads %u", image_path,
                            get_u32(h + 8), format);
    /* the table: its blocks inside the file, the bounds of a lookup plausible */
    f->n_files = get_u32(h + 28);
    f->table_off = get_u64(h + 32);
    f->n_blocks = get_u32(h + 40);
    f->max_probe = get_u32(h + 44);
    uint64_t nb = f->n_blocks;
    if (entry_size > IMAGE_FIELDS_MAX || f->table_off < IMAGE_HEADER_SIZE || f->table_off > f->size || nb == 0 ||
        (nb & (nb - 1)) != 0 || nb * IMAGE_BLOCK > f->size - f->table_off || f->max_probe == 0 ||
        f->max_probe > nb || f->n_files > nb * IMAGE_SLOTS)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: implausible sizes", image_path);
    f->area_off = f->table_off + nb * IMAGE_BLOCK;
    f->area_len = f->size - f->area_off;
    return VSOLVE_OK;
}

void image_file_close(image_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

image_lookup_answer image_lookup(const image_file *f, const char *rel, int (*entry_ok)(const unsigned char *fields),
                                 unsigned char *fields)
{
    size_t pl = strlen(rel), want = 4 + f->entry_size + pl;
    if (pl == 0 || pl > IMAGE_PATH_MAX)
        return IMAGE_ABSENT;   /* the writer keeps no such path */
    uint64_t h = path_hash(rel, pl);
    uint32_t mask = f->n_blocks - 1, b = (uint32_t)h & mask;
    unsigned tag = (unsigned)(h >> 48);
    unsigned char block[IMAGE_BLOCK], far[4 + IMAGE_FIELDS_MAX + IMAGE_PATH_MAX];
    for (uint32_t probe = 0; probe < f->max_probe; probe++, b = (b + 1) & mask) {
        if (image_pread(f, block, IMAGE_BLOCK, f->table_off + (uint64_t)b * IMAGE_BLOCK) != 0 ||
            get_u32(block + BLOCK_CRC) != block_crc(block, b))
            return IMAGE_DAMAGED;
        for (unsigned k = 0; k < IMAGE_SLOTS; k++) {
            const unsigned char *s = block + 8 * k;
            uint64_t ref = get_u32(s), len = (uint64_t)s[4] | (uint64_t)s[5] << 8;
            if (ref == 0)
                return IMAGE_ABSENT;
            int here = (ref & IMAGE_INLINE) != 0;
            uint64_t at = here ? ref & ~(uint64_t)IMAGE_INLINE : ref - 1;
            if (here ? at < BLOCK_ENTRIES || at > BLOCK_CRC || len > BLOCK_CRC - at
                     : at > f->area_len || len > f->area_len - at)
                return IMAGE_DAMAGED;
            if (((unsigned)s[6] | (unsigned)s[7] << 8) != tag || len != want)
                continue;
            const unsigned char *entry = here ? block + at : far;
            if ((!here && image_pread(f, far, (size_t)len, f->area_off + at) != 0) ||
                get_u32(entry) != (uint32_t)libdeflate_crc32(0, entry + 4, (size_t)len - 4))
                return IMAGE_DAMAGED;
            if (memcmp(entry + 4 + f->entry_size, rel, pl) != 0)
                continue;
            const unsigned char *e = entry + 4;
            uint64_t ro = get_u64(e), rl = get_u32(e + 8);
            if (ro < IMAGE_HEADER_SIZE || ro > f->table_off || rl == 0 || rl > f->table_off - ro ||
                (entry_ok && !entry_ok(e)))
                return IMAGE_DAMAGED;
            memcpy(fields, e, f->entry_size);
            return IMAGE_FOUND;
        }
    }
    return IMAGE_ABSENT;
}
