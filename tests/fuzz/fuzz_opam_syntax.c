/* fuzz_opam_syntax.c: libFuzzer harness feeding arbitrary bytes to the opam file parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "opam_syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    vs_error err;
    vs_error_clear(&err);
    opam_file *f = opam_parse(&a, "fuzz.opam", (const char *)data, size, &err);
    /* Either a tree or a positioned error, never both or neither. */
    if (!f && strncmp(err.message, "fuzz.opam:", 10) != 0 && err.code != VSOLVE_ENOMEM)
        abort();
    if (f && err.code != VSOLVE_OK)
        abort();
    arena_free(&a);
    return 0;
}
