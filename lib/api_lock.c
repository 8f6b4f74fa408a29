/* api_lock.c: project solves (cargo, npm) behind one options struct, and lock writing: one
 * table row per lock format, three destinations (a file written atomically, a buffer, a
 * callback). */
#include "api_internal.h"
#include <stdlib.h>
#include <string.h>
#include "atomic_file.h"

void vsolve_project_options_init(vsolve_project_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

int vsolve_solve_project(vsolve_ctx *ctx, int ecosystem, const vsolve_project_options *o, vsolve_result **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (!o || o->size != sizeof *o || !o->registry || !o->manifest || !out || (!o->features && o->n_features) ||
        (!o->cargo_git_checkouts && o->n_cargo_git_checkouts))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE,
                            "vsolve_solve_project: needs options (from vsolve_project_options_init) with a registry and a "
                            "manifest, and a result pointer");
    if (ecosystem != VSOLVE_CARGO && ecosystem != VSOLVE_NPM)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve_project: projects are cargo or npm ones, not %d",
                            ecosystem);
    ctx->project_gen++;   /* earlier project results stop borrowing */
    free(ctx->source_url);
    ctx->source_url = NULL;
    if (o->source_url && !(ctx->source_url = api_strdup(o->source_url)))
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    return ecosystem == VSOLVE_CARGO ? api_cargo_solve(ctx, o, out) : api_npm_solve(ctx, o, out);
}

/* ---- the lock table ---------------------------------------------------------------------- */

/* A lock format: write() gets the result (NULL from the 0.1 calls, which write the context's
 * last project solution) and the registry URL to write (NULL: the one the solve recorded). */
typedef struct lock_format {
    int format;                      /* enum vsolve_lock_format */
    int ecosystem;                   /* the results it serves; 0: any ecosystem's */
    const char *name;
    int (*write)(vsolve_ctx *ctx, const vsolve_result *r, FILE *out, const char *source_url);
} lock_format;

static const lock_format lock_formats[] = {
    { VSOLVE_LOCK_CARGO, VSOLVE_CARGO, "Cargo.lock", api_cargo_lock },
    { VSOLVE_LOCK_NPM, VSOLVE_NPM, "package-lock.json", api_npm_lock },
    { VSOLVE_LOCK_OPAM_MONOREPO, VSOLVE_OPAM, ".opam.locked", api_opam_monorepo_lock },
    { VSOLVE_LOCK_JSON, VSOLVE_OPAM, "JSON lock", api_json_lock },
};

static const lock_format *find_format(int format)
{
    for (size_t i = 0; i < sizeof lock_formats / sizeof lock_formats[0]; i++)
        if (lock_formats[i].format == format)
            return &lock_formats[i];
    return NULL;
}

/* The lock of the last project solve in `format`, into a malloc'd buffer. */
static int render(vsolve_ctx *ctx, const vsolve_result *r, const lock_format *lf, const char *source_url, char **buf,
                  size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *mem = open_memstream(buf, len);
    if (!mem)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    int rc = lf->write(ctx, r, mem, source_url);
    if (fclose(mem) != 0 && rc == VSOLVE_OK)
        rc = vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory writing the %s", lf->name);
    if (rc != VSOLVE_OK) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return rc;
}

static int to_file(vsolve_ctx *ctx, const lock_format *lf, const char *path, const char *buf, size_t len)
{
    if (!strcmp(path, "-")) {
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
            return vs_error_set(&ctx->err, VSOLVE_EIO, "stdout: cannot write the %s", lf->name);
        return VSOLVE_OK;
    }
    return atomic_file_write(path, buf, len, &ctx->err);
}

int api_write_last_lock(vsolve_ctx *ctx, int format, const char *path, const char *source_url)
{
    const lock_format *lf = find_format(format);
    if (!lf)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "no lock format %d", format);
    char *buf;
    size_t len;
    int rc = render(ctx, NULL, lf, source_url, &buf, &len);
    if (rc == VSOLVE_OK)
        rc = to_file(ctx, lf, path, buf, len);
    free(buf);
    return rc;
}

/* Checks that r is a solution of ctx that `format` serves; its row. */
static const lock_format *check_result(vsolve_ctx *ctx, const vsolve_result *r, int format, const char *verb)
{
    const lock_format *lf = find_format(format);
    if (!lf) {
        vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: no lock format %d", verb, format);
        return NULL;
    }
    if (!r || r->ctx != ctx || (lf->ecosystem && r->ecosystem != lf->ecosystem) || !api_result_universe(r)) {
        vs_error_set(&ctx->err, VSOLVE_EUSAGE, "%s: a %s is written from the latest %s solution of this context", verb,
                     lf->name, lf->ecosystem == VSOLVE_CARGO ? "cargo" : lf->ecosystem == VSOLVE_NPM ? "npm" : "vsolve_opam_lock");
        return NULL;
    }
    return lf;
}

int vsolve_write_lock(vsolve_ctx *ctx, const vsolve_result *r, int format, const char *path)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    const lock_format *lf = check_result(ctx, r, format, "vsolve_write_lock");
    if (!lf)
        return VSOLVE_EUSAGE;
    if (!path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_write_lock: needs a path");
    char *buf;
    size_t len;
    int rc = render(ctx, r, lf, ctx->source_url, &buf, &len);
    if (rc == VSOLVE_OK)
        rc = to_file(ctx, lf, path, buf, len);
    free(buf);
    return rc;
}

int vsolve_write_lock_buffer(vsolve_ctx *ctx, const vsolve_result *r, int format, char **buf, size_t *len)
{
    if (buf)
        *buf = NULL;
    if (len)
        *len = 0;
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    const lock_format *lf = check_result(ctx, r, format, "vsolve_write_lock_buffer");
    if (!lf)
        return VSOLVE_EUSAGE;
    if (!buf || !len)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_write_lock_buffer: needs buf and len");
    return render(ctx, r, lf, ctx->source_url, buf, len);
}

int vsolve_write_lock_fn(vsolve_ctx *ctx, const vsolve_result *r, int format, vsolve_write_fn write, void *user)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    const lock_format *lf = check_result(ctx, r, format, "vsolve_write_lock_fn");
    if (!lf)
        return VSOLVE_EUSAGE;
    if (!write)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_write_lock_fn: needs a write function");
    char *buf;
    size_t len;
    int rc = render(ctx, r, lf, ctx->source_url, &buf, &len);
    if (rc == VSOLVE_OK && write(user, buf, len) != 0)
        rc = vs_error_set(&ctx->err, VSOLVE_EIO, "vsolve_write_lock_fn: the write function failed");
    free(buf);
    return rc;
}
