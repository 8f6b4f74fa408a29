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

static int among(uint32_t pkg, const uint32_t *pkgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pkgs[i] == pkg)
            return 1;
    return 0;
}

int criteria_requested(const vs_request *req, const vs_atom *a)
{
    if (a->forbid || a->name == VS_NONE)
        return 0;
    for (uint32_t i = 0; i < a->count; i++)
        if (among(req->ids.items[a->first + i], req->keep.items, req->keep.len))
            return 0;
    return 1;
}

static int requested_name(const vs_request *req, uint32_t name)
{
    for (size_t a = 0; a < req->atoms.len; a++)
        if (req->atoms.items[a].name == name && criteria_requested(req, &req->atoms.items[a]))
            return 1;
    return 0;
}

/* Do S (pkgs[0..n)) and I (req->keep) hold the same packages of name? Does S hold any? */
static void compare_name(const vs_universe *u, const vs_request *req, uint32_t name, const uint32_t *pkgs, size_t n,
                         int *same, int *in_answer)
{
    *same = 1;
    *in_answer = 0;
    for (size_t i = 0; i < n; i++)
        if (u->pkgs.items[pkgs[i]].name == name) {
            *in_answer = 1;
            *same &= among(pkgs[i], req->keep.items, req->keep.len);
        }
    for (size_t k = 0; k < req->keep.len; k++)
        if (u->pkgs.items[req->keep.items[k]].name == name)
            *same &= among(req->keep.items[k], pkgs, n);
}

void criteria_of(const vs_universe *u, const vs_request *req, const uint32_t *pkgs, size_t n,
                 uint64_t out[VS_CRIT_COUNT])
{
    for (int c = 0; c < VS_CRIT_COUNT; c++)
        out[c] = 0;
    const u32_vec *inst = &req->keep;
    for (size_t k = 0; k < inst->len; k++) {   /* each installed name once, at its first package */
        uint32_t name = u->pkgs.items[inst->items[k]].name;
        int first = !(u->pkgs.items[inst->items[k]].flags & VS_PKG_VIRTUAL);
        for (size_t j = 0; j < k && first; j++)
            first = u->pkgs.items[inst->items[j]].name != name;
        if (!first)
            continue;
        int same, in_answer;
        compare_name(u, req, name, pkgs, n, &same, &in_answer);
        out[VS_CRIT_REMOVED] += !in_answer;
        out[VS_CRIT_CHANGED] += !same;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t pkg = pkgs[i];
        if (u->pkgs.items[pkg].flags & VS_PKG_VIRTUAL)
            continue;
        uint32_t lag = criteria_lag(u, pkg), name = u->pkgs.items[pkg].name;
        int installed_name = 0;
        for (size_t k = 0; k < inst->len && !installed_name; k++)
            installed_name = u->pkgs.items[inst->items[k]].name == name;
        if (!among(pkg, inst->items, inst->len)) {
            out[VS_CRIT_AVOID] += avoided(u, pkg);
            out[VS_CRIT_LAG_CHANGED] += lag;
        }
        out[VS_CRIT_LAG_REQUEST] += requested_name(req, name) ? lag : 0;
        out[VS_CRIT_CHANGED] += !installed_name;
    }
}

void criteria_format(const uint64_t v[VS_CRIT_COUNT], char *buf, size_t size)
{
    snprintf(buf, size, "(%llu, %llu, %llu, %llu, %llu, %llu)", (unsigned long long)v[0], (unsigned long long)v[1],
             (unsigned long long)v[2], (unsigned long long)v[3], (unsigned long long)v[4], (unsigned long long)v[5]);
}
