/* cli.c: what the subcommands share (cli.h): errors (text, or JSON with --format json), exit codes,
 * loading an opam repository, and printing a result. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"

double cli_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int cli_exit_code(int rc)
{
    switch (rc) {
    case VSOLVE_OK: return 0;
    case VSOLVE_UNSAT: return 1;
    case VSOLVE_EBADINPUT:
    case VSOLVE_EUSAGE: return 2;
    default: return 3;
    }
}

void cli_print_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* The message on stderr (ending in one newline) and, with json, the error object on stdout. */
static void report(const cli *c, int rc, const char *message, const char *hint)
{
    size_t len = strlen(message);
    int ends_line = len && message[len - 1] == '\n';
    fprintf(stderr, "vsolve: %s%s%s", message, ends_line ? "" : "\n", hint ? hint : "");
    if (!c->json)
        return;
    char *trimmed = strdup(message);
    if (trimmed && ends_line)
        trimmed[len - 1] = '\0';
    printf("{\n  \"error\": ");
    cli_print_json_string(stdout, trimmed ? trimmed : "out of memory");
    printf(",\n  \"exit\": %d\n}\n", cli_exit_code(rc));
    free(trimmed);
}

static int vfail(cli *c, int rc, const char *hint, const char *fmt, va_list ap)
{
    char message[4096];
    vsnprintf(message, sizeof message, fmt, ap);
    report(c, rc, message, hint);
    return rc;
}

int cli_fail(cli *c, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(c, rc, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_usage(cli *c, const char *fmt, ...)
{
    char hint[128];
    if (c->command == CMD_NONE)
        snprintf(hint, sizeof hint, "try `vsolve --help`\n");
    else
        snprintf(hint, sizeof hint, "try `vsolve help %s`\n", cli_command_name(c->command));
    va_list ap;
    va_start(ap, fmt);
    vfail(c, VSOLVE_EUSAGE, hint, fmt, ap);
    va_end(ap);
    return VSOLVE_EUSAGE;
}

int cli_fail_ctx(cli *c, int rc)
{
    report(c, rc, vsolve_errmsg(c->ctx), NULL);
    return rc;
}

int cli_apply_env(cli *c)
{
    for (size_t i = 0; i < c->opt.env.n; i++) {
        const char *val = c->opt.env.items[i], *eq = strchr(val, '=');
        if (!eq || eq == val)
            return cli_usage(c, "--env takes VAR=VALUE, not \"%s\"", val);
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - val), val);
        int rc = vsolve_set_var(c->ctx, name, eq + 1);
        if (rc != VSOLVE_OK)
            return cli_fail_ctx(c, rc);
    }
    return VSOLVE_OK;
}

const char *cli_repo(const cli *c)
{
    return c->opt.repo ? c->opt.repo : c->opt.index ? c->opt.index : c->opt.registry;
}

int cli_load_opam(cli *c, int refresh)
{
    int rc = VSOLVE_OK;
    if (!c->opt.no_cache)
        rc = vsolve_set_cache(c->ctx, c->opt.cache, refresh ? VSOLVE_CACHE_REFRESH : VSOLVE_CACHE_USE);
    if (rc == VSOLVE_OK)
        rc = vsolve_load_opam(c->ctx, cli_repo(c));
    cli_print_warnings(c);
    if (rc != VSOLVE_OK)
        return cli_fail_ctx(c, rc);
    if (c->opt.verbose)
        fprintf(stderr, "vsolve: loaded %s in %.1f ms%s%s\n", cli_repo(c), (cli_seconds() - c->t_start) * 1e3,
                vsolve_cache_status(c->ctx)[0] ? "; cache: " : "", vsolve_cache_status(c->ctx));
    return VSOLVE_OK;
}

void cli_print_warnings(cli *c)
{
    for (; c->ctx && c->warned < vsolve_warning_count(c->ctx); c->warned++)
        fprintf(stderr, "vsolve: warning: %s\n", vsolve_warning(c->ctx, c->warned));
}

void cli_print_result(const vsolve_ctx *ctx, const vsolve_result *r, int rc, int json)
{
    size_t n = vsolve_result_count(r);
    if (!json) {
        for (size_t i = 0; i < n; i++)
            printf("%s.%s\n", vsolve_result_name(r, i), vsolve_result_version(r, i));
        return;
    }
    printf("{\n  \"status\": \"%s\",\n", rc == VSOLVE_OK ? "sat" : "unsat");
    if (rc != VSOLVE_OK) {
        printf("  \"explanation\": ");
        cli_print_json_string(stdout, vsolve_result_explanation(r));
        printf(",\n  \"clash\": [");
        for (size_t i = 0; i < vsolve_result_clash_count(r); i++) {
            printf("%s", i ? ", " : "");
            cli_print_json_string(stdout, vsolve_result_clash_atom(r, i));
        }
        printf("],\n  \"fixes\": [");
        for (size_t i = 0; i < vsolve_result_fix_count(r); i++) {
            printf("%s\n    {", i ? "," : "");
            for (int replace = 0; replace < 2; replace++) {   /* "drop": [...], then "replace": {...} */
                size_t shown = 0;
                for (size_t k = 0; k < vsolve_result_fix_edits(r, i); k++) {
                    const char *repl = vsolve_result_fix_replacement(r, i, k);
                    if ((repl != NULL) != replace)
                        continue;
                    printf("%s", shown++ ? ", " : replace ? "\"replace\": {" : "\"drop\": [");
                    cli_print_json_string(stdout, vsolve_result_fix_atom(r, i, k));
                    if (repl) {
                        printf(": ");
                        cli_print_json_string(stdout, repl);
                    }
                }
                if (shown)
                    printf("%s, ", replace ? "}" : "]");
            }
            printf("\"text\": ");
            cli_print_json_string(stdout, vsolve_result_fix_text(r, i));
            printf("}");
        }
        printf("%s],\n", vsolve_result_fix_count(r) ? "\n  " : "");
        if (vsolve_result_unavailable_count(r)) {   /* only when the explanation shows one */
            printf("  \"unavailable\": [");
            for (size_t i = 0; i < vsolve_result_unavailable_count(r); i++) {
                printf("%s\n    {\"package\": ", i ? "," : "");
                cli_print_json_string(stdout, vsolve_result_unavailable_package(r, i));
                printf(", \"available\": ");
                cli_print_json_string(stdout, vsolve_result_unavailable_formula(r, i));
                printf(", \"values\": {");
                for (size_t k = 0; k < vsolve_result_unavailable_var_count(r, i); k++) {
                    const char *value = vsolve_result_unavailable_value(r, i, k);
                    printf("%s", k ? ", " : "");
                    cli_print_json_string(stdout, vsolve_result_unavailable_var(r, i, k));
                    printf(": ");
                    if (value)
                        cli_print_json_string(stdout, value);
                    else
                        printf("null");   /* undefined */
                }
                printf("}}");
            }
            printf("\n  ],\n");
        }
    }
    printf("  \"packages\": [");
    for (size_t i = 0; i < n; i++) {
        printf("%s\n    {\"name\": ", i ? "," : "");
        cli_print_json_string(stdout, vsolve_result_name(r, i));
        printf(", \"version\": ");
        cli_print_json_string(stdout, vsolve_result_version(r, i));
        printf(", \"pulled_by\": ");
        cli_print_json_string(stdout, vsolve_result_reason(r, i));
        if (vsolve_result_copy_name(r, i)) {
            printf(", \"copy\": ");
            cli_print_json_string(stdout, vsolve_result_copy_name(r, i));
        }
        if (vsolve_result_copy_users(r, i)) {   /* a duplicated name: who uses this copy */
            printf(", \"used_by\": [");
            const char *u = vsolve_result_copy_users(r, i);
            for (int first = 1; *u; first = 0) {
                size_t len = strcspn(u, " ");
                printf("%s\"%.*s\"", first ? "" : ", ", (int)len, u);   /* NAME.VERSION: nothing to escape */
                u += len + (u[len] == ' ');
            }
            printf("]");
        }
        printf("}");
    }
    printf("%s]", n ? "\n  " : "");
    for (size_t i = 0; i < vsolve_npm_moved_count(ctx); i++) {   /* npm --resolve-peers: what it pinned */
        const char *name, *version, *was;
        if (vsolve_npm_moved(ctx, i, &name, &version, &was) != VSOLVE_OK)
            break;
        printf("%s{\"name\": ", i ? ",\n    " : ",\n  \"moved\": [\n    ");
        cli_print_json_string(stdout, name);
        printf(", \"version\": ");
        cli_print_json_string(stdout, version);
        printf(", \"was\": ");
        cli_print_json_string(stdout, was);
        printf("}%s", i + 1 == vsolve_npm_moved_count(ctx) ? "\n  ]" : "");
    }
    if (vsolve_result_dup_names(r))
        printf(",\n  \"duplicates\": {\"names\": %zu, \"extra_copies\": %zu}", vsolve_result_dup_names(r),
               vsolve_result_extra_copies(r));
    size_t nw = vsolve_warning_count(ctx);   /* only when there are: the shape is otherwise unchanged */
    for (size_t i = 0; i < nw; i++) {
        printf("%s", i ? ",\n    " : ",\n  \"warnings\": [\n    ");
        cli_print_json_string(stdout, vsolve_warning(ctx, i));
    }
    printf("%s\n}\n", nw ? "\n  ]" : "");
}

void cli_print_copies(const vsolve_result *r)
{
    if (!vsolve_result_dup_names(r))
        return;
    fprintf(stderr, "vsolve: note: %zu name%s with several versions (%zu extra cop%s):\n", vsolve_result_dup_names(r),
            vsolve_result_dup_names(r) == 1 ? "" : "s", vsolve_result_extra_copies(r),
            vsolve_result_extra_copies(r) == 1 ? "y" : "ies");
    for (size_t i = 0; i < vsolve_result_count(r); i++)
        if (vsolve_result_copy_users(r, i))
            fprintf(stderr, "  %s.%s%s%s, used by %s\n", vsolve_result_name(r, i), vsolve_result_version(r, i),
                    vsolve_result_copy_name(r, i) ? " renamed " : " keeps its name",
                    vsolve_result_copy_name(r, i) ? vsolve_result_copy_name(r, i) : "", vsolve_result_copy_users(r, i));
}

int cli_need_opam_repo(cli *c)
{
    const char *name = cli_command_name(c->command);
    if (!c->opt.ecosystem || strcmp(c->opt.ecosystem, "opam") != 0)
        return cli_usage(c, "%s works with --ecosystem opam%s%s", name, c->opt.ecosystem ? ", not " : "",
                         c->opt.ecosystem ? c->opt.ecosystem : "");
    if (!cli_repo(c))
        return cli_usage(c, "%s needs --repo PATH (an opam repository directory or .tar.gz)", name);
    return VSOLVE_OK;
}
