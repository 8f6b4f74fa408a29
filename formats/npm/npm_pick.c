/* npm_pick.c: version choice as npm-pick-manifest does, and new nodes (virtual roots, peer sets). */
#include "npm_tree_internal.h"

/* ---- version choice (npm-pick-manifest) ---- */

static size_t memo_hash(unsigned which, const char *text)
{
    size_t h = 1469598103934665603u ^ which;
    for (const char *c = text; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    return h;
}

/* Does the node (which 0) or npm (1) version meet the engines range `text`? Remembered by text. */
static int engine_range_ok(builder *b, unsigned which, const char *text)
{
    size_t h = memo_hash(which, text);
    size_t j = b->cap_engines ? h & (b->cap_engines - 1) : 0;
    for (; b->cap_engines && b->engines[j].text; j = (j + 1) & (b->cap_engines - 1))
        if (b->engines[j].which == which && !strcmp(b->engines[j].text, text))
            return b->engines[j].ok;
    npm_options incl = { 0, 1 };
    arena tmp;
    arena_init(&tmp);
    npm_range range;
    int ok = npm_range_parse(&tmp, text, incl, &range) == 0 && npm_range_test(&range, which ? &b->npm_v : &b->node_v);
    arena_free(&tmp);
    if ((b->n_engines + 1) * 2 > b->cap_engines) {   /* grown, then inserted; unremembered when out of memory */
        size_t cap = b->cap_engines ? b->cap_engines * 2 : 64;
        engine_memo *m = calloc(cap, sizeof *m);
        if (!m)
            return ok;
        for (size_t i = 0; i < b->cap_engines; i++)
            if (b->engines[i].text) {
                size_t k = memo_hash(b->engines[i].which, b->engines[i].text) & (cap - 1);
                for (; m[k].text; k = (k + 1) & (cap - 1))
                    ;
                m[k] = b->engines[i];
            }
        free(b->engines);
        b->engines = m;
        b->cap_engines = cap;
        for (j = h & (cap - 1); m[j].text; j = (j + 1) & (cap - 1))
            ;
    }
    b->engines[j] = (engine_memo){ text, (unsigned char)which, (unsigned char)ok };
    b->n_engines++;
    return ok;
}

static int engine_ok(builder *b, const json_value *eng)
{
    if (!eng || eng->kind != JSON_OBJECT)
        return 1;
    const char *keys[] = { "node", "npm" };
    for (unsigned i = 0; i < 2; i++) {
        const json_value *r = json_get(eng, keys[i]);
        if (!json_truthy(r))
            continue;
        if (r->kind != JSON_STRING || !engine_range_ok(b, i, r->str))
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

/* The version npm picks for edge e in packument doc: *pick its index, or -1 (no such version).
 * Only the manifests of versions in the range are looked at, and only their engines and
 * deprecated fields. */
static int pick_manifest(builder *b, npm_packument *doc, const npm_edge *e, long *pick)
{
    const json_value *tags = npm_packument_tags(doc);
    *pick = -1;
    if (e->kind == NPM_SPEC_TAG) {
        const char *v = tags ? npmt_jstr(tags, e->fetch) : NULL;
        *pick = v ? npm_packument_find(doc, v) : -1;
        return VSOLVE_OK;
    }
    if (e->kind != NPM_SPEC_RANGE)
        return VSOLVE_OK;
    /* a version an existing lock holds wins when it fits (that is what npm keeps) */
    long best = -1;
    npm_version bv = { 0 };
    int best_rank = -1, rc = VSOLVE_OK;
    const char *latest = tags ? npmt_jstr(tags, "latest") : NULL;
    for (size_t i = 0; i < npm_packument_count(doc); i++) {
        const char *key = npm_packument_version(doc, i);
        const npm_version *pv = NULL;
        if ((rc = npm_packument_semver(doc, i, &pv)) != VSOLVE_OK) {
            rc = vs_error_set(b->err, rc, "out of memory");
            break;
        }
        if (!pv || !npm_range_test(&e->range, pv))
            continue;
        npm_version v = *pv;
        npm_version_meta meta;
        if ((rc = npm_packument_meta(doc, i, &meta, b->err)) != VSOLVE_OK)
            break;
        int eng = engine_ok(b, meta.engines), notdep = !json_truthy(meta.deprecated);
        int lock = b->n_locked && locked_has(b, e->target, key);
        int is_latest = latest && !strcmp(latest, key) && eng && notdep;
        int rank = lock * 16 + is_latest * 8 + (notdep && eng) * 4 + eng * 2 + notdep;
        if (rank > best_rank || (rank == best_rank && npm_version_compare_build(&v, &bv) > 0)) {
            best = (long)i;
            bv = v;
            best_rank = rank;
        }
    }
    if (rc == VSOLVE_OK && best < 0 && e->any && latest)   /* "*" with only pre-releases: the latest tag */
        best = npm_packument_find(doc, latest);
    *pick = best;
    return rc;
}

/* A node for package `pkg` at `version` (not yet in any tree). */
static npm_node *new_node(builder *b, const char *name, const char *pkg, const char *version, const json_value *mani,
                          const npm_override *ov)
{
    arena *a = &b->t->mem;
    npm_node *n = arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->name = name;
    n->pkg_name = pkg;
    n->version = version;
    n->manifest = mani;
    n->ov = ov;
    npm_options loose = { 1, 0 };
    if (version && npm_version_parse(a, version, loose, &n->v) != 0)
        memset(&n->v, 0, sizeof n->v);
    if (npmt_load_edges(a, n, 0, !b->t->legacy_peer_deps, NULL, b->err) != VSOLVE_OK)
        return NULL;
    return n;
}

npm_node *npmt_copy_node(builder *b, const npm_node *dep)
{
    npm_node *n = new_node(b, dep->name, dep->pkg_name, dep->version, dep->manifest, dep->ov);
    if (n && npmt_add_to_inventory(b, n) != VSOLVE_OK)
        return NULL;
    return n;
}

/* A virtual root standing for `source`: the same edges, no parent. */
npm_node *npmt_virtual_root(builder *b, npm_node *source)
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
    vr->edges_by_name = source->edges_by_name;
    vr->failed = source->failed;
    vr->is_virtual = 1;
    vr->source = source;
    vr->ov = source->ov;
    return vr;
}

/* Fetches the manifest an edge asks for; *out NULL when none fits. */
static int node_for_edge(builder *b, const npm_edge *e, npm_node **out)
{
    *out = NULL;
    if (e->kind == NPM_SPEC_OTHER)
        return VSOLVE_OK;
    npm_packument *doc = NULL;
    int rc = npm_registry_get(b->reg, e->target, &doc, b->err);
    if (rc != VSOLVE_OK || !doc)
        return rc;
    long pick = -1;
    const json_value *m = NULL;
    if ((rc = pick_manifest(b, doc, e, &pick)) != VSOLVE_OK || pick < 0)
        return rc;
    if ((rc = npm_packument_manifest(doc, (size_t)pick, &m, b->err)) != VSOLVE_OK)
        return rc;
    const char *version = npm_packument_version(doc, (size_t)pick);
    if (!(*out = new_node(b, e->name, e->target, version, m, e->ov)))
        return b->err->code ? b->err->code : vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

static int load_peer_set(builder *b, npm_node *node);

/* #nodeFromEdge: the dep, as a child of vr, with its peer set loaded beside it. */
int npmt_node_from_edge(builder *b, const npm_edge *e, npm_node *vr, const npm_edge *second, int required,
                        npm_node **out)
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
    dep->required = required;
    if (npmt_attach(&b->t->mem, vr, dep) != VSOLVE_OK)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    return load_peer_set(b, dep);
}

static int cmp_edge_ptr_name(const void *x, const void *y)
{
    const npm_edge *a = *(const npm_edge *const *)x, *c = *(const npm_edge *const *)y;
    return npm_locale_compare(a->name, c->name);
}

/* loadPeerSet's conflictOK: forced, or not the project's own peer set (npm is not strict). */
static int conflict_ok(const builder *b, const npm_node *vr)
{
    return b->force || !(vr->source && (vr->source->is_root || vr->source->is_workspace));
}

/* #failPeerConflict: peer edge e of node (in a peer set of the root's) cannot be met. */
static int fail_peer_set(builder *b, const npm_node *node, const npm_edge *e)
{
    const npm_node *vr = node->parent, *cur = npmt_resolve(node, e->name);
    npm_text t = { 0 };
    npmt_put(&t, "ERESOLVE unable to resolve dependency tree\n\nWhile resolving: %s@%s\n", vr->source->pkg_name,
             vr->source->version ? vr->source->version : "");
    if (cur) {
        npmt_put(&t, "Found: ");
        npmt_put_vr_node(&t, cur);
    }
    npmt_put(&t, "\nCould not resolve dependency:\n");
    npmt_put_edge(&t, "", node, e);
    npmt_put(&t, "node_modules/%s\n", node->name);
    const npm_edge *pe = npmt_edge_named(vr, node->name, NULL);
    if (pe && npmt_satisfies(node, pe))
        npmt_put_edge(&t, "  ", vr, pe);
    for (size_t i = 0; i < vr->n_children; i++) {
        const npm_node *c = vr->children[i];
        pe = c != node ? npmt_edge_named(c, node->name, NULL) : NULL;
        if (pe && npmt_satisfies(node, pe))
            npmt_put_edge(&t, "  ", c, pe);
    }
    return npmt_eresolve_fail(b, &t);
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
        int valid = npmt_edge_valid(node, &node->edges[i], &to);
        if (npmt_is_peer(node->edges[i].type) && !(valid && to))
            peers[n++] = &node->edges[i];
    }
    if (n)
        qsort(peers, n, sizeof *peers, cmp_edge_ptr_name);
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        npm_edge *e = peers[i];
        npm_node *to = NULL, *dep = NULL;
        if (npmt_edge_valid(node, e, &to) && to)
            continue;
        npm_edge *parent_edge = npmt_edge_named(vr, e->name, NULL);
        int req = node->required && e->type != NPM_DEP_PEER_OPTIONAL;
        if (!to) {
            if (!parent_edge) {
                rc = npmt_node_from_edge(b, e, vr, NULL, req, &dep);
                continue;
            }
            rc = npmt_node_from_edge(b, parent_edge, vr, e, req, &dep);
            if (rc == VSOLVE_OK && dep && !npmt_edge_valid(node, e, NULL) && !conflict_ok(b, vr) && dep->required)
                rc = fail_peer_set(b, node, e);
            continue;
        }
        /* something is there and does not fit: replace it if everything there accepts ours */
        if ((rc = node_for_edge(b, e, &dep)) != VSOLVE_OK || !dep)
            continue;
        int all_ok = 1;
        for (size_t k = 0; k < vr->n_children && all_ok; k++) {
            npm_node *c = vr->children[k];
            npm_edge *ce = npmt_edge_named(c, e->name, NULL);
            if (ce && npmt_resolve(c, e->name) == to && !npmt_satisfies(dep, ce))
                all_ok = 0;
        }
        npm_edge *ve = npmt_edge_named(vr, e->name, NULL);
        if (ve && !npmt_satisfies(dep, ve))
            all_ok = 0;
        if (all_ok)
            rc = npmt_node_from_edge(b, e, vr, NULL, req, &dep);
        else if (!conflict_ok(b, vr) && node->required)
            rc = fail_peer_set(b, node, e);
    }
    free(peers);
    return rc;
}
