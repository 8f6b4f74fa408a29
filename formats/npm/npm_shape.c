/* npm_shape.c: the tree's structure: children, resolution, inventory, edges in, dedupe. */
#include "npm_tree_internal.h"

/* ---- tree structure ---- */

npm_node *npmt_child_named(const npm_node *n, const char *name)
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

void npmt_detach(npm_node *c)
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
void npmt_remove_node(npm_node *n)
{
    npmt_detach(n);
    mark_removed(n);
}

/* Keeps child level == parent level + 1 below n (a moved subtree is renumbered). */
static void set_level(npm_node *n, unsigned level)
{
    if (n->level == level)
        return;
    n->level = level;
    for (size_t i = 0; i < n->n_children; i++)
        set_level(n->children[i], level + 1);
}

int npmt_attach(arena *a, npm_node *parent, npm_node *c)
{
    npm_node *old = npmt_child_named(parent, c->name);
    if (old)
        npmt_remove_node(old);
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
    size_t i = 0, hi = parent->n_children;   /* the first child named after c */
    while (i < hi) {
        size_t mid = i + (hi - i) / 2;
        if (strcmp(parent->children[mid]->name, c->name) < 0)
            i = mid + 1;
        else
            hi = mid;
    }
    memmove(parent->children + i + 1, parent->children + i, (parent->n_children - i) * sizeof *parent->children);
    parent->children[i] = c;
    parent->n_children++;
    c->parent = parent;
    c->removed = 0;
    set_level(c, parent->level + 1);
    return VSOLVE_OK;
}

npm_node *npmt_resolve(const npm_node *from, const char *name)
{
    for (const npm_node *n = from; n; n = n->parent) {
        npm_node *c = npmt_child_named(n, name);
        if (c)
            return c;
    }
    return NULL;
}

unsigned npmt_depth_of(const npm_node *n)
{
    unsigned d = 0;
    for (; n->parent && !n->is_link; n = n->parent)   /* a link target is a top */
        d++;
    return d;
}

int npmt_is_descendant_of(const npm_node *n, const npm_node *anc)
{
    /* levels grow by one per generation: only the levels between n and anc need a look */
    for (; n && n->level > anc->level; n = n->parent)
        ;
    return n == anc;
}

int npmt_is_top(const npm_node *n) { return n->parent == NULL || n->is_link; }

/* dep-valid of one spec */
static int spec_ok(const npm_node *n, npm_spec_kind kind, int any, const npm_range *range)
{
    if (kind == NPM_SPEC_TAG)
        return 1;
    if (kind != NPM_SPEC_RANGE || !n->version)
        return 0;
    return any || npm_range_test(range, &n->v);
}

/* edge.satisfiedBy: does node n satisfy edge e? With an override rule: the overriding spec, or
 * the manifest's spec when n is not what the rule's key matches. */
int npmt_satisfies(const npm_node *n, const npm_edge *e)
{
    if (!n || strcmp(n->name, e->name))
        return 0;
    if (e->link_path)   /* file: the link to that directory */
        return n->is_link && !strcmp(n->location, e->link_path);
    if (spec_ok(n, e->kind, e->any, &e->range))
        return 1;
    if (!e->ov || !e->ov->key_spec)
        return 0;
    if (e->overridden && !spec_ok(n, e->raw_kind, e->raw_any, &e->raw_range))
        return 0;
    if (!e->overridden)
        return 0;   /* the raw spec is the spec: not valid */
    return !(e->ov->key_any || (e->ov->key_ok && spec_ok(n, NPM_SPEC_RANGE, 0, &e->ov->key_range)));
}

/* edge.valid, with its target. */
int npmt_edge_valid(const npm_node *from, const npm_edge *e, npm_node **to_out)
{
    npm_node *to = npmt_resolve(from, e->name);
    if (to_out)
        *to_out = to;
    if (!to)
        return e->type == NPM_DEP_PEER_OPTIONAL;
    return npmt_satisfies(to, e);
}

int npmt_matches(const npm_node *a, const npm_node *b)
{
    return !strcmp(a->name, b->name) && !strcmp(a->pkg_name, b->pkg_name) && a->version && b->version &&
           !strcmp(a->version, b->version);
}

int npmt_add_to_inventory(builder *b, npm_node *n)
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
    return npmt_index_add(b, n);
}

int npmt_in_tree(const builder *b, const npm_node *n)
{
    if (n->removed || n->is_virtual)
        return 0;
    while (n->parent)
        n = n->parent;
    return n == b->t->root;
}


size_t npmt_edges_in(const builder *b, const npm_node *to, edge_ref **out)
{
    size_t n = 0, cap = 0, n_from = 0;
    edge_ref *r = NULL;
    /* the nodes with an edge of that name, in inventory order */
    npm_node *const *from = npmt_dependents_named(b, to->name, &n_from);
    for (size_t i = 0; i < n_from; i++) {
        npm_node *f = from[i];
        size_t idx = 0;
        b->t->work++;
        npm_edge *e = npmt_edge_named(f, to->name, &idx);
        /* the resolution first: it rules out most, and often at once (a child of f) */
        if (!e || f->failed[idx] || npmt_resolve(f, e->name) != to || !npmt_in_tree(b, f))
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


static int set_has(const node_set *s, const npm_node *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i] == x)
            return 1;
    return 0;
}

int npmt_set_add(node_set *s, npm_node *x)
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


static int filter_ok(filter_kind k, const npm_node *special, const npm_node *from, const npm_edge *e,
                      const npm_node *to)
{
    switch (k) {
    case F_VALID_NOT_TO: return to != special && npmt_satisfies(to, e);
    case F_NOT_TO: return to != special;
    default: return from != special && to != special && npmt_satisfies(to, e);
    }
}

/* gatherDepSet: the nodes of `s` plus their dependencies, less those something outside needs. */
int npmt_gather_dep_set(const builder *b, node_set *s, filter_kind k, const npm_node *special)
{
    for (size_t i = 0; i < s->n; i++) {
        npm_node *n = s->items[i];
        for (size_t j = 0; j < n->n_edges; j++) {
            npm_node *to = npmt_resolve(n, n->edges[j].name);
            if (to && filter_ok(k, special, n, &n->edges[j], to) && npmt_set_add(s, to) != VSOLVE_OK)
                return VSOLVE_ENOMEM;
        }
    }
    int changed = 1;
    while (changed && s->n) {
        changed = 0;
        for (size_t i = 0; i < s->n; i++) {
            edge_ref *in = NULL;
            size_t n_in = npmt_edges_in(b, s->items[i], &in);
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
int npmt_can_replace(const builder *b, npm_node *current, const npm_node *repl)
{
    if (strcmp(current->name, repl->name) || strcmp(current->pkg_name, repl->pkg_name))
        return 0;
    node_set ds = { 0 };
    if (npmt_set_add(&ds, current) != VSOLVE_OK || npmt_gather_dep_set(b, &ds, F_VALID_NOT_TO, current) != VSOLVE_OK) {
        free(ds.items);
        return 0;
    }
    edge_ref *in = NULL;
    size_t n_in = npmt_edges_in(b, current, &in);
    int ok = 1;
    for (size_t i = 0; i < n_in && ok; i++)
        if (!set_has(&ds, in[i].from) && !npmt_satisfies(repl, in[i].edge))
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
    size_t n_in = npmt_edges_in(b, n, &in);
    free(in);
    if (n_in == 0)
        return 1;
    npm_node *other = npmt_resolve(n->parent->parent, n->name);
    if (!other)
        return 0;
    if (npmt_matches(other, n))
        return 1;
    if (!npmt_can_replace(b, n, other))
        return 0;
    int c = npm_version_compare(&other->v, &n->v);
    return prefer_dedupe || c >= 0;
}

int npmt_prune_dedupable(builder *b, npm_node *n, int descend, int prefer_dedupe)
{
    if (can_dedupe(b, n, prefer_dedupe)) {
        node_set ds = { 0 };
        int rc = npmt_set_add(&ds, n);
        if (rc == VSOLVE_OK)
            rc = npmt_gather_dep_set(b, &ds, F_VALID_NOT_TO, n);
        for (size_t i = 0; rc == VSOLVE_OK && i < ds.n; i++)
            npmt_remove_node(ds.items[i]);
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
            if (!kids[i]->removed && npmt_prune_dedupable(b, kids[i], 1, prefer_dedupe) != VSOLVE_OK) {
                free(kids);
                return VSOLVE_ENOMEM;
            }
        free(kids);
    }
    return VSOLVE_OK;
}
