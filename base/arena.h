/* arena.h: bump allocator owning parse- and universe-lifetime memory; freed in one call. */
#ifndef VSOLVE_ARENA_H
#define VSOLVE_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;   /* newest block first */
    size_t total;        /* bytes handed out, for accounting */
    int large;           /* expected to grow to megabytes (arena_init_large) */
} arena;

/* An empty arena: a first block of 16 KB, then one of 512 KB, then whole 2 MB pages. */
void  arena_init(arena *a);
/* An empty arena expected to grow to megabytes (a solve's crates): a first block of 16 KB,
 * then whole 2 MB pages at once. */
void  arena_init_large(arena *a);
void  arena_free(arena *a);
/* Drops everything allocated but keeps the newest (biggest) block for what comes next. */
void  arena_reset(arena *a);
/* Returns zeroed memory aligned to 16 bytes, or NULL when out of memory. */
void *arena_alloc(arena *a, size_t size);
/* The same, not zeroed: for memory the caller fills at once. */
void *arena_alloc_uninit(arena *a, size_t size);
/* Copies n bytes and appends a NUL; NULL when out of memory. */
char *arena_strndup(arena *a, const char *s, size_t n);

#endif
