/* api_npm.c: the public API for npm projects: npm 11's ideal tree from packuments, and its
 * package-lock.json. */
#include "api_internal.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "deadline.h"
#include "npm_peers_search.h"
#include "npm_result.h"

void api_npm_reset(vsolve_ctx *ctx)
{
    if (ctx->npm_ready)
        npm_tree_free(&ctx->npm);
    npm_registry_close(ctx->npm_reg);
    ctx->npm_reg = NULL;
    arena_free(&ctx->npm_mem);
    arena_init(&ctx->npm_mem);
    ctx->npm_ready = 0;
    ctx->npm_solved = 0;
    free(ctx->npm_peers_summary);
    ctx->npm_peers_summary = NULL;
    ctx->npm_moved = NULL;
    ctx->npm_n_moved = 0;
    universe_free(&ctx->npm_u);
    universe_init(&ctx->npm_u);
}

/* After an ERESOLVE refusal: searches other versions (npm_peers_search.c). With
 * npm_resolve_peers the tree of the pinned manifest is the answer; without, the refusal ends
 * with what the search found. */
static int resolve_peers(vsolve_ctx *ctx, const vsolve_project_options *o, const json_value *manifest,
                         const npm_tree_options *topt)
{
    npm_peers_found f;
    vs_error serr = { 0 };
    int rc = npm_peers_search(&ctx->npm_mem, ctx->npm_reg, manifest, o->manifest, topt, &f, &serr);
    if (rc == VSOLVE_ETIMEOUT) {   /* past the time limit: no answer */
        free(f.summary);
        ctx->err = serr;
        return rc;
    }
    if (rc != VSOLVE_OK) {
        free(f.summary);
        return VSOLVE_UNSAT;   /* the refusal stands as npm gives it */
    }
    if (!o->npm_resolve_peers) {
        char *msg = strdup(ctx->err.message);
        if (f.manifest)
            vs_error_set(&ctx->err, VSOLVE_UNSAT, "%s\nvsolve --resolve-peers finds a tree: %s", msg ? msg : "",
                         f.summary);
        else
            vs_error_set(&ctx->err, VSOLVE_UNSAT, "%s\nvsolve --resolve-peers finds no tree that meets every peer%s", msg ? msg : "",
                         f.exhausted ? " within its search limit" : " with at most two root ranges left");
        free(msg);
        free(f.summary);
        return VSOLVE_UNSAT;
    }
    if (!f.manifest) {
        free(f.summary);
        return vs_error_set(&ctx->err, VSOLVE_UNSAT, "%s\nvsolve --resolve-peers finds no tree that meets every peer%s",
                            ctx->err.message,
                            f.exhausted ? " within its search limit" : " with at most two root ranges left");
    }
    npm_tree_free(&ctx->npm);
    vs_error_clear(&ctx->err);
    npm_tree_options strict = *topt;
    strict.force = strict.legacy_peer_deps = 0;
    rc = npm_tree_build(&ctx->npm, ctx->npm_reg, f.manifest, o->manifest, &strict, NULL, 0, &ctx->err);
    ctx->npm_peers_summary = f.summary;
    ctx->npm_moved = f.moved;
    ctx->npm_n_moved = f.n_moved;
    return rc;
}

int api_npm_solve(vsolve_ctx *ctx, const vsolve_project_options *o, vsolve_result **out)
{
    double deadline = deadline_after(ctx->time_limit);   /* vsolve_set_timeout bounds the whole call */
    api_npm_reset(ctx);
    const json_value *manifest = NULL;
    npm_locked *locked = NULL;
    size_t n_locked = 0;
    if (api_lock_is_manifest(o->lock, o->manifest))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: the lock file would replace the manifest %s", o->lock,
                            o->manifest);
    int rc = npm_manifest_read(&ctx->npm_mem, o->manifest, &manifest, &ctx->err);
    if (rc == VSOLVE_OK && o->lock) {
        struct stat probe;   /* an existing lock is read (a FIFO or a device is refused there) */
        if (stat(o->lock, &probe) == 0) {
            rc = npm_lock_read(&ctx->npm_mem, o->lock, &locked, &n_locked, &ctx->err);
        }
    }
    if (rc == VSOLVE_OK && !(ctx->npm_reg = npm_registry_open(o->registry, ctx->max_inflate, &ctx->err)))
        rc = ctx->err.code ? ctx->err.code : VSOLVE_EIO;
    npm_tree_options topt = { o->node_version, o->npm_version, o->npm_legacy_peer_deps, o->npm_force, deadline,
                              ctx->time_limit };
    if (rc == VSOLVE_OK) {
        rc = npm_tree_build(&ctx->npm, ctx->npm_reg, manifest, o->manifest, &topt, locked, n_locked, &ctx->err);
        ctx->npm_ready = 1;
    }
    if (rc == VSOLVE_UNSAT && !strncmp(ctx->err.message, "ERESOLVE", 8))   /* the tree npm's placement missed */
        rc = resolve_peers(ctx, o, manifest, &topt);
    if (rc != VSOLVE_OK)
        return rc;
    vs_graph g;
    rc = npm_result_build(&ctx->npm, &ctx->npm_u, &g);
    if (rc != VSOLVE_OK)
        return vs_error_set(&ctx->err, rc, "out of memory");
    ctx->npm_solved = 1;
    *out = api_make_result(ctx, VSOLVE_NPM, &ctx->npm_u, NULL, NULL, &g);
    graph_free(&g);
    return *out ? VSOLVE_OK : vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
}

int api_npm_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *registry_url)
{
    (void)r;   /* the context holds the last solution, which r is */
    if (!ctx->npm_solved)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "no npm tree to write");
    return npm_lock_write(out, &ctx->npm, registry_url, &ctx->err);
}

int vsolve_npm_solve(vsolve_ctx *ctx, const char *registry_path, const char *manifest_path, const char *lock_path,
                     const char *node_ver, const char *npm_ver, vsolve_result **out)
{
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = registry_path;
    o.manifest = manifest_path;
    o.lock = lock_path;
    o.node_version = node_ver;
    o.npm_version = npm_ver;
    return vsolve_solve_project(ctx, VSOLVE_NPM, &o, out);
}

int vsolve_npm_write_lock(vsolve_ctx *ctx, const char *path, const char *registry_url)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (!path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_npm_write_lock: needs a path");
    return api_write_last_lock(ctx, VSOLVE_LOCK_NPM, path, registry_url);
}

const char *vsolve_npm_resolved_peers(vsolve_ctx *ctx) { return ctx ? ctx->npm_peers_summary : NULL; }

size_t vsolve_npm_moved_count(const vsolve_ctx *ctx) { return ctx ? ctx->npm_n_moved : 0; }

int vsolve_npm_moved(const vsolve_ctx *ctx, size_t i, const char **name, const char **version, const char **was)
{
    if (!ctx || i >= ctx->npm_n_moved || !name || !version || !was)
        return VSOLVE_EUSAGE;
    *name = ctx->npm_moved[i].name;
    *version = ctx->npm_moved[i].version;
    *was = ctx->npm_moved[i].was;
    return VSOLVE_OK;
}
