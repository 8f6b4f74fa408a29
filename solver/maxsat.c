/* maxsat.c: exact minimisation of a weighted sum of literals: OLL, core-guided (maxsat.h). */
#include "maxsat.h"
#include <stdlib.h>
#include <string.h>
#include "vec.h"
#include "vsolve.h"

typedef struct soft {
    int lit;          /* assumed true while its weight is positive: the negation of a penalty */
    uint64_t w;
} soft;

typedef struct oll {
    sat *s;
    VEC(soft) softs;
    u32_vec soft_of_var;   /* variable -> soft index + 1 (0: none) */
    int_vec assume;        /* base assumptions, then the softs of the current stratum */
    int_vec core;          /* soft indexes of the current core */
    int_vec outs;          /* totalizer outputs being built */
    VEC(unsigned char) in_core;   /* per soft: in the current core (trim_core), else 0 */
    uint64_t paid;         /* paid whatever the model: a literal and its negation both penalised */
} oll;

static int add_soft(oll *o, int lit, uint64_t w)
{
    uint32_t var = (uint32_t)abs(lit) - 1;
    while (o->soft_of_var.len <= var)
        if (!vec_push(&o->soft_of_var, 0))
            return VSOLVE_ENOMEM;
    uint32_t k = o->soft_of_var.items[var];
    if (k && o->softs.items[k - 1].lit == lit) {   /* the same soft again: weights add up */
        o->softs.items[k - 1].w += w;
        return VSOLVE_OK;
    }
    if (k) {   /* the negation of a soft: one of the two is paid anyway, the rest is one soft */
        soft *sf = &o->softs.items[k - 1];
        uint64_t both = sf->w < w ? sf->w : w;
        o->paid += both;
        sf->w -= both;
        if (w > both) {
            sf->lit = lit;
            sf->w = w - both;
        }
        return VSOLVE_OK;
    }
    soft sf = { lit, w };
    if (!vec_push(&o->softs, sf))
        return VSOLVE_ENOMEM;
    o->soft_of_var.items[var] = (uint32_t)o->softs.len;
    return VSOLVE_OK;
}

static int clause3(sat *s, int a, int b, int c, size_t n)
{
    int cl[3] = { a, b, c };
    return sat_add_clause(s, cl, n) < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
}

/* A totalizer over in[0..n): writes n output literals to out, out[j] implied by "at least j+1
 * of the inputs are true" (only that direction: the outputs only ever need to be assumed
 * false). */
static int totalizer(sat *s, const int *in, size_t n, int *out)
{
    if (n == 1) {
        out[0] = in[0];
        return VSOLVE_OK;
    }
    size_t a = n / 2, b = n - a;
    int *left = malloc(n * sizeof *left);
    if (!left)
        return VSOLVE_ENOMEM;
    int *right = left + a;
    int rc = totalizer(s, in, a, left);
    if (rc == VSOLVE_OK)
        rc = totalizer(s, in + a, b, right);
    int first = (int)sat_add_vars(s, (uint32_t)n) + 1;
    for (size_t j = 0; j < n; j++)
        out[j] = first + (int)j;
    for (size_t i = 0; i <= a && rc == VSOLVE_OK; i++)
        for (size_t j = 0; j <= b && rc == VSOLVE_OK; j++) {
            if (i + j == 0)
                continue;
            int cl[3] = { 0, 0, 0 }, k = 0;
            if (i)
                cl[k++] = -left[i - 1];
            if (j)
                cl[k++] = -right[j - 1];
            cl[k++] = out[i + j - 1];
            rc = clause3(s, cl[0], cl[1], cl[2], (size_t)k);
        }
    free(left);
    return rc;
}

/* The soft of penalty literal pen, as an index + 1 (0: none, or it is no longer pen's). */
static uint32_t soft_of_penalty(const oll *o, int pen)
{
    uint32_t var = (uint32_t)abs(pen) - 1;
    uint32_t k = var < o->soft_of_var.len ? o->soft_of_var.items[var] : 0;
    return k && o->softs.items[k - 1].lit == -pen ? k : 0;
}

/* Drops from the core each soft whose penalty implies (through implies, transitively) the
 * penalty of another soft of the core: the others still make a core. */
static void trim_core(oll *o, const int *lits, const int *implies, size_t n)
{
    if (!implies || o->core.len < 2)
        return;
    for (size_t i = 0; i < o->core.len; i++)
        o->in_core.items[o->core.items[i]] = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = implies[i] >= 0 ? soft_of_penalty(o, lits[i]) : 0;
        if (!a || !o->in_core.items[a - 1])
            continue;
        for (int j = implies[i], steps = 0; j >= 0 && (size_t)j < n && steps < 1000000; j = implies[j], steps++) {
            uint32_t b = soft_of_penalty(o, lits[j]);
            if (b && b != a && o->in_core.items[b - 1] == 1) {
                o->in_core.items[a - 1] = 2;   /* dropped */
                break;
            }
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < o->core.len; i++) {
        int k = o->core.items[i];
        if (o->in_core.items[k] == 1)
            o->core.items[kept++] = k;
        o->in_core.items[k] = 0;
    }
    o->core.len = kept;
}

/* The soft assumptions among the solver's failed assumptions. */
static int read_core(oll *o)
{
    const int *failed;
    size_t k = sat_failed_assumptions(o->s, &failed);
    o->core.len = 0;
    for (size_t i = 0; i < k; i++) {
        uint32_t var = (uint32_t)abs(failed[i]) - 1;
        uint32_t idx = var < o->soft_of_var.len ? o->soft_of_var.items[var] : 0;
        if (idx && o->softs.items[idx - 1].lit == failed[i] && o->softs.items[idx - 1].w > 0 && !vec_push(&o->core, (int)(idx - 1)))
            return VSOLVE_ENOMEM;
    }
    return VSOLVE_OK;
}

static uint64_t cost_of(const sat *s, const int *lits, const uint64_t *weights, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        int v = sat_model_value(s, (uint32_t)abs(lits[i]) - 1);
        if ((lits[i] > 0) == (v != 0))
            c += weights[i];
    }
    return c;
}

int maxsat_forced(sat *s, const int *assume, size_t n_assume, const int *lits, size_t n, unsigned char *forced,
                  int max_rounds, int have_model)
{
    memset(forced, 0, n);
    int_vec a = { 0 }, cl = { 0 };
    u32_vec cand = { 0 };
    int rc = VSOLVE_OK;
    if (!vec_append(&a, assume, n_assume) || !vec_push(&a, 0))
        rc = VSOLVE_ENOMEM;
    enum sat_answer ans = rc != VSOLVE_OK ? SAT_UNKNOWN : have_model ? SAT_SAT : sat_solve(s, assume, n_assume);
    if (rc == VSOLVE_OK && ans != SAT_SAT)
        rc = ans == SAT_UNSAT ? VSOLVE_EUSAGE : VSOLVE_ENOMEM;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if ((lits[i] > 0) == (sat_model_value(s, (uint32_t)abs(lits[i]) - 1) != 0) && !vec_push(&cand, (uint32_t)i))
            rc = VSOLVE_ENOMEM;
    for (int round = 0; round < max_rounds && rc == VSOLVE_OK && cand.len; round++) {
        /* a model without one of the candidates, under a fresh activation literal */
        int act = (int)sat_add_vars(s, 1) + 1;
        cl.len = 0;
        if (!vec_push(&cl, -act)) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        for (size_t i = 0; i < cand.len; i++)
            if (!vec_push(&cl, -lits[cand.items[i]]))
                rc = VSOLVE_ENOMEM;
        if (rc != VSOLVE_OK || sat_add_clause(s, cl.items, cl.len) < 0) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        a.items[n_assume] = act;
        ans = sat_solve(s, a.items, a.len);
        int off = -act;
        if (sat_add_clause(s, &off, 1) < 0)
            rc = VSOLVE_ENOMEM;
        if (ans == SAT_UNSAT) {
            for (size_t i = 0; i < cand.len; i++)
                forced[cand.items[i]] = 1;
            break;
        }
        if (ans != SAT_SAT) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        size_t kept = 0;
        for (size_t i = 0; i < cand.len; i++) {
            int lit = lits[cand.items[i]];
            if ((lit > 0) == (sat_model_value(s, (uint32_t)abs(lit) - 1) != 0))
                cand.items[kept++] = cand.items[i];
        }
        cand.len = kept;
    }
    vec_free(&a);
    vec_free(&cl);
    vec_free(&cand);
    return rc;
}

/* Pays at once for the penalties that unit propagation from the base assumptions (and the
 * clauses so far) already makes true: each is a core of one, found without a solver call. */
static int pay_forced(oll *o, const int *assume, size_t n_assume, uint64_t *lower)
{
    size_t nvars = sat_num_vars(o->s);
    signed char *value = malloc(nvars ? nvars : 1);
    if (!value)
        return VSOLVE_ENOMEM;
    int r = sat_propagate(o->s, assume, n_assume, value);
    int rc = r < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
    for (size_t i = 0; i < o->softs.len && r == 0; i++) {
        soft *sf = &o->softs.items[i];
        int pen = -sf->lit;
        signed char v = value[abs(pen) - 1];
        if (sf->w > 0 && ((pen > 0 && v == 1) || (pen < 0 && v == -1))) {
            *lower += sf->w;
            sf->w = 0;
            if (sat_add_clause(o->s, &pen, 1) < 0) {
                rc = VSOLVE_ENOMEM;
                break;
            }
        }
    }
    free(value);
    return rc;
}

static int run(oll *o, const int *assume, size_t n_assume, const int *lits, const uint64_t *weights,
               const int *implies, size_t n, uint64_t *optimum, unsigned char *model, size_t n_model)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if (weights[i])
            rc = add_soft(o, -lits[i], weights[i]);
    if (rc != VSOLVE_OK)
        return rc;
    uint64_t lower = o->paid;
    rc = pay_forced(o, assume, n_assume, &lower);
    if (rc != VSOLVE_OK)
        return rc;
    /* The solver takes the assumptions in order, one decision level each, and stops at the
     * first that fails: the softs are given from the first soft of the last core on (then
     * from the start again), so that a call need not propagate again the softs before it,
     * which met no core the call before. Which cores come first does not change the optimum
     * nor the models that reach it. */
    size_t start = 0;
    for (;;) {
        o->assume.len = 0;
        if (!vec_append(&o->assume, assume, n_assume))
            return VSOLVE_ENOMEM;
        for (size_t k = 0; k < o->softs.len; k++) {
            size_t i = start + k < o->softs.len ? start + k : start + k - o->softs.len;
            if (o->softs.items[i].w > 0 && !vec_push(&o->assume, o->softs.items[i].lit))
                return VSOLVE_ENOMEM;
        }
        enum sat_answer a = sat_solve(o->s, o->assume.items, o->assume.len);
        if (a == SAT_SAT) {
            /* every soft holds: the cost is the lower bound, the model optimal */
            for (size_t v = 0; v < n_model; v++)
                model[v] = (unsigned char)sat_model_value(o->s, (uint32_t)v);
            *optimum = cost_of(o->s, lits, weights, n);
            if (*optimum != lower)
                return VSOLVE_EUSAGE;   /* cannot happen: the bound is exact */
            break;
        }
        if (a != SAT_UNSAT)
            return VSOLVE_ENOMEM;
        rc = read_core(o);
        if (rc != VSOLVE_OK)
            return rc;
        while (o->in_core.len < o->softs.len)
            if (!vec_push(&o->in_core, 0))
                return VSOLVE_ENOMEM;
        trim_core(o, lits, implies, n);
        if (o->core.len == 0)
            return VSOLVE_EUSAGE;   /* the base assumptions alone have no model */
        start = (size_t)o->core.items[0];
        for (size_t i = 1; i < o->core.len; i++)
            if ((size_t)o->core.items[i] < start)
                start = (size_t)o->core.items[i];
        uint64_t wmin = UINT64_MAX;
        for (size_t i = 0; i < o->core.len; i++)
            if (o->softs.items[o->core.items[i]].w < wmin)
                wmin = o->softs.items[o->core.items[i]].w;
        lower += wmin;
        for (size_t i = 0; i < o->core.len; i++)
            o->softs.items[o->core.items[i]].w -= wmin;
        if (o->core.len == 1) {   /* the penalty is unavoidable: all of its weight is paid */
            soft *sf = &o->softs.items[o->core.items[0]];
            lower += sf->w;
            sf->w = 0;
            int pen = -sf->lit;
            if (sat_add_clause(o->s, &pen, 1) < 0)
                return VSOLVE_ENOMEM;
            rc = pay_forced(o, assume, n_assume, &lower);
            if (rc != VSOLVE_OK)
                return rc;
            continue;
        }
        /* at least one of the core's penalties is paid; each further one costs wmin again */
        size_t k = o->core.len;
        o->outs.len = 0;
        if (!vec_reserve(&o->outs, 2 * k))
            return VSOLVE_ENOMEM;
        int *in = o->outs.items, *out = o->outs.items + k;
        for (size_t i = 0; i < k; i++)
            in[i] = -o->softs.items[o->core.items[i]].lit;
        rc = totalizer(o->s, in, k, out);
        for (size_t j = 1; j < k && rc == VSOLVE_OK; j++)
            rc = add_soft(o, -out[j], wmin);
        if (rc == VSOLVE_OK)
            rc = pay_forced(o, assume, n_assume, &lower);
        if (rc != VSOLVE_OK)
            return rc;
    }
    /* every soft still weighing something holds in every optimal model */
    for (size_t i = 0; i < o->softs.len; i++)
        if (o->softs.items[i].w > 0 && sat_add_clause(o->s, &o->softs.items[i].lit, 1) < 0)
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

int maxsat_minimize(sat *s, const int *assume, size_t n_assume, const int *lits, const uint64_t *weights,
                    const int *implies, size_t n, uint64_t *optimum, unsigned char *model, size_t n_model)
{
    oll o = { .s = s };
    int rc = run(&o, assume, n_assume, lits, weights, implies, n, optimum, model, n_model);
    vec_free(&o.softs);
    vec_free(&o.soft_of_var);
    vec_free(&o.assume);
    vec_free(&o.core);
    vec_free(&o.outs);
    vec_free(&o.in_core);
    return rc;
}
