/* explain.h: plain-words explanations of an unsatisfiable request. */
#ifndef VSOLVE_EXPLAIN_H
#define VSOLVE_EXPLAIN_H
#include "encode.h"

/* Builds the explanation for an encoding whose request has no model. Returns a malloc'd
 * string (NULL when out of memory). Costs a few SAT calls on the request atoms only (a
 * deletion-based minimal set of atoms that cannot hold together), never an exponential search. */
char *explain_unsat(vs_encoding *e);

#endif
