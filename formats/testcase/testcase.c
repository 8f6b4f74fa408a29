/* testcase.c: reading, running and writing YAML solver test cases (libyaml). */
#include "testcase.h"
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "checker.h"
#include "encode.h"

/* ---- reading ------------------------------------------------------------------------- */

typedef struct reader {
    testcase *tc;
    yaml_document_t *doc;
    vs_error *err;
} reader;

static int bad(reader *r, yaml_node_t *n, const char *what)
{
    return vs_error_at(r->err, r->tc->path, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1,
                       "expected %s", what);
}

static const char *scalar(reader *r, yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return arena_strndup(&r->tc->mem, (const char *)n->data.scalar.value, n->data.scalar.length);
}

static int read_string_list(reader *r, yaml_node_t *n, const char ***out, size_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return bad(r, n, "a list of strings");
    size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    *out = arena_alloc(&r->tc->mem, (len ? len : 1) * sizeof **out);
    if (!*out)
        return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
    *count = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(r->doc, *it);
        const char *s = scalar(r, item);
        if (!s)
            return bad(r, item ? item : n, "a string");
        (*out)[(*count)++] = s;
    }
    return VSOLVE_OK;
}

static int read_packages(reader *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "a mapping from NAME.VERSION to the body of its opam file");
    size_t len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    r->tc->packages = arena_alloc(&r->tc->mem, (len ? len : 1) * sizeof *r->tc->packages);
    if (!r->tc->packages)
        return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, p->key), *v = yaml_document_get_node(r->doc, p->value);
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
        char fname[512];
        snprintf(fname, sizeof fname, "%s:%s", r->tc->path, key);
        f->filename = arena_strndup(&r->tc->mem, fname, strlen(fname));
        if (!f->name || !f->filename)
            return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
    }
    return VSOLVE_OK;
}

static int read_env(reader *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return bad(r, n, "a mapping of opam variables");
    size_t len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    r->tc->env = arena_alloc(&r->tc->mem, (len ? len : 1) * sizeof *r->tc->env);
    if (!r->tc->env)
        return vs_error_set(r->err, VSOLVE_ENOMEM, "out of memory");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, p->key), *v = yaml_document_get_node(r->doc, p->value);
        const char *key = scalar(r, k), *val = scalar(r, v);
        if (!key || !val)
            return bad(r, key ? v : k, "a variable name and a value");
        r->tc->env[r->tc->n_env].name = (char *)key;
        r->tc->env[r->tc->n_env].value = (char *)val;
        r->tc->n_env++;
    }
    return VSOLVE_OK;
}

static int read_document(reader *r, yaml_node_t *root)
{
    testcase *tc = r->tc;
    if (!root || root->type != YAML_MAPPING_NODE)
        return vs_error_at(r->err, tc->path, 1, 1, "expected a mapping with packages, request and solution or unsat");
    int have_packages = 0, have_request = 0, have_answer = 0, rc = VSOLVE_OK;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && rc == VSOLVE_OK; p++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, p->key), *v = yaml_document_get_node(r->doc, p->value);
        const char *key = scalar(r, k);
        if (!key || !v)
            return bad(r, k ? k : root, "a key");
        if (!strcmp(key, "description")) {
            if (!(tc->description = scalar(r, v)))
                rc = bad(r, v, "a string");
        } else if (!strcmp(key, "env")) {
            rc = read_env(r, v);
        } else if (!strcmp(key, "packages")) {
            have_packages = 1;
            rc = read_packages(r, v);
        } else if (!strcmp(key, "request")) {
            have_request = 1;
            rc = read_string_list(r, v, &tc->request, &tc->n_request);
        } else if (!strcmp(key, "preference")) {
            const char *val = scalar(r, v);
            if (val && !strcmp(val, "newest-first"))
                tc->preference = VS_PREFER_NEWEST_FIRST;
            else if (val && !strcmp(val, "opam"))
                tc->preference = VS_PREFER_OPAM_CRITERIA;
            else
                rc = bad(r, v, "opam or newest-first");
        } else if (!strcmp(key, "solution") || !strcmp(key, "unsat")) {
            if (have_answer++)
                return bad(r, k, "only one of solution and unsat");
            tc->expect_unsat = !strcmp(key, "unsat");
            rc = read_string_list(r, v, &tc->expected, &tc->n_expected);
        } else {
            rc = bad(r, k, "one of description, env, packages, request, preference, solution, unsat");
        }
    }
    if (rc == VSOLVE_OK && (!have_packages || !have_request || !have_answer))
        rc = vs_error_at(r->err, tc->path, (unsigned)root->start_mark.line + 1, 1,
                         "expected the keys packages, request, and solution or unsat");
    return rc;
}

int testcase_read(testcase *tc, const char *path, vs_error *err)
{
    memset(tc, 0, sizeof *tc);
    tc->preference = VS_PREFER_OPAM_CRITERIA;
    arena_init(&tc->mem);
    tc->path = arena_strndup(&tc->mem, path, strlen(path));
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot open", path);
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = vs_error_at(err, path, (unsigned)parser.problem_mark.line + 1, (unsigned)parser.problem_mark.column + 1,
                         "%s%s%s", parser.context ? parser.context : "", parser.context ? ": " : "",
                         parser.problem ? parser.problem : "malformed YAML");
    } else {
        reader r = { tc, &doc, err };
        rc = read_document(&r, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

void testcase_free(testcase *tc)
{
    arena_free(&tc->mem);
    memset(tc, 0, sizeof *tc);
}

/* ---- running ------------------------------------------------------------------------- */

int testcase_build(const testcase *tc, vs_universe *u, vs_request *req, vs_error *err)
{
    /* A fixed platform, so that cases mean the same on every host. */
    static const char *const platform[][2] = {
        { "os", "linux" }, { "arch", "x86_64" }, { "os-family", "debian" },
        { "os-distribution", "debian" }, { "os-version", "12" }, { "opam-version", "2.1.2" },
        { "with-test", "false" }, { "with-doc", "false" }, { "with-dev-setup", "false" },
        { "build", "true" }, { "post", "true" }, { "dev", "false" },
    };
    opam_vars vars = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < sizeof platform / sizeof platform[0] && rc == VSOLVE_OK; i++)
        rc = opam_vars_set(&vars, platform[i][0], platform[i][1]);
    for (size_t i = 0; i < tc->n_env && rc == VSOLVE_OK; i++)
        rc = opam_vars_set(&vars, tc->env[i].name, tc->env[i].value);
    if (rc == VSOLVE_OK)
        rc = opam_load_memory(u, tc->packages, tc->n_packages, &vars, NULL, err);
    for (size_t i = 0; i < tc->n_request && rc == VSOLVE_OK; i++)
        rc = opam_add_request_atom(u, req, tc->request[i], err);
    req->preference = tc->preference;
    opam_vars_free(&vars);
    if (rc == VSOLVE_ENOMEM && !err->code)
        vs_error_set(err, rc, "out of memory");
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

int testcase_run(const testcase *tc, char *msg, size_t msg_size)
{
    vs_universe u;
    vs_request req;
    vs_error err;
    vs_solution s;
    vs_error_clear(&err);
    universe_init(&u);
    request_init(&req);
    solution_init(&s);
    int ok = 0;
    if (testcase_build(tc, &u, &req, &err) != VSOLVE_OK) {
        snprintf(msg, msg_size, "%s", err.message);
        goto out;
    }
    int rc = vs_solve(&u, &req, &s);
    if (rc == VSOLVE_OK) {
        char why[1024];
        if (check_solution(&u, &req, s.pkgs.items, s.pkgs.len, why, sizeof why) != 0) {
            snprintf(msg, msg_size, "the checker rejects the solution: %s", why);
            goto out;
        }
    }
    if (tc->expect_unsat) {
        if (rc != VSOLVE_UNSAT) {
            snprintf(msg, msg_size, "expected a refusal, got status %d with %zu packages", rc, s.pkgs.len);
            goto out;
        }
        for (size_t i = 0; i < tc->n_expected; i++)
            if (!strstr(s.explanation, tc->expected[i])) {
                snprintf(msg, msg_size, "the explanation lacks \"%s\":\n%s", tc->expected[i], s.explanation);
                goto out;
            }
        ok = 1;
        goto out;
    }
    if (rc != VSOLVE_OK) {
        snprintf(msg, msg_size, "expected a solution, got status %d:\n%s", rc, s.explanation ? s.explanation : "");
        goto out;
    }
    const char **got = calloc(s.pkgs.len ? s.pkgs.len : 1, sizeof *got);
    const char **want = calloc(tc->n_expected ? tc->n_expected : 1, sizeof *want);
    char *buf = calloc(s.pkgs.len ? s.pkgs.len : 1, 512);
    if (!got || !want || !buf) {
        snprintf(msg, msg_size, "out of memory");
    } else {
        for (size_t i = 0; i < s.pkgs.len; i++) {
            snprintf(buf + 512 * i, 512, "%s.%s", universe_pkg_name(&u, s.pkgs.items[i]), universe_pkg_version(&u, s.pkgs.items[i]));
            got[i] = buf + 512 * i;
        }
        for (size_t i = 0; i < tc->n_expected; i++)
            want[i] = tc->expected[i];
        if (s.pkgs.len > 1)
            qsort(got, s.pkgs.len, sizeof *got, cmp_str);
        if (tc->n_expected > 1)
            qsort(want, tc->n_expected, sizeof *want, cmp_str);
        ok = s.pkgs.len == tc->n_expected;
        for (size_t i = 0; ok && i < s.pkgs.len; i++)
            ok = strcmp(got[i], want[i]) == 0;
        if (!ok) {
            size_t used = (size_t)snprintf(msg, msg_size, "expected [");
            for (size_t i = 0; i < tc->n_expected && used < msg_size; i++)
                used += (size_t)snprintf(msg + used, msg_size - used, "%s%s", i ? " " : "", want[i]);
            if (used < msg_size)
                used += (size_t)snprintf(msg + used, msg_size - used, "], got [");
            for (size_t i = 0; i < s.pkgs.len && used < msg_size; i++)
                used += (size_t)snprintf(msg + used, msg_size - used, "%s%s", i ? " " : "", got[i]);
            if (used < msg_size)
                snprintf(msg + used, msg_size - used, "]");
        }
    }
    free(got);
    free(want);
    free(buf);
out:
    solution_free(&s);
    request_free(&req);
    universe_free(&u);
    return ok;
}

/* ---- writing ------------------------------------------------------------------------- */

static void yaml_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void opam_alternative(FILE *out, const vs_universe *u, uint32_t pkg)
{
    fprintf(out, "\"%s\" {= \"%s\"}", universe_pkg_name(u, pkg), universe_pkg_version(u, pkg));
}

/* Writes pkg as an opam file body; a requested package is written with the clauses that apply
 * to it in this request (its root variant), so the case means the same without its env. */
static void write_package(FILE *out, const vs_universe *u, uint32_t pkg, const unsigned char *dumped, int as_root)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    uint32_t first, count;
    universe_clauses(u, pkg, as_root, &first, &count);
    fprintf(out, "  %s.%s: |\n", universe_pkg_name(u, pkg), universe_pkg_version(u, pkg));
    fprintf(out, "    # this package's dependencies and conflicts, as vsolve's universe holds them\n");
    if (count) {
        fprintf(out, "    depends: [\n");
        for (uint32_t c = 0; c < count; c++) {
            const vs_clause *cl = &u->clauses.items[first + c];
            if (cl->cond != VS_NONE) {   /* opam files have no conditional dependencies */
                fprintf(out, "      # left out, only with %s.%s: %s\n", universe_pkg_name(u, cl->cond),
                        universe_pkg_version(u, cl->cond), universe_str(u, cl->desc));
                continue;
            }
            fprintf(out, "      # %s\n      (", universe_str(u, cl->desc));
            int n = 0;
            for (uint32_t j = 0; j < cl->count; j++) {
                uint32_t q = u->ids.items[cl->first + j];
                if (!dumped[q])
                    continue;
                fputs(n++ ? " | " : "", out);
                opam_alternative(out, u, q);
            }
            if (n == 0)
                fputs("\"vsolve-nothing-provides-this\"", out);
            fputs(")\n", out);
        }
        fprintf(out, "    ]\n");
    }
    int nconf = 0;
    for (uint32_t c = 0; c < p->conflict_count; c++) {
        uint32_t q = u->ids.items[p->conflict_first + c];
        if (!dumped[q] || u->pkgs.items[q].name == p->name)
            continue;
        fputs(nconf++ ? " " : "    conflicts: [ ", out);
        opam_alternative(out, u, q);
    }
    if (nconf)
        fputs(" ]\n", out);
    for (size_t g = 0; g < u->groups.len; g++) {
        if (g == p->slot)
            continue;
        const vs_group *gr = &u->groups.items[g];
        for (uint32_t j = 0; j < gr->count; j++)
            if (u->ids.items[gr->first + j] == pkg) {
                fprintf(out, "    conflict-class: \"group-%zu\"\n", g);
                break;
            }
    }
    if (p->flags & VS_PKG_AVOID)
        fprintf(out, "    flags: avoid-version\n");
    if (p->flags & VS_PKG_UNAVAILABLE)
        fprintf(out, "    available: false\n");
}

int testcase_write(FILE *out, const vs_universe *u, const vs_request *req, const vs_solution *s,
                   const char *description)
{
    vs_encoding e;
    int rc = encode_request(&e, u, req);
    unsigned char *dumped = calloc(u->pkgs.len ? u->pkgs.len : 1, 1);
    if (rc != VSOLVE_OK || !dumped) {
        encoding_free(&e);
        free(dumped);
        return VSOLVE_ENOMEM;
    }
    for (size_t i = 0; i < e.cone.len; i++)
        dumped[e.cone.items[i]] = 1;
    for (size_t i = 0; i < req->ids.len; i++)
        dumped[req->ids.items[i]] = 1;
    encoding_free(&e);

    fprintf(out, "# vsolve test case (written by --dump-testcase)\ndescription: ");
    yaml_quoted(out, description ? description : "a saved request");
    fprintf(out, "\npackages:\n");
    unsigned char *roots = calloc(u->names.len ? u->names.len : 1, 1);
    if (!roots) {
        free(dumped);
        return VSOLVE_ENOMEM;
    }
    request_mark_roots(req, roots);
    for (uint32_t p = 0; p < u->pkgs.len; p++)
        if (dumped[p])
            write_package(out, u, p, dumped, roots[u->pkgs.items[p].name]);
    free(roots);
    fprintf(out, "request:\n");
    for (size_t i = 0; i < req->atoms.len; i++) {
        fputs("  - ", out);
        yaml_quoted(out, universe_str(u, req->atoms.items[i].desc));
        fputc('\n', out);
    }
    if (req->preference == VS_PREFER_NEWEST_FIRST)
        fprintf(out, "preference: newest-first\n");
    if (s->status == VSOLVE_OK) {
        fprintf(out, "solution:\n");
        for (size_t i = 0; i < s->pkgs.len; i++)
            fprintf(out, "  - \"%s.%s\"\n", universe_pkg_name(u, s->pkgs.items[i]), universe_pkg_version(u, s->pkgs.items[i]));
    } else {
        /* the atoms the explanation names are what a refusal must keep naming */
        fprintf(out, "unsat:\n");
        const char *line = s->explanation ? s->explanation : "";
        while ((line = strstr(line, "  - ")) != NULL) {
            line += 4;
            size_t n = strcspn(line, " \n");
            fprintf(out, "  - \"%.*s\"\n", (int)n, line);
        }
    }
    free(dumped);
    return ferror(out) ? VSOLVE_EIO : VSOLVE_OK;
}
