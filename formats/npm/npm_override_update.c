/* npm_override_update.c: a node's override set when edges with other sets reach it (arborist's updateOverridesEdgeInAdded). */
#include "npm_tree_internal.h"

/* A node takes the override set of the edge that placed it. When another edge reaches it with
 * another set, arborist keeps the more specific of the two (one is an ancestor of the other),
 * else, for sets without conflicting rules, their nearest common ancestor; with conflicting
 * rules the node keeps its set. A change reloads the node's edges' rules and spreads to what
 * they reach. Nodes already built are not built again (arborist does not queue them either). */

/* The rules a set sees (OverrideSet.ruleset): each ancestor's children, then the ancestor
 * itself, nearest first; is there a key both see with different values? */
static const npm_override *rule_for(const npm_override *set, const char *key)
{
    for (const npm_override *s = set; s; s = s->parent) {
        for (size_t i = 0; i < s->n_children; i++)
            if (!strcmp(s->children[i]->key, key))
                return s->children[i];
        if (s->parent && !strcmp(s->key, key))
            return s;
    }
    return NULL;
}

static int rules_conflict(const npm_override *a, const npm_override *b)
{
    for (const npm_override *s = a; s; s = s->parent) {
        for (size_t i = 0; i <= s->n_children; i++) {
            const npm_override *r = i < s->n_children ? s->children[i] : s->parent ? s : NULL;
            if (!r)
                continue;
            const npm_override *mine = rule_for(a, r->key), *theirs = rule_for(b, r->key);
            if (mine && theirs && strcmp(mine->value, theirs->value))
                return 1;
        }
    }
    return 0;
}

/* OverrideSet.findSpecificOverrideSet; NULL when the two conflict. */
static const npm_override *specific(const npm_override *first, const npm_override *second)
{
    for (const npm_override *s = second; s; s = s->parent)
        if (s == first)
            return second;
    for (const npm_override *s = first; s; s = s->parent)
        if (s == second)
            return first;
    if (rules_conflict(first, second))
        return NULL;
    for (const npm_override *x = second; x; x = x->parent)
        for (const npm_override *y = first; y; y = y->parent)
            if (x == y)
                return x;
    return NULL;
}

static int edge_in_added(builder *b, npm_node *to, const npm_override *set, unsigned depth);

/* recalculateOutEdgesOverrides */
static int recalc(builder *b, npm_node *n, unsigned depth)
{
    int rc = npmt_reload_overrides(&b->t->mem, n, b->err);
    for (size_t i = 0; i < n->n_edges && rc == VSOLVE_OK; i++) {
        npm_node *to = n->failed[i] ? NULL : npmt_resolve(n, n->edges[i].name);
        if (to && to != n && !to->is_link)
            rc = edge_in_added(b, to, n->edges[i].ov, depth + 1);
    }
    return rc;
}

static int edge_in_added(builder *b, npm_node *to, const npm_override *set, unsigned depth)
{
    if (!set || to->ov == set || depth > 256)
        return VSOLVE_OK;
    const npm_override *next = to->ov ? specific(to->ov, set) : set;
    if (!next || next == to->ov)
        return VSOLVE_OK;
    to->ov = next;
    return recalc(b, to, depth);
}

/* After `placed` entered the tree: the edges that now reach it, and its own edges. */
int npmt_overrides_after_place(builder *b, npm_node *placed)
{
    if (!b->t->root->ov || placed->is_link)
        return VSOLVE_OK;
    edge_ref *in = NULL;
    size_t n_in = npmt_edges_in(b, placed, &in);
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n_in && rc == VSOLVE_OK; i++)
        rc = edge_in_added(b, placed, in[i].edge->ov, 0);
    free(in);
    for (size_t i = 0; i < placed->n_edges && rc == VSOLVE_OK; i++) {
        npm_node *to = placed->failed[i] ? NULL : npmt_resolve(placed, placed->edges[i].name);
        if (to && to != placed && !to->is_link)
            rc = edge_in_added(b, to, placed->edges[i].ov, 0);
    }
    return rc;
}
