/* criteria.c: opam's install criteria of an answer (see criteria.h). */
#include "criteria.h"
#include <stdio.h>

static int avoided(const vs_universe *u, uint32_t pkg)
{
    return (u->pkgs.items[pkg].flags & VS_PKG_AVOID) != 0;
}

uint32_t criteria_lag(const vs_universe *u, uint32_t pkg)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    const vs_name *nm = &u->names.items[p->name];
    uint32_t lag = 0;
    for (uint32_t j = 0; j < nm->n_pkgs; j++) {
        uint32_t q = nm->first_pkg + j;
        if (q == pkg || (u->pkgs.items[q].flags & VS_PKG_UNAVAILABLE))
            continue;
        /* q comes after pkg in the order (avoid-version flag, version) */
        if (avoided(u, q) > avoided(u, pkg) || (avoided(u, q) == avoided(u, pkg) && q > pkg))
            lag++;
    }
    return lag;
}

void criteria_of(const vs_universe *u, const vs_request *req, const uint32_t *pkgs, size_t n,
                 uint64_t out[VS_CRIT_COUNT])
{
    for (int c = 0; c < VS_CRIT_COUNT; c++)
        out[c] = 0;
    for (size_t k = 0; k < req->keep.len; k++) {
        int present = 0;
        for (size_t i = 0; i < n && !present; i++)
            present = pkgs[i] == req->keep.items[k];
        out[VS_CRIT_REMOVED] += !present;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t pkg = pkgs[i];
        if (u->pkgs.items[pkg].flags & VS_PKG_VIRTUAL)
            continue;
        uint32_t lag = criteria_lag(u, pkg);
        int requested = 0;
        for (size_t a = 0; a < req->atoms.len && !requested; a++)
            requested = !req->atoms.items[a].forbid && req->atoms.items[a].name == u->pkgs.items[pkg].name;
        out[VS_CRIT_AVOID] += avoided(u, pkg);
        out[VS_CRIT_LAG_REQUEST] += requested ? lag : 0;
        out[VS_CRIT_LAG_CHANGED] += lag;
        out[VS_CRIT_CHANGED]++;
    }
}

void criteria_format(const uint64_t v[VS_CRIT_COUNT], char *buf, size_t size)
{
    snprintf(buf, size, "(%llu, %llu, %llu, %llu, %llu, %llu)", (unsigned long long)v[0], (unsigned long long)v[1],
             (unsigned long long)v[2], (unsigned long long)v[3], (unsigned long long)v[4], (unsigned long long)v[5]);
}
