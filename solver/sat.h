/* sat.h: the small SAT interface the solver uses; sat.c is the only file that talks to CryptoMiniSat.
 * Literals are DIMACS-style ints: variable v (0-based) is +(v+1), its negation -(v+1). */
#ifndef VSOLVE_SAT_H
#define VSOLVE_SAT_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct sat sat;

enum sat_answer { SAT_UNSAT = 0, SAT_SAT = 1, SAT_UNKNOWN = 2 };

/* A new solver. CryptoMiniSat is loaded on the first call of the process (dlopen of the SONAME
 * the build found, sat_library()), not at start-up. NULL on failure, with *err set:
 * VSOLVE_ENOMEM, or VSOLVE_EIO "cannot load CryptoMiniSat (libcryptominisat5.so.5.11): why". */
sat *sat_new(vs_error *err);
/* The same with CryptoMiniSat from the shared object `library` (a name as dlopen takes it). */
sat *sat_new_from(const char *library, vs_error *err);
/* A solver that creates CryptoMiniSat (as sat_new does) only when a search needs it: until
 * then the variables and clauses are only kept, and sat_solve first tries unit propagation,
 * answering SAT_UNSAT without CryptoMiniSat when it reaches a conflict (a refusal that
 * propagation proves never loads the library). When CryptoMiniSat is created (a search
 * propagation does not answer, or sat_failed_assumptions), everything so far is replayed into
 * it in order, the searches propagation answered included, so that every later answer is the
 * one an eager solver given the same calls would give. If it cannot be created, sat_solve
 * answers SAT_UNKNOWN and sat_error says why. NULL when out of memory (*err set). */
sat *sat_new_lazy(vs_error *err);
/* Has CryptoMiniSat been created for s (always after sat_new)? */
int sat_loaded(const sat *s);
/* After a sat_solve that propagation answered (SAT_UNSAT, a lazy solver without CryptoMiniSat):
 * k when propagating the first k assumptions, one after the other, reaches the conflict and
 * the first k - 1 do not. CryptoMiniSat decides the assumptions in their order, and as what it
 * learns only adds to what propagates, it would never decide one after the k-th: its core
 * holds the k-th and none after it. 0 after any other answer. */
size_t sat_refuted_prefix(const sat *s);
/* Why a lazy solver could not create CryptoMiniSat (VSOLVE_EIO as sat_new says it, or
 * VSOLVE_ENOMEM), or NULL. */
const vs_error *sat_error(const sat *s);
/* The shared object sat_new opens. */
const char *sat_library(void);
void sat_free(sat *s);
/* Adds n fresh variables; returns the index of the first. */
uint32_t sat_add_vars(sat *s, uint32_t n);
uint32_t sat_num_vars(const sat *s);
/* Adds a clause; returns 0 for the empty clause, 1 otherwise, -1 on out of memory. Variables
 * and clauses reach CryptoMiniSat at the next sat_solve (all of them in one batch). */
int sat_add_clause(sat *s, const int *lits, size_t n);
/* Solves under assumptions. */
enum sat_answer sat_solve(sat *s, const int *assumptions, size_t n);
/* After SAT_SAT: the value of variable v in the model (1 true, 0 false). */
int sat_model_value(const sat *s, uint32_t v);
/* After SAT_UNSAT under assumptions: the failed assumptions (a subset, negated as CryptoMiniSat
 * reports them, converted back to the assumption literals). Valid until the next call. */
size_t sat_failed_assumptions(sat *s, const int **lits);
/* Stops every later sat_solve at the monotonic time `deadline` (seconds, as sat_now() gives;
 * 0: never): the call answers SAT_UNKNOWN and sat_timed_out becomes 1. */
void sat_set_deadline(sat *s, double deadline);
int sat_timed_out(const sat *s);
double sat_deadline(const sat *s);
double sat_now(void);
/* Unit propagation alone (no search) of the clauses added so far and the assumptions: value[v]
 * (sat_num_vars bytes) becomes 1 / -1 for the variables it sets true / false, 0 for the others.
 * Returns 0, or 1 when it reaches a conflict, -1 when out of memory. Cheap: no solver call. */
int sat_propagate(sat *s, const int *assumptions, size_t n, signed char *value);
/* The clauses added so far, in runs: clause i is (*lits)[(*start)[i] .. (*start)[i+1]).
 * Returns their number; the arrays stay valid until the next sat_add_clause. */
size_t sat_clauses(const sat *s, const int **lits, const uint32_t **start);
/* Number of solve calls so far (for statistics). */
uint64_t sat_solve_calls(const sat *s);

#endif
