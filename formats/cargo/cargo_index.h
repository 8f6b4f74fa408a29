/* cargo_index.h: a crates registry index (directory or .tar.gz in the standard layout: 1/, 2/,
 * 3/a/, ab/cd/NAME files of JSON lines), read lazily one crate file at a time. */
#ifndef VSOLVE_CARGO_INDEX_H
#define VSOLVE_CARGO_INDEX_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"
#include "cargo_semver.h"

typedef enum cargo_dep_kind { CARGO_NORMAL, CARGO_BUILD, CARGO_DEV } cargo_dep_kind;

/* One dependency of a crate version (an index line's deps[] entry, or a manifest entry). */
typedef struct cargo_dep {
    const char *name;          /* the name the dependent uses (the rename, if renamed) */
    const char *package;       /* the crate's real name (== name unless renamed) */
    const char *req_text;      /* the requirement as written */
    semver_req req;
    const char **features;     /* features asked of the dependency */
    size_t n_features;
    int optional;
    int default_features;
    cargo_dep_kind kind;
    const char *target;        /* cfg(...) or triple, or NULL */
} cargo_dep;

/* A feature: its name and what it enables ("feat", "dep:name", "name/feat", "name?/feat"). */
typedef struct cargo_feature {
    const char *name;
    const char **items;
    size_t n_items;
} cargo_feature;

/* One version line of a crate. */
typedef struct cargo_version {
    const char *name;
    const char *vers;          /* as written */
    semver_version v;
    cargo_dep *deps;
    size_t n_deps;
    cargo_feature *features;   /* features and features2 merged */
    size_t n_features;
    const char *cksum;         /* or NULL */
    const char *links;         /* or NULL */
    const char *rust_version;  /* or NULL */
    int yanked;
    /* Until cargo_index_version parses the line whole, only vers and v are set (a quick scan
     * finds them); the rest is parsed when the version is used. */
    int parsed;
    int from_image;            /* unparsed, from the registry image: line (NULL: not read
                                  yet) and line_len are the record's body (cargo_image.c) */
    const char *line;          /* the line's text, kept while unparsed */
    size_t line_len;
    uint64_t body_off;         /* from_image: where the body lies in the image file */
    uint32_t body_crc;         /* from_image: its crc32, checked when it is decoded */
    unsigned lineno;
} cargo_version;

typedef struct cargo_crate {
    const char *name;
    const char *file;          /* the crate file's index path, for messages */
    cargo_version *versions;   /* in index order */
    size_t n_versions;
} cargo_crate;

typedef struct cargo_index cargo_index;

/* Opens an index: a directory (files read when asked) or a .tar.gz/.tar (streamed once, the
 * crate files written to an unlinked temporary file in $TMPDIR or /tmp, each read back and
 * parsed only when asked: memory stays small however large the index). The index may sit under a top
 * folder ("crates.io-index/", "index/"); config.json is ignored. A .tar.gz inflates to at most
 * REPO_MAX_INFLATE_DEFAULT bytes (cargo_index_open_image takes another limit). */
cargo_index *cargo_index_open(const char *path, vs_error *err);

/* The same, reading the crates from the registry image at image_path (cargo_image.h) when it
 * is there and fits the index. When it does not, or a crate's record turns out stale or
 * corrupt while solving, that crate is read from the index itself (the answer does not
 * change) and cargo_index_image_trouble says why. image_path NULL: as cargo_index_open. An
 * archive index inflates to at most max_inflate bytes (0: REPO_MAX_INFLATE_DEFAULT). */
cargo_index *cargo_index_open_image(const char *path, const char *image_path, uint64_t max_inflate, vs_error *err);
/* NULL while the image is used without trouble (or none was asked for); else why it is not, or
 * not wholly: "missing: ...", "stale: ..." or "corrupt: ...". */
const char *cargo_index_image_trouble(const cargo_index *ix);
/* Was the image read at all (opened and checked)? */
int cargo_index_image_used(const cargo_index *ix);

/* Where the index's crate files are: a directory (its root, one folder down when that holds
 * index/config.json) or an archive (*archive = 1, root = path). VSOLVE_OK or VSOLVE_EIO. */
int cargo_index_root(const char *path, char *root, size_t size, int *archive, vs_error *err);
/* An archive member's path relative to the index root: "crates.io-index/se/rd/serde" ->
 * "se/rd/serde" (the index may sit under one top folder, not a layout directory). */
const char *cargo_index_member_path(const char *path);
void cargo_index_close(cargo_index *ix);

/* The crate's versions (the file read on first use and kept; each line scanned for its version,
 * parsed whole by cargo_index_version), or NULL with err->code == VSOLVE_OK when the index has no
 * such crate, or NULL with VSOLVE_EBADINPUT when name is not a crate name, or NULL with an error
 * ("FILE:LINE:COL: ..." for a malformed line). Only lines whose "name" is exactly `name` count
 * (as in cargo); of several lines of one version, the last wins. */
const cargo_crate *cargo_index_crate(cargo_index *ix, const char *name, vs_error *err);

/* Version i of crate c, its line parsed whole on first use; NULL with an error
 * ("FILE:LINE:COL: ...") for a malformed line. */
const cargo_version *cargo_index_version(cargo_index *ix, const cargo_crate *c, size_t i, vs_error *err);

/* Number of crate files parsed so far (cargo's "index files read"). */
size_t cargo_index_files_read(const cargo_index *ix);

/* Is name a crate name cargo can look up: 1 to CARGO_NAME_MAX ASCII letters, digits, '-' and
 * '_'? Only such names become index paths (no '/', '.', or anything else). */
#define CARGO_NAME_MAX 255
int cargo_name_valid(const char *name);

/* The index path of a crate name: "1/a", "2/ab", "3/a/abc", "ab/cd/abcd" (lowercased). Its
 * length; 0 (buf "") for an empty name, one of 256 bytes or more, or a path buf cannot hold. */
size_t cargo_index_path(const char *name, char *buf, size_t size);

/* Parses one index line (JSON) into v (memory from a); lineno for messages. */
int cargo_parse_index_line(arena *a, const char *file, unsigned lineno, const char *line, size_t len,
                           cargo_version *v, vs_error *err);
/* The same through a whole JSON tree (json_parse): the reference that cargo_parse_index_line
 * agrees with, and falls back to for a line its quick reader does not take (malformed, or
 * unusual). Slower. */
int cargo_parse_index_line_tree(arena *a, const char *file, unsigned lineno, const char *line, size_t len,
                                cargo_version *v, vs_error *err);

#endif
