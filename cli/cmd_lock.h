/* cmd_lock.h: the `lock` command (opam lock files for a monorepo build). */
#ifndef VSOLVE_CMD_LOCK_H
#define VSOLVE_CMD_LOCK_H
#include "vsolve.h"

/* Runs `lock [--provided NAME[=VERSION]]... [--provided-file FILE] [--auto-provide]
 * [--lock OLD.opam.locked] [-o DIR] PROJECT` on a context whose variables are set; argv holds
 * what follows `lock`. Loads repo (through the cache unless use_cache is 0; cache: its path or
 * NULL). Prints what it wrote, or the refusal on stderr. Returns a VSOLVE_* status. */
int cmd_lock(vsolve_ctx *ctx, const char *repo, int use_cache, const char *cache, int verbose, int argc, char **argv);

extern const char cmd_lock_usage[];

#endif
