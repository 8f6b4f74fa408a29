/* api_preload.c: vsolve_preload_solver: a thread of the context opens CryptoMiniSat while the
 * caller reads its input, so that the first solve finds it loaded. */
#include "api_internal.h"
#include <signal.h>
#include "sat.h"

/* The thread: one dlopen (sat.h); its handle is the thread's return value, which
 * api_preload_join takes. It shares nothing else with the context. */
static void *preload_main(void *unused)
{
    (void)unused;
    return sat_preload();
}

/* Starts the thread, once per context. No thread (pthread_create failed): nothing happens, the
 * first solve opens the library itself as without a preload. */
static void preload_start(vsolve_ctx *ctx)
{
    if (ctx->preloading)
        return;
    /* the thread starts with every signal blocked: the program's signals go to its own threads */
    sigset_t all, old;
    sigfillset(&all);
    int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    ctx->preloading = pthread_create(&ctx->preload, NULL, preload_main, NULL) == 0;
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int vsolve_preload_solver(vsolve_ctx *ctx, int when)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    if (when != VSOLVE_PRELOAD_OFF && when != VSOLVE_PRELOAD_NOW && when != VSOLVE_PRELOAD_LIKELY)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_preload_solver: unknown mode %d", when);
    ctx->preload_when = when;
    if (when == VSOLVE_PRELOAD_NOW)
        preload_start(ctx);
    return VSOLVE_OK;
}

void api_preload_likely(vsolve_ctx *ctx)
{
    if (ctx->preload_when == VSOLVE_PRELOAD_LIKELY)
        preload_start(ctx);
}

void api_preload_join(vsolve_ctx *ctx)
{
    if (!ctx->preloading)
        return;
    void *handle = NULL;
    if (pthread_join(ctx->preload, &handle) == 0)
        sat_preload_release(handle);
    ctx->preloading = 0;
}
