/* npm_tree.c: npm's ideal tree: pick a version per edge as npm-pick-manifest does, place it as arborist's PlaceDep does. */
#include "npm_tree.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "repo_source.h"

enum { CONFLICT, OK, REPLACE, KEEP };

/* A required dependency npm could not get: an error unless its dependent ends up optional. */
typedef struct load_failure {
    npm_node *from;
    const npm_edge *edge;
} load_failure;

typedef struct builder {
    npm_tree *t;
    npm_registry *reg;
    npm_version node_v, npm_v;
    const npm_locked *locked;
    size_t n_locked;
    npm_node **queue;
    size_t n_queue, cap_queue;
    load_failure *failures;   /* required dependencies that could not be had */
    size_t n_failures, cap_failures;
    vs_error *err;
} builder;

/* ---- string order: ICU root collation, as String.localeCompare(b, 'en') orders package names ---- */

static int primary_weight(unsigned char c)
{
    static const char punct[] = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
    if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z')
        return 200 + (c - 'a');
    if (c >= '0' && c <= '9')
        return 100 + (c - '0');
    const char *p = c ? strchr(punct, c) : NULL;
    if (p)
        return 10 + (int)(p - punct);
    return c < 128 ? 5 : 300 + c;
}

int npm_locale_compare(const char *a, const char *b)
{
    size_t i = 0;
    for (;; i++) {
        int wa = a[i] ? primary_weight((unsigned char)a[i]) : 0;
        int wb = b[i] ? primary_weight((unsigned char)b[i]) : 0;
        if (wa != wb)
            return wa < wb ? -1 : 1;
        if (!a[i])
            break;
    }
    for (i = 0; a[i] && b[i]; i++) {   /* tertiary: lower case first */
        int la = a[i] >= 'a' && a[i] <= 'z', lb = b[i] >= 'a' && b[i] <= 'z';
        int ua = a[i] >= 'A' && a[i] <= 'Z', ub = b[i] >= 'A' && b[i] <= 'Z';
        if (la && ub)
            return -1;
        if (ua && lb)
            return 1;
    }
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

/* ---- manifests and edges ---- */

static const char *jstr(const json_value *o, const char *key)
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
} edge_list;

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
        size_t j = 0;
        while (j < l->n && strcmp(l->items[j].name, e.name))
            j++;
        if (j == l->n) {
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

/* The edges of a manifest in arborist's order: peer, peerOptional, prod, optional, dev (tops). */
static int load_edges(arena *a, npm_node *n, int with_dev, const char *file, vs_error *err)
{
    edge_list l = { 0 };
    const json_value *m = n->manifest;
    const json_value *pm = json_get(m, "peerDependenciesMeta");
    int rc = add_deps(a, &l, json_get(m, "peerDependencies"), NPM_DEP_PEER, pm, 0, file, err);
    if (rc == VSOLVE_OK)
        rc = add_deps(a, &l, json_get(m, "peerDependencies"), NPM_DEP_PEER_OPTIONAL, pm, 1, file, err);
    if (rc == VSOLVE_OK)
        rc = add_deps(a, &l, json_get(m, "dependencies"), NPM_DEP_PROD, NULL, 0, file, err);
    if (rc == VSOLVE_OK)
        rc = add_deps(a, &l, json_get(m, "optionalDependencies"), NPM_DEP_OPTIONAL, NULL, 0, file, err);
    if (rc == VSOLVE_OK && with_dev)
        rc = add_deps(a, &l, json_get(m, "devDependencies"), NPM_DEP_DEV, NULL, 0, file, err);
    if (rc != VSOLVE_OK)
        return rc;
    n->edges = l.items;
    n->n_edges = l.n;
    if (l.n && !(n->failed = arena_alloc(a, l.n)))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

static int is_peer(npm_dep_type t) { return t == NPM_DEP_PEER || t == NPM_DEP_PEER_OPTIONAL; }

static npm_edge *edge_named(const npm_node *n, const char *name, size_t *idx)
{
    for (size_t i = 0; i < n->n_edges; i++)
        if (!strcmp(n->edges[i].name, name)) {
            if (idx)
                *idx = i;
            return &n->edges[i];
        }
    return NULL;
}

/* ---- tree structure ---- */

static npm_node *child_named(const npm_node *n, const char *name)
{
    size_t lo = 0, hi = n->n_children;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(n->children[mid]->name, name);
        if (!c)
            return n->children[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void detach(npm_node *c)
{
    npm_node *p = c->parent;
    if (!p)
        return;
    for (size_t i = 0; i < p->n_children; i++)
        if (p->children[i] == c) {
            memmove(p->children + i, p->children + i + 1, (p->n_children - i - 1) * sizeof *p->children);
            p->n_children--;
            break;
        }
    c->parent = NULL;
}

static void mark_removed(npm_node *n)
{
    n->removed = 1;
    for (size_t i = 0; i < n->n_children; i++)
        mark_removed(n->children[i]);
}

/* Removes a node (and what lies under it) from the tree. */
static void remove_node(npm_node *n)
{
    detach(n);
    mark_removed(n);
}

static int attach(arena *a, npm_node *parent, npm_node *c)
{
    npm_node *old = child_named(parent, c->name);
    if (old)
        remove_node(old);
    if (parent->n_children == parent->cap_children) {
        size_t ncap = parent->cap_children ? parent->cap_children * 2 : 8;
        npm_node **nc = arena_alloc(a, ncap * sizeof *nc);
        if (!nc)
            return VSOLVE_ENOMEM;
        if (parent->n_children)
            memcpy(nc, parent->children, parent->n_children * sizeof *nc);
        parent->children = nc;
        parent->cap_children = ncap;
    }
    size_t i = 0;
    while (i < parent->n_children && strcmp(parent->children[i]->name, c->name) < 0)
        i++;
    memmove(parent->children + i + 1, parent->children + i, (parent->n_children - i) * sizeof *parent->children);
    parent->children[i] = c;
    parent->n_children++;
    c->parent = parent;
    c->removed = 0;
    return VSOLVE_OK;
}

static npm_node *resolve(const npm_node *from, const char *name)
{
    for (const npm_node *n = from; n; n = n->parent) {
        npm_node *c = child_named(n, name);
        if (c)
            return c;
    }
    return NULL;
}

static unsigned depth_of(const npm_node *n)
{
    unsigned d = 0;
    for (; n->parent; n = n->parent)
        d++;
    return d;
}

static int is_descendant_of(const npm_node *n, const npm_node *anc)
{
    for (; n; n = n->parent)
        if (n == anc)
            return 1;
    return 0;
}

static int is_top(const npm_node *n) { return n->parent == NULL; }

/* dep-valid: does node n satisfy edge e? */
static int satisfies(const npm_node *n, const npm_edge *e)
{
    if (!n || strcmp(n->name, e->name))
        return 0;
    if (e->kind == NPM_SPEC_TAG)
        return 1;
    if (e->kind != NPM_SPEC_RANGE || !n->version)
        return 0;
    if (e->any)
        return 1;
    return npm_range_test(&e->range, &n->v);
}

/* edge.valid, with its target. */
static int edge_valid(const npm_node *from, const npm_edge *e, npm_node **to_out)
{
    npm_node *to = resolve(from, e->name);
    if (to_out)
        *to_out = to;
    if (!to)
        return e->type == NPM_DEP_PEER_OPTIONAL;
    return satisfies(to, e);
}

static int matches(const npm_node *a, const npm_node *b)
{
    return !strcmp(a->name, b->name) && !strcmp(a->pkg_name, b->pkg_name) && a->version && b->version &&
           !strcmp(a->version, b->version);
}

static int add_to_inventory(builder *b, npm_node *n)
{
    npm_tree *t = b->t;
    if (t->n_all == t->cap_all) {
        size_t ncap = t->cap_all ? t->cap_all * 2 : 256;
        npm_node **na = realloc(t->all, ncap * sizeof *na);
        if (!na)
            return VSOLVE_ENOMEM;
        t->all = na;
        t->cap_all = ncap;
    }
    t->all[t->n_all++] = n;
    return VSOLVE_OK;
}

static int in_tree(const builder *b, const npm_node *n)
{
    if (n->removed || n->is_virtual)
        return 0;
    while (n->parent)
        n = n->parent;
    return n == b->t->root;
}

/* The edges of tree nodes that resolve to `to` (edgesIn). Caller frees *from / *edge. */
typedef struct edge_ref {
    npm_node *from;
    npm_edge *edge;
} edge_ref;

static size_t edges_in(const builder *b, const npm_node *to, edge_ref **out)
{
    size_t n = 0, cap = 0;
    edge_ref *r = NULL;
    for (size_t i = 0; i < b->t->n_all; i++) {
        npm_node *f = b->t->all[i];
        if (!in_tree(b, f))
            continue;
        npm_edge *e = edge_named(f, to->name, NULL);
        size_t idx = 0;
        if (!e || (edge_named(f, to->name, &idx), f->failed[idx]) || resolve(f, e->name) != to)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            edge_ref *nr = realloc(r, cap * sizeof *nr);
            if (!nr) {
                free(r);
                *out = NULL;
                return 0;
            }
            r = nr;
        }
        r[n++] = (edge_ref){ f, e };
    }
    *out = r;
    return n;
}

/* A growable set of nodes (small: linear membership). */
typedef struct node_set {
    npm_node **items;
    size_t n, cap;
} node_set;

static int set_has(const node_set *s, const npm_node *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i] == x)
            return 1;
    return 0;
}

static int set_add(node_set *s, npm_node *x)
{
    if (set_has(s, x))
        return VSOLVE_OK;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        npm_node **ni = realloc(s->items, ncap * sizeof *ni);
        if (!ni)
            return VSOLVE_ENOMEM;
        s->items = ni;
        s->cap = ncap;
    }
    s->items[s->n++] = x;
    return VSOLVE_OK;
}

/* Edge filters of gatherDepSet. */
typedef enum { F_VALID_NOT_TO, F_NOT_TO, F_VALID_NOT_NODE } filter_kind;

static int filter_ok(filter_kind k, const npm_node *special, const npm_node *from, const npm_edge *e,
                      const npm_node *to)
{
    switch (k) {
    case F_VALID_NOT_TO: return to != special && satisfies(to, e);
    case F_NOT_TO: return to != special;
    default: return from != special && to != special && satisfies(to, e);
    }
}

/* gatherDepSet: the nodes of `s` plus their dependencies, less those something outside needs. */
static int gather_dep_set(const builder *b, node_set *s, filter_kind k, const npm_node *special)
{
    for (size_t i = 0; i < s->n; i++) {
        npm_node *n = s->items[i];
        for (size_t j = 0; j < n->n_edges; j++) {
            npm_node *to = resolve(n, n->edges[j].name);
            if (to && filter_ok(k, special, n, &n->edges[j], to) && set_add(s, to) != VSOLVE_OK)
                return VSOLVE_ENOMEM;
        }
    }
    int changed = 1;
    while (changed && s->n) {
        changed = 0;
        for (size_t i = 0; i < s->n; i++) {
            edge_ref *in = NULL;
            size_t n_in = edges_in(b, s->items[i], &in);
            int outside = 0;
            for (size_t j = 0; j < n_in && !outside; j++)
                outside = !set_has(s, in[j].from) && filter_ok(k, special, in[j].from, in[j].edge, s->items[i]);
            free(in);
            if (outside) {
                s->items[i] = s->items[--s->n];
                changed = 1;
                i--;
            }
        }
    }
    return VSOLVE_OK;
}

/* current.canReplaceWith(repl): every dependent outside current's own dep set accepts repl. */
static int can_replace(const builder *b, npm_node *current, const npm_node *repl)
{
    if (strcmp(current->name, repl->name) || strcmp(current->pkg_name, repl->pkg_name))
        return 0;
    node_set ds = { 0 };
    if (set_add(&ds, current) != VSOLVE_OK || gather_dep_set(b, &ds, F_VALID_NOT_TO, current) != VSOLVE_OK) {
        free(ds.items);
        return 0;
    }
    edge_ref *in = NULL;
    size_t n_in = edges_in(b, current, &in);
    int ok = 1;
    for (size_t i = 0; i < n_in && ok; i++)
        if (!set_has(&ds, in[i].from) && !satisfies(repl, in[i].edge))
            ok = 0;
    free(in);
    free(ds.items);
    return ok;
}

static int can_dedupe(const builder *b, npm_node *n, int prefer_dedupe)
{
    if (!n->parent || !n->parent->parent)
        return 0;
    edge_ref *in = NULL;
    size_t n_in = edges_in(b, n, &in);
    free(in);
    if (n_in == 0)
        return 1;
    npm_node *other = resolve(n->parent->parent, n->name);
    if (!other)
        return 0;
    if (matches(other, n))
        return 1;
    if (!can_replace(b, n, other))
        return 0;
    int c = npm_version_compare(&other->v, &n->v);
    return prefer_dedupe || c >= 0;
}

static int prune_dedupable(builder *b, npm_node *n, int descend, int prefer_dedupe)
{
    if (can_dedupe(b, n, prefer_dedupe)) {
        node_set ds = { 0 };
        int rc = set_add(&ds, n);
        if (rc == VSOLVE_OK)
            rc = gather_dep_set(b, &ds, F_VALID_NOT_TO, n);
        for (size_t i = 0; rc == VSOLVE_OK && i < ds.n; i++)
            remove_node(ds.items[i]);
        free(ds.items);
        return rc;
    }
    if (descend) {
        size_t k = n->n_children;
        npm_node **kids = k ? malloc(k * sizeof *kids) : NULL;
        if (k && !kids)
            return VSOLVE_ENOMEM;
        if (k)
            memcpy(kids, n->children, k * sizeof *kids);
        for (size_t i = 0; i < k; i++)
            if (!kids[i]->removed && prune_dedupable(b, kids[i], 1, prefer_dedupe) != VSOLVE_OK) {
                free(kids);
                return VSOLVE_ENOMEM;
            }
        free(kids);
    }
    return VSOLVE_OK;
}

/* ---- version choice (npm-pick-manifest) ---- */

static int engine_ok(const builder *b, const json_value *mani)
{
    const json_value *eng = json_get(mani, "engines");
    if (!eng || eng->kind != JSON_OBJECT)
        return 1;
    npm_options incl = { 0, 1 };
    const char *keys[] = { "node", "npm" };
    const npm_version *have[] = { &b->node_v, &b->npm_v };
    for (int i = 0; i < 2; i++) {
        const json_value *r = json_get(eng, keys[i]);
        if (!json_truthy(r))
            continue;
        if (r->kind != JSON_STRING)
            return 0;
        arena tmp;
        arena_init(&tmp);
        npm_range range;
        int ok = npm_range_parse(&tmp, r->str, incl, &range) == 0 && npm_range_test(&range, have[i]);
        arena_free(&tmp);
        if (!ok)
            return 0;
    }
    return 1;
}

static int locked_has(const builder *b, const char *name, const char *version)
{
    for (size_t i = 0; i < b->n_locked; i++)
        if (!strcmp(b->locked[i].name, name) && !strcmp(b->locked[i].version, version))
            return 1;
    return 0;
}

/* The manifest npm picks for edge e in packument doc, or NULL (no such version). */
static const json_value *pick_manifest(builder *b, const json_value *doc, const npm_edge *e, const char **version)
{
    const json_value *versions = json_get(doc, "versions");
    const json_value *tags = json_get(doc, "dist-tags");
    npm_options loose = { 1, 0 };
    if (!versions || versions->kind != JSON_OBJECT)
        return NULL;
    if (e->kind == NPM_SPEC_TAG) {
        const char *v = tags ? jstr(tags, e->fetch) : NULL;
        const json_value *m = v ? json_get(versions, v) : NULL;
        *version = v;
        return m && m->kind == JSON_OBJECT ? m : NULL;
    }
    if (e->kind != NPM_SPEC_RANGE)
        return NULL;
    arena tmp;
    arena_init(&tmp);
    /* a version an existing lock holds wins when it fits (that is what npm keeps) */
    const json_value *best = NULL;
    const char *best_v = NULL;
    npm_version bv = { 0 };
    int best_rank = -1;
    const char *latest = tags ? jstr(tags, "latest") : NULL;
    for (size_t i = 0; i < versions->n; i++) {
        const json_value *m = versions->items[i];
        npm_version v;
        if (m->kind != JSON_OBJECT || npm_version_parse(&tmp, versions->keys[i], loose, &v) != 0)
            continue;
        if (!npm_range_test(&e->range, &v))
            continue;
        int eng = engine_ok(b, m), notdep = !json_truthy(json_get(m, "deprecated"));
        int lock = b->n_locked && locked_has(b, e->target, versions->keys[i]);
        int is_latest = latest && !strcmp(latest, versions->keys[i]) && eng && notdep;
        int rank = lock * 16 + is_latest * 8 + (notdep && eng) * 4 + eng * 2 + notdep;
        if (rank > best_rank || (rank == best_rank && npm_version_compare_build(&v, &bv) > 0)) {
            best = m;
            best_v = versions->keys[i];
            bv = v;
            best_rank = rank;
        }
    }
    if (!best && e->any && latest) {   /* "*" with only pre-releases: the latest tag */
        best = json_get(versions, latest);
        best_v = latest;
    }
    arena_free(&tmp);
    *version = best_v;
    return best;
}

/* A node for package `pkg` at `version` (not yet in any tree). */
static npm_node *new_node(builder *b, const char *name, const char *pkg, const char *version, const json_value *mani)
{
    arena *a = &b->t->mem;
    npm_node *n = arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->name = name;
    n->pkg_name = pkg;
    n->version = version;
    n->manifest = mani;
    npm_options loose = { 1, 0 };
    if (version && npm_version_parse(a, version, loose, &n->v) != 0)
        memset(&n->v, 0, sizeof n->v);
    if (load_edges(a, n, 0, NULL, b->err) != VSOLVE_OK)
        return NULL;
    return n;
}

static npm_node *copy_node(builder *b, const npm_node *dep)
{
    npm_node *n = new_node(b, dep->name, dep->pkg_name, dep->version, dep->manifest);
    if (n && add_to_inventory(b, n) != VSOLVE_OK)
        return NULL;
    return n;
}

/* A virtual root standing for `source`: the same edges, no parent. */
static npm_node *virtual_root(builder *b, npm_node *source)
{
    npm_node *vr = arena_alloc(&b->t->mem, sizeof *vr);
    if (!vr)
        return NULL;
    *vr = (npm_node){ 0 };
    vr->name = source->name;
    vr->pkg_name = source->pkg_name;
    vr->version = source->version;
    vr->v = source->v;
    vr->manifest = source->manifest;
    vr->edges = source->edges;
    vr->n_edges = source->n_edges;
    vr->failed = source->failed;
    vr->is_virtual = 1;
    vr->source = source;
    return vr;
}

/* Fetches the manifest an edge asks for; *out NULL when none fits. */
static int node_for_edge(builder *b, const npm_edge *e, npm_node **out)
{
    *out = NULL;
    if (e->kind == NPM_SPEC_OTHER)
        return VSOLVE_OK;
    const json_value *doc = NULL;
    int rc = npm_registry_get(b->reg, e->target, &doc, b->err);
    if (rc != VSOLVE_OK || !doc)
        return rc;
    const char *version = NULL;
    const json_value *m = pick_manifest(b, doc, e, &version);
    if (!m)
        return VSOLVE_OK;
    if (!(*out = new_node(b, e->name, e->target, version, m)))
        return b->err->code ? b->err->code : vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

static int load_peer_set(builder *b, npm_node *node);

/* #nodeFromEdge: the dep, as a child of vr, with its peer set loaded beside it. */
static int node_from_edge(builder *b, const npm_edge *e, npm_node *vr, const npm_edge *second, npm_node **out)
{
    npm_node *first = NULL, *dep;
    int rc = node_for_edge(b, e, &first);
    if (rc != VSOLVE_OK)
        return rc;
    dep = first;
    if (second && e->type == NPM_DEP_PEER_OPTIONAL) {
        npm_node *s = NULL;
        if ((rc = node_for_edge(b, second, &s)) != VSOLVE_OK)
            return rc;
        if (s)
            dep = s;
    }
    *out = dep;
    if (!dep)
        return VSOLVE_OK;
    if (attach(&b->t->mem, vr, dep) != VSOLVE_OK)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    return load_peer_set(b, dep);
}

static int cmp_edge_ptr_name(const void *x, const void *y)
{
    const npm_edge *a = *(const npm_edge *const *)x, *c = *(const npm_edge *const *)y;
    return npm_locale_compare(a->name, c->name);
}

static int load_peer_set(builder *b, npm_node *node)
{
    npm_node *vr = node->parent;
    npm_edge **peers = node->n_edges ? malloc(node->n_edges * sizeof *peers) : NULL;
    size_t n = 0;
    if (node->n_edges && !peers)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < node->n_edges; i++) {
        npm_node *to = NULL;
        int valid = edge_valid(node, &node->edges[i], &to);
        if (is_peer(node->edges[i].type) && !(valid && to))
            peers[n++] = &node->edges[i];
    }
    if (n)
        qsort(peers, n, sizeof *peers, cmp_edge_ptr_name);
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        npm_edge *e = peers[i];
        npm_node *to = NULL, *dep = NULL;
        if (edge_valid(node, e, &to) && to)
            continue;
        npm_edge *parent_edge = edge_named(vr, e->name, NULL);
        if (!to) {
            rc = parent_edge ? node_from_edge(b, parent_edge, vr, e, &dep) : node_from_edge(b, e, vr, NULL, &dep);
            continue;
        }
        /* something is there and does not fit: replace it if everything there accepts ours */
        if ((rc = node_for_edge(b, e, &dep)) != VSOLVE_OK || !dep)
            continue;
        int all_ok = 1;
        for (size_t k = 0; k < vr->n_children && all_ok; k++) {
            npm_node *c = vr->children[k];
            npm_edge *ce = edge_named(c, e->name, NULL);
            if (ce && resolve(c, e->name) == to && !satisfies(dep, ce))
                all_ok = 0;
        }
        npm_edge *ve = edge_named(vr, e->name, NULL);
        if (ve && !satisfies(dep, ve))
            all_ok = 0;
        if (all_ok)
            rc = node_from_edge(b, e, vr, NULL, &dep);
    }
    free(peers);
    return rc;
}

/* ---- placement (arborist's CanPlaceDep / PlaceDep) ---- */

static npm_node *deepest_nesting_target(npm_node *start, const char *name)
{
    for (npm_node *t = start; t; t = t->parent) {
        if (t->is_root || !t->parent)
            return t;
        npm_edge *te = edge_named(t, name, NULL);
        if (!te || !is_peer(te->type))
            return t;
    }
    return start;
}

typedef struct cpd {
    npm_node *dep, *target, *edge_from;
    const npm_edge *edge;
    const struct cpd *parent;
    int prefer_dedupe;
    int can_place, can_place_self;
    npm_node *const *peer_path;
    size_t n_path;
} cpd;

static const cpd *cpd_top(const cpd *c)
{
    while (c->parent)
        c = c->parent;
    return c;
}

static npm_node *cpd_deepest(const cpd *c)
{
    npm_node *start = c->parent ? cpd_deepest(c->parent) : c->edge_from;
    return deepest_nesting_target(start, c->edge->name);
}

static void cpd_check(builder *b, cpd *c);

static int can_place_peers(builder *b, cpd *c, int state)
{
    c->can_place_self = state;
    npm_node *path[64];
    size_t n_path = c->n_path < 63 ? c->n_path : 63;
    if (n_path)
        memcpy(path, c->peer_path, n_path * sizeof *path);
    path[n_path++] = c->dep;
    int saw_conflict = 0;
    for (size_t i = 0; i < c->dep->n_edges; i++) {
        const npm_edge *pe = &c->dep->edges[i];
        if (!is_peer(pe->type))
            continue;
        npm_node *to = resolve(c->dep, pe->name);
        int in_path = 0;
        for (size_t k = 0; k < n_path; k++)
            in_path |= path[k] == to;
        if (!to || in_path)
            continue;
        cpd child = { to, deepest_nesting_target(c->target, to->name), c->dep, pe, c, 1, 0, 0, path, n_path };
        cpd_check(b, &child);
        if (child.can_place == CONFLICT)
            saw_conflict = 1;
    }
    return saw_conflict ? CONFLICT : state;
}

static int check_current(builder *b, cpd *c, npm_node *current)
{
    int edge_override = !satisfies(c->dep, c->edge);
    if (matches(c->dep, current) && (satisfies(current, c->edge) || edge_override))
        return KEEP;
    int try_replace = current->version && c->dep->version && npm_version_compare(&c->dep->v, &current->v) >= 0;
    if (try_replace && can_replace(b, current, c->dep)) {
        int cpp = can_place_peers(b, c, REPLACE);
        if (cpp != CONFLICT)
            return cpp;
    }
    if (satisfies(current, c->edge))
        return KEEP;
    if (c->prefer_dedupe && !try_replace && can_replace(b, current, c->dep)) {
        int cpp = can_place_peers(b, c, REPLACE);
        if (cpp != CONFLICT)
            return cpp;
    }
    if (c->target != cpd_deepest(c))
        return CONFLICT;
    if (!is_peer(c->edge->type) && c->target == c->edge_from)
        return can_place_peers(b, c, REPLACE);
    return CONFLICT;   /* replacing another peer set: not modelled */
}

static int check_no_current(builder *b, cpd *c)
{
    const cpd *top = cpd_top(c);
    npm_node *current = c->target != top->edge_from ? resolve(c->target, c->edge->name) : NULL;
    if (current) {
        edge_ref *in = NULL;
        size_t n_in = edges_in(b, current, &in);
        int conflict = 0;
        for (size_t i = 0; i < n_in && !conflict; i++)
            if (is_descendant_of(in[i].from, c->target) && satisfies(current, in[i].edge) &&
                !satisfies(c->dep, in[i].edge))
                conflict = 1;
        free(in);
        if (conflict)
            return CONFLICT;
    }
    return can_place_peers(b, c, OK);
}

static void cpd_check(builder *b, cpd *c)
{
    npm_node *current = child_named(c->target, c->edge->name);
    npm_edge *te = edge_named(c->target, c->edge->name, NULL);
    c->can_place_self = 0;
    if (te && is_peer(te->type) && !is_top(c->target))
        c->can_place = CONFLICT;
    else if (!current && te && !satisfies(c->dep, te) && te != c->edge)
        c->can_place = CONFLICT;
    else
        c->can_place = current ? check_current(b, c, current) : check_no_current(b, c);
    if (!c->can_place_self)
        c->can_place_self = c->can_place;
}

/* What a placement did, for the queue updates that follow it. */
typedef struct placed_rec {
    npm_node *placed, *edge_from;
    const npm_edge *edge;
    int how;                 /* OK or REPLACE */
} placed_rec;

typedef struct placed_list {
    placed_rec *items;
    size_t n, cap;
} placed_list;

static int prune_for_replacement(builder *b, npm_node *node, node_set *old_deps)
{
    node_set invalid = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < node->n_edges && rc == VSOLVE_OK; i++) {
        npm_node *to = NULL;
        if (!edge_valid(node, &node->edges[i], &to) && to)
            rc = set_add(&invalid, to);
    }
    for (size_t i = 0; i < old_deps->n && rc == VSOLVE_OK; i++) {
        node_set s = { 0 };
        rc = set_add(&s, old_deps->items[i]);
        if (rc == VSOLVE_OK)
            rc = gather_dep_set(b, &s, F_VALID_NOT_TO, old_deps->items[i]);
        for (size_t k = 0; k < s.n && rc == VSOLVE_OK; k++)
            rc = set_add(&invalid, s.items[k]);
        free(s.items);
    }
    if (rc == VSOLVE_OK)
        rc = gather_dep_set(b, &invalid, F_VALID_NOT_NODE, node);
    for (size_t i = 0; rc == VSOLVE_OK && i < invalid.n; i++)
        remove_node(invalid.items[i]);
    free(invalid.items);
    return rc;
}

static int place_dep(builder *b, const npm_edge *edge, npm_node *edge_from, npm_node *dep, npm_node *parent_start,
                     const cpd *parent_cpd, placed_list *out)
{
    npm_node *start = deepest_nesting_target(parent_start ? parent_start : edge_from, edge->name);
    cpd cp = { 0 }, cps = { 0 };
    int have_cp = 0, have_cps = 0;
    for (npm_node *target = start; target; target = target->parent) {
        npm_edge *te = edge_named(target, edge->name, NULL);
        if (!is_top(target) && te && is_peer(te->type))
            continue;
        cpd c = { dep, target, edge_from, edge, parent_cpd, is_peer(edge->type), 0, 0, NULL, 0 };
        cpd_check(b, &c);
        if (c.can_place_self != CONFLICT) {
            cps = c;
            have_cps = 1;
        }
        if (c.can_place == CONFLICT)
            break;
        cp = c;
        have_cp = 1;
    }
    if (!have_cp) {
        if (!have_cps)
            return VSOLVE_OK;   /* npm warns about the unmet peer and goes on */
        cp = cps;
    }
    int how = cp.can_place == CONFLICT ? cp.can_place_self : cp.can_place;
    npm_node *target = cp.target;
    if (how == KEEP)
        return prune_dedupable(b, target, 1, 0);
    npm_node *placed = copy_node(b, dep);
    if (!placed)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    npm_node *old = child_named(target, dep->name);
    int rc = VSOLVE_OK;
    if (old) {
        node_set old_deps = { 0 };
        for (size_t i = 0; i < old->n_edges && rc == VSOLVE_OK; i++) {
            npm_node *to = resolve(old, old->edges[i].name);
            if (!to || edge_named(placed, old->edges[i].name, NULL))
                continue;
            node_set s = { 0 };
            rc = set_add(&s, to);
            if (rc == VSOLVE_OK)
                rc = gather_dep_set(b, &s, F_NOT_TO, to);
            for (size_t k = 0; k < s.n && rc == VSOLVE_OK; k++)
                rc = set_add(&old_deps, s.items[k]);
            free(s.items);
        }
        /* the new node takes over the old one's children */
        while (rc == VSOLVE_OK && old->n_children) {
            npm_node *kid = old->children[0];
            detach(kid);
            rc = attach(&b->t->mem, placed, kid);
        }
        if (rc == VSOLVE_OK)
            rc = attach(&b->t->mem, target, placed);   /* removes old */
        if (rc == VSOLVE_OK)
            rc = prune_for_replacement(b, placed, &old_deps);
        free(old_deps.items);
    } else
        rc = attach(&b->t->mem, target, placed);
    if (rc != VSOLVE_OK)
        return rc;
    npm_node *to = NULL;
    if (edge_valid(edge_from, edge, &to) && to && to != placed && (rc = prune_dedupable(b, to, 0, 0)) != VSOLVE_OK)
        return rc;
    for (size_t i = 0; i < b->t->n_all; i++) {
        npm_node *n = b->t->all[i];
        if (strcmp(n->name, dep->name) || !in_tree(b, n) || !is_descendant_of(n, target) || is_top(n))
            continue;
        if ((rc = prune_dedupable(b, n, 0, 0)) != VSOLVE_OK)
            return rc;
        if (in_tree(b, n))
            for (size_t k = 0; k < n->n_children; k++) {
                npm_node *kid = n->children[k];
                if ((rc = prune_dedupable(b, kid, 0, 0)) != VSOLVE_OK)
                    return rc;
                if (k < n->n_children && n->children[k] != kid)
                    k--;
            }
    }
    if (out->n == out->cap) {
        size_t ncap = out->cap ? out->cap * 2 : 8;
        placed_rec *ni = realloc(out->items, ncap * sizeof *ni);
        if (!ni)
            return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
        out->items = ni;
        out->cap = ncap;
    }
    out->items[out->n++] = (placed_rec){ placed, edge_from, edge, cp.can_place_self };
    /* the peers, from the dep's virtual root, beside it */
    npm_node *vr = dep->parent;
    for (size_t i = 0; i < placed->n_edges && rc == VSOLVE_OK; i++) {
        const npm_edge *pe = &placed->edges[i];
        if (!is_peer(pe->type) || edge_valid(placed, pe, NULL) || !vr)
            continue;
        npm_node *peer = child_named(vr, pe->name);
        if (!peer || !satisfies(peer, pe))
            continue;
        rc = place_dep(b, pe, placed, peer, start, &cp, out);
    }
    return rc;
}

/* ---- the build loop (buildIdealTree's #buildDepStep) ---- */

static int queue_push(builder *b, npm_node *n)
{
    for (size_t i = 0; i < b->n_queue; i++)
        if (b->queue[i] == n)
            return VSOLVE_OK;
    if (b->n_queue == b->cap_queue) {
        size_t ncap = b->cap_queue ? b->cap_queue * 2 : 64;
        npm_node **nq = realloc(b->queue, ncap * sizeof *nq);
        if (!nq)
            return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
        b->queue = nq;
        b->cap_queue = ncap;
    }
    b->queue[b->n_queue++] = n;
    return VSOLVE_OK;
}

static int set_location(builder *b, npm_node *n)
{
    if (!n->parent) {
        n->location = "";
        return VSOLVE_OK;
    }
    const char *pl = n->parent->location ? n->parent->location : "";
    size_t pl_len = strlen(pl), name_len = strlen(n->name);
    if (n->location) {   /* unchanged (the usual case): keep it, allocate nothing */
        const char *l = n->location;
        if (pl_len ? !strncmp(l, pl, pl_len) && l[pl_len] == '/' && (l += pl_len + 1) : 1)
            if (!strncmp(l, "node_modules/", 13) && !strcmp(l + 13, n->name))
                return VSOLVE_OK;
    }
    size_t len = pl_len + name_len + 16;
    char *loc = arena_alloc(&b->t->mem, len);
    if (!loc)
        return VSOLVE_ENOMEM;
    snprintf(loc, len, "%s%snode_modules/%s", pl, *pl ? "/" : "", n->name);
    n->location = loc;
    return VSOLVE_OK;
}

/* Locations follow the tree: recomputed from the root down. */
static int relocate(builder *b, npm_node *n)
{
    if (set_location(b, n) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < n->n_children; i++)
        if (relocate(b, n->children[i]) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

static npm_node *queue_pop(builder *b)
{
    size_t best = 0;
    unsigned bd = 0;
    for (size_t i = 0; i < b->n_queue; i++) {
        unsigned d = depth_of(b->queue[i]);
        if (i == 0 || d < bd || (d == bd && npm_locale_compare(b->queue[i]->location, b->queue[best]->location) < 0)) {
            best = i;
            bd = d;
        }
    }
    npm_node *n = b->queue[best];
    memmove(b->queue + best, b->queue + best + 1, (b->n_queue - best - 1) * sizeof *b->queue);
    b->n_queue--;
    return n;
}

static int bundled(const npm_node *n, const char *name)
{
    if (n->is_root)
        return 0;
    const json_value *bd = json_get(n->manifest, "bundleDependencies");
    if (!bd)
        bd = json_get(n->manifest, "bundledDependencies");
    if (!bd || bd->kind != JSON_ARRAY)
        return 0;
    for (size_t i = 0; i < bd->n; i++)
        if (bd->items[i]->kind == JSON_STRING && !strcmp(bd->items[i]->str, name))
            return 1;
    return 0;
}

static npm_node *find_hoistable(npm_node *root, const npm_edge *e)
{
    npm_node **q = NULL;
    size_t head = 0, n = 0, cap = 0;
    npm_node *found = NULL;
    for (size_t i = 0; i <= root->n_children; i++) {
        npm_node *x = i < root->n_children ? root->children[i] : NULL;
        if (!x)
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            npm_node **nq = realloc(q, cap * sizeof *nq);
            if (!nq) {
                free(q);
                return NULL;
            }
            q = nq;
        }
        q[n++] = x;
    }
    while (head < n && !found) {
        npm_node *x = q[head++];
        if (!strcmp(x->name, e->name) && satisfies(x, e)) {
            found = x;
            break;
        }
        for (size_t i = 0; i < x->n_children; i++) {
            if (n == cap) {
                cap = cap * 2;
                npm_node **nq = realloc(q, cap * sizeof *nq);
                if (!nq) {
                    free(q);
                    return NULL;
                }
                q = nq;
            }
            q[n++] = x->children[i];
        }
    }
    free(q);
    return found;
}

typedef struct task {
    npm_edge *edge;
    npm_node *dep;
} task;

static int cmp_task(const void *x, const void *y)
{
    return npm_locale_compare(((const task *)x)->edge->name, ((const task *)y)->edge->name);
}

static int build_step(builder *b, npm_node *node)
{
    task *tasks = node->n_edges ? calloc(node->n_edges, sizeof *tasks) : NULL;
    size_t n_tasks = 0;
    int rc = VSOLVE_OK;
    if (node->n_edges && !tasks)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    npm_node *peer_vr = NULL;
    for (size_t i = 0; i < node->n_edges && rc == VSOLVE_OK; i++) {
        npm_edge *e = &node->edges[i];
        if (bundled(node, e->name) || node->failed[i])
            continue;
        npm_node *to = NULL;
        int valid = edge_valid(node, e, &to);
        if ((!to && e->type == NPM_DEP_PEER_OPTIONAL) || (to && valid))
            continue;
        npm_node *dep = NULL;
        if (is_peer(e->type)) {
            if (!peer_vr && !(peer_vr = virtual_root(b, node)))
                rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
            npm_node *vto = NULL;
            if (rc == VSOLVE_OK && edge_valid(peer_vr, e, &vto) && vto && satisfies(vto, e))
                dep = vto;
        }
        if (rc == VSOLVE_OK && !dep && e->type == NPM_DEP_PEER_OPTIONAL)
            dep = find_hoistable(node->parent ? node->parent : node, e);
        if (rc == VSOLVE_OK && !dep) {
            npm_node *vr = is_peer(e->type) ? peer_vr : virtual_root(b, node);
            if (!vr)
                rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
            else
                rc = node_from_edge(b, e, vr, NULL, &dep);
        }
        if (rc != VSOLVE_OK)
            break;
        if (!dep) {
            if (e->type == NPM_DEP_OPTIONAL || e->type == NPM_DEP_PEER_OPTIONAL) {
                node->failed[i] = 1;   /* an optional dependency npm cannot get is dropped */
                continue;
            }
            /* decided once the tree is built and it is known whether only optional packages need it */
            if (b->n_failures == b->cap_failures) {
                size_t cap = b->cap_failures ? 2 * b->cap_failures : 8;
                load_failure *nf = realloc(b->failures, cap * sizeof *nf);
                if (!nf) {
                    rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
                    break;
                }
                b->failures = nf;
                b->cap_failures = cap;
            }
            b->failures[b->n_failures++] = (load_failure){ node, e };
            node->failed[i] = 1;
            continue;
        }
        tasks[n_tasks++] = (task){ e, dep };
    }
    if (rc == VSOLVE_OK)
        if (n_tasks)
            qsort(tasks, n_tasks, sizeof *tasks, cmp_task);
    placed_list pl = { 0 };
    for (size_t i = 0; i < n_tasks && rc == VSOLVE_OK; i++) {
        pl.n = 0;
        rc = place_dep(b, tasks[i].edge, node, tasks[i].dep, NULL, NULL, &pl);
        /* only the placed nodes (and the children a replaced node handed them) have new
         * locations: relocating the whole tree after every placement was quadratic */
        for (size_t k = 0; k < pl.n && rc == VSOLVE_OK; k++)
            if (in_tree(b, pl.items[k].placed))
                rc = relocate(b, pl.items[k].placed);
        for (size_t k = 0; k < pl.n && rc == VSOLVE_OK; k++) {
            placed_rec *p = &pl.items[k];
            if (!in_tree(b, p->placed))
                continue;
            edge_ref *in = NULL;
            size_t n_in = edges_in(b, p->placed, &in);
            for (size_t j = 0; j < n_in && rc == VSOLVE_OK; j++) {
                if (in[j].edge == p->edge || satisfies(p->placed, in[j].edge))
                    continue;
                if (p->how == REPLACE)
                    in[j].from->seen = 0;
                if (!in[j].from->seen)
                    rc = queue_push(b, in[j].from);
            }
            free(in);
            if (rc == VSOLVE_OK)
                rc = queue_push(b, p->placed);
        }
    }
    free(pl.items);
    free(tasks);
    return rc;
}

int npm_manifest_read(arena *a, const char *path, const json_value **out, vs_error *err)
{
    size_t len = 0;
    char *text = repo_read_file(path, &len, err);
    if (!text)
        return err->code ? err->code : VSOLVE_EIO;
    const char *file = arena_strndup(a, path, strlen(path));
    const json_value *v = file ? json_parse(a, file, text, len, err) : NULL;
    free(text);
    if (!v)
        return err->code ? err->code : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (v->kind != JSON_OBJECT)
        return vs_error_at(err, file, v->line, v->col, "expected a package.json object, found %s", json_kind_name(v->kind));
    const char *fields[] = { "dependencies", "devDependencies", "optionalDependencies", "peerDependencies" };
    for (size_t i = 0; i < 4; i++) {
        const json_value *d = json_get(v, fields[i]);
        if (!d)
            continue;
        if (d->kind != JSON_OBJECT)
            return vs_error_at(err, file, d->line, d->col, "expected \"%s\" to be an object, found %s", fields[i],
                               json_kind_name(d->kind));
        for (size_t k = 0; k < d->n; k++)
            if (d->key_lens && d->key_lens[k] != strlen(d->keys[k]))
                return vs_error_at(err, file, d->items[k]->line, d->items[k]->col,
                                   "expected a dependency name without a NUL character (\\u0000)");
            else if (d->items[k]->kind != JSON_STRING)
                return vs_error_at(err, file, d->items[k]->line, d->items[k]->col,
                                   "expected a version range string for \"%s\", found %s", d->keys[k],
                                   json_kind_name(d->items[k]->kind));
    }
    *out = v;
    return VSOLVE_OK;
}

/* ---- flags: a node loses a flag when some path from the root avoids the matching edges ---- */

static void spread(npm_node *n, int not_dev, int not_opt, int not_devopt, int not_peer)
{
    int changed = 0;
    if (not_dev && n->dev) { n->dev = 0; changed = 1; }
    if (not_opt && n->optional) { n->optional = 0; changed = 1; }
    if (not_devopt && n->dev_optional) { n->dev_optional = 0; changed = 1; }
    if (not_peer && n->peer) { n->peer = 0; changed = 1; }
    if (!changed && !n->is_root)
        return;
    for (size_t i = 0; i < n->n_edges; i++) {
        const npm_edge *e = &n->edges[i];
        if (n->failed && n->failed[i])
            continue;
        npm_node *to = NULL;
        for (const npm_node *p = n; p && !to; p = p->parent)
            for (size_t k = 0; k < p->n_children && !to; k++)
                if (!strcmp(p->children[k]->name, e->name))
                    to = p->children[k];
        if (!to)
            continue;
        int dev_edge = e->type == NPM_DEP_DEV;
        int opt_edge = e->type == NPM_DEP_OPTIONAL || e->type == NPM_DEP_PEER_OPTIONAL;
        int peer_edge = e->type == NPM_DEP_PEER || e->type == NPM_DEP_PEER_OPTIONAL;
        spread(to, (n->is_root ? 1 : !n->dev) && !dev_edge, (n->is_root ? 1 : !n->optional) && !opt_edge,
               (n->is_root ? 1 : !n->dev_optional) && !dev_edge && !opt_edge, (n->is_root ? 1 : !n->peer) && !peer_edge);
    }
}

static void set_all(npm_node *n)
{
    n->dev = n->optional = n->dev_optional = n->peer = 1;
    for (size_t i = 0; i < n->n_children; i++)
        set_all(n->children[i]);
}

void npm_tree_flags(npm_tree *t)
{
    if (!t->root)
        return;
    set_all(t->root);
    t->root->dev = t->root->optional = t->root->dev_optional = t->root->peer = 0;
    spread(t->root, 0, 0, 0, 0);
}

int npm_tree_build(npm_tree *t, npm_registry *reg, const json_value *manifest, const char *file,
                   const npm_tree_options *opt, const npm_locked *locked, size_t n_locked, vs_error *err)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->mem);
    t->root_manifest = manifest;
    t->root_file = file;
    builder b = { .t = t, .reg = reg, .locked = locked, .n_locked = n_locked, .err = err };
    npm_options none = { 0, 0 };
    const char *nodev = opt && opt->node_version ? opt->node_version : "20.20.2";
    const char *npmv = opt && opt->npm_version ? opt->npm_version : "11.19.1";
    if (npm_version_parse(&t->mem, nodev, none, &b.node_v) != 0)
        return vs_error_set(err, VSOLVE_EUSAGE, "\"%s\" is not a node version", nodev);
    if (npm_version_parse(&t->mem, npmv, none, &b.npm_v) != 0)
        return vs_error_set(err, VSOLVE_EUSAGE, "\"%s\" is not an npm version", npmv);
    npm_node *root = arena_alloc(&t->mem, sizeof *root);
    if (!root)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    const char *name = jstr(manifest, "name");
    root->name = root->pkg_name = name ? name : "";
    root->version = jstr(manifest, "version");
    root->manifest = manifest;
    root->is_root = 1;
    root->location = "";
    int rc = load_edges(&t->mem, root, 1, file, err);
    if (rc != VSOLVE_OK)
        return rc;
    t->root = root;
    /* in the inventory, so that the root's own edges count among a node's dependents (edgesIn) */
    if (add_to_inventory(&b, root) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if ((rc = queue_push(&b, root)) != VSOLVE_OK)
        return rc;
    while (rc == VSOLVE_OK && b.n_queue) {
        npm_node *n = queue_pop(&b);
        if (n->seen || !in_tree(&b, n))
            continue;
        n->seen = 1;
        rc = build_step(&b, n);
    }
    free(b.queue);
    if (rc == VSOLVE_OK)
        rc = relocate(&b, root);
    if (rc == VSOLVE_OK)
        npm_tree_flags(t);
    /* arborist's pruneFailedOptional: a failure that only optional packages lead to leaves the
     * missing package out (its dependent stays in the lock, flagged optional); one that a
     * required package needs is an error */
    for (size_t i = 0; i < b.n_failures && rc == VSOLVE_OK; i++) {
        const load_failure *f = &b.failures[i];
        if (!in_tree(&b, f->from) || (!f->from->is_root && f->from->optional))
            continue;
        const char *who = f->from->is_root ? (file ? file : "the root package") : f->from->location;
        rc = vs_error_set(err, VSOLVE_UNSAT, "no version of %s matches \"%s\" (needed by %s%s%s)", f->edge->target,
                          f->edge->spec, who, f->from->is_root ? "" : "@", f->from->is_root ? "" : f->from->version);
    }
    free(b.failures);
    return rc;
}

static int cmp_node_loc(const void *x, const void *y)
{
    return npm_locale_compare((*(npm_node *const *)x)->location, (*(npm_node *const *)y)->location);
}

static void collect(npm_node *n, npm_node **out, size_t *k)
{
    for (size_t i = 0; i < n->n_children; i++) {
        out[(*k)++] = n->children[i];
        collect(n->children[i], out, k);
    }
}

static size_t count_nodes(const npm_node *n)
{
    size_t c = n->n_children;
    for (size_t i = 0; i < n->n_children; i++)
        c += count_nodes(n->children[i]);
    return c;
}

size_t npm_tree_nodes(const npm_tree *t, npm_node ***out)
{
    *out = NULL;
    if (!t->root)
        return 0;
    size_t n = count_nodes(t->root), k = 0;
    if (!n || !(*out = malloc(n * sizeof **out)))
        return 0;
    collect(t->root, *out, &k);
    qsort(*out, k, sizeof **out, cmp_node_loc);
    return k;
}

void npm_tree_free(npm_tree *t)
{
    free(t->all);
    arena_free(&t->mem);
    memset(t, 0, sizeof *t);
}
