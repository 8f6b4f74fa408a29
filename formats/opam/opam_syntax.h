/* opam_syntax.h: the opam 2 file syntax (lexer + parser) producing an AST in an arena.
 *
 * Grammar (opam manual, "Common file format"):
 *   file    ::= { item }
 *   item    ::= IDENT ':' value                     -- a field
 *             | IDENT [STRING] '{' { item } '}'     -- a section, e.g. url { ... }
 *   value   ::= BOOL | INT | STRING | IDENT | '[' {value} ']' | '(' {value} ')'
 *             | value '{' {value} '}'               -- option (filter / constraint)
 *             | atom RELOP atom | RELOP atom       -- relop: = != < <= > >=
 *             | atom ENVOP atom                    -- envop: += =+ =+= := =: (setenv, build-env)
 *             | value '&' value | value '|' value | '!' value | '?' value
 *   atom    ::= BOOL | INT | STRING | IDENT
 * Precedence, loosest first (as opam's OpamBaseParser.mly): '|', '&', prefix '!' and '?',
 * option '{', then RELOP/ENVOP, whose operands are single atoms. So
 *   a | b & c        = a | (b & c)          !a & b      = (!a) & b
 *   a & b {x}        = a & (b {x})          !a {x}      = !(a {x})
 *   a = "1" {x}      = (a = "1") {x}        >= "1" {x}  = (>= "1") {x}
 *   a = b = c, (a) = b, a = !b              are syntax errors, as in opam.
 * Strings: "..." with \\ \" \n \t \r \b \' \<space> \NNN (decimal, <= 255) \xHH and
 * backslash-newline (which also drops the next line's leading blanks);
 * """...""" triple-quoted (no escapes needed for a lone "). Comments: '#' to end of line, (* nested *).
 * IDENT (opam's lexer): parts of [A-Za-z0-9_-] holding a letter, or a lone '_', joined by '+',
 * optionally followed by ':' and one more part (package:var), e.g. ocaml:version, _:doc, a+b:c.
 * ("conf-g++" is not an identifier for opam either; package names with '+' are written as strings.)
 * INT: -?[0-9_]+ starting with a digit after the sign; ties with IDENT go to INT, longer match wins.
 */
#ifndef VSOLVE_OPAM_SYNTAX_H
#define VSOLVE_OPAM_SYNTAX_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"

typedef enum opam_node_kind {
    OPAM_BOOL,      /* bval */
    OPAM_INT,       /* ival */
    OPAM_STRING,    /* str (unescaped, NUL-terminated; may contain \0 only if the file had \000: len holds it) */
    OPAM_IDENT,     /* str: identifier or variable, e.g. "build", "ocaml:version" */
    OPAM_RELOP,     /* op, lhs, rhs */
    OPAM_PFXRELOP,  /* op, rhs only: {>= "1.0"} */
    OPAM_AND,       /* lhs & rhs */
    OPAM_OR,        /* lhs | rhs */
    OPAM_NOT,       /* ! rhs */
    OPAM_DEFINED,   /* ? rhs */
    OPAM_LIST,      /* [ items ] */
    OPAM_GROUP,     /* ( items ) */
    OPAM_OPTION,    /* lhs { items } */
    OPAM_ENVOP      /* envop, lhs, rhs: PATH += "x" ("FOO = x" is an OPAM_RELOP, as in opam) */
} opam_node_kind;

typedef enum opam_relop { OPAM_EQ, OPAM_NEQ, OPAM_LT, OPAM_LEQ, OPAM_GT, OPAM_GEQ } opam_relop;

/* Environment update operators:  +=  =+  =+=  :=  =:  */
typedef enum opam_envop {
    OPAM_ENV_PLUSEQ, OPAM_ENV_EQPLUS, OPAM_ENV_EQPLUSEQ, OPAM_ENV_COLONEQ, OPAM_ENV_EQCOLON
} opam_envop;

typedef struct opam_node opam_node;
/* 48 bytes (a repository's kept fields are some 700,000 of them): ival, str and items share
 * their place, so read only the one the node's kind names; every other field is 0 (NULL)
 * where the kind does not use it. */
struct opam_node {
    opam_node_kind kind;
    unsigned line, col;          /* 1-based position of the node's first token */
    unsigned char op;            /* opam_relop: OPAM_RELOP, OPAM_PFXRELOP */
    unsigned char envop;         /* opam_envop: OPAM_ENVOP */
    unsigned char bval;          /* OPAM_BOOL */
    uint32_t len;                /* OPAM_STRING, OPAM_IDENT: length of str */
    uint32_t n_items;            /* OPAM_LIST, OPAM_GROUP, OPAM_OPTION: length of items */
    union {
        long long ival;          /* OPAM_INT */
        const char *str;         /* OPAM_STRING, OPAM_IDENT */
        opam_node **items;       /* OPAM_LIST, OPAM_GROUP, OPAM_OPTION's option values */
    };
    opam_node *lhs, *rhs;        /* operators, OPAM_OPTION (lhs = the value) */
};

typedef struct opam_item opam_item;
struct opam_item {
    int is_section;              /* 0: field "name: value"; 1: section "name [label] { items }" */
    const char *name;
    unsigned line, col;
    opam_node *value;            /* field */
    const char *label;           /* section label string, or NULL */
    opam_item **items;           /* section contents */
    size_t n_items;
};

typedef struct opam_file {
    const char *filename;        /* as given to the parser, for messages */
    opam_item **items;
    size_t n_items;
} opam_file;

/* Parses text[0..len) (need not be NUL-terminated; may contain any bytes).
 * All memory comes from `a`. On error returns NULL and sets err to
 * "FILE:LINE:COL: expected ..., found ..." (VSOLVE_EBADINPUT; VSOLVE_ENOMEM when the arena
 * fails). LINE and COL are 1-based, COL counts bytes. Never reads outside the buffer,
 * never nests deeper than OPAM_MAX_DEPTH (deeper is an error, not a crash). */
#define OPAM_MAX_DEPTH 200
opam_file *opam_parse(arena *a, const char *filename, const char *text, size_t len, vs_error *err);

/* What opam_parse_planned builds of a file beyond checking its syntax. */
typedef struct opam_parse_plan {
    /* The values of the top-level fields named in keep_fields[0..n_keep) are allocated in keep
     * (a few other bytes may land there too), so they outlive the file's arena: the rest of the
     * file can be dropped without copying them. A file that fails may leave bytes in keep. */
    arena *keep;
    const char *const *keep_fields;
    size_t n_keep;
    /* NULL: every top-level item is built. Otherwise only the top-level fields and sections
     * named in only[0..n_only); the others are parsed just as strictly (the same errors at the
     * same places) but nothing of them is built, and they are left out of the file's items. */
    const char *const *only;
    size_t n_only;
} opam_parse_plan;

/* opam_parse, as plan says. */
opam_file *opam_parse_planned(arena *a, const opam_parse_plan *plan, const char *filename, const char *text,
                              size_t len, vs_error *err);

/* Returns the value of the first top-level field called `name`, or NULL. */
const opam_node *opam_file_field(const opam_file *f, const char *name);

const char *opam_relop_str(opam_relop op);
const char *opam_envop_str(opam_envop op);

#endif
