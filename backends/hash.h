/* hash.h: md5, sha256 and sha512 of a file in one pass (nettle), compared with a lock's checksums. */
#ifndef VSOLVE_BK_HASH_H
#define VSOLVE_BK_HASH_H
#include <stdio.h>
#include "lock_read.h"

/* The hex digests of one file, every kind (lowercase, NUL-terminated). */
typedef struct bk_digests {
    char hex[BK_HASH_KINDS][129];
    unsigned long long bytes;
} bk_digests;

/* Hashes the open file from its current position to the end (VSOLVE_OK or VSOLVE_EIO). */
int bk_hash_file(FILE *f, const char *path, bk_digests *out, vs_error *err);

/* The first checksum of s that d does not match, or NULL when all match. */
const bk_checksum *bk_first_mismatch(const bk_source *s, const bk_digests *d);

#endif
