/* cargo_resolve.c: turning a root manifest and the crates index into a universe.
 *
 * Nodes (universe packages):
 *   C@V          a crate version (real), slot: C's semver-compatible range of V
 *   C#f @V       feature f of C@V (virtual): needs C@V and what f enables
 *   C?d @V       C@V's optional dependency d enabled (virtual): needs C@V and d
 * A dependency D of a node with requirement R, default features and features F becomes the
 * clauses: one of D's versions matching R; one of their `default` nodes; for each f in F one of
 * their `f` nodes (only versions that have f, so a version lacking a feature is never used for
 * it; the version chosen for the dependency itself must have every requested feature, so that
 * one dependency is one version). Feature items: "g" needs C#g; "dep:d" needs C?d; "d/x" needs
 * C?d (if d is optional) and D#x. The weak "d?/x" is treated like "d/x": cargo's dependency
 * resolver, which writes Cargo.lock, resolves the optional dependency of a weak feature too (only
 * its feature resolver, at build time, leaves it out). An optional dependency d without a
 * "dep:d" item anywhere also gets an implicit feature d. Only the features and optional
 * dependencies that discovery reaches (in any version of their crate) become nodes: nothing
 * reachable from the root names the others (node_reached).
 * With resolver = "3" and a rust-version, versions that declare a newer rust_version are
 * avoided (cargo's incompatible-rust-versions = "fallback").
 *
 * The greedy build (cargo_options.greedy) keeps of each requirement only cargo's first
 * candidate c (newest matching, not yanked, not avoided; every matching version when they span
 * semver-compatible ranges), and lists no provider in a clause of that requirement whose
 * feature c lacks. Why greedy_solve's answer on it, when it gives one, is its answer on the
 * full problem (and so cargo's, greedy.c): every package of the greedy closure G is a
 * candidate of both problems, and every node of G a node of both (the greedy discovery reaches
 * a subset of what the full one reaches), with the same clauses in the same order (a clause's
 * shape depends on whether its requirement spans ranges, which is the same in both), and each
 * clause's providers in the greedy build are those of the full build that are candidates
 * there (a feature a clause of G asks is reached in both), but for one kind: a spanning
 * requirement's "pkg and W imply W#f" also lists the newer matching versions in the full build
 * (features_of_each). Where a closure answers, W is the only matching version it installs
 * (else the dependent's clause has two installed providers and it gives up), so both read that
 * clause as "W#f"; the full build's closure gives up on it (providers of two names) and leaves
 * it to the solver, which is slower, not another answer. So (1) where a clause applies, its
 * preferred provider is the same: in the full build the newest available, not avoided
 * provider, which is c itself when c has every feature asked (c is the newest such version of
 * all that match), and in the greedy build c too, the other candidates matching being older,
 * yanked or avoided; when c lacks a feature the greedy list is empty and the closure gives up.
 * A requirement with no first candidate (every matching version yanked or avoided, or none)
 * lists no provider either: where the closure meets it, it gives up, as the full build's
 * closure does on its providers, none of which it may take (and a dependent the closure never
 * takes does not count). By induction along the closure both build the same G. (2) The checks
 * count installed providers and group members, which are all in G, so they count the same in
 * both: two first candidates with one `links` value clash only when the closure takes both
 * (discovery may reach one that it never takes). (3)
 * Solutions are sorted by name, then version, and the reasons follow the clauses' order and
 * their one installed provider: the same text, lock and reasons.
 * With pins (cargo_options.pins, cargo_pins.h: a second round after a `links` clash), a first
 * candidate is also not dead (in no solution, by what the root's dependencies force). The
 * full problem without the dead versions has the same solutions, so the argument above, made
 * on it, gives the same answer; and cargo's is that closure G too, though it may try a dead
 * version and back off: take the decisions of its answer S in its order; at the first edge where
 * S and G part, S's version is not newer than G's (those are dead, in no solution), nor older
 * (cargo tried G's first, from a state G extends to a solution, and its search backtracks over
 * every candidate). That last step assumes cargo's search complete, which it is meant to be;
 * its conflict cache can cut a solution (bench/README.md: rocket_oauth2 beside ring 0.14, which
 * cargo refuses and whose vsolve lock cargo keeps), so the unseen `links` samples there are the
 * evidence that the two agree in practice. */
#include "cargo_resolve.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cargo_git.h"
#include "vec.h"

typedef enum node_kind { NODE_CRATE, NODE_FEATURE, NODE_OPTIONAL } node_kind;

/* A node name ("C", "C#f", "C?d") interned once for the versions that share it. */
typedef struct name_cache {
    const char *crate;              /* the crate name it was interned for (NULL: not yet) */
    uint32_t id;                    /* its universe string id */
} name_cache;

struct cargo_node {
    node_kind kind;
    const char *crate;              /* crate name (the root's name for root nodes) */
    const cargo_version *v;         /* the version (root: a synthetic one) */
    const char *what;               /* feature or optional dependency name */
    uint32_t pkg;                   /* universe package id, after sorting */
    struct version_entry *entry;    /* the crate version this node belongs to */
    const cargo_feature *decl;      /* a feature node: its declaration, or NULL (implicit, default) */
    name_cache *names;              /* shared by the crate's versions, or NULL */
};

/* A candidate crate version with its nodes. */
typedef struct version_entry {
    const cargo_version *v;
    int is_root, locked;
    int is_path;                    /* a path dependency's package: no registry source */
    int is_member;                  /* a workspace member (its dev-dependencies and every feature count) */
    int is_patch;                   /* a [patch.crates-io] package */
    int dead;                       /* greedy: in no solution by the pins (cargo_options.pins) */
    uint32_t demand;                /* the demand() that made it a candidate (its serial number) */
    const char *source;             /* a path package from a git checkout: its git source */
    uint32_t crate_id;              /* builder.crates index (the root: UINT32_MAX, unless register_top) */
    cargo_node base;
    uint32_t vers_str;              /* the version's universe string id, once a node interned it */
    uint32_t base_run;              /* the run of providers [base.pkg], once a clause stored it */
    uint32_t *dep_lines;            /* per dependency: its line (dep_line_of) once discovery followed it,
                                       else UINT32_MAX */
    cargo_node *features;           /* declared, default and implicit features */
    size_t n_features;
    const cargo_node **by_name;     /* the features sorted by name, for lookups */
    size_t n_sorted;                /* features in by_name */
    cargo_node *optionals;          /* one per distinct optional dependency name */
    size_t n_optionals;
} version_entry;

/* What discovery found reachable of a crate: a feature, or an optional dependency turned on. */
typedef enum reach_kind { REACH_VISIT, REACH_FEATURE, REACH_OPTIONAL } reach_kind;

typedef struct reached {
    reach_kind kind;                /* REACH_FEATURE or REACH_OPTIONAL */
    const char *name;
    struct reached *next;
    name_cache node;                /* the name of its nodes */
} reached;

typedef struct crate_entry {
    const char *name;
    const cargo_crate *crate;       /* NULL: not in the index (or not reachable: never read) */
    version_entry **candidates;     /* per index version, NULL when not a candidate */
    size_t cand_lo, cand_hi;        /* no candidate outside [cand_lo, cand_hi) (set_candidate): the
                                       greedy build has one or two of many versions */
    uint64_t *keys;                 /* per index version, its semver_key: each demand scans them */
    int local;                      /* crate is a path (or git) package, not the index's */
    const cargo_crate *patch;       /* a [patch.crates-io] package of this name, or NULL */
    version_entry *patch_ve;        /* its candidate, once a requirement matched it */
    reached *reach;                 /* features and optional dependencies reachable, any version */
    size_t n_reach;                 /* entries in reach */
    name_cache *base;               /* the name of its version nodes (arena), or NULL */
    const char **feature_order;     /* the last sorted version's feature names, in name order: */
    size_t n_feature_order;         /* most versions of a crate declare nearly the same */
} crate_entry;

/* One step of discovery: visit a candidate's dependencies, or apply a reachable feature or
 * optional dependency to it. */
typedef struct work_item {
    version_entry *ve;
    reach_kind kind;
    const char *name;               /* the feature or optional dependency (not for a visit) */
} work_item;

typedef struct provider_run {
    uint32_t first, count;
} provider_run;

/* A dependency line (line_key): the same one recurs in most versions of a crate. */
typedef struct dep_line {
    int followed;                   /* discovery followed it (follow_dep) */
    uint32_t first, count;          /* its clauses in line_clauses (count UINT32_MAX: not yet) */
} dep_line;

/* One clause of a dependency line, to add again for the next node with that line. */
typedef struct line_clause {
    uint32_t desc, cond;            /* as universe_add_clause_if */
    uint32_t first, count;          /* the providers' run in the universe (count 0: none) */
} line_clause;

typedef struct builder {
    cargo_problem *pb;
    cargo_index *ix;
    vs_error *err;
    strpool crate_ids;              /* crate name -> crates[] */
    VEC(crate_entry) crates;
    VEC(work_item) work;            /* discovery: the visits to make, in order */
    VEC(work_item) reach_work;      /* and the features and optional dependencies to apply, each
                                       taken before the next visit (discover) */
    VEC(version_entry *) all;       /* every candidate, the root first */
    strpool reach_keys;             /* "crate id, kind, name" already reachable */
    VEC(reached *) reach_of;        /* reach key id -> its entry */
    strpool demand_keys;            /* "package \x01 requirement" already demanded: the same
                                       dependency line recurs in most versions of a crate */
    u32_vec demand_cids;            /* demand key id -> its crate id */
    int sealed;                     /* discovery done: crates not reached are not read */
    const cargo_locked *locked;
    size_t n_locked;
    const char *msrv;               /* prefer versions for this rust version (resolver 3), or NULL */
    /* provider lists already computed, by (package, requirement, asked features, feature): the
     * same dependency line recurs in most versions of a crate */
    strpool provider_keys;
    VEC(provider_run) provider_runs;   /* key id -> run in provider_ids */
    u32_vec provider_ids;
    /* path dependencies' packages, read from their Cargo.toml: they stand for their crate name */
    VEC(cargo_crate *) path_crates;
    VEC(const char *) path_sources; /* per path crate: its git source, or NULL (local) */
    const cargo_options *opt;
    VEC(cargo_crate *) member_crates;  /* those of path_crates that are workspace members */
    VEC(cargo_crate *) patch_crates;   /* [patch.crates-io] packages (not in path_crates) */
    const cargo_manifest *top;      /* the root entry's package (a virtual workspace: a member) */
    int top_needed;                 /* a path dependency names it: it serves its name as a crate */
    int greedy;                     /* first candidates only (cargo_options.greedy, see the top) */
    version_entry *first;           /* greedy: the candidate the last demand() took */
    VEC(version_entry *) demand_first;  /* greedy: demand key id -> its first candidate */
    u32_vec feature_slots;          /* sort_features: a version's feature names hashed (index + 1) */
    strpool line_keys;              /* dependency lines met (line_key) -> lines[] */
    VEC(dep_line) lines;
    VEC(line_clause) line_clauses;
    int recording;                  /* clause() records into line_clauses */
    uint32_t its_crate;             /* the string "its crate", once interned */
    int first_round;                /* greedy without pins: stop at two candidates of one `links` */
    uint32_t from;                  /* discovery: the crate of the work item taken (UINT32_MAX: the root) */
    u32_vec edges;                  /* first round: (from, to) crate ids of every demand, in pairs */
    VEC(version_entry *) links_seen;   /* first round: one candidate per `links` value met */
    uint32_t demands;               /* demand() calls so far */
    const version_entry *clash[2];  /* first round: two candidates of one `links` value, from two demands */
    int root_only;                  /* cargo_options.root_only: no dependency is followed */
    int stop_at_clash;              /* first round, cargo_options.stop_at_clash */
} builder;

/* cargo_problem_build stops: the greedy build meets what its rule does not cover */
#define GREEDY_GIVE_UP (-1)

/* Version i of crate c, parsed; NULL when its index line cannot be read, a version cargo leaves
 * out as well (its index reader skips such lines): noted in pb->skipped, *rc VSOLVE_OK. NULL
 * with *rc VSOLVE_ENOMEM when out of memory. */
static const cargo_version *version_or_skip(builder *b, const cargo_crate *c, size_t i, int *rc)
{
    vs_error why;
    vs_error_clear(&why);
    const cargo_version *v = cargo_index_version(b->ix, c, i, &why);
    *rc = v || why.code != VSOLVE_EBADINPUT ? (v ? VSOLVE_OK : VSOLVE_ENOMEM) : VSOLVE_OK;
    cargo_problem *pb = b->pb;
    if (!v && why.code == VSOLVE_EBADINPUT && (!pb->n_skipped || strncmp(pb->skipped, why.message, 500))) {
        if (!pb->n_skipped)   /* the first one's words; the others counted (a line read twice once) */
            snprintf(pb->skipped, sizeof pb->skipped, "%.500s", why.message);
        pb->n_skipped++;
    }
    return v;
}

/* The root or a workspace member: dev-dependencies and every feature count. */
static int is_top(const version_entry *ve)
{
    return ve->is_root || ve->is_member;
}

/* Joins NULL-terminated parts into buf (truncating); faster than snprintf on this hot path. */
static const char *join(char *buf, size_t size, const char *const *parts)
{
    size_t n = 0;
    for (; *parts && n + 1 < size; parts++) {
        size_t len = strlen(*parts);
        if (len > size - 1 - n)
            len = size - 1 - n;
        memcpy(buf + n, *parts, len);
        n += len;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- the first greedy round's links clash ----------------------------------------------- */

static int has_crate(const char *const *names, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(names[k], name))
            return 1;
    return 0;
}

/* Appends a copy of `name` (once) to the arena array *names of *n (grown by 16). */
static int note_crate(arena *mem, const char ***names, size_t *n, const char *name)
{
    if (has_crate(*names, *n, name))
        return VSOLVE_OK;
    if (*n % 16 == 0) {
        const char **more = arena_alloc(mem, (*n + 16) * sizeof *more);
        if (!more)
            return VSOLVE_ENOMEM;
        if (*n)
            memcpy(more, *names, *n * sizeof *more);
        *names = more;
    }
    if (!((*names)[*n] = arena_strndup(mem, name, strlen(name))))
        return VSOLVE_ENOMEM;
    (*n)++;
    return VSOLVE_OK;
}

/* Two candidates a and c that two demands made declare one `links` value: after discovery (or
 * at once, with stop_at_clash) the first greedy round stops (cargo may have to back off from
 * one of them, or refuse). Their versions go to pb->clash_versions, their crates to
 * pb->links_crates, and the crates that lead to them through the dependencies demanded so far
 * to pb->links_ways (for cargo_pins_find). GREEDY_GIVE_UP, or VSOLVE_ENOMEM. */
static int links_clash(builder *b, const version_entry *a, const version_entry *c)
{
    cargo_problem *pb = b->pb;
    unsigned char *on = calloc(b->crates.len ? b->crates.len : 1, 1);
    if (!on)
        return VSOLVE_ENOMEM;
    on[a->crate_id] = on[c->crate_id] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t e = 0; e + 1 < b->edges.len; e += 2) {
            uint32_t from = b->edges.items[e], to = b->edges.items[e + 1];
            if (from != UINT32_MAX && on[to] && !on[from])
                on[from] = changed = 1;
        }
    }
    int rc = note_crate(&pb->mem, &pb->links_crates, &pb->n_links_crates, a->v->name);
    if (rc == VSOLVE_OK)
        rc = note_crate(&pb->mem, &pb->links_crates, &pb->n_links_crates, c->v->name);
    for (size_t k = 0; k < b->crates.len && rc == VSOLVE_OK; k++)
        if (on[k])
            rc = note_crate(&pb->mem, &pb->links_ways, &pb->n_links_ways, b->crates.items[k].name);
    free(on);
    pb->links_clash = 1;
    pb->clash_versions[0] = a->v;
    pb->clash_versions[1] = c->v;
    return rc == VSOLVE_OK ? GREEDY_GIVE_UP : rc;
}

/* ---- discovery ------------------------------------------------------------------------------ */

static crate_entry *crate_of(builder *b, const char *name)
{
    uint32_t id = strpool_intern(&b->crate_ids, name, strlen(name));
    if (id == UINT32_MAX)
        return NULL;
    while (b->crates.len <= id)
        if (!vec_push(&b->crates, ((crate_entry){ 0 })))
            return NULL;
    crate_entry *c = &b->crates.items[id];
    if (!c->name) {
        c->name = strpool_str(&b->crate_ids, id);
        vs_error e;
        vs_error_clear(&e);
        for (size_t k = 0; k < b->path_crates.len && !c->crate; k++)
            if (!strcmp(b->path_crates.items[k]->name, name))
                c->crate = b->path_crates.items[k];
        c->local = c->crate != NULL;
        for (size_t k = 0; k < b->patch_crates.len && !c->patch && !c->crate; k++)   /* a path crate wins */
            if (!strcmp(b->patch_crates.items[k]->name, name))
                c->patch = b->patch_crates.items[k];
        if (!c->crate)
            c->crate = b->sealed ? NULL : cargo_index_crate(b->ix, name, &e);
        if (!c->crate && e.code != VSOLVE_OK) {
            *b->err = e;
            return NULL;
        }
        size_t n = c->crate ? c->crate->n_versions : 0;
        c->candidates = arena_alloc(&b->pb->mem, (n ? n : 1) * sizeof *c->candidates);
        c->keys = arena_alloc_uninit(&b->pb->mem, (n ? n : 1) * sizeof *c->keys);
        if (!c->candidates || !c->keys)
            return NULL;
        for (size_t i = 0; i < n; i++)
            c->keys[i] = semver_key(&c->crate->versions[i].v);
        c->cand_lo = n;
    }
    return c;
}

/* Version i of crate c is candidate ve. */
static void set_candidate(crate_entry *c, size_t i, version_entry *ve)
{
    c->candidates[i] = ve;
    if (i < c->cand_lo)
        c->cand_lo = i;
    if (i >= c->cand_hi)
        c->cand_hi = i + 1;
}

/* Does requirement g (semver_req_range) allow version i of crate c? A path or git package is
 * matched by a dependency that names no version ("*", no comparators) whatever its version,
 * pre-releases included, as in cargo. */
static int local_matches(const crate_entry *c, const semver_range *g, size_t i)
{
    return (c->local && g->req->n == 0) || semver_range_matches_key(g, c->keys[i], &c->crate->versions[i].v);
}

/* semver_compare of versions i and j of crate c, by their keys when they tell. */
static int compare_versions(const crate_entry *c, size_t i, size_t j)
{
    uint64_t ki = c->keys[i], kj = c->keys[j];
    if (ki != SEMVER_NO_KEY && kj != SEMVER_NO_KEY && ki != kj)
        return ki > kj ? 1 : -1;
    return semver_compare(&c->crate->versions[i].v, &c->crate->versions[j].v);
}

static int is_locked(const builder *b, const char *name, const char *vers)
{
    for (size_t i = 0; i < b->n_locked; i++)
        if (!strcmp(b->locked[i].name, name) && !strcmp(b->locked[i].version, vers))
            return 1;
    return 0;
}

static int push_work(builder *b, version_entry *ve, reach_kind kind, const char *name)
{
    work_item w = { ve, kind, name };
    int ok = kind == REACH_VISIT ? vec_push(&b->work, w) : vec_push(&b->reach_work, w);
    return ok ? VSOLVE_OK : VSOLVE_ENOMEM;
}

/* A new candidate: its dependencies to visit, and what is already reachable of its crate. In
 * the first greedy round, the first two candidates of one `links` value that two demands made
 * are noted (links_clash). */
static int add_candidate(builder *b, version_entry *ve)
{
    if (b->first_round && ve->v->links && !ve->is_root && !b->clash[0]) {
        size_t k = 0;
        while (k < b->links_seen.len && strcmp(b->links_seen.items[k]->v->links, ve->v->links))
            k++;
        if (k == b->links_seen.len && !vec_push(&b->links_seen, ve))
            return VSOLVE_ENOMEM;
        if (k < b->links_seen.len && b->links_seen.items[k]->demand != ve->demand) {
            b->clash[0] = b->links_seen.items[k];
            b->clash[1] = ve;
        }
    }
    size_t n = ve->v->n_deps;
    if (!(ve->dep_lines = arena_alloc_uninit(&b->pb->mem, (n ? n : 1) * sizeof *ve->dep_lines)) || !vec_push(&b->all, ve))
        return VSOLVE_ENOMEM;
    memset(ve->dep_lines, 0xff, n * sizeof *ve->dep_lines);
    int rc = push_work(b, ve, REACH_VISIT, NULL);
    if (ve->crate_id == UINT32_MAX)
        return rc;
    for (const reached *r = b->crates.items[ve->crate_id].reach; r && rc == VSOLVE_OK; r = r->next)
        rc = push_work(b, ve, r->kind, r->name);
    return rc;
}

/* Version i (v, parsed) of crate c (id cid) becomes a candidate. */
static int new_candidate(builder *b, crate_entry *c, size_t i, const cargo_version *v, uint32_t cid)
{
    version_entry *ve = arena_alloc(&b->pb->mem, sizeof *ve);
    if (!ve)
        return VSOLVE_ENOMEM;
    ve->v = v;
    for (size_t k = 0; k < b->path_crates.len; k++)
        if (b->path_crates.items[k] == c->crate) {
            ve->is_path = 1;
            ve->source = b->path_sources.items[k];
        }
    for (size_t k = 0; k < b->member_crates.len; k++)
        ve->is_member |= b->member_crates.items[k] == c->crate;
    ve->locked = is_locked(b, c->name, ve->v->vers);
    ve->dead = b->greedy && cargo_pins_dead(b->opt->pins, b->ix, v);
    ve->demand = b->demands;
    ve->crate_id = cid;
    set_candidate(c, i, ve);
    b->first = ve;
    return add_candidate(b, ve);
}

/* The greedy demand: of c's versions matching req, only cargo's first candidate becomes one
 * (b->first): the newest not yanked and, with resolver 3 and a rust-version, not needing a
 * newer Rust. When the matching versions span semver-compatible ranges, every one becomes a
 * candidate, as in the full build, so that the requirement's clauses take the same shape
 * (features_of_each). No first candidate: b->first is NULL (the clauses list no provider).
 * A version whose index line cannot be read is passed over, as the full build leaves it out
 * (version_or_skip). Gives up (GREEDY_GIVE_UP) when two matching versions are equal. */
static int demand_first(builder *b, crate_entry *c, const semver_req *req, uint32_t cid)
{
    const cargo_version *vs = c->crate ? c->crate->versions : NULL;
    size_t n = c->crate ? c->crate->n_versions : 0, any = SIZE_MAX, below = SIZE_MAX, best = SIZE_MAX;
    int spans = 0;
    semver_range g;
    semver_req_range(req, &g);
    for (size_t i = 0; i < n; i++) {   /* the matching versions: do they span ranges, the newest */
        if (!local_matches(c, &g, i))
            continue;
        if (any == SIZE_MAX)
            any = i;
        else
            spans |= !semver_same_slot(&vs[any].v, &vs[i].v);
        int cmp = best == SIZE_MAX ? 1 : compare_versions(c, i, best);
        if (cmp == 0)
            return GREEDY_GIVE_UP;
        if (cmp > 0)
            best = i;
    }
    for (;;) {   /* newest first: then the newest matching version below the last one passed */
        for (size_t i = any; below != SIZE_MAX && i < n; i++) {
            if (!local_matches(c, &g, i) || compare_versions(c, i, below) >= 0)
                continue;
            int cmp = best == SIZE_MAX ? 1 : compare_versions(c, i, best);
            if (cmp == 0)
                return GREEDY_GIVE_UP;
            if (cmp > 0)
                best = i;
        }
        if (best == SIZE_MAX) {   /* no first candidate: the requirement's clauses list none */
            b->first = NULL;
            return VSOLVE_OK;
        }
        int rc;
        const cargo_version *v = version_or_skip(b, c->crate, best, &rc);
        if (rc != VSOLVE_OK)
            return rc;
        if (!v || v->yanked || (b->msrv && v->rust_version && cargo_rust_version_cmp(v->rust_version, b->msrv) > 0) ||
            cargo_pins_dead(b->opt->pins, b->ix, v)) {
            below = best;
            best = SIZE_MAX;
            continue;
        }
        for (size_t i = any; spans && i < n; i++) {   /* every matching version, as the full build */
            if (c->candidates[i] || !local_matches(c, &g, i))
                continue;
            const cargo_version *w = version_or_skip(b, c->crate, i, &rc);
            if (rc == VSOLVE_OK && w)
                rc = new_candidate(b, c, i, w, cid);
            if (rc != VSOLVE_OK)
                return rc;
        }
        rc = c->candidates[best] ? VSOLVE_OK : new_candidate(b, c, best, v, cid);
        b->first = c->candidates[best];
        return rc;
    }
}

/* Every version of `package` matching req becomes a candidate (greedy: its first, see
 * demand_first); *cid is the crate's id. */
static int demand(builder *b, const char *package, const semver_req *req, uint32_t *cid)
{
    b->demands++;
    crate_entry *c = crate_of(b, package);
    if (!c)
        return b->err->code ? b->err->code : VSOLVE_ENOMEM;
    *cid = (uint32_t)(c - b->crates.items);
    if (c->patch && semver_req_matches(req, &c->patch->versions[0].v)) {
        /* cargo: a patch that matches the requirement is its only candidate */
        if (c->patch_ve)
            return VSOLVE_OK;
        version_entry *ve = arena_alloc(&b->pb->mem, sizeof *ve);
        if (!ve)
            return VSOLVE_ENOMEM;
        memset(ve, 0, sizeof *ve);
        ve->v = &c->patch->versions[0];
        ve->is_path = ve->is_patch = 1;
        ve->locked = is_locked(b, c->name, ve->v->vers);
        ve->crate_id = *cid;
        c->patch_ve = ve;
        return add_candidate(b, ve);
    }
    if (b->greedy)
        return demand_first(b, c, req, *cid);
    semver_range g;
    semver_req_range(req, &g);
    for (size_t i = 0; c->crate && i < c->crate->n_versions; i++) {
        if (c->candidates[i] || !local_matches(c, &g, i))
            continue;
        int rc;
        const cargo_version *v = version_or_skip(b, c->crate, i, &rc);
        if (rc == VSOLVE_OK && v)
            rc = new_candidate(b, c, i, v, *cid);
        if (rc != VSOLVE_OK)
            return rc;
        c = &b->crates.items[*cid];   /* stable: add_candidate reads no crate */
    }
    return VSOLVE_OK;
}

/* A path package (its manifest read) as a crate of one version (its normal and build
 * dependencies count, as for a registry crate; a member's dev-dependencies too). */
static int add_path_crate(builder *b, const cargo_manifest *pm, int member, int patch, const char *source)
{
    cargo_crate *c = arena_alloc(&b->pb->mem, sizeof *c);
    cargo_version *v = arena_alloc(&b->pb->mem, sizeof *v);
    if (!c || !v)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    memset(c, 0, sizeof *c);
    memset(v, 0, sizeof *v);
    v->name = pm->name;
    v->vers = pm->version;
    char why[256];
    if (semver_parse(v->vers, strlen(v->vers), &v->v, why, sizeof why) != 0)
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: package.version \"%s\" is not a semver version: %s", pm->path,
                            v->vers, why);
    v->deps = pm->deps;
    v->n_deps = pm->n_deps;
    v->features = pm->features;
    v->n_features = pm->n_features;
    v->links = pm->links;
    v->rust_version = pm->rust_version;
    v->parsed = 1;
    c->name = pm->name;
    c->file = pm->path;
    c->versions = v;
    c->n_versions = 1;
    if (patch ? !vec_push(&b->patch_crates, c)
              : (!vec_push(&b->path_crates, c) || !vec_push(&b->path_sources, source) ||
                 (member && !vec_push(&b->member_crates, c))))
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

/* The package a git dependency names, from the checkout given for its URL: the checkout's
 * Cargo.toml or, at a workspace root, the member of that name. Its source in *source. */
static int read_git_package(builder *b, const cargo_manifest *m, size_t i, cargo_manifest **out, const char **source)
{
    const cargo_git_ref *g = m->dep_gits[i];
    const char *dir = b->opt ? cargo_git_checkout(b->opt->git_checkouts, b->opt->n_git_checkouts, g->url) : NULL;
    if (!dir)
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: git hosts are not reached; give a local checkout of it with "
                            "--git-checkout %s=PATH", g->url, g->url);
    char commit[41], src[4096], path[4200];
    if (cargo_git_commit(dir, g, commit, b->err) != 0)
        return b->err->code;
    if (cargo_git_source(g, commit, src, sizeof src) >= sizeof src)
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: the git URL of %s is too long", m->path, m->deps[i].name);
    snprintf(path, sizeof path, "%s/Cargo.toml", dir);
    cargo_manifest *pm = arena_alloc(&b->pb->mem, sizeof *pm);
    char *p = arena_strndup(&b->pb->mem, path, strlen(path)), *sp = arena_strndup(&b->pb->mem, src, strlen(src));
    if (!pm || !p || !sp)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    int rc = cargo_manifest_read(&b->pb->mem, p, pm, b->err);
    if (rc != VSOLVE_OK)
        return rc;
    *out = NULL;
    if (pm->name && !strcmp(pm->name, m->deps[i].package))
        *out = pm;
    for (size_t k = 0; k < pm->n_members && !*out; k++)
        if (!strcmp(pm->members[k]->name, m->deps[i].package))
            *out = pm->members[k];
    if (!*out)
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "no package named %s in the checkout %s of %s", m->deps[i].package, dir,
                            g->url);
    *source = sp;
    return VSOLVE_OK;
}

/* The packages of m's path and git dependencies (and theirs), each read once; those inside the
 * root's workspace folder are members (cargo_workspace_contains). A path dependency of a git
 * package (source) has the git package's source. */
static int read_path_crates(builder *b, const cargo_manifest *m, int depth, const char *source)
{
    for (size_t i = 0; i < m->n_deps; i++) {
        const cargo_git_ref *git = m->dep_gits ? m->dep_gits[i] : NULL;
        if ((!m->dep_paths || !m->dep_paths[i]) && !git)
            continue;
        size_t known = SIZE_MAX;
        for (size_t k = 0; k < b->path_crates.len && known == SIZE_MAX; k++)
            if (!strcmp(b->path_crates.items[k]->name, m->deps[i].package))
                known = k;
        if (known != SIZE_MAX) {   /* read already: it must be the same package (one per name) */
            const char *had = b->path_sources.items[known];
            char x[4200], y[4200];
            int same;
            if (git) {
                size_t n = cargo_git_source(git, "", x, sizeof x);
                same = n < sizeof x && had && !strncmp(had, x, n) && !strchr(had + n, '#');
            } else {
                same = !had == !source && cargo_path_normalize(b->path_crates.items[known]->file, x, sizeof x) == 0 &&
                       cargo_path_normalize(m->dep_paths[i], y, sizeof y) == 0 && !strcmp(x, y);
            }
            if (!same)
                return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: dependency %s names another package %s than %s (%s): vsolve "
                                    "keeps one package per name outside the registry", m->path, m->deps[i].name,
                                    m->deps[i].package, b->path_crates.items[known]->file, had ? had : "a path");
            continue;
        }
        if (depth > 64)
            return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: path dependencies nest deeper than 64", m->path);
        if (!strcmp(m->deps[i].package, b->top->name)) {
            /* back on the package resolved from (a dev-dependency cycle in a workspace): that
             * package's own manifest, which then serves its name (register_top) */
            char want[4200], got[4200];
            if (git || cargo_path_normalize(m->dep_paths[i], want, sizeof want) != 0 ||
                cargo_path_normalize(b->top->path, got, sizeof got) != 0 || strcmp(want, got) != 0)
                return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: %s depends on a %s that is not the package %s at %s", m->path,
                                    m->name, m->deps[i].package, b->top->name, b->top->path);
            b->top_needed = 1;
            continue;
        }
        cargo_manifest *pm = NULL;
        const char *src = source;
        int member = 0, rc;
        if (git) {
            rc = read_git_package(b, m, i, &pm, &src);
        } else {
            if (!(pm = arena_alloc(&b->pb->mem, sizeof *pm)))
                return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
            const cargo_workspace *ws = b->pb->root->ws;
            member = !source && ws && cargo_workspace_contains(ws, m->dep_paths[i]);
            rc = cargo_manifest_read_in(&b->pb->mem, m->dep_paths[i], member ? ws : NULL, pm, b->err);
        }
        if (rc != VSOLVE_OK) {   /* say which dependency led there */
            char why[sizeof b->err->message];
            snprintf(why, sizeof why, "%s", b->err->message);
            return vs_error_set(b->err, rc, "%s: %s dependency %s: %s", m->path, git ? "git" : "path", m->deps[i].name, why);
        }
        if (!pm->name || strcmp(pm->name, m->deps[i].package))
            return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: package %s, but %s's dependency %s names it %s", pm->path,
                                pm->name ? pm->name : "(none: a virtual manifest)", m->name, m->deps[i].name,
                                m->deps[i].package);
        if ((rc = add_path_crate(b, pm, member, 0, src)) != VSOLVE_OK || (rc = read_path_crates(b, pm, depth + 1, src)) != VSOLVE_OK)
            return rc;
    }
    return VSOLVE_OK;
}

/* The package resolved from as the crate of its name (only when a path dependency names it):
 * a path crate whose one candidate is the root entry. */
static int register_top(builder *b, version_entry *re)
{
    cargo_crate *c = arena_alloc(&b->pb->mem, sizeof *c);
    if (!c)
        return VSOLVE_ENOMEM;
    memset(c, 0, sizeof *c);
    c->name = b->top->name;
    c->file = b->top->path;
    c->versions = (cargo_version *)re->v;
    c->n_versions = 1;
    if (!vec_push(&b->path_crates, c) || !vec_push(&b->path_sources, (const char *)NULL))
        return VSOLVE_ENOMEM;
    crate_entry *ce = crate_of(b, c->name);
    if (!ce)
        return b->err->code ? b->err->code : VSOLVE_ENOMEM;
    set_candidate(ce, 0, re);
    re->crate_id = (uint32_t)(ce - b->crates.items);
    return VSOLVE_OK;
}

/* A virtual workspace resolves from one of its members: the first that no other member
 * depends on (so that none depends back on it), else the first. */
static const cargo_manifest *pick_top(const cargo_manifest *root)
{
    if (root->name || !root->n_members)
        return root;
    for (size_t i = 0; i < root->n_members; i++) {
        int needed = 0;
        for (size_t j = 0; j < root->n_members && !needed; j++)
            for (size_t k = 0; k < root->members[j]->n_deps && !needed; k++)
                needed = !strcmp(root->members[j]->deps[k].package, root->members[i]->name);
        if (!needed)
            return root->members[i];
    }
    return root->members[0];
}

/* The root's workspace members (less the root entry's package) as member path crates, then the
 * root's [patch.crates-io] packages (each stands for its crate name, as a path dependency
 * does), then every path dependency of the root and the members. */
static int read_members(builder *b, const cargo_manifest *root)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < root->n_members && rc == VSOLVE_OK; i++) {
        const cargo_manifest *mm = root->members[i];
        for (size_t k = 0; k < b->path_crates.len; k++)
            if (!strcmp(b->path_crates.items[k]->name, mm->name))
                return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: two workspace members are named %s", mm->path, mm->name);
        if (mm != b->top && !strcmp(mm->name, b->top->name))
            return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: two workspace members are named %s", mm->path, mm->name);
        if (mm != b->top)
            rc = add_path_crate(b, mm, 1, 0, NULL);
    }
    for (size_t i = 0; i < root->n_patches && rc == VSOLVE_OK; i++) {
        cargo_manifest *pm = arena_alloc(&b->pb->mem, sizeof *pm);
        if (!pm)
            return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
        rc = cargo_manifest_read_in(&b->pb->mem, root->patch_paths[i], NULL, pm, b->err);
        if (rc != VSOLVE_OK) {
            char why[sizeof b->err->message];
            snprintf(why, sizeof why, "%s", b->err->message);
            return vs_error_set(b->err, rc, "%s: patch for %s: %s", root->path, root->patches[i].name, why);
        }
        if (!pm->name || strcmp(pm->name, root->patches[i].package))
            return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: package %s, but the patch for %s names it %s", pm->path,
                                pm->name ? pm->name : "(none: a virtual manifest)", root->patches[i].name,
                                root->patches[i].package);
        rc = add_path_crate(b, pm, 0, 1, NULL);
        if (rc == VSOLVE_OK)
            rc = read_path_crates(b, pm, 1, NULL);
    }
    if (rc == VSOLVE_OK)
        rc = read_path_crates(b, b->top, 0, NULL);
    for (size_t i = 0; i < root->n_members && rc == VSOLVE_OK; i++)
        if (root->members[i] != b->top)
            rc = read_path_crates(b, root->members[i], 0, NULL);
    return rc;
}

static int uses_dep(const cargo_dep *d, int is_root)
{
    return is_root || d->kind != CARGO_DEV;
}

/* Marks a feature or optional dependency of crate cid reachable (once): every candidate of the
 * crate, now and later, applies it. */
/* The key of reach_keys for (crate id, kind, name) in key[600]: the crate id's 4 bytes, '#' or
 * '?', the name (truncated: no real feature is this long). Returns its length. */
static size_t reach_key(char key[600], uint32_t cid, reach_kind kind, const char *name)
{
    size_t len = strlen(name);
    if (len > 600 - 5)
        len = 600 - 5;
    memcpy(key, &cid, 4);
    key[4] = kind == REACH_FEATURE ? '#' : '?';
    memcpy(key + 5, name, len);
    return len + 5;
}

/* The entry of (kind, name) if reachable in crate cid, else NULL. A few are compared (as
 * reach_key, to its length), more are looked up. */
static reached *find_reach(const builder *b, uint32_t cid, reach_kind kind, const char *name)
{
    const crate_entry *c = &b->crates.items[cid];
    if (c->n_reach <= 16) {
        for (reached *r = c->reach; r; r = r->next)
            if (r->kind == kind && r->name[0] == name[0] && !strncmp(r->name, name, 600 - 5))
                return r;
        return NULL;
    }
    char key[600];
    size_t len = reach_key(key, cid, kind, name);
    uint32_t id = strpool_find(&b->reach_keys, key, len);
    return id < b->reach_of.len ? b->reach_of.items[id] : NULL;
}

static int reach(builder *b, uint32_t cid, reach_kind kind, const char *name)
{
    if (find_reach(b, cid, kind, name))
        return VSOLVE_OK;
    char key[600];
    size_t len = reach_key(key, cid, kind, name);
    uint32_t id = strpool_intern(&b->reach_keys, key, len);
    if (id == UINT32_MAX)
        return VSOLVE_ENOMEM;
    reached *r = arena_alloc(&b->pb->mem, sizeof *r);
    if (!r)
        return VSOLVE_ENOMEM;
    while (b->reach_of.len <= id)
        if (!vec_push(&b->reach_of, (reached *)NULL))
            return VSOLVE_ENOMEM;
    b->reach_of.items[id] = r;
    crate_entry *c = &b->crates.items[cid];
    *r = (reached){ kind, name, c->reach, { NULL, 0 } };
    c->reach = r;
    c->n_reach++;
    int rc = VSOLVE_OK;
    for (size_t i = c->cand_lo; i < c->cand_hi && rc == VSOLVE_OK; i++)
        if (c->candidates[i])
            rc = push_work(b, c->candidates[i], kind, name);
    if (c->patch_ve && rc == VSOLVE_OK)
        rc = push_work(b, c->patch_ve, kind, name);
    return rc;
}

/* demand() for dependency d, once per distinct (package, requirement): a second demand finds
 * every matching version a candidate already, so only the crate id is looked up. */
static int demand_dep(builder *b, const cargo_dep *d, uint32_t *cid)
{
    char key[1024];
    size_t np = strlen(d->package), nr = strlen(d->req_text);
    if (np + nr + 1 > sizeof key)   /* too long to remember: demand again (greedy: give up) */
        return b->greedy ? GREEDY_GIVE_UP : demand(b, d->package, &d->req, cid);
    memcpy(key, d->package, np);
    key[np] = '\x01';
    memcpy(key + np + 1, d->req_text, nr);
    uint32_t before = b->demand_keys.count, id = strpool_intern(&b->demand_keys, key, np + nr + 1);
    if (id == UINT32_MAX)
        return VSOLVE_ENOMEM;
    if (b->demand_keys.count == before && id < b->demand_cids.len && b->demand_cids.items[id] != VS_NONE) {
        *cid = b->demand_cids.items[id];
        return VSOLVE_OK;
    }
    int rc = demand(b, d->package, &d->req, cid);
    while (rc == VSOLVE_OK && b->demand_cids.len <= id)
        if (!vec_push(&b->demand_cids, VS_NONE) || !vec_push(&b->demand_first, (version_entry *)NULL))
            return VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK) {
        b->demand_cids.items[id] = *cid;
        b->demand_first.items[id] = b->greedy ? b->first : NULL;
    }
    return rc;
}

/* demand_dep, and in the first greedy round the edge to the crate demanded (links_clash's ways). */
static int demand_edge(builder *b, const cargo_dep *d, uint32_t *cid)
{
    int rc = demand_dep(b, d, cid);
    if (rc == VSOLVE_OK && b->first_round && (!vec_push(&b->edges, b->from) || !vec_push(&b->edges, *cid)))
        rc = VSOLVE_ENOMEM;
    return rc;
}

/* follow_dep's work: demand d's requirement, reach the features it asks. */
static int follow_line(builder *b, const cargo_dep *d)
{
    uint32_t cid;
    if (b->root_only)
        return VSOLVE_OK;
    int rc = demand_edge(b, d, &cid);
    if (rc == VSOLVE_OK && d->default_features)
        rc = reach(b, cid, REACH_FEATURE, "default");
    for (size_t f = 0; f < d->n_features && rc == VSOLVE_OK; f++)
        rc = reach(b, cid, REACH_FEATURE, d->features[f]);
    return rc;
}

/* The line of dependency d: what its clauses and its discovery depend on (package, requirement,
 * default features, features), the same in most versions of a crate. Its id in b->lines, or
 * UINT32_MAX when it is too long to remember (*rc VSOLVE_OK) or out of memory (*rc set). */
static uint32_t dep_line_of(builder *b, const cargo_dep *d, int *rc)
{
    char key[2048];
    size_t n = 0;
    *rc = VSOLVE_OK;
    for (size_t i = 0; i < 3 + d->n_features; i++) {   /* parts ended by \x01 */
        const char *part = i == 0 ? d->package : i == 1 ? d->req_text : i == 2 ? (d->default_features ? "d" : "")
                         : d->features[i - 3];
        size_t len = strlen(part);
        if (n + len + 1 > sizeof key)
            return UINT32_MAX;
        memcpy(key + n, part, len);
        n += len;
        key[n++] = '\x01';
    }
    uint32_t id = strpool_intern(&b->line_keys, key, n);
    while (id != UINT32_MAX && b->lines.len <= id)
        if (!vec_push(&b->lines, ((dep_line){ 0, 0, UINT32_MAX })))
            id = UINT32_MAX;
    if (id == UINT32_MAX)
        *rc = VSOLVE_ENOMEM;
    return id;
}

/* Dependency d is used: its matching versions become candidates, with the features it asks.
 * Once per line: following it again would find all of that done. *line: its line. */
static int follow_dep(builder *b, const cargo_dep *d, uint32_t *line_out)
{
    int rc;
    uint32_t line = *line_out = dep_line_of(b, d, &rc);
    if (rc != VSOLVE_OK || (line != UINT32_MAX && b->lines.items[line].followed))
        return rc;
    rc = follow_line(b, d);
    if (rc == VSOLVE_OK && line != UINT32_MAX)
        b->lines.items[line].followed = 1;
    return rc;
}

/* Something of ve's own crate becomes reachable (the root's are all reachable from the start). */
static int reach_own(builder *b, const version_entry *ve, reach_kind kind, const char *name)
{
    return ve->is_root ? VSOLVE_OK : reach(b, ve->crate_id, kind, name);
}

static int has_optional(const cargo_version *v, const char *name, int is_root)
{
    for (size_t i = 0; i < v->n_deps; i++)
        if (v->deps[i].optional && uses_dep(&v->deps[i], is_root) && !strcmp(v->deps[i].name, name))
            return 1;
    return 0;
}

/* Feature f of ve is reachable: what it enables is (the rules of the clauses, at the top). */
static int apply_feature(builder *b, version_entry *ve, const char *f)
{
    const cargo_version *v = ve->v;
    const cargo_feature *decl = NULL;
    for (size_t k = 0; k < v->n_features && !decl; k++)
        if (v->features[k].name[0] == f[0] && !strcmp(v->features[k].name, f))
            decl = &v->features[k];
    if (!decl)   /* an implicit feature of an optional dependency, or nothing */
        return has_optional(v, f, is_top(ve)) ? reach_own(b, ve, REACH_OPTIONAL, f) : VSOLVE_OK;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < decl->n_items && rc == VSOLVE_OK; i++) {
        const char *item = decl->items[i];
        const char *slash = strchr(item, '/');
        if (!strncmp(item, "dep:", 4)) {
            rc = reach_own(b, ve, REACH_OPTIONAL, item + 4);
            continue;
        }
        if (!slash) {
            rc = reach_own(b, ve, REACH_FEATURE, item);
            continue;
        }
        char dep[256];
        size_t dl = (size_t)(slash - item);
        if (dl > 0 && item[dl - 1] == '?')   /* weak: resolved like a strong one */
            dl--;
        if (dl >= sizeof dep)
            continue;
        memcpy(dep, item, dl);
        dep[dl] = '\0';
        for (size_t k = 0; k < v->n_deps && rc == VSOLVE_OK; k++) {
            const cargo_dep *d = &v->deps[k];
            if (strcmp(d->name, dep) != 0 || !uses_dep(d, is_top(ve)))
                continue;
            if (d->optional)
                rc = reach_own(b, ve, REACH_OPTIONAL, d->name);
            uint32_t cid;
            if (rc == VSOLVE_OK && !b->root_only)
                rc = demand_edge(b, d, &cid);
            if (rc == VSOLVE_OK && !b->root_only)
                rc = reach(b, cid, REACH_FEATURE, slash + 1);
        }
    }
    return rc;
}

/* Discovery: from the root, the crate versions the resolution can reach. A version's normal and
 * build dependencies are followed; an optional one only once a reachable feature turns it on
 * (for the root: all of them, as Cargo.lock covers every feature); dev-dependencies only the
 * root's. The features reachable are tracked per crate, over every candidate version.
 *
 * What it finds is a closure, the same in any order; the order decides how much it reads before
 * the first greedy round meets a `links` clash (stop_at_clash), and which clash first. Features
 * and optional dependencies are applied before the next visit: a dependency a feature turns on
 * is then demanded before the dependencies of the visits queued meanwhile. unsat-ring-links asks
 * actix-web for rust-tls, whose rustls 0.15 needs the ring that clashes: 84 crates read to the
 * clash, against 158 with one queue in order, where that feature waited behind the visits of
 * actix-web's 30 dependencies (unsat-links: 23 against 21; bench/README.md). */
static int discover(builder *b)
{
    for (size_t head = 0, reach_head = 0; head < b->work.len || reach_head < b->reach_work.len;) {
        work_item w = reach_head < b->reach_work.len ? b->reach_work.items[reach_head++] : b->work.items[head++];
        version_entry *ve = w.ve;
        const cargo_version *v = ve->v;
        int rc = VSOLVE_OK;
        b->from = ve->is_root ? UINT32_MAX : ve->crate_id;
        if (w.kind == REACH_FEATURE) {
            rc = apply_feature(b, ve, w.name);
        } else if (w.kind == REACH_OPTIONAL) {
            for (size_t i = 0; i < v->n_deps && rc == VSOLVE_OK; i++)
                if (v->deps[i].optional && uses_dep(&v->deps[i], is_top(ve)) && !strcmp(v->deps[i].name, w.name))
                    rc = follow_dep(b, &v->deps[i], &ve->dep_lines[i]);
        } else {
            for (size_t i = 0; i < v->n_deps && rc == VSOLVE_OK; i++)
                if (uses_dep(&v->deps[i], is_top(ve)) && (!v->deps[i].optional || is_top(ve)))
                    rc = follow_dep(b, &v->deps[i], &ve->dep_lines[i]);
            for (size_t f = 0; is_top(ve) && f < v->n_features && rc == VSOLVE_OK; f++)
                rc = push_work(b, ve, REACH_FEATURE, v->features[f].name);
        }
        if (rc != VSOLVE_OK)
            return rc;
        if (b->clash[0] && b->stop_at_clash)
            return VSOLVE_OK;   /* what was found so far: links_clash */
    }
    b->sealed = 1;
    return VSOLVE_OK;
}

/* ---- nodes -------------------------------------------------------------------------------- */

static int has_dep_prefix(const cargo_version *v, const char *dep)
{
    size_t n = strlen(dep);
    for (size_t f = 0; f < v->n_features; f++)
        for (size_t i = 0; i < v->features[f].n_items; i++) {
            const char *it = v->features[f].items[i];
            if (!strncmp(it, "dep:", 4) && !strncmp(it + 4, dep, n) && it[4 + n] == '\0')
                return 1;
        }
    return 0;
}

/* Orders feature nodes by name, then by place (the first declaration of a name first). */
static int by_what(const void *a, const void *b)
{
    const cargo_node *x = *(const cargo_node *const *)a, *y = *(const cargo_node *const *)b;
    int c = strcmp(x->what, y->what);
    return c ? c : (x < y ? -1 : x > y);
}

/* Is by_name[0..n) strictly increasing by by_what (a strict total order: then it is the one
 * order qsort gives)? */
static int by_name_sorted(const version_entry *ve, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (by_what(&ve->by_name[k - 1], &ve->by_name[k]) >= 0)
            return 0;
    return 1;
}

/* Inserts x into the sorted by_name[0..m) at its place by by_what (by_name has room for one more). */
static void insert_by_name(const cargo_node **by_name, size_t m, const cargo_node *x)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_what(&by_name[mid], &x) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&by_name[lo + 1], &by_name[lo], (m - lo) * sizeof *by_name);
    by_name[lo] = x;
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Tries the name order of the crate's last sorted version: its names found in ve, in that
 * order, then ve's other features inserted. 0: not sorted that way (or too many new names). */
static int sort_like_last(builder *b, version_entry *ve, const crate_entry *c)
{
    size_t n = ve->n_features, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    u32_vec *t = &b->feature_slots;
    t->len = 0;
    if (!vec_reserve(t, cap + n))
        return 0;
    uint32_t *slot = t->items, *used = t->items + cap;
    memset(slot, 0, (cap + n) * sizeof *slot);
    for (size_t k = 0; k < n; k++) {
        uint32_t i = name_hash(ve->features[k].what) & (uint32_t)(cap - 1);
        while (slot[i])
            i = (i + 1) & (uint32_t)(cap - 1);
        slot[i] = (uint32_t)k + 1;
    }
    size_t m = 0;
    for (size_t j = 0; j < c->n_feature_order; j++) {
        const char *name = c->feature_order[j];
        for (uint32_t i = name_hash(name) & (uint32_t)(cap - 1); slot[i]; i = (i + 1) & (uint32_t)(cap - 1)) {
            uint32_t k = slot[i] - 1;
            if (!used[k] && !strcmp(ve->features[k].what, name)) {
                used[k] = 1;
                ve->by_name[m++] = &ve->features[k];
                break;
            }
        }
    }
    if (n - m > 16)
        return 0;
    for (size_t k = 0; k < n; k++) {   /* the names the last version lacked, by insertion */
        if (used[k])
            continue;
        insert_by_name(ve->by_name, m++, &ve->features[k]);
    }
    return by_name_sorted(ve, n);
}

/* Sorts the features by name. Most versions of a crate declare nearly the same features
 * (web-sys 1,245 of them), in an order of their own: the last sorted version's order is tried
 * first, and kept when it proves sorted (the one order qsort gives). */
static int sort_features(builder *b, version_entry *ve)
{
    size_t n = ve->n_features;
    crate_entry *c = ve->crate_id < b->crates.len ? &b->crates.items[ve->crate_id] : NULL;
    ve->n_sorted = n;
    if (n < 2) {
        if (n)
            ve->by_name[0] = &ve->features[0];
        return VSOLVE_OK;
    }
    if (!c || n < 32)  {
        for (size_t k = 0; k < n; k++)
            ve->by_name[k] = &ve->features[k];
        qsort(ve->by_name, n, sizeof *ve->by_name, by_what);
        return VSOLVE_OK;
    }
    if (c->feature_order && sort_like_last(b, ve, c))
        return VSOLVE_OK;
    for (size_t k = 0; k < n; k++)
        ve->by_name[k] = &ve->features[k];
    qsort(ve->by_name, n, sizeof *ve->by_name, by_what);
    if (!c->feature_order || c->n_feature_order < n) {
        c->feature_order = arena_alloc(&b->pb->mem, n * sizeof *c->feature_order);
        if (!c->feature_order)
            return VSOLVE_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        c->feature_order[k] = ve->by_name[k]->what;
    c->n_feature_order = n;
    return VSOLVE_OK;
}

/* The features from index `from` on were appended to sorted ones: inserts them by name (the
 * same order as sorting them all), or sorts them all when there are many. */
static int sort_appended(builder *b, version_entry *ve, size_t from)
{
    size_t n = ve->n_features;
    if (n - from > 16)
        return sort_features(b, ve);
    for (size_t k = from; k < n; k++)
        insert_by_name(ve->by_name, k, &ve->features[k]);
    ve->n_sorted = n;
    return VSOLVE_OK;
}

static const cargo_node *feature_node(const version_entry *ve, const char *f)
{
    size_t lo = 0, hi = ve->n_sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ve->by_name[mid]->what, f);
        if (c == 0)
            return ve->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Did discovery reach this feature or optional dependency of ve's crate (any version)? The
 * root's and the members' are all part of the request. Nodes are made only for what is
 * reached: the clauses of reached nodes name no other (see discover), so the request's cone is
 * the same, and the many features nothing asks for cost nothing. *names: where the node's
 * name is kept for the crate's other versions, or NULL. */
static int node_reached(const builder *b, const version_entry *ve, reach_kind kind, const char *name, name_cache **names)
{
    *names = NULL;
    if (is_top(ve) || ve->crate_id == UINT32_MAX)
        return 1;
    reached *r = find_reach(b, ve->crate_id, kind, name);
    if (r && !strcmp(r->name, name))
        *names = &r->node;
    return r != NULL;
}

static int make_nodes(builder *b, version_entry *ve, const char *crate)
{
    arena *a = &b->pb->mem;
    const cargo_version *v = ve->v;
    crate_entry *c = ve->crate_id < b->crates.len ? &b->crates.items[ve->crate_id] : NULL;
    if (c && !c->base) {
        if (!(c->base = arena_alloc(a, sizeof *c->base)))
            return VSOLVE_ENOMEM;
        *c->base = (name_cache){ NULL, 0 };
    }
    ve->base = (cargo_node){ NODE_CRATE, crate, v, NULL, VS_NONE, ve, NULL, c ? c->base : NULL };
    ve->vers_str = UINT32_MAX;
    ve->base_run = UINT32_MAX;
    /* optional dependencies, by distinct name */
    size_t cap = v->n_features + v->n_deps + 1;
    ve->optionals = arena_alloc(a, (v->n_deps ? v->n_deps : 1) * sizeof *ve->optionals);
    ve->features = arena_alloc(a, cap * sizeof *ve->features);
    ve->by_name = arena_alloc(a, cap * sizeof *ve->by_name);
    if (!ve->optionals || !ve->features || !ve->by_name)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < v->n_deps; i++) {
        const cargo_dep *d = &v->deps[i];
        name_cache *names;
        if (!d->optional || !uses_dep(d, is_top(ve)) || !node_reached(b, ve, REACH_OPTIONAL, d->name, &names))
            continue;
        int seen = 0;
        for (size_t k = 0; k < ve->n_optionals && !seen; k++)
            seen = !strcmp(ve->optionals[k].what, d->name);
        if (!seen)
            ve->optionals[ve->n_optionals++] = (cargo_node){ NODE_OPTIONAL, crate, v, d->name, VS_NONE, ve, NULL, names };
    }
    /* the declared features, a name declared twice (features and features2) kept once, first */
    name_cache *names;
    for (size_t f = 0; f < v->n_features; f++)
        if (node_reached(b, ve, REACH_FEATURE, v->features[f].name, &names))
            ve->features[ve->n_features++] = (cargo_node){ NODE_FEATURE, crate, v, v->features[f].name, VS_NONE, ve, &v->features[f],
                                                           names };
    if (sort_features(b, ve) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    for (size_t k = 1, first = 0; k < ve->n_features; k++) {
        if (!strcmp(ve->by_name[k]->what, ve->by_name[first]->what))
            ((cargo_node *)ve->by_name[k])->what = NULL;
        else
            first = k;
    }
    size_t kept = 0;
    for (size_t k = 0; k < ve->n_features; k++)
        if (ve->features[k].what)
            ve->features[kept++] = ve->features[k];
    if (kept != ve->n_features) {   /* a name was declared twice: by_name points at moved nodes */
        ve->n_features = kept;
        if (sort_features(b, ve) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    }
    size_t declared = ve->n_features;
    /* (a declared feature reached is among the nodes: one not found is undeclared or unreached) */
    if (!feature_node(ve, "default") && node_reached(b, ve, REACH_FEATURE, "default", &names))
        ve->features[ve->n_features++] = (cargo_node){ NODE_FEATURE, crate, v, "default", VS_NONE, ve, NULL, names };
    for (size_t k = 0; k < ve->n_optionals; k++) {   /* implicit features of optional dependencies */
        const char *d = ve->optionals[k].what;
        int exists = feature_node(ve, d) != NULL || !strcmp(d, "default");
        if (!exists && node_reached(b, ve, REACH_FEATURE, d, &names) && !has_dep_prefix(v, d))
            ve->features[ve->n_features++] = (cargo_node){ NODE_FEATURE, crate, v, d, VS_NONE, ve, NULL, names };
    }
    return ve->n_features != declared ? sort_appended(b, ve, declared) : VSOLVE_OK;
}

/* Compares rust versions "1.65" / "1.70.0" numerically, part by part (missing parts are 0). */
int cargo_rust_version_cmp(const char *a, const char *b)
{
    for (int part = 0; part < 3; part++) {
        unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (*a == '.')
            a++;
        if (*b == '.')
            b++;
    }
    return 0;
}

static int add_node(builder *b, cargo_node *n)
{
    vs_universe *u = &b->pb->u;
    uint32_t flags = n->kind == NODE_CRATE ? 0 : VS_PKG_VIRTUAL;
    if (n->kind == NODE_CRATE && ((n->v->yanked && !n->entry->locked) || n->entry->dead))
        flags |= VS_PKG_UNAVAILABLE;
    if (n->kind == NODE_CRATE && b->msrv && n->v->rust_version && cargo_rust_version_cmp(n->v->rust_version, b->msrv) > 0)
        flags |= VS_PKG_AVOID;
    uint32_t ns;
    if (n->names && n->names->crate && !strcmp(n->names->crate, n->crate)) {
        ns = n->names->id;
    } else {   /* first met */
        char name[512];
        join(name, sizeof name, (const char *[]){ n->crate, n->kind == NODE_CRATE ? NULL : n->kind == NODE_FEATURE ? "#" : "?",
                                                 n->what, NULL });
        ns = universe_intern(u, name, strlen(name));
        if (n->names && ns != UINT32_MAX)
            *n->names = (name_cache){ n->crate, ns };
    }
    if (n->entry->vers_str == UINT32_MAX)   /* once per version, not per node */
        n->entry->vers_str = universe_intern(u, n->v->vers, strlen(n->v->vers));
    uint32_t vs = n->entry->vers_str;
    if (ns == UINT32_MAX || vs == UINT32_MAX)
        return VSOLVE_ENOMEM;
    return universe_add_package(u, ns, vs, flags, n);
}

/* "MAJOR.MINOR.PATCH" with plain numbers (no leading zero, no pre-release or build part)? */
static int plain_triple(const char *s, uint64_t out[3])
{
    for (int part = 0; part < 3; part++) {
        if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
            return 0;
        uint64_t n = 0;
        int digits = 0;
        for (; *s >= '0' && *s <= '9'; s++, digits++)
            n = n * 10 + (uint64_t)(*s - '0');
        if (digits > 18 || *s != (part < 2 ? '.' : '\0'))
            return 0;
        out[part] = n;
        s++;
    }
    return 1;
}

int cargo_version_order(const char *a, const char *b)
{
    uint64_t x3[3], y3[3];
    if (plain_triple(a, x3) && plain_triple(b, y3)) {   /* the common case, without semver_parse */
        for (int i = 0; i < 3; i++)
            if (x3[i] != y3[i])
                return x3[i] < y3[i] ? -1 : 1;
        return 0;
    }
    semver_version x, y;
    char why[8];
    int ax = semver_parse(a, strlen(a), &x, why, sizeof why), by = semver_parse(b, strlen(b), &y, why, sizeof why);
    if (ax || by)
        return ax != by ? (ax ? -1 : 1) : strcmp(a, b);
    return semver_compare(&x, &y);
}

/* ---- clauses ------------------------------------------------------------------------------- */


static const cargo_node *optional_node(const version_entry *ve, const char *d)
{
    for (size_t k = 0; k < ve->n_optionals; k++)
        if (!strcmp(ve->optionals[k].what, d))
            return &ve->optionals[k];
    return NULL;
}

/* Does ve have every feature dependency d asks for? */
static int has_features(const version_entry *ve, const cargo_dep *d)
{
    for (size_t f = 0; f < d->n_features; f++)
        if (!feature_node(ve, d->features[f]))
            return 0;
    return 1;
}

static int compute_providers(builder *b, const cargo_dep *d, const char *feature, u32_vec *out);

/* Providers for dependency d: its matching candidates that have every feature d asks for, as
 * their base nodes (feature NULL) or as the given feature's nodes. Computed once per distinct
 * dependency line. */
static int providers(builder *b, const cargo_dep *d, const char *feature, u32_vec *out)
{
    char key[2048];
    size_t n = 0;
    const char *parts[3] = { d->package, d->req_text, feature ? feature : "" };
    for (size_t i = 0; i < 3 + d->n_features; i++) {   /* parts joined by \x01 */
        const char *part = i < 3 ? parts[i] : d->features[i - 3];
        size_t len = strlen(part);
        if (n + len + 1 >= sizeof key)
            return compute_providers(b, d, feature, out);   /* too long to cache: compute */
        memcpy(key + n, part, len);
        n += len;
        key[n++] = '\x01';
    }
    uint32_t id = strpool_intern(&b->provider_keys, key, n);
    if (id == UINT32_MAX)
        return VSOLVE_ENOMEM;
    if (id < b->provider_runs.len && b->provider_runs.items[id].count != UINT32_MAX) {
        out->len = 0;
        return vec_append(out, vec_at(&b->provider_ids, b->provider_runs.items[id].first), b->provider_runs.items[id].count)
                   ? VSOLVE_OK : VSOLVE_ENOMEM;
    }
    int rc = compute_providers(b, d, feature, out);
    if (rc != VSOLVE_OK)
        return rc;
    while (b->provider_runs.len <= id)   /* count UINT32_MAX: not computed yet */
        if (!vec_push(&b->provider_runs, ((provider_run){ 0, UINT32_MAX })))
            return VSOLVE_ENOMEM;
    b->provider_runs.items[id] = (provider_run){ (uint32_t)b->provider_ids.len, (uint32_t)out->len };
    return vec_append(&b->provider_ids, out->items, out->len) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

/* Greedy: the first candidate demand_first took for d's requirement, or NULL when it was
 * never demanded. */
static const version_entry *first_of(const builder *b, const cargo_dep *d)
{
    char key[1024];
    size_t np = strlen(d->package), nr = strlen(d->req_text);
    if (np + nr + 1 > sizeof key)
        return NULL;
    memcpy(key, d->package, np);
    key[np] = '\x01';
    memcpy(key + np + 1, d->req_text, nr);
    uint32_t id = strpool_find(&b->demand_keys, key, np + nr + 1);
    return id < b->demand_first.len ? b->demand_first.items[id] : NULL;
}

static int compute_providers(builder *b, const cargo_dep *d, const char *feature, u32_vec *out)
{
    out->len = 0;
    if (b->greedy) {
        /* cargo's first candidate must be the preferred provider: when it lacks a feature
         * asked, the list stays empty, and the closure gives up if it needs it */
        const version_entry *first = first_of(b, d);
        if (!first || !has_features(first, d) || (feature && !feature_node(first, feature)))
            return VSOLVE_OK;
    }
    if (feature) {   /* the base providers' feature nodes: the versions are matched once per line */
        int rc = providers(b, d, NULL, out);
        size_t kept = 0;
        for (size_t i = 0; i < out->len && rc == VSOLVE_OK; i++) {
            const cargo_node *n = feature_node(b->pb->node_of_pkg[out->items[i]]->entry, feature);
            if (n)
                out->items[kept++] = n->pkg;
        }
        out->len = kept;
        return rc;
    }
    crate_entry *c = crate_of(b, d->package);
    if (!c)
        return b->err->code ? b->err->code : VSOLVE_ENOMEM;
    if (c->patch_ve && semver_req_matches(&d->req, &c->patch_ve->v->v)) {   /* the patch alone */
        const cargo_node *n = has_features(c->patch_ve, d) ? (feature ? feature_node(c->patch_ve, feature) : &c->patch_ve->base) : NULL;
        return n && !vec_push(out, n->pkg) ? VSOLVE_ENOMEM : VSOLVE_OK;
    }
    semver_range g;
    semver_req_range(&d->req, &g);
    for (size_t i = c->cand_lo; i < c->cand_hi; i++) {
        const version_entry *ve = c->candidates[i];
        if (!ve || !local_matches(c, &g, i) || !has_features(ve, d))
            continue;
        const cargo_node *n = feature ? feature_node(ve, feature) : &ve->base;
        if (n && !vec_push(out, n->pkg))
            return VSOLVE_ENOMEM;
    }
    return VSOLVE_OK;
}

static int clause(builder *b, uint32_t pkg, uint32_t cond, const char *desc, const u32_vec *prov)
{
    vs_universe *u = &b->pb->u;
    uint32_t d = universe_intern(u, desc, strlen(desc));
    if (d == UINT32_MAX)
        return VSOLVE_ENOMEM;
    int rc = cond == VS_NONE ? universe_add_clause(u, pkg, d, prov->items, prov->len)
                             : universe_add_clause_if(u, pkg, cond, d, prov->items, prov->len);
    if (rc == VSOLVE_OK && b->recording) {   /* a dependency line's clause (dep_clauses) */
        const vs_clause *c = &u->clauses.items[u->clauses.len - 1];
        if (!vec_push(&b->line_clauses, ((line_clause){ d, cond, c->first, c->count })))
            rc = VSOLVE_ENOMEM;
    }
    return rc;
}

/* Do the base nodes in prov lie in more than one semver-compatible range? */
static int spans_slots(const cargo_problem *pb, const u32_vec *prov)
{
    for (size_t i = 1; i < prov->len; i++)
        if (!semver_same_slot(&pb->node_of_pkg[prov->items[0]]->v->v, &pb->node_of_pkg[prov->items[i]]->v->v))
            return 1;
    return 0;
}

/* When a requirement spans several semver-compatible ranges (">= 0.8, < 0.17"), two versions
 * could otherwise serve the dependency and its features separately: the features are then asked
 * of the matching version the dependency uses, the newest installed (pkg and W imply W#f, or a
 * newer matching version). A version installed for another dependent in an older range gets no
 * feature of this one (traverse's `num` 0.2.0 with default features beside chrono's `num ^0.1`
 * 0.1.42 without). The greedy build keeps "pkg and W imply W#f": its closure gives up where two
 * matching versions are installed, and it takes each clause's providers of one name. */
static int newer_matching(const builder *b, const u32_vec *base, uint32_t w, u32_vec *prov)
{
    if (b->greedy)
        return VSOLVE_OK;
    for (size_t k = 0; k < base->len; k++)
        if (base->items[k] > w && !vec_push(prov, base->items[k]))
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

static int features_of_each(builder *b, uint32_t pkg, const cargo_dep *d, const u32_vec *base, u32_vec *prov)
{
    char desc[600];
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < base->len && rc == VSOLVE_OK; i++) {
        const version_entry *ve = b->pb->node_of_pkg[base->items[i]]->entry;
        for (size_t f = 0; f <= d->n_features && rc == VSOLVE_OK; f++) {
            const char *feat = f < d->n_features ? d->features[f] : (d->default_features ? "default" : NULL);
            const cargo_node *fn = feat ? feature_node(ve, feat) : NULL;
            if (!fn)
                continue;
            join(desc, sizeof desc, (const char *[]){ d->package, " ", d->req_text, " with feature ", feat, NULL });
            prov->len = 0;
            if (!vec_push(prov, fn->pkg) || newer_matching(b, base, base->items[i], prov) != VSOLVE_OK)
                return VSOLVE_ENOMEM;
            rc = clause(b, pkg, base->items[i], desc, prov);
        }
    }
    return rc;
}

/* The clauses for using dependency d from node pkg. */
static int line_clauses(builder *b, uint32_t pkg, const cargo_dep *d, u32_vec *prov)
{
    char desc[600];
    join(desc, sizeof desc, (const char *[]){ d->package, " ", d->req_text, NULL });
    int rc = providers(b, d, NULL, prov);
    if (rc == VSOLVE_OK)
        rc = clause(b, pkg, VS_NONE, desc, prov);
    if (rc == VSOLVE_OK && spans_slots(b->pb, prov)) {
        u32_vec base = { 0 };
        if (!vec_append(&base, prov->items, prov->len))
            return VSOLVE_ENOMEM;
        rc = features_of_each(b, pkg, d, &base, prov);
        vec_free(&base);
        return rc;
    }
    if (rc == VSOLVE_OK && d->default_features) {
        join(desc, sizeof desc, (const char *[]){ d->package, " ", d->req_text, " with default features", NULL });
        rc = providers(b, d, "default", prov);
        if (rc == VSOLVE_OK)
            rc = clause(b, pkg, VS_NONE, desc, prov);
    }
    for (size_t f = 0; f < d->n_features && rc == VSOLVE_OK; f++) {
        join(desc, sizeof desc, (const char *[]){ d->package, " ", d->req_text, " with feature ", d->features[f], NULL });
        rc = providers(b, d, d->features[f], prov);
        if (rc == VSOLVE_OK)
            rc = clause(b, pkg, VS_NONE, desc, prov);
    }
    return rc;
}

/* line_clauses for node pkg, computed once per dependency line (their texts and providers
 * depend on nothing else) and then added again as they were. line: d's, or UINT32_MAX. */
static int dep_clauses(builder *b, uint32_t pkg, const cargo_dep *d, uint32_t line, u32_vec *prov)
{
    int rc = VSOLVE_OK;
    if (line == UINT32_MAX && (line = dep_line_of(b, d, &rc)) == UINT32_MAX && rc != VSOLVE_OK)
        return rc;
    if (line == UINT32_MAX)
        return line_clauses(b, pkg, d, prov);
    vs_universe *u = &b->pb->u;
    dep_line *l = &b->lines.items[line];
    if (l->count == UINT32_MAX) {   /* first met: computed, and recorded by clause() */
        size_t first = b->line_clauses.len;
        b->recording = 1;
        rc = line_clauses(b, pkg, d, prov);
        b->recording = 0;
        l = &b->lines.items[line];
        if (rc == VSOLVE_OK)
            *l = (dep_line){ l->followed, (uint32_t)first, (uint32_t)(b->line_clauses.len - first) };
        return rc;
    }
    for (uint32_t k = 0; k < l->count && rc == VSOLVE_OK; k++) {
        const line_clause *c = &b->line_clauses.items[l->first + k];
        if (c->count)
            rc = universe_add_clause_run(u, pkg, c->cond, c->desc, c->first, c->count);
        else
            rc = c->cond == VS_NONE ? universe_add_clause(u, pkg, c->desc, NULL, 0)
                                    : universe_add_clause_if(u, pkg, c->cond, c->desc, NULL, 0);
    }
    return rc;
}

/* One item of a feature's list, for feature node fn of ve. */
static int feature_item(builder *b, const version_entry *ve, const cargo_node *fn, const char *item, u32_vec *prov)
{
    const cargo_version *v = ve->v;
    char desc[600];
    if (!strncmp(item, "dep:", 4)) {
        const cargo_node *on = optional_node(ve, item + 4);
        if (!on)
            return VSOLVE_OK;   /* cargo rejects such a crate at publish time; nothing to enable */
        prov->len = 0;
        vec_push(prov, on->pkg);
        join(desc, sizeof desc, (const char *[]){ "optional dependency ", item + 4, NULL });
        return clause(b, fn->pkg, VS_NONE, desc, prov);
    }
    const char *slash = strchr(item, '/');
    if (!slash) {
        const cargo_node *g = feature_node(ve, item);
        if (!g || g == fn)
            return VSOLVE_OK;
        prov->len = 0;
        vec_push(prov, g->pkg);
        join(desc, sizeof desc, (const char *[]){ "feature ", item, NULL });
        return clause(b, fn->pkg, VS_NONE, desc, prov);
    }
    char dep[256];
    size_t dl = (size_t)(slash - item);
    if (dl > 0 && item[dl - 1] == '?')   /* weak: resolved like a strong one (see the top) */
        dl--;
    if (dl >= sizeof dep)
        return VSOLVE_OK;
    memcpy(dep, item, dl);
    dep[dl] = '\0';
    const char *feat = slash + 1;
    const cargo_node *on = optional_node(ve, dep);
    int rc = VSOLVE_OK;
    if (on) {   /* "d/x" turns the optional dependency on */
        prov->len = 0;
        vec_push(prov, on->pkg);
        join(desc, sizeof desc, (const char *[]){ "optional dependency ", dep, NULL });
        rc = clause(b, fn->pkg, VS_NONE, desc, prov);
    }
    for (size_t i = 0; i < v->n_deps && rc == VSOLVE_OK; i++) {
        const cargo_dep *d = &v->deps[i];
        if (strcmp(d->name, dep) != 0 || !uses_dep(d, is_top(ve)))
            continue;
        join(desc, sizeof desc, (const char *[]){ d->package, " ", d->req_text, " with feature ", feat, NULL });
        rc = providers(b, d, feat, prov);
        if (rc == VSOLVE_OK)
            rc = clause(b, fn->pkg, VS_NONE, desc, prov);
    }
    return rc;
}

/* The clause of a feature or optional dependency node pkg of ve: "its crate", ve itself (the
 * text interned once, the run of one provider stored once per version). */
static int its_crate(builder *b, version_entry *ve, uint32_t pkg)
{
    vs_universe *u = &b->pb->u;
    if (ve->base_run != UINT32_MAX)
        return universe_add_clause_run(u, pkg, VS_NONE, b->its_crate, ve->base_run, 1);
    if (b->its_crate == UINT32_MAX && (b->its_crate = universe_intern(u, "its crate", strlen("its crate"))) == UINT32_MAX)
        return VSOLVE_ENOMEM;
    int rc = universe_add_clause(u, pkg, b->its_crate, &ve->base.pkg, 1);
    if (rc == VSOLVE_OK)
        ve->base_run = u->clauses.items[u->clauses.len - 1].first;
    return rc;
}

static int entry_clauses(builder *b, version_entry *ve, u32_vec *prov)
{
    const cargo_version *v = ve->v;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < v->n_deps && rc == VSOLVE_OK; i++) {
        const cargo_dep *d = &v->deps[i];
        if (uses_dep(d, is_top(ve)) && !d->optional)
            rc = dep_clauses(b, ve->base.pkg, d, ve->dep_lines[i], prov);
    }
    for (size_t k = 0; k < ve->n_optionals && rc == VSOLVE_OK; k++) {
        cargo_node *on = &ve->optionals[k];
        rc = its_crate(b, ve, on->pkg);
        for (size_t i = 0; i < v->n_deps && rc == VSOLVE_OK; i++) {
            const cargo_dep *d = &v->deps[i];
            if (d->optional && uses_dep(d, is_top(ve)) && !strcmp(d->name, on->what))
                rc = dep_clauses(b, on->pkg, d, ve->dep_lines[i], prov);
        }
    }
    for (size_t k = 0; k < ve->n_features && rc == VSOLVE_OK; k++) {
        cargo_node *fn = &ve->features[k];
        rc = its_crate(b, ve, fn->pkg);
        const cargo_feature *decl = fn->decl;
        if (decl) {
            for (size_t i = 0; i < decl->n_items && rc == VSOLVE_OK; i++)
                rc = feature_item(b, ve, fn, decl->items[i], prov);
        } else {
            const cargo_node *on = optional_node(ve, fn->what);   /* implicit feature */
            if (on) {
                prov->len = 0;
                vec_push(prov, on->pkg);
                rc = clause(b, fn->pkg, VS_NONE, "optional dependency", prov);
            }
        }
    }
    return rc;
}

/* ---- groups: slots and links ---------------------------------------------------------------- */

static int add_groups(builder *b)
{
    vs_universe *u = &b->pb->u;
    u32_vec members = { 0 };
    int rc = VSOLVE_OK;
    for (size_t c = 0; c < b->crates.len && rc == VSOLVE_OK; c++) {
        const crate_entry *ce = &b->crates.items[c];
        if (!ce->crate)
            continue;
        /* candidates sorted by version: walk the universe's versions of the crate */
        uint32_t name = universe_find_name(u, ce->name);
        if (name == VS_NONE)
            continue;
        uint32_t first, count;
        universe_name_pkgs(u, name, &first, &count);
        for (uint32_t j = 0; j < count && rc == VSOLVE_OK;) {
            char slot[64];
            const cargo_node *n = b->pb->node_of_pkg[first + j];
            members.len = 0;
            uint32_t k = j;
            for (; k < count; k++) {
                if (!semver_same_slot(&n->v->v, &b->pb->node_of_pkg[first + k]->v->v))
                    break;
                if (!vec_push(&members, first + k))
                    rc = VSOLVE_ENOMEM;
            }
            if (rc == VSOLVE_OK && members.len) {
                semver_slot(&n->v->v, slot, sizeof slot);
                char desc[300];
                snprintf(desc, sizeof desc, "%s %s.x: one version per semver-compatible range", ce->name, slot);
                uint32_t d = universe_intern(u, desc, strlen(desc));
                rc = d == UINT32_MAX ? VSOLVE_ENOMEM : universe_add_slot(u, d, members.items, members.len, NULL);
            }
            j = k;
        }
    }
    /* links: at most one package per native library */
    for (size_t i = 0; i < b->all.len && rc == VSOLVE_OK; i++) {
        const char *links = b->all.items[i]->v->links;
        if (!links)
            continue;
        int first_seen = 1;
        for (size_t k = 0; k < i && first_seen; k++)
            first_seen = !(b->all.items[k]->v->links && !strcmp(b->all.items[k]->v->links, links));
        if (!first_seen)
            continue;
        members.len = 0;
        for (size_t k = i; k < b->all.len; k++)
            if (b->all.items[k]->v->links && !strcmp(b->all.items[k]->v->links, links) && !vec_push(&members, b->all.items[k]->base.pkg))
                rc = VSOLVE_ENOMEM;
        char desc[300];
        snprintf(desc, sizeof desc, "links = \"%s\": one package per native library", links);
        uint32_t d = universe_intern(u, desc, strlen(desc));
        if (rc == VSOLVE_OK && members.len > 1)
            rc = d == UINT32_MAX ? VSOLVE_ENOMEM : universe_add_group(u, d, members.items, members.len, NULL);
    }
    vec_free(&members);
    return rc;
}

/* ---- attributes and owners ------------------------------------------------------------------ */

/* What Cargo.lock needs of each crate version (attr.h): its source and checksum; of the root,
 * its rust-version (a free key "rust-version": it decides the lock's format). */
/* One package's attributes, interned in the order they are met and added sorted by key (as
 * attrs_finish's stable sort would put them), so that the store needs no sorting. */
typedef struct pkg_attrs {
    vs_attrs *a;
    uint32_t key[8], value[8];
    size_t n;
} pkg_attrs;

static int pkg_attr(pkg_attrs *pa, uint32_t key, const char *value, uint32_t *cached)
{
    uint32_t v = cached && *cached != UINT32_MAX ? *cached : strpool_intern(&pa->a->strings, value, strlen(value));
    if (v == UINT32_MAX || key == UINT32_MAX)
        return VSOLVE_ENOMEM;
    if (cached)
        *cached = v;
    size_t i = pa->n++;
    for (; i > 0 && pa->key[i - 1] > key; i--) {   /* stable: after equal keys */
        pa->key[i] = pa->key[i - 1];
        pa->value[i] = pa->value[i - 1];
    }
    pa->key[i] = key;
    pa->value[i] = v;
    return VSOLVE_OK;
}

static int record_attrs(cargo_problem *pb, const char *source_url)
{
    vs_universe *u = &pb->u;
    char source[1024];
    snprintf(source, sizeof source, "registry+%s", source_url ? source_url : CARGO_CRATES_IO_INDEX);
    uint32_t source_id = UINT32_MAX;   /* interned when first met, as attrs_add would */
    uint32_t rust_key = attrs_key(&u->attrs, "rust-version");
    int rc = rust_key == UINT32_MAX ? VSOLVE_ENOMEM : VSOLVE_OK;
    for (uint32_t p = 0; p < u->pkgs.len && rc == VSOLVE_OK; p++) {
        const cargo_node *n = pb->node_of_pkg[p];
        if (n->kind != NODE_CRATE)
            continue;
        pkg_attrs pa = { &u->attrs, { 0 }, { 0 }, 0 };
        if (is_top(n->entry) && n->v->rust_version)   /* the lowest of the workspace decides */
            rc = pkg_attr(&pa, rust_key, n->v->rust_version, NULL);
        if (rc == VSOLVE_OK && n->entry->is_patch)       /* [[patch.unused]] when not chosen */
            rc = pkg_attr(&pa, attrs_key(&u->attrs, "cargo-patch"), "crates-io", NULL);
        if (rc == VSOLVE_OK && n->entry->source)         /* a git package: its source, no checksum */
            rc = pkg_attr(&pa, VS_ATTR_CARGO_SOURCE, n->entry->source, NULL);
        if (rc == VSOLVE_OK && !n->entry->is_root && !n->entry->is_path) {
            /* a registry source and checksum (none for a path package, as cargo writes it) */
            rc = pkg_attr(&pa, VS_ATTR_CARGO_SOURCE, source, &source_id);
            if (rc == VSOLVE_OK && n->v->cksum) {
                char sum[300];
                join(sum, sizeof sum, (const char *[]){ "sha256=", n->v->cksum, NULL });
                rc = pkg_attr(&pa, VS_ATTR_CARGO_CHECKSUM, n->v->cksum, NULL);
                if (rc == VSOLVE_OK)
                    rc = pkg_attr(&pa, VS_ATTR_CHECKSUM, sum, NULL);
            }
        }
        for (size_t i = 0; i < pa.n && rc == VSOLVE_OK; i++)
            rc = attrs_add_id(&u->attrs, p, pa.key[i], pa.value[i]);
    }
    return rc == VSOLVE_OK ? attrs_finish(&u->attrs) : rc;
}

int cargo_owner_map(const cargo_problem *pb, uint32_t **out)
{
    size_t n = pb->u.pkgs.len;
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out)
        return VSOLVE_ENOMEM;
    for (size_t p = 0; p < n; p++) {
        const cargo_node *node = pb->node_of_pkg[p];
        (*out)[p] = node->kind == NODE_CRATE ? VS_NONE : node->entry->base.pkg;
    }
    return VSOLVE_OK;
}

/* The request's owner map (vs_request.owner: the crate version a feature or optional
 * dependency node belongs to), which the newest-first policy reads; in the problem's arena. */
static int attach_owner_map(cargo_problem *pb)
{
    size_t n = pb->u.pkgs.len;
    uint32_t *owner = arena_alloc_uninit(&pb->mem, (n ? n : 1) * sizeof *owner);
    if (!owner)
        return VSOLVE_ENOMEM;
    for (size_t p = 0; p < n; p++) {
        const cargo_node *node = pb->node_of_pkg[p];
        owner[p] = node->kind == NODE_CRATE ? VS_NONE : node->entry->base.pkg;
    }
    pb->req.owner = owner;
    return VSOLVE_OK;
}

/* ---- the problem ----------------------------------------------------------------------------- */

int cargo_problem_build(cargo_problem *pb, cargo_index *ix, const cargo_manifest *root, const cargo_locked *locked,
                        size_t n_locked, const cargo_options *opt, vs_error *err)
{
    memset(pb, 0, sizeof *pb);
    arena_init(&pb->mem);
    request_init(&pb->req);
    pb->req.version_runs = 1;   /* dependency lines recur over most versions of a crate */
    pb->root = root;
    builder b = { .pb = pb, .ix = ix, .err = err, .locked = locked, .n_locked = n_locked, .top = pick_top(root), .opt = opt,
                  .its_crate = UINT32_MAX };
    const cargo_manifest *top = b.top;
    if (top->rust_version && root->resolver && !strcmp(root->resolver, "3"))
        b.msrv = top->rust_version;
    int rc = universe_init(&pb->u);
    if (rc == VSOLVE_OK && !top->name)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: the workspace has no members", root->path);
    if (rc == VSOLVE_OK)
        rc = strpool_init(&b.crate_ids);
    if (rc == VSOLVE_OK)
        rc = strpool_init(&b.provider_keys);
    if (rc == VSOLVE_OK)
        rc = strpool_init(&b.reach_keys);
    if (rc == VSOLVE_OK)
        rc = strpool_init(&b.demand_keys);
    if (rc == VSOLVE_OK)
        rc = strpool_init(&b.line_keys);
    /* the root as a crate version */
    cargo_version *rv = arena_alloc(&pb->mem, sizeof *rv);
    version_entry *re = arena_alloc(&pb->mem, sizeof *re);
    if (rc == VSOLVE_OK && (!rv || !re))
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK) {
        rv->name = top->name;
        rv->vers = top->version;
        char why[256];
        if (semver_parse(rv->vers, strlen(rv->vers), &rv->v, why, sizeof why) != 0)
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: package.version \"%s\" is not a semver version: %s", top->path,
                              rv->vers, why);
        rv->deps = top->deps;
        rv->n_deps = top->n_deps;
        rv->features = top->features;
        rv->n_features = top->n_features;
        rv->links = top->links;
        rv->rust_version = top->rust_version;
        re->v = rv;
        re->is_root = 1;
        re->crate_id = UINT32_MAX;
    }
    if (rc == VSOLVE_OK)
        rc = read_members(&b, root);
    /* greedy: a plain package against the registry, no lock */
    b.greedy = opt && opt->greedy && !n_locked && !root->n_patches && !root->n_members && !b.path_crates.len &&
               !b.member_crates.len && !b.patch_crates.len && !b.top_needed;
    pb->greedy = b.greedy;
    b.first_round = b.greedy && !opt->pins && !opt->root_only;
    b.stop_at_clash = b.first_round && opt->stop_at_clash;
    b.root_only = opt && opt->root_only;
    if (rc == VSOLVE_OK)
        rc = add_candidate(&b, re);
    if (rc == VSOLVE_OK && b.top_needed)
        rc = register_top(&b, re);
    /* every member is part of the answer, reached or not */
    semver_req any;
    char why[64];
    if (rc == VSOLVE_OK && b.member_crates.len && semver_req_parse(&pb->mem, "*", 1, &any, why, sizeof why) != 0)
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK && root->n_patches && !b.member_crates.len &&
        semver_req_parse(&pb->mem, "*", 1, &any, why, sizeof why) != 0)
        rc = VSOLVE_ENOMEM;
    for (size_t i = 0; i < b.member_crates.len && rc == VSOLVE_OK; i++) {
        uint32_t cid;
        rc = demand(&b, b.member_crates.items[i]->name, &any, &cid);
    }
    /* each patch a candidate: one nobody uses is in the universe, for the lock's [[patch.unused]] */
    for (size_t i = 0; i < root->n_patches && rc == VSOLVE_OK; i++) {
        uint32_t cid;
        rc = demand(&b, root->patches[i].package, &any, &cid);
    }
    if (rc == VSOLVE_OK)
        rc = discover(&b);
    if (rc == VSOLVE_OK && b.clash[0])
        rc = links_clash(&b, b.clash[0], b.clash[1]);
    pb->index_files = cargo_index_files_read(ix);

    /* nodes, sorted into the universe */
    for (size_t i = 0; i < b.all.len && rc == VSOLVE_OK; i++) {
        version_entry *ve = b.all.items[i];
        rc = make_nodes(&b, ve, ve->is_root ? top->name : ve->v->name);
        if (rc == VSOLVE_OK)
            rc = add_node(&b, &ve->base);
        for (size_t k = 0; k < ve->n_features && rc == VSOLVE_OK; k++)
            rc = add_node(&b, &ve->features[k]);
        for (size_t k = 0; k < ve->n_optionals && rc == VSOLVE_OK; k++)
            rc = add_node(&b, &ve->optionals[k]);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(&pb->u, cargo_version_order);
    if (rc == VSOLVE_OK && !(pb->node_of_pkg = calloc(pb->u.pkgs.len ? pb->u.pkgs.len : 1, sizeof *pb->node_of_pkg)))
        rc = VSOLVE_ENOMEM;
    for (size_t p = 0; rc == VSOLVE_OK && p < pb->u.pkgs.len; p++) {
        cargo_node *n = pb->u.pkgs.items[p].user;
        n->pkg = (uint32_t)p;
        pb->node_of_pkg[p] = n;
    }
    /* a node whose name and version another node already has was dropped by the sort: only the
     * package itself can meet an index crate of its own name and version that way */
    for (size_t i = 0; i < b.all.len && rc == VSOLVE_OK; i++)
        if (b.all.items[i]->base.pkg == VS_NONE)
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: the package %s %s is also a crate of the index that it depends on",
                              top->path, top->name, top->version);
    u32_vec prov = { 0 };
    for (size_t i = 0; i < b.all.len && rc == VSOLVE_OK; i++)
        rc = entry_clauses(&b, b.all.items[i], &prov);
    if (rc == VSOLVE_OK)
        rc = record_attrs(pb, opt ? opt->source_url : NULL);
    if (rc == VSOLVE_OK)
        rc = add_groups(&b);

    /* the request: the root and its features. A lock is generated the way cargo generates
     * Cargo.lock: with every feature of the root package (and so every optional dependency of
     * it), so that the lock serves any feature selection. Otherwise the default features
     * unless turned off, and the asked ones. */
    if (rc == VSOLVE_OK && opt && opt->all_features) {
        for (size_t k = 0; k < re->n_features && rc == VSOLVE_OK; k++) {
            char desc[300];
            snprintf(desc, sizeof desc, "feature %s of %s", re->features[k].what, top->name);
            uint32_t one = re->features[k].pkg;
            rc = request_add_atom(&pb->req, universe_intern(&pb->u, desc, strlen(desc)), pb->u.pkgs.items[one].name, &one, 1);
        }
        for (size_t k = 0; k < re->n_optionals && rc == VSOLVE_OK; k++) {
            char desc[300];
            snprintf(desc, sizeof desc, "optional dependency %s of %s", re->optionals[k].what, top->name);
            uint32_t one = re->optionals[k].pkg;
            rc = request_add_atom(&pb->req, universe_intern(&pb->u, desc, strlen(desc)), pb->u.pkgs.items[one].name, &one, 1);
        }
    }
    if (rc == VSOLVE_OK) {
        uint32_t one = re->base.pkg;
        rc = request_add_atom(&pb->req, universe_intern(&pb->u, top->name, strlen(top->name)),
                              pb->u.pkgs.items[one].name, &one, 1);
    }
    for (size_t i = 0; rc == VSOLVE_OK && !(opt && opt->all_features) && i <= (opt ? opt->n_features : 0); i++) {
        const char *f = i < (opt ? opt->n_features : 0) ? opt->features[i] : "default";
        if (i == (opt ? opt->n_features : 0) && opt && opt->no_default_features)
            break;
        const cargo_node *fn = feature_node(re, f);
        if (!fn) {
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: the package %s has no feature %s", top->path, top->name, f);
            break;
        }
        char desc[300];
        snprintf(desc, sizeof desc, "feature %s of %s", f, top->name);
        uint32_t one = fn->pkg;
        rc = request_add_atom(&pb->req, universe_intern(&pb->u, desc, strlen(desc)), pb->u.pkgs.items[one].name, &one, 1);
    }
    /* the other workspace members: each with every feature (or its default ones) */
    for (size_t i = 0; i < b.all.len && rc == VSOLVE_OK; i++) {
        const version_entry *me = b.all.items[i];
        if (!me->is_member)
            continue;
        char desc[300];
        snprintf(desc, sizeof desc, "workspace member %s", me->v->name);
        uint32_t one = me->base.pkg;
        rc = request_add_atom(&pb->req, universe_intern(&pb->u, desc, strlen(desc)), pb->u.pkgs.items[one].name, &one, 1);
        for (size_t k = 0; k < me->n_features && rc == VSOLVE_OK; k++) {
            if (!(opt && opt->all_features) && strcmp(me->features[k].what, "default"))
                continue;
            snprintf(desc, sizeof desc, "feature %s of %s", me->features[k].what, me->v->name);
            one = me->features[k].pkg;
            rc = request_add_atom(&pb->req, universe_intern(&pb->u, desc, strlen(desc)), pb->u.pkgs.items[one].name, &one, 1);
        }
        for (size_t k = 0; k < me->n_optionals && rc == VSOLVE_OK && opt && opt->all_features; k++) {
            snprintf(desc, sizeof desc, "optional dependency %s of %s", me->optionals[k].what, me->v->name);
            one = me->optionals[k].pkg;
            rc = request_add_atom(&pb->req, universe_intern(&pb->u, desc, strlen(desc)), pb->u.pkgs.items[one].name, &one, 1);
        }
    }
    for (size_t i = 0; i < b.all.len && rc == VSOLVE_OK; i++)
        if (b.all.items[i]->locked)
            rc = request_keep(&pb->req, b.all.items[i]->base.pkg);
    for (size_t p = 0; p < pb->u.pkgs.len; p++)
        pb->u.pkgs.items[p].user = NULL;
    vec_free(&prov);
    vec_free(&b.crates);
    vec_free(&b.work);
    vec_free(&b.reach_work);
    vec_free(&b.all);
    strpool_free(&b.crate_ids);
    strpool_free(&b.provider_keys);
    strpool_free(&b.reach_keys);
    vec_free(&b.reach_of);
    strpool_free(&b.demand_keys);
    vec_free(&b.demand_cids);
    vec_free(&b.feature_slots);
    vec_free(&b.demand_first);
    vec_free(&b.provider_runs);
    vec_free(&b.provider_ids);
    strpool_free(&b.line_keys);
    vec_free(&b.lines);
    vec_free(&b.line_clauses);
    vec_free(&b.edges);
    vec_free(&b.links_seen);
    vec_free(&b.path_crates);
    vec_free(&b.path_sources);
    vec_free(&b.member_crates);
    vec_free(&b.patch_crates);
    if (rc == GREEDY_GIVE_UP) {
        pb->greedy_gave_up = 1;
        rc = VSOLVE_OK;
    } else if (rc == VSOLVE_OK && !b.greedy) {   /* the fast path does without the policy */
        rc = attach_owner_map(pb);
    }
    if (rc == VSOLVE_ENOMEM && err->code == VSOLVE_OK)
        vs_error_set(err, rc, "out of memory");
    return rc;
}

void cargo_problem_free(cargo_problem *pb)
{
    universe_free(&pb->u);
    request_free(&pb->req);
    free(pb->node_of_pkg);
    arena_free(&pb->mem);
    memset(pb, 0, sizeof *pb);
}

size_t cargo_rust_version_report(const cargo_problem *pb, const vs_solution *s, char *buf, size_t size)
{
    size_t n = 0;
    if (size)
        buf[0] = '\0';
    if (!pb->root->rust_version)
        return 0;
    for (size_t i = 0; i < s->pkgs.len && n + 1 < size; i++) {
        const cargo_node *node = pb->node_of_pkg[s->pkgs.items[i]];
        if (node->kind != NODE_CRATE || node->entry->is_root || !node->v->rust_version ||
            cargo_rust_version_cmp(node->v->rust_version, pb->root->rust_version) <= 0)
            continue;
        int w = snprintf(buf + n, size - n, "%s%s %s (%s)", n ? ", " : "crates needing a newer Rust than the package's rust-version: ",
                         node->crate, node->v->vers, node->v->rust_version);
        if (w < 0)
            break;
        n += (size_t)w < size - n ? (size_t)w : size - n - 1;
    }
    return n;
}
