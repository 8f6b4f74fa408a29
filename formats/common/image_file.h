/* image_file.h: the file layout both registry images share: header, file table, bounded record reader. */
#ifndef VSOLVE_IMAGE_FILE_H
#define VSOLVE_IMAGE_FILE_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

/* The header (little-endian): 0 magic (8 bytes), 8 format version u32, 12 crc32 of bytes 16..63
 * u32, 16 source fingerprint u64, 24 kind u32, 28 file count u32, 32 table offset u64 (the table
 * runs to the end of the file), 40 crc32 of the table u32, 44 reserved (20 zero bytes). The
 * records follow from byte 64. A table entry starts with its path's offset and length in the
 * path text (u32, u32), its record's offset (u64) and length (u32); the path text follows the
 * entries (each path NUL-terminated), the entries sorted by path (strcmp). */
#define IMAGE_HEADER_SIZE 64

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
/* Writes the header at the start of f; the table (table_len bytes) was written at table_off.
 * 0, or -1 with errno. */
int image_write_header(FILE *f, const char magic[8], uint32_t format, uint64_t source, uint32_t kind,
                       uint32_t n_files, uint64_t table_off, const unsigned char *table, size_t table_len);

/* ---- reading ---- */

/* An open image: its header and its file table (entry_size bytes per file, then the path text). */
typedef struct image_file {
    int fd;
    char path[PATH_MAX];
    unsigned char header[IMAGE_HEADER_SIZE];
    uint64_t size;                /* of the file */
    uint64_t table_off;           /* where the records end */
    uint32_t n_files;
    size_t entry_size;
    unsigned char *table;         /* entries, then the path text */
    const char *paths;
    size_t paths_len;
} image_file;

/* Opens image_path and checks its header's magic, checksum and format version (errors:
 * "missing: ...", "corrupt: PATH is not a vsolve WHAT image", "corrupt: ...: header checksum
 * mismatch", "stale: ... has image format ..."). Then f->header holds the header. On failure f
 * is to be closed all the same. */
int image_file_open(image_file *f, const char *image_path, const char magic[8], const char *what,
                    uint32_t format, size_t entry_size, vs_error *err);

/* Reads and checks the file table: sizes the file backs, its checksum, every path inside the
 * path text, every record (never empty) inside the records, the paths strictly increasing, and
 * entry_ok (may be NULL) of each entry. */
int image_file_load_table(image_file *f, int (*entry_ok)(const unsigned char *entry), vs_error *err);

void image_file_close(image_file *f);

const unsigned char *image_entry(const image_file *f, uint32_t i);
const char *image_entry_path(const image_file *f, uint32_t i);
/* The index of the entry of path rel, or -1. */
long image_find(const image_file *f, const char *rel);

/* Reads len bytes at off: 0, or -1. */
int image_pread(const image_file *f, void *buf, size_t len, uint64_t off);

/* ---- a bounded reader over one record: once bad, every read answers 0 / NULL ---- */

typedef struct image_rd {
    const unsigned char *p, *end;
    int bad;
} image_rd;

size_t image_left(const image_rd *r);
unsigned image_r8(image_rd *r);
uint32_t image_r32(image_rd *r);
uint64_t image_r64(image_rd *r);
/* A str (u32 length, the bytes, a NUL): a pointer into the record, or NULL for the length
 * UINT32_MAX (none: r stays good, *len 0). len may be NULL. */
const char *image_rstr(image_rd *r, size_t *len);
/* A count of items of at least `min` bytes each that the rest of the record can hold. */
uint32_t image_rcount(image_rd *r, size_t min);

#endif
