/* encode.c: the CNF encoding of a request's cone (cone.c; pruned first by prune.c).
 *
 * The encoding (one Boolean variable x_p per package p in the cone; x_p = "p is installed"):
 *   dependency   for each clause C of p:       -x_p  v  x_q1 v ... v x_qk   (q_i: available providers)
 *                (a clause conditional on c adds -x_c)
 *                (a clause with no available provider becomes the unit -x_p); a requested
 *                package with a root variant (opam --with-test) uses its root clauses instead;
 *                with req->version_runs (cargo), an unconditional clause that neighbouring
 *                versions x_lo .. x_hi of a slot's ladder (below) share is one clause,
 *                -g_lo v g_{hi+1} v x_q1 v ... v x_qk ("the installed version is not in
 *                [lo, hi]"; -g_lo alone when hi is the newest)
 *   conflict     for each conflict (p, q):     -x_p  v -x_q
 *   slot         a group that is the slot of one name's versions (x_0 .. x_{n-1} in the cone,
 *                oldest first) gets an order encoding, a "ladder" of g_i = "the installed
 *                version is x_i or newer" (g_0 = "some version is installed"):
 *                  -x_i v g_i,   -g_i v g_{i-1},   -g_i v x_i v g_{i+1},   -g_{n-1} v x_{n-1},
 *                  -x_i v -g_{i+1}   (at most one version)
 *                so that a run of consecutive versions in a clause is one literal: g_lo when
 *                the run reaches the newest, otherwise a shared auxiliary r with
 *                -r v g_lo,  -r v -g_{hi+1}  (r: "the installed version is in [lo, hi]")
 *   group        any other group, at most one member installed: pairwise -x_a v -x_b up to 6
 *                members in the cone, otherwise Sinz's sequential counter with auxiliary
 *                variables s_1..s_{n-1}:  -x_i v s_i,  -s_{i-1} v s_i,  -x_i v -s_{i-1}
 *   request atom A_i, guarded by a selector literal a_i so that an unsatisfiable request
 *                can name the atoms in conflict:  -a_i v x_q1 v ... v x_qk
 *                (a forbidding atom: -a_i v -x_q for each of its packages; a rule of pairs:
 *                -a_i v -x_p v -x_q for each pair (p, q) both in the cone)
 * Every clause has a negative literal: installing nothing (every variable false) satisfies
 * them all, so the encoding with no selector assumed (packages assumed not installed at most)
 * has a model without asking the solver (explain.c's deletion relies on it).
 * Packages outside the cone can never be installed: nothing in the cone needs them.
 * Unavailable packages are never in the cone, and neither are those that propagation shows no
 * solution can install (prune.c), unless it shows there is no solution at all. An explanation
 * needs the whole cone (encode_request_whole): the packages left out are those no solution of
 * the whole request installs, and a subset of the atoms must be judged on its own.
 */
#include "encode.h"
#include <stdlib.h>
#include <string.h>
#include "prune.h"
#include "vsolve.h"

static int add(vs_encoding *e, int_vec *buf)
{
    return sat_add_clause(e->s, buf->items, buf->len) < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
}

static int add2(vs_encoding *e, int a, int b)
{
    int cl[2] = { a, b };
    return sat_add_clause(e->s, cl, 2) < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
}

static int add3(vs_encoding *e, int a, int b, int c)
{
    int cl[3] = { a, b, c };
    return sat_add_clause(e->s, cl, 3) < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
}

/* The order encoding of one slot (see the comment at the top). */
typedef struct ladder {
    uint32_t first;     /* its cone packages, oldest first, in ladders.pkgs */
    uint32_t n;
    int g0;             /* literal of g_0; g_i is g0 + i */
} ladder;

typedef struct ladders {
    VEC(ladder) items;
    u32_vec pkgs;
    uint32_t *of_pkg;   /* package -> ladder index, VS_NONE when not on one */
    uint32_t *rung;     /* package -> its index on the ladder */
    /* shared range literals: open addressing over (ladder, lo, hi) */
    uint32_t *keys;     /* 3 words per slot; keys[3k] == VS_NONE when empty */
    int *lits;
    size_t cap, count;
} ladders;

static void ladders_free(ladders *l)
{
    vec_free(&l->items);
    vec_free(&l->pkgs);
    free(l->of_pkg);
    free(l->rung);
    free(l->keys);
    free(l->lits);
}

/* Is group g the slot of a run of one name's versions (so it can be a ladder)? */
static int is_slot_of_one_name(const vs_universe *u, uint32_t g)
{
    const vs_group *gr = &u->groups.items[g];
    for (uint32_t j = 0; j < gr->count; j++) {
        uint32_t p = u->ids.items[gr->first + j];
        if (u->pkgs.items[p].slot != g)
            return 0;
        if (j > 0) {
            uint32_t prev = u->ids.items[gr->first + j - 1];
            if (p <= prev || u->pkgs.items[p].name != u->pkgs.items[prev].name)
                return 0;
        }
    }
    return 1;
}

/* Builds the ladders of the slots with 2+ versions in the cone; marks their groups done. */
static int build_ladders(vs_encoding *e, ladders *l, unsigned char *group_done)
{
    const vs_universe *u = e->u;
    l->of_pkg = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *l->of_pkg);
    l->rung = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *l->rung);
    if (!l->of_pkg || !l->rung)
        return VSOLVE_ENOMEM;
    memset(l->of_pkg, 0xff, u->pkgs.len * sizeof *l->of_pkg);
    for (uint32_t g = 0; g < u->groups.len; g++) {
        const vs_group *gr = &u->groups.items[g];
        uint32_t in_cone = 0;
        for (uint32_t j = 0; j < gr->count; j++)
            in_cone += encode_in_cone(e, u->ids.items[gr->first + j]);
        if (in_cone < 2 || !is_slot_of_one_name(u, g))
            continue;
        ladder ld = { .first = (uint32_t)l->pkgs.len, .n = in_cone };
        ld.g0 = (int)sat_add_vars(e->s, in_cone) + 1;
        for (uint32_t j = 0; j < gr->count; j++) {
            uint32_t p = u->ids.items[gr->first + j];
            if (!encode_in_cone(e, p))
                continue;
            l->of_pkg[p] = (uint32_t)l->items.len;
            l->rung[p] = (uint32_t)l->pkgs.len - ld.first;
            if (!vec_push(&l->pkgs, p))
                return VSOLVE_ENOMEM;
        }
        for (uint32_t i = 0; i < in_cone; i++) {
            int x = encode_lit(e, l->pkgs.items[ld.first + i]), gi = ld.g0 + (int)i;
            int rc = add2(e, -x, gi);
            if (rc == VSOLVE_OK && i > 0)
                rc = add2(e, -gi, gi - 1);
            if (rc == VSOLVE_OK)
                rc = i + 1 < in_cone ? add3(e, -gi, x, gi + 1) : add2(e, -gi, x);
            if (rc == VSOLVE_OK && i + 1 < in_cone)
                rc = add2(e, -x, -(gi + 1));
            if (rc != VSOLVE_OK)
                return rc;
        }
        if (!vec_push(&l->items, ld))
            return VSOLVE_ENOMEM;
        group_done[g] = 1;
    }
    return VSOLVE_OK;
}

/* The literal "the installed version of ladder k is in rungs [lo, hi]". */
static int range_lit(vs_encoding *e, ladders *l, uint32_t k, uint32_t lo, uint32_t hi, int *lit)
{
    const ladder *ld = &l->items.items[k];
    if (lo == hi) {
        *lit = encode_lit(e, l->pkgs.items[ld->first + lo]);
        return VSOLVE_OK;
    }
    if (hi == ld->n - 1) {
        *lit = ld->g0 + (int)lo;
        return VSOLVE_OK;
    }
    if ((l->count + 1) * 2 > l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 1024;
        uint32_t *nk = malloc(ncap * 3 * sizeof *nk);
        int *nl = malloc(ncap * sizeof *nl);
        if (!nk || !nl) {
            free(nk);
            free(nl);
            return VSOLVE_ENOMEM;
        }
        memset(nk, 0xff, ncap * 3 * sizeof *nk);
        for (size_t i = 0; i < l->cap; i++) {
            if (l->keys[3 * i] == VS_NONE)
                continue;
            size_t h = ((size_t)l->keys[3 * i] * 2654435761u ^ l->keys[3 * i + 1] * 40503u ^ l->keys[3 * i + 2]) & (ncap - 1);
            while (nk[3 * h] != VS_NONE)
                h = (h + 1) & (ncap - 1);
            memcpy(&nk[3 * h], &l->keys[3 * i], 3 * sizeof *nk);
            nl[h] = l->lits[i];
        }
        free(l->keys);
        free(l->lits);
        l->keys = nk;
        l->lits = nl;
        l->cap = ncap;
    }
    size_t h = ((size_t)k * 2654435761u ^ lo * 40503u ^ hi) & (l->cap - 1);
    for (; l->keys[3 * h] != VS_NONE; h = (h + 1) & (l->cap - 1))
        if (l->keys[3 * h] == k && l->keys[3 * h + 1] == lo && l->keys[3 * h + 2] == hi) {
            *lit = l->lits[h];
            return VSOLVE_OK;
        }
    int r = (int)sat_add_vars(e->s, 1) + 1;
    int rc = add2(e, -r, ld->g0 + (int)lo);
    if (rc == VSOLVE_OK)
        rc = add2(e, -r, -(ld->g0 + (int)hi + 1));
    if (rc != VSOLVE_OK)
        return rc;
    l->keys[3 * h] = k;
    l->keys[3 * h + 1] = lo;
    l->keys[3 * h + 2] = hi;
    l->lits[h] = r;
    l->count++;
    *lit = r;
    return VSOLVE_OK;
}

/* Appends to buf the literals for "one of providers[0..n) is installed": runs of consecutive
 * versions on a ladder become one range literal, other providers their own variable. */
static int push_providers(vs_encoding *e, ladders *l, const uint32_t *providers, size_t n, int_vec *buf)
{
    for (size_t i = 0; i < n;) {
        uint32_t q = providers[i];
        if (!encode_in_cone(e, q)) {
            i++;
            continue;
        }
        uint32_t k = l->of_pkg[q];
        if (k == VS_NONE) {
            if (!vec_push(buf, encode_lit(e, q)))
                return VSOLVE_ENOMEM;
            i++;
            continue;
        }
        uint32_t lo = l->rung[q], hi = lo;
        size_t j = i + 1;
        for (; j < n; j++) {
            uint32_t r = providers[j];
            if (!encode_in_cone(e, r))
                continue;   /* versions outside the cone are not on the ladder */
            if (l->of_pkg[r] != k || l->rung[r] != hi + 1)
                break;
            hi++;
        }
        int lit;
        int rc = range_lit(e, l, k, lo, hi, &lit);
        if (rc != VSOLVE_OK)
            return rc;
        if (!vec_push(buf, lit))
            return VSOLVE_ENOMEM;
        i = j;
    }
    return VSOLVE_OK;
}

/* The clause of pkg (a version on a ladder) equal to cl (the same providers, unconditional) and
 * not yet covered, as an index into u->clauses; VS_NONE when there is none. */
static uint32_t same_clause(const vs_encoding *e, uint32_t pkg, const vs_clause *cl, const unsigned char *covered)
{
    uint32_t first, count;
    encode_clauses(e, pkg, &first, &count);
    for (uint32_t c = 0; c < count; c++) {
        const vs_clause *o = &e->u->clauses.items[first + c];
        if (!covered[first + c] && o->cond == VS_NONE && o->first == cl->first && o->count == cl->count)
            return first + c;
    }
    return VS_NONE;
}

/* Starts the clause for dependency cl of pkg, a version on a ladder: the neighbouring versions
 * that have the same dependency (the same providers) share one clause, "the installed version
 * is not in [lo, hi]": -g_lo v g_{hi+1} (only -g_lo when hi is the newest, -x when lo == hi).
 * It stands for the clauses -x_i v q1 v ... v qk of each version i in the run: x_i implies g_lo
 * and -g_{hi+1}, and g_lo with -g_{hi+1} implies some x_i of the run. Their clauses are marked
 * covered. */
static int push_version_run(vs_encoding *e, ladders *l, uint32_t pkg, const vs_clause *cl, unsigned char *covered,
                            int_vec *buf)
{
    const ladder *ld = &l->items.items[l->of_pkg[pkg]];
    uint32_t lo = l->rung[pkg], hi = lo;
    covered[cl - e->u->clauses.items] = 1;
    for (uint32_t c; lo > 0 && (c = same_clause(e, l->pkgs.items[ld->first + lo - 1], cl, covered)) != VS_NONE; lo--)
        covered[c] = 1;
    for (uint32_t c; hi + 1 < ld->n && (c = same_clause(e, l->pkgs.items[ld->first + hi + 1], cl, covered)) != VS_NONE; hi++)
        covered[c] = 1;
    if (lo == hi)
        return vec_push(buf, -encode_lit(e, pkg)) ? VSOLVE_OK : VSOLVE_ENOMEM;
    if (!vec_push(buf, -(ld->g0 + (int)lo)))
        return VSOLVE_ENOMEM;
    return hi + 1 == ld->n || vec_push(buf, ld->g0 + (int)hi + 1) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static int encode_at_most_one(vs_encoding *e, const uint32_t *members, size_t n, int_vec *buf)
{
    int_vec lits = { 0 };
    for (size_t i = 0; i < n; i++)
        if (encode_in_cone(e, members[i]) && !vec_push(&lits, encode_lit(e, members[i]))) {
            vec_free(&lits);
            return VSOLVE_ENOMEM;
        }
    int rc = VSOLVE_OK;
    size_t k = lits.len;
    if (k <= 6) {
        for (size_t i = 0; i < k && rc == VSOLVE_OK; i++)
            for (size_t j = i + 1; j < k && rc == VSOLVE_OK; j++) {
                buf->len = 0;
                if (!vec_push(buf, -lits.items[i]) || !vec_push(buf, -lits.items[j]))
                    rc = VSOLVE_ENOMEM;
                else
                    rc = add(e, buf);
            }
    } else {
        int s0 = (int)sat_add_vars(e->s, (uint32_t)(k - 1)) + 1;   /* s_i is s0 + i */
        for (size_t i = 0; i < k && rc == VSOLVE_OK; i++) {
            int x = lits.items[i];
            int cl[3][2] = { { 0 } };
            int ncl = 0;
            if (i < k - 1) { cl[ncl][0] = -x; cl[ncl][1] = s0 + (int)i; ncl++; }
            if (i > 0 && i < k - 1) { cl[ncl][0] = -(s0 + (int)i - 1); cl[ncl][1] = s0 + (int)i; ncl++; }
            if (i > 0) { cl[ncl][0] = -x; cl[ncl][1] = -(s0 + (int)i - 1); ncl++; }
            for (int c = 0; c < ncl && rc == VSOLVE_OK; c++)
                if (sat_add_clause(e->s, cl[c], 2) < 0)
                    rc = VSOLVE_ENOMEM;
        }
    }
    vec_free(&lits);
    return rc;
}

int encode_cone(vs_encoding *e, const vs_universe *u, const vs_request *req)
{
    memset(e, 0, sizeof *e);
    e->u = u;
    e->req = req;
    return cone_whole(&e->cone, u, req);
}

static int encode(vs_encoding *e, const vs_universe *u, const vs_request *req, int prune)
{
    memset(e, 0, sizeof *e);
    e->u = u;
    e->req = req;
    /* the cone, without what no solution can install */
    int rc = prune ? prune_request_cone(&e->cone, u, req, &e->pruned, &e->plain_refusal) : cone_whole(&e->cone, u, req);
    if (rc != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    if (!(e->s = e->plain_refusal ? sat_new_lazy(&e->err) : sat_new(&e->err)))
        return e->err.code;
    sat_add_vars(e->s, (uint32_t)e->cone.len);

    int_vec buf = { 0 };
    ladders lad = { 0 };
    unsigned char *group_done = calloc(u->groups.len ? u->groups.len : 1, 1);
    rc = group_done ? build_ladders(e, &lad, group_done) : VSOLVE_ENOMEM;
    /* clauses already encoded as part of a run (req->version_runs only) */
    unsigned char *covered = req->version_runs ? calloc(u->clauses.len ? u->clauses.len : 1, 1) : NULL;
    if (req->version_runs && !covered)
        rc = VSOLVE_ENOMEM;
    for (size_t i = 0; i < e->cone.len && rc == VSOLVE_OK; i++) {
        uint32_t pkg = e->cone.items[i];
        const vs_pkg *p = &u->pkgs.items[pkg];
        uint32_t first, count;
        encode_clauses(e, pkg, &first, &count);
        for (uint32_t c = 0; c < count && rc == VSOLVE_OK; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            if (covered && covered[first + c])
                continue;   /* part of a run of versions encoded as one clause */
            if (cl->cond != VS_NONE && !encode_in_cone(e, cl->cond))
                continue;   /* its condition can never hold */
            buf.len = 0;
            if (covered && cl->cond == VS_NONE && lad.of_pkg[pkg] != VS_NONE)
                rc = push_version_run(e, &lad, pkg, cl, covered, &buf);
            else if (!vec_push(&buf, -encode_lit(e, pkg)))
                rc = VSOLVE_ENOMEM;
            if (rc == VSOLVE_OK && cl->cond != VS_NONE && !vec_push(&buf, -encode_lit(e, cl->cond)))
                rc = VSOLVE_ENOMEM;
            if (rc == VSOLVE_OK)
                rc = push_providers(e, &lad, vec_at(&u->ids, cl->first), cl->count, &buf);
            if (rc == VSOLVE_OK)
                rc = add(e, &buf);
        }
        for (uint32_t c = 0; c < p->conflict_count && rc == VSOLVE_OK; c++) {
            uint32_t q = u->ids.items[p->conflict_first + c];
            if (encode_in_cone(e, q) && q != pkg)
                rc = add2(e, -encode_lit(e, pkg), -encode_lit(e, q));
        }
    }
    for (size_t g = 0; g < u->groups.len && rc == VSOLVE_OK; g++) {
        const vs_group *gr = &u->groups.items[g];
        if (!group_done[g])
            rc = encode_at_most_one(e, vec_at(&u->ids, gr->first), gr->count, &buf);
    }
    for (size_t i = 0; i < req->atoms.len && rc == VSOLVE_OK; i++) {
        const vs_atom *a = &req->atoms.items[i];
        int sel = (int)sat_add_vars(e->s, 1) + 1;
        if (!vec_push(&e->selectors, sel)) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        if (a->forbid == VS_ATOM_PAIRS) {
            for (uint32_t j = 0; j + 1 < a->count && rc == VSOLVE_OK; j += 2) {
                uint32_t p = req->ids.items[a->first + j], q = req->ids.items[a->first + j + 1];
                if (encode_in_cone(e, p) && encode_in_cone(e, q))
                    rc = add3(e, -sel, -encode_lit(e, p), -encode_lit(e, q));
            }
            continue;
        }
        if (a->forbid) {
            for (uint32_t j = 0; j < a->count && rc == VSOLVE_OK; j++) {
                uint32_t q = req->ids.items[a->first + j];
                if (encode_in_cone(e, q))
                    rc = add2(e, -sel, -encode_lit(e, q));
            }
            continue;
        }
        buf.len = 0;
        if (!vec_push(&buf, -sel))
            rc = VSOLVE_ENOMEM;
        if (rc == VSOLVE_OK)
            rc = push_providers(e, &lad, vec_at(&req->ids, a->first), a->count, &buf);
        if (rc == VSOLVE_OK)
            rc = add(e, &buf);
    }
    vec_free(&buf);
    ladders_free(&lad);
    free(group_done);
    free(covered);
    return rc;
}

int encode_request(vs_encoding *e, const vs_universe *u, const vs_request *req)
{
    return encode(e, u, req, 1);
}

int encode_request_whole(vs_encoding *e, const vs_universe *u, const vs_request *req)
{
    return encode(e, u, req, 0);
}

void encoding_free(vs_encoding *e)
{
    sat_free(e->s);
    cone_free(&e->cone);
    vec_free(&e->selectors);
    memset(e, 0, sizeof *e);
}
