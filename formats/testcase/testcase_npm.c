/* testcase_npm.c: an npm ideal tree as a universe, request and answer, for a neutral test case.
 *
 * npm does not choose versions with the SAT core: arborist places nodes in node_modules and
 * each dependency edge resolves to the node its folder lookup finds. The case says exactly that:
 * a package NAME@VERSION per distinct version in the tree (no slots: npm keeps duplicates), and
 * for each dependency edge of each node a clause "NAME@SPEC" whose provider is the version the
 * edge resolves to (one clause per distinct version when the same package sits at several places
 * and resolves an edge differently there). The request is the root's edges, resolved the same
 * way, and its workspaces; edges that resolve to nothing (a failed optional dependency) are
 * left out. The answer is
 * the tree's set of packages: replaying the case must find exactly it. */
#include "testcase_npm.h"
#include <stdlib.h>
#include <string.h>

static npm_node *child_named(const npm_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_children; i++)
        if (!n->children[i]->removed && !strcmp(n->children[i]->name, name))
            return n->children[i];
    return NULL;
}

/* The node an edge of `from` resolves to (node_modules lookup up the tree), or NULL. */
static const npm_node *resolve(const npm_node *from, const char *name)
{
    for (const npm_node *n = from; n; n = n->parent) {
        npm_node *c = child_named(n, name);
        if (c)
            return c;
    }
    return NULL;
}

static uint32_t pkg_of(const vs_universe *u, const npm_node *n)
{
    uint32_t name = universe_find_name(u, n->pkg_name), first, count;
    if (name == VS_NONE || !n->version)
        return VS_NONE;
    universe_name_pkgs(u, name, &first, &count);
    for (uint32_t k = 0; k < count; k++)
        if (!strcmp(universe_pkg_version(u, first + k), n->version))
            return first + k;
    return VS_NONE;
}

static uint32_t edge_desc(vs_universe *u, const npm_edge *e)
{
    const char *spec = e->spec ? e->spec : "";
    size_t len = strlen(e->name) + strlen(spec) + 2;
    char *s = malloc(len);
    if (!s)
        return UINT32_MAX;
    snprintf(s, len, "%s@%s", e->name, spec);
    uint32_t id = universe_intern(u, s, strlen(s));
    free(s);
    return id;
}

typedef struct node_ref {
    uint32_t pkg;
    size_t node;
} node_ref;

static int by_node_ref(const void *a, const void *b)
{
    const node_ref *x = a, *y = b;
    if (x->pkg != y->pkg)
        return x->pkg < y->pkg ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

static int by_pkg(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int testcase_npm_problem(const npm_tree *t, vs_universe *u, vs_request *req, vs_solution *s, vs_error *err)
{
    npm_node **nodes = NULL;
    size_t n = npm_tree_nodes(t, &nodes);
    uint32_t *pkg = calloc(n + 1, sizeof *pkg);
    u32_vec seen = { 0 };
    int rc = pkg ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        if (!nodes[i]->version)
            continue;
        uint32_t ns = universe_intern(u, nodes[i]->pkg_name, strlen(nodes[i]->pkg_name));
        uint32_t vs = universe_intern(u, nodes[i]->version, strlen(nodes[i]->version));
        rc = ns == UINT32_MAX || vs == UINT32_MAX ? VSOLVE_ENOMEM : universe_add_package(u, ns, vs, 0, NULL);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(u, testcase_version_order(TC_NPM));
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        pkg[i] = pkg_of(u, nodes[i]);
    /* the nodes of each package, in package order, so that clauses go in package order */
    node_ref *order = calloc(n + 1, sizeof *order);
    if (!order)
        rc = VSOLVE_ENOMEM;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        order[i] = (node_ref){ pkg[i], i };
    if (rc == VSOLVE_OK)
        qsort(order, n, sizeof *order, by_node_ref);
    for (size_t a = 0; a < n && rc == VSOLVE_OK;) {
        uint32_t p = order[a].pkg;
        size_t b = a;
        while (b < n && order[b].pkg == p)
            b++;
        if (p == VS_NONE)
            break;
        /* edges as the first node of the package lists them; the same manifest at every place */
        const npm_node *first = nodes[order[a].node];
        for (size_t k = 0; k < first->n_edges && rc == VSOLVE_OK; k++) {
            seen.len = 0;
            for (size_t m = a; m < b && rc == VSOLVE_OK; m++) {
                const npm_node *to = resolve(nodes[order[m].node], first->edges[k].name);
                uint32_t q = to ? pkg_of(u, to) : VS_NONE;
                int dup = q == VS_NONE;
                for (size_t d = 0; d < seen.len && !dup; d++)
                    dup = seen.items[d] == q;
                if (dup)
                    continue;
                uint32_t desc = edge_desc(u, &first->edges[k]);
                rc = desc == UINT32_MAX || !vec_push(&seen, q) ? VSOLVE_ENOMEM : universe_add_clause(u, p, desc, &q, 1);
            }
        }
        a = b;
    }
    /* the request: the root's edges */
    for (size_t k = 0; t->root && k < t->root->n_edges && rc == VSOLVE_OK; k++) {
        const npm_node *to = resolve(t->root, t->root->edges[k].name);
        uint32_t q = to ? pkg_of(u, to) : VS_NONE;
        if (q == VS_NONE)
            continue;
        uint32_t desc = edge_desc(u, &t->root->edges[k]);
        rc = desc == UINT32_MAX ? VSOLVE_ENOMEM : request_add_atom(req, desc, u->pkgs.items[q].name, &q, 1);
    }
    /* and the workspaces, which the root reaches through its workspace edges */
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        if (!nodes[i]->is_workspace || pkg[i] == VS_NONE)
            continue;
        size_t len = strlen(nodes[i]->name) + strlen(nodes[i]->location) + 8;
        char *spec = malloc(len);
        if (!spec) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        snprintf(spec, len, "%s@file:%s", nodes[i]->name, nodes[i]->location);
        uint32_t desc = universe_intern(u, spec, strlen(spec));
        free(spec);
        rc = desc == UINT32_MAX ? VSOLVE_ENOMEM : request_add_atom(req, desc, u->pkgs.items[pkg[i]].name, &pkg[i], 1);
    }
    /* the answer: the tree's packages */
    s->status = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if (pkg[i] != VS_NONE && !vec_push(&s->pkgs, pkg[i]))
            rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK && s->pkgs.len > 1) {
        qsort(s->pkgs.items, s->pkgs.len, sizeof *s->pkgs.items, by_pkg);
        size_t out = 1;
        for (size_t i = 1; i < s->pkgs.len; i++)
            if (s->pkgs.items[i] != s->pkgs.items[out - 1])
                s->pkgs.items[out++] = s->pkgs.items[i];
        s->pkgs.len = out;
    }
    free(order);
    free(pkg);
    free(nodes);
    vec_free(&seen);
    if (rc != VSOLVE_OK && !err->code)
        vs_error_set(err, rc, "out of memory");
    return rc;
}
