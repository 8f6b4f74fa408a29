/* main.c: the vsolve command line, a thin client of the vsolve.h library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "vsolve.h"

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char usage[] =
    "usage: vsolve --ecosystem opam --repo PATH [options] solve ATOM...\n"
    "       vsolve --ecosystem opam --repo PATH [options] index\n"
    "       vsolve --ecosystem opam --repo PATH [options] sweep [--jobs N]\n"
    "       vsolve --ecosystem cudf --repo FILE.cudf[.gz] [options] solve\n"
    "       vsolve --ecosystem opam --repo PATH [options] check --solution FILE ATOM...\n"
    "       vsolve --ecosystem cargo --index PATH solve --manifest Cargo.toml [--lock Cargo.lock]\n"
    "              [--features F,G] [--no-default-features] [--source-url URL]\n"
    "       vsolve --ecosystem npm --registry DIR solve --manifest package.json [--lock package-lock.json]\n"
    "              [--registry-url URL] [--node VERSION] [--npm VERSION]\n"
    "\n"
    "solve: solves a request against an opam repository (a directory with packages/, or a .tar.gz\n"
    "of one) and prints the chosen packages as NAME.VERSION lines, sorted.\n"
    "index: parses the repository and writes its universe cache; later solves read the cache\n"
    "instead of parsing (a stale or corrupt cache is detected and rebuilt).\n"
    "sweep: checks that every package version can be installed (on N threads, default 2), lists\n"
    "the ones that cannot with the reason, and ends with a summary by reason.\n"
    "With --ecosystem cudf, solve takes no atoms: it solves the CUDF document's own request and\n"
    "prints a CUDF solution (a package/version/installed stanza per package, or FAIL).\n"
    "cargo: resolves a Rust package against a crates index (directory or .tar.gz); writes the\n"
    "Cargo.lock to --lock (keeping the versions of an existing one where they still fit), or to\n"
    "standard output; --format json prints the chosen crates instead.\n"
    "npm: builds npm's node_modules tree from packuments (DIR/packuments/NAME.json, or a .tar.gz)\n"
    "and writes the package-lock.json (v3) to --lock, or to standard output; --format json prints\n"
    "the entries instead (the reason is the node_modules path).\n"
    "check: verifies a solution (NAME.VERSION lines in FILE, e.g. another solver's answer) against\n"
    "the request with vsolve's independent checker; exit 0 if it holds, 1 with the violations.\n"
    "\n"
    "ATOM: NAME | NAME.VERSION | NAME<op>VERSION with <op> one of = != < <= > >=\n"
    "      (quote atoms with < or > in the shell; several atoms on one name all apply)\n"
    "\n"
    "options:\n"
    "  --ecosystem NAME        opam, cudf (a CUDF 2.0 document), cargo or npm\n"
    "  --repo PATH             opam repository directory or .tar.gz; a CUDF file\n"
    "  --index PATH            cargo: crates index directory or .tar.gz\n"
    "  --registry PATH         npm: packuments directory or .tar.gz\n"
    "  --env VAR=VALUE         set an opam variable (os, arch, os-distribution, os-version,\n"
    "                          with-test, with-doc, ...); repeatable; overrides host detection\n"
    "  --format text|json      output format (default text)\n"
    "  --dump-testcase FILE    also write the request's cone and answer as a YAML test case\n"
    "  --cache FILE            the universe cache file (default: $VSOLVE_CACHE_DIR, else\n"
    "                          $XDG_CACHE_HOME/vsolve, else ~/.cache/vsolve)\n"
    "  --no-cache              parse the repository, ignore any cache\n"
    "  --timeout SECONDS       stop a solve past this time (exit 3)\n"
    "  --strict                refuse a repository with a malformed opam file (default: leave\n"
    "                          the package out, with a warning)\n"
    "  --max-inflate BYTES     most bytes a .gz input may inflate to (default 2G; K, M, G)\n"
    "  --verbose               report the cache and timings on stderr\n"
    "  -h, --help              this text\n"
    "  --version               print the version\n"
    "\n"
    "exit status: 0 solved, 1 unsatisfiable (the reason is printed on stderr),\n"
    "             2 bad input or usage, 3 other errors\n";

/* A progress bar on stderr, redrawn in place; only on a terminal. */
static void progress_bar(void *user, size_t done, size_t total)
{
    (void)user;
    int width = 40, filled = total ? (int)((double)done / (double)total * width) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################", width - filled, "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int run_sweep(vsolve_ctx *ctx, int jobs)
{
    vsolve_sweep_result *r = NULL;
    double t0 = seconds();
    int rc = vsolve_sweep(ctx, jobs, isatty(2) ? progress_bar : NULL, NULL, &r);
    if (rc != VSOLVE_OK) {
        fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
        return rc;
    }
    double dt = seconds() - t0;
    size_t n = vsolve_sweep_count(r);
    for (size_t i = 0; i < n; i++) {
        int st = vsolve_sweep_status(r, i);
        if (st != VSOLVE_INSTALLABLE && st != VSOLVE_NOT_AVAILABLE)
            printf("%s.%s: %s\n", vsolve_sweep_name(r, i), vsolve_sweep_version(r, i), vsolve_sweep_reason(r, i));
    }
    printf("\n%zu package versions checked in %.1f s on %d thread%s:\n", n, dt, jobs, jobs == 1 ? "" : "s");
    for (int st = VSOLVE_INSTALLABLE; st <= VSOLVE_CONFLICTING_DEPS; st++)
        printf("  %7zu  %s%s\n", vsolve_sweep_total(r, st), st == VSOLVE_INSTALLABLE ? "" : "not installable: ",
               vsolve_sweep_status_name(st));
    vsolve_sweep_free(r);
    return VSOLVE_OK;
}

static int run_check(vsolve_ctx *ctx, const char *solution, const char *const *atoms, size_t n_atoms)
{
    struct stat st;   /* a regular file only: /dev/zero or a FIFO would never end */
    FILE *f = solution && stat(solution, &st) == 0 && S_ISREG(st.st_mode) ? fopen(solution, "r") : NULL;
    if (!f) {
        fprintf(stderr, "vsolve: check needs --solution FILE (NAME.VERSION lines)%s%s\n", solution ? ": cannot read " : "",
                solution ? solution : "");
        return VSOLVE_EUSAGE;
    }
    char line[1024];
    char **pkgs = NULL;
    size_t n = 0, cap = 0;
    int rc = VSOLVE_OK;
    while (rc == VSOLVE_OK && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **np = realloc(pkgs, cap * sizeof *np);
            if (!np)
                rc = VSOLVE_ENOMEM;
            else
                pkgs = np;
        }
        if (rc == VSOLVE_OK && !(pkgs[n++] = strdup(line)))
            rc = VSOLVE_ENOMEM;
    }
    fclose(f);
    if (rc == VSOLVE_OK)
        rc = vsolve_check(ctx, atoms, n_atoms, (const char *const *)pkgs, n);
    if (rc == VSOLVE_OK)
        printf("ok: %zu packages satisfy the request\n", n);
    else
        fprintf(stderr, "vsolve: %s%s", vsolve_errmsg(ctx), rc == VSOLVE_UNSAT ? "" : "\n");
    for (size_t i = 0; i < n; i++)
        free(pkgs[i]);
    free(pkgs);
    return rc;
}

static void print_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void print_result(const vsolve_ctx *ctx, const vsolve_result *r, int rc, int json)
{
    size_t n = vsolve_result_count(r);
    if (!json) {
        for (size_t i = 0; i < n; i++)
            printf("%s.%s\n", vsolve_result_name(r, i), vsolve_result_version(r, i));
        return;
    }
    printf("{\n  \"status\": \"%s\",\n", rc == VSOLVE_OK ? "sat" : "unsat");
    if (rc != VSOLVE_OK) {
        printf("  \"explanation\": ");
        print_json_string(stdout, vsolve_result_explanation(r));
        printf(",\n");
    }
    printf("  \"packages\": [");
    for (size_t i = 0; i < n; i++) {
        printf("%s\n    {\"name\": ", i ? "," : "");
        print_json_string(stdout, vsolve_result_name(r, i));
        printf(", \"version\": ");
        print_json_string(stdout, vsolve_result_version(r, i));
        printf(", \"pulled_by\": ");
        print_json_string(stdout, vsolve_result_reason(r, i));
        printf("}");
    }
    printf("%s]", n ? "\n  " : "");
    size_t nw = vsolve_warning_count(ctx);   /* only when there are: the shape is otherwise unchanged */
    for (size_t i = 0; i < nw; i++) {
        printf("%s", i ? ",\n    " : ",\n  \"warnings\": [\n    ");
        print_json_string(stdout, vsolve_warning(ctx, i));
    }
    printf("%s\n}\n", nw ? "\n  ]" : "");
}

/* A CUDF solution: the installed packages as stanzas, or FAIL. */
static void print_cudf(const vsolve_result *r, int rc)
{
    if (rc != VSOLVE_OK) {
        printf("FAIL\n");
        return;
    }
    for (size_t i = 0; i < vsolve_result_count(r); i++)
        printf("%spackage: %s\nversion: %s\ninstalled: true\n", i ? "\n" : "", vsolve_result_name(r, i),
               vsolve_result_version(r, i));
}

static int run_cargo(vsolve_ctx *ctx, const char *index, int argc, char **argv, int json)
{
    const char *manifest = NULL, *lock = NULL, *source = NULL;
    int no_default = 0;
    const char *features[64];
    size_t n_features = 0;
    char *feature_list = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-default-features")) {
            no_default = 1;
            continue;
        }
        if (!val) {
            fprintf(stderr, "vsolve: %s needs a value\n", a);
            return VSOLVE_EUSAGE;
        }
        if (!strcmp(a, "--manifest"))
            manifest = val;
        else if (!strcmp(a, "--lock"))
            lock = val;
        else if (!strcmp(a, "--source-url"))
            source = val;
        else if (!strcmp(a, "--features")) {
            free(feature_list);
            feature_list = strdup(val);
            for (char *f = strtok(feature_list, ", "); f; f = strtok(NULL, ", ")) {
                if (n_features == 64) {
                    fprintf(stderr, "vsolve: --features takes at most 64 features\n");
                    free(feature_list);
                    return VSOLVE_EUSAGE;
                }
                features[n_features++] = f;
            }
        } else {
            fprintf(stderr, "vsolve: unknown cargo option \"%s\"\n", a);
            free(feature_list);
            return VSOLVE_EUSAGE;
        }
        i++;
    }
    if (!index || !manifest) {
        fprintf(stderr, "vsolve: cargo needs --index PATH and solve --manifest Cargo.toml\n");
        free(feature_list);
        return VSOLVE_EUSAGE;
    }
    vsolve_result *r = NULL;
    int rc = vsolve_cargo_solve(ctx, index, manifest, lock, features, n_features, no_default, &r);
    if (rc == VSOLVE_OK && vsolve_result_explanation(r)[0])
        fprintf(stderr, "vsolve: note: %s\n", vsolve_result_explanation(r));
    if (rc == VSOLVE_OK && !json)
        rc = vsolve_cargo_write_lock(ctx, lock ? lock : "-", source);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        if (json)
            print_result(ctx, r, rc, 1);
        if (rc == VSOLVE_UNSAT)
            fprintf(stderr, "vsolve: %s", vsolve_result_explanation(r));
    } else {
        fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
    }
    vsolve_result_free(r);
    free(feature_list);
    return rc;
}

static int run_npm(vsolve_ctx *ctx, const char *registry, int argc, char **argv, int json)
{
    const char *manifest = NULL, *lock = NULL, *url = NULL, *node = NULL, *npm = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) {
            fprintf(stderr, "vsolve: %s needs a value\n", a);
            return VSOLVE_EUSAGE;
        }
        if (!strcmp(a, "--manifest"))
            manifest = val;
        else if (!strcmp(a, "--lock"))
            lock = val;
        else if (!strcmp(a, "--registry-url"))
            url = val;
        else if (!strcmp(a, "--node"))
            node = val;
        else if (!strcmp(a, "--npm"))
            npm = val;
        else {
            fprintf(stderr, "vsolve: unknown npm option \"%s\"\n", a);
            return VSOLVE_EUSAGE;
        }
        i++;
    }
    if (!registry || !manifest) {
        fprintf(stderr, "vsolve: npm needs --registry DIR and solve --manifest package.json\n");
        return VSOLVE_EUSAGE;
    }
    vsolve_result *r = NULL;
    int rc = vsolve_npm_solve(ctx, registry, manifest, lock, node, npm, &r);
    if (rc == VSOLVE_OK && !json)
        rc = vsolve_npm_write_lock(ctx, lock ? lock : "-", url);
    if (rc == VSOLVE_OK && json)
        print_result(ctx, r, rc, 1);
    else if (rc != VSOLVE_OK)
        fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
    vsolve_result_free(r);
    return rc;
}

static int exit_code(int rc)
{
    switch (rc) {
    case VSOLVE_OK: return 0;
    case VSOLVE_UNSAT: return 1;
    case VSOLVE_EBADINPUT:
    case VSOLVE_EUSAGE: return 2;
    default: return 3;
    }
}

int main(int argc, char **argv)
{
    const char *ecosystem = NULL, *repo = NULL, *dump = NULL, *cache = NULL, *command = NULL, *solution = NULL;
    int json = 0, verbose = 0, use_cache = 1, jobs = 2, cudf = 0, i = 1;
    size_t warned = 0;   /* warnings printed so far */
    double t_start = seconds();
    vsolve_ctx *ctx = vsolve_new();
    if (!ctx) {
        fprintf(stderr, "vsolve: out of memory\n");
        return 3;
    }
    int rc = VSOLVE_OK;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            vsolve_free(ctx);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("vsolve %s\n", vsolve_version());
            vsolve_free(ctx);
            return 0;
        } else if (!strcmp(a, "solve") || !strcmp(a, "index") || !strcmp(a, "sweep") || !strcmp(a, "check")) {
            command = a;
            i++;
            if (!strcmp(a, "check") && i + 1 < argc && !strcmp(argv[i], "--solution")) {
                solution = argv[i + 1];
                i += 2;
            }
            if (!strcmp(a, "sweep") && i + 1 < argc && !strcmp(argv[i], "--jobs")) {
                jobs = atoi(argv[i + 1]);
                if (jobs < 1 || jobs > 64) {
                    fprintf(stderr, "vsolve: --jobs takes a number from 1 to 64\n");
                    vsolve_free(ctx);
                    return 2;
                }
                i += 2;
            }
            break;
        } else if (!strcmp(a, "--no-cache")) {
            use_cache = 0;
        } else if (!strcmp(a, "--strict")) {   /* a malformed opam file refuses the repository */
            rc = vsolve_set_strict(ctx, 1);
        } else if (!strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (a[0] == '-' && !val) {
            fprintf(stderr, "vsolve: %s needs a value\n\n%s", a, usage);
            vsolve_free(ctx);
            return 2;
        } else if (!strcmp(a, "--ecosystem")) {
            ecosystem = val, i++;
        } else if (!strcmp(a, "--repo") || !strcmp(a, "--index") || !strcmp(a, "--registry")) {
            repo = val, i++;
        } else if (!strcmp(a, "--dump-testcase")) {
            dump = val, i++;
        } else if (!strcmp(a, "--cache")) {
            cache = val, i++;
        } else if (!strcmp(a, "--timeout")) {   /* seconds per solve; exit 3 past it */
            char *end;
            double t = strtod(val, &end);
            if (end == val || *end || !(t > 0) || t > 1e9) {
                fprintf(stderr, "vsolve: --timeout takes a number of seconds greater than 0, not \"%s\"\n", val);
                vsolve_free(ctx);
                return 2;
            }
            rc = vsolve_set_timeout(ctx, t);
            i++;
        } else if (!strcmp(a, "--max-inflate")) {   /* the library reads VSOLVE_MAX_INFLATE */
            setenv("VSOLVE_MAX_INFLATE", val, 1);
            i++;
        } else if (!strcmp(a, "--format")) {
            if (strcmp(val, "json") && strcmp(val, "text")) {
                fprintf(stderr, "vsolve: --format takes text or json, not \"%s\"\n", val);
                vsolve_free(ctx);
                return 2;
            }
            json = !strcmp(val, "json"), i++;
        } else if (!strcmp(a, "--env")) {
            const char *eq = strchr(val, '=');
            if (!eq || eq == val) {
                fprintf(stderr, "vsolve: --env takes VAR=VALUE, not \"%s\"\n", val);
                vsolve_free(ctx);
                return 2;
            }
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - val), val);
            rc = vsolve_set_var(ctx, name, eq + 1);
            i++;
            if (rc != VSOLVE_OK)
                break;
        } else {
            fprintf(stderr, "vsolve: unknown argument \"%s\"\n\n%s", a, usage);
            vsolve_free(ctx);
            return 2;
        }
    }
    /* ecosystems that resolve a project manifest: the options after `solve` are theirs */
    static const struct {
        const char *name, *shape;
        int (*run)(vsolve_ctx *, const char *, int, char **, int);
    } projects[] = {
        { "cargo", "--index PATH solve --manifest Cargo.toml [...]", run_cargo },
        { "npm", "--registry DIR solve --manifest package.json [...]", run_npm },
    };
    for (size_t k = 0; rc == VSOLVE_OK && ecosystem && k < sizeof projects / sizeof projects[0]; k++) {
        if (strcmp(ecosystem, projects[k].name) != 0)
            continue;
        if (dump) {   /* test cases hold an opam universe: refused, not ignored */
            fprintf(stderr, "vsolve: --dump-testcase works with --ecosystem opam only, not %s\n", projects[k].name);
            vsolve_free(ctx);
            return 2;
        }
        if (!command || strcmp(command, "solve")) {
            fprintf(stderr, "vsolve: with --ecosystem %s: %s\n\n%s", projects[k].name, projects[k].shape, usage);
            vsolve_free(ctx);
            return 2;
        }
        rc = projects[k].run(ctx, repo, argc - i, argv + i, json);
        vsolve_free(ctx);
        return exit_code(rc);
    }
    if (rc == VSOLVE_OK && ecosystem && !strcmp(ecosystem, "cudf")) {
        if (!repo || !command || strcmp(command, "solve") || i < argc || dump) {
            fprintf(stderr, "vsolve: with --ecosystem cudf: --repo FILE.cudf[.gz] solve, without atoms "
                            "(the request is the document's) and without --dump-testcase\n\n%s", usage);
            vsolve_free(ctx);
            return 2;
        }
        cudf = 1;
        rc = vsolve_load_cudf(ctx, repo);
    } else if (rc == VSOLVE_OK) {
        if (!ecosystem || strcmp(ecosystem, "opam") != 0) {
            fprintf(stderr, "vsolve: --ecosystem %s is not supported; use --ecosystem opam, cudf or cargo\n", ecosystem ? ecosystem : "(missing)");
            vsolve_free(ctx);
            return 2;
        }
        int indexing = command && !strcmp(command, "index");
        int sweeping = command && !strcmp(command, "sweep");
        if (!repo || !command || (!indexing && !sweeping && !solution && i >= argc) || ((indexing || sweeping) && i < argc)) {
            fprintf(stderr, "vsolve: need --repo PATH and `solve` followed by at least one atom, or `index`\n\n%s", usage);
            vsolve_free(ctx);
            return 2;
        }
        if (indexing && !use_cache) {
            fprintf(stderr, "vsolve: index writes the cache; it cannot be combined with --no-cache\n");
            vsolve_free(ctx);
            return 2;
        }
        if (use_cache)
            rc = vsolve_set_cache(ctx, cache, indexing ? VSOLVE_CACHE_REFRESH : VSOLVE_CACHE_USE);
        if (rc == VSOLVE_OK)
            rc = vsolve_load_opam(ctx, repo);
        for (; warned < vsolve_warning_count(ctx); warned++)
            fprintf(stderr, "vsolve: warning: %s\n", vsolve_warning(ctx, warned));
        if (verbose && rc == VSOLVE_OK)
            fprintf(stderr, "vsolve: loaded %s in %.1f ms%s%s\n", repo, (seconds() - t_start) * 1e3,
                    vsolve_cache_status(ctx)[0] ? "; cache: " : "", vsolve_cache_status(ctx));
        if (rc == VSOLVE_OK && indexing) {
            printf("%s\n", vsolve_cache_status(ctx));
            vsolve_free(ctx);
            return 0;
        }
        if (rc == VSOLVE_OK && !strcmp(command, "check")) {
            rc = run_check(ctx, solution, (const char *const *)argv + i, (size_t)(argc - i));
            vsolve_free(ctx);
            return exit_code(rc);
        }
        if (rc == VSOLVE_OK && sweeping) {
            rc = run_sweep(ctx, jobs);
            vsolve_free(ctx);
            return exit_code(rc);
        }
    }
    if (rc != VSOLVE_OK) {
        fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
        vsolve_free(ctx);
        return exit_code(rc);
    }
    vsolve_result *r = NULL;
    double t_solve = seconds();
    rc = vsolve_solve(ctx, (const char *const *)argv + i, (size_t)(argc - i), &r);
    for (; warned < vsolve_warning_count(ctx); warned++)   /* a corrupt cache found while solving */
        fprintf(stderr, "vsolve: warning: %s\n", vsolve_warning(ctx, warned));
    if (verbose)
        fprintf(stderr, "vsolve: solved in %.1f ms; %.1f ms in all\n", (seconds() - t_solve) * 1e3,
                (seconds() - t_start) * 1e3);
    if (rc == VSOLVE_OK || rc == VSOLVE_UNSAT) {
        if (cudf && !json)
            print_cudf(r, rc);
        else
            print_result(ctx, r, rc, json);
        if (rc == VSOLVE_UNSAT)
            fprintf(stderr, "vsolve: %s", vsolve_result_explanation(r));
        if (dump) {
            int drc = vsolve_dump_testcase(ctx, (const char *const *)argv + i, (size_t)(argc - i), r, dump);
            if (drc != VSOLVE_OK) {
                fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
                rc = drc;
            }
        }
    } else {
        fprintf(stderr, "vsolve: %s\n", vsolve_errmsg(ctx));
    }
    vsolve_result_free(r);
    vsolve_free(ctx);
    return exit_code(rc);
}
