#!/usr/bin/env python3
"""opam2feeds.py: turns an opam repository into 0install feeds, so that the 0install solver
(Debian's `0install select`) can be benchmarked on the same requests as vsolve.

  opam2feeds.py convert REPO_DIR OUT          REPO_DIR holds packages/NAME/NAME.VERSION/opam
  opam2feeds.py root OUT ID ATOM...           OUT/roots/ID.xml: one implementation requiring
                                              every atom (NAME, NAME.VERSION, NAME<op>VERSION)
  opam2feeds.py selection SEL.xml             NAME.VERSION lines of a `0install select --xml`

Mapping (one fixed platform: the variables opam 2.1 sets for `opam install` on an empty switch
on this Debian 12 x86_64 machine, as vsolve does; undefined variables make a filter false):
  * each opam package NAME is a feed OUT/feeds/NAME.xml; each *available* version is an
    implementation whose 0install version is its rank 1..N in opam's version order (0install
    versions cannot hold opam's letters, `~` or `+`); id = the opam version;
  * depends: filters are evaluated here (build, post true; with-test, with-doc, dev false);
    a filtered-out atom disappears, also inside a disjunction; an atom becomes
    <requires interface=NAME version=SET> where SET is the ranks its version formula accepts;
  * a disjunction becomes a <requires> on a virtual feed OUT/feeds/_or/HASH.xml with one
    implementation per alternative (the first one ranked highest, so preferred);
  * conflicts: <restricts interface=NAME version=COMPLEMENT> per conflicting atom;
  * conflict-class: <restricts> excluding the versions of every other package of the class;
  * not modelled: depopts (opam 2 ignores them for an install), avoid-version (0install has no
    global objective; it simply prefers newest versions), pins, installed state.
"""
import functools
import hashlib
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

# ------------------------------------------------------------------------------------------------
# opam's version order (Debian-like: `~` sorts before everything, even the end of the string;
# letters before other characters; digit runs compare as numbers), upstream part before the last
# `-` first, then the part after it.


def _order(c):
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _cmp_part(a, b):
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        while (i < la and not a[i].isdigit()) or (j < lb and not b[j].isdigit()):
            ca = _order(a[i]) if i < la and not a[i].isdigit() else 0
            cb = _order(b[j]) if j < lb and not b[j].isdigit() else 0
            if ca != cb:
                return -1 if ca < cb else 1
            if i < la and not a[i].isdigit():
                i += 1
            if j < lb and not b[j].isdigit():
                j += 1
        while i < la and a[i] == "0":
            i += 1
        while j < lb and b[j] == "0":
            j += 1
        si = i
        while i < la and a[i].isdigit():
            i += 1
        sj = j
        while j < lb and b[j].isdigit():
            j += 1
        da, db = a[si:i], b[sj:j]
        if len(da) != len(db):
            return -1 if len(da) < len(db) else 1
        if da != db:
            return -1 if da < db else 1
    return 0


@functools.lru_cache(maxsize=None)
def vcmp(a, b):
    """opam version comparison: -1, 0 or 1."""
    if a == b:
        return 0
    ua, _, ra = a.rpartition("-") if "-" in a else (a, "", "")
    ub, _, rb = b.rpartition("-") if "-" in b else (b, "", "")
    c = _cmp_part(ua, ub)
    return c if c else _cmp_part(ra, rb)


RELOPS = {
    "=": lambda c: c == 0, "!=": lambda c: c != 0, "<": lambda c: c < 0,
    "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
}

# ------------------------------------------------------------------------------------------------
# opam file syntax: lexer and a precedence-climbing parser producing tuples.
#   ('str', s) ('id', s) ('bool', b) ('int', n) ('list', [v]) ('group', [v]) ('opt', v, [v])
#   ('and', a, b) ('or', a, b) ('not', a) ('def', a) ('relop', op, a, b) ('pfx', op, a)
#   ('envop', op, a, b)


class ParseError(Exception):
    pass


_IDCH = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+")
_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "\\": "\\", '"': '"', "'": "'", " ": " "}


def tokenize(text):
    toks = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":
            e = text.find("\n", i)
            i = n if e < 0 else e + 1
        elif text.startswith("(*", i):
            e = text.find("*)", i + 2)
            if e < 0:
                raise ParseError("unterminated comment")
            i = e + 2
        elif text.startswith('"""', i):
            e = i + 3                               # escapes hold inside too: \" is no end
            while not text.startswith('"""', e):
                if e >= n:
                    raise ParseError("unterminated triple-quoted string")
                e += 2 if text[e] == "\\" else 1
            toks.append(("STR", text[i + 3:e]))
            i = e + 3
        elif c == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise ParseError("unterminated string")
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n:
                    d = text[i + 1]
                    if d in _ESC:
                        buf.append(_ESC[d])
                        i += 2
                    elif d == "\n":          # line continuation: skip leading blanks
                        i += 2
                        while i < n and text[i] in " \t":
                            i += 1
                    elif d.isdigit() and i + 3 < n:
                        buf.append(chr(int(text[i + 1:i + 4])))
                        i += 4
                    elif d == "x" and i + 3 < n:
                        buf.append(chr(int(text[i + 2:i + 4], 16)))
                        i += 4
                    else:
                        buf.append(d)
                        i += 2
                else:
                    buf.append(c)
                    i += 1
            toks.append(("STR", "".join(buf)))
        elif c in "[](){}":
            toks.append((c, c))
            i += 1
        elif c == "!":
            if text.startswith("!=", i):
                toks.append(("RELOP", "!="))
                i += 2
            else:
                toks.append(("NOT", "!"))
                i += 1
        elif c in "<>":
            if i + 1 < n and text[i + 1] == "=":
                toks.append(("RELOP", c + "="))
                i += 2
            else:
                toks.append(("RELOP", c))
                i += 1
        elif c == "=":
            for op in ("=+=", "=+", "=:"):
                if text.startswith(op, i):
                    toks.append(("ENVOP", op))
                    i += len(op)
                    break
            else:
                toks.append(("RELOP", "="))
                i += 1
        elif c == ":":
            if text.startswith(":=", i):
                toks.append(("ENVOP", ":="))
                i += 2
            else:
                toks.append((":", ":"))
                i += 1
        elif c == "+" and text.startswith("+=", i):
            toks.append(("ENVOP", "+="))
            i += 2
        elif c == "&":
            toks.append(("AND", "&"))
            i += 1
        elif c == "|":
            toks.append(("OR", "|"))
            i += 1
        elif c == "?":
            toks.append(("DEF", "?"))
            i += 1
        elif c in _IDCH:
            s = i
            while i < n and (text[i] in _IDCH or
                             (text[i] == ":" and i + 1 < n and text[i + 1] in _IDCH and text[i + 1] != "=")):
                i += 1
            w = text[s:i]
            if w in ("true", "false"):
                toks.append(("BOOL", w == "true"))
            elif w.isdigit() or (w[0] == "-" and w[1:].isdigit()):
                toks.append(("INT", int(w)))
            else:
                toks.append(("ID", w))
        else:
            raise ParseError("unexpected character %r" % c)
    return toks


class Parser:
    # binding powers: | 1, & 2, relop 3 (non-associative); ! and ? take a relop-level operand
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else ("EOF", None)

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, kind):
        tok = self.next()
        if tok[0] != kind:
            raise ParseError("expected %s, got %r" % (kind, tok))
        return tok

    def values(self, close):
        out = []
        while self.peek()[0] != close:
            if self.peek()[0] == "EOF":
                raise ParseError("missing " + close)
            out.append(self.value(0))
        self.next()
        return out

    def primary(self):
        kind, v = self.next()
        if kind == "STR":
            return ("str", v)
        if kind == "ID":
            return ("id", v)
        if kind == "BOOL":
            return ("bool", v)
        if kind == "INT":
            return ("int", v)
        if kind == "[":
            return ("list", self.values("]"))
        if kind == "(":
            return ("group", self.values(")"))
        if kind == "NOT":
            return ("not", self.value(3))
        if kind == "DEF":
            return ("def", self.value(3))
        if kind == "RELOP":
            return ("pfx", v, self.atom_with_options())
        raise ParseError("unexpected %r" % ((kind, v),))

    def atom_with_options(self):
        a = self.primary()
        while self.peek()[0] == "{":
            self.next()
            a = ("opt", a, self.values("}"))
        return a

    def value(self, minbp):
        left = self.atom_with_options()
        while True:
            kind, v = self.peek()
            if kind == "{":
                self.next()
                left = ("opt", left, self.values("}"))
            elif kind == "RELOP" and minbp <= 3:
                self.next()
                left = ("relop", v, left, self.atom_with_options())
            elif kind == "ENVOP" and minbp <= 3:
                self.next()
                left = ("envop", v, left, self.atom_with_options())
            elif kind == "AND" and minbp <= 2:
                self.next()
                left = ("and", left, self.value(3))
            elif kind == "OR" and minbp <= 1:
                self.next()
                left = ("or", left, self.value(2))
            else:
                return left

    def items(self, close):
        """Fields and sections until `close` (EOF at top level): {field: value}."""
        fields = {}
        while self.peek()[0] != close:
            kind, name = self.next()
            if kind != "ID":
                raise ParseError("expected a field name, got %r" % ((kind, name),))
            if self.peek()[0] == ":":
                self.next()
                fields[name] = self.value(0)
            else:                                   # section: NAME ["label"] { ... }
                if self.peek()[0] == "STR":
                    self.next()
                self.expect("{")
                self.items("}")
        self.next()
        return fields


def parse_opam(text):
    return Parser(tokenize(text)).items("EOF")

# ------------------------------------------------------------------------------------------------
# Filters (three-valued: None = undefined) and formulas.


GLOBAL_ENV = {
    "os": "linux", "arch": "x86_64", "os-family": "debian", "os-distribution": "debian",
    "os-version": "12", "opam-version": "2.1.2",
    "build": True, "post": True, "with-test": False, "with-doc": False, "with-dev-setup": False,
    "dev": False,
}
_INTERP = re.compile(r"%\{([^}]*)\}%")


class Env:
    def __init__(self, name, version):
        self.name, self.version = name, version

    def lookup(self, var):
        if ":" in var:
            pkg, _, v = var.rpartition(":")
            if pkg in ("_", self.name):
                return {"version": self.version, "name": self.name}.get(v)
            if v == "installed":
                return False
            if v == "enable":
                return "disable"
            return None
        if var == "version":
            return self.version
        if var == "name":
            return self.name
        return GLOBAL_ENV.get(var)

    def expand(self, s):
        if "%{" not in s:
            return s
        undefined = []

        def sub(m):
            val = self.lookup(m.group(1))
            if val is None:
                undefined.append(m.group(1))
                return ""
            return _tostr(val)
        out = _INTERP.sub(sub, s)
        return None if undefined else out


def _tostr(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _tobool(v):
    if isinstance(v, bool):
        return v
    if v == "true":
        return True
    if v == "false":
        return False
    return None


def feval(node, env):
    """Evaluates a filter: a str, a bool, or None when undefined."""
    k = node[0]
    if k == "bool":
        return node[1]
    if k == "str":
        return env.expand(node[1])
    if k == "int":
        return str(node[1])
    if k == "id":
        return env.lookup(node[1])
    if k == "relop":
        a, b = _tostr(feval(node[2], env)), _tostr(feval(node[3], env))
        if a is None or b is None:
            return None
        return RELOPS[node[1]](vcmp(a, b))
    if k in ("and", "or"):
        a, b = _tobool(feval(node[1], env)), _tobool(feval(node[2], env))
        if k == "and":
            if a is False or b is False:
                return False
            return None if a is None or b is None else True
        if a is True or b is True:
            return True
        return None if a is None or b is None else False
    if k == "not":
        a = _tobool(feval(node[1], env))
        return None if a is None else not a
    if k == "def":
        return feval(node[1], env) is not None
    if k in ("group", "list"):
        vals = [feval(x, env) for x in node[1]]
        if len(vals) == 1:
            return vals[0]
        bs = [_tobool(v) for v in vals]
        if False in bs:
            return False
        return None if None in bs else True
    return None


def ftrue(node, env):
    """A filter as opam's eval_to_bool with default false."""
    return _tobool(feval(node, env)) is True


class Universe:
    def __init__(self):
        self.versions = {}      # name -> [opam versions], sorted ascending (available only)
        self.rank = {}          # name -> {version: rank 1..N}
        self.files = {}         # (name, version) -> parsed fields
        self._cache = {}

    def all_ranks(self, name):
        return frozenset(self.rank.get(name, {}).values())

    def ranks_where(self, name, op, target):
        key = (name, op, target)
        r = self._cache.get(key)
        if r is None:
            test = RELOPS[op]
            r = frozenset(self.rank[name][v] for v in self.versions.get(name, ()) if test(vcmp(v, target)))
            self._cache[key] = r
        return r


TRUE, FALSE = "TRUE", "FALSE"


def _cand(a, b):
    """opam's partial_eval of a conjunction."""
    if a is FALSE or b is FALSE:
        return FALSE
    if a is TRUE:
        return b
    if b is TRUE:
        return a
    return a & b


def _cor(a, b):
    """opam's partial_eval of a disjunction."""
    if a is TRUE or b is TRUE:
        return TRUE
    if a is FALSE:
        return b
    if b is FALSE:
        return a
    return a | b


def constraint_eval(node, dep, env, u):
    """opam's filter_constraints: TRUE, FALSE (drop the atom) or a frozenset of ranks of dep."""
    k = node[0]
    if k == "pfx":
        target = _tostr(feval(node[2], env))
        if target is None:
            return FALSE
        return u.ranks_where(dep, node[1], target)
    if k == "and":
        return _cand(constraint_eval(node[1], dep, env, u), constraint_eval(node[2], dep, env, u))
    if k == "or":
        return _cor(constraint_eval(node[1], dep, env, u), constraint_eval(node[2], dep, env, u))
    if k in ("group", "list"):
        res = TRUE
        for x in node[1]:
            res = _cand(res, constraint_eval(x, dep, env, u))
        return res
    return TRUE if ftrue(node, env) else FALSE


# Filtered package formulas become trees over ("atom", name, ranks|None) with
# ("and", [..]) / ("or", [..]); None stands for opam's Empty (a dropped atom), neutral in both.

def _mk(kind, parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    flat = []
    for p in parts:
        flat.extend(p[1] if p[0] == kind else [p])
    return (kind, flat)


def formula(node, env, u, opts=None):
    k = node[0]
    if k == "str":
        name = node[1]
        res = TRUE
        for o in (opts or []):
            res = _cand(res, constraint_eval(o, name, env, u))
        if res is FALSE:
            return None
        return ("atom", name, None if res is TRUE else res)
    if k == "opt":
        return formula(node[1], env, u, (opts or []) + node[2])
    if k in ("list", "group"):
        return _mk("and", [formula(x, env, u, opts) for x in node[1]])
    if k == "and":
        return _mk("and", [formula(node[1], env, u, opts), formula(node[2], env, u, opts)])
    if k == "or":
        return _mk("or", [formula(node[1], env, u, opts), formula(node[2], env, u, opts)])
    raise ParseError("bad package formula node %r" % (k,))


def conflict_atoms(node, env, u, stats):
    """conflicts: a disjunction of atoms; returns [(name, ranks|None)]."""
    f = formula(node, env, u)
    if f is None:
        return []
    if f[0] == "atom":
        return [(f[1], f[2])]
    out = []
    for p in f[1]:
        if p[0] != "atom":
            stats["conflict_nonatomic_dropped"] = stats.get("conflict_nonatomic_dropped", 0) + 1
            continue
        out.append((p[1], p[2]))
    return out

# ------------------------------------------------------------------------------------------------
# Loading a repository


def load_repo(repo_dir, stats):
    u = Universe()
    pkgdir = os.path.join(repo_dir, "packages")
    found = {}                                     # name -> {version: text}
    for top in sorted(os.listdir(pkgdir)):
        p = os.path.join(pkgdir, top)
        if not os.path.isdir(p):
            continue
        if "." in top and os.path.isfile(os.path.join(p, "opam")):
            entries = [(top, p)]                   # flat layout packages/NAME.VERSION/opam
        else:
            entries = [(d, os.path.join(p, d)) for d in sorted(os.listdir(p))]
        for nv, d in entries:
            f = os.path.join(d, "opam")
            if "." not in nv or not os.path.isfile(f):
                continue
            name, _, version = nv.partition(".")
            with open(f, encoding="utf-8", errors="replace") as fh:
                found.setdefault(name, {})[version] = fh.read()
    for name in sorted(found):
        avail = []
        for version, text in found[name].items():
            try:
                fields = parse_opam(text)
            except (ParseError, ValueError, IndexError) as e:
                stats["parse_errors"] = stats.get("parse_errors", 0) + 1
                print("warning: %s.%s: %s" % (name, version, e), file=sys.stderr)
                continue
            env = Env(name, version)
            av = fields.get("available")
            if av is not None and not ftrue(av, env):
                stats["unavailable"] = stats.get("unavailable", 0) + 1
                continue
            u.files[(name, version)] = fields
            avail.append(version)
        avail.sort(key=functools.cmp_to_key(vcmp))
        kept = []
        for v in avail:                            # versions equal under opam's order count once
            if kept and vcmp(kept[-1], v) == 0:
                stats["equal_versions_dropped"] = stats.get("equal_versions_dropped", 0) + 1
                del u.files[(name, v)]
                continue
            kept.append(v)
        u.versions[name] = kept
        u.rank[name] = {v: i + 1 for i, v in enumerate(kept)}
    stats["names"] = len(u.versions)
    stats["implementations"] = sum(len(v) for v in u.versions.values())
    return u

# ------------------------------------------------------------------------------------------------
# Writing feeds

NS = "http://zero-install.sourceforge.net/2004/injector/interface"


def version_expr(ranks, n):
    """0install version expression for a set of ranks out of 1..n; None when it is all of them."""
    if len(ranks) == n:
        return None
    if not ranks:
        return "..!1"
    rs = sorted(ranks)
    runs = []
    a = b = rs[0]
    for r in rs[1:]:
        if r == b + 1:
            b = r
        else:
            runs.append((a, b))
            a = b = r
    runs.append((a, b))
    out = []
    for a, b in runs:
        if a == b:
            out.append(str(a))
        elif a == 1:
            out.append("..!%d" % (b + 1))
        elif b == n:
            out.append("%d.." % a)
        else:
            out.append("%d..!%d" % (a, b + 1))
    return " | ".join(out)


def feed_xml(name, summary, impls):
    """impls: [(id, version, [element xml strings])]."""
    lines = ['<?xml version="1.0" ?>', '<interface xmlns="%s">' % NS,
             "  <name>%s</name>" % _esc(name), "  <summary>%s</summary>" % _esc(summary)]
    for iid, ver, children in impls:
        head = '  <implementation id=%s version="%s" local-path="." stability="stable"' % (quoteattr(iid), ver)
        if children:
            lines.append(head + ">")
            lines.extend("    " + c for c in children)
            lines.append("  </implementation>")
        else:
            lines.append(head + "/>")
    lines.append("</interface>")
    return "\n".join(lines) + "\n"


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Writer:
    def __init__(self, u, out):
        self.u, self.out = u, out
        self.ors = {}                          # hash -> xml
        os.makedirs(os.path.join(out, "feeds", "_or"), exist_ok=True)
        os.makedirs(os.path.join(out, "roots"), exist_ok=True)

    def requires(self, f, prefix):
        """<requires> elements for formula f, seen from a feed whose path to feeds/ is prefix."""
        if f is None:
            return []
        if f[0] == "and":
            out = []
            for p in f[1]:
                out.extend(self.requires(p, prefix))
            return out
        if f[0] == "atom":
            name, ranks = f[1], f[2]
            n = len(self.u.versions.get(name, ()))
            expr = None if ranks is None else version_expr(ranks, n)
            attr = '' if expr is None else ' version="%s"' % expr
            return ['<requires interface="%s%s.xml"%s/>' % (prefix, name, attr)]
        # disjunction: a virtual feed with one implementation per alternative
        alts = [self.requires(p, "../") for p in f[1]]
        n = len(alts)
        impls = [("alt%d" % i, str(n - i), alts[i]) for i in range(n)]
        key = json.dumps(impls, sort_keys=True)
        h = hashlib.sha1(key.encode()).hexdigest()[:16]
        if h not in self.ors:
            self.ors[h] = feed_xml("_or/" + h, "virtual interface: one of %d alternatives" % n, impls)
        return ['<requires interface="%s_or/%s.xml"/>' % (prefix, h)]

    def restricts(self, name, ranks, prefix):
        n = len(self.u.versions.get(name, ()))
        if n == 0:
            return None
        allowed = frozenset(range(1, n + 1)) - (ranks if ranks is not None else frozenset(range(1, n + 1)))
        if len(allowed) == n:
            return None                              # conflicts with nothing that exists
        return '<restricts interface="%s%s.xml" version="%s"/>' % (prefix, name, version_expr(allowed, n))


def convert(repo_dir, out):
    stats = {}
    u = load_repo(repo_dir, stats)
    w = Writer(u, out)
    classes = {}                                     # class -> {name: set of ranks in the class}
    for (name, version), fields in u.files.items():
        cc = fields.get("conflict-class")
        if cc is None:
            continue
        items = cc[1] if cc[0] == "list" else [cc]
        for it in items:
            if it[0] == "str":
                classes.setdefault(it[1], {}).setdefault(name, set()).add(u.rank[name][version])
    index = {}
    depended = set()
    for name in sorted(u.versions):
        impls = []
        for version in reversed(u.versions[name]):
            fields = u.files[(name, version)]
            env = Env(name, version)
            children = []
            dep = fields.get("depends")
            if dep is not None:
                f = formula(dep if dep[0] == "list" else ("list", [dep]), env, u)
                children.extend(w.requires(f, "./"))
                _names(f, depended)
            con = fields.get("conflicts")
            if con is not None:
                node = con if con[0] != "list" else _or_list(con[1])
                if node is not None:
                    for cname, ranks in conflict_atoms(node, env, u, stats):
                        r = w.restricts(cname, ranks, "./")
                        if r:
                            children.append(r)
            cc = fields.get("conflict-class")
            if cc is not None:
                items = cc[1] if cc[0] == "list" else [cc]
                for it in items:
                    if it[0] != "str":
                        continue
                    for other, ranks in sorted(classes[it[1]].items()):
                        if other != name:
                            r = w.restricts(other, frozenset(ranks), "./")
                            if r:
                                children.append(r)
                                stats["conflict_class_restricts"] = stats.get("conflict_class_restricts", 0) + 1
            impls.append((version, str(u.rank[name][version]), children))
        index[name] = [[u.rank[name][v], v] for v in u.versions[name]]
        _write(os.path.join(out, "feeds", name + ".xml"), feed_xml(name, "opam package " + name, impls))
    for name in sorted(depended - set(u.versions)):     # depended on but absent: an empty feed
        _write(os.path.join(out, "feeds", name + ".xml"), feed_xml(name, "absent opam package " + name, []))
        stats["empty_feeds"] = stats.get("empty_feeds", 0) + 1
    for h, xml in w.ors.items():
        _write(os.path.join(out, "feeds", "_or", h + ".xml"), xml)
    stats["virtual_or_feeds"] = len(w.ors)
    with open(os.path.join(out, "stats.json"), "w") as fh:
        json.dump(stats, fh, indent=1, sort_keys=True)
    with open(os.path.join(out, "index.json"), "w") as fh:
        json.dump(index, fh)
    print("converted %s: %s" % (repo_dir, json.dumps(stats, sort_keys=True)))


def _or_list(items):
    node = None
    for it in items:
        node = it if node is None else ("or", node, it)
    return node


def _names(f, acc):
    if f is None:
        return
    if f[0] == "atom":
        acc.add(f[1])
    else:
        for p in f[1]:
            _names(p, acc)


def _write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)

# ------------------------------------------------------------------------------------------------
# Requests and selections

ATOM_RE = re.compile(r"^([A-Za-z0-9_+\-]+)\s*(<=|>=|!=|=|<|>)\s*(\S+)$")


def parse_atom(atom):
    """(name, op, version) or (name, None, None)."""
    m = ATOM_RE.match(atom)
    if m:
        return m.group(1), m.group(2), m.group(3)
    if "." in atom:
        name, _, version = atom.partition(".")
        return name, "=", version
    return atom, None, None


def write_root(out, rid, atoms):
    """OUT/roots/RID.xml: one implementation requiring every atom (atoms on one name intersect)."""
    index = _load_index(out)
    order, sets = [], {}
    for a in atoms:
        name, op, version = parse_atom(a)
        vs = index.get(name, [])
        allr = frozenset(r for r, _ in vs)
        if name not in sets:
            order.append(name)
            sets[name] = allr
        if op is not None:
            test = RELOPS[op]
            sets[name] = sets[name] & frozenset(r for r, v in vs if test(vcmp(v, version)))
    children = []
    for name in order:
        n = len(index.get(name, []))
        if n == 0:                                  # unknown package: an empty feed of its own
            _write(os.path.join(out, "roots", "_absent_" + name + ".xml"),
                   feed_xml(name, "absent opam package " + name, []))
            children.append('<requires interface="./_absent_%s.xml"/>' % name)
            continue
        expr = version_expr(sets[name], n)
        attr = '' if expr is None else ' version="%s"' % expr
        children.append('<requires interface="../feeds/%s.xml"%s/>' % (name, attr))
    path = os.path.join(out, "roots", rid + ".xml")
    _write(path, feed_xml("request-" + rid, "request " + " ".join(atoms), [("request", "1", children)]))
    return path


_INDEX = {}


def _load_index(out):
    if out not in _INDEX:
        with open(os.path.join(out, "index.json")) as fh:
            _INDEX[out] = json.load(fh)
    return _INDEX[out]


def selection_packages(xml_text):
    """NAME.VERSION of the real opam packages in a `0install select --xml` document."""
    root = ET.fromstring(xml_text)
    out = []
    for el in root.iter():
        if not el.tag.endswith("selection"):
            continue
        iface = el.get("interface", "")
        parent = os.path.basename(os.path.dirname(iface))
        if parent != "feeds":
            continue                                # roots/ and feeds/_or/ are not packages
        name = os.path.basename(iface)[:-4] if iface.endswith(".xml") else os.path.basename(iface)
        out.append("%s.%s" % (name, el.get("id")))
    return sorted(out)


def main(argv):
    if len(argv) >= 3 and argv[0] == "convert":
        convert(argv[1], argv[2])
        return 0
    if len(argv) >= 3 and argv[0] == "root":
        print(write_root(argv[1], argv[2], argv[3:]))
        return 0
    if len(argv) == 2 and argv[0] == "selection":
        with open(argv[1]) as fh:
            for p in selection_packages(fh.read()):
                print(p)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
