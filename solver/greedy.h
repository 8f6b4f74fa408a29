/* greedy.h: answering a request without the SAT solver when taking every dependency's
 * preferred provider gives a consistent set (cargo's resolver would never backtrack). */
#ifndef VSOLVE_GREEDY_H
#define VSOLVE_GREEDY_H
#include "request.h"
#include "solve.h"
#include "universe.h"

/* The closure of req's atoms under "install each applying clause's preferred provider":
 * starting from each atom's preferred package, every clause of every installed package (its
 * root variant when its name is requested; a clause with a cond once cond is installed, to a
 * fixed point) installs its preferred provider, even when another installed package satisfies
 * it already. The preferred provider of a list is the newest available one (VS_PKG_UNAVAILABLE
 * never; within a name a higher id is a newer version, ids are unique so there is no tie) that
 * is not VS_PKG_AVOID: cargo's candidate order, newest first, with resolver 3 those needing a
 * newer Rust last. owner (may be NULL, as for graph_build) maps a virtual package (a cargo
 * feature node) to the real package it belongs to, whose flags then count as its own: a
 * feature of a yanked version is no candidate either.
 *
 * The closure is the answer (*answered = 1, s filled as vs_solve fills it: pkgs in id order,
 * pulled_by / pulled_by_atom as solve_record_reasons records them, status VSOLVE_OK, no SAT
 * call) only when it is consistent: every group (slot, links) has at most one member installed,
 * no conflict pair is installed, every applying clause and atom has exactly one installed
 * provider. Otherwise, and whenever the rule does not cover the request (kept packages, a
 * forbidding atom, clauses still pending, a list with no available provider or only avoided
 * ones, providers of several names), *answered = 0 and s is untouched: the caller solves.
 * Returns VSOLVE_OK or VSOLVE_ENOMEM. */
int greedy_solve(const vs_universe *u, const vs_request *req, const uint32_t *owner, vs_solution *s, int *answered);

#endif
