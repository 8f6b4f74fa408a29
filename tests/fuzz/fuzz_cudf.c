/* fuzz_cudf.c: libFuzzer harness feeding arbitrary bytes to the CUDF reader, and solving (and
 * checking) the small universes it accepts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "checker.h"
#include "cudf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every id the universe holds must name a package; aborts otherwise. */
static void check_universe(const vs_universe *u, const vs_request *req)
{
    size_t n = u->pkgs.len;
    for (size_t c = 0; c < u->clauses.len; c++)
        for (uint32_t j = 0; j < u->clauses.items[c].count; j++)
            if (u->ids.items[u->clauses.items[c].first + j] >= n)
                abort();
    for (size_t p = 0; p < n; p++) {
        const vs_pkg *pk = &u->pkgs.items[p];
        for (uint32_t j = 0; j < pk->conflict_count; j++)
            if (u->ids.items[pk->conflict_first + j] >= n || u->ids.items[pk->conflict_first + j] == p)
                abort();
        if (p > 0 && pk->name == u->pkgs.items[p - 1].name && pk->rank != u->pkgs.items[p - 1].rank + 1)
            abort();
    }
    for (size_t g = 0; g < u->groups.len; g++)
        for (uint32_t j = 0; j < u->groups.items[g].count; j++)
            if (u->ids.items[u->groups.items[g].first + j] >= n)
                abort();
    for (size_t i = 0; i < req->ids.len; i++)
        if (req->ids.items[i] >= n)
            abort();
    for (size_t i = 0; i < req->keep.len; i++)
        if (req->keep.items[i] >= n)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vs_universe u;
    vs_request req;
    vs_error err;
    cudf_stats stats;
    cudf_opam_map map;
    if (universe_init(&u) != VSOLVE_OK)
        abort();
    request_init(&req);
    int rc = cudf_load_memory_ex(&u, &req, "fuzz.cudf", (const char *)data, size, &stats, &map, &err);
    if (rc == VSOLVE_OK) {
        if (err.code != VSOLVE_OK || stats.packages != u.pkgs.len || map.count != u.pkgs.len)
            abort();
        check_universe(&u, &req);
        for (uint32_t p = 0; p < u.pkgs.len; p++)
            if (cudf_opam_name(&u, &map, p) && !*universe_pkg_name(&u, p))
                abort();
        if (u.pkgs.len <= 64) {
            vs_solution s;
            solution_init(&s);
            rc = vs_solve(&u, &req, &s);
            if (rc == VSOLVE_OK && check_solution(&u, &req, s.pkgs.items, s.pkgs.len, NULL, 0) != 0)
                abort();
            if (rc == VSOLVE_UNSAT && !s.explanation)
                abort();
            if (rc != VSOLVE_OK && rc != VSOLVE_UNSAT)
                abort();
            solution_free(&s);
        }
    } else if (rc != VSOLVE_ENOMEM &&
               (rc != VSOLVE_EBADINPUT || strncmp(err.message, "fuzz.cudf:", 10) != 0 || !strstr(err.message, ": expected "))) {
        abort();
    }
    cudf_opam_map_free(&map);
    request_free(&req);
    universe_free(&u);
    return 0;
}
