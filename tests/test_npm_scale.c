/* test_npm_scale.c: npm trees from generated hostile registries (10,000 packages flat or in a chain, a deep nest) build in near-linear work. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "npm_tree.h"

/* A registry made up on request: "p<i>" (no dependencies), "c<i>" (depends on c<i+1> below
 * n), "a" (versions 1..depth, k depending on exactly k+1: each nests under the one before). */
typedef struct gen {
    int n, depth;
} gen;

static int gen_fetch(void *user, const char *name, char **data, size_t *len, char *where, size_t where_size,
                     vs_error *err)
{
    const gen *g = user;
    snprintf(where, where_size, "gen:%s.json", name);
    *data = NULL;
    size_t cap = 256 + (size_t)g->depth * 160, o = 0;
    char *d = malloc(cap);
    if (!d)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    int i = -1;
    if ((name[0] == 'p' || name[0] == 'c') && sscanf(name + 1, "%d", &i) == 1 && i >= 0 && i < g->n) {
        char dep[64] = "";
        if (name[0] == 'c' && i + 1 < g->n)
            snprintf(dep, sizeof dep, "\"c%d\": \"^1.0.0\"", i + 1);
        o = (size_t)snprintf(d, cap, "{\"name\": \"%s\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": "
                             "{\"1.0.0\": {\"name\": \"%s\", \"version\": \"1.0.0\", \"dependencies\": {%s}}}}",
                             name, name, dep);
    } else if (!strcmp(name, "a") && g->depth) {
        o = (size_t)snprintf(d, cap, "{\"name\": \"a\", \"dist-tags\": {\"latest\": \"%d.0.0\"}, \"versions\": {", g->depth);
        for (int k = 1; k <= g->depth; k++) {
            o += (size_t)snprintf(d + o, cap - o, "%s\"%d.0.0\": {\"name\": \"a\", \"version\": \"%d.0.0\"", k > 1 ? ", " : "", k, k);
            if (k < g->depth)
                o += (size_t)snprintf(d + o, cap - o, ", \"dependencies\": {\"a\": \"%d.0.0\"}", k + 1);
            o += (size_t)snprintf(d + o, cap - o, "}");
        }
        o += (size_t)snprintf(d + o, cap - o, "}}");
    } else {
        free(d);
        return VSOLVE_OK;
    }
    ck_assert_uint_lt(o, cap);
    *data = d;
    *len = o;
    return VSOLVE_OK;
}

/* The root manifest: "dependencies" from `first` dependencies named prefix0.. (or the one given). */
static const json_value *root_manifest(arena *a, const char *deps_text)
{
    vs_error err = { 0 };
    const json_value *m = json_parse(a, "package.json", deps_text, strlen(deps_text), &err);
    ck_assert_msg(m != NULL, "%s", err.message);
    return m;
}

static size_t log2_ceil(size_t n)
{
    size_t l = 0;
    while (((size_t)1 << l) < n)
        l++;
    return l;
}

START_TEST(flat_10000)
{
    gen g = { 10000, 0 };
    arena a;
    arena_init(&a);
    size_t cap = (size_t)g.n * 24 + 64, o = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    o += (size_t)snprintf(text + o, cap - o, "{\"name\": \"root\", \"dependencies\": {");
    for (int i = 0; i < g.n; i++)
        o += (size_t)snprintf(text + o, cap - o, "%s\"p%d\": \"^1.0.0\"", i ? ", " : "", i);
    snprintf(text + o, cap - o, "}}");
    const json_value *man = root_manifest(&a, text);
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_from_loader((npm_loader){ &g, gen_fetch, NULL }, &err);
    ck_assert_ptr_nonnull(reg);
    npm_tree t;
    int rc = npm_tree_build(&t, reg, man, "package.json", NULL, NULL, 0, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(t.root->n_children, 10000);
    ck_assert_ptr_nonnull(npm_tree_resolve(t.root, "p9999"));
    /* a queue popped by a linear scan, or edgesIn scanning every node, is ~10^8 here */
    size_t n = (size_t)g.n;
    ck_assert_msg(t.work <= 8 * n * log2_ceil(n), "work %zu for %zu packages", t.work, n);
    npm_tree_free(&t);
    npm_registry_close(reg);
    free(text);
    arena_free(&a);
}
END_TEST

START_TEST(chain_10000)
{
    gen g = { 10000, 0 };
    arena a;
    arena_init(&a);
    const json_value *man = root_manifest(&a, "{\"name\": \"root\", \"dependencies\": {\"c0\": \"^1.0.0\"}}");
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_from_loader((npm_loader){ &g, gen_fetch, NULL }, &err);
    ck_assert_ptr_nonnull(reg);
    npm_tree t;
    int rc = npm_tree_build(&t, reg, man, "package.json", NULL, NULL, 0, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(t.root->n_children, 10000);   /* every link hoisted to the top */
    size_t n = (size_t)g.n;
    ck_assert_msg(t.work <= 8 * n * log2_ceil(n), "work %zu for %zu packages", t.work, n);
    npm_tree_free(&t);
    npm_registry_close(reg);
    arena_free(&a);
}
END_TEST

START_TEST(nested_300)
{
    gen g = { 0, 300 };
    arena a;
    arena_init(&a);
    const json_value *man = root_manifest(&a, "{\"name\": \"root\", \"dependencies\": {\"a\": \"1.0.0\"}}");
    vs_error err = { 0 };
    npm_registry *reg = npm_registry_from_loader((npm_loader){ &g, gen_fetch, NULL }, &err);
    ck_assert_ptr_nonnull(reg);
    npm_tree t;
    int rc = npm_tree_build(&t, reg, man, "package.json", NULL, NULL, 0, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    npm_node **nodes = NULL;
    size_t count = npm_tree_nodes(&t, &nodes);
    ck_assert_uint_eq(count, 300);
    size_t deepest = 0;   /* a@300 sits 300 levels down */
    for (size_t i = 0; i < count; i++) {
        size_t levels = 0;
        for (const char *p = nodes[i]->location; (p = strstr(p, "node_modules/")); p += 13)
            levels++;
        if (!strcmp(nodes[i]->version, "300.0.0"))
            deepest = levels;
    }
    ck_assert_uint_eq(deepest, 300);
    free(nodes);
    npm_tree_free(&t);
    npm_registry_close(reg);
    arena_free(&a);
}
END_TEST

Suite *npm_scale_suite(void);
Suite *npm_scale_suite(void)
{
    Suite *s = suite_create("npm_scale");
    TCase *tc = tcase_create("hostile");
    tcase_add_test(tc, flat_10000);
    tcase_add_test(tc, chain_10000);
    tcase_add_test(tc, nested_300);
    suite_add_tcase(s, tc);
    return s;
}
