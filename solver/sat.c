/* sat.c: the adapter between vsolve's sat.h and CryptoMiniSat's C API (the only user of it). */
#include "sat.h"
#include <cryptominisat5/cryptominisat_c.h>
#include <stdlib.h>
#include <string.h>
#include "vec.h"

struct sat {
    SATSolver *cms;
    /* a copy of the clauses, for sat_propagate: literals in runs, clause i is
     * lits[start[i] .. start[i+1]) */
    int_vec lits;
    u32_vec start;
    /* occurrence lists built by sat_propagate: for literal l (index lit_index(l)), the clauses
     * holding l, in occ[occ_start[l] .. occ_start[l+1]); built for clauses [0, occ_clauses) */
    u32_vec occ, occ_start;
    size_t occ_clauses;
    u32_vec nfalse;        /* per clause: literals false so far (sat_propagate) */
    int_vec trail;
    VEC(c_Lit) buf;        /* conversion buffer for clauses and assumptions */
    int_vec failed;       /* failed assumptions of the last UNSAT answer */
    slice_lbool model;     /* valid after SAT_SAT until the next solve */
    uint64_t calls;
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
    vec_free(&s->lits);
    vec_free(&s->start);
    vec_free(&s->occ);
    vec_free(&s->occ_start);
    vec_free(&s->nfalse);
    vec_free(&s->trail);
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
    if (s->start.len == 0 && !vec_push(&s->start, 0))
        return -1;
    if (!vec_append(&s->lits, lits, n) || !vec_push(&s->start, (uint32_t)s->lits.len))
        return -1;
    return cmsat_add_clause(s->cms, s->buf.items, n) ? 1 : 0;
}

enum sat_answer sat_solve(sat *s, const int *assumptions, size_t n)
{
    if (convert(s, assumptions, n) < 0)
        return SAT_UNKNOWN;
    s->calls++;
    c_lbool r = n ? cmsat_solve_with_assumptions(s->cms, s->buf.items, n) : cmsat_solve(s->cms);
    if (r.x == L_TRUE) {
        s->model = cmsat_get_model(s->cms);
        return SAT_SAT;
    }
    s->model.vals = NULL;
    s->model.num_vals = 0;
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

static size_t lit_index(int lit)
{
    return 2 * ((size_t)abs(lit) - 1) + (lit < 0);
}

/* (Re)builds the occurrence lists when clauses were added since. */
static int build_occ(sat *s, size_t nvars)
{
    size_t nclauses = s->start.len ? s->start.len - 1 : 0;
    if (s->occ_clauses == nclauses && s->occ_start.len == 2 * nvars + 1)
        return 0;
    s->occ_start.len = 0;
    if (!vec_reserve(&s->occ_start, 2 * nvars + 1))
        return -1;
    s->occ_start.len = 2 * nvars + 1;
    memset(s->occ_start.items, 0, s->occ_start.len * sizeof *s->occ_start.items);
    for (size_t i = 0; i < s->lits.len; i++)
        s->occ_start.items[lit_index(s->lits.items[i]) + 1]++;
    for (size_t l = 0; l < 2 * nvars; l++)
        s->occ_start.items[l + 1] += s->occ_start.items[l];
    s->occ.len = 0;
    if (!vec_reserve(&s->occ, s->lits.len ? s->lits.len : 1))
        return -1;
    s->occ.len = s->lits.len;
    u32_vec fill = { 0 };
    if (!vec_append(&fill, s->occ_start.items, 2 * nvars)) {
        vec_free(&fill);
        return -1;
    }
    for (size_t c = 0; c < nclauses; c++)
        for (uint32_t k = s->start.items[c]; k < s->start.items[c + 1]; k++)
            s->occ.items[fill.items[lit_index(s->lits.items[k])]++] = (uint32_t)c;
    vec_free(&fill);
    s->occ_clauses = nclauses;
    return 0;
}

int sat_propagate(sat *s, const int *assumptions, size_t n, signed char *value)
{
    size_t nvars = cmsat_nvars(s->cms);
    size_t nclauses = s->start.len ? s->start.len - 1 : 0;
    if (build_occ(s, nvars) < 0)
        return -1;
    memset(value, 0, nvars);
    s->nfalse.len = 0;
    if (!vec_reserve(&s->nfalse, nclauses ? nclauses : 1))
        return -1;
    s->nfalse.len = nclauses;
    memset(s->nfalse.items, 0, nclauses * sizeof *s->nfalse.items);
    s->trail.len = 0;
    /* units and assumptions first */
    for (size_t c = 0; c < nclauses; c++)
        if (s->start.items[c + 1] - s->start.items[c] == 1 && !vec_push(&s->trail, s->lits.items[s->start.items[c]]))
            return -1;
        else if (s->start.items[c + 1] == s->start.items[c])
            return 1;
    if (!vec_append(&s->trail, assumptions, n))
        return -1;
    /* assign the pending literals of the trail; a literal already false is a conflict */
    for (size_t i = 0; i < s->trail.len; i++) {
        int lit = s->trail.items[i];
        uint32_t v = (uint32_t)abs(lit) - 1;
        signed char want = lit > 0 ? 1 : -1;
        if (v >= nvars)
            continue;
        if (value[v] == -want)
            return 1;
        if (value[v] == want) {   /* twice on the trail: drop the copy */
            s->trail.items[i] = 0;
            continue;
        }
        value[v] = want;
        /* clauses with the negation of lit lose a literal */
        size_t nl = lit_index(-lit);
        for (uint32_t k = s->occ_start.items[nl]; k < s->occ_start.items[nl + 1]; k++) {
            uint32_t c = s->occ.items[k];
            uint32_t size = s->start.items[c + 1] - s->start.items[c];
            if (++s->nfalse.items[c] + 1 < size)
                continue;
            /* one literal left unfalsified (or none): find it */
            int unit = 0, satisfied = 0;
            for (uint32_t j = s->start.items[c]; j < s->start.items[c + 1]; j++) {
                int l = s->lits.items[j];
                signed char val = value[abs(l) - 1];
                if ((l > 0 && val == 1) || (l < 0 && val == -1))
                    satisfied = 1;
                else if (val == 0)
                    unit = l;
            }
            if (satisfied)
                continue;
            if (!unit)
                return 1;
            if (!vec_push(&s->trail, unit))
                return -1;
        }
    }
    return 0;
}
