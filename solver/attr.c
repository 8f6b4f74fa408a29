/* attr.c: the per-package attribute store: triples (package, key, value) over interned strings. */
#include "attr.h"
#include <stdlib.h>
#include <string.h>
#include "vsolve.h"

static const char *const known_names[VS_ATTR_N_KNOWN] = {
    "", "url", "checksum", "mirror", "dev-repo", "homepage", "license", "depext", "builds-with-dune",
    "cargo-checksum", "cargo-source", "npm-integrity", "npm-tarball",
};

int attrs_init(vs_attrs *a)
{
    memset(a, 0, sizeof *a);
    a->sorted = 1;
    return strpool_init(&a->strings);
}

void attrs_free(vs_attrs *a)
{
    if (a->free_source)
        a->free_source(a->source);
    strpool_free(&a->strings);
    vec_free(&a->items);
    memset(a, 0, sizeof *a);
}

int attrs_need(vs_attrs *a, vs_error *err)
{
    if (!a->load)
        return VSOLVE_OK;
    int rc = a->load(a->source, a, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (a->free_source)
        a->free_source(a->source);
    a->source = NULL;
    a->load = NULL;
    a->free_source = NULL;
    return VSOLVE_OK;
}

int attrs_add(vs_attrs *a, uint32_t pkg, uint32_t key, const char *value, size_t len)
{
    uint32_t v = strpool_intern(&a->strings, value, len);
    return v == UINT32_MAX ? VSOLVE_ENOMEM : attrs_add_id(a, pkg, key, v);
}

int attrs_add_id(vs_attrs *a, uint32_t pkg, uint32_t key, uint32_t v)
{
    vs_attr t = { pkg, key, v };
    if (a->items.len) {
        const vs_attr *last = &a->items.items[a->items.len - 1];
        if (last->pkg > pkg || (last->pkg == pkg && last->key > key))
            a->sorted = 0;
    }
    return vec_push(&a->items, t) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static int before(const vs_attr *x, const vs_attr *y)
{
    return x->pkg != y->pkg ? x->pkg < y->pkg : x->key < y->key;
}

static void merge_sort(vs_attr *v, vs_attr *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    while (i < h && j < n)
        tmp[k++] = before(&v[j], &v[i]) ? v[j++] : v[i++];   /* stable: ties take the left */
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int attrs_finish(vs_attrs *a)
{
    if (a->sorted)
        return VSOLVE_OK;
    vs_attr *tmp = malloc(a->items.len * sizeof *tmp);
    if (!tmp)
        return VSOLVE_ENOMEM;
    merge_sort(a->items.items, tmp, a->items.len);
    free(tmp);
    a->sorted = 1;
    return VSOLVE_OK;
}

uint32_t attrs_find_key(const vs_attrs *a, const char *name)
{
    for (uint32_t k = 1; k < VS_ATTR_N_KNOWN; k++)
        if (!strcmp(known_names[k], name))
            return k;
    uint32_t id = strpool_find(&a->strings, name, strlen(name));
    return id == UINT32_MAX || id >= VS_ATTR_FREE ? VS_ATTR_NONE : VS_ATTR_FREE | id;
}

uint32_t attrs_key(vs_attrs *a, const char *name)
{
    uint32_t k = attrs_find_key(a, name);
    if (k != VS_ATTR_NONE || !*name)
        return k;
    uint32_t id = strpool_intern(&a->strings, name, strlen(name));
    return id == UINT32_MAX || id >= VS_ATTR_FREE ? UINT32_MAX : VS_ATTR_FREE | id;
}

const char *attrs_key_name(const vs_attrs *a, uint32_t key)
{
    if (key < VS_ATTR_N_KNOWN)
        return known_names[key];
    if ((key & VS_ATTR_FREE) && (key & ~VS_ATTR_FREE) < a->strings.count)
        return attrs_str(a, key & ~VS_ATTR_FREE);
    return "";
}

/* The first triple of pkg at or after key (binary search), as an index. */
static size_t lower_bound(const vs_attrs *a, uint32_t pkg, uint32_t key)
{
    size_t lo = 0, hi = a->items.len;
    vs_attr probe = { pkg, key, 0 };
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (before(&a->items.items[mid], &probe))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t attrs_lookup_all(const vs_attrs *a, uint32_t pkg, uint32_t key, const vs_attr **first)
{
    *first = NULL;
    if (!a->sorted) {   /* before attrs_finish: the run is contiguous only if added so; scan */
        for (size_t i = 0; i < a->items.len; i++)
            if (a->items.items[i].pkg == pkg && a->items.items[i].key == key) {
                size_t n = 1;
                while (i + n < a->items.len && a->items.items[i + n].pkg == pkg && a->items.items[i + n].key == key)
                    n++;
                *first = &a->items.items[i];
                return n;
            }
        return 0;
    }
    size_t i = lower_bound(a, pkg, key), n = 0;
    while (i + n < a->items.len && a->items.items[i + n].pkg == pkg && a->items.items[i + n].key == key)
        n++;
    if (n)
        *first = &a->items.items[i];
    return n;
}

size_t attrs_of(const vs_attrs *a, uint32_t pkg, const vs_attr **first)
{
    *first = NULL;
    size_t i = a->sorted ? lower_bound(a, pkg, 0) : 0, n = 0;
    if (!a->sorted)
        while (i < a->items.len && a->items.items[i].pkg != pkg)
            i++;
    while (i + n < a->items.len && a->items.items[i + n].pkg == pkg)
        n++;
    if (n)
        *first = &a->items.items[i];
    return n;
}

const char *attrs_lookup(const vs_attrs *a, uint32_t pkg, uint32_t key)
{
    const vs_attr *t;
    return attrs_lookup_all(a, pkg, key, &t) ? attrs_str(a, t->value) : NULL;
}

int attrs_checksum_kind(const char *value, const char **hex)
{
    static const struct { const char *prefix; int kind; } kinds[] = {
        { "md5=", VS_CHECKSUM_MD5 }, { "sha256=", VS_CHECKSUM_SHA256 }, { "sha512=", VS_CHECKSUM_SHA512 },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (!strncmp(value, kinds[i].prefix, n)) {
            *hex = value + n;
            return kinds[i].kind;
        }
    }
    *hex = value;
    return VS_CHECKSUM_UNKNOWN;
}
