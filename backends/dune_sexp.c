/* dune_sexp.c: a small reader/writer for dune files that keeps comments and layout. */
#include "dune_sexp.h"
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    dsx_doc *doc;
    const char *file, *s;
    size_t len, pos;
    unsigned line, col;
    vs_error *err;
    int depth;
} reader;

enum { MAX_DEPTH = 200 };

static void advance(reader *r)
{
    if (r->s[r->pos] == '\n') {
        r->line++;
        r->col = 1;
    } else {
        r->col++;
    }
    r->pos++;
}

static int parse_node(reader *r, dsx **out);

static int is_atom_char(char c)
{
    return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '(' && c != ')' &&
           c != '"' && c != ';';
}

/* Skips whitespace and comments; the skipped text goes to *trivia. */
static int skip_trivia(reader *r, const char **trivia)
{
    size_t start = r->pos;
    for (;;) {
        if (r->pos >= r->len)
            break;
        char c = r->s[r->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            advance(r);
        } else if (c == ';') {
            while (r->pos < r->len && r->s[r->pos] != '\n')
                advance(r);
        } else if (c == '#' && r->pos + 1 < r->len && r->s[r->pos + 1] == '|') {
            unsigned l = r->line, co = r->col;
            advance(r);
            advance(r);
            for (;;) {
                if (r->pos + 1 >= r->len)
                    return vs_error_at(r->err, r->file, l, co, "unterminated block comment");
                if (r->s[r->pos] == '|' && r->s[r->pos + 1] == '#') {
                    advance(r);
                    advance(r);
                    break;
                }
                advance(r);
            }
        } else if (c == '#' && r->pos + 1 < r->len && r->s[r->pos + 1] == ';') {
            unsigned l = r->line, co = r->col;
            advance(r);
            advance(r);
            const char *t;
            int rc = skip_trivia(r, &t);
            if (rc)
                return rc;
            if (r->pos >= r->len || r->s[r->pos] == ')')
                return vs_error_at(r->err, r->file, l, co, "expected a datum after #;");
            dsx *ignored;
            rc = parse_node(r, &ignored);
            if (rc)
                return rc;
        } else {
            break;
        }
    }
    *trivia = arena_strndup(&r->doc->a, r->s + start, r->pos - start);
    return *trivia ? VSOLVE_OK : vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
}

int dsx_append(dsx_doc *doc, dsx *list, dsx *kid)
{
    if (list->n == list->cap) {
        size_t ncap = list->cap ? list->cap * 2 : 4;
        dsx **k = arena_alloc(&doc->a, ncap * sizeof *k);
        if (!k)
            return 0;
        if (list->n)
            memcpy(k, list->kids, list->n * sizeof *k);
        list->kids = k;
        list->cap = ncap;
    }
    list->kids[list->n++] = kid;
    return 1;
}

void dsx_remove(dsx *list, size_t i)
{
    if (i >= list->n)
        return;
    memmove(list->kids + i, list->kids + i + 1, (list->n - i - 1) * sizeof *list->kids);
    list->n--;
}

static int parse_list_body(reader *r, dsx *list, int closing)
{
    for (;;) {
        const char *trivia;
        int rc = skip_trivia(r, &trivia);
        if (rc)
            return rc;
        if (r->pos >= r->len) {
            if (closing)
                return vs_error_at(r->err, r->file, list->line, list->col, "unclosed parenthesis");
            list->tail = trivia;
            return VSOLVE_OK;
        }
        if (r->s[r->pos] == ')') {
            if (!closing)
                return vs_error_at(r->err, r->file, r->line, r->col, "unexpected ')'");
            list->tail = trivia;
            advance(r);
            return VSOLVE_OK;
        }
        dsx *kid;
        rc = parse_node(r, &kid);
        if (rc)
            return rc;
        kid->pre = trivia;
        if (!dsx_append(r->doc, list, kid))
            return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
    }
}

static int parse_node(reader *r, dsx **out)
{
    dsx *n = arena_alloc(&r->doc->a, sizeof *n);
    if (!n)
        return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
    n->line = r->line;
    n->col = r->col;
    n->pre = "";
    *out = n;
    size_t start = r->pos;
    char c = r->s[r->pos];
    if (c == '(') {
        if (++r->depth > MAX_DEPTH)
            return vs_error_at(r->err, r->file, r->line, r->col, "lists nested deeper than %d", MAX_DEPTH);
        n->is_list = 1;
        advance(r);
        int rc = parse_list_body(r, n, 1);
        r->depth--;
        return rc;
    }
    if (c == '"') {
        advance(r);
        for (;;) {
            if (r->pos >= r->len)
                return vs_error_at(r->err, r->file, n->line, n->col, "unterminated string");
            char d = r->s[r->pos];
            if (d == '\\' && r->pos + 1 < r->len) {
                advance(r);
                advance(r);
                continue;
            }
            advance(r);
            if (d == '"')
                break;
        }
    } else {
        while (r->pos < r->len && is_atom_char(r->s[r->pos])) {
            /* %{...} may hold characters such as ';' in no dune version, but keep it whole */
            advance(r);
        }
        if (r->pos == start)
            return vs_error_at(r->err, r->file, r->line, r->col, "expected an atom or a list");
    }
    n->atom = arena_strndup(&r->doc->a, r->s + start, r->pos - start);
    return n->atom ? VSOLVE_OK : vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
}

int dsx_parse(dsx_doc *doc, const char *file, const char *text, size_t len, vs_error *err)
{
    arena_init(&doc->a);
    doc->root = NULL;
    if (memchr(text, '\0', len)) {
        arena_free(&doc->a);
        return vs_error_at(err, file, 1, 1, "a dune file holds no NUL bytes");
    }
    reader r = { doc, file, text, len, 0, 1, 1, err, 0 };
    dsx *root = arena_alloc(&doc->a, sizeof *root);
    if (!root) {
        arena_free(&doc->a);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    root->is_list = 1;
    root->pre = "";
    root->line = root->col = 1;
    doc->root = root;
    int rc = parse_list_body(&r, root, 0);
    if (rc) {
        arena_free(&doc->a);
        doc->root = NULL;
    }
    return rc;
}

void dsx_free(dsx_doc *doc)
{
    arena_free(&doc->a);
    doc->root = NULL;
}

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *p = realloc(b->s, ncap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void write_node(sbuf *b, const dsx *n, int top)
{
    put(b, n->pre ? n->pre : "");
    if (!n->is_list) {
        put(b, n->atom);
        return;
    }
    if (!top)
        put(b, "(");
    for (size_t i = 0; i < n->n; i++)
        write_node(b, n->kids[i], 0);
    put(b, n->tail ? n->tail : "");
    if (!top)
        put(b, ")");
}

char *dsx_write(const dsx_doc *doc, size_t *len)
{
    sbuf b = { 0 };
    put(&b, "");
    write_node(&b, doc->root, 1);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    *len = b.len;
    return b.s;
}

const char *dsx_head(const dsx *n)
{
    if (!n || !n->is_list || n->n == 0 || n->kids[0]->is_list)
        return NULL;
    return n->kids[0]->atom;
}

dsx *dsx_field(const dsx *list, const char *key)
{
    for (size_t i = 0; list && list->is_list && i < list->n; i++) {
        const char *h = dsx_head(list->kids[i]);
        if (h && !strcmp(h, key))
            return list->kids[i];
    }
    return NULL;
}

const char *dsx_value(dsx_doc *doc, const dsx *atom)
{
    const char *s = atom->atom;
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"')
        return s;
    char *out = arena_alloc(&doc->a, n);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n) {
            i++;
            out[k++] = s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return out;
}

dsx *dsx_new_atom(dsx_doc *doc, const char *text, const char *pre)
{
    dsx *n = arena_alloc(&doc->a, sizeof *n);
    if (!n)
        return NULL;
    n->atom = arena_strndup(&doc->a, text, strlen(text));
    n->pre = arena_strndup(&doc->a, pre, strlen(pre));
    return n->atom && n->pre ? n : NULL;
}

dsx *dsx_new_list(dsx_doc *doc, const char *pre)
{
    dsx *n = arena_alloc(&doc->a, sizeof *n);
    if (!n)
        return NULL;
    n->is_list = 1;
    n->pre = arena_strndup(&doc->a, pre, strlen(pre));
    n->tail = "";
    return n->pre ? n : NULL;
}

int dsx_set_atom(dsx_doc *doc, dsx *atom, const char *text)
{
    const char *t = arena_strndup(&doc->a, text, strlen(text));
    if (!t)
        return 0;
    atom->atom = t;
    return 1;
}
