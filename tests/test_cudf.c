/* test_cudf.c: the CUDF adapter: semantics of small documents (depends, conflicts, provides, keep,
 * remove, upgrade), the solution writer, error positions, truncation, and every shared CUDF dump
 * solved and compared with opam's own answer. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checker.h"
#include "cudf.h"
#include "opam_version.h"
#include "repo_source.h"
#include "solve.h"
#include "testutil.h"
#include "vsolve.h"

/* A loaded document, solved. */
typedef struct doc {
    vs_universe u;
    vs_request req;
    vs_solution s;
    cudf_stats stats;
    vs_error err;
    int load_rc;
} doc;

static void doc_load(doc *d, const char *text)
{
    ck_assert_int_eq(universe_init(&d->u), VSOLVE_OK);
    request_init(&d->req);
    solution_init(&d->s);
    d->load_rc = cudf_load_memory(&d->u, &d->req, "t.cudf", text, strlen(text), &d->stats, &d->err);
}

/* Loads and solves; the load must succeed and every answer must pass the checker. */
static int doc_solve(doc *d, const char *text)
{
    doc_load(d, text);
    ck_assert_msg(d->load_rc == VSOLVE_OK, "%s", d->err.message);
    int rc = vs_solve(&d->u, &d->req, &d->s);
    if (rc == VSOLVE_OK) {
        char why[1024];
        ck_assert_msg(check_solution(&d->u, &d->req, d->s.pkgs.items, d->s.pkgs.len, why, sizeof why) == 0,
                      "the checker rejects the answer: %s", why);
    }
    return rc;
}

static void doc_free(doc *d)
{
    solution_free(&d->s);
    request_free(&d->req);
    universe_free(&d->u);
}

/* The solution as "name=version name=version ..." (sorted by name, then version). */
static const char *answer(const doc *d)
{
    static char buf[2048];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->s.pkgs.len && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%s", i ? " " : "",
                                 universe_pkg_name(&d->u, d->s.pkgs.items[i]), universe_pkg_version(&d->u, d->s.pkgs.items[i]));
    return buf;
}

static void expect_answer(const char *text, const char *expected)
{
    doc d;
    int rc = doc_solve(&d, text);
    ck_assert_msg(rc == VSOLVE_OK, "expected a solution, got status %d: %s", rc, d.s.explanation ? d.s.explanation : "");
    ck_assert_str_eq(answer(&d), expected);
    doc_free(&d);
}

static void expect_unsat(const char *text, const char *phrase)
{
    doc d;
    int rc = doc_solve(&d, text);
    ck_assert_msg(rc == VSOLVE_UNSAT, "expected no solution, got status %d: %s", rc, answer(&d));
    ck_assert_ptr_nonnull(d.s.explanation);
    if (phrase)
        ck_assert_msg(strstr(d.s.explanation, phrase) != NULL, "explanation lacks \"%s\":\n%s", phrase, d.s.explanation);
    doc_free(&d);
}

/* ---- semantics ------------------------------------------------------------------------- */

START_TEST(depends_newest_matching)
{
    const char *t =
        "package: a\nversion: 1\ndepends: b >= 2 , c\n\n"
        "package: b\nversion: 1\n\npackage: b\nversion: 2\n\npackage: b\nversion: 3\n\n"
        "package: c\nversion: 5\n\n"
        "request: r\ninstall: a\n";
    expect_answer(t, "a=1 b=3 c=5");
    /* every operator, on the integer order (10 > 9, not as text) */
    const char *ops[][2] = {
        { "b = 9", "b=9" }, { "b != 10", "b=9" }, { "b < 10", "b=9" }, { "b <= 9", "b=9" },
        { "b > 9", "b=10" }, { "b >= 9", "b=10" }, { "b", "b=10" },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char doc_text[512];
        snprintf(doc_text, sizeof doc_text,
                 "package: a\nversion: 1\ndepends: %s\n\npackage: b\nversion: 9\n\npackage: b\nversion: 10\n"
                 "conflicts: b\n\npackage: b\nversion: 8\nconflicts: b\n\nrequest: r\ninstall: a\n", ops[i][0]);
        char want[64];
        snprintf(want, sizeof want, "a=1 %s", ops[i][1]);
        expect_answer(doc_text, want);
    }
}
END_TEST

START_TEST(depends_or_and_constants)
{
    /* c | d: one of them; d alone is the only way when c is uninstallable (false!) */
    expect_answer("package: a\nversion: 1\ndepends: c | d\n\npackage: c\nversion: 1\ndepends: false!\n\n"
                  "package: d\nversion: 1\n\nrequest: r\ninstall: a\n", "a=1 d=1");
    /* true! is no dependency at all; a true! alternative makes the conjunct vanish */
    expect_answer("package: a\nversion: 1\ndepends: true!\n\nrequest: r\ninstall: a\n", "a=1");
    expect_answer("package: a\nversion: 1\ndepends: ghost | true! , b\n\npackage: b\nversion: 2\n\nrequest: r\ninstall: a\n",
                  "a=1 b=2");
    /* a dependency on nothing that exists makes the package uninstallable */
    expect_unsat("package: a\nversion: 1\ndepends: ghost\n\nrequest: r\ninstall: a\n", NULL);
    /* a multi-line value (continuation lines start with a space) */
    expect_answer("package: a\nversion: 1\ndepends: b ,\n c >= 2\n  | d\n\npackage: b\nversion: 1\n\n"
                  "package: c\nversion: 1\n\npackage: d\nversion: 1\n\nrequest: r\ninstall: a\n", "a=1 b=1 d=1");
}
END_TEST

START_TEST(conflicts_and_one_version_rule)
{
    expect_unsat("package: a\nversion: 1\nconflicts: b\n\npackage: b\nversion: 1\n\nrequest: r\ninstall: a , b\n", NULL);
    /* a conflict with a version range only */
    expect_answer("package: a\nversion: 1\nconflicts: b < 3\n\npackage: b\nversion: 2\n\npackage: b\nversion: 3\n"
                  "\nrequest: r\ninstall: a , b\n", "a=1 b=3");
    /* CUDF allows two versions of a name side by side unless they conflict */
    expect_answer("package: a\nversion: 1\n\npackage: a\nversion: 2\n\nrequest: r\ninstall: a = 1 , a = 2\n", "a=1 a=2");
    /* the one-version rule (opam: every version conflicts with its own name) is a group */
    doc d;
    int rc = doc_solve(&d, "package: a\nversion: 1\nconflicts: a\n\npackage: a\nversion: 2\nconflicts: a\n\n"
                           "package: a\nversion: 3\nconflicts: a != 3\n\nrequest: r\ninstall: a = 1 , a = 2\n");
    ck_assert_int_eq(rc, VSOLVE_UNSAT);
    ck_assert_uint_eq(d.u.groups.len, 1);
    ck_assert_uint_eq(d.u.groups.items[0].count, 3);
    for (uint32_t p = 0; p < d.u.pkgs.len; p++) {
        ck_assert_uint_eq(d.u.pkgs.items[p].slot, 0);
        ck_assert_uint_eq(d.u.pkgs.items[p].conflict_count, 0);   /* no pairwise conflicts on top */
    }
    doc_free(&d);
    /* only some versions conflict with the others: pairwise conflicts, no group */
    rc = doc_solve(&d, "package: a\nversion: 1\nconflicts: a\n\npackage: a\nversion: 2\n\npackage: a\nversion: 3\n\n"
                       "request: r\ninstall: a = 2 , a = 3\n");
    ck_assert_int_eq(rc, VSOLVE_OK);
    ck_assert_str_eq(answer(&d), "a=2 a=3");
    ck_assert_uint_eq(d.u.groups.len, 0);
    ck_assert_uint_eq(d.u.pkgs.items[0].conflict_count, 2);
    doc_free(&d);
    /* a package never conflicts with itself */
    expect_answer("package: a\nversion: 1\nconflicts: a\n\nrequest: r\ninstall: a\n", "a=1");
}
END_TEST

START_TEST(provides_virtual_packages)
{
    /* the Debian idiom: every mail transport agent provides and conflicts with the virtual name */
    const char *mta =
        "package: postfix\nversion: 3\nprovides: mta\nconflicts: mta\n\n"
        "package: exim\nversion: 4\nprovides: mta\nconflicts: mta\n\n"
        "package: mutt\nversion: 1\ndepends: mta\n\n";
    char t[1024];
    snprintf(t, sizeof t, "%srequest: r\ninstall: postfix , exim\n", mta);
    expect_unsat(t, NULL);
    snprintf(t, sizeof t, "%srequest: r\ninstall: mutt , exim\n", mta);
    expect_answer(t, "exim=4 mutt=1");
    /* versioned provides: the provided version is what constraints see */
    const char *v = "package: p\nversion: 1\nprovides: virt = 2\n\npackage: q\nversion: 7\nprovides: virt\n\n";
    snprintf(t, sizeof t, "%spackage: a\nversion: 1\ndepends: virt >= 3 , virt < 5\n\nrequest: r\ninstall: a , p\n", v);
    expect_answer(t, "a=1 p=1 q=7");   /* unversioned provides satisfy every constraint */
    snprintf(t, sizeof t, "%spackage: a\nversion: 1\ndepends: virt = 2\n\nrequest: r\nremove: q\ninstall: a\n", v);
    expect_answer(t, "a=1 p=1");
    snprintf(t, sizeof t, "%spackage: a\nversion: 1\ndepends: virt > 2\n\nrequest: r\nremove: q\ninstall: a\n", v);
    expect_unsat(t, NULL);
    /* a real package and a provider of its name both count */
    expect_answer("package: b\nversion: 1\n\npackage: c\nversion: 1\nprovides: b = 5\n\n"
                  "package: a\nversion: 1\ndepends: b >= 5\n\nrequest: r\ninstall: a\n", "a=1 c=1");
}
END_TEST

START_TEST(installed_keep_remove_upgrade)
{
    /* keep: version holds the installed version; b cannot come in */
    expect_unsat("package: a\nversion: 1\ninstalled: true\nkeep: version\n\n"
                 "package: b\nversion: 1\nconflicts: a\n\nrequest: r\ninstall: b\n", "keep");
    /* keep: package: some version of a stays, not necessarily this one */
    expect_answer("package: a\nversion: 1\ninstalled: true\nkeep: package\n\npackage: a\nversion: 2\n\n"
                  "package: b\nversion: 1\nconflicts: a = 1\n\nrequest: r\ninstall: b\n", "a=2 b=1");
    /* keep: feature: what it provides stays provided */
    expect_answer("package: a\nversion: 1\ninstalled: true\nkeep: feature\nprovides: f\n\n"
                  "package: c\nversion: 1\nprovides: f\n\npackage: b\nversion: 1\nconflicts: a\n\n"
                  "request: r\ninstall: b\n", "b=1 c=1");
    /* installed without keep: kept when possible, dropped when the request needs it */
    expect_answer("package: c\nversion: 1\ninstalled: true\n\npackage: a\nversion: 1\n\nrequest: r\ninstall: a\n", "a=1 c=1");
    expect_answer("package: c\nversion: 1\ninstalled: true\n\npackage: a\nversion: 1\nconflicts: c\n\n"
                  "request: r\ninstall: a\n", "a=1");
    /* remove: no matching package stays */
    expect_answer("package: a\nversion: 1\ninstalled: true\n\npackage: b\nversion: 1\ninstalled: true\n\n"
                  "request: r\nremove: a\n", "b=1");
    expect_answer("package: a\nversion: 1\ninstalled: true\n\npackage: a\nversion: 2\n\n"
                  "package: b\nversion: 1\ninstalled: true\ndepends: a\n\nrequest: r\nremove: a = 1\n", "a=2 b=1");
    expect_unsat("package: a\nversion: 1\n\nrequest: r\ninstall: a\nremove: a\n", NULL);
    /* upgrade: the newest possible, never older than what is installed */
    expect_answer("package: a\nversion: 1\nconflicts: a\n\npackage: a\nversion: 2\ninstalled: true\nconflicts: a\n\n"
                  "package: a\nversion: 3\nconflicts: a\n\nrequest: r\nupgrade: a\n", "a=3");
    expect_answer("package: a\nversion: 1\nconflicts: a\n\npackage: a\nversion: 2\ninstalled: true\nconflicts: a\n\n"
                  "package: a\nversion: 3\nconflicts: a\ndepends: ghost\n\nrequest: r\nupgrade: a\n", "a=2");
    expect_unsat("package: a\nversion: 1\nconflicts: a\n\npackage: a\nversion: 2\ninstalled: true\nconflicts: a\n"
                 "depends: ghost\n\nrequest: r\nupgrade: a\n", NULL);
}
END_TEST

START_TEST(preamble_and_extra_properties)
{
    const char *t =
        "# a comment before the preamble\n"
        "preamble: \n"
        "property: avoid-version: int = [0], note: string = [\"a \\\"quoted\\\" ] \\\\ default\"],\n"
        " level: enum[low, high] = [low], opam-name: string, opam-version: string,\n"
        " recommends: vpkgformula = [true!], flag: bool = [false], size: nat, count: posint = [3],\n"
        " replaces: vpkglist = [], alias: veqpkglist = [ x = 1 ], other: vpkg = [y >= 2], who: pkgname,\n"
        " kind: ident = [foo]\n"
        "univ-checksum: 0123abc\n"
        "\n"
        "package: a%5fb\n"
        "version: 2\n"
        "note: any text : with , punctuation | and \"quotes\"\n"
        "level: high\n"
        "# a comment inside a stanza\n"
        "recommends: c | d , e >= 2\n"
        "flag: true\n"
        "size: 12\n"
        "replaces: f , g < 3\n"
        "alias: h = 4\n"
        "other: i\n"
        "who: j+k\n"
        "kind: bar-2\n"
        "undeclared-thing: ((anything)) goes\n"
        "opam-name: a_b\n"
        "opam-version: 1.0~beta\n"
        "\n"
        "package: a%5fb\n"
        "version: 3\n"
        "avoid-version: 1\n"
        "opam-name: a_b\n"
        "opam-version: 2.0\n"
        "\n"
        "request: some id\n"
        "install: a%5fb\n";
    doc d;
    ck_assert_int_eq(universe_init(&d.u), VSOLVE_OK);
    request_init(&d.req);
    solution_init(&d.s);
    cudf_opam_map map;
    int rc = cudf_load_memory_ex(&d.u, &d.req, "t.cudf", t, strlen(t), &d.stats, &map, &d.err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", d.err.message);
    ck_assert_uint_eq(d.stats.packages, 2);
    ck_assert_uint_eq(map.count, 2);
    ck_assert_str_eq(universe_pkg_name(&d.u, 0), "a%5fb");     /* CUDF names are kept */
    ck_assert_str_eq(cudf_opam_name(&d.u, &map, 0), "a_b");
    ck_assert_str_eq(cudf_opam_version(&d.u, &map, 0), "1.0~beta");
    ck_assert_str_eq(cudf_opam_version(&d.u, &map, 1), "2.0");
    ck_assert_ptr_null(cudf_opam_name(&d.u, &map, 2));
    ck_assert_uint_eq(d.u.pkgs.items[0].flags & VS_PKG_AVOID, 0);
    ck_assert_uint_ne(d.u.pkgs.items[1].flags & VS_PKG_AVOID, 0);
    /* avoid-version: the older one is chosen */
    ck_assert_int_eq(vs_solve(&d.u, &d.req, &d.s), VSOLVE_OK);
    ck_assert_str_eq(answer(&d), "a%5fb=2");
    cudf_opam_map_free(&map);
    doc_free(&d);
}
END_TEST

START_TEST(solution_output)
{
    doc d;
    ck_assert_int_eq(doc_solve(&d, "package: b\nversion: 10\n\npackage: b\nversion: 9\n\n"
                                   "package: a%2bx\nversion: 1\ndepends: b < 10\n\nrequest: r\ninstall: a%2bx\n"), VSOLVE_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(cudf_write_solution(f, &d.u, &d.s), VSOLVE_OK);
    fclose(f);
    ck_assert_str_eq(buf, "package: a%2bx\nversion: 1\ninstalled: true\n\npackage: b\nversion: 9\ninstalled: true\n");
    free(buf);
    doc_free(&d);
    /* the output is itself a CUDF universe the reader accepts */
    ck_assert_int_eq(doc_solve(&d, "package: a\nversion: 1\nconflicts: b\n\npackage: b\nversion: 1\n\n"
                                   "request: r\ninstall: a , b\n"), VSOLVE_UNSAT);
    f = open_memstream(&buf, &len);
    ck_assert_int_eq(cudf_write_solution(f, &d.u, &d.s), VSOLVE_OK);
    fclose(f);
    ck_assert_msg(strncmp(buf, "FAIL\n", 5) == 0 && strlen(buf) > 6, "%s", buf);
    free(buf);
    doc_free(&d);
}
END_TEST

/* ---- malformed input ------------------------------------------------------------------- */

static const struct {
    const char *text, *error;
} malformed[] = {
    { "foo: bar\n", "t.cudf:1:1: expected package:, preamble: or request: to start a stanza, found foo:" },
    { "package: a\nversion: x\n\nrequest: r\n", "t.cudf:2:10: expected a version number (a positive integer), found 'x'" },
    { "package: a\nversion: 0\n\nrequest: r\n", "t.cudf:2:10: expected a positive version number" },
    { "package: a\nversion: 1 2\n\nrequest: r\n", "t.cudf:2:12: expected the end of the value, found '2'" },
    { "package: a\nversion: 1234567890123456789\n\nrequest: r\n", "t.cudf:2:10: expected a number of at most 18 digits" },
    { "package: a\n\nrequest: r\n", "t.cudf:1:1: expected a version: property in the stanza of package a" },
    { "package: a\nversion: 1\ndepends: b >> 2\n\nrequest: r\n", "t.cudf:3:13: expected a version number after the operator, found '>'" },
    { "package: a\nversion: 1\ndepends: b ! 2\n\nrequest: r\n", "t.cudf:3:12: expected a relational operator" },
    { "package: a\nversion: 1\ndepends: b,\n c >= x\n\nrequest: r\n", "t.cudf:4:7: expected a version number after the operator" },
    { "package: a\nversion: 1\ndepends: b c\n\nrequest: r\n", "t.cudf:3:12: expected ',' or '|' between package constraints" },
    { "package: a\nversion: 1\ndepends: b ,\n\nrequest: r\n", "t.cudf:3:13: expected a package name, found the end of the line" },
    { "package: a\nversion: 1\nconflicts: b | c\n\nrequest: r\n", "t.cudf:3:14: expected ',' between packages" },
    { "package: a\nversion: 1\nprovides: b >= 2\n\nrequest: r\n", "t.cudf:3:13: expected '=' (only \"name = version\" is allowed here)" },
    { "package: a\nversion: 1\ninstalled: yes\n\nrequest: r\n", "t.cudf:3:12: expected true or false, found 'y'" },
    { "package: a\nversion: 1\nkeep: always\n\nrequest: r\n", "t.cudf:3:7: expected version, package, feature or none" },
    { "package: a\nversion: 1\ndepends: b\ndepends: c\n\nrequest: r\n", "t.cudf:4:1: expected each property once per stanza, found a second depends:" },
    { "package: a\nversion: 1\npackage: b\nversion: 1\n\nrequest: r\n", "t.cudf:3:1: expected each property once per stanza, found a second package:" },
    { "package a\n", "t.cudf:1:8: expected ':' after the property name, found a blank" },
    { "Package: a\n", "t.cudf:1:1: expected a property name (lowercase letters, digits and '-') followed by ':', found 'P'" },
    { " version: 1\n", "t.cudf:1:1: expected a property name" },
    { "\x01\x02\x03", "t.cudf:1:1: expected a property name (lowercase letters, digits and '-') followed by ':', found byte 0x01" },
    { "package: a\nversion: 1\n\npreamble: \n", "t.cudf:4:1: expected the preamble: stanza to come first, before any package" },
    { "request: r\n\npackage: a\nversion: 1\n", "t.cudf:3:1: expected the end of the document after the request stanza" },
    { "request: r\n\nrequest: s\n", "t.cudf:3:1: expected the end of the document after the request stanza" },
    { "package: a\nversion: 1\n", "t.cudf:3:1: expected a request: stanza, found the end of the document" },
    { "package: a\nversion: 1", "t.cudf:2:11: expected a request: stanza, found the end of the document" },
    { "", "t.cudf:1:1: expected a request: stanza" },
    { "package: a\nversion: 1\n\npackage: a\nversion: 01\n\nrequest: r\n",
      "t.cudf:4:1: expected each package version once, found a version 1 again (first at line 1)" },
    { "request: r\ninstall: a >= \n", "t.cudf:2:15: expected a version number after the operator, found the end of the line" },
    { "request: r\ninstall: a\ninstall: b\n", "t.cudf:3:1: expected each property once per stanza, found a second install:" },
    { "preamble: \nproperty: size: number\n\nrequest: r\n", "t.cudf:2:17: expected a type (int," },
    { "preamble: \nproperty: size int\n\nrequest: r\n", "t.cudf:2:16: expected ':' after the property name" },
    { "preamble: \nproperty: s: string = [\"abc]\n\nrequest: r\n", "t.cudf:2:29: expected '\"' to close the string" },
    { "preamble: \nproperty: s: int = [x]\n\nrequest: r\n", "t.cudf:2:21: expected an integer, found 'x'" },
    { "preamble: \nproperty: s: int = 3\n\nrequest: r\n", "t.cudf:2:20: expected '[' before the default value, found '3'" },
    { "preamble: \nproperty: l: enum[a, b] = [c]\n\nrequest: r\n", "t.cudf:2:28: expected one of the values declared for this property" },
    { "preamble: \nproperty: n: posint\n\npackage: a\nversion: 1\nn: 0\n\nrequest: r\n", "t.cudf:6:4: expected a positive integer" },
    { "preamble: \nproperty: f: vpkgformula\n\npackage: a\nversion: 1\nf: b |\n\nrequest: r\n", "t.cudf:6:7: expected a package name" },
    { "preamble: \nproperty: l: enum[a, b]\n\npackage: a\nversion: 1\nl: c\n\nrequest: r\n", "t.cudf:6:4: expected one of the values declared" },
    { "package: a\nversion: 1\n# comment\n continued\n\nrequest: r\n", "t.cudf:4:1: expected a property name" },
    { "package: a b\nversion: 1\n\nrequest: r\n", "t.cudf:1:12: expected the end of the value, found 'b'" },
    { "package: \nversion: 1\n\nrequest: r\n", "t.cudf:1:10: expected a package name, found the end of the line" },
};

START_TEST(malformed_input_positions)
{
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        doc d;
        doc_load(&d, malformed[i].text);
        ck_assert_msg(d.load_rc == VSOLVE_EBADINPUT, "case %zu: status %d for\n%s", i, d.load_rc, malformed[i].text);
        ck_assert_msg(strncmp(d.err.message, malformed[i].error, strlen(malformed[i].error)) == 0,
                      "case %zu:\n  got      %s\n  expected %s...", i, d.err.message, malformed[i].error);
        doc_free(&d);
    }
}
END_TEST

/* Every prefix of a document, and every single-byte corruption of it, loads or fails with a
 * positioned error (never a crash: the suite runs under ASan/UBSan). */
START_TEST(truncation_and_corruption_never_crash)
{
    const char *t =
        "preamble: \nproperty: avoid-version: int = [0], s: string = [\"x\\\"]\"], l: enum[p, q] = [p],\n"
        " opam-name: string\n\n"
        "package: a\nversion: 2\ndepends: b >= 1 | c , d\nconflicts: a , e < 3\nprovides: v = 1 , w\n"
        "installed: true\nkeep: feature\navoid-version: 1\nopam-name: the a\nl: q\n\n"
        "package: b\nversion: 1\ndepends: true!\n\npackage: c\nversion: 10\ndepends: false!\n\n"
        "request: x\ninstall: a , v >= 1\nremove: e\nupgrade: b\n";
    size_t n = strlen(t);
    char *buf = malloc(n + 1);
    size_t ok = 0, bad = 0;
    for (size_t len = 0; len <= n; len++) {
        memcpy(buf, t, len);   /* not NUL-terminated: the reader must respect len */
        vs_universe u;
        vs_request req;
        vs_error err;
        ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
        request_init(&req);
        int rc = cudf_load_memory(&u, &req, "t.cudf", buf, len, NULL, &err);
        if (rc == VSOLVE_OK) {
            ok++;
        } else {
            bad++;
            ck_assert_int_eq(rc, VSOLVE_EBADINPUT);
            ck_assert_msg(strncmp(err.message, "t.cudf:", 7) == 0 && strstr(err.message, ": expected "), "%s", err.message);
        }
        request_free(&req);
        universe_free(&u);
    }
    ck_assert_uint_gt(ok, 0);       /* the whole document, and prefixes ending inside the request */
    ck_assert_uint_gt(bad, n / 2);
    const char junk[] = { 0, '\n', ' ', ':', ',', '|', '=', '!', '#', '"', '\\', '[', ']', 'z', '9', (char)0xff };
    for (size_t pos = 0; pos < n; pos++)
        for (size_t j = 0; j < sizeof junk; j++) {
            memcpy(buf, t, n);
            buf[pos] = junk[j];
            vs_universe u;
            vs_request req;
            vs_error err;
            ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
            request_init(&req);
            int rc = cudf_load_memory(&u, &req, "t.cudf", buf, n, NULL, &err);
            ck_assert_msg(rc == VSOLVE_OK || (rc == VSOLVE_EBADINPUT && strstr(err.message, ": expected ")),
                          "status %d: %s", rc, err.message);
            request_free(&req);
            universe_free(&u);
        }
    free(buf);
}
END_TEST

/* Inputs the fuzzer found (tests/fuzz/README.md), shrunk by hand where that kept the point. */
START_TEST(test_fuzz_regressions)
{
    /* no packages, and request atoms that match nothing: every atom's id run is empty (the
     * encoder once offset a NULL id array, which clang's UBSan reports) */
    doc d;
    int rc = doc_solve(&d, "preamble: \nproion: 2\ndepends: bb-shims\nversion: 2\ndepends: ocaml >= 38sT: false!\n\n"
                           "request: x\nzinstall: a , v >= 1\nremove: e\nupgrade: b\n");
    ck_assert_int_eq(rc, VSOLVE_UNSAT);
    ck_assert_uint_eq(d.u.pkgs.len, 0);
    ck_assert_uint_eq(d.req.atoms.len, 2);
    doc_free(&d);
    expect_answer("request: x\nremove: e\n", "");
}
END_TEST

/* ---- the library API and the command --------------------------------------------------- */

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/vsolve-cudf-test.%d.cudf", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(library_and_command)
{
    const char *t = "package: a\nversion: 1\ndepends: b\n\npackage: b\nversion: 1\n\npackage: b\nversion: 2\n\n"
                    "request: r\ninstall: a\n";
    char *path = write_temp(t);
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_int_eq(vsolve_load_cudf(ctx, path), VSOLVE_OK);
    vsolve_result *r = NULL;
    ck_assert_int_eq(vsolve_solve(ctx, NULL, 0, &r), VSOLVE_OK);
    ck_assert_uint_eq(vsolve_result_count(r), 2);
    ck_assert_str_eq(vsolve_result_name(r, 1), "b");
    ck_assert_str_eq(vsolve_result_version(r, 1), "2");
    vsolve_result_free(r);
    const char *atom = "b";
    ck_assert_int_eq(vsolve_solve(ctx, &atom, 1, &r), VSOLVE_EUSAGE);   /* the request is the file's */
    ck_assert_int_eq(vsolve_load_cudf(ctx, path), VSOLVE_EUSAGE);        /* one document per context */
    vsolve_free(ctx);
    ctx = vsolve_new();
    ck_assert_int_eq(vsolve_load_cudf(ctx, "/nonexistent/x.cudf"), VSOLVE_EIO);
    ck_assert_int_eq(vsolve_solve(ctx, NULL, 0, &r), VSOLVE_EUSAGE);    /* nothing loaded */
    vsolve_free(ctx);

    char cmd[512], out[512] = "";
    snprintf(cmd, sizeof cmd, "%s/vsolve --ecosystem cudf --repo %s solve", VSOLVE_BINARY_DIR, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t got = fread(out, 1, sizeof out - 1, p);
    out[got] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_str_eq(out, "package: a\nversion: 1\ninstalled: true\n\npackage: b\nversion: 2\ninstalled: true\n");

    /* unsatisfiable: FAIL on stdout, exit 1; malformed: file:line:col on stderr, exit 2 */
    write_temp("package: a\nversion: 1\ndepends: ghost\n\nrequest: r\ninstall: a\n");
    snprintf(cmd, sizeof cmd, "%s/vsolve --ecosystem cudf --repo %s solve 2>/dev/null", VSOLVE_BINARY_DIR, path);
    p = popen(cmd, "r");
    got = fread(out, 1, sizeof out - 1, p);
    out[got] = '\0';
    ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
    ck_assert_str_eq(out, "FAIL\n");
    write_temp("package: a\nversion: one\n");
    snprintf(cmd, sizeof cmd, "%s/vsolve --ecosystem cudf --repo %s solve 2>&1", VSOLVE_BINARY_DIR, path);
    p = popen(cmd, "r");
    got = fread(out, 1, sizeof out - 1, p);
    out[got] = '\0';
    ck_assert_int_eq(WEXITSTATUS(pclose(p)), 2);
    ck_assert_msg(strstr(out, ".cudf:2:10: expected a version number") != NULL, "%s", out);
    remove(path);
}
END_TEST

/* ---- the shared dumps ------------------------------------------------------------------ */

/* The value of a "# Key: value" header line (malloc'd), or NULL. */
static char *header(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "# %s: ", key);
    const char *s = strstr(text, pat);
    if (!s)
        return NULL;
    s += strlen(pat);
    return strndup(s, strcspn(s, "\n"));
}

/* opam's answer: NAME.VERSION lines (names have no dot). NULL when absent or unsat. */
static char **opam_answer(const char *id, size_t *n)
{
    char rel[512];
    snprintf(rel, sizeof rel, "opam/results/solutions/%s/builtin-mccs+glpk.txt", id);
    const char *path = test_peers_path(rel);
    if (!path)
        return NULL;
    char *text = test_read_file(path, NULL);
    size_t cap = 64, count = 0;
    char **lines = malloc(cap * sizeof *lines);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || !strchr(line, '.'))
            continue;
        if (count == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[count++] = strdup(line);
    }
    free(text);
    *n = count;
    if (count == 0) {
        free(lines);
        return NULL;
    }
    return lines;
}

static const char *answer_version(char **lines, size_t n, const char *name)
{
    size_t l = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncmp(lines[i], name, l) == 0 && lines[i][l] == '.')
            return lines[i] + l + 1;
    return NULL;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

#define INVARIANT "%3dopam-invariant"

START_TEST(shared_dumps)
{
    const char *dir = test_corpus_path("cudf");
    if (!dir)
        return;
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s", dir);
    DIR *dh = opendir(dirpath);
    ck_assert_msg(dh != NULL, "cannot open %s", dirpath);
    char **files = NULL;
    size_t n_files = 0;
    for (struct dirent *e; (e = readdir(dh));) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".cudf.gz") == 0) {
            files = realloc(files, (n_files + 1) * sizeof *files);
            files[n_files++] = strdup(e->d_name);
        }
    }
    closedir(dh);
    qsort(files, n_files, sizeof *files, by_name);
    ck_assert_uint_ge(n_files, 100);

    size_t same[2] = { 0 }, compared[2] = { 0 }, solved[2] = { 0 }, unsat = 0, same_opam = 0;
    for (size_t f = 0; f < n_files; f++) {
        int trimmed = strstr(files[f], ".trimmed.") != NULL;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dirpath, files[f]);
        vs_error err;
        size_t len;
        char *text = repo_read_file(path, 0, &len, &err);
        ck_assert_msg(text != NULL, "%s", err.message);
        char *id = header(text, "Request-id"), *expect = header(text, "Expect");
        ck_assert_msg(id && expect, "%s: no Request-id / Expect header", files[f]);

        vs_universe u;
        vs_request req;
        cudf_stats stats;
        cudf_opam_map map;
        ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
        request_init(&req);
        int rc = cudf_load_memory_ex(&u, &req, files[f], text, len, &stats, &map, &err);
        ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
        ck_assert_uint_gt(stats.packages, 50);
        ck_assert_uint_eq(stats.installed, 1);   /* the opam-invariant dummy */
        free(text);

        vs_solution s;
        solution_init(&s);
        rc = vs_solve(&u, &req, &s);
        int want_sat = strcmp(expect, "sat") == 0;
        ck_assert_msg(rc == (want_sat ? VSOLVE_OK : VSOLVE_UNSAT), "%s: expected %s, got status %d\n%s", files[f],
                      expect, rc, s.explanation ? s.explanation : "");
        if (rc == VSOLVE_UNSAT) {
            unsat++;
            ck_assert_msg(strstr(s.explanation, "cannot") != NULL, "%s: %s", files[f], s.explanation);
        } else {
            solved[trimmed]++;
            char why[2048];
            ck_assert_msg(check_solution(&u, &req, s.pkgs.items, s.pkgs.len, why, sizeof why) == 0,
                          "%s: the checker rejects the answer: %s", files[f], why);
        }

        size_t n_ref = 0;
        char **ref = rc == VSOLVE_OK ? opam_answer(id, &n_ref) : NULL;
        if (ref) {
            compared[trimmed]++;
            int invariant = 0;
            size_t newer = 0, older = 0, only_ours = 0, matched = 0;
            for (size_t k = 0; k < s.pkgs.len; k++) {
                uint32_t p = s.pkgs.items[k];
                if (!strcmp(universe_pkg_name(&u, p), INVARIANT)) {
                    invariant = 1;   /* must stay installed; not an opam package */
                    continue;
                }
                const char *nm = cudf_opam_name(&u, &map, p), *ver = cudf_opam_version(&u, &map, p);
                ck_assert_msg(nm && ver, "%s: %s has no opam-name / opam-version", files[f], universe_pkg_name(&u, p));
                const char *theirs = answer_version(ref, n_ref, nm);
                if (!theirs) {
                    only_ours++;
                    continue;
                }
                matched++;
                int c = opam_version_compare(ver, theirs);
                newer += c > 0;
                older += c < 0;
            }
            ck_assert_msg(invariant, "%s: the opam-invariant package was removed", files[f]);
            /* requested packages: at least as new as opam's choice */
            for (size_t i = 0; i < req.atoms.len; i++) {
                const vs_atom *at = &req.atoms.items[i];
                if (at->forbid || at->name == VS_NONE ||
                    !strcmp(universe_str(&u, u.names.items[at->name].str), INVARIANT))
                    continue;
                for (size_t k = 0; k < s.pkgs.len; k++) {
                    uint32_t p = s.pkgs.items[k];
                    if (u.pkgs.items[p].name != at->name)
                        continue;
                    const char *theirs = answer_version(ref, n_ref, cudf_opam_name(&u, &map, p));
                    ck_assert_msg(!theirs || opam_version_compare(cudf_opam_version(&u, &map, p), theirs) >= 0,
                                  "%s: requested %s is %s, older than opam's %s", files[f], cudf_opam_name(&u, &map, p),
                                  cudf_opam_version(&u, &map, p), theirs);
                }
            }
            size_t only_theirs = n_ref - matched;
            if (!newer && !older && !only_ours && !only_theirs)
                same[trimmed]++;
            if (!trimmed) {   /* --preference opam on the full dump: opam's own set */
                vs_solution o;
                solution_init(&o);
                req.preference = VS_PREFER_OPAM_CRITERIA;
                ck_assert_int_eq(vs_solve(&u, &req, &o), VSOLVE_OK);
                req.preference = VS_PREFER_NEWEST_FIRST;
                size_t equal = 0, others = 0;
                for (size_t k = 0; k < o.pkgs.len; k++) {
                    uint32_t p = o.pkgs.items[k];
                    if (!strcmp(universe_pkg_name(&u, p), INVARIANT))
                        continue;
                    const char *theirs = answer_version(ref, n_ref, cudf_opam_name(&u, &map, p));
                    if (theirs && !strcmp(theirs, cudf_opam_version(&u, &map, p)))
                        equal++;
                    else
                        others++;
                }
                ck_assert_msg(equal == n_ref && others == 0, "%s: --preference opam: %zu of opam's %zu packages, %zu others",
                              files[f], equal, n_ref, others);
                same_opam++;
                solution_free(&o);
            }
            else
                printf("cudf-compare %s: vsolve %zu packages, opam %zu; %zu newer, %zu older, %zu only in vsolve, "
                       "%zu only in opam\n", files[f], s.pkgs.len - 1, n_ref, newer, older, only_ours, only_theirs);
            for (size_t i = 0; i < n_ref; i++)
                free(ref[i]);
            free(ref);
        }
        solution_free(&s);
        request_free(&req);
        cudf_opam_map_free(&map);
        universe_free(&u);
        free(id);
        free(expect);
        free(files[f]);
    }
    free(files);
    printf("cudf-compare: full dumps: %zu of %zu answers equal opam's; trimmed dumps: %zu of %zu; "
           "%zu full and %zu trimmed solved, %zu unsat as expected\n",
           same[0], compared[0], same[1], compared[1], solved[0], solved[1], unsat);
    printf("cudf-compare: with --preference opam, %zu of %zu full dumps give exactly opam's answer\n", same_opam,
           compared[0]);
    ck_assert_uint_gt(solved[0] + solved[1], 0);
}
END_TEST

Suite *cudf_suite(void)
{
    Suite *s = suite_create("cudf");
    TCase *tc = tcase_create("semantics");
    tcase_add_test(tc, depends_newest_matching);
    tcase_add_test(tc, depends_or_and_constants);
    tcase_add_test(tc, conflicts_and_one_version_rule);
    tcase_add_test(tc, provides_virtual_packages);
    tcase_add_test(tc, installed_keep_remove_upgrade);
    tcase_add_test(tc, preamble_and_extra_properties);
    tcase_add_test(tc, solution_output);
    suite_add_tcase(s, tc);
    tc = tcase_create("malformed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, malformed_input_positions);
    tcase_add_test(tc, truncation_and_corruption_never_crash);
    tcase_add_test(tc, test_fuzz_regressions);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, library_and_command);
    suite_add_tcase(s, tc);
    tc = tcase_create("corpus");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, shared_dumps);
    suite_add_tcase(s, tc);
    return s;
}
