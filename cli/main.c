/* main.c: the vsolve command line, a thin client of the vsolve.h library: parse the options
 * (cli/options.h), then run the subcommand (cli/commands.h, one cli/cmd_NAME.c each). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Text BYTES with an optional K, M or G, more than 0, as a number of bytes; 0 when it is not. */
static unsigned long long byte_count(const char *text)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    unsigned long long unit = *end == 'K' ? 1ULL << 10 : *end == 'M' ? 1ULL << 20 : *end == 'G' ? 1ULL << 30 : 1;
    int ok = !errno && end != text && text[0] >= '0' && text[0] <= '9' && n > 0 &&
             (!*end || (unit > 1 && !end[1] && n <= (1ULL << 33)));
    return ok ? n * unit : 0;
}

/* --timeout, --strict, --no-fast-path, --max-inflate on the context. The inflate limit falls back to
 * VSOLVE_MAX_INFLATE from the environment (a malformed value there: the library's default). */
static int apply_limits(cli *c)
{
    int rc = VSOLVE_OK;
    if (c->opt.timeout) {   /* seconds per solve; exit 3 past it */
        char *end;
        double t = strtod(c->opt.timeout, &end);
        if (end == c->opt.timeout || *end || !(t > 0) || t > 1e9)
            return cli_usage(c, "--timeout takes a number of seconds greater than 0, not \"%s\"", c->opt.timeout);
        rc = vsolve_set_timeout(c->ctx, t);
    }
    if (rc == VSOLVE_OK && c->opt.strict)   /* a malformed opam file refuses the repository */
        rc = vsolve_set_strict(c->ctx, 1);
    if (rc == VSOLVE_OK && (c->opt.no_fast_path || c->opt.dump_testcase))   /* a test case records the whole problem */
        rc = vsolve_set_fast_path(c->ctx, 0);
    if (rc == VSOLVE_OK && c->opt.max_inflate) {
        unsigned long long bytes = byte_count(c->opt.max_inflate);
        if (!bytes)
            return cli_usage(c, "--max-inflate takes a number of bytes greater than 0 (with K, M or G), not \"%s\"",
                             c->opt.max_inflate);
        rc = vsolve_set_max_inflate(c->ctx, bytes);
    } else if (rc == VSOLVE_OK && getenv("VSOLVE_MAX_INFLATE")) {
        rc = vsolve_set_max_inflate(c->ctx, byte_count(getenv("VSOLVE_MAX_INFLATE")));
    }
    return rc;
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
    if (rc == VSOLVE_OK && c->opt.installed && c->opt.ecosystem && strcmp(c->opt.ecosystem, "opam"))
        rc = cli_usage(c, "--installed does not apply to --ecosystem %s", c->opt.ecosystem);
    else if (rc == VSOLVE_OK && c->opt.installed && c->opt.dump_testcase)   /* opam-form cases have no keep */
        rc = cli_usage(c, "--dump-testcase does not record --installed packages");
    else if (rc == VSOLVE_OK && c->opt.installed)
        rc = vsolve_set_installed(c->ctx, c->opt.installed);
    if (rc == VSOLVE_OK && c->opt.duplicates)
        rc = vsolve_set_duplicates(c->ctx, c->opt.duplicates == 2 ? VSOLVE_DUP_FAST : VSOLVE_DUP_MIN);
    for (size_t i = 0; rc == VSOLVE_OK && i < c->opt.single.n; i++)
        rc = vsolve_add_single(c->ctx, c->opt.single.items[i]);
    if (rc == VSOLVE_OK)
        rc = apply_limits(c);
    if (rc != VSOLVE_OK && rc != VSOLVE_EUSAGE)
        return cli_fail_ctx(c, rc);
    return rc == VSOLVE_OK ? run[c->command](c) : rc;
}

int main(int argc, char **argv)
{
    cli c = { .t_start = cli_seconds(), .argv = argv };
    int rc = cli_parse(&c, argc, argv);
    if (rc == VSOLVE_OK)
        rc = run_command(&c);
    vsolve_free(c.ctx);
    cli_free(&c);
    return cli_exit_code(rc);
}
