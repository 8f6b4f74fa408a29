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

int image_write_header(FILE *f, const char magic[8], uint32_t format, uint64_t source, uint32_t kind,
                       uint32_t n_files, uint64_t table_off, const unsigned char *table, size_t table_len)
{
    unsigned char header[IMAGE_HEADER_SIZE];
    memset(header, 0, sizeof header);
    memcpy(header, magic, 8);
    put_u32(header + 8, format);
    put_u64(header + 16, source);
    put_u32(header + 24, kind);
    put_u32(header + 28, n_files);
    put_u64(header + 32, table_off);
    put_u32(header + 40, table_len ? (uint32_t)libdeflate_crc32(0, table, table_len) : 0);
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
    return VSOLVE_OK;
}

const unsigned char *image_entry(const image_file *f, uint32_t i) { return f->table + (size_t)i * f->entry_size; }

const char *image_entry_path(const image_file *f, uint32_t i) { return f->paths + get_u32(image_entry(f, i)); }

/* Every path inside the path text and NUL-terminated, every record inside the records, the
 * paths strictly increasing. */
static int check_table(const image_file *f, int (*entry_ok)(const unsigned char *entry))
{
    for (uint32_t i = 0; i < f->n_files; i++) {
        const unsigned char *e = image_entry(f, i);
        uint64_t po = get_u32(e), pl = get_u32(e + 4), ro = get_u64(e + 8), rl = get_u32(e + 16);
        if (po + pl >= f->paths_len || f->paths[po + pl] != '\0' || strlen(f->paths + po) != pl)
            return -1;
        if (ro < IMAGE_HEADER_SIZE || ro > f->table_off || rl > f->table_off - ro || rl == 0)
            return -1;
        if (entry_ok && !entry_ok(e))
            return -1;
        if (i && strcmp(image_entry_path(f, i - 1), image_entry_path(f, i)) >= 0)
            return -1;
    }
    return 0;
}

int image_file_load_table(image_file *f, int (*entry_ok)(const unsigned char *entry), vs_error *err)
{
    const unsigned char *h = f->header;
    uint64_t size = f->size;
    f->n_files = get_u32(h + 28);
    f->table_off = get_u64(h + 32);
    /* the table runs from its offset to the end of the file: nothing is allocated that the
     * file does not hold */
    if (f->table_off < IMAGE_HEADER_SIZE || f->table_off > size ||
        (uint64_t)f->n_files * f->entry_size > size - f->table_off || size - f->table_off > SIZE_MAX)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: implausible sizes", f->path);
    size_t table_len = (size_t)(size - f->table_off);
    if (!(f->table = malloc(table_len ? table_len : 1)))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", f->path);
    if (image_pread(f, f->table, table_len, f->table_off) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: wrong length", f->path);
    if (get_u32(h + 40) != (table_len ? (uint32_t)libdeflate_crc32(0, f->table, table_len) : 0))
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the file table is damaged (checksum mismatch)",
                            f->path);
    f->paths = (const char *)f->table + (size_t)f->n_files * f->entry_size;
    f->paths_len = table_len - (size_t)f->n_files * f->entry_size;
    if (check_table(f, entry_ok) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: an inconsistent file table", f->path);
    return VSOLVE_OK;
}

void image_file_close(image_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->table);
    f->fd = -1;
    f->table = NULL;
}

long image_find(const image_file *f, const char *rel)
{
    uint32_t lo = 0, hi = f->n_files;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(image_entry_path(f, mid), rel);
        if (cmp == 0)
            return (long)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- the bounded reader ------------------------------------------------------------------- */

size_t image_left(const image_rd *r) { return (size_t)(r->end - r->p); }

unsigned image_r8(image_rd *r)
{
    if (r->bad || image_left(r) < 1)
        return r->bad = 1, 0;
    return *r->p++;
}

uint32_t image_r32(image_rd *r)
{
    if (r->bad || image_left(r) < 4)
        return r->bad = 1, 0;
    uint32_t v = get_u32(r->p);
    r->p += 4;
    return v;
}

uint64_t image_r64(image_rd *r)
{
    if (r->bad || image_left(r) < 8)
        return r->bad = 1, 0;
    uint64_t v = get_u64(r->p);
    r->p += 8;
    return v;
}

const char *image_rstr(image_rd *r, size_t *len)
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

uint32_t image_rcount(image_rd *r, size_t min)
{
    uint32_t n = image_r32(r);
    if (!r->bad && (uint64_t)n * min > image_left(r))
        r->bad = 1;
    return r->bad ? 0 : n;
}
