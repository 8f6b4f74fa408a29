/* cargo_index.c: reading a crates index lazily: crate files located by cargo's path rule and
 * parsed (one JSON object per line) only when a crate is asked for. */
#include "cargo_index.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "strpool.h"
#include "vec.h"
#include "json.h"
#include "repo_source.h"
#include "cargo_image.h"

typedef struct tar_file {
    size_t offset, len;       /* in the spill file */
} tar_file;

struct cargo_index {
    arena mem;                 /* parsed crates */
    uint64_t max_inflate;      /* the most an archive index inflates to (0: the default) */
    char dir[PATH_MAX];        /* a directory index: its root; "" for an archive */
    /* an archive index: every file's bytes, by path relative to the index root, written to an
     * unlinked temporary file (the spill) as the archive streams by, read back when asked for:
     * the inflated index (180 MB for crates.io in 2019) is never held in memory */
    int spill;                 /* its descriptor, or -1 */
    size_t spill_len;          /* bytes written */
    char *pending;             /* written in blocks of SPILL_BLOCK */
    size_t pending_len;
    strpool paths;             /* path id -> files[id] */
    VEC(tar_file) files;
    /* crates asked for so far: name id -> crate, or NULL when absent */
    strpool names;
    VEC(cargo_crate *) crates;
    VEC(char *) texts;         /* a directory index: the crate files read, kept for their lines */
    size_t files_read;
    /* the registry image, when one is used: crates read from it; an archive is spilled only
     * when a crate has to be read from the archive after all (a stale or corrupt record) */
    cargo_image *img;
    int img_used;
    char archive[PATH_MAX];    /* an archive index not spilled yet: its path; else "" */
    char img_trouble[sizeof ((vs_error *)0)->message];     /* why the image is not (wholly) used, or "" */
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
    size_t n = strlen(name);
    /* "1/", "2/", "3/c/" or "ab/cd/", the name in lower case, a NUL */
    size_t dir = n == 1 || n == 2 ? 2 : n == 3 ? 4 : 6, w = dir + n;
    if (n == 0 || n >= 256 || w >= size) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    char *p = buf;
    if (n <= 2) {
        *p++ = (char)('0' + n);
    } else if (n == 3) {
        *p++ = '3';
        *p++ = '/';
        *p++ = (char)tolower((unsigned char)name[0]);
    } else {
        *p++ = (char)tolower((unsigned char)name[0]);
        *p++ = (char)tolower((unsigned char)name[1]);
        *p++ = '/';
        *p++ = (char)tolower((unsigned char)name[2]);
        *p++ = (char)tolower((unsigned char)name[3]);
    }
    *p++ = '/';
    for (size_t i = 0; i <= n; i++)
        p[i] = (char)tolower((unsigned char)name[i]);
    return w;
}

const char *cargo_index_member_path(const char *path)
{
    const char *slash = strchr(path, '/');
    if (slash && slash - path > 2)
        return slash + 1;
    return path;
}

#define SPILL_BLOCK (1u << 20)

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static int flush_spill(cargo_index *ix)
{
    int rc = write_all(ix->spill, ix->pending, ix->pending_len);
    ix->pending_len = 0;
    return rc;
}

/* Appends to the spill file. */
static int spill(cargo_index *ix, const char *data, size_t len)
{
    if (ix->pending_len + len > SPILL_BLOCK && flush_spill(ix) != 0)
        return -1;
    if (len > SPILL_BLOCK)
        return write_all(ix->spill, data, len);
    memcpy(ix->pending + ix->pending_len, data, len);
    ix->pending_len += len;
    return 0;
}

/* An unlinked temporary file in $TMPDIR (else /tmp) for the spill; -1 when none can be made. */
static int open_spill(void)
{
    const char *dir = getenv("TMPDIR");
    char path[PATH_MAX];
    if (!dir || !dir[0] || snprintf(path, sizeof path, "%s/vsolve-index-XXXXXX", dir) >= (int)sizeof path)
        snprintf(path, sizeof path, "/tmp/vsolve-index-XXXXXX");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int keep_file(void *user, const char *path, const char *data, size_t len)
{
    cargo_index *ix = user;
    const char *rel = cargo_index_member_path(path);
    uint32_t id = strpool_intern(&ix->paths, rel, strlen(rel));
    if (id == UINT32_MAX)
        return VSOLVE_ENOMEM;
    tar_file f = { ix->spill_len, len };
    if (spill(ix, data, len) != 0)
        return VSOLVE_EIO;
    ix->spill_len += len;
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

int cargo_index_root(const char *path, char *root, size_t size, int *archive, vs_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot read the index", path);
    *archive = !S_ISDIR(st.st_mode);
    snprintf(root, size, "%s", path);
    if (*archive)
        return VSOLVE_OK;
    /* a directory, possibly holding the index one folder down */
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/index/config.json", path);
    if (stat(probe, &st) == 0)
        snprintf(root, size, "%s/index", path);
    return VSOLVE_OK;
}

/* Streams an archive index into the spill file (cargo_index_open's note). */
static int open_archive(cargo_index *ix, const char *path, vs_error *err)
{
    ix->spill = open_spill();
    ix->pending = malloc(SPILL_BLOCK);
    if (ix->spill < 0 || !ix->pending)
        return vs_error_set(err, ix->pending ? VSOLVE_EIO : VSOLVE_ENOMEM,
                            "%s: no temporary file to unpack the index into", path);
    int rc = repo_source_walk(path, ix->max_inflate, want_index_file, keep_file, ix, err);
    if (rc == VSOLVE_EIO && !err->code)
        vs_error_set(err, rc, "%s: cannot write the unpacked index to a temporary file", path);
    if (rc == VSOLVE_OK && flush_spill(ix) != 0)
        rc = vs_error_set(err, VSOLVE_EIO, "%s: cannot write the unpacked index to a temporary file", path);
    free(ix->pending);
    ix->pending = NULL;
    if (rc == VSOLVE_ENOMEM && !err->code)
        vs_error_set(err, rc, "out of memory reading %s", path);
    return rc;
}

cargo_index *cargo_index_open_image(const char *path, const char *image_path, uint64_t max_inflate, vs_error *err)
{
    cargo_index *ix = calloc(1, sizeof *ix);
    if (!ix) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    ix->max_inflate = max_inflate;
    ix->spill = -1;
    arena_init_large(&ix->mem);
    if (strpool_init(&ix->paths) != VSOLVE_OK || strpool_init(&ix->names) != VSOLVE_OK) {
        cargo_index_close(ix);
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    char root[PATH_MAX];
    int archive = 0;
    if (cargo_index_root(path, root, sizeof root, &archive, err) != VSOLVE_OK) {
        cargo_index_close(ix);
        return NULL;
    }
    if (image_path) {
        vs_error why;
        vs_error_clear(&why);
        ix->img = cargo_image_open(image_path, root, archive, &why);
        ix->img_used = ix->img != NULL;
        if (!ix->img)
            snprintf(ix->img_trouble, sizeof ix->img_trouble, "%s", why.message);
    }
    if (!archive) {
        snprintf(ix->dir, sizeof ix->dir, "%s", root);
        return ix;
    }
    if (ix->img) {   /* spilled only if a crate must be read from the archive */
        snprintf(ix->archive, sizeof ix->archive, "%s", path);
        return ix;
    }
    if (open_archive(ix, path, err) != VSOLVE_OK) {
        cargo_index_close(ix);
        return NULL;
    }
    return ix;
}

cargo_index *cargo_index_open(const char *path, vs_error *err)
{
    return cargo_index_open_image(path, NULL, 0, err);
}

const char *cargo_index_image_trouble(const cargo_index *ix) { return ix->img_trouble[0] ? ix->img_trouble : NULL; }

int cargo_index_image_used(const cargo_index *ix) { return ix->img_used; }

void cargo_index_close(cargo_index *ix)
{
    if (!ix)
        return;
    arena_free(&ix->mem);
    cargo_image_close(ix->img);
    if (ix->spill >= 0)
        close(ix->spill);
    free(ix->pending);
    strpool_free(&ix->paths);
    strpool_free(&ix->names);
    vec_free(&ix->files);
    vec_free(&ix->crates);
    for (size_t i = 0; i < ix->texts.len; i++)
        free(ix->texts.items[i]);
    vec_free(&ix->texts);
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

int cargo_parse_index_line_tree(arena *a, const char *file, unsigned lineno, const char *line, size_t len,
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
    v->parsed = 1;
out:
    arena_free(&scratch);
    return rc;
}

/* ---- one line, read directly ---------------------------------------------------------------
 * The quick reader pulls the fields vsolve uses straight out of the line (json_reader: the same
 * grammar and checks as json_parse, no tree) and copies only those. It takes the lines crates.io
 * writes; anything else (malformed JSON, a field of an unexpected type, a repeated field, a NUL
 * character, a bad version or requirement) it hands back untouched, and the tree reader above
 * parses that line: its results and its messages are the reference. */

typedef VEC(const char *) str_vec;

typedef struct quick_scratch {
    VEC(cargo_dep) deps;
    VEC(cargo_feature) features, features2;
    str_vec strs;
} quick_scratch;

static const char *quick_copy(arena *a, const char *s, size_t n, int allow_nul)
{
    if (!allow_nul && memchr(s, '\0', n))
        return NULL;
    return arena_strndup(a, s, n);
}

/* A list of strings (or null) at the reader's position, as parse_string_list reads it. */
static int quick_strings(json_reader *r, arena *a, str_vec *strs, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int kind = json_reader_peek(r);
    if (kind == JSON_NULL)
        return json_reader_skip(r);
    if (kind != JSON_ARRAY || json_reader_enter(r) != 0)
        return -1;
    size_t base = strs->len;
    int more;
    while ((more = json_reader_item(r)) == 1) {
        const char *s;
        size_t len;
        if (json_reader_peek(r) != JSON_STRING || json_reader_string(r, &s, &len) != 0)
            return -1;
        const char *copy = arena_strndup(a, s, len);
        if (!copy || !vec_push(strs, copy))
            return -1;
    }
    if (more != 0)
        return -1;
    size_t count = strs->len - base;
    *out = arena_alloc_uninit(a, (count ? count : 1) * sizeof **out);
    if (!*out)
        return -1;
    if (count)
        memcpy(*out, strs->items + base, count * sizeof **out);
    *n = count;
    strs->len = base;
    return 0;
}

/* Is the member key[0..len) the field `name`? */
static int key_is(const char *key, size_t len, const char *name)
{
    return len == strlen(name) && !memcmp(key, name, len);
}

/* Which of fields[0..n) (lengths in lens) the key is, or n. */
static unsigned field_of(const char *key, size_t len, const char *const *fields, const unsigned char *lens,
                         unsigned n)
{
    for (unsigned f = 0; f < n; f++)
        if (lens[f] == len && key[0] == fields[f][0] && !memcmp(key, fields[f], len))
            return f;
    return n;
}

/* One deps[] entry, as parse_dep reads it. */
static int quick_dep(json_reader *r, arena *a, quick_scratch *q, cargo_dep *dep)
{
    if (json_reader_peek(r) != JSON_OBJECT || json_reader_enter(r) != 0)
        return -1;
    memset(dep, 0, sizeof *dep);
    dep->default_features = 1;
    dep->kind = CARGO_NORMAL;
    unsigned seen = 0;
    const char *key;
    size_t key_len;
    int more;
    while ((more = json_reader_member(r, &key, &key_len)) == 1) {
        static const char *const fields[] = { "name", "req", "package", "target", "optional",
                                              "default_features", "kind", "features" };
        static const unsigned char lens[] = { 4, 3, 7, 6, 8, 16, 4, 8 };
        unsigned f = field_of(key, key_len, fields, lens, 8);
        if (f == 8) {
            if (json_reader_skip(r) != 0)
                return -1;
            continue;
        }
        if (seen & (1u << f))
            return -1;   /* a repeated field: the first counts, as json_get reads it */
        seen |= 1u << f;
        int kind = json_reader_peek(r), b;
        const char *s;
        size_t len;
        if (f == 7) {
            if (quick_strings(r, a, &q->strs, &dep->features, &dep->n_features) != 0)
                return -1;
        } else if (kind == JSON_STRING && f <= 3) {
            if (json_reader_string(r, &s, &len) != 0)
                return -1;
            const char *copy = quick_copy(a, s, len, 0);
            if (!copy)
                return -1;
            if (f == 0)
                dep->name = copy;
            else if (f == 1)
                dep->req_text = copy;
            else if (f == 2)
                dep->package = copy;
            else
                dep->target = copy;
        } else if (kind == JSON_STRING && f == 6) {
            if (json_reader_string(r, &s, &len) != 0 || memchr(s, '\0', len))
                return -1;
            if (key_is(s, len, "dev"))
                dep->kind = CARGO_DEV;
            else if (key_is(s, len, "build"))
                dep->kind = CARGO_BUILD;
        } else if (kind == JSON_BOOL && (f == 4 || f == 5)) {
            if (json_reader_bool(r, &b) != 0)
                return -1;
            if (f == 4)
                dep->optional = b;
            else
                dep->default_features = b;
        } else if (f <= 1) {
            return -1;   /* name and req must be strings */
        } else if (json_reader_skip(r) != 0) {
            return -1;   /* package, target, kind, optional, default_features of another type: ignored */
        }
    }
    if (more != 0 || !dep->name || !dep->req_text)
        return -1;
    if (!dep->package)
        dep->package = dep->name;
    char why[256];
    if (semver_req_parse(a, dep->req_text, strlen(dep->req_text), &dep->req, why, sizeof why) != 0)
        return -1;
    /* old registries published dependencies asking for the feature "": cargo drops it */
    size_t kept = 0;
    for (size_t i = 0; i < dep->n_features; i++)
        if (dep->features[i][0])
            dep->features[kept++] = dep->features[i];
    dep->n_features = kept;
    return 0;
}

/* A "features" or "features2" object (or null), its features appended to out. */
static int quick_features(json_reader *r, arena *a, quick_scratch *q, void *out_vec)
{
    VEC(cargo_feature) *out = out_vec;
    int kind = json_reader_peek(r);
    if (kind == JSON_NULL)
        return json_reader_skip(r);
    if (kind != JSON_OBJECT || json_reader_enter(r) != 0)
        return -1;
    const char *key;
    size_t key_len;
    int more;
    while ((more = json_reader_member(r, &key, &key_len)) == 1) {
        cargo_feature f;
        f.name = arena_strndup(a, key, key_len);
        if (!f.name || quick_strings(r, a, &q->strs, &f.items, &f.n_items) != 0 || !vec_push(out, f))
            return -1;
    }
    return more;
}

enum { Q_NAME, Q_VERS, Q_DEPS, Q_FEATURES, Q_FEATURES2, Q_YANKED, Q_LINKS, Q_CKSUM, Q_RUST_VERSION, Q_FIELDS };

/* Reads the line into v: 0, or -1 when the tree reader must (v and a's new memory unused). */
static int quick_line(json_reader *r, arena *a, quick_scratch *q, cargo_version *v)
{
    static const char *const fields[Q_FIELDS] = { "name", "vers", "deps", "features", "features2",
                                                  "yanked", "links", "cksum", "rust_version" };
    static const unsigned char lens[Q_FIELDS] = { 4, 4, 4, 8, 9, 6, 5, 5, 12 };
    if (json_reader_peek(r) != JSON_OBJECT || json_reader_enter(r) != 0)
        return -1;
    unsigned seen = 0;
    int has_deps = 0;
    const char *key;
    size_t key_len;
    int more;
    while ((more = json_reader_member(r, &key, &key_len)) == 1) {
        unsigned f = field_of(key, key_len, fields, lens, Q_FIELDS);
        if (f == Q_FIELDS) {
            if (json_reader_skip(r) != 0)
                return -1;
            continue;
        }
        if (seen & (1u << f))
            return -1;
        seen |= 1u << f;
        int kind = json_reader_peek(r), rc = 0;
        const char *s;
        size_t len;
        switch (f) {
        case Q_DEPS:
            if (kind == JSON_NULL) {
                rc = json_reader_skip(r);
                break;
            }
            if (kind != JSON_ARRAY || json_reader_enter(r) != 0)
                return -1;
            has_deps = 1;
            while (rc == 0 && (more = json_reader_item(r)) == 1) {
                cargo_dep dep;
                rc = quick_dep(r, a, q, &dep) != 0 || !vec_push(&q->deps, dep) ? -1 : 0;
            }
            if (more != 0)
                return -1;
            break;
        case Q_FEATURES:
        case Q_FEATURES2:
            rc = quick_features(r, a, q, f == Q_FEATURES ? (void *)&q->features : (void *)&q->features2);
            break;
        case Q_YANKED:
            if (kind == JSON_BOOL)
                rc = json_reader_bool(r, &v->yanked);
            else
                rc = json_reader_skip(r);
            break;
        default:   /* name, vers, links, cksum, rust_version: strings, or ignored */
            if (kind != JSON_STRING) {
                if (f == Q_NAME || f == Q_VERS)
                    return -1;
                rc = json_reader_skip(r);
                break;
            }
            if (json_reader_string(r, &s, &len) != 0)
                return -1;
            const char *copy = quick_copy(a, s, len, f == Q_RUST_VERSION);
            if (!copy)
                return -1;
            if (f == Q_NAME)
                v->name = copy;
            else if (f == Q_VERS)
                v->vers = copy;
            else if (f == Q_LINKS)
                v->links = copy;
            else if (f == Q_CKSUM)
                v->cksum = copy;
            else
                v->rust_version = copy;
            break;
        }
        if (rc != 0)
            return -1;
    }
    if (more != 0 || json_reader_end(r) != 0 || !v->name || !v->vers)
        return -1;
    char why[8];
    if (semver_parse(v->vers, strlen(v->vers), &v->v, why, sizeof why) != 0)
        return -1;
    if (has_deps) {
        v->n_deps = q->deps.len;
        v->deps = arena_alloc_uninit(a, (v->n_deps ? v->n_deps : 1) * sizeof *v->deps);
        if (!v->deps)
            return -1;
        if (v->n_deps)
            memcpy(v->deps, q->deps.items, v->n_deps * sizeof *v->deps);
    }
    size_t n1 = q->features.len, n2 = q->features2.len;
    if (n1 + n2) {
        v->features = arena_alloc_uninit(a, (n1 + n2) * sizeof *v->features);
        if (!v->features)
            return -1;
        if (n1)
            memcpy(v->features, q->features.items, n1 * sizeof *v->features);
        if (n2)
            memcpy(v->features + n1, q->features2.items, n2 * sizeof *v->features);
        v->n_features = n1 + n2;
    }
    v->parsed = 1;
    return 0;
}

int cargo_parse_index_line(arena *a, const char *file, unsigned lineno, const char *line, size_t len,
                           cargo_version *v, vs_error *err)
{
    vs_error quiet;
    vs_error_clear(&quiet);
    json_reader r;
    json_reader_init(&r, file, line, len, &quiet);
    quick_scratch q;
    memset(&q, 0, sizeof q);
    memset(v, 0, sizeof *v);
    int rc = quick_line(&r, a, &q, v);
    json_reader_done(&r);
    vec_free(&q.deps);
    vec_free(&q.features);
    vec_free(&q.features2);
    vec_free(&q.strs);
    if (rc == 0)
        return VSOLVE_OK;
    return cargo_parse_index_line_tree(a, file, lineno, line, len, v, err);
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
    return repo_read_file(path, ix->max_inflate, len, err);
}

/* The quick scan of a line: its "vers" string, when the line starts {"name":"NAME","vers":" with
 * exactly the name asked for (as crates.io writes them), that "vers" is plainly written (no
 * escapes) and it parses; else 0 and the line is parsed whole at once. That "vers" is the
 * object's first member of the name, the one the whole parse takes (json_get: the first). */
static int scan_version(const char *line, size_t len, const char *name, cargo_version *v)
{
    size_t n = strlen(name);
    if (len < n + 20 || memcmp(line, "{\"name\":\"", 9) != 0 || memcmp(line + 9, name, n) != 0 ||
        memcmp(line + 9 + n, "\",\"vers\":\"", 10) != 0)
        return 0;
    const char *end = line + len, *at = line + 9 + n + 10;
    const char *q = at;
    while (q < end && *q != '"' && *q != '\\')
        q++;
    if (q >= end || *q != '"')
        return 0;
    char why[8];
    if (semver_parse(at, (size_t)(q - at), &v->v, why, sizeof why) != 0)
        return 0;
    v->vers = at;   /* not NUL-terminated: used only through v->v until the line is parsed */
    return 1;
}

static char *read_spilled(const cargo_index *ix, tar_file f, size_t *len)
{
    char *buf = malloc(f.len + 1);
    for (size_t got = 0; buf && got < f.len;) {
        ssize_t r = pread(ix->spill, buf + got, f.len - got, (off_t)(f.offset + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return NULL;
        }
        got += (size_t)r;
    }
    if (buf) {
        buf[f.len] = '\0';
        *len = f.len;
    }
    return buf;
}

/* The crate file rel from the index itself, not the image (an archive the image stood for is
 * opened now): NULL with err clear when there is none, NULL with err set when it cannot be
 * read. The caller frees it. */
static char *index_text(cargo_index *ix, const char *rel, size_t *len, vs_error *err)
{
    if (ix->archive[0]) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s", ix->archive);
        ix->archive[0] = '\0';
        if (open_archive(ix, path, err) != VSOLVE_OK)
            return NULL;
    }
    if (ix->dir[0])
        return read_dir_file(ix, rel, len, err);
    uint32_t pid = strpool_find(&ix->paths, rel, strlen(rel));
    if (pid == UINT32_MAX || pid < 1 || pid >= ix->files.len)
        return NULL;
    char *text = read_spilled(ix, ix->files.items[pid], len);
    if (!text)
        vs_error_set(err, VSOLVE_EIO, "%s: cannot read the unpacked index back", rel);
    return text;
}

/* cargo's rules for the lines of one crate file: a line whose "name" is not exactly the name
 * asked for is not this crate (crate names differ only in case at most: "alpha" and "ALPHA"
 * share a file, and cargo matches names exactly); and of several lines of one version (equal
 * under semver precedence) the last wins, as in cargo's version map. Returns the version's
 * slot in c->versions[0..n), or n for a new one. */
static size_t version_slot(const cargo_crate *c, const cargo_version *v)
{
    for (size_t i = 0; i < c->n_versions; i++) {
        const semver_version *w = &c->versions[i].v;   /* equal versions have equal numbers */
        if (w->patch == v->v.patch && w->minor == v->v.minor && w->major == v->v.major &&
            semver_compare(w, &v->v) == 0)
            return i;
    }
    return c->n_versions;
}

static int parse_crate_file(cargo_index *ix, const char *rel, const char *name, const char *text, size_t len,
                            cargo_crate *c, vs_error *err)
{
    size_t lines = 0;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    c->versions = arena_alloc(&ix->mem, (lines + 1) * sizeof *c->versions);
    if (!c->versions)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    const char *file = c->file = arena_strndup(&ix->mem, rel, strlen(rel));
    if (!file)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
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
            memset(&v, 0, sizeof v);
            v.line = p;
            v.line_len = (size_t)(stop - p);
            v.lineno = lineno;
            int ours = scan_version(p, v.line_len, name, &v);
            if (!ours) {
                int rc = cargo_parse_index_line(&ix->mem, file, lineno, p, (size_t)(stop - p), &v, err);
                if (rc != VSOLVE_OK)
                    return rc;
                ours = !strcmp(v.name, name);
            }
            if (ours) {
                size_t slot = version_slot(c, &v);
                c->versions[slot] = v;
                c->n_versions += slot == c->n_versions;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return VSOLVE_OK;
}

/* Version v of crate c, whose body in the image turned out damaged (why): its line read from
 * the index itself, as when a whole record is (the image is rebuilt after the solve). An index
 * without that version is an error (the image said it had it: a crafted image). */
static const cargo_version *version_from_index(cargo_index *ix, const cargo_crate *c, cargo_version *v,
                                               const vs_error *why, vs_error *err)
{
    if (!ix->img_trouble[0])
        snprintf(ix->img_trouble, sizeof ix->img_trouble, "%s", why->message);
    vs_error_clear(err);
    size_t len = 0;
    char *text = index_text(ix, c->file, &len, err);
    cargo_crate file;
    memset(&file, 0, sizeof file);
    int rc = text ? parse_crate_file(ix, c->file, c->name, text, len, &file, err)
                  : err->code ? err->code : vs_error_set(err, VSOLVE_EIO, "%s: no longer in the index", c->file);
    size_t slot = rc == VSOLVE_OK ? version_slot(&file, v) : 0;
    if (rc == VSOLVE_OK && slot == file.n_versions)
        rc = vs_error_set(err, VSOLVE_EIO, "%s: %s %s is in the image, not in the index", c->file, c->name, v->vers);
    cargo_version full;
    if (rc == VSOLVE_OK && (rc = cargo_parse_index_line(&ix->mem, c->file, file.versions[slot].lineno,
                                                         file.versions[slot].line, file.versions[slot].line_len, &full,
                                                         err)) == VSOLVE_OK)
        *v = full;
    free(text);   /* the line is parsed: nothing points into it */
    return rc == VSOLVE_OK ? v : NULL;
}

const cargo_version *cargo_index_version(cargo_index *ix, const cargo_crate *c, size_t i, vs_error *err)
{
    cargo_version *v = &c->versions[i];
    if (v->parsed)
        return v;
    if (v->from_image) {
        vs_error why;
        int rc = cargo_image_version(ix->img, &ix->mem, c, v, &why);
        if (rc == VSOLVE_EBADINPUT)
            return version_from_index(ix, c, v, &why, err);
        if (rc != VSOLVE_OK)
            *err = why;
        return rc == VSOLVE_OK ? v : NULL;
    }
    cargo_version full;
    if (cargo_parse_index_line(&ix->mem, c->file, v->lineno, v->line, v->line_len, &full, err) != VSOLVE_OK)
        return NULL;
    *v = full;
    return v;
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
    if (ix->img) {
        cargo_crate *c = arena_alloc(&ix->mem, sizeof *c);
        if (!c) {
            vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            return NULL;
        }
        vs_error why;
        vs_error_clear(&why);
        switch (cargo_image_crate(ix->img, &ix->mem, rel, name, c, &text, &len, &why)) {
        case CARGO_IMAGE_ABSENT:
            return NULL;
        case CARGO_IMAGE_FOUND:
            c->name = arena_strndup(&ix->mem, name, strlen(name));
            c->file = arena_strndup(&ix->mem, rel, strlen(rel));
            if (!c->name || !c->file) {
                vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
                return NULL;
            }
            ix->files_read++;
            ix->crates.items[id] = c;
            return c;
        case CARGO_IMAGE_TEXT:
            break;
        case CARGO_IMAGE_UNUSABLE:
            if (why.code == VSOLVE_ENOMEM) {
                *err = why;
                return NULL;
            }
            if (!ix->img_trouble[0])
                snprintf(ix->img_trouble, sizeof ix->img_trouble, "%s", why.message);
            text = NULL;   /* read from the index itself */
            break;
        }
    }
    if (!text) {   /* not a crate file the image keeps as text (parsed below as the index's own) */
        text = owned = index_text(ix, rel, &len, err);
        if (!text && err->code)
            return NULL;
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
    if (owned && (rc != VSOLVE_OK || !vec_push(&ix->texts, owned))) {   /* kept for the unparsed lines */
        free(owned);
        if (rc == VSOLVE_OK)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    if (rc != VSOLVE_OK)
        return NULL;
    ix->crates.items[id] = c;
    return c;
}
