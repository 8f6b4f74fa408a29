/* cmd_sweep.c: `vsolve sweep`: which package versions of an opam repository cannot be
 * installed, and why, with a summary by reason. */
#include <stdio.h>
#include <unistd.h>
#include "cli.h"

/* A progress bar on stderr, redrawn in place; only on a terminal. */
static void progress_bar(void *user, size_t done, size_t total)
{
    (void)user;
    int width = 40, filled = total ? (int)((double)done / (double)total * width) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################", width - filled, "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int failed(int status)
{
    return status != VSOLVE_INSTALLABLE && status != VSOLVE_NOT_AVAILABLE;
}

static void print_text(const vsolve_sweep_result *r, double dt, int jobs)
{
    size_t n = vsolve_sweep_count(r);
    for (size_t i = 0; i < n; i++)
        if (failed(vsolve_sweep_status(r, i)))
            printf("%s.%s: %s\n", vsolve_sweep_name(r, i), vsolve_sweep_version(r, i), vsolve_sweep_reason(r, i));
    printf("\n%zu package versions checked in %.1f s on %d thread%s:\n", n, dt, jobs, jobs == 1 ? "" : "s");
    for (int st = VSOLVE_INSTALLABLE; st <= VSOLVE_CONFLICTING_DEPS; st++)
        printf("  %7zu  %s%s\n", vsolve_sweep_total(r, st), st == VSOLVE_INSTALLABLE ? "" : "not installable: ",
               vsolve_sweep_status_name(st));
}

static void print_json(const vsolve_sweep_result *r, double dt, int jobs)
{
    size_t n = vsolve_sweep_count(r), listed = 0;
    printf("{\n  \"checked\": %zu,\n  \"seconds\": %.1f,\n  \"threads\": %d,\n  \"not_installable\": [", n, dt, jobs);
    for (size_t i = 0; i < n; i++) {
        int st = vsolve_sweep_status(r, i);
        if (!failed(st))
            continue;
        printf("%s\n    {\"name\": ", listed++ ? "," : "");
        cli_print_json_string(stdout, vsolve_sweep_name(r, i));
        printf(", \"version\": ");
        cli_print_json_string(stdout, vsolve_sweep_version(r, i));
        printf(", \"status\": ");
        cli_print_json_string(stdout, vsolve_sweep_status_name(st));
        printf(", \"reason\": ");
        cli_print_json_string(stdout, vsolve_sweep_reason(r, i));
        printf("}");
    }
    printf("%s],\n  \"totals\": {", listed ? "\n  " : "");
    for (int st = VSOLVE_INSTALLABLE; st <= VSOLVE_CONFLICTING_DEPS; st++) {
        printf("%s\n    ", st == VSOLVE_INSTALLABLE ? "" : ",");
        cli_print_json_string(stdout, vsolve_sweep_status_name(st));
        printf(": %zu", vsolve_sweep_total(r, st));
    }
    printf("\n  }\n}\n");
}

int cmd_sweep(cli *c)
{
    int rc = cli_need_opam_repo(c);
    if (rc != VSOLVE_OK)
        return rc;
    if (c->n_args)
        return cli_usage(c, "sweep takes no atoms");
    if ((rc = cli_load_opam(c, 0)) != VSOLVE_OK)
        return rc;
    vsolve_sweep_result *r = NULL;
    double t0 = cli_seconds();
    rc = vsolve_sweep(c->ctx, c->opt.jobs, isatty(2) ? progress_bar : NULL, NULL, &r);
    cli_print_warnings(c);   /* a corrupt cache found on the way, rebuilt */
    if (rc != VSOLVE_OK)
        return cli_fail_ctx(c, rc);
    double dt = cli_seconds() - t0;
    if (c->json)
        print_json(r, dt, c->opt.jobs);
    else
        print_text(r, dt, c->opt.jobs);
    vsolve_sweep_free(r);
    return VSOLVE_OK;
}
