/* fuzz_npm_semver.c: libFuzzer harness for node-semver's versions and ranges (parse, format, match, gtr/ltr, intersects). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "npm_semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* validRange's text, malloc'd; npm_range_format must agree with itself on the length. */
static char *canonical(const npm_range *r)
{
    int n = npm_range_format(r, NULL, 0);
    char *text = malloc((size_t)n + 1);
    if (!text || npm_range_format(r, text, (size_t)n + 1) != n || (int)strlen(text) != n)
        abort();
    return text;
}

/* The first byte picks the options; the rest is RANGE, or RANGE '\n' VERSION. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    npm_options opt = {data[0] & 1, (data[0] >> 1) & 1};
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *nl = memchr(text, '\n', len);
    size_t rlen = nl ? (size_t)(nl - text) : len;

    arena a;
    arena_init(&a);
    npm_range r;
    npm_version v;
    int have_range = npm_range_parse_n(&a, text, rlen, opt, &r) == 0;
    int have_version = nl && npm_version_parse_n(&a, nl + 1, len - rlen - 1, opt, &v) == 0;
    /* the whole input as one version too */
    npm_version w;
    if (npm_version_parse_n(&a, text, len, opt, &w) == 0) {
        char shown[600];
        size_t n = npm_version_format(&w, shown, sizeof shown);
        npm_version back;
        if (n >= sizeof shown || npm_version_parse_n(&a, shown, n, (npm_options){1, 0}, &back) != 0 ||
            npm_version_compare(&w, &back) != 0 || npm_version_compare_build(&w, &w) != 0)
            abort();
    }

    if (have_range) {
        /* the canonical text parses again, and its own canonical text is a fixed point (node-semver's
         * validRange is not idempotent itself: loose "00" gives ">=0.0.0 <1.0.0-0", whose
         * ">=0.0.0" only then reads as ANY) */
        char *canon = canonical(&r);
        npm_range again, third;
        if (npm_range_parse_n(&a, canon, strlen(canon), opt, &again) != 0)
            abort();
        char *canon2 = canonical(&again);
        if (npm_range_parse_n(&a, canon2, strlen(canon2), opt, &third) != 0)
            abort();
        char *canon3 = canonical(&third);
        if (strcmp(canon2, canon3) != 0)
            abort();
        for (size_t s = 0; s < r.n_sets; s++)
            if (r.set_len[s] == 0)
                abort();
        npm_range_intersects(&r, &r);
        if (have_version) {
            int in = npm_range_test(&r, &v), hi = npm_version_gt_range(&v, &r), lo = npm_version_lt_range(&v, &r);
            if ((in && (hi || lo)) || (strcmp(canon, canon2) == 0 && in != npm_range_test(&again, &v)))
                abort();
            for (size_t s = 0; s < r.n_sets; s++)
                for (size_t c = 0; c < r.set_len[s]; c++)
                    npm_comparator_intersects(&r.sets[s][c], &r.sets[0][0], opt);
        }
        free(canon);
        free(canon2);
        free(canon3);
    }
    arena_free(&a);
    return 0;
}
