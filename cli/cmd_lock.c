/* cmd_lock.c: `vsolve lock`: an opam project's roots locked for a monorepo build (the library's
 * vsolve_opam_lock), and what it wrote. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int cmd_lock(cli *c)
{
    int rc = cli_need_opam_repo(c);
    if (rc != VSOLVE_OK)
        return rc;
    if (c->n_args != 1)
        return cli_usage(c, "lock takes one PROJECT (a directory of *.opam files, or one .opam file)");
    vsolve_lock_options o;
    memset(&o, 0, sizeof o);
    o.provided = c->opt.provided.items;
    o.n_provided = c->opt.provided.n;
    o.provided_file = c->opt.provided_file;
    o.auto_provide = c->opt.auto_provide;
    o.old_lock = c->opt.lock;
    o.out_dir = c->opt.output;
    if ((rc = cli_load_opam(c, 0)) != VSOLVE_OK)
        return rc;
    vsolve_result *r = NULL;
    rc = vsolve_opam_lock(c->ctx, c->args[0], &o, &r);
    if (rc == VSOLVE_OK) {
        size_t counts[3] = { 0, 0, 0 };
        static const char *const modes[] = { "vendored", "provided", "root" };
        for (size_t i = 0; i < vsolve_result_count(r); i++)
            for (int m = 0; m < 3; m++)
                counts[m] += !strcmp(vsolve_result_reason(r, i), modes[m]);
        if (c->json) {
            printf("{\n  \"status\": \"locked\",\n  \"opam-locked\": ");
            cli_print_json_string(stdout, vsolve_lock_opam_path(c->ctx));
            printf(",\n  \"lock-json\": ");
            cli_print_json_string(stdout, vsolve_lock_json_path(c->ctx));
            printf(",\n  \"vendored\": %zu,\n  \"provided\": %zu,\n  \"roots\": %zu,\n  \"notes\": ", counts[0],
                   counts[1], counts[2]);
            cli_print_json_string(stdout, vsolve_result_notes(r));
            printf("\n}\n");
        } else {
            fputs(vsolve_result_notes(r), stdout);
            printf("wrote %s and %s: %zu vendored, %zu provided, %zu root%s\n", vsolve_lock_opam_path(c->ctx),
                   vsolve_lock_json_path(c->ctx), counts[0], counts[1], counts[2], counts[2] == 1 ? "" : "s");
        }
    } else if (rc == VSOLVE_UNSAT) {
        if (c->json)
            cli_print_result(c->ctx, r, rc, 1);
        else
            fprintf(stderr, "vsolve: %s", vsolve_result_explanation(r));
    } else {
        cli_fail_ctx(c, rc);
    }
    vsolve_result_free(r);
    return rc;
}
