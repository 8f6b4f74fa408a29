/* cargo_pins.h: the versions of `links` crates that no solution can take, known from what the
 * root forces, before the problem is built.
 *
 * Every solution has the root; a version it must have (a forced version) has each of its
 * normal and build dependencies (the root: dev-dependencies too) met by one of the dependency's
 * matching versions that is not yanked. Where those are one version, that version is forced
 * too. Where they all declare one `links` value L, the package linking L is one of them, and as
 * only one package may link L, every other version declaring L is in no solution: a pin. Two
 * pins of one L that share no version: no solution at all. A version whose dependency on such a
 * crate matches only dead versions is dead too. Optional dependencies and features are not
 * followed (nothing forced comes of them here), so pins are fewer than the truth, never wrong.
 * All of this holds without a lock (which could make a yanked version available). */
#ifndef VSOLVE_CARGO_PINS_H
#define VSOLVE_CARGO_PINS_H
#include <stddef.h>
#include "arena.h"
#include "cargo_index.h"

typedef struct cargo_pin {
    const char *links;               /* the native library */
    const cargo_version **allowed;   /* one of them is in every solution (index versions, parsed) */
    size_t n_allowed;
    size_t root_dep;                 /* the root's dependency whose forced chain pins it */
    const char *via[8];              /* the crates of that chain, from the root's dependency on */
    size_t n_via;
} cargo_pin;

typedef struct cargo_pins {
    cargo_pin *items;
    size_t len, cap;
    int contradiction;               /* two pins of one links value share no version */
    size_t clash[2];                 /* then: those two pins (items) */
    const char **crates;             /* crates known to declare a links value (cargo_pins_dead) */
    size_t n_crates;
} cargo_pins;

/* The pins of a root whose dependencies are deps[0..n) (dev-dependencies count): every chain of
 * forced versions from them, up to 8 crates deep; a dependency with more than 16 matching
 * versions is not looked into. crates[0..n_crates): crates known to declare a links value
 * (copied), whose dependents cargo_pins_dead looks at. Allocates from mem. VSOLVE_OK, or the
 * index's error (a crate file that cannot be read or a malformed line: the build reports it
 * again) or VSOLVE_ENOMEM. */
int cargo_pins_find(arena *mem, cargo_index *ix, const cargo_dep *deps, size_t n, const char *const *crates,
                    size_t n_crates, cargo_pins *out, vs_error *err);

/* Is v (parsed, not the root) in no solution by the pins p (NULL: none): it declares a pinned
 * links value and is not among that value's allowed versions of every pin, or one of its normal
 * or build dependencies on a crate of p->crates matches only versions that are yanked or so. */
int cargo_pins_dead(const cargo_pins *p, cargo_index *ix, const cargo_version *v);

#endif
