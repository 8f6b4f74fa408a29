/* fuzz_json.c: libFuzzer harness feeding arbitrary bytes to the JSON reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every value of the tree; aborts on anything inconsistent. */
static void check_tree(const json_value *v)
{
    if (v->line < 1 || v->col < 1)
        abort();
    switch (v->kind) {
    case JSON_NULL:
    case JSON_BOOL:
        break;
    case JSON_NUMBER:
        if (!v->numtext || !v->numtext[0])
            abort();
        break;
    case JSON_STRING:
        if (!v->str || v->str[v->len] != '\0')
            abort();
        break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        for (size_t i = 0; i < v->n; i++) {
            if (v->kind == JSON_OBJECT) {
                if (v->keys[i][v->key_lens[i]] != '\0')
                    abort();
                if (strlen(v->keys[i]) == v->key_lens[i] && !json_get(v, v->keys[i]))
                    abort();
            }
            check_tree(v->items[i]);
        }
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
    json_value *v = json_parse(&a, "fuzz.json", (const char *)data, size, &err);
    /* Either a tree and no error, or a positioned "expected ..., found ..." error. */
    if (v) {
        if (err.code != VSOLVE_OK)
            abort();
        check_tree(v);
    } else if (err.code != VSOLVE_ENOMEM &&
               (strncmp(err.message, "fuzz.json:", 10) != 0 || !strstr(err.message, ": expected ") ||
                !strstr(err.message, ", found "))) {
        abort();
    }
    arena_free(&a);
    return 0;
}
