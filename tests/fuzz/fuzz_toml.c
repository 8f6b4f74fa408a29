/* fuzz_toml.c: libFuzzer harness feeding arbitrary bytes to the TOML reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every value of the tree; aborts on anything inconsistent (the reader promises at
 * most 256 levels of tables and arrays, so this recursion is bounded). */
static void check_tree(const toml_value *v, unsigned depth)
{
    if (v->line < 1 || v->col < 1 || depth > 257)
        abort();
    switch (v->kind) {
    case TOML_TABLE:
        for (size_t i = 0; i < v->n; i++) {
            if (!v->keys[i] || !v->items[i])
                abort();
            const toml_value *found = toml_get(v, v->keys[i]);
            if (!found)
                abort();
            check_tree(v->items[i], depth + 1);
        }
        break;
    case TOML_ARRAY:
        for (size_t i = 0; i < v->n; i++)
            check_tree(v->items[i], depth + 1);
        break;
    case TOML_STRING:
    case TOML_DATETIME:
        if (!v->str || v->str[v->len] != '\0')
            abort();
        if (v->kind == TOML_DATETIME && (v->len < 8 || strlen(v->str) != v->len))
            abort();
        break;
    case TOML_INTEGER:
    case TOML_FLOAT:
    case TOML_BOOL:
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    toml_value *v = toml_parse(&a, "fuzz.toml", (const char *)data, size, &err);
    /* Either a tree and no error, or a positioned "expected ..., found ..." error. */
    if (v) {
        if (err.code != VSOLVE_OK || v->kind != TOML_TABLE)
            abort();
        check_tree(v, 0);
    } else {
        unsigned line, col;
        if (err.code != VSOLVE_EBADINPUT || sscanf(err.message, "fuzz.toml:%u:%u: expected ", &line, &col) != 2 ||
            !strstr(err.message, ", found "))
            abort();
        unsigned lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        if (line < 1 || line > lines || col < 1 || col > size + 1)
            abort();
    }
    arena_free(&a);
    return 0;
}
