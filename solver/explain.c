/* explain.c: plain-words reasons for an unsatisfiable request.
 * First the atoms that match nothing installable on their own; otherwise a minimal set of
 * request atoms that cannot hold together (deletion-based, one SAT call per atom of the
 * solver's failed-assumption core), with the versions each atom allows. */
#include "explain.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

typedef struct text {
    char *buf;
    size_t len, cap;
    int oom;
} text;

__attribute__((format(printf, 2, 3)))
static void say(text *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = 1;
            return;
        }
        if (t->buf && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t ncap = (t->cap ? t->cap * 2 : 512) + (size_t)n;
        char *nb = realloc(t->buf, ncap);
        if (!nb) {
            t->oom = 1;
            return;
        }
        t->buf = nb;
        t->cap = ncap;
    }
}

/* "1.0, 1.1 and 2.0" / "1.0 ... 2.0 (12 versions)" */
static void say_versions(text *t, const vs_universe *u, const uint32_t *pkgs, size_t n)
{
    if (n <= 4) {
        for (size_t i = 0; i < n; i++)
            say(t, "%s%s", i == 0 ? "" : (i + 1 == n ? " and " : ", "), universe_pkg_version(u, pkgs[i]));
    } else {
        say(t, "%s ... %s (%zu versions)", universe_pkg_version(u, pkgs[0]),
            universe_pkg_version(u, pkgs[n - 1]), n);
    }
}

static int atom_without_candidates(text *t, const vs_encoding *e, const vs_atom *a)
{
    const vs_universe *u = e->u;
    const char *desc = universe_str(u, a->desc);
    if (a->name == VS_NONE) {
        say(t, "  - %s: there is no package of that name\n", desc);
        return 1;
    }
    size_t available = 0;
    for (uint32_t j = 0; j < a->count; j++)
        if (!(u->pkgs.items[e->req->ids.items[a->first + j]].flags & VS_PKG_UNAVAILABLE))
            available++;
    if (available > 0)
        return 0;
    const char *name = universe_str(u, u->names.items[a->name].str);
    if (a->count > 0) {
        say(t, "  - %s: the matching version%s of %s (", desc, a->count > 1 ? "s" : "", name);
        say_versions(t, u, e->req->ids.items + a->first, a->count);
        say(t, ") %s not available on this platform\n", a->count > 1 ? "are" : "is");
    } else {
        uint32_t first, count;
        universe_name_pkgs(u, a->name, &first, &count);
        u32_vec avail = { 0 };
        for (uint32_t j = 0; j < count; j++)
            if (!(u->pkgs.items[first + j].flags & VS_PKG_UNAVAILABLE))
                vec_push(&avail, first + j);
        say(t, "  - %s: no version of %s matches; available: ", desc, name);
        if (avail.len)
            say_versions(t, u, avail.items, avail.len);
        else
            say(t, "none");
        say(t, "\n");
        vec_free(&avail);
    }
    return 1;
}

char *explain_unsat(vs_encoding *e)
{
    text t = { 0 };
    const vs_universe *u = e->u;
    const vs_request *req = e->req;
    say(&t, "The request cannot be satisfied.\n");

    int direct = 0;
    for (size_t i = 0; i < req->atoms.len; i++)
        direct += atom_without_candidates(&t, e, &req->atoms.items[i]);
    if (direct)
        return t.oom ? (free(t.buf), NULL) : t.buf;

    /* Minimal set of atoms: start from the solver's core, drop each atom that is not needed. */
    size_t n = e->selectors.len;
    unsigned char *in = calloc(n ? n : 1, 1);
    int *lits = malloc((n ? n : 1) * sizeof *lits);
    if (!in || !lits) {
        free(in);
        free(lits);
        free(t.buf);
        return NULL;
    }
    if (sat_solve(e->s, e->selectors.items, n) == SAT_UNSAT) {
        const int *core;
        size_t k = sat_failed_assumptions(e->s, &core);
        for (size_t c = 0; c < k; c++)
            for (size_t i = 0; i < n; i++)
                if (e->selectors.items[i] == core[c])
                    in[i] = 1;
        if (k == 0)   /* the cone alone is contradictory: every atom is suspect */
            memset(in, 1, n);
    } else {
        memset(in, 1, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!in[i])
            continue;
        in[i] = 0;
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (in[j])
                lits[m++] = e->selectors.items[j];
        if (sat_solve(e->s, lits, m) != SAT_UNSAT)
            in[i] = 1;   /* needed for the contradiction */
    }
    size_t members = 0;
    for (size_t i = 0; i < n; i++)
        members += in[i];
    if (members == 1)
        say(&t, "This requirement cannot be met by any version together with its dependencies:\n");
    else
        say(&t, "These %zu requirements cannot hold together:\n", members);
    for (size_t i = 0; i < n; i++) {
        if (!in[i])
            continue;
        const vs_atom *a = &req->atoms.items[i];
        say(&t, "  - %s (", universe_str(u, a->desc));
        u32_vec avail = { 0 };
        for (uint32_t j = 0; j < a->count; j++)
            if (encode_in_cone(e, req->ids.items[a->first + j]))
                vec_push(&avail, req->ids.items[a->first + j]);
        say(&t, "%s ", universe_str(u, u->names.items[a->name].str));
        say_versions(&t, u, avail.items, avail.len);
        say(&t, ")\n");
        vec_free(&avail);
    }
    free(in);
    free(lits);
    if (t.oom) {
        free(t.buf);
        return NULL;
    }
    return t.buf;
}
