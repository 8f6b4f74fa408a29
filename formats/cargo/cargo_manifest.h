/* cargo_manifest.h: the parts of Cargo.toml and Cargo.lock a resolution needs. */
#ifndef VSOLVE_CARGO_MANIFEST_H
#define VSOLVE_CARGO_MANIFEST_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "cargo_index.h"

typedef struct toml_value toml_value;

/* A workspace: the [workspace] table of its root manifest, which its members inherit from
 * (`workspace = true` dependencies, `field.workspace = true` package fields). */
typedef struct cargo_workspace {
    const char *path;             /* the root Cargo.toml */
    const char *dir;              /* its folder, "." for a bare file name, without "." or ".." parts */
    const toml_value *table;      /* [workspace] */
    const char **members, **exclude;   /* as written (members may hold globs) */
    size_t n_members, n_exclude;
} cargo_workspace;

/* A git dependency's repository and reference (`git = URL` with `tag`, `branch` or `rev`). */
typedef struct cargo_git_ref {
    const char *url;              /* as written */
    const char *kind;             /* "tag", "branch", "rev", or NULL (the default branch) */
    const char *value;
} cargo_git_ref;

/* A package manifest (the root of a resolution, a workspace member or a path dependency). */
typedef struct cargo_manifest cargo_manifest;
struct cargo_manifest {
    const char *path;
    const char *name, *version;   /* NULL for a virtual workspace manifest (no [package]) */
    cargo_dep *deps;              /* [dependencies], [dev-dependencies], [build-dependencies] and
                                     their [target.*] forms, in document order */
    size_t n_deps;
    const char **dep_paths;       /* per dependency: its package's Cargo.toml for a path
                                     dependency (`path = "dir"`, from this manifest's folder),
                                     else NULL */
    const cargo_git_ref **dep_gits;   /* per dependency: its git repository, else NULL */
    cargo_feature *features;      /* [features] */
    size_t n_features;
    const char *links;            /* package.links, or NULL */
    const char *rust_version;     /* package.rust-version, or NULL */
    const char *resolver;         /* package.resolver / workspace.resolver, or NULL */
    cargo_dep *patches;           /* [patch.crates-io] entries (each with a path) */
    const char **patch_paths;     /* per patch: its package's Cargo.toml */
    size_t n_patches;
    const cargo_workspace *ws;    /* the workspace it belongs to, or NULL */
    cargo_manifest **members;     /* a workspace root: its other members (cargo_workspace.c), in
                                     the order of `members` (globs expanded in byte order) */
    size_t n_members;
};

/* Reads a Cargo.toml: registry and path dependencies; at a workspace root ([workspace]) also
 * its members, each read with the workspace to inherit from; [patch.crates-io] entries with a
 * path; git dependencies (cargo_git.c finds their checkouts). A patch of another source or
 * without a path is an error naming it (file:line:col). Memory from a. */
int cargo_manifest_read(arena *a, const char *path, cargo_manifest *m, vs_error *err);

/* Reads the Cargo.toml of a package that belongs to workspace ws (may be NULL): inherited
 * dependencies and package fields come from ws. */
int cargo_manifest_read_in(arena *a, const char *path, const cargo_workspace *ws, cargo_manifest *m, vs_error *err);

/* cargo_workspace.c: the members of m's workspace (m a workspace root, m->ws set) read into
 * m->members: `members` entries (a `*` or `?` glob in the last parts expanded), less those under
 * an `exclude` entry not named as members; the root package itself is not repeated. A member
 * must lie inside the workspace folder and hold a Cargo.toml (else cargo's error). */
int cargo_workspace_members(arena *a, cargo_manifest *m, vs_error *err);

/* Does the package whose Cargo.toml is at path belong to workspace ws as a path dependency
 * (inside its folder, not excluded)? cargo counts such packages as members. */
int cargo_workspace_contains(const cargo_workspace *ws, const char *path);

/* Writes path with "." and ".." parts and repeated '/' resolved (as text, links not followed)
 * into out; 0, or -1 when it does not fit. */
int cargo_path_normalize(const char *path, char *out, size_t size);

/* A package pinned by an existing Cargo.lock. */
typedef struct cargo_locked {
    const char *name, *version;
    const char *source;           /* or NULL for path packages (the root) */
} cargo_locked;

/* Reads a Cargo.lock (format 3 or 4). */
int cargo_lock_read(arena *a, const char *path, cargo_locked **out, size_t *n, vs_error *err);

#endif
