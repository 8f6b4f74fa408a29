/* cmd_solve.c: `vsolve solve`: an opam request, a CUDF document's request, a cargo or an npm
 * project, each printed its own way (NAME.VERSION lines, a CUDF solution, a lock file, JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cudf_write.h"

/* A usage error when an option of another ecosystem is given. */
static int reject(cli *c, int given, const char *option)
{
    if (!given)
        return VSOLVE_OK;
    return cli_usage(c, "%s does not apply to --ecosystem %s", option, c->opt.ecosystem);
}

/* The options only cargo (cargo_too) or only npm (npm_too) take. */
static int reject_project_options(cli *c, int cargo_too, int npm_too)
{
    int rc = VSOLVE_OK;
    if (!cargo_too && !npm_too) {
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.manifest != NULL, "--manifest");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.lock != NULL, "--lock");
    }
    if (!cargo_too) {
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.features != NULL, "--features");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.no_default_features, "--no-default-features");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.source_url != NULL, "--source-url");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.git_checkout.n > 0, "--git-checkout");
    }
    if (!npm_too) {
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.registry_url != NULL, "--registry-url");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.node != NULL, "--node");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.npm != NULL, "--npm");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.legacy_peer_deps, "--legacy-peer-deps");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.force, "--force");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.resolve_peers, "--resolve-peers");
        if (rc == VSOLVE_OK)
            rc = reject(c, c->opt.omit.n > 0, "--omit");
    }
    return rc;
}

/* --dump-testcase after a cargo or npm run: the run as a neutral test case. */
static int dump_project(cli *c, int rc)
{
    if (!c->opt.dump_testcase || (rc != VSOLVE_OK && rc != VSOLVE_UNSAT))
        return rc;
    int drc = vsolve_dump_testcase(c->ctx, NULL, 0, NULL, c->opt.dump_testcase);
    return drc == VSOLVE_OK ? rc : cli_fail_ctx(c, drc);
}

/* A CUDF solution (formats/cudf's writer): the installed packages as stanzas, or FAIL (the
 * reason goes to stderr). */
static const char *result_name(const void *r, size_t i)
{
    return vsolve_result_name(r, i);
}

static const char *result_version(const void *r, size_t i)
{
    return vsolve_result_version(r, i);
}

static void print_cudf(const vsolve_result *r, int rc)
{
    if (rc != VSOLVE_OK)
        cudf_write_fail(stdout, NULL);
    else
        cudf_write_installed(stdout, r, vsolve_result_count(r), result_name, result_version);
}

/* opam and CUDF: the loaded universe, solved for the atoms (CUDF: the document's request). */
static int solve_universe(cli *c, int cudf)
{
    vsolve_result *r = NULL;
    double t_solve = cli_seconds();
    int rc = vsolve_solve(c->ctx, c->args, c->n_args, &r);
    cli_print_warnings(c);   /* a corrupt cache found while solving */
    if (c->opt.verbose)
        fprintf(stderr, "vsolve: solved in %.1f ms; %.1f ms in all\n", (cli_seconds() - t_solve) * 1e3,
                (cli_seconds() - c->t_start) * 1e3);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        if (cudf && !c->json)
            print_cudf(r, rc);
        else
            cli_print_result(c->ctx, r, rc, c->json);
        if (rc == VSOLVE_OK && !c->json)
            cli_print_copies(r);
        if (rc == VSOLVE_UNSAT)
            fprintf(stderr, "vsolve: %s", vsolve_result_explanation(r));
        if (c->opt.dump_testcase) {
            int drc = vsolve_dump_testcase(c->ctx, c->args, c->n_args, r, c->opt.dump_testcase);
            if (drc != VSOLVE_OK)
                rc = cli_fail_ctx(c, drc);
        }
    } else {
        cli_fail_ctx(c, rc);
    }
    vsolve_result_free(r);
    return rc;
}

static int solve_opam(cli *c)
{
    int rc = reject_project_options(c, 0, 0);
    if (rc != VSOLVE_OK)
        return rc;
    if (!cli_repo(c) || !c->n_args)
        return cli_usage(c, "need --repo PATH and `solve` followed by at least one atom, or `index`");
    if ((rc = cli_load_opam(c, 0)) != VSOLVE_OK)
        return rc;
    return solve_universe(c, 0);
}

static int solve_cudf(cli *c)
{
    int rc = reject_project_options(c, 0, 0);
    if (rc != VSOLVE_OK)
        return rc;
    if (!cli_repo(c) || c->n_args || c->opt.dump_testcase)
        return cli_usage(c, "with --ecosystem cudf: --repo FILE.cudf[.gz] solve, without atoms "
                            "(the request is the document's) and without --dump-testcase");
    rc = vsolve_load_cudf(c->ctx, cli_repo(c));
    cli_print_warnings(c);
    if (rc != VSOLVE_OK)
        return cli_fail_ctx(c, rc);
    return solve_universe(c, 1);
}

static int solve_cargo(cli *c)
{
    int rc = reject_project_options(c, 1, 0);
    if (rc != VSOLVE_OK)
        return rc;
    if (!cli_repo(c) || !c->opt.manifest || c->n_args)
        return cli_usage(c, "cargo needs --index PATH and solve --manifest Cargo.toml (and no atoms)");
    const char *features[64];
    size_t n_features = 0;
    char *feature_list = c->opt.features ? strdup(c->opt.features) : NULL;
    if (c->opt.features && !feature_list)
        return cli_fail(c, VSOLVE_ENOMEM, "out of memory");
    char *save = NULL;
    for (char *f = feature_list ? strtok_r(feature_list, ", ", &save) : NULL; f; f = strtok_r(NULL, ", ", &save)) {
        if (n_features == sizeof features / sizeof features[0]) {   /* refused, not cut */
            free(feature_list);
            return cli_usage(c, "--features takes at most 64 features");
        }
        features[n_features++] = f;
    }
    vsolve_result *r = NULL;
    /* the registry image, when `index` wrote one (as opam's universe cache) */
    if (!c->opt.no_cache && (rc = vsolve_set_cache(c->ctx, c->opt.cache, VSOLVE_CACHE_USE)) != VSOLVE_OK) {
        free(feature_list);
        return cli_fail_ctx(c, rc);
    }
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = cli_repo(c);
    o.manifest = c->opt.manifest;
    o.lock = c->opt.lock;
    o.features = features;
    o.n_features = n_features;
    o.no_default_features = c->opt.no_default_features;
    o.cargo_git_checkouts = (const char *const *)c->opt.git_checkout.items;
    o.n_cargo_git_checkouts = c->opt.git_checkout.n;
    rc = vsolve_solve_project(c->ctx, VSOLVE_CARGO, &o, &r);
    cli_print_warnings(c);   /* a stale or corrupt registry image, rebuilt */
    if (c->opt.verbose && vsolve_cache_status(c->ctx)[0])
        fprintf(stderr, "vsolve: cache: %s\n", vsolve_cache_status(c->ctx));
    if (rc == VSOLVE_OK && vsolve_result_explanation(r)[0])
        fprintf(stderr, "vsolve: note: %s\n", vsolve_result_explanation(r));
    if (rc == VSOLVE_OK && !c->json)
        rc = vsolve_cargo_write_lock(c->ctx, c->opt.lock ? c->opt.lock : "-", c->opt.source_url);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        if (c->json)
            cli_print_result(c->ctx, r, rc, 1);
        if (rc == VSOLVE_UNSAT)
            fprintf(stderr, "vsolve: %s", vsolve_result_explanation(r));
    } else {
        cli_fail_ctx(c, rc);
    }
    rc = dump_project(c, rc);
    vsolve_result_free(r);
    free(feature_list);
    return rc;
}

static int solve_npm(cli *c)
{
    int rc = reject_project_options(c, 0, 1);
    if (rc != VSOLVE_OK)
        return rc;
    if (!cli_repo(c) || !c->opt.manifest || c->n_args)
        return cli_usage(c, "npm needs --registry DIR and solve --manifest package.json (and no atoms)");
    vsolve_result *r = NULL;
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = cli_repo(c);
    o.manifest = c->opt.manifest;
    o.lock = c->opt.lock;
    o.node_version = c->opt.node;
    o.npm_version = c->opt.npm;
    o.npm_legacy_peer_deps = c->opt.legacy_peer_deps;
    o.npm_force = c->opt.force;
    o.npm_resolve_peers = c->opt.resolve_peers;
    /* --omit: what `npm install` leaves out of node_modules; the lock npm writes is the same */
    for (size_t i = 0; i < c->opt.omit.n; i++)
        if (strcmp(c->opt.omit.items[i], "dev") && strcmp(c->opt.omit.items[i], "optional") &&
            strcmp(c->opt.omit.items[i], "peer"))
            return cli_usage(c, "--omit takes dev, optional or peer");
    /* the registry image, when `index` wrote one (as cargo's) */
    if (!c->opt.no_cache && (rc = vsolve_set_cache(c->ctx, c->opt.cache, VSOLVE_CACHE_USE)) != VSOLVE_OK)
        return cli_fail_ctx(c, rc);
    rc = vsolve_solve_project(c->ctx, VSOLVE_NPM, &o, &r);
    cli_print_warnings(c);   /* a stale or corrupt registry image, rebuilt */
    if (c->opt.verbose && vsolve_cache_status(c->ctx)[0])
        fprintf(stderr, "vsolve: cache: %s\n", vsolve_cache_status(c->ctx));
    const char *moved = rc == VSOLVE_OK ? vsolve_npm_resolved_peers(c->ctx) : NULL;
    if (moved && *moved && !c->json)
        fprintf(stderr, "vsolve: --resolve-peers: %s; pin them in package.json to keep this tree\n", moved);
    if (rc == VSOLVE_OK && !c->json)
        rc = vsolve_npm_write_lock(c->ctx, c->opt.lock ? c->opt.lock : "-", c->opt.registry_url);
    if (rc == VSOLVE_OK && c->json)
        cli_print_result(c->ctx, r, rc, 1);
    else if (rc != VSOLVE_OK)
        cli_fail_ctx(c, rc);
    rc = dump_project(c, rc);
    vsolve_result_free(r);
    return rc;
}

int cmd_solve(cli *c)
{
    static const struct {
        const char *ecosystem;
        int (*solve)(cli *c);
    } by_ecosystem[] = {
        { "opam", solve_opam },
        { "cudf", solve_cudf },
        { "cargo", solve_cargo },
        { "npm", solve_npm },
    };
    for (size_t k = 0; c->opt.ecosystem && k < sizeof by_ecosystem / sizeof by_ecosystem[0]; k++)
        if (!strcmp(c->opt.ecosystem, by_ecosystem[k].ecosystem))
            return by_ecosystem[k].solve(c);
    return cli_usage(c, "solve needs --ecosystem opam, cudf, cargo or npm");
}
