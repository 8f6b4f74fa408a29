#!/bin/sh
# dup_real.sh VSOLVE SHARED_DIR: the renaming on a real library from the shared download cache.
# No two versions of one dune-built library in ../shared/sources/download-cache build with
# OCaml 4.13.1 and dune 2.9.3 (see README, "Duplicate versions"), so this links two copies of
# integers 0.7.0 (the hardest shape there: (wrapped false), old-style (c_names ...), 59 C symbols,
# a sub-library integers.top), one renamed integers_v0_7_0, each used by its own library.
# Skips when the archive or the toolchain is missing (fails under CI=true).
set -eu
VSOLVE=$1
SHARED=$2
ARC=$SHARED/sources/download-cache/md5/20/201cf24143d7cb9a3921d572b6e6c42c
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { [ "${CI:-}" = true ] && fail "$1"; echo "SKIP: $1"; exit 0; }
[ -f "$ARC" ] || skip "integers 0.7.0 is not in $SHARED/sources/download-cache"
for tool in dune ocamlfind cc nm tar; do command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing"; done
W=$(mktemp -d /tmp/vsolve-dupreal.XXXXXX)
trap 'rm -rf "$W"' EXIT
D=$W/duniverse
mkdir -p "$D/integers" "$D/integers_v0_7_0" "$D/ua" "$D/ub" "$D/stdlib-shims"
tar -xzf "$ARC" -C "$D/integers" --strip-components=1 --no-same-owner
tar -xzf "$ARC" -C "$D/integers_v0_7_0" --strip-components=1 --no-same-owner
# stdlib-shims is empty on OCaml >= 4.07 (its archive is not in the cache)
printf '(lang dune 2.0)\n' >"$D/stdlib-shims/dune-project"
printf '(library (name stdlib_shims) (public_name stdlib-shims))\n' >"$D/stdlib-shims/dune"
: >"$D/stdlib-shims/stdlib_shims.ml"
: >"$D/stdlib-shims/stdlib-shims.opam"
for u in ua ub; do
    printf '(lang dune 2.9)\n' >"$D/$u/dune-project"
    : >"$D/$u/$u.opam"
    printf '(library (name %s) (public_name %s) (libraries integers))\n' $u $u >"$D/$u/dune"
    printf 'let v () = "%s: " ^ Unsigned.UInt8.(to_string (add (of_int 200) (of_int 100))) ^ " " ^ Unsigned.UInt64.(to_string max_int)\n' $u >"$D/$u/$u.ml"
done
printf '(vendored_dirs *)\n' >"$D/dune"
printf '(lang dune 2.9)\n' >"$W/dune-project"
printf '(executable (name main) (libraries ua ub))\n' >"$W/dune"
printf 'let () = print_endline (Ua.v ()); print_endline (Ub.v ())\n' >"$W/main.ml"
"$VSOLVE" dune-rename --copy-version 0.7.0 --dependent "$D/ub" "$D/integers_v0_7_0" >"$W/rename.out"
grep -q "library integers was (wrapped false): now wrapped" "$W/rename.out" || fail "$(cat "$W/rename.out")"
grep -q "library integers_top -> integers_top_v0_7_0 (public name integers.top -> integers_v0_7_0.top)" "$W/rename.out" \
    || fail "$(cat "$W/rename.out")"
(cd "$W" && dune build --root . ./main.exe 2>"$W/build.err") || fail "dune build: $(cat "$W/build.err")"
"$W/_build/default/main.exe" >"$W/run.out"
grep -qx "ua: 44 18446744073709551615" "$W/run.out" || fail "$(cat "$W/run.out")"
grep -qx "ub: 44 18446744073709551615" "$W/run.out" || fail "$(cat "$W/run.out")"
nm "$W/_build/default/main.exe" >"$W/nm.out"
grep -q " T integers_uint8_to_string$" "$W/nm.out" || fail "nm: the original copy's C symbols are missing"
grep -q " T integers_v0_7_0_integers_uint8_to_string$" "$W/nm.out" || fail "nm: the renamed copy's C symbols are missing"
echo "ok: two copies of integers 0.7.0 linked, both answer, both symbol sets present"
