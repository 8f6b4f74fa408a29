/* test_json.c: the JSON reader: every construct, exact error positions, limits, hostile input, corpora. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "repo_source.h"
#include "testutil.h"

/* Parses a private, exactly-sized copy of text[0..len) so AddressSanitizer catches any read
 * past the end (the parser must not rely on a NUL terminator). */
static json_value *parse_n(arena *a, const char *text, size_t len, vs_error *err)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len);
    vs_error_clear(err);
    json_value *v = json_parse(a, "t.json", copy, len, err);
    free(copy);  /* the tree must not point into the input */
    return v;
}

static json_value *parse(arena *a, const char *text, vs_error *err)
{
    return parse_n(a, text, strlen(text), err);
}

/* Asserts that text fails with exactly `message` (including the "t.json:L:C: " prefix). */
static void assert_error_n(const char *text, size_t len, const char *message)
{
    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = parse_n(&a, text, len, &err);
    ck_assert_msg(v == NULL, "parsing <%s> should fail with <%s>", text, message);
    ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
    ck_assert_str_eq(err.message, message);
    arena_free(&a);
}

static void assert_error(const char *text, const char *message)
{
    assert_error_n(text, strlen(text), message);
}

START_TEST(test_literals)
{
    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = parse(&a, "null", &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->kind, JSON_NULL);
    v = parse(&a, " \t\r\n true \n", &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->kind, JSON_BOOL);
    ck_assert_int_eq(v->b, 1);
    ck_assert_uint_eq(v->line, 2);
    ck_assert_uint_eq(v->col, 2);
    v = parse(&a, "false", &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->kind, JSON_BOOL);
    ck_assert_int_eq(v->b, 0);
    arena_free(&a);

    assert_error("tru", "t.json:1:4: expected 'true', found end of input");
    assert_error("nul1", "t.json:1:4: expected 'null', found '1'");
    assert_error("falsey", "t.json:1:6: expected end of input after the JSON value, found 'y'");
    assert_error("True", "t.json:1:1: expected a JSON value, found 'T'");
    assert_error("", "t.json:1:1: expected a JSON value, found end of input");
    assert_error(" \n  ", "t.json:2:3: expected a JSON value, found end of input");
    assert_error("null null", "t.json:1:6: expected end of input after the JSON value, found 'n'");
    assert_error("'a'", "t.json:1:1: expected a JSON value, found '''");
    assert_error("\x0b" "1", "t.json:1:1: expected a JSON value, found control character 0x0B");
}
END_TEST

/* JavaScript truthiness, as npm reads "optional", "deprecated" and the like */
START_TEST(test_truthy)
{
    arena a;
    arena_init(&a);
    vs_error err;
    const char *falsy[] = { "null", "false", "0", "0.0", "\"\"" };
    const char *truthy[] = { "true", "1", "-2.5", "\"0\"", "\"false\"", "[]", "{}", "[0]" };
    for (size_t i = 0; i < sizeof falsy / sizeof *falsy; i++)
        ck_assert_msg(!json_truthy(parse(&a, falsy[i], &err)), "%s should be falsy", falsy[i]);
    for (size_t i = 0; i < sizeof truthy / sizeof *truthy; i++)
        ck_assert_msg(json_truthy(parse(&a, truthy[i], &err)), "%s should be truthy", truthy[i]);
    ck_assert(!json_truthy(NULL));
    ck_assert(!json_truthy(json_get(parse(&a, "{\"a\": 1}", &err), "b")));
    arena_free(&a);
}
END_TEST

static const json_value *parse_string_ok(arena *a, const char *text)
{
    vs_error err;
    json_value *v = parse(a, text, &err);
    ck_assert_msg(v != NULL, "%s: %s", text, err.message);
    ck_assert_int_eq(v->kind, JSON_STRING);
    return v;
}

START_TEST(test_strings)
{
    arena a;
    arena_init(&a);
    const json_value *v = parse_string_ok(&a, "\"\"");
    ck_assert_str_eq(v->str, "");
    ck_assert_uint_eq(v->len, 0);
    v = parse_string_ok(&a, "\"plain text\"");
    ck_assert_str_eq(v->str, "plain text");
    ck_assert_uint_eq(v->len, 10);
    v = parse_string_ok(&a, "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t.\"");
    ck_assert_str_eq(v->str, "q\" b\\ s/ \b\f\n\r\t.");
    v = parse_string_ok(&a, "\"\\u0041\\u00e9\\u20AC\\uD83D\\uDE00\"");
    ck_assert_str_eq(v->str, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    ck_assert_uint_eq(v->len, 10);
    v = parse_string_ok(&a, "\"\\uDBFF\\uDFFF\"");  /* U+10FFFF, the largest */
    ck_assert_str_eq(v->str, "\xF4\x8F\xBF\xBF");
    v = parse_string_ok(&a, "\"a\\u0000b\"");
    ck_assert_uint_eq(v->len, 3);
    ck_assert_int_eq(memcmp(v->str, "a\0b", 4), 0);
    /* Raw UTF-8 of every length passes through unchanged. */
    v = parse_string_ok(&a, "\"\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF\"");
    ck_assert_str_eq(v->str, "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF");
    /* Escapes at the very start and end, and text around them. */
    v = parse_string_ok(&a, "\"\\nmiddle\\n\"");
    ck_assert_str_eq(v->str, "\nmiddle\n");
    v = parse_string_ok(&a, "\"\x7f\"");  /* DEL is not a control character in JSON */
    ck_assert_str_eq(v->str, "\x7f");
    arena_free(&a);
}
END_TEST

START_TEST(test_string_errors)
{
    assert_error("\"abc", "t.json:1:5: expected '\"' to close the string, found end of input");
    assert_error("\"abc\\", "t.json:1:6: expected an escape character after '\\', found end of input");
    assert_error("\"a\\qb\"", "t.json:1:4: expected an escape character (one of \" \\ / b f n r t u), found 'q'");
    assert_error("\"\\u12G4\"", "t.json:1:6: expected 4 hex digits after '\\u', found 'G'");
    assert_error("\"\\u12", "t.json:1:6: expected 4 hex digits after '\\u', found end of input");
    assert_error("\"\\uD83D\"", "t.json:1:8: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found '\"'");
    assert_error("\"\\uD83D", "t.json:1:8: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found end of input");
    assert_error("\"\\uD83D\\u0041\"", "t.json:1:8: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found \\u0041");
    assert_error("\"\\uD83D\\uD83D\"", "t.json:1:8: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found \\uD83D");
    assert_error("\"\\uD83D\\n\"", "t.json:1:9: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found 'n'");
    assert_error("\"\\uD83D\\", "t.json:1:9: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found end of input");
    assert_error("\"\\uD83D\\uDEx0\"", "t.json:1:12: expected 4 hex digits after '\\u', found 'x'");
    assert_error("\"x\\uDE00\"", "t.json:1:3: expected a Unicode scalar value, found unpaired low surrogate \\uDE00");
    assert_error("\"a\tb\"", "t.json:1:3: expected a printable character or an escape sequence, found control character 0x09");
    assert_error("[\n\"a\nb\"]", "t.json:2:3: expected a printable character or an escape sequence, found control character 0x0A");
    assert_error_n("\"a\0b\"", 5, "t.json:1:3: expected a printable character or an escape sequence, found control character 0x00");
    /* Invalid UTF-8: a bad continuation, overlong forms, encoded surrogates, beyond U+10FFFF,
     * a lone continuation byte, bytes that never occur, and a sequence cut by the end. */
    assert_error("\"\xC3\x28\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 bytes 0xC3 0x28");
    assert_error("\"\xC0\xAF\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 byte 0xC0");
    assert_error("\"\xE0\x80\xAF\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 bytes 0xE0 0x80 0xAF");
    assert_error("\"\xF0\x80\x80\xAF\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 bytes 0xF0 0x80 0x80 0xAF");
    assert_error("\"ab\xED\xA0\x80\"", "t.json:1:4: expected UTF-8 text, found invalid UTF-8 bytes 0xED 0xA0 0x80");
    assert_error("\"\xF4\x90\x80\x80\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 bytes 0xF4 0x90 0x80 0x80");
    assert_error("\"\x80\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 byte 0x80");
    assert_error("\"\xFF\"", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 byte 0xFF");
    assert_error("\"\xE2\x82", "t.json:1:2: expected UTF-8 text, found invalid UTF-8 bytes 0xE2 0x82");
    /* Outside strings a valid character is shown as itself. */
    assert_error("\xC3\xA9", "t.json:1:1: expected a JSON value, found '\xC3\xA9'");
}
END_TEST

static void assert_number(const char *text, double expected)
{
    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = parse(&a, text, &err);
    ck_assert_msg(v != NULL, "%s: %s", text, err.message);
    ck_assert_int_eq(v->kind, JSON_NUMBER);
    ck_assert_str_eq(v->numtext, text);
    ck_assert_msg(v->num == expected, "%s parsed as %.17g, expected %.17g", text, v->num, expected);
    arena_free(&a);
}

START_TEST(test_numbers)
{
    assert_number("0", 0);
    assert_number("-0", 0);
    assert_number("7", 7);
    assert_number("-12", -12);
    assert_number("123456789012345", 123456789012345.0);
    assert_number("9007199254740993", 9007199254740992.0);  /* rounds to nearest even, like strtod */
    assert_number("-9223372036854775809", -9223372036854775808.0);
    assert_number("1.5", 1.5);
    assert_number("-0.25", -0.25);
    assert_number("0.1", 0.1);
    assert_number("1e2", 100);
    assert_number("1E2", 100);
    assert_number("1e+2", 100);
    assert_number("25e-2", 0.25);
    assert_number("-1.25e3", -1250);
    assert_number("0e0", 0);
    assert_number("1e400", HUGE_VAL);
    assert_number("-1e400", -HUGE_VAL);
    assert_number("1e-400", 0);

    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = parse(&a, "-0", &err);
    ck_assert(signbit(v->num));
    v = parse(&a, "[1,-2.5e1]", &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->items[0]->numtext, "1");
    ck_assert_str_eq(v->items[1]->numtext, "-2.5e1");
    ck_assert(v->items[1]->num == -25);
    arena_free(&a);

    assert_error("-", "t.json:1:2: expected a digit after '-', found end of input");
    assert_error("-a", "t.json:1:2: expected a digit after '-', found 'a'");
    assert_error("--1", "t.json:1:2: expected a digit after '-', found '-'");
    assert_error("01", "t.json:1:2: expected '.', 'e' or the end of the number after a leading 0, found '1'");
    assert_error("-007", "t.json:1:3: expected '.', 'e' or the end of the number after a leading 0, found '0'");
    assert_error("1.", "t.json:1:3: expected a digit after '.', found end of input");
    assert_error("1.e5", "t.json:1:3: expected a digit after '.', found 'e'");
    assert_error("1e", "t.json:1:3: expected a digit in the exponent, found end of input");
    assert_error("1e+", "t.json:1:4: expected a digit in the exponent, found end of input");
    assert_error("1e+-1", "t.json:1:4: expected a digit in the exponent, found '-'");
    assert_error(".5", "t.json:1:1: expected a JSON value, found '.'");
    assert_error("+1", "t.json:1:1: expected a JSON value, found '+'");
    assert_error("0x10", "t.json:1:2: expected end of input after the JSON value, found 'x'");
    assert_error("[1.5.2]", "t.json:1:5: expected ',' or ']', found '.'");
    assert_error("NaN", "t.json:1:1: expected a JSON value, found 'N'");
    assert_error("-Infinity", "t.json:1:2: expected a digit after '-', found 'I'");
}
END_TEST

START_TEST(test_arrays_and_objects)
{
    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = parse(&a, "[]", &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->kind, JSON_ARRAY);
    ck_assert_uint_eq(v->n, 0);
    v = parse(&a, "{ }", &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->kind, JSON_OBJECT);
    ck_assert_uint_eq(v->n, 0);
    ck_assert_ptr_null(json_get(v, "a"));

    const char *doc = "{\"name\": \"x\",\n"
                      " \"list\": [1, [2, []], {\"k\": null}, \"s\", true],\n"
                      " \"dup\": 1, \"dup\": 2,\n"
                      " \"\": {}, \"a\\u0000b\": 3}";
    v = parse(&a, doc, &err);
    ck_assert_msg(v != NULL, "%s", err.message);
    ck_assert_uint_eq(v->n, 6);
    ck_assert_str_eq(v->keys[0], "name");
    ck_assert_str_eq(v->keys[1], "list");
    ck_assert_str_eq(v->keys[4], "");
    ck_assert_uint_eq(v->key_lens[5], 3);
    ck_assert_int_eq(memcmp(v->keys[5], "a\0b", 4), 0);
    ck_assert_str_eq(json_get(v, "name")->str, "x");
    ck_assert(json_get(v, "dup")->num == 1);  /* first match */
    ck_assert_ptr_eq(json_get(v, ""), v->items[4]);
    ck_assert_ptr_null(json_get(v, "a"));  /* "a\0b" is not "a" */
    ck_assert_ptr_null(json_get(v, "missing"));
    ck_assert_ptr_null(json_get(v->items[1], "name"));  /* not an object */
    ck_assert_ptr_null(json_get(NULL, "name"));

    const json_value *list = json_get(v, "list");
    ck_assert_int_eq(list->kind, JSON_ARRAY);
    ck_assert_uint_eq(list->n, 5);
    ck_assert_uint_eq(list->line, 2);
    ck_assert_uint_eq(list->col, 10);
    ck_assert_uint_eq(list->items[1]->n, 2);
    ck_assert_int_eq(list->items[1]->items[1]->kind, JSON_ARRAY);
    ck_assert_uint_eq(list->items[1]->items[1]->n, 0);
    ck_assert_int_eq(json_get(list->items[2], "k")->kind, JSON_NULL);
    ck_assert_uint_eq(json_get(list->items[2], "k")->col, 29);
    ck_assert_str_eq(list->items[3]->str, "s");
    ck_assert_uint_eq(list->items[3]->col, 36);
    ck_assert_int_eq(list->items[4]->b, 1);
    ck_assert_uint_eq(json_get(v, "dup")->line, 3);
    ck_assert_uint_eq(json_get(v, "dup")->col, 9);

    /* A large array and object: the scratch stack grows, the results stay in order. */
    char *big = malloc(400000);
    size_t n = 0;
    big[n++] = '[';
    for (int i = 0; i < 20000; i++)
        n += (size_t)sprintf(big + n, "%s{\"k%d\":%d}", i ? "," : "", i, i);
    big[n++] = ']';
    v = parse_n(&a, big, n, &err);
    ck_assert_msg(v != NULL, "%s", err.message);
    ck_assert_uint_eq(v->n, 20000);
    ck_assert(json_get(v->items[12345], "k12345")->num == 12345);
    free(big);
    arena_free(&a);

    ck_assert_str_eq(json_kind_name(JSON_OBJECT), "object");
    ck_assert_str_eq(json_kind_name(JSON_NUMBER), "number");
}
END_TEST

START_TEST(test_structure_errors)
{
    assert_error("[", "t.json:1:2: expected a JSON value, found end of input");
    assert_error("[1", "t.json:1:3: expected ',' or ']', found end of input");
    assert_error("[1,", "t.json:1:4: expected a JSON value, found end of input");
    assert_error("[1,]", "t.json:1:4: expected a JSON value, found ']'");
    assert_error("[1 2]", "t.json:1:4: expected ',' or ']', found '2'");
    assert_error("[1}", "t.json:1:3: expected ',' or ']', found '}'");
    assert_error("[,1]", "t.json:1:2: expected a JSON value, found ','");
    assert_error("{", "t.json:1:2: expected a string key, found end of input");
    assert_error("{1:2}", "t.json:1:2: expected a string key, found '1'");
    assert_error("{'a':2}", "t.json:1:2: expected a string key, found '''");
    assert_error("{\"a\" 1}", "t.json:1:6: expected ':', found '1'");
    assert_error("{\"a\"", "t.json:1:5: expected ':', found end of input");
    assert_error("{\"a\":}", "t.json:1:6: expected a JSON value, found '}'");
    assert_error("{\"a\":1,}", "t.json:1:8: expected a string key, found '}'");
    assert_error("{\"a\":1 \"b\":2}", "t.json:1:8: expected ',' or '}', found '\"'");
    assert_error("{\"a\":1]", "t.json:1:7: expected ',' or '}', found ']'");
    assert_error("[1]]", "t.json:1:4: expected end of input after the JSON value, found ']'");
    assert_error("{\n  \"a\": [1,\n    tru\n}", "t.json:3:8: expected 'true', found control character 0x0A");
    assert_error("{\"a\":\r\n\r\n  [1, 2]}\n\n  x", "t.json:5:3: expected end of input after the JSON value, found 'x'");
    assert_error("[\"\xC3\xA9\", @]", "t.json:1:8: expected a JSON value, found '@'");  /* columns count bytes */
}
END_TEST

START_TEST(test_depth_limit)
{
    char doc[2 * 513 + 1];
    arena a;
    arena_init(&a);
    vs_error err;
    for (int i = 0; i < 512; i++) {
        doc[i] = '[';
        doc[512 + i] = ']';
    }
    json_value *v = parse_n(&a, doc, 1024, &err);
    ck_assert_msg(v != NULL, "%s", err.message);
    for (int depth = 1; depth < 512; depth++) {
        ck_assert_uint_eq(v->n, 1);
        v = v->items[0];
    }
    ck_assert_uint_eq(v->n, 0);
    arena_free(&a);

    /* Objects count too: {"a":{"a":... with 513 levels. */
    char *objects = malloc(513 * 5 + 513 + 1);
    size_t n = 0;
    for (int i = 0; i < 513; i++) {
        memcpy(objects + n, i < 512 ? "{\"a\":" : "{", i < 512 ? 5 : 1);
        n += i < 512 ? 5 : 1;
    }
    for (int i = 0; i < 513; i++)
        objects[n++] = '}';
    assert_error_n(objects, n, "t.json:1:2561: expected at most 512 nested arrays and objects, found '{'");
    free(objects);
    memset(doc, '[', 513);
    memset(doc + 513, ']', 513);
    assert_error_n(doc, 1026, "t.json:1:513: expected at most 512 nested arrays and objects, found '['");
    /* Deep nesting far beyond the limit fails fast without exhausting the stack. */
    char *deep = malloc(1000000);
    memset(deep, '[', 1000000);
    assert_error_n(deep, 1000000, "t.json:1:513: expected at most 512 nested arrays and objects, found '['");
    free(deep);
}
END_TEST

START_TEST(test_bom_and_length)
{
    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = parse(&a, "\xEF\xBB\xBF{\"a\": 1}", &err);
    ck_assert_msg(v != NULL, "%s", err.message);
    ck_assert_uint_eq(v->col, 1);
    ck_assert_uint_eq(json_get(v, "a")->col, 7);
    assert_error("\xEF\xBB\xBF", "t.json:1:1: expected a JSON value, found end of input");
    assert_error("[\xEF\xBB\xBF]", "t.json:1:2: expected a JSON value, found '\xEF\xBB\xBF'");
    /* Only text[0..len) is read: the bytes after it are not part of the document. */
    v = parse_n(&a, "12345", 2, &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->numtext, "12");
    assert_error_n("true", 3, "t.json:1:4: expected 'true', found end of input");
    assert_error_n("\"ab\"", 3, "t.json:1:4: expected '\"' to close the string, found end of input");
    v = json_parse(&a, NULL, NULL, 0, &err);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(err.message, "<input>:1:1: expected a JSON value, found end of input");
    arena_free(&a);
}
END_TEST

/* A document using every construct, for the truncation and mutation tests. */
static const char sample_doc[] =
    "{\n"
    "  \"name\": \"caf\xC3\xA9\",\n"
    "  \"versions\": {\"1.0.0\": {\"deps\": {\"a\": \"^1.2\"}, \"n\": -12.5e-3, \"ok\": true},\n"
    "               \"2.0.0\": {\"deps\": {}, \"n\": 0, \"ok\": false, \"x\": null}},\n"
    "  \"esc\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00 \xF0\x9F\x98\x80\",\n"
    "  \"list\": [1, 2.5, [], {}, [[\"deep\"]], \"\xE2\x82\xAC\"]\n"
    "}\n";

/* Every proper prefix of a document whose top level is an object is invalid JSON. */
static void assert_every_prefix_fails(const char *name, const char *doc, size_t len)
{
    while (len > 0 && (doc[len - 1] == '\n' || doc[len - 1] == ' '))
        len--;
    for (size_t cut = 0; cut < len; cut++) {
        arena a;
        arena_init(&a);
        vs_error err;
        json_value *v = parse_n(&a, doc, cut, &err);
        ck_assert_msg(v == NULL, "%s: prefix of %zu bytes parsed", name, cut);
        ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
        ck_assert_msg(strncmp(err.message, "t.json:", 7) == 0, "%s", err.message);
        ck_assert_msg(strstr(err.message, "found end of input") || strstr(err.message, "found invalid UTF-8"),
                      "%s at %zu: %s", name, cut, err.message);
        arena_free(&a);
    }
    arena a;
    arena_init(&a);
    vs_error err;
    ck_assert_msg(parse_n(&a, doc, len, &err) != NULL, "%s: %s", name, err.message);
    arena_free(&a);
}

START_TEST(test_truncation_at_every_prefix)
{
    assert_every_prefix_fails("sample", sample_doc, strlen(sample_doc));
    const char *real = test_corpus_path("npm/projects/express-api/package.json");
    if (!real)
        return;
    size_t len;
    char *doc = test_read_file(real, &len);
    assert_every_prefix_fails("express-api/package.json", doc, len);
    free(doc);
}
END_TEST

/* Counts the values of a parsed tree, or returns 0 when any is inconsistent (bad kind,
 * position, or a string / key without its NUL). Plain checks: ck_assert per value is slow. */
static size_t count_values(const json_value *v)
{
    if (v->kind < JSON_NULL || v->kind > JSON_OBJECT || v->line < 1 || v->col < 1)
        return 0;
    if (v->kind == JSON_STRING && (!v->str || v->str[v->len] != '\0'))
        return 0;
    if (v->kind == JSON_NUMBER && !v->numtext)
        return 0;
    size_t count = 1;
    if (v->kind == JSON_ARRAY || v->kind == JSON_OBJECT) {
        for (size_t i = 0; i < v->n; i++) {
            if (v->kind == JSON_OBJECT && v->keys[i][v->key_lens[i]] != '\0')
                return 0;
            size_t below = count_values(v->items[i]);
            if (below == 0)
                return 0;
            count += below;
        }
    }
    return count;
}

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: a tiny deterministic generator, seeded per test. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

START_TEST(test_random_mutations)
{
    static const char interesting[] = "{}[]\",:\\u0123456789eE+-.tfn \n\t\x80\xC3\xED\xF0\xFF";
    uint64_t state = 0x5eed1234abcdULL;
    size_t base_len = strlen(sample_doc);
    char *buf = malloc(base_len + 64);
    int parsed = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = base_len;
        memcpy(buf, sample_doc, len);
        int edits = 1 + (int)(next_random(&state) % 6);
        for (int e = 0; e < edits; e++) {
            size_t at = len ? (size_t)(next_random(&state) % len) : 0;
            uint64_t r = next_random(&state);
            char c = (r >> 8) % 2 ? (char)(r >> 16) : interesting[(r >> 16) % (sizeof interesting - 1)];
            switch (r % 4) {
            case 0: /* replace */
                if (len)
                    buf[at] = c;
                break;
            case 1: /* insert */
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = c;
                len++;
                break;
            case 2: /* delete */
                if (len) {
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                }
                break;
            default: /* cut */
                len = at;
                break;
            }
        }
        arena a;
        arena_init(&a);
        vs_error err;
        json_value *v = parse_n(&a, buf, len, &err);
        if (v) {
            parsed++;
            ck_assert_uint_ge(count_values(v), 1);
        } else {
            ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
            ck_assert_msg(strstr(err.message, ": expected ") && strstr(err.message, ", found "), "%s", err.message);
        }
        arena_free(&a);
    }
    free(buf);
    ck_assert_int_gt(parsed, 0);  /* some mutations (inside strings) keep the document valid */
}
END_TEST

/* ---- lazy reading: the same errors, and the same tree once expanded ---- */

/* Do a (built whole) and l (lazy, expanded here level by level) hold the same tree? */
static int same_tree(arena *ar, const json_value *a, const json_value *l)
{
    vs_error err;
    if (json_is_lazy(l) && l->kind == JSON_OBJECT && a->kind == JSON_OBJECT) {
        /* one member at a time: the first of each key, and no member for an absent key */
        for (size_t i = 0; i < a->n; i++) {
            const json_value *m = NULL;
            vs_error_clear(&err);
            if (json_lazy_get(ar, "t.json", l, a->keys[i], &m, &err) != VSOLVE_OK || !m ||
                !same_tree(ar, json_get(a, a->keys[i]), m))
                return 0;
        }
        const json_value *none = NULL;
        if (json_lazy_get(ar, "t.json", l, "no such key here", &none, &err) != VSOLVE_OK || none)
            return 0;
    }
    if (json_is_lazy(l)) {
        vs_error_clear(&err);
        l = json_expand(ar, "t.json", l, 1, &err);
        if (!l || json_is_lazy(l))
            return 0;
    }
    if (a->kind != l->kind || a->line != l->line || a->col != l->col || a->n != l->n)
        return 0;
    if (a->kind == JSON_STRING && (a->len != l->len || memcmp(a->str, l->str, a->len)))
        return 0;
    if (a->kind == JSON_NUMBER && strcmp(a->numtext, l->numtext))
        return 0;
    if (a->kind == JSON_BOOL && a->b != l->b)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->kind == JSON_OBJECT && (a->key_lens[i] != l->key_lens[i] || memcmp(a->keys[i], l->keys[i], a->key_lens[i])))
            return 0;
        if (!same_tree(ar, a->items[i], l->items[i]))
            return 0;
    }
    return 1;
}

/* json_parse_lazy at every keep level agrees with json_parse on doc: both fail with the same
 * message, or both succeed and the lazy tree expands to the same values at the same positions. */
static void assert_lazy_agrees(const char *doc, size_t len)
{
    char *copy = malloc(len ? len : 1);   /* exactly sized, for AddressSanitizer */
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, doc, len);
    arena a;
    arena_init(&a);
    vs_error full_err, lazy_err;
    vs_error_clear(&full_err);
    json_value *full = json_parse(&a, "t.json", copy, len, &full_err);
    for (unsigned keep = 0; keep < 4; keep++) {
        vs_error_clear(&lazy_err);
        json_value *lazy = json_parse_lazy(&a, "t.json", copy, len, keep, &lazy_err);
        ck_assert_msg(!full == !lazy, "keep %u: <%.*s>: %s / %s", keep, (int)len, doc, full_err.message, lazy_err.message);
        if (!full)
            ck_assert_str_eq(lazy_err.message, full_err.message);
        else
            ck_assert_msg(same_tree(&a, full, lazy), "keep %u: <%.*s>: another tree", keep, (int)len, doc);
    }
    arena_free(&a);
    free(copy);
}

START_TEST(test_lazy)
{
    assert_lazy_agrees(sample_doc, strlen(sample_doc));
    const char *docs[] = { "{\"v\": {\"1\": {\"a\": [1, 2,]}}}", "{\"v\": {\"1\": {\"a\": \"\\x\"}}}",
                           "{\"v\": {\"1\": {\"a\": \"\xC3\x28\"}}}", "[[[[[[01]]]]]]", "{\"a\":\n  {\"b\": tru}}",
                           "{\"a\": {\"b\": \"\\uD800x\"}}", "{\"a\": {\"b\": \"long plain text, more than 8 bytes\t\"}}",
                           "  {\"x\": [ {\"y\": -} ]}" };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        assert_lazy_agrees(docs[i], strlen(docs[i]));
    /* containers nested past the limit are refused while skipped, too */
    char deep[1200];
    size_t n = 0;
    deep[n++] = '{';
    memcpy(deep + n, "\"k\":", 4);
    n += 4;
    for (int i = 0; i < 520; i++)
        deep[n++] = '[';
    for (int i = 0; i < 520; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    assert_lazy_agrees(deep, n);
    /* mutations of the sample, as test_random_mutations makes them */
    static const char interesting[] = "{}[]\",:\\u0123456789eE+-.tfn \n\t\x80\xC3\xED\xF0\xFF";
    uint64_t state = 0x1a2b3c4dULL;
    size_t base_len = strlen(sample_doc);
    char *buf = malloc(base_len + 64);
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 3000; round++) {
        size_t len = base_len;
        memcpy(buf, sample_doc, len);
        int edits = 1 + (int)(next_random(&state) % 3);
        for (int e = 0; e < edits && len; e++) {
            size_t at = (size_t)(next_random(&state) % len);
            uint64_t r = next_random(&state);
            char c = (r >> 8) % 2 ? (char)(r >> 16) : interesting[(r >> 16) % (sizeof interesting - 1)];
            if (r % 2)
                buf[at] = c;
            else {
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = c;
                len++;
            }
        }
        assert_lazy_agrees(buf, len);
    }
    free(buf);
}
END_TEST

/* ---- the shared corpora ---- */

typedef struct corpus_count {
    size_t files, values;
    char message[1024];
    int typescript_checked;
} corpus_count;

static int want_json(void *user, const char *path)
{
    (void)user;
    size_t n = strlen(path);
    return n > 5 && strcmp(path + n - 5, ".json") == 0;
}

static int parse_corpus_file(void *user, const char *path, const char *data, size_t len)
{
    corpus_count *c = user;
    arena a;
    arena_init(&a);
    vs_error err;
    json_value *v = json_parse(&a, path, data, len, &err);
    if (!v) {
        snprintf(c->message, sizeof c->message, "%s", err.message);
        arena_free(&a);
        return VSOLVE_EBADINPUT;
    }
    c->files++;
    size_t values = count_values(v);
    ck_assert_msg(values > 0, "%s: inconsistent tree", path);
    c->values += values;
    if (strcmp(path, "packuments/typescript.json") == 0) {
        ck_assert_str_eq(json_get(v, "name")->str, "typescript");
        const json_value *versions = json_get(v, "versions");
        ck_assert_int_eq(versions->kind, JSON_OBJECT);
        ck_assert_uint_gt(versions->n, 3000);
        const json_value *v5 = json_get(versions, "5.0.2");
        ck_assert_ptr_nonnull(v5);
        ck_assert_str_eq(json_get(v5, "version")->str, "5.0.2");
        c->typescript_checked = 1;
    }
    arena_free(&a);
    return VSOLVE_OK;
}

static void parse_corpus(const char *relative, size_t expected_files, corpus_count *c)
{
    const char *root = test_corpus_path(relative);
    if (!root)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s", root);
    vs_error err;
    vs_error_clear(&err);
    int rc = repo_source_walk(path, 0, want_json, parse_corpus_file, c, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s: %s %s", relative, err.message, c->message);
    ck_assert_uint_eq(c->files, expected_files);
}

START_TEST(test_corpus_semver_tables)
{
    corpus_count c = { 0 };
    parse_corpus("semver-tables", 23, &c);
}
END_TEST

START_TEST(test_corpus_npm_projects)
{
    corpus_count c = { 0 };
    parse_corpus("npm", 10, &c);  /* projects/<p>/package.json and package-lock.json */
}
END_TEST

START_TEST(test_corpus_npm_packuments)
{
    corpus_count c = { 0 };
    parse_corpus("npm/packuments.tar.gz", 973, &c);
    if (c.files)
        ck_assert(c.typescript_checked);
}
END_TEST

Suite *json_suite(void);
Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_literals);
    tcase_add_test(tc, test_truthy);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_string_errors);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_arrays_and_objects);
    tcase_add_test(tc, test_structure_errors);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_bom_and_length);
    suite_add_tcase(s, tc);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 300);
    tcase_add_test(hostile, test_truncation_at_every_prefix);
    tcase_add_test(hostile, test_random_mutations);
    tcase_add_test(hostile, test_lazy);
    suite_add_tcase(s, hostile);
    TCase *corpora = tcase_create("corpora");
    tcase_set_timeout(corpora, 600);
    tcase_add_test(corpora, test_corpus_semver_tables);
    tcase_add_test(corpora, test_corpus_npm_projects);
    tcase_add_test(corpora, test_corpus_npm_packuments);
    suite_add_tcase(s, corpora);
    return s;
}
