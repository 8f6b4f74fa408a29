#!/usr/bin/env python3
"""dup_3sat.py: version selection with one version per name against --duplicates, on opam
repositories built from random 3-SAT (Cox, "Version SAT"): one package x<i> per variable with
versions 1 (false) and 2 (true); one package c<j> per clause with versions 1-3, version k
depending on the k-th literal (x<i> {= "2"} or {= "1"}); root.1 depends on every c<j>.
One version per name makes the request satisfiable exactly when the formula is; with
duplicates every request is satisfiable (both versions of an x may be installed).

    python3 bench/dup_3sat.py [--vsolve build/vsolve] [--sizes 25,50,...] [--ratio 4.26]
                              [--seeds 3] [--timeout 60]

Prints a Markdown table: per size, the median CPU time (user + sys, seconds) of `solve` (single version), `solve
--duplicates` (single version first, then the fewest duplicated names: exact, so as hard) and
`solve --duplicates=fast` (propagation only), and how many instances were satisfiable."""
import argparse, os, random, resource, shutil, statistics, subprocess, sys, tempfile

def make_repo(path, n, m, seed):
    rng = random.Random(seed)
    pk = os.path.join(path, "packages")
    def put(name, version, body):
        d = os.path.join(pk, name, f"{name}.{version}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "opam"), "w") as f:
            f.write('opam-version: "2.0"\n' + body)
    for i in range(n):
        put(f"x{i}", "1", "")
        put(f"x{i}", "2", "")
    for j in range(m):
        vs = rng.sample(range(n), 3)
        for k, v in enumerate(vs):
            val = "2" if rng.random() < 0.5 else "1"
            put(f"c{j}", str(k + 1), f'depends: [ "x{v}" {{= "{val}"}} ]\n')
    put("root", "1", "depends: [ " + " ".join(f'"c{j}"' for j in range(m)) + " ]\n")
    with open(os.path.join(path, "repo"), "w") as f:
        f.write('opam-version: "2.0"\n')

def timed(cmd, timeout):
    """CPU seconds (user + sys) of the command, steadier than wall time on a shared machine;
    None when it runs longer than timeout (wall)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), p.returncode

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vsolve", default="build/vsolve")
    ap.add_argument("--sizes", default="25,50,100,150,200,250,300")
    ap.add_argument("--ratio", type=float, default=4.26)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--fast-only", default="", help="sizes run with --duplicates=fast only")
    a = ap.parse_args()
    modes = [("single", []), ("--duplicates", ["--duplicates"]), ("--duplicates=fast", ["--duplicates=fast"])]
    print(f"| variables | clauses | packages | sat (single) | " + " | ".join(f"{name} (CPU s)" for name, _ in modes) + " |")
    print("|---:|---:|---:|---:|" + "---:|" * len(modes))
    fast_only = {int(s) for s in a.fast_only.split(",") if s}
    for n in [int(s) for s in a.sizes.split(",") if s] + sorted(fast_only):
        m = round(a.ratio * n)
        times = {name: [] for name, _ in modes}
        sat = 0
        for seed in range(a.seeds):
            d = tempfile.mkdtemp(prefix="vsolve-3sat-")
            try:
                make_repo(d, n, m, seed * 1000 + n)
                for name, flags in modes:
                    if n in fast_only and name != "--duplicates=fast":
                        times[name].append(-1.0)
                        continue
                    t, rc = timed([a.vsolve, "--ecosystem", "opam", "--repo", d, "--no-cache", "solve"] + flags + ["root"], a.timeout)
                    times[name].append(t)
                    if name == "single" and rc == 0 and n not in fast_only:
                        sat += 1
                    if name != "single" and t is not None and rc != 0:
                        sys.exit(f"{name} refused a 3-SAT instance (n={n}, seed={seed}): duplicates always answer")
            finally:
                shutil.rmtree(d)
        def cell(ts):
            if ts and all(t == -1.0 for t in ts):
                return "not run"
            if any(t is None for t in ts):
                return f"> {a.timeout:.0f} ({sum(t is None for t in ts)}/{len(ts)} timed out)"
            return f"{statistics.median(ts):.3f}"
        sat_cell = "-" if n in fast_only else f"{sat}/{a.seeds}"
        print(f"| {n} | {m} | {2*n + 3*m + 1} | {sat_cell} | " + " | ".join(cell(times[name]) for name, _ in modes) + " |", flush=True)

if __name__ == "__main__":
    main()
