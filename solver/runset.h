/* runset.h: what a walk over a cone has learnt about the provider runs (ranges of
 * universe.ids) it met. Clauses of many packages share one run of providers (the universe
 * stores equal provider lists once), so such a walk meets the same run again and again: on the
 * 2026 snapshot's larger cones each provider entry comes up about 15 times. A walk keeps one
 * value per run: build_cone only whether it scanned the run, prune the live provider it found
 * there last. */
#ifndef VSOLVE_RUNSET_H
#define VSOLVE_RUNSET_H
#include <stddef.h>
#include <stdint.h>

typedef struct runset {
    uint32_t *keys;    /* open addressing: first, count per slot; first == VS_NONE when empty */
    uint32_t *values;
    size_t cap, len;
} runset;

/* An empty set; it allocates on its first use. */
void runset_init(runset *s);
void runset_free(runset *s);
/* The value slot of run [first, first + count): VS_NONE when the run is new. NULL when out of
 * memory. Valid until the next call. */
uint32_t *runset_value(runset *s, uint32_t first, uint32_t count);

#endif
