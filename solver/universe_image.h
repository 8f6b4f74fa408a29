/* universe_image.h: a universe as a flat little-endian byte image, and back (the payload of the
 * universe cache; compression, checksums and files are formats/cache.c's job). */
#ifndef VSOLVE_UNIVERSE_IMAGE_H
#define VSOLVE_UNIVERSE_IMAGE_H
#include <stddef.h>
#include "error.h"
#include "universe.h"

/* Serializes a built universe into a malloc'd buffer. VSOLVE_OK or VSOLVE_ENOMEM. */
int universe_image_write(const vs_universe *u, unsigned char **out, size_t *len);

/* Rebuilds u (freshly initialised) from an image. Every index is range-checked: an inconsistent
 * image is VSOLVE_EBADINPUT with a message, never a crash. */
int universe_image_read(vs_universe *u, const unsigned char *buf, size_t len, vs_error *err);

#endif
