#!/usr/bin/env python3
"""bench/npm_hostile.py: registries that make npm tree building quadratic, and vsolve's time and peak memory on them.

Writes, under --dir, one registry and package.json per shape (issue 17 item 10):
  flat    the root depends on N packages p0..p(N-1), none with dependencies
  chain   the root depends on c0; c(i) depends on c(i+1); all of them hoist to the root
  nested  the root depends on a@1; a@k depends on a@k+1 exactly, so each one nests under the
          previous (a tree N deep)
then runs `vsolve --ecosystem npm --registry DIR solve` on each under /usr/bin/time and prints
wall time, CPU time (user + system: the figure to compare on a loaded machine), peak RSS and
the lock's entry count.

    python3 bench/npm_hostile.py [--vsolve build/vsolve] [--n 10000] [--depth 1000] [--dir /tmp/vsolve-hostile]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def packument(name, versions):
    """versions: {version: dependencies}"""
    return {"name": name, "dist-tags": {"latest": list(versions)[-1]},
            "versions": {v: {"name": name, "version": v, "dependencies": d,
                             "dist": {"tarball": "@REGISTRY@/%s/-/%s-%s.tgz" % (name, name, v),
                                      "integrity": "sha512-x"}} for v, d in versions.items()}}


def write_shape(base, shape, n, depth):
    d = os.path.join(base, shape)
    pk = os.path.join(d, "packuments")
    os.makedirs(pk, exist_ok=True)
    docs = {}
    if shape == "flat":
        for i in range(n):
            docs["p%d" % i] = packument("p%d" % i, {"1.0.0": {}})
        root = {"p%d" % i: "^1.0.0" for i in range(n)}
    elif shape == "chain":
        for i in range(n):
            docs["c%d" % i] = packument("c%d" % i, {"1.0.0": {"c%d" % (i + 1): "^1.0.0"} if i + 1 < n else {}})
        root = {"c0": "^1.0.0"}
    else:
        docs["a"] = packument("a", {"%d.0.0" % k: ({"a": "%d.0.0" % (k + 1)} if k < depth else {})
                                     for k in range(1, depth + 1)})
        root = {"a": "1.0.0"}
    for name, doc in docs.items():
        with open(os.path.join(pk, name + ".json"), "w") as f:
            json.dump(doc, f)
    with open(os.path.join(d, "package.json"), "w") as f:
        json.dump({"name": "root", "version": "1.0.0", "dependencies": root}, f)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vsolve", default=os.path.join(REPO, "build", "vsolve"))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--depth", type=int, default=1000)
    ap.add_argument("--dir", default="/tmp/vsolve-hostile")
    ap.add_argument("--only", default="flat,chain,nested")
    args = ap.parse_args()
    print("| shape | size | wall (s) | CPU (s) | peak RSS (MB) | lock entries | exit |")
    print("|---|---|---|---|---|---|---|")
    for shape in args.only.split(","):
        d = write_shape(args.dir, shape, args.n, args.depth)
        p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", args.vsolve, "--ecosystem", "npm", "--registry", d,
                            "solve", "--manifest", os.path.join(d, "package.json")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall, user, system, rss = p.stderr.strip().splitlines()[-1].split()
        entries = len(json.loads(p.stdout).get("packages", {})) - 1 if p.returncode == 0 else 0
        size = args.depth if shape == "nested" else args.n
        print("| %s | %d | %s | %.2f | %.0f | %d | %d |" % (shape, size, wall, float(user) + float(system), int(rss) / 1024,
                                                        entries, p.returncode))
        sys.stdout.flush()
    print("load %.1f %.1f %.1f; %s" % (os.getloadavg() + (args.vsolve,)))


if __name__ == "__main__":
    main()
