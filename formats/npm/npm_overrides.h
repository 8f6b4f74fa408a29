/* npm_overrides.h: a root package.json's "overrides" as arborist's OverrideSet tree (rules per
 * dependency name, nested under the package whose subtree they apply to, "$name" references). */
#ifndef VSOLVE_NPM_OVERRIDES_H
#define VSOLVE_NPM_OVERRIDES_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "json.h"
#include "npm_semver.h"

typedef struct npm_override npm_override;
struct npm_override {
    const npm_override *parent;  /* NULL for the root set */
    const char *name;            /* the dependency the rule is about (NULL for the root set) */
    const char *key;             /* as written: "name" or "name@spec" */
    const char *key_spec;        /* "*" or the range after the name (NULL for the root set) */
    int key_any;                 /* key_spec is "*" */
    npm_range key_range;         /* key_spec parsed (loose), when key_ok */
    int key_ok;
    const char *value;           /* the replacing spec ("*": none); a "$name" is resolved already */
    npm_override **children;     /* in the object's key order */
    size_t n_children;
};

/* Parses manifest's "overrides" (NULL out when absent). A "$name" value is resolved against the
 * manifest's devDependencies, optionalDependencies, dependencies, peerDependencies (npm's
 * order); an unresolvable one, a non-object/non-string value or a key without a name is an error
 * at file:line:col. */
int npm_overrides_parse(arena *a, const json_value *manifest, const char *file, const npm_override **out,
                        vs_error *err);

/* OverrideSet.getEdgeRule: the rule of set (or an ancestor's) for an edge to `name` with the
 * range `range` (NULL: not a range, compared by `raw` text), else set itself. */
const npm_override *npm_override_edge_rule(const npm_override *set, const char *name, const npm_range *range,
                                           const char *raw);

#endif
