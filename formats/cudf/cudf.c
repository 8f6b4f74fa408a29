/* cudf.c: loading a CUDF document: read it (cudf_parse.c), build the universe and request
 * (cudf_build.c); the opam names an opam dump carries. */
#include "cudf.h"
#include <stdlib.h>
#include <string.h>
#include "cudf_doc.h"
#include "repo_source.h"

/* ---- entry points ---------------------------------------------------------------------- */

int cudf_load_memory_ex(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                        cudf_stats *stats, cudf_opam_map *map, vs_error *err)
{
    vs_error_clear(err);
    if (map)
        memset(map, 0, sizeof *map);
    cudf_doc ps = { .file = filename ? filename : "<cudf>", .text = text, .end = text + len, .u = u, .err = err,
                  .want_opam = map != NULL };
    int rc = cudf_parse_document(&ps);
    if (rc == VSOLVE_OK)
        rc = cudf_build(&ps, u, req, map);
    if (rc == VSOLVE_OK && stats) {
        stats->packages = ps.pkgs.len;
        stats->installed = 0;
        for (size_t i = 0; i < ps.pkgs.len; i++)
            stats->installed += ps.pkgs.items[i].installed;
    }
    if (rc != VSOLVE_OK && map)
        cudf_opam_map_free(map);
    cudf_doc_free(&ps);
    return rc;
}

int cudf_load_memory(vs_universe *u, vs_request *req, const char *filename, const char *text, size_t len,
                     cudf_stats *stats, vs_error *err)
{
    return cudf_load_memory_ex(u, req, filename, text, len, stats, NULL, err);
}

int cudf_load_ex(vs_universe *u, vs_request *req, const char *path, uint64_t max_inflate, cudf_stats *stats,
                 cudf_opam_map *map, vs_error *err)
{
    size_t len;
    char *text = repo_read_file(path, max_inflate, &len, err);
    if (!text) {
        if (map)
            memset(map, 0, sizeof *map);
        return err->code;
    }
    int rc = cudf_load_memory_ex(u, req, path, text, len, stats, map, err);
    free(text);
    return rc;
}

int cudf_load(vs_universe *u, vs_request *req, const char *path, cudf_stats *stats, vs_error *err)
{
    return cudf_load_ex(u, req, path, 0, stats, NULL, err);
}

void cudf_opam_map_free(cudf_opam_map *map)
{
    free(map->name);
    free(map->version);
    memset(map, 0, sizeof *map);
}

const char *cudf_opam_name(const vs_universe *u, const cudf_opam_map *map, uint32_t pkg)
{
    return pkg < map->count && map->name[pkg] != VS_NONE ? universe_str(u, map->name[pkg]) : NULL;
}

const char *cudf_opam_version(const vs_universe *u, const cudf_opam_map *map, uint32_t pkg)
{
    return pkg < map->count && map->version[pkg] != VS_NONE ? universe_str(u, map->version[pkg]) : NULL;
}
