/* app.c: a program built against an installed vsolve through pkg-config alone
 * (tests/install/pkgconfig.sh): the header and the library agree, and a solve runs. */
#include <stdio.h>
#include <string.h>
#include <vsolve.h>

int main(int argc, char **argv)
{
    if (strcmp(vsolve_version(), VSOLVE_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", VSOLVE_VERSION_STRING, vsolve_version());
        return 1;
    }
    vsolve_ctx *ctx = vsolve_new();
    if (!ctx || argc != 2 || vsolve_load_opam(ctx, argv[1]) != VSOLVE_OK) {
        fprintf(stderr, "cannot load: %s\n", ctx ? vsolve_errmsg(ctx) : "out of memory");
        return 1;
    }
    const char *atoms[] = { "app" };
    vsolve_result *r = NULL;
    int rc = vsolve_solve(ctx, atoms, 1, &r);
    for (size_t i = 0; rc == VSOLVE_OK && i < vsolve_result_count(r); i++)
        printf("%s.%s\n", vsolve_result_name(r, i), vsolve_result_version(r, i));
    vsolve_result_free(r);
    vsolve_free(ctx);
    return rc == VSOLVE_OK ? 0 : 1;
}
