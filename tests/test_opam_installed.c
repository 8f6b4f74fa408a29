/* test_opam_installed.c: opam install on a switch with packages installed, against opam 2.1.2's
 * own answers (tests/data/opam-installed, recorded by its record.sh on the 2026 snapshot): for
 * every case, vsolve's answer with the installed set as req->keep is opam's set, the criteria
 * vector (criteria_of, one function for both) is equal, opam's answer passes the checker, and
 * the removed / changed counts of opam's answer are the remove and install / upgrade / downgrade
 * lines of opam's own action list. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checker.h"
#include "criteria.h"
#include "opam_repo.h"
#include "solve.h"
#include "testutil.h"

#define DATA "tests/data/opam-installed/"

static void load_2026(vs_universe *u)
{
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    opam_vars vars;
    ck_assert_int_eq(opam_vars_init(&vars), VSOLVE_OK);
    opam_vars_set(&vars, "os", "linux");   /* the platform opam's answers were recorded on */
    opam_vars_set(&vars, "arch", "x86_64");
    opam_vars_set(&vars, "os-family", "debian");
    opam_vars_set(&vars, "os-distribution", "debian");
    opam_vars_set(&vars, "os-version", "12");
    vs_error err;
    vs_error_clear(&err);
    opam_load_stats stats;
    int rc = opam_load_repository(u, test_corpus_path("opam-repository-2026-08-22.tar.gz"), &vars, &stats, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    opam_vars_free(&vars);
}

/* The lines of a data file that are not empty or comments (malloc'd text, lines into it). */
static size_t read_lines(const char *file, char **text, char **lines, size_t max)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DATA, file);
    size_t len, n = 0;
    *text = test_read_file(test_source_path(path), &len);
    char *save = NULL;
    for (char *l = strtok_r(*text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (l[0] && l[0] != '#') {
            ck_assert_uint_lt(n, max);
            lines[n++] = l;
        }
    return n;
}

/* NAME.VERSION lines as package ids of u. */
static void to_ids(const vs_universe *u, char **lines, size_t n, u32_vec *out)
{
    for (size_t i = 0; i < n; i++) {
        char name[256];
        const char *dot = strchr(lines[i], '.');
        ck_assert_ptr_nonnull(dot);
        snprintf(name, sizeof name, "%.*s", (int)(dot - lines[i]), lines[i]);
        uint32_t nm = universe_find_name(u, name), first = 0, count = 0, found = VS_NONE;
        if (nm != VS_NONE)
            universe_name_pkgs(u, nm, &first, &count);
        for (uint32_t j = 0; j < count; j++)
            if (!strcmp(universe_pkg_version(u, first + j), dot + 1))
                found = first + j;
        ck_assert_msg(found != VS_NONE, "no package %s", lines[i]);
        ck_assert(vec_push(out, found));
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How many action lines of opam's list start with one of the words. */
static size_t count_actions(const char *file, const char *const *words, size_t n_words)
{
    char *text, *lines[256];
    size_t n = read_lines(file, &text, lines, 256), count = 0;
    for (size_t i = 0; i < n; i++) {
        char word[32] = "";
        if (sscanf(lines[i], " - %31s", word) != 1)
            continue;
        for (size_t w = 0; w < n_words; w++)
            count += !strcmp(word, words[w]);
    }
    free(text);
    return count;
}

static void run_case(vs_universe *u, const char *id, size_t *fresh_differs)
{
    char file[256], *req_text, *inst_text, *ans_text, *atoms[16], *inst[256], *ans[256], base[64] = "";
    snprintf(file, sizeof file, "%s.request", id);
    char path[512];
    size_t raw_len;
    snprintf(path, sizeof path, "%s%s", DATA, file);
    char *raw = test_read_file(test_source_path(path), &raw_len);
    ck_assert_int_eq(sscanf(raw, "# base: %63s", base), 1);
    free(raw);
    size_t n_atoms = read_lines(file, &req_text, atoms, 16);
    snprintf(file, sizeof file, "%s.installed", base);
    size_t n_inst = read_lines(file, &inst_text, inst, 256);
    snprintf(file, sizeof file, "%s.answer", id);
    size_t n_ans = read_lines(file, &ans_text, ans, 256);
    ck_assert_uint_gt(n_atoms, 0);
    ck_assert_uint_gt(n_inst, 0);

    vs_error err;
    vs_error_clear(&err);
    vs_request req, fresh;
    request_init(&req);
    request_init(&fresh);
    req.preference = fresh.preference = VS_PREFER_OPAM_CRITERIA;
    for (size_t i = 0; i < n_atoms; i++) {
        ck_assert_msg(opam_add_request_atom(u, &req, atoms[i], &err) == VSOLVE_OK, "%s", err.message);
        ck_assert_msg(opam_add_request_atom(u, &fresh, atoms[i], &err) == VSOLVE_OK, "%s", err.message);
    }
    to_ids(u, inst, n_inst, &req.keep);
    u32_vec theirs = { 0 };
    to_ids(u, ans, n_ans, &theirs);

    vs_solution s, s_fresh;
    solution_init(&s);
    solution_init(&s_fresh);
    ck_assert_msg(vs_solve(u, &req, &s) == VSOLVE_OK, "%s: %s", id, s.explanation ? s.explanation : "");
    char why[2048];
    ck_assert_msg(check_solution(u, &req, s.pkgs.items, s.pkgs.len, why, sizeof why) == 0, "%s: %s", id, why);
    ck_assert_msg(check_solution(u, &req, theirs.items, theirs.len, why, sizeof why) == 0, "%s: opam's: %s", id, why);

    /* the same set as opam's */
    char **ours = calloc(s.pkgs.len + 1, sizeof *ours);
    ck_assert_ptr_nonnull(ours);
    for (size_t i = 0; i < s.pkgs.len; i++) {
        const char *name = universe_str(u, u->names.items[u->pkgs.items[s.pkgs.items[i]].name].str);
        const char *ver = universe_pkg_version(u, s.pkgs.items[i]);
        ours[i] = malloc(strlen(name) + strlen(ver) + 2);
        ck_assert_ptr_nonnull(ours[i]);
        sprintf(ours[i], "%s.%s", name, ver);
    }
    qsort(ours, s.pkgs.len, sizeof *ours, cmp_str);
    qsort(ans, n_ans, sizeof *ans, cmp_str);
    for (size_t i = 0; i < s.pkgs.len || i < n_ans; i++)
        ck_assert_msg(i < s.pkgs.len && i < n_ans && !strcmp(ours[i], ans[i]), "%s: vsolve %s, opam %s", id,
                      i < s.pkgs.len ? ours[i] : "(none)", i < n_ans ? ans[i] : "(none)");

    /* one criteria function for both answers; opam's removed and changed are its actions */
    uint64_t c_ours[VS_CRIT_COUNT], c_theirs[VS_CRIT_COUNT];
    criteria_of(u, &req, s.pkgs.items, s.pkgs.len, c_ours);
    criteria_of(u, &req, theirs.items, theirs.len, c_theirs);
    char t1[160], t2[160];
    criteria_format(c_ours, t1, sizeof t1);
    criteria_format(c_theirs, t2, sizeof t2);
    ck_assert_msg(!memcmp(c_ours, c_theirs, sizeof c_ours), "%s: criteria %s, opam's %s", id, t1, t2);
    snprintf(file, sizeof file, "%s.actions", id);
    static const char *const removes[] = { "remove" }, *const changes[] = { "install", "upgrade", "downgrade", "remove" };
    ck_assert_uint_eq(c_theirs[VS_CRIT_REMOVED], count_actions(file, removes, 1));
    ck_assert_uint_eq(c_theirs[VS_CRIT_CHANGED], count_actions(file, changes, 4));

    /* the installed set matters: on a fresh switch the answer is another one */
    ck_assert_int_eq(vs_solve(u, &fresh, &s_fresh), VSOLVE_OK);
    *fresh_differs += s_fresh.pkgs.len != s.pkgs.len || memcmp(s_fresh.pkgs.items, s.pkgs.items, s.pkgs.len * sizeof *s.pkgs.items);
    printf("opam_installed: %s: %zu packages, criteria %s, as opam\n", id, s.pkgs.len, t1);

    for (size_t i = 0; i < s.pkgs.len; i++)
        free(ours[i]);
    free(ours);
    vec_free(&theirs);
    solution_free(&s);
    solution_free(&s_fresh);
    request_free(&req);
    request_free(&fresh);
    free(req_text);
    free(inst_text);
    free(ans_text);
}

START_TEST(opam_answers_with_installed_packages)
{
    if (!test_corpus_file("opam-repository-2026-08-22.tar.gz"))
        return;
    vs_universe u;
    load_2026(&u);
    DIR *d = opendir(test_source_path(DATA));
    ck_assert_ptr_nonnull(d);
    char *ids[64];
    size_t n = 0, fresh_differs = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 8 && !strcmp(e->d_name + len - 8, ".request")) {
            ck_assert_uint_lt(n, 64);
            ids[n] = strndup(e->d_name, len - 8);
            ck_assert_ptr_nonnull(ids[n++]);
        }
    }
    closedir(d);
    qsort(ids, n, sizeof *ids, cmp_str);
    ck_assert_uint_ge(n, 8);
    for (size_t i = 0; i < n; i++) {
        run_case(&u, ids[i], &fresh_differs);
        free(ids[i]);
    }
    ck_assert_uint_eq(fresh_differs, n);
    universe_free(&u);
}
END_TEST

Suite *opam_installed_suite(void)
{
    Suite *s = suite_create("opam_installed");
    TCase *tc = tcase_create("opam");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, opam_answers_with_installed_packages);
    suite_add_tcase(s, tc);
    return s;
}
