/* main.c: the vsolve command line, a thin client of the vsolve.h library: parse the options
 * (cli/options.h), then run the subcommand (cli/commands.h, one cli/cmd_NAME.c each). */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int (*const run[CMD_COUNT])(cli *c) = {
#define CMD_RUN(name, word, usage, summary, description) cmd_##name,
    VSOLVE_COMMANDS(CMD_RUN)
#undef CMD_RUN
};

/* Bare `vsolve`: what it is and how to go on. */
static int say_what_to_do(cli *c)
{
    char names[256] = "";
    for (int k = 0; k < CMD_COUNT; k++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "", cli_command_name(k));
    return cli_usage(c, "a dependency solver for opam, cudf, cargo and npm; say what to do:\n"
                        "  vsolve --ecosystem opam|cudf|cargo|npm --repo PATH [options] COMMAND [arguments]\n"
                        "  (commands: %s)", names);
}

static int run_command(cli *c)
{
    if (c->opt.version) {
        printf("vsolve %s\n", vsolve_version());
        return VSOLVE_OK;
    }
    if (c->opt.help) {
        cli_print_help(stdout, c->command);
        return VSOLVE_OK;
    }
    if (c->command == CMD_NONE)
        return say_what_to_do(c);
    if (!(c->ctx = vsolve_new()))
        return cli_fail(c, VSOLVE_ENOMEM, "out of memory");
    int rc = cli_apply_env(c);
    if (rc == VSOLVE_OK && c->opt.preference)
        rc = vsolve_set_preference(c->ctx, !strcmp(c->opt.preference, "opam") ? VSOLVE_PREFER_OPAM_CRITERIA
                                                                             : VSOLVE_PREFER_NEWEST_FIRST);
    if (rc != VSOLVE_OK && rc != VSOLVE_EUSAGE)
        return cli_fail_ctx(c, rc);
    return rc == VSOLVE_OK ? run[c->command](c) : rc;
}

int main(int argc, char **argv)
{
    cli c = { .t_start = cli_seconds() };
    int rc = cli_parse(&c, argc, argv);
    if (rc == VSOLVE_OK)
        rc = run_command(&c);
    vsolve_free(c.ctx);
    cli_free(&c);
    return cli_exit_code(rc);
}
