# Sourced by scripts/cross.sh and scripts/target.sh (from the checkout's top):
# core_files prints the portable core's sources, one a line.
# The mbedTLS backends (crypto shim backend, TLS) are excluded: on a device
# they are the platform's mbedTLS build, not otter's code.
# A file is an mbedTLS backend if it includes an mbedTLS header directly or
# through a private header in src/ that does.
core_files() {
    mbed_hdrs=$(grep -l '#include <mbedtls/' src/*.h 2>/dev/null | sed 's|^src/||' || true)
    for f in src/*.c; do
        grep -q '#include <mbedtls/' "$f" && continue
        skip=0
        for h in $mbed_hdrs; do
            grep -q "#include \"$h\"" "$f" && skip=1
        done
        [ $skip = 1 ] && continue
        echo "$f"
    done
}
