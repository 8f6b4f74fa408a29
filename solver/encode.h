/* encode.h: the request's cone of the universe turned into CNF for the SAT solver. */
#ifndef VSOLVE_ENCODE_H
#define VSOLVE_ENCODE_H
#include "cone.h"
#include "request.h"
#include "sat.h"
#include "universe.h"

typedef struct vs_encoding {
    const vs_universe *u;
    const vs_request *req;
    sat *s;
    vs_cone cone;               /* its packages (cone.items, breadth-first) are the first variables */
    int_vec selectors;          /* one literal per request atom; assumed true when solving */
    int pruned;                 /* propagation left cone packages out (prune.c) */
    int plain_refusal;          /* propagation showed a refusal that explain.c states without a
                                   SAT solver (prune.c: an atom without candidates, a first
                                   atom that is a dead end): then s is lazy (sat_new_lazy), so
                                   that one unit propagation proves never loads CryptoMiniSat */
    vs_error err;               /* why encoding failed (no SAT solver: sat_new's error) */
} vs_encoding;

/* Builds the cone (available packages reachable from the request through dependency
 * providers, less those propagation shows no solution installs) and its CNF. Returns
 * VSOLVE_OK, VSOLVE_ENOMEM, or VSOLVE_EIO when CryptoMiniSat cannot be loaded (e->err says
 * why; the message is kept until encoding_free). */
int  encode_request(vs_encoding *e, const vs_universe *u, const vs_request *req);
/* The same with nothing pruned: what explaining a refusal needs, where the atoms are weighed in
 * subsets and what the whole request rules out must not count. */
int  encode_request_whole(vs_encoding *e, const vs_universe *u, const vs_request *req);
/* Only the whole cone (cone.var_of_pkg numbers it), without a solver: what reasoning about the
 * request's packages needs (explain.c), at the cost of a breadth-first walk. */
int  encode_cone(vs_encoding *e, const vs_universe *u, const vs_request *req);
void encoding_free(vs_encoding *e);

/* The dependency clauses of pkg in this request: [*first, *first + *count) of u->clauses. */
static inline void encode_clauses(const vs_encoding *e, uint32_t pkg, uint32_t *first, uint32_t *count)
{
    cone_clauses(&e->cone, pkg, first, count);
}

static inline int encode_lit(const vs_encoding *e, uint32_t pkg)
{
    return (int)e->cone.var_of_pkg[pkg] + 1;
}
static inline int encode_in_cone(const vs_encoding *e, uint32_t pkg)
{
    return cone_has(&e->cone, pkg);
}

#endif
