/* fuzz_tar.c: libFuzzer harness feeding arbitrary bytes to the tar reader as an in-memory .tar
 * (or .tar.gz when the input starts with the gzip magic bytes). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "repo_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_state {
    size_t files;
    unsigned long checksum;
} fuzz_state;

/* Takes every other file, so both the kept and the skipped paths run. */
static int want_some(void *user, const char *path)
{
    fuzz_state *s = user;
    (void)path;
    return (s->files++ % 2) == 0;
}

static int on_file(void *user, const char *path, const char *data, size_t len)
{
    fuzz_state *s = user;
    if (data[len] != '\0' || !path)
        abort();
    for (size_t i = 0; i < len; i++)  /* read every byte handed out */
        s->checksum += (unsigned char)data[i];
    return VSOLVE_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_state state = { 0 };
    vs_error err;
    vs_error_clear(&err);
    int gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    int rc = repo_source_walk_tar_memory("fuzz.tar", data, size, gzipped, want_some, on_file, &state, &err);
    /* Success, or a bad-input error that names the archive. */
    if (rc != VSOLVE_OK && (rc != VSOLVE_EBADINPUT || strncmp(err.message, "fuzz.tar: ", 10) != 0))
        abort();
    return 0;
}
