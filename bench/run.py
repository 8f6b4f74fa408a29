#!/usr/bin/env python3
"""bench/run.py: vsolve side by side with the reference solvers on the shared opam requests.

For each request of shared/corpora/requests.json (all 59 by default), in one run, it times N runs
of each solver (wall time of the whole process, median reported), keeps each answer, counts its
packages and asks vsolve's independent checker (`vsolve check`) whether the answer satisfies the
request. Then it prints a timing table, an answer table and the summary lines against vsolve's
performance targets. Run `bash bench/setup.sh` first.

Solvers (--solvers, comma-separated; default: all but opam-mccs,opam-aspcud):
  vsolve-cache   vsolve solve from its universe cache (after `vsolve index`): the reference column
  vsolve-newest  the same with --preference newest-first (the greedy order; optional)
  vsolve-old     vsolve-cache with a second binary, --vsolve-old (e.g. main's build beside a
                 branch's), from its own cache file: before/after in one run (optional)
  vsolve-tgz     vsolve solve reading the raw .tar.gz snapshot (--no-cache)
  vsolve-trim    vsolve --ecosystem cudf on opam's trimmed CUDF (sat requests: only they have one)
  vsolve-full    vsolve --ecosystem cudf on opam's full CUDF dump
  opam           opam 2.1.2 install --show-actions, builtin-mccs+glpk (opam's default solver)
  opam-mccs      the same with --solver=mccs (external mccs; optional)
  opam-aspcud    the same with --solver=aspcud (optional)
  libsolv-full   bench/cudf_libsolv (libsolv parse + solve) on the full CUDF
  libsolv-trim   the same on the trimmed CUDF
  mccs-trim      mccs 1.1 on the trimmed CUDF with the criteria opam passes to an external mccs
  aspcud-trim    aspcud 1.9.6 on the trimmed CUDF with the criteria opam passes to aspcud >= 1.9
  0install       0install 2.18 `select` on feeds made by bench/opam2feeds.py (capped by
                 --timeout-0install: an unsatisfiable request costs it minutes of diagnostics)

Examples:
  python3 bench/run.py                                   # everything, default runs
  python3 bench/run.py --only dune-2022,tezos-2022 --runs 5 --solvers vsolve-cache,libsolv-full
  python3 bench/run.py --solvers none --sweep            # only the sweep
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True                     # no __pycache__ in the source tree
import opam2feeds  # noqa: E402  (root feeds and selection parsing for 0install)

ALL_SOLVERS = ["vsolve-cache", "vsolve-newest", "vsolve-old", "vsolve-tgz", "vsolve-trim", "vsolve-full", "opam", "opam-mccs",
               "opam-aspcud", "libsolv-full", "libsolv-trim", "mccs-trim", "aspcud-trim", "0install"]
DEFAULT_SOLVERS = [s for s in ALL_SOLVERS if s not in ("vsolve-newest", "vsolve-old", "opam-mccs", "opam-aspcud")]
DEFAULT_RUNS_FOR = {"opam": 2, "opam-mccs": 1, "opam-aspcud": 1, "mccs-trim": 1, "aspcud-trim": 1,
                    "0install": 1}
OPAM_SOLVER = {"opam": "builtin-mccs+glpk", "opam-mccs": "mccs", "opam-aspcud": "aspcud"}
# opam 2.1's default install criteria, in the forms opam hands to the external solvers
MCCS_CRITERIA = ("-lexagregate[-removed,-count[avoid-version:,true],-count[version-lag:,true],"
                 "-changed,-count[version-lag:,false],-count[missing-depexts:,true],-new]")
ASPCUD_CRITERIA = ("-count(removed),-sum(changed,avoid-version),-sum(request,version-lag),"
                   "-sum(changed,version-lag),-sum(changed,missing-depexts),-count(changed)")
SHORT = {"vsolve-cache": "vs-cache", "vsolve-newest": "vs-newest", "vsolve-old": "vs-old", "vsolve-tgz": "vs-tgz", "vsolve-trim": "vs-trim",
         "vsolve-full": "vs-full", "libsolv-full": "ls-full", "libsolv-trim": "ls-trim"}


# ------------------------------------------------------------------------------------------------
# running a process

def run_cmd(cmd, out_path, err_path, timeout, env=None, mem_gb=None):
    """Runs cmd once; returns wall seconds, exit code, timed_out, CPU and peak RSS (KiB)."""
    def limits():
        if mem_gb:
            b = int(mem_gb * (1 << 30))
            resource.setrlimit(resource.RLIMIT_AS, (b, b))
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                             start_new_session=True, preexec_fn=limits if mem_gb else None)
        killed = []

        def kill():
            killed.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "rc": p.returncode, "timed_out": bool(killed),
            "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss}


# ------------------------------------------------------------------------------------------------
# reading answers

INSTALL_RE = re.compile(r"^\s+\S\s+install\s+(\S+)\s+(\S+)")


def parse_name_version_lines(text):
    return sorted(l.strip() for l in text.splitlines() if l.strip())


def parse_opam(text):
    return sorted("%s.%s" % m.groups() for m in (INSTALL_RE.match(l) for l in text.splitlines()) if m)


def cudf_stanzas(text, keys):
    """Yields a dict of the wanted properties per stanza of a CUDF document."""
    cur = {}
    for line in text.splitlines():
        if not line.strip():
            if cur:
                yield cur
            cur = {}
            continue
        k, sep, v = line.partition(": ")
        if not sep:
            k, sep, v = line.partition(":")
        if k in keys:
            cur[k] = v.strip()
    if cur:
        yield cur


_CUDF_MAPS = {}


def cudf_map(path):
    """(CUDF package, version) -> opam NAME.VERSION (None for opam's switch invariant)."""
    if path not in _CUDF_MAPS:
        m = {}
        with open(path, encoding="utf-8", errors="replace") as fh:
            for st in cudf_stanzas(fh.read(), ("package", "version", "opam-name", "opam-version")):
                if "package" not in st or "version" not in st:
                    continue
                name = st.get("opam-name")
                m[(st["package"], st["version"])] = (None if name in (None, "SWITCH_INVARIANT")
                                                     else "%s.%s" % (name, st.get("opam-version")))
        _CUDF_MAPS.clear()                           # keep one: the full dumps are large
        _CUDF_MAPS[path] = m
    return _CUDF_MAPS[path]


def parse_cudf_solution(text, cudf_path):
    """A CUDF solution: ('unsat', None) for FAIL, else ('sat', [NAME.VERSION]) of the installed
    packages, mapped back through the problem's opam-name / opam-version properties."""
    if text.lstrip().startswith("FAIL"):
        return "unsat", None
    m = cudf_map(cudf_path)
    out = []
    for st in cudf_stanzas(text, ("package", "version", "installed")):
        if st.get("installed") != "true" or "package" not in st:
            continue
        key = (st["package"], st.get("version"))
        if key not in m:
            raise ValueError("package %s version %s is not in %s" % (key + (cudf_path,)))
        if m[key] is not None:
            out.append(m[key])
    return "sat", sorted(out)


# ------------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.vsolve = a.vsolve
        self.corpora = a.corpora
        self.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = os.path.join(self.work, "results", self.stamp)
        os.makedirs(os.path.join(self.out, "solutions"), exist_ok=True)
        self.tmp = os.path.join(self.out, "tmp")
        os.makedirs(self.tmp, exist_ok=True)
        self.records = []
        self.jsonl = open(os.path.join(self.out, "runs.jsonl"), "w")
        xdg = os.path.join(self.work, "xdg")
        self.env_0install = dict(os.environ)
        for k, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                       ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_DIRS", "cfgdirs"),
                       ("XDG_CACHE_DIRS", "cachedirs"), ("XDG_DATA_DIRS", "datadirs")):
            self.env_0install[k] = os.path.join(xdg, sub)
            os.makedirs(self.env_0install[k], exist_ok=True)

    # paths ---------------------------------------------------------------------------------------
    @staticmethod
    def tag(req):
        return req["snapshot"].replace("opam-repository-", "").replace(".tar.gz", "")

    def snapshot(self, req):
        return os.path.join(self.corpora, req["snapshot"])

    def cache(self, req, old=False):
        return os.path.join(self.work, "cache", self.tag(req) + (".old" if old else "") + ".vcache")

    def cudf(self, req, kind):
        name = req["id"] + (".trimmed.cudf" if kind == "trim" else ".cudf")
        return os.path.join(self.work, "cudf", name)

    def opam_env(self, req):
        env = dict(os.environ)
        for k in ("OPAMCRITERIA", "OPAMUPGRADECRITERIA", "OPAMFIXUPCRITERIA", "OPAMEXTERNALSOLVER",
                  "OPAMBESTEFFORT", "OPAMCUDFFILE", "OPAMDEBUG", "OPAMSOLVERTIMEOUT"):
            env.pop(k, None)
        env.update({"OPAMROOT": os.path.join(self.work, "opam", self.tag(req)), "OPAMSWITCH": "empty",
                    "OPAMYES": "1", "OPAMNODEPEXTS": "1", "OPAMCOLOR": "never", "OPAMUTF8": "never",
                    "OPAMROOTISOK": "1", "OPAMNOENVNOTICE": "1", "OPAMNOSELFUPGRADE": "1",
                    "OPAMJOBS": "1", "OPAMSOLVERTIMEOUT": str(int(self.a.opam_solver_timeout))})
        return env

    # one solver on one request -------------------------------------------------------------------
    def command(self, solver, req, outp):
        """(argv, env, timeout, mem_gb, reader) or a string saying why it does not apply."""
        atoms = [req["compiler"]] + req["atoms"]
        a = self.a
        if solver in ("vsolve-cache", "vsolve-newest"):
            pref = ["--preference", "newest-first"] if solver == "vsolve-newest" else []
            return ([self.vsolve, "--ecosystem", "opam", "--repo", self.snapshot(req), "--cache",
                     self.cache(req)] + pref + ["solve"] + atoms, None, a.timeout, None, "lines")
        if solver == "vsolve-old":
            return ([a.vsolve_old, "--ecosystem", "opam", "--repo", self.snapshot(req), "--cache",
                     self.cache(req, old=True), "solve"] + atoms, None, a.timeout, None, "lines")
        if solver == "vsolve-tgz":
            return ([self.vsolve, "--ecosystem", "opam", "--repo", self.snapshot(req), "--no-cache",
                     "solve"] + atoms, None, a.timeout, None, "lines")
        if solver in ("vsolve-trim", "vsolve-full", "libsolv-trim", "libsolv-full", "mccs-trim",
                      "aspcud-trim"):
            kind = solver.split("-")[1]
            f = self.cudf(req, kind)
            if not os.path.exists(f):
                return "no %s CUDF (opam writes one only for satisfiable requests)" % kind
            if solver.startswith("vsolve"):
                return ([self.vsolve, "--ecosystem", "cudf", "--repo", f, "solve"], None, a.timeout,
                        None, ("cudf", f))
            if solver.startswith("libsolv"):
                return ([os.path.join(self.work, "bin", "cudf_libsolv"), f], None, a.timeout, None,
                        ("cudf", f))
            if solver == "mccs-trim":
                return (["mccs", "-i", f, "-o", outp + ".cudf", MCCS_CRITERIA], None, a.timeout,
                        a.mem_gb, ("cudf-file", f))
            return (["aspcud", f, outp + ".cudf", ASPCUD_CRITERIA], None, a.timeout, a.mem_gb,
                    ("cudf-file", f))
        if solver in OPAM_SOLVER:
            return (["opam", "install", "--show-actions", "--debug-level=1",
                     "--solver=" + OPAM_SOLVER[solver]] + atoms, self.opam_env(req),
                    a.timeout, None, "opam")
        if solver == "0install":
            feeds = os.path.join(self.work, "feeds", self.tag(req))
            root = opam2feeds.write_root(feeds, req["id"], atoms)
            return (["0install", "select", "--offline", "--console", "--command=", "--xml", root],
                    self.env_0install, a.timeout_0install, None, "0install")
        raise ValueError(solver)

    def runs_for(self, solver):
        return self.a.runs_for.get(solver, DEFAULT_RUNS_FOR.get(solver, self.a.runs))

    def measure(self, req, solvers):
        """Times every solver on one request. The runs go round-robin (run 1 of every solver, then
        run 2, ...), so that a burst of load from elsewhere does not hit all runs of one solver."""
        rid = req["id"]
        jobs, done = [], []
        for solver in solvers:
            base = os.path.join(self.tmp, "%s.%s" % (rid, solver))
            spec = self.command(solver, req, base)
            rec = {"request": rid, "solver": solver, "expect": req["expect"], "load_before": os.getloadavg()}
            if isinstance(spec, str):
                rec.update(status="n/a", why=spec)
                done.append(self.store(rec))
                continue
            rec["command"] = spec[0]
            jobs.append({"solver": solver, "base": base, "spec": spec, "rec": rec, "runs": [],
                         "n": self.runs_for(solver), "stopped": False})
        for i in range(max((j["n"] for j in jobs), default=0)):
            for j in jobs:
                if i >= j["n"] or j["stopped"]:
                    continue
                argv, env, timeout, mem_gb, _ = j["spec"]
                r = run_cmd(argv, j["base"] + ".out", j["base"] + ".err", timeout, env=env, mem_gb=mem_gb)
                j["runs"].append(r)
                j["stopped"] = r["timed_out"]            # a capped run is not repeated
        for j in jobs:
            done.append(self.finish(req, j["solver"], j["base"], j["spec"][4], j["rec"], j["runs"]))
        return done

    def finish(self, req, solver, base, reader, rec, runs):
        rid = req["id"]
        last = runs[-1]
        rec["runs"] = runs
        rec["walls"] = [r["wall"] for r in runs]
        rec["median"] = statistics.median(rec["walls"])
        rec["cpu_median"] = statistics.median(r["cpu"] for r in runs)
        rec["maxrss_kb"] = max(r["maxrss_kb"] for r in runs)
        with open(base + ".out", encoding="utf-8", errors="replace") as fh:
            out = fh.read()
        with open(base + ".err", encoding="utf-8", errors="replace") as fh:
            err = fh.read()
        rec["rc"] = last["rc"]
        try:
            rec["status"], pkgs = self.read_answer(reader, last, out, err, base)
        except (ValueError, OSError, opam2feeds.ET.ParseError) as e:
            rec["status"], pkgs = "error", None
            rec["why"] = "unreadable answer: %s" % e
        if rec["status"] == "error" and "why" not in rec:
            rec["why"] = (err.strip().splitlines() or out.strip().splitlines() or ["rc %d" % last["rc"]])[-1][:300]
        if pkgs is not None:
            rec["size"] = len(pkgs)
            rec["packages"] = pkgs
            d = os.path.join(self.out, "solutions", rid)
            os.makedirs(d, exist_ok=True)
            sol = os.path.join(d, solver + ".txt")
            with open(sol, "w") as fh:
                fh.write("".join(p + "\n" for p in pkgs))
            rec["check"], rec["check_msg"] = self.check(req, sol)
        for ext in (".out", ".err", ".cudf"):
            if rec["status"] in ("sat", "unsat") and os.path.exists(base + ext):
                os.unlink(base + ext)
        return self.store(rec)

    def read_answer(self, reader, run, out, err, base):
        if run["timed_out"]:
            return "timeout", None
        rc = run["rc"]
        if reader == "lines":                        # vsolve opam: 0 solved, 1 unsat
            if rc == 0:
                return "sat", parse_name_version_lines(out)
            return ("unsat", None) if rc == 1 else ("error", None)
        if reader == "opam":                         # opam: 0 solved, 20 no solution
            if rc == 0:
                return "sat", parse_opam(out)
            return ("unsat", None) if rc == 20 else ("error", None)
        if reader == "0install":                     # 0 solved, 1 no solution
            if rc == 0:
                return "sat", opam2feeds.selection_packages(out)
            return ("unsat", None) if rc == 1 else ("error", None)
        kind, cudf_path = reader
        if kind == "cudf":                           # vsolve cudf / cudf_libsolv: stdout
            if rc not in (0, 1):
                return "error", None
            return parse_cudf_solution(out, cudf_path)
        # mccs / aspcud write their solution file
        if not os.path.exists(base + ".cudf"):
            return "error", None
        with open(base + ".cudf", encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if rc != 0 and not text.lstrip().startswith("FAIL"):
            return "error", None
        return parse_cudf_solution(text, cudf_path)

    def check(self, req, sol):
        argv = [self.vsolve, "--ecosystem", "opam", "--repo", self.snapshot(req), "--cache",
                self.cache(req), "check", "--solution", sol, req["compiler"]] + req["atoms"]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        msg = (p.stdout + p.stderr).strip()
        if p.returncode == 0:
            return "ok", msg
        return ("REJECTED" if p.returncode == 1 else "check-error"), msg

    def store(self, rec):
        self.records.append(rec)
        self.jsonl.write(json.dumps(rec) + "\n")
        self.jsonl.flush()
        return rec


# ------------------------------------------------------------------------------------------------
# reporting

def machine_info(vsolve):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            mem = "%.1f GiB" % (int(fh.readline().split()[1]) / (1 << 20))
    except (OSError, ValueError, IndexError):
        pass
    os_name = "?"
    try:
        with open("/etc/os-release") as fh:
            for line in fh:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass

    def version(argv):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=20)
            return ((p.stdout or p.stderr).strip().splitlines() or ["?"])[0]
        except (OSError, subprocess.SubprocessError):
            return "not installed"

    def deb(pkg):
        return version(["dpkg-query", "-W", "-f=${Version}", pkg])
    src = os.path.join(os.path.dirname(os.path.abspath(vsolve)), "vsolve.source")
    if os.path.exists(src):                          # written by setup.sh when it built vsolve
        with open(src) as fh:
            kv = dict(l.rstrip("\n").split(" ", 1) for l in fh if " " in l)
        provenance = "built from commit %s%s on %s" % (
            kv.get("commit", "?"), ", with uncommitted changes outside bench/" if "yes" in kv.get("uncommitted", "") else "",
            kv.get("built", "?"))
    else:
        commit = version(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
        dirty = version(["git", "-C", REPO, "--no-optional-locks", "status", "--porcelain",
                         "--untracked-files=no"])
        provenance = "checkout at commit %s%s" % (commit, ", uncommitted changes" if dirty not in ("", "?") else "")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host_os": os_name, "kernel": platform.release(), "nproc": os.cpu_count(),
        "cpu": cpu, "memory": mem, "loadavg_start": os.getloadavg(),
        "vsolve": "%s (%s)" % (version([vsolve, "--version"]), provenance),
        "opam": version(["opam", "--version"]), "mccs": deb("mccs"), "aspcud": deb("aspcud"),
        "libsolv": deb("libsolv1"), "0install": version(["0install", "--version"]),
    }


def fmt_ms(s):
    ms = s * 1e3
    if ms >= 10000:
        return "%.0f" % ms
    if ms >= 100:
        return "%.0f" % ms
    return "%.1f" % ms


def report(bench, requests, solvers, info, t_total):
    recs = {(r["request"], r["solver"]): r for r in bench.records}
    lines = []
    P = lines.append
    P("Machine: %s, %s, %s cores (nproc), %s RAM, kernel %s; load average at start %s, at end %s."
      % (info["host_os"], info["cpu"], info["nproc"], info["memory"], info["kernel"],
         "/".join("%.2f" % x for x in info["loadavg_start"]),
         "/".join("%.2f" % x for x in os.getloadavg())))
    P("Date: %s. vsolve %s; opam %s; mccs %s; aspcud %s; libsolv %s; %s."
      % (info["date"], info["vsolve"], info["opam"], info["mccs"], info["aspcud"], info["libsolv"],
         info["0install"]))
    P("Runs per solver: %s. Wall time of the whole process, median over the runs; total bench time %.0f s."
      % (", ".join("%s %d" % (s, bench.runs_for(s)) for s in solvers), t_total))
    P("Timing harness: Python subprocess spawn + wait4; starting /bin/true this way costs %.1f ms "
      "(median of 20), included in every number below." % (info["spawn_overhead"] * 1e3))
    P("")
    # timing table
    P("### Median wall time (ms); in brackets the ratio to vsolve-cache (higher = slower than vsolve)")
    P("")
    P("| request | " + " | ".join(SHORT.get(s, s) for s in solvers) + " |")
    P("|---" * (len(solvers) + 1) + "|")
    for req in requests:
        base = recs.get((req["id"], "vsolve-cache"))
        bm = base.get("median") if base else None
        cells = []
        for s in solvers:
            r = recs.get((req["id"], s))
            if not r or r["status"] == "n/a":
                cells.append("-")
                continue
            if r["status"] == "timeout":
                cells.append(">%s (timeout)" % fmt_ms(r["median"]))
                continue
            c = fmt_ms(r["median"])
            if s != "vsolve-cache" and bm:
                c += " (%.1fx)" % (r["median"] / bm)
            if r["status"] == "error":
                c += " error"
            cells.append(c)
        P("| %s | %s |" % (req["id"], " | ".join(cells)))
    P("")
    # answers table
    P("### Answers: packages in the solution and the verdict of vsolve's checker "
      "(ok = accepted; REJECTED = vsolve check refuses it; unsat = the solver says no solution)")
    P("")
    P("| request | expect | " + " | ".join(SHORT.get(s, s) for s in solvers) + " | same set as opam |")
    P("|---" * (len(solvers) + 3) + "|")
    for req in requests:
        cells = []
        ref = recs.get((req["id"], "opam"))
        refset = ref.get("packages") if ref else None
        same = []
        for s in solvers:
            r = recs.get((req["id"], s))
            if not r or r["status"] == "n/a":
                cells.append("-")
                continue
            if r["status"] == "sat":
                cells.append("%d %s" % (r["size"], r["check"]))
                if refset is not None and s != "opam" and r["packages"] == refset:
                    same.append(SHORT.get(s, s))
            else:
                cells.append(r["status"])
                if refset is None and ref and ref["status"] == r["status"] == "unsat" and s != "opam":
                    same.append(SHORT.get(s, s))
        P("| %s | %s | %s | %s |" % (req["id"], req["expect"], " | ".join(cells),
                                     ", ".join(same) if ref else "(opam not run)"))
    P("")
    P("### Summary against the targets")
    P("")
    for l in summary(recs, requests, solvers):
        P("- " + l)
    problems = [r for r in bench.records if r.get("check") not in (None, "ok")
                or r["status"] in ("error",)
                or (r["status"] in ("sat", "unsat") and r["status"] != r["expect"])]
    if problems:
        P("")
        P("### Surprises (answers the checker rejects, errors, unexpected satisfiability)")
        P("")
        for r in problems:
            msg = r.get("check_msg") or r.get("why") or ""
            P("- %s / %s: status %s (expected %s)%s%s" % (
                r["request"], r["solver"], r["status"], r["expect"],
                ", checker: %s" % r["check"] if r.get("check") else "",
                (": " + " | ".join(msg.splitlines()[:6])) if msg else ""))
    return "\n".join(lines) + "\n"


def _med(xs):
    return statistics.median(xs) if xs else None


def summary(recs, requests, solvers):
    out = []
    ok = lambda r: r is not None and r["status"] in ("sat", "unsat")  # noqa: E731
    vc = {q["id"]: recs.get((q["id"], "vsolve-cache")) for q in requests}
    if not any(ok(r) for r in vc.values()):
        return ["vsolve-cache was not run: no summary."]

    def ratios(peer_solvers):
        res = []
        for q in requests:
            b = vc[q["id"]]
            peers = [recs.get((q["id"], s)) for s in peer_solvers]
            peers = [p for p in peers if ok(p)]
            if ok(b) and peers:
                best = min(peers, key=lambda p: p["median"])
                res.append((best["median"] / b["median"], q["id"], best["median"], b["median"], best["solver"]))
        return res

    vmed = _med([r["median"] for r in vc.values() if ok(r)])
    opam_solvers = [s for s in solvers if s in OPAM_SOLVER]
    rs = ratios(opam_solvers)
    if rs:
        worst = min(rs)
        n_ok = sum(1 for x in rs if x[0] >= 100)
        met = n_ok == len(rs) and vmed < 0.020
        out.append("Target 1 (vsolve from cache >= 100x faster than opam's fastest working solver on "
                   "every request, and median < 20 ms): %s. %d/%d requests at >= 100x against %s; "
                   "lowest ratio %.0fx (%s: opam %.0f ms vs vsolve %.1f ms); median ratio %.0fx; "
                   "vsolve-cache median over requests %.1f ms (max %.1f ms, %s)."
                   % ("MET" if met else "NOT MET", n_ok, len(rs), "/".join(opam_solvers), worst[0],
                      worst[1], worst[2] * 1e3, worst[3] * 1e3, _med([x[0] for x in rs]), vmed * 1e3,
                      max(r["median"] for r in vc.values() if ok(r)) * 1e3,
                      max((r for r in vc.values() if ok(r)), key=lambda r: r["median"])["request"]))
    else:
        out.append("Target 1: opam not run (median of vsolve-cache %.1f ms)." % (vmed * 1e3))
    for peer, label, factor in (("libsolv-full", "Target 2 (vsolve from cache >= 8x faster than libsolv "
                                                 "parse+solve on the full CUDF)", 8.0),):
        if peer in solvers:
            rs = ratios([peer])
            if rs:
                n_ok = sum(1 for x in rs if x[0] >= factor)
                worst = min(rs)
                out.append("%s: %s. %d/%d requests at >= %.0fx; lowest %.1fx (%s: libsolv %.1f ms vs "
                           "vsolve %.1f ms); median ratio %.1fx."
                           % (label, "MET" if n_ok == len(rs) else "NOT MET", n_ok, len(rs), factor,
                              worst[0], worst[1], worst[2] * 1e3, worst[3] * 1e3,
                              _med([x[0] for x in rs])))
    if "vsolve-trim" in solvers and "libsolv-trim" in solvers:
        pairs = []
        for q in requests:
            a, b = recs.get((q["id"], "vsolve-trim")), recs.get((q["id"], "libsolv-trim"))
            if ok(a) and ok(b):
                pairs.append((a["median"] / b["median"], q["id"], a["median"], b["median"]))
        if pairs:
            n_ok = sum(1 for x in pairs if x[0] <= 1.0)
            worst = max(pairs)
            out.append("Target 3 (vsolve on trimmed CUDF no slower than libsolv on trimmed CUDF): %s. "
                       "vsolve <= libsolv on %d/%d requests; median vsolve/libsolv %.2f; medians %.1f ms "
                       "vs %.1f ms; worst %s: %.1f ms vs %.1f ms (%.2fx)."
                       % ("MET" if n_ok == len(pairs) else "NOT MET", n_ok, len(pairs),
                          _med([x[0] for x in pairs]), _med([x[2] for x in pairs]) * 1e3,
                          _med([x[3] for x in pairs]) * 1e3, worst[1], worst[2] * 1e3, worst[3] * 1e3,
                          worst[0]))
    if "vsolve-tgz" in solvers:
        t = [recs.get((q["id"], "vsolve-tgz")) for q in requests]
        t = [r for r in t if ok(r)]
        if t:
            m = _med([r["median"] for r in t])
            mx = max(t, key=lambda r: r["median"])
            out.append("Target 4 (from the raw .tar.gz, median < 500 ms): %s. median %.0f ms over %d "
                       "requests; min %.0f ms; max %.0f ms (%s)."
                       % ("MET" if m < 0.5 else "NOT MET", m * 1e3, len(t),
                          min(r["median"] for r in t) * 1e3, mx["median"] * 1e3, mx["request"]))
    un = [vc[q["id"]] for q in requests if q["expect"] == "unsat" and ok(vc[q["id"]])]
    if un:
        mx = max(un, key=lambda r: r["median"])
        allun = all(r["status"] == "unsat" for r in un)
        out.append("Target 5 (unsat requests answered < 100 ms from the cache): %s. %d unsat requests, "
                   "all answered unsat: %s; slowest %s %.1f ms."
                   % ("MET" if mx["median"] < 0.1 and allun else "NOT MET", len(un),
                      "yes" if allun else "NO", mx["request"], mx["median"] * 1e3))
    rej = [r for r in recs.values() if r.get("check") not in (None, "ok")]
    checked = [r for r in recs.values() if r.get("check")]
    out.append("Checker: %d answers checked, %d rejected%s." % (
        len(checked), len(rej), "" if not rej else " (" + ", ".join(
            "%s/%s" % (r["request"], r["solver"]) for r in rej) + ")"))
    wrong = [r for r in recs.values() if r["status"] in ("sat", "unsat") and r["status"] != r["expect"]]
    if wrong:
        out.append("Unexpected satisfiability: " + ", ".join(
            "%s/%s says %s" % (r["request"], r["solver"], r["status"]) for r in wrong) + ".")
    cpus = [r["cpu_median"] for r in vc.values() if ok(r)]
    out.append("vsolve-cache CPU time (user+sys, steadier than wall under load): median %.1f ms, max %.1f ms."
               % (_med(cpus) * 1e3, max(cpus) * 1e3))
    old = [recs.get((q["id"], "vsolve-old")) for q in requests]
    if any(r and ok(r) for r in old):
        pairs = [(vc[q["id"]], r) for q, r in zip(requests, old) if r and ok(r) and ok(vc[q["id"]])]
        out.append("vsolve-old beside vsolve-cache (the binaries: machine.json, runs.jsonl), %d requests: median "
                   "wall %.1f -> %.1f ms, median CPU %.1f -> %.1f ms; median of the per-request wall ratios "
                   "old/new %.2f." % (len(pairs), _med([o["median"] for _, o in pairs]) * 1e3,
                      _med([n["median"] for n, _ in pairs]) * 1e3, _med([o["cpu_median"] for _, o in pairs]) * 1e3,
                      _med([n["cpu_median"] for n, _ in pairs]) * 1e3,
                      _med([o["median"] / n["median"] for n, o in pairs])))
    slow = sorted((r for r in vc.values() if ok(r)), key=lambda r: -r["median"])[:5]
    out.append("Slowest vsolve-cache requests: " + ", ".join(
        "%s %.1f ms" % (r["request"], r["median"] * 1e3) for r in slow) + ".")
    return out


def sweep(bench, a):
    """vsolve sweep on the 2026 snapshot, from the cache and from the .tar.gz: wall and peak RSS."""
    snap = os.path.join(a.corpora, "opam-repository-2026-08-22.tar.gz")
    cache = os.path.join(a.work, "cache", "2026-08-22.vcache")
    lines = ["### vsolve sweep (2026-08-22 snapshot; targets: < 60 s wall, < 200 MB peak RSS)", ""]
    lines.append("| mode | wall (s) | peak RSS (MB) | summary | targets |")
    lines.append("|---|---|---|---|---|")
    for mode, extra in (("from cache", ["--cache", cache]), ("from .tar.gz", ["--no-cache"])):
        base = os.path.join(bench.tmp, "sweep-" + mode.split()[-1].strip("."))
        argv = ["/usr/bin/time", "-f", "TIME %e %M", a.vsolve, "--ecosystem", "opam", "--repo", snap] + \
            extra + ["sweep"]
        r = run_cmd(argv, base + ".out", base + ".err", a.sweep_timeout)
        with open(base + ".err") as fh:
            err = fh.read()
        with open(base + ".out") as fh:
            out = fh.read()
        m = re.search(r"TIME ([\d.]+) (\d+)", err)
        wall, rss_mb = (float(m.group(1)), int(m.group(2)) / 1024) if m else (r["wall"], r["maxrss_kb"] / 1024)
        summ = [" ".join(l.split()).rstrip(":") for l in out.splitlines()[-8:]
                if "checked" in l or l.strip().endswith(" installable")]
        met = r["rc"] == 0 and not r["timed_out"] and wall < 60 and rss_mb < 200
        rec = {"request": "sweep-2026", "solver": "vsolve-sweep " + mode, "wall": wall, "rc": r["rc"],
               "maxrss_mb": rss_mb, "summary": summ, "timed_out": r["timed_out"], "command": argv,
               "load_before": os.getloadavg()}
        bench.jsonl.write(json.dumps(rec) + "\n")
        lines.append("| %s | %.1f | %.0f | %s | %s |" % (mode, wall, rss_mb, "; ".join(summ) or "rc %d" % r["rc"],
                                                       "MET" if met else "NOT MET"))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.environ.get("VSOLVE_BENCH_WORK", "/tmp/vsolve-bench"))
    ap.add_argument("--vsolve", help="vsolve binary (default WORK/build/vsolve)")
    ap.add_argument("--vsolve-old", help="a second vsolve binary for the vsolve-old column")
    ap.add_argument("--corpora", default=os.environ.get("VSOLVE_CORPORA"))
    ap.add_argument("--only", help="request ids, comma-separated")
    ap.add_argument("--solvers", default=",".join(DEFAULT_SOLVERS),
                    help="comma-separated (or 'none'); choices: " + ",".join(ALL_SOLVERS))
    ap.add_argument("--runs", type=int, default=3, help="runs per solver (default 3)")
    ap.add_argument("--runs-for", default="",
                    help="per-solver runs, e.g. opam=1,0install=1 (defaults: opam 2; opam-mccs, "
                         "opam-aspcud, mccs-trim, aspcud-trim, 0install 1; others --runs)")
    ap.add_argument("--timeout", type=float, default=180, help="seconds per run (default 180)")
    ap.add_argument("--timeout-0install", type=float, default=20,
                    help="seconds per 0install run (default 20: its unsat diagnostics take minutes)")
    ap.add_argument("--opam-solver-timeout", type=float, default=60, help="OPAMSOLVERTIMEOUT (default 60)")
    ap.add_argument("--mem-gb", type=float, default=8, help="address-space cap for mccs/aspcud")
    ap.add_argument("--sweep", action="store_true", help="also time `vsolve sweep` on the 2026 snapshot")
    ap.add_argument("--sweep-timeout", type=float, default=600)
    a = ap.parse_args()
    a.vsolve = a.vsolve or os.path.join(a.work, "build", "vsolve")
    if not a.corpora:
        c = os.path.join(os.path.dirname(REPO), "shared", "corpora")
        a.corpora = c if os.path.isdir(c) else "/work/shared/corpora"
    a.runs_for = {k: int(v) for k, v in (x.split("=") for x in a.runs_for.split(",") if x)}
    solvers = [] if a.solvers == "none" else [s.strip() for s in a.solvers.split(",") if s.strip()]
    for s in solvers:
        if s not in ALL_SOLVERS:
            ap.error("unknown solver %s" % s)
    if not os.access(a.vsolve, os.X_OK):
        ap.error("no vsolve at %s: run bash bench/setup.sh (or pass --vsolve)" % a.vsolve)
    if "vsolve-old" in solvers and not (a.vsolve_old and os.access(a.vsolve_old, os.X_OK)):
        ap.error("the vsolve-old column needs --vsolve-old BINARY")
    with open(os.path.join(a.corpora, "requests.json")) as fh:
        requests = json.load(fh)
    if a.only:
        want = a.only.split(",")
        unknown = [w for w in want if w not in {q["id"] for q in requests}]
        if unknown:
            ap.error("unknown request ids: " + ",".join(unknown))
        requests = [q for q in requests if q["id"] in want]
    for tool, needed in (("opam", any(s in OPAM_SOLVER for s in solvers)), ("mccs", "mccs-trim" in solvers),
                         ("aspcud", "aspcud-trim" in solvers), ("0install", "0install" in solvers)):
        if needed and not shutil.which(tool):
            ap.error("%s is not installed: run bash bench/setup.sh" % tool)

    bench = Bench(a)
    info = machine_info(a.vsolve)
    info["spawn_overhead"] = statistics.median(
        run_cmd(["/bin/true"], os.devnull, os.devnull, 10)["wall"] for _ in range(20))
    with open(os.path.join(bench.out, "machine.json"), "w") as fh:
        json.dump(info, fh, indent=1)
    t0 = time.perf_counter()
    # the universe caches: `vsolve index` once per snapshot (not timed as part of a solve)
    if solvers or a.sweep:
        os.makedirs(os.path.join(a.work, "cache"), exist_ok=True)
        for snap in sorted({q["snapshot"] for q in requests} | ({"opam-repository-2026-08-22.tar.gz"} if a.sweep else set())):
            tag = snap.replace("opam-repository-", "").replace(".tar.gz", "")
            argv = [a.vsolve, "--ecosystem", "opam", "--repo", os.path.join(a.corpora, snap), "--cache",
                    os.path.join(a.work, "cache", tag + ".vcache"), "index"]
            t = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            print("vsolve index %s: %.2f s" % (tag, time.perf_counter() - t), file=sys.stderr)
            if "vsolve-old" in solvers:   # the old binary's own cache (its format may differ)
                argv = [a.vsolve_old] + argv[1:6] + [os.path.join(a.work, "cache", tag + ".old.vcache"), "index"]
                subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    for i, req in enumerate(requests):
        line = []
        for r in bench.measure(req, solvers):
            if r["status"] == "n/a":
                continue
            s = r["solver"]
            line.append("%s %s%s" % (SHORT.get(s, s), fmt_ms(r["median"]) + "ms",
                                     "" if r["status"] == "sat" else " " + r["status"]))
        print("[%d/%d] %s: %s" % (i + 1, len(requests), req["id"], ", ".join(line)), file=sys.stderr, flush=True)
    text = ""
    if solvers:
        text = report(bench, requests, solvers, info, time.perf_counter() - t0)
    if a.sweep:
        text += "\n" + sweep(bench, a)
    bench.jsonl.close()
    shutil.rmtree(bench.tmp, ignore_errors=True) if not os.listdir(bench.tmp) else None
    with open(os.path.join(bench.out, "report.md"), "w") as fh:
        fh.write(text)
    latest = os.path.join(a.work, "results", "latest")
    if os.path.islink(latest) or not os.path.exists(latest):
        if os.path.islink(latest):
            os.unlink(latest)
        os.symlink(bench.stamp, latest)
    print(text)
    print("results: %s (runs.jsonl, report.md, solutions/, machine.json)" % bench.out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
