/* nix_preseed.c: nix-store --add-fixed of each verified archive under its URL's base name. */
#include "nix_preseed.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unpack.h"

int bk_nix_name(const char *url, char *out, size_t size)
{
    const char *slash = strrchr(url, '/');
    const char *name = slash ? slash + 1 : url;
    size_t n = strlen(name);
    if (n == 0 || n > 211 || n >= size || name[0] == '.')
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("+-._?=", c)))
            return -1;
    }
    memcpy(out, name, n + 1);
    return 0;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int ok = 1;
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n)
            ok = 0;
    }
    close(in);
    ok &= close(out) == 0;
    return ok ? 0 : -1;
}

/* Runs argv (no shell), its stdout into out (trailing newline dropped); its exit status. */
static int run_capture(char *const argv[], char *out, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], out + n, size - 1 - n)) > 0 && n + 1 < size)
        n += (size_t)r;
    close(fds[0]);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int bk_nix_preseed(const bk_caches *c, const bk_source *s, const char *nix_store, char *store_path, size_t size,
                   vs_error *err)
{
    char name[256], pk[512];
    if (bk_nix_name(s->url, name, sizeof name) != 0)
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s (dir %s): the base name of %s is not a valid Nix store name",
                            bk_source_packages(s, pk, sizeof pk), s->dir, s->url);
    bk_caches offline = *c;
    offline.offline = 1;
    char *archive = NULL;
    int fetched = 0;
    int rc = bk_obtain(&offline, s, &archive, &fetched, err);
    if (rc != VSOLVE_OK)
        return rc;
    const char *tmp = getenv("TMPDIR");
    char dir[4096], file[4400];
    snprintf(dir, sizeof dir, "%s/vsolve-preseed.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        free(archive);
        return vs_error_set(err, VSOLVE_EIO, "%s: %s", dir, strerror(errno));
    }
    snprintf(file, sizeof file, "%s/%s", dir, name);
    if (link(archive, file) != 0 && copy_file(archive, file) != 0) {
        rc = vs_error_set(err, VSOLVE_EIO, "%s: cannot copy %s: %s", file, archive, strerror(errno));
    } else {
        char *argv[] = { (char *)nix_store, "--add-fixed", (char *)bk_hash_name(bk_strongest(s)->kind), file, NULL };
        int st = run_capture(argv, store_path, size);
        if (st != 0 || strncmp(store_path, "/", 1) != 0)
            rc = vs_error_set(err, VSOLVE_EIO, "%s --add-fixed %s %s failed (exit %d)", nix_store, argv[2], file, st);
    }
    bk_remove_tree(dir);
    free(archive);
    return rc;
}
