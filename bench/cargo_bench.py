#!/usr/bin/env python3
"""bench/cargo_bench.py: vsolve's cargo resolution side by side with cargo generate-lockfile.

For each shared cargo project (the real 2019-11-10 crates index and the synthetic index), in one
run: cargo 1.95 resolves against the same index served over a loopback sparse registry (a small
HTTP server started here, stopped at the end; warm runs use --offline on the cache the first run
fills), and vsolve resolves from the unpacked index directory twice: cold (--no-cache: the
index's JSON files, no registry image) and warm (from the registry image that `vsolve index`
writes once per index, into a cache directory of this bench). The three take turns, run after
run, each timed run right after an untimed run of the same command. The table gives each median
wall time, the ratios cargo/cold and cargo/warm (the median of each run's ratio, its three
timings taken side by side), whether vsolve's Cargo.lock has cargo's package set, whether it is
byte-identical (cold and warm locks are compared too), and whether cargo accepts
vsolve's lock unchanged (`cargo generate-lockfile --locked --offline` with vsolve's lock in place
fails if cargo would change it). The target is cargo/warm >= 10.

    python3 bench/cargo_bench.py [--runs 5] [--vsolve PATH] [--only P,Q]
"""
import argparse
import http.server
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
WORK = os.environ.get("VSOLVE_BENCH_DIR", "/tmp/vsolve-bench/cargo")
SOURCE = "https://github.com/rust-lang/crates.io-index"


def unpack(tar, dest):
    """Unpacks a .tar.gz once; returns dest."""
    if not os.path.isdir(dest):
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        with tarfile.open(tar) as t:
            t.extractall(tmp)
        os.rename(tmp, dest)
    return dest


def index_root(d):
    """The folder that holds the index layout (the tarballs have one top folder)."""
    for cand in ("index", "crates.io-index"):
        if os.path.isdir(os.path.join(d, cand)):
            return os.path.join(d, cand)
    return d


class Registry:
    """A sparse registry on 127.0.0.1 serving one index directory; stops itself after ttl s."""

    def __init__(self, root, ttl=1800):
        self.root = root
        handler = self.make_handler()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.timer = threading.Timer(ttl, self.stop)
        self.timer.daemon = True
        self.timer.start()

    def make_handler(self):
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                if not path.startswith("/index/"):
                    self.send_error(404)
                    return
                rel = path[len("/index/"):]
                if rel == "config.json":
                    body = ('{"dl": "http://127.0.0.1:%d/dl", "api": "http://127.0.0.1:%d"}'
                            % (registry.port, registry.port)).encode()
                else:
                    f = os.path.normpath(os.path.join(registry.root, rel.lower()))
                    if not f.startswith(registry.root) or not os.path.isfile(f):
                        self.send_error(404)
                        return
                    with open(f, "rb") as fh:
                        body = fh.read()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def stop(self):
        self.httpd.shutdown()


def cargo_home(base, port):
    home = os.path.join(base, "cargo-home")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write('[source.crates-io]\nreplace-with = "frozen"\n[source.frozen]\n'
                'registry = "sparse+http://127.0.0.1:%d/index/"\n[net]\nretry = 0\n' % port)
    return home


def timed(cmd, env=None, cwd=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, p


def packages(lock_text):
    """name@version set of a Cargo.lock's registry packages."""
    out, name = set(), None
    for line in lock_text.splitlines():
        if line.startswith('name = "'):
            name = line[8:-1]
        elif line.startswith('version = "') and name:
            out.add(name + "@" + line[11:-1])
            name = None
    return out


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
    os.makedirs(WORK, exist_ok=True)
    cargo = shutil.which("cargo")
    if not cargo:
        sys.exit("cargo is not installed: nothing to compare with")

    suites = []
    real_dir = index_root(unpack(os.path.join(CORPORA, "crates-io-index-2019-11-10.tar.gz"), os.path.join(WORK, "real-index")))
    real_projects = os.path.join(CORPORA, "cargo-real-2019")
    suites.append(("real-2019", real_dir, real_projects))
    syn = unpack(os.path.join(CORPORA, "cargo-synthetic-index.tar.gz"), os.path.join(WORK, "synthetic"))
    suites.append(("synthetic", index_root(syn), os.path.join(syn, "projects")))

    # the registry images, written once per index (timed: the one-off cost of going warm)
    cache_dir = os.path.join(WORK, "vsolve-cache")
    shutil.rmtree(cache_dir, ignore_errors=True)
    venv = dict(os.environ, VSOLVE_CACHE_DIR=cache_dir)
    index_secs = {}
    for label, index, _ in suites:
        t, p = timed([args.vsolve, "--ecosystem", "cargo", "--index", index, "index"], env=venv)
        if p.returncode != 0:
            sys.exit("vsolve index %s failed: %s" % (index, p.stderr))
        index_secs[label] = t

    rows = []
    for label, index, projects in suites:
        reg = Registry(os.path.realpath(index))
        try:
            for p in sorted(os.listdir(projects)):
                pdir = os.path.join(projects, p)
                if not os.path.isfile(os.path.join(pdir, "Cargo.toml")) or (only and p not in only):
                    continue
                work = tempfile.mkdtemp(prefix=p + "-", dir=WORK)
                os.makedirs(os.path.join(work, "src"))
                open(os.path.join(work, "src", "lib.rs"), "w").close()
                shutil.copy(os.path.join(pdir, "Cargo.toml"), work)
                env = dict(os.environ, CARGO_HOME=cargo_home(work, reg.port), CARGO_NET_OFFLINE="false")
                # cargo: a first run fills the index cache, then warm --offline runs are timed
                _, first = timed([cargo, "generate-lockfile"], env=env, cwd=work)
                cargo_ok = first.returncode == 0
                cargo_lock = open(os.path.join(work, "Cargo.lock")).read() if cargo_ok else ""
                # then cargo (warm, --offline), vsolve warm (the image) and vsolve cold (no image)
                # take turns, run after run, so that a change of the machine's speed during the
                # bench moves both sides alike; each timed run follows an untimed run of the same
                # command (as hyperfine --warmup runs), not another command, whose memory traffic
                # would slow it down (vsolve warm took 3.7-5.2 ms right after cargo, 3.2-3.8 ms
                # right after itself)
                cargo_cmd = [cargo, "generate-lockfile", "--offline"]
                warm_cmd = [args.vsolve, "--ecosystem", "cargo", "--index", index, "solve",
                            "--manifest", os.path.join(work, "Cargo.toml")]
                cold_cmd = warm_cmd[:5] + ["--no-cache"] + warm_cmd[5:]
                ct, vt, wt, vp, wp = [], [], [], None, None
                for _ in range(args.runs):
                    timed(cargo_cmd, env=env, cwd=work)
                    ct.append(timed(cargo_cmd, env=env, cwd=work)[0])
                    timed(warm_cmd, env=venv)
                    t, wp = timed(warm_cmd, env=venv)
                    wt.append(t)
                    timed(cold_cmd, env=venv)
                    t, vp = timed(cold_cmd, env=venv)
                    vt.append(t)
                    if wp.stderr.find("warning") >= 0:
                        print("%s: %s" % (p, wp.stderr.strip()[:300]), file=sys.stderr)
                vs_ok = vp.returncode == 0
                warm_same = (vp.returncode, vp.stdout, vp.stderr) == (wp.returncode, wp.stdout, wp.stderr)
                same_set = identical = accepted = None
                if cargo_ok and vs_ok:
                    same_set = packages(vp.stdout) == packages(cargo_lock)
                    identical = vp.stdout == cargo_lock
                    with open(os.path.join(work, "Cargo.lock"), "w") as f:
                        f.write(vp.stdout)
                    # --locked: cargo fails if it would change the lock it finds
                    acc = subprocess.run([cargo, "generate-lockfile", "--locked", "--offline"],
                                         env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                    accepted = acc.returncode == 0
                    if not accepted:
                        print("%s: cargo rejects vsolve's lock: %s" % (p, acc.stderr.strip()[:300]), file=sys.stderr)
                rows.append((label, p, statistics.median(ct), statistics.median(vt), statistics.median(wt),
                              statistics.median(c / v for c, v in zip(ct, vt)),
                              statistics.median(c / w for c, w in zip(ct, wt)), cargo_ok,
                              vs_ok, same_set, identical and warm_same if identical is not None else None, accepted,
                              len(packages(cargo_lock)), warm_same))
                shutil.rmtree(work, ignore_errors=True)
        finally:
            reg.stop()

    print("machine: %s, %d cores, load %s" % (os.uname().machine, os.cpu_count(), os.getloadavg()))
    print("| index | project | cargo (ms) | vsolve cold (ms) | vsolve warm (ms) | cargo / cold | cargo / warm | outcome "
          "| packages | same set | identical lock | cargo accepts vsolve's lock |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    yes = lambda b: "-" if b is None else ("yes" if b else "**no**")
    for label, p, c, v, w, rcold, rwarm, cok, vok, same, ident, acc, n, warm_same in rows:
        outcome = "both resolve" if cok and vok else ("both refuse" if not cok and not vok else "**disagree**")
        if not warm_same:
            outcome += ", **warm differs from cold**"
        print("| %s | %s | %.0f | %.0f | %.1f | %.2f | %.2f | %s | %d | %s | %s | %s |" % (
            label, p, c * 1e3, v * 1e3, w * 1e3, rcold, rwarm, outcome, n, yes(same), yes(ident), yes(acc)))
    cold = [r[5] for r in rows]
    warm = [r[6] for r in rows]
    print("\nmedian cargo/cold ratio: %.2f (min %.2f, max %.2f); median cargo/warm ratio: %.2f (min %.2f, max %.2f); "
          "over %d projects; each a median of %d runs, the ratios of runs side by side"
          % (statistics.median(cold), min(cold), max(cold), statistics.median(warm), min(warm), max(warm), len(rows),
             args.runs))
    print("target cargo/warm >= %d on every project: %d of %d meet it (cold: %d of %d)" % (
        10, sum(r >= 10 for r in warm), len(warm), sum(r >= 10 for r in cold), len(cold)))
    print("cold no slower than cargo: %d of %d" % (sum(r >= 1 for r in cold), len(cold)))
    print("registry images written once (vsolve index): %s" % ", ".join(
        "%s %.2f s" % (k, v) for k, v in sorted(index_secs.items())))
    print(run_context(args.vsolve))


if __name__ == "__main__":
    main()
