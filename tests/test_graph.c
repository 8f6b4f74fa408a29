/* test_graph.c: the solution graph on a small universe built by hand: the newest of several
 * chosen providers, conditional clauses, root variants, virtual packages folded into their
 * owner, self edges left out, and a non-solution refused. */
#include <check.h>
#include <string.h>
#include "graph.h"
#include "testutil.h"

/* Packages after sorting (strcmp on names, then versions): */
enum { A1, AF, B1, B2, C1, D1, N_PKGS };

static void build(vs_universe *u)
{
    static const char *const names[N_PKGS] = { "a", "a#f", "b", "b", "c", "d" };
    static const char *const versions[N_PKGS] = { "1", "1", "1", "2", "1", "1" };
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    for (int i = N_PKGS - 1; i >= 0; i--)   /* added out of order: sorting gives the ids above */
        ck_assert_int_eq(universe_add_package(u, universe_intern(u, names[i], strlen(names[i])),
                                              universe_intern(u, versions[i], 1), i == AF ? VS_PKG_VIRTUAL : 0, NULL),
                         VSOLVE_OK);
    ck_assert_int_eq(universe_sort(u, strcmp), VSOLVE_OK);
    for (int i = 0; i < N_PKGS; i++) {
        ck_assert_str_eq(universe_pkg_name(u, (uint32_t)i), names[i]);
        ck_assert_str_eq(universe_pkg_version(u, (uint32_t)i), versions[i]);
    }
    uint32_t desc = universe_intern(u, "x", 1);
    uint32_t bs[] = { B1, B2 }, c[] = { C1 }, a[] = { A1 }, d[] = { D1 };
    ck_assert_int_eq(universe_add_clause(u, A1, desc, bs, 2), VSOLVE_OK);            /* a needs b (both chosen) */
    ck_assert_int_eq(universe_add_root_clause(u, A1, desc, bs, 2), VSOLVE_OK);       /* requested: b and d */
    ck_assert_int_eq(universe_add_root_clause(u, A1, desc, d, 1), VSOLVE_OK);
    u->pkgs.items[A1].flags |= VS_PKG_ROOT_VARIANT;
    ck_assert_int_eq(universe_add_clause(u, AF, desc, a, 1), VSOLVE_OK);             /* the feature needs its owner */
    ck_assert_int_eq(universe_add_clause(u, AF, desc, c, 1), VSOLVE_OK);             /* and c */
    ck_assert_int_eq(universe_add_clause_if(u, B1, D1, desc, c, 1), VSOLVE_OK);      /* b1 needs c when d is in */
    ck_assert_int_eq(universe_add_clause_if(u, B2, D1, desc, d, 1), VSOLVE_OK);      /* b2 needs d when d is in */
}

static void solution(vs_solution *s, const uint32_t *pkgs, size_t n)
{
    solution_init(s);
    for (size_t i = 0; i < n; i++) {
        ck_assert(vec_push(&s->pkgs, pkgs[i]));
        ck_assert(vec_push(&s->pulled_by, VS_NONE));
        ck_assert(vec_push(&s->pulled_by_atom, VS_NONE));
    }
}

static size_t deps_of(const vs_graph *g, uint32_t node, uint32_t *out)
{
    const uint32_t *d;
    size_t n = graph_deps(g, node, &d);
    for (size_t i = 0; i < n; i++)
        out[i] = g->pkg[d[i]];
    return n;
}

START_TEST(small_universe)
{
    vs_universe u;
    build(&u);
    uint32_t owner[N_PKGS] = { VS_NONE, A1, VS_NONE, VS_NONE, VS_NONE, VS_NONE };
    vs_request none, req_a;
    request_init(&none);
    request_init(&req_a);
    uint32_t a = A1;
    ck_assert_int_eq(request_add_atom(&req_a, 0, u.pkgs.items[A1].name, &a, 1), VSOLVE_OK);

    /* everything but d: a's ordinary clause, its feature's c folded into a, b1's clause off */
    uint32_t chosen[] = { A1, AF, B1, B2, C1 };
    vs_solution s;
    solution(&s, chosen, 5);
    vs_graph g;
    ck_assert_int_eq(graph_build(&g, &u, &none, &s, owner), VSOLVE_OK);
    ck_assert_uint_eq(g.n_nodes, 4);   /* the virtual a#f is no node */
    ck_assert_uint_eq(g.node_of_pkg[AF], VS_NONE);
    uint32_t d[8];
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[A1], d), 2);
    ck_assert_uint_eq(d[0], B2);       /* the newest chosen b */
    ck_assert_uint_eq(d[1], C1);       /* through a#f */
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[B1], d), 0);   /* its condition d is not chosen */
    test_check_graph(&u, &none, &s, owner, &g);
    graph_free(&g);
    /* without owners the feature is nobody's: a's edges are its own clause only */
    ck_assert_int_eq(graph_build(&g, &u, &none, &s, NULL), VSOLVE_OK);
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[A1], d), 1);
    ck_assert_uint_eq(d[0], B2);
    test_check_graph(&u, &none, &s, NULL, &g);
    graph_free(&g);
    solution_free(&s);

    /* everything, a requested: its root variant (b and d); b1 and b2's conditional clauses on */
    uint32_t all[] = { A1, AF, B1, B2, C1, D1 };
    solution(&s, all, 6);
    ck_assert_int_eq(graph_build(&g, &u, &req_a, &s, owner), VSOLVE_OK);
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[A1], d), 3);
    ck_assert_uint_eq(d[0], B2);
    ck_assert_uint_eq(d[1], C1);
    ck_assert_uint_eq(d[2], D1);
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[B1], d), 1);
    ck_assert_uint_eq(d[0], C1);
    /* b2's clause asks d of d's own condition: a constraint on d, no edge (cargo's features of
     * whichever matching version is installed) */
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[B2], d), 0);
    ck_assert_uint_eq(deps_of(&g, g.node_of_pkg[D1], d), 0);
    const vs_graph_edge *e;
    ck_assert_uint_eq(graph_edges(&g, g.node_of_pkg[A1], &e), 3);   /* a->a (the feature's) left out */
    ck_assert_int_eq(graph_set_path(&g, 0, "node_modules/a"), VSOLVE_OK);
    ck_assert_str_eq(g.paths[0], "node_modules/a");
    test_check_graph(&u, &req_a, &s, owner, &g);
    graph_free(&g);
    solution_free(&s);

    /* a without any b: a clause with no chosen provider is no solution */
    uint32_t broken[] = { A1, C1 };
    solution(&s, broken, 2);
    ck_assert_int_eq(graph_build(&g, &u, &none, &s, owner), VSOLVE_EUSAGE);
    ck_assert_uint_eq(g.n_nodes, 0);
    graph_free(&g);
    solution_free(&s);
    request_free(&none);
    request_free(&req_a);
    universe_free(&u);
}
END_TEST

Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, small_universe);
    suite_add_tcase(s, tc);
    return s;
}
