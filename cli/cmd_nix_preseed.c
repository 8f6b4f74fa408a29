/* cmd_nix_preseed.c: `vsolve nix-preseed`: a lock's archives into the Nix store, for offline builds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_backends.h"
#include "nix_preseed.h"

static const char preseed_usage[] =
    "usage: vsolve nix-preseed [--download-cache DIR]... [--nix-store PROG] LOCK.json\n"
    "  Adds every archive the lock names, verified, to the Nix store under the path <nix/fetchurl.nix>\n"
    "  computes for it (nix-store --add-fixed ALGO <url's base name>), so nix/build.nix fetches nothing.\n"
    "  Caches: the --download-cache dirs, then $OPAMROOT/download-cache, then vsolve's own; never fetches.\n";

int cmd_nix_preseed(int argc, char **argv)
{
    const char *lock_path = NULL, *nix_store = "nix-store", *dirs[66];
    char defaults[2][4096];
    size_t n_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(preseed_usage, stdout);
            return 0;
        } else if (val && !strcmp(a, "--download-cache") && n_given < 64) {
            dirs[n_given++] = val, i++;
        } else if (val && !strcmp(a, "--nix-store")) {
            nix_store = val, i++;
        } else if (a[0] != '-' && !lock_path) {
            lock_path = a;
        } else {
            fprintf(stderr, "vsolve nix-preseed: unexpected argument \"%s\"\n%s", a, preseed_usage);
            return 2;
        }
    }
    if (!lock_path) {
        fprintf(stderr, "vsolve nix-preseed: no LOCK given\n%s", preseed_usage);
        return 2;
    }
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
        fprintf(stderr, "vsolve nix-preseed: %s\n", err.message);
    arena_free(&a);
    return rc == VSOLVE_OK ? 0 : rc == VSOLVE_EBADINPUT || rc == VSOLVE_EUSAGE ? 2 : 3;
}
