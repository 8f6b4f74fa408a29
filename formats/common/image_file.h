/* image_file.h: the file layout both registry images share: header, file table, bounded record reader. */
#ifndef VSOLVE_IMAGE_FILE_H
#define VSOLVE_IMAGE_FILE_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "bytes.h"
#include "error.h"

/* The header (little-endian): 0 magic (8 bytes), 8 format version u32, 12 crc32 of bytes 16..63
 * u32, 16 source fingerprint u64, 24 kind u32, 28 file count u32, 32 table offset u64 (the table
 * runs to the end of the file), 40 slot block count u32 (a power of two), 44 longest probe u32
 * (in blocks), 48 reserved (16 zero bytes). The records follow from byte 64.
 *
 * The table is a hash table of the files' paths, read where it lies, a few bytes per lookup:
 * nothing is loaded or checked as a whole when an image is opened. It holds the slot blocks,
 * then the entry area. A slot block (IMAGE_BLOCK bytes): IMAGE_SLOTS slots, each u32 entry
 * reference (0: an empty slot; IMAGE_INLINE plus an offset: the entry lies in this block at
 * that offset; else the entry's offset in the entry area plus 1), u16 entry length, u16 tag
 * (the path hash's top 16 bits); then the entries kept in the block, as many of its slots'
 * entries as fit; then u32 crc32 of the block's other bytes followed by its number (u32). An
 * entry: u32 crc32 of the rest of the entry, the ecosystem's fields (entry_size bytes, starting
 * with the record's offset u64 and length u32), the path (the rest, no NUL). A path hashes
 * (FNV-1a, 64 bits) to its home block; it is in the first empty slot from there on, block after
 * block (wrapping), never more than "longest probe" blocks from home: a lookup reads blocks from
 * home until it meets the path, an empty slot or that bound, most often one block that holds
 * the entry too. Every block and entry is checked (crc32, bounds) when a lookup reads it. */
#define IMAGE_HEADER_SIZE 64
#define IMAGE_BLOCK 256
#define IMAGE_SLOTS 7
#define IMAGE_INLINE 0x80000000u
/* The longest path a table holds (the writer refuses longer ones). */
#define IMAGE_PATH_MAX 2048
/* The most bytes of fields an entry holds. */
#define IMAGE_FIELDS_MAX 64

/* ---- writing ---- */

/* A growing byte buffer; oom set (and nothing more written) once an allocation fails. */
typedef struct image_buf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} image_buf;

void image_put(image_buf *b, const void *data, size_t n);
void image_w8(image_buf *b, unsigned v);
void image_w32(image_buf *b, uint32_t v);
void image_w64(image_buf *b, uint64_t v);

/* Writes IMAGE_HEADER_SIZE zero bytes (the header's place, filled in by image_write_header). */
int image_reserve_header(FILE *f);

/* The table of n files: paths[i] (distinct, at most IMAGE_PATH_MAX bytes) and fields
 * fields[i * entry_size ..] of each, appended to out; *n_blocks and *max_probe for the header.
 * 0, or -1 (out of memory, or a table too big or a path too long for the format). */
int image_table_build(image_buf *out, const char *const *paths, const unsigned char *fields, uint32_t n,
                      size_t entry_size, uint32_t *n_blocks, uint32_t *max_probe);

/* Writes the header at the start of f; the table was written at table_off. 0, or -1 with errno. */
int image_write_header(FILE *f, const char magic[8], uint32_t format, uint64_t source, uint32_t kind,
                       uint32_t n_files, uint64_t table_off, uint32_t n_blocks, uint32_t max_probe);

/* ---- reading ---- */

/* An open image: its header and where its table lies. */
typedef struct image_file {
    int fd;
    char path[PATH_MAX];
    unsigned char header[IMAGE_HEADER_SIZE];
    uint64_t size;                /* of the file */
    uint64_t table_off;           /* where the records end */
    uint32_t n_files;
    size_t entry_size;
    uint32_t n_blocks, max_probe;
    uint64_t area_off, area_len;  /* the entries */
} image_file;

/* Opens image_path and checks its header: magic, checksum, format version, and sizes the file
 * backs (errors: "missing: ...", "corrupt: PATH is not a vsolve WHAT image", "corrupt: ...:
 * header checksum mismatch", "stale: ... has image format ...", "corrupt: ...: implausible
 * sizes"). Then f->header holds the header. A fixed amount of work: the table is checked piece
 * by piece as lookups read it (image_lookup). On failure f is to be closed all the same. */
int image_file_open(image_file *f, const char *image_path, const char magic[8], const char *what,
                    uint32_t format, size_t entry_size, vs_error *err);

void image_file_close(image_file *f);

typedef enum image_lookup_answer {
    IMAGE_ABSENT,     /* no such path */
    IMAGE_FOUND,      /* fields filled in (entry_size bytes); the record lies inside the records */
    IMAGE_DAMAGED     /* a block or entry on the way does not check (crc32, bounds, entry_ok) */
} image_lookup_answer;

/* Looks the path rel up. entry_ok (may be NULL) checks an entry's fields further. */
image_lookup_answer image_lookup(const image_file *f, const char *rel, int (*entry_ok)(const unsigned char *fields),
                                 unsigned char *fields);

/* Reads len bytes at off: 0, or -1. */
int image_pread(const image_file *f, void *buf, size_t len, uint64_t off);

/* ---- a bounded reader over one record: once bad, every read answers 0 / NULL ---- */

typedef struct image_rd {
    const unsigned char *p, *end;
    int bad;
} image_rd;

/* Inline: a record's decoder calls these once per field. */
static inline size_t image_left(const image_rd *r) { return (size_t)(r->end - r->p); }

static inline unsigned image_r8(image_rd *r)
{
    if (r->bad || image_left(r) < 1)
        return r->bad = 1, 0;
    return *r->p++;
}

static inline uint32_t image_r32(image_rd *r)
{
    if (r->bad || image_left(r) < 4)
        return r->bad = 1, 0;
    uint32_t v = get_u32(r->p);
    r->p += 4;
    return v;
}

static inline uint64_t image_r64(image_rd *r)
{
    if (r->bad || image_left(r) < 8)
        return r->bad = 1, 0;
    uint64_t v = get_u64(r->p);
    r->p += 8;
    return v;
}

/* A str (u32 length, the bytes, a NUL): a pointer into the record, or NULL for the length
 * UINT32_MAX (none: r stays good, *len 0). len may be NULL. */
static inline const char *image_rstr(image_rd *r, size_t *len)
{
    uint32_t n = image_r32(r);
    if (r->bad || n == UINT32_MAX) {
        if (len)
            *len = 0;
        return NULL;
    }
    if ((size_t)n >= image_left(r) || r->p[n] != '\0')
        return r->bad = 1, NULL;
    const char *s = (const char *)r->p;
    r->p += (size_t)n + 1;
    if (len)
        *len = n;
    return s;
}

/* A count of items of at least `min` bytes each that the rest of the record can hold. */
static inline uint32_t image_rcount(image_rd *r, size_t min)
{
    uint32_t n = image_r32(r);
    if (!r->bad && (uint64_t)n * min > image_left(r))
        r->bad = 1;
    return r->bad ? 0 : n;
}

#endif
