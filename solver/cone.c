/* cone.c: a request's cone, breadth-first through the providers of dependency clauses. */
#include "cone.h"
#include <stdlib.h>
#include <string.h>
#include "runset.h"
#include "vsolve.h"

int cone_init(vs_cone *c, const vs_universe *u, const vs_request *req)
{
    memset(c, 0, sizeof *c);
    c->u = u;
    c->req = req;
    c->var_of_pkg = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *c->var_of_pkg);
    c->root_name = calloc(u->names.len ? u->names.len : 1, 1);
    if (!c->var_of_pkg || !c->root_name)
        return VSOLVE_ENOMEM;
    request_mark_roots(req, c->root_name);
    memset(c->var_of_pkg, 0xff, u->pkgs.len * sizeof *c->var_of_pkg);
    return VSOLVE_OK;
}

static int visit(vs_cone *c, uint32_t pkg, const unsigned char *dead)
{
    if (c->var_of_pkg[pkg] != VS_NONE || (c->u->pkgs.items[pkg].flags & VS_PKG_UNAVAILABLE) || (dead && dead[pkg]))
        return VSOLVE_OK;
    c->var_of_pkg[pkg] = (uint32_t)c->len;
    return vec_push(c, pkg) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

/* Runs of up to this many providers are scanned each time they come up: checking their
 * packages costs less than the runset's lookup (scanning a run again visits nothing new). */
#define SHORT_RUN 4

int cone_build(vs_cone *c, const unsigned char *dead)
{
    const vs_universe *u = c->u;
    for (size_t i = 0; i < c->len; i++)
        c->var_of_pkg[c->items[i]] = VS_NONE;
    c->len = 0;
    for (size_t i = 0; i < c->req->atoms.len; i++) {
        const vs_atom *a = &c->req->atoms.items[i];
        if (a->forbid)
            continue;
        for (uint32_t j = 0; j < a->count; j++)
            if (visit(c, c->req->ids.items[a->first + j], dead) != VSOLVE_OK)
                return VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < c->req->keep.len; i++)
        if (visit(c, c->req->keep.items[i], dead) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    runset scanned;
    runset_init(&scanned);
    int rc = VSOLVE_OK;
    for (size_t head = 0; head < c->len && rc == VSOLVE_OK; head++) {
        uint32_t first, count;
        cone_clauses(c, c->items[head], &first, &count);
        for (uint32_t k = 0; k < count && rc == VSOLVE_OK; k++) {
            const vs_clause *cl = &u->clauses.items[first + k];
            /* a short run is cheaper to scan again than to look up */
            int fresh = cl->count <= SHORT_RUN ? 1 : runset_add(&scanned, cl->first, cl->count);
            if (fresh < 0)
                rc = VSOLVE_ENOMEM;
            for (uint32_t j = 0; fresh > 0 && j < cl->count && rc == VSOLVE_OK; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (c->var_of_pkg[q] == VS_NONE)
                    rc = visit(c, q, dead);
            }
        }
    }
    runset_free(&scanned);
    return rc;
}

int cone_whole(vs_cone *c, const vs_universe *u, const vs_request *req)
{
    int rc = cone_init(c, u, req);
    return rc == VSOLVE_OK ? cone_build(c, NULL) : rc;
}

void cone_free(vs_cone *c)
{
    free(c->var_of_pkg);
    free(c->root_name);
    vec_free(c);
    memset(c, 0, sizeof *c);
}
