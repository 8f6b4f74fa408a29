/* cmd_index.c: `vsolve index`: parse an opam repository and write its universe cache, or a crates
 * index or an npm packument directory and write its registry image. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* cargo: the registry image of --index; npm: of --registry (vsolve_index_registry). */
static int index_registry(cli *c, int npm)
{
    const char *registry = npm ? c->opt.registry : c->opt.index;
    if (!registry || c->n_args)
        return cli_usage(c, npm ? "npm: index needs --registry DIR (a packument directory) and no atoms"
                                : "cargo: index needs --index PATH (a crates index) and no atoms");
    if (c->opt.no_cache)
        return cli_usage(c, "index writes the cache; it cannot be combined with --no-cache");
    int rc = vsolve_set_cache(c->ctx, c->opt.cache, VSOLVE_CACHE_REFRESH);
    if (rc == VSOLVE_OK)
        rc = vsolve_index_registry(c->ctx, npm ? VSOLVE_NPM : VSOLVE_CARGO, registry);
    if (rc != VSOLVE_OK)
        return cli_fail_ctx(c, rc);
    if (!c->json) {
        printf("%s\n", vsolve_cache_status(c->ctx));
        return VSOLVE_OK;
    }
    printf("{\n  \"cache\": ");
    cli_print_json_string(stdout, vsolve_cache_status(c->ctx));
    printf("\n}\n");
    return VSOLVE_OK;
}

int cmd_index(cli *c)
{
    if (c->opt.ecosystem && (!strcmp(c->opt.ecosystem, "cargo") || !strcmp(c->opt.ecosystem, "npm")))
        return index_registry(c, !strcmp(c->opt.ecosystem, "npm"));
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
