/* npm_lock.c: package-lock.json v3 from the ideal tree, with json-stringify-nice's key order; and reading a lock back. */
#include "npm_lock.h"
#include <stdlib.h>
#include <string.h>

/* ---- writing JSON the way JSON.stringify(obj, nice-sort, 2) does ---- */

static const char *const pref_keys[] = { "name", "version", "lockfileVersion", "resolved", "integrity", "requires",
                                         "packages", "dependencies" };

static int pref_index(const char *k)
{
    for (int i = 0; i < 8; i++)
        if (!strcmp(k, pref_keys[i]))
            return i;
    return -1;
}

/* A member to write: a JSON value, or a literal (already JSON text). */
typedef struct member {
    const char *key;
    const json_value *value;
    const char *literal;
    int is_obj;
} member;

static int cmp_member(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->is_obj != b->is_obj)
        return a->is_obj ? 1 : -1;
    int pa = pref_index(a->key), pb = pref_index(b->key);
    if (pa >= 0 && pb < 0)
        return -1;
    if (pb >= 0 && pa < 0)
        return 1;
    if (pa >= 0 && pb >= 0)
        return pa - pb;
    return npm_locale_compare(a->key, b->key);
}

static void write_string(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

static void indent(FILE *f, int level)
{
    for (int i = 0; i < level; i++)
        fputs("  ", f);
}

static void write_value(FILE *f, const json_value *v, int level);

static void write_members(FILE *f, member *m, size_t n, int level)
{
    if (!n) {
        fputs("{}", f);
        return;
    }
    qsort(m, n, sizeof *m, cmp_member);
    fputs("{\n", f);
    for (size_t i = 0; i < n; i++) {
        indent(f, level + 1);
        write_string(f, m[i].key, strlen(m[i].key));
        fputs(": ", f);
        if (m[i].literal)
            fputs(m[i].literal, f);
        else
            write_value(f, m[i].value, level + 1);
        fputs(i + 1 < n ? ",\n" : "\n", f);
    }
    indent(f, level);
    fputc('}', f);
}

static void write_value(FILE *f, const json_value *v, int level)
{
    switch (v->kind) {
    case JSON_NULL: fputs("null", f); break;
    case JSON_BOOL: fputs(v->b ? "true" : "false", f); break;
    case JSON_NUMBER: fputs(v->numtext, f); break;
    case JSON_STRING: write_string(f, v->str, v->len); break;
    case JSON_ARRAY:
        if (!v->n) {
            fputs("[]", f);
            break;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < v->n; i++) {
            indent(f, level + 1);
            write_value(f, v->items[i], level + 1);
            fputs(i + 1 < v->n ? ",\n" : "\n", f);
        }
        indent(f, level);
        fputc(']', f);
        break;
    case JSON_OBJECT: {
        /* later duplicates win, as in JSON.parse (keys found through an open-addressing table
         * of positions + 1) */
        size_t n_slots = 16;
        while (n_slots < 2 * v->n)
            n_slots *= 2;
        member *m = v->n ? calloc(v->n, sizeof *m) : NULL;
        size_t *slots = v->n ? calloc(n_slots, sizeof *slots) : NULL;
        size_t n = 0;
        if (v->n && (!m || !slots)) {
            free(m);
            free(slots);
            fputs("{}", f);
            break;
        }
        for (size_t i = 0; i < v->n; i++) {
            size_t h = 1469598103934665603u;
            for (const char *c = v->keys[i]; *c; c++)
                h = (h ^ (unsigned char)*c) * 1099511628211u;
            size_t j = h & (n_slots - 1);
            while (slots[j] && strcmp(m[slots[j] - 1].key, v->keys[i]))
                j = (j + 1) & (n_slots - 1);
            size_t k = slots[j] ? slots[j] - 1 : n++;
            slots[j] = k + 1;
            m[k] = (member){ v->keys[i], v->items[i], NULL, v->items[i]->kind == JSON_OBJECT };
        }
        write_members(f, m, n, level);
        free(slots);
        free(m);
        break;
    }
    }
}

static int non_empty(const json_value *v)
{
    if (!v)
        return 0;
    switch (v->kind) {
    case JSON_NULL: return 0;
    case JSON_BOOL: return v->b;
    case JSON_NUMBER: return v->num != 0;
    case JSON_STRING: return v->len > 0;
    default: return v->n > 0;
    }
}

/* sha1 hex -> "sha1-BASE64" (what pacote makes of a bare dist.shasum), quoted as JSON. */
int npm_shasum_integrity(const char *hex, char *out, size_t size)
{
    unsigned char raw[20];
    if (strlen(hex) != 40 || size < 40)
        return 0;
    for (int i = 0; i < 20; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                                    c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
        }
        raw[i] = (unsigned char)v;
    }
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = (size_t)snprintf(out, size, "\"sha1-");
    for (int i = 0; i < 20; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (i + 1 < 20 ? (unsigned)raw[i + 1] << 8 : 0) | (i + 2 < 20 ? raw[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < 20 ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < 20 ? b64[v & 63] : '=';
    }
    out[o++] = '"';
    out[o] = 0;
    return 1;
}

/* A bin path as npm-normalize-package-bin leaves it: no leading "./" or "/". */
static const char *bin_path(const char *p)
{
    for (;;) {
        if (!strncmp(p, "./", 2))
            p += 2;
        else if (*p == '/')
            p++;
        else
            return p;
    }
}

/* "bin": "x" becomes {"NAME": "x"}; "funding": "URL" becomes {"url": "URL"} (the same inside an
 * array is left as npm leaves it). Returns the JSON text at entry-member indentation, or NULL
 * to write the value as it is. */
static char *normalized_literal(const char *key, const char *pkg_name, const json_value *v, char *buf)
{
    FILE *f = fmemopen(buf, 8192, "w");
    if (!f)
        return NULL;
    int done = 0;
    if (!strcmp(key, "funding") && v->kind == JSON_STRING) {
        fputs("{\n        \"url\": ", f);
        write_string(f, v->str, v->len);
        fputs("\n      }", f);
        done = 1;
    } else if (!strcmp(key, "bin") && v->kind == JSON_STRING) {
        const char *base = strrchr(pkg_name, '/');
        base = base ? base + 1 : pkg_name;
        const char *p = bin_path(v->str);
        fputs("{\n        ", f);
        write_string(f, base, strlen(base));
        fputs(": ", f);
        write_string(f, p, strlen(p));
        fputs("\n      }", f);
        done = 1;
    } else if (!strcmp(key, "bin") && v->kind == JSON_OBJECT && v->n) {
        member mm[64];
        size_t n = 0;
        for (size_t i = 0; i < v->n && n < 64; i++)
            if (v->items[i]->kind == JSON_STRING)
                mm[n++] = (member){ v->keys[i], v->items[i], NULL, 0 };
        qsort(mm, n, sizeof *mm, cmp_member);
        fputs("{\n", f);
        for (size_t i = 0; i < n; i++) {
            const char *kb = strrchr(mm[i].key, '/');
            kb = kb ? kb + 1 : mm[i].key;
            const char *p = bin_path(mm[i].value->str);
            fputs("        ", f);
            write_string(f, kb, strlen(kb));
            fputs(": ", f);
            write_string(f, p, strlen(p));
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        fputs("      }", f);
        done = n > 0;
    }
    fflush(f);
    long used = ftell(f);   /* a literal that does not fit is written as the value it was */
    fclose(f);
    if (!done || used < 0 || used >= 8191)
        return NULL;
    buf[used] = '\0';
    return buf;
}

static const char *const pkg_meta_keys[] = { "version", "dependencies", "peerDependencies", "peerDependenciesMeta",
                                             "optionalDependencies", "bundleDependencies", "acceptDependencies",
                                             "funding", "engines", "os", "cpu", "libc", "license",
                                             "hasInstallScript", "bin", "deprecated", "workspaces" };

static void write_entry(FILE *f, const npm_node *n, const char *registry_url, int first)
{
    member m[40];
    size_t k = 0, n_lits = 0;
    char lits[2][8192];
    char integrity[64], resolved[4096] = "";
    const json_value *mani = n->manifest;
    const json_value *dist = n->is_root || n->is_link ? NULL : json_get(mani, "dist");
    if (!n->is_root && !n->is_link && registry_url && dist) {
        const json_value *tb = json_get(dist, "tarball");
        if (tb && tb->kind == JSON_STRING) {
            const char *at = strstr(tb->str, "@REGISTRY@");
            size_t ul = strlen(registry_url);
            while (ul && registry_url[ul - 1] == '/')
                ul--;
            if (at)
                snprintf(resolved, sizeof resolved, "%.*s%.*s%s", (int)(at - tb->str), tb->str, (int)ul, registry_url,
                         at + 10);
            else
                snprintf(resolved, sizeof resolved, "%s", tb->str);
        }
    }
    for (size_t i = 0; i < sizeof pkg_meta_keys / sizeof *pkg_meta_keys; i++) {
        const json_value *v = json_get(mani, pkg_meta_keys[i]);
        if (!strcmp(pkg_meta_keys[i], "bundleDependencies") && !v)
            v = json_get(mani, "bundledDependencies");
        if (!non_empty(v))
            continue;
        if (!strcmp(pkg_meta_keys[i], "license") && v->kind == JSON_OBJECT) {
            const json_value *ty = json_get(v, "type");
            if (non_empty(ty))
                v = ty;
        }
        if (!strcmp(pkg_meta_keys[i], "bin") || !strcmp(pkg_meta_keys[i], "funding")) {
            char *lit = normalized_literal(pkg_meta_keys[i], n->pkg_name, v, lits[n_lits]);
            if (lit) {
                m[k++] = (member){ pkg_meta_keys[i], NULL, lit, lit[0] == '{' };
                n_lits++;
                continue;
            }
        }
        m[k++] = (member){ pkg_meta_keys[i], v, NULL, v->kind == JSON_OBJECT };
    }
    int top = n->is_root || n->is_link;   /* the project's own package.json: no dist, devDependencies */
    if (!top && !non_empty(json_get(mani, "hasInstallScript"))) {
        const json_value *sc = json_get(mani, "scripts");
        if (non_empty(json_get(sc, "preinstall")) || non_empty(json_get(sc, "install")) ||
            non_empty(json_get(sc, "postinstall")))
            m[k++] = (member){ "hasInstallScript", NULL, "true", 0 };
    }
    if (!top) {
        const json_value *hs = json_get(mani, "_hasShrinkwrap");
        if (non_empty(hs))
            m[k++] = (member){ "hasShrinkwrap", NULL, "true", 0 };
    }
    fputs(first ? "" : ",\n", f);
    fputs("    ", f);
    write_string(f, n->location, strlen(n->location));
    fputs(": ", f);
    /* literals built here live until written */
    char name_lit[1024] = "", int_lit[1024] = "", res_lit[4200] = "";
    /* the name when it differs from the folder's (always for the root) */
    const char *folder = n->is_link ? strrchr(n->location, '/') : NULL;
    folder = n->is_link ? (folder ? folder + 1 : n->location) : n->name;
    if (n->is_root ? n->pkg_name[0] != 0 : strcmp(n->pkg_name, folder) != 0) {
        FILE *mf = fmemopen(name_lit, sizeof name_lit, "w");
        if (mf) {
            write_string(mf, n->pkg_name, strlen(n->pkg_name));
            fclose(mf);
            m[k++] = (member){ "name", NULL, name_lit, 0 };
        }
    }
    if (top) {
        const json_value *dd = json_get(mani, "devDependencies");
        if (non_empty(dd))
            m[k++] = (member){ "devDependencies", dd, NULL, dd->kind == JSON_OBJECT };
    }
    if (n->is_link) {
        if (n->peer)
            m[k++] = (member){ "peer", NULL, "true", 0 };
        if (n->dev)
            m[k++] = (member){ "dev", NULL, "true", 0 };
        if (n->optional)
            m[k++] = (member){ "optional", NULL, "true", 0 };
        if (n->dev_optional && !n->dev && !n->optional)
            m[k++] = (member){ "devOptional", NULL, "true", 0 };
    } else if (!n->is_root) {
        if (registry_url && resolved[0]) {
            FILE *mf = fmemopen(res_lit, sizeof res_lit, "w");
            if (mf) {
                write_string(mf, resolved, strlen(resolved));
                fclose(mf);
                m[k++] = (member){ "resolved", NULL, res_lit, 0 };
            }
        }
        const json_value *iv = dist ? json_get(dist, "integrity") : NULL;
        const json_value *sv = dist ? json_get(dist, "shasum") : NULL;
        if (iv && iv->kind == JSON_STRING) {
            FILE *mf = fmemopen(int_lit, sizeof int_lit, "w");
            if (mf) {
                write_string(mf, iv->str, iv->len);
                fclose(mf);
                m[k++] = (member){ "integrity", NULL, int_lit, 0 };
            }
        } else if (sv && sv->kind == JSON_STRING && npm_shasum_integrity(sv->str, integrity, sizeof integrity))
            m[k++] = (member){ "integrity", NULL, integrity, 0 };
        if (n->peer)
            m[k++] = (member){ "peer", NULL, "true", 0 };
        if (n->dev)
            m[k++] = (member){ "dev", NULL, "true", 0 };
        if (n->optional)
            m[k++] = (member){ "optional", NULL, "true", 0 };
        if (n->dev_optional && !n->dev && !n->optional)
            m[k++] = (member){ "devOptional", NULL, "true", 0 };
    }
    write_members(f, m, k, 2);
}

/* A lock entry: a node at its location, or the link of a link target at its link_location. */
typedef struct lock_entry {
    const char *location;
    const npm_node *node;
    int link;
} lock_entry;

static int cmp_entry(const void *x, const void *y)
{
    return npm_locale_compare(((const lock_entry *)x)->location, ((const lock_entry *)y)->location);
}

/* A workspace's or file: directory's link: where it points (relative to the project). */
static void write_link_entry(FILE *f, const lock_entry *e)
{
    fputs(",\n    ", f);
    write_string(f, e->location, strlen(e->location));
    fputs(": {\n      \"resolved\": ", f);
    write_string(f, e->node->location, strlen(e->node->location));
    fputs(",\n      \"link\": true\n    }", f);
}

int npm_lock_write(FILE *f, const npm_tree *t, const char *registry_url, vs_error *err)
{
    npm_node **nodes = NULL;
    size_t n = npm_tree_nodes(t, &nodes), n_links = 0;
    for (size_t i = 0; i < n; i++)
        n_links += nodes[i]->is_link && nodes[i]->link_location;
    lock_entry *entries = malloc((n + n_links + 1) * sizeof *entries);
    if (!entries) {
        free(nodes);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    size_t n_entries = 0;
    for (size_t i = 0; i < n; i++) {
        entries[n_entries++] = (lock_entry){ nodes[i]->location, nodes[i], 0 };
        if (nodes[i]->is_link && nodes[i]->link_location)
            entries[n_entries++] = (lock_entry){ nodes[i]->link_location, nodes[i], 1 };
    }
    if (n_links)
        qsort(entries, n_entries, sizeof *entries, cmp_entry);
    const npm_node *root = t->root;
    fputs("{\n", f);
    if (root->pkg_name[0]) {
        fputs("  \"name\": ", f);
        write_string(f, root->pkg_name, strlen(root->pkg_name));
        fputs(",\n", f);
    }
    if (root->version) {
        fputs("  \"version\": ", f);
        write_string(f, root->version, strlen(root->version));
        fputs(",\n", f);
    }
    fputs("  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n", f);
    write_entry(f, root, registry_url, 1);
    for (size_t i = 0; i < n_entries; i++)
        if (entries[i].link)
            write_link_entry(f, &entries[i]);
        else
            write_entry(f, entries[i].node, registry_url, 0);
    fputs("\n  }\n}\n", f);
    free(entries);
    free(nodes);
    if (ferror(f))
        return vs_error_set(err, VSOLVE_EIO, "cannot write the package-lock.json");
    return VSOLVE_OK;
}

int npm_lock_read(arena *a, const char *path, npm_locked **out, size_t *n_out, vs_error *err)
{
    const json_value *doc = NULL;
    *out = NULL;
    *n_out = 0;
    int rc = npm_manifest_read(a, path, &doc, err);
    if (rc != VSOLVE_OK)
        return rc;
    const json_value *pk = json_get(doc, "packages");
    if (!pk)
        return VSOLVE_OK;
    if (pk->kind != JSON_OBJECT)
        return vs_error_at(err, path, pk->line, pk->col, "expected \"packages\" to be an object, found %s",
                           json_kind_name(pk->kind));
    npm_locked *l = pk->n ? arena_alloc(a, pk->n * sizeof *l) : NULL;
    size_t k = 0;
    if (pk->n && !l)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < pk->n; i++) {
        const json_value *e = pk->items[i];
        const char *loc = pk->keys[i];
        const char *nm = strstr(loc, "node_modules/");
        if (e->kind != JSON_OBJECT || !nm)
            continue;
        const char *last = loc;
        for (const char *p = loc; (p = strstr(p, "node_modules/")); p += 13)
            last = p + 13;
        const json_value *v = json_get(e, "version"), *name = json_get(e, "name");
        if (!v || v->kind != JSON_STRING)
            continue;
        l[k++] = (npm_locked){ loc, name && name->kind == JSON_STRING ? name->str : last, v->str };
    }
    *out = l;
    *n_out = k;
    return VSOLVE_OK;
}
