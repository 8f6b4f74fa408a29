/* lock_read.h: the sources a lock names (JSON lock or opam-monorepo .opam.locked), for pull and nix. */
#ifndef VSOLVE_LOCK_READ_H
#define VSOLVE_LOCK_READ_H
#include <stddef.h>
#include "arena.h"
#include "error.h"

typedef enum bk_hash_kind { BK_MD5, BK_SHA256, BK_SHA512 } bk_hash_kind;
#define BK_HASH_KINDS 3

typedef struct bk_checksum {
    bk_hash_kind kind;
    const char *hex;          /* lowercase hex, the kind's length */
} bk_checksum;

/* One duniverse/ directory: one archive, shared by the packages of one dev-repo. */
typedef struct bk_source {
    const char *dir;          /* validated: [A-Za-z0-9][A-Za-z0-9._+-]*, not a dune file name */
    const char *url;
    bk_checksum *checksums;   /* at least one */
    size_t n_checksums;
    const char **packages;    /* "name.version" (JSON lock) or "name" when only that is known */
    size_t n_packages;
} bk_source;

typedef struct bk_lock {
    const char *path;
    const char **roots;
    size_t n_roots;
    bk_source *sources;
    size_t n_sources;
} bk_lock;

/* Reads path: a JSON lock (docs/lock-json.md, lock-version 1) when it ends in ".json", else an
 * opam-monorepo 0.3 .opam.locked (x-opam-monorepo-duniverse-dirs, -root-packages, pin-depends).
 * Everything lives in a. Refuses (VSOLVE_EBADINPUT, "file:line:col: ...") a malformed file, an
 * unknown lock-version, an invalid or duplicate dir, a source without checksums, a checksum that
 * is not KIND=HEX with KIND md5/sha256/sha512 and HEX of the kind's length. */
int bk_lock_read(arena *a, const char *path, bk_lock *out, vs_error *err);

/* The dir rule: [A-Za-z0-9][A-Za-z0-9._+-]*, not "." or "..", at most 200 bytes, and not a name
 * dune reads in duniverse/ (dune, dune-project, dune-workspace, dune-file and their .opam cousins). */
int bk_dir_valid(const char *dir);

/* "md5", "sha256", "sha512"; and the hex length of each (32, 64, 128). */
const char *bk_hash_name(bk_hash_kind k);
size_t bk_hash_hexlen(bk_hash_kind k);
/* The strongest checksum of s (sha512 > sha256 > md5). */
const bk_checksum *bk_strongest(const bk_source *s);
/* Parses "KIND=HEX"; 0 on success, -1 when malformed. hex points into text. */
int bk_checksum_parse(const char *text, bk_checksum *out);

#endif
