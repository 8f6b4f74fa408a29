/* cudf_libsolv.c: the libsolv peer of the benchmark: reads a CUDF document with libsolvext's
 * repo_add_cudf, solves its request with libsolv's solver (libsolv's own policy: it knows nothing
 * of CUDF optimisation criteria or opam's extra properties), and prints the installed set.
 *
 *   cudf_libsolv IN.cudf [OUT]        (IN may also be .gz/.xz: libsolv's solv_xfopen reads them)
 *
 * Output (OUT, else stdout): one CUDF solution stanza per package installed after the solve
 * ("package: N", "version: V", "installed: true", blank line), sorted by name then version; or
 * "FAIL" followed by libsolv's text for each problem. stderr gets one line of timings.
 * Exit status: 0 solved, 1 no solution, 2 usage or unreadable input.
 *
 * Build: gcc -O2 -o cudf_libsolv cudf_libsolv.c -lsolvext -lsolv   (Debian: libsolvext-dev)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/repo_cudf.h>
#include <solv/solv_xfopen.h>
#include <solv/solver.h>
#include <solv/transaction.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct entry {
    const char *name;
    const char *evr;
};

static int by_name_version(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    /* CUDF versions are positive integers: compare numerically, then as text */
    long vx = strtol(x->evr, NULL, 10), vy = strtol(y->evr, NULL, 10);
    if (vx != vy)
        return vx < vy ? -1 : 1;
    return strcmp(x->evr, y->evr);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: cudf_libsolv IN.cudf[.gz] [OUT]\n");
        return 2;
    }
    double t0 = now_ms();
    FILE *in = solv_xfopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    FILE *out = stdout;
    if (argc == 3 && !(out = fopen(argv[2], "w"))) {
        perror(argv[2]);
        return 2;
    }

    Pool *pool = pool_create();
    Repo *available = repo_create(pool, "cudf");
    Repo *installed = repo_create(pool, "installed");
    Queue job;
    queue_init(&job);
    if (repo_add_cudf(available, installed, in, &job, 0) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], pool_errstr(pool));
        fclose(in);
        return 2;
    }
    fclose(in);
    pool_set_installed(pool, installed);
    pool_addfileprovides(pool);
    pool_createwhatprovides(pool);
    double t1 = now_ms();

    Solver *solver = solver_create(pool);
    int nproblems = solver_solve(solver, &job);
    double t2 = now_ms();

    int rc = 0;
    if (nproblems > 0) {
        fprintf(out, "FAIL\n");
        for (Id p = 1; p <= (Id)nproblems; p++)
            fprintf(out, "problem %d: %s\n", (int)p, solver_problem2str(solver, p));
        rc = 1;
    } else {
        Transaction *trans = solver_create_transaction(solver);
        Queue result;
        queue_init(&result);
        transaction_installedresult(trans, &result);
        struct entry *e = calloc((size_t)result.count + 1, sizeof *e);
        if (!e) {
            fprintf(stderr, "out of memory\n");
            return 3;
        }
        for (int i = 0; i < result.count; i++) {
            Solvable *s = pool_id2solvable(pool, result.elements[i]);
            e[i].name = pool_id2str(pool, s->name);
            e[i].evr = pool_id2str(pool, s->evr);
        }
        qsort(e, (size_t)result.count, sizeof *e, by_name_version);
        for (int i = 0; i < result.count; i++)
            fprintf(out, "package: %s\nversion: %s\ninstalled: true\n\n", e[i].name, e[i].evr);
        free(e);
        queue_free(&result);
        transaction_free(trans);
    }
    double t3 = now_ms();
    fprintf(stderr, "cudf_libsolv: parse %.1f ms, solve %.1f ms, output %.1f ms, %d solvables\n",
            t1 - t0, t2 - t1, t3 - t2, pool->nsolvables);

    if (out != stdout)
        fclose(out);
    solver_free(solver);
    queue_free(&job);
    pool_free(pool);
    return rc;
}
