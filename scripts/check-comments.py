#!/usr/bin/env python3
"""Every file a comment cites must exist.

Reads the comments of the project's C, header, shell and CMake files and the
Markdown documents, finds what looks like a file of this repository (a path
under one of its top folders, or a bare name with a source extension), and
fails with file:line for each one that does not exist. Names of other
projects' files are allowed where the line says whose they are (ESP-IDF,
mbedTLS, ...). Usage: scripts/check-comments.py [ROOT]
"""
import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
TOP = ("src", "include", "tools", "host", "tests", "fuzz", "bench", "scripts", "ports", "docs", "examples")
EXTS = ("c", "h", "sh", "md", "def", "py", "cmake", "awk", "ino")
# A line that names another project is talking about that project's files.
FOREIGN = re.compile(r"ESP-IDF|esp-idf|IDF|mbedTLS|Mbed TLS|mbedtls|PSA|esptool|littlefs|MCUboot|"
                     r"coreHTTP|Arduino-ESP32|Arduino|EpoxyDuino|nginx|OpenSSL|openssl|libFuzzer|cmocka|FreeRTOS|"
                     r"newlib|picolibc|glibc|Debian|upstream|gen_esp32part|lwIP|PlatformIO|QEMU|qemu", re.I)
PATH_RE = re.compile(r"(?<![\w./-])((?:%s)/[\w./*-]*[\w*])" % "|".join(TOP))
NAME_RE = re.compile(r"(?<![\w./<-])([\w-]+(?:\.[\w-]+)*\.(?:%s))\b(?![/(])" % "|".join(EXTS))
SKIP_DIRS = {".git", ".deps"}
# The project's own documents, named without their folder.
DOC_RE = re.compile(r"\b(README|CONVENTIONS|DESIGN|FORMATS|PORTING|ARCHITECTURE|RESULTS)(\.md)?\b")


def comments_c(text):
    """Yield (line number, comment text) for /* */ and // comments, skipping string literals."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c == '"' or c == "'":
            q = c
            i += 1
            while i < n and text[i] != q:
                if text[i] == "\\":
                    i += 1
                elif text[i] == "\n":
                    break
                i += 1
            i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j
            for k, part in enumerate(text[i + 2:j].split("\n")):
                yield line + k, part
            line += text[i:j].count("\n")
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield line, text[i + 2:j]
            i = j
        else:
            i += 1


def comments_hash(text):
    for no, l in enumerate(text.split("\n"), 1):
        s = l.lstrip()
        if s.startswith("#") and not s.startswith("#!"):
            yield no, s[1:]


def comments_md(text):
    for no, l in enumerate(text.split("\n"), 1):
        yield no, l


def names_in_repo():
    names = set()
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not x.startswith("build")]
        names.update(files)
    return names


SYSTEM_HEADERS = {"stdio.h", "stdlib.h", "assert.h", "time.h", "stddef.h", "stdint.h", "stdbool.h",
                  "limits.h", "stdarg.h", "string.h", "errno.h", "unistd.h", "fcntl.h", "setjmp.h"}
# Names the text says are the user's own or another tool's (not this repository's).
OTHERS = {"espsecure.py", "WiFi.h", "HttpsOTAUpdate.h", "server_certificate.h", "my_otter_config.h"}


def exists(p):
    """A path, a glob, a module named without its extension (host/certchain),
    a file-name prefix (tools/cmd_), or a build output of a source (bench/timeit)."""
    p = p.rstrip(".")
    full = os.path.join(ROOT, p)
    if any(ch in p for ch in "*?["):
        return bool(glob.glob(full))
    if os.path.exists(full):
        return True
    stem = os.path.splitext(full)[0] if os.path.splitext(full)[1] in (".so", ".o", ".a") else full
    return bool(glob.glob(stem + ".*")) or (p.endswith("_") and bool(glob.glob(full + "*")))


def main():
    names = names_in_repo()
    bad = []
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not x.startswith("build")
                   and x not in ("corpus", "vectors", "keys")]
        for f in files:
            path = os.path.join(d, f)
            rel = os.path.relpath(path, ROOT)
            if f.endswith((".c", ".h", ".ino", ".cpp")):
                gen = comments_c
            elif f.endswith((".sh", ".cmake")) or f in ("CMakeLists.txt", "Makefile") or f.endswith(".py"):
                gen = comments_hash
            elif f.endswith(".md"):
                gen = comments_md
            else:
                continue
            try:
                text = open(path, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            for no, c in gen(text):
                for m in PATH_RE.finditer(c):
                    p = m.group(1)
                    before = c[max(0, m.start() - 30):m.start()]
                    foreign = re.search("(%s)('s)?(\\s+(source|tree|tarball|repository))?\\s*`?$" % FOREIGN.pattern,
                                        before, re.I)
                    if not exists(p) and not foreign:
                        bad.append("%s:%d: cites %s, which does not exist" % (rel, no, p))
                for m in DOC_RE.finditer(c):
                    doc = m.group(1) + ".md"
                    if not (os.path.exists(os.path.join(ROOT, doc)) or os.path.exists(os.path.join(ROOT, "docs", doc))
                            or os.path.exists(os.path.join(ROOT, "bench", doc))):
                        bad.append("%s:%d: cites %s, which is not in the repository" % (rel, no, m.group(0)))
                if FOREIGN.search(c) or gen is comments_md:
                    continue
                for m in NAME_RE.finditer(c):
                    name = m.group(1)
                    if "/" in name or name in names or name in SYSTEM_HEADERS or name in OTHERS:
                        continue
                    if any(ch in name for ch in "*?"):
                        continue
                    bad.append("%s:%d: cites %s, which no file of the repository is called" % (rel, no, name))
    for b in bad:
        print(b)
    if bad:
        print("check-comments: %d citation(s) of files that do not exist" % len(bad))
        return 1
    print("check-comments: every file cited in a comment exists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
