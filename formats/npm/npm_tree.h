/* npm_tree.h: npm's ideal tree: version choice (npm-pick-manifest) and node_modules placement (arborist's buildIdealTree). */
#ifndef VSOLVE_NPM_TREE_H
#define VSOLVE_NPM_TREE_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "json.h"
#include "npm_overrides.h"
#include "npm_registry.h"
#include "npm_semver.h"

typedef enum npm_dep_type {
    NPM_DEP_PROD, NPM_DEP_DEV, NPM_DEP_OPTIONAL, NPM_DEP_PEER, NPM_DEP_PEER_OPTIONAL
} npm_dep_type;

typedef enum npm_spec_kind { NPM_SPEC_RANGE, NPM_SPEC_TAG, NPM_SPEC_OTHER } npm_spec_kind;

/* One dependency edge as written in a manifest. */
typedef struct npm_edge {
    const char *name;          /* the folder name the dependent requires */
    const char *spec;          /* as written */
    npm_dep_type type;
    npm_spec_kind kind;        /* OTHER: git, file, URL...: not resolvable from a registry */
    const char *target;        /* registry package name (differs from name for "npm:pkg@range") */
    const char *fetch;         /* the range or tag text */
    int any;                   /* range "*" (or ""): any version, pre-releases included */
    npm_range range;           /* NPM_SPEC_RANGE (loose) */
    /* overrides: the rule that applies (OverrideSet.getEdgeRule; NULL without overrides); when it
     * replaced the spec, kind/target/fetch/any/range are the override's and raw_* the manifest's */
    const npm_override *ov;
    int overridden;
    npm_spec_kind raw_kind;
    int raw_any;
    npm_range raw_range;
    const char *link_path;     /* a "file:" directory of the project's own manifests: its location
                                  relative to the project ("libs/util"); NULL otherwise */
} npm_edge;

typedef struct npm_node npm_node;
struct npm_node {
    const char *name;          /* folder name */
    const char *pkg_name;      /* package name */
    const char *version;       /* NULL for a root without version */
    npm_version v;
    const json_value *manifest;  /* the packument's versions[version] (the package.json for the root) */
    npm_node *parent;          /* set by npmt_attach only (it keeps `level`) */
    unsigned level;            /* parent's level + 1 (a node without parent: any value) */
    npm_node **children;       /* sorted by name (strcmp) */
    size_t n_children, cap_children;
    npm_edge *edges;           /* in npm's edgesOut order */
    size_t n_edges;
    npm_edge **edges_by_name;  /* the edges sorted by name (strcmp), or NULL: few edges, scanned */
    unsigned char *failed;     /* per edge: an optional dependency that could not be loaded */
    int is_root, is_virtual, removed, seen, queued;
    size_t queue_seq;          /* while queued: when it was queued (the build queue's tie-break) */
    npm_node *source;          /* virtual roots: the node they stand for */
    const npm_override *ov;    /* the override set its edges take rules from (the edge's that made it) */
    int dev, optional, dev_optional, peer;   /* the lock's flags */
    int required;              /* in a peer set: reached from the placed edge without peerOptional */
    char *location;            /* "" for the root, "node_modules/a/node_modules/b"; a link
                                  target's own folder ("packages/a") */
    /* a workspace or file: directory of the project (npm_workspace.c): it sits where its link is
     * (in its parent's children, under the link's name) but its location is its folder, it is a
     * top (its dependencies nest in its own node_modules, devDependencies included) and the lock
     * also gets a link entry at link_location ("node_modules/a") */
    int is_link, is_workspace;
    char *link_location;
};

typedef struct npm_tree_options {
    const char *node_version;  /* engines.node is checked against it; default "20.20.2" */
    const char *npm_version;   /* default "11.19.1" */
    int legacy_peer_deps;      /* npm's --legacy-peer-deps: peerDependencies are not edges */
    int force;                 /* npm's --force: a peer conflict is warned about, never refused */
    double deadline;           /* the end of the call (deadline.h), 0: none; past it the build
                                  stops with VSOLVE_ETIMEOUT */
    double time_limit;         /* the limit it comes from, for the message */
} npm_tree_options;

/* Versions an existing lock already holds, preferred when they satisfy the range. */
typedef struct npm_locked {
    const char *location;      /* "node_modules/a" */
    const char *name;          /* package name */
    const char *version;
} npm_locked;

typedef struct npm_tree {
    arena mem;
    npm_node *root;
    npm_node **all;            /* every node ever created in the tree (removed ones flagged) */
    size_t n_all, cap_all;
    int legacy_peer_deps;      /* built with npm_tree_options.legacy_peer_deps */
    size_t work;               /* the build's work in units that were quadratic once: queue key
                                * comparisons and the nodes edgesIn and the same-name scan of a
                                * placement visit (tests bound it) */
    const json_value *root_manifest;
    const char *root_file;
} npm_tree;

/* Reads a package.json (file:line:col errors). */
int npm_manifest_read(arena *a, const char *path, const json_value **out, vs_error *err);

/* Sets the dev / optional / devOptional / peer flags of every node (arborist's calcDepFlags);
 * npm_tree_build has done it for the tree it returns. */
void npm_tree_flags(npm_tree *t);

/* Builds the ideal tree of the root package.json `manifest` (read from `file`). A package or
 * version that cannot be had is dropped when only optional packages need it (as npm prunes a
 * failed optional subtree); otherwise it is an error naming the dependent and the range. A peer
 * conflict npm refuses (ERESOLVE: on the project's own dependencies, without force) is
 * VSOLVE_UNSAT with npm's explanation: what was found, which peer edge cannot be met, and who
 * wants each. */
int npm_tree_build(npm_tree *t, npm_registry *reg, const json_value *manifest, const char *file,
                   const npm_tree_options *opt, const npm_locked *locked, size_t n_locked, vs_error *err);
/* The node that `name` resolves to from `from` (node_modules lookup: from's children, then its
 * ancestors'), or NULL. */
npm_node *npm_tree_resolve(const npm_node *from, const char *name);
/* The nodes in the tree (root excluded), sorted by location, in *out (malloc'd). */
size_t npm_tree_nodes(const npm_tree *t, npm_node ***out);
void npm_tree_free(npm_tree *t);

/* node-semver-free helpers used by the lock writer and tests: ICU-like "en" string order. */
int npm_locale_compare(const char *a, const char *b);

#endif
