/* runset.h: the provider runs (ranges of universe.ids) a walk over a cone has scanned.
 * Clauses of many packages share one run of providers (the universe stores equal provider lists
 * once), so such a walk meets the same run again and again: on the 2026 snapshot's larger cones
 * each provider entry comes up about 15 times. A walk whose visit of a provider is idempotent
 * (build_cone, universe_need_cone) scans each run once. */
#ifndef VSOLVE_RUNSET_H
#define VSOLVE_RUNSET_H
#include <stddef.h>
#include <stdint.h>

typedef struct runset {
    uint32_t *keys;    /* open addressing: first, count per slot; first == VS_NONE when empty */
    size_t cap, len;
} runset;

/* An empty set; it allocates on its first use. */
void runset_init(runset *s);
void runset_free(runset *s);
/* Adds the run [first, first + count): 1 when it is new (scan it now), 0 when it was added
 * before, -1 when out of memory. */
int  runset_add(runset *s, uint32_t first, uint32_t count);

#endif
