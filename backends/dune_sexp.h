/* dune_sexp.h: a small reader/writer for dune files that keeps comments and layout.
 *
 * Every node keeps the exact text before it (whitespace, `;` comments, `#| |#` blocks, `#;`
 * datum comments) and a list keeps the text before its `)`, so writing an unmodified document
 * gives back the input byte for byte; edits touch only the nodes they change. Atoms keep their
 * raw text: a quoted string keeps its quotes and escapes. Nodes live in the document's arena. */
#ifndef VSOLVE_DUNE_SEXP_H
#define VSOLVE_DUNE_SEXP_H
#include <stddef.h>
#include "arena.h"
#include "error.h"

typedef struct dsx dsx;
struct dsx {
    int is_list;
    const char *atom;       /* raw token (atoms only) */
    const char *pre;        /* text before the node */
    const char *tail;       /* text before ')' (lists; the end of the file for the root) */
    dsx **kids;
    size_t n, cap;
    unsigned line, col;     /* where the node starts, 1-based */
};

typedef struct dsx_doc {
    arena a;
    dsx *root;              /* a list without parentheses: the file's top-level forms */
} dsx_doc;

/* Parses text (len bytes) of the dune file `file` (for messages). VSOLVE_OK, VSOLVE_EBADINPUT
 * with file:line:col, or VSOLVE_ENOMEM. On success free doc with dsx_free. */
int  dsx_parse(dsx_doc *doc, const char *file, const char *text, size_t len, vs_error *err);
void dsx_free(dsx_doc *doc);
/* The document as text, malloc'd (*len bytes, NUL-terminated); NULL when out of memory. */
char *dsx_write(const dsx_doc *doc, size_t *len);

/* The head atom of a list ("library" for (library ...)), or NULL. */
const char *dsx_head(const dsx *n);
/* The first field `(key ...)` among list's children, or NULL. */
dsx *dsx_field(const dsx *list, const char *key);
/* The unquoted value of an atom (quotes and simple escapes removed), in the doc's arena. */
const char *dsx_value(dsx_doc *doc, const dsx *atom);
/* New nodes in doc's arena (NULL when out of memory). */
dsx *dsx_new_atom(dsx_doc *doc, const char *text, const char *pre);
dsx *dsx_new_list(dsx_doc *doc, const char *pre);
/* Appends / removes a child; append returns 0 when out of memory. */
int  dsx_append(dsx_doc *doc, dsx *list, dsx *kid);
void dsx_remove(dsx *list, size_t i);
/* Replaces an atom's text (arena copy); 0 when out of memory. */
int  dsx_set_atom(dsx_doc *doc, dsx *atom, const char *text);

#endif
