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
#include <stdio.h>
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
    char failure[1024];          /* written by the one worker that set error, read after the joins */
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
        int none = VSOLVE_OK;
        if (atomic_compare_exchange_strong(&sh->error, &none, rc) && e.err.code == rc)
            snprintf(sh->failure, sizeof sh->failure, "%s", e.err.message);
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

/* The package itself as an atom: none of the packages it conflicts with (either side of the
 * pair) nor the other members of its exclusion groups. */
static int self_atom(const vs_universe *u, uint32_t p, vs_request *req)
{
    u32_vec others = { 0 };
    int ok = 1;
    const vs_pkg *pk = &u->pkgs.items[p];
    for (uint32_t j = 0; j < pk->conflict_count; j++)
        ok &= vec_push(&others, u->ids.items[pk->conflict_first + j]);
    for (uint32_t q = 0; q < u->pkgs.len; q++) {
        const vs_pkg *qk = &u->pkgs.items[q];
        for (uint32_t j = 0; j < qk->conflict_count; j++)
            if (u->ids.items[qk->conflict_first + j] == p)
                ok &= vec_push(&others, q);
    }
    for (uint32_t g = 0; g < u->groups.len; g++) {
        const vs_group *gr = &u->groups.items[g];
        int member = 0;
        for (uint32_t j = 0; j < gr->count && !member; j++)
            member = u->ids.items[gr->first + j] == p;
        for (uint32_t j = 0; j < gr->count && member; j++)
            if (u->ids.items[gr->first + j] != p)
                ok &= vec_push(&others, u->ids.items[gr->first + j]);
    }
    int rc = ok ? request_forbid(req, VS_NONE, VS_NONE, others.items, others.len) : VSOLVE_ENOMEM;
    vec_free(&others);
    return rc;
}

/* A minimal set of p's dependency clauses that, with p itself, cannot hold together
 * (deletion-based: one SAT call per clause, in clause order, so the set does not depend on
 * the solver's cores). Appends it to r->clash; nothing when the clauses and p can hold together
 * (a conditional clause takes part). */
static int find_clash(const vs_universe *u, uint32_t p, sweep_result *r)
{
    const vs_pkg *pk = &u->pkgs.items[p];
    vs_request req;
    request_init(&req);
    u32_vec clause_of = { 0 };
    int rc = VSOLVE_OK;
    for (uint32_t c = 0; c < pk->clause_count && rc == VSOLVE_OK; c++) {
        const vs_clause *cl = &u->clauses.items[pk->clause_first + c];
        if (cl->cond != VS_NONE)
            continue;
        uint32_t name = cl->count ? u->pkgs.items[u->ids.items[cl->first]].name : VS_NONE;
        rc = request_add_atom(&req, cl->desc, name, vec_at(&u->ids, cl->first), cl->count);
        if (rc == VSOLVE_OK && !vec_push(&clause_of, pk->clause_first + c))
            rc = VSOLVE_ENOMEM;
    }
    if (rc == VSOLVE_OK && (rc = self_atom(u, p, &req)) == VSOLVE_OK && !vec_push(&clause_of, VS_NONE))
        rc = VSOLVE_ENOMEM;
    vs_encoding e;
    int encoded = rc == VSOLVE_OK;
    if (encoded)
        rc = encode_request_whole(&e, u, &req);
    size_t n = clause_of.len;
    unsigned char *in = calloc(n ? n : 1, 1);
    int *lits = malloc((n ? n : 1) * sizeof *lits);
    if (rc == VSOLVE_OK && (!in || !lits))
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK && sat_solve(e.s, e.selectors.items, n) == SAT_UNSAT) {
        memset(in, 1, n);
        for (size_t i = 0; i < n; i++) {
            in[i] = 0;
            size_t m = 0;
            for (size_t j = 0; j < n; j++)
                if (in[j])
                    lits[m++] = e.selectors.items[j];
            enum sat_answer a = sat_solve(e.s, lits, m);
            if (a == SAT_UNKNOWN)
                rc = VSOLVE_ENOMEM;
            if (a != SAT_UNSAT)
                in[i] = 1;   /* needed for the contradiction */
        }
        for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
            if (in[i] && !vec_push(&r->clash, clause_of.items[i]))
                rc = VSOLVE_ENOMEM;
    }
    free(in);
    free(lits);
    if (encoded)
        encoding_free(&e);
    vec_free(&clause_of);
    request_free(&req);
    return rc;
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
    if (rc == VSOLVE_OK && atomic_load(&sh.error)) {
        rc = atomic_load(&sh.error);
        snprintf(out->failure, sizeof out->failure, "%s", sh.failure);
    }
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
        /* which dependencies clash, for the few whose dependencies conflict */
        out->clash_first = calloc(n ? n : 1, sizeof *out->clash_first);
        out->clash_count = calloc(n ? n : 1, sizeof *out->clash_count);
        if (!out->clash_first || !out->clash_count)
            rc = VSOLVE_ENOMEM;
        for (uint32_t p = 0; p < n && rc == VSOLVE_OK; p++) {
            if (out->status[p] != SWEEP_CONFLICT)
                continue;
            out->clash_first[p] = (uint32_t)out->clash.len;
            rc = find_clash(u, p, out);
            out->clash_count[p] = (uint32_t)out->clash.len - out->clash_first[p];
        }
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
    free(r->clash_first);
    free(r->clash_count);
    vec_free(&r->clash);
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
