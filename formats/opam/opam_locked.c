/* opam_locked.c: opam-monorepo's .opam.locked (version 0.3): the writer and a reader of its pins. */
#include "opam_locked.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "opam_print.h"
#include "opam_syntax.h"
#include "vec.h"

#define WIDTH 80

/* A value to lay out: an atom (opam text already) or a list of values. */
typedef struct pv pv;
struct pv {
    const char *atom;       /* NULL for a list */
    int option;             /* an atom that is `value {options}`: its list is laid out one a line */
    VEC(pv *) items;
};

typedef struct writer {
    arena a;
    VEC(char) out;
    VEC(pv *) all;          /* every list, to free their item vectors */
    int oom;
} writer;

static void emit(writer *w, const char *s, size_t n)
{
    if (!w->oom && !vec_append(&w->out, s, n))
        w->oom = 1;
}
static void emits(writer *w, const char *s) { emit(w, s, strlen(s)); }
static void indent(writer *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        emit(w, " ", 1);
}

static pv *atom(writer *w, const char *text, int option)
{
    pv *v = arena_alloc(&w->a, sizeof *v);
    if (!v || !text) {
        w->oom = 1;
        return NULL;
    }
    v->atom = text;
    v->option = option;
    return v;
}

static pv *string_atom(writer *w, const char *s)
{
    return atom(w, s ? opam_string_literal(&w->a, s, strlen(s)) : NULL, 0);
}

static pv *list(writer *w)
{
    pv *v = arena_alloc(&w->a, sizeof *v);
    if (!v || !vec_push(&w->all, v)) {
        w->oom = 1;
        return NULL;
    }
    return v;
}

static void add(writer *w, pv *l, pv *item)
{
    if (!l || !item || !vec_push(&l->items, item))
        w->oom = 1;
}

/* Width of v printed on one line. */
static size_t flat_width(const pv *v)
{
    if (v->atom)
        return strlen(v->atom);
    size_t n = 2;
    for (size_t i = 0; i < v->items.len; i++)
        n += flat_width(v->items.items[i]) + (i ? 1 : 0);
    return n;
}

static void print_flat(writer *w, const pv *v)
{
    if (v->atom) {
        emits(w, v->atom);
        return;
    }
    emits(w, "[");
    for (size_t i = 0; i < v->items.len; i++) {
        if (i)
            emits(w, " ");
        print_flat(w, v->items.items[i]);
    }
    emits(w, "]");
}

/* The column after what was written last. */
static size_t column(const writer *w)
{
    size_t n = w->out.len;
    while (n > 0 && w->out.items[n - 1] != '\n')
        n--;
    return w->out.len - n;
}

/* Prints v starting at column col, its continuation lines indented by ind. */
static void print(writer *w, const pv *v, size_t col, size_t ind)
{
    if (v->atom || col + flat_width(v) <= WIDTH) {
        print_flat(w, v);
        return;
    }
    int vertical = 0;
    for (size_t i = 0; i < v->items.len; i++)
        if (!v->items.items[i]->atom || v->items.items[i]->option)
            vertical = 1;
    emits(w, "[\n");
    indent(w, ind + 2);
    size_t c = ind + 2;
    for (size_t i = 0; i < v->items.len; i++) {
        const pv *it = v->items.items[i];
        if (i) {
            size_t need = it->atom ? strlen(it->atom) : flat_width(it);
            if (vertical || c + 1 + need > WIDTH) {
                emits(w, "\n");
                indent(w, ind + 2);
                c = ind + 2;
            } else {
                emits(w, " ");
                c++;
            }
        }
        print(w, it, c, ind + 2);
        c = column(w);
    }
    emits(w, "\n");
    indent(w, ind);
    emits(w, "]");
}

static void field(writer *w, const char *name, const pv *v)
{
    emits(w, name);
    emits(w, ": ");
    print(w, v, strlen(name) + 2, 0);
    emits(w, "\n");
}

/* OpamPackage.compare: names case-insensitively (then exactly), then versions. */
static int by_opam_name(const void *x, const void *y)
{
    const vs_lock_pkg *a = *(const vs_lock_pkg *const *)x, *b = *(const vs_lock_pkg *const *)y;
    int c = strcasecmp(a->name, b->name);
    if (!c)
        c = strcmp(a->name, b->name);
    return c;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_source_url(const void *x, const void *y)
{
    const vs_lock_source *a = *(const vs_lock_source *const *)x, *b = *(const vs_lock_source *const *)y;
    return strcmp(a->url, b->url);
}

char *opam_locked_text(const vs_lock *l)
{
    writer w;
    memset(&w, 0, sizeof w);
    arena_init(&w.a);
    VEC(const vs_lock_pkg *) pkgs = { 0 };
    VEC(const char *) depexts = { 0 };
    VEC(const vs_lock_source *) sources = { 0 };
    for (size_t i = 0; i < l->pkgs.len; i++) {
        const vs_lock_pkg *p = &l->pkgs.items[i];
        if (p->mode != VS_LOCK_ROOT && !vec_push(&pkgs, p))
            w.oom = 1;
        if (!vec_append(&depexts, p->depexts.items, p->depexts.len))
            w.oom = 1;
    }
    if (!vec_append(&depexts, l->root_depexts.items, l->root_depexts.len))
        w.oom = 1;
    for (size_t i = 0; i < l->sources.len; i++)
        if (!vec_push(&sources, &l->sources.items[i]))
            w.oom = 1;
    if (pkgs.len > 1)
        qsort(pkgs.items, pkgs.len, sizeof *pkgs.items, by_opam_name);
    if (depexts.len > 1)
        qsort(depexts.items, depexts.len, sizeof *depexts.items, by_str);
    if (sources.len > 1)
        qsort(sources.items, sources.len, sizeof *sources.items, by_source_url);

    emits(&w, "opam-version: \"2.0\"\nsynopsis: \"opam-monorepo generated lockfile\"\nmaintainer: \"opam-monorepo\"\n");
    pv *deps = list(&w);
    for (size_t i = 0; i < pkgs.len && !w.oom; i++) {
        const vs_lock_pkg *p = pkgs.items[i];
        const char *n = opam_string_literal(&w.a, p->name, strlen(p->name));
        const char *v = opam_string_literal(&w.a, p->version, strlen(p->version));
        size_t len = (n ? strlen(n) : 0) + (v ? strlen(v) : 0) + 32;
        char *t = arena_alloc(&w.a, len);
        if (!n || !v || !t) {
            w.oom = 1;
            break;
        }
        snprintf(t, len, "%s {= %s%s}", n, v, p->mode == VS_LOCK_VENDORED ? " & ?vendor" : "");
        add(&w, deps, atom(&w, t, 1));
    }
    if (deps && deps->items.len)
        field(&w, "depends", deps);
    pv *dx = list(&w);
    for (size_t i = 0; i < depexts.len; i++)
        if (i == 0 || strcmp(depexts.items[i], depexts.items[i - 1]) != 0)
            add(&w, dx, atom(&w, depexts.items[i], strchr(depexts.items[i], '{') != NULL));
    if (dx && dx->items.len)
        field(&w, "depexts", dx);
    pv *pins = list(&w);
    for (size_t i = 0; i < pkgs.len && !w.oom; i++) {
        const vs_lock_pkg *p = pkgs.items[i];
        if (p->mode != VS_LOCK_VENDORED)
            continue;
        size_t len = strlen(p->name) + strlen(p->version) + 2;
        char *nv = arena_alloc(&w.a, len);
        if (!nv) {
            w.oom = 1;
            break;
        }
        snprintf(nv, len, "%s.%s", p->name, p->version);
        pv *pin = list(&w);
        add(&w, pin, string_atom(&w, nv));
        add(&w, pin, string_atom(&w, p->url));
        add(&w, pins, pin);
    }
    if (pins && pins->items.len)
        field(&w, "pin-depends", pins);
    pv *dirs = list(&w);
    for (size_t i = 0; i < sources.len && !w.oom; i++) {
        const vs_lock_source *s = sources.items[i];
        pv *d = list(&w);
        add(&w, d, string_atom(&w, s->url));
        add(&w, d, string_atom(&w, s->dir));
        if (s->checksums.len) {
            pv *h = list(&w);
            for (size_t k = 0; k < s->checksums.len; k++)
                add(&w, h, string_atom(&w, s->checksums.items[k]));
            add(&w, d, h);
        }
        add(&w, dirs, d);
    }
    if (dirs && dirs->items.len)
        field(&w, "x-opam-monorepo-duniverse-dirs", dirs);
    if (l->opam_provided.len) {
        pv *op = list(&w);
        for (size_t i = 0; i < l->opam_provided.len; i++)
            add(&w, op, string_atom(&w, l->opam_provided.items[i]));
        field(&w, "x-opam-monorepo-opam-provided", op);
    }
    pv *roots = list(&w);
    for (size_t i = 0; i < l->roots.len; i++)
        add(&w, roots, string_atom(&w, l->roots.items[i]));
    if (roots)
        field(&w, "x-opam-monorepo-root-packages", roots);
    emits(&w, "x-opam-monorepo-version: \"0.3\"\n");
    emit(&w, "", 1);

    for (size_t i = 0; i < w.all.len; i++)
        vec_free(&w.all.items[i]->items);
    vec_free(&w.all);
    vec_free(&pkgs);
    vec_free(&depexts);
    vec_free(&sources);
    arena_free(&w.a);
    if (w.oom) {
        vec_free(&w.out);
        return NULL;
    }
    return w.out.items;
}

/* ---- reading the pins back ---------------------------------------------------------- */

/* The version of `{= "V"}` or `{= "V" & ?vendor}` (either order), NULL otherwise. */
static const char *exact_version(const opam_node *n, int *vendored, int depth)
{
    if (!n || depth > 8)
        return NULL;
    if (n->kind == OPAM_PFXRELOP && n->op == OPAM_EQ && n->rhs && n->rhs->kind == OPAM_STRING)
        return n->rhs->str;
    if (n->kind == OPAM_DEFINED && n->rhs && n->rhs->kind == OPAM_IDENT && !strcmp(n->rhs->str, "vendor")) {
        *vendored = 1;
        return NULL;
    }
    if (n->kind == OPAM_AND) {
        const char *a = exact_version(n->lhs, vendored, depth + 1), *b = exact_version(n->rhs, vendored, depth + 1);
        return a ? a : b;
    }
    return NULL;
}

int opam_locked_read(arena *a, const char *path, opam_locked_pin **out, size_t *n, vs_error *err)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot open: %s", path, strerror(errno));
    VEC(char) text = { 0 };
    char buf[65536];
    size_t got;
    int rc = VSOLVE_OK;
    while (rc == VSOLVE_OK && (got = fread(buf, 1, sizeof buf, f)) > 0)
        if (text.len + got > (64u << 20))
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: larger than 64 MB, not a lock file", path);
        else if (!vec_append(&text, buf, got))
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (rc == VSOLVE_OK && ferror(f))
        rc = vs_error_set(err, VSOLVE_EIO, "%s: read error", path);
    fclose(f);
    const opam_file *file = NULL;
    if (rc == VSOLVE_OK) {
        const char *fname = arena_strndup(a, path, strlen(path));
        file = fname ? opam_parse(a, fname, text.items ? text.items : "", text.len, err) : NULL;
        if (!file)
            rc = err->code ? err->code : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    vec_free(&text);
    if (rc != VSOLVE_OK)
        return rc;
    const opam_node *ver = opam_file_field(file, "x-opam-monorepo-version");
    if (!ver || ver->kind != OPAM_STRING || strcmp(ver->str, "0.3") != 0)
        return ver ? vs_error_at(err, path, ver->line, ver->col, "expected x-opam-monorepo-version: \"0.3\"")
                   : vs_error_at(err, path, 1, 1, "expected an opam-monorepo lock file (x-opam-monorepo-version: \"0.3\")");
    const opam_node *deps = opam_file_field(file, "depends");
    if (!deps)
        return VSOLVE_OK;
    opam_node *const *items = deps->kind == OPAM_LIST ? deps->items : (opam_node *const *)&deps;
    size_t count = deps->kind == OPAM_LIST ? deps->n_items : 1;
    VEC(opam_locked_pin) pins = { 0 };
    for (size_t i = 0; i < count && rc == VSOLVE_OK; i++) {
        const opam_node *it = items[i];
        int vendored = 0;
        const char *version = NULL;
        if (it->kind == OPAM_OPTION && it->lhs && it->lhs->kind == OPAM_STRING && it->n_items == 1)
            version = exact_version(it->items[0], &vendored, 0);
        if (!version) {
            rc = vs_error_at(err, path, it->line, it->col, "expected \"NAME\" {= \"VERSION\"} or {= \"VERSION\" & ?vendor}");
            break;
        }
        opam_locked_pin p = { it->lhs->str, version, vendored };
        if (!vec_push(&pins, p))
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    if (rc != VSOLVE_OK) {
        vec_free(&pins);
        return rc;
    }
    *out = pins.items;
    *n = pins.len;
    return VSOLVE_OK;
}
