#!/bin/sh
# make-archives.sh: rebuilds archives/*.tar.gz from src/ byte for byte (sorted names, fixed
# times and owners, gzip without a timestamp) and prints the sha256 the opam files of repo/ name.
set -eu
cd "$(dirname "$0")"
mkdir -p archives
for d in src/*/; do
    d=${d%/}; b=${d#src/}
    tar --sort=name --mtime='2026-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner \
        --format=gnu -C src -cf - "$b" | gzip -n -9 > "archives/$b.tar.gz"
    echo "$(sha256sum "archives/$b.tar.gz" | cut -d' ' -f1)  $b.tar.gz"
done
