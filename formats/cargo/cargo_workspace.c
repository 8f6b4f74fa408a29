/* cargo_workspace.c: a cargo workspace's members: `members` globs, `exclude`, and which path
 * dependencies belong to it. */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cargo_manifest.h"
#include "toml.h"

int cargo_path_normalize(const char *path, char *out, size_t size)
{
    if (size < 2)
        return -1;
    size_t n = 0;
    int absolute = path[0] == '/';
    if (absolute)
        out[n++] = '/';
    size_t floor = n;   /* out[0..floor) is never popped: "/" or leading ".." parts */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t len = (size_t)(end - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            p = end;
            continue;
        }
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (n > floor) {   /* drop the last part */
                while (n > floor && out[n - 1] != '/')
                    n--;
                if (n > floor)
                    n--;   /* its separator */
                p = end;
                continue;
            }
            if (absolute) {    /* "/.." is "/" */
                p = end;
                continue;
            }
        }
        if (n + (n > (size_t)absolute) + len + 1 > size)
            return -1;
        if (n > (size_t)absolute)
            out[n++] = '/';
        memcpy(out + n, p, len);
        n += len;
        if (len == 2 && p[0] == '.' && p[1] == '.')
            floor = n;
        p = end;
    }
    if (n == 0)
        out[n++] = '.';
    out[n] = '\0';
    return 0;
}

/* Is path (normalized) dir itself or inside it (both normalized)? */
static int starts_with(const char *path, const char *dir)
{
    if (!strcmp(dir, "."))
        return path[0] != '/' && strncmp(path, "..", 2) != 0;
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/' || !strcmp(dir, "/"));
}

/* dir joined with a manifest's relative entry, normalized. */
static int join_entry(const char *dir, const char *entry, char *out, size_t size)
{
    char raw[8192];
    int w = entry[0] == '/' ? snprintf(raw, sizeof raw, "%s", entry) : snprintf(raw, sizeof raw, "%s/%s", dir, entry);
    if (w < 0 || (size_t)w >= sizeof raw)
        return -1;
    return cargo_path_normalize(raw, out, size);
}

/* cargo's rule: under an `exclude` entry and not under a `members` entry as written. */
static int excluded(const cargo_workspace *ws, const char *dir)
{
    char p[4096];
    int ex = 0;
    for (size_t i = 0; i < ws->n_exclude && !ex; i++)
        ex = join_entry(ws->dir, ws->exclude[i], p, sizeof p) == 0 && starts_with(dir, p);
    for (size_t i = 0; i < ws->n_members && ex; i++)
        ex = !(join_entry(ws->dir, ws->members[i], p, sizeof p) == 0 && starts_with(dir, p));
    return ex;
}

int cargo_workspace_contains(const cargo_workspace *ws, const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    char raw[4096];
    snprintf(raw, sizeof raw, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (!ws || cargo_path_normalize(raw, dir, sizeof dir) != 0)
        return 0;
    return starts_with(dir, ws->dir) && !excluded(ws, dir);
}

static const toml_value *member_entry(const cargo_workspace *ws, size_t i)
{
    const toml_value *arr = toml_get(ws->table, "members");
    return arr && arr->kind == TOML_ARRAY && i < arr->n ? arr->items[i] : ws->table;
}

/* Reads the member in folder dir (normalized) unless it is the root or already read. */
static int add_member(arena *a, cargo_manifest *m, const char *dir, size_t entry, int globbed, cargo_manifest ***list,
                      size_t *cap, vs_error *err)
{
    const cargo_workspace *ws = m->ws;
    char path[4200];
    snprintf(path, sizeof path, "%s/Cargo.toml", dir);
    if (!strcmp(dir, ws->dir))
        return VSOLVE_OK;   /* the root package, already read */
    for (size_t i = 0; i < m->n_members; i++) {
        char seen[4200];
        if (cargo_path_normalize(m->members[i]->path, seen, sizeof seen) == 0 && !strcmp(seen, path))
            return VSOLVE_OK;
    }
    const toml_value *at = member_entry(ws, entry);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        char via[300] = "";
        if (globbed)
            snprintf(via, sizeof via, "via `%.200s` ", ws->members[entry]);
        return vs_error_at(err, ws->path, at->line, at->col,
                           "failed to load manifest for workspace member `%s`, referenced %sby workspace at `%s`: "
                           "failed to read `%s`: no such file",
                           dir, via, ws->path, path);
    }
    if (m->n_members == *cap) {
        size_t grown = *cap ? *cap * 2 : 8;
        cargo_manifest **more = arena_alloc(a, grown * sizeof *more);
        if (!more)
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        if (m->n_members)
            memcpy(more, *list, m->n_members * sizeof *more);
        *list = more;
        *cap = grown;
    }
    cargo_manifest *member = arena_alloc(a, sizeof *member);
    char *p = arena_strndup(a, path, strlen(path));
    if (!member || !p)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    int rc = cargo_manifest_read_in(a, p, ws, member, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (!member->name)
        return vs_error_at(err, path, 1, 1, "expected a [package] table in workspace member %s", dir);
    (*list)[m->n_members++] = member;
    m->members = *list;
    return VSOLVE_OK;
}

int cargo_workspace_members(arena *a, cargo_manifest *m, vs_error *err)
{
    const cargo_workspace *ws = m->ws;
    cargo_manifest **list = NULL;
    size_t cap = 0;
    m->members = NULL;
    m->n_members = 0;
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < ws->n_members && rc == VSOLVE_OK; i++) {
        const char *e = ws->members[i];
        const toml_value *at = member_entry(ws, i);
        char dir[4096];
        if (join_entry(ws->dir, e, dir, sizeof dir) != 0 || !starts_with(dir, ws->dir))
            return vs_error_at(err, ws->path, at->line, at->col,
                               "workspace member `%.200s` lies outside the workspace folder %s", e, ws->dir);
        if (!strpbrk(e, "*?[")) {
            rc = add_member(a, m, dir, i, 0, &list, &cap, err);
            continue;
        }
        /* the pattern: the workspace folder escaped (its name may hold '[' or '*'), then the entry */
        char pattern[8300];
        size_t n = 0, wl = strcmp(ws->dir, ".") ? strlen(ws->dir) : 0;
        for (size_t k = 0; k < wl && n + 2 < sizeof pattern; k++) {
            if (strchr("*?[\\", ws->dir[k]))
                pattern[n++] = '\\';
            pattern[n++] = ws->dir[k];
        }
        snprintf(pattern + n, sizeof pattern - n, "%s", dir + wl);
        glob_t g;
        int grc = glob(pattern, 0, NULL, &g);
        if (grc == GLOB_NOMATCH)
            continue;   /* cargo: a glob that matches nothing adds no member */
        if (grc != 0) {
            globfree(&g);
            return vs_error_at(err, ws->path, at->line, at->col, "cannot expand the workspace member glob `%.200s`", e);
        }
        for (size_t k = 0; k < g.gl_pathc && rc == VSOLVE_OK; k++) {
            char found[4096];
            struct stat st;
            if (cargo_path_normalize(g.gl_pathv[k], found, sizeof found) != 0 || !starts_with(found, ws->dir))
                continue;
            if (stat(found, &st) != 0 || !S_ISDIR(st.st_mode) || excluded(ws, found))
                continue;
            rc = add_member(a, m, found, i, 1, &list, &cap, err);
        }
        globfree(&g);
    }
    return rc;
}
