/* options.c: the command-line parser and `--help`, both generated from options.h and commands.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

enum opt_kind { KIND_FLAG, KIND_INT, KIND_STR, KIND_CHOICE, KIND_LIST };

typedef struct opt_desc {
    const char *name;
    char short_name;
    int kind;
    const char *arg;
    long int_default;
    const char *str_default;
    long min, max;
    unsigned scope;
    const char *help;
} opt_desc;

enum opt_id {
#define OPT_ID(field, name, letter, kind, arg, def, min, max, scope, help) OPT_##field,
    VSOLVE_OPTIONS(OPT_ID)
#undef OPT_ID
    OPT_COUNT
};

/* The default of each kind, as an int and as a string. */
#define INT_DEFAULT_FLAG(d) (d)
#define INT_DEFAULT_INT(d) (d)
#define INT_DEFAULT_STR(d) 0
#define INT_DEFAULT_CHOICE(d) 0
#define INT_DEFAULT_LIST(d) 0
#define STR_DEFAULT_FLAG(d) NULL
#define STR_DEFAULT_INT(d) NULL
#define STR_DEFAULT_STR(d) (d)
#define STR_DEFAULT_CHOICE(d) (d)
#define STR_DEFAULT_LIST(d) NULL

static const opt_desc options[OPT_COUNT] = {
#define OPT_DESC(field, name, letter, kind, arg, def, min, max, scope, help) \
    { name, letter, KIND_##kind, arg, INT_DEFAULT_##kind(def), STR_DEFAULT_##kind(def), min, max, scope, help },
    VSOLVE_OPTIONS(OPT_DESC)
#undef OPT_DESC
};

static const struct {
    const char *name, *usage, *summary, *description;
} commands[CMD_COUNT] = {
#define CMD_DESC(name, word, usage, summary, description) { word, usage, summary, description },
    VSOLVE_COMMANDS(CMD_DESC)
#undef CMD_DESC
};

const char *cli_command_name(int command)
{
    return command >= 0 && command < CMD_COUNT ? commands[command].name : "";
}

/* ---- parsing ------------------------------------------------------------------------------- */

typedef struct parse_state {
    cli *c;
    char error[512];        /* the first problem, "" while none */
    int error_names_option; /* it is about an option: point at `vsolve --help` */
} parse_state;

static void problem(parse_state *ps, int about_option, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(parse_state *ps, int about_option, const char *fmt, ...)
{
    if (ps->error[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->error, sizeof ps->error, fmt, ap);
    va_end(ap);
    ps->error_names_option = about_option;
}

static void set_FLAG(parse_state *ps, const opt_desc *d, const char *value, int *field)
{
    /* ARG "[=WORD]": --name=WORD is the flag's second form */
    size_t n = strlen(d->arg);
    if (value && n > 3 && !strncmp(d->arg, "[=", 2) && strlen(value) == n - 3 && !strncmp(d->arg + 2, value, n - 3))
        *field = 2;
    else if (value)
        problem(ps, 1, "--%s takes no value", d->name);
    else
        *field = 1;
}

static void set_INT(parse_state *ps, const opt_desc *d, const char *value, int *field)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!value[0] || *end || errno || v < d->min || v > d->max)
        problem(ps, 1, "--%s takes a number from %ld to %ld", d->name, d->min, d->max);
    else
        *field = (int)v;
}

static void set_STR(parse_state *ps, const opt_desc *d, const char *value, const char **field)
{
    (void)ps, (void)d;
    *field = value;
}

static void set_CHOICE(parse_state *ps, const opt_desc *d, const char *value, const char **field)
{
    size_t n = strlen(value);
    for (const char *w = d->arg; *w;) {
        size_t len = strcspn(w, "|");
        if (len == n && !strncmp(w, value, n)) {
            *field = value;
            return;
        }
        w += len + (w[len] == '|');
    }
    char choices[256] = "";
    size_t used = 0;
    for (const char *w = d->arg; *w && used < sizeof choices;) {
        size_t len = strcspn(w, "|");
        int last = !w[len], first = w == d->arg;
        used += (size_t)snprintf(choices + used, sizeof choices - used, "%s%.*s", first ? "" : last ? " or " : ", ",
                                 (int)len, w);
        w += len + !last;
    }
    problem(ps, 1, "--%s %s is not supported; use %s", d->name, value, choices);
}

static void set_LIST(parse_state *ps, const opt_desc *d, const char *value, cli_list *field)
{
    const char **items = realloc(field->items, (field->n + 1) * sizeof *items);
    if (!items) {
        problem(ps, 0, "out of memory");
        return;
    }
    items[field->n++] = value;
    field->items = items;
    (void)d;
}

static void set_option(parse_state *ps, int id, const char *value)
{
    cli_options *o = &ps->c->opt;
    switch (id) {
#define OPT_SET(field, name, letter, kind, arg, def, min, max, scope, help) \
    case OPT_##field: set_##kind(ps, &options[id], value, &o->field); break;
        VSOLVE_OPTIONS(OPT_SET)
#undef OPT_SET
    default: break;
    }
}

static void set_defaults(cli_options *o)
{
#define OPT_DEFAULT_FLAG(f, d) o->f = (d);
#define OPT_DEFAULT_INT(f, d) o->f = (d);
#define OPT_DEFAULT_STR(f, d) o->f = (d);
#define OPT_DEFAULT_CHOICE(f, d) o->f = (d);
#define OPT_DEFAULT_LIST(f, d) o->f.items = NULL, o->f.n = 0;
#define OPT_DEFAULT(field, name, letter, kind, arg, def, min, max, scope, help) OPT_DEFAULT_##kind(field, def)
    VSOLVE_OPTIONS(OPT_DEFAULT)
#undef OPT_DEFAULT
}

static int find_command(const char *name)
{
    for (int k = 0; k < CMD_COUNT; k++)
        if (!strcmp(commands[k].name, name))
            return k;
    return CMD_NONE;
}

/* The option named by a (`--name`, `--name=value` or `-x`); *value set for `=value`. */
static int find_option(const char *a, const char **value)
{
    *value = NULL;
    if (a[1] != '-') {
        for (int k = 0; k < OPT_COUNT; k++)
            if (options[k].short_name && a[1] == options[k].short_name && !a[2])
                return k;
        return -1;
    }
    const char *name = a + 2;
    size_t len = strcspn(name, "=");
    for (int k = 0; k < OPT_COUNT; k++)
        if (strlen(options[k].name) == len && !strncmp(options[k].name, name, len)) {
            if (name[len] == '=')
                *value = name + len + 1;
            return k;
        }
    return -1;
}

int cli_parse(cli *c, int argc, char **argv)
{
    memset(&c->opt, 0, sizeof c->opt);
    set_defaults(&c->opt);
    c->command = CMD_NONE;
    c->args = calloc((size_t)(argc > 0 ? argc : 1), sizeof *c->args);
    c->n_args = 0;
    c->json = 0;
    if (!c->args) {
        fprintf(stderr, "vsolve: out of memory\n");
        return VSOLVE_ENOMEM;
    }
    parse_state ps = { .c = c };
    unsigned char given[OPT_COUNT] = { 0 };
    int options_end = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_end || a[0] != '-' || !a[1]) {
            if (c->command != CMD_NONE)
                c->args[c->n_args++] = a;
            else if ((c->command = find_command(a)) == CMD_NONE)
                problem(&ps, 1, "unknown command \"%s\"", a);
            continue;
        }
        if (!strcmp(a, "--")) {
            options_end = 1;
            continue;
        }
        const char *value;
        int id = find_option(a, &value);
        if (id < 0) {
            problem(&ps, 1, "unknown option \"%.*s\"", (int)strcspn(a, "="), a);
            continue;
        }
        if (!value && options[id].kind != KIND_FLAG) {
            if (i + 1 >= argc) {
                problem(&ps, 1, "--%s needs a value (%s)", options[id].name, options[id].arg);
                continue;
            }
            value = argv[++i];
        }
        given[id] = 1;
        set_option(&ps, id, value);
    }
    c->json = c->opt.format && !strcmp(c->opt.format, "json");
    for (int k = 0; k < OPT_COUNT && c->command != CMD_NONE; k++)
        if (given[k] && !(options[k].scope & ON_COMMAND(c->command)))
            problem(&ps, 0, "--%s does not apply to %s", options[k].name, cli_command_name(c->command));
    if (!ps.error[0])
        return VSOLVE_OK;
    if (ps.error_names_option)
        c->command = CMD_NONE;   /* point at the general help */
    return cli_usage(c, "%s", ps.error);
}

void cli_free(cli *c)
{
#define OPT_FREE_FLAG(f)
#define OPT_FREE_INT(f)
#define OPT_FREE_STR(f)
#define OPT_FREE_CHOICE(f)
#define OPT_FREE_LIST(f) free(c->opt.f.items);
#define OPT_FREE(field, name, letter, kind, arg, def, min, max, scope, help) OPT_FREE_##kind(field)
    VSOLVE_OPTIONS(OPT_FREE)
#undef OPT_FREE
    free(c->args);
    c->args = NULL;
}

/* ---- help ---------------------------------------------------------------------------------- */

/* Every line of text, prefixed. */
static void print_lines(FILE *out, const char *prefix, const char *text)
{
    while (*text) {
        size_t len = strcspn(text, "\n");
        fprintf(out, "%s%.*s\n", prefix, (int)len, text);
        text += len + (text[len] == '\n');
    }
}

static void print_option(FILE *out, const opt_desc *d)
{
    char h[80], shorter[8] = "";
    if (d->short_name)
        snprintf(shorter, sizeof shorter, "-%c, ", d->short_name);
    snprintf(h, sizeof h, "%s--%s%s%s", shorter, d->name, d->arg[0] ? " " : "", d->arg);
    char help[512];
    if (d->kind == KIND_INT)
        snprintf(help, sizeof help, "%s (%ld to %ld, default %ld)", d->help, d->min, d->max, d->int_default);
    else if (d->kind == KIND_CHOICE && d->str_default)
        snprintf(help, sizeof help, "%s (default %s)", d->help, d->str_default);
    else
        snprintf(help, sizeof help, "%s", d->help);
    size_t first = strcspn(help, "\n");
    if (strlen(h) < 24)
        fprintf(out, "  %-24s%.*s\n", h, (int)first, help);
    else
        fprintf(out, "  %s\n  %-24s%.*s\n", h, "", (int)first, help);
    if (help[first])
        print_lines(out, "                          ", help + first + 1);
}

/* The options of every command, then those of command (CMD_NONE: none). */
static void print_options(FILE *out, int command)
{
    for (int k = 0; k < OPT_COUNT; k++)
        if (options[k].scope == ALL)
            print_option(out, &options[k]);
    for (int k = 0; k < OPT_COUNT && command != CMD_NONE; k++)
        if (options[k].scope != ALL && (options[k].scope & ON_COMMAND(command)))
            print_option(out, &options[k]);
}

static const char exit_status[] =
    "exit status: 0 solved, 1 unsatisfiable (the reason is printed on stderr),\n"
    "             2 bad input or usage, 3 other errors\n";

void cli_print_help(FILE *out, int command)
{
    if (command >= 0 && command < CMD_COUNT) {
        const char *u = commands[command].usage;
        for (int line = 0; *u; line++) {
            size_t len = strcspn(u, "\n");
            fprintf(out, "%s%.*s\n", line ? "       " : "usage: ", (int)len, u);
            u += len + (u[len] == '\n');
        }
        fprintf(out, "\n%s\noptions (before or after the command; --opt VALUE or --opt=VALUE):\n",
                commands[command].description);
        print_options(out, command);
        fprintf(out, "\n%s", exit_status);
        return;
    }
    fprintf(out, "usage: vsolve [options] COMMAND [arguments] [options]\n\n");
    for (int k = 0; k < CMD_COUNT; k++)
        print_lines(out, "  ", commands[k].usage);
    fprintf(out, "\nEcosystems: opam, cudf (a CUDF 2.0 document), cargo and npm.\n\ncommands:\n");
    int width = 0;   /* the longest command name, so that every summary starts in one column */
    for (int k = 0; k < CMD_COUNT; k++)
        if ((int)strlen(commands[k].name) > width)
            width = (int)strlen(commands[k].name);
    for (int k = 0; k < CMD_COUNT; k++)
        fprintf(out, "  %-*s  %s\n", width, commands[k].name, commands[k].summary);
    fprintf(out, "\noptions (before or after the command; --opt VALUE or --opt=VALUE; -- ends them):\n");
    print_options(out, CMD_NONE);
    for (int k = 0; k < CMD_COUNT; k++) {
        int any = 0;
        for (int o = 0; o < OPT_COUNT; o++)
            any |= options[o].scope != ALL && (options[o].scope & ON_COMMAND(k));
        if (!any)
            continue;
        fprintf(out, "\n%s options:\n", commands[k].name);
        for (int o = 0; o < OPT_COUNT; o++)
            if (options[o].scope != ALL && (options[o].scope & ON_COMMAND(k)))
                print_option(out, &options[o]);
    }
    fprintf(out, "\n`vsolve help COMMAND` or `vsolve COMMAND --help` tells more about a command.\n\n%s", exit_status);
}
