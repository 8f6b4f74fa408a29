/* cargo_index.c: reading a crates index lazily: crate files located by cargo's path rule and
 * parsed (one JSON object per line) only when a crate is asked for. */
#include "cargo_index.h"
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "strpool.h"
#include "vec.h"
#include "json.h"
#include "repo_source.h"

typedef struct tar_file {
    size_t offset, len;       /* in the kept archive bytes */
} tar_file;

struct cargo_index {
    arena mem;                 /* parsed crates */
    char dir[PATH_MAX];        /* a directory index: its root; "" for an archive */
    /* an archive index: every file's bytes, by path relative to the index root */
    char *bytes;
    size_t bytes_len, bytes_cap;
    strpool paths;             /* path id -> files[id] */
    VEC(tar_file) files;
    /* crates asked for so far: name id -> crate, or NULL when absent */
    strpool names;
    VEC(cargo_crate *) crates;
    size_t files_read;
};

int cargo_name_valid(const char *name)
{
    size_t n = 0;
    for (; name[n]; n++)
        if (!isalnum((unsigned char)name[n]) && name[n] != '-' && name[n] != '_')
            return 0;
    return n >= 1 && n <= CARGO_NAME_MAX;
}

size_t cargo_index_path(const char *name, char *buf, size_t size)
{
    char low[256];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof low) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    int w;
    if (n == 1)
        w = snprintf(buf, size, "1/%s", low);
    else if (n == 2)
        w = snprintf(buf, size, "2/%s", low);
    else if (n == 3)
        w = snprintf(buf, size, "3/%c/%s", low[0], low);
    else
        w = snprintf(buf, size, "%c%c/%c%c/%s", low[0], low[1], low[2], low[3], low);
    return w < 0 ? 0 : (size_t)w;
}

/* "crates.io-index/se/rd/serde" -> "se/rd/serde": the index may sit under one top folder,
 * whose name is not a layout directory (those have 1 or 2 characters). */
static const char *relative_path(const char *path)
{
    const char *slash = strchr(path, '/');
    if (slash && slash - path > 2)
        return slash + 1;
    return path;
}

static int keep_file(void *user, const char *path, const char *data, size_t len)
{
    cargo_index *ix = user;
    const char *rel = relative_path(path);
    uint32_t id = strpool_intern(&ix->paths, rel, strlen(rel));
    if (id == UINT32_MAX || !vec_grow_((void **)&ix->bytes, &ix->bytes_cap, ix->bytes_len + len + 1, 1))
        return VSOLVE_ENOMEM;
    tar_file f = { ix->bytes_len, len };
    memcpy(ix->bytes + ix->bytes_len, data, len);
    ix->bytes[ix->bytes_len + len] = '\0';
    ix->bytes_len += len + 1;
    while (ix->files.len <= id)   /* files are indexed by path id */
        if (!vec_push(&ix->files, ((tar_file){ 0, 0 })))
            return VSOLVE_ENOMEM;
    ix->files.items[id] = f;
    return VSOLVE_OK;
}

static int want_index_file(void *user, const char *path)
{
    (void)user;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strcmp(base, "config.json") != 0 && base[0] != '.' && strstr(path, "/.git/") == NULL;
}

cargo_index *cargo_index_open(const char *path, vs_error *err)
{
    cargo_index *ix = calloc(1, sizeof *ix);
    if (!ix) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    arena_init(&ix->mem);
    if (strpool_init(&ix->paths) != VSOLVE_OK || strpool_init(&ix->names) != VSOLVE_OK) {
        cargo_index_close(ix);
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        cargo_index_close(ix);
        vs_error_set(err, VSOLVE_EIO, "%s: cannot read the index", path);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        /* a directory, possibly holding the index one folder down */
        snprintf(ix->dir, sizeof ix->dir, "%s", path);
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/index/config.json", path);
        if (stat(probe, &st) == 0)
            snprintf(ix->dir, sizeof ix->dir, "%s/index", path);
        return ix;
    }
    int rc = repo_source_walk(path, want_index_file, keep_file, ix, err);
    if (rc != VSOLVE_OK) {
        if (rc == VSOLVE_ENOMEM && !err->code)
            vs_error_set(err, rc, "out of memory reading %s", path);
        cargo_index_close(ix);
        return NULL;
    }
    return ix;
}

void cargo_index_close(cargo_index *ix)
{
    if (!ix)
        return;
    arena_free(&ix->mem);
    free(ix->bytes);
    strpool_free(&ix->paths);
    strpool_free(&ix->names);
    vec_free(&ix->files);
    vec_free(&ix->crates);
    free(ix);
}

size_t cargo_index_files_read(const cargo_index *ix) { return ix->files_read; }

/* ---- one line ---------------------------------------------------------------------------- */

/* A string holding "\u0000" would be cut where C reads it: such a field is refused. */
static int has_nul(const json_value *v)
{
    return v && v->kind == JSON_STRING && strlen(v->str) != v->len;
}

static const char *copy_str(arena *a, const json_value *v)
{
    return v && v->kind == JSON_STRING ? arena_strndup(a, v->str, v->len) : NULL;
}

static int bad_line(vs_error *err, const char *file, unsigned lineno, const json_value *at, const char *what)
{
    return vs_error_at(err, file, lineno, at ? at->col : 1, "expected %s", what);
}

static int parse_string_list(arena *a, const char *file, unsigned lineno, const json_value *arr,
                             const char ***out, size_t *n, vs_error *err)
{
    *out = NULL;
    *n = 0;
    if (!arr || arr->kind == JSON_NULL)
        return VSOLVE_OK;
    if (arr->kind != JSON_ARRAY)
        return bad_line(err, file, lineno, arr, "a list of strings");
    *out = arena_alloc(a, (arr->n ? arr->n : 1) * sizeof **out);
    if (!*out)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < arr->n; i++) {
        if (arr->items[i]->kind != JSON_STRING)
            return bad_line(err, file, lineno, arr->items[i], "a string");
        if (!((*out)[i] = copy_str(a, arr->items[i])))
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    *n = arr->n;
    return VSOLVE_OK;
}

static int parse_features(arena *a, const char *file, unsigned lineno, const json_value *obj, cargo_version *v,
                          size_t cap, vs_error *err)
{
    if (!obj || obj->kind == JSON_NULL)
        return VSOLVE_OK;
    if (obj->kind != JSON_OBJECT)
        return bad_line(err, file, lineno, obj, "an object of features");
    for (size_t i = 0; i < obj->n && v->n_features < cap; i++) {
        cargo_feature *f = &v->features[v->n_features++];
        f->name = arena_strndup(a, obj->keys[i], obj->key_lens ? obj->key_lens[i] : strlen(obj->keys[i]));
        if (!f->name)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        int rc = parse_string_list(a, file, lineno, obj->items[i], &f->items, &f->n_items, err);
        if (rc != VSOLVE_OK)
            return rc;
    }
    return VSOLVE_OK;
}

static int parse_dep(arena *a, const char *file, unsigned lineno, const json_value *d, cargo_dep *dep, vs_error *err)
{
    if (d->kind != JSON_OBJECT)
        return bad_line(err, file, lineno, d, "a dependency object");
    const json_value *name = json_get(d, "name"), *req = json_get(d, "req"), *kind = json_get(d, "kind");
    const json_value *pkg = json_get(d, "package"), *target = json_get(d, "target");
    const json_value *opt = json_get(d, "optional"), *def = json_get(d, "default_features");
    if (!name || name->kind != JSON_STRING)
        return bad_line(err, file, lineno, name ? name : d, "a dependency \"name\" string");
    if (!req || req->kind != JSON_STRING)
        return bad_line(err, file, lineno, req ? req : d, "a dependency \"req\" string");
    if (has_nul(name) || has_nul(req) || has_nul(pkg) || has_nul(target))
        return bad_line(err, file, lineno, d, "dependency fields without a NUL character (\\u0000)");
    memset(dep, 0, sizeof *dep);
    dep->name = copy_str(a, name);
    dep->package = pkg && pkg->kind == JSON_STRING ? copy_str(a, pkg) : dep->name;
    dep->req_text = copy_str(a, req);
    dep->target = target && target->kind == JSON_STRING ? copy_str(a, target) : NULL;
    dep->optional = opt && opt->kind == JSON_BOOL && opt->b;
    dep->default_features = !(def && def->kind == JSON_BOOL && !def->b);
    dep->kind = CARGO_NORMAL;
    if (kind && kind->kind == JSON_STRING) {
        if (!strcmp(kind->str, "dev"))
            dep->kind = CARGO_DEV;
        else if (!strcmp(kind->str, "build"))
            dep->kind = CARGO_BUILD;
    }
    if (!dep->name || !dep->package || !dep->req_text)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    char why[256];
    if (semver_req_parse(a, req->str, req->len, &dep->req, why, sizeof why) != 0)
        return vs_error_at(err, file, lineno, req->col, "expected a version requirement, found \"%s\": %s", req->str, why);
    int rc = parse_string_list(a, file, lineno, json_get(d, "features"), &dep->features, &dep->n_features, err);
    /* old registries published dependencies asking for the feature "": cargo drops it */
    size_t kept = 0;
    for (size_t i = 0; rc == VSOLVE_OK && i < dep->n_features; i++)
        if (dep->features[i][0])
            dep->features[kept++] = dep->features[i];
    dep->n_features = kept;
    return rc;
}

int cargo_parse_index_line(arena *a, const char *file, unsigned lineno, const char *line, size_t len,
                           cargo_version *v, vs_error *err)
{
    arena scratch;
    arena_init(&scratch);
    memset(v, 0, sizeof *v);
    vs_error jerr;
    vs_error_clear(&jerr);
    json_value *doc = json_parse(&scratch, file, line, len, &jerr);
    int rc = VSOLVE_OK;
    if (!doc) {
        /* the JSON reader counts lines within this one line: report the file's line */
        const char *col = strchr(jerr.message + strlen(file) + 1, ':');
        rc = vs_error_set(err, jerr.code, "%s:%u:%s", file, lineno, col ? col + 1 : jerr.message);
        goto out;
    }
    if (doc->kind != JSON_OBJECT) {
        rc = bad_line(err, file, lineno, doc, "a JSON object per line");
        goto out;
    }
    const json_value *name = json_get(doc, "name"), *vers = json_get(doc, "vers");
    if (!name || name->kind != JSON_STRING) {
        rc = bad_line(err, file, lineno, name ? name : doc, "a \"name\" string");
        goto out;
    }
    if (!vers || vers->kind != JSON_STRING) {
        rc = bad_line(err, file, lineno, vers ? vers : doc, "a \"vers\" string");
        goto out;
    }
    const json_value *nul_check[] = { name, vers, json_get(doc, "cksum"), json_get(doc, "links") };
    for (size_t i = 0; i < 4; i++)
        if (has_nul(nul_check[i])) {
            rc = bad_line(err, file, lineno, nul_check[i], "a string without a NUL character (\\u0000)");
            goto out;
        }
    v->name = copy_str(a, name);
    v->vers = copy_str(a, vers);
    if (!v->name || !v->vers) {
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        goto out;
    }
    char why[256];
    if (semver_parse(v->vers, strlen(v->vers), &v->v, why, sizeof why) != 0) {
        rc = vs_error_at(err, file, lineno, vers->col, "expected a semver version, found \"%s\": %s", v->vers, why);
        goto out;
    }
    const json_value *deps = json_get(doc, "deps");
    if (deps && deps->kind == JSON_ARRAY) {
        v->deps = arena_alloc(a, (deps->n ? deps->n : 1) * sizeof *v->deps);
        if (!v->deps) {
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < deps->n && rc == VSOLVE_OK; i++)
            rc = parse_dep(a, file, lineno, deps->items[i], &v->deps[v->n_deps++], err);
    } else if (deps && deps->kind != JSON_NULL) {
        rc = bad_line(err, file, lineno, deps, "a \"deps\" list");
    }
    const json_value *f1 = json_get(doc, "features"), *f2 = json_get(doc, "features2");
    size_t cap = (f1 && f1->kind == JSON_OBJECT ? f1->n : 0) + (f2 && f2->kind == JSON_OBJECT ? f2->n : 0);
    if (rc == VSOLVE_OK && cap) {
        v->features = arena_alloc(a, cap * sizeof *v->features);
        if (!v->features)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    if (rc == VSOLVE_OK)
        rc = parse_features(a, file, lineno, f1, v, cap, err);
    if (rc == VSOLVE_OK)
        rc = parse_features(a, file, lineno, f2, v, cap, err);
    const json_value *yanked = json_get(doc, "yanked"), *links = json_get(doc, "links");
    const json_value *cksum = json_get(doc, "cksum"), *rv = json_get(doc, "rust_version");
    v->yanked = yanked && yanked->kind == JSON_BOOL && yanked->b;
    v->links = links && links->kind == JSON_STRING ? copy_str(a, links) : NULL;
    v->cksum = cksum && cksum->kind == JSON_STRING ? copy_str(a, cksum) : NULL;
    v->rust_version = rv && rv->kind == JSON_STRING ? copy_str(a, rv) : NULL;
out:
    arena_free(&scratch);
    return rc;
}

/* ---- crates ------------------------------------------------------------------------------- */

/* A crate file of a directory index: NULL with err clear when there is none, NULL with err set
 * when it cannot be read (or is not a regular file). */
static char *read_dir_file(const cargo_index *ix, const char *rel, size_t *len, vs_error *err)
{
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", ix->dir, rel);
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    return repo_read_file(path, len, err);
}

/* cargo's rules for the lines of one crate file: a line whose "name" is not exactly the name
 * asked for is not this crate (crate names differ only in case at most: "alpha" and "ALPHA"
 * share a file, and cargo matches names exactly); and of several lines of one version (equal
 * under semver precedence) the last wins, as in cargo's version map. Returns the version's
 * slot in c->versions[0..n), or n for a new one. */
static size_t version_slot(const cargo_crate *c, const cargo_version *v)
{
    for (size_t i = 0; i < c->n_versions; i++)
        if (semver_compare(&c->versions[i].v, &v->v) == 0)
            return i;
    return c->n_versions;
}

static int parse_crate_file(cargo_index *ix, const char *rel, const char *name, const char *text, size_t len,
                            cargo_crate *c, vs_error *err)
{
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    c->versions = arena_alloc(&ix->mem, (lines + 1) * sizeof *c->versions);
    if (!c->versions)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    const char *file = arena_strndup(&ix->mem, rel, strlen(rel));
    unsigned lineno = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        lineno++;
        const char *q = p;
        while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < stop) {
            cargo_version v;
            int rc = cargo_parse_index_line(&ix->mem, file, lineno, p, (size_t)(stop - p), &v, err);
            if (rc != VSOLVE_OK)
                return rc;
            if (!strcmp(v.name, name)) {
                size_t slot = version_slot(c, &v);
                c->versions[slot] = v;
                c->n_versions += slot == c->n_versions;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return VSOLVE_OK;
}

const cargo_crate *cargo_index_crate(cargo_index *ix, const char *name, vs_error *err)
{
    vs_error_clear(err);
    uint32_t id = strpool_intern(&ix->names, name, strlen(name));
    if (id == UINT32_MAX) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    if (id < ix->crates.len && ix->crates.items[id])
        return ix->crates.items[id];
    while (ix->crates.len <= id)
        if (!vec_push(&ix->crates, NULL)) {
            vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            return NULL;
        }
    if (!cargo_name_valid(name)) {
        vs_error_set(err, VSOLVE_EBADINPUT, "\"%.*s\" is not a crate name (1 to %d ASCII letters, digits, '-' and '_')",
                     200, name, CARGO_NAME_MAX);
        return NULL;
    }
    char rel[300];
    if (!cargo_index_path(name, rel, sizeof rel))
        return NULL;
    const char *text = NULL;
    char *owned = NULL;
    size_t len = 0;
    if (ix->dir[0]) {
        text = owned = read_dir_file(ix, rel, &len, err);
        if (!text && err->code)
            return NULL;
    } else {
        uint32_t pid = strpool_find(&ix->paths, rel, strlen(rel));
        if (pid != UINT32_MAX && pid >= 1 && pid < ix->files.len) {
            text = ix->bytes + ix->files.items[pid].offset;
            len = ix->files.items[pid].len;
        }
    }
    if (!text)
        return NULL;   /* no such crate */
    ix->files_read++;
    cargo_crate *c = arena_alloc(&ix->mem, sizeof *c);
    int rc = c ? VSOLVE_OK : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (rc == VSOLVE_OK) {
        c->name = arena_strndup(&ix->mem, name, strlen(name));
        rc = parse_crate_file(ix, rel, name, text, len, c, err);
    }
    free(owned);
    if (rc != VSOLVE_OK)
        return NULL;
    ix->crates.items[id] = c;
    return c;
}
