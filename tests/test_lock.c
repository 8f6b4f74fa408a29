/* test_lock.c: `vsolve lock` on real metadata (both snapshots), checked independently of the
 * lock code: every vendored package depends on dune, every dev-repo at one archive, every
 * checksum equal to its opam file's, the provided set closed downwards, the package set accepted
 * by the checker; the monorepo rules' refusals; --lock; opam and nix read the files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checker.h"
#include "json.h"
#include "opam_filter.h"
#include "opam_monorepo.h"
#include "opam_repo.h"
#include "opam_syntax.h"
#include "repo_source.h"
#include "testutil.h"
#include "vsolve.h"
#include <stdint.h>

#define SNAP_2022 "opam-repository-2022-10-09.tar.gz"
#define SNAP_2026 "opam-repository-2026-08-22.tar.gz"

/* ---- running the command ---------------------------------------------------------------- */

typedef struct run {
    int status;
    char *out, *err;
} run;


static run sh(const char *cmd_fmt, const char *a, const char *b)
{
    char cmd[8192], out[128], err[128];
    snprintf(out, sizeof out, "/tmp/vsolve-lock-out.%d", (int)getpid());
    snprintf(err, sizeof err, "/tmp/vsolve-lock-err.%d", (int)getpid());
    int n = snprintf(cmd, sizeof cmd, cmd_fmt, a, b);
    snprintf(cmd + n, sizeof cmd - (size_t)n, " >%s 2>%s", out, err);
    int st = system(cmd);
    run r = { WIFEXITED(st) ? WEXITSTATUS(st) : -1, test_slurp(out, NULL), test_slurp(err, NULL) };
    if (!r.out)
        r.out = strdup("");
    if (!r.err)
        r.err = strdup("");
    remove(out);
    remove(err);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

/* vsolve --ecosystem opam --repo SNAPSHOT ARGS */
static run lock_cmd(const char *snapshot, const char *args)
{
    char fmt[4096];
    snprintf(fmt, sizeof fmt, "%s/vsolve --ecosystem opam --repo %%s %s", VSOLVE_BINARY_DIR, args);
    return sh(fmt, test_corpus_path(snapshot), NULL);
}

static char *temp_dir(void)
{
    char *d = strdup("/tmp/vsolve-lock-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void remove_dir(const char *d)
{
    run r = sh("rm -rf '%s'", d, NULL);
    run_free(&r);
}

static int file_exists(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0;
}

/* ---- the independent check -------------------------------------------------------------- */

typedef struct lock_pkg {
    const char *name, *version, *mode, *url, *dir, *dev_repo;
    const json_value *checksums;
    uint32_t id;
} lock_pkg;

typedef struct expected_sum {
    char path[512];
    const lock_pkg *pkg;
    int seen;
} expected_sum;

typedef struct sums {
    expected_sum *items;
    size_t n;
    int mismatches;
    arena mem;
} sums;

static int want_sums(void *user, const char *path)
{
    sums *s = user;
    for (size_t i = 0; i < s->n; i++) {
        size_t pl = strlen(path), el = strlen(s->items[i].path);
        if (pl >= el && !strcmp(path + pl - el, s->items[i].path) && (pl == el || path[pl - el - 1] == '/'))
            return 1;
    }
    return 0;
}

static int in_json_list(const json_value *l, const char *s)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (!strcmp(l->items[i]->str, s))
            return 1;
    return 0;
}

/* Compares the lock's checksums with the opam file's url { checksum } (its text, parsed here). */
static int on_sums(void *user, const char *path, const char *data, size_t len)
{
    sums *s = user;
    vs_error err;
    vs_error_clear(&err);
    const opam_file *f = opam_parse(&s->mem, path, data, len, &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    for (size_t i = 0; i < s->n; i++) {
        size_t pl = strlen(path), el = strlen(s->items[i].path);
        if (pl < el || strcmp(path + pl - el, s->items[i].path))
            continue;
        s->items[i].seen = 1;
        size_t found = 0;
        for (size_t k = 0; k < f->n_items; k++) {
            const opam_item *sec = f->items[k];
            if (!sec->is_section || strcmp(sec->name, "url"))
                continue;
            for (size_t j = 0; j < sec->n_items; j++) {
                const opam_item *it = sec->items[j];
                if (it->is_section || strcmp(it->name, "checksum"))
                    continue;
                const opam_node *v = it->value;
                opam_node *const *vals = v->kind == OPAM_LIST ? v->items : (opam_node *const *)&v;
                size_t nv = v->kind == OPAM_LIST ? v->n_items : 1;
                for (size_t q = 0; q < nv; q++) {
                    char sum[300];
                    snprintf(sum, sizeof sum, "%s%s", strchr(vals[q]->str, '=') ? "" : "md5=", vals[q]->str);
                    if (!in_json_list(s->items[i].pkg->checksums, sum)) {
                        fprintf(stderr, "%s: checksum %s not in the lock\n", path, sum);
                        s->mismatches++;
                    }
                    found++;
                }
            }
        }
        if (found != s->items[i].pkg->checksums->n) {
            fprintf(stderr, "%s: %zu checksums in the opam file, %zu in the lock\n", path, found,
                    s->items[i].pkg->checksums->n);
            s->mismatches++;
        }
    }
    return VSOLVE_OK;
}

static void dev_repo_norm(const char *d, char *buf, size_t size)
{
    if (!strncmp(d, "git+", 4))
        d += 4;
    snprintf(buf, size, "%s", d);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '/')
        buf[--n] = '\0';
    if (n > 4 && !strcmp(buf + n - 4, ".git"))
        buf[n - 4] = '\0';
}

static const char *jstr(const json_value *o, const char *key)
{
    const json_value *v = json_get(o, key);
    return v && v->kind == JSON_STRING ? v->str : NULL;
}

/* Checks the JSON lock at json_path against the snapshot read with vars, the roots' direct
 * requirements given as atoms. Returns the parsed packages' count. */
static size_t check_lock(const char *snapshot, const char *const *vars, const char *json_path,
                         const char *const *atoms, size_t n_atoms)
{
    size_t len;
    char *text = test_read_file(json_path, &len);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    const json_value *lock = json_parse(&a, json_path, text, len, &err);
    ck_assert_msg(lock != NULL, "%s", err.message);
    ck_assert_int_eq((int)json_get(lock, "lock-version")->num, 1);
    ck_assert_str_eq(jstr(lock, "ecosystem"), "opam");

    vs_universe u;
    opam_vars ov;
    ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
    ck_assert_int_eq(opam_vars_init(&ov), VSOLVE_OK);
    for (size_t i = 0; vars && vars[i]; i += 2)
        opam_vars_set(&ov, vars[i], vars[i + 1]);
    ck_assert_int_eq(opam_load_repository(&u, test_corpus_path(snapshot), &ov, NULL, &err), VSOLVE_OK);

    const json_value *pkgs = json_get(lock, "packages");
    lock_pkg *lp = calloc(pkgs->n, sizeof *lp);
    unsigned char *chosen = calloc(u.pkgs.len, 1);
    uint32_t *mode_of = calloc(u.pkgs.len, sizeof *mode_of);   /* 1 vendored, 2 provided */
    u32_vec ids = { 0 };
    size_t vendored = 0, provided = 0;
    for (size_t i = 0; i < pkgs->n; i++) {
        const json_value *p = pkgs->items[i];
        lock_pkg *l = &lp[i];
        l->name = jstr(p, "name");
        l->version = jstr(p, "version");
        l->mode = jstr(p, "mode");
        l->id = VS_NONE;
        if (!strcmp(l->mode, "root"))
            continue;
        uint32_t nm = universe_find_name(&u, l->name), first, count;
        ck_assert_msg(nm != VS_NONE, "%s is not in the repository", l->name);
        universe_name_pkgs(&u, nm, &first, &count);
        for (uint32_t j = 0; j < count; j++)
            if (!strcmp(universe_pkg_version(&u, first + j), l->version))
                l->id = first + j;
        ck_assert_msg(l->id != VS_NONE, "%s.%s is not in the repository", l->name, l->version);
        chosen[l->id] = 1;
        vec_push(&ids, l->id);
        if (!strcmp(l->mode, "vendored")) {
            mode_of[l->id] = 1;
            vendored++;
            l->url = jstr(p, "url");
            l->dir = jstr(p, "dir");
            l->dev_repo = jstr(p, "dev-repo");
            l->checksums = json_get(p, "checksums");
            ck_assert_ptr_nonnull(l->url);
            ck_assert_ptr_nonnull(l->dir);
            ck_assert_msg(l->checksums && l->checksums->n > 0, "%s vendored without a checksum", l->name);
        } else {
            ck_assert_str_eq(l->mode, "provided");
            mode_of[l->id] = 2;
            provided++;
        }
    }
    ck_assert_uint_gt(vendored, 0);
    ck_assert_uint_gt(provided, 0);

    /* every vendored package depends on dune (a clause naming dune or jbuilder) */
    for (size_t i = 0; i < pkgs->n; i++) {
        if (lp[i].id == VS_NONE || mode_of[lp[i].id] != 1)
            continue;
        uint32_t first, count;
        int dune = 0;
        universe_clauses(&u, lp[i].id, 0, &first, &count);
        for (uint32_t c = 0; c < count && !dune; c++) {
            const vs_clause *cl = &u.clauses.items[first + c];
            for (uint32_t j = 0; j < cl->count && !dune; j++) {
                const char *n = universe_pkg_name(&u, u.ids.items[cl->first + j]);
                dune = !strcmp(n, "dune") || !strcmp(n, "jbuilder");
            }
        }
        ck_assert_msg(dune, "vendored %s.%s does not depend on dune", lp[i].name, lp[i].version);
    }
    /* every dev-repo group at one archive, in one directory; every source lists its packages */
    for (size_t i = 0; i < pkgs->n; i++)
        for (size_t k = i + 1; k < pkgs->n; k++) {
            if (!lp[i].dev_repo || !lp[k].dev_repo || !lp[i].dev_repo[0])
                continue;
            char a1[1024], a2[1024];
            dev_repo_norm(lp[i].dev_repo, a1, sizeof a1);
            dev_repo_norm(lp[k].dev_repo, a2, sizeof a2);
            if (strcmp(a1, a2))
                continue;
            ck_assert_msg(!strcmp(lp[i].url, lp[k].url), "%s and %s share %s but not the archive (%s, %s)", lp[i].name,
                          lp[k].name, a1, lp[i].url, lp[k].url);
            ck_assert_str_eq(lp[i].dir, lp[k].dir);
            ck_assert_uint_eq(lp[i].checksums->n, lp[k].checksums->n);
            for (size_t c = 0; c < lp[i].checksums->n; c++)
                ck_assert(in_json_list(lp[k].checksums, lp[i].checksums->items[c]->str));
        }
    const json_value *sources = json_get(lock, "sources");
    for (size_t i = 0; i < pkgs->n; i++) {
        if (lp[i].id == VS_NONE || mode_of[lp[i].id] != 1)
            continue;
        int found = 0;
        for (size_t s = 0; s < sources->n && !found; s++)
            if (!strcmp(jstr(sources->items[s], "dir"), lp[i].dir)) {
                ck_assert_str_eq(jstr(sources->items[s], "url"), lp[i].url);
                found = in_json_list(json_get(sources->items[s], "packages"), lp[i].name);
            }
        ck_assert_msg(found, "%s is not in its source %s", lp[i].name, lp[i].dir);
    }
    /* every checksum equals the opam file's */
    sums s = { calloc(vendored, sizeof(expected_sum)), 0, 0, { 0 } };
    arena_init(&s.mem);
    for (size_t i = 0; i < pkgs->n; i++)
        if (lp[i].id != VS_NONE && mode_of[lp[i].id] == 1) {
            snprintf(s.items[s.n].path, sizeof s.items[s.n].path, "%s/%s.%s/opam", lp[i].name, lp[i].name, lp[i].version);
            s.items[s.n++].pkg = &lp[i];
        }
    ck_assert_int_eq(repo_source_walk(test_corpus_path(snapshot), 0, want_sums, on_sums, &s, &err), VSOLVE_OK);
    for (size_t i = 0; i < s.n; i++)
        ck_assert_msg(s.items[i].seen, "no opam file for %s", s.items[i].path);
    ck_assert_int_eq(s.mismatches, 0);
    arena_free(&s.mem);
    free(s.items);
    /* the provided set is closed downwards: a chosen provider of a provided package's clause is provided */
    for (size_t i = 0; i < ids.len; i++) {
        uint32_t p = ids.items[i];
        if (mode_of[p] != 2)
            continue;
        uint32_t first, count;
        universe_clauses(&u, p, 0, &first, &count);
        for (uint32_t c = 0; c < count; c++) {
            const vs_clause *cl = &u.clauses.items[first + c];
            for (uint32_t j = 0; j < cl->count; j++) {
                uint32_t q = u.ids.items[cl->first + j];
                ck_assert_msg(!chosen[q] || mode_of[q] == 2, "provided %s.%s needs %s.%s, which is vendored",
                              universe_pkg_name(&u, p), universe_pkg_version(&u, p), universe_pkg_name(&u, q),
                              universe_pkg_version(&u, q));
            }
        }
    }
    /* the package set passes the checker with the roots' requirements */
    vs_request req;
    request_init(&req);
    for (size_t i = 0; i < n_atoms; i++)
        ck_assert_int_eq(opam_add_request_atom(&u, &req, atoms[i], &err), VSOLVE_OK);
    char msg[2048] = "";
    ck_assert_msg(check_solution(&u, &req, ids.items, ids.len, msg, sizeof msg) == 0, "checker: %s", msg);
    request_free(&req);

    size_t n = pkgs->n;
    vec_free(&ids);
    free(lp);
    free(chosen);
    free(mode_of);
    opam_vars_free(&ov);
    universe_free(&u);
    arena_free(&a);
    free(text);
    return n;
}

/* The version of name in a JSON lock's text ("" when absent; static buffer). */
static const char *locked_version(const char *json_path, const char *name)
{
    static char v[128];
    size_t len;
    char *text = test_read_file(json_path, &len);
    char key[256];
    snprintf(key, sizeof key, "\"name\": \"%s\",\n      \"version\": \"", name);
    const char *p = strstr(text, key);
    v[0] = '\0';
    if (p) {
        p += strlen(key);
        size_t n = strcspn(p, "\"");
        snprintf(v, sizeof v, "%.*s", (int)n, p);
    }
    free(text);
    return v;
}

static const char *mode_in(const char *json_path, const char *name)
{
    static char m[32];
    size_t len;
    char *text = test_read_file(json_path, &len);
    char key[256];
    snprintf(key, sizeof key, "\"name\": \"%s\",", name);
    const char *p = strstr(text, key);
    m[0] = '\0';
    if (p && (p = strstr(p, "\"mode\": \"")) != NULL) {
        p += 9;
        snprintf(m, sizeof m, "%.*s", (int)strcspn(p, "\""), p);
    }
    free(text);
    return m;
}

/* opam and nix read the files (both installed by .ci/run; SKIP outside CI when missing). */
static int have_tool(const char *tool)
{
    run r = sh("command -v %s", tool, NULL);
    int ok = r.status == 0;
    run_free(&r);
    if (!ok) {
        const char *ci = getenv("CI");
        ck_assert_msg(!(ci && !strcmp(ci, "true")), "%s is not installed (.ci/run installs it)", tool);
        printf("SKIP: %s is not installed (apt-get install opam nix-bin)\n", tool);
    }
    return ok;
}

static void tools_read(const char *dir, const char *name)
{
    char path[1024];
    if (have_tool("opam")) {
        snprintf(path, sizeof path, "%s/%s.opam.locked", dir, name);
        run r = sh("OPAMROOT=/nonexistent-vsolve-opamroot opam show --just-file --raw -fdepends,x-opam-monorepo-duniverse-dirs,x-opam-monorepo-version %s",
                   path, NULL);
        ck_assert_msg(r.status == 0, "opam show: %s", r.err);
        ck_assert_msg(strstr(r.out, "{= \"") && strstr(r.out, "0.3"), "opam show printed: %s", r.out);
        run_free(&r);
    }
    if (have_tool("nix-instantiate")) {
        snprintf(path, sizeof path, "%s/%s.lock.json", dir, name);
        run r = sh("nix-instantiate --eval --option substituters '' -E "
                   "'let l = builtins.fromJSON (builtins.readFile %s); in "
                   "toString (builtins.length l.packages) + \" \" + (builtins.head l.sources).dir'", path, NULL);
        ck_assert_msg(r.status == 0, "nix-instantiate: %s", r.err);
        ck_assert_msg(r.out[0] == '"' && r.out[1] >= '1' && r.out[1] <= '9', "nix printed: %s", r.out);
        run_free(&r);
    }
}

/* ---- the tests ------------------------------------------------------------------------------- */

static const char *const dns_atoms[] = { "ocaml>=4.08.0", "dune>=3.0", "arp>=3.0.0", "arp<5.0.0", "dns-server>=6.0.0",
                                         "duration>=0.1.2", "ethernet>=3.0.0", "lwt>=5.6.0", "mirage-ptime>=5.0.0",
                                         "mirage-mtime>=5.0.0", "mirage-logs>=1.3.0", "mirage-net-unix>=2.3.0",
                                         "mirage-crypto-rng-mirage>=1.0.0", "mirage-runtime>=4.4.0",
                                         "mirage-sleep>=4.0.0", "tcpip>=7.0.0" };

START_TEST(dns_unikernel_2026)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048];
    /* without --auto-provide: cmdliner (not built with dune) is refused, with the chain to it */
    snprintf(args, sizeof args, "lock %s -o %s", test_source_path("tests/data/lock/dns-2026/dns-unikernel-monorepo.opam"), dir);
    run r = lock_cmd(SNAP_2026, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "cmdliner at a version that does not build with dune") && strstr(r.err, "rule 2") &&
                  strstr(r.err, "is needed through: dns-unikernel needs") && strstr(r.err, "-> cmdliner."), "%s", r.err);
    ck_assert(!file_exists(dir, "dns-unikernel.opam.locked") && !file_exists(dir, "dns-unikernel.lock.json"));
    run_free(&r);
    /* with it: a lock, twice, byte-identical */
    snprintf(args, sizeof args, "lock --auto-provide %s -o %s",
             test_source_path("tests/data/lock/dns-2026/dns-unikernel-monorepo.opam"), dir);
    r = lock_cmd(SNAP_2026, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strstr(r.out, "dns-unikernel.opam.locked") && strstr(r.out, "vendored"));
    run_free(&r);
    char json[1024], opam[1024];
    snprintf(json, sizeof json, "%s/dns-unikernel.lock.json", dir);
    snprintf(opam, sizeof opam, "%s/dns-unikernel.opam.locked", dir);
    char *first_json = test_slurp(json, NULL), *first_opam = test_slurp(opam, NULL);
    r = lock_cmd(SNAP_2026, args);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    char *again_json = test_slurp(json, NULL), *again_opam = test_slurp(opam, NULL);
    ck_assert_str_eq(first_json, again_json);
    ck_assert_str_eq(first_opam, again_opam);
    /* what the rules say of a few packages */
    ck_assert_str_eq(mode_in(json, "cmdliner"), "provided");   /* auto-provided: not dune */
    ck_assert_str_eq(mode_in(json, "dune"), "provided");       /* rule 4 */
    ck_assert_str_eq(mode_in(json, "ocaml"), "provided");
    ck_assert_str_eq(mode_in(json, "dns-server"), "vendored");
    ck_assert_str_eq(mode_in(json, "dns-unikernel"), "root");
    ck_assert(strstr(first_opam, "\"dns-server\" {= \"") && strstr(first_opam, " & ?vendor}\n") &&
              strstr(first_opam, "x-opam-monorepo-root-packages: [\"dns-unikernel\"]\nx-opam-monorepo-version: \"0.3\"\n"));
    ck_assert(strstr(first_json, "\"dir\": \"ocaml-dns\"") && strstr(first_json, "\"dir\": \"dune.src\""));
    check_lock(SNAP_2026, NULL, json, dns_atoms, sizeof dns_atoms / sizeof *dns_atoms);
    tools_read(dir, "dns-unikernel");
    free(first_json);
    free(first_opam);
    free(again_json);
    free(again_opam);
    remove_dir(dir);
    free(dir);
}
END_TEST

static const char *const dnsish_atoms[] = { "ocaml>=4.08.0", "ocaml-system", "dune>=2.7", "lwt>=5.4.0", "re", "stringext",
                                            "ppx_sexp_conv", "sexplib0", "cmdliner", "fmt", "logs", "cstruct", "ipaddr",
                                            "domain-name", "duration" };

/* A project that names no compiler (corpora/dnsmini): the provided compiler is the switch's, so
 * the lock holds it and no other compiler package stands in for it. */
START_TEST(provided_compiler_is_the_switchs)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048];
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --provided-file %s %s -o %s",
             test_source_path("corpora/dnsmini/provided.txt"), test_source_path("corpora/dnsmini"), dir);
    run r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char json[1024];
    snprintf(json, sizeof json, "%s/dnsmini.lock.json", dir);
    ck_assert_str_eq(locked_version(json, "ocaml-system"), "4.13.1");
    ck_assert_str_eq(locked_version(json, "ocaml"), "4.13.1");
    ck_assert_str_eq(locked_version(json, "ocaml-variants"), "");
    ck_assert_str_eq(locked_version(json, "ocaml-base-compiler"), "");
    free(dir);
}
END_TEST

START_TEST(dns_like_2022_system)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048];
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --provided-file %s %s -o %s",
             test_source_path("tests/data/lock/dns-2022/provided.txt"), test_source_path("tests/data/lock/dns-2022"), dir);
    run r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char json[1024];
    snprintf(json, sizeof json, "%s/dnsish.lock.json", dir);
    ck_assert_str_eq(locked_version(json, "ocaml-system"), "4.13.1");
    ck_assert_str_eq(mode_in(json, "ocaml-system"), "provided");
    ck_assert_str_eq(locked_version(json, "dune"), "2.9.3");   /* --provided-file: dune 2.9.3 */
    ck_assert_str_eq(locked_version(json, "fmt"), "0.9.0");
    ck_assert_str_eq(locked_version(json, "cstruct"), "6.1.1");
    ck_assert_str_eq(mode_in(json, "cstruct"), "provided");
    ck_assert_str_eq(mode_in(json, "lwt"), "vendored");
    ck_assert_str_eq(mode_in(json, "ocamlfind"), "provided");   /* rule 3: below the provided fmt */
    static const char *const vars[] = { "sys-ocaml-version", "4.13.1", NULL };
    check_lock(SNAP_2022, vars, json, dnsish_atoms, sizeof dnsish_atoms / sizeof *dnsish_atoms);
    tools_read(dir, "dnsish");

    /* --lock re-solves as opam install on a switch holding the old lock (README, "Re-solving
     * against installed packages"). An old lock with lwt 5.5.0 but without the two packages
     * 5.5.0 needs (edited by hand): lwt -> 5.6.1 changes one name, keeping 5.5.0 would add two,
     * so lwt changes and nothing else moves; the report says so */
    char old[1024], text_path[1024];
    snprintf(old, sizeof old, "%s/old.opam.locked", dir);
    snprintf(text_path, sizeof text_path, "%s/dnsish.opam.locked", dir);
    char *text = test_slurp(text_path, NULL);
    char *at = strstr(text, "\"lwt\" {= \"5.6.1\"");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\"lwt\" {= \"5.5.0\"", 16);
    FILE *f = fopen(old, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --lock %s --provided-file %s %s -o %s", old,
             test_source_path("tests/data/lock/dns-2022/provided.txt"), test_source_path("tests/data/lock/dns-2022"), dir);
    r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(locked_version(json, "lwt"), "5.6.1");
    ck_assert_msg(strstr(r.out, "against the old lock: ") && strstr(r.out, "changed lwt 5.5.0 -> 5.6.1") &&
                  strstr(r.out, ", 1 changed\n"), "%s", r.out);
    run_free(&r);
    check_lock(SNAP_2022, vars, json, dnsish_atoms, sizeof dnsish_atoms / sizeof *dnsish_atoms);

    /* an older lwt that still fits is kept: lock the project with lwt < 5.6 (a consistent lock
     * at lwt 5.5.0), then the project itself against that lock: the atom lwt >= 5.4.0 is met,
     * so nothing changes */
    char proj[512], older[1024];
    ck_assert_int_lt(snprintf(proj, sizeof proj, "%s/older", dir), (int)sizeof proj);
    ck_assert_int_eq(mkdir(proj, 0700), 0);
    snprintf(older, sizeof older, "%s/dnsish.opam", proj);
    text = test_slurp(test_source_path("tests/data/lock/dns-2022/dnsish.opam"), NULL);
    at = strstr(text, "\"lwt\" {>= \"5.4.0\"}");
    ck_assert_ptr_nonnull(at);
    f = fopen(older, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%.*s\"lwt\" {>= \"5.4.0\" & < \"5.6.0\"}%s", (int)(at - text), text, at + strlen("\"lwt\" {>= \"5.4.0\"}"));
    fclose(f);
    free(text);
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --provided-file %s %s",
             test_source_path("tests/data/lock/dns-2022/provided.txt"), proj);
    r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    snprintf(old, sizeof old, "%s/dnsish.opam.locked", proj);
    char older_json[1024];
    snprintf(older_json, sizeof older_json, "%s/dnsish.lock.json", proj);
    ck_assert_str_eq(locked_version(older_json, "lwt"), "5.5.0");
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --lock %s --provided-file %s %s -o %s", old,
             test_source_path("tests/data/lock/dns-2022/provided.txt"), test_source_path("tests/data/lock/dns-2022"), dir);
    r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(locked_version(json, "lwt"), "5.5.0");
    ck_assert_msg(strstr(r.out, "against the old lock: ") && strstr(r.out, ", 0 changed\n"), "%s", r.out);
    run_free(&r);
    check_lock(SNAP_2022, vars, json, dnsish_atoms, sizeof dnsish_atoms / sizeof *dnsish_atoms);
    remove_dir(dir);
    free(dir);
}
END_TEST

/* dnsmini (corpora/) as the e2e test locks it: ocaml at the provided ocaml-system 4.13.1; and
 * --lock with a version the repository lacks is refused, naming it, with nothing written. */
START_TEST(edited_lock_refused)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048], json[1024], opam[1024], edited[1024];
    snprintf(json, sizeof json, "%s/dnsmini.lock.json", dir);
    snprintf(opam, sizeof opam, "%s/dnsmini.opam.locked", dir);
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --provided-file %s %s -o %s",
             test_source_path("corpora/dnsmini/provided.txt"), test_source_path("corpora/dnsmini"), dir);
    run r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    ck_assert_str_eq(locked_version(json, "ocaml"), "4.13.1");
    ck_assert_str_eq(locked_version(json, "ocaml-system"), "4.13.1");
    ck_assert_str_eq(mode_in(json, "ocaml-system"), "provided");

    char *text = test_slurp(opam, NULL);
    char *at = strstr(text, "\"lwt\" {= \"5.6.1\"");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\"lwt\" {= \"5.6.9\"", 16);
    snprintf(edited, sizeof edited, "%s/edited.opam.locked", dir);
    FILE *f = fopen(edited, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    char *before = test_slurp(json, NULL);
    snprintf(args, sizeof args, "--env sys-ocaml-version=4.13.1 lock --lock %s --provided-file %s %s -o %s", edited,
             test_source_path("corpora/dnsmini/provided.txt"), test_source_path("corpora/dnsmini"), dir);
    r = lock_cmd(SNAP_2022, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "edited.opam.locked: lwt.5.6.9: no such package version in the repository"), "%s", r.err);
    run_free(&r);
    char *after = test_slurp(json, NULL);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    remove_dir(dir);
    free(dir);
}
END_TEST

static const char *const web_atoms[] = { "ocaml>=4.14.0", "dune>=3.0", "cohttp-lwt-unix", "paf-cohttp", "mirage-runtime>=4.4.0",
                                         "tcpip" };

/* The ocaml-cohttp group on the 2026 snapshot: paf-cohttp (its newest, 0.8.0) needs
 * cohttp-lwt < 6.0.0~, so the group's newest release (6.x) breaks its bound; and cohttp-lwt
 * 5.3.0 allows cohttp 5.3.1, a release of its own (another archive), which a plain solve takes.
 * The lock must put cohttp, cohttp-lwt and cohttp-lwt-unix at one release that fits all. */
START_TEST(dev_repo_group_2026)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048];
    /* a plain solve takes two archives of one dev-repo */
    snprintf(args, sizeof args, "solve ocaml dune cohttp-lwt-unix paf-cohttp 'mirage-runtime>=4.4.0' tcpip%s", "");
    run r = lock_cmd(SNAP_2026, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "cohttp.5.3.1\n") && strstr(r.out, "cohttp-lwt.5.3.0\n") && strstr(r.out, "paf-cohttp.0.8.0\n"),
                  "%s", r.out);
    run_free(&r);
    /* the newest release of the group breaks paf-cohttp's bound */
    r = lock_cmd(SNAP_2026, "solve paf-cohttp.0.8.0 cohttp-lwt.6.3.0");
    ck_assert_int_eq(r.status, 1);
    run_free(&r);
    r = lock_cmd(SNAP_2026, "solve 'cohttp-lwt>6.3.0'");
    ck_assert_int_eq(r.status, 1);   /* 6.3.0 is the newest */
    run_free(&r);
    /* the lock: one release for the group, within every bound (x-opam-monorepo-opam-provided in web.opam) */
    snprintf(args, sizeof args, "lock %s -o %s", test_source_path("tests/data/lock/web-2026"), dir);
    r = lock_cmd(SNAP_2026, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char json[1024];
    snprintf(json, sizeof json, "%s/web.lock.json", dir);
    ck_assert_str_eq(locked_version(json, "cohttp"), "5.3.0");
    ck_assert_str_eq(locked_version(json, "cohttp-lwt"), "5.3.0");
    ck_assert_str_eq(locked_version(json, "cohttp-lwt-unix"), "5.3.0");
    ck_assert_str_eq(locked_version(json, "paf-cohttp"), "0.8.0");
    ck_assert_str_eq(mode_in(json, "fmt"), "provided");   /* the root's x-opam-monorepo-opam-provided */
    check_lock(SNAP_2026, NULL, json, web_atoms, sizeof web_atoms / sizeof *web_atoms);
    char *opam = NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/web.opam.locked", dir);
    opam = test_slurp(path, NULL);
    ck_assert(strstr(opam, "x-opam-monorepo-opam-provided: [\n  \"astring\""));
    free(opam);
    remove_dir(dir);
    free(dir);
}
END_TEST

/* cohttp-lwt < 6 and http >= 6 (http exists since 6.0.0): two packages of one dev-repo whose
 * bounds need different releases. Each alone is fine and a plain solve takes both; the lock
 * refuses, naming the group, and writes nothing (an existing lock is left as it was). */
START_TEST(dev_repo_group_impossible)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char path[1024], args[2048];
    snprintf(path, sizeof path, "%s/imp.lock.json", dir);
    FILE *f = fopen(path, "w");
    fputs("previous\n", f);
    fclose(f);
    run r = lock_cmd(SNAP_2026, "solve ocaml dune 'cohttp-lwt<6.0.0~' 'http>=6.0.0'");
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    snprintf(args, sizeof args, "lock --auto-provide %s -o %s", test_source_path("tests/data/lock/group-impossible/imp.opam"), dir);
    r = lock_cmd(SNAP_2026, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "one source, one release (rule 1): the packages of https://github.com/mirage/ocaml-cohttp") &&
                  strstr(r.err, "imp needs cohttp-lwt < 6.0.0~") && strstr(r.err, "imp needs http >= 6.0.0"), "%s", r.err);
    run_free(&r);
    char *kept = test_slurp(path, NULL);
    ck_assert_str_eq(kept, "previous\n");
    free(kept);
    ck_assert(!file_exists(dir, "imp.opam.locked"));
    remove_dir(dir);
    free(dir);
}
END_TEST

START_TEST(usage_and_bad_input)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048];
    snprintf(args, sizeof args, "lock %s", dir);   /* no *.opam in it */
    run r = lock_cmd(SNAP_2022, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "no *.opam file"), "%s", r.err);
    run_free(&r);
    snprintf(args, sizeof args, "lock --provided 'fm t=1' %s", test_source_path("tests/data/lock/dns-2022"));
    r = lock_cmd(SNAP_2022, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--provided: expected NAME or NAME=VERSION"), "%s", r.err);
    run_free(&r);
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/bad.opam", dir);
    FILE *f = fopen(bad, "w");
    fputs("opam-version: \"2.0\"\ndepends: [ \"lwt\" {>= } ]\n", f);
    fclose(f);
    snprintf(args, sizeof args, "lock %s", bad);
    r = lock_cmd(SNAP_2022, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "bad.opam:2:"), "%s", r.err);
    run_free(&r);
    snprintf(args, sizeof args, "lock --lock %s %s", bad, test_source_path("tests/data/lock/dns-2022"));
    r = lock_cmd(SNAP_2022, args);
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    r = lock_cmd(SNAP_2022, "lock");
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    remove_dir(dir);
    free(dir);
}
END_TEST

/* with-test applies to the roots only (re's own {with-test} ounit stays out); several roots in
 * "." name the lock after the directory. */
START_TEST(with_test_and_roots)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    char args[2048], json[2048];
    snprintf(json, sizeof json, "%s/wt.lock.json", dir);
    snprintf(args, sizeof args, "lock --auto-provide %s -o %s", test_source_path("tests/data/lock/with-test-2022"), dir);
    run r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    ck_assert_str_eq(locked_version(json, "re"), "1.10.4");
    ck_assert_str_eq(locked_version(json, "alcotest"), "");
    snprintf(args, sizeof args, "--env with-test=true lock --auto-provide %s -o %s",
             test_source_path("tests/data/lock/with-test-2022"), dir);
    r = lock_cmd(SNAP_2022, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    ck_assert_str_ne(locked_version(json, "alcotest"), "");
    ck_assert_str_eq(locked_version(json, "ounit"), "");
    ck_assert_str_eq(locked_version(json, "ounit2"), "");

    char proj[1024];
    snprintf(proj, sizeof proj, "%s/twoproj", dir);
    mkdir(proj, 0755);
    static const char *const roots[] = { "alpha", "beta" };
    for (int i = 0; i < 2; i++) {
        char p[1200];
        snprintf(p, sizeof p, "%s/%s.opam", proj, roots[i]);
        FILE *f = fopen(p, "w");
        fprintf(f, "opam-version: \"2.0\"\ndepends: [ \"ocaml\" \"dune\" %s ]\n", i == 0 ? "\"re\" \"beta\"" : "\"stringext\"");
        fclose(f);
    }
    char fmt[4096];
    snprintf(fmt, sizeof fmt, "cd %%s && %s/vsolve --ecosystem opam --repo %%s lock --auto-provide .", VSOLVE_BINARY_DIR);
    r = sh(fmt, proj, test_corpus_path(SNAP_2022));
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    snprintf(json, sizeof json, "%s/twoproj.lock.json", proj);
    char *text = test_slurp(json, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert(strstr(text, "\"roots\": [ \"alpha\", \"beta\" ]"));
    ck_assert_str_eq(mode_in(json, "beta"), "root");   /* alpha's dependency on beta is met by the root */
    ck_assert_str_ne(locked_version(json, "stringext"), "");
    free(text);
    remove_dir(dir);
    free(dir);
}
END_TEST

/* The library: vsolve_opam_lock writes both files; its result's rows carry modes, attributes
 * and the graph; vsolve_write_lock_buffer gives the same bytes as the files. */
START_TEST(library_lock)
{
    if (!test_corpora("the opam snapshots"))
        return;
    char *dir = temp_dir();
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_int_eq(vsolve_set_var(ctx, "sys-ocaml-version", "4.13.1"), VSOLVE_OK);
    ck_assert_int_eq(vsolve_load_opam(ctx, test_corpus_path(SNAP_2022)), VSOLVE_OK);
    const char *provided[] = { "dune=2.9.3", "fmt", "logs", "cmdliner", "cstruct", "ipaddr", "domain-name", "topkg" };
    vsolve_lock_options o = { provided, sizeof provided / sizeof *provided, NULL, 1, NULL, dir };
    vsolve_result *r = NULL;
    int rc = vsolve_opam_lock(ctx, test_source_path("tests/data/lock/dns-2022/dnsish.opam"), &o, &r);
    ck_assert_msg(rc == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
    size_t lwt = SIZE_MAX, root = SIZE_MAX;
    for (size_t i = 0; i < vsolve_result_count(r); i++) {
        if (!strcmp(vsolve_result_name(r, i), "lwt"))
            lwt = i;
        if (!strcmp(vsolve_result_name(r, i), "dnsish"))
            root = i;
    }
    ck_assert(lwt != SIZE_MAX && root != SIZE_MAX);
    ck_assert_str_eq(vsolve_result_reason(r, lwt), "vendored");
    ck_assert_str_eq(vsolve_result_reason(r, root), "root");
    const char *url = NULL;
    ck_assert_int_eq(vsolve_result_attr(r, lwt, "url", 0, &url), VSOLVE_OK);
    ck_assert_ptr_nonnull(url);
    ck_assert(strstr(url, "lwt"));
    const size_t *rows;
    size_t n = vsolve_result_deps(r, root, &rows);
    int root_needs_lwt = 0;
    for (size_t k = 0; k < n; k++)
        root_needs_lwt |= rows[k] == lwt;
    ck_assert(root_needs_lwt);
    static const int formats[] = { VSOLVE_LOCK_OPAM_MONOREPO, VSOLVE_LOCK_JSON };
    const char *paths[] = { vsolve_lock_opam_path(ctx), vsolve_lock_json_path(ctx) };
    for (int f = 0; f < 2; f++) {
        char *buf = NULL;
        size_t len = 0;
        ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, formats[f], &buf, &len), VSOLVE_OK);
        char *file = test_slurp(paths[f], NULL);
        ck_assert_ptr_nonnull(file);
        ck_assert_str_eq(buf, file);
        free(buf);
        free(file);
    }
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_CARGO, &(char *){ NULL }, &(size_t){ 0 }), VSOLVE_EUSAGE);
    /* a newer lock: the older result can no longer be written; a plain solve's never */
    vsolve_result *r2 = NULL;
    ck_assert_int_eq(vsolve_opam_lock(ctx, test_source_path("tests/data/lock/dns-2022/dnsish.opam"), &o, &r2), VSOLVE_OK);
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r, VSOLVE_LOCK_JSON, &(char *){ NULL }, &(size_t){ 0 }), VSOLVE_EUSAGE);
    char *buf2 = NULL;
    size_t len2 = 0;
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, r2, VSOLVE_LOCK_JSON, &buf2, &len2), VSOLVE_OK);
    ck_assert_uint_gt(len2, 0);
    free(buf2);
    const char *atoms[] = { "re" };
    vsolve_result *plain = NULL;
    ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &plain), VSOLVE_OK);
    ck_assert_int_eq(vsolve_write_lock_buffer(ctx, plain, VSOLVE_LOCK_JSON, &(char *){ NULL }, &(size_t){ 0 }), VSOLVE_EUSAGE);
    vsolve_result_free(plain);
    vsolve_result_free(r2);
    vsolve_result_free(r);
    vsolve_free(ctx);
    remove_dir(dir);
    free(dir);
}
END_TEST

START_TEST(dev_repo_dirs)
{
    static const char *const cases[][2] = {
        { "git+https://github.com/mirage/ocaml-dns.git", "ocaml-dns" },
        { "git+https://github.com/ocaml/dune.git", "dune" },
        { "https://github.com/ocsigen/lwt", "lwt" },
        { "git+https://github.com/janestreet/base.git#master", "base" },
        { "git://github.com/a/b.c.git/", "b" },
        { "git+ssh://git@host/x/.hidden.git", "hidden" },
    };
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert(opam_dev_repo_dir(cases[i][0], buf, sizeof buf));
        ck_assert_str_eq(buf, cases[i][1]);
    }
    ck_assert(!opam_dev_repo_dir("https://host/", buf, sizeof buf));
}
END_TEST

Suite *lock_suite(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("lock");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, dev_repo_dirs);
    tcase_add_test(tc, provided_compiler_is_the_switchs);
    tcase_add_test(tc, usage_and_bad_input);
    tcase_add_test(tc, dns_unikernel_2026);
    tcase_add_test(tc, dns_like_2022_system);
    tcase_add_test(tc, edited_lock_refused);
    tcase_add_test(tc, dev_repo_group_2026);
    tcase_add_test(tc, dev_repo_group_impossible);
    tcase_add_test(tc, with_test_and_roots);
    tcase_add_test(tc, library_lock);
    suite_add_tcase(s, tc);
    return s;
}
