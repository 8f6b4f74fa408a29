/* cudf.h: the CUDF 2.0 format (Mancoosi; what opam hands its solvers): a universe and request
 * in, a solution out. */
#ifndef VSOLVE_CUDF_H
#define VSOLVE_CUDF_H
#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "request.h"
#include "solve.h"
#include "universe.h"

typedef struct cudf_stats {
    size_t packages;       /* package stanzas read */
    size_t installed;      /* of which installed: true */
} cudf_stats;

/* Reads a CUDF document (path ending in .gz is gunzipped) into u (freshly initialised) and req
 * (freshly initialised):
 *  - every package stanza becomes a package; versions are CUDF's positive integers, ordered
 *    numerically; `depends` (CNF: ',' AND, '|' OR of vpkgs with = != < <= > >=) become clauses,
 *    `conflicts` become conflicts, `provides` make a package a provider of the named virtual
 *    package (at the given version, or of every version when unversioned); a conflict of a package
 *    on its own name (opam's one-version rule) becomes a slot;
 *  - `avoid-version: 1` (opam's extra property; any nonzero value) sets VS_PKG_AVOID;
 *  - installed packages: `keep: version` / `keep: package` become request atoms, other installed
 *    packages are kept if possible (request_keep);
 *  - the request stanza: `install` atoms; `upgrade` atoms (installed at the newest possible,
 *    never older than the newest installed version of the name); `remove` atoms forbid every
 *    package matching them (request_forbid), providers included;
 *  - packages of a name that all (but at most one) conflict with every other version of the
 *    name get one at-most-one group (their slot) instead of pairwise conflicts;
 *  - the document must end with a request stanza (a truncated file is an error); a package's
 *    name and version pair must be unique.
 * Errors are "FILE:LINE:COL: expected ..." (VSOLVE_EBADINPUT). Unknown properties are skipped
 * (extra properties are declared in the preamble). */
int cudf_load(vs_universe *u, vs_request *req, const char *path, cudf_stats *stats, vs_error *err);

/* Same, from memory (text[len], need not be NUL-terminated); filename is for messages. */
int cudf_load_memory(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                     cudf_stats *stats, vs_error *err);

/* Writes a CUDF solution: one stanza "package: NAME\nversion: N\ninstalled: true\n" per installed
 * package, in the order of s->pkgs (sorted by name then version), stanzas separated by an empty
 * line. When s->status is not VSOLVE_OK: "FAIL" and the explanation (the CUDF solvers' convention).
 * Returns VSOLVE_OK or VSOLVE_EIO. */
int cudf_write_solution(FILE *out, const vs_universe *u, const vs_solution *s);

/* opam's dumps name each package in opam's terms too (extra properties opam-name and
 * opam-version). The map keeps them, indexed by package id: string ids in the universe, VS_NONE
 * when the stanza has no such property. */
typedef struct cudf_opam_map {
    uint32_t *name, *version;
    size_t count;          /* packages in the universe */
} cudf_opam_map;

/* cudf_load / cudf_load_memory that also fill *map (map may be NULL; free it with
 * cudf_opam_map_free, also after a failure). A .cudf.gz inflates to at most max_inflate bytes
 * (0: REPO_MAX_INFLATE_DEFAULT, as cudf_load). */
int cudf_load_ex(vs_universe *u, vs_request *req, const char *path, uint64_t max_inflate, cudf_stats *stats,
                 cudf_opam_map *map, vs_error *err);
int cudf_load_memory_ex(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                        cudf_stats *stats, cudf_opam_map *map, vs_error *err);
void cudf_opam_map_free(cudf_opam_map *map);
/* The opam name / version of package pkg, or NULL when its stanza had none. */
const char *cudf_opam_name(const vs_universe *u, const cudf_opam_map *map, uint32_t pkg);
const char *cudf_opam_version(const vs_universe *u, const cudf_opam_map *map, uint32_t pkg);

#endif
