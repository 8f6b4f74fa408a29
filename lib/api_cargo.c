/* api_cargo.c: the public API for cargo projects: a Rust package against a crates index, and
 * its Cargo.lock. */
#include "api_internal.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cache.h"
#include "cargo_explain.h"
#include "cargo_image.h"
#include "cargo_lock.h"
#include "deadline.h"
#include "greedy.h"

void api_cargo_reset(vsolve_ctx *ctx)
{
    if (ctx->cargo_ready) {
        cargo_problem_free(&ctx->cargo);
        solution_free(&ctx->cargo_solution);
    }
    cargo_index_close(ctx->cargo_ix);
    ctx->cargo_ix = NULL;
    arena_free(&ctx->cargo_mem);
    arena_init(&ctx->cargo_mem);
    ctx->cargo_ready = 0;
    ctx->cargo_by_pins = 0;
}

/* The solution graph of the last cargo solution (features folded into their crate versions). */
static int cargo_graph(vsolve_ctx *ctx, vs_graph *g)
{
    uint32_t *owner = NULL;
    int rc = cargo_owner_map(&ctx->cargo, &owner);
    if (rc == VSOLVE_OK)
        rc = graph_build(g, &ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution, owner);
    free(owner);
    return rc;
}

/* A refusal in cargo's words where cargo's are clearer (cargo_explain.h): a missing feature
 * replaces the explanation; the edges behind a clash are added to it. */
static int cargo_words(vsolve_ctx *ctx, const char *manifest)
{
    char dir[PATH_MAX], report[8192];
    const char *slash = strrchr(manifest, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - manifest), manifest);
    char real[PATH_MAX];
    const char *shown = realpath(dir, real) ? real : dir;
    char *old = ctx->cargo_solution.explanation, *text = NULL;
    size_t n = cargo_missing_feature_report(ctx->cargo_ix, &ctx->cargo_root, shown, report, sizeof report);
    if (n > 0 && n < sizeof report) {
        text = api_strdup(report);
    } else if ((n = cargo_clash_report(ctx->cargo_ix, &ctx->cargo_root, report, sizeof report)) > 0 && n < sizeof report) {
        size_t lo = old ? strlen(old) : 0;
        if ((text = malloc(lo + n + 2))) {
            memcpy(text, old ? old : "", lo);
            size_t at = lo;
            if (lo && old[lo - 1] != '\n')
                text[at++] = '\n';
            memcpy(text + at, report, n + 1);
        }
    } else {
        return VSOLVE_OK;
    }
    if (!text)
        return VSOLVE_ENOMEM;
    free(old);
    ctx->cargo_solution.explanation = text;
    return VSOLVE_OK;
}

/* The registry image's file for an index: the context's cache path, else the default one. */
static int image_path(vsolve_ctx *ctx, const char *registry, char *out, size_t size)
{
    if (ctx->cache_path[0]) {
        snprintf(out, size, "%s", ctx->cache_path);
        return VSOLVE_OK;
    }
    return cache_default_path(registry, cargo_image_settings(), out, size, &ctx->err);
}

/* Writes the image of the index at registry to path. */
static int build_image(const char *registry, const char *path, uint64_t max_inflate, size_t *n_files, vs_error *err)
{
    char root[PATH_MAX];
    int archive = 0;
    int rc = cargo_index_root(registry, root, sizeof root, &archive, err);
    return rc == VSOLVE_OK ? cargo_image_build(root, archive, path, max_inflate, n_files, err) : rc;
}

int vsolve_index_registry(vsolve_ctx *ctx, int ecosystem, const char *registry)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    api_clear_warnings(ctx);
    ctx->cache_status[0] = '\0';
    if (ecosystem == VSOLVE_NPM && registry)
        return api_npm_index(ctx, registry);
    if (ecosystem != VSOLVE_CARGO || !registry)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE,
                            "vsolve_index_registry: needs VSOLVE_CARGO or VSOLVE_NPM and a registry (a crates index, "
                            "a packument directory)");
    char path[PATH_MAX], root[PATH_MAX];
    int archive = 0;
    int rc = cargo_index_root(registry, root, sizeof root, &archive, &ctx->err);   /* "cannot read the index" first */
    if (rc == VSOLVE_OK)
        rc = image_path(ctx, registry, path, sizeof path);
    size_t n = 0;
    if (rc == VSOLVE_OK)
        rc = cargo_image_build(root, archive, path, ctx->max_inflate, &n, &ctx->err);
    if (rc == VSOLVE_OK)
        snprintf(ctx->cache_status, sizeof ctx->cache_status, "wrote %s (%zu crate files)", path, n);
    return rc;
}

/* After a solve that found the image stale or corrupt: rebuilt, with a warning; the answer
 * came from the index. A missing image is only reported. */
static void image_after_solve(vsolve_ctx *ctx, const char *registry, const char *path)
{
    const char *trouble = cargo_index_image_trouble(ctx->cargo_ix);
    if (!trouble) {
        snprintf(ctx->cache_status, sizeof ctx->cache_status, "read %s", path);
        return;
    }
    if (!strncmp(trouble, "missing: ", 9)) {
        snprintf(ctx->cache_status, sizeof ctx->cache_status,
                 "%s; read the index (run `vsolve --ecosystem cargo --index INDEX index` to create it)", trouble);
        return;
    }
    vs_error werr;
    vs_error_clear(&werr);
    if (build_image(registry, path, ctx->max_inflate, NULL, &werr) == VSOLVE_OK) {
        snprintf(ctx->cache_status, sizeof ctx->cache_status, "%s; rebuilt", trouble);
        api_warn(ctx, "cargo registry image %s; read the index instead and rebuilt the image", trouble);
    } else {
        snprintf(ctx->cache_status, sizeof ctx->cache_status, "%s; read the index; not rebuilt: %s", trouble,
                 werr.message);
        api_warn(ctx, "cargo registry image %s; read the index instead; not rebuilt: %s", trouble, werr.message);
    }
}

/* cargo never backtracks when every edge's first candidate fits: that set is the answer
 * (greedy.h), put in ctx->cargo_solution (*answered = 1). VSOLVE_OK or VSOLVE_ENOMEM. */
static int fast_path(vsolve_ctx *ctx, int *answered)
{
    uint32_t *owner = NULL;
    int rc = cargo_owner_map(&ctx->cargo, &owner);
    if (rc == VSOLVE_OK)
        rc = greedy_solve(&ctx->cargo.u, &ctx->cargo.req, owner, &ctx->cargo_solution, answered);
    free(owner);
    return rc;
}

/* The refusal the pins prove, in ctx->cargo_solution, with the request of ctx->cargo (a problem
 * of the root alone, cargo_options.root_only: the whole problem's request). 1 if given, 0 if the
 * words cannot be said so. */
static int pins_refusal(vsolve_ctx *ctx, const cargo_pins *pins)
{
    const vs_universe *u = &ctx->cargo.u;
    const vs_request *req = &ctx->cargo.req;
    if (req->atoms.len == 0 || req->atoms.items[0].count != 1 || req->atoms.items[0].name == VS_NONE)
        return 0;
    const vs_atom *a = &req->atoms.items[0];   /* each atom needs the root: any one is a clash */
    uint32_t p = req->ids.items[a->first];
    char atom[1024], words[8192];
    snprintf(atom, sizeof atom, "%s (%s %s)", universe_str(u, a->desc), universe_str(u, u->names.items[a->name].str),
             universe_pkg_version(u, p));
    size_t n = cargo_pins_report(ctx->cargo_ix, &ctx->cargo_root, pins, atom, words, sizeof words);
    if (n == 0 || n >= sizeof words)
        return 0;
    ctx->cargo_solution.status = VSOLVE_UNSAT;
    return (ctx->cargo_solution.explanation = api_strdup(words)) != NULL && vec_push(&ctx->cargo_solution.clash, 0);
}

/* The problem of cargo's first candidates alone (cargo_problem_build's greedy), answered by the
 * fast path: *answered = 1 and ctx->cargo holds it. Where two candidates declare one `links`
 * value, that build stops at once, and the root's pins (cargo_pins.h) are sought along the
 * crates that led there: where they exclude each other the refusal is proven (*refused = 1,
 * ctx->cargo holds a problem of the root alone for its request, ctx->cargo_solution the
 * refusal); else the build is made again, to the end, with the versions they put in no
 * solution passed over, as cargo backs off from the newest version to one that fits the native
 * library. When those pins leave both clashing versions alive, that build would only meet the
 * clash again: the first build is made again to the end of its discovery first, and the pins
 * sought along every crate that leads to the clash. Otherwise ctx->cargo is freed. */
static void greedy_rounds(vsolve_ctx *ctx, cargo_options *copt, int *answered, int *refused)
{
    arena mem;
    arena_init(&mem);
    cargo_pins pins;
    copt->greedy = 1;
    copt->pins = NULL;
    copt->stop_at_clash = 1;
    for (int round = 0; round < 3 && !*answered && !*refused; round++) {
        int grc = cargo_problem_build(&ctx->cargo, ctx->cargo_ix, &ctx->cargo_root, NULL, 0, copt, &ctx->err);
        solution_init(&ctx->cargo_solution);
        if (grc == VSOLVE_OK && !ctx->cargo.greedy_gave_up && fast_path(ctx, answered) != VSOLVE_OK)
            *answered = 0;   /* out of memory: the whole problem says so, if it does again */
        int again = !copt->pins && grc == VSOLVE_OK && ctx->cargo.links_clash;
        const cargo_version *clash[2] = { ctx->cargo.clash_versions[0], ctx->cargo.clash_versions[1] };
        if (again && cargo_pins_find(&mem, ctx->cargo_ix, ctx->cargo_root.deps, ctx->cargo_root.n_deps,
                                     ctx->cargo.links_crates, ctx->cargo.n_links_crates, ctx->cargo.links_ways,
                                     ctx->cargo.n_links_ways, &pins, &ctx->err) != VSOLVE_OK)
            again = 0;   /* an index error: the whole problem reports it */
        if (!*answered) {
            solution_free(&ctx->cargo_solution);
            cargo_problem_free(&ctx->cargo);
            vs_error_clear(&ctx->err);
        }
        if (again && pins.contradiction) {
            copt->root_only = 1;
            if (cargo_problem_build(&ctx->cargo, ctx->cargo_ix, &ctx->cargo_root, NULL, 0, copt, &ctx->err) == VSOLVE_OK) {
                solution_init(&ctx->cargo_solution);
                *refused = pins_refusal(ctx, &pins);
                if (!*refused)
                    solution_free(&ctx->cargo_solution);
            }
            if (!*refused) {
                cargo_problem_free(&ctx->cargo);
                vs_error_clear(&ctx->err);
            }
            copt->root_only = 0;
            break;
        }
        if (!again)
            break;
        if (copt->stop_at_clash && !cargo_pins_dead(&pins, ctx->cargo_ix, clash[0]) &&
            !cargo_pins_dead(&pins, ctx->cargo_ix, clash[1])) {
            copt->stop_at_clash = 0;   /* every way to the clash first */
            continue;
        }
        copt->pins = &pins;   /* even none: this round goes past the clash */
    }
    copt->greedy = 0;
    copt->pins = NULL;
    copt->stop_at_clash = 0;
    arena_free(&mem);
}

int api_cargo_solve(vsolve_ctx *ctx, const vsolve_project_options *o, vsolve_result **out)
{
    double deadline = deadline_after(ctx->time_limit);   /* vsolve_set_timeout bounds the whole call */
    api_cargo_reset(ctx);
    if (api_lock_is_manifest(o->lock, o->manifest))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: the lock file would replace the manifest %s", o->lock,
                            o->manifest);
    int rc = cargo_manifest_read(&ctx->cargo_mem, o->manifest, &ctx->cargo_root, &ctx->err);
    cargo_locked *locked = NULL;
    size_t n_locked = 0;
    if (rc == VSOLVE_OK && o->lock) {
        struct stat probe;   /* an existing lock is read (a FIFO or a device is refused there) */
        if (stat(o->lock, &probe) == 0) {
            rc = cargo_lock_read(&ctx->cargo_mem, o->lock, &locked, &n_locked, &ctx->err);
        }
    }
    char img[PATH_MAX];
    int use_image = ctx->cache_mode != VSOLVE_CACHE_OFF;
    api_clear_warnings(ctx);
    ctx->cache_status[0] = '\0';
    if (rc == VSOLVE_OK && use_image && image_path(ctx, o->registry, img, sizeof img) != VSOLVE_OK) {
        use_image = 0;   /* no cache directory, or no such index (which the index reader reports) */
        vs_error_clear(&ctx->err);
    }
    if (rc == VSOLVE_OK && !(ctx->cargo_ix = cargo_index_open_image(o->registry, use_image ? img : NULL, ctx->max_inflate,
                                                                    &ctx->err)))
        rc = ctx->err.code ? ctx->err.code : VSOLVE_ENOMEM;
    /* no feature selection: the lock covers every feature, as cargo's does */
    cargo_options copt = { o->features, o->n_features, o->no_default_features,
                           o->n_features == 0 && !o->no_default_features, o->source_url,
                           o->cargo_git_checkouts, o->n_cargo_git_checkouts, 0, NULL, 0, 0 };
    /* first the problem of cargo's first candidates alone (cargo_problem_build's greedy): when
     * the fast path answers it, that is the answer; else the whole problem, whose own fast
     * path or the solver answers (and whose errors are reported) */
    int answered = 0, refused = 0;
    if (rc == VSOLVE_OK && n_locked == 0 && !ctx->no_fast_path)
        greedy_rounds(ctx, &copt, &answered, &refused);
    if (rc == VSOLVE_OK && !answered && !refused)
        rc = cargo_problem_build(&ctx->cargo, ctx->cargo_ix, &ctx->cargo_root, locked, n_locked, &copt, &ctx->err);
    if (rc != VSOLVE_OK) {
        if (ctx->cargo_ix && use_image)   /* a refusal by the index is still checked against the image */
            image_after_solve(ctx, o->registry, img);
        if (ctx->cargo_ix)
            cargo_problem_free(&ctx->cargo);
        cargo_index_close(ctx->cargo_ix);
        ctx->cargo_ix = NULL;
        return rc;
    }
    ctx->cargo_ready = 1;
    if (ctx->cargo.n_skipped)   /* left out as cargo leaves it out; said, since the index is damaged */
        api_warn(ctx, "%s: the version is left out, as cargo leaves it out%s", ctx->cargo.skipped,
                 ctx->cargo.n_skipped > 1 ? " (and other such index lines)" : "");
    if (refused) {
        rc = VSOLVE_UNSAT;
        ctx->cargo_by_pins = 1;
    } else if (!answered) {
        solution_init(&ctx->cargo_solution);
        ctx->cargo.req.time_limit = ctx->time_limit;
        ctx->cargo.req.deadline = deadline;
        rc = ctx->no_fast_path ? VSOLVE_OK : fast_path(ctx, &answered);
        if (rc == VSOLVE_OK && !answered)
            rc = vs_solve(&ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution);
    }
    if (rc == VSOLVE_OK && !ctx->cargo_solution.explanation) {
        /* not refused: the explanation carries what is worth knowing about the answer */
        char report[4096];
        if (cargo_rust_version_report(&ctx->cargo, &ctx->cargo_solution, report, sizeof report) > 0)
            ctx->cargo_solution.explanation = api_strdup(report);
    }
    if (rc == VSOLVE_UNSAT && cargo_words(ctx, o->manifest) != VSOLVE_OK)
        rc = VSOLVE_ENOMEM;
    vs_graph g;
    int has_graph = 0;
    if (rc == VSOLVE_OK) {
        int grc = cargo_graph(ctx, &g);
        if (grc != VSOLVE_OK)
            rc = grc == VSOLVE_ENOMEM ? grc : VSOLVE_EUSAGE;
        has_graph = grc == VSOLVE_OK;
    }
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        *out = api_make_result(ctx, VSOLVE_CARGO, &ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution,
                               has_graph ? &g : NULL);
        if (!*out)
            rc = VSOLVE_ENOMEM;
    }
    if (has_graph)
        graph_free(&g);
    if (use_image && (rc == VSOLVE_OK || rc == VSOLVE_UNSAT))
        image_after_solve(ctx, o->registry, img);
    if (rc == VSOLVE_UNSAT)
        vs_error_set(&ctx->err, rc, "%s", ctx->cargo_solution.explanation ? ctx->cargo_solution.explanation : "unsatisfiable");
    else if (rc == VSOLVE_ETIMEOUT)
        vs_error_set(&ctx->err, rc, "%s", ctx->cargo_solution.explanation ? ctx->cargo_solution.explanation : "time limit");
    else if (rc != VSOLVE_OK)   /* VSOLVE_EIO from vs_solve: no SAT solver, the explanation says why */
        vs_error_set(&ctx->err, rc, "%s", rc == VSOLVE_EIO && ctx->cargo_solution.explanation
                                              ? ctx->cargo_solution.explanation : "out of memory while solving");
    return rc;
}

int api_cargo_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url)
{
    (void)r;   /* the context holds the last solution, which r is */
    if (!ctx->cargo_ready || ctx->cargo_solution.status != VSOLVE_OK)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "no cargo solution to write");
    vs_graph g;
    int rc = cargo_graph(ctx, &g);
    if (rc == VSOLVE_OK) {
        rc = cargo_lock_write(out, &ctx->cargo.u, &g, source_url);
        graph_free(&g);
    }
    return rc == VSOLVE_OK ? rc : vs_error_set(&ctx->err, rc, "cannot write the Cargo.lock");
}

int vsolve_cargo_solve(vsolve_ctx *ctx, const char *index_path, const char *manifest_path, const char *lock_path,
                       const char *const *features, size_t n_features, int no_default_features, vsolve_result **out)
{
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = index_path;
    o.manifest = manifest_path;
    o.lock = lock_path;
    o.features = features;
    o.n_features = n_features;
    o.no_default_features = no_default_features;
    return vsolve_solve_project(ctx, VSOLVE_CARGO, &o, out);
}

int vsolve_cargo_write_lock(vsolve_ctx *ctx, const char *path, const char *source_url)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (path && ctx->cargo_ready && api_lock_is_manifest(path, ctx->cargo_root.path))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: the lock file would replace the manifest %s", path,
                            ctx->cargo_root.path);
    return api_write_last_lock(ctx, VSOLVE_LOCK_CARGO, path ? path : "-", source_url);
}
