/* test_toml.c: the TOML 1.0 reader: every construct and rule, exact error positions, limits,
 * big documents, hostile input, and the real Cargo.toml / Cargo.lock corpora. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "toml.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* Parses a private, exactly-sized copy of text[0..len) so AddressSanitizer catches any read
 * past the end, and frees it before returning: the tree must not point into the input. */
static toml_value *parse_n(arena *a, const char *text, size_t len, vs_error *err)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len);
    vs_error_clear(err);
    toml_value *v = toml_parse(a, "t.toml", copy, len, err);
    free(copy);
    return v;
}

typedef struct text_buf {
    char *data;
    size_t len, cap;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_(text_buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_quoted(text_buf *b, const char *s, size_t n)
{
    puts_(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char piece[8];
        if (c == '"' || c == '\\')
            snprintf(piece, sizeof piece, "\\%c", c);
        else if (c == '\n')
            snprintf(piece, sizeof piece, "\\n");
        else if (c < 0x20 || c == 0x7F)
            snprintf(piece, sizeof piece, "\\x%02X", c);
        else
            snprintf(piece, sizeof piece, "%c", c);
        puts_(b, piece);
    }
    puts_(b, "\"");
}

/* A compact rendering: {key=value,...} [a,b] "string" 12 1.5 true <date-time>; keys that are
 * not plain bare keys are quoted. */
static void render(text_buf *b, const toml_value *v)
{
    char num[64];
    switch (v->kind) {
    case TOML_TABLE:
        puts_(b, "{");
        for (size_t i = 0; i < v->n; i++) {
            const char *k = v->keys[i];
            int bare = k[0] != '\0';
            for (const char *c = k; *c; c++)
                bare = bare && ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                                (*c >= '0' && *c <= '9') || *c == '_' || *c == '-');
            if (i)
                puts_(b, ",");
            if (bare)
                puts_(b, k);
            else
                put_quoted(b, k, strlen(k));
            puts_(b, "=");
            render(b, v->items[i]);
        }
        puts_(b, "}");
        return;
    case TOML_ARRAY:
        puts_(b, "[");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                puts_(b, ",");
            render(b, v->items[i]);
        }
        puts_(b, "]");
        return;
    case TOML_STRING:
        put_quoted(b, v->str, v->len);
        return;
    case TOML_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)v->i);
        break;
    case TOML_FLOAT:
        if (isnan(v->f))
            snprintf(num, sizeof num, "%snan", signbit(v->f) ? "-" : "+");
        else if (isinf(v->f))
            snprintf(num, sizeof num, "%sinf", v->f < 0 ? "-" : "+");
        else
            snprintf(num, sizeof num, "%.17g%s", v->f, v->f == floor(v->f) && fabs(v->f) < 1e17 ? ".0" : "");
        break;
    case TOML_BOOL:
        snprintf(num, sizeof num, "%s", v->b ? "true" : "false");
        break;
    case TOML_DATETIME:
        puts_(b, "<");
        puts_(b, v->str);
        puts_(b, ">");
        return;
    }
    puts_(b, num);
}

/* Asserts that text parses and renders as `expected`. */
static void assert_tree_n(const char *text, size_t len, const char *expected)
{
    arena a;
    arena_init(&a);
    vs_error err;
    toml_value *v = parse_n(&a, text, len, &err);
    ck_assert_msg(v != NULL, "parsing <%s> failed: %s", text, err.message);
    ck_assert_int_eq(err.code, VSOLVE_OK);
    text_buf b = { 0 };
    render(&b, v);
    ck_assert_msg(strcmp(b.data, expected) == 0, "parsing <%s>:\n  got      %s\n  expected %s", text, b.data, expected);
    free(b.data);
    arena_free(&a);
}

static void assert_tree(const char *text, const char *expected)
{
    assert_tree_n(text, strlen(text), expected);
}

/* Asserts that text fails with exactly `message` (including the "t.toml:L:C: " prefix). */
static void assert_error_n(const char *text, size_t len, const char *message)
{
    arena a;
    arena_init(&a);
    vs_error err;
    toml_value *v = parse_n(&a, text, len, &err);
    ck_assert_msg(v == NULL, "parsing <%s> should fail with <%s>", text, message);
    ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
    ck_assert_msg(strcmp(err.message, message) == 0, "parsing <%s>:\n  got      %s\n  expected %s", text,
                  err.message, message);
    arena_free(&a);
}

static void assert_error(const char *text, const char *message)
{
    assert_error_n(text, strlen(text), message);
}

/* ---- keys and tables ---------------------------------------------------------------------- */

START_TEST(test_keys)
{
    assert_tree("a = 1", "{a=1}");
    assert_tree("bare_key-1 = 1\n1234 = 2\n-_- = 3", "{bare_key-1=1,1234=2,-_-=3}");
    assert_tree("\"quoted key\" = 1\n'literal key' = 2\n\"\" = 3", "{\"quoted key\"=1,\"literal key\"=2,\"\"=3}");
    assert_tree("\"\\u00e9\\t\" = 1\n'\\t' = 2", "{\"\xC3\xA9\\x09\"=1,\"\\\\t\"=2}");
    /* Bare, basic and literal spellings of one key are the same key. */
    assert_error("\"\" = 3\n'' = 4", "t.toml:2:1: expected a key that is not defined yet, found '''', "
                                     "already defined at 1:6 as an integer");
    assert_error("\"a\\u0062\" = 1\nab.c = 2", "t.toml:2:1: expected a key naming a table that dotted keys can "
                 "extend, found 'ab', already defined at 1:13 as an integer");
    /* Keys holding U+0000 differ by their full length (keys[] shows them up to the NUL). */
    arena a;
    arena_init(&a);
    vs_error err;
    const char *text = "\"a\\u0000b\" = 1\n\"a\\u0000c\" = 2";
    toml_value *v = parse_n(&a, text, strlen(text), &err);
    ck_assert_msg(v != NULL, "%s", err.message);
    ck_assert_uint_eq(v->n, 2);
    ck_assert_str_eq(v->keys[1], "a");
    arena_free(&a);
    assert_error("\"a\\u0000b\" = 1\n\"a\\u0000b\" = 2", "t.toml:2:1: expected a key that is not defined yet, "
                 "found '\"a\\u0000b\"', already defined at 1:14 as an integer");
}
END_TEST

START_TEST(test_dotted_keys)
{
    assert_tree("a.b.c = 1\na.b.d = 2\na.e = 3", "{a={b={c=1,d=2},e=3}}");
    assert_tree("a . b\t.\tc = 1", "{a={b={c=1}}}");
    assert_tree("site.\"google.com\" = true", "{site={\"google.com\"=true}}");
    assert_tree("3.14159 = \"pi\"", "{3={14159=\"pi\"}}");
    assert_tree("'a.b'.\"c d\" = 1", "{\"a.b\"={\"c d\"=1}}");
    /* Document order is kept, also for keys defined through dotted keys later. */
    assert_tree("z = 1\ny.x = 2\na = 3\ny.b = 4", "{z=1,y={x=2,b=4},a=3}");
    assert_error("a. = 1", "t.toml:1:4: expected a key after '.', found '='");  /* blanks after '.' are fine */
    assert_error(".a = 1", "t.toml:1:1: expected a key, found '.'");
    assert_error("a..b = 1", "t.toml:1:3: expected a key after '.', found '.'");
    assert_error("a b = 1", "t.toml:1:3: expected '.' or '=' after the key, found 'b'");
    assert_error("a = 1\na.b = 2", "t.toml:2:1: expected a key naming a table that dotted keys can extend, "
                                    "found 'a', already defined at 1:5 as an integer");
    assert_error("a.b = 1\na.b = 2", "t.toml:2:3: expected a key that is not defined yet, found 'a.b', "
                                      "already defined at 1:7 as an integer");
    assert_error("a.b = 1\na = 2", "t.toml:2:1: expected a key that is not defined yet, found 'a', "
                                    "already defined at 1:1 as a table by dotted keys");
    assert_error("\"a\" = 1\na = 2", "t.toml:2:1: expected a key that is not defined yet, found 'a', "
                                      "already defined at 1:7 as an integer");
    assert_error("= 1", "t.toml:1:1: expected a key, found '='");
    assert_error("a = 1\n\xC3\xA9 = 2", "t.toml:2:1: expected a key, found '\xC3\xA9'");
    assert_error("\"a\nb\" = 1", "t.toml:1:3: expected '\"' to close the string, found end of line");
    assert_error("a", "t.toml:1:2: expected '.' or '=' after the key, found end of input");
    assert_error("a =", "t.toml:1:4: expected a value (string, number, boolean, date-time, array or inline "
                        "table), found end of input");
    /* Multi-line strings are not keys: """a""" reads as the key "" followed by a stray quote. */
    assert_error("\"\"\"a\"\"\" = 1", "t.toml:1:3: expected '.' or '=' after the key, found '\"'");
}
END_TEST

START_TEST(test_tables)
{
    assert_tree("[a]\nx = 1\n[b]\ny = 2", "{a={x=1},b={y=2}}");
    assert_tree("[a.b.c]\nx = 1", "{a={b={c={x=1}}}}");
    assert_tree("[ a . \"b c\" . 'd' ]\nx = 1", "{a={\"b c\"={d={x=1}}}}");
    assert_tree("top = 0\n[a]\n[b]\n", "{top=0,a={},b={}}");
    /* A table named on the way by a header can be defined later, once. */
    assert_tree("[a.b]\nx = 1\n[a]\ny = 2", "{a={b={x=1},y=2}}");
    assert_tree("[a]\n[a.b]\n[a.c]", "{a={b={},c={}}}");
    /* A header may go through tables created by dotted keys (without defining them). */
    assert_tree("[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true",
                "{fruit={apple={color=\"red\",taste={sweet=true},texture={smooth=true}}}}");
    /* Dotted keys may go through a table only named on the way by an earlier header. */
    assert_tree("[a.b.c]\nz = 9\n[a]\nb.d = 1", "{a={b={c={z=9},d=1}}}");
    assert_tree("[a]\n# comment\n\n  x = 1 # c\n\t[ b ]  # c", "{a={x=1},b={}}");

    assert_error("[a]\n[a]", "t.toml:2:2: expected a table that is not defined yet, found 'a', "
                             "already defined at 1:1 as a table by a header");
    assert_error("[a]\n[a.b]\n[a]", "t.toml:3:2: expected a table that is not defined yet, found 'a', "
                                    "already defined at 1:1 as a table by a header");
    assert_error("[a.b]\n[a]\n[a]", "t.toml:3:2: expected a table that is not defined yet, found 'a', "
                                    "already defined at 2:1 as a table by a header");
    assert_error("[a]\n[\"a\"]", "t.toml:2:2: expected a table that is not defined yet, found '\"a\"', "
                                 "already defined at 1:1 as a table by a header");
    assert_error("[fruit]\napple.color = \"red\"\n[fruit.apple]",
                 "t.toml:3:8: expected a table that is not defined yet, found 'fruit.apple', "
                 "already defined at 2:1 as a table by dotted keys");
    assert_error("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]",
                 "t.toml:3:14: expected a table that is not defined yet, found 'fruit.apple.taste', "
                 "already defined at 2:7 as a table by dotted keys");
    assert_error("a.b = 1\n[a]", "t.toml:2:2: expected a table that is not defined yet, found 'a', "
                                 "already defined at 1:1 as a table by dotted keys");
    /* Dotted keys cannot add to a table defined by a header (toml-lang/toml#846). */
    assert_error("[a.b.c]\nz = 9\n[a]\nb.c.t = 1",
                 "t.toml:4:3: expected a key naming a table that dotted keys can extend, found 'b.c', "
                 "already defined at 1:1 as a table by a header");
    assert_error("[a.b.c.d]\nz = 9\n[a]\nb.c.d.k.t = 1",
                 "t.toml:4:5: expected a key naming a table that dotted keys can extend, found 'b.c.d', "
                 "already defined at 1:1 as a table by a header");
    /* ... and a table that dotted keys extended is then theirs: no header may define it. */
    assert_error("[a.b.c]\n[a]\nb.d = 1\n[a.b]", "t.toml:4:4: expected a table that is not defined yet, "
                                                "found 'a.b', already defined at 1:4 as a table by dotted keys");
    assert_error("a = 1\n[a]", "t.toml:2:2: expected a table that is not defined yet, found 'a', "
                               "already defined at 1:5 as an integer");
    assert_error("a = 1\n[a.b]", "t.toml:2:2: expected a key naming a table or an array of tables, found 'a', "
                                 "already defined at 1:5 as an integer");
    assert_error("[a]\nb = 1\n[a.b]", "t.toml:3:4: expected a table that is not defined yet, found 'a.b', "
                                      "already defined at 2:5 as an integer");
    assert_error("[a]\nb = 1\n[a.b.c]", "t.toml:3:4: expected a key naming a table or an array of tables, "
                                        "found 'a.b', already defined at 2:5 as an integer");
    /* Header syntax. */
    assert_error("[]", "t.toml:1:2: expected a key, found ']'");
    assert_error("[a", "t.toml:1:3: expected '.' or ']' after the key of the table header, found end of input");
    assert_error("[a b]", "t.toml:1:4: expected '.' or ']' after the key of the table header, found 'b'");
    assert_error("[a.]", "t.toml:1:4: expected a key after '.', found ']'");
    assert_error("[a] b = 1", "t.toml:1:5: expected a newline or a comment after the table header, found 'b'");
    assert_error("[a]]", "t.toml:1:4: expected a newline or a comment after the table header, found ']'");
    assert_error("[\na]", "t.toml:1:2: expected a key, found end of line");
}
END_TEST

START_TEST(test_arrays_of_tables)
{
    assert_tree("[[p]]\nname = \"a\"\n[[p]]\n[[p]]\nname = \"c\"", "{p=[{name=\"a\"},{},{name=\"c\"}]}");
    assert_tree("[[ a . b ]]\nx = 1", "{a={b=[{x=1}]}}");
    /* Sub-tables and nested arrays of tables go into the last element. */
    assert_tree("[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\n"
                "name = \"red delicious\"\n[[fruits.varieties]]\nname = \"granny smith\"\n[[fruits]]\n"
                "name = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"",
                "{fruits=[{name=\"apple\",physical={color=\"red\"},varieties=[{name=\"red delicious\"},"
                "{name=\"granny smith\"}]},{name=\"banana\",varieties=[{name=\"plantain\"}]}]}");
    /* Each element is a table of its own: the same keys and dotted keys again. */
    assert_tree("[[a]]\nb.c = 1\n[[a]]\nb.c = 2\n[a.d]\n[[a]]\n[a.d]", "{a=[{b={c=1}},{b={c=2},d={}},{d={}}]}");
    assert_error("a = [1, 2]\n[[a]]", "t.toml:2:3: expected an array of tables or a new key, found 'a', "
                                      "already defined at 1:5 as a static array (closed to extension)");
    assert_error("a = []\n[[a]]", "t.toml:2:3: expected an array of tables or a new key, found 'a', "
                                  "already defined at 1:5 as a static array (closed to extension)");
    assert_error("a = [{b = 1}]\n[a.c]", "t.toml:2:2: expected a key naming a table or an array of tables, "
                                         "found 'a', already defined at 1:5 as a static array (closed to extension)");
    assert_error("[[a]]\n[a]", "t.toml:2:2: expected a table that is not defined yet, found 'a', "
                               "already defined at 1:1 as an array of tables");
    assert_error("[a]\n[[a]]", "t.toml:2:3: expected an array of tables or a new key, found 'a', "
                               "already defined at 1:1 as a table by a header");
    assert_error("[a.b]\n[[a]]", "t.toml:2:3: expected an array of tables or a new key, found 'a', "
                                 "already defined at 1:2 as a table");
    assert_error("[[a]]\nb.c = 1\n[[a.b]]", "t.toml:3:5: expected an array of tables or a new key, found 'a.b', "
                                          "already defined at 2:1 as a table by dotted keys");
    assert_error("[[a]\n", "t.toml:1:5: expected ']]' to close the array-of-tables header, found end of line");
    assert_error("[[a] ]", "t.toml:1:5: expected ']]' to close the array-of-tables header, found ' '");
    assert_error("[ [a]]", "t.toml:1:3: expected a key, found '['");
    assert_error("[[a b]]", "t.toml:1:5: expected '.' or ']]' after the key of the array-of-tables header, found 'b'");
}
END_TEST

START_TEST(test_inline_tables)
{
    assert_tree("a = {}", "{a={}}");
    assert_tree("a = { }", "{a={}}");
    assert_tree("a = {x = 1, y = \"s\", z = {w = true}}", "{a={x=1,y=\"s\",z={w=true}}}");
    assert_tree("a = {b.c = 1, b.d = 2}", "{a={b={c=1,d=2}}}");
    assert_tree("a = {x = [1,\n2], y = \"\"\"\nml\"\"\"}", "{a={x=[1,2],y=\"ml\"}}");
    assert_tree("a.b = {c = 1}\na.d = 2", "{a={b={c=1},d=2}}");
    assert_tree("[p]\ndep = { version = \"1.0\", features = [\"derive\"], optional = true }",
                "{p={dep={version=\"1.0\",features=[\"derive\"],optional=true}}}");
    assert_error("a = {b = 1,}", "t.toml:1:12: expected a key after ',' (no trailing comma in an inline table), found '}'");
    assert_error("a = {b = 1\n}", "t.toml:1:11: expected ',' or '}' after a key/value pair of the inline table "
                                  "(all on one line), found end of line");
    assert_error("a = {\nb = 1}", "t.toml:1:6: expected a key, found end of line");
    assert_error("a = {b = 1 c = 2}", "t.toml:1:12: expected ',' or '}' after a key/value pair of the inline "
                                      "table (all on one line), found 'c'");
    assert_error("a = {b = 1, b = 2}", "t.toml:1:13: expected a key that is not defined yet, found 'b', "
                                       "already defined at 1:10 as an integer");
    assert_error("a = {b.c = 1, b = 2}", "t.toml:1:15: expected a key that is not defined yet, found 'b', "
                                         "already defined at 1:6 as a table by dotted keys");
    assert_error("a = {b = {c = 1}, b.d = 2}", "t.toml:1:19: expected a key naming a table that dotted keys can "
                 "extend, found 'b', already defined at 1:10 as an inline table (closed to extension)");
    /* Inline tables are closed: neither headers nor dotted keys add to them. */
    assert_error("a = {b = 1}\n[a]", "t.toml:2:2: expected a table that is not defined yet, found 'a', "
                                     "already defined at 1:5 as an inline table (closed to extension)");
    assert_error("a = {b = 1}\n[a.c]", "t.toml:2:2: expected a key naming a table or an array of tables, found 'a', "
                                       "already defined at 1:5 as an inline table (closed to extension)");
    assert_error("a = {b = 1}\na.c = 2", "t.toml:2:1: expected a key naming a table that dotted keys can extend, "
                                         "found 'a', already defined at 1:5 as an inline table (closed to extension)");
    assert_error("a = {b = {}}\n[a.b]", "t.toml:2:2: expected a key naming a table or an array of tables, "
                                        "found 'a', already defined at 1:5 as an inline table (closed to extension)");
    assert_error("a = {b = 1} x", "t.toml:1:13: expected a newline or a comment after the value, found 'x'");
    assert_error("a = {", "t.toml:1:6: expected a key, found end of input");
    assert_error("a = {b}", "t.toml:1:7: expected '.' or '=' after the key, found '}'");
    assert_error("a = {b = }", "t.toml:1:10: expected a value (string, number, boolean, date-time, array or "
                               "inline table), found '}'");
    assert_error("a = {# c\n}", "t.toml:1:6: expected a key, found '#'");
}
END_TEST

START_TEST(test_arrays)
{
    assert_tree("a = []", "{a=[]}");
    assert_tree("a = [1]", "{a=[1]}");
    assert_tree("a = [1, 2, 3,]", "{a=[1,2,3]}");
    /* Mixed types are allowed in TOML 1.0. */
    assert_tree("a = [1, 'a', 2.5, true, 1979-05-27, [], {}, {x = [1]}]",
                "{a=[1,\"a\",2.5,true,<1979-05-27>,[],{},{x=[1]}]}");
    assert_tree("a = [\n  1, # one\n  # alone\n  2\n  ,\n\n]", "{a=[1,2]}");
    assert_tree("a = [ [ 1, 2 ], [ \"x\" ], [[[]]] ]", "{a=[[1,2],[\"x\"],[[[]]]]}");
    assert_tree("a = [\r\n1,\r\n2\r\n]", "{a=[1,2]}");
    assert_error("a = [1,,2]", "t.toml:1:8: expected a value (string, number, boolean, date-time, array or "
                               "inline table), found ','");
    assert_error("a = [,]", "t.toml:1:6: expected a value (string, number, boolean, date-time, array or "
                            "inline table), found ','");
    assert_error("a = [1 2]", "t.toml:1:8: expected ',' or ']' after an array element, found '2'");
    assert_error("a = [1,\n2", "t.toml:2:2: expected ',' or ']' after an array element, found end of input");
    assert_error("a = [", "t.toml:1:6: expected a value (string, number, boolean, date-time, array or "
                          "inline table), found end of input");
    assert_error("a = [1] 2", "t.toml:1:9: expected a newline or a comment after the value, found '2'");
    assert_error("a = [1 # c \x01\n]", "t.toml:1:12: expected a comment character (control characters are not "
                                       "allowed), found control character 0x01");
}
END_TEST

/* ---- strings ------------------------------------------------------------------------------ */

START_TEST(test_basic_strings)
{
    assert_tree("a = \"\"", "{a=\"\"}");
    assert_tree("a = \"plain 'text' \\\"q\\\"\"", "{a=\"plain 'text' \\\"q\\\"\"}");
    assert_tree("a = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "{a=\"\\x08\\x09\\n\\x0C\\x0D\\\"\\\\\"}");
    assert_tree("a = \"\\u0041\\u00e9\\u20AC\\U0001F600\\U0010FFFF\"",
                "{a=\"A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"}");
    assert_tree("a = \"tab\there\"", "{a=\"tab\\x09here\"}");
    assert_tree("a = \"\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"", "{a=\"\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}");
    assert_tree("a = \"# not a comment\" # a comment", "{a=\"# not a comment\"}");
    /* \u0000 is a valid escape: the length says where the string ends. */
    arena a;
    arena_init(&a);
    vs_error err;
    toml_value *v = parse_n(&a, "a = \"x\\u0000y\"", 14, &err);
    ck_assert_ptr_nonnull(v);
    const toml_value *s = toml_get(v, "a");
    ck_assert_uint_eq(s->len, 3);
    ck_assert_int_eq(memcmp(s->str, "x\0y", 4), 0);
    arena_free(&a);

    assert_error("a = \"abc", "t.toml:1:9: expected '\"' to close the string, found end of input");
    assert_error("a = \"abc\nd\"", "t.toml:1:9: expected '\"' to close the string, found end of line");
    assert_error("a = \"\\x41\"", "t.toml:1:7: expected an escape character (one of b t n f r \" \\ u U), found 'x'");
    assert_error("a = \"\\e\"", "t.toml:1:7: expected an escape character (one of b t n f r \" \\ u U), found 'e'");
    assert_error("a = \"\\ \"", "t.toml:1:7: expected an escape character (one of b t n f r \" \\ u U), found ' '");
    assert_error("a = \"\\", "t.toml:1:7: expected an escape character (one of b t n f r \" \\ u U), found end of input");
    assert_error("a = \"\\u12\"", "t.toml:1:10: expected 4 hex digits after '\\u', found '\"'");
    assert_error("a = \"\\u12G4\"", "t.toml:1:10: expected 4 hex digits after '\\u', found 'G'");
    assert_error("a = \"\\U0001F60\"", "t.toml:1:15: expected 8 hex digits after '\\U', found '\"'");
    assert_error("a = \"\\uD800\"", "t.toml:1:6: expected a Unicode scalar value (no surrogates, at most 10FFFF), "
                                    "found \\uD800");
    assert_error("a = \"\\uDFFF\"", "t.toml:1:6: expected a Unicode scalar value (no surrogates, at most 10FFFF), "
                                    "found \\uDFFF");
    assert_error("a = \"\\U00110000\"", "t.toml:1:6: expected a Unicode scalar value (no surrogates, at most "
                                        "10FFFF), found \\U00110000");
    assert_error("a = \"\x01\"", "t.toml:1:6: expected a string character (control characters must be escaped), "
                                 "found control character 0x01");
    assert_error("a = \"\x7F\"", "t.toml:1:6: expected a string character (control characters must be escaped), "
                                 "found control character 0x7F");
    assert_error("a = \"x\ry\"", "t.toml:1:7: expected a string character (control characters must be escaped), "
                                 "found control character 0x0D");
    assert_error_n("a = \"\0\"", 7, "t.toml:1:6: expected a string character (control characters must be "
                                    "escaped), found control character 0x00");
    assert_error("a = \"ok\" \"\"", "t.toml:1:10: expected a newline or a comment after the value, found '\"'");
}
END_TEST

START_TEST(test_multiline_strings)
{
    assert_tree("a = \"\"\"\nline1\nline2\"\"\"", "{a=\"line1\\nline2\"}");
    assert_tree("a = \"\"\"\r\nline1\r\nline2\r\n\"\"\"", "{a=\"line1\\nline2\\n\"}");
    assert_tree("a = \"\"\"\n\n x\"\"\"", "{a=\"\\n x\"}");  /* only the first newline is trimmed */
    assert_tree("a = \"\"\"\"\"\"", "{a=\"\"}");
    assert_tree("a = \"\"\"The quick \\\n\n    brown \\\n   fox.\"\"\"", "{a=\"The quick brown fox.\"}");
    assert_tree("a = \"\"\"\\\n   \"\"\"", "{a=\"\"}");
    assert_tree("a = \"\"\"x \\  \t\r\n  \r\n y\"\"\"", "{a=\"x y\"}");
    assert_tree("a = \"\"\"tab\there \\t \\u00e9\"\"\"", "{a=\"tab\\x09here \\x09 \xC3\xA9\"}");
    /* One or two quotes anywhere, also next to the delimiters. */
    assert_tree("a = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"",
                "{a=\"Here are two quotation marks: \\\"\\\". Simple enough.\"}");
    assert_tree("a = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"",
                "{a=\"\\\"This,\\\" she said, \\\"is just a pointless statement.\\\"\"}");
    assert_tree("a = \"\"\"a\"\"\"\"\"", "{a=\"a\\\"\\\"\"}");
    assert_tree("a = \"\"\"\"\"\"\"\"", "{a=\"\\\"\\\"\"}");
    assert_error("a = \"\"\"a\"\"\"\"\"\"", "t.toml:1:14: expected a newline or a comment after the value, found '\"'");
    assert_error("a = \"\"\"abc", "t.toml:1:11: expected '\"\"\"' to close the string, found end of input");
    assert_error("a = \"\"\"abc\"\"", "t.toml:1:13: expected '\"\"\"' to close the string, found end of input");
    assert_error("a = \"\"\"a \\  b\"\"\"", "t.toml:1:13: expected a newline after the line-ending backslash, found 'b'");
    assert_error("a = \"\"\"a \\", "t.toml:1:11: expected an escape character (one of b t n f r \" \\ u U), found end of input");
    assert_error("a = \"\"\"a \\ ", "t.toml:1:12: expected a newline after the line-ending backslash, found end of input");
    assert_error("a = \"\"\"x\ry\"\"\"", "t.toml:1:9: expected a string character (control characters must be "
                                         "escaped), found control character 0x0D");
    assert_error("a = \"\"\"\n\n\x01\"\"\"", "t.toml:3:1: expected a string character (control characters must be "
                                              "escaped), found control character 0x01");
    assert_error("a = \"\"\"\nok\n\\q\"\"\"", "t.toml:3:2: expected an escape character (one of b t n f r \" \\ u U), found 'q'");
}
END_TEST

START_TEST(test_literal_strings)
{
    assert_tree("a = 'C:\\Users\\nodejs\\templates'", "{a=\"C:\\\\Users\\\\nodejs\\\\templates\"}");
    assert_tree("a = '<\\i\\c*\\s*>'", "{a=\"<\\\\i\\\\c*\\\\s*>\"}");
    assert_tree("a = 'Tom \"Dubs\" Preston'", "{a=\"Tom \\\"Dubs\\\" Preston\"}");
    assert_tree("a = 'tab\there'", "{a=\"tab\\x09here\"}");
    assert_tree("a = ''", "{a=\"\"}");
    assert_tree("a = '''\nThe first newline is\ntrimmed in raw strings.\n   All other \\n whitespace\n   is preserved.\n'''",
                "{a=\"The first newline is\\ntrimmed in raw strings.\\n   All other \\\\n whitespace\\n   is preserved.\\n\"}");
    assert_tree("a = '''I [dw]on't need \\d{2} apples'''", "{a=\"I [dw]on't need \\\\d{2} apples\"}");
    assert_tree("a = ''''That,' she said, 'is still pointless.''''",
                "{a=\"'That,' she said, 'is still pointless.'\"}");
    assert_tree("a = ''''''", "{a=\"\"}");
    assert_tree("a = '''a\r\nb'''", "{a=\"a\\nb\"}");
    assert_error("a = 'it's'", "t.toml:1:9: expected a newline or a comment after the value, found 's'");
    assert_error("a = 'abc", "t.toml:1:9: expected \"'\" to close the string, found end of input");
    assert_error("a = 'a\nb'", "t.toml:1:7: expected \"'\" to close the string, found end of line");
    assert_error("a = '''abc''", "t.toml:1:13: expected \"'''\" to close the string, found end of input");
    assert_error("a = '''a''''''", "t.toml:1:14: expected a newline or a comment after the value, found '''");
    assert_error("a = 'a\x1F'", "t.toml:1:7: expected a literal string character (no control characters), "
                                "found control character 0x1F");
    assert_error("a = '''\x7F'''", "t.toml:1:8: expected a literal string character (no control characters), "
                                   "found control character 0x7F");
}
END_TEST

/* ---- numbers, booleans, date-times --------------------------------------------------------- */

START_TEST(test_integers)
{
    assert_tree("a = 99\nb = +99\nc = 0\nd = -17\ne = +0\nf = -0", "{a=99,b=99,c=0,d=-17,e=0,f=0}");
    assert_tree("a = 1_000\nb = 5_349_221\nc = 53_49_221\nd = 1_2_3_4_5", "{a=1000,b=5349221,c=5349221,d=12345}");
    assert_tree("a = 0xDEADBEEF\nb = 0xdeadbeef\nc = 0xdead_beef\nd = 0x00FF", "{a=3735928559,b=3735928559,c=3735928559,d=255}");
    assert_tree("a = 0o01234567\nb = 0o755\nc = 0b11010110\nd = 0b0_1", "{a=342391,b=493,c=214,d=1}");
    assert_tree("a = 9223372036854775807\nb = -9223372036854775808\nc = 0x7FFFFFFFFFFFFFFF\n"
                "d = 0o777777777777777777777\ne = 0b111111111111111111111111111111111111111111111111111111111111111",
                "{a=9223372036854775807,b=-9223372036854775808,c=9223372036854775807,d=9223372036854775807,"
                "e=9223372036854775807}");
    assert_error("a = 9223372036854775808", "t.toml:1:5: expected an integer from -9223372036854775808 to "
                 "9223372036854775807, found '9223372036854775808'");
    assert_error("a = -9223372036854775809", "t.toml:1:5: expected an integer from -9223372036854775808 to "
                 "9223372036854775807, found '-9223372036854775809'");
    assert_error("a = 99999999999999999999999", "t.toml:1:5: expected an integer from -9223372036854775808 to "
                 "9223372036854775807, found '99999999999999999999999'");
    assert_error("a = 0x8000000000000000", "t.toml:1:5: expected an integer of at most 0x7FFFFFFFFFFFFFFF, "
                 "found '0x8000000000000000'");
    assert_error("a = 0b1111111111111111111111111111111111111111111111111111111111111111",
                 "t.toml:1:5: expected an integer of at most 0x7FFFFFFFFFFFFFFF, "
                 "found '0b1111111111111111111111111111111111111111111111111111111111...'");
    assert_error("a = 01", "t.toml:1:6: expected no leading zero in a decimal number, found '1'");
    assert_error("a = +01", "t.toml:1:7: expected no leading zero in a decimal number, found '1'");
    assert_error("a = 0_1", "t.toml:1:6: expected no leading zero in a decimal number, found '_'");
    assert_error("a = 1__0", "t.toml:1:7: expected a digit after '_', found '_'");
    assert_error("a = 1_", "t.toml:1:7: expected a digit after '_', found end of input");
    assert_error("a = _1", "t.toml:1:5: expected a value (string, number, boolean, date-time, array or inline "
                           "table), found '_'");
    assert_error("a = +", "t.toml:1:6: expected a digit after the sign, found end of input");
    assert_error("a = +_1", "t.toml:1:6: expected a digit after the sign, found '_'");
    assert_error("a = ++1", "t.toml:1:6: expected a digit after the sign, found '+'");
    assert_error("a = +0x1", "t.toml:1:7: expected the end of the number, found 'x'");
    assert_error("a = -0o7", "t.toml:1:7: expected the end of the number, found 'o'");
    assert_error("a = 0X1F", "t.toml:1:6: expected the end of the number, found 'X'");
    assert_error("a = 0x", "t.toml:1:7: expected a hexadecimal digit after '0x', found end of input");
    assert_error("a = 0x_1", "t.toml:1:7: expected a hexadecimal digit after '0x', found '_'");
    assert_error("a = 0xG", "t.toml:1:7: expected a hexadecimal digit after '0x', found 'G'");
    assert_error("a = 0o8", "t.toml:1:7: expected an octal digit after '0o', found '8'");
    assert_error("a = 0o7_8", "t.toml:1:9: expected a digit after '_', found '8'");
    assert_error("a = 0b2", "t.toml:1:7: expected a binary digit after '0b', found '2'");
    assert_error("a = 0b12", "t.toml:1:8: expected the end of the number, found '2'");
    assert_error("a = 0xff_", "t.toml:1:10: expected a digit after '_', found end of input");
    assert_error("a = 12a", "t.toml:1:7: expected the end of the number, found 'a'");
    assert_error("a = 1-2", "t.toml:1:6: expected the end of the number, found '-'");
}
END_TEST

START_TEST(test_floats)
{
    assert_tree("a = +1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\ng = 6.626e-34",
                "{a=1.0,b=3.1415000000000002,c=-0.01,d=4.9999999999999996e+22,e=1000000.0,f=-0.02,"
                "g=6.6259999999999998e-34}");
    assert_tree("a = 224_617.445_991_228\nb = 1e1_0\nc = 0.0\nd = -0.0\ne = 0e0\nf = 1E007",
                "{a=224617.44599122801,b=10000000000.0,c=0.0,d=-0.0,e=0.0,f=10000000.0}");
    assert_tree("a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan",
                "{a=+inf,b=+inf,c=-inf,d=+nan,e=+nan,f=-nan}");
    assert_tree("a = 1.7976931348623157e308\nb = 4.9e-324\nc = 1e-400",
                "{a=1.7976931348623157e+308,b=4.9406564584124654e-324,c=0.0}");
    assert_tree("a = [inf,nan,1.5]", "{a=[+inf,+nan,1.5]}");
    assert_error("a = 1e400", "t.toml:1:5: expected a float within the 64-bit range, found '1e400'");
    assert_error("a = -1.8e308", "t.toml:1:5: expected a float within the 64-bit range, found '-1.8e308'");
    assert_error("a = .7", "t.toml:1:5: expected a value (string, number, boolean, date-time, array or inline "
                           "table), found '.'");
    assert_error("a = 7.", "t.toml:1:7: expected a digit after the decimal point, found end of input");
    assert_error("a = 3.e+20", "t.toml:1:7: expected a digit after the decimal point, found 'e'");
    assert_error("a = 1._5", "t.toml:1:7: expected a digit after the decimal point, found '_'");
    assert_error("a = 1_.5", "t.toml:1:7: expected a digit after '_', found '.'");
    assert_error("a = 1.5_", "t.toml:1:9: expected a digit after '_', found end of input");
    assert_error("a = 1e", "t.toml:1:7: expected a digit in the exponent, found end of input");
    assert_error("a = 1e+", "t.toml:1:8: expected a digit in the exponent, found end of input");
    assert_error("a = 1e_1", "t.toml:1:7: expected a digit in the exponent, found '_'");
    assert_error("a = 1e1_", "t.toml:1:9: expected a digit after '_', found end of input");
    assert_error("a = 01.5", "t.toml:1:6: expected no leading zero in a decimal number, found '1'");
    assert_error("a = 00.0", "t.toml:1:6: expected no leading zero in a decimal number, found '0'");
    assert_error("a = 1.2.3", "t.toml:1:8: expected the end of the number, found '.'");
    assert_error("a = 1e5.0", "t.toml:1:8: expected the end of the number, found '.'");
    assert_error("a = 1e5e5", "t.toml:1:8: expected the end of the number, found 'e'");
    assert_error("a = Inf", "t.toml:1:5: expected a value (string, number, boolean, date-time, array or inline "
                            "table), found 'I'");
    assert_error("a = NaN", "t.toml:1:5: expected a value (string, number, boolean, date-time, array or inline "
                            "table), found 'N'");
    assert_error("a = infinity", "t.toml:1:8: expected the end of the number, found 'i'");
    assert_error("a = in", "t.toml:1:7: expected 'inf', found end of input");
    assert_error("a = -nax", "t.toml:1:8: expected 'nan', found 'x'");
    assert_error("a = +inf.0", "t.toml:1:9: expected the end of the number, found '.'");
}
END_TEST

START_TEST(test_booleans)
{
    assert_tree("a = true\nb = false", "{a=true,b=false}");
    assert_tree("a = [true,false]", "{a=[true,false]}");
    assert_error("a = True", "t.toml:1:5: expected a value (string, number, boolean, date-time, array or inline "
                             "table), found 'T'");
    assert_error("a = tru", "t.toml:1:8: expected 'true', found end of input");
    assert_error("a = fals e", "t.toml:1:9: expected 'false', found ' '");
    assert_error("a = truee", "t.toml:1:9: expected the end of the value, found 'e'");
    assert_error("a = true_", "t.toml:1:9: expected the end of the value, found '_'");
}
END_TEST

START_TEST(test_datetimes)
{
    assert_tree("a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\nc = 1979-05-27T00:32:00.999999+07:30\n"
                "d = 1979-05-27 07:32:00Z\ne = 1979-05-27t07:32:00z",
                "{a=<1979-05-27T07:32:00Z>,b=<1979-05-27T00:32:00-07:00>,c=<1979-05-27T00:32:00.999999+07:30>,"
                "d=<1979-05-27 07:32:00Z>,e=<1979-05-27t07:32:00z>}");
    assert_tree("a = 1979-05-27T07:32:00\nb = 1979-05-27T00:32:00.999999\nc = 1979-05-27\nd = 07:32:00\n"
                "e = 00:32:00.999999\nf = 23:59:60",
                "{a=<1979-05-27T07:32:00>,b=<1979-05-27T00:32:00.999999>,c=<1979-05-27>,d=<07:32:00>,"
                "e=<00:32:00.999999>,f=<23:59:60>}");
    /* Leap years: divisible by 4, except centuries not divisible by 400. */
    assert_tree("a = 2000-02-29\nb = 2024-02-29\nc = 0000-02-29\nd = 1999-12-31\ne = 2023-04-30",
                "{a=<2000-02-29>,b=<2024-02-29>,c=<0000-02-29>,d=<1999-12-31>,e=<2023-04-30>}");
    assert_tree("a = 1979-05-27 # date then a comment\nb = [1979-05-27 , 07:32:00]",
                "{a=<1979-05-27>,b=[<1979-05-27>,<07:32:00>]}");
    assert_tree("a = {d = 1979-05-27T07:32:00Z}", "{a={d=<1979-05-27T07:32:00Z>}}");
    assert_error("a = 1900-02-29", "t.toml:1:13: expected a day of 1900-02 from 01 to 28, found '29'");
    assert_error("a = 2023-02-29", "t.toml:1:13: expected a day of 2023-02 from 01 to 28, found '29'");
    assert_error("a = 2024-02-30", "t.toml:1:13: expected a day of 2024-02 from 01 to 29, found '30'");
    assert_error("a = 2024-04-31", "t.toml:1:13: expected a day of 2024-04 from 01 to 30, found '31'");
    assert_error("a = 2024-01-32", "t.toml:1:13: expected a day of 2024-01 from 01 to 31, found '32'");
    assert_error("a = 2024-01-00", "t.toml:1:13: expected a day of 2024-01 from 01 to 31, found '00'");
    assert_error("a = 2024-13-01", "t.toml:1:10: expected a month from 01 to 12, found '13'");
    assert_error("a = 2024-00-01", "t.toml:1:10: expected a month from 01 to 12, found '00'");
    assert_error("a = 1979-5-27", "t.toml:1:11: expected a month from 01 to 12, found '-'");
    assert_error("a = 1979-05-7", "t.toml:1:14: expected a day of 1979-05 from 01 to 31, found end of input");
    assert_error("a = 1979-05_27", "t.toml:1:12: expected '-' after the month, found '_'");
    assert_error("a = 24:00:00", "t.toml:1:5: expected an hour from 00 to 23, found '24'");
    assert_error("a = 23:60:00", "t.toml:1:8: expected a minute from 00 to 59, found '60'");
    assert_error("a = 23:59:61", "t.toml:1:11: expected a second from 00 to 60, found '61'");
    assert_error("a = 7:32:00", "t.toml:1:6: expected the end of the number, found ':'");
    assert_error("a = 07:32", "t.toml:1:10: expected ':' after the minute (seconds are required), found end of input");
    assert_error("a = 07:32:0", "t.toml:1:12: expected a second from 00 to 60, found end of input");
    assert_error("a = 07:32:00.", "t.toml:1:14: expected a digit after the decimal point of the seconds, "
                                  "found end of input");
    assert_error("a = 07:32:00Z", "t.toml:1:13: expected the end of the date-time, found 'Z'");
    assert_error("a = 07:32:00+01:00", "t.toml:1:13: expected the end of the date-time, found '+'");
    assert_error("a = 1979-05-27T", "t.toml:1:16: expected an hour from 00 to 23, found end of input");
    assert_error("a = 1979-05-27T07:32", "t.toml:1:21: expected ':' after the minute (seconds are required), "
                                         "found end of input");
    assert_error("a = 1979-05-27 07:32", "t.toml:1:21: expected ':' after the minute (seconds are required), "
                                         "found end of input");
    assert_error("a = 1979-05-27T07:32:00+24:00", "t.toml:1:25: expected an offset hour from 00 to 23, found '24'");
    assert_error("a = 1979-05-27T07:32:00-07:60", "t.toml:1:28: expected an offset minute from 00 to 59, found '60'");
    assert_error("a = 1979-05-27T07:32:00+07", "t.toml:1:27: expected ':' in the offset, found end of input");
    assert_error("a = 1979-05-27T07:32:00+0700", "t.toml:1:27: expected ':' in the offset, found '0'");
    assert_error("a = 1979-05-27T07:32:00Zx", "t.toml:1:25: expected the end of the date-time, found 'x'");
    assert_error("a = 1979-05-27X", "t.toml:1:15: expected the end of the date-time, found 'X'");
    assert_error("a = 1979-05-27  07:32:00", "t.toml:1:17: expected a newline or a comment after the value, "
                                              "found '0'");
    assert_error("a = 01979-05-27", "t.toml:1:6: expected no leading zero in a decimal number, found '1'");
    assert_error("a = -1979-05-27", "t.toml:1:10: expected the end of the number, found '-'");
}
END_TEST

/* ---- whitespace, comments, newlines, UTF-8, positions -------------------------------------- */

START_TEST(test_comments_and_newlines)
{
    assert_tree("", "{}");
    assert_tree("\n\n  \t\n", "{}");
    assert_tree("# only a comment", "{}");
    assert_tree("# c\na = 1 # c \xC3\xA9 \t tab\n# c\n[t] # c\n", "{a=1,t={}}");
    assert_tree("a = 1\r\nb = 2\r\n[t]\r\nc = 3\r\n", "{a=1,b=2,t={c=3}}");
    assert_tree("a = 1 #\r\n", "{a=1}");
    assert_tree("\xEF\xBB\xBF" "a = 1", "{a=1}");  /* byte order mark */
    assert_error("\xEF\xBB\xBF" "a = ?", "t.toml:1:5: expected a value (string, number, boolean, date-time, "
                                         "array or inline table), found '?'");
    assert_error("a = 1\rb = 2", "t.toml:1:6: expected a newline or a comment after the value, found control "
                                 "character 0x0D");
    assert_error("a = 1\n\r", "t.toml:2:1: expected a key, found control character 0x0D");
    assert_error("a = 1 # x\ry", "t.toml:1:10: expected a comment character (control characters are not "
                                 "allowed), found control character 0x0D");
    assert_error("# \x7F", "t.toml:1:3: expected a comment character (control characters are not allowed), "
                           "found control character 0x7F");
    assert_error_n("# a\0b", 5, "t.toml:1:4: expected a comment character (control characters are not allowed), "
                                "found control character 0x00");
    assert_error_n("a = 1\0", 6, "t.toml:1:6: expected a newline or a comment after the value, found control "
                                 "character 0x00");
    assert_error("a = 1 b = 2", "t.toml:1:7: expected a newline or a comment after the value, found 'b'");
    assert_error("a = 1, b = 2", "t.toml:1:6: expected a newline or a comment after the value, found ','");
    /* Invalid UTF-8 in comments and strings. */
    assert_error("# \xFF", "t.toml:1:3: expected UTF-8 text, found invalid UTF-8 byte 0xFF");
    assert_error("a = \"\xC3\x28\"", "t.toml:1:6: expected UTF-8 text, found invalid UTF-8 bytes 0xC3 0x28");
    assert_error("a = '\xED\xA0\x80'", "t.toml:1:6: expected UTF-8 text, found invalid UTF-8 bytes 0xED 0xA0 0x80");
    assert_error("a = '\xE0\x80\xAF'", "t.toml:1:6: expected UTF-8 text, found invalid UTF-8 bytes 0xE0 0x80 0xAF");
    assert_error("a = '\xF4\x90\x80\x80'", "t.toml:1:6: expected UTF-8 text, found invalid UTF-8 bytes 0xF4 0x90 0x80 0x80");
    assert_error("a = \"\xE2\x82", "t.toml:1:6: expected UTF-8 text, found invalid UTF-8 bytes 0xE2 0x82");
    assert_error("a = \xFF", "t.toml:1:5: expected a value (string, number, boolean, date-time, array or inline "
                             "table), found invalid UTF-8 byte 0xFF");
    /* A NULL text is an empty document. */
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    toml_value *v = toml_parse(&a, "t.toml", NULL, 0, &err);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->n, 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_positions)
{
    const char *text = "# head\n"
                       "a = 1\n"
                       "s = \"\"\"\n"
                       "x\n"
                       "y\"\"\"\n"
                       "  arr = [\n"
                       "    \"e\",\n"
                       "  ]\n"
                       "[t.u]\n"
                       "k.l = true\n"
                       "[[p]]\n"
                       "[t]\n"
                       "[[p]]\n";
    arena a;
    arena_init(&a);
    vs_error err;
    toml_value *root = parse_n(&a, text, strlen(text), &err);
    ck_assert_msg(root != NULL, "%s", err.message);
    ck_assert_uint_eq(root->line, 1);
    ck_assert_uint_eq(root->col, 1);
    const toml_value *v = toml_get(root, "a");
    ck_assert_uint_eq(v->line, 2);
    ck_assert_uint_eq(v->col, 5);
    v = toml_get(root, "s");
    ck_assert_uint_eq(v->line, 3);
    ck_assert_uint_eq(v->col, 5);
    ck_assert_str_eq(v->str, "x\ny");
    v = toml_get(root, "arr");
    ck_assert_uint_eq(v->line, 6);
    ck_assert_uint_eq(v->col, 9);
    ck_assert_uint_eq(v->items[0]->line, 7);
    ck_assert_uint_eq(v->items[0]->col, 5);
    const toml_value *t = toml_get(root, "t");
    ck_assert_uint_eq(t->line, 12);  /* named at 9:2, defined by the header at 12:1 */
    ck_assert_uint_eq(t->col, 1);
    const toml_value *u = toml_get(t, "u");
    ck_assert_uint_eq(u->line, 9);
    ck_assert_uint_eq(u->col, 1);
    const toml_value *k = toml_get(u, "k");  /* created by a dotted key: where the key is */
    ck_assert_uint_eq(k->line, 10);
    ck_assert_uint_eq(k->col, 1);
    ck_assert_uint_eq(toml_get(k, "l")->col, 7);
    const toml_value *p = toml_get(root, "p");
    ck_assert_int_eq(p->kind, TOML_ARRAY);
    ck_assert_uint_eq(p->n, 2);
    ck_assert_uint_eq(p->line, 11);
    ck_assert_uint_eq(p->items[0]->line, 11);
    ck_assert_uint_eq(p->items[1]->line, 13);
    arena_free(&a);

    /* Errors after multi-line strings and arrays count their lines; columns count bytes. */
    assert_error("a = '''\n\n'''\nb = \"\"\"\nx\"\"\" c", "t.toml:5:6: expected a newline or a comment after "
                 "the value, found 'c'");
    assert_error("a = [\n1,\n2,\n]\na = 2", "t.toml:5:1: expected a key that is not defined yet, found 'a', "
                 "already defined at 1:5 as a static array (closed to extension)");
    assert_error("s = \"\xC3\xA9\xC3\xA9\" x", "t.toml:1:12: expected a newline or a comment after the value, found 'x'");
    assert_error("a = 1\r\nb = 2\r\nc = ?", "t.toml:3:5: expected a value (string, number, boolean, date-time, "
                 "array or inline table), found '?'");
}
END_TEST

START_TEST(test_get_and_kind_names)
{
    arena a;
    arena_init(&a);
    vs_error err;
    const char *text = "[package]\nname = \"x\"\nversion = \"1.0.0\"\n[dependencies]\nserde = { version = \"1\" }";
    toml_value *root = parse_n(&a, text, strlen(text), &err);
    ck_assert_ptr_nonnull(root);
    const toml_value *pkg = toml_get(root, "package");
    ck_assert_ptr_nonnull(pkg);
    ck_assert_str_eq(toml_get(pkg, "name")->str, "x");
    ck_assert_ptr_null(toml_get(pkg, "missing"));
    ck_assert_ptr_null(toml_get(toml_get(pkg, "name"), "x"));  /* not a table */
    ck_assert_ptr_null(toml_get(NULL, "x"));
    ck_assert_str_eq(toml_get(toml_get(toml_get(root, "dependencies"), "serde"), "version")->str, "1");
    ck_assert_str_eq(toml_kind_name(TOML_TABLE), "table");
    ck_assert_str_eq(toml_kind_name(TOML_ARRAY), "array");
    ck_assert_str_eq(toml_kind_name(TOML_STRING), "string");
    ck_assert_str_eq(toml_kind_name(TOML_INTEGER), "integer");
    ck_assert_str_eq(toml_kind_name(TOML_FLOAT), "float");
    ck_assert_str_eq(toml_kind_name(TOML_BOOL), "boolean");
    ck_assert_str_eq(toml_kind_name(TOML_DATETIME), "date-time");
    arena_free(&a);
}
END_TEST

/* ---- limits -------------------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * n + tl + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, head, hl);
    for (size_t i = 0; i < n; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + n * ul, tail, tl + 1);
    return s;
}

static void assert_depth(const char *head, const char *unit, size_t n, const char *tail, const char *message)
{
    char *s = repeat(head, unit, n, tail);
    if (message) {
        assert_error(s, message);
    } else {
        arena a;
        arena_init(&a);
        vs_error err;
        ck_assert_msg(parse_n(&a, s, strlen(s), &err) != NULL, "%s", err.message);
        arena_free(&a);
    }
    free(s);
}

START_TEST(test_depth_limit)
{
    /* Tables and arrays nest at most 256 deep (root 0), however the nesting is written. */
    char *closing = repeat("", "]", 256, "");
    assert_depth("a = ", "[", 256, closing, NULL);
    free(closing);
    assert_depth("a = ", "[", 257, "", "t.toml:1:261: expected at most 256 levels of nested tables and arrays, "
                                      "found a 257th level");
    assert_depth("a = ", "[", 100000, "", "t.toml:1:261: expected at most 256 levels of nested tables and arrays, "
                                         "found a 257th level");
    closing = repeat("1", "}", 256, "");
    assert_depth("a = ", "{b = ", 256, closing, NULL);
    free(closing);
    assert_depth("a = ", "{b = ", 100000, "", "t.toml:1:1285: expected at most 256 levels of nested tables and "
                                             "arrays, found a 257th level");
    assert_depth("[a", ".a", 255, "]", NULL);
    assert_depth("[a", ".a", 256, "]", "t.toml:1:1: expected at most 256 levels of nested tables and arrays, "
                                       "found a 257th level");
    assert_depth("a", ".a", 256, " = 1", NULL);  /* 256 tables, the integer below them */
    assert_depth("a", ".a", 257, " = 1", "t.toml:1:513: expected at most 256 levels of nested tables and arrays, "
                                         "found a 257th level");
    assert_depth("[[a", ".a", 254, "]]", NULL);  /* the array of tables and its element */
    assert_depth("[[a", ".a", 255, "]]", "t.toml:1:1: expected at most 256 levels of nested tables and arrays, "
                                         "found a 257th level");
    /* Levels add up: a header 250 deep, two tables by dotted keys, arrays below them. */
    assert_depth("[a", ".a", 249, "]\nb.b.b = [[[[]]]]", NULL);
    assert_depth("[a", ".a", 249, "]\nb.b.b = [[[[[]]]]]", "t.toml:2:13: expected at most 256 levels of nested "
                                                          "tables and arrays, found a 257th level");
}
END_TEST

/* A Cargo.lock-shaped document with n packages (and an old-style [metadata] table of n keys). */
static char *make_lock(size_t n, int metadata, size_t *len)
{
    text_buf b = { 0 };
    puts_(&b, "# This file is automatically @generated by Cargo.\nversion = 3\n\n");
    char line[256];
    unsigned long long x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "[[package]]\nname = \"crate-%zu\"\nversion = \"1.%zu.0\"\n"
                 "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
                 "checksum = \"%016llx%016llx\"\ndependencies = [\n", i, i % 37, x, x * 3);
        puts_(&b, line);
        for (size_t d = 0; d < i % 5; d++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            snprintf(line, sizeof line, " \"crate-%llu\",\n", x % (n + 1));
            puts_(&b, line);
        }
        puts_(&b, "]\n\n");
    }
    if (metadata) {
        puts_(&b, "[metadata]\n");
        for (size_t i = 0; i < n; i++) {
            snprintf(line, sizeof line, "\"checksum crate-%zu 1.%zu.0 (registry+https://github.com/rust-lang/"
                     "crates.io-index)\" = \"%016zx\"\n", i, i % 37, i * 2654435761u);
            puts_(&b, line);
        }
    }
    *len = b.len;
    return b.data;
}

/* Thread CPU time, so that a growth check does not fail when the machine is loaded. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A table of n keys k00000000 = 0 ... (same length: a linear duplicate check would compare them). */
static char *make_flat(size_t n, size_t *len)
{
    text_buf b = { 0 };
    char line[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "k%08zu = %zu\n", (i * 7919) % n, i);
        puts_(&b, line);
    }
    *len = b.len;
    return b.data;
}

/* Best of 3 parse times of text; checks the number of members of `key` (the root when NULL). */
static double time_parse(const char *text, size_t len, const char *key, size_t members)
{
    double best = 1e9;
    for (int r = 0; r < 3; r++) {
        arena a;
        arena_init(&a);
        vs_error err;
        vs_error_clear(&err);
        double t0 = now_seconds();
        toml_value *root = toml_parse(&a, "big.lock", text, len, &err);
        double t = now_seconds() - t0;
        ck_assert_msg(root != NULL, "%s", err.message);
        ck_assert_uint_eq(key ? toml_get(root, key)->n : root->n, members);
        if (t < best)
            best = t;
        arena_free(&a);
    }
    return best;
}

START_TEST(test_big_lock)
{
    size_t small_len, big_len;
    char *small = make_lock(5000, 1, &small_len);
    char *big = make_lock(20000, 1, &big_len);
    double t_small = time_parse(small, small_len, "package", 5000);
    double t_big = time_parse(big, big_len, "package", 20000);
    printf("toml: 20,000-package lock with a 20,000-key [metadata] (%zu bytes) parsed in %.3f s "
           "(5,000: %.3f s)\n", big_len, t_big, t_small);
    /* Linear: 4 times the input takes about 4 times as long; quadratic would be 16. */
    ck_assert_msg(t_big < 10 * t_small + 0.05, "building looks quadratic: %.3f s for 5,000, %.3f s for 20,000",
                  t_small, t_big);
    size_t flat_small_len, flat_big_len;
    char *flat_small = make_flat(5000, &flat_small_len), *flat_big = make_flat(20000, &flat_big_len);
    t_small = time_parse(flat_small, flat_small_len, NULL, 5000);
    t_big = time_parse(flat_big, flat_big_len, NULL, 20000);
    printf("toml: a table of 20,000 keys parsed in %.3f s (5,000: %.3f s)\n", t_big, t_small);
    ck_assert_msg(t_big < 8 * t_small + 0.02, "a big table looks quadratic: %.3f s for 5,000 keys, %.3f s for "
                  "20,000", t_small, t_big);
    free(flat_small);
    free(flat_big);

    arena a;
    arena_init(&a);
    vs_error err;
    toml_value *root = parse_n(&a, big, big_len, &err);
    ck_assert_ptr_nonnull(root);
    const toml_value *pkgs = toml_get(root, "package");
    ck_assert_str_eq(toml_get(pkgs->items[12345], "name")->str, "crate-12345");
    ck_assert_str_eq(toml_get(pkgs->items[12345], "version")->str, "1.24.0");
    ck_assert_uint_eq(toml_get(pkgs->items[12345], "dependencies")->n, 0);
    ck_assert_uint_eq(toml_get(pkgs->items[12344], "dependencies")->n, 4);
    const toml_value *meta = toml_get(root, "metadata");
    ck_assert_uint_eq(meta->n, 20000);
    ck_assert_str_eq(meta->keys[19999], "checksum crate-19999 1.19.0 (registry+https://github.com/rust-lang/"
                                        "crates.io-index)");
    arena_free(&a);

    /* A duplicate among the 20,000 keys (found through the hash index) and one more [[package]]. */
    size_t n = big_len;
    char *dup = malloc(n + 200);
    memcpy(dup, big, n);
    const char *tail = "\"checksum crate-7 1.7.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"x\"\n";
    memcpy(dup + n, tail, strlen(tail));
    arena_init(&a);
    ck_assert_ptr_null(parse_n(&a, dup, n + strlen(tail), &err));
    ck_assert_msg(strstr(err.message, ": expected a key that is not defined yet, found '\"checksum crate-7 1.7.0 "),
                  "%s", err.message);
    arena_free(&a);
    free(dup);
    free(small);
    free(big);
}
END_TEST

/* ---- hostile input ------------------------------------------------------------------------- */

static size_t tree_nodes;

/* Checks every value of a tree (kinds, positions, NUL-terminated text, unique keys that
 * toml_get finds) and counts the values. */
static void check_tree(const toml_value *v, unsigned depth)
{
    tree_nodes++;
    ck_assert_uint_ge(v->line, 1);
    ck_assert_uint_ge(v->col, 1);
    ck_assert_uint_le(depth, 257);
    switch (v->kind) {
    case TOML_TABLE:
        for (size_t i = 0; i < v->n; i++) {
            ck_assert_ptr_nonnull(v->keys[i]);
            if (v->n < 64)
                for (size_t j = 0; j < i; j++)
                    ck_assert_msg(strcmp(v->keys[i], v->keys[j]) != 0, "duplicate key %s", v->keys[i]);
            if (v->n < 64 && v->keys[i][0])
                ck_assert_ptr_eq(toml_get(v, v->keys[i]), v->items[i]);
            check_tree(v->items[i], depth + 1);
        }
        break;
    case TOML_ARRAY:
        for (size_t i = 0; i < v->n; i++)
            check_tree(v->items[i], depth + 1);
        break;
    case TOML_STRING:
    case TOML_DATETIME:
        ck_assert_ptr_nonnull(v->str);
        ck_assert_int_eq(v->str[v->len], '\0');
        break;
    case TOML_INTEGER:
    case TOML_FLOAT:
    case TOML_BOOL:
        break;
    default:
        ck_abort_msg("bad kind %d", (int)v->kind);
    }
}

/* Parses text[0..len): a checked tree, or a "t.toml:L:C: expected ..., found ..." error with
 * L within the text. Returns 1 for a tree. */
static int parse_checked(const char *text, size_t len)
{
    arena a;
    arena_init(&a);
    vs_error err;
    toml_value *v = parse_n(&a, text, len, &err);
    if (v) {
        ck_assert_int_eq(err.code, VSOLVE_OK);
        check_tree(v, 0);
    } else {
        ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
        unsigned line, col;
        ck_assert_msg(sscanf(err.message, "t.toml:%u:%u: expected ", &line, &col) == 2 &&
                      strstr(err.message, ", found "), "bad message <%s>", err.message);
        unsigned lines = 1;
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        ck_assert_msg(line >= 1 && line <= lines && col >= 1, "position out of the text: %s", err.message);
    }
    arena_free(&a);
    return v != NULL;
}

static const char rich_sample[] =
    "# every construct\n"
    "title = \"TOML \\\"Example\\\" \\u00e9\\U0001F600\"\n"
    "lit = 'C:\\Users\\path'\n"
    "ml = \"\"\"\nRoses are red\n  Violets \"\" are blue \\\n     joined\"\"\"\n"
    "mll = '''\nfirst\n  second'''''\n"
    "[owner]\nname = \"Tom\"\ndob = 1979-05-27T07:32:00-08:00\nlt = 07:32:00.5\nld = 1979-05-27\n"
    "dt = 1979-05-27 07:32:00.999Z\n"
    "[database]\nenabled = true\nports = [ 8000, 8001, 8002, ]\ndata = [ [\"delta\", \"phi\"], [3.14] ]\n"
    "temp_targets = { cpu = 79.5, case = 72.0, deep.er = -0.0 }\n"
    "[servers.alpha]\nip = \"10.0.0.1\"\nrole.kind = \"frontend\"\nrole.level = 3\n"
    "[servers]\n[servers.beta]\nip = \"10.0.0.2\"\n"
    "[[products]]\nname = \"Hammer\"\nsku = 738594937\n[[products]]\n[[products]]\nname = \"Nail\"\n"
    "[[products.parts]]\nx = 0xff_ff\n[products.meta]\ny = 1_000\n\"quoted key\".sub = +inf\n"
    "'lit key' = -nan\nnums = [0o17, 0b101, 6.02e23, -1E-10, nan, 9_223_372_036_854_775_807]\n";

START_TEST(test_rich_sample)
{
    assert_tree(rich_sample,
        "{title=\"TOML \\\"Example\\\" \xC3\xA9\xF0\x9F\x98\x80\",lit=\"C:\\\\Users\\\\path\","
        "ml=\"Roses are red\\n  Violets \\\"\\\" are blue joined\",mll=\"first\\n  second''\","
        "owner={name=\"Tom\",dob=<1979-05-27T07:32:00-08:00>,lt=<07:32:00.5>,ld=<1979-05-27>,"
        "dt=<1979-05-27 07:32:00.999Z>},database={enabled=true,ports=[8000,8001,8002],"
        "data=[[\"delta\",\"phi\"],[3.1400000000000001]],temp_targets={cpu=79.5,case=72.0,deep={er=-0.0}}},"
        "servers={alpha={ip=\"10.0.0.1\",role={kind=\"frontend\",level=3}},beta={ip=\"10.0.0.2\"}},"
        "products=[{name=\"Hammer\",sku=738594937},{},{name=\"Nail\",parts=[{x=65535}],meta={y=1000,"
        "\"quoted key\"={sub=+inf},\"lit key\"=-nan,nums=[15,5,6.02e+23,-1e-10,+nan,"
        "9223372036854775807]}}]}");
}
END_TEST

START_TEST(test_truncation_at_every_prefix)
{
    /* The rich sample and a real Cargo.lock cut at every length: a tree or an error, never a
     * crash or a read past the end (the copy is exactly sized for AddressSanitizer). */
    size_t trees = 0, n = strlen(rich_sample);
    for (size_t len = 0; len <= n; len++)
        trees += (size_t)parse_checked(rich_sample, len);
    ck_assert_uint_gt(trees, 10);
    const char *path = test_corpus_path("cargo-real-2019/wasm-web/Cargo.lock");
    if (!path)
        return;
    size_t lock_len;
    char *lock = test_read_file(path, &lock_len);
    trees = 0;
    for (size_t len = 0; len <= lock_len; len++) {
        int ok = parse_checked(lock, len);
        trees += (size_t)ok;
        /* Cut right before a [[package]] header, the prefix is a whole lock with the packages so far. */
        if (len > 0 && len + 11 <= lock_len && lock[len - 1] == '\n' && memcmp(lock + len, "[[package]]", 11) == 0) {
            ck_assert_msg(ok, "prefix of %zu bytes rejected", len);
            arena a;
            arena_init(&a);
            vs_error err;
            toml_value *root = parse_n(&a, lock, len, &err);
            size_t headers = 0;
            for (const char *s = strstr(lock, "\n[[package]]"); s && s + 12 <= lock + len; s = strstr(s + 1, "\n[[package]]"))
                headers++;
            const toml_value *pkgs = toml_get(root, "package");
            ck_assert_uint_eq(pkgs ? pkgs->n : 0, headers);
            arena_free(&a);
        }
    }
    ck_assert_uint_gt(trees, 40);
    free(lock);
}
END_TEST

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* Applies 1-4 random edits: delete, insert a TOML-significant piece, replace a byte, duplicate
 * a line, delete a run. */
static size_t mutate(char *buf, size_t len, size_t cap, uint64_t *rng)
{
    static const char *pieces[] = { "[", "]", "[[", "]]", "{", "}", "=", ".", ",", "\"", "'", "\"\"\"", "'''",
                                    "\\", "\n", "\r\n", "#", " ", "a", "b.c", "1", "0", "_", "e", "+", "-", ":",
                                    "T", "Z", "inf", "nan", "true", "0x", "1979-05-27", "07:32:00", "\\u00e9",
                                    "\xC3\xA9", "\x7F", "\r", "[a]\n", "[[a]]\n", "a.b = 1\n", "x = {y = 1}\n",
                                    "\xFF", "\\U0001F600", "1e400", "9223372036854775808" };
    int edits = 1 + (int)(next_random(rng) % 4);
    for (int e = 0; e < edits; e++) {
        size_t pos = len ? next_random(rng) % (len + 1) : 0;
        switch (next_random(rng) % 5) {
        case 0:
            if (len && pos < len) {
                memmove(buf + pos, buf + pos + 1, len - pos - 1);
                len--;
            }
            break;
        case 1: {
            const char *piece = pieces[next_random(rng) % (sizeof pieces / sizeof pieces[0])];
            size_t k = strlen(piece);
            if (len + k <= cap) {
                memmove(buf + pos + k, buf + pos, len - pos);
                memcpy(buf + pos, piece, k);
                len += k;
            }
            break;
        }
        case 2:
            if (pos < len)
                buf[pos] = (char)(next_random(rng) & 0xFF);
            break;
        case 3: {
            /* Duplicate the line around pos at the end (a redefinition, most of the time). */
            size_t s = pos, t = pos;
            while (s > 0 && buf[s - 1] != '\n')
                s--;
            while (t < len && buf[t] != '\n')
                t++;
            if (len + (t - s) + 1 <= cap) {
                buf[len++] = '\n';
                memmove(buf + len, buf + s, t - s);
                len += t - s;
            }
            break;
        }
        default: {
            size_t k = 1 + next_random(rng) % 10;
            if (pos + k <= len) {
                memmove(buf + pos, buf + pos + k, len - pos - k);
                len -= k;
            }
            break;
        }
        }
    }
    return len;
}

static size_t run_mutations(const char *seed, size_t seed_len, int rounds, uint64_t rng)
{
    size_t cap = seed_len + 4096, trees = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (int r = 0; r < rounds; r++) {
        memcpy(buf, seed, seed_len);
        size_t len = mutate(buf, seed_len, cap, &rng);
        trees += (size_t)parse_checked(buf, len);
    }
    free(buf);
    return trees;
}

START_TEST(test_random_mutations)
{
    tree_nodes = 0;
    size_t trees = run_mutations(rich_sample, strlen(rich_sample), 3000, 0x9E3779B97F4A7C15ull);
    ck_assert_uint_gt(trees, 100);    /* some mutations keep the document valid ... */
    ck_assert_uint_lt(trees, 2900);   /* ... most do not */
    const char *path = test_corpus_path("cargo-real-2019/actix-web1/Cargo.toml");
    if (!path)
        return;
    size_t len;
    char *text = test_read_file(path, &len);
    trees = run_mutations(text, len, 1500, 12345);
    ck_assert_uint_gt(trees, 50);
    free(text);
    path = test_corpus_path("cargo-real-2019/wasm-web/Cargo.lock");
    text = test_read_file(path, &len);
    trees = run_mutations(text, len, 1500, 777);
    ck_assert_uint_gt(trees, 50);
    free(text);
}
END_TEST

/* Small inputs from the fuzzing corpus of tests/fuzz/fuzz_toml.c (5 minutes, 4.3 million runs,
 * no crash found): they keep the paths the fuzzer found hardest to reach covered. */
START_TEST(test_fuzz_corpus_samples)
{
    assert_error("a=\"\"\"\\\r", "t.toml:1:7: expected a newline after the line-ending backslash, found control "
                 "character 0x0D");
    assert_error("a=\"\"\"\\\r\n\\\r", "t.toml:2:2: expected a newline after the line-ending backslash, found "
                 "control character 0x0D");
    assert_error("a=\"\"\"\\\t\nr\\\t", "t.toml:2:4: expected a newline after the line-ending backslash, found "
                 "end of input");
    assert_error("\xEF\xBB\xBFSANIANII", "t.toml:1:9: expected '.' or '=' after the key, found end of input");
    assert_error("a ={b={c= {", "t.toml:1:12: expected a key, found end of input");
    assert_error("'''''''", "t.toml:1:3: expected '.' or '=' after the key, found '''");
    assert_error("\"\"\"\"\"\"\"\"=1", "t.toml:1:3: expected '.' or '=' after the key, found '\"'");
    assert_error("a={b.c=1,b.d={}}\n[a.b.d]", "t.toml:2:2: expected a key naming a table or an array of tables, "
                 "found 'a', already defined at 1:3 as an inline table (closed to extension)");
    assert_error("[[a]]\n[a.b]\n[[a]]\n[a.b]\n[[a.b]]", "t.toml:5:5: expected an array of tables or a new key, "
                 "found 'a.b', already defined at 4:1 as a table by a header");
    assert_error("[[ a. b ]]\n[ a . \"b\" ]", "t.toml:2:7: expected a table that is not defined yet, "
                 "found 'a . \"b\"', already defined at 1:1 as an array of tables");
    assert_tree("a = \"\"\"\n\n\"\"\"", "{a=\"\\n\"}");
    assert_tree("a= \"\"\"\r\n\"\"\"", "{a=\"\"}");
}
END_TEST

/* ---- the real corpora ---------------------------------------------------------------------- */

static toml_value *parse_file(arena *a, const char *path, vs_error *err)
{
    size_t len;
    char *text = test_read_file(path, &len);
    vs_error_clear(err);
    toml_value *v = toml_parse(a, path, text, len, err);
    free(text);
    return v;
}

/* Checks a Cargo.lock against its project's resolved.txt (registry packages as name@version
 * lines, sorted) when there is one; returns the number of [[package]] entries. */
static size_t check_lock(const char *dir, const toml_value *root)
{
    const toml_value *version = toml_get(root, "version");
    ck_assert_ptr_nonnull(version);
    ck_assert_int_eq(version->kind, TOML_INTEGER);
    ck_assert_int_eq(version->i, 4);
    const toml_value *pkgs = toml_get(root, "package");
    ck_assert_ptr_nonnull(pkgs);
    ck_assert_int_eq(pkgs->kind, TOML_ARRAY);
    size_t registry = 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/resolved.txt", dir);

    size_t rlen;
    char *resolved = test_read_file(path, &rlen);
    for (size_t i = 0; i < pkgs->n; i++) {
        const toml_value *p = pkgs->items[i];
        ck_assert_int_eq(p->kind, TOML_TABLE);
        const toml_value *name = toml_get(p, "name"), *ver = toml_get(p, "version");
        ck_assert_msg(name && name->kind == TOML_STRING && ver && ver->kind == TOML_STRING, "package %zu", i);
        const toml_value *deps = toml_get(p, "dependencies");
        if (deps) {
            ck_assert_int_eq(deps->kind, TOML_ARRAY);
            for (size_t d = 0; d < deps->n; d++)
                ck_assert_int_eq(deps->items[d]->kind, TOML_STRING);
        }
        if (toml_get(p, "source")) {
            char line[512];
            snprintf(line, sizeof line, "%s@%s\n", name->str, ver->str);
            ck_assert_msg(strstr(resolved, line) != NULL, "%s: %s not in resolved.txt", dir, line);
            registry++;
        }
    }
    size_t lines = 0;
    for (size_t i = 0; i < rlen; i++)
        lines += resolved[i] == '\n';
    ck_assert_uint_eq(registry, lines);
    free(resolved);
    return pkgs->n;
}

/* Parses BASE/PROJECT/Cargo.toml (package.name is PROJECT) and BASE/PROJECT/Cargo.lock. */
static void check_projects(const char *base, int *tomls, int *locks)
{
    DIR *d = opendir(base);
    ck_assert_msg(d != NULL, "cannot open %s", base);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char dir[4096], path[4200];
        snprintf(dir, sizeof dir, "%s/%s", base, e->d_name);
        snprintf(path, sizeof path, "%s/Cargo.toml", dir);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fclose(f);
        arena a;
        arena_init(&a);
        vs_error err;
        toml_value *root = parse_file(&a, path, &err);
        ck_assert_msg(root != NULL, "%s", err.message);
        const toml_value *name = toml_get(toml_get(root, "package"), "name");
        ck_assert_msg(name && name->kind == TOML_STRING, "%s: no package.name", path);
        ck_assert_str_eq(name->str, e->d_name);
        ck_assert_ptr_nonnull(toml_get(root, "dependencies"));
        (*tomls)++;
        snprintf(path, sizeof path, "%s/Cargo.lock", dir);
        if ((f = fopen(path, "rb"))) {
            fclose(f);
            root = parse_file(&a, path, &err);
            ck_assert_msg(root != NULL, "%s", err.message);
            size_t n = check_lock(dir, root);
            if (strcmp(e->d_name, "actix-web1") == 0)
                ck_assert_uint_eq(n, 199);
            if (strcmp(e->d_name, "wasm-web") == 0)
                ck_assert_uint_eq(n, 41);
            (*locks)++;
        }
        arena_free(&a);
    }
    closedir(d);
}

START_TEST(test_corpus_cargo_real)
{
    const char *base = test_corpus_path("cargo-real-2019");
    if (!base)
        return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", base);
    int tomls = 0, locks = 0;
    check_projects(dir, &tomls, &locks);
    ck_assert_int_eq(tomls, 14);
    ck_assert_int_eq(locks, 11);
    /* One manifest in detail. */
    arena a;
    arena_init(&a);
    vs_error err;
    snprintf(dir, sizeof dir, "%s/actix-web1/Cargo.toml", base);
    toml_value *root = parse_file(&a, dir, &err);
    ck_assert_ptr_nonnull(root);
    const toml_value *deps = toml_get(root, "dependencies");
    ck_assert_str_eq(deps->keys[0], "actix-web");
    const toml_value *aw = deps->items[0];
    ck_assert_str_eq(toml_get(aw, "version")->str, "1.0.8");
    ck_assert_str_eq(toml_get(aw, "features")->items[0]->str, "rust-tls");
    ck_assert_str_eq(toml_get(deps, "rustls")->str, "0.15");
    ck_assert_str_eq(toml_get(toml_get(root, "package"), "edition")->str, "2018");
    arena_free(&a);
}
END_TEST

START_TEST(test_corpus_cargo_peers)
{
    const char *base = test_peers_path("cargo/projects");
    if (!base) {
        printf("SKIP toml peers: no shared/peers/cargo/projects\n");
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", base);
    int tomls = 0, locks = 0;
    check_projects(dir, &tomls, &locks);
    ck_assert_int_ge(tomls, 7);
    arena a;
    arena_init(&a);
    vs_error err;
    snprintf(dir, sizeof dir, "%s/edge-cases/Cargo.toml", base);
    toml_value *root = parse_file(&a, dir, &err);
    ck_assert_ptr_nonnull(root);
    const toml_value *regex = toml_get(toml_get(root, "dependencies"), "regex");
    ck_assert_int_eq(toml_get(regex, "default-features")->kind, TOML_BOOL);
    ck_assert_int_eq(toml_get(regex, "default-features")->b, 0);
    ck_assert_uint_eq(toml_get(regex, "features")->n, 2);
    arena_free(&a);
}
END_TEST

Suite *toml_suite(void);
Suite *toml_suite(void)
{
    Suite *s = suite_create("toml");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_dotted_keys);
    tcase_add_test(tc, test_tables);
    tcase_add_test(tc, test_arrays_of_tables);
    tcase_add_test(tc, test_inline_tables);
    tcase_add_test(tc, test_arrays);
    tcase_add_test(tc, test_basic_strings);
    tcase_add_test(tc, test_multiline_strings);
    tcase_add_test(tc, test_literal_strings);
    tcase_add_test(tc, test_integers);
    tcase_add_test(tc, test_floats);
    tcase_add_test(tc, test_booleans);
    tcase_add_test(tc, test_datetimes);
    tcase_add_test(tc, test_comments_and_newlines);
    tcase_add_test(tc, test_positions);
    tcase_add_test(tc, test_get_and_kind_names);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_rich_sample);
    tcase_add_test(tc, test_fuzz_corpus_samples);
    suite_add_tcase(s, tc);
    TCase *big = tcase_create("big");
    tcase_set_timeout(big, 300);
    tcase_add_test(big, test_big_lock);
    suite_add_tcase(s, big);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 300);
    tcase_add_test(hostile, test_truncation_at_every_prefix);
    tcase_add_test(hostile, test_random_mutations);
    suite_add_tcase(s, hostile);
    TCase *corpora = tcase_create("corpora");
    tcase_set_timeout(corpora, 300);
    tcase_add_test(corpora, test_corpus_cargo_real);
    tcase_add_test(corpora, test_corpus_cargo_peers);
    suite_add_tcase(s, corpora);
    return s;
}
