/* opam_syntax.c: lexer and parser for the opam 2 file syntax, building an AST in an arena. */
#include "opam_syntax.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Tokens
 * ---------------------------------------------------------------------------------------- */

typedef enum token_kind {
    TOK_EOF,
    TOK_IDENT, TOK_STRING, TOK_INT, TOK_BOOL,
    TOK_COLON, TOK_LBRACE, TOK_RBRACE, TOK_LBRACKET, TOK_RBRACKET, TOK_LPAREN, TOK_RPAREN,
    TOK_RELOP, TOK_ENVOP, TOK_AND, TOK_OR, TOK_NOT, TOK_DEFINED
} token_kind;

typedef struct token {
    token_kind kind;
    unsigned line, col;
    const char *raw;      /* the token's text in the input, for messages */
    size_t raw_len;
    const char *str;      /* TOK_IDENT, TOK_STRING: NUL-terminated copy in the arena */
    size_t len;
    long long ival;       /* TOK_INT */
    int bval;             /* TOK_BOOL */
    opam_relop relop;     /* TOK_RELOP */
    opam_envop envop;     /* TOK_ENVOP */
} token;

typedef struct parser {
    arena *a;                   /* where nodes go now: file_arena, or keep during a kept field */
    arena *file_arena;
    opam_parse_plan plan;
    int skim;                   /* in a top-level item the plan leaves out: check, build nothing */
    opam_node skimmed;          /* what a skimmed value's nodes all are (written, never read) */
    opam_node *skimmed_nodes[1];   /* and its lists (never read) */
    opam_item *skimmed_items[1];
    opam_item skipped;          /* what parse_item returns for an item left out */
    vs_error *err;
    const char *filename;
    const char *p, *end;        /* lexer cursor within the input */
    unsigned line;              /* line of *p */
    const char *line_start;     /* first byte of that line */
    token tok;                  /* the current (lookahead) token */
    unsigned depth;             /* current nesting of values and sections */
    void **stack;               /* scratch stack collecting list items and section items */
    size_t stack_len, stack_cap;
} parser;

/* ------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------- */

static void error_at(parser *ps, unsigned line, unsigned col, const char *expected, const char *found)
{
    vs_error_at(ps->err, ps->filename, line, col, "expected %s, found %s", expected, found);
}

static void out_of_memory(parser *ps)
{
    vs_error_set(ps->err, VSOLVE_ENOMEM, "%s: out of memory while parsing",
                 ps->filename ? ps->filename : "<input>");
}

/* Appends text[0..n) to buf (of size cap, currently holding *used bytes), showing bytes that are
 * not printable ASCII as \xHH and stopping (with "...") once max_shown bytes of text are shown. */
static void append_shown(char *buf, size_t cap, size_t *used, const char *text, size_t n, size_t max_shown)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        char piece[8];
        if (i == max_shown) {
            snprintf(piece, sizeof piece, "...");
        } else if (c >= 0x20 && c < 0x7f) {
            piece[0] = (char)c;
            piece[1] = '\0';
        } else {
            snprintf(piece, sizeof piece, "\\x%02X", c);
        }
        size_t len = strlen(piece);
        if (*used + len + 1 > cap)
            return;
        memcpy(buf + *used, piece, len + 1);
        *used += len;
        if (i == max_shown)
            return;
    }
}

/* Describes the current token for "found ..." in messages. */
static void describe_token(const token *t, char *buf, size_t cap)
{
    size_t used = 0;
    const char *prefix = "";
    const char *quote = "'";
    switch (t->kind) {
    case TOK_EOF:
        snprintf(buf, cap, "end of input");
        return;
    case TOK_IDENT:  prefix = "identifier '"; break;
    case TOK_STRING: prefix = "string "; quote = ""; break;
    case TOK_INT:    prefix = "integer "; quote = ""; break;
    case TOK_BOOL:   prefix = ""; quote = ""; break;
    default:         prefix = "'"; break;
    }
    snprintf(buf, cap, "%s", prefix);
    used = strlen(buf);
    append_shown(buf, cap, &used, t->raw, t->raw_len, 40);
    if (used + strlen(quote) + 1 <= cap)
        strcpy(buf + used, quote);
}

static void error_at_token(parser *ps, const char *expected)
{
    char found[160];
    describe_token(&ps->tok, found, sizeof found);
    error_at(ps, ps->tok.line, ps->tok.col, expected, found);
}

/* ------------------------------------------------------------------------------------------
 * Lexer
 * ---------------------------------------------------------------------------------------- */

static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_ident_char(char c) { return is_letter(c) || is_digit(c) || c == '_' || c == '-'; }
static int is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int hex_value(char c) { return is_digit(c) ? c - '0' : (c >= 'a' ? c - 'a' + 10 : c - 'A' + 10); }

static unsigned column_of(const parser *ps, const char *at) { return (unsigned)(at - ps->line_start) + 1; }

/* Notes that a new line begins at `first` (the byte after a '\n'). */
static void start_new_line(parser *ps, const char *first)
{
    ps->line++;
    ps->line_start = first;
}

/* Length of the run of identifier characters at s; *has_letter tells whether it holds a letter. */
static size_t ident_char_run(const char *s, const char *end, int *has_letter)
{
    size_t n = 0;
    *has_letter = 0;
    while (s + n < end && is_ident_char(s[n])) {
        if (is_letter(s[n]))
            *has_letter = 1;
        n++;
    }
    return n;
}

/* Length of one identifier part at s: a run of identifier characters holding a letter, or a
 * lone '_'; 0 when there is none. */
static size_t ident_part_length(const char *s, const char *end)
{
    int has_letter;
    size_t n = ident_char_run(s, end, &has_letter);
    if (has_letter)
        return n;
    return n > 0 && s[0] == '_' ? 1 : 0;
}

/* Length of the longest identifier at s (0 if none): part ('+' part)* (':' part-with-a-letter)? */
static size_t ident_length(const char *s, const char *end)
{
    size_t len = ident_part_length(s, end);
    if (len == 0)
        return 0;
    while (s + len < end && s[len] == '+') {
        size_t part = ident_part_length(s + len + 1, end);
        if (part == 0)
            break;
        len += 1 + part;
    }
    if (s + len < end && s[len] == ':') {
        int has_letter;
        size_t part = ident_char_run(s + len + 1, end, &has_letter);
        if (has_letter)
            len += 1 + part;
    }
    return len;
}

/* Length of the longest integer literal at s (0 if none): '-'? [0-9_]+ */
static size_t int_length(const char *s, const char *end)
{
    size_t i = (s < end && s[0] == '-') ? 1 : 0;
    size_t digits = i;
    while (s + digits < end && (is_digit(s[digits]) || s[digits] == '_'))
        digits++;
    return digits > i ? digits : 0;
}

static int lex_int(parser *ps, token *t)
{
    const char *s = t->raw;
    size_t i = 0, n = t->raw_len;
    int negative = 0;
    if (s[0] == '-') {
        negative = 1;
        i = 1;
    }
    if (!is_digit(s[i])) {
        error_at(ps, t->line, t->col, "an integer starting with a digit", "'_'");
        return 0;
    }
    /* Accumulate as a negative number so that LLONG_MIN fits. */
    long long value = 0;
    for (; i < n; i++) {
        if (s[i] == '_')
            continue;
        int digit = s[i] - '0';
        if (value < (LLONG_MIN + digit) / 10) {
            char found[80];
            size_t used = 0;
            found[0] = '\0';
            append_shown(found, sizeof found, &used, s, n, 40);
            error_at(ps, t->line, t->col, "an integer that fits in 64 bits", found);
            return 0;
        }
        value = value * 10 - digit;
    }
    if (!negative && value == LLONG_MIN) {
        error_at(ps, t->line, t->col, "an integer that fits in 64 bits", "a larger one");
        return 0;
    }
    t->ival = negative ? value : -value;
    return 1;
}

/* Skips a (* nested *) comment; ps->p is at its "(*". */
static int skip_block_comment(parser *ps)
{
    unsigned line = ps->line, col = column_of(ps, ps->p);
    unsigned nesting = 0;
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '(' && ps->p + 1 < ps->end && ps->p[1] == '*') {
            nesting++;
            ps->p += 2;
        } else if (c == '*' && ps->p + 1 < ps->end && ps->p[1] == ')') {
            ps->p += 2;
            if (--nesting == 0)
                return 1;
        } else {
            ps->p++;
            if (c == '\n')
                start_new_line(ps, ps->p);
        }
    }
    error_at(ps, line, col, "'*)' to close this comment", "end of input");
    return 0;
}

/* Skips blanks, newlines and comments. */
static int skip_blanks(parser *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == ' ' || c == '\t' || c == '\r') {
            ps->p++;
        } else if (c == '\n') {
            ps->p++;
            start_new_line(ps, ps->p);
        } else if (c == '#') {
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
        } else if (c == '(' && ps->p + 1 < ps->end && ps->p[1] == '*') {
            if (!skip_block_comment(ps))
                return 0;
        } else {
            return 1;
        }
    }
    return 1;
}

/* Decodes one escape sequence; *s is just past the backslash and before `end` (the closing
 * quote). Appends the character (if any) to out[*n]. Tracks line breaks. */
static int decode_escape(parser *ps, const char **s, const char *end, char *out, size_t *n)
{
    const char *backslash = *s - 1;
    const char *e = *s;
    char c = *e;
    if (c == '\n' || (c == '\r' && e + 1 < end && e[1] == '\n')) {
        /* Backslash-newline: the line break and the next line's leading blanks vanish. */
        e += (c == '\r') ? 2 : 1;
        start_new_line(ps, e);
        while (e < end && (*e == ' ' || *e == '\t'))
            e++;
        *s = e;
        return 1;
    }
    switch (c) {
    case '\\': case '"': case '\'': case ' ':
        out[(*n)++] = c;
        *s = e + 1;
        return 1;
    case 'n': out[(*n)++] = '\n'; *s = e + 1; return 1;
    case 'r': out[(*n)++] = '\r'; *s = e + 1; return 1;
    case 't': out[(*n)++] = '\t'; *s = e + 1; return 1;
    case 'b': out[(*n)++] = '\b'; *s = e + 1; return 1;
    default:
        break;
    }
    if (end - e >= 3 && is_digit(e[0]) && is_digit(e[1]) && is_digit(e[2])) {
        int value = (e[0] - '0') * 100 + (e[1] - '0') * 10 + (e[2] - '0');
        if (value <= 255) {
            out[(*n)++] = (char)(unsigned char)value;
            *s = e + 3;
            return 1;
        }
    } else if (end - e >= 3 && c == 'x' && is_hex_digit(e[1]) && is_hex_digit(e[2])) {
        out[(*n)++] = (char)(unsigned char)(hex_value(e[1]) * 16 + hex_value(e[2]));
        *s = e + 3;
        return 1;
    }
    char found[80];
    size_t used = 0;
    size_t shown = (size_t)(end - backslash) < 4 ? (size_t)(end - backslash) : 4;
    found[0] = '\'';
    used = 1;
    append_shown(found, sizeof found, &used, backslash, shown, 4);
    if (used + 2 <= sizeof found)
        strcpy(found + used, "'");
    error_at(ps, ps->line, column_of(ps, backslash),
             "an escape sequence (\\\\ \\\" \\' \\n \\r \\t \\b \\<space> \\DDD \\xHH or \\<newline>)", found);
    return 0;
}

/* Lexes "..." or """...""" at ps->p into t. */
static int lex_string(parser *ps, token *t)
{
    int triple = ps->end - ps->p >= 3 && ps->p[1] == '"' && ps->p[2] == '"';
    const char *body = ps->p + (triple ? 3 : 1);

    /* Find the closing quote(s), stepping over escaped characters: from one '"' to the next
     * with memchr, looking for a backslash (or '\r') only in between. */
    const char *close = body;
    int plain = 1;   /* no escape and no '\r': the body is the string */
    const char *quote = body, *searched = NULL;   /* the first '"' at or after searched (NULL: none) */
    for (;;) {
        if (close >= ps->end) {
            error_at(ps, t->line, t->col, triple ? "'\"\"\"' to close this string" : "'\"' to close this string",
                     "end of input");
            return 0;
        }
        if (!searched || (quote && quote < close)) {   /* each byte searched once: linear */
            quote = memchr(close, '"', (size_t)(ps->end - close));
            searched = close;
        }
        const char *stop = quote ? quote : ps->end;
        const char *backslash = memchr(close, '\\', (size_t)(stop - close));
        if (plain && memchr(close, '\r', (size_t)((backslash ? backslash : stop) - close)))
            plain = 0;
        if (backslash) {   /* the escaped character is never a closing quote */
            plain = 0;
            close = ps->end - backslash < 2 ? ps->end : backslash + 2;
            continue;
        }
        if (!quote) {
            close = ps->end;
            continue;
        }
        if (!triple || (ps->end - quote >= 3 && quote[1] == '"' && quote[2] == '"')) {
            close = quote;
            break;
        }
        close = quote + 1;
    }

    size_t n = 0;
    const char *s = body;
    if (plain && ps->skim) {   /* nothing to check in the string and nothing to build */
        n = (size_t)(close - body);
        for (const char *nl = memchr(body, '\n', n); nl; nl = memchr(nl + 1, '\n', (size_t)(close - nl - 1)))
            start_new_line(ps, nl + 1);
        ps->p = close + (triple ? 3 : 1);
        t->kind = TOK_STRING;
        t->str = NULL;
        t->len = n;
        t->raw_len = (size_t)(ps->p - t->raw);
        return 1;
    }
    char *out = arena_alloc_uninit(ps->a, (size_t)(close - body) + 1);
    if (!out) {
        out_of_memory(ps);
        return 0;
    }
    if (plain) {   /* the common case: copy at once, note the line breaks */
        n = (size_t)(close - body);
        memcpy(out, body, n);
        for (const char *nl = memchr(body, '\n', n); nl; nl = memchr(nl + 1, '\n', (size_t)(close - nl - 1)))
            start_new_line(ps, nl + 1);
        s = close;
    }
    while (s < close) {
        char c = *s;
        if (c == '\\') {
            s++;
            if (!decode_escape(ps, &s, close, out, &n))
                return 0;
        } else if (c == '\r' && s + 1 < close && s[1] == '\n') {
            out[n++] = '\n';
            s += 2;
            start_new_line(ps, s);
        } else {
            out[n++] = c;
            s++;
            if (c == '\n')
                start_new_line(ps, s);
        }
    }
    out[n] = '\0';
    ps->p = close + (triple ? 3 : 1);
    t->kind = TOK_STRING;
    t->str = out;
    t->len = n;
    t->raw_len = (size_t)(ps->p - t->raw);
    return 1;
}

/* Lexes an identifier, boolean or integer at ps->p (longest match; an integer wins a tie). */
static int lex_word(parser *ps, token *t)
{
    size_t id_len = ident_length(ps->p, ps->end);
    size_t num_len = int_length(ps->p, ps->end);
    if (id_len == 0 && num_len == 0) {
        char found[16];
        snprintf(found, sizeof found, "'%c'", *ps->p);
        error_at(ps, t->line, t->col, "a token", found);
        return 0;
    }
    if (num_len >= id_len) {
        t->kind = TOK_INT;
        t->raw_len = num_len;
        ps->p += num_len;
        return lex_int(ps, t);
    }
    t->raw_len = id_len;
    ps->p += id_len;
    if (id_len == 4 && memcmp(t->raw, "true", 4) == 0) {
        t->kind = TOK_BOOL;
        t->bval = 1;
        return 1;
    }
    if (id_len == 5 && memcmp(t->raw, "false", 5) == 0) {
        t->kind = TOK_BOOL;
        t->bval = 0;
        return 1;
    }
    t->kind = TOK_IDENT;
    t->len = id_len;
    if (ps->skim)   /* a field name among them gets its copy in parse_item */
        return 1;
    t->str = arena_strndup(ps->a, t->raw, id_len);
    if (!t->str) {
        out_of_memory(ps);
        return 0;
    }
    return 1;
}

/* Reads the next token into ps->tok. Returns 0 (with the error set) on malformed input. */
static int next_token(parser *ps)
{
    if (!skip_blanks(ps))
        return 0;
    token *t = &ps->tok;
    memset(t, 0, sizeof *t);
    t->line = ps->line;
    t->col = column_of(ps, ps->p);
    t->raw = ps->p;
    t->raw_len = 1;
    if (ps->p >= ps->end) {
        t->kind = TOK_EOF;
        t->raw_len = 0;
        return 1;
    }
    const char *s = ps->p;
    size_t left = (size_t)(ps->end - s);
    char next = left > 1 ? s[1] : '\0';
    char after = left > 2 ? s[2] : '\0';
    switch (*s) {
    case '{': t->kind = TOK_LBRACE; break;
    case '}': t->kind = TOK_RBRACE; break;
    case '[': t->kind = TOK_LBRACKET; break;
    case ']': t->kind = TOK_RBRACKET; break;
    case '(': t->kind = TOK_LPAREN; break;
    case ')': t->kind = TOK_RPAREN; break;
    case '&': t->kind = TOK_AND; break;
    case '|': t->kind = TOK_OR; break;
    case '?': t->kind = TOK_DEFINED; break;
    case ':':
        if (left > 1 && next == '=') {
            t->kind = TOK_ENVOP;
            t->envop = OPAM_ENV_COLONEQ;
            t->raw_len = 2;
        } else {
            t->kind = TOK_COLON;
        }
        break;
    case '!':
        if (left > 1 && next == '=') {
            t->kind = TOK_RELOP;
            t->relop = OPAM_NEQ;
            t->raw_len = 2;
        } else {
            t->kind = TOK_NOT;
        }
        break;
    case '<':
    case '>': {
        int or_equal = left > 1 && next == '=';
        t->kind = TOK_RELOP;
        if (*s == '<')
            t->relop = or_equal ? OPAM_LEQ : OPAM_LT;
        else
            t->relop = or_equal ? OPAM_GEQ : OPAM_GT;
        t->raw_len = or_equal ? 2 : 1;
        break;
    }
    case '=':
        if (left > 2 && next == '+' && after == '=') {
            t->kind = TOK_ENVOP;
            t->envop = OPAM_ENV_EQPLUSEQ;
            t->raw_len = 3;
        } else if (left > 1 && next == '+') {
            t->kind = TOK_ENVOP;
            t->envop = OPAM_ENV_EQPLUS;
            t->raw_len = 2;
        } else if (left > 1 && next == ':') {
            t->kind = TOK_ENVOP;
            t->envop = OPAM_ENV_EQCOLON;
            t->raw_len = 2;
        } else {
            t->kind = TOK_RELOP;
            t->relop = OPAM_EQ;
        }
        break;
    case '+':
        if (left > 1 && next == '=') {
            t->kind = TOK_ENVOP;
            t->envop = OPAM_ENV_PLUSEQ;
            t->raw_len = 2;
            break;
        }
        error_at(ps, t->line, t->col, "a token", "'+' (only '+=' is an operator)");
        return 0;
    case '"':
        return lex_string(ps, t);
    default:
        if (is_ident_char(*s))
            return lex_word(ps, t);
        {
            unsigned char c = (unsigned char)*s;
            char found[32];
            if (c == 0)
                snprintf(found, sizeof found, "a NUL byte");
            else if (c >= 0x20 && c < 0x7f)
                snprintf(found, sizeof found, "'%c'", c);
            else
                snprintf(found, sizeof found, "byte 0x%02X", c);
            error_at(ps, t->line, t->col, "a token", found);
            return 0;
        }
    }
    ps->p += t->raw_len;
    return 1;
}

/* ------------------------------------------------------------------------------------------
 * Parser
 * ---------------------------------------------------------------------------------------- */

static int push(parser *ps, void *item)
{
    if (ps->stack_len == ps->stack_cap) {
        size_t cap = ps->stack_cap ? ps->stack_cap * 2 : 256;
        void **bigger = arena_alloc_uninit(ps->a, cap * sizeof *bigger);
        if (!bigger) {
            out_of_memory(ps);
            return 0;
        }
        if (ps->stack_len)
            memcpy(bigger, ps->stack, ps->stack_len * sizeof *bigger);
        ps->stack = bigger;
        ps->stack_cap = cap;
    }
    ps->stack[ps->stack_len++] = item;
    return 1;
}

/* Moves the stack entries from `base` on into a new arena array of opam_node pointers. */
static opam_node **pop_nodes(parser *ps, size_t base, size_t *count)
{
    size_t n = ps->stack_len - base;
    if (ps->skim) {
        ps->stack_len = base;
        *count = n;
        return ps->skimmed_nodes;
    }
    opam_node **items = n ? arena_alloc_uninit(ps->a, n * sizeof *items) : arena_alloc(ps->a, sizeof *items);
    if (!items) {
        out_of_memory(ps);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = ps->stack[base + i];
    ps->stack_len = base;
    *count = n;
    return items;
}

static opam_item **pop_items(parser *ps, size_t base, size_t *count)
{
    size_t n = ps->stack_len - base;
    if (ps->skim) {
        ps->stack_len = base;
        *count = n;
        return ps->skimmed_items;
    }
    opam_item **items = n ? arena_alloc_uninit(ps->a, n * sizeof *items) : arena_alloc(ps->a, sizeof *items);
    if (!items) {
        out_of_memory(ps);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = ps->stack[base + i];
    ps->stack_len = base;
    *count = n;
    return items;
}

static int enter_nesting(parser *ps)
{
    if (ps->depth >= OPAM_MAX_DEPTH) {
        char expected[64];
        snprintf(expected, sizeof expected, "at most %d levels of nesting", OPAM_MAX_DEPTH);
        error_at(ps, ps->tok.line, ps->tok.col, expected, "deeper nesting");
        return 0;
    }
    ps->depth++;
    return 1;
}

_Static_assert(sizeof(opam_node) <= 48, "an opam_node stays small: a repository keeps some 700,000");

static opam_node *new_node(parser *ps, opam_node_kind kind, unsigned line, unsigned col)
{
    if (ps->skim)
        return &ps->skimmed;
    opam_node *n = arena_alloc_uninit(ps->a, sizeof *n);
    if (!n) {
        out_of_memory(ps);
        return NULL;
    }
    *n = (opam_node){ .kind = kind, .line = line, .col = col };
    return n;
}

static int is_atom(token_kind k) { return k == TOK_IDENT || k == TOK_STRING || k == TOK_INT || k == TOK_BOOL; }

static int starts_value(token_kind k)
{
    return is_atom(k) || k == TOK_LBRACKET || k == TOK_LPAREN || k == TOK_RELOP || k == TOK_NOT
        || k == TOK_DEFINED;
}

/* atom ::= IDENT | STRING | INT | BOOL; consumes it. */
static opam_node *parse_atom(parser *ps, const char *expected)
{
    token *t = &ps->tok;
    if (!is_atom(t->kind)) {
        error_at_token(ps, expected);
        return NULL;
    }
    static const opam_node_kind kinds[] = {
        [TOK_IDENT] = OPAM_IDENT, [TOK_STRING] = OPAM_STRING, [TOK_INT] = OPAM_INT, [TOK_BOOL] = OPAM_BOOL
    };
    opam_node *n = new_node(ps, kinds[t->kind], t->line, t->col);
    if (!n)
        return NULL;
    if (t->kind == TOK_INT) {
        n->ival = t->ival;
    } else if (t->kind == TOK_BOOL) {
        n->bval = (unsigned char)t->bval;
    } else {
        n->str = t->str;
        n->len = (uint32_t)t->len;   /* the file is under 4 GiB (opam_parse_planned) */
    }
    return next_token(ps) ? n : NULL;
}

static opam_node *parse_value(parser *ps);

/* Parses values up to (and including) the `closer` token; `opener` is the bracket's token. */
static opam_node **parse_values(parser *ps, token_kind closer, const token *opener, size_t *count)
{
    size_t base = ps->stack_len;
    while (ps->tok.kind != closer) {
        if (!starts_value(ps->tok.kind)) {
            const char *close_text = closer == TOK_RBRACKET ? "']'" : closer == TOK_RPAREN ? "')'" : "'}'";
            char expected[96];
            snprintf(expected, sizeof expected, "a value or %s to close the %c at %u:%u", close_text,
                     *opener->raw, opener->line, opener->col);
            error_at_token(ps, expected);
            return NULL;
        }
        opam_node *v = parse_value(ps);
        if (!v || !push(ps, v))
            return NULL;
    }
    opam_node **items = pop_nodes(ps, base, count);
    if (!items || !next_token(ps))
        return NULL;
    return items;
}

/* primary ::= '(' values ')' | '[' values ']' | RELOP atom | atom [(RELOP | ENVOP) atom] */
static opam_node *parse_primary(parser *ps)
{
    token start = ps->tok;
    if (start.kind == TOK_LPAREN || start.kind == TOK_LBRACKET) {
        opam_node *n = new_node(ps, start.kind == TOK_LPAREN ? OPAM_GROUP : OPAM_LIST, start.line, start.col);
        if (!n || !next_token(ps))
            return NULL;
        /* (success is told by what was returned, never by reading a node back: a skimmed one is shared) */
        size_t count = 0;
        opam_node **items = parse_values(ps, start.kind == TOK_LPAREN ? TOK_RPAREN : TOK_RBRACKET, &start, &count);
        n->items = items;
        n->n_items = (uint32_t)count;
        return items ? n : NULL;
    }
    if (start.kind == TOK_RELOP) {
        opam_node *n = new_node(ps, OPAM_PFXRELOP, start.line, start.col);
        if (!n || !next_token(ps))
            return NULL;
        n->op = start.relop;
        opam_node *rhs = parse_atom(ps, "a string, identifier, integer or boolean after the comparison operator");
        n->rhs = rhs;
        return rhs ? n : NULL;
    }
    if (!is_atom(start.kind)) {
        error_at_token(ps, "a value");
        return NULL;
    }
    opam_node *lhs = parse_atom(ps, "a value");
    if (!lhs)
        return NULL;
    if (ps->tok.kind != TOK_RELOP && ps->tok.kind != TOK_ENVOP)
        return lhs;
    token op = ps->tok;
    opam_node *n = new_node(ps, op.kind == TOK_RELOP ? OPAM_RELOP : OPAM_ENVOP, lhs->line, lhs->col);
    if (!n || !next_token(ps))
        return NULL;
    n->op = op.relop;
    n->envop = op.envop;
    n->lhs = lhs;
    opam_node *rhs = parse_atom(ps, op.kind == TOK_RELOP
                                        ? "a string, identifier, integer or boolean after the comparison operator"
                                        : "a string, identifier, integer or boolean after the environment operator");
    n->rhs = rhs;
    return rhs ? n : NULL;
}

/* option ::= primary { '{' values '}' } */
static opam_node *parse_option(parser *ps)
{
    opam_node *v = parse_primary(ps);
    unsigned entered = 0;   /* each option wraps the value once more: a level of nesting */
    while (v && ps->tok.kind == TOK_LBRACE) {
        token brace = ps->tok;
        if (!enter_nesting(ps)) {
            v = NULL;
            break;
        }
        entered++;
        opam_node *n = new_node(ps, OPAM_OPTION, v->line, v->col);
        if (!n || !next_token(ps)) {
            v = NULL;
            break;
        }
        n->lhs = v;
        size_t count = 0;
        opam_node **items = parse_values(ps, TOK_RBRACE, &brace, &count);
        n->items = items;
        n->n_items = (uint32_t)count;
        v = items ? n : NULL;
    }
    ps->depth -= entered;
    return v;
}

/* prefix ::= ('!' | '?') prefix | option */
static opam_node *parse_prefix(parser *ps)
{
    if (ps->tok.kind != TOK_NOT && ps->tok.kind != TOK_DEFINED)
        return parse_option(ps);
    token op = ps->tok;
    if (!enter_nesting(ps))
        return NULL;
    opam_node *n = new_node(ps, op.kind == TOK_NOT ? OPAM_NOT : OPAM_DEFINED, op.line, op.col);
    opam_node *rhs = n && next_token(ps) ? parse_prefix(ps) : NULL;
    if (rhs)
        n->rhs = rhs;
    ps->depth--;
    return rhs ? n : NULL;
}

/* The operands v[0..n) of one chain of '&' (or '|') as a tree of binary nodes. Up to
 * CHAIN_FLAT operands the tree leans left, as written: ((a & b) & c); a longer chain is split
 * in halves first, so that no input can make the tree deeper than CHAIN_FLAT + log2(n) (the
 * readers walk it recursively). Both operators are associative, so the meaning is the same. */
#define CHAIN_FLAT 16

static opam_node *chain(parser *ps, opam_node_kind kind, opam_node **v, size_t n)
{
    if (ps->skim)
        return &ps->skimmed;
    if (n == 1)
        return v[0];
    opam_node *lhs;
    size_t i;
    if (n > CHAIN_FLAT) {
        lhs = chain(ps, kind, v, n / 2);
        i = n / 2;
        opam_node *rhs = lhs ? chain(ps, kind, v + i, n - i) : NULL;
        opam_node *node = rhs ? new_node(ps, kind, v[0]->line, v[0]->col) : NULL;
        if (node) {
            node->lhs = lhs;
            node->rhs = rhs;
        }
        return node;
    }
    lhs = v[0];
    for (i = 1; i < n && lhs; i++) {
        opam_node *node = new_node(ps, kind, v[0]->line, v[0]->col);
        if (node) {
            node->lhs = lhs;
            node->rhs = v[i];
        }
        lhs = node;
    }
    return lhs;
}

/* One chain: first, then { op next() }, the operands gathered on the parser's stack. */
static opam_node *parse_chain(parser *ps, token_kind op, opam_node_kind kind, opam_node *(*next)(parser *))
{
    opam_node *first = next(ps);
    if (!first || ps->tok.kind != op)
        return first;
    size_t base = ps->stack_len;
    int ok = push(ps, first);
    while (ok && ps->tok.kind == op) {
        opam_node *x = next_token(ps) ? next(ps) : NULL;
        ok = x && push(ps, x);
    }
    if (!ok) {
        ps->stack_len = base;
        return NULL;
    }
    size_t n = 0;
    opam_node **v = pop_nodes(ps, base, &n);
    return v ? chain(ps, kind, v, n) : NULL;
}

/* and ::= prefix { '&' prefix } */
static opam_node *parse_and(parser *ps)
{
    return parse_chain(ps, TOK_AND, OPAM_AND, parse_prefix);
}

/* value ::= and { '|' and } */
static opam_node *parse_value(parser *ps)
{
    if (!enter_nesting(ps))
        return NULL;
    opam_node *v = parse_chain(ps, TOK_OR, OPAM_OR, parse_and);
    ps->depth--;
    return v;
}

static opam_item **parse_items(parser *ps, token_kind closer, size_t *count);

/* Is name one of names[0..n)? */
static int named(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (name[0] == names[i][0] && !strcmp(name, names[i]))
            return 1;
    return 0;
}

static opam_item *parse_item_body(parser *ps, token_kind closer, opam_item *item);

/* item ::= IDENT ':' value | IDENT [STRING] '{' items '}'. A top-level item the plan leaves out
 * is skimmed: checked as strictly, nothing built, &ps->skipped returned. */
static opam_item *parse_item(parser *ps, token_kind closer)
{
    if (ps->tok.kind != TOK_IDENT) {
        error_at_token(ps, closer == TOK_RBRACE ? "a field name, a section or '}'" : "a field name or a section");
        return NULL;
    }
    opam_item *item = arena_alloc(ps->a, sizeof *item);
    if (!item) {
        out_of_memory(ps);
        return NULL;
    }
    /* the name, lexed in a skimmed item before it, may have no copy yet: messages need it */
    item->name = ps->tok.str ? ps->tok.str : arena_strndup(ps->a, ps->tok.raw, ps->tok.raw_len);
    if (!item->name) {
        out_of_memory(ps);
        return NULL;
    }
    item->line = ps->tok.line;
    item->col = ps->tok.col;
    if (closer != TOK_EOF || !ps->plan.only || named(item->name, ps->plan.only, ps->plan.n_only))
        return parse_item_body(ps, closer, item);
    ps->skim = 1;
    opam_item *done = parse_item_body(ps, closer, item);
    ps->skim = 0;
    return done ? &ps->skipped : NULL;
}

static opam_item *parse_item_body(parser *ps, token_kind closer, opam_item *item)
{
    if (!next_token(ps))
        return NULL;
    if (ps->tok.kind == TOK_COLON) {
        /* a kept top-level field: its value (from its first token) to keep */
        if (closer == TOK_EOF && ps->plan.keep && named(item->name, ps->plan.keep_fields, ps->plan.n_keep))
            ps->a = ps->plan.keep;
        int ok = next_token(ps);
        if (!ok) {
            ps->a = ps->file_arena;
            return NULL;
        }
        if (!starts_value(ps->tok.kind)) {
            char expected[160];
            snprintf(expected, sizeof expected, "a value for field '%.100s'", item->name);
            error_at_token(ps, expected);
            return NULL;
        }
        item->value = parse_value(ps);
        ps->a = ps->file_arena;
        return item->value ? item : NULL;
    }
    if (ps->tok.kind == TOK_STRING) {
        item->label = ps->tok.str;
        if (!next_token(ps))
            return NULL;
        if (ps->tok.kind != TOK_LBRACE) {
            error_at_token(ps, "'{' after the section name");
            return NULL;
        }
    }
    if (ps->tok.kind != TOK_LBRACE) {
        char expected[160];
        snprintf(expected, sizeof expected, "':' or '{' after '%.100s'", item->name);
        error_at_token(ps, expected);
        return NULL;
    }
    item->is_section = 1;
    if (!enter_nesting(ps))
        return NULL;
    if (next_token(ps))
        item->items = parse_items(ps, TOK_RBRACE, &item->n_items);
    ps->depth--;
    if (!item->items || !next_token(ps))   /* consume the '}' */
        return NULL;
    return item;
}

/* items ::= { item } followed by `closer` (not consumed). */
static opam_item **parse_items(parser *ps, token_kind closer, size_t *count)
{
    size_t base = ps->stack_len;
    while (ps->tok.kind != closer) {
        opam_item *item = parse_item(ps, closer);
        if (!item || (item != &ps->skipped && !push(ps, item)))
            return NULL;
    }
    return pop_items(ps, base, count);
}

opam_file *opam_parse(arena *a, const char *filename, const char *text, size_t len, vs_error *err)
{
    opam_parse_plan everything = { 0 };
    return opam_parse_planned(a, &everything, filename, text, len, err);
}

opam_file *opam_parse_planned(arena *a, const opam_parse_plan *plan, const char *filename, const char *text,
                              size_t len, vs_error *err)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.a = ps.file_arena = a;
    ps.plan = *plan;
    ps.err = err;
    ps.filename = filename ? filename : "<input>";
    ps.p = text;
    ps.end = text + len;
    ps.line = 1;
    ps.line_start = text;
    if (!text && len == 0)
        ps.p = ps.end = ps.line_start = "";

    if (len > UINT32_MAX) {   /* a node's string and item counts are 32 bits */
        vs_error_at(err, ps.filename, 1, 1, "expected a file of less than 4 GiB, found %zu bytes", len);
        return NULL;
    }
    opam_file *file = arena_alloc(a, sizeof *file);
    if (!file) {
        out_of_memory(&ps);
        return NULL;
    }
    file->filename = ps.filename;
    if (!next_token(&ps))
        return NULL;
    file->items = parse_items(&ps, TOK_EOF, &file->n_items);
    return file->items ? file : NULL;
}

const opam_node *opam_file_field(const opam_file *f, const char *name)
{
    for (size_t i = 0; i < f->n_items; i++) {
        const opam_item *item = f->items[i];
        if (!item->is_section && item->name[0] == name[0] && strcmp(item->name, name) == 0)
            return item->value;
    }
    return NULL;
}

const char *opam_relop_str(opam_relop op)
{
    switch (op) {
    case OPAM_EQ:  return "=";
    case OPAM_NEQ: return "!=";
    case OPAM_LT:  return "<";
    case OPAM_LEQ: return "<=";
    case OPAM_GT:  return ">";
    case OPAM_GEQ: return ">=";
    }
    return "?";
}

const char *opam_envop_str(opam_envop op)
{
    switch (op) {
    case OPAM_ENV_PLUSEQ:   return "+=";
    case OPAM_ENV_EQPLUS:   return "=+";
    case OPAM_ENV_EQPLUSEQ: return "=+=";
    case OPAM_ENV_COLONEQ:  return ":=";
    case OPAM_ENV_EQCOLON:  return "=:";
    }
    return "?";
}
