/* opam_filter.c: variable resolution and filter evaluation as opam does for `opam install`. */
#include "opam_filter.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "opam_version.h"

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int opam_vars_set(opam_vars *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->items[i].name, name) == 0) {
            char *nv = dup(value);
            if (!nv)
                return VSOLVE_ENOMEM;
            free(v->items[i].value);
            v->items[i].value = nv;
            return VSOLVE_OK;
        }
    if (v->len == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 32;
        opam_var *ni = realloc(v->items, ncap * sizeof *ni);
        if (!ni)
            return VSOLVE_ENOMEM;
        v->items = ni;
        v->cap = ncap;
    }
    opam_var var = { dup(name), dup(value) };
    if (!var.name || !var.value) {
        free(var.name);
        free(var.value);
        return VSOLVE_ENOMEM;
    }
    v->items[v->len++] = var;
    return VSOLVE_OK;
}

/* Is s[0..n) (which holds no NUL) the text t? */
static int text_is(const char *s, size_t n, const char *t)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != t[i])   /* (t's NUL differs from every byte of s) */
            return 0;
    return t[n] == '\0';
}

/* opam_vars_get of the name name[0..n) (no NUL in it), read in place. */
static const char *vars_get(const opam_vars *v, const char *name, size_t n)
{
    for (size_t i = 0; i < v->len; i++)
        if (text_is(name, n, v->items[i].name))
            return v->items[i].value;
    return NULL;
}

const char *opam_vars_get(const opam_vars *v, const char *name)
{
    return vars_get(v, name, strlen(name));
}

void opam_vars_free(opam_vars *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->items[i].name);
        free(v->items[i].value);
    }
    free(v->items);
    memset(v, 0, sizeof *v);
}

/* /etc/os-release's text (its first size - 1 bytes) into buf, NUL-terminated: read once for the
 * three keys below. 0 when it cannot be opened. */
static int os_release_read(char *buf, size_t size)
{
    FILE *f = fopen("/etc/os-release", "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return 1;
}

/* KEY=value (value possibly quoted) from os-release's text: the first line with the key. */
static int os_release(const char *text, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            const char *val = line + klen + 1;
            size_t n = strcspn(val, "\r\n");
            if (n >= 2 && (val[0] == '"' || val[0] == '\'') && val[n - 1] == val[0]) {
                val++;
                n -= 2;
            }
            snprintf(out, size, "%.*s", (int)n, val);
            return 1;
        }
        line += len + (line[len] == '\n');
    }
    return 0;
}

/* The platform variables as opam detects them (OpamSysPoll): arch from uname -m normalised,
 * os from uname -s lowercased, distribution and version from os-release. */
static int detect_platform(opam_vars *v)
{
    struct utsname un;
    const char *arch = "unknown", *os = "unknown";
    if (uname(&un) == 0) {
        const char *m = un.machine;
        if (!strcmp(m, "x86_64") || !strcmp(m, "amd64")) arch = "x86_64";
        else if (!strcmp(m, "aarch64") || !strcmp(m, "arm64")) arch = "arm64";
        else if (!strcmp(m, "i386") || !strcmp(m, "i686") || !strcmp(m, "i586")) arch = "x86_32";
        else if (!strncmp(m, "armv", 4)) arch = "arm32";
        else if (!strcmp(m, "ppc64le")) arch = "ppc64";
        else arch = m;
        if (!strcmp(un.sysname, "Linux")) os = "linux";
        else if (!strcmp(un.sysname, "Darwin")) os = "macos";
        else if (!strcmp(un.sysname, "FreeBSD")) os = "freebsd";
        else if (!strcmp(un.sysname, "OpenBSD")) os = "openbsd";
        else if (!strcmp(un.sysname, "NetBSD")) os = "netbsd";
        else os = un.sysname;
    }
    char dist[128] = "", version[128] = "", family[128] = "";
    int rc = opam_vars_set(v, "arch", arch);
    if (rc == VSOLVE_OK) rc = opam_vars_set(v, "os", os);
    if (!strcmp(os, "linux")) {
        char text[16384];
        if (!os_release_read(text, sizeof text))
            text[0] = '\0';
        if (!os_release(text, "ID", dist, sizeof dist))
            snprintf(dist, sizeof dist, "linux");
        if (!os_release(text, "VERSION_ID", version, sizeof version))
            version[0] = '\0';
        /* os-family: the first word of ID_LIKE, else the distribution itself */
        if (os_release(text, "ID_LIKE", family, sizeof family))
            family[strcspn(family, " ")] = '\0';
        else
            snprintf(family, sizeof family, "%s", dist);
    } else {
        snprintf(dist, sizeof dist, "%s", os);
        snprintf(family, sizeof family, "%s", os);
    }
    if (rc == VSOLVE_OK) rc = opam_vars_set(v, "os-distribution", dist);
    if (rc == VSOLVE_OK) rc = opam_vars_set(v, "os-family", family);
    if (rc == VSOLVE_OK && version[0]) rc = opam_vars_set(v, "os-version", version);
    return rc;
}

int opam_vars_init(opam_vars *v)
{
    memset(v, 0, sizeof *v);
    static const char *const defaults[][2] = {
        { "opam-version", "2.1.2" }, { "make", "make" }, { "jobs", "2" },
        { "with-test", "false" }, { "with-doc", "false" }, { "with-dev-setup", "false" },
        { "build", "true" }, { "post", "true" }, { "dev", "false" },
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (opam_vars_set(v, defaults[i][0], defaults[i][1]) != VSOLVE_OK)
            return VSOLVE_ENOMEM;
    return detect_platform(v);
}

static opam_value undef(void) { opam_value r = { OPAM_UNDEF, 0, NULL }; return r; }
static opam_value boolean(int b) { opam_value r = { OPAM_VBOOL, b != 0, NULL }; return r; }
static opam_value string(const char *s) { opam_value r = { OPAM_VSTRING, 0, s }; return r; }

static opam_value from_text(const char *s)
{
    if (!strcmp(s, "true"))
        return boolean(1);
    if (!strcmp(s, "false"))
        return boolean(0);
    return string(s);
}

opam_value opam_var_lookup(const opam_scope *sc, const char *ident, size_t len)
{
    if (len >= 256)
        return undef();
    /* the identifier up to a NUL it may hold, read in place (this runs for every filter of
     * every file: copying it and strcmp's were a tenth of building the universe) */
    size_t n = 0, colon = 0;   /* colon: 1 + the place of the last ':', or 0 */
    for (; n < len && ident[n]; n++)
        if (ident[n] == ':')
            colon = n + 1;
    if (colon > 0) {
        const char *pkg = ident, *var = ident + colon;
        size_t pkg_len = colon - 1, var_len = n - colon;
        int self = text_is(pkg, pkg_len, "_") || (sc->pkg_name && text_is(pkg, pkg_len, sc->pkg_name));
        if (self && text_is(var, var_len, "name") && sc->pkg_name)
            return string(sc->pkg_name);
        if (self && text_is(var, var_len, "version") && sc->pkg_version)
            return string(sc->pkg_version);
        /* nothing is installed in the switch being solved for */
        if (text_is(var, var_len, "installed"))
            return boolean(0);
        if (text_is(var, var_len, "enable"))
            return string("disable");
        return undef();
    }
    if (text_is(ident, n, "name") && sc->pkg_name)
        return string(sc->pkg_name);
    if (text_is(ident, n, "version") && sc->pkg_version)
        return string(sc->pkg_version);
    const char *v = sc->vars ? vars_get(sc->vars, ident, n) : NULL;
    return v ? from_text(v) : undef();
}

static const char *as_string(opam_value v)
{
    if (v.kind == OPAM_VBOOL)
        return v.b ? "true" : "false";
    return v.s;
}

static int relop_holds(opam_relop op, int cmp)
{
    switch (op) {
    case OPAM_EQ: return cmp == 0;
    case OPAM_NEQ: return cmp != 0;
    case OPAM_LT: return cmp < 0;
    case OPAM_LEQ: return cmp <= 0;
    case OPAM_GT: return cmp > 0;
    case OPAM_GEQ: return cmp >= 0;
    }
    return 0;
}

/* A bool value of v, or -1 when v is undefined or not a boolean. */
static int truth(opam_value v)
{
    if (v.kind == OPAM_VBOOL)
        return v.b;
    if (v.kind == OPAM_VSTRING) {
        if (!strcmp(v.s, "true")) return 1;
        if (!strcmp(v.s, "false")) return 0;
    }
    return -1;
}

opam_value opam_filter_eval(const opam_scope *sc, const opam_node *n)
{
    if (!n)
        return undef();
    switch (n->kind) {
    case OPAM_BOOL:
        return boolean(n->bval);
    case OPAM_STRING:
        /* Strings with %{...}% interpolations are left undefined: they never occur in the
         * dependency or availability filters of the real repositories. */
        return strstr(n->str, "%{") ? undef() : string(n->str);
    case OPAM_INT:
        return undef();
    case OPAM_IDENT:
        return opam_var_lookup(sc, n->str, n->len);
    case OPAM_RELOP: {
        opam_value a = opam_filter_eval(sc, n->lhs), b = opam_filter_eval(sc, n->rhs);
        if (a.kind == OPAM_UNDEF || b.kind == OPAM_UNDEF)
            return undef();
        return boolean(relop_holds(n->op, opam_version_compare(as_string(a), as_string(b))));
    }
    case OPAM_AND: {
        int a = truth(opam_filter_eval(sc, n->lhs)), b = truth(opam_filter_eval(sc, n->rhs));
        if (a == 0 || b == 0)
            return boolean(0);
        return (a == 1 && b == 1) ? boolean(1) : undef();
    }
    case OPAM_OR: {
        int a = truth(opam_filter_eval(sc, n->lhs)), b = truth(opam_filter_eval(sc, n->rhs));
        if (a == 1 || b == 1)
            return boolean(1);
        return (a == 0 && b == 0) ? boolean(0) : undef();
    }
    case OPAM_NOT: {
        int a = truth(opam_filter_eval(sc, n->rhs));
        return a < 0 ? undef() : boolean(!a);
    }
    case OPAM_DEFINED:
        return boolean(opam_filter_eval(sc, n->rhs).kind != OPAM_UNDEF);
    case OPAM_GROUP:
        return n->n_items == 1 ? opam_filter_eval(sc, n->items[0]) : undef();
    default:
        return undef();
    }
}

int opam_filter_holds(const opam_scope *sc, const opam_node *n)
{
    return truth(opam_filter_eval(sc, n)) == 1;
}
