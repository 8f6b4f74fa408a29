#!/bin/sh
# dup_fixture.sh VSOLVE SOURCE_DIR: the duplicates fixture end to end, offline.
# stub 1.0 and 2.0 have the same module and C symbol names; left needs stub < 2.0, right
# stub >= 2.0, app links both. Checks: without --duplicates the request (and the lock) is refused
# naming stub; with it the answer and both lock files have both copies (1.0 as stub_v1_0, copy-of
# stub, used by left; opam reads the .opam.locked); the pull plan is read from the JSON lock; the archives come
# from a temporary download cache (checked against the opam files' sha256); the copy is
# renamed by `vsolve dune-rename`; dune build links both; the program prints both versions'
# answers; nm shows both copies' C symbols. Needs dune, ocamlfind, cc, nm (skips without them,
# fails under CI=true).
set -eu
VSOLVE=$1
SRC=$2
FIX=$SRC/corpora/dup-fixture
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dune ocamlfind cc nm tar sha256sum python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        [ "${CI:-}" = true ] && fail "$tool is missing"
        echo "SKIP: $tool is missing (apt-get install ocaml-nox ocaml-dune ocaml-findlib)"; exit 0
    fi
done
W=$(mktemp -d /tmp/vsolve-dup.XXXXXX)
trap 'rm -rf "$W"' EXIT

# 1. refused without --duplicates, with the reason
if "$VSOLVE" --ecosystem opam --repo "$FIX/repo" --no-cache solve app >"$W/single.out" 2>"$W/single.err"; then
    fail "the single-version request was accepted"
fi
grep -q "different versions of stub, and only one can be installed" "$W/single.err" || fail "no reason: $(cat "$W/single.err")"

# 2. with --duplicates: two copies in the answer and in both lock files
"$VSOLVE" --ecosystem opam --repo "$FIX/repo" --no-cache --format json solve --duplicates app >"$W/dup.json"
mkdir -p "$W/project/duniverse"
cp -r "$FIX/src/app-1.0/." "$W/project/"
if "$VSOLVE" --ecosystem opam --repo "$FIX/repo" --no-cache lock "$W/project" >"$W/lock1.out" 2>"$W/lock1.err"; then
    fail "lock without --duplicates was accepted"
fi
grep -q "different versions of stub" "$W/lock1.err" || fail "lock refusal: $(cat "$W/lock1.err")"
[ ! -e "$W/project/app.lock.json" ] || fail "a refused lock wrote a file"
"$VSOLVE" --ecosystem opam --repo "$FIX/repo" --no-cache lock --duplicates "$W/project" >"$W/lock.out"
grep -q '"stub_v1_0" {= "1.0" & ?vendor}' "$W/project/app.opam.locked" || fail "opam.locked: $(cat "$W/project/app.opam.locked")"
if command -v opam >/dev/null 2>&1; then   # opam itself reads the lock, offline
    OPAMROOT=/nonexistent-vsolve-opamroot opam show --just-file --raw -fdepends "$W/project/app.opam.locked" >"$W/opam-show.out" \
        || fail "opam cannot read the .opam.locked"
    grep -q "stub_v1_0" "$W/opam-show.out" || fail "opam show: $(cat "$W/opam-show.out")"
fi
python3 - "$W/dup.json" "$W/project/app.lock.json" "$W/plan" <<'PY'
import json, sys
sol = json.load(open(sys.argv[1]))
assert sol["status"] == "sat", sol
assert sol["duplicates"] == {"names": 1, "extra_copies": 1}, sol
stubs = {p["version"]: p for p in sol["packages"] if p["name"] == "stub"}
assert set(stubs) == {"1.0", "2.0"}, stubs
assert stubs["1.0"].get("copy") == "stub_v1_0" and stubs["1.0"]["used_by"] == ["left.1.0"], stubs
assert "copy" not in stubs["2.0"] and stubs["2.0"]["used_by"] == ["right.1.0"], stubs
lock = json.load(open(sys.argv[2]))
pk = {p["name"]: p for p in lock["packages"]}
assert pk["stub_v1_0"]["copy-of"] == "stub" and pk["stub_v1_0"]["version"] == "1.0", pk
assert pk["stub_v1_0"]["used-by"] == ["left"] and pk["stub"]["used-by"] == ["right"], pk
assert "copy-of" not in pk["stub"] and pk["stub"]["version"] == "2.0", pk
assert "stub_v1_0" in pk["left"]["depends"] and "stub" in pk["right"]["depends"], pk
# the pull plan, from the JSON lock: every source; the copies with the dirs of their users
with open(sys.argv[3], "w") as plan:
    for s in lock["sources"]:
        p = pk[s["packages"][0]]
        sha = [c for c in s["checksums"] if c.startswith("sha256=")][0][7:]
        users = " ".join(pk[u]["dir"] if pk[u]["mode"] == "vendored" else "." for u in p.get("used-by", []))
        plan.write(f'{p.get("copy-of", p["name"])} {p["version"]} {s["dir"]} {sha} {s["url"].rsplit("/", 1)[1]} {users}\n')
PY

# 3. a download cache in opam's layout, then the pull: verify, unpack, rename the copies
mkdir -p "$W/cache"
for a in "$FIX"/archives/*.tar.gz; do
    h=$(sha256sum "$a" | cut -d' ' -f1)
    mkdir -p "$W/cache/sha256/$(echo "$h" | cut -c1-2)"
    cp "$a" "$W/cache/sha256/$(echo "$h" | cut -c1-2)/$h"
done
printf '(vendored_dirs *)\n' >"$W/project/duniverse/dune"
while read -r name version dir sha file users; do
    arc="$W/cache/sha256/$(echo "$sha" | cut -c1-2)/$sha"
    [ -f "$arc" ] || fail "$name.$version: $file is not in the download cache"
    [ "$(sha256sum "$arc" | cut -d' ' -f1)" = "$sha" ] || fail "$name.$version: checksum mismatch"
    mkdir -p "$W/unpack/$dir"
    tar -xzf "$arc" -C "$W/unpack/$dir" --strip-components=1 --no-same-owner
    mv "$W/unpack/$dir" "$W/project/duniverse/$dir"
done <"$W/plan"
# the renaming step pull runs: every copy the JSON lock names, with the users it lists
"$VSOLVE" dune-rename --lock "$W/project/app.lock.json" -o "$W/project" >"$W/rename.out"
grep -q "library stub -> stub_v1_0" "$W/rename.out" || fail "rename report: $(cat "$W/rename.out")"
grep -q "C symbols renamed with prefix stub_v1_0_: stub_answer stub_counter stub_tag" "$W/rename.out" \
    || fail "C symbols: $(cat "$W/rename.out")"
grep -q "duniverse/left/dune: library: -open Stub_v1_0" "$W/rename.out" || fail "left not pointed at the copy: $(cat "$W/rename.out")"
if grep -q "duniverse/right/" "$W/rename.out"; then fail "right was rewritten: $(cat "$W/rename.out")"; fi

# 4. build, run, look at the symbols
(cd "$W/project" && dune build --root . ./app.exe 2>"$W/build.err") || fail "dune build: $(cat "$W/build.err")"
"$W/project/_build/default/app.exe" >"$W/run.out"
grep -qx "left sees stub 1.0 (C side 1.0) answers 21" "$W/run.out" || fail "left: $(cat "$W/run.out")"
grep -qx "right sees stub 2.0 (C side 2.0) answers 42" "$W/run.out" || fail "right: $(cat "$W/run.out")"
nm "$W/project/_build/default/app.exe" >"$W/nm.out"
for s in stub_answer stub_tag stub_counter stub_v1_0_stub_answer stub_v1_0_stub_tag stub_v1_0_stub_counter; do
    grep -q " [TDB] $s\$" "$W/nm.out" || fail "nm: no $s"
done
grep -q "camlStub_v1_0__Stub" "$W/nm.out" || fail "nm: the renamed copy's OCaml unit is missing"
# 5. the limit: types. A dependent re-exporting the duplicated library is reported before any
# build, and a program passing a value of one copy's type to the other fails naming the copy.
R=$W/types
mkdir -p "$R/duniverse"
cp -r "$FIX/src/stub-2.0" "$R/duniverse/stub"
cp -r "$FIX/src/stub-1.0" "$R/duniverse/stub_v1_0"
cp -r "$FIX/src/left-1.0" "$R/duniverse/left"
cp -r "$FIX/src/right-1.0" "$R/duniverse/right"
cp -r "$FIX/src/app-1.0/." "$R/"
printf '(vendored_dirs *)\n' >"$R/duniverse/dune"
for s in stub stub_v1_0; do printf 'type t = T of int\nlet make () = T (answer ())\nlet show (T n) = string_of_int n\n' >>"$R/duniverse/$s/src/stub.ml"; done
sed -i 's/(libraries stub)/(libraries (re_export stub))/' "$R/duniverse/left/dune"
printf 'let make = Stub.make\n' >>"$R/duniverse/left/left.ml"
printf 'let show = Stub.show\n' >>"$R/duniverse/right/right.ml"
printf 'let () = print_endline (Right.show (Left.make ()))\n' >"$R/app.ml"
"$VSOLVE" dune-rename --copy-version 1.0 --dependent "$R/duniverse/left" "$R/duniverse/stub_v1_0" >"$W/rename2.out"
grep -q "^warning: .*left/dune: a stanza re-exports stub, duplicated here" "$W/rename2.out" || fail "no re-export warning: $(cat "$W/rename2.out")"
grep -q "(re_export stub_v1_0)" "$R/duniverse/left/dune" || fail "re_export not renamed: $(cat "$R/duniverse/left/dune")"
if (cd "$R" && dune build --root . ./app.exe 2>"$W/build2.err"); then fail "values of two copies' types were exchanged"; fi
grep -q "Stub_v1_0" "$W/build2.err" || fail "the type error does not name the copy: $(cat "$W/build2.err")"

echo "ok: refused without --duplicates; two copies; renamed; built; both answers; both symbol sets; types: warned, error names the copy"
