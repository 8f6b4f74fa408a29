/* npm_index.c: the tree's inventory grouped by name: nodes by their name, and by the names of their edges. */
#include "npm_tree_internal.h"

/* One name's nodes, in the order they were added. */
typedef struct node_group {
    const char *name;
    npm_node **items;
    size_t n, cap;
} node_group;

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static node_group *group_find(const node_index *x, const char *name)
{
    if (!x->cap)
        return NULL;
    for (size_t j = hash_name(name) & (x->cap - 1);; j = (j + 1) & (x->cap - 1)) {
        node_group *g = &x->groups[j];
        if (!g->name || !strcmp(g->name, name))
            return g;
    }
}

static int index_add(node_index *x, const char *name, npm_node *node)
{
    if ((x->n + 1) * 2 > x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 64;
        node_group *ng = calloc(ncap, sizeof *ng);
        if (!ng)
            return VSOLVE_ENOMEM;
        node_index grown = { ng, ncap, x->n };
        for (size_t i = 0; i < x->cap; i++)
            if (x->groups[i].name)
                *group_find(&grown, x->groups[i].name) = x->groups[i];
        free(x->groups);
        *x = grown;
    }
    node_group *g = group_find(x, name);
    if (!g->name) {
        g->name = name;
        x->n++;
    }
    if (g->n && g->items[g->n - 1] == node)
        return VSOLVE_OK;   /* two edges of one node with the same name: listed once */
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 4;
        npm_node **ni = realloc(g->items, ncap * sizeof *ni);
        if (!ni)
            return VSOLVE_ENOMEM;
        g->items = ni;
        g->cap = ncap;
    }
    g->items[g->n++] = node;
    return VSOLVE_OK;
}

int npmt_index_add(builder *b, npm_node *n)
{
    if (index_add(&b->by_name, n->name, n) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < n->n_edges; i++)
        if (index_add(&b->by_edge, n->edges[i].name, n) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

static npm_node *const *lookup(const node_index *x, const char *name, size_t *n)
{
    node_group *g = group_find(x, name);
    *n = g && g->name ? g->n : 0;
    return *n ? g->items : NULL;
}

npm_node *const *npmt_nodes_named(const builder *b, const char *name, size_t *n)
{
    return lookup(&b->by_name, name, n);
}

npm_node *const *npmt_dependents_named(const builder *b, const char *name, size_t *n)
{
    return lookup(&b->by_edge, name, n);
}

static void index_free(node_index *x)
{
    for (size_t i = 0; i < x->cap; i++)
        free(x->groups[i].items);
    free(x->groups);
    *x = (node_index){ 0 };
}

void npmt_index_free(builder *b)
{
    index_free(&b->by_name);
    index_free(&b->by_edge);
}
