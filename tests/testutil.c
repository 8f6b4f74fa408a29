/* testutil.c: the tests' helpers: the source tree, the shared corpora, small universes, temporary file trees. */
#include "testutil.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testcase.h"

const char *test_source_path(const char *relative)
{
    static char buf[4][4096];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", VSOLVE_SOURCE_DIR, relative);
    return b;
}

int test_extract_member(void *user, const char *path, const char *data, size_t len)
{
    char out[4300], cmd[4400];
    snprintf(out, sizeof out, "%s/%s", (const char *)user, path);
    if (len == 0 && out[strlen(out) - 1] == '/')
        return VSOLVE_OK;   /* a directory member */
    char *slash = strrchr(out, '/');
    *slash = '\0';
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", out);
    if (system(cmd) != 0)
        return VSOLVE_EIO;
    *slash = '/';
    FILE *f = fopen(out, "wb");
    if (!f)
        return VSOLVE_EIO;
    fwrite(data, 1, len, f);
    fclose(f);
    return VSOLVE_OK;
}

void test_remove_dir(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

const char *test_corpora(const char *what)
{
    static char dir[4096];
    const char *env = getenv("VSOLVE_CORPORA");
    if (env && *env)
        snprintf(dir, sizeof dir, "%s", env);
    else
        snprintf(dir, sizeof dir, "%s/../shared/corpora", VSOLVE_SOURCE_DIR);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return dir;
    const char *ci = getenv("CI");
    if (ci && strcmp(ci, "true") == 0)
        ck_abort_msg("corpus directory %s is missing (needed for %s); CI must have ../shared", dir, what);
    printf("SKIP %s: no corpus at %s; set VSOLVE_CORPORA to a copy of shared/corpora "
           "(see corpora/README.md for how to get the opam-repository snapshots)\n", what, dir);
    return NULL;
}

const char *test_corpus_path(const char *relative)
{
    static char buf[4096];
    const char *dir = test_corpora(relative);
    if (!dir)
        return NULL;
    snprintf(buf, sizeof buf, "%s/%s", dir, relative);
    return buf;
}

const char *test_corpus_file(const char *relative)
{
    const char *path = test_corpus_path(relative);
    struct stat st;
    if (path && stat(path, &st) != 0)   /* the corpus is there but incomplete: never a silent pass */
        ck_abort_msg("%s is missing from the corpus (a copy of shared/corpora must be whole)", path);
    return path;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

char *test_slurp(const char *path, const char *missing)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return missing ? strdup(missing) : NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(b);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

const char *test_peers_path(const char *relative)
{
    static char buf[4096];
    const char *dir = test_corpora(relative);
    if (!dir)
        return NULL;
    snprintf(buf, sizeof buf, "%s/../peers/%s", dir, relative);
    struct stat st;
    return stat(buf, &st) == 0 ? buf : NULL;
}

const json_value *test_load_table(arena *a, const char *relative, char **text)
{
    const char *path = test_corpus_path(relative);
    if (!path)
        return NULL;
    size_t len;
    *text = test_read_file(path, &len);
    vs_error err;
    const json_value *v = json_parse(a, relative, *text, len, &err);
    ck_assert_msg(v != NULL, "%s", err.message);
    ck_assert_int_eq(v->kind, JSON_ARRAY);
    ck_assert_msg(v->n > 0, "%s is empty", relative);
    return v;
}

const char *test_string_at(const json_value *row, size_t i)
{
    ck_assert_uint_gt(row->n, i);
    ck_assert_int_eq(row->items[i]->kind, JSON_STRING);
    return row->items[i]->str;
}

void test_build_case(const char *yaml, vs_universe *u, vs_request *req)
{
    char path[] = "/tmp/vsolve-unit-case-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(yaml, f);
    ck_assert_int_eq(fclose(f), 0);
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(testcase_read(&tc, path, &err) == VSOLVE_OK, "%s", err.message);
    universe_init(u);
    request_init(req);
    ck_assert_msg(testcase_build(&tc, u, req, &err) == VSOLVE_OK, "%s", err.message);
    testcase_free(&tc);
    remove(path);
}

unsigned test_pkg(const vs_universe *u, const char *name, const char *version)
{
    uint32_t n = universe_find_name(u, name), first, count;
    ck_assert_msg(n != VS_NONE, "no package %s", name);
    universe_name_pkgs(u, n, &first, &count);
    for (uint32_t k = 0; k < count; k++)
        if (!strcmp(universe_pkg_version(u, first + k), version))
            return first + k;
    ck_abort_msg("no package %s %s", name, version);
    return 0;
}

size_t test_check_graph(const vs_universe *u, const vs_request *req, const vs_solution *s, const uint32_t *owner,
                        const vs_graph *g)
{
    size_t np = u->pkgs.len;
    unsigned char *on = calloc(np + 1, 1), *root = calloc(u->names.len + 1, 1);
    request_mark_roots(req, root);
    uint32_t n = 0;
    for (size_t i = 0; i < s->pkgs.len; i++) {
        uint32_t p = s->pkgs.items[i];
        on[p] = 1;
        if (!(u->pkgs.items[p].flags & VS_PKG_VIRTUAL)) {
            ck_assert_uint_lt(n, g->n_nodes);
            ck_assert_uint_eq(g->pkg[n], p);
            ck_assert_uint_eq(g->node_of_pkg[p], n);
            n++;
        }
    }
    ck_assert_uint_eq(n, g->n_nodes);
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const vs_graph_edge *e;
        size_t ne = graph_edges(g, i, &e), seen = 0;
        /* the packages whose clauses are the node's: its own and its owned chosen virtual ones */
        for (size_t k = 0; k < s->pkgs.len; k++) {
            uint32_t q = s->pkgs.items[k];
            int mine = q == g->pkg[i] || (owner && (u->pkgs.items[q].flags & VS_PKG_VIRTUAL) && owner[q] == g->pkg[i]);
            if (!mine)
                continue;
            const vs_pkg *pk = &u->pkgs.items[q];
            int as_root = root[pk->name] && (pk->flags & VS_PKG_ROOT_VARIANT);
            uint32_t first = as_root ? pk->root_clause_first : pk->clause_first;
            uint32_t count = as_root ? pk->root_clause_count : pk->clause_count;
            for (uint32_t c = first; c < first + count; c++) {
                const vs_clause *cl = &u->clauses.items[c];
                if (cl->cond != VS_NONE && !on[cl->cond])
                    continue;
                uint32_t best = VS_NONE;
                for (uint32_t j = 0; j < cl->count; j++) {
                    uint32_t r = u->ids.items[cl->first + j];
                    if (on[r] && (best == VS_NONE || r > best))
                        best = r;
                }
                ck_assert_msg(best != VS_NONE, "clause %u of %s.%s has no chosen provider", c,
                              universe_pkg_name(u, q), universe_pkg_version(u, q));
                uint32_t target = owner && owner[best] != VS_NONE ? owner[best] : best;
                size_t found = 0;
                for (size_t x = 0; x < ne; x++)
                    if (e[x].clause == c) {
                        found++;
                        ck_assert_uint_lt(e[x].to, n);
                        ck_assert_uint_eq(g->pkg[e[x].to], target);
                        ck_assert(on[g->pkg[e[x].to]]);
                    }
                /* a clause asking something of its own condition's package names no edge (graph.h) */
                uint32_t cond_owner = cl->cond == VS_NONE ? VS_NONE
                                    : owner && owner[cl->cond] != VS_NONE ? owner[cl->cond] : cl->cond;
                ck_assert_uint_eq(found, target == g->pkg[i] || cond_owner == target ? 0 : 1);
                seen += found;
            }
        }
        ck_assert_uint_eq(seen, ne);
        const uint32_t *d;
        size_t nd = graph_deps(g, i, &d);
        for (size_t k = 0; k < nd; k++) {
            ck_assert(k == 0 || d[k] > d[k - 1]);
            int has = 0;
            for (size_t x = 0; x < ne && !has; x++)
                has = e[x].to == d[k];
            ck_assert(has);
        }
        for (size_t x = 0; x < ne; x++) {
            int listed = 0;
            for (size_t k = 0; k < nd && !listed; k++)
                listed = d[k] == e[x].to;
            ck_assert(listed);
        }
        total += ne;
    }
    free(on);
    free(root);
    return total;
}

char *test_run_cmd(const char *cmd, int *status)
{
    char full[8192];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            out = realloc(out, cap);
            ck_assert_ptr_nonnull(out);
        }
    }
    out[len] = '\0';
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}
