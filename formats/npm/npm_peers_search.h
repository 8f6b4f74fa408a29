/* npm_peers_search.h: a tree that meets every peer where npm's greedy placement refuses one (vsolve --resolve-peers). */
#ifndef VSOLVE_NPM_PEERS_SEARCH_H
#define VSOLVE_NPM_PEERS_SEARCH_H
#include <stddef.h>
#include "npm_tree.h"

/* One root dependency the search pinned: its name, the version chosen, the spec package.json
 * gave it ("" when it had none). */
typedef struct npm_peer_move {
    const char *name, *version, *was;
} npm_peer_move;

typedef struct npm_peers_found {
    const json_value *manifest;  /* the root manifest with the moved dependencies pinned (arena
                                    memory); NULL when no choice was found */
    char *summary;               /* "name version (was \"spec\"), ..." (malloc'd; free it) */
    npm_peer_move *moved;        /* the same as data, n_moved of them (arena memory) */
    size_t n_moved;              /* root dependencies pinned to another version than npm's pick */
    size_t n_outside;            /* of which outside the root's range */
    size_t steps, checked;       /* candidates tried; complete choices built with npm's placement */
    int exhausted;               /* the step or check limit stopped the search */
} npm_peers_found;

/* After npm_tree_build refused `manifest` with an ERESOLVE: searches versions of the root's
 * dependencies and of the packages their peers reach for one version per name that meets every
 * peer range between them: first keeping every root range, then leaving one, then two (nearest
 * versions first). Each choice is checked by building npm's tree of the manifest pinned to it
 * (force and legacy-peer-deps off); the first that builds is *out. VSOLVE_OK whether or not
 * one is found (out->manifest NULL: none); an error of the registry otherwise. */
int npm_peers_search(arena *a, npm_registry *reg, const json_value *manifest, const char *file,
                     const npm_tree_options *opt, npm_peers_found *out, vs_error *err);

#endif
