/* npm_flags.c: the lock's dev / optional / devOptional / peer flags (arborist's calcDepFlags). */
#include "npm_tree_internal.h"

/* ---- flags: a node loses a flag when some path from the root avoids the matching edges ---- */

void npmt_spread(npm_node *n, int not_dev, int not_opt, int not_devopt, int not_peer)
{
    int changed = 0;
    if (not_dev && n->dev) { n->dev = 0; changed = 1; }
    if (not_opt && n->optional) { n->optional = 0; changed = 1; }
    if (not_devopt && n->dev_optional) { n->dev_optional = 0; changed = 1; }
    if (not_peer && n->peer) { n->peer = 0; changed = 1; }
    if (!changed && !n->is_root)
        return;
    for (size_t i = 0; i < n->n_edges; i++) {
        const npm_edge *e = &n->edges[i];
        if (n->failed && n->failed[i])
            continue;
        npm_node *to = npmt_resolve(n, e->name);
        if (!to)
            continue;
        int dev_edge = e->type == NPM_DEP_DEV;
        int opt_edge = e->type == NPM_DEP_OPTIONAL || e->type == NPM_DEP_PEER_OPTIONAL;
        int peer_edge = e->type == NPM_DEP_PEER || e->type == NPM_DEP_PEER_OPTIONAL;
        npmt_spread(to, (n->is_root ? 1 : !n->dev) && !dev_edge, (n->is_root ? 1 : !n->optional) && !opt_edge,
               (n->is_root ? 1 : !n->dev_optional) && !dev_edge && !opt_edge, (n->is_root ? 1 : !n->peer) && !peer_edge);
    }
}

void npmt_set_all(npm_node *n)
{
    n->dev = n->optional = n->dev_optional = n->peer = 1;
    for (size_t i = 0; i < n->n_children; i++)
        npmt_set_all(n->children[i]);
}
