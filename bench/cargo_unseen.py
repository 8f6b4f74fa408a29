#!/usr/bin/env python3
"""bench/cargo_unseen.py: vsolve's Cargo.lock against cargo's on projects nobody wrote by hand.

Picks SAMPLE crates of the 2019 crates index at random (a fixed seed: the same crates on every
machine), makes for each a project whose only dependency is `NAME = "*"`, and locks it three
ways: `cargo generate-lockfile` (cargo 1.95 against the loopback sparse registry of
bench/cargo_bench.py), vsolve, and vsolve --no-fast-path (the whole problem and the SAT
solver). Prints how many locks are byte-identical to cargo's, and the crates where they are not.
This is a correctness check, not a timing: the shared projects were written by hand, these were
not.

    python3 bench/cargo_unseen.py [--vsolve PATH] [--sample 360] [--seed 7] [--keep DIR] [--only A,B]
                                  [--with 'CRATE = "REQ"'] [--only-file FILE]

--keep DIR writes, for each crate whose locks differ, DIR/NAME.cargo.lock, DIR/NAME.vsolve.lock and
DIR/NAME.no-fast-path.lock (a lock vsolve refused is not written); --only A,B locks just those
crates (the sample is not drawn), --only-file FILE those named in FILE (one a line). --with adds a
second dependency line to every project (say `rusqlite = "0.16"` beside crates that need another
libsqlite3-sys: the `links` clashes cargo backs off from).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cargo_bench as cb  # noqa: E402  (the registry, the index unpacking, the cargo home)


def crate_files(index):
    """Every crate file of the index, sorted (the layout's folders, not config.json or .git)."""
    out = []
    for d, dirs, files in os.walk(index):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        out.extend(os.path.join(d, f) for f in files if f != "config.json" and not f.startswith("."))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vsolve", default=os.path.join(cb.REPO, "build", "vsolve"))
    ap.add_argument("--sample", type=int, default=360)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", help="a folder for the locks of the crates that differ")
    ap.add_argument("--only", help="comma-separated crate names instead of the random sample")
    ap.add_argument("--only-file", help="a file of crate names (one a line) instead of the random sample")
    ap.add_argument("--with", dest="extra", help="a dependency line added to every project")
    args = ap.parse_args()
    cargo = shutil.which("cargo")
    if not cargo:
        sys.exit("cargo not found (see ../shared/peers)")
    index = cb.index_root(cb.unpack(os.path.join(cb.CORPORA, "crates-io-index-2019-11-10.tar.gz"),
                                    os.path.join(cb.WORK, "real-index")))
    if args.only:
        names = args.only.split(",")
    elif args.only_file:
        names = [x.strip() for x in open(args.only_file) if x.strip()]
    else:
        names = [os.path.basename(p) for p in random.Random(args.seed).sample(crate_files(index), args.sample)]
    os.makedirs(cb.WORK, exist_ok=True)
    cache = tempfile.mkdtemp(prefix="unseen-cache-", dir=cb.WORK)
    venv = dict(os.environ, VSOLVE_CACHE_DIR=cache)
    p = subprocess.run([args.vsolve, "--ecosystem", "cargo", "--index", index, "index"], env=venv,
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("vsolve index failed: %s" % p.stderr)
    reg = cb.Registry(os.path.realpath(index))
    rows = []
    try:
        for name in names:
            work = tempfile.mkdtemp(prefix="unseen-", dir=cb.WORK)
            os.makedirs(os.path.join(work, "src"))
            open(os.path.join(work, "src", "lib.rs"), "w").close()
            with open(os.path.join(work, "Cargo.toml"), "w") as f:
                f.write('[package]\nname = "unseen"\nversion = "0.1.0"\nedition = "2018"\n\n'
                        '[dependencies]\n"%s" = "*"\n%s' % (name, args.extra + "\n" if args.extra else ""))
            env = dict(os.environ, CARGO_HOME=cb.cargo_home(work, reg.port), CARGO_NET_OFFLINE="false")
            c = subprocess.run([cargo, "generate-lockfile"], env=env, cwd=work, capture_output=True, text=True)
            lock = open(os.path.join(work, "Cargo.lock")).read() if c.returncode == 0 else None
            got = []
            for extra in ([], ["--no-fast-path"]):
                v = subprocess.run([args.vsolve, "--ecosystem", "cargo", "--index", index, "solve", "--manifest",
                                    os.path.join(work, "Cargo.toml")] + extra, env=venv, capture_output=True, text=True)
                got.append(v.stdout if v.returncode == 0 else None)
            rows.append((name, lock, got[0], got[1]))
            shutil.rmtree(work, ignore_errors=True)
    finally:
        reg.stop()
        shutil.rmtree(cache, ignore_errors=True)
    resolved = [r for r in rows if r[1] is not None]
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for r in resolved:
            if r[2] == r[1] and r[3] == r[1]:
                continue
            for text, tag in ((r[1], "cargo"), (r[2], "vsolve"), (r[3], "no-fast-path")):
                if text is not None:
                    with open(os.path.join(args.keep, "%s.%s.lock" % (r[0], tag)), "w") as f:
                        f.write(text)
    refused = [r for r in rows if r[1] is None]
    print("crates: %d picked (%s) from %s%s" % (len(rows), "listed" if args.only or args.only_file else "seed %d" % args.seed,
                                             index, ", each with " + args.extra if args.extra else ""))
    print("cargo resolves %d, refuses %d" % (len(resolved), len(refused)))
    print("vsolve lock == cargo's: %d of %d" % (sum(r[2] == r[1] for r in resolved), len(resolved)))
    print("vsolve --no-fast-path lock == cargo's: %d of %d" % (sum(r[3] == r[1] for r in resolved), len(resolved)))
    print("refused by vsolve too: %d of %d (without the fast path: %d)" % (
        sum(r[2] is None for r in refused), len(refused), sum(r[3] is None for r in refused)))
    print("refused by cargo, answered by vsolve: %s" % (", ".join(r[0] for r in refused if r[2] is not None) or "none"))
    print("differ from cargo: %s" % (", ".join(r[0] for r in resolved if r[2] != r[1]) or "none"))
    print("differ from cargo without the fast path: %s" % (
        ", ".join(r[0] for r in resolved if r[3] != r[1]) or "none"))
    print("command: %s; vsolve %s" % (" ".join(sys.argv), args.vsolve))


if __name__ == "__main__":
    main()
