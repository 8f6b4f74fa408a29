/* testcase_npm.h: an npm ideal tree as a universe, request and answer (for a neutral test case). */
#ifndef VSOLVE_TESTCASE_NPM_H
#define VSOLVE_TESTCASE_NPM_H
#include "npm_tree.h"
#include "testcase.h"

/* Fills u (freshly initialised; sorted on return), req and s (s->pkgs: the tree's packages,
 * status VSOLVE_OK) from the tree t: see testcase_npm.c for how edges become clauses. */
int testcase_npm_problem(const npm_tree *t, vs_universe *u, vs_request *req, vs_solution *s, vs_error *err);

#endif
