/* optimum.c: the answer opam's solver gives: opam 2.1's install criteria (criteria.h) minimised
 * lexicographically and exactly on the request's CNF, then a canonical tie-break.
 *
 * The objectives, as sums of weighted "penalty" literals over the encoding, for a name none of
 * whose versions is installed (req->keep):
 *   avoid        x_p for each avoid-version package p;
 *   lag          per name, its cone versions u_0 .. u_{m-1} ordered by falling version lag, and
 *                chain literals c_i = "a version among u_0..u_i is installed":
 *                  -x_{u_i} v c_i,   -c_{i-1} v c_i
 *                so that the installed version's lag is the sum of the weights of the true c_i
 *                with weight(c_i) = lag(u_i) - lag(u_{i+1}) and weight(c_{m-1}) = lag(u_{m-1}):
 *                lag_request takes the chains of the requested names, lag_changed all of them;
 *   changed      c_{m-1} of each name ("some version of it is installed").
 * (A name whose versions may be installed side by side, not one slot, has x_p with weight
 * lag(p) and x_p as its own "installed" instead of a chain.) For a name with an installed
 * version (installed_name_terms): removed is -a with a <= "some version of it"; changed is
 * -x_v for its one installed version v (one slot), else d >= "an installed version missing or
 * another one present"; lag_changed takes a chain whose installed versions weigh 0, and
 * lag_request (if requested) a chain of its own with the real lags; avoid skips installed
 * ones. Each is minimised by maxsat.c and then held at its minimum while the next is minimised. An objective that the model at hand
 * already meets at 0 (typically avoid, and lag_request when the requested names are at their
 * newest) is held at 0 by unit clauses without a solver call, and maxsat_forced starts from
 * the model the last minimisation left instead of solving for one. The minimiser is told that
 * c_i implies c_{i+1} (implies[]), so that it trims a core holding several links of one chain
 * to the last of them.
 *
 * Tie-break, when several answers are equal on every criterion: the names of the cone in
 * alphabetical order, each left out if some tied answer leaves it out, otherwise given the
 * newest version some tied answer gives it; every decision holds for the names after it. It
 * depends only on the set of tied answers, not on the models the SAT solver returns. */
#include "policy.h"
#include <stdlib.h>
#include <string.h>
#include "criteria.h"
#include "maxsat.h"
#include "vsolve.h"

typedef struct objective {
    int_vec lits;
    VEC(uint64_t) weights;
    int_vec implies;       /* per term: the later term of the same chain its literal implies, or -1 */
} objective;

typedef struct or_def {
    int var;               /* an auxiliary literal whose cheapest value is the OR of its sources
                              (a chain or changed literal is at least that, a removed one at most) */
    uint32_t first, n;     /* its sources in optimum.def_lits */
} or_def;

typedef struct optimum {
    vs_encoding *e;
    const vs_universe *u;
    objective obj[VS_CRIT_COUNT];
    u32_vec by_name;       /* the cone's packages in id order: by name, then version */
    int_vec trial;
    VEC(or_def) defs;      /* the auxiliary literals (chains, installed names), in the order made */
    int_vec def_lits;
    unsigned char *installed;   /* per package of the universe: in req->keep (NULL: none is) */
    signed char *value;    /* per solver variable: a model's value (see model_value) */
    size_t n_value;
} optimum;

static int term(objective *o, int lit, uint64_t w)
{
    if (!w)
        return VSOLVE_OK;
    if (!vec_push(&o->lits, lit) || !vec_push(&o->weights, w) || !vec_push(&o->implies, -1))
        return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

/* A chain term of o after the term *prev of the same chain (-1: none): c_i implies c_{i+1}. */
static int chain_term(objective *o, int lit, uint64_t w, int *prev)
{
    size_t before = o->lits.len;
    int rc = term(o, lit, w);
    if (rc != VSOLVE_OK || o->lits.len == before)
        return rc;
    if (*prev >= 0)
        o->implies.items[*prev] = (int)before;
    *prev = (int)before;
    return VSOLVE_OK;
}

/* Records that the cheapest value of var is src[0] | ... | src[n-1] (see or_def, model_values). */
static int add_def(optimum *o, int var, const int *src, size_t n)
{
    or_def d = { var, (uint32_t)o->def_lits.len, (uint32_t)n };
    return vec_append(&o->def_lits, src, n) && vec_push(&o->defs, d) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static int is_virtual(const vs_universe *u, uint32_t pkg)
{
    return (u->pkgs.items[pkg].flags & VS_PKG_VIRTUAL) != 0;
}

/* Do the packages pkgs[0..n) of one name share one slot (at most one installed)? */
static int one_slot(const vs_universe *u, const uint32_t *pkgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (u->pkgs.items[pkgs[i]].slot == VS_NONE || u->pkgs.items[pkgs[i]].slot != u->pkgs.items[pkgs[0]].slot)
            return 0;
    return 1;
}

typedef struct by_lag {
    uint32_t pkg, lag;
} by_lag;

static int cmp_lag_desc(const void *a, const void *b)
{
    const by_lag *x = a, *y = b;
    if (x->lag != y->lag)
        return x->lag > y->lag ? -1 : 1;
    return x->pkg < y->pkg ? -1 : x->pkg > y->pkg;
}

/* The lag and changed terms of one name's cone packages pkgs[0..n). */
static int name_terms(optimum *o, const uint32_t *pkgs, size_t n, int requested)
{
    const vs_universe *u = o->u;
    vs_encoding *e = o->e;
    by_lag *v = malloc(n * sizeof *v);
    if (!v)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = (by_lag){ pkgs[i], criteria_lag(u, pkgs[i]) };
    int rc = VSOLVE_OK;
    if (!one_slot(u, pkgs, n)) {
        for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
            int x = encode_lit(e, v[i].pkg);
            rc = term(&o->obj[VS_CRIT_LAG_CHANGED], x, v[i].lag);
            if (rc == VSOLVE_OK && requested)
                rc = term(&o->obj[VS_CRIT_LAG_REQUEST], x, v[i].lag);
            if (rc == VSOLVE_OK)
                rc = term(&o->obj[VS_CRIT_CHANGED], x, 1);
        }
        free(v);
        return rc;
    }
    qsort(v, n, sizeof *v, cmp_lag_desc);
    int prev = 0, prev_changed = -1, prev_request = -1;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        int x = encode_lit(e, v[i].pkg), c = x;
        if (i > 0) {
            c = (int)sat_add_vars(e->s, 1) + 1;
            int a[2] = { -x, c }, b[2] = { -prev, c }, src[2] = { x, prev };
            if (sat_add_clause(e->s, a, 2) < 0 || sat_add_clause(e->s, b, 2) < 0 || add_def(o, c, src, 2) != VSOLVE_OK)
                rc = VSOLVE_ENOMEM;
        }
        uint64_t w = v[i].lag - (i + 1 < n ? v[i + 1].lag : 0);
        if (rc == VSOLVE_OK)
            rc = chain_term(&o->obj[VS_CRIT_LAG_CHANGED], c, w, &prev_changed);
        if (rc == VSOLVE_OK && requested)
            rc = chain_term(&o->obj[VS_CRIT_LAG_REQUEST], c, w, &prev_request);
        if (rc == VSOLVE_OK && i + 1 == n)
            rc = term(&o->obj[VS_CRIT_CHANGED], c, 1);
        prev = c;
    }
    free(v);
    return rc;
}

/* A chain over v[0..n), sorted by falling lag, whose terms in obj pay the lag of the version
 * installed (the links whose lag is 0 need no literal). */
static int lag_chain(optimum *o, const by_lag *v, size_t n, objective *obj)
{
    int prev = 0, prev_term = -1, rc = VSOLVE_OK;
    for (size_t i = 0; i < n && v[i].lag > 0 && rc == VSOLVE_OK; i++) {
        int x = encode_lit(o->e, v[i].pkg), c = x;
        if (i > 0) {
            c = (int)sat_add_vars(o->e->s, 1) + 1;
            int a[2] = { -x, c }, b[2] = { -prev, c }, src[2] = { x, prev };
            if (sat_add_clause(o->e->s, a, 2) < 0 || sat_add_clause(o->e->s, b, 2) < 0 || add_def(o, c, src, 2) != VSOLVE_OK)
                rc = VSOLVE_ENOMEM;
        }
        if (rc == VSOLVE_OK)
            rc = chain_term(obj, c, v[i].lag - (i + 1 < n ? v[i + 1].lag : 0), &prev_term);
        prev = c;
    }
    return rc;
}

/* The lag terms in obj of the packages pkgs[0..n) of one name, at their lags v[i].lag. */
static int lag_terms(optimum *o, by_lag *v, size_t n, int slot, objective *obj)
{
    if (slot) {
        qsort(v, n, sizeof *v, cmp_lag_desc);
        return lag_chain(o, v, n, obj);
    }
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        rc = term(obj, encode_lit(o->e, v[i].pkg), v[i].lag);
    return rc;
}

/* The terms of one name's cone packages pkgs[0..n) when some version of it is installed
 * (criteria.h): removed when none is left, changed when the versions differ, lag_changed
 * for the versions not installed, lag_request (if requested) for every version. */
static int installed_name_terms(optimum *o, const uint32_t *pkgs, size_t n, int requested)
{
    const vs_universe *u = o->u;
    vs_encoding *e = o->e;
    int slot = one_slot(u, pkgs, n), rc = VSOLVE_OK;
    const vs_name *nm = &u->names.items[u->pkgs.items[pkgs[0]].name];
    size_t n_installed = 0, here = 0;
    uint32_t kept = pkgs[0];
    for (uint32_t j = 0; j < nm->n_pkgs; j++)
        n_installed += o->installed[nm->first_pkg + j];
    for (size_t i = 0; i < n; i++)
        if (o->installed[pkgs[i]]) {
            here++;
            kept = pkgs[i];
        }
    by_lag *v = malloc(n * sizeof *v);
    int_vec lits = { 0 };
    if (!v)
        return VSOLVE_ENOMEM;
    if (requested) {
        for (size_t i = 0; i < n; i++)
            v[i] = (by_lag){ pkgs[i], criteria_lag(u, pkgs[i]) };
        rc = lag_terms(o, v, n, slot, &o->obj[VS_CRIT_LAG_REQUEST]);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (by_lag){ pkgs[i], o->installed[pkgs[i]] ? 0 : criteria_lag(u, pkgs[i]) };
    if (rc == VSOLVE_OK)
        rc = lag_terms(o, v, n, slot, &o->obj[VS_CRIT_LAG_CHANGED]);
    /* removed: a <= x_1 | ... | x_n, penalty -a */
    int a = (int)sat_add_vars(e->s, 1) + 1;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if (!vec_push(&lits, encode_lit(e, pkgs[i])))
            rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK && (!vec_push(&lits, -a) || sat_add_clause(e->s, lits.items, lits.len) < 0 ||
                            add_def(o, a, lits.items, n) != VSOLVE_OK))
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK)
        rc = term(&o->obj[VS_CRIT_REMOVED], -a, 1);
    /* changed: constant when an installed version is out of the cone; -x_v for one slot and one
     * installed version v; else d >= (-x_v for v installed) | (x_q for q not installed) */
    if (rc == VSOLVE_OK && here == n_installed && slot && here == 1) {
        rc = term(&o->obj[VS_CRIT_CHANGED], -encode_lit(e, kept), 1);
    } else if (rc == VSOLVE_OK && here == n_installed) {
        int d = (int)sat_add_vars(e->s, 1) + 1;
        lits.len = 0;
        for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
            int x = encode_lit(e, pkgs[i]), src = o->installed[pkgs[i]] ? -x : x, cl[2] = { -src, d };
            if (!vec_push(&lits, src) || sat_add_clause(e->s, cl, 2) < 0)
                rc = VSOLVE_ENOMEM;
        }
        if (rc == VSOLVE_OK && add_def(o, d, lits.items, lits.len) != VSOLVE_OK)
            rc = VSOLVE_ENOMEM;
        if (rc == VSOLVE_OK)
            rc = term(&o->obj[VS_CRIT_CHANGED], d, 1);
    }
    vec_free(&lits);
    free(v);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int build_objectives(optimum *o)
{
    const vs_universe *u = o->u;
    vs_encoding *e = o->e;
    const vs_request *req = e->req;
    int rc = VSOLVE_OK;
    if (req->keep.len) {   /* the installed set (criteria.h) */
        if (!(o->installed = calloc(u->pkgs.len ? u->pkgs.len : 1, 1)))
            return VSOLVE_ENOMEM;
        for (size_t k = 0; k < req->keep.len; k++)
            o->installed[req->keep.items[k]] = 1;
    }
    for (size_t i = 0; i < e->cone.len && rc == VSOLVE_OK; i++) {
        uint32_t pkg = e->cone.items[i];
        if (!is_virtual(u, pkg) && (u->pkgs.items[pkg].flags & VS_PKG_AVOID) && !(o->installed && o->installed[pkg]))
            rc = term(&o->obj[VS_CRIT_AVOID], encode_lit(e, pkg), 1);
        if (rc == VSOLVE_OK && !is_virtual(u, pkg) && !vec_push(&o->by_name, pkg))
            rc = VSOLVE_ENOMEM;
    }
    if (rc != VSOLVE_OK)
        return rc;
    if (o->by_name.len)
        qsort(o->by_name.items, o->by_name.len, sizeof *o->by_name.items, cmp_u32);
    unsigned char *roots = calloc(u->names.len ? u->names.len : 1, 1);
    if (!roots)
        return VSOLVE_ENOMEM;
    for (size_t a = 0; a < req->atoms.len; a++)
        if (criteria_requested(req, &req->atoms.items[a]))
            roots[req->atoms.items[a].name] = 1;
    for (size_t i = 0; i < o->by_name.len && rc == VSOLVE_OK;) {
        uint32_t name = u->pkgs.items[o->by_name.items[i]].name;
        const vs_name *nm = &u->names.items[name];
        size_t j = i;
        int any_installed = 0;
        while (j < o->by_name.len && u->pkgs.items[o->by_name.items[j]].name == name)
            j++;
        for (uint32_t k = 0; o->installed && k < nm->n_pkgs; k++)
            any_installed |= o->installed[nm->first_pkg + k];
        rc = any_installed ? installed_name_terms(o, o->by_name.items + i, j - i, roots[name])
                           : name_terms(o, o->by_name.items + i, j - i, roots[name]);
        i = j;
    }
    free(roots);
    return rc;
}

/* Solves under the selectors and extra[0..n); on a model, copies it to model. 1 / 0 / error. */
static int try_with(optimum *o, const int *extra, size_t n, unsigned char *model)
{
    o->trial.len = 0;
    if (!vec_append(&o->trial, o->e->selectors.items, o->e->selectors.len) || !vec_append(&o->trial, extra, n))
        return -VSOLVE_ENOMEM;
    enum sat_answer a = sat_solve(o->e->s, o->trial.items, o->trial.len);
    if (a == SAT_UNKNOWN)
        return -VSOLVE_ENOMEM;
    if (a == SAT_UNSAT)
        return 0;
    for (size_t v = 0; v < o->e->cone.len; v++)
        model[v] = (unsigned char)sat_model_value(o->e->s, (uint32_t)v);
    return 1;
}

static int units(sat *s, const int *lits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sat_add_clause(s, &lits[i], 1) < 0)
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

/* The canonical tie-break (see the top of the file). */
static int tie_break(optimum *o, unsigned char *model, int have_model)
{
    const vs_universe *u = o->u;
    vs_encoding *e = o->e;
    int_vec lits = { 0 };
    int rc = VSOLVE_OK;
    /* the versions every tied answer installs need no decision: found together, in a few calls */
    unsigned char *forced = malloc(o->by_name.len ? o->by_name.len : 1);
    if (!forced)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < o->by_name.len && rc == VSOLVE_OK; i++)
        if (!vec_push(&lits, encode_lit(e, o->by_name.items[i])))
            rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK)
        rc = maxsat_forced(e->s, e->selectors.items, e->selectors.len, lits.items, lits.len, forced, 8, have_model);
    for (size_t i = 0; i < o->by_name.len && rc == VSOLVE_OK;) {
        const uint32_t *pkgs = o->by_name.items + i;
        const unsigned char *forced_here = forced + i;
        uint32_t name = u->pkgs.items[pkgs[0]].name;
        size_t n = 0;
        while (i + n < o->by_name.len && u->pkgs.items[pkgs[n]].name == name)
            n++;
        i += n;
        int settled = 0;
        for (size_t k = 0; k < n; k++)
            settled |= forced_here[k];
        if (settled)
            continue;
        /* left out? */
        lits.len = 0;
        int any = 0;
        for (size_t k = 0; k < n; k++) {
            any |= model[e->cone.var_of_pkg[pkgs[k]]];
            if (!vec_push(&lits, -encode_lit(e, pkgs[k]))) {
                rc = VSOLVE_ENOMEM;
                break;
            }
        }
        if (rc != VSOLVE_OK)
            break;
        int r = any ? try_with(o, lits.items, lits.len, model) : 1;
        if (r < 0) {
            rc = -r;
            break;
        }
        if (r == 1) {
            rc = units(e->s, lits.items, lits.len);
            continue;
        }
        if (!one_slot(u, pkgs, n)) {   /* versions side by side: keep the model's */
            for (size_t k = 0; k < n && rc == VSOLVE_OK; k++) {
                int x = encode_lit(e, pkgs[k]), lit = model[e->cone.var_of_pkg[pkgs[k]]] ? x : -x;
                rc = units(e->s, &lit, 1);
            }
            continue;
        }
        /* installed: as new as possible */
        for (;;) {
            size_t cur = 0;
            for (size_t k = 0; k < n; k++)
                if (model[e->cone.var_of_pkg[pkgs[k]]])
                    cur = k;
            if (cur + 1 == n) {
                int x = encode_lit(e, pkgs[cur]);
                rc = units(e->s, &x, 1);
                break;
            }
            lits.len = cur + 1;   /* lits[k] is "not pkgs[k]": nothing up to the current one */
            r = try_with(o, lits.items, lits.len, model);
            if (r < 0) {
                rc = -r;
                break;
            }
            if (r == 0) {
                int x = encode_lit(e, pkgs[cur]);
                rc = units(e->s, &x, 1);
                break;
            }
        }
    }
    vec_free(&lits);
    free(forced);
    return rc;
}

/* Makes the penalties of obj that every answer left has (found in a few solver calls, by
 * maxsat_forced) unit clauses, so that the minimisation pays them without a call each. */
static int settle_forced(optimum *o, const objective *obj, int have_model)
{
    unsigned char *forced = malloc(obj->lits.len ? obj->lits.len : 1);
    if (!forced)
        return VSOLVE_ENOMEM;
    int rc = maxsat_forced(o->e->s, o->e->selectors.items, o->e->selectors.len, obj->lits.items, obj->lits.len, forced, 4,
                           have_model);
    for (size_t i = 0; i < obj->lits.len && rc == VSOLVE_OK; i++)
        if (forced[i])
            rc = units(o->e->s, &obj->lits.items[i], 1);
    free(forced);
    return rc;
}

/* The values of the solver's variables in a model of its clauses as they are now: the
 * solver's own last model (solver_model), or else `model` on the cone with each auxiliary
 * literal at its cheapest value that its clauses allow (the OR of its sources, or_def). */
static int model_values(optimum *o, const unsigned char *model, int solver_model)
{
    size_t n = sat_num_vars(o->e->s);
    if (n > o->n_value) {
        signed char *v = realloc(o->value, n);
        if (!v)
            return VSOLVE_ENOMEM;
        o->value = v;
        o->n_value = n;
    }
    for (size_t v = 0; v < n; v++)
        o->value[v] = (signed char)(solver_model ? sat_model_value(o->e->s, (uint32_t)v)
                                                 : v < o->e->cone.len ? model[v] : 0);
    for (size_t i = 0; !solver_model && i < o->defs.len; i++) {
        const or_def *d = &o->defs.items[i];
        int v = 0;
        for (uint32_t k = 0; k < d->n; k++) {
            int lit = o->def_lits.items[d->first + k];
            v |= lit > 0 ? o->value[lit - 1] != 0 : o->value[-lit - 1] == 0;
        }
        o->value[d->var - 1] = (signed char)v;
    }
    return VSOLVE_OK;
}

/* When no penalty of obj is paid in the model model_values gave, obj is at its minimum, 0:
 * holds every penalty false with a unit clause, without a solver call. 1 when it did. */
static int settle_if_zero(optimum *o, const objective *obj)
{
    for (size_t i = 0; i < obj->lits.len; i++) {
        int lit = obj->lits.items[i];
        if ((lit > 0) == (o->value[abs(lit) - 1] != 0))
            return 0;
    }
    for (size_t i = 0; i < obj->lits.len; i++) {
        int off = -obj->lits.items[i];
        if (sat_add_clause(o->e->s, &off, 1) < 0)
            return -VSOLVE_ENOMEM;
    }
    return 1;
}

int policy_opam_criteria(vs_encoding *e, unsigned char *model)
{
    optimum o = { .e = e, .u = e->u };
    for (size_t v = 0; v < e->cone.len; v++)   /* the model vs_solve found */
        model[v] = (unsigned char)sat_model_value(e->s, (uint32_t)v);
    int rc = build_objectives(&o);
    int solver_model = 0;   /* the solver's last model is one of its clauses as they are now */
    for (int c = 0; c < VS_CRIT_COUNT && rc == VSOLVE_OK; c++) {
        if (!o.obj[c].lits.len)
            continue;
        uint64_t opt;
        /* an objective the model at hand already meets at 0 needs no search (often avoid and
         * lag_request: no avoid-version package, the requested names at their newest) */
        rc = model_values(&o, model, solver_model);
        int zero = rc == VSOLVE_OK ? settle_if_zero(&o, &o.obj[c]) : 0;
        if (zero < 0)
            rc = -zero;
        if (rc != VSOLVE_OK)
            break;
        if (zero)
            continue;
        if (c == VS_CRIT_CHANGED) {   /* the lags fixed, most names are settled: find them together */
            rc = settle_forced(&o, &o.obj[c], solver_model);
            solver_model = 0;
        }
        if (rc != VSOLVE_OK)
            break;
        rc = maxsat_minimize(e->s, e->selectors.items, e->selectors.len, o.obj[c].lits.items, o.obj[c].weights.items,
                             o.obj[c].implies.items, o.obj[c].lits.len, &opt, model, e->cone.len);
        solver_model = 1;   /* its last call found the optimum, which the clauses it added keep */
    }
    if (rc == VSOLVE_OK)
        rc = tie_break(&o, model, solver_model);
    for (int c = 0; c < VS_CRIT_COUNT; c++) {
        vec_free(&o.obj[c].lits);
        vec_free(&o.obj[c].weights);
        vec_free(&o.obj[c].implies);
    }
    vec_free(&o.by_name);
    vec_free(&o.trial);
    vec_free(&o.defs);
    vec_free(&o.def_lits);
    free(o.installed);
    free(o.value);
    return rc;
}
