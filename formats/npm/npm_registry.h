/* npm_registry.h: npm packuments (one JSON document per package) from a directory or .tar.gz, parsed lazily by name. */
#ifndef VSOLVE_NPM_REGISTRY_H
#define VSOLVE_NPM_REGISTRY_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "json.h"

/* Where packument bytes come from: a loader answers "the document of NAME" with malloc'd bytes
 * (*data, *len; *data NULL when the package is unknown) and a display name for messages.
 * The directory / archive loader is the one implemented; a registry URL can be another. */
typedef struct npm_loader {
    void *user;
    int (*fetch)(void *user, const char *name, char **data, size_t *len, char *where, size_t where_size,
                 vs_error *err);
    void (*close)(void *user);
} npm_loader;

typedef struct npm_registry npm_registry;

/* Opens PATH: a directory holding packuments/<name>.json (or <name>.json at its top; a scoped
 * @s/n is stored as @s%2fn.json), or a .tar.gz / .tar of one (streamed once, documents kept
 * unparsed in memory). */
npm_registry *npm_registry_open(const char *path, vs_error *err);
/* A registry on top of any loader (takes ownership of it). */
npm_registry *npm_registry_from_loader(npm_loader loader, vs_error *err);
/* The packument of NAME, parsed on first use and kept: *out is NULL when the registry does
 * not know the package. A malformed document is VSOLVE_EBADINPUT with file:line:col. */
int npm_registry_get(npm_registry *r, const char *name, const json_value **out, vs_error *err);
void npm_registry_close(npm_registry *r);

#endif
