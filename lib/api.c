/* api.c: the public vsolve.h API: a context owning one universe, on top of solver/ and formats/. */
#include "vsolve.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "opam_repo.h"
#include "solve.h"
#include "testcase.h"

struct vsolve_ctx {
    vs_error err;
    opam_vars vars;
    vs_universe universe;
    int loaded;
};

struct vsolve_result {
    size_t count;
    char **names, **versions, **reasons;
    char *explanation;
};

const char *vsolve_version(void) { return VSOLVE_VERSION_STRING; }

vsolve_ctx *vsolve_new(void)
{
    vsolve_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (opam_vars_init(&ctx->vars) != VSOLVE_OK || universe_init(&ctx->universe) != VSOLVE_OK) {
        vsolve_free(ctx);
        return NULL;
    }
    return ctx;
}

void vsolve_free(vsolve_ctx *ctx)
{
    if (!ctx)
        return;
    opam_vars_free(&ctx->vars);
    universe_free(&ctx->universe);
    free(ctx);
}

const char *vsolve_errmsg(const vsolve_ctx *ctx) { return ctx ? ctx->err.message : "no context"; }

int vsolve_set_var(vsolve_ctx *ctx, const char *name, const char *value)
{
    vs_error_clear(&ctx->err);
    if (!name || !*name || !value)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_var: a variable needs a name and a value");
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_set_var: set variables before loading the repository");
    if (opam_vars_set(&ctx->vars, name, value) != VSOLVE_OK)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

int vsolve_load_opam(vsolve_ctx *ctx, const char *path)
{
    vs_error_clear(&ctx->err);
    if (ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_load_opam: a context holds one repository; it is loaded already");
    int rc = opam_load_repository(&ctx->universe, path, &ctx->vars, NULL, &ctx->err);
    if (rc != VSOLVE_OK) {
        universe_free(&ctx->universe);
        universe_init(&ctx->universe);
        return rc;
    }
    ctx->loaded = 1;
    return VSOLVE_OK;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static vsolve_result *make_result(const vs_universe *u, const vs_request *req, const vs_solution *s)
{
    vsolve_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = s->pkgs.len;
    r->names = calloc(n ? n : 1, sizeof *r->names);
    r->versions = calloc(n ? n : 1, sizeof *r->versions);
    r->reasons = calloc(n ? n : 1, sizeof *r->reasons);
    r->explanation = dupstr(s->explanation ? s->explanation : "");
    if (!r->names || !r->versions || !r->reasons || !r->explanation) {
        vsolve_result_free(r);
        return NULL;
    }
    r->count = n;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = s->pkgs.items[i], by = s->pulled_by.items[i];
        r->names[i] = dupstr(universe_pkg_name(u, p));
        r->versions[i] = dupstr(universe_pkg_version(u, p));
        if (by == VS_NONE) {
            uint32_t a = s->pulled_by_atom.items[i];
            r->reasons[i] = dupstr(a == VS_NONE ? "request" : universe_str(u, req->atoms.items[a].desc));
        } else {
            const char *bn = universe_pkg_name(u, by), *bv = universe_pkg_version(u, by);
            size_t len = strlen(bn) + strlen(bv) + 2;
            r->reasons[i] = malloc(len);
            if (r->reasons[i])
                snprintf(r->reasons[i], len, "%s.%s", bn, bv);
        }
        if (!r->names[i] || !r->versions[i] || !r->reasons[i]) {
            vsolve_result_free(r);
            return NULL;
        }
    }
    return r;
}

int vsolve_solve(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms, vsolve_result **out)
{
    vs_error_clear(&ctx->err);
    if (out)
        *out = NULL;
    if (!out || (!atoms && n_atoms))
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve: needs atoms and a result pointer");
    if (!ctx->loaded)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_solve: load a repository first");
    vs_request req;
    request_init(&req);
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
    if (rc != VSOLVE_OK) {
        request_free(&req);
        return rc;
    }
    vs_solution s;
    solution_init(&s);
    rc = vs_solve(&ctx->universe, &req, &s);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        *out = make_result(&ctx->universe, &req, &s);
        if (!*out)
            rc = VSOLVE_ENOMEM;
    }
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(&ctx->err, rc, "out of memory while solving");
    else if (rc == VSOLVE_UNSAT)
        vs_error_set(&ctx->err, rc, "%s", s.explanation ? s.explanation : "unsatisfiable");
    solution_free(&s);
    request_free(&req);
    return rc;
}

size_t vsolve_result_count(const vsolve_result *r) { return r ? r->count : 0; }
const char *vsolve_result_name(const vsolve_result *r, size_t i) { return r && i < r->count ? r->names[i] : NULL; }
const char *vsolve_result_version(const vsolve_result *r, size_t i) { return r && i < r->count ? r->versions[i] : NULL; }
const char *vsolve_result_reason(const vsolve_result *r, size_t i) { return r && i < r->count ? r->reasons[i] : NULL; }
const char *vsolve_result_explanation(const vsolve_result *r) { return r ? r->explanation : ""; }

void vsolve_result_free(vsolve_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->names[i]);
        free(r->versions[i]);
        free(r->reasons[i]);
    }
    free(r->names);
    free(r->versions);
    free(r->reasons);
    free(r->explanation);
    free(r);
}

int vsolve_dump_testcase(vsolve_ctx *ctx, const char *const *atoms, size_t n_atoms,
                         const vsolve_result *r, const char *path)
{
    (void)r;   /* the answer is recomputed: solving is deterministic */
    vs_error_clear(&ctx->err);
    if (!ctx->loaded || !path)
        return vs_error_set(&ctx->err, VSOLVE_EUSAGE, "vsolve_dump_testcase: load a repository and give a path");
    vs_request req;
    request_init(&req);
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n_atoms && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(&ctx->universe, &req, atoms[i], &ctx->err);
    vs_solution s;
    solution_init(&s);
    if (rc == VSOLVE_OK)
        rc = vs_solve(&ctx->universe, &req, &s);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        FILE *f = fopen(path, "w");
        if (!f) {
            rc = vs_error_set(&ctx->err, VSOLVE_EIO, "%s: cannot write the test case", path);
        } else {
            rc = testcase_write(f, &ctx->universe, &req, &s, "saved by vsolve --dump-testcase");
            if (fclose(f) != 0 || rc != VSOLVE_OK)
                rc = vs_error_set(&ctx->err, VSOLVE_EIO, "%s: cannot write the test case", path);
        }
    }
    solution_free(&s);
    request_free(&req);
    return rc;
}
