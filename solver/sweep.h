/* sweep.h: the installability of every package of a universe (as dose-distcheck does), on
 * several threads, with the reason for each package that cannot be installed. */
#ifndef VSOLVE_SWEEP_H
#define VSOLVE_SWEEP_H
#include <stddef.h>
#include <stdint.h>
#include "universe.h"

enum sweep_status {
    SWEEP_INSTALLABLE = 0,
    SWEEP_UNAVAILABLE,      /* not available on this platform */
    SWEEP_MISSING,          /* a dependency nothing available provides (reason: the clause) */
    SWEEP_BROKEN_DEP,       /* a dependency whose every provider is itself not installable */
    SWEEP_CONFLICT          /* its dependencies cannot all be installed together */
};
#define SWEEP_STATUS_COUNT 5

typedef struct sweep_result {
    unsigned char *status;  /* per package, enum sweep_status */
    uint32_t *reason;       /* per package: clause index for SWEEP_MISSING / SWEEP_BROKEN_DEP */
    /* per SWEEP_CONFLICT package: clash[clash_first[p] .. + clash_count[p]) is a minimal set
     * of its dependency clauses (clause indexes, oldest clause first) that cannot hold
     * together; a last entry VS_NONE means "with the package itself" (its conflicts and
     * exclusion groups take part). Empty when no such set was found. */
    uint32_t *clash_first, *clash_count;
    u32_vec clash;
    size_t count[SWEEP_STATUS_COUNT];
    uint64_t sat_calls;     /* CryptoMiniSat calls */
    uint64_t quick_models;  /* models found by quick.c's search alone */
    char failure[1024];     /* sweep_universe failed other than for memory (no SAT solver): why */
} sweep_result;

/* Called now and then from the calling thread with the number of packages settled. */
typedef void (*sweep_progress_fn)(void *user, size_t done, size_t total);

/* Checks every package of u with `threads` threads (1 or more). Returns VSOLVE_OK or an error;
 * out must be freed with sweep_result_free. */
int  sweep_universe(const vs_universe *u, int threads, sweep_progress_fn progress, void *user, sweep_result *out);
void sweep_result_free(sweep_result *r);
const char *sweep_status_name(int status);

#endif
