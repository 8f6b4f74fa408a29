/* npm_edges.c: a manifest's dependencies as edges (specs, aliases, peer metadata). */
#include "npm_tree_internal.h"

/* ---- manifests and edges ---- */

const char *npmt_jstr(const json_value *o, const char *key)
{
    const json_value *v = json_get(o, key);
    return v && v->kind == JSON_STRING ? v->str : NULL;
}

/* Parses a spec as npm-package-arg would for a registry dependency. */
static int parse_spec(arena *a, const char *name, const char *spec, npm_edge *e)
{
    npm_options loose = { 1, 0 };
    e->name = name;
    e->spec = spec;
    e->target = name;
    e->kind = NPM_SPEC_OTHER;
    const char *s = spec;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!strncmp(s, "npm:", 4)) {
        const char *sub = s + 4;
        const char *at = strchr(sub + (*sub == '@'), '@');
        size_t n = at ? (size_t)(at - sub) : strlen(sub);
        if (!(e->target = arena_strndup(a, sub, n)))
            return VSOLVE_ENOMEM;
        s = at ? at + 1 : "";
    }
    if (!*s || !strcmp(s, "*")) {
        e->kind = NPM_SPEC_RANGE;
        e->any = 1;
        e->fetch = "*";
        return npm_range_parse(a, "*", loose, &e->range) == 0 ? VSOLVE_OK : VSOLVE_ENOMEM;
    }
    if (npm_range_parse(a, s, loose, &e->range) == 0) {
        e->kind = NPM_SPEC_RANGE;
        e->fetch = s;
        char buf[16];
        e->any = npm_range_format(&e->range, buf, sizeof buf) >= 0 && !strcmp(buf, "*");
        return VSOLVE_OK;
    }
    /* a tag: a name npm-package-arg accepts as one (no URL, path or git shorthand characters) */
    if (!strpbrk(s, ":/\\#") && s[0] != '.' && s[0] != '~') {
        e->kind = NPM_SPEC_TAG;
        e->fetch = s;
    }
    return VSOLVE_OK;
}

typedef struct edge_list {
    npm_edge *items;
    size_t n, cap;
    size_t *slots;       /* names to positions: open addressing, index + 1 (0: free) */
    size_t n_slots;
} edge_list;

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot of NAME in l: holding its position + 1, or free (0) where it would go. */
static size_t *edge_slot(const edge_list *l, const char *name)
{
    size_t j = hash_name(name) & (l->n_slots - 1);
    while (l->slots[j] && strcmp(l->items[l->slots[j] - 1].name, name))
        j = (j + 1) & (l->n_slots - 1);
    return &l->slots[j];
}

/* Room for one more name in l's slots. */
static int edge_slots_grow(edge_list *l)
{
    if ((l->n + 1) * 2 <= l->n_slots)
        return VSOLVE_OK;
    size_t ncap = l->n_slots ? l->n_slots * 2 : 32;
    size_t *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return VSOLVE_ENOMEM;
    free(l->slots);
    l->slots = ns;
    l->n_slots = ncap;
    for (size_t i = 0; i < l->n; i++)
        *edge_slot(l, l->items[i].name) = i + 1;
    return VSOLVE_OK;
}

/* Adds or retypes an edge, keeping the first position (a JS Map's set). */
static int add_deps(arena *a, edge_list *l, const json_value *deps, npm_dep_type type, const json_value *peer_meta,
                    int peer_optional_pass, const char *file, vs_error *err)
{
    if (!deps)
        return VSOLVE_OK;
    if (deps->kind != JSON_OBJECT)
        return file ? vs_error_at(err, file, deps->line, deps->col, "expected an object of dependencies, found %s",
                                  json_kind_name(deps->kind)) : VSOLVE_OK;
    for (size_t i = 0; i < deps->n; i++) {
        const json_value *spec = deps->items[i];
        if ((deps->key_lens && deps->key_lens[i] != strlen(deps->keys[i])) ||
            (spec->kind == JSON_STRING && spec->len != strlen(spec->str))) {   /* "\u0000" would cut the name */
            if (file)
                return vs_error_at(err, file, spec->line, spec->col, "expected a dependency without a NUL character (\\u0000)");
            return vs_error_set(err, VSOLVE_EBADINPUT, "a dependency \"%s...\" holds a NUL character (\\u0000)", deps->keys[i]);
        }
        if (type == NPM_DEP_PEER || type == NPM_DEP_PEER_OPTIONAL) {
            const json_value *m = peer_meta ? json_get(peer_meta, deps->keys[i]) : NULL;
            int opt = m && json_truthy(json_get(m, "optional"));
            if (opt != peer_optional_pass)
                continue;
        }
        if (spec->kind != JSON_STRING) {
            if (file)
                return vs_error_at(err, file, spec->line, spec->col, "expected a version range string for \"%s\", found %s",
                                   deps->keys[i], json_kind_name(spec->kind));
            continue;
        }
        npm_edge e = { 0 };
        int rc = parse_spec(a, deps->keys[i], spec->str, &e);
        if (rc != VSOLVE_OK)
            return vs_error_set(err, rc, "out of memory");
        e.type = type;
        if (edge_slots_grow(l) != VSOLVE_OK)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        size_t *slot = edge_slot(l, e.name);
        size_t j = *slot ? *slot - 1 : l->n;
        if (j == l->n) {
            *slot = j + 1;
            if (l->n == l->cap) {
                size_t ncap = l->cap ? l->cap * 2 : 16;
                npm_edge *ni = arena_alloc(a, ncap * sizeof *ni);
                if (!ni)
                    return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
                if (l->n)
                    memcpy(ni, l->items, l->n * sizeof *ni);
                l->items = ni;
                l->cap = ncap;
            }
            l->n++;
        }
        l->items[j] = e;
    }
    return VSOLVE_OK;
}

/* Gives edge d the rule of the override set ov that applies to it (d->ov) and, when that rule
 * replaces d's spec (same name, not "*"), the replacement, keeping the raw spec beside it. */
static int apply_override(arena *a, const npm_override *ov, npm_edge *d)
{
    d->ov = npm_override_edge_rule(ov, d->name, d->kind == NPM_SPEC_RANGE ? &d->range : NULL, d->spec);
    if (!d->ov->name || strcmp(d->ov->name, d->name) || !strcmp(d->ov->value, "*"))
        return VSOLVE_OK;
    npm_edge o = { 0 };
    if (parse_spec(a, d->name, d->ov->value, &o) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    d->overridden = 1;
    d->raw_kind = d->kind;
    d->raw_any = d->any;
    d->raw_range = d->range;
    d->kind = o.kind;
    d->target = o.target;
    d->fetch = o.fetch;
    d->any = o.any;
    d->range = o.range;
    return VSOLVE_OK;
}

/* Edge.reload after a node's override set changed: each edge's rule again, from the manifest's
 * own spec. */
int npmt_reload_overrides(arena *a, npm_node *n, vs_error *err)
{
    for (size_t i = 0; i < n->n_edges; i++) {
        npm_edge *d = &n->edges[i];
        if (d->link_path)
            continue;
        npm_edge e = { 0 };
        if (parse_spec(a, d->name, d->spec, &e) != VSOLVE_OK)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        e.type = d->type;
        *d = e;
        if (!n->ov)
            continue;
        if (apply_override(a, n->ov, d) != VSOLVE_OK)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    return VSOLVE_OK;
}

/* The order of edges_by_name: by name (strcmp); the names of one node's edges differ. */
static int cmp_edge_ptr(const void *x, const void *y)
{
    return strcmp((*(const npm_edge *const *)x)->name, (*(const npm_edge *const *)y)->name);
}

/* The edges of a manifest in arborist's order: peer, peerOptional (unless legacy peer deps), prod,
 * optional, dev (tops). */
int npmt_load_edges(arena *a, npm_node *n, int with_dev, int with_peers, const char *file, vs_error *err)
{
    edge_list l = { 0 };
    const json_value *m = n->manifest;
    const json_value *pm = json_get(m, "peerDependenciesMeta");
    int rc = with_peers ? add_deps(a, &l, json_get(m, "peerDependencies"), NPM_DEP_PEER, pm, 0, file, err) : VSOLVE_OK;
    if (rc == VSOLVE_OK && with_peers)
        rc = add_deps(a, &l, json_get(m, "peerDependencies"), NPM_DEP_PEER_OPTIONAL, pm, 1, file, err);
    if (rc == VSOLVE_OK)
        rc = add_deps(a, &l, json_get(m, "dependencies"), NPM_DEP_PROD, NULL, 0, file, err);
    if (rc == VSOLVE_OK)
        rc = add_deps(a, &l, json_get(m, "optionalDependencies"), NPM_DEP_OPTIONAL, NULL, 0, file, err);
    if (rc == VSOLVE_OK && with_dev)
        rc = add_deps(a, &l, json_get(m, "devDependencies"), NPM_DEP_DEV, NULL, 0, file, err);
    free(l.slots);
    if (rc != VSOLVE_OK)
        return rc;
    for (size_t i = 0; n->ov && i < l.n; i++) {
        npm_edge *d = &l.items[i];
        if (apply_override(a, n->ov, d) != VSOLVE_OK)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    n->edges = l.items;
    n->n_edges = l.n;
    n->edges_by_name = NULL;
    if (l.n && !(n->failed = arena_alloc(a, l.n)))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (l.n > 8) {   /* a lookup table for npmt_edge_named; a few edges are scanned */
        npm_edge **by = arena_alloc(a, l.n * sizeof *by);
        if (!by)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        for (size_t i = 0; i < l.n; i++)
            by[i] = &l.items[i];
        qsort(by, l.n, sizeof *by, cmp_edge_ptr);
        n->edges_by_name = by;
    }
    return VSOLVE_OK;
}

int npmt_is_peer(npm_dep_type t) { return t == NPM_DEP_PEER || t == NPM_DEP_PEER_OPTIONAL; }

npm_edge *npmt_edge_named(const npm_node *n, const char *name, size_t *idx)
{
    if (n->edges_by_name) {
        size_t lo = 0, hi = n->n_edges;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            npm_edge *e = n->edges_by_name[mid];
            int c = strcmp(e->name, name);
            if (!c) {
                if (idx)
                    *idx = (size_t)(e - n->edges);
                return e;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return NULL;
    }
    for (size_t i = 0; i < n->n_edges; i++)
        if (!strcmp(n->edges[i].name, name)) {
            if (idx)
                *idx = i;
            return &n->edges[i];
        }
    return NULL;
}
