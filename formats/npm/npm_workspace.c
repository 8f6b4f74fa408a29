/* npm_workspace.c: the project's own directories in the tree: workspaces and file: dependencies, linked as arborist links them. */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <sys/stat.h>
#include "npm_tree_internal.h"

/* Paths: every directory is named relative to the project ("packages/a") and must stay inside
 * it: no absolute path, no ".." above the project, and its real path (symlinks followed) under
 * the project's real path. Nothing outside the project is read. */

/* base + "/" + path with "." and ".." folded; NULL when it leaves the project or is the project. */
static char *join_rel(arena *a, const char *base, const char *path)
{
    size_t cap = strlen(base) + strlen(path) + 2;
    char *out = arena_alloc(a, cap), *tmp = arena_alloc(a, cap);
    if (!out || !tmp || path[0] == '/' || path[0] == '\\' || path[0] == '~')
        return NULL;
    snprintf(tmp, cap, "%s%s%s", base, *base ? "/" : "", path);
    size_t o = 0;
    for (char *seg = tmp; seg && *seg;) {
        char *slash = strchr(seg, '/');
        if (slash)
            *slash = 0;
        if (!strcmp(seg, "..")) {
            if (!o)
                return NULL;
            while (o && out[o - 1] != '/')
                o--;
            if (o)
                o--;
        } else if (*seg && strcmp(seg, ".")) {
            if (strchr(seg, '\\'))
                return NULL;
            if (o)
                out[o++] = '/';
            memcpy(out + o, seg, strlen(seg));
            o += strlen(seg);
        }
        seg = slash ? slash + 1 : NULL;
    }
    out[o] = 0;
    return o ? out : NULL;
}

/* The absolute path of a project-relative one, checked to resolve inside the project (malloc'd). */
static char *inside(const builder *b, const char *rel)
{
    size_t len = strlen(b->project_real) + strlen(rel) + 2;
    char *p = malloc(len), *real = NULL;
    if (!p)
        return NULL;
    snprintf(p, len, "%s/%s", b->project_real, rel);
    real = realpath(p, NULL);
    size_t pl = strlen(b->project_real);
    if (!real || strncmp(real, b->project_real, pl) || (real[pl] != '/' && strcmp(b->project_real, "/"))) {
        free(real);
        free(p);
        return NULL;
    }
    free(real);
    return p;
}

static int add_link(builder *b, npm_node *n)
{
    if (b->n_links == b->cap_links) {
        size_t cap = b->cap_links ? 2 * b->cap_links : 8;
        npm_node **nl = realloc(b->links, cap * sizeof *nl);
        if (!nl)
            return VSOLVE_ENOMEM;
        b->links = nl;
        b->cap_links = cap;
    }
    b->links[b->n_links++] = n;
    return npmt_add_to_inventory(b, n);
}

/* The node of the project directory `rel` (made once): its package.json read, its edges loaded as
 * a top's (devDependencies too). `link_name` is the name it is linked under. */
static int link_target(builder *b, const char *rel, const char *link_name, const char *who, npm_node **out)
{
    for (size_t i = 0; i < b->n_links; i++)
        if (!strcmp(b->links[i]->location, rel)) {
            *out = b->links[i];
            return VSOLVE_OK;
        }
    arena *a = &b->t->mem;
    char *dir = inside(b, rel);
    if (!dir)
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: %s is not a directory inside the project", who, rel);
    size_t len = strlen(dir) + 16;
    char *path = arena_alloc(a, len);
    struct stat st;
    int is_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    free(dir);
    if (!path)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    if (!is_dir)
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: %s is not a directory (file: tarballs are not supported)",
                            who, rel);
    snprintf(path, len, "%s/%s/package.json", b->project_real, rel);
    const json_value *m = NULL;
    int rc = npm_manifest_read(a, path, &m, b->err);
    if (rc != VSOLVE_OK)
        return rc;
    npm_node *n = arena_alloc(a, sizeof *n);
    if (!n)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    const char *pkg = npmt_jstr(m, "name");
    n->name = link_name;
    n->pkg_name = pkg ? pkg : link_name;
    n->version = npmt_jstr(m, "version");
    n->manifest = m;
    n->is_link = 1;
    n->location = (char *)rel;
    n->ov = b->t->root->ov;
    npm_options loose = { 1, 0 };
    if (n->version && npm_version_parse(a, n->version, loose, &n->v) != 0)
        memset(&n->v, 0, sizeof n->v);
    if ((rc = npmt_load_edges(a, n, 1, !b->t->legacy_peer_deps, path, b->err)) != VSOLVE_OK)
        return rc;
    if (add_link(b, n) != VSOLVE_OK)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    *out = n;
    return npmt_link_edges(b, n, path);
}

/* A link just placed: the nodes whose edges it leaves unmet are queued (as after any placement:
 * a workspace that needs a registry package shadowed by another workspace is built early). */
static int queue_unmet_dependents(builder *b, const npm_node *n)
{
    edge_ref *in = NULL;
    size_t n_in = npmt_edges_in(b, n, &in);
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < n_in && rc == VSOLVE_OK; i++)
        if (!in[i].from->seen && !npmt_satisfies(n, in[i].edge))
            rc = npmt_queue_push(b, in[i].from);
    free(in);
    return rc;
}

/* ---- workspaces: "workspaces": [PATTERN...] or {"packages": [PATTERN...]} ---- */

typedef struct str_list {
    char **items;
    size_t n, cap;
} str_list;

static int list_add(str_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return VSOLVE_OK;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **ni = realloc(l->items, cap * sizeof *ni);
        if (!ni)
            return VSOLVE_ENOMEM;
        l->items = ni;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(s)))
        return VSOLVE_ENOMEM;
    l->n++;
    return VSOLVE_OK;
}

static void list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
}

enum { GLOB_MAX_SEGS = 64, GLOB_MAX_STEPS = 100000 };
enum { GLOB_TOO_MANY = -1 };   /* glob_dirs ran out of steps (never leaves this file) */

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* The entries of the project directory `rel` a glob segment can match, sorted: those matching
 * `seg` (fnmatch; a leading "." only matched by a "." in the pattern), or, for seg NULL (a "**"
 * step), every directory whose name does not start with ".", symlinks to directories only when
 * `links` (glob's rule, which npm uses: a "**" follows one symbolic link, no more). node_modules
 * never, as npm's map-workspaces ignores node_modules folders at any depth. */
static int subdirs(const builder *b, const char *rel, const char *seg, int links, str_list *out)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/%s", b->project_real, rel) >= (int)sizeof dir)
        return VSOLVE_OK;
    DIR *d = opendir(dir);
    if (!d)
        return VSOLVE_OK;
    int rc = VSOLVE_OK;
    for (struct dirent *de; rc == VSOLVE_OK && (de = readdir(d));) {
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..") || !strcmp(nm, "node_modules"))
            continue;
        if (seg) {
            if (fnmatch(seg, nm, FNM_PERIOD) == 0)
                rc = list_add(out, nm);
            continue;
        }
        struct stat ls, st;
        if (nm[0] == '.' || fstatat(dirfd(d), nm, &ls, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(ls.st_mode) ||
            (links && S_ISLNK(ls.st_mode) && fstatat(dirfd(d), nm, &st, 0) == 0 && S_ISDIR(st.st_mode)))
            rc = list_add(out, nm);
    }
    closedir(d);
    if (out->n)
        qsort(out->items, out->n, sizeof *out->items, cmp_str);
    return rc;
}

/* Whether the project path rel is a symbolic link. */
static int is_link(const builder *b, const char *rel)
{
    char p[PATH_MAX];
    struct stat ls;
    return snprintf(p, sizeof p, "%s/%s", b->project_real, rel) < (int)sizeof p && lstat(p, &ls) == 0 &&
           S_ISLNK(ls.st_mode);
}

/* next = rel/name; 0 when it does not fit (no such path can be opened anyway). */
static int join_next(char *next, const char *rel, const char *name)
{
    return snprintf(next, PATH_MAX, "%s%s%s", rel, *rel ? "/" : "", name) < PATH_MAX;
}

/* The state of one pattern's walk: a step budget (a pattern alternating "**" and a name on a
 * deep tree is combinatorial) and whether a "**" has followed a symbolic link already. */
typedef struct glob_walk {
    size_t steps;
    int via_link;
} glob_walk;

/* Directories matching segs[k..] below `rel` that hold a package.json (node_modules skipped). */
static int glob_dirs(const builder *b, const char *rel, char **segs, size_t n_segs, size_t k, str_list *out,
                     glob_walk *w)
{
    if (++w->steps > GLOB_MAX_STEPS)
        return GLOB_TOO_MANY;
    /* Nothing outside the project is looked at; a match there is refused unless negated. rel
     * grows one name at a time from the project, so only a symbolic link can lead out. */
    int link = *rel && is_link(b, rel);
    char *real = link ? inside(b, rel) : NULL;
    if (link && !real) {
        size_t rest = k;   /* a match: what is left of the pattern can match nothing */
        while (rest < n_segs && !strcmp(segs[rest], "**"))
            rest++;
        return rest == n_segs ? list_add(out, rel) : VSOLVE_OK;
    }
    free(real);
    if (k == n_segs) {
        char pj[PATH_MAX];
        struct stat st;
        snprintf(pj, sizeof pj, "%s/%s/package.json", b->project_real, rel);
        return *rel && stat(pj, &st) == 0 && S_ISREG(st.st_mode) ? list_add(out, rel) : VSOLVE_OK;
    }
    char next[PATH_MAX];
    const char *seg = segs[k];
    if (!strcmp(seg, "**")) {
        int rc = glob_dirs(b, rel, segs, n_segs, k + 1, out, w);   /* "**" matching no directory */
        str_list subs = { 0 };
        if (rc == VSOLVE_OK)
            rc = subdirs(b, rel, NULL, !w->via_link, &subs);
        for (size_t i = 0; i < subs.n && rc == VSOLVE_OK; i++) {
            if (!join_next(next, rel, subs.items[i]))
                continue;
            int was = w->via_link;
            w->via_link |= is_link(b, next);
            rc = glob_dirs(b, next, segs, n_segs, k, out, w);   /* one more directory, "**" still open */
            w->via_link = was;
        }
        list_free(&subs);
        return rc;
    }
    if (!strpbrk(seg, "*?[")) {
        snprintf(next, sizeof next, "%s%s%s", rel, *rel ? "/" : "", seg);
        return glob_dirs(b, next, segs, n_segs, k + 1, out, w);
    }
    str_list names = { 0 };
    int rc = subdirs(b, rel, seg, 0, &names);
    for (size_t i = 0; i < names.n && rc == VSOLVE_OK; i++)
        if (join_next(next, rel, names.items[i]))
            rc = glob_dirs(b, next, segs, n_segs, k + 1, out, w);
    list_free(&names);
    return rc;
}

/* The directories one pattern names, as project-relative paths. */
static int expand_pattern(builder *b, const char *file, const json_value *pv, str_list *out)
{
    arena *a = &b->t->mem;
    const char *pat = pv->str;
    char *norm = join_rel(a, "", pat);
    if (!norm)
        return vs_error_at(b->err, file, pv->line, pv->col,
                           "expected a workspace pattern inside the project (\"packages/*\"; no \"..\" above it, no "
                           "absolute path), found \"%s\"", pat);
    char *segs[GLOB_MAX_SEGS];
    size_t n = 0;
    for (char *s = norm; s;) {
        char *slash = strchr(s, '/');
        if (slash)
            *slash = 0;
        if (!(n && !strcmp(s, "**") && !strcmp(segs[n - 1], "**"))) {   /* two "**" in a row are one */
            if (n == GLOB_MAX_SEGS)
                return vs_error_at(b->err, file, pv->line, pv->col,
                                   "expected a workspace pattern of at most %d path segments", GLOB_MAX_SEGS);
            segs[n++] = s;
        }
        s = slash ? slash + 1 : NULL;
    }
    glob_walk w = { 0, 0 };
    int rc = glob_dirs(b, "", segs, n, 0, out, &w);
    if (rc == GLOB_TOO_MANY)
        return vs_error_at(b->err, file, pv->line, pv->col,
                           "the workspace pattern \"%s\" visits more than %d directories", pat, GLOB_MAX_STEPS);
    return rc == VSOLVE_OK ? rc : vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
}

int npmt_load_workspaces(builder *b, npm_node *root, const char *file)
{
    const json_value *ws = json_get(root->manifest, "workspaces");
    if (ws && ws->kind == JSON_OBJECT)
        ws = json_get(ws, "packages");
    if (!ws)
        return VSOLVE_OK;
    if (ws->kind != JSON_ARRAY)
        return vs_error_at(b->err, file, ws->line, ws->col, "expected \"workspaces\" to be an array of patterns, found %s",
                           json_kind_name(ws->kind));
    str_list dirs = { 0 }, excluded = { 0 };
    int rc = VSOLVE_OK;
    for (size_t i = 0; i < ws->n && rc == VSOLVE_OK; i++) {
        const json_value *pv = ws->items[i];
        if (pv->kind != JSON_STRING || pv->len != strlen(pv->str)) {
            rc = vs_error_at(b->err, file, pv->line, pv->col, "expected a workspace pattern string");
            break;
        }
        if (pv->str[0] == '!') {   /* a negated pattern removes what it matches */
            json_value neg = *pv;
            neg.str = pv->str + 1;
            rc = expand_pattern(b, file, &neg, &excluded);
        } else
            rc = expand_pattern(b, file, pv, &dirs);
    }
    for (size_t i = 0; i < dirs.n && rc == VSOLVE_OK; i++) {
        int skip = 0;
        for (size_t k = 0; k < excluded.n; k++)
            skip |= !strcmp(excluded.items[k], dirs.items[i]);
        if (skip)
            continue;
        char *rel = arena_strndup(&b->t->mem, dirs.items[i], strlen(dirs.items[i]));
        char pj[PATH_MAX];
        snprintf(pj, sizeof pj, "%s/%s/package.json", b->project_real, rel ? rel : "");
        const json_value *m = NULL;
        if (!rel) {
            rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
            break;
        }
        char *real = inside(b, rel);
        if (!real) {
            rc = vs_error_at(b->err, file, ws->line, ws->col, "workspace %s leads outside the project", rel);
            break;
        }
        free(real);
        if ((rc = npm_manifest_read(&b->t->mem, pj, &m, b->err)) != VSOLVE_OK)
            break;
        const char *name = npmt_jstr(m, "name");
        if (!name || !*name || strchr(name, '\\') || !strcmp(name, ".") || !strcmp(name, "..") || strstr(name, "/.") ||
            (strchr(name, '/') && (name[0] != '@' || strchr(strchr(name, '/') + 1, '/')))) {
            rc = vs_error_at(b->err, pj, m->line, m->col, "expected a workspace package with a valid \"name\"");
            break;
        }
        if (npmt_child_named(root, name)) {
            rc = vs_error_at(b->err, file, ws->line, ws->col, "two workspaces are named \"%s\"", name);
            break;
        }
        npm_node *n = NULL;
        if ((rc = link_target(b, rel, name, file, &n)) != VSOLVE_OK)
            break;
        n->is_workspace = 1;
        if (npmt_attach(&b->t->mem, root, n) != VSOLVE_OK || npmt_relocate(b, n) != VSOLVE_OK)
            rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
        /* a workspace edge stands for the name: the root's own dependency on it is not an edge */
        size_t idx = 0;
        if (rc == VSOLVE_OK && npmt_edge_named(root, name, &idx)) {
            memmove(root->edges + idx, root->edges + idx + 1, (root->n_edges - idx - 1) * sizeof *root->edges);
            memmove(root->failed + idx, root->failed + idx + 1, root->n_edges - idx - 1);
            root->n_edges--;
            root->edges_by_name = NULL;   /* its pointers moved: npmt_edge_named scans instead */
        }
    }
    for (size_t i = 0; i < b->n_links && rc == VSOLVE_OK; i++)
        if (queue_unmet_dependents(b, b->links[i]) != VSOLVE_OK)
            rc = vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    list_free(&dirs);
    list_free(&excluded);
    return rc;
}

/* ---- file: dependencies of the project's own manifests ---- */

int npmt_link_edges(builder *b, npm_node *n, const char *file)
{
    for (size_t i = 0; i < n->n_edges; i++) {
        npm_edge *e = &n->edges[i];
        const char *s = e->spec;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!strncmp(s, "link:", 5))
            return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: Unsupported URL Type \"link:\": %s (npm 11 refuses it too; "
                                "use \"file:%s\")", file, s, s + 5);
        const char *path = !strncmp(s, "file:", 5) ? s + 5 : (s[0] == '.' && (s[1] == '/' || (s[1] == '.' && s[2] == '/')))
                                                                ? s : NULL;
        if (!path)
            continue;
        const char *base = n->is_root ? "" : n->location;
        char *rel = join_rel(&b->t->mem, base, path);
        char *dir = rel ? inside(b, rel) : NULL;
        if (!dir)
            return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: dependency \"%s\": \"%s\" is not a directory inside the project",
                                file, e->name, e->spec);
        free(dir);
        e->link_path = rel;
        e->kind = NPM_SPEC_OTHER;
    }
    return VSOLVE_OK;
}

/* The link of a file: edge: placed at the root when the root has no package of that name, else
 * under the dependent (a link has no peers, so this is where arborist's placement puts it). */
int npmt_link_place(builder *b, npm_node *from, const npm_edge *e)
{
    npm_node *n = NULL;
    char who[512];
    snprintf(who, sizeof who, "%s", from->is_root ? (b->t->root_file ? b->t->root_file : "package.json") : from->location);
    int rc = link_target(b, e->link_path, e->name, who, &n);
    if (rc != VSOLVE_OK)
        return rc;
    if (n->parent && npmt_in_tree(b, n))
        return vs_error_set(b->err, VSOLVE_EBADINPUT, "%s: %s is linked from two places (not supported)", who, e->link_path);
    npm_node *at = from->is_root || !npmt_child_named(b->t->root, e->name) ? b->t->root : from;
    if (npmt_attach(&b->t->mem, at, n) != VSOLVE_OK || npmt_relocate(b, n) != VSOLVE_OK ||
        queue_unmet_dependents(b, n) != VSOLVE_OK)
        return vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory");
    return VSOLVE_OK;
}

/* arborist's #resolveLinks: when the queue is empty, the link targets not yet built. */
int npmt_queue_links(builder *b)
{
    for (size_t i = 0; i < b->n_links; i++)
        if (!b->links[i]->seen && npmt_in_tree(b, b->links[i]) && npmt_queue_push(b, b->links[i]) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    return VSOLVE_OK;
}

/* A workspace is reached by the root's workspace edge (a prod edge): no flags, and its own
 * edges spread as the root's do. */
void npmt_link_flags(const npm_tree *t)
{
    for (size_t i = 0; i < t->n_all; i++) {
        npm_node *n = t->all[i];
        if (n->is_workspace && !n->removed && n->parent)
            npmt_spread(n, 1, 1, 1, 1);
    }
}
