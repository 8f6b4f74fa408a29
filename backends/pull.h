/* pull.h: filling PROJECT/duniverse/ from a lock, atomically (opam monorepo pull's job). */
#ifndef VSOLVE_BK_PULL_H
#define VSOLVE_BK_PULL_H
#include "fetch.h"
#include "lock_read.h"
#include "unpack.h"

typedef enum bk_phase { BK_OBTAINED, BK_UNPACKED } bk_phase;

typedef struct bk_pull_opts {
    bk_caches caches;
    int jobs;                  /* worker threads for obtaining and unpacking (>= 1) */
    bk_limits limits;          /* per archive */
    /* Called (serialised) after each source is obtained and after each is unpacked; may be NULL. */
    void (*progress)(void *user, bk_phase phase, size_t done, size_t total, const bk_source *s, int fetched);
    void *user;
} bk_pull_opts;

typedef struct bk_pull_report {
    size_t n_sources, n_cached, n_fetched;
    unsigned long long archive_bytes;
} bk_pull_report;

/* Obtains and verifies every source's archive (nothing is unpacked unless all verify), unpacks
 * each into a new directory beside PROJECT/duniverse, writes its `dune` file ("(vendored_dirs *)"),
 * then swaps it in with one rename. On error the previous duniverse is left as it was and the
 * new one removed; the error is the first failing source in lock order. */
int bk_pull(const bk_lock *lock, const char *project_dir, const bk_pull_opts *o, bk_pull_report *rep, vs_error *err);

#endif
