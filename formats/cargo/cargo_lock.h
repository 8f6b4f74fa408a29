/* cargo_lock.h: writing Cargo.lock from a solution graph and the crates' attributes. */
#ifndef VSOLVE_CARGO_LOCK_H
#define VSOLVE_CARGO_LOCK_H
#include <stdio.h>
#include "graph.h"
#include "universe.h"

/* Writes the Cargo.lock (format 4, or 3 when the root's rust-version attribute is older than
 * 1.78) of the solution whose graph is g over u (a cargo universe, built with cargo_owner_map as
 * the owners): every crate version with its source and checksum attributes and its resolved
 * dependencies ("name", or "name version" when the lock holds several versions of the crate),
 * sorted as cargo sorts them. The root is the crate without a source. source_url, when not
 * NULL, replaces the index URL of every source ("registry+URL"). VSOLVE_OK, VSOLVE_ENOMEM or
 * VSOLVE_EIO (a write failed). */
int cargo_lock_write(FILE *out, const vs_universe *u, const vs_graph *g, const char *source_url);

#endif
