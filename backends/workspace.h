/* workspace.h: the dune-workspace MirageOS 4 uses to cross-compile a unikernel (e.g. -t hvt). */
#ifndef VSOLVE_BK_WORKSPACE_H
#define VSOLVE_BK_WORKSPACE_H
#include <stddef.h>
#include "error.h"

/* The text of a dune-workspace with two contexts: `default` (the host: ppx rewriters, cppo and
 * other build tools run there) and one named after `toolchain` whose compiler is findlib's
 * `-toolchain TOOLCHAIN` (ocaml-solo5 installs the `solo5` one), `(host default)` so that dune
 * builds the host side of the split in the default context, and dynamically linked foreign
 * archives off (unikernels link statically). VSOLVE_EUSAGE when toolchain is not [A-Za-z0-9_-]+
 * or is "default"; the text is NUL-terminated in buf. */
int bk_cross_workspace(const char *toolchain, char *buf, size_t size, vs_error *err);

/* Writes that text to DIR/dune-workspace atomically. */
int bk_write_cross_workspace(const char *dir, const char *toolchain, vs_error *err);

#endif
