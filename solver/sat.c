/* sat.c: the adapter between vsolve's sat.h and CryptoMiniSat's C API (the only user of it). */
#include "sat.h"
#include <cryptominisat5/cryptominisat_c.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vec.h"

/* CryptoMiniSat is not linked in: each sat object opens the shared object with dlopen and looks
 * up the functions below with dlsym, so that a process which needs no SAT solver (--version,
 * index, npm solves) never pays for loading and relocating it and libstdc++ (2.3 M of the 2.5 M
 * instructions `vsolve --version` took: bench/README.md). The header still gives their types.
 * The first dlopen of a process loads the library; RTLD_NODELETE keeps it loaded after the last
 * sat_free, so that the later ones (a refusal's explanation, a sweep's workers) only count a
 * reference: the dynamic linker holds that state, vsolve holds none. VSOLVE_CMS_LIBRARY is the
 * SONAME of the library the build found (CMakeLists.txt). */
#ifndef VSOLVE_CMS_LIBRARY
#error "VSOLVE_CMS_LIBRARY (CryptoMiniSat's SONAME) must come from the build"
#endif
#define CMS_FUNCTIONS(X) X(new) X(free) X(nvars) X(add_clause) X(new_vars) X(solve) \
    X(solve_with_assumptions) X(get_model) X(get_conflict) X(set_num_threads) X(set_verbosity) \
    X(set_default_polarity) X(set_no_simplify) X(set_no_simplify_at_startup) X(set_max_time)

typedef struct cms_api {
    void *lib;   /* dlopen's handle */
#define CMS_FIELD(name) __typeof__(cmsat_##name) *name;
    CMS_FUNCTIONS(CMS_FIELD)
#undef CMS_FIELD
} cms_api;

struct sat {
    cms_api cms_fn;
    SATSolver *cms;
    /* the clauses, literals in runs: clause i is lits[start[i] .. start[i+1]); read by
     * sat_propagate and sat_clauses, and handed to CryptoMiniSat in batches (cms_flush) */
    int_vec lits;
    u32_vec start;
    uint32_t nvars;        /* variables added so far; CryptoMiniSat has cms_vars of them */
    uint32_t cms_vars;
    size_t cms_clauses;    /* clauses [0, cms_clauses) are in CryptoMiniSat */
    /* sat_propagate's state, kept between calls with the same assumptions (clauses are only
     * ever added, so what propagates stays propagated): per literal (lit_index) the clauses
     * holding it, for the clauses [0, done_clauses); per such clause its false literals */
    VEC(u32_vec) occ;
    u32_vec nfalse;
    size_t done_clauses;
    signed char *val;      /* per variable: 1 true, -1 false, 0 open */
    size_t val_len;
    int_vec assumed, queue;
    int conflict, prop_ready;
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

/* Opens `library` and resolves every function of CMS_FUNCTIONS into *api. */
static int cms_load(cms_api *api, const char *library, vs_error *err)
{
    const char *missing = NULL;
    dlerror();   /* clears an earlier failure's message */
    api->lib = dlopen(library, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
    if (api->lib) {
        /* dlsym's void * to a function pointer: what POSIX requires to work */
#define CMS_RESOLVE(name) \
        if (!missing && !(api->name = (__typeof__(api->name))dlsym(api->lib, "cmsat_" #name))) \
            missing = "cmsat_" #name;
        CMS_FUNCTIONS(CMS_RESOLVE)
#undef CMS_RESOLVE
        if (!missing)
            return VSOLVE_OK;
    }
    const char *why = dlerror();
    vs_error_set(err, VSOLVE_EIO, "cannot load CryptoMiniSat (%s): %s%s", library, why ? why : "no symbol ",
                 why ? "" : missing);
    if (api->lib)
        dlclose(api->lib);
    api->lib = NULL;
    return VSOLVE_EIO;
}

sat *sat_new_from(const char *library, vs_error *err)
{
    sat *s = calloc(1, sizeof *s);
    if (!s) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    if (cms_load(&s->cms_fn, library, err) != VSOLVE_OK) {
        free(s);
        return NULL;
    }
    const cms_api *f = &s->cms_fn;
    if (!(s->cms = f->new())) {
        dlclose(f->lib);
        free(s);
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    f->set_num_threads(s->cms, 1);
    f->set_verbosity(s->cms, 0);
    /* Preference is implemented with assumptions; a false default polarity makes the
     * first model install as little as possible. */
    f->set_default_polarity(s->cms, 0);
    /* Package problems are easy but solved many times under assumptions: CryptoMiniSat's
     * (in)processing costs more than it saves here. */
    f->set_no_simplify(s->cms);
    f->set_no_simplify_at_startup(s->cms);
    return s;
}

sat *sat_new(vs_error *err) { return sat_new_from(VSOLVE_CMS_LIBRARY, err); }

const char *sat_library(void) { return VSOLVE_CMS_LIBRARY; }

void sat_free(sat *s)
{
    if (!s)
        return;
    s->cms_fn.free(s->cms);
    dlclose(s->cms_fn.lib);
    vec_free(&s->lits);
    vec_free(&s->start);
    for (size_t l = 0; l < s->occ.len; l++)
        vec_free(&s->occ.items[l]);
    vec_free(&s->occ);
    vec_free(&s->nfalse);
    free(s->val);
    vec_free(&s->assumed);
    vec_free(&s->queue);
    vec_free(&s->buf);
    vec_free(&s->failed);
    free(s);
}

uint32_t sat_add_vars(sat *s, uint32_t n)
{
    uint32_t first = s->nvars;
    s->nvars += n;
    return first;
}

uint32_t sat_num_vars(const sat *s) { return s->nvars; }

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
    if (s->start.len == 0 && !vec_push(&s->start, 0))
        return -1;
    if (!vec_append(&s->lits, lits, n) || !vec_push(&s->start, (uint32_t)s->lits.len))
        return -1;
    return n ? 1 : 0;
}

/* Hands CryptoMiniSat the variables and clauses added since the last call: the variables in one
 * new_vars call, then the clauses in the order they were added. CryptoMiniSat resizes its
 * per-variable arrays on each new_vars that a clause follows (about 20,000 instructions each
 * with 30,000 variables), so an encoding that adds its auxiliary variables one at a time
 * between its clauses (encode.c's range literals) paid that hundreds of times. The solver ends
 * in the same state as when each call went through at once: the same variables, inserted into
 * its variable order in the same order, and the same clauses in the same order, which is what
 * its models and failed-assumption cores depend on. */
static int cms_flush(sat *s)
{
    if (s->nvars > s->cms_vars) {
        s->cms_fn.new_vars(s->cms, s->nvars - s->cms_vars);
        s->cms_vars = s->nvars;
    }
    size_t nclauses = s->start.len ? s->start.len - 1 : 0;
    for (; s->cms_clauses < nclauses; s->cms_clauses++) {
        uint32_t from = s->start.items[s->cms_clauses], to = s->start.items[s->cms_clauses + 1];
        if (convert(s, s->lits.items + from, to - from) < 0)
            return -1;
        s->cms_fn.add_clause(s->cms, s->buf.items, to - from);
    }
    return 0;
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
    if (cms_flush(s) < 0 || convert(s, assumptions, n) < 0)
        return SAT_UNKNOWN;
    if (s->deadline > 0) {   /* CryptoMiniSat stops a search past max_time seconds */
        double left = s->deadline - sat_now();
        if (left <= 0) {
            s->timed_out = 1;
            s->model.vals = NULL;
            s->model.num_vals = 0;
            return SAT_UNKNOWN;
        }
        s->cms_fn.set_max_time(s->cms, left);
    }
    s->calls++;
    c_lbool r = n ? s->cms_fn.solve_with_assumptions(s->cms, s->buf.items, n) : s->cms_fn.solve(s->cms);
    if (r.x == L_TRUE) {
        s->model = s->cms_fn.get_model(s->cms);
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
    slice_Lit c = s->cms_fn.get_conflict(s->cms);
    s->failed.len = 0;
    if (vec_reserve(&s->failed, c.num_vals ? c.num_vals : 1)) {
        for (size_t i = 0; i < c.num_vals; i++)
            s->failed.items[s->failed.len++] = -from_cms(c.vals[i]);
    }
    *lits = s->failed.items;
    return s->failed.len;
}

uint64_t sat_solve_calls(const sat *s) { return s->calls; }

size_t sat_clauses(const sat *s, const int **lits, const uint32_t **start)
{
    *lits = s->lits.items;
    *start = s->start.items;
    return s->start.len ? s->start.len - 1 : 0;
}

static size_t lit_index(int lit)
{
    return 2 * ((size_t)abs(lit) - 1) + (lit < 0);
}

static int lit_value(const sat *s, int lit)
{
    signed char v = s->val[abs(lit) - 1];
    return lit > 0 ? v : -v;
}

/* Starts the propagation state afresh under the given assumptions. */
static int prop_reset(sat *s, const int *assumptions, size_t n)
{
    for (size_t l = 0; l < s->occ.len; l++)
        s->occ.items[l].len = 0;
    if (s->val_len)
        memset(s->val, 0, s->val_len);
    s->nfalse.len = 0;
    s->done_clauses = 0;
    s->conflict = 0;
    s->queue.len = 0;
    s->assumed.len = 0;
    if (!vec_append(&s->assumed, assumptions, n) || !vec_append(&s->queue, assumptions, n))
        return -1;
    s->prop_ready = 1;
    return 0;
}

/* Adds the clauses added since to the occurrence lists, queueing their units. */
static int prop_integrate(sat *s)
{
    size_t nclauses = s->start.len ? s->start.len - 1 : 0;
    for (size_t c = s->done_clauses; c < nclauses; c++) {
        uint32_t from = s->start.items[c], to = s->start.items[c + 1], nf = 0;
        int unit = 0, satisfied = 0;
        for (uint32_t j = from; j < to; j++) {
            int l = s->lits.items[j];
            if (!vec_push(&s->occ.items[lit_index(l)], (uint32_t)c))
                return -1;
            int v = lit_value(s, l);
            nf += v < 0;
            satisfied |= v > 0;
            if (v == 0)
                unit = l;
        }
        if (!vec_push(&s->nfalse, nf))
            return -1;
        if (satisfied)
            continue;
        if (nf == to - from)
            s->conflict = 1;
        else if (nf + 1 == to - from && !vec_push(&s->queue, unit))
            return -1;
    }
    s->done_clauses = nclauses;
    return 0;
}

int sat_propagate(sat *s, const int *assumptions, size_t n, signed char *value)
{
    size_t nvars = s->nvars;
    if (nvars > s->val_len) {   /* new variables: unassigned */
        signed char *v = realloc(s->val, nvars);
        if (!v)
            return -1;
        memset(v + s->val_len, 0, nvars - s->val_len);
        s->val = v;
        s->val_len = nvars;
    }
    while (s->occ.len < 2 * nvars) {
        u32_vec empty = { 0 };
        if (!vec_push(&s->occ, empty))
            return -1;
    }
    int same = s->prop_ready && s->assumed.len == n &&
               (n == 0 || memcmp(s->assumed.items, assumptions, n * sizeof *assumptions) == 0);
    if (!same && prop_reset(s, assumptions, n) < 0)
        return -1;
    if (prop_integrate(s) < 0)
        return -1;
    for (size_t head = 0; head < s->queue.len && !s->conflict; head++) {
        int lit = s->queue.items[head];
        int v = lit_value(s, lit);
        if (v > 0)
            continue;
        if (v < 0) {
            s->conflict = 1;
            break;
        }
        s->val[abs(lit) - 1] = lit > 0 ? 1 : -1;
        const u32_vec *o = &s->occ.items[lit_index(-lit)];   /* clauses losing a literal */
        for (size_t k = 0; k < o->len; k++) {
            uint32_t c = o->items[k];
            uint32_t size = s->start.items[c + 1] - s->start.items[c];
            if (++s->nfalse.items[c] + 1 < size)
                continue;
            int unit = 0, satisfied = 0;
            for (uint32_t j = s->start.items[c]; j < s->start.items[c + 1] && !satisfied; j++) {
                int w = lit_value(s, s->lits.items[j]);
                satisfied = w > 0;
                if (w == 0)
                    unit = s->lits.items[j];
            }
            if (satisfied)
                continue;
            if (!unit) {
                s->conflict = 1;
                break;
            }
            if (!vec_push(&s->queue, unit))
                return -1;
        }
    }
    s->queue.len = 0;
    memcpy(value, s->val, nvars);
    return s->conflict;
}
