# bench/stack.awk: worst-case stack depth from gcc's -fcallgraph-info=su files.
#
# usage: awk -v root=FUNCTION -f bench/stack.awk build/*.ci
# Prints: "<bytes> <path>" where bytes is the largest sum of static frame
# sizes along any call chain starting at root, and path lists the chain
# (a>b>c). Calls through function pointers (ports, transport, crypto shim)
# appear as "__indirect_call" and count 0 bytes: their stack is the port's.
# Functions without a frame size (defined outside the files given, e.g.
# memcpy) count 0. Recursion, if any, is cut at the first repeat and
# reported with a trailing "(recursive)".

/^node:/ {
    t = $0; sub(/.*title: "/, "", t); sub(/".*/, "", t)
    if (match($0, /\\n[0-9]+ bytes/)) {
        b = substr($0, RSTART + 2, RLENGTH - 2); sub(/ bytes/, "", b)
        frame[t] = b + 0
        # plain name for lookups from other files (non-static functions)
        n = t; sub(/.*:/, "", n)
        if (!(n in frame)) frame[n] = b + 0
    }
    next
}
/^edge:/ {
    s = $0; sub(/.*sourcename: "/, "", s); sub(/".*/, "", s)
    d = $0; sub(/.*targetname: "/, "", d); sub(/".*/, "", d)
    key = s SUBSEP d
    if (!(key in seen)) { seen[key] = 1; ncallee[s]++; callee[s, ncallee[s]] = d }
    next
}

function depth(f, onpath,    best, bpath, i, c, d) {
    if (f in memo) { wpath = mpath[f]; return memo[f] }
    if (index(onpath, "|" f "|")) { wpath = f " (recursive)"; recursive = 1; return 0 }
    best = 0; bpath = ""
    for (i = 1; i <= ncallee[f]; i++) {
        c = callee[f, i]
        d = depth(c, onpath "|" f "|")
        if (d > best || bpath == "") { best = d; bpath = wpath }
    }
    memo[f] = (f in frame ? frame[f] : 0) + best
    mpath[f] = bpath == "" ? f : f ">" bpath
    wpath = mpath[f]
    return memo[f]
}

END {
    if (!(root in frame)) { print "0 " root " (not found)"; exit 1 }
    total = depth(root, "")
    p = wpath
    gsub(/[^>]*:/, "", p)   # drop "file:" prefixes of static functions
    print total " " p
}
