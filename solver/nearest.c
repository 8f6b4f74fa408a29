/* nearest.c: nearest package names by edit distance (nearest.h). */
#include "nearest.h"
#include <string.h>

size_t nearest_atom_name_len(const char *atom)
{
    return strcspn(atom, ".=<>!");
}

/* Levenshtein distance of a[0..n) and b, or limit + 1 when it is larger than limit. */
static size_t distance(const char *a, size_t n, const char *b, size_t limit)
{
    size_t m = strlen(b);
    if (n > 63 || m > 63 || (n > m ? n - m : m - n) > limit)
        return limit + 1;
    size_t row[64];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t v = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[m];
}

size_t nearest_names(const vs_universe *u, const char *name, size_t len, uint32_t *out, size_t max)
{
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3, found = 0;
    size_t dist[16];
    if (max > 16)
        max = 16;
    for (uint32_t k = 0; k < u->names.len && max; k++) {
        size_t d = distance(name, len, universe_str(u, u->names.items[k].str), limit);
        if (d > limit || d == 0)
            continue;
        /* insert, nearest first; names come in order, so ties stay in name order */
        size_t at = found;
        while (at > 0 && dist[at - 1] > d)
            at--;
        if (at >= max)
            continue;
        size_t end = found < max ? found : max - 1;
        for (size_t i = end; i > at; i--) {
            out[i] = out[i - 1];
            dist[i] = dist[i - 1];
        }
        out[at] = k;
        dist[at] = d;
        if (found < max)
            found++;
    }
    return found;
}
