/* duplicates.h: solving with duplicate versions allowed (`--duplicates`): the one-version-per-name
 * rule becomes soft for packages that can be vendored, so that a request no single-version
 * answer satisfies can hold two versions of a name side by side (the dune backend renames the
 * extra copies, backends/dune_rename.h).
 *
 * Semantics. A name is duplicable unless it stays single: the names given by the caller (provided
 * packages), the compiler (ocaml, ocaml-base-compiler, ocaml-system, ocaml-variants,
 * ocaml-config, ocaml-compiler, ocaml-options-*), dune and jbuilder, base-*, conf-*, host-*; and
 * when the universe has a `dune` package, a version that does not depend on dune never sits
 * beside another version of its name (opam-monorepo vendors only dune-built packages). A dependent uses one copy of each name: its
 * dependency clauses naming one name only are intersected into one clause per name (`stub {>= 1}`
 * and `stub {< 2}` mean one copy in [1, 2)), and the copy it uses meets all of them. Conflicts,
 * conflict classes and the slots of single names stay hard.
 *
 * Order of preference (VS_DUP_MIN): a single-version answer when one exists (then the answer is
 * exactly what vs_solve gives); otherwise the fewest names with several versions, then the
 * fewest extra copies, then the usual preferences (policy.c). Each count is minimised exactly
 * with SAT calls under a sequential-counter bound, so it costs as much as the single-version
 * problem in the worst case (deciding whether 0 names suffice is that problem).
 *
 * The polynomial path (VS_DUP_FAST): when the cone has no conflict, no conflict class and no
 * single name with two versions, any request whose every dependency has an installable
 * provider is satisfiable with duplicates, and a propagation-only pass finds an answer without
 * search: mark dead every package with a dependency no live package provides, until nothing
 * changes; then install from the request, reusing an installed provider where one meets the
 * dependency and taking the newest live one otherwise. No counts are minimised. When the cone
 * does not qualify, VS_DUP_FAST falls back to VS_DUP_MIN (fast_path = 0 says so). */
#ifndef VSOLVE_DUPLICATES_H
#define VSOLVE_DUPLICATES_H
#include "request.h"
#include "solve.h"
#include "universe.h"

enum vs_dup_mode { VS_DUP_OFF = 0, VS_DUP_MIN = 1, VS_DUP_FAST = 2 };

typedef struct vs_dup_options {
    int mode;                       /* enum vs_dup_mode */
    const char *const *single;      /* more names that stay single (provided packages) */
    size_t n_single;
} vs_dup_options;

typedef struct vs_dup_copy {
    uint32_t pkg;                   /* an installed version of a name installed several times */
    int renamed;                    /* 0: the newest copy, keeps the name; 1: renamed NAME_vVERSION */
    uint32_t users_first, users_count;   /* into vs_dup_result.users: the dependents (package
                                        ids, VS_NONE for a request atom) that use this copy */
} vs_dup_copy;

typedef struct vs_dup_result {
    uint32_t dup_names;             /* names with more than one version installed */
    uint32_t extra_copies;          /* installed versions beyond one per name */
    int fast_path;                  /* answered by the propagation-only pass */
    int single_version;             /* a single-version answer existed (vs_solve's answer) */
    VEC(vs_dup_copy) copies;        /* every version of a duplicated name, by name then version */
    u32_vec users;
    u32_vec edge_from, edge_to;     /* the solution graph: for each installed package and each of
                                       its dependencies, the installed provider it uses */
} vs_dup_result;

void dup_result_free(vs_dup_result *r);

/* The name of a renamed copy: NAME_vVERSION, the version's characters other than letters,
 * digits and '_' as '_' (the dune backend's rule, backends/dune_rename.h). Truncated to size. */
void dup_copy_name(const char *name, const char *version, char *out, size_t size);
/* The copy record of installed package pkg, or NULL when its name is installed once. */
const vs_dup_copy *dup_copy_of(const vs_dup_result *r, uint32_t pkg);

/* Solves req over u with duplicates allowed as o says (o->mode VS_DUP_OFF: vs_solve). Fills s
 * as vs_solve does (both copies of a name are in s->pkgs) and r. Returns s->status. A refusal's
 * explanation says that even duplicates do not help, and why. */
int vs_solve_duplicates(vs_universe *u, const vs_request *req, const vs_dup_options *o, vs_solution *s,
                        vs_dup_result *r);

/* Checks a duplicates answer against u alone: every atom met, every installed package available,
 * every dependency met by one installed copy meeting all the package's constraints on that name,
 * no conflict, at most one member of every group other than a duplicable name's slot. Returns
 * 1 when it holds; otherwise 0 with the first violation in msg. */
int dup_check(const vs_universe *u, const vs_request *req, const vs_dup_options *o, const u32_vec *pkgs,
              char *msg, size_t msg_size);

#endif
