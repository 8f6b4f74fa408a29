/* npm_registry.h: npm packuments (one JSON document per package) from a directory or .tar.gz, read lazily by name and version. */
#ifndef VSOLVE_NPM_REGISTRY_H
#define VSOLVE_NPM_REGISTRY_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"
#include "json.h"
#include "npm_semver.h"

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
 * unparsed in memory; inflating at most max_inflate bytes, 0: REPO_MAX_INFLATE_DEFAULT). */
npm_registry *npm_registry_open(const char *path, uint64_t max_inflate, vs_error *err);
/* As npm_registry_open, with the registry image at image_path (npm_image.h) for a directory:
 * the packuments a solve reaches are read from the image when it is fresh for them, else from
 * the JSON (npm_registry_image_trouble then says why). An archive is read as without one. */
npm_registry *npm_registry_open_image(const char *path, const char *image_path, uint64_t max_inflate, vs_error *err);
/* Why the image was not used, or not for every packument (missing, stale, corrupt), or NULL. */
const char *npm_registry_image_trouble(const npm_registry *r);
/* A registry on top of any loader (takes ownership of it). */
npm_registry *npm_registry_from_loader(npm_loader loader, vs_error *err);
/* A packument read lazily: the whole document is checked once (JSON syntax, "versions" an
 * object of objects), its version keys indexed; a version's manifest is built only when asked. */
typedef struct npm_packument npm_packument;

/* The packument of NAME, read on first use and kept: *out is NULL when the registry does
 * not know the package. A malformed document is VSOLVE_EBADINPUT with file:line:col. */
int npm_registry_get(npm_registry *r, const char *name, npm_packument **out, vs_error *err);
/* "dist-tags" (built whole), or NULL when the packument has none. */
const json_value *npm_packument_tags(const npm_packument *p);
/* The members of "versions", in document order (duplicates kept, as JSON.parse would not: the
 * first of equal keys is the one npm_packument_find names). */
size_t npm_packument_count(const npm_packument *p);
const char *npm_packument_version(const npm_packument *p, size_t i);
/* Version i's key as npm-pick-manifest reads it (semver, loose), parsed once and kept: *out
 * NULL when it is not a version. VSOLVE_OK or VSOLVE_ENOMEM. */
int npm_packument_semver(npm_packument *p, size_t i, const npm_version **out);
/* The index of the first version VERSION, or -1. */
long npm_packument_find(const npm_packument *p, const char *version);
/* What npm-pick-manifest weighs besides the version: version i's "engines" and "deprecated"
 * members (NULL when absent), read without building the rest of its manifest, kept. */
typedef struct npm_version_meta {
    const json_value *engines, *deprecated;
} npm_version_meta;
int npm_packument_meta(npm_packument *p, size_t i, npm_version_meta *out, vs_error *err);
/* Version i's manifest, built whole on first use and kept (the same pointer every time). */
int npm_packument_manifest(npm_packument *p, size_t i, const json_value **out, vs_error *err);
void npm_registry_close(npm_registry *r);

/* A package name as its packument's file name in a directory (without ".json"): "@s/n" ->
 * "@s%2fn", cut short to fit size. */
void npm_registry_file_name(const char *name, char *out, size_t size);

#endif
