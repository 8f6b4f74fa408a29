/* api_cudf.c: the public API for CUDF documents: loading one (vsolve_solve then solves its request). */
#include "api_internal.h"
#include "cudf.h"

int vsolve_load_cudf(vsolve_ctx *ctx, const char *path)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (!path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_cudf: needs a path");
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_cudf: a context holds one repository; it is loaded already");
    int rc = cudf_load_ex(&ctx->universe, &ctx->cudf_request, path, ctx->max_inflate, NULL, NULL, &ctx->err);
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

