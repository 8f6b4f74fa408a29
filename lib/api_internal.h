/* api_internal.h: what the files of the public API share: the context and result structs and
 * the per-ecosystem entry points behind vsolve_solve_project and the lock table. Not installed. */
#ifndef VSOLVE_API_INTERNAL_H
#define VSOLVE_API_INTERNAL_H
#include <limits.h>
#include <stdio.h>
#include "vsolve.h"
#include "cargo_resolve.h"
#include "error.h"
#include "graph.h"
#include "npm_lock.h"
#include "npm_peers_search.h"
#include "opam_fixes.h"
#include "opam_repo.h"
#include "request.h"
#include "solve.h"
#include "universe.h"

struct vsolve_ctx {
    vs_error err;
    opam_vars vars;
    vs_universe universe;            /* the loaded opam repository or CUDF document */
    int loaded;
    int from_cudf;                   /* loaded by vsolve_load_cudf: the request is cudf_request */
    vs_request cudf_request;
    int cache_mode;                  /* enum vsolve_cache_mode */
    int preference;                  /* enum vsolve_preference */
    char cache_path[PATH_MAX];       /* "" for the default location */
    char cache_status[PATH_MAX + 1200];
    double time_limit;               /* seconds per solve, 0: none (vsolve_set_timeout) */
    uint64_t max_inflate;            /* bytes a compressed input may inflate to, 0: the default
                                      * (vsolve_set_max_inflate) */
    int strict;                      /* a malformed opam file refuses the repository (vsolve_set_strict) */
    int no_fast_path;                /* cargo: always the whole problem and the solver (vsolve_set_fast_path) */
    size_t skipped;                  /* malformed opam files left out by the last parse */
    char **warnings;                 /* of the last load (vsolve_warning) */
    size_t n_warnings;
    /* an opam universe read from the cache: where from, to rebuild it when a chunk read later
     * turns out corrupt */
    int from_cache;
    char cache_repo[PATH_MAX], cache_file[PATH_MAX];
    unsigned project_gen;            /* bumped by every project solve: ends older results' borrowing */
    char *source_url;                /* the last project solve's opt->source_url (malloc'd), or NULL */
    /* cargo: the last problem and its solution (for the lock) */
    arena cargo_mem;
    cargo_index *cargo_ix;
    cargo_manifest cargo_root;
    cargo_problem cargo;
    vs_solution cargo_solution;
    int cargo_ready;
    int cargo_by_pins;               /* its refusal was proven by the root's pins: ctx->cargo is
                                        the root alone, not a problem to record */
    /* npm: the last tree (for the lock), and it as a universe with attributes */
    npm_registry *npm_reg;
    arena npm_mem;
    npm_tree npm;
    int npm_ready;
    vs_universe npm_u;
    int npm_solved;                  /* the last npm solve succeeded: npm_u and the tree hold it */
    const npm_peer_move *npm_moved;  /* the same as data (npm_mem), npm_n_moved of them */
    size_t npm_n_moved;
    char *npm_peers_summary;         /* npm_resolve_peers: what the last solve moved, or NULL */
    /* opam lock (api_opam_lock.c): the repository loaded, the lock files written last */
    char *repo_path;
    char lock_opam_path[PATH_MAX], lock_json_path[PATH_MAX];
    struct vs_lock *opam_lock;       /* the last lock made (malloc'd), for vsolve_write_lock */
    unsigned opam_lock_gen;          /* bumped by every vsolve_opam_lock; its result's gen */
    /* duplicates (solver/duplicates.h): the mode and the names that stay single */
    int dup_mode;
    char **single;
    size_t n_single;
    /* the switch's installed packages for opam solves (vsolve_set_installed, api_installed.c) */
    char *installed_path;
    struct api_installed *installed;
    size_t n_installed;
};

struct vsolve_result {
    size_t count;
    char **names, **versions, **reasons;
    char *explanation;
    int ecosystem;                   /* enum vsolve_ecosystem */
    int status;                      /* VSOLVE_OK or VSOLVE_UNSAT */
    vsolve_ctx *ctx;                 /* borrowed: attributes and locks read its universe */
    unsigned gen;                    /* ctx->project_gen when made (cargo, npm) */
    uint32_t *pkg;                   /* row -> package id in the universe */
    size_t *dep_first, *deps;        /* the graph's dependencies as rows: dep_first has count + 1 */
    char **paths;                    /* npm: row -> path; NULL otherwise */
    char **clash;                    /* a refusal: the atoms its explanation names */
    size_t n_clash;
    struct api_unavailable {         /* a refusal: each unavailable package its explanation shows */
        char *package, *formula;     /* "NAME.VERSION", its available formula as opam text */
        char **vars, **values;       /* the variables the formula read; values[k] NULL: undefined */
        size_t n_vars;
    } *unavailable;
    size_t n_unavailable;
    opam_fixes fixes;                /* a refusal: verified fixes */
    char *notes;                     /* opam lock: what changed against the old lock (or NULL) */
    char **copy_names, **copy_users; /* with duplicates: parallel to names, NULL entries */
    size_t dup_names, extra_copies;
};

char *api_strdup(const char *s);
/* Records a warning (vsolve_warning; dropped when out of memory: a warning never fails a call). */
void api_warn(vsolve_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void api_clear_warnings(vsolve_ctx *ctx);
/* Does the lock path name the manifest itself (the same file, by any name)? Writing the lock
 * there would replace the manifest. */
int api_lock_is_manifest(const char *lock_path, const char *manifest_path);
/* An installed package as vsolve_set_installed read it: "NAME\0VERSION" (name owns both), its line. */
typedef struct api_installed {
    char *name;
    const char *version;
    unsigned line;
} api_installed;
void api_installed_reset(vsolve_ctx *ctx);
/* Adds the installed packages to req->keep (the installed set, solver/criteria.h); an entry the
 * repository lacks is VSOLVE_EBADINPUT at its file:line. */
int api_installed_keep(vsolve_ctx *ctx, vs_request *req);

/* The solver's preference for a request of ctx's repository (see vsolve_set_preference). */
int api_request_preference(const vsolve_ctx *ctx);
/* universe_need_all on ctx's universe; one read from the opam cache and found corrupt on the
 * way (a damaged chunk, versions out of order) is rebuilt from the repository with a warning,
 * as vsolve_solve does, and read again (api_opam.c). */
int api_need_all(vsolve_ctx *ctx);
struct vs_dup_result;
/* With duplicates: the copies' names and users on r's rows (api.c). */
int api_add_copies(vsolve_result *r, const vs_universe *u, const struct vs_dup_result *dr);
/* A result from a solution graph: rows are g's nodes. reasons from s (NULL for npm: paths). */
vsolve_result *api_make_result(vsolve_ctx *ctx, int ecosystem, const vs_universe *u, const vs_request *req,
                               const vs_solution *s, const vs_graph *g);
/* The universe r's rows live in, or NULL when r's context moved on. */
vs_universe *api_result_universe(const vsolve_result *r);

/* Per ecosystem (api_cargo.c, api_npm.c): a project solve, the lock of the last one to out (r,
 * when not NULL, is that solution's result: checked by api_lock.c already). */
int api_cargo_solve(vsolve_ctx *ctx, const vsolve_project_options *opt, vsolve_result **out);
int api_cargo_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url);
int api_npm_solve(vsolve_ctx *ctx, const vsolve_project_options *opt, vsolve_result **out);
int api_npm_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *registry_url);
/* vsolve_index_registry for VSOLVE_NPM: the registry image of a packument directory. */
int api_npm_index(vsolve_ctx *ctx, const char *registry);
/* The lock of r, a vsolve_opam_lock result (the latest of ctx), as opam-monorepo's .opam.locked
 * or the JSON lock (api_opam_lock.c). */
int api_opam_monorepo_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url);
int api_json_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url);
void api_opam_lock_reset(vsolve_ctx *ctx);
void api_cargo_reset(vsolve_ctx *ctx);
void api_npm_reset(vsolve_ctx *ctx);
/* Writes the lock of the last project solve of `ecosystem` to path ("-": standard output). */
int api_write_last_lock(vsolve_ctx *ctx, int format, const char *path, const char *source_url);

#endif
