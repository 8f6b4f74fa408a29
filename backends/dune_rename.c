/* dune_rename.c: renaming one copy of a duplicated package so that two versions link into one dune build. */
#include "dune_rename.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "atomic_file.h"
#include "dune_sexp.h"
#include "json.h"
#include "vec.h"

extern char **environ;

typedef VEC(char *) str_vec;
typedef struct lib lib;
typedef VEC(const lib *) lib_vec;

typedef struct dfile {           /* a parsed dune file */
    char *path;
    dsx_doc doc;
    int changed;
} dfile;

struct lib {                     /* a library of the copy */
    char *name, *new_name;       /* private names */
    char *pub, *new_pub;         /* public names, or NULL */
    char *dir;
    dsx *stanza;
    dfile *file;
};

typedef struct ctx {
    const dune_copy *c;
    char suffix[128];
    str_vec pkgs, new_pkgs;      /* the copy's packages and their new names */
    VEC(lib) libs;
    str_vec syms;                /* global C symbols the copy's stubs define */
    char sym_prefix[256];
    VEC(dfile *) files;          /* dune files of the copy and of the dependents */
    char *report;
    size_t report_len;
    vs_error *err;
} ctx;

static void say(ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(ctx *x, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    char *p = realloc(x->report, x->report_len + n + 2);
    if (!p)
        return;
    x->report = p;
    memcpy(p + x->report_len, line, n);
    x->report_len += n;
    p[x->report_len++] = '\n';
    p[x->report_len] = '\0';
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

static char *cat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *p = malloc(la + lb + lc + 1);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    memcpy(p + la, b, lb);
    memcpy(p + la + lb, c, lc + 1);
    return p;
}

static int oom(ctx *x)
{
    return vs_error_set(x->err, VSOLVE_ENOMEM, "out of memory");
}

int dune_version_suffix(const char *v, char *out, size_t size)
{
    size_t k = 0;
    if (size < 3)
        return 0;
    out[k++] = '_';
    out[k++] = 'v';
    for (const char *p = v; *p; p++) {
        if (k + 1 >= size)
            return 0;
        out[k++] = (isalnum((unsigned char)*p) || *p == '_') ? *p : '_';
    }
    out[k] = '\0';
    return 1;
}

static int read_whole(const char *path, char **data, size_t *len, vs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > ((size_t)64 << 20)) {
                free(buf);
                fclose(f);
                return vs_error_set(err, VSOLVE_EBADINPUT, "%s: larger than 64 MiB", path);
            }
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (bad) {
        free(buf);
        return vs_error_set(err, VSOLVE_EIO, "cannot read %s", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return VSOLVE_OK;
}

static int in_list(const str_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s))
            return (int)i;
    return -1;
}

static void free_strs(str_vec *v)
{
    for (size_t i = 0; i < v->len; i++)
        free(v->items[i]);
    vec_free(v);
}

/* ---- walking directories ---- */

static int skip_dir(const char *name)
{
    return name[0] == '.' || name[0] == '_' || !strcmp(name, "node_modules");
}

/* Collects the dune files under dir (sorted walk, so the report is deterministic). */
static int walk(ctx *x, const char *dir, str_vec *dune_files, str_vec *ml_files, int depth)
{
    if (depth > 64)
        return vs_error_set(x->err, VSOLVE_EBADINPUT, "%s: directories nested too deep", dir);
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0)
        return vs_error_set(x->err, VSOLVE_EIO, "cannot list %s: %s", dir, strerror(errno));
    int rc = VSOLVE_OK;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (rc == VSOLVE_OK && strcmp(nm, ".") && strcmp(nm, "..")) {
            char *p = cat3(dir, "/", nm);
            struct stat st;
            if (!p) {
                rc = oom(x);
            } else if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                if (!skip_dir(nm))
                    rc = walk(x, p, dune_files, ml_files, depth + 1);
                free(p);
                p = NULL;
            } else if (S_ISREG(st.st_mode) && !strcmp(nm, "dune")) {
                if (!vec_push(dune_files, p))
                    rc = oom(x);
                p = NULL;
            } else if (S_ISREG(st.st_mode) && ml_files) {
                size_t l = strlen(nm);
                if ((l > 3 && !strcmp(nm + l - 3, ".ml")) || (l > 4 && !strcmp(nm + l - 4, ".mli"))) {
                    if (!vec_push(ml_files, p))
                        rc = oom(x);
                    p = NULL;
                }
            }
            free(p);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static int load_dune(ctx *x, const char *path, dfile **out)
{
    char *text;
    size_t len;
    int rc = read_whole(path, &text, &len, x->err);
    if (rc)
        return rc;
    dfile *f = calloc(1, sizeof *f);
    if (!f || !(f->path = xstrdup(path))) {
        free(f);
        free(text);
        return oom(x);
    }
    rc = dsx_parse(&f->doc, path, text, len, x->err);
    free(text);
    if (rc) {
        free(f->path);
        free(f);
        return rc;
    }
    if (!vec_push(&x->files, f)) {
        dsx_free(&f->doc);
        free(f->path);
        free(f);
        return oom(x);
    }
    *out = f;
    return VSOLVE_OK;
}

static int save_dune(ctx *x, dfile *f)
{
    size_t len;
    char *text = dsx_write(&f->doc, &len);
    if (!text)
        return oom(x);
    int rc = atomic_file_write(f->path, text, len, x->err);
    free(text);
    return rc;
}

/* ---- names ---- */

/* Names that become file names or OCaml source: a package name [A-Za-z0-9_+-][A-Za-z0-9_+.-]*,
 * a library or module name [A-Za-z_][A-Za-z0-9_']*, a public name a package name. */
static int valid_name(const char *s, int ident)
{
    if (!*s || strlen(s) > 200 || (ident ? !(isalpha((unsigned char)*s) || *s == '_') : *s == '.'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || (ident ? *s == '\'' : (*s == '-' || *s == '+' || *s == '.'))))
            return 0;
    return 1;
}


static const lib *lib_by_ref(const ctx *x, const char *ref, int private_ok)
{
    for (size_t i = 0; i < x->libs.len; i++) {
        const lib *l = &x->libs.items[i];
        if (l->pub && !strcmp(l->pub, ref))
            return l;
        if (private_ok && !strcmp(l->name, ref))
            return l;
    }
    return NULL;
}

static const char *new_ref(const ctx *x, const char *ref, int private_ok)
{
    for (size_t i = 0; i < x->libs.len; i++) {
        const lib *l = &x->libs.items[i];
        if (l->pub && !strcmp(l->pub, ref))
            return l->new_pub;
        if (private_ok && !strcmp(l->name, ref))
            return l->new_name;
    }
    return NULL;
}

static void module_name(const char *lib_name, char *out, size_t size)
{
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s", lib_name);
    snprintf(out, size, "%s", tmp);
    out[0] = (char)toupper((unsigned char)out[0]);
}

/* Rewrites %{lib:P:...}, %{lib-available:P}, %{version:P}, %{lib-private:L:...} in an atom. */
static int rewrite_vars(ctx *x, dsx_doc *doc, dsx *a, int private_ok, int *changed)
{
    const char *s = a->atom;
    if (!strstr(s, "%{"))
        return VSOLVE_OK;
    char out[4096];
    size_t k = 0;
    int any = 0;
    for (size_t i = 0; s[i];) {
        static const char *const kinds[] = { "lib:", "lib-available:", "version:", "lib-private:" };
        int done = 0;
        if (s[i] == '%' && s[i + 1] == '{') {
            for (size_t t = 0; t < sizeof kinds / sizeof *kinds && !done; t++) {
                size_t kl = strlen(kinds[t]);
                if (strncmp(s + i + 2, kinds[t], kl))
                    continue;
                size_t j = i + 2 + kl, e = j;
                while (s[e] && s[e] != ':' && s[e] != '}')
                    e++;
                char ref[512];
                if (e - j >= sizeof ref)
                    break;
                memcpy(ref, s + j, e - j);
                ref[e - j] = '\0';
                const char *nr = NULL;
                if (t == 2) {   /* %{version:PKG} */
                    int p = in_list(&x->pkgs, ref);
                    nr = p >= 0 ? x->new_pkgs.items[p] : NULL;
                } else {
                    nr = new_ref(x, ref, private_ok || t == 3);
                }
                if (!nr)
                    break;
                size_t need = 2 + kl + strlen(nr);
                if (k + need >= sizeof out)
                    return vs_error_set(x->err, VSOLVE_EBADINPUT, "an atom of %u:%u is too long", a->line, a->col);
                memcpy(out + k, s + i, 2 + kl);
                k += 2 + kl;
                memcpy(out + k, nr, strlen(nr));
                k += strlen(nr);
                i = e;
                done = any = 1;
            }
        }
        if (!done) {
            if (k + 1 >= sizeof out)
                return vs_error_set(x->err, VSOLVE_EBADINPUT, "an atom of %u:%u is too long", a->line, a->col);
            out[k++] = s[i++];
        }
    }
    out[k] = '\0';
    if (any) {
        if (!dsx_set_atom(doc, a, out))
            return oom(x);
        *changed = 1;
    }
    return VSOLVE_OK;
}

static int rewrite_all_vars(ctx *x, dsx_doc *doc, dsx *n, int private_ok, int *changed)
{
    if (!n->is_list)
        return rewrite_vars(x, doc, n, private_ok, changed);
    for (size_t i = 0; i < n->n; i++) {
        int rc = rewrite_all_vars(x, doc, n->kids[i], private_ok, changed);
        if (rc)
            return rc;
    }
    return VSOLVE_OK;
}

/* Renames the library references among the atoms of n (recursively: `(select ...)`,
 * `(re_export ...)`); records the renamed ones in used. */
static int rewrite_refs(ctx *x, dsx_doc *doc, dsx *n, int private_ok, int *changed, lib_vec *used,
                        int *reexports)
{
    if (!n->is_list) {
        const char *v = n->atom;
        if (v[0] == '-' || v[0] == ':' || v[0] == '%')
            return VSOLVE_OK;
        const lib *l = lib_by_ref(x, v, private_ok);
        if (!l)
            return VSOLVE_OK;
        if (!dsx_set_atom(doc, n, private_ok && !strcmp(l->name, v) && !(l->pub && !strcmp(l->pub, v))
                                       ? l->new_name : l->new_pub))
            return oom(x);
        *changed = 1;
        if (used && !vec_push(used, l))
            return oom(x);
        return VSOLVE_OK;
    }
    const char *h = dsx_head(n);
    size_t from = 0;
    if (h && !strcmp(h, "re_export")) {
        from = 1;
        if (reexports)
            *reexports = 1;
    } else if (h && !strcmp(h, "select")) {
        /* (select FILE from (LIBS -> FILE) ...): skip the target and `from` */
        for (size_t i = 1; i < n->n; i++)
            if (n->kids[i]->is_list) {
                dsx *alt = n->kids[i];
                for (size_t j = 0; j < alt->n && !(!alt->kids[j]->is_list && !strcmp(alt->kids[j]->atom, "->")); j++) {
                    const char *a = alt->kids[j]->atom;
                    if (!alt->kids[j]->is_list && a[0] == '!') {
                        const lib *l = lib_by_ref(x, a + 1, private_ok);
                        if (l) {
                            char buf[600];
                            snprintf(buf, sizeof buf, "!%s", l->new_pub ? l->new_pub : l->new_name);
                            if (!dsx_set_atom(doc, alt->kids[j], buf))
                                return oom(x);
                            *changed = 1;
                        }
                        continue;
                    }
                    int rc = rewrite_refs(x, doc, alt->kids[j], private_ok, changed, NULL, NULL);
                    if (rc)
                        return rc;
                }
            }
        return VSOLVE_OK;
    }
    for (size_t i = from; i < n->n; i++) {
        int rc = rewrite_refs(x, doc, n->kids[i], private_ok, changed, used, NULL);
        if (rc)
            return rc;
    }
    return VSOLVE_OK;
}

/* Appends atoms to a `(field ...)` (into its single list value when it is written
 * `(flags (:standard ...))`), or adds `(field (:standard atoms...))` to the stanza. */
static int merge_flags(ctx *x, dsx_doc *doc, dsx *stanza, const char *field, const str_vec *atoms)
{
    dsx *f = dsx_field(stanza, field);
    dsx *target;
    if (!f) {
        f = dsx_new_list(doc, "\n ");
        dsx *h = dsx_new_atom(doc, field, "");
        target = dsx_new_list(doc, " ");
        dsx *std = dsx_new_atom(doc, ":standard", "");
        if (!f || !h || !target || !std || !dsx_append(doc, f, h) || !dsx_append(doc, f, target) ||
            !dsx_append(doc, target, std) || !dsx_append(doc, stanza, f))
            return oom(x);
    } else if (f->n == 2 && f->kids[1]->is_list) {
        target = f->kids[1];
    } else {
        target = f;
    }
    for (size_t i = 0; i < atoms->len; i++) {
        dsx *a = dsx_new_atom(doc, atoms->items[i], " ");
        if (!a || !dsx_append(doc, target, a))
            return oom(x);
    }
    return VSOLVE_OK;
}

/* -D flags renaming the copy's C symbols. */
static int sym_defines(ctx *x, str_vec *out)
{
    for (size_t i = 0; i < x->syms.len; i++) {
        char buf[600];
        snprintf(buf, sizeof buf, "-D%s=%s%s", x->syms.items[i], x->sym_prefix, x->syms.items[i]);
        char *d = xstrdup(buf);
        if (!d || !vec_push(out, d)) {
            free(d);
            return oom(x);
        }
    }
    return VSOLVE_OK;
}

static int is_c_stubs(const dsx *fs)
{
    const dsx *lang = dsx_field(fs, "language");
    return lang && lang->n == 2 && !lang->kids[1]->is_list && !strcmp(lang->kids[1]->atom, "c");
}

/* Adds the C renames to every C stub set of a stanza. */
static int rename_stub_flags(ctx *x, dsx_doc *doc, dsx *stanza, int *changed)
{
    if (!x->syms.len)
        return VSOLVE_OK;
    str_vec defs = { 0 };
    int rc = sym_defines(x, &defs);
    for (size_t i = 0; rc == VSOLVE_OK && i < stanza->n; i++) {
        dsx *k = stanza->kids[i];
        const char *h = dsx_head(k);
        if (h && !strcmp(h, "foreign_stubs") && is_c_stubs(k)) {
            rc = merge_flags(x, doc, k, "flags", &defs);
            *changed = 1;
        }
    }
    if (rc == VSOLVE_OK && (dsx_field(stanza, "c_names"))) {
        rc = merge_flags(x, doc, stanza, "c_flags", &defs);
        *changed = 1;
    }
    free_strs(&defs);
    return rc;
}

/* Rewrites one stanza of the copy (own = 1) or of a dependent. */
static int rewrite_stanza(ctx *x, dfile *f, dsx *st, int own, const char *where)
{
    dsx_doc *doc = &f->doc;
    const char *h = dsx_head(st);
    if (!h)
        return VSOLVE_OK;
    int changed = 0, rc = VSOLVE_OK;
    lib_vec used = { 0 };
    int reexports = 0;
    for (size_t i = 1; rc == VSOLVE_OK && i < st->n; i++) {
        dsx *fl = st->kids[i];
        const char *fh = dsx_head(fl);
        if (!fh)
            continue;
        if (!strcmp(fh, "libraries")) {
            for (size_t j = 1; rc == VSOLVE_OK && j < fl->n; j++)
                rc = rewrite_refs(x, doc, fl->kids[j], own, &changed, &used, &reexports);
            if (reexports) {
                for (size_t j = 0; j < used.len; j++)
                    say(x, "warning: %s: a stanza re-exports %s, duplicated here: its types differ from the other copy's, so dependents that exchange them will not type-check",
                        where, used.items[j]->pub ? used.items[j]->pub : used.items[j]->name);
            }
        } else if (!strcmp(fh, "preprocess") || !strcmp(fh, "preprocessor_deps") ||
                   !strcmp(fh, "ppx_runtime_libraries")) {
            /* (preprocess (pps L ...)) and (per_module ...) forms: rename what they name */
            rc = rewrite_refs(x, doc, fl, own, &changed, NULL, NULL);
        } else if (!strcmp(fh, "package") && own) {
            for (size_t j = 1; j < fl->n; j++) {
                int p = fl->kids[j]->is_list ? -1 : in_list(&x->pkgs, fl->kids[j]->atom);
                if (p >= 0) {
                    if (!dsx_set_atom(doc, fl->kids[j], x->new_pkgs.items[p]))
                        rc = oom(x);
                    changed = 1;
                }
            }
        }
    }
    if (rc == VSOLVE_OK)
        rc = rewrite_all_vars(x, doc, st, own, &changed);
    /* -open each renamed library this stanza names, so that `L.f` reaches the copy */
    if (rc == VSOLVE_OK && used.len) {
        str_vec opens = { 0 };
        for (size_t j = 0; rc == VSOLVE_OK && j < used.len; j++) {
            char m[300];
            module_name(used.items[j]->new_name, m, sizeof m);
            int dup = 0;
            for (size_t k = 0; k < j; k++)
                dup |= used.items[k] == used.items[j];
            if (dup)
                continue;
            char *a = xstrdup("-open"), *b = xstrdup(m);
            if (!a || !b || !vec_push(&opens, a) || !vec_push(&opens, b)) {
                free(a);
                free(b);
                rc = oom(x);
            }
        }
        if (rc == VSOLVE_OK)
            rc = merge_flags(x, doc, st, "flags", &opens);
        for (size_t j = 0; j + 1 < opens.len; j += 2)
            say(x, "%s: %s: -open %s", where, h, opens.items[j + 1]);
        free_strs(&opens);
        changed = 1;
    }
    /* C stubs of a dependent may call the copy's C functions (through its headers) */
    if (rc == VSOLVE_OK)
        rc = rename_stub_flags(x, doc, st, &changed);
    vec_free(&used);
    if (changed)
        f->changed = 1;
    return rc;
}

/* ---- C symbols ---- */

static int run(ctx *x, char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out_path)
        posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        return vs_error_set(x->err, VSOLVE_EIO, "cannot run %s: %s", argv[0], strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vs_error_set(x->err, VSOLVE_EIO, "waiting for %s: %s", argv[0], strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return vs_error_set(x->err, VSOLVE_EIO, "%s failed", argv[0]);
    return VSOLVE_OK;
}

static int valid_stub_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

/* Compiles one stub file to a temporary object and lists the global symbols it defines. */
static int list_symbols(ctx *x, const char *src, const char *dir, const char *where, const str_vec *extra)
{
    char tmpl[] = "/tmp/vsolve-rename-XXXXXX";
    if (!mkdtemp(tmpl))
        return vs_error_set(x->err, VSOLVE_EIO, "cannot make a temporary directory: %s", strerror(errno));
    char *obj = cat3(tmpl, "/", "stub.o"), *syms = cat3(tmpl, "/", "syms.txt");
    char *inc_dir = cat3("-I", dir, ""), *inc_caml = cat3("-I", where, "");
    int rc = VSOLVE_OK;
    if (!obj || !syms || !inc_dir || !inc_caml) {
        rc = oom(x);
        goto out;
    }
    VEC(char *) argv = { 0 };
    char *fixed[] = { (char *)(x->c->cc ? x->c->cc : "cc"), "-c", "-o", obj, inc_dir, inc_caml };
    int ok = vec_append(&argv, fixed, sizeof fixed / sizeof *fixed);
    for (size_t i = 0; ok && i < extra->len; i++)
        ok = vec_push(&argv, extra->items[i]);
    ok = ok && vec_push(&argv, (char *)src) && vec_push(&argv, NULL);
    if (!ok) {
        vec_free(&argv);
        rc = oom(x);
        goto out;
    }
    rc = run(x, argv.items, NULL);
    vec_free(&argv);
    if (rc) {
        rc = vs_error_set(x->err, VSOLVE_EIO, "cannot list the C symbols of %s: the C compiler failed on it", src);
        goto out;
    }
    char *nm_argv[] = { "nm", "-g", "--defined-only", "-P", obj, NULL };
    rc = run(x, nm_argv, syms);
    if (rc)
        goto out;
    char *text;
    size_t len;
    rc = read_whole(syms, &text, &len, x->err);
    if (rc)
        goto out;
    for (char *line = strtok(text, "\n"); line && rc == VSOLVE_OK; line = strtok(NULL, "\n")) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        if (in_list(&x->syms, line) >= 0)
            continue;
        char *s = xstrdup(line);
        if (!s || !vec_push(&x->syms, s)) {
            free(s);
            rc = oom(x);
        }
    }
    free(text);
out:
    if (obj)
        unlink(obj);
    if (syms)
        unlink(syms);
    rmdir(tmpl);
    free(obj);
    free(syms);
    free(inc_dir);
    free(inc_caml);
    return rc;
}

static int ocaml_where(ctx *x, char *out, size_t size)
{
    if (x->c->ocaml_where) {
        snprintf(out, size, "%s", x->c->ocaml_where);
        return VSOLVE_OK;
    }
    char tmpl[] = "/tmp/vsolve-where-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return vs_error_set(x->err, VSOLVE_EIO, "cannot make a temporary file: %s", strerror(errno));
    close(fd);
    char *argv[] = { "ocamlfind", "ocamlc", "-where", NULL };
    int rc = run(x, argv, tmpl);
    if (rc) {
        char *argv2[] = { "ocamlc", "-where", NULL };
        rc = run(x, argv2, tmpl);
    }
    char *text = NULL;
    size_t len;
    if (rc == VSOLVE_OK)
        rc = read_whole(tmpl, &text, &len, x->err);
    unlink(tmpl);
    if (rc)
        return vs_error_set(x->err, VSOLVE_EIO, "cannot find OCaml's headers (ocamlfind ocamlc -where failed)");
    text[strcspn(text, "\r\n")] = '\0';
    snprintf(out, size, "%s", text);
    free(text);
    return VSOLVE_OK;
}

/* The C files of a library's stubs and the -I/-D flags they are compiled with. */
static int collect_stub_symbols(ctx *x, const lib *l, const char *where)
{
    VEC(const dsx *) lists = { 0 };
    str_vec extra = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < l->stanza->n; i++) {
        const dsx *k = l->stanza->kids[i];
        const char *h = dsx_head(k);
        if (h && !strcmp(h, "foreign_stubs") && is_c_stubs(k)) {
            const dsx *names = dsx_field(k, "names");
            if (names && !vec_push(&lists, names))
                rc = oom(x);
            const dsx *fl = dsx_field(k, "flags");
            for (size_t j = 1; fl && j < fl->n; j++) {
                const dsx *v = fl->kids[j]->is_list ? fl->kids[j] : NULL;
                size_t m = v ? v->n : 1;
                for (size_t q = 0; q < m; q++) {
                    const dsx *a = v ? v->kids[q] : fl->kids[j];
                    if (!a->is_list && (!strncmp(a->atom, "-D", 2) || !strncmp(a->atom, "-I", 2))) {
                        char *s = xstrdup(a->atom);
                        if (!s || !vec_push(&extra, s))
                            free(s);
                    }
                }
            }
        } else if (h && !strcmp(h, "c_names")) {
            if (!vec_push(&lists, k))
                rc = oom(x);
        }
    }
    for (size_t i = 0; rc == VSOLVE_OK && i < lists.len; i++)
        for (size_t j = 1; rc == VSOLVE_OK && j < lists.items[i]->n; j++) {
            const dsx *a = lists.items[i]->kids[j];
            if (a->is_list || a->atom[0] == ':')
                continue;
            if (!valid_stub_name(a->atom)) {
                rc = vs_error_at(x->err, l->file->path, a->line, a->col, "a C stub name of letters, digits, '_' or '-'");
                break;
            }
            char *base = cat3(l->dir, "/", a->atom), *src = base ? cat3(base, ".c", "") : NULL;
            if (!src)
                rc = oom(x);
            else
                rc = list_symbols(x, src, l->dir, where, &extra);
            free(base);
            free(src);
        }
    vec_free(&lists);
    free_strs(&extra);
    return rc;
}

/* ---- OCaml sources: `external ... = "sym"` ---- */

static int rewrite_externals(ctx *x, const char *path)
{
    char *s;
    size_t len;
    int rc = read_whole(path, &s, &len, x->err);
    if (rc)
        return rc;
    VEC(char) out = { 0 };
    int changed = 0, ok = 1;
    size_t i = 0;
    while (i < len && ok) {
        char c = s[i];
        if (c == '(' && i + 1 < len && s[i + 1] == '*') {   /* comment, nested */
            size_t st = i, depth = 0;
            do {
                if (s[i] == '(' && i + 1 < len && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < len && s[i + 1] == ')') {
                    depth--;
                    i += 2;
                } else {
                    i++;
                }
            } while (i < len && depth);
            ok = vec_append(&out, s + st, i - st);
        } else if (c == '"') {
            size_t st = i++;
            while (i < len && s[i] != '"')
                i += s[i] == '\\' ? 2 : 1;
            i = i < len ? i + 1 : len;
            ok = vec_append(&out, s + st, i - st);
        } else if (!strncmp(s + i, "external", 8) && (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '\'')) &&
                   i + 8 < len && !(isalnum((unsigned char)s[i + 8]) || s[i + 8] == '_')) {
            size_t eq = i + 8;
            while (eq < len && s[eq] != '=' && s[eq] != '"')
                eq++;
            if (eq >= len || s[eq] != '=') {
                ok = vec_append(&out, s + i, 8);
                i += 8;
                continue;
            }
            ok = vec_append(&out, s + i, eq + 1 - i);
            i = eq + 1;
            for (;;) {   /* the primitive names: string literals after '=' */
                size_t ws = i;
                while (i < len && isspace((unsigned char)s[i]))
                    i++;
                ok = ok && vec_append(&out, s + ws, i - ws);
                if (i >= len || s[i] != '"')
                    break;
                size_t st = ++i;
                while (i < len && s[i] != '"')
                    i += s[i] == '\\' ? 2 : 1;
                if (i >= len)
                    break;
                char name[512];
                size_t nl = i - st;
                if (nl < sizeof name) {
                    memcpy(name, s + st, nl);
                    name[nl] = '\0';
                } else {
                    name[0] = '\0';
                }
                ok = ok && vec_push(&out, '"');
                if (name[0] && in_list(&x->syms, name) >= 0) {
                    ok = ok && vec_append(&out, x->sym_prefix, strlen(x->sym_prefix));
                    changed = 1;
                }
                ok = ok && vec_append(&out, s + st, nl) && vec_push(&out, '"');
                i++;
            }
        } else {
            ok = vec_push(&out, c);
            i++;
        }
    }
    if (!ok)
        rc = oom(x);
    else if (changed) {
        rc = atomic_file_write(path, out.items, out.len, x->err);
        if (rc == VSOLVE_OK)
            say(x, "%s: external primitives renamed", path);
    }
    vec_free(&out);
    free(s);
    return rc;
}

/* ---- the copy ---- */

static int file_exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* Writes the library's new main module re-exporting its old top module (or each module). */
static int write_main_module(ctx *x, lib *l, int unwrapped)
{
    char *ml = cat3(l->dir, "/", l->new_name), *mlf = ml ? cat3(ml, ".ml", "") : NULL;
    char *old = cat3(l->dir, "/", l->name), *oldf = old ? cat3(old, ".ml", "") : NULL;
    char *oldi = old ? cat3(old, ".mli", "") : NULL;
    int rc = VSOLVE_OK;
    VEC(char) text = { 0 };
    str_vec mods = { 0 };
    if (!mlf || !oldf || !oldi) {
        rc = oom(x);
        goto out;
    }
    if (file_exists(mlf)) {
        rc = vs_error_set(x->err, VSOLVE_EBADINPUT, "%s exists: the copy already has a module named like its renamed library", mlf);
        goto out;
    }
    char head[600], m[300];
    module_name(l->name, m, sizeof m);
    snprintf(head, sizeof head, "(* Generated by vsolve: library %s renamed %s (a duplicated version); do not edit. *)\n",
             l->name, l->new_name);
    int ok = vec_append(&text, head, strlen(head));
    if (!unwrapped && (file_exists(oldf) || file_exists(oldi))) {
        char line[700];
        snprintf(line, sizeof line, "module %s = %s\n", m, m);
        ok = ok && vec_append(&text, line, strlen(line));
    } else {
        /* every module of the directory (a (modules ...) field lists them when present) */
        const dsx *mf = dsx_field(l->stanza, "modules");
        int listed = 0;
        if (mf) {
            for (size_t j = 1; j < mf->n; j++) {
                if (mf->kids[j]->is_list || mf->kids[j]->atom[0] == ':' || mf->kids[j]->atom[0] == '\\') {
                    listed = 0;
                    break;
                }
                listed = 1;
            }
        }
        if (listed) {
            for (size_t j = 1; ok && j < mf->n; j++) {
                char mm[300];
                if (!valid_name(mf->kids[j]->atom, 1)) {
                    rc = vs_error_at(x->err, l->file->path, mf->kids[j]->line, mf->kids[j]->col, "a module name");
                    goto out;
                }
                module_name(mf->kids[j]->atom, mm, sizeof mm);
                if (in_list(&mods, mm) < 0) {
                    char *d = xstrdup(mm);
                    ok = d && vec_push(&mods, d);
                }
            }
        } else {
            struct dirent **ents;
            int n = scandir(l->dir, &ents, NULL, alphasort);
            for (int i = 0; i < n; i++) {
                const char *nm = ents[i]->d_name;
                size_t len = strlen(nm);
                size_t stem = (len > 3 && !strcmp(nm + len - 3, ".ml")) ? len - 3
                            : (len > 4 && !strcmp(nm + len - 4, ".mli")) ? len - 4 : 0;
                if (stem && stem < 290 && ok) {
                    char mm[300];
                    memcpy(mm, nm, stem);
                    mm[stem] = '\0';
                    if (!valid_name(mm, 1)) {   /* not an OCaml module file: not part of the library */
                        free(ents[i]);
                        continue;
                    }
                    module_name(mm, mm, sizeof mm);
                    if (in_list(&mods, mm) < 0) {
                        char *d = xstrdup(mm);
                        ok = d && vec_push(&mods, d);
                    }
                }
                free(ents[i]);
            }
            if (n >= 0)
                free(ents);
        }
        if (unwrapped) {
            for (size_t j = 0; ok && j < mods.len; j++) {
                char line[700];
                snprintf(line, sizeof line, "module %s = %s\n", mods.items[j], mods.items[j]);
                ok = vec_append(&text, line, strlen(line));
            }
        } else {
            char line[700];
            snprintf(line, sizeof line, "module %s = struct\n", m);
            ok = ok && vec_append(&text, line, strlen(line));
            for (size_t j = 0; ok && j < mods.len; j++) {
                snprintf(line, sizeof line, "  module %s = %s\n", mods.items[j], mods.items[j]);
                ok = vec_append(&text, line, strlen(line));
            }
            ok = ok && vec_append(&text, "end\n", 4);
        }
    }
    if (!ok) {
        rc = oom(x);
        goto out;
    }
    rc = atomic_file_write(mlf, text.items, text.len, x->err);
    if (rc == VSOLVE_OK && dsx_field(l->stanza, "modules")) {
        /* the new module must be part of the library */
        dsx *mf = dsx_field(l->stanza, "modules");
        dsx *a = dsx_new_atom(&l->file->doc, l->new_name, " ");
        if (!a || !dsx_append(&l->file->doc, mf, a))
            rc = oom(x);
        l->file->changed = 1;
    }
out:
    free_strs(&mods);
    vec_free(&text);
    free(ml);
    free(mlf);
    free(old);
    free(oldf);
    free(oldi);
    return rc;
}

static int add_pkg(ctx *x, const char *name)
{
    if (!valid_name(name, 0))
        return vs_error_set(x->err, VSOLVE_EBADINPUT, "%s: package name \"%.200s\" is not one opam or dune accepts", x->c->dir, name);
    if (in_list(&x->pkgs, name) >= 0)
        return VSOLVE_OK;
    char *a = xstrdup(name), *b = cat3(name, x->suffix, "");
    if (!a || !b || !vec_push(&x->pkgs, a) || !vec_push(&x->new_pkgs, b)) {
        free(a);
        free(b);
        return oom(x);
    }
    return VSOLVE_OK;
}

/* The copy's packages: dune-project's (package (name P)) and the .opam files at its top. */
static int read_packages(ctx *x, dfile **project)
{
    char *path = cat3(x->c->dir, "/", "dune-project");
    if (!path)
        return oom(x);
    int rc = VSOLVE_OK;
    *project = NULL;
    if (file_exists(path)) {
        rc = load_dune(x, path, project);
        if (rc == VSOLVE_OK) {
            dsx *root = (*project)->doc.root;
            for (size_t i = 0; rc == VSOLVE_OK && i < root->n; i++) {
                const char *h = dsx_head(root->kids[i]);
                if (h && !strcmp(h, "package")) {
                    dsx *nm = dsx_field(root->kids[i], "name");
                    if (nm && nm->n == 2 && !nm->kids[1]->is_list)
                        rc = add_pkg(x, nm->kids[1]->atom);
                }
            }
        }
    }
    free(path);
    struct dirent **ents;
    int n = scandir(x->c->dir, &ents, NULL, alphasort);
    if (n < 0)
        return rc ? rc : vs_error_set(x->err, VSOLVE_EIO, "cannot list %s: %s", x->c->dir, strerror(errno));
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        size_t l = strlen(nm);
        if (rc == VSOLVE_OK && l > 5 && !strcmp(nm + l - 5, ".opam") && nm[0] != '.') {
            char base[256];
            if (l - 5 < sizeof base) {
                memcpy(base, nm, l - 5);
                base[l - 5] = '\0';
                rc = add_pkg(x, base);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static int rename_project(ctx *x, dfile *project)
{
    int rc = VSOLVE_OK;
    if (project) {
        dsx_doc *doc = &project->doc;
        dsx *root = doc->root;
        for (size_t i = 0; i < root->n; i++) {
            dsx *st = root->kids[i];
            const char *h = dsx_head(st);
            if (!h)
                continue;
            if (!strcmp(h, "name") && st->n == 2 && !st->kids[1]->is_list) {
                int p = in_list(&x->pkgs, st->kids[1]->atom);
                if (p >= 0 && !dsx_set_atom(doc, st->kids[1], x->new_pkgs.items[p]))
                    return oom(x);
            } else if (!strcmp(h, "package")) {
                dsx *nm = dsx_field(st, "name");
                if (nm && nm->n == 2 && !nm->kids[1]->is_list) {
                    int p = in_list(&x->pkgs, nm->kids[1]->atom);
                    if (p >= 0 && !dsx_set_atom(doc, nm->kids[1], x->new_pkgs.items[p]))
                        return oom(x);
                }
                dsx *deps = dsx_field(st, "depends");
                for (size_t j = 1; deps && j < deps->n; j++) {
                    dsx *d = deps->kids[j]->is_list && deps->kids[j]->n ? deps->kids[j]->kids[0] : deps->kids[j];
                    int p = d->is_list ? -1 : in_list(&x->pkgs, d->atom);
                    if (p >= 0 && !dsx_set_atom(doc, d, x->new_pkgs.items[p]))
                        return oom(x);
                }
            }
        }
        project->changed = 1;
    }
    /* the .opam files (and their templates) */
    for (size_t i = 0; rc == VSOLVE_OK && i < x->pkgs.len; i++) {
        static const char *const exts[] = { ".opam", ".opam.template" };
        for (size_t e = 0; e < 2 && rc == VSOLVE_OK; e++) {
            char *dirp = cat3(x->c->dir, "/", x->pkgs.items[i]);
            char *from = dirp ? cat3(dirp, exts[e], "") : NULL;
            char *dirq = cat3(x->c->dir, "/", x->new_pkgs.items[i]);
            char *to = dirq ? cat3(dirq, exts[e], "") : NULL;
            if (!from || !to)
                rc = oom(x);
            else if (file_exists(from)) {
                if (file_exists(to))
                    rc = vs_error_set(x->err, VSOLVE_EBADINPUT, "%s exists: cannot rename %s", to, from);
                else if (rename(from, to))
                    rc = vs_error_set(x->err, VSOLVE_EIO, "cannot rename %s: %s", from, strerror(errno));
            }
            free(dirp);
            free(from);
            free(dirq);
            free(to);
        }
        if (rc == VSOLVE_OK)
            say(x, "package %s -> %s", x->pkgs.items[i], x->new_pkgs.items[i]);
    }
    return rc;
}

static char *dir_of(const char *path)
{
    const char *sl = strrchr(path, '/');
    size_t n = sl ? (size_t)(sl - path) : 1;
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, sl ? path : ".", n);
    d[n] = '\0';
    return d;
}

/* Renames the public name P[.sub] of a copy's library into the renamed package. */
static char *new_public(ctx *x, const char *pub)
{
    size_t dot = strcspn(pub, ".");
    char pkg[256];
    if (dot >= sizeof pkg)
        return NULL;
    memcpy(pkg, pub, dot);
    pkg[dot] = '\0';
    int p = in_list(&x->pkgs, pkg);
    return cat3(p >= 0 ? x->new_pkgs.items[p] : pkg, p >= 0 ? "" : x->suffix, pub + dot);
}

static int collect_libraries(ctx *x, size_t first_file)
{
    for (size_t f = first_file; f < x->files.len; f++) {
        dfile *df = x->files.items[f];
        dsx *root = df->doc.root;
        for (size_t i = 0; i < root->n; i++) {
            dsx *st = root->kids[i];
            const char *h = dsx_head(st);
            if (!h || strcmp(h, "library"))
                continue;
            dsx *nm = dsx_field(st, "name");
            dsx *pub = dsx_field(st, "public_name");
            if (!nm || nm->n != 2 || nm->kids[1]->is_list) {
                if (!pub || pub->n != 2 || pub->kids[1]->is_list)
                    return vs_error_at(x->err, df->path, st->line, st->col, "a library with a (name ...) or (public_name ...)");
            }
            lib l = { 0 };
            const char *pname = pub && pub->n == 2 && !pub->kids[1]->is_list ? pub->kids[1]->atom : NULL;
            const char *lname = nm && nm->n == 2 && !nm->kids[1]->is_list ? nm->kids[1]->atom : NULL;
            if ((pname && !valid_name(pname, 0)) || (lname && !valid_name(lname, 1)))
                return vs_error_at(x->err, df->path, st->line, st->col,
                                   "a library name of letters, digits and '_' (public name: also '-', '+', '.')");
            char derived[256];
            if (nm && nm->n == 2 && !nm->kids[1]->is_list) {
                snprintf(derived, sizeof derived, "%s", nm->kids[1]->atom);
            } else {   /* dune derives the name from the public name */
                snprintf(derived, sizeof derived, "%s", pname);
                for (char *p = derived; *p; p++)
                    if (*p == '.' || *p == '-')
                        *p = '_';
            }
            l.name = xstrdup(derived);
            l.new_name = cat3(derived, x->suffix, "");
            l.pub = pname ? xstrdup(pname) : NULL;
            l.new_pub = pname ? new_public(x, pname) : NULL;
            l.dir = dir_of(df->path);
            l.stanza = st;
            l.file = df;
            if (!l.name || !l.new_name || !l.dir || (pname && (!l.pub || !l.new_pub)) || !vec_push(&x->libs, l)) {
                free(l.name);
                free(l.new_name);
                free(l.pub);
                free(l.new_pub);
                free(l.dir);
                return oom(x);
            }
        }
    }
    return VSOLVE_OK;
}

static int rename_libraries(ctx *x)
{
    for (size_t i = 0; i < x->libs.len; i++) {
        lib *l = &x->libs.items[i];
        dsx_doc *doc = &l->file->doc;
        dsx *nm = dsx_field(l->stanza, "name");
        if (nm) {
            if (!dsx_set_atom(doc, nm->kids[1], l->new_name))
                return oom(x);
        } else {
            dsx *f = dsx_new_list(doc, "\n ");
            dsx *h = dsx_new_atom(doc, "name", ""), *v = dsx_new_atom(doc, l->new_name, " ");
            if (!f || !h || !v || !dsx_append(doc, f, h) || !dsx_append(doc, f, v) || !dsx_append(doc, l->stanza, f))
                return oom(x);
        }
        dsx *pub = dsx_field(l->stanza, "public_name");
        if (pub && l->new_pub && !dsx_set_atom(doc, pub->kids[1], l->new_pub))
            return oom(x);
        int unwrapped = 0;
        for (size_t j = 0; j < l->stanza->n; j++) {
            dsx *w = l->stanza->kids[j];
            const char *h = dsx_head(w);
            if (h && !strcmp(h, "wrapped") && w->n == 2 && !w->kids[1]->is_list && !strcmp(w->kids[1]->atom, "false")) {
                dsx_remove(l->stanza, j);
                unwrapped = 1;
                break;
            }
        }
        l->file->changed = 1;
        int rc = write_main_module(x, l, unwrapped);
        if (rc)
            return rc;
        if (l->pub)
            say(x, "library %s -> %s (public name %s -> %s)", l->name, l->new_name, l->pub, l->new_pub);
        else
            say(x, "library %s -> %s", l->name, l->new_name);
        if (unwrapped)
            say(x, "library %s was (wrapped false): now wrapped, its modules re-exported by %s", l->name, l->new_name);
    }
    return VSOLVE_OK;
}

static void ctx_free(ctx *x)
{
    free_strs(&x->pkgs);
    free_strs(&x->new_pkgs);
    free_strs(&x->syms);
    for (size_t i = 0; i < x->libs.len; i++) {
        lib *l = &x->libs.items[i];
        free(l->name);
        free(l->new_name);
        free(l->pub);
        free(l->new_pub);
        free(l->dir);
    }
    vec_free(&x->libs);
    for (size_t i = 0; i < x->files.len; i++) {
        dsx_free(&x->files.items[i]->doc);
        free(x->files.items[i]->path);
        free(x->files.items[i]);
    }
    vec_free(&x->files);
}

int dune_rename_copy(const dune_copy *c, char **report, vs_error *err)
{
    ctx x = { 0 };
    x.c = c;
    x.err = err;
    *report = NULL;
    if (!dune_version_suffix(c->version, x.suffix, sizeof x.suffix))
        return vs_error_set(err, VSOLVE_EBADINPUT, "version %s is too long", c->version);
    str_vec dune_files = { 0 }, ml_files = { 0 };
    dfile *project = NULL;
    int rc = read_packages(&x, &project);
    if (rc == VSOLVE_OK && x.pkgs.len == 0)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: no package found (no dune-project package stanza and no .opam file)", c->dir);
    if (rc == VSOLVE_OK) {
        char safe[200];
        snprintf(safe, sizeof safe, "%s", x.new_pkgs.items[0]);
        for (char *p = safe; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_')
                *p = '_';
        snprintf(x.sym_prefix, sizeof x.sym_prefix, "%s_", safe);
        say(&x, "copy %s %s in %s", x.pkgs.items[0], c->version, c->dir);
        rc = walk(&x, c->dir, &dune_files, &ml_files, 0);
    }
    size_t first_copy_file = x.files.len;
    for (size_t i = 0; rc == VSOLVE_OK && i < dune_files.len; i++) {
        dfile *f;
        rc = load_dune(&x, dune_files.items[i], &f);
    }
    size_t end_copy_files = x.files.len;
    if (rc == VSOLVE_OK)
        rc = collect_libraries(&x, first_copy_file);
    for (size_t i = 0; rc == VSOLVE_OK && i < x.libs.len; i++) {   /* clashes, before any write */
        char *base = cat3(x.libs.items[i].dir, "/", x.libs.items[i].new_name), *ml = base ? cat3(base, ".ml", "") : NULL;
        if (!ml)
            rc = oom(&x);
        else if (file_exists(ml))
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s exists: the copy already has a module named like its renamed library", ml);
        free(base);
        free(ml);
        const dsx *mf = dsx_field(x.libs.items[i].stanza, "modules");
        for (size_t j = 1; rc == VSOLVE_OK && mf && j < mf->n; j++) {
            const dsx *a = mf->kids[j];
            if (!a->is_list && a->atom[0] != ':' && a->atom[0] != '\\' && !valid_name(a->atom, 1))
                rc = vs_error_at(err, x.libs.items[i].file->path, a->line, a->col, "a module name");
        }
    }
    /* the C symbols, before anything is written */
    if (rc == VSOLVE_OK) {
        char where[1024] = "";
        int need = 0;
        for (size_t i = 0; i < x.libs.len; i++)
            for (size_t j = 0; j < x.libs.items[i].stanza->n; j++) {
                const char *h = dsx_head(x.libs.items[i].stanza->kids[j]);
                need |= h && (!strcmp(h, "foreign_stubs") || !strcmp(h, "c_names"));
            }
        if (need)
            rc = ocaml_where(&x, where, sizeof where);
        for (size_t i = 0; rc == VSOLVE_OK && need && i < x.libs.len; i++)
            rc = collect_stub_symbols(&x, &x.libs.items[i], where);
        if (rc == VSOLVE_OK && x.syms.len) {
            char line[900] = "";
            size_t k = 0;
            for (size_t i = 0; i < x.syms.len && k + 100 < sizeof line; i++)
                k += (size_t)snprintf(line + k, sizeof line - k, "%s%s", i ? " " : "", x.syms.items[i]);
            say(&x, "C symbols renamed with prefix %s: %s", x.sym_prefix, line);
        }
    }
    /* dependents' dune files */
    size_t first_dep_file = x.files.len;
    str_vec dep_files = { 0 };
    for (size_t d = 0; rc == VSOLVE_OK && d < c->n_dependents; d++)
        rc = walk(&x, c->dependents[d], &dep_files, NULL, 0);
    for (size_t i = 0; rc == VSOLVE_OK && i < dep_files.len; i++) {
        dfile *f;
        rc = load_dune(&x, dep_files.items[i], &f);
    }
    if (rc == VSOLVE_OK)
        rc = rename_project(&x, project);
    if (rc == VSOLVE_OK)
        rc = rename_libraries(&x);
    for (size_t f = first_copy_file; rc == VSOLVE_OK && f < x.files.len; f++) {
        dfile *df = x.files.items[f];
        int own = f < end_copy_files;
        for (size_t i = 0; rc == VSOLVE_OK && i < df->doc.root->n; i++) {
            dsx *st = df->doc.root->kids[i];
            const char *h = dsx_head(st);
            if (!h)
                continue;
            if (own && (!strcmp(h, "executable") || !strcmp(h, "executables"))) {
                /* installed binaries of the two copies would collide */
                dsx *pn = dsx_field(st, strcmp(h, "executable") ? "public_names" : "public_name");
                for (size_t j = 1; pn && j < pn->n; j++) {
                    if (pn->kids[j]->is_list || !strcmp(pn->kids[j]->atom, "-"))
                        continue;
                    char *nn = cat3(pn->kids[j]->atom, x.suffix, "");
                    if (!nn || !dsx_set_atom(&df->doc, pn->kids[j], nn)) {
                        free(nn);
                        rc = oom(&x);
                        break;
                    }
                    say(&x, "%s: executable %s installed as %s", df->path, pn->kids[j]->atom, nn);
                    free(nn);
                    df->changed = 1;
                }
            }
            if (rc == VSOLVE_OK)
                rc = rewrite_stanza(&x, df, st, own, df->path);
        }
    }
    (void)first_dep_file;
    /* the copy's OCaml sources: external primitives */
    for (size_t i = 0; rc == VSOLVE_OK && x.syms.len && i < ml_files.len; i++)
        rc = rewrite_externals(&x, ml_files.items[i]);
    for (size_t f = 0; rc == VSOLVE_OK && f < x.files.len; f++)
        if (x.files.items[f]->changed)
            rc = save_dune(&x, x.files.items[f]);
    free_strs(&dune_files);
    free_strs(&ml_files);
    free_strs(&dep_files);
    if (rc == VSOLVE_OK) {
        *report = x.report ? x.report : xstrdup("");
        x.report = NULL;
        if (!*report)
            rc = oom(&x);
    }
    free(x.report);
    ctx_free(&x);
    return rc;
}

/* ---- the copies of a JSON lock ---- */

static const char *str_field(const json_value *o, const char *key)
{
    const json_value *v = json_get(o, key);
    return v && v->kind == JSON_STRING ? v->str : NULL;
}

int dune_rename_lock(const char *lock_json, const char *duniverse_dir, const char *project_dir, char **report,
                     vs_error *err)
{
    *report = NULL;
    char *text;
    size_t len;
    int rc = read_whole(lock_json, &text, &len, err);
    if (rc)
        return rc;
    arena a;
    arena_init(&a);
    const json_value *root = json_parse(&a, lock_json, text, len, err);
    const json_value *pkgs = root ? json_get(root, "packages") : NULL;
    if (!root)
        rc = err->code ? err->code : VSOLVE_ENOMEM;
    else if (!pkgs || pkgs->kind != JSON_ARRAY)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: a lock with a \"packages\" array", lock_json);
    char *all = NULL;
    size_t all_len = 0;
    for (size_t i = 0; rc == VSOLVE_OK && i < pkgs->n; i++) {
        const json_value *p = pkgs->items[i];
        const char *of = str_field(p, "copy-of"), *version = str_field(p, "version"), *dir = str_field(p, "dir");
        if (!of)
            continue;
        if (!version || !dir || !dir[0] || strchr(dir, '/') || dir[0] == '.') {
            rc = vs_error_at(err, lock_json, p->line, p->col, "a copy with a version and a plain dir");
            break;
        }
        const json_value *users = json_get(p, "used-by");
        str_vec deps = { 0 };
        for (size_t u = 0; users && users->kind == JSON_ARRAY && u < users->n && rc == VSOLVE_OK; u++) {
            const char *un = users->items[u]->kind == JSON_STRING ? users->items[u]->str : NULL;
            const char *udir = NULL, *mode = NULL;
            for (size_t k = 0; un && k < pkgs->n && !mode; k++) {
                const char *nm = str_field(pkgs->items[k], "name");
                if (nm && !strcmp(nm, un)) {
                    mode = str_field(pkgs->items[k], "mode");
                    udir = str_field(pkgs->items[k], "dir");
                }
            }
            char *d = NULL;
            if (mode && !strcmp(mode, "root"))
                d = xstrdup(project_dir);
            else if (mode && udir && udir[0] && !strchr(udir, '/') && udir[0] != '.')
                d = cat3(duniverse_dir, "/", udir);
            else if (mode && !strcmp(mode, "provided"))
                continue;   /* the switch's own copy: nothing of ours to rewrite */
            else {
                rc = vs_error_at(err, lock_json, users->items[u]->line, users->items[u]->col,
                                 "a user that is a package of the lock");
                break;
            }
            if (!d || !vec_push(&deps, d)) {
                free(d);
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            }
        }
        char *cdir = rc == VSOLVE_OK ? cat3(duniverse_dir, "/", dir) : NULL;
        if (rc == VSOLVE_OK && !cdir)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (rc == VSOLVE_OK) {
            dune_copy c = { cdir, version, (const char *const *)deps.items, deps.len, NULL, NULL };
            char *one = NULL;
            rc = dune_rename_copy(&c, &one, err);
            size_t n = one ? strlen(one) : 0;
            char *grown = rc == VSOLVE_OK ? realloc(all, all_len + n + 1) : NULL;
            if (rc == VSOLVE_OK && !grown)
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            if (grown) {
                memcpy(grown + all_len, one, n);
                all_len += n;
                grown[all_len] = '\0';
                all = grown;
            }
            free(one);
        }
        free(cdir);
        free_strs(&deps);
    }
    arena_free(&a);
    free(text);
    if (rc == VSOLVE_OK) {
        *report = all ? all : xstrdup("");
        if (!*report)
            rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    } else {
        free(all);
    }
    return rc;
}
