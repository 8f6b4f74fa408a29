/* graph.h: the solution graph: for every chosen package, the chosen package that satisfies each
 * of its dependency clauses (edges), and per package an optional path (npm's node_modules path).
 * Writers of locks and the public API read a solution's structure only through it.
 *
 * Nodes are the solution's real packages (not VS_PKG_VIRTUAL), in the solution's order (name,
 * then version): node i is the i-th real package of vs_solution.pkgs, and so row i of a
 * vsolve_result. Edges of node i: for each dependency clause of its package (the root variant
 * when its name is requested, as the solver used them; a conditional clause only when its
 * condition is chosen, and not when what it asks belongs to its condition's own package), and of each chosen virtual package the adapter says it owns (cargo's
 * feature and optional-dependency nodes of a crate version), the chosen provider, mapped to
 * the real package owning it. When several providers of a clause are chosen, the one with the
 * highest package id (the newest version of its name: as Cargo.lock picks) is taken. An edge
 * back to the node itself (a feature needing its crate) is left out.
 */
#ifndef VSOLVE_GRAPH_H
#define VSOLVE_GRAPH_H
#include <stddef.h>
#include <stdint.h>
#include "request.h"
#include "solve.h"
#include "universe.h"

typedef struct vs_graph_edge {
    uint32_t clause;   /* the dependency clause (universe.clauses index) */
    uint32_t to;       /* the node satisfying it */
} vs_graph_edge;

typedef struct vs_graph {
    uint32_t n_nodes;
    uint32_t *pkg;            /* node -> package id */
    uint32_t *node_of_pkg;    /* package id -> node, VS_NONE when not a node (sized universe.pkgs.len) */
    uint32_t *edge_first;     /* node -> its first edge; n_nodes + 1 entries */
    vs_graph_edge *edges;     /* per node in clause order (the package's, then its owned virtual ones') */
    uint32_t *dep_first;      /* node -> its first distinct target; n_nodes + 1 entries */
    uint32_t *deps;           /* per node the distinct targets of its edges, ascending */
    char **paths;             /* node -> malloc'd path, or NULL when the ecosystem has none */
} vs_graph;

/* Builds the graph of solution s (status VSOLVE_OK) of req over u, whose clauses for the
 * solution's packages must be present (they are after a solve). owner (may be NULL: every
 * virtual package owns itself and is not folded) maps a package id to the real package that a
 * virtual one belongs to (VS_NONE for real ones). Returns VSOLVE_OK, VSOLVE_ENOMEM, or
 * VSOLVE_EUSAGE when s is not a solution (a clause of a chosen package without a chosen
 * provider); on error g is left empty (graph_free is still fine). */
int graph_build(vs_graph *g, const vs_universe *u, const vs_request *req, const vs_solution *s,
                const uint32_t *owner);
void graph_free(vs_graph *g);

/* Node i's edges: the count, *first the first one. */
static inline size_t graph_edges(const vs_graph *g, uint32_t node, const vs_graph_edge **first)
{
    *first = g->edges + g->edge_first[node];
    return g->edge_first[node + 1] - g->edge_first[node];
}
/* Node i's distinct dependencies (nodes, ascending): the count, *first the first one. */
static inline size_t graph_deps(const vs_graph *g, uint32_t node, const uint32_t **first)
{
    *first = g->deps + g->dep_first[node];
    return g->dep_first[node + 1] - g->dep_first[node];
}
/* Gives node i a path (copied); VSOLVE_OK or VSOLVE_ENOMEM. */
int graph_set_path(vs_graph *g, uint32_t node, const char *path);

#endif
