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
        r->atoms.items[r->atoms.len - 1].forbid = 1;
    return rc;
}

int request_keep(vs_request *r, uint32_t pkg)
{
    return vec_push(&r->keep, pkg) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

void request_mark_roots(const vs_request *r, unsigned char *roots)
{
    for (size_t i = 0; i < r->atoms.len; i++)
        if (r->atoms.items[i].name != VS_NONE && !r->atoms.items[i].forbid)
            roots[r->atoms.items[i].name] = 1;
}

int request_add_atom(vs_request *r, uint32_t desc, uint32_t name, const uint32_t *pkgs, size_t n)
{
    vs_atom a = { .desc = desc, .name = name, .first = (uint32_t)r->ids.len, .count = (uint32_t)n };
    if (!vec_append(&r->ids, pkgs, n))
        return VSOLVE_ENOMEM;
    return vec_push(&r->atoms, a) ? VSOLVE_OK : VSOLVE_ENOMEM;
}
