/* strpool.h: interned strings; each distinct string gets a dense uint32 id (0 is ""). */
#ifndef VSOLVE_STRPOOL_H
#define VSOLVE_STRPOOL_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

typedef struct strpool {
    arena mem;            /* string bytes */
    const char **strs;    /* id -> NUL-terminated string */
    uint32_t *lens;       /* id -> length */
    uint32_t *hashes;     /* id -> hash: a growing table rehashes nothing, a probe compares it first */
    uint32_t count, cap;
    uint32_t *table;      /* open addressing: slot -> id + 1 (0 = empty); NULL until a string but "" */
    uint32_t table_cap;   /* power of two */
    void **kept;          /* malloc'd buffers holding strings interned in place, freed with the pool */
    size_t n_kept;
    uint32_t unhashed_first, unhashed_end;   /* ids reserved by strpool_reserve_ids */
} strpool;

int strpool_init(strpool *p);          /* VSOLVE_OK or VSOLVE_ENOMEM */
void strpool_free(strpool *p);
/* Returns the id of s[0..len), adding it if new; UINT32_MAX when out of memory. */
uint32_t strpool_intern(strpool *p, const char *s, size_t len);
/* Hands a malloc'd buffer to the pool, to be freed with it (VSOLVE_OK; on VSOLVE_ENOMEM it is
 * freed at once). Strings in it can then be interned in place. */
int strpool_keep(strpool *p, void *buffer);
/* Interns the NUL-terminated s[0..len) in place when new: s must live as long as the pool (in a
 * buffer given to strpool_keep). UINT32_MAX when out of memory. */
uint32_t strpool_intern_in_place(strpool *p, const char *s, size_t len);
/* Reserves n ids (one range per pool) for strings given later with strpool_set; until then they
 * read as "". They are never found by strpool_find or strpool_intern (the same text interned
 * gets another id): for text that is only displayed. Returns the first id, UINT32_MAX when out
 * of memory or when a range was reserved already. */
uint32_t strpool_reserve_ids(strpool *p, uint32_t n);
/* Gives reserved id its string, in place (as strpool_intern_in_place). */
void strpool_set(strpool *p, uint32_t id, const char *s, size_t len);
/* Makes room for n more strings, so that interning them grows nothing (VSOLVE_OK or VSOLVE_ENOMEM). */
int strpool_reserve(strpool *p, uint32_t n);
/* Returns the id or UINT32_MAX if the string was never interned. */
uint32_t strpool_find(const strpool *p, const char *s, size_t len);
static inline const char *strpool_str(const strpool *p, uint32_t id) { return p->strs[id]; }
static inline uint32_t strpool_len(const strpool *p, uint32_t id) { return p->lens[id]; }

#endif
