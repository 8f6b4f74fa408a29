#!/bin/sh
# pkgconfig.sh BUILD_DIR CC PKG_CONFIG [EXTRA_CFLAGS]: installs the build into a temporary
# prefix, then builds tests/install/app.c with `cc app.c $(pkg-config --cflags --libs vsolve)`
# alone and runs it on a small repository. EXTRA_CFLAGS: the sanitizer flags of an ASan build
# (its libvsolve needs the sanitizer runtime first in the program).
set -eu
build=$1 cc=$2 pkgconfig=$3 extra=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/vsolve-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name vsolve.pc)
[ -n "$pc" ] || { echo "no vsolve.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$("$pkgconfig" --cflags --libs vsolve)
echo "pkg-config --cflags --libs vsolve: $flags"
# shellcheck disable=SC2086
"$cc" $extra "$here/app.c" -o "$tmp/app" $flags
mkdir -p "$tmp/repo/packages/app/app.1.0" "$tmp/repo/packages/lib/lib.2.0"
printf 'opam-version: "2.0"\ndepends: [ "lib" ]\n' >"$tmp/repo/packages/app/app.1.0/opam"
printf 'opam-version: "2.0"\n' >"$tmp/repo/packages/lib/lib.2.0/opam"
libdir=$("$pkgconfig" --variable=libdir vsolve)
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/app" "$tmp/repo")
[ "$out" = "app.1.0
lib.2.0" ] || { echo "unexpected output: $out"; exit 1; }
echo "ok: built and ran through pkg-config from $tmp/prefix"
