/* cmd_lock.c: the `lock` command: options, the library's lock verb, what it prints. */
#include "cmd_lock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_lock_usage[] =
    "       vsolve --ecosystem opam --repo PATH [--env VAR=VALUE]... lock [--provided NAME[=VERSION]]...\n"
    "              [--provided-file FILE] [--auto-provide] [--duplicates[=fast]] [--lock OLD.opam.locked] [-o DIR] PROJECT\n";

int cmd_lock(vsolve_ctx *ctx, const char *repo, int use_cache, const char *cache, int verbose, int argc, char **argv)
{
    vsolve_lock_options o;
    memset(&o, 0, sizeof o);
    const char *project = NULL;
    const char **provided = calloc((size_t)argc + 1, sizeof *provided);
    if (!provided) {
        fprintf(stderr, "vsolve: out of memory\n");
        return VSOLVE_ENOMEM;
    }
    int rc = VSOLVE_OK;
    for (int i = 0; i < argc && rc == VSOLVE_OK; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "--provided") || !strcmp(a, "--provided-file") || !strcmp(a, "--lock") || !strcmp(a, "-o");
        if (takes && !val) {
            fprintf(stderr, "vsolve: lock: %s needs a value\n", a);
            rc = VSOLVE_EUSAGE;
        } else if (!strcmp(a, "--provided")) {
            provided[o.n_provided++] = val, i++;
        } else if (!strcmp(a, "--provided-file")) {
            o.provided_file = val, i++;
        } else if (!strcmp(a, "--lock")) {
            o.old_lock = val, i++;
        } else if (!strcmp(a, "-o")) {
            o.out_dir = val, i++;
        } else if (!strcmp(a, "--auto-provide")) {
            o.auto_provide = 1;
        } else if (!strcmp(a, "--duplicates") || !strcmp(a, "--duplicates=fast")) {
            rc = vsolve_set_duplicates(ctx, strcmp(a, "--duplicates") ? VSOLVE_DUP_FAST : VSOLVE_DUP_MIN);
        } else if (a[0] == '-' || project) {
            fprintf(stderr, "vsolve: lock: unexpected argument \"%s\"\nusage:\n%s", a, cmd_lock_usage);
            rc = VSOLVE_EUSAGE;
        } else {
            project = a;
        }
    }
    if (rc == VSOLVE_OK && (!project || !repo)) {
        fprintf(stderr, "vsolve: lock needs --repo PATH and a PROJECT (a directory of *.opam files or one .opam file)\nusage:\n%s",
                cmd_lock_usage);
        rc = VSOLVE_EUSAGE;
    }
    o.provided = provided;
    if (rc == VSOLVE_OK && use_cache)
        rc = vsolve_set_cache(ctx, cache, VSOLVE_CACHE_USE);
    if (rc == VSOLVE_OK)
        rc = vsolve_load_opam(ctx, repo);
    vsolve_result *r = NULL;
    if (rc == VSOLVE_OK)
        rc = vsolve_opam_lock(ctx, project, &o, &r);
    if (verbose && vsolve_cache_status(ctx)[0])
        fprintf(stderr, "vsolve: cache: %s\n", vsolve_cache_status(ctx));
    if (rc == VSOLVE_OK) {
        size_t counts[3] = { 0, 0, 0 };
        static const char *const modes[] = { "vendored", "provided", "root" };
        for (size_t i = 0; i < vsolve_result_count(r); i++)
            for (int m = 0; m < 3; m++)
                counts[m] += !strcmp(vsolve_result_reason(r, i), modes[m]);
        fputs(vsolve_result_notes(r), stdout);
        printf("wrote %s and %s: %zu vendored, %zu provided, %zu root%s\n", vsolve_lock_opam_path(ctx),
               vsolve_lock_json_path(ctx), counts[0], counts[1], counts[2], counts[2] == 1 ? "" : "s");
    } else if (rc == VSOLVE_UNSAT) {
        fprintf(stderr, "vsolve: %s", vsolve_result_explanation(r));
    } else if (rc != VSOLVE_EUSAGE || vsolve_errmsg(ctx)[0]) {
        fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
    }
    vsolve_result_free(r);
    free(provided);
    return rc;
}
