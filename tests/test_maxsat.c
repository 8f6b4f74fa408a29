/* test_maxsat.c: the exact minimiser (maxsat.c) against brute force on small random formulas,
 * two objectives in a row (lexicographic), maxsat_forced, and sat_propagate. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "maxsat.h"
#include "sat.h"
#include "vsolve.h"

enum { NV = 10, NCL = 14 };

typedef struct formula {
    int cl[NCL][3];
    int lits[2][NV];
    uint64_t w[2][NV];
    int implies[NV];   /* objective 0: lits[0][i] implies lits[0][implies[i]] (a clause), or -1 */
} formula;

/* A deterministic pseudo-random generator, so that a failure can be replayed. */
static uint32_t next(uint32_t *st)
{
    *st = *st * 1103515245u + 12345u;
    return (*st >> 8) & 0xffffff;
}

static int rand_lit(uint32_t *st)
{
    int v = (int)(next(st) % NV) + 1;
    return next(st) % 2 ? v : -v;
}

static int lit_true(int lit, unsigned m)
{
    int v = (m >> (abs(lit) - 1)) & 1;
    return lit > 0 ? v : !v;
}

static uint64_t cost(const formula *f, int k, unsigned m)
{
    uint64_t c = 0;
    for (int i = 0; i < NV; i++)
        c += lit_true(f->lits[k][i], m) ? f->w[k][i] : 0;
    return c;
}

static int holds(const formula *f, unsigned m)
{
    for (int c = 0; c < NCL; c++)
        if (!lit_true(f->cl[c][0], m) && !lit_true(f->cl[c][1], m) && !lit_true(f->cl[c][2], m))
            return 0;
    for (int i = 0; i < NV; i++)
        if (f->implies[i] >= 0 && lit_true(f->lits[0][i], m) && !lit_true(f->lits[0][f->implies[i]], m))
            return 0;
    return 1;
}

START_TEST(random_formulas_lexicographic)
{
    uint32_t st = 12345;
    int checked = 0;
    for (int round = 0; round < 300; round++) {
        formula f;
        for (int c = 0; c < NCL; c++)
            for (int j = 0; j < 3; j++)
                f.cl[c][j] = rand_lit(&st);
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < NV; i++) {
                f.lits[k][i] = rand_lit(&st);   /* literals may repeat: weights add up */
                f.w[k][i] = next(&st) % 4;
            }
        /* every other round, a chain of implications among objective 0's first penalties, as
         * optimum.c's version-lag chains, told to the minimiser (it trims cores with them) */
        for (int i = 0; i < NV; i++)
            f.implies[i] = round % 2 && i < 4 ? i + 1 : -1;
        /* brute force: the lexicographic optimum */
        uint64_t best[2] = { UINT64_MAX, UINT64_MAX };
        for (unsigned m = 0; m < (1u << NV); m++) {
            if (!holds(&f, m))
                continue;
            uint64_t c0 = cost(&f, 0, m), c1 = cost(&f, 1, m);
            if (c0 < best[0] || (c0 == best[0] && c1 < best[1]))
                best[0] = c0, best[1] = c1;
        }
        vs_error err;
        sat *s = sat_new(&err);
        ck_assert_ptr_nonnull(s);
        sat_add_vars(s, NV);
        for (int c = 0; c < NCL; c++)
            sat_add_clause(s, f.cl[c], 3);
        for (int i = 0; i < NV; i++)
            if (f.implies[i] >= 0) {
                int imp[2] = { -f.lits[0][i], f.lits[0][f.implies[i]] };
                sat_add_clause(s, imp, 2);
            }
        enum sat_answer a = sat_solve(s, NULL, 0);
        ck_assert_int_eq(a == SAT_SAT, best[0] != UINT64_MAX);
        if (a == SAT_SAT) {
            unsigned char model[NV];
            for (int k = 0; k < 2; k++) {
                uint64_t opt = 0;
                ck_assert_int_eq(maxsat_minimize(s, NULL, 0, f.lits[k], f.w[k], k == 0 ? f.implies : NULL, NV, &opt, model,
                                                 NV), VSOLVE_OK);
                ck_assert_msg(opt == best[k], "round %d objective %d: %llu, brute force %llu", round, k,
                              (unsigned long long)opt, (unsigned long long)best[k]);
                unsigned m = 0;
                for (int v = 0; v < NV; v++)
                    m |= (unsigned)model[v] << v;
                ck_assert(holds(&f, m));
                ck_assert_uint_eq(cost(&f, k, m), best[k]);
                if (k == 1)
                    ck_assert_uint_eq(cost(&f, 0, m), best[0]);
            }
            /* what is forced now: exactly the literals every lexicographically optimal model has;
             * every other round from the model maxsat_minimize left (have_model) */
            int lits[2 * NV];
            unsigned char forced[2 * NV];
            for (int v = 0; v < NV; v++)
                lits[2 * v] = v + 1, lits[2 * v + 1] = -(v + 1);
            ck_assert_int_eq(maxsat_forced(s, NULL, 0, lits, 2 * NV, forced, 1000, round & 1), VSOLVE_OK);
            for (int i = 0; i < 2 * NV; i++) {
                int in_all = 1;
                for (unsigned m = 0; m < (1u << NV) && in_all; m++)
                    if (holds(&f, m) && cost(&f, 0, m) == best[0] && cost(&f, 1, m) == best[1])
                        in_all = lit_true(lits[i], m);
                ck_assert_msg(forced[i] == in_all, "round %d: literal %d forced %d, brute force %d", round, lits[i],
                              forced[i], in_all);
            }
            checked++;
        }
        sat_free(s);
    }
    ck_assert_int_gt(checked, 100);
}
END_TEST

START_TEST(propagation)
{
    vs_error err;
    sat *s = sat_new(&err);
    sat_add_vars(s, 4);
    int c1[2] = { -1, 2 }, c2[3] = { -2, -3, 4 }, c3[1] = { 3 };
    sat_add_clause(s, c1, 2);
    sat_add_clause(s, c2, 3);
    sat_add_clause(s, c3, 1);
    signed char val[4];
    int a = 1;
    ck_assert_int_eq(sat_propagate(s, &a, 1, val), 0);
    ck_assert_int_eq(val[0], 1);
    ck_assert_int_eq(val[1], 1);
    ck_assert_int_eq(val[2], 1);
    ck_assert_int_eq(val[3], 1);
    int b[2] = { 1, -4 };
    ck_assert_int_eq(sat_propagate(s, b, 2, val), 1);   /* a conflict */
    ck_assert_int_eq(sat_propagate(s, NULL, 0, val), 0);
    ck_assert_int_eq(val[0], 0);
    ck_assert_int_eq(val[2], 1);
    sat_free(s);
}
END_TEST

Suite *maxsat_suite(void)
{
    Suite *s = suite_create("maxsat");
    TCase *tc = tcase_create("maxsat");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_formulas_lexicographic);
    tcase_add_test(tc, propagation);
    suite_add_tcase(s, tc);
    return s;
}
