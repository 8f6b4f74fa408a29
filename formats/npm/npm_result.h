/* npm_result.h: an npm ideal tree as a universe (one package per name@version, with its
 * integrity and tarball as attributes) and a solution graph (one node per node_modules entry,
 * with its path), so that results are read like every other ecosystem's. */
#ifndef VSOLVE_NPM_RESULT_H
#define VSOLVE_NPM_RESULT_H
#include "graph.h"
#include "npm_tree.h"
#include "universe.h"

/* Builds u (freshly initialised) and g from the tree's nodes (root excluded), in location order
 * (npm_tree_nodes): node i of g is the i-th entry, its path its location, its package the
 * entry's name@version in u. Attributes: npm-integrity (dist.integrity, or the "sha1-..." that
 * npm makes of a bare dist.shasum), npm-tarball and url (dist.tarball, as the registry gives
 * it). Edges: each dependency of the entry that resolves in the tree (node_modules lookup), in
 * the manifest's order; their clause is VS_NONE (the tree has no clauses); node_of_pkg is the
 * first entry of each package. VSOLVE_OK or VSOLVE_ENOMEM. */
int npm_result_build(const npm_tree *t, vs_universe *u, vs_graph *g);

#endif
