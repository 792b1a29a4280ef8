#!/usr/bin/env python3
"""No include or call cycles between the files of src/, tools/, host/, ports/.

Two graphs, one node per file:
  - includes: an edge a -> b for each `#include "b"` in a, resolved against
    a's folder, then include/, src/, host/, tools/, ports/posix/ (what the
    build puts on the include path); <...> includes are other projects';
  - calls: with BUILD (a CMake build folder), an edge a.c -> b.c when a's
    object leaves a symbol undefined that b's object defines (`nm`), over
    the objects of the files above. A .c and the header of the same name
    are one module for this graph only through the include graph.
Any strongly connected group of more than one file (or a file including
itself) is a cycle, printed with its files; the script then exits 1.
It also fails when a file of tools/, host/ or ports/ includes a private
header of src/ (they use the public headers of include/otter/ only; tests/
and fuzz/ may use the private ones).
Usage: scripts/check-cycles.py [--root ROOT] [BUILD]
"""
import os
import re
import subprocess
import sys

DIRS = ("src", "tools", "host", "ports")
INC_PATH = ("include", "src", "host", "tools", "ports/posix")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def files(root):
    out = []
    for d in DIRS:
        for base, _, names in os.walk(os.path.join(root, d)):
            for n in names:
                if n.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(base, n), root))
    return sorted(out)


def resolve(root, src, name):
    for d in (os.path.dirname(src),) + INC_PATH:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None


def include_graph(root, srcs):
    g = {}
    for f in srcs:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        g[f] = set()
        for name in INCLUDE_RE.findall(text):
            p = resolve(root, f, name)
            if p and p.split(os.sep)[0] in DIRS:
                g[f].add(p)
    return g


def objects(build, srcs):
    """source file -> object file (the newest one CMake made from it)."""
    want = {s for s in srcs if s.endswith(".c")}
    found = {}
    for base, _, names in os.walk(os.path.join(build, "CMakeFiles")):
        for n in names:
            if not n.endswith(".c.o"):
                continue
            path = os.path.join(base, n)
            rel = os.path.relpath(path, os.path.join(build, "CMakeFiles"))
            src = rel.split(os.sep, 1)[1][:-2] if os.sep in rel else None  # <target>.dir/<src>.o
            if src in want and (src not in found or os.path.getmtime(path) > os.path.getmtime(found[src])):
                found[src] = path
    return found


def call_graph(objs):
    defined, undefined = {}, {}
    for src, obj in objs.items():
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        d, u = set(), set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                u.add(parts[1])
            elif len(parts) == 3 and parts[1] in "TDBRCV":
                d.add(parts[2])
        defined[src], undefined[src] = d, u
    owner = {}
    for src, d in defined.items():
        for s in d:
            owner.setdefault(s, src)
    g = {src: set() for src in objs}
    for src, u in undefined.items():
        for s in u:
            if s in owner and owner[s] != src:
                g[src].add(owner[s])
    return g


def cycles(g):
    """Tarjan: the strongly connected groups with more than one node, or a self-loop."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in g.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def main(argv):
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    args = list(argv)
    if args[:1] == ["--root"]:
        root = os.path.abspath(args[1])
        args = args[2:]
    build = args[0] if args else None
    srcs = files(root)
    bad = 0
    inc = include_graph(root, srcs)
    for comp in cycles(inc):
        print("include cycle: " + " <-> ".join(comp))
        bad += 1
    for f, deps in sorted(inc.items()):
        if f.split(os.sep)[0] in ("tools", "host", "ports"):
            for d in sorted(deps):
                if d.startswith("src" + os.sep) and d.endswith(".h"):
                    print("%s includes the core's private header %s" % (f, d))
                    bad += 1
    edges = sum(len(v) for v in inc.values())
    msg = "check-cycles: %d files, %d include edges" % (len(srcs), edges)
    if build:
        objs = objects(build, srcs)
        if not objs:
            print("check-cycles: no objects in %s (build it first)" % build)
            return 1
        calls = call_graph(objs)
        for comp in cycles(calls):
            print("call cycle: " + " <-> ".join(comp))
            bad += 1
        msg += ", %d objects, %d call edges" % (len(objs), sum(len(v) for v in calls.values()))
    print(msg + (": %d problem(s)" % bad if bad else ": no cycles"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
