/* json.h: a small JSON (RFC 8259) reader building a tree in an arena, with line:col errors. */
#ifndef VSOLVE_JSON_H
#define VSOLVE_JSON_H
#include <stddef.h>
#include "arena.h"
#include "error.h"

typedef enum json_kind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json_value json_value;
struct json_value {
    json_kind kind;
    unsigned line, col;       /* 1-based position of the value's first character */
    int b;                    /* JSON_BOOL */
    double num;               /* JSON_NUMBER */
    const char *numtext;      /* JSON_NUMBER: the literal as written, NUL-terminated */
    const char *str;          /* JSON_STRING: UTF-8, unescaped, NUL-terminated; a lazy container: its text */
    size_t len;               /* JSON_STRING: byte length (may contain \0 from \u0000); lazy: text length */
    json_value **items;       /* JSON_ARRAY elements; JSON_OBJECT values */
    const char **keys;        /* JSON_OBJECT keys, parallel to items (unescaped, NUL-terminated) */
    const size_t *key_lens;   /* JSON_OBJECT key byte lengths (a key may contain \0 from \u0000) */
    size_t n;                 /* element / member count */
};

/* One finished child of an array or object still being parsed (key is NULL in arrays). */
typedef struct json_member {
    const char *key;
    size_t key_len;
    json_value *value;
} json_member;

/* A reader's state, on the caller's stack: its fields are json.c's own. */
typedef struct json_reader {
    const unsigned char *text;
    size_t len;
    size_t pos;              /* next byte to read */
    unsigned line;           /* line of pos, 1-based */
    size_t line_start;       /* offset of the first byte of that line */
    const char *filename;
    arena *arena;
    vs_error *err;
    unsigned keep;           /* containers at this depth or deeper are validated, not built */
    /* Children of all open containers, innermost last; a container copies its own
     * run into the arena once when it closes. Reused for the whole document. */
    json_member *members;
    size_t members_len, members_cap;
    /* The string being unescaped (only strings that contain escapes go through here). */
    char *bytes;
    size_t bytes_len, bytes_cap;
    /* json_reader_*: containers open around pos; is the innermost one just entered? */
    unsigned depth;
    int fresh;
} json_reader;

/* Parses exactly one JSON value from text[0..len) (surrounding whitespace allowed; text need
 * not be NUL-terminated and is never read outside that range). Duplicate keys are kept in order.
 * Returns NULL with err = "FILE:LINE:COL: expected ..., found ..." on malformed input (columns
 * count bytes from 1; a leading UTF-8 byte order mark is skipped), or VSOLVE_ENOMEM.
 * Nesting deeper than 512 levels is an error. Invalid UTF-8 in strings is an error. Numbers
 * outside the double range keep their exact numtext; num is then +-HUGE_VAL or 0.
 * err is left untouched on success. */
json_value *json_parse(arena *a, const char *filename, const char *text, size_t len, vs_error *err);

/* As json_parse, but arrays and objects enclosed by `keep` or more containers are validated
 * (every error json_parse would report is reported, at the same place) and not built: such a
 * lazy value has its kind, line and col, n == 0, and str/len pointing at its text inside
 * `text`, which must outlive the tree. keep 0: the whole document is one lazy value; 1: the
 * top-level container's members are built, their own containers left lazy. */
json_value *json_parse_lazy(arena *a, const char *filename, const char *text, size_t len, unsigned keep,
                            vs_error *err);
/* Parses a lazy value's text (positions in messages are those in the whole document), leaving
 * containers enclosed by `keep` or more containers (counted from v) lazy in turn. The result
 * is a new tree; v stays lazy. */
json_value *json_expand(arena *a, const char *filename, const json_value *v, unsigned keep, vs_error *err);
/* Member KEY (the first of that name) of the lazy object v, built whole, without building the
 * others: *out NULL when v has no such member. */
int json_lazy_get(arena *a, const char *filename, const json_value *v, const char *key, const json_value **out,
                  vs_error *err);
/* Is v an array or object left unparsed by json_parse_lazy / json_expand? */
int json_is_lazy(const json_value *v);

/* ---- a pull reader: the same grammar, checks and messages as json_parse, nothing built ----
 * For a caller that wants a few fields of a document and no tree. Each call reads the next
 * piece at the reader's position; -1 means malformed input (err set as json_parse would set it
 * for that position, "FILE:LINE:COL: expected ..."), or out of memory. Strings handed out point
 * into text, or into the reader's buffer for a string with escapes: valid until the next call.
 * json_reader_done frees the buffer (always call it). */
void json_reader_init(json_reader *r, const char *filename, const char *text, size_t len, vs_error *err);
void json_reader_done(json_reader *r);
/* The kind of the value at the position (whitespace skipped), or -1 when none starts there. */
int json_reader_peek(json_reader *r);
/* Enters the array or object at the position (json_reader_peek said which). */
int json_reader_enter(json_reader *r);
/* Inside an object: 1 with the next member's key (the reader then sits at its value), 0 when
 * the object closed, -1. */
int json_reader_member(json_reader *r, const char **key, size_t *key_len);
/* Inside an array: 1 when another item follows (the reader sits at it), 0 when it closed, -1. */
int json_reader_item(json_reader *r);
/* The string at the position, unescaped (*len bytes; may hold \0; not NUL-terminated). */
int json_reader_string(json_reader *r, const char **s, size_t *len);
/* The boolean at the position (true or false). */
int json_reader_bool(json_reader *r, int *b);
/* Validates and passes over the value at the position, whatever it is. */
int json_reader_skip(json_reader *r);
/* Only whitespace is left: the document is done. */
int json_reader_end(json_reader *r);

/* Object member lookup (first match), or NULL if v is not an object or lacks the key. */
const json_value *json_get(const json_value *v, const char *key);

/* JavaScript truthiness (as npm reads package.json and packument fields): false for an absent
 * value, null, false, 0 and ""; true otherwise, empty arrays and objects included. */
int json_truthy(const json_value *v);

/* "null", "boolean", "number", "string", "array" or "object", for messages. */
const char *json_kind_name(json_kind kind);

#endif
