/* hash.c: file digests with nettle (Debian's nettle-dev): small, no global state or init call,
 * md5/sha256/sha512 as plain context structs; libgcrypt needs a process-wide init and libcrypto
 * is far larger than three hash functions need. */
#include "hash.h"
#include <errno.h>
#include <string.h>
#include <nettle/md5.h>
#include <nettle/sha2.h>

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

int bk_hash_file(FILE *f, const char *path, bk_digests *out, vs_error *err)
{
    struct md5_ctx md5;
    struct sha256_ctx s256;
    struct sha512_ctx s512;
    md5_init(&md5);
    sha256_init(&s256);
    sha512_init(&s512);
    unsigned char buf[65536];
    size_t n;
    out->bytes = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        md5_update(&md5, n, buf);
        sha256_update(&s256, n, buf);
        sha512_update(&s512, n, buf);
        out->bytes += n;
    }
    if (ferror(f))
        return vs_error_set(err, VSOLVE_EIO, "%s: read error: %s", path, strerror(errno));
    unsigned char d[SHA512_DIGEST_SIZE];
    md5_digest(&md5, MD5_DIGEST_SIZE, d);
    to_hex(d, MD5_DIGEST_SIZE, out->hex[BK_MD5]);
    sha256_digest(&s256, SHA256_DIGEST_SIZE, d);
    to_hex(d, SHA256_DIGEST_SIZE, out->hex[BK_SHA256]);
    sha512_digest(&s512, SHA512_DIGEST_SIZE, d);
    to_hex(d, SHA512_DIGEST_SIZE, out->hex[BK_SHA512]);
    return VSOLVE_OK;
}

const bk_checksum *bk_first_mismatch(const bk_source *s, const bk_digests *d)
{
    for (size_t i = 0; i < s->n_checksums; i++)
        if (strcmp(s->checksums[i].hex, d->hex[s->checksums[i].kind]) != 0)
            return &s->checksums[i];
    return NULL;
}
