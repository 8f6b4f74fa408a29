/* quick.h: a small goal-directed DPLL (no learning) over a fixed CNF that looks for a model
 * making one literal true, within a conflict budget: the sweep's fast path, before a full
 * CryptoMiniSat call. Every model it reports is checked against the clauses it touches. */
#ifndef VSOLVE_QUICK_H
#define VSOLVE_QUICK_H
#include <stddef.h>
#include <stdint.h>
#include "vec.h"

typedef struct quick quick;

/* Builds the search state for clauses in runs (clause i is lits[start[i] .. start[i+1]),
 * DIMACS literals over nvars variables). The arrays are copied. NULL when out of memory. */
quick *quick_new(const int *lits, const uint32_t *start, size_t nclauses, uint32_t nvars);
void quick_free(quick *q);

/* Looks for an assignment satisfying every clause with lit true, where the variables the
 * search leaves open count as false (a package not chosen is not installed). Returns 1 when it
 * finds one (kept: quick_extend can add to it); 0 when it gives up (more than budget
 * conflicts, or no model: the caller asks a complete solver); -1 when out of memory. */
int quick_begin(quick *q, int lit, uint32_t budget);
/* After quick_begin found a model: makes lit true as well, keeping the literals made true so
 * far (1), or leaves the model as it was when that fails within budget conflicts (0); -1 when
 * out of memory. */
int quick_extend(quick *q, int lit, uint32_t budget);
/* The model's true variables (0-based, in the order set): 1 once the model is checked against
 * the clauses, 0 if the check fails (then trust none of them), -1 when out of memory. */
int quick_trues(const quick *q, u32_vec *trues);
/* Drops the model; quick_begin does it too. */
void quick_end(quick *q);

#endif
