#!/usr/bin/env python3
"""bench/npm_bench.py: vsolve's npm resolution side by side with npm install --package-lock-only.

For each shared npm project, in one run: npm (the machine's npm, against the shared packuments
served by a small loopback registry started here and stopped at the end; the first run fills a
fresh cache, the timed runs are warm `--offline` ones) and vsolve resolve the same package.json,
vsolve twice: cold (--no-cache: the unpacked packuments' JSON) and warm (from the registry image
that `vsolve --ecosystem npm --registry DIR index` writes once, into a cache directory of this
bench; cold and warm runs alternate). The table gives each median wall time, the ratios
npm/cold and npm/warm, whether vsolve's package-lock.json has npm's (node_modules path, name,
version) entries, whether it is byte-identical (the warm lock is compared with the cold one
too), and whether npm accepts vsolve's lock unchanged (npm rerun on a project holding vsolve's
lock leaves it byte for byte as it is). `bench/npm_ci_check.py` goes on to install vsolve's
lock with `npm ci`. The target is npm/warm >= 50.

    python3 bench/npm_bench.py [--runs 5] [--vsolve PATH] [--only P,Q]
"""
import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPORA = os.environ.get("VSOLVE_CORPORA", os.path.join(REPO, "..", "shared", "corpora"))
WORK = os.environ.get("VSOLVE_BENCH_DIR", "/tmp/vsolve-bench/npm")


class Registry:
    """Packuments from a directory on 127.0.0.1 (GET /name, GET /@scope%2fname); stops after ttl s.
    With `tarball` (a function of the request path returning bytes or None), GET /.../-/x.tgz is
    answered by it."""

    def __init__(self, packuments, ttl=1800, tarball=None):
        self.dir = packuments
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            disable_nagle_algorithm = True   # headers and body are written separately

            def log_message(self, *args):
                pass

            def reply(self, body, ctype):
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?")[0]
                if tarball and "/-/" in path and path.endswith(".tgz"):
                    self.reply(tarball(path), "application/octet-stream")
                    return
                name = path.lstrip("/").replace("/", "%2f").replace("%2F", "%2f")
                f = os.path.join(registry.dir, name + ".json")
                if "/" in name or not os.path.isfile(f):
                    self.reply(None, "")
                    return
                with open(f, "rb") as fh:
                    body = fh.read().replace(b"@REGISTRY@", ("http://127.0.0.1:%d" % registry.port).encode())
                self.reply(body, "application/json")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        t = threading.Timer(ttl, self.httpd.shutdown)
        t.daemon = True
        t.start()

    def stop(self):
        self.httpd.shutdown()


def entries(lock_text):
    """(node_modules path, name, version) entries of a package-lock.json."""
    d = json.loads(lock_text)
    out = set()
    for path, v in d.get("packages", {}).items():
        if path:
            out.add((path, v.get("name") or path.rsplit("node_modules/", 1)[-1], v.get("version")))
    return out


def unpacked_registry():
    """The shared packuments unpacked once under WORK (npm and vsolve both read the directory)."""
    unpacked = os.path.join(WORK, "registry")
    if not os.path.isdir(unpacked):
        os.makedirs(WORK, exist_ok=True)
        tmp = unpacked + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(os.path.join(CORPORA, "npm", "packuments.tar.gz")) as t:
            t.extractall(tmp)
        os.rename(tmp, unpacked)
    return unpacked


def timed(cmd, cwd=None, env=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, p


def run_context(vsolve):
    """What the lead needs to compare runs: the command, the binary's commit, date and load."""
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        commit = "?"
    return "command: %s\nvsolve: %s (tree at %s); %s UTC; load at the end %s" % (
        " ".join(sys.argv), vsolve, commit or "?", time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "%.1f %.1f %.1f" % os.getloadavg())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--vsolve", default=os.path.join(REPO, "build", "vsolve"))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm is not installed: nothing to compare with")
    unpacked = unpacked_registry()
    # the registry image, written once (timed: the one-off cost of going warm)
    cache_dir = os.path.join(WORK, "vsolve-cache")
    shutil.rmtree(cache_dir, ignore_errors=True)
    venv = dict(os.environ, VSOLVE_CACHE_DIR=cache_dir)
    index_secs, ip = timed([args.vsolve, "--ecosystem", "npm", "--registry", unpacked, "index"], env=venv)
    if ip.returncode != 0:
        sys.exit("vsolve index %s failed: %s" % (unpacked, ip.stderr))
    reg = Registry(os.path.join(unpacked, "packuments"))
    projects = os.path.join(CORPORA, "npm", "projects")
    rows = []
    try:
        for p in sorted(os.listdir(projects)):
            if only and p not in only:
                continue
            work = tempfile.mkdtemp(prefix=p + "-", dir=WORK)
            shutil.copy(os.path.join(projects, p, "package.json"), work)
            npmrc = os.path.join(work, ".npmrc-bench")
            with open(npmrc, "w") as f:
                f.write("registry=http://127.0.0.1:%d/\naudit=false\nfund=false\nupdate-notifier=false\n"
                        "omit-lockfile-registry-resolved=true\n" % reg.port)
            base = [npm, "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--userconfig", npmrc, "--cache", os.path.join(work, "cache")]
            lock = os.path.join(work, "package-lock.json")
            _, first = timed(base, cwd=work)             # fills the cache
            npm_lock = open(lock).read() if first.returncode == 0 else ""
            nt = []
            for _ in range(args.runs):
                os.remove(lock)
                nt.append(timed(base + ["--offline"], cwd=work)[0])
            vt, wt, vp, wp = [], [], None, None
            for _ in range(args.runs):   # cold and warm alternate, so that both see the same load
                t, vp = timed([args.vsolve, "--ecosystem", "npm", "--registry", unpacked, "--no-cache", "solve",
                               "--manifest", os.path.join(work, "package.json")], env=venv)
                vt.append(t)
                t, wp = timed([args.vsolve, "--ecosystem", "npm", "--registry", unpacked, "solve",
                               "--manifest", os.path.join(work, "package.json")], env=venv)
                wt.append(t)
                if wp.stderr.find("warning") >= 0:
                    print("%s: %s" % (p, wp.stderr.strip()[:300]), file=sys.stderr)
            warm_same = (vp.returncode, vp.stdout, vp.stderr) == (wp.returncode, wp.stdout, wp.stderr)
            same = identical = accepted = None
            if first.returncode == 0 and vp.returncode == 0:
                same = entries(vp.stdout) == entries(npm_lock)
                identical = vp.stdout == npm_lock
                with open(lock, "w") as f:
                    f.write(vp.stdout)
                acc = subprocess.run(base + ["--offline"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                accepted = acc.returncode == 0 and open(lock).read() == vp.stdout
            else:
                print("%s: npm rc %d, vsolve rc %d: %s" % (p, first.returncode, vp.returncode, vp.stderr[:300]), file=sys.stderr)
            rows.append((p, statistics.median(nt), statistics.median(vt), statistics.median(wt), same,
                         identical and warm_same if identical is not None else None, accepted,
                         len(entries(npm_lock)) if npm_lock else 0, warm_same))
            shutil.rmtree(work, ignore_errors=True)
    finally:
        reg.stop()
    print("machine: %s, %d cores, load %s; npm %s" % (os.uname().machine, os.cpu_count(), os.getloadavg(),
                                                      subprocess.run([npm, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()))
    print("| project | npm warm (ms) | vsolve cold (ms) | vsolve image (ms) | npm / cold | npm / image | entries "
          "| same entries | identical lock | npm keeps vsolve's lock |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    yes = lambda b: "-" if b is None else ("yes" if b else "**no**")
    for p, n, v, w, same, ident, acc, count, warm_same in rows:
        print("| %s | %.0f | %.0f | %.1f | %.1f | %.1f | %d | %s | %s%s | %s |" % (
            p, n * 1e3, v * 1e3, w * 1e3, n / v, n / w, count, yes(same), yes(ident),
            "" if warm_same else ", **image differs from cold**", yes(acc)))
    cold = [r[1] / r[2] for r in rows]
    warm = [r[1] / r[3] for r in rows]
    print("\nmedian npm/cold ratio: %.1f (min %.1f, max %.1f); median npm/image ratio: %.1f (min %.1f, max %.1f); "
          "over %d projects, median of %d runs each" % (statistics.median(cold), min(cold), max(cold),
                                                       statistics.median(warm), min(warm), max(warm), len(rows), args.runs))
    print("target npm/image >= 50 on every project: %d of %d meet it (cold: %d of %d)" % (
        sum(r >= 50 for r in warm), len(warm), sum(r >= 50 for r in cold), len(cold)))
    print("registry image written once (vsolve index): %.2f s" % index_secs)
    print(run_context(args.vsolve))


if __name__ == "__main__":
    main()
