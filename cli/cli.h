/* cli.h: what the command line's files share: the parsed options, the running command, and
 * the helpers that print results and errors (text, or JSON with --format json). */
#ifndef VSOLVE_CLI_H
#define VSOLVE_CLI_H
#include <stddef.h>
#include <stdio.h>
#include "commands.h"
#include "options.h"
#include "vsolve.h"

/* Command ids: CMD_solve, CMD_index, ... in table order. */
enum cli_command {
#define CLI_CMD_ID(name, word, usage, summary, description) CMD_##name,
    VSOLVE_COMMANDS(CLI_CMD_ID)
#undef CLI_CMD_ID
    CMD_COUNT,
    CMD_NONE = -1
};

/* Option scopes: bit masks of commands. */
#define ON_COMMAND(id) (1u << (id))
#define ON(name) ON_COMMAND(CMD_##name)
#define ALL (~0u)

typedef struct cli_list {
    const char **items;     /* pointers into argv */
    size_t n;
} cli_list;

/* The option values, one member per row of options.h. */
#define CLI_TYPE_FLAG int
#define CLI_TYPE_INT int
#define CLI_TYPE_STR const char *
#define CLI_TYPE_CHOICE const char *
#define CLI_TYPE_LIST cli_list
typedef struct cli_options {
#define CLI_OPT_FIELD(field, name, letter, kind, arg, def, min, max, scope, help) CLI_TYPE_##kind field;
    VSOLVE_OPTIONS(CLI_OPT_FIELD)
#undef CLI_OPT_FIELD
} cli_options;

typedef struct cli {
    cli_options opt;
    int command;            /* enum cli_command, CMD_NONE when none was named */
    const char **args;      /* the positional arguments after the command (argv pointers) */
    size_t n_args;
    int json;               /* --format json */
    double t_start;         /* when the program started (seconds(), for --verbose) */
    char **argv;            /* the program's arguments (pull hands them to vsolve-backends) */
    size_t warned;          /* the library's warnings printed so far */
    vsolve_ctx *ctx;
} cli;

/* Parses argv into c (c->ctx untouched). VSOLVE_OK, or VSOLVE_EUSAGE after reporting the first
 * problem (an unknown option, a missing or bad value, an option outside the command's scope).
 * Free with cli_free. */
int cli_parse(cli *c, int argc, char **argv);
void cli_free(cli *c);
const char *cli_command_name(int command);
/* The usage of vsolve (command CMD_NONE) or of one command, with its options, on out. */
void cli_print_help(FILE *out, int command);

/* Reports a failure: "vsolve: MESSAGE" on stderr, and with --format json also
 * {"error": MESSAGE, "exit": CODE} on stdout. Returns rc. */
int cli_fail(cli *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A usage error: cli_fail's message and then a line naming where help is (the command's help
 * when there is a command). Returns VSOLVE_EUSAGE. */
int cli_usage(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The process exit status of a VSOLVE_* status: 0 ok, 1 unsat, 2 bad input or usage, 3 other. */
int cli_exit_code(int rc);

/* The library context's last message as a failure (cli_fail with vsolve_errmsg). */
int cli_fail_ctx(cli *c, int rc);
/* Sets the --env variables on the context. */
int cli_apply_env(cli *c);
/* Loads the opam repository of --repo (through the cache unless --no-cache; refresh: rewrite
 * it), with --verbose timings. */
int cli_load_opam(cli *c, int refresh);
/* A usage error unless --ecosystem opam and --repo are given (index, sweep, check). */
int cli_need_opam_repo(cli *c);
/* The path given by --repo, else --index, else --registry (the same thing under the names
 * the ecosystems use). */
const char *cli_repo(const cli *c);

void cli_print_json_string(FILE *out, const char *s);
/* A result as NAME.VERSION lines, or with json the {"status", "packages"} object, with a
 * "warnings" array only when ctx has warnings. */
void cli_print_result(const vsolve_ctx *ctx, const vsolve_result *r, int rc, int json);
/* The library's warnings not printed yet, as "vsolve: warning: ..." lines on stderr. */
void cli_print_warnings(cli *c);
/* With duplicates (--duplicates), the copies on stderr: which version is renamed, who uses it. */
void cli_print_copies(const vsolve_result *r);
double cli_seconds(void);

/* The subcommands: int cmd_NAME(cli *c), returning a VSOLVE_* status. */
#define CLI_CMD_DECL(name, word, usage, summary, description) int cmd_##name(cli *c);
VSOLVE_COMMANDS(CLI_CMD_DECL)
#undef CLI_CMD_DECL

#endif
