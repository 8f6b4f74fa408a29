/* checker.c: re-verifies a solution directly on the universe's clauses, conflicts and groups. */
#include "checker.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct report {
    char *msg;
    size_t size, used;
    size_t violations;
} report;

__attribute__((format(printf, 2, 3)))
static void violation(report *r, const char *fmt, ...)
{
    r->violations++;
    if (!r->msg || r->violations > 5 || r->used + 1 >= r->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->msg + r->used, r->size - r->used, fmt, ap);
    va_end(ap);
    if (k > 0)
        r->used += (size_t)k < r->size - r->used ? (size_t)k : r->size - r->used - 1;
}

size_t check_solution(const vs_universe *u, const vs_request *req, const uint32_t *pkgs, size_t n,
                      char *msg, size_t msg_size)
{
    report r = { msg, msg_size, 0, 0 };
    if (msg && msg_size)
        msg[0] = '\0';
    unsigned char *on = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    unsigned char *root = calloc(u->names.len ? u->names.len : 1, 1);
    if (!on || !root) {
        free(on);
        free(root);
        violation(&r, "out of memory while checking\n");
        return r.violations;
    }
    request_mark_roots(req, root);
    for (size_t i = 0; i < n; i++) {
        if (pkgs[i] >= u->pkgs.len) {
            violation(&r, "package id %u does not exist\n", pkgs[i]);
            continue;
        }
        on[pkgs[i]] = 1;
    }
    for (size_t a = 0; a < req->atoms.len; a++) {
        const vs_atom *at = &req->atoms.items[a];
        if (at->forbid == VS_ATOM_PAIRS) {
            for (uint32_t j = 0; j + 1 < at->count; j += 2) {
                uint32_t p = req->ids.items[at->first + j], q = req->ids.items[at->first + j + 1];
                if (on[p] && on[q])
                    violation(&r, "%s.%s and %s.%s break the rule: %s\n", universe_pkg_name(u, p),
                              universe_pkg_version(u, p), universe_pkg_name(u, q), universe_pkg_version(u, q),
                              universe_str(u, at->desc));
            }
            continue;
        }
        int any = 0;
        for (uint32_t j = 0; j < at->count && !any; j++)
            any = on[req->ids.items[at->first + j]];
        if (any == at->forbid)
            violation(&r, "request %s%s is not met\n", at->forbid ? "to remove " : "", universe_str(u, at->desc));
    }
    for (uint32_t p = 0; p < u->pkgs.len; p++) {
        if (!on[p])
            continue;
        const vs_pkg *pk = &u->pkgs.items[p];
        const char *pn = universe_pkg_name(u, p), *pv = universe_pkg_version(u, p);
        if (pk->flags & VS_PKG_UNAVAILABLE)
            violation(&r, "%s.%s is installed but not available\n", pn, pv);
        uint32_t first, count;
        universe_clauses(u, p, root[pk->name], &first, &count);
        for (uint32_t c = 0; c < count; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            if (cl->cond != VS_NONE && !on[cl->cond])
                continue;
            int met = 0;
            for (uint32_t j = 0; j < cl->count && !met; j++)
                met = on[u->ids.items[cl->first + j]];
            if (!met)
                violation(&r, "%s.%s requires %s, which is not met\n", pn, pv, universe_str(u, cl->desc));
        }
        for (uint32_t c = 0; c < pk->conflict_count; c++) {
            uint32_t q = u->ids.items[pk->conflict_first + c];
            if (q != p && on[q])
                violation(&r, "%s.%s conflicts with installed %s.%s\n", pn, pv,
                          universe_pkg_name(u, q), universe_pkg_version(u, q));
        }
    }
    for (size_t g = 0; g < u->groups.len; g++) {
        const vs_group *gr = &u->groups.items[g];
        uint32_t first = VS_NONE, count = 0;
        for (uint32_t j = 0; j < gr->count; j++) {
            uint32_t q = u->ids.items[gr->first + j];
            if (on[q]) {
                if (count++ == 0)
                    first = q;
                else
                    violation(&r, "%s.%s and %s.%s are both installed but exclude each other (%s)\n",
                              universe_pkg_name(u, first), universe_pkg_version(u, first),
                              universe_pkg_name(u, q), universe_pkg_version(u, q),
                              universe_str(u, gr->desc));
            }
        }
    }
    free(on);
    free(root);
    return r.violations;
}
