/* testcase.h: solver test cases as YAML files: a universe, a request and the full expected answer.
 *
 * Two forms of universe. The neutral one says what vsolve's universe holds, for any ecosystem:
 *
 *   description: a dependency on one of two providers
 *   ecosystem: cargo                    # version order: opam (default), cargo, npm or cudf
 *   universe:                           # NAME: { VERSION: BODY }; BODY may be {} or empty
 *     app:
 *       "1.0.0":
 *         depends:                      # clauses: DESC: PROVIDERS, PROVIDERS = { NAME: [VERSION...] }
 *           - "lib ^1": { lib: [ "1.0.0", "1.2.0" ] }
 *           - clause: "lib?json"        # long form: a conditional clause (applies only with `if`)
 *             if: { lib: [ "1.2.0" ] }
 *             providers: { json: [ "0.3.0" ] }
 *         root-depends: [ ... ]         # the clauses when the package is itself requested
 *         conflicts: { old-lib: [ "0.9.0" ] }
 *         flags: [ avoid, unavailable, virtual ]
 *         attrs: { checksum: "..." }    # free strings, for the attribute store (unavailable-because: a refusal shows it)
 *   groups:                             # at most one of the members; a slot is a version line
 *     - { group: "lib 1.x", slot: true, members: { lib: [ "1.0.0", "1.2.0" ] } }
 *   slots: per-name                     # or: one slot per name (opam's rule), made for you
 *   request:                            # atoms, in order
 *     - "app": { app: [ "1.0.0" ] }     # DESC: the packages that satisfy it
 *     - { atom: "remove x", forbid: { x: [ "1" ] } }
 *     - "lwt>=5"                        # an opam atom (ecosystem opam only), resolved on reading
 *   preference: newest-first            # optional: opam (opam's criteria, the default for
 *                                       # ecosystem opam) or newest-first (the others' default)
 *   keep: { lib: [ "1.0.0" ] }          # packages kept where possible (installed, locked)
 *   solution: { app: [ "1.0.0" ], lib: [ "1.2.0" ] }   # every chosen package, virtual ones too
 *   # or instead:
 *   explanation: |                     # the refusal's full text
 *     ...
 *
 * The opam form gives the packages as opam file bodies (read by the opam adapter):
 *
 *   env: { os: linux }                  # optional opam variables
 *   packages:                           # NAME.VERSION: the body of its opam file
 *     a.1.0: 'depends: [ "b" {>= "2"} ]'
 *     b.2.0: ""
 *   request: [ a ]
 *   solution: [ a.1.0, b.2.0 ]          # NAME.VERSION, any order (or the mapping above)
 *   unsat: [ "b" ]                      # older cases: phrases the explanation must contain
 *
 * The expectation (solution, explanation or unsat) comes last, so that a runner can rewrite it
 * (testcase_rewrite) as libsolv's `testsolv -r` does.
 */
#ifndef VSOLVE_TESTCASE_H
#define VSOLVE_TESTCASE_H
#include <stdio.h>
#include "arena.h"
#include "error.h"
#include "request.h"
#include "solve.h"
#include "opam_repo.h"

typedef enum tc_ecosystem { TC_OPAM, TC_CARGO, TC_NPM, TC_CUDF } tc_ecosystem;

/* A reference to a package: NAME and VERSION, with the position of the version (or name). */
typedef struct tc_ref {
    const char *name, *version;
    unsigned line, col;
} tc_ref;

/* A set of packages written { NAME: [VERSION...] }; a NAME may come with no version. */
typedef struct tc_set {
    tc_ref *refs;                /* version NULL: the name alone (an empty list) */
    size_t n;
    unsigned line, col;
} tc_set;

typedef struct tc_clause {
    const char *desc;
    tc_set providers;
    int conditional;
    tc_ref cond;
} tc_clause;

typedef struct tc_attr {
    const char *key, *value;
} tc_attr;

typedef struct tc_package {
    const char *name, *version;
    unsigned line, col;
    uint32_t flags;              /* enum vs_pkg_flags (avoid, unavailable, virtual) */
    tc_clause *depends;
    size_t n_depends;
    int root_variant;            /* root-depends given (possibly empty) */
    tc_clause *root_depends;
    size_t n_root_depends;
    tc_set conflicts;
    tc_attr *attrs;              /* into the attribute store (a refusal reads unavailable-because) */
    size_t n_attrs;
} tc_package;

typedef struct tc_group {
    const char *desc;
    int slot;
    tc_set members;
} tc_group;

typedef struct tc_atom {
    const char *desc;
    int forbid;
    int resolved;                /* 0: desc is an opam atom, resolved when building */
    tc_set pkgs;
    unsigned line, col;
} tc_atom;

typedef enum tc_expect { TC_EXPECT_SOLUTION, TC_EXPECT_EXPLANATION, TC_EXPECT_PHRASES } tc_expect;

typedef struct testcase {
    arena mem;
    const char *path;
    const char *description;
    tc_ecosystem ecosystem;
    int opam_form;               /* packages: opam file bodies */
    opam_var *env;               /* opam form: name/value pairs */
    size_t n_env;
    opam_memory_file *packages;  /* opam form */
    size_t n_packages;
    tc_package *universe;        /* neutral form */
    size_t n_universe;
    tc_group *groups;
    size_t n_groups;
    int slot_per_name;
    tc_atom *request;
    size_t n_request;
    int preference;              /* enum vs_preference, or -1: the ecosystem's default */
    tc_set keep;
    tc_expect expect;
    tc_set solution;             /* TC_EXPECT_SOLUTION */
    const char *explanation;     /* TC_EXPECT_EXPLANATION */
    const char **phrases;        /* TC_EXPECT_PHRASES */
    size_t n_phrases;
    unsigned expect_line;        /* line of the expectation's key (1-based) */
    int expect_last;             /* the expectation is the document's last key */
    int solution_as_list;        /* solution written [ NAME.VERSION ... ] */
} testcase;

/* Reads a test case; errors carry file:line:col, and after one tc holds nothing to free. */
int  testcase_read(testcase *tc, const char *path, vs_error *err);
/* The same from len bytes at data (a case held in memory), errors named after name. */
int  testcase_read_buffer(testcase *tc, const char *name, const char *data, size_t len, vs_error *err);
void testcase_free(testcase *tc);

/* Loads the case's universe and request (u and req must be freshly initialised); errors about
 * the case (a reference to no package) carry file:line:col. */
int testcase_build(const testcase *tc, vs_universe *u, vs_request *req, vs_error *err);

/* Runs the case: solves, re-checks the answer with the checker, compares with the expectation.
 * Returns 1 when it passes; otherwise 0 with the reason in msg. */
int testcase_run(const testcase *tc, char *msg, size_t msg_size);

/* Replaces the case file's expectation with what vsolve answers now (the expectation must be the
 * file's last key; everything above it is kept byte for byte). *changed tells whether the file
 * changed. The file is replaced whole or not at all. */
int testcase_rewrite(const testcase *tc, int *changed, vs_error *err);

/* Writes a test case in the neutral form for (u, req, solution): every version of each name the
 * request's whole cone touches (through its packages, their providers, conflicts and
 * conditions, and the atoms), the clauses and conflicts of the cone's packages, the groups
 * restricted to the dumped packages, the request's atoms and kept packages, and the answer as
 * the expectation. Any UTF-8 string round-trips (bytes that are not UTF-8 are written \xNN and
 * read back as U+00NN). */
int testcase_write(FILE *out, const vs_universe *u, const vs_request *req, const vs_solution *s,
                   tc_ecosystem ecosystem, const char *description);

/* Writes the expectation for s (last in a case file): a solution (as NAME.VERSION list when
 * as_list) or the explanation's full text. */
int testcase_write_answer(FILE *out, const vs_universe *u, const vs_solution *s, int as_list);

/* Writes s as a YAML double-quoted scalar that reads back to the same string. */
void testcase_yaml_quoted(FILE *out, const char *s);

/* The version order of an ecosystem (as its adapter sorts). */
int (*testcase_version_order(tc_ecosystem eco))(const char *a, const char *b);
const char *testcase_ecosystem_name(tc_ecosystem eco);

#endif
