/* request.c: building a request. */
#include "request.h"
#include <string.h>
#include "vsolve.h"

void request_init(vs_request *r) { memset(r, 0, sizeof *r); }

void request_free(vs_request *r)
{
    vec_free(&r->atoms);
    vec_free(&r->ids);
    vec_free(&r->keep);
}

int request_forbid(vs_request *r, uint32_t desc, uint32_t name, const uint32_t *pkgs, size_t n)
{
    int rc = request_add_atom(r, desc, name, pkgs, n);
    if (rc == VSOLVE_OK)
        r->atoms.items[r->atoms.len - 1].forbid = VS_ATOM_FORBID;
    return rc;
}

int request_add_pairs(vs_request *r, uint32_t desc, const uint32_t *pairs, size_t n_pairs)
{
    int rc = request_add_atom(r, desc, VS_NONE, pairs, 2 * n_pairs);
    if (rc == VSOLVE_OK)
        r->atoms.items[r->atoms.len - 1].forbid = VS_ATOM_PAIRS;
    return rc;
}

int request_keep(vs_request *r, uint32_t pkg)
{
    return vec_push(&r->keep, pkg) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

void request_mark_roots(const vs_request *r, unsigned char *roots)
{
    for (size_t i = 0; i < r->atoms.len; i++)
        if (r->atoms.items[i].name != VS_NONE && !r->atoms.items[i].forbid && !r->atoms.items[i].not_root)
            roots[r->atoms.items[i].name] = 1;
}

int request_add_atom(vs_request *r, uint32_t desc, uint32_t name, const uint32_t *pkgs, size_t n)
{
    vs_atom a = { .desc = desc, .name = name, .first = (uint32_t)r->ids.len, .count = (uint32_t)n };
    if (!vec_append(&r->ids, pkgs, n))
        return VSOLVE_ENOMEM;
    return vec_push(&r->atoms, a) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

int request_need_clauses(vs_universe *u, const vs_request *r, vs_error *err)
{
    if (!u->pending)
        return VSOLVE_OK;
    for (size_t i = 0; i < r->atoms.len; i++) {   /* an explanation may list an atom's versions */
        int rc = universe_need_versions(u, r->atoms.items[i].name, err);   /* VS_NONE: nothing to check */
        if (rc != VSOLVE_OK)
            return rc;
    }
    u32_vec start = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < r->atoms.len && rc == VSOLVE_OK; i++)
        if (!r->atoms.items[i].forbid &&
            !vec_append(&start, vec_at(&r->ids, r->atoms.items[i].first), r->atoms.items[i].count))
            rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK && !vec_append(&start, r->keep.items, r->keep.len))
        rc = VSOLVE_ENOMEM;
    rc = rc == VSOLVE_OK ? universe_need_cone(u, start.items, start.len, err)
                         : vs_error_set(err, rc, "out of memory");
    vec_free(&start);
    return rc;
}
