/* api.c: the public vsolve.h API: a context owning one universe, on top of solver/ and formats/. */
#include "vsolve.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include "atomic_file.h"
#include "cache.h"
#include "cargo_lock.h"
#include "cargo_resolve.h"
#include "graph.h"
#include "checker.h"
#include "cudf.h"
#include "npm_lock.h"
#include "error.h"
#include "opam_fixes.h"
#include "opam_repo.h"
#include "opam_version.h"
#include "solve.h"
#include "sweep.h"
#include "testcase.h"
#include "testcase_npm.h"
#include "atomic_file.h"

struct vsolve_ctx {
    vs_error err;
    opam_vars vars;
    vs_universe universe;
    int loaded;
    int from_cudf;                   /* loaded by vsolve_load_cudf: the request is cudf_request */
    vs_request cudf_request;
    int cache_mode;                  /* enum vsolve_cache_mode */
    int preference;                  /* enum vsolve_preference */
    char cache_path[PATH_MAX];       /* "" for the default location */
    char cache_status[PATH_MAX + 1200];
    double time_limit;               /* seconds per solve, 0: none (vsolve_set_timeout) */
    int strict;                      /* a malformed opam file refuses the repository (vsolve_set_strict) */
    size_t skipped;                  /* malformed opam files left out by the last parse */
    char **warnings;                 /* of the last load (vsolve_warning) */
    /* an opam universe read from the cache: where from, to rebuild it when a chunk read later
     * turns out corrupt */
    int from_cache;
    char repo_path[PATH_MAX], cache_file[PATH_MAX];
    size_t n_warnings;
    /* cargo: the last problem and its solution (for the lock) */
    arena cargo_mem;
    cargo_index *cargo_ix;
    cargo_manifest cargo_root;
    cargo_problem cargo;
    vs_solution cargo_solution;
    int cargo_ready;
    /* npm: the last tree (for the lock) */
    npm_registry *npm_reg;
    arena npm_mem;
    npm_tree npm;
    int npm_ready;
};

struct vsolve_result {
    size_t count;
    char **names, **versions, **reasons;
    char *explanation;
    char **clash;          /* a refusal: the atoms its explanation names */
    size_t n_clash;
    opam_fixes fixes;      /* a refusal: verified fixes */
};

const char *vsolve_version(void) { return VSOLVE_VERSION_STRING; }

vsolve_ctx *vsolve_new(void)
{
    vsolve_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (opam_vars_init(&ctx->vars) != VSOLVE_OK || universe_init(&ctx->universe) != VSOLVE_OK) {
        vsolve_free(ctx);
        return NULL;
    }
    return ctx;
}

static void cargo_reset(vsolve_ctx *ctx)
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
}

static void npm_reset(vsolve_ctx *ctx)
{
    if (ctx->npm_ready)
        npm_tree_free(&ctx->npm);
    npm_registry_close(ctx->npm_reg);
    ctx->npm_reg = NULL;
    arena_free(&ctx->npm_mem);
    arena_init(&ctx->npm_mem);
    ctx->npm_ready = 0;
}

static void clear_warnings(vsolve_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_warnings; i++)
        free(ctx->warnings[i]);
    free(ctx->warnings);
    ctx->warnings = NULL;
    ctx->n_warnings = 0;
}

/* Records a warning (dropped when out of memory: a warning never fails the call). */
static void warn(vsolve_ctx *ctx, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char **more = realloc(ctx->warnings, (ctx->n_warnings + 1) * sizeof *more);
    if (!more)
        return;
    ctx->warnings = more;
    if ((more[ctx->n_warnings] = strdup(text)) != NULL)
        ctx->n_warnings++;
}

size_t vsolve_warning_count(const vsolve_ctx *ctx) { return ctx ? ctx->n_warnings : 0; }

const char *vsolve_warning(const vsolve_ctx *ctx, size_t i)
{
    return ctx && i < ctx->n_warnings ? ctx->warnings[i] : NULL;
}

void vsolve_free(vsolve_ctx *ctx)
{
    if (!ctx)
        return;
    clear_warnings(ctx);
    cargo_reset(ctx);
    npm_reset(ctx);
    opam_vars_free(&ctx->vars);
    universe_free(&ctx->universe);
    request_free(&ctx->cudf_request);
    free(ctx);
}

const char *vsolve_errmsg(const vsolve_ctx *ctx) { return ctx ? ctx->err.message : "no context"; }

int vsolve_set_var(vsolve_ctx *ctx, const char *name, const char *value)
{
    vs_error_clear(&ctx->err);
    if (!name || !*name || !value)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_var: a variable needs a name and a value");
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_var: set variables before loading the repository");
    if (opam_vars_set(&ctx->vars, name, value) != VSOLVE_OK)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

int vsolve_set_cache(vsolve_ctx *ctx, const char *cache_path, int mode)
{
    vs_error_clear(&ctx->err);
    if (mode < VSOLVE_CACHE_OFF || mode > VSOLVE_CACHE_REFRESH)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_cache: unknown mode %d", mode);
    if (cache_path && strlen(cache_path) >= sizeof ctx->cache_path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_cache: path too long");
    snprintf(ctx->cache_path, sizeof ctx->cache_path, "%s", cache_path ? cache_path : "");
    ctx->cache_mode = mode;
    return VSOLVE_OK;
}

const char *vsolve_cache_status(const vsolve_ctx *ctx) { return ctx->cache_status; }

int vsolve_set_timeout(vsolve_ctx *ctx, double seconds)
{
    vs_error_clear(&ctx->err);
    if (!(seconds >= 0))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_timeout: seconds must be 0 or more");
    ctx->time_limit = seconds;
    return VSOLVE_OK;
}

int vsolve_set_preference(vsolve_ctx *ctx, int preference)
{
    vs_error_clear(&ctx->err);
    if (preference < VSOLVE_PREFER_DEFAULT || preference > VSOLVE_PREFER_NEWEST_FIRST)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_preference: unknown preference %d", preference);
    ctx->preference = preference;
    return VSOLVE_OK;
}

/* The solver's preference for a request of ctx's repository (see vsolve_set_preference). */
static int request_preference(const vsolve_ctx *ctx)
{
    if (ctx->preference == VSOLVE_PREFER_OPAM_CRITERIA)
        return VS_PREFER_OPAM_CRITERIA;
    if (ctx->preference == VSOLVE_PREFER_NEWEST_FIRST)
        return VS_PREFER_NEWEST_FIRST;
    return ctx->from_cudf ? VS_PREFER_NEWEST_FIRST : VS_PREFER_OPAM_CRITERIA;
}

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
    warn(user, "%s; package left out (--strict refuses the repository)", message);
}

/* Parses an opam repository into ctx->universe: malformed files are left out with a warning
 * each, unless strict. */
static int parse_opam(vsolve_ctx *ctx, const char *path)
{
    opam_load_options opt = { ctx->strict, warn_skipped, ctx, 0 };
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
        rc = cache_read(cache_file, &ctx->universe, &key, &why);
        if (rc == VSOLVE_OK)
            rc = cache_check_order(&ctx->universe, opam_version_compare, cache_file, &why);
        if (rc == VSOLVE_OK) {
            snprintf(ctx->cache_status, sizeof ctx->cache_status, "read %s", cache_file);
            ctx->from_cache = strlen(path) < sizeof ctx->repo_path;
            snprintf(ctx->repo_path, sizeof ctx->repo_path, "%s", path);
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
            warn(ctx, "%s; answered from the repository", why.message);
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
    if (parse_opam(ctx, ctx->repo_path) != VSOLVE_OK) {
        ctx->loaded = 0;
        return 0;
    }
    cache_key key = { 0, opam_settings(&ctx->vars) };
    vs_error werr;
    vs_error_clear(&werr);
    if (cache_source_fingerprint(ctx->repo_path, &key.source, &werr) != VSOLVE_OK ||
        cache_write(ctx->cache_file, &ctx->universe, &key, &werr) != VSOLVE_OK)
        warn(ctx, "%s; rebuilt from the repository (%s)", why, werr.message);
    else
        warn(ctx, "%s; rebuilt from the repository", why);
    return 1;
}

int vsolve_load_opam(vsolve_ctx *ctx, const char *path)
{
    vs_error_clear(&ctx->err);
    ctx->cache_status[0] = '\0';
    clear_warnings(ctx);
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_opam: a context holds one repository; it is loaded already");
    int rc = ctx->cache_mode == VSOLVE_CACHE_OFF ? parse_opam(ctx, path) : load_opam_cached(ctx, path);
    if (rc != VSOLVE_OK) {
        universe_free(&ctx->universe);
        universe_init(&ctx->universe);
        return rc;
    }
    ctx->loaded = 1;
    return VSOLVE_OK;
}

int vsolve_load_cudf(vsolve_ctx *ctx, const char *path)
{
    vs_error_clear(&ctx->err);
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_cudf: a context holds one repository; it is loaded already");
    int rc = cudf_load(&ctx->universe, &ctx->cudf_request, path, NULL, &ctx->err);
    if (rc != VSOLVE_OK) {
        universe_free(&ctx->universe);
        universe_init(&ctx->universe);
        request_free(&ctx->cudf_request);
        request_init(&ctx->cudf_request);
        return rc;
    }
    ctx->loaded = ctx->from_cudf = 1;
    return VSOLVE_OK;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static vsolve_result *make_result(const vs_universe *u, const vs_request *req, const vs_solution *s)
{
    vsolve_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < s->pkgs.len; i++)
        n += !(u->pkgs.items[s->pkgs.items[i]].flags & VS_PKG_VIRTUAL);
    r->names = calloc(n ? n : 1, sizeof *r->names);
    r->versions = calloc(n ? n : 1, sizeof *r->versions);
    r->reasons = calloc(n ? n : 1, sizeof *r->reasons);
    r->explanation = dupstr(s->explanation ? s->explanation : "");
    if (!r->names || !r->versions || !r->reasons || !r->explanation) {
        vsolve_result_free(r);
        return NULL;
    }
    r->count = n;
    for (size_t i = 0, k = 0; k < s->pkgs.len; k++) {
        uint32_t p = s->pkgs.items[k], by = s->pulled_by.items[k];
        if (u->pkgs.items[p].flags & VS_PKG_VIRTUAL)
            continue;
        /* what pulled p in, looking through condition nodes (features) to a real package */
        size_t from = k;
        for (int steps = 0; by != VS_NONE && (u->pkgs.items[by].flags & VS_PKG_VIRTUAL) && steps < 64; steps++) {
            size_t at = 0;
            while (at < s->pkgs.len && s->pkgs.items[at] != by)
                at++;
            if (at == s->pkgs.len)
                break;
            from = at;
            by = s->pulled_by.items[at];
        }
        r->names[i] = dupstr(universe_pkg_name(u, p));
        r->versions[i] = dupstr(universe_pkg_version(u, p));
        if (by == VS_NONE) {
            uint32_t a = s->pulled_by_atom.items[from];
            r->reasons[i] = dupstr(a == VS_NONE ? "request" : universe_str(u, req->atoms.items[a].desc));
        } else {
            const char *bn = universe_pkg_name(u, by), *bv = universe_pkg_version(u, by);
            size_t len = strlen(bn) + strlen(bv) + 2;
            r->reasons[i] = malloc(len);
            if (r->reasons[i])
                snprintf(r->reasons[i], len, "%s.%s", bn, bv);
        }
        if (!r->names[i] || !r->versions[i] || !r->reasons[i]) {
            vsolve_result_free(r);
            return NULL;
        }
        i++;
    }
    return r;
}

/* A refusal's clashing atoms and its verified fixes (opam_fixes.h), also in its explanation. */
static int add_fixes(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, const vs_solution *s, vsolve_result *r)
{
    r->clash = calloc(s->clash.len ? s->clash.len : 1, sizeof *r->clash);
    if (!r->clash)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < s->clash.len; i++)
        if (s->clash.items[i] < n_atoms && !(r->clash[r->n_clash++] = dupstr(atoms[s->clash.items[i]])))
            return VSOLVE_ENOMEM;
    int rc = opam_find_fixes(&ctx->universe, atoms, n_atoms, s, 4, &r->fixes);
    if (rc != VSOLVE_OK || r->fixes.len == 0)
        return rc == VSOLVE_ENOMEM ? rc : VSOLVE_OK;   /* no fix found: the explanation stands alone */
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

static int solve_once(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, vsolve_result **out);

int vsolve_solve(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, vsolve_result **out)
{
    int rc = solve_once(ctx, atoms, n_atoms, out);
    if (rebuild_corrupt_cache(ctx, rc, ctx->err.message))
        rc = solve_once(ctx, atoms, n_atoms, out);
    return rc;
}

static int solve_once(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, vsolve_result **out)
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
    req.preference = ctx->cudf_request.preference = request_preference(ctx);
    const vs_request *use = ctx->from_cudf ? &ctx->cudf_request : &req;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
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
    rc = vs_solve(&ctx->universe, use, &s);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        *out = make_result(&ctx->universe, use, &s);
        if (!*out)
            rc = VSOLVE_ENOMEM;
    }
    if (rc == VSOLVE_UNSAT && !ctx->from_cudf && add_fixes(ctx, atoms, n_atoms, &s, *out) != VSOLVE_OK)
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(&ctx->err, rc, "out of memory while solving");
    else if (rc == VSOLVE_UNSAT)
        vs_error_set(&ctx->err, rc, "%s", s.explanation ? s.explanation : "unsatisfiable");
    else if (rc != VSOLVE_OK)
        vs_error_set(&ctx->err, rc, "%s", s.explanation ? s.explanation : "solving failed");
    solution_free(&s);
    request_free(&req);
    return rc;
}

size_t vsolve_result_count(const vsolve_result *r) { return r ? r->count : 0; }
const char *vsolve_result_name(const vsolve_result *r, size_t i) { return r && i < r->count ? r->names[i] : NULL; }
const char *vsolve_result_version(const vsolve_result *r, size_t i) { return r && i < r->count ? r->versions[i] : NULL; }
const char *vsolve_result_reason(const vsolve_result *r, size_t i) { return r && i < r->count ? r->reasons[i] : NULL; }
const char *vsolve_result_explanation(const vsolve_result *r) { return r ? r->explanation : ""; }
size_t vsolve_result_clash_count(const vsolve_result *r) { return r ? r->n_clash : 0; }
const char *vsolve_result_clash_atom(const vsolve_result *r, size_t i) { return r && i < r->n_clash ? r->clash[i] : NULL; }
size_t vsolve_result_fix_count(const vsolve_result *r) { return r ? r->fixes.len : 0; }
size_t vsolve_result_fix_edits(const vsolve_result *r, size_t i)
{
    return r && i < r->fixes.len ? r->fixes.items[i].n : 0;
}
const char *vsolve_result_fix_atom(const vsolve_result *r, size_t i, size_t k)
{
    return r && i < r->fixes.len && k < r->fixes.items[i].n ? r->fixes.items[i].old[k] : NULL;
}
const char *vsolve_result_fix_replacement(const vsolve_result *r, size_t i, size_t k)
{
    return r && i < r->fixes.len && k < r->fixes.items[i].n ? r->fixes.items[i].replacement[k] : NULL;
}
const char *vsolve_result_fix_text(const vsolve_result *r, size_t i)
{
    return r && i < r->fixes.len ? r->fixes.items[i].text : NULL;
}

void vsolve_result_free(vsolve_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->names[i]);
        free(r->versions[i]);
        free(r->reasons[i]);
    }
    free(r->names);
    free(r->versions);
    free(r->reasons);
    free(r->explanation);
    for (size_t i = 0; i < r->n_clash; i++)
        free(r->clash[i]);
    free(r->clash);
    opam_fixes_free(&r->fixes);
    free(r);
}

/* The last cargo or npm run as a neutral test case (the request is the manifest's). */
static int dump_project(vsolve_ctx *ctx, FILE *f)
{
    if (ctx->cargo_ready)
        return testcase_write(f, &ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution, TC_CARGO,
                              "saved by vsolve --dump-testcase");
    vs_universe u;
    vs_request req;
    vs_solution s;
    universe_init(&u);
    request_init(&req);
    solution_init(&s);
    int rc = testcase_npm_problem(&ctx->npm, &u, &req, &s, &ctx->err);
    if (rc == VSOLVE_OK)
        rc = testcase_write(f, &u, &req, &s, TC_NPM, "saved by vsolve --dump-testcase");
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
    return rc;
}

int vsolve_dump_testcase(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                         const vsolve_result *r, const char *path)
{
    (void)r;   /* the answer is recomputed: solving is deterministic */
    vs_error_clear(&ctx->err);
    int project = !ctx->loaded && (ctx->cargo_ready || ctx->npm_ready);
    if ((!ctx->loaded && !project) || !path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_dump_testcase: solve first and give a path");
    vs_request req;
    request_init(&req);
    req.preference = request_preference(ctx);
    vs_solution s;
    solution_init(&s);
    int rc = VSOLVE_OK;
    if (!project) {
        rc = universe_need_all(&ctx->universe, &ctx->err);   /* the test case holds the whole cone */
        for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
            rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
        if (rc == VSOLVE_OK)
            rc = vs_solve(&ctx->universe, &req, &s);
    }
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        vs_atomic_file af;
        rc = atomic_file_open(&af, path, &ctx->err);
        if (rc == VSOLVE_OK) {
            rc = project ? dump_project(ctx, af.f)
                         : testcase_write(af.f, &ctx->universe, &req, &s, TC_OPAM, "saved by vsolve --dump-testcase");
            if (rc == VSOLVE_OK)
                rc = atomic_file_commit(&af, &ctx->err);
            else
                atomic_file_abort(&af);
            if (rc != VSOLVE_OK && !ctx->err.code)
                vs_error_set(&ctx->err, rc, "%s: cannot write the test case", path);
        }
    }
    solution_free(&s);
    request_free(&req);
    return rc;
}

struct vsolve_sweep_result {
    const vs_universe *u;      /* the context's universe: valid while the context lives */
    sweep_result r;
    char **reasons;
};

int vsolve_sweep(vsolve_ctx *ctx, int threads, vsolve_progress_fn progress, void *user, vsolve_sweep_result **out)
{
    vs_error_clear(&ctx->err);
    if (!out)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_sweep: needs a result pointer");
    *out = NULL;
    if (!ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_sweep: load a repository first");
    int rc = universe_need_all(&ctx->universe, &ctx->err);
    if (rc != VSOLVE_OK)
        return rc;
    vsolve_sweep_result *s = calloc(1, sizeof *s);
    if (!s)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    s->u = &ctx->universe;
    rc = sweep_universe(&ctx->universe, threads, progress, user, &s->r);
    size_t n = ctx->universe.pkgs.len;
    if (rc == VSOLVE_OK && !(s->reasons = calloc(n ? n : 1, sizeof *s->reasons)))
        rc = VSOLVE_ENOMEM;
    for (size_t i = 0; rc == VSOLVE_OK && i < n; i++) {
        uint32_t clause = s->r.reason[i];
        const char *desc = clause != VS_NONE ? universe_str(&ctx->universe, ctx->universe.clauses.items[clause].desc) : "";
        char buf[1200];
        switch (s->r.status[i]) {
        case SWEEP_MISSING: snprintf(buf, sizeof buf, "needs %s, which nothing available provides", desc); break;
        case SWEEP_BROKEN_DEP: snprintf(buf, sizeof buf, "needs %s, which cannot be installed", desc); break;
        case SWEEP_UNAVAILABLE: snprintf(buf, sizeof buf, "not available on this platform"); break;
        case SWEEP_CONFLICT: snprintf(buf, sizeof buf, "its dependencies cannot be installed together"); break;
        default: buf[0] = '\0';
        }
        if (!(s->reasons[i] = dupstr(buf)))
            rc = VSOLVE_ENOMEM;
    }
    if (rc != VSOLVE_OK) {
        vsolve_sweep_free(s);
        return vs_error_set(&ctx->err, rc, "out of memory during the sweep");
    }
    *out = s;
    return VSOLVE_OK;
}

size_t vsolve_sweep_count(const vsolve_sweep_result *r) { return r ? r->u->pkgs.len : 0; }
const char *vsolve_sweep_name(const vsolve_sweep_result *r, size_t i)
{
    return r && i < r->u->pkgs.len ? universe_pkg_name(r->u, (uint32_t)i) : NULL;
}
const char *vsolve_sweep_version(const vsolve_sweep_result *r, size_t i)
{
    return r && i < r->u->pkgs.len ? universe_pkg_version(r->u, (uint32_t)i) : NULL;
}
int vsolve_sweep_status(const vsolve_sweep_result *r, size_t i)
{
    return r && i < r->u->pkgs.len ? r->r.status[i] : -1;
}
const char *vsolve_sweep_reason(const vsolve_sweep_result *r, size_t i)
{
    return r && i < r->u->pkgs.len ? r->reasons[i] : NULL;
}
size_t vsolve_sweep_total(const vsolve_sweep_result *r, int status)
{
    return r && status >= 0 && status < SWEEP_STATUS_COUNT ? r->r.count[status] : 0;
}
const char *vsolve_sweep_status_name(int status) { return sweep_status_name(status); }

void vsolve_sweep_free(vsolve_sweep_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->reasons && i < r->u->pkgs.len; i++)
        free(r->reasons[i]);
    free(r->reasons);
    sweep_result_free(&r->r);
    free(r);
}

int vsolve_check(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                 const char *const *packages, size_t n_packages)
{
    vs_error_clear(&ctx->err);
    if (!ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_check: load a repository first");
    vs_request req;
    request_init(&req);
    u32_vec ids = { 0 };
    int rc = universe_need_all(&ctx->universe, &ctx->err);   /* any package may be named */
    for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
    for (size_t i = 0; i < n_packages && rc == VSOLVE_OK; i++) {
        const char *dot = strchr(packages[i], '.');
        char name[256];
        uint32_t found = VS_NONE;
        if (dot && (size_t)(dot - packages[i]) < sizeof name) {
            memcpy(name, packages[i], (size_t)(dot - packages[i]));
            name[dot - packages[i]] = '\0';
            uint32_t nm = universe_find_name(&ctx->universe, name), first, count;
            if (nm != VS_NONE) {
                universe_name_pkgs(&ctx->universe, nm, &first, &count);
                for (uint32_t j = 0; j < count && found == VS_NONE; j++)
                    if (!strcmp(universe_pkg_version(&ctx->universe, first + j), dot + 1))
                        found = first + j;
            }
        }
        if (found == VS_NONE)
            rc = vs_error_set(&ctx->err, VSOLVE_UNSAT, "%s: no such package version in the repository", packages[i]);
        else if (!vec_push(&ids, found))
            rc = vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    }
    if (rc == VSOLVE_OK) {
        char why[sizeof ctx->err.message];
        if (check_solution(&ctx->universe, &req, ids.items, ids.len, why, sizeof why) != 0)
            rc = vs_error_set(&ctx->err, VSOLVE_UNSAT, "%s", why);
    }
    vec_free(&ids);
    request_free(&req);
    return rc;
}

/* Does the lock path name the manifest itself (the same file, by any name)? Writing the lock
 * there would replace the manifest. */
static int lock_is_manifest(const char *lock_path, const char *manifest_path)
{
    struct stat a, b;
    return lock_path && stat(lock_path, &a) == 0 && stat(manifest_path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Writes a lock through a temporary file renamed over path (or to standard output for "-"):
 * a failure leaves the old lock whole, and only a regular file is ever replaced. */
static int write_lock_file(vsolve_ctx *ctx, const char *path, int (*write)(FILE *, void *), void *user)
{
    if (!path || !strcmp(path, "-")) {
        int rc = write(stdout, user);
        if (rc == VSOLVE_OK && (fflush(stdout) != 0 || ferror(stdout)))
            rc = VSOLVE_EIO;
        return rc == VSOLVE_OK ? rc : (ctx->err.code ? ctx->err.code : vs_error_set(&ctx->err, rc, "stdout: cannot write the lock"));
    }
    vs_atomic_file af;
    vs_error e;
    vs_error_clear(&e);
    if (atomic_file_open(&af, path, &e) != VSOLVE_OK)
        return vs_error_set(&ctx->err, e.code, "%s", e.message);
    int rc = write(af.f, user);
    if (rc != VSOLVE_OK) {
        atomic_file_abort(&af);
        return ctx->err.code ? ctx->err.code : vs_error_set(&ctx->err, rc, "%s: cannot write the lock", path);
    }
    if (atomic_file_commit(&af, &e) != VSOLVE_OK)
        return vs_error_set(&ctx->err, e.code, "%s", e.message);
    return VSOLVE_OK;
}

int vsolve_cargo_solve(vsolve_ctx *ctx, const char *index_path, const char *manifest_path, const char *lock_path,
                       const char *const *features, size_t n_features, int no_default_features, vsolve_result **out)
{
    vs_error_clear(&ctx->err);
    if (out)
        *out = NULL;
    if (!out || !index_path || !manifest_path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_cargo_solve: needs an index, a manifest and a result pointer");
    cargo_reset(ctx);
    if (lock_is_manifest(lock_path, manifest_path))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: the lock file would replace the manifest %s", lock_path,
                            manifest_path);
    int rc = cargo_manifest_read(&ctx->cargo_mem, manifest_path, &ctx->cargo_root, &ctx->err);
    cargo_locked *locked = NULL;
    size_t n_locked = 0;
    if (rc == VSOLVE_OK && lock_path) {
        struct stat probe;   /* an existing lock is read (a FIFO or a device is refused there) */
        if (stat(lock_path, &probe) == 0) {
            rc = cargo_lock_read(&ctx->cargo_mem, lock_path, &locked, &n_locked, &ctx->err);
        }
    }
    if (rc == VSOLVE_OK && !(ctx->cargo_ix = cargo_index_open(index_path, &ctx->err)))
        rc = ctx->err.code ? ctx->err.code : VSOLVE_ENOMEM;
    /* no feature selection: the lock covers every feature, as cargo's does */
    cargo_options opt = { features, n_features, no_default_features, n_features == 0 && !no_default_features, NULL };
    if (rc == VSOLVE_OK)
        rc = cargo_problem_build(&ctx->cargo, ctx->cargo_ix, &ctx->cargo_root, locked, n_locked, &opt, &ctx->err);
    if (rc != VSOLVE_OK) {
        if (rc != VSOLVE_OK && ctx->cargo_ix)
            cargo_problem_free(&ctx->cargo);
        cargo_index_close(ctx->cargo_ix);
        ctx->cargo_ix = NULL;
        return rc;
    }
    ctx->cargo_ready = 1;
    solution_init(&ctx->cargo_solution);
    ctx->cargo.req.time_limit = ctx->time_limit;
    rc = vs_solve(&ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution);
    if (rc == VSOLVE_OK && !ctx->cargo_solution.explanation) {
        /* not refused: the explanation carries what is worth knowing about the answer */
        char report[4096];
        if (cargo_rust_version_report(&ctx->cargo, &ctx->cargo_solution, report, sizeof report) > 0)
            ctx->cargo_solution.explanation = dupstr(report);
    }
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        *out = make_result(&ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution);
        if (!*out)
            rc = VSOLVE_ENOMEM;
    }
    if (rc == VSOLVE_UNSAT)
        vs_error_set(&ctx->err, rc, "%s", ctx->cargo_solution.explanation ? ctx->cargo_solution.explanation : "unsatisfiable");
    else if (rc == VSOLVE_ETIMEOUT)
        vs_error_set(&ctx->err, rc, "%s", ctx->cargo_solution.explanation);
    else if (rc != VSOLVE_OK)
        vs_error_set(&ctx->err, rc, "out of memory while solving");
    return rc;
}

struct cargo_lock_job {
    vsolve_ctx *ctx;
    const char *source_url;
};

static int write_cargo_lock(FILE *f, void *user)
{
    struct cargo_lock_job *job = user;
    vsolve_ctx *ctx = job->ctx;
    uint32_t *owner = NULL;
    vs_graph g;
    int rc = cargo_owner_map(&ctx->cargo, &owner);
    if (rc == VSOLVE_OK)
        rc = graph_build(&g, &ctx->cargo.u, &ctx->cargo.req, &ctx->cargo_solution, owner);
    if (rc == VSOLVE_OK) {
        rc = cargo_lock_write(f, &ctx->cargo.u, &g, job->source_url);
        graph_free(&g);
    }
    free(owner);
    return rc;
}

int vsolve_cargo_write_lock(vsolve_ctx *ctx, const char *path, const char *source_url)
{
    vs_error_clear(&ctx->err);
    if (!ctx->cargo_ready || ctx->cargo_solution.status != VSOLVE_OK)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_cargo_write_lock: no cargo solution to write");
    if (path && lock_is_manifest(path, ctx->cargo_root.path))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: the lock file would replace the manifest %s", path,
                            ctx->cargo_root.path);
    struct cargo_lock_job job = { ctx, source_url };
    return write_lock_file(ctx, path, write_cargo_lock, &job);
}

int vsolve_npm_solve(vsolve_ctx *ctx, const char *registry_path, const char *manifest_path, const char *lock_path,
                     const char *node_ver, const char *npm_ver, vsolve_result **out)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (out)
        *out = NULL;
    if (!registry_path || !manifest_path || !out)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_npm_solve: needs a registry, a manifest and a result pointer");
    npm_reset(ctx);
    const json_value *manifest = NULL;
    npm_locked *locked = NULL;
    size_t n_locked = 0;
    if (lock_is_manifest(lock_path, manifest_path))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: the lock file would replace the manifest %s", lock_path,
                            manifest_path);
    int rc = npm_manifest_read(&ctx->npm_mem, manifest_path, &manifest, &ctx->err);
    if (rc == VSOLVE_OK && lock_path) {
        struct stat probe;   /* an existing lock is read (a FIFO or a device is refused there) */
        if (stat(lock_path, &probe) == 0) {
            rc = npm_lock_read(&ctx->npm_mem, lock_path, &locked, &n_locked, &ctx->err);
        }
    }
    if (rc == VSOLVE_OK && !(ctx->npm_reg = npm_registry_open(registry_path, &ctx->err)))
        rc = ctx->err.code ? ctx->err.code : VSOLVE_EIO;
    npm_tree_options opt = { node_ver, npm_ver };
    if (rc == VSOLVE_OK) {
        rc = npm_tree_build(&ctx->npm, ctx->npm_reg, manifest, manifest_path, &opt, locked, n_locked, &ctx->err);
        ctx->npm_ready = 1;
    }
    if (rc != VSOLVE_OK)
        return rc;
    npm_node **nodes = NULL;
    size_t n = npm_tree_nodes(&ctx->npm, &nodes);
    vsolve_result *r = calloc(1, sizeof *r);
    if (!r || (n && (!(r->names = calloc(n, sizeof *r->names)) || !(r->versions = calloc(n, sizeof *r->versions)) ||
                     !(r->reasons = calloc(n, sizeof *r->reasons))))) {
        free(nodes);
        vsolve_result_free(r);
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    }
    r->count = n;
    for (size_t i = 0; i < n; i++) {
        r->names[i] = strdup(nodes[i]->pkg_name);
        r->versions[i] = strdup(nodes[i]->version ? nodes[i]->version : "");
        r->reasons[i] = strdup(nodes[i]->location);
        if (!r->names[i] || !r->versions[i] || !r->reasons[i]) {
            free(nodes);
            vsolve_result_free(r);
            return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
        }
    }
    free(nodes);
    if (!(r->explanation = strdup(""))) {
        vsolve_result_free(r);
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    }
    *out = r;
    return VSOLVE_OK;
}

struct npm_lock_job {
    vsolve_ctx *ctx;
    const char *registry_url;
};

static int write_npm_lock(FILE *f, void *user)
{
    struct npm_lock_job *job = user;
    return npm_lock_write(f, &job->ctx->npm, job->registry_url, &job->ctx->err);
}

int vsolve_npm_write_lock(vsolve_ctx *ctx, const char *path, const char *registry_url)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    if (!ctx->npm_ready || !path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_npm_write_lock: no npm tree to write");
    struct npm_lock_job job = { ctx, registry_url };
    return write_lock_file(ctx, path, write_npm_lock, &job);
}
