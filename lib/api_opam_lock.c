/* api_opam_lock.c: vsolve_opam_lock: an opam project locked for a monorepo build, both lock files. */
#include "api_internal.h"
#include <stdlib.h>
#include <string.h>
#include "atomic_file.h"
#include "cache.h"
#include "lock.h"
#include "opam_locked.h"
#include "opam_monorepo.h"
#include "opam_project.h"

const char *vsolve_lock_opam_path(const vsolve_ctx *ctx) { return ctx ? ctx->lock_opam_path : ""; }
const char *vsolve_lock_json_path(const vsolve_ctx *ctx) { return ctx ? ctx->lock_json_path : ""; }
const char *vsolve_result_notes(const vsolve_result *r) { return r && r->notes ? r->notes : ""; }

void api_opam_lock_reset(vsolve_ctx *ctx)
{
    if (ctx->opam_lock) {
        lock_free(ctx->opam_lock);
        free(ctx->opam_lock);
        ctx->opam_lock = NULL;
    }
}

/* Is r the result of ctx's latest vsolve_opam_lock (whose lock ctx keeps)? */
static int latest_lock(const vsolve_ctx *ctx, const vsolve_result *r)
{
    return ctx->opam_lock && r && r->notes && r->ctx == ctx && r->gen == ctx->opam_lock_gen;
}

static int write_text(vsolve_ctx *ctx, FILE *out, char *text)
{
    if (!text)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    int rc = fputs(text, out) == EOF ? vs_error_set(&ctx->err, VSOLVE_EIO, "cannot write the lock") : VSOLVE_OK;
    free(text);
    return rc;
}

#define NOT_LATEST "the opam lock formats are written from the result of the latest vsolve_opam_lock of this context"

int api_opam_monorepo_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url)
{
    (void)source_url;
    if (!latest_lock(ctx, r))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, NOT_LATEST);
    return write_text(ctx, out, opam_locked_text(ctx->opam_lock));
}

int api_json_lock(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url)
{
    (void)source_url;
    if (!latest_lock(ctx, r))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, NOT_LATEST);
    char generator[64];
    snprintf(generator, sizeof generator, "vsolve %s", VSOLVE_VERSION_STRING);
    return write_text(ctx, out, lock_json_text(ctx->opam_lock, generator));
}

static const char *const mode_words[] = { "vendored", "provided", "root" };

/* The lock as a result: its packages as rows (sorted by name, then version, as the lock), each
 * with its mode as reason, its package id (VS_NONE for a root) and its depends as rows. */
static vsolve_result *lock_result(vsolve_ctx *ctx, const vs_lock *l, const opam_lock_outcome *o)
{
    vsolve_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = l->pkgs.len, n_deps = 0;
    for (size_t i = 0; i < n; i++)
        n_deps += l->pkgs.items[i].depends.len;
    r->ecosystem = VSOLVE_OPAM;
    r->status = o->status;
    r->ctx = ctx;
    r->gen = ctx->opam_lock_gen;
    r->names = calloc(n ? n : 1, sizeof *r->names);
    r->versions = calloc(n ? n : 1, sizeof *r->versions);
    r->reasons = calloc(n ? n : 1, sizeof *r->reasons);
    r->pkg = calloc(n ? n : 1, sizeof *r->pkg);
    r->dep_first = calloc(n + 1, sizeof *r->dep_first);
    r->deps = calloc(n_deps ? n_deps : 1, sizeof *r->deps);
    r->explanation = api_strdup(o->explanation ? o->explanation : "");
    r->notes = api_strdup(o->notes ? o->notes : "");
    if (!r->names || !r->versions || !r->reasons || !r->pkg || !r->dep_first || !r->deps || !r->explanation || !r->notes) {
        vsolve_result_free(r);
        return NULL;
    }
    const vs_universe *u = &ctx->universe;
    size_t k = 0;
    for (size_t i = 0; i < n; i++, r->count++) {
        const vs_lock_pkg *p = &l->pkgs.items[i];
        r->names[i] = api_strdup(p->name);
        r->versions[i] = api_strdup(p->version);
        r->reasons[i] = api_strdup(mode_words[p->mode]);
        r->pkg[i] = VS_NONE;
        uint32_t nm = p->mode == VS_LOCK_ROOT ? VS_NONE : universe_find_name(u, p->name), first = 0, count = 0;
        if (nm != VS_NONE)
            universe_name_pkgs(u, nm, &first, &count);
        for (uint32_t j = 0; j < count; j++)
            if (!strcmp(universe_pkg_version(u, first + j), p->version))
                r->pkg[i] = first + j;
        for (size_t d = 0; d < p->depends.len; d++)   /* the rows of its depends (names are unique) */
            for (size_t q = 0; q < n; q++)
                if (!strcmp(l->pkgs.items[q].name, p->depends.items[d])) {
                    r->deps[k++] = q;
                    break;
                }
        r->dep_first[i + 1] = k;
        if (!r->names[i] || !r->versions[i] || !r->reasons[i]) {
            r->count++;
            vsolve_result_free(r);
            return NULL;
        }
    }
    return r;
}

/* Writes both lock files: both temporary files first, then the renames. */
static int write_locks(vsolve_ctx *ctx, const char *opam_path, const char *json_path, const vs_lock *l)
{
    char generator[64];
    snprintf(generator, sizeof generator, "vsolve %s", VSOLVE_VERSION_STRING);
    char *opam_text = opam_locked_text(l), *json_text = lock_json_text(l, generator);
    vs_atomic_file a = { 0 }, b = { 0 };
    int rc = opam_text && json_text ? VSOLVE_OK : vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    if (rc == VSOLVE_OK)
        rc = atomic_file_open(&a, opam_path, &ctx->err);
    if (rc == VSOLVE_OK && (rc = atomic_file_open(&b, json_path, &ctx->err)) != VSOLVE_OK)
        atomic_file_abort(&a);
    if (rc == VSOLVE_OK && (fputs(opam_text, a.f) == EOF || fputs(json_text, b.f) == EOF)) {
        atomic_file_abort(&a);
        atomic_file_abort(&b);
        rc = vs_error_set(&ctx->err, VSOLVE_EIO, "%s: write error", opam_path);
    }
    if (rc == VSOLVE_OK && (rc = atomic_file_commit(&a, &ctx->err)) != VSOLVE_OK)
        atomic_file_abort(&b);
    if (rc == VSOLVE_OK)
        rc = atomic_file_commit(&b, &ctx->err);
    free(opam_text);
    free(json_text);
    return rc;
}

/* The repository's fingerprint as the lock records it: the source's and the variables'. */
static int fingerprint(vsolve_ctx *ctx, char *buf, size_t size)
{
    uint64_t src = 0, vars = cache_hash(CACHE_HASH_INIT, "opam", 4);
    int rc = cache_source_fingerprint(ctx->repo_path, &src, &ctx->err);
    if (rc != VSOLVE_OK)
        return rc;
    /* the variables in name order (few: a selection each round) */
    const char *last = "";
    for (size_t done = 0; done < ctx->vars.len; done++) {
        const opam_var *next = NULL;
        for (size_t i = 0; i < ctx->vars.len; i++)
            if (strcmp(ctx->vars.items[i].name, last) > 0 && (!next || strcmp(ctx->vars.items[i].name, next->name) < 0))
                next = &ctx->vars.items[i];
        if (!next)
            break;
        vars = cache_hash(vars, next->name, strlen(next->name) + 1);
        vars = cache_hash(vars, next->value, strlen(next->value) + 1);
        last = next->name;
    }
    snprintf(buf, size, "%016llx%016llx", (unsigned long long)src, (unsigned long long)vars);
    return VSOLVE_OK;
}

int vsolve_opam_lock(vsolve_ctx *ctx, const char *project, const vsolve_lock_options *opts, vsolve_result **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    ctx->lock_opam_path[0] = ctx->lock_json_path[0] = '\0';
    if (!out || !project || !opts)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_opam_lock: needs a project, options and a result pointer");
    if (!ctx->loaded || ctx->from_cudf || !ctx->repo_path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_opam_lock: load an opam repository first");
    char fp[40];
    int rc = fingerprint(ctx, fp, sizeof fp);
    if (rc != VSOLVE_OK)
        return rc;
    opam_project proj;
    rc = opam_project_read(&proj, project, &ctx->err);
    if (rc != VSOLVE_OK) {
        opam_project_free(&proj);
        return rc;
    }
    const char *dir = opts->out_dir ? opts->out_dir : proj.dir;
    if (snprintf(ctx->lock_opam_path, sizeof ctx->lock_opam_path, "%s/%s.opam.locked", dir, proj.name) >= (int)sizeof ctx->lock_opam_path ||
        snprintf(ctx->lock_json_path, sizeof ctx->lock_json_path, "%s/%s.lock.json", dir, proj.name) >= (int)sizeof ctx->lock_json_path) {
        opam_project_free(&proj);
        ctx->lock_opam_path[0] = ctx->lock_json_path[0] = '\0';
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: output path too long", dir);
    }
    ctx->opam_lock_gen++;   /* earlier lock results can no longer be written */
    api_opam_lock_reset(ctx);
    opam_lock_options o = { opts->provided, opts->n_provided, opts->provided_file, opts->auto_provide, opts->old_lock, fp,
                           ctx->dup_mode };
    vs_lock lock;
    lock_init(&lock);
    opam_lock_outcome outcome;
    rc = opam_monorepo_lock(&ctx->universe, &proj, &ctx->vars, &o, &lock, &outcome, &ctx->err);
    if (rc == VSOLVE_OK && outcome.status == VSOLVE_OK)
        rc = write_locks(ctx, ctx->lock_opam_path, ctx->lock_json_path, &lock);
    if (rc == VSOLVE_OK) {
        *out = lock_result(ctx, &lock, &outcome);
        if (!*out)
            rc = vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
        else if (outcome.status == VSOLVE_UNSAT)
            rc = vs_error_set(&ctx->err, VSOLVE_UNSAT, "%s", outcome.explanation ? outcome.explanation : "unsatisfiable");
    }
    if (rc != VSOLVE_OK || outcome.status != VSOLVE_OK)
        ctx->lock_opam_path[0] = ctx->lock_json_path[0] = '\0';
    api_opam_lock_reset(ctx);
    if (rc == VSOLVE_OK && (ctx->opam_lock = malloc(sizeof *ctx->opam_lock)) != NULL) {
        *ctx->opam_lock = lock;   /* kept for vsolve_write_lock */
        lock_init(&lock);
    }
    opam_lock_outcome_free(&outcome);
    lock_free(&lock);
    opam_project_free(&proj);
    return rc;
}
