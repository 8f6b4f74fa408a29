/* cmd_pull.c: `vsolve pull`: the command-line face of backends/pull (arguments, progress, summary). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "pull.h"
#include "workspace.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(void *user, bk_phase phase, size_t done, size_t total, const bk_source *s, int fetched)
{
    (void)user;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s%s", done, total, phase == BK_OBTAINED ? "verified" : "unpacked", s->dir,
            phase == BK_OBTAINED && fetched ? " (fetched)" : "");
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

int cmd_pull(cli *c)
{
    if (c->n_args != 1)
        return cli_usage(c, c->n_args ? "pull takes one LOCK" : "pull needs a LOCK (a .lock.json or .opam.locked)");
    if (c->opt.download_cache.n > 64)
        return cli_usage(c, "at most 64 --download-cache directories");
    const char *lock_path = c->args[0], *out_dir = c->opt.output, *dirs[66];
    char defaults[2][4096];
    size_t n_given = c->opt.download_cache.n;
    for (size_t i = 0; i < n_given; i++)
        dirs[i] = c->opt.download_cache.items[i];
    int json = c->json;
    char lock_dir[4096];
    if (!out_dir) {
        snprintf(lock_dir, sizeof lock_dir, "%s", lock_path);
        char *slash = strrchr(lock_dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(lock_dir, sizeof lock_dir, ".");
        out_dir = lock_dir;
    }
    bk_pull_opts o;
    memset(&o, 0, sizeof o);
    bk_caches defs;
    bk_default_caches(&defs, dirs + n_given, defaults);
    o.caches.dirs = dirs;
    o.caches.n_dirs = n_given + defs.n_dirs;
    o.caches.store = defs.store;
    o.caches.offline = c->opt.offline;
    o.jobs = c->opt.jobs;
    o.limits.max_bytes = BK_DEFAULT_MAX_BYTES;
    o.limits.max_entries = BK_DEFAULT_MAX_ENTRIES;
    if (!json && isatty(2))
        o.progress = progress;

    double t0 = now();
    arena a;
    arena_init(&a);
    bk_lock lock;
    bk_pull_report rep;
    vs_error err;
    vs_error_clear(&err);
    int rc = bk_lock_read(&a, lock_path, &lock, &err);
    if (rc == VSOLVE_OK) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = bk_pull(&lock, out_dir, &o, &rep, &err);
        curl_global_cleanup();
    }
    if (rc == VSOLVE_OK && c->opt.cross_toolchain)
        rc = bk_write_cross_workspace(out_dir, c->opt.cross_toolchain, &err);
    double secs = now() - t0;
    if (rc != VSOLVE_OK) {
        cli_fail(c, rc, "%s", err.message);
    } else if (json) {
        printf("{\"ok\": true, \"duniverse\": ");
        char du[4200];
        snprintf(du, sizeof du, "%s/duniverse", out_dir);
        cli_print_json_string(stdout, du);
        printf(", \"sources\": %zu, \"from_cache\": %zu, \"fetched\": %zu, \"archive_bytes\": %llu, "
               "\"seconds\": %.3f, \"dirs\": [",
               rep.n_sources, rep.n_cached, rep.n_fetched, rep.archive_bytes, secs);
        for (size_t i = 0; i < lock.n_sources; i++) {
            fputs(i ? ", " : "", stdout);
            cli_print_json_string(stdout, lock.sources[i].dir);
        }
        printf("]}\n");
    } else {
        printf("pulled %zu sources into %s/duniverse (%zu from the download cache, %zu fetched, %llu bytes) in %.2f s\n",
               rep.n_sources, out_dir, rep.n_cached, rep.n_fetched, rep.archive_bytes, secs);
    }
    arena_free(&a);
    return rc;
}
