/* cargo_pins.h: the versions of `links` crates that no solution can take, known from what the
 * root's dependencies force, before the problem is built.
 *
 * Every solution has the root, and so meets each of the root's dependencies (dev-dependencies
 * too) with one of the dependency's matching versions that is not yanked, with the features the
 * edge asks (and `default` unless it says not to). Whichever version that is, it meets its own
 * normal and build dependencies, and the optional ones those features turn on, the same way.
 * So a dependency pins a links value L to a set of versions when its live matching versions all
 * declare L (one of them is in the graph, and only one package may link L), or when each of
 * them, through its own dependencies, pins L: then to the union of their sets. The root's pins
 * hold in every solution: any other version declaring L is in none (dead), and two pins of one
 * L that share no version leave no solution at all. A version whose dependency on a crate that
 * declares a pinned value matches only dead versions is dead too. The walk is bounded (chains of
 * 8 crates, 16 matching versions, crates on the way to a links crate): it finds fewer pins than
 * the truth, never a wrong one. All of this holds without a lock (which could make a yanked
 * version available). */
#ifndef VSOLVE_CARGO_PINS_H
#define VSOLVE_CARGO_PINS_H
#include <stddef.h>
#include "arena.h"
#include "cargo_index.h"

typedef struct cargo_pin {
    const char *links;               /* the native library */
    const cargo_version **allowed;   /* one of them is in every solution (index versions, parsed) */
    size_t n_allowed;
    size_t root_dep;                 /* the root's dependency that pins it */
    const char *via[8];              /* a chain of crates from that dependency's to the links crate */
    size_t n_via;
} cargo_pin;

typedef struct cargo_pins {
    cargo_pin *items;
    size_t len, cap;
    int contradiction;               /* two pins of one links value share no version */
    size_t clash[2];                 /* then: those two pins (items) */
    const char **crates;             /* crates known to declare a links value (cargo_pins_dead) */
    size_t n_crates;
    const char **ways;               /* crates on the way from the root to those (none: any) */
    size_t n_ways;
} cargo_pins;

/* The pins of a root whose dependencies are deps[0..n) (its optional ones are not followed).
 * crates[0..n_crates): crates known to declare a links value, whose dependents cargo_pins_dead
 * looks at; ways[0..n_ways): the crates worth walking into besides them (none: every crate).
 * Both are copied. A version whose index line cannot be read is left out, as the build leaves
 * it out. Allocates from mem. VSOLVE_OK, or the index's error (a crate file that cannot be
 * read: the build reports it again) or VSOLVE_ENOMEM. */
int cargo_pins_find(arena *mem, cargo_index *ix, const cargo_dep *deps, size_t n, const char *const *crates,
                    size_t n_crates, const char *const *ways, size_t n_ways, cargo_pins *out, vs_error *err);

/* Is v (parsed, not the root) in no solution by the pins p (NULL: none): it declares a pinned
 * links value and is not among that value's allowed versions of every pin, or one of its normal
 * or build dependencies on a crate of p->crates (or of a pin) matches only versions that are
 * yanked or dead that way. */
int cargo_pins_dead(const cargo_pins *p, cargo_index *ix, const cargo_version *v);

#endif
