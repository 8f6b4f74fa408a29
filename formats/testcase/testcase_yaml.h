/* testcase_yaml.h: a YAML file loaded into a libyaml document, nesting bounded, marks kept. */
#ifndef VSOLVE_TESTCASE_YAML_H
#define VSOLVE_TESTCASE_YAML_H
#include <yaml.h>
#include "error.h"

#define TC_YAML_MAX_DEPTH 64   /* a test case nests six deep; far more is an attack, not a case */

/* Loads the first document of the regular file at path into doc (which the caller then frees with
 * yaml_document_delete). Aliases, a second document and nesting past TC_YAML_MAX_DEPTH are refused
 * with file:line:col. */
int tc_yaml_load(yaml_document_t *doc, const char *path, vs_error *err);
/* The same from len bytes at data, errors named after name. */
int tc_yaml_load_buffer(yaml_document_t *doc, const char *name, const char *data, size_t len, vs_error *err);

#endif
