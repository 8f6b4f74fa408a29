/* explain.c: plain-words reasons for an unsatisfiable request.
 * First the atoms that match nothing installable on their own; otherwise a minimal set of
 * request atoms that cannot hold together (deletion-based, one SAT call per atom of the
 * solver's failed-assumption core), with the versions each atom allows. */
#include "explain.h"
#include "nearest.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

typedef struct text {
    char *buf;
    size_t len, cap;
    int oom;             /* out of memory, or the text is to be dropped */
    vs_universe *u;      /* to read the clause descriptions when a sentence first needs one */
    vs_error *err;       /* why reading them failed */
    u32_vec *unavailable;   /* the unavailable packages whose available formula the text shows */
} text;

/* Reads the clause descriptions from the universe's source the first time a sentence needs
 * one (most explanations show none). 0 after a reading error: it is in t->err, and the text is
 * dropped. */
static int have_clause_descs(text *t)
{
    if (t->err->code == VSOLVE_OK && universe_need_descs(t->u, t->err) != VSOLVE_OK)
        t->oom = 1;
    return t->err->code == VSOLVE_OK;
}

/* The text of clause description `desc` (a string id); "" after a reading error. */
static const char *clause_desc(text *t, uint32_t desc)
{
    return have_clause_descs(t) ? universe_str(t->u, desc) : "";
}

/* Why pkg is not available, as the adapter recorded it (attribute "unavailable-because", e.g.
 * `opam-version >= "2.2.0" is false with opam-version = 2.1.2`), or NULL. Reads the attributes
 * the first time; NULL after a reading error (it is in t->err, and the text is dropped). */
static const char *unavailable_because(text *t, uint32_t pkg)
{
    if (t->err->code != VSOLVE_OK)
        return NULL;
    if (universe_need_attrs(t->u, t->err) != VSOLVE_OK) {
        t->oom = 1;
        return NULL;
    }
    uint32_t key = attrs_find_key(&t->u->attrs, "unavailable-because");
    return key == VS_ATTR_NONE ? NULL : attrs_lookup(&t->u->attrs, pkg, key);
}

/* The common reason of the unavailable packages pkgs[0..n) (all the same), or NULL. */
static const char *common_unavailable_because(text *t, const uint32_t *pkgs, size_t n)
{
    const char *why = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *w = unavailable_because(t, pkgs[i]);
        if (!w || (why && strcmp(w, why) != 0))
            return NULL;
        why = w;
    }
    return why;
}

static void say(text *t, const char *fmt, ...);

/* " is not available on this platform" or ": its available field ... is false with ...". */
static void say_unavailable(text *t, const uint32_t *pkgs, size_t n)
{
    const char *why = common_unavailable_because(t, pkgs, n);
    for (size_t i = 0; why && i < n; i++) {   /* each once, in the order shown */
        size_t k = 0;
        while (k < t->unavailable->len && t->unavailable->items[k] != pkgs[i])
            k++;
        if (k == t->unavailable->len && !vec_push(t->unavailable, pkgs[i]))
            t->oom = 1;
    }
    if (why)
        say(t, " %s not available: %s available field %s", n > 1 ? "are" : "is", n > 1 ? "their" : "its", why);
    else
        say(t, " %s not available on this platform", n > 1 ? "are" : "is");
}

__attribute__((format(printf, 2, 3)))
static void say(text *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = 1;
            return;
        }
        if (t->buf && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t ncap = (t->cap ? t->cap * 2 : 512) + (size_t)n;
        char *nb = realloc(t->buf, ncap);
        if (!nb) {
            t->oom = 1;
            return;
        }
        t->buf = nb;
        t->cap = ncap;
    }
}

/* "1.0, 1.1 and 2.0" / "1.0 ... 2.0 (12 versions)" */
static void say_versions(text *t, const vs_universe *u, const uint32_t *pkgs, size_t n)
{
    if (n <= 4) {
        for (size_t i = 0; i < n; i++)
            say(t, "%s%s", i == 0 ? "" : (i + 1 == n ? " and " : ", "), universe_pkg_version(u, pkgs[i]));
    } else {
        say(t, "%s ... %s (%zu versions)", universe_pkg_version(u, pkgs[0]),
            universe_pkg_version(u, pkgs[n - 1]), n);
    }
}

static int atom_without_candidates(text *t, const vs_encoding *e, const vs_atom *a)
{
    const vs_universe *u = e->u;
    const char *desc = universe_str(u, a->desc);
    if (a->forbid)
        return 0;
    if (a->name == VS_NONE) {
        uint32_t near[3];
        size_t n = nearest_names(u, desc, nearest_atom_name_len(desc), near, 3);
        say(t, "  - %s: there is no package of that name", desc);
        for (size_t i = 0; i < n; i++)
            say(t, "%s%s", i == 0 ? "; did you mean " : i + 1 == n ? " or " : ", ",
                universe_str(u, u->names.items[near[i]].str));
        say(t, "%s\n", n ? "?" : "");
        return 1;
    }
    size_t available = 0;
    for (uint32_t j = 0; j < a->count; j++)
        if (!(u->pkgs.items[e->req->ids.items[a->first + j]].flags & VS_PKG_UNAVAILABLE))
            available++;
    if (available > 0)
        return 0;
    const char *name = universe_str(u, u->names.items[a->name].str);
    if (a->count > 0) {
        say(t, "  - %s: the matching version%s of %s (", desc, a->count > 1 ? "s" : "", name);
        say_versions(t, u, vec_at(&e->req->ids, a->first), a->count);
        say(t, ")");
        say_unavailable(t, vec_at(&e->req->ids, a->first), a->count);
        say(t, "\n");
    } else {
        uint32_t first, count;
        universe_name_pkgs(u, a->name, &first, &count);
        u32_vec avail = { 0 };
        for (uint32_t j = 0; j < count; j++)
            if (!(u->pkgs.items[first + j].flags & VS_PKG_UNAVAILABLE))
                vec_push(&avail, first + j);
        say(t, "  - %s: no version of %s matches; available: ", desc, name);
        if (avail.len)
            say_versions(t, u, avail.items, avail.len);
        else
            say(t, "none");
        say(t, "\n");
        vec_free(&avail);
    }
    return 1;
}

/* What installing one of `start` forces: for every name that all its alternatives need (a
 * dependency clause whose providers all have that name), the versions still possible.
 * allowed[pkg] = 1 marks them; forced[name] = 1 marks the forced names; via[name] is the
 * name that forced it (VS_NONE for the start). Fixpoint over the cone; no SAT calls. */
typedef struct implied {
    unsigned char *allowed;   /* per package */
    unsigned char *forced;    /* per name */
    uint32_t *via;            /* per name */
    struct name_memo *memo;   /* single_name per clause (it depends on the cone only, so the
                                 atoms of one clash share it) */
} implied;

/* implied_compute's bookkeeping per name, stamped so that nothing is cleared between uses */
typedef struct scratch {
    uint32_t *t_seen;     /* the visit that made the name a target */
    uint32_t *p_seen;     /* the version scan that met a clause on the name */
    uint32_t *p_count;    /* that version's clauses on the name */
    uint32_t *p_clause;   /* the first of them */
    uint32_t *added;      /* the clause whose providers were last added to next for the name
                             (versions of a crate share their clauses' provider runs) */
    unsigned char *every; /* every allowed version scanned so far needs the name */
    u32_vec targets;
    uint32_t visit, scan;
} scratch;

static int scratch_init(scratch *sc, size_t n_names)
{
    size_t n = n_names ? n_names : 1;
    memset(sc, 0, sizeof *sc);
    sc->t_seen = calloc(n, sizeof *sc->t_seen);
    sc->p_seen = calloc(n, sizeof *sc->p_seen);
    sc->p_count = malloc(n * sizeof *sc->p_count);
    sc->p_clause = malloc(n * sizeof *sc->p_clause);
    sc->added = malloc(n * sizeof *sc->added);
    sc->every = malloc(n);
    return sc->t_seen && sc->p_seen && sc->p_count && sc->p_clause && sc->added && sc->every ? VSOLVE_OK
                                                                                             : VSOLVE_ENOMEM;
}

static void scratch_free(scratch *sc)
{
    free(sc->t_seen);
    free(sc->p_seen);
    free(sc->p_count);
    free(sc->p_clause);
    free(sc->added);
    free(sc->every);
    vec_free(&sc->targets);
}

/* single_name's memo: per clause single_name + 2, 0 when not computed yet; and per run of
 * providers (the versions of a crate share their clauses' provider lists), a direct-mapped
 * cache of (first, count, single_name + 2) */
enum { NAME_RUNS = 256 };
typedef struct name_memo {
    uint32_t *of_clause;
    uint32_t run[NAME_RUNS][3];
    scratch sc;   /* implied_compute's, shared by its calls too */
} name_memo;

static void name_memo_free(name_memo *m)
{
    if (m) {
        free(m->of_clause);
        scratch_free(&m->sc);
    }
    free(m);
}

static name_memo *name_memo_new(const vs_universe *u)
{
    name_memo *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    int rc = scratch_init(&m->sc, u->names.len);
    if (rc != VSOLVE_OK || !(m->of_clause = calloc(u->clauses.len ? u->clauses.len : 1, sizeof *m->of_clause))) {
        name_memo_free(m);
        return NULL;
    }
    return m;
}

static void implied_free(implied *im)
{
    free(im->allowed);
    free(im->forced);
    free(im->via);
}

/* Providers of clause cl that are in the cone, if they all share one name; else VS_NONE. */
static uint32_t single_name(const vs_encoding *e, const vs_clause *cl)
{
    const vs_universe *u = e->u;
    uint32_t name = VS_NONE;
    if (cl->cond != VS_NONE)
        return VS_NONE;   /* conditional: not forced */
    for (uint32_t j = 0; j < cl->count; j++) {
        uint32_t q = u->ids.items[cl->first + j];
        if (!encode_in_cone(e, q))
            continue;
        if (name != VS_NONE && u->pkgs.items[q].name != name)
            return VS_NONE;
        name = u->pkgs.items[q].name;
    }
    return name;
}

/* single_name of clause c, computed once per clause (the fixpoint asks again and again). */
static uint32_t clause_single_name(const vs_encoding *e, implied *im, uint32_t c)
{
    uint32_t *memo = im->memo->of_clause;
    if (memo[c] == 0) {
        const vs_clause *cl = &e->u->clauses.items[c];
        uint32_t *run = im->memo->run[(cl->first ^ cl->count * 40503u) & (NAME_RUNS - 1)];
        if (cl->cond == VS_NONE && run[2] != 0 && run[0] == cl->first && run[1] == cl->count) {
            memo[c] = run[2];
        } else {
            uint32_t n = single_name(e, cl);
            memo[c] = n == VS_NONE ? 1 : n + 2;
            if (cl->cond == VS_NONE) {
                run[0] = cl->first;
                run[1] = cl->count;
                run[2] = memo[c];
            }
        }
    }
    return memo[c] == 1 ? VS_NONE : memo[c] - 2;
}

/* The first dependency clause of pkg with no installable provider, or VS_NONE. */
static uint32_t dead_clause(const vs_encoding *e, uint32_t pkg)
{
    const vs_universe *u = e->u;
    uint32_t first, count;
    encode_clauses(e, pkg, &first, &count);
    for (uint32_t c = 0; c < count; c++) {
        const vs_clause *cl = &u->clauses.items[first + c];
        if (cl->cond != VS_NONE)
            continue;
        int any = 0;
        for (uint32_t j = 0; j < cl->count && !any; j++)
            any = encode_in_cone(e, u->ids.items[cl->first + j]);
        if (!any)
            return first + c;
    }
    return VS_NONE;
}

static int one_slot(const vs_universe *u, uint32_t name);

/* Do clauses a and b list the same providers (the same run of u->ids)? */
static int same_providers(const vs_universe *u, uint32_t a, uint32_t b)
{
    const vs_clause *x = &u->clauses.items[a], *y = &u->clauses.items[b];
    return x->first == y->first && x->count == y->count;
}

/* Marks in next what version p allows of target: the providers in the cone of its one clause
 * on target (`only`), or, when it has several (only is VS_NONE), of all of them. */
static void add_providers(const vs_encoding *e, implied *im, uint32_t p, uint32_t target, uint32_t only,
                          unsigned char *next)
{
    const vs_universe *u = e->u;
    if (only != VS_NONE) {
        const vs_clause *cl = &u->clauses.items[only];
        for (uint32_t q = 0; q < cl->count; q++) {
            uint32_t id = u->ids.items[cl->first + q];
            if (encode_in_cone(e, id))
                next[id] = 1;
        }
        return;
    }
    const vs_name *tn = &u->names.items[target];   /* at most 4096 versions (see every) */
    uint32_t pk_first, pk_count;
    encode_clauses(e, p, &pk_first, &pk_count);
    unsigned char mine[4096], in_clause[4096];
    memset(mine, 1, tn->n_pkgs);
    for (uint32_t k = 0; k < pk_count; k++) {
        const vs_clause *cl = &u->clauses.items[pk_first + k];
        if (clause_single_name(e, im, pk_first + k) != target)
            continue;
        memset(in_clause, 0, tn->n_pkgs);
        for (uint32_t q = 0; q < cl->count; q++) {
            uint32_t id = u->ids.items[cl->first + q];
            if (encode_in_cone(e, id))
                in_clause[id - tn->first_pkg] = 1;
        }
        for (uint32_t q = 0; q < tn->n_pkgs; q++)
            mine[q] &= in_clause[q];
    }
    for (uint32_t q = 0; q < tn->n_pkgs; q++)
        next[tn->first_pkg + q] |= mine[q];
}

/* memo: single_name's memo for e's cone (name_memo_new) */
static int implied_compute(const vs_encoding *e, const uint32_t *start, size_t n_start, name_memo *memo,
                           implied *im)
{
    const vs_universe *u = e->u;
    im->memo = memo;
    im->allowed = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    im->forced = calloc(u->names.len ? u->names.len : 1, 1);
    im->via = malloc((u->names.len ? u->names.len : 1) * sizeof *im->via);
    unsigned char *next = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    /* names whose allowed versions changed since they were last looked at: looking again at
     * the others would change nothing (every step only narrows, and is idempotent) */
    unsigned char *dirty = calloc(u->names.len ? u->names.len : 1, 1);
    scratch *sc = &memo->sc;
    int rc = VSOLVE_OK;
    if (!im->allowed || !im->forced || !im->via || !next || !dirty) {
        free(next);
        free(dirty);
        return VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < u->names.len; i++)
        im->via[i] = VS_NONE;
    for (size_t i = 0; i < n_start; i++)
        if (encode_in_cone(e, start[i])) {
            im->allowed[start[i]] = 1;
            im->forced[u->pkgs.items[start[i]].name] = 1;
            dirty[u->pkgs.items[start[i]].name] = 1;
        }
    for (int changed = 1, rounds = 0; changed && rounds < 64 && rc == VSOLVE_OK; rounds++) {
        changed = 0;
        for (uint32_t nm = 0; nm < u->names.len && rc == VSOLVE_OK; nm++) {
            if (!im->forced[nm] || !dirty[nm])
                continue;
            dirty[nm] = 0;
            const vs_name *name = &u->names.items[nm];
            /* a version with a dependency nothing in the cone provides cannot be installed */
            for (uint32_t j = 0; j < name->n_pkgs; j++)
                if (im->allowed[name->first_pkg + j] && dead_clause(e, name->first_pkg + j) != VS_NONE) {
                    im->allowed[name->first_pkg + j] = 0;
                    changed = 1;
                }
            /* names needed by every allowed version of nm, with the union of their providers */
            uint32_t first_allowed = VS_NONE;
            for (uint32_t j = 0; j < name->n_pkgs && first_allowed == VS_NONE; j++)
                if (im->allowed[name->first_pkg + j])
                    first_allowed = name->first_pkg + j;
            if (first_allowed == VS_NONE)
                continue;
            uint32_t fp_first, fp_count;
            encode_clauses(e, first_allowed, &fp_first, &fp_count);
            /* the targets: the names first_allowed's clauses are on (each once) */
            sc->visit++;
            sc->targets.len = 0;
            for (uint32_t c = 0; c < fp_count; c++) {
                uint32_t target = clause_single_name(e, im, fp_first + c);
                if (target == VS_NONE || target == nm || sc->t_seen[target] == sc->visit)
                    continue;
                sc->t_seen[target] = sc->visit;
                if (!vec_push(&sc->targets, target)) {
                    rc = VSOLVE_ENOMEM;
                    break;
                }
                const vs_name *tn = &u->names.items[target];
                memset(next + tn->first_pkg, 0, tn->n_pkgs);
                sc->every[target] = tn->n_pkgs <= 4096;   /* the intersection's buffers */
                sc->added[target] = VS_NONE;
            }
            /* each allowed version's clauses on the targets, its providers added to next */
            size_t live = sc->targets.len;
            for (uint32_t j = 0; j < name->n_pkgs && live && rc == VSOLVE_OK; j++) {
                uint32_t p = name->first_pkg + j;
                if (!im->allowed[p])
                    continue;
                uint32_t pk_first, pk_count;
                encode_clauses(e, p, &pk_first, &pk_count);
                sc->scan++;
                for (uint32_t k = 0; k < pk_count; k++) {
                    uint32_t t = clause_single_name(e, im, pk_first + k);
                    if (t == VS_NONE || sc->t_seen[t] != sc->visit)
                        continue;
                    if (sc->p_seen[t] != sc->scan) {
                        sc->p_seen[t] = sc->scan;
                        sc->p_count[t] = 0;
                        sc->p_clause[t] = pk_first + k;
                    }
                    sc->p_count[t]++;
                }
                for (size_t i = 0; i < sc->targets.len; i++) {
                    uint32_t target = sc->targets.items[i];
                    if (!sc->every[target])
                        continue;
                    if (sc->p_seen[target] != sc->scan) {   /* p does not need target */
                        sc->every[target] = 0;
                        live--;
                        continue;
                    }
                    if (sc->p_count[target] > 1) {
                        add_providers(e, im, p, target, VS_NONE, next);
                    } else if (sc->added[target] == VS_NONE || !same_providers(u, sc->added[target], sc->p_clause[target])) {
                        add_providers(e, im, p, target, sc->p_clause[target], next);
                        sc->added[target] = sc->p_clause[target];
                    }
                }
            }
            for (size_t i = 0; i < sc->targets.len && rc == VSOLVE_OK; i++) {
                uint32_t target = sc->targets.items[i];
                if (!sc->every[target])
                    continue;
                const vs_name *tn = &u->names.items[target];
                /* intersect with what is already known about target */
                if (!im->forced[target]) {
                    im->forced[target] = 1;
                    im->via[target] = nm;
                    memcpy(im->allowed + tn->first_pkg, next + tn->first_pkg, tn->n_pkgs);
                    changed = 1;
                    dirty[target] = 1;
                } else {
                    /* one version per name: what every path allows; several lines (cargo):
                     * each path may use its own, so no narrowing */
                    int narrow = one_slot(u, target);
                    for (uint32_t q = 0; q < tn->n_pkgs; q++) {
                        unsigned char v = narrow ? (unsigned char)(im->allowed[tn->first_pkg + q] & next[tn->first_pkg + q])
                                                 : (unsigned char)(im->allowed[tn->first_pkg + q] | next[tn->first_pkg + q]);
                        if (v != im->allowed[tn->first_pkg + q]) {
                            im->allowed[tn->first_pkg + q] = v;
                            changed = 1;
                            dirty[target] = 1;
                        }
                    }
                }
            }
        }
    }
    free(next);
    free(dirty);
    return rc;
}

static void say_allowed(text *t, const vs_universe *u, const implied *im, uint32_t name)
{
    const vs_name *nm = &u->names.items[name];
    u32_vec v = { 0 };
    for (uint32_t j = 0; j < nm->n_pkgs; j++)
        if (im->allowed[nm->first_pkg + j])
            vec_push(&v, nm->first_pkg + j);
    if (v.len == 0)
        say(t, "no version at all");
    else
        say_versions(t, u, v.items, v.len);
    vec_free(&v);
}

/* "core -> ppx_jane -> ocaml": how the start forced `name`. */
static void say_chain(text *t, const vs_universe *u, const implied *im, uint32_t name)
{
    uint32_t chain[32];
    size_t n = 0;
    for (uint32_t cur = name; cur != VS_NONE && n < 32; cur = im->via[cur])
        chain[n++] = cur;
    for (size_t i = n; i-- > 0;)
        say(t, "%s%s", universe_str(u, u->names.items[chain[i]].str), i ? " -> " : "");
}

/* Do all packages of a name exclude each other (one slot)? Then disjoint allowed sets clash. */
static int one_slot(const vs_universe *u, uint32_t name)
{
    const vs_name *nm = &u->names.items[name];
    uint32_t slot = u->pkgs.items[nm->first_pkg].slot;
    if (nm->n_pkgs > 1 && slot == VS_NONE)
        return 0;
    for (uint32_t j = 1; j < nm->n_pkgs; j++)
        if (u->pkgs.items[nm->first_pkg + j].slot != slot)
            return 0;
    return 1;
}

/* Is `anc` on the chain that forced `name` (excluding name itself)? */
static int on_chain(const implied *im, uint32_t anc, uint32_t name)
{
    int steps = 0;
    for (uint32_t cur = im->via[name]; cur != VS_NONE && steps < 64; cur = im->via[cur], steps++)
        if (cur == anc)
            return 1;
    return 0;
}

static int allowed_any(const vs_universe *u, const implied *im, uint32_t name)
{
    const vs_name *nm = &u->names.items[name];
    for (uint32_t j = 0; j < nm->n_pkgs; j++)
        if (im->allowed[nm->first_pkg + j])
            return 1;
    return 0;
}

static int conflicting(const vs_universe *u, uint32_t p, uint32_t q)
{
    const vs_pkg *a = &u->pkgs.items[p], *b = &u->pkgs.items[q];
    for (uint32_t c = 0; c < a->conflict_count; c++)
        if (u->ids.items[a->conflict_first + c] == q)
            return 1;
    for (uint32_t c = 0; c < b->conflict_count; c++)
        if (u->ids.items[b->conflict_first + c] == p)
            return 1;
    return 0;
}

/* Do all allowed versions of x exclude all allowed versions of y? Returns the group that makes
 * them exclusive, VS_NONE - 1 for explicit conflicts, or VS_NONE. */
static uint32_t exclusion(const vs_universe *u, const uint32_t *group_of, const implied *ix, uint32_t x,
                          const implied *iy, uint32_t y)
{
    const vs_name *nx = &u->names.items[x], *ny = &u->names.items[y];
    uint32_t group = VS_NONE;
    int by_group = 1, by_conflict = 1, any = 0;
    for (uint32_t i = 0; i < nx->n_pkgs && (by_group || by_conflict); i++) {
        uint32_t p = nx->first_pkg + i;
        if (!ix->allowed[p])
            continue;
        for (uint32_t j = 0; j < ny->n_pkgs && (by_group || by_conflict); j++) {
            uint32_t q = ny->first_pkg + j;
            if (!iy->allowed[q])
                continue;
            any = 1;
            if (group_of[p] == VS_NONE || group_of[p] != group_of[q])
                by_group = 0;
            else
                group = group_of[p];
            if (by_conflict && !conflicting(u, p, q))
                by_conflict = 0;
        }
    }
    if (!any)
        return VS_NONE;
    if (by_group)
        return group;
    return by_conflict ? VS_NONE - 1 : VS_NONE;
}

/* What exclusion() needs to know of a name's allowed versions first: UNGROUPED when one of
 * them is in no group (then no group makes x and y exclusive), CONFLICTS when one of them has
 * explicit conflicts (without any, on either side, x and y do not conflict). */
enum { UNGROUPED = 1, CONFLICTS = 2 };

static unsigned traits(const vs_universe *u, const uint32_t *group_of, const implied *im, uint32_t name)
{
    const vs_name *nm = &u->names.items[name];
    unsigned bits = 0;
    for (uint32_t j = 0; j < nm->n_pkgs; j++) {
        uint32_t p = nm->first_pkg + j;
        if (!im->allowed[p])
            continue;
        if (group_of[p] == VS_NONE)
            bits |= UNGROUPED;
        if (u->pkgs.items[p].conflict_count > 0)
            bits |= CONFLICTS;
    }
    return bits;
}

static void say_need(text *t, const vs_universe *u, const vs_request *req, size_t atom, const implied *im, uint32_t name)
{
    say(t, "  - %s needs %s ", universe_str(u, req->atoms.items[atom].desc), universe_str(u, u->names.items[name].str));
    say_allowed(t, u, im, name);
    if (im->via[name] != VS_NONE) {
        say(t, " (through ");
        say_chain(t, u, im, name);
        say(t, ")");
    }
    say(t, "\n");
}

/* Why an atom cannot be installed at all: the forced name whose every version needs
 * something missing. Returns 1 if it said so. */
static int explain_dead_end(text *t, const vs_encoding *e, size_t atom, const implied *im)
{
    const vs_universe *u = e->u;
    const vs_request *req = e->req;
    for (uint32_t nm = 0; nm < u->names.len; nm++) {
        if (!im->forced[nm] || allowed_any(u, im, nm))
            continue;
        const vs_name *name = &u->names.items[nm];
        uint32_t dead = VS_NONE, dead_pkg = VS_NONE;
        for (uint32_t j = name->n_pkgs; j-- > 0 && dead == VS_NONE;) {
            uint32_t p = name->first_pkg + j;
            if (encode_in_cone(e, p) && (dead = dead_clause(e, p)) != VS_NONE)
                dead_pkg = p;
        }
        if (dead == VS_NONE)
            continue;
        if (im->via[nm] == VS_NONE)
            say(t, "Why: no version of %s can be installed", universe_str(u, name->str));
        else
            say(t, "Why: %s needs %s, and no version of %s can be installed for it",
                universe_str(u, req->atoms.items[atom].desc), universe_str(u, name->str), universe_str(u, name->str));
        const vs_clause *cl = &u->clauses.items[dead];
        say(t, " (%s.%s requires %s", universe_str(u, name->str), universe_pkg_version(u, dead_pkg), clause_desc(t, cl->desc));
        if (cl->count > 0) {
            say(t, ", but the matching version%s (", cl->count > 1 ? "s" : "");
            for (uint32_t j = 0; j < cl->count && j < 4; j++)
                say(t, "%s%s.%s", j ? ", " : "", universe_pkg_name(u, u->ids.items[cl->first + j]),
                    universe_pkg_version(u, u->ids.items[cl->first + j]));
            say(t, "%s)", cl->count > 4 ? ", ..." : "");
            say_unavailable(t, vec_at(&u->ids, cl->first), cl->count);
            say(t, ").\n");
        } else {
            say(t, ", which nothing provides).\n");
        }
        if (im->via[nm] != VS_NONE) {
            say(t, "  chain: ");
            say_chain(t, u, im, nm);
            say(t, "\n");
        }
        return 1;
    }
    return 0;
}

/* Why two atoms clash: a name both force with disjoint versions (one version per name), or two
 * forced names that exclude each other (a conflict-class or explicit conflicts). */
static int explain_pair(text *t, const vs_encoding *e, const uint32_t *group_of, size_t ai, const implied *a,
                        size_t bi, const implied *b)
{
    const vs_universe *u = e->u;
    const vs_request *req = e->req;
    uint32_t reported[3];
    int said = 0;
    for (uint32_t nm = 0; nm < u->names.len && said < 2; nm++) {
        if (!a->forced[nm] || !b->forced[nm] || !one_slot(u, nm))
            continue;
        if (a->via[nm] == VS_NONE && b->via[nm] == VS_NONE)
            continue;   /* the atoms' own name: already shown */
        const vs_name *name = &u->names.items[nm];
        int overlap = 0;
        for (uint32_t j = 0; j < name->n_pkgs && !overlap; j++)
            overlap = a->allowed[name->first_pkg + j] && b->allowed[name->first_pkg + j];
        if (overlap)
            continue;
        int descendant = 0;
        for (int r = 0; r < said && !descendant; r++)
            descendant = on_chain(a, reported[r], nm) || on_chain(b, reported[r], nm);
        if (descendant)
            continue;
        say(t, "Why: they need different versions of %s, and only one can be installed:\n", universe_str(u, name->str));
        say_need(t, u, req, ai, a, nm);
        say_need(t, u, req, bi, b, nm);
        reported[said++] = nm;
    }
    if (said)
        return said;
    u32_vec ys = { 0 }, ty = { 0 };   /* b's forced names with a version allowed, in order; their traits */
    for (uint32_t y = 0; y < u->names.len; y++)
        if (b->forced[y] && allowed_any(u, b, y) && (!vec_push(&ys, y) || !vec_push(&ty, traits(u, group_of, b, y)))) {
            vec_free(&ys);
            vec_free(&ty);
            return 0;
        }
    for (uint32_t x = 0; x < u->names.len; x++) {
        if (!a->forced[x] || !allowed_any(u, a, x))
            continue;
        unsigned tx = traits(u, group_of, a, x);
        for (size_t iy = 0; iy < ys.len; iy++) {
            uint32_t y = ys.items[iy];
            /* the same name can clash with itself only across slots (e.g. cargo's `links`) */
            if (y == x && one_slot(u, x))
                continue;
            unsigned both = tx | ty.items[iy];
            if ((both & UNGROUPED) && !(both & CONFLICTS))
                continue;   /* exclusion() would say VS_NONE */
            uint32_t why = exclusion(u, group_of, a, x, b, y);
            if (why == VS_NONE)
                continue;
            if (x == y && why != VS_NONE - 1)
                say(t, "Why: both need %s, in versions that exclude each other (%s):\n", universe_str(u, u->names.items[x].str),
                    universe_str(u, u->groups.items[why].desc));
            else if (why == VS_NONE - 1)
                say(t, "Why: %s and %s conflict:\n", universe_str(u, u->names.items[x].str), universe_str(u, u->names.items[y].str));
            else
                say(t, "Why: %s and %s exclude each other (%s):\n", universe_str(u, u->names.items[x].str),
                    universe_str(u, u->names.items[y].str), universe_str(u, u->groups.items[why].desc));
            say_need(t, u, req, ai, a, x);
            say_need(t, u, req, bi, b, y);
            vec_free(&ys);
            vec_free(&ty);
            return 1;
        }
    }
    vec_free(&ys);
    vec_free(&ty);
    return 0;
}

/* Adds the "Why:" lines for a minimal set of clashing atoms. Returns 1 when it found the reason
 * (then it is a proof that the atoms cannot hold together: every step above only draws what
 * every solution must satisfy), 0 when it found none. */
static int explain_clash(text *t, const vs_encoding *e, const size_t *atoms, size_t n)
{
    const vs_universe *u = e->u;
    implied im[8];
    if (n > 8)
        n = 8;
    name_memo *memo = name_memo_new(u);
    size_t built = 0;
    for (; built < n && memo; built++) {
        const vs_atom *a = &e->req->atoms.items[atoms[built]];
        if (implied_compute(e, vec_at(&e->req->ids, a->first), a->count, memo, &im[built]) != VSOLVE_OK) {
            implied_free(&im[built]);
            break;
        }
    }
    /* packages -> the exclusion group (other than their own slot) they belong to */
    uint32_t *group_of = malloc((u->pkgs.len ? u->pkgs.len : 1) * sizeof *group_of);
    if (group_of) {
        memset(group_of, 0xff, u->pkgs.len * sizeof *group_of);
        for (size_t g = 0; g < u->groups.len; g++) {
            const vs_group *gr = &u->groups.items[g];
            for (uint32_t j = 0; j < gr->count; j++) {
                uint32_t p = u->ids.items[gr->first + j];
                if (u->pkgs.items[p].slot != g && group_of[p] == VS_NONE)
                    group_of[p] = (uint32_t)g;
            }
        }
    }
    int said = 0;
    for (size_t i = 0; i < built && !said; i++)
        said = explain_dead_end(t, e, atoms[i], &im[i]);
    for (size_t i = 0; i < built && !said && group_of; i++)
        for (size_t k = i + 1; k < built && !said; k++)
            said = explain_pair(t, e, group_of, atoms[i], &im[i], atoms[k], &im[k]);
    free(group_of);
    for (size_t i = 0; i < built; i++)
        implied_free(&im[i]);
    name_memo_free(memo);
    return said != 0;
}

/* A minimal set of request atoms that cannot hold together, asked of solver s: the atoms'
 * selector literals sel[0..n), assumed with off[0..n_off) (what the solver's other packages
 * must be: explain_inside's inner requests, all negative). The solver's failed-assumption
 * core first (of several atoms), then each atom of it dropped that the contradiction does not
 * need (one SAT call per atom of the core but the last). Marks in[]; returns the count, or 0
 * when out of memory. */
static size_t minimal_clash(sat *s, const int *sel, size_t n, const int *off, size_t n_off, unsigned char *in)
{
    int *lits = malloc((n_off + n ? n_off + n : 1) * sizeof *lits);
    if (!lits)
        return 0;
    if (n_off)
        memcpy(lits, off, n_off * sizeof *lits);
    memcpy(lits + n_off, sel, n * sizeof *lits);
    memset(in, 0, n);
    enum sat_answer all = sat_solve(s, lits, n_off + n);
    if (all == SAT_UNSAT && n > 1 && sat_refuted_prefix(s) == n_off + 1) {
        /* propagation answered (a lazy solver, sat.h): the first atom cannot hold even alone,
         * and it is CryptoMiniSat's core (off alone has a model: installing nothing, encode.c),
         * known without creating it */
        in[0] = 1;
    } else if (all == SAT_UNSAT && n > 1) {
        const int *core;
        size_t k = sat_failed_assumptions(s, &core), found = 0;
        for (size_t c = 0; c < k; c++)
            for (size_t i = 0; i < n; i++)
                if (sel[i] == core[c]) {
                    in[i] = 1;
                    found++;
                }
        if (found == 0)   /* the cone alone is contradictory: every atom is suspect */
            memset(in, 1, n);
    } else {   /* no refusal, or one atom: it is the clash whatever the core (none is asked for) */
        memset(in, 1, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!in[i])
            continue;
        in[i] = 0;
        size_t m = n_off;
        for (size_t j = 0; j < n; j++)
            if (in[j])
                lits[m++] = sel[j];
        /* no atom left: installing nothing is a model (encode.c), no need to ask */
        if (m == n_off || sat_solve(s, lits, m) != SAT_UNSAT)
            in[i] = 1;   /* needed for the contradiction */
    }
    free(lits);
    size_t members = 0;
    for (size_t i = 0; i < n; i++)
        members += in[i];
    return members;
}

static void say_atoms(text *t, const vs_encoding *e, const unsigned char *in)
{
    const vs_universe *u = e->u;
    const vs_request *req = e->req;
    for (size_t i = 0; i < req->atoms.len; i++) {
        if (!in[i])
            continue;
        const vs_atom *a = &req->atoms.items[i];
        if (a->forbid == VS_ATOM_PAIRS) {
            say(t, "  - %s\n", universe_str(u, a->desc));
            continue;
        }
        if (a->forbid) {
            say(t, "  - not %s\n", universe_str(u, a->desc));
            continue;
        }
        say(t, "  - %s (", universe_str(u, a->desc));
        u32_vec avail = { 0 };
        for (uint32_t j = 0; j < a->count; j++)
            if (encode_in_cone(e, req->ids.items[a->first + j]))
                vec_push(&avail, req->ids.items[a->first + j]);
        if (a->name != VS_NONE)
            say(t, "%s ", universe_str(u, u->names.items[a->name].str));
        say_versions(t, u, avail.items, avail.len);
        say(t, ")\n");
        vec_free(&avail);
    }
}

/* The single installable candidate of a lone clashing atom, else VS_NONE. */
static uint32_t only_candidate(const vs_encoding *e, const unsigned char *in)
{
    uint32_t found = VS_NONE;
    for (size_t i = 0; i < e->req->atoms.len; i++) {
        if (!in[i])
            continue;
        const vs_atom *a = &e->req->atoms.items[i];
        if (a->forbid)
            continue;
        for (uint32_t j = 0; j < a->count; j++) {
            uint32_t p = e->req->ids.items[a->first + j];
            if (!encode_in_cone(e, p))
                continue;
            if (found != VS_NONE)
                return VS_NONE;
            found = p;
        }
    }
    return found;
}

/* The inner request of explain_inside: one atom per unconditional dependency clause of p and,
 * with conflicts, one forbidding atom per name of the cone packages that conflict with p (p's
 * conflicts, either way round), desc the name. Returns the count of dependency atoms. */
static size_t inner_request(const vs_encoding *e, uint32_t p, int conflicts, vs_request *inner)
{
    const vs_universe *u = e->u;
    uint32_t first, count;
    encode_clauses(e, p, &first, &count);
    for (uint32_t c = 0; c < count; c++) {
        const vs_clause *cl = &u->clauses.items[first + c];
        if (cl->cond != VS_NONE)
            continue;
        uint32_t name = cl->count ? u->pkgs.items[u->ids.items[cl->first]].name : VS_NONE;
        request_add_atom(inner, cl->desc, name, vec_at(&u->ids, cl->first), cl->count);
    }
    size_t n_deps = inner->atoms.len;
    u32_vec run = { 0 };
    for (size_t i = 0; conflicts && i < e->cone.len;) {   /* the cone is in id order: by name */
        uint32_t name = u->pkgs.items[e->cone.items[i]].name;
        run.len = 0;
        for (; i < e->cone.len && u->pkgs.items[e->cone.items[i]].name == name; i++)
            if (!(u->pkgs.items[e->cone.items[i]].flags & VS_PKG_VIRTUAL) && conflicting(u, p, e->cone.items[i]))
                vec_push(&run, e->cone.items[i]);
        if (run.len)
            request_forbid(inner, u->names.items[name].str, name, run.items, run.len);
    }
    vec_free(&run);
    return n_deps;
}

/* Why p's own conflicts rule out what its dependencies in the clash need: a dependency that
 * forces a name whose every version still possible is one p conflicts with. */
static void explain_own_conflicts(text *t, const vs_encoding *e2, uint32_t p, const unsigned char *in2, size_t n_deps)
{
    const vs_universe *u = e2->u;
    const vs_request *req = e2->req;
    name_memo *memo = name_memo_new(u);
    if (!memo)
        return;
    int said = 0;
    for (size_t i = 0; i < n_deps && !said; i++) {
        if (!in2[i])
            continue;
        const vs_atom *a = &req->atoms.items[i];
        implied im;
        if (implied_compute(e2, vec_at(&req->ids, a->first), a->count, memo, &im) != VSOLVE_OK) {
            implied_free(&im);
            break;
        }
        for (size_t f = n_deps; f < req->atoms.len && !said; f++) {
            uint32_t x = req->atoms.items[f].name;
            if (!in2[f] || !im.forced[x] || !allowed_any(u, &im, x))
                continue;
            const vs_name *nm = &u->names.items[x];
            int all = 1;
            for (uint32_t j = 0; j < nm->n_pkgs && all; j++)
                all = !im.allowed[nm->first_pkg + j] || conflicting(u, p, nm->first_pkg + j);
            if (!all)
                continue;
            if (im.via[x] == VS_NONE) {   /* a dependency of p on x itself */
                say(t, "Why: %s %s needs %s and conflicts with every version of it that could be installed (",
                    universe_pkg_name(u, p), universe_pkg_version(u, p), universe_str(u, nm->str));
                say_allowed(t, u, &im, x);
                say(t, ").\n");
            } else {
                say(t, "Why: %s %s conflicts with every version of %s it could use:\n", universe_pkg_name(u, p),
                    universe_pkg_version(u, p), universe_str(u, nm->str));
                say_need(t, u, req, i, &im, x);
            }
            said = 1;
        }
        implied_free(&im);
    }
    name_memo_free(memo);
}

/* An inner request of explain_inside, asked of the outermost encoding's solver (`root`)
 * rather than of a solver of its own, so that its request is not encoded again and its SAT
 * calls reuse what the solver learned. The root cone holds the inner cone (the inner request
 * is the dependencies of a package of a cone within it), and the root's clauses, with its
 * packages outside the inner cone not installed and its own request atoms not assumed, have
 * the models of the inner cone's own encoding: a package's clauses name only providers inside
 * any cone that holds it, a clause whose condition lies outside holds, and the ladders, groups
 * and conflicts only forbid. So the inner atoms need only their selector clauses (plain
 * provider literals). When the cones do not nest that way (a package whose root variant one
 * of them uses), the inner request gets its own encoding, the root of the levels below. */
typedef struct inner {
    vs_encoding e;    /* the inner request's cone and selectors; e.s is root's solver unless own */
    int own;          /* e has a solver of its own (encode_request_whole) */
    int_vec off;      /* the assumptions -x_q for the root cone's packages q outside e's cone */
} inner;

static void inner_free(inner *x)
{
    if (x->own) {
        encoding_free(&x->e);
    } else {
        cone_free(&x->e.cone);
        vec_free(&x->e.selectors);
    }
    vec_free(&x->off);
}

/* Can root's solver answer for cone c (see inner)? */
static int nests(const vs_encoding *root, const vs_cone *c)
{
    const vs_universe *u = root->u;
    for (size_t i = 0; i < c->len; i++) {
        uint32_t q = c->items[i], name = u->pkgs.items[q].name;
        if (!encode_in_cone(root, q) ||
            ((u->pkgs.items[q].flags & VS_PKG_ROOT_VARIANT) && c->root_name[name] != root->cone.root_name[name]))
            return 0;
    }
    return 1;
}

static int inner_encode(inner *x, vs_encoding *root, const vs_universe *u, const vs_request *req)
{
    memset(x, 0, sizeof *x);
    x->e.u = u;
    x->e.req = req;
    int rc = cone_whole(&x->e.cone, u, req);
    if (rc != VSOLVE_OK)
        return rc;
    if (!root->s || !nests(root, &x->e.cone)) {
        cone_free(&x->e.cone);
        x->own = 1;
        rc = encode_request_whole(&x->e, u, req);
        if (rc == VSOLVE_OK && root->s)   /* the outer solve's time limit holds here too */
            sat_set_deadline(x->e.s, sat_deadline(root->s));
        return rc;
    }
    x->e.s = root->s;
    for (size_t i = 0; i < root->cone.len; i++)
        if (!encode_in_cone(&x->e, root->cone.items[i]) && !vec_push(&x->off, -encode_lit(root, root->cone.items[i])))
            return VSOLVE_ENOMEM;
    int_vec cl = { 0 };
    for (size_t i = 0; i < req->atoms.len && rc == VSOLVE_OK; i++) {
        const vs_atom *a = &req->atoms.items[i];
        int sel = (int)sat_add_vars(root->s, 1) + 1;
        cl.len = 0;
        if (!vec_push(&x->e.selectors, sel) || !vec_push(&cl, -sel))
            rc = VSOLVE_ENOMEM;
        for (uint32_t j = 0; j < a->count && rc == VSOLVE_OK; j++) {
            uint32_t q = req->ids.items[a->first + j];
            if (!encode_in_cone(&x->e, q))
                continue;
            if (a->forbid) {   /* -sel v -x_q for each */
                int two[2] = { -sel, -encode_lit(root, q) };
                if (sat_add_clause(root->s, two, 2) < 0)
                    rc = VSOLVE_ENOMEM;
            } else if (!vec_push(&cl, encode_lit(root, q))) {
                rc = VSOLVE_ENOMEM;
            }
        }
        if (rc == VSOLVE_OK && !a->forbid && sat_add_clause(root->s, cl.items, cl.len) < 0)
            rc = VSOLVE_ENOMEM;
    }
    vec_free(&cl);
    return rc;
}

/* When one requirement alone cannot be met and only one package could meet it (a cargo root,
 * a pinned version), the clash is among that package's own dependencies: ask again with them
 * as the requirements, a few levels down, and explain the clash found there. When they can
 * all be met together, the clash is with the package's own conflicts: ask again with those as
 * forbidding requirements. The questions go to root's solver (see inner). */
static void explain_inside(text *t, vs_encoding *e, vs_encoding *root, const unsigned char *in, int depth)
{
    const vs_universe *u = e->u;
    uint32_t p = only_candidate(e, in);
    if (p == VS_NONE || depth > 6)
        return;
    if (!have_clause_descs(t))   /* the inner atoms are clause descriptions */
        return;
    for (int conflicts = 0; conflicts < 2; conflicts++) {
        vs_request inner_req;
        request_init(&inner_req);
        size_t n_deps = inner_request(e, p, conflicts, &inner_req);
        inner x;
        unsigned char *in2 = NULL;
        int again = 0;
        if (inner_req.atoms.len > n_deps || (!conflicts && n_deps)) {
            if (inner_encode(&x, root, u, &inner_req) == VSOLVE_OK && (in2 = calloc(inner_req.atoms.len, 1)) != NULL) {
                vs_encoding *e2 = &x.e, *root2 = x.own ? &x.e : root;
                size_t n = e2->selectors.len;
                int *lits = NULL;
                if (!conflicts && (lits = malloc((x.off.len + n) * sizeof *lits)) != NULL) {
                    if (x.off.len)
                        memcpy(lits, x.off.items, x.off.len * sizeof *lits);
                    memcpy(lits + x.off.len, e2->selectors.items, n * sizeof *lits);
                }
                if (!conflicts && (!lits || sat_solve(e2->s, lits, x.off.len + n) != SAT_UNSAT)) {
                    again = lits != NULL;   /* the dependencies can all be met: the clash is with p's conflicts */
                } else {
                    size_t members = minimal_clash(e2->s, e2->selectors.items, n, x.off.items, x.off.len, in2);
                    size_t own = 0;
                    for (size_t i = n_deps; i < inner_req.atoms.len; i++)
                        own += in2[i];
                    int quiet = members == 1 && (u->pkgs.items[p].flags & VS_PKG_VIRTUAL);   /* a feature node: look through */
                    if (members > 0 && own > 0) {
                        say(t, "%s %s needs %s, which its own conflicts rule out:\n", universe_pkg_name(u, p),
                            universe_pkg_version(u, p), members - own == 1 ? "this" : "these");
                        unsigned char *deps = calloc(inner_req.atoms.len, 1);
                        if (deps) {
                            memcpy(deps, in2, n_deps);
                            say_atoms(t, e2, deps);
                            free(deps);
                        }
                        for (size_t i = n_deps; i < inner_req.atoms.len; i++) {
                            const vs_atom *a = &inner_req.atoms.items[i];
                            if (!in2[i])
                                continue;
                            say(t, "  - %s %s conflicts with %s ", universe_pkg_name(u, p), universe_pkg_version(u, p),
                                universe_str(u, a->desc));
                            say_versions(t, u, vec_at(&inner_req.ids, a->first), a->count);
                            say(t, "\n");
                        }
                        explain_own_conflicts(t, e2, p, in2, n_deps);
                    } else if (members > 0) {
                        if (!quiet) {
                            say(t, "%s %s needs %s:\n", universe_pkg_name(u, p), universe_pkg_version(u, p),
                                members == 1 ? "this, which cannot be met" : "these, which cannot hold together");
                            say_atoms(t, e2, in2);
                        }
                        if (members == 1) {
                            explain_inside(t, e2, root2, in2, depth + 1);
                        } else {
                            size_t mus[8] = { 0 }, n_mus = 0;
                            for (size_t i = 0; i < inner_req.atoms.len && n_mus < 8; i++)
                                if (in2[i])
                                    mus[n_mus++] = i;
                            explain_clash(t, e2, mus, n_mus);
                        }
                    }
                }
                free(lits);
            }
            inner_free(&x);
        }
        free(in2);
        request_free(&inner_req);
        if (!again)
            break;
    }
}

/* The explanation: the minimal clash is searched with `search`'s solver and shown and reasoned
 * about on `shown`'s cone. With proof_needed, the clash must be proven by its reason: without
 * one, NULL with *unproven = 1. NULL with *unproven = 0 when out of memory. */
static char *explain(vs_encoding *search, vs_encoding *shown, int proof_needed, int *unproven, vs_universe *u,
                     u32_vec *clash, u32_vec *unavailable, vs_error *err)
{
    text t = { .u = u, .err = err, .unavailable = unavailable };
    unavailable->len = 0;
    const vs_request *req = shown->req;
    *unproven = 0;
    say(&t, "The request cannot be satisfied.\n");

    int direct = 0;
    clash->len = 0;
    for (size_t i = 0; i < req->atoms.len; i++)
        if (atom_without_candidates(&t, shown, &req->atoms.items[i])) {
            direct++;
            if (!vec_push(clash, (uint32_t)i))
                t.oom = 1;
        }
    size_t n = search->selectors.len;
    unsigned char *in = direct ? NULL : calloc(n ? n : 1, 1);
    if (direct || !in) {
        if (direct && !t.oom)
            return t.buf;
        free(t.buf);
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    size_t members = minimal_clash(search->s, search->selectors.items, n, NULL, 0, in);
    for (size_t i = 0; i < n; i++)
        if (in[i] && !vec_push(clash, (uint32_t)i))
            t.oom = 1;
    if (members == 1)
        say(&t, "This requirement cannot be met by any version together with its dependencies:\n");
    else
        say(&t, "These %zu requirements cannot hold together:\n", members);
    say_atoms(&t, shown, in);
    size_t mus[8] = { 0 }, n_mus = 0;
    for (size_t i = 0; i < n && n_mus < 8; i++)
        if (in[i] && !req->atoms.items[i].forbid)
            mus[n_mus++] = i;
    int proven = members > 0 && explain_clash(&t, shown, mus, n_mus);
    if (!proven && proof_needed) {
        *unproven = 1;
        t.oom = 1;   /* discarded below */
    } else if (!proven && members == 1) {
        explain_inside(&t, shown, shown, in, 0);
    }
    free(in);
    if (t.oom) {
        free(t.buf);
        if (!*unproven && err->code == VSOLVE_OK)
            vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    return t.buf;
}

char *explain_unsat(vs_encoding *e, vs_universe *u, u32_vec *clash, u32_vec *unavailable, vs_error *err)
{
    int unproven;
    return explain(e, e, 0, &unproven, u, clash, unavailable, err);
}

char *explain_unsat_pruned(vs_encoding *pruned, vs_universe *u, int *unproven, u32_vec *clash, u32_vec *unavailable,
                           vs_error *err)
{
    vs_encoding whole;
    *unproven = 0;
    if (encode_cone(&whole, pruned->u, pruned->req) != VSOLVE_OK) {
        encoding_free(&whole);
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    char *words = explain(pruned, &whole, 1, unproven, u, clash, unavailable, err);
    encoding_free(&whole);
    return words;
}
