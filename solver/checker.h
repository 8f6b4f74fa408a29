/* checker.h: independent verification of a solution against the universe (no SAT, no encoder). */
#ifndef VSOLVE_CHECKER_H
#define VSOLVE_CHECKER_H
#include <stddef.h>
#include "request.h"
#include "universe.h"

/* Checks that installing exactly pkgs[0..n) satisfies the request: every atom has an installed
 * match; every installed package is available, has every dependency clause met, conflicts with
 * nothing installed; every exclusion group has at most one installed member.
 * Returns the number of violations; when msg is non-NULL, the first few are described there. */
size_t check_solution(const vs_universe *u, const vs_request *req, const uint32_t *pkgs, size_t n,
                      char *msg, size_t msg_size);

#endif
