/* cudf_write.h: the CUDF solution writer (what a CUDF solver answers), over any list of
 * name/version pairs: the universe's solution (cudf.h) and the command line's result. */
#ifndef VSOLVE_CUDF_WRITE_H
#define VSOLVE_CUDF_WRITE_H
#include <stddef.h>
#include <stdio.h>

/* The i-th package's name or version, of n, in data. */
typedef const char *(*cudf_field_fn)(const void *data, size_t i);

/* Writes one stanza "package: NAME\nversion: N\ninstalled: true\n" per package 0..n-1, in that
 * order, stanzas separated by an empty line. VSOLVE_OK or VSOLVE_EIO. */
int cudf_write_installed(FILE *out, const void *data, size_t n, cudf_field_fn name, cudf_field_fn version);
/* Writes "FAIL\n" and then the explanation (NULL: none), ended by a newline. VSOLVE_OK or
 * VSOLVE_EIO. */
int cudf_write_fail(FILE *out, const char *explanation);

#endif
