/* opam_monorepo.h: locking an opam project for a monorepo build (MirageOS 4, opam-monorepo):
 * the project's roots solved against the repository under the monorepo rules, each chosen
 * package vendored (its source goes into duniverse/) or provided (the switch or the system
 * supplies it), and the lock that records it.
 *
 * The rules are constraints of the build, so they are part of the request the SAT solver sees,
 * each with its reason (a refusal names the rule and the packages):
 *   1. one source, one release: vendored packages that share a dev-repo come from one archive
 *      (same url and checksums): for each two vendored candidates of one dev-repo with
 *      different names and different archives, a pair that cannot both be installed (one
 *      VS_ATOM_PAIRS atom per dev-repo: every bound of every package is respected; when no
 *      release of the group fits them all, the refusal names the group);
 *   2. vendored packages build with dune (opam-monorepo's test: depends names dune or
 *      jbuilder); a version that does not, or has no checksum (a lock without one is not
 *      reproducible), is forbidden unless its name is provided (a forbidding atom that says so);
 *      with auto_provide such versions are allowed and become provided instead;
 *   3. provided packages are closed downwards: what a provided package depends on (its chosen
 *      providers) is provided too. The provided set depends on the versions chosen, so the
 *      request is solved again with the grown set until it no longer grows (it only grows, and
 *      every step only loosens rules 1 and 2);
 *   4. the compiler (ocaml, ocaml-base-compiler, ocaml-system, ocaml-variants, ocaml-config,
 *      ocaml-compiler, ocaml-option(s)-*) and dune (also jbuilder and opam-monorepo's other
 *      build tools: ocamlbuild, ocamlmod, oasis, ocamlify) are always provided;
 *   5. packages without sources are provided: conf-*, base-*, host-arch-*, host-system-*, and
 *      any version without a url (virtual packages).
 * The roots are not in the repository: their depends (filtered with the caller's variables, so
 * with-test / with-doc apply to them only) become the request's atoms; their depopts restrict
 * the versions of those packages when they are installed (opam's rule); a repository package
 * with a root's name is never chosen. */
#ifndef VSOLVE_OPAM_MONOREPO_H
#define VSOLVE_OPAM_MONOREPO_H
#include "lock.h"
#include "opam_filter.h"
#include "opam_project.h"
#include "universe.h"

typedef struct opam_lock_options {
    const char *const *provided;   /* "NAME" or "NAME=VERSION" (also NAME.VERSION) */
    size_t n_provided;
    const char *provided_file;     /* one NAME.VERSION, NAME=VERSION, NAME VERSION or NAME a line, # comments */
    int auto_provide;              /* whatever cannot be vendored is provided (with what it needs) */
    const char *old_lock;          /* an existing .opam.locked: keep its versions where they fit */
    const char *fingerprint;       /* the repository's fingerprint for the lock (hex) */
    int duplicates;                /* enum vs_dup_mode: several versions of a vendored name may
                                      be locked, the extra ones as renamed copies */
} opam_lock_options;

typedef struct opam_lock_outcome {
    int status;           /* VSOLVE_OK or VSOLVE_UNSAT */
    char *explanation;    /* VSOLVE_UNSAT: why (malloc'd) */
    char *notes;          /* what changed against old_lock, warnings (malloc'd, may be "") */
    size_t solves;        /* how many times the request was solved (rule 3's fixpoint) */
} opam_lock_outcome;

void opam_lock_outcome_free(opam_lock_outcome *o);

/* Solves the project under the rules and fills lock (lock_init'ed by the caller). vars: the
 * variables the universe was read with plus the root switches (with-test, ...). Returns
 * VSOLVE_OK (out->status says whether a lock was made), or an error (bad --provided, an
 * unreadable old lock, a universe without package attributes, out of memory). */
int opam_monorepo_lock(vs_universe *u, const opam_project *proj, const opam_vars *vars,
                       const opam_lock_options *o, vs_lock *lock, opam_lock_outcome *out, vs_error *err);

/* The directory name opam-monorepo gives a dev-repo's sources: the last path component of the
 * URL without what follows its first dot ("git+https://github.com/mirage/ocaml-dns.git" ->
 * "ocaml-dns"), into buf; 0 when the URL has none. */
int opam_dev_repo_dir(const char *dev_repo, char *buf, size_t size);

#endif
