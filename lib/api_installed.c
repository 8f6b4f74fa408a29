/* api_installed.c: vsolve_set_installed: the switch's installed packages for opam solves. */
#include "api_internal.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "opam_version.h"

#define MAX_INSTALLED 100000   /* a switch holds hundreds; a bound on what a file can make us allocate */

void api_installed_reset(vsolve_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_installed; i++)
        free(ctx->installed[i].name);
    free(ctx->installed);
    free(ctx->installed_path);
    ctx->installed = NULL;
    ctx->installed_path = NULL;
    ctx->n_installed = 0;
}

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '_' || ch == '+';
}

static int is_version_char(char ch)
{
    return is_name_char(ch) || ch == '.' || ch == '~';
}

/* One line (no newline) of the file: "" / a comment, or NAME.VERSION / NAME VERSION, stored
 * as "NAME\0VERSION". */
static int add_line(vsolve_ctx *ctx, const char *path, unsigned lineno, char *line)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    size_t a = strspn(line, " \t\r"), n = a;
    while (line[n] && is_name_char(line[n]))
        n++;
    if (!line[n + strspn(line + n, " \t\r")] && n == a)
        return VSOLVE_OK;   /* blank */
    if (n == a || (line[n] != '.' && line[n] != ' ' && line[n] != '\t'))
        return vs_error_set(&ctx->err, VSOLVE_EBADINPUT, "%s:%u:%zu: expected NAME.VERSION or NAME VERSION", path,
                            lineno, n + 1);
    size_t v = n + 1 + (line[n] == '.' ? 0 : strspn(line + n + 1, " \t")), w = v;
    while (line[w] && is_version_char(line[w]))
        w++;
    size_t end = w + strspn(line + w, " \t\r");
    if (w == v || line[end])
        return vs_error_set(&ctx->err, VSOLVE_EBADINPUT, "%s:%u:%zu: expected a version (letters, digits, - _ + . ~)",
                            path, lineno, (w == v ? v : end) + 1);
    if (ctx->n_installed == MAX_INSTALLED)
        return vs_error_set(&ctx->err, VSOLVE_EBADINPUT, "%s:%u:1: more than %d installed packages", path, lineno,
                            MAX_INSTALLED);
    api_installed *p = realloc(ctx->installed, (ctx->n_installed + 1) * sizeof *p);
    if (!p)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    ctx->installed = p;
    char *text = malloc(w - a + 1);
    if (!text)
        return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    memcpy(text, line + a, n - a);
    text[n - a] = '\0';
    memcpy(text + (n - a) + 1, line + v, w - v);
    text[(n - a) + 1 + (w - v)] = '\0';
    ctx->installed[ctx->n_installed++] = (api_installed){ text, text + (n - a) + 1, lineno };
    return VSOLVE_OK;
}

int vsolve_set_installed(vsolve_ctx *ctx, const char *path)
{
    if (!ctx)
        return VSOLVE_EUSAGE;
    vs_error_clear(&ctx->err);
    api_installed_reset(ctx);
    if (!path)
        return VSOLVE_OK;
    FILE *f = fopen(path, "r");
    if (!f)
        return vs_error_set(&ctx->err, VSOLVE_EIO, "%s: %s", path, strerror(errno));
    int rc = (ctx->installed_path = api_strdup(path)) ? VSOLVE_OK : vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    char line[1024];
    unsigned lineno = 0;
    while (rc == VSOLVE_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f))
            rc = vs_error_set(&ctx->err, VSOLVE_EBADINPUT, "%s:%u:1: line longer than %zu bytes", path, lineno,
                              sizeof line - 2);
        if (rc == VSOLVE_OK && strlen(line) != len)
            rc = vs_error_set(&ctx->err, VSOLVE_EBADINPUT, "%s:%u:%zu: a NUL byte", path, lineno, strlen(line) + 1);
        if (rc == VSOLVE_OK)
            rc = add_line(ctx, path, lineno, line);
    }
    if (rc == VSOLVE_OK && ferror(f))
        rc = vs_error_set(&ctx->err, VSOLVE_EIO, "%s: read error", path);
    fclose(f);
    if (rc != VSOLVE_OK) {
        int keep = rc;
        char msg[sizeof ctx->err.message];
        memcpy(msg, ctx->err.message, sizeof msg);
        api_installed_reset(ctx);
        vs_error_set(&ctx->err, keep, "%s", msg);
    }
    return rc;
}

int api_installed_keep(vsolve_ctx *ctx, vs_request *req)
{
    const vs_universe *u = &ctx->universe;
    for (size_t i = 0; i < ctx->n_installed; i++) {
        const api_installed *p = &ctx->installed[i];
        uint32_t name = universe_find_name(u, p->name), first = 0, count = 0, found = VS_NONE;
        if (name != VS_NONE)
            universe_name_pkgs(u, name, &first, &count);
        for (uint32_t j = 0; j < count && found == VS_NONE; j++)
            if (opam_version_compare(universe_pkg_version(u, first + j), p->version) == 0)
                found = first + j;
        if (found == VS_NONE)
            return vs_error_set(&ctx->err, VSOLVE_EBADINPUT, "%s:%u:1: %s.%s: no such package version in the repository",
                                ctx->installed_path, p->line, p->name, p->version);
        if (request_keep(req, found) != VSOLVE_OK)
            return vs_error_set(&ctx->err, VSOLVE_ENOMEM, "out of memory");
    }
    return VSOLVE_OK;
}
