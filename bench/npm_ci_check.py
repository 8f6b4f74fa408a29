#!/usr/bin/env python3
"""bench/npm_ci_check.py: `npm ci --ignore-scripts` installs the package-lock.json vsolve wrote.

For each shared npm project: vsolve resolves package.json against the shared packuments and
writes package-lock.json with `resolved` URLs on a loopback registry started here; then
`npm ci --ignore-scripts` installs exactly that lock from the loopback registry, with a fresh
cache. The loopback registry serves the packuments from the corpus; the corpus has no package
tarballs, so a tarball request is fetched once from the upstream npm registry (npm's own default
registry, or --upstream) and kept in a local cache. npm checks every tarball against the lock's
`integrity`. The check passes when npm exits 0 and every package of the lock is installed at its
node_modules path with its version (read from the installed package.json), or when npm ci
refuses it for exactly the reasons it refuses npm's own reference lock of the same project.

    python3 bench/npm_ci_check.py [--vsolve PATH] [--only P,Q] [--upstream URL]

This needs the npm registry for the tarballs, so it is a check to run by hand, not a unit test.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from npm_bench import CORPORA, REPO, WORK, Registry, unpacked_registry


class TarballCache:
    """Tarballs fetched from the upstream registry once and kept under a directory."""

    def __init__(self, directory, upstream):
        self.dir, self.upstream = directory, upstream.rstrip("/")
        self.fetched = self.hits = self.misses = 0
        self.lock = threading.Lock()
        os.makedirs(directory, exist_ok=True)

    def tarball(self, path):
        local = os.path.join(self.dir, path.lstrip("/").replace("/", "__"))
        if os.path.isfile(local):
            with self.lock:
                self.hits += 1
            with open(local, "rb") as f:
                return f.read()
        body = error = None
        for attempt in range(4):        # name resolution fails now and then under load
            try:
                with urllib.request.urlopen(self.upstream + path, timeout=60) as r:
                    body = r.read()
                break
            except Exception as e:
                error = e
                time.sleep(1 + attempt)
        if body is None:                # npm reports the failed fetch; counted here too
            print("upstream %s: %s" % (path, error), file=sys.stderr)
            with self.lock:
                self.misses += 1
            return None
        tmp = local + ".%d.tmp" % threading.get_ident()
        with open(tmp, "wb") as f:
            f.write(body)
        os.replace(tmp, local)
        with self.lock:
            self.fetched += 1
        return body


def lock_packages(lock_path):
    with open(lock_path) as f:
        return {p: v for p, v in json.load(f)["packages"].items() if p}


def installed_mismatches(work, packages):
    """Lock entries npm did not install as written (a missing package.json or another version)."""
    bad = []
    for path, entry in sorted(packages.items()):
        manifest = os.path.join(work, path, "package.json")
        if not os.path.isfile(manifest):
            # npm skips optional packages whose os / cpu do not fit this machine
            if entry.get("optional") and (entry.get("os") or entry.get("cpu")):
                continue
            bad.append("%s: not installed" % path)
            continue
        with open(manifest) as f:
            version = json.load(f).get("version")
        if version != entry.get("version"):
            bad.append("%s: %s installed, lock says %s" % (path, version, entry.get("version")))
    return bad


def npm_ci(npm, work, url):
    """Run npm ci in work; return (error lines or [] when it installed the lock as written, seconds)."""
    lock = os.path.join(work, "package-lock.json")
    packages = lock_packages(lock)
    with open(lock) as f:
        before = f.read()
    npmrc = os.path.join(work, ".npmrc-check")
    with open(npmrc, "w") as f:
        f.write("registry=%s\naudit=false\nfund=false\nupdate-notifier=false\n" % url)
    cache = os.path.join(work, "cache")
    t0 = time.perf_counter()
    ci = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--userconfig", npmrc,
                         "--cache", cache], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    if ci.returncode != 0:
        # the reason is in npm's debug log ("Missing: x@ from lock file", a 404, an integrity error)
        logs = [os.path.join(cache, "_logs", f) for f in sorted(os.listdir(os.path.join(cache, "_logs")))]
        reasons = []
        for log in logs:
            with open(log) as f:
                reasons += sorted({l.split("verbose stack ", 1)[1].strip() for l in f
                                   if "verbose stack " in l and ("Missing:" in l or "Invalid:" in l)})
        return reasons or ["npm ci exit %d: %s" % (ci.returncode, " / ".join(ci.stderr.strip().splitlines()[-3:]))], seconds
    bad = installed_mismatches(work, packages)
    with open(lock) as f:
        if f.read() != before:
            bad.append("npm ci rewrote package-lock.json")
    return bad, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vsolve", default=os.path.join(REPO, "build", "vsolve"))
    ap.add_argument("--only", default="")
    ap.add_argument("--upstream", default="", help="where tarballs come from (default: npm's default registry)")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm is not installed: nothing to check with")
    upstream = args.upstream or subprocess.run(
        [npm, "config", "get", "registry"], cwd=WORK if os.path.isdir(WORK) else "/",
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    if not upstream.startswith("http"):
        sys.exit("no upstream registry for the tarballs (npm config get registry said %r); give --upstream" % upstream)
    unpacked = unpacked_registry()
    tarballs = TarballCache(os.path.join(WORK, "tarballs"), upstream)
    reg = Registry(os.path.join(unpacked, "packuments"), ttl=3600, tarball=tarballs.tarball)
    url = "http://127.0.0.1:%d/" % reg.port
    projects = os.path.join(CORPORA, "npm", "projects")
    rows, failed = [], 0
    try:
        for p in sorted(os.listdir(projects)):
            if only and p not in only:
                continue
            work = tempfile.mkdtemp(prefix=p + "-ci-", dir=WORK)
            shutil.copy(os.path.join(projects, p, "package.json"), work)
            lock = os.path.join(work, "package-lock.json")
            v = subprocess.run([args.vsolve, "--ecosystem", "npm", "--registry", unpacked, "solve",
                                "--manifest", os.path.join(work, "package.json"), "--lock", lock,
                                "--registry-url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if v.returncode != 0:
                rows.append((p, 0, "**vsolve failed**: " + v.stderr.strip()[:200], 0))
                failed += 1
                continue
            count = len(lock_packages(lock))
            errors, seconds = npm_ci(npm, work, url)
            if not errors:
                rows.append((p, count, "installed as written", seconds))
                shutil.rmtree(work, ignore_errors=True)
                continue
            # the control: does npm ci take npm's own lock for the same project?
            own = tempfile.mkdtemp(prefix=p + "-ci-npm-", dir=WORK)
            shutil.copy(os.path.join(projects, p, "package.json"), own)
            shutil.copy(os.path.join(projects, p, "package-lock.json"), own)
            own_errors, _ = npm_ci(npm, own, url)
            if own_errors == errors:
                rows.append((p, count, "refused, exactly as npm's own lock is refused (%d reasons, first: %s)"
                             % (len(errors), errors[0]), seconds))
            else:
                rows.append((p, count, "**%s** (npm's own lock: %s)"
                             % ("; ".join(errors[:3]), "; ".join(own_errors[:3]) or "installed"), seconds))
                failed += 1
    finally:
        reg.stop()
    print("npm %s; tarballs fetched from upstream %d, from the local cache %d; failed fetches %d"
          % (subprocess.run([npm, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip(),
             tarballs.fetched, tarballs.hits, tarballs.misses))
    print("| project | lock packages | npm ci --ignore-scripts on vsolve's lock | npm ci time (s) |")
    print("|---|---|---|---|")
    for p, n, verdict, seconds in rows:
        print("| %s | %d | %s | %.1f |" % (p, n, verdict, seconds))
    print("%d passed, %d failed" % (len(rows) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
