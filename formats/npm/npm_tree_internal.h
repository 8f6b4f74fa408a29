/* npm_tree_internal.h: what the files of npm's ideal tree share (not for other modules): the
 * builder, the sets and records passed between its steps, and the steps each file offers
 * (prefixed npmt_). The files, in the order of the flow: npm_order.c (package-name order),
 * npm_edges.c (manifests and their edges), npm_shape.c (tree structure, inventory, dedupe),
 * npm_pick.c (version choice), npm_place.c (placement), npm_tree.c (the build loop and the
 * entry points), npm_flags.c (the lock's dev/optional/peer flags). */
#ifndef VSOLVE_NPM_TREE_INTERNAL_H
#define VSOLVE_NPM_TREE_INTERNAL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "npm_tree.h"
#include "repo_source.h"

enum { CONFLICT, OK, REPLACE, KEEP };

/* A required dependency npm could not get: an error unless its dependent ends up optional. */
typedef struct load_failure {
    npm_node *from;
    const npm_edge *edge;
} load_failure;

/* A queued node with the key it was queued under (lazy deletion: an entry whose key is no
 * longer the node's, or whose node left the queue, is dropped when it comes up). */
typedef struct queue_entry {
    npm_node *node;
    const char *location;
    unsigned depth;
    size_t seq;
} queue_entry;

/* Nodes grouped by a name, each group in the order the nodes were added (npm_index.c). */
typedef struct node_index {
    struct node_group *groups;   /* open addressing, power-of-two size */
    size_t cap, n;
} node_index;

/* engine_ok's answer for one range text of "engines" (which: 0 node, 1 npm); text NULL: free. */
typedef struct engine_memo {
    const char *text;         /* the packument's string: outlives the builder */
    unsigned char which, ok;
} engine_memo;

typedef struct builder {
    npm_tree *t;
    npm_registry *reg;
    npm_version node_v, npm_v;
    const npm_locked *locked;
    size_t n_locked;
    queue_entry *queue;       /* a binary heap on (depth, location, seq); see npm_tree.c */
    size_t n_queue, cap_queue;
    size_t queue_seq;         /* pushes so far: the tie-break, first pushed first */
    node_index by_name;       /* the inventory's nodes by name */
    node_index by_edge;       /* the inventory's nodes by the names of their edges */
    load_failure *failures;   /* required dependencies that could not be had */
    size_t n_failures, cap_failures;
    int force;                /* npm's --force */
    vs_error *err;
    /* workspaces and file: directories (npm_workspace.c) */
    char *project_real;       /* the project's directory, resolved (realpath) */
    npm_node **links;         /* every link target made, in order */
    size_t n_links, cap_links;
    /* engine_ok's answers by range text (npm_pick.c): versions repeat a few texts */
    engine_memo *engines;     /* open addressing, power-of-two size */
    size_t n_engines, cap_engines;
} builder;

/* The edges of tree nodes that resolve to `to` (edgesIn). Caller frees *from / *edge. */
typedef struct edge_ref {
    npm_node *from;
    npm_edge *edge;
} edge_ref;

/* A growable set of nodes (small: linear membership). */
typedef struct node_set {
    npm_node **items;
    size_t n, cap;
} node_set;

/* Edge filters of gatherDepSet. */
typedef enum { F_VALID_NOT_TO, F_NOT_TO, F_VALID_NOT_NODE } filter_kind;

/* What a placement did, for the queue updates that follow it. */
typedef struct placed_rec {
    npm_node *placed, *edge_from;
    const npm_edge *edge;
    int how;                 /* OK or REPLACE */
} placed_rec;

typedef struct placed_list {
    placed_rec *items;
    size_t n, cap;
} placed_list;

typedef struct cpd {
    npm_node *dep, *target, *edge_from;
    const npm_edge *edge;
    const struct cpd *parent;
    int prefer_dedupe;
    int can_place, can_place_self;
    npm_node *const *peer_path;
    size_t n_path;
} cpd;

const char *npmt_jstr(const json_value *o, const char *key);
int npmt_load_edges(arena *a, npm_node *n, int with_dev, int with_peers, const char *file, vs_error *err);
int npmt_is_peer(npm_dep_type t);
npm_edge *npmt_edge_named(const npm_node *n, const char *name, size_t *idx);
npm_node *npmt_child_named(const npm_node *n, const char *name);
void npmt_detach(npm_node *c);
void npmt_remove_node(npm_node *n);
int npmt_attach(arena *a, npm_node *parent, npm_node *c);
npm_node *npmt_resolve(const npm_node *from, const char *name);
unsigned npmt_depth_of(const npm_node *n);
int npmt_is_descendant_of(const npm_node *n, const npm_node *anc);
int npmt_is_top(const npm_node *n);
int npmt_satisfies(const npm_node *n, const npm_edge *e);
int npmt_edge_valid(const npm_node *from, const npm_edge *e, npm_node **to_out);
int npmt_matches(const npm_node *a, const npm_node *b);
int npmt_add_to_inventory(builder *b, npm_node *n);
int npmt_in_tree(const builder *b, const npm_node *n);
size_t npmt_edges_in(const builder *b, const npm_node *to, edge_ref **out);
int npmt_set_add(node_set *s, npm_node *x);
int npmt_gather_dep_set(const builder *b, node_set *s, filter_kind k, const npm_node *special);
int npmt_can_replace(const builder *b, npm_node *current, const npm_node *repl);
int npmt_prune_dedupable(builder *b, npm_node *n, int descend, int prefer_dedupe);
npm_node *npmt_copy_node(builder *b, const npm_node *dep);
npm_node *npmt_virtual_root(builder *b, npm_node *source);
/* #nodeFromEdge; required: the dependent of e (or second) is required and that edge is not
 * peerOptional (arborist's `required` set: a peer conflict there is refused) */
int npmt_node_from_edge(builder *b, const npm_edge *e, npm_node *vr, const npm_edge *second, int required,
                        npm_node **out);
int npmt_place_dep(builder *b, const npm_edge *edge, npm_node *edge_from, npm_node *dep, npm_node *parent_start,
                     const cpd *parent_cpd, placed_list *out);
int npmt_queue_push(builder *b, npm_node *n);
/* npm_index.c: the groups of the inventory; the nodes whose name / whose edge's name is NAME
 * (*n set; NULL when none), in inventory order. */
int npmt_index_add(builder *b, npm_node *n);
npm_node *const *npmt_nodes_named(const builder *b, const char *name, size_t *n);
npm_node *const *npmt_dependents_named(const builder *b, const char *name, size_t *n);
void npmt_index_free(builder *b);
int npmt_relocate(builder *b, npm_node *n);
npm_node *npmt_queue_pop(builder *b);
int npmt_build_step(builder *b, npm_node *node);
/* ERESOLVE text (npm_eresolve.c): a growing buffer, npm's way of naming an edge, the refusal. */
typedef struct npm_text {
    char *s;
    size_t len, cap;
    int failed;
} npm_text;
void npmt_put(npm_text *t, const char *fmt, ...);
void npmt_put_edge(npm_text *t, const char *indent, const npm_node *from, const npm_edge *e);
/* Ends t with npm's advice; VSOLVE_UNSAT with t as the message (frees t). */
void npmt_put_vr_node(npm_text *t, const npm_node *n);
int npmt_eresolve_fail(builder *b, npm_text *t);
/* Override sets that change when a node gains an edge in (npm_override_update.c). */
int npmt_reload_overrides(arena *a, npm_node *n, vs_error *err);
int npmt_overrides_after_place(builder *b, npm_node *placed);
/* Workspaces and file: dependencies (npm_workspace.c). */
int npmt_load_workspaces(builder *b, npm_node *root, const char *file);
int npmt_link_edges(builder *b, npm_node *n, const char *file);
int npmt_link_place(builder *b, npm_node *from, const npm_edge *e);
int npmt_queue_links(builder *b);
void npmt_link_flags(const npm_tree *t);
void npmt_spread(npm_node *n, int not_dev, int not_opt, int not_devopt, int not_peer);
void npmt_set_all(npm_node *n);

#endif
