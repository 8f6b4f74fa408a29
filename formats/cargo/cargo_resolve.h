/* cargo_resolve.h: a cargo resolution problem (root manifest + the index crates it can reach)
 * as a universe (with each crate version's source and checksum as attributes) and request. */
#ifndef VSOLVE_CARGO_RESOLVE_H
#define VSOLVE_CARGO_RESOLVE_H
#include "request.h"
#include "solve.h"
#include "universe.h"
#include "cargo_index.h"
#include "cargo_manifest.h"
#include "cargo_pins.h"

typedef struct cargo_options {
    const char *const *features;   /* root features to enable (--features) */
    size_t n_features;
    int no_default_features;
    int all_features;              /* every root feature and optional dependency (what Cargo.lock covers) */
    const char *source_url;        /* the index's URL for the crates' source attribute; NULL: crates.io */
    const char *const *git_checkouts;  /* "URL=PATH": the local checkout of a git dependency's URL */
    size_t n_git_checkouts;
    int greedy;                    /* only cargo's first candidate of every requirement (see
                                      cargo_problem_build); for greedy_solve alone */
    const cargo_pins *pins;        /* greedy: versions in no solution (cargo_pins_dead) are never
                                      first candidates and are unavailable; NULL: none known */
    int root_only;                 /* no dependency is followed: the root's own nodes and the
                                      request alone (to carry a refusal proven without them) */
    int stop_at_clash;             /* greedy without pins: discovery stops at the first links
                                      clash (links_ways: the ways found until then) */
} cargo_options;

#define CARGO_CRATES_IO_INDEX "https://github.com/rust-lang/crates.io-index"

typedef struct cargo_node cargo_node;

typedef struct cargo_problem {
    arena mem;
    vs_universe u;
    vs_request req;
    const cargo_manifest *root;
    cargo_node **node_of_pkg;      /* universe package -> what it stands for */
    size_t index_files;            /* crate files read from the index */
    int greedy;                    /* built with first candidates only (opt->greedy, and the
                                      rule covers the package) */
    int greedy_gave_up;            /* greedy: the rule does not cover this project; the problem
                                      is incomplete: build it again without greedy */
    int links_clash;               /* greedy without pins: it stopped (greedy_gave_up) at two
                                      candidates declaring one `links` value, of these crates: */
    const char **links_crates;
    size_t n_links_crates;
    const char **links_ways;       /* and the crates that lead to them through the demands made */
    size_t n_links_ways;
    const cargo_version *clash_versions[2];   /* the two candidates (index versions) */
    size_t n_skipped;              /* matching versions left out: their index line cannot be read
                                      (at least 1 when any, 2 when another line than the first) */
    char skipped[512];             /* the first one's error (FILE:LINE:COL: what) */
} cargo_problem;

/* Builds the problem: the versions of every crate reachable from the root through requirements
 * that match them (normal and build dependencies, the root's dev-dependencies, all targets; an
 * optional dependency once a reachable feature enables it, the root's all), each crate version with a node per feature and per optional dependency, one slot
 * per semver-compatible range, one group per `links` value; yanked versions unavailable unless
 * locked; the versions of `locked` kept where possible. A matching version whose index line
 * cannot be read is left out, as cargo's index reader leaves it out (pb->n_skipped and
 * pb->skipped say so).
 *
 * With opt->greedy, for a plain package (no lock, workspace, path, git or patch dependency),
 * each requirement brings in only cargo's first candidate (the newest matching version, not
 * yanked, with resolver 3 and a rust-version not needing a newer Rust), and a clause lists no
 * provider when that candidate lacks a feature it asks: a problem only for greedy_solve
 * (greedy.h), whose answer, if it gives one, is the full problem's (the argument is at the top
 * of cargo_resolve.c). A requirement whose matching versions span semver-compatible ranges
 * brings them all in, as without greedy; one without such a candidate brings in none (a
 * clause of it lists no provider). Without opt->pins, where two demands brought in candidates
 * declaring one `links` value, the build stops once discovery is done, or at once with
 * opt->stop_at_clash (pb->links_clash, with greedy_gave_up). With opt->pins, a version the pins put in no solution is passed over like a
 * yanked one, and is unavailable where a spanning requirement brings it in. When the rule does
 * not fit (two equal matching versions) it sets pb->greedy_gave_up and returns VSOLVE_OK with
 * the problem incomplete: free it and build it without greedy. */
int  cargo_problem_build(cargo_problem *pb, cargo_index *ix, const cargo_manifest *root, const cargo_locked *locked,
                         size_t n_locked, const cargo_options *opt, vs_error *err);
void cargo_problem_free(cargo_problem *pb);

/* The order of crate versions in the universe: semver's (build metadata last), unparsable
 * versions first, by bytes. */
int cargo_version_order(const char *a, const char *b);

/* Reports the chosen crates that declare a rust-version newer than the root's (cargo does
 * not refuse them unless asked; with resolver 3 they are only chosen when nothing else fits):
 * "crates needing a newer Rust than 1.65: clap 4.5.9 (1.74), ...". Empty when none or when
 * the root declares no rust-version. Returns the length written. */
size_t cargo_rust_version_report(const cargo_problem *pb, const vs_solution *s, char *buf, size_t size);

/* Compares rust versions "1.65" / "1.70.0" numerically, part by part (missing parts are 0). */
int cargo_rust_version_cmp(const char *a, const char *b);

/* The owner of every package of the problem, for graph_build: a feature or optional-dependency
 * node's crate version; VS_NONE for crate versions. *out is malloc'd. VSOLVE_OK or VSOLVE_ENOMEM. */
int cargo_owner_map(const cargo_problem *pb, uint32_t **out);

#endif
