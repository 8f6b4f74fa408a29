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
#define CMS_FUNCTIONS(X) X(new) X(free) X(add_clause) X(new_vars) X(solve) \
    X(solve_with_assumptions) X(get_model) X(get_conflict) X(set_num_threads) X(set_verbosity) \
    X(set_default_polarity) X(set_no_simplify) X(set_no_simplify_at_startup) X(set_max_time)

typedef struct cms_api {
    void *lib;   /* dlopen's handle */
#define CMS_FIELD(name) __typeof__(cmsat_##name) *name;
    CMS_FUNCTIONS(CMS_FIELD)
#undef CMS_FIELD
} cms_api;

/* A search a lazy solver (sat_new_lazy) answered by propagation before CryptoMiniSat was
 * created, for the replay: made with nvars variables and clauses [0, clause), under the
 * assumptions logged[first .. first + n). */
typedef struct sat_event {
    uint32_t clause, nvars, first, n;
} sat_event;

struct sat {
    cms_api cms_fn;
    SATSolver *cms;        /* NULL while a lazy solver has not needed it */
    /* the clauses, literals in runs: clause i is lits[start[i] .. start[i+1]); read by
     * sat_propagate and sat_clauses, and handed to CryptoMiniSat in batches (cms_flush) */
    int_vec lits;
    u32_vec start;
    uint32_t nvars;        /* variables added so far; CryptoMiniSat has cms_vars of them */
    uint32_t cms_vars;
    size_t cms_clauses;    /* clauses [0, cms_clauses) are in CryptoMiniSat */
    /* sat_new_lazy: the library to load at the first search that needs it, the searches to
     * replay, why loading failed */
    const char *library;
    VEC(sat_event) events;
    int_vec logged;
    int lazy_oom;          /* a search could not be logged: the replay would be wrong */
    vs_error load_err;
    /* sat_propagate's state. Per literal (lit_index) the clauses [0, occ_clauses) holding it,
     * as a list through flat arrays: occurrence k is of clause occ_clause[k], the next one
     * occ_next[k] (VS_OCC_END ends it); occ_first / occ_last per literal. The lists hold for
     * any assumptions; the rest is kept between calls with the same assumptions (clauses are
     * only ever added, so what propagates stays propagated): per clause of [0, done_clauses)
     * its false literals */
    u32_vec occ_first, occ_last, occ_clause, occ_next;
    size_t occ_clauses;
    u32_vec nfalse;
    size_t done_clauses;
    signed char *val;      /* per variable: 1 true, -1 false, 0 open */
    size_t val_len;
    int_vec assumed, queue;
    size_t next_assumed;   /* assumptions propagated so far: [0, next_assumed) */
    int conflict, prop_ready;
    size_t conflict_at;    /* the assumptions propagated when the conflict was reached */
    size_t refuted;        /* sat_refuted_prefix */
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
    if (s->cms) {
        s->cms_fn.free(s->cms);
        dlclose(s->cms_fn.lib);
    }
    vec_free(&s->events);
    vec_free(&s->logged);
    vec_free(&s->lits);
    vec_free(&s->start);
    vec_free(&s->occ_first);
    vec_free(&s->occ_last);
    vec_free(&s->occ_clause);
    vec_free(&s->occ_next);
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
static int cms_flush_to(sat *s, uint32_t nvars, size_t nclauses)
{
    if (nvars > s->cms_vars) {
        s->cms_fn.new_vars(s->cms, nvars - s->cms_vars);
        s->cms_vars = nvars;
    }
    for (; s->cms_clauses < nclauses; s->cms_clauses++) {
        uint32_t from = s->start.items[s->cms_clauses], to = s->start.items[s->cms_clauses + 1];
        if (convert(s, s->lits.items + from, to - from) < 0)
            return -1;
        s->cms_fn.add_clause(s->cms, s->buf.items, to - from);
    }
    return 0;
}

static size_t num_clauses(const sat *s) { return s->start.len ? s->start.len - 1 : 0; }

static int cms_flush(sat *s) { return cms_flush_to(s, s->nvars, num_clauses(s)); }

sat *sat_new_lazy(vs_error *err)
{
    sat *s = calloc(1, sizeof *s);
    if (!s) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    s->library = VSOLVE_CMS_LIBRARY;
    vs_error_clear(&s->load_err);
    return s;
}

/* Creates a lazy solver's CryptoMiniSat (as sat_new_from does) and replays into it the searches
 * propagation answered, each after the variables and clauses that came before it, handed over
 * as cms_flush would have at that search: afterwards it is the solver an eager sat given the
 * same calls holds (the rest reaches it at the next sat_solve). 0, or -1 with s->load_err. */
static int lazy_load(sat *s)
{
    if (s->load_err.code != VSOLVE_OK)
        return -1;
    if (s->lazy_oom) {
        vs_error_set(&s->load_err, VSOLVE_ENOMEM, "out of memory");
        return -1;
    }
    sat *t = sat_new_from(s->library, &s->load_err);
    if (!t)
        return -1;
    s->cms_fn = t->cms_fn;
    s->cms = t->cms;
    free(t);   /* its vectors are empty */
    for (size_t k = 0; k < s->events.len; k++) {
        const sat_event *e = &s->events.items[k];
        if (cms_flush_to(s, e->nvars, e->clause) < 0 || convert(s, s->logged.items + e->first, e->n) < 0) {
            vs_error_set(&s->load_err, VSOLVE_ENOMEM, "out of memory");
            return -1;
        }
        if (s->deadline > 0 && s->deadline - sat_now() > 0)
            s->cms_fn.set_max_time(s->cms, s->deadline - sat_now());
        if (e->n)
            s->cms_fn.solve_with_assumptions(s->cms, s->buf.items, e->n);
        else
            s->cms_fn.solve(s->cms);
    }
    vec_free(&s->events);
    vec_free(&s->logged);
    return 0;
}

int sat_loaded(const sat *s) { return s->cms != NULL; }

size_t sat_refuted_prefix(const sat *s) { return s->refuted; }

const vs_error *sat_error(const sat *s) { return s->load_err.code != VSOLVE_OK ? &s->load_err : NULL; }

double sat_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void sat_set_deadline(sat *s, double deadline) { s->deadline = deadline; }
int sat_timed_out(const sat *s) { return s->timed_out; }
double sat_deadline(const sat *s) { return s->deadline; }

static int propagate(sat *s, const int *assumptions, size_t n, int exact_levels);

/* A lazy solver's search before CryptoMiniSat exists: SAT_UNSAT when unit propagation reaches
 * a conflict (logged for the replay), else SAT_UNKNOWN after creating CryptoMiniSat (or failing
 * to: then s->load_err says why), which is to answer. */
static enum sat_answer lazy_solve(sat *s, const int *assumptions, size_t n)
{
    int r = propagate(s, assumptions, n, 1);
    if (r == 1) {
        sat_event e = { .clause = (uint32_t)num_clauses(s), .nvars = s->nvars, .first = (uint32_t)s->logged.len,
                        .n = (uint32_t)n };
        if (!vec_append(&s->logged, assumptions, n) || !vec_push(&s->events, e))
            s->lazy_oom = 1;
        s->calls++;
        s->refuted = s->conflict_at;
        s->model.vals = NULL;
        s->model.num_vals = 0;
        return SAT_UNSAT;
    }
    if (r < 0)
        s->lazy_oom = 1;
    lazy_load(s);   /* on failure, s->cms stays NULL */
    return SAT_UNKNOWN;
}

enum sat_answer sat_solve(sat *s, const int *assumptions, size_t n)
{
    s->refuted = 0;
    if (!s->cms) {
        if (lazy_solve(s, assumptions, n) == SAT_UNSAT)
            return SAT_UNSAT;
        if (!s->cms)   /* CryptoMiniSat could not be created: sat_error says why */
            return SAT_UNKNOWN;
    }
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
    s->failed.len = 0;
    *lits = s->failed.items;
    if (!s->cms && lazy_load(s) < 0)   /* the replay ends with the search asked about */
        return 0;
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

enum { VS_OCC_END = 0xffffffffu };

/* Starts the propagation state afresh under the given assumptions (the occurrence lists stay). */
static int prop_reset(sat *s, const int *assumptions, size_t n)
{
    if (s->val_len)
        memset(s->val, 0, s->val_len);
    s->nfalse.len = 0;
    s->done_clauses = 0;
    s->conflict = 0;
    s->conflict_at = SIZE_MAX;
    s->next_assumed = 0;
    s->queue.len = 0;
    s->assumed.len = 0;
    if (!vec_append(&s->assumed, assumptions, n))
        return -1;
    s->prop_ready = 1;
    return 0;
}

/* Appends clause c to the occurrence list of literal l. */
static int occ_add(sat *s, int l, uint32_t c)
{
    size_t li = lit_index(l);
    uint32_t k = (uint32_t)s->occ_clause.len;
    if (!vec_push(&s->occ_clause, c) || !vec_push(&s->occ_next, VS_OCC_END))
        return -1;
    if (s->occ_first.items[li] == VS_OCC_END)
        s->occ_first.items[li] = k;
    else
        s->occ_next.items[s->occ_last.items[li]] = k;
    s->occ_last.items[li] = k;
    return 0;
}

/* Adds the clauses added since to the occurrence lists (if not yet there) and counts their
 * false literals, queueing their units. */
static int prop_integrate(sat *s)
{
    size_t nclauses = s->start.len ? s->start.len - 1 : 0;
    for (size_t c = s->done_clauses; c < nclauses; c++) {
        uint32_t from = s->start.items[c], to = s->start.items[c + 1], nf = 0;
        int unit = 0, satisfied = 0;
        for (uint32_t j = from; j < to; j++) {
            int l = s->lits.items[j];
            if (c >= s->occ_clauses && occ_add(s, l, (uint32_t)c) < 0)
                return -1;
            int v = lit_value(s, l);
            nf += v < 0;
            satisfied |= v > 0;
            if (v == 0)
                unit = l;
        }
        if (c >= s->occ_clauses)
            s->occ_clauses = c + 1;
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

/* sat_propagate without the copy of the values. With exact_levels, conflict_at is exact: the
 * state is not reused when clauses came after it (they may make a shorter prefix conflict). */
static int propagate(sat *s, const int *assumptions, size_t n, int exact_levels)
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
    while (s->occ_first.len < 2 * nvars) {
        if (!vec_push(&s->occ_first, VS_OCC_END) || !vec_push(&s->occ_last, VS_OCC_END))
            return -1;
    }
    size_t nclauses = s->start.len ? s->start.len - 1 : 0;
    int same = s->prop_ready && s->assumed.len == n &&
               (n == 0 || memcmp(s->assumed.items, assumptions, n * sizeof *assumptions) == 0) &&
               (!exact_levels || s->done_clauses == nclauses);
    if (!same && prop_reset(s, assumptions, n) < 0)
        return -1;
    if (prop_integrate(s) < 0)
        return -1;
    /* level by level, as CryptoMiniSat decides the assumptions: what the clauses force, then
     * each assumption in its turn with what it forces */
    for (size_t head = 0; !s->conflict; head++) {
        if (head == s->queue.len) {
            if (s->next_assumed == s->assumed.len)
                break;
            s->queue.len = head = 0;
            if (!vec_push(&s->queue, s->assumed.items[s->next_assumed++]))
                return -1;
        }
        int lit = s->queue.items[head];
        int v = lit_value(s, lit);
        if (v > 0)
            continue;
        if (v < 0) {
            s->conflict = 1;
            break;
        }
        s->val[abs(lit) - 1] = lit > 0 ? 1 : -1;
        /* the clauses losing a literal */
        for (uint32_t k = s->occ_first.items[lit_index(-lit)]; k != VS_OCC_END; k = s->occ_next.items[k]) {
            uint32_t c = s->occ_clause.items[k];
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
    if (s->conflict && s->conflict_at == SIZE_MAX)
        s->conflict_at = s->next_assumed;
    return s->conflict;
}

int sat_propagate(sat *s, const int *assumptions, size_t n, signed char *value)
{
    int r = propagate(s, assumptions, n, 0);
    if (r >= 0 && s->nvars)
        memcpy(value, s->val, s->nvars);
    return r;
}
