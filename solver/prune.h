/* prune.h: packages of a cone that no solution can install (propagation before encoding). */
#ifndef VSOLVE_PRUNE_H
#define VSOLVE_PRUNE_H
#include "cone.h"

/* Marks in dead[pkg] (sized u->pkgs.len, zeroed by the caller) packages of the cone c that no
 * solution of its request installs. *contradiction is set when propagation alone shows that the
 * request has no solution (then dead is incomplete: encode the whole cone to explain why).
 * VSOLVE_OK or VSOLVE_ENOMEM. */
int prune_cone(const vs_cone *c, unsigned char *dead, int *contradiction);

/* The cone of req in u less what no solution installs (the whole cone when propagation finds a
 * contradiction); *pruned tells whether packages were left out. After a contradiction, *plain
 * tells whether the refusal is one explain.c states without a SAT solver: an atom of req
 * without a candidate in the cone, or a first atom that has no solution even alone because
 * every candidate needs, directly or through what it needs, something nothing installable
 * provides (found depth-first: a dead end; 0 may be one missed). VSOLVE_OK or VSOLVE_ENOMEM; c
 * can be freed with cone_free either way. */
int prune_request_cone(vs_cone *c, const vs_universe *u, const vs_request *req, int *pruned, int *plain);

#endif
