/* cmd_help.c: `vsolve help [COMMAND]`: the usage of vsolve or of one command. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int cmd_help(cli *c)
{
    if (c->n_args > 1)
        return cli_usage(c, "help takes one command at most");
    if (!c->n_args) {
        cli_print_help(stdout, CMD_NONE);
        return VSOLVE_OK;
    }
    for (int k = 0; k < CMD_COUNT; k++)
        if (!strcmp(cli_command_name(k), c->args[0])) {
            cli_print_help(stdout, k);
            return VSOLVE_OK;
        }
    c->command = CMD_NONE;
    return cli_usage(c, "unknown command \"%s\"", c->args[0]);
}
