/* cargo_explain.h: what cargo says about a root that cannot be resolved, in cargo's words where
 * vsolve's generic explanation would hide it: a requested feature that no matching version has,
 * and the dependency edge that makes two of the root's requirements clash; and the refusal that
 * the root's pins prove, without the whole problem. */
#ifndef VSOLVE_CARGO_EXPLAIN_H
#define VSOLVE_CARGO_EXPLAIN_H
#include <stddef.h>
#include "cargo_index.h"
#include "cargo_manifest.h"
#include "cargo_pins.h"

/* A root dependency asks for a feature that none of the versions matching its requirement has:
 * cargo's error text for it (without cargo's "error: " prefix) in buf, its length returned;
 * 0 when there is none (or the index cannot be read: the generic explanation stands). root_dir
 * names the package's directory as cargo does ("name vX (DIR)"). */
size_t cargo_missing_feature_report(cargo_index *ix, const cargo_manifest *root, const char *root_dir, char *buf,
                                    size_t size);

/* Two root dependencies A (crate X) and B (crate Y) clash when every version B allows depends on
 * X with a requirement that none of A's versions meets and whose versions share a
 * semver-compatible range with A's (one version per range): "Why:" lines naming those edges
 * (e.g. serde_json 1.0.40 and 1.0.41 need serde ^1.0.60) in buf, length returned; 0: none. */
size_t cargo_clash_report(cargo_index *ix, const cargo_manifest *root, char *buf, size_t size);

/* The refusal that pins p prove (p->contradiction: two of the root's dependencies pin one
 * `links` value to versions that share none), in the words of explain.c's generic explanation:
 * `atom` (a request atom the root's every version must meet, as "DESC (NAME VERSION)") cannot
 * be met, as these two dependencies cannot hold together, and why. In buf, its length
 * returned; 0 when the two pins come from one dependency (the generic explanation stands). */
size_t cargo_pins_report(cargo_index *ix, const cargo_manifest *root, const cargo_pins *p, const char *atom, char *buf,
                         size_t size);

#endif
