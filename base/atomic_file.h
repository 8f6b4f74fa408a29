/* atomic_file.h: writing a file whole or not at all (a temporary file beside it, fsync, rename). */
#ifndef VSOLVE_ATOMIC_FILE_H
#define VSOLVE_ATOMIC_FILE_H
#include <stdio.h>
#include "error.h"

/* A file being written. Write to af->f; then atomic_file_commit (the new content replaces the
 * target in one rename) or atomic_file_abort (the target is left as it was). Until one of them,
 * the target is untouched; an interrupted run leaves at most a stray "NAME.tmp.XXXXXX". */
typedef struct vs_atomic_file {
    FILE *f;
    char *path;     /* the target */
    char *tmp;      /* the temporary file in the target's directory */
} vs_atomic_file;

/* Opens a temporary file in path's directory. Refuses (VSOLVE_EIO) when path exists and is not
 * a regular file (a directory, a device such as /dev/null, a FIFO): vsolve replaces only
 * regular files. VSOLVE_OK, VSOLVE_EIO or VSOLVE_ENOMEM; on error af holds nothing to free. */
int atomic_file_open(vs_atomic_file *af, const char *path, vs_error *err);
/* Flushes, fsyncs and renames over the target (keeping the target's permission bits when it
 * existed, else 0644 less the umask). On any failure the target is untouched and the
 * temporary file removed. Frees af either way. */
int atomic_file_commit(vs_atomic_file *af, vs_error *err);
/* Removes the temporary file; the target is untouched. Frees af. NULL-safe on a zeroed af. */
void atomic_file_abort(vs_atomic_file *af);
/* Writes len bytes of data to path through the above. */
int atomic_file_write(const char *path, const void *data, size_t len, vs_error *err);

#endif
