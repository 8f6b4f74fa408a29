/* test_explain.c: unit tests of solver/explain.c: a refusal names the atoms that match nothing,
 * or the minimal set of atoms that cannot hold together (no innocent atom, none of the clash
 * left out), with the reason; on a pruned encoding, only a clash its reason proves. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "encode.h"
#include "explain.h"
#include "testutil.h"

/* The explanation of the case's refusal, on the whole cone (malloc'd). */
static char *explain_case(const char *yaml)
{
    vs_universe u;
    vs_request req;
    test_build_case(yaml, &u, &req);
    vs_encoding e;
    ck_assert_int_eq(encode_request_whole(&e, &u, &req), VSOLVE_OK);
    ck_assert_int_eq(sat_solve(e.s, e.selectors.items, e.selectors.len), SAT_UNSAT);
    vs_error err;
    vs_error_clear(&err);
    u32_vec clash = { 0 }, unavailable = { 0 };
    char *text = explain_unsat(&e, &u, &clash, &unavailable, &err);
    ck_assert_msg(text != NULL, "%s", err.message);
    vec_free(&clash);
    vec_free(&unavailable);
    encoding_free(&e);
    request_free(&req);
    universe_free(&u);
    return text;
}

static void expect(const char *yaml, const char *want)
{
    char *got = explain_case(yaml);
    ck_assert_str_eq(got, want);
    free(got);
}

/* Atoms that match nothing are named on their own, before any search for a clash. */
START_TEST(atoms_matching_nothing)
{
    expect("universe:\n  a: { \"1.0\": {}, \"1.1\": {}, \"2.0\": { flags: [ unavailable ] } }\n  b: { \"1\": {} }\n"
           "request:\n  - b: { b: [ \"1\" ] }\n  - \"a>=2.0\": { a: [ \"2.0\" ] }\n  - ghost: { ghost: [] }\n"
           "  - \"a>=3\": { a: [] }\nsolution: {}\n",
           "The request cannot be satisfied.\n"
           "  - a>=2.0: the matching version of a (2.0) is not available on this platform\n"
           "  - ghost: there is no package of that name\n"
           "  - a>=3: no version of a matches; available: 1.0 and 1.1\n");
}
END_TEST

/* Of four atoms, the two that clash are named, not the innocent ones, with the reason. */
START_TEST(minimal_pair)
{
    expect("universe:\n"
           "  web: { \"1\": { depends: [ \"tls\": { tls: [ \"1\" ] } ] } }\n"
           "  legacy: { \"1\": { depends: [ \"ssl\": { ssl: [ \"1\" ] } ] } }\n"
           "  tls: { \"1\": { conflicts: { ssl: [ \"1\" ] } } }\n"
           "  ssl: { \"1\": {} }\n"
           "  doc: { \"1\": {} }\n"
           "  tool: { \"1\": { depends: [ \"tls\": { tls: [ \"1\" ] } ] } }\n"
           "request:\n  - doc: { doc: [ \"1\" ] }\n  - web: { web: [ \"1\" ] }\n  - tool: { tool: [ \"1\" ] }\n"
           "  - legacy: { legacy: [ \"1\" ] }\nsolution: {}\n",
           "The request cannot be satisfied.\n"
           "These 2 requirements cannot hold together:\n"
           "  - web (web 1)\n"
           "  - legacy (legacy 1)\n"
           "Why: tls and ssl conflict:\n"
           "  - web needs tls 1 (through web -> tls)\n"
           "  - legacy needs ssl 1 (through legacy -> ssl)\n");
}
END_TEST

/* Three atoms that clash only all together (each pair can hold: one slot of x, each atom
 * allowing two of its three versions) are all named; the innocent fourth is not. */
START_TEST(minimal_triple)
{
    char *got = explain_case("universe:\n"
                             "  x: { \"1\": {}, \"2\": {}, \"3\": {} }\n"
                             "  p: { \"1\": { depends: [ \"x 1|2\": { x: [ \"1\", \"2\" ] } ] } }\n"
                             "  q: { \"1\": { depends: [ \"x 2|3\": { x: [ \"2\", \"3\" ] } ] } }\n"
                             "  r: { \"1\": { depends: [ \"x 1|3\": { x: [ \"1\", \"3\" ] } ] } }\n"
                             "  s: { \"1\": { depends: [ \"x\": { x: [ \"1\", \"2\", \"3\" ] } ] } }\n"
                             "slots: per-name\n"
                             "request:\n  - s: { s: [ \"1\" ] }\n  - p: { p: [ \"1\" ] }\n  - q: { q: [ \"1\" ] }\n"
                             "  - r: { r: [ \"1\" ] }\nsolution: {}\n");
    ck_assert_msg(strstr(got, "These 3 requirements cannot hold together:\n  - p (p 1)\n  - q (q 1)\n  - r (r 1)\n"),
                  "%s", got);
    ck_assert_msg(!strstr(got, "  - s "), "%s", got);
    free(got);
}
END_TEST

/* A requirement that fails alone is named alone, with the dependency that cannot be had. */
START_TEST(single_atom)
{
    expect("universe:\n"
           "  app: { \"1\": { depends: [ \"lib >= 2\": { lib: [] } ] }, \"2\": { depends: [ \"lib >= 3\": { lib: [] } ] } }\n"
           "  lib: { \"1\": {} }\n"
           "  ok: { \"1\": {} }\n"
           "slots: per-name\n"
           "request:\n  - ok: { ok: [ \"1\" ] }\n  - app: { app: [ \"1\", \"2\" ] }\nsolution: {}\n",
           "The request cannot be satisfied.\n"
           "This requirement cannot be met by any version together with its dependencies:\n"
           "  - app (app 1 and 2)\n"
           "Why: no version of app can be installed (app.2 requires lib >= 3, which nothing provides).\n");
}
END_TEST

/* A requirement that only one package meets, whose dependencies clash: the clash is sought
 * among them, a level further down each time (explain_inside, on the outer solver with the
 * packages outside the inner cone left out: here z and top). */
START_TEST(clash_inside)
{
    expect("universe:\n"
           "  x: { \"1\": {}, \"2\": {} }\n"
           "  a: { \"1\": { depends: [ \"x 1\": { x: [ \"1\" ] } ] } }\n"
           "  b: { \"1\": { depends: [ \"x 2\": { x: [ \"2\" ] } ] } }\n"
           "  c: { \"1\": { depends: [ \"x\": { x: [ \"1\", \"2\" ] } ] } }\n"
           "  app: { \"1\": { depends: [ \"c\": { c: [ \"1\" ] }, \"a\": { a: [ \"1\" ] }, \"b\": { b: [ \"1\" ] } ] } }\n"
           "  top: { \"1\": { depends: [ \"app\": { app: [ \"1\" ] } ] } }\n"
           "  z: { \"1\": { depends: [ \"x\": { x: [ \"1\", \"2\" ] } ] } }\n"
           "slots: per-name\n"
           "request:\n  - z: { z: [ \"1\" ] }\n  - top: { top: [ \"1\" ] }\nsolution: {}\n",
           "The request cannot be satisfied.\n"
           "This requirement cannot be met by any version together with its dependencies:\n"
           "  - top (top 1)\n"
           "top 1 needs this, which cannot be met:\n"
           "  - app (app 1)\n"
           "app 1 needs these, which cannot hold together:\n"
           "  - a (a 1)\n"
           "  - b (b 1)\n"
           "Why: they need different versions of x, and only one can be installed:\n"
           "  - a needs x 1 (through a -> x)\n"
           "  - b needs x 2 (through b -> x)\n");
    /* app's root variant (opam --with-test) is what the inner request asks for, not what the
     * outer cone encodes: the inner request gets its own solver, the same words */
    expect("universe:\n"
           "  x: { \"1\": {}, \"2\": {} }\n"
           "  a: { \"1\": { depends: [ \"x 1\": { x: [ \"1\" ] } ] } }\n"
           "  b: { \"1\": { depends: [ \"x 2\": { x: [ \"2\" ] } ] } }\n"
           "  c: { \"1\": {} }\n"
           "  app: { \"1\": { depends: [ \"a\": { a: [ \"1\" ] }, \"b\": { b: [ \"1\" ] } ],\n"
           "                 root-depends: [ \"c\": { c: [ \"1\" ] }, \"b\": { b: [ \"1\" ] }, \"a\": { a: [ \"1\" ] } ] } }\n"
           "  top: { \"1\": { depends: [ \"app\": { app: [ \"1\" ] } ] } }\n"
           "slots: per-name\n"
           "request:\n  - top: { top: [ \"1\" ] }\nsolution: {}\n",
           "The request cannot be satisfied.\n"
           "This requirement cannot be met by any version together with its dependencies:\n"
           "  - top (top 1)\n"
           "top 1 needs this, which cannot be met:\n"
           "  - app (app 1)\n"
           "app 1 needs these, which cannot hold together:\n"
           "  - b (b 1)\n"
           "  - a (a 1)\n"
           "Why: they need different versions of x, and only one can be installed:\n"
           "  - b needs x 2 (through b -> x)\n"
           "  - a needs x 1 (through a -> x)\n");
}
END_TEST

/* On a pruned encoding, a clash is reported when its reason holds on the whole cone; the
 * same text as the whole cone's explanation. */
START_TEST(pruned_encoding)
{
    vs_universe u;
    vs_request req;
    test_build_case("universe:\n"
                    "  comp: { \"1\": {}, \"2\": {} }\n"
                    "  old: { \"1\": { depends: [ \"comp 1\": { comp: [ \"1\" ] } ] } }\n"
                    "  web:\n"
                    "    \"1\": { depends: [ \"comp\": { comp: [ \"1\", \"2\" ] }, \"cli >= 2\": { cli: [ \"2\", \"3\" ] } ] }\n"
                    "    \"2\": { depends: [ \"comp\": { comp: [ \"1\", \"2\" ] }, \"cli >= 2\": { cli: [ \"2\", \"3\" ] } ] }\n"
                    "  store:\n"
                    "    \"1\": { depends: [ \"comp\": { comp: [ \"1\", \"2\" ] }, \"codec\": { codec: [ \"1\", \"2\" ] } ] }\n"
                    "    \"2\": { depends: [ \"comp\": { comp: [ \"1\", \"2\" ] }, \"codec\": { codec: [ \"1\", \"2\" ] } ] }\n"
                    "  codec: { \"1\": { depends: [ \"cli < 2\": { cli: [ \"1\", \"1.5\" ] } ] },\n"
                    "           \"2\": { depends: [ \"cli < 2\": { cli: [ \"1\", \"1.5\" ] } ] } }\n"
                    "  cli: { \"1\": {}, \"1.5\": {}, \"2\": {}, \"3\": {} }\n"
                    "slots: per-name\n"
                    "request:\n  - \"comp=2\": { comp: [ \"2\" ] }\n  - web: { web: [ \"1\", \"2\" ] }\n"
                    "  - store: { store: [ \"1\", \"2\" ] }\n"
                    "solution: {}\n",
                    &u, &req);
    vs_encoding pruned, whole;
    ck_assert_int_eq(encode_request(&pruned, &u, &req), VSOLVE_OK);
    ck_assert(pruned.pruned);
    ck_assert_int_eq(sat_solve(pruned.s, pruned.selectors.items, pruned.selectors.len), SAT_UNSAT);
    vs_error err;
    vs_error_clear(&err);
    int unproven = -1;
    u32_vec clash_a = { 0 }, clash_b = { 0 }, unavailable = { 0 };
    char *a = explain_unsat_pruned(&pruned, &u, &unproven, &clash_a, &unavailable, &err);
    ck_assert_msg(a != NULL, "unproven %d: %s", unproven, err.message);
    ck_assert_int_eq(encode_request_whole(&whole, &u, &req), VSOLVE_OK);
    ck_assert_int_eq(sat_solve(whole.s, whole.selectors.items, whole.selectors.len), SAT_UNSAT);
    char *b = explain_unsat(&whole, &u, &clash_b, &unavailable, &err);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, b);
    /* the same clash as atoms: web and store (atoms 1 and 2), not comp=2 */
    ck_assert_uint_eq(clash_a.len, 2);
    ck_assert_uint_eq(clash_b.len, 2);
    ck_assert_uint_eq(clash_a.items[0], 1);
    ck_assert_uint_eq(clash_a.items[1], 2);
    ck_assert_mem_eq(clash_a.items, clash_b.items, 2 * sizeof *clash_a.items);
    vec_free(&clash_a);
    vec_free(&clash_b);
    vec_free(&unavailable);
    ck_assert_msg(strstr(a, "  - web (web 1 and 2)\n  - store (store 1 and 2)\n") && !strstr(a, "comp=2"), "%s", a);
    free(a);
    free(b);
    encoding_free(&pruned);
    encoding_free(&whole);
    request_free(&req);
    universe_free(&u);
}
END_TEST

Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_add_test(tc, atoms_matching_nothing);
    tcase_add_test(tc, minimal_pair);
    tcase_add_test(tc, minimal_triple);
    tcase_add_test(tc, single_atom);
    tcase_add_test(tc, clash_inside);
    tcase_add_test(tc, pruned_encoding);
    suite_add_tcase(s, tc);
    return s;
}
