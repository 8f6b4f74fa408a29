/* universe.h: the ecosystem-neutral package universe: names, package versions, dependency
 * clauses, conflicts and exclusion groups, all as integer ids over flat arrays.
 *
 * Model. A package (vs_pkg) is one installable unit: a name at a version (for cargo, later also
 * a feature node of a crate version). Its dependencies are clauses in CNF: every clause must
 * have at least one of its providers installed (an empty clause makes the package
 * uninstallable). Conflicts are pairs that cannot both be installed. Exclusion groups say "at
 * most one of these": a "slot" is the group a package's name/version line falls in (opam: one
 * per name; cargo: one per semver-compatible range; npm: none, duplicates allowed), and other
 * groups carry ecosystem rules such as opam's conflict-class or cargo's `links`.
 *
 * Building: add every package (any order) with universe_add_package, then universe_sort
 * with the ecosystem's version comparator (packages of a name become contiguous, oldest first,
 * and ids are final), then add clauses/conflicts per package in increasing package order,
 * then groups. Every clause carries a description (e.g. "dune >= 3.0") for explanations.
 */
#ifndef VSOLVE_UNIVERSE_H
#define VSOLVE_UNIVERSE_H
#include <stddef.h>
#include <stdint.h>
#include "attr.h"
#include "error.h"
#include "strpool.h"
#include "vec.h"

#define VS_NONE UINT32_MAX

enum vs_pkg_flags {
    VS_PKG_AVOID = 1u << 0,        /* opam flags: avoid-version: chosen only when needed */
    VS_PKG_UNAVAILABLE = 1u << 1,  /* present in metadata but not installable here (e.g. opam `available`) */
    VS_PKG_ROOT_VARIANT = 1u << 2, /* has other dependency clauses when requested itself (root_clause_*) */
    VS_PKG_VIRTUAL = 1u << 3       /* not a real package but a condition node (a cargo feature of a
                                      crate version, an enabled optional dependency): never printed
                                      as part of a solution, never given a version preference */
};

typedef struct vs_pkg {
    uint32_t name;          /* index into universe.names */
    uint32_t version;       /* string id */
    uint32_t rank;          /* 0 = oldest version of this name */
    uint32_t flags;         /* enum vs_pkg_flags */
    uint32_t clause_first, clause_count;     /* into universe.clauses */
    uint32_t root_clause_first, root_clause_count; /* instead, when the package is a root of the
                                               request (opam --with-test, cargo dev-dependencies) */
    uint32_t conflict_first, conflict_count; /* into universe.ids */
    uint32_t slot;          /* exclusion group of its version line, or VS_NONE */
    uint32_t lag;           /* available versions of this name newer than this one (opam's version-lag) */
    void *user;             /* adapter data during construction */
} vs_pkg;

typedef struct vs_name {
    uint32_t str;           /* string id */
    uint32_t first_pkg, n_pkgs;   /* packages of this name, oldest first */
    uint32_t n_available;   /* packages without VS_PKG_UNAVAILABLE */
} vs_name;

typedef struct vs_clause {
    uint32_t desc;          /* string id: what the clause says, e.g. "ocaml >= 4.08" */
    uint32_t first, count;  /* providers in universe.ids */
    uint32_t cond;          /* VS_NONE, or a package that must also be installed for the clause
                               to apply (cargo's weak `dep?/feature`) */
} vs_clause;

typedef struct vs_group {
    uint32_t desc;          /* string id, e.g. "conflict-class ocaml-core-compiler" */
    uint32_t first, count;  /* members in universe.ids */
} vs_group;

typedef struct vs_universe vs_universe;

/* Clauses read on demand. A universe loaded from the cache has every package, name, group and
 * id from the start, but the clauses of a name's packages are read only when something needs
 * them (universe_need_* below): the clauses of names [name_end[c-1], name_end[c]) are
 * clauses [clause_end[c-1], clause_end[c]) and come in one chunk c, read whole by load().
 * The clauses' descriptions (string ids reserved in the pool, "" until read) come apart, with
 * load_descs(): only explanations and messages show them. */
typedef struct vs_pending_clauses {
    uint32_t n_chunks;
    uint32_t *name_end;          /* chunk -> one past its last name */
    uint32_t *clause_end;        /* chunk -> one past its last clause */
    unsigned char *loaded;       /* chunk -> read */
    int descs_loaded;
    void *source;                /* the reader's state, e.g. the compressed chunks */
    int (*load)(void *source, vs_universe *u, uint32_t chunk, vs_error *err);
    /* What the reader checks of a name before anything reads its packages (the cache: its
     * versions' order, on which ranks, lags and listings rely), once per name; NULL: nothing.
     * checked (name -> passed) is then sized names.len. */
    int (*check_name)(void *source, const vs_universe *u, uint32_t name, vs_error *err);
    unsigned char *checked;
    int (*load_descs)(void *source, vs_universe *u, vs_error *err);
    void (*free_source)(void *source);
} vs_pending_clauses;

struct vs_universe {
    strpool strings;
    VEC(vs_pkg) pkgs;
    VEC(vs_name) names;
    VEC(vs_clause) clauses;
    VEC(vs_group) groups;
    u32_vec ids;      /* providers, conflicts and group members, in runs */
    uint32_t *name_of_str;  /* string id -> name index (VS_NONE); sized after sort */
    uint32_t name_of_str_len;
    uint32_t *run_table;    /* while building: hash set of provider runs (clause index + 1), so that
                               equal provider lists ("dune >= 3.0" in 2,000 packages) are stored once */
    uint32_t run_cap, run_count;
    int sorted;
    int building_pkg;       /* package whose clauses are being added, or -1 */
    vs_pending_clauses *pending;  /* clauses not read yet, or NULL when all are present */
    vs_attrs attrs;         /* per-package attributes (attr.h); may be pending: universe_need_attrs */
};

int  universe_init(vs_universe *u);
void universe_free(vs_universe *u);
static inline uint32_t universe_intern(vs_universe *u, const char *s, size_t len)
{
    return strpool_intern(&u->strings, s, len);
}
static inline const char *universe_str(const vs_universe *u, uint32_t id)
{
    return strpool_str(&u->strings, id);
}

/* Adds a package (before sorting). Returns VSOLVE_OK or VSOLVE_ENOMEM. */
int universe_add_package(vs_universe *u, uint32_t name_str, uint32_t version_str, uint32_t flags, void *user);
/* Sorts packages by name string, then version with cmp; of versions that compare equal only
 * the first added is kept (as opam does). Builds the name index, ranks and lags; ids are final. */
int universe_sort(vs_universe *u, int (*cmp)(const char *a, const char *b));

/* Name lookup by string (after sort): name index or VS_NONE. */
uint32_t universe_find_name(const vs_universe *u, const char *name);
/* Package ids of a name: [*first, *first + *count). */
void universe_name_pkgs(const vs_universe *u, uint32_t name, uint32_t *first, uint32_t *count);
const char *universe_pkg_name(const vs_universe *u, uint32_t pkg);
const char *universe_pkg_version(const vs_universe *u, uint32_t pkg);

/* Adds a dependency clause to `pkg` (pkgs must be built in increasing id order). */
int universe_add_clause(vs_universe *u, uint32_t pkg, uint32_t desc, const uint32_t *providers, size_t n);
/* A clause that applies only when `cond` is installed too: pkg and cond imply a provider. */
int universe_add_clause_if(vs_universe *u, uint32_t pkg, uint32_t cond, uint32_t desc, const uint32_t *providers, size_t n);
/* universe_add_clause(_if) (cond VS_NONE: unconditional) whose providers are a run an earlier
 * clause stored: ids[first, first + n), n > 0 (that clause's first and count). The same clause
 * as passing those providers, without looking the run up again. */
int universe_add_clause_run(vs_universe *u, uint32_t pkg, uint32_t cond, uint32_t desc, uint32_t first, uint32_t n);
/* Adds a clause of pkg's root variant (after all its ordinary clauses): when pkg's name is
 * requested, its root clauses apply instead of its ordinary ones. */
int universe_add_root_clause(vs_universe *u, uint32_t pkg, uint32_t desc, const uint32_t *providers, size_t n);
/* The clauses that apply to pkg: the root variant when as_root and it has one. */
static inline void universe_clauses(const vs_universe *u, uint32_t pkg, int as_root, uint32_t *first, uint32_t *count)
{
    const vs_pkg *p = &u->pkgs.items[pkg];
    int root = as_root && (p->flags & VS_PKG_ROOT_VARIANT);
    *first = root ? p->root_clause_first : p->clause_first;
    *count = root ? p->root_clause_count : p->clause_count;
}

/* Adds conflicts of `pkg` with each of `others` (same ordering rule as clauses). */
int universe_add_conflicts(vs_universe *u, uint32_t pkg, const uint32_t *others, size_t n);
/* Adds an at-most-one group; returns its id via *group_id (may be NULL). */
int universe_add_group(vs_universe *u, uint32_t desc, const uint32_t *members, size_t n, uint32_t *group_id);
/* Adds an at-most-one group that is the slot of its members (their version line: one name's
 * versions, oldest first): sets each member's slot to it. The one way slots are made.
 * *group_id (may be NULL) gets its id. VSOLVE_OK or VSOLVE_ENOMEM. */
int universe_add_slot(vs_universe *u, uint32_t desc, const uint32_t *members, size_t n, uint32_t *group_id);
/* Makes one slot per name holding all its packages (opam's rule). */
int universe_slot_per_name(vs_universe *u);

/* Reading pending clauses (no-ops when none are pending). Before anything reads the clauses of
 * a package, they must be present: the clauses of one name's packages; of everything
 * (descriptions included); or of every package reachable from start[0..n) through the providers
 * of available packages' clauses (ordinary and root variants): what encoding, solving and
 * explaining a request can reach. Before a clause's description is shown: the descriptions.
 * Each also runs the reader's check_name on the names it reads (need_cone: also those of the
 * unavailable packages it reaches); universe_need_versions runs only that, before something
 * reads the order of a name's packages without their clauses (e.g. lists its versions).
 * VSOLVE_OK, or an error from the reader (a damaged chunk, versions out of order). */
int universe_need_versions(vs_universe *u, uint32_t name, vs_error *err);
int universe_need_name(vs_universe *u, uint32_t name, vs_error *err);
int universe_need_all(vs_universe *u, vs_error *err);
int universe_need_cone(vs_universe *u, const uint32_t *start, size_t n, vs_error *err);
int universe_need_descs(vs_universe *u, vs_error *err);
/* Before reading u->attrs: reads them when pending (a universe from the cache). */
static inline int universe_need_attrs(vs_universe *u, vs_error *err) { return attrs_need(&u->attrs, err); }
void universe_pending_free(vs_pending_clauses *p);


#endif
