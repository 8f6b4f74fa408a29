/* cudf.h: the CUDF 2.0 format (Mancoosi; what opam hands its solvers): a universe and request
 * in, a solution out. */
#ifndef VSOLVE_CUDF_H
#define VSOLVE_CUDF_H
#include <stdio.h>
#include "../solver/request.h"
#include "../solver/solve.h"
#include "../solver/universe.h"

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
 *  - `avoid-version: 1` (opam's extra property) sets VS_PKG_AVOID;
 *  - installed packages: `keep: version` / `keep: package` become request atoms, other installed
 *    packages are kept if possible (request_keep);
 *  - the request stanza: `install` atoms; `upgrade` atoms (installed at the newest possible);
 *    `remove` atoms (not installed: an atom over the package's other versions, or none).
 * Errors are "FILE:LINE:COL: expected ..." (VSOLVE_EBADINPUT). Unknown properties are skipped
 * (extra properties are declared in the preamble). */
int cudf_load(vs_universe *u, vs_request *req, const char *path, cudf_stats *stats, vs_error *err);

/* Same, from memory (text[len], need not be NUL-terminated); filename is for messages. */
int cudf_load_memory(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                     cudf_stats *stats, vs_error *err);

/* Writes a CUDF solution: one stanza "package: NAME\nversion: N\ninstalled: true\n" per installed
 * package, in the order of s->pkgs (sorted by name then version). */
int cudf_write_solution(FILE *out, const vs_universe *u, const vs_solution *s);

#endif
