/* opam_repo.c: reading an opam repository into the universe (the opam adapter proper). */
#include "opam_repo.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "opam_print.h"
#include "opam_syntax.h"
#include "opam_version.h"
#include "repo_source.h"

/* What the universe needs of one opam file: a few fields, parsed into the kept arena; the rest
 * of the file's tree is dropped as soon as it is parsed, so a whole repository is never held
 * as ASTs. */
typedef struct opam_source {
    const char *name, *version, *filename;
    const opam_node *available, *depends, *conflicts, *conflict_class;
    int avoid_version;   /* flags: avoid-version */
    size_t first_attr, n_attrs;   /* into loader.attrs */
} opam_source;

/* An attribute of a source, before its package has its final id. */
typedef struct source_attr {
    uint32_t key;
    uint32_t value;      /* string id in the universe's attribute store */
} source_attr;

/* opam's install-time switches: with them, opam applies test/doc/dev-setup dependencies to
 * the requested packages only. */
static const char *const root_switches[] = { "with-test", "with-doc", "with-dev-setup" };

typedef struct loader {
    vs_universe *u;
    const opam_vars *vars;        /* for everything but requested packages' dependencies */
    const opam_vars *root_vars;   /* the caller's variables: requested packages' dependencies */
    opam_vars ordinary;           /* the caller's variables with the root switches false */
    int has_root_switches;        /* some root switch is true: build root variants */
    arena mem;                 /* names: live until the universe is built */
    /* prepare_file's side, one per worker (the reading thread, the calling thread: they parse at
     * the same time), touched by nothing else until the walk ends: */
    arena kept[2];             /* the kept fields: live until the universe is built */
    arena scratch[2];          /* one file's whole tree, dropped after each file */
    VEC(opam_source) sources;
    VEC(source_attr) attrs;
    vs_error *err;
    opam_load_options *opt;         /* NULL: strict */
    vs_error first_skipped;         /* the first malformed file left out, when not strict */
    /* Atoms whose constraint holds only fixed versions ("ocaml" {>= "4.08"}) mean the same in
     * every file: each is built once (atom_memo[id of its key in atom_keys]) in atom_mem. */
    int memo_on;
    strpool atom_keys;
    VEC(struct formula *) atom_memo;
    arena atom_mem;
} loader;

/* ---- finding opam files -------------------------------------------------------------- */

/* Splits ".../packages/NAME/NAME.VERSION/opam" (or ".../packages/NAME.VERSION/opam") into
 * name and version; 0 if the path is not a package's opam file. */
static int package_path(const char *path, const char **dir, size_t *dir_len, const char **pkg_dir, size_t *pkg_len)
{
    size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 5, "/opam") != 0)
        return 0;
    const char *end = path + n - 5;              /* end of NAME.VERSION */
    const char *s = end;
    while (s > path && s[-1] != '/')
        s--;
    *pkg_dir = s;
    *pkg_len = (size_t)(end - s);
    if (s == path)
        return 0;
    const char *pe = s - 1, *ps = pe;           /* the component before NAME.VERSION */
    while (ps > path && ps[-1] != '/')
        ps--;
    *dir = ps;
    *dir_len = (size_t)(pe - ps);
    return 1;
}

static int want_file(void *user, const char *path)
{
    (void)user;
    const char *dir, *pkg;
    size_t dl, pl;
    if (!package_path(path, &dir, &dl, &pkg, &pl))
        return 0;
    /* NAME.VERSION directly under packages/, or under packages/NAME/ */
    if (dl == 8 && memcmp(dir, "packages", 8) == 0)
        return 1;
    if (dir == path)
        return 0;
    const char *pe = dir - 1, *ps = pe;
    while (ps > path && ps[-1] != '/')
        ps--;
    return (size_t)(pe - ps) == 8 && memcmp(ps, "packages", 8) == 0;
}

static int has_flag(const opam_file *f, const char *flag);

/* A malformed opam file: the error stands when strict; otherwise, as opam does, the package is
 * left out with a warning (FILE:LINE:COL: ...) and the load goes on. */
static int skip_or_fail(loader *ld)
{
    if (!ld->opt || ld->opt->strict || ld->err->code != VSOLVE_EBADINPUT)
        return ld->err->code;
    if (!ld->opt->skipped++)
        ld->first_skipped = *ld->err;
    if (ld->opt->warn)
        ld->opt->warn(ld->opt->user, ld->err->message);
    vs_error_clear(ld->err);
    return VSOLVE_OK;
}

/* ---- one file, parsed on the reading thread ------------------------------------------- */

typedef struct prepared_attr {
    uint32_t key;
    size_t at, len;   /* into prepared.text */
} prepared_attr;

/* What prepare_file leaves for take_file: the file's error, or its kept fields (in the
 * loader's kept arena) and its attributes as text. Reused from file to file. */
typedef struct prepared {
    int parsed;            /* 0: the path was not a package's (take_file says why) */
    vs_error err;          /* code VSOLVE_OK, or the file's error */
    const opam_node *available, *depends, *conflicts, *conflict_class;
    int avoid_version;
    VEC(prepared_attr) attrs;
    char *text;
    size_t text_len, text_cap;
} prepared;

/* ---- attributes ------------------------------------------------------------------------ */

static int keep_attr(prepared *p, uint32_t key, const char *value, size_t len)
{
    if (p->text_cap - p->text_len < len + 1) {
        size_t cap = p->text_cap ? p->text_cap : 1024;
        while (cap - p->text_len < len + 1)
            cap *= 2;
        char *t = realloc(p->text, cap);
        if (!t)
            return VSOLVE_ENOMEM;
        p->text = t;
        p->text_cap = cap;
    }
    prepared_attr a = { key, p->text_len, len };
    if (!vec_push(&p->attrs, a))
        return VSOLVE_ENOMEM;
    memcpy(p->text + p->text_len, value, len);
    p->text[p->text_len + len] = 0;
    p->text_len += len + 1;
    return VSOLVE_OK;
}

/* Each string of a value that is a string or a list of strings. */
static int keep_strings(prepared *p, uint32_t key, const opam_node *v)
{
    if (!v)
        return VSOLVE_OK;
    opam_node *const *items = v->kind == OPAM_LIST ? v->items : (opam_node *const *)&v;
    size_t n = v->kind == OPAM_LIST ? v->n_items : 1;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        const opam_node *it = items[i]->kind == OPAM_OPTION ? items[i]->lhs : items[i];
        if (it && it->kind == OPAM_STRING)
            rc = keep_attr(p, key, it->str, it->len);
    }
    return rc;
}

/* A checksum as "KIND=HEX"; the old url form's bare digest gets its kind from its length. */
static int keep_checksums(prepared *p, const opam_node *v)
{
    if (!v)
        return VSOLVE_OK;
    opam_node *const *items = v->kind == OPAM_LIST ? v->items : (opam_node *const *)&v;
    size_t n = v->kind == OPAM_LIST ? v->n_items : 1;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        const opam_node *it = items[i];
        if (it->kind != OPAM_STRING)
            continue;
        const char *kind = memchr(it->str, '=', it->len) ? "" : it->len == 32 ? "md5=" : it->len == 64 ? "sha256="
                         : it->len == 128 ? "sha512=" : "";
        /* KIND then the digest up to a NUL it may hold; a long one is kept whole, as written */
        size_t kind_len = strlen(kind), digest_len = strnlen(it->str, it->len), w = kind_len + digest_len;
        char buf[600];
        if (w > 0 && w < sizeof buf) {
            memcpy(buf, kind, kind_len);
            memcpy(buf + kind_len, it->str, digest_len);
            rc = keep_attr(p, VS_ATTR_CHECKSUM, buf, w);
        } else {
            rc = keep_attr(p, VS_ATTR_CHECKSUM, it->str, it->len);
        }
    }
    return rc;
}

/* Does a depends formula name dune or jbuilder (opam-monorepo's test for a dune build)? Only
 * package names count, under any filter or constraint. */
static int names_dune(const opam_node *n, int depth)
{
    if (!n || depth > OPAM_MAX_DEPTH)
        return 0;
    switch (n->kind) {
    case OPAM_STRING: return !strcmp(n->str, "dune") || !strcmp(n->str, "jbuilder");
    case OPAM_OPTION: return names_dune(n->lhs, depth + 1);
    case OPAM_AND:
    case OPAM_OR: return names_dune(n->lhs, depth + 1) || names_dune(n->rhs, depth + 1);
    case OPAM_LIST:
    case OPAM_GROUP:
        for (size_t i = 0; i < n->n_items; i++)
            if (names_dune(n->items[i], depth + 1))
                return 1;
        return 0;
    default: return 0;
    }
}

static const char *const url_fields[] = { "src", "archive", "git", "http", "hg", "darcs", "local" };

/* What a lock needs of the file (attr.h): url { src checksum mirrors } (or the old forms),
 * dev-repo, homepage, license, depexts as text, builds-with-dune. */
static int collect_attrs(prepared *p, arena *scratch, const opam_file *file)
{
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < file->n_items && rc == VSOLVE_OK; i++) {
        const opam_item *sec = file->items[i];
        if (!sec->is_section || strcmp(sec->name, "url") != 0)
            continue;
        const opam_node *url = NULL;
        for (size_t f = 0; f < sizeof url_fields / sizeof url_fields[0] && !url; f++)
            for (size_t j = 0; j < sec->n_items && !url; j++)
                if (!sec->items[j]->is_section && !strcmp(sec->items[j]->name, url_fields[f]) &&
                    sec->items[j]->value->kind == OPAM_STRING)
                    url = sec->items[j]->value;
        if (url)
            rc = keep_attr(p, VS_ATTR_URL, url->str, url->len);
        for (size_t j = 0; j < sec->n_items && rc == VSOLVE_OK; j++) {
            const opam_item *it = sec->items[j];
            if (it->is_section)
                continue;
            if (!strcmp(it->name, "checksum"))
                rc = keep_checksums(p, it->value);
            else if (!strcmp(it->name, "mirrors"))
                rc = keep_strings(p, VS_ATTR_MIRROR, it->value);
        }
        break;   /* one url section */
    }
    if (rc == VSOLVE_OK)
        rc = keep_strings(p, VS_ATTR_DEV_REPO, opam_file_field(file, "dev-repo"));
    if (rc == VSOLVE_OK)
        rc = keep_strings(p, VS_ATTR_HOMEPAGE, opam_file_field(file, "homepage"));
    if (rc == VSOLVE_OK)
        rc = keep_strings(p, VS_ATTR_LICENSE, opam_file_field(file, "license"));
    const opam_node *dx = opam_file_field(file, "depexts");
    if (dx && rc == VSOLVE_OK) {
        opam_node *const *items = dx->kind == OPAM_LIST ? dx->items : (opam_node *const *)&dx;
        size_t n = dx->kind == OPAM_LIST ? dx->n_items : 1;
        for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
            char *t = opam_value_text(scratch, items[i]);
            rc = t ? keep_attr(p, VS_ATTR_DEPEXT, t, strlen(t)) : VSOLVE_ENOMEM;
        }
    }
    if (rc == VSOLVE_OK) {
        const char *dune = names_dune(opam_file_field(file, "depends"), 0) ? "true" : "false";
        rc = keep_attr(p, VS_ATTR_BUILDS_WITH_DUNE, dune, strlen(dune));
    }
    return rc;
}

/* The fields the universe needs, parsed straight into the loader's kept arena. */
static const char *const kept_fields[] = { "available", "depends", "conflicts", "conflict-class" };
/* Every top-level field and section a source reads (here and in collect_attrs and has_flag):
 * the others (build, install, description, ...) are only checked for their syntax. */
static const char *const read_fields[] = { "available", "depends", "conflicts", "conflict-class", "flags", "url",
                                           "dev-repo", "homepage", "license", "depexts" };

/* Parses one file into p (worker 0: the reading thread, 1: the calling thread): its kept fields
 * go to the worker's kept arena, the rest of its tree is dropped with the worker's next file.
 * Failures are left in p->err. */
static void prepare_source(loader *ld, int worker, prepared *p, const char *filename, const char *data, size_t len)
{
    arena *kept = &ld->kept[worker], *scratch = &ld->scratch[worker];
    p->parsed = 1;
    vs_error_clear(&p->err);
    p->attrs.len = 0;
    p->text_len = 0;
    arena_reset(scratch);
    opam_parse_plan plan = { kept, kept_fields, sizeof kept_fields / sizeof kept_fields[0], read_fields,
                             sizeof read_fields / sizeof read_fields[0] };
    const opam_file *file = opam_parse_planned(scratch, &plan, filename, data, len, &p->err);
    if (!file) {
        if (!p->err.code)
            vs_error_set(&p->err, VSOLVE_ENOMEM, "out of memory");
        return;
    }
    p->available = opam_file_field(file, "available");
    p->depends = opam_file_field(file, "depends");
    p->conflicts = opam_file_field(file, "conflicts");
    p->conflict_class = opam_file_field(file, "conflict-class");
    p->avoid_version = has_flag(file, "avoid-version");
    if (collect_attrs(p, scratch, file) != VSOLVE_OK)
        vs_error_set(&p->err, VSOLVE_ENOMEM, "out of memory");
}

/* Adds a prepared file (on the calling thread, in order): its error, or its source. */
static int take_source(loader *ld, const prepared *p, const char *filename, const char *name, size_t name_len,
                       const char *version, size_t version_len)
{
    if (!p)
        return vs_error_set(ld->err, VSOLVE_ENOMEM, "out of memory");
    opam_source src;
    memset(&src, 0, sizeof src);
    src.name = arena_strndup(&ld->mem, name, name_len);
    src.version = arena_strndup(&ld->mem, version, version_len);
    src.filename = arena_strndup(&ld->mem, filename, strlen(filename));
    if (!src.name || !src.version || !src.filename)
        return vs_error_set(ld->err, VSOLVE_ENOMEM, "out of memory reading %s", filename);
    if (p->err.code) {
        *ld->err = p->err;
        return skip_or_fail(ld);
    }
    src.available = p->available;
    src.depends = p->depends;
    src.conflicts = p->conflicts;
    src.conflict_class = p->conflict_class;
    src.avoid_version = p->avoid_version;
    src.first_attr = ld->attrs.len;
    for (size_t i = 0; i < p->attrs.len; i++) {
        const prepared_attr *pa = &p->attrs.items[i];
        source_attr a = { pa->key, strpool_intern(&ld->u->attrs.strings, p->text + pa->at, pa->len) };
        if (a.value == UINT32_MAX || !vec_push(&ld->attrs, a))
            return vs_error_set(ld->err, VSOLVE_ENOMEM, "out of memory");
    }
    src.n_attrs = ld->attrs.len - src.first_attr;
    /* by key, stably (interned above in the file's order): build_package then adds each
     * package's attributes in the order attrs_finish would sort them to, and it has nothing to do */
    source_attr *sa = ld->attrs.items + src.first_attr;
    for (size_t i = 1; i < src.n_attrs; i++)
        for (size_t j = i; j > 0 && sa[j - 1].key > sa[j].key; j--) {
            source_attr t = sa[j];
            sa[j] = sa[j - 1];
            sa[j - 1] = t;
        }
    if (!vec_push(&ld->sources, src))
        return vs_error_set(ld->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

static void release_prepared(void *user, void *slot)
{
    (void)user;
    prepared *p = slot;
    vec_free(&p->attrs);
    free(p->text);
    free(p);
}

/* NAME and VERSION of a package's opam file path, or 0 with err set when it is not one. */
static int source_name(const char *path, const char **name, size_t *name_len, const char **version,
                       size_t *version_len, vs_error *err)
{
    const char *dir = NULL, *pkg = NULL;
    size_t dl = 0, pl = 0;
    if (!package_path(path, &dir, &dl, &pkg, &pl)) {   /* want_file took only such paths */
        vs_error_at(err, path, 1, 1, "expected a path ending in NAME.VERSION/opam");
        return 0;
    }
    const char *dot = memchr(pkg, '.', pl);
    if (!dot || dot == pkg || dot + 1 == pkg + pl) {
        vs_error_at(err, path, 1, 1, "expected the package directory to be named NAME.VERSION, found \"%.*s\"",
                    (int)pl, pkg);
        return 0;
    }
    *name = pkg;
    *name_len = (size_t)(dot - pkg);
    *version = dot + 1;
    *version_len = (size_t)(pkg + pl - dot - 1);
    return 1;
}

/* On the reading thread (worker 0) or the calling thread (worker 1). */
static void prepare_file(void *user, int worker, void **slot, const char *path, const char *data, size_t len)
{
    loader *ld = user;
    prepared *p = *slot;
    if (!p && !(p = *slot = calloc(1, sizeof *p)))
        return;   /* take_file reports it */
    const char *name, *version;
    size_t nl, vl;
    vs_error ignored;
    if (!source_name(path, &name, &nl, &version, &vl, &ignored)) {
        p->parsed = 0;   /* take_file says why */
        return;
    }
    prepare_source(ld, worker, p, path, data, len);
}

/* On the calling thread, in order. */
static int take_file(void *user, void *slot, const char *path)
{
    loader *ld = user;
    const char *name, *version;
    size_t nl, vl;
    if (!source_name(path, &name, &nl, &version, &vl, ld->err))
        return skip_or_fail(ld);
    return take_source(ld, slot, path, name, nl, version, vl);
}

/* ---- package flags ------------------------------------------------------------------- */

static int has_flag(const opam_file *f, const char *flag)
{
    const opam_node *v = opam_file_field(f, "flags");
    if (!v)
        return 0;
    const opam_node *const *items = (v->kind == OPAM_LIST) ? (const opam_node *const *)v->items : &v;
    size_t n = (v->kind == OPAM_LIST) ? v->n_items : 1;
    for (size_t i = 0; i < n; i++)
        if (items[i]->kind == OPAM_IDENT && strcmp(items[i]->str, flag) == 0)
            return 1;
    return 0;
}

/* ---- formulas ------------------------------------------------------------------------ */

/* A dependency formula after filtering: an atom (a set of providers) or a connective. NULL is
 * opam's Empty (a filtered-out atom), neutral in both conjunctions and disjunctions. */
typedef struct formula formula;
struct formula {
    enum { F_ATOM, F_AND, F_OR } kind;
    formula *a, *b;
    uint32_t *pkgs;
    size_t n;
    const char *desc;
    uint32_t desc_id;   /* the interned desc, once a clause of this atom alone has needed it */
    int has_desc_id;
    uint32_t run_first;   /* and where the universe stored its providers, once a clause has */
    int has_run;
};

typedef struct builder {
    loader *ld;
    arena *tmp;
    opam_scope scope;
    const char *filename;
    int oom;
} builder;

enum tri { T_FALSE, T_TRUE, T_VERSION };   /* T_VERSION: depends on the version */

static int is_constraint_value(const opam_node *n)
{
    return n->kind == OPAM_STRING || n->kind == OPAM_IDENT;
}

/* The versions of one name (sorted by opam_version_compare, as universe_sort leaves them) that
 * an atom's constraint is evaluated against, one at a time: version j of the run. A relation
 * to a fixed version splits the sorted run into below, equal and above, found once per
 * relation by binary search (O(log n) comparisons instead of one per version and relation). */
typedef struct version_probe {
    const vs_universe *u;
    uint32_t first, count, j;
    struct { const opam_node *node; uint32_t lo, hi; } bounds[8];   /* [lo, hi): equal to node's version */
    size_t n_bounds;
    /* A filter ({with-test}, os = "linux") means the same for every version: its value, once
     * found for the first one. */
    struct { const opam_node *node; int holds; } filters[8];
    size_t n_filters;
} version_probe;

/* The first index of the run whose version compares above (strict) or at least (!strict) v. */
static uint32_t run_bound(const version_probe *pr, const char *v, int strict)
{
    uint32_t lo = 0, hi = pr->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = opam_version_compare(universe_pkg_version(pr->u, pr->first + mid), v);
        if (strict ? c <= 0 : c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The place of relation node n among pr's bounds, or n_bounds when it has none yet. */
static size_t probe_bound(const version_probe *pr, const opam_node *n)
{
    size_t i = 0;
    while (i < pr->n_bounds && pr->bounds[i].node != n)
        i++;
    return i;
}

/* opam_version_compare(version j, the version of bound i): -1, 0 or 1. */
static int bound_compare(const version_probe *pr, size_t i)
{
    return pr->j < pr->bounds[i].lo ? -1 : pr->j < pr->bounds[i].hi ? 0 : 1;
}

/* Does filter n hold? Found once per probe (a filter does not depend on the version). */
static int probe_filter(const builder *b, version_probe *pr, const opam_node *n)
{
    for (size_t i = 0; i < pr->n_filters; i++)
        if (pr->filters[i].node == n)
            return pr->filters[i].holds;
    int holds = opam_filter_holds(&b->scope, n);
    if (pr->n_filters < sizeof pr->filters / sizeof pr->filters[0]) {
        pr->filters[pr->n_filters].node = n;
        pr->filters[pr->n_filters++].holds = holds;
    }
    return holds;
}

static enum tri relop_tri(opam_relop op, int c)
{
    switch (op) {
    case OPAM_EQ: return c == 0 ? T_TRUE : T_FALSE;
    case OPAM_NEQ: return c != 0 ? T_TRUE : T_FALSE;
    case OPAM_LT: return c < 0 ? T_TRUE : T_FALSE;
    case OPAM_LEQ: return c <= 0 ? T_TRUE : T_FALSE;
    case OPAM_GT: return c > 0 ? T_TRUE : T_FALSE;
    case OPAM_GEQ: return c >= 0 ? T_TRUE : T_FALSE;
    }
    return T_TRUE;
}

/* opam_version_compare(version j, v) for the relation node n, through its bounds. */
static int probe_compare(version_probe *pr, const opam_node *n, const char *v)
{
    size_t i = probe_bound(pr, n);
    if (i == pr->n_bounds) {
        if (i == sizeof pr->bounds / sizeof pr->bounds[0])   /* many relations: compare directly */
            return opam_version_compare(universe_pkg_version(pr->u, pr->first + pr->j), v);
        pr->bounds[i].node = n;
        pr->bounds[i].lo = run_bound(pr, v, 0);
        pr->bounds[i].hi = run_bound(pr, v, 1);
        pr->n_bounds++;
    }
    return bound_compare(pr, i);
}

/* Evaluates a version constraint formula ({>= "1.0" & build}) partially (pr NULL: filters
 * only) or fully for one version (pr->j). Mirrors OpamFilter.filter_constraints. */
static enum tri eval_constraint(const builder *b, const opam_node *n, version_probe *pr)
{
    switch (n->kind) {
    case OPAM_PFXRELOP: {
        size_t at = pr ? probe_bound(pr, n) : 0;
        if (pr && at < pr->n_bounds)   /* its version found for an earlier one: no lookup again */
            return relop_tri(n->op, bound_compare(pr, at));
        if (!is_constraint_value(n->rhs))
            return T_TRUE;
        opam_value v = n->rhs->kind == OPAM_STRING ? (opam_value){ OPAM_VSTRING, 0, n->rhs->str }
                                                    : opam_var_lookup(&b->scope, n->rhs->str, n->rhs->len);
        if (v.kind != OPAM_VSTRING)
            return T_TRUE;    /* opam ignores a constraint whose version is undefined */
        if (!pr)
            return T_VERSION;
        return relop_tri(n->op, probe_compare(pr, n, v.s));
    }
    case OPAM_AND: {
        enum tri x = eval_constraint(b, n->lhs, pr), y = eval_constraint(b, n->rhs, pr);
        if (x == T_FALSE || y == T_FALSE) return T_FALSE;
        if (x == T_TRUE) return y;
        return x;
    }
    case OPAM_OR: {
        enum tri x = eval_constraint(b, n->lhs, pr), y = eval_constraint(b, n->rhs, pr);
        if (x == T_TRUE || y == T_TRUE) return T_TRUE;
        if (x == T_FALSE) return y;
        return x;
    }
    case OPAM_NOT: {
        enum tri x = eval_constraint(b, n->rhs, pr);
        return x == T_VERSION ? T_VERSION : (x == T_TRUE ? T_FALSE : T_TRUE);
    }
    case OPAM_GROUP: {
        enum tri acc = T_TRUE;
        for (size_t i = 0; i < n->n_items; i++) {
            enum tri x = eval_constraint(b, n->items[i], pr);
            if (x == T_FALSE) return T_FALSE;
            if (x == T_VERSION) acc = T_VERSION;
        }
        return acc;
    }
    default:
        return (pr ? probe_filter(b, pr, n) : opam_filter_holds(&b->scope, n)) ? T_TRUE : T_FALSE;
    }
}

static enum tri eval_constraints(const builder *b, opam_node *const *items, size_t n, version_probe *pr)
{
    enum tri acc = T_TRUE;
    for (size_t i = 0; i < n; i++) {
        enum tri x = eval_constraint(b, items[i], pr);
        if (x == T_FALSE)
            return T_FALSE;
        if (x == T_VERSION)
            acc = T_VERSION;
    }
    return acc;
}

/* Appends s to the text in buf (size bytes), cut as snprintf would cut it (snprintf's
 * formatting was a tenth of building the universe's instructions). */
static void append_text(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    size_t n = strnlen(s, size - len - 1);
    memcpy(buf + len, s, n);
    buf[len + n] = '\0';
}

/* Appends the version part of a constraint to buf, leaving filters out; variables (`version`)
 * are shown with their value. */
static void render_constraint(const builder *b, const opam_node *n, char *buf, size_t size)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    switch (n->kind) {
    case OPAM_PFXRELOP: {
        const char *value = n->rhs && is_constraint_value(n->rhs) ? n->rhs->str : "?";
        if (n->rhs && n->rhs->kind == OPAM_IDENT) {
            opam_value v = opam_var_lookup(&b->scope, n->rhs->str, n->rhs->len);
            if (v.kind == OPAM_VSTRING)
                value = v.s;
        }
        append_text(buf, size, len && buf[len - 1] != '(' ? " " : "");
        append_text(buf, size, opam_relop_str(n->op));
        append_text(buf, size, " ");
        append_text(buf, size, value);
        break;
    }
    case OPAM_AND:
    case OPAM_OR: {
        render_constraint(b, n->lhs, buf, size);
        size_t mid = strlen(buf);
        if (mid > len)
            append_text(buf, size, n->kind == OPAM_AND ? " &" : " |");
        size_t before_rhs = strlen(buf);
        render_constraint(b, n->rhs, buf, size);
        if (strlen(buf) == before_rhs)
            buf[mid] = '\0';
        break;
    }
    case OPAM_GROUP:
        for (size_t i = 0; i < n->n_items; i++)
            render_constraint(b, n->items[i], buf, size);
        break;
    default:
        break;
    }
}

static formula *new_formula(builder *b, int kind)
{
    formula *f = arena_alloc(b->tmp, sizeof *f);
    if (!f)
        b->oom = 1;
    else
        f->kind = kind;
    return f;
}

/* Appends the key of constraint n to buf[*len..cap): 0 when n holds anything but relations to
 * fixed versions and their connectives (a variable or a filter depends on the file) or the key
 * does not fit. */
static int constraint_key(const opam_node *n, char *buf, size_t cap, size_t *len, int depth)
{
    if (!n || depth > 32 || *len + 2 > cap)
        return 0;
    buf[(*len)++] = (char)('A' + n->kind);
    switch (n->kind) {
    case OPAM_PFXRELOP:
        if (!n->rhs || n->rhs->kind != OPAM_STRING || *len + 1 + n->rhs->len + 1 > cap)
            return 0;
        buf[(*len)++] = (char)('a' + n->op);
        memcpy(buf + *len, n->rhs->str, n->rhs->len + 1);   /* with its NUL: strings hold none */
        *len += n->rhs->len + 1;
        return memchr(n->rhs->str, '\0', n->rhs->len) == NULL;
    case OPAM_AND:
    case OPAM_OR:
        return constraint_key(n->lhs, buf, cap, len, depth + 1) && constraint_key(n->rhs, buf, cap, len, depth + 1);
    case OPAM_NOT:
        return constraint_key(n->rhs, buf, cap, len, depth + 1);
    case OPAM_GROUP:
        for (size_t i = 0; i < n->n_items; i++)
            if (!constraint_key(n->items[i], buf, cap, len, depth + 1))
                return 0;
        return *len + 1 <= cap ? (buf[(*len)++] = ')', 1) : 0;
    default:
        return 0;
    }
}

/* The atom "name" {cons}, built afresh (in b->tmp) or, when the constraint holds only fixed
 * versions, once per loader (in ld->atom_mem). NULL: filtered out, or out of memory (b->oom). */
static formula *atom_build(builder *b, arena *a, const opam_node *name_node, opam_node *const *cons, size_t n_cons)
{
    enum tri whole = eval_constraints(b, cons, n_cons, NULL);
    if (whole == T_FALSE)
        return NULL;   /* filtered out: Empty */
    formula *f = arena_alloc(a, sizeof *f);
    if (!f) {
        b->oom = 1;
        return NULL;
    }
    f->kind = F_ATOM;
    const vs_universe *u = b->ld->u;
    uint32_t name = universe_find_name(u, name_node->str);
    uint32_t first = 0, count = 0;
    if (name != VS_NONE)
        universe_name_pkgs(u, name, &first, &count);
    f->pkgs = arena_alloc(a, (count ? count : 1) * sizeof *f->pkgs);
    char desc[512];
    desc[0] = '\0';
    append_text(desc, sizeof desc, name_node->str);
    if (!f->pkgs) {
        b->oom = 1;
        return NULL;
    }
    /* unavailable versions stay in the clause: never installable (they are outside every
     * cone), but explanations can tell "not available here" from "no such version" */
    version_probe pr = { .u = u, .first = first, .count = count };
    for (uint32_t j = 0; j < count; j++) {
        pr.j = j;
        if (whole == T_TRUE || eval_constraints(b, cons, n_cons, &pr) == T_TRUE)
            f->pkgs[f->n++] = first + j;
    }
    if (whole == T_VERSION) {
        for (size_t i = 0; i < n_cons; i++)
            render_constraint(b, cons[i], desc, sizeof desc);
    }
    f->desc = arena_strndup(a, desc, strlen(desc));
    if (!f->desc)
        b->oom = 1;
    return f;
}

static formula *atom(builder *b, const opam_node *name_node, opam_node *const *cons, size_t n_cons)
{
    loader *ld = b->ld;
    char key[512];
    size_t len = 0;
    if (!ld->memo_on || name_node->len + 1 > sizeof key || memchr(name_node->str, '\0', name_node->len))
        return atom_build(b, b->tmp, name_node, cons, n_cons);
    memcpy(key, name_node->str, name_node->len + 1);
    len = name_node->len + 1;
    for (size_t i = 0; i < n_cons; i++)
        if (!constraint_key(cons[i], key, sizeof key, &len, 0))
            return atom_build(b, b->tmp, name_node, cons, n_cons);
    uint32_t id = strpool_intern(&ld->atom_keys, key, len);
    if (id == UINT32_MAX) {
        b->oom = 1;
        return NULL;
    }
    if (id < ld->atom_memo.len)
        return ld->atom_memo.items[id];
    formula *f = atom_build(b, &ld->atom_mem, name_node, cons, n_cons);
    if (b->oom)
        return NULL;
    while (ld->atom_memo.len < id)   /* ids are dense: only id 0 ("") is never a key */
        if (!vec_push(&ld->atom_memo, NULL)) {
            b->oom = 1;
            return NULL;
        }
    if (!vec_push(&ld->atom_memo, f))
        b->oom = 1;
    return f;
}

static formula *combine(builder *b, int kind, formula *x, formula *y)
{
    if (!x)
        return y;
    if (!y)
        return x;
    formula *f = new_formula(b, kind);
    if (f) {
        f->a = x;
        f->b = y;
    }
    return f;
}

static formula *build_formula(builder *b, const opam_node *n, int depth);

static formula *build_items(builder *b, opam_node *const *items, size_t n, int kind, int depth)
{
    formula *acc = NULL;
    for (size_t i = 0; i < n; i++)
        acc = combine(b, kind, acc, build_formula(b, items[i], depth + 1));
    return acc;
}

static formula *build_formula(builder *b, const opam_node *n, int depth)
{
    if (!n || depth > 200)
        return NULL;
    switch (n->kind) {
    case OPAM_STRING:
        return atom(b, n, NULL, 0);
    case OPAM_OPTION:
        if (n->lhs && n->lhs->kind == OPAM_STRING)
            return atom(b, n->lhs, n->items, n->n_items);
        return build_formula(b, n->lhs, depth + 1);
    case OPAM_LIST:
    case OPAM_GROUP:
        return build_items(b, n->items, n->n_items, F_AND, depth);
    case OPAM_AND:
        return combine(b, F_AND, build_formula(b, n->lhs, depth + 1), build_formula(b, n->rhs, depth + 1));
    case OPAM_OR:
        return combine(b, F_OR, build_formula(b, n->lhs, depth + 1), build_formula(b, n->rhs, depth + 1));
    default:
        return NULL;
    }
}

/* CNF of a formula: a list of clauses, each a list of atoms. */
typedef struct clause_list clause_list;
struct clause_list {
    formula **atoms;
    size_t n;
    clause_list *next;
};

static clause_list *to_cnf(builder *b, const formula *f, size_t *budget)
{
    if (!f || b->oom)
        return NULL;
    if (f->kind == F_ATOM) {
        clause_list *c = arena_alloc(b->tmp, sizeof *c);
        formula **atoms = arena_alloc(b->tmp, sizeof *atoms);
        if (!c || !atoms) {
            b->oom = 1;
            return NULL;
        }
        atoms[0] = (formula *)f;
        c->atoms = atoms;
        c->n = 1;
        return c;
    }
    clause_list *x = to_cnf(b, f->a, budget), *y = to_cnf(b, f->b, budget);
    if (f->kind == F_AND) {
        if (!x)
            return y;
        clause_list *t = x;
        while (t->next)
            t = t->next;
        t->next = y;
        return x;
    }
    clause_list *out = NULL;   /* F_OR: distribute */
    for (clause_list *cx = x; cx; cx = cx->next)
        for (clause_list *cy = y; cy; cy = cy->next) {
            if (*budget == 0) {
                b->oom = 2;
                return NULL;
            }
            (*budget)--;
            clause_list *c = arena_alloc(b->tmp, sizeof *c);
            formula **atoms = arena_alloc(b->tmp, (cx->n + cy->n) * sizeof *atoms);
            if (!c || !atoms) {
                b->oom = 1;
                return NULL;
            }
            memcpy(atoms, cx->atoms, cx->n * sizeof *atoms);
            memcpy(atoms + cx->n, cy->atoms, cy->n * sizeof *atoms);
            c->atoms = atoms;
            c->n = cx->n + cy->n;
            c->next = out;
            out = c;
        }
    return out;
}

/* The clause of one atom (its description interned): its providers' run is noted in the atom
 * for its next clause. */
static int add_atom_clause(vs_universe *u, uint32_t pkg, formula *only)
{
    int rc = universe_add_clause(u, pkg, only->desc_id, only->pkgs, only->n);
    if (rc == VSOLVE_OK && only->n > 0) {   /* (an empty run has no place of its own) */
        only->run_first = u->clauses.items[u->clauses.len - 1].first;
        only->has_run = 1;
    }
    return rc;
}

static int add_clauses(builder *b, uint32_t pkg, clause_list *cnf, int root)
{
    vs_universe *u = b->ld->u;
    u32_vec providers = { 0 };
    int rc = VSOLVE_OK;
    for (clause_list *c = cnf; c && rc == VSOLVE_OK; c = c->next) {
        formula *only = c->n == 1 ? c->atoms[0] : NULL;
        if (only && only->has_desc_id) {   /* a shared atom: its description and providers as they are */
            if (root)
                rc = universe_add_root_clause(u, pkg, only->desc_id, only->pkgs, only->n);
            else if (only->has_run)   /* the run stored already: no hashing it again */
                rc = universe_add_clause_run(u, pkg, VS_NONE, only->desc_id, only->run_first, (uint32_t)only->n);
            else
                rc = add_atom_clause(u, pkg, only);
            continue;
        }
        providers.len = 0;
        char desc[1024] = "";
        for (size_t i = 0; i < c->n; i++) {
            const formula *a = c->atoms[i];
            if (i)
                append_text(desc, sizeof desc, " | ");
            append_text(desc, sizeof desc, a->desc);
            if (!vec_reserve(&providers, a->n)) {
                rc = VSOLVE_ENOMEM;
                break;
            }
            for (size_t j = 0; j < a->n; j++)
                providers.items[providers.len++] = a->pkgs[j];
        }
        if (rc != VSOLVE_OK)
            break;
        uint32_t d = universe_intern(u, desc, strlen(desc));
        if (only && d != UINT32_MAX) {
            only->desc_id = d;
            only->has_desc_id = 1;
        }
        if (d == UINT32_MAX)
            rc = VSOLVE_ENOMEM;
        else if (root)
            rc = universe_add_root_clause(u, pkg, d, providers.items, providers.len);
        else if (only)
            rc = add_atom_clause(u, pkg, only);
        else
            rc = universe_add_clause(u, pkg, d, providers.items, providers.len);
    }
    vec_free(&providers);
    return rc;
}

/* Collects the atoms of a conflicts formula (a disjunction: any match is a conflict). */
static void conflict_atoms(builder *b, const formula *f, u32_vec *out)
{
    if (!f)
        return;
    if (f->kind == F_ATOM) {
        for (size_t j = 0; j < f->n; j++)
            if (!vec_push(out, f->pkgs[j]))
                b->oom = 1;
        return;
    }
    conflict_atoms(b, f->a, out);
    conflict_atoms(b, f->b, out);
}

/* ---- conflict classes ------------------------------------------------------------------ */

typedef struct class_member {
    uint32_t cls;   /* string id of the class */
    uint32_t pkg;
} class_member;

static int by_class(const void *x, const void *y)
{
    const class_member *a = x, *b = y;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    return a->pkg < b->pkg ? -1 : a->pkg > b->pkg;
}

static int add_conflict_classes(vs_universe *u, class_member *m, size_t n)
{
    if (n > 1)
        qsort(m, n, sizeof *m, by_class);
    u32_vec members = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n && rc == VSOLVE_OK;) {
        size_t j = i;
        members.len = 0;
        while (j < n && m[j].cls == m[i].cls) {
            if (!vec_push(&members, m[j].pkg))
                rc = VSOLVE_ENOMEM;
            j++;
        }
        char desc[300];
        snprintf(desc, sizeof desc, "conflict-class %s", universe_str(u, m[i].cls));
        uint32_t d = universe_intern(u, desc, strlen(desc));
        if (rc == VSOLVE_OK && members.len > 1)
            rc = d == UINT32_MAX ? VSOLVE_ENOMEM : universe_add_group(u, d, members.items, members.len, NULL);
        i = j;
    }
    vec_free(&members);
    return rc;
}

/* ---- loading --------------------------------------------------------------------------- */

typedef VEC(class_member) class_members;

/* Does the formula use one of the root switches? */
static int mentions_root_switch(const opam_node *n, int depth)
{
    if (!n || depth > 200)
        return 0;
    if (n->kind == OPAM_IDENT)
        for (size_t i = 0; i < sizeof root_switches / sizeof root_switches[0]; i++)
            if (strcmp(n->str, root_switches[i]) == 0)
                return 1;
    if (mentions_root_switch(n->lhs, depth + 1) || mentions_root_switch(n->rhs, depth + 1))
        return 1;
    for (size_t i = 0; i < n->n_items; i++)
        if (mentions_root_switch(n->items[i], depth + 1))
            return 1;
    return 0;
}

/* Converts the depends field into clauses of pkg, ordinary or root variant. */
static int add_depends(builder *b, uint32_t pkg, const opam_node *depends, int root)
{
    size_t budget = 100000;
    formula *deps = build_formula(b, depends, 0);
    clause_list *cnf = to_cnf(b, deps, &budget);
    if (b->oom == 2)
        return vs_error_at(b->ld->err, b->filename, depends->line, depends->col,
                           "the depends formula is too large to convert to clauses");
    if (b->oom)
        return vs_error_set(b->ld->err, VSOLVE_ENOMEM, "out of memory");
    return add_clauses(b, pkg, cnf, root);
}

/* The variables a formula reads, each once, in the order they first appear. */
static void formula_vars(const opam_node *n, const char **seen, size_t *n_seen, size_t cap, int depth)
{
    if (!n || depth > OPAM_MAX_DEPTH)
        return;
    if (n->kind == OPAM_IDENT) {
        for (size_t i = 0; i < *n_seen; i++)
            if (strcmp(seen[i], n->str) == 0)
                return;
        if (*n_seen < cap)
            seen[(*n_seen)++] = n->str;
        return;
    }
    formula_vars(n->lhs, seen, n_seen, cap, depth + 1);
    formula_vars(n->rhs, seen, n_seen, cap, depth + 1);
    for (size_t i = 0; i < n->n_items; i++)
        formula_vars(n->items[i], seen, n_seen, cap, depth + 1);
}

/* Records why an unavailable package is: its available formula as opam text and the values of
 * the variables it read, `opam-version >= "2.2.0" is false with opam-version = 2.1.2`, under
 * the free key "unavailable-because" (a refusal shows it); and the same as data for a refusal's
 * JSON: the formula under "unavailable-formula", each variable as "NAME=VALUE" (just "NAME"
 * when undefined) under "unavailable-value", in the order of the text. */
static int add_unavailable_reason(builder *b, uint32_t pkg, const opam_node *avail)
{
    vs_universe *u = b->ld->u;
    const opam_node *f = avail->kind == OPAM_LIST && avail->n_items == 1 ? avail->items[0] : avail;
    char *ftext = opam_value_text(b->tmp, f);
    if (!ftext)
        return VSOLVE_ENOMEM;
    const char *vars[8];
    size_t n_vars = 0;
    formula_vars(f, vars, &n_vars, 8, 0);
    char buf[1024];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%s is false", ftext);
    for (size_t i = 0; i < n_vars && len < sizeof buf; i++) {
        opam_value v = opam_var_lookup(&b->scope, vars[i], strlen(vars[i]));
        const char *sep = i == 0 ? " with " : ", ";
        if (v.kind == OPAM_UNDEF)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s undefined", sep, vars[i]);
        else if (v.kind == OPAM_VBOOL)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s = %s", sep, vars[i], v.b ? "true" : "false");
        else
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s = %s", sep, vars[i], v.s);
    }
    if (len >= sizeof buf)   /* a very long formula: cut */
        len = sizeof buf - 1;
    uint32_t key = attrs_key(&u->attrs, "unavailable-because"), fkey = attrs_key(&u->attrs, "unavailable-formula"),
             vkey = attrs_key(&u->attrs, "unavailable-value");
    if (key == UINT32_MAX || fkey == UINT32_MAX || vkey == UINT32_MAX)
        return VSOLVE_ENOMEM;
    int rc = attrs_add(&u->attrs, pkg, key, buf, len);
    if (rc == VSOLVE_OK)
        rc = attrs_add(&u->attrs, pkg, fkey, ftext, strlen(ftext));
    for (size_t i = 0; i < n_vars && rc == VSOLVE_OK; i++) {
        opam_value v = opam_var_lookup(&b->scope, vars[i], strlen(vars[i]));
        int n = v.kind == OPAM_UNDEF ? snprintf(buf, sizeof buf, "%s", vars[i])
                                     : snprintf(buf, sizeof buf, "%s=%s", vars[i],
                                                v.kind == OPAM_VBOOL ? (v.b ? "true" : "false") : v.s);
        rc = attrs_add(&u->attrs, pkg, vkey, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
    return rc;
}

static int build_package(loader *ld, uint32_t pkg, arena *tmp, class_members *classes)
{
    vs_universe *u = ld->u;
    const opam_source *src = u->pkgs.items[pkg].user;
    builder b = { .ld = ld, .tmp = tmp, .filename = src->filename };
    b.scope.vars = ld->vars;
    b.scope.pkg_name = src->name;
    b.scope.pkg_version = src->version;

    const opam_node *depends = src->depends;
    int rc = add_depends(&b, pkg, depends, 0);
    if (rc == VSOLVE_OK && ld->has_root_switches && mentions_root_switch(depends, 0)) {
        builder rb = b;
        rb.scope.vars = ld->root_vars;
        rc = add_depends(&rb, pkg, depends, 1);
    }

    formula *conf = build_formula(&b, src->conflicts, 0);
    u32_vec others = { 0 };
    conflict_atoms(&b, conf, &others);
    if (rc == VSOLVE_OK && !b.oom)
        rc = universe_add_conflicts(u, pkg, others.items, others.len);
    vec_free(&others);
    if (b.oom && rc == VSOLVE_OK)   /* not over a depends error already set (a formula too large) */
        rc = VSOLVE_ENOMEM;

    const opam_node *cc = src->conflict_class;
    if (cc && rc == VSOLVE_OK && !(u->pkgs.items[pkg].flags & VS_PKG_UNAVAILABLE)) {
        opam_node *const *items = cc->kind == OPAM_LIST ? cc->items : (opam_node *const *)&cc;
        size_t n = cc->kind == OPAM_LIST ? cc->n_items : 1;
        for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
            if (items[i]->kind != OPAM_STRING)
                continue;
            class_member m = { universe_intern(u, items[i]->str, items[i]->len), pkg };
            if (m.cls == UINT32_MAX || !vec_push(classes, m))
                rc = VSOLVE_ENOMEM;
        }
    }
    for (size_t i = 0; i < src->n_attrs && rc == VSOLVE_OK; i++) {
        const source_attr *a = &ld->attrs.items[src->first_attr + i];
        rc = attrs_add_id(&u->attrs, pkg, a->key, a->value);
    }
    if (rc == VSOLVE_OK && (u->pkgs.items[pkg].flags & VS_PKG_UNAVAILABLE) && src->available)
        rc = add_unavailable_reason(&b, pkg, src->available);
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(ld->err, VSOLVE_ENOMEM, "out of memory");
    return rc;
}

/* Turns the parsed sources into the universe. */
static int build_universe(loader *ld, opam_load_stats *stats)
{
    vs_universe *u = ld->u;
    vs_error *err = ld->err;
    class_members classes = { 0 };
    int rc = VSOLVE_OK;
    size_t available = 0;
    for (size_t i = 0; rc == VSOLVE_OK && i < ld->sources.len; i++) {
        opam_source *src = &ld->sources.items[i];
        opam_scope sc = { ld->vars, src->name, src->version };
        const opam_node *avail = src->available;
        uint32_t flags = 0;
        if (avail && !opam_filter_holds(&sc, avail->kind == OPAM_LIST && avail->n_items == 1 ? avail->items[0] : avail))
            flags |= VS_PKG_UNAVAILABLE;
        else
            available++;
        if (src->avoid_version)
            flags |= VS_PKG_AVOID;
        uint32_t name = universe_intern(u, src->name, strlen(src->name));
        uint32_t version = universe_intern(u, src->version, strlen(src->version));
        if (name == UINT32_MAX || version == UINT32_MAX)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        else
            rc = universe_add_package(u, name, version, flags, src);
    }
    if (rc == VSOLVE_OK)
        rc = universe_sort(u, opam_version_compare);
    arena tmp;
    arena_init(&tmp);
    for (uint32_t p = 0; rc == VSOLVE_OK && p < u->pkgs.len; p++) {
        rc = build_package(ld, p, &tmp, &classes);
        if ((p & 255) == 255) {
            arena_free(&tmp);
            arena_init(&tmp);
        }
    }
    arena_free(&tmp);
    if (rc == VSOLVE_OK)
        rc = attrs_finish(&u->attrs);
    if (rc == VSOLVE_OK)
        rc = universe_slot_per_name(u);
    if (rc == VSOLVE_OK)
        rc = add_conflict_classes(u, classes.items, classes.len);
    if (rc == VSOLVE_ENOMEM && err->code == VSOLVE_OK)
        vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t p = 0; p < u->pkgs.len; p++)
        u->pkgs.items[p].user = NULL;
    if (stats) {
        stats->files = ld->sources.len;
        stats->packages = u->pkgs.len;
        stats->available = available;
    }
    vec_free(&classes);
    return rc;
}

static int loader_init(loader *ld, vs_universe *u, const opam_vars *vars, vs_error *err)
{
    memset(ld, 0, sizeof *ld);
    ld->u = u;
    ld->err = err;
    ld->root_vars = vars;
    ld->vars = &ld->ordinary;
    arena_init(&ld->mem);
    for (int w = 0; w < 2; w++) {
        arena_init(&ld->kept[w]);
        arena_init(&ld->scratch[w]);
    }
    arena_init(&ld->atom_mem);
    int rc = strpool_init(&ld->atom_keys);
    ld->memo_on = rc == VSOLVE_OK;
    for (size_t i = 0; i < vars->len && rc == VSOLVE_OK; i++)
        rc = opam_vars_set(&ld->ordinary, vars->items[i].name, vars->items[i].value);
    for (size_t i = 0; i < sizeof root_switches / sizeof root_switches[0] && rc == VSOLVE_OK; i++) {
        const char *v = opam_vars_get(vars, root_switches[i]);
        if (v && strcmp(v, "true") == 0)
            ld->has_root_switches = 1;
        rc = opam_vars_set(&ld->ordinary, root_switches[i], "false");
    }
    if (rc != VSOLVE_OK)
        vs_error_set(err, rc, "out of memory");
    return rc;
}

static void loader_free(loader *ld)
{
    vec_free(&ld->sources);
    vec_free(&ld->attrs);
    arena_free(&ld->mem);
    for (int w = 0; w < 2; w++) {
        arena_free(&ld->kept[w]);
        arena_free(&ld->scratch[w]);
    }
    arena_free(&ld->atom_mem);
    vec_free(&ld->atom_memo);
    if (ld->memo_on)
        strpool_free(&ld->atom_keys);
    opam_vars_free(&ld->ordinary);
}

int opam_load_repository(vs_universe *u, const char *path, const opam_vars *vars,
                         opam_load_stats *stats, vs_error *err)
{
    return opam_load_repository_opts(u, path, vars, NULL, stats, err);
}

int opam_load_repository_opts(vs_universe *u, const char *path, const opam_vars *vars, opam_load_options *opt,
                              opam_load_stats *stats, vs_error *err)
{
    loader ld;
    int rc = loader_init(&ld, u, vars, err);
    ld.opt = opt;
    if (rc == VSOLVE_OK) {   /* want_file reads only the path; prepare_file only its slot and its worker's arenas */
        repo_stages st = { want_file, prepare_file, take_file, release_prepared, &ld };
        rc = repo_source_walk_staged(path, opt ? opt->max_inflate : 0, &st, err);
    }
    if (rc == VSOLVE_OK && ld.sources.len == 0 && opt && opt->skipped)   /* nothing left: the first error stands */
        rc = (*err = ld.first_skipped).code;
    if (rc == VSOLVE_OK && ld.sources.len == 0)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: no opam files found (expected packages/NAME/NAME.VERSION/opam)", path);
    if (rc == VSOLVE_OK)
        rc = build_universe(&ld, stats);
    loader_free(&ld);
    return rc;
}

int opam_load_memory(vs_universe *u, const opam_memory_file *files, size_t n, const opam_vars *vars,
                     opam_load_stats *stats, vs_error *err)
{
    loader ld;
    int rc = loader_init(&ld, u, vars, err);
    prepared p;
    memset(&p, 0, sizeof p);
    for (size_t i = 0; i < n && rc == VSOLVE_OK; i++) {
        const char *filename = files[i].filename ? files[i].filename : "<memory>";
        prepare_source(&ld, 0, &p, filename, files[i].text, strlen(files[i].text));
        rc = take_source(&ld, &p, filename, files[i].name, strlen(files[i].name), files[i].version,
                         strlen(files[i].version));
    }
    vec_free(&p.attrs);
    free(p.text);
    if (rc == VSOLVE_OK)
        rc = build_universe(&ld, stats);
    loader_free(&ld);
    return rc;
}

/* ---- the dependencies of a package outside the universe (a project root) ------------------ */

int opam_formula_clauses(vs_universe *u, const opam_node *f, const opam_vars *vars, const char *pkg_name,
                         const char *pkg_version, const char *filename, opam_clause_fn emit, void *user,
                         vs_error *err)
{
    if (!f)
        return VSOLVE_OK;
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.u = u;
    ld.vars = vars;
    ld.root_vars = vars;
    ld.err = err;
    arena tmp;
    arena_init(&tmp);
    builder b = { .ld = &ld, .tmp = &tmp, .filename = filename };
    b.scope.vars = vars;
    b.scope.pkg_name = pkg_name;
    b.scope.pkg_version = pkg_version;
    size_t budget = 100000;
    clause_list *cnf = to_cnf(&b, build_formula(&b, f, 0), &budget);
    int rc = VSOLVE_OK;
    if (b.oom == 2)
        rc = vs_error_at(err, filename, f->line, f->col, "the formula is too large to convert to clauses");
    else if (b.oom)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    u32_vec providers = { 0 };
    for (clause_list *c = cnf; c && rc == VSOLVE_OK; c = c->next) {
        providers.len = 0;
        char desc[1024] = "";
        const char *name = c->n ? c->atoms[0]->desc : "";
        for (size_t i = 0; i < c->n && rc == VSOLVE_OK; i++) {
            const struct formula *a = c->atoms[i];
            if (i)
                append_text(desc, sizeof desc, " | ");
            append_text(desc, sizeof desc, a->desc);
            if (!vec_append(&providers, a->pkgs, a->n))
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        }
        if (rc == VSOLVE_OK)
            rc = emit(user, desc, c->n == 1 ? name : NULL, providers.items, providers.len);
    }
    vec_free(&providers);
    arena_free(&tmp);
    return rc;
}

/* ---- request atoms ----------------------------------------------------------------------- */

int opam_add_request_atom(vs_universe *u, vs_request *req, const char *text, vs_error *err)
{
    size_t len = strlen(text);
    size_t name_end = strcspn(text, "<>=!.");
    if (name_end == 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "request \"%s\": expected a package name first", text);
    for (size_t i = 0; i < name_end; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+'))
            return vs_error_set(err, VSOLVE_EBADINPUT,
                                "request \"%s\": column %zu: expected a package name character, found '%c'", text, i + 1, c);
    }
    opam_relop op = OPAM_EQ;
    const char *version = NULL;
    const char *rest = text + name_end;
    if (*rest == '.') {
        version = rest + 1;
    } else if (*rest) {
        if (!strncmp(rest, ">=", 2)) op = OPAM_GEQ, version = rest + 2;
        else if (!strncmp(rest, "<=", 2)) op = OPAM_LEQ, version = rest + 2;
        else if (!strncmp(rest, "!=", 2)) op = OPAM_NEQ, version = rest + 2;
        else if (*rest == '>') op = OPAM_GT, version = rest + 1;
        else if (*rest == '<') op = OPAM_LT, version = rest + 1;
        else if (*rest == '=') op = OPAM_EQ, version = rest + 1;
        else
            return vs_error_set(err, VSOLVE_EBADINPUT, "request \"%s\": column %zu: expected one of = != < <= > >=",
                                text, name_end + 1);
    }
    if (version && *version == '\0')
        return vs_error_set(err, VSOLVE_EBADINPUT, "request \"%s\": column %zu: expected a version", text, len + 1);
    /* opam's version characters only: "lwt>=5.0,<6" or "lwt==5.7.0" is a mistake to report,
     * not a version that nothing matches (one constraint per atom; give several atoms) */
    for (const char *v = version; v && *v; v++) {
        char c = *v;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '+' || c == '.' || c == '~'))
            return vs_error_set(err, VSOLVE_EBADINPUT,
                                "request \"%s\": column %zu: expected a version character (letters, digits, - _ + . ~), "
                                "found '%c'; give one constraint per atom (\"lwt>=5.0\" \"lwt<6\")",
                                text, (size_t)(v - text) + 1, c);
    }

    char name[256];
    if (name_end >= sizeof name)
        return vs_error_set(err, VSOLVE_EBADINPUT, "request \"%s\": package name too long", text);
    memcpy(name, text, name_end);
    name[name_end] = '\0';
    uint32_t nm = universe_find_name(u, name);
    u32_vec pkgs = { 0 };
    if (nm != VS_NONE) {
        uint32_t first, count;
        universe_name_pkgs(u, nm, &first, &count);
        for (uint32_t j = 0; j < count; j++) {
            int c = version ? opam_version_compare(universe_pkg_version(u, first + j), version) : 0;
            int ok = !version || (op == OPAM_EQ ? c == 0 : op == OPAM_NEQ ? c != 0 : op == OPAM_LT ? c < 0
                                  : op == OPAM_LEQ ? c <= 0 : op == OPAM_GT ? c > 0 : c >= 0);
            if (ok && !vec_push(&pkgs, first + j)) {
                vec_free(&pkgs);
                return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            }
        }
    }
    uint32_t desc = universe_intern(u, text, len);
    int rc = desc == UINT32_MAX ? VSOLVE_ENOMEM : request_add_atom(req, desc, nm, pkgs.items, pkgs.len);
    vec_free(&pkgs);
    if (rc != VSOLVE_OK)
        return vs_error_set(err, rc, "out of memory");
    return VSOLVE_OK;
}
