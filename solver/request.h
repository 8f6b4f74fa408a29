/* request.h: what the user asks for: atoms, each a clause "one of these packages is installed". */
#ifndef VSOLVE_REQUEST_H
#define VSOLVE_REQUEST_H
#include <stdint.h>
#include "universe.h"

typedef struct vs_atom {
    uint32_t desc;          /* string id: the atom as the user wrote it, e.g. "mirage>=4.2.0" */
    uint32_t name;          /* name index, or VS_NONE when no package has that name */
    uint32_t first, count;  /* matching packages (available or not) in vs_request.ids */
    int forbid;             /* VS_ATOM_REQUIRE: one of them is installed; VS_ATOM_FORBID: none
                               of them is (CUDF remove); VS_ATOM_PAIRS: the ids are pairs (a, b)
                               of which never both are installed (a rule of the request, e.g. the
                               monorepo's "one source, one release", named when it refuses) */
    int not_root;           /* a requirement of a project root that is not in the universe (opam
                               lock): its names are not requested themselves, so their root
                               variants (--with-test) do not apply */
} vs_atom;

/* How an answer is chosen among all that satisfy the request (policy.h). */
enum vs_preference {
    VS_PREFER_NEWEST_FIRST = 0,   /* each package as new as possible in turn, from the request out */
    VS_PREFER_OPAM_CRITERIA = 1,  /* opam 2.1's install criteria, minimised exactly */
    VS_PREFER_ANY = 2             /* any answer (the first model): checking that a request solves */
};
enum { VS_ATOM_REQUIRE = 0, VS_ATOM_FORBID = 1, VS_ATOM_PAIRS = 2 };

typedef struct vs_request {
    VEC(vs_atom) atoms;
    u32_vec ids;
    u32_vec keep;           /* packages to keep if possible: installed ones (CUDF), locked
                               versions (lock files); tried before every other preference */
    double time_limit;      /* seconds the solve may take, 0: no limit (vs_solve stops with
                               VSOLVE_ETIMEOUT past it) */
    double deadline;        /* or the end of the whole call it is part of (deadline.h), 0: none;
                               the earlier of the two applies */
    int preference;         /* enum vs_preference */
    int status_only;        /* a refusal without its explanation: only whether it solves */
    int version_runs;       /* encode a dependency that neighbouring versions of a slot share as
                               one clause over the run (encode.c): fewer clauses, the same
                               solutions, but other models, so answers that ties leave to the
                               models (CUDF's newest-first) could change: cargo only */
    const uint32_t *owner;  /* or NULL: package -> the real package a virtual one belongs to
                               (VS_NONE: none, or real); cargo's features (policy.c) */
} vs_request;

void request_init(vs_request *r);
void request_free(vs_request *r);
/* Marks in roots[name] (sized universe.names.len, zeroed by the caller) the requested names. */
void request_mark_roots(const vs_request *r, unsigned char *roots);
/* Adds an atom that forbids pkgs[0..n): none of them may be installed. */
int  request_forbid(vs_request *r, uint32_t desc, uint32_t name, const uint32_t *pkgs, size_t n);
/* Asks to keep pkg installed if the request allows it (a soft preference). */
int  request_keep(vs_request *r, uint32_t pkg);
int  request_add_atom(vs_request *r, uint32_t desc, uint32_t name, const uint32_t *pkgs, size_t n);
/* Adds a rule atom: for each i < n_pairs, pairs[2i] and pairs[2i+1] are not both installed.
 * desc says why (shown when the rule takes part in a refusal). */
int  request_add_pairs(vs_request *r, uint32_t desc, const uint32_t *pairs, size_t n_pairs);
/* Reads the pending clauses a solve of r can reach (universe_need_cone from its atoms and kept
 * packages), after universe_need_versions of its atoms' names. VSOLVE_OK or the reader's error. */
int  request_need_clauses(vs_universe *u, const vs_request *r, vs_error *err);

#endif
