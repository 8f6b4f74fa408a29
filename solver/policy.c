/* policy.c: greedy lexicographic preference through SAT assumptions.
 * A preference that the current model already satisfies costs no solver call; only a
 * preference the model violates is tried (as assumptions), and kept if the solver finds a model
 * with it. A kept preference becomes unit clauses: the solver propagates it once, not on every
 * later call. */
#include "policy.h"
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

typedef struct policy {
    vs_encoding *e;
    const vs_universe *u;
    unsigned char *model;   /* cone index -> installed */
    int_vec assumptions;   /* the request selectors (kept preferences are unit clauses) */
    int_vec trial;         /* assumptions + the preference being tried */
    unsigned char *line_done;  /* version line -> already optimized */
    size_t n_lines;
    unsigned char *edge_done;  /* clause -> its line already chosen (allocated when one spans) */
} policy;

static void read_model(policy *p)
{
    for (size_t i = 0; i < p->e->cone.len; i++)
        p->model[i] = (unsigned char)sat_model_value(p->e->s, (uint32_t)i);
}

static int installed(const policy *p, uint32_t pkg)
{
    return encode_in_cone(p->e, pkg) && p->model[p->e->cone.var_of_pkg[pkg]];
}

/* Tries the preference extra[0..n) on top of those kept so far. On success keeps it and
 * refreshes the model. Returns 1 if kept, 0 if not, negative on error. */
static int try_keep(policy *p, const int *extra, size_t n)
{
    int satisfied = 1;
    for (size_t i = 0; i < n && satisfied; i++) {
        int lit = extra[i];
        uint32_t var = (uint32_t)abs(lit) - 1;
        int val = var < p->e->cone.len ? p->model[var] : 1;
        if ((lit > 0) != (val != 0))
            satisfied = 0;
    }
    if (!satisfied) {
        p->trial.len = 0;
        if (!vec_append(&p->trial, p->assumptions.items, p->assumptions.len) || !vec_append(&p->trial, extra, n))
            return -VSOLVE_ENOMEM;
        enum sat_answer a = sat_solve(p->e->s, p->trial.items, p->trial.len);
        if (a != SAT_SAT)
            return 0;
        read_model(p);
    }
    for (size_t i = 0; i < n; i++)   /* kept for good: a unit clause, propagated once */
        if (sat_add_clause(p->e->s, &extra[i], 1) < 0)
            return -VSOLVE_ENOMEM;
    return 1;
}

/* Tries the preference "at least one of any[0..n) holds" on top of those kept so far: the
 * solver assumes a fresh selector that implies the clause. On success keeps the clause for good
 * and refreshes the model. Returns 1 if kept, 0 if not, negative on error. */
static int try_keep_any(policy *p, const int *any, size_t n)
{
    int satisfied = 0;
    for (size_t i = 0; i < n && !satisfied; i++) {
        uint32_t var = (uint32_t)abs(any[i]) - 1;
        satisfied = var < p->e->cone.len && (any[i] > 0) == (p->model[var] != 0);
    }
    if (satisfied)
        return sat_add_clause(p->e->s, any, n) < 0 ? -VSOLVE_ENOMEM : 1;
    int sel = (int)sat_add_vars(p->e->s, 1) + 1;
    p->trial.len = 0;   /* first the clause "not sel, or one of any" */
    if (!vec_push(&p->trial, -sel) || !vec_append(&p->trial, any, n) || sat_add_clause(p->e->s, p->trial.items, p->trial.len) < 0)
        return -VSOLVE_ENOMEM;
    p->trial.len = 0;
    if (!vec_append(&p->trial, p->assumptions.items, p->assumptions.len) || !vec_push(&p->trial, sel))
        return -VSOLVE_ENOMEM;
    if (sat_solve(p->e->s, p->trial.items, p->trial.len) != SAT_SAT)
        return 0;
    read_model(p);
    return sat_add_clause(p->e->s, &sel, 1) < 0 ? -VSOLVE_ENOMEM : 1;
}

/* Step 0: keep what the request wants kept (installed or locked versions), one at a time. */
static int keep_packages(policy *p)
{
    const u32_vec *keep = &p->e->req->keep;
    for (size_t i = 0; i < keep->len; i++) {
        uint32_t pkg = keep->items[i];
        if (!encode_in_cone(p->e, pkg))
            continue;
        int lit = encode_lit(p->e, pkg);
        int r = try_keep(p, &lit, 1);
        if (r < 0)
            return -r;
    }
    return VSOLVE_OK;
}

/* Step 1: exclude every avoid-version package that can be excluded. */
static int avoid_versions(policy *p, int_vec *lits)
{
    lits->len = 0;
    for (size_t i = 0; i < p->e->cone.len; i++)
        if (p->u->pkgs.items[p->e->cone.items[i]].flags & VS_PKG_AVOID)
            if (!vec_push(lits, -(int)(i + 1)))
                return VSOLVE_ENOMEM;
    int r = try_keep(p, lits->items, lits->len);
    if (r < 0)
        return -r;
    if (r == 0) {
        size_t n = lits->len;
        for (size_t i = 0; i < n; i++) {
            r = try_keep(p, &lits->items[i], 1);
            if (r < 0)
                return -r;
        }
    }
    return VSOLVE_OK;
}

/* A version line: the versions of a name that exclude each other (one slot), oldest first.
 * opam has one line per name; cargo one per semver-compatible range of a crate. Lines are
 * numbered: a slot's group id, or groups.len + name for a name without slots. */
static uint32_t line_of(const policy *p, uint32_t pkg)
{
    const vs_pkg *pk = &p->u->pkgs.items[pkg];
    return pk->slot != VS_NONE ? pk->slot : (uint32_t)p->u->groups.len + pk->name;
}

static int same_line(const policy *p, uint32_t a, uint32_t b)
{
    return p->u->pkgs.items[a].name == p->u->pkgs.items[b].name && p->u->pkgs.items[a].slot == p->u->pkgs.items[b].slot;
}

static int is_virtual(const policy *p, uint32_t pkg)
{
    return (p->u->pkgs.items[pkg].flags & VS_PKG_VIRTUAL) != 0;
}

/* Appends "no version of rep's line older than members[j]" for the line's cone versions. */
static int not_older_than(policy *p, uint32_t rep, uint32_t newest, int_vec *lits)
{
    const vs_name *nm = &p->u->names.items[p->u->pkgs.items[rep].name];
    for (uint32_t k = nm->first_pkg; k < newest; k++)
        if (same_line(p, k, rep) && encode_in_cone(p->e, k) && !vec_push(lits, -encode_lit(p->e, k)))
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

/* The newest version of rep's line in the cone. */
static uint32_t newest_in_line(const policy *p, uint32_t rep)
{
    const vs_name *nm = &p->u->names.items[p->u->pkgs.items[rep].name];
    for (uint32_t j = nm->n_pkgs; j-- > 0;) {
        uint32_t v = nm->first_pkg + j;
        if (same_line(p, v, rep) && encode_in_cone(p->e, v))
            return v;
    }
    return rep;
}

/* After "no version of rep's line older than v" failed: the newest version of the line that the
 * solver's failed assumptions leave possible. Every trial for a version newer than the newest
 * "not k" in the core repeats the whole core, so it would fail too. VS_NONE when the core names
 * no version of the line (then nothing can be skipped). */
static uint32_t newest_not_refuted(policy *p, uint32_t rep)
{
    const int *core;
    size_t k = sat_failed_assumptions(p->e->s, &core);
    uint32_t newest = VS_NONE;
    for (size_t c = 0; c < k; c++) {
        uint32_t var = (uint32_t)abs(core[c]) - 1;
        if (core[c] > 0 || var >= p->e->cone.len)
            continue;
        uint32_t pkg = p->e->cone.items[var];
        if (same_line(p, pkg, rep) && (newest == VS_NONE || pkg > newest))
            newest = pkg;
    }
    return newest;
}

/* Makes rep's line as new as possible: the newest version v such that "no version of the line
 * older than v is installed" still has a model (with skip_newest, the newest is known to fail).
 * "Not installed" satisfies the preference too. Versions newer than what a failed trial's core
 * leaves possible are skipped without a solver call: they would fail the same way. */
static int newest_version(policy *p, uint32_t rep, int skip_newest, int_vec *lits)
{
    p->line_done[line_of(p, rep)] = 1;
    if (is_virtual(p, rep))
        return VSOLVE_OK;   /* condition nodes follow their package's version */
    const vs_name *nm = &p->u->names.items[p->u->pkgs.items[rep].name];
    uint32_t cur = VS_NONE;
    for (uint32_t j = 0; j < nm->n_pkgs; j++)
        if (same_line(p, nm->first_pkg + j, rep) && installed(p, nm->first_pkg + j))
            cur = nm->first_pkg + j;
    if (cur == VS_NONE)
        return VSOLVE_OK;
    int skipped = !skip_newest;
    uint32_t limit = VS_NONE;   /* candidates above this are known to fail */
    for (uint32_t j = nm->n_pkgs; j-- > 0;) {   /* candidates newer than cur, newest first */
        uint32_t v = nm->first_pkg + j;
        if (!same_line(p, v, rep) || !encode_in_cone(p->e, v) || (limit != VS_NONE && v > limit && v != cur))
            continue;
        if (!skipped) {   /* known not to work: the batch tried it */
            skipped = 1;
            if (v != cur)
                continue;
        }
        lits->len = 0;
        if (not_older_than(p, rep, v, lits) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
        int r = try_keep(p, lits->items, lits->len);
        if (r < 0)
            return -r;
        if (r == 1 || v == cur)
            return VSOLVE_OK;
        limit = newest_not_refuted(p, rep);
    }
    return VSOLVE_OK;
}

/* Tries the newest version of every line of reps together; while that has no model, the
 * solver's failed assumptions name the culprits, and the last of them in breadth-first order
 * (the one a one-at-a-time pass would reject) is set aside. Set-aside lines are marked. */
static int newest_in_batch(policy *p, const uint32_t *reps, size_t n, unsigned char *rejected, int_vec *lits)
{
    for (;;) {
        lits->len = 0;
        for (size_t i = 0; i < n; i++)
            if (!rejected[i] && not_older_than(p, reps[i], newest_in_line(p, reps[i]), lits) != VSOLVE_OK)
                return VSOLVE_ENOMEM;
        if (lits->len == 0)
            return VSOLVE_OK;
        int r = try_keep(p, lits->items, lits->len);
        if (r < 0)
            return -r;
        if (r == 1)
            return VSOLVE_OK;
        const int *core;
        size_t k = sat_failed_assumptions(p->e->s, &core);
        size_t culprit = SIZE_MAX;
        for (size_t c = 0; c < k; c++) {
            uint32_t var = (uint32_t)abs(core[c]) - 1;
            if (core[c] > 0 || var >= p->e->cone.len)
                continue;   /* not a "no older version" literal */
            uint32_t line = line_of(p, p->e->cone.items[var]);
            for (size_t i = n; i-- > 0;)
                if (!rejected[i] && line_of(p, reps[i]) == line && (culprit == SIZE_MAX || i > culprit)) {
                    culprit = i;
                    break;
                }
        }
        if (culprit == SIZE_MAX)   /* no usable core: fall back to the last line */
            for (size_t i = n; i-- > 0 && culprit == SIZE_MAX;)
                if (!rejected[i])
                    culprit = i;
        rejected[culprit] = 1;
    }
}

/* Step 3 for one breadth-first level: every line at its newest version where possible (in
 * batches), then the others as new as possible one at a time. */
static int newest_level(policy *p, const uint32_t *reps, size_t n, int_vec *lits)
{
    u32_vec todo = { 0 };
    for (size_t i = 0; i < n; i++)
        if (!p->line_done[line_of(p, reps[i])] && !is_virtual(p, reps[i]) && !vec_push(&todo, reps[i])) {
            vec_free(&todo);
            return VSOLVE_ENOMEM;
        }
    unsigned char *rejected = calloc(todo.len ? todo.len : 1, 1);
    int rc = rejected ? VSOLVE_OK : VSOLVE_ENOMEM;
    if (rc == VSOLVE_OK && todo.len)
        rc = newest_in_batch(p, todo.items, todo.len, rejected, lits);
    for (size_t i = 0; i < todo.len && rc == VSOLVE_OK; i++) {
        if (rejected[i])
            rc = newest_version(p, todo.items[i], 1, lits);
        p->line_done[line_of(p, todo.items[i])] = 1;
    }
    free(rejected);
    vec_free(&todo);
    return rc;
}

/* The providers of clause cl in the cone when they are versions of one name in several lines
 * (cargo: a requirement spanning semver-compatible ranges, `log >= 0.3, < 0.5`): 1, else 0.
 * Names with one line (opam, CUDF) have no such clause. */
static int spans_lines(const policy *p, const vs_clause *cl)
{
    uint32_t first = VS_NONE;
    int spans = 0;
    for (uint32_t j = 0; j < cl->count; j++) {
        uint32_t q = p->u->ids.items[cl->first + j];
        if (!encode_in_cone(p->e, q))
            continue;
        if (is_virtual(p, q) || p->u->pkgs.items[q].slot == VS_NONE)
            return 0;
        if (first == VS_NONE)
            first = q;
        else if (p->u->pkgs.items[q].name != p->u->pkgs.items[first].name)
            return 0;
        else
            spans |= !same_line(p, q, first);
    }
    return spans;
}

/* The clauses in which pkg's crate, through its other installed virtual packages (cargo: its
 * features), asks something of the versions of name: those whose providers are all virtual
 * packages of that name's versions (`abscissa_derive ^0 with feature options`, from abscissa's
 * feature `options`). Needs the request's owner map; none without one. */
static int asked_of_edge(const policy *p, uint32_t pkg, uint32_t name, u32_vec *asked)
{
    const uint32_t *owner = p->e->req->owner;
    asked->len = 0;
    if (!owner)
        return VSOLVE_OK;
    uint32_t crate = owner[pkg] != VS_NONE ? owner[pkg] : pkg;
    for (size_t i = 0; i < p->e->cone.len; i++) {
        uint32_t f = p->e->cone.items[i];
        if (!p->model[i] || f == pkg || owner[f] != crate)
            continue;
        uint32_t first, count;
        encode_clauses(p->e, f, &first, &count);
        for (uint32_t c = 0; c < count; c++) {
            const vs_clause *cl = &p->u->clauses.items[first + c];
            int of_name = 0;
            for (uint32_t j = 0; j < cl->count && of_name >= 0; j++) {
                uint32_t q = p->u->ids.items[cl->first + j];
                if (!encode_in_cone(p->e, q))
                    continue;
                of_name = owner[q] != VS_NONE && p->u->pkgs.items[owner[q]].name == name ? 1 : -1;
            }
            if ((cl->cond == VS_NONE || installed(p, cl->cond)) && of_name == 1 && !vec_push(asked, first + c))
                return VSOLVE_ENOMEM;
        }
    }
    return VSOLVE_OK;
}

/* Does version w have what every asked clause asks (one of its providers belongs to w)? */
static int serves_asked(const policy *p, uint32_t w, const u32_vec *asked)
{
    for (size_t a = 0; a < asked->len; a++) {
        const vs_clause *cl = &p->u->clauses.items[asked->items[a]];
        int served = 0;
        for (uint32_t j = 0; j < cl->count && !served; j++) {
            uint32_t q = p->u->ids.items[cl->first + j];
            served = encode_in_cone(p->e, q) && p->e->req->owner[q] == w;
        }
        if (!served)
            return 0;
    }
    return 1;
}

/* The newest installed provider of cl that the request keeps (a locked version), or VS_NONE. */
static uint32_t kept_provider(const policy *p, const vs_clause *cl)
{
    uint32_t best = VS_NONE;
    for (uint32_t j = 0; j < cl->count; j++) {
        uint32_t q = p->u->ids.items[cl->first + j];
        for (size_t k = 0; k < p->e->req->keep.len && installed(p, q) && (best == VS_NONE || q > best); k++)
            if (p->e->req->keep.items[k] == q)
                best = q;
    }
    return best;
}

/* Tries "pkg (and cl's condition) installed implies one of cl's providers in top's line that
 * serve the asked clauses"; *low becomes the line's oldest provider. Returns 1 if kept, 0 if
 * not (or the line has no such provider), negative on error. */
static int try_edge_line(policy *p, uint32_t pkg, const vs_clause *cl, uint32_t top, const u32_vec *asked, int_vec *lits,
                         uint32_t *low)
{
    lits->len = 0;
    if (!vec_push(lits, -encode_lit(p->e, pkg)) || (cl->cond != VS_NONE && !vec_push(lits, -encode_lit(p->e, cl->cond))))
        return -VSOLVE_ENOMEM;
    size_t head = lits->len;
    *low = top;
    for (uint32_t j = 0; j < cl->count; j++) {
        uint32_t q = p->u->ids.items[cl->first + j];
        if (!encode_in_cone(p->e, q) || !same_line(p, q, top))
            continue;
        *low = q < *low ? q : *low;
        if (serves_asked(p, q, asked) && !vec_push(lits, encode_lit(p->e, q)))
            return -VSOLVE_ENOMEM;
    }
    return lits->len == head ? 0 : try_keep_any(p, lits->items, lits->len);
}

/* Step 3, for a clause of installed package pkg whose providers span lines: cargo gives such a
 * dependency edge its newest candidate having every feature the dependent asks of it (a locked
 * version first), whichever line it lies in, and the edge keeps it whatever other edges take
 * (`console >= 0.3, < 1.0` takes 0.9.1 beside the 0.7.7 of another edge's `console ^0.7`). So
 * the edge gets "pkg (and the clause's condition) installed implies one of the providers of
 * line L having those features", for the highest line L that still has a model; the line a
 * model already gives it is kept like that too. Which version of L is the line's own step. */
static int edge_takes_highest_line(policy *p, uint32_t pkg, uint32_t clause_id, int_vec *lits)
{
    const vs_clause *cl = &p->u->clauses.items[clause_id];
    if (!installed(p, pkg) || (cl->cond != VS_NONE && !installed(p, cl->cond)) || !spans_lines(p, cl))
        return VSOLVE_OK;
    if (!p->edge_done && !(p->edge_done = calloc(p->u->clauses.len, 1)))
        return VSOLVE_ENOMEM;
    if (p->edge_done[clause_id])
        return VSOLVE_OK;
    p->edge_done[clause_id] = 1;
    u32_vec asked = { 0 };
    int r = -asked_of_edge(p, pkg, p->u->pkgs.items[p->u->ids.items[cl->first]].name, &asked);
    uint32_t kept = kept_provider(p, cl), below = VS_NONE, low;
    if (r == 0 && kept != VS_NONE)
        r = try_edge_line(p, pkg, cl, kept, &asked, lits, &low);
    while (r == 0) {   /* the lines from the highest down, until one is kept */
        uint32_t top = VS_NONE;   /* the newest provider below those tried: the next line down */
        for (uint32_t j = 0; j < cl->count; j++) {
            uint32_t q = p->u->ids.items[cl->first + j];
            if (encode_in_cone(p->e, q) && q < below && (top == VS_NONE || q > top))
                top = q;
        }
        if (top == VS_NONE)
            break;
        r = try_edge_line(p, pkg, cl, top, &asked, lits, &below);
    }
    vec_free(&asked);
    return r < 0 ? -r : VSOLVE_OK;
}

/* Step 3: breadth-first over the installed packages, from the requested ones, level by level. */
static int newest_everywhere(policy *p, int_vec *lits)
{
    const vs_universe *u = p->u;
    const vs_encoding *e = p->e;
    u32_vec queue = { 0 };   /* installed packages, one per line */
    size_t level_end = 0;
    unsigned char *queued = calloc(p->n_lines ? p->n_lines : 1, 1);
    int rc = queued ? VSOLVE_OK : VSOLVE_ENOMEM;
    for (int round = 0; rc == VSOLVE_OK; round++) {
        /* seed: the requested lines first, then (later rounds) any installed line not yet done */
        size_t before = queue.len;
        for (size_t i = 0; i < e->cone.len && rc == VSOLVE_OK; i++) {
            if (!p->model[i])
                continue;
            uint32_t pkg = e->cone.items[i], line = line_of(p, pkg);
            if ((round == 0 && !p->line_done[line]) || queued[line])
                continue;
            queued[line] = 1;
            if (!vec_push(&queue, pkg))
                rc = VSOLVE_ENOMEM;
        }
        if (queue.len == before)
            break;
        for (size_t head = before; head < queue.len && rc == VSOLVE_OK; head++) {
            if (head == before || head == level_end) {   /* a new level: settle all of it first */
                level_end = queue.len;
                rc = newest_level(p, queue.items + head, level_end - head, lits);
                if (rc != VSOLVE_OK)
                    break;
            }
            uint32_t rep = queue.items[head];
            const vs_name *nm = &u->names.items[u->pkgs.items[rep].name];
            for (uint32_t j = 0; j < nm->n_pkgs && rc == VSOLVE_OK; j++) {
                uint32_t pkg = nm->first_pkg + j;
                if (!same_line(p, pkg, rep) || !installed(p, pkg))
                    continue;
                uint32_t first, count;
                encode_clauses(e, pkg, &first, &count);
                for (uint32_t c = 0; c < count && rc == VSOLVE_OK; c++) {
                    const vs_clause *cl = &u->clauses.items[first + c];
                    rc = edge_takes_highest_line(p, pkg, first + c, lits);
                    for (uint32_t k = 0; k < cl->count && rc == VSOLVE_OK; k++) {
                        uint32_t q = u->ids.items[cl->first + k];
                        if (installed(p, q) && !queued[line_of(p, q)]) {
                            queued[line_of(p, q)] = 1;
                            if (!vec_push(&queue, q))
                                rc = VSOLVE_ENOMEM;
                        }
                    }
                }
            }
        }
    }
    free(queued);
    vec_free(&queue);
    return rc;
}

/* One pass of step 3b: tries to do without each installed line below its name's highest line
 * in the cone. Returns 1 if a line was given up, 0 if not, negative on error. */
static int give_up_lower_lines(policy *p, int_vec *lits)
{
    const vs_universe *u = p->u;
    const vs_encoding *e = p->e;
    int changed = 0;
    for (size_t i = 0; i < e->cone.len; i++) {
        if (!p->model[i])
            continue;
        uint32_t pkg = e->cone.items[i];
        if (is_virtual(p, pkg) || u->pkgs.items[pkg].slot == VS_NONE)
            continue;
        const vs_name *nm = &u->names.items[u->pkgs.items[pkg].name];
        uint32_t top = VS_NONE;
        for (uint32_t j = nm->n_pkgs; j-- > 0 && top == VS_NONE;)
            if (encode_in_cone(e, nm->first_pkg + j))
                top = nm->first_pkg + j;
        if (top == VS_NONE || same_line(p, top, pkg))
            continue;
        /* without this line, and without moving down: lower lines not installed now stay out */
        lits->len = 0;
        for (uint32_t j = 0; j < nm->n_pkgs; j++) {
            uint32_t v = nm->first_pkg + j;
            if (v > pkg && !same_line(p, v, pkg))
                break;   /* the lines above */
            if (!encode_in_cone(e, v))
                continue;
            int lower_line_in_use = 0;
            if (!same_line(p, v, pkg))
                for (uint32_t k = 0; k < nm->n_pkgs && !lower_line_in_use; k++)
                    lower_line_in_use = same_line(p, nm->first_pkg + k, v) && installed(p, nm->first_pkg + k);
            if (!lower_line_in_use && !vec_push(lits, -encode_lit(e, v)))
                return -VSOLVE_ENOMEM;
        }
        int r = try_keep(p, lits->items, lits->len);
        if (r < 0)
            return r;
        changed |= r;
    }
    return changed;
}

/* Step 3b: for a name with several version lines (cargo's semver-compatible ranges), a
 * dependency that several lines could serve should take the highest: do without each installed
 * line below the name's highest one where possible (a line something needs stays), until
 * nothing changes; then make the lines that brought in as new as possible. */
static int prefer_higher_lines(policy *p, int_vec *lits)
{
    int changed = 0;
    for (int round = 0; round < 16; round++) {
        int r = give_up_lower_lines(p, lits);
        if (r < 0)
            return -r;
        if (r == 0)
            break;
        changed = 1;
    }
    return changed ? newest_everywhere(p, lits) : VSOLVE_OK;
}

/* Step 4: uninstall what nothing needs. A package is a removal candidate unless it is the only
 * installed provider of some clause of an installed package or of a request atom. */
static int drop_unneeded(policy *p, int_vec *lits)
{
    const vs_universe *u = p->u;
    const vs_encoding *e = p->e;
    size_t n = e->cone.len;
    unsigned char *needed = calloc(n ? n : 1, 1);
    if (!needed)
        return VSOLVE_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        memset(needed, 0, n);
        for (size_t k = 0; k < e->req->keep.len; k++)   /* kept packages stay */
            if (installed(p, e->req->keep.items[k]))
                needed[e->cone.var_of_pkg[e->req->keep.items[k]]] = 1;
        for (size_t a = 0; a < e->req->atoms.len; a++) {
            const vs_atom *at = &e->req->atoms.items[a];
            if (at->forbid)
                continue;
            uint32_t only = VS_NONE, count = 0;
            for (uint32_t j = 0; j < at->count; j++)
                if (installed(p, e->req->ids.items[at->first + j]))
                    only = e->req->ids.items[at->first + j], count++;
            if (count == 1)
                needed[e->cone.var_of_pkg[only]] = 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (!p->model[i])
                continue;
            uint32_t first, count_c;
            encode_clauses(e, e->cone.items[i], &first, &count_c);
            for (uint32_t c = 0; c < count_c; c++) {
                const vs_clause *cl = &u->clauses.items[first + c];
                if (cl->cond != VS_NONE && !installed(p, cl->cond))
                    continue;
                uint32_t only = VS_NONE, count = 0;
                for (uint32_t j = 0; j < cl->count; j++)
                    if (installed(p, u->ids.items[cl->first + j]))
                        only = u->ids.items[cl->first + j], count++;
                if (count == 1)
                    needed[e->cone.var_of_pkg[only]] = 1;
            }
        }
        /* first pass: everything not needed at once; second pass: one at a time */
        lits->len = 0;
        for (size_t i = 0; i < n; i++)
            if (p->model[i] && !needed[i] && !vec_push(lits, -(int)(i + 1))) {
                free(needed);
                return VSOLVE_ENOMEM;
            }
        if (lits->len == 0)
            break;
        if (pass == 0) {
            int r = try_keep(p, lits->items, lits->len);
            if (r < 0) { free(needed); return -r; }
            if (r == 1)
                continue;   /* recompute: removing some may make others removable */
        } else {
            size_t m = lits->len;
            for (size_t i = 0; i < m; i++) {
                int r = try_keep(p, &lits->items[i], 1);
                if (r < 0) { free(needed); return -r; }
            }
        }
    }
    free(needed);
    return VSOLVE_OK;
}

int policy_optimize(vs_encoding *e, unsigned char *model)
{
    policy p = { .e = e, .u = e->u, .model = model };
    int_vec lits = { 0 };
    int rc = VSOLVE_OK;
    p.n_lines = e->u->groups.len + e->u->names.len;
    p.line_done = calloc(p.n_lines ? p.n_lines : 1, 1);
    if (!p.line_done || !vec_append(&p.assumptions, e->selectors.items, e->selectors.len)) {
        rc = VSOLVE_ENOMEM;
        goto out;
    }
    read_model(&p);

    rc = keep_packages(&p);
    if (rc == VSOLVE_OK)
        rc = avoid_versions(&p, &lits);
    /* step 2: the requested lines (of the atoms' installed matches), newest together where
     * possible, the others as new as possible in request order */
    u32_vec requested = { 0 };
    for (size_t i = 0; i < e->req->atoms.len && rc == VSOLVE_OK; i++) {
        const vs_atom *a = &e->req->atoms.items[i];
        for (uint32_t j = 0; j < a->count && !a->forbid; j++) {
            uint32_t pkg = e->req->ids.items[a->first + j];
            if (installed(&p, pkg)) {
                int again = 0;   /* two atoms on one line (mirage>=4.2 mirage<4.3): once */
                for (size_t k = 0; k < requested.len && !again; k++)
                    again = line_of(&p, requested.items[k]) == line_of(&p, pkg);
                if (!again && !vec_push(&requested, pkg))
                    rc = VSOLVE_ENOMEM;
                break;
            }
        }
    }
    if (rc == VSOLVE_OK)
        rc = newest_level(&p, requested.items, requested.len, &lits);
    vec_free(&requested);
    if (rc == VSOLVE_OK)
        rc = newest_everywhere(&p, &lits);
    if (rc == VSOLVE_OK)
        rc = prefer_higher_lines(&p, &lits);
    if (rc == VSOLVE_OK)
        rc = drop_unneeded(&p, &lits);
out:
    free(p.line_done);
    free(p.edge_done);
    vec_free(&p.assumptions);
    vec_free(&p.trial);
    vec_free(&lits);
    return rc;
}
