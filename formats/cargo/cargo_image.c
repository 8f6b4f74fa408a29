/* cargo_image.c: writing and reading the registry image of a crates index.
 *
 * File layout (little-endian; the header and the file table as image_file.h shares them):
 *   0  "VSCARGO\n"             8 bytes
 *   8  format version          u32 (CARGO_IMAGE_FORMAT)
 *   12 header checksum         u32, crc32 of bytes 16..63
 *   16 source fingerprint      u64: an archive's cache_source_fingerprint, 0 for a directory
 *   24 index kind              u32: 0 directory, 1 archive
 *   28 file count              u32
 *   32 table offset            u64 (the table runs to the end of the file)
 *   40 slot block count        u32, 44 longest probe u32 (image_file.h)
 *   48 reserved                16 zero bytes
 *   64 records, one per crate file, in the order the index was walked
 *   table: image_file.h's hash table of the crate files' paths; an entry's fields (FIELDS
 *      bytes): its record's offset u64 and length u32, the length u32 and crc32 u32 of the
 *      record's head, and (a directory index) the crate file's size u64 and modification time
 *      in nanoseconds u64.
 *
 * A record: a head, then the bodies. The head: u8 kind. Kind 1: the crate file's text (the
 * head is the whole record). Kind 0: u32 count of names (the distinct "name" fields of its
 * lines, in order of first appearance), then per name: str name, u32 count of versions
 * (deduplicated as cargo_index does: of lines of one version the last wins, in the place of
 * the first), then per version: str vers, its semver (u64 major, minor, patch; u32 offset and
 * length in vers of the pre-release, then of the build, the offset UINT32_MAX when there is
 * none), its body's offset u32 (from the end of the head), length u32 and crc32 u32. The
 * bodies follow the head, the last version's first (the newest, mostly: the ones a solve
 * reads, then in the first bytes after the head). A body: str
 * cksum, str links, str rust_version, u8 yanked, u32 deps (each: str name, str package, str
 * req, str target, u8 optional, u8 default_features, u8 kind, u32 comparators (each: u8 op, u8
 * has_minor, u8 has_patch, u64 major, minor, patch, str pre), u32 features, str each), u32
 * features (each: str name, u32 items, str each). A str is u32 length (UINT32_MAX: none), the
 * bytes and a NUL.
 *
 * Opening reads and checks the header only (a fixed cost, whatever the size of the index); a
 * crate's table entry is read and checked (crc32, bounds) when the solve asks for the crate,
 * its record's head read and checked (its crc32, every count and offset) with the first
 * BODY_WINDOW bytes of bodies in the same read, and a version's body read (unless that window
 * holds it), checked (its crc32) and decoded only when the solve uses that version: a crate of
 * many versions costs its head and the bodies used, not its whole record. (A read-only mapping
 * of the file measured no faster than these pread's, and would map pages for nothing.)
 */
#include "cargo_image.h"
#include "bytes.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include "atomic_file.h"
#include "cache.h"
#include "image_file.h"
#include "repo_source.h"

#define FIELDS 36
#define NO_STR UINT32_MAX
/* The bodies read with a head: the newest versions', which a solve takes first. A 4 KB window
 * read 55% more bytes for a warm unsat-ring-links (838 KB, not 540) and was 2-3% slower; 64
 * bytes (almost none) was slower than 1 KB on three of four projects (bench/README.md). */
#define BODY_WINDOW 1024
/* A body outside that window is read with BODY_AROUND bytes on each side: the bodies of the
 * versions next to it, which a solve that needs one often needs next (newest first, or in the
 * index's order: the bodies lie newest first). The refusal of unsat-prerelease decodes the 100
 * versions of serde 1.0: 106 reads, not 9 (bench/README.md). */
#define BODY_AROUND 4096
static const char magic[8] = { 'V', 'S', 'C', 'A', 'R', 'G', 'O', '\n' };

struct cargo_image {
    image_file f;                 /* the header, the file table */
    int archive;
    int root_fd;                  /* a directory index: its root, for the staleness checks (-1: none) */
};

uint64_t cargo_image_settings(void)
{
    uint32_t format = CARGO_IMAGE_FORMAT;
    return cache_hash(cache_hash(CACHE_HASH_INIT, "cargo-image", 11), &format, sizeof format);
}

/* ---- writing ------------------------------------------------------------------------------ */

static void wstr_n(image_buf *b, const char *s, size_t n)
{
    if (!s || n >= NO_STR) {
        image_w32(b, NO_STR);
        return;
    }
    image_w32(b, (uint32_t)n);
    image_put(b, s, n);
    image_w8(b, 0);
}

static void wstr(image_buf *b, const char *s)
{
    wstr_n(b, s, s ? strlen(s) : 0);
}

static void write_body(image_buf *b, const cargo_version *v)
{
    wstr(b, v->cksum);
    wstr(b, v->links);
    wstr(b, v->rust_version);
    image_w8(b, v->yanked != 0);
    image_w32(b, (uint32_t)v->n_deps);
    for (size_t i = 0; i < v->n_deps; i++) {
        const cargo_dep *d = &v->deps[i];
        wstr(b, d->name);
        wstr(b, d->package == d->name ? NULL : d->package);
        wstr(b, d->req_text);
        wstr(b, d->target);
        image_w8(b, d->optional != 0);
        image_w8(b, d->default_features != 0);
        image_w8(b, (unsigned)d->kind);
        image_w32(b, (uint32_t)d->req.n);
        for (size_t k = 0; k < d->req.n; k++) {
            const semver_comparator *cmp = &d->req.items[k];
            image_w8(b, (unsigned)cmp->op);
            image_w8(b, cmp->has_minor != 0);
            image_w8(b, cmp->has_patch != 0);
            image_w64(b, cmp->major);
            image_w64(b, cmp->minor);
            image_w64(b, cmp->patch);
            wstr_n(b, cmp->pre, cmp->pre_len);
        }
        image_w32(b, (uint32_t)d->n_features);
        for (size_t k = 0; k < d->n_features; k++)
            wstr(b, d->features[k]);
    }
    image_w32(b, (uint32_t)v->n_features);
    for (size_t i = 0; i < v->n_features; i++) {
        wstr(b, v->features[i].name);
        image_w32(b, (uint32_t)v->features[i].n_items);
        for (size_t k = 0; k < v->features[i].n_items; k++)
            wstr(b, v->features[i].items[k]);
    }
}

/* A version's semver, its pre-release and build as places in vers (semver_parse points there). */
static void write_semver(image_buf *b, const char *vers, const semver_version *sv)
{
    image_w64(b, sv->major);
    image_w64(b, sv->minor);
    image_w64(b, sv->patch);
    image_w32(b, sv->pre ? (uint32_t)(sv->pre - vers) : NO_STR);
    image_w32(b, (uint32_t)sv->pre_len);
    image_w32(b, sv->build ? (uint32_t)(sv->build - vers) : NO_STR);
    image_w32(b, (uint32_t)sv->build_len);
}

/* The parsed lines of one crate file, grouped by name as cargo_index_crate would see them. */
typedef struct name_group {
    const char *name;
    cargo_version *versions;
    size_t n;
} name_group;

/* Parses every line of a crate file; 0 when one does not parse (the file is then kept as text). */
static int parse_all(arena *a, const char *rel, const char *text, size_t len, name_group **groups, size_t *n_groups)
{
    size_t lines = 1;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    name_group *g = arena_alloc(a, lines * sizeof *g);
    if (!g)
        return 0;
    size_t ng = 0;
    unsigned lineno = 0;
    vs_error err;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        lineno++;
        const char *q = p;
        while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < stop) {
            cargo_version v;
            vs_error_clear(&err);
            if (cargo_parse_index_line(a, rel, lineno, p, (size_t)(stop - p), &v, &err) != VSOLVE_OK)
                return 0;
            size_t gi = 0;
            while (gi < ng && strcmp(g[gi].name, v.name) != 0)
                gi++;
            if (gi == ng) {   /* room for every line of the file */
                g[ng++] = (name_group){ v.name, arena_alloc(a, lines * sizeof *g->versions), 0 };
                if (!g[gi].versions)
                    return 0;
            }
            name_group *grp = &g[gi];
            size_t slot = 0;
            while (slot < grp->n && semver_compare(&grp->versions[slot].v, &v.v) != 0)
                slot++;
            grp->versions[slot] = v;
            grp->n += slot == grp->n;
        }
        p = nl ? nl + 1 : end;
    }
    *groups = g;
    *n_groups = ng;
    return 1;
}

typedef struct table_entry {
    uint32_t path_off, path_len;
    uint64_t rec_off;
    uint32_t rec_len, head_len, head_crc;
    uint64_t size, mtime_ns;
    uint32_t seq;              /* order of arrival: of two members of one path, the last counts */
} table_entry;

typedef struct builder {
    const char *root;
    int archive;
    vs_atomic_file af;
    uint64_t at;               /* bytes written so far */
    VEC(table_entry) table;
    image_buf paths;
    image_buf rec;             /* a record's head, then its bodies */
    image_buf bodies;
    vs_error *err;
} builder;

static const char *member_path(const builder *b, const char *path)
{
    return b->archive ? cargo_index_member_path(path) : path;
}

/* Only files cargo_index_crate can ask for: PATH == cargo_index_path(basename). */
static int want_file(void *user, const char *path)
{
    const builder *b = user;
    const char *rel = member_path(b, path);
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    char expect[300];
    return cargo_name_valid(base) && cargo_index_path(base, expect, sizeof expect) && !strcmp(expect, rel);
}

static int on_file(void *user, const char *path, const char *data, size_t len)
{
    builder *b = user;
    const char *rel = member_path(b, path);
    table_entry e;
    memset(&e, 0, sizeof e);
    if (!b->archive) {
        char full[PATH_MAX + 300];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", b->root, rel);
        if (stat(full, &st) != 0)
            return vs_error_set(b->err, VSOLVE_EIO, "%s: %s", full, strerror(errno));
        e.size = (uint64_t)st.st_size;
        e.mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
    }
    arena a;
    arena_init(&a);
    name_group *g = NULL;
    size_t ng = 0;
    b->rec.len = 0;
    b->bodies.len = 0;
    if (!parse_all(&a, rel, data, len, &g, &ng)) {
        image_w8(&b->rec, 1);
        image_put(&b->rec, data, len);
    } else {
        image_w8(&b->rec, 0);
        image_w32(&b->rec, (uint32_t)ng);
        for (size_t i = 0; i < ng; i++) {
            wstr(&b->rec, g[i].name);
            image_w32(&b->rec, (uint32_t)g[i].n);
            size_t *at = arena_alloc(&a, (g[i].n ? g[i].n : 1) * sizeof *at);   /* each body's place */
            if (!at) {
                b->bodies.oom = 1;
                break;
            }
            for (size_t k = g[i].n; k-- > 0;) {   /* the last version's body first */
                at[k] = b->bodies.len;
                write_body(&b->bodies, &g[i].versions[k]);
            }
            if (b->bodies.oom || b->bodies.len > UINT32_MAX)
                break;
            for (size_t k = 0; k < g[i].n; k++) {
                const cargo_version *v = &g[i].versions[k];
                size_t blen = (k ? at[k - 1] : b->bodies.len) - at[k];   /* up to the next version's */
                wstr(&b->rec, v->vers);
                write_semver(&b->rec, v->vers, &v->v);
                image_w32(&b->rec, (uint32_t)at[k]);
                image_w32(&b->rec, (uint32_t)blen);
                image_w32(&b->rec, (uint32_t)libdeflate_crc32(0, b->bodies.p + at[k], blen));
            }
        }
    }
    arena_free(&a);
    e.head_len = (uint32_t)b->rec.len;
    if (!b->rec.oom && b->rec.len <= UINT32_MAX)   /* never empty: the kind byte */
        e.head_crc = (uint32_t)libdeflate_crc32(0, b->rec.p, b->rec.len);
    image_put(&b->rec, b->bodies.p, b->bodies.len);
    e.path_off = (uint32_t)b->paths.len;
    e.path_len = (uint32_t)strlen(rel);
    image_put(&b->paths, rel, e.path_len + 1);
    if (b->rec.oom || b->bodies.oom || b->paths.oom || b->rec.len > UINT32_MAX || b->paths.len > UINT32_MAX)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory writing the cargo image");
    e.rec_off = b->at;
    e.rec_len = (uint32_t)b->rec.len;
    e.seq = (uint32_t)b->table.len;
    if (fwrite(b->rec.p, 1, b->rec.len, b->af.f) != b->rec.len)
        return vs_error_set(b->err, VSOLVE_EIO, "cannot write the cargo image: %s", strerror(errno));
    b->at += b->rec.len;
    if (!vec_push(&b->table, e))
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory writing the cargo image");
    return VSOLVE_OK;
}

static const char *sort_paths;   /* qsort has no context argument: set around the one call */

static int by_path(const void *pa, const void *pb)
{
    const table_entry *a = pa, *b = pb;
    int c = strcmp(sort_paths + a->path_off, sort_paths + b->path_off);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

int cargo_image_build(const char *root, int archive, const char *image_path, uint64_t max_inflate, size_t *n_files,
                      vs_error *err)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.root = root;
    b.archive = archive;
    b.err = err;
    b.at = IMAGE_HEADER_SIZE;
    cache_make_parent(image_path);
    int rc = atomic_file_open(&b.af, image_path, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (image_reserve_header(b.af.f) != 0)
        rc = vs_error_set(err, VSOLVE_EIO, "cannot write the cargo image: %s", strerror(errno));
    uint64_t source = 0;
    if (rc == VSOLVE_OK && archive)
        rc = cache_source_fingerprint(root, &source, err);
    if (rc == VSOLVE_OK)
        rc = repo_source_walk(root, max_inflate, want_file, on_file, &b, err);
    image_buf table = { 0 };
    size_t kept = 0;
    uint32_t n_blocks = 0, max_probe = 0;
    if (rc == VSOLVE_OK) {
        sort_paths = (const char *)b.paths.p;
        if (b.table.len)
            qsort(b.table.items, b.table.len, sizeof *b.table.items, by_path);
        sort_paths = NULL;
        /* of several members of one path (an archive may hold them), the last */
        for (size_t i = 0; i < b.table.len; i++) {
            if (i + 1 < b.table.len && !strcmp((const char *)b.paths.p + b.table.items[i].path_off,
                                               (const char *)b.paths.p + b.table.items[i + 1].path_off))
                continue;
            b.table.items[kept++] = b.table.items[i];
        }
        const char **paths = malloc((kept ? kept : 1) * sizeof *paths);
        unsigned char *fields = malloc((kept ? kept : 1) * FIELDS);
        for (size_t i = 0; paths && fields && i < kept; i++) {
            const table_entry *e = &b.table.items[i];
            unsigned char *fl = fields + i * FIELDS;
            paths[i] = (const char *)b.paths.p + e->path_off;
            put_u64(fl, e->rec_off);
            put_u32(fl + 8, e->rec_len);
            put_u32(fl + 12, e->head_len);
            put_u32(fl + 16, e->head_crc);
            put_u64(fl + 20, e->size);
            put_u64(fl + 28, e->mtime_ns);
        }
        if (!paths || !fields || kept > UINT32_MAX ||
            image_table_build(&table, paths, fields, (uint32_t)kept, FIELDS, &n_blocks, &max_probe) != 0)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory writing the cargo image");
        free(paths);
        free(fields);
    }
    if (rc == VSOLVE_OK && fwrite(table.p, 1, table.len, b.af.f) != table.len)
        rc = vs_error_set(err, VSOLVE_EIO, "cannot write the cargo image: %s", strerror(errno));
    if (rc == VSOLVE_OK) {
        if (image_write_header(b.af.f, magic, CARGO_IMAGE_FORMAT, source, archive ? 1u : 0u, (uint32_t)kept, b.at,
                               n_blocks, max_probe) != 0)
            rc = vs_error_set(err, VSOLVE_EIO, "cannot write the cargo image: %s", strerror(errno));
    }
    free(table.p);
    free(b.rec.p);
    free(b.bodies.p);
    free(b.paths.p);
    vec_free(&b.table);
    if (rc != VSOLVE_OK) {
        atomic_file_abort(&b.af);
        return rc;
    }
    if (n_files)
        *n_files = kept;
    return atomic_file_commit(&b.af, err);
}

/* ---- reading ------------------------------------------------------------------------------ */

const char *cargo_image_path(const cargo_image *img) { return img->f.path; }

void cargo_image_close(cargo_image *img)
{
    if (!img)
        return;
    image_file_close(&img->f);
    if (img->root_fd >= 0)
        close(img->root_fd);
    free(img);
}

cargo_image *cargo_image_open(const char *image_path, const char *root, int archive, vs_error *err)
{
    cargo_image *img = calloc(1, sizeof *img);
    if (!img) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        return NULL;
    }
    img->archive = archive;
    img->root_fd = -1;
    int rc = image_file_open(&img->f, image_path, magic, "cargo", CARGO_IMAGE_FORMAT, FIELDS, err);
    /* the crate files are looked at from the root: a path walk of their own few components */
    if (rc == VSOLVE_OK && !archive && (img->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        rc = vs_error_set(err, VSOLVE_EIO, "%s: %s", root, strerror(errno));
    const unsigned char *h = img->f.header;
    uint64_t source = 0;
    if (rc == VSOLVE_OK && get_u32(h + 24) != (archive ? 1u : 0u))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s was built from another kind of index", image_path);
    else if (rc == VSOLVE_OK && archive &&
             (cache_source_fingerprint(root, &source, err) != VSOLVE_OK || source != get_u64(h + 16)))
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "stale: %s was built from another state of the index", image_path);
    if (rc != VSOLVE_OK) {
        cargo_image_close(img);
        return NULL;
    }
    return img;
}

static const char **rstrs(image_rd *r, arena *a, size_t *n)
{
    *n = image_rcount(r, 4);
    const char **out = arena_alloc_uninit(a, (*n ? *n : 1) * sizeof *out);
    if (!out)
        return r->bad = 1, NULL;
    for (size_t i = 0; i < *n && !r->bad; i++)
        if (!(out[i] = image_rstr(r, NULL)))
            r->bad = 1;
    return out;
}

/* Decodes v's body, body[0..v->line_len): VSOLVE_OK, VSOLVE_EIO (damaged: its crc32 does not
 * match), VSOLVE_EBADINPUT (it does not decode) or VSOLVE_ENOMEM. */
static int decode_body(arena *a, const unsigned char *body, cargo_version *v)
{
    image_rd r = { body, body + v->line_len, 0 };
    if ((uint32_t)libdeflate_crc32(0, body, v->line_len) != v->body_crc)
        return VSOLVE_EIO;
    v->cksum = image_rstr(&r, NULL);
    v->links = image_rstr(&r, NULL);
    v->rust_version = image_rstr(&r, NULL);
    v->yanked = (int)image_r8(&r);
    v->n_deps = image_rcount(&r, 29);   /* the fewest bytes a dependency takes */
    v->deps = arena_alloc_uninit(a, (v->n_deps ? v->n_deps : 1) * sizeof *v->deps);   /* each cleared below */
    if (!v->deps)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < v->n_deps && !r.bad; i++) {
        cargo_dep *d = &v->deps[i];
        memset(d, 0, sizeof *d);
        d->name = image_rstr(&r, NULL);
        d->package = image_rstr(&r, NULL);
        if (!d->package)
            d->package = d->name;
        d->req_text = image_rstr(&r, NULL);
        d->target = image_rstr(&r, NULL);
        d->optional = (int)image_r8(&r);
        d->default_features = (int)image_r8(&r);
        unsigned kind = image_r8(&r);
        d->kind = kind == CARGO_BUILD ? CARGO_BUILD : kind == CARGO_DEV ? CARGO_DEV : CARGO_NORMAL;
        if (!d->name || !d->req_text || kind > CARGO_DEV)
            r.bad = 1;
        d->req.n = image_rcount(&r, 31);   /* and a comparator */
        d->req.items = arena_alloc_uninit(a, (d->req.n ? d->req.n : 1) * sizeof *d->req.items);
        if (!d->req.items)
            return VSOLVE_ENOMEM;
        for (size_t k = 0; k < d->req.n && !r.bad; k++) {
            semver_comparator *cmp = &d->req.items[k];
            memset(cmp, 0, sizeof *cmp);
            unsigned op = image_r8(&r);
            if (op > SEMVER_WILDCARD)
                r.bad = 1;
            cmp->op = (semver_op)op;
            cmp->has_minor = (int)image_r8(&r);
            cmp->has_patch = (int)image_r8(&r);
            cmp->major = image_r64(&r);
            cmp->minor = image_r64(&r);
            cmp->patch = image_r64(&r);
            cmp->pre = image_rstr(&r, &cmp->pre_len);
        }
        d->features = rstrs(&r, a, &d->n_features);
    }
    v->n_features = image_rcount(&r, 8);
    v->features = arena_alloc_uninit(a, (v->n_features ? v->n_features : 1) * sizeof *v->features);
    if (!v->features)
        return VSOLVE_ENOMEM;
    for (size_t i = 0; i < v->n_features && !r.bad; i++) {
        memset(&v->features[i], 0, sizeof v->features[i]);
        v->features[i].name = image_rstr(&r, NULL);
        if (!v->features[i].name)
            r.bad = 1;
        v->features[i].items = rstrs(&r, a, &v->features[i].n_items);
    }
    if (r.bad || r.p != r.end)
        return VSOLVE_EBADINPUT;
    v->parsed = 1;
    v->from_image = 0;
    v->line = NULL;
    v->line_len = 0;
    return VSOLVE_OK;
}

int cargo_image_version(cargo_image *img, arena *a, const cargo_crate *c, cargo_version *v, vs_error *err)
{
    const unsigned char *body = (const unsigned char *)v->line;
    int rc = VSOLVE_OK;
    if (!body) {   /* not in the window read with the head: read now, with the bodies around it */
        uint64_t end = img->f.table_off, from = v->body_off, to = v->body_off + v->line_len;   /* records end at end */
        unsigned char *buf = NULL;
        if (from < IMAGE_HEADER_SIZE || from > end || v->line_len > end - from) {
            rc = VSOLVE_EIO;
        } else {
            from = from - IMAGE_HEADER_SIZE > BODY_AROUND ? from - BODY_AROUND : IMAGE_HEADER_SIZE;
            to = end - to > BODY_AROUND ? to + BODY_AROUND : end;
            buf = arena_alloc_uninit(a, (size_t)(to - from));
            rc = !buf ? VSOLVE_ENOMEM : image_pread(&img->f, buf, (size_t)(to - from), from) != 0 ? VSOLVE_EIO : VSOLVE_OK;
        }
        body = rc == VSOLVE_OK ? buf + (v->body_off - from) : NULL;
        /* The others whose bodies it holds: the bodies lie in the versions' order reversed, so
         * from v's place outwards, each way until a body is not in the read (the work stays
         * that of the bodies read, however many versions the crate has). */
        size_t k = (size_t)(v - c->versions);
        for (int dir = -1; body && k < c->n_versions && dir <= 1; dir += 2)
            for (size_t i = k + (size_t)dir; i < c->n_versions; i += (size_t)dir) {   /* wraps past 0 */
                cargo_version *w = &c->versions[i];
                if (w->body_off < from || w->line_len > to - from || w->body_off - from > to - from - w->line_len)
                    break;
                if (w->from_image && !w->parsed && !w->line)
                    w->line = (const char *)buf + (w->body_off - from);
            }
    }
    if (rc == VSOLVE_OK)
        rc = decode_body(a, body, v);
    if (rc == VSOLVE_ENOMEM)
        return vs_error_set(err, rc, "out of memory");
    if (rc != VSOLVE_OK)
        return vs_error_set(err, VSOLVE_EBADINPUT, "corrupt: %s: the record of %s %s %s", img->f.path, v->name, v->vers,
                            rc == VSOLVE_EIO ? "is damaged (checksum mismatch)" : "does not decode");
    return VSOLVE_OK;
}

/* The versions of `name` in a record's head r. Their bodies (each checked when decoded) lie in
 * the file from bodies_off on, n_bodies bytes; the first n_window of them are in window[]. 0,
 * or -1 when the head does not decode. */
static int decode_crate(arena *a, image_rd *r, uint64_t bodies_off, uint32_t n_bodies, const unsigned char *window,
                        uint32_t n_window, const char *name, cargo_crate *c)
{
    uint32_t n_names = image_rcount(r, 8);
    for (uint32_t i = 0; i < n_names && !r->bad; i++) {
        const char *nm = image_rstr(r, NULL);
        uint32_t n = image_rcount(r, 57);   /* the fewest bytes a version takes */
        int ours = nm && !strcmp(nm, name);
        cargo_version *vs = ours ? arena_alloc_uninit(a, (n ? n : 1) * sizeof *vs) : NULL;
        if (ours && !vs)
            return -1;
        for (uint32_t k = 0; k < n && !r->bad; k++) {
            size_t vlen = 0;
            const char *vers = image_rstr(r, &vlen);
            if (!vers || image_left(r) < 52)   /* then the semver, the body's place: 52 bytes */
                return -1;
            const unsigned char *f = r->p;
            r->p += 52;
            if (!ours)
                continue;
            uint32_t po = get_u32(f + 24), pl = get_u32(f + 28), bo = get_u32(f + 32), bl = get_u32(f + 36);
            uint32_t at = get_u32(f + 40), blen = get_u32(f + 44);
            if (at > n_bodies || blen > n_bodies - at || (po != NO_STR && (po > vlen || pl > vlen - po)) ||
                (bo != NO_STR && (bo > vlen || bl > vlen - bo)))
                return -1;
            vs[k] = (cargo_version){   /* the fields not named here are 0 */
                .name = nm,
                .vers = vers,
                .v = { get_u64(f), get_u64(f + 8), get_u64(f + 16), po == NO_STR ? NULL : vers + po,
                       po == NO_STR ? 0 : pl, bo == NO_STR ? NULL : vers + bo, bo == NO_STR ? 0 : bl },
                .from_image = 1,
                .line = blen <= n_window && at <= n_window - blen ? (const char *)window + at : NULL,
                .line_len = blen,
                .body_off = bodies_off + at,
                .body_crc = get_u32(f + 48),
            };
        }
        if (ours) {
            c->versions = vs;
            c->n_versions = n;
            return r->bad ? -1 : 0;
        }
    }
    if (r->bad)
        return -1;
    c->versions = NULL;
    c->n_versions = 0;
    return 0;
}

cargo_image_answer cargo_image_crate(cargo_image *img, arena *a, const char *rel, const char *name, cargo_crate *c,
                                     const char **text, size_t *len, vs_error *why)
{
    unsigned char e[FIELDS];
    image_lookup_answer look = image_lookup(&img->f, rel, NULL, e);
    if (look == IMAGE_DAMAGED) {
        vs_error_set(why, VSOLVE_EBADINPUT, "corrupt: %s: the file table is damaged where it holds %s", img->f.path,
                     rel);
        return CARGO_IMAGE_UNUSABLE;
    }
    int found = look == IMAGE_FOUND;
    if (!img->archive) {   /* the crate file as it is now against the image */
        struct stat st;
        int exists = fstatat(img->root_fd, rel, &st, 0) == 0;
        if (!found && !exists)
            return CARGO_IMAGE_ABSENT;
        uint64_t mtime = exists ? (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec : 0;
        if (!found || !exists || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != get_u64(e + 20) ||
            mtime != get_u64(e + 28)) {
            vs_error_set(why, VSOLVE_EBADINPUT, "stale: %s: the index's %s %s since the image was built", img->f.path,
                         rel, !found ? "was added" : !exists ? "was removed" : "changed");
            return CARGO_IMAGE_UNUSABLE;
        }
    } else if (!found) {
        return CARGO_IMAGE_ABSENT;
    }
    uint64_t off = get_u64(e);
    uint32_t rec_len = get_u32(e + 8), head_len = get_u32(e + 12), crc = get_u32(e + 16);
    /* the head, and the first bodies in the same read */
    uint32_t got = head_len > rec_len ? 0 : rec_len - head_len < BODY_WINDOW ? rec_len : head_len + BODY_WINDOW;
    int inside = head_len > 0 && got > 0 && off <= img->f.table_off && got <= img->f.table_off - off;
    unsigned char *rec = inside ? arena_alloc_uninit(a, got + 1) : NULL;
    if (inside && !rec) {
        vs_error_set(why, VSOLVE_ENOMEM, "out of memory");
        return CARGO_IMAGE_UNUSABLE;
    }
    if (!inside || image_pread(&img->f, rec, got, off) != 0 || (uint32_t)libdeflate_crc32(0, rec, head_len) != crc) {
        vs_error_set(why, VSOLVE_EBADINPUT, "corrupt: %s: the record of %s is damaged (checksum mismatch)", img->f.path,
                     rel);
        return CARGO_IMAGE_UNUSABLE;
    }
    if (rec[0] == 1 && head_len == rec_len) {   /* the text */
        rec[rec_len] = '\0';
        *text = (const char *)rec + 1;
        *len = rec_len - 1;
        return CARGO_IMAGE_TEXT;
    }
    image_rd r = { rec + 1, rec + head_len, 0 };
    if (rec[0] != 0 ||
        decode_crate(a, &r, off + head_len, rec_len - head_len, rec + head_len, got - head_len, name, c) != 0) {
        vs_error_set(why, VSOLVE_EBADINPUT, "corrupt: %s: the record of %s does not decode", img->f.path, rel);
        return CARGO_IMAGE_UNUSABLE;
    }
    return CARGO_IMAGE_FOUND;
}
