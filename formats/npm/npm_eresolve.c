/* npm_eresolve.c: the words of an ERESOLVE refusal (npm's explain-eresolve): edges and nodes as
 * npm prints them. */
#include "npm_tree_internal.h"
#include <stdarg.h>

void npmt_put(npm_text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t ncap = (t->cap + (size_t)n + 1) * 2;
        char *ns = realloc(t->s, ncap);
        if (!ns) {
            t->failed = 1;
            return;
        }
        t->s = ns;
        t->cap = ncap;
    }
}

static const char *type_word(npm_dep_type t)
{
    switch (t) {
    case NPM_DEP_DEV: return "dev ";
    case NPM_DEP_OPTIONAL: return "optional ";
    case NPM_DEP_PEER: return "peer ";
    case NPM_DEP_PEER_OPTIONAL: return "peerOptional ";
    default: return "";
    }
}

/* One edge as npm explains it: `[type ]name@"spec" from the root project` or `from name@version`. */
void npmt_put_edge(npm_text *t, const char *indent, const npm_node *from, const npm_edge *e)
{
    npmt_put(t, "%s%s%s@\"%s\" from ", indent, type_word(e->type), e->name, e->spec);
    if (from->is_root || (from->is_virtual && from->source && from->source->is_root))
        npmt_put(t, "the root project\n");
    else
        npmt_put(t, "%s@%s\n", from->pkg_name, from->version ? from->version : "");
    const npm_node *ws = from->is_virtual && from->source ? from->source : from;
    if (ws->is_workspace && ws->link_location)   /* who wants a workspace: its link, the root */
        npmt_put(t, "%s%s\n%s  %s@%s\n%s  %s\n%s    workspace %s from the root project\n", indent, ws->location, indent,
                 ws->pkg_name, ws->version ? ws->version : "", indent, ws->link_location, indent, ws->location);
}

/* A node of a peer set (in a virtual root) and who there wants it: the edges it satisfies. */
void npmt_put_vr_node(npm_text *t, const npm_node *n)
{
    const npm_node *vr = n->parent;
    npmt_put(t, "%s@%s\nnode_modules/%s\n", n->pkg_name, n->version ? n->version : "", n->name);
    const npm_edge *e = vr ? npmt_edge_named(vr, n->name, NULL) : NULL;
    if (e && npmt_satisfies(n, e))
        npmt_put_edge(t, "  ", vr, e);
    for (size_t i = 0; vr && i < vr->n_children; i++) {
        const npm_node *c = vr->children[i];
        e = c != n ? npmt_edge_named(c, n->name, NULL) : NULL;
        if (e && npmt_satisfies(n, e))
            npmt_put_edge(t, "  ", c, e);
    }
}

int npmt_eresolve_fail(builder *b, npm_text *t)
{
    npmt_put(t, "\nFix the upstream dependency conflict, or retry this command with --force or --legacy-peer-deps to accept an "
                "incorrect (and potentially broken) dependency resolution.");
    int rc = t->failed ? vs_error_set(b->err, VSOLVE_ENOMEM, "out of memory") : vs_error_set(b->err, VSOLVE_UNSAT, "%s", t->s);
    free(t->s);
    return rc;
}
