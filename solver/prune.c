/* prune.c: packages of a cone that no solution can install, found by propagation before the
 * cone is encoded (what opam calls trimming the universe, done here per request).
 *
 * Every solution installs every package in `forced` and none in `dead`. The rules, applied
 * until nothing changes (only to unconditional clauses; selectors of the request hold):
 *   - a package with a dependency clause whose providers are all dead (or outside the cone)
 *     is dead;
 *   - the only live provider of a request atom, or of a clause of a forced package, is forced;
 *   - a package in a group (slot, conflict-class, links) with a forced package is dead, and so
 *     is a package that conflicts with a forced one or that a forced one conflicts with;
 *   - the packages of a forbidding atom are dead.
 * Typically the requested compiler is forced, and with it every version that needs another
 * compiler dies, and what only they needed drops out of the cone.
 */
#include "prune.h"
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

typedef struct state {
    const vs_cone *c;
    unsigned char *dead, *forced;   /* per package id */
    u32_vec groups;                 /* the groups with a member in the cone (the others never
                                       hold a forced package) */
    int changed, contradiction;
} state;

static int live(const state *st, uint32_t pkg)
{
    return cone_has(st->c, pkg) && !st->dead[pkg];
}

static void kill(state *st, uint32_t pkg)
{
    if (!cone_has(st->c, pkg) || st->dead[pkg])
        return;
    st->dead[pkg] = 1;
    st->changed = 1;
    if (st->forced[pkg])
        st->contradiction = 1;
}

static void force(state *st, uint32_t pkg)
{
    if (st->forced[pkg])
        return;
    st->forced[pkg] = 1;
    st->changed = 1;
    if (st->dead[pkg])
        st->contradiction = 1;
}

/* Forces the only live one of pkgs[0..n); none live is a contradiction. */
static void only_provider(state *st, const uint32_t *pkgs, uint32_t n)
{
    uint32_t only = VS_NONE, count = 0;
    for (uint32_t j = 0; j < n && count < 2; j++)
        if (live(st, pkgs[j]) && (count == 0 || pkgs[j] != only)) {
            only = pkgs[j];
            count++;
        }
    if (count == 0)
        st->contradiction = 1;
    else if (count == 1)
        force(st, only);
}

static void visit_package(state *st, uint32_t pkg)
{
    const vs_universe *u = st->c->u;
    const vs_pkg *p = &u->pkgs.items[pkg];
    uint32_t first, count;
    cone_clauses(st->c, pkg, &first, &count);
    for (uint32_t c = 0; c < count && !st->dead[pkg]; c++) {
        const vs_clause *cl = &u->clauses.items[first + c];
        if (cl->cond != VS_NONE)
            continue;
        const uint32_t *providers = vec_at(&u->ids, cl->first);
        if (st->forced[pkg]) {
            only_provider(st, providers, cl->count);
            continue;
        }
        int any = 0;   /* newest first: the old versions are the ones that die (e.g. for
                          another compiler), so a live provider is found sooner */
        for (uint32_t j = cl->count; j-- > 0 && !any;)
            any = live(st, providers[j]);
        if (!any)
            kill(st, pkg);
    }
    for (uint32_t c = 0; c < p->conflict_count && !st->dead[pkg]; c++) {
        uint32_t q = u->ids.items[p->conflict_first + c];
        if (q == pkg)
            continue;
        if (st->forced[pkg])
            kill(st, q);
        else if (st->forced[q])
            kill(st, pkg);
    }
}

/* A group with a forced member: every other member is dead. */
static void visit_groups(state *st)
{
    const vs_universe *u = st->c->u;
    for (size_t k = 0; k < st->groups.len; k++) {
        const vs_group *gr = &u->groups.items[st->groups.items[k]];
        const uint32_t *members = vec_at(&u->ids, gr->first);
        uint32_t forced = VS_NONE;
        for (uint32_t j = 0; j < gr->count && forced == VS_NONE; j++)
            if (cone_has(st->c, members[j]) && st->forced[members[j]])
                forced = members[j];
        if (forced == VS_NONE)
            continue;
        for (uint32_t j = 0; j < gr->count; j++)
            if (members[j] != forced)
                kill(st, members[j]);
    }
}

int prune_cone(const vs_cone *c, unsigned char *dead, int *contradiction)
{
    const vs_universe *u = c->u;
    state st = { .c = c, .dead = dead };
    st.forced = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    if (!st.forced)
        return VSOLVE_ENOMEM;
    for (uint32_t g = 0; g < u->groups.len; g++) {
        const vs_group *gr = &u->groups.items[g];
        uint32_t j = 0;
        while (j < gr->count && !cone_has(c, u->ids.items[gr->first + j]))
            j++;
        if (j < gr->count && !vec_push(&st.groups, g)) {
            free(st.forced);
            vec_free(&st.groups);
            return VSOLVE_ENOMEM;
        }
    }
    const vs_request *req = c->req;
    for (size_t a = 0; a < req->atoms.len; a++) {
        const vs_atom *at = &req->atoms.items[a];
        if (at->forbid == VS_ATOM_FORBID)   /* a rule of pairs kills nothing by itself */
            for (uint32_t j = 0; j < at->count; j++)
                kill(&st, req->ids.items[at->first + j]);
    }
    for (int round = 0; round < 64 && !st.contradiction; round++) {
        st.changed = 0;
        for (size_t a = 0; a < req->atoms.len && !st.contradiction; a++) {
            const vs_atom *at = &req->atoms.items[a];
            if (!at->forbid)
                only_provider(&st, vec_at(&req->ids, at->first), at->count);
        }
        for (size_t i = 0; i < c->len && !st.contradiction; i++)
            if (!st.dead[c->items[i]])
                visit_package(&st, c->items[i]);
        if (!st.contradiction)
            visit_groups(&st);
        if (!st.changed)
            break;
    }
    *contradiction = st.contradiction;
    free(st.forced);
    vec_free(&st.groups);
    return VSOLVE_OK;
}

/* dep_dead's marks per package */
enum { UNSEEN = 0, VISITING, LIVE, DEAD };

/* Is pkg dead by its dependencies alone: has it an unconditional dependency clause whose cone
 * providers are all dead so? Depth-first, newest provider first, at most `depth` levels down; a
 * package met again on the way, or deeper, counts as live (so DEAD is always right, LIVE may
 * be a dead package missed). */
static int dep_dead(const vs_cone *c, uint32_t pkg, unsigned char *mark, int depth)
{
    if (mark[pkg] != UNSEEN)
        return mark[pkg] == DEAD;
    if (depth == 0)
        return 0;
    const vs_universe *u = c->u;
    mark[pkg] = VISITING;
    uint32_t first, count;
    cone_clauses(c, pkg, &first, &count);
    for (uint32_t k = 0; k < count; k++) {
        const vs_clause *cl = &u->clauses.items[first + k];
        if (cl->cond != VS_NONE)
            continue;
        int any = 0;
        for (uint32_t j = cl->count; j-- > 0 && !any;) {
            uint32_t q = u->ids.items[cl->first + j];
            any = cone_has(c, q) && !dep_dead(c, q, mark, depth - 1);
        }
        if (!any) {
            mark[pkg] = DEAD;
            return 1;
        }
    }
    mark[pkg] = LIVE;
    return 0;
}

/* Is the refusal one explain.c states without a SAT solver: an atom without a candidate in the
 * cone (named directly), or a first atom whose candidates are all dead by their dependencies
 * alone (a dead end: the atom is its own minimal clash)? */
static int plain_refusal(const vs_cone *c, unsigned char *mark)
{
    const vs_request *req = c->req;
    for (size_t a = 0; a < req->atoms.len; a++) {
        const vs_atom *at = &req->atoms.items[a];
        uint32_t j = 0;
        while (!at->forbid && j < at->count && !cone_has(c, req->ids.items[at->first + j]))
            j++;
        if (!at->forbid && j == at->count)
            return 1;
    }
    if (req->atoms.len == 0 || req->atoms.items[0].forbid)
        return 0;
    const vs_atom *at = &req->atoms.items[0];
    for (uint32_t j = 0; j < at->count; j++) {
        uint32_t p = req->ids.items[at->first + j];
        if (cone_has(c, p) && !dep_dead(c, p, mark, 64))
            return 0;
    }
    return 1;
}

int prune_request_cone(vs_cone *c, const vs_universe *u, const vs_request *req, int *pruned, int *plain)
{
    *pruned = *plain = 0;
    int rc = cone_whole(c, u, req);
    if (rc != VSOLVE_OK)
        return rc;
    unsigned char *dead = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    int contradiction = 0;
    if (!dead || prune_cone(c, dead, &contradiction) != VSOLVE_OK) {
        free(dead);
        return VSOLVE_ENOMEM;
    }
    if (contradiction) {
        memset(dead, UNSEEN, u->pkgs.len);
        *plain = plain_refusal(c, dead);
    }
    if (!contradiction) {
        size_t whole = c->len;
        rc = cone_build(c, dead);
        *pruned = c->len < whole;
    }
    free(dead);
    return rc;
}
