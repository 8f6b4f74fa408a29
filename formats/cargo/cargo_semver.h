/* cargo_semver.h: cargo's version and version-requirement language (the semver crate's rules). */
#ifndef VSOLVE_CARGO_SEMVER_H
#define VSOLVE_CARGO_SEMVER_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* A version MAJOR.MINOR.PATCH[-PRE][+BUILD]; pre and build point into the parsed text. */
typedef struct semver_version {
    uint64_t major, minor, patch;
    const char *pre;       /* dot-separated identifiers, or NULL */
    size_t pre_len;
    const char *build;     /* or NULL */
    size_t build_len;
} semver_version;

/* Parses text[0..len) exactly as semver::Version::parse. Returns 0 on success, else -1 with the
 * semver crate's error message in err (e.g. "unexpected end of input while parsing minor
 * version number"). The version refers into text: keep text alive. */
int semver_parse(const char *text, size_t len, semver_version *out, char *err, size_t err_size);

/* SemVer precedence: -1/0/1, build metadata ignored (how versions are ordered for resolution). */
int semver_precedence(const semver_version *a, const semver_version *b);
/* The semver crate's total order (Ord): precedence, then build metadata. */
int semver_compare(const semver_version *a, const semver_version *b);

/* A comparator: op and a partial version (minor / patch may be absent or wildcards). */
typedef enum semver_op { SEMVER_EXACT, SEMVER_GREATER, SEMVER_GREATER_EQ, SEMVER_LESS, SEMVER_LESS_EQ,
                         SEMVER_TILDE, SEMVER_CARET, SEMVER_WILDCARD } semver_op;
typedef struct semver_comparator {
    semver_op op;
    uint64_t major, minor, patch;
    int has_minor, has_patch;
    const char *pre;           /* or NULL */
    size_t pre_len;
} semver_comparator;

/* A requirement: comparators joined by ',' (all must hold); "*" is zero comparators. */
typedef struct semver_req {
    semver_comparator *items;
    size_t n;
} semver_req;

/* Parses a requirement as semver::VersionReq::parse (a bare version means caret). Memory from a
 * (the comparators' pre-releases are copied there: the requirement does not refer into text).
 * Returns 0, or -1 with the semver crate's exact error message in err. An unexpected character
 * is quoted as Rust's char Debug prints it (exact below U+0370, approximated beyond: some rare
 * format characters, combining marks and unassigned code points print as themselves where
 * Rust writes \u{...}; a byte that is not UTF-8, which Rust's &str cannot hold, is quoted as
 * U+FFFD). */
int semver_req_parse(arena *a, const char *text, size_t len, semver_req *out, char *err, size_t err_size);
/* Same for a single comparator (semver::Comparator::parse); its pre-release refers into text. */
int semver_comparator_parse(const char *text, size_t len, semver_comparator *out, char *err, size_t err_size);

/* VersionReq::matches: every comparator matches, and a pre-release version only when some
 * comparator has the same major.minor.patch and a pre-release. */
int semver_req_matches(const semver_req *r, const semver_version *v);

/* The release versions a requirement allows, as one range of MAJOR.MINOR.PATCH: from lo
 * (inclusive) to hi (exclusive). For a version without a pre-release, semver_req_matches is
 * exactly "lo <= v < hi" (each comparator allows such a range, and all of them must hold); a
 * pre-release version takes semver_req_matches itself. Versions and ends are compared as one
 * number, their parts packed SEMVER_PART_BITS each (when one does not fit: semver_req_matches).
 * Built once to test a requirement against many versions (a crate's, in the cargo resolver). */
#define SEMVER_PART_BITS 21

typedef struct semver_range {
    const semver_req *req;
    uint64_t lo, hi;           /* packed; hi UINT64_MAX: no end */
    int packed;                /* lo and hi fit; else every version takes semver_req_matches */
} semver_range;

void semver_req_range(const semver_req *r, semver_range *out);

/* A release version's MAJOR.MINOR.PATCH packed, which orders release versions as
 * semver_precedence does; SEMVER_NO_KEY for a pre-release or a part that does not fit. */
#define SEMVER_NO_KEY UINT64_MAX

static inline uint64_t semver_key(const semver_version *v)
{
    if (v->pre_len || (v->major | v->minor | v->patch) >> SEMVER_PART_BITS)
        return SEMVER_NO_KEY;
    return v->major << (2 * SEMVER_PART_BITS) | v->minor << SEMVER_PART_BITS | v->patch;
}

/* semver_req_matches(g->req, v), where key is semver_key(v) (kept for many requirements). */
static inline int semver_range_matches_key(const semver_range *g, uint64_t key, const semver_version *v)
{
    if (!g->packed || key == SEMVER_NO_KEY)
        return semver_req_matches(g->req, v);
    return key >= g->lo && key < g->hi;
}

/* semver_req_matches(g->req, v), quicker for a release version. */
static inline int semver_range_matches(const semver_range *g, const semver_version *v)
{
    return semver_range_matches_key(g, semver_key(v), v);
}

/* The requirement as the semver crate displays it (e.g. "^1.2.3", ">=1.0, <2.0.0", "*").
 * Like snprintf, and so are the other *_format functions and semver_slot: writes at most size
 * bytes, NUL-terminated when size > 0, and returns the length of the whole text. */
size_t semver_req_format(const semver_req *r, char *buf, size_t size);
/* One comparator as the semver crate displays it ("^1.2.3-alpha", "2.*", "=1"). */
size_t semver_comparator_format(const semver_comparator *cmp, char *buf, size_t size);
/* A version as written: MAJOR.MINOR.PATCH[-PRE][+BUILD]. */
size_t semver_format(const semver_version *v, char *buf, size_t size);

/* Requirement equality as the semver crate's ==: the same comparators in the same order
 * (so "1.*", "1.x" and "1.*.*" are equal; "=1.*" equals "=1"). */
int semver_req_equal(const semver_req *a, const semver_req *b);

/* Cargo's compatibility slot of a version: versions in one slot are semver-compatible and cargo
 * allows one per slot in a graph. "1.x" for major >= 1, "0.minor" for 0.x with minor > 0, and
 * "0.0.patch" for 0.0.x. Written as e.g. "1", "0.3", "0.0.4". Pre-releases share their
 * version's slot. */
size_t semver_slot(const semver_version *v, char *buf, size_t size);
/* Do a and b lie in the same semver-compatible range (semver_slot equal), without formatting? */
int semver_same_slot(const semver_version *a, const semver_version *b);

#endif
