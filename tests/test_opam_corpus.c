/* test_opam_corpus.c: every shared opam request on its real repository snapshot: the answer's
 * satisfiability matches `expect`, the checker accepts every solution, requested packages are
 * at least as new as in opam's own answer; opam's criteria (criteria.h) of vsolve's answer equal those of
 * opam's answer, and the sets are equal; the newest-first order is checked and no better. Each
 * request is also solved on the snapshot's cache, read afresh, with only the clause chunks its
 * cone reaches and without its attributes: the answer (or the explanation) must be the same. A refusal must name a minimal
 * clash of the request's atoms, checked by solving them alone and with each left out. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cache.h"
#include "checker.h"
#include "criteria.h"
#include "json.h"
#include "opam_fixes.h"
#include "opam_repo.h"
#include "opam_version.h"
#include "solve.h"
#include "testutil.h"

typedef struct snapshot {
    const char *file;
    vs_universe u;
    int loaded;
    char cache[64];   /* the universe written as a cache file */
} snapshot;

static void load_snapshot(snapshot *s, const char *file)
{
    s->file = file;
    ck_assert_int_eq(universe_init(&s->u), VSOLVE_OK);
    opam_vars vars;
    ck_assert_int_eq(opam_vars_init(&vars), VSOLVE_OK);
    /* the platform the shared CUDF dumps and opam answers were made on */
    opam_vars_set(&vars, "os", "linux");
    opam_vars_set(&vars, "arch", "x86_64");
    opam_vars_set(&vars, "os-family", "debian");
    opam_vars_set(&vars, "os-distribution", "debian");
    opam_vars_set(&vars, "os-version", "12");
    vs_error err;
    vs_error_clear(&err);
    opam_load_stats stats;
    int rc = opam_load_repository(&s->u, test_corpus_path(file), &vars, &stats, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_gt(stats.packages, 10000);
    opam_vars_free(&vars);
    s->loaded = 1;
    snprintf(s->cache, sizeof s->cache, "/tmp/vsolve-test-%ld-%p.vsc", (long)getpid(), (void *)s);
    cache_key key = { 1, 2 };
    ck_assert_int_eq(cache_write(s->cache, &s->u, &key, &err), VSOLVE_OK);
}

/* Solves request q on a fresh lazy read of s's cache: same status, packages and explanation as
 * `full`, and not every chunk read. */
static void assert_same_from_cache(snapshot *s, const char *id, const json_value *q, const vs_solution *full)
{
    vs_universe v;
    universe_init(&v);
    vs_error err;
    vs_error_clear(&err);
    cache_key key = { 1, 2 };
    ck_assert_int_eq(cache_read(s->cache, &v, &key, opam_version_compare, &err), VSOLVE_OK);
    vs_request request;
    const vs_request *req = &request;
    request_init(&request);
    request.preference = VS_PREFER_OPAM_CRITERIA;
    const json_value *atoms = json_get(q, "atoms");
    ck_assert_int_eq(opam_add_request_atom(&v, &request, json_get(q, "compiler")->str, &err), VSOLVE_OK);
    for (size_t i = 0; i < atoms->n; i++)
        ck_assert_int_eq(opam_add_request_atom(&v, &request, atoms->items[i]->str, &err), VSOLVE_OK);
    ck_assert_int_eq(request_need_clauses(&v, req, &err), VSOLVE_OK);
    size_t read = 0;
    for (uint32_t c = 0; c < v.pending->n_chunks; c++)
        read += v.pending->loaded[c];
    ck_assert_msg(read < v.pending->n_chunks, "%s: the cone read every chunk", id);
    vs_solution lazy;
    solution_init(&lazy);
    int rc = vs_solve(&v, req, &lazy);
    ck_assert_msg(rc == full->status, "%s: from the cache: status %d, not %d", id, rc, full->status);
    ck_assert_uint_eq(lazy.pkgs.len, full->pkgs.len);
    if (full->pkgs.len)
        ck_assert_msg(memcmp(lazy.pkgs.items, full->pkgs.items, full->pkgs.len * sizeof *full->pkgs.items) == 0,
                      "%s: from the cache: another answer", id);
    ck_assert_str_eq(lazy.explanation ? lazy.explanation : "", full->explanation ? full->explanation : "");
    /* a solve (or a refusal) never reads the attributes: they stay in the file */
    ck_assert_msg(attrs_pending(&v.attrs) && v.attrs.items.len == 0, "%s: the solve read the attributes", id);
    solution_free(&lazy);
    request_free(&request);
    universe_free(&v);
}

/* Reads opam's answer (NAME.VERSION lines) into a malloc'd array of strings; NULL if absent. */
static char **read_answer(const char *id, size_t *n)
{
    char rel[512];
    snprintf(rel, sizeof rel, "opam/results/solutions/%s/builtin-mccs+glpk.txt", id);
    const char *path = test_peers_path(rel);
    if (!path)
        return NULL;
    size_t len;
    char *text = test_read_file(path, &len);
    size_t cap = 16, count = 0;
    char **lines = malloc(cap * sizeof *lines);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (count == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[count++] = strdup(line);
    }
    free(text);
    *n = count;
    return lines;
}

/* The version opam chose for name (or NULL). Package names contain no dot. */
static const char *answer_version(char **lines, size_t n, const char *name)
{
    size_t l = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncmp(lines[i], name, l) == 0 && lines[i][l] == '.')
            return lines[i] + l + 1;
    return NULL;
}

/* The requirements a refusal names (the lines "  - ATOM (...)" under its first line) must be a
 * minimal clash: unsatisfiable together, satisfiable with any one of them left out. */
static void assert_minimal_clash(vs_universe *u, const char *id, const vs_request *req, const char *explanation)
{
    const char *list = strstr(explanation, "cannot hold together:\n");
    if (!list)
        list = strstr(explanation, "together with its dependencies:\n");
    ck_assert_msg(list != NULL, "%s: no requirements named: %s", id, explanation);
    list = strchr(list, '\n') + 1;
    size_t named[64], n = 0;
    for (const char *line = list; strncmp(line, "  - ", 4) == 0; line = strchr(line, '\n') + 1) {
        size_t found = SIZE_MAX;
        for (size_t i = 0; i < req->atoms.len && found == SIZE_MAX; i++) {
            const char *desc = universe_str(u, req->atoms.items[i].desc);
            size_t dl = strlen(desc);
            if (strncmp(line + 4, desc, dl) == 0 && strncmp(line + 4 + dl, " (", 2) == 0)
                found = i;
        }
        ck_assert_msg(found != SIZE_MAX && n < 64, "%s: not a requested atom: %.60s", id, line);
        named[n++] = found;
    }
    ck_assert_msg(n > 0, "%s: no requirements named: %s", id, explanation);
    for (size_t left_out = 0; left_out <= n; left_out++) {   /* n: none left out */
        vs_request sub;
        request_init(&sub);
        for (size_t k = 0; k < n; k++) {
            const vs_atom *a = &req->atoms.items[named[k]];
            if (k != left_out)
                ck_assert_int_eq(request_add_atom(&sub, a->desc, a->name, vec_at(&req->ids, a->first), a->count), VSOLVE_OK);
        }
        vs_solution s;
        solution_init(&s);
        int rc = vs_solve(u, &sub, &s);
        if (left_out == n)
            ck_assert_msg(rc == VSOLVE_UNSAT, "%s: the %zu requirements named hold together", id, n);
        else
            ck_assert_msg(rc == VSOLVE_OK, "%s: the clash is not minimal: without %s it remains", id,
                          universe_str(u, req->atoms.items[named[left_out]].desc));
        solution_free(&s);
        request_free(&sub);
    }
}

/* The fixes of a refusal (opam_fixes.h): at least one, and each, applied to the atoms as given,
 * makes a request that solves (checked here again, independently of the fix search). */
static void assert_fixes_solve(vs_universe *u, const char *id, const json_value *q, const vs_solution *refusal)
{
    const json_value *atoms = json_get(q, "atoms");
    size_t n = atoms->n + 1;
    const char **list = malloc(n * sizeof *list);
    list[0] = json_get(q, "compiler")->str;
    for (size_t i = 0; i < atoms->n; i++)
        list[i + 1] = atoms->items[i]->str;
    opam_fixes fixes;
    ck_assert_int_eq(opam_find_fixes(u, list, n, refusal, 4, 0, &fixes), VSOLVE_OK);
    ck_assert_msg(fixes.len > 0, "%s: no fix found", id);
    for (size_t f = 0; f < fixes.len; f++) {
        vs_request req;
        vs_error err;
        vs_error_clear(&err);
        request_init(&req);
        size_t edited = 0;
        unsigned char done[2] = { 0, 0 };
        for (size_t i = 0; i < n; i++) {
            const char *atom = list[i];
            int skip = 0;
            for (size_t k = 0; k < fixes.items[f].n; k++)
                if (!done[k] && !strcmp(atom, fixes.items[f].old[k])) {
                    done[k] = 1;
                    edited++;
                    atom = fixes.items[f].replacement[k];
                    skip = atom == NULL;
                    break;
                }
            if (!skip)
                ck_assert_int_eq(opam_add_request_atom(u, &req, atom, &err), VSOLVE_OK);
        }
        ck_assert_uint_eq(edited, fixes.items[f].n);
        vs_solution s;
        solution_init(&s);
        ck_assert_msg(vs_solve(u, &req, &s) == VSOLVE_OK, "%s: the fix \"%s\" does not solve", id, fixes.items[f].text);
        printf("opam-fix %s: %s\n", id, fixes.items[f].text);
        solution_free(&s);
        request_free(&req);
    }
    opam_fixes_free(&fixes);
    free(list);
}

START_TEST(shared_requests)
{
    const char *req_path = test_corpus_path("requests.json");
    if (!req_path)
        return;
    size_t len;
    char *text = test_read_file(req_path, &len);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    json_value *requests = json_parse(&a, req_path, text, len, &err);
    ck_assert_msg(requests != NULL, "%s", err.message);
    ck_assert_int_eq(requests->kind, JSON_ARRAY);
    ck_assert_uint_ge(requests->n, 50);

    snapshot snaps[4] = { 0 };
    size_t n_snaps = 0, same = 0, compared = 0, differing = 0, greedy_same = 0;
    for (size_t r = 0; r < requests->n; r++) {
        const json_value *q = requests->items[r];
        const char *id = json_get(q, "id")->str;
        const char *file = json_get(q, "snapshot")->str;
        const char *expect = json_get(q, "expect")->str;
        snapshot *snap = NULL;
        for (size_t i = 0; i < n_snaps; i++)
            if (!strcmp(snaps[i].file, file))
                snap = &snaps[i];
        if (!snap) {
            ck_assert_uint_lt(n_snaps, 4);
            snap = &snaps[n_snaps++];
            load_snapshot(snap, file);
        }
        vs_request req;
        request_init(&req);
        req.preference = VS_PREFER_OPAM_CRITERIA;
        const json_value *atoms = json_get(q, "atoms");
        ck_assert_int_eq(opam_add_request_atom(&snap->u, &req, json_get(q, "compiler")->str, &err), VSOLVE_OK);
        for (size_t i = 0; i < atoms->n; i++)
            ck_assert_msg(opam_add_request_atom(&snap->u, &req, atoms->items[i]->str, &err) == VSOLVE_OK, "%s", err.message);

        vs_solution s;
        solution_init(&s);
        int rc = vs_solve(&snap->u, &req, &s);
        ck_assert_msg(rc == (strcmp(expect, "sat") == 0 ? VSOLVE_OK : VSOLVE_UNSAT),
                      "%s: expected %s, got status %d\n%s", id, expect, rc, s.explanation ? s.explanation : "");
        if (rc == VSOLVE_OK) {
            char why[2048];
            ck_assert_msg(check_solution(&snap->u, &req, s.pkgs.items, s.pkgs.len, why, sizeof why) == 0,
                          "%s: the checker rejects vsolve's answer: %s", id, why);
            vs_graph g;   /* the solution graph, re-checked edge by edge */
            ck_assert_int_eq(graph_build(&g, &snap->u, &req, &s, NULL), VSOLVE_OK);
            ck_assert_uint_gt(test_check_graph(&snap->u, &req, &s, NULL, &g), s.pkgs.len / 2);
            graph_free(&g);
        } else {
            ck_assert_msg(strstr(s.explanation, "cannot") != NULL, "%s: %s", id, s.explanation);
            assert_minimal_clash(&snap->u, id, &req, s.explanation);
            assert_fixes_solve(&snap->u, id, q, &s);
        }
        assert_same_from_cache(snap, id, q, &s);

        size_t n_ref = 0;
        char **ref = rc == VSOLVE_OK ? read_answer(id, &n_ref) : NULL;
        if (ref) {
            compared++;
            /* opam's own answer must pass vsolve's checker: the universe means what opam means */
            u32_vec opam_ids = { 0 };
            for (size_t i = 0; i < n_ref; i++) {
                char name[256];
                const char *dot = strchr(ref[i], '.');
                ck_assert_ptr_nonnull(dot);
                snprintf(name, sizeof name, "%.*s", (int)(dot - ref[i]), ref[i]);
                uint32_t nm = universe_find_name(&snap->u, name), first, count, found = VS_NONE;
                ck_assert_msg(nm != VS_NONE, "%s: opam chose unknown %s", id, ref[i]);
                universe_name_pkgs(&snap->u, nm, &first, &count);
                for (uint32_t j = 0; j < count; j++)
                    if (!strcmp(universe_pkg_version(&snap->u, first + j), dot + 1))
                        found = first + j;
                ck_assert_msg(found != VS_NONE, "%s: opam chose unknown %s", id, ref[i]);
                vec_push(&opam_ids, found);
            }
            char why_theirs[2048];
            ck_assert_msg(check_solution(&snap->u, &req, opam_ids.items, opam_ids.len, why_theirs, sizeof why_theirs) == 0,
                          "%s: vsolve's checker rejects opam's answer: %s", id, why_theirs);
            /* the criteria opam minimises: vsolve's answer is as good as opam's, and no better */
            uint64_t ours[VS_CRIT_COUNT], theirs_c[VS_CRIT_COUNT];
            criteria_of(&snap->u, &req, s.pkgs.items, s.pkgs.len, ours);
            criteria_of(&snap->u, &req, opam_ids.items, opam_ids.len, theirs_c);
            char ours_text[160], theirs_text[160];
            criteria_format(ours, ours_text, sizeof ours_text);
            criteria_format(theirs_c, theirs_text, sizeof theirs_text);
            ck_assert_msg(memcmp(ours, theirs_c, sizeof ours) == 0, "%s: criteria %s, opam's answer %s", id, ours_text,
                          theirs_text);
            /* the greedy newest-first order (--preference newest-first) still answers, and is no
             * better on opam's criteria, taken lexicographically */
            req.preference = VS_PREFER_NEWEST_FIRST;
            vs_solution greedy;
            solution_init(&greedy);
            ck_assert_int_eq(vs_solve(&snap->u, &req, &greedy), VSOLVE_OK);
            ck_assert_msg(check_solution(&snap->u, &req, greedy.pkgs.items, greedy.pkgs.len, why_theirs, sizeof why_theirs) == 0,
                          "%s: newest-first: %s", id, why_theirs);
            uint64_t g[VS_CRIT_COUNT];
            criteria_of(&snap->u, &req, greedy.pkgs.items, greedy.pkgs.len, g);
            int crit = 0;
            while (crit < VS_CRIT_COUNT && g[crit] == ours[crit])
                crit++;
            ck_assert_msg(crit == VS_CRIT_COUNT || g[crit] > ours[crit], "%s: newest-first is better on criterion %d", id, crit);
            greedy_same += crit == VS_CRIT_COUNT;
            solution_free(&greedy);
            req.preference = VS_PREFER_OPAM_CRITERIA;
            vec_free(&opam_ids);
            /* requested packages: at least as new as opam's choice */
            for (size_t i = 0; i < req.atoms.len; i++) {
                uint32_t name = req.atoms.items[i].name;
                const char *nm = universe_str(&snap->u, snap->u.names.items[name].str);
                const char *theirs = answer_version(ref, n_ref, nm);
                for (size_t k = 0; k < s.pkgs.len && theirs; k++)
                    if (snap->u.pkgs.items[s.pkgs.items[k]].name == name)
                        ck_assert_msg(opam_version_compare(universe_pkg_version(&snap->u, s.pkgs.items[k]), theirs) >= 0,
                                      "%s: requested %s is %s, older than opam's %s", id, nm,
                                      universe_pkg_version(&snap->u, s.pkgs.items[k]), theirs);
            }
            /* the whole solution: report how it differs */
            size_t newer = 0, older = 0, only_ours = 0, matched = 0;
            for (size_t k = 0; k < s.pkgs.len; k++) {
                const char *nm = universe_pkg_name(&snap->u, s.pkgs.items[k]);
                const char *theirs = answer_version(ref, n_ref, nm);
                if (!theirs) {
                    only_ours++;
                    continue;
                }
                matched++;
                int c = opam_version_compare(universe_pkg_version(&snap->u, s.pkgs.items[k]), theirs);
                newer += c > 0;
                older += c < 0;
            }
            size_t only_theirs = n_ref - matched;
            if (!newer && !older && !only_ours && !only_theirs)
                same++;
            else {
                differing++;
                printf("opam-compare %s: vsolve %zu packages, opam %zu; %zu newer, %zu older, %zu only in vsolve, %zu only in opam\n",
                       id, s.pkgs.len, n_ref, newer, older, only_ours, only_theirs);
            }
            for (size_t i = 0; i < n_ref; i++)
                free(ref[i]);
            free(ref);
        }
        solution_free(&s);
        request_free(&req);
    }
    printf("opam-compare: %zu of %zu satisfiable requests give exactly opam's answer; %zu differ (see above); "
           "newest-first meets opam's criteria on %zu\n", same, compared, differing, greedy_same);
    /* opam's criteria, minimised exactly, give opam's own set: no tie among the shared requests
     * (a tie would be listed here, with the canonical tie-break's choice) */
    ck_assert_uint_eq(differing, 0);
    if (compared)
        ck_assert_uint_ge(compared, 54);
    for (size_t i = 0; i < n_snaps; i++) {
        universe_free(&snaps[i].u);
        remove(snaps[i].cache);
    }
    arena_free(&a);
    free(text);
}
END_TEST

Suite *opam_corpus_suite(void)
{
    Suite *s = suite_create("opam_corpus");
    TCase *tc = tcase_create("requests");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, shared_requests);
    suite_add_tcase(s, tc);
    return s;
}
