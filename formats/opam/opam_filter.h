/* opam_filter.h: opam variables and the evaluation of filters ({with-test}, os = "linux", ...)
 * with opam's rules for undefined variables. */
#ifndef VSOLVE_OPAM_FILTER_H
#define VSOLVE_OPAM_FILTER_H
#include "opam_syntax.h"

typedef struct opam_var {
    char *name;
    char *value;   /* "true" / "false" for booleans */
} opam_var;

/* Global variables of an `opam install` on an empty switch. */
typedef struct opam_vars {
    opam_var *items;
    size_t len, cap;
} opam_vars;

/* Fills the defaults: the platform as opam detects it on this host (os, arch, os-family,
 * os-distribution, os-version), opam-version 2.1.2, make, jobs, and the install-time
 * switches with-test, with-doc, with-dev-setup = false, build = post = true, dev = false. */
int  opam_vars_init(opam_vars *v);
void opam_vars_free(opam_vars *v);
int  opam_vars_set(opam_vars *v, const char *name, const char *value);   /* adds or replaces */
const char *opam_vars_get(const opam_vars *v, const char *name);          /* NULL if undefined */

/* The context a filter is evaluated in: the globals plus the package it belongs to. */
typedef struct opam_scope {
    const opam_vars *vars;
    const char *pkg_name;      /* resolves name, _:name, and PKG:... for itself */
    const char *pkg_version;   /* resolves version, _:version */
} opam_scope;

typedef enum opam_value_kind { OPAM_UNDEF, OPAM_VBOOL, OPAM_VSTRING } opam_value_kind;
typedef struct opam_value {
    opam_value_kind kind;
    int b;
    const char *s;
} opam_value;

/* Evaluates a filter expression (opam's OpamFilter.eval): relational operators compare
 * with opam's version order; & and | absorb undefined when the other side decides. */
opam_value opam_filter_eval(const opam_scope *sc, const opam_node *n);
/* eval_to_bool ~default:false: 1 if the filter is true, 0 if false or undefined. */
int opam_filter_holds(const opam_scope *sc, const opam_node *n);
/* Resolves one variable (NULL name part for the package's own variables). */
opam_value opam_var_lookup(const opam_scope *sc, const char *ident, size_t len);

#endif
