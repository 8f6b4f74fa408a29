/* lock_json.c: the lock model's memory, and its JSON form (docs/lock-json.md). */
#include "lock.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lock_init(vs_lock *l)
{
    memset(l, 0, sizeof *l);
    arena_init(&l->mem);
}

void lock_free(vs_lock *l)
{
    for (size_t i = 0; i < l->pkgs.len; i++) {
        vec_free(&l->pkgs.items[i].checksums);
        vec_free(&l->pkgs.items[i].depends);
        vec_free(&l->pkgs.items[i].depexts);
        vec_free(&l->pkgs.items[i].used_by);
    }
    for (size_t i = 0; i < l->sources.len; i++) {
        vec_free(&l->sources.items[i].checksums);
        vec_free(&l->sources.items[i].packages);
    }
    vec_free(&l->vars);
    vec_free(&l->roots);
    vec_free(&l->pkgs);
    vec_free(&l->sources);
    vec_free(&l->opam_provided);
    vec_free(&l->root_depexts);
    arena_free(&l->mem);
    memset(l, 0, sizeof *l);
}

const char *lock_str(vs_lock *l, const char *s)
{
    return s ? arena_strndup(&l->mem, s, strlen(s)) : NULL;
}

int lock_push(vs_lock *l, str_vec *v, const char *s)
{
    const char *c = lock_str(l, s);
    return c && vec_push(v, c) ? VSOLVE_OK : VSOLVE_ENOMEM;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void lock_sort_unique(str_vec *v)
{
    if (v->len < 2)
        return;
    qsort(v->items, v->len, sizeof *v->items, by_str);
    size_t k = 1;
    for (size_t i = 1; i < v->len; i++)
        if (strcmp(v->items[i], v->items[k - 1]) != 0)
            v->items[k++] = v->items[i];
    v->len = k;
}

/* ---- the text ------------------------------------------------------------------------ */

typedef struct out {
    char *buf;
    size_t len, cap;
    int oom;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? o->cap - o->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->oom = 1;
            return;
        }
        if (o->buf && o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap ? o->cap * 2 : 4096;
        while (cap <= o->len + (size_t)n)
            cap *= 2;
        char *nb = realloc(o->buf, cap);
        if (!nb) {
            o->oom = 1;
            return;
        }
        o->buf = nb;
        o->cap = cap;
    }
}

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes as they are (the
 * lock's strings come from UTF-8 metadata). */
static void put_json_string(out *o, const char *s)
{
    put(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            put(o, "\\%c", *p);
        else if (*p == '\n')
            put(o, "\\n");
        else if (*p == '\t')
            put(o, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            put(o, "\\u%04x", *p);
        else
            put(o, "%c", *p);
    }
    put(o, "\"");
}

static void put_list(out *o, const str_vec *v)
{
    put(o, "[");
    for (size_t i = 0; i < v->len; i++) {
        put(o, "%s", i ? ", " : " ");
        put_json_string(o, v->items[i]);
    }
    put(o, "%s]", v->len ? " " : "");
}

static const char *const mode_names[] = { "vendored", "provided", "root" };

char *lock_json_text(const vs_lock *l, const char *generator)
{
    out o = { 0 };
    put(&o, "{\n  \"lock-version\": 1,\n  \"generator\": ");
    put_json_string(&o, generator);
    put(&o, ",\n  \"ecosystem\": ");
    put_json_string(&o, l->ecosystem ? l->ecosystem : "opam");
    put(&o, ",\n  \"repository\": {\n    \"fingerprint\": ");
    put_json_string(&o, l->fingerprint ? l->fingerprint : "");
    put(&o, ",\n    \"variables\": {");
    for (size_t i = 0; i < l->vars.len; i++) {
        put(&o, "%s", i ? ", " : " ");
        put_json_string(&o, l->vars.items[i].name);
        put(&o, ": ");
        put_json_string(&o, l->vars.items[i].value);
    }
    put(&o, "%s}\n  },\n  \"roots\": ", l->vars.len ? " " : "");
    put_list(&o, &l->roots);
    put(&o, ",\n  \"packages\": [");
    for (size_t i = 0; i < l->pkgs.len; i++) {
        const vs_lock_pkg *p = &l->pkgs.items[i];
        put(&o, "%s\n    {\n      \"name\": ", i ? "," : "");
        put_json_string(&o, p->name);
        put(&o, ",\n      \"version\": ");
        put_json_string(&o, p->version);
        put(&o, ",\n      \"mode\": \"%s\"", mode_names[p->mode]);
        if (p->mode == VS_LOCK_VENDORED) {
            put(&o, ",\n      \"dir\": ");
            put_json_string(&o, p->dir);
            put(&o, ",\n      \"url\": ");
            put_json_string(&o, p->url);
            put(&o, ",\n      \"checksums\": ");
            put_list(&o, &p->checksums);
            put(&o, ",\n      \"dev-repo\": ");
            put_json_string(&o, p->dev_repo);
        }
        put(&o, ",\n      \"depends\": ");
        put_list(&o, &p->depends);
        if (p->copy_of) {   /* --duplicates: the renaming plan of a copy */
            put(&o, ",\n      \"copy-of\": ");
            put_json_string(&o, p->copy_of);
        }
        if (p->used_by.len) {
            put(&o, ",\n      \"used-by\": ");
            put_list(&o, &p->used_by);
        }
        put(&o, "\n    }");
    }
    put(&o, "%s],\n  \"sources\": [", l->pkgs.len ? "\n  " : "");
    for (size_t i = 0; i < l->sources.len; i++) {
        const vs_lock_source *s = &l->sources.items[i];
        put(&o, "%s\n    {\n      \"dir\": ", i ? "," : "");
        put_json_string(&o, s->dir);
        put(&o, ",\n      \"url\": ");
        put_json_string(&o, s->url);
        put(&o, ",\n      \"checksums\": ");
        put_list(&o, &s->checksums);
        put(&o, ",\n      \"packages\": ");
        put_list(&o, &s->packages);
        put(&o, "\n    }");
    }
    put(&o, "%s]\n}\n", l->sources.len ? "\n  " : "");
    if (o.oom) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}
