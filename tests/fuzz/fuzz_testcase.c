/* fuzz_testcase.c: libFuzzer harness feeding arbitrary bytes to the YAML test-case reader and builder. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "request.h"
#include "testcase.h"
#include "universe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An error is a message of its kind: a positioned one for bad input, else out of memory. */
static void check_error(const vs_error *err, size_t size, const uint8_t *data)
{
    if (err->code == VSOLVE_ENOMEM)
        return;
    unsigned line, col;
    if (err->code != VSOLVE_EBADINPUT || sscanf(err->message, "fuzz.yaml:%u:%u: ", &line, &col) != 2)
        abort();
    (void)data;   /* YAML breaks lines at \r, \n and Unicode breaks: positions lie within the input */
    if (line < 1 || line > size + 2 || col < 1 || col > size + 2)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    testcase tc;
    vs_error err;
    vs_error_clear(&err);
    if (testcase_read_buffer(&tc, "fuzz.yaml", (const char *)data, size, &err) != VSOLVE_OK) {
        check_error(&err, size, data);
        return 0;
    }
    /* A case that reads builds a universe and request, or says why not. */
    vs_universe u;
    vs_request req;
    if (universe_init(&u) != VSOLVE_OK)
        abort();
    request_init(&req);
    vs_error_clear(&err);
    if (testcase_build(&tc, &u, &req, &err) != VSOLVE_OK && err.code != VSOLVE_EBADINPUT && err.code != VSOLVE_ENOMEM)
        abort();
    request_free(&req);
    universe_free(&u);
    testcase_free(&tc);
    return 0;
}
