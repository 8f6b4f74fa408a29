/* strpool.c: string interning with an open-addressing hash table (a word-at-a-time hash). */
#include "strpool.h"
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

/* Eight bytes per step: interning is on the hot path of every reader and of cache loading. */
static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    /* the last 0-7 bytes, in the order the loop above would take them: 4, 2, then 1 at a time */
    uint64_t tail = 0;
    size_t k = 0;
    if ((len - i) & 4) {
        uint32_t w;
        memcpy(&w, s + i, 4);
        tail = w;
        k = 4;
    }
    if ((len - i) & 2) {
        uint16_t w;
        memcpy(&w, s + i + k, 2);
        tail |= (uint64_t)w << (8 * k);
        k += 2;
    }
    if ((len - i) & 1)
        tail |= (uint64_t)(unsigned char)s[i + k] << (8 * k);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

static int grow_arrays(strpool *p, uint32_t ncap)
{
    const char **ns = realloc(p->strs, ncap * sizeof *ns);
    if (!ns)
        return 0;
    p->strs = ns;
    uint32_t *nl = realloc(p->lens, ncap * sizeof *nl);
    if (!nl)
        return 0;
    p->lens = nl;
    uint32_t *nh = realloc(p->hashes, ncap * sizeof *nh);
    if (!nh)
        return 0;
    p->hashes = nh;
    p->cap = ncap;
    return 1;
}

int strpool_init(strpool *p)
{
    memset(p, 0, sizeof *p);
    arena_init(&p->mem);
    /* A solve makes fifteen pools or more, most of them small or empty: the hash table comes
     * with the first string but "", the arrays start small, and they all double. An empty pool
     * touched four pages before (a 16 KB string block for "", 12 KB of arrays, 1 KB of table):
     * a quarter of an empty cargo solve's page faults (139, now 101). */
    p->table_cap = 256;
    if (!grow_arrays(p, 64))
        return VSOLVE_ENOMEM;
    p->strs[0] = "";   /* id 0, never in the table: intern and find answer it first */
    p->lens[0] = 0;
    p->hashes[0] = 0;
    p->count = 1;
    return VSOLVE_OK;
}

void strpool_free(strpool *p)
{
    arena_free(&p->mem);
    free(p->strs);
    free(p->lens);
    free(p->hashes);
    free(p->table);
    for (size_t i = 0; i < p->n_kept; i++)
        free(p->kept[i]);
    free(p->kept);
    memset(p, 0, sizeof *p);
}

int strpool_keep(strpool *p, void *buffer)
{
    void **nk = realloc(p->kept, (p->n_kept + 1) * sizeof *nk);
    if (!nk) {
        free(buffer);
        return VSOLVE_ENOMEM;
    }
    p->kept = nk;
    p->kept[p->n_kept++] = buffer;
    return VSOLVE_OK;
}

/* Strings in the hash table: all but the reserved range. */
static uint32_t hashed(const strpool *p)
{
    return p->count - (p->unhashed_end - p->unhashed_first);
}

static uint32_t lookup_slot(const strpool *p, const char *s, size_t len, uint32_t h)
{
    uint32_t mask = p->table_cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t e = p->table[i];
        if (e == 0)
            return i;
        uint32_t id = e - 1;
        if (p->hashes[id] == h && p->lens[id] == len && memcmp(p->strs[id], s, len) == 0)
            return i;
    }
}

static int resize_table(strpool *p, uint32_t ncap)
{
    uint32_t *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return 0;
    for (uint32_t id = 1; id < p->count; id++) {   /* 0 is "", never in the table */
        if (id >= p->unhashed_first && id < p->unhashed_end)
            continue;
        uint32_t i = p->hashes[id] & (ncap - 1);
        while (nt[i])
            i = (i + 1) & (ncap - 1);
        nt[i] = id + 1;
    }
    free(p->table);
    p->table = nt;
    p->table_cap = ncap;
    return 1;
}

int strpool_reserve(strpool *p, uint32_t n)
{
    if ((uint64_t)p->count + n > UINT32_MAX / 4)
        return VSOLVE_ENOMEM;
    uint32_t want = p->count + n;
    if (want > p->cap && !grow_arrays(p, want))
        return VSOLVE_ENOMEM;
    uint32_t tcap = p->table_cap;
    while ((hashed(p) + n) * 2 > tcap)
        tcap *= 2;
    if (tcap != p->table_cap && !resize_table(p, tcap))
        return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

uint32_t strpool_find(const strpool *p, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (!p->table)
        return UINT32_MAX;
    uint32_t e = p->table[lookup_slot(p, s, len, hash_bytes(s, len))];
    return e ? e - 1 : UINT32_MAX;
}

static uint32_t intern(strpool *p, const char *s, size_t len, int in_place)
{
    if (len == 0)
        return 0;
    if (!p->table && !(p->table = calloc(p->table_cap, sizeof *p->table)))
        return UINT32_MAX;
    uint32_t h = hash_bytes(s, len);
    uint32_t slot = lookup_slot(p, s, len, h);
    if (p->table[slot])
        return p->table[slot] - 1;
    if (p->count == p->cap && !grow_arrays(p, p->cap * 2))
        return UINT32_MAX;
    const char *copy = in_place ? s : arena_strndup(&p->mem, s, len);
    if (!copy)
        return UINT32_MAX;
    uint32_t id = p->count++;
    p->strs[id] = copy;
    p->lens[id] = (uint32_t)len;
    p->hashes[id] = h;
    p->table[slot] = id + 1;
    if (hashed(p) * 2 > p->table_cap && !resize_table(p, p->table_cap * 2))
        return UINT32_MAX;
    return id;
}

uint32_t strpool_intern(strpool *p, const char *s, size_t len) { return intern(p, s, len, 0); }

uint32_t strpool_intern_in_place(strpool *p, const char *s, size_t len) { return intern(p, s, len, 1); }

uint32_t strpool_reserve_ids(strpool *p, uint32_t n)
{
    if (p->unhashed_end > p->unhashed_first || (uint64_t)p->count + n > UINT32_MAX / 4)
        return UINT32_MAX;   /* one reserved range per pool */
    if (p->count + n > p->cap && !grow_arrays(p, p->count + n))
        return UINT32_MAX;
    uint32_t first = p->count;
    for (uint32_t i = 0; i < n; i++) {
        p->strs[first + i] = "";
        p->lens[first + i] = 0;
        p->hashes[first + i] = 0;
    }
    p->count += n;
    p->unhashed_first = first;
    p->unhashed_end = first + n;
    return first;
}

void strpool_set(strpool *p, uint32_t id, const char *s, size_t len)
{
    if (id >= p->unhashed_first && id < p->unhashed_end) {
        p->strs[id] = s;
        p->lens[id] = (uint32_t)len;
    }
}
