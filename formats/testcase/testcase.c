/* testcase.c: reading YAML solver test cases (libyaml) into a testcase, in either form. */
#include "testcase.h"
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "testcase_yaml.h"
#include "universe.h"

typedef struct reader {
    testcase *tc;
    yaml_document_t *doc;
    vs_error *err;
} reader;

static int bad(reader *r, const yaml_node_t *n, const char *what)
{
    return vs_error_at(r->err, r->tc->path, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1,
                       "expected %s", what);
}

static int oom(reader *r) { return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory"); }

static yaml_node_t *node(reader *r, int id) { return yaml_document_get_node(r->doc, id); }

static const char *scalar(reader *r, const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return arena_strndup(&r->tc->mem, (const char *)n->data.scalar.value, n->data.scalar.length);
}

static size_t n_items(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
           : n->type == YAML_MAPPING_NODE ? (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start)
                                          : 0;
}

/* An empty body: {}, [] or nothing. */
static int is_empty(const yaml_node_t *n)
{
    return (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0) ||
           ((n->type == YAML_MAPPING_NODE || n->type == YAML_SEQUENCE_NODE) && n_items(n) == 0);
}

static void *alloc_array(reader *r, size_t n, size_t size)
{
    return arena_alloc(&r->tc->mem, (n ? n : 1) * size);
}

static void mark(const yaml_node_t *n, unsigned *line, unsigned *col)
{
    *line = (unsigned)n->start_mark.line + 1;
    *col = (unsigned)n->start_mark.column + 1;
}

static int read_string_list(reader *r, yaml_node_t *n, const char ***out, size_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return bad(r, n, "a list of strings");
    if (!(*out = alloc_array(r, n_items(n), sizeof **out)))
        return oom(r);
    *count = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = node(r, *it);
        const char *s = scalar(r, item);
        if (!s)
            return bad(r, item ? item : n, "a string");
        (*out)[(*count)++] = s;
    }
    return VSOLVE_OK;
}

/* { NAME: [VERSION...] } (a single VERSION may stand without brackets). */
static int read_set(reader *r, yaml_node_t *n, tc_set *set)
{
    memset(set, 0, sizeof *set);
    mark(n, &set->line, &set->col);
    if (is_empty(n))
        return VSOLVE_OK;
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "packages as { NAME: [ VERSION, ... ] }");
    size_t total = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *v = node(r, p->value);
        total += v && v->type == YAML_SEQUENCE_NODE ? (n_items(v) ? n_items(v) : 1) : 1;
    }
    if (!(set->refs = alloc_array(r, total, sizeof *set->refs)))
        return oom(r);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *name = scalar(r, k);
        if (!name || !v)
            return bad(r, k ? k : n, "a package name");
        if (v->type == YAML_SCALAR_NODE) {
            tc_ref *ref = &set->refs[set->n++];
            ref->name = name;
            ref->version = scalar(r, v);
            mark(v, &ref->line, &ref->col);
            continue;
        }
        if (v->type != YAML_SEQUENCE_NODE)
            return bad(r, v, "a list of versions");
        if (n_items(v) == 0) {
            tc_ref *ref = &set->refs[set->n++];
            ref->name = name;
            mark(k, &ref->line, &ref->col);
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *item = node(r, *it);
            tc_ref *ref = &set->refs[set->n++];
            ref->name = name;
            if (!(ref->version = scalar(r, item)))
                return bad(r, item ? item : v, "a version string");
            mark(item, &ref->line, &ref->col);
        }
    }
    return VSOLVE_OK;
}

/* DESC: PROVIDERS, or { clause: DESC, providers: PROVIDERS, if: PACKAGE } */
static int read_clause(reader *r, yaml_node_t *n, tc_clause *c)
{
    memset(c, 0, sizeof *c);
    if (n->type != YAML_MAPPING_NODE || n_items(n) == 0)
        return bad(r, n, "a clause DESC: { NAME: [ VERSION, ... ] }");
    if (n_items(n) == 1) {
        yaml_node_pair_t *p = n->data.mapping.pairs.start;
        yaml_node_t *k = node(r, p->key);
        if (!(c->desc = scalar(r, k)))
            return bad(r, k ? k : n, "the clause's description");
        if (strcmp(c->desc, "clause") != 0)
            return read_set(r, node(r, p->value), &c->providers);
    }
    int have_desc = 0, have_providers = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(r, k);
        int rc = VSOLVE_OK;
        if (key && !strcmp(key, "clause")) {
            have_desc = 1;
            if (!(c->desc = scalar(r, v)))
                rc = bad(r, v ? v : k, "the clause's description");
        } else if (key && !strcmp(key, "providers")) {
            have_providers = 1;
            rc = read_set(r, v, &c->providers);
        } else if (key && !strcmp(key, "if")) {
            tc_set cond;
            rc = read_set(r, v, &cond);
            if (rc == VSOLVE_OK && (cond.n != 1 || !cond.refs[0].version))
                rc = bad(r, v, "one package { NAME: VERSION } the clause depends on");
            if (rc == VSOLVE_OK) {
                c->conditional = 1;
                c->cond = cond.refs[0];
            }
        } else {
            rc = bad(r, k ? k : n, "clause, providers or if");
        }
        if (rc != VSOLVE_OK)
            return rc;
    }
    if (!have_desc || !have_providers)
        return bad(r, n, "a clause with the keys clause and providers");
    return VSOLVE_OK;
}

static int read_clauses(reader *r, yaml_node_t *n, tc_clause **out, size_t *count)
{
    *count = 0;
    if (is_empty(n))
        return VSOLVE_OK;
    if (n->type != YAML_SEQUENCE_NODE)
        return bad(r, n, "a list of clauses");
    if (!(*out = alloc_array(r, n_items(n), sizeof **out)))
        return oom(r);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        int rc = read_clause(r, node(r, *it), &(*out)[*count]);
        if (rc != VSOLVE_OK)
            return rc;
        (*count)++;
    }
    return VSOLVE_OK;
}

static int read_flags(reader *r, yaml_node_t *n, uint32_t *flags)
{
    static const struct { const char *word; uint32_t flag; } words[] = {
        { "avoid", VS_PKG_AVOID }, { "unavailable", VS_PKG_UNAVAILABLE }, { "virtual", VS_PKG_VIRTUAL },
    };
    const char **list;
    size_t count;
    int rc = read_string_list(r, n, &list, &count);
    for (size_t i = 0; i < count && rc == VSOLVE_OK; i++) {
        size_t w = 0;
        while (w < sizeof words / sizeof words[0] && strcmp(words[w].word, list[i]) != 0)
            w++;
        if (w == sizeof words / sizeof words[0])
            return bad(r, node(r, n->data.sequence.items.start[i]), "a flag: avoid, unavailable or virtual");
        *flags |= words[w].flag;
    }
    return rc;
}

static int read_attrs(reader *r, yaml_node_t *n, tc_package *pkg)
{
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "attributes as { KEY: VALUE }");
    if (!(pkg->attrs = alloc_array(r, n_items(n), sizeof *pkg->attrs)))
        return oom(r);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        tc_attr *a = &pkg->attrs[pkg->n_attrs++];
        if (!(a->key = scalar(r, k)) || !(a->value = scalar(r, v)))
            return bad(r, a->key ? v : k, "an attribute KEY: VALUE (strings)");
    }
    return VSOLVE_OK;
}

static int read_package(reader *r, yaml_node_t *n, tc_package *pkg)
{
    if (is_empty(n))
        return VSOLVE_OK;
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "a package body: depends, root-depends, conflicts, flags, attrs");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(r, k);
        int rc;
        if (!key || !v)
            rc = bad(r, k ? k : n, "a key");
        else if (!strcmp(key, "depends"))
            rc = read_clauses(r, v, &pkg->depends, &pkg->n_depends);
        else if (!strcmp(key, "root-depends"))
            pkg->root_variant = 1, rc = read_clauses(r, v, &pkg->root_depends, &pkg->n_root_depends);
        else if (!strcmp(key, "conflicts"))
            rc = read_set(r, v, &pkg->conflicts);
        else if (!strcmp(key, "flags"))
            rc = read_flags(r, v, &pkg->flags);
        else if (!strcmp(key, "attrs"))
            rc = read_attrs(r, v, pkg);
        else
            rc = bad(r, k, "one of depends, root-depends, conflicts, flags, attrs");
        if (rc != VSOLVE_OK)
            return rc;
    }
    return VSOLVE_OK;
}

/* universe: { NAME: { VERSION: BODY } } */
static int read_universe(reader *r, yaml_node_t *n)
{
    if (is_empty(n))
        return VSOLVE_OK;
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "a mapping NAME: { VERSION: BODY }");
    size_t total = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *v = node(r, p->value);
        if (!v || v->type != YAML_MAPPING_NODE)
            return bad(r, v ? v : n, "the versions of a name: { VERSION: BODY }");
        total += n_items(v);
    }
    if (!(r->tc->universe = alloc_array(r, total, sizeof *r->tc->universe)))
        return oom(r);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *name = scalar(r, k);
        if (!name)
            return bad(r, k, "a package name");
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
            yaml_node_t *vk = node(r, q->key), *body = node(r, q->value);
            tc_package *pkg = &r->tc->universe[r->tc->n_universe];
            memset(pkg, 0, sizeof *pkg);
            pkg->name = name;
            if (!(pkg->version = scalar(r, vk)) || !body)
                return bad(r, vk ? vk : v, "a version");
            mark(vk, &pkg->line, &pkg->col);
            int rc = read_package(r, body, pkg);
            if (rc != VSOLVE_OK)
                return rc;
            r->tc->n_universe++;
        }
    }
    return VSOLVE_OK;
}

static int read_groups(reader *r, yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return bad(r, n, "a list of groups { group: DESC, slot: true, members: { ... } }");
    if (!(r->tc->groups = alloc_array(r, n_items(n), sizeof *r->tc->groups)))
        return oom(r);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *g = node(r, *it);
        tc_group *grp = &r->tc->groups[r->tc->n_groups];
        memset(grp, 0, sizeof *grp);
        if (!g || g->type != YAML_MAPPING_NODE)
            return bad(r, g ? g : n, "a group { group: DESC, slot: true, members: { ... } }");
        int have_desc = 0, have_members = 0;
        for (yaml_node_pair_t *p = g->data.mapping.pairs.start; p < g->data.mapping.pairs.top; p++) {
            yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
            const char *key = scalar(r, k), *val = scalar(r, v);
            int rc = VSOLVE_OK;
            if (key && !strcmp(key, "group") && val)
                have_desc = 1, grp->desc = val;
            else if (key && !strcmp(key, "slot") && val && (!strcmp(val, "true") || !strcmp(val, "false")))
                grp->slot = !strcmp(val, "true");
            else if (key && !strcmp(key, "members") && v)
                have_members = 1, rc = read_set(r, v, &grp->members);
            else
                rc = bad(r, k ? k : g, "group: DESC, slot: true or false, members: { NAME: [ VERSION ] }");
            if (rc != VSOLVE_OK)
                return rc;
        }
        if (!have_desc || !have_members)
            return bad(r, g, "a group with the keys group and members");
        r->tc->n_groups++;
    }
    return VSOLVE_OK;
}

/* request: [ "opam atom" | DESC: PACKAGES | { atom: DESC, install|forbid: PACKAGES } ] */
static int read_request(reader *r, yaml_node_t *n)
{
    if (is_empty(n))
        return VSOLVE_OK;
    if (n->type != YAML_SEQUENCE_NODE)
        return bad(r, n, "a list of strings");
    if (!(r->tc->request = alloc_array(r, n_items(n), sizeof *r->tc->request)))
        return oom(r);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *a = node(r, *it);
        tc_atom *atom = &r->tc->request[r->tc->n_request];
        memset(atom, 0, sizeof *atom);
        if (!a)
            return bad(r, n, "an atom");
        mark(a, &atom->line, &atom->col);
        if (a->type == YAML_SCALAR_NODE) {
            atom->desc = scalar(r, a);
        } else if (a->type == YAML_MAPPING_NODE && n_items(a) == 1) {
            yaml_node_pair_t *p = a->data.mapping.pairs.start;
            atom->resolved = 1;
            if (!(atom->desc = scalar(r, node(r, p->key))))
                return bad(r, a, "an atom DESC: { NAME: [ VERSION, ... ] }");
            int rc = read_set(r, node(r, p->value), &atom->pkgs);
            if (rc != VSOLVE_OK)
                return rc;
        } else if (a->type == YAML_MAPPING_NODE && n_items(a) == 2) {
            atom->resolved = 1;
            int have_desc = 0, have_pkgs = 0;
            for (yaml_node_pair_t *p = a->data.mapping.pairs.start; p < a->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
                const char *key = scalar(r, k);
                int rc = VSOLVE_OK;
                if (key && !strcmp(key, "atom") && (atom->desc = scalar(r, v)))
                    have_desc = 1;
                else if (key && (!strcmp(key, "install") || !strcmp(key, "forbid")) && v)
                    have_pkgs = 1, atom->forbid = !strcmp(key, "forbid"), rc = read_set(r, v, &atom->pkgs);
                else
                    rc = bad(r, k ? k : a, "atom: DESC and install or forbid: { NAME: [ VERSION ] }");
                if (rc != VSOLVE_OK)
                    return rc;
            }
            if (!have_desc || !have_pkgs)
                return bad(r, a, "an atom with the keys atom and install or forbid");
        } else {
            return bad(r, a, "an atom: \"NAME OP VERSION\", DESC: { NAME: [ VERSION ] } or { atom: DESC, forbid: ... }");
        }
        if (!atom->desc)
            return oom(r);
        r->tc->n_request++;
    }
    return VSOLVE_OK;
}

static int read_packages(reader *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "a mapping from NAME.VERSION to the body of its opam file");
    if (!(r->tc->packages = alloc_array(r, n_items(n), sizeof *r->tc->packages)))
        return oom(r);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(r, k), *body = scalar(r, v);
        if (!key)
            return bad(r, k ? k : n, "a package key NAME.VERSION");
        if (!body)
            return bad(r, v ? v : k, "the opam file body as a string");
        const char *dot = strchr(key, '.');
        if (!dot || dot == key || !dot[1])
            return bad(r, k, "a package key of the form NAME.VERSION");
        opam_memory_file *f = &r->tc->packages[r->tc->n_packages++];
        f->name = arena_strndup(&r->tc->mem, key, (size_t)(dot - key));
        f->version = dot + 1;
        f->text = body;
        size_t len = strlen(r->tc->path) + strlen(key) + 2;
        char *fname = arena_alloc(&r->tc->mem, len);
        if (!f->name || !fname)
            return oom(r);
        snprintf(fname, len, "%s:%s", r->tc->path, key);
        f->filename = fname;
    }
    return VSOLVE_OK;
}

static int read_env(reader *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "a mapping of opam variables");
    if (!(r->tc->env = alloc_array(r, n_items(n), sizeof *r->tc->env)))
        return oom(r);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(r, k), *val = scalar(r, v);
        if (!key || !val)
            return bad(r, key ? v : k, "a variable name and a value");
        r->tc->env[r->tc->n_env].name = (char *)key;
        r->tc->env[r->tc->n_env].value = (char *)val;
        r->tc->n_env++;
    }
    return VSOLVE_OK;
}

/* solution: [ NAME.VERSION ... ] or { NAME: [ VERSION ... ] } */
static int read_solution(reader *r, yaml_node_t *n)
{
    testcase *tc = r->tc;
    if (n->type == YAML_MAPPING_NODE || is_empty(n))
        return read_set(r, n, &tc->solution);
    const char **list;
    size_t count;
    int rc = read_string_list(r, n, &list, &count);
    if (rc != VSOLVE_OK)
        return rc;
    tc->solution_as_list = 1;
    mark(n, &tc->solution.line, &tc->solution.col);
    if (!(tc->solution.refs = alloc_array(r, count, sizeof *tc->solution.refs)))
        return oom(r);
    for (size_t i = 0; i < count; i++) {
        const char *dot = strchr(list[i], '.');
        yaml_node_t *item = node(r, n->data.sequence.items.start[i]);
        if (!dot || dot == list[i] || !dot[1])
            return bad(r, item, "NAME.VERSION");
        tc_ref *ref = &tc->solution.refs[tc->solution.n++];
        ref->name = arena_strndup(&tc->mem, list[i], (size_t)(dot - list[i]));
        ref->version = dot + 1;
        mark(item, &ref->line, &ref->col);
        if (!ref->name)
            return oom(r);
    }
    return VSOLVE_OK;
}

static int read_ecosystem(reader *r, yaml_node_t *n)
{
    const char *s = scalar(r, n);
    for (int e = TC_OPAM; s && e <= TC_CUDF; e++)
        if (!strcmp(s, testcase_ecosystem_name((tc_ecosystem)e))) {
            r->tc->ecosystem = (tc_ecosystem)e;
            return VSOLVE_OK;
        }
    return bad(r, n, "an ecosystem: opam, cargo, npm or cudf");
}

static int read_document(reader *r, yaml_node_t *root)
{
    testcase *tc = r->tc;
    if (!root || root->type != YAML_MAPPING_NODE)
        return vs_error_at(r->err, tc->path, 1, 1, "expected a mapping with a universe, a request and the answer");
    int have_universe = 0, have_request = 0, have_answer = 0, rc = VSOLVE_OK;
    unsigned seen = 0;   /* bit i: known[i] was read */
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && rc == VSOLVE_OK; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(r, k);
        if (!key || !v)
            return bad(r, k ? k : root, "a key");
        static const char *const known[] = { "description", "ecosystem", "env", "packages", "universe", "groups", "slots",
                                             "request", "preference", "keep", "solution", "explanation", "unsat" };
        for (unsigned i = 0; i < sizeof known / sizeof *known; i++)
            if (!strcmp(key, known[i]) && (seen & 1u << i))   /* a second request would be read over the first */
                return vs_error_at(r->err, tc->path, (unsigned)k->start_mark.line + 1, (unsigned)k->start_mark.column + 1,
                                   "expected each key once, found a second %s", key);
            else if (!strcmp(key, known[i]))
                seen |= 1u << i;
        if (!strcmp(key, "description")) {
            if (!(tc->description = scalar(r, v)))
                rc = bad(r, v, "a string");
        } else if (!strcmp(key, "ecosystem")) {
            rc = read_ecosystem(r, v);
        } else if (!strcmp(key, "env")) {
            rc = read_env(r, v);
        } else if (!strcmp(key, "packages") || !strcmp(key, "universe")) {
            if (have_universe++)
                return bad(r, k, "only one of packages (opam files) and universe");
            tc->opam_form = !strcmp(key, "packages");
            rc = tc->opam_form ? read_packages(r, v) : read_universe(r, v);
        } else if (!strcmp(key, "groups")) {
            rc = read_groups(r, v);
        } else if (!strcmp(key, "slots")) {
            const char *s = scalar(r, v);
            if (!s || strcmp(s, "per-name") != 0)
                rc = bad(r, v, "per-name (or give the slots as groups with slot: true)");
            tc->slot_per_name = 1;
        } else if (!strcmp(key, "request")) {
            have_request = 1;
            rc = read_request(r, v);
        } else if (!strcmp(key, "preference")) {
            const char *val = scalar(r, v);
            if (val && !strcmp(val, "newest-first"))
                tc->preference = VS_PREFER_NEWEST_FIRST;
            else if (val && !strcmp(val, "opam"))
                tc->preference = VS_PREFER_OPAM_CRITERIA;
            else
                rc = bad(r, v, "opam or newest-first");
        } else if (!strcmp(key, "keep")) {
            rc = read_set(r, v, &tc->keep);
        } else if (!strcmp(key, "solution") || !strcmp(key, "explanation") || !strcmp(key, "unsat")) {
            if (have_answer++)
                return bad(r, k, "only one of solution, explanation and unsat");
            tc->expect_line = (unsigned)k->start_mark.line + 1;
            tc->expect_last = p + 1 == root->data.mapping.pairs.top;
            if (!strcmp(key, "solution")) {
                tc->expect = TC_EXPECT_SOLUTION;
                rc = read_solution(r, v);
            } else if (!strcmp(key, "explanation")) {
                tc->expect = TC_EXPECT_EXPLANATION;
                if (!(tc->explanation = scalar(r, v)))
                    rc = bad(r, v, "the explanation's text");
            } else {
                tc->expect = TC_EXPECT_PHRASES;
                rc = read_string_list(r, v, &tc->phrases, &tc->n_phrases);
            }
        } else {
            rc = bad(r, k, "one of description, ecosystem, env, packages, universe, groups, slots, request, preference, "
                           "keep, solution, explanation, unsat");
        }
    }
    if (rc != VSOLVE_OK)
        return rc;
    if (!have_universe || !have_request || !have_answer)
        return vs_error_at(r->err, tc->path, (unsigned)root->start_mark.line + 1, 1,
                           "expected the keys packages or universe, request, and solution or explanation");
    if (tc->opam_form && (tc->n_groups || tc->slot_per_name || tc->keep.n || tc->ecosystem != TC_OPAM))
        return vs_error_at(r->err, tc->path, (unsigned)root->start_mark.line + 1, 1,
                           "opam files (packages) come with opam's own groups: no groups, slots, keep or ecosystem");
    if (!tc->opam_form && tc->n_env)
        return vs_error_at(r->err, tc->path, (unsigned)root->start_mark.line + 1, 1,
                           "env applies to opam files (packages) only");
    for (size_t i = 0; i < tc->n_request; i++)
        if (!tc->request[i].resolved && tc->ecosystem != TC_OPAM)
            return vs_error_at(r->err, tc->path, tc->request[i].line, tc->request[i].col,
                               "expected the atom's packages, DESC: { NAME: [ VERSION ] } (atoms as text are opam's)");
    return VSOLVE_OK;
}

/* Starts tc for a case named path, loads its document (from data when given, else the file) and reads it. */
static int read_case(testcase *tc, const char *path, const char *data, size_t len, vs_error *err)
{
    memset(tc, 0, sizeof *tc);
    tc->preference = -1;
    arena_init(&tc->mem);
    tc->path = arena_strndup(&tc->mem, path, strlen(path));
    if (!tc->path)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    yaml_document_t doc;
    int rc = data ? tc_yaml_load_buffer(&doc, path, data, len, err) : tc_yaml_load(&doc, path, err);
    if (rc == VSOLVE_OK) {
        reader r = { tc, &doc, err };
        rc = read_document(&r, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
    }
    if (rc != VSOLVE_OK)
        testcase_free(tc);   /* nothing is left to free after a failure (freeing again is harmless) */
    return rc;
}

int testcase_read(testcase *tc, const char *path, vs_error *err)
{
    return read_case(tc, path, NULL, 0, err);
}

int testcase_read_buffer(testcase *tc, const char *name, const char *data, size_t len, vs_error *err)
{
    return read_case(tc, name, data ? data : "", len, err);
}

void testcase_free(testcase *tc)
{
    arena_free(&tc->mem);
    memset(tc, 0, sizeof *tc);
}
