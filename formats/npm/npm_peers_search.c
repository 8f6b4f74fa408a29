/* npm_peers_search.c: when npm's greedy placement refuses a peer conflict (ERESOLVE), an exact search over other versions for root dependencies whose peers all agree. */
#include "npm_peers_search.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "npm_tree_internal.h"
#include "deadline.h"

/* The model. The root's direct dependencies and every package their peer dependencies reach
 * must sit side by side at the top of node_modules (a peer is installed beside its dependent),
 * so each name there has one version. A choice gives each such name a version so that every
 * peer edge between chosen packages is met: for a chosen p with a peer q@R (peerOptional too,
 * once q is chosen), q is chosen at a version in R; a non-optional peer makes q chosen.
 * A root dependency takes a version of its own range first; the search allows up to
 * `budget` root dependencies outside their range (nearest first: the versions closest to the
 * range in version order, pre-releases and deprecated versions left out). Iterative deepening
 * on the budget (0, 1, 2) finds the choice with the fewest ranges left; within one budget the
 * first choice in npm's own order (highest in range first). The search is exact (backtracking
 * over every candidate), bounded by a step limit. Each choice found is checked by building npm's
 * tree with the root dependencies pinned to it; the first that builds is the answer. */

typedef struct cand {
    const char *version;
    npm_version v;
    const json_value *manifest;
    int outside;             /* not in the root's range */
    int deps_known;          /* 0 not yet checked, 1 every dependency has a version, -1 not */
} cand;

typedef struct slot {
    const char *name;        /* package name (the root's alias target for an npm: spec) */
    const char *dep_name;    /* the root's key; NULL for a name only peers reach */
    const char *section;     /* the root's dependency section it is in */
    cand *cands;
    size_t n_cands;
    int chosen;              /* index in cands, -1 when not chosen */
    int peer_named;          /* some candidate of a root dependency names it as a peer */
} slot;

typedef struct search {
    arena *a;
    npm_registry *reg;
    slot *slots;
    size_t n_slots, cap_slots;
    size_t steps, max_steps;
    int budget, used;
    vs_error *err;
    /* checking a choice: npm's tree of the pinned manifest */
    const json_value *manifest;
    const char *file;
    npm_tree_options opt;
    const json_value *found;  /* the pinned manifest that built */
    int verified;             /* choices checked so far */
} search;

static int by_version_desc(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    return -npm_version_compare_build(&a->v, &b->v);
}

/* The candidates of one name: in the root's range first (highest first, the latest tag first
 * when it fits, as npm picks), then the rest by distance from the range. */
static int load_slot(search *s, slot *sl, const npm_range *root_range)
{
    npm_packument *doc = NULL;
    int rc = npm_registry_get(s->reg, sl->name, &doc, s->err);
    if (rc != VSOLVE_OK)
        return rc;
    size_t count = doc ? npm_packument_count(doc) : 0;
    if (!count)
        return VSOLVE_OK;
    cand *all = arena_alloc(s->a, count * sizeof *all);
    if (!all)
        return VSOLVE_ENOMEM;
    npm_options loose = { 1, 0 };
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const char *ver = npm_packument_version(doc, i);
        if (npm_packument_find(doc, ver) != (long)i)   /* a duplicate key: the first one counts */
            continue;
        cand c = { ver, { 0 }, NULL, 0, 0 };
        if (npm_version_parse(s->a, c.version, loose, &c.v) != 0)
            continue;
        if ((rc = npm_packument_manifest(doc, i, &c.manifest, s->err)) != VSOLVE_OK)
            return rc;
        if (!c.manifest || c.manifest->kind != JSON_OBJECT)
            continue;
        c.outside = root_range && !npm_range_test(root_range, &c.v);
        if (c.v.pre && c.outside)
            continue;
        if (c.outside && json_truthy(json_get(c.manifest, "deprecated")))
            continue;
        if (!root_range && c.v.pre)
            continue;
        all[n++] = c;
    }
    qsort(all, n, sizeof *all, by_version_desc);
    /* in range first, in version order; then outside by distance (in positions) to the range */
    size_t *dist = malloc((n ? n : 1) * sizeof *dist);
    cand *out = arena_alloc(s->a, (n ? n : 1) * sizeof *out);
    if (!dist || !out) {
        free(dist);
        return VSOLVE_ENOMEM;
    }
    size_t k = 0;
    const char *latest = npmt_jstr(npm_packument_tags(doc), "latest");
    for (size_t i = 0; i < n; i++)
        if (!all[i].outside && latest && !strcmp(all[i].version, latest))
            out[k++] = all[i];
    for (size_t i = 0; i < n; i++)
        if (!all[i].outside && !(latest && !strcmp(all[i].version, latest)))
            out[k++] = all[i];
    for (size_t i = 0; i < n; i++) {
        dist[i] = (size_t)-1;
        for (size_t j = 0; j < n; j++)
            if (!all[j].outside) {
                size_t d = i > j ? i - j : j - i;
                if (d < dist[i])
                    dist[i] = d;
            }
    }
    for (size_t d = 1; d <= n; d++)
        for (size_t i = 0; i < n; i++)
            if (all[i].outside && dist[i] == d)
                out[k++] = all[i];
    free(dist);
    sl->cands = out;
    sl->n_cands = k;
    return VSOLVE_OK;
}

static slot *slot_named(search *s, const char *name)
{
    for (size_t i = 0; i < s->n_slots; i++)
        if (!strcmp(s->slots[i].name, name))
            return &s->slots[i];
    return NULL;
}

static slot *add_slot(search *s, const char *name, const char *dep_name, const char *section, const npm_range *r)
{
    if (s->n_slots == s->cap_slots) {
        size_t cap = s->cap_slots ? 2 * s->cap_slots : 16;
        slot *ns = realloc(s->slots, cap * sizeof *ns);
        if (!ns)
            return NULL;
        s->slots = ns;
        s->cap_slots = cap;
    }
    slot *sl = &s->slots[s->n_slots];
    *sl = (slot){ name, dep_name, section, NULL, 0, -1, 0 };
    if (load_slot(s, sl, r) != VSOLVE_OK)
        return NULL;
    s->n_slots++;
    return sl;
}

/* A peer range of a chosen manifest, parsed (NULL when it is not a range npm can test). */
static int peer_range(search *s, const char *text, npm_range *r)
{
    npm_options loose = { 1, 0 };
    return npm_range_parse(s->a, text, loose, r) == 0;
}

static int optional_peer(const json_value *m, const char *name)
{
    return json_truthy(json_get(json_get(json_get(m, "peerDependenciesMeta"), name), "optional"));
}

/* Does every (non-optional) dependency of c have a version in the registry? A version whose
 * dependencies cannot be had is no candidate (a partial registry, as a frozen corpus is). */
static int deps_available(search *s, cand *c)
{
    if (c->deps_known)
        return c->deps_known > 0;
    c->deps_known = 1;
    const json_value *deps = json_get(c->manifest, "dependencies");
    npm_options loose = { 1, 0 };
    for (size_t k = 0; deps && deps->kind == JSON_OBJECT && k < deps->n && c->deps_known > 0; k++) {
        const json_value *sv = deps->items[k];
        const char *name = deps->keys[k], *spec = sv->kind == JSON_STRING ? sv->str : "";
        if (!strncmp(spec, "npm:", 4)) {
            const char *sub = spec + 4, *at = strchr(sub + (*sub == '@'), '@');
            name = arena_strndup(s->a, sub, at ? (size_t)(at - sub) : strlen(sub));
            spec = at ? at + 1 : "*";
        }
        npm_range r;
        if (!name || npm_range_parse(s->a, *spec ? spec : "*", loose, &r) != 0)
            continue;   /* a tag or a URL: left to the check by building */
        npm_packument *doc = NULL;
        vs_error e = { 0 };
        if (npm_registry_get(s->reg, name, &doc, &e) != VSOLVE_OK || !doc) {
            c->deps_known = -1;
            break;
        }
        int any = 0;
        for (size_t i = 0; i < npm_packument_count(doc) && !any; i++) {
            npm_version v;
            any = npm_version_parse(s->a, npm_packument_version(doc, i), loose, &v) == 0 && npm_range_test(&r, &v);
        }
        if (!any)
            c->deps_known = -1;
    }
    return c->deps_known > 0;
}

/* Is candidate c of slot i consistent with every chosen package (both directions)? */
static int consistent(search *s, size_t i, const cand *c)
{
    const char *name = s->slots[i].name;
    const json_value *peers = json_get(c->manifest, "peerDependencies");
    for (size_t k = 0; peers && peers->kind == JSON_OBJECT && k < peers->n; k++) {
        slot *q = slot_named(s, peers->keys[k]);
        npm_range r;
        if (!q || q->chosen < 0 || peers->items[k]->kind != JSON_STRING || !peer_range(s, peers->items[k]->str, &r))
            continue;
        if (!npm_range_test(&r, &q->cands[q->chosen].v))
            return 0;
    }
    for (size_t j = 0; j < s->n_slots; j++) {
        const slot *p = &s->slots[j];
        if (j == i || p->chosen < 0)
            continue;
        const json_value *pr = json_get(json_get(p->cands[p->chosen].manifest, "peerDependencies"), name);
        npm_range r;
        if (pr && pr->kind == JSON_STRING && peer_range(s, pr->str, &r) && !npm_range_test(&r, &c->v))
            return 0;
    }
    return 1;
}

/* The next name that must be chosen: a root dependency, or a non-optional peer of a chosen
 * package (added as a slot when first reached). SIZE_MAX when all are chosen. */
static size_t next_slot(search *s, int *oom)
{
    for (size_t i = 0; i < s->n_slots; i++)
        if (s->slots[i].chosen < 0 && s->slots[i].dep_name)
            return i;
    for (size_t i = 0; i < s->n_slots; i++) {
        if (s->slots[i].chosen < 0)
            continue;
        const json_value *m = s->slots[i].cands[s->slots[i].chosen].manifest;
        const json_value *peers = json_get(m, "peerDependencies");
        for (size_t k = 0; peers && peers->kind == JSON_OBJECT && k < peers->n; k++) {
            if (optional_peer(m, peers->keys[k]))
                continue;
            slot *q = slot_named(s, peers->keys[k]);
            if (!q) {
                if (!add_slot(s, peers->keys[k], NULL, NULL, NULL)) {
                    *oom = 1;
                    return SIZE_MAX;
                }
                q = &s->slots[s->n_slots - 1];
            }
            if (q->chosen < 0)
                return (size_t)(q - s->slots);
        }
    }
    return SIZE_MAX;
}

/* Depth-first: 1 found (the choices stay in the slots), 0 none, -1 out of steps or memory. */
static const json_value *pinned_manifest(search *s, const json_value *root);

/* A complete choice: npm's tree of the manifest pinned to it must build (no ERESOLVE deeper
 * down). 1 it builds, 0 it does not, -1 an error (in s->err) or too many choices checked. */
static int verify(search *s)
{
    if (++s->verified > 12)
        return -1;
    const json_value *pinned = pinned_manifest(s, s->manifest);
    if (!pinned) {
        vs_error_set(s->err, VSOLVE_ENOMEM, "out of memory");
        return -1;
    }
    npm_tree t;
    vs_error terr = { 0 };
    int rc = npm_tree_build(&t, s->reg, pinned, s->file, &s->opt, NULL, 0, &terr);
    npm_tree_free(&t);
    if (rc == VSOLVE_OK) {
        s->found = pinned;
        return 1;
    }
    if (rc == VSOLVE_UNSAT)
        return 0;
    vs_error_set(s->err, rc, "%s", terr.message);
    return -1;
}

static int dfs(search *s)
{
    int oom = 0;
    size_t i = next_slot(s, &oom);
    if (oom) {
        vs_error_set(s->err, VSOLVE_ENOMEM, "out of memory");
        return -1;
    }
    if (i == SIZE_MAX)
        return verify(s);
    size_t n_before = s->n_slots;
    for (size_t k = 0; k < s->slots[i].n_cands; k++) {
        if (++s->steps > s->max_steps)
            return -1;
        if (s->steps % 256 == 0 && deadline_passed(s->opt.deadline)) {   /* vsolve_set_timeout */
            deadline_error(s->err, s->opt.time_limit);
            return -1;
        }
        cand *c = &s->slots[i].cands[k];
        int extra = c->outside && s->slots[i].dep_name;   /* a root range left */
        if (s->used + extra > s->budget)
            continue;
        if (!consistent(s, i, c) || !deps_available(s, c))
            continue;
        s->slots[i].chosen = (int)k;
        s->used += extra;
        int r = dfs(s);
        if (r != 0)
            return r;
        /* a package outside every peer relation: its other versions change nothing here */
        int related = s->slots[i].peer_named || json_get(c->manifest, "peerDependencies") != NULL;
        for (size_t j = 0; j < s->n_slots && !related; j++)
            related = j != i && s->slots[j].chosen >= 0 &&
                      json_get(json_get(s->slots[j].cands[s->slots[j].chosen].manifest, "peerDependencies"),
                               s->slots[i].name) != NULL;
        s->used -= extra;
        s->slots[i].chosen = -1;
        for (size_t j = n_before; j < s->n_slots; j++)   /* names only this choice reached */
            s->slots[j].chosen = -1;
        s->n_slots = n_before;
        if (!related)
            break;
    }
    return 0;
}

/* A copy of the root manifest with the root dependencies the choice moves pinned to it. */
static const json_value *pinned_manifest(search *s, const json_value *root)
{
    json_value *copy = arena_alloc(s->a, sizeof *copy);
    if (!copy)
        return NULL;
    *copy = *root;
    copy->items = arena_alloc(s->a, (root->n ? root->n : 1) * sizeof *copy->items);
    if (!copy->items)
        return NULL;
    for (size_t i = 0; i < root->n; i++) {
        copy->items[i] = root->items[i];
        const json_value *sec = root->items[i];
        if (sec->kind != JSON_OBJECT || (strcmp(root->keys[i], "dependencies") && strcmp(root->keys[i], "devDependencies") &&
                                         strcmp(root->keys[i], "optionalDependencies")))
            continue;
        json_value *ns = arena_alloc(s->a, sizeof *ns);
        if (!ns || !(ns->items = arena_alloc(s->a, (sec->n ? sec->n : 1) * sizeof *ns->items)))
            return NULL;
        json_value **items = ns->items;
        *ns = *sec;
        ns->items = items;
        for (size_t k = 0; k < sec->n; k++) {
            ns->items[k] = sec->items[k];
            for (size_t j = 0; j < s->n_slots; j++) {
                const slot *sl = &s->slots[j];
                if (!sl->dep_name || strcmp(sl->dep_name, sec->keys[k]) || sl->chosen <= 0)
                    continue;   /* not a root dependency, or npm's own first pick */
                json_value *v = arena_alloc(s->a, sizeof *v);
                const char *ver = sl->cands[sl->chosen].version;
                char *text = NULL;
                if (v && strcmp(sl->dep_name, sl->name)) {   /* an npm: alias keeps its target */
                    size_t len = strlen(sl->name) + strlen(ver) + 8;
                    if ((text = arena_alloc(s->a, len)))
                        snprintf(text, len, "npm:%s@%s", sl->name, ver);
                } else if (v)
                    text = arena_strndup(s->a, ver, strlen(ver));
                if (!v || !text)
                    return NULL;
                *v = *sec->items[k];
                v->str = text;
                v->len = strlen(text);
                ns->items[k] = v;
            }
        }
        copy->items[i] = ns;
    }
    return copy;
}

static const char *const sections[] = { "dependencies", "devDependencies", "optionalDependencies" };

int npm_peers_search(arena *a, npm_registry *reg, const json_value *manifest, const char *file,
                     const npm_tree_options *opt, npm_peers_found *out, vs_error *err)
{
    memset(out, 0, sizeof *out);
    vs_error_clear(err);
    search s = { a, reg, NULL, 0, 0, 0, 2000000, 0, 0, err, manifest, file, { 0 }, NULL, 0 };
    if (opt)
        s.opt = *opt;
    s.opt.force = s.opt.legacy_peer_deps = 0;
    int rc = VSOLVE_OK;
    /* the root's registry dependencies (a name in two sections: the first one's range) */
    for (size_t si = 0; si < 3 && rc == VSOLVE_OK; si++) {
        const json_value *sec = json_get(manifest, sections[si]);
        for (size_t k = 0; sec && sec->kind == JSON_OBJECT && k < sec->n && rc == VSOLVE_OK; k++) {
            const json_value *sv = sec->items[k];
            if (sv->kind != JSON_STRING || slot_named(&s, sec->keys[k]))
                continue;
            const char *spec = sv->str, *target = sec->keys[k], *range_text = spec;
            if (!strncmp(spec, "npm:", 4)) {   /* an alias: its target's versions */
                const char *sub = spec + 4, *at = strchr(sub + (*sub == '@'), '@');
                target = arena_strndup(a, sub, at ? (size_t)(at - sub) : strlen(sub));
                range_text = at ? at + 1 : "*";
            }
            npm_options loose = { 1, 0 };
            npm_range r;
            if (!target || npm_range_parse(a, *range_text ? range_text : "*", loose, &r) != 0)
                continue;   /* a tag, a file: or git dependency: not searched */
            if (!add_slot(&s, target, sec->keys[k], sections[si], &r))
                rc = err->code ? err->code : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        }
    }
    size_t n_root = s.n_slots;
    for (size_t i = 0; i < n_root; i++)
        for (size_t k = 0; k < s.slots[i].n_cands; k++) {
            const json_value *peers = json_get(s.slots[i].cands[k].manifest, "peerDependencies");
            for (size_t j = 0; peers && peers->kind == JSON_OBJECT && j < peers->n; j++) {
                slot *q = slot_named(&s, peers->keys[j]);
                if (q)
                    q->peer_named = 1;
            }
        }
    for (int budget = 0; budget <= 2 && rc == VSOLVE_OK && !s.found; budget++) {
        s.budget = budget;
        s.used = 0;
        s.n_slots = n_root;
        for (size_t i = 0; i < n_root; i++)
            s.slots[i].chosen = -1;
        int r = dfs(&s);
        if (r < 0) {
            if (err->code)
                rc = err->code;
            out->exhausted = 1;
            break;
        }
    }
    /* what moved, for messages: "name version (was "spec")" */
    if (rc == VSOLVE_OK && s.found) {
        out->manifest = s.found;
        size_t cap = 256, len = 0;
        char *text = malloc(cap);
        out->moved = arena_alloc(a, n_root * sizeof *out->moved);
        if (!out->moved) {
            free(text);
            text = NULL;
        }
        for (size_t i = 0; text && i < n_root; i++) {
            const slot *sl = &s.slots[i];
            if (sl->chosen <= 0)
                continue;
            const char *was = npmt_jstr(json_get(manifest, sl->section), sl->dep_name);
            size_t need = strlen(sl->dep_name) + strlen(sl->cands[sl->chosen].version) + strlen(was ? was : "") + 32;
            if (len + need >= cap) {
                cap = 2 * (len + need);
                char *nt = realloc(text, cap);
                if (!nt) {
                    free(text);
                    text = NULL;
                    break;
                }
                text = nt;
            }
            len += (size_t)snprintf(text + len, cap - len, "%s%s %s (was \"%s\")", len ? ", " : "", sl->dep_name,
                                    sl->cands[sl->chosen].version, was ? was : "");
            npm_peer_move m = { arena_strndup(a, sl->dep_name, strlen(sl->dep_name)),
                                arena_strndup(a, sl->cands[sl->chosen].version, strlen(sl->cands[sl->chosen].version)),
                                arena_strndup(a, was ? was : "", strlen(was ? was : "")) };
            if (!m.name || !m.version || !m.was) {
                free(text);
                text = NULL;
                break;
            }
            out->moved[out->n_moved++] = m;
            out->n_outside += sl->cands[sl->chosen].outside;
        }
        if (!text)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        out->summary = text;
    }
    out->steps = s.steps;
    out->checked = (size_t)s.verified;
    free(s.slots);
    return rc;
}
