#!/usr/bin/env python3
"""bench/startup_bench.py: the fixed cost of a vsolve process, two binaries side by side.

Runs, alternating OLD and NEW run by run, `vsolve --version`, a warm npm solve (express-api from
its registry image), a warm cargo solve (the synthetic cli-tool project from its index image) and
a warm opam solve (corpora/mirage-mini from its cache), and prints per case and binary the median
wall time and the median CPU time (user + system, from the children's rusage) of the whole
process, with the load average; /bin/true's medians for reference. Each binary gets its own cache directory under WORK, filled once
before timing. Outputs are compared: the two binaries must print the same thing.

    python3 bench/startup_bench.py --old OLD/vsolve --new build/vsolve [--runs 30]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPORA = os.environ.get("VSOLVE_CORPORA", os.path.join(REPO, "..", "shared", "corpora"))
WORK = os.environ.get("VSOLVE_BENCH_DIR", "/tmp/vsolve-bench/startup")

sys.path.insert(0, HERE)
from cargo_bench import unpack  # noqa: E402  (one .tar.gz unpacked once, as the cargo bench does)


def run(cmd, env):
    """Wall and CPU seconds of one run, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.decode()[:300]))
    return wall, cpu, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    npm_reg = unpack(os.path.join(CORPORA, "npm", "packuments.tar.gz"), os.path.join(WORK, "npm-registry"))
    syn = unpack(os.path.join(CORPORA, "cargo-synthetic-index.tar.gz"), os.path.join(WORK, "cargo-synthetic"))
    cargo_ix = os.path.join(syn, "index")
    cases = [
        ("--version", [], ["--version"]),
        ("npm express-api, image", ["--ecosystem", "npm", "--registry", npm_reg, "index"],
         ["--ecosystem", "npm", "--registry", npm_reg, "solve", "--manifest",
          os.path.join(CORPORA, "npm", "projects", "express-api", "package.json")]),
        ("cargo cli-tool, image", ["--ecosystem", "cargo", "--index", cargo_ix, "index"],
         ["--ecosystem", "cargo", "--index", cargo_ix, "solve", "--manifest",
          os.path.join(syn, "projects", "cli-tool", "Cargo.toml")]),
        ("opam mirage-mini, cache", [],
         ["--ecosystem", "opam", "--repo", os.path.join(REPO, "corpora", "mirage-mini"), "solve",
          "mirage-unikernel-hello"]),
    ]
    bins = [("old", args.old), ("new", args.new)]
    envs = {}
    for label, b in bins:
        cache = os.path.join(WORK, "cache-" + label)
        shutil.rmtree(cache, ignore_errors=True)
        envs[label] = dict(os.environ, VSOLVE_CACHE_DIR=cache)
        for _, setup, cmd in cases:
            if setup:
                run([b] + setup, envs[label])
            run([b] + cmd, envs[label])   # fills the cache where the solve writes one
    print("| case | old wall (ms) | new wall (ms) | old/new | old CPU (ms) | new CPU (ms) |")
    print("|---|---|---|---|---|---|")
    for name, _, cmd in cases:
        wall = {"old": [], "new": []}
        cpu = {"old": [], "new": []}
        outs = {}
        for _ in range(args.runs):
            for label, b in bins:
                w, c, out = run([b] + cmd, envs[label])
                wall[label].append(w * 1e3)
                cpu[label].append(c * 1e3)
                outs[label] = out
        same = "" if outs["old"] == outs["new"] else " (OUTPUTS DIFFER)"
        mo, mn = statistics.median(wall["old"]), statistics.median(wall["new"])
        print("| %s%s | %.2f | %.2f | %.2f | %.2f | %.2f |" % (name, same, mo, mn, mo / mn,
                                                          statistics.median(cpu["old"]),
                                                          statistics.median(cpu["new"])))
    true = [run(["/bin/true"], None)[:2] for _ in range(args.runs)]
    print("| /bin/true (reference) | | %.2f | | | %.2f |" % (statistics.median(w * 1e3 for w, _ in true),
                                                       statistics.median(c * 1e3 for _, c in true)))
    print("\n%d runs per case and binary, alternating; %s UTC; load %s" % (
        args.runs, time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        " ".join("%.2f" % x for x in os.getloadavg())))


if __name__ == "__main__":
    main()
