/* npm_image.c: writing and reading the registry image of an npm packument directory.
 *
 * File layout (little-endian; the header and the file table as image_file.h shares them):
 *   0  "VSNPMIM\n"             8 bytes
 *   8  format version          u32 (NPM_IMAGE_FORMAT)
 *   12 header checksum         u32, crc32 of bytes 16..63
 *   16 reserved                u64, 0
 *   24 registry kind           u32: 0 directory (the only kind imaged)
 *   28 file count              u32
 *   32 table offset            u64 (the table runs to the end of the file)
 *   40 slot block count        u32, 44 longest probe u32 (image_file.h)
 *   48 reserved                16 zero bytes
 *   64 records, one per packument file, in path order
 *   table: image_file.h's hash table of the packument files' relative paths
 *      ("packuments/ENC.json" or "ENC.json"); an entry's fields (FIELDS bytes): its record's
 *      offset u64 and length u32, the length u32 and crc32 u32 of the record's head, the file's
 *      size u64 and modification time in nanoseconds u64.
 *
 * A record: a head, then the manifests. Kind 1 (the head is that byte): a packument
 * npm_registry refuses (read its JSON for the error). Kind 0: u8 0; u32 count of versions (the
 * keys of "versions" in document order, duplicates kept); u32 length and the dist-tags as an
 * optional value; per version (VERSION_ENTRY bytes) its key's offset and length in the key
 * text, its meta's offset and length, its manifest's offset, length and crc32 (offsets from
 * the record's start), and its key as npm_packument_semver parses it: u8 1 (a version) or 2
 * (not one), u64 major, minor, patch, the offsets in the key text of its pre-release and build
 * strings (UINT32_MAX: none); u32 length and the key text (each key and string
 * NUL-terminated); the metas (per
 * version: engines and deprecated as optional values, what npm_packument_meta answers). Then
 * the manifests: per version an object holding, in document order, only the members
 * resolution and the lock read (MANIFEST_KEYS; of "dist" and "scripts" only DIST_KEYS and
 * SCRIPT_KEYS).
 * A value: u8 kind, u32 line, u32 col (its place in the packument, for messages), then: null
 * nothing; bool u8; number u64 (the double's bits), str (the literal); string str; array u32
 * n, n values; object u32 n, n times (str key, value). An optional value: u8 0, or u8 1 and
 * the value. A str is u32 length, the bytes and a NUL.
 *
 * Opening reads and checks the header only (a fixed cost); a packument's table entry is read
 * and checked and its record's head read and checked (crc32, every count and offset) only when
 * a solve asks for the packument, a version's meta decoded only when the solve weighs that version, and its
 * manifest read, checked (its crc32) and decoded only when the solve picks it.
 */
#include "npm_image.h"
#include "bytes.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include "atomic_file.h"
#include "cache.h"
#include "npm_registry.h"
#include "image_file.h"
#include "repo_source.h"
#include "vec.h"

#define FIELDS 36
#define VERSION_ENTRY 61
#define NONE UINT32_MAX
#define MAX_DEPTH 600   /* the JSON reader stops at 512 */
static const char magic[8] = { 'V', 'S', 'N', 'P', 'M', 'I', 'M', '\n' };

/* What the resolver (npm_edges, npm_pick, npm_peers_search) and the lock writer (npm_lock,
 * npm_result) read of a registry manifest. */
static const char *const MANIFEST_KEYS[] = { "name", "version", "dependencies", "optionalDependencies",
                                             "peerDependencies", "peerDependenciesMeta", "bundleDependencies",
                                             "bundledDependencies", "acceptDependencies", "funding", "engines",
                                             "os", "cpu", "libc", "license", "hasInstallScript", "bin",
                                             "deprecated", "workspaces", "dist", "scripts", "_hasShrinkwrap",
                                             NULL };
static const char *const DIST_KEYS[] = { "tarball", "integrity", "shasum", NULL };
static const char *const SCRIPT_KEYS[] = { "preinstall", "install", "postinstall", NULL };

struct npm_image {
    image_file f;          /* the header, the file table */
    char root[PATH_MAX];
};

uint64_t npm_image_settings(void)
{
    uint32_t format = NPM_IMAGE_FORMAT;
    return cache_hash(cache_hash(CACHE_HASH_INIT, "npm-image", 9), &format, sizeof format);
}

const char *npm_image_path(const npm_image *img) { return img->f.path; }

/* ---- writing ------------------------------------------------------------------------------ */

static void wstr(image_buf *b, const char *s, size_t n)
{
    if (n >= UINT32_MAX) {
        b->oom = 1;
        return;
    }
    image_w32(b, (uint32_t)n);
    image_put(b, s, n);
    image_w8(b, 0);
}

static int key_in(const char *key, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && !memcmp(*list, key, len))
            return 1;
    return 0;
}

/* Value v; an object's members only those named in keep (NULL: all). */
static void put_value(image_buf *b, const json_value *v, const char *const *keep)
{
    image_w8(b, (unsigned)v->kind);
    image_w32(b, v->line);
    image_w32(b, v->col);
    switch (v->kind) {
    case JSON_NULL:
        break;
    case JSON_BOOL:
        image_w8(b, v->b != 0);
        break;
    case JSON_NUMBER: {
        uint64_t bits;
        memcpy(&bits, &v->num, sizeof bits);
        image_w64(b, bits);
        wstr(b, v->numtext, strlen(v->numtext));
        break;
    }
    case JSON_STRING:
        wstr(b, v->str, v->len);
        break;
    case JSON_ARRAY:
        image_w32(b, (uint32_t)v->n);
        for (size_t i = 0; i < v->n; i++)
            put_value(b, v->items[i], NULL);
        break;
    case JSON_OBJECT: {
        uint32_t n = 0;
        for (size_t i = 0; i < v->n; i++)
            n += !keep || key_in(v->keys[i], v->key_lens[i], keep);
        image_w32(b, n);
        for (size_t i = 0; i < v->n; i++) {
            const char *k = v->keys[i];
            size_t kl = v->key_lens[i];
            if (keep && !key_in(k, kl, keep))
                continue;
            wstr(b, k, kl);
            const char *const *sub = NULL;
            if (keep == MANIFEST_KEYS && kl == 4 && !memcmp(k, "dist", 4))
                sub = DIST_KEYS;
            else if (keep == MANIFEST_KEYS && kl == 7 && !memcmp(k, "scripts", 7))
                sub = SCRIPT_KEYS;
            put_value(b, v->items[i], sub);
        }
        break;
    }
    }
}

static void put_opt(image_buf *b, const json_value *v)
{
    image_w8(b, v != NULL);
    if (v)
        put_value(b, v, NULL);
}

typedef struct table_entry {
    uint64_t rec_off;
    uint32_t rec_len, head_len, head_crc;
    uint64_t size, mtime_ns;
} table_entry;

/* The loader of one packument file (whatever name is asked). */
typedef struct one_file {
    char *data;
    size_t len;
    const char *where;
} one_file;

static int one_fetch(void *user, const char *name, char **data, size_t *len, char *where, size_t where_size,
                     vs_error *err)
{
    one_file *o = user;
    (void)name;
    (void)err;
    snprintf(where, where_size, "%s", o->where);
    *data = o->data;   /* handed over */
    *len = o->len;
    o->data = NULL;
    return VSOLVE_OK;
}

/* The record of one packument (*head_len: its head's length): kind 1 when npm_registry refuses
 * it. */
static int encode_doc(image_buf *rec, size_t *head_len, char *data, size_t len, const char *where, vs_error *err)
{
    one_file one = { data, len, where };
    vs_error e;
    vs_error_clear(&e);
    npm_registry *reg = npm_registry_from_loader((npm_loader){ &one, one_fetch, NULL }, &e);
    if (!reg) {
        free(data);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    npm_packument *p = NULL;
    int rc = npm_registry_get(reg, "packument", &p, &e);
    free(one.data);   /* not handed over: the registry failed first */
    rec->len = 0;
    *head_len = 1;
    if (rc == VSOLVE_ENOMEM) {
        npm_registry_close(reg);
        return vs_error_set(err, rc, "out of memory");
    }
    if (rc != VSOLVE_OK || !p) {
        image_w8(rec, 1);
        npm_registry_close(reg);
        return VSOLVE_OK;
    }
    size_t n = npm_packument_count(p);
    image_buf tags = { 0 }, keys = { 0 }, metas = { 0 }, bodies = { 0 };
    put_opt(&tags, npm_packument_tags(p));
    typedef struct {
        size_t key_off, key_len, meta_off, meta_len, body_off, body_len, pre_off, build_off;
        int is_version;
        uint64_t major, minor, patch;   /* copied: the registry goes before the record is written */
    } spot;
    spot *at = calloc(n ? n : 1, sizeof *at);
    if (!at)
        rc = VSOLVE_ENOMEM;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        const char *key = npm_packument_version(p, i);   /* the reader refuses a key holding a NUL */
        npm_version_meta meta;
        const json_value *m = NULL;
        if ((rc = npm_packument_meta(p, i, &meta, &e)) == VSOLVE_OK)
            rc = npm_packument_manifest(p, i, &m, &e);
        if (rc != VSOLVE_OK)
            break;
        at[i].key_off = keys.len;
        at[i].key_len = strlen(key);
        image_put(&keys, key, at[i].key_len + 1);
        const npm_version *sv = NULL;
        if ((rc = npm_packument_semver(p, i, &sv)) != VSOLVE_OK)
            break;
        at[i].pre_off = at[i].build_off = NONE;
        at[i].is_version = sv != NULL;
        if (sv) {
            at[i].major = sv->major;
            at[i].minor = sv->minor;
            at[i].patch = sv->patch;
        }
        if (sv && sv->pre) {
            at[i].pre_off = keys.len;
            image_put(&keys, sv->pre, strlen(sv->pre) + 1);
        }
        if (sv && sv->build) {
            at[i].build_off = keys.len;
            image_put(&keys, sv->build, strlen(sv->build) + 1);
        }
        at[i].meta_off = metas.len;
        put_opt(&metas, meta.engines);
        put_opt(&metas, meta.deprecated);
        at[i].meta_len = metas.len - at[i].meta_off;
        at[i].body_off = bodies.len;
        put_value(&bodies, m, MANIFEST_KEYS);
        at[i].body_len = bodies.len - at[i].body_off;
    }
    npm_registry_close(reg);
    if (rc == VSOLVE_OK) {
        size_t head = 1 + 4 + 4 + tags.len + n * VERSION_ENTRY + 4 + keys.len + metas.len;
        image_w8(rec, 0);
        image_w32(rec, (uint32_t)n);
        image_w32(rec, (uint32_t)tags.len);
        image_put(rec, tags.p, tags.len);
        size_t meta_base = head - metas.len;
        for (size_t i = 0; i < n && !bodies.oom; i++) {
            image_w32(rec, (uint32_t)at[i].key_off);
            image_w32(rec, (uint32_t)at[i].key_len);
            image_w32(rec, (uint32_t)(meta_base + at[i].meta_off));
            image_w32(rec, (uint32_t)at[i].meta_len);
            image_w32(rec, (uint32_t)(head + at[i].body_off));
            image_w32(rec, (uint32_t)at[i].body_len);
            image_w32(rec, (uint32_t)libdeflate_crc32(0, bodies.p + at[i].body_off, at[i].body_len));
            image_w8(rec, at[i].is_version ? 1 : 2);
            image_w64(rec, at[i].major);
            image_w64(rec, at[i].minor);
            image_w64(rec, at[i].patch);
            image_w32(rec, (uint32_t)at[i].pre_off);
            image_w32(rec, (uint32_t)at[i].build_off);
        }
        image_w32(rec, (uint32_t)keys.len);
        image_put(rec, keys.p, keys.len);
        image_put(rec, metas.p, metas.len);
        image_put(rec, bodies.p, bodies.len);
        *head_len = head;
        if (tags.oom || keys.oom || metas.oom || bodies.oom || rec->len > UINT32_MAX)
            rc = VSOLVE_ENOMEM;
    }
    free(at);
    free(tags.p);
    free(keys.p);
    free(metas.p);
    free(bodies.p);
    if (rc == VSOLVE_ENOMEM || rec->oom)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the npm image");
    if (rc != VSOLVE_OK) {   /* a manifest that does not build: read the JSON, as without an image */
        rec->len = 0;
        *head_len = 1;
        image_w8(rec, 1);
    }
    return VSOLVE_OK;
}

/* The packument files of root: packuments/X.json, X.json (regular files), by relative path. */
typedef VEC(char *) path_list;

static int list_dir(const char *root, const char *sub, path_list *out, vs_error *err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s%s", root, sub[0] ? "/" : "", sub);
    DIR *d = opendir(dir);
    if (!d)
        return sub[0] ? VSOLVE_OK : vs_error_set(err, VSOLVE_EIO, "%s: cannot list the npm registry: %s", root,
                                                 strerror(errno));
    struct dirent *de;
    int rc = VSOLVE_OK;
    while (rc == VSOLVE_OK && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0 || n > 1000)
            continue;
        char full[PATH_MAX + 1100];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t len = strlen(sub) + 1 + n + 1;
        char *rel = malloc(len);
        if (!rel) {
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            break;
        }
        snprintf(rel, len, "%s%s%s", sub, sub[0] ? "/" : "", de->d_name);
        if (!vec_push(out, rel)) {
            free(rel);
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        }
    }
    closedir(d);
    return rc;
}

static int by_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int npm_image_build(const char *root, const char *image_path, size_t *n_docs, vs_error *err)
{
    path_list files = { 0 };
    int rc = list_dir(root, "", &files, err);
    if (rc == VSOLVE_OK)
        rc = list_dir(root, "packuments", &files, err);
    if (rc == VSOLVE_OK && files.len > UINT32_MAX / 2)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: too many packuments", root);
    if (files.len)
        qsort(files.items, files.len, sizeof *files.items, by_str);
    vs_atomic_file af = { 0 };
    if (rc == VSOLVE_OK) {
        cache_make_parent(image_path);
        rc = atomic_file_open(&af, image_path, err);
    }
    if (rc == VSOLVE_OK && image_reserve_header(af.f) != 0)
        rc = vs_error_set(err, VSOLVE_EIO, "cannot write the npm image: %s", strerror(errno));
    table_entry *table = files.len ? calloc(files.len, sizeof *table) : NULL;
    if (rc == VSOLVE_OK && files.len && !table)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    image_buf rec = { 0 }, tab = { 0 };
    uint64_t at = IMAGE_HEADER_SIZE;
    for (size_t i = 0; rc == VSOLVE_OK && i < files.len; i++) {
        const char *rel = files.items[i];
        char full[PATH_MAX + 1100];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", root, rel);
        if (stat(full, &st) != 0) {
            rc = vs_error_set(err, VSOLVE_EIO, "%s: %s", full, strerror(errno));
            break;
        }
        table_entry *e = &table[i];
        e->size = (uint64_t)st.st_size;
        e->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
        size_t len = 0;
        char *data = repo_read_file(full, 0, &len, err);   /* a .json file: never inflated */
        if (!data) {
            rc = err->code ? err->code : VSOLVE_EIO;
            break;
        }
        size_t head_len = 1;
        if ((rc = encode_doc(&rec, &head_len, data, len, full, err)) != VSOLVE_OK)
            break;
        if (rec.oom) {
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the npm image");
            break;
        }
        e->rec_off = at;
        e->rec_len = (uint32_t)rec.len;
        e->head_len = (uint32_t)head_len;
        e->head_crc = (uint32_t)libdeflate_crc32(0, rec.p, head_len);   /* never empty: the kind byte */
        if (fwrite(rec.p, 1, rec.len, af.f) != rec.len)
            rc = vs_error_set(err, VSOLVE_EIO, "cannot write the npm image: %s", strerror(errno));
        at += rec.len;
    }
    uint32_t n_blocks = 0, max_probe = 0;
    unsigned char *fields = rc == VSOLVE_OK ? malloc((files.len ? files.len : 1) * FIELDS) : NULL;
    if (rc == VSOLVE_OK && !fields)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the npm image");
    for (size_t i = 0; rc == VSOLVE_OK && i < files.len; i++) {
        const table_entry *e = &table[i];
        unsigned char *t = fields + i * FIELDS;
        put_u64(t, e->rec_off);
        put_u32(t + 8, e->rec_len);
        put_u32(t + 12, e->head_len);
        put_u32(t + 16, e->head_crc);
        put_u64(t + 20, e->size);
        put_u64(t + 28, e->mtime_ns);
    }
    if (rc == VSOLVE_OK && image_table_build(&tab, (const char *const *)files.items, fields, (uint32_t)files.len,
                                             FIELDS, &n_blocks, &max_probe) != 0)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the npm image");
    free(fields);
    if (rc == VSOLVE_OK && fwrite(tab.p, 1, tab.len, af.f) != tab.len)
        rc = vs_error_set(err, VSOLVE_EIO, "cannot write the npm image: %s", strerror(errno));
    if (rc == VSOLVE_OK) {
        if (image_write_header(af.f, magic, NPM_IMAGE_FORMAT, 0, 0, (uint32_t)files.len, at, n_blocks, max_probe) != 0)
            rc = vs_error_set(err, VSOLVE_EIO, "cannot write the npm image: %s", strerror(errno));
    }
    size_t n = files.len;
    for (size_t i = 0; i < files.len; i++)
        free(files.items[i]);
    vec_free(&files);
    free(table);
    free(rec.p);
    free(tab.p);
    if (rc != VSOLVE_OK) {
        if (af.f)
            atomic_file_abort(&af);
        return rc;
    }
    if (n_docs)
        *n_docs = n;
    return atomic_file_commit(&af, err);
}

/* ---- reading ------------------------------------------------------------------------------ */

void npm_image_close(npm_image *img)
{
    if (!img)
        return;
    image_file_close(&img->f);
    free(img);
}

/* A record's head: not empty (its kind byte), inside the record. */
static int head_ok(const unsigned char *fields)
{
    uint32_t rec_len = get_u32(fields + 8), head_len = get_u32(fields + 12);
    return head_len != 0 && head_len <= rec_len;
}

npm_image *npm_image_open(const char *image_path, const char *root, vs_error *err)
{
    npm_image *img = calloc(1, sizeof *img);
    if (!img) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(img->root, sizeof img->root, "%s", root);
    int rc = image_file_open(&img->f, image_path, magic, "npm", NPM_IMAGE_FORMAT, FIELDS, err);
    if (rc == VSOLVE_OK && get_u32(img->f.header + 24) != 0)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s was built from another kind of registry", image_path);
    if (rc != VSOLVE_OK) {
        npm_image_close(img);
        return NULL;
    }
    return img;
}

/* A str: a pointer into the record (NUL-terminated there); none (UINT32_MAX) is bad here. */
static const char *rstr(image_rd *r, size_t *len)
{
    const char *s = image_rstr(r, len);
    if (!s)
        r->bad = 1;
    return s;
}

static json_value *get_value(image_rd *r, arena *a, unsigned depth)
{
    json_value *v = arena_alloc(a, sizeof *v);
    if (!v || depth > MAX_DEPTH)
        return r->bad = 1, NULL;
    memset(v, 0, sizeof *v);
    unsigned kind = image_r8(r);
    v->line = image_r32(r);
    v->col = image_r32(r);
    if (r->bad || kind > JSON_OBJECT)
        return r->bad = 1, NULL;
    v->kind = (json_kind)kind;
    size_t len = 0;
    switch (v->kind) {
    case JSON_NULL:
        break;
    case JSON_BOOL:
        v->b = (int)image_r8(r);
        break;
    case JSON_NUMBER: {
        uint64_t bits = image_r64(r);
        memcpy(&v->num, &bits, sizeof v->num);
        v->numtext = rstr(r, &len);
        break;
    }
    case JSON_STRING:
        v->str = rstr(r, &v->len);
        break;
    case JSON_ARRAY:
    case JSON_OBJECT: {
        int obj = v->kind == JSON_OBJECT;
        size_t n = image_rcount(r, obj ? 14 : 9);   /* the fewest bytes a member / an element takes */
        if (r->bad || !n)
            break;
        v->items = arena_alloc(a, n * sizeof *v->items);
        const char **keys = obj ? arena_alloc(a, n * sizeof *keys) : NULL;
        size_t *lens = obj ? arena_alloc(a, n * sizeof *lens) : NULL;
        if (!v->items || (obj && (!keys || !lens)))
            return r->bad = 1, NULL;
        for (size_t i = 0; i < n && !r->bad; i++) {
            if (obj)
                keys[i] = rstr(r, &lens[i]);
            v->items[i] = get_value(r, a, depth + 1);
        }
        v->keys = keys;
        v->key_lens = lens;
        v->n = n;
        break;
    }
    }
    return r->bad ? NULL : v;
}

/* An optional value: 0, or -1 when it does not decode. */
static int get_opt(image_rd *r, arena *a, const json_value **out)
{
    unsigned has = image_r8(r);
    *out = NULL;
    if (r->bad || has > 1)
        return -1;
    if (has && !(*out = get_value(r, a, 0)))
        return -1;
    return 0;
}

static int corrupt(npm_image *img, const npm_image_doc *doc, vs_error *err)
{
    return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the record of %s does not decode (run `vsolve --ecosystem npm "
                        "--registry DIR index` again)", img->f.path, doc->rel);
}

int npm_image_meta(npm_image *img, arena *a, const npm_image_doc *doc, size_t i, const json_value **engines,
                   const json_value **deprecated, vs_error *err)
{
    image_rd r = { doc->versions[i].meta, doc->versions[i].meta + doc->versions[i].meta_len, 0 };
    if (get_opt(&r, a, engines) != 0 || get_opt(&r, a, deprecated) != 0 || r.p != r.end)
        return corrupt(img, doc, err);
    return VSOLVE_OK;
}

int npm_image_manifest(npm_image *img, arena *a, const npm_image_doc *doc, size_t i, const json_value **out,
                       vs_error *err)
{
    const npm_image_version *v = &doc->versions[i];
    unsigned char *body = arena_alloc(a, v->body_len ? v->body_len : 1);
    if (!body)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (image_pread(&img->f, body, v->body_len, doc->rec_off + v->body_off) != 0 ||
        (uint32_t)libdeflate_crc32(0, body, v->body_len) != v->body_crc)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the manifest of %s %s is damaged (checksum mismatch; run "
                            "`vsolve --ecosystem npm --registry DIR index` again)", img->f.path, doc->rel, doc->keys[i]);
    image_rd r = { body, body + v->body_len, 0 };
    if (!(*out = get_value(&r, a, 0)) || r.p != r.end || (*out)->kind != JSON_OBJECT)
        return corrupt(img, doc, err);
    return VSOLVE_OK;
}

static const char BAD[1];

/* The string at off in the key text (NULL for NONE), or BAD when off is outside it. */
static const char *key_string(const char *keys, size_t keys_len, uint32_t off)
{
    if (off == NONE)
        return NULL;
    if (off >= keys_len || !memchr(keys + off, '\0', keys_len - off))
        return BAD;
    return keys + off;
}

/* The record's head (rec[0..head_len), the record rec_len long): 0, or -1 when it does not
 * decode. */
static int decode_head(const unsigned char *rec, size_t head_len, size_t rec_len, arena *a, npm_image_doc *doc)
{
    image_rd r = { rec + 1, rec + head_len, 0 };
    size_t n = image_rcount(&r, VERSION_ENTRY);
    uint32_t tags_len = image_r32(&r);
    if (r.bad || tags_len > image_left(&r))
        return -1;
    image_rd t = { r.p, r.p + tags_len, 0 };
    if (get_opt(&t, a, &doc->tags) != 0 || t.p != t.end)
        return -1;
    r.p += tags_len;
    const unsigned char *entries = r.p;
    if ((uint64_t)n * VERSION_ENTRY > image_left(&r))
        return -1;
    r.p += n * VERSION_ENTRY;
    uint32_t keys_len = image_r32(&r);
    if (r.bad || keys_len > image_left(&r))
        return -1;
    const char *keys = (const char *)r.p;
    doc->n = n;
    doc->keys = arena_alloc(a, (n ? n : 1) * sizeof *doc->keys);
    doc->key_lens = arena_alloc(a, (n ? n : 1) * sizeof *doc->key_lens);
    doc->versions = arena_alloc(a, (n ? n : 1) * sizeof *doc->versions);
    doc->sv = arena_alloc(a, (n ? n : 1) * sizeof *doc->sv);
    doc->sv_state = arena_alloc(a, n ? n : 1);
    if (!doc->keys || !doc->key_lens || !doc->versions || !doc->sv || !doc->sv_state)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = entries + i * VERSION_ENTRY;
        uint64_t ko = get_u32(e), kl = get_u32(e + 4), mo = get_u32(e + 8), ml = get_u32(e + 12);
        uint64_t bo = get_u32(e + 16), bl = get_u32(e + 20);
        if (ko + kl >= keys_len || keys[ko + kl] != '\0' || strlen(keys + ko) != kl)
            return -1;
        if (mo < (uint64_t)(r.p + keys_len - rec) || mo + ml > head_len || bo < head_len || bo + bl > rec_len)
            return -1;
        doc->keys[i] = keys + ko;
        doc->key_lens[i] = kl;
        doc->versions[i] = (npm_image_version){ rec + mo, ml, bl, bo, get_u32(e + 24) };
        unsigned state = e[28];
        const char *pre = key_string(keys, keys_len, get_u32(e + 53)), *build = key_string(keys, keys_len, get_u32(e + 57));
        if ((state != 1 && state != 2) || pre == BAD || build == BAD)
            return -1;
        doc->sv_state[i] = (unsigned char)state;
        doc->sv[i] = (npm_version){ get_u64(e + 29), get_u64(e + 37), get_u64(e + 45), pre, build };
    }
    return 0;
}

npm_image_answer npm_image_get(npm_image *img, arena *a, const char *name, npm_image_doc *doc, vs_error *why)
{
    char enc[1024], rels[2][1100];
    memset(doc, 0, sizeof *doc);
    npm_registry_file_name(name, enc, sizeof enc);   /* the file the loader reads */
    snprintf(rels[0], sizeof rels[0], "packuments/%s.json", enc);
    snprintf(rels[1], sizeof rels[1], "%s.json", enc);
    /* the file the directory loader would read: the first layout that holds a regular file */
    int which = -1;
    struct stat st;
    for (int i = 0; i < 2 && which < 0; i++) {
        char full[PATH_MAX + 2400];
        snprintf(full, sizeof full, "%s/%s", img->root, rels[i]);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            which = i;
    }
    unsigned char e[FIELDS];
    image_lookup_answer look[2] = { IMAGE_ABSENT, IMAGE_ABSENT };
    for (int i = 0; i < 2; i++)   /* the file that is there; else whether the image holds either */
        if (which < 0 || i == which)
            look[i] = image_lookup(&img->f, rels[i], head_ok, e);
    for (int i = 0; i < 2; i++)
        if (look[i] == IMAGE_DAMAGED) {
            vs_error_set(why, VSOLVE_EBADINPUT, "corrupt: %s: the file table is damaged where it holds %s", img->f.path,
                         rels[i]);
            return NPM_IMAGE_UNUSABLE;
        }
    if (which < 0) {
        if (look[0] == IMAGE_ABSENT && look[1] == IMAGE_ABSENT)
            return NPM_IMAGE_ABSENT;
        vs_error_set(why, VSOLVE_EBADINPUT, "stale: %s: the registry's packument of %s was removed since the image was built",
                     img->f.path, name);
        return NPM_IMAGE_UNUSABLE;
    }
    int found = look[which] == IMAGE_FOUND;
    uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
    if (!found || (uint64_t)st.st_size != get_u64(e + 20) || mtime != get_u64(e + 28)) {
        vs_error_set(why, VSOLVE_EBADINPUT, "stale: %s: the registry's %s %s since the image was built", img->f.path,
                     rels[which], !found ? "was added" : "changed");
        return NPM_IMAGE_UNUSABLE;
    }
    if (!(doc->rel = arena_strndup(a, rels[which], strlen(rels[which])))) {
        vs_error_set(why, VSOLVE_ENOMEM, "out of memory");
        return NPM_IMAGE_UNUSABLE;
    }
    uint64_t off = get_u64(e);
    uint32_t rec_len = get_u32(e + 8), head_len = get_u32(e + 12), crc = get_u32(e + 16);
    unsigned char *rec = arena_alloc_uninit(a, (size_t)head_len);   /* the manifests are read one by one */
    if (!rec) {
        vs_error_set(why, VSOLVE_ENOMEM, "out of memory");
        return NPM_IMAGE_UNUSABLE;
    }
    if (image_pread(&img->f, rec, head_len, off) != 0 || (uint32_t)libdeflate_crc32(0, rec, head_len) != crc) {
        vs_error_set(why, VSOLVE_EBADINPUT, "corrupt: %s: the record of %s is damaged (checksum mismatch)", img->f.path,
                     doc->rel);
        return NPM_IMAGE_UNUSABLE;
    }
    if (rec[0] == 1 && head_len == 1)
        return NPM_IMAGE_JSON;
    doc->rec_off = off;
    if (rec[0] != 0 || decode_head(rec, head_len, rec_len, a, doc) != 0) {
        vs_error_set(why, VSOLVE_EBADINPUT, "corrupt: %s: the record of %s does not decode", img->f.path, doc->rel);
        return NPM_IMAGE_UNUSABLE;
    }
    return NPM_IMAGE_FOUND;
}
