/* sweep.c: installability of every package. Each thread encodes the whole universe once and
 * asks, for each package not settled yet, for a model that installs it: first from quick.c's
 * small DPLL over the encoding (open packages count as not installed, so a model costs only
 * the cone it walks), then, when that gives up, from CryptoMiniSat under the assumption of the
 * package (learned clauses kept across calls). Every package of a model found is installable
 * too, which settles most packages without a call of their own. Packages without a model are
 * then classified: a dependency nothing provides, a dependency whose providers are all
 * uninstallable (to a fixpoint), or a clash among dependencies. */
#include "sweep.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "encode.h"
#include "quick.h"
#include "vsolve.h"

enum { UNKNOWN = 0, YES = 1, NO = 2 };

/* Conflicts the quick search may meet for one package before CryptoMiniSat is asked. */
#define QUICK_BUDGET 30
/* Packages a quick model is tried with (those that follow the package), and the conflicts
 * each may meet. */
#define EXTEND_TRIES 256
#define EXTEND_BUDGET 20
/* Packages a thread takes at a time: neighbours (one name's versions, then the next names)
 * go to one thread, so that the two do not try to grow models with the same packages. */
#define CHUNK 256

typedef struct shared {
    const vs_universe *u;
    const vs_request *all;       /* one atom over every available package: the cone is everything */
    _Atomic unsigned char *state;
    atomic_size_t next;          /* next package to look at */
    atomic_size_t settled;
    _Atomic uint64_t calls;
    _Atomic uint64_t quick_models;
    atomic_int error;
} shared;

static void settle_yes(shared *sh, uint32_t p)
{
    unsigned char expected = UNKNOWN;
    if (atomic_compare_exchange_strong(&sh->state[p], &expected, YES))
        atomic_fetch_add(&sh->settled, 1);
}

static void *worker(void *arg)
{
    shared *sh = arg;
    const vs_universe *u = sh->u;
    vs_encoding e;
    int rc = encode_request(&e, u, sh->all);
    quick *q = NULL;
    u32_vec trues = { 0 };
    if (rc == VSOLVE_OK) {
        const int *lits;
        const uint32_t *start;
        size_t nclauses = sat_clauses(e.s, &lits, &start);
        if (!(q = quick_new(lits, start, nclauses, sat_num_vars(e.s))))
            rc = VSOLVE_ENOMEM;
    }
    if (rc != VSOLVE_OK) {
        atomic_store(&sh->error, rc);
        encoding_free(&e);
        return NULL;
    }
    for (size_t p = 0, end = 0;; p++) {
        if (p >= end) {
            p = atomic_fetch_add(&sh->next, CHUNK);
            end = p + CHUNK;
        }
        if (p >= u->pkgs.len || atomic_load(&sh->error))
            break;
        if (atomic_load(&sh->state[p]) != UNKNOWN)
            continue;
        if (!encode_in_cone(&e, (uint32_t)p)) {   /* pruned: no solution can install it */
            unsigned char expected = UNKNOWN;
            if (atomic_compare_exchange_strong(&sh->state[p], &expected, NO))
                atomic_fetch_add(&sh->settled, 1);
            continue;
        }
        int lit = encode_lit(&e, (uint32_t)p);
        /* a quick model, grown by the unsettled packages that follow while they fit */
        int found = quick_begin(q, lit, QUICK_BUDGET);
        for (size_t r = p + 1, tried = 0; found > 0 && r < u->pkgs.len && tried < EXTEND_TRIES; r++) {
            if (atomic_load(&sh->state[r]) != UNKNOWN || !encode_in_cone(&e, (uint32_t)r))
                continue;
            tried++;
            if (quick_extend(q, encode_lit(&e, (uint32_t)r), EXTEND_BUDGET) < 0)
                found = -1;
        }
        if (found > 0)
            found = quick_trues(q, &trues);
        quick_end(q);
        if (found < 0) {
            atomic_store(&sh->error, VSOLVE_ENOMEM);
            break;
        }
        if (found) {
            atomic_fetch_add(&sh->quick_models, 1);
            for (size_t i = 0; i < trues.len; i++)
                if (trues.items[i] < e.cone.len)
                    settle_yes(sh, e.cone.items[trues.items[i]]);
            continue;
        }
        atomic_fetch_add(&sh->calls, 1);
        enum sat_answer a = sat_solve(e.s, &lit, 1);
        if (a == SAT_SAT) {
            for (size_t i = 0; i < e.cone.len; i++)
                if (sat_model_value(e.s, (uint32_t)i))
                    settle_yes(sh, e.cone.items[i]);
        } else if (a == SAT_UNSAT) {
            unsigned char expected = UNKNOWN;
            if (atomic_compare_exchange_strong(&sh->state[p], &expected, NO))
                atomic_fetch_add(&sh->settled, 1);
        } else {
            atomic_store(&sh->error, VSOLVE_ENOMEM);
        }
    }
    quick_free(q);
    vec_free(&trues);
    encoding_free(&e);
    return NULL;
}

/* The first clause of pkg with no available provider, else VS_NONE. */
static uint32_t missing_clause(const vs_universe *u, uint32_t pkg)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    for (uint32_t c = 0; c < p->clause_count; c++) {
        const vs_clause *cl = &u->clauses.items[p->clause_first + c];
        if (cl->cond != VS_NONE)
            continue;
        int any = 0;
        for (uint32_t j = 0; j < cl->count && !any; j++)
            any = !(u->pkgs.items[u->ids.items[cl->first + j]].flags & VS_PKG_UNAVAILABLE);
        if (!any)
            return p->clause_first + c;
    }
    return VS_NONE;
}

/* The first clause of pkg whose providers are all not installable, else VS_NONE. */
static uint32_t broken_clause(const vs_universe *u, uint32_t pkg, const unsigned char *status)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    for (uint32_t c = 0; c < p->clause_count; c++) {
        const vs_clause *cl = &u->clauses.items[p->clause_first + c];
        if (cl->cond != VS_NONE)
            continue;
        int any = 0;
        for (uint32_t j = 0; j < cl->count && !any; j++)
            any = status[u->ids.items[cl->first + j]] == SWEEP_INSTALLABLE;
        if (!any)
            return p->clause_first + c;
    }
    return VS_NONE;
}

int sweep_universe(const vs_universe *u, int threads, sweep_progress_fn progress, void *user, sweep_result *out)
{
    memset(out, 0, sizeof *out);
    size_t n = u->pkgs.len;
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    out->status = calloc(n ? n : 1, 1);
    out->reason = malloc((n ? n : 1) * sizeof *out->reason);
    shared sh = { .u = u };
    sh.state = calloc(n ? n : 1, sizeof *sh.state);
    vs_request all;
    request_init(&all);
    u32_vec avail = { 0 };
    int rc = (out->status && out->reason && sh.state) ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (uint32_t p = 0; p < n && rc == VSOLVE_OK; p++) {
        out->reason[p] = VS_NONE;
        if (u->pkgs.items[p].flags & VS_PKG_UNAVAILABLE) {
            out->status[p] = SWEEP_UNAVAILABLE;
            atomic_store(&sh.state[p], NO);
            atomic_fetch_add(&sh.settled, 1);
        } else if (!vec_push(&avail, p)) {
            rc = VSOLVE_ENOMEM;
        }
    }
    if (rc == VSOLVE_OK)
        rc = request_add_atom(&all, 0, VS_NONE, avail.items, avail.len);
    sh.all = &all;

    pthread_t tids[64];
    int started = 0;
    for (int t = 0; t < threads && rc == VSOLVE_OK; t++) {
        if (pthread_create(&tids[t], NULL, worker, &sh) != 0) {
            if (t == 0)
                rc = VSOLVE_ENOMEM;
            break;
        }
        started++;
    }
    /* the calling thread reports progress while the workers run */
    while (started > 0 && rc == VSOLVE_OK) {
        size_t done = atomic_load(&sh.settled);
        if (progress)
            progress(user, done, n);
        if (atomic_load(&sh.next) >= n || atomic_load(&sh.error))
            break;
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    if (rc == VSOLVE_OK && atomic_load(&sh.error))
        rc = atomic_load(&sh.error);
    if (rc == VSOLVE_OK) {
        /* classify what has no model: missing dependencies first, then to a fixpoint the
         * packages a dependency of which has only uninstallable providers */
        for (uint32_t p = 0; p < n; p++) {
            if (out->status[p] == SWEEP_UNAVAILABLE)
                continue;
            if (atomic_load(&sh.state[p]) == YES) {
                out->status[p] = SWEEP_INSTALLABLE;
            } else if ((out->reason[p] = missing_clause(u, p)) != VS_NONE) {
                out->status[p] = SWEEP_MISSING;
            } else {
                out->status[p] = SWEEP_CONFLICT;
            }
        }
        for (int changed = 1; changed;) {
            changed = 0;
            for (uint32_t p = 0; p < n; p++)
                if (out->status[p] == SWEEP_CONFLICT && (out->reason[p] = broken_clause(u, p, out->status)) != VS_NONE) {
                    out->status[p] = SWEEP_BROKEN_DEP;
                    changed = 1;
                }
        }
        for (uint32_t p = 0; p < n; p++)
            out->count[out->status[p]]++;
        out->sat_calls = atomic_load(&sh.calls);
        out->quick_models = atomic_load(&sh.quick_models);
        if (progress)
            progress(user, n, n);
    }
    free((void *)sh.state);
    vec_free(&avail);
    request_free(&all);
    return rc;
}

void sweep_result_free(sweep_result *r)
{
    free(r->status);
    free(r->reason);
    memset(r, 0, sizeof *r);
}

const char *sweep_status_name(int status)
{
    static const char *const names[SWEEP_STATUS_COUNT] = {
        "installable", "not available on this platform", "a dependency nothing provides",
        "a dependency that cannot be installed", "dependencies that conflict"
    };
    return status >= 0 && status < SWEEP_STATUS_COUNT ? names[status] : "?";
}
