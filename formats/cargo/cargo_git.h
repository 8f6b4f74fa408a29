/* cargo_git.h: git dependencies without a network: the local checkout given for a repository
 * URL, the commit it is at (read from its .git files, no git program), and cargo's source. */
#ifndef VSOLVE_CARGO_GIT_H
#define VSOLVE_CARGO_GIT_H
#include <stddef.h>
#include "error.h"
#include "cargo_manifest.h"

/* The checkout for url among "URL=PATH" entries (the URL exactly as the manifest writes it),
 * or NULL. */
const char *cargo_git_checkout(const char *const *checkouts, size_t n, const char *url);

/* The commit (40 hex digits) the checkout at dir is at: its HEAD, detached or through a ref
 * (loose or packed); .git may be a folder, a "gitdir:" file, or dir a bare repository. With
 * g->kind "rev" the commit must start with g->value, with "branch" the local branch (if
 * present) must name that commit. 0, or VSOLVE_EBADINPUT with err set. */
int cargo_git_commit(const char *dir, const cargo_git_ref *g, char commit[41], vs_error *err);

/* cargo's Cargo.lock source: "git+URL?KIND=VALUE#COMMIT" (VALUE form-urlencoded as cargo does;
 * no "?..." for the default branch). Returns the length, or the length it needs (>= size:
 * truncated). */
size_t cargo_git_source(const cargo_git_ref *g, const char *commit, char *out, size_t size);

#endif
