/* npm_registry.c: packument loading from a directory or archive, behind a loader interface, read lazily. */
#include "npm_registry.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "npm_image.h"
#include "repo_source.h"

/* A string-keyed open-addressing table (power-of-two size). */
typedef struct npm_slot {
    char *key;
    char *data;              /* archive loader: the raw document; registry: the document lazy values point into */
    size_t len;
    npm_packument *doc;      /* registry: the packument */
    int fetched;             /* registry: asked already (doc may be NULL: unknown) */
} npm_slot;

typedef struct npm_table {
    npm_slot *slots;
    size_t cap, n;
} npm_table;

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static npm_slot *table_find(npm_table *t, const char *key, int insert)
{
    if (insert && (t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        npm_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].key) {
                size_t j = hash_str(t->slots[i].key) & (ncap - 1);
                while (ns[j].key)
                    j = (j + 1) & (ncap - 1);
                ns[j] = t->slots[i];
            }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    if (!t->cap)
        return NULL;
    size_t j = hash_str(key) & (t->cap - 1);
    while (t->slots[j].key) {
        if (!strcmp(t->slots[j].key, key))
            return &t->slots[j];
        j = (j + 1) & (t->cap - 1);
    }
    if (!insert)
        return NULL;
    if (!(t->slots[j].key = strdup(key)))
        return NULL;
    t->n++;
    return &t->slots[j];
}

static void table_free(npm_table *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->slots[i].key);
        free(t->slots[i].data);
    }
    free(t->slots);
    t->slots = NULL;
    t->cap = t->n = 0;
}

void npm_registry_file_name(const char *name, char *out, size_t size)
{
    size_t o = 0;
    for (; *name && o + 4 < size; name++) {
        if (*name == '/') {
            memcpy(out + o, "%2f", 3);
            o += 3;
        } else
            out[o++] = *name;
    }
    out[o] = 0;
}

/* A member path ".../packuments/@s%2fn.json" or ".../n.json" -> "@s/n"; 0 if not a packument. */
static int name_from_path(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len <= 5 || strcmp(base + len - 5, ".json") != 0 || len - 5 >= size)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < len - 5; i++) {
        if (base[i] == '%' && i + 2 < len - 5 && base[i + 1] == '2' && (base[i + 2] == 'f' || base[i + 2] == 'F')) {
            out[o++] = '/';
            i += 2;
        } else
            out[o++] = base[i];
    }
    out[o] = 0;
    return 1;
}

/* ---- the directory loader: reads DIR/packuments/NAME.json, else DIR/NAME.json ---- */

typedef struct dir_loader {
    char *root;
} dir_loader;

static int dir_fetch(void *user, const char *name, char **data, size_t *len, char *where, size_t where_size,
                     vs_error *err)
{
    dir_loader *d = user;
    char enc[1024];
    npm_registry_file_name(name, enc, sizeof enc);
    const char *layouts[] = { "%s/packuments/%s.json", "%s/%s.json" };
    *data = NULL;
    for (size_t i = 0; i < 2; i++) {
        snprintf(where, where_size, layouts[i], d->root, enc);
        struct stat st;
        if (stat(where, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (!(*data = repo_read_file(where, 0, len, err)))   /* a .json file: never inflated */
            return err->code ? err->code : VSOLVE_EIO;
        return VSOLVE_OK;
    }
    return VSOLVE_OK;
}

static void dir_close(void *user)
{
    dir_loader *d = user;
    if (d)
        free(d->root);
    free(d);
}

/* ---- the archive loader: every *.json member kept in memory, unparsed ---- */

typedef struct tar_loader {
    char *archive;
    npm_table members;
} tar_loader;

static int tar_want(void *user, const char *path)
{
    char name[1024];
    (void)user;
    return name_from_path(path, name, sizeof name);
}

static int tar_keep(void *user, const char *path, const char *data, size_t len)
{
    tar_loader *t = user;
    char name[1024];
    if (!name_from_path(path, name, sizeof name))
        return VSOLVE_OK;
    npm_slot *s = table_find(&t->members, name, 1);
    if (!s)
        return VSOLVE_ENOMEM;
    char *copy = malloc(len + 1);
    if (!copy)
        return VSOLVE_ENOMEM;
    memcpy(copy, data, len);
    copy[len] = 0;
    free(s->data);    /* a later member of the same name wins */
    s->data = copy;
    s->len = len;
    return VSOLVE_OK;
}

static int tar_fetch(void *user, const char *name, char **data, size_t *len, char *where, size_t where_size,
                     vs_error *err)
{
    tar_loader *t = user;
    char enc[1024];
    npm_registry_file_name(name, enc, sizeof enc);
    snprintf(where, where_size, "%s:packuments/%s.json", t->archive, enc);
    npm_slot *s = table_find(&t->members, name, 0);
    *data = NULL;
    if (!s || !s->data)
        return VSOLVE_OK;
    *data = s->data;          /* handed over: the registry keeps only the parse */
    *len = s->len;
    s->data = NULL;
    (void)err;
    return VSOLVE_OK;
}

static void tar_close(void *user)
{
    tar_loader *t = user;
    if (!t)
        return;
    table_free(&t->members);
    free(t->archive);
    free(t);
}

/* ---- the registry ---- */

struct npm_registry {
    npm_loader loader;
    npm_table docs;
    arena mem;     /* parsed documents */
    /* the registry image, when one is used (a directory registry): packuments read from it */
    npm_image *img;
    char root[PATH_MAX];
    char img_trouble[sizeof ((vs_error *)0)->message];   /* why the image is not (wholly) used, or "" */
};

npm_registry *npm_registry_from_loader(npm_loader loader, vs_error *err)
{
    npm_registry *r = calloc(1, sizeof *r);
    if (!r) {
        if (loader.close)
            loader.close(loader.user);
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    r->loader = loader;
    arena_init_large(&r->mem);   /* the packuments a solve reads: megabytes */
    return r;
}

npm_registry *npm_registry_open(const char *path, uint64_t max_inflate, vs_error *err)
{
    return npm_registry_open_image(path, NULL, max_inflate, err);
}

npm_registry *npm_registry_open_image(const char *path, const char *image_path, uint64_t max_inflate, vs_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        vs_error_set(err, VSOLVE_EIO, "%s: cannot open the npm registry (no such file or directory)", path);
        return NULL;
    }
    npm_loader loader = { 0 };
    if (S_ISDIR(st.st_mode)) {
        dir_loader *d = calloc(1, sizeof *d);
        if (!d || !(d->root = strdup(path))) {
            free(d);
            vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            return NULL;
        }
        loader = (npm_loader){ d, dir_fetch, dir_close };
    } else {
        tar_loader *t = calloc(1, sizeof *t);
        if (!t || !(t->archive = strdup(path))) {
            free(t);
            vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            return NULL;
        }
        int rc = repo_source_walk(path, max_inflate, tar_want, tar_keep, t, err);
        if (rc != VSOLVE_OK) {
            if (!err->code)
                vs_error_set(err, rc, "%s: cannot read the npm registry archive", path);
            tar_close(t);
            return NULL;
        }
        loader = (npm_loader){ t, tar_fetch, tar_close };
    }
    npm_registry *r = npm_registry_from_loader(loader, err);
    if (r && image_path && S_ISDIR(st.st_mode)) {
        vs_error why;
        vs_error_clear(&why);
        snprintf(r->root, sizeof r->root, "%s", path);
        if (!(r->img = npm_image_open(image_path, path, &why)))
            snprintf(r->img_trouble, sizeof r->img_trouble, "%s", why.message);
    }
    return r;
}

const char *npm_registry_image_trouble(const npm_registry *r) { return r->img_trouble[0] ? r->img_trouble : NULL; }

struct npm_packument {
    arena *mem;
    const char *file;
    const json_value *tags;
    size_t n;                     /* the keys of "versions" */
    const char *const *keys;
    const size_t *key_lens;
    const json_value *versions;   /* read from the JSON: keys built, manifests lazy */
    npm_image *img;               /* read from the registry image: versions decoded on demand */
    npm_image_doc *idoc;
    npm_registry *reg;            /* the image's: to read the JSON when a record turns out damaged */
    const char *name;
    npm_version_meta *meta;       /* per version: engines and deprecated, once asked (meta_done) */
    unsigned char *meta_done;
    const json_value **full;      /* per version: the manifest built whole, or NULL */
    npm_version *sv;              /* per version: its key parsed (sv_state 1), not a version (2) */
    unsigned char *sv_state;
};

/* Reads the document: JSON syntax everywhere, then the shape npm relies on. */
static int read_packument(npm_registry *r, const char *file, const char *data, size_t len, npm_packument **out,
                          vs_error *err)
{
    /* one pass: the top level and its members built, the manifests (and anything else two
     * levels down) left as text */
    const json_value *doc = json_parse_lazy(&r->mem, file, data, len, 2, err);
    if (!doc)
        return err->code ? err->code : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (doc->kind != JSON_OBJECT)
        return vs_error_at(err, file, doc->line, doc->col, "expected a packument (a JSON object), found %s",
                           json_kind_name(doc->kind));
    npm_packument *p = arena_alloc(&r->mem, sizeof *p);
    if (!p)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    p->mem = &r->mem;
    p->file = file;
    const json_value *versions = json_get(doc, "versions"), *tags = json_get(doc, "dist-tags");
    if (versions && versions->kind != JSON_OBJECT)
        return vs_error_at(err, file, versions->line, versions->col, "expected \"versions\" to be an object, found %s",
                           json_kind_name(versions->kind));
    if (tags && json_is_lazy(tags) && !(tags = json_expand(&r->mem, file, tags, UINT_MAX, err)))
        return err->code;
    for (size_t i = 0; versions && i < versions->n; i++) {   /* npm would fail on these too: say where */
        const json_value *m = versions->items[i];
        if (m->kind != JSON_OBJECT)
            return vs_error_at(err, file, m->line, m->col, "expected the manifest of version \"%s\" (an object), found %s",
                               versions->keys[i], json_kind_name(m->kind));
        if (versions->key_lens && versions->key_lens[i] != strlen(versions->keys[i]))
            return vs_error_at(err, file, m->line, m->col, "expected a version without a NUL character (\\u0000)");
    }
    p->tags = tags;
    p->versions = versions;
    size_t n = versions ? versions->n : 0;
    p->n = n;
    p->keys = n ? versions->keys : NULL;
    p->key_lens = n ? versions->key_lens : NULL;
    if (n && (!(p->meta = arena_alloc(&r->mem, n * sizeof *p->meta)) ||
              !(p->meta_done = arena_alloc(&r->mem, n)) ||
              !(p->full = arena_alloc(&r->mem, n * sizeof *p->full))))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    *out = p;
    return VSOLVE_OK;
}

/* The packument from the image: 1 (*out set, NULL when the registry has no such package), 0
 * when the JSON must be read instead, -1 on an error (err set). */
static int image_get(npm_registry *r, const char *name, npm_packument **out, vs_error *err)
{
    npm_image_doc *doc = arena_alloc(&r->mem, sizeof *doc);
    if (!doc)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory"), -1;
    vs_error why;
    vs_error_clear(&why);
    switch (npm_image_get(r->img, &r->mem, name, doc, &why)) {
    case NPM_IMAGE_ABSENT:
        return 1;
    case NPM_IMAGE_JSON:
        return 0;
    case NPM_IMAGE_UNUSABLE:
        if (why.code == VSOLVE_ENOMEM)
            return *err = why, -1;
        if (!r->img_trouble[0])
            snprintf(r->img_trouble, sizeof r->img_trouble, "%s", why.message);
        return 0;
    case NPM_IMAGE_FOUND:
        break;
    }
    char where[PATH_MAX + 2400];   /* as the directory loader names it, cut short as it cuts it */
    snprintf(where, sizeof where, "%s/%s", r->root, doc->rel);
    where[2047] = '\0';
    npm_packument *p = arena_alloc(&r->mem, sizeof *p);
    size_t n = doc->n;
    if (!p || !(p->file = arena_strndup(&r->mem, where, strlen(where))) ||
        (n && (!(p->meta = arena_alloc(&r->mem, n * sizeof *p->meta)) || !(p->meta_done = arena_alloc(&r->mem, n)) ||
               !(p->full = arena_alloc(&r->mem, n * sizeof *p->full)))))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory"), -1;
    p->mem = &r->mem;
    p->tags = doc->tags;
    p->n = n;
    p->keys = doc->keys;
    p->key_lens = doc->key_lens;
    p->versions = NULL;
    p->img = r->img;
    p->idoc = doc;
    p->sv = doc->sv;   /* parsed when the image was written */
    p->sv_state = doc->sv_state;
    p->reg = r;
    if (!(p->name = arena_strndup(&r->mem, name, strlen(name))))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory"), -1;
    *out = p;
    return 1;
}

int npm_registry_get(npm_registry *r, const char *name, npm_packument **out, vs_error *err)
{
    *out = NULL;
    npm_slot *s = table_find(&r->docs, name, 0);
    if (s && s->fetched) {
        *out = s->doc;
        return VSOLVE_OK;
    }
    if (!(s = table_find(&r->docs, name, 1)))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    s->fetched = 1;
    if (r->img) {
        int got = image_get(r, name, &s->doc, err);
        if (got < 0)
            return err->code;
        if (got) {
            *out = s->doc;
            return VSOLVE_OK;
        }
    }
    char *data = NULL, where[2048];
    size_t len = 0;
    int rc = r->loader.fetch(r->loader.user, name, &data, &len, where, sizeof where, err);
    if (rc != VSOLVE_OK || !data)
        return rc;
    char *fit = realloc(data, len + 1);   /* a reader may leave room to spare: give it back */
    if (fit)
        data = fit;
    s->data = data;   /* the lazy values point into it: kept as long as the registry */
    s->len = len;
    char *file = arena_strndup(&r->mem, where, strlen(where));
    if (!file)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    npm_packument *p = NULL;
    if ((rc = read_packument(r, file, data, len, &p, err)) != VSOLVE_OK)
        return rc;
    s->doc = p;
    *out = p;
    return VSOLVE_OK;
}

const json_value *npm_packument_tags(const npm_packument *p) { return p->tags; }

size_t npm_packument_count(const npm_packument *p) { return p->n; }

const char *npm_packument_version(const npm_packument *p, size_t i) { return p->keys[i]; }

int npm_packument_semver(npm_packument *p, size_t i, const npm_version **out)
{
    *out = NULL;
    if (!p->sv_state) {
        npm_version *sv = arena_alloc(p->mem, p->n * sizeof *sv);
        unsigned char *state = arena_alloc(p->mem, p->n);
        if (!sv || !state)
            return VSOLVE_ENOMEM;
        p->sv = sv;
        p->sv_state = state;
    }
    if (!p->sv_state[i]) {
        npm_options loose = { 1, 0 };
        p->sv_state[i] = npm_version_parse(p->mem, p->keys[i], loose, &p->sv[i]) == 0 ? 1 : 2;
    }
    if (p->sv_state[i] == 1)
        *out = &p->sv[i];
    return VSOLVE_OK;
}

long npm_packument_find(const npm_packument *p, const char *version)
{
    size_t n = strlen(version);
    for (size_t i = 0; i < npm_packument_count(p); i++)
        if (p->key_lens[i] == n && !memcmp(p->keys[i], version, n))
            return (long)i;
    return -1;
}

/* A version of p the image could not give (a damaged manifest, rc the error in err): p is read
 * again from the JSON, as without an image, its answers so far kept (the same file: its size
 * and modification time were checked); the image's trouble says why. */
static int from_json(npm_packument *p, int rc, vs_error *err)
{
    npm_registry *r = p->reg;
    if (rc == VSOLVE_ENOMEM)
        return rc;
    if (!r->img_trouble[0])
        snprintf(r->img_trouble, sizeof r->img_trouble, "%s", err->message);
    vs_error_clear(err);
    npm_slot *s = table_find(&r->docs, p->name, 0);
    char *data = NULL, where[2048];
    size_t len = 0;
    if (!s)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if ((rc = r->loader.fetch(r->loader.user, p->name, &data, &len, where, sizeof where, err)) != VSOLVE_OK)
        return rc;
    if (!data)
        return vs_error_set(err, VSOLVE_EIO, "%s: the packument of %s went away during the solve", r->root, p->name);
    free(s->data);
    s->data = data;   /* the lazy values point into it */
    s->len = len;
    npm_packument *q = NULL;
    if ((rc = read_packument(r, p->file, data, len, &q, err)) != VSOLVE_OK)
        return rc;
    if (q->n != p->n)
        return vs_error_set(err, VSOLVE_EIO, "%s: the packument of %s changed during the solve", r->root, p->name);
    p->versions = q->versions;
    p->keys = q->keys;
    p->key_lens = q->key_lens;
    p->idoc = NULL;
    return VSOLVE_OK;
}

int npm_packument_meta(npm_packument *p, size_t i, npm_version_meta *out, vs_error *err)
{
    if (!p->meta_done[i] && p->idoc) {
        int rc = npm_image_meta(p->img, p->mem, p->idoc, i, &p->meta[i].engines, &p->meta[i].deprecated, err);
        if (rc != VSOLVE_OK && (rc = from_json(p, rc, err)) != VSOLVE_OK)
            return rc;
        p->meta_done[i] = p->idoc != NULL;
    }
    if (!p->meta_done[i]) {
        const json_value *m = p->full[i] ? p->full[i] : p->versions->items[i];
        npm_version_meta *x = &p->meta[i];
        if (!json_is_lazy(m)) {
            x->engines = json_get(m, "engines");
            x->deprecated = json_get(m, "deprecated");
        } else {
            int rc = json_lazy_get(p->mem, p->file, m, "engines", &x->engines, err);
            if (rc == VSOLVE_OK)
                rc = json_lazy_get(p->mem, p->file, m, "deprecated", &x->deprecated, err);
            if (rc != VSOLVE_OK)
                return rc;
        }
        p->meta_done[i] = 1;
    }
    *out = p->meta[i];
    return VSOLVE_OK;
}

int npm_packument_manifest(npm_packument *p, size_t i, const json_value **out, vs_error *err)
{
    if (!p->full[i] && p->idoc) {
        int rc = npm_image_manifest(p->img, p->mem, p->idoc, i, &p->full[i], err);
        if (rc != VSOLVE_OK && (rc = from_json(p, rc, err)) != VSOLVE_OK)
            return rc;
    }
    if (!p->full[i] && !(p->full[i] = json_expand(p->mem, p->file, p->versions->items[i], UINT_MAX, err)))
        return err->code ? err->code : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    *out = p->full[i];
    return VSOLVE_OK;
}

void npm_registry_close(npm_registry *r)
{
    if (!r)
        return;
    if (r->loader.close)
        r->loader.close(r->loader.user);
    table_free(&r->docs);
    arena_free(&r->mem);
    npm_image_close(r->img);
    free(r);
}
