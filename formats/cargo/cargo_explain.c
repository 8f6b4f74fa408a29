/* cargo_explain.c: cargo's words for a missing feature, the edge behind a clash of the root's
 * requirements, and the refusal the root's pins prove (see cargo_explain.h). Reads the index
 * directly; never changes a verdict. */
#include "cargo_explain.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out_buf {
    char *s;
    size_t size, len;
} out_buf;

static void put(out_buf *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->size > o->len ? o->s + o->len : NULL, o->size > o->len ? o->size - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static size_t done(out_buf *o)
{
    if (o->size && o->len >= o->size)
        o->s[o->size - 1] = '\0';
    return o->len;
}

/* Does v have feature f: declared, or the implicit feature of an optional dependency that no
 * "dep:" item names? */
static int has_feature(const cargo_version *v, const char *f)
{
    for (size_t k = 0; k < v->n_features; k++)
        if (!strcmp(v->features[k].name, f))
            return 1;
    for (size_t k = 0; k < v->n_deps; k++) {
        if (!v->deps[k].optional || strcmp(v->deps[k].name, f))
            continue;
        for (size_t j = 0; j < v->n_features; j++)
            for (size_t i = 0; i < v->features[j].n_items; i++)
                if (!strncmp(v->features[j].items[i], "dep:", 4) && !strcmp(v->features[j].items[i] + 4, f))
                    return 0;
        return 1;
    }
    return 0;
}

/* Levenshtein distance of a and b, or limit + 1 when it exceeds limit (cargo's edit_distance). */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > limit || lb >= 64)
        return limit + 1;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] > limit ? limit + 1 : row[lb];
}

/* cargo's closest_msg: the nearest feature name of v within 3 edits (ties: the first in order). */
static const char *closest_feature(const cargo_version *v, const char *f)
{
    const char *best = NULL;
    size_t best_d = 4;
    for (size_t k = 0; k < v->n_features; k++) {
        size_t d = edit_distance(f, v->features[k].name, 3);
        if (d < best_d || (d == best_d && best && strcmp(v->features[k].name, best) < 0)) {
            best = v->features[k].name;
            best_d = d;
        }
    }
    return best;
}

/* Sorts at[0..n), places in vs, newest first: the index's order reversed when it rises
 * throughout (a crate's versions are published oldest first, mostly), else an insertion sort
 * (no two versions are equal: cargo_index). */
static void newest_first_places(const cargo_version *vs, size_t *at, size_t n)
{
    size_t up = 1;
    while (up < n && semver_compare(&vs[at[up]].v, &vs[at[up - 1]].v) > 0)
        up++;
    for (size_t i = 0; up == n && i < n / 2; i++) {
        size_t t = at[i];
        at[i] = at[n - 1 - i];
        at[n - 1 - i] = t;
    }
    for (size_t i = 1; up < n && i < n; i++) {
        size_t place = at[i], k = i;
        for (; k > 0 && semver_compare(&vs[place].v, &vs[at[k - 1]].v) > 0; k--)
            at[k] = at[k - 1];
        at[k] = place;
    }
}

/* The usable versions of c that r matches (not yanked), newest first, in out (the first max of
 * them in index order, max at most 256); each parsed whole (cargo_index_version). A line that
 * cannot be parsed is left out. */
static size_t matching(cargo_index *ix, const cargo_crate *c, const semver_req *r, const cargo_version **out, size_t max)
{
    size_t at[256], n = 0;
    for (size_t i = 0; i < c->n_versions && n < max && n < 256; i++) {
        if (!semver_req_matches(r, &c->versions[i].v))
            continue;
        vs_error err = { 0 };
        const cargo_version *v = cargo_index_version(ix, c, i, &err);
        if (v && !v->yanked)
            at[n++] = i;
    }
    newest_first_places(c->versions, at, n);
    for (size_t k = 0; k < n; k++)
        out[k] = &c->versions[at[k]];
    return n;
}

/* The usable versions of a crate that a requirement matches, newest first as matching() gives
 * them, read one by one as they are asked for: most reports look at the newest alone. */
typedef struct live_list {
    cargo_index *ix;
    const cargo_crate *c;
    size_t at[256], n_at, next;      /* the matching versions' places, newest first; the next to read */
    const cargo_version *v[256];     /* the usable ones read so far */
    size_t n;
} live_list;

static void live_init(live_list *l, cargo_index *ix, const cargo_crate *c, const semver_req *r)
{
    l->ix = ix;
    l->c = c;
    l->n_at = l->next = l->n = 0;
    size_t matched = 0;
    for (size_t i = 0; c && i < c->n_versions; i++)
        if (semver_req_matches(r, &c->versions[i].v) && matched++ < 256)
            l->at[matched - 1] = i;
    if (matched > 256) {   /* matching()'s first 256 usable ones in index order: all read now */
        l->n = matching(ix, c, r, l->v, 256);
        return;
    }
    l->n_at = matched;
    if (matched)
        newest_first_places(c->versions, l->at, matched);   /* as matching() orders them */
}

/* The k-th usable version, newest first; NULL past the last. */
static const cargo_version *live_get(live_list *l, size_t k)
{
    while (l->n <= k && l->next < l->n_at) {
        vs_error err = { 0 };
        const cargo_version *v = cargo_index_version(l->ix, l->c, l->at[l->next++], &err);
        if (v && !v->yanked)
            l->v[l->n++] = v;
    }
    return k < l->n ? l->v[k] : NULL;
}

/* All of them: their count, in l->v. */
static size_t live_all(live_list *l)
{
    while (live_get(l, l->n))
        ;
    return l->n;
}

size_t cargo_missing_feature_report(cargo_index *ix, const cargo_manifest *root, const char *root_dir, char *buf,
                                    size_t size)
{
    out_buf o = { buf, size, 0 };
    live_list l;
    for (size_t i = 0; i < root->n_deps; i++) {
        const cargo_dep *d = &root->deps[i];
        if (!d->n_features)
            continue;
        vs_error err = { 0 };
        live_init(&l, ix, cargo_index_crate(ix, d->package, &err), &d->req);
        for (size_t f = 0; f < d->n_features && live_get(&l, 0); f++) {
            int with = 0;   /* some version has it: the newest, mostly */
            const cargo_version *v;
            for (size_t k = 0; !with && (v = live_get(&l, k)) != NULL; k++)
                with = has_feature(v, d->features[f]);
            if (with)
                continue;
            size_t n = live_all(&l);
            const cargo_version *const *vs = l.v;
            char req[256];
            semver_req_format(&d->req, req, sizeof req);
            put(&o, "failed to select a version for `%s`.\n    ... required by package `%s v%s (%s)`\n"
                    "versions that meet the requirements `%s` are: ", d->package, root->name, root->version ? root->version : "0.0.0",
                root_dir, req);
            for (size_t k = 0; k < n; k++)
                put(&o, "%s%s", k ? ", " : "", vs[k]->vers);
            put(&o, "\n\npackage `%s` depends on `%s` with feature `%s` but `%s` does not have that feature.\n", root->name,
                d->package, d->features[f], d->package);
            const char *near = closest_feature(vs[n - 1], d->features[f]);
            if (near)
                put(&o, " package `%s` does have feature `%s`\n", d->package, near);
            put(&o, "\n\nfailed to select a version for `%s` which could resolve this conflict\n", d->package);
            return done(&o);
        }
    }
    return 0;
}

/* Does edge d shut out a's versions la: it matches none of them, and every version it allows
 * lies in a semver-compatible range of theirs (cargo keeps one version per range, so the two
 * cannot both be had)? */
static int excludes(cargo_index *ix, const cargo_crate *c, const cargo_dep *d, live_list *la)
{
    const cargo_version *v;
    for (size_t m = 0; (v = live_get(la, m)) != NULL; m++)   /* the newest, mostly */
        if (semver_req_matches(&d->req, &v->v))
            return 0;
    const cargo_version *const *pa = la->v;
    size_t na = la->n;
    const cargo_version *pe[256];
    size_t ne = matching(ix, c, &d->req, pe, sizeof pe / sizeof *pe);
    for (size_t e = 0; e < ne; e++) {
        char se[64], sa[64];
        semver_slot(&pe[e]->v, se, sizeof se);
        int shared = 0;
        for (size_t m = 0; m < na && !shared; m++) {
            semver_slot(&pa[m]->v, sa, sizeof sa);
            shared = !strcmp(se, sa);
        }
        if (!shared)
            return 0;
    }
    return ne > 0;
}

size_t cargo_clash_report(cargo_index *ix, const cargo_manifest *root, char *buf, size_t size)
{
    out_buf o = { buf, size, 0 };
    /* each dependency's versions once, read as the pairs below ask for them (mostly the newest
     * of b alone: it has no edge to a's crate) */
    live_list *dv = malloc((root->n_deps ? root->n_deps : 1) * sizeof *dv);
    if (!dv)
        return 0;
    for (size_t i = 0; i < root->n_deps; i++) {
        vs_error err = { 0 };
        live_init(&dv[i], ix, cargo_index_crate(ix, root->deps[i].package, &err), &root->deps[i].req);
    }
    for (size_t i = 0; i < root->n_deps; i++) {
        const cargo_dep *a = &root->deps[i];
        const cargo_crate *ca = dv[i].c;
        const cargo_version *const *pa = dv[i].v;
        for (size_t j = 0; live_get(&dv[i], 0) && j < root->n_deps; j++) {
            const cargo_dep *b = &root->deps[j];
            if (j == i || !strcmp(b->package, a->package))
                continue;
            const cargo_version *const *pb = dv[j].v;
            const cargo_dep *edge[256];
            size_t k = 0;
            int all = 1;   /* every version of b has such an edge */
            for (; all && live_get(&dv[j], k); k++) {   /* each version of b: its edge to a's crate that a's versions miss */
                edge[k] = NULL;
                for (size_t e = 0; e < pb[k]->n_deps && !edge[k]; e++) {
                    const cargo_dep *d = &pb[k]->deps[e];
                    if (d->kind == CARGO_DEV || d->optional || strcmp(d->package, a->package))
                        continue;
                    if (excludes(ix, ca, d, &dv[i]))
                        edge[k] = d;
                }
                all = edge[k] != NULL;
            }
            size_t nb = k, na = dv[i].n;
            if (!nb || !all)
                continue;
            /* one line per distinct requirement, oldest versions first as vsolve lists them */
            for (size_t s = nb; s-- > 0;) {
                int first = 1;
                for (size_t t = nb; t-- > s + 1;)
                    first &= strcmp(edge[t]->req_text, edge[s]->req_text) != 0;
                if (!first)
                    continue;
                char req[256];
                semver_req_format(&edge[s]->req, req, sizeof req);
                size_t count = 0;
                for (size_t t = 0; t < nb; t++)
                    count += !strcmp(edge[t]->req_text, edge[s]->req_text);
                put(&o, "Why: %s", b->package);
                size_t said = 0;
                for (size_t t = nb; t-- > 0;) {
                    if (strcmp(edge[t]->req_text, edge[s]->req_text))
                        continue;
                    said++;
                    put(&o, "%s%s", said == 1 ? " " : said == count ? " and " : ", ", pb[t]->vers);
                }
                put(&o, " %s %s %s, but %s %s allows only ", count > 1 ? "need" : "needs", a->package, req, a->package,
                    a->req_text);
                for (size_t m = na; m-- > 0;)
                    put(&o, "%s%s", m + 1 == na ? "" : ", ", pa[m]->vers);
                put(&o, ".\n");
            }
        }
    }
    free(dv);
    return done(&o);
}

/* "1.0, 1.1 and 2.0" / "1.0 ... 2.0 (12 versions)" of vs[0..n), given newest first (explain.c's
 * say_versions, which lists them oldest first). */
static void put_versions(out_buf *o, const cargo_version *const *vs, size_t n)
{
    if (n <= 4) {
        for (size_t i = 0; i < n; i++)
            put(o, "%s%s", i == 0 ? "" : (i + 1 == n ? " and " : ", "), vs[n - 1 - i]->vers);
    } else {
        put(o, "%s ... %s (%zu versions)", vs[n - 1]->vers, vs[0]->vers, n);
    }
}

/* "serde 1.0" or "actix-web 1.0.8 with feature rust-tls": a dependency and the features it asks. */
static void put_dep(out_buf *o, const cargo_dep *d)
{
    put(o, "%s %s", d->package, d->req_text);
    for (size_t i = 0; i < d->n_features; i++)
        put(o, "%s%s", i ? ", " : d->n_features > 1 ? " with features " : " with feature ", d->features[i]);
}

/* Newest first, as matching() gives them: pins list the index's order. */
static size_t newest_first(const cargo_version *const *in, size_t n, const cargo_version **out, size_t max)
{
    size_t m = 0;
    for (size_t i = 0; i < n && m < max; i++) {
        size_t k = m++;
        for (; k > 0 && semver_compare(&in[i]->v, &out[k - 1]->v) > 0; k--)
            out[k] = out[k - 1];
        out[k] = in[i];
    }
    return m;
}

size_t cargo_pins_report(cargo_index *ix, const cargo_manifest *root, const cargo_pins *p, const char *atom, char *buf,
                         size_t size)
{
    out_buf o = { buf, size, 0 };
    if (size)
        buf[0] = '\0';
    if (!p->contradiction)
        return 0;
    const cargo_pin *pin[2] = { &p->items[p->clash[0]], &p->items[p->clash[1]] };
    if (pin[0]->root_dep == pin[1]->root_dep || pin[0]->root_dep >= root->n_deps || pin[1]->root_dep >= root->n_deps)
        return 0;
    if (pin[0]->root_dep > pin[1]->root_dep) {   /* the root's dependencies in their order */
        const cargo_pin *t = pin[0];
        pin[0] = pin[1];
        pin[1] = t;
    }
    put(&o, "The request cannot be satisfied.\n"
            "This requirement cannot be met by any version together with its dependencies:\n"
            "  - %s\n%s %s needs these, which cannot hold together:\n", atom, root->name, root->version);
    const cargo_version *vs[256];
    for (int k = 0; k < 2; k++) {
        const cargo_dep *d = &root->deps[pin[k]->root_dep];
        vs_error err;
        const cargo_crate *c = cargo_index_crate(ix, d->package, &err);
        size_t n = c ? matching(ix, c, &d->req, vs, sizeof vs / sizeof *vs) : 0;
        if (n == 0)
            return 0;
        put(&o, "  - ");
        put_dep(&o, d);
        put(&o, " (%s ", d->package);
        put_versions(&o, vs, n);
        put(&o, ")\n");
    }
    const char *x = pin[0]->allowed[0]->name, *y = pin[1]->allowed[0]->name;
    if (!strcmp(x, y))
        put(&o, "Why: both need %s, in versions that exclude each other", x);
    else
        put(&o, "Why: %s and %s exclude each other", x, y);
    put(&o, " (links = \"%s\": one package per native library):\n", pin[0]->links);
    for (int k = 0; k < 2; k++) {
        const cargo_dep *d = &root->deps[pin[k]->root_dep];
        put(&o, "  - ");
        put_dep(&o, d);
        put(&o, " needs %s ", pin[k]->allowed[0]->name);
        put_versions(&o, vs, newest_first(pin[k]->allowed, pin[k]->n_allowed, vs, sizeof vs / sizeof *vs));
        if (pin[k]->n_via > 1) {
            put(&o, " (through ");
            for (size_t i = 0; i < pin[k]->n_via; i++)
                put(&o, "%s%s", i ? " -> " : "", pin[k]->via[i]);
            put(&o, ")");
        }
        put(&o, "\n");
    }
    return done(&o);
}
