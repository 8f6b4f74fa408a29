/* cache.h: the universe cache: a versioned, checksummed, zlib-compressed image of a parsed
 * repository, keyed by a fingerprint of the source and of the settings it was read with. */
#ifndef VSOLVE_CACHE_H
#define VSOLVE_CACHE_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "universe.h"

/* The file format version; a cache of another version is rebuilt, never read. */
#define VSOLVE_CACHE_FORMAT 8u

typedef struct cache_key {
    uint64_t source;     /* cache_source_fingerprint of the repository */
    uint64_t settings;   /* the adapter, its semantics version and the variables used */
} cache_key;

/* Fingerprint of a repository path: a file's size, modification time, inode and device; for a
 * directory, the relative path, size and modification time of every file below it. */
int cache_source_fingerprint(const char *path, uint64_t *out, vs_error *err);

/* FNV-1a over bytes, chained from h (start with CACHE_HASH_INIT). */
#define CACHE_HASH_INIT 14695981039346656037ull
uint64_t cache_hash(uint64_t h, const void *data, size_t n);

/* The default cache file for a repository: $VSOLVE_CACHE_DIR, else $XDG_CACHE_HOME/vsolve, else
 * $HOME/.cache/vsolve, then "<hash of the repository's real path and settings>.vsc". */
int cache_default_path(const char *repo_path, uint64_t settings, char *out, size_t size, vs_error *err);

/* Creates the directories above path (mkdir -p of its directory part); failures are left to
 * the write that follows. */
void cache_make_parent(const char *path);

/* Writes the image atomically (a temporary file renamed over path); creates the directory. */
int cache_write(const char *path, const vs_universe *u, const cache_key *key, vs_error *err);

/* Reads a cache into u (freshly initialised). VSOLVE_OK when it matches key; otherwise u must be
 * freed and the error says why: VSOLVE_EIO "missing" (no file), VSOLVE_EBADINPUT "stale" (key
 * mismatch) or "corrupt" (bad magic, version, size or checksum, or an inconsistent image, e.g.
 * names out of strcmp order). The whole file is checksummed here, but the clauses stay pending:
 * universe_need_* inflates the chunks a caller needs (the universe keeps the file in memory
 * until then). The attributes are left in the file, which u keeps open: universe_need_attrs
 * reads them. cmp (NULL: not checked) is the adapter's version order: each name's versions
 * must be strictly increasing under it (as universe_sort leaves them), checked when
 * universe_need_* first reads the name; out of order, they fail with VSOLVE_EBADINPUT
 * "corrupt: PATH: versions of NAME out of order" (then treat the cache as corrupt: rebuild it). */
int cache_read(const char *path, vs_universe *u, const cache_key *key, int (*cmp)(const char *a, const char *b),
               vs_error *err);

#endif
