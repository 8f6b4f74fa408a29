/* cargo_pins.c: the versions of `links` crates that no solution can take, from what the root's
 * dependencies force (the argument is in cargo_pins.h). */
#include "cargo_pins.h"
#include <string.h>
#include "strpool.h"
#include "vec.h"

#define PIN_DEPTH 8          /* crates along one chain */
#define PIN_MATCHING 16      /* matching versions of a dependency looked at */
#define PIN_FEATURES 32      /* features asked of one dependency that are followed */
#define PIN_WALKS 4096       /* dependencies walked in all: past it, no more pins */

/* Pins that hold wherever some package is installed; via starts at its crate's dependency. */
typedef struct pinset {
    cargo_pin *items;
    size_t len;
} pinset;

typedef VEC(cargo_pin) pin_vec;
typedef VEC(const char *) str_vec;

/* What the walk needs of one version, found once: its normal and build dependencies on the way
 * (the others give no pins), and whether the features asked of it can change which of those are
 * on or what they are asked. */
typedef struct vinfo {
    uint32_t *near;               /* indexes into the version's deps, in their order */
    size_t n_near;
    int by_features;              /* one of them is optional, or named by a feature item "d/f" */
} vinfo;

/* What is known of one key (walk.keys). */
typedef struct slot {
    const pinset *pins;           /* a walk's pins; NULL: not yet; &busy: being walked */
    const vinfo *info;            /* a version's; NULL: not yet */
} slot;

/* A key of walk.keys: "name" for a crate on the way (of p's crates and ways); "\1 package \1
 * requirement \1 feature \1 ..." for a dependency walked; "\2 address" for a version (index
 * versions stay put), "\2 address \1 feature \1 ..." for a version walked. The first byte
 * keeps walks of dependencies and of versions apart; a crate name that met one of them would
 * only be walked into. */
typedef struct key {
    char text[2048];
    size_t len;
    int fits;                     /* 0: too long to remember */
} key;

typedef struct walk {
    arena *mem;
    cargo_index *ix;
    vs_error *err;
    const cargo_pins *p;          /* its crates and ways */
    strpool keys;                 /* the crates on the way (none: every crate), what was walked (key) */
    VEC(slot) memo;               /* key id -> what is known of it */
    pinset busy, none, cut;       /* cut: none, as a cycle ends (the walk it ends is busy) */
    size_t walks;
} walk;

static int has_name(const char *const *names, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(names[k], name))
            return 1;
    return 0;
}

/* Is crate `name` worth walking into: on the way to a links crate (p->ways; none given: all)? */
static int on_the_way(const walk *w, const char *name)
{
    return w->p->n_ways == 0 || strpool_find(&w->keys, name, strlen(name)) != UINT32_MAX;
}

/* A pin of `links` to vs[0..n) through crate `first` and then via[0..n_via), appended to out. */
static int push_pin(walk *w, pin_vec *out, const char *links, const cargo_version *const *vs, size_t n, const char *first,
                    const char *const *via, size_t n_via)
{
    cargo_pin pin;
    memset(&pin, 0, sizeof pin);
    pin.links = links;
    pin.n_allowed = n;
    if (!(pin.allowed = arena_alloc(w->mem, (n ? n : 1) * sizeof *pin.allowed)))
        return VSOLVE_ENOMEM;
    memcpy(pin.allowed, vs, n * sizeof *vs);
    pin.via[pin.n_via++] = first;
    for (size_t k = 0; k < n_via && pin.n_via < PIN_DEPTH; k++)
        pin.via[pin.n_via++] = via[k];
    return vec_push(out, pin) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

/* Starts k empty (its text is left as it is: it is large). */
static void key_start(key *k)
{
    k->len = 0;
    k->fits = 1;
}

/* Appends s[0..n) and, if sep, a separator to k (where it fits; else k->fits = 0). */
static void key_add(key *k, const void *s, size_t n, int sep)
{
    if (!k->fits || k->len + n + (sep != 0) > sizeof k->text) {
        k->fits = 0;
        return;
    }
    memcpy(k->text + k->len, s, n);
    k->len += n;
    if (sep)
        k->text[k->len++] = '\1';
}

/* k's slot in w->memo, made if new; NULL when out of memory. Valid until the next key_slot. */
static slot *key_slot(walk *w, const key *k)
{
    uint32_t id = strpool_intern(&w->keys, k->text, k->len);
    if (id == UINT32_MAX)
        return NULL;
    while (w->memo.len <= id) {
        slot none = { NULL, NULL };
        if (!vec_push(&w->memo, none))
            return NULL;
    }
    return &w->memo.items[id];
}

/* Keeps pins[0..n) in w's arena as *out; VSOLVE_OK or VSOLVE_ENOMEM. */
static int keep_pins(walk *w, const cargo_pin *pins, size_t n, const pinset **out)
{
    pinset *ps = arena_alloc(w->mem, sizeof *ps);
    if (!ps || (n && !(ps->items = arena_alloc(w->mem, n * sizeof *ps->items))))
        return VSOLVE_ENOMEM;
    if (n)
        memcpy(ps->items, pins, n * sizeof *pins);
    ps->len = n;
    *out = ps;
    return VSOLVE_OK;
}

static int walk_dep(walk *w, const cargo_dep *d, const char *const *feats, size_t nf, size_t depth, const pinset **out);

/* The features edge d asks of its version (`default` unless it says not to), into df (at most
 * PIN_FEATURES); their count. */
static size_t asked_features(const cargo_dep *d, const char **df)
{
    size_t n = 0;
    for (size_t k = 0; k < d->n_features && n < PIN_FEATURES; k++)
        df[n++] = d->features[k];
    if (d->default_features && n < PIN_FEATURES)
        df[n++] = "default";
    return n;
}

/* The length of the dependency name that feature item `it` starts with, before "/" or "?/"
 * ("d/f", "d?/f"); SIZE_MAX if it names none so. */
static size_t item_dep_len(const char *it)
{
    const char *slash = strchr(it, '/');
    return slash ? (size_t)(slash - it) - (slash > it && slash[-1] == '?') : SIZE_MAX;
}

/* Is `name` it[0..n) (n == SIZE_MAX: all of it)? */
static int is_name(const char *name, const char *it, size_t n)
{
    return n == SIZE_MAX ? !strcmp(name, it) : !strncmp(name, it, n) && !name[n];
}

/* What the walk needs of v (vinfo), found on the first look; NULL when out of memory. */
static const vinfo *version_info(walk *w, const cargo_version *v)
{
    key k;
    key_start(&k);
    key_add(&k, "\2", 1, 0);
    key_add(&k, &v, sizeof v, 0);
    slot *sl = key_slot(w, &k);
    if (!sl || sl->info)
        return sl ? sl->info : NULL;
    vinfo *in = arena_alloc(w->mem, sizeof *in);
    if (!in || !(in->near = arena_alloc(w->mem, (v->n_deps ? v->n_deps : 1) * sizeof *in->near)))
        return NULL;
    for (size_t i = 0; i < v->n_deps; i++)
        if (v->deps[i].kind != CARGO_DEV && on_the_way(w, v->deps[i].package)) {
            in->near[in->n_near++] = (uint32_t)i;
            in->by_features |= v->deps[i].optional;
        }
    for (size_t f = 0; f < v->n_features && in->n_near && !in->by_features; f++)
        for (size_t m = 0; m < v->features[f].n_items && !in->by_features; m++) {
            const char *it = v->features[f].items[m];
            size_t n = item_dep_len(it);
            for (size_t j = 0; j < in->n_near && n != SIZE_MAX && !in->by_features; j++)
                in->by_features = is_name(v->deps[in->near[j]].name, it, n);
        }
    return sl->info = in;
}

/* version_pins of v (whose vinfo is in), unmemoised; *cut = 1 where a walk of one of its
 * dependencies ended a cycle. */
static int near_pins(walk *w, const cargo_version *v, const vinfo *in, const char *const *feats, size_t nf,
                     size_t depth, pin_vec *out, int *cut)
{
    str_vec todo = { 0 }, extra = { 0 };   /* features to apply; per "dep/feature": the dependency, the feature */
    unsigned char *on = arena_alloc(w->mem, in->n_near ? in->n_near : 1);   /* optional dependency near[j] turned on */
    int rc = on ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (size_t i = 0; i < nf && in->by_features && rc == VSOLVE_OK; i++)
        if (!vec_push(&todo, feats[i]))
            rc = VSOLVE_ENOMEM;
    for (size_t t = 0; t < todo.len && t < 4 * PIN_FEATURES && rc == VSOLVE_OK; t++) {
        const char *f = todo.items[t];
        if (has_name(todo.items, t, f))
            continue;
        const cargo_feature *decl = NULL;
        for (size_t k = 0; k < v->n_features && !decl; k++)
            if (!strcmp(v->features[k].name, f))
                decl = &v->features[k];
        if (!decl) {   /* the implicit feature of an optional dependency, or nothing */
            for (size_t j = 0; j < in->n_near; j++)
                on[j] |= v->deps[in->near[j]].optional && is_name(v->deps[in->near[j]].name, f, SIZE_MAX);
            continue;
        }
        for (size_t k = 0; k < decl->n_items && rc == VSOLVE_OK; k++) {
            const char *it = decl->items[k];
            size_t n = item_dep_len(it);
            if (!strncmp(it, "dep:", 4)) {
                for (size_t j = 0; j < in->n_near; j++)
                    on[j] |= v->deps[in->near[j]].optional && is_name(v->deps[in->near[j]].name, it + 4, SIZE_MAX);
            } else if (n != SIZE_MAX) {   /* "d/g" and the weak "d?/g" alike (cargo_resolve.c) */
                for (size_t j = 0; j < in->n_near && rc == VSOLVE_OK; j++) {
                    const cargo_dep *d = &v->deps[in->near[j]];
                    if (!is_name(d->name, it, n))
                        continue;
                    on[j] |= d->optional;
                    if (!vec_push(&extra, d->name) || !vec_push(&extra, strchr(it, '/') + 1))
                        rc = VSOLVE_ENOMEM;
                }
            } else if (!vec_push(&todo, it)) {
                rc = VSOLVE_ENOMEM;
            }
        }
    }
    for (size_t j = 0; j < in->n_near && rc == VSOLVE_OK; j++) {
        const cargo_dep *d = &v->deps[in->near[j]];
        if (d->optional && !on[j])
            continue;
        const char *df[PIN_FEATURES];
        size_t n = asked_features(d, df);
        for (size_t k = 0; k + 1 < extra.len && n < PIN_FEATURES; k += 2)
            if (!strcmp(extra.items[k], d->name))
                df[n++] = extra.items[k + 1];
        const pinset *ps;
        rc = walk_dep(w, d, df, n, depth, &ps);
        *cut |= ps == &w->cut;
        if (rc == VSOLVE_OK && !vec_append(out, ps->items, ps->len))
            rc = VSOLVE_ENOMEM;
    }
    vec_free(&todo);
    vec_free(&extra);
    return rc;
}

/* The pins that hold wherever version v is installed with features feats[0..nf) asked of it:
 * those of each normal and build dependency on the way it then has (the optional ones its
 * features turn on), appended to out (walk_dep finds none in a crate not on the way).
 * Memoised per (version, features; none where they change nothing): the walks of its
 * dependencies are memoised, so a second look finds what the first found, except where one of
 * them ended a cycle then (and would not now): such a look is not kept. A look while the same
 * one is under way is made again, unmemoised. */
static int version_pins(walk *w, const cargo_version *v, const char *const *feats, size_t nf, size_t depth, pin_vec *out)
{
    if (depth >= PIN_DEPTH || w->walks >= PIN_WALKS)
        return VSOLVE_OK;   /* walk_dep walks none of its dependencies */
    const vinfo *in = version_info(w, v);
    if (!in)
        return VSOLVE_ENOMEM;
    if (!in->n_near)
        return VSOLVE_OK;
    key k;
    key_start(&k);
    key_add(&k, "\2", 1, 0);
    key_add(&k, &v, sizeof v, 1);
    for (size_t i = 0; i < nf && in->by_features; i++)
        key_add(&k, feats[i], strlen(feats[i]), 1);
    uint32_t id = UINT32_MAX;   /* the slot to fill in, if any */
    if (k.fits) {
        slot *sl = key_slot(w, &k);
        if (!sl)
            return VSOLVE_ENOMEM;
        if (sl->pins && sl->pins != &w->busy)
            return vec_append(out, sl->pins->items, sl->pins->len) ? VSOLVE_OK : VSOLVE_ENOMEM;
        if (!sl->pins) {
            sl->pins = &w->busy;
            id = (uint32_t)(sl - w->memo.items);
        }
    }
    size_t from = out->len;
    int cut = 0;
    int rc = near_pins(w, v, in, feats, nf, depth, out, &cut);
    if (id != UINT32_MAX)
        w->memo.items[id].pins = NULL;   /* not yet, unless kept now */
    if (rc == VSOLVE_OK && id != UINT32_MAX && !cut)
        rc = keep_pins(w, vec_at(out, from), out->len - from, &w->memo.items[id].pins);
    return rc;
}

/* Adds to out the pins of `links` that every candidate's pins pv[0..n) hold: one of the union of
 * their versions (of each candidate the pin of `links` with the shortest chain; its others would
 * only narrow it). */
static int common_pin(walk *w, const char *crate, const char *links, const pin_vec *pv, size_t n, pin_vec *out)
{
    const cargo_pin *first[PIN_MATCHING];
    for (size_t c = 0; c < n; c++) {
        first[c] = NULL;
        for (size_t k = 0; k < pv[c].len; k++)   /* the shortest chain, to say it */
            if (!strcmp(pv[c].items[k].links, links) && (!first[c] || pv[c].items[k].n_via < first[c]->n_via))
                first[c] = &pv[c].items[k];
        if (!first[c])
            return VSOLVE_OK;   /* a candidate that does not pin it */
    }
    VEC(const cargo_version *) all = { 0 };
    int rc = VSOLVE_OK;
    for (size_t c = 0; c < n && rc == VSOLVE_OK; c++)
        for (size_t k = 0; k < first[c]->n_allowed && rc == VSOLVE_OK; k++) {
            int seen = 0;
            for (size_t j = 0; j < all.len && !seen; j++)
                seen = all.items[j] == first[c]->allowed[k];
            if (!seen && !vec_push(&all, first[c]->allowed[k]))
                rc = VSOLVE_ENOMEM;
        }
    if (rc == VSOLVE_OK)
        rc = push_pin(w, out, links, all.items, all.len, crate, first[0]->via, first[0]->n_via);
    vec_free(&all);
    return rc;
}

/* Does some links value that pv[0] pins have a pin in each of pv[1..n)? */
static int pinned_by_all(const pin_vec *pv, size_t n)
{
    for (size_t k = 0; k < pv[0].len; k++) {
        size_t c = 1;
        for (; c < n; c++) {
            size_t j = 0;
            while (j < pv[c].len && strcmp(pv[c].items[j].links, pv[0].items[k].links))
                j++;
            if (j == pv[c].len)
                break;
        }
        if (c == n)
            return 1;
    }
    return 0;
}

/* The pins that hold wherever dependency d is met with features feats[0..nf) asked: its live
 * matching versions, if they all declare one links value; and the links values that every one
 * of them pins, each to the union of what they allow. Its versions are walked in index order
 * until one leaves neither possible. Memoised per (package, requirement, features); *out stays
 * valid as long as w's arena. */
static int walk_dep(walk *w, const cargo_dep *d, const char *const *feats, size_t nf, size_t depth, const pinset **out)
{
    *out = &w->none;
    if (depth >= PIN_DEPTH || !on_the_way(w, d->package) || w->walks >= PIN_WALKS)
        return VSOLVE_OK;
    key dk;
    key_start(&dk);
    key_add(&dk, "\1", 1, 0);
    key_add(&dk, d->package, strlen(d->package), 1);
    key_add(&dk, d->req_text, strlen(d->req_text), 1);
    for (size_t i = 0; i < nf; i++)
        key_add(&dk, feats[i], strlen(feats[i]), 1);
    if (!dk.fits)
        return VSOLVE_OK;   /* too long to remember: no pins from it */
    slot *sl = key_slot(w, &dk);
    if (!sl)
        return VSOLVE_ENOMEM;
    if (sl->pins) {
        *out = sl->pins == &w->busy ? &w->cut : sl->pins;
        return VSOLVE_OK;
    }
    uint32_t id = (uint32_t)(sl - w->memo.items);
    sl->pins = &w->busy;   /* a dependency cycle adds nothing */
    w->walks++;
    const cargo_crate *c = cargo_index_crate(w->ix, d->package, w->err);
    if (!c) {
        if (w->err->code == VSOLVE_ENOMEM)
            return VSOLVE_ENOMEM;
        vs_error_clear(w->err);   /* no such crate: the build says so */
        w->memo.items[id].pins = &w->none;
        return VSOLVE_OK;
    }
    const cargo_version *live[PIN_MATCHING];
    size_t at[PIN_MATCHING + 1], n_live = 0, matching = 0;
    for (size_t k = 0; k < c->n_versions && matching <= PIN_MATCHING; k++)
        if (semver_req_matches(&d->req, &c->versions[k].v))
            at[matching++] = k;
    if (matching > PIN_MATCHING) {
        w->memo.items[id].pins = &w->none;
        return VSOLVE_OK;
    }
    pin_vec res = { 0 }, pv[PIN_MATCHING];
    memset(pv, 0, sizeof pv);
    int rc = VSOLVE_OK, hopeless = 0;
    const char *links = NULL;   /* the links value of every live version so far */
    for (size_t k = 0; k < matching && rc == VSOLVE_OK && !hopeless; k++) {
        const cargo_version *v = cargo_index_version(w->ix, c, at[k], w->err);
        if (!v && w->err->code != VSOLVE_EBADINPUT) {
            rc = w->err->code;
            break;
        }
        vs_error_clear(w->err);   /* a line that cannot be read: a version left out, as the build does */
        if (!v || v->yanked)
            continue;
        if (n_live == 0)
            links = v->links;
        else if (links && (!v->links || strcmp(v->links, links)))
            links = NULL;
        live[n_live] = v;
        rc = version_pins(w, v, feats, nf, depth + 1, &pv[n_live++]);
        hopeless = !links && !pinned_by_all(pv, n_live);
    }
    if (links && rc == VSOLVE_OK)
        rc = push_pin(w, &res, links, live, n_live, c->name, NULL, 0);
    for (size_t k = 0; n_live && !hopeless && k < pv[0].len && rc == VSOLVE_OK; k++) {
        const char *l = pv[0].items[k].links;
        int done = 0;
        for (size_t j = 0; j < res.len && !done; j++)
            done = !strcmp(res.items[j].links, l);
        if (!done)
            rc = common_pin(w, c->name, l, pv, n_live, &res);
    }
    if (rc == VSOLVE_OK && (rc = keep_pins(w, res.items, res.len, out)) == VSOLVE_OK)
        w->memo.items[id].pins = *out;
    vec_free(&res);
    for (size_t k = 0; k < n_live; k++)
        vec_free(&pv[k]);
    return rc;
}

/* Adds a pin of the root's dependency root_dep to p, noting the first two pins of one links
 * value that share no version. */
static int add_pin(arena *mem, cargo_pins *p, const cargo_pin *pin, size_t root_dep, vs_error *err)
{
    if (p->len == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        cargo_pin *items = arena_alloc(mem, cap * sizeof *items);
        if (!items)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (p->len)
            memcpy(items, p->items, p->len * sizeof *items);
        p->items = items;
        p->cap = cap;
    }
    p->items[p->len] = *pin;
    p->items[p->len].root_dep = root_dep;
    for (size_t k = 0; k < p->len && !p->contradiction; k++) {
        if (strcmp(p->items[k].links, pin->links))
            continue;
        int shared = 0;
        for (size_t i = 0; i < pin->n_allowed && !shared; i++)
            for (size_t j = 0; j < p->items[k].n_allowed && !shared; j++)
                shared = p->items[k].allowed[j] == pin->allowed[i];
        if (!shared) {
            p->contradiction = 1;
            p->clash[0] = k;
            p->clash[1] = p->len;
        }
    }
    p->len++;
    return VSOLVE_OK;
}

static int copy_names(arena *mem, const char *const *in, size_t n, const char ***out, size_t *n_out)
{
    *n_out = 0;
    if (n && !(*out = arena_alloc(mem, n * sizeof **out)))
        return VSOLVE_ENOMEM;
    for (size_t k = 0; k < n; k++)
        if (!((*out)[(*n_out)++] = arena_strndup(mem, in[k], strlen(in[k]))))
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

int cargo_pins_find(arena *mem, cargo_index *ix, const cargo_dep *deps, size_t n, const char *const *crates,
                    size_t n_crates, const char *const *ways, size_t n_ways, cargo_pins *out, vs_error *err)
{
    memset(out, 0, sizeof *out);
    vs_error_clear(err);
    if (copy_names(mem, crates, n_crates, &out->crates, &out->n_crates) != VSOLVE_OK ||
        copy_names(mem, ways, n_ways, &out->ways, &out->n_ways) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    walk w = { .mem = mem, .ix = ix, .err = err, .p = out };
    int rc = strpool_init(&w.keys);
    for (size_t k = 0; k < out->n_ways + out->n_crates && rc == VSOLVE_OK; k++) {
        const char *name = k < out->n_ways ? out->ways[k] : out->crates[k - out->n_ways];
        if (strpool_intern(&w.keys, name, strlen(name)) == UINT32_MAX)
            rc = VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < n && rc == VSOLVE_OK && !out->contradiction; i++) {
        const cargo_dep *d = &deps[i];
        if (d->optional)
            continue;
        const char *df[PIN_FEATURES];
        size_t nf = asked_features(d, df);
        const pinset *ps;
        rc = walk_dep(&w, d, df, nf, 0, &ps);
        for (size_t k = 0; k < ps->len && rc == VSOLVE_OK && !out->contradiction; k++)
            rc = add_pin(mem, out, &ps->items[k], i, err);
    }
    strpool_free(&w.keys);
    vec_free(&w.memo);
    if (rc == VSOLVE_ENOMEM && err->code == VSOLVE_OK)
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    return rc;
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
        if (p->items[k].n_allowed && !strcmp(p->items[k].allowed[0]->name, name))
            return 1;
    return has_name(p->crates, p->n_crates, name);
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
