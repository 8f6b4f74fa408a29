/* universe.c: building and querying the package universe. */
#include "universe.h"
#include <stdlib.h>
#include <string.h>
#include "runset.h"
#include "vsolve.h"

int universe_init(vs_universe *u)
{
    memset(u, 0, sizeof *u);
    u->building_pkg = -1;
    if (attrs_init(&u->attrs) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    return strpool_init(&u->strings);
}

void universe_free(vs_universe *u)
{
    strpool_free(&u->strings);
    vec_free(&u->pkgs);
    vec_free(&u->names);
    vec_free(&u->clauses);
    vec_free(&u->groups);
    vec_free(&u->ids);
    free(u->name_of_str);
    free(u->run_table);
    universe_pending_free(u->pending);
    attrs_free(&u->attrs);
    memset(u, 0, sizeof *u);
}

void universe_pending_free(vs_pending_clauses *p)
{
    if (!p)
        return;
    if (p->free_source)
        p->free_source(p->source);
    free(p->name_end);
    free(p->clause_end);
    free(p->loaded);
    free(p->checked);
    free(p);
}

static int load_chunk(vs_universe *u, uint32_t chunk, vs_error *err)
{
    vs_pending_clauses *p = u->pending;
    if (p->loaded[chunk])
        return VSOLVE_OK;
    if (!p->load)
        return vs_error_set(err, VSOLVE_EBADINPUT, "the universe's clauses were not read and have no source");
    int rc = p->load(p->source, u, chunk, err);
    if (rc == VSOLVE_OK)
        p->loaded[chunk] = 1;
    return rc;
}

int universe_need_versions(vs_universe *u, uint32_t name, vs_error *err)
{
    vs_pending_clauses *p = u->pending;
    if (!p || !p->check_name || name >= u->names.len || p->checked[name])
        return VSOLVE_OK;
    int rc = p->check_name(p->source, u, name, err);
    if (rc == VSOLVE_OK)
        p->checked[name] = 1;
    return rc;
}

int universe_need_name(vs_universe *u, uint32_t name, vs_error *err)
{
    if (!u->pending || name >= u->names.len)
        return VSOLVE_OK;
    int rc = universe_need_versions(u, name, err);
    if (rc != VSOLVE_OK)
        return rc;
    uint32_t lo = 0, hi = u->pending->n_chunks;   /* the first chunk whose name_end > name */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (u->pending->name_end[mid] > name)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < u->pending->n_chunks ? load_chunk(u, lo, err) : VSOLVE_OK;
}

int universe_need_descs(vs_universe *u, vs_error *err)
{
    vs_pending_clauses *p = u->pending;
    if (!p || p->descs_loaded)
        return VSOLVE_OK;
    if (!p->load_descs)
        return vs_error_set(err, VSOLVE_EBADINPUT, "the universe's clause descriptions were not read and have no source");
    int rc = p->load_descs(p->source, u, err);
    if (rc == VSOLVE_OK)
        p->descs_loaded = 1;
    return rc;
}

int universe_need_all(vs_universe *u, vs_error *err)
{
    if (!u->pending)
        return VSOLVE_OK;
    int rc = universe_need_descs(u, err);
    for (uint32_t n = 0; n < u->names.len && rc == VSOLVE_OK; n++)
        rc = universe_need_versions(u, n, err);
    for (uint32_t c = 0; c < u->pending->n_chunks && rc == VSOLVE_OK; c++)
        rc = load_chunk(u, c, err);
    if (rc != VSOLVE_OK)
        return rc;
    universe_pending_free(u->pending);
    u->pending = NULL;
    return VSOLVE_OK;
}

static int push_unseen(u32_vec *queue, unsigned char *seen, uint32_t pkg)
{
    if (seen[pkg])
        return 1;
    seen[pkg] = 1;
    return vec_push(queue, pkg) != 0;
}

int universe_need_cone(vs_universe *u, const uint32_t *start, size_t n, vs_error *err)
{
    if (!u->pending)
        return VSOLVE_OK;
    unsigned char *seen = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    u32_vec queue = { 0 };
    runset scanned;   /* a run of providers shared by several clauses is pushed once */
    runset_init(&scanned);
    int rc = seen ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++)
        if (start[i] < u->pkgs.len && !push_unseen(&queue, seen, start[i]))
            rc = VSOLVE_ENOMEM;
    for (size_t head = 0; head < queue.len && rc == VSOLVE_OK; head++) {
        const vs_pkg *p = &u->pkgs.items[queue.items[head]];
        if (p->flags & VS_PKG_UNAVAILABLE) {   /* never in a cone: its clauses are never read */
            rc = universe_need_versions(u, p->name, err);
            continue;
        }
        rc = universe_need_name(u, p->name, err);
        uint32_t ranges[2][2] = { { p->clause_first, p->clause_count }, { p->root_clause_first, p->root_clause_count } };
        for (int r = 0; r < 2 && rc == VSOLVE_OK; r++)
            for (uint32_t c = 0; c < ranges[r][1] && rc == VSOLVE_OK; c++) {
                const vs_clause *cl = &u->clauses.items[ranges[r][0] + c];
                int fresh = runset_add(&scanned, cl->first, cl->count);
                if (fresh < 0)
                    rc = VSOLVE_ENOMEM;
                for (uint32_t j = 0; fresh > 0 && j < cl->count && rc == VSOLVE_OK; j++)
                    if (!push_unseen(&queue, seen, u->ids.items[cl->first + j]))
                        rc = VSOLVE_ENOMEM;
            }
    }
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(err, rc, "out of memory");
    runset_free(&scanned);
    free(seen);
    vec_free(&queue);
    return rc;
}

int universe_add_package(vs_universe *u, uint32_t name_str, uint32_t version_str, uint32_t flags, void *user)
{
    vs_pkg p = { .name = name_str, .version = version_str, .flags = flags, .slot = VS_NONE, .user = user };
    return vec_push(&u->pkgs, p) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

/* qsort has no context argument in C11: a merge sort of the strings instead. The packages are
 * ordered by integer ranks: every distinct name string ranked once by strcmp, every distinct version string
 * once by the ecosystem's comparator (versions equal under it share a rank), so that the
 * comparator runs on distinct strings only, not on every pair of packages compared. */
typedef struct sort_ctx {
    const vs_universe *u;
    int (*cmp)(const char *, const char *);
    const uint32_t *name_rank, *version_rank;   /* string id -> rank */
} sort_ctx;

static int str_order(const sort_ctx *c, uint32_t a, uint32_t b, int names)
{
    const char *x = universe_str(c->u, a), *y = universe_str(c->u, b);
    return names ? strcmp(x, y) : c->cmp(x, y);
}

/* Sorts string ids (stable) by strcmp (names) or the comparator. */
static void sort_strs(const sort_ctx *c, uint32_t *a, uint32_t *tmp, size_t n, int names)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_strs(c, a, tmp, h, names);
    sort_strs(c, a + h, tmp, n - h, names);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = str_order(c, a[j], a[i], names) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

/* rank[id] for every string id that some package uses as its name (names = 1) or version. */
static int rank_strs(const sort_ctx *c, uint32_t *rank, size_t n_strs, int names)
{
    const vs_universe *u = c->u;
    uint32_t *ids = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *ids);
    uint32_t *tmp = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *tmp);
    if (!ids || !tmp) {
        free(ids);
        free(tmp);
        return VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < n_strs; i++)
        rank[i] = UINT32_MAX;
    size_t n = 0;
    for (size_t i = 0; i < u->pkgs.len; i++) {
        uint32_t id = names ? u->pkgs.items[i].name : u->pkgs.items[i].version;
        if (rank[id] == UINT32_MAX) {
            rank[id] = 0;
            ids[n++] = id;
        }
    }
    sort_strs(c, ids, tmp, n, names);
    uint32_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && str_order(c, ids[i - 1], ids[i], names) != 0)
            r++;
        rank[ids[i]] = r;
    }
    free(ids);
    free(tmp);
    return VSOLVE_OK;
}

static int pkg_order(const sort_ctx *c, const vs_pkg *a, const vs_pkg *b)
{
    uint32_t x = c->name_rank[a->name], y = c->name_rank[b->name];
    if (x != y)
        return x < y ? -1 : 1;
    x = c->version_rank[a->version];
    y = c->version_rank[b->version];
    return x != y ? (x < y ? -1 : 1) : 0;
}

/* Stable counting sort of the indices idx[0..n) by key[idx], keys below range. */
static int counting_sort(uint32_t *idx, uint32_t *tmp, size_t n, const uint32_t *key, size_t range)
{
    uint32_t *count = calloc(range + 1, sizeof *count);
    if (!count)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        count[key[idx[i]] + 1]++;
    for (size_t r = 0; r < range; r++)
        count[r + 1] += count[r];
    for (size_t i = 0; i < n; i++)
        tmp[count[key[idx[i]]]++] = idx[i];
    memcpy(idx, tmp, n * sizeof *idx);
    free(count);
    return VSOLVE_OK;
}

/* Orders the packages by (name rank, version rank), stably (packages equal on both keep the
 * order they were added in): two counting sorts of their indices, by version then by name,
 * then one move of each package. Ranks are below the number of packages. */
static int sort_pkgs(const sort_ctx *c, vs_pkg *a, vs_pkg *tmp, size_t n)
{
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx), *idx_tmp = malloc((n ? n : 1) * sizeof *idx_tmp);
    uint32_t *nkey = malloc((n ? n : 1) * sizeof *nkey), *vkey = malloc((n ? n : 1) * sizeof *vkey);
    int rc = idx && idx_tmp && nkey && vkey ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (size_t i = 0; rc == VSOLVE_OK && i < n; i++) {
        idx[i] = (uint32_t)i;
        nkey[i] = c->name_rank[a[i].name];
        vkey[i] = c->version_rank[a[i].version];
    }
    if (rc == VSOLVE_OK)
        rc = counting_sort(idx, idx_tmp, n, vkey, n);
    if (rc == VSOLVE_OK)
        rc = counting_sort(idx, idx_tmp, n, nkey, n);
    if (rc == VSOLVE_OK) {
        for (size_t i = 0; i < n; i++)
            tmp[i] = a[idx[i]];
        if (n)
            memcpy(a, tmp, n * sizeof *a);
    }
    free(idx);
    free(idx_tmp);
    free(nkey);
    free(vkey);
    return rc;
}

int universe_sort(vs_universe *u, int (*cmp)(const char *a, const char *b))
{
    size_t n = u->pkgs.len, n_strs = u->strings.count;
    vs_pkg *tmp = malloc((n ? n : 1) * sizeof *tmp);
    uint32_t *name_rank = malloc((n_strs ? n_strs : 1) * sizeof *name_rank);
    uint32_t *version_rank = malloc((n_strs ? n_strs : 1) * sizeof *version_rank);
    sort_ctx c = { u, cmp, name_rank, version_rank };
    int rc = tmp && name_rank && version_rank ? VSOLVE_OK : VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK)
        rc = rank_strs(&c, name_rank, n_strs, 1);
    if (rc == VSOLVE_OK)
        rc = rank_strs(&c, version_rank, n_strs, 0);
    if (rc == VSOLVE_OK)
        rc = sort_pkgs(&c, u->pkgs.items, tmp, n);
    free(tmp);

    /* Drop versions equal under the comparator (keep the first added). */
    size_t out = 0;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        if (out > 0 && pkg_order(&c, &u->pkgs.items[out - 1], &u->pkgs.items[i]) == 0)
            continue;
        u->pkgs.items[out++] = u->pkgs.items[i];
    }
    free(name_rank);
    free(version_rank);
    if (rc != VSOLVE_OK)
        return rc;
    u->pkgs.len = out;

    u->names.len = 0;
    u->name_of_str_len = u->strings.count;
    free(u->name_of_str);
    u->name_of_str = malloc((u->name_of_str_len ? u->name_of_str_len : 1) * sizeof *u->name_of_str);
    if (!u->name_of_str)
        return VSOLVE_ENOMEM;
    for (uint32_t i = 0; i < u->name_of_str_len; i++)
        u->name_of_str[i] = VS_NONE;
    for (uint32_t i = 0; i < out; i++) {
        vs_pkg *p = &u->pkgs.items[i];
        if (u->names.len == 0 || u->names.items[u->names.len - 1].str != p->name) {
            vs_name nm = { .str = p->name, .first_pkg = i };
            if (!vec_push(&u->names, nm))
                return VSOLVE_ENOMEM;
            u->name_of_str[p->name] = (uint32_t)u->names.len - 1;
        }
        vs_name *nm = &u->names.items[u->names.len - 1];
        p->rank = nm->n_pkgs++;
        if (!(p->flags & VS_PKG_UNAVAILABLE))
            nm->n_available++;
    }
    for (uint32_t i = 0; i < out; i++)
        u->pkgs.items[i].name = u->name_of_str[u->pkgs.items[i].name];
    /* lag: available versions newer than this one */
    for (size_t k = 0; k < u->names.len; k++) {
        vs_name *nm = &u->names.items[k];
        uint32_t newer = 0;
        for (uint32_t j = nm->n_pkgs; j-- > 0;) {
            vs_pkg *p = &u->pkgs.items[nm->first_pkg + j];
            p->lag = newer;
            if (!(p->flags & VS_PKG_UNAVAILABLE))
                newer++;
        }
    }
    u->sorted = 1;
    return VSOLVE_OK;
}

uint32_t universe_find_name(const vs_universe *u, const char *name)
{
    uint32_t s = strpool_find(&u->strings, name, strlen(name));
    if (s == UINT32_MAX || s >= u->name_of_str_len)
        return VS_NONE;
    return u->name_of_str[s];
}

void universe_name_pkgs(const vs_universe *u, uint32_t name, uint32_t *first, uint32_t *count)
{
    *first = u->names.items[name].first_pkg;
    *count = u->names.items[name].n_pkgs;
}

const char *universe_pkg_name(const vs_universe *u, uint32_t pkg)
{
    return universe_str(u, u->names.items[u->pkgs.items[pkg].name].str);
}

const char *universe_pkg_version(const vs_universe *u, uint32_t pkg)
{
    return universe_str(u, u->pkgs.items[pkg].version);
}

static int push_ids(vs_universe *u, const uint32_t *ids, size_t n, uint32_t *first)
{
    *first = (uint32_t)u->ids.len;
    return vec_append(&u->ids, ids, n) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static uint32_t hash_run(const uint32_t *ids, size_t n)
{
    uint32_t h = 2166136261u ^ (uint32_t)n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ids[i]) * 16777619u;
    return h;
}

/* Stores a provider run once: returns in *first the offset of an equal run already stored, or
 * of a fresh copy. The new clause (about to be pushed) becomes the run's owner if fresh. */
static int shared_run(vs_universe *u, const uint32_t *ids, size_t n, uint32_t *first)
{
    if (n == 0) {
        *first = (uint32_t)u->ids.len;
        return VSOLVE_OK;
    }
    if ((u->run_count + 1) * 2 > u->run_cap) {
        uint32_t ncap = u->run_cap ? u->run_cap * 2 : 4096;
        uint32_t *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return VSOLVE_ENOMEM;
        for (uint32_t i = 0; i < u->run_cap; i++) {
            uint32_t e = u->run_table[i];
            if (!e)
                continue;
            const vs_clause *c = &u->clauses.items[e - 1];
            uint32_t k = hash_run(vec_at(&u->ids, c->first), c->count) & (ncap - 1);
            while (nt[k])
                k = (k + 1) & (ncap - 1);
            nt[k] = e;
        }
        free(u->run_table);
        u->run_table = nt;
        u->run_cap = ncap;
    }
    uint32_t k = hash_run(ids, n) & (u->run_cap - 1);
    for (;; k = (k + 1) & (u->run_cap - 1)) {
        uint32_t e = u->run_table[k];
        if (!e)
            break;
        const vs_clause *c = &u->clauses.items[e - 1];
        if (c->count == n && memcmp(u->ids.items + c->first, ids, n * sizeof *ids) == 0) {
            *first = c->first;
            return VSOLVE_OK;
        }
    }
    if (push_ids(u, ids, n, first) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    u->run_table[k] = (uint32_t)u->clauses.len + 1;
    u->run_count++;
    return VSOLVE_OK;
}

int universe_add_clause(vs_universe *u, uint32_t pkg, uint32_t desc, const uint32_t *providers, size_t n)
{
    vs_pkg *p = &u->pkgs.items[pkg];
    if (p->clause_count == 0)
        p->clause_first = (uint32_t)u->clauses.len;
    else if (p->clause_first + p->clause_count != u->clauses.len)
        return VSOLVE_EUSAGE;   /* clauses of a package must be added together */
    vs_clause c = { .desc = desc, .count = (uint32_t)n, .cond = VS_NONE };
    if (shared_run(u, providers, n, &c.first) != VSOLVE_OK || !vec_push(&u->clauses, c))
        return VSOLVE_ENOMEM;
    p->clause_count++;
    return VSOLVE_OK;
}

int universe_add_clause_if(vs_universe *u, uint32_t pkg, uint32_t cond, uint32_t desc, const uint32_t *providers, size_t n)
{
    int rc = universe_add_clause(u, pkg, desc, providers, n);
    if (rc == VSOLVE_OK)
        u->clauses.items[u->clauses.len - 1].cond = cond;
    return rc;
}

int universe_add_clause_run(vs_universe *u, uint32_t pkg, uint32_t cond, uint32_t desc, uint32_t first, uint32_t n)
{
    vs_pkg *p = &u->pkgs.items[pkg];
    if (n == 0 || first > u->ids.len || n > u->ids.len - first)
        return VSOLVE_EUSAGE;   /* not a stored run */
    if (p->clause_count == 0)
        p->clause_first = (uint32_t)u->clauses.len;
    else if (p->clause_first + p->clause_count != u->clauses.len)
        return VSOLVE_EUSAGE;   /* clauses of a package must be added together */
    vs_clause c = { .desc = desc, .first = first, .count = n, .cond = cond };
    if (!vec_push(&u->clauses, c))
        return VSOLVE_ENOMEM;
    p->clause_count++;
    return VSOLVE_OK;
}

int universe_add_root_clause(vs_universe *u, uint32_t pkg, uint32_t desc, const uint32_t *providers, size_t n)
{
    vs_pkg *p = &u->pkgs.items[pkg];
    if (!(p->flags & VS_PKG_ROOT_VARIANT)) {
        p->flags |= VS_PKG_ROOT_VARIANT;
        p->root_clause_first = (uint32_t)u->clauses.len;
    } else if (p->root_clause_first + p->root_clause_count != u->clauses.len) {
        return VSOLVE_EUSAGE;
    }
    vs_clause c = { .desc = desc, .count = (uint32_t)n, .cond = VS_NONE };
    if (shared_run(u, providers, n, &c.first) != VSOLVE_OK || !vec_push(&u->clauses, c))
        return VSOLVE_ENOMEM;
    p->root_clause_count++;
    return VSOLVE_OK;
}

int universe_add_conflicts(vs_universe *u, uint32_t pkg, const uint32_t *others, size_t n)
{
    vs_pkg *p = &u->pkgs.items[pkg];
    if (n == 0)
        return VSOLVE_OK;
    uint32_t first;
    if (p->conflict_count && p->conflict_first + p->conflict_count != u->ids.len)
        return VSOLVE_EUSAGE;
    if (push_ids(u, others, n, &first) != VSOLVE_OK)
        return VSOLVE_ENOMEM;
    if (p->conflict_count == 0)
        p->conflict_first = first;
    p->conflict_count += (uint32_t)n;
    return VSOLVE_OK;
}

int universe_add_group(vs_universe *u, uint32_t desc, const uint32_t *members, size_t n, uint32_t *group_id)
{
    vs_group g = { .desc = desc, .count = (uint32_t)n };
    if (push_ids(u, members, n, &g.first) != VSOLVE_OK || !vec_push(&u->groups, g))
        return VSOLVE_ENOMEM;
    if (group_id)
        *group_id = (uint32_t)u->groups.len - 1;
    return VSOLVE_OK;
}

int universe_add_slot(vs_universe *u, uint32_t desc, const uint32_t *members, size_t n, uint32_t *group_id)
{
    uint32_t g;
    int rc = universe_add_group(u, desc, members, n, &g);
    if (rc != VSOLVE_OK)
        return rc;
    for (size_t j = 0; j < n; j++)
        u->pkgs.items[members[j]].slot = g;
    if (group_id)
        *group_id = g;
    return VSOLVE_OK;
}

int universe_slot_per_name(vs_universe *u)
{
    u32_vec members = { 0 };
    int rc = VSOLVE_OK;
    for (uint32_t k = 0; k < u->names.len && rc == VSOLVE_OK; k++) {
        const vs_name *nm = &u->names.items[k];
        if (nm->n_pkgs < 2)
            continue;
        members.len = 0;
        if (!vec_reserve(&members, nm->n_pkgs)) {
            rc = VSOLVE_ENOMEM;
            break;
        }
        for (uint32_t j = 0; j < nm->n_pkgs; j++)
            members.items[members.len++] = nm->first_pkg + j;
        rc = universe_add_slot(u, nm->str, members.items, members.len, NULL);
    }
    vec_free(&members);
    return rc;
}
