/* criteria.h: opam 2.1's install criteria, measured on a set of packages: the one definition that
 * both the optimiser (optimum.c) and the tests (comparing with opam's own answers) use.
 *
 * For `opam install` on a switch, opam 2.1 hands its solver (builtin mccs) the criteria
 *   -removed, -count[avoid-version,changed], -count[version-lag,request],
 *   -count[version-lag,changed], -count[missing-depexts,changed], -changed
 * minimised lexicographically, in that order. The switch's installed packages I are the
 * request's `keep` packages (a CUDF document's installed ones, an old lock's versions, solve
 * --installed); for a fresh switch I is empty. For an answer S, as mccs counts them:
 *   removed       names with a version in I and none in S;
 *   avoid         packages of S \ I flagged avoid-version (mccs's "changed" scope of count[]
 *                 is the packages of the answer that were not installed);
 *   lag_request   the sum of the version lags of the packages of S whose name is requested
 *                 (criteria_requested);
 *   lag_changed   the sum of the version lags of the packages of S \ I;
 *   depexts       0 (vsolve ignores depexts, as the shared answers were made with
 *                 OPAMNODEPEXTS=1);
 *   changed       the names whose versions in S differ from those in I (a new name, a removed
 *                 one, a version change; a name kept at its installed version costs nothing).
 *                 A name with no version in I counts its packages in S (one, except for
 *                 versions side by side: vsolve's --duplicates).
 * Condition nodes (VS_PKG_VIRTUAL) count nowhere.
 *
 * Version lag, as opam 2.1 writes it into the CUDF (checked against every shared dump): the
 * number of available versions of the same name that come after this one when the versions are
 * ordered by (avoid-version flag, version): the avoid-version versions count as newer than all
 * the others. So 4.14.0 of ocaml-base-compiler lags behind the 18 pre-releases, and a
 * pre-release only behind newer pre-releases. */
#ifndef VSOLVE_CRITERIA_H
#define VSOLVE_CRITERIA_H
#include <stdint.h>
#include "request.h"
#include "universe.h"

enum vs_criterion {
    VS_CRIT_REMOVED, VS_CRIT_AVOID, VS_CRIT_LAG_REQUEST, VS_CRIT_LAG_CHANGED, VS_CRIT_DEPEXTS,
    VS_CRIT_CHANGED, VS_CRIT_COUNT
};

/* opam's version-lag of pkg (see above). */
uint32_t criteria_lag(const vs_universe *u, uint32_t pkg);

/* Is the atom a of req "requested" for lag_request? Like opam, which drops from `opam install`
 * the atoms the switch already meets: a required atom with a name, none of whose packages is
 * installed (in req->keep). */
int criteria_requested(const vs_request *req, const vs_atom *a);

/* The criteria vector of the answer pkgs[0..n) to req (installed set: req->keep). */
void criteria_of(const vs_universe *u, const vs_request *req, const uint32_t *pkgs, size_t n,
                 uint64_t out[VS_CRIT_COUNT]);

/* Formats a vector as "(a, b, c, d, e, f)" into buf. */
void criteria_format(const uint64_t v[VS_CRIT_COUNT], char *buf, size_t size);

#endif
