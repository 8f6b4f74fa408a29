/* maxsat.h: minimising a weighted sum of literals on a SAT solver, exactly (core-guided). */
#ifndef VSOLVE_MAXSAT_H
#define VSOLVE_MAXSAT_H
#include <stddef.h>
#include <stdint.h>
#include "sat.h"

/* Minimises sum weights[i] * [lits[i] is true] over the models of s under the assumptions
 * assume[0..n_assume), which must have a model. On VSOLVE_OK: *optimum is the minimum; model
 * (n_model bytes, variables 0..n_model-1) holds an optimal model; and s holds clauses that
 * keep every later model at that minimum (and allow every model that reaches it), so that a
 * second objective can be minimised next, lexicographically. Literals may repeat (their weights
 * add up); weights of 0 are ignored.
 *
 * The method is OLL (Morgado, Dodaro, Marques-Silva 2014), core-guided: assume every penalty
 * literal false; each unsatisfiable core of k penalties raises the lower bound by its lightest
 * weight and is replaced by a totalizer counting its penalties, "at most 1 of them" becoming a
 * new soft assumption at that weight, "at most 2" and so on. The first model that meets every
 * soft assumption meets the lower bound: it is optimal. Penalties that unit propagation alone
 * already forces (a core of one each) are paid without a solver call. At the end every soft
 * assumption left with a positive weight holds in all optimal models and becomes a clause.
 *
 * implies (NULL: none) may say which penalties imply which by the clauses of s: implies[i] = j
 * when lits[i] true makes lits[j] true (j != i), else -1. A core holding both keeps only j
 * (assuming j's penalty false already assumes i's false): smaller cores, fewer calls. */
int maxsat_minimize(sat *s, const int *assume, size_t n_assume, const int *lits, const uint64_t *weights,
                    const int *implies, size_t n, uint64_t *optimum, unsigned char *model, size_t n_model);

/* Which of lits[0..n) hold in every model of s under assume (which must have one): forced[i]
 * = 1 for those. One solver call for a first model (none with have_model: the solver's last
 * call found a model of its clauses as they are now, under assume), then one per model found
 * that lacks one of the candidates left (at most max_rounds); candidates still open after that
 * are reported 0. */
int maxsat_forced(sat *s, const int *assume, size_t n_assume, const int *lits, size_t n, unsigned char *forced,
                  int max_rounds, int have_model);

#endif
