/* fuzz_tar.c: libFuzzer harness feeding arbitrary bytes to the tar reader as an in-memory .tar
 * (or .tar.gz when the input starts with the gzip magic bytes). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static void walk(const uint8_t *data, size_t size, int gzipped)
{
    fuzz_state state = { 0 };
    vs_error err;
    vs_error_clear(&err);
    int rc = repo_source_walk_tar_memory("fuzz.tar", data, size, gzipped, 0, want_some, on_file, &state, &err);
    /* Success, or a bad-input error that names the archive. */
    if (rc != VSOLVE_OK && (rc != VSOLVE_EBADINPUT || strncmp(err.message, "fuzz.tar: ", 10) != 0))
        abort();
}

/* Most mutations break a header checksum and stop the walk at once; so each input is also
 * walked with every non-zero 512-byte block given a correct checksum, to reach the code
 * behind the check (sizes, long names, pax records). */
static void walk_with_fixed_checksums(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    for (size_t at = 0; at + 512 <= size; at += 512) {
        uint8_t *h = copy + at;
        unsigned sum = 0, nonzero = 0;
        memset(h + 148, ' ', 8);
        for (int i = 0; i < 512; i++) {
            sum += h[i];
            nonzero |= (i < 148 || i >= 156) ? h[i] : 0;
        }
        if (nonzero)
            snprintf((char *)h + 148, 8, "%06o", sum);
        else
            memset(h + 148, 0, 8);
    }
    walk(copy, size, 0);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    walk(data, size, gzipped);
    if (!gzipped)
        walk_with_fixed_checksums(data, size);
    return 0;
}
