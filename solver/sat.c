/* sat.c: the adapter between vsolve's sat.h and CryptoMiniSat's C API (the only user of it). */
#include "sat.h"
#include <cryptominisat5/cryptominisat_c.h>
#include <stdlib.h>
#include <time.h>
#include "vec.h"

struct sat {
    SATSolver *cms;
    VEC(c_Lit) buf;        /* conversion buffer for clauses and assumptions */
    int_vec failed;       /* failed assumptions of the last UNSAT answer */
    slice_lbool model;     /* valid after SAT_SAT until the next solve */
    uint64_t calls;
    double deadline;       /* sat_now() seconds, or 0 */
    int timed_out;
};

static c_Lit to_cms(int lit)
{
    uint32_t v = (uint32_t)(lit > 0 ? lit : -lit) - 1;
    c_Lit l = { .x = (v << 1) | (lit < 0 ? 1u : 0u) };
    return l;
}

static int from_cms(c_Lit l)
{
    int v = (int)(l.x >> 1) + 1;
    return (l.x & 1u) ? -v : v;
}

sat *sat_new(void)
{
    sat *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cms = cmsat_new();
    if (!s->cms) {
        free(s);
        return NULL;
    }
    cmsat_set_num_threads(s->cms, 1);
    cmsat_set_verbosity(s->cms, 0);
    /* Preference is implemented with assumptions; a false default polarity makes the
     * first model install as little as possible. */
    cmsat_set_default_polarity(s->cms, 0);
    /* Package problems are easy but solved many times under assumptions: CryptoMiniSat's
     * (in)processing costs more than it saves here. */
    cmsat_set_no_simplify(s->cms);
    cmsat_set_no_simplify_at_startup(s->cms);
    return s;
}

void sat_free(sat *s)
{
    if (!s)
        return;
    cmsat_free(s->cms);
    vec_free(&s->buf);
    vec_free(&s->failed);
    free(s);
}

uint32_t sat_add_vars(sat *s, uint32_t n)
{
    uint32_t first = cmsat_nvars(s->cms);
    if (n)
        cmsat_new_vars(s->cms, n);
    return first;
}

uint32_t sat_num_vars(const sat *s) { return cmsat_nvars(s->cms); }

static int convert(sat *s, const int *lits, size_t n)
{
    s->buf.len = 0;
    if (!vec_reserve(&s->buf, n ? n : 1))
        return -1;
    for (size_t i = 0; i < n; i++)
        s->buf.items[i] = to_cms(lits[i]);
    s->buf.len = n;
    return 0;
}

int sat_add_clause(sat *s, const int *lits, size_t n)
{
    if (convert(s, lits, n) < 0)
        return -1;
    return cmsat_add_clause(s->cms, s->buf.items, n) ? 1 : 0;
}

double sat_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void sat_set_deadline(sat *s, double deadline) { s->deadline = deadline; }
int sat_timed_out(const sat *s) { return s->timed_out; }
double sat_deadline(const sat *s) { return s->deadline; }

enum sat_answer sat_solve(sat *s, const int *assumptions, size_t n)
{
    if (convert(s, assumptions, n) < 0)
        return SAT_UNKNOWN;
    if (s->deadline > 0) {   /* CryptoMiniSat stops a search past max_time seconds */
        double left = s->deadline - sat_now();
        if (left <= 0) {
            s->timed_out = 1;
            s->model.vals = NULL;
            s->model.num_vals = 0;
            return SAT_UNKNOWN;
        }
        cmsat_set_max_time(s->cms, left);
    }
    s->calls++;
    c_lbool r = n ? cmsat_solve_with_assumptions(s->cms, s->buf.items, n) : cmsat_solve(s->cms);
    if (r.x == L_TRUE) {
        s->model = cmsat_get_model(s->cms);
        return SAT_SAT;
    }
    s->model.vals = NULL;
    s->model.num_vals = 0;
    if (r.x != L_FALSE && s->deadline > 0)
        s->timed_out = 1;
    return r.x == L_FALSE ? SAT_UNSAT : SAT_UNKNOWN;
}

int sat_model_value(const sat *s, uint32_t v)
{
    return v < s->model.num_vals && s->model.vals[v].x == L_TRUE;
}

size_t sat_failed_assumptions(sat *s, const int **lits)
{
    slice_Lit c = cmsat_get_conflict(s->cms);
    s->failed.len = 0;
    if (vec_reserve(&s->failed, c.num_vals ? c.num_vals : 1)) {
        for (size_t i = 0; i < c.num_vals; i++)
            s->failed.items[s->failed.len++] = -from_cms(c.vals[i]);
    }
    *lits = s->failed.items;
    return s->failed.len;
}

uint64_t sat_solve_calls(const sat *s) { return s->calls; }
