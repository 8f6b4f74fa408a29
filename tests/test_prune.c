/* test_prune.c: unit tests of solver/prune.c: what propagation shows no solution installs, what
 * every solution installs (seen through what it rules out), and contradictions. */
#include <check.h>
#include <stdlib.h>
#include "encode.h"
#include "prune.h"
#include "testutil.h"

typedef struct pruned {
    vs_universe u;
    vs_request req;
    vs_encoding e;
    unsigned char *dead;
    int contradiction;
} pruned;

static void prune_case(pruned *p, const char *yaml)
{
    test_build_case(yaml, &p->u, &p->req);
    ck_assert_int_eq(encode_cone(&p->e, &p->u, &p->req), VSOLVE_OK);
    p->dead = calloc(p->u.pkgs.len + 1, 1);
    ck_assert_ptr_nonnull(p->dead);
    ck_assert_int_eq(prune_cone(&p->e.cone, p->dead, &p->contradiction), VSOLVE_OK);
}

static int dead(const pruned *p, const char *name, const char *version)
{
    return p->dead[test_pkg(&p->u, name, version)];
}

static void pruned_free(pruned *p)
{
    free(p->dead);
    encoding_free(&p->e);
    request_free(&p->req);
    universe_free(&p->u);
}

/* The request pins the compiler (one provider: every solution installs it), so its other
 * version dies (one slot), then what needs that version, then what needs only those; what
 * keeps another live provider stays. */
START_TEST(pinned_atom_prunes_through_slots_and_dependencies)
{
    pruned p;
    prune_case(&p, "universe:\n"
                   "  comp: { \"1\": {}, \"2\": {} }\n"
                   "  old: { \"1\": { depends: [ \"comp = 1\": { comp: [ \"1\" ] } ] } }\n"
                   "  tool: { \"1\": { depends: [ \"old\": { old: [ \"1\" ] } ] },\n"
                   "          \"2\": { depends: [ \"old | comp\": { old: [ \"1\" ], comp: [ \"2\" ] } ] } }\n"
                   "  lib: { \"1\": { depends: [ \"comp\": { comp: [ \"1\", \"2\" ] } ] } }\n"
                   "slots: per-name\n"
                   "request:\n"
                   "  - \"comp = 2\": { comp: [ \"2\" ] }\n"
                   "  - tool: { tool: [ \"1\", \"2\" ] }\n"
                   "  - lib: { lib: [ \"1\" ] }\n"
                   "solution: {}\n");
    ck_assert(!p.contradiction);
    ck_assert(dead(&p, "comp", "1"));    /* the pinned one's slot mate */
    ck_assert(dead(&p, "old", "1"));     /* needs only comp 1 */
    ck_assert(dead(&p, "tool", "1"));    /* needs only old */
    ck_assert(!dead(&p, "comp", "2"));
    ck_assert(!dead(&p, "tool", "2"));   /* comp 2 still provides */
    ck_assert(!dead(&p, "lib", "1"));
    pruned_free(&p);
}
END_TEST

/* A multi-version atom forces nothing: no slot mate dies. Forced packages are found through
 * forced packages' clauses too (lib is forced by app's only provider). */
START_TEST(only_single_providers_force)
{
    pruned p;
    prune_case(&p, "universe:\n"
                   "  app: { \"1\": { depends: [ \"lib 2\": { lib: [ \"2\" ] } ] }, \"2\": {} }\n"
                   "  lib: { \"1\": {}, \"2\": {} }\n"
                   "  other: { \"1\": { depends: [ \"lib 1\": { lib: [ \"1\" ] } ] } }\n"
                   "slots: per-name\n"
                   "request:\n"
                   "  - app: { app: [ \"1\", \"2\" ] }\n"
                   "  - other: { other: [ \"1\" ] }\n"
                   "solution: {}\n");
    /* other is forced, so lib 1 is, so lib 2 dies, so app 1 dies; app 2 stays */
    ck_assert(!p.contradiction);
    ck_assert(dead(&p, "lib", "2"));
    ck_assert(dead(&p, "app", "1"));
    ck_assert(!dead(&p, "app", "2"));
    ck_assert(!dead(&p, "lib", "1"));
    pruned_free(&p);

    prune_case(&p, "universe:\n"
                   "  app: { \"1\": {}, \"2\": {} }\n"
                   "slots: per-name\n"
                   "request:\n"
                   "  - app: { app: [ \"1\", \"2\" ] }\n"
                   "solution: {}\n");
    ck_assert(!dead(&p, "app", "1") && !dead(&p, "app", "2"));
    pruned_free(&p);
}
END_TEST

/* Conflicts with a forced package, both directions; a group that is not a slot; forbid atoms;
 * a conditional clause is left alone (its condition may not hold). */
START_TEST(conflicts_groups_forbids_and_conditions)
{
    pruned p;
    prune_case(&p, "universe:\n"
                   "  base: { \"1\": { conflicts: { legacy: [ \"1\" ] } } }\n"
                   "  legacy: { \"1\": {} }\n"
                   "  rival: { \"1\": { conflicts: { base: [ \"1\" ] } } }\n"
                   "  ssl-a: { \"1\": {} }\n"
                   "  ssl-b: { \"1\": {} }\n"
                   "  gone: { \"1\": {} }\n"
                   "  needs-gone: { \"1\": { depends: [ \"gone\": { gone: [ \"1\" ] } ] } }\n"
                   "  weak: { \"1\": { depends: [ { clause: \"gone if ssl-b\", if: { ssl-b: \"1\" },"
                   " providers: { gone: [ \"1\" ] } } ] } }\n"
                   "groups:\n"
                   "  - { group: \"links = ssl\", members: { ssl-a: [ \"1\" ], ssl-b: [ \"1\" ] } }\n"
                   "request:\n"
                   "  - base: { base: [ \"1\" ] }\n"
                   "  - ssl-a: { ssl-a: [ \"1\" ] }\n"
                   "  - { atom: \"remove gone\", forbid: { gone: [ \"1\" ] } }\n"
                   "  - \"legacy | rival | needs-gone | ssl-b | weak\":\n"
                   "      { legacy: [ \"1\" ], rival: [ \"1\" ], needs-gone: [ \"1\" ], ssl-b: [ \"1\" ], weak: [ \"1\" ] }\n"
                   "solution: {}\n");
    ck_assert(!p.contradiction);
    ck_assert(dead(&p, "legacy", "1"));      /* a forced package conflicts with it */
    ck_assert(dead(&p, "rival", "1"));       /* it conflicts with a forced package */
    ck_assert(dead(&p, "ssl-b", "1"));       /* a group mate of a forced package */
    ck_assert(dead(&p, "gone", "1"));        /* forbidden */
    ck_assert(dead(&p, "needs-gone", "1"));  /* its only provider is forbidden */
    ck_assert(!dead(&p, "weak", "1"));       /* conditional clauses are not propagated */
    ck_assert(!dead(&p, "base", "1") && !dead(&p, "ssl-a", "1"));
    pruned_free(&p);
}
END_TEST

/* Propagation alone proves some requests impossible; where the request leaves choices it
 * claims nothing. */
START_TEST(contradictions)
{
    pruned p;
    prune_case(&p, "universe:\n"
                   "  a: { \"1\": { depends: [ \"c 1\": { c: [ \"1\" ] } ] } }\n"
                   "  b: { \"1\": { depends: [ \"c 2\": { c: [ \"2\" ] } ] } }\n"
                   "  c: { \"1\": {}, \"2\": {} }\n"
                   "slots: per-name\n"
                   "request:\n  - a: { a: [ \"1\" ] }\n  - b: { b: [ \"1\" ] }\n"
                   "solution: {}\n");
    ck_assert(p.contradiction);
    pruned_free(&p);

    prune_case(&p, "universe:\n"
                   "  a: { \"1\": {} }\n"
                   "request:\n  - a: { a: [ \"1\" ] }\n  - { atom: \"remove a\", forbid: { a: [ \"1\" ] } }\n"
                   "solution: {}\n");
    ck_assert(p.contradiction);
    pruned_free(&p);

    /* choices everywhere (y 1 or 2, v 1 or 2, each excluding one of y's needs): nothing is
     * forced beyond the atoms, nothing dies, nothing is claimed */
    prune_case(&p, "universe:\n"
                   "  x: { \"1\": { depends: [ \"y\": { y: [ \"1\", \"2\" ] } ] } }\n"
                   "  y: { \"1\": { depends: [ \"z1\": { z1: [ \"1\" ] } ] }, \"2\": { depends: [ \"z2\": { z2: [ \"1\" ] } ] } }\n"
                   "  z1: { \"1\": {} }\n"
                   "  z2: { \"1\": {} }\n"
                   "  w: { \"1\": { depends: [ \"v\": { v: [ \"1\", \"2\" ] } ] } }\n"
                   "  v: { \"1\": { conflicts: { z1: [ \"1\" ] } }, \"2\": { conflicts: { z2: [ \"1\" ] } } }\n"
                   "slots: per-name\n"
                   "request:\n  - x: { x: [ \"1\" ] }\n  - w: { w: [ \"1\" ] }\n"
                   "solution: {}\n");
    ck_assert(!p.contradiction);
    ck_assert(!dead(&p, "y", "1") && !dead(&p, "y", "2") && !dead(&p, "v", "1") && !dead(&p, "v", "2"));
    pruned_free(&p);
}
END_TEST

Suite *prune_suite(void)
{
    Suite *s = suite_create("prune");
    TCase *tc = tcase_create("prune");
    tcase_add_test(tc, pinned_atom_prunes_through_slots_and_dependencies);
    tcase_add_test(tc, only_single_providers_force);
    tcase_add_test(tc, conflicts_groups_forbids_and_conditions);
    tcase_add_test(tc, contradictions);
    suite_add_tcase(s, tc);
    return s;
}
