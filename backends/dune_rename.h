/* dune_rename.h: renaming one copy of a duplicated package so that two versions link into one
 * dune build (the step `vsolve pull` runs for each extra copy of a `--duplicates` lock).
 *
 * A copy of package P at version V (its source directory, already unpacked) becomes package
 * P_vV (V with every character other than letters, digits and `_` turned into `_`):
 *  - dune-project `(name P)`, `(package (name P))` and the `.opam` file name;
 *  - each library `(name L)` becomes `L_vV`, `(public_name P[.sub])` becomes `P_vV[.sub]`, and
 *    a generated main module `l_vV.ml` re-exports the library's old top module (`module L = L`),
 *    or, for a library without a main module or with `(wrapped false)` (made wrapped), each of
 *    its modules, so that every compilation unit of the copy gets a new name;
 *  - every global symbol the copy's C stubs define is renamed at compile time
 *    (`-Dsym=P_vV_sym` merged into the stubs' flags), and the matching `external ... = "sym"`
 *    names in the copy's `.ml`/`.mli` files are rewritten;
 *  - in the copy and in each dependent that uses it: `(libraries ...)` (also inside `(select)`),
 *    `(re_export ...)`, `(pps ...)`, `%{lib:...}`, `%{lib-available:...}`, `%{version:...}` and
 *    `(package ...)` naming a renamed library or package, and `-open L_vV` merged into the
 *    `(flags ...)` of every stanza that names a renamed library, so that source code saying
 *    `L.f` reaches the copy without editing any `.ml` file.
 * Limits (reported, not hidden): two dependents exchanging values of the duplicated library's
 * types do not type-check (a dependent that re-exports it is reported as a warning before any
 * build; OCaml's type error then names `L_vV`, the copy); prebuilt objects
 * (`extra_objects`, `foreign_archives`) are not renamed; `(include ...)`d dune files and
 * `(subdir ...)` stanzas are left as they are. */
#ifndef VSOLVE_DUNE_RENAME_H
#define VSOLVE_DUNE_RENAME_H
#include <stddef.h>
#include "error.h"

typedef struct dune_copy {
    const char *dir;                 /* the copy's source directory, renamed in place */
    const char *version;             /* its version, e.g. "1.0" (suffix "_v1_0") */
    const char *const *dependents;   /* source directories of the dependents that use it */
    size_t n_dependents;
    const char *cc;                  /* C compiler to list the stubs' symbols (NULL: "cc") */
    const char *ocaml_where;         /* OCaml's library directory for <caml/...> (NULL: asks
                                        `ocamlfind ocamlc -where`) */
} dune_copy;

/* Renames the copy and rewrites its dependents. On success *report (malloc'd) says what was
 * renamed, one line each, and lines starting "warning: " for what may still fail (a dependent
 * re-exporting the duplicated library). VSOLVE_OK, VSOLVE_EBADINPUT (a dune file that does not
 * parse, with file:line:col; a name clash with an existing file), VSOLVE_EIO, VSOLVE_ENOMEM.
 * Every file is replaced atomically; on an error some files may already be rewritten. */
int dune_rename_copy(const dune_copy *c, char **report, vs_error *err);

/* Renames every copy a JSON lock (docs/lock-json.md, "Duplicate versions") names, in a pulled
 * workspace: for each package with "copy-of", the copy in duniverse_dir/<its dir>, with the
 * dependents of its "used-by" (their dirs under duniverse_dir; a root: project_dir). What
 * `vsolve pull` runs after unpacking, before the new duniverse replaces the old one. *report
 * (malloc'd) concatenates the reports; a lock without copies renames nothing. VSOLVE_OK, or the
 * first error (VSOLVE_EBADINPUT for a lock whose copy fields do not hold together). */
int dune_rename_lock(const char *lock_json, const char *duniverse_dir, const char *project_dir, char **report,
                     vs_error *err);

/* The suffix for version v: "_v" and v with characters outside [A-Za-z0-9_] as '_'. Writes at
 * most size bytes (NUL included); 0 when it does not fit. */
int dune_version_suffix(const char *v, char *out, size_t size);

#endif
