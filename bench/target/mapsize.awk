# bench/target/mapsize.awk: the linked size of a GNU ld map, by owner.
# Reads the "Linker script and memory map" part of a map (-Wl,-Map) and
# adds up every input section that the link kept, by the archive or object
# it came from, as flash (code and read-only data: .text, .rodata, tables),
# data (.data: RAM, plus its initial copy in flash on a device) and bss.
# Prints "owner<TAB>flash<TAB>data<TAB>bss", owners:
#   otter      libotter.a (the portable core)
#   glue       libotterglue.a (otter's mbedTLS backend: crypto shim, TLS client)
#   app        libapp.a, fw_diag.o (the device's update code and contexts)
#   mbedtls    libmbedtls.a, libmbedx509.a, libmbedcrypto.a
#   libc       the C library, semihosting, libgcc, crt*.o, startup.o (vectors)
#   port       libport.a, fw_device.o (UART transport, clock, entropy, flash stub)
#   harness    libharness.a (RAM flash, image maker, measurements)
#   padding    alignment fill and linker-made sections
# and, with -v detail=1, "otter:<module>" lines for the core and the glue.
function owner(f) {
    if (f ~ /libotter\.a\(/) return "otter"
    if (f ~ /libotterglue\.a\(/) return "glue"
    if (f ~ /libapp\.a\(/ || f ~ /fw_diag\.o$/) return "app"
    if (f ~ /libmbed(tls|x509|crypto)\.a\(/) return "mbedtls"
    if (f ~ /libharness\.a\(/) return "harness"
    if (f ~ /libport\.a\(/ || f ~ /fw_device\.o$/) return "port"
    if (f ~ /lib(c|c_nano|g|g_nano|gcc|rdimon|rdimon_nano|semihost|nosys)\.a\(/ || f ~ /crt[^\/]*\.o$/ || f ~ /startup\.o$/ || f ~ /picolibc/) return "libc"
    if (f == "") return "padding"
    return "other"
}
function hex(h,    i, v) {
    v = 0; h = tolower(h); sub(/^0x/, "", h)
    for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
    return v
}
function kind(s) {
    if (s ~ /^\.(text|rodata|srodata|vectors|init|fini|ARM\.exidx|ARM\.extab|eh_frame|init_array|fini_array|preinit_array|glue_7|glue_7t|vfp11_veneer|v4_bx|iplt|rel)/) return "flash"
    if (s ~ /^\.(data|sdata|tdata)/) return "data"
    if (s ~ /^\.(bss|sbss|tbss)/ || s == "COMMON") return "bss"
    return ""
}
function add(sec, size, file,    k, o, m) {
    k = kind(sec)
    if (k == "") return
    o = owner(file)
    tot[o, k] += hex(size)
    seen[o] = 1
    if (detail && (o == "otter" || o == "glue")) {
        m = file; sub(/.*\(/, "", m); sub(/\)$/, "", m); sub(/^src_/, "", m); sub(/\.o$/, "", m)
        tot["otter:" m, k] += hex(size); seen["otter:" m] = 1
    }
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^\*fill\*/ || /^ \*fill\*/ { next }
pending != "" {
    if ($1 ~ /^0x/ && NF >= 3) add(pending, $2, $3)
    pending = ""
    next
}
/^ [.A-Z]/ {
    if (NF == 1) { pending = $1; next }
    if ($2 ~ /^0x/ && $3 ~ /^0x/) add($1, $3, (NF >= 4 ? $4 : ""))
}
END {
    for (o in seen) printf "%s\t%d\t%d\t%d\n", o, tot[o, "flash"], tot[o, "data"], tot[o, "bss"]
}
