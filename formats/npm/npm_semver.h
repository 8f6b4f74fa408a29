/* npm_semver.h: node-semver's versions and ranges, as npm uses them (loose forms, x-ranges,
 * hyphen ranges, ~ ^, ||, the pre-release rule and includePrerelease). */
#ifndef VSOLVE_NPM_SEMVER_H
#define VSOLVE_NPM_SEMVER_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

typedef struct npm_options {
    int loose;                /* node-semver's {loose: true} */
    int include_prerelease;   /* {includePrerelease: true} */
} npm_options;

/* A version; prerelease identifiers are kept as one string (dot-separated), compared per
 * identifier (numeric ones numerically). Strings live in the arena given to the parser. */
typedef struct npm_version {
    uint64_t major, minor, patch;     /* each <= Number.MAX_SAFE_INTEGER */
    const char *pre;                  /* NULL when none; as SemVer.version shows it (a loose
                                         "007" identifier reads "7") */
    const char *build;                /* NULL when none */
} npm_version;

/* semver.valid / new SemVer: 0 on success, -1 if invalid (too long (> 256 chars), numbers over
 * MAX_SAFE_INTEGER, bad syntax; loose accepts a leading '=' or 'v' and spaces). */
int npm_version_parse(arena *a, const char *s, npm_options opt, npm_version *out);
/* The same for s[0..len), which may hold NUL bytes (a JSON string with \u0000). */
int npm_version_parse_n(arena *a, const char *s, size_t len, npm_options opt, npm_version *out);
/* compare: -1/0/1 (build metadata ignored); compareBuild adds build as a tiebreak. */
int npm_version_compare(const npm_version *a, const npm_version *b);
int npm_version_compare_build(const npm_version *a, const npm_version *b);
/* Canonical string "1.2.3-beta.1" (no build), as SemVer.version. */
size_t npm_version_format(const npm_version *v, char *buf, size_t size);

typedef enum npm_op { NPM_EQ, NPM_LT, NPM_LTE, NPM_GT, NPM_GTE, NPM_ANY } npm_op;
typedef struct npm_comparator {
    npm_op op;               /* NPM_ANY: matches every version (semver.ANY, "" / "*") */
    npm_version v;
} npm_comparator;

/* A range: a disjunction (||) of conjunctions of comparators, after desugaring ~ ^ x-ranges and
 * hyphen ranges exactly as node-semver's Range does. */
typedef struct npm_range {
    npm_comparator **sets;   /* sets[i][0..set_len[i]) */
    size_t *set_len;
    size_t n_sets;
    npm_options opt;
} npm_range;

/* Longer range texts are refused (-1) to bound the work per range; node-semver has no limit,
 * but no registry range comes near it. Parsing is linear in the length (times at most 256 where
 * a loose patch number is backtracked) and allocates a few times the length. */
#define NPM_RANGE_MAX_LENGTH 65536

/* new Range(text, opt): 0, or -1 if invalid (or longer than NPM_RANGE_MAX_LENGTH bytes, or out
 * of memory). */
int npm_range_parse(arena *a, const char *text, npm_options opt, npm_range *out);
/* The same for text[0..len), which may hold NUL bytes. */
int npm_range_parse_n(arena *a, const char *text, size_t len, npm_options opt, npm_range *out);
/* new Comparator(text, opt): 0, or -1 if invalid. "" is ANY. */
int npm_comparator_parse(arena *a, const char *text, npm_options opt, npm_comparator *out);
/* Comparator.value: "" for ANY, else the operator ("" for =) and the canonical version. */
size_t npm_comparator_format(const npm_comparator *c, char *buf, size_t size);
/* semver.satisfies(v, range): with the pre-release rule (a pre-release version matches only a
 * comparator set naming a pre-release of the same [major, minor, patch], unless
 * include_prerelease). */
int npm_range_test(const npm_range *r, const npm_version *v);
/* semver.validRange(text, opt) of the parsed text: the canonical range string ("*" for any),
 * written like snprintf (truncated to size, NUL-terminated when size > 0); returns its full
 * length. (An invalid text has no npm_range: npm_range_parse returned -1.) */
int npm_range_format(const npm_range *r, char *buf, size_t size);
/* gtr / ltr: the version is above / below every version the range allows. */
int npm_version_gt_range(const npm_version *v, const npm_range *r);
int npm_version_lt_range(const npm_version *v, const npm_range *r);
/* intersects(r1, r2) (with a's options) and Comparator.intersects. Like node-semver, the work
 * is quadratic: every pair of sets, every pair of comparators across them and within a set. */
int npm_range_intersects(const npm_range *a, const npm_range *b);
int npm_comparator_intersects(const npm_comparator *a, const npm_comparator *b, npm_options opt);

#endif
