/* prune.h: packages of a cone that no solution can install (propagation before encoding). */
#ifndef VSOLVE_PRUNE_H
#define VSOLVE_PRUNE_H
#include "encode.h"

/* Marks in dead[pkg] (sized u->pkgs.len, zeroed by the caller) cone packages that no solution of
 * e's request installs. *contradiction is set when propagation alone shows that the request has
 * no solution (then dead is incomplete: encode the whole cone to explain why). VSOLVE_OK or
 * VSOLVE_ENOMEM. */
int prune_cone(const vs_encoding *e, unsigned char *dead, int *contradiction);

#endif
