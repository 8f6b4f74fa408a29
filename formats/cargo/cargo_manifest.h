/* cargo_manifest.h: the parts of Cargo.toml and Cargo.lock a resolution needs. */
#ifndef VSOLVE_CARGO_MANIFEST_H
#define VSOLVE_CARGO_MANIFEST_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "cargo_index.h"

/* The root package of a resolution. */
typedef struct cargo_manifest {
    const char *path;
    const char *name, *version;
    cargo_dep *deps;              /* [dependencies], [dev-dependencies], [build-dependencies] and
                                     their [target.*] forms, in document order */
    size_t n_deps;
    const char **dep_paths;       /* per dependency: its package's Cargo.toml for a path
                                     dependency (`path = "dir"`, from this manifest's folder),
                                     else NULL */
    cargo_feature *features;      /* [features] */
    size_t n_features;
    const char *links;            /* package.links, or NULL */
    const char *rust_version;     /* package.rust-version, or NULL */
    const char *resolver;         /* package.resolver / workspace.resolver, or NULL */
} cargo_manifest;

/* Reads a Cargo.toml. Registry and path dependencies: a git or workspace-inherited dependency
 * is an error naming it (file:line:col). Memory from a. */
int cargo_manifest_read(arena *a, const char *path, cargo_manifest *m, vs_error *err);

/* A package pinned by an existing Cargo.lock. */
typedef struct cargo_locked {
    const char *name, *version;
    const char *source;           /* or NULL for path packages (the root) */
} cargo_locked;

/* Reads a Cargo.lock (format 3 or 4). */
int cargo_lock_read(arena *a, const char *path, cargo_locked **out, size_t *n, vs_error *err);

#endif
