/* npm_image.h: the registry image of an npm packument directory: every packument checked once
 * and written as a checksummed binary file holding what resolution reads, read back one
 * packument (and one version) at a time by npm_registry. */
#ifndef VSOLVE_NPM_IMAGE_H
#define VSOLVE_NPM_IMAGE_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"
#include "json.h"
#include "npm_semver.h"

/* The file format version; an image of another version is rebuilt, never read. */
#define NPM_IMAGE_FORMAT 3u

/* The settings fingerprint that names the image file (cache_default_path's settings). */
uint64_t npm_image_settings(void);

typedef struct npm_image npm_image;

/* Writes the image of the packument directory `root` (DIR/packuments/NAME.json and DIR/NAME.json,
 * the files npm_registry_open's directory loader reads) to image_path, atomically (a temporary
 * file beside it, fsync, rename). Each packument is read through npm_registry (the same checks);
 * one it refuses is recorded as such, so that a solve reaching it reads the JSON and fails
 * exactly as without the image. Memory: one packument at a time, plus the file table. n_docs
 * (may be NULL) receives the number of packument files written. */
int npm_image_build(const char *root, const char *image_path, size_t *n_docs, vs_error *err);

/* Opens the image of the directory `root`. NULL with err: VSOLVE_EIO "missing: ..." when there
 * is no image; VSOLVE_EBADINPUT "stale: ..." (another format version) or "corrupt: ..." (magic,
 * header checksum, sizes the file does not back). Only the header is read: the table's blocks
 * and entries and the packument records are checked when read (npm_image_get). */
npm_image *npm_image_open(const char *image_path, const char *root, vs_error *err);
void npm_image_close(npm_image *img);
const char *npm_image_path(const npm_image *img);

/* One version of a packument read from the image: its engines/deprecated and its manifest
 * (the members resolution and the lock read), decoded on demand. */
typedef struct npm_image_version {
    const unsigned char *meta;     /* in the record's head, read with it */
    size_t meta_len, body_len;
    uint64_t body_off;             /* the manifest, read when asked: from the record's start */
    uint32_t body_crc;
} npm_image_version;

typedef struct npm_image_doc {
    const char *rel;               /* the packument's file, relative to the root */
    uint64_t rec_off;              /* its record in the image */
    const json_value *tags;        /* "dist-tags", or NULL */
    size_t n;                      /* versions, in document order (duplicates kept) */
    const char **keys;
    size_t *key_lens;
    npm_image_version *versions;
    npm_version *sv;               /* the keys parsed as npm_packument_semver parses them, */
    unsigned char *sv_state;       /* 1: sv[i] is that version, 2: the key is not a version */
} npm_image_doc;

typedef enum npm_image_answer {
    NPM_IMAGE_ABSENT,      /* the directory has no packument of that name */
    NPM_IMAGE_FOUND,       /* *doc filled in */
    NPM_IMAGE_JSON,        /* the packument is one the reader refuses: read it from the JSON */
    NPM_IMAGE_UNUSABLE     /* stale or corrupt for this packument: read the JSON; why says which */
} npm_image_answer;

/* The packument of `name`, as npm_registry's directory loader would find it (packuments/ENC.json,
 * else ENC.json; a scoped @s/n is @s%2fn). The file is checked against the image (size and
 * modification time: a changed, added or removed file is stale); the record's checksum and
 * bounds are checked before use. Memory (the record included) from a. */
npm_image_answer npm_image_get(npm_image *img, arena *a, const char *name, npm_image_doc *doc, vs_error *why);

/* Decodes version i's engines and deprecated (NULL when absent), or its manifest: VSOLVE_OK,
 * or VSOLVE_EBADINPUT "corrupt: ..." for a record that does not decode. */
int npm_image_meta(npm_image *img, arena *a, const npm_image_doc *doc, size_t i, const json_value **engines,
                   const json_value **deprecated, vs_error *err);
int npm_image_manifest(npm_image *img, arena *a, const npm_image_doc *doc, size_t i, const json_value **out,
                       vs_error *err);

#endif
