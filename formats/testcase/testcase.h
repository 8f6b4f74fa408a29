/* testcase.h: solver test cases as YAML files: a small opam universe, a request, and the
 * expected answer (a solution, or a refusal whose explanation mentions given phrases).
 *
 *   description: newest version of a requested package
 *   env: { os: linux }                  # optional opam variables
 *   packages:                           # NAME.VERSION: the body of its opam file
 *     a.1.0: 'depends: [ "b" ]'
 *     a.2.0: |
 *       depends: [ "b" {>= "2"} ]
 *     b.2.0: ""
 *   request: [ a ]
 *   preference: newest-first            # optional; opam's criteria by default, as the CLI
 *   solution: [ a.2.0, b.2.0 ]          # expected, any order
 *   # or instead:
 *   unsat: [ "b" ]                      # phrases the explanation must contain
 */
#ifndef VSOLVE_TESTCASE_H
#define VSOLVE_TESTCASE_H
#include <stdio.h>
#include "arena.h"
#include "error.h"
#include "request.h"
#include "solve.h"
#include "opam_repo.h"

typedef struct testcase {
    arena mem;
    const char *path;
    const char *description;
    opam_var *env;               /* name/value pairs */
    size_t n_env;
    opam_memory_file *packages;
    size_t n_packages;
    const char **request;
    size_t n_request;
    int preference;              /* enum vs_preference (VS_PREFER_OPAM_CRITERIA unless given) */
    int expect_unsat;            /* 1: expect a refusal */
    const char **expected;       /* NAME.VERSION lines, or phrases when expect_unsat */
    size_t n_expected;
} testcase;

/* Reads a test case; errors carry file:line:col. */
int  testcase_read(testcase *tc, const char *path, vs_error *err);
void testcase_free(testcase *tc);

/* Loads the case's universe and request (u and req must be freshly initialised). */
int testcase_build(const testcase *tc, vs_universe *u, vs_request *req, vs_error *err);

/* Runs the case: solves, re-checks the answer with the checker, compares with the expectation.
 * Returns 1 when it passes; otherwise 0 with the reason in msg. */
int testcase_run(const testcase *tc, char *msg, size_t msg_size);

/* Writes a test case for (u, req, solution): the request's cone as opam files (dependencies
 * rewritten as explicit version alternatives), the atoms, and the answer as the expectation. */
int testcase_write(FILE *out, const vs_universe *u, const vs_request *req, const vs_solution *s,
                   const char *description);

#endif
