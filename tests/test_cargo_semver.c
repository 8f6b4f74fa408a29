/* test_cargo_semver.c: cargo's version and requirement language against the semver crate's tables and the Cargo book. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cargo_semver.h"
#include "json.h"
#include "testutil.h"

/* Helpers. Inputs are NUL-terminated strings unless a length is given. */

static void version_ok(const char *text, semver_version *v)
{
    char err[256];
    int rc = semver_parse(text, strlen(text), v, err, sizeof err);
    ck_assert_msg(rc == 0, "version \"%s\": %s", text, err);
}

static void req_ok_len(arena *a, const char *text, size_t len, semver_req *r)
{
    char err[256];
    int rc = semver_req_parse(a, text, len, r, err, sizeof err);
    ck_assert_msg(rc == 0, "req \"%s\": %s", text, err);
}

static void req_ok(arena *a, const char *text, semver_req *r) { req_ok_len(a, text, strlen(text), r); }

static const char *req_display(const semver_req *r, char *buf, size_t size)
{
    size_t n = semver_req_format(r, buf, size);
    ck_assert_uint_lt(n, size);
    ck_assert_uint_eq(strlen(buf), n);
    return buf;
}

/* The requirement's display parses back to an equal requirement with the same display. */
static void ck_round_trip(const semver_req *r)
{
    arena a;
    arena_init(&a);
    char shown[1024], again[1024];
    req_display(r, shown, sizeof shown);
    semver_req back;
    req_ok(&a, shown, &back);
    ck_assert_msg(semver_req_equal(r, &back), "\"%s\" reparses to \"%s\"", shown,
                  req_display(&back, again, sizeof again));
    ck_assert_str_eq(req_display(&back, again, sizeof again), shown);
    arena_free(&a);
}

static int matches(const char *req, const char *version)
{
    arena a;
    arena_init(&a);
    semver_req r;
    semver_version v;
    req_ok(&a, req, &r);
    version_ok(version, &v);
    int m = semver_req_matches(&r, &v);
    arena_free(&a);
    return m;
}

#define ck_matches(req, version, expected)                                                   \
    ck_assert_msg(matches((req), (version)) == (expected), "\"%s\" %s \"%s\"", (req),         \
                  (expected) ? "should match" : "should not match", (version))

/* Version::parse fails with exactly this message. */
static void ck_version_error_len(const char *text, size_t len, const char *message)
{
    semver_version v;
    char err[256] = "";
    int rc = semver_parse(text, len, &v, err, sizeof err);
    ck_assert_msg(rc == -1, "version \"%s\" parsed, want error \"%s\"", text, message);
    ck_assert_str_eq(err, message);
}

static void ck_version_error(const char *text, const char *message)
{
    ck_version_error_len(text, strlen(text), message);
}

/* VersionReq::parse (comparator = 0) or Comparator::parse (comparator = 1) fails with message. */
static void ck_req_error_len(int comparator, const char *text, size_t len, const char *message)
{
    arena a;
    arena_init(&a);
    char err[256] = "";
    int rc;
    if (comparator) {
        semver_comparator c;
        rc = semver_comparator_parse(text, len, &c, err, sizeof err);
    } else {
        semver_req r;
        rc = semver_req_parse(&a, text, len, &r, err, sizeof err);
    }
    ck_assert_msg(rc == -1, "\"%s\" parsed, want error \"%s\"", text, message);
    ck_assert_msg(strcmp(err, message) == 0, "\"%s\": got \"%s\", want \"%s\"", text, err, message);
    arena_free(&a);
}

static void ck_req_error(const char *text, const char *message)
{
    ck_req_error_len(0, text, strlen(text), message);
}

static void ck_comparator_error(const char *text, const char *message)
{
    ck_req_error_len(1, text, strlen(text), message);
}

static void ck_display(const char *req, const char *display)
{
    arena a;
    arena_init(&a);
    semver_req r;
    char buf[1024];
    req_ok(&a, req, &r);
    ck_assert_msg(strcmp(req_display(&r, buf, sizeof buf), display) == 0, "\"%s\" displays \"%s\", want \"%s\"",
                  req, buf, display);
    ck_round_trip(&r);
    arena_free(&a);
}

/* The two requirements accept the same release versions M.m.p with M, m, p in a small grid. */
static void ck_equivalent(const char *req, const char *expanded)
{
    static const char *const parts[] = { "0", "1", "2", "3", "4", "10" };
    const size_t n = sizeof parts / sizeof parts[0];
    arena a;
    arena_init(&a);
    semver_req r, e;
    req_ok(&a, req, &r);
    req_ok(&a, expanded, &e);
    for (size_t i = 0; i < n * n * n; i++) {
        char text[32];
        snprintf(text, sizeof text, "%s.%s.%s", parts[i / (n * n)], parts[i / n % n], parts[i % n]);
        semver_version v;
        version_ok(text, &v);
        int m = semver_req_matches(&r, &v);
        ck_assert_msg(m == semver_req_matches(&e, &v), "\"%s\" %s %s but \"%s\" does not agree", req,
                      m ? "matches" : "rejects", text, expanded);
    }
    arena_free(&a);
}

/* The shared tables. */

static const json_value *member(const json_value *row, const char *key, json_kind kind)
{
    const json_value *v = json_get(row, key);
    if (v)
        ck_assert_msg(v->kind == kind, "%s is a %s", key, json_kind_name(v->kind));
    return v;
}

START_TEST(test_table_req_matches)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/cargo/req_matches.json", &text);
    size_t checked = 0, versions = 0;
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *row = rows->items[i];
        const json_value *req = member(row, "req", JSON_STRING);
        ck_assert_ptr_nonnull(req);
        semver_req r;
        req_ok(&a, req->str, &r);
        for (int want = 1; want >= 0; want--) {
            const json_value *list = member(row, want ? "match" : "nomatch", JSON_ARRAY);
            ck_assert_ptr_nonnull(list);
            for (size_t j = 0; j < list->n; j++) {
                semver_version v;
                version_ok(test_string_at(list, j), &v);
                ck_assert_msg(semver_req_matches(&r, &v) == want, "\"%s\" %s \"%s\"", req->str,
                              want ? "should match" : "should not match", list->items[j]->str);
                versions++;
            }
        }
        char shown[1024], other[1024];
        const json_value *display = member(row, "display", JSON_STRING);
        if (display)
            ck_assert_str_eq(req_display(&r, shown, sizeof shown), display->str);
        const json_value *equivalent = member(row, "equivalent_reqs", JSON_ARRAY);
        for (size_t j = 0; equivalent && j < equivalent->n; j++) {
            semver_req e;
            req_ok(&a, test_string_at(equivalent, j), &e);
            ck_assert_msg(semver_req_equal(&r, &e), "\"%s\" != \"%s\"", req->str, equivalent->items[j]->str);
            ck_assert_str_eq(req_display(&e, other, sizeof other), req_display(&r, shown, sizeof shown));
        }
        ck_round_trip(&r);
        checked++;
    }
    if (rows) {
        ck_assert_uint_eq(checked, rows->n);
        ck_assert_uint_ge(versions, 89 + 124);
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_req_parse)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/cargo/req_parse.json", &text);
    size_t errors = 0, displays = 0, oks = 0;
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *row = rows->items[i];
        const json_value *input = member(row, "input", JSON_STRING);
        const json_value *parser = member(row, "parser", JSON_STRING);
        ck_assert_ptr_nonnull(input);
        ck_assert_ptr_nonnull(parser);
        int comparator = strcmp(parser->str, "Comparator::parse") == 0;
        ck_assert_msg(comparator || strcmp(parser->str, "VersionReq::parse") == 0, "parser %s", parser->str);
        const json_value *error = member(row, "error", JSON_STRING);
        const json_value *display = member(row, "display", JSON_STRING);
        const json_value *ok = member(row, "ok", JSON_BOOL);
        char err[256], shown[256];
        if (error) {
            ck_req_error_len(comparator, input->str, input->len, error->str);
            errors++;
        } else if (comparator) {
            semver_comparator c;
            int rc = semver_comparator_parse(input->str, input->len, &c, err, sizeof err);
            ck_assert_msg(rc == 0, "comparator \"%s\": %s", input->str, err);
            ck_assert_ptr_nonnull(display);
            semver_comparator_format(&c, shown, sizeof shown);
            ck_assert_str_eq(shown, display->str);
            displays++;
        } else {
            semver_req r;
            req_ok_len(&a, input->str, input->len, &r);
            ck_round_trip(&r);
            if (display) {
                ck_assert_str_eq(req_display(&r, shown, sizeof shown), display->str);
                displays++;
            } else {
                ck_assert_msg(ok && ok->b, "row %zu has no expectation", i);
                oks++;
            }
        }
    }
    if (rows)
        ck_assert_uint_eq(errors + displays + oks, rows->n);
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_version_compare)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/cargo/version_compare.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *row = rows->items[i];
        ck_assert_int_eq(row->kind, JSON_ARRAY);
        ck_assert_uint_eq(row->n, 5);
        const char *left = test_string_at(row, 0), *op = test_string_at(row, 1), *right = test_string_at(row, 2);
        ck_assert_int_eq(row->items[3]->kind, JSON_BOOL);
        semver_version x, y;
        version_ok(left, &x);
        version_ok(right, &y);
        int c = semver_compare(&x, &y);
        ck_assert_int_eq(semver_compare(&y, &x), -c);
        int holds;
        if (strcmp(op, "<") == 0)
            holds = c < 0;
        else if (strcmp(op, "<=") == 0)
            holds = c <= 0;
        else if (strcmp(op, ">") == 0)
            holds = c > 0;
        else if (strcmp(op, ">=") == 0)
            holds = c >= 0;
        else if (strcmp(op, "==") == 0)
            holds = c == 0;
        else if (strcmp(op, "!=") == 0)
            holds = c != 0;
        else
            ck_abort_msg("unknown op %s", op);
        ck_assert_msg(holds == row->items[3]->b, "%s %s %s should be %s", left, op, right,
                      row->items[3]->b ? "true" : "false");
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_version_spec_order)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/cargo/version_spec_order.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        for (size_t j = 0; j < rows->n; j++) {
            semver_version x, y;
            version_ok(test_string_at(rows, i), &x);
            version_ok(test_string_at(rows, j), &y);
            int want = (i > j) - (i < j);
            ck_assert_msg(semver_precedence(&x, &y) == want, "precedence(%s, %s) != %d", rows->items[i]->str,
                          rows->items[j]->str, want);
            ck_assert_int_eq(semver_compare(&x, &y), want);
        }
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_version_parse_errors)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/cargo/version_parse_errors.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *input = member(rows->items[i], "input", JSON_STRING);
        const json_value *error = member(rows->items[i], "error", JSON_STRING);
        ck_assert_ptr_nonnull(input);
        ck_assert_ptr_nonnull(error);
        ck_version_error_len(input->str, input->len, error->str);
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_version_parse_ok)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/cargo/version_parse_ok.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const char *input = test_string_at(rows, i);
        semver_version v;
        version_ok(input, &v);
        char shown[256];
        ck_assert_uint_eq(semver_format(&v, shown, sizeof shown), strlen(input));
        ck_assert_str_eq(shown, input);
    }
    free(text);
    arena_free(&a);
}
END_TEST

/* Versions: fields, order, errors. */

START_TEST(test_version_fields)
{
    semver_version v;
    version_ok("1.2.3-1.alpha1.9+build5.7.3aedf", &v);
    ck_assert_uint_eq(v.major, 1);
    ck_assert_uint_eq(v.minor, 2);
    ck_assert_uint_eq(v.patch, 3);
    ck_assert_uint_eq(v.pre_len, 10);
    ck_assert_int_eq(memcmp(v.pre, "1.alpha1.9", 10), 0);
    ck_assert_uint_eq(v.build_len, 14);
    ck_assert_int_eq(memcmp(v.build, "build5.7.3aedf", 14), 0);
    version_ok("0.4.0+0851523", &v);
    ck_assert_ptr_null(v.pre);
    ck_assert_uint_eq(v.pre_len, 0);
    ck_assert_uint_eq(v.build_len, 7);
    version_ok("1.1.0-beta-10", &v);
    ck_assert_uint_eq(v.pre_len, 7);
    ck_assert_ptr_null(v.build);
    /* Leading zeros are allowed in alphanumeric pre-release identifiers and in build metadata. */
    version_ok("1.0.0-0a.00b", &v);
    version_ok("1.0.0+00.001", &v);
    version_ok("1.0.0-0", &v);
    version_ok("1.0.0-a-", &v);
    version_ok("1.0.0--", &v);
    ck_assert_uint_eq(v.pre_len, 1);
}
END_TEST

START_TEST(test_version_order)
{
    /* Strictly increasing under the crate's total order. */
    static const char *const order[] = {
        "0.0.0", "0.0.1", "0.1.0", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10",
        "1.0.0-99999999999999999999", "1.0.0-100000000000000000000", "1.0.0-A", "1.0.0-a",
        "1.0.0-a.0", "1.0.0-a.b", "1.0.0-a-b", "1.0.0-b", "1.0.0", "1.0.0+0", "1.0.0+00", "1.0.0+1",
        "1.0.0+01", "1.0.0+2", "1.0.0+10", "1.0.0+a", "1.0.0+a.0", "1.0.0+b", "1.0.1-0", "1.0.1",
        "1.1.0", "2.0.0", "10.0.0", "18446744073709551615.0.0",
    };
    const size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            semver_version x, y;
            version_ok(order[i], &x);
            version_ok(order[j], &y);
            int want = (i > j) - (i < j);
            ck_assert_msg(semver_compare(&x, &y) == want, "compare(%s, %s) != %d", order[i], order[j], want);
            /* Precedence ignores build metadata: equal exactly when all but the build are. */
            size_t lx = strcspn(order[i], "+"), ly = strcspn(order[j], "+");
            int same = lx == ly && memcmp(order[i], order[j], lx) == 0;
            int p = semver_precedence(&x, &y);
            ck_assert_msg(same ? p == 0 : p == want, "precedence(%s, %s) = %d", order[i], order[j], p);
        }
    }
}
END_TEST

START_TEST(test_version_errors)
{
    ck_version_error("01.0.0", "invalid leading zero in major version number");
    ck_version_error("1.00.0", "invalid leading zero in minor version number");
    ck_version_error("1.0.00", "invalid leading zero in patch version number");
    ck_version_error("1.0.0-00", "invalid leading zero in pre-release identifier");
    ck_version_error("1.0.0-a.01", "invalid leading zero in pre-release identifier");
    ck_version_error("1.0.0-a_b", "unexpected character '_' after pre-release identifier");
    ck_version_error("1.0.0-a..b", "empty identifier segment in pre-release identifier");
    ck_version_error("1.0.0-a.", "empty identifier segment in pre-release identifier");
    ck_version_error("1.0.0-.a", "empty identifier segment in pre-release identifier");
    ck_version_error("1.0.0-+a", "empty identifier segment in pre-release identifier");
    ck_version_error("1.0.0+", "empty identifier segment in build metadata");
    ck_version_error("1.0.0+a..b", "empty identifier segment in build metadata");
    ck_version_error("1.0.0+a+b", "unexpected character '+' after build metadata");
    ck_version_error("v1.0.0", "unexpected character 'v' while parsing major version number");
    ck_version_error("1..0", "unexpected character '.' while parsing minor version number");
    ck_version_error("1.0.", "unexpected end of input while parsing patch version number");
    ck_version_error("1.0", "unexpected end of input while parsing minor version number");
    ck_version_error(" 1.0.0", "unexpected character ' ' while parsing major version number");
    ck_version_error("1.0.0 ", "unexpected character ' ' after patch version number");
    ck_version_error("1.0-0", "unexpected character '-' after minor version number");
    ck_version_error("1.0.0.0", "unexpected character '.' after patch version number");
    /* Characters are quoted as Rust's char Debug prints them. */
    ck_version_error("1.0.0\x01", "unexpected character '\\u{1}' after patch version number");
    ck_version_error("1.0.0\x7f", "unexpected character '\\u{7f}' after patch version number");
    ck_version_error("1.0.0\t", "unexpected character '\\t' after patch version number");
    ck_version_error("1.0.0\n", "unexpected character '\\n' after patch version number");
    ck_version_error("1.0.0'", "unexpected character '\\'' after patch version number");
    ck_version_error("1.0.0\"", "unexpected character '\"' after patch version number");
    ck_version_error("1.0.0\\", "unexpected character '\\\\' after patch version number");
    ck_version_error("1.0.0\xc3\xa9", "unexpected character '\xc3\xa9' after patch version number");
    ck_version_error("1.0.0\xc2\xa0", "unexpected character '\\u{a0}' after patch version number");
    ck_version_error("1.0.0\xcc\x80", "unexpected character '\\u{300}' after patch version number");
    ck_version_error("1.0.0\xc2\xad", "unexpected character '\\u{ad}' after patch version number");
    ck_version_error("1.0.0\xef\xbb\xbf", "unexpected character '\\u{feff}' after patch version number");
    ck_version_error("1.0.0\xe2\x82\xac", "unexpected character '\xe2\x82\xac' after patch version number");
    ck_version_error("1.0.0\xf0\x9f\xa6\x80", "unexpected character '\xf0\x9f\xa6\x80' after patch version number");
    ck_version_error_len("1.0.0\0", 6, "unexpected character '\\0' after patch version number");
    /* A byte that is not UTF-8 (Rust cannot receive it) reads as U+FFFD. */
    ck_version_error("1.0.0\xff", "unexpected character '\xef\xbf\xbd' after patch version number");
    ck_version_error("1.0.0\xc3", "unexpected character '\xef\xbf\xbd' after patch version number");
    /* A non-ASCII letter cannot start an identifier. */
    ck_version_error("1.0.0-\xc3\xa9", "empty identifier segment in pre-release identifier");
}
END_TEST

START_TEST(test_version_overflow)
{
    semver_version v;
    version_ok("18446744073709551615.18446744073709551615.18446744073709551615", &v);
    ck_assert(v.major == UINT64_MAX && v.minor == UINT64_MAX && v.patch == UINT64_MAX);
    char shown[128];
    semver_format(&v, shown, sizeof shown);
    ck_assert_str_eq(shown, "18446744073709551615.18446744073709551615.18446744073709551615");
    ck_version_error("18446744073709551616.0.0", "value of major version number exceeds u64::MAX");
    ck_version_error("75774777777757777757.0.0", "value of major version number exceeds u64::MAX");
    ck_version_error("0.18446744073709551616.0", "value of minor version number exceeds u64::MAX");
    ck_version_error("0.0.99999999999999999999", "value of patch version number exceeds u64::MAX");
    /* The leading zero is seen before the overflow. */
    ck_version_error("099999999999999999999.0.0", "invalid leading zero in major version number");
    /* Pre-release numbers have no limit and still compare as numbers. */
    semver_version x, y;
    version_ok("1.0.0-184467440737095516150000", &x);
    version_ok("1.0.0-99999999999999999999999", &y);
    ck_assert_int_eq(semver_compare(&x, &y), 1);
    ck_req_error("^18446744073709551616", "value of major version number exceeds u64::MAX");
    ck_req_error(">=1.18446744073709551616", "value of minor version number exceeds u64::MAX");
    ck_req_error("~1.2.18446744073709551616", "value of patch version number exceeds u64::MAX");
    ck_matches("^18446744073709551615", "18446744073709551615.5.0", 1);
    ck_matches(">18446744073709551615.0", "18446744073709551615.1.0", 1);
    ck_matches(">18446744073709551615.18446744073709551615", "18446744073709551615.18446744073709551615.0", 0);
    ck_matches("~18446744073709551615.18446744073709551615.18446744073709551615",
               "18446744073709551615.18446744073709551615.18446744073709551615", 1);
    ck_matches("<18446744073709551615", "18446744073709551614.99.99", 1);
    ck_display("18446744073709551615.18446744073709551615.*", "18446744073709551615.18446744073709551615.*");
}
END_TEST

/* Requirements: the Cargo book's tables ("Specifying Dependencies"), as equivalences. */

START_TEST(test_cargo_book_caret)
{
    ck_equivalent("^1.2.3", ">=1.2.3, <2.0.0");
    ck_equivalent("^1.2", ">=1.2.0, <2.0.0");
    ck_equivalent("^1", ">=1.0.0, <2.0.0");
    ck_equivalent("^0.2.3", ">=0.2.3, <0.3.0");
    ck_equivalent("^0.2", ">=0.2.0, <0.3.0");
    ck_equivalent("^0.0.3", ">=0.0.3, <0.0.4");
    ck_equivalent("^0.0", ">=0.0.0, <0.1.0");
    ck_equivalent("^0", ">=0.0.0, <1.0.0");
    /* A bare version is a caret requirement. */
    ck_equivalent("1.2.3", "^1.2.3");
    ck_equivalent("0.2", "^0.2");
    ck_equivalent("0.0.3", "=0.0.3");
    ck_display("1.2.3", "^1.2.3");
    ck_display("^ 0.0", "^0.0");
}
END_TEST

START_TEST(test_cargo_book_tilde)
{
    ck_equivalent("~1.2.3", ">=1.2.3, <1.3.0");
    ck_equivalent("~1.2", ">=1.2.0, <1.3.0");
    ck_equivalent("~1", ">=1.0.0, <2.0.0");
    ck_equivalent("~0.2.3", ">=0.2.3, <0.3.0");
    ck_equivalent("~0.0.3", ">=0.0.3, <0.1.0");
    ck_equivalent("~0", "<1.0.0");
    ck_equivalent("~0.0", "<0.1.0");
    ck_display("~ 1.2", "~1.2");
}
END_TEST

START_TEST(test_cargo_book_wildcard)
{
    ck_equivalent("*", ">=0.0.0");
    ck_equivalent("1.*", ">=1.0.0, <2.0.0");
    ck_equivalent("1.2.*", ">=1.2.0, <1.3.0");
    ck_equivalent("0.*", "<1.0.0");
    ck_equivalent("0.0.*", "<0.1.0");
    ck_equivalent("1.X.x", "1.*");
    ck_display("*", "*");
    ck_display("  x  ", "*");
    ck_display("1.2.X", "1.2.*");
    ck_display("0.x.*", "0.*");
    /* After an explicit operator a wildcard just leaves the part out. */
    ck_display("=1.*", "=1");
    ck_display(">=1.x", ">=1");
    ck_display("^1.*", "^1");
    ck_display("~1.2.*", "~1.2");
    ck_equivalent("=1.*", "=1");
    ck_equivalent(">1.*", ">=2.0.0");
    ck_equivalent("<=1.2.*", "<1.3.0");
}
END_TEST

START_TEST(test_cargo_book_comparisons)
{
    ck_equivalent(">= 1.2.0", ">=1.2.0");
    ck_equivalent("> 1", ">=2.0.0");
    ck_equivalent("< 2", "<2.0.0");
    ck_equivalent("= 1.2.3", ">=1.2.3, <=1.2.3");
    /* Partial versions, as the semver crate documents its operators. */
    ck_equivalent("=1.2", ">=1.2.0, <1.3.0");
    ck_equivalent("=1", ">=1.0.0, <2.0.0");
    ck_equivalent(">1.2", ">=1.3.0");
    ck_equivalent(">=1.2", ">=1.2.0");
    ck_equivalent(">=1", ">=1.0.0");
    ck_equivalent("<1.2", "<1.2.0");
    ck_equivalent("<1", "<1.0.0");
    ck_equivalent("<=1.2", "<1.3.0");
    ck_equivalent("<=1", "<2.0.0");
    ck_equivalent(">= 1.2, < 1.5", ">=1.2.0, <1.5.0");
    ck_matches(">=1.2, <1.5", "1.4.9", 1);
    ck_matches(">=1.2, <1.5", "1.5.0", 0);
    ck_display(">= 1.2.0", ">=1.2.0");
    ck_display("  >=  1.0 ,  <2  ", ">=1.0, <2");
    ck_display("<= 1.2.3+build", "<=1.2.3");
}
END_TEST

START_TEST(test_zero_zero)
{
    ck_matches("^0.0.3", "0.0.3", 1);
    ck_matches("^0.0.3", "0.0.4", 0);
    ck_matches("^0.0.3", "0.0.2", 0);
    ck_matches("0.0.3", "0.0.3+build", 1);
    ck_matches("0.0.3", "0.1.3", 0);
    ck_matches("~0.0.3", "0.0.9", 1);
    ck_matches("^0.0", "0.0.7", 1);
    ck_matches("^0.0", "0.1.0", 0);
    ck_matches("0.0.*", "0.0.7", 1);
    ck_matches("0.0.*", "0.1.0", 0);
    ck_matches("^0.0.0", "0.0.0", 1);
    ck_matches("^0.0.0", "0.0.1", 0);
    ck_matches("^0.1.0", "0.1.9", 1);
    ck_matches("^0.1.0", "0.2.0", 0);
}
END_TEST

START_TEST(test_prereleases)
{
    /* A release range does not admit pre-releases, even of its upper bound. */
    ck_matches("<2.0.0", "2.0.0-alpha", 0);
    ck_matches("<2.0.0", "1.5.0-alpha", 0);
    ck_matches("*", "1.0.0-alpha", 0);
    ck_matches(">=1.0.0", "1.0.1-alpha", 0);
    /* Only pre-releases of the very major.minor.patch that a comparator names. */
    ck_matches("^1.2.3-alpha.1", "1.2.3-alpha.2", 1);
    ck_matches("^1.2.3-alpha.1", "1.2.3-alpha.10", 1);
    ck_matches("^1.2.3-alpha.1", "1.2.3-alpha.beta", 1);
    ck_matches("^1.2.3-alpha.1", "1.2.3-alpha", 0);
    ck_matches("^1.2.3-alpha.1", "1.2.3-alpha.0", 0);
    ck_matches("^1.2.3-alpha.1", "1.2.4-alpha.1", 0);
    ck_matches("^1.2.3-alpha.1", "1.3.0", 1);
    ck_matches("^1.2.3-alpha.1", "1.2.3", 1);
    ck_matches("~1.2.3-alpha", "1.2.3-beta", 1);
    ck_matches("~1.2.3-beta", "1.2.3-alpha", 0);
    ck_matches(">1.2.3-alpha.9", "1.2.3-alpha.10", 1);
    ck_matches(">1.2.3-alpha.9", "1.2.3-alpha.9a", 1);
    ck_matches(">1.2.3-alpha.9", "1.2.3-alpha.9", 0);
    ck_matches(">=1.2.3-alpha.9", "1.2.3-alpha.9", 1);
    ck_matches("<1.2.3-beta", "1.2.3-alpha", 1);
    ck_matches("<1.2.3-beta", "1.2.2", 1);
    ck_matches("<=1.2.3-beta", "1.2.3-beta", 1);
    ck_matches("<2.0.0-0", "1.9.9", 1);
    ck_matches("<2.0.0-0", "2.0.0-alpha", 0);
    ck_matches(">=2.0.0-0", "2.0.0-alpha", 1);
    ck_matches(">=2.0.0-0", "2.0.0-0", 1);
    ck_matches("=1.2.3-alpha", "1.2.3-alpha+build", 1);
    ck_matches("=1.2.3-alpha", "1.2.3-alpha.1", 0);
    ck_matches("^0.0.1-alpha", "0.0.1", 1);
    ck_matches("^0.0.1-alpha", "0.0.1-beta", 1);
    ck_matches("^0.0.1-alpha", "0.0.2", 0);
    /* Another comparator may supply the pre-release that admits it. */
    ck_matches(">=1.0.0-alpha, <1.0.0-beta", "1.0.0-alpha.5", 1);
    ck_matches("<1.0.0, >=1.0.0-alpha", "1.0.0-alpha.5", 1);
    ck_matches(">=0.9, <=1.0.0-rc.1", "1.0.0-rc.1", 1);
    ck_matches(">=0.9, <=1.0.0-rc.1", "1.0.0-rc.2", 0);
    /* A pre-release on a partial version is not part of it: "1.2-pre" is not a comparator. */
    ck_req_error("1.2-pre", "expected comma after minor version number, found '-'");
    ck_display("^1.2.3-alpha.1+b", "^1.2.3-alpha.1");
}
END_TEST

START_TEST(test_req_errors)
{
    ck_req_error("1.0, *", "wildcard req (*) must be the only comparator in the version req");
    ck_req_error("1.0 ,*", "wildcard req (*) must be the only comparator in the version req");
    ck_req_error("1.0, x", "wildcard req (x) must be the only comparator in the version req");
    ck_req_error("X, 1.0", "wildcard req (X) must be the only comparator in the version req");
    ck_req_error("1.0, X  ", "wildcard req (X) must be the only comparator in the version req");
    ck_req_error("xyz", "unexpected character after wildcard in version req");
    ck_req_error("*1", "unexpected character after wildcard in version req");
    ck_req_error("1.x.0", "unexpected character after wildcard in version req");
    ck_req_error("1.0, x.1", "unexpected character 'x' while parsing major version number");
    ck_req_error("=*", "unexpected character '*' while parsing major version number");
    ck_req_error("1.*-pre", "expected comma after minor version number, found '-'");
    ck_req_error("1.2.*.3", "expected comma after patch version number, found '.'");
    ck_req_error("1.2.3 abc", "expected comma after patch version number, found 'a'");
    ck_req_error(">=1.0 <2.0", "expected comma after minor version number, found '<'");
    ck_req_error(">=1 <2", "expected comma after major version number, found '<'");
    ck_req_error("1.2.3-a <2", "expected comma after pre-release identifier, found '<'");
    ck_req_error("1.2.3+b <2", "expected comma after build metadata, found '<'");
    ck_req_error("1.2.3+b_", "expected comma after build metadata, found '_'");
    ck_req_error("1.0,,", "unexpected character ',' while parsing major version number");
    ck_req_error(", 1.0", "unexpected character ',' while parsing major version number");
    ck_req_error("^", "unexpected end of input while parsing major version number");
    ck_req_error("   ", "unexpected end of input while parsing major version number");
    ck_req_error("1.2.3+", "empty identifier segment in build metadata");
    ck_req_error("1.2.3-01", "invalid leading zero in pre-release identifier");
    ck_req_error("01", "invalid leading zero in major version number");
    ck_req_error("1.01", "invalid leading zero in minor version number");
    ck_req_error("\t1.0", "unexpected character '\\t' while parsing major version number");
    ck_req_error("1.0 || 2.0", "expected comma after minor version number, found '|'");
    ck_req_error("1.0 - 2.0", "expected comma after minor version number, found '-'");
    ck_comparator_error("*", "unexpected character '*' while parsing major version number");
    ck_comparator_error("1.0, 2.0", "unexpected character ',' after minor version number");
    ck_comparator_error("1.2.3-a!", "unexpected character '!' after pre-release identifier");
    ck_comparator_error("", "unexpected end of input while parsing major version number");
}
END_TEST

START_TEST(test_req_comparator_limit)
{
    char text[512] = "";
    for (int i = 1; i <= 32; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s>%d", i > 1 ? ", " : "", i);
    arena a;
    arena_init(&a);
    semver_req r;
    req_ok(&a, text, &r);
    ck_assert_uint_eq(r.n, 32);
    ck_round_trip(&r);
    size_t len = strlen(text);
    strcpy(text + len, ",");
    ck_req_error(text, "excessive number of version comparators");
    strcpy(text + len, ", >33");
    ck_req_error(text, "excessive number of version comparators");
    arena_free(&a);
}
END_TEST

START_TEST(test_req_independent_of_text)
{
    arena a;
    arena_init(&a);
    char text[] = ">=1.2.3-alpha.1, <2";
    semver_req r;
    req_ok(&a, text, &r);
    memset(text, '?', sizeof text - 1);
    char shown[64];
    ck_assert_str_eq(req_display(&r, shown, sizeof shown), ">=1.2.3-alpha.1, <2");
    arena_free(&a);
}
END_TEST

START_TEST(test_format_truncation)
{
    arena a;
    arena_init(&a);
    semver_req r;
    req_ok(&a, ">=1.2.3-alpha, <2", &r);
    char buf[8];
    ck_assert_uint_eq(semver_req_format(&r, buf, sizeof buf), 17);
    ck_assert_str_eq(buf, ">=1.2.3");
    ck_assert_uint_eq(semver_req_format(&r, NULL, 0), 17);
    semver_version v;
    version_ok("1.2.3-alpha.beta+build", &v);
    ck_assert_uint_eq(semver_format(&v, buf, sizeof buf), 22);
    ck_assert_str_eq(buf, "1.2.3-a");
    ck_assert_uint_eq(semver_format(&v, buf, 4), 22);
    ck_assert_str_eq(buf, "1.2");
    arena_free(&a);
}
END_TEST

static void ck_slot(const char *version, const char *slot)
{
    semver_version v;
    version_ok(version, &v);
    char buf[64];
    ck_assert_uint_eq(semver_slot(&v, buf, sizeof buf), strlen(slot));
    ck_assert_msg(strcmp(buf, slot) == 0, "slot of %s is %s, want %s", version, buf, slot);
}

START_TEST(test_slot)
{
    ck_slot("1.2.3", "1");
    ck_slot("1.0.0", "1");
    ck_slot("2.0.0-alpha", "2");
    ck_slot("10.4.1+build", "10");
    ck_slot("0.3.1", "0.3");
    ck_slot("0.3.0-rc.1", "0.3");
    ck_slot("0.10.0", "0.10");
    ck_slot("0.0.4", "0.0.4");
    ck_slot("0.0.0", "0.0.0");
    ck_slot("0.0.4-pre", "0.0.4");
    ck_slot("18446744073709551615.0.0", "18446744073709551615");
    /* Versions in one slot are exactly those a caret requirement on the slot's first one admits. */
    static const char *const versions[] = { "0.0.0", "0.0.1", "0.0.2", "0.1.0", "0.1.5", "0.2.0",
                                            "1.0.0", "1.3.2", "2.0.0", "2.7.0" };
    const size_t n = sizeof versions / sizeof versions[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            semver_version x, y;
            version_ok(versions[i], &x);
            version_ok(versions[j], &y);
            char sx[32], sy[32];
            semver_slot(&x, sx, sizeof sx);
            semver_slot(&y, sy, sizeof sy);
            char req[40];
            snprintf(req, sizeof req, "^%s", versions[i]);
            int same_slot = strcmp(sx, sy) == 0;
            if (semver_compare(&x, &y) <= 0)
                ck_assert_msg(matches(req, versions[j]) == same_slot, "%s vs %s", versions[i], versions[j]);
        }
    }
    semver_version v;
    version_ok("0.12.0", &v);
    char small[3];
    ck_assert_uint_eq(semver_slot(&v, small, sizeof small), 4);
    ck_assert_str_eq(small, "0.");
}
END_TEST

/* semver_req_range: for every requirement and version below, semver_range_matches agrees with
 * semver_req_matches (each op, partial versions, 0.x and 0.0.x, pre-releases, several
 * comparators, empty ranges, the largest numbers, parts at the packing's limit); semver_key
 * orders the release versions as semver_precedence. */
START_TEST(test_range_matches)
{
    static const char *const reqs[] = {
        "*", "1", "1.2", "1.2.3", "0", "0.0", "0.0.3", "0.2", "0.2.3", "^1.2.3-alpha.1", "^0.0.3-beta",
        "=1", "=1.2", "=1.2.3", "=1.2.3-alpha", "1.*", "1.2.*", "0.*", "=0.*",
        ">1", ">1.2", ">1.2.3", ">1.2.3-alpha", ">=1", ">=1.2", ">=1.2.3", ">=1.2.3-rc.1",
        "<1", "<1.2", "<1.2.3", "<1.2.3-alpha", "<=1", "<=1.2", "<=1.2.3", "<=1.2.3-alpha",
        "~1", "~1.2", "~1.2.3", "~0", "~0.0", "~0.0.3", "~1.2.3-beta",
        ">=1.2, <1.5", ">=0.1.0, <0.3", ">1.0.0, <1.0.1", "^1.2, ^1.3", ">=2, <1", "=1.2.3, >=1.2.4",
        ">=1.2.3-alpha, <1.2.3", "<0.0.0", ">18446744073709551615", ">18446744073709551615.18446744073709551615",
        ">18446744073709551615.18446744073709551615.18446744073709551615",
        "<=18446744073709551615.18446744073709551615.18446744073709551615", "^18446744073709551615",
        "~18446744073709551615.18446744073709551615", "=18446744073709551615.18446744073709551615.18446744073709551615",
        "^0.18446744073709551615", "^0.0.18446744073709551615", "1.18446744073709551615.*",
        "^2097151", "^2097151.2097151.2097151", "^0.2097151", "~1.2097151", ">=2097151.0.0", "<=2097151.2097151",
        "=2097152", "^0.0.2097151", "<2097152", ">2097151.2097151.2097151",
    };
    static const char *const versions[] = {
        "0.0.0", "0.0.1", "0.0.3", "0.0.4", "0.0.3-beta", "0.0.3-beta.2", "0.1.0", "0.2.0", "0.2.3", "0.2.9",
        "0.3.0", "0.18446744073709551615.0", "0.0.18446744073709551615", "0.1.18446744073709551615",
        "1.0.0", "1.0.1", "1.1.9", "1.2.0", "1.2.2", "1.2.3", "1.2.3-alpha", "1.2.3-alpha.1", "1.2.3-alpha.2",
        "1.2.3-beta", "1.2.3-rc.1", "1.2.3+build", "1.2.4", "1.2.4-alpha", "1.3.0", "1.4.9", "1.5.0",
        "1.18446744073709551615.0", "1.18446744073709551615.18446744073709551615", "2.0.0", "2.0.0-alpha",
        "18446744073709551615.0.0", "18446744073709551615.18446744073709551615.18446744073709551615",
        "18446744073709551615.18446744073709551615.18446744073709551615-pre",
        "2097151.0.0", "2097151.2097151.2097151", "2097152.0.0", "1.2097151.0", "1.2097152.0", "0.2097151.5",
        "0.2097152.0", "0.0.2097151", "0.0.2097152", "2097151.2097151.2097150",
    };
    arena a;
    arena_init(&a);
    size_t matched = 0;
    for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
        semver_req r;
        req_ok(&a, reqs[i], &r);
        semver_range g;
        semver_req_range(&r, &g);
        for (size_t j = 0; j < sizeof versions / sizeof *versions; j++) {
            semver_version v;
            version_ok(versions[j], &v);
            int want = semver_req_matches(&r, &v);
            ck_assert_msg(semver_range_matches(&g, &v) == want, "\"%s\" on \"%s\": range says %d", reqs[i],
                          versions[j], !want);
            matched += (size_t)want;
        }
    }
    size_t keyed = 0;   /* semver_key orders release versions as semver_precedence does */
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++)
        for (size_t j = 0; j < sizeof versions / sizeof *versions; j++) {
            semver_version v, w;
            version_ok(versions[i], &v);
            version_ok(versions[j], &w);
            uint64_t kv = semver_key(&v), kw = semver_key(&w);
            if (v.pre_len)
                ck_assert_msg(kv == SEMVER_NO_KEY, "\"%s\" has a key", versions[i]);
            if (kv == SEMVER_NO_KEY || kw == SEMVER_NO_KEY)
                continue;
            ck_assert_int_eq((kv > kw) - (kv < kw), semver_precedence(&v, &w));
            keyed++;
        }
    ck_assert_uint_gt(keyed, 500);
    ck_assert_uint_gt(matched, 100);   /* both answers occur */
    ck_assert_uint_lt(matched, (sizeof reqs / sizeof *reqs) * (sizeof versions / sizeof *versions) / 2);
    arena_free(&a);
}
END_TEST

/* A comparator built by hand (as an image decodes one) with a pre-release and no patch: the
 * parser never makes one, the range still agrees. */
START_TEST(test_range_unparsed_comparator)
{
    static const char *const versions[] = { "1.1.9", "1.2.0", "1.2.7", "1.3.0", "2.0.0", "0.9.0" };
    for (int op = SEMVER_EXACT; op <= SEMVER_WILDCARD; op++) {
        semver_comparator c = { (semver_op)op, 1, 2, 0, 1, 0, "alpha", 5 };
        semver_req r = { &c, 1 };
        semver_range g;
        semver_req_range(&r, &g);
        for (size_t j = 0; j < sizeof versions / sizeof *versions; j++) {
            semver_version v;
            version_ok(versions[j], &v);
            ck_assert_msg(semver_range_matches(&g, &v) == semver_req_matches(&r, &v), "op %d on %s", op, versions[j]);
        }
    }
}
END_TEST

Suite *cargo_semver_suite(void)
{
    Suite *s = suite_create("cargo_semver");
    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, test_table_req_matches);
    tcase_add_test(tables, test_table_req_parse);
    tcase_add_test(tables, test_table_version_compare);
    tcase_add_test(tables, test_table_version_spec_order);
    tcase_add_test(tables, test_table_version_parse_errors);
    tcase_add_test(tables, test_table_version_parse_ok);
    suite_add_tcase(s, tables);
    TCase *versions = tcase_create("versions");
    tcase_add_test(versions, test_version_fields);
    tcase_add_test(versions, test_version_order);
    tcase_add_test(versions, test_version_errors);
    tcase_add_test(versions, test_version_overflow);
    tcase_add_test(versions, test_slot);
    suite_add_tcase(s, versions);
    TCase *reqs = tcase_create("requirements");
    tcase_add_test(reqs, test_cargo_book_caret);
    tcase_add_test(reqs, test_cargo_book_tilde);
    tcase_add_test(reqs, test_cargo_book_wildcard);
    tcase_add_test(reqs, test_cargo_book_comparisons);
    tcase_add_test(reqs, test_zero_zero);
    tcase_add_test(reqs, test_prereleases);
    tcase_add_test(reqs, test_req_errors);
    tcase_add_test(reqs, test_req_comparator_limit);
    tcase_add_test(reqs, test_req_independent_of_text);
    tcase_add_test(reqs, test_format_truncation);
    tcase_add_test(reqs, test_range_matches);
    tcase_add_test(reqs, test_range_unparsed_comparator);
    suite_add_tcase(s, reqs);
    return s;
}
