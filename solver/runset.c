/* runset.c: a value per provider run a walk met (open addressing on the run's first id index
 * and length). */
#include "runset.h"
#include <stdlib.h>
#include <string.h>
#include "universe.h"

void runset_init(runset *s) { memset(s, 0, sizeof *s); }

void runset_free(runset *s)
{
    free(s->keys);
    free(s->values);
    memset(s, 0, sizeof *s);
}

static size_t slot_of(const runset *s, uint32_t first, uint32_t count)
{
    size_t mask = s->cap - 1;
    size_t i = ((size_t)first * 2654435761u ^ count) & mask;
    while (s->keys[2 * i] != VS_NONE && (s->keys[2 * i] != first || s->keys[2 * i + 1] != count))
        i = (i + 1) & mask;
    return i;
}

static int grow(runset *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    runset bigger = { .keys = malloc(ncap * 2 * sizeof *bigger.keys), .values = malloc(ncap * sizeof *bigger.values),
                      .cap = ncap, .len = s->len };
    if (!bigger.keys || !bigger.values) {
        runset_free(&bigger);
        return -1;
    }
    memset(bigger.keys, 0xff, ncap * 2 * sizeof *bigger.keys);
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[2 * i] != VS_NONE) {
            size_t j = slot_of(&bigger, s->keys[2 * i], s->keys[2 * i + 1]);
            bigger.keys[2 * j] = s->keys[2 * i];
            bigger.keys[2 * j + 1] = s->keys[2 * i + 1];
            bigger.values[j] = s->values[i];
        }
    runset_free(s);
    *s = bigger;
    return 0;
}

uint32_t *runset_value(runset *s, uint32_t first, uint32_t count)
{
    if ((s->len + 1) * 2 > s->cap && grow(s) < 0)
        return NULL;
    size_t i = slot_of(s, first, count);
    if (s->keys[2 * i] == VS_NONE) {
        s->keys[2 * i] = first;
        s->keys[2 * i + 1] = count;
        s->values[i] = VS_NONE;
        s->len++;
    }
    return &s->values[i];
}
