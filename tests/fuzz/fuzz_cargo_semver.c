/* fuzz_cargo_semver.c: libFuzzer harness for cargo's version and requirement parser, matcher and formatter. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cargo_semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parse error is a non-empty message. */
static void check_error(const char *err)
{
    if (err[0] == '\0')
        abort();
}

/* Parses text as a version; on success checks that it prints back as the same text and that
 * the comparators naming it exactly accept it. */
static int check_version(const char *text, size_t len, semver_version *v)
{
    char err[256] = "";
    if (semver_parse(text, len, v, err, sizeof err) != 0) {
        check_error(err);
        return 0;
    }
    char shown[4096];
    size_t n = semver_format(v, shown, sizeof shown);
    if (n != len || (n < sizeof shown && memcmp(shown, text, len) != 0))
        abort();
    if (semver_compare(v, v) != 0 || semver_precedence(v, v) != 0)
        abort();
    char slot[64];
    if (semver_slot(v, slot, sizeof slot) >= sizeof slot)
        abort();
    if (n >= sizeof shown - 8)
        return 1;
    /* =V, >=V, <=V, ^V, ~V accept V; >V and <V do not (build metadata never counts). */
    static const char *const ops[] = { "=", ">=", "<=", "^", "~", ">", "<" };
    size_t core = v->build ? (size_t)(v->build - text) - 1 : len;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char req_text[4200];
        int k = snprintf(req_text, sizeof req_text, "%s%.*s", ops[i], (int)core, text);
        arena a;
        arena_init(&a);
        semver_req r;
        if (semver_req_parse(&a, req_text, (size_t)k, &r, err, sizeof err) != 0)
            abort();
        if (semver_req_matches(&r, v) != (i < 5))
            abort();
        arena_free(&a);
    }
    return 1;
}

/* Parses text as a requirement; on success its display must parse back to an equal one that
 * matches v (when given) the same way. */
static void check_req(const char *text, size_t len, const semver_version *v)
{
    arena a;
    arena_init(&a);
    char err[256] = "";
    semver_req r;
    if (semver_req_parse(&a, text, len, &r, err, sizeof err) != 0) {
        check_error(err);
        arena_free(&a);
        return;
    }
    size_t need = semver_req_format(&r, NULL, 0);
    char *shown = malloc(need + 1);
    if (!shown || semver_req_format(&r, shown, need + 1) != need || strlen(shown) != need)
        abort();
    semver_req back;
    if (semver_req_parse(&a, shown, need, &back, err, sizeof err) != 0 || !semver_req_equal(&r, &back))
        abort();
    if (v && semver_req_matches(&r, v) != semver_req_matches(&back, v))
        abort();
    /* A single comparator parses the same way on its own. */
    if (r.n == 1) {
        semver_comparator c;
        if (semver_comparator_parse(shown, need, &c, err, sizeof err) != 0)
            abort();
        semver_req one = { &c, 1 };
        if (!semver_req_equal(&r, &one))
            abort();
    }
    free(shown);
    arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    semver_version v;
    int have_version = check_version(text, size, &v);
    check_req(text, size, have_version ? &v : NULL);
    semver_comparator c;
    char err[256] = "";
    if (semver_comparator_parse(text, size, &c, err, sizeof err) != 0)
        check_error(err);
    /* "REQ\nVERSION": match a requirement against a version. */
    const char *nl = memchr(text, '\n', size);
    if (nl) {
        size_t left = (size_t)(nl - text);
        semver_version w;
        if (check_version(nl + 1, size - left - 1, &w))
            check_req(text, left, &w);
    }
    return 0;
}
