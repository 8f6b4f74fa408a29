/* solve.h: from a universe and a request to a solution (or an explanation of why there is none). */
#ifndef VSOLVE_SOLVE_H
#define VSOLVE_SOLVE_H
#include "request.h"
#include "universe.h"

typedef struct vs_solution {
    int status;                 /* VSOLVE_OK, VSOLVE_UNSAT, or an error code */
    u32_vec pkgs;         /* chosen packages, sorted by name then version */
    u32_vec pulled_by;    /* parallel to pkgs: the dependent that pulled it in, or VS_NONE
                                   when a request atom did (then see pulled_by_atom) */
    u32_vec pulled_by_atom;  /* parallel: request atom index, or VS_NONE */
    char *explanation;          /* VSOLVE_UNSAT: malloc'd plain-words text; VSOLVE_ETIMEOUT,
                                   VSOLVE_EIO (no SAT solver): what went wrong */
    u32_vec clash;        /* VSOLVE_UNSAT: the request atoms the explanation names (indexes) */
    u32_vec unavailable;  /* VSOLVE_UNSAT: the unavailable packages whose available formula the
                             explanation shows, each once, in the order shown */
    size_t cone_size;           /* packages considered */
    uint64_t sat_calls;
    int solver_loaded;          /* CryptoMiniSat was created for the request's encoding (0 when
                                   unit propagation proved the refusal: sat_new_lazy) */
} vs_solution;

void solution_init(vs_solution *s);
void solution_free(vs_solution *s);

/* Solves req over u. Returns s->status. The clauses req can reach must be present
 * (request_need_clauses); an unsatisfiable request reads u's pending clause descriptions for
 * the explanation (on a failure to read them, s->explanation says why). VSOLVE_EIO when
 * CryptoMiniSat cannot be loaded (s->explanation says why). */
int vs_solve(vs_universe *u, const vs_request *req, vs_solution *s);

/* Fills s->pkgs / pulled_by / pulled_by_atom from a model of e (indexed by cone position):
 * breadth-first from the request, the first installed package to reach another pulled it in. */
struct vs_encoding;
int solve_record_reasons(const struct vs_encoding *e, const unsigned char *model, vs_solution *s);

#endif
