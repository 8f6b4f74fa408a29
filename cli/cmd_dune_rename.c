/* cmd_dune_rename.c: `vsolve dune-rename`: the renaming step pull runs for each extra copy of a
 * --duplicates lock (backends/dune_rename), on its own for scripts and tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "dune_rename.h"

int cmd_dune_rename(cli *c)
{
    vs_error err;
    vs_error_clear(&err);
    char *report = NULL;
    int rc;
    if (c->opt.lock) {   /* every copy a lock names, in a pulled project */
        if (c->n_args || c->opt.copy_version || c->opt.dependent.n)
            return cli_usage(c, "dune-rename --lock takes no COPY_DIR, --copy-version or --dependent");
        const char *project = c->opt.output ? c->opt.output : ".";
        size_t n = strlen(project) + sizeof "/duniverse";
        char *duniverse = malloc(n);
        if (!duniverse)
            return cli_fail(c, VSOLVE_ENOMEM, "out of memory");
        snprintf(duniverse, n, "%s/duniverse", project);
        rc = dune_rename_lock(c->opt.lock, duniverse, project, &report, &err);
        free(duniverse);
    } else {
        if (c->n_args != 1 || !c->opt.copy_version)
            return cli_usage(c, "dune-rename needs --copy-version VERSION and one COPY_DIR (or --lock LOCK.json)");
        dune_copy copy = { c->args[0], c->opt.copy_version, c->opt.dependent.items, c->opt.dependent.n, getenv("CC"),
                           NULL };
        rc = dune_rename_copy(&copy, &report, &err);
    }
    if (rc != VSOLVE_OK)
        return cli_fail(c, rc, "%s", err.message);
    fputs(report, stdout);
    free(report);
    return VSOLVE_OK;
}
