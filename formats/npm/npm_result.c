/* npm_result.c: the ideal tree as a universe with attributes and a solution graph with paths. */
#include "npm_result.h"
#include <stdlib.h>
#include <string.h>
#include "npm_lock.h"

/* Semver order for universe_sort (no context argument: parse into a short-lived arena). */
static int version_order(const char *a, const char *b)
{
    arena mem;
    arena_init(&mem);
    npm_version x, y;
    npm_options opt = { 0 };
    int ax = npm_version_parse(&mem, a, opt, &x), by = npm_version_parse(&mem, b, opt, &y);
    int r = ax || by ? strcmp(a, b) : npm_version_compare_build(&x, &y);
    arena_free(&mem);
    return r;
}

typedef struct row_of {
    const npm_node *node;
    uint32_t row;
} row_of;

static int by_node(const void *x, const void *y)
{
    const npm_node *a = ((const row_of *)x)->node, *b = ((const row_of *)y)->node;
    return a < b ? -1 : a > b;
}

static int add_attrs(vs_universe *u, uint32_t p, const npm_node *n)
{
    const json_value *dist = n->manifest ? json_get(n->manifest, "dist") : NULL;
    const json_value *iv = dist ? json_get(dist, "integrity") : NULL, *sv = dist ? json_get(dist, "shasum") : NULL;
    const json_value *tb = dist ? json_get(dist, "tarball") : NULL;
    int rc = VSOLVE_OK;
    char sha1[64];
    if (iv && iv->kind == JSON_STRING)
        rc = attrs_add(&u->attrs, p, VS_ATTR_NPM_INTEGRITY, iv->str, iv->len);
    else if (sv && sv->kind == JSON_STRING && npm_shasum_integrity(sv->str, sha1, sizeof sha1))
        rc = attrs_add(&u->attrs, p, VS_ATTR_NPM_INTEGRITY, sha1 + 1, strlen(sha1) - 2);   /* unquoted */
    if (rc == VSOLVE_OK && tb && tb->kind == JSON_STRING) {
        rc = attrs_add(&u->attrs, p, VS_ATTR_NPM_TARBALL, tb->str, tb->len);
        if (rc == VSOLVE_OK)
            rc = attrs_add(&u->attrs, p, VS_ATTR_URL, tb->str, tb->len);
    }
    return rc;
}

int npm_result_build(const npm_tree *t, vs_universe *u, vs_graph *g)
{
    memset(g, 0, sizeof *g);
    npm_node **nodes = NULL;
    size_t n = npm_tree_nodes(t, &nodes);
    int rc = VSOLVE_OK;
    /* packages: every entry's name@version (universe_sort keeps one of equal ones) */
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        const char *v = nodes[i]->version ? nodes[i]->version : "";
        uint32_t ns = universe_intern(u, nodes[i]->pkg_name, strlen(nodes[i]->pkg_name)), vs = universe_intern(u, v, strlen(v));
        rc = ns == UINT32_MAX || vs == UINT32_MAX ? VSOLVE_ENOMEM : universe_add_package(u, ns, vs, 0, NULL);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(u, version_order);
    row_of *rows = malloc((n ? n : 1) * sizeof *rows);
    size_t np = u->pkgs.len ? u->pkgs.len : 1;
    g->n_nodes = (uint32_t)n;
    g->pkg = malloc((n ? n : 1) * sizeof *g->pkg);
    g->node_of_pkg = malloc(np * sizeof *g->node_of_pkg);
    g->edge_first = calloc(n + 1, sizeof *g->edge_first);
    g->dep_first = calloc(n + 1, sizeof *g->dep_first);
    g->paths = calloc(n ? n : 1, sizeof *g->paths);
    if (rc == VSOLVE_OK && (!rows || !g->pkg || !g->node_of_pkg || !g->edge_first || !g->dep_first || !g->paths))
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK)
        memset(g->node_of_pkg, 0xff, np * sizeof *g->node_of_pkg);
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        uint32_t nm = universe_find_name(u, nodes[i]->pkg_name), first = 0, count = 0, p = VS_NONE;
        if (nm != VS_NONE)
            universe_name_pkgs(u, nm, &first, &count);
        const char *v = nodes[i]->version ? nodes[i]->version : "";
        for (uint32_t j = 0; j < count && p == VS_NONE; j++)
            if (!strcmp(universe_pkg_version(u, first + j), v))
                p = first + j;
        if (p == VS_NONE)   /* a version equal to another under semver but spelled otherwise */
            p = count ? first : 0;
        g->pkg[i] = p;
        if (g->node_of_pkg[p] == VS_NONE) {
            g->node_of_pkg[p] = (uint32_t)i;
            rc = add_attrs(u, p, nodes[i]);
        }
        if (rc == VSOLVE_OK && !(g->paths[i] = strdup(nodes[i]->location)))
            rc = VSOLVE_ENOMEM;
        rows[i] = (row_of){ nodes[i], (uint32_t)i };
    }
    if (rc == VSOLVE_OK)
        rc = attrs_finish(&u->attrs);
    if (rc == VSOLVE_OK && n > 1)
        qsort(rows, n, sizeof *rows, by_node);
    VEC(vs_graph_edge) edges = { 0 };
    u32_vec deps = { 0 };
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        size_t dbegin = deps.len;
        for (size_t k = 0; k < nodes[i]->n_edges && rc == VSOLVE_OK; k++) {
            const npm_node *to = npm_tree_resolve(nodes[i], nodes[i]->edges[k].name);
            row_of key = { to, 0 };
            const row_of *hit = to ? bsearch(&key, rows, n, sizeof *rows, by_node) : NULL;
            if (!hit || hit->row == i)
                continue;
            vs_graph_edge e = { VS_NONE, hit->row };
            if (!vec_push(&edges, e) || !vec_push(&deps, hit->row))
                rc = VSOLVE_ENOMEM;
        }
        g->edge_first[i + 1] = (uint32_t)edges.len;
        /* distinct targets, ascending (insertion sort: a node has few dependencies) */
        for (size_t a = dbegin + 1; a < deps.len; a++)
            for (size_t b = a; b > dbegin && deps.items[b - 1] > deps.items[b]; b--) {
                uint32_t x = deps.items[b];
                deps.items[b] = deps.items[b - 1];
                deps.items[b - 1] = x;
            }
        size_t out = dbegin;
        for (size_t d = dbegin; d < deps.len; d++)
            if (d == dbegin || deps.items[d] != deps.items[d - 1])
                deps.items[out++] = deps.items[d];
        deps.len = out;
        g->dep_first[i + 1] = (uint32_t)deps.len;
    }
    g->edges = edges.items;
    g->deps = deps.items;
    free(rows);
    free(nodes);
    if (rc != VSOLVE_OK)
        graph_free(g);
    return rc;
}
