#!/usr/bin/env python3
"""cold_bench.py: vsolve's cold opam path beside `gzip -dc` of the same snapshot, in one run.

For each shared opam snapshot, in turn (gzip, vsolve --no-cache, vsolve writing a new cache,
gzip, ...), RUNS times:

  gzip -dc SNAPSHOT.tar.gz > /dev/null
  vsolve --ecosystem opam --repo SNAPSHOT.tar.gz --no-cache solve COMPILER dune > /dev/null
  vsolve --ecosystem opam --repo SNAPSHOT.tar.gz --cache NEW solve COMPILER dune > /dev/null
      (NEW removed before each run: the first solve on a snapshot, which also writes the cache)

and prints the medians of wall and CPU (user + sys) time and the median of the run-by-run
ratios vsolve / gzip, then the largest run-by-run wall ratio of each binary, with the load
average before and after. The target (issue 14) is a
wall ratio of at most 1.5 for the --no-cache column. --vsolve may be given several times
(e.g. main's build and a branch's): each round then runs every binary, one row each, so
their ratios come from the same run.

    python3 bench/cold_bench.py [--vsolve build/vsolve ...] [--runs 7]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(argv):
    """(wall s, cpu s, rc) of one process, output to /dev/null."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    return wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vsolve", action="append", help="a vsolve binary; repeat to compare several in one run "
                    "(default build/vsolve)")
    ap.add_argument("--corpora", default=os.environ.get("VSOLVE_CORPORA",
                                                        os.path.join(os.path.dirname(REPO), "shared", "corpora")))
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    binaries = a.vsolve or [os.path.join(REPO, "build", "vsolve")]
    with open(os.path.join(a.corpora, "requests.json")) as fh:
        compiler = {q["snapshot"]: q["compiler"] for q in json.load(fh)}
    tmp = tempfile.mkdtemp(prefix="vsolve-cold-")
    print("vsolve %s, %d runs each, load before %s" % (", ".join(binaries), a.runs,
                                                       " ".join("%.2f" % x for x in os.getloadavg())))
    print()
    several = len(binaries) > 1
    worst = {}
    print("| snapshot%s | gzip -dc wall / cpu (s) | vsolve --no-cache wall / cpu (s) | ratio wall / cpu "
          "| vsolve writing the cache wall / cpu (s) | ratio wall / cpu |" % (" | vsolve" if several else ""))
    print("|---|---|---|---|---|---|%s" % ("---|" if several else ""))
    for snap in sorted(compiler):
        path = os.path.join(a.corpora, snap)
        cmds = {"gzip": ["gzip", "-dc", path]}
        for b, binary in enumerate(binaries):
            cache = os.path.join(tmp, "%s.%d.vcache" % (snap, b))
            cmds[("nocache", b)] = [binary, "--ecosystem", "opam", "--repo", path, "--no-cache", "solve",
                                    compiler[snap], "dune"]
            cmds[("cache", b)] = [binary, "--ecosystem", "opam", "--repo", path, "--cache", cache, "solve",
                                  compiler[snap], "dune"]
        runs = {k: [] for k in cmds}
        for i in range(a.runs + 1):   # the first round warms the page cache, not counted
            for k, argv in cmds.items():
                if k != "gzip" and k[0] == "cache" and os.path.exists(argv[5]):
                    os.unlink(argv[5])
                r = timed(argv)
                if r[2] != 0:
                    sys.exit("%s exited %d" % (" ".join(argv), r[2]))
                if i:
                    runs[k].append(r)
        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in runs.items()}

        def ratio(k, j):
            return statistics.median(runs[k][i][j] / runs["gzip"][i][j] for i in range(a.runs))

        for b, binary in enumerate(binaries):
            nc, c = ("nocache", b), ("cache", b)
            print("| %s%s | %.3f / %.3f | %.3f / %.3f | **%.2f** / %.2f | %.3f / %.3f | %.2f / %.2f |" % (
                snap.replace("opam-repository-", "").replace(".tar.gz", ""), " | " + binary if several else "",
                med["gzip"][0], med["gzip"][1], med[nc][0], med[nc][1], ratio(nc, 0), ratio(nc, 1),
                med[c][0], med[c][1], ratio(c, 0), ratio(c, 1)))
            worst[(snap, binary)] = max(runs[k][i][0] / runs["gzip"][i][0] for k in (nc, c) for i in range(a.runs))
    print()
    for (snap, binary), w in worst.items():   # the target holds run after run, not only in the median
        print("largest run-by-run wall ratio (both vsolve columns): %s%s %.2f" % (
            snap.replace("opam-repository-", "").replace(".tar.gz", ""), " " + binary if several else "", w))
    print("load after %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
