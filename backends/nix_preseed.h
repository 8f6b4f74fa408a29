/* nix_preseed.h: putting a lock's archives into the Nix store where <nix/fetchurl.nix> looks. */
#ifndef VSOLVE_BK_NIX_PRESEED_H
#define VSOLVE_BK_NIX_PRESEED_H
#include "fetch.h"
#include "lock_read.h"

/* The store name fetchurl gives a URL: baseNameOf url. Refuses (-1) a name Nix would refuse in a
 * store path (empty, starting with '.', characters outside [A-Za-z0-9+._?=-], over 211 bytes). */
int bk_nix_name(const char *url, char *out, size_t size);

/* Finds s's archive in the caches (never fetches), verifies it against every checksum, and runs
 * `nix_store --add-fixed ALGO DIR/NAME` (ALGO: the lock's strongest hash, as build.nix passes it to
 * fetchurl; NAME: bk_nix_name) from a private temporary directory. On VSOLVE_OK store_path
 * holds the output path nix-store printed. */
int bk_nix_preseed(const bk_caches *c, const bk_source *s, const char *nix_store, char *store_path, size_t size,
                   vs_error *err);

#endif
