/* lock_read.c: reading the sources of a JSON lock or an opam-monorepo .opam.locked. */
#include "lock_read.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "opam_syntax.h"

#define MAX_LOCK_BYTES (64u << 20)

static const char *const hash_names[BK_HASH_KINDS] = { "md5", "sha256", "sha512" };
static const size_t hash_hexlens[BK_HASH_KINDS] = { 32, 64, 128 };

const char *bk_hash_name(bk_hash_kind k) { return hash_names[k]; }
size_t bk_hash_hexlen(bk_hash_kind k) { return hash_hexlens[k]; }

int bk_checksum_parse(const char *text, bk_checksum *out)
{
    const char *eq = strchr(text, '=');
    if (!eq)
        return -1;
    for (int k = 0; k < BK_HASH_KINDS; k++) {
        size_t n = strlen(hash_names[k]);
        if ((size_t)(eq - text) != n || strncmp(text, hash_names[k], n) != 0)
            continue;
        const char *hex = eq + 1;
        if (strlen(hex) != hash_hexlens[k])
            return -1;
        for (const char *p = hex; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                return -1;
        out->kind = (bk_hash_kind)k;
        out->hex = hex;
        return 0;
    }
    return -1;
}

const bk_checksum *bk_strongest(const bk_source *s)
{
    const bk_checksum *best = NULL;
    for (size_t i = 0; i < s->n_checksums; i++)
        if (!best || s->checksums[i].kind > best->kind)
            best = &s->checksums[i];
    return best;
}

int bk_dir_valid(const char *dir)
{
    static const char *const reserved[] = { "dune", "dune-project", "dune-workspace", "dune-file",
                                            "dune.opam", "dune-project.opam", "dune-workspace.opam",
                                            "dune-file.opam" };
    size_t n = strlen(dir);
    if (n == 0 || n > 200 || !strcmp(dir, ".") || !strcmp(dir, ".."))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = dir[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("._+-", c)))
            return 0;
    }
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (!strcmp(dir, reserved[i]))
            return 0;
    return 1;
}

static char *read_all(const char *path, size_t *len, vs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        vs_error_set(err, VSOLVE_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= MAX_LOCK_BYTES) {
            free(buf);
            fclose(f);
            vs_error_set(err, VSOLVE_EBADINPUT, "%s: larger than %u MiB, not a lock", path, MAX_LOCK_BYTES >> 20);
            return NULL;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) {
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", path);
        return NULL;
    }
    if (bad) {
        free(buf);
        vs_error_set(err, VSOLVE_EIO, "%s: read error", path);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Checks the dirs: valid and distinct. */
static int check_dirs(const bk_lock *l, const unsigned *lines, const unsigned *cols, vs_error *err)
{
    for (size_t i = 0; i < l->n_sources; i++) {
        if (!bk_dir_valid(l->sources[i].dir))
            return vs_error_at(err, l->path, lines[i], cols[i],
                               "invalid source dir \"%.200s\": expected [A-Za-z0-9][A-Za-z0-9._+-]*, "
                               "not . or .., not a dune file name", l->sources[i].dir);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(l->sources[i].dir, l->sources[j].dir))
                return vs_error_at(err, l->path, lines[i], cols[i], "source dir \"%s\" appears twice",
                                   l->sources[i].dir);
    }
    return VSOLVE_OK;
}

/* ---- JSON lock ---- */

static const json_value *jfield(const json_value *o, const char *key, json_kind kind, const char *path,
                                vs_error *err)
{
    const json_value *v = json_get(o, key);
    if (!v) {
        vs_error_at(err, path, o->line, o->col, "expected a \"%s\" member", key);
        return NULL;
    }
    if (v->kind != kind) {
        vs_error_at(err, path, v->line, v->col, "\"%s\": expected %s, found %s", key, json_kind_name(kind),
                    json_kind_name(v->kind));
        return NULL;
    }
    return v;
}

static int read_json(arena *a, const char *text, size_t len, bk_lock *l, vs_error *err)
{
    json_value *root = json_parse(a, l->path, text, len, err);
    if (!root)
        return err->code;
    if (root->kind != JSON_OBJECT)
        return vs_error_at(err, l->path, root->line, root->col, "expected an object, found %s",
                           json_kind_name(root->kind));
    const json_value *ver = jfield(root, "lock-version", JSON_NUMBER, l->path, err);
    if (!ver)
        return err->code;
    if (strcmp(ver->numtext, "1") != 0)
        return vs_error_at(err, l->path, ver->line, ver->col,
                           "lock-version %s is not known to this vsolve (it reads version 1)", ver->numtext);
    const json_value *roots = jfield(root, "roots", JSON_ARRAY, l->path, err);
    const json_value *srcs = roots ? jfield(root, "sources", JSON_ARRAY, l->path, err) : NULL;
    if (!srcs)
        return err->code;
    l->roots = arena_alloc(a, (roots->n + 1) * sizeof *l->roots);
    l->sources = arena_alloc(a, (srcs->n + 1) * sizeof *l->sources);
    unsigned *lines = arena_alloc(a, (srcs->n + 1) * sizeof *lines), *cols = arena_alloc(a, (srcs->n + 1) * sizeof *cols);
    if (!l->roots || !l->sources || !lines || !cols)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", l->path);
    for (size_t i = 0; i < roots->n; i++) {
        if (roots->items[i]->kind != JSON_STRING)
            return vs_error_at(err, l->path, roots->items[i]->line, roots->items[i]->col, "roots: expected strings");
        l->roots[l->n_roots++] = roots->items[i]->str;
    }
    for (size_t i = 0; i < srcs->n; i++) {
        const json_value *s = srcs->items[i];
        if (s->kind != JSON_OBJECT)
            return vs_error_at(err, l->path, s->line, s->col, "sources: expected objects, found %s",
                               json_kind_name(s->kind));
        const json_value *dir = jfield(s, "dir", JSON_STRING, l->path, err);
        const json_value *url = dir ? jfield(s, "url", JSON_STRING, l->path, err) : NULL;
        const json_value *cks = url ? jfield(s, "checksums", JSON_ARRAY, l->path, err) : NULL;
        const json_value *pkgs = cks ? jfield(s, "packages", JSON_ARRAY, l->path, err) : NULL;
        if (!pkgs)
            return err->code;
        bk_source *src = &l->sources[l->n_sources++];
        lines[i] = dir->line, cols[i] = dir->col;
        src->dir = dir->str;
        src->url = url->str;
        if (strlen(dir->str) != dir->len || strlen(url->str) != url->len)
            return vs_error_at(err, l->path, s->line, s->col, "a NUL byte in dir or url");
        if (cks->n == 0)
            return vs_error_at(err, l->path, cks->line, cks->col,
                               "source \"%s\" has no checksum: a lock without one is not reproducible", src->dir);
        src->checksums = arena_alloc(a, cks->n * sizeof *src->checksums);
        src->packages = arena_alloc(a, (pkgs->n + 1) * sizeof *src->packages);
        if (!src->checksums || !src->packages)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", l->path);
        for (size_t k = 0; k < cks->n; k++) {
            const json_value *c = cks->items[k];
            if (c->kind != JSON_STRING || bk_checksum_parse(c->str, &src->checksums[k]) != 0)
                return vs_error_at(err, l->path, c->line, c->col,
                                   "expected a checksum \"md5=HEX\", \"sha256=HEX\" or \"sha512=HEX\" "
                                   "(lowercase hex of the kind's length)");
            src->n_checksums++;
        }
        for (size_t k = 0; k < pkgs->n; k++) {
            if (pkgs->items[k]->kind != JSON_STRING)
                return vs_error_at(err, l->path, pkgs->items[k]->line, pkgs->items[k]->col, "packages: expected strings");
            src->packages[src->n_packages++] = pkgs->items[k]->str;
        }
    }
    /* Name packages with their versions where the packages list gives them. */
    const json_value *packages = json_get(root, "packages");
    if (packages && packages->kind == JSON_ARRAY)
        for (size_t i = 0; i < l->n_sources; i++)
            for (size_t k = 0; k < l->sources[i].n_packages; k++)
                for (size_t p = 0; p < packages->n; p++) {
                    const json_value *name = json_get(packages->items[p], "name");
                    const json_value *v = json_get(packages->items[p], "version");
                    if (name && v && name->kind == JSON_STRING && v->kind == JSON_STRING &&
                        !strcmp(name->str, l->sources[i].packages[k])) {
                        size_t n = strlen(name->str) + strlen(v->str) + 2;
                        char *nv = arena_alloc(a, n);
                        if (!nv)
                            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", l->path);
                        snprintf(nv, n, "%s.%s", name->str, v->str);
                        l->sources[i].packages[k] = nv;
                        break;
                    }
                }
    return check_dirs(l, lines, cols, err);
}

/* ---- .opam.locked ---- */

static int opam_string(const opam_node *n)
{
    return n && n->kind == OPAM_STRING && strlen(n->str) == n->len;
}

static int read_opam(arena *a, const char *text, size_t len, bk_lock *l, vs_error *err)
{
    opam_file *f = opam_parse(a, l->path, text, len, err);
    if (!f)
        return err->code;
    const opam_node *dirs = opam_file_field(f, "x-opam-monorepo-duniverse-dirs");
    if (!dirs)
        return vs_error_at(err, l->path, 1, 1, "no x-opam-monorepo-duniverse-dirs field: not an opam-monorepo lock");
    if (dirs->kind != OPAM_LIST)
        return vs_error_at(err, l->path, dirs->line, dirs->col, "x-opam-monorepo-duniverse-dirs: expected a list");
    const opam_node *roots = opam_file_field(f, "x-opam-monorepo-root-packages");
    const opam_node *pins = opam_file_field(f, "pin-depends");
    size_t n_roots = roots && roots->kind == OPAM_LIST ? roots->n_items : opam_string(roots) ? 1 : 0;
    l->roots = arena_alloc(a, (n_roots + 1) * sizeof *l->roots);
    l->sources = arena_alloc(a, (dirs->n_items + 1) * sizeof *l->sources);
    unsigned *lines = arena_alloc(a, (dirs->n_items + 1) * sizeof *lines), *cols = arena_alloc(a, (dirs->n_items + 1) * sizeof *cols);
    if (!l->roots || !l->sources || !lines || !cols)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", l->path);
    if (opam_string(roots))
        l->roots[l->n_roots++] = roots->str;
    else
        for (size_t i = 0; i < n_roots; i++)
            if (opam_string(roots->items[i]))
                l->roots[l->n_roots++] = roots->items[i]->str;
    for (size_t i = 0; i < dirs->n_items; i++) {
        const opam_node *e = dirs->items[i];
        if (e->kind != OPAM_LIST || e->n_items < 2 || e->n_items > 3 || !opam_string(e->items[0]) ||
            !opam_string(e->items[1]))
            return vs_error_at(err, l->path, e->line, e->col, "expected [\"URL\" \"DIR\" [\"KIND=HEX\" ...]]");
        bk_source *src = &l->sources[l->n_sources++];
        lines[i] = e->items[1]->line, cols[i] = e->items[1]->col;
        src->url = e->items[0]->str;
        src->dir = e->items[1]->str;
        const opam_node *cks = e->n_items == 3 ? e->items[2] : NULL;
        size_t nck = !cks ? 0 : cks->kind == OPAM_LIST ? cks->n_items : 1;
        if (nck == 0)
            return vs_error_at(err, l->path, e->line, e->col,
                               "source \"%s\" has no checksum: a lock without one is not reproducible", src->dir);
        src->checksums = arena_alloc(a, nck * sizeof *src->checksums);
        if (!src->checksums)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", l->path);
        for (size_t k = 0; k < nck; k++) {
            const opam_node *c = cks->kind == OPAM_LIST ? cks->items[k] : cks;
            if (!opam_string(c) || bk_checksum_parse(c->str, &src->checksums[k]) != 0)
                return vs_error_at(err, l->path, c->line, c->col,
                                   "expected a checksum \"md5=HEX\", \"sha256=HEX\" or \"sha512=HEX\"");
            src->n_checksums++;
        }
        /* The packages of this source: the pin-depends entries with its URL. */
        size_t n_pins = pins && pins->kind == OPAM_LIST ? pins->n_items : 0;
        src->packages = arena_alloc(a, (n_pins + 1) * sizeof *src->packages);
        if (!src->packages)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory reading %s", l->path);
        for (size_t k = 0; k < n_pins; k++) {
            const opam_node *p = pins->items[k];
            if (p->kind == OPAM_LIST && p->n_items == 2 && opam_string(p->items[0]) && opam_string(p->items[1]) &&
                !strcmp(p->items[1]->str, src->url))
                src->packages[src->n_packages++] = p->items[0]->str;
        }
        if (src->n_packages == 0)
            src->packages[src->n_packages++] = src->dir;
    }
    return check_dirs(l, lines, cols, err);
}

int bk_lock_read(arena *a, const char *path, bk_lock *out, vs_error *err)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    size_t len = 0;
    char *text = read_all(path, &len, err);
    if (!text)
        return err->code;
    size_t pl = strlen(path);
    int rc = pl >= 5 && !strcmp(path + pl - 5, ".json") ? read_json(a, text, len, out, err)
                                                          : read_opam(a, text, len, out, err);
    free(text);   /* the parsers copy every string into the arena */
    return rc;
}
