#!/usr/bin/env bash
# compare_outputs.sh BINARY OUTDIR: runs every shared request and project through BINARY and
# stores each output (stdout, stderr, exit code) under OUTDIR, for `diff -r` against a baseline.
# opam: the 59 requests of requests.json on their snapshot (text and --format json), from a
# fresh cache; cudf: every dump; cargo: the 14 real + 7 synthetic projects; npm: the 5 projects.
# A refactoring keeps outputs: run it with the old and the new binary and `diff -r` the two.
set -u
BIN=$(readlink -f "$1"); OUT=$2
SH=${VSOLVE_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
C=$SH/corpora
mkdir -p "$OUT"/{opam,opam-json,cudf,cargo,npm}
W=$(mktemp -d /tmp/cmpout.XXXXXX)
run() { # name dir cmd...
  local name=$1 dir=$2; shift 2
  "$@" >"$dir/$name.out" 2>"$dir/$name.err"; echo $? >"$dir/$name.rc"
}
# opam
python3 - "$C/requests.json" >"$W/reqs.tsv" <<'PY'
import json,sys
for r in json.load(open(sys.argv[1])):
    print("\t".join([r["id"], r["snapshot"], r["compiler"]] + r["atoms"]))
PY
while IFS=$'\t' read -r id snap comp atoms; do
  IFS=$'\t' read -r -a arr <<<"$atoms"
  run "$id" "$OUT/opam" "$BIN" --ecosystem opam --repo "$C/$snap" --cache "$W/$snap.cache" solve "$comp" "${arr[@]}"
  run "$id" "$OUT/opam-json" "$BIN" --ecosystem opam --repo "$C/$snap" --cache "$W/$snap.cache" --format json solve "$comp" "${arr[@]}"
done <"$W/reqs.tsv"
# cudf
for f in "$C"/cudf/*.cudf.gz; do
  b=$(basename "$f" .cudf.gz)
  run "$b" "$OUT/cudf" "$BIN" --ecosystem cudf --repo "$f" solve
done
# cargo: real index
mkdir -p "$W/crates" && tar -xzf "$C/crates-io-index-2019-11-10.tar.gz" -C "$W/crates"
IX=$(dirname "$(find "$W/crates" -name config.json -maxdepth 3 | head -1)")
for p in "$C"/cargo-real-2019/*/; do
  n=$(basename "$p"); mkdir -p "$W/cargo/$n"; cp "$p/Cargo.toml" "$W/cargo/$n/"
  run "real-$n" "$OUT/cargo" "$BIN" --ecosystem cargo --index "$IX" solve --manifest "$W/cargo/$n/Cargo.toml"
done
mkdir -p "$W/syn" && tar -xzf "$C/cargo-synthetic-index.tar.gz" -C "$W/syn"
SIX=$(dirname "$(find "$W/syn" -name config.json -maxdepth 3 | head -1)")
for p in "$W"/syn/projects/*/; do
  n=$(basename "$p")
  run "syn-$n" "$OUT/cargo" "$BIN" --ecosystem cargo --index "$SIX" solve --manifest "$p/Cargo.toml"
done
# npm
mkdir -p "$W/npm" && tar -xzf "$C/npm/packuments.tar.gz" -C "$W/npm"
REG=$(dirname "$(find "$W/npm" -type d -name packuments | head -1)")
for p in "$C"/npm/projects/*/; do
  n=$(basename "$p"); mkdir -p "$W/np/$n"; cp "$p/package.json" "$W/np/$n/"
  run "$n" "$OUT/npm" "$BIN" --ecosystem npm --registry "$REG" solve --manifest "$W/np/$n/package.json"
done
rm -rf "$W"
# paths of the temporary directory differ between runs
grep -rl "/tmp/cmpout\." "$OUT" 2>/dev/null | xargs -r sed -i 's|/tmp/cmpout\.[A-Za-z0-9]*|TMP|g'
echo "outputs in $OUT: $(find "$OUT" -name '*.rc' | wc -l) runs"
