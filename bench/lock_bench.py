#!/usr/bin/env python3
"""bench/lock_bench.py: `vsolve lock` from the universe cache beside `vsolve solve` of the same
roots' requirements, on the lock test projects (tests/data/lock) and both snapshots.

    python3 bench/lock_bench.py [--vsolve build/vsolve] [--runs 11]

Each cell is the median wall time of the whole process (exec, cache read, solve(s), writing
both lock files with fsync for `lock`; printing for `solve`). The cache is written first with
`vsolve index`. `lock` solves the request at least twice when rule 3 (the provided set closed
downwards) grows the provided set; it prints how many packages it vendored and provided."""
import argparse, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
CORPORA = os.environ.get("VSOLVE_CORPORA", os.path.join(SRC, "..", "shared", "corpora"))
S2022 = os.path.join(CORPORA, "opam-repository-2022-10-09.tar.gz")
S2026 = os.path.join(CORPORA, "opam-repository-2026-08-22.tar.gz")
DATA = os.path.join(SRC, "tests", "data", "lock")

# (name, snapshot, env, lock arguments, the roots' requirements as solve atoms)
CASES = [
    ("dns-unikernel-2026", S2026, [], ["--auto-provide", os.path.join(DATA, "dns-2026", "dns-unikernel-monorepo.opam")],
     ["ocaml>=4.08.0", "dune>=3.0", "arp>=3.0.0", "arp<5.0.0", "dns-server>=6.0.0", "duration>=0.1.2", "ethernet>=3.0.0",
      "lwt>=5.6.0", "mirage-ptime>=5.0.0", "mirage-mtime>=5.0.0", "mirage-logs>=1.3.0", "mirage-net-unix>=2.3.0",
      "mirage-crypto-rng-mirage>=1.0.0", "mirage-runtime>=4.4.0", "mirage-sleep>=4.0.0", "tcpip>=7.0.0"]),
    ("web-2026", S2026, [], [os.path.join(DATA, "web-2026")],
     ["ocaml>=4.14.0", "dune>=3.0", "cohttp-lwt-unix", "paf-cohttp", "mirage-runtime>=4.4.0", "tcpip"]),
    ("dns-like-2022-system", S2022, ["--env", "sys-ocaml-version=4.13.1"],
     ["--provided-file", os.path.join(DATA, "dns-2022", "provided.txt"), os.path.join(DATA, "dns-2022")],
     ["ocaml>=4.08.0", "ocaml-system", "dune>=2.7", "lwt>=5.4.0", "re", "stringext", "ppx_sexp_conv", "sexplib0",
      "cmdliner", "fmt", "logs", "cstruct", "ipaddr", "domain-name", "duration"]),
]


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vsolve", default=os.path.join(SRC, "build", "vsolve"))
    ap.add_argument("--runs", type=int, default=11)
    a = ap.parse_args()
    out = tempfile.mkdtemp(prefix="vsolve-lock-bench-")
    print(f"load average {os.getloadavg()[0]:.2f}; {a.runs} runs; median wall ms\n")
    print("| project | solve, cache | lock, cache | lock / solve | lock's answer |")
    print("|---|---|---|---|---|")
    for name, snap, env, lock_args, atoms in CASES:
        base = [a.vsolve, "--ecosystem", "opam", "--repo", snap] + env
        subprocess.run(base + ["index"], check=True, stdout=subprocess.DEVNULL)
        solve = base + ["solve"] + atoms
        lock = base + ["lock"] + lock_args + ["-o", out]
        ts, tl, last = [], [], None
        for _ in range(a.runs):
            t, p = timed(solve)
            if p.returncode != 0:
                sys.exit(f"{name}: solve failed: {p.stderr}")
            ts.append(t)
            t, p = timed(lock)
            if p.returncode != 0:
                sys.exit(f"{name}: lock failed: {p.stderr}")
            tl.append(t)
            last = p.stdout.strip().splitlines()[-1]
        s, l = statistics.median(ts) * 1e3, statistics.median(tl) * 1e3
        answer = last.split(": ", 1)[1] if ": " in last else last
        print(f"| {name} | {s:.1f} | {l:.1f} | {l / s:.2f} | {answer} |")


if __name__ == "__main__":
    main()
