/* api_opam.c: the public API for opam repositories: loading (through the universe cache) and
 * solving atoms (also a CUDF document's own request, loaded by api_cudf.c). */
#include "api_internal.h"
#include "duplicates.h"
#include <stdlib.h>
#include <string.h>
#include "cache.h"
#include "deadline.h"
#include "opam_version.h"
#include "sat.h"

static int by_var_name(const void *a, const void *b)
{
    return strcmp((*(const opam_var *const *)a)->name, (*(const opam_var *const *)b)->name);
}

/* What the universe depends on besides the files: the adapter and the variables. */
static uint64_t opam_settings(const opam_vars *vars)
{
    uint64_t h = cache_hash(CACHE_HASH_INIT, "opam", 4);
    uint32_t revision = OPAM_ADAPTER_REVISION;
    h = cache_hash(h, &revision, sizeof revision);
    const opam_var **sorted = malloc((vars->len ? vars->len : 1) * sizeof *sorted);
    if (!sorted)
        return 0;
    for (size_t i = 0; i < vars->len; i++)
        sorted[i] = &vars->items[i];
    qsort(sorted, vars->len, sizeof *sorted, by_var_name);
    for (size_t i = 0; i < vars->len; i++) {
        h = cache_hash(h, sorted[i]->name, strlen(sorted[i]->name) + 1);
        h = cache_hash(h, sorted[i]->value, strlen(sorted[i]->value) + 1);
    }
    free(sorted);
    return h;
}

static void warn_skipped(void *user, const char *message)
{
    api_warn(user, "%s; package left out (--strict refuses the repository)", message);
}

/* Parses an opam repository into ctx->universe: malformed files are left out with a warning
 * each, unless strict. */
static int parse_opam(vsolve_ctx *ctx, const char *path)
{
    opam_load_options opt = { ctx->strict, warn_skipped, ctx, 0, ctx->max_inflate };
    int rc = opam_load_repository_opts(&ctx->universe, path, &ctx->vars, &opt, NULL, &ctx->err);
    ctx->skipped = opt.skipped;
    return rc;
}

int vsolve_set_strict(vsolve_ctx *ctx, int strict)
{
    vs_error_clear(&ctx->err);
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_strict: set it before loading the repository");
    ctx->strict = strict != 0;
    return VSOLVE_OK;
}

/* Loads the universe from the cache when allowed and valid; otherwise parses the repository
 * and writes the cache when asked to or when a stale or corrupt one was found. */
static int load_opam_cached(vsolve_ctx *ctx, const char *path)
{
    cache_key key = { 0, opam_settings(&ctx->vars) };
    char cache_file[PATH_MAX];
    int rc = cache_source_fingerprint(path, &key.source, &ctx->err);
    if (rc == VSOLVE_OK && ctx->cache_path[0])
        snprintf(cache_file, sizeof cache_file, "%s", ctx->cache_path);
    else if (rc == VSOLVE_OK)
        rc = cache_default_path(path, key.settings, cache_file, sizeof cache_file, &ctx->err);
    if (rc != VSOLVE_OK)
        return rc;
    int write = ctx->cache_mode == VSOLVE_CACHE_REFRESH;
    if (ctx->cache_mode == VSOLVE_CACHE_USE) {
        vs_error why;
        vs_error_clear(&why);
        rc = cache_read(cache_file, &ctx->universe, &key, opam_version_compare, &why);   /* the versions'
                                                         order is checked name by name as the solve reads them */
        if (rc == VSOLVE_OK) {
            snprintf(ctx->cache_status, sizeof ctx->cache_status, "read %s", cache_file);
            ctx->from_cache = strlen(path) < sizeof ctx->cache_repo;
            snprintf(ctx->cache_repo, sizeof ctx->cache_repo, "%s", path);
            snprintf(ctx->cache_file, sizeof ctx->cache_file, "%s", cache_file);
            return VSOLVE_OK;
        }
        if (rc == VSOLVE_ENOMEM)
            return vs_error_set(&ctx->err, rc, "%s", why.message);
        universe_free(&ctx->universe);
        universe_init(&ctx->universe);
        write = rc != VSOLVE_EIO;   /* stale or corrupt: replace it; missing: leave it to `index` */
        snprintf(ctx->cache_status, sizeof ctx->cache_status, "%s%s", why.message,
                 write ? "; rebuilt from the repository" : "; parsed the repository (run `vsolve index` to create it)");
    }
    rc = parse_opam(ctx, path);
    if (rc == VSOLVE_OK && write && ctx->skipped) {   /* a cached universe would lose the warnings */
        snprintf(ctx->cache_status, sizeof ctx->cache_status, "not written: %zu malformed opam file%s left out", ctx->skipped,
                 ctx->skipped == 1 ? "" : "s");
        write = 0;
    }
    if (rc == VSOLVE_OK && write) {
        vs_error why;
        vs_error_clear(&why);
        rc = cache_write(cache_file, &ctx->universe, &key, &why);
        if (rc == VSOLVE_OK && ctx->cache_mode == VSOLVE_CACHE_REFRESH)
            snprintf(ctx->cache_status, sizeof ctx->cache_status, "wrote %s", cache_file);
        if (rc == VSOLVE_EIO && ctx->cache_mode == VSOLVE_CACHE_USE) {
            /* the repository is loaded: a cache that cannot be written costs time, not the answer */
            api_warn(ctx, "%s; answered from the repository", why.message);
            rc = VSOLVE_OK;
        } else if (rc != VSOLVE_OK) {
            ctx->err = why;
        }
    }
    return rc;
}

/* After a clause chunk or the descriptions of a cached universe turned out corrupt (they are
 * read when first needed, after the checksummed load): parse the repository again, rewrite the
 * cache (a warning if that fails), and say so. Returns 1 when the universe was rebuilt, so that
 * the caller tries again; 0 when the error was not that. */
static int rebuild_corrupt_cache(vsolve_ctx *ctx, int rc, const char *message)
{
    if (!ctx->from_cache || rc != VSOLVE_EBADINPUT || strncmp(message, "corrupt: ", 9) != 0)
        return 0;
    char why[sizeof ctx->err.message];
    snprintf(why, sizeof why, "%s", message);
    ctx->from_cache = 0;
    universe_free(&ctx->universe);
    universe_init(&ctx->universe);
    vs_error_clear(&ctx->err);
    if (parse_opam(ctx, ctx->cache_repo) != VSOLVE_OK) {
        ctx->loaded = 0;
        return 0;
    }
    cache_key key = { 0, opam_settings(&ctx->vars) };
    vs_error werr;
    vs_error_clear(&werr);
    if (cache_source_fingerprint(ctx->cache_repo, &key.source, &werr) != VSOLVE_OK ||
        cache_write(ctx->cache_file, &ctx->universe, &key, &werr) != VSOLVE_OK)
        api_warn(ctx, "%s; rebuilt from the repository (%s)", why, werr.message);
    else
        api_warn(ctx, "%s; rebuilt from the repository", why);
    return 1;
}

int api_need_all(vsolve_ctx *ctx)
{
    int rc = universe_need_all(&ctx->universe, &ctx->err);
    if (rebuild_corrupt_cache(ctx, rc, ctx->err.message))
        rc = universe_need_all(&ctx->universe, &ctx->err);   /* parsed: nothing pending */
    return rc;
}

int vsolve_load_opam(vsolve_ctx *ctx, const char *path)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (!path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_opam: needs a path");
    ctx->cache_status[0] = '\0';
    api_clear_warnings(ctx);
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_opam: a context holds one repository; it is loaded already");
    int rc = ctx->cache_mode == VSOLVE_CACHE_OFF ? parse_opam(ctx, path) : load_opam_cached(ctx, path);
    if (rc != VSOLVE_OK) {
        universe_free(&ctx->universe);
        universe_init(&ctx->universe);
        return rc;
    }
    free(ctx->repo_path);
    if (!(ctx->repo_path = api_strdup(path))) {
        universe_free(&ctx->universe);
        universe_init(&ctx->universe);
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    }
    ctx->loaded = 1;
    return VSOLVE_OK;
}

/* A refusal's clashing atoms and its verified fixes (opam_fixes.h), also in its explanation. */
static int add_fixes(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, const vs_solution *s, double deadline,
                     vsolve_result *r)
{
    r->clash = calloc(s->clash.len ? s->clash.len : 1, sizeof *r->clash);
    if (!r->clash)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < s->clash.len; i++)
        if (s->clash.items[i] < n_atoms && !(r->clash[r->n_clash++] = api_strdup(atoms[s->clash.items[i]])))
            return VSOLVE_ENOMEM;
    if (!s->solver_loaded) {
        /* a refusal that propagation proved needed no SAT solver, but checking a fix does: if it
         * cannot be loaded, say why there are no fixes rather than leaving them out unsaid */
        vs_error err;
        vs_error_clear(&err);
        sat *probe = sat_new(&err);
        if (!probe) {
            if (err.code == VSOLVE_ENOMEM)
                return VSOLVE_ENOMEM;
            api_warn(ctx, "no fixes searched: %s", err.message);
            return VSOLVE_OK;
        }
        sat_free(probe);   /* the library stays loaded for the searches (sat.c) */
    }
    int rc = opam_find_fixes(&ctx->universe, atoms, n_atoms, s, 4, deadline, &r->fixes);
    if (rc != VSOLVE_OK || r->fixes.len == 0)   /* no fix found: the explanation stands alone */
        return rc == VSOLVE_ENOMEM || rc == VSOLVE_ETIMEOUT ? rc : VSOLVE_OK;
    size_t len = strlen(r->explanation) + 80;
    for (size_t i = 0; i < r->fixes.len; i++)
        len += strlen(r->fixes.items[i].text) + 8;
    char *text = malloc(len);
    if (!text)
        return VSOLVE_ENOMEM;
    size_t at = (size_t)snprintf(text, len, "%sTo fix it, any one of these (each checked by solving again):\n", r->explanation);
    for (size_t i = 0; i < r->fixes.len; i++)
        at += (size_t)snprintf(text + at, len - at, "  - %s\n", r->fixes.items[i].text);
    free(r->explanation);
    r->explanation = text;
    return VSOLVE_OK;
}

static int solve_once(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, double deadline, vsolve_result **out);

int vsolve_solve(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, vsolve_result **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return VSOLVE_EUSAGE;
    double deadline = deadline_after(ctx->time_limit);   /* vsolve_set_timeout bounds the whole call */
    int rc = solve_once(ctx, atoms, n_atoms, deadline, out);
    if (rebuild_corrupt_cache(ctx, rc, ctx->err.message))
        rc = solve_once(ctx, atoms, n_atoms, deadline, out);
    return rc;
}

static int solve_once(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, double deadline, vsolve_result **out)
{
    vs_error_clear(&ctx->err);
    if (out)
        *out = NULL;
    if (!out || (!atoms && n_atoms))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve: needs atoms and a result pointer");
    if (!ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve: load a repository first");
    if (ctx->from_cudf && n_atoms)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve: a CUDF document carries its own request; pass no atoms");
    vs_request req;
    request_init(&req);
    req.preference = ctx->cudf_request.preference = api_request_preference(ctx);
    const vs_request *use = ctx->from_cudf ? &ctx->cudf_request : &req;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
    if (rc == VSOLVE_OK && ctx->n_installed && ctx->from_cudf)
        rc = vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve: a CUDF document names its own installed packages");
    if (rc == VSOLVE_OK && ctx->n_installed)
        rc = api_installed_keep(ctx, &req);
    if (rc != VSOLVE_OK) {
        request_free(&req);
        return rc;
    }
    rc = request_need_clauses(&ctx->universe, use, &ctx->err);
    if (rc != VSOLVE_OK) {
        request_free(&req);
        return rc;
    }
    vs_solution s;
    solution_init(&s);
    req.time_limit = ctx->cudf_request.time_limit = ctx->time_limit;
    req.deadline = ctx->cudf_request.deadline = deadline;   /* the whole call: the solve and the fixes */
    vs_dup_result dr;
    vs_dup_options dopt = { ctx->dup_mode, (const char *const *)ctx->single, ctx->n_single };
    rc = vs_solve_duplicates(&ctx->universe, use, &dopt, &s, &dr);
    vs_graph g;
    int has_graph = 0;
    if (rc == VSOLVE_OK) {   /* with copies, the graph takes the newest chosen provider per clause;
                                the copy each dependent uses is in vsolve_result_copy_users */
        int grc = graph_build(&g, &ctx->universe, use, &s, NULL);
        if (grc != VSOLVE_OK)
            rc = grc == VSOLVE_ENOMEM ? grc : VSOLVE_EUSAGE;   /* EUSAGE: not a solution, a bug */
        has_graph = grc == VSOLVE_OK;
    }
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        *out = api_make_result(ctx, ctx->from_cudf ? VSOLVE_CUDF : VSOLVE_OPAM, &ctx->universe, use, &s,
                               has_graph ? &g : NULL);
        if (!*out || (rc == VSOLVE_OK && api_add_copies(*out, &ctx->universe, &dr) != VSOLVE_OK))
            rc = VSOLVE_ENOMEM;
    }
    dup_result_free(&dr);
    if (has_graph)
        graph_free(&g);
    if (rc == VSOLVE_UNSAT && !ctx->from_cudf) {
        int frc = add_fixes(ctx, atoms, n_atoms, &s, deadline, *out);
        if (frc != VSOLVE_OK)
            rc = frc == VSOLVE_ETIMEOUT ? frc : VSOLVE_ENOMEM;
    }
    if (rc != VSOLVE_OK && rc != VSOLVE_UNSAT && *out) {   /* no answer: no result */
        vsolve_result_free(*out);
        *out = NULL;
    }
    if (rc == VSOLVE_ETIMEOUT)
        deadline_error(&ctx->err, ctx->time_limit);
    else if (rc == VSOLVE_ENOMEM)
        vs_error_set(&ctx->err, rc, "out of memory while solving");
    else if (rc == VSOLVE_UNSAT)
        vs_error_set(&ctx->err, rc, "%s", s.explanation ? s.explanation : "unsatisfiable");
    else if (rc != VSOLVE_OK)
        vs_error_set(&ctx->err, rc, "%s", s.explanation ? s.explanation : "solving failed");
    solution_free(&s);
    request_free(&req);
    return rc;
}

