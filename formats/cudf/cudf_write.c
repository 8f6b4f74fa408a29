/* cudf_write.c: the CUDF solution writer: installed stanzas, or FAIL with the reason. */
#include "cudf_write.h"
#include <string.h>
#include "cudf.h"

int cudf_write_installed(FILE *out, const void *data, size_t n, cudf_field_fn name, cudf_field_fn version)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%spackage: %s\nversion: %s\ninstalled: true\n", i ? "\n" : "", name(data, i), version(data, i));
    return ferror(out) ? VSOLVE_EIO : VSOLVE_OK;
}

int cudf_write_fail(FILE *out, const char *explanation)
{
    fprintf(out, "FAIL\n%s", explanation ? explanation : "");
    if (explanation && *explanation && explanation[strlen(explanation) - 1] != '\n')
        fputc('\n', out);
    return ferror(out) ? VSOLVE_EIO : VSOLVE_OK;
}

/* The packages of a solution, as the writer reads them. */
typedef struct solution_view {
    const vs_universe *u;
    const vs_solution *s;
} solution_view;

static const char *solution_name(const void *data, size_t i)
{
    const solution_view *v = data;
    return universe_pkg_name(v->u, v->s->pkgs.items[i]);
}

static const char *solution_version(const void *data, size_t i)
{
    const solution_view *v = data;
    return universe_pkg_version(v->u, v->s->pkgs.items[i]);
}

int cudf_write_solution(FILE *out, const vs_universe *u, const vs_solution *s)
{
    if (s->status != VSOLVE_OK)
        return cudf_write_fail(out, s->explanation);
    solution_view v = { u, s };
    return cudf_write_installed(out, &v, s->pkgs.len, solution_name, solution_version);
}
