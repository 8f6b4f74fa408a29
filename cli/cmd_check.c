/* cmd_check.c: `vsolve check`: verify a solution (NAME.VERSION lines) against a request with the
 * independent checker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

/* The NAME.VERSION lines of path (blank lines and # comments skipped) into *pkgs. */
static int read_solution(const char *path, char ***pkgs, size_t *n)
{
    struct stat st;   /* a regular file only: /dev/zero or a FIFO would never end */
    FILE *f = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? fopen(path, "r") : NULL;
    if (!f)
        return VSOLVE_EIO;
    char line[1024];
    size_t cap = 0;
    int rc = VSOLVE_OK;
    while (rc == VSOLVE_OK && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **np = realloc(*pkgs, cap * sizeof *np);
            if (!np)
                rc = VSOLVE_ENOMEM;
            else
                *pkgs = np;
        }
        if (rc == VSOLVE_OK && !((*pkgs)[(*n)++] = strdup(line)))
            rc = VSOLVE_ENOMEM;
    }
    fclose(f);
    return rc;
}

static void print_ok(const cli *c, size_t n)
{
    if (c->json)
        printf("{\n  \"status\": \"ok\",\n  \"packages\": %zu\n}\n", n);
    else
        printf("ok: %zu packages satisfy the request\n", n);
}

/* The violations (on stderr; with json also as an object on stdout). */
static void print_violations(const cli *c)
{
    fprintf(stderr, "vsolve: %s", vsolve_errmsg(c->ctx));
    if (!c->json)
        return;
    printf("{\n  \"status\": \"violated\",\n  \"violations\": ");
    cli_print_json_string(stdout, vsolve_errmsg(c->ctx));
    printf("\n}\n");
}

int cmd_check(cli *c)
{
    int rc = cli_need_opam_repo(c);
    if (rc != VSOLVE_OK)
        return rc;
    if (!c->opt.solution)
        return cli_usage(c, "check needs --solution FILE (NAME.VERSION lines)");
    if ((rc = cli_load_opam(c, 0)) != VSOLVE_OK)
        return rc;
    char **pkgs = NULL;
    size_t n = 0;
    rc = read_solution(c->opt.solution, &pkgs, &n);
    if (rc == VSOLVE_EIO)
        rc = cli_usage(c, "check needs --solution FILE (NAME.VERSION lines): cannot read %s", c->opt.solution);
    else if (rc != VSOLVE_OK)
        cli_fail(c, rc, "out of memory");
    else {
        rc = vsolve_check(c->ctx, c->args, c->n_args, (const char *const *)pkgs, n);
        cli_print_warnings(c);   /* a corrupt cache found on the way, rebuilt */
        if (rc == VSOLVE_OK)
            print_ok(c, n);
        else if (rc == VSOLVE_UNSAT)
            print_violations(c);
        else
            cli_fail_ctx(c, rc);
    }
    for (size_t i = 0; i < n; i++)
        free(pkgs[i]);
    free(pkgs);
    return rc;
}
