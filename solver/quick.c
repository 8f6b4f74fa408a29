/* quick.c: a goal-directed DPLL over a fixed CNF (see quick.h), for clauses whose all-false
 * assignment is a model except for what a chosen literal demands (a package encoding: nothing
 * installed violates nothing).
 *
 * Open variables count as false. A clause "needs a choice" when every negative literal of it
 * is false (its variable true) and no literal is true: one of its open positive literals must
 * become true. The search takes the most recent such clause, sets its last open positive
 * literal true (the newest provider, as encode.c lists them oldest first) as a decision, and
 * propagates units (counting false literals per clause; a clause is scanned when one literal
 * is left). On a conflict the last decision is undone and its negation holds at the level
 * below (plain DPLL, chronological, no learning). When no clause needs a choice, the true
 * variables are a model, checked clause by clause before it is reported. */
#include "quick.h"
#include <stdlib.h>
#include <string.h>

struct quick {
    uint32_t nvars;
    size_t nclauses;
    int *lits;
    uint32_t *start;         /* nclauses + 1 */
    uint32_t *occ_start;     /* per literal index (2 * var + negative), 2 * nvars + 1 */
    uint32_t *occ;           /* clauses holding each literal */
    uint32_t *nneg;          /* per clause: its negative literals */
    uint32_t *nfalse;        /* per clause: its false literals (of propagated assignments) */
    uint32_t *negfalse;      /* per clause: its false negative literals */
    u32_vec positive;        /* clauses without a negative literal: they need a choice at once */
    signed char *val;        /* per variable: 1 true, -1 false, 0 open */
    int_vec trail;           /* assigned literals, in order */
    size_t head;             /* trail[0 .. head) are propagated */
    u32_vec pending;         /* clauses that needed a choice when they were seen */
    u32_vec level_trail, level_pending;   /* per decision level: trail / pending lengths */
    int_vec decision;        /* per decision level: its literal */
    int conflict;
};

static size_t lit_index(int lit)
{
    return 2 * ((size_t)abs(lit) - 1) + (lit < 0);
}

static int value(const quick *q, int lit)
{
    signed char v = q->val[abs(lit) - 1];
    return lit > 0 ? v : -v;
}

quick *quick_new(const int *lits, const uint32_t *start, size_t nclauses, uint32_t nvars)
{
    quick *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    size_t nlits = nclauses ? start[nclauses] : 0, nl = 2 * (size_t)nvars;
    q->nvars = nvars;
    q->nclauses = nclauses;
    q->lits = malloc((nlits ? nlits : 1) * sizeof *q->lits);
    q->start = malloc((nclauses + 1) * sizeof *q->start);
    q->occ_start = calloc(nl + 1, sizeof *q->occ_start);
    q->occ = malloc((nlits ? nlits : 1) * sizeof *q->occ);
    q->nneg = calloc(nclauses ? nclauses : 1, sizeof *q->nneg);
    q->nfalse = calloc(nclauses ? nclauses : 1, sizeof *q->nfalse);
    q->negfalse = calloc(nclauses ? nclauses : 1, sizeof *q->negfalse);
    q->val = calloc(nvars ? nvars : 1, 1);
    if (!q->lits || !q->start || !q->occ_start || !q->occ || !q->nneg || !q->nfalse || !q->negfalse || !q->val) {
        quick_free(q);
        return NULL;
    }
    if (nlits)
        memcpy(q->lits, lits, nlits * sizeof *lits);
    if (nclauses)
        memcpy(q->start, start, (nclauses + 1) * sizeof *start);
    else
        q->start[0] = 0;
    /* occurrence lists, counted then filled */
    for (size_t j = 0; j < nlits; j++)
        q->occ_start[lit_index(lits[j]) + 1]++;
    for (size_t l = 0; l < nl; l++)
        q->occ_start[l + 1] += q->occ_start[l];
    uint32_t *fill = malloc((nl ? nl : 1) * sizeof *fill);
    if (!fill) {
        quick_free(q);
        return NULL;
    }
    memcpy(fill, q->occ_start, nl * sizeof *fill);
    for (size_t c = 0; c < nclauses; c++) {
        for (uint32_t j = start[c]; j < start[c + 1]; j++) {
            q->occ[fill[lit_index(lits[j])]++] = (uint32_t)c;
            q->nneg[c] += lits[j] < 0;
        }
        if (q->nneg[c] == 0 && !vec_push(&q->positive, (uint32_t)c)) {
            free(fill);
            quick_free(q);
            return NULL;
        }
    }
    free(fill);
    return q;
}

void quick_free(quick *q)
{
    if (!q)
        return;
    free(q->lits);
    free(q->start);
    free(q->occ_start);
    free(q->occ);
    free(q->nneg);
    free(q->nfalse);
    free(q->negfalse);
    vec_free(&q->positive);
    free(q->val);
    vec_free(&q->trail);
    vec_free(&q->pending);
    vec_free(&q->level_trail);
    vec_free(&q->level_pending);
    vec_free(&q->decision);
    free(q);
}

/* Makes lit true now; its consequences come with propagate(). */
static int enqueue(quick *q, int lit)
{
    int v = value(q, lit);
    if (v > 0)
        return 0;
    if (v < 0) {
        q->conflict = 1;
        return 0;
    }
    q->val[abs(lit) - 1] = lit > 0 ? 1 : -1;
    return vec_push(&q->trail, lit) ? 0 : -1;
}

/* Looks at clause c once it has a single non-false literal left, or none. */
static int examine(quick *q, uint32_t c)
{
    int open = 0;
    for (uint32_t j = q->start[c]; j < q->start[c + 1]; j++) {
        int v = value(q, q->lits[j]);
        if (v > 0)
            return 0;
        if (v == 0)
            open = q->lits[j];
    }
    if (!open) {
        q->conflict = 1;
        return 0;
    }
    return enqueue(q, open);
}

/* Propagates the trail: counters, units, conflicts, clauses that need a choice. Each
 * propagated literal updates all its counters, so that undo() is exact; a conflict stops it
 * between two literals. */
static int propagate(quick *q)
{
    while (q->head < q->trail.len && !q->conflict) {
        int lit = q->trail.items[q->head++];
        size_t li = lit_index(-lit);   /* clauses where a literal became false */
        for (uint32_t k = q->occ_start[li]; k < q->occ_start[li + 1]; k++) {
            uint32_t c = q->occ[k];
            uint32_t size = q->start[c + 1] - q->start[c];
            q->nfalse[c]++;
            if (lit > 0 && ++q->negfalse[c] == q->nneg[c] && !vec_push(&q->pending, c))
                return -1;
            if (!q->conflict && q->nfalse[c] + 1 >= size && examine(q, c) < 0)
                return -1;
        }
    }
    return 0;
}

/* Undoes the trail down to length to. */
static void undo(quick *q, size_t to)
{
    for (size_t i = q->trail.len; i-- > to;) {
        int lit = q->trail.items[i];
        if (i < q->head) {
            size_t li = lit_index(-lit);
            for (uint32_t k = q->occ_start[li]; k < q->occ_start[li + 1]; k++) {
                uint32_t c = q->occ[k];
                q->nfalse[c]--;
                if (lit > 0)
                    q->negfalse[c]--;
            }
        }
        q->val[abs(lit) - 1] = 0;
    }
    q->trail.len = to;
    if (q->head > to)
        q->head = to;
    q->conflict = 0;
}

/* The literal the most recent clause that needs a choice offers, or 0 when none does; a
 * conflict when such a clause has nothing left to offer. */
static int choose(quick *q)
{
    for (size_t i = q->pending.len; i-- > 0;) {
        uint32_t c = q->pending.items[i];
        int pick = 0, satisfied = 0;
        for (uint32_t j = q->start[c]; j < q->start[c + 1] && !satisfied; j++) {
            int v = value(q, q->lits[j]);
            satisfied = v > 0;
            if (v == 0 && q->lits[j] > 0)
                pick = q->lits[j];
        }
        if (satisfied)
            continue;
        if (!pick)
            q->conflict = 1;
        return pick;
    }
    return 0;
}

/* Is clause c true when the open variables are false? */
static int holds(const quick *q, uint32_t c)
{
    for (uint32_t j = q->start[c]; j < q->start[c + 1]; j++) {
        int lit = q->lits[j];
        if (lit > 0 ? q->val[lit - 1] > 0 : q->val[-lit - 1] <= 0)
            return 1;
    }
    return 0;
}

/* Checks the model: only clauses with a negative literal of a true variable, or none at all,
 * can be false when the open variables are false. */
static int model_holds(const quick *q)
{
    for (size_t i = 0; i < q->positive.len; i++)
        if (!holds(q, q->positive.items[i]))
            return 0;
    for (size_t i = 0; i < q->trail.len; i++) {
        int lit = q->trail.items[i];
        if (lit < 0)
            continue;
        size_t li = lit_index(-lit);
        for (uint32_t k = q->occ_start[li]; k < q->occ_start[li + 1]; k++)
            if (!holds(q, q->occ[k]))
                return 0;
    }
    return 1;
}

/* Searches until no clause needs a choice (1) or a conflict cannot be mended without
 * flipping one of the first keep decisions, or the budget is spent (0). */
static int run(quick *q, size_t keep, uint32_t budget)
{
    uint32_t conflicts = 0;
    if (propagate(q) < 0)
        return -1;
    for (;;) {
        while (q->conflict) {
            if (q->decision.len <= keep || ++conflicts > budget)
                return 0;
            size_t level = q->decision.len - 1;
            int d = q->decision.items[level];
            undo(q, q->level_trail.items[level]);
            q->pending.len = q->level_pending.items[level];
            q->decision.len = q->level_trail.len = q->level_pending.len = level;
            if (enqueue(q, -d) < 0 || propagate(q) < 0)
                return -1;
        }
        int d = choose(q);
        if (q->conflict)
            continue;
        if (!d)
            return 1;
        if (!vec_push(&q->level_trail, (uint32_t)q->trail.len) || !vec_push(&q->level_pending, (uint32_t)q->pending.len) ||
            !vec_push(&q->decision, d))
            return -1;
        if (enqueue(q, d) < 0 || propagate(q) < 0)
            return -1;
    }
}

/* Back to the state after the first `level` decisions. */
static void back_to(quick *q, size_t level)
{
    if (level < q->decision.len) {
        undo(q, q->level_trail.items[level]);
        q->pending.len = q->level_pending.items[level];
        q->decision.len = q->level_trail.len = q->level_pending.len = level;
    }
}

void quick_end(quick *q)
{
    undo(q, 0);
    q->pending.len = q->decision.len = q->level_trail.len = q->level_pending.len = 0;
}

int quick_begin(quick *q, int lit, uint32_t budget)
{
    quick_end(q);
    if (lit == 0 || (uint32_t)abs(lit) > q->nvars)
        return 0;
    if (!vec_append(&q->pending, q->positive.items, q->positive.len) || enqueue(q, lit) < 0)
        return -1;
    int rc = run(q, 0, budget);
    if (rc != 1)
        quick_end(q);
    return rc;
}

int quick_extend(quick *q, int lit, uint32_t budget)
{
    if (lit == 0 || (uint32_t)abs(lit) > q->nvars)
        return 0;
    int v = value(q, lit);
    if (v != 0)
        return v > 0;
    size_t base = q->decision.len;
    if (!vec_push(&q->level_trail, (uint32_t)q->trail.len) || !vec_push(&q->level_pending, (uint32_t)q->pending.len) ||
        !vec_push(&q->decision, lit) || enqueue(q, lit) < 0)
        return -1;
    int rc = run(q, base + 1, budget);
    if (rc == 0)
        back_to(q, base);
    return rc;
}

int quick_trues(const quick *q, u32_vec *trues)
{
    trues->len = 0;
    if (!model_holds(q))
        return 0;
    for (size_t i = 0; i < q->trail.len; i++)
        if (q->trail.items[i] > 0 && !vec_push(trues, (uint32_t)q->trail.items[i] - 1))
            return -1;
    return 1;
}
