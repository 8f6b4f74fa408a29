/* attr.h: per-package attributes (source URL, checksums, dev-repo, depexts, ...): what a lock
 * writer needs of a package beyond its dependencies, as interned strings under integer keys.
 *
 * Model (libsolv's repo_set_str / repo_lookup_str and knownid.h). An attribute is a triple
 * (package, key, value). Keys are the well-known ones below, or free keys (any name, interned:
 * VS_ATTR_FREE | the name's string id). Values are string ids in the store's own string pool
 * (not the universe's: the cache keeps attributes in a part a plain solve never reads). A
 * multi-valued key (checksums, mirrors, depexts, ...) is a run of triples with the same package
 * and key, in the order the adapter added them.
 *
 * Building: attrs_add in any order, after the universe's package ids are final (after
 * universe_sort); then attrs_finish sorts them by package and key (stable). Lookups work before
 * attrs_finish too (a linear scan), in O(log n) after it.
 *
 * Values of the well-known keys, per ecosystem:
 *   VS_ATTR_URL            the source: opam url.src (or the old url.archive / url.git / url.http),
 *                          as written, so a git URL keeps its ref ("git+https://host/r.git#v1.2");
 *                          npm: the packument's dist.tarball. cargo: none (see CARGO_SOURCE).
 *   VS_ATTR_CHECKSUM       (multi) "KIND=HEX", KIND md5, sha256 or sha512: opam url.checksum
 *                          (the old bare md5 form becomes "md5=HEX"); cargo: "sha256=HEX".
 *   VS_ATTR_MIRROR         (multi) opam url.mirrors.
 *   VS_ATTR_DEV_REPO       opam dev-repo, as written.
 *   VS_ATTR_HOMEPAGE       (multi) opam homepage.
 *   VS_ATTR_LICENSE        (multi) opam license.
 *   VS_ATTR_DEPEXT         (multi) one entry of opam depexts as opam text with its filter kept,
 *                          not evaluated: `["libgmp-dev"] {os-family = "debian"}` (opam 2) or
 *                          `[["debian"] ["libgmp-dev"]]` (opam 1.2 form). A lock copies them as
 *                          opam-monorepo does; whoever installs evaluates them for the platform.
 *   VS_ATTR_BUILDS_WITH_DUNE  opam: "true" when depends names `dune` or `jbuilder` (under any
 *                          filter: opam-monorepo's rule), else "false".
 *   VS_ATTR_CARGO_CHECKSUM the index's cksum (sha256 hex), as Cargo.lock writes it.
 *   VS_ATTR_CARGO_SOURCE   "registry+" and the index URL given to the adapter (crates.io's by
 *                          default); none for the root package.
 *   VS_ATTR_NPM_INTEGRITY  the packument's dist.integrity ("sha512-BASE64"), as package-lock.json.
 *   VS_ATTR_NPM_TARBALL    the packument's dist.tarball (also VS_ATTR_URL).
 * Free keys recorded today: "rust-version" on the cargo root (it decides the Cargo.lock format).
 */
#ifndef VSOLVE_ATTR_H
#define VSOLVE_ATTR_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "error.h"
#include "strpool.h"
#include "vec.h"

enum vs_attr_key {
    VS_ATTR_NONE = 0,
    VS_ATTR_URL,
    VS_ATTR_CHECKSUM,
    VS_ATTR_MIRROR,
    VS_ATTR_DEV_REPO,
    VS_ATTR_HOMEPAGE,
    VS_ATTR_LICENSE,
    VS_ATTR_DEPEXT,
    VS_ATTR_BUILDS_WITH_DUNE,
    VS_ATTR_CARGO_CHECKSUM,
    VS_ATTR_CARGO_SOURCE,
    VS_ATTR_NPM_INTEGRITY,
    VS_ATTR_NPM_TARBALL,
    VS_ATTR_N_KNOWN
};
#define VS_ATTR_FREE 0x80000000u   /* free key: VS_ATTR_FREE | string id of its name */

enum vs_checksum_kind { VS_CHECKSUM_UNKNOWN = 0, VS_CHECKSUM_MD5, VS_CHECKSUM_SHA256, VS_CHECKSUM_SHA512 };

typedef struct vs_attr {
    uint32_t pkg, key, value;   /* value: string id in vs_attrs.strings */
} vs_attr;

typedef struct vs_attrs vs_attrs;
struct vs_attrs {
    strpool strings;            /* values and free keys' names */
    VEC(vs_attr) items;         /* sorted by (pkg, key), stable, when sorted */
    int sorted;
    /* Not read yet (a universe from the cache): load() fills the store on first need. */
    void *source;
    int (*load)(void *source, vs_attrs *a, vs_error *err);
    void (*free_source)(void *source);
};

int  attrs_init(vs_attrs *a);        /* VSOLVE_OK or VSOLVE_ENOMEM */
void attrs_free(vs_attrs *a);

/* Reads the attributes when they are pending (no-op otherwise): VSOLVE_OK, or the reader's error. */
int attrs_need(vs_attrs *a, vs_error *err);
static inline int attrs_pending(const vs_attrs *a) { return a->load != NULL; }

/* Adds (pkg, key, value[0..len)). VSOLVE_OK or VSOLVE_ENOMEM. */
int attrs_add(vs_attrs *a, uint32_t pkg, uint32_t key, const char *value, size_t len);
static inline int attrs_add_str(vs_attrs *a, uint32_t pkg, uint32_t key, const char *value)
{
    return attrs_add(a, pkg, key, value, strlen(value));
}
/* Adds (pkg, key, value) with value a string id of a->strings already (interned by the caller
 * with strpool_intern(&a->strings, ...), e.g. before the package ids were final). */
int attrs_add_id(vs_attrs *a, uint32_t pkg, uint32_t key, uint32_t value);
/* Sorts the triples by package and key, keeping each run's order. VSOLVE_OK or VSOLVE_ENOMEM. */
int attrs_finish(vs_attrs *a);

/* The key called name: a well-known one ("url", "checksum", "mirror", "dev-repo", "homepage",
 * "license", "depext", "builds-with-dune", "cargo-checksum", "cargo-source", "npm-integrity",
 * "npm-tarball"), else a free key, interned. UINT32_MAX when out of memory. */
uint32_t attrs_key(vs_attrs *a, const char *name);
/* Like attrs_key without interning: VS_ATTR_NONE when no such key was ever made. */
uint32_t attrs_find_key(const vs_attrs *a, const char *name);
/* The name of a key ("" for VS_ATTR_NONE or an unknown one). */
const char *attrs_key_name(const vs_attrs *a, uint32_t key);

/* The run of pkg's values of key: the count, *first its first triple (NULL when none). The
 * triples live until the store changes. */
size_t attrs_lookup_all(const vs_attrs *a, uint32_t pkg, uint32_t key, const vs_attr **first);
/* All of pkg's triples, sorted by key (once attrs_finish ran). */
size_t attrs_of(const vs_attrs *a, uint32_t pkg, const vs_attr **first);
/* The first value of pkg's key, or NULL when it has none. */
const char *attrs_lookup(const vs_attrs *a, uint32_t pkg, uint32_t key);
static inline const char *attrs_str(const vs_attrs *a, uint32_t value) { return strpool_str(&a->strings, value); }

/* The kind of a "KIND=HEX" checksum, and *hex its digest part (the whole text when unknown). */
int attrs_checksum_kind(const char *value, const char **hex);

#endif
