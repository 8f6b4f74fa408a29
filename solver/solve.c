/* solve.c: the solving pipeline: encode the cone, check satisfiability, apply the preference
 * policy, and report the chosen packages with what pulled each one in. */
#include "solve.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deadline.h"
#include "encode.h"
#include "explain.h"
#include "policy.h"
#include "sat.h"
#include "vsolve.h"

void solution_init(vs_solution *s) { memset(s, 0, sizeof *s); }

void solution_free(vs_solution *s)
{
    vec_free(&s->pkgs);
    vec_free(&s->pulled_by);
    vec_free(&s->pulled_by_atom);
    vec_free(&s->clash);
    vec_free(&s->unavailable);
    free(s->explanation);
    memset(s, 0, sizeof *s);
}

/* Breadth-first from the request through installed providers: the first installed package to
 * reach another is recorded as what pulled it in. */
int solve_record_reasons(const vs_encoding *e, const unsigned char *model, vs_solution *s)
{
    const vs_universe *u = e->u;
    size_t n = e->cone.len;
    uint32_t *by = malloc((n ? n : 1) * sizeof *by), *by_atom = malloc((n ? n : 1) * sizeof *by_atom);
    uint32_t *queue = malloc((n ? n : 1) * sizeof *queue);
    int rc = (by && by_atom && queue) ? VSOLVE_OK : VSOLVE_ENOMEM;
    size_t qlen = 0;
    if (rc == VSOLVE_OK) {
        memset(by, 0xff, n * sizeof *by);
        memset(by_atom, 0xff, n * sizeof *by_atom);
        unsigned char *seen = calloc(n ? n : 1, 1);
        if (!seen)
            rc = VSOLVE_ENOMEM;
        for (size_t a = 0; rc == VSOLVE_OK && a < e->req->atoms.len; a++) {
            const vs_atom *at = &e->req->atoms.items[a];
            if (at->forbid)
                continue;
            for (uint32_t j = 0; j < at->count; j++) {
                uint32_t q = e->req->ids.items[at->first + j];
                if (!encode_in_cone(e, q) || !model[e->cone.var_of_pkg[q]])
                    continue;
                uint32_t v = e->cone.var_of_pkg[q];
                if (!seen[v]) {
                    seen[v] = 1;
                    by_atom[v] = (uint32_t)a;
                    queue[qlen++] = v;
                }
            }
        }
        for (size_t head = 0; rc == VSOLVE_OK && head < qlen; head++) {
            uint32_t pkg = e->cone.items[queue[head]];
            uint32_t first, count;
            encode_clauses(e, pkg, &first, &count);
            for (uint32_t c = 0; c < count; c++) {
                const vs_clause *cl = &u->clauses.items[first + c];
                for (uint32_t j = 0; j < cl->count; j++) {
                    uint32_t q = u->ids.items[cl->first + j];
                    if (!encode_in_cone(e, q) || !model[e->cone.var_of_pkg[q]])
                        continue;
                    uint32_t v = e->cone.var_of_pkg[q];
                    if (!seen[v]) {
                        seen[v] = 1;
                        by[v] = pkg;
                        queue[qlen++] = v;
                    }
                }
            }
        }
        free(seen);
    }
    /* The chosen packages in id order, i.e. by name then version. */
    for (size_t i = 0; rc == VSOLVE_OK && i < u->pkgs.len; i++) {
        if (!encode_in_cone(e, (uint32_t)i) || !model[e->cone.var_of_pkg[i]])
            continue;
        uint32_t v = e->cone.var_of_pkg[i];
        if (!vec_push(&s->pkgs, (uint32_t)i) || !vec_push(&s->pulled_by, by[v]) ||
            !vec_push(&s->pulled_by_atom, by_atom[v]))
            rc = VSOLVE_ENOMEM;
    }
    free(by);
    free(by_atom);
    free(queue);
    return rc;
}

/* An encoding that failed other than for memory (no SAT solver) says why in the explanation. */
static int encode_failed(const vs_encoding *e, vs_solution *s, int rc)
{
    if (rc != VSOLVE_ENOMEM && e->err.code == rc && !s->explanation)
        s->explanation = strdup(e->err.message);
    return rc;
}

/* The explanation of a refusal. A pruned encoding serves when the clash it finds can be proven
 * on the whole cone (explain.h); otherwise the request is encoded again without pruning.
 * *e may be replaced by that encoding. */
static int explain_refusal(vs_encoding *e, vs_universe *u, const vs_request *req, vs_solution *s)
{
    vs_error err;
    vs_error_clear(&err);
    int unproven = 0;
    if (e->pruned)
        s->explanation = explain_unsat_pruned(e, u, &unproven, &s->clash, &s->unavailable, &err);
    if (!s->explanation && (unproven || !e->pruned)) {
        if (e->pruned) {
            double deadline = e->s ? sat_deadline(e->s) : 0;
            encoding_free(e);
            int rc = encode_request_whole(e, u, req);
            s->cone_size = e->cone.len;
            if (rc != VSOLVE_OK)
                return encode_failed(e, s, rc);
            if (e->s)
                sat_set_deadline(e->s, deadline);
        }
        s->explanation = explain_unsat(e, u, &s->clash, &s->unavailable, &err);
    }
    if (s->explanation)
        return VSOLVE_UNSAT;
    if (err.code != VSOLVE_ENOMEM)   /* the clause descriptions could not be read: say why */
        s->explanation = strdup(err.message);
    return err.code != VSOLVE_OK ? err.code : VSOLVE_ENOMEM;
}

int vs_solve(vs_universe *u, const vs_request *req, vs_solution *s)
{
    vs_encoding e;
    double start = sat_now();
    int rc = encode_request(&e, u, req);
    s->cone_size = e.cone.len;
    if (rc != VSOLVE_OK) {
        rc = encode_failed(&e, s, rc);
        encoding_free(&e);
        return s->status = rc;
    }
    double end = req->time_limit > 0 ? start + req->time_limit : 0;
    if (req->deadline > 0 && (end == 0 || req->deadline < end))
        end = req->deadline;
    if (end > 0)
        sat_set_deadline(e.s, end);
    enum sat_answer a = sat_solve(e.s, e.selectors.items, e.selectors.len);
    if (a == SAT_UNSAT && req->status_only) {
        rc = VSOLVE_UNSAT;
    } else if (a == SAT_UNSAT) {
        rc = explain_refusal(&e, u, req, s);
    } else if (a == SAT_UNKNOWN) {
        rc = VSOLVE_ENOMEM;
    } else {
        unsigned char *model = malloc(e.cone.len ? e.cone.len : 1);
        rc = !model ? VSOLVE_ENOMEM
           : req->preference == VS_PREFER_OPAM_CRITERIA ? policy_opam_criteria(&e, model)
           : req->preference == VS_PREFER_ANY ? VSOLVE_OK
           : policy_optimize(&e, model);
        for (size_t v = 0; model && req->preference == VS_PREFER_ANY && v < e.cone.len; v++)
            model[v] = (unsigned char)sat_model_value(e.s, (uint32_t)v);
        if (rc == VSOLVE_OK)
            rc = solve_record_reasons(&e, model, s);
        free(model);
    }
    /* a lazy solver (a refusal that propagation was to prove) that could not create CryptoMiniSat:
     * no answer, and the reason, as when encode_request fails to */
    const vs_error *lost = e.s ? sat_error(e.s) : NULL;
    if (lost) {
        free(s->explanation);
        s->explanation = lost->code != VSOLVE_ENOMEM ? strdup(lost->message) : NULL;
        s->clash.len = s->unavailable.len = 0;
        rc = lost->code;
    }
    /* an answer cut short is no answer: say so (an explanation's searches in solvers of their
     * own stop at the same deadline without marking e.s: past it, a refusal's explanation may
     * be cut short) */
    if ((e.s && sat_timed_out(e.s)) || (rc == VSOLVE_UNSAT && !req->status_only && deadline_passed(end))) {
        char msg[200];
        deadline_text(msg, sizeof msg, req->time_limit > 0 ? req->time_limit : end - start);
        free(s->explanation);
        s->explanation = strdup(msg);
        s->pkgs.len = s->pulled_by.len = s->pulled_by_atom.len = 0;
        rc = VSOLVE_ETIMEOUT;
    }
    s->sat_calls = e.s ? sat_solve_calls(e.s) : 0;
    s->solver_loaded = e.s && sat_loaded(e.s);
    encoding_free(&e);
    return s->status = rc;
}
