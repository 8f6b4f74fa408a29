/* nearest.h: the package names nearest to a misspelt one (edit distance), for refusals. */
#ifndef VSOLVE_NEAREST_H
#define VSOLVE_NEAREST_H
#include <stddef.h>
#include <stdint.h>
#include "universe.h"

/* The name part of an opam atom: its length up to the first of . = < > ! (names have none). */
size_t nearest_atom_name_len(const char *atom);

/* Up to max names of u (indexes into u->names) within a small edit distance of name[0..len)
 * (Levenshtein, at most 1 for names up to 4 characters, 2 up to 8, 3 beyond), nearest first,
 * then in name order. Returns how many. */
size_t nearest_names(const vs_universe *u, const char *name, size_t len, uint32_t *out, size_t max);

#endif
