/* vsolve.h: the public C API of vsolve, a dependency solver for opam, CUDF, cargo and npm.
 *
 * Use:
 *   if (vsolve_check_version(VSOLVE_VERNUM, sizeof(vsolve_project_options)) != VSOLVE_OK)
 *       abort();                                        header and library disagree
 *   vsolve_ctx *ctx = vsolve_new();
 *   vsolve_set_var(ctx, "os", "linux");                 optional, opam filter variables
 *   if (vsolve_load_opam(ctx, "opam-repository.tar.gz") != VSOLVE_OK)
 *       fprintf(stderr, "%s\n", vsolve_errmsg(ctx));
 *   const char *atoms[] = { "lwt>=5.0", "dune" };
 *   vsolve_result *r;
 *   int rc = vsolve_solve(ctx, atoms, 2, &r);           VSOLVE_OK, VSOLVE_UNSAT or an error
 *   for (size_t i = 0; rc == VSOLVE_OK && i < vsolve_result_count(r); i++) {
 *       const char *url;
 *       vsolve_result_attr(r, i, "url", 0, &url);       NULL when the package has none
 *       printf("%s.%s %s\n", vsolve_result_name(r, i), vsolve_result_version(r, i), url ? url : "");
 *   }
 *   vsolve_result_free(r);
 *   vsolve_free(ctx);
 *
 * Conventions (they hold for every call below unless its comment says otherwise):
 * - Status. Calls that can fail return an enum vsolve_status. The message of the last failure is
 *   vsolve_errmsg(ctx): "" after a success, owned by ctx, valid until the next call on ctx. A
 *   failed call leaves the context as it was before the call (a failed load leaves it unloaded).
 * - Out parameters. A call taking `T **out` sets *out to NULL first; *out is set (and must be
 *   freed by the caller with the matching _free) only when the comment says so; on any other
 *   return it stays NULL.
 * - Strings. Every string a call returns is owned by the library and must not be freed. Strings
 *   of a result (names, versions, reasons, explanation, paths) live until vsolve_result_free;
 *   strings of a sweep result until vsolve_sweep_free; attribute values (vsolve_result_attr) are
 *   borrowed from the context (below). Strings passed in are copied when kept.
 * - Borrowing. A vsolve_result keeps a pointer to its context: vsolve_result_attr and
 *   vsolve_write_lock* read the context's universe. They work while the context lives and,
 *   for cargo and npm results, until the next vsolve_solve_project (or the old cargo/npm solve
 *   calls) on it; after that they return VSOLVE_EUSAGE. Everything else a result holds (rows,
 *   deps, paths, explanation) is its own: it may outlive the context. A sweep result borrows the
 *   context's universe for its names and versions: free it before the context.
 * - NULL. Freeing NULL is fine. A NULL context makes a call return VSOLVE_EUSAGE (or NULL / 0).
 * - Threading: a context is used by one thread at a time; distinct contexts are independent
 *   (the library has no global mutable state). The library never prints.
 * - Memory: out of memory is VSOLVE_ENOMEM, never an abort.
 * - CryptoMiniSat is not linked: the first solve that needs a SAT solver opens it (dlopen of
 *   the SONAME the library was built against, e.g. libcryptominisat5.so.5.11); it stays loaded.
 *   When it cannot be opened, that solve returns VSOLVE_EIO and vsolve_errmsg says
 *   "cannot load CryptoMiniSat (libcryptominisat5.so.5.11): <the loader's reason>".
 */
#ifndef VSOLVE_H
#define VSOLVE_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header: VSOLVE_VERNUM is 0xMMmmpp (major, minor, patch). A library with
 * the same major and a minor at least the header's serves a program built with the header. */
#define VSOLVE_VERSION_STRING "0.2.0"
#define VSOLVE_VERNUM 0x000200
#define VSOLVE_VER_MAJOR 0
#define VSOLVE_VER_MINOR 2
#define VSOLVE_VER_PATCH 0

enum vsolve_status {
    VSOLVE_OK = 0,
    VSOLVE_UNSAT = 1,        /* the request cannot be satisfied; the result explains why */
    VSOLVE_EBADINPUT = 2,    /* malformed input; message is "file:line:col: ..." */
    VSOLVE_ENOMEM = 3,
    VSOLVE_EIO = 4,          /* a file could not be read or written (or CryptoMiniSat loaded) */
    VSOLVE_EUSAGE = 5,       /* the API was called wrongly (bad argument, wrong order) */
    VSOLVE_EVERSION = 6,     /* the header a program was built with does not match the library */
    VSOLVE_ETIMEOUT = 7      /* a solve ran past the time limit (vsolve_set_timeout) */
};

typedef struct vsolve_ctx vsolve_ctx;
typedef struct vsolve_result vsolve_result;

#if defined(__GNUC__)
#define VSOLVE_API __attribute__((visibility("default")))
#else
#define VSOLVE_API
#endif

/* The library's version string ("0.2.0") and number (its VSOLVE_VERNUM). */
VSOLVE_API const char *vsolve_version(void);
VSOLVE_API unsigned long vsolve_vernum(void);
/* Checks the header a program was compiled with against the library it runs with, as zlib's
 * deflateInit does: call it as vsolve_check_version(VSOLVE_VERNUM, sizeof(vsolve_project_options)).
 * VSOLVE_OK when the majors are equal, the library's minor is at least the header's and the
 * options struct has the library's size; VSOLVE_EVERSION otherwise (then do not use the
 * library: its structs or calls differ from what the program expects). */
VSOLVE_API int vsolve_check_version(unsigned long header_vernum, size_t options_size);

/* A new context: NULL when out of memory. Free it with vsolve_free (which frees what the
 * context owns; results and sweep results are freed by their own calls). */
VSOLVE_API vsolve_ctx *vsolve_new(void);
VSOLVE_API void vsolve_free(vsolve_ctx *ctx);
/* The message of the last failed call on ctx ("" after a success): owned by ctx, valid until
 * the next call on ctx. "no context" for NULL. */
VSOLVE_API const char *vsolve_errmsg(const vsolve_ctx *ctx);

/* Sets an opam filter variable (os, arch, os-family, os-distribution, os-version, with-test,
 * with-doc, dev, ...) before loading; overrides what vsolve detects from the host.
 * VSOLVE_OK; VSOLVE_EUSAGE (no name or value, or a repository is loaded already); VSOLVE_ENOMEM. */
VSOLVE_API int vsolve_set_var(vsolve_ctx *ctx, const char *name, const char *value);

/* Loads an opam repository: a directory holding packages/NAME/NAME.VERSION/opam, or a
 * .tar.gz / .tar of one. Call once per context. Besides dependencies, every package keeps what
 * a lock needs as attributes (vsolve_result_attr). VSOLVE_OK; VSOLVE_EBADINPUT (an opam file
 * does not parse: "file:line:col: ..."); VSOLVE_EIO (unreadable path); VSOLVE_EUSAGE (loaded
 * already); VSOLVE_ENOMEM. On error the context stays unloaded. */
VSOLVE_API int vsolve_load_opam(vsolve_ctx *ctx, const char *path);

/* Loads a CUDF 2.0 document (a .cudf, or a .cudf.gz): its universe, and its request, which
 * vsolve_solve(ctx, NULL, 0, &r) then solves (names and versions in r are CUDF's: integer
 * versions). Call once per context, instead of vsolve_load_opam. Status as vsolve_load_opam. */
VSOLVE_API int vsolve_load_cudf(vsolve_ctx *ctx, const char *path);

/* Universe cache for the repositories loaded after this call. cache_path names the cache file,
 * or NULL for the default location ($VSOLVE_CACHE_DIR, else $XDG_CACHE_HOME/vsolve, else
 * ~/.cache/vsolve). Modes:
 *   VSOLVE_CACHE_OFF      parse the repository every time (the default);
 *   VSOLVE_CACHE_USE      load from the cache when it matches the repository and variables; a
 *                         stale or corrupt cache is detected, the repository parsed, the cache
 *                         rewritten; a missing one is not created;
 *   VSOLVE_CACHE_REFRESH  parse the repository and (re)write the cache (`vsolve index`).
 * The attributes are a part of the cache that a solve never reads: the first vsolve_result_attr
 * reads them (the context keeps the cache file open until then).
 * VSOLVE_OK; VSOLVE_EUSAGE (unknown mode, path too long). vsolve_cache_status tells what the
 * last load did (owned by ctx, valid until the next load). */
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
/* The switch's installed packages for the following opam vsolve_solve calls (NULL: none, a fresh
 * switch): a file of NAME.VERSION or NAME VERSION lines (`#` comments), read now. With opam's
 * criteria the answer is then the one of `opam install ATOMS` on that switch (README, "Re-solving
 * against installed packages"): installed packages are kept unless the request needs them
 * changed, atoms they meet are not "requested". VSOLVE_OK; VSOLVE_EIO; VSOLVE_EBADINPUT
 * (file:line:col; a package the repository lacks is refused by vsolve_solve the same way). Not
 * for a CUDF document (it names its own installed packages). */
VSOLVE_API int vsolve_set_installed(vsolve_ctx *ctx, const char *path);
VSOLVE_API const char *vsolve_cache_status(const vsolve_ctx *ctx);

/* A malformed opam file in the repository (syntax, a misnamed package directory): by default the
 * package is left out with a warning naming FILE:LINE:COL (vsolve_warning), as opam does, and
 * the cache is not written; strict = 1 refuses the repository with that error instead. Before
 * vsolve_load_opam. */
VSOLVE_API int vsolve_set_strict(vsolve_ctx *ctx, int strict);

/* Limits every later solve call on ctx (vsolve_solve, vsolve_solve_project and the calls built
 * on them) to about `seconds`, counted from the call's start; past it the call stops cleanly
 * with VSOLVE_ETIMEOUT, no result and the message "the solve stopped at its time limit of S s
 * ...". The clock is looked at in the SAT search and its optimisation, a refusal's explanation,
 * opam's search for fixes, npm's tree building (every 256 steps) and npm's peer search; reading
 * input (a repository, index, registry, cache, manifest or lock) is not interrupted (the size
 * limits bound it), nor are loads (vsolve_load_opam, vsolve_load_cudf). 0 (the default): no
 * limit. VSOLVE_OK; VSOLVE_EUSAGE (a negative or NaN value). */
VSOLVE_API int vsolve_set_timeout(vsolve_ctx *ctx, double seconds);

/* cargo: answer without the SAT solver when cargo's resolver would never backtrack (every
 * dependency's newest candidate fits with the others), from a problem of those candidates
 * alone; where two of those declare one `links` value, from the versions the root forces (a
 * refusal proven so, or a second try without the versions that cannot be in any solution);
 * else the whole problem and the solver, as with 0. enabled = 1: the default. 0: always the
 * whole problem and the solver: the same answers, slower (a refusal's words may name another
 * of its clashes); what vsolve_dump_testcase needs to record the whole problem (the command
 * line turns it off with --dump-testcase, and with --no-fast-path). Applies to the following
 * cargo solves on ctx. Always VSOLVE_OK. */
VSOLVE_API int vsolve_set_fast_path(vsolve_ctx *ctx, int enabled);

/* The most bytes one compressed input may inflate to on ctx: an opam repository .tar.gz (the
 * whole archive), a cargo index or npm registry .tar.gz, a .cudf.gz, the archive a cargo registry
 * image is built from. Past it the load stops with VSOLVE_EBADINPUT and a message naming the
 * limit; nothing is kept from the input. 0 (the default): 2 GiB. Applies to the following loads
 * and solves on ctx only (the library reads no environment variable for it; the command line's
 * --max-inflate and VSOLVE_MAX_INFLATE end here). Always VSOLVE_OK. */
VSOLVE_API int vsolve_set_max_inflate(vsolve_ctx *ctx, unsigned long long bytes);

/* Warnings of the last load: what did not stop it but the user should know (a malformed opam
 * file left out, a cache that could not be written, a corrupt cache rebuilt while solving). vsolve_warning(ctx, i) for i < vsolve_warning_count(ctx); valid until
 * the next load or vsolve_free. */
VSOLVE_API size_t vsolve_warning_count(const vsolve_ctx *ctx);
VSOLVE_API const char *vsolve_warning(const vsolve_ctx *ctx, size_t i);

/* Solves for the given atoms ("name", "name.version", "name>=1.0", "name<2"; several atoms on one
 * name all apply). VSOLVE_OK (*out is the solution) or VSOLVE_UNSAT (*out holds no rows and its
 * explanation; the message is the explanation too): free *out with vsolve_result_free.
 * VSOLVE_EBADINPUT (a malformed atom), VSOLVE_EUSAGE (nothing loaded, no out, atoms for a CUDF
 * document), VSOLVE_ENOMEM, or an error reading the cache: *out stays NULL. */
VSOLVE_API int vsolve_solve(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                            vsolve_result **out);

/* ---- results ------------------------------------------------------------------------------
 * Rows: the chosen packages, sorted by name then version (empty when unsatisfiable); for npm one
 * row per node_modules entry, sorted by path (a name may appear with several versions).
 * Out-of-range rows give NULL (or 0). */
VSOLVE_API size_t vsolve_result_count(const vsolve_result *r);
VSOLVE_API const char *vsolve_result_name(const vsolve_result *r, size_t i);
VSOLVE_API const char *vsolve_result_version(const vsolve_result *r, size_t i);
/* Why package i is in the solution: "request" (or the atom that asked for it) or the
 * name.version of a dependent; npm: the entry's path. */
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
/* After VSOLVE_UNSAT on an opam request: the unavailable packages whose `available` formula the
 * explanation shows as the reason ("... is not available: its available field ... is false
 * with ..."), each once, in the order shown: package i is "NAME.VERSION", its formula as opam
 * text (e.g. `os = "macos"`), and the variables the formula read with the values it was
 * evaluated with: variable k's name, and its value as text ("linux", "2.1.2", "true"), or NULL
 * when it was undefined. 0 for other results (and with --duplicates). */
VSOLVE_API size_t vsolve_result_unavailable_count(const vsolve_result *r);
VSOLVE_API const char *vsolve_result_unavailable_package(const vsolve_result *r, size_t i);
VSOLVE_API const char *vsolve_result_unavailable_formula(const vsolve_result *r, size_t i);
VSOLVE_API size_t vsolve_result_unavailable_var_count(const vsolve_result *r, size_t i);
VSOLVE_API const char *vsolve_result_unavailable_var(const vsolve_result *r, size_t i, size_t k);
VSOLVE_API const char *vsolve_result_unavailable_value(const vsolve_result *r, size_t i, size_t k);
/* The solution graph: the rows that row i depends on (for each of its dependencies, the chosen
 * package satisfying it; the newest when several do; cargo: through its features), distinct and
 * ascending, in *rows (owned by r, valid until vsolve_result_free); returns their count (0 and
 * *rows NULL for a row without dependencies, an out-of-range row, or an unsatisfiable result). */
VSOLVE_API size_t vsolve_result_deps(const vsolve_result *r, size_t i, const size_t **rows);
/* npm: row i's node_modules path ("node_modules/a/node_modules/b"); NULL for other ecosystems.
 * Owned by r. */
VSOLVE_API const char *vsolve_result_path(const vsolve_result *r, size_t i);
/* Attribute `key` of row i's package, its value number k (0 = first; multi-valued keys have
 * several), in *value: NULL when the package has no such value. Keys: "url" (the source archive
 * or repository; git URLs keep their "#ref"), "checksum" ("md5=HEX", "sha256=HEX", "sha512=HEX";
 * multi), "mirror" (multi), "dev-repo", "homepage" (multi), "license" (multi), "depext" (multi:
 * one opam depexts entry as opam text, filter kept), "builds-with-dune" ("true"/"false"),
 * "cargo-checksum", "cargo-source", "npm-integrity", "npm-tarball", or any other name (a free
 * key; none is recorded by the adapters today except "rust-version" on a cargo root). *value is
 * borrowed from the context (see Borrowing), valid while r may read it.
 * VSOLVE_OK; VSOLVE_EUSAGE (no such row, no key or value pointer, or r's context moved on);
 * VSOLVE_EBADINPUT / VSOLVE_EIO / VSOLVE_ENOMEM when the cache's attributes cannot be read
 * (message in vsolve_errmsg of the context). *value is NULL on error. */
VSOLVE_API int vsolve_result_attr(const vsolve_result *r, size_t i, const char *key, size_t k, const char **value);
VSOLVE_API void vsolve_result_free(vsolve_result *r);

/* Duplicate versions (opam, for vendored builds): with VSOLVE_DUP_MIN, a request that no
 * single-version answer satisfies may hold several versions of a name built with dune (the
 * compiler, dune, conf-/base- packages and the names given to vsolve_add_single stay single);
 * the answer has the fewest names with several versions, then the fewest extra copies, then the
 * usual preferences. A request a single-version answer satisfies gets exactly that answer.
 * VSOLVE_DUP_FAST answers without search when the request's cone has no conflict (a
 * propagation-only pass, no minimisation), else as VSOLVE_DUP_MIN. Default VSOLVE_DUP_OFF. */
enum vsolve_dup_mode { VSOLVE_DUP_OFF = 0, VSOLVE_DUP_MIN = 1, VSOLVE_DUP_FAST = 2 };
VSOLVE_API int vsolve_set_duplicates(vsolve_ctx *ctx, int mode);
/* A name that stays single with duplicates (a provided package). */
VSOLVE_API int vsolve_add_single(vsolve_ctx *ctx, const char *name);
/* For package i of a solution with duplicates: the name its copy is renamed to
 * (NAME_vVERSION, the version's characters other than letters, digits and '_' as '_'), or
 * NULL when it keeps its name (the newest copy of a duplicated name, and every package of a
 * name installed once). */
VSOLVE_API const char *vsolve_result_copy_name(const vsolve_result *r, size_t i);
/* For package i of a duplicated name: the dependents that use this copy, as space-separated
 * name.version (or "request"), sorted; NULL for a name installed once. */
VSOLVE_API const char *vsolve_result_copy_users(const vsolve_result *r, size_t i);
/* Names with several versions, and versions beyond one per name, in the solution. */
VSOLVE_API size_t vsolve_result_dup_names(const vsolve_result *r);
VSOLVE_API size_t vsolve_result_extra_copies(const vsolve_result *r);

/* ---- cargo and npm projects ---------------------------------------------------------------- */

enum vsolve_ecosystem { VSOLVE_OPAM = 1, VSOLVE_CUDF = 2, VSOLVE_CARGO = 3, VSOLVE_NPM = 4 };

/* What a project solve needs. Set it up with vsolve_project_options_init (which zeroes it and
 * sets `size`, so that a program built with an older header still works), then fill in. */
typedef struct vsolve_project_options {
    size_t size;                     /* sizeof(vsolve_project_options), set by _init */
    const char *registry;            /* cargo: a crates index (directory or .tar.gz, standard
                                        layout); npm: packuments (a directory of <name>.json, a
                                        scoped @s/n as @s%2fn.json, or a .tar.gz of one) */
    const char *manifest;            /* Cargo.toml / package.json */
    const char *lock;                /* an existing Cargo.lock / package-lock.json whose versions are
                                        kept where they still fit; NULL or a missing file: none */
    const char *const *features;     /* cargo: root features; none and no_default_features 0
                                        means every feature (what Cargo.lock covers) */
    size_t n_features;
    int no_default_features;         /* cargo */
    const char *node_version;        /* npm: engines.node is checked against it (NULL: 20.20.2) */
    const char *npm_version;         /* npm: NULL: 11.19.1 */
    const char *source_url;          /* the registry's URL in the lock: cargo "registry+URL"
                                        sources (NULL: crates.io's index); npm "resolved" fields
                                        (NULL: left out, npm's omit-lockfile-registry-resolved) */
    int npm_legacy_peer_deps;        /* npm's --legacy-peer-deps: peerDependencies are ignored */
    int npm_force;                   /* npm's --force: a peer conflict on the project's own
                                        dependencies is accepted (npm warns) instead of refused */
    const char *const *cargo_git_checkouts;  /* cargo: "URL=PATH", the local checkout of a git
                                        dependency's repository (URL as the manifest writes it);
                                        its Cargo.toml is read there, its commit from PATH/.git */
    size_t n_cargo_git_checkouts;
    int npm_resolve_peers;           /* npm: where npm refuses a peer conflict (ERESOLVE), search
                                        other versions of the root's dependencies (and of the
                                        packages their peers reach) for a tree that meets every
                                        peer, and solve the manifest with those versions pinned */
} vsolve_project_options;
VSOLVE_API void vsolve_project_options_init(vsolve_project_options *o);

/* cargo: resolves the Rust package at opt->manifest against the index, reading only the crate
 * files the resolution reaches, as cargo's resolver would. The result lists the crates (the
 * root included). npm: builds the node_modules tree npm 11 would (`npm install
 * --package-lock-only`): npm's version choice (the `latest` dist-tag, then engines, then
 * non-deprecated, then highest) and its hoisting; one row per entry.
 * npm refuses a peer conflict on the project's own dependencies (ERESOLVE) unless npm_force or
 * npm_legacy_peer_deps: VSOLVE_UNSAT, vsolve_errmsg saying what was found, which peer edge cannot
 * be met and who wants each, in npm's words.
 * The refusal ends with a line "vsolve --resolve-peers finds a tree: NAME VERSION (was "SPEC"), ..."
 * when a search over other versions finds one that npm's placement accepts (or says it found
 * none). With npm_resolve_peers that tree is the result (its lock's root entry shows the pinned
 * specs) and vsolve_npm_resolved_peers tells what moved.
 * VSOLVE_OK or VSOLVE_UNSAT with *out (free it); VSOLVE_EBADINPUT (a manifest, lock or index
 * file is malformed; npm: a package or version cannot be had), VSOLVE_EIO, VSOLVE_EUSAGE
 * (unknown ecosystem, missing registry, manifest or out, opt->size wrong), VSOLVE_ENOMEM: *out
 * NULL. A new project solve ends what earlier cargo/npm results of ctx borrow (Borrowing). */
VSOLVE_API int vsolve_solve_project(vsolve_ctx *ctx, int ecosystem, const vsolve_project_options *opt,
                                    vsolve_result **out);

/* The registry image (cargo; npm: see below): every crate file of the index at `registry` parsed once and
 * written to the cache file (vsolve_set_cache's path, else the default location, named after
 * the index's real path), atomically. With the cache mode VSOLVE_CACHE_USE, a cargo project
 * solve then reads the crates its resolution reaches from the image instead of the index's
 * JSON: an image that is missing is not created (the index is read as without one); one that is
 * stale (another image format, an archive changed since, a directory index's crate file changed,
 * added or removed: each crate file the solve reaches is checked by size and modification
 * time) or corrupt (checksums of the header, the file table and each record; every count and
 * offset checked against the file) is not trusted: the crates concerned are read from the index,
 * the answer is the same, the image is rebuilt after the solve and a warning says why
 * (vsolve_warning). vsolve_cache_status tells what the last call or solve did.
 * VSOLVE_OK; VSOLVE_EUSAGE (not VSOLVE_CARGO, NULL registry), VSOLVE_EIO, VSOLVE_ENOMEM. */
/* VSOLVE_NPM: the same for a packument directory (formats/npm/npm_image.h): every packument
 * checked once and written with what resolution and the lock read; npm project solves with
 * VSOLVE_CACHE_USE then read the packuments and versions they reach from it, under the same
 * staleness (each packument file the solve reaches: size and modification time), corruption
 * and rebuild rules. A .tar.gz registry has no image (VSOLVE_EIO here; solves read it as
 * without one). */
VSOLVE_API int vsolve_index_registry(vsolve_ctx *ctx, int ecosystem, const char *registry);
/* After an npm solve with npm_resolve_peers that moved versions: "NAME VERSION (was "SPEC"),
 * ..." (owned by ctx, valid until the next solve), else NULL. */
VSOLVE_API const char *vsolve_npm_resolved_peers(vsolve_ctx *ctx);
/* The same as data: how many root dependencies moved (0 when none, or no such solve), and the
 * i-th in package.json's order: its name, the version chosen and the spec package.json gave
 * ("" when none); owned by ctx, valid until the next solve. VSOLVE_OK; VSOLVE_EUSAGE (i out of
 * range, a NULL argument). */
VSOLVE_API size_t vsolve_npm_moved_count(const vsolve_ctx *ctx);
VSOLVE_API int vsolve_npm_moved(const vsolve_ctx *ctx, size_t i, const char **name, const char **version,
                                const char **was);

/* ---- locks --------------------------------------------------------------------------------- */

/* Lock formats: Cargo.lock (format 4, or 3 for a root whose rust-version predates 1.78) for a
 * cargo result; package-lock.json (v3) for an npm result; opam-monorepo's .opam.locked (0.3)
 * and the JSON lock (docs/lock-json.md) for the result of the latest vsolve_opam_lock of the
 * context (which writes both files itself; these rewrite them elsewhere). */
enum vsolve_lock_format { VSOLVE_LOCK_CARGO = 1, VSOLVE_LOCK_NPM = 2, VSOLVE_LOCK_OPAM_MONOREPO = 3, VSOLVE_LOCK_JSON = 4 };

/* Writes the lock of solution r (a VSOLVE_OK result of ctx) in `format`, to:
 *   vsolve_write_lock          a file: written whole or not at all (a temporary file in the
 *                              same directory, fsync, rename); an existing path that is not a
 *                              regular file (a directory, a device) is refused; "-" writes to
 *                              standard output;
 *   vsolve_write_lock_buffer   *buf, a malloc'd NUL-terminated buffer of *len bytes that the
 *                              caller frees with free() (*buf NULL, *len 0 on error);
 *   vsolve_write_lock_fn       write(user, data, len) once or more, in order; a non-zero return
 *                              stops the writing with VSOLVE_EIO.
 * VSOLVE_OK; VSOLVE_EUSAGE (the format does not match r's ecosystem, r is not a solution, r's
 * context moved on, or a NULL argument); VSOLVE_EIO (the file or the callback failed; an
 * existing file is left untouched); VSOLVE_ENOMEM. */
typedef int (*vsolve_write_fn)(void *user, const char *data, size_t len);
VSOLVE_API int vsolve_write_lock(vsolve_ctx *ctx, const vsolve_result *r, int format, const char *path);
VSOLVE_API int vsolve_write_lock_buffer(vsolve_ctx *ctx, const vsolve_result *r, int format, char **buf, size_t *len);
VSOLVE_API int vsolve_write_lock_fn(vsolve_ctx *ctx, const vsolve_result *r, int format, vsolve_write_fn write,
                                    void *user);

/* The calls of vsolve 0.1, kept: vsolve_solve_project with the arguments in an options struct,
 * and vsolve_write_lock of the last cargo / npm solution of ctx (path "-": standard output). */
VSOLVE_API int vsolve_cargo_solve(vsolve_ctx *ctx, const char *index_path, const char *manifest_path,
                                  const char *lock_path, const char *const *features, size_t n_features,
                                  int no_default_features, vsolve_result **out);
VSOLVE_API int vsolve_cargo_write_lock(vsolve_ctx *ctx, const char *path, const char *source_url);
VSOLVE_API int vsolve_npm_solve(vsolve_ctx *ctx, const char *registry_path, const char *manifest_path,
                                const char *lock_path, const char *node_version, const char *npm_version,
                                vsolve_result **out);
VSOLVE_API int vsolve_npm_write_lock(vsolve_ctx *ctx, const char *path, const char *registry_url);

/* ---- checking, sweeping, test cases -------------------------------------------------------- */

/* Checks a proposed solution (NAME.VERSION strings, e.g. another solver's answer) against the
 * request atoms and the loaded universe with vsolve's independent checker: VSOLVE_OK when every
 * atom is met and every package is available with its dependencies met and no conflict;
 * VSOLVE_UNSAT otherwise, with the violations in vsolve_errmsg; VSOLVE_EUSAGE (nothing loaded),
 * VSOLVE_EBADINPUT (a malformed atom), VSOLVE_ENOMEM. */
VSOLVE_API int vsolve_check(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                            const char *const *packages, size_t n_packages);

/* Installability of every package version of the loaded repository (as dose-distcheck does),
 * on `threads` threads. progress (may be NULL) is called from the calling thread with the
 * number of packages settled so far. VSOLVE_OK with *out (free it with vsolve_sweep_free
 * before the context: it borrows the context's universe); VSOLVE_EUSAGE, VSOLVE_ENOMEM or a
 * cache reading error with *out NULL. Rows are the universe's packages (name, then version);
 * strings are valid until vsolve_sweep_free. */
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
VSOLVE_API int vsolve_sweep_status(const vsolve_sweep_result *r, size_t i);   /* -1 out of range */
/* "" for installable ones; else e.g. "needs ghost >= 3, which nothing provides". */
VSOLVE_API const char *vsolve_sweep_reason(const vsolve_sweep_result *r, size_t i);
/* Packages with a status, and a plain-words name of it (a static string). */
VSOLVE_API size_t vsolve_sweep_total(const vsolve_sweep_result *r, int status);
VSOLVE_API const char *vsolve_sweep_status_name(int status);
VSOLVE_API void vsolve_sweep_free(vsolve_sweep_result *r);

/* Writes a self-contained YAML test case in the neutral form (the packages of the request's
 * cone, the atoms, and the answer) to path, so that a user's run can become a regression test.
 * With a loaded repository: the request of atoms. Without one, after vsolve_cargo_solve or
 * vsolve_npm_solve: that run (atoms ignored). The file is replaced whole or not at all. */
/* opam lock files for a monorepo build (MirageOS 4, opam-monorepo). Solves the project's
 * roots (PROJECT: a directory of *.opam files, or one .opam file) against the loaded opam
 * repository under the monorepo rules (README: "Locking a project"), then writes, each whole or
 * not at all, <name>.opam.locked (opam-monorepo's format, version 0.3) and <name>.lock.json
 * (docs/lock-json.md) into out_dir (NULL: the project's directory), where <name> is the root's
 * name or, with several roots, the directory's. VSOLVE_OK with *out holding the chosen
 * packages (vsolve_result_reason: "vendored", "provided" or "root") and vsolve_result_notes
 * (what changed against old_lock, warnings); VSOLVE_UNSAT with the explanation in *out and no
 * file written; or an error. */
typedef struct vsolve_lock_options {
    const char *const *provided;   /* "NAME" or "NAME=VERSION": provided by the switch or system */
    size_t n_provided;
    const char *provided_file;     /* one NAME, NAME.VERSION, NAME=VERSION or NAME VERSION a line; # comments */
    int auto_provide;              /* whatever cannot be vendored is provided, with what it needs */
    const char *old_lock;          /* an existing .opam.locked: keep its versions where they fit */
    const char *out_dir;           /* NULL: the project's directory */
} vsolve_lock_options;
VSOLVE_API int vsolve_opam_lock(vsolve_ctx *ctx, const char *project, const vsolve_lock_options *opts,
                                vsolve_result **out);
/* The paths vsolve_opam_lock wrote last ("" before). */
VSOLVE_API const char *vsolve_lock_opam_path(const vsolve_ctx *ctx);
VSOLVE_API const char *vsolve_lock_json_path(const vsolve_ctx *ctx);
/* Notes of a lock result (see vsolve_opam_lock); "" for other results. */
VSOLVE_API const char *vsolve_result_notes(const vsolve_result *r);

/* Writes a self-contained YAML test case (the request's cone of the universe, the atoms, and
 * the answer, recomputed) to path, so that a user's run can become a regression test. For a
 * cargo run answered by the fast path (vsolve_set_fast_path) the universe is the problem it
 * answered from, of first candidates only; turn the fast path off before the solve to record
 * the whole problem (the command line does with --dump-testcase). A cargo refusal the fast
 * path proved without building a problem (a `links` clash) has none to record: VSOLVE_EUSAGE.
 * VSOLVE_OK; VSOLVE_EUSAGE (nothing loaded, no path, that refusal); VSOLVE_EIO; VSOLVE_ENOMEM. */
VSOLVE_API int vsolve_dump_testcase(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                                    const vsolve_result *r, const char *path);

#ifdef __cplusplus
}
#endif
#endif
