/* repo_source.c: hands out the regular files of a directory tree or of a streamed .tar / .tar.gz. */
#include "repo_source.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#define CHUNK (256 * 1024)          /* compressed and decompressed buffer size */
#define BLOCK 512                   /* tar block size */
#define MAX_META_SIZE (1024 * 1024) /* largest GNU long name or pax header we accept */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Grows *buf (malloc'd) to hold at least `need` bytes; 0 on success. */
static int reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    char *p = realloc(*buf, ncap);
    if (!p)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

/* ---- byte streams: a file or a memory buffer, optionally gzip-compressed, read in order ---- */

typedef struct byte_stream {
    /* Raw source: a file descriptor, or memory when fd < 0. */
    int fd;
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    /* Decompression, when gzipped. */
    int gzipped;
    z_stream z;
    int z_ready;            /* inflateInit2 succeeded: inflateEnd is owed */
    int z_member_ended;     /* inflate reported the end of a gzip member */
    /* zlib inflates, but the check of each member is computed here, with libdeflate's faster
     * crc32 / adler32 (inflateValidate(0) turns zlib's own off): */
    int member_started;     /* the member's first compressed byte has been seen */
    int member_gzip;        /* it was 0x1f: a gzip member (crc32 and size); else zlib (adler32) */
    uint32_t check;         /* the member's crc32 or adler32 of its inflated bytes so far */
    uint32_t member_size;   /* and their count, modulo 2^32 (gzip's ISIZE) */
    unsigned char tail[8];  /* the last 8 compressed bytes inflate consumed: the trailer at its end */
    int raw_eof;
    unsigned char *in_buf;  /* compressed bytes read from fd */
    unsigned char *out_buf; /* decompressed bytes, or bytes read from fd */
    /* The bytes ready to hand out: out[0..out_len). */
    const unsigned char *out;
    size_t out_len;
    uint64_t consumed;      /* bytes handed out so far: the offset in the (decompressed) stream */
    uint64_t inflated;      /* bytes inflated so far, and the most allowed (the caller's max_inflate) */
    uint64_t max_inflated;
    int error_code;         /* after a failed read: VSOLVE_EBADINPUT, VSOLVE_EIO or VSOLVE_ENOMEM */
    char problem[200];      /* and what went wrong */
} byte_stream;

int repo_open_regular(const char *path, vs_error *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        vs_error_set(err, VSOLVE_EIO, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        vs_error_set(err, VSOLVE_EIO, "%s: not a regular file (vsolve reads only regular files and directories)", path);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

static int stream_open(byte_stream *s, int fd, const void *mem, size_t mem_len, int gzipped, uint64_t max_inflate)
{
    memset(s, 0, sizeof *s);
    s->max_inflated = max_inflate ? max_inflate : REPO_MAX_INFLATE_DEFAULT;
    s->fd = fd;
    s->mem = mem;
    s->mem_len = mem_len;
    s->gzipped = gzipped;
    if (fd >= 0 || gzipped) {
        s->out_buf = malloc(CHUNK);
        if (!s->out_buf)
            return -1;
    }
    if (gzipped) {
        if (fd >= 0 && !(s->in_buf = malloc(CHUNK)))
            return -1;
        if (inflateInit2(&s->z, 15 + 32) != Z_OK)  /* 32: accept gzip or zlib headers */
            return -1;
        s->z_ready = 1;
        inflateValidate(&s->z, 0);
    }
    return 0;
}

static void stream_close(byte_stream *s)
{
    if (s->z_ready)
        inflateEnd(&s->z);
    free(s->in_buf);
    free(s->out_buf);
}

static int stream_failed(byte_stream *s, int code, const char *what)
{
    s->error_code = code;
    snprintf(s->problem, sizeof s->problem, "%s", what);
    return -1;
}

/* Reads raw (possibly compressed) bytes: returns how many (0 at end) or -1. */
static long raw_read(byte_stream *s, unsigned char *buf, size_t cap, const unsigned char **where)
{
    if (s->fd < 0) {
        size_t n = s->mem_len - s->mem_pos;
        if (n > cap)
            n = cap;
        *where = s->mem + s->mem_pos;  /* no copy needed */
        s->mem_pos += n;
        return (long)n;
    }
    for (;;) {
        ssize_t n = read(s->fd, buf, cap);
        if (n >= 0) {
            *where = buf;
            return (long)n;
        }
        if (errno != EINTR) {
            char what[160];
            snprintf(what, sizeof what, "read failed: %s", strerror(errno));
            return stream_failed(s, VSOLVE_EIO, what);
        }
    }
}

/* Notes the compressed bytes in[0..n) that inflate just consumed (their last 8 are kept). */
static void note_consumed(byte_stream *s, const unsigned char *in, size_t n)
{
    if (n == 0)
        return;
    if (!s->member_started) {
        s->member_started = 1;
        s->member_gzip = in[0] == 0x1f;   /* zlib takes 0x1f 0x8b as gzip; a zlib header never starts so */
        s->check = s->member_gzip ? 0 : 1;   /* crc32 and adler32 of nothing */
    }
    if (n >= 8) {
        memcpy(s->tail, in + n - 8, 8);
    } else {
        memmove(s->tail, s->tail + n, 8 - n);
        memcpy(s->tail + 8 - n, in, n);
    }
}

/* At the end of a member: does its trailer hold the check and size of what it inflated to? */
static int member_check_ok(const byte_stream *s, const char **what)
{
    const unsigned char *t = s->tail;
    if (!s->member_gzip) {
        uint32_t stored = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
        *what = "corrupt gzip data (incorrect data check)";
        return stored == s->check;
    }
    uint32_t crc = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    uint32_t size = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
    *what = crc != s->check ? "corrupt gzip data (incorrect data check)" : "corrupt gzip data (incorrect length check)";
    return crc == s->check && size == s->member_size;
}

/* Makes the next bytes available in s->out; returns 1, 0 at the end of the data, or -1. */
static int stream_fill(byte_stream *s)
{
    if (!s->gzipped) {
        long n = raw_read(s, s->out_buf, CHUNK, &s->out);
        if (n < 0)
            return -1;
        s->out_len = (size_t)n;
        return n > 0;
    }
    for (;;) {
        if (s->z.avail_in == 0 && !s->raw_eof) {
            const unsigned char *where;
            long n = raw_read(s, s->in_buf, CHUNK, &where);
            if (n < 0)
                return -1;
            if (n == 0)
                s->raw_eof = 1;
            s->z.next_in = (unsigned char *)where;  /* zlib's API is not const-correct */
            s->z.avail_in = (uInt)n;
        }
        if (s->z_member_ended) {
            if (s->z.avail_in == 0)
                return 0;  /* raw_eof: the end of the last gzip member */
            if (inflateReset(&s->z) != Z_OK)  /* another gzip member follows (as pigz writes) */
                return stream_failed(s, VSOLVE_EBADINPUT, "corrupt gzip data");
            inflateValidate(&s->z, 0);
            s->z_member_ended = 0;
            s->member_started = 0;
            s->member_size = 0;
        }
        s->z.next_out = s->out_buf;
        s->z.avail_out = CHUNK;
        const unsigned char *in = s->z.next_in;
        uInt in_len = s->z.avail_in;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t produced = CHUNK - s->z.avail_out;
        note_consumed(s, in, in_len - s->z.avail_in);
        if (produced > 0) {
            s->check = s->member_gzip ? (uint32_t)libdeflate_crc32(s->check, s->out_buf, produced)
                                      : (uint32_t)libdeflate_adler32(s->check, s->out_buf, produced);
            s->member_size += (uint32_t)produced;
        }
        const char *bad_check;
        if (rc == Z_STREAM_END && !member_check_ok(s, &bad_check)) {
            return stream_failed(s, VSOLVE_EBADINPUT, bad_check);
        } else if (rc == Z_STREAM_END) {
            s->z_member_ended = 1;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            char what[160];
            snprintf(what, sizeof what, "corrupt gzip data (%s)", s->z.msg ? s->z.msg : "zlib error");
            return stream_failed(s, rc == Z_MEM_ERROR ? VSOLVE_ENOMEM : VSOLVE_EBADINPUT, what);
        }
        if (produced == 0 && rc == Z_BUF_ERROR && s->z.avail_in > 0)  /* no progress: never loop forever */
            return stream_failed(s, VSOLVE_EBADINPUT, "corrupt gzip data");
        s->inflated += produced;
        if (s->inflated > s->max_inflated) {   /* a small file must not become any amount of memory */
            char what[200];
            snprintf(what, sizeof what, "the data inflates to more than %llu bytes (the limit; raise it with "
                     "--max-inflate BYTES, VSOLVE_MAX_INFLATE=BYTES or vsolve_set_max_inflate)",
                     (unsigned long long)s->max_inflated);
            return stream_failed(s, VSOLVE_EBADINPUT, what);
        }
        if (produced > 0) {
            s->out = s->out_buf;
            s->out_len = produced;
            return 1;
        }
        if (!s->z_member_ended && s->z.avail_in == 0 && s->raw_eof)
            return stream_failed(s, VSOLVE_EBADINPUT, "truncated gzip data");
    }
}

/* Copies the next n bytes to dst (or drops them when dst is NULL). Returns how many were
 * available (fewer than n only at the end of the data), or -1. */
static long long stream_read(byte_stream *s, void *dst, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        if (s->out_len == 0) {
            int rc = stream_fill(s);
            if (rc < 0)
                return -1;
            if (rc == 0)
                break;
        }
        size_t take = s->out_len;
        if (take > n - done)
            take = (size_t)(n - done);
        if (dst)
            memcpy((char *)dst + done, s->out, take);
        s->out += take;
        s->out_len -= take;
        done += take;
    }
    s->consumed += done;
    return (long long)done;
}

/* ---- tar archives ---- */

typedef struct tar_walk {
    byte_stream stream;
    const char *archive;     /* for messages */
    repo_want_fn want;
    repo_file_fn on_file;
    void *user;
    vs_error *err;
    char *path;              /* the current member's name */
    size_t path_cap;
    char *pending_path;      /* from a GNU 'L' member or a pax 'x' header, for the next member */
    size_t pending_path_cap;
    int has_pending_path;
    uint64_t pending_size;   /* from a pax "size" record */
    int has_pending_size;
    char *data;              /* the current member's contents */
    size_t data_cap;
    char last_member[256];   /* name of the last member read, for messages */
} tar_walk;

static int tar_fail(tar_walk *t, int code, uint64_t offset, const char *what)
{
    if (t->last_member[0])
        return vs_error_set(t->err, code, "%s: %s at byte %llu (after member '%s')", t->archive, what,
                            (unsigned long long)offset, t->last_member);
    return vs_error_set(t->err, code, "%s: %s at byte %llu (first header)", t->archive, what,
                        (unsigned long long)offset);
}

/* A failed read of the underlying stream; member is the member whose data was being read,
 * or NULL between members. */
static int tar_stream_fail(tar_walk *t, const char *member, uint64_t header_at)
{
    const byte_stream *s = &t->stream;
    unsigned long long at = (unsigned long long)s->consumed;
    if (member)
        return vs_error_set(t->err, s->error_code,
                            "%s: %s at byte %llu of the tar data, in member '%s' (header at byte %llu)", t->archive,
                            s->problem, at, member, (unsigned long long)header_at);
    if (t->last_member[0])
        return vs_error_set(t->err, s->error_code, "%s: %s at byte %llu of the tar data (after member '%s')",
                            t->archive, s->problem, at, t->last_member);
    return vs_error_set(t->err, s->error_code, "%s: %s at byte %llu of the tar data", t->archive, s->problem, at);
}

static int tar_out_of_memory(tar_walk *t)
{
    return vs_error_set(t->err, VSOLVE_ENOMEM, "%s: out of memory", t->archive);
}

/* Reads a member's `size` bytes of data into t->data (NUL-terminated) or drops them when
 * keep is 0, then the padding up to the next block. */
static int tar_read_data(tar_walk *t, const char *member, uint64_t header_at, uint64_t size, int keep)
{
    uint64_t padded = size + (BLOCK - size % BLOCK) % BLOCK;
    if (size > UINT64_MAX - BLOCK || (keep && size >= SIZE_MAX))
        return tar_fail(t, VSOLVE_EBADINPUT, header_at, "member size too large");
    uint64_t got = 0;
    while (got < padded) {
        /* Grow with the data that actually arrives, so a corrupt size cannot ask for a huge buffer. */
        uint64_t step = padded - got < CHUNK ? padded - got : CHUNK;
        char *dst = NULL;
        if (keep && got < size) {
            if (step > size - got)
                step = size - got;
            if (reserve(&t->data, &t->data_cap, (size_t)(got + step + 1)) != 0)
                return tar_out_of_memory(t);
            dst = t->data + got;
        }
        long long n = stream_read(&t->stream, dst, step);
        if (n < 0)
            return tar_stream_fail(t, member, header_at);
        got += (uint64_t)n;
        if ((uint64_t)n < step) {
            return vs_error_set(t->err, VSOLVE_EBADINPUT,
                                "%s: truncated archive: member '%s' (header at byte %llu) has %llu bytes of "
                                "data%s, but the archive ends at byte %llu",
                                t->archive, member, (unsigned long long)header_at, (unsigned long long)size,
                                padded > size ? " plus padding" : "", (unsigned long long)t->stream.consumed);
        }
    }
    if (keep) {
        if (reserve(&t->data, &t->data_cap, (size_t)size + 1) != 0)  /* size 0: nothing reserved yet */
            return tar_out_of_memory(t);
        t->data[size] = '\0';
    }
    return VSOLVE_OK;
}

/* Parses a NUL- or space-terminated octal field, or a GNU base-256 number (high bit set). */
static int parse_number_field(const unsigned char *f, size_t width, uint64_t *out)
{
    uint64_t v = 0;
    if (f[0] & 0x80) {
        if (f[0] != 0x80)
            return -1;  /* 0xFF: negative */
        for (size_t i = 1; i < width; i++) {
            if (v >> 56)
                return -1;
            v = (v << 8) | f[i];
        }
        *out = v;
        return 0;
    }
    size_t i = 0;
    while (i < width && f[i] == ' ')
        i++;
    size_t first = i;
    while (i < width && f[i] >= '0' && f[i] <= '7') {
        if (v >> 60)
            return -1;
        v = v * 8 + (uint64_t)(f[i] - '0');
        i++;
    }
    if (i == first && !(i < width && f[i] == '\0'))
        return -1;  /* no digits: only an all-NUL field means 0 */
    for (; i < width; i++)
        if (f[i] != '\0' && f[i] != ' ')
            return -1;
    *out = v;
    return 0;
}

static int checksum_ok(const unsigned char *h)
{
    uint64_t stored;
    if (parse_number_field(h + 148, 8, &stored) != 0)
        return 0;
    /* The checksum field itself counts as eight spaces. */
    uint32_t unsigned_sum = 8 * ' ';
    for (int i = 0; i < 148; i++)
        unsigned_sum += h[i];
    for (int i = 156; i < BLOCK; i++)
        unsigned_sum += h[i];
    if (stored == unsigned_sum)
        return 1;
    int32_t signed_sum = 8 * ' ';   /* some old tars summed signed chars: only then this second pass */
    for (int i = 0; i < BLOCK; i++)
        if (i < 148 || i >= 156)
            signed_sum += (signed char)h[i];
    return (long long)stored == (long long)signed_sum;
}

static int all_zero(const unsigned char *block)
{
    for (int i = 0; i < BLOCK; i++)
        if (block[i])
            return 0;
    return 1;
}

static int set_pending_path(tar_walk *t, const char *s, size_t n)
{
    if (reserve(&t->pending_path, &t->pending_path_cap, n + 1) != 0)
        return -1;
    memcpy(t->pending_path, s, n);
    t->pending_path[n] = '\0';
    t->has_pending_path = 1;
    return 0;
}

/* Applies the records "LEN key=value\n" of the pax header in t->data[0..size). */
static int tar_apply_pax(tar_walk *t, uint64_t header_at, size_t size)
{
    size_t at = 0;
    while (at < size) {
        const char *rec = t->data + at;
        size_t rest = size - at, len = 0, i = 0;
        while (i < rest && rec[i] >= '0' && rec[i] <= '9' && len < MAX_META_SIZE)
            len = len * 10 + (size_t)(rec[i++] - '0');
        if (i == 0 || i >= rest || rec[i] != ' ' || len <= i + 1 || len > rest || rec[len - 1] != '\n')
            return tar_fail(t, VSOLVE_EBADINPUT, header_at, "malformed pax extended header");
        const char *key = rec + i + 1;
        const char *eq = memchr(key, '=', (size_t)(rec + len - 1 - key));
        if (!eq)
            return tar_fail(t, VSOLVE_EBADINPUT, header_at, "malformed pax extended header (record without '=')");
        const char *value = eq + 1;
        size_t value_len = (size_t)(rec + len - 1 - value);
        size_t key_len = (size_t)(eq - key);
        if (key_len == 4 && memcmp(key, "path", 4) == 0) {
            if (set_pending_path(t, value, value_len) != 0)
                return tar_out_of_memory(t);
        } else if (key_len == 4 && memcmp(key, "size", 4) == 0) {
            uint64_t v = 0;
            size_t k = 0;
            for (; k < value_len && value[k] >= '0' && value[k] <= '9' && !(v >> 58); k++)
                v = v * 10 + (uint64_t)(value[k] - '0');
            if (k == 0 || k != value_len)
                return tar_fail(t, VSOLVE_EBADINPUT, header_at, "malformed pax size record");
            t->pending_size = v;
            t->has_pending_size = 1;
        }
        at += len;
    }
    return VSOLVE_OK;
}

/* The member name of header h: a pending long name, or ustar prefix "/" name. */
static int tar_member_name(tar_walk *t, const unsigned char *h)
{
    const char *name = (const char *)h;
    size_t name_len = strnlen(name, 100);
    const char *prefix = (const char *)h + 345;
    size_t prefix_len = memcmp(h + 257, "ustar\0", 6) == 0 ? strnlen(prefix, 155) : 0;  /* not GNU */
    if (t->has_pending_path) {
        name = t->pending_path;
        name_len = strlen(name);
        prefix_len = 0;
    }
    if (reserve(&t->path, &t->path_cap, prefix_len + 1 + name_len + 1) != 0)
        return tar_out_of_memory(t);
    size_t n = 0;
    if (prefix_len > 0) {
        memcpy(t->path, prefix, prefix_len);
        t->path[prefix_len] = '/';
        n = prefix_len + 1;
    }
    memmove(t->path + n, name, name_len);
    t->path[n + name_len] = '\0';
    return VSOLVE_OK;
}

static int tar_walk_stream(tar_walk *t)
{
    unsigned char h[BLOCK];
    int zero_blocks = 0;
    for (;;) {
        uint64_t header_at = t->stream.consumed;
        long long n = stream_read(&t->stream, h, BLOCK);
        if (n < 0)
            return tar_stream_fail(t, NULL, 0);
        if (n < BLOCK)
            return tar_fail(t, VSOLVE_EBADINPUT, header_at,
                            n == 0 ? "truncated archive: no end-of-archive blocks"
                                   : "truncated archive: partial header block");
        if (all_zero(h)) {
            if (++zero_blocks == 2)
                return VSOLVE_OK;
            continue;
        }
        if (zero_blocks)
            return tar_fail(t, VSOLVE_EBADINPUT, header_at, "a lone zero block followed by a header");
        if (!checksum_ok(h))
            return tar_fail(t, VSOLVE_EBADINPUT, header_at, "corrupt archive: header checksum mismatch");
        uint64_t size;
        if (parse_number_field(h + 124, 12, &size) != 0)
            return tar_fail(t, VSOLVE_EBADINPUT, header_at, "corrupt archive: bad size field");
        char type = (char)h[156];

        if (type == 'L' || type == 'x') {  /* metadata for the next member */
            if (size > MAX_META_SIZE)
                return tar_fail(t, VSOLVE_EBADINPUT, header_at, "long name or pax header too large");
            int rc = tar_read_data(t, type == 'L' ? "(GNU long name)" : "(pax header)", header_at, size, 1);
            if (rc != VSOLVE_OK)
                return rc;
            if (type == 'L')
                rc = set_pending_path(t, t->data, strnlen(t->data, (size_t)size)) == 0 ? VSOLVE_OK
                                                                                      : tar_out_of_memory(t);
            else
                rc = tar_apply_pax(t, header_at, (size_t)size);
            if (rc != VSOLVE_OK)
                return rc;
            continue;
        }

        if (type == 'g' || type == 'K') {  /* pax global header, GNU long link name: not needed */
            int rc = tar_read_data(t, type == 'g' ? "(pax global header)" : "(GNU long link name)", header_at,
                                   size, 0);
            if (rc != VSOLVE_OK)
                return rc;
            continue;
        }

        if (t->has_pending_size)
            size = t->pending_size;
        int rc = tar_member_name(t, h);
        t->has_pending_path = 0;
        t->has_pending_size = 0;
        if (rc != VSOLVE_OK)
            return rc;
        if (t->path[0] == '\0')
            return tar_fail(t, VSOLVE_EBADINPUT, header_at, "corrupt archive: member with an empty name");
        size_t shown = strnlen(t->path, sizeof t->last_member - 1);   /* as snprintf would cut it */
        memcpy(t->last_member, t->path, shown);
        t->last_member[shown] = '\0';

        int is_file = (type == '0' || type == '\0' || type == '7') && !ends_with(t->path, "/");
        int has_data = !(type >= '1' && type <= '6');  /* links, devices, dirs, fifos: no data blocks */
        if (!has_data)
            continue;
        int keep = is_file && (!t->want || t->want(t->user, t->path));
        rc = tar_read_data(t, t->path, header_at, size, keep);
        if (rc != VSOLVE_OK)
            return rc;
        if (keep) {
            rc = t->on_file(t->user, t->path, t->data, (size_t)size);
            if (rc != VSOLVE_OK)
                return rc;
        }
    }
}

/* Walks the archive already opened as t->stream; drains a gzip stream to its end so its
 * checksum is verified. */
static int tar_walk_run(tar_walk *t)
{
    int rc = tar_walk_stream(t);
    if (rc == VSOLVE_OK && t->stream.gzipped) {
        for (;;) {
            long long n = stream_read(&t->stream, NULL, CHUNK);
            if (n < 0) {
                rc = tar_stream_fail(t, NULL, 0);
                break;
            }
            if (n == 0)
                break;
        }
    }
    free(t->path);
    free(t->pending_path);
    free(t->data);
    stream_close(&t->stream);
    return rc;
}

static int tar_walk_open(tar_walk *t, const char *archive, int fd, const void *mem, size_t mem_len, int gzipped,
                         uint64_t max_inflate, repo_want_fn want, repo_file_fn on_file, void *user, vs_error *err)
{
    memset(t, 0, sizeof *t);
    t->archive = archive;
    t->want = want;
    t->on_file = on_file;
    t->user = user;
    t->err = err;
    if (stream_open(&t->stream, fd, mem, mem_len, gzipped, max_inflate) != 0) {
        stream_close(&t->stream);
        return tar_out_of_memory(t);
    }
    return VSOLVE_OK;
}

int repo_source_walk_tar_memory(const char *name, const void *data, size_t len, int gzipped, uint64_t max_inflate,
                                repo_want_fn want, repo_file_fn on_file, void *user, vs_error *err)
{
    tar_walk t;
    int rc = tar_walk_open(&t, name, -1, data, len, gzipped, max_inflate, want, on_file, user, err);
    return rc == VSOLVE_OK ? tar_walk_run(&t) : rc;
}

static int walk_tar_file(const char *path, int gzipped, uint64_t max_inflate, repo_want_fn want,
                         repo_file_fn on_file, void *user, vs_error *err)
{
    int fd = repo_open_regular(path, err);
    if (fd < 0)
        return err->code;
    tar_walk t;
    int rc = tar_walk_open(&t, path, fd, NULL, 0, gzipped, max_inflate, want, on_file, user, err);
    if (rc == VSOLVE_OK)
        rc = tar_walk_run(&t);
    close(fd);
    return rc;
}

/* ---- a tar walk on a second thread ---- */

/* The reading thread inflates and splits the archive (walk_tar_file) and queues each wanted
 * member; the calling thread takes them in archive order and hands them to on_file, so the
 * caller's work overlaps the inflating. The queue holds at most PIPE_SLOTS members and, unless
 * a single member is larger, PIPE_BYTES of data. */
#define PIPE_SLOTS 256
#define PIPE_BYTES (4u << 20)
#define PIPE_CANCELLED (-1000)   /* put refused: the consumer stopped */
/* Staged walks share prepare between the threads: the reading thread queues a member raw (a copy
 * of its data) for the calling thread to prepare, unless PIPE_SHARE_BACKLOG raw members are
 * queued already; then it prepares the member itself. The calling thread, waiting on an empty
 * queue, is woken once PIPE_WAKE_RAW raw members are there. So each thread prepares as many files
 * as its other work leaves it time for, whatever the load. */
#define PIPE_SHARE_BACKLOG 32
#define PIPE_WAKE_RAW 8

typedef struct pipe_slot {
    char *path, *data;
    size_t path_cap, data_cap, len;
    void *prepared;   /* staged walks: what prepare left for take */
    int raw;          /* staged walks: data holds the member, still to prepare (on the calling thread) */
} pipe_slot;

typedef struct tar_pipe {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    pipe_slot slots[PIPE_SLOTS];
    size_t head, count, queued_bytes;   /* slots[head .. head+count) are filled, in order */
    size_t raw_count;                   /* of them, raw ones (staged walks) */
    int done, cancelled;
    int taker_waiting, putter_waiting;  /* wake the other side only in batches, not per member */
    /* the reading thread's walk */
    const char *archive;
    int gzipped;
    uint64_t max_inflate;
    repo_want_fn want;
    repo_prepare_fn prepare;   /* staged walks: run here instead of copying the data */
    void *want_user;   /* the caller's user, for want and prepare */
    int walk_rc;
    vs_error walk_err;
} tar_pipe;

/* On the reading thread: copies a wanted member into the next free slot. */
static int pipe_put(void *user, const char *path, const char *data, size_t len)
{
    tar_pipe *p = user;
    pthread_mutex_lock(&p->mu);
    while (!p->cancelled && (p->count == PIPE_SLOTS || (p->count > 0 && p->queued_bytes + len > PIPE_BYTES))) {
        if (p->taker_waiting)
            pthread_cond_signal(&p->can_take);   /* whatever is queued, take it */
        p->putter_waiting = 1;
        pthread_cond_wait(&p->can_put, &p->mu);
        p->putter_waiting = 0;
    }
    int cancelled = p->cancelled;
    int prepare_here = p->prepare && p->raw_count >= PIPE_SHARE_BACKLOG;
    pipe_slot *sl = &p->slots[(p->head + p->count) % PIPE_SLOTS];   /* only this thread fills it */
    pthread_mutex_unlock(&p->mu);
    if (cancelled)
        return PIPE_CANCELLED;
    size_t path_len = strlen(path);
    if (reserve(&sl->path, &sl->path_cap, path_len + 1) != 0 ||
        (!prepare_here && reserve(&sl->data, &sl->data_cap, len + 1) != 0))
        return vs_error_set(&p->walk_err, VSOLVE_ENOMEM, "%s: out of memory", p->archive);
    memcpy(sl->path, path, path_len + 1);
    if (prepare_here)
        p->prepare(p->want_user, 0, &sl->prepared, path, data, len);
    else
        memcpy(sl->data, data, len + 1);   /* data[len] is the NUL */
    sl->len = len;
    sl->raw = p->prepare && !prepare_here;
    pthread_mutex_lock(&p->mu);
    p->count++;
    p->queued_bytes += len;
    p->raw_count += (size_t)sl->raw;
    if (p->taker_waiting && (p->count >= PIPE_SLOTS / 4 || p->queued_bytes >= PIPE_BYTES / 4 ||
                             p->raw_count >= PIPE_WAKE_RAW))
        pthread_cond_signal(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    return VSOLVE_OK;
}

/* On the reading thread: the caller's want, with the caller's user. */
static int pipe_want(void *user, const char *path)
{
    const tar_pipe *p = user;
    return p->want(p->want_user, path);
}

static void *pipe_reader(void *arg)
{
    tar_pipe *p = arg;
    int rc = walk_tar_file(p->archive, p->gzipped, p->max_inflate, p->want ? pipe_want : NULL, pipe_put, p,
                           &p->walk_err);
    pthread_mutex_lock(&p->mu);
    p->walk_rc = rc;
    p->done = 1;
    pthread_cond_signal(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* A staged walk on one thread: prepare, then take, with a single slot. */
typedef struct staged_one {
    const repo_stages *st;
    void *slot;
} staged_one;

static int staged_one_file(void *user, const char *path, const char *data, size_t len)
{
    staged_one *o = user;
    o->st->prepare(o->st->user, 0, &o->slot, path, data, len);
    return o->st->take(o->st->user, o->slot, path);
}

static int staged_one_want(void *user, const char *path)
{
    const staged_one *o = user;
    return o->st->want(o->st->user, path);
}

static int walk_staged_serial(const char *root, uint64_t max_inflate, const repo_stages *st, vs_error *err)
{
    staged_one o = { st, NULL };
    int rc = repo_source_walk(root, max_inflate, st->want ? staged_one_want : NULL, staged_one_file, &o, err);
    if (o.slot && st->release)
        st->release(st->user, o.slot);
    return rc;
}

/* on_file, or (stages not NULL) the staged walk's take and release. */
static int walk_tar_file_pipelined(const char *path, int gzipped, uint64_t max_inflate, repo_want_fn want,
                                   repo_file_fn on_file, void *user, const repo_stages *stages, vs_error *err)
{
    tar_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return vs_error_set(err, VSOLVE_ENOMEM, "%s: out of memory", path);
    p->archive = path;
    p->gzipped = gzipped;
    p->max_inflate = max_inflate;
    p->want = want;
    p->want_user = user;
    p->prepare = stages ? stages->prepare : NULL;
    pthread_t reader;
    int ready = pthread_mutex_init(&p->mu, NULL) == 0;
    ready = ready && pthread_cond_init(&p->can_put, NULL) == 0;
    ready = ready && pthread_cond_init(&p->can_take, NULL) == 0;
    if (!ready || pthread_create(&reader, NULL, pipe_reader, p) != 0) {
        free(p);   /* (a failed init leaves nothing to destroy on Linux) */
        if (stages)
            return walk_staged_serial(path, max_inflate, stages, err);
        return walk_tar_file(path, gzipped, max_inflate, want, on_file, user, err);   /* no thread: one at a time */
    }
    int rc = VSOLVE_OK;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->count == 0 && !p->done) {
            p->taker_waiting = 1;
            pthread_cond_wait(&p->can_take, &p->mu);
            p->taker_waiting = 0;
        }
        if (p->count == 0) {   /* done and drained */
            pthread_mutex_unlock(&p->mu);
            break;
        }
        pipe_slot *sl = &p->slots[p->head];
        pthread_mutex_unlock(&p->mu);
        if (stages && sl->raw)
            stages->prepare(user, 1, &sl->prepared, sl->path, sl->data, sl->len);
        rc = stages ? stages->take(user, sl->prepared, sl->path) : on_file(user, sl->path, sl->data, sl->len);
        pthread_mutex_lock(&p->mu);
        p->head = (p->head + 1) % PIPE_SLOTS;
        p->count--;
        p->queued_bytes -= sl->len;
        p->raw_count -= (size_t)sl->raw;
        if (rc != VSOLVE_OK)
            p->cancelled = 1;   /* the reader stops at its next member */
        if (p->putter_waiting && (rc != VSOLVE_OK || p->count == 0 ||
                                  (p->count <= PIPE_SLOTS / 2 && p->queued_bytes <= PIPE_BYTES / 2)))
            pthread_cond_signal(&p->can_put);
        pthread_mutex_unlock(&p->mu);
        if (rc != VSOLVE_OK)
            break;
    }
    pthread_join(reader, NULL);
    if (rc == VSOLVE_OK && p->walk_rc != VSOLVE_OK) {   /* everything read before the failure was handed out */
        *err = p->walk_err;
        rc = p->walk_rc;
    }
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        free(p->slots[i].path);
        free(p->slots[i].data);
        if (p->slots[i].prepared && stages && stages->release)
            stages->release(user, p->slots[i].prepared);
    }
    pthread_cond_destroy(&p->can_take);
    pthread_cond_destroy(&p->can_put);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return rc;
}

/* ---- directories ---- */

typedef struct dir_walk {
    repo_want_fn want;
    repo_file_fn on_file;
    void *user;
    vs_error *err;
    char *path;        /* root "/" relative path of the entry being visited */
    size_t path_cap;
    size_t root_len;   /* the relative part starts at path + root_len + 1 */
    char *data;        /* the current file's contents */
    size_t data_cap;
} dir_walk;

/* Reads the whole file open as fd into *buf (NUL-terminated); returns 0 or an errno value. */
static int read_fd(int fd, char **buf, size_t *cap, size_t *len)
{
    struct stat st;
    size_t n = 0;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX - 1)
        if (reserve(buf, cap, (size_t)st.st_size + 1) != 0)
            return ENOMEM;
    for (;;) {
        if (n + 1 >= *cap && reserve(buf, cap, n + CHUNK) != 0)
            return ENOMEM;
        ssize_t got = read(fd, *buf + n, *cap - n - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    (*buf)[n] = '\0';
    *len = n;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dir_visit(dir_walk *w, size_t path_len);

/* Visits entry `name` of the directory at w->path[0..dir_len). */
static int dir_visit_entry(dir_walk *w, size_t dir_len, const char *name)
{
    size_t name_len = strlen(name);
    if (reserve(&w->path, &w->path_cap, dir_len + 1 + name_len + 1) != 0)
        return vs_error_set(w->err, VSOLVE_ENOMEM, "out of memory");
    w->path[dir_len] = '/';
    memcpy(w->path + dir_len + 1, name, name_len + 1);
    size_t path_len = dir_len + 1 + name_len;
    struct stat st;
    if (lstat(w->path, &st) != 0)
        return vs_error_set(w->err, VSOLVE_EIO, "%s: cannot stat: %s", w->path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return dir_visit(w, path_len);
    if (!S_ISREG(st.st_mode))
        return VSOLVE_OK;  /* symlinks, devices, sockets */
    const char *relative = w->path + w->root_len + 1;
    if (w->want && !w->want(w->user, relative))
        return VSOLVE_OK;
    int fd = open(w->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return vs_error_set(w->err, VSOLVE_EIO, "%s: cannot open: %s", w->path, strerror(errno));
    size_t len = 0;
    int e = read_fd(fd, &w->data, &w->data_cap, &len);
    close(fd);
    if (e != 0)
        return vs_error_set(w->err, e == ENOMEM ? VSOLVE_ENOMEM : VSOLVE_EIO, "%s: cannot read: %s", w->path,
                            strerror(e));
    return w->on_file(w->user, relative, w->data, len);
}

/* Visits the directory whose path is w->path[0..path_len), entries in strcmp order. */
static int dir_visit(dir_walk *w, size_t path_len)
{
    w->path[path_len] = '\0';
    DIR *d = opendir(w->path);
    if (!d)
        return vs_error_set(w->err, VSOLVE_EIO, "%s: cannot open directory: %s", w->path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = VSOLVE_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                rc = vs_error_set(w->err, VSOLVE_ENOMEM, "out of memory");
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = vs_error_set(w->err, VSOLVE_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    if (rc == VSOLVE_OK && errno != 0)
        rc = vs_error_set(w->err, VSOLVE_EIO, "%s: cannot read directory: %s", w->path, strerror(errno));
    closedir(d);
    if (rc == VSOLVE_OK) {
        if (n > 1)   /* (an empty directory: names is NULL) */
            qsort(names, n, sizeof *names, compare_names);
        for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
            rc = dir_visit_entry(w, path_len, names[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int walk_directory(const char *root, repo_want_fn want, repo_file_fn on_file, void *user, vs_error *err)
{
    dir_walk w = { .want = want, .on_file = on_file, .user = user, .err = err };
    size_t root_len = strlen(root);
    while (root_len > 1 && root[root_len - 1] == '/')
        root_len--;
    if (reserve(&w.path, &w.path_cap, root_len + 1) != 0)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    memcpy(w.path, root, root_len);
    w.root_len = root_len;
    int rc = dir_visit(&w, root_len);
    free(w.path);
    free(w.data);
    return rc;
}

/* ---- entry points ---- */

int repo_source_walk(const char *root, uint64_t max_inflate, repo_want_fn want, repo_file_fn on_file, void *user,
                     vs_error *err)
{
    struct stat st;
    if (stat(root, &st) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: %s", root, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return walk_directory(root, want, on_file, user, err);
    if (ends_with(root, ".tar.gz") || ends_with(root, ".tgz"))
        return walk_tar_file(root, 1, max_inflate, want, on_file, user, err);
    if (ends_with(root, ".tar"))
        return walk_tar_file(root, 0, max_inflate, want, on_file, user, err);
    return vs_error_set(err, VSOLVE_EUSAGE, "%s: expected a directory or a .tar, .tar.gz or .tgz archive", root);
}

int repo_source_walk_pipelined(const char *root, uint64_t max_inflate, repo_want_fn want, repo_file_fn on_file,
                               void *user, vs_error *err)
{
    struct stat st;
    if (stat(root, &st) == 0 && !S_ISDIR(st.st_mode)) {
        if (ends_with(root, ".tar.gz") || ends_with(root, ".tgz"))
            return walk_tar_file_pipelined(root, 1, max_inflate, want, on_file, user, NULL, err);
        if (ends_with(root, ".tar"))
            return walk_tar_file_pipelined(root, 0, max_inflate, want, on_file, user, NULL, err);
    }
    return repo_source_walk(root, max_inflate, want, on_file, user, err);
}

int repo_source_walk_staged(const char *root, uint64_t max_inflate, const repo_stages *stages, vs_error *err)
{
    struct stat st;
    if (stat(root, &st) == 0 && !S_ISDIR(st.st_mode)) {
        int gz = ends_with(root, ".tar.gz") || ends_with(root, ".tgz");
        if (gz || ends_with(root, ".tar"))
            return walk_tar_file_pipelined(root, gz, max_inflate, stages->want, NULL, stages->user, stages, err);
    }
    return walk_staged_serial(root, max_inflate, stages, err);
}

char *repo_read_file(const char *path, uint64_t max_inflate, size_t *len, vs_error *err)
{
    int fd = repo_open_regular(path, err);
    if (fd < 0)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!ends_with(path, ".gz")) {
        int e = read_fd(fd, &buf, &cap, &n);
        close(fd);
        if (e != 0) {
            free(buf);
            vs_error_set(err, e == ENOMEM ? VSOLVE_ENOMEM : VSOLVE_EIO, "%s: cannot read: %s", path, strerror(e));
            return NULL;
        }
        *len = n;
        return buf;
    }
    byte_stream s;
    int rc = VSOLVE_OK;
    if (stream_open(&s, fd, NULL, 0, 1, max_inflate) != 0) {
        rc = vs_error_set(err, VSOLVE_ENOMEM, "%s: out of memory", path);
    } else {
        for (;;) {
            if (reserve(&buf, &cap, n + CHUNK + 1) != 0) {
                rc = vs_error_set(err, VSOLVE_ENOMEM, "%s: out of memory", path);
                break;
            }
            long long got = stream_read(&s, buf + n, CHUNK);
            if (got < 0) {
                rc = vs_error_set(err, s.error_code, "%s: %s at byte %llu of the decompressed data", path,
                                  s.problem, (unsigned long long)s.consumed);
                break;
            }
            if (got == 0)
                break;
            n += (size_t)got;
        }
    }
    stream_close(&s);
    close(fd);
    if (rc != VSOLVE_OK) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
