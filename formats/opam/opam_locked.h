/* opam_locked.h: opam-monorepo's lock file (`<project>.opam.locked`, lockfile version 0.3):
 * writing it from a lock, and reading back the versions an existing one pins. */
#ifndef VSOLVE_OPAM_LOCKED_H
#define VSOLVE_OPAM_LOCKED_H
#include "arena.h"
#include "error.h"
#include "lock.h"

/* The file's text as opam-monorepo's lockfile.ml writes it: opam-version, synopsis, maintainer,
 * depends (every chosen package but the roots, `{= "V"}`, vendored ones `{= "V" & ?vendor}`,
 * sorted as OpamPackage.compare), depexts (the roots' and the chosen packages', sorted and
 * unique), pin-depends (the vendored ones), x-opam-monorepo-duniverse-dirs (URL, dir, checksums
 * per source), x-opam-monorepo-opam-provided (when the user named provided packages),
 * x-opam-monorepo-root-packages, x-opam-monorepo-version "0.3". Lists are laid out as opam's
 * printer does (inline when they fit in 80 columns; one element a line when they hold lists or
 * options). malloc'd, NUL-terminated; NULL when out of memory. */
char *opam_locked_text(const vs_lock *l);

typedef struct opam_locked_pin {
    const char *name, *version;
    int vendored;
} opam_locked_pin;

/* Reads the depends of an existing .opam.locked: every `"NAME" {= "VERSION"}` (with or without
 * `& ?vendor`), in a. *out and *n (malloc'd array; free it). VSOLVE_OK, or VSOLVE_EBADINPUT with
 * file:line:col (not an opam file; not a lockfile of version 0.3; a dependency without an exact
 * version), VSOLVE_EIO, VSOLVE_ENOMEM. */
int opam_locked_read(arena *a, const char *path, opam_locked_pin **out, size_t *n, vs_error *err);

#endif
