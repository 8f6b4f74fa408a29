/* cudf_build.c: a parsed CUDF document turned into the universe and request: versions,
 * dependency clauses through provides, conflicts, slots, installed packages and the request. */
#include "cudf_doc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building the universe ------------------------------------------------------------- */

/* Versions are decimal strings without leading zeros: shorter is smaller. */
static int version_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int op_holds(uint32_t op, uint64_t v, uint64_t c)
{
    switch (op) {
    case OP_EQ: return v == c;
    case OP_NE: return v != c;
    case OP_LT: return v < c;
    case OP_LE: return v <= c;
    case OP_GT: return v > c;
    case OP_GE: return v >= c;
    default: return 1;
    }
}

typedef struct provide {
    uint32_t pkg;
    uint32_t op;        /* OP_ANY (every version) or OP_EQ */
    uint64_t ver;
} provide;

typedef struct builder {
    cudf_doc *ps;
    vs_universe *u;
    vs_request *req;
    const stanza **st;          /* package id -> its stanza */
    uint64_t *ver;              /* package id -> its version */
    uint32_t n_strings;         /* strings interned while parsing (every name among them) */
    uint32_t *prov_start;       /* string id -> provides[prov_start[s], prov_start[s + 1]) */
    provide *provides;
    uint32_t *stamp;            /* package id -> epoch it was last collected in */
    uint32_t *clause_of_desc;   /* clause description (string id) -> 1 + a clause with it, or 0 */
    uint32_t epoch;
    unsigned char *grouped;     /* name index -> one version at a time (a group) */
    u32_vec out;
} builder;

static uint32_t real_name(const builder *b, uint32_t str)
{
    return str < b->u->name_of_str_len ? b->u->name_of_str[str] : VS_NONE;
}

/* The first package in [lo, hi) (one name, ascending) whose version is >= v, or hi. */
static uint32_t first_at_least(const builder *b, uint32_t lo, uint32_t hi, uint64_t v)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b->ver[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int take(builder *b, uint32_t pkg)
{
    if (b->stamp[pkg] == b->epoch)
        return 1;
    b->stamp[pkg] = b->epoch;
    return vec_push(&b->out, pkg);
}

/* Appends to b->out (once each, this epoch) the packages matching vp: versions of its name and
 * packages providing it, except `self`; with skip_real only the providers. */
static int collect(builder *b, const vpkg *vp, uint32_t self, int skip_real)
{
    uint32_t nm = real_name(b, vp->name);
    if (nm != VS_NONE && !skip_real) {
        const vs_name *n = &b->u->names.items[nm];
        uint32_t lo = n->first_pkg, hi = n->first_pkg + n->n_pkgs;
        if (vp->op != OP_ANY && vp->op != OP_NE) {
            /* versions ascend: the matches are one run [lo, hi) */
            uint32_t below = first_at_least(b, lo, hi, vp->ver);        /* first >= ver */
            uint32_t above = first_at_least(b, below, hi, vp->ver + 1); /* first > ver */
            switch (vp->op) {
            case OP_EQ: lo = below, hi = above; break;
            case OP_LT: hi = below; break;
            case OP_LE: hi = above; break;
            case OP_GT: lo = above; break;
            default: lo = below; break;   /* OP_GE */
            }
        }
        for (uint32_t q = lo; q < hi; q++)
            if (q != self && op_holds(vp->op, b->ver[q], vp->ver) && !take(b, q))
                return VSOLVE_ENOMEM;
    }
    if (vp->name < b->n_strings)
        for (uint32_t i = b->prov_start[vp->name]; i < b->prov_start[vp->name + 1]; i++) {
            const provide *pr = &b->provides[i];
            if (pr->pkg == self)
                continue;
            if ((pr->op == OP_ANY || vp->op == OP_ANY || op_holds(vp->op, pr->ver, vp->ver)) && !take(b, pr->pkg))
                return VSOLVE_ENOMEM;
        }
    return VSOLVE_OK;
}

static int index_provides(builder *b)
{
    const vs_universe *u = b->u;
    const cudf_doc *ps = b->ps;
    b->prov_start = calloc((size_t)b->n_strings + 1, sizeof *b->prov_start);
    size_t total = 0;
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        total += b->st[p]->prov_count;
    b->provides = malloc((total ? total : 1) * sizeof *b->provides);
    if (!b->prov_start || !b->provides)
        return VSOLVE_ENOMEM;
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        for (uint32_t i = 0; i < b->st[p]->prov_count; i++)
            b->prov_start[ps->vpkgs.items[b->st[p]->prov_first + i].name + 1]++;
    for (uint32_t s = 0; s < b->n_strings; s++)
        b->prov_start[s + 1] += b->prov_start[s];
    uint32_t *fill = malloc(((size_t)b->n_strings + 1) * sizeof *fill);
    if (!fill)
        return VSOLVE_ENOMEM;
    memcpy(fill, b->prov_start, ((size_t)b->n_strings + 1) * sizeof *fill);
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        for (uint32_t i = 0; i < b->st[p]->prov_count; i++) {
            const vpkg *vp = &ps->vpkgs.items[b->st[p]->prov_first + i];
            provide pr = { .pkg = p, .op = vp->op, .ver = vp->ver };
            b->provides[fill[vp->name]++] = pr;
        }
    free(fill);
    return VSOLVE_OK;
}

/* Does `op ver` hold for every version of the name but the j-th? The versions v[0..n) ascend
 * strictly (as universe_sort leaves them), so the question needs the others' least and greatest
 * and, for !=, a binary search: no quadratic walk for a name with 100,000 versions. */
static int holds_for_others(uint32_t op, uint64_t ver, const stanza *const *st, uint32_t n, uint32_t j)
{
    uint64_t lo = st[j == 0 ? 1 : 0]->version, hi = st[j == n - 1 ? n - 2 : n - 1]->version;
    switch (op) {
    case OP_EQ: return lo == ver && hi == ver;
    case OP_LT: return hi < ver;
    case OP_LE: return hi <= ver;
    case OP_GT: return lo > ver;
    case OP_GE: return lo >= ver;
    case OP_NE: {
        uint32_t a = 0, z = n;   /* the first version >= ver */
        while (a < z) {
            uint32_t m = a + (z - a) / 2;
            if (st[m]->version < ver)
                a = m + 1;
            else
                z = m;
        }
        return a == n || st[a]->version != ver || a == j;
    }
    default: return 1;
    }
}

/* The one-version rule: a name gets an at-most-one group when all its versions but at most one
 * conflict with every other version of the name (opam writes "conflicts: NAME" in each). */
static int find_groups(builder *b)
{
    const vs_universe *u = b->u;
    b->grouped = calloc(u->names.len ? u->names.len : 1, 1);
    if (!b->grouped)
        return VSOLVE_ENOMEM;
    for (uint32_t k = 0; k < u->names.len; k++) {
        const vs_name *nm = &u->names.items[k];
        if (nm->n_pkgs < 2)
            continue;
        const stanza *const *vs = (const stanza *const *)b->st + nm->first_pkg;
        int ascending = 1;
        for (uint32_t i = 1; i < nm->n_pkgs && ascending; i++)
            ascending = vs[i - 1]->version < vs[i]->version;
        uint32_t without = 0;
        for (uint32_t j = 0; j < nm->n_pkgs && without <= 1; j++) {
            uint32_t p = nm->first_pkg + j;
            const stanza *st = b->st[p];
            int covers = 0;
            for (uint32_t c = 0; c < st->conf_count && !covers; c++) {
                const vpkg *vp = &b->ps->vpkgs.items[st->conf_first + c];
                if (vp->name != nm->str)
                    continue;
                covers = 1;
                if (ascending)
                    covers = holds_for_others(vp->op, vp->ver, vs, nm->n_pkgs, j);
                for (uint32_t i = 0; i < nm->n_pkgs && covers && !ascending; i++)
                    if (nm->first_pkg + i != p && !op_holds(vp->op, b->st[nm->first_pkg + i]->version, vp->ver))
                        covers = 0;
            }
            without += !covers;
        }
        b->grouped[k] = without <= 1;
    }
    return VSOLVE_OK;
}

static int add_package_rules(builder *b, uint32_t p)
{
    const stanza *st = b->st[p];
    const cudf_doc *ps = b->ps;
    int rc;
    for (uint32_t c = 0; c < st->dep_count; c++) {
        const dclause *cl = &ps->clauses.items[st->dep_first + c];
        /* a clause's text determines its providers: the same text seen before is copied */
        uint32_t *seen = cl->desc < b->n_strings ? &b->clause_of_desc[cl->desc] : NULL;
        b->out.len = 0;
        if (seen && *seen) {
            const vs_clause *prev = &b->u->clauses.items[*seen - 1];
            if (prev->count && !vec_append(&b->out, b->u->ids.items + prev->first, prev->count))
                return VSOLVE_ENOMEM;
        } else {
            b->epoch++;
            for (uint32_t i = 0; i < cl->count; i++)
                if ((rc = collect(b, &ps->vpkgs.items[cl->first + i], VS_NONE, 0)) != VSOLVE_OK)
                    return rc;
        }
        if ((rc = universe_add_clause(b->u, p, cl->desc, b->out.items, b->out.len)) != VSOLVE_OK)
            return rc;
        if (seen && !*seen)
            *seen = (uint32_t)b->u->clauses.len;
    }
    uint32_t own = b->u->pkgs.items[p].name;
    b->epoch++;
    b->out.len = 0;
    for (uint32_t c = 0; c < st->conf_count; c++) {
        const vpkg *vp = &ps->vpkgs.items[st->conf_first + c];
        int own_grouped = b->grouped[own] && vp->name == b->u->names.items[own].str;
        if ((rc = collect(b, vp, p, own_grouped)) != VSOLVE_OK)
            return rc;
    }
    return universe_add_conflicts(b->u, p, b->out.items, b->out.len);
}

static int add_groups(builder *b)
{
    vs_universe *u = b->u;
    for (uint32_t k = 0; k < u->names.len; k++) {
        if (!b->grouped[k] || u->names.items[k].n_pkgs < 2)
            continue;
        const vs_name *nm = &u->names.items[k];
        b->out.len = 0;
        for (uint32_t j = 0; j < nm->n_pkgs; j++)
            if (!vec_push(&b->out, nm->first_pkg + j))
                return VSOLVE_ENOMEM;
        int rc = universe_add_slot(u, nm->str, b->out.items, b->out.len, NULL);
        if (rc != VSOLVE_OK)
            return rc;
    }
    return VSOLVE_OK;
}

/* An installed package: its keep: property becomes request atoms; without one, it is kept if
 * possible (unless an upgrade of its name asks for a newer version). */
static int keep_installed(builder *b, uint32_t p, int upgraded)
{
    vs_universe *u = b->u;
    const stanza *st = b->st[p];
    const char *name = universe_pkg_name(u, p), *ver = universe_pkg_version(u, p);
    uint32_t nm = u->pkgs.items[p].name, desc;
    char buf[256];
    int rc = VSOLVE_OK;
    switch (st->keep) {
    case KEEP_VERSION:
        snprintf(buf, sizeof buf, "%s = %s (installed, keep: version)", name, ver);
        if ((desc = universe_intern(u, buf, strlen(buf))) == UINT32_MAX)
            return VSOLVE_ENOMEM;
        return request_add_atom(b->req, desc, nm, &p, 1);
    case KEEP_PACKAGE: {
        snprintf(buf, sizeof buf, "%s (installed, keep: package)", name);
        if ((desc = universe_intern(u, buf, strlen(buf))) == UINT32_MAX)
            return VSOLVE_ENOMEM;
        const vs_name *n = &u->names.items[nm];
        b->out.len = 0;
        for (uint32_t j = 0; j < n->n_pkgs; j++)
            if (!vec_push(&b->out, n->first_pkg + j))
                return VSOLVE_ENOMEM;
        return request_add_atom(b->req, desc, nm, b->out.items, b->out.len);
    }
    case KEEP_FEATURE:
        for (uint32_t i = 0; i < st->prov_count && rc == VSOLVE_OK; i++) {
            const vpkg *vp = &b->ps->vpkgs.items[st->prov_first + i];
            snprintf(buf, sizeof buf, "%s (provided by installed %s = %s, keep: feature)",
                     universe_str(u, vp->name), name, ver);
            if ((desc = universe_intern(u, buf, strlen(buf))) == UINT32_MAX)
                return VSOLVE_ENOMEM;
            b->epoch++;
            b->out.len = 0;
            if ((rc = collect(b, vp, VS_NONE, 0)) == VSOLVE_OK)
                rc = request_add_atom(b->req, desc, real_name(b, vp->name), b->out.items, b->out.len);
        }
        return rc;
    default:
        return upgraded ? VSOLVE_OK : request_keep(b->req, p);
    }
}

static int add_request(builder *b)
{
    const cudf_doc *ps = b->ps;
    vs_universe *u = b->u;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < ps->request.len && rc == VSOLVE_OK; i++) {
        const req_item *it = &ps->request.items[i];
        const vpkg *vp = &ps->vpkgs.items[it->vp];
        uint32_t nm = real_name(b, vp->name);
        b->epoch++;
        b->out.len = 0;
        if ((rc = collect(b, vp, VS_NONE, 0)) != VSOLVE_OK)
            return rc;
        if (it->kind == REQ_REMOVE) {
            rc = request_forbid(b->req, it->desc, nm, b->out.items, b->out.len);
            continue;
        }
        if (it->kind == REQ_UPGRADE && nm != VS_NONE) {
            /* CUDF: never older than the newest installed version of the name */
            uint64_t floor = 0;
            const vs_name *n = &u->names.items[nm];
            for (uint32_t j = 0; j < n->n_pkgs; j++)
                if (b->st[n->first_pkg + j]->installed)
                    floor = b->st[n->first_pkg + j]->version;
            size_t k = 0;
            for (size_t j = 0; j < b->out.len; j++) {
                uint32_t q = b->out.items[j];
                if (u->pkgs.items[q].name != nm || b->st[q]->version >= floor)
                    b->out.items[k++] = q;
            }
            b->out.len = k;
        }
        rc = request_add_atom(b->req, it->desc, nm, b->out.items, b->out.len);
    }
    /* installed packages: kept as their keep: property says, or kept if possible (except the
     * versions that an upgrade asks to replace) */
    unsigned char *upgraded = calloc(u->names.len ? u->names.len : 1, 1);
    if (!upgraded)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < ps->request.len; i++) {
        uint32_t nm = real_name(b, ps->vpkgs.items[ps->request.items[i].vp].name);
        if (ps->request.items[i].kind == REQ_UPGRADE && nm != VS_NONE)
            upgraded[nm] = 1;
    }
    for (uint32_t p = 0; p < u->pkgs.len && rc == VSOLVE_OK; p++)
        if (b->st[p]->installed)
            rc = keep_installed(b, p, upgraded[u->pkgs.items[p].name]);
    free(upgraded);
    return rc;
}

/* Finds the first stanza the universe dropped as a duplicate (same name and version). */
static int duplicate_error(cudf_doc *ps, vs_universe *u)
{
    unsigned char *kept = calloc(ps->pkgs.len ? ps->pkgs.len : 1, 1);
    if (!kept)
        return cudf_oom(ps);
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        kept[(const stanza *)u->pkgs.items[p].user - ps->pkgs.items] = 1;
    size_t i = 0;
    while (i < ps->pkgs.len && kept[i])
        i++;
    free(kept);
    const stanza *dup = &ps->pkgs.items[i < ps->pkgs.len ? i : 0];
    unsigned other = 0;
    uint32_t nm = dup->name < u->name_of_str_len ? u->name_of_str[dup->name] : VS_NONE;
    for (uint32_t j = 0; nm != VS_NONE && j < u->names.items[nm].n_pkgs; j++) {
        const stanza *st = u->pkgs.items[u->names.items[nm].first_pkg + j].user;
        if (st->version == dup->version)
            other = st->line;
    }
    return vs_error_at(ps->err, ps->file, dup->line, 1,
                       "expected each package version once, found %s version %s again (first at line %u)",
                       universe_str(u, dup->name), universe_str(u, dup->version_str), other);
}

int cudf_build(cudf_doc *ps, vs_universe *u, vs_request *req, cudf_opam_map *map)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < ps->pkgs.len && rc == VSOLVE_OK; i++) {
        stanza *st = &ps->pkgs.items[i];
        rc = universe_add_package(u, st->name, st->version_str, st->avoid ? VS_PKG_AVOID : 0, st);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(u, version_cmp);
    if (rc != VSOLVE_OK)
        return cudf_oom(ps);
    if (u->pkgs.len != ps->pkgs.len)
        return duplicate_error(ps, u);

    builder b = { .ps = ps, .u = u, .req = req, .n_strings = u->strings.count };
    size_t n = u->pkgs.len;
    b.st = malloc((n ? n : 1) * sizeof *b.st);
    b.ver = malloc((n ? n : 1) * sizeof *b.ver);
    b.stamp = calloc(n ? n : 1, sizeof *b.stamp);
    b.clause_of_desc = calloc(b.n_strings ? b.n_strings : 1, sizeof *b.clause_of_desc);
    if (!b.st || !b.ver || !b.stamp || !b.clause_of_desc)
        rc = VSOLVE_ENOMEM;
    for (size_t p = 0; p < n && rc == VSOLVE_OK; p++) {
        b.st[p] = u->pkgs.items[p].user;
        b.ver[p] = b.st[p]->version;
        u->pkgs.items[p].user = NULL;   /* the stanzas do not outlive the load */
    }
    if (rc == VSOLVE_OK)
        rc = index_provides(&b);
    if (rc == VSOLVE_OK)
        rc = find_groups(&b);
    for (uint32_t p = 0; p < n && rc == VSOLVE_OK; p++)
        rc = add_package_rules(&b, p);
    if (rc == VSOLVE_OK)
        rc = add_groups(&b);
    if (rc == VSOLVE_OK)
        rc = add_request(&b);
    if (rc == VSOLVE_OK && map) {
        map->name = malloc((n ? n : 1) * sizeof *map->name);
        map->version = malloc((n ? n : 1) * sizeof *map->version);
        if (!map->name || !map->version)
            rc = VSOLVE_ENOMEM;
        for (size_t p = 0; p < n && rc == VSOLVE_OK; p++) {
            map->name[p] = b.st[p]->opam_name;
            map->version[p] = b.st[p]->opam_version;
        }
        map->count = rc == VSOLVE_OK ? n : 0;
    }
    free(b.st);
    free(b.ver);
    free(b.stamp);
    free(b.clause_of_desc);
    free(b.prov_start);
    free(b.provides);
    free(b.grouped);
    vec_free(&b.out);
    if (rc == VSOLVE_ENOMEM)
        return cudf_oom(ps);
    if (rc != VSOLVE_OK)
        return vs_error_set(ps->err, rc, "%s: building the universe failed (status %d)", ps->file, rc);
    return VSOLVE_OK;
}
