/* test_attr.c: the per-package attribute store (solver/attr.c) and what the opam adapter records
 * in it, on real opam files of both repository snapshots: url { src checksum mirrors }, the old
 * url { archive checksum } form (every such file, checked against the file's text), git URLs
 * with their ref, dev-repo, homepage, license, depexts as text, builds-with-dune. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attr.h"
#include "opam_repo.h"
#include "repo_source.h"
#include "testutil.h"

START_TEST(store_basics)
{
    vs_attrs a;
    ck_assert_int_eq(attrs_init(&a), VSOLVE_OK);
    uint32_t color = attrs_key(&a, "x-color");
    ck_assert(color & VS_ATTR_FREE);
    ck_assert_uint_eq(attrs_key(&a, "x-color"), color);
    ck_assert_uint_eq(attrs_find_key(&a, "x-color"), color);
    ck_assert_uint_eq(attrs_find_key(&a, "x-unknown"), VS_ATTR_NONE);
    ck_assert_uint_eq(attrs_key(&a, "checksum"), VS_ATTR_CHECKSUM);
    ck_assert_str_eq(attrs_key_name(&a, color), "x-color");
    ck_assert_str_eq(attrs_key_name(&a, VS_ATTR_DEV_REPO), "dev-repo");
    /* added out of order: runs keep their own order after attrs_finish */
    ck_assert_int_eq(attrs_add_str(&a, 7, VS_ATTR_CHECKSUM, "sha256=aa"), VSOLVE_OK);
    ck_assert_int_eq(attrs_add_str(&a, 2, VS_ATTR_URL, "https://x/2.tgz"), VSOLVE_OK);
    ck_assert_int_eq(attrs_add_str(&a, 7, VS_ATTR_URL, "https://x/7.tgz"), VSOLVE_OK);
    ck_assert_int_eq(attrs_add_str(&a, 7, VS_ATTR_CHECKSUM, "md5=bb"), VSOLVE_OK);
    ck_assert_int_eq(attrs_add_str(&a, 7, color, "blue"), VSOLVE_OK);
    for (int pass = 0; pass < 2; pass++) {   /* before and after attrs_finish */
        const vs_attr *t;
        ck_assert_str_eq(attrs_lookup(&a, 7, VS_ATTR_URL), "https://x/7.tgz");
        ck_assert_str_eq(attrs_lookup(&a, 2, VS_ATTR_URL), "https://x/2.tgz");
        ck_assert_ptr_null(attrs_lookup(&a, 2, VS_ATTR_CHECKSUM));
        ck_assert_ptr_null(attrs_lookup(&a, 3, VS_ATTR_URL));
        ck_assert_str_eq(attrs_lookup(&a, 7, color), "blue");
        if (pass == 1) {
            ck_assert_uint_eq(attrs_lookup_all(&a, 7, VS_ATTR_CHECKSUM, &t), 2);
            ck_assert_str_eq(attrs_str(&a, t[0].value), "sha256=aa");
            ck_assert_str_eq(attrs_str(&a, t[1].value), "md5=bb");
            ck_assert_uint_eq(attrs_of(&a, 7, &t), 4);
            ck_assert_uint_eq(t[0].key, VS_ATTR_URL);
            ck_assert_uint_eq(t[3].key, color);
        }
        ck_assert_int_eq(attrs_finish(&a), VSOLVE_OK);
    }
    const char *hex;
    ck_assert_int_eq(attrs_checksum_kind("sha512=abc", &hex), VS_CHECKSUM_SHA512);
    ck_assert_str_eq(hex, "abc");
    ck_assert_int_eq(attrs_checksum_kind("md5=0f", &hex), VS_CHECKSUM_MD5);
    ck_assert_int_eq(attrs_checksum_kind("crc=1", &hex), VS_CHECKSUM_UNKNOWN);
    attrs_free(&a);
}
END_TEST

/* ---- real opam files --------------------------------------------------------------------- */

typedef struct picked {
    VEC(opam_memory_file) files;
    int old_form_only;       /* take every file whose url section has `archive:` */
    const char *const *wanted;   /* else these NAME.VERSION */
} picked;

static int want_any(void *user, const char *path)
{
    (void)user;
    size_t n = strlen(path);
    return n > 5 && !strcmp(path + n - 5, "/opam");
}

static int on_picked(void *user, const char *path, const char *data, size_t len)
{
    picked *p = user;
    size_t n = strlen(path);
    const char *end = path + n - 5, *s = end;
    while (s > path && s[-1] != '/')
        s--;
    char dir[300];
    snprintf(dir, sizeof dir, "%.*s", (int)(end - s), s);
    int take = 0;
    if (p->old_form_only) {
        char *text = strndup(data, len);
        const char *url = strstr(text, "\nurl {");
        take = url && strstr(url, "archive:") && (!strchr(url + 1, '}') || strstr(url, "archive:") < strchr(url + 1, '}'));
        free(text);
    } else {
        for (size_t i = 0; p->wanted[i] && !take; i++)
            take = !strcmp(p->wanted[i], dir);
    }
    if (!take)
        return VSOLVE_OK;
    char *dot = strchr(dir, '.');
    ck_assert_ptr_nonnull(dot);
    opam_memory_file f = { strndup(dir, (size_t)(dot - dir)), strdup(dot + 1), strndup(data, len), strdup(path) };
    ck_assert(vec_push(&p->files, f));
    return VSOLVE_OK;
}

static void pick(picked *p, const char *snapshot)
{
    const char *dir = test_corpora(snapshot);
    if (!dir)
        return;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(repo_source_walk(test_corpus_path(snapshot), 0, want_any, on_picked, p, &err), VSOLVE_OK);
}

static void load_picked(picked *p, vs_universe *u)
{
    opam_vars vars;
    ck_assert_int_eq(opam_vars_init(&vars), VSOLVE_OK);
    opam_vars_set(&vars, "os", "linux");
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    int rc = opam_load_memory(u, p->files.items, p->files.len, &vars, NULL, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    opam_vars_free(&vars);
}

static void picked_free(picked *p)
{
    for (size_t i = 0; i < p->files.len; i++) {
        free((char *)p->files.items[i].name);
        free((char *)p->files.items[i].version);
        free((char *)p->files.items[i].text);
        free((char *)p->files.items[i].filename);
    }
    vec_free(&p->files);
}

static uint32_t pkg_of(const vs_universe *u, const char *name, const char *version)
{
    uint32_t nm = universe_find_name(u, name), first, count;
    ck_assert_msg(nm != VS_NONE, "%s missing", name);
    universe_name_pkgs(u, nm, &first, &count);
    for (uint32_t j = 0; j < count; j++)
        if (!strcmp(universe_pkg_version(u, first + j), version))
            return first + j;
    ck_abort_msg("%s.%s missing", name, version);
    return VS_NONE;
}

/* The values of a key joined by '|'. */
static const char *joined(const vs_universe *u, uint32_t pkg, uint32_t key)
{
    static char buf[4096];
    const vs_attr *t;
    size_t n = attrs_lookup_all(&u->attrs, pkg, key, &t);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s%s", i ? "|" : "", attrs_str(&u->attrs, t[i].value));
    }
    return buf;
}

START_TEST(opam_2026)
{
    static const char *const wanted[] = { "lwt.5.9.1", "bap-dump-symbols.2.5.0", "conf-gmp.5", "ocamlfind.1.9.8", NULL };
    picked p = { .wanted = wanted };
    pick(&p, "opam-repository-2026-08-22.tar.gz");
    if (!test_corpora("opam-repository-2026-08-22.tar.gz"))
        return;
    ck_assert_uint_eq(p.files.len, 4);
    vs_universe u;
    load_picked(&p, &u);
    uint32_t lwt = pkg_of(&u, "lwt", "5.9.1");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_URL), "https://github.com/ocsigen/lwt/archive/refs/tags/5.9.1.tar.gz");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_CHECKSUM),
                     "md5=18742da8b8fe3618e3fa700b7a884fe7|sha512=1c51fdb4d0856c89e2df08a1c0095ef28ebd0f613b07b03d0f6650"
                     "1ca5486515562071291e6d0932e57587ed0c9362c8b92c5c9eddb4d2bb2f5e129986b484a7");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_DEV_REPO), "git+https://github.com/ocsigen/lwt.git");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_HOMEPAGE), "https://github.com/ocsigen/lwt");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_LICENSE), "MIT");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_BUILDS_WITH_DUNE), "true");
    ck_assert_str_eq(joined(&u, lwt, VS_ATTR_MIRROR), "");
    uint32_t bap = pkg_of(&u, "bap-dump-symbols", "2.5.0");
    ck_assert_str_eq(joined(&u, bap, VS_ATTR_MIRROR), "https://mirrors.aegis.cylab.cmu.edu/bap/2.5.0/v2.5.0.tar.gz");
    ck_assert_str_eq(joined(&u, bap, VS_ATTR_CHECKSUM),
                     "sha256=9c126781385d2fa9b8edab22e62b25c70bf2f99f6ec78abb7e5e36d63cfa4174|md5=5abd9b3628b43f797326034f31ca574f");
    uint32_t gmp = pkg_of(&u, "conf-gmp", "5");
    const vs_attr *t;
    ck_assert_uint_ge(attrs_lookup_all(&u.attrs, gmp, VS_ATTR_DEPEXT, &t), 7);
    ck_assert_str_eq(attrs_str(&u.attrs, t[0].value), "[\"libgmp-dev\"] {os-family = \"debian\"}");
    ck_assert_str_eq(attrs_str(&u.attrs, t[2].value), "[\"gmp\"] {os = \"macos\" & os-distribution = \"homebrew\"}");
    ck_assert_str_eq(attrs_str(&u.attrs, t[5].value),
                     "[\"gmp\" \"gmp-devel\"] {os-family = \"fedora\" | os-family = \"fedora\"}");
    ck_assert_str_eq(joined(&u, gmp, VS_ATTR_BUILDS_WITH_DUNE), "false");
    ck_assert_str_eq(joined(&u, pkg_of(&u, "ocamlfind", "1.9.8"), VS_ATTR_BUILDS_WITH_DUNE), "false");
    universe_free(&u);
    picked_free(&p);
}
END_TEST

START_TEST(opam_2022_git_and_old_depexts)
{
    static const char *const wanted[] = { "ocamlformat.0.19.0~4.13preview", "camltc.0.9.5", "brr.0.0.1", NULL };
    picked p = { .wanted = wanted };
    pick(&p, "opam-repository-2022-10-09.tar.gz");
    if (!test_corpora("opam-repository-2022-10-09.tar.gz"))
        return;
    ck_assert_uint_eq(p.files.len, 3);
    vs_universe u;
    load_picked(&p, &u);
    /* the old `url { git: ... }` and a src with a git ref */
    ck_assert_str_eq(joined(&u, pkg_of(&u, "ocamlformat", "0.19.0~4.13preview"), VS_ATTR_URL),
                     "git+https://github.com/kit-ty-kate/ocamlformat.git#413-backport");
    ck_assert_str_eq(joined(&u, pkg_of(&u, "camltc", "0.9.5"), VS_ATTR_URL),
                     "git+https://github.com/toolslive/camltc.git#camltc-0.9.5");
    uint32_t brr = pkg_of(&u, "brr", "0.0.1");
    ck_assert_str_eq(joined(&u, brr, VS_ATTR_URL), "https://erratique.ch/software/brr/releases/brr-0.0.1.tbz");
    ck_assert_str_eq(joined(&u, brr, VS_ATTR_CHECKSUM), "md5=e647233a49af156b42872316eff44c8c");
    universe_free(&u);
    picked_free(&p);
}
END_TEST

/* The text after `field: "` in s, up to the closing quote (no escapes in these fields). */
static const char *field_text(const char *s, const char *field, char *buf, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s: \"", field);
    const char *at = strstr(s, pat);
    if (!at)
        return NULL;
    at += strlen(pat);
    const char *q = strchr(at, '"');
    snprintf(buf, size, "%.*s", (int)(q - at), at);
    return buf;
}

START_TEST(opam_2022_every_old_url_form)
{
    picked p = { .old_form_only = 1 };
    pick(&p, "opam-repository-2022-10-09.tar.gz");
    if (!test_corpora("opam-repository-2022-10-09.tar.gz"))
        return;
    ck_assert_uint_eq(p.files.len, 108);
    vs_universe u;
    load_picked(&p, &u);
    for (size_t i = 0; i < p.files.len; i++) {
        const opam_memory_file *f = &p.files.items[i];
        uint32_t pkg = pkg_of(&u, f->name, f->version);
        const char *url_sec = strstr(f->text, "\nurl {");
        char archive[1024], sum[300], expect[320];
        ck_assert_ptr_nonnull(field_text(url_sec, "archive", archive, sizeof archive));
        ck_assert_str_eq(joined(&u, pkg, VS_ATTR_URL), archive);
        if (field_text(url_sec, "checksum", sum, sizeof sum)) {
            snprintf(expect, sizeof expect, "%s%s", strchr(sum, '=') ? "" : "md5=", sum);
            ck_assert_msg(strchr(sum, '=') || strlen(sum) == 32, "%s: %s", f->filename, sum);
            ck_assert_str_eq(joined(&u, pkg, VS_ATTR_CHECKSUM), expect);
        }
    }
    universe_free(&u);
    picked_free(&p);
}
END_TEST

Suite *attr_suite(void)
{
    Suite *s = suite_create("attr");
    TCase *tc = tcase_create("attr");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, store_basics);
    tcase_add_test(tc, opam_2026);
    tcase_add_test(tc, opam_2022_git_and_old_depexts);
    tcase_add_test(tc, opam_2022_every_old_url_form);
    suite_add_tcase(s, tc);
    return s;
}
