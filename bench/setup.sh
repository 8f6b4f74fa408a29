#!/usr/bin/env bash
# bench/setup.sh: installs the reference solvers and prepares everything bench/run.py needs.
#
#   bash bench/setup.sh            (idempotent; a second run only checks, in a few seconds)
#
# Under $VSOLVE_BENCH_WORK (default /tmp/vsolve-bench) it makes:
#   build/vsolve                   vsolve, Release build of this checkout
#   bin/cudf_libsolv               bench/cudf_libsolv.c: libsolv's CUDF reader + solver
#   cudf/<id>[.trimmed].cudf       the shared CUDF dumps, decompressed (solvers read them plain)
#   src/<date>/opam-repository     the two opam snapshots, unpacked (for the 0install converter)
#   opam/<date>                    an OPAMROOT per snapshot: offline local-path repository
#                                  "default", one empty switch "empty"
#   feeds/<date>                   0install feeds made by bench/opam2feeds.py
#   xdg/                           0install's XDG config/cache/data, kept out of $HOME
# Environment: VSOLVE_CORPORA (default ../shared/corpora beside the checkout),
#              VSOLVE_BENCH_SKIP_APT=1 to skip the Debian package step.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${VSOLVE_BENCH_WORK:-/tmp/vsolve-bench}
corpora=${VSOLVE_CORPORA:-$(cd "$repo/../shared/corpora" 2>/dev/null && pwd || echo /work/shared/corpora)}
snapshots=(2022-10-09 2026-08-22)

say() { printf '== %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }

[ -f "$corpora/requests.json" ] || die "no corpora at $corpora (set VSOLVE_CORPORA)"
mkdir -p "$work"/{bin,cudf,src,opam,feeds,xdg,logs,cache,results}

# --- 1. Debian packages ---------------------------------------------------------------------------
# Peers: opam 2.1.2 (its builtin mccs+glpk solver), mccs, aspcud, libsolv (+ the libsolvext CUDF
# reader and headers), 0install-core; tools: hyperfine (manual re-timing), time (/usr/bin/time for
# peak RSS), rsync (opam init copies a local repository with it); vsolve's own build dependencies.
pkgs=(opam mccs aspcud libsolv-tools libsolvext-dev libsolv-dev 0install-core hyperfine python3
      time rsync gcc make cmake pkg-config libcryptominisat5-dev zlib1g-dev libdeflate-dev libyaml-dev check)
if [ "${VSOLVE_BENCH_SKIP_APT:-0}" != 1 ]; then
    missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "apt-get install ${missing[*]}"
        sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
        $sudo_ apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >"$work/logs/apt.log" 2>&1 \
            || { tail -20 "$work/logs/apt.log" >&2; die "apt-get install failed"; }
    else
        say "Debian packages present"
    fi
fi

# --- 2. vsolve ------------------------------------------------------------------------------------
say "building vsolve (Release) in $work/build"
cmake -S "$repo" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >"$work/logs/cmake.log" 2>&1 \
    || { tail -20 "$work/logs/cmake.log" >&2; die "cmake configure failed"; }
cmake --build "$work/build" -j2 --target vsolve_cli >>"$work/logs/cmake.log" 2>&1 \
    || { tail -30 "$work/logs/cmake.log" >&2; die "vsolve build failed"; }
[ -x "$work/build/vsolve" ] || die "no $work/build/vsolve after the build"
# what the binary was built from (read-only git queries), reported with the results by run.py
{
    echo "commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "$(git -C "$repo" --no-optional-locks status --porcelain --untracked-files=no -- . ':(exclude)bench' 2>/dev/null)" ]; then
        echo "uncommitted changes: yes (outside bench/)"
    else
        echo "uncommitted changes: no"
    fi
    echo "built $(date -Iseconds)"
} >"$work/build/vsolve.source"

# --- 3. the libsolv CUDF driver ------------------------------------------------------------------
if [ ! -x "$work/bin/cudf_libsolv" ] || [ "$here/cudf_libsolv.c" -nt "$work/bin/cudf_libsolv" ]; then
    say "building bin/cudf_libsolv"
    gcc -std=c11 -O2 -Wall -Wextra -o "$work/bin/cudf_libsolv" "$here/cudf_libsolv.c" -lsolvext -lsolv \
        || die "cudf_libsolv build failed"
fi

# --- 4. CUDF files, decompressed once (not part of any timing) ------------------------------------
n=0
for gz in "$corpora"/cudf/*.cudf.gz; do
    out="$work/cudf/$(basename "$gz" .gz)"
    if [ ! -s "$out" ] || [ "$gz" -nt "$out" ]; then
        gzip -dc "$gz" >"$out.tmp" && mv "$out.tmp" "$out"; n=$((n + 1))
    fi
done
say "CUDF files ready in $work/cudf ($n decompressed now)"

# --- 5. unpacked snapshots ------------------------------------------------------------------------
for d in "${snapshots[@]}"; do
    src="$work/src/$d"
    if [ ! -f "$src/opam-repository/repo" ]; then
        say "unpacking opam-repository-$d"
        rm -rf "$src"; mkdir -p "$src"
        tar -xzf "$corpora/opam-repository-$d.tar.gz" -C "$src"
        [ -f "$src/opam-repository/repo" ] || die "opam-repository-$d.tar.gz has no opam-repository/repo"
    fi
done

# --- 6. offline opam roots ------------------------------------------------------------------------
# opam init on the unpacked snapshot as a local-path repository (no network is touched: opam copies
# the directory), no shell setup, no sandbox; then an empty switch with no compiler and no
# invariant, since every request names its compiler.
for d in "${snapshots[@]}"; do
    root="$work/opam/$d"
    if [ ! -f "$root/empty/.opam-switch/switch-config" ]; then
        say "opam init $root (takes ~30 s)"
        rm -rf "$root"
        (
            export OPAMROOT="$root" OPAMYES=1 OPAMNODEPEXTS=1 OPAMCOLOR=never OPAMUTF8=never \
                   OPAMNOENVNOTICE=1 OPAMROOTISOK=1
            opam init --bare --no-setup --disable-sandboxing default "$work/src/$d/opam-repository" \
                >"$work/logs/opam-init-$d.log" 2>&1
            opam switch create empty --empty >>"$work/logs/opam-init-$d.log" 2>&1
        ) || { tail -20 "$work/logs/opam-init-$d.log" >&2; die "opam root for $d failed"; }
    fi
done
say "opam roots: $work/opam/{${snapshots[0]},${snapshots[1]}}"

# --- 7. 0install feeds ----------------------------------------------------------------------------
for d in "${snapshots[@]}"; do
    out="$work/feeds/$d"
    if [ ! -f "$out/index.json" ] || [ "$here/opam2feeds.py" -nt "$out/index.json" ]; then
        say "converting opam-repository-$d to 0install feeds"
        rm -rf "$out"
        python3 "$here/opam2feeds.py" convert "$work/src/$d/opam-repository" "$out" \
            >"$work/logs/feeds-$d.log" 2>&1 || { tail -20 "$work/logs/feeds-$d.log" >&2; die "feed conversion failed"; }
        tail -1 "$work/logs/feeds-$d.log"
    fi
done
say "0install feeds: $work/feeds/{${snapshots[0]},${snapshots[1]}}"

say "ready; now: python3 bench/run.py"
