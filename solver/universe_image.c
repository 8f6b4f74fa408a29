/* universe_image.c: serializing the universe to streams of unsigned LEB128 varints (small
 * numbers, the common case, take one or two bytes).
 *
 * An image is a core, the clause descriptions and clause chunks. The core: magic, layout,
 * strings (count, byte size, NUL-separated bytes: "" and the strings of names, versions and
 * groups), the description count, the package count, names (count, then string and package
 * count each: they partition the packages in order), packages (9 values each; name, rank and
 * lag follow from the names), groups (count, 3 each), ids (count, then runs of consecutive ids as start and length), the
 * clause count and the chunk table (count, then each chunk's name end and clause end), end
 * marker. The descriptions: magic, strings as in the core (their ids follow the core's), end
 * marker; only explanations and messages show them. A chunk: magic, its first clause and clause
 * count, the clauses (4 values each), end marker. Chunks hold the clauses of runs of names, so
 * that a solve reads only the chunks its cone reaches.
 * VS_NONE is stored as 0 and every other value v as v + 1. Offsets that usually follow on from
 * the previous record (a package's name, first clause and first conflict; a clause's first
 * provider) are stored as the zigzag difference from that expectation, so most take one byte.
 * The attributes: magic, the store's strings as in the core (all of them, ids kept), the triple
 * count, then each triple as package (zigzag from the previous one), key and value (zigzag from
 * the previous value + 1: values are mostly interned in order), end marker. */
#include "universe_image.h"
#include <stdlib.h>
#include <string.h>

#define IMAGE_MAGIC 0x49555356u   /* "VSUI" */
#define CHUNK_MAGIC 0x43555356u   /* "VSUC" */
#define DESCS_MAGIC 0x44555356u   /* "VSUD" */
#define ATTRS_MAGIC 0x41555356u   /* "VSUA" */
#define IMAGE_END 0x21444e45u     /* "END!" */
#define IMAGE_LAYOUT 7u
#define CHUNK_CLAUSES 64u         /* clauses per chunk, about: a chunk ends with a name */

typedef struct writer {
    unsigned char *buf;
    size_t len, cap;
    int oom;
} writer;

static void put_bytes(writer *w, const void *p, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n > w->cap) {
        size_t ncap = w->cap ? w->cap : 1 << 20;
        while (ncap < w->len + n)
            ncap *= 2;
        unsigned char *nb = realloc(w->buf, ncap);
        if (!nb) {
            w->oom = 1;
            return;
        }
        w->buf = nb;
        w->cap = ncap;
    }
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put(writer *w, uint32_t v)
{
    uint64_t x = (uint64_t)v + 1;   /* VS_NONE wraps to 0 */
    if (v == VS_NONE)
        x = 0;
    unsigned char b[5];
    size_t n = 0;
    do {
        b[n] = (unsigned char)(x & 0x7f);
        x >>= 7;
        if (x)
            b[n] |= 0x80;
        n++;
    } while (x);
    put_bytes(w, b, n);
}

/* zigzag: a signed difference as an unsigned number, small either way */
static uint32_t zig(uint32_t value, uint32_t expected)
{
    int64_t d = (int64_t)value - (int64_t)expected;
    return (uint32_t)(d >= 0 ? (uint64_t)d * 2 : (uint64_t)(-d) * 2 - 1);
}

static uint32_t unzig(uint32_t z, uint32_t expected)
{
    int64_t d = (z & 1) ? -(int64_t)((uint64_t)z / 2) - 1 : (int64_t)(z / 2);
    return (uint32_t)((int64_t)expected + d);
}

/* The chunk table: names cut into runs of about CHUNK_CLAUSES clauses. The clauses of a run
 * must come after those of the runs before it (so they are built, package by package); when
 * they do not, one chunk holds them all. Returns the chunk count; ends are malloc'd. */
static uint32_t plan_chunks(const vs_universe *u, uint32_t **name_end, uint32_t **clause_end)
{
    size_t cap = u->names.len + 1;
    *name_end = malloc(cap * sizeof **name_end);
    *clause_end = malloc(cap * sizeof **clause_end);
    if (!*name_end || !*clause_end)
        return 0;
    uint32_t n = 0, begin = 0, end = 0;
    int ordered = 1;
    for (uint32_t nm = 0; nm < u->names.len && ordered; nm++) {
        const vs_name *name = &u->names.items[nm];
        for (uint32_t j = 0; j < name->n_pkgs; j++) {
            const vs_pkg *p = &u->pkgs.items[name->first_pkg + j];
            uint32_t r[2][2] = { { p->clause_first, p->clause_count }, { p->root_clause_first, p->root_clause_count } };
            for (int k = 0; k < 2; k++)
                if (r[k][1]) {
                    if (r[k][0] < begin)
                        ordered = 0;
                    if (r[k][0] + r[k][1] > end)
                        end = r[k][0] + r[k][1];
                }
        }
        if (end - begin >= CHUNK_CLAUSES || nm + 1 == u->names.len) {
            (*name_end)[n] = nm + 1;
            (*clause_end)[n] = nm + 1 == u->names.len ? (uint32_t)u->clauses.len : end;
            n++;
            begin = end;
        }
    }
    if (!ordered || n == 0) {
        (*name_end)[0] = (uint32_t)u->names.len;
        (*clause_end)[0] = (uint32_t)u->clauses.len;
        n = 1;
    }
    return n;
}

static void write_clauses(writer *w, const vs_universe *u, uint32_t first, uint32_t end, const uint32_t *new_id)
{
    put(w, CHUNK_MAGIC);
    put(w, first);
    put(w, end - first);
    uint32_t run_end = 0;
    for (uint32_t i = first; i < end; i++) {
        const vs_clause *c = &u->clauses.items[i];
        put(w, new_id[c->desc]);
        put(w, zig(c->first, run_end));
        put(w, c->count);
        put(w, c->cond);
        if (c->first + c->count > run_end)
            run_end = c->first + c->count;
    }
    put(w, IMAGE_END);
}

/* New string ids: "" and the strings of names, versions and groups first (the core's, looked up
 * by text), then those only clause descriptions use (shown, never looked up); strings nothing
 * refers to are left out (VS_NONE). Returns the number of core strings; *n_desc the others. */
static uint32_t plan_strings(const vs_universe *u, uint32_t *new_id, uint32_t *n_desc)
{
    const uint32_t unused = VS_NONE, desc = VS_NONE - 1, core = VS_NONE - 2;
    for (uint32_t i = 0; i < u->strings.count; i++)
        new_id[i] = unused;
    for (size_t i = 0; i < u->clauses.len; i++)
        new_id[u->clauses.items[i].desc] = desc;
    new_id[0] = core;
    for (size_t i = 0; i < u->pkgs.len; i++)
        new_id[u->pkgs.items[i].version] = core;
    for (size_t i = 0; i < u->names.len; i++)
        new_id[u->names.items[i].str] = core;
    for (size_t i = 0; i < u->groups.len; i++)
        new_id[u->groups.items[i].desc] = core;
    uint32_t n_core = 0, n_other = 0;
    for (uint32_t i = 0; i < u->strings.count; i++)
        n_core += new_id[i] == core;
    for (uint32_t i = 0, next_core = 0; i < u->strings.count; i++) {
        if (new_id[i] == core)
            new_id[i] = next_core++;
        else if (new_id[i] == desc)
            new_id[i] = n_core + n_other++;
    }
    *n_desc = n_other;
    return n_core;
}

/* The strings whose new id is in [lo, hi), in that order: count, byte size, NUL-separated. */
static void write_strings(writer *w, const vs_universe *u, const uint32_t *new_id, uint32_t lo, uint32_t hi)
{
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < u->strings.count; i++)
        if (new_id[i] >= lo && new_id[i] < hi)
            bytes += strpool_len(&u->strings, i) + 1;
    put(w, hi - lo);
    put(w, bytes);
    for (uint32_t i = 0; i < u->strings.count; i++)   /* new ids follow the old order */
        if (new_id[i] >= lo && new_id[i] < hi)
            put_bytes(w, strpool_str(&u->strings, i), strpool_len(&u->strings, i) + 1);
}

static void write_attrs(writer *w, const vs_attrs *a)
{
    const strpool *sp = &a->strings;
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < sp->count; i++)
        bytes += strpool_len(sp, i) + 1;
    put(w, ATTRS_MAGIC);
    put(w, sp->count);
    put(w, bytes);
    for (uint32_t i = 0; i < sp->count; i++)
        put_bytes(w, strpool_str(sp, i), strpool_len(sp, i) + 1);
    put(w, (uint32_t)a->items.len);
    uint32_t pkg = 0, value = 0;
    for (size_t i = 0; i < a->items.len; i++) {
        const vs_attr *t = &a->items.items[i];
        put(w, zig(t->pkg, pkg));
        put(w, t->key);
        put(w, zig(t->value, value + 1));
        pkg = t->pkg;
        value = t->value;
    }
    put(w, IMAGE_END);
}

void universe_image_free(universe_image *img)
{
    free(img->attrs);
    free(img->core);
    free(img->descs);
    for (uint32_t c = 0; img->chunks && c < img->n_chunks; c++)
        free(img->chunks[c]);
    free(img->chunks);
    free(img->chunk_lens);
    memset(img, 0, sizeof *img);
}

/* Does u hold what universe_sort makes (the image leaves out what follows from it)? */
static int sorted_as_built(const vs_universe *u)
{
    uint32_t next = 0;
    for (uint32_t nm = 0; nm < u->names.len; nm++) {
        const vs_name *n = &u->names.items[nm];
        uint32_t newer = 0, available = 0;
        if (n->first_pkg != next || n->n_pkgs > u->pkgs.len - next)
            return 0;
        for (uint32_t j = n->n_pkgs; j-- > 0;) {
            const vs_pkg *p = &u->pkgs.items[n->first_pkg + j];
            if (p->name != nm || p->rank != j || p->lag != newer)
                return 0;
            if (!(p->flags & VS_PKG_UNAVAILABLE))
                newer++, available++;
        }
        if (n->n_available != available)
            return 0;
        next += n->n_pkgs;
    }
    return next == u->pkgs.len;
}

int universe_image_write(const vs_universe *u, universe_image *img)
{
    memset(img, 0, sizeof *img);
    if (!sorted_as_built(u) || attrs_pending(&u->attrs))
        return VSOLVE_EUSAGE;
    writer w = { 0 };
    uint32_t *name_end = NULL, *clause_end = NULL;
    uint32_t n_chunks = plan_chunks(u, &name_end, &clause_end);
    uint32_t *new_id = malloc((u->strings.count ? u->strings.count : 1) * sizeof *new_id);
    if (!new_id) {
        free(name_end);
        free(clause_end);
        return VSOLVE_ENOMEM;
    }
    uint32_t n_desc = 0, n_core = plan_strings(u, new_id, &n_desc);
    put(&w, IMAGE_MAGIC);
    put(&w, IMAGE_LAYOUT);
    write_strings(&w, u, new_id, 0, n_core);
    put(&w, n_desc);

    /* names partition the packages in order; a package's name, rank and lag and a name's first
     * package and available count follow from that and from the flags */
    put(&w, (uint32_t)u->pkgs.len);
    put(&w, (uint32_t)u->names.len);
    for (size_t i = 0; i < u->names.len; i++) {
        put(&w, new_id[u->names.items[i].str]);
        put(&w, u->names.items[i].n_pkgs);
    }
    uint32_t clause_end_prev = 0, conflict_end = 0, slot = VS_NONE;
    for (size_t i = 0; i < u->pkgs.len; i++) {
        const vs_pkg *p = &u->pkgs.items[i];
        /* the slot: 0 when it is the previous package's, 1 for none, else slot + 2 */
        uint32_t f[9] = { new_id[p->version], p->flags, zig(p->clause_first, clause_end_prev), p->clause_count,
                          p->root_clause_first, p->root_clause_count, zig(p->conflict_first, conflict_end),
                          p->conflict_count, p->slot == slot ? 0 : p->slot == VS_NONE ? 1 : p->slot + 2 };
        for (int k = 0; k < 9; k++)
            put(&w, f[k]);
        slot = p->slot;
        clause_end_prev = p->clause_first + p->clause_count;
        conflict_end = p->conflict_first + p->conflict_count;
    }
    put(&w, (uint32_t)u->groups.len);
    for (size_t i = 0; i < u->groups.len; i++) {
        put(&w, new_id[u->groups.items[i].desc]);
        put(&w, u->groups.items[i].first);
        put(&w, u->groups.items[i].count);
    }
    put(&w, (uint32_t)u->ids.len);
    for (size_t i = 0; i < u->ids.len;) {
        size_t j = i + 1;
        while (j < u->ids.len && u->ids.items[j] == u->ids.items[j - 1] + 1)
            j++;
        put(&w, u->ids.items[i]);
        put(&w, (uint32_t)(j - i));
        i = j;
    }
    put(&w, (uint32_t)u->clauses.len);
    put(&w, n_chunks);
    for (uint32_t c = 0; c < n_chunks; c++) {
        put(&w, name_end[c]);
        put(&w, clause_end[c]);
    }
    put(&w, IMAGE_END);
    img->core = w.buf;
    img->core_len = w.len;
    int oom = w.oom || !name_end || !clause_end;
    img->chunks = calloc(n_chunks ? n_chunks : 1, sizeof *img->chunks);
    img->chunk_lens = calloc(n_chunks ? n_chunks : 1, sizeof *img->chunk_lens);
    oom |= !img->chunks || !img->chunk_lens;
    if (!oom)
        img->n_chunks = n_chunks;
    writer dw = { 0 };
    put(&dw, DESCS_MAGIC);
    write_strings(&dw, u, new_id, n_core, n_core + n_desc);
    put(&dw, IMAGE_END);
    img->descs = dw.buf;
    img->descs_len = dw.len;
    oom |= dw.oom;
    writer aw = { 0 };
    write_attrs(&aw, &u->attrs);
    img->attrs = aw.buf;
    img->attrs_len = aw.len;
    oom |= aw.oom;
    for (uint32_t c = 0; c < img->n_chunks && !oom; c++) {
        writer cw = { 0 };
        write_clauses(&cw, u, c ? clause_end[c - 1] : 0, clause_end[c], new_id);
        img->chunks[c] = cw.buf;
        img->chunk_lens[c] = cw.len;
        oom = cw.oom;
    }
    free(new_id);
    free(name_end);
    free(clause_end);
    if (oom) {
        universe_image_free(img);
        return VSOLVE_ENOMEM;
    }
    return VSOLVE_OK;
}

typedef struct reader {
    const unsigned char *buf;
    size_t len, pos;
    int bad;
} reader;

static inline uint32_t get(reader *r)
{
    if (r->pos < r->len && r->buf[r->pos] < 0x80) {   /* the common one-byte case */
        uint32_t b = r->buf[r->pos++];
        return b == 0 ? VS_NONE : b - 1;
    }
    if (r->len - r->pos >= 5) {   /* room for the longest value: no bounds check per byte */
        const unsigned char *p = r->buf + r->pos;
        uint64_t x = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7;
        size_t n = 2;
        if (p[1] & 0x80) {
            x |= (uint64_t)(p[2] & 0x7f) << 14;
            n = 3;
            if (p[2] & 0x80) {
                x |= (uint64_t)(p[3] & 0x7f) << 21;
                n = 4;
                if (p[3] & 0x80) {
                    x |= (uint64_t)p[4] << 28;
                    n = 5;
                    if (p[4] & 0x80 || x > (uint64_t)UINT32_MAX) {
                        r->bad = 1;
                        return 0;
                    }
                }
            }
        }
        r->pos += n;
        return x == 0 ? VS_NONE : (uint32_t)(x - 1);
    }
    uint64_t x = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (r->pos >= r->len) {
            r->bad = 1;
            return 0;
        }
        unsigned char b = r->buf[r->pos++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (x > (uint64_t)UINT32_MAX)
                r->bad = 1;
            return x == 0 ? VS_NONE : (uint32_t)(x - 1);
        }
    }
    r->bad = 1;
    return 0;
}

/* A count of items of `values` values each (at least a byte each) that must fit in what is left. */
static uint32_t get_count(reader *r, size_t values)
{
    uint32_t n = get(r);
    if (!r->bad && (n == VS_NONE || (size_t)n * values > r->len - r->pos))
        r->bad = 1;
    return r->bad ? 0 : n;
}

static int corrupt(vs_error *err, const char *what)
{
    return vs_error_set(err, VSOLVE_EBADINPUT, "the universe image is inconsistent (%s)", what);
}

static int in_range(uint32_t first, uint32_t count, size_t len)
{
    return first <= len && count <= len - first;
}

int universe_image_read_core(vs_universe *u, unsigned char *buf, size_t len, uint32_t max_clauses, vs_error *err)
{
    /* the strings stay where they are: the pool keeps the buffer */
    if (strpool_keep(&u->strings, buf) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    reader r = { buf, len, 0, 0 };
    if (get(&r) != IMAGE_MAGIC || get(&r) != IMAGE_LAYOUT)
        return corrupt(err, "not a universe image of this layout");
    uint32_t n_strings = get(&r), bytes = get(&r);
    if (r.bad || bytes > len - r.pos || n_strings == 0 || n_strings > bytes)
        return corrupt(err, "strings");
    if (strpool_reserve(&u->strings, n_strings) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    const char *s = (const char *)buf + r.pos;
    const char *end = s + bytes;
    for (uint32_t i = 0; i < n_strings; i++) {
        const char *nul = memchr(s, '\0', (size_t)(end - s));
        if (!nul)
            return corrupt(err, "strings");
        uint32_t id = strpool_intern_in_place(&u->strings, s, (size_t)(nul - s));
        if (id == UINT32_MAX)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (id != i)
            return corrupt(err, "duplicate strings");
        s = nul + 1;
    }
    r.pos += bytes;
    /* the clause descriptions: ids now, text when universe_need_descs reads it */
    uint32_t n_desc = get(&r);
    if (r.bad || n_desc == VS_NONE || n_desc > (uint32_t)1 << 28)
        return corrupt(err, "description count");
    if (strpool_reserve_ids(&u->strings, n_desc) != n_strings)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");

    uint32_t n_pkgs = get(&r), n_names = get_count(&r, 2);
    if (r.bad || n_pkgs == VS_NONE || (size_t)n_pkgs * 9 > len - r.pos)
        return corrupt(err, "package count");
    if (!vec_reserve(&u->pkgs, n_pkgs) || !vec_reserve(&u->names, n_names))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (uint32_t i = 0, next = 0; i < n_names; i++) {
        vs_name *n = &u->names.items[i];
        n->str = get(&r);
        n->first_pkg = next;
        n->n_pkgs = get(&r);
        n->n_available = 0;
        if (r.bad || n->n_pkgs > n_pkgs - next)
            return corrupt(err, "names");
        next += n->n_pkgs;
        if (i + 1 == n_names && next != n_pkgs)
            return corrupt(err, "names");
    }
    if (n_names == 0 && n_pkgs != 0)
        return corrupt(err, "names");
    u->names.len = n_names;
    uint32_t clause_end = 0, conflict_end = 0, slot = VS_NONE;
    for (uint32_t nm = 0; nm < n_names; nm++) {
        vs_name *n = &u->names.items[nm];
        for (uint32_t j = 0; j < n->n_pkgs; j++) {
            vs_pkg *p = &u->pkgs.items[n->first_pkg + j];
            memset(p, 0, sizeof *p);
            p->name = nm;
            p->rank = j;
            p->version = get(&r);
            p->flags = get(&r);
            if (p->flags & ~(uint32_t)(VS_PKG_AVOID | VS_PKG_UNAVAILABLE | VS_PKG_ROOT_VARIANT | VS_PKG_VIRTUAL))
                return corrupt(err, "package flags");
            p->clause_first = unzig(get(&r), clause_end);
            p->clause_count = get(&r);
            p->root_clause_first = get(&r);
            p->root_clause_count = get(&r);
            p->conflict_first = unzig(get(&r), conflict_end);
            p->conflict_count = get(&r);
            uint32_t s_code = get(&r);
            p->slot = slot = s_code == 0 ? slot : s_code == 1 ? VS_NONE : s_code - 2;
            clause_end = p->clause_first + p->clause_count;
            conflict_end = p->conflict_first + p->conflict_count;
        }
        uint32_t newer = 0;   /* lags and the available count, as universe_sort makes them */
        for (uint32_t j = n->n_pkgs; j-- > 0;) {
            vs_pkg *p = &u->pkgs.items[n->first_pkg + j];
            p->lag = newer;
            if (!(p->flags & VS_PKG_UNAVAILABLE))
                newer++;
        }
        n->n_available = newer;
    }
    u->pkgs.len = n_pkgs;
    uint32_t n_groups = get_count(&r, 3);
    if (!vec_reserve(&u->groups, n_groups))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n_groups; i++) {
        vs_group *g = &u->groups.items[i];
        g->desc = get(&r);
        g->first = get(&r);
        g->count = get(&r);
    }
    u->groups.len = n_groups;
    uint32_t n_ids = get(&r);
    if (r.bad || n_ids == VS_NONE || n_ids > (uint32_t)1 << 28)
        return corrupt(err, "id count");
    if (!vec_reserve(&u->ids, n_ids))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n_ids && !r.bad;) {
        uint32_t start = get(&r), run = get(&r);
        if (run == 0 || run == VS_NONE || run > n_ids - i || start > n_pkgs || run > n_pkgs - start)
            return corrupt(err, "id runs");
        for (uint32_t k = 0; k < run; k++)
            u->ids.items[i + k] = start + k;
        i += run;
    }
    u->ids.len = n_ids;
    uint32_t n_clauses = get(&r);
    if (r.bad || n_clauses == VS_NONE || n_clauses > (uint32_t)1 << 28 || n_clauses > max_clauses)
        return corrupt(err, "clause count");
    /* the clauses come with the chunks; until then they are empty (calloc: untouched pages
     * of chunks never read cost nothing) */
    free(u->clauses.items);
    u->clauses.items = calloc(n_clauses ? n_clauses : 1, sizeof *u->clauses.items);
    if (!u->clauses.items)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    u->clauses.len = u->clauses.cap = n_clauses;
    uint32_t n_chunks = get_count(&r, 2);
    if (r.bad || n_chunks == 0)
        return corrupt(err, "chunk table");
    vs_pending_clauses *pc = calloc(1, sizeof *pc);
    if (!pc)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    u->pending = pc;
    pc->descs_loaded = n_desc == 0;
    pc->name_end = malloc(n_chunks * sizeof *pc->name_end);
    pc->clause_end = malloc(n_chunks * sizeof *pc->clause_end);
    pc->loaded = calloc(n_chunks, 1);
    if (!pc->name_end || !pc->clause_end || !pc->loaded)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    pc->n_chunks = n_chunks;
    for (uint32_t c = 0; c < n_chunks; c++) {
        pc->name_end[c] = get(&r);
        pc->clause_end[c] = get(&r);
        uint32_t prev_name = c ? pc->name_end[c - 1] : 0, prev_clause = c ? pc->clause_end[c - 1] : 0;
        if (r.bad || pc->name_end[c] < prev_name || pc->clause_end[c] < prev_clause ||
            (c > 0 && pc->name_end[c] == prev_name))
            return corrupt(err, "chunk table");
    }
    if (pc->name_end[n_chunks - 1] != n_names || pc->clause_end[n_chunks - 1] != n_clauses)
        return corrupt(err, "chunk table");
    if (get(&r) != IMAGE_END || r.bad || r.pos != len)
        return corrupt(err, "truncated or trailing data");

    /* every reference in range, so that no later access can go astray */
    for (uint32_t i = 0; i < n_pkgs; i++) {
        const vs_pkg *p = &u->pkgs.items[i];
        if (p->name >= n_names || p->version >= n_strings || (p->slot != VS_NONE && p->slot >= n_groups) ||
            !in_range(p->clause_first, p->clause_count, n_clauses) ||
            !in_range(p->root_clause_first, p->root_clause_count, n_clauses) ||
            !in_range(p->conflict_first, p->conflict_count, n_ids))
            return corrupt(err, "package references");
    }
    for (uint32_t i = 0, c = 0; i < n_names; i++) {
        const vs_name *n = &u->names.items[i];
        if (n->str >= n_strings || !in_range(n->first_pkg, n->n_pkgs, n_pkgs))
            return corrupt(err, "name references");
        while (pc->name_end[c] <= i)
            c++;
        /* a name's clauses lie in its chunk, so that reading the chunk reads them all */
        uint32_t lo = c ? pc->clause_end[c - 1] : 0, hi = pc->clause_end[c];
        for (uint32_t j = 0; j < n->n_pkgs; j++) {
            const vs_pkg *p = &u->pkgs.items[n->first_pkg + j];
            if (p->name != i || (p->clause_count && (p->clause_first < lo || p->clause_first + p->clause_count > hi)) ||
                (p->root_clause_count && (p->root_clause_first < lo || p->root_clause_first + p->root_clause_count > hi)))
                return corrupt(err, "name references");
        }
    }
    for (uint32_t i = 0; i < n_groups; i++) {
        const vs_group *g = &u->groups.items[i];
        if (g->desc >= n_strings || !in_range(g->first, g->count, n_ids))
            return corrupt(err, "group references");
    }

    u->name_of_str_len = n_strings;
    u->name_of_str = malloc(n_strings * sizeof *u->name_of_str);
    if (!u->name_of_str)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    memset(u->name_of_str, 0xff, n_strings * sizeof *u->name_of_str);
    for (uint32_t i = 0; i < n_names; i++)
        u->name_of_str[u->names.items[i].str] = i;
    u->sorted = 1;
    return VSOLVE_OK;
}

int universe_image_read_chunk(vs_universe *u, uint32_t chunk, const unsigned char *buf, size_t len, vs_error *err)
{
    const vs_pending_clauses *pc = u->pending;
    if (!pc || chunk >= pc->n_chunks)
        return corrupt(err, "no such chunk");
    uint32_t lo = chunk ? pc->clause_end[chunk - 1] : 0, hi = pc->clause_end[chunk];
    reader r = { buf, len, 0, 0 };
    if (get(&r) != CHUNK_MAGIC || get(&r) != lo || get_count(&r, 4) != hi - lo || r.bad)
        return corrupt(err, "a clause chunk does not match the chunk table");
    uint32_t run_end = 0, n_strings = u->strings.unhashed_end, n_ids = (uint32_t)u->ids.len, n_pkgs = (uint32_t)u->pkgs.len;
    for (uint32_t i = lo; i < hi; i++) {
        vs_clause *c = &u->clauses.items[i];
        c->desc = get(&r);
        c->first = unzig(get(&r), run_end);
        c->count = get(&r);
        c->cond = get(&r);
        if (c->desc >= n_strings || !in_range(c->first, c->count, n_ids) || (c->cond != VS_NONE && c->cond >= n_pkgs)) {
            memset(u->clauses.items + lo, 0, (hi - lo) * sizeof *u->clauses.items);
            return corrupt(err, "clause references");
        }
        if (c->first + c->count > run_end)
            run_end = c->first + c->count;
    }
    if (get(&r) != IMAGE_END || r.bad || r.pos != len) {
        memset(u->clauses.items + lo, 0, (hi - lo) * sizeof *u->clauses.items);
        return corrupt(err, "truncated or trailing data in a clause chunk");
    }
    return VSOLVE_OK;
}

int universe_image_read_descs(vs_universe *u, unsigned char *buf, size_t len, vs_error *err)
{
    /* the descriptions stay where they are: the pool keeps the buffer */
    if (strpool_keep(&u->strings, buf) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    uint32_t first = u->strings.unhashed_first, count = u->strings.unhashed_end - first;
    reader r = { buf, len, 0, 0 };
    uint32_t magic = get(&r), n = get(&r), bytes = get(&r);
    if (r.bad || magic != DESCS_MAGIC || n != count || bytes > len - r.pos || n > bytes)
        return corrupt(err, "descriptions");
    const char *s = (const char *)buf + r.pos, *end = s + bytes;
    for (uint32_t i = 0; i < n; i++) {
        const char *nul = memchr(s, '\0', (size_t)(end - s));
        if (!nul)
            return corrupt(err, "descriptions");
        strpool_set(&u->strings, first + i, s, (size_t)(nul - s));
        s = nul + 1;
    }
    r.pos += bytes;
    if (get(&r) != IMAGE_END || r.bad || r.pos != len)
        return corrupt(err, "truncated or trailing data after the descriptions");
    return VSOLVE_OK;
}

int universe_image_read_attrs(vs_attrs *a, uint32_t n_pkgs, unsigned char *buf, size_t len, vs_error *err)
{
    if (a->items.len || a->strings.count != 1)
        return vs_error_set(err, VSOLVE_EUSAGE, "the universe has attributes already");
    if (strpool_keep(&a->strings, buf) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    reader r = { buf, len, 0, 0 };
    uint32_t magic = get(&r), n_strings = get(&r), bytes = get(&r);
    if (r.bad || magic != ATTRS_MAGIC || bytes > len - r.pos || n_strings == 0 || n_strings > bytes)
        return corrupt(err, "attribute strings");
    if (strpool_reserve(&a->strings, n_strings) != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    const char *s = (const char *)buf + r.pos, *end = s + bytes;
    for (uint32_t i = 0; i < n_strings; i++) {
        const char *nul = memchr(s, '\0', (size_t)(end - s));
        if (!nul)
            return corrupt(err, "attribute strings");
        uint32_t id = strpool_intern_in_place(&a->strings, s, (size_t)(nul - s));
        if (id == UINT32_MAX)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (id != i)
            return corrupt(err, "duplicate attribute strings");
        s = nul + 1;
    }
    r.pos += bytes;
    uint32_t n = get_count(&r, 3), pkg = 0, value = 0;
    if (r.bad || !vec_reserve(&a->items, n))
        return r.bad ? corrupt(err, "attribute count") : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    a->sorted = 1;
    for (uint32_t i = 0; i < n; i++) {
        vs_attr t;
        t.pkg = unzig(get(&r), pkg);
        t.key = get(&r);
        t.value = unzig(get(&r), value + 1);
        int key_ok = t.key < VS_ATTR_N_KNOWN ? t.key != VS_ATTR_NONE
                                              : (t.key & VS_ATTR_FREE) && (t.key & ~VS_ATTR_FREE) < n_strings;
        if (r.bad || t.pkg >= n_pkgs || !key_ok || t.value >= n_strings) {
            a->items.len = 0;
            return corrupt(err, "attribute references");
        }
        if (i && (t.pkg < pkg || (t.pkg == pkg && t.key < a->items.items[i - 1].key)))
            a->sorted = 0;
        a->items.items[i] = t;
        a->items.len = i + 1;
        pkg = t.pkg;
        value = t.value;
    }
    if (get(&r) != IMAGE_END || r.bad || r.pos != len) {
        a->items.len = 0;
        return corrupt(err, "truncated or trailing data after the attributes");
    }
    return VSOLVE_OK;
}

/* A malloc'd copy of len bytes (the readers keep what they are given). */
static unsigned char *copy_of(const unsigned char *bytes, size_t len)
{
    unsigned char *c = malloc(len ? len : 1);
    if (c && len)
        memcpy(c, bytes, len);
    return c;
}

int universe_image_read(vs_universe *u, const universe_image *img, vs_error *err)
{
    unsigned char *core = copy_of(img->core, img->core_len);
    if (!core)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    int rc = universe_image_read_core(u, core, img->core_len, UINT32_MAX, err);
    if (rc == VSOLVE_OK && img->n_chunks != u->pending->n_chunks)
        rc = corrupt(err, "chunk count");
    if (rc == VSOLVE_OK) {
        unsigned char *descs = copy_of(img->descs, img->descs_len);
        rc = descs ? universe_image_read_descs(u, descs, img->descs_len, err)
                   : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    for (uint32_t c = 0; c < img->n_chunks && rc == VSOLVE_OK; c++)
        rc = universe_image_read_chunk(u, c, img->chunks[c], img->chunk_lens[c], err);
    if (rc == VSOLVE_OK && img->attrs) {
        unsigned char *attrs = copy_of(img->attrs, img->attrs_len);
        rc = attrs ? universe_image_read_attrs(&u->attrs, (uint32_t)u->pkgs.len, attrs, img->attrs_len, err)
                   : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    if (rc == VSOLVE_OK) {
        universe_pending_free(u->pending);
        u->pending = NULL;
    }
    return rc;
}
