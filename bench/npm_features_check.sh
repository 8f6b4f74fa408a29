#!/usr/bin/env bash
# npm_features_check.sh: re-derives the npm answers stored in tests/data/npm with npm itself,
# offline: a loopback registry serving the shared packuments (../shared/peers/npm), then for
# every feature project `npm install --package-lock-only` in a scratch copy, compared byte for
# byte with the stored package-lock.json (or, for a stored refusal, the same exit code), and
# for every --resolve-peers conflict npm's lock of its pinned/package.json. Prints one line a
# project and "all_match=yes|NO". Needs npm 11 (11.19.1 made the stored locks).
set -u
HERE=$(cd "$(dirname "$0")" && pwd); DATA=$HERE/../tests/data/npm
SH=${VSOLVE_SHARED:-$(cd "$HERE/../.." && pwd)/shared}
T=$(mktemp -d /tmp/npm-features.XXXXXX)
python3 "$SH/peers/npm/registry_server.py" --tar "$SH/corpora/npm/packuments.tar.gz" --port 0 \
  --port-file "$T/port" --ttl 1800 --log "$T/server.log" &
SPID=$!
trap 'kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 600); do [ -s "$T/port" ] && break; sleep 0.1; done
REG="http://127.0.0.1:$(cat "$T/port")/"
printf 'registry=%s\naudit=false\nfund=false\nupdate-notifier=false\nomit-lockfile-registry-resolved=true\n' "$REG" >"$T/npmrc"
: >"$T/npmrc-global"
npm_lock() { # DIR [flags]: npm's lock-only install in DIR, exit code out
  local d=$1; shift
  (cd "$d" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --userconfig "$T/npmrc" \
     --globalconfig "$T/npmrc-global" --registry "$REG" --cache "$T/cache" --loglevel warn "$@") >"$d/npm.log" 2>&1
}
FAIL=0
check() { # NAME DIR(stored) [flags]
  local name=$1 src=$2; shift 2
  local w=$T/work/$name; rm -rf "$w"; mkdir -p "$w"
  (cd "$src" && tar --exclude='package-lock*.json' --exclude='npm-*.txt' --exclude=pinned -cf - .) | (cd "$w" && tar -xf -)
  npm_lock "$w" "$@"; local rc=$?
  if [ -f "$src/npm-exit.txt" ] && [ $# = 0 ]; then
    [ "$rc" = "$(cat "$src/npm-exit.txt")" ] && echo "$name: refused as stored (exit $rc)" || { echo "$name: exit $rc, stored $(cat "$src/npm-exit.txt")"; FAIL=1; }
    return
  fi
  local want=$src/package-lock.json
  case " $* " in *" --legacy-peer-deps "*) want=$src/package-lock.legacy.json;; *" --force "*) want=$src/package-lock.force.json;; esac
  if [ "$rc" = 0 ] && cmp -s "$w/package-lock.json" "$want"; then echo "$name $*: identical"; else echo "$name $*: exit $rc, DIFFERS"; FAIL=1; fi
}
for d in "$DATA"/*/; do
  n=$(basename "$d"); [ "$n" = resolve-peers ] && continue
  [ -f "$d/package.json" ] || continue
  if [ -f "$d/package-lock.json" ] || [ -f "$d/npm-exit.txt" ]; then check "$n" "$d"; fi
  [ -f "$d/package-lock.legacy.json" ] && check "$n" "$d" --legacy-peer-deps
  [ -f "$d/package-lock.force.json" ] && check "$n" "$d" --force
done
for d in "$DATA"/resolve-peers/*/; do
  n=$(basename "$d")
  check "resolve-peers/$n" "$d"
  [ -d "$d/pinned" ] && check "resolve-peers/$n/pinned" "$d/pinned"
done
echo "all_match=$([ $FAIL = 0 ] && echo yes || echo NO)"
exit $FAIL
