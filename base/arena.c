/* arena.c: bump allocator; blocks grow geometrically, everything freed at once. */
#include "arena.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* A first block of 16 KB: a solve makes a few dozen arenas and string pools (a cargo solve's
 * problem alone five), most of which stay small; with 64 KB first blocks a warm cargo solve
 * took more page faults (unsat-ring-links 262, not 235). */
#define FIRST_BLOCK ((size_t)16 << 10)
#define HUGE_BLOCK ((size_t)2 << 20)
#define SECOND_BLOCK ((size_t)512 << 10)

struct arena_block {
    arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void arena_init(arena *a) { a->head = NULL; a->total = 0; a->large = 0; }

void arena_init_large(arena *a)
{
    arena_init(a);
    a->large = 1;
}

void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void arena_reset(arena *a)
{
    arena_block *keep = a->head;
    if (keep) {
        a->head = keep->next;
        arena_free(a);
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->total = 0;
}

/* size bytes (a multiple of 16) from a new block, which becomes the head: apart from the fast
 * path below, so that path needs no registers saved (it runs for every parse node). */
static __attribute__((noinline)) void *alloc_in_new_block(arena *a, size_t size)
{
    arena_block *b = a->head;
    size_t cap = b ? b->cap * 2 : FIRST_BLOCK;
    if (cap > 16 * 1024 * 1024)
        cap = 16 * 1024 * 1024;
    if (cap < size)
        cap = size;
    arena_block *nb = NULL;
    /* Past its first block, an arena grows by whole 2 MB pages, an ordinary one after a second
     * block of 512 KB in 4 KB pages (faulted in as they are used). One 2 MB page fault clears
     * the whole page: it costs about as much as the 4 KB faults filling 400 KB, and much less
     * than those filling megabytes. So an arena that stays under about 600 KB (a cargo solve's
     * problem, 120-360 KB) never takes a 2 MB page, and one that grows to megabytes (the crates
     * or packuments a solve reads: arena_init_large) takes it at once (bench/README.md). */
    if (b && cap + sizeof *nb < HUGE_BLOCK)
        cap = a->large || b->cap >= SECOND_BLOCK || cap > SECOND_BLOCK ? HUGE_BLOCK - sizeof *nb : SECOND_BLOCK;
    if (cap + sizeof *nb >= HUGE_BLOCK) {
        /* A big block: whole 2 MB pages, on transparent huge pages where the kernel allows
         * (a hint; without it, ordinary pages): a 2 MB page is one page fault, not 512. */
        size_t bytes = (sizeof *nb + cap + HUGE_BLOCK - 1) & ~(HUGE_BLOCK - 1);
        void *mem = NULL;
        if (posix_memalign(&mem, HUGE_BLOCK, bytes) != 0)
            return NULL;
#ifdef MADV_HUGEPAGE
        madvise(mem, bytes, MADV_HUGEPAGE);
#endif
        nb = mem;
        cap = bytes - sizeof *nb;
    } else if (!(nb = malloc(sizeof *nb + cap)))
        return NULL;
    nb->used = size;
    nb->cap = cap;
    nb->next = b;
    a->head = nb;
    a->total += size;
    return nb->data;
}

void *arena_alloc_uninit(arena *a, size_t size)
{
    if (size > SIZE_MAX / 4)   /* no such request is real; rounding it up below would wrap */
        return NULL;
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    arena_block *b = a->head;
    if (!b || b->cap - b->used < size)
        return alloc_in_new_block(a, size);
    void *p = b->data + b->used;
    b->used += size;
    a->total += size;
    return p;
}

void *arena_alloc(arena *a, size_t size)
{
    void *p = arena_alloc_uninit(a, size);
    if (p)
        memset(p, 0, (size + 15) & ~(size_t)15);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = n < SIZE_MAX ? arena_alloc_uninit(a, n + 1) : NULL;
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
