/* cargo_image.h: the registry image of a crates index: every crate file parsed once and written
 * as a checksummed binary file, read back one crate file at a time by cargo_index. */
#ifndef VSOLVE_CARGO_IMAGE_H
#define VSOLVE_CARGO_IMAGE_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"
#include "cargo_index.h"

/* The file format version; an image of another version is rebuilt, never read. */
#define CARGO_IMAGE_FORMAT 4u

/* The settings fingerprint that names the image file (cache_default_path's settings). */
uint64_t cargo_image_settings(void);

typedef struct cargo_image cargo_image;

/* Writes the image of the index at `root` (a directory: the index's root folder; archive = 1: a
 * .tar.gz/.tar, its top folder stripped as cargo_index_open does) to image_path, atomically
 * (a temporary file beside it, fsync, rename). Every crate file is parsed whole; a file with a
 * line that does not parse is kept as text, so that reading it through the image fails exactly
 * where reading the index would. Memory: one crate file at a time, plus the file table.
 * n_files (may be NULL) receives the number of crate files written. An archive inflates to at
 * most max_inflate bytes (0: REPO_MAX_INFLATE_DEFAULT). */
int cargo_image_build(const char *root, int archive, const char *image_path, uint64_t max_inflate, size_t *n_files,
                      vs_error *err);

/* Opens an image for the index at `root` (archive as above). NULL with err: VSOLVE_EIO
 * "missing: ..." when there is no image; VSOLVE_EBADINPUT "stale: ..." (another format version,
 * another kind of index, an archive changed since) or "corrupt: ..." (magic, header checksum,
 * sizes the file does not back). Only the header is read: the table's blocks and entries and
 * the crate records are checked when read (cargo_image_crate). */
cargo_image *cargo_image_open(const char *image_path, const char *root, int archive, vs_error *err);
void cargo_image_close(cargo_image *img);

typedef enum cargo_image_answer {
    CARGO_IMAGE_ABSENT,     /* the index has no such crate file */
    CARGO_IMAGE_FOUND,      /* *c filled in (its versions decoded on demand: cargo_image_version) */
    CARGO_IMAGE_TEXT,       /* the file is kept as text: *text, *len (parse it as the index does) */
    CARGO_IMAGE_UNUSABLE    /* stale or corrupt for this file: read the index; why says which */
} cargo_image_answer;

/* The crate `name` of the crate file `rel` (cargo_index_path of name). A directory index's file is
 * checked against the image (size and modification time: a changed, added or removed file is
 * stale); its slot block, table entry and record are checked (checksums, bounds) before use. Memory from a. */
cargo_image_answer cargo_image_crate(cargo_image *img, arena *a, const char *rel, const char *name, cargo_crate *c,
                                     const char **text, size_t *len, vs_error *why);

/* Decodes version v of crate c, which cargo_image_crate left undecoded (v->from_image set),
 * reading its body when it was not read with the record's head (with the bodies around it: the
 * other versions of c whose bodies that read holds keep their place in it): VSOLVE_OK,
 * VSOLVE_ENOMEM, or VSOLVE_EBADINPUT "corrupt: ..." for a body that is damaged (checksum
 * mismatch) or does not decode. Memory from a. */
int cargo_image_version(cargo_image *img, arena *a, const cargo_crate *c, cargo_version *v, vs_error *err);

/* The image's path (for messages). */
const char *cargo_image_path(const cargo_image *img);

#endif
