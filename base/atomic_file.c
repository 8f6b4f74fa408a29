/* atomic_file.c: writing a file whole or not at all (a temporary file beside it, fsync, rename). */
#include "atomic_file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_file_open(vs_atomic_file *af, const char *path, vs_error *err)
{
    memset(af, 0, sizeof *af);
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return vs_error_set(err, VSOLVE_EIO, "%s: not a regular file; vsolve replaces only regular files", path);
    size_t n = strlen(path);
    af->path = malloc(n + 1);
    af->tmp = malloc(n + sizeof ".tmp.XXXXXX");
    if (!af->path || !af->tmp) {
        free(af->path);
        free(af->tmp);
        memset(af, 0, sizeof *af);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    memcpy(af->path, path, n + 1);
    memcpy(af->tmp, path, n);
    memcpy(af->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(af->tmp);
    if (fd < 0 || !(af->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(af->tmp);
        }
        free(af->path);
        free(af->tmp);
        memset(af, 0, sizeof *af);
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot create a temporary file beside it: %s", path, strerror(e));
    }
    return VSOLVE_OK;
}

static void release(vs_atomic_file *af)
{
    free(af->path);
    free(af->tmp);
    memset(af, 0, sizeof *af);
}

int atomic_file_commit(vs_atomic_file *af, vs_error *err)
{
    struct stat st;
    mode_t mode;
    if (stat(af->path, &st) == 0)
        mode = st.st_mode & 07777;
    else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    int ok = fflush(af->f) == 0 && !ferror(af->f);
    int e = errno;
    if (ok && (fchmod(fileno(af->f), mode) != 0 || fsync(fileno(af->f)) != 0)) {
        ok = 0;
        e = errno;
    }
    if (fclose(af->f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    af->f = NULL;
    if (ok && stat(af->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        ok = 0;
        e = EEXIST;
    }
    if (ok && rename(af->tmp, af->path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(af->tmp);
        int rc = vs_error_set(err, VSOLVE_EIO, "%s: cannot write: %s; the file is left as it was", af->path, strerror(e));
        release(af);
        return rc;
    }
    release(af);
    return VSOLVE_OK;
}

void atomic_file_abort(vs_atomic_file *af)
{
    if (af->f) {
        fclose(af->f);
        unlink(af->tmp);
    }
    release(af);
}

int atomic_file_write(const char *path, const void *data, size_t len, vs_error *err)
{
    vs_atomic_file af;
    int rc = atomic_file_open(&af, path, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (len && fwrite(data, 1, len, af.f) != len) {
        int e = errno;
        atomic_file_abort(&af);
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot write: %s; the file is left as it was", path, strerror(e));
    }
    return atomic_file_commit(&af, err);
}
