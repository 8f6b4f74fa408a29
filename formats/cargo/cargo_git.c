/* cargo_git.c: git dependencies without a network: the local checkout given for a repository
 * URL, the commit it is at (read from its .git files, no git program), and cargo's source. */
#include "cargo_git.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *cargo_git_checkout(const char *const *checkouts, size_t n, const char *url)
{
    size_t len = strlen(url);
    for (size_t i = 0; i < n; i++)
        if (!strncmp(checkouts[i], url, len) && checkouts[i][len] == '=')
            return checkouts[i] + len + 1;
    return NULL;
}

/* The first line of a small file, without its newline; 0, or -1. */
static int first_line(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(out, (int)size, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int is_hash(const char *s)
{
    size_t n = 0;
    for (; (s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'); n++)
        ;
    return n == 40 && s[40] == '\0';
}

/* A ref name read from HEAD or asked for: "refs/..." of plain parts, nothing that leaves the
 * repository. */
static int ref_ok(const char *ref)
{
    if (strncmp(ref, "refs/", 5) != 0 || strstr(ref, "..") || strstr(ref, "//") || ref[strlen(ref) - 1] == '/')
        return 0;
    for (const char *p = ref; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '\\' || *p == ':' || *p == '~' || *p == '^' || *p == '?' || *p == '*' || *p == '[')
            return 0;
    return 1;
}

/* The hash a ref names: its loose file under the common git folder, else its packed-refs line. */
static int read_ref(const char *gitdir, const char *common, const char *ref, char hash[41])
{
    char path[6400], line[512];
    snprintf(path, sizeof path, "%s/%s", common, ref);
    if (first_line(path, line, sizeof line) == 0 && is_hash(line)) {
        memcpy(hash, line, 41);
        return 0;
    }
    (void)gitdir;
    snprintf(path, sizeof path, "%s/packed-refs", common);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int found = -1;
    size_t rl = strlen(ref);
    while (found != 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strlen(line) == 41 + rl && line[40] == ' ' && !strcmp(line + 41, ref)) {
            memcpy(hash, line, 40);
            hash[40] = '\0';
            found = is_hash(hash) ? 0 : -1;
        }
    }
    fclose(f);
    return found;
}

int cargo_git_commit(const char *dir, const cargo_git_ref *g, char commit[41], vs_error *err)
{
    char gitdir[4096], common[5200], line[1024];
    struct stat st;
    snprintf(gitdir, sizeof gitdir, "%s/.git", dir);
    if (stat(gitdir, &st) == 0 && S_ISREG(st.st_mode)) {   /* "gitdir: PATH" (a worktree, a submodule) */
        if (first_line(gitdir, line, sizeof line) != 0 || strncmp(line, "gitdir: ", 8) != 0)
            return vs_error_set(err, VSOLVE_EBADINPUT, "%s: expected \"gitdir: PATH\"", gitdir);
        if (line[8] == '/')
            snprintf(gitdir, sizeof gitdir, "%s", line + 8);
        else
            snprintf(gitdir, sizeof gitdir, "%s/%s", dir, line + 8);
    } else if (stat(gitdir, &st) != 0) {
        snprintf(gitdir, sizeof gitdir, "%s", dir);   /* a bare repository */
    }
    snprintf(common, sizeof common, "%s", gitdir);
    char path[5400];
    snprintf(path, sizeof path, "%s/commondir", gitdir);
    if (first_line(path, line, sizeof line) == 0) {
        if (line[0] == '/')
            snprintf(common, sizeof common, "%s", line);
        else
            snprintf(common, sizeof common, "%s/%s", gitdir, line);
    }
    snprintf(path, sizeof path, "%s/HEAD", gitdir);
    if (first_line(path, line, sizeof line) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s: not a git checkout (no %s)", dir, path);
    if (is_hash(line)) {
        memcpy(commit, line, 41);
    } else if (!strncmp(line, "ref: ", 5) && ref_ok(line + 5)) {
        if (read_ref(gitdir, common, line + 5, commit) != 0 &&
            (strcmp(common, gitdir) == 0 || read_ref(gitdir, gitdir, line + 5, commit) != 0))
            return vs_error_set(err, VSOLVE_EBADINPUT, "%s: HEAD names %s, which has no commit", dir, line + 5);
    } else {
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s: cannot read HEAD (\"%.100s\")", path, line);
    }
    if (g && g->kind && !strcmp(g->kind, "rev") && strncmp(commit, g->value, strlen(g->value)) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s: the checkout of %s is at %s, not at rev %s", dir, g->url, commit,
                            g->value);
    if (g && g->kind && !strcmp(g->kind, "branch")) {
        char ref[600], hash[41];
        snprintf(ref, sizeof ref, "refs/heads/%s", g->value);
        if (ref_ok(ref) && read_ref(gitdir, common, ref, hash) == 0 && strcmp(hash, commit) != 0)
            return vs_error_set(err, VSOLVE_EBADINPUT, "%s: the checkout of %s is at %s, but its branch %s is at %s", dir,
                                g->url, commit, g->value, hash);
    }
    return 0;
}

size_t cargo_git_source(const cargo_git_ref *g, const char *commit, char *out, size_t size)
{
    size_t n = 0;
#define PUT(c) do { if (n + 1 < size) out[n] = (c); n++; } while (0)
    const char *parts[] = { "git+", g->url, g->kind ? "?" : NULL, g->kind, g->kind ? "=" : NULL };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const char *p = parts[i]; p && *p; p++)
            PUT(*p);
    for (const unsigned char *p = (const unsigned char *)(g->kind ? g->value : ""); *p; p++) {
        /* form-urlencoded (the url crate's byte_serialize, as cargo writes a reference) */
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '*' || *p == '-' ||
            *p == '.' || *p == '_') {
            PUT((char)*p);
        } else if (*p == ' ') {
            PUT('+');
        } else {
            static const char hex[] = "0123456789ABCDEF";
            PUT('%');
            PUT(hex[*p >> 4]);
            PUT(hex[*p & 15]);
        }
    }
    PUT('#');
    for (const char *p = commit; *p; p++)
        PUT(*p);
#undef PUT
    if (size)
        out[n < size ? n : size - 1] = '\0';
    return n;
}
