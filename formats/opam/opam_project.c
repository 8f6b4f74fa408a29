/* opam_project.c: reading a project's own opam files (the roots of a lock). */
#include "opam_project.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_OPAM_FILE (16u << 20)   /* a project's opam file is small; refuse anything huge */

static int read_file(arena *a, const char *path, char **data, size_t *len, vs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? VSOLVE_OK : VSOLVE_ENOMEM;
    while (rc == VSOLVE_OK) {
        if (n == cap) {
            char *nb = cap >= MAX_OPAM_FILE ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                rc = cap >= MAX_OPAM_FILE ? vs_error_set(err, VSOLVE_EBADINPUT, "%s: larger than 16 MB, not an opam file", path)
                                          : VSOLVE_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = vs_error_set(err, VSOLVE_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (rc == VSOLVE_OK && !(*data = arena_strndup(a, buf ? buf : "", n)))
        rc = VSOLVE_ENOMEM;
    *len = n;
    free(buf);
    if (rc == VSOLVE_ENOMEM)
        vs_error_set(err, rc, "out of memory reading %s", path);
    return rc;
}

/* A package name as opam allows it (letters, digits, - _ +), so it can name a file. */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+'))
            return 0;
    }
    return 1;
}

static const char *string_field(const opam_file *f, const char *name)
{
    const opam_node *n = opam_file_field(f, name);
    return n && n->kind == OPAM_STRING ? n->str : NULL;
}

static int add_root(opam_project *p, const char *path, const char *stem, size_t stem_len, vs_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = read_file(&p->mem, path, &data, &len, err);
    if (rc != VSOLVE_OK)
        return rc;
    const char *filename = arena_strndup(&p->mem, path, strlen(path));
    if (!filename)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    const opam_file *f = opam_parse(&p->mem, filename, data, len, err);
    if (!f)
        return err->code ? err->code : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    opam_root r = { 0 };
    r.filename = filename;
    const char *name = string_field(f, "name");
    if (!name) {
        if (!valid_name(stem, stem_len))
            return vs_error_at(err, filename, 1, 1, "expected a `name:` field or a file named NAME.opam");
        name = arena_strndup(&p->mem, stem, stem_len);
    } else if (!valid_name(name, strlen(name))) {
        const opam_node *n = opam_file_field(f, "name");
        return vs_error_at(err, filename, n->line, n->col, "expected a package name (letters, digits, - _ +)");
    }
    const char *version = string_field(f, "version");
    r.name = name;
    r.version = version ? version : "zdev";
    r.depends = opam_file_field(f, "depends");
    r.depopts = opam_file_field(f, "depopts");
    r.depexts = opam_file_field(f, "depexts");
    r.opam_provided = opam_file_field(f, "x-opam-monorepo-opam-provided");
    if (!r.name)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->roots.len; i++)
        if (!strcmp(p->roots.items[i].name, r.name))
            return vs_error_at(err, filename, 1, 1, "a second opam file for the package %s (also %s)", r.name,
                               p->roots.items[i].filename);
    return vec_push(&p->roots, r) ? VSOLVE_OK : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
}

static int by_root_name(const void *a, const void *b)
{
    return strcmp(((const opam_root *)a)->name, ((const opam_root *)b)->name);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *base_name(arena *a, const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t s = n;
    while (s > 0 && path[s - 1] != '/')
        s--;
    return arena_strndup(a, path + s, n - s);
}

static const char *dir_name(arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return arena_strndup(a, ".", 1);
    return arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path));
}

int opam_project_read(opam_project *p, const char *path, vs_error *err)
{
    memset(p, 0, sizeof *p);
    arena_init(&p->mem);
    struct stat st;
    if (stat(path, &st) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: %s", path, strerror(errno));
    int rc = VSOLVE_OK;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return vs_error_set(err, VSOLVE_EIO, "%s: cannot open the directory: %s", path, strerror(errno));
        VEC(char *) files = { 0 };
        struct dirent *de;
        while (rc == VSOLVE_OK && (de = readdir(d)) != NULL) {
            size_t n = strlen(de->d_name);
            if (n <= 5 || strcmp(de->d_name + n - 5, ".opam") != 0 || de->d_name[0] == '.')
                continue;
            char *copy = arena_strndup(&p->mem, de->d_name, n);
            if (!copy || !vec_push(&files, copy))
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        }
        closedir(d);
        if (files.len > 1)
            qsort(files.items, files.len, sizeof *files.items, by_str);
        for (size_t i = 0; i < files.len && rc == VSOLVE_OK; i++) {
            char full[4096];
            if ((size_t)snprintf(full, sizeof full, "%s/%s", path, files.items[i]) >= sizeof full)
                rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: path too long", path);
            else
                rc = add_root(p, full, files.items[i], strlen(files.items[i]) - 5, err);
        }
        vec_free(&files);
        if (rc == VSOLVE_OK && p->roots.len == 0)
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: no *.opam file in this directory (expected the project's opam files)", path);
        p->dir = arena_strndup(&p->mem, path, strlen(path));
        if (rc == VSOLVE_OK && p->roots.len > 1) {
            char real[PATH_MAX];   /* "." or "dir/.." name no lock: the directory's real name does */
            p->name = base_name(&p->mem, realpath(path, real) ? real : path);
        }
    } else {
        const char *stem = base_name(&p->mem, path);
        size_t n = stem ? strlen(stem) : 0;
        if (!stem)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (n > 5 && !strcmp(stem + n - 5, ".opam"))
            n -= 5;
        rc = add_root(p, path, stem, n, err);
        p->dir = dir_name(&p->mem, path);
    }
    if (rc != VSOLVE_OK)
        return rc;
    qsort(p->roots.items, p->roots.len, sizeof *p->roots.items, by_root_name);
    if (!p->name)
        p->name = p->roots.items[0].name;
    if (!p->dir || !p->name)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    if (!valid_name(p->name, strlen(p->name)) && strcmp(p->name, "."))
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s: the directory's name \"%s\" cannot name a lock file", path, p->name);
    return VSOLVE_OK;
}

void opam_project_free(opam_project *p)
{
    vec_free(&p->roots);
    arena_free(&p->mem);
    memset(p, 0, sizeof *p);
}

int opam_project_is_root(const opam_project *p, const char *name)
{
    for (size_t i = 0; i < p->roots.len; i++)
        if (!strcmp(p->roots.items[i].name, name))
            return 1;
    return 0;
}
