/* npm_tree.c: npm's ideal tree: the build loop (buildIdealTree's #buildDepStep) and the entry points. */
#include "npm_tree_internal.h"
#include "deadline.h"

/* ---- the build loop (buildIdealTree's #buildDepStep) ---- */

/* The queue pops the node of least depth, then least location (npm's localeCompare), then the
 * one queued first: a binary heap of entries keyed when pushed. A node's key can change while
 * it waits (its location is recomputed): set_location pushes a second entry under the new key,
 * and an entry whose key is no longer its node's is dropped when it comes up. */
static int entry_less(builder *b, const queue_entry *x, const queue_entry *y)
{
    b->t->work++;
    if (x->depth != y->depth)
        return x->depth < y->depth;
    int c = npm_locale_compare(x->location, y->location);
    return c ? c < 0 : x->seq < y->seq;
}

static int heap_insert(builder *b, queue_entry e)
{
    if (b->n_queue == b->cap_queue) {
        size_t ncap = b->cap_queue ? b->cap_queue * 2 : 64;
        queue_entry *nq = realloc(b->queue, ncap * sizeof *nq);
        if (!nq)
            return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
        b->queue = nq;
        b->cap_queue = ncap;
    }
    size_t i = b->n_queue++;
    while (i > 0 && entry_less(b, &e, &b->queue[(i - 1) / 2])) {
        b->queue[i] = b->queue[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    b->queue[i] = e;
    return VSOLVE_OK;
}

static queue_entry heap_take(builder *b)
{
    queue_entry top = b->queue[0], last = b->queue[--b->n_queue];
    size_t i = 0, n = b->n_queue;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && entry_less(b, &b->queue[c + 1], &b->queue[c]))
            c++;
        if (!entry_less(b, &b->queue[c], &last))
            break;
        b->queue[i] = b->queue[c];
        i = c;
    }
    if (n)
        b->queue[i] = last;
    return top;
}

static queue_entry entry_of(npm_node *n)
{
    return (queue_entry){ n, n->location, npmt_depth_of(n), n->queue_seq };
}

int npmt_queue_push(builder *b, npm_node *n)
{
    if (n->queued)
        return VSOLVE_OK;
    n->queued = 1;
    n->queue_seq = b->queue_seq++;
    return heap_insert(b, entry_of(n));
}

static int set_location(builder *b, npm_node *n)
{
    if (!n->parent) {
        n->location = "";
        return VSOLVE_OK;
    }
    const char *pl = n->parent->location ? n->parent->location : "";
    size_t pl_len = strlen(pl), name_len = strlen(n->name);
    if (n->is_link) {   /* its location is its folder; the link sits in the parent's node_modules */
        size_t len = pl_len + name_len + 16;
        if (!(n->link_location = arena_alloc(&b->t->mem, len)))
            return VSOLVE_ENOMEM;
        snprintf(n->link_location, len, "%s%snode_modules/%s", pl, *pl ? "/" : "", n->name);
        return VSOLVE_OK;
    }
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
    return n->queued ? heap_insert(b, entry_of(n)) : VSOLVE_OK;
}

/* Locations follow the tree: recomputed from the root down. */
int npmt_relocate(builder *b, npm_node *n)
{
    if (set_location(b, n) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < n->n_children; i++)
        if (npmt_relocate(b, n->children[i]) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

/* NULL when the queue is empty. */
npm_node *npmt_queue_pop(builder *b)
{
    while (b->n_queue) {
        queue_entry e = heap_take(b);
        npm_node *n = e.node;
        if (!n->queued || e.seq != n->queue_seq || e.location != n->location)
            continue;   /* stale: the node left the queue, or waits under another key */
        unsigned d = npmt_depth_of(n);
        if (d != e.depth) {   /* moved without a new location: wait under the key it has now */
            e.depth = d;
            if (heap_insert(b, e) != VSOLVE_OK)
                return NULL;
            continue;
        }
        n->queued = 0;
        return n;
    }
    return NULL;
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
        if (!strcmp(x->name, e->name) && npmt_satisfies(x, e)) {
            found = x;
            break;
        }
        for (size_t i = 0; !x->is_link && i < x->n_children; i++) {   /* a link has no children */
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

int npmt_build_step(builder *b, npm_node *node)
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
        int valid = npmt_edge_valid(node, e, &to);
        if ((!to && e->type == NPM_DEP_PEER_OPTIONAL) || (to && valid))
            continue;
        if (e->link_path) {   /* file: a directory of the project, linked */
            rc = npmt_link_place(b, node, e);
            continue;
        }
        npm_node *dep = NULL;
        if (npmt_is_peer(e->type)) {
            if (!peer_vr && !(peer_vr = npmt_virtual_root(b, node)))
                rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
            npm_node *vto = NULL;
            if (rc == VSOLVE_OK && npmt_edge_valid(peer_vr, e, &vto) && vto && npmt_satisfies(vto, e))
                dep = vto;
        }
        if (rc == VSOLVE_OK && !dep && e->type == NPM_DEP_PEER_OPTIONAL)
            dep = find_hoistable(node->parent ? node->parent : node, e);
        if (rc == VSOLVE_OK && !dep) {
            npm_node *vr = npmt_is_peer(e->type) ? peer_vr : npmt_virtual_root(b, node);
            if (!vr)
                rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
            else
                rc = npmt_node_from_edge(b, e, vr, NULL, e->type != NPM_DEP_PEER_OPTIONAL, &dep);
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
        rc = npmt_place_dep(b, tasks[i].edge, node, tasks[i].dep, NULL, NULL, &pl);
        /* only the placed nodes (and the children a replaced node handed them) have new
         * locations: relocating the whole tree after every placement was quadratic */
        for (size_t k = 0; k < pl.n && rc == VSOLVE_OK; k++)
            if (npmt_in_tree(b, pl.items[k].placed))
                rc = npmt_relocate(b, pl.items[k].placed);
        for (size_t k = 0; k < pl.n && rc == VSOLVE_OK; k++)   /* edges in with other override sets */
            if (npmt_in_tree(b, pl.items[k].placed))
                rc = npmt_overrides_after_place(b, pl.items[k].placed);
        for (size_t k = 0; k < pl.n && rc == VSOLVE_OK; k++) {
            placed_rec *p = &pl.items[k];
            if (!npmt_in_tree(b, p->placed))
                continue;
            edge_ref *in = NULL;
            size_t n_in = npmt_edges_in(b, p->placed, &in);
            for (size_t j = 0; j < n_in && rc == VSOLVE_OK; j++) {
                if (in[j].edge == p->edge || npmt_satisfies(p->placed, in[j].edge))
                    continue;
                if (p->how == REPLACE)
                    in[j].from->seen = 0;
                if (!in[j].from->seen)
                    rc = npmt_queue_push(b, in[j].from);
            }
            free(in);
            if (rc == VSOLVE_OK)
                rc = npmt_queue_push(b, p->placed);
        }
    }
    free(pl.items);
    free(tasks);
    return rc;
}

int npm_manifest_read(arena *a, const char *path, const json_value **out, vs_error *err)
{
    size_t len = 0;
    char *text = repo_read_file(path, 0, &len, err);
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

void npm_tree_flags(npm_tree *t)
{
    if (!t->root)
        return;
    npmt_set_all(t->root);
    t->root->dev = t->root->optional = t->root->dev_optional = t->root->peer = 0;
    npmt_spread(t->root, 0, 0, 0, 0);
    npmt_link_flags(t);
}

int npm_tree_build(npm_tree *t, npm_registry *reg, const json_value *manifest, const char *file,
                   const npm_tree_options *opt, const npm_locked *locked, size_t n_locked, vs_error *err)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->mem);
    t->root_manifest = manifest;
    t->root_file = file;
    builder b = { .t = t, .reg = reg, .locked = locked, .n_locked = n_locked, .force = opt && opt->force, .err = err };
    t->legacy_peer_deps = opt && opt->legacy_peer_deps;
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
    const char *name = npmt_jstr(manifest, "name");
    root->name = root->pkg_name = name ? name : "";
    root->version = npmt_jstr(manifest, "version");
    root->manifest = manifest;
    root->is_root = 1;
    root->location = "";
    int rc = npm_overrides_parse(&t->mem, manifest, file, &root->ov, err);
    if (rc != VSOLVE_OK)
        return rc;
    rc = npmt_load_edges(&t->mem, root, 1, !t->legacy_peer_deps, file, err);
    if (rc != VSOLVE_OK)
        return rc;
    t->root = root;
    /* in the inventory, so that the root's own edges count among a node's dependents (edgesIn) */
    if (npmt_add_to_inventory(&b, root) != VSOLVE_OK)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    /* workspaces and file: directories live in the project's directory */
    if (rc == VSOLVE_OK && file) {
        const char *slash = strrchr(file, '/');
        char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
        b.project_real = dir ? realpath(dir, NULL) : NULL;
        free(dir);
        if (!b.project_real)
            rc = vs_error_set(err, VSOLVE_EIO, "%s: cannot resolve the project's directory", file);
        if (rc == VSOLVE_OK)
            rc = npmt_link_edges(&b, root, file);
        if (rc == VSOLVE_OK)
            rc = npmt_load_workspaces(&b, root, file);
    }
    if (rc == VSOLVE_OK)
        rc = npmt_queue_push(&b, root);
    double deadline = opt ? opt->deadline : 0;
    for (size_t steps = 0; rc == VSOLVE_OK; steps++) {
        if (steps % 256 == 255 && deadline_passed(deadline)) {   /* vsolve_set_timeout */
            rc = deadline_error(err, opt->time_limit);
            break;
        }
        if (!b.n_queue && (rc = npmt_queue_links(&b)) != VSOLVE_OK)   /* #resolveLinks */
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (rc != VSOLVE_OK || !b.n_queue)
            break;
        npm_node *n = npmt_queue_pop(&b);
        if (!n) {
            rc = b.err->code ? b.err->code : VSOLVE_OK;
            break;
        }
        if (n->seen || !npmt_in_tree(&b, n))
            continue;
        n->seen = 1;
        rc = npmt_build_step(&b, n);
    }
    if (rc == VSOLVE_OK)
        rc = npmt_relocate(&b, root);
    free(b.queue);
    npmt_index_free(&b);
    if (rc == VSOLVE_OK)
        npm_tree_flags(t);
    /* arborist's pruneFailedOptional: a failure that only optional packages lead to leaves the
     * missing package out (its dependent stays in the lock, flagged optional); one that a
     * required package needs is an error */
    for (size_t i = 0; i < b.n_failures && rc == VSOLVE_OK; i++) {
        const load_failure *f = &b.failures[i];
        if (!npmt_in_tree(&b, f->from) || (!f->from->is_root && f->from->optional))
            continue;
        const char *who = f->from->is_root ? (file ? file : "the root package") : f->from->location;
        rc = vs_error_set(err, VSOLVE_UNSAT, "no version of %s matches \"%s\" (needed by %s%s%s)", f->edge->target,
                          f->edge->spec, who, f->from->is_root ? "" : "@", f->from->is_root ? "" : f->from->version);
    }
    free(b.failures);
    free(b.links);
    free(b.engines);
    free(b.project_real);
    return rc;
}

npm_node *npm_tree_resolve(const npm_node *from, const char *name) { return npmt_resolve(from, name); }

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
