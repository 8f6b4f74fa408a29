#!/usr/bin/env bash
# e2e_backends.sh: the backends end to end on real sources, offline: pull -> dune build -> run;
# nix-preseed -> nix-build (sandbox on, no substituters, no IFD) -> run -> nix-build --check;
# and the refusals (bytes that do not match, truncated archive, missing source), pull and Nix.
# Usage: e2e_backends.sh VSOLVE_BINARY SOURCE_DIR. Shared data: $VSOLVE_SOURCES, default
# SOURCE_DIR/../shared/sources. Without the toolchain or the data: SKIP (a failure under CI=true).
set -euo pipefail
VSOLVE=$1
SRC=$(cd "$2" && pwd)
SOURCES=${VSOLVE_SOURCES:-$SRC/../shared/sources}
CACHE="$SOURCES/download-cache"

absent() {
    if [ "${CI:-}" = true ]; then echo "FAIL backends_e2e: $1 (CI must provide it)"; exit 1; fi
    echo "SKIP backends_e2e: $1"
    exit 0
}
[ -d "$CACHE" ] && [ -d "$SOURCES/debs" ] || absent "no shared sources at $SOURCES (set VSOLVE_SOURCES)"
for tool in dune ocamlfind ocamlopt nix-build nix-store dpkg-deb tar; do
    command -v "$tool" >/dev/null || absent "$tool is not installed (apt-get install ocaml-nox ocaml-dune ocaml-findlib nix-bin)"
done

W=$(mktemp -d /tmp/vsolve-e2e.XXXXXX)
trap 'chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"' EXIT
T0=$SECONDS
step() { echo "== $* (at $((SECONDS - T0)) s)"; }
fail() { echo "FAIL: $*"; exit 1; }
export VSOLVE_CACHE_DIR="$W/vsolve-cache" OPAMROOT="$W/no-opam-root"

step "the provided libraries: Debian's packages unpacked, not installed"
for deb in "$SOURCES"/debs/*.deb; do dpkg-deb -x "$deb" "$W/root"; done
export OCAMLPATH="$W/root/usr/lib/ocaml"

cp -R "$SRC/corpora/dnsmini" "$W/proj"
LOCK="$W/proj/dnsmini.lock.json"
EXPECTED="$SRC/corpora/dnsmini/expected-output.txt"

# The lock's package set against the repository it claims (vsolve's independent checker); a lock
# edited to a version the repository lacks is refused. (With `vsolve lock`, `--lock EDITED`
# should refuse it too: not tested here, the command is written in parallel.)
CORPORA=${VSOLVE_CORPORA:-$SRC/../shared/corpora}
REPO22="$CORPORA/opam-repository-2022-10-09.tar.gz"
lock_solution() {   # the name.version of every non-root package, one a line
    tr -d '\n' < "$1" | grep -o '"name": *"[^"]*", *"version": *"[^"]*", *"mode": *"[^"]*"' |
        grep -v '"mode": *"root"' | sed 's/"name": *"\([^"]*\)", *"version": *"\([^"]*\)".*/\1.\2/'
}
root_request() {    # the root's depends
    tr -d '\n ' < "$1" | grep -o '"mode":"root","depends":\[[^]]*\]' | sed 's/.*\[//; s/\]//; s/"//g; s/,/ /g'
}
if [ -f "$REPO22" ]; then
    step "the lock against the 2022 repository (vsolve check)"
    lock_solution "$LOCK" > "$W/solution.txt"
    # shellcheck disable=SC2046
    "$VSOLVE" --ecosystem opam --repo "$REPO22" --env sys-ocaml-version=4.13.1 check --solution "$W/solution.txt" \
        $(root_request "$LOCK") || fail "the lock's packages do not satisfy the root's request"
    step "refusal: a lock edited to a version the repository lacks"
    sed 's/^lwt\.5\.6\.1$/lwt.5.6.99/' "$W/solution.txt" > "$W/edited.txt"
    grep -q '^lwt.5.6.99$' "$W/edited.txt" || fail "no lwt in the lock"
    st=0
    # shellcheck disable=SC2046
    "$VSOLVE" --ecosystem opam --repo "$REPO22" --env sys-ocaml-version=4.13.1 check --solution "$W/edited.txt" \
        $(root_request "$LOCK") 2> "$W/edited.err" || st=$?
    cat "$W/edited.err"
    [ "$st" = 1 ] && grep -q "lwt.5.6.99: no such package version in the repository" "$W/edited.err" \
        || fail "an edited lock was not refused"
elif [ "${CI:-}" = true ]; then
    fail "no corpus at $REPO22 (CI must have ../shared/corpora)"
else
    echo "SKIP the repository check: no corpus at $REPO22 (set VSOLVE_CORPORA)"
fi

step "vsolve pull"
"$VSOLVE" pull --download-cache "$CACHE" --format json "$LOCK" > "$W/pull.json"
cat "$W/pull.json"
grep -q '"ok": true' "$W/pull.json" || fail "pull"
grep -q '"fetched": 0' "$W/pull.json" || fail "pull fetched something although the cache has everything"
grep -q '(vendored_dirs \*)' "$W/proj/duniverse/dune" || fail "no duniverse/dune"

step "vsolve pull of the same lock as opam-monorepo's .opam.locked: the same duniverse"
mkdir "$W/locked"
cp "$SRC/corpora/dnsmini/dnsmini.opam.locked" "$W/locked/"
"$VSOLVE" pull --download-cache "$CACHE" "$W/locked/dnsmini.opam.locked"
diff -r "$W/proj/duniverse" "$W/locked/duniverse" > /dev/null || fail "the two locks give different duniverses"

step "dune build"
(cd "$W/proj" && dune build --root . --profile release @install 2>&1)
"$W/proj/_build/install/default/bin/dnsmini" > "$W/out-dune.txt"
diff -u "$EXPECTED" "$W/out-dune.txt" || fail "the dune-built program's output differs"

# Refusals of pull; each must leave the duniverse above as it was.
expect_refusal() {   # expect_refusal NAME STATUS PATTERN... -- ARGS...
    local name=$1 want=$2; shift 2
    local pats=()
    while [ "$1" != -- ]; do pats+=("$1"); shift; done
    shift
    local st=0
    "$VSOLVE" pull "$@" > "$W/refusal.out" 2> "$W/refusal.err" || st=$?
    cat "$W/refusal.err"
    [ "$st" = "$want" ] || fail "$name: exit $st, expected $want"
    for p in "${pats[@]}"; do grep -qF -- "$p" "$W/refusal.err" || fail "$name: the message lacks \"$p\""; done
    [ -f "$W/proj/duniverse/lwt/dune-project" ] || fail "$name: the previous duniverse was damaged"
    ! ls -A "$W/proj" | grep -q '^\.duniverse\.new' || fail "$name: a scratch duniverse was left behind"
}
RE_URL=https://github.com/ocaml/ocaml-re/releases/download/1.10.4/re-1.10.4.tbz
RE_SHA512=92b05cf92c389fa8c753f2acca837b15dd05a4a2e8e2bec7a269d2e14c35b1a786d394258376648f80b4b99250ba1900cfe68230b8385aeac153149d9ce56099
BAD_SHA512=00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000

step "refusal: a lock whose checksum the archive does not match"
sed "s/sha512=$RE_SHA512/sha512=$BAD_SHA512/" "$LOCK" > "$W/proj/bad-hash.lock.json"
expect_refusal "bad hash" 2 "checksum mismatch for re.1.10.4" "$RE_URL" "expected sha512=$BAD_SHA512" "actual   sha512=$RE_SHA512" \
    -- --download-cache "$CACHE" "$W/proj/bad-hash.lock.json"

step "refusal: a truncated archive in the download cache"
LWT_MD5=279024789a0ec84a9d97d98bad847f97
grep -q "md5=$LWT_MD5" "$LOCK" || fail "the lock's lwt checksum changed: update this test"
mkdir -p "$W/truncated/md5/27"
head -c 100000 "$CACHE/md5/27/$LWT_MD5" > "$W/truncated/md5/27/$LWT_MD5"
expect_refusal "truncated" 2 "checksum mismatch for lwt.5.6.1" "expected md5=$LWT_MD5" "nothing was unpacked" \
    -- --download-cache "$W/truncated" --download-cache "$CACHE" "$LOCK"

step "refusal: a source that is nowhere"
STRINGEXT_URL=https://github.com/rgrinberg/stringext/releases/download/1.6.0/stringext-1.6.0.tbz
sed -e "s|$STRINGEXT_URL|file://$W/nowhere/stringext-1.6.0.tbz|" -e 's/sha256=db41f5d5/sha256=00000000/' \
    -e 's/sha512=d8ebe40f/sha512=00000000/' "$LOCK" > "$W/proj/missing.lock.json"
expect_refusal "missing" 3 "missing source for stringext.1.6.0" "file://$W/nowhere/stringext-1.6.0.tbz" \
    -- --download-cache "$CACHE" "$W/proj/missing.lock.json"
rm -f "$W"/proj/*.lock.json.* "$W/proj/bad-hash.lock.json" "$W/proj/missing.lock.json"

step "pull over an existing duniverse, with MirageOS 4's cross dune-workspace (-t hvt: solo5)"
cp -R "$SRC/corpora/dnsmini" "$W/cross"
"$VSOLVE" pull --download-cache "$CACHE" "$W/cross/dnsmini.lock.json" > /dev/null
touch "$W/cross/duniverse/stale-from-the-previous-pull"
"$VSOLVE" pull --download-cache "$CACHE" --cross-toolchain solo5 "$W/cross/dnsmini.lock.json"
[ ! -e "$W/cross/duniverse/stale-from-the-previous-pull" ] || fail "the previous duniverse was not replaced"
[ -f "$W/cross/duniverse/lwt/dune-project" ] || fail "the new duniverse is incomplete"
# dune 2.9.3 reads the workspace and stops only at the missing solo5 toolchain (no ocaml-solo5 on Debian).
st=0
(cd "$W/cross" && dune build --root . ./duniverse/dune) > "$W/cross.log" 2>&1 || st=$?
cat "$W/cross.log"
[ "$st" != 0 ] && grep -q "ocamlfind toolchain solo5 isn't defined" "$W/cross.log" \
    || fail "dune did not accept the cross dune-workspace as expected"

NIXOPTS=(--option substituters '' --option sandbox true --option extra-sandbox-paths '/bin /lib /lib64 /usr'
         --option allow-import-from-derivation false)
step "vsolve nix-preseed"
"$VSOLVE" nix-preseed --download-cache "$CACHE" "$LOCK"

step "nix-build"
nix-build "$SRC/nix/build.nix" --arg lockFile "$LOCK" --arg src "$W/proj" --arg ocamlPath "$W/root/usr/lib/ocaml" \
    -o "$W/result" "${NIXOPTS[@]}" 2>&1 | tail -n 20
"$W/result/bin/dnsmini" > "$W/out-nix.txt"
diff -u "$EXPECTED" "$W/out-nix.txt" || fail "the Nix-built program's output differs"

step "nix-build --check (rebuilds and compares: deterministic)"
nix-build "$SRC/nix/build.nix" --arg lockFile "$LOCK" --arg src "$W/proj" --arg ocamlPath "$W/root/usr/lib/ocaml" \
    --no-out-link --check "${NIXOPTS[@]}" 2>&1 | tail -n 5

step "refusal in Nix: bytes that do not match the lock's hash"
mkdir -p "$W/served"
cp "$CACHE/sha512/92/$RE_SHA512" "$W/served/re-1.10.4.tbz"
sed -e "s|$RE_URL|file://$W/served/re-1.10.4.tbz|" -e "s/sha512=$RE_SHA512/sha512=$BAD_SHA512/" "$LOCK" > "$W/bad-nix.lock.json"
# The sandbox must see the served file: builtin:fetchurl reads it from inside.
st=0
nix-build "$SRC/nix/build.nix" --arg lockFile "$W/bad-nix.lock.json" --arg src "$W/proj" \
    --arg ocamlPath "$W/root/usr/lib/ocaml" --no-out-link "${NIXOPTS[@]}" \
    --option extra-sandbox-paths "/bin /lib /lib64 /usr $W/served" > "$W/nix-bad.log" 2>&1 || st=$?
cat "$W/nix-bad.log" | tail -n 6
[ "$st" != 0 ] || fail "nix-build accepted an archive whose hash does not match"
grep -q "hash mismatch in fixed-output derivation" "$W/nix-bad.log" || fail "Nix refused for another reason"

step "done"
echo "PASS backends_e2e in $((SECONDS - T0)) s"
