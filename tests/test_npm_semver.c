/* test_npm_semver.c: node-semver's versions and ranges against its own fixture tables and npm's everyday forms. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "npm_semver.h"
#include "testutil.h"

static const npm_options STRICT = {0, 0}, LOOSE = {1, 0}, PRE = {0, 1};

/* ---- helpers --------------------------------------------------------------------------- */

/* validRange(text, opt) into buf, or NULL when invalid. */
static const char *valid_range(const char *text, size_t len, npm_options opt, char *buf, size_t size)
{
    arena a;
    arena_init(&a);
    npm_range r;
    const char *out = NULL;
    if (npm_range_parse_n(&a, text, len, opt, &r) == 0) {
        int n = npm_range_format(&r, buf, size);
        ck_assert_int_ge(n, 1);
        ck_assert_uint_lt((size_t)n, size);
        out = buf;
    }
    arena_free(&a);
    return out;
}

#define ck_range(text, opt, want)                                                              \
    do {                                                                                       \
        char got_[1024];                                                                       \
        const char *g_ = valid_range((text), strlen(text), (opt), got_, sizeof got_);           \
        const char *w_ = (want);                                                               \
        ck_assert_msg(w_ ? g_ && strcmp(g_, w_) == 0 : g_ == NULL, "validRange(\"%s\") = %s, want %s", \
                      (text), g_ ? g_ : "null", w_ ? w_ : "null");                               \
    } while (0)

/* satisfies(version, range, opt): false when either is invalid. */
static int satisfies(const char *version, const char *range, npm_options opt)
{
    arena a;
    arena_init(&a);
    npm_range r;
    npm_version v;
    int ok = npm_range_parse(&a, range, opt, &r) == 0 && npm_version_parse(&a, version, opt, &v) == 0 &&
             npm_range_test(&r, &v);
    arena_free(&a);
    return ok;
}

#define ck_satisfies(version, range, opt, want)                                                \
    ck_assert_msg(satisfies((version), (range), (opt)) == (want), "satisfies(\"%s\", \"%s\") should be %s", \
                  (version), (range), (want) ? "true" : "false")

/* gtr (dir > 0) or ltr (dir < 0); -1 when either side is invalid (node-semver throws). */
static int outside(const char *version, const char *range, npm_options opt, int dir)
{
    arena a;
    arena_init(&a);
    npm_range r;
    npm_version v;
    int res = -1;
    if (npm_range_parse(&a, range, opt, &r) == 0 && npm_version_parse(&a, version, opt, &v) == 0)
        res = dir > 0 ? npm_version_gt_range(&v, &r) : npm_version_lt_range(&v, &r);
    arena_free(&a);
    return res;
}

/* intersects(r1, r2, opt); -1 when a range is invalid. */
static int intersects(const char *r1, const char *r2, npm_options opt)
{
    arena a;
    arena_init(&a);
    npm_range x, y;
    int res = -1;
    if (npm_range_parse(&a, r1, opt, &x) == 0 && npm_range_parse(&a, r2, opt, &y) == 0)
        res = npm_range_intersects(&x, &y);
    arena_free(&a);
    return res;
}

/* compare(v1, v2, opt), or 2 when a version is invalid. */
static int compare(const char *v1, const char *v2, npm_options opt, int build)
{
    arena a;
    arena_init(&a);
    npm_version x, y;
    int res = 2;
    if (npm_version_parse(&a, v1, opt, &x) == 0 && npm_version_parse(&a, v2, opt, &y) == 0)
        res = build ? npm_version_compare_build(&x, &y) : npm_version_compare(&x, &y);
    arena_free(&a);
    return res;
}

static const char *valid_version(const char *text, npm_options opt, char *buf, size_t size)
{
    arena a;
    arena_init(&a);
    npm_version v;
    const char *out = NULL;
    if (npm_version_parse(&a, text, opt, &v) == 0) {
        ck_assert_uint_lt(npm_version_format(&v, buf, size), size);
        out = buf;
    }
    arena_free(&a);
    return out;
}

/* ---- the shared tables (node-semver's test/fixtures) ------------------------------------- */

typedef struct table {
    arena a;
    char *text;
    const json_value *rows;   /* NULL when the corpus is absent (the test is skipped) */
    const char *name;
    size_t checked, failed;
} table;

static void table_open(table *t, const char *name)
{
    char relative[256];
    snprintf(relative, sizeof relative, "semver-tables/npm/%s", name);
    arena_init(&t->a);
    t->text = NULL;
    t->rows = NULL;
    t->name = name;
    t->checked = t->failed = 0;
    const char *path = test_corpus_path(relative);
    if (!path)
        return;
    size_t len;
    t->text = test_read_file(path, &len);
    vs_error err;
    t->rows = json_parse(&t->a, relative, t->text, len, &err);
    ck_assert_msg(t->rows != NULL, "%s", err.message);
    ck_assert_int_eq(t->rows->kind, JSON_ARRAY);
    ck_assert_msg(t->rows->n > 0, "%s is empty", name);
}

/* Records one row's verdict, printing the first failures. */
static void table_row(table *t, size_t i, int ok, const char *what)
{
    t->checked++;
    if (!ok && ++t->failed <= 20)
        fprintf(stderr, "npm_semver: %s row %zu: %s\n", t->name, i, what);
}

/* Prints the per-table count and fails the test if any row failed. */
static void table_close(table *t)
{
    if (t->rows) {
        printf("npm_semver: %-30s %zu/%zu rows pass\n", t->name, t->checked - t->failed, t->checked);
        ck_assert_msg(t->checked == t->rows->n, "%s: %zu rows checked of %zu", t->name, t->checked, t->rows->n);
        ck_assert_msg(t->failed == 0, "%s: %zu of %zu rows fail", t->name, t->failed, t->checked);
    }
    free(t->text);
    arena_free(&t->a);
}

static const json_value *item(const json_value *row, size_t i)
{
    ck_assert_int_eq(row->kind, JSON_ARRAY);
    return i < row->n ? row->items[i] : NULL;
}

static const char *str_item(const json_value *row, size_t i)
{
    const json_value *v = item(row, i);
    ck_assert_msg(v && v->kind == JSON_STRING, "row item %zu is not a string", i);
    ck_assert_uint_eq(strlen(v->str), v->len);
    return v->str;
}


/* parseOptions: falsy means the defaults, another non-object means {loose: true}, an object
 * gives its own loose and includePrerelease (a RegExp has neither). */
static npm_options options_of(const json_value *v)
{
    npm_options o = {0, 0};
    if (!json_truthy(v))
        return o;
    if (v->kind != JSON_OBJECT) {
        o.loose = 1;
        return o;
    }
    o.loose = json_truthy(json_get(v, "loose"));
    o.include_prerelease = json_truthy(json_get(v, "includePrerelease"));
    return o;
}

START_TEST(test_table_comparisons)
{
    table t;
    table_open(&t, "comparisons.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *v1 = str_item(row, 0), *v2 = str_item(row, 1);
        npm_options o = options_of(item(row, 2));
        char what[600];
        snprintf(what, sizeof what, "compare(\"%s\", \"%s\") should be 1", v1, v2);
        table_row(&t, i, compare(v1, v2, o, 0) == 1 && compare(v2, v1, o, 0) == -1 &&
                             compare(v1, v1, o, 0) == 0 && compare(v1, v2, o, 1) == 1, what);
    }
    table_close(&t);
}
END_TEST

START_TEST(test_table_equality)
{
    table t;
    table_open(&t, "equality.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *v1 = str_item(row, 0), *v2 = str_item(row, 1);
        npm_options o = options_of(item(row, 2));
        char what[600];
        snprintf(what, sizeof what, "compare(\"%s\", \"%s\") should be 0", v1, v2);
        table_row(&t, i, compare(v1, v2, o, 0) == 0 && compare(v2, v1, o, 0) == 0, what);
    }
    table_close(&t);
}
END_TEST

START_TEST(test_table_invalid_versions)
{
    table t;
    table_open(&t, "invalid-versions.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const json_value *v = item(row, 0);
        npm_options o = options_of(item(row, 2));
        char what[600], buf[512];
        if (v->kind != JSON_STRING) {
            /* a RegExp or an object with toString: SemVer refuses anything but a string, and so
             * does this API by its type; the row only checks the encoding */
            table_row(&t, i, v->kind == JSON_OBJECT && (json_get(v, "__js_regexp__") ||
                                                         json_get(v, "__js_object_with_toString__")),
                      "a non-string value that is not one of the README's encodings");
            continue;
        }
        const char *got = valid_version(v->str, o, buf, sizeof buf);
        snprintf(what, sizeof what, "valid(\"%.200s\") = %.200s, want null", v->str, got ? got : "null");
        table_row(&t, i, got == NULL, what);
    }
    table_close(&t);
}
END_TEST

/* The identifiers of a dot-separated list match a JSON array (numbers by their text). */
static int idents_equal(const char *list, const json_value *want)
{
    size_t k = 0;
    const char *p = list;
    while (p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (k >= want->n)
            return 0;
        const json_value *w = want->items[k++];
        const char *wt = w->kind == JSON_NUMBER ? w->numtext : w->kind == JSON_STRING ? w->str : "";
        if (strlen(wt) != n || memcmp(wt, p, n) != 0)
            return 0;
        p = dot ? dot + 1 : NULL;
    }
    return k == want->n;
}

START_TEST(test_table_valid_versions)
{
    table t;
    table_open(&t, "valid-versions.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *text = str_item(row, 0);
        const json_value *pre = item(row, 4), *build = item(row, 5);
        arena a;
        arena_init(&a);
        npm_version v;
        int ok = npm_version_parse(&a, text, STRICT, &v) == 0;
        ok = ok && (double)v.major == item(row, 1)->num && (double)v.minor == item(row, 2)->num &&
             (double)v.patch == item(row, 3)->num;
        ok = ok && (v.pre ? idents_equal(v.pre, pre) : pre->n == 0);
        ok = ok && (v.build ? idents_equal(v.build, build) : build->n == 0);
        char what[600];
        snprintf(what, sizeof what, "\"%s\" parsed to other fields", text);
        table_row(&t, i, ok, what);
        arena_free(&a);
    }
    table_close(&t);
}
END_TEST

static void run_satisfies_table(const char *name, int want)
{
    table t;
    table_open(&t, name);
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *range = str_item(row, 0);
        npm_options o = options_of(item(row, 2));
        char what[600];
        if (item(row, 1)->kind != JSON_STRING) {
            /* Range.test(false): a falsy non-string is no version at all */
            snprintf(what, sizeof what, "satisfies(<%s>, \"%.200s\") should be %s",
                     json_kind_name(item(row, 1)->kind), range, want ? "true" : "false");
            table_row(&t, i, !want && !json_truthy(item(row, 1)), what);
            continue;
        }
        const char *version = str_item(row, 1);
        snprintf(what, sizeof what, "satisfies(\"%s\", \"%.200s\") should be %s", version, range,
                 want ? "true" : "false");
        table_row(&t, i, satisfies(version, range, o) == want, what);
    }
    table_close(&t);
}

START_TEST(test_table_range_include) { run_satisfies_table("range-include.json", 1); }
END_TEST

START_TEST(test_table_range_exclude) { run_satisfies_table("range-exclude.json", 0); }
END_TEST

START_TEST(test_table_range_parse)
{
    table t;
    table_open(&t, "range-parse.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *range = str_item(row, 0);
        const json_value *want = item(row, 1);
        npm_options o = options_of(item(row, 2));
        char buf[1024], what[900];
        const char *got = valid_range(range, strlen(range), o, buf, sizeof buf);
        int ok = want->kind == JSON_NULL ? got == NULL : got && strcmp(got, want->str) == 0;
        snprintf(what, sizeof what, "validRange(\"%.200s\") = %s, want %s", range, got ? got : "null",
                 want->kind == JSON_NULL ? "null" : want->str);
        table_row(&t, i, ok, what);
    }
    table_close(&t);
}
END_TEST

static void run_outside_table(const char *name, int dir, int want)
{
    table t;
    table_open(&t, name);
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *range = str_item(row, 0), *version = str_item(row, 1);
        npm_options o = options_of(item(row, 2));
        char what[600];
        snprintf(what, sizeof what, "%s(\"%s\", \"%s\") should be %s", dir > 0 ? "gtr" : "ltr", version,
                 range, want ? "true" : "false");
        table_row(&t, i, outside(version, range, o, dir) == want, what);
    }
    table_close(&t);
}

START_TEST(test_table_gtr) { run_outside_table("version-gt-range.json", 1, 1); }
END_TEST

START_TEST(test_table_not_gtr) { run_outside_table("version-not-gt-range.json", 1, 0); }
END_TEST

START_TEST(test_table_ltr) { run_outside_table("version-lt-range.json", -1, 1); }
END_TEST

START_TEST(test_table_not_ltr) { run_outside_table("version-not-lt-range.json", -1, 0); }
END_TEST

START_TEST(test_table_range_intersection)
{
    table t;
    table_open(&t, "range-intersection.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *r1 = str_item(row, 0), *r2 = str_item(row, 1);
        int want = item(row, 2)->b;
        int ok = 1;
        for (int loose = 0; loose <= 1; loose++) {
            npm_options o = {loose, 0};
            ok = ok && intersects(r1, r2, o) == want && intersects(r2, r1, o) == want;
        }
        char what[600];
        snprintf(what, sizeof what, "intersects(\"%s\", \"%s\") should be %s", r1, r2, want ? "true" : "false");
        table_row(&t, i, ok, what);
    }
    table_close(&t);
}
END_TEST

START_TEST(test_table_comparator_intersection)
{
    table t;
    table_open(&t, "comparator-intersection.json");
    for (size_t i = 0; t.rows && i < t.rows->n; i++) {
        const json_value *row = t.rows->items[i];
        const char *c1 = str_item(row, 0), *c2 = str_item(row, 1);
        int want = item(row, 2)->b;
        npm_options o = {0, json_truthy(item(row, 3))};
        arena a;
        arena_init(&a);
        npm_comparator x, y;
        int ok = npm_comparator_parse(&a, c1, STRICT, &x) == 0 && npm_comparator_parse(&a, c2, STRICT, &y) == 0 &&
                 npm_comparator_intersects(&x, &y, o) == want && npm_comparator_intersects(&y, &x, o) == want;
        arena_free(&a);
        char what[600];
        snprintf(what, sizeof what, "\"%s\" and \"%s\" intersect should be %s", c1, c2, want ? "true" : "false");
        table_row(&t, i, ok, what);
    }
    table_close(&t);
}
END_TEST

/* ---- npm's everyday forms ---------------------------------------------------------------- */

START_TEST(test_common_ranges)
{
    ck_range("^1.2.3", STRICT, ">=1.2.3 <2.0.0-0");
    ck_range("~1.2", STRICT, ">=1.2.0 <1.3.0-0");
    ck_range("1.x || >=2.5.0", STRICT, ">=1.0.0 <2.0.0-0||>=2.5.0");
    ck_range(">=1.0.0 <2.0.0", STRICT, ">=1.0.0 <2.0.0");
    ck_range("^0.2.3", STRICT, ">=0.2.3 <0.3.0-0");
    ck_range("^0.0.3", STRICT, ">=0.0.3 <0.0.4-0");
    ck_range("~1.2.3", STRICT, ">=1.2.3 <1.3.0-0");
    ck_range("1.2.3 - 2.3", STRICT, ">=1.2.3 <2.4.0-0");
    ck_range("*", STRICT, "*");
    ck_range("", STRICT, "*");
    ck_range("latest", STRICT, NULL);            /* dist-tags are not ranges */
    ck_range("next", LOOSE, NULL);
    ck_range("git+https://github.com/a/b.git", STRICT, NULL);
    ck_range("npm:lodash@^4", STRICT, NULL);

    ck_satisfies("1.2.3", "^1.2.3", STRICT, 1);
    ck_satisfies("1.9.0", "^1.2.3", STRICT, 1);
    ck_satisfies("2.0.0", "^1.2.3", STRICT, 0);
    ck_satisfies("2.0.0-rc.1", "^1.2.3", STRICT, 0);
    ck_satisfies("1.2.9", "~1.2", STRICT, 1);
    ck_satisfies("1.3.0", "~1.2", STRICT, 0);
    ck_satisfies("1.5.0", "1.x || >=2.5.0", STRICT, 1);
    ck_satisfies("2.4.0", "1.x || >=2.5.0", STRICT, 0);
    ck_satisfies("3.0.0", "1.x || >=2.5.0", STRICT, 1);
    ck_satisfies("1.9.9", ">=1.0.0 <2.0.0", STRICT, 1);
    ck_satisfies("2.0.0-0", ">=1.0.0 <2.0.0", STRICT, 0);
    ck_satisfies("2.0.0-0", ">=1.0.0 <2.0.0", PRE, 1);
    ck_satisfies("1.2.4-beta.1", ">=1.2.4-beta.0 <2", STRICT, 1);   /* same tuple, named */
    ck_satisfies("1.2.5-beta.1", ">=1.2.4-beta.0 <2", STRICT, 0);
    ck_satisfies("1.2.3", "latest", STRICT, 0);
}
END_TEST

START_TEST(test_versions)
{
    char buf[300];
    ck_assert_str_eq(valid_version(" =v1.2.3 ", LOOSE, buf, sizeof buf), "1.2.3");
    ck_assert_ptr_null(valid_version(" =v1.2.3 ", STRICT, buf, sizeof buf));
    ck_assert_str_eq(valid_version("v1.2.3-beta.007", LOOSE, buf, sizeof buf), "1.2.3-beta.7");
    ck_assert_ptr_null(valid_version("1.2.3-beta.007", STRICT, buf, sizeof buf));
    ck_assert_str_eq(valid_version("1.2.3beta", LOOSE, buf, sizeof buf), "1.2.3-beta");
    ck_assert_str_eq(valid_version("1.2.34.5", LOOSE, buf, sizeof buf), "1.2.3-4.5");   /* the regex backtracks */
    ck_assert_str_eq(valid_version("9007199254740991.0.0", STRICT, buf, sizeof buf), "9007199254740991.0.0");
    ck_assert_ptr_null(valid_version("9007199254740992.0.0", STRICT, buf, sizeof buf));
    ck_assert_str_eq(valid_version("\xc2\xa0" "1.2.3\xe3\x80\x80", STRICT, buf, sizeof buf), "1.2.3");
    ck_assert_ptr_null(valid_version("1.2.3\xe1\xa0\x8e", STRICT, buf, sizeof buf));   /* U+180E is no space */
    char longv[300];
    memset(longv, 'a', sizeof longv);
    memcpy(longv, "1.2.3-", 6);
    longv[256] = '\0';
    ck_assert_ptr_nonnull(valid_version(longv, STRICT, buf, sizeof buf));   /* 256 characters */
    longv[256] = 'a';
    longv[257] = '\0';
    ck_assert_ptr_null(valid_version(longv, STRICT, buf, sizeof buf));
    arena a;
    arena_init(&a);
    npm_version v;
    ck_assert_int_eq(npm_version_parse_n(&a, "1.2.3\0", 6, STRICT, &v), -1);
    ck_assert_int_eq(npm_version_parse_n(&a, "1.2.3", 5, STRICT, &v), 0);
    arena_free(&a);

    ck_assert_int_eq(compare("1.2.3-alpha.10", "1.2.3-alpha.9", STRICT, 0), 1);
    ck_assert_int_eq(compare("1.2.3-alpha", "1.2.3-10", STRICT, 0), 1);
    ck_assert_int_eq(compare("1.2.3-a.b", "1.2.3-a", STRICT, 0), 1);
    ck_assert_int_eq(compare("1.2.3+b", "1.2.3+a", STRICT, 0), 0);
    ck_assert_int_eq(compare("1.2.3+b", "1.2.3+a", STRICT, 1), 1);
    ck_assert_int_eq(compare("1.2.3", "1.2.3+a", STRICT, 1), -1);
    ck_assert_int_eq(compare("1.2.3+01.b", "1.2.3+1.a", STRICT, 1), 0);   /* equal numbers end the loop */
    /* past 2^53 identifiers compare as JavaScript numbers, and the first equal pair decides */
    ck_assert_int_eq(compare("1.2.3-9007199254740993.1", "1.2.3-9007199254740992.2", STRICT, 0), 0);
    ck_assert_int_eq(compare("1.2.3-9007199254740990", "1.2.3-9007199254740991", STRICT, 0), -1);
}
END_TEST

START_TEST(test_range_rewrites)
{
    /* whitespace: any JavaScript space, collapsed; one space between operator and version */
    ck_range("\t>=\xc2\xa0" "1.2.3\n||\xe2\x80\xa8" "2", STRICT, ">=1.2.3||>=2.0.0 <3.0.0-0");
    ck_range("~> 1.2", STRICT, ">=1.2.0 <1.3.0-0");
    ck_range("^ 1.2 ^ 1", STRICT, ">=1.2.0 <2.0.0-0 >=1.0.0");
    /* build metadata is dropped before anything else, even inside a hyphen range */
    ck_range("1.2.3+build - 2+x", STRICT, ">=1.2.3 <3.0.0-0");
    ck_range(">=+b 1", STRICT, ">=1.0.0");
    ck_range("1.2.3-a - 2 +b +c", STRICT, NULL);   /* the trailing spaces left break the hyphen */
    ck_range("1.2.3-a - 2 +b +c", LOOSE, "1.2.3-a >=2.0.0 <3.0.0-0");
    /* x after a number only in ^ ~ and hyphen ranges */
    ck_range("1.x.5", STRICT, NULL);
    ck_range("1.x.5 || 2", LOOSE, ">=2.0.0 <3.0.0-0");
    ck_range("~1.x.5", STRICT, ">=1.0.0 <2.0.0-0");
    ck_range("1.x.5 - 2", STRICT, ">=1.0.0 <3.0.0-0");
    /* the null set wins within a set and loses across them */
    ck_range("<0.0.0-0 >=1.0.0", STRICT, "<0.0.0-0");
    ck_range(">x || 1.2.3", STRICT, "1.2.3");
    ck_range(">x || <x", STRICT, "<0.0.0-0");
    ck_range(">=1.2.3 >=1.2.3+b 1.2.3", STRICT, ">=1.2.3 1.2.3");
    /* loose numbers and the 0 rule compare the text: "00" is not "0" */
    ck_range("^00.1.2", LOOSE, ">=0.1.2 <1.0.0-0");
    ck_range("^0.1.2", LOOSE, ">=0.1.2 <0.2.0-0");
    /* increments as JavaScript numbers: past MAX_SAFE invalid, from 1e21 an exponent a loose
     * pattern may still read */
    ck_range("^9007199254740990.0.0", STRICT, ">=9007199254740990.0.0 <9007199254740991.0.0-0");
    ck_range("^9007199254740991.0.0", STRICT, NULL);
    ck_range(">999999999999999999999.x || 1", LOOSE, ">=1.0.0 <2.0.0-0");
    ck_range(">99999999999999999999.x || 1", LOOSE, NULL);
    npm_options loose_pre = {1, 1};
    ck_range("1.2.0 - 1.2.9999999999999999999999999", loose_pre, ">=1.2.0-0 <1.2.1-e");   /* "<1.2.1e+25-0" */
    ck_range("1.2.0 - 1.2.9999999999999999999999999", PRE, NULL);
    ck_range("1.2.0 - 1.2.9999999999999999999999999", STRICT, NULL);
    /* loose: comparators no pattern accepts are dropped, and so are empty sets */
    ck_range("1.2.3 foo", LOOSE, "1.2.3");
    ck_range("foo", LOOSE, NULL);
    ck_range("foo || 1", LOOSE, ">=1.0.0 <2.0.0-0");
    ck_range("1.2.3-", LOOSE, "1.2.3--");
    /* validRange is not idempotent: the text ">=00.0.0" escapes the >=0.0.0-is-ANY rule once */
    ck_range("00", LOOSE, ">=0.0.0 <1.0.0-0");
    ck_range(">=0.0.0 <1.0.0-0", LOOSE, "<1.0.0-0");
    /* the safe regexes' bounds show in loose mode: an identifier run over 250 characters makes
     * "~1.2.3-aaa..." no comparator at all, dropped, instead of a version too long (which throws) */
    char bounded[400] = "~1.2.3-";
    memset(bounded + 7, 'a', 300);
    strcpy(bounded + 307, " || 1");
    ck_range(bounded, LOOSE, ">=1.0.0 <2.0.0-0");
    ck_range("||", STRICT, "*");
    ck_range("1 ||| 2", STRICT, NULL);
    ck_range("1.2.3\0", STRICT, "1.2.3");   /* strlen stops at the NUL ... */
    char buf[64];
    ck_assert_ptr_null(valid_range("1.2.3\0", 6, STRICT, buf, sizeof buf));   /* ... a length does not */
}
END_TEST

START_TEST(test_range_limits)
{
    /* longer than NPM_RANGE_MAX_LENGTH is refused; up to it, the work stays linear */
    size_t n = NPM_RANGE_MAX_LENGTH;
    char *text = malloc(n + 2);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++)
        text[i] = "1.0.0 || "[i % 9];
    text[n - 1] = '2';
    text[n] = '\0';
    char *out = malloc(4 * n);
    ck_assert_ptr_nonnull(out);
    const char *got = valid_range(text, n, STRICT, out, 4 * n);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_gt(strlen(got), 1000);
    text[n] = ' ';
    text[n + 1] = '\0';
    ck_assert_ptr_null(valid_range(text, n + 1, STRICT, out, 4 * n));
    /* pathological runs: digits, v prefixes, operators, dots */
    const char *fill = "9v<=.-~^ x";
    for (size_t f = 0; fill[f]; f++) {
        memset(text, fill[f], n);
        text[n] = '\0';
        valid_range(text, n, STRICT, out, 4 * n);
        valid_range(text, n, LOOSE, out, 4 * n);
    }
    for (size_t i = 0; i < n; i++)
        text[i] = i % 300 == 299 ? '.' : '1';
    valid_range(text, n, LOOSE, out, 4 * n);
    free(out);
    free(text);

    /* npm_range_format truncates like snprintf */
    arena a;
    arena_init(&a);
    npm_range r;
    ck_assert_int_eq(npm_range_parse(&a, "^1.2.3", STRICT, &r), 0);
    char small[8];
    ck_assert_int_eq(npm_range_format(&r, small, sizeof small), 16);   /* ">=1.2.3 <2.0.0-0" */
    ck_assert_str_eq(small, ">=1.2.3");
    ck_assert_int_eq(npm_range_format(&r, NULL, 0), 16);
    arena_free(&a);
}
END_TEST

START_TEST(test_outside_and_intersects)
{
    ck_assert_int_eq(outside("2.0.0", "^1.2.3", STRICT, 1), 1);
    ck_assert_int_eq(outside("1.5.0", "^1.2.3", STRICT, 1), 0);
    ck_assert_int_eq(outside("1.0.0", "^1.2.3", STRICT, -1), 1);
    ck_assert_int_eq(outside("3.0.0", "1.x || >=2.5.0", STRICT, 1), 0);
    ck_assert_int_eq(outside("2.4.0", "1.x || >=2.5.0", STRICT, 1), 0);   /* between the sets */
    ck_assert_int_eq(outside("2.4.0", "1.x || >=2.5.0", STRICT, -1), 0);
    ck_assert_int_eq(outside("1.0.0", "latest", STRICT, 1), -1);
    ck_assert_int_eq(intersects("^1.2.3", "~1.9", STRICT), 1);
    ck_assert_int_eq(intersects("^1.2.3", ">=2", STRICT), 0);
    ck_assert_int_eq(intersects("1.x || >=2.5.0", "2.6.0", STRICT), 1);
    ck_assert_int_eq(intersects(">1.0.0 <1.0.0", "*", STRICT), 0);   /* unsatisfiable set */

    arena a;
    arena_init(&a);
    npm_comparator c;
    char buf[64];
    ck_assert_int_eq(npm_comparator_parse(&a, " >=  v1.2.3 ", STRICT, &c), 0);   /* spaces collapse */
    ck_assert_int_eq(npm_comparator_parse(&a, ">=v 1.2.3", STRICT, &c), -1);
    ck_assert_int_eq(npm_comparator_parse(&a, ">=v 1.2.3", LOOSE, &c), 0);
    ck_assert_int_eq(npm_comparator_parse(&a, ">= v1.2.3", STRICT, &c), 0);
    npm_comparator_format(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, ">=1.2.3");
    ck_assert_int_eq(npm_comparator_parse(&a, "=1.2.3", STRICT, &c), 0);
    ck_assert_int_eq(c.op, NPM_EQ);
    ck_assert_int_eq(npm_comparator_parse(&a, "", STRICT, &c), 0);
    ck_assert_int_eq(c.op, NPM_ANY);
    ck_assert_int_eq(npm_comparator_parse(&a, "^1.2.3", STRICT, &c), -1);
    arena_free(&a);
}
END_TEST

/* Inputs the fuzzer found troublesome (see tests/fuzz/README.md). */
START_TEST(test_fuzz_regressions)
{
    static const char *const inputs[] = {
        "1.2.3+", "+", "||||", " - ", "1 - ", "- 1", "~", "^", ">", "<=", "=", "v", "x.x.x-",
        "1.2.3-a..b", "1.2.3-.", ">=*.*.*+b", "1.2.9007199254740991-9007199254740991",
    };
    char buf[512];
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
        for (int m = 0; m < 4; m++) {
            npm_options o = {m & 1, m >> 1};
            valid_range(inputs[i], strlen(inputs[i]), o, buf, sizeof buf);
        }
}
END_TEST

Suite *npm_semver_suite(void)
{
    Suite *s = suite_create("npm_semver");
    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, test_table_comparisons);
    tcase_add_test(tables, test_table_equality);
    tcase_add_test(tables, test_table_invalid_versions);
    tcase_add_test(tables, test_table_valid_versions);
    tcase_add_test(tables, test_table_range_include);
    tcase_add_test(tables, test_table_range_exclude);
    tcase_add_test(tables, test_table_range_parse);
    tcase_add_test(tables, test_table_gtr);
    tcase_add_test(tables, test_table_not_gtr);
    tcase_add_test(tables, test_table_ltr);
    tcase_add_test(tables, test_table_not_ltr);
    tcase_add_test(tables, test_table_range_intersection);
    tcase_add_test(tables, test_table_comparator_intersection);
    suite_add_tcase(s, tables);
    TCase *own = tcase_create("own");
    tcase_add_test(own, test_common_ranges);
    tcase_add_test(own, test_versions);
    tcase_add_test(own, test_range_rewrites);
    tcase_add_test(own, test_range_limits);
    tcase_add_test(own, test_outside_and_intersects);
    tcase_add_test(own, test_fuzz_regressions);
    suite_add_tcase(s, own);
    return s;
}
