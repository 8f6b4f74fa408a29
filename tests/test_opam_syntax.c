/* test_opam_syntax.c: tests of the opam file lexer/parser: constructs, precedence, errors, mutations. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "opam_filter.h"
#include "opam_print.h"
#include "opam_syntax.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct text_buf {
    char data[4096];
    size_t len;
} text_buf;

static void put(text_buf *b, const char *s)
{
    size_t n = strlen(s);
    ck_assert_msg(b->len + n < sizeof b->data, "dump too long");
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

static void put_escaped(text_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char piece[8];
        if (c == '"' || c == '\\')
            snprintf(piece, sizeof piece, "\\%c", c);
        else if (c == '\n')
            snprintf(piece, sizeof piece, "\\n");
        else if (c < 0x20 || c >= 0x7f)
            snprintf(piece, sizeof piece, "\\x%02X", c);
        else
            snprintf(piece, sizeof piece, "%c", c);
        put(b, piece);
    }
}

/* An S-expression rendering of a value: atoms as written, "strings" re-escaped,
 * [list], (group ...), (opt VALUE ITEMS...), (OP LHS RHS), (OP RHS) for prefix operators. */
static void dump_node(text_buf *b, const opam_node *n)
{
    char num[32];
    switch (n->kind) {
    case OPAM_BOOL: put(b, n->bval ? "true" : "false"); return;
    case OPAM_INT: snprintf(num, sizeof num, "%lld", n->ival); put(b, num); return;
    case OPAM_STRING: put(b, "\""); put_escaped(b, n->str, n->len); put(b, "\""); return;
    case OPAM_IDENT: put(b, n->str); return;
    case OPAM_RELOP:
    case OPAM_ENVOP:
        put(b, "(");
        put(b, n->kind == OPAM_RELOP ? opam_relop_str(n->op) : opam_envop_str(n->envop));
        put(b, " "); dump_node(b, n->lhs); put(b, " "); dump_node(b, n->rhs); put(b, ")");
        return;
    case OPAM_PFXRELOP:
        put(b, "("); put(b, opam_relop_str(n->op)); put(b, " "); dump_node(b, n->rhs); put(b, ")");
        return;
    case OPAM_AND:
    case OPAM_OR:
        put(b, n->kind == OPAM_AND ? "(& " : "(| ");
        dump_node(b, n->lhs); put(b, " "); dump_node(b, n->rhs); put(b, ")");
        return;
    case OPAM_NOT:
    case OPAM_DEFINED:
        put(b, n->kind == OPAM_NOT ? "(! " : "(? ");
        dump_node(b, n->rhs); put(b, ")");
        return;
    case OPAM_LIST:
    case OPAM_GROUP:
    case OPAM_OPTION:
        if (n->kind == OPAM_LIST)
            put(b, "[");
        else if (n->kind == OPAM_GROUP)
            put(b, "(group");
        else {
            put(b, "(opt ");
            dump_node(b, n->lhs);
        }
        for (size_t i = 0; i < n->n_items; i++) {
            if (i > 0 || n->kind != OPAM_LIST)
                put(b, " ");
            dump_node(b, n->items[i]);
        }
        put(b, n->kind == OPAM_LIST ? "]" : ")");
        return;
    }
    ck_abort_msg("unknown node kind %d", (int)n->kind);
}

/* Parses "x: VALUE" and returns the dump of the value (static buffer, valid until the next call). */
static const char *dump_value(const char *value_text)
{
    static text_buf out;
    char text[2048];
    snprintf(text, sizeof text, "x: %s", value_text);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    opam_file *f = opam_parse(&a, "t.opam", text, strlen(text), &err);
    ck_assert_msg(f != NULL, "parse of <%s> failed: %s", text, err.message);
    ck_assert_uint_eq(f->n_items, 1);
    out.len = 0;
    out.data[0] = '\0';
    dump_node(&out, f->items[0]->value);
    arena_free(&a);
    return out.data;
}

#define ck_assert_value(text, expected) ck_assert_str_eq(dump_value(text), expected)

/* Parses text expecting an error; returns the message (static buffer). */
static void check_planned_parse(const opam_file *full, const vs_error *err, const char *name, const char *text,
                                size_t len);

static const char *parse_error(const char *text, size_t len)
{
    static vs_error err;
    arena a;
    arena_init(&a);
    vs_error_clear(&err);
    opam_file *f = opam_parse(&a, "bad.opam", text, len, &err);
    ck_assert_msg(f == NULL, "expected <%.*s> to be rejected", (int)len, text);
    ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
    check_planned_parse(f, &err, "bad.opam", text, len);   /* the same error when the field is skimmed */
    arena_free(&a);
    return err.message;
}

/* Asserts that the error for `text` starts with `prefix` (e.g. "bad.opam:2:5: expected"). */
#define ck_assert_error(text, prefix)                                                               \
    do {                                                                                            \
        const char *msg_ = parse_error((text), strlen(text));                                       \
        ck_assert_msg(strncmp(msg_, (prefix), strlen(prefix)) == 0, "for <%s>: got \"%s\", want prefix \"%s\"", \
                      (text), msg_, (prefix));                                                      \
    } while (0)

/* ---- fields, sections, atoms ------------------------------------------------------------- */

START_TEST(test_fields_and_sections)
{
    const char *text =
        "opam-version: \"2.0\"\n"
        "name: \"pkg\"\n"
        "url {\n"
        "  src: \"https://example.org/a.tgz\"\n"
        "  checksum: [\"md5=00\" \"sha256=11\"]\n"
        "}\n"
        "extra-source \"fix.patch\" {\n"
        "  src: \"https://example.org/fix.patch\"\n"
        "}\n"
        "empty {}\n";
    arena a;
    arena_init(&a);
    vs_error err;
    opam_file *f = opam_parse(&a, "t.opam", text, strlen(text), &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    ck_assert_str_eq(f->filename, "t.opam");
    ck_assert_uint_eq(f->n_items, 5);

    ck_assert_int_eq(f->items[0]->is_section, 0);
    ck_assert_str_eq(f->items[0]->name, "opam-version");
    ck_assert_uint_eq(f->items[0]->line, 1);
    ck_assert_uint_eq(f->items[0]->col, 1);
    ck_assert_int_eq(f->items[0]->value->kind, OPAM_STRING);
    ck_assert_str_eq(f->items[0]->value->str, "2.0");
    ck_assert_uint_eq(f->items[0]->value->line, 1);
    ck_assert_uint_eq(f->items[0]->value->col, 15);

    opam_item *url = f->items[2];
    ck_assert_int_eq(url->is_section, 1);
    ck_assert_str_eq(url->name, "url");
    ck_assert_ptr_null(url->label);
    ck_assert_uint_eq(url->line, 3);
    ck_assert_uint_eq(url->n_items, 2);
    ck_assert_str_eq(url->items[0]->name, "src");
    ck_assert_uint_eq(url->items[0]->line, 4);
    ck_assert_uint_eq(url->items[0]->col, 3);
    ck_assert_str_eq(url->items[1]->name, "checksum");
    ck_assert_int_eq(url->items[1]->value->kind, OPAM_LIST);
    ck_assert_uint_eq(url->items[1]->value->n_items, 2);
    ck_assert_str_eq(url->items[1]->value->items[1]->str, "sha256=11");
    ck_assert_uint_eq(url->items[1]->value->items[1]->col, 23);

    opam_item *extra = f->items[3];
    ck_assert_int_eq(extra->is_section, 1);
    ck_assert_str_eq(extra->name, "extra-source");
    ck_assert_str_eq(extra->label, "fix.patch");
    ck_assert_uint_eq(extra->n_items, 1);

    ck_assert_int_eq(f->items[4]->is_section, 1);
    ck_assert_uint_eq(f->items[4]->n_items, 0);

    const opam_node *name = opam_file_field(f, "name");
    ck_assert_ptr_nonnull(name);
    ck_assert_str_eq(name->str, "pkg");
    ck_assert_ptr_null(opam_file_field(f, "url"));      /* a section, not a field */
    ck_assert_ptr_null(opam_file_field(f, "version"));
    arena_free(&a);
}
END_TEST

START_TEST(test_empty_and_comment_only_files)
{
    const char *texts[] = { "", "   \n\t\r\n", "# only a comment", "(* only (* nested *) *)\n# x\n" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        arena a;
        arena_init(&a);
        vs_error err;
        opam_file *f = opam_parse(&a, "t.opam", texts[i], strlen(texts[i]), &err);
        ck_assert_msg(f != NULL, "<%s>: %s", texts[i], err.message);
        ck_assert_uint_eq(f->n_items, 0);
        arena_free(&a);
    }
    arena a;
    arena_init(&a);
    vs_error err;
    opam_file *f = opam_parse(&a, "t.opam", NULL, 0, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->n_items, 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_atoms)
{
    ck_assert_value("true", "true");
    ck_assert_value("false", "false");
    ck_assert_value("42", "42");
    ck_assert_value("-7", "-7");
    ck_assert_value("0", "0");
    ck_assert_value("1_000", "1000");
    ck_assert_value("-9223372036854775808", "-9223372036854775808");
    ck_assert_value("9223372036854775807", "9223372036854775807");
    ck_assert_value("build", "build");
    ck_assert_value("ocaml:version", "ocaml:version");
    ck_assert_value("_:doc", "_:doc");
    ck_assert_value("os-distribution", "os-distribution");
    ck_assert_value("a+b", "a+b");
    ck_assert_value("a+_+c:d-e", "a+_+c:d-e");
    ck_assert_value("0install", "0install");
    ck_assert_value("trueish", "trueish");
    ck_assert_value("false_", "false_");
    ck_assert_value("-foo", "-foo");
    ck_assert_value("-1a", "-1a");
}
END_TEST

START_TEST(test_lexical_boundaries)
{
    /* A lone '_' lexes as an (invalid) integer, as in opam. */
    ck_assert_error("x: _", "bad.opam:1:4: expected an integer starting with a digit, found '_'");
    /* "1-2" is the integer 1 followed by the integer -2 (an integer cannot hold an inner '-'). */
    ck_assert_value("[1-2]", "[1 -2]");
    /* The ':' part needs a letter; otherwise ':' is its own token. */
    ck_assert_value("[a b]", "[a b]");
    ck_assert_error("x: a:1", "bad.opam:1:5: expected a field name or a section, found ':'");
    /* "conf-g++" is not one identifier (opam writes such names as strings). */
    ck_assert_error("x: conf-g++", "bad.opam:1:10: expected a token, found '+' (only '+=' is an operator)");
    ck_assert_value("[\"conf-g++\" {build}]", "[(opt \"conf-g++\" build)]");
    /* "a+" stops before a '+' that does not start a part. */
    ck_assert_value("[a += b]", "[(+= a b)]");
    ck_assert_value("[a+=b]", "[(+= a b)]");
}
END_TEST

START_TEST(test_strings)
{
    ck_assert_value("\"plain\"", "\"plain\"");
    ck_assert_value("\"\"", "\"\"");
    ck_assert_value("\"a\\\\b\\\"c\\'d\"", "\"a\\\\b\\\"c'd\"");
    ck_assert_value("\"\\n\\r\\t\\b\\ \"", "\"\\n\\x0D\\x09\\x08 \"");
    ck_assert_value("\"\\065\\066\\255\"", "\"AB\\xFF\"");
    ck_assert_value("\"\\x41\\x6a\\x6A\"", "\"Ajj\"");
    ck_assert_value("\"%{name}%-%{version}%\"", "\"%{name}%-%{version}%\"");
    /* backslash-newline drops the break and the next line's leading blanks */
    ck_assert_value("\"one \\\n   \t two\"", "\"one two\"");
    ck_assert_value("\"one \\\r\n  two\"", "\"one two\"");
    /* raw newlines are kept; CRLF inside a string becomes LF */
    ck_assert_value("\"a\nb\r\nc\"", "\"a\\nb\\nc\"");
    /* triple-quoted: lone and double quotes need no escape, escapes still work */
    ck_assert_value("\"\"\"say \"hi\" and \"\"twice\"\" \\x21\"\"\"", "\"say \\\"hi\\\" and \\\"\\\"twice\\\"\\\" !\"");
    ck_assert_value("\"\"\"\"\"\"", "\"\"");
    ck_assert_value("\"\"\"a\\\"\"\"\"", "\"a\\\"\"");
    ck_assert_value("[\"\"\"a\"\"\"\"b\"]", "[\"a\" \"b\"]");
    /* # and (* inside strings are not comments */
    ck_assert_value("\"# (* not a comment *)\"", "\"# (* not a comment *)\"");
    /* line breaks inside strings (copied at once when plain) still count for positions */
    ck_assert_error("x: \"a\nb\nc\" y: \"\"\"d\ne\"\"\"\n  ]", "bad.opam:5:3: expected");
    ck_assert_error("x: \"a\\\"\nb\" y: \"c\r\nd\"\n ]", "bad.opam:4:2: expected");
}
END_TEST

START_TEST(test_string_with_nul)
{
    /* \000 and a raw NUL byte are both kept, and len counts them */
    const char text[] = "x: \"a\\000b\" y: \"c\0d\"";
    arena a;
    arena_init(&a);
    vs_error err;
    opam_file *f = opam_parse(&a, "t.opam", text, sizeof text - 1, &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    ck_assert_uint_eq(f->n_items, 2);
    ck_assert_uint_eq(f->items[0]->value->len, 3);
    ck_assert_int_eq(memcmp(f->items[0]->value->str, "a\0b", 4), 0);
    ck_assert_uint_eq(f->items[1]->value->len, 3);
    ck_assert_int_eq(memcmp(f->items[1]->value->str, "c\0d", 4), 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_positions_after_multiline_tokens)
{
    const char *text =
        "description: \"\"\"\n"
        "line two\n"
        "line three\"\"\" (* a\n"
        "comment *) depends: [\n"
        "\t\"a\" \"b\\\n"
        "    c\" d]\n";
    arena a;
    arena_init(&a);
    vs_error err;
    opam_file *f = opam_parse(&a, "t.opam", text, strlen(text), &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    ck_assert_uint_eq(f->n_items, 2);
    ck_assert_str_eq(f->items[0]->value->str, "\nline two\nline three");
    ck_assert_uint_eq(f->items[1]->line, 4);
    ck_assert_uint_eq(f->items[1]->col, 12);
    const opam_node *deps = f->items[1]->value;
    ck_assert_uint_eq(deps->line, 4);
    ck_assert_uint_eq(deps->col, 21);
    ck_assert_uint_eq(deps->n_items, 3);
    ck_assert_uint_eq(deps->items[0]->line, 5);
    ck_assert_uint_eq(deps->items[0]->col, 2);    /* a tab counts as one column */
    ck_assert_str_eq(deps->items[1]->str, "bc");
    ck_assert_uint_eq(deps->items[1]->line, 5);
    ck_assert_uint_eq(deps->items[1]->col, 6);
    ck_assert_uint_eq(deps->items[2]->line, 6);
    ck_assert_uint_eq(deps->items[2]->col, 8);
    arena_free(&a);
}
END_TEST

START_TEST(test_comments)
{
    ck_assert_value("[a # comment ] b\n c]", "[a c]");
    ck_assert_value("[a (* x (* nested *) still comment *) b]", "[a b]");
    ck_assert_value("[a (**) b (* ( * ) *) c]", "[a b c]");
    ck_assert_value("[a (b) (* c *)]", "[a (group b)]");
    ck_assert_value("[a] # no newline at the end", "[a]");
}
END_TEST

/* ---- operators and precedence ------------------------------------------------------------ */

START_TEST(test_relops)
{
    ck_assert_value("a = b", "(= a b)");
    ck_assert_value("a != \"b\"", "(!= a \"b\")");
    ck_assert_value("a < 1", "(< a 1)");
    ck_assert_value("a <= 1", "(<= a 1)");
    ck_assert_value("a > 1", "(> a 1)");
    ck_assert_value("a >= 1", "(>= a 1)");
    ck_assert_value("a>=1", "(>= a 1)");
    ck_assert_value("[>= \"1.0\"]", "[(>= \"1.0\")]");
    ck_assert_value("[< \"2\" != \"1\"]", "[(< \"2\") (!= \"1\")]");
    ck_assert_value("\"dune\" {>= \"3.0\" & with-test}", "(opt \"dune\" (& (>= \"3.0\") with-test))");
    ck_assert_value("\"a\" {= \"1\" | = \"2\"}", "(opt \"a\" (| (= \"1\") (= \"2\")))");
    ck_assert_value("[\"a\" >= \"1\" \"b\"]", "[(>= \"a\" \"1\") \"b\"]");
}
END_TEST

START_TEST(test_envops)
{
    ck_assert_value("[PATH += \"x\"]", "[(+= PATH \"x\")]");
    ck_assert_value("[PATH =+ \"x\"]", "[(=+ PATH \"x\")]");
    ck_assert_value("[PATH =+= \"x\"]", "[(=+= PATH \"x\")]");
    ck_assert_value("[PATH := \"x\"]", "[(:= PATH \"x\")]");
    ck_assert_value("[PATH =: \"x\"]", "[(=: PATH \"x\")]");
    ck_assert_value("[PATH = \"x\"]", "[(= PATH \"x\")]");
    ck_assert_str_eq(opam_envop_str(OPAM_ENV_EQPLUSEQ), "=+=");
}
END_TEST

START_TEST(test_logops_and_prefix)
{
    ck_assert_value("a & b", "(& a b)");
    ck_assert_value("a | b", "(| a b)");
    ck_assert_value("a & b & c", "(& (& a b) c)");
    ck_assert_value("a | b | c", "(| (| a b) c)");
    ck_assert_value("a | b & c", "(| a (& b c))");
    ck_assert_value("a & b | c", "(| (& a b) c)");
    ck_assert_value("!a", "(! a)");
    ck_assert_value("?a", "(? a)");
    ck_assert_value("!!a", "(! (! a))");
    ck_assert_value("!a & b", "(& (! a) b)");
    ck_assert_value("!a | b", "(| (! a) b)");
    ck_assert_value("!a = b", "(! (= a b))");
    ck_assert_value("?a & b", "(& (? a) b)");
    ck_assert_value("!(a | b) & c", "(& (! (group (| a b))) c)");
    ck_assert_value("a = b & c != d | e", "(| (& (= a b) (!= c d)) e)");
    ck_assert_value("!>= \"1\"", "(! (>= \"1\"))");
}
END_TEST

START_TEST(test_options_precedence)
{
    ck_assert_value("a {x}", "(opt a x)");
    ck_assert_value("a {}", "(opt a)");
    ck_assert_value("a {x y z}", "(opt a x y z)");
    ck_assert_value("a {x} {y}", "(opt (opt a x) y)");
    ck_assert_value("a & b {x}", "(& a (opt b x))");
    ck_assert_value("a | b {x}", "(| a (opt b x))");
    ck_assert_value("!a {x}", "(! (opt a x))");
    ck_assert_value("a = \"1\" {x}", "(opt (= a \"1\") x)");
    ck_assert_value("[>= \"1\" {x}]", "[(opt (>= \"1\") x)]");
    ck_assert_value("(a b) {x}", "(opt (group a b) x)");
    ck_assert_value("[a b] {x}", "(opt [a b] x)");
    ck_assert_value("[\"a\" {x} \"b\" {y}]", "[(opt \"a\" x) (opt \"b\" y)]");
    ck_assert_value("[a {b {c}}]", "[(opt a (opt b c))]");
    ck_assert_value("(\"ocaml\" {>= \"4.08\"} | (\"ocaml\" {< \"4.08~~\"} & \"secondary\"))",
                    "(group (| (opt \"ocaml\" (>= \"4.08\")) (group (& (opt \"ocaml\" (< \"4.08~~\")) \"secondary\"))))");
}
END_TEST

START_TEST(test_lists_and_groups)
{
    ck_assert_value("[]", "[]");
    ck_assert_value("()", "(group)");
    ck_assert_value("[[a b] [c]]", "[[a b] [c]]");
    ck_assert_value("[a & b c]", "[(& a b) c]");
    ck_assert_value("[a !b]", "[a (! b)]");
    ck_assert_value("[a (b c) d]", "[a (group b c) d]");
    ck_assert_value("[\"a\"\"b\"]", "[\"a\" \"b\"]");
    ck_assert_value("[a\"b\"c]", "[a \"b\" c]");
}
END_TEST

START_TEST(test_field_value_ends_at_next_field)
{
    arena a;
    arena_init(&a);
    vs_error err;
    const char *text = "a: b c: \"d\" {x} e: f & g url { src: h }";
    opam_file *f = opam_parse(&a, "t.opam", text, strlen(text), &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    ck_assert_uint_eq(f->n_items, 4);
    ck_assert_str_eq(f->items[0]->value->str, "b");
    ck_assert_int_eq(f->items[1]->value->kind, OPAM_OPTION);
    ck_assert_int_eq(f->items[2]->value->kind, OPAM_AND);
    ck_assert_int_eq(f->items[3]->is_section, 1);
    ck_assert_str_eq(f->items[3]->items[0]->value->str, "h");
    arena_free(&a);
}
END_TEST

START_TEST(test_relop_strings)
{
    ck_assert_str_eq(opam_relop_str(OPAM_EQ), "=");
    ck_assert_str_eq(opam_relop_str(OPAM_NEQ), "!=");
    ck_assert_str_eq(opam_relop_str(OPAM_LT), "<");
    ck_assert_str_eq(opam_relop_str(OPAM_LEQ), "<=");
    ck_assert_str_eq(opam_relop_str(OPAM_GT), ">");
    ck_assert_str_eq(opam_relop_str(OPAM_GEQ), ">=");
}
END_TEST

/* ---- errors ------------------------------------------------------------------------------ */

START_TEST(test_error_positions)
{
    ck_assert_error("x: [a b", "bad.opam:1:8: expected a value or ']' to close the [ at 1:4, found end of input");
    ck_assert_error("x: (a b]", "bad.opam:1:8: expected a value or ')' to close the ( at 1:4, found ']'");
    ck_assert_error("x: a {b", "bad.opam:1:8: expected a value or '}' to close the { at 1:6, found end of input");
    ck_assert_error("x: a]", "bad.opam:1:5: expected a field name or a section, found ']'");
    ck_assert_error("x: [a]\n}", "bad.opam:2:1: expected a field name or a section, found '}'");
    ck_assert_error("url {\n  src: \"a\"\n", "bad.opam:3:1: expected a field name, a section or '}', found end of input");
    ck_assert_error("url {\n  src: \"a\"\n  ]", "bad.opam:3:3: expected a field name, a section or '}', found ']'");
    ck_assert_error("x:", "bad.opam:1:3: expected a value for field 'x', found end of input");
    ck_assert_error("x: y: z", "bad.opam:1:5: expected a field name or a section, found ':'");
    ck_assert_error("x:\n  ]", "bad.opam:2:3: expected a value for field 'x', found ']'");
    ck_assert_error("x \"y\"", "bad.opam:1:6: expected '{' after the section name, found end of input");
    ck_assert_error("x y", "bad.opam:1:3: expected ':' or '{' after 'x', found identifier 'y'");
    ck_assert_error("x \"y\" z", "bad.opam:1:7: expected '{' after the section name, found identifier 'z'");
    ck_assert_error("\"x\": 1", "bad.opam:1:1: expected a field name or a section, found string \"x\"");
    ck_assert_error("true: 1", "bad.opam:1:1: expected a field name or a section, found true");
    ck_assert_error("12: 1", "bad.opam:1:1: expected a field name or a section, found integer 12");
    ck_assert_error("x: [a &]", "bad.opam:1:8: expected a value, found ']'");
    ck_assert_error("x: a |", "bad.opam:1:7: expected a value, found end of input");
    ck_assert_error("x: !", "bad.opam:1:5: expected a value, found end of input");
    ck_assert_error("x: [>=]", "bad.opam:1:7: expected a string, identifier, integer or boolean after the comparison operator, found ']'");
    ck_assert_error("x: a = [b]", "bad.opam:1:8: expected a string, identifier, integer or boolean after the comparison operator, found '['");
    ck_assert_error("x: a += (b)", "bad.opam:1:9: expected a string, identifier, integer or boolean after the environment operator, found '('");
    ck_assert_error("x: a = b = c", "bad.opam:1:10: expected a field name or a section, found '='");
    ck_assert_error("x: (a) = b", "bad.opam:1:8: expected a field name or a section, found '='");
    ck_assert_error("x: [a = !b]", "bad.opam:1:9: expected a string, identifier, integer or boolean after the comparison operator, found '!'");
    ck_assert_error("x: [a\n\n   }", "bad.opam:3:4: expected a value or ']' to close the [ at 1:4, found '}'");
}
END_TEST

START_TEST(test_lexical_errors)
{
    ck_assert_error("x: \"abc", "bad.opam:1:4: expected '\"' to close this string, found end of input");
    ck_assert_error("x: \"abc\\", "bad.opam:1:4: expected '\"' to close this string, found end of input");
    ck_assert_error("x: \"abc\\\"", "bad.opam:1:4: expected '\"' to close this string, found end of input");
    ck_assert_error("x:\n \"\"\"abc\"\"", "bad.opam:2:2: expected '\"\"\"' to close this string, found end of input");
    ck_assert_error("x: a (* b (* c *)", "bad.opam:1:6: expected '*)' to close this comment, found end of input");
    ck_assert_error("x: \"a\\qb\"", "bad.opam:1:6: expected an escape sequence");
    ck_assert_error("x: \"a\\q\"", "bad.opam:1:6: expected an escape sequence (\\\\ \\\" \\' \\n \\r \\t \\b \\<space> \\DDD \\xHH or \\<newline>), found '\\q'");
    ck_assert_error("x: \"a\\256\"", "bad.opam:1:6: expected an escape sequence");
    ck_assert_error("x: \"a\\25\"", "bad.opam:1:6: expected an escape sequence");
    ck_assert_error("x: \"a\\xg0\"", "bad.opam:1:6: expected an escape sequence");
    ck_assert_error("x: \"a\\x4\"", "bad.opam:1:6: expected an escape sequence");
    ck_assert_error("x: \"line1\nline2 \\z\"", "bad.opam:2:7: expected an escape sequence");
    ck_assert_error("x: [a ~ b]", "bad.opam:1:7: expected a token, found '~'");
    ck_assert_error("x: [a @ b]", "bad.opam:1:7: expected a token, found '@'");
    ck_assert_error("x: [a - b]", "bad.opam:1:7: expected a token, found '-'");
    ck_assert_error("x: [a + b]", "bad.opam:1:7: expected a token, found '+'");
    ck_assert_error("x: [a ; b]", "bad.opam:1:7: expected a token, found ';'");
    ck_assert_error("x: 99999999999999999999", "bad.opam:1:4: expected an integer that fits in 64 bits, found 99999999999999999999");
    ck_assert_error("x: 9223372036854775808", "bad.opam:1:4: expected an integer that fits in 64 bits");
    ck_assert_error("x: -_1", "bad.opam:1:4: expected an integer starting with a digit");
    ck_assert_error("x: \"caf\xC3\xA9\" \xC3\xA9", "bad.opam:1:12: expected a token, found byte 0xC3");
    ck_assert_error("x: [a \x01]", "bad.opam:1:7: expected a token, found byte 0x01");
}
END_TEST

/* A node counts a string's bytes in 32 bits: a file of 4 GiB or more is refused before a byte is
 * read (the length here is a lie the parser must not act on). */
START_TEST(test_huge_file_refused)
{
    static const char text[] = "x: 1";
    if (SIZE_MAX <= UINT32_MAX)
        return;
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_ptr_null(opam_parse(&a, "big.opam", text, (size_t)UINT32_MAX + 1, &err));
    ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
    ck_assert_str_eq(err.message, "big.opam:1:1: expected a file of less than 4 GiB, found 4294967296 bytes");
    arena_free(&a);
}
END_TEST

START_TEST(test_nul_byte_outside_string)
{
    const char text[] = "x: [a \0 b]";
    const char *msg = parse_error(text, sizeof text - 1);
    ck_assert_str_eq(msg, "bad.opam:1:7: expected a token, found a NUL byte");
    /* the NUL must not end the input early: content after it is still seen */
    const char text2[] = "x: \"a\" # c\0mment\ny: [";
    msg = parse_error(text2, sizeof text2 - 1);
    ck_assert_str_eq(msg, "bad.opam:2:5: expected a value or ']' to close the [ at 2:4, found end of input");
}
END_TEST

START_TEST(test_long_tokens_in_messages_are_truncated)
{
    char text[600];
    memset(text, 'a', sizeof text);
    memcpy(text, "x: y ", 5);
    text[5] = '"';
    text[sizeof text - 1] = '"';
    const char *msg = parse_error(text, sizeof text);
    ck_assert_msg(strlen(msg) < 200, "message too long: %s", msg);
    ck_assert_msg(strstr(msg, "bad.opam:1:6: expected ") == msg, "%s", msg);
    ck_assert_msg(strstr(msg, "...") != NULL, "%s", msg);
}
END_TEST

/* prefix + open^depth + middle + close^depth, malloc'd. */
static char *nested(const char *prefix, const char *open, size_t depth, const char *middle, const char *close)
{
    size_t lp = strlen(prefix), lo = strlen(open), lm = strlen(middle), lc = strlen(close);
    char *s = malloc(lp + depth * (lo + lc) + lm + 1);
    ck_assert_ptr_nonnull(s);
    char *p = s;
    memcpy(p, prefix, lp);
    p += lp;
    for (size_t i = 0; i < depth; i++, p += lo)
        memcpy(p, open, lo);
    memcpy(p, middle, lm);
    p += lm;
    for (size_t i = 0; i < depth; i++, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    return s;
}

START_TEST(test_nesting_limit)
{
    /* The field's value is level 1, so OPAM_MAX_DEPTH - 1 brackets still fit. */
    char *ok = nested("x: ", "[", OPAM_MAX_DEPTH - 1, "a", "]");
    arena a;
    arena_init(&a);
    vs_error err;
    ck_assert_msg(opam_parse(&a, "t.opam", ok, strlen(ok), &err) != NULL, "%s", err.message);
    arena_free(&a);
    free(ok);

    char *too_deep = nested("x: ", "[", OPAM_MAX_DEPTH, "a", "]");
    char expected[128];
    snprintf(expected, sizeof expected, "bad.opam:1:%d: expected at most %d levels of nesting, found deeper nesting",
             3 + OPAM_MAX_DEPTH + 1, OPAM_MAX_DEPTH);
    ck_assert_str_eq(parse_error(too_deep, strlen(too_deep)), expected);
    free(too_deep);

    /* Far deeper inputs of every recursive construct fail cleanly (no stack overflow). */
    const char *opens[] = { "[", "(", "!", "?", "a {", "s {" };
    const char *closes[] = { "]", ")", "", "", "}", "}" };
    for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
        char *deep = nested(i == 5 ? "" : "x: ", opens[i], 100000, i == 5 ? "" : "a", closes[i]);
        const char *msg = parse_error(deep, strlen(deep));
        ck_assert_msg(strstr(msg, "levels of nesting") != NULL, "%s: %s", opens[i], msg);
        free(deep);
    }
    /* Long flat inputs are fine: chains are loops, not recursion. */
    char *chain = nested("x: a", " & a | a {b}", 100000, "", "");
    arena_init(&a);
    ck_assert_msg(opam_parse(&a, "t.opam", chain, strlen(chain), &err) != NULL, "%s", err.message);
    arena_free(&a);
    free(chain);
}
END_TEST

START_TEST(test_filename_in_messages)
{
    arena a;
    arena_init(&a);
    vs_error err;
    ck_assert_ptr_null(opam_parse(&a, "packages/foo/foo.1.0/opam", "x: [", 4, &err));
    ck_assert_str_eq(err.message, "packages/foo/foo.1.0/opam:1:5: expected a value or ']' to close the [ at 1:4, found end of input");
    ck_assert_ptr_null(opam_parse(&a, NULL, "x: [", 4, &err));
    ck_assert_msg(strncmp(err.message, "<input>:1:5: ", 13) == 0, "%s", err.message);
    arena_free(&a);
}
END_TEST

/* ---- the sample files and mutations ------------------------------------------------------ */

static const char *const sample_files[] = {
    "tests/data/opam/widget.opam",
    "tests/data/opam/conf-thing.opam",
    "tests/data/opam/compiler.opam",
    "tests/data/opam/old-style.opam",
};
#define N_SAMPLES (sizeof sample_files / sizeof sample_files[0])

START_TEST(test_sample_files_parse)
{
    for (size_t i = 0; i < N_SAMPLES; i++) {
        size_t len;
        char *text = test_read_file(test_source_path(sample_files[i]), &len);
        arena a;
        arena_init(&a);
        vs_error err;
        opam_file *f = opam_parse(&a, sample_files[i], text, len, &err);
        ck_assert_msg(f != NULL, "%s", err.message);
        const opam_node *version = opam_file_field(f, "opam-version");
        ck_assert_ptr_nonnull(version);
        ck_assert_int_eq(version->kind, OPAM_STRING);
        arena_free(&a);
        free(text);
    }
}
END_TEST

START_TEST(test_sample_compiler_details)
{
    size_t len;
    char *text = test_read_file(test_source_path("tests/data/opam/compiler.opam"), &len);
    arena a;
    arena_init(&a);
    vs_error err;
    opam_file *f = opam_parse(&a, "compiler.opam", text, len, &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    text_buf b = { .len = 0 };

    dump_node(&b, opam_file_field(f, "available"));
    ck_assert_str_eq(b.data, "(& (! (group (& (= os \"win32\") (= arch \"x86_32\")))) (? opam-version))");
    b.len = 0;
    dump_node(&b, opam_file_field(f, "setenv"));
    ck_assert_str_eq(b.data, "[[(= CAML_LD_LIBRARY_PATH \"%{lib}%/stublibs\")] [(+= OCAMLTOP_INCLUDE_PATH \"%{toplevel}%\")] "
                             "[(=+ PATH \"%{bin}%\")]]");
    b.len = 0;
    dump_node(&b, opam_file_field(f, "post-messages"));
    ck_assert_str_eq(b.data, "[(opt \"Say hello\\n\\x09and \\\"goodbye\\\"! Ajoined\" success)]");
    ck_assert_int_eq(opam_file_field(f, "x-priority")->ival, -1);
    ck_assert_int_eq(opam_file_field(f, "x-count")->ival, 1000);
    ck_assert_str_eq(opam_file_field(f, "synopsis")->str, "Example compiler package (* with a comment *)");
    const opam_node *depends = opam_file_field(f, "depends");
    ck_assert_uint_eq(depends->line, 6);
    ck_assert_uint_eq(depends->items[2]->line, 9);
    ck_assert_uint_eq(depends->items[2]->col, 3);
    arena_free(&a);
    free(text);
}
END_TEST

/* A plan that builds a few fields (depends kept in another arena) and skims the rest gives
 * the same error as the whole parse (full, err), or else the same items of those names. Two
 * plans: one builds the field "x" of the small cases, the other skims it. */
static void check_planned_parse(const opam_file *full, const vs_error *err, const char *name, const char *text,
                                size_t len)
{
    static const char *const keep[] = { "depends" };
    static const char *const only[] = { "depends", "url", "available", "flags", "x" };
    for (size_t n_only = sizeof only / sizeof only[0]; n_only >= 4; n_only--) {
        arena a, kept, out;
        arena_init(&a);
        arena_init(&kept);
        arena_init(&out);
        opam_parse_plan plan = { &kept, keep, 1, only, n_only };
        vs_error perr;
        vs_error_clear(&perr);
        opam_file *f = opam_parse_planned(&a, &plan, name, text, len, &perr);
        ck_assert_msg(!f == !full, "planned parse %s where the whole one %s", f ? "passes" : perr.message,
                      full ? "passes" : err->message);
        if (!f) {
            ck_assert_int_eq(perr.code, err->code);
            ck_assert_str_eq(perr.message, err->message);
        } else {
            size_t j = 0;
            for (size_t i = 0; i < full->n_items; i++) {
                const opam_item *it = full->items[i];
                int wanted = 0;
                for (size_t k = 0; k < n_only; k++)
                    wanted |= !strcmp(it->name, only[k]);
                if (!wanted)
                    continue;
                ck_assert_uint_lt(j, f->n_items);
                const opam_item *pt = f->items[j++];
                ck_assert_str_eq(pt->name, it->name);
                ck_assert_int_eq(pt->is_section, it->is_section);
                ck_assert_uint_eq(pt->line, it->line);
                ck_assert_uint_eq(pt->col, it->col);
                ck_assert_uint_eq(pt->n_items, it->n_items);
                if (!it->is_section)
                    ck_assert_str_eq(opam_value_text(&out, pt->value), opam_value_text(&out, it->value));
            }
            ck_assert_uint_eq(j, f->n_items);
        }
        arena_free(&out);
        arena_free(&kept);
        arena_free(&a);
    }
}

/* Parses buf[0..len) from an exactly-sized heap copy (so ASan catches any read past the end)
 * and checks the outcome: a tree, or an error "NAME:LINE:COL: expected ..." whose position
 * lies within the text. */
static void check_parse_outcome(const char *name, const char *buf, size_t len)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, buf, len);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    opam_file *f = opam_parse(&a, name, copy, len, &err);
    if (!f) {
        ck_assert_int_eq(err.code, VSOLVE_EBADINPUT);
        size_t name_len = strlen(name);
        ck_assert_msg(strncmp(err.message, name, name_len) == 0 && err.message[name_len] == ':', "%s", err.message);
        unsigned line = 0, col = 0;
        int consumed = 0;
        ck_assert_msg(sscanf(err.message + name_len, ":%u:%u: expected %n", &line, &col, &consumed) == 2
                          && consumed > 0, "bad message format: %s", err.message);
        /* the position must exist: line within the text, column at most one past the line's end */
        unsigned lines = 1;
        size_t line_start = 0;
        for (size_t i = 0; i < len && lines < line; i++)
            if (buf[i] == '\n') {
                lines++;
                line_start = i + 1;
            }
        ck_assert_msg(lines == line, "line %u beyond the text: %s", line, err.message);
        size_t line_len = 0;
        while (line_start + line_len < len && buf[line_start + line_len] != '\n')
            line_len++;
        ck_assert_msg(col >= 1 && col <= line_len + 1, "column %u beyond line of %zu bytes: %s", col, line_len,
                      err.message);
    }
    check_planned_parse(f, &err, name, copy, len);
    arena_free(&a);
    free(copy);
}

START_TEST(test_every_truncation_prefix)
{
    for (size_t i = 0; i < N_SAMPLES; i++) {
        size_t len;
        char *text = test_read_file(test_source_path(sample_files[i]), &len);
        for (size_t cut = 0; cut <= len; cut++)
            check_parse_outcome("cut.opam", text, cut);
        free(text);
    }
}
END_TEST

/* xorshift64*: a small deterministic generator, state passed explicitly. */
static unsigned long long next_random(unsigned long long *state)
{
    unsigned long long x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ULL;
}

START_TEST(test_seeded_mutations)
{
    static const char interesting[] = "\"\\{}[]()&|!?=<>+:#*-_~\n\r\t \0\x80\xff";
    unsigned long long state = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < N_SAMPLES; i++) {
        size_t len;
        char *text = test_read_file(test_source_path(sample_files[i]), &len);
        char *buf = malloc(len + 16);
        ck_assert_ptr_nonnull(buf);
        for (int round = 0; round < 1500; round++) {
            memcpy(buf, text, len);
            size_t n = len;
            int edits = 1 + (int)(next_random(&state) % 4);
            for (int e = 0; e < edits; e++) {
                size_t at = n ? (size_t)(next_random(&state) % n) : 0;
                unsigned long long what = next_random(&state);
                unsigned char byte = (what >> 8) & 1 ? (unsigned char)interesting[(what >> 16) % (sizeof interesting - 1)]
                                                    : (unsigned char)(what >> 24);
                switch (what % 4) {
                case 0: /* flip one bit */
                    if (n)
                        buf[at] = (char)(buf[at] ^ (1u << ((what >> 32) % 8)));
                    break;
                case 1: /* overwrite a byte */
                    if (n)
                        buf[at] = (char)byte;
                    break;
                case 2: /* insert a byte */
                    if (n < len + 16) {
                        memmove(buf + at + 1, buf + at, n - at);
                        buf[at] = (char)byte;
                        n++;
                    }
                    break;
                default: /* delete a byte */
                    if (n) {
                        memmove(buf + at, buf + at + 1, n - at - 1);
                        n--;
                    }
                    break;
                }
            }
            check_parse_outcome("mut.opam", buf, n);
        }
        free(buf);
        free(text);
    }
}
END_TEST

/* ---- inputs ending inside a token ---------------------------------------------------------
 * Fuzzing (tests/fuzz, ~18M runs seeded with opam-repository files) found no crash so far; these
 * are the places where the lexer looks ahead and could read past the end. Each is parsed from an
 * exactly-sized heap copy, so ASan reports any overread. Add fuzzer finds here. */

START_TEST(test_inputs_ending_mid_token)
{
    static const struct { const char *text; const char *error; } cases[] = {
        { "x: \"a\\", "cut.opam:1:4: expected '\"' to close this string" },
        { "x: \"a\\0", "cut.opam:1:4: expected '\"' to close this string" },
        { "x: \"\"\"a\"\"", "cut.opam:1:4: expected '\"\"\"' to close this string" },
        { "x: \"\"\"", "cut.opam:1:4: expected '\"\"\"' to close this string" },
        { "x: \"\"", NULL },
        { "x: (", "cut.opam:1:5: expected a value or ')' to close the ( at 1:4, found end of input" },
        { "x: a (", "cut.opam:1:6: expected a field name or a section, found '('" },
        { "x: a (*", "cut.opam:1:6: expected '*)' to close this comment" },
        { "x: a (* *", "cut.opam:1:6: expected '*)' to close this comment" },
        { "x: [a =", "cut.opam:1:8: expected a string, identifier, integer or boolean" },
        { "x: [a !", "cut.opam:1:8: expected a value, found end of input" },
        { "x: [a <", "cut.opam:1:8: expected a string, identifier, integer or boolean" },
        { "x: [a +", "cut.opam:1:7: expected a token, found '+'" },
        { "x: [a :", "cut.opam:1:7: expected a value or ']' to close the [ at 1:4, found ':'" },
        { "x: -", "cut.opam:1:4: expected a token, found '-'" },
        { "a:", "cut.opam:1:3: expected a value for field 'a', found end of input" },
        { "x: a:", "cut.opam:1:5: expected a field name or a section, found ':'" },
        { "x: ab+", "cut.opam:1:6: expected a token, found '+'" },
        { "x: 1_", NULL },
        { "x: tru", NULL },
        { "x: a #", NULL },
        { "x", "cut.opam:1:2: expected ':' or '{' after 'x', found end of input" },
        { "x \"", "cut.opam:1:3: expected '\"' to close this string" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].text);
        check_parse_outcome("cut.opam", cases[i].text, len);
        char *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, cases[i].text, len);
        arena a;
        arena_init(&a);
        vs_error err;
        vs_error_clear(&err);
        opam_file *f = opam_parse(&a, "cut.opam", copy, len, &err);
        if (cases[i].error == NULL)
            ck_assert_msg(f != NULL, "<%s>: %s", cases[i].text, err.message);
        else
            ck_assert_msg(f == NULL && strncmp(err.message, cases[i].error, strlen(cases[i].error)) == 0,
                          "<%s>: got \"%s\", want prefix \"%s\"", cases[i].text, err.message, cases[i].error);
        arena_free(&a);
        free(copy);
    }
}
END_TEST

/* The platform variables from /etc/os-release (read once for its three keys) agree with what
 * the shell reads from it; a Linux host without the file is "linux" with no version. */
START_TEST(test_platform_from_os_release)
{
    opam_vars v;
    ck_assert_int_eq(opam_vars_init(&v), VSOLVE_OK);
    ck_assert_ptr_nonnull(opam_vars_get(&v, "arch"));
    if (strcmp(opam_vars_get(&v, "os"), "linux") != 0) {
        opam_vars_free(&v);
        return;
    }
    FILE *p = popen("test -r /etc/os-release && (. /etc/os-release; printf '%s\\n%s\\n%s\\n' \"${ID:-linux}\" "
                    "\"$VERSION_ID\" \"${ID_LIKE%% *}\")", "r");
    ck_assert_ptr_nonnull(p);
    char want[3][256] = { "linux", "", "" };
    for (int i = 0; i < 3 && fgets(want[i], sizeof want[i], p); i++)
        want[i][strcspn(want[i], "\n")] = '\0';
    pclose(p);
    ck_assert_str_eq(opam_vars_get(&v, "os-distribution"), want[0]);
    const char *version = opam_vars_get(&v, "os-version");
    ck_assert_str_eq(version ? version : "", want[1]);
    ck_assert_str_eq(opam_vars_get(&v, "os-family"), want[2][0] ? want[2] : want[0]);
    opam_vars_free(&v);
}
END_TEST

Suite *opam_syntax_suite(void);   /* called by check_main.c */

Suite *opam_syntax_suite(void)
{
    Suite *s = suite_create("opam_syntax");
    TCase *tc = tcase_create("constructs");
    tcase_add_test(tc, test_fields_and_sections);
    tcase_add_test(tc, test_empty_and_comment_only_files);
    tcase_add_test(tc, test_atoms);
    tcase_add_test(tc, test_lexical_boundaries);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_huge_file_refused);
    tcase_add_test(tc, test_string_with_nul);
    tcase_add_test(tc, test_positions_after_multiline_tokens);
    tcase_add_test(tc, test_comments);
    tcase_add_test(tc, test_relops);
    tcase_add_test(tc, test_envops);
    tcase_add_test(tc, test_logops_and_prefix);
    tcase_add_test(tc, test_options_precedence);
    tcase_add_test(tc, test_lists_and_groups);
    tcase_add_test(tc, test_field_value_ends_at_next_field);
    tcase_add_test(tc, test_relop_strings);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_error_positions);
    tcase_add_test(tc, test_lexical_errors);
    tcase_add_test(tc, test_nul_byte_outside_string);
    tcase_add_test(tc, test_long_tokens_in_messages_are_truncated);
    tcase_add_test(tc, test_nesting_limit);
    tcase_add_test(tc, test_filename_in_messages);
    suite_add_tcase(s, tc);

    tc = tcase_create("samples");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sample_files_parse);
    tcase_add_test(tc, test_sample_compiler_details);
    tcase_add_test(tc, test_every_truncation_prefix);
    tcase_add_test(tc, test_seeded_mutations);
    tcase_add_test(tc, test_inputs_ending_mid_token);
    tcase_add_test(tc, test_platform_from_os_release);
    suite_add_tcase(s, tc);
    return s;
}
