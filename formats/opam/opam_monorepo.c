/* opam_monorepo.c: the monorepo rules as request atoms, the fixpoint of rule 3, and the lock. */
#include "opam_monorepo.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attr.h"
#include "duplicates.h"
#include "encode.h"
#include "graph.h"
#include "opam_locked.h"
#include "opam_print.h"
#include "opam_repo.h"
#include "opam_version.h"
#include "solve.h"

#define MAX_ROUNDS 16

void opam_lock_outcome_free(opam_lock_outcome *o)
{
    free(o->explanation);
    free(o->notes);
    memset(o, 0, sizeof *o);
}

/* ---- text --------------------------------------------------------------------------- */

typedef VEC(char) textbuf;

static void say(textbuf *t, int *oom, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(textbuf *t, int *oom, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    if (!vec_append(t, buf, (size_t)n))
        *oom = 1;
}

static char *text_take(textbuf *t, int *oom)
{
    if (!vec_push(t, '\0')) {
        *oom = 1;
        vec_free(t);
        return NULL;
    }
    char *s = t->items;
    t->items = NULL;
    t->len = t->cap = 0;
    return s;
}

/* ---- dev-repos ---------------------------------------------------------------------- */

int opam_dev_repo_dir(const char *dev_repo, char *buf, size_t size)
{
    const char *s = dev_repo, *end = s + strlen(s);
    const char *hash = strchr(s, '#');
    if (hash)
        end = hash;
    const char *q = memchr(s, '?', (size_t)(end - s));
    if (q)
        end = q;
    const char *scheme = strstr(s, "://");
    if (scheme && scheme < end) {   /* the path starts after the host */
        s = scheme + 3;
        const char *slash = memchr(s, '/', (size_t)(end - s));
        s = slash ? slash : end;
    }
    while (end > s && end[-1] == '/')
        end--;
    const char *c = end;
    while (c > s && c[-1] != '/')
        c--;
    while (c < end && *c == '.')
        c++;
    const char *dot = memchr(c, '.', (size_t)(end - c));
    size_t n = (size_t)((dot ? dot : end) - c);
    if (n == 0 || n + 1 > size)
        return 0;
    memcpy(buf, c, n);
    buf[n] = '\0';
    return 1;
}

/* The dev-repo as a grouping key: without "git+", the scheme's case, a trailing ".git" or "/",
 * and http as https (opam-monorepo compares normalised URIs). */
static void dev_repo_key(const char *dev_repo, char *buf, size_t size)
{
    const char *s = dev_repo;
    if (!strncmp(s, "git+", 4))
        s += 4;
    size_t n = 0;
    if (!strncasecmp(s, "http://", 7)) {
        snprintf(buf, size, "https://");
        n = 8;
        s += 7;
    }
    for (; *s && n + 1 < size; s++, n++)
        buf[n] = (char)(n < 12 ? tolower((unsigned char)*s) : *s);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '/')
        buf[--n] = '\0';
    if (n > 4 && !strcmp(buf + n - 4, ".git"))
        buf[n - 4] = '\0';
}

/* ---- what each package is ------------------------------------------------------------ */

enum pkg_class {
    C_SAFE = 1,          /* rules 4 and 5: always provided */
    C_NO_DUNE = 2,       /* rule 2: cannot be vendored, does not build with dune */
    C_NO_CHECKSUM = 4    /* cannot be vendored: no checksum */
};

static const char *const always_provided[] = { "ocaml", "ocaml-base-compiler", "ocaml-system", "ocaml-variants",
                                               "ocaml-config", "ocaml-compiler", "ocaml-beta", "dune", "jbuilder",
                                               "ocamlbuild", "ocamlmod", "oasis", "ocamlify" };
static const char *const provided_prefixes[] = { "conf-", "base-", "host-arch-", "host-system-", "ocaml-option-",
                                                 "ocaml-options-" };

static int name_always_provided(const char *name)
{
    for (size_t i = 0; i < sizeof always_provided / sizeof *always_provided; i++)
        if (!strcmp(name, always_provided[i]))
            return 1;
    for (size_t i = 0; i < sizeof provided_prefixes / sizeof *provided_prefixes; i++)
        if (!strncmp(name, provided_prefixes[i], strlen(provided_prefixes[i])))
            return 1;
    return 0;
}

static unsigned classify(const vs_universe *u, uint32_t p)
{
    if (name_always_provided(universe_pkg_name(u, p)) || !attrs_lookup(&u->attrs, p, VS_ATTR_URL))
        return C_SAFE;
    unsigned c = 0;
    const char *dune = attrs_lookup(&u->attrs, p, VS_ATTR_BUILDS_WITH_DUNE);
    if (!dune || strcmp(dune, "true") != 0)
        c |= C_NO_DUNE;
    const vs_attr *first;
    if (attrs_lookup_all(&u->attrs, p, VS_ATTR_CHECKSUM, &first) == 0)
        c |= C_NO_CHECKSUM;
    return c;
}

/* The archive of p as a key: url and checksums. */
static void archive_key(const vs_universe *u, uint32_t p, textbuf *t, int *oom)
{
    t->len = 0;
    const char *url = attrs_lookup(&u->attrs, p, VS_ATTR_URL);
    say(t, oom, "%s", url ? url : "");
    const vs_attr *first;
    size_t n = attrs_lookup_all(&u->attrs, p, VS_ATTR_CHECKSUM, &first);
    for (size_t i = 0; i < n; i++)
        say(t, oom, " %s", attrs_str(&u->attrs, first[i].value));
    if (!vec_push(t, '\0'))
        *oom = 1;
}

/* ---- the provided names the user gives --------------------------------------------- */

typedef struct provided_spec {
    uint32_t name;          /* universe name, or VS_NONE */
    char *text;             /* "NAME" or "NAME=VERSION" */
    char *version;          /* NULL: any */
} provided_spec;

typedef struct planner {
    vs_universe *u;
    const opam_project *proj;
    const opam_vars *vars;
    const opam_lock_options *o;
    vs_error *err;
    arena mem;
    VEC(provided_spec) specs;
    unsigned char *user_provided;   /* name -> named by the user */
    unsigned char *provided;        /* name -> provided (user, rule 3's closure) */
    unsigned char *exempt;          /* name -> may be below a provided package (rule 3): rule 2
                                       does not forbid it until a solution shows it is not */
    unsigned *cls;                  /* package -> enum pkg_class, once computed (bit 8: known) */
    textbuf notes;
    int oom;
} planner;

static int valid_pkg_name(const char *s, size_t n)
{
    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '+'))
            return 0;
    return 1;
}

/* Adds "NAME", "NAME=VERSION", "NAME.VERSION" or "NAME VERSION" (where says where from). */
static int add_spec(planner *pl, const char *s, size_t len, const char *where)
{
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    size_t n = 0;
    while (n < len && s[n] != '=' && s[n] != '.' && !isspace((unsigned char)s[n]))
        n++;
    if (!valid_pkg_name(s, n))
        return vs_error_set(pl->err, VSOLVE_EBADINPUT, "%s: expected NAME or NAME=VERSION (NAME: letters, digits, - _ +), found \"%.*s\"",
                            where, (int)(len > 200 ? 200 : len), s);
    const char *v = NULL;
    size_t vl = 0;
    if (n < len) {
        v = s + n + 1;
        vl = len - n - 1;
        while (vl && isspace((unsigned char)*v))
            v++, vl--;
        int ok = vl > 0 && vl <= 200;
        for (size_t i = 0; i < vl && ok; i++)
            ok = isalnum((unsigned char)v[i]) || strchr("-+.~_", v[i]) != NULL;
        if (!ok)
            return vs_error_set(pl->err, VSOLVE_EBADINPUT, "%s: expected NAME or NAME=VERSION, found \"%.*s\" (a version "
                                "is letters, digits and - + . ~ _)", where, (int)(len > 200 ? 200 : len), s);
    }
    provided_spec sp = { VS_NONE, arena_strndup(&pl->mem, s, v ? (size_t)(v + vl - s) : n),
                         v ? arena_strndup(&pl->mem, v, vl) : NULL };
    char name[256];
    memcpy(name, s, n);
    name[n] = '\0';
    sp.name = universe_find_name(pl->u, name);
    if (!sp.text || (v && !sp.version) || !vec_push(&pl->specs, sp))
        return vs_error_set(pl->err, VSOLVE_ENOMEM, "out of memory");
    if (sp.name == VS_NONE)
        say(&pl->notes, &pl->oom, "warning: provided package %s (%s) is not in the repository\n", name, where);
    return VSOLVE_OK;
}

static int read_provided_file(planner *pl, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vs_error_set(pl->err, VSOLVE_EIO, "%s: cannot open: %s", path, strerror(errno));
    char line[1024];
    unsigned lineno = 0;
    int rc = VSOLVE_OK;
    while (rc == VSOLVE_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = vs_error_at(pl->err, path, lineno, 1, "line longer than 1000 bytes");
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        len = strlen(line);
        size_t k = 0;
        while (k < len && isspace((unsigned char)line[k]))
            k++;
        if (k == len)
            continue;
        char where[600];
        snprintf(where, sizeof where, "%s:%u:%zu", path, lineno, k + 1);
        rc = add_spec(pl, line, len, where);
        if (rc == VSOLVE_EBADINPUT)   /* the position is in the message already */
            pl->err->code = VSOLVE_EBADINPUT;
    }
    fclose(f);
    return rc;
}

/* x-opam-monorepo-opam-provided: a list of names (or one name), as opam-monorepo reads it. */
static int read_root_provided(planner *pl, const opam_root *r)
{
    const opam_node *v = r->opam_provided;
    if (!v)
        return VSOLVE_OK;
    opam_node *const *items = v->kind == OPAM_LIST ? v->items : (opam_node *const *)&v;
    size_t n = v->kind == OPAM_LIST ? v->n_items : 1;
    for (size_t i = 0; i < n; i++) {
        if (items[i]->kind != OPAM_STRING)
            return vs_error_at(pl->err, r->filename, items[i]->line, items[i]->col,
                               "x-opam-monorepo-opam-provided: expected a list of package names");
        char where[600];
        snprintf(where, sizeof where, "%s:%u:%u", r->filename, items[i]->line, items[i]->col);
        int rc = add_spec(pl, items[i]->str, strlen(items[i]->str), where);
        if (rc != VSOLVE_OK)
            return rc;
    }
    return VSOLVE_OK;
}

/* ---- the request ---------------------------------------------------------------------- */

typedef struct root_emit {
    planner *pl;
    vs_request *req;
    const opam_root *root;
    int depopts;
} root_emit;

/* Does a clause's description name a root ("a >= 1 | b")? Then the root satisfies it. */
static int names_root(const opam_project *proj, const char *desc)
{
    const char *s = desc;
    while (*s) {
        size_t n = strcspn(s, " |");
        char name[256];
        if (n < sizeof name) {
            memcpy(name, s, n);
            name[n] = '\0';
            if (opam_project_is_root(proj, name))
                return 1;
        }
        s = strstr(s, " | ");
        if (!s)
            break;
        s += 3;
    }
    return 0;
}

static int emit_root_clause(void *user, const char *desc, const char *single, const uint32_t *pkgs, size_t n)
{
    root_emit *re = user;
    planner *pl = re->pl;
    vs_universe *u = pl->u;
    if (names_root(pl->proj, desc))
        return VSOLVE_OK;   /* another root of the project satisfies it */
    char text[1200];
    uint32_t name = VS_NONE;
    if (single) {
        char nm[256];
        size_t k = strcspn(single, " ");
        snprintf(nm, sizeof nm, "%.*s", (int)(k < 255 ? k : 255), single);
        name = universe_find_name(u, nm);
    }
    if (re->depopts) {
        if (!single || name == VS_NONE)
            return VSOLVE_OK;   /* a disjunction of depopts restricts nothing on its own */
        /* installed only at a matching version: forbid the others */
        u32_vec others = { 0 };
        uint32_t first, count;
        universe_name_pkgs(u, name, &first, &count);
        for (uint32_t j = 0; j < count; j++) {
            int in = 0;
            for (size_t k = 0; k < n && !in; k++)
                in = pkgs[k] == first + j;
            if (!in && !vec_push(&others, first + j)) {
                vec_free(&others);
                return vs_error_set(pl->err, VSOLVE_ENOMEM, "out of memory");
            }
        }
        int rc = VSOLVE_OK;
        if (others.len) {
            snprintf(text, sizeof text, "%s at a version outside %s's depopts (%s)", universe_str(u, u->names.items[name].str),
                     re->root->name, desc);
            uint32_t d = universe_intern(u, text, strlen(text));
            rc = d == UINT32_MAX ? VSOLVE_ENOMEM : request_forbid(re->req, d, name, others.items, others.len);
        }
        vec_free(&others);
        return rc == VSOLVE_OK ? rc : vs_error_set(pl->err, rc, "out of memory");
    }
    snprintf(text, sizeof text, "%s needs %s", re->root->name, desc);
    uint32_t d = universe_intern(u, text, strlen(text));
    int rc = d == UINT32_MAX ? VSOLVE_ENOMEM : request_add_atom(re->req, d, name, pkgs, n);
    if (rc == VSOLVE_OK)
        re->req->atoms.items[re->req->atoms.len - 1].not_root = 1;
    return rc == VSOLVE_OK ? rc : vs_error_set(pl->err, rc, "out of memory");
}

static int forbid_text(planner *pl, vs_request *req, uint32_t name, const uint32_t *pkgs, size_t n, const char *text)
{
    uint32_t d = universe_intern(pl->u, text, strlen(text));
    int rc = d == UINT32_MAX ? VSOLVE_ENOMEM : request_forbid(req, d, name, pkgs, n);
    return rc == VSOLVE_OK ? rc : vs_error_set(pl->err, rc, "out of memory");
}

/* The roots' requirements, the roots' names, the provided versions, the old lock's versions. */
static int base_request(planner *pl, vs_request *req, const opam_locked_pin *pins, size_t n_pins)
{
    vs_universe *u = pl->u;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < pl->proj->roots.len && rc == VSOLVE_OK; i++) {
        const opam_root *r = &pl->proj->roots.items[i];
        root_emit re = { pl, req, r, 0 };
        rc = opam_formula_clauses(u, r->depends, pl->vars, r->name, r->version, r->filename, emit_root_clause, &re, pl->err);
        re.depopts = 1;
        if (rc == VSOLVE_OK)
            rc = opam_formula_clauses(u, r->depopts, pl->vars, r->name, r->version, r->filename, emit_root_clause, &re, pl->err);
        uint32_t name = universe_find_name(u, r->name);
        if (rc == VSOLVE_OK && name != VS_NONE) {
            uint32_t first, count;
            universe_name_pkgs(u, name, &first, &count);
            u32_vec all = { 0 };
            for (uint32_t j = 0; j < count; j++)
                vec_push(&all, first + j);
            char t[600];
            snprintf(t, sizeof t, "the repository's %s (the project's own %s replaces it)", r->name, r->filename);
            rc = all.len == count ? forbid_text(pl, req, name, all.items, all.len, t) : vs_error_set(pl->err, VSOLVE_ENOMEM, "out of memory");
            vec_free(&all);
        }
    }
    for (size_t i = 0; i < pl->specs.len && rc == VSOLVE_OK; i++) {
        const provided_spec *sp = &pl->specs.items[i];
        if (!sp->version || sp->name == VS_NONE)
            continue;
        uint32_t first, count;
        universe_name_pkgs(u, sp->name, &first, &count);
        u32_vec others = { 0 };
        for (uint32_t j = 0; j < count; j++)
            if (opam_version_compare(universe_pkg_version(u, first + j), sp->version) != 0)
                vec_push(&others, first + j);
        char t[600];
        snprintf(t, sizeof t, "%s at another version than the provided one (--provided %s)",
                 universe_str(u, u->names.items[sp->name].str), sp->text);
        rc = forbid_text(pl, req, sp->name, others.items, others.len, t);
        vec_free(&others);
        /* A provided compiler is the switch's: required, so that no other compiler package
         * (ocaml-variants, ocaml-base-compiler) can stand in for it. */
        const char *nm = universe_str(u, u->names.items[sp->name].str);
        if (rc == VSOLVE_OK && (!strcmp(nm, "ocaml-system") || !strcmp(nm, "ocaml-base-compiler") ||
                                !strcmp(nm, "ocaml-variants"))) {
            u32_vec same = { 0 };
            for (uint32_t j = 0; j < count; j++)
                if (opam_version_compare(universe_pkg_version(u, first + j), sp->version) == 0)
                    vec_push(&same, first + j);
            snprintf(t, sizeof t, "%s.%s (the provided compiler, --provided %s)", nm, sp->version, sp->text);
            uint32_t desc = universe_intern(u, t, strlen(t));
            rc = desc == UINT32_MAX ? vs_error_set(pl->err, VSOLVE_ENOMEM, "out of memory")
                                    : request_add_atom(req, desc, sp->name, same.items, same.len);
            vec_free(&same);
        }
    }
    for (size_t i = 0; i < n_pins && rc == VSOLVE_OK; i++) {
        uint32_t name = universe_find_name(u, pins[i].name);
        if (name == VS_NONE)
            continue;
        uint32_t first, count, found = 0;
        universe_name_pkgs(u, name, &first, &count);
        for (uint32_t j = 0; j < count && rc == VSOLVE_OK; j++)
            if (!strcmp(universe_pkg_version(u, first + j), pins[i].version)) {
                rc = request_keep(req, first + j);
                found = 1;
            }
        /* A name the repository lacks is a renamed copy (or gone): nothing to keep. A known name
         * at an unknown version is a lock edited by hand or made from another repository. */
        if (rc == VSOLVE_OK && !found)
            rc = vs_error_set(pl->err, VSOLVE_EBADINPUT,
                              "%s: %s.%s: no such package version in the repository (the lock was edited, or made "
                              "from another repository)", pl->o->old_lock, pins[i].name, pins[i].version);
    }
    return rc;
}

static unsigned class_of(planner *pl, uint32_t p)
{
    if (!(pl->cls[p] & 0x100))
        pl->cls[p] = classify(pl->u, p) | 0x100;
    return pl->cls[p] & 0xff;
}

/* Is p provided in this round (its name is, or it is safe)? */
static int is_provided(planner *pl, uint32_t p)
{
    return pl->provided[pl->u->pkgs.items[p].name] || (class_of(pl, p) & C_SAFE);
}

static int by_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

typedef struct member {
    uint32_t group;   /* dev-repo key string id (in u's pool) */
    uint32_t pkg;
} member;

static int by_group_pkg(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    return a->pkg < b->pkg ? -1 : a->pkg > b->pkg;
}

/* Rules 1 and 2 over the cone of req: forbidding atoms for the versions that cannot be vendored
 * (unless auto_provide), and one pairs atom per dev-repo with two or more names. */
static int add_rules(planner *pl, vs_request *req)
{
    vs_universe *u = pl->u;
    vs_encoding e;
    int rc = encode_cone(&e, u, req);
    if (rc != VSOLVE_OK) {
        encoding_free(&e);
        return vs_error_set(pl->err, VSOLVE_ENOMEM, "out of memory");
    }
    /* cone packages by name, in id order (names are contiguous) */
    u32_vec cone = { 0 };
    if (!vec_append(&cone, e.cone.items, e.cone.len))
        rc = VSOLVE_ENOMEM;
    encoding_free(&e);
    if (cone.len > 1)
        qsort(cone.items, cone.len, sizeof *cone.items, by_u32);
    VEC(member) members = { 0 };
    textbuf key = { 0 };
    u32_vec bad = { 0 };
    for (size_t i = 0; i < cone.len && rc == VSOLVE_OK;) {
        uint32_t name = u->pkgs.items[cone.items[i]].name;
        size_t j = i;
        while (j < cone.len && u->pkgs.items[cone.items[j]].name == name)
            j++;
        for (unsigned reason = C_NO_DUNE; reason <= C_NO_CHECKSUM && rc == VSOLVE_OK; reason <<= 1) {
            bad.len = 0;
            for (size_t k = i; k < j; k++)
                if (!is_provided(pl, cone.items[k]) && !pl->exempt[name] && (class_of(pl, cone.items[k]) & reason) &&
                    !(reason == C_NO_CHECKSUM && (class_of(pl, cone.items[k]) & C_NO_DUNE)))
                    vec_push(&bad, cone.items[k]);
            if (!bad.len || pl->o->auto_provide)
                continue;
            const char *nm = universe_str(u, u->names.items[name].str);
            char t[800];
            if (reason == C_NO_DUNE)
                snprintf(t, sizeof t, "%s at a version that does not build with dune, vendored (rule 2: vendored packages "
                         "build with dune; provide it with --provided %s or --auto-provide)", nm, nm);
            else
                snprintf(t, sizeof t, "%s at a version without a checksum, vendored (a lock without one is not "
                         "reproducible; provide it with --provided %s or --auto-provide)", nm, nm);
            rc = forbid_text(pl, req, name, bad.items, bad.len, t);
        }
        for (size_t k = i; k < j && rc == VSOLVE_OK; k++) {
            uint32_t p = cone.items[k];
            if (is_provided(pl, p) || class_of(pl, p))
                continue;   /* provided; forbidden above; or provided if chosen */
            const char *dr = attrs_lookup(&u->attrs, p, VS_ATTR_DEV_REPO);
            if (!dr)
                continue;   /* its own source */
            char k2[1024];
            dev_repo_key(dr, k2, sizeof k2);
            member m = { universe_intern(u, k2, strlen(k2)), p };
            if (m.group == UINT32_MAX || !vec_push(&members, m))
                rc = VSOLVE_ENOMEM;
        }
        i = j;
    }
    if (members.len > 1)
        qsort(members.items, members.len, sizeof *members.items, by_group_pkg);
    u32_vec pairs = { 0 };
    VEC(uint32_t) keys = { 0 };
    for (size_t i = 0; i < members.len && rc == VSOLVE_OK;) {
        size_t j = i;
        while (j < members.len && members.items[j].group == members.items[i].group)
            j++;
        pairs.len = 0;
        keys.len = 0;
        for (size_t k = i; k < j && rc == VSOLVE_OK; k++) {
            archive_key(u, members.items[k].pkg, &key, &pl->oom);
            uint32_t id = universe_intern(u, key.items ? key.items : "", key.items ? strlen(key.items) : 0);
            if (id == UINT32_MAX || !vec_push(&keys, id))
                rc = VSOLVE_ENOMEM;
        }
        for (size_t a = i; a < j && rc == VSOLVE_OK; a++) {
            uint32_t pa = members.items[a].pkg;
            for (size_t b = a + 1; b < j && rc == VSOLVE_OK; b++) {
                uint32_t pb = members.items[b].pkg;
                if (u->pkgs.items[pa].name == u->pkgs.items[pb].name || keys.items[a - i] == keys.items[b - i])
                    continue;
                if (!vec_push(&pairs, pa) || !vec_push(&pairs, pb))
                    rc = VSOLVE_ENOMEM;
            }
        }
        if (rc == VSOLVE_OK && pairs.len) {
            textbuf t = { 0 };
            say(&t, &pl->oom, "one source, one release (rule 1): the packages of %s (", universe_str(u, members.items[i].group));
            size_t shown = 0;
            for (size_t a = i; a < j; a++) {
                uint32_t pa = members.items[a].pkg;
                if (a > i && u->pkgs.items[pa].name == u->pkgs.items[members.items[a - 1].pkg].name)
                    continue;
                if (shown < 8)
                    say(&t, &pl->oom, "%s%s", shown ? ", " : "", universe_pkg_name(u, pa));
                else if (shown == 8)
                    say(&t, &pl->oom, ", ...");
                shown++;
            }
            say(&t, &pl->oom, ") are vendored from one archive, so at one release");
            uint32_t d = t.items ? universe_intern(u, t.items, t.len) : UINT32_MAX;
            vec_free(&t);
            rc = d == UINT32_MAX ? VSOLVE_ENOMEM : request_add_pairs(req, d, pairs.items, pairs.len / 2);
        }
        i = j;
    }
    vec_free(&pairs);
    vec_free(&keys);
    vec_free(&key);
    vec_free(&bad);
    vec_free(&members);
    vec_free(&cone);
    if (rc == VSOLVE_OK && pl->oom)
        rc = VSOLVE_ENOMEM;
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(pl->err, rc, "out of memory");
    return rc;
}

/* ---- rule 3: what the provided packages need --------------------------------------------- */

/* Marks in pl->provided the names of the chosen packages that are provided, and of everything
 * their clauses' chosen providers reach. Returns how many names were added. */
static size_t close_provided(planner *pl, const unsigned char *chosen, const u32_vec *pkgs)
{
    vs_universe *u = pl->u;
    u32_vec queue = { 0 };
    size_t added = 0;
    for (size_t i = 0; i < pkgs->len; i++) {
        uint32_t p = pkgs->items[i];
        if (is_provided(pl, p) || (pl->o->auto_provide && class_of(pl, p)))
            vec_push(&queue, p);
    }
    unsigned char *seen = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    if (!seen) {
        pl->oom = 1;
        vec_free(&queue);
        return 0;
    }
    for (size_t i = 0; i < queue.len; i++)
        seen[queue.items[i]] = 1;
    for (size_t head = 0; head < queue.len; head++) {
        uint32_t p = queue.items[head];
        uint32_t name = u->pkgs.items[p].name;
        if (!pl->provided[name]) {
            pl->provided[name] = 1;
            added++;
        }
        uint32_t first, count;
        universe_clauses(u, p, 0, &first, &count);
        for (uint32_t c = 0; c < count; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            for (uint32_t j = 0; j < cl->count; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (chosen[q] && !seen[q]) {
                    seen[q] = 1;
                    if (!vec_push(&queue, q))
                        pl->oom = 1;
                }
            }
        }
    }
    free(seen);
    vec_free(&queue);
    return added;
}

/* The names every version of a provided name (only the given version when one is) can reach
 * through its clauses' providers: they may be provided by rule 3, so rule 2 waits for a
 * solution before it forbids them. */
static int exempt_below_provided(planner *pl)
{
    vs_universe *u = pl->u;
    u32_vec queue = { 0 };
    int rc = VSOLVE_OK;
    for (uint32_t n = 0; n < u->names.len && rc == VSOLVE_OK; n++) {
        uint32_t first, count;
        universe_name_pkgs(u, n, &first, &count);
        if (pl->provided[n] || (count && name_always_provided(universe_str(u, u->names.items[n].str)))) {
            pl->exempt[n] = 1;
            if (!vec_push(&queue, n))
                rc = VSOLVE_ENOMEM;
        }
    }
    for (size_t head = 0; head < queue.len && rc == VSOLVE_OK; head++) {
        uint32_t n = queue.items[head];
        rc = universe_need_name(u, n, pl->err);
        const char *version = NULL;
        for (size_t i = 0; i < pl->specs.len; i++)
            if (pl->specs.items[i].name == n && pl->specs.items[i].version)
                version = pl->specs.items[i].version;
        uint32_t first, count;
        universe_name_pkgs(u, n, &first, &count);
        for (uint32_t p = first; p < first + count && rc == VSOLVE_OK; p++) {
            if ((u->pkgs.items[p].flags & VS_PKG_UNAVAILABLE) ||
                (version && opam_version_compare(universe_pkg_version(u, p), version) != 0))
                continue;
            uint32_t cf, cc;
            universe_clauses(u, p, 0, &cf, &cc);
            for (uint32_t c = 0; c < cc && rc == VSOLVE_OK; c++) {
                const vs_clause *cl = &u->clauses.items[cf + c];
                for (uint32_t j = 0; j < cl->count && rc == VSOLVE_OK; j++) {
                    uint32_t q = u->pkgs.items[u->ids.items[cl->first + j]].name;
                    if (!pl->exempt[q]) {
                        pl->exempt[q] = 1;
                        if (!vec_push(&queue, q))
                            rc = VSOLVE_ENOMEM;
                    }
                }
            }
        }
    }
    vec_free(&queue);
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(pl->err, rc, "out of memory");
    return rc;
}

/* After rule 3's closure: chosen packages that cannot be vendored and are not provided after
 * all lose their exemption (the next solve forbids them). Returns how many. */
static size_t unexempt_violations(planner *pl, const u32_vec *pkgs)
{
    size_t n = 0;
    for (size_t i = 0; i < pkgs->len; i++) {
        uint32_t p = pkgs->items[i], name = pl->u->pkgs.items[p].name;
        if (!pl->o->auto_provide && !is_provided(pl, p) && class_of(pl, p) && pl->exempt[name]) {
            pl->exempt[name] = 0;
            n++;
        }
    }
    return n;
}

/* ---- a refusal: the chain to a package that cannot be vendored ------------------------------ */

/* For each forbidding rule-2 atom the explanation shows, the shortest chain from a root to one
 * of the forbidden versions, through the newest providers. */
static void add_chains(planner *pl, const vs_request *req, const char *shown, textbuf *t)
{
    vs_universe *u = pl->u;
    vs_encoding e;
    if (encode_cone(&e, u, req) != VSOLVE_OK) {
        encoding_free(&e);
        return;
    }
    size_t n = e.cone.len;
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent), *atom_of = malloc((n ? n : 1) * sizeof *atom_of);
    for (size_t a = 0; parent && atom_of && a < req->atoms.len; a++) {
        const vs_atom *fa = &req->atoms.items[a];
        if (fa->forbid != VS_ATOM_FORBID || !strstr(universe_str(u, fa->desc), "(rule 2") || !shown ||
            !strstr(shown, universe_str(u, fa->desc)))
            continue;
        memset(parent, 0xff, n * sizeof *parent);
        memset(atom_of, 0xff, n * sizeof *atom_of);
        u32_vec queue = { 0 };
        for (size_t r = 0; r < req->atoms.len; r++) {
            const vs_atom *ra = &req->atoms.items[r];
            if (ra->forbid)
                continue;
            for (uint32_t j = 0; j < ra->count; j++) {
                uint32_t p = req->ids.items[ra->first + j];
                if (encode_in_cone(&e, p) && atom_of[e.cone.var_of_pkg[p]] == VS_NONE) {
                    atom_of[e.cone.var_of_pkg[p]] = (uint32_t)r;
                    vec_push(&queue, p);
                }
            }
        }
        uint32_t target = VS_NONE;
        for (size_t head = 0; head < queue.len && target == VS_NONE; head++) {
            uint32_t p = queue.items[head];
            for (uint32_t j = 0; j < fa->count; j++)
                if (req->ids.items[fa->first + j] == p)
                    target = p;
            uint32_t first, count;
            universe_clauses(u, p, 0, &first, &count);
            for (uint32_t c = 0; c < count; c++) {
                const vs_clause *cl = &u->clauses.items[first + c];
                for (uint32_t j = cl->count; j-- > 0;) {
                    uint32_t q = u->ids.items[cl->first + j];
                    if (encode_in_cone(&e, q) && atom_of[e.cone.var_of_pkg[q]] == VS_NONE) {
                        atom_of[e.cone.var_of_pkg[q]] = atom_of[e.cone.var_of_pkg[p]];
                        parent[e.cone.var_of_pkg[q]] = p;
                        vec_push(&queue, q);
                    }
                }
            }
        }
        if (target != VS_NONE) {
            u32_vec chain = { 0 };
            for (uint32_t p = target; p != VS_NONE; p = parent[e.cone.var_of_pkg[p]])
                vec_push(&chain, p);
            const vs_atom *ra = &req->atoms.items[atom_of[e.cone.var_of_pkg[target]]];
            say(t, &pl->oom, "%s cannot be vendored (it does not build with dune) and is needed through: %s",
                universe_pkg_name(u, target), universe_str(u, ra->desc));
            for (size_t k = chain.len; k-- > 0;)
                say(t, &pl->oom, " -> %s.%s", universe_pkg_name(u, chain.items[k]), universe_pkg_version(u, chain.items[k]));
            say(t, &pl->oom, "\n");
            vec_free(&chain);
        }
        vec_free(&queue);
    }
    free(parent);
    free(atom_of);
    encoding_free(&e);
}

/* ---- the lock --------------------------------------------------------------------------- */

static const char *const dune_files[] = { "dune", "dune-project", "dune-workspace", "dune.opam",
                                          "dune-project.opam", "dune-workspace.opam" };

static int by_lock_pkg(const void *x, const void *y)
{
    const vs_lock_pkg *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->version, b->version);
}

static int by_source_dir(const void *x, const void *y)
{
    return strcmp(((const vs_lock_source *)x)->dir, ((const vs_lock_source *)y)->dir);
}

typedef struct src_group {
    const char *key;      /* dev-repo key, or "!" + package name without a dev-repo */
    const char *dev_repo;
    uint32_t first_pkg;   /* a member, for the url and checksums */
} src_group;

static int by_src_key(const void *x, const void *y)
{
    return strcmp(((const src_group *)x)->key, ((const src_group *)y)->key);
}

/* The name p has in the lock: its own, or with --duplicates, a renamed copy's. */
static const char *lock_name(vs_lock *l, const vs_universe *u, const vs_dup_result *dr, uint32_t p)
{
    const vs_dup_copy *c = dup_copy_of(dr, p);
    if (!c || !c->renamed)
        return lock_str(l, universe_pkg_name(u, p));
    char buf[512];
    dup_copy_name(universe_pkg_name(u, p), universe_pkg_version(u, p), buf, sizeof buf);
    return lock_str(l, buf);
}

/* The chosen dependencies of p (names), from the solution graph; with duplicates, from the
 * solution's edges (the copy each dependency uses, by its lock name). */
static int pkg_depends(vs_lock *l, vs_lock_pkg *lp, const vs_universe *u, const vs_graph *g, uint32_t p,
                       const vs_dup_result *dr)
{
    if (dr && dr->copies.len) {
        for (size_t e = 0; e < dr->edge_from.len; e++)
            if (dr->edge_from.items[e] == p) {
                const char *n = lock_name(l, u, dr, dr->edge_to.items[e]);
                if (!n || lock_push(l, &lp->depends, n) != VSOLVE_OK)
                    return VSOLVE_ENOMEM;
            }
        lock_sort_unique(&lp->depends);
        return VSOLVE_OK;
    }
    uint32_t node = g->node_of_pkg[p];
    if (node == VS_NONE)
        return VSOLVE_OK;
    const uint32_t *deps;
    size_t n = graph_deps(g, node, &deps);
    for (size_t i = 0; i < n; i++)
        if (lock_push(l, &lp->depends, universe_pkg_name(u, g->pkg[deps[i]])) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    lock_sort_unique(&lp->depends);
    return VSOLVE_OK;
}

static int build_lock(planner *pl, const vs_request *req, const vs_solution *sol, const unsigned char *chosen,
                      const vs_dup_result *dr, vs_lock *l)
{
    vs_universe *u = pl->u;
    const u32_vec *pkgs = &sol->pkgs;
    vs_graph graph;
    int rc = graph_build(&graph, u, req, sol, NULL);
    if (rc != VSOLVE_OK) {
        graph_free(&graph);
        return vs_error_set(pl->err, rc, rc == VSOLVE_ENOMEM ? "out of memory" : "the solution graph could not be built");
    }
    l->ecosystem = "opam";
    l->fingerprint = lock_str(l, pl->o->fingerprint ? pl->o->fingerprint : "");
    for (size_t i = 0; i < pl->vars->len && rc == VSOLVE_OK; i++) {
        vs_lock_var v = { lock_str(l, pl->vars->items[i].name), lock_str(l, pl->vars->items[i].value) };
        if (!v.name || !v.value || !vec_push(&l->vars, v))
            rc = VSOLVE_ENOMEM;
    }
    for (size_t i = 1; i < l->vars.len; i++)   /* few: insertion sort by name */
        for (size_t j = i; j > 0 && strcmp(l->vars.items[j - 1].name, l->vars.items[j].name) > 0; j--) {
            vs_lock_var t = l->vars.items[j];
            l->vars.items[j] = l->vars.items[j - 1];
            l->vars.items[j - 1] = t;
        }
    for (size_t i = 0; i < pl->specs.len && rc == VSOLVE_OK; i++) {
        const provided_spec *sp = &pl->specs.items[i];
        char nm[256];
        size_t k = strcspn(sp->text, "=. ");
        snprintf(nm, sizeof nm, "%.*s", (int)(k < 255 ? k : 255), sp->text);
        rc = lock_push(l, &l->opam_provided, nm);
    }
    lock_sort_unique(&l->opam_provided);

    /* the sources: one per dev-repo of the vendored packages */
    VEC(src_group) groups = { 0 };
    for (size_t i = 0; i < pkgs->len && rc == VSOLVE_OK; i++) {
        uint32_t p = pkgs->items[i];
        if (is_provided(pl, p))
            continue;
        const char *drepo = attrs_lookup(&u->attrs, p, VS_ATTR_DEV_REPO);
        const vs_dup_copy *cp = dup_copy_of(dr, p);
        char k[1024];
        if (cp && cp->renamed)   /* a renamed copy has a directory of its own */
            snprintf(k, sizeof k, "@%s", lock_name(l, u, dr, p));
        else if (drepo)
            dev_repo_key(drepo, k, sizeof k);
        else
            snprintf(k, sizeof k, "!%s", universe_pkg_name(u, p));
        src_group g = { lock_str(l, k), cp && cp->renamed ? NULL : drepo, p };
        size_t j = 0;
        while (j < groups.len && strcmp(groups.items[j].key, g.key))
            j++;
        if (j == groups.len && (!g.key || !vec_push(&groups, g)))
            rc = VSOLVE_ENOMEM;
    }
    if (groups.len > 1)
        qsort(groups.items, groups.len, sizeof *groups.items, by_src_key);
    for (size_t i = 0; i < groups.len && rc == VSOLVE_OK; i++) {
        const src_group *g = &groups.items[i];
        char base[256], dir[300];
        if (!g->dev_repo || !opam_dev_repo_dir(g->dev_repo, base, sizeof base))
            snprintf(base, sizeof base, "%s", lock_name(l, u, dr, g->first_pkg));
        for (char *c = base; *c; c++)   /* the JSON lock's dir alphabet */
            if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '_' || *c == '+' || *c == '-'))
                *c = '_';
        if (!isalnum((unsigned char)base[0]))
            base[0] = '_';   /* never "." or ".." or hidden */
        snprintf(dir, sizeof dir, "%s", base);
        for (size_t d = 0; d < sizeof dune_files / sizeof *dune_files; d++)
            if (!strcmp(dir, dune_files[d]))
                snprintf(dir, sizeof dir, "%s.src", base);
        char unique[320];
        snprintf(unique, sizeof unique, "%s", dir);
        for (unsigned n = 2;; n++) {
            size_t j = 0;
            while (j < l->sources.len && strcmp(l->sources.items[j].dir, unique))
                j++;
            if (j == l->sources.len)
                break;
            snprintf(unique, sizeof unique, "%s.%u", dir, n);
        }
        vs_lock_source s = { 0 };
        s.dir = lock_str(l, unique);
        s.url = lock_str(l, attrs_lookup(&u->attrs, g->first_pkg, VS_ATTR_URL));
        const vs_attr *cs;
        size_t ncs = attrs_lookup_all(&u->attrs, g->first_pkg, VS_ATTR_CHECKSUM, &cs);
        for (size_t k = 0; k < ncs && rc == VSOLVE_OK; k++)
            rc = lock_push(l, &s.checksums, attrs_str(&u->attrs, cs[k].value));
        lock_sort_unique(&s.checksums);
        if (rc == VSOLVE_OK && (!s.dir || !s.url || !vec_push(&l->sources, s)))
            rc = VSOLVE_ENOMEM;
    }

    /* the packages */
    for (size_t i = 0; i < pkgs->len && rc == VSOLVE_OK; i++) {
        uint32_t p = pkgs->items[i];
        vs_lock_pkg lp = { 0 };
        const vs_dup_copy *cp = dup_copy_of(dr, p);
        lp.name = lock_name(l, u, dr, p);
        lp.version = lock_str(l, universe_pkg_version(u, p));
        lp.mode = is_provided(pl, p) ? VS_LOCK_PROVIDED : VS_LOCK_VENDORED;
        if (cp && cp->renamed)
            lp.copy_of = lock_str(l, universe_pkg_name(u, p));
        for (uint32_t j = 0; cp && j < cp->users_count && rc == VSOLVE_OK; j++) {
            uint32_t by = dr->users.items[cp->users_first + j];
            if (by != VS_NONE)
                rc = lock_push(l, &lp.used_by, lock_name(l, u, dr, by));
            for (size_t r = 0; by == VS_NONE && r < pl->proj->roots.len && rc == VSOLVE_OK; r++)
                rc = lock_push(l, &lp.used_by, pl->proj->roots.items[r].name);
        }
        lock_sort_unique(&lp.used_by);
        if (lp.mode == VS_LOCK_VENDORED) {
            const char *drepo = attrs_lookup(&u->attrs, p, VS_ATTR_DEV_REPO);
            char k[1024];
            if (cp && cp->renamed)
                snprintf(k, sizeof k, "@%s", lp.name ? lp.name : "");
            else if (drepo)
                dev_repo_key(drepo, k, sizeof k);
            else
                snprintf(k, sizeof k, "!%s", lp.name ? lp.name : "");
            size_t g = 0;
            while (g < groups.len && strcmp(groups.items[g].key, k))
                g++;
            lp.dir = l->sources.items[g].dir;
            lp.url = lock_str(l, attrs_lookup(&u->attrs, p, VS_ATTR_URL));
            lp.dev_repo = lock_str(l, drepo ? drepo : "");
            const vs_attr *cs;
            size_t ncs = attrs_lookup_all(&u->attrs, p, VS_ATTR_CHECKSUM, &cs);
            for (size_t c = 0; c < ncs && rc == VSOLVE_OK; c++)
                rc = lock_push(l, &lp.checksums, attrs_str(&u->attrs, cs[c].value));
            lock_sort_unique(&lp.checksums);
            if (rc == VSOLVE_OK)
                rc = lock_push(l, &l->sources.items[g].packages, lp.name);
        }
        const vs_attr *dx;
        size_t ndx = attrs_lookup_all(&u->attrs, p, VS_ATTR_DEPEXT, &dx);
        for (size_t c = 0; c < ndx && rc == VSOLVE_OK; c++)
            rc = lock_push(l, &lp.depexts, attrs_str(&u->attrs, dx[c].value));
        if (rc == VSOLVE_OK)
            rc = pkg_depends(l, &lp, u, &graph, p, dr);
        if (rc == VSOLVE_OK && (!lp.name || !lp.version || !vec_push(&l->pkgs, lp)))
            rc = VSOLVE_ENOMEM;
    }
    /* the roots: their chosen dependencies from their atoms */
    for (size_t r = 0; r < pl->proj->roots.len && rc == VSOLVE_OK; r++) {
        const opam_root *root = &pl->proj->roots.items[r];
        vs_lock_pkg lp = { 0 };
        lp.name = lock_str(l, root->name);
        lp.version = lock_str(l, root->version);
        lp.mode = VS_LOCK_ROOT;
        rc = lock_push(l, &l->roots, root->name);
        size_t plen = strlen(root->name);
        for (size_t a = 0; a < req->atoms.len && rc == VSOLVE_OK; a++) {
            const vs_atom *at = &req->atoms.items[a];
            const char *d = universe_str(u, at->desc);
            if (at->forbid || !at->not_root || strncmp(d, root->name, plen) || strncmp(d + plen, " needs ", 7))
                continue;
            /* with duplicates: the copy that keeps its name when it serves, else the renamed one */
            uint32_t use = VS_NONE;
            for (uint32_t j = 0; j < at->count; j++) {
                uint32_t q = req->ids.items[at->first + j];
                const vs_dup_copy *cq = dup_copy_of(dr, q);
                if (chosen[q] && (use == VS_NONE || !cq || !cq->renamed))
                    use = q;
                if (chosen[q] && !dr)
                    rc = lock_push(l, &lp.depends, universe_pkg_name(u, q));
            }
            if (dr && use != VS_NONE && rc == VSOLVE_OK)
                rc = lock_push(l, &lp.depends, lock_name(l, u, dr, use));
        }
        lock_sort_unique(&lp.depends);
        const opam_node *dx = root->depexts;
        if (dx && rc == VSOLVE_OK) {
            opam_node *const *items = dx->kind == OPAM_LIST ? dx->items : (opam_node *const *)&dx;
            size_t n = dx->kind == OPAM_LIST ? dx->n_items : 1;
            for (size_t k = 0; k < n && rc == VSOLVE_OK; k++) {
                char *t = opam_value_text(&l->mem, items[k]);
                rc = t ? lock_push(l, &l->root_depexts, t) : VSOLVE_ENOMEM;
            }
        }
        if (rc == VSOLVE_OK && (!lp.name || !lp.version || !vec_push(&l->pkgs, lp)))
            rc = VSOLVE_ENOMEM;
    }
    lock_sort_unique(&l->roots);
    for (size_t i = 0; i < l->sources.len; i++)
        lock_sort_unique(&l->sources.items[i].packages);
    if (l->pkgs.len > 1)
        qsort(l->pkgs.items, l->pkgs.len, sizeof *l->pkgs.items, by_lock_pkg);
    if (l->sources.len > 1)
        qsort(l->sources.items, l->sources.len, sizeof *l->sources.items, by_source_dir);
    /* sorting the sources moved them: the packages' dir pointers are strings, still valid */
    vec_free(&groups);
    graph_free(&graph);
    if (rc != VSOLVE_OK)
        vs_error_set(pl->err, VSOLVE_ENOMEM, "out of memory");
    return rc;
}

/* What changed against the old lock's pins. */
static void say_changes(planner *pl, const opam_locked_pin *pins, size_t n_pins, const vs_lock *l)
{
    size_t kept = 0, changed = 0;
    for (size_t i = 0; i < n_pins; i++) {
        const vs_lock_pkg *now = NULL;
        for (size_t k = 0; k < l->pkgs.len && !now; k++)
            if (!strcmp(l->pkgs.items[k].name, pins[i].name))
                now = &l->pkgs.items[k];
        if (!now) {
            say(&pl->notes, &pl->oom, "removed %s %s\n", pins[i].name, pins[i].version);
            changed++;
        } else if (strcmp(now->version, pins[i].version)) {
            say(&pl->notes, &pl->oom, "changed %s %s -> %s\n", pins[i].name, pins[i].version, now->version);
            changed++;
        } else {
            kept++;
        }
    }
    for (size_t k = 0; k < l->pkgs.len; k++) {
        const vs_lock_pkg *now = &l->pkgs.items[k];
        int found = now->mode == VS_LOCK_ROOT;
        for (size_t i = 0; i < n_pins && !found; i++)
            found = !strcmp(pins[i].name, now->name);
        if (!found) {
            say(&pl->notes, &pl->oom, "added %s %s\n", now->name, now->version);
            changed++;
        }
    }
    say(&pl->notes, &pl->oom, "against the old lock: %zu kept, %zu changed\n", kept, changed);
}

int opam_monorepo_lock(vs_universe *u, const opam_project *proj, const opam_vars *vars,
                       const opam_lock_options *o, vs_lock *lock, opam_lock_outcome *out, vs_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = universe_need_attrs(u, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (u->attrs.items.len == 0 && u->pkgs.len > 0)
        return vs_error_set(err, VSOLVE_EUSAGE, "the universe carries no package attributes (url, checksums, dev-repo): "
                            "it was read from a cache that does not keep them; read the repository itself (--no-cache)");
    planner pl = { .u = u, .proj = proj, .vars = vars, .o = o, .err = err };
    arena_init(&pl.mem);
    size_t nn = u->names.len ? u->names.len : 1;
    pl.user_provided = calloc(nn, 1);
    pl.provided = calloc(nn, 1);
    pl.exempt = calloc(nn, 1);
    pl.cls = calloc(u->pkgs.len ? u->pkgs.len : 1, sizeof *pl.cls);
    if (!pl.user_provided || !pl.provided || !pl.exempt || !pl.cls)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < o->n_provided && rc == VSOLVE_OK; i++)
        rc = add_spec(&pl, o->provided[i], strlen(o->provided[i]), "--provided");
    if (rc == VSOLVE_OK && o->provided_file)
        rc = read_provided_file(&pl, o->provided_file);
    for (size_t i = 0; i < proj->roots.len && rc == VSOLVE_OK; i++)
        rc = read_root_provided(&pl, &proj->roots.items[i]);
    for (size_t i = 0; i < pl.specs.len && rc == VSOLVE_OK; i++)
        if (pl.specs.items[i].name != VS_NONE)
            pl.user_provided[pl.specs.items[i].name] = pl.provided[pl.specs.items[i].name] = 1;
    if (rc == VSOLVE_OK)
        rc = exempt_below_provided(&pl);
    opam_locked_pin *pins = NULL;
    size_t n_pins = 0;
    if (rc == VSOLVE_OK && o->old_lock)
        rc = opam_locked_read(&pl.mem, o->old_lock, &pins, &n_pins, err);

    vs_solution s;
    solution_init(&s);
    unsigned char *chosen = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    if (!chosen && rc == VSOLVE_OK)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    vs_request req;
    request_init(&req);
    vs_dup_result dres;
    memset(&dres, 0, sizeof dres);
    for (int round = 0; rc == VSOLVE_OK; round++) {
        request_free(&req);
        request_init(&req);
        rc = base_request(&pl, &req, pins, n_pins);
        /* re-solving against an old lock: opam's install criteria with the lock as the installed
         * set (solver/criteria.h), i.e. the fewest removed and changed packages; otherwise newest
         * first, as opam-monorepo's solver */
        req.preference = o->old_lock ? VS_PREFER_OPAM_CRITERIA : VS_PREFER_NEWEST_FIRST;
        if (rc == VSOLVE_OK)
            rc = request_need_clauses(u, &req, err);
        if (rc == VSOLVE_OK)
            rc = add_rules(&pl, &req);
        if (rc != VSOLVE_OK)
            break;
        solution_free(&s);
        solution_init(&s);
        dup_result_free(&dres);
        int st;
        if (o->duplicates) {   /* provided names stay single: the switch holds one version */
            VEC(const char *) single = { 0 };
            for (uint32_t n = 0; n < u->names.len; n++) {
                int prov = pl.provided[n];
                for (uint32_t j = 0; !prov && j < u->names.items[n].n_pkgs; j++)
                    prov = is_provided(&pl, u->names.items[n].first_pkg + j);
                if (prov && !vec_push(&single, universe_str(u, u->names.items[n].str))) {
                    rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
                    break;
                }
            }
            vs_dup_options dopt = { o->duplicates, single.items, single.len };
            st = rc == VSOLVE_OK ? vs_solve_duplicates(u, &req, &dopt, &s, &dres) : VSOLVE_ENOMEM;
            vec_free(&single);
        } else {
            st = vs_solve(u, &req, &s);
        }
        out->solves++;
        if (st == VSOLVE_UNSAT) {
            textbuf t = { 0 };
            say(&t, &pl.oom, "%s", s.explanation ? s.explanation : "The request cannot be satisfied.\n");
            add_chains(&pl, &req, s.explanation, &t);
            out->status = VSOLVE_UNSAT;
            out->explanation = text_take(&t, &pl.oom);
            break;
        }
        if (st != VSOLVE_OK) {
            rc = vs_error_set(err, st, "%s", s.explanation ? s.explanation : "solving failed");
            break;
        }
        memset(chosen, 0, u->pkgs.len);
        for (size_t i = 0; i < s.pkgs.len; i++)
            chosen[s.pkgs.items[i]] = 1;
        size_t grew = close_provided(&pl, chosen, &s.pkgs);
        size_t broke = unexempt_violations(&pl, &s.pkgs);
        if ((grew == 0 && broke == 0) || round + 1 >= MAX_ROUNDS) {
            out->status = VSOLVE_OK;
            rc = build_lock(&pl, &req, &s, chosen, o->duplicates ? &dres : NULL, lock);
            if (rc == VSOLVE_OK && o->old_lock)
                say_changes(&pl, pins, n_pins, lock);
            break;
        }
    }
    if (rc == VSOLVE_OK && pl.oom)
        rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (rc == VSOLVE_OK)
        out->notes = text_take(&pl.notes, &pl.oom);
    request_free(&req);
    solution_free(&s);
    dup_result_free(&dres);
    free(chosen);
    free(pins);
    vec_free(&pl.specs);
    vec_free(&pl.notes);
    free(pl.user_provided);
    free(pl.provided);
    free(pl.exempt);
    free(pl.cls);
    arena_free(&pl.mem);
    return rc;
}
