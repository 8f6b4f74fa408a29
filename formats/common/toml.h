/* toml.h: a TOML 1.0 reader (Cargo.toml, Cargo.lock) building a tree in an arena, with
 * file:line:col errors. */
#ifndef VSOLVE_TOML_H
#define VSOLVE_TOML_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"

typedef enum toml_kind {
    TOML_TABLE,      /* keys/items; also inline tables and each element of an array of tables */
    TOML_ARRAY,      /* items (keys NULL) */
    TOML_STRING,     /* str/len: unescaped UTF-8 */
    TOML_INTEGER,    /* i */
    TOML_FLOAT,      /* f (inf, nan allowed) */
    TOML_BOOL,       /* b */
    TOML_DATETIME    /* str: the literal as written (offset/local date-time, local date, local time) */
} toml_kind;

typedef struct toml_value toml_value;
struct toml_value {
    toml_kind kind;
    unsigned line, col;        /* 1-based position where the value (or table header) starts */
    const char *str;           /* TOML_STRING, TOML_DATETIME (NUL-terminated) */
    size_t len;
    int64_t i;
    double f;
    int b;
    const char **keys;         /* TOML_TABLE: keys in document order (unescaped) */
    toml_value **items;        /* TOML_TABLE values, parallel to keys; TOML_ARRAY elements */
    size_t n;
};

/* Parses a whole TOML document (text need not be NUL-terminated; any bytes) into its root
 * table. Every TOML 1.0 rule is enforced: key redefinition, table redefinition, appending to
 * a static array with [[x]], inline tables closed to later extension, newline rules in inline
 * tables, string escapes (\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX, line-ending backslash in
 * multi-line basic strings), integer forms (decimal with _, 0x 0o 0b, no leading zeros,
 * 64-bit range), floats, datetimes, UTF-8 validity, control characters. Errors:
 * "FILE:LINE:COL: expected ..., found ..." (VSOLVE_EBADINPUT); nesting beyond 256 is an error. */
toml_value *toml_parse(arena *a, const char *filename, const char *text, size_t len, vs_error *err);

/* Details: columns count bytes from 1; a leading UTF-8 byte order mark is skipped; a newline
 * inside a multi-line string reads as LF (also when written CRLF); seconds may be 60 (RFC 3339
 * leap second); floats beyond the double range are an error; tables and arrays nest at most
 * 256 deep counting from the root (so a recursive walk of the tree is safe). A key written with
 * \u0000 keeps its full length for the duplicate checks but reads as its prefix in keys[].
 * err is left untouched on success; VSOLVE_ENOMEM when the arena runs out. */

/* Table member lookup (linear scan), or NULL (also when t is not a table). To visit every
 * member of a big table, walk keys[]/items[] instead of calling this per key. */
const toml_value *toml_get(const toml_value *t, const char *key);

/* "table", "array", "string", "integer", "float", "boolean" or "date-time", for messages. */
const char *toml_kind_name(toml_kind kind);

#endif
