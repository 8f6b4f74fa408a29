/* repo_source.h: iterate the regular files of a directory tree or of a .tar / .tar.gz archive. */
#ifndef VSOLVE_REPO_SOURCE_H
#define VSOLVE_REPO_SOURCE_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* Asked before a file's contents are read: return nonzero to receive it (want may be NULL:
 * every file is received). path is relative
 * to the root (for archives, the member name as stored, e.g. "opam-repository/packages/a/a.1/opam"). */
typedef int (*repo_want_fn)(void *user, const char *path);
/* Receives a wanted file. data is valid only during the call and is NUL-terminated
 * (data[len] == 0). Return VSOLVE_OK to continue, anything else stops the walk and is returned. */
typedef int (*repo_file_fn)(void *user, const char *path, const char *data, size_t len);

/* Walks `root`: a directory (recursively, symlinks not followed, entries visited in sorted
 * order for determinism), or a file ending in .tar.gz / .tgz (zlib, streamed, never unpacked to
 * disk) or .tar. Archives: ustar, GNU long names ('L') and pax headers ('x' path=) are honoured;
 * directories, links and other special members are skipped. A truncated or corrupt archive
 * is an error naming the member and byte offset. A gzipped archive inflates to at most max_inflate
 * bytes (0: REPO_MAX_INFLATE_DEFAULT); past it the walk fails with VSOLVE_EBADINPUT and a message
 * naming the limit. Returns VSOLVE_OK or an error code with err set. */
int repo_source_walk(const char *root, uint64_t max_inflate, repo_want_fn want, repo_file_fn on_file, void *user,
                     vs_error *err);

/* The same, but an archive is inflated and split on a second thread while the calling thread
 * runs on_file: the same files, in the same order, with the same errors (on_file's first error
 * stops the walk; an archive error comes after every member read before it). want runs on the
 * second thread, concurrently with on_file: it must not touch what on_file changes. */
int repo_source_walk_pipelined(const char *root, uint64_t max_inflate, repo_want_fn want, repo_file_fn on_file,
                               void *user, vs_error *err);

/* Like repo_source_walk_pipelined (max_inflate as there), with the per-file work split in two: prepare runs for
 * each wanted file (data valid only during the call) and leaves its result in *slot, a pointer it owns (NULL the
 * first time it sees a slot; it may keep and reuse what it allocated there; it reports failures through the slot,
 * not by stopping the walk); take then runs on the calling thread, in archive order, with that slot and the path,
 * and returns as on_file does. release frees each non-NULL slot at the end. prepare runs on both threads, sharing
 * the files between them: on the reading thread (worker 0) while the calling thread has enough files queued, else
 * on the calling thread (worker 1) just before take; the two may run at the same time, so what prepare writes
 * besides the slot must be per worker. A directory (or a thread that cannot start) runs prepare (worker 0) and
 * take one after the other on the calling thread. prepare and want run concurrently with take: they must not
 * touch what take changes. */
typedef void (*repo_prepare_fn)(void *user, int worker, void **slot, const char *path, const char *data, size_t len);
typedef int (*repo_take_fn)(void *user, void *slot, const char *path);
typedef void (*repo_release_fn)(void *user, void *slot);
typedef struct repo_stages {
    repo_want_fn want;        /* may be NULL: every file */
    repo_prepare_fn prepare;
    repo_take_fn take;
    repo_release_fn release;
    void *user;
} repo_stages;
int repo_source_walk_staged(const char *root, uint64_t max_inflate, const repo_stages *stages, vs_error *err);

/* The same for a .tar (gzipped = 0) or .tar.gz (gzipped = 1) archive held in memory; name is
 * used in messages. For tests and fuzzing. */
int repo_source_walk_tar_memory(const char *name, const void *data, size_t len, int gzipped, uint64_t max_inflate,
                                repo_want_fn want, repo_file_fn on_file, void *user, vs_error *err);

/* Reads a whole file (transparently gunzipping if its name ends in .gz) into a malloc'd,
 * NUL-terminated buffer, inflating at most max_inflate bytes (0: REPO_MAX_INFLATE_DEFAULT).
 * Returns NULL with err set on failure. */
char *repo_read_file(const char *path, uint64_t max_inflate, size_t *len, vs_error *err);

/* Opens a file for reading, refusing anything but a regular file (a FIFO, a device such as
 * /dev/zero, a directory) without blocking on it: the fd, or -1 with err set (VSOLVE_EIO). */
int repo_open_regular(const char *path, vs_error *err);

/* The most bytes a compressed stream (.gz, .tar.gz) may inflate to when the caller passes 0 as
 * max_inflate (the library's vsolve_set_max_inflate sets another per context). */
#define REPO_MAX_INFLATE_DEFAULT (2ULL << 30)

#endif
