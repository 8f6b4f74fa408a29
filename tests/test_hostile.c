/* test_hostile.c: hostile input (issue 17): each finding as a small crafted input, run through
 * the vsolve command or the library: no crash, no escape, no lost file, a clear error. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"
#include <zlib.h>
#include "json.h"
#include "universe_image.h"
#include "testcase.h"
#include "toml.h"
#include "vsolve.h"

typedef struct run {
    int status;     /* the exit code, or 128 + signal */
    char *out, *err;
} run;


/* Runs the vsolve binary with printf-formatted, shell-quoted arguments (env: "VAR=VALUE " or ""). */
static run vrun(const char *env, const char *fmt, va_list ap)
{
    char args[8192], cmd[9000], out[128], err[128];
    vsnprintf(args, sizeof args, fmt, ap);
    snprintf(out, sizeof out, "/tmp/vsolve-hostile-out.%d", (int)getpid());
    snprintf(err, sizeof err, "/tmp/vsolve-hostile-err.%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "%s%s/vsolve %s >%s 2>%s", env, VSOLVE_BINARY_DIR, args, out, err);
    int st = system(cmd);
    run r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r.out = test_slurp(out, "");
    r.err = test_slurp(err, "");
    remove(out);
    remove(err);
    return r;
}

static run vsolve(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    run r = vrun("", fmt, ap);
    va_end(ap);
    return r;
}

static run vsolve_env(const char *env, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    run r = vrun(env, fmt, ap);
    va_end(ap);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

/* A fresh temporary directory (the caller removes it with rm_tree). */
static char *temp_dir(void)
{
    char *dir = strdup("/tmp/vsolve-hostile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void rm_tree(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

/* Writes text to DIR/REL, creating the directories on the way. */
static void put(const char *dir, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static const char *in(const char *dir, const char *rel)
{
    static char buf[4][4096];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
    return buf[k];
}

#define CARGO_HEAD "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"

/* 1. A crate file with a version line twice (the 2019 index has 24) and a dependency named in
 * another case: cargo's rules (the last line of a version wins; names match exactly), no crash. */
START_TEST(cargo_duplicate_versions_and_case)
{
    char *d = temp_dir();
    put(d, "index/config.json", "{}\n");
    put(d, "index/al/ph/alpha",
        "{\"name\":\"alpha\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"aa\",\"features\":{},\"yanked\":false}\n"
        "{\"name\":\"alpha\",\"vers\":\"1.0.1\",\"deps\":[],\"cksum\":\"bb\",\"features\":{},\"yanked\":false}\n"
        "{\"name\":\"alpha\",\"vers\":\"1.0.1\",\"deps\":[],\"cksum\":\"cc\",\"features\":{},\"yanked\":false}\n");
    put(d, "one/Cargo.toml", CARGO_HEAD "alpha = \"1\"\n");
    run r = vsolve("--ecosystem cargo --index %s solve --manifest %s", in(d, "index"), in(d, "one/Cargo.toml"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "version = \"1.0.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
                                "checksum = \"cc\"\n") != NULL, "%s", r.out);
    ck_assert_ptr_null(strstr(r.out, "\"bb\""));
    run_free(&r);
    /* "ALPHA" reads the same file, whose lines are not ALPHA's: no such crate, as in cargo */
    put(d, "two/Cargo.toml", CARGO_HEAD "alpha = \"1\"\nALPHA = \"1\"\n");
    r = vsolve("--ecosystem cargo --index %s solve --manifest %s", in(d, "index"), in(d, "two/Cargo.toml"));
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "ALPHA") != NULL, "%s", r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 1. The real 2019 index: prettyprint 0.6.0 has its version line twice. */
START_TEST(cargo_real_index_duplicate_line)
{
    const char *corpora = test_corpora("crates-io-index-2019-11-10.tar.gz");
    if (!corpora)
        return;
    char *d = temp_dir();
    put(d, "Cargo.toml", CARGO_HEAD "prettyprint = \"0.6\"\n");
    run r = vsolve("--ecosystem cargo --index %s solve --manifest %s", test_corpus_path("crates-io-index-2019-11-10.tar.gz"),
                   in(d, "Cargo.toml"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "name = \"prettyprint\"\nversion = \"0.6.0\"\n") != NULL, "%s", r.out);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 2. Names are checked before they become paths: a dependency "../../../../etc/passwd" (in the
 * manifest or in an index line) or "../evil" is refused, never opened. */
START_TEST(cargo_names_never_paths)
{
    char *d = temp_dir();
    put(d, "index/config.json", "{}\n");
    put(d, "evil", "{\"name\":\"../evil\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"aa\",\"features\":{}}\n");
    put(d, "index/be/ta/beta",
        "{\"name\":\"beta\",\"vers\":\"1.0.0\",\"deps\":[{\"name\":\"../../../../etc/passwd\",\"req\":\"*\"}],\"features\":{}}\n");
    static const char *const manifests[] = { "\"../evil\" = \"1\"\n", "\"../../../../etc/passwd\" = \"*\"\n",
                                             "beta = \"1\"\n", "\"a/b\" = \"1\"\n", "\"\" = \"1\"\n" };
    for (size_t i = 0; i < sizeof manifests / sizeof manifests[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, CARGO_HEAD "%s", manifests[i]);
        put(d, "p/Cargo.toml", text);
        run r = vsolve("--ecosystem cargo --index %s solve --manifest %s", in(d, "index"), in(d, "p/Cargo.toml"));
        ck_assert_msg(r.status == 2, "case %zu: exit %d: %s%s", i, r.status, r.out, r.err);
        ck_assert_msg(strstr(r.err, "is not a crate name") != NULL, "case %zu: %s", i, r.err);
        ck_assert_ptr_null(strstr(r.out, "evil"));
        run_free(&r);
    }
    rm_tree(d);
}
END_TEST

/* 3. Writers escape what they write: an index's cksum and --source-url that try to end their
 * string and add a [[package]] stay inside it (the lock reads back with the same values). */
START_TEST(cargo_lock_injection)
{
    char *d = temp_dir();
    put(d, "index/config.json", "{}\n");
    const char *cksum = "aa\"\n\n[[package]]\nname = \"fake\"\nversion = \"6.6.6\"\nx = \"\\";
    char line[600];
    snprintf(line, sizeof line, "{\"name\":\"alpha\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"%s\",\"features\":{}}\n",
             "aa\\\"\\n\\n[[package]]\\nname = \\\"fake\\\"\\nversion = \\\"6.6.6\\\"\\nx = \\\"\\\\");
    put(d, "index/al/ph/alpha", line);
    put(d, "p/Cargo.toml", CARGO_HEAD "alpha = \"1\"\n");
    run r = vsolve("--ecosystem cargo --index %s solve --manifest %s --source-url 'u\"\n[[package]]'", in(d, "index"),
                   in(d, "p/Cargo.toml"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    toml_value *doc = toml_parse(&a, "Cargo.lock", r.out, strlen(r.out), &err);
    ck_assert_msg(doc != NULL, "%s\n%s", err.message, r.out);
    const toml_value *pkgs = toml_get(doc, "package");
    ck_assert_ptr_nonnull(pkgs);
    ck_assert_uint_eq(pkgs->n, 2);   /* demo and alpha, nothing else */
    const toml_value *alpha = pkgs->items[0];
    ck_assert_str_eq(toml_get(alpha, "name")->str, "alpha");
    ck_assert_str_eq(toml_get(alpha, "checksum")->str, cksum);
    ck_assert_str_eq(toml_get(alpha, "source")->str, "registry+u\"\n[[package]]");
    arena_free(&a);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 3. package-lock.json stays JSON when a packument's "bin" is longer than the writer's buffer
 * (it was cut, and read past its end). */
START_TEST(npm_lock_long_bin)
{
    char *d = temp_dir();
    size_t big = 20000;
    char *doc = malloc(big + 400);
    int n = snprintf(doc, big + 400, "{\"name\": \"b\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": {\"1.0.0\": "
                                     "{\"name\": \"b\", \"version\": \"1.0.0\", \"bin\": \"");
    memset(doc + n, 'x', big);
    snprintf(doc + n + big, 400, "\", \"dist\": {\"tarball\": \"https://r/b-1.0.0.tgz\"}}}}\n");
    put(d, "reg/packuments/b.json", doc);
    free(doc);
    put(d, "p/package.json", "{\"name\": \"p\", \"version\": \"1.0.0\", \"dependencies\": {\"b\": \"1\"}}\n");
    run r = vsolve("--ecosystem npm --registry %s solve --manifest %s", in(d, "reg"), in(d, "p/package.json"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    json_value *lock = json_parse(&a, "package-lock.json", r.out, strlen(r.out), &err);
    ck_assert_msg(lock != NULL, "%s", err.message);
    const json_value *b = json_get(json_get(lock, "packages"), "node_modules/b");
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(json_get(b, "bin"));
    arena_free(&a);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* An opam repository in a temporary directory: packages/NAME/NAME.VERSION/opam. */
static void put_opam(const char *dir, const char *name_version, const char *text)
{
    char name[256], rel[600], sub[256] = "";
    const char *slash = strrchr(name_version, '/');   /* "repo/a.1": the repository in dir/repo */
    if (slash) {
        snprintf(sub, sizeof sub, "%.*s/", (int)(slash - name_version), name_version);
        name_version = slash + 1;
    }
    snprintf(name, sizeof name, "%s", name_version);
    *strchr(name, '.') = '\0';
    snprintf(rel, sizeof rel, "%spackages/%s/%s/opam", sub, name, name_version);
    put(dir, rel, text);
}

/* A formula "p0" OP "p1" OP ... of n names, as the text of a depends field. */
static char *long_formula(size_t n, const char *op)
{
    size_t cap = n * 16 + 64, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s, cap, "opam-version: \"2.0\"\ndepends: [ ");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s\"p%zu\"", i ? op : "", i);
    snprintf(s + len, cap - len, " ]\n");
    return s;
}

/* 4. No recursion depth that input controls: a 200,000-way disjunction is refused with its
 * position (it was a stack overflow); a 1,000-way one is read whole (a depth cut at 200 dropped
 * its first alternatives); a chain of 5,000 options is refused as too deep. */
START_TEST(opam_long_formulas)
{
    char *d = temp_dir();
    char *text = long_formula(200000, " | ");
    put_opam(d, "a.1", text);
    free(text);
    run r = vsolve("--ecosystem opam --repo %s --no-cache solve a", d);
    ck_assert_msg(r.status == 2, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "packages/a/a.1/opam:2:10: the depends formula is too large") != NULL, "%s", r.err);
    run_free(&r);
    rm_tree(d);

    d = temp_dir();
    text = long_formula(1000, " | ");
    put_opam(d, "a.1", text);
    free(text);
    put_opam(d, "p0.1", "opam-version: \"2.0\"\n");
    r = vsolve("--ecosystem opam --repo %s --no-cache solve a", d);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "a.1\np0.1\n");
    run_free(&r);
    text = long_formula(20000, " & ");
    put_opam(d, "b.1", text);
    free(text);
    r = vsolve("--ecosystem opam --repo %s --no-cache solve b", d);
    ck_assert_msg(r.status == 1 && strstr(r.err, "requires p1, which nothing provides") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    rm_tree(d);

    d = temp_dir();
    size_t cap = 5000 * 10 + 100;
    text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "opam-version: \"2.0\"\ndepends: [ \"p\" ");
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(text + len, cap - len, "{>\"1\"} ");
    snprintf(text + len, cap - len, "]\n");
    put_opam(d, "a.1", text);
    free(text);
    r = vsolve("--ecosystem opam --repo %s --no-cache solve a", d);
    ck_assert_msg(r.status == 2 && strstr(r.err, "levels of nesting") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 5, 6. Locks are written whole through a temporary file: an existing lock is replaced, not
 * truncated first (its inode changes); --lock naming the manifest, or anything that is not a
 * regular file (a directory, /dev/null), is refused and left as it was. */
START_TEST(locks_replace_only_regular_files)
{
    char *d = temp_dir();
    put(d, "index/config.json", "{}\n");
    put(d, "index/al/ph/alpha", "{\"name\":\"alpha\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"aa\",\"features\":{}}\n");
    put(d, "p/Cargo.toml", CARGO_HEAD "alpha = \"1\"\n");
    put(d, "p/Cargo.lock", "# old lock\nversion = 4\n");
    struct stat before, after;
    ck_assert_int_eq(stat(in(d, "p/Cargo.lock"), &before), 0);
    run r = vsolve("--ecosystem cargo --index %s solve --manifest %s --lock %s", in(d, "index"), in(d, "p/Cargo.toml"),
                   in(d, "p/Cargo.lock"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    run_free(&r);
    ck_assert_int_eq(stat(in(d, "p/Cargo.lock"), &after), 0);
    ck_assert_msg(before.st_ino != after.st_ino, "the lock was rewritten in place");
    char *lock = test_slurp(in(d, "p/Cargo.lock"), "");
    ck_assert_msg(strstr(lock, "name = \"alpha\"") != NULL, "%s", lock);
    free(lock);
    /* the manifest as the lock: cargo refuses, so does vsolve (both ecosystems) */
    r = vsolve("--ecosystem cargo --index %s solve --manifest %s --lock %s", in(d, "index"), in(d, "p/Cargo.toml"),
               in(d, "p/../p/Cargo.toml"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "would replace the manifest") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    char *manifest = test_slurp(in(d, "p/Cargo.toml"), "");
    ck_assert_str_eq(manifest, CARGO_HEAD "alpha = \"1\"\n");
    free(manifest);
    put(d, "reg/packuments/b.json", "{\"name\": \"b\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": "
                                    "{\"1.0.0\": {\"name\": \"b\", \"version\": \"1.0.0\"}}}\n");
    const char *pkg = "{\"name\": \"p\", \"version\": \"1.0.0\", \"dependencies\": {\"b\": \"1\"}}\n";
    put(d, "n/package.json", pkg);
    r = vsolve("--ecosystem npm --registry %s solve --manifest %s --lock %s", in(d, "reg"), in(d, "n/package.json"),
               in(d, "n/package.json"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "would replace the manifest") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    manifest = test_slurp(in(d, "n/package.json"), "");
    ck_assert_str_eq(manifest, pkg);
    free(manifest);
    /* not a regular file: a directory, a FIFO (a device such as /dev/null is refused alike) */
    ck_assert_int_eq(mkdir(in(d, "n/dir.json"), 0755), 0);
    ck_assert_int_eq(mkfifo(in(d, "n/fifo.json"), 0644), 0);
    static const char *const targets[] = { "n/dir.json", "n/fifo.json" };
    for (size_t i = 0; i < 2; i++) {
        r = vsolve("--ecosystem npm --registry %s solve --manifest %s --lock %s", in(d, "reg"), in(d, "n/package.json"),
                   in(d, targets[i]));
        ck_assert_msg(r.status == 3 && strstr(r.err, "not a regular file") != NULL, "%s: exit %d: %s", targets[i], r.status,
                      r.err);
        run_free(&r);
        struct stat st;
        ck_assert_int_eq(lstat(in(d, targets[i]), &st), 0);
        ck_assert(i == 0 ? S_ISDIR(st.st_mode) : S_ISFIFO(st.st_mode));
    }
    rm_tree(d);
}
END_TEST

/* 6, 7. The cache: a path that is not a regular file is never replaced, and a cache that cannot
 * be written does not fail the solve (the answer, and a warning); `index`, whose job is the
 * cache, still fails. */
START_TEST(cache_write_failures)
{
    char *d = temp_dir();
    put_opam(d, "repo/a.1", "opam-version: \"2.0\"\n");
    put(d, "bad.cache", "not a cache\n");   /* corrupt: a solve rebuilds it */
    run r = vsolve("--ecosystem opam --repo %s --cache %s solve a", in(d, "repo"), in(d, "bad.cache"));
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "a.1\n"), "exit %d: %s", r.status, r.err);
    run_free(&r);
    ck_assert_int_eq(mkfifo(in(d, "fifo.cache"), 0644), 0);
    ck_assert_int_eq(mkdir(in(d, "dir.cache"), 0755), 0);
    static const char *const targets[] = { "fifo.cache", "dir.cache" };
    for (size_t i = 0; i < 2; i++) {
        r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), in(d, targets[i]));
        ck_assert_msg(r.status == 3 && strstr(r.err, "not a regular file") != NULL, "%s: exit %d: %s", targets[i], r.status,
                      r.err);
        run_free(&r);
        /* a solve reads neither (no waiting on the FIFO), answers, and warns */
        r = vsolve("--ecosystem opam --repo %s --cache %s solve a", in(d, "repo"), in(d, targets[i]));
        ck_assert_msg(r.status == 0 && !strcmp(r.out, "a.1\n"), "%s: exit %d: %s", targets[i], r.status, r.err);
        run_free(&r);
        struct stat st;
        ck_assert_int_eq(lstat(in(d, targets[i]), &st), 0);
        ck_assert(i == 0 ? S_ISFIFO(st.st_mode) : S_ISDIR(st.st_mode));
    }
    /* a stale cache in a directory that cannot take the new one: the solve still answers */
    r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), in(d, "ro/x.cache"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    run_free(&r);
    put_opam(d, "repo/a.2", "opam-version: \"2.0\"\n");   /* the cache is stale now */
    ck_assert_int_eq(chmod(in(d, "ro"), 0555), 0);
    if (access(in(d, "ro"), W_OK) != 0) {   /* (root writes anyway) */
        r = vsolve("--ecosystem opam --repo %s --cache %s solve a", in(d, "repo"), in(d, "ro/x.cache"));
        ck_assert_msg(r.status == 0 && !strcmp(r.out, "a.2\n"), "exit %d: %s%s", r.status, r.out, r.err);
        ck_assert_msg(strstr(r.err, "warning: cannot write the cache") != NULL, "%s", r.err);
        run_free(&r);
    }
    chmod(in(d, "ro"), 0755);
    rm_tree(d);
}
END_TEST

/* 9. Where a file is expected, only a regular file is read (/dev/zero and a FIFO are refused
 * at once, not read forever or waited on), and a compressed input inflates to at most
 * VSOLVE_MAX_INFLATE bytes (a clear error naming the limit). */
START_TEST(bounded_reads)
{
    char *d = temp_dir();
    ck_assert_int_eq(mkfifo(in(d, "fifo"), 0644), 0);
    put(d, "index/config.json", "{}\n");
    put(d, "reg/packuments/b.json", "{\"name\": \"b\", \"versions\": {}}\n");
    put_opam(d, "repo/a.1", "opam-version: \"2.0\"\n");
    const char *runs[][2] = {
        { "--ecosystem cargo --index %s solve --manifest /dev/zero", "index" },
        { "--ecosystem cargo --index %s solve --manifest %s/fifo", "index" },
        { "--ecosystem npm --registry %s solve --manifest /dev/zero", "reg" },
        { "--ecosystem npm --registry %s solve --manifest %s/fifo", "reg" },
        { "--ecosystem opam --repo %s --no-cache check --solution /dev/zero a", "repo" },
        { "--ecosystem opam --repo %s --no-cache check --solution %s/fifo a", "repo" },
        { "--ecosystem cudf --repo /dev/zero%.0s solve", "repo" },
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "timeout 20 %s/vsolve %s", VSOLVE_BINARY_DIR, runs[i][0]);
        char full[2048];
        snprintf(full, sizeof full, cmd, in(d, runs[i][1]), d);
        int st = system(full);
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        ck_assert_msg(code == 2 || code == 3, "%s: exit %d", full, code);
    }
    /* a crate file that is a FIFO */
    ck_assert_int_eq(mkfifo(in(d, "index/al/ph/alpha"), 0644) == 0 || (mkdir(in(d, "index/al"), 0755) == 0 &&
                     mkdir(in(d, "index/al/ph"), 0755) == 0 && mkfifo(in(d, "index/al/ph/alpha"), 0644) == 0), 1);
    put(d, "p/Cargo.toml", CARGO_HEAD "alpha = \"1\"\n");
    run r = vsolve("--ecosystem cargo --index %s solve --manifest %s", in(d, "index"), in(d, "p/Cargo.toml"));
    ck_assert_msg(r.status == 3 && strstr(r.err, "not a regular file") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    /* 2 MiB of CUDF preamble padding inflating past a 1 MiB limit */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "(printf 'preamble: \\n'; head -c 2097152 /dev/zero | tr '\\0' '#') | gzip -c > %s",
             in(d, "big.cudf.gz"));
    ck_assert_int_eq(system(cmd), 0);
    r = vsolve("--ecosystem cudf --repo %s solve", in(d, "big.cudf.gz"));
    ck_assert_msg(r.status == 2 || r.status == 0, "exit %d: %s", r.status, r.err);   /* under the default limit: read */
    ck_assert_ptr_null(strstr(r.err, "VSOLVE_MAX_INFLATE"));
    run_free(&r);
    r = vsolve_env("VSOLVE_MAX_INFLATE=1M ", "--ecosystem cudf --repo %s solve", in(d, "big.cudf.gz"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "inflates to more than 1048576 bytes") != NULL &&
                      strstr(r.err, "VSOLVE_MAX_INFLATE") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    /* the same for an archive */
    snprintf(cmd, sizeof cmd, "head -c 2097152 /dev/zero > %s && tar -czf %s -C %s packages big && rm %s", in(d, "repo/big"),
             in(d, "repo.tar.gz"), in(d, "repo"), in(d, "repo/big"));
    ck_assert_int_eq(system(cmd), 0);
    r = vsolve("--ecosystem opam --repo %s --no-cache solve a", in(d, "repo.tar.gz"));
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "a.1\n"), "exit %d: %s", r.status, r.err);   /* the default limit */
    run_free(&r);
    r = vsolve_env("VSOLVE_MAX_INFLATE=1M ", "--ecosystem opam --repo %s --no-cache solve a", in(d, "repo.tar.gz"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "inflates to more than 1048576 bytes") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 9, in the library: the inflate limit belongs to the context (vsolve_set_max_inflate), not
 * to the process: two contexts with different limits, in one process, read the same .cudf.gz
 * and opam .tar.gz differently; VSOLVE_MAX_INFLATE in the environment changes nothing. */
START_TEST(inflate_limit_per_context)
{
    char *d = temp_dir();
    /* a CUDF document that inflates to over 2 MiB: a package, 2 MiB of comments, a request */
    gzFile gz = gzopen(in(d, "big.cudf.gz"), "wb");
    ck_assert_ptr_nonnull(gz);
    gzputs(gz, "preamble: \n\npackage: a\nversion: 1\n\n");
    char line[1025];
    memset(line, '#', 1023);
    line[1023] = '\n';
    line[1024] = '\0';
    for (int i = 0; i < 2048; i++)
        gzputs(gz, line);
    gzputs(gz, "\nrequest: r\ninstall: a\n");
    ck_assert_int_eq(gzclose(gz), Z_OK);
    /* an opam repository .tar.gz with a 2 MiB member (read by the pipelined walk) */
    put_opam(d, "repo/a.1", "opam-version: \"2.0\"\n");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "head -c 2097152 /dev/zero > %s && tar -czf %s -C %s packages big && rm %s",
             in(d, "repo/big"), in(d, "repo.tar.gz"), in(d, "repo"), in(d, "repo/big"));
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(setenv("VSOLVE_MAX_INFLATE", "1K", 1), 0);   /* the library must not read it */
    const char *inputs[] = { "big.cudf.gz", "repo.tar.gz" };
    for (size_t k = 0; k < 2; k++) {
        char path[700];
        snprintf(path, sizeof path, "%s", in(d, inputs[k]));
        vsolve_ctx *small = vsolve_new(), *large = vsolve_new(), *dflt = vsolve_new();
        ck_assert(small && large && dflt);
        ck_assert_int_eq(vsolve_set_max_inflate(small, 1 << 20), VSOLVE_OK);
        ck_assert_int_eq(vsolve_set_max_inflate(large, 64ULL << 20), VSOLVE_OK);
        int (*load)(vsolve_ctx *, const char *) = k == 0 ? vsolve_load_cudf : vsolve_load_opam;
        /* interleaved: the large one first, then the small one, then the default one */
        ck_assert_msg(load(large, path) == VSOLVE_OK, "%s: %s", path, vsolve_errmsg(large));
        int rc = load(small, path);
        ck_assert_msg(rc == VSOLVE_EBADINPUT && strstr(vsolve_errmsg(small), "inflates to more than 1048576 bytes"),
                      "%s: %d %s", path, rc, vsolve_errmsg(small));
        ck_assert_msg(load(dflt, path) == VSOLVE_OK, "%s: %s", path, vsolve_errmsg(dflt));
        const char *atoms[] = { "a" };
        vsolve_result *r = NULL;
        ck_assert_int_eq(vsolve_solve(large, k == 0 ? NULL : atoms, k == 0 ? 0 : 1, &r), VSOLVE_OK);
        ck_assert_uint_eq(vsolve_result_count(r), 1);
        ck_assert_str_eq(vsolve_result_name(r, 0), "a");
        vsolve_result_free(r);
        vsolve_free(small);
        vsolve_free(large);
        vsolve_free(dflt);
    }
    unsetenv("VSOLVE_MAX_INFLATE");
    rm_tree(d);
}
END_TEST

/* 11. A request that is hard for SAT (pigeonhole: 13 into 12) stops at --timeout with exit 3
 * and a message naming the limit, instead of running unbounded. */
START_TEST(solve_timeout)
{
    char *d = temp_dir();
    char path[600];
    snprintf(path, sizeof path, "%s/php.cudf", d);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    enum { PIGEONS = 13, HOLES = 12 };
    fputs("preamble: \n\n", f);
    for (int p = 0; p < PIGEONS; p++)
        for (int k = 0; k < HOLES; k++) {
            fprintf(f, "package: p%dh%d\nversion: 1\nconflicts: ", p, k);
            for (int q = 0, first = 1; q < PIGEONS; q++)
                if (q != p) {
                    fprintf(f, "%sp%dh%d", first ? "" : ", ", q, k);
                    first = 0;
                }
            fputs("\n\n", f);
        }
    for (int p = 0; p < PIGEONS; p++) {
        fprintf(f, "package: want%d\nversion: 1\ndepends: ", p);
        for (int k = 0; k < HOLES; k++)
            fprintf(f, "%sp%dh%d", k ? " | " : "", p, k);
        fputs("\n\n", f);
    }
    fputs("request: pigeons\ninstall: ", f);
    for (int p = 0; p < PIGEONS; p++)
        fprintf(f, "%swant%d", p ? ", " : "", p);
    fputs("\n", f);
    fclose(f);
    run r = vsolve("--ecosystem cudf --repo %s --timeout 1 solve", path);
    ck_assert_msg(r.status == 3 && strstr(r.err, "time limit of 1 s") != NULL, "exit %d: %s%s", r.status, r.out, r.err);
    run_free(&r);
    r = vsolve("--ecosystem cudf --repo %s --timeout 0 solve", path);
    ck_assert_msg(r.status == 2 && strstr(r.err, "--timeout takes") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    /* a limit far from reached changes nothing */
    put_opam(d, "repo/a.1", "opam-version: \"2.0\"\n");
    r = vsolve("--ecosystem opam --repo %s --no-cache --timeout 60 solve a", in(d, "repo"));
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "a.1\n"), "exit %d: %s", r.status, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 11, beyond SAT: --timeout (vsolve_set_timeout) bounds the whole solve call, npm's tree
 * building included (it checks the clock every 256 steps): a chain of 1,000 packages under a
 * limit of a microsecond stops with exit 3 and the limit's message; without the limit, or
 * with a generous one, the same tree is built. */
START_TEST(npm_timeout)
{
    char *d = temp_dir();
    enum { N = 1000 };
    char rel[64], text[300];
    for (int i = 0; i < N; i++) {
        snprintf(rel, sizeof rel, "reg/packuments/p%d.json", i);
        snprintf(text, sizeof text, "{\"name\": \"p%d\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": {\"1.0.0\": "
                 "{\"name\": \"p%d\", \"version\": \"1.0.0\", \"dependencies\": {\"p%d\": \"^1.0.0\"}}}}\n", i, i,
                 (i + 1) % N);   /* a cycle: the last one needs the first */
        put(d, rel, text);
    }
    put(d, "package.json", "{\"name\": \"root\", \"version\": \"1.0.0\", \"dependencies\": {\"p0\": \"^1.0.0\"}}\n");
    run full = vsolve("--ecosystem npm --registry %s solve --manifest %s", in(d, "reg"), in(d, "package.json"));
    ck_assert_msg(full.status == 0 && strstr(full.out, "\"node_modules/p999\"") != NULL, "exit %d: %s", full.status,
                  full.err);
    run r = vsolve("--ecosystem npm --registry %s --timeout 0.000001 solve --manifest %s", in(d, "reg"),
                   in(d, "package.json"));
    ck_assert_msg(r.status == 3 && strstr(r.err, "time limit of 1e-06 s") != NULL && !*r.out, "exit %d: %s%s", r.status,
                  r.out, r.err);
    run_free(&r);
    r = vsolve("--ecosystem npm --registry %s --timeout 600 solve --manifest %s", in(d, "reg"), in(d, "package.json"));
    ck_assert_msg(r.status == 0 && !strcmp(r.out, full.out), "exit %d: %s", r.status, r.err);
    run_free(&r);
    /* the library: the status, and no result */
    vsolve_ctx *ctx = vsolve_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(vsolve_set_timeout(ctx, 1e-9), VSOLVE_OK);
    vsolve_result *res = NULL;
    char reg[700];
    snprintf(reg, sizeof reg, "%s", in(d, "reg"));
    int rc = vsolve_npm_solve(ctx, reg, in(d, "package.json"), NULL, NULL, NULL, &res);
    ck_assert_msg(rc == VSOLVE_ETIMEOUT && res == NULL && strstr(vsolve_errmsg(ctx), "time limit"), "%d: %s", rc,
                  vsolve_errmsg(ctx));
    ck_assert_int_eq(vsolve_set_timeout(ctx, 0), VSOLVE_OK);   /* no limit: the same context answers */
    ck_assert_int_eq(vsolve_npm_solve(ctx, reg, in(d, "package.json"), NULL, NULL, NULL, &res), VSOLVE_OK);
    ck_assert_uint_ge(vsolve_result_count(res), N);
    vsolve_result_free(res);
    vsolve_free(ctx);
    run_free(&full);
    rm_tree(d);
}
END_TEST

/* 12. A 65th --features entry is refused, not dropped. */
START_TEST(cargo_too_many_features)
{
    char *d = temp_dir();
    put(d, "index/config.json", "{}\n");
    put(d, "p/Cargo.toml", CARGO_HEAD);
    char list[1024] = "";
    for (int i = 0; i < 65; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%sf%d", i ? "," : "", i);
    run r = vsolve("--ecosystem cargo --index %s solve --manifest %s --features %s", in(d, "index"), in(d, "p/Cargo.toml"),
                   list);
    ck_assert_msg(r.status == 2 && strstr(r.err, "at most 64 features") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 13. Request atoms: "lwt>=5.0,<6" lost its "<6" and "lwt==5.7.0" matched nothing; both are
 * now syntax errors with the column (exit 2). */
START_TEST(opam_atom_syntax)
{
    char *d = temp_dir();
    put_opam(d, "repo/lwt.5.7.0", "opam-version: \"2.0\"\n");
    put_opam(d, "repo/lwt.6.1.2", "opam-version: \"2.0\"\n");
    static const char *const bad[][2] = { { "'lwt>=5.0,<6'", "column 9: expected a version character" },
                                          { "'lwt==5.7.0'", "column 5: expected a version character" },
                                          { "'lwt>= 5.0'", "column 6: expected a version character" } };
    for (size_t i = 0; i < 3; i++) {
        run r = vsolve("--ecosystem opam --repo %s --no-cache solve %s", in(d, "repo"), bad[i][0]);
        ck_assert_msg(r.status == 2 && strstr(r.err, bad[i][1]) != NULL, "%s: exit %d: %s", bad[i][0], r.status, r.err);
        run_free(&r);
    }
    run r = vsolve("--ecosystem opam --repo %s --no-cache solve 'lwt>=5.0' 'lwt<6'", in(d, "repo"));
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "lwt.5.7.0\n"), "exit %d: %s%s", r.status, r.out, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 12. Bad input is refused with a clear error, not dropped: a packument version that is not an
 * object, "\u0000" inside a name (it cut the name), --dump-testcase with cargo or npm. */
START_TEST(silent_drops_refused)
{
    char *d = temp_dir();
    put(d, "reg/packuments/b.json", "{\"name\": \"b\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": "
                                    "{\"1.0.0\": 5}}\n");
    put(d, "n/package.json", "{\"name\": \"p\", \"version\": \"1.0.0\", \"dependencies\": {\"b\": \"1\"}}\n");
    run r = vsolve("--ecosystem npm --registry %s solve --manifest %s", in(d, "reg"), in(d, "n/package.json"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "b.json:1:71: expected the manifest of version \"1.0.0\"") != NULL,
                  "exit %d: %s", r.status, r.err);
    run_free(&r);
    put(d, "n2/package.json", "{\"name\": \"p\", \"version\": \"1.0.0\", \"dependencies\": {\"b\\u0000x\": \"1\"}}\n");
    r = vsolve("--ecosystem npm --registry %s solve --manifest %s", in(d, "reg"), in(d, "n2/package.json"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "NUL") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    put(d, "index/config.json", "{}\n");
    put(d, "index/al/ph/alpha", "{\"name\":\"alpha\\u0000x\",\"vers\":\"1.0.0\",\"deps\":[],\"features\":{}}\n");
    put(d, "p/Cargo.toml", CARGO_HEAD "alpha = \"1\"\n");
    r = vsolve("--ecosystem cargo --index %s solve --manifest %s", in(d, "index"), in(d, "p/Cargo.toml"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "al/ph/alpha:1:") != NULL && strstr(r.err, "NUL") != NULL, "exit %d: %s",
                  r.status, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* ---- crafted caches: checksums right, content wrong ---- */

static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Rewrites part `part` of the cache at path through edit (on its inflated image), or only its
 * image size field when new_raw_len is nonzero; then every checksum is made right again. */
static void craft_cache(const char *path, uint32_t part, void (*edit)(unsigned char *, size_t), uint32_t new_raw_len)
{
    size_t len;
    unsigned char *f = (unsigned char *)test_read_file(path, &len);
    uint32_t parts = le32(f + 44);
    ck_assert_uint_lt(part, parts);
    unsigned char **z = calloc(parts, sizeof *z);
    uLongf *zl = calloc(parts, sizeof *zl);
    uint32_t *raw = calloc(parts, sizeof *raw);
    size_t at = 64 + (size_t)parts * 8;
    for (uint32_t i = 0; i < parts; i++) {
        raw[i] = le32(f + 64 + 8 * i);
        zl[i] = le32(f + 64 + 8 * i + 4);
        z[i] = malloc(zl[i] ? zl[i] : 1);
        memcpy(z[i], f + at, zl[i]);
        at += zl[i];
    }
    const unsigned char *attrs = f + at;   /* the attributes part, after the body: kept as it is */
    size_t attrs_len = len - at;
    if (edit) {
        uLongf n = raw[part];
        unsigned char *img = malloc(n);
        ck_assert_int_eq(uncompress(img, &n, z[part], zl[part]), Z_OK);
        edit(img, n);
        free(z[part]);
        zl[part] = compressBound(n);
        z[part] = malloc(zl[part]);
        ck_assert_int_eq(compress2(z[part], &zl[part], img, n, 1), Z_OK);
        free(img);
    }
    if (new_raw_len)
        raw[part] = new_raw_len;
    size_t body = (size_t)parts * 8;
    for (uint32_t i = 0; i < parts; i++)
        body += zl[i];
    unsigned char *out = calloc(1, 64 + body + attrs_len);
    memcpy(out, f, 64);
    at = 64 + (size_t)parts * 8;
    for (uint32_t i = 0; i < parts; i++) {
        put32(out + 64 + 8 * i, raw[i]);
        put32(out + 64 + 8 * i + 4, (uint32_t)zl[i]);
        memcpy(out + at, z[i], zl[i]);
        at += zl[i];
        free(z[i]);
    }
    memcpy(out + at, attrs, attrs_len);
    put32(out + 32, (uint32_t)body);
    put32(out + 36, 0);
    put32(out + 40, (uint32_t)crc32(0L, out + 64, (uInt)body));
    put32(out + 12, (uint32_t)crc32(0L, out + 16, 48));
    FILE *w = fopen(path, "wb");
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(fwrite(out, 1, 64 + body + attrs_len, w), 64 + body + attrs_len);
    fclose(w);
    free(out);
    free(z);
    free(zl);
    free(raw);
    free(f);
}

/* Sets the attributes' image size in the header (and the header checksum again). */
static void craft_attrs_size(const char *path, uint32_t raw_len)
{
    size_t len;
    unsigned char *f = (unsigned char *)test_read_file(path, &len);
    ck_assert_uint_ge(len, 64);
    ck_assert_uint_gt(le32(f + 52), 0);   /* the cache has attributes */
    put32(f + 48, raw_len);
    put32(f + 12, (uint32_t)crc32(0L, f + 16, 48));
    FILE *w = fopen(path, "wb");
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(fwrite(f, 1, len, w), len);
    fclose(w);
    free(f);
}

static unsigned char *find_bytes(unsigned char *img, size_t n, const char *what, size_t len)
{
    for (size_t i = 0; i + len <= n; i++)
        if (!memcmp(img + i, what, len))
            return img + i;
    return NULL;
}

/* Swaps the version strings "8.0.0" and "8.2.0" in the core's string table. */
static void swap_versions(unsigned char *img, size_t n)
{
    unsigned char *a = find_bytes(img, n, "\0" "8.0.0\0", 7), *b = find_bytes(img, n, "\0" "8.2.0\0", 7);
    ck_assert(a && b);
    memcpy(a + 1, "8.2.0", 5);
    memcpy(b + 1, "8.0.0", 5);
}

/* Breaks the magic number that opens a clause chunk. */
static void break_chunk(unsigned char *img, size_t n)
{
    ck_assert_uint_gt(n, 0);
    img[0] ^= 0x5a;
}

/* 8. What the cache trusts: a file vsolve wrote for this repository and variables. Checksums
 * catch damage, not a crafted file: every count and range is checked against the file before
 * anything is allocated, the versions must be in order, and whatever is found inconsistent,
 * when loading or later when a chunk is read, makes vsolve rebuild the cache from the
 * repository and answer from it. */
START_TEST(cache_crafted_content)
{
    char *d = temp_dir();
    put_opam(d, "repo/tcpip.8.0.0", "opam-version: \"2.0\"\n");
    put_opam(d, "repo/tcpip.8.2.0", "opam-version: \"2.0\"\ndepends: [ \"lwt\" ]\n");
    put_opam(d, "repo/lwt.5.0.0", "opam-version: \"2.0\"\n");
    char cache[600];   /* (in() rotates its buffers) */
    snprintf(cache, sizeof cache, "%s/c.vsc", d);
    /* versions swapped in the string table: the answer was tcpip 8.0.0 (exit 0) */
    run r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), cache);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    craft_cache(cache, 0, swap_versions, 0);
    r = vsolve("--ecosystem opam --repo %s --cache %s --verbose solve tcpip", in(d, "repo"), cache);
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "lwt.5.0.0\ntcpip.8.2.0\n"), "exit %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.err, "versions of tcpip out of order; rebuilt") != NULL, "%s", r.err);
    run_free(&r);
    /* an image size field asking for 3 GB: refused before allocating, rebuilt */
    r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), cache);
    run_free(&r);
    craft_cache(cache, 0, NULL, 3000000000u);
    r = vsolve("--ecosystem opam --repo %s --cache %s --verbose solve tcpip", in(d, "repo"), cache);
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "lwt.5.0.0\ntcpip.8.2.0\n"), "exit %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.err, "implausible part sizes; rebuilt") != NULL, "%s", r.err);
    run_free(&r);
    /* the attributes' image size asking for 3 GB (format 8's attributes part): refused when
     * the cache is opened, before anything is allocated, and rebuilt */
    r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), cache);
    run_free(&r);
    craft_attrs_size(cache, 3000000000u);
    r = vsolve("--ecosystem opam --repo %s --cache %s --verbose solve tcpip", in(d, "repo"), cache);
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "lwt.5.0.0\ntcpip.8.2.0\n"), "exit %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.err, "implausible sizes; rebuilt") != NULL, "%s", r.err);
    run_free(&r);
    /* a clause chunk that is damaged but checksummed: found when the solve reads it; the
     * cache is rebuilt then, the answer given, and the next run is clean */
    r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), cache);
    run_free(&r);
    craft_cache(cache, 2, break_chunk, 0);
    r = vsolve("--ecosystem opam --repo %s --cache %s solve tcpip", in(d, "repo"), cache);
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "lwt.5.0.0\ntcpip.8.2.0\n"), "exit %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.err, "warning: corrupt: ") != NULL && strstr(r.err, "rebuilt from the repository") != NULL, "%s",
                  r.err);
    run_free(&r);
    r = vsolve("--ecosystem opam --repo %s --cache %s solve tcpip", in(d, "repo"), cache);
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "lwt.5.0.0\ntcpip.8.2.0\n") && !strcmp(r.err, ""), "exit %d: %s%s",
                  r.status, r.out, r.err);
    run_free(&r);
    /* versions out of order, found when a command that reads everything (check, sweep) reads
     * them: rebuilt too, and the command answers from the repository */
    put(d, "sol", "lwt.5.0.0\ntcpip.8.2.0\n");
    r = vsolve("--ecosystem opam --repo %s --cache %s index", in(d, "repo"), cache);
    run_free(&r);
    craft_cache(cache, 0, swap_versions, 0);
    r = vsolve("--ecosystem opam --repo %s --cache %s check --solution %s tcpip", in(d, "repo"), cache, in(d, "sol"));
    ck_assert_msg(r.status == 0, "exit %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.err, "versions of tcpip out of order; rebuilt from the repository") != NULL, "%s", r.err);
    run_free(&r);
    r = vsolve("--ecosystem opam --repo %s --cache %s check --solution %s tcpip", in(d, "repo"), cache, in(d, "sol"));
    ck_assert_msg(r.status == 0 && !strstr(r.err, "rebuilt"), "exit %d: %s%s", r.status, r.out, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 8. The clause count of a core image is held to what the chunks can back (4 bytes a clause):
 * a count field alone cannot make the reader allocate. */
START_TEST(cache_clause_count_bounded)
{
    vs_universe u, v;
    universe_init(&u);
    uint32_t a = universe_intern(&u, "a", 1), b = universe_intern(&u, "b", 1);
    ck_assert_int_eq(universe_add_package(&u, a, universe_intern(&u, "1", 1), 0, NULL), VSOLVE_OK);
    ck_assert_int_eq(universe_add_package(&u, b, universe_intern(&u, "1", 1), 0, NULL), VSOLVE_OK);
    ck_assert_int_eq(universe_sort(&u, strcmp), VSOLVE_OK);
    uint32_t one = 1;
    ck_assert_int_eq(universe_add_clause(&u, 0, universe_intern(&u, "needs b", 7), &one, 1), VSOLVE_OK);
    universe_image img;
    ck_assert_int_eq(universe_image_write(&u, &img), VSOLVE_OK);
    for (uint32_t max = 0; max <= 1; max++) {
        universe_init(&v);
        vs_error err;
        vs_error_clear(&err);
        unsigned char *core = malloc(img.core_len);
        memcpy(core, img.core, img.core_len);
        int rc = universe_image_read_core(&v, core, img.core_len, max, &err);
        ck_assert_int_eq(rc, max == 0 ? VSOLVE_EBADINPUT : VSOLVE_OK);
        if (max == 0)
            ck_assert_msg(strstr(err.message, "clause count") != NULL, "%s", err.message);
        universe_free(&v);
    }
    universe_image_free(&img);
    universe_free(&u);
}
END_TEST

/* 15. One malformed opam file no longer fails every solve on its repository: as opam does, the
 * package is left out with a warning (FILE:LINE:COL, on stderr and in --format json), the
 * answer is otherwise the same; --strict refuses. No cache is written meanwhile, so that every
 * run warns. */
START_TEST(opam_malformed_file_left_out)
{
    char *d = temp_dir();
    put_opam(d, "repo/a.1", "opam-version: \"2.0\"\n");
    put_opam(d, "repo/b.1", "opam-version: \"2.0\"\ndepends: [ \"a\" ]\n");
    put_opam(d, "repo/c.1", "opam-version: \"2.0\"\ndepends: [ \"a\" {>= \"1\" ]\n");
    char cache[600];
    snprintf(cache, sizeof cache, "%s/c.vsc", d);
    for (int pass = 0; pass < 2; pass++) {   /* the second run would read a cache if one were written */
        run r = vsolve("--ecosystem opam --repo %s --cache %s solve b", in(d, "repo"), cache);
        ck_assert_msg(r.status == 0 && !strcmp(r.out, "a.1\nb.1\n"), "exit %d: %s%s", r.status, r.out, r.err);
        ck_assert_msg(strstr(r.err, "vsolve: warning: packages/c/c.1/opam:2:") != NULL &&
                          strstr(r.err, "package left out") != NULL, "%s", r.err);
        run_free(&r);
    }
    ck_assert_int_ne(access(cache, F_OK), 0);
    run r = vsolve("--ecosystem opam --repo %s --no-cache --format json solve b", in(d, "repo"));
    ck_assert_msg(r.status == 0 && strstr(r.out, "\"warnings\": [\n    \"packages/c/c.1/opam:2:") != NULL, "%s", r.out);
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_msg(json_parse(&a, "out.json", r.out, strlen(r.out), &err) != NULL, "%s", err.message);
    arena_free(&a);
    run_free(&r);
    r = vsolve("--ecosystem opam --repo %s --no-cache solve c", in(d, "repo"));
    ck_assert_msg(r.status == 1 && strstr(r.err, "warning: packages/c/c.1/opam:2:") != NULL, "exit %d: %s", r.status, r.err);
    run_free(&r);
    r = vsolve("--ecosystem opam --repo %s --no-cache --strict solve b", in(d, "repo"));
    ck_assert_msg(r.status == 2 && strstr(r.err, "packages/c/c.1/opam:2:") != NULL && strstr(r.err, "warning") == NULL,
                  "exit %d: %s", r.status, r.err);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 15b. From a .tar.gz (parsed on the reading thread) the warnings of malformed files are the
 * same as from the directory (parsed on the calling thread): same text, same order. */
START_TEST(opam_malformed_files_archive_same_warnings)
{
    char *d = temp_dir();
    put_opam(d, "repo/a.1", "opam-version: \"2.0\"\n");
    put_opam(d, "repo/b.1", "opam-version: \"2.0\"\ndepends: [ \"a\" {>= } ]\n");
    put_opam(d, "repo/c.1", "opam-version: \"2.0\"\ndepends: [ \"a\" ]\n");
    put_opam(d, "repo/d.2", "opam-version: \"2.0\"\n  name: \"\\q\"\n");
    put_opam(d, "repo/e.1", "depends: [[[(\n");
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "tar czf %s --sort=name -C %s packages", in(d, "repo.tar.gz"), in(d, "repo"));
    ck_assert_int_eq(system(cmd), 0);
    run r1 = vsolve("--ecosystem opam --repo %s --no-cache solve c", in(d, "repo"));
    run r2 = vsolve("--ecosystem opam --repo %s --no-cache solve c", in(d, "repo.tar.gz"));
    ck_assert_msg(r1.status == 0 && !strcmp(r1.out, "a.1\nc.1\n"), "exit %d: %s%s", r1.status, r1.out, r1.err);
    ck_assert_str_eq(r1.out, r2.out);
    ck_assert_str_eq(r1.err, r2.err);
    const char *b = strstr(r2.err, "warning: packages/b/b.1/opam:2:20:"), *dd = strstr(r2.err, "packages/d/d.2/opam:2:10:"),
               *e = strstr(r2.err, "packages/e/e.1/opam:2:1:");
    ck_assert_msg(b && dd && e && b < dd && dd < e, "%s", r2.err);
    run_free(&r1);
    run_free(&r2);
    r1 = vsolve("--ecosystem opam --repo %s --no-cache --strict solve c", in(d, "repo"));
    r2 = vsolve("--ecosystem opam --repo %s --no-cache --strict solve c", in(d, "repo.tar.gz"));
    ck_assert_msg(r2.status == 2 && strstr(r2.err, "packages/b/b.1/opam:2:20:") != NULL, "exit %d: %s", r2.status, r2.err);
    ck_assert_str_eq(r1.err, r2.err);
    run_free(&r1);
    run_free(&r2);
    rm_tree(d);
}
END_TEST

/* CPU seconds the finished children used so far (load on the machine does not count). */
static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* 10. CUDF: 100,000 versions of one name, each conflicting with its own name, took 20 s
 * (find_groups compared every version with every other): now near-linear. */
START_TEST(cudf_self_conflicts_linear)
{
    char *d = temp_dir();
    char path[600];
    snprintf(path, sizeof path, "%s/self.cudf", d);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("preamble: \n\n", f);
    for (int v = 1; v <= 100000; v++)
        fprintf(f, "package: x\nversion: %d\nconflicts: x%s\n\n", v, v % 2 ? "" : " != 0");
    fputs("request: r\ninstall: x\n", f);
    fclose(f);
    double before = children_cpu();
    run r = vsolve("--ecosystem cudf --repo %s solve", path);
    double used = children_cpu() - before;
    ck_assert_msg(r.status == 0 && !strcmp(r.out, "package: x\nversion: 100000\ninstalled: true\n"), "exit %d: %s%s", r.status,
                  r.out, r.err);
    ck_assert_msg(used < 15, "%.1f s of CPU for 100,000 self-conflicting versions", used);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 10. npm: a chain of 3,000 packages relocated the whole tree after every placement, each time
 * allocating every location anew (quadratic time, and memory: 10,000 took 1.6 GB). */
START_TEST(npm_chain_linear_memory)
{
    char *d = temp_dir();
    enum { N = 3000 };
    char rel[64], text[300];
    for (int i = 0; i < N; i++) {
        snprintf(rel, sizeof rel, "reg/packuments/p%d.json", i);
        if (i + 1 < N)
            snprintf(text, sizeof text, "{\"name\": \"p%d\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": {\"1.0.0\": "
                     "{\"name\": \"p%d\", \"version\": \"1.0.0\", \"dependencies\": {\"p%d\": \"^1.0.0\"}}}}\n", i, i, i + 1);
        else
            snprintf(text, sizeof text, "{\"name\": \"p%d\", \"dist-tags\": {\"latest\": \"1.0.0\"}, \"versions\": {\"1.0.0\": "
                     "{\"name\": \"p%d\", \"version\": \"1.0.0\"}}}\n", i, i);
        put(d, rel, text);
    }
    put(d, "package.json", "{\"name\": \"root\", \"version\": \"1.0.0\", \"dependencies\": {\"p0\": \"^1.0.0\"}}\n");
    double before = children_cpu();
    run r = vsolve("--ecosystem npm --registry %s solve --manifest %s", in(d, "reg"), in(d, "package.json"));
    double used = children_cpu() - before;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    ck_assert_msg(r.status == 0 && strstr(r.out, "\"node_modules/p2999\"") != NULL, "exit %d: %s", r.status, r.err);
    ck_assert_msg(ru.ru_maxrss < 150 * 1024, "%ld KiB at most in a child", ru.ru_maxrss);   /* (the largest child so far) */
    ck_assert_msg(used < 60, "%.1f s of CPU for a chain of 3,000", used);
    run_free(&r);
    rm_tree(d);
}
END_TEST

/* 10. A test case nested 40,000 deep (flow or block) cost libyaml's loader 10-13 s; the reader
 * now stops at the 65th level with the position. Aliases, a second document and a key given
 * twice are refused, and a device is not read. */
static void assert_case_refused(const char *path, const char *want)
{
    testcase tc;
    vs_error err = { 0 };
    ck_assert_int_ne(testcase_read(&tc, path, &err), VSOLVE_OK);
    ck_assert_msg(strstr(err.message, want), "%s: got \"%s\", want \"%s\"", path, err.message, want);
}

START_TEST(testcase_yaml_bounded)
{
    char *d = temp_dir();
    size_t n = 40000;
    char *deep = malloc(4 * n + 100);
    ck_assert_ptr_nonnull(deep);
    strcpy(deep, "description: ");
    memset(deep + 13, '[', n);
    memset(deep + 13 + n, ']', n);
    strcpy(deep + 13 + 2 * n, "\nrequest: []\n");
    put(d, "flow.yaml", deep);
    assert_case_refused(in(d, "flow.yaml"), "flow.yaml:1:77: expected at most 64 nested lists and mappings");
    strcpy(deep, "description: x\npackages:\n  a:\n    ");
    char *p = deep + strlen(deep);
    for (size_t i = 0; i < n; i++, p += 2)
        memcpy(p, "- ", 2);
    strcpy(p, "x\n");
    put(d, "block.yaml", deep);
    assert_case_refused(in(d, "block.yaml"), "block.yaml:4:129: expected at most 64 nested lists and mappings");
    free(deep);
    put(d, "alias.yaml", "description: &d x\nrequest: *d\n");
    assert_case_refused(in(d, "alias.yaml"), "alias.yaml:2:10: expected a value, found an alias");
    put(d, "two.yaml", "description: x\n---\ndescription: y\n");
    assert_case_refused(in(d, "two.yaml"), "two.yaml:2:1: expected one YAML document, found a second");
    assert_case_refused("/dev/zero", "/dev/zero: expected a regular file");
    /* found by fuzz_testcase: a second request was read over the first, past its array */
    put(d, "dup.yaml", "description: x\npackages: { a.1.0: '' }\nrequest: [ \"a>=1\", \"a<2\" ]\nrequest: [ a ]\n");
    assert_case_refused(in(d, "dup.yaml"), "dup.yaml:4:1: expected each key once, found a second request");
    rm_tree(d);
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, cargo_duplicate_versions_and_case);
    tcase_add_test(tc, cargo_real_index_duplicate_line);
    tcase_add_test(tc, cargo_names_never_paths);
    tcase_add_test(tc, cargo_lock_injection);
    tcase_add_test(tc, npm_lock_long_bin);
    tcase_add_test(tc, opam_long_formulas);
    tcase_add_test(tc, locks_replace_only_regular_files);
    tcase_add_test(tc, cache_write_failures);
    tcase_add_test(tc, bounded_reads);
    tcase_add_test(tc, inflate_limit_per_context);
    tcase_add_test(tc, solve_timeout);
    tcase_add_test(tc, npm_timeout);
    tcase_add_test(tc, cargo_too_many_features);
    tcase_add_test(tc, opam_atom_syntax);
    tcase_add_test(tc, silent_drops_refused);
    tcase_add_test(tc, cache_crafted_content);
    tcase_add_test(tc, cache_clause_count_bounded);
    tcase_add_test(tc, opam_malformed_file_left_out);
    tcase_add_test(tc, opam_malformed_files_archive_same_warnings);
    tcase_add_test(tc, cudf_self_conflicts_linear);
    tcase_add_test(tc, npm_chain_linear_memory);
    tcase_add_test(tc, testcase_yaml_bounded);
    suite_add_tcase(s, tc);
    return s;
}
