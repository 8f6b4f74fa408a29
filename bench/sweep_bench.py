#!/usr/bin/env python3
"""sweep_bench.py: `vsolve sweep` of two builds side by side (e.g. main's and a branch's
Release binaries) on the shared opam snapshots, from each build's own universe cache: wall and
CPU time per run, the ratio old/new, the load average, and whether the verdicts agree.

    python3 bench/sweep_bench.py --old OLD/vsolve --new build/vsolve [--runs N] [--jobs 2]

Runs go round-robin (old, new, old, new, ...) so that a burst of load from other sessions does
not land on one build only. Verdicts are compared package by package (name.version and the
status, from `--format json`; the wording of a reason may differ between builds). Prints a markdown table.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SNAPSHOTS = ["opam-repository-2022-10-09.tar.gz", "opam-repository-2026-08-22.tar.gz"]


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def timed(argv, out_path):
    """Runs argv with stdout to out_path; returns (wall s, cpu s, exit code)."""
    with open(out_path, "w") as out:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    return wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)


def verdicts(path):
    """name.version -> status, from sweep's JSON output (the packages not installable)."""
    with open(path) as f:
        doc = json.load(f)
    return {p["name"] + "." + p["version"]: p["status"] for p in doc["not_installable"]}, doc["totals"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--corpora", default=os.environ.get("VSOLVE_CORPORA", "../shared/corpora"))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--snapshots", default=",".join(SNAPSHOTS))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vsolve-sweep-bench-")
    rows = []
    for snap in a.snapshots.split(","):
        repo = os.path.join(a.corpora, snap)
        res = {}
        for tag, binary in (("old", a.old), ("new", a.new)):
            cache = os.path.join(work, f"{tag}-{snap}.vcache")
            subprocess.run([binary, "--ecosystem", "opam", "--repo", repo, "--cache", cache, "index"],
                           check=True, stdout=subprocess.DEVNULL)
            res[tag] = {"argv": [binary, "--ecosystem", "opam", "--repo", repo, "--cache", cache,
                                 "sweep", "--jobs", str(a.jobs), "--format", "json"], "wall": [], "cpu": [], "load": []}
        for i in range(a.runs):
            for tag in ("old", "new"):
                r = res[tag]
                r["load"].append(load())
                wall, cpu, rc = timed(r["argv"], os.path.join(work, f"{tag}-{snap}.out"))
                if rc != 0:
                    sys.exit(f"{tag} sweep of {snap} exited {rc}")
                r["wall"].append(wall)
                r["cpu"].append(cpu)
                print(f"{snap} {tag} run {i + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, load {r['load'][-1]}",
                      file=sys.stderr)
        same = verdicts(os.path.join(work, f"old-{snap}.out")) == verdicts(os.path.join(work, f"new-{snap}.out"))
        med = lambda xs: sorted(xs)[len(xs) // 2]
        rows.append((snap, med(res["old"]["wall"]), med(res["new"]["wall"]), med(res["old"]["cpu"]),
                     med(res["new"]["cpu"]), " ".join(res["old"]["load"] + res["new"]["load"]), same))
    print(f"`vsolve --ecosystem opam --repo SNAPSHOT --cache CACHE sweep --jobs {a.jobs} --format json`, "
          f"median of {a.runs} run(s), old = `{a.old}`, new = `{a.new}`\n")
    print("| snapshot | old wall s | new wall s | old/new wall | old CPU s | new CPU s | old/new CPU | load (1 min) at each run | same verdicts |")
    print("|---|---|---|---|---|---|---|---|---|")
    for snap, ow, nw, oc, nc, ld, same in rows:
        print(f"| {snap} | {ow:.1f} | {nw:.1f} | {ow / nw:.1f} | {oc:.1f} | {nc:.1f} | {oc / nc:.1f} | {ld} | {'yes' if same else 'NO'} |")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
