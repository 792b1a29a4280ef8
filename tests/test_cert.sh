#!/bin/sh
# otter cert: the forum user's pinned certificate explained offline, and live
# servers (openssl s_server on loopback, generated PKI of
# tests/support/mkpki.sh): the root each chain leads to, cross-signs, expired
# and expiring roots and their successors, self-signed and untrusted
# servers, and the output formats, byte for byte against OpenSSL.
. "$OTTER_SRC/tests/support/tls_lib.sh"
. "$OTTER_SRC/tests/support/cert_lib.sh"
V="${OTTER_VECTORS:-$OTTER_SRC/tests/vectors}"
AT=2026-06-01

# --- offline: the forum user's certificate --------------------------------
run "forum R3 explained" 0 \
    "This is Let's Encrypt's intermediate R3 (a CA, pathlen 0), issued by DST Root CA X3, valid 2020-10-07 to 2021-09-29, expired on 2021-09-29, 1705 days ago." \
    "Its issuer 'DST Root CA X3' is neither in this file nor in the trust store $P/new-root.crt (1 certificate), so the path to a root stops at 'R3'." \
    "✗ Pinning an intermediate breaks when it rotates: do not pin R3. Intermediates are replaced every few months to years (R3 was valid for 357 days), and a device that pins one fails its handshake with -0x2700 (X509_CERT_VERIFY_FAILED)" \
    "→ Pin the root that the server's chain leads to today. Get it with: otter cert https://YOUR-SERVER/ --format c" \
    "spki sha256: 8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d" \
    "role:        CA (pathlen 0)" \
    -- cert --explain "$V/tls/forum-pinned-r3-by-dst-root-x3.pem" --store "$P/new-root.crt" --at $AT
run "forum R3 explained, JSON" 0 '"name":"R3"' '"not_after":"2021-09-29"' '"valid":false' '"pathlen":0' \
    '"path_complete":false' '"root":null' '"pin":[]' \
    -- cert --explain "$V/tls/forum-pinned-r3-by-dst-root-x3.pem" --store "$P/new-root.crt" --at $AT --json
run "forum R3: nothing to write" 1 "nothing to write for --cert pin: no certificate fit to pin" \
    -- cert --explain "$V/tls/forum-pinned-r3-by-dst-root-x3.pem" --store "$P/new-root.crt" --format c
cat "$P/old-root.crt" "$P/new-root.crt" > "$P/old-and-new.pem"
run "test R3 with its expired root in the store" 0 \
    "This is Otter Encrypt's intermediate Otter R3 (a CA, pathlen 0), issued by Otter Old Root X3, valid 2020-10-07 to 2021-09-29, expired on 2021-09-29" \
    "path: 'Otter R3' <- 'Otter Old Root X3' (trust store) (root)" \
    "✗ The chain leads to the root 'Otter Old Root X3', which expired on 2021-09-30 (1705 days ago)." \
    "No successor of 'Otter Old Root X3' is known in the trust store" \
    -- cert --explain "$P/r3-old.crt" --store "$P/old-and-new.pem" --at $AT

# --- live: the forum server (leaf + R3 by the new root) --------------------
sserver forum -cert "$P/forum.crt" -cert_chain "$P/r3-new.crt" -key "$P/forum.key"
run "forum server: root found in the store" 0 \
    "localhost:$PORT: the server sent 2 certificates ($BEST" \
    "path: 'localhost' <- 'Otter R3' <- 'Otter New Root X1' (trust store) (root)" \
    "The chain leads to the root 'Otter New Root X1' (in the trust store), valid until 2035-06-04 (3290 days left)." \
    "✓ Pin the root 'Otter New Root X1' (in the trust store), valid until 2035-06-04 (3290 days left)." \
    "→ Get it with: otter cert localhost:$PORT --format c" \
    "Not the intermediate 'Otter R3': intermediates rotate (this one is valid for 3406 days)" \
    "Not the server certificate 'localhost': it is replaced at every renewal" \
    -- cert "localhost:$PORT" --store "$P/old-and-new.pem" --at $AT
run "forum server: URL form" 0 "https://localhost:$PORT/fw.bin: the server sent 2 certificates" \
    "✓ Pin the root 'Otter New Root X1'" -- cert "https://localhost:$PORT/fw.bin" --store "$P/new-root.crt" --at $AT
run "forum server: root not in the store" 0 \
    "path: 'localhost' <- 'Otter R3' <- 'Otter New Root X1' (not found)" \
    "Its issuer 'Otter New Root X1' is neither in the server's chain nor in the trust store $P/old-root.crt (1 certificate)" \
    "✗ No root found: the server's chain leads to no root in the trust store." \
    "→ Give a trust store that holds 'Otter New Root X1' with --store FILE and run this again." \
    -- cert "127.0.0.1:$PORT" --sni localhost --store "$P/old-root.crt" --at $AT

# Output formats, against OpenSSL's view of the same certificate.
openssl x509 -in "$P/new-root.crt" > "$T/want.pem"
openssl x509 -in "$P/new-root.crt" -outform DER > "$T/want.der"
spki_pin "$P/new-root.crt" > "$T/want.pin"; echo >> "$T/want.pin"
for f in pem der pin c; do
    "$OTTER_BIN" cert "localhost:$PORT" --store "$P/new-root.crt" --at $AT --format $f > "$T/got.$f" 2> "$T/report.$f"
done
same "--format pem is the root's PEM" "$T/want.pem" "$T/got.pem"
same "--format der is the root's DER" "$T/want.der" "$T/got.der"
same "--format pin is the root's SPKI SHA-256" "$T/want.pin" "$T/got.pin"
run "--format c starts like an Arduino sketch" 0 \
    'static const char *server_certificate = "-----BEGIN CERTIFICATE-----\n" \' \
    '"-----END CERTIFICATE-----";' -- cert "localhost:$PORT" --store "$P/new-root.crt" --at $AT --format c
# The C literal, compiled, is the PEM text (without the last newline).
{ cat "$T/got.c"; printf '#include <stdio.h>\nint main(void) { fputs(server_certificate, stdout); putchar(10); return 0; }\n'; } > "$T/lit.c"
cc -o "$T/lit" "$T/lit.c" && "$T/lit" > "$T/lit.pem"
same "--format c compiles to the root's PEM" "$T/want.pem" "$T/lit.pem"
"$OTTER_BIN" cert "localhost:$PORT" --store "$P/new-root.crt" --at $AT --format pem --cert path --out "$T/path.pem" > "$T/report.txt"
{ openssl x509 -in "$P/forum.crt"; openssl x509 -in "$P/r3-new.crt"; cat "$T/want.pem"; } > "$T/want-path.pem"
same "--cert path --out FILE writes leaf, R3, root" "$T/want-path.pem" "$T/path.pem"
run "--cert 1 writes the intermediate" 0 "$(openssl x509 -in "$P/r3-new.crt" | sed -n 2p)" \
    -- cert "localhost:$PORT" --store "$P/new-root.crt" --format pem --cert 1 --name x
run "report as JSON" 0 '"live":true' "\"version\":\"$BEST\"" '"path_complete":true' \
    '"root":{"name":"Otter New Root X1"' '"days_left":3290' '"kind":"ok","text":"Pin the root' \
    -- cert "localhost:$PORT" --store "$P/new-root.crt" --at $AT --json

# A root that expires within two years, with and without a successor.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/x2.key" \
    -out "$T/x2.crt" -subj "/O=Otter Research Group/CN=Otter New Root X2" -days 10000 2>/dev/null
cat "$P/new-root.crt" "$T/x2.crt" > "$T/x1x2.pem"
run "expiring root, no successor" 0 \
    "! 'Otter New Root X1' expires in 550 days, within two years: a device in the field longer than that stops updating then." \
    "! No successor of 'Otter New Root X1' is known in the trust store: plan a firmware update that adds the next root before 2035-06-04." \
    -- cert "localhost:$PORT" --store "$P/new-root.crt" --at 2033-12-01
run "expiring root, successor of the same organisation" 0 \
    "→ Pin a bundle of 'Otter New Root X1' and its successor 'Otter New Root X2' (it is from the same organisation, Otter Research Group;" \
    -- cert "localhost:$PORT" --store "$T/x1x2.pem" --at 2033-12-01
"$OTTER_BIN" cert "localhost:$PORT" --store "$T/x1x2.pem" --at 2033-12-01 --format pem > "$T/bundle.pem" 2>/dev/null
{ cat "$T/want.pem"; openssl x509 -in "$T/x2.crt"; } > "$T/want-bundle.pem"
same "the bundle is the root and its successor" "$T/want-bundle.pem" "$T/bundle.pem"

# --- cross-signed chain: leaf, intermediate, root B cross-signed by A -------
sserver cross -cert "$P/cross.crt" -cert_chain "$P/cross-int.crt" -cert_chain "$P/root-b-cross.crt" -key "$P/cross.key"
cat "$P/cross-int.crt" "$P/root-b-cross.crt" > "$T/cross-extra.pem"
sserver cross -cert "$P/cross.crt" -cert_chain "$T/cross-extra.pem" -key "$P/cross.key"
run "cross-signed: store holds B" 0 \
    "path: 'localhost' <- 'Otter Cross Intermediate' <- 'Otter Root B' (trust store) (root)" \
    "The server also sent 'Otter Root B' cross-signed by 'Otter Root A'; the trust store holds 'Otter Root B' itself (self-signed), which ends the path." \
    "✓ Pin the root 'Otter Root B' (in the trust store), valid until 2038-01-01" \
    -- cert "localhost:$PORT" --store "$P/root-b.crt" --at $AT
run "cross-signed: store holds only the expired A" 0 \
    "path: 'localhost' <- 'Otter Cross Intermediate' <- 'Otter Root B' <- 'Otter Root A' (trust store) (root)" \
    "✗ The chain leads to the root 'Otter Root A', which expired on 2021-01-01 (1977 days ago)." \
    "→ Pin its successor 'Otter Root B' instead ('Otter Root A' cross-signed it; valid until 2034-01-01 (2771 days left))." \
    "'Otter Root B' itself (self-signed) is not in the trust store; the cross-signed copy sent by the server works as a trusted CA for mbedTLS while it is valid." \
    -- cert "localhost:$PORT" --store "$P/root-a.crt" --at $AT
"$OTTER_BIN" cert "localhost:$PORT" --store "$P/root-a.crt" --at $AT --format pem > "$T/succ.pem" 2>/dev/null
openssl x509 -in "$P/root-b-cross.crt" > "$T/want-succ.pem"
same "cross-signed: the successor written is B's cross-signed copy" "$T/want-succ.pem" "$T/succ.pem"
cat "$P/root-a.crt" "$P/root-b.crt" > "$T/ab.pem"
run "cross-signed: both roots in the store, B wins" 0 "✓ Pin the root 'Otter Root B' (in the trust store)" \
    "NOT:Otter Root A' (trust store)" -- cert "localhost:$PORT" --store "$T/ab.pem" --at $AT

# --- other servers ----------------------------------------------------------
sserver selfsigned -cert "$P/selfsigned.crt" -key "$P/selfsigned.key"
run "self-signed server" 0 \
    "The server sent the self-signed server certificate localhost for DNS:localhost (not a CA), self-signed, valid 2024-01-01 to 2040-01-01" \
    "! 'localhost' is a self-signed server certificate, valid until 2040-01-01 (4962 days left): a device can only pin it itself" \
    -- cert "localhost:$PORT" --store "$P/root.crt" --at $AT
sserver evil -cert "$P/evil.crt" -cert_chain "$P/evil-root.crt" -key "$P/evil.key"
run "server sends an untrusted root" 0 \
    "path: 'localhost' <- 'Otter Untrusted Root' (root)" \
    "✓ Pin the root 'Otter Untrusted Root' (sent by the server)" \
    "'Otter Untrusted Root' is not in the trust store $P/root.crt: make sure it is the server's own CA" \
    -- cert "localhost:$PORT" --store "$P/root.crt" --at $AT
sserver expired -cert "$P/expired.crt" -cert_chain "$P/int.crt" -key "$P/expired.key"
run "expired leaf shown" 0 "valid:       2020-01-01 to 2021-01-01 (expired 1977 days ago)" \
    "expired on 2021-01-01, 1977 days ago." "✓ Pin the root 'Otter Test Root'" \
    -- cert "localhost:$PORT" --store "$P/root.crt" --at $AT

sserver tls10 -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key"
run "TLS 1.0-only server" 1 "otter: cert: localhost:$PORT: TLS handshake failed (mbedTLS -0x" -- cert "localhost:$PORT"

# --- errors -------------------------------------------------------------------
run "nothing listening" 1 "otter: cert: 127.0.0.1:1: cannot connect to 127.0.0.1 port 1" -- cert 127.0.0.1:1
run "no such file" 1 "otter: cannot open $T/nope.pem: No such file or directory" -- cert --explain "$T/nope.pem"
echo "not a certificate" > "$T/junk.pem"
run "not a certificate" 1 "no certificate that mbedTLS can parse" -- cert --explain "$T/junk.pem"
run "no target" 2 "give a server (URL or HOST[:PORT]) or --explain FILE" -- cert
run "bad format" 2 "--format wants c, pem, der or pin" -- cert --explain "$P/root.crt" --format xml
run "bad date" 2 "--at wants" -- cert --explain "$P/root.crt" --at yesterday
run "bad store" 1 "cannot use $T/nope.pem as a trust store" -- cert --explain "$P/root.crt" --store "$T/nope.pem"
finish
