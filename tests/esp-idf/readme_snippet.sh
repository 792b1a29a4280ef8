#!/bin/sh
# Write the README's ```c snippet that includes MARK (e.g. otter_esp) as a C
# file: its #include lines at file scope, the rest in a function body, after
# readme_esp_context.h (what the snippet assumes of the app around it).
# Usage: readme_snippet.sh README.md MARK OUTFILE (the C file to write)
set -eu
awk -v mark="$2" '
    /^```c[ \t]*$/ { inside = 1; n = 0; delete body; next }
    /^```/ && inside {
        inside = 0
        if (found) next
        for (i = 1; i <= n; i++) if (body[i] ~ ("^#include \"" mark)) found = 1
        if (!found) next
        for (i = 1; i <= n; i++) if (body[i] ~ /^#include/) print body[i]
        print "#include \"readme_esp_context.h\""
        print "void readme_esp_snippet(void);"
        print "void readme_esp_snippet(void)"
        print "{"
        for (i = 1; i <= n; i++) if (body[i] !~ /^#include/) print body[i]
        print "}"
        next
    }
    inside { body[++n] = $0 }
    END { exit found ? 0 : 1 }
' "$1" > "$3"
