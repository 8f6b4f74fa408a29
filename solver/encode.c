/* encode.c: cone computation and the CNF encoding of a request.
 *
 * The encoding (one Boolean variable x_p per package p in the cone; x_p = "p is installed"):
 *   dependency   for each clause C of p:       -x_p  v  x_q1 v ... v x_qk   (q_i: available providers)
 *                (a clause with no available provider becomes the unit -x_p); a requested
 *                package with a root variant (opam --with-test) uses its root clauses instead
 *   conflict     for each conflict (p, q):     -x_p  v -x_q
 *   group        at most one member installed: pairwise -x_a v -x_b for groups of up to 6
 *                members in the cone, otherwise Sinz's sequential counter with auxiliary
 *                variables s_1..s_{n-1}:  -x_i v s_i,  -s_{i-1} v s_i,  -x_i v -s_{i-1}
 *   request atom A_i, guarded by a selector literal a_i so that an unsatisfiable request
 *                can name the atoms in conflict:  -a_i v x_q1 v ... v x_qk
 *                (a forbidding atom: -a_i v -x_q for each of its packages)
 * Packages outside the cone can never be installed: nothing in the cone needs them.
 * Unavailable packages are never in the cone.
 */
#include "encode.h"
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

static int add(vs_encoding *e, int_vec *buf)
{
    return sat_add_clause(e->s, buf->items, buf->len) < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
}

static int visit(vs_encoding *e, uint32_t pkg)
{
    if (e->var_of_pkg[pkg] != VS_NONE || (e->u->pkgs.items[pkg].flags & VS_PKG_UNAVAILABLE))
        return VSOLVE_OK;
    e->var_of_pkg[pkg] = (uint32_t)e->cone.len;
    return vec_push(&e->cone, pkg) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static int build_cone(vs_encoding *e)
{
    const vs_universe *u = e->u;
    for (size_t i = 0; i < e->req->atoms.len; i++) {
        const vs_atom *a = &e->req->atoms.items[i];
        if (a->forbid)
            continue;
        for (uint32_t j = 0; j < a->count; j++)
            if (visit(e, e->req->ids.items[a->first + j]) != VSOLVE_OK)
                return VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < e->req->keep.len; i++)
        if (visit(e, e->req->keep.items[i]) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    for (size_t head = 0; head < e->cone.len; head++) {
        uint32_t first, count;
        encode_clauses(e, e->cone.items[head], &first, &count);
        for (uint32_t c = 0; c < count; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            for (uint32_t j = 0; j < cl->count; j++)
                if (visit(e, u->ids.items[cl->first + j]) != VSOLVE_OK)
                    return VSOLVE_ENOMEM;
        }
    }
    return VSOLVE_OK;
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

int encode_request(vs_encoding *e, const vs_universe *u, const vs_request *req)
{
    memset(e, 0, sizeof *e);
    e->u = u;
    e->req = req;
    e->var_of_pkg = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *e->var_of_pkg);
    e->root_name = calloc(u->names.len ? u->names.len : 1, 1);
    e->s = sat_new();
    if (!e->var_of_pkg || !e->root_name || !e->s)
        return VSOLVE_ENOMEM;
    request_mark_roots(req, e->root_name);
    memset(e->var_of_pkg, 0xff, u->pkgs.len * sizeof *e->var_of_pkg);
    if (build_cone(e) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    sat_add_vars(e->s, (uint32_t)e->cone.len);

    int_vec buf = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < e->cone.len && rc == VSOLVE_OK; i++) {
        uint32_t pkg = e->cone.items[i];
        const vs_pkg *p = &u->pkgs.items[pkg];
        uint32_t first, count;
        encode_clauses(e, pkg, &first, &count);
        for (uint32_t c = 0; c < count && rc == VSOLVE_OK; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            buf.len = 0;
            if (!vec_push(&buf, -encode_lit(e, pkg))) { rc = VSOLVE_ENOMEM; break; }
            for (uint32_t j = 0; j < cl->count; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (encode_in_cone(e, q) && !vec_push(&buf, encode_lit(e, q))) { rc = VSOLVE_ENOMEM; break; }
            }
            if (rc == VSOLVE_OK)
                rc = add(e, &buf);
        }
        for (uint32_t c = 0; c < p->conflict_count && rc == VSOLVE_OK; c++) {
            uint32_t q = u->ids.items[p->conflict_first + c];
            if (!encode_in_cone(e, q) || q == pkg)
                continue;
            buf.len = 0;
            if (!vec_push(&buf, -encode_lit(e, pkg)) || !vec_push(&buf, -encode_lit(e, q)))
                rc = VSOLVE_ENOMEM;
            else
                rc = add(e, &buf);
        }
    }
    for (size_t g = 0; g < u->groups.len && rc == VSOLVE_OK; g++) {
        const vs_group *gr = &u->groups.items[g];
        rc = encode_at_most_one(e, u->ids.items + gr->first, gr->count, &buf);
    }
    for (size_t i = 0; i < req->atoms.len && rc == VSOLVE_OK; i++) {
        const vs_atom *a = &req->atoms.items[i];
        int sel = (int)sat_add_vars(e->s, 1) + 1;
        if (!vec_push(&e->selectors, sel)) { rc = VSOLVE_ENOMEM; break; }
        if (a->forbid) {
            for (uint32_t j = 0; j < a->count && rc == VSOLVE_OK; j++) {
                uint32_t q = req->ids.items[a->first + j];
                if (!encode_in_cone(e, q))
                    continue;
                int cl[2] = { -sel, -encode_lit(e, q) };
                if (sat_add_clause(e->s, cl, 2) < 0)
                    rc = VSOLVE_ENOMEM;
            }
            continue;
        }
        buf.len = 0;
        if (!vec_push(&buf, -sel)) { rc = VSOLVE_ENOMEM; break; }
        for (uint32_t j = 0; j < a->count; j++) {
            uint32_t q = req->ids.items[a->first + j];
            if (encode_in_cone(e, q) && !vec_push(&buf, encode_lit(e, q))) { rc = VSOLVE_ENOMEM; break; }
        }
        if (rc == VSOLVE_OK)
            rc = add(e, &buf);
    }
    vec_free(&buf);
    return rc;
}

void encoding_free(vs_encoding *e)
{
    sat_free(e->s);
    free(e->var_of_pkg);
    free(e->root_name);
    vec_free(&e->cone);
    vec_free(&e->selectors);
    memset(e, 0, sizeof *e);
}
