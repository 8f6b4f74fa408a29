/* test_dune_rename.c: the dune-file reader/writer (byte-identical round trips, errors with
 * positions) and the renaming of a copy on a synthetic tree: select, re_export, pps, %{lib:},
 * %{version:}, (package), wrapped false with (modules), sub-libraries, comments kept, the
 * dependents pointed at the copy, the other copy's users untouched. (C stubs are renamed in the
 * dup_fixture and dup_real tests, which have the toolchain.) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dune_rename.h"
#include "dune_sexp.h"
#include "testutil.h"

static void round_trip(const char *text)
{
    dsx_doc d;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(dsx_parse(&d, "t/dune", text, strlen(text), &err) == VSOLVE_OK, "%s", err.message);
    size_t len;
    char *out = dsx_write(&d, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, text);
    free(out);
    dsx_free(&d);
}

START_TEST(sexp_round_trips)
{
    round_trip("");
    round_trip("(library (name a))\n");
    round_trip("; comment\n(library\n (name a) ; trailing\n #| block\n comment |#\n (flags (:standard -w +a)))\n\n");
    round_trip("(rule (action (with-stdout-to x (echo \"a \\\" ) ; b\\n\"))))\n#;(ignored (datum))\n(x %{lib:foo:bar.h})");
    /* every dune file of the fixture */
    static const char *const files[] = { "corpora/dup-fixture/src/stub-1.0/src/dune", "corpora/dup-fixture/src/left-1.0/dune",
                                         "corpora/dup-fixture/src/app-1.0/dune", "corpora/dup-fixture/src/stub-2.0/dune-project" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        size_t len;
        char *t = test_read_file(test_source_path(files[i]), &len);
        round_trip(t);
        free(t);
    }
}
END_TEST

START_TEST(sexp_errors_have_positions)
{
    static const struct { const char *text, *msg; } bad[] = {
        { "(library (name a)", "t/dune:1:1: unclosed parenthesis" },
        { "(a))", "t/dune:1:4: unexpected ')'" },
        { "(a \"b)", "t/dune:1:4: unterminated string" },
        { "#| x", "t/dune:1:1: unterminated block comment" },
        { "(a #;)", "t/dune:1:4: expected a datum after #;" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dsx_doc d;
        vs_error err;
        vs_error_clear(&err);
        ck_assert_int_eq(dsx_parse(&d, "t/dune", bad[i].text, strlen(bad[i].text), &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, bad[i].msg), "%s: got %s", bad[i].text, err.message);
    }
    /* deep nesting is refused, not a stack overflow */
    char deep[2000];
    memset(deep, '(', 1000);
    memset(deep + 1000, ')', 1000);
    dsx_doc d;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(dsx_parse(&d, "t/dune", deep, sizeof deep, &err), VSOLVE_EBADINPUT);
}
END_TEST

static char root[64];

static void put_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *get_file(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    size_t len;
    return test_read_file(path, &len);
}

static int exists(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return access(path, F_OK) == 0;
}

START_TEST(rename_a_copy_and_its_users)
{
    snprintf(root, sizeof root, "/tmp/vsolve-rename-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    put_file("lib/dune-project", "(lang dune 2.9)\n(name lib)\n(package (name lib) (depends (lib-extra (= :version))))\n(package (name lib-extra))\n");
    put_file("lib/lib.opam", "opam-version: \"2.0\"\n");
    put_file("lib/lib-extra.opam", "opam-version: \"2.0\"\n");
    put_file("lib/src/dune", "; the core\n(library\n (name lib)\n (public_name lib)\n (wrapped false)\n (modules a b))\n");
    put_file("lib/src/a.ml", "let f () = 1\n");
    put_file("lib/src/b.ml", "let g () = A.f () + 1\n");
    put_file("lib/src/c.ml", "let not_in_the_library = ()\n");
    put_file("lib/extra/dune", "(library (name lib_extra) (public_name lib-extra) (libraries lib)\n (preprocess (pps lib.ppx)))\n"
                               "(library (name lib_ppx) (public_name lib.ppx) (kind ppx_rewriter))\n"
                               "(rule (targets v.ml) (action (with-stdout-to v.ml (echo \"let v = \\\"%{version:lib}\\\"\"))))\n"
                               "(install (section share) (files x) (package lib-extra))\n");
    put_file("lib/extra/lib_extra.ml", "let h () = A.f ()\n");
    put_file("user/dune", "(executable (name main)\n (flags :standard -w +a)\n (libraries (re_export lib) unix\n"
                          "  (select s.ml from (lib.ppx -> s.yes.ml) (-> s.no.ml)))\n (deps %{lib:lib:a.ml}))\n");
    put_file("other/dune", "(library (name other) (libraries lib))\n");
    char lib_dir[128], user_dir[128];
    snprintf(lib_dir, sizeof lib_dir, "%s/lib", root);
    snprintf(user_dir, sizeof user_dir, "%s/user", root);
    const char *deps[] = { user_dir };
    dune_copy c = { lib_dir, "1.2~rc", deps, 1, NULL, NULL };
    vs_error err;
    vs_error_clear(&err);
    char *report = NULL;
    ck_assert_msg(dune_rename_copy(&c, &report, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(report, "package lib -> lib_v1_2_rc"));
    ck_assert_ptr_nonnull(strstr(report, "package lib-extra -> lib-extra_v1_2_rc"));
    ck_assert_ptr_nonnull(strstr(report, "warning: "));   /* user re-exports lib */
    free(report);

    char *t = get_file("lib/dune-project");
    ck_assert_str_eq(t, "(lang dune 2.9)\n(name lib_v1_2_rc)\n(package (name lib_v1_2_rc) (depends (lib-extra_v1_2_rc (= :version))))\n"
                        "(package (name lib-extra_v1_2_rc))\n");
    free(t);
    ck_assert(exists("lib/lib_v1_2_rc.opam") && exists("lib/lib-extra_v1_2_rc.opam") && !exists("lib/lib.opam"));
    t = get_file("lib/src/dune");
    ck_assert_str_eq(t, "; the core\n(library\n (name lib_v1_2_rc)\n (public_name lib_v1_2_rc)\n (modules a b lib_v1_2_rc))\n");
    free(t);
    t = get_file("lib/src/lib_v1_2_rc.ml");   /* (wrapped false): every listed module re-exported, not c */
    ck_assert_ptr_nonnull(strstr(t, "module A = A\nmodule B = B\n"));
    ck_assert_ptr_null(strstr(t, "module C"));
    free(t);
    t = get_file("lib/extra/dune");
    ck_assert_ptr_nonnull(strstr(t, "(name lib_extra_v1_2_rc) (public_name lib-extra_v1_2_rc) (libraries lib_v1_2_rc)"));
    ck_assert_ptr_nonnull(strstr(t, "(pps lib_v1_2_rc.ppx)"));
    ck_assert_ptr_nonnull(strstr(t, "(name lib_ppx_v1_2_rc) (public_name lib_v1_2_rc.ppx)"));
    ck_assert_ptr_nonnull(strstr(t, "%{version:lib_v1_2_rc}"));
    ck_assert_ptr_nonnull(strstr(t, "(package lib-extra_v1_2_rc)"));
    ck_assert_ptr_nonnull(strstr(t, "(flags (:standard -open Lib_v1_2_rc))"));
    free(t);
    t = get_file("user/dune");
    ck_assert_str_eq(t, "(executable (name main)\n (flags :standard -w +a -open Lib_v1_2_rc)\n (libraries (re_export lib_v1_2_rc) unix\n"
                        "  (select s.ml from (lib_v1_2_rc.ppx -> s.yes.ml) (-> s.no.ml)))\n (deps %{lib:lib_v1_2_rc:a.ml}))\n");
    free(t);
    t = get_file("other/dune");   /* not a user of this copy: untouched */
    ck_assert_str_eq(t, "(library (name other) (libraries lib))\n");
    free(t);
    /* a copy whose renamed module name is taken is refused, nothing half-renamed */
    put_file("lib2/dune-project", "(lang dune 2.9)\n(package (name q))\n");
    put_file("lib2/dune", "(library (name q) (public_name q))\n");
    put_file("lib2/q_v2.ml", "let taken = ()\n");
    char lib2[128];
    snprintf(lib2, sizeof lib2, "%s/lib2", root);
    dune_copy c2 = { lib2, "2", NULL, 0, NULL, NULL };
    ck_assert_int_eq(dune_rename_copy(&c2, &report, &err), VSOLVE_EBADINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "q_v2.ml exists"));
    t = get_file("lib2/dune-project");
    ck_assert_str_eq(t, "(lang dune 2.9)\n(package (name q))\n");
    free(t);
    /* names that would become paths or code are refused before anything is written */
    put_file("bad1/dune-project", "(lang dune 2.9)\n(package (name p))\n");
    put_file("bad1/dune", "(library (name ../../evil) (public_name p))\n");
    put_file("bad2/dune-project", "(lang dune 2.9)\n(package (name ../p))\n");
    put_file("bad3/dune-project", "(lang dune 2.9)\n(package (name r))\n");
    put_file("bad3/dune", "(library (name r) (wrapped false) (modules a \"b;let x\"))\n");
    static const char *const bads[] = { "bad1", "bad2", "bad3" };
    static const char *const why[] = { "bad1/dune:1:1: a library name", "package name \"../p\"", "bad3/dune:1:46: a module name" };
    for (size_t i = 0; i < 3; i++) {
        char dir[128];
        snprintf(dir, sizeof dir, "%s/%s", root, bads[i]);
        dune_copy cb = { dir, "1", NULL, 0, NULL, NULL };
        ck_assert_int_eq(dune_rename_copy(&cb, &report, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, why[i]), "%s: %s", bads[i], err.message);
    }
    ck_assert(exists("bad1/dune-project") && !exists("bad3/r_v1.ml"));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(version_suffix)
{
    char b[32];
    ck_assert(dune_version_suffix("1.0", b, sizeof b));
    ck_assert_str_eq(b, "_v1_0");
    ck_assert(dune_version_suffix("v0.15.1+x~y", b, sizeof b));
    ck_assert_str_eq(b, "_vv0_15_1_x_y");
    ck_assert(!dune_version_suffix("0123456789012345678901234567890123", b, sizeof b));
}
END_TEST

Suite *dune_rename_suite(void)
{
    Suite *s = suite_create("dune_rename");
    TCase *t = tcase_create("dune_rename");
    tcase_add_test(t, sexp_round_trips);
    tcase_add_test(t, sexp_errors_have_positions);
    tcase_add_test(t, rename_a_copy_and_its_users);
    tcase_add_test(t, version_suffix);
    suite_add_tcase(s, t);
    return s;
}
