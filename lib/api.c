/* api.c: the public vsolve.h API, common part: versions, the context, results (rows, graph,
 * attributes), checking, sweeping and test cases. The ecosystems' loaders and solvers are in
 * api_opam.c, api_cudf.c, api_cargo.c and api_npm.c; project solves and locks in api_lock.c. */
#include "api_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "checker.h"
#include "duplicates.h"
#include "sweep.h"
#include "testcase.h"
#include "testcase_npm.h"
#include "atomic_file.h"

const char *vsolve_version(void) { return VSOLVE_VERSION_STRING; }
unsigned long vsolve_vernum(void) { return VSOLVE_VERNUM; }

int vsolve_check_version(unsigned long header_vernum, size_t options_size)
{
    unsigned long major = header_vernum >> 16, minor = header_vernum >> 8 & 0xff;
    if (major != VSOLVE_VER_MAJOR || minor > VSOLVE_VER_MINOR || options_size != sizeof(vsolve_project_options))
        return VSOLVE_EVERSION;
    return VSOLVE_OK;
}

vsolve_ctx *vsolve_new(void)
{
    vsolve_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (opam_vars_init(&ctx->vars) != VSOLVE_OK || universe_init(&ctx->universe) != VSOLVE_OK ||
        universe_init(&ctx->npm_u) != VSOLVE_OK) {
        vsolve_free(ctx);
        return NULL;
    }
    return ctx;
}

void vsolve_free(vsolve_ctx *ctx)
{
    if (!ctx)
        return;
    api_clear_warnings(ctx);
    api_cargo_reset(ctx);
    api_npm_reset(ctx);
    opam_vars_free(&ctx->vars);
    universe_free(&ctx->universe);
    universe_free(&ctx->npm_u);
    request_free(&ctx->cudf_request);
    free(ctx->source_url);
    free(ctx->repo_path);
    api_opam_lock_reset(ctx);
    for (size_t i = 0; i < ctx->n_single; i++)
        free(ctx->single[i]);
    free(ctx->single);
    api_installed_reset(ctx);
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

int vsolve_set_fast_path(vsolve_ctx *ctx, int enabled)
{
    vs_error_clear(&ctx->err);
    ctx->no_fast_path = !enabled;
    return VSOLVE_OK;
}

int vsolve_set_max_inflate(vsolve_ctx *ctx, unsigned long long bytes)
{
    vs_error_clear(&ctx->err);
    ctx->max_inflate = bytes;
    return VSOLVE_OK;
}

void api_clear_warnings(vsolve_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_warnings; i++)
        free(ctx->warnings[i]);
    free(ctx->warnings);
    ctx->warnings = NULL;
    ctx->n_warnings = 0;
}

void api_warn(vsolve_ctx *ctx, const char *fmt, ...)
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
    if ((more[ctx->n_warnings] = api_strdup(text)) != NULL)
        ctx->n_warnings++;
}

size_t vsolve_warning_count(const vsolve_ctx *ctx) { return ctx ? ctx->n_warnings : 0; }

const char *vsolve_warning(const vsolve_ctx *ctx, size_t i)
{
    return ctx && i < ctx->n_warnings ? ctx->warnings[i] : NULL;
}

int api_lock_is_manifest(const char *lock_path, const char *manifest_path)
{
    struct stat a, b;
    return lock_path && manifest_path && stat(lock_path, &a) == 0 && stat(manifest_path, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}


char *api_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---- results ------------------------------------------------------------------------------ */

/* Why row package p (the k-th of s) is there: what pulled it in, looking through condition
 * nodes (cargo features) to a real package; malloc'd. */
static char *reason_of(const vs_universe *u, const vs_request *req, const vs_solution *s, size_t k)
{
    uint32_t by = s->pulled_by.items[k];
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
    if (by == VS_NONE) {
        uint32_t a = s->pulled_by_atom.items[from];
        return api_strdup(a == VS_NONE ? "request" : universe_str(u, req->atoms.items[a].desc));
    }
    const char *bn = universe_pkg_name(u, by), *bv = universe_pkg_version(u, by);
    size_t len = strlen(bn) + strlen(bv) + 2;
    char *r = malloc(len);
    if (r)
        snprintf(r, len, "%s.%s", bn, bv);
    return r;
}

/* A refusal's unavailable packages (s->unavailable) as data: their attributes
 * "unavailable-formula" and "unavailable-value" (opam_repo.c), read by the explanation already. */
static int add_unavailable(vsolve_result *r, const vs_universe *u, const vs_solution *s)
{
    const vs_attrs *a = &u->attrs;
    uint32_t fkey = attrs_find_key(a, "unavailable-formula"), vkey = attrs_find_key(a, "unavailable-value");
    if (!s->unavailable.len || attrs_pending(a) || fkey == VS_ATTR_NONE)
        return VSOLVE_OK;
    r->unavailable = calloc(s->unavailable.len, sizeof *r->unavailable);
    if (!r->unavailable)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < s->unavailable.len; i++) {
        uint32_t p = s->unavailable.items[i];
        const char *formula = attrs_lookup(a, p, fkey);
        if (!formula)
            continue;
        struct api_unavailable *x = &r->unavailable[r->n_unavailable++];
        size_t len = strlen(universe_pkg_name(u, p)) + strlen(universe_pkg_version(u, p)) + 2;
        const vs_attr *first = NULL;
        size_t n = vkey == VS_ATTR_NONE ? 0 : attrs_lookup_all(a, p, vkey, &first);
        if (!(x->package = malloc(len)) || !(x->formula = api_strdup(formula)) ||
            !(x->vars = calloc(n ? n : 1, sizeof *x->vars)) || !(x->values = calloc(n ? n : 1, sizeof *x->values)))
            return VSOLVE_ENOMEM;
        snprintf(x->package, len, "%s.%s", universe_pkg_name(u, p), universe_pkg_version(u, p));
        for (; x->n_vars < n; x->n_vars++) {
            const char *nv = attrs_str(a, first[x->n_vars].value), *eq = strchr(nv, '=');
            size_t k = x->n_vars;
            size_t name_len = eq ? (size_t)(eq - nv) : strlen(nv);
            if (!(x->vars[k] = malloc(name_len + 1)) || (eq && !(x->values[k] = api_strdup(eq + 1))))
                return VSOLVE_ENOMEM;
            memcpy(x->vars[k], nv, name_len);
            x->vars[k][name_len] = '\0';
        }
    }
    return VSOLVE_OK;
}

vsolve_result *api_make_result(vsolve_ctx *ctx, int ecosystem, const vs_universe *u, const vs_request *req,
                               const vs_solution *s, const vs_graph *g)
{
    vsolve_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = g ? g->n_nodes : 0;
    r->ctx = ctx;
    r->gen = ctx->project_gen;
    r->ecosystem = ecosystem;
    r->status = g ? VSOLVE_OK : VSOLVE_UNSAT;
    r->names = calloc(n ? n : 1, sizeof *r->names);
    r->versions = calloc(n ? n : 1, sizeof *r->versions);
    r->reasons = calloc(n ? n : 1, sizeof *r->reasons);
    r->pkg = calloc(n ? n : 1, sizeof *r->pkg);
    r->dep_first = calloc(n + 1, sizeof *r->dep_first);
    r->explanation = api_strdup(s && s->explanation ? s->explanation : "");
    size_t n_deps = g ? g->dep_first[n] : 0;
    r->deps = malloc((n_deps ? n_deps : 1) * sizeof *r->deps);
    if (!r->names || !r->versions || !r->reasons || !r->pkg || !r->dep_first || !r->explanation || !r->deps ||
        (g && g->paths && !(r->paths = calloc(n ? n : 1, sizeof *r->paths)))) {
        vsolve_result_free(r);
        return NULL;
    }
    r->count = n;
    if (s && add_unavailable(r, u, s) != VSOLVE_OK) {
        vsolve_result_free(r);
        return NULL;
    }
    for (size_t i = 0; i < n_deps; i++)
        r->deps[i] = g->deps[i];
    for (size_t i = 0, k = 0; i < n; i++) {
        uint32_t p = g->pkg[i];
        r->pkg[i] = p;
        r->dep_first[i + 1] = g->dep_first[i + 1];
        r->names[i] = api_strdup(universe_pkg_name(u, p));
        r->versions[i] = api_strdup(universe_pkg_version(u, p));
        if (g->paths) {
            r->paths[i] = api_strdup(g->paths[i] ? g->paths[i] : "");
            r->reasons[i] = api_strdup(g->paths[i] ? g->paths[i] : "");
        } else {
            while (k < s->pkgs.len && s->pkgs.items[k] != p)
                k++;
            r->reasons[i] = k < s->pkgs.len ? reason_of(u, req, s, k) : api_strdup("");
        }
        if (!r->names[i] || !r->versions[i] || !r->reasons[i] || (r->paths && !r->paths[i])) {
            vsolve_result_free(r);
            return NULL;
        }
    }
    return r;
}

vs_universe *api_result_universe(const vsolve_result *r)
{
    if (!r || !r->ctx || r->status != VSOLVE_OK)
        return NULL;
    switch (r->ecosystem) {
    case VSOLVE_OPAM:
    case VSOLVE_CUDF: return &r->ctx->universe;
    case VSOLVE_CARGO: return r->gen == r->ctx->project_gen && r->ctx->cargo_ready ? &r->ctx->cargo.u : NULL;
    case VSOLVE_NPM: return r->gen == r->ctx->project_gen && r->ctx->npm_solved ? &r->ctx->npm_u : NULL;
    default: return NULL;
    }
}

size_t vsolve_result_count(const vsolve_result *r) { return r ? r->count : 0; }
const char *vsolve_result_name(const vsolve_result *r, size_t i) { return r && i < r->count ? r->names[i] : NULL; }
const char *vsolve_result_version(const vsolve_result *r, size_t i) { return r && i < r->count ? r->versions[i] : NULL; }
const char *vsolve_result_reason(const vsolve_result *r, size_t i) { return r && i < r->count ? r->reasons[i] : NULL; }
const char *vsolve_result_explanation(const vsolve_result *r) { return r ? r->explanation : ""; }
const char *vsolve_result_path(const vsolve_result *r, size_t i) { return r && r->paths && i < r->count ? r->paths[i] : NULL; }

size_t vsolve_result_deps(const vsolve_result *r, size_t i, const size_t **rows)
{
    if (rows)
        *rows = NULL;
    if (!r || !rows || i >= r->count || r->dep_first[i + 1] == r->dep_first[i])
        return 0;
    *rows = r->deps + r->dep_first[i];
    return r->dep_first[i + 1] - r->dep_first[i];
}

int vsolve_result_attr(const vsolve_result *r, size_t i, const char *key, size_t k, const char **value)
{
    if (value)
        *value = NULL;
    if (!r || !r->ctx)
        return VSOLVE_EUSAGE;
    vs_error *err = &r->ctx->err;
    vs_error_clear(err);
    vs_universe *u = api_result_universe(r);
    if (!key || !value || i >= r->count)
        return vs_error_set(err, VSOLVE_EUSAGE, "vsolve_result_attr: needs a row of the result, a key and a value pointer");
    if (!u)
        return vs_error_set(err, VSOLVE_EUSAGE, "vsolve_result_attr: the result's context has solved another project since");
    int rc = universe_need_attrs(u, err);
    if (rc != VSOLVE_OK)
        return rc;
    uint32_t kid = attrs_find_key(&u->attrs, key);
    const vs_attr *t;
    size_t n = kid == VS_ATTR_NONE ? 0 : attrs_lookup_all(&u->attrs, r->pkg[i], kid, &t);
    if (k < n)
        *value = attrs_str(&u->attrs, t[k].value);
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
int api_request_preference(const vsolve_ctx *ctx)
{
    if (ctx->preference == VSOLVE_PREFER_OPAM_CRITERIA)
        return VS_PREFER_OPAM_CRITERIA;
    if (ctx->preference == VSOLVE_PREFER_NEWEST_FIRST)
        return VS_PREFER_NEWEST_FIRST;
    return ctx->from_cudf ? VS_PREFER_NEWEST_FIRST : VS_PREFER_OPAM_CRITERIA;
}

size_t vsolve_result_clash_count(const vsolve_result *r) { return r ? r->n_clash : 0; }
const char *vsolve_result_clash_atom(const vsolve_result *r, size_t i) { return r && i < r->n_clash ? r->clash[i] : NULL; }
size_t vsolve_result_unavailable_count(const vsolve_result *r) { return r ? r->n_unavailable : 0; }
const char *vsolve_result_unavailable_package(const vsolve_result *r, size_t i)
{
    return r && i < r->n_unavailable ? r->unavailable[i].package : NULL;
}
const char *vsolve_result_unavailable_formula(const vsolve_result *r, size_t i)
{
    return r && i < r->n_unavailable ? r->unavailable[i].formula : NULL;
}
size_t vsolve_result_unavailable_var_count(const vsolve_result *r, size_t i)
{
    return r && i < r->n_unavailable ? r->unavailable[i].n_vars : 0;
}
const char *vsolve_result_unavailable_var(const vsolve_result *r, size_t i, size_t k)
{
    return r && i < r->n_unavailable && k < r->unavailable[i].n_vars ? r->unavailable[i].vars[k] : NULL;
}
const char *vsolve_result_unavailable_value(const vsolve_result *r, size_t i, size_t k)
{
    return r && i < r->n_unavailable && k < r->unavailable[i].n_vars ? r->unavailable[i].values[k] : NULL;
}
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
        if (r->paths)
            free(r->paths[i]);
        if (r->copy_names)
            free(r->copy_names[i]);
        if (r->copy_users)
            free(r->copy_users[i]);
    }
    free(r->copy_names);
    free(r->copy_users);
    free(r->names);
    free(r->versions);
    free(r->reasons);
    free(r->paths);
    free(r->pkg);
    free(r->dep_first);
    free(r->deps);
    free(r->explanation);
    for (size_t i = 0; i < r->n_clash; i++)
        free(r->clash[i]);
    free(r->clash);
    for (size_t i = 0; r->unavailable && i < r->n_unavailable; i++) {
        struct api_unavailable *x = &r->unavailable[i];
        for (size_t k = 0; k < x->n_vars; k++) {
            free(x->vars[k]);
            free(x->values[k]);
        }
        free(x->vars);
        free(x->values);
        free(x->package);
        free(x->formula);
    }
    free(r->unavailable);
    opam_fixes_free(&r->fixes);
    free(r->notes);
    free(r);
}

/* ---- test cases, sweeps, checks ------------------------------------------------------------ */

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
    if (project && ctx->cargo_ready && ctx->cargo_by_pins)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_dump_testcase: the fast path proved this refusal "
                            "without building the problem; turn it off (vsolve_set_fast_path) before the solve to "
                            "record the whole problem");
    vs_request req;
    request_init(&req);
    req.preference = api_request_preference(ctx);
    vs_solution s;
    solution_init(&s);
    int rc = VSOLVE_OK;
    if (!project) {
        rc = api_need_all(ctx);   /* the test case holds the whole cone */
        for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
            rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
        if (rc == VSOLVE_OK)
            rc = vs_solve(&ctx->universe, &req, &s);
    }
    if ((rc == VSOLVE_OK || rc == VSOLVE_UNSAT) && !project) {   /* the reasons of unavailable packages */
        int rc2 = universe_need_attrs(&ctx->universe, &ctx->err);
        if (rc2 != VSOLVE_OK)
            rc = rc2;
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

/* "needs A and B, which cannot be installed together [with it]": the clash the sweep found
 * among a package's dependencies, or the bare statement when it found none. */
static void sweep_conflict_text(const vs_universe *u, const sweep_result *r, uint32_t p, char *buf, size_t size)
{
    uint32_t first = r->clash_first[p], count = r->clash_count[p];
    int self = count && r->clash.items[first + count - 1] == VS_NONE;
    uint32_t deps = count - (uint32_t)self;
    if (deps == 0) {
        snprintf(buf, size, "its dependencies cannot be installed together");
        return;
    }
    size_t len = (size_t)snprintf(buf, size, "needs ");
    for (uint32_t k = 0; k < deps && len < size; k++) {
        const char *sep = k == 0 ? "" : k + 1 == deps ? " and " : ", ";
        const char *desc = universe_str(u, u->clauses.items[r->clash.items[first + k]].desc);
        len += (size_t)snprintf(buf + len, size - len, "%s%s", sep, desc);
    }
    if (len < size)
        snprintf(buf + len, size - len, ", which cannot be installed%s",
                 deps == 1 ? (self ? " with it" : "") : self ? " together with it" : " together");
}

int vsolve_sweep(vsolve_ctx *ctx, int threads, vsolve_progress_fn progress, void *user, vsolve_sweep_result **out)
{
    vs_error_clear(&ctx->err);
    if (!out)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_sweep: needs a result pointer");
    *out = NULL;
    if (!ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_sweep: load a repository first");
    int rc = api_need_all(ctx);
    if (rc != VSOLVE_OK)
        return rc;
    vsolve_sweep_result *s = calloc(1, sizeof *s);
    if (!s)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    s->u = &ctx->universe;
    rc = sweep_universe(&ctx->universe, threads, progress, user, &s->r);
    if (rc != VSOLVE_OK && s->r.failure[0]) {   /* no SAT solver */
        vs_error_set(&ctx->err, rc, "%s", s->r.failure);
        vsolve_sweep_free(s);
        return rc;
    }
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
        case SWEEP_CONFLICT: sweep_conflict_text(&ctx->universe, &s->r, (uint32_t)i, buf, sizeof buf); break;
        default: buf[0] = '\0';
        }
        if (!(s->reasons[i] = api_strdup(buf)))
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
    int rc = api_need_all(ctx);   /* any package may be named */
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


/* ---- duplicate versions ---- */

int api_add_copies(vsolve_result *r, const vs_universe *u, const vs_dup_result *dr)
{
    r->dup_names = dr->dup_names;
    r->extra_copies = dr->extra_copies;
    if (!dr->copies.len)
        return VSOLVE_OK;
    r->copy_names = calloc(r->count ? r->count : 1, sizeof *r->copy_names);
    r->copy_users = calloc(r->count ? r->count : 1, sizeof *r->copy_users);
    if (!r->copy_names || !r->copy_users)
        return VSOLVE_ENOMEM;
    for (size_t c = 0; c < dr->copies.len; c++) {
        const vs_dup_copy *cp = &dr->copies.items[c];
        size_t i = 0;
        while (i < r->count && r->pkg[i] != cp->pkg)
            i++;
        if (i == r->count)
            continue;
        const char *name = universe_pkg_name(u, cp->pkg), *version = universe_pkg_version(u, cp->pkg);
        if (cp->renamed) {
            size_t len = strlen(name) + strlen(version) + 3;
            char *n = malloc(len);
            if (!n)
                return VSOLVE_ENOMEM;
            dup_copy_name(name, version, n, len);
            r->copy_names[i] = n;
        }
        /* users, sorted: "request" and name.version */
        char **names = calloc(cp->users_count ? cp->users_count : 1, sizeof *names);
        size_t total = 1;
        if (!names)
            return VSOLVE_ENOMEM;
        int ok = 1;
        for (uint32_t j = 0; j < cp->users_count && ok; j++) {
            uint32_t by = dr->users.items[cp->users_first + j];
            size_t len = by == VS_NONE ? 8 : strlen(universe_pkg_name(u, by)) + strlen(universe_pkg_version(u, by)) + 2;
            names[j] = malloc(len);
            ok = names[j] != NULL;
            if (ok && by == VS_NONE)
                snprintf(names[j], len, "request");
            else if (ok)
                snprintf(names[j], len, "%s.%s", universe_pkg_name(u, by), universe_pkg_version(u, by));
            total += len;
        }
        for (uint32_t a = 0; ok && a < cp->users_count; a++)
            for (uint32_t b = a + 1; b < cp->users_count; b++)
                if (strcmp(names[a], names[b]) > 0) {
                    char *t = names[a];
                    names[a] = names[b];
                    names[b] = t;
                }
        char *joined = ok ? malloc(total) : NULL;
        if (joined) {
            size_t k = 0;
            for (uint32_t j = 0; j < cp->users_count; j++)
                k += (size_t)snprintf(joined + k, total - k, "%s%s", j ? " " : "", names[j]);
            joined[k] = '\0';
        }
        for (uint32_t j = 0; j < cp->users_count; j++)
            free(names[j]);
        free(names);
        if (!joined)
            return VSOLVE_ENOMEM;
        r->copy_users[i] = joined;
    }
    return VSOLVE_OK;
}

int vsolve_set_duplicates(vsolve_ctx *ctx, int mode)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (mode < VSOLVE_DUP_OFF || mode > VSOLVE_DUP_FAST)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_duplicates: mode %d is not a vsolve_dup_mode", mode);
    ctx->dup_mode = mode;
    return VSOLVE_OK;
}

int vsolve_add_single(vsolve_ctx *ctx, const char *name)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (!name)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_add_single: needs a name");
    char **p = realloc(ctx->single, (ctx->n_single + 1) * sizeof *p);
    if (!p)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    ctx->single = p;
    if (!(p[ctx->n_single] = api_strdup(name)))
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    ctx->n_single++;
    return VSOLVE_OK;
}

const char *vsolve_result_copy_name(const vsolve_result *r, size_t i)
{
    return r && r->copy_names && i < r->count ? r->copy_names[i] : NULL;
}
const char *vsolve_result_copy_users(const vsolve_result *r, size_t i)
{
    return r && r->copy_users && i < r->count ? r->copy_users[i] : NULL;
}
size_t vsolve_result_dup_names(const vsolve_result *r) { return r ? r->dup_names : 0; }
size_t vsolve_result_extra_copies(const vsolve_result *r) { return r ? r->extra_copies : 0; }
