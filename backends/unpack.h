/* unpack.h: safe extraction of a source archive (libarchive) into a fresh directory. */
#ifndef VSOLVE_BK_UNPACK_H
#define VSOLVE_BK_UNPACK_H
#include "error.h"

typedef struct bk_limits {
    unsigned long long max_bytes;    /* total size of the extracted files */
    unsigned long max_entries;
} bk_limits;

#define BK_DEFAULT_MAX_BYTES (2ull << 30)
#define BK_DEFAULT_MAX_ENTRIES 200000ul

/* Extracts archive (tar, tar.gz, tar.bz2, tar.xz, zip: detected from the bytes) into dest, which
 * must not exist yet (it is created). The single top directory is stripped, as opam does, when
 * every entry lies under one. Refuses (VSOLVE_EBADINPUT, naming the archive and the entry) an
 * absolute path, a ".." component, a symbolic link whose target leaves the tree, a hard link
 * to outside, a device, FIFO or socket, and more than the limits (the message names the limit);
 * a truncated or corrupt archive is an error too. On error dest may hold a partial tree: the
 * caller unpacks into a scratch directory and removes it. */
int bk_unpack(const char *archive, const char *dest, const bk_limits *lim, vs_error *err);

/* Removes a directory tree (not following links). 0 or -1. */
int bk_remove_tree(const char *path);

#endif
