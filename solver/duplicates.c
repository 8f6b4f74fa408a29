/* duplicates.c: solving with duplicate versions allowed, the copies and the edges that use them.
 *
 * The encoding (x_p: p installed, for p in the request's whole cone):
 *   dependency   one clause per (package, name) for the clauses naming one name only, their
 *                providers intersected (one copy meets all of them); other clauses as they are:
 *                -x_p [-x_cond] v x_q1 v ... v x_qk
 *   conflict     -x_p v -x_q
 *   slot of a duplicable name N, versions x_1..x_m (oldest first): o_i = "one of x_1..x_i",
 *                e_i = "x_i is an extra copy", d_N = "N has several versions":
 *                -x_i v o_i,  -o_{i-1} v o_i,  -x_i v -o_{i-1} v e_i,  -e_i v d_N
 *                (only the upward implications: minimising d and e pushes them down)
 *   other groups at most one member (pairwise up to 6, else Sinz's sequential counter)
 *   atoms        guarded by selectors, as in encode.c
 * Minimising a count of literals L_1..L_n: Sinz's sequential counter R_{i,j} ("at least j of
 * L_1..L_i"), L_i -> R_{i,1}, R_{i-1,j} -> R_{i,j}, L_i & R_{i-1,j-1} -> R_{i,j}, up to the
 * count K of the first model; then "not R_{n,k+1}" is assumed for k = 0, 1, ...: the first k
 * with a model is the minimum, kept as a unit clause. */
#include "duplicates.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "encode.h"
#include "policy.h"
#include "vsolve.h"

typedef struct mclause {
    uint32_t pkg, cond, desc;
    uint32_t first, count;          /* providers (available packages) in dup.ids */
} mclause;

typedef struct dup {
    vs_universe *u;
    const vs_request *req;
    const vs_dup_options *o;
    vs_encoding e;
    unsigned char *dupable;         /* name -> may have several versions (not single by name) */
    unsigned char *vend;            /* package -> can be vendored, so duplicated (built with dune) */
    VEC(mclause) cls;
    u32_vec ids;
    uint32_t *cls_first, *cls_count;   /* cone index -> its merged clauses */
    int_vec dvars, evars;           /* d_N and e_i literals */
} dup;

void dup_result_free(vs_dup_result *r)
{
    vec_free(&r->copies);
    vec_free(&r->users);
    vec_free(&r->edge_from);
    vec_free(&r->edge_to);
    memset(r, 0, sizeof *r);
}

void dup_copy_name(const char *name, const char *version, char *out, size_t size)
{
    int n = snprintf(out, size, "%s_v", name);
    size_t k = n < 0 ? 0 : (size_t)n;
    for (const char *p = version; *p && k + 1 < size; p++)
        out[k++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_') ? *p : '_';
    if (k < size)
        out[k] = '\0';
}

const vs_dup_copy *dup_copy_of(const vs_dup_result *r, uint32_t pkg)
{
    for (size_t i = 0; r && i < r->copies.len; i++)
        if (r->copies.items[i].pkg == pkg)
            return &r->copies.items[i];
    return NULL;
}

static const char *const always_single[] = {
    "ocaml", "ocaml-base-compiler", "ocaml-system", "ocaml-variants", "ocaml-config", "ocaml-compiler",
    "dune", "jbuilder",
};

static int single_by_name(const vs_dup_options *o, const char *name)
{
    for (size_t i = 0; i < sizeof always_single / sizeof *always_single; i++)
        if (!strcmp(name, always_single[i]))
            return 1;
    if (!strncmp(name, "base-", 5) || !strncmp(name, "conf-", 5) || !strncmp(name, "host-", 5) ||
        !strncmp(name, "ocaml-options-", 14))
        return 1;
    for (size_t i = 0; o && i < o->n_single; i++)
        if (!strcmp(name, o->single[i]))
            return 1;
    return 0;
}

/* Does pkg depend on dune (a clause whose providers are all dune or jbuilder)? */
static int builds_with_dune(const vs_universe *u, uint32_t pkg, uint32_t dune, uint32_t jbuilder)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    for (uint32_t c = 0; c < p->clause_count; c++) {
        const vs_clause *cl = &u->clauses.items[p->clause_first + c];
        int all = cl->count > 0;
        for (uint32_t j = 0; j < cl->count && all; j++) {
            uint32_t n = u->pkgs.items[u->ids.items[cl->first + j]].name;
            all = n == dune || n == jbuilder;
        }
        if (all)
            return 1;
    }
    return 0;
}

static int mark_dupable(dup *d)
{
    const vs_universe *u = d->u;
    d->dupable = calloc(u->names.len ? u->names.len : 1, 1);
    d->vend = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    if (!d->dupable || !d->vend)
        return VSOLVE_ENOMEM;
    uint32_t dune = universe_find_name(u, "dune"), jb = universe_find_name(u, "jbuilder");
    for (uint32_t n = 0; n < u->names.len; n++)
        d->dupable[n] = !single_by_name(d->o, universe_str(u, u->names.items[n].str));
    for (size_t i = 0; i < d->e.cone.len; i++) {
        uint32_t p = d->e.cone.items[i];
        d->vend[p] = dune == VS_NONE || builds_with_dune(u, p, dune, jb);
    }
    return VSOLVE_OK;
}

static int provider_ok(const dup *d, uint32_t q)
{
    return !(d->u->pkgs.items[q].flags & VS_PKG_UNAVAILABLE);
}

/* The merged clauses of every cone package (see the top comment). */
static int merge_clauses(dup *d)
{
    const vs_universe *u = d->u;
    size_t n = d->e.cone.len;
    d->cls_first = malloc((n ? n : 1) * sizeof *d->cls_first);
    d->cls_count = malloc((n ? n : 1) * sizeof *d->cls_count);
    unsigned char *mark = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    u32_vec tmp = { 0 };
    int rc = d->cls_first && d->cls_count && mark ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        uint32_t pkg = d->e.cone.items[i], first, count;
        encode_clauses(&d->e, pkg, &first, &count);
        d->cls_first[i] = (uint32_t)d->cls.len;
        size_t own_first = d->cls.len;
        for (uint32_t c = 0; c < count && rc == VSOLVE_OK; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            uint32_t name = VS_NONE;
            int one_name = cl->count > 0 && cl->cond == VS_NONE;
            for (uint32_t j = 0; j < cl->count && one_name; j++) {
                uint32_t nm = u->pkgs.items[u->ids.items[cl->first + j]].name;
                if (name == VS_NONE)
                    name = nm;
                one_name = nm == name;
            }
            mclause *into = NULL;
            if (one_name)
                for (size_t k = own_first; k < d->cls.len && !into; k++) {
                    mclause *m = &d->cls.items[k];
                    if (m->cond == VS_NONE && m->count && u->pkgs.items[d->ids.items[m->first]].name == name)
                        into = m;
                }
            if (into) {   /* intersect: keep into's providers that cl also has */
                for (uint32_t j = 0; j < cl->count; j++)
                    mark[u->ids.items[cl->first + j]] = 1;
                uint32_t k = 0;
                for (uint32_t j = 0; j < into->count; j++)
                    if (mark[d->ids.items[into->first + j]])
                        d->ids.items[into->first + k++] = d->ids.items[into->first + j];
                for (uint32_t j = 0; j < cl->count; j++)
                    mark[u->ids.items[cl->first + j]] = 0;
                if (k == 0) {   /* nothing meets both: the package can never be installed */
                    into->count = 0;
                    into->cond = VS_NONE;
                } else {
                    into->count = k;
                }
                continue;
            }
            mclause m = { pkg, cl->cond, cl->desc, (uint32_t)d->ids.len, 0 };
            for (uint32_t j = 0; j < cl->count && rc == VSOLVE_OK; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (provider_ok(d, q)) {
                    if (!vec_push(&d->ids, q))
                        rc = VSOLVE_ENOMEM;
                    m.count++;
                }
            }
            if (rc == VSOLVE_OK && m.count == 0 && one_name) {
                /* no available provider: keep the clause empty but remember its name */
            }
            if (rc == VSOLVE_OK && !vec_push(&d->cls, m))
                rc = VSOLVE_ENOMEM;
        }
        d->cls_count[i] = (uint32_t)(d->cls.len - d->cls_first[i]);
    }
    vec_free(&tmp);
    free(mark);
    return rc;
}

static int addc(dup *d, const int *lits, size_t n)
{
    return sat_add_clause(d->e.s, lits, n) < 0 ? VSOLVE_ENOMEM : VSOLVE_OK;
}

static int lit_of(const dup *d, uint32_t pkg)
{
    return encode_in_cone(&d->e, pkg) ? encode_lit(&d->e, pkg) : 0;
}

static int is_slot_of_one_name(const vs_universe *u, uint32_t g)
{
    const vs_group *gr = &u->groups.items[g];
    for (uint32_t j = 0; j < gr->count; j++) {
        uint32_t p = u->ids.items[gr->first + j];
        if (u->pkgs.items[p].slot != g || u->pkgs.items[p].name != u->pkgs.items[u->ids.items[gr->first]].name)
            return 0;
    }
    return gr->count > 0;
}

static int at_most_one(dup *d, const int *lits, size_t k)
{
    int rc = VSOLVE_OK;
    if (k <= 6) {
        for (size_t i = 0; i < k && rc == VSOLVE_OK; i++)
            for (size_t j = i + 1; j < k && rc == VSOLVE_OK; j++) {
                int cl[2] = { -lits[i], -lits[j] };
                rc = addc(d, cl, 2);
            }
        return rc;
    }
    int s0 = (int)sat_add_vars(d->e.s, (uint32_t)(k - 1)) + 1;
    for (size_t i = 0; i < k && rc == VSOLVE_OK; i++) {
        int x = lits[i];
        if (i < k - 1) {
            int cl[2] = { -x, s0 + (int)i };
            rc = addc(d, cl, 2);
        }
        if (rc == VSOLVE_OK && i > 0 && i < k - 1) {
            int cl[2] = { -(s0 + (int)i - 1), s0 + (int)i };
            rc = addc(d, cl, 2);
        }
        if (rc == VSOLVE_OK && i > 0) {
            int cl[2] = { -x, -(s0 + (int)i - 1) };
            rc = addc(d, cl, 2);
        }
    }
    return rc;
}

static int encode_dup(dup *d)
{
    const vs_universe *u = d->u;
    vs_encoding *e = &d->e;
    if (!(e->s = sat_new(&e->err)))
        return e->err.code;
    sat_add_vars(e->s, (uint32_t)e->cone.len);
    int_vec buf = { 0 };
    int rc = VSOLVE_OK;
    for (size_t k = 0; k < d->cls.len && rc == VSOLVE_OK; k++) {
        const mclause *m = &d->cls.items[k];
        if (m->cond != VS_NONE && !encode_in_cone(e, m->cond))
            continue;
        buf.len = 0;
        int ok = vec_push(&buf, -lit_of(d, m->pkg));
        if (ok && m->cond != VS_NONE)
            ok = vec_push(&buf, -lit_of(d, m->cond));
        for (uint32_t j = 0; j < m->count && ok; j++) {
            int l = lit_of(d, d->ids.items[m->first + j]);
            if (l)
                ok = vec_push(&buf, l);
        }
        rc = ok ? addc(d, buf.items, buf.len) : VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < e->cone.len && rc == VSOLVE_OK; i++) {
        uint32_t pkg = e->cone.items[i];
        const vs_pkg *p = &u->pkgs.items[pkg];
        for (uint32_t c = 0; c < p->conflict_count && rc == VSOLVE_OK; c++) {
            uint32_t q = u->ids.items[p->conflict_first + c];
            if (encode_in_cone(e, q) && q != pkg) {
                int cl[2] = { -lit_of(d, pkg), -lit_of(d, q) };
                rc = addc(d, cl, 2);
            }
        }
    }
    for (uint32_t g = 0; g < u->groups.len && rc == VSOLVE_OK; g++) {
        const vs_group *gr = &u->groups.items[g];
        buf.len = 0;
        for (uint32_t j = 0; j < gr->count; j++) {
            int l = lit_of(d, u->ids.items[gr->first + j]);
            if (l && !vec_push(&buf, l))
                rc = VSOLVE_ENOMEM;
        }
        if (rc != VSOLVE_OK || buf.len < 2)
            continue;
        uint32_t name = u->pkgs.items[u->ids.items[gr->first]].name;
        if (!is_slot_of_one_name(u, g) || !d->dupable[name]) {
            rc = at_most_one(d, buf.items, buf.len);
            continue;
        }
        /* a version not built with dune excludes every other version; the others may coexist */
        size_t all = buf.len, m = 0;
        for (size_t i = 0; i < all && rc == VSOLVE_OK; i++) {
            if (d->vend[e->cone.items[(uint32_t)buf.items[i] - 1]])
                continue;
            for (size_t j = 0; j < all && rc == VSOLVE_OK; j++)   /* pairs with a non-dune one */
                if (j != i && (j > i || d->vend[e->cone.items[(uint32_t)buf.items[j] - 1]])) {
                    int cl[2] = { -buf.items[i], -buf.items[j] };
                    rc = addc(d, cl, 2);
                }
        }
        for (size_t i = 0; i < all; i++)   /* the dune-built versions, in order */
            if (d->vend[e->cone.items[(uint32_t)buf.items[i] - 1]])
                buf.items[m++] = buf.items[i];
        if (m < 2)
            continue;
        int o0 = (int)sat_add_vars(e->s, (uint32_t)m) + 1;           /* o_i = o0 + i */
        int e0 = (int)sat_add_vars(e->s, (uint32_t)m) + 1;           /* e_i = e0 + i (i >= 1) */
        int dn = (int)sat_add_vars(e->s, 1) + 1;
        if (!vec_push(&d->dvars, dn))
            rc = VSOLVE_ENOMEM;
        for (size_t i = 0; i < m && rc == VSOLVE_OK; i++) {
            int x = buf.items[i], oi = o0 + (int)i;
            int c1[2] = { -x, oi };
            rc = addc(d, c1, 2);
            if (rc == VSOLVE_OK && i > 0) {
                int c2[2] = { -(oi - 1), oi };
                int c3[3] = { -x, -(oi - 1), e0 + (int)i };
                int c4[2] = { -(e0 + (int)i), dn };
                rc = addc(d, c2, 2);
                if (rc == VSOLVE_OK)
                    rc = addc(d, c3, 3);
                if (rc == VSOLVE_OK)
                    rc = addc(d, c4, 2);
                if (rc == VSOLVE_OK && !vec_push(&d->evars, e0 + (int)i))
                    rc = VSOLVE_ENOMEM;
            }
        }
    }
    for (size_t i = 0; i < d->req->atoms.len && rc == VSOLVE_OK; i++) {
        const vs_atom *a = &d->req->atoms.items[i];
        int sel = (int)sat_add_vars(e->s, 1) + 1;
        if (!vec_push(&e->selectors, sel)) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        if (a->forbid == VS_ATOM_PAIRS) {   /* a rule of the request: never both of a pair */
            for (uint32_t j = 0; j + 1 < a->count && rc == VSOLVE_OK; j += 2) {
                int x = lit_of(d, d->req->ids.items[a->first + j]), y = lit_of(d, d->req->ids.items[a->first + j + 1]);
                if (x && y) {
                    int cl[3] = { -sel, -x, -y };
                    rc = addc(d, cl, 3);
                }
            }
            continue;
        }
        buf.len = 0;
        if (!a->forbid && !vec_push(&buf, -sel))
            rc = VSOLVE_ENOMEM;
        for (uint32_t j = 0; j < a->count && rc == VSOLVE_OK; j++) {
            int l = lit_of(d, d->req->ids.items[a->first + j]);
            if (!l)
                continue;
            if (a->forbid) {
                int cl[2] = { -sel, -l };
                rc = addc(d, cl, 2);
            } else if (!vec_push(&buf, l)) {
                rc = VSOLVE_ENOMEM;
            }
        }
        if (rc == VSOLVE_OK && !a->forbid)
            rc = addc(d, buf.items, buf.len);
    }
    vec_free(&buf);
    return rc;
}

/* Minimises the number of true literals among lits (see the top comment), starting at from_k.
 * Keeps the minimum as a unit clause and leaves the solver with a model. */
static int minimise(dup *d, const int_vec *lits, uint32_t from_k, uint32_t *best)
{
    sat *s = d->e.s;
    uint32_t c0 = 0;
    for (size_t i = 0; i < lits->len; i++)
        c0 += sat_model_value(s, (uint32_t)abs(lits->items[i]) - 1) != 0;
    *best = c0;
    if (c0 == 0 || from_k >= c0)
        return VSOLVE_OK;
    size_t n = lits->len, K = c0;
    if ((double)n * (double)K > 2e7)
        return VSOLVE_OK;   /* too large to count exactly: keep the first model's count */
    int r0 = (int)sat_add_vars(s, (uint32_t)(n * K)) + 1;   /* R_{i,j} = r0 + i*K + (j-1) */
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        int x = lits->items[i];
        for (size_t j = 1; j <= K && rc == VSOLVE_OK; j++) {
            int rij = r0 + (int)(i * K + j - 1);
            if (j == 1) {
                int cl[2] = { -x, rij };
                rc = addc(d, cl, 2);
            }
            if (rc == VSOLVE_OK && i > 0) {
                int prev = r0 + (int)((i - 1) * K + j - 1);
                int cl[2] = { -prev, rij };
                rc = addc(d, cl, 2);
                if (rc == VSOLVE_OK && j > 1) {
                    int cl3[3] = { -x, -(prev - 1), rij };
                    rc = addc(d, cl3, 3);
                }
            }
        }
    }
    int_vec trial = { 0 };
    for (uint32_t k = from_k; k < c0 && rc == VSOLVE_OK; k++) {
        int bound = -(r0 + (int)((n - 1) * K + k));   /* not "at least k+1" */
        trial.len = 0;
        if (!vec_append(&trial, d->e.selectors.items, d->e.selectors.len) || !vec_push(&trial, bound)) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        if (sat_solve(s, trial.items, trial.len) == SAT_SAT) {
            *best = k;
            rc = addc(d, &bound, 1);
            break;
        }
    }
    vec_free(&trial);
    if (rc == VSOLVE_OK && sat_solve(s, d->e.selectors.items, d->e.selectors.len) != SAT_SAT)
        rc = VSOLVE_ENOMEM;   /* the bound held a model a moment ago */
    return rc;
}

/* ---- the propagation-only pass ---- */

static int cone_qualifies(const dup *d)
{
    const vs_universe *u = d->u;
    const vs_encoding *e = &d->e;
    for (size_t i = 0; i < e->cone.len; i++) {
        const vs_pkg *p = &u->pkgs.items[e->cone.items[i]];
        for (uint32_t c = 0; c < p->conflict_count; c++)
            if (encode_in_cone(e, u->ids.items[p->conflict_first + c]))
                return 0;
    }
    for (uint32_t g = 0; g < u->groups.len; g++) {
        const vs_group *gr = &u->groups.items[g];
        uint32_t in = 0;
        for (uint32_t j = 0; j < gr->count; j++)
            in += encode_in_cone(e, u->ids.items[gr->first + j]);
        if (in >= 2 && (!is_slot_of_one_name(u, g) || !d->dupable[u->pkgs.items[u->ids.items[gr->first]].name]))
            return 0;
        for (uint32_t j = 0; in >= 2 && j < gr->count; j++)
            if (encode_in_cone(e, u->ids.items[gr->first + j]) && !d->vend[u->ids.items[gr->first + j]])
                return 0;
    }
    for (size_t k = 0; k < d->cls.len; k++)
        if (d->cls.items[k].cond != VS_NONE)
            return 0;
    for (size_t a = 0; a < d->req->atoms.len; a++) {   /* rules of pairs are conflicts too */
        const vs_atom *at = &d->req->atoms.items[a];
        for (uint32_t j = 0; at->forbid == VS_ATOM_PAIRS && j + 1 < at->count; j += 2)
            if (encode_in_cone(e, d->req->ids.items[at->first + j]) && encode_in_cone(e, d->req->ids.items[at->first + j + 1]))
                return 0;
    }
    return 1;
}

/* live[cone index]: can be installed with duplicates (fixpoint of "every dependency has a live
 * provider"); forbidden packages are not live. */
static void compute_live(const dup *d, unsigned char *live)
{
    const vs_encoding *e = &d->e;
    size_t n = e->cone.len;
    memset(live, 1, n);
    for (size_t a = 0; a < d->req->atoms.len; a++) {
        const vs_atom *at = &d->req->atoms.items[a];
        for (uint32_t j = 0; at->forbid == VS_ATOM_FORBID && j < at->count; j++)
            if (encode_in_cone(e, d->req->ids.items[at->first + j]))
                live[e->cone.var_of_pkg[d->req->ids.items[at->first + j]]] = 0;
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++) {
            if (!live[i])
                continue;
            for (uint32_t c = 0; c < d->cls_count[i] && live[i]; c++) {
                const mclause *m = &d->cls.items[d->cls_first[i] + c];
                int any = 0;
                for (uint32_t j = 0; j < m->count && !any; j++) {
                    uint32_t q = d->ids.items[m->first + j];
                    any = encode_in_cone(e, q) && live[e->cone.var_of_pkg[q]];
                }
                if (!any)
                    live[i] = 0, changed = 1;
            }
        }
    }
}

/* The provider a dependency takes: an installed one that meets it (the newest), else the newest
 * live one of the first name that has one. VS_NONE when none. */
static uint32_t pick(const dup *d, const uint32_t *prov, uint32_t n, const unsigned char *live,
                     const unsigned char *model)
{
    const vs_encoding *e = &d->e;
    uint32_t best = VS_NONE;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t q = prov[j];
        if (encode_in_cone(e, q) && model[e->cone.var_of_pkg[q]] && (best == VS_NONE || q > best))
            best = q;
    }
    if (best != VS_NONE || !live)
        return best;
    uint32_t name = VS_NONE;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t q = prov[j];
        if (!encode_in_cone(e, q) || !live[e->cone.var_of_pkg[q]])
            continue;
        if (name == VS_NONE)
            name = d->u->pkgs.items[q].name;
        if (d->u->pkgs.items[q].name == name && (best == VS_NONE || q > best))
            best = q;
    }
    return best;
}

static int greedy(const dup *d, const unsigned char *live, unsigned char *model)
{
    const vs_encoding *e = &d->e;
    memset(model, 0, e->cone.len);
    u32_vec queue = { 0 };
    int rc = VSOLVE_OK;
    for (size_t a = 0; a < d->req->atoms.len && rc == VSOLVE_OK; a++) {
        const vs_atom *at = &d->req->atoms.items[a];
        if (at->forbid)
            continue;
        uint32_t q = pick(d, vec_at(&d->req->ids, at->first), at->count, live, model);
        if (q == VS_NONE)
            return VSOLVE_UNSAT;
        if (!model[e->cone.var_of_pkg[q]]) {
            model[e->cone.var_of_pkg[q]] = 1;
            if (!vec_push(&queue, e->cone.var_of_pkg[q]))
                rc = VSOLVE_ENOMEM;
        }
    }
    for (size_t h = 0; h < queue.len && rc == VSOLVE_OK; h++) {
        uint32_t i = queue.items[h];
        for (uint32_t c = 0; c < d->cls_count[i] && rc == VSOLVE_OK; c++) {
            const mclause *m = &d->cls.items[d->cls_first[i] + c];
            uint32_t q = pick(d, vec_at(&d->ids, m->first), m->count, live, model);
            if (q == VS_NONE) {
                rc = VSOLVE_UNSAT;   /* cannot happen: i is live */
                break;
            }
            if (!model[e->cone.var_of_pkg[q]]) {
                model[e->cone.var_of_pkg[q]] = 1;
                if (!vec_push(&queue, e->cone.var_of_pkg[q]))
                    rc = VSOLVE_ENOMEM;
            }
        }
    }
    vec_free(&queue);
    return rc;
}

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    if (b->len + n + 1 > b->cap) {
        size_t ncap = (b->cap ? b->cap * 2 : 1024) + n;
        char *p = realloc(b->s, ncap);
        if (!p)
            return;
        b->s = p;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, line, n + 1);
    b->len += n;
}

/* Why no package of an atom can be installed even with duplicates: a chain of dependencies down
 * to one that nothing installable provides. */
static char *explain_dead(const dup *d, const unsigned char *live, const char *single_why)
{
    const vs_universe *u = d->u;
    const vs_encoding *e = &d->e;
    sbuf b = { 0 };
    put(&b, "The request cannot be satisfied, even with duplicate versions allowed.\n");
    for (size_t a = 0; a < d->req->atoms.len; a++) {
        const vs_atom *at = &d->req->atoms.items[a];
        if (at->forbid)
            continue;
        uint32_t q = VS_NONE;
        int ok = 0;
        for (uint32_t j = 0; j < at->count && !ok; j++) {
            uint32_t p = d->req->ids.items[at->first + j];
            if (encode_in_cone(e, p)) {
                ok = live[e->cone.var_of_pkg[p]];
                q = p;
            }
        }
        if (ok)
            continue;
        put(&b, "%s cannot be installed:\n", universe_str(u, at->desc));
        if (q == VS_NONE) {
            put(&b, "  - no available package matches it\n");
            continue;
        }
        for (int depth = 0; q != VS_NONE && depth < 32; depth++) {
            uint32_t i = e->cone.var_of_pkg[q], next = VS_NONE;
            const mclause *why = NULL;
            for (uint32_t c = 0; c < d->cls_count[i] && !why; c++) {
                const mclause *m = &d->cls.items[d->cls_first[i] + c];
                int any = 0;
                for (uint32_t j = 0; j < m->count && !any; j++) {
                    uint32_t r = d->ids.items[m->first + j];
                    any = encode_in_cone(e, r) && live[e->cone.var_of_pkg[r]];
                }
                if (!any)
                    why = m;
            }
            if (!why) {
                put(&b, "  - %s.%s is excluded by the request\n", universe_pkg_name(u, q), universe_pkg_version(u, q));
                break;
            }
            for (uint32_t j = 0; j < why->count; j++) {
                uint32_t r = d->ids.items[why->first + j];
                if (encode_in_cone(e, r) && (next == VS_NONE || r > next))
                    next = r;
            }
            put(&b, "  - %s.%s needs %s, %s\n", universe_pkg_name(u, q), universe_pkg_version(u, q),
                universe_str(u, why->desc),
                next == VS_NONE ? "which no available package provides (with all its constraints on that name)"
                                : "and no version that meets it can be installed:");
            q = next;
        }
    }
    if (single_why)
        put(&b, "With one version per name:\n%s", single_why);
    return b.s;
}

static char *explain_single(const dup *d, const char *single_why)
{
    const vs_universe *u = d->u;
    sbuf b = { 0 };
    put(&b, "The request cannot be satisfied, even with duplicate versions allowed: only packages built with dune "
            "can be duplicated; conflicts, conflict classes and these names stay single (or have versions not built "
            "with dune):");
    int shown = 0;
    for (uint32_t n = 0; n < u->names.len; n++) {
        uint32_t in = 0, not_vend = 0;
        for (uint32_t j = 0; j < u->names.items[n].n_pkgs; j++) {
            uint32_t p = u->names.items[n].first_pkg + j;
            in += encode_in_cone(&d->e, p);
            not_vend += encode_in_cone(&d->e, p) && !d->vend[p];
        }
        if (in < 2 || (d->dupable[n] && !not_vend))
            continue;
        if (shown++ < 12)
            put(&b, " %s", universe_str(u, u->names.items[n].str));
    }
    if (shown > 12)
        put(&b, " (and %d more)", shown - 12);
    put(&b, "%s.\n%s", shown ? "" : " (none with two versions here)", single_why ? single_why : "");
    return b.s;
}

/* Copies and edges of the chosen model. */
static int describe(const dup *d, const unsigned char *model, vs_dup_result *r)
{
    const vs_universe *u = d->u;
    const vs_encoding *e = &d->e;
    /* edges: every installed package's merged clauses, and the atoms (from VS_NONE) */
    int rc = VSOLVE_OK;
    for (size_t a = 0; a < d->req->atoms.len && rc == VSOLVE_OK; a++) {
        const vs_atom *at = &d->req->atoms.items[a];
        if (at->forbid)
            continue;
        uint32_t q = pick(d, vec_at(&d->req->ids, at->first), at->count, NULL, model);
        if (q != VS_NONE && (!vec_push(&r->edge_from, VS_NONE) || !vec_push(&r->edge_to, q)))
            rc = VSOLVE_ENOMEM;
    }
    for (uint32_t pkg = 0; pkg < u->pkgs.len && rc == VSOLVE_OK; pkg++) {
        if (!encode_in_cone(e, pkg) || !model[e->cone.var_of_pkg[pkg]])
            continue;
        uint32_t i = e->cone.var_of_pkg[pkg];
        for (uint32_t c = 0; c < d->cls_count[i] && rc == VSOLVE_OK; c++) {
            const mclause *m = &d->cls.items[d->cls_first[i] + c];
            if (m->cond != VS_NONE && !(encode_in_cone(e, m->cond) && model[e->cone.var_of_pkg[m->cond]]))
                continue;
            uint32_t q = pick(d, vec_at(&d->ids, m->first), m->count, NULL, model);
            if (q != VS_NONE && (!vec_push(&r->edge_from, pkg) || !vec_push(&r->edge_to, q)))
                rc = VSOLVE_ENOMEM;
        }
    }
    /* copies: names with several installed versions, by name then version */
    for (uint32_t n = 0; n < u->names.len && rc == VSOLVE_OK; n++) {
        const vs_name *nm = &u->names.items[n];
        uint32_t k = 0, newest = VS_NONE;
        for (uint32_t j = 0; j < nm->n_pkgs; j++) {
            uint32_t p = nm->first_pkg + j;
            if (encode_in_cone(e, p) && model[e->cone.var_of_pkg[p]] && !(u->pkgs.items[p].flags & VS_PKG_VIRTUAL))
                k++, newest = p;
        }
        if (k < 2)
            continue;
        r->dup_names++;
        r->extra_copies += k - 1;
        for (uint32_t j = 0; j < nm->n_pkgs && rc == VSOLVE_OK; j++) {
            uint32_t p = nm->first_pkg + j;
            if (!encode_in_cone(e, p) || !model[e->cone.var_of_pkg[p]])
                continue;
            vs_dup_copy c = { p, p != newest, (uint32_t)r->users.len, 0 };
            for (size_t x = 0; x < r->edge_to.len && rc == VSOLVE_OK; x++)
                if (r->edge_to.items[x] == p) {
                    int seen = 0;
                    for (uint32_t y = 0; y < c.users_count && !seen; y++)
                        seen = r->users.items[c.users_first + y] == r->edge_from.items[x];
                    if (!seen) {
                        if (!vec_push(&r->users, r->edge_from.items[x]))
                            rc = VSOLVE_ENOMEM;
                        c.users_count++;
                    }
                }
            if (rc == VSOLVE_OK && !vec_push(&r->copies, c))
                rc = VSOLVE_ENOMEM;
        }
    }
    return rc;
}

static void dup_free(dup *d)
{
    encoding_free(&d->e);
    free(d->dupable);
    free(d->vend);
    vec_free(&d->cls);
    vec_free(&d->ids);
    free(d->cls_first);
    free(d->cls_count);
    vec_free(&d->dvars);
    vec_free(&d->evars);
}

/* Does a single-version answer exist? One SAT call on the usual encoding, without the
 * preferences or an explanation (vs_solve gives those when they are wanted). 1 yes, 0 no,
 * negative on error (the negated status; without a SAT solver, s->explanation says why). */
static int single_version_exists(vs_universe *u, const vs_request *req, vs_solution *s)
{
    vs_encoding e;
    int rc = encode_request(&e, u, req);
    if (rc != VSOLVE_OK && rc != VSOLVE_ENOMEM && e.err.code == rc && !s->explanation)
        s->explanation = strdup(e.err.message);
    enum sat_answer a = rc == VSOLVE_OK ? sat_solve(e.s, e.selectors.items, e.selectors.len) : SAT_UNKNOWN;
    encoding_free(&e);
    return a == SAT_SAT ? 1 : a == SAT_UNSAT ? 0 : rc != VSOLVE_OK ? -rc : -VSOLVE_ENOMEM;
}

/* The single-version refusal, as vs_solve explains it (NULL when out of memory). */
static char *single_explanation(vs_universe *u, const vs_request *req)
{
    vs_solution t;
    solution_init(&t);
    vs_solve(u, req, &t);
    char *why = t.explanation;
    t.explanation = NULL;
    solution_free(&t);
    return why;
}

int vs_solve_duplicates(vs_universe *u, const vs_request *req, const vs_dup_options *o, vs_solution *s,
                        vs_dup_result *r)
{
    memset(r, 0, sizeof *r);
    if (!o || o->mode == VS_DUP_OFF)
        return vs_solve(u, req, s);
    char *single_why = NULL;
    int searched_single = 0;   /* the single-version problem is known to have no answer */
    if (o->mode == VS_DUP_MIN) {
        int one = single_version_exists(u, req, s);
        if (one < 0)
            return s->status = -one;
        if (one) {
            r->single_version = 1;
            return vs_solve(u, req, s);
        }
        searched_single = 1;
    }
    dup d = { 0 };
    d.u = u;
    d.req = req;
    d.o = o;
    int rc = encode_cone(&d.e, u, req);
    if (rc == VSOLVE_OK)
        rc = mark_dupable(&d);
    if (rc == VSOLVE_OK)
        rc = merge_clauses(&d);
    s->cone_size = d.e.cone.len;
    unsigned char *model = malloc(d.e.cone.len ? d.e.cone.len : 1);
    unsigned char *live = malloc(d.e.cone.len ? d.e.cone.len : 1);
    if (rc == VSOLVE_OK && (!model || !live))
        rc = VSOLVE_ENOMEM;
    int qualifies = rc == VSOLVE_OK && cone_qualifies(&d);
    if (rc == VSOLVE_OK && qualifies)
        compute_live(&d, live);
    if (rc == VSOLVE_OK && qualifies && o->mode == VS_DUP_FAST) {
        rc = greedy(&d, live, model);
        if (rc == VSOLVE_OK) {
            r->fast_path = 1;
            rc = solve_record_reasons(&d.e, model, s);
        } else if (rc == VSOLVE_UNSAT) {
            s->explanation = explain_dead(&d, live, NULL);
            if (!s->explanation)
                rc = VSOLVE_ENOMEM;
        }
    } else if (rc == VSOLVE_OK) {
        if (!searched_single) {   /* --duplicates=fast, the cone does not qualify: search after all */
            int one = single_version_exists(u, req, s);
            if (one != 0) {
                r->single_version = one > 0;
                rc = one > 0 ? vs_solve(u, req, s) : -one;
                goto done;
            }
        }
        rc = encode_dup(&d);
        enum sat_answer a = rc == VSOLVE_OK ? sat_solve(d.e.s, d.e.selectors.items, d.e.selectors.len) : SAT_UNKNOWN;
        if (rc == VSOLVE_OK && a == SAT_UNSAT) {
            rc = VSOLVE_UNSAT;
            single_why = single_explanation(u, req);
            s->explanation = qualifies ? explain_dead(&d, live, single_why) : explain_single(&d, single_why);
            if (!s->explanation)
                rc = VSOLVE_ENOMEM;
        } else if (rc == VSOLVE_OK && a != SAT_SAT) {
            rc = VSOLVE_ENOMEM;
        } else if (rc == VSOLVE_OK) {
            uint32_t best;
            rc = minimise(&d, &d.dvars, 1, &best);   /* 0 is the single-version problem: refused */
            if (rc == VSOLVE_OK)
                rc = minimise(&d, &d.evars, best, &best);
            if (rc == VSOLVE_OK)
                rc = policy_optimize(&d.e, model);
            if (rc == VSOLVE_OK)
                rc = solve_record_reasons(&d.e, model, s);
        }
    }
    if (rc == VSOLVE_OK)
        rc = describe(&d, model, r);
done:
    if (!r->single_version)
        s->sat_calls = d.e.s ? sat_solve_calls(d.e.s) : 0;
    free(single_why);
    free(model);
    free(live);
    dup_free(&d);
    return s->status = rc;
}

int dup_check(const vs_universe *u, const vs_request *req, const vs_dup_options *o, const u32_vec *pkgs,
              char *msg, size_t msg_size)
{
    unsigned char *in = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    if (!in) {
        snprintf(msg, msg_size, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < pkgs->len; i++)
        in[pkgs->items[i]] = 1;
    int ok = 1;
    for (size_t a = 0; a < req->atoms.len && ok; a++) {
        const vs_atom *at = &req->atoms.items[a];
        int any = 0;
        if (at->forbid == VS_ATOM_PAIRS) {
            for (uint32_t j = 0; j + 1 < at->count; j += 2)
                any |= in[req->ids.items[at->first + j]] && in[req->ids.items[at->first + j + 1]];
            if (any) {
                snprintf(msg, msg_size, "rule %s is broken", universe_str(u, at->desc));
                ok = 0;
            }
            continue;
        }
        for (uint32_t j = 0; j < at->count; j++)
            any |= in[req->ids.items[at->first + j]];
        if (at->forbid ? any : !any) {
            snprintf(msg, msg_size, "atom %s is not met", universe_str(u, at->desc));
            ok = 0;
        }
    }
    for (size_t i = 0; i < pkgs->len && ok; i++) {
        uint32_t p = pkgs->items[i];
        const vs_pkg *pk = &u->pkgs.items[p];
        if (pk->flags & VS_PKG_UNAVAILABLE) {
            snprintf(msg, msg_size, "%s.%s is not available", universe_pkg_name(u, p), universe_pkg_version(u, p));
            ok = 0;
            break;
        }
        /* every clause met; the clauses on one name met by one copy */
        for (uint32_t c = 0; c < pk->clause_count && ok; c++) {
            const vs_clause *cl = &u->clauses.items[pk->clause_first + c];
            if (cl->cond != VS_NONE && !in[cl->cond])
                continue;
            uint32_t name = VS_NONE;
            int one = cl->count > 0;
            for (uint32_t j = 0; j < cl->count && one; j++) {
                uint32_t nm = u->pkgs.items[u->ids.items[cl->first + j]].name;
                one = name == VS_NONE || nm == name;
                name = nm;
            }
            int met = 0;
            for (uint32_t j = 0; j < cl->count && !met; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (!in[q])
                    continue;
                if (!one) {
                    met = 1;
                    continue;
                }
                /* q must meet every clause of p on this name */
                int all = 1;
                for (uint32_t c2 = 0; c2 < pk->clause_count && all; c2++) {
                    const vs_clause *cl2 = &u->clauses.items[pk->clause_first + c2];
                    int on_name = cl2->count > 0 && cl2->cond == VS_NONE, has = 0;
                    for (uint32_t k = 0; k < cl2->count && on_name; k++) {
                        uint32_t r2 = u->ids.items[cl2->first + k];
                        on_name = u->pkgs.items[r2].name == name;
                        has |= r2 == q;
                    }
                    if (on_name && !has)
                        all = 0;
                }
                met = all;
            }
            if (!met) {
                snprintf(msg, msg_size, "%s.%s: dependency %s is not met by one installed copy",
                         universe_pkg_name(u, p), universe_pkg_version(u, p), universe_str(u, cl->desc));
                ok = 0;
            }
        }
        for (uint32_t c = 0; c < pk->conflict_count && ok; c++) {
            uint32_t q = u->ids.items[pk->conflict_first + c];
            if (q != p && in[q]) {
                snprintf(msg, msg_size, "%s.%s conflicts with %s.%s", universe_pkg_name(u, p),
                         universe_pkg_version(u, p), universe_pkg_name(u, q), universe_pkg_version(u, q));
                ok = 0;
            }
        }
    }
    /* groups: at most one, except a duplicable name's slot */
    uint32_t dune = universe_find_name(u, "dune"), jb = universe_find_name(u, "jbuilder");
    for (uint32_t g = 0; g < u->groups.len && ok; g++) {
        const vs_group *gr = &u->groups.items[g];
        uint32_t k = 0, first = VS_NONE;
        int dupable_slot = is_slot_of_one_name(u, g);
        for (uint32_t j = 0; j < gr->count; j++) {
            uint32_t p = u->ids.items[gr->first + j];
            if (!in[p])
                continue;
            k++;
            first = p;
            if (single_by_name(o, universe_pkg_name(u, p)) ||
                (dune != VS_NONE && !builds_with_dune(u, p, dune, jb)))
                dupable_slot = 0;
        }
        if (k >= 2 && !dupable_slot) {
            snprintf(msg, msg_size, "%u members of %s are installed (%s stays single)", k,
                     universe_str(u, gr->desc), universe_pkg_name(u, first));
            ok = 0;
        }
    }
    free(in);
    return ok;
}
