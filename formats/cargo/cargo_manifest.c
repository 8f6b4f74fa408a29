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
                    const char *target, const cargo_workspace *ws, cargo_dep *dep, const char **dep_path,
                    const cargo_git_ref **dep_git, vs_error *err);

/* `name = { workspace = true, features = [...], optional = ... }`: the entry of
 * [workspace.dependencies] (its path from the workspace's folder), with the member's features
 * added and its `optional`, as cargo merges them. */
static int inherit_dep(arena *a, const char *file, const char *name, const toml_value *spec, cargo_dep_kind kind,
                       const char *target, const cargo_workspace *ws, cargo_dep *dep, const char **dep_path,
                       const cargo_git_ref **dep_git, vs_error *err)
{
    const toml_value *flag = toml_get(spec, "workspace");
    if (flag->kind != TOML_BOOL || !flag->b)
        return bad(err, file, flag, "expected `workspace = true` for dependency %s", name);
    const toml_value *entry = ws ? toml_get(toml_get(ws->table, "dependencies"), name) : NULL;
    if (!entry) {
        char msg[700];
        snprintf(msg, sizeof msg, "error inheriting `%.150s` from workspace root manifest's `workspace.dependencies.%.150s`: "
                 "`dependency.%.150s` was not found in `workspace.dependencies`%s", name, name, name,
                 ws ? "" : " (no [workspace] above it)");
        return bad(err, file, flag, "%s", msg);
    }
    if (toml_get(entry, "workspace"))
        return bad(err, ws->path, entry, "dependency %s of [workspace.dependencies] cannot inherit again", name);
    int rc = read_dep(a, ws->path, name, entry, kind, target, NULL, dep, dep_path, dep_git, err);
    if (rc != VSOLVE_OK)
        return rc;
    const toml_value *v;
    if ((v = toml_get(spec, "optional")) != NULL) {
        if (v->kind != TOML_BOOL)
            return bad(err, file, v, "expected optional = true or false for %s", name);
        dep->optional = v->b;
    }
    const toml_value *df = toml_get(spec, "default-features");
    if (df && df->kind == TOML_BOOL && df->b)   /* a member may turn default features on, not off */
        dep->default_features = 1;
    const char **more;
    size_t n_more;
    if ((rc = string_list(a, file, toml_get(spec, "features"), &more, &n_more, err)) != VSOLVE_OK || !n_more)
        return rc;
    const char **all = arena_alloc(a, (dep->n_features + n_more) * sizeof *all);
    if (!all)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < dep->n_features; i++)
        all[i] = dep->features[i];
    for (size_t i = 0; i < n_more; i++)
        all[dep->n_features + i] = more[i];
    dep->features = all;
    dep->n_features += n_more;
    return VSOLVE_OK;
}

static int read_dep(arena *a, const char *file, const char *name, const toml_value *spec, cargo_dep_kind kind,
                    const char *target, const cargo_workspace *ws, cargo_dep *dep, const char **dep_path,
                    const cargo_git_ref **dep_git, vs_error *err)
{
    memset(dep, 0, sizeof *dep);
    *dep_path = NULL;
    *dep_git = NULL;
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
        if (toml_get(spec, "workspace"))
            return inherit_dep(a, file, name, spec, kind, target, ws, dep, dep_path, dep_git, err);
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
        if ((v = toml_get(spec, "git")) != NULL) {
            if (!str_of(v) || !*v->str)
                return bad(err, file, v, "expected the git URL of dependency %s as a string", name);
            if (*dep_path)
                return bad(err, file, v, "dependency (%s) specification is ambiguous: only one of `git` or `path` is allowed", name);
            cargo_git_ref *g = arena_alloc(a, sizeof *g);
            if (!g)
                return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            memset(g, 0, sizeof *g);
            g->url = v->str;
            static const char *const kinds[] = { "tag", "branch", "rev" };
            for (int k = 0; k < 3; k++) {
                const toml_value *r = toml_get(spec, kinds[k]);
                if (!r)
                    continue;
                if (!str_of(r) || !*r->str)
                    return bad(err, file, r, "expected `%s` of a git dependency as a string", kinds[k]);
                if (g->kind)
                    return bad(err, file, r, "dependency (%s) specification is ambiguous: only one of `branch`, `tag` or "
                               "`rev` is allowed", name);
                g->kind = kinds[k];
                g->value = r->str;
            }
            *dep_git = g;
        }
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
                          const cargo_workspace *ws, cargo_manifest *m, size_t cap, vs_error *err)
{
    if (!table)
        return VSOLVE_OK;
    if (table->kind != TOML_TABLE)
        return bad(err, file, table, "expected a %s", "table of dependencies");
    for (size_t i = 0; i < table->n && m->n_deps < cap; i++) {
        int rc = read_dep(a, file, table->keys[i], table->items[i], kind, target, ws, &m->deps[m->n_deps],
                          &m->dep_paths[m->n_deps], &m->dep_gits[m->n_deps], err);
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
                         const cargo_workspace *ws, cargo_manifest *m, size_t cap, vs_error *err)
{
    int rc = read_dep_table(a, file, toml_get(section, "dependencies"), CARGO_NORMAL, target, ws, m, cap, err);
    const char *dev[] = { "dev-dependencies", "dev_dependencies" }, *build[] = { "build-dependencies", "build_dependencies" };
    for (int i = 0; i < 2 && rc == VSOLVE_OK; i++)
        rc = read_dep_table(a, file, toml_get(section, dev[i]), CARGO_DEV, target, ws, m, cap, err);
    for (int i = 0; i < 2 && rc == VSOLVE_OK; i++)
        rc = read_dep_table(a, file, toml_get(section, build[i]), CARGO_BUILD, target, ws, m, cap, err);
    return rc;
}

/* A package field: a string, or `field.workspace = true` taken from [workspace.package]. */
static int package_field(const char *file, const toml_value *pkg, const char *key, const cargo_workspace *ws,
                         const char **out, vs_error *err)
{
    const toml_value *v = toml_get(pkg, key);
    *out = str_of(v);
    if (!v || v->kind != TOML_TABLE)
        return VSOLVE_OK;
    const toml_value *flag = toml_get(v, "workspace");
    if (!flag)
        return VSOLVE_OK;
    if (flag->kind != TOML_BOOL || !flag->b)
        return bad(err, file, flag, "expected `%s.workspace = true`", key);
    if (ws && (*out = str_of(toml_get(toml_get(ws->table, "package"), key))) != NULL)
        return VSOLVE_OK;
    char msg[600];
    snprintf(msg, sizeof msg, "error inheriting `%.100s` from workspace root manifest's `workspace.package.%.100s`: "
             "`workspace.package.%.100s` was not defined%s", key, key, key, ws ? "" : " (no [workspace] above it)");
    return bad(err, file, flag, "%s", msg);
}

/* The workspace a root manifest declares, its folder normalized. */
static int read_workspace(arena *a, const char *path, const toml_value *table, cargo_workspace **out, vs_error *err)
{
    if (table->kind != TOML_TABLE)
        return bad(err, path, table, "expected a %s table", "[workspace]");
    cargo_workspace *ws = arena_alloc(a, sizeof *ws);
    size_t n = strlen(path) + 2;
    char *dir = arena_alloc(a, n);
    if (!ws || !dir)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    memset(ws, 0, sizeof *ws);
    const char *slash = strrchr(path, '/');
    char raw[4096];
    snprintf(raw, sizeof raw, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(raw, sizeof raw, "/");
    if (cargo_path_normalize(raw, dir, n) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s: path too long", path);
    ws->path = path;
    ws->dir = dir;
    ws->table = table;
    int rc = string_list(a, path, toml_get(table, "members"), &ws->members, &ws->n_members, err);
    if (rc == VSOLVE_OK)
        rc = string_list(a, path, toml_get(table, "exclude"), &ws->exclude, &ws->n_exclude, err);
    const toml_value *deps = toml_get(table, "dependencies");
    if (rc == VSOLVE_OK && deps && deps->kind != TOML_TABLE)
        rc = bad(err, path, deps, "expected a %s table", "[workspace.dependencies]");
    const toml_value *pkg = toml_get(table, "package");
    if (rc == VSOLVE_OK && pkg && pkg->kind != TOML_TABLE)
        rc = bad(err, path, pkg, "expected a %s table", "[workspace.package]");
    *out = ws;
    return rc;
}

/* [patch.crates-io]: each entry a path package that stands for its crate name (the root's only,
 * as cargo reads patches from the workspace root). */
#define CARGO_CRATES_IO_URL "https://github.com/rust-lang/crates.io-index"

static int read_patches(arena *a, const char *file, const toml_value *patch, const cargo_workspace *ws,
                        cargo_manifest *m, vs_error *err)
{
    if (!patch)
        return VSOLVE_OK;
    if (patch->kind != TOML_TABLE)
        return bad(err, file, patch, "expected a %s table", "[patch]");
    for (size_t i = 0; i < patch->n; i++)
        if (strcmp(patch->keys[i], "crates-io") != 0 && strcmp(patch->keys[i], CARGO_CRATES_IO_URL) != 0)
            return bad(err, file, patch->items[i], "[patch.\"%.200s\"]: vsolve patches crates-io only", patch->keys[i]);
    const toml_value *t = toml_get(patch, "crates-io");
    if (!t)
        t = toml_get(patch, CARGO_CRATES_IO_URL);
    if (!t)
        return VSOLVE_OK;
    if (t->kind != TOML_TABLE)
        return bad(err, file, t, "expected a %s table", "[patch.crates-io]");
    m->patches = arena_alloc(a, (t->n ? t->n : 1) * sizeof *m->patches);
    m->patch_paths = arena_alloc(a, (t->n ? t->n : 1) * sizeof *m->patch_paths);
    if (!m->patches || !m->patch_paths)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->n; i++) {
        const cargo_git_ref *git;
        int rc = read_dep(a, file, t->keys[i], t->items[i], CARGO_NORMAL, NULL, ws, &m->patches[i], &m->patch_paths[i],
                          &git, err);
        if (rc != VSOLVE_OK)
            return rc;
        if (git)
            return bad(err, file, t->items[i], "patch for %s: vsolve applies patches with a `path`, not git ones", t->keys[i]);
        if (!m->patch_paths[i])   /* a version of the one registry: cargo's verdict */
            return bad(err, file, t->items[i], "patch for `%s` points to the same source, but patches must point to "
                       "different sources", t->keys[i]);
        m->n_patches++;
    }
    return VSOLVE_OK;
}

static int read_manifest(arena *a, const char *path, const cargo_workspace *ws, int top, cargo_manifest *m, vs_error *err)
{
    memset(m, 0, sizeof *m);
    m->path = arena_strndup(a, path, strlen(path));
    size_t len;
    char *text = repo_read_file(path, 0, &len, err);
    if (!text)
        return err->code ? err->code : VSOLVE_EIO;
    toml_value *doc = toml_parse(a, m->path, text, len, err);
    free(text);
    if (!doc)
        return err->code;
    const toml_value *wst = toml_get(doc, "workspace");
    if (wst) {   /* a workspace root: its own table is what it and its members inherit */
        cargo_workspace *own;
        int rc = read_workspace(a, m->path, wst, &own, err);
        if (rc != VSOLVE_OK)
            return rc;
        ws = own;
    }
    m->ws = ws;
    const toml_value *pkg = toml_get(doc, "package");
    if ((!pkg && !wst) || (pkg && pkg->kind != TOML_TABLE))
        return bad(err, path, pkg ? pkg : doc, "expected a %s table (or a [workspace] of members)", "[package]");
    int rc = VSOLVE_OK;
    if (pkg) {
        if ((rc = package_field(path, pkg, "name", ws, &m->name, err)) != VSOLVE_OK)
            return rc;
        if (!m->name)
            return bad(err, path, toml_get(pkg, "name") ? toml_get(pkg, "name") : pkg, "expected package.%s as a string", "name");
        if ((rc = package_field(path, pkg, "version", ws, &m->version, err)) != VSOLVE_OK ||
            (rc = package_field(path, pkg, "rust-version", ws, &m->rust_version, err)) != VSOLVE_OK)
            return rc;
        if (!m->version)
            m->version = "0.0.0";
        m->links = str_of(toml_get(pkg, "links"));
        m->resolver = str_of(toml_get(pkg, "resolver"));
    }
    if (!m->resolver && wst)
        m->resolver = str_of(toml_get(wst, "resolver"));

    size_t cap = count_deps(doc);
    const toml_value *targets = toml_get(doc, "target");
    if (targets && targets->kind == TOML_TABLE)
        for (size_t i = 0; i < targets->n; i++)
            cap += count_deps(targets->items[i]);
    m->deps = arena_alloc(a, (cap ? cap : 1) * sizeof *m->deps);
    m->dep_paths = arena_alloc(a, (cap ? cap : 1) * sizeof *m->dep_paths);
    m->dep_gits = arena_alloc(a, (cap ? cap : 1) * sizeof *m->dep_gits);
    if (!m->deps || !m->dep_paths || !m->dep_gits)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    rc = read_all_deps(a, path, doc, NULL, ws, m, cap, err);
    if (rc == VSOLVE_OK && targets && targets->kind == TOML_TABLE)
        for (size_t i = 0; i < targets->n && rc == VSOLVE_OK; i++)
            rc = read_all_deps(a, path, targets->items[i], targets->keys[i], ws, m, cap, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (!pkg && m->n_deps)
        return bad(err, path, doc, "this virtual manifest specifies a `%s` section, which is not allowed", "dependencies");

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
    if (rc == VSOLVE_OK && toml_get(doc, "replace"))
        rc = bad(err, path, toml_get(doc, "replace"), "%s is not supported (cargo deprecates it): use [patch.crates-io]",
                 "[replace]");
    if (rc == VSOLVE_OK && top)
        rc = read_patches(a, path, toml_get(doc, "patch"), ws, m, err);
    if (rc == VSOLVE_OK && wst && top)
        rc = cargo_workspace_members(a, m, err);
    return rc;
}

int cargo_manifest_read(arena *a, const char *path, cargo_manifest *m, vs_error *err)
{
    return read_manifest(a, path, NULL, 1, m, err);
}

int cargo_manifest_read_in(arena *a, const char *path, const cargo_workspace *ws, cargo_manifest *m, vs_error *err)
{
    return read_manifest(a, path, ws, 0, m, err);
}

int cargo_lock_read(arena *a, const char *path, cargo_locked **out, size_t *n, vs_error *err)
{
    *out = NULL;
    *n = 0;
    size_t len;
    char *text = repo_read_file(path, 0, &len, err);
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
