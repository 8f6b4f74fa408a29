/* test_cargo.c: the cargo adapter against cargo itself: every shared project (the synthetic
 * index and the real 2019 crates.io index) gets a Cargo.lock identical to the one cargo 1.95
 * wrote, every answer passes the checker, and the projects cargo refuses are refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cargo_explain.h"
#include "cargo_git.h"
#include "cargo_lock.h"
#include "cargo_resolve.h"
#include "checker.h"
#include "greedy.h"
#include "repo_source.h"
#include "testutil.h"
#include "vsolve.h"

/* What pulls each refused project down, as cargo's error names it. */
static const char *const refusal_names[][2] = {
    { "unsat-links", "libsqlite3-sys" },
    { "unsat-prerelease", "tokio" },
    { "unsat-ring-links", "ring" },
    { "links-conflict", "libsqlite3-sys" },
};

/* The fast path (greedy.h) on pb: 1 if it answered, and then its answer is sat's (the SAT
 * path's), package for package, with the same reasons. */
static int fast_path_agrees(cargo_problem *pb, const vs_solution *sat, const char *name)
{
    uint32_t *owner;
    ck_assert_int_eq(cargo_owner_map(pb, &owner), VSOLVE_OK);
    vs_solution f;
    solution_init(&f);
    int answered = -1;
    ck_assert_int_eq(greedy_solve(&pb->u, &pb->req, owner, &f, &answered), VSOLVE_OK);
    free(owner);
    if (answered) {
        ck_assert_msg(sat->status == VSOLVE_OK, "%s: the fast path answers what the solver refuses", name);
        ck_assert_int_eq(f.status, VSOLVE_OK);
        ck_assert_msg(f.pkgs.len == sat->pkgs.len, "%s: fast path %zu packages, solver %zu", name, f.pkgs.len, sat->pkgs.len);
        for (size_t i = 0; i < f.pkgs.len; i++) {
            ck_assert_msg(f.pkgs.items[i] == sat->pkgs.items[i], "%s: fast path %s %s, solver %s %s", name,
                          universe_pkg_name(&pb->u, f.pkgs.items[i]), universe_pkg_version(&pb->u, f.pkgs.items[i]),
                          universe_pkg_name(&pb->u, sat->pkgs.items[i]), universe_pkg_version(&pb->u, sat->pkgs.items[i]));
            ck_assert_uint_eq(f.pulled_by.items[i], sat->pulled_by.items[i]);
            ck_assert_uint_eq(f.pulled_by_atom.items[i], sat->pulled_by_atom.items[i]);
        }
    } else {
        ck_assert_int_eq(answered, 0);
        ck_assert_uint_eq(f.pkgs.len, 0);
    }
    solution_free(&f);
    return answered;
}

/* The solution as text, for comparing answers across universes: "name version <- by" lines. */
static char *solution_text(const vs_universe *u, const vs_solution *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    for (size_t i = 0; i < s->pkgs.len; i++) {
        uint32_t p = s->pkgs.items[i], by = s->pulled_by.items[i];
        fprintf(out, "%s %s <- ", universe_pkg_name(u, p), universe_pkg_version(u, p));
        if (by != VS_NONE)
            fprintf(out, "%s %s\n", universe_pkg_name(u, by), universe_pkg_version(u, by));
        else
            fprintf(out, "atom %u\n", s->pulled_by_atom.items[i]);
    }
    fclose(out);
    return text;
}

/* The Cargo.lock of solution s of pb. */
static char *lock_text(cargo_problem *pb, const vs_solution *s)
{
    uint32_t *owner;
    ck_assert_int_eq(cargo_owner_map(pb, &owner), VSOLVE_OK);
    vs_graph g;
    ck_assert_int_eq(graph_build(&g, &pb->u, &pb->req, s, owner), VSOLVE_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_int_eq(cargo_lock_write(out, &pb->u, &g, "@CRATES_IO_INDEX@"), VSOLVE_OK);
    fclose(out);
    graph_free(&g);
    free(owner);
    return text;
}

/* m's problem built greedily (cargo_options.greedy, no lock; with pins, those versions passed
 * over): 1 if the fast path answers it, and then its answer is sat, the SAT path's on the whole
 * problem full: the same packages, reasons and Cargo.lock; 0 if it gives up. *found: without
 * pins, where it stops at a links clash (*stopped, the two versions in clash), the root's pins
 * (from mem), as api_cargo.c finds them. */
static int greedy_round_agrees(cargo_index *ix, const cargo_manifest *m, const cargo_options *opt, const cargo_pins *pins,
                               cargo_problem *full, const vs_solution *sat, const char *name, arena *mem, cargo_pins *found,
                               int *stopped, const cargo_version **clash)
{
    cargo_options gopt = *opt;
    gopt.greedy = 1;
    gopt.pins = pins;
    cargo_problem pb;
    vs_error err;
    vs_error_clear(&err);
    vs_solution f;
    solution_init(&f);
    int answered = 0;
    if (cargo_problem_build(&pb, ix, m, NULL, 0, &gopt, &err) == VSOLVE_OK && !pb.greedy_gave_up) {
        ck_assert_uint_le(pb.u.pkgs.len, full->u.pkgs.len);
        uint32_t *owner;
        ck_assert_int_eq(cargo_owner_map(&pb, &owner), VSOLVE_OK);
        ck_assert_int_eq(greedy_solve(&pb.u, &pb.req, owner, &f, &answered), VSOLVE_OK);
        free(owner);
    }
    if (!pb.greedy) {   /* not a plain package: the whole problem */
        ck_assert_uint_eq(pb.u.pkgs.len, full->u.pkgs.len);
        answered = 0;
    }
    if (answered) {
        ck_assert_msg(sat->status == VSOLVE_OK, "%s: the greedy build answers what the solver refuses", name);
        char *a = solution_text(&pb.u, &f), *b = solution_text(&full->u, sat);
        ck_assert_msg(!strcmp(a, b), "%s: greedy build\n%s\nsolver\n%s", name, a, b);
        free(a);
        free(b);
        a = lock_text(&pb, &f);
        b = lock_text(full, sat);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        printf("cargo-compare %s: the greedy build%s answers with %zu of the %zu packages\n", name,
               pins ? " with pins" : "", pb.u.pkgs.len, full->u.pkgs.len);
    }
    *stopped = pb.links_clash;
    clash[0] = pb.clash_versions[0];
    clash[1] = pb.clash_versions[1];
    if (!pins && pb.links_clash)
        ck_assert_int_eq(cargo_pins_find(mem, ix, m->deps, m->n_deps, pb.links_crates, pb.n_links_crates, pb.links_ways,
                                         pb.n_links_ways, found, &err), VSOLVE_OK);
    solution_free(&f);
    cargo_problem_free(&pb);
    return answered;
}

/* greedy_round_agrees, and where a links value is shared and the first round stops at it, again
 * with the root's pins; when the pins found up to the clash leave both versions alive, after a
 * first round to the end (as api_cargo.c's greedy_rounds). */
static int greedy_build_agrees(cargo_index *ix, const cargo_manifest *m, const cargo_options *opt, cargo_problem *full,
                               const vs_solution *sat, const char *name)
{
    arena mem;
    arena_init(&mem);
    cargo_pins pins = { 0 };
    int stopped = 0;
    const cargo_version *clash[2] = { NULL, NULL };
    cargo_options first = *opt;
    first.stop_at_clash = 1;
    int answered = greedy_round_agrees(ix, m, &first, NULL, full, sat, name, &mem, &pins, &stopped, clash);
    if (stopped && !pins.contradiction && !cargo_pins_dead(&pins, ix, clash[0]) && !cargo_pins_dead(&pins, ix, clash[1]))
        answered = greedy_round_agrees(ix, m, opt, NULL, full, sat, name, &mem, &pins, &stopped, clash);
    if (stopped && !pins.contradiction)
        answered = greedy_round_agrees(ix, m, opt, &pins, full, sat, name, &mem, NULL, &stopped, clash);
    arena_free(&mem);
    return answered;
}

/* Resolves one project directory (git dependencies from the "URL=PATH" checkouts) and compares
 * with cargo's answer; so do the fast path and the greedy build when they answer (fast[0] and
 * fast[1] count them; fast may be NULL). Returns 1 if identical. */
static int check_project_fast(cargo_index *ix, const char *dir, const char *name, int *refused,
                              const char *const *checkouts, size_t n_checkouts, size_t *fast)
{
    char manifest_path[4096], lock_path[4096], error_path[4096];
    snprintf(manifest_path, sizeof manifest_path, "%s/Cargo.toml", dir);
    snprintf(lock_path, sizeof lock_path, "%s/Cargo.lock", dir);
    snprintf(error_path, sizeof error_path, "%s/error.txt", dir);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    cargo_manifest m;
    ck_assert_msg(cargo_manifest_read(&a, manifest_path, &m, &err) == VSOLVE_OK, "%s", err.message);
    cargo_problem pb;
    cargo_options opt = { NULL, 0, 0, 1, NULL, checkouts, n_checkouts, 0, NULL, 0, 0 };
    ck_assert_msg(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err) == VSOLVE_OK, "%s: %s", name, err.message);
    vs_solution s;
    solution_init(&s);
    int rc = vs_solve(&pb.u, &pb.req, &s);
    int answered = fast_path_agrees(&pb, &s, name);
    int greedy = greedy_build_agrees(ix, &m, &opt, &pb, &s, name);
    if (fast) {
        fast[0] += (size_t)answered;
        fast[1] += (size_t)greedy;
    }
    char *expected = test_slurp(lock_path, NULL);
    int same = 0;
    if (!expected) {
        ck_assert_msg(access(error_path, F_OK) == 0, "%s: no Cargo.lock and no error.txt", name);
        ck_assert_msg(rc == VSOLVE_UNSAT, "%s: cargo refuses it, vsolve answered %d", name, rc);
        for (size_t i = 0; i < sizeof refusal_names / sizeof refusal_names[0]; i++)
            if (!strcmp(refusal_names[i][0], name))
                ck_assert_msg(strstr(s.explanation, refusal_names[i][1]) != NULL, "%s: the refusal does not name %s:\n%s",
                              name, refusal_names[i][1], s.explanation);
        printf("cargo-compare %s: refused, as by cargo\n", name);
        *refused = 1;
        same = 1;
    } else {
        ck_assert_msg(rc == VSOLVE_OK, "%s: cargo resolves it, vsolve says %d:\n%s", name, rc, s.explanation ? s.explanation : "");
        char why[2048];
        ck_assert_msg(check_solution(&pb.u, &pb.req, s.pkgs.items, s.pkgs.len, why, sizeof why) == 0, "%s: %s", name, why);
        uint32_t *owner;
        ck_assert_int_eq(cargo_owner_map(&pb, &owner), VSOLVE_OK);
        vs_graph g;
        ck_assert_int_eq(graph_build(&g, &pb.u, &pb.req, &s, owner), VSOLVE_OK);
        ck_assert_uint_gt(test_check_graph(&pb.u, &pb.req, &s, owner, &g), 0);
        /* every crate but the root has its source and checksum */
        for (uint32_t i = 0; i < g.n_nodes; i++)
            if (attrs_lookup(&pb.u.attrs, g.pkg[i], VS_ATTR_CARGO_SOURCE)) {
                if (!strncmp(attrs_lookup(&pb.u.attrs, g.pkg[i], VS_ATTR_CARGO_SOURCE), "git+", 4))
                    continue;   /* a git package: no checksum */
                const char *sum = attrs_lookup(&pb.u.attrs, g.pkg[i], VS_ATTR_CARGO_CHECKSUM);
                ck_assert_msg(sum && strlen(sum) == 64, "%s: no checksum", universe_pkg_name(&pb.u, g.pkg[i]));
                ck_assert_str_eq(attrs_lookup(&pb.u.attrs, g.pkg[i], VS_ATTR_CARGO_SOURCE),
                                 "registry+https://github.com/rust-lang/crates.io-index");
            }
        char *mine = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&mine, &len);
        ck_assert_int_eq(cargo_lock_write(out, &pb.u, &g, "@CRATES_IO_INDEX@"), VSOLVE_OK);
        fclose(out);
        graph_free(&g);
        free(owner);
        same = strcmp(mine, expected) == 0;
        if (!same) {
            /* show the first difference */
            size_t i = 0;
            while (mine[i] && mine[i] == expected[i])
                i++;
            size_t from = i > 120 ? i - 120 : 0;
            printf("cargo-compare %s: Cargo.lock differs at byte %zu:\n--- cargo\n%.240s\n--- vsolve\n%.240s\n", name, i,
                   expected + from, mine + from);
        } else {
            printf("cargo-compare %s: Cargo.lock identical (%zu bytes), %zu index files read\n", name, len, pb.index_files);
        }
        free(mine);
    }
    free(expected);
    solution_free(&s);
    cargo_problem_free(&pb);
    arena_free(&a);
    return same;
}

static int check_project_git(cargo_index *ix, const char *dir, const char *name, int *refused,
                             const char *const *checkouts, size_t n_checkouts)
{
    return check_project_fast(ix, dir, name, refused, checkouts, n_checkouts, NULL);
}

static int check_project(cargo_index *ix, const char *dir, const char *name, int *refused, size_t fast[2])
{
    return check_project_fast(ix, dir, name, refused, NULL, 0, fast);
}

START_TEST(real_index_projects)
{
    const char *index = test_corpus_path("crates-io-index-2019-11-10.tar.gz");
    if (!index)
        return;
    char idx[4096];
    snprintf(idx, sizeof idx, "%s", index);
    vs_error err;
    vs_error_clear(&err);
    cargo_index *ix = cargo_index_open(idx, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    static const char *const projects[] = { "actix-web1", "cfg-targets", "data-tool", "dev-deps", "diesel-r2d2",
                                            "parallel-num", "reqwest-rustls", "rg-cli", "tokio01-futures01",
                                            "tokio02-hyper013", "unsat-links", "unsat-prerelease", "unsat-ring-links",
                                            "wasm-web" };
    size_t identical = 0, refused = 0, fast[2] = { 0, 0 };
    for (size_t i = 0; i < sizeof projects / sizeof projects[0]; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s", test_corpus_path("cargo-real-2019"));
        strncat(dir, "/", sizeof dir - strlen(dir) - 1);
        strncat(dir, projects[i], sizeof dir - strlen(dir) - 1);
        int r = 0;
        identical += check_project(ix, dir, projects[i], &r, fast);
        refused += r;
    }
    printf("cargo-compare: real index: %zu of 14 projects as cargo answers them (%zu refused, %zu by the fast path, %zu "
           "by the greedy build)\n", identical, refused, fast[0], fast[1]);
    ck_assert_uint_eq(identical, 14);
    ck_assert_uint_eq(refused, 3);
    ck_assert_uint_eq(fast[0], 10);   /* all that solve but diesel-r2d2 (two `links = "sqlite3"` at first) */
    ck_assert_uint_eq(fast[1], 11);   /* diesel-r2d2 too: rusqlite 0.16 pins libsqlite3-sys to 0.11 */
    cargo_index_close(ix);
}
END_TEST

/* The project tests/data/cargo/NAME solved through the public API: its refusal message in *msg
 * (malloc'd), the directory as cargo masks it (<work>/NAME), and cargo's error.txt in *cargo. */
static int refusal_of(const char *index, const char *name, char **msg, char **cargo)
{
    char dir[4200], path[4400];
    snprintf(dir, sizeof dir, "%s/%s", test_source_path("tests/data/cargo"), name);
    snprintf(path, sizeof path, "%s/Cargo.toml", dir);
    vsolve_ctx *ctx = vsolve_new();
    vsolve_project_options o;
    vsolve_project_options_init(&o);
    o.registry = index;
    o.manifest = path;
    vsolve_result *r = NULL;
    int rc = vsolve_solve_project(ctx, VSOLVE_CARGO, &o, &r);
    char real[4200];
    ck_assert_ptr_nonnull(realpath(dir, real));
    const char *m = vsolve_errmsg(ctx);
    char *out = malloc(strlen(m) + 64), *w = out;
    for (const char *at = m; *at;) {   /* the directory as cargo's masked text has it */
        if (!strncmp(at, real, strlen(real))) {
            w += sprintf(w, "<work>/%s", name);
            at += strlen(real);
        } else
            *w++ = *at++;
    }
    *w = '\0';
    *msg = out;
    snprintf(path, sizeof path, "%s/error.txt", dir);
    *cargo = test_slurp(path, NULL);
    ck_assert_ptr_nonnull(*cargo);
    vsolve_result_free(r);
    vsolve_free(ctx);
    return rc;
}

/* cargo's refusals where its words say more: a missing feature as cargo names it (byte for byte
 * with cargo 1.95's text), and a pinned clash with the edge that makes it. */
START_TEST(refusals_in_cargo_words)
{
    char index[4096];   /* test_corpus_path's buffer serves one path at a time */
    if (!test_corpus_path("crates-io-index-2019-11-10.tar.gz"))
        return;
    snprintf(index, sizeof index, "%s", test_corpus_path("crates-io-index-2019-11-10.tar.gz"));
    char *msg, *cargo;
    ck_assert_int_eq(refusal_of(index, "feature-missing", &msg, &cargo), VSOLVE_UNSAT);
    ck_assert_msg(!strncmp(cargo, "error: ", 7) && !strcmp(msg, cargo + 7), "vsolve:\n%s\ncargo:\n%s", msg, cargo);
    free(msg);
    free(cargo);
    ck_assert_int_eq(refusal_of(index, "pin-clash", &msg, &cargo), VSOLVE_UNSAT);
    ck_assert_msg(strstr(cargo, "versions that meet the requirements `^1.0.60`") && strstr(cargo, "serde_json v1.0.40") &&
                  strstr(cargo, "serde = \"=1.0.10\""), "%s", cargo);
    ck_assert_msg(strstr(msg, "Why: serde_json 1.0.40 and 1.0.41 need serde ^1.0.60, but serde =1.0.10 allows only 1.0.10."),
                  "%s", msg);
    free(msg);
    free(cargo);
    /* rusqlite 0.16 beside r2d2_sqlite 0.12's rusqlite ^0.20: two semver ranges, both can be had
     * (the clash there is the links one): no Why line about rusqlite */
    const char *corp = test_corpus_path("cargo-real-2019");
    if (corp) {
        char path[4200];
        snprintf(path, sizeof path, "%s/unsat-links/Cargo.toml", corp);
        arena a;
        arena_init(&a);
        vs_error err = { 0 };
        cargo_manifest m;
        ck_assert_msg(cargo_manifest_read(&a, path, &m, &err) == VSOLVE_OK, "%s", err.message);
        cargo_index *ix = cargo_index_open(index, &err);
        ck_assert_msg(ix != NULL, "%s", err.message);
        char why[1024];
        size_t n = cargo_clash_report(ix, &m, why, sizeof why);
        ck_assert_msg(n == 0, "%s", why);
        cargo_index_close(ix);
        arena_free(&a);
    }
}
END_TEST

/* A refusal the root's pins prove is said without the whole problem and without loading
 * CryptoMiniSat (LD_DEBUG=files lists what the dynamic linker loads). unsat-links: rusqlite 0.16
 * pins libsqlite3-sys to 0.11, r2d2_sqlite 0.12 through rusqlite 0.20 to 0.16.0, in the words the
 * whole problem and the solver give (--no-fast-path). unsat-ring-links: actix-web 1.0.8's
 * rust-tls pins ring to 0.14 through every rustls 0.15, rustls 0.16 to 0.16.5 and later (the
 * whole problem names another clash of the same two ring lines). */
START_TEST(links_refusal_by_pins)
{
    char index[4096], corp[4096];   /* test_corpus_path's buffer serves one path at a time */
    if (!test_corpus_path("crates-io-index-2019-11-10.tar.gz"))
        return;
    snprintf(index, sizeof index, "%s", test_corpus_path("crates-io-index-2019-11-10.tar.gz"));
    snprintf(corp, sizeof corp, "%s", test_corpus_path("cargo-real-2019"));
    static const struct {
        const char *project, *why;
    } cases[] = {
        { "unsat-links", "Why: both need libsqlite3-sys, in versions that exclude each other (links = \"sqlite3\": one "
                         "package per native library):\n"
                         "  - rusqlite 0.16 needs libsqlite3-sys 0.11.0 and 0.11.1 (through rusqlite -> libsqlite3-sys)\n"
                         "  - r2d2_sqlite 0.12 needs libsqlite3-sys 0.16.0 (through r2d2_sqlite -> rusqlite -> "
                         "libsqlite3-sys)\n" },
        { "unsat-ring-links", "  - actix-web 1.0.8 with feature rust-tls (actix-web 1.0.8)\n  - rustls 0.16 (rustls 0.16.0)\n"
                              "Why: both need ring, in versions that exclude each other (links = \"ring-asm\": one "
                              "package per native library):\n"
                              "  - actix-web 1.0.8 with feature rust-tls needs ring 0.14.0 ... 0.14.6 (7 versions) "
                              "(through actix-web -> rustls -> ring)\n"
                              "  - rustls 0.16 needs ring 0.16.5, 0.16.6, 0.16.7 and 0.16.9 (through rustls -> ring)\n" },
    };
    char cmd[9000];
    int st;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cmd, sizeof cmd, "LD_DEBUG=files '%s/vsolve' --ecosystem cargo --index '%s' --no-cache solve --manifest "
                 "'%s/%s/Cargo.toml' 2>&1", VSOLVE_BINARY_DIR, index, corp, cases[i].project);
        char *traced = test_run_cmd(cmd, &st);
        ck_assert_msg(st == 1 && strstr(traced, cases[i].why), "%s: exit %d:\n%s", cases[i].project, st,
                      traced + (strlen(traced) > 3000 ? strlen(traced) - 3000 : 0));
        ck_assert_msg(strstr(traced, "file=libc.so.6"), "LD_DEBUG=files gave nothing:\n%.3000s", traced);
        ck_assert_msg(!strstr(traced, "cryptominisat"), "%s: the refusal loads CryptoMiniSat", cases[i].project);
        free(traced);
    }
    char *words[2];
    for (int whole = 0; whole < 2; whole++) {
        snprintf(cmd, sizeof cmd, "'%s/vsolve' --ecosystem cargo --index '%s' --no-cache solve --manifest "
                 "'%s/unsat-links/Cargo.toml'%s 2>&1", VSOLVE_BINARY_DIR, index, corp, whole ? " --no-fast-path" : "");
        words[whole] = test_run_cmd(cmd, &st);
        ck_assert_int_eq(st, 1);
    }
    ck_assert_str_eq(words[0], words[1]);
    free(words[0]);
    free(words[1]);
}
END_TEST

/* tests/data/cargo's resolvable projects (path dependencies) against cargo 1.95's locks. */
START_TEST(feature_projects)
{
    const char *index = test_corpus_path("crates-io-index-2019-11-10.tar.gz");
    if (!index)
        return;
    vs_error err;
    vs_error_clear(&err);
    cargo_index *ix = cargo_index_open(index, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    /* a path that leads nowhere: the dependency and the file named */
    char tmp[] = "/tmp/vsolve-path-XXXXXX", path[300];
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(path, sizeof path, "%s/Cargo.toml", tmp);
    FILE *f = fopen(path, "w");
    fputs("[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nhelper = { path = \"nowhere\" }\n", f);
    fclose(f);
    arena a;
    arena_init(&a);
    cargo_manifest m;
    ck_assert_msg(cargo_manifest_read(&a, path, &m, &err) == VSOLVE_OK, "%s", err.message);
    cargo_problem pb;
    cargo_options opt = { NULL, 0, 0, 1, NULL, NULL, 0, 0, NULL, 0, 0 };
    ck_assert_int_ne(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err), VSOLVE_OK);
    ck_assert_msg(strstr(err.message, "path dependency helper") && strstr(err.message, "nowhere/Cargo.toml"), "%s",
                  err.message);
    cargo_problem_free(&pb);   /* a failed build is freed as a finished one */
    arena_free(&a);
    remove(path);
    rmdir(tmp);
    static const char *const names[] = { "path-dep", "path-nested", "ws-virtual", "ws-root/ws", "ws-cycle", "ws-pre",
                                         "patch-path", "ws-patch", "ws-patch-member" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", test_source_path("tests/data/cargo"), names[i]);
        int refused = 0;
        ck_assert_msg(check_project(ix, dir, names[i], &refused, NULL), "%s: not cargo's lock", names[i]);
        ck_assert_int_eq(refused, 0);
    }
    cargo_index_close(ix);
}
END_TEST

/* Extracts the synthetic corpus's projects/ into dir. */
static int extract(void *user, const char *path, const char *data, size_t len)
{
    return strncmp(path, "projects/", 9) != 0 ? VSOLVE_OK : test_extract_member(user, path, data, len);
}

START_TEST(synthetic_index_projects)
{
    const char *tar = test_corpus_path("cargo-synthetic-index.tar.gz");
    if (!tar)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s", tar);
    char dir[] = "/tmp/vsolve-cargo-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(repo_source_walk(path, 0, NULL, extract, dir, &err), VSOLVE_OK);
    cargo_index *ix = cargo_index_open(path, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    static const char *const projects[] = { "cli-tool", "edge-cases", "links-conflict", "msrv-resolver2",
                                            "msrv-resolver3", "native-deps", "web-service" };
    size_t identical = 0, refused = 0, fast[2] = { 0, 0 };
    for (size_t i = 0; i < sizeof projects / sizeof projects[0]; i++) {
        char pdir[4200];
        snprintf(pdir, sizeof pdir, "%s/projects/%s", dir, projects[i]);
        int r = 0;
        identical += check_project(ix, pdir, projects[i], &r, fast);
        refused += r;
    }
    printf("cargo-compare: synthetic index: %zu of 7 projects as cargo answers them (%zu refused, %zu by the fast path, "
           "%zu by the greedy build)\n", identical, refused, fast[0], fast[1]);
    ck_assert_uint_eq(identical, 7);
    ck_assert_uint_eq(refused, 1);
    ck_assert_uint_eq(fast[0], 5);   /* all that solve but native-deps (two `links = "sqlite3"` at first) */
    ck_assert_uint_eq(fast[1], 5);   /* not edge-cases (a first candidate lacking a feature asked); native-deps
                                        with pins (sqlx-sqlite 0.7 pins libsqlite3-sys to 0.27.0) */
    cargo_index_close(ix);

    /* through the library: rust-version is reported (resolver 2), and avoided (resolver 3) */
    for (int resolver = 2; resolver <= 3; resolver++) {
        char manifest[4200];
        snprintf(manifest, sizeof manifest, "%s/projects/msrv-resolver%d/Cargo.toml", dir, resolver);
        vsolve_ctx *ctx = vsolve_new();
        vsolve_result *r = NULL;
        ck_assert_msg(vsolve_cargo_solve(ctx, path, manifest, NULL, NULL, 0, 0, &r) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
        const char *note = vsolve_result_explanation(r);
        if (resolver == 2)
            ck_assert_msg(strstr(note, "clap 4.5.9 (1.74)") && strstr(note, "tokio 1.39.2 (1.70)"), "%s", note);
        else
            ck_assert_str_eq(note, "");
        vsolve_result_free(r);
        vsolve_free(ctx);
    }
    /* through the library, with the fast path and without it (vsolve_set_fast_path): one lock */
    for (size_t i = 0; i < sizeof projects / sizeof projects[0]; i++) {
        char manifest[4200];
        snprintf(manifest, sizeof manifest, "%s/projects/%s/Cargo.toml", dir, projects[i]);
        char *lock[2] = { NULL, NULL };
        int rc[2];
        for (int on = 0; on < 2; on++) {
            vsolve_ctx *ctx = vsolve_new();
            ck_assert_int_eq(vsolve_set_fast_path(ctx, on), VSOLVE_OK);
            vsolve_result *r = NULL;
            rc[on] = vsolve_cargo_solve(ctx, path, manifest, NULL, NULL, 0, 0, &r);
            size_t len = 0;
            if (rc[on] == VSOLVE_OK)
                ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &lock[on], &len), VSOLVE_OK);
            else
                lock[on] = strdup(vsolve_errmsg(ctx));
            vsolve_result_free(r);
            vsolve_free(ctx);
        }
        ck_assert_int_eq(rc[0], rc[1]);
        ck_assert_msg(!strcmp(lock[0], lock[1]), "%s: the fast path changes the lock", projects[i]);
        free(lock[0]);
        free(lock[1]);
    }
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* text with every "registry+URL" of the crates.io index written "registry+@CRATES_IO_INDEX@",
 * as tests/data/cargo keeps cargo's locks (malloc'd). */
static char *mask_crates_io(const char *text)
{
    static const char url[] = "registry+" CARGO_CRATES_IO_INDEX, mask[] = "registry+@CRATES_IO_INDEX@";
    char *out = malloc(strlen(text) + 1), *o = out;   /* the mask is shorter than the URL */
    ck_assert_ptr_nonnull(out);
    for (const char *t = text; *t;) {
        if (!strncmp(t, url, sizeof url - 1)) {
            memcpy(o, mask, sizeof mask - 1);
            o += sizeof mask - 1;
            t += sizeof url - 1;
        } else {
            *o++ = *t++;
        }
    }
    *o = '\0';
    return out;
}

/* tests/data/cargo/first-candidates: a crate of the 2019 index as a project's only dependency,
 * against cargo 1.95's lock, with the fast path and without it (the whole problem and the
 * solver): byte for byte. The first four once had another answer without the fast path, the
 * next two pointed a dependent at two semver ranges of one crate (graph.h); the last six hold
 * a requirement spanning semver ranges, whose edge takes its newest line (policy.c): beside an
 * older line another edge takes (theban_pass, twig), for the root's `*` (lapack-sys, nng), and
 * only among the versions having a feature that a feature of the dependent asks (canister);
 * in ilc-cli the features of such an edge go to the version it takes, not to an older one
 * another edge takes (cargo_resolve.c, features_of_each). */
START_TEST(first_candidates_projects)
{
    const char *index = test_corpus_path("crates-io-index-2019-11-10.tar.gz");
    if (!index)
        return;
    char idx[4096];
    snprintf(idx, sizeof idx, "%s", index);
    static const char *const cases[] = {
        "num-digitize", "clog", "pam-sys", "tensor", "google-iap1-cli", "mini_gl_fb",
        "theban_pass", "twig", "lapack-sys", "nng", "canister", "ilc-cli",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[4200], manifest[4300], lock_path[4300];
        snprintf(dir, sizeof dir, "%s/first-candidates/%s", test_source_path("tests/data/cargo"), cases[i]);
        snprintf(manifest, sizeof manifest, "%s/Cargo.toml", dir);
        snprintf(lock_path, sizeof lock_path, "%s/Cargo.lock", dir);
        char *expected = test_slurp(lock_path, NULL);
        ck_assert_ptr_nonnull(expected);
        for (int fast = 1; fast >= 0; fast--) {
            vsolve_ctx *ctx = vsolve_new();
            ck_assert_int_eq(vsolve_set_fast_path(ctx, fast), VSOLVE_OK);
            vsolve_result *r = NULL;
            ck_assert_msg(vsolve_cargo_solve(ctx, idx, manifest, NULL, NULL, 0, 0, &r) == VSOLVE_OK, "%s: %s",
                          cases[i], vsolve_errmsg(ctx));
            char *lock = NULL;
            size_t len = 0;
            ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &lock, &len), VSOLVE_OK);
            char *mine = mask_crates_io(lock);
            ck_assert_msg(!strcmp(mine, expected), "%s (fast path %s): not cargo's lock:\n%s", cases[i],
                          fast ? "on" : "off", mine);
            free(mine);
            free(lock);
            vsolve_result_free(r);
            vsolve_free(ctx);
        }
        free(expected);
    }
}
END_TEST

/* tests/data/cargo/first-candidates/theban_pass/older-range.lock: a lock in which rmp-serialize's
 * `rmp >= 0.7, < 0.9` takes the 0.7.5 that theban_db's `rmp ^0.7` takes (no rmp 0.8.8). cargo
 * 1.95 (`cargo update --workspace` with it) keeps it byte for byte: a locked version is an
 * edge's first candidate, before a newer semver range (policy.c). */
START_TEST(locked_older_range_kept)
{
    const char *index = test_corpus_path("crates-io-index-2019-11-10.tar.gz");
    if (!index)
        return;
    char idx[4096], dir[4200], manifest[4300], lock_path[4300];
    snprintf(idx, sizeof idx, "%s", index);
    snprintf(dir, sizeof dir, "%s/first-candidates/theban_pass", test_source_path("tests/data/cargo"));
    snprintf(manifest, sizeof manifest, "%s/Cargo.toml", dir);
    snprintf(lock_path, sizeof lock_path, "%s/older-range.lock", dir);
    char *expected = test_slurp(lock_path, NULL);
    ck_assert_ptr_nonnull(expected);
    char tmp[] = "/tmp/vsolve-kept-XXXXXX", old[300];
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(old, sizeof old, "%s/Cargo.lock", tmp);
    FILE *f = fopen(old, "w");   /* the lock with its registry source unmasked */
    ck_assert_ptr_nonnull(f);
    static const char mask[] = "registry+@CRATES_IO_INDEX@";
    for (const char *t = expected; *t;) {
        if (!strncmp(t, mask, sizeof mask - 1)) {
            fputs("registry+" CARGO_CRATES_IO_INDEX, f);
            t += sizeof mask - 1;
        } else {
            fputc(*t++, f);
        }
    }
    ck_assert_int_eq(fclose(f), 0);
    for (int fast = 1; fast >= 0; fast--) {
        vsolve_ctx *ctx = vsolve_new();
        ck_assert_int_eq(vsolve_set_fast_path(ctx, fast), VSOLVE_OK);
        vsolve_result *r = NULL;
        ck_assert_msg(vsolve_cargo_solve(ctx, idx, manifest, old, NULL, 0, 0, &r) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
        char *lock = NULL;
        size_t len = 0;
        ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &lock, &len), VSOLVE_OK);
        char *mine = mask_crates_io(lock);
        ck_assert_msg(!strcmp(mine, expected), "fast path %s: not cargo's lock:\n%s", fast ? "on" : "off", mine);
        free(mine);
        free(lock);
        vsolve_result_free(r);
        vsolve_free(ctx);
    }
    test_remove_dir(tmp);
    free(expected);
}
END_TEST

/* Writes text to dir/rel, making the folders. */
static void put_file(const char *dir, const char *rel, const char *text)
{
    char path[4400], cmd[4500];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

#define LINE(name, deps, feats) "{\"name\":\"" name "\",\"vers\":\"1.0.0\",\"deps\":[" deps "],\"features\":{" feats "}}\n"
#define DEP(name, extra) "{\"name\":\"" name "\",\"req\":\"^1\"" extra "}"

/* Only what the resolution can reach is read: an optional dependency once a reachable feature
 * turns it on, a non-root crate's dev-dependencies never. */
START_TEST(reads_only_the_reachable)
{
    char dir[] = "/tmp/vsolve-reach-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* aaaa: normal bbbb; optional cccc (feature "never", not reached) and eeee (its implicit
     * feature, not reached); dev dddd; default = ["ffff/zz"] turns on ffff's zz = ["dep:gggg"];
     * ffff: optional hhhh behind "other" (not reached) */
    put_file(dir, "aa/aa/aaaa", LINE("aaaa", DEP("bbbb", "") "," DEP("cccc", ",\"optional\":true") ","
                                     DEP("eeee", ",\"optional\":true") "," DEP("dddd", ",\"kind\":\"dev\"") ","
                                     DEP("ffff", ""),
                                     "\"default\":[\"ffff/zz\"],\"never\":[\"dep:cccc\"]"));
    /* bbbb 2.0.0's line is malformed: read only when a requirement matches it */
    put_file(dir, "bb/bb/bbbb", LINE("bbbb", "", "") "{\"name\":\"bbbb\",\"vers\":\"2.0.0\",\"deps\":[{\"name\":1}]}\n");
    put_file(dir, "cc/cc/cccc", LINE("cccc", "", ""));
    put_file(dir, "dd/dd/dddd", LINE("dddd", "", ""));
    put_file(dir, "ee/ee/eeee", LINE("eeee", "", ""));
    put_file(dir, "ff/ff/ffff", LINE("ffff", DEP("gggg", ",\"optional\":true") "," DEP("hhhh", ",\"optional\":true"),
                                     "\"zz\":[\"dep:gggg\"],\"other\":[\"hhhh/x\"]"));
    put_file(dir, "gg/gg/gggg", LINE("gggg", "", ""));
    put_file(dir, "hh/hh/hhhh", LINE("hhhh", "", ""));
    put_file(dir, "root/Cargo.toml", "[package]\nname = \"root\"\nversion = \"0.1.0\"\n\n[dependencies]\naaaa = \"1\"\n");
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    cargo_manifest m;
    char manifest[200];
    snprintf(manifest, sizeof manifest, "%s/root/Cargo.toml", dir);
    ck_assert_msg(cargo_manifest_read(&a, manifest, &m, &err) == VSOLVE_OK, "%s", err.message);
    cargo_index *ix = cargo_index_open(dir, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    cargo_problem pb;
    cargo_options opt = { NULL, 0, 0, 1, NULL, NULL, 0, 0, NULL, 0, 0 };
    ck_assert_msg(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_uint_eq(pb.index_files, 4);   /* aaaa, bbbb, ffff, gggg */
    /* nodes only for what is reached: aaaa's "never" and implicit "eeee", ffff's "other" and
     * their optional dependencies are declared but never become packages */
    const char *nodes[] = { "aaaa", "aaaa#default", "ffff#zz", "ffff?gggg", "ffff#default", "gggg#default" };
    for (size_t k = 0; k < sizeof nodes / sizeof nodes[0]; k++)
        ck_assert_msg(universe_find_name(&pb.u, nodes[k]) != VS_NONE, "%s missing", nodes[k]);
    const char *unreached[] = { "aaaa#never", "aaaa#eeee", "aaaa?cccc", "aaaa?eeee", "ffff#other", "ffff?hhhh" };
    for (size_t k = 0; k < sizeof unreached / sizeof unreached[0]; k++)
        ck_assert_msg(universe_find_name(&pb.u, unreached[k]) == VS_NONE, "%s is a package", unreached[k]);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&pb.u, &pb.req, &s), VSOLVE_OK);
    const char *want[] = { "aaaa", "bbbb", "ffff", "gggg", "root" };
    size_t crates = 0;
    for (size_t i = 0; i < s.pkgs.len; i++) {
        const char *name = universe_str(&pb.u, pb.u.names.items[pb.u.pkgs.items[s.pkgs.items[i]].name].str);
        if (strchr(name, '#') || strchr(name, '?'))
            continue;
        int known = 0;
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
            known |= !strcmp(name, want[k]);
        ck_assert_msg(known, "%s chosen", name);
        crates++;
    }
    ck_assert_uint_eq(crates, 5);
    solution_free(&s);
    cargo_problem_free(&pb);
    put_file(dir, "root2/Cargo.toml", "[package]\nname = \"root\"\nversion = \"0.1.0\"\n\n[dependencies]\nbbbb = \"2\"\n");
    snprintf(manifest, sizeof manifest, "%s/root2/Cargo.toml", dir);
    ck_assert_msg(cargo_manifest_read(&a, manifest, &m, &err) == VSOLVE_OK, "%s", err.message);
    /* the only version it matches has a malformed line: left out (said), so nothing meets it */
    ck_assert_int_eq(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err), VSOLVE_OK);
    ck_assert_uint_eq(pb.n_skipped, 1);
    ck_assert_msg(!strncmp(pb.skipped, "bb/bb/bbbb:2:", 13), "%s", pb.skipped);
    solution_init(&s);
    ck_assert_int_eq(vs_solve(&pb.u, &pb.req, &s), VSOLVE_UNSAT);
    solution_free(&s);
    cargo_problem_free(&pb);
    cargo_index_close(ix);
    arena_free(&a);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

#define VLINE(name, vers, deps, extra) "{\"name\":\"" name "\",\"vers\":\"" vers "\",\"deps\":[" deps "],\"features\":{}" extra "}\n"
#define VDEP(name, req, extra) "{\"name\":\"" name "\",\"req\":\"" req "\"" extra "}"

/* Writes dir/NAME/Cargo.toml (toml) and reads it into *m, from a (initialised here). */
static void manifest_at(const char *dir, const char *name, const char *toml, arena *a, cargo_manifest *m)
{
    arena_init(a);
    char rel[300], manifest[4400];
    snprintf(rel, sizeof rel, "%s/Cargo.toml", name);
    put_file(dir, rel, toml);
    snprintf(manifest, sizeof manifest, "%s/%s", dir, rel);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(cargo_manifest_read(a, manifest, m, &err) == VSOLVE_OK, "%s", err.message);
}

/* Solves the manifest text in dir/NAME/Cargo.toml (with locked[0..n_locked)) by the SAT path;
 * returns whether the fast path answered (fast_path_agrees: then identically), puts whether
 * the greedy build answered in *greedy (greedy_build_agrees; never with a lock) and the chosen
 * crate versions, "name version" joined by spaces, in out. */
static int fast_case(cargo_index *ix, const char *dir, const char *name, const char *toml, const cargo_locked *locked,
                     size_t n_locked, int *greedy, char *out, size_t size)
{
    arena a;
    cargo_manifest m;
    manifest_at(dir, name, toml, &a, &m);
    vs_error err;
    vs_error_clear(&err);
    cargo_problem pb;
    cargo_options opt = { NULL, 0, 0, 1, NULL, NULL, 0, 0, NULL, 0, 0 };
    ck_assert_msg(cargo_problem_build(&pb, ix, &m, locked, n_locked, &opt, &err) == VSOLVE_OK, "%s: %s", name, err.message);
    vs_solution s;
    solution_init(&s);
    int rc = vs_solve(&pb.u, &pb.req, &s);
    int answered = fast_path_agrees(&pb, &s, name);
    *greedy = n_locked ? 0 : greedy_build_agrees(ix, &m, &opt, &pb, &s, name);
    out[0] = '\0';
    for (size_t i = 0; rc == VSOLVE_OK && i < s.pkgs.len; i++) {
        const char *n = universe_pkg_name(&pb.u, s.pkgs.items[i]);
        if (!strchr(n, '#') && !strchr(n, '?'))
            snprintf(out + strlen(out), size - strlen(out), "%s%s %s", out[0] ? " " : "", n,
                     universe_pkg_version(&pb.u, s.pkgs.items[i]));
    }
    if (rc != VSOLVE_OK)
        snprintf(out, size, "refused");
    solution_free(&s);
    cargo_problem_free(&pb);
    arena_free(&a);
    return answered;
}

#define ROOT(deps) "[package]\nname = \"root\"\nversion = \"0.1.0\"\n\n[dependencies]\n" deps

/* The fast path answers when every dependency's newest candidate fits, and gives up (the
 * solver answers) when cargo would move past a candidate: two dependencies picking two
 * versions of one semver-compatible range, a `links` taken twice, a lock, a requirement only a
 * yanked version meets. A candidate lacking an asked feature or yanked is no candidate. The
 * greedy build (first candidates only) also gives up when the newest lacks an asked feature,
 * but not for a `links` or a yanked-only requirement its closure never meets. */
START_TEST(fast_path_gives_up)
{
    char dir[] = "/tmp/vsolve-fast-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put_file(dir, "aa/aa/aaaa", VLINE("aaaa", "1.0.0", "", "") VLINE("aaaa", "1.1.0", "", ""));
    put_file(dir, "bb/bb/bbbb", VLINE("bbbb", "1.0.0", VDEP("aaaa", "=1.0.0", ""), ""));
    put_file(dir, "cc/cc/cccc", VLINE("cccc", "1.0.0", "", "") VLINE("cccc", "1.1.0", "", ",\"links\":\"z\""));
    put_file(dir, "dd/dd/dddd", VLINE("dddd", "1.0.0", "", ",\"links\":\"z\""));
    put_file(dir, "ee/ee/eeee", "{\"name\":\"eeee\",\"vers\":\"1.0.0\",\"deps\":[],\"features\":{\"x\":[]}}\n"
                                VLINE("eeee", "1.1.0", "", ""));
    put_file(dir, "gg/gg/gggg", VLINE("gggg", "0.1.0", "", "") VLINE("gggg", "1.0.0", "", ""));
    put_file(dir, "ff/ff/ffff", VLINE("ffff", "1.0.0", "", "") VLINE("ffff", "1.1.0", "", ",\"yanked\":true"));
    /* older ranges the closure never takes: one needs `links` z again, one only a yanked version */
    put_file(dir, "kk/kk/kkkk", VLINE("kkkk", "0.1.0", VDEP("dddd", "1", ""), "") VLINE("kkkk", "1.0.0", "", ""));
    put_file(dir, "ll/ll/llll", VLINE("llll", "0.1.0", VDEP("ffff", "=1.1.0", ""), "") VLINE("llll", "1.0.0", "", ""));
    /* a forced version needing dddd (links z), one needing cccc 1.1.0 (links z too) */
    put_file(dir, "mm/mm/mmmm", VLINE("mmmm", "1.0.0", VDEP("dddd", "1", ""), ""));
    put_file(dir, "nn/nn/nnnn", VLINE("nnnn", "1.0.0", VDEP("cccc", "=1.1.0", ""), ""));
    put_file(dir, "pp/pp/pppp", VLINE("pppp", "0.1.0", "", "") VLINE("pppp", "1.0.0", VDEP("cccc", "=1.1.0", ""), ""));
    put_file(dir, "qq/qq/qqqq", "{\"name\":\"qqqq\",\"vers\":\"1.0.0\",\"deps\":[" VDEP("dddd", "1", ",\"optional\":true")
                                "],\"features\":{\"tls\":[\"dddd\"]}}\n");
    put_file(dir, "rr/rr/rrrr", VLINE("rrrr", "1.0.0", VDEP("dddd", "1", ""), "") VLINE("rrrr", "1.1.0", VDEP("dddd", "1", ""), ""));
    vs_error err;
    vs_error_clear(&err);
    cargo_index *ix = cargo_index_open(dir, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    char got[1000];
    int greedy;
    /* Each case: its manifest's dependencies, whether the fast path answers, the answer (the
     * solver's when it gives up), and whether the greedy build answered. */
    static const struct {
        const char *name, *deps;
        int answered;
        const char *answer;
        int greedy;
    } cases[] = {
        /* answered: the newest everywhere; a yanked newest and one lacking a feature are passed */
        { "plain", "aaaa = \"1\"\ncccc = \"1\"\n", 1, "aaaa 1.1.0 cccc 1.1.0 root 0.1.0", 1 },
        { "yanked", "ffff = \"1\"\n", 1, "ffff 1.0.0 root 0.1.0", 1 },
        { "feature", "eeee = { version = \"1\", features = [\"x\"] }\n", 1, "eeee 1.0.0 root 0.1.0", 0 },
        /* given up: two versions of one range, then the solver finds the one that serves both */
        { "slot", "aaaa = \"1\"\nbbbb = \"1\"\n", 0, "aaaa 1.0.0 bbbb 1.0.0 root 0.1.0", 0 },
        /* a `links` clash: the fast path gives up, the greedy build's second round passes over
         * cccc 1.1.0, which the root's forced dddd 1.0.0 (links z) puts in no solution; through
         * a chain of forced versions too; where the pins exclude each other, the solver refuses */
        { "links", "cccc = \"1\"\ndddd = \"1\"\n", 0, "cccc 1.0.0 dddd 1.0.0 root 0.1.0", 1 },
        { "links-chain", "cccc = \"1\"\nmmmm = \"1\"\n", 0, "cccc 1.0.0 dddd 1.0.0 mmmm 1.0.0 root 0.1.0", 1 },
        { "links-refused", "nnnn = \"1\"\nmmmm = \"1\"\n", 0, "refused", 0 },
        /* pppp 1.0.0 needs only cccc 1.1.0, which the pin of z puts in no solution: so is it */
        { "links-backoff", "dddd = \"1\"\npppp = \">=0.1\"\n", 0, "dddd 1.0.0 pppp 0.1.0 root 0.1.0", 1 },
        /* a pin through a feature the edge asks (qqqq's tls turns dddd on), and through every
         * candidate of a requirement (both rrrr 1.x need dddd); without the feature, no clash */
        { "links-feature", "cccc = \"1\"\nqqqq = { version = \"1\", features = [\"tls\"] }\n", 0,
          "cccc 1.0.0 dddd 1.0.0 qqqq 1.0.0 root 0.1.0", 1 },
        { "links-either", "cccc = \"1\"\nrrrr = \"1\"\n", 0, "cccc 1.0.0 dddd 1.0.0 root 0.1.0 rrrr 1.1.0", 1 },
        { "links-no-feature", "cccc = \"1\"\nqqqq = \"1\"\n", 1, "cccc 1.1.0 qqqq 1.0.0 root 0.1.0", 1 },
        { "feature2", "eeee = { version = \"1\", features = [\"x\"] }\nbbbb = \"1\"\n[dependencies.e2]\npackage = \"eeee\"\nversion = \"1\"\n",
          0, "aaaa 1.0.0 bbbb 1.0.0 eeee 1.0.0 root 0.1.0", 0 },
        { "only-yanked", "ffff = \"=1.1.0\"\n", 0, "refused", 0 },
        /* a requirement over two semver-compatible ranges: all its versions in the greedy build */
        { "span", "gggg = \">=0.1\"\n", 1, "gggg 1.0.0 root 0.1.0", 1 },
        /* the greedy build reads an older range's dependencies but gives up only where the
         * closure meets them: a second `links` z, a requirement with no first candidate */
        { "unreached-links", "cccc = \"1\"\nkkkk = \">=0.1\"\n", 1, "cccc 1.1.0 kkkk 1.0.0 root 0.1.0", 1 },
        { "unreached-yanked", "llll = \">=0.1\"\n", 1, "llll 1.0.0 root 0.1.0", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char toml[600];
        snprintf(toml, sizeof toml, "%s%s", ROOT(""), cases[i].deps);
        ck_assert_int_eq(fast_case(ix, dir, cases[i].name, toml, NULL, 0, &greedy, got, sizeof got), cases[i].answered);
        ck_assert_str_eq(got, cases[i].answer);
        ck_assert_int_eq(greedy, cases[i].greedy);
    }
    /* a malformed line of a version the greedy build never takes: only the whole problem reads it,
     * and leaves the version out, as cargo's index reader does (saying so) */
    put_file(dir, "hh/hh/hhhh", "{\"name\":\"hhhh\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":1}]}\n" VLINE("hhhh", "1.1.0", "", ""));
    put_file(dir, "bad/Cargo.toml", ROOT("hhhh = \"1\"\n"));
    {
        char manifest[4400];
        snprintf(manifest, sizeof manifest, "%s/bad/Cargo.toml", dir);
        arena a;
        arena_init(&a);
        vs_error err2;
        vs_error_clear(&err2);
        cargo_manifest m;
        ck_assert_msg(cargo_manifest_read(&a, manifest, &m, &err2) == VSOLVE_OK, "%s", err2.message);
        cargo_problem pb;
        cargo_options opt = { NULL, 0, 0, 1, NULL, NULL, 0, 0, NULL, 0, 0 };
        ck_assert_int_eq(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err2), VSOLVE_OK);
        ck_assert_uint_eq(pb.n_skipped, 1);
        ck_assert_msg(!strncmp(pb.skipped, "hh/hh/hhhh:1:", 13), "%s", pb.skipped);
        ck_assert(universe_find_name(&pb.u, "hhhh") != VS_NONE);
        uint32_t first, count;
        universe_name_pkgs(&pb.u, universe_find_name(&pb.u, "hhhh"), &first, &count);
        ck_assert_uint_eq(count, 1);   /* 1.1.0 alone */
        ck_assert_str_eq(universe_pkg_version(&pb.u, first), "1.1.0");
        cargo_problem_free(&pb);
        opt.greedy = 1;
        vs_error_clear(&err2);
        ck_assert_int_eq(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err2), VSOLVE_OK);
        ck_assert(pb.greedy && !pb.greedy_gave_up && pb.n_skipped == 0);
        uint32_t *owner;
        ck_assert_int_eq(cargo_owner_map(&pb, &owner), VSOLVE_OK);
        vs_solution f;
        solution_init(&f);
        int answered = 0;
        ck_assert_int_eq(greedy_solve(&pb.u, &pb.req, owner, &f, &answered), VSOLVE_OK);
        ck_assert_int_eq(answered, 1);
        size_t hhhh = 0;
        for (size_t i = 0; i < f.pkgs.len; i++)
            if (!strcmp(universe_pkg_name(&pb.u, f.pkgs.items[i]), "hhhh")) {
                ck_assert_str_eq(universe_pkg_version(&pb.u, f.pkgs.items[i]), "1.1.0");
                hhhh++;
            }
        ck_assert_uint_eq(hhhh, 1);
        free(owner);
        solution_free(&f);
        cargo_problem_free(&pb);
        arena_free(&a);
    }
    cargo_locked lock[] = { { "aaaa", "1.0.0", NULL } };
    ck_assert_int_eq(fast_case(ix, dir, "locked", ROOT("aaaa = \"1\"\n"), lock, 1, &greedy, got, sizeof got), 0);
    ck_assert_str_eq(got, "aaaa 1.0.0 root 0.1.0");
    ck_assert_int_eq(greedy, 0);
    cargo_index_close(ix);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The pins of the root whose dependencies are in dir/NAME/Cargo.toml (ROOT(deps)), as text:
 * "links root=I via A B: C V, ..." per pin, then "clash I J" where two exclude each other. */
static void pins_case(cargo_index *ix, const char *dir, const char *name, const char *deps, const char *const *crates,
                      size_t n_crates, const char *const *ways, size_t n_ways, char *out, size_t size)
{
    char toml[1000];
    snprintf(toml, sizeof toml, "%s%s", ROOT(""), deps);
    arena a;
    cargo_manifest m;
    manifest_at(dir, name, toml, &a, &m);
    vs_error err;
    vs_error_clear(&err);
    cargo_pins p;
    ck_assert_int_eq(cargo_pins_find(&a, ix, m.deps, m.n_deps, crates, n_crates, ways, n_ways, &p, &err), VSOLVE_OK);
    out[0] = '\0';
    size_t at = 0;
    for (size_t k = 0; k < p.len && at < size; k++) {
        const cargo_pin *pin = &p.items[k];
        at += (size_t)snprintf(out + at, size - at, "%s root=%zu via", pin->links, pin->root_dep);
        for (size_t i = 0; i < pin->n_via && at < size; i++)
            at += (size_t)snprintf(out + at, size - at, " %s", pin->via[i]);
        for (size_t i = 0; i < pin->n_allowed && at < size; i++)
            at += (size_t)snprintf(out + at, size - at, "%s %s %s", i ? "," : ":", pin->allowed[i]->name,
                                   pin->allowed[i]->vers);
        at += (size_t)snprintf(out + at, size - at, "\n");
    }
    if (p.contradiction && at < size)
        snprintf(out + at, size - at, "clash %zu %zu\n", p.clash[0], p.clash[1]);
    ck_assert_uint_lt(at, size);
    arena_free(&a);
}

#define PLINE(name, vers, deps, features) \
    "{\"name\":\"" name "\",\"vers\":\"" vers "\",\"deps\":[" deps "],\"features\":{" features "}}\n"

/* The root's pins (cargo_pins.h) where one version is met through several requirements and
 * feature sets: tttt 1.1.0 without its feature tls pins nothing (uuuu), with it (the root, and
 * vvvv through another requirement) pins z; wwww passes tls on to tttt only where asked ("d/f");
 * xxxx and yyyy need each other (a cycle) and pin z elsewhere: the two pins exclude each other.
 * The same with and without the crates on the way named. */
START_TEST(pins_through_features_and_cycles)
{
    char dir[] = "/tmp/vsolve-pins-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put_file(dir, "ss/ss/ssss", VLINE("ssss", "1.0.0", "", ",\"links\":\"z\"") VLINE("ssss", "2.0.0", "", ",\"links\":\"z\""));
    put_file(dir, "tt/tt/tttt",
             PLINE("tttt", "1.0.0", VDEP("ssss", "=1.0.0", ",\"optional\":true"), "\"tls\":[\"ssss\"]")
                 PLINE("tttt", "1.1.0", VDEP("ssss", "=1.0.0", ",\"optional\":true"), "\"tls\":[\"dep:ssss\"]"));
    put_file(dir, "uu/uu/uuuu", VLINE("uuuu", "1.0.0", VDEP("tttt", "^1.1", ""), ""));
    put_file(dir, "vv/vv/vvvv", VLINE("vvvv", "1.0.0", VDEP("tttt", "^1.0", ",\"features\":[\"tls\"]"), ""));
    put_file(dir, "ww/ww/wwww", PLINE("wwww", "1.0.0", VDEP("tttt", "1", ""), "\"tls\":[\"tttt/tls\"]"));
    put_file(dir, "xx/xx/xxxx", VLINE("xxxx", "1.0.0", VDEP("yyyy", "1", ""), ""));
    put_file(dir, "yy/yy/yyyy", VLINE("yyyy", "1.0.0", VDEP("xxxx", "1", "") "," VDEP("ssss", "=2.0.0", ""), ""));
    vs_error err;
    vs_error_clear(&err);
    cargo_index *ix = cargo_index_open(dir, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    static const char deps[] = "uuuu = \"1\"\ntttt = { version = \"1\", features = [\"tls\"] }\nvvvv = \"1\"\n"
                               "wwww = \"1\"\nw2 = { package = \"wwww\", version = \"1\", features = [\"tls\"] }\n"
                               "xxxx = \"1\"\n";
    static const char expected[] = "z root=1 via tttt ssss: ssss 1.0.0\n"
                                   "z root=2 via vvvv tttt ssss: ssss 1.0.0\n"
                                   "z root=4 via wwww tttt ssss: ssss 1.0.0\n"
                                   "z root=5 via xxxx yyyy ssss: ssss 2.0.0\n"
                                   "clash 0 3\n";
    const char *crates[] = { "ssss" }, *ways[] = { "tttt", "uuuu", "vvvv", "wwww", "xxxx", "yyyy" };
    char got[1000];
    pins_case(ix, dir, "named", deps, crates, 1, ways, 6, got, sizeof got);
    ck_assert_str_eq(got, expected);
    pins_case(ix, dir, "any", deps, NULL, 0, NULL, 0, got, sizeof got);
    ck_assert_str_eq(got, expected);
    /* without the feature anywhere, no pin; tttt alone is not on the way: none through it */
    pins_case(ix, dir, "plain", "uuuu = \"1\"\nwwww = \"1\"\n", crates, 1, ways, 6, got, sizeof got);
    ck_assert_str_eq(got, "");
    pins_case(ix, dir, "off-way", deps, crates, 1, ways + 1, 5, got, sizeof got);
    ck_assert_str_eq(got, "z root=5 via xxxx yyyy ssss: ssss 2.0.0\n");
    cargo_index_close(ix);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

#define FLINE(name, vers) "{\"name\":\"" name "\",\"vers\":\"" vers "\",\"deps\":[],\"features\":{\"yes\":[]}}\n"

/* cargo's words for a missing feature list the matching versions newest first, whether the
 * index lists them oldest first (reversed) or in another order (sorted). */
START_TEST(missing_feature_versions_newest_first)
{
    char dir[] = "/tmp/vsolve-order-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put_file(dir, "ab/cd/abcd", FLINE("abcd", "1.0.0") FLINE("abcd", "1.1.0") FLINE("abcd", "1.2.0") FLINE("abcd", "2.0.0"));
    put_file(dir, "wx/yz/wxyz", FLINE("wxyz", "1.1.0") FLINE("wxyz", "1.0.0") FLINE("wxyz", "1.2.0") FLINE("wxyz", "1.0.1"));
    static const char *const crates[] = { "abcd", "wxyz" };
    static const char *const want[] = { "are: 1.2.0, 1.1.0, 1.0.0\n", "are: 1.2.0, 1.1.0, 1.0.1, 1.0.0\n" };
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    cargo_index *ix = cargo_index_open(dir, &err);
    ck_assert_msg(ix != NULL, "%s", err.message);
    for (size_t i = 0; i < 2; i++) {
        char text[200], manifest[200];
        snprintf(text, sizeof text, "[package]\nname = \"root\"\nversion = \"0.1.0\"\n\n[dependencies]\n"
                                    "%s = { version = \"1\", features = [\"nope\"] }\n", crates[i]);
        put_file(dir, crates[i][0] == 'a' ? "r1/Cargo.toml" : "r2/Cargo.toml", text);
        snprintf(manifest, sizeof manifest, "%s/%s/Cargo.toml", dir, crates[i][0] == 'a' ? "r1" : "r2");
        cargo_manifest m;
        ck_assert_msg(cargo_manifest_read(&a, manifest, &m, &err) == VSOLVE_OK, "%s", err.message);
        char report[2048];
        size_t n = cargo_missing_feature_report(ix, &m, dir, report, sizeof report);
        ck_assert_msg(n > 0 && n < sizeof report, "%zu", n);
        ck_assert_msg(strstr(report, want[i]) != NULL, "%s", report);
    }
    cargo_index_close(ix);
    arena_free(&a);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(index_paths)
{
    char buf[64];
    cargo_index_path("a", buf, sizeof buf);
    ck_assert_str_eq(buf, "1/a");
    cargo_index_path("ab", buf, sizeof buf);
    ck_assert_str_eq(buf, "2/ab");
    cargo_index_path("Abc", buf, sizeof buf);
    ck_assert_str_eq(buf, "3/a/abc");
    cargo_index_path("Serde_Json", buf, sizeof buf);
    ck_assert_str_eq(buf, "se/rd/serde_json");
}
END_TEST

START_TEST(malformed_index_line)
{
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    cargo_version v;
    const char *bad[][2] = {
        { "{\"name\":\"x\",\"vers\":\"1.0\"}", "x:7:" },                        /* not semver */
        { "{\"name\":\"x\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"y\",\"req\":\"~~1\"}]}", "x:7:" },
        { "{\"name\":\"x\",\"vers\":", "x:7:" },                               /* truncated JSON */
        { "[1,2]", "x:7:" },
        { "{\"vers\":\"1.0.0\"}", "x:7:" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vs_error_clear(&err);
        ck_assert_int_eq(cargo_parse_index_line(&a, "x", 7, bad[i][0], strlen(bad[i][0]), &v, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strncmp(err.message, bad[i][1], strlen(bad[i][1])) == 0, "%s -> %s", bad[i][0], err.message);
    }
    const char *good = "{\"name\":\"x\",\"vers\":\"1.2.3-rc.1+b\",\"deps\":[{\"name\":\"z\",\"package\":\"y\",\"req\":\"^1\","
                       "\"features\":[\"f\"],\"optional\":true,\"default_features\":false,\"target\":\"cfg(unix)\",\"kind\":\"build\"}],"
                       "\"features\":{\"a\":[\"z/f\"]},\"features2\":{\"b\":[\"dep:z\"]},\"cksum\":\"00\",\"yanked\":true,\"links\":\"q\"}";
    ck_assert_int_eq(cargo_parse_index_line(&a, "x", 1, good, strlen(good), &v, &err), VSOLVE_OK);
    ck_assert_uint_eq(v.n_deps, 1);
    ck_assert_str_eq(v.deps[0].name, "z");
    ck_assert_str_eq(v.deps[0].package, "y");
    ck_assert_int_eq(v.deps[0].optional, 1);
    ck_assert_int_eq(v.deps[0].default_features, 0);
    ck_assert_int_eq(v.deps[0].kind, CARGO_BUILD);
    ck_assert_uint_eq(v.n_features, 2);
    ck_assert_int_eq(v.yanked, 1);
    ck_assert_str_eq(v.links, "q");
    arena_free(&a);
}
END_TEST

/* Manifests vsolve cannot use say where and why. */
START_TEST(malformed_manifests)
{
    static const char *const cases[][2] = {
        { "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = { git = \"https://g/serde\", tag = \"a\", rev = \"b\" }\n",
          "Cargo.toml:5:53: dependency (serde) specification is ambiguous: only one of `branch`, `tag` or `rev`" },
        { "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = { git = \"https://g/serde\", path = \"s\" }\n",
          "Cargo.toml:5:17: dependency (serde) specification is ambiguous: only one of `git` or `path`" },
        { "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = { path = 3 }\n",
          "Cargo.toml:5:18: expected the path of dependency serde as a string" },
        { "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"^^1\"\n",
          "Cargo.toml:5:9: expected a version requirement for serde" },
        { "[package]\nname = \"x\"\n[dependencies\n", "Cargo.toml:3:" },
        { "[dependencies]\nserde = \"1\"\n", "Cargo.toml:1:1: expected a [package] table" },
        { "[package]\nname = 3\n", "Cargo.toml:2:8: expected package.name as a string" },
        { "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = { version = \"1\", optional = \"yes\" }\n",
          "Cargo.toml:5:37: expected optional = true or false for serde" },
        { "[package]\nname = \"x\"\nversion.workspace = true\n[workspace]\n",
          "Cargo.toml:3:21: error inheriting `version` from workspace root manifest's `workspace.package.version`" },
        { "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde.workspace = true\n",
          "Cargo.toml:5:19: error inheriting `serde` from workspace root manifest's `workspace.dependencies.serde`: "
          "`dependency.serde` was not found in `workspace.dependencies` (no [workspace] above it)" },
        { "[workspace]\nmembers = [\"../escape\", \"a\"]\n", "Cargo.toml:2:12: workspace member `../escape` lies outside" },
        { "[workspace]\nmembers = [\"/etc\"]\n", "Cargo.toml:2:12: workspace member `/etc` lies outside" },
        { "[workspace]\n[dependencies]\nserde = \"1\"\n", "Cargo.toml:1:1: this virtual manifest specifies a `dependencies`" },
        { "[workspace]\nmembers = \"a\"\n", "Cargo.toml:2:11: expected a list of strings" },
        { "[package]\nname = \"x\"\n[replace]\n\"itoa:0.4.4\" = { path = \"i\" }\n", "Cargo.toml:3:1: [replace] is not supported" },
        { "[package]\nname = \"x\"\n[patch.other]\nitoa = { path = \"i\" }\n", "[patch.\"other\"]: vsolve patches crates-io only" },
    };
    char dir[] = "/tmp/vsolve-manifest-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[200];
    snprintf(path, sizeof path, "%s/Cargo.toml", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i][0], f);
        fclose(f);
        arena a;
        arena_init(&a);
        vs_error err;
        vs_error_clear(&err);
        cargo_manifest m;
        ck_assert_int_eq(cargo_manifest_read(&a, path, &m, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, cases[i][1]) != NULL, "case %zu: %s", i, err.message);
        arena_free(&a);
    }
    remove(path);
    rmdir(dir);
}
END_TEST

/* tests/data/cargo's manifest refusals (workspace, patch): vsolve names what cargo 1.95 names
 * (error.txt). */
START_TEST(workspace_refusals)
{
    static const char *const cases[][3] = {
        { "bad-member", "failed to load manifest for workspace member `", "/crates/missing`" },
        { "bad-inherit", "error inheriting `serde` from workspace root manifest's `workspace.dependencies.serde`",
          "`dependency.serde` was not found in `workspace.dependencies`" },
        { "patch-same-source", "patch for `itoa` points to the same source, but patches must point to different sources",
          "patch for `itoa`" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4200], etxt[4200];
        snprintf(path, sizeof path, "%s/%s/Cargo.toml", test_source_path("tests/data/cargo"), cases[i][0]);
        snprintf(etxt, sizeof etxt, "%s/%s/error.txt", test_source_path("tests/data/cargo"), cases[i][0]);
        char *cargo = test_slurp(etxt, NULL);
        ck_assert_ptr_nonnull(cargo);
        arena a;
        arena_init(&a);
        vs_error err;
        vs_error_clear(&err);
        cargo_manifest m;
        ck_assert_int_eq(cargo_manifest_read(&a, path, &m, &err), VSOLVE_EBADINPUT);
        for (int k = 1; k < 3; k++) {   /* the same words in both */
            ck_assert_msg(strstr(err.message, cases[i][k]) != NULL, "%s: %s", cases[i][0], err.message);
            ck_assert_msg(strstr(cargo, cases[i][k]) != NULL, "%s: cargo: %s", cases[i][0], cargo);
        }
        ck_assert_msg(strstr(err.message, "Cargo.toml:") != NULL, "%s: no file:line:col: %s", cases[i][0], err.message);
        free(cargo);
        arena_free(&a);
    }
}
END_TEST

/* git dependencies: tests/data/cargo/git-dep against cargo 1.95's lock (the checkouts hold
 * the manifests and the refs cargo saw: a tag over a loose branch ref, a branch with '/' and
 * '+' in packed-refs whose package is a workspace member with a path dependency, a short rev
 * over a detached HEAD); then a .git folder, and the refusals. */
START_TEST(git_dependencies)
{
    const char *index = test_corpus_path("crates-io-index-2019-11-10.tar.gz");
    char dir[4200], co[3][4400];
    snprintf(dir, sizeof dir, "%s/git-dep", test_source_path("tests/data/cargo"));
    static const char *const names[] = { "gdep", "gtool", "gmini" };
    const char *checkouts[3];
    for (int i = 0; i < 3; i++) {
        snprintf(co[i], sizeof co[i], "file:///tmp/vsolve-git-fixture/%s=%s/checkouts/%s", names[i], dir, names[i]);
        checkouts[i] = co[i];
    }
    vs_error err;
    vs_error_clear(&err);
    if (index) {
        cargo_index *ix = cargo_index_open(index, &err);
        ck_assert_msg(ix != NULL, "%s", err.message);
        int refused = 0;
        ck_assert_msg(check_project_git(ix, dir, "git-dep", &refused, checkouts, 3), "git-dep: not cargo's lock");
        ck_assert_int_eq(refused, 0);
        /* without a checkout: refused, naming the URL and the option */
        arena a;
        arena_init(&a);
        cargo_manifest m;
        char path[4300];
        snprintf(path, sizeof path, "%s/Cargo.toml", dir);
        ck_assert_msg(cargo_manifest_read(&a, path, &m, &err) == VSOLVE_OK, "%s", err.message);
        cargo_problem pb;
        cargo_options opt = { NULL, 0, 0, 1, NULL, checkouts, 2, 0, NULL, 0, 0 };
        ck_assert_int_eq(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, "git dependency gmini") &&
                      strstr(err.message, "--git-checkout file:///tmp/vsolve-git-fixture/gmini=PATH"), "%s", err.message);
        cargo_problem_free(&pb);
        arena_free(&a);
        /* two references of one repository would be two packages of one name: refused */
        char tdir[] = "/tmp/vsolve-gitref-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tdir));
        snprintf(path, sizeof path, "%s/Cargo.toml", tdir);
        FILE *mf = fopen(path, "w");
        fputs("[package]\nname = \"two\"\nversion = \"0.1.0\"\n[dependencies]\n"
              "gdep = { git = \"file:///tmp/vsolve-git-fixture/gdep\", tag = \"v0.3.1\" }\n"
              "gdep2 = { git = \"file:///tmp/vsolve-git-fixture/gdep\", branch = \"main\", package = \"gdep\" }\n", mf);
        fclose(mf);
        arena_init(&a);
        ck_assert_msg(cargo_manifest_read(&a, path, &m, &err) == VSOLVE_OK, "%s", err.message);
        opt.n_git_checkouts = 3;
        ck_assert_int_eq(cargo_problem_build(&pb, ix, &m, NULL, 0, &opt, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, "dependency gdep2 names another package gdep") &&
                      strstr(err.message, "?tag=v0.3.1#"), "%s", err.message);
        cargo_problem_free(&pb);
        arena_free(&a);
        remove(path);
        rmdir(tdir);
        cargo_index_close(ix);
    }
    /* a checkout with a .git folder: HEAD through a packed ref; rev and branch checked */
    char tmp[] = "/tmp/vsolve-git-XXXXXX", p[300];
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(p, sizeof p, "mkdir -p '%s/.git/refs/heads'", tmp);
    ck_assert_int_eq(system(p), 0);
    const char *hash = "0123456789abcdef0123456789abcdef01234567", *other = "89abcdef0123456789abcdef0123456789abcdef";
    snprintf(p, sizeof p, "%s/.git/HEAD", tmp);
    FILE *f = fopen(p, "w");
    fputs("ref: refs/heads/dev\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/.git/packed-refs", tmp);
    f = fopen(p, "w");
    fprintf(f, "# pack-refs with: peeled\n%s refs/heads/dev\n%s refs/heads/main\n", hash, other);
    fclose(f);
    char commit[41];
    cargo_git_ref g = { "https://example.org/r.git", NULL, NULL };
    ck_assert_int_eq(cargo_git_commit(tmp, &g, commit, &err), 0);
    ck_assert_str_eq(commit, hash);
    char src[300];
    ck_assert_uint_lt(cargo_git_source(&g, commit, src, sizeof src), sizeof src);
    ck_assert_str_eq(src, "git+https://example.org/r.git#0123456789abcdef0123456789abcdef01234567");
    g = (cargo_git_ref){ "https://example.org/r.git", "branch", "a b/c~" };
    cargo_git_source(&g, commit, src, sizeof src);
    ck_assert_str_eq(src, "git+https://example.org/r.git?branch=a+b%2Fc%7E#0123456789abcdef0123456789abcdef01234567");
    g = (cargo_git_ref){ "https://example.org/r.git", "rev", "0123456" };
    ck_assert_int_eq(cargo_git_commit(tmp, &g, commit, &err), 0);
    g.value = "89abcde";
    ck_assert_int_eq(cargo_git_commit(tmp, &g, commit, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "is at 0123456789abcdef0123456789abcdef01234567, not at rev 89abcde"), "%s", err.message);
    g = (cargo_git_ref){ "https://example.org/r.git", "branch", "main" };
    ck_assert_int_eq(cargo_git_commit(tmp, &g, commit, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "its branch main is at 89abcdef"), "%s", err.message);
    /* HEAD naming a ref outside refs/, or nothing: refused, nothing read there */
    snprintf(p, sizeof p, "%s/.git/HEAD", tmp);
    f = fopen(p, "w");
    fputs("ref: refs/../../../etc/passwd\n", f);
    fclose(f);
    g.kind = NULL;
    ck_assert_int_eq(cargo_git_commit(tmp, &g, commit, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "cannot read HEAD"), "%s", err.message);
    snprintf(p, sizeof p, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(p), 0);
    ck_assert_ptr_null(cargo_git_checkout(checkouts, 3, "file:///tmp/vsolve-git-fixture/gd"));
    ck_assert_ptr_nonnull(cargo_git_checkout(checkouts, 3, "file:///tmp/vsolve-git-fixture/gdep"));
}
END_TEST

/* Workspace members from globs: folders only, excludes applied, the workspace folder's own name
 * taken literally (here it holds glob characters). */
START_TEST(workspace_globs)
{
    char tmp[] = "/tmp/vsolve-ws[*]-XXXXXX", cmd[600], path[400];
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/crates/a' '%s/crates/b' '%s/crates/skip' && touch '%s/crates/README'", tmp, tmp, tmp, tmp);
    ck_assert_int_eq(system(cmd), 0);
    static const char *const names[] = { "a", "b", "skip" };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/crates/%s/Cargo.toml", tmp, names[i]);
        FILE *f = fopen(path, "w");
        fprintf(f, "[package]\nname = \"%s\"\nversion.workspace = true\n", names[i]);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/Cargo.toml", tmp);
    FILE *f = fopen(path, "w");
    fputs("[workspace]\nmembers = [\"crates/*\", \"crates/a\"]\nexclude = [\"crates/skip\"]\n"
          "[workspace.package]\nversion = \"2.0.1\"\n", f);
    fclose(f);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    cargo_manifest m;
    ck_assert_msg(cargo_manifest_read(&a, path, &m, &err) == VSOLVE_OK, "%s", err.message);
    ck_assert_ptr_null(m.name);
    ck_assert_uint_eq(m.n_members, 2);   /* a once, b; not skip, not the README file */
    ck_assert_str_eq(m.members[0]->name, "a");
    ck_assert_str_eq(m.members[1]->name, "b");
    ck_assert_str_eq(m.members[1]->version, "2.0.1");
    ck_assert(cargo_workspace_contains(m.ws, m.members[0]->path));
    snprintf(path, sizeof path, "%s/crates/skip/Cargo.toml", tmp);
    ck_assert(!cargo_workspace_contains(m.ws, path));
    snprintf(path, sizeof path, "%s/../elsewhere/Cargo.toml", tmp);
    ck_assert(!cargo_workspace_contains(m.ws, path));
    arena_free(&a);
    char norm[64];
    ck_assert_int_eq(cargo_path_normalize("a/./b/../../../c//d/", norm, sizeof norm), 0);
    ck_assert_str_eq(norm, "../c/d");
    ck_assert_int_eq(cargo_path_normalize("/../x/..", norm, sizeof norm), 0);
    ck_assert_str_eq(norm, "/");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *cargo_suite(void)
{
    Suite *s = suite_create("cargo");
    TCase *tc = tcase_create("cargo");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, index_paths);
    tcase_add_test(tc, malformed_index_line);
    tcase_add_test(tc, malformed_manifests);
    tcase_add_test(tc, reads_only_the_reachable);
    tcase_add_test(tc, fast_path_gives_up);
    tcase_add_test(tc, pins_through_features_and_cycles);
    tcase_add_test(tc, missing_feature_versions_newest_first);
    tcase_add_test(tc, synthetic_index_projects);
    tcase_add_test(tc, real_index_projects);
    tcase_add_test(tc, refusals_in_cargo_words);
    tcase_add_test(tc, links_refusal_by_pins);
    tcase_add_test(tc, feature_projects);
    tcase_add_test(tc, first_candidates_projects);
    tcase_add_test(tc, locked_older_range_kept);
    tcase_add_test(tc, workspace_refusals);
    tcase_add_test(tc, git_dependencies);
    tcase_add_test(tc, workspace_globs);
    suite_add_tcase(s, tc);
    return s;
}

