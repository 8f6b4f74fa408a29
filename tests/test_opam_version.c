/* test_opam_version.c: tests of opam's version order against the shared tables and hand-made cases. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "opam_version.h"
#include "testutil.h"

/* Asserts compare(a, b) == expected and, by symmetry, compare(b, a) == -expected. */
#define ck_assert_order(a, b, expected)                                                            \
    do {                                                                                           \
        int got_ = opam_version_compare((a), (b));                                                 \
        ck_assert_msg(got_ == (expected), "compare(\"%s\", \"%s\") = %d, want %d", (a), (b), got_, \
                      (expected));                                                                 \
        int back_ = opam_version_compare((b), (a));                                                \
        ck_assert_msg(back_ == -(expected), "compare(\"%s\", \"%s\") = %d, want %d", (b), (a),     \
                      back_, -(expected));                                                         \
    } while (0)

/* Loads a table from the shared corpus; NULL (test skipped) when the corpus is absent. */
START_TEST(test_table_version_order)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/opam/version_order.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *row = rows->items[i];
        ck_assert_int_eq(row->kind, JSON_ARRAY);
        ck_assert_uint_eq(row->n, 3);
        ck_assert_int_eq(row->items[2]->kind, JSON_NUMBER);
        int sign = (int)row->items[2]->num;
        ck_assert_order(test_string_at(row, 0), test_string_at(row, 1), sign);
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_version_relations)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/opam/version_relations.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *row = rows->items[i];
        ck_assert_int_eq(row->kind, JSON_ARRAY);
        ck_assert_uint_eq(row->n, 4);
        const char *left = test_string_at(row, 0), *op = test_string_at(row, 1), *right = test_string_at(row, 2);
        ck_assert_int_eq(row->items[3]->kind, JSON_BOOL);
        int c = opam_version_compare(left, right);
        int holds;
        if (strcmp(op, "lt") == 0)
            holds = c < 0;
        else if (strcmp(op, "le") == 0)
            holds = c <= 0;
        else if (strcmp(op, "eq") == 0)
            holds = c == 0;
        else if (strcmp(op, "ne") == 0)
            holds = c != 0;
        else if (strcmp(op, "ge") == 0)
            holds = c >= 0;
        else if (strcmp(op, "gt") == 0)
            holds = c > 0;
        else
            ck_abort_msg("row %zu: unknown relation \"%s\"", i, op);
        ck_assert_msg(holds == row->items[3]->b, "row %zu: \"%s\" %s \"%s\" gave %d, want %d", i, left, op,
                      right, holds, row->items[3]->b);
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_manual_ordered_sequence)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *seq = test_load_table(&a, "semver-tables/opam/manual_ordered_sequence.json", &text);
    /* strictly increasing: every earlier entry is smaller than every later one */
    for (size_t i = 0; seq && i < seq->n; i++) {
        ck_assert_order(test_string_at(seq, i), test_string_at(seq, i), 0);
        for (size_t j = i + 1; j < seq->n; j++)
            ck_assert_order(test_string_at(seq, i), test_string_at(seq, j), -1);
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_table_manual_pairs)
{
    arena a;
    arena_init(&a);
    char *text = NULL;
    const json_value *rows = test_load_table(&a, "semver-tables/opam/manual_pairs.json", &text);
    for (size_t i = 0; rows && i < rows->n; i++) {
        const json_value *row = rows->items[i];
        ck_assert_uint_eq(row->n, 3);
        ck_assert_int_eq(row->items[2]->kind, JSON_NUMBER);
        ck_assert_order(test_string_at(row, 0), test_string_at(row, 1), (int)row->items[2]->num);
    }
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(test_tilde)
{
    ck_assert_order("~", "", -1);
    ck_assert_order("1.0~beta", "1.0", -1);
    ck_assert_order("1~", "1", -1);
    ck_assert_order("1~~", "1~", -1);
    ck_assert_order("1~~", "1~~a", -1);
    ck_assert_order("1~~a", "1~", -1);
    ck_assert_order("1~a", "1~b", -1);
    ck_assert_order("1~", "1a", -1);
    ck_assert_order("1.~", "1.0", -1);     /* '~' is below a digit */
    ck_assert_order("1.~", "1.", -1);
    ck_assert_order("1.0~rc1", "1.0~rc2", -1);
    ck_assert_order("1.0~rc10", "1.0~rc2", 1);
    ck_assert_order("4.08~~", "4.08", -1);
    ck_assert_order("4.08~~", "4.08~alpha1", -1);
    ck_assert_order("0~", "", -1);         /* zeros are skipped before looking for '~' */
}
END_TEST

START_TEST(test_digits_and_letters)
{
    ck_assert_order("1", "a", -1);
    ck_assert_order("a", "b", -1);
    ck_assert_order("B", "a", -1);         /* letters compare by ASCII */
    ck_assert_order("z", "+", -1);         /* letters before other characters */
    ck_assert_order("a", ".", -1);
    ck_assert_order("+", ".", -1);         /* other characters by byte value */
    ck_assert_order("1a", "1.", -1);
    ck_assert_order("1.1", "1.a", -1);     /* a digit is below a letter */
    ck_assert_order("1.a", "1.+", -1);
    ck_assert_order("1", "1a", -1);
    ck_assert_order("1", "1.0", -1);
    ck_assert_order("1.0", "1.0.0", -1);
    ck_assert_order("1.0", "1.0a", -1);
    ck_assert_order("dev", "trunk", -1);
    ck_assert_order("v0.16", "v0.9", 1);
    ck_assert_order("1.2.3", "1.2.3+dev", -1);
    ck_assert_order("\xC3\xA9", "+", 1);   /* bytes >= 0x80 are "other" characters, by byte value */
}
END_TEST

START_TEST(test_numbers)
{
    ck_assert_order("9", "10", -1);
    ck_assert_order("0.9", "0.10", -1);
    ck_assert_order("01", "1", 0);
    ck_assert_order("0.01.0", "0.1.0", 0);
    ck_assert_order("1.010", "1.10", 0);
    ck_assert_order("1.00", "1.0", 0);
    ck_assert_order("1.0", "1.", 0);       /* trailing zeros against an exhausted side */
    ck_assert_order("0", "", 0);
    ck_assert_order("000", "0", 0);
    ck_assert_order("1.2.10", "1.2.9", 1);
    ck_assert_order("2", "10a", -1);
}
END_TEST

START_TEST(test_long_digit_runs)
{
    char a[400], b[400], c[400];
    /* 1 followed by 300 zeros vs 300 nines: the longer number is larger */
    a[0] = '1';
    memset(a + 1, '0', 300);
    a[301] = '\0';
    memset(b, '9', 300);
    b[300] = '\0';
    ck_assert_order(a, b, 1);
    /* equal length, different in the last digit */
    memcpy(c, a, sizeof a);
    c[300] = '1';
    ck_assert_order(a, c, -1);
    /* leading zeros on a long run do not count */
    memset(c, '0', 350);
    memcpy(c + 350, "1", 2);
    ck_assert_order(c, "1", 0);
    ck_assert_order(c, "2", -1);
    /* a long run followed by more parts */
    char d[400];
    memcpy(c, b, 300);
    memcpy(c + 300, ".1", 3);
    memcpy(d, b, 300);
    memcpy(d + 300, ".2", 3);
    ck_assert_order(c, d, -1);
}
END_TEST

START_TEST(test_revision_split)
{
    ck_assert_order("", "", 0);
    ck_assert_order("-", "", 0);
    ck_assert_order("1-", "1", 0);
    ck_assert_order("1-0", "1", 0);
    ck_assert_order("1-1", "1", 1);
    ck_assert_order("1-~", "1", -1);
    ck_assert_order("1.2.3", "1.2.3-option", -1);
    ck_assert_order("1.0-2", "1.0.1", -1);     /* the part before the '-' decides first */
    ck_assert_order("1.0-10", "1.0-9", 1);
    ck_assert_order("1-2-3", "1-2-4", -1);     /* split at the last '-' */
    ck_assert_order("1-2-3", "1.2-3", -1);     /* '-' inside the first part is a plain character */
    ck_assert_order("1-a-1", "1-b", 1);
    ck_assert_order("a-", "a~", 1);
    ck_assert_order("1.0-rc1", "1.0~rc1", 1);
}
END_TEST

static int compare_for_qsort(const void *x, const void *y)
{
    return opam_version_compare(*(const char *const *)x, *(const char *const *)y);
}

START_TEST(test_total_order_properties)
{
    const char *versions[] = {
        "1.0", "~", "1.0~beta", "1.0-1", "0.1", "1.0.1", "01.0", "dev", "1.0a", "1.0+dev", "",
        "1.0~~", "1.0~beta2", "1.0~beta10", "2", "10", "1.0.10", "1.0.9", "v1", "1.0-~", "1.0-a",
        "1.", "1", "0", "1~", "a", "A", "+", "1-2-3", "1.0~beta-1", "trunk", "1.0.0", "1-0",
    };
    size_t n = sizeof versions / sizeof versions[0];
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(opam_version_compare(versions[i], versions[i]), 0);
        for (size_t j = 0; j < n; j++) {
            int ij = opam_version_compare(versions[i], versions[j]);
            ck_assert_msg(ij == -1 || ij == 0 || ij == 1, "compare returned %d", ij);
            ck_assert_msg(ij == -opam_version_compare(versions[j], versions[i]), "not antisymmetric: %s %s",
                          versions[i], versions[j]);
            for (size_t k = 0; k < n; k++) {
                int jk = opam_version_compare(versions[j], versions[k]);
                int ik = opam_version_compare(versions[i], versions[k]);
                if (ij <= 0 && jk <= 0)
                    ck_assert_msg(ik <= 0, "not transitive: %s <= %s <= %s but %d", versions[i], versions[j],
                                  versions[k], ik);
            }
        }
    }
    /* the order opam gives (worked out by hand from OpamVersionCompare) */
    const char *sorted[] = {
        "~", "", "0", "0.1", "1~", "1", "1-0", "1-2-3", "1.0~~", "1.0~beta", "1.0~beta-1", "1.0~beta2",
        "1.0~beta10", "1.0-~", "1.0", "01.0", "1.", "1.0-1", "1.0-a", "1.0a", "1.0+dev", "1.0.0", "1.0.1",
        "1.0.9", "1.0.10", "2", "10", "A", "a", "dev", "trunk", "v1", "+",
    };
    ck_assert_uint_eq(sizeof sorted / sizeof sorted[0], n);
    const char *copy[sizeof versions / sizeof versions[0]];
    memcpy(copy, versions, sizeof versions);
    qsort(copy, n, sizeof copy[0], compare_for_qsort);
    /* equal versions ("" = "0", "1" = "1-0", "1.0" = "01.0" = "1.") may come in any order */
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(opam_version_compare(copy[i], sorted[i]) == 0, "position %zu: got %s, want %s", i, copy[i],
                      sorted[i]);
}
END_TEST

Suite *opam_version_suite(void);   /* called by check_main.c */

Suite *opam_version_suite(void)
{
    Suite *s = suite_create("opam_version");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_table_version_order);
    tcase_add_test(tc, test_table_version_relations);
    tcase_add_test(tc, test_table_manual_ordered_sequence);
    tcase_add_test(tc, test_table_manual_pairs);
    suite_add_tcase(s, tc);

    tc = tcase_create("cases");
    tcase_add_test(tc, test_tilde);
    tcase_add_test(tc, test_digits_and_letters);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_long_digit_runs);
    tcase_add_test(tc, test_revision_split);
    tcase_add_test(tc, test_total_order_properties);
    suite_add_tcase(s, tc);
    return s;
}
