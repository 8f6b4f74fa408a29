/* graph.c: building the solution graph from a solution and the clauses it satisfies. */
#include "graph.h"
#include <stdlib.h>
#include <string.h>

void graph_free(vs_graph *g)
{
    for (uint32_t i = 0; g->paths && i < g->n_nodes; i++)
        free(g->paths[i]);
    free(g->paths);
    free(g->pkg);
    free(g->node_of_pkg);
    free(g->edge_first);
    free(g->edges);
    free(g->dep_first);
    free(g->deps);
    memset(g, 0, sizeof *g);
}

int graph_set_path(vs_graph *g, uint32_t node, const char *path)
{
    if (node >= g->n_nodes)
        return VSOLVE_EUSAGE;
    if (!g->paths && !(g->paths = calloc(g->n_nodes ? g->n_nodes : 1, sizeof *g->paths)))
        return VSOLVE_ENOMEM;
    char *copy = strdup(path);
    if (!copy)
        return VSOLVE_ENOMEM;
    free(g->paths[node]);
    g->paths[node] = copy;
    return VSOLVE_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct ctx {
    const vs_universe *u;
    const unsigned char *on, *root;
    const uint32_t *owner;
    vs_graph *g;
    VEC(vs_graph_edge) edges;
    int bad;
} ctx;

static uint32_t owner_of(const ctx *c, uint32_t pkg)
{
    return c->owner && c->owner[pkg] != VS_NONE ? c->owner[pkg] : pkg;
}

/* The edges of package p's clauses, for node `node`. */
static int add_edges(ctx *c, uint32_t node, uint32_t p)
{
    const vs_universe *u = c->u;
    uint32_t first, count;
    universe_clauses(u, p, c->root[u->pkgs.items[p].name], &first, &count);
    for (uint32_t k = 0; k < count; k++) {
        const vs_clause *cl = &u->clauses.items[first + k];
        if (cl->cond != VS_NONE && !c->on[cl->cond])
            continue;
        uint32_t chosen = VS_NONE;
        for (uint32_t j = 0; j < cl->count; j++) {
            uint32_t q = u->ids.items[cl->first + j];
            if (c->on[q] && (chosen == VS_NONE || q > chosen))
                chosen = q;
        }
        if (chosen == VS_NONE) {
            c->bad = 1;
            continue;
        }
        /* a clause that asks something of its own condition's package (cargo: "W, then W's
         * feature f", for each version W a dependency spanning semver ranges could use) says
         * nothing of which package the dependent uses: its own clause does. Without this, a
         * dependent whose range also matches an older range installed for another edge would
         * point at both (`console >= 0.3, < 1.0` beside `console ^0.7`: cargo locks one edge). */
        if (cl->cond != VS_NONE && owner_of(c, cl->cond) == owner_of(c, chosen))
            continue;
        uint32_t to = c->g->node_of_pkg[owner_of(c, chosen)];
        if (to == VS_NONE || to == node)
            continue;   /* a virtual package nobody owns, or the node itself */
        vs_graph_edge e = { first + k, to };
        if (!vec_push(&c->edges, e))
            return VSOLVE_ENOMEM;
    }
    return VSOLVE_OK;
}

int graph_build(vs_graph *g, const vs_universe *u, const vs_request *req, const vs_solution *s, const uint32_t *owner)
{
    memset(g, 0, sizeof *g);
    size_t np = u->pkgs.len ? u->pkgs.len : 1;
    unsigned char *on = calloc(np, 1), *root = calloc(u->names.len ? u->names.len : 1, 1);
    ctx c = { u, on, root, owner, g, { 0 }, 0 };
    int rc = on && root ? VSOLVE_OK : VSOLVE_ENOMEM;
    uint32_t n = 0;
    for (size_t i = 0; rc == VSOLVE_OK && i < s->pkgs.len; i++) {
        on[s->pkgs.items[i]] = 1;
        n += !(u->pkgs.items[s->pkgs.items[i]].flags & VS_PKG_VIRTUAL);
    }
    if (rc == VSOLVE_OK) {
        request_mark_roots(req, root);
        g->pkg = malloc((n ? n : 1) * sizeof *g->pkg);
        g->node_of_pkg = malloc(np * sizeof *g->node_of_pkg);
        g->edge_first = calloc(n + 1, sizeof *g->edge_first);
        g->dep_first = calloc(n + 1, sizeof *g->dep_first);
        if (!g->pkg || !g->node_of_pkg || !g->edge_first || !g->dep_first)
            rc = VSOLVE_ENOMEM;
    }
    if (rc == VSOLVE_OK) {
        memset(g->node_of_pkg, 0xff, np * sizeof *g->node_of_pkg);
        for (size_t i = 0; i < s->pkgs.len; i++) {
            uint32_t p = s->pkgs.items[i];
            if (!(u->pkgs.items[p].flags & VS_PKG_VIRTUAL)) {
                g->node_of_pkg[p] = g->n_nodes;
                g->pkg[g->n_nodes++] = p;
            }
        }
    }
    /* the chosen virtual packages of each owner, grouped: (owner node, package) pairs sorted */
    u32_vec owned = { 0 };
    for (size_t i = 0; rc == VSOLVE_OK && owner && i < s->pkgs.len; i++) {
        uint32_t p = s->pkgs.items[i];
        if ((u->pkgs.items[p].flags & VS_PKG_VIRTUAL) && owner[p] != VS_NONE && g->node_of_pkg[owner[p]] != VS_NONE)
            if (!vec_push(&owned, g->node_of_pkg[owner[p]]) || !vec_push(&owned, p))
                rc = VSOLVE_ENOMEM;
    }
    /* pairs sorted by owner node, then package id: a two-word sort via 64-bit keys */
    uint64_t *pairs = rc == VSOLVE_OK ? malloc((owned.len / 2 + 1) * sizeof *pairs) : NULL;
    if (rc == VSOLVE_OK && !pairs)
        rc = VSOLVE_ENOMEM;
    size_t n_pairs = owned.len / 2;
    for (size_t i = 0; rc == VSOLVE_OK && i < n_pairs; i++)
        pairs[i] = (uint64_t)owned.items[2 * i] << 32 | owned.items[2 * i + 1];
    if (rc == VSOLVE_OK && n_pairs > 1)
        qsort(pairs, n_pairs, sizeof *pairs, cmp_u64);
    vec_free(&owned);
    u32_vec deps = { 0 };
    for (uint32_t node = 0, pi = 0; rc == VSOLVE_OK && node < g->n_nodes; node++) {
        size_t begin = c.edges.len;
        rc = add_edges(&c, node, g->pkg[node]);
        for (; rc == VSOLVE_OK && pi < n_pairs && (uint32_t)(pairs[pi] >> 32) == node; pi++)
            rc = add_edges(&c, node, (uint32_t)pairs[pi]);
        g->edge_first[node + 1] = (uint32_t)c.edges.len;
        size_t dbegin = deps.len;
        for (size_t e = begin; rc == VSOLVE_OK && e < c.edges.len; e++)
            if (!vec_push(&deps, c.edges.items[e].to))
                rc = VSOLVE_ENOMEM;
        if (rc == VSOLVE_OK && deps.len - dbegin > 1)
            qsort(deps.items + dbegin, deps.len - dbegin, sizeof *deps.items, cmp_u32);
        size_t out = dbegin;
        for (size_t d = dbegin; d < deps.len; d++)
            if (d == dbegin || deps.items[d] != deps.items[d - 1])
                deps.items[out++] = deps.items[d];
        deps.len = out;
        g->dep_first[node + 1] = (uint32_t)deps.len;
    }
    free(pairs);
    free(on);
    free(root);
    g->edges = c.edges.items;
    g->deps = deps.items;
    if (rc == VSOLVE_OK && c.bad)
        rc = VSOLVE_EUSAGE;
    if (rc != VSOLVE_OK) {
        if (!g->edges)
            vec_free(&c.edges);
        if (!g->deps)
            vec_free(&deps);
        graph_free(g);
    }
    return rc;
}
