/* cmd_pull.c: `vsolve pull`: the command-line face of backends/pull (arguments, progress, summary). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmd_backends.h"
#include "pull.h"
#include "workspace.h"

static const char pull_usage[] =
    "usage: vsolve pull [--download-cache DIR]... [--jobs N] [--format text|json] LOCK [-o PROJECT_DIR]\n"
    "  LOCK: a <project>.lock.json or <project>.opam.locked. Fills PROJECT_DIR/duniverse/ (default:\n"
    "  the lock's directory) with one directory per source, verified against the lock's checksums.\n"
    "  --download-cache DIR  searched first, in order (opam's layout <md5|sha256|sha512>/<2 hex>/<hash>);\n"
    "                        then $OPAMROOT/download-cache if present, then vsolve's own cache, where\n"
    "                        fetched archives are stored\n"
    "  --offline             never fetch: a source missing from the caches is an error\n"
    "  --jobs N              sources obtained and unpacked in parallel (default 4)\n"
    "  --cross-toolchain T   also write PROJECT_DIR/dune-workspace with a host context and a cross\n"
    "                        context for findlib toolchain T (MirageOS 4's -t hvt uses solo5)\n";

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

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

int cmd_pull(int argc, char **argv)
{
    const char *lock_path = NULL, *out_dir = NULL, *toolchain = NULL, *dirs[66];
    char defaults[2][4096];
    size_t n_given = 0;
    int json = 0, jobs = 4, offline = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(pull_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--offline")) {
            offline = 1;
        } else if (val && !strcmp(a, "--download-cache") && n_given < 64) {
            dirs[n_given++] = val, i++;
        } else if (val && !strcmp(a, "--jobs") && atoi(val) >= 1 && atoi(val) <= 64) {
            jobs = atoi(val), i++;
        } else if (val && !strcmp(a, "--format") && (!strcmp(val, "json") || !strcmp(val, "text"))) {
            json = !strcmp(val, "json"), i++;
        } else if (val && !strcmp(a, "--cross-toolchain")) {
            toolchain = val, i++;
        } else if (val && !strcmp(a, "-o")) {
            out_dir = val, i++;
        } else if (a[0] != '-' && !lock_path) {
            lock_path = a;
        } else {
            fprintf(stderr, "vsolve pull: unexpected argument \"%s\"\n%s", a, pull_usage);
            return 2;
        }
    }
    if (!lock_path) {
        fprintf(stderr, "vsolve pull: no LOCK given\n%s", pull_usage);
        return 2;
    }
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
    o.caches.offline = offline;
    o.jobs = jobs;
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
    if (rc == VSOLVE_OK && toolchain)
        rc = bk_write_cross_workspace(out_dir, toolchain, &err);
    double secs = now() - t0;
    if (rc != VSOLVE_OK) {
        fprintf(stderr, "vsolve pull: %s\n", err.message);
        if (json) {
            fputs("{\"ok\": false, \"error\": ", stdout);
            json_str(stdout, err.message);
            fputs("}\n", stdout);
        }
    } else if (json) {
        printf("{\"ok\": true, \"duniverse\": ");
        char du[4200];
        snprintf(du, sizeof du, "%s/duniverse", out_dir);
        json_str(stdout, du);
        printf(", \"sources\": %zu, \"from_cache\": %zu, \"fetched\": %zu, \"archive_bytes\": %llu, "
               "\"seconds\": %.3f, \"dirs\": [",
               rep.n_sources, rep.n_cached, rep.n_fetched, rep.archive_bytes, secs);
        for (size_t i = 0; i < lock.n_sources; i++) {
            fputs(i ? ", " : "", stdout);
            json_str(stdout, lock.sources[i].dir);
        }
        printf("]}\n");
    } else {
        printf("pulled %zu sources into %s/duniverse (%zu from the download cache, %zu fetched, %llu bytes) in %.2f s\n",
               rep.n_sources, out_dir, rep.n_cached, rep.n_fetched, rep.archive_bytes, secs);
    }
    arena_free(&a);
    return rc == VSOLVE_OK ? 0 : rc == VSOLVE_EBADINPUT || rc == VSOLVE_EUSAGE ? 2 : 3;
}
