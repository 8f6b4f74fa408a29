/* testutil.h: helpers shared by the test suites: locating the source tree and the shared corpora. */
#ifndef VSOLVE_TESTUTIL_H
#define VSOLVE_TESTUTIL_H
#include <stddef.h>
#include "graph.h"
#include "json.h"

/* Path of a file in the source tree (static buffer rotation: valid for a few calls). */
const char *test_source_path(const char *relative);

/* The shared corpora directory ($VSOLVE_CORPORA, default <source>/../shared/corpora).
 * When it is missing: returns NULL after printing a "SKIP ... how to get the data" line,
 * unless CI=true, where a missing corpus fails the calling test. */
const char *test_corpora(const char *what);

/* Path under the corpora directory (valid until the next call). */
const char *test_corpus_path(const char *relative);
/* The same for a file that must be in the corpus: aborts the test when the corpus is there
 * without it (NULL, after a SKIP line, when there is no corpus at all). */
const char *test_corpus_file(const char *relative);

/* Reads a whole file into malloc'd memory, NUL-terminated; fails the test if unreadable. */
char *test_read_file(const char *path, size_t *len);
/* A file's contents (malloc'd, NUL-terminated), or a copy of `missing` when it cannot be opened
 * (NULL: NULL). */
char *test_slurp(const char *path, const char *missing);

/* A repo_source_walk callback: writes the member path (data, len) under the directory `user`,
 * creating its folders (a directory member: nothing). VSOLVE_OK, or VSOLVE_EIO. */
int test_extract_member(void *user, const char *path, const char *data, size_t len);
/* rm -rf dir; fails the test when that fails. */
void test_remove_dir(const char *dir);
/* Runs `cmd` through the shell, stdout and stderr together; returns its output (malloc'd) and
 * its exit status in *status (-1 when it did not exit). */
char *test_run_cmd(const char *cmd, int *status);



/* Path under the shared peers directory (<corpora>/../peers), or NULL when it is absent
 * (not an error: comparisons with peers are then reported as skipped). */
const char *test_peers_path(const char *relative);
/* A shared JSON table (an array of rows) under the corpora, parsed into a; *text holds the file
 * (free it). NULL (after a SKIP line) when the corpus is absent; fails the test if malformed
 * or empty. */
const json_value *test_load_table(arena *a, const char *relative, char **text);

/* The i-th element of a row, which must be a string. */
const char *test_string_at(const json_value *row, size_t i);

/* Builds u and req (initialised here) from a test case in the YAML form of tests/cases (see
 * formats/testcase/testcase.h), given as text; fails the test on any error. */
struct vs_universe;
struct vs_request;
void test_build_case(const char *yaml, struct vs_universe *u, struct vs_request *req);
/* The package NAME at VERSION of u; fails the test when there is none. */
unsigned test_pkg(const struct vs_universe *u, const char *name, const char *version);

/* Re-checks a solution graph independently of graph.c: nodes are the real chosen packages in
 * order; every applicable clause of a node's package (root variant for requested names) and of
 * the chosen virtual packages it owns has exactly one edge, to the node owning the clause's
 * highest chosen provider (none when that is the node itself); deps are the edges' distinct
 * targets, ascending. owner may be NULL. Fails the test otherwise; returns the edge count. */
size_t test_check_graph(const vs_universe *u, const vs_request *req, const vs_solution *s, const uint32_t *owner,
                        const vs_graph *g);

#endif
