/* universe_image.h: a universe as flat byte images, and back (the payload of the universe
 * cache; compression, checksums and files are formats/cache.c's job). The image is a core
 * (strings of names, versions and groups; packages, names, groups, ids), the clause
 * descriptions, and clause chunks, each the clauses of a run of names, so that a reader can
 * leave what a solve does not reach unread. The attributes (attr.h) are an image of their own,
 * read only when something asks for them. */
#ifndef VSOLVE_UNIVERSE_IMAGE_H
#define VSOLVE_UNIVERSE_IMAGE_H
#include <stddef.h>
#include "error.h"
#include "universe.h"

typedef struct universe_image {
    unsigned char *core;
    size_t core_len;
    unsigned char *descs;     /* the clause descriptions' strings */
    size_t descs_len;
    uint32_t n_chunks;
    unsigned char **chunks;
    size_t *chunk_lens;
    unsigned char *attrs;     /* the attribute store: its strings and triples */
    size_t attrs_len;
} universe_image;

/* Serializes a universe into malloc'd buffers. VSOLVE_OK, VSOLVE_ENOMEM, or VSOLVE_EUSAGE when
 * its attributes are pending or u is not as universe_sort left it (names partitioning the packages in order, ranks, lags and
 * available counts as it computes them: the image leaves them out and recomputes them). */
int universe_image_write(const vs_universe *u, universe_image *img);
void universe_image_free(universe_image *img);

/* Rebuilds u (freshly initialised) from a core image in malloc'd buf, which u keeps (its strings
 * stay in it), also on error. Every index is range-checked: an inconsistent image is
 * VSOLVE_EBADINPUT with a message, never a crash. The clauses are left pending (u->pending,
 * without a source: the caller plugs in its reader). */
/* max_clauses: the most clauses the chunks can hold (each takes at least 4 bytes of them), so
 * that a count field cannot ask for more memory than the file backs; UINT32_MAX when unknown. */
int universe_image_read_core(vs_universe *u, unsigned char *buf, size_t len, uint32_t max_clauses, vs_error *err);
/* Reads pending chunk `chunk` of u from its image (range-checked the same way). */
int universe_image_read_chunk(vs_universe *u, uint32_t chunk, const unsigned char *buf, size_t len, vs_error *err);
/* Reads the clause descriptions of u from their image in malloc'd buf, which u keeps. */
int universe_image_read_descs(vs_universe *u, unsigned char *buf, size_t len, vs_error *err);
/* Reads attributes into a (empty) from their image in malloc'd buf, which a keeps (also on
 * error): every key and value id range-checked, every package below n_pkgs. */
int universe_image_read_attrs(vs_attrs *a, uint32_t n_pkgs, unsigned char *buf, size_t len, vs_error *err);
/* The core, the descriptions, every chunk and the attributes: a complete universe with nothing
 * pending. */
int universe_image_read(vs_universe *u, const universe_image *img, vs_error *err);

#endif
