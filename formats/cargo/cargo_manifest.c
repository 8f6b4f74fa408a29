/* cargo_manifest.c: reading Cargo.toml (the root's dependencies and features) and Cargo.lock
 * (versions to keep). */
#include "cargo_manifest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "repo_source.h"
#include "toml.h"

static int bad(vs_error *err, const char *file, const toml_value *at, const char *fmt, const char *arg)
{
    char what[900];
    snprintf(what, sizeof what, fmt, arg);
    return vs_error_at(err, file, at ? at->line : 1, at ? at->col : 1, "%s", what);
}

static const char *str_of(const toml_value *v)
{
    return v && v->kind == TOML_STRING ? v->str : NULL;
}

static int string_list(arena *a, const char *file, const toml_value *arr, const char ***out, size_t *n, vs_error *err)
{
    *out = NULL;
    *n = 0;
    if (!arr)
        return VSOLVE_OK;
    if (arr->kind != TOML_ARRAY)
        return bad(err, file, arr, "expected a list of %s", "strings");
    *out = arena_alloc(a, (arr->n ? arr->n : 1) * sizeof **out);
    if (!*out)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < arr->n; i++) {
        if (arr->items[i]->kind != TOML_STRING)
            return bad(err, file, arr->items[i], "expected a %s", "string");
        (*out)[i] = arr->items[i]->str;
    }
    *n = arr->n;
    return VSOLVE_OK;
}

/* One entry of a dependency table: `name = "req"` or `name = { version = ..., ... }`. */
static int read_dep(arena *a, const char *file, const char *name, const toml_value *spec, cargo_dep_kind kind,
                    const char *target, cargo_dep *dep, const char **dep_path, vs_error *err)
{
    memset(dep, 0, sizeof *dep);
    *dep_path = NULL;
    dep->name = name;
    dep->package = name;
    dep->kind = kind;
    dep->target = target;
    dep->default_features = 1;
    const char *req = NULL;
    const toml_value *at = spec;
    if (spec->kind == TOML_STRING) {
        req = spec->str;
    } else if (spec->kind == TOML_TABLE) {
        const toml_value *v;
        if ((v = toml_get(spec, "workspace")) != NULL)
            return bad(err, file, v, "dependency %s inherits from a workspace, which vsolve does not read", name);
        if ((v = toml_get(spec, "path")) != NULL) {
            const char *dir = str_of(v);
            if (!dir || !*dir)
                return bad(err, file, v, "expected the path of dependency %s as a string", name);
            const char *slash = strrchr(file, '/');
            int base = slash ? (int)(slash - file) : 1;
            size_t n = (size_t)base + strlen(dir) + 16;
            char *p = arena_alloc(a, n);
            if (!p)
                return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            if (dir[0] == '/')
                snprintf(p, n, "%s/Cargo.toml", dir);
            else
                snprintf(p, n, "%.*s/%s/Cargo.toml", base, slash ? file : ".", dir);
            *dep_path = p;
        }
        if ((v = toml_get(spec, "git")) != NULL)
            return bad(err, file, v, "dependency %s is a git dependency; vsolve resolves registry dependencies only", name);
        if ((v = toml_get(spec, "version")) != NULL) {
            if (!(req = str_of(v)))
                return bad(err, file, v, "expected the version requirement of %s as a string", name);
            at = v;
        }
        if ((v = toml_get(spec, "package")) != NULL && !(dep->package = str_of(v)))
            return bad(err, file, v, "expected the package name of %s as a string", name);
        if ((v = toml_get(spec, "optional")) != NULL) {
            if (v->kind != TOML_BOOL)
                return bad(err, file, v, "expected optional = true or false for %s", name);
            dep->optional = v->b;
        }
        const toml_value *df = toml_get(spec, "default-features");
        if (!df)
            df = toml_get(spec, "default_features");
        if (df) {
            if (df->kind != TOML_BOOL)
                return bad(err, file, df, "expected default-features = true or false for %s", name);
            dep->default_features = df->b;
        }
        int rc = string_list(a, file, toml_get(spec, "features"), &dep->features, &dep->n_features, err);
        if (rc != VSOLVE_OK)
            return rc;
    } else {
        return bad(err, file, spec, "expected a version requirement or a table for dependency %s", name);
    }
    if (!cargo_name_valid(dep->package))   /* names become index paths: nothing else gets there */
        return bad(err, file, spec, "\"%.200s\" is not a crate name (ASCII letters, digits, '-' and '_')", dep->package);
    if (!req)
        req = "*";   /* cargo warns and treats a missing version as any */
    dep->req_text = req;
    char why[256];
    if (semver_req_parse(a, req, strlen(req), &dep->req, why, sizeof why) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "expected a version requirement for %.100s, found \"%.200s\" (%.200s)", name, req, why);
        return bad(err, file, at, "%s", msg);
    }
    return VSOLVE_OK;
}

static int read_dep_table(arena *a, const char *file, const toml_value *table, cargo_dep_kind kind, const char *target,
                          cargo_manifest *m, size_t cap, vs_error *err)
{
    if (!table)
        return VSOLVE_OK;
    if (table->kind != TOML_TABLE)
        return bad(err, file, table, "expected a %s", "table of dependencies");
    for (size_t i = 0; i < table->n && m->n_deps < cap; i++) {
        int rc = read_dep(a, file, table->keys[i], table->items[i], kind, target, &m->deps[m->n_deps],
                          &m->dep_paths[m->n_deps], err);
        if (rc != VSOLVE_OK)
            return rc;
        m->n_deps++;
    }
    return VSOLVE_OK;
}

static size_t count_deps(const toml_value *section)
{
    size_t n = 0;
    static const char *const kinds[] = { "dependencies", "dev-dependencies", "dev_dependencies",
                                         "build-dependencies", "build_dependencies" };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const toml_value *t = toml_get(section, kinds[k]);
        if (t && t->kind == TOML_TABLE)
            n += t->n;
    }
    return n;
}

static int read_all_deps(arena *a, const char *file, const toml_value *section, const char *target,
                         cargo_manifest *m, size_t cap, vs_error *err)
{
    int rc = read_dep_table(a, file, toml_get(section, "dependencies"), CARGO_NORMAL, target, m, cap, err);
    const char *dev[] = { "dev-dependencies", "dev_dependencies" }, *build[] = { "build-dependencies", "build_dependencies" };
    for (int i = 0; i < 2 && rc == VSOLVE_OK; i++)
        rc = read_dep_table(a, file, toml_get(section, dev[i]), CARGO_DEV, target, m, cap, err);
    for (int i = 0; i < 2 && rc == VSOLVE_OK; i++)
        rc = read_dep_table(a, file, toml_get(section, build[i]), CARGO_BUILD, target, m, cap, err);
    return rc;
}

int cargo_manifest_read(arena *a, const char *path, cargo_manifest *m, vs_error *err)
{
    memset(m, 0, sizeof *m);
    m->path = arena_strndup(a, path, strlen(path));
    size_t len;
    char *text = repo_read_file(path, &len, err);
    if (!text)
        return err->code ? err->code : VSOLVE_EIO;
    toml_value *doc = toml_parse(a, m->path, text, len, err);
    free(text);
    if (!doc)
        return err->code;
    const toml_value *pkg = toml_get(doc, "package");
    if (!pkg || pkg->kind != TOML_TABLE)
        return bad(err, path, pkg ? pkg : doc, "expected a %s table (a workspace root without a package is not supported)", "[package]");
    const toml_value *v;
    if (!(m->name = str_of(toml_get(pkg, "name"))))
        return bad(err, path, toml_get(pkg, "name") ? toml_get(pkg, "name") : pkg, "expected package.%s as a string", "name");
    v = toml_get(pkg, "version");
    m->version = str_of(v) ? str_of(v) : "0.0.0";
    m->links = str_of(toml_get(pkg, "links"));
    m->rust_version = str_of(toml_get(pkg, "rust-version"));
    m->resolver = str_of(toml_get(pkg, "resolver"));
    const toml_value *ws = toml_get(doc, "workspace");
    if (!m->resolver && ws)
        m->resolver = str_of(toml_get(ws, "resolver"));

    size_t cap = count_deps(doc);
    const toml_value *targets = toml_get(doc, "target");
    if (targets && targets->kind == TOML_TABLE)
        for (size_t i = 0; i < targets->n; i++)
            cap += count_deps(targets->items[i]);
    m->deps = arena_alloc(a, (cap ? cap : 1) * sizeof *m->deps);
    m->dep_paths = arena_alloc(a, (cap ? cap : 1) * sizeof *m->dep_paths);
    if (!m->deps || !m->dep_paths)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    int rc = read_all_deps(a, path, doc, NULL, m, cap, err);
    if (rc == VSOLVE_OK && targets && targets->kind == TOML_TABLE)
        for (size_t i = 0; i < targets->n && rc == VSOLVE_OK; i++)
            rc = read_all_deps(a, path, targets->items[i], targets->keys[i], m, cap, err);
    if (rc != VSOLVE_OK)
        return rc;

    const toml_value *feats = toml_get(doc, "features");
    if (feats) {
        if (feats->kind != TOML_TABLE)
            return bad(err, path, feats, "expected a %s table", "[features]");
        m->features = arena_alloc(a, (feats->n ? feats->n : 1) * sizeof *m->features);
        if (!m->features)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        for (size_t i = 0; i < feats->n && rc == VSOLVE_OK; i++) {
            cargo_feature *f = &m->features[m->n_features++];
            f->name = feats->keys[i];
            rc = string_list(a, path, feats->items[i], &f->items, &f->n_items, err);
        }
    }
    return rc;
}

int cargo_lock_read(arena *a, const char *path, cargo_locked **out, size_t *n, vs_error *err)
{
    *out = NULL;
    *n = 0;
    size_t len;
    char *text = repo_read_file(path, &len, err);
    if (!text)
        return err->code ? err->code : VSOLVE_EIO;
    toml_value *doc = toml_parse(a, arena_strndup(a, path, strlen(path)), text, len, err);
    free(text);
    if (!doc)
        return err->code;
    const toml_value *pkgs = toml_get(doc, "package");
    if (!pkgs)
        return VSOLVE_OK;
    if (pkgs->kind != TOML_ARRAY)
        return bad(err, path, pkgs, "expected %s entries", "[[package]]");
    *out = arena_alloc(a, (pkgs->n ? pkgs->n : 1) * sizeof **out);
    if (!*out)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < pkgs->n; i++) {
        const toml_value *p = pkgs->items[i];
        cargo_locked *l = &(*out)[*n];
        l->name = str_of(toml_get(p, "name"));
        l->version = str_of(toml_get(p, "version"));
        l->source = str_of(toml_get(p, "source"));
        if (!l->name || !l->version)
            return bad(err, path, p, "expected name and version in each %s", "[[package]]");
        (*n)++;
    }
    return VSOLVE_OK;
}
