/* cargo_pins.c: the versions of `links` crates that no solution can take, from the chains of
 * versions the root forces (the argument is in cargo_pins.h). */
#include "cargo_pins.h"
#include <string.h>

#define PIN_DEPTH 8         /* crates along one forced chain */
#define PIN_MATCHING 16     /* matching versions of a dependency looked at */

typedef struct walk {
    arena *mem;
    cargo_index *ix;
    cargo_pins *out;
    vs_error *err;
    const cargo_version *seen[64];   /* forced versions already walked (a chain can loop) */
    size_t n_seen;
} walk;

static int add_pin(walk *w, const char *links, const cargo_version **vs, size_t n, size_t root_dep,
                   const char *const *via, size_t n_via)
{
    cargo_pins *p = w->out;
    if (p->len == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        cargo_pin *items = arena_alloc(w->mem, cap * sizeof *items);
        if (!items)
            return vs_error_set(w->err, VSOLVE_ENOMEM, "out of memory");
        if (p->len)
            memcpy(items, p->items, p->len * sizeof *items);
        p->items = items;
        p->cap = cap;
    }
    cargo_pin *pin = &p->items[p->len];
    memset(pin, 0, sizeof *pin);
    if (!(pin->allowed = arena_alloc(w->mem, n * sizeof *pin->allowed)))
        return vs_error_set(w->err, VSOLVE_ENOMEM, "out of memory");
    memcpy(pin->allowed, vs, n * sizeof *vs);
    pin->links = links;
    pin->n_allowed = n;
    pin->root_dep = root_dep;
    pin->n_via = n_via;
    memcpy(pin->via, via, n_via * sizeof *via);
    /* an earlier pin of the same value sharing none of these versions: no solution */
    for (size_t k = 0; k < p->len && !p->contradiction; k++) {
        if (strcmp(p->items[k].links, links))
            continue;
        int shared = 0;
        for (size_t i = 0; i < n && !shared; i++)
            for (size_t j = 0; j < p->items[k].n_allowed && !shared; j++)
                shared = p->items[k].allowed[j] == vs[i];
        if (!shared) {
            p->contradiction = 1;
            p->clash[0] = k;
            p->clash[1] = p->len;
        }
    }
    p->len++;
    return VSOLVE_OK;
}

/* The dependencies deps[0..n) of a forced version (of the root: top), reached through the
 * chain via[0..n_via). */
static int walk_deps(walk *w, const cargo_dep *deps, size_t n, int top, size_t root_dep, const char **via, size_t n_via)
{
    for (size_t i = 0; i < n && !w->out->contradiction; i++) {
        const cargo_dep *d = &deps[i];
        if (d->optional || (!top && d->kind == CARGO_DEV))
            continue;
        const cargo_crate *c = cargo_index_crate(w->ix, d->package, w->err);
        if (!c) {
            if (w->err->code == VSOLVE_ENOMEM)
                return VSOLVE_ENOMEM;
            vs_error_clear(w->err);   /* no such crate: the build says so */
            continue;
        }
        const cargo_version *live[PIN_MATCHING];
        size_t n_live = 0, matching = 0;
        for (size_t k = 0; k < c->n_versions && matching <= PIN_MATCHING; k++)
            matching += semver_req_matches(&d->req, &c->versions[k].v) != 0;
        for (size_t k = 0; k < c->n_versions && matching <= PIN_MATCHING; k++) {
            if (!semver_req_matches(&d->req, &c->versions[k].v))
                continue;
            const cargo_version *v = cargo_index_version(w->ix, c, k, w->err);
            if (!v)
                return w->err->code;
            if (!v->yanked)
                live[n_live++] = v;
        }
        if (matching > PIN_MATCHING || n_live == 0)
            continue;
        size_t dep = top ? i : root_dep;
        const char *chain[PIN_DEPTH];   /* n_via < PIN_DEPTH: the walk goes no deeper */
        size_t n_chain = n_via;
        if (n_via)
            memcpy(chain, via, n_via * sizeof *via);
        chain[n_chain++] = c->name;
        const char *links = live[0]->links;
        for (size_t k = 1; k < n_live && links; k++)
            if (!live[k]->links || strcmp(live[k]->links, links))
                links = NULL;
        int rc = links ? add_pin(w, links, live, n_live, dep, chain, n_chain) : VSOLVE_OK;
        if (rc != VSOLVE_OK)
            return rc;
        if (n_live != 1 || n_chain >= PIN_DEPTH || w->n_seen == sizeof w->seen / sizeof *w->seen)
            continue;
        int seen = 0;
        for (size_t k = 0; k < w->n_seen && !seen; k++)
            seen = w->seen[k] == live[0];
        if (seen)
            continue;
        w->seen[w->n_seen++] = live[0];
        if ((rc = walk_deps(w, live[0]->deps, live[0]->n_deps, 0, dep, chain, n_chain)) != VSOLVE_OK)
            return rc;
    }
    return VSOLVE_OK;
}

int cargo_pins_find(arena *mem, cargo_index *ix, const cargo_dep *deps, size_t n, const char *const *crates,
                    size_t n_crates, cargo_pins *out, vs_error *err)
{
    memset(out, 0, sizeof *out);
    walk w = { .mem = mem, .ix = ix, .out = out, .err = err };
    vs_error_clear(err);
    if (n_crates && !(out->crates = arena_alloc(mem, n_crates * sizeof *out->crates)))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t k = 0; k < n_crates; k++)
        if (!(out->crates[out->n_crates++] = arena_strndup(mem, crates[k], strlen(crates[k]))))
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    return walk_deps(&w, deps, n, 1, 0, NULL, 0);
}

/* Does v declare a pinned links value without being among that value's allowed versions of
 * every pin? */
static int links_dead(const cargo_pins *p, const cargo_version *v)
{
    if (!v->links)
        return 0;
    for (size_t k = 0; k < p->len; k++) {
        const cargo_pin *pin = &p->items[k];
        if (strcmp(pin->links, v->links))
            continue;
        int allowed = 0;
        for (size_t i = 0; i < pin->n_allowed && !allowed; i++)
            allowed = pin->allowed[i] == v;
        if (!allowed)
            return 1;
    }
    return 0;
}

/* Is `name` the crate of a pin's versions, or one of p->crates? */
static int pinned_crate(const cargo_pins *p, const char *name)
{
    for (size_t k = 0; k < p->len; k++)
        if (!strcmp(p->items[k].allowed[0]->name, name))
            return 1;
    for (size_t k = 0; k < p->n_crates; k++)
        if (!strcmp(p->crates[k], name))
            return 1;
    return 0;
}

int cargo_pins_dead(const cargo_pins *p, cargo_index *ix, const cargo_version *v)
{
    if (!p)
        return 0;
    if (links_dead(p, v))
        return 1;
    for (size_t i = 0; i < v->n_deps; i++) {
        const cargo_dep *d = &v->deps[i];
        if (d->optional || d->kind == CARGO_DEV || !pinned_crate(p, d->package))
            continue;
        vs_error err;
        const cargo_crate *c = cargo_index_crate(ix, d->package, &err);
        int live = !c;   /* unreadable: not known dead */
        for (size_t k = 0; c && k < c->n_versions && !live; k++) {
            if (!semver_req_matches(&d->req, &c->versions[k].v))
                continue;
            const cargo_version *w = cargo_index_version(ix, c, k, &err);
            live = !w || (!w->yanked && !links_dead(p, w));
        }
        if (!live)
            return 1;
    }
    return 0;
}
