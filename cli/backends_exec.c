/* backends_exec.c: `pull` and `nix-preseed` in the plain `vsolve`: they run in `vsolve-backends`
 * (the same command line, linked with libcurl, libarchive and nettle) so that a solve does not
 * load those libraries: 46 shared objects instead of 10 made every solve 6 ms slower. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* Replaces this process with vsolve-backends and the same arguments: $VSOLVE_BACKENDS when set,
 * else the one beside this program, else the first on PATH. Returns only on failure. */
static int run_backends(cli *c)
{
    const char *env = getenv("VSOLVE_BACKENDS");
    char self[PATH_MAX], helper[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (env && *env) {
        snprintf(helper, sizeof helper, "%s", env);
    } else if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = '\0';
        snprintf(helper, sizeof helper, "%s/vsolve-backends", self);
    } else {
        snprintf(helper, sizeof helper, "vsolve-backends");
    }
    fflush(NULL);
    execv(helper, c->argv);
    int e = errno;
    if (!(env && *env)) {
        execvp("vsolve-backends", c->argv);
        e = errno;
    }
    return cli_fail(c, VSOLVE_EIO, "%s: cannot run it (%s); pull and nix-preseed run in vsolve-backends, installed "
                    "beside vsolve", helper, strerror(e));
}

int cmd_pull(cli *c) { return run_backends(c); }
int cmd_nix_preseed(cli *c) { return run_backends(c); }
