/* cmd_index.c: `vsolve index`: parse an opam repository and write its universe cache. */
#include <stdio.h>
#include "cli.h"

int cmd_index(cli *c)
{
    int rc = cli_need_opam_repo(c);
    if (rc != VSOLVE_OK)
        return rc;
    if (c->n_args)
        return cli_usage(c, "index takes no atoms");
    if (c->opt.no_cache)
        return cli_usage(c, "index writes the cache; it cannot be combined with --no-cache");
    if ((rc = cli_load_opam(c, 1)) != VSOLVE_OK)
        return rc;
    if (!c->json) {
        printf("%s\n", vsolve_cache_status(c->ctx));
        return VSOLVE_OK;
    }
    printf("{\n  \"cache\": ");
    cli_print_json_string(stdout, vsolve_cache_status(c->ctx));
    printf("\n}\n");
    return VSOLVE_OK;
}
