/* vsolve.h: the public C API of vsolve, a dependency solver for opam, cargo and npm.
 *
 * Use:
 *   vsolve_ctx *ctx = vsolve_new();
 *   vsolve_set_var(ctx, "os", "linux");                 optional, opam filter variables
 *   if (vsolve_load_opam(ctx, "opam-repository.tar.gz") != VSOLVE_OK)
 *       fprintf(stderr, "%s\n", vsolve_errmsg(ctx));
 *   const char *atoms[] = { "lwt>=5.0", "dune" };
 *   vsolve_result *r;
 *   int rc = vsolve_solve(ctx, atoms, 2, &r);           VSOLVE_OK, VSOLVE_UNSAT or an error
 *   for (size_t i = 0; rc == VSOLVE_OK && i < vsolve_result_count(r); i++)
 *       printf("%s.%s\n", vsolve_result_name(r, i), vsolve_result_version(r, i));
 *   vsolve_result_free(r);
 *   vsolve_free(ctx);
 *
 * Threading: a context is used by one thread at a time; distinct contexts are independent
 * (the library has no global mutable state). The library never prints.
 * Errors: every call that can fail returns a status; the message of the last failure is
 * vsolve_errmsg(ctx), valid until the next call on ctx.
 */
#ifndef VSOLVE_H
#define VSOLVE_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VSOLVE_VERSION_STRING "0.1.0"

enum vsolve_status {
    VSOLVE_OK = 0,
    VSOLVE_UNSAT = 1,        /* the request cannot be satisfied; the result explains why */
    VSOLVE_EBADINPUT = 2,    /* malformed input; message is "file:line:col: ..." */
    VSOLVE_ENOMEM = 3,
    VSOLVE_EIO = 4,          /* a file could not be read or written */
    VSOLVE_EUSAGE = 5,       /* the API was called wrongly (bad argument, wrong order) */
    VSOLVE_ETIMEOUT = 6      /* a solve ran past the time limit (vsolve_set_timeout) */
};

typedef struct vsolve_ctx vsolve_ctx;
typedef struct vsolve_result vsolve_result;

#if defined(__GNUC__)
#define VSOLVE_API __attribute__((visibility("default")))
#else
#define VSOLVE_API
#endif

VSOLVE_API const char *vsolve_version(void);

VSOLVE_API vsolve_ctx *vsolve_new(void);          /* NULL when out of memory */
VSOLVE_API void vsolve_free(vsolve_ctx *ctx);     /* NULL is fine */
VSOLVE_API const char *vsolve_errmsg(const vsolve_ctx *ctx);

/* Sets an opam filter variable (os, arch, os-family, os-distribution, os-version, with-test,
 * with-doc, dev, ...) before loading; overrides what vsolve detects from the host. */
VSOLVE_API int vsolve_set_var(vsolve_ctx *ctx, const char *name, const char *value);

/* Loads an opam repository: a directory holding packages/NAME/NAME.VERSION/opam, or a
 * .tar.gz / .tar of one. Call once per context. */
VSOLVE_API int vsolve_load_opam(vsolve_ctx *ctx, const char *path);

/* Loads a CUDF 2.0 document (a .cudf, or a .cudf.gz): its universe, and its request, which
 * vsolve_solve(ctx, NULL, 0, &r) then solves (names and versions in r are CUDF's: integer
 * versions). Call once per context, instead of vsolve_load_opam. */
VSOLVE_API int vsolve_load_cudf(vsolve_ctx *ctx, const char *path);

/* Universe cache for the repositories loaded after this call. cache_path names the cache file,
 * or NULL for the default location ($VSOLVE_CACHE_DIR, else $XDG_CACHE_HOME/vsolve, else
 * ~/.cache/vsolve). Modes:
 *   VSOLVE_CACHE_OFF      parse the repository every time (the default);
 *   VSOLVE_CACHE_USE      load from the cache when it matches the repository and variables; a
 *                         stale or corrupt cache is detected, the repository parsed, the cache
 *                         rewritten; a missing one is not created;
 *   VSOLVE_CACHE_REFRESH  parse the repository and (re)write the cache (`vsolve index`).
 * vsolve_cache_status tells what the last load did. */
enum vsolve_cache_mode { VSOLVE_CACHE_OFF = 0, VSOLVE_CACHE_USE = 1, VSOLVE_CACHE_REFRESH = 2 };
VSOLVE_API int vsolve_set_cache(vsolve_ctx *ctx, const char *cache_path, int mode);

/* How vsolve_solve chooses among the answers that satisfy a request:
 *   VSOLVE_PREFER_DEFAULT        opam's criteria for an opam repository, newest-first for a
 *                                CUDF document (the default);
 *   VSOLVE_PREFER_OPAM_CRITERIA  opam 2.1's `opam install` criteria, minimised exactly in
 *                                order: removed, avoid-version packages, the version lag of the
 *                                requested packages, of all packages, then the number of
 *                                packages; ties broken canonically (names in alphabetical order,
 *                                each left out if a tied answer allows it, else as new as one
 *                                allows). On a CUDF document the version lags are computed from
 *                                its versions, not read from its version-lag property;
 *   VSOLVE_PREFER_NEWEST_FIRST   each package as new as possible in turn: the requested ones
 *                                in request order, then the others breadth-first from them,
 *                                then nothing that nothing needs.
 * Applies to the following vsolve_solve and vsolve_dump_testcase calls. */
enum vsolve_preference { VSOLVE_PREFER_DEFAULT = 0, VSOLVE_PREFER_OPAM_CRITERIA = 1, VSOLVE_PREFER_NEWEST_FIRST = 2 };
VSOLVE_API int vsolve_set_preference(vsolve_ctx *ctx, int preference);
VSOLVE_API const char *vsolve_cache_status(const vsolve_ctx *ctx);

/* A malformed opam file in the repository (syntax, a misnamed package directory): by default the
 * package is left out with a warning naming FILE:LINE:COL (vsolve_warning), as opam does, and
 * the cache is not written; strict = 1 refuses the repository with that error instead. Before
 * vsolve_load_opam. */
VSOLVE_API int vsolve_set_strict(vsolve_ctx *ctx, int strict);

/* Limits every later solve on ctx (opam, CUDF, cargo) to about `seconds` of solving; past it the
 * solve stops cleanly with VSOLVE_ETIMEOUT and a message. 0 (the default): no limit. */
VSOLVE_API int vsolve_set_timeout(vsolve_ctx *ctx, double seconds);

/* Warnings of the last load: what did not stop it but the user should know (a malformed opam
 * file left out, a cache that could not be written, a corrupt cache rebuilt while solving). vsolve_warning(ctx, i) for i < vsolve_warning_count(ctx); valid until
 * the next load or vsolve_free. */
VSOLVE_API size_t vsolve_warning_count(const vsolve_ctx *ctx);
VSOLVE_API const char *vsolve_warning(const vsolve_ctx *ctx, size_t i);

/* Solves for the given atoms ("name", "name.version", "name>=1.0", "name<2"; several
 * atoms on one name all apply). On VSOLVE_OK or VSOLVE_UNSAT *out is set and must be freed. */
VSOLVE_API int vsolve_solve(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                            vsolve_result **out);

/* Chosen packages, sorted by name (empty when unsatisfiable). */
VSOLVE_API size_t vsolve_result_count(const vsolve_result *r);
VSOLVE_API const char *vsolve_result_name(const vsolve_result *r, size_t i);
VSOLVE_API const char *vsolve_result_version(const vsolve_result *r, size_t i);
/* Why package i is in the solution: "request" or the name.version of a dependent. */
VSOLVE_API const char *vsolve_result_reason(const vsolve_result *r, size_t i);
/* For VSOLVE_UNSAT: a plain-words explanation (several lines). For a solution: "" or a note
 * about it (cargo: the chosen crates that need a newer Rust than the package's rust-version). */
VSOLVE_API const char *vsolve_result_explanation(const vsolve_result *r);
/* After VSOLVE_UNSAT on an opam request: the atoms (as given) whose clash the explanation names,
 * and up to 4 fixes, smallest first, each verified by solving the edited request again. Fix i
 * is vsolve_result_fix_edits(r, i) edits (1, or 2 when no single edit works) applied together:
 * edit k drops atom vsolve_result_fix_atom(r, i, k) when vsolve_result_fix_replacement(r, i, k)
 * is NULL, else replaces it with that atom (e.g. `core=v0.17.0` -> `core=v0.16.0`, the newest
 * version the other atoms allow). vsolve_result_fix_text says it in words; the explanation lists
 * the fixes too. Applying any one fix to the atoms gives a request that solves. */
VSOLVE_API size_t vsolve_result_clash_count(const vsolve_result *r);
VSOLVE_API const char *vsolve_result_clash_atom(const vsolve_result *r, size_t i);
VSOLVE_API size_t vsolve_result_fix_count(const vsolve_result *r);
VSOLVE_API size_t vsolve_result_fix_edits(const vsolve_result *r, size_t i);
VSOLVE_API const char *vsolve_result_fix_atom(const vsolve_result *r, size_t i, size_t k);
VSOLVE_API const char *vsolve_result_fix_replacement(const vsolve_result *r, size_t i, size_t k);
VSOLVE_API const char *vsolve_result_fix_text(const vsolve_result *r, size_t i);
VSOLVE_API void vsolve_result_free(vsolve_result *r);

/* cargo: resolves the Rust package whose Cargo.toml is manifest_path against a crates registry
 * index (a directory or .tar.gz in the standard layout), reading only the crate files the
 * resolution reaches. lock_path, when given and present, is an existing Cargo.lock whose
 * versions are kept where they still fit. With no features and no_default_features 0, the
 * resolution covers every feature of the root (and so its optional dependencies), as cargo's
 * Cargo.lock does; otherwise exactly the given features (plus `default` unless
 * no_default_features). The result lists the crates (the root included);
 * vsolve_cargo_write_lock then writes the Cargo.lock of the last cargo solution. */
VSOLVE_API int vsolve_cargo_solve(vsolve_ctx *ctx, const char *index_path, const char *manifest_path,
                                  const char *lock_path, const char *const *features, size_t n_features,
                                  int no_default_features, vsolve_result **out);
/* Writes the Cargo.lock (format 4) of the last successful vsolve_cargo_solve to path ("-" for
 * standard output); source_url NULL means crates.io's index URL. */
VSOLVE_API int vsolve_cargo_write_lock(vsolve_ctx *ctx, const char *path, const char *source_url);

/* npm: builds the node_modules tree npm 11 would (`npm install --package-lock-only`) for the
 * package.json at manifest_path, from packuments (registry_path: a directory of
 * packuments/<name>.json, a scoped @s/n as @s%2fn.json, or a .tar.gz of one). npm's version choice
 * (the `latest` dist-tag, then engines against node_version / npm_version (NULL: 20.20.2 /
 * 11.19.1), then non-deprecated, then highest) and its hoisting. lock_path, when given and
 * present, is an existing package-lock.json whose versions are preferred where they fit. The
 * result lists one row per node_modules entry (a name may appear with several versions; the
 * reason is the entry's path). vsolve_npm_write_lock then writes the package-lock.json (v3). */
VSOLVE_API int vsolve_npm_solve(vsolve_ctx *ctx, const char *registry_path, const char *manifest_path,
                                const char *lock_path, const char *node_version, const char *npm_version,
                                vsolve_result **out);
/* Writes the package-lock.json of the last successful vsolve_npm_solve to path ("-" for standard
 * output); registry_url NULL leaves out "resolved" (npm's omit-lockfile-registry-resolved). */
VSOLVE_API int vsolve_npm_write_lock(vsolve_ctx *ctx, const char *path, const char *registry_url);

/* Checks a proposed solution (NAME.VERSION strings, e.g. another solver's answer) against the
 * request atoms and the loaded universe with vsolve's independent checker: VSOLVE_OK when every
 * atom is met and every package is available with its dependencies met and no conflict;
 * VSOLVE_UNSAT otherwise, with the violations in vsolve_errmsg. */
VSOLVE_API int vsolve_check(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                            const char *const *packages, size_t n_packages);

/* Installability of every package version of the loaded repository (as dose-distcheck does),
 * on `threads` threads. progress (may be NULL) is called from the calling thread with the
 * number of packages settled so far. */
typedef struct vsolve_sweep_result vsolve_sweep_result;
typedef void (*vsolve_progress_fn)(void *user, size_t done, size_t total);
enum vsolve_sweep_status {
    VSOLVE_INSTALLABLE = 0,
    VSOLVE_NOT_AVAILABLE = 1,     /* not available on this platform (opam `available`) */
    VSOLVE_MISSING_DEP = 2,       /* a dependency nothing available provides */
    VSOLVE_BROKEN_DEP = 3,        /* a dependency whose every provider is itself not installable */
    VSOLVE_CONFLICTING_DEPS = 4   /* its dependencies cannot all be installed together */
};
VSOLVE_API int vsolve_sweep(vsolve_ctx *ctx, int threads, vsolve_progress_fn progress, void *user,
                            vsolve_sweep_result **out);
VSOLVE_API size_t vsolve_sweep_count(const vsolve_sweep_result *r);
VSOLVE_API const char *vsolve_sweep_name(const vsolve_sweep_result *r, size_t i);
VSOLVE_API const char *vsolve_sweep_version(const vsolve_sweep_result *r, size_t i);
VSOLVE_API int vsolve_sweep_status(const vsolve_sweep_result *r, size_t i);
/* "" for installable ones; else e.g. "needs ghost >= 3, which nothing provides". */
VSOLVE_API const char *vsolve_sweep_reason(const vsolve_sweep_result *r, size_t i);
/* Packages with a status, and a plain-words name of it. */
VSOLVE_API size_t vsolve_sweep_total(const vsolve_sweep_result *r, int status);
VSOLVE_API const char *vsolve_sweep_status_name(int status);
VSOLVE_API void vsolve_sweep_free(vsolve_sweep_result *r);

/* Writes a self-contained YAML test case in the neutral form (the packages of the request's
 * cone, the atoms, and the answer) to path, so that a user's run can become a regression test.
 * With a loaded repository: the request of atoms. Without one, after vsolve_cargo_solve or
 * vsolve_npm_solve: that run (atoms ignored). The file is replaced whole or not at all. */
VSOLVE_API int vsolve_dump_testcase(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                                    const vsolve_result *r, const char *path);

#ifdef __cplusplus
}
#endif
#endif
