/* policy.h: choosing, among all solutions, the one users expect: newest first (cargo's resolver,
 * npm, CUDF, and opam with --preference newest-first), or opam's criteria exactly (opam). */
#ifndef VSOLVE_POLICY_H
#define VSOLVE_POLICY_H
#include "encode.h"

/* Starting from a satisfiable encoding, fixes preferences one at a time with assumptions, in
 * opam's order of criteria for `opam install`:
 *   0. keep the request's `keep` packages (installed or locked) where possible;
 *   1. no avoid-version package unless needed;
 *   2. the requested packages as new as possible (in request order);
 *   3. every other installed package as new as possible (breadth-first from the request;
 *      a dependency whose providers span several version lines of a name, cargo semver
 *      ranges, first takes the highest line that works for it, and keeps it), and a lower
 *      version line of a name dropped where a higher one serves instead;
 *   4. nothing installed that nothing needs.
 * Each step is greedy: it keeps what earlier steps fixed and never revisits it, so the answer
 * can be worse on opam's own criteria than policy_opam_criteria's (3 of the 54 shared requests).
 * This is VS_PREFER_NEWEST_FIRST. On return, `model` (indexed by cone position) holds the chosen packages. */
int policy_optimize(vs_encoding *e, unsigned char *model);

/* opam's own choice (optimum.c): opam 2.1's install criteria (criteria.h) minimised exactly,
 * one after the other, then a canonical tie-break. Same contract as policy_optimize. */
int policy_opam_criteria(vs_encoding *e, unsigned char *model);

#endif
