/* greedy.c: a request answered by taking every dependency's preferred provider, when that set
 * is consistent (greedy.h); otherwise no answer and the caller runs the SAT solver.
 *
 * Why the closure is the answer when it is consistent (cargo, whose adapter builds clauses
 * whose providers are the candidates of one dependency edge, in any order; see
 * formats/cargo/cargo_resolve.c). cargo's resolver is a depth-first search that, for every
 * dependency edge, tries the edge's candidates newest first (not yanked, having every asked
 * feature; with resolver 3 and a rust-version, those needing a newer Rust after the others)
 * and moves past a candidate only when it conflicts with what is already activated: another
 * version of its semver-compatible slot, another package with its `links`, a missing
 * feature. If the set G of first candidates of all edges reachable from the root is
 * consistent (one version per slot and per links value, every asked feature present), then
 * whatever order cargo visits the edges in, every candidate it activates is in G and every
 * first candidate it tries is compatible with what G holds, so it never moves past one and
 * never backtracks: its answer is G. The SAT path's newest-first policy agrees: each line of
 * G holds the newest provider of the one clause (per dependent) that demands it, every
 * installed package is the only installed provider of some clause (so step 4 drops nothing),
 * and no avoided package is installed (step 1 keeps that); the shared projects confirm it
 * (tests/test_cargo.c compares both answers on every one). One shape could part the two, where
 * the policy's models decide and the closure is cargo's answer: bench/README.md, "cargo:
 * answering without the SAT solver", Limits. Versions that no solution can have (the cargo
 * adapter's pins) are unavailable here, so preferred() passes over them: the closure is then
 * the one of the problem without them, which has the same solutions. */
#include "greedy.h"
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

typedef struct greedy {
    const vs_universe *u;
    const uint32_t *owner;  /* virtual package -> its real package (VS_NONE), or NULL */
    unsigned char *on;      /* package -> installed */
    unsigned char *roots;   /* name -> requested (root clauses apply) */
    u32_vec queue;          /* installed packages, in the order installed */
    int gave_up;
} greedy;

/* The preferred provider among ids[0..n): the newest available, not avoided (nor its owner),
 * of one name; VS_NONE (and gives up) when there is none or the list spans names. */
static uint32_t preferred(greedy *g, const uint32_t *ids, uint32_t n)
{
    uint32_t best = VS_NONE;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t q = ids[i];
        const vs_pkg *p = &g->u->pkgs.items[q];
        if (p->name != g->u->pkgs.items[ids[0]].name) {
            best = VS_NONE;
            break;
        }
        uint32_t flags = p->flags;
        if (g->owner && g->owner[q] != VS_NONE)   /* a feature node is what its crate version is */
            flags |= g->u->pkgs.items[g->owner[q]].flags;
        if (!(flags & (VS_PKG_UNAVAILABLE | VS_PKG_AVOID)) && (best == VS_NONE || q > best))
            best = q;
    }
    if (best == VS_NONE)
        g->gave_up = 1;
    return best;
}

static int install(greedy *g, uint32_t pkg)
{
    if (pkg == VS_NONE || g->on[pkg])
        return VSOLVE_OK;
    g->on[pkg] = 1;
    return vec_push(&g->queue, pkg) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static void clauses_of(const greedy *g, uint32_t pkg, uint32_t *first, uint32_t *count)
{
    universe_clauses(g->u, pkg, g->roots[g->u->pkgs.items[pkg].name], first, count);
}

/* The closure: installed packages' clauses, conditional ones deferred until their condition
 * is installed, to a fixed point. */
static int closure(greedy *g, const vs_request *req)
{
    const vs_universe *u = g->u;
    u32_vec deferred = { 0 };   /* conditional clauses of installed packages not applied yet */
    int rc = VSOLVE_OK;
    for (size_t a = 0; a < req->atoms.len && rc == VSOLVE_OK && !g->gave_up; a++) {
        const vs_atom *at = &req->atoms.items[a];
        if (at->forbid != VS_ATOM_REQUIRE || at->count == 0) {
            g->gave_up = 1;
            break;
        }
        rc = install(g, preferred(g, req->ids.items + at->first, at->count));
    }
    size_t head = 0;
    for (int progress = 1; progress && rc == VSOLVE_OK && !g->gave_up;) {
        for (; head < g->queue.len && rc == VSOLVE_OK && !g->gave_up; head++) {
            uint32_t first, count;
            clauses_of(g, g->queue.items[head], &first, &count);
            for (uint32_t c = first; c < first + count && rc == VSOLVE_OK && !g->gave_up; c++) {
                const vs_clause *cl = &u->clauses.items[c];
                if (cl->cond != VS_NONE && !g->on[cl->cond])
                    rc = vec_push(&deferred, c) ? VSOLVE_OK : VSOLVE_ENOMEM;
                else if (cl->count == 0)
                    g->gave_up = 1;
                else
                    rc = install(g, preferred(g, u->ids.items + cl->first, cl->count));
            }
        }
        progress = 0;
        size_t kept = 0;
        for (size_t i = 0; i < deferred.len && rc == VSOLVE_OK && !g->gave_up; i++) {
            const vs_clause *cl = &u->clauses.items[deferred.items[i]];
            if (!g->on[cl->cond]) {
                deferred.items[kept++] = deferred.items[i];
                continue;
            }
            progress = 1;
            if (cl->count == 0)
                g->gave_up = 1;
            else
                rc = install(g, preferred(g, u->ids.items + cl->first, cl->count));
        }
        deferred.len = kept;
    }
    vec_free(&deferred);
    return rc;
}

static uint32_t installed_among(const greedy *g, const uint32_t *ids, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        k += g->on[ids[i]];
    return k;
}

/* Is the closure consistent: groups, conflicts, and exactly one installed provider for every
 * applying clause and atom? */
static int consistent(const greedy *g, const vs_request *req)
{
    const vs_universe *u = g->u;
    for (size_t i = 0; i < u->groups.len; i++)
        if (installed_among(g, u->ids.items + u->groups.items[i].first, u->groups.items[i].count) > 1)
            return 0;
    for (size_t a = 0; a < req->atoms.len; a++)
        if (installed_among(g, req->ids.items + req->atoms.items[a].first, req->atoms.items[a].count) != 1)
            return 0;
    for (size_t i = 0; i < g->queue.len; i++) {
        uint32_t pkg = g->queue.items[i], first, count;
        const vs_pkg *p = &u->pkgs.items[pkg];
        if (installed_among(g, u->ids.items + p->conflict_first, p->conflict_count) > 0)
            return 0;
        clauses_of(g, pkg, &first, &count);
        for (uint32_t c = first; c < first + count; c++) {
            const vs_clause *cl = &u->clauses.items[c];
            if ((cl->cond == VS_NONE || g->on[cl->cond]) && installed_among(g, u->ids.items + cl->first, cl->count) != 1)
                return 0;
        }
    }
    return 1;
}

/* What pulled each package in, as solve_record_reasons records it for the same set:
 * breadth-first from the atoms through every clause's installed providers (conditions not
 * looked at); then the packages in id order. */
static int record(const greedy *g, const vs_request *req, vs_solution *s)
{
    const vs_universe *u = g->u;
    size_t n = u->pkgs.len;
    uint32_t *by = malloc((n ? n : 1) * sizeof *by), *by_atom = malloc((n ? n : 1) * sizeof *by_atom);
    uint32_t *queue = malloc((g->queue.len ? g->queue.len : 1) * sizeof *queue);
    unsigned char *seen = calloc(n ? n : 1, 1);
    int rc = by && by_atom && queue && seen ? VSOLVE_OK : VSOLVE_ENOMEM;
    size_t qlen = 0;
    for (size_t a = 0; rc == VSOLVE_OK && a < req->atoms.len; a++) {
        const vs_atom *at = &req->atoms.items[a];
        for (uint32_t j = 0; j < at->count; j++) {
            uint32_t q = req->ids.items[at->first + j];
            if (g->on[q] && !seen[q]) {
                seen[q] = 1;
                by[q] = VS_NONE;
                by_atom[q] = (uint32_t)a;
                queue[qlen++] = q;
            }
        }
    }
    for (size_t head = 0; rc == VSOLVE_OK && head < qlen; head++) {
        uint32_t pkg = queue[head], first, count;
        clauses_of(g, pkg, &first, &count);
        for (uint32_t c = first; c < first + count; c++) {
            const vs_clause *cl = &u->clauses.items[c];
            for (uint32_t j = 0; j < cl->count; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (g->on[q] && !seen[q]) {
                    seen[q] = 1;
                    by[q] = pkg;
                    by_atom[q] = VS_NONE;
                    queue[qlen++] = q;
                }
            }
        }
    }
    for (size_t i = 0; rc == VSOLVE_OK && i < n; i++) {
        if (!g->on[i])
            continue;
        if (!vec_push(&s->pkgs, (uint32_t)i) || !vec_push(&s->pulled_by, seen[i] ? by[i] : VS_NONE) ||
            !vec_push(&s->pulled_by_atom, seen[i] ? by_atom[i] : VS_NONE))
            rc = VSOLVE_ENOMEM;
    }
    free(by);
    free(by_atom);
    free(queue);
    free(seen);
    return rc;
}

int greedy_solve(const vs_universe *u, const vs_request *req, const uint32_t *owner, vs_solution *s, int *answered)
{
    *answered = 0;
    if (req->keep.len || u->pending || req->atoms.len == 0)
        return VSOLVE_OK;
    greedy g = { .u = u, .owner = owner };
    g.on = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    g.roots = calloc(u->names.len ? u->names.len : 1, 1);
    int rc = g.on && g.roots ? VSOLVE_OK : VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK) {
        request_mark_roots(req, g.roots);
        rc = closure(&g, req);
    }
    if (rc == VSOLVE_OK && !g.gave_up && consistent(&g, req)) {
        rc = record(&g, req, s);
        if (rc == VSOLVE_OK) {
            s->status = VSOLVE_OK;
            s->cone_size = g.queue.len;
            s->sat_calls = 0;
            *answered = 1;
        } else {
            s->pkgs.len = s->pulled_by.len = s->pulled_by_atom.len = 0;
        }
    }
    free(g.on);
    free(g.roots);
    vec_free(&g.queue);
    return rc;
}
