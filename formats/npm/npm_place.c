/* npm_place.c: placement as arborist's CanPlaceDep / PlaceDep do. */
#include "npm_tree_internal.h"

/* ---- placement (arborist's CanPlaceDep / PlaceDep) ---- */

static npm_node *deepest_nesting_target(npm_node *start, const char *name)
{
    for (npm_node *t = start; t; t = t->parent) {
        if (t->is_root || !t->parent)
            return t;
        npm_edge *te = npmt_edge_named(t, name, NULL);
        if (!te || !npmt_is_peer(te->type))
            return t;
    }
    return start;
}


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
        if (!npmt_is_peer(pe->type))
            continue;
        npm_node *to = npmt_resolve(c->dep, pe->name);
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
    int edge_override = !npmt_satisfies(c->dep, c->edge);
    if (npmt_matches(c->dep, current) && (npmt_satisfies(current, c->edge) || edge_override))
        return KEEP;
    int try_replace = current->version && c->dep->version && npm_version_compare(&c->dep->v, &current->v) >= 0;
    if (try_replace && npmt_can_replace(b, current, c->dep)) {
        int cpp = can_place_peers(b, c, REPLACE);
        if (cpp != CONFLICT)
            return cpp;
    }
    if (npmt_satisfies(current, c->edge))
        return KEEP;
    if (c->prefer_dedupe && !try_replace && npmt_can_replace(b, current, c->dep)) {
        int cpp = can_place_peers(b, c, REPLACE);
        if (cpp != CONFLICT)
            return cpp;
    }
    if (c->target != cpd_deepest(c))
        return CONFLICT;
    if (!npmt_is_peer(c->edge->type) && c->target == c->edge_from)
        return can_place_peers(b, c, REPLACE);
    return CONFLICT;   /* replacing another peer set: not modelled */
}

static int check_no_current(builder *b, cpd *c)
{
    const cpd *top = cpd_top(c);
    npm_node *current = c->target != top->edge_from ? npmt_resolve(c->target, c->edge->name) : NULL;
    if (current) {
        edge_ref *in = NULL;
        size_t n_in = npmt_edges_in(b, current, &in);
        int conflict = 0;
        for (size_t i = 0; i < n_in && !conflict; i++)
            if (npmt_is_descendant_of(in[i].from, c->target) && npmt_satisfies(current, in[i].edge) &&
                !npmt_satisfies(c->dep, in[i].edge))
                conflict = 1;
        free(in);
        if (conflict)
            return CONFLICT;
    }
    return can_place_peers(b, c, OK);
}

static void cpd_check(builder *b, cpd *c)
{
    npm_node *current = npmt_child_named(c->target, c->edge->name);
    npm_edge *te = npmt_edge_named(c->target, c->edge->name, NULL);
    c->can_place_self = 0;
    if (te && npmt_is_peer(te->type) && !npmt_is_top(c->target))
        c->can_place = CONFLICT;
    else if (!current && te && !npmt_satisfies(c->dep, te) && te != c->edge)
        c->can_place = CONFLICT;
    else
        c->can_place = current ? check_current(b, c, current) : check_no_current(b, c);
    if (!c->can_place_self)
        c->can_place_self = c->can_place;
}



static int prune_for_replacement(builder *b, npm_node *node, node_set *old_deps)
{
    node_set invalid = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < node->n_edges && rc == VSOLVE_OK; i++) {
        npm_node *to = NULL;
        if (!npmt_edge_valid(node, &node->edges[i], &to) && to)
            rc = npmt_set_add(&invalid, to);
    }
    for (size_t i = 0; i < old_deps->n && rc == VSOLVE_OK; i++) {
        node_set s = { 0 };
        rc = npmt_set_add(&s, old_deps->items[i]);
        if (rc == VSOLVE_OK)
            rc = npmt_gather_dep_set(b, &s, F_VALID_NOT_TO, old_deps->items[i]);
        for (size_t k = 0; k < s.n && rc == VSOLVE_OK; k++)
            rc = npmt_set_add(&invalid, s.items[k]);
        free(s.items);
    }
    if (rc == VSOLVE_OK)
        rc = npmt_gather_dep_set(b, &invalid, F_VALID_NOT_NODE, node);
    for (size_t i = 0; rc == VSOLVE_OK && i < invalid.n; i++)
        npmt_remove_node(invalid.items[i]);
    free(invalid.items);
    return rc;
}

/* ---- ERESOLVE: a peer conflict npm refuses (text in npm_eresolve.c) ---- */

/* PlaceDep.isMine: the placement began at an edge of the project (or re-enters one). */
static int is_mine(const builder *b, const npm_node *top_from, const npm_edge *top_edge)
{
    if (top_from->is_root || top_from->is_workspace)
        return 1;
    if (!npmt_is_peer(top_edge->type))
        return 0;
    edge_ref *in = NULL;
    size_t n = npmt_edges_in(b, top_from, &in);
    int mine = 0;
    for (size_t i = 0; i < n && !mine; i++)
        mine = !npmt_is_peer(in[i].edge->type) && (in[i].from->is_root || in[i].from->is_workspace);
    free(in);
    return mine;
}

/* failPeerConflict: VSOLVE_UNSAT with npm's explanation. The conflicting peer is the first node
 * of dep's peer set (dep included) that target already holds at another version. */
static int fail_peer_conflict(builder *b, const npm_node *top_from, const npm_edge *top_edge, const npm_node *top_dep,
                              npm_node *dep, npm_node *target)
{
    const npm_node *vr = dep->parent, *want = NULL, *cur = NULL;
    const npm_edge *want_edge = NULL;
    for (size_t i = 0; vr && i < vr->n_children && !cur; i++) {
        const npm_node *p = vr->children[i];
        const npm_node *c = npmt_child_named(target, p->name);
        if (!c || !c->version || !p->version || !strcmp(c->version, p->version))
            continue;
        /* who in the peer set asks for p */
        for (size_t k = 0; k < vr->n_children && !want; k++) {
            npm_edge *e = npmt_edge_named(vr->children[k], p->name, NULL);
            if (e && npmt_is_peer(e->type) && !npmt_satisfies(c, e)) {
                want = vr->children[k];
                want_edge = e;
            }
        }
        if (want)
            cur = c;
    }
    if (!cur) {   /* the dep itself against what is there */
        cur = npmt_resolve(top_from, top_edge->name);
        want = top_from;
        want_edge = top_edge;
    }
    npm_text t = { 0 };
    npmt_put(&t, "ERESOLVE could not resolve\n\nWhile resolving: %s@%s\n",
        top_from->pkg_name, top_from->version ? top_from->version : "");
    if (cur) {
        npmt_put(&t, "Found: %s@%s\n%s\n", cur->pkg_name, cur->version ? cur->version : "", cur->location ? cur->location : "");
        edge_ref *in = NULL;
        size_t n = npmt_edges_in(b, cur, &in);
        for (size_t i = 0; i < n; i++)
            npmt_put_edge(&t, "  ", in[i].from, in[i].edge);
        free(in);
    }
    npmt_put(&t, "\nCould not resolve dependency:\n");
    npmt_put_edge(&t, "", want, want_edge);
    if (!want->is_root) {
        const char *loc = target->location && *target->location ? target->location : "";
        npmt_put(&t, "%s%snode_modules/%s\n", loc, *loc ? "/" : "", want->name);
        if (want == top_dep || !strcmp(want->name, top_dep->name))
            npmt_put_edge(&t, "  ", top_from, top_edge);
    }
    return npmt_eresolve_fail(b, &t);
}

int npmt_place_dep(builder *b, const npm_edge *edge, npm_node *edge_from, npm_node *dep, npm_node *parent_start,
                     const cpd *parent_cpd, placed_list *out)
{
    npm_node *start = deepest_nesting_target(parent_start ? parent_start : edge_from, edge->name);
    cpd cp = { 0 }, cps = { 0 };
    int have_cp = 0, have_cps = 0;
    npm_node *conflict_at = start;
    for (npm_node *target = start; target; target = target->parent) {
        npm_edge *te = npmt_edge_named(target, edge->name, NULL);
        if (!npmt_is_top(target) && te && npmt_is_peer(te->type))
            continue;
        cpd c = { dep, target, edge_from, edge, parent_cpd, npmt_is_peer(edge->type), 0, 0, NULL, 0 };
        cpd_check(b, &c);
        if (c.can_place_self != CONFLICT) {
            cps = c;
            have_cps = 1;
        }
        if (c.can_place == CONFLICT) {
            conflict_at = target;
            break;
        }
        cp = c;
        have_cp = 1;
    }
    if (!have_cp) {
        const npm_edge *top_edge = edge;
        const npm_node *top_from = edge_from, *top_dep = dep;
        for (const cpd *t = parent_cpd; t; t = t->parent) {
            top_edge = t->edge;
            top_from = t->edge_from;
            top_dep = t->dep;
        }
        if (!b->force && is_mine(b, top_from, top_edge))   /* conflictOk is false: strict */
            return fail_peer_conflict(b, top_from, top_edge, top_dep, dep, conflict_at);
        if (!have_cps)
            return VSOLVE_OK;   /* npm warns about the unmet peer and goes on */
        cp = cps;
    }
    int how = cp.can_place == CONFLICT ? cp.can_place_self : cp.can_place;
    npm_node *target = cp.target;
    if (how == KEEP)
        return npmt_prune_dedupable(b, target, 1, 0);
    npm_node *placed = npmt_copy_node(b, dep);
    if (!placed)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    npm_node *old = npmt_child_named(target, dep->name);
    int rc = VSOLVE_OK;
    if (old) {
        node_set old_deps = { 0 };
        for (size_t i = 0; i < old->n_edges && rc == VSOLVE_OK; i++) {
            npm_node *to = npmt_resolve(old, old->edges[i].name);
            if (!to || npmt_edge_named(placed, old->edges[i].name, NULL))
                continue;
            node_set s = { 0 };
            rc = npmt_set_add(&s, to);
            if (rc == VSOLVE_OK)
                rc = npmt_gather_dep_set(b, &s, F_NOT_TO, to);
            for (size_t k = 0; k < s.n && rc == VSOLVE_OK; k++)
                rc = npmt_set_add(&old_deps, s.items[k]);
            free(s.items);
        }
        /* the new node takes over the old one's children */
        while (rc == VSOLVE_OK && old->n_children) {
            npm_node *kid = old->children[0];
            npmt_detach(kid);
            rc = npmt_attach(&b->t->mem, placed, kid);
        }
        if (rc == VSOLVE_OK)
            rc = npmt_attach(&b->t->mem, target, placed);   /* removes old */
        if (rc == VSOLVE_OK)
            rc = prune_for_replacement(b, placed, &old_deps);
        free(old_deps.items);
    } else
        rc = npmt_attach(&b->t->mem, target, placed);
    if (rc != VSOLVE_OK)
        return rc;
    npm_node *to = NULL;
    if (npmt_edge_valid(edge_from, edge, &to) && to && to != placed && (rc = npmt_prune_dedupable(b, to, 0, 0)) != VSOLVE_OK)
        return rc;
    size_t n_named = 0;
    for (size_t i = 0; npmt_nodes_named(b, dep->name, &n_named), i < n_named; i++) {
        npm_node *n = npmt_nodes_named(b, dep->name, &n_named)[i];   /* inventory order */
        b->t->work++;
        if (npmt_is_top(n) || !npmt_is_descendant_of(n, target) || !npmt_in_tree(b, n))
            continue;
        if ((rc = npmt_prune_dedupable(b, n, 0, 0)) != VSOLVE_OK)
            return rc;
        if (npmt_in_tree(b, n))
            for (size_t k = 0; k < n->n_children; k++) {
                npm_node *kid = n->children[k];
                if ((rc = npmt_prune_dedupable(b, kid, 0, 0)) != VSOLVE_OK)
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
        if (!npmt_is_peer(pe->type) || npmt_edge_valid(placed, pe, NULL) || !vr)
            continue;
        npm_node *peer = npmt_child_named(vr, pe->name);
        if (!peer || !npmt_satisfies(peer, pe))
            continue;
        rc = npmt_place_dep(b, pe, placed, peer, start, &cp, out);
    }
    return rc;
}
