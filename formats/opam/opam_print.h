/* opam_print.h: opam values back to opam text (for attributes kept as text, and lock writers). */
#ifndef VSOLVE_OPAM_PRINT_H
#define VSOLVE_OPAM_PRINT_H
#include <stddef.h>
#include "arena.h"
#include "opam_syntax.h"

/* The opam text of a value, as opam would print it: strings quoted and escaped (\" \\ \n \t
 * \r and \xHH for other control bytes), lists as [a b], parenthesised groups kept, options as
 * v {f}, operators spaced ("a & b", ">= \"1.0\""). The parser's groups carry the parentheses, so
 * printing a parsed value and parsing the text again gives the same value. NUL-terminated, in
 * a; NULL when out of memory. */
char *opam_value_text(arena *a, const opam_node *n);

/* A string as an opam string literal (quoted, escaped as above), in a; NULL when out of memory. */
char *opam_string_literal(arena *a, const char *s, size_t len);

#endif
