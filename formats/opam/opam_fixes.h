/* opam_fixes.h: fixes for a refused opam request: the smallest edits of its atoms, as the user
 * wrote them, that make it solvable, each verified by solving again. */
#ifndef VSOLVE_OPAM_FIXES_H
#define VSOLVE_OPAM_FIXES_H
#include <stddef.h>
#include "solve.h"
#include "universe.h"

/* One fix: n edits (1 or 2) of the request's atoms, applied together: drop atom old[k]
 * (replacement[k] NULL), or replace it with replacement[k]. */
typedef struct opam_fix {
    size_t n;
    char *old[2];
    char *replacement[2];
    char *text;          /* the fix in words */
} opam_fix;

typedef struct opam_fixes {
    opam_fix *items;
    size_t len;
} opam_fixes;

/* For a refusal (refusal->status VSOLVE_UNSAT, its clash naming atoms of atoms[0..n)), finds up
 * to `max` fixes, smallest first: for each atom of the clash in turn, relax it (the atom on the
 * same name with the newest version that fits the other atoms: `X>=2` becomes `X>=1.6`, `X.2`
 * becomes `X.1.6`; for a name that does not exist, the nearest names), then drop it. When no
 * single edit works (the request holds two clashes), pairs: an atom of the clash and one of the
 * clash that remains without it, both relaxed (the first at the newest version that fits the
 * atoms but the two, then the second at the newest that fits the others with the first
 * relaxed), then both dropped. Each fix is kept only when the request it makes
 * solves. The clauses of what the edited requests reach are read from u as needed. Past
 * `deadline` (deadline.h; 0: none) the search stops with VSOLVE_ETIMEOUT (out holds what was
 * found; free it). */
int opam_find_fixes(vs_universe *u, const char *const *atoms, size_t n, const vs_solution *refusal, size_t max,
                    double deadline, opam_fixes *out);
void opam_fixes_free(opam_fixes *f);

#endif
