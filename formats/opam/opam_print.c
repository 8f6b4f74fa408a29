/* opam_print.c: printing opam values as opam text. */
#include "opam_print.h"
#include <stdio.h>
#include <string.h>
#include "vec.h"

typedef VEC(char) text;

static void put(text *t, const char *s, size_t n, int *oom)
{
    if (!*oom && !vec_append(t, s, n))
        *oom = 1;
}

static void puts_(text *t, const char *s, int *oom) { put(t, s, strlen(s), oom); }

static void put_string(text *t, const char *s, size_t len, int *oom)
{
    puts_(t, "\"", oom);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': puts_(t, "\\\"", oom); break;
        case '\\': puts_(t, "\\\\", oom); break;
        case '\n': puts_(t, "\\n", oom); break;
        case '\t': puts_(t, "\\t", oom); break;
        case '\r': puts_(t, "\\r", oom); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02x", c);
                puts_(t, esc, oom);
            } else {
                put(t, (const char *)&s[i], 1, oom);
            }
        }
    }
    puts_(t, "\"", oom);
}

static void put_items(text *t, opam_node *const *items, size_t n, int depth, int *oom);

static void put_value(text *t, const opam_node *n, int depth, int *oom)
{
    char num[32];
    if (!n || depth > OPAM_MAX_DEPTH + 10)
        return;
    switch (n->kind) {
    case OPAM_BOOL: puts_(t, n->bval ? "true" : "false", oom); break;
    case OPAM_INT: snprintf(num, sizeof num, "%lld", n->ival); puts_(t, num, oom); break;
    case OPAM_STRING: put_string(t, n->str, n->len, oom); break;
    case OPAM_IDENT: put(t, n->str, n->len, oom); break;
    case OPAM_RELOP:
        put_value(t, n->lhs, depth + 1, oom);
        puts_(t, " ", oom);
        puts_(t, opam_relop_str(n->op), oom);
        puts_(t, " ", oom);
        put_value(t, n->rhs, depth + 1, oom);
        break;
    case OPAM_PFXRELOP:
        puts_(t, opam_relop_str(n->op), oom);
        puts_(t, " ", oom);
        put_value(t, n->rhs, depth + 1, oom);
        break;
    case OPAM_ENVOP:
        put_value(t, n->lhs, depth + 1, oom);
        puts_(t, " ", oom);
        puts_(t, opam_envop_str(n->envop), oom);
        puts_(t, " ", oom);
        put_value(t, n->rhs, depth + 1, oom);
        break;
    case OPAM_AND:
    case OPAM_OR:
        put_value(t, n->lhs, depth + 1, oom);
        puts_(t, n->kind == OPAM_AND ? " & " : " | ", oom);
        put_value(t, n->rhs, depth + 1, oom);
        break;
    case OPAM_NOT: puts_(t, "!", oom); put_value(t, n->rhs, depth + 1, oom); break;
    case OPAM_DEFINED: puts_(t, "?", oom); put_value(t, n->rhs, depth + 1, oom); break;
    case OPAM_LIST: puts_(t, "[", oom); put_items(t, n->items, n->n_items, depth, oom); puts_(t, "]", oom); break;
    case OPAM_GROUP: puts_(t, "(", oom); put_items(t, n->items, n->n_items, depth, oom); puts_(t, ")", oom); break;
    case OPAM_OPTION:
        put_value(t, n->lhs, depth + 1, oom);
        puts_(t, " {", oom);
        put_items(t, n->items, n->n_items, depth, oom);
        puts_(t, "}", oom);
        break;
    }
}

static void put_items(text *t, opam_node *const *items, size_t n, int depth, int *oom)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(t, " ", oom);
        put_value(t, items[i], depth + 1, oom);
    }
}

static char *finish(arena *a, text *t, int oom)
{
    char *s = oom ? NULL : arena_strndup(a, t->items ? t->items : "", t->len);
    vec_free(t);
    return s;
}

char *opam_value_text(arena *a, const opam_node *n)
{
    text t = { 0 };
    int oom = 0;
    put_value(&t, n, 0, &oom);
    return finish(a, &t, oom);
}

char *opam_string_literal(arena *a, const char *s, size_t len)
{
    text t = { 0 };
    int oom = 0;
    put_string(&t, s, len, &oom);
    return finish(a, &t, oom);
}
