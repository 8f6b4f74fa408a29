/* opam_project.h: a project's own opam files (the roots of a lock): a directory of *.opam files
 * or one .opam file, parsed and kept, with the fields a lock needs. */
#ifndef VSOLVE_OPAM_PROJECT_H
#define VSOLVE_OPAM_PROJECT_H
#include "arena.h"
#include "error.h"
#include "opam_syntax.h"
#include "vec.h"

typedef struct opam_root {
    const char *name;        /* the `name:` field, else the file name less ".opam" */
    const char *version;     /* the `version:` field, else "zdev" (opam-monorepo's default) */
    const char *filename;
    const opam_node *depends, *depopts, *depexts;
    const opam_node *opam_provided;   /* x-opam-monorepo-opam-provided, or NULL */
} opam_root;

typedef struct opam_project {
    arena mem;               /* the parsed files and every string above */
    VEC(opam_root) roots;    /* sorted by name */
    const char *name;        /* the lock's base name: the root's name, or the directory's */
    const char *dir;         /* the directory the project lives in (default output directory) */
} opam_project;

/* Reads path: a directory (every *.opam file directly in it; at least one) or one opam file.
 * VSOLVE_OK, VSOLVE_EBADINPUT (file:line:col for syntax errors, or what is missing), VSOLVE_EIO
 * or VSOLVE_ENOMEM. Free with opam_project_free (also after a failure). */
int  opam_project_read(opam_project *p, const char *path, vs_error *err);
void opam_project_free(opam_project *p);
/* Is name one of the roots? */
int  opam_project_is_root(const opam_project *p, const char *name);

#endif
