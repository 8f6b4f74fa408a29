#!/bin/sh
# release_cli.sh SOURCE_DIR WORK_DIR VSOLVE SHARED_DIR: the vsolve program of a Release build,
# the one users run, against this build's VSOLVE on the same inputs: the same output, exit code
# and error text. The Release program is a static PIE when the platform allows it
# (CMakeLists.txt, VSOLVE_STATIC_CLI); then it must have no shared object to load, and still
# open CryptoMiniSat with dlopen for the opam and CUDF solves, an explanation and a sweep of
# two threads. The corpus runs skip without ../shared (fail under CI=true).
set -eu
SRC=$1 WORK=$2 VSOLVE=$3 SHARED=$4
C=${VSOLVE_CORPORA:-$SHARED/corpora}
fail() { echo "FAIL: $*" >&2; exit 1; }
B=$WORK/release-cli
mkdir -p "$WORK"
cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DVSOLVE_TESTS=OFF >"$WORK/release-cli.configure.log" 2>&1 \
    || fail "configure: $(tail -20 "$WORK/release-cli.configure.log")"
cmake --build "$B" -j2 --target vsolve_cli >"$WORK/release-cli.build.log" 2>&1 \
    || fail "build: $(tail -20 "$WORK/release-cli.build.log")"
REL=$B/vsolve
if grep -q "the vsolve program: a static PIE" "$WORK/release-cli.configure.log"; then
    readelf -d "$REL" | grep -q NEEDED && fail "the static program needs shared objects: $(readelf -d "$REL" | grep NEEDED)"
    echo "the Release program is a static PIE"
else
    echo "the Release program is linked dynamically: $(grep "the vsolve program" "$WORK/release-cli.configure.log")"
fi
W=$(mktemp -d /tmp/vsolve-release.XXXXXX)
trap 'rm -rf "$W"' EXIT
n=0
# same NAME ARGS...: both programs on ARGS, each with its own cache directory (its name
# replaced by CACHE in the outputs, a sweep's time by T)
same() {
    name=$1
    shift
    VSOLVE_CACHE_DIR=$W/cache-test "$VSOLVE" "$@" >"$W/$name.test.out" 2>"$W/$name.test.err" && rt=0 || rt=$?
    VSOLVE_CACHE_DIR=$W/cache-rel "$REL" "$@" >"$W/$name.rel.out" 2>"$W/$name.rel.err" && rr=0 || rr=$?
    for f in "$W/$name".*; do   # the cache directories' names and a sweep's seconds apart
        sed -e "s|$W/cache-[a-z]*|CACHE|g" -e "s|checked in [0-9.]* s|checked in T s|" "$f" >"$f.n" && mv "$f.n" "$f"
    done
    [ "$rt" = "$rr" ] || fail "$name: exit $rt in this build, $rr in the Release build ($(head -3 "$W/$name.rel.err"))"
    cmp -s "$W/$name.test.out" "$W/$name.rel.out" || fail "$name: the outputs differ: $(diff "$W/$name.test.out" "$W/$name.rel.out" | head -10)"
    cmp -s "$W/$name.test.err" "$W/$name.rel.err" || fail "$name: the errors differ: $(diff "$W/$name.test.err" "$W/$name.rel.err" | head -10)"
    n=$((n + 1))
}
M=$SRC/corpora/mirage-mini
same opam-solve --ecosystem opam --repo "$M" solve mirage-unikernel-hello
grep -q "^mirage-unikernel-hello\." "$W/opam-solve.rel.out" || fail "opam-solve: $(head -5 "$W/opam-solve.rel.out")"
same opam-json --ecosystem opam --repo "$M" --format json solve mirage-unikernel-hello
same opam-refusal --ecosystem opam --repo "$M" solve mirage-unikernel-hello "ocaml=4.14.2" "mirage-crypto>=1.0"
grep -q "cannot hold together" "$W/opam-refusal.rel.err" || fail "opam-refusal: $(head -5 "$W/opam-refusal.rel.err")"
same opam-sweep --ecosystem opam --repo "$M" sweep --jobs 2
same version --version
if [ -f "$C/cargo-synthetic-index.tar.gz" ] && [ -f "$C/cudf/async-2022.trimmed.cudf.gz" ]; then
    same cudf --ecosystem cudf --repo "$C/cudf/async-2022.trimmed.cudf.gz" solve
    mkdir -p "$W/syn" && tar -xzf "$C/cargo-synthetic-index.tar.gz" -C "$W/syn"
    SIX=$(dirname "$(find "$W/syn" -name config.json -maxdepth 3 | head -1)")
    same cargo-index --ecosystem cargo --index "$SIX" index
    for p in "$W"/syn/projects/*/; do
        same "cargo-$(basename "$p")" --ecosystem cargo --index "$SIX" solve --manifest "$p/Cargo.toml"
    done
else
    [ "${CI:-}" = true ] && fail "no corpora in $C"
    echo "SKIP: the corpus runs (no $C; see corpora/README.md)"
fi
echo "ok: $n runs, the same in the Release build"
