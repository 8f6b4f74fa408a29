/* lock.h: an ecosystem-neutral lock (what was chosen, how each package is obtained, from which
 * archive), and its JSON form (docs/lock-json.md), the lock a Nix expression reads. */
#ifndef VSOLVE_LOCK_H
#define VSOLVE_LOCK_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "vec.h"

enum vs_lock_mode { VS_LOCK_VENDORED, VS_LOCK_PROVIDED, VS_LOCK_ROOT };

typedef VEC(const char *) str_vec;

typedef struct vs_lock_pkg {
    const char *name, *version;
    int mode;                     /* enum vs_lock_mode */
    const char *dir, *url, *dev_repo;   /* vendored only, else NULL */
    str_vec checksums;            /* vendored: "KIND=HEX", sorted by kind */
    str_vec depends;              /* names of the chosen packages it depends on, sorted, unique */
    str_vec depexts;              /* opam depexts entries as opam text (not in the JSON) */
    const char *copy_of;          /* --duplicates: a renamed copy (name is NAME_vVERSION): the
                                     package it copies, else NULL */
    str_vec used_by;              /* --duplicates, a name with several versions: the packages
                                     (lock names) that use this copy, sorted; else empty */
} vs_lock_pkg;

typedef struct vs_lock_source {
    const char *dir, *url;
    str_vec checksums;
    str_vec packages;             /* sorted */
} vs_lock_source;

typedef struct vs_lock_var {
    const char *name, *value;
} vs_lock_var;

typedef struct vs_lock {
    arena mem;                    /* every string and vector element below */
    const char *ecosystem;        /* "opam" */
    const char *fingerprint;      /* hex digest of the repository as read */
    VEC(vs_lock_var) vars;        /* sorted by name */
    str_vec roots;                /* sorted */
    VEC(vs_lock_pkg) pkgs;        /* sorted by name, then version */
    VEC(vs_lock_source) sources;  /* sorted by dir */
    str_vec opam_provided;        /* opam: the names the user said are provided (sorted) */
    str_vec root_depexts;         /* opam: the roots' own depexts, as opam text */
} vs_lock;

void lock_init(vs_lock *l);
void lock_free(vs_lock *l);
/* A copy of s in the lock's arena (NULL when out of memory). */
const char *lock_str(vs_lock *l, const char *s);
/* Appends a copy of s to v. VSOLVE_OK or VSOLVE_ENOMEM. */
int lock_push(vs_lock *l, str_vec *v, const char *s);
/* Sorts v (strcmp) and drops repeats. */
void lock_sort_unique(str_vec *v);

/* The JSON lock's text (docs/lock-json.md), malloc'd and NUL-terminated; NULL when out of
 * memory. generator: e.g. "vsolve 0.2.0". Deterministic: the same lock gives the same bytes. */
char *lock_json_text(const vs_lock *l, const char *generator);

#endif
