/* cmd_nix_preseed.c: `vsolve nix-preseed`: a lock's archives into the Nix store, for offline builds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "nix_preseed.h"

int cmd_nix_preseed(cli *cl)
{
    if (cl->n_args != 1)
        return cli_usage(cl, "nix-preseed takes one LOCK (a .lock.json or .opam.locked)");
    if (cl->opt.download_cache.n > 64)
        return cli_usage(cl, "at most 64 --download-cache directories");
    const char *lock_path = cl->args[0], *nix_store = cl->opt.nix_store, *dirs[66];
    char defaults[2][4096];
    size_t n_given = cl->opt.download_cache.n;
    for (size_t i = 0; i < n_given; i++)
        dirs[i] = cl->opt.download_cache.items[i];
    bk_caches c, defs;
    bk_default_caches(&defs, dirs + n_given, defaults);
    c = defs;
    c.dirs = dirs;
    c.n_dirs = n_given + defs.n_dirs;
    c.offline = 1;
    arena a;
    arena_init(&a);
    bk_lock lock;
    vs_error err;
    vs_error_clear(&err);
    int rc = bk_lock_read(&a, lock_path, &lock, &err);
    for (size_t i = 0; rc == VSOLVE_OK && i < lock.n_sources; i++) {
        char path[4096];
        rc = bk_nix_preseed(&c, &lock.sources[i], nix_store, path, sizeof path, &err);
        if (rc == VSOLVE_OK)
            printf("%s %s\n", lock.sources[i].dir, path);
    }
    if (rc != VSOLVE_OK)
        cli_fail(cl, rc, "%s", err.message);
    arena_free(&a);
    return rc;
}
