/* fetch.h: the archive of a source: from the download caches (opam's layout), else from its URL
 * (file://, http(s):// through libcurl) into vsolve's own cache; always verified against every
 * checksum the lock lists. */
#ifndef VSOLVE_BK_FETCH_H
#define VSOLVE_BK_FETCH_H
#include "lock_read.h"

typedef struct bk_caches {
    const char **dirs;     /* searched in order; each laid out <md5|sha256|sha512>/<first two hex>/<hash> */
    size_t n_dirs;
    const char *store;     /* where fetched archives go (same layout), or NULL to keep nothing */
    int offline;           /* never fetch: a source missing from the caches is an error */
} bk_caches;

#define BK_MAX_ARCHIVE_BYTES (1ull << 30)   /* a fetched archive larger than 1 GiB is refused */

/* The default caches: $OPAMROOT/download-cache (or ~/.opam/download-cache) when present, then
 * vsolve's own ($VSOLVE_CACHE_DIR, $XDG_CACHE_HOME/vsolve or ~/.cache/vsolve, + /download-cache),
 * which is also the store. Writes at most 2 paths into bufs (each PATH_MAX). */
void bk_default_caches(bk_caches *c, const char **dirs, char bufs[][4096]);

/* Finds the archive of s, fetching it when no cache has it. On VSOLVE_OK *path is a malloc'd
 * path of a file whose bytes match every checksum of s, and *fetched says whether it came from
 * the network. Errors name the package(s), dir and URL: a cached or fetched file whose bytes do
 * not match (VSOLVE_EBADINPUT: expected and actual hash), or a source that is nowhere (VSOLVE_EIO). */
int bk_obtain(const bk_caches *c, const bk_source *s, char **path, int *fetched, vs_error *err);

/* "pkg.1.0, pkg-x.1.0" for messages, into buf. */
const char *bk_source_packages(const bk_source *s, char *buf, size_t size);

#endif
