/* npm_overrides.c: a root package.json's "overrides" parsed into arborist's OverrideSet tree, and
 * the rule that applies to an edge (getEdgeRule). */
#include "npm_overrides.h"
#include <string.h>

/* The value of a "$name" reference: the root's own spec for name, in npm's lookup order. */
static const char *reference(const json_value *manifest, const char *ref)
{
    static const char *const kinds[] = { "devDependencies", "optionalDependencies", "dependencies", "peerDependencies" };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        const json_value *v = json_get(json_get(manifest, kinds[i]), ref);
        if (v && v->kind == JSON_STRING)
            return v->str;
    }
    return NULL;
}

static int parse_set(arena *a, const json_value *manifest, const char *file, const json_value *v, const char *key,
                     const npm_override *parent, npm_override **out, vs_error *err)
{
    npm_override *o = arena_alloc(a, sizeof *o);
    if (!o)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    memset(o, 0, sizeof *o);
    o->parent = parent;
    o->key = key;
    if (v->kind != JSON_STRING && v->kind != JSON_OBJECT)
        return vs_error_at(err, file, v->line, v->col, "expected a version spec or an object for override \"%s\", found %s",
                           key ? key : "overrides", json_kind_name(v->kind));
    const char *dot = v->kind == JSON_STRING ? v->str : NULL;
    const json_value *dv = v->kind == JSON_OBJECT ? json_get(v, ".") : NULL;
    if (dv && dv->kind != JSON_STRING)
        return vs_error_at(err, file, dv->line, dv->col, "expected a version spec for \".\" of override \"%s\"", key);
    if (dv)
        dot = dv->str;
    if (dot && !*dot)
        dot = "*";
    if (parent) {
        /* npa(key): a scoped name keeps its leading @; the spec follows the next @ */
        const char *at = strchr(key + (key[0] == '@'), '@');
        size_t n = at ? (size_t)(at - key) : strlen(key);
        if (n == 0)
            return vs_error_at(err, file, v->line, v->col, "override without a package name: \"%s\"", key);
        if (!(o->name = arena_strndup(a, key, n)))
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        o->key_spec = at && at[1] ? at + 1 : "*";
        o->key_any = !strcmp(o->key_spec, "*");
        npm_options loose = { 1, 0 };
        o->key_ok = npm_range_parse(a, o->key_spec, loose, &o->key_range) == 0;
        o->value = dot ? dot : o->key_spec;
        if (o->value[0] == '$') {
            const char *r = reference(manifest, o->value + 1);
            if (!r)
                return vs_error_at(err, file, v->line, v->col, "unable to resolve reference %s (override \"%s\")", o->value, key);
            o->value = r;
        }
    }
    if (v->kind == JSON_OBJECT) {
        if (!(o->children = arena_alloc(a, (v->n ? v->n : 1) * sizeof *o->children)))
            return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        for (size_t i = 0; i < v->n; i++) {
            if (!strcmp(v->keys[i], "."))
                continue;
            int rc = parse_set(a, manifest, file, v->items[i], v->keys[i], o, &o->children[o->n_children], err);
            if (rc != VSOLVE_OK)
                return rc;
            o->n_children++;
        }
    }
    *out = o;
    return VSOLVE_OK;
}

int npm_overrides_parse(arena *a, const json_value *manifest, const char *file, const npm_override **out,
                        vs_error *err)
{
    *out = NULL;
    const json_value *v = json_get(manifest, "overrides");
    if (!v)
        return VSOLVE_OK;
    if (v->kind != JSON_OBJECT)
        return vs_error_at(err, file, v->line, v->col, "expected an object for \"overrides\", found %s", json_kind_name(v->kind));
    npm_override *o = NULL;
    int rc = parse_set(a, manifest, file, v, NULL, NULL, &o, err);
    *out = o;
    return rc;
}

static int rule_matches(const npm_override *r, const char *name, const npm_range *range, const char *raw)
{
    if (strcmp(r->name, name))
        return 0;
    if (r->key_any)
        return 1;
    if (range)
        return r->key_ok && npm_range_intersects(range, &r->key_range);
    return raw && !strcmp(raw, r->key_spec);
}

/* The ruleset walks the ancestry: each set's children, then the set itself; the first rule that
 * matches wins. (arborist skips a key seen nearer: it matches exactly when the nearer one does.) */
const npm_override *npm_override_edge_rule(const npm_override *set, const char *name, const npm_range *range,
                                           const char *raw)
{
    for (const npm_override *s = set; s; s = s->parent) {
        for (size_t i = 0; i < s->n_children; i++)
            if (rule_matches(s->children[i], name, range, raw))
                return s->children[i];
        if (s->parent && rule_matches(s, name, range, raw))
            return s;
    }
    return set;
}
