/* npm_lock.h: package-lock.json (lockfileVersion 3) writing from an ideal tree, and reading an existing lock's versions. */
#ifndef VSOLVE_NPM_LOCK_H
#define VSOLVE_NPM_LOCK_H
#include <stdio.h>
#include "npm_tree.h"

/* Writes the lock as npm 11 does (keys in npm's order, 2-space indent, final newline).
 * registry_url NULL: no "resolved" fields (omit-lockfile-registry-resolved); otherwise the
 * packument's dist.tarball with its @REGISTRY@ placeholder replaced by the URL. */
int npm_lock_write(FILE *f, const npm_tree *t, const char *registry_url, vs_error *err);

/* The integrity npm derives from a bare dist.shasum (40 hex digits): "\"sha1-BASE64\"", quoted
 * as a JSON string, in out (size >= 64). 1 on success, 0 when hex is not a sha1. */
int npm_shasum_integrity(const char *hex, char *out, size_t size);

/* Reads an existing package-lock.json (v2 or v3 "packages"): the entries' location, name and
 * version, in *out (arena memory). */
int npm_lock_read(arena *a, const char *path, npm_locked **out, size_t *n_out, vs_error *err);

#endif
