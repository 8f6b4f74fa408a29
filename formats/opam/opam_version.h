/* opam_version.h: opam's version order (Debian-like, with '~'), exactly as OpamVersionCompare. */
#ifndef VSOLVE_OPAM_VERSION_H
#define VSOLVE_OPAM_VERSION_H
#include <stddef.h>

/* Returns -1, 0 or 1. Strings are compared as opam does: split at the last '-',
 * the parts before compared first, then the parts after; within a part digit runs
 * compare numerically (leading zeros ignored), other runs character by character with
 * '~' < end of string < letters < everything else. */
int opam_version_compare(const char *a, const char *b);

#endif
