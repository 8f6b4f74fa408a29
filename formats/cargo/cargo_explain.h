/* cargo_explain.h: what cargo says about a root that cannot be resolved, in cargo's words where
 * vsolve's generic explanation would hide it: a requested feature that no matching version has,
 * and the dependency edge that makes two of the root's requirements clash. */
#ifndef VSOLVE_CARGO_EXPLAIN_H
#define VSOLVE_CARGO_EXPLAIN_H
#include <stddef.h>
#include "cargo_index.h"
#include "cargo_manifest.h"

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

#endif
