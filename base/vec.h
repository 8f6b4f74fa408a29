/* vec.h: typed growable arrays (VEC(T)), the one dynamic-array idiom used everywhere. */
#ifndef VSOLVE_VEC_H
#define VSOLVE_VEC_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VEC(T) struct { T *items; size_t len, cap; }

/* Grows v so that it can hold n more items; false when out of memory. */
#define vec_reserve(v, n) vec_grow_((void **)&(v)->items, &(v)->cap, (v)->len + (n), sizeof *(v)->items)
/* Appends x; false when out of memory. */
#define vec_push(v, x) (vec_reserve((v), 1) ? ((v)->items[(v)->len++] = (x), true) : false)
/* &v->items[i], or NULL while v is empty (pointer arithmetic on NULL is undefined). */
#define vec_at(v, i) ((v)->items ? (v)->items + (i) : NULL)
/* Appends n items copied from src (src may be NULL when n is 0); false when out of memory. */
#define vec_append(v, src, n) vec_append_((void **)&(v)->items, &(v)->len, &(v)->cap, (src), (n), sizeof *(v)->items)
#define vec_free(v) (free((v)->items), (v)->items = NULL, (v)->len = (v)->cap = 0)

/* The common element types, named so that they can be passed to functions. */
typedef VEC(int) int_vec;
typedef VEC(uint32_t) u32_vec;

static inline bool vec_grow_(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*items, ncap * size);
    if (!p)
        return false;
    *items = p;
    *cap = ncap;
    return true;
}

static inline bool vec_append_(void **items, size_t *len, size_t *cap, const void *src, size_t n, size_t size)
{
    if (n == 0)
        return true;
    if (!vec_grow_(items, cap, *len + n, size))
        return false;
    memcpy((char *)*items + *len * size, src, n * size);
    *len += n;
    return true;
}

#endif
