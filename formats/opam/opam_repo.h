/* opam_repo.h: the opam adapter: an opam repository (directory or .tar.gz) into the universe,
 * and opam request atoms ("lwt", "lwt.5.6.1", "lwt>=5.0") into request atoms. */
#ifndef VSOLVE_OPAM_REPO_H
#define VSOLVE_OPAM_REPO_H
#include "request.h"
#include "universe.h"
#include "opam_filter.h"

/* Bumped whenever the adapter turns the same files into a different universe, so that universe
 * caches built by an older vsolve are rebuilt. */
#define OPAM_ADAPTER_REVISION 5u   /* 4: the reason of each unavailable package (attr "unavailable-because");
                                      5: also as data ("unavailable-formula", "unavailable-value") */

typedef struct opam_load_stats {
    size_t files;          /* opam files read */
    size_t packages;       /* package versions in the universe */
    size_t available;      /* of which available on this platform */
} opam_load_stats;

/* Reads every packages/NAME/NAME.VERSION/opam under `path` and builds `u` (which must be freshly
 * initialised): availability from `available` with `vars`, avoid-version flags, dependencies
 * from `depends` (filtered as `opam install` does: build and post dependencies kept, test,
 * doc and dev-setup ones dropped unless the variables say otherwise), conflicts, one version
 * per name, and conflict-class groups. depopts never constrain an install and are not read. */
int opam_load_repository(vs_universe *u, const char *path, const opam_vars *vars,
                         opam_load_stats *stats, vs_error *err);

/* How to treat a malformed opam file (syntax, or a package directory not named NAME.VERSION):
 * strict refuses the whole repository (the error, FILE:LINE:COL); otherwise the package is
 * left out, as opam does, warn (if set) gets the error's message, and skipped counts them.
 * When every file is malformed, the first error stands. */
typedef struct opam_load_options {
    int strict;
    void (*warn)(void *user, const char *message);
    void *user;
    size_t skipped;          /* out */
    uint64_t max_inflate;    /* the most a .tar.gz repository inflates to (0: REPO_MAX_INFLATE_DEFAULT) */
} opam_load_options;

/* opam_load_repository with options (NULL: strict, as opam_load_repository is). */
int opam_load_repository_opts(vs_universe *u, const char *path, const opam_vars *vars, opam_load_options *opt,
                              opam_load_stats *stats, vs_error *err);

/* One opam file given in memory (test cases, embedders without a repository on disk). */
typedef struct opam_memory_file {
    const char *name, *version;
    const char *text;        /* the opam file, NUL-terminated */
    const char *filename;    /* for error messages; NULL for "<memory>" */
} opam_memory_file;

/* Like opam_load_repository, from files in memory. */
int opam_load_memory(vs_universe *u, const opam_memory_file *files, size_t n, const opam_vars *vars,
                     opam_load_stats *stats, vs_error *err);

/* Parses one opam atom: NAME, NAME.VERSION, or NAME OP VERSION with OP one of = != < <= > >=
 * and adds it to req. Unknown names are kept (they make the request unsatisfiable with a clear
 * message). Malformed atoms are VSOLVE_EBADINPUT. */
int opam_add_request_atom(vs_universe *u, vs_request *req, const char *atom, vs_error *err);

/* Turns a dependency formula (depends or depopts syntax) of a package that is not in u (a
 * project root) into CNF clauses over u's packages, filtered with vars as opam does (with the
 * package's own name and version for `name` and `version`). Each clause goes to emit with its
 * description ("lwt >= 5.0 | lwt_ppx"), the single atom's text when the clause has one atom
 * (NULL otherwise), and its providers. VSOLVE_OK, emit's error, or an error of the formula. */
typedef int (*opam_clause_fn)(void *user, const char *desc, const char *single, const uint32_t *pkgs, size_t n);
int opam_formula_clauses(vs_universe *u, const opam_node *formula, const opam_vars *vars, const char *pkg_name,
                         const char *pkg_version, const char *filename, opam_clause_fn emit, void *user,
                         vs_error *err);

#endif
