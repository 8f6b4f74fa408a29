/* runset.c: the provider runs a walk has scanned (open addressing on a run's first id index
 * and length). */
#include "runset.h"
#include <stdlib.h>
#include <string.h>
#include "universe.h"

void runset_init(runset *s) { memset(s, 0, sizeof *s); }

void runset_free(runset *s)
{
    free(s->keys);
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
    runset bigger = { .keys = malloc(ncap * 2 * sizeof *bigger.keys), .cap = ncap, .len = s->len };
    if (!bigger.keys)
        return -1;
    memset(bigger.keys, 0xff, ncap * 2 * sizeof *bigger.keys);
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[2 * i] != VS_NONE) {
            size_t j = slot_of(&bigger, s->keys[2 * i], s->keys[2 * i + 1]);
            memcpy(&bigger.keys[2 * j], &s->keys[2 * i], 2 * sizeof *bigger.keys);
        }
    runset_free(s);
    *s = bigger;
    return 0;
}

int runset_add(runset *s, uint32_t first, uint32_t count)
{
    if ((s->len + 1) * 2 > s->cap && grow(s) < 0)
        return -1;
    size_t i = slot_of(s, first, count);
    if (s->keys[2 * i] != VS_NONE)
        return 0;
    s->keys[2 * i] = first;
    s->keys[2 * i + 1] = count;
    s->len++;
    return 1;
}
