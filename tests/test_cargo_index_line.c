/* test_cargo_index_line.c: cargo_parse_index_line (the pull reader) agrees with the tree reader
 * on every line of the shared indexes and on crafted odd and malformed lines. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "arena.h"
#include "cargo_index.h"
#include "repo_source.h"
#include "testutil.h"

static int same_str(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* Byte ranges of a version's pre-release or build, compared as text. */
static int same_part(const char *a, size_t alen, const char *b, size_t blen)
{
    return (!a && !b) || (a && b && alen == blen && !memcmp(a, b, alen));
}

static int same_strs(const char **a, size_t na, const char **b, size_t nb)
{
    if (na != nb || (!a) != (!b))
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!same_str(a[i], b[i]))
            return 0;
    return 1;
}

static int same_req(const semver_req *a, const semver_req *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const semver_comparator *x = &a->items[i], *y = &b->items[i];
        if (x->op != y->op || x->major != y->major || x->minor != y->minor || x->patch != y->patch ||
            x->has_minor != y->has_minor || x->has_patch != y->has_patch ||
            !same_part(x->pre, x->pre_len, y->pre, y->pre_len))
            return 0;
    }
    return 1;
}

/* Every field of two parsed lines, as the solver and the image writer read them; NULL and an
 * empty list differ. Returns the first field that differs, or NULL. */
static const char *difference(const cargo_version *a, const cargo_version *b)
{
    if (!same_str(a->name, b->name) || !same_str(a->vers, b->vers))
        return "name/vers";
    if (a->v.major != b->v.major || a->v.minor != b->v.minor || a->v.patch != b->v.patch ||
        !same_part(a->v.pre, a->v.pre_len, b->v.pre, b->v.pre_len) ||
        !same_part(a->v.build, a->v.build_len, b->v.build, b->v.build_len) ||
        (a->v.pre ? a->v.pre - a->vers : -1) != (b->v.pre ? b->v.pre - b->vers : -1) ||
        (a->v.build ? a->v.build - a->vers : -1) != (b->v.build ? b->v.build - b->vers : -1))
        return "version";
    if (a->n_deps != b->n_deps || (!a->deps) != (!b->deps))
        return "deps";
    for (size_t i = 0; i < a->n_deps; i++) {
        const cargo_dep *x = &a->deps[i], *y = &b->deps[i];
        if (!same_str(x->name, y->name) || !same_str(x->package, y->package) || !same_str(x->req_text, y->req_text) ||
            !same_str(x->target, y->target) || x->optional != y->optional ||
            x->default_features != y->default_features || x->kind != y->kind || !same_req(&x->req, &y->req) ||
            !same_strs(x->features, x->n_features, y->features, y->n_features) ||
            (x->package == x->name) != (y->package == y->name))
            return "a dependency";
    }
    if (a->n_features != b->n_features || (!a->features) != (!b->features))
        return "features";
    for (size_t i = 0; i < a->n_features; i++)
        if (!same_str(a->features[i].name, b->features[i].name) ||
            !same_strs(a->features[i].items, a->features[i].n_items, b->features[i].items, b->features[i].n_items))
            return "a feature";
    if (!same_str(a->cksum, b->cksum) || !same_str(a->links, b->links) || !same_str(a->rust_version, b->rust_version))
        return "cksum/links/rust_version";
    if (a->yanked != b->yanked || a->parsed != b->parsed || a->from_image != b->from_image || a->line != b->line ||
        a->line_len != b->line_len || a->lineno != b->lineno)
        return "flags";
    return NULL;
}

/* Both readers on one line: the same status, the same message, the same fields. */
static void check_line(arena *a, const char *file, unsigned lineno, const char *line, size_t len)
{
    cargo_version quick, tree;
    vs_error qerr, terr;
    vs_error_clear(&qerr);
    vs_error_clear(&terr);
    int qrc = cargo_parse_index_line(a, file, lineno, line, len, &quick, &qerr);
    int trc = cargo_parse_index_line_tree(a, file, lineno, line, len, &tree, &terr);
    ck_assert_msg(qrc == trc, "%s:%u: status %d vs %d: %.*s", file, lineno, qrc, trc, (int)(len > 300 ? 300 : len), line);
    ck_assert_str_eq(qerr.message, terr.message);
    if (qrc == VSOLVE_OK) {
        const char *d = difference(&quick, &tree);
        ck_assert_msg(d == NULL, "%s:%u: %s differs: %.*s", file, lineno, d ? d : "", (int)(len > 300 ? 300 : len), line);
    }
}

typedef struct walk_state {
    arena a;
    size_t files, lines, every;
} walk_state;

static int check_file(void *user, const char *path, const char *data, size_t len)
{
    walk_state *w = user;
    if (strstr(path, "config.json") || w->files++ % w->every != 0)
        return VSOLVE_OK;
    unsigned lineno = 0;
    for (const char *p = data, *end = data + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        lineno++;
        if (stop > p) {
            check_line(&w->a, path, lineno, p, (size_t)(stop - p));
            w->lines++;
        }
        p = nl ? nl + 1 : end;
    }
    arena_reset(&w->a);
    return VSOLVE_OK;
}

static size_t check_index(const char *tar, size_t every)
{
    walk_state w = { .every = every };
    arena_init(&w.a);
    vs_error err;
    vs_error_clear(&err);
    int rc = repo_source_walk(tar, 0, NULL, check_file, &w, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    arena_free(&w.a);
    return w.lines;
}

START_TEST(synthetic_index_lines_agree)
{
    const char *tar = test_corpus_file("cargo-synthetic-index.tar.gz");
    if (!tar)
        return;
    ck_assert_uint_gt(check_index(tar, 1), 100);
}
END_TEST

/* Every line of every crate file of crates.io in 2019. */
START_TEST(real_index_lines_agree)
{
    const char *tar = test_corpus_file("crates-io-index-2019-11-10.tar.gz");
    if (!tar)
        return;
    ck_assert_uint_gt(check_index(tar, 1), 100000);
}
END_TEST

START_TEST(crafted_lines_agree)
{
    static const char *const lines[] = {
        /* as crates.io writes them */
        "{\"name\":\"x\",\"vers\":\"1.2.3-rc.1+b\",\"deps\":[{\"name\":\"z\",\"package\":\"y\",\"req\":\"^1\","
        "\"features\":[\"f\",\"\"],\"optional\":true,\"default_features\":false,\"target\":\"cfg(unix)\",\"kind\":\"build\"}],"
        "\"features\":{\"a\":[\"z/f\"]},\"features2\":{\"b\":[\"dep:z\"]},\"cksum\":\"00\",\"yanked\":true,\"links\":\"q\"}",
        "{\"name\":\"x\",\"vers\":\"0.1.0\",\"deps\":[],\"features\":{},\"cksum\":\"ab\",\"yanked\":false}",
        /* members in another order, features2 first, whitespace, escapes, a BOM */
        "  { \"features2\" : {\"b\":[]}, \"vers\" : \"1.0.0\" , \"name\":\"x\", \"features\":{\"a\":null} }  ",
        "\xEF\xBB\xBF{\"name\":\"x\",\"vers\":\"1.0.0\"}",
        "{\"name\":\"\\u0078\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"*\",\"target\":\"cfg(target_os = \\\"linux\\\")\"}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"f\\u00e9\\ud83d\\ude00\":[\"a\\/b\"]},\"rust_version\":\"1.\\u00000\"}",
        /* nulls, other types where they are ignored, unknown members of every kind */
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":null,\"features\":null,\"features2\":null,\"yanked\":1,\"links\":null,"
        "\"cksum\":5,\"rust_version\":[],\"v\":2,\"extra\":{\"a\":[1,2.5e3,-0,true,false,null,\"s\"]}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"optional\":\"yes\",\"default_features\":0,"
        "\"kind\":\"dev\",\"package\":7,\"target\":null,\"features\":null,\"registry\":\"r\"},"
        "{\"name\":\"w\",\"req\":\">=1, <2\",\"kind\":5,\"default_features\":true}]}",
        /* repeated members: the first counts */
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"vers\":\"2.0.0\",\"yanked\":true,\"yanked\":false}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"req\":\"2\",\"kind\":\"dev\",\"kind\":\"build\"}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"a\":[\"b\"],\"a\":[\"c\"]},\"features\":{\"d\":[]}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[],\"deps\":[{\"name\":\"y\",\"req\":\"1\"}]}",
        /* NUL characters: refused where C would cut the string, kept where the tree reader keeps them */
        "{\"name\":\"x\\u0000\",\"vers\":\"1.0.0\"}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"cksum\":\"a\\u0000b\"}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"kind\":\"dev\\u0000x\"}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"target\":\"\\u0000\"}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"features\":[\"\\u0000a\",\"b\"]}]}",
        /* wrong types where they matter */
        "{\"name\":1,\"vers\":\"1.0.0\"}",
        "{\"name\":\"x\",\"vers\":null}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":{}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[5]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\"}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"req\":\"1\",\"name\":[]}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"features\":\"f\"}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"features\":[1]}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":[]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features2\":{\"a\":\"b\"}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"a\":[null]}}",
        "[1,2]",
        "\"x\"",
        "{\"vers\":\"1.0.0\"}",
        "{\"name\":\"x\"}",
        /* bad versions and requirements */
        "{\"name\":\"x\",\"vers\":\"1.0\"}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"~~1\"}]}",
        /* malformed JSON at every kind of place */
        "{\"name\":\"x\",\"vers\":",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\"} x",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\",\"optional\":tru}]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"1\"},]}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"extra\":[1,2,}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"extra\":01}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"extra\":\"\\q\"}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"extra\":\"\\ud800\"}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"a\":[\"\xC3\x28\"]}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"a\" [\"b\"]}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"a\":[\"b\" \"c\"]}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{5:[]}}",
        "{\"name\":\"x\",\"vers\":\"1.0.0\"\t\r",
        "",
        "   ",
    };
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        check_line(&a, "cr/at/crate", (unsigned)i + 1, lines[i], strlen(lines[i]));
    /* nesting: 600 levels inside an unknown member and inside a feature's list */
    static const char *const prefixes[] = { "{\"name\":\"x\",\"vers\":\"1.0.0\",\"extra\":",
                                            "{\"name\":\"x\",\"vers\":\"1.0.0\",\"features\":{\"a\":" };
    for (size_t k = 0; k < 2; k++) {
        for (size_t depth = 509; depth <= 512; depth++) {
            char buf[2048];
            size_t n = (size_t)snprintf(buf, sizeof buf, "%s", prefixes[k]);
            for (size_t d = 0; d < depth; d++)
                buf[n++] = '[';
            for (size_t d = 0; d < depth; d++)
                buf[n++] = ']';
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", k ? "}}" : "}");
            check_line(&a, "cr/at/crate", 100, buf, n);
        }
    }
    /* a valid line cut at every byte, and every byte changed to a few others */
    const char *good = lines[0];
    size_t len = strlen(good);
    char buf[1024];
    for (size_t cut = 0; cut < len; cut++)
        check_line(&a, "cr/at/crate", 200, good, cut);
    static const char swaps[] = { '"', ',', ':', '}', ']', '\\', ' ', '0' };
    for (size_t at = 0; at < len; at++)
        for (size_t s = 0; s < sizeof swaps; s++) {
            memcpy(buf, good, len);
            buf[at] = swaps[s];
            check_line(&a, "cr/at/crate", 300, buf, len);
        }
    arena_free(&a);
}
END_TEST

Suite *cargo_index_line_suite(void)
{
    Suite *s = suite_create("cargo_index_line");
    TCase *tc = tcase_create("agreement");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, crafted_lines_agree);
    tcase_add_test(tc, synthetic_index_lines_agree);
    tcase_add_test(tc, real_index_lines_agree);
    suite_add_tcase(s, tc);
    return s;
}
