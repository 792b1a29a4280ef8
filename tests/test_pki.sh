#!/bin/sh
# otter pki: the certificates made are what was asked, checked by OpenSSL
# (an independent X.509 implementation): names, dates (past ones too), CA
# flags and path lengths, key usage, SANs, key types, chains, cross-signs.
set -u
OTTER=${OTTER_BIN:-build/otter}
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-pki-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
FAILS=0
CHECKS=0
check() {
    d=$1; shift
    CHECKS=$((CHECKS + 1))
    if ! "$@"; then FAILS=$((FAILS + 1)); echo "FAIL: $d"; fi
}
txt() { openssl x509 -in "$1" -noout -text; }
has() { txt "$1" | grep -q -- "$2"; }
field() { openssl x509 -in "$1" -noout "-$2" -nameopt RFC2253 | sed 's/^[a-zA-Z]*=//'; }
at() { date -u -d "$1" +%s; }
ski() { txt "$1" | grep -A1 "Subject Key Identifier" | tail -1 | tr -d ' '; }
aki() { txt "$1" | grep -A1 "Authority Key Identifier" | tail -1 | tr -d ' '; }
# not_has: the certificate exists and lacks the text (a missing file is a failure)
not_has() { [ -s "$1" ] && ! has "$@"; }
# ok ARGS...: run otter, which must exit 0 (a check of its own)
ok() {
    CHECKS=$((CHECKS + 1))
    "$OTTER" "$@" >/dev/null 2>"$T/ok.err" || { rc=$?; FAILS=$((FAILS + 1)); echo "FAIL: otter $* (exit $rc): $(cat "$T/ok.err")"; }
}
cd "$T" || exit 1

# --- demo --------------------------------------------------------------------
ok pki demo demo
check "demo files" [ -s demo/ca.pem -a -s demo/ca.key -a -s demo/server.pem -a -s demo/server.key -a -s demo/chain.pem ]
check "demo root self-signed CA" sh -c "openssl verify -CAfile demo/ca.pem demo/ca.pem >/dev/null"
check "demo server verifies" sh -c "openssl verify -CAfile demo/ca.pem demo/server.pem >/dev/null"
check "demo server SAN" has demo/server.pem "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
check "demo server for localhost" sh -c "openssl x509 -in demo/server.pem -noout -checkhost localhost | grep -q 'does match'"
check "demo server for 127.0.0.1" sh -c "openssl x509 -in demo/server.pem -noout -checkip 127.0.0.1 | grep -q 'does match'"
check "demo root CA:TRUE" has demo/ca.pem "CA:TRUE"
check "demo server CA:FALSE" has demo/server.pem "CA:FALSE"
check "demo keys are P-256" has demo/server.pem "NIST CURVE: P-256"
check "demo key matches cert" sh -c '[ "$(openssl pkey -in demo/server.key -pubout)" = "$(openssl x509 -in demo/server.pem -noout -pubkey)" ]'
check "demo key mode 0600" [ "$(stat -c %a demo/server.key)" = 600 ]
check "demo chain = server + ca" sh -c 'cat demo/server.pem demo/ca.pem | cmp -s - demo/chain.pem'
ok pki demo demo2 --san DNS:ota.example.com,IP:10.1.2.3
check "demo extra SAN" has demo2/server.pem "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:ota.example.com, IP Address:10.1.2.3"

# --- IP-address SANs (IPv4 and IPv6), repeated --san, mixed with DNS -------------
"$OTTER" pki cert --subject "CN=lan server" --key-out ip.key --issuer-cert demo/ca.pem --issuer-key demo/ca.key \
    --san IP:192.168.1.10 --san IP:::1 --san DNS:x --out ip.pem
check "IP SANs in order" sh -c "openssl x509 -in ip.pem -noout -ext subjectAltName | grep -q 'IP Address:192.168.1.10, IP Address:0:0:0:0:0:0:0:1, DNS:x'"
check "IPv4 SAN matches" sh -c "openssl x509 -in ip.pem -noout -checkip 192.168.1.10 | grep -q 'does match'"
check "IPv6 SAN matches" sh -c "openssl x509 -in ip.pem -noout -checkip ::1 | grep -q 'does match'"
check "other IPv4 does not" sh -c "openssl x509 -in ip.pem -noout -checkip 192.168.1.11 | grep -q 'does NOT match'"
check "DNS SAN matches" sh -c "openssl x509 -in ip.pem -noout -checkhost x | grep -q 'does match'"
check "IP SAN leaf verifies" sh -c "openssl verify -CAfile demo/ca.pem ip.pem >/dev/null"
"$OTTER" pki cert --subject "CN=v6" --key ip.key --san IP:fe80::1:2 --san IP:2001:db8::7 --out ip6.pem
check "two IPv6 SANs" sh -c "openssl x509 -in ip6.pem -noout -ext subjectAltName | grep -q 'IP Address:FE80:0:0:0:0:0:1:2, IP Address:2001:DB8:0:0:0:0:0:7'"

# --- a root with dates in the past (the forum user's case: expired root) ---------
ok pki cert --subject "CN=Old Root X1,O=Test Trust,C=US" --key-out old.key --ca \
    --not-before 2000-09-30T21:12:19Z --not-after 2021-09-30T14:01:15Z --serial 0x44afb080 --out old.pem
check "old root subject" [ "$(field old.pem subject)" = "C=US,O=Test Trust,CN=Old Root X1" ]
check "old root issuer = subject" [ "$(field old.pem issuer)" = "C=US,O=Test Trust,CN=Old Root X1" ]
check "old root notBefore" [ "$(field old.pem startdate)" = "Sep 30 21:12:19 2000 GMT" ]
check "old root notAfter" [ "$(field old.pem enddate)" = "Sep 30 14:01:15 2021 GMT" ]
check "old root serial" [ "$(openssl x509 -in old.pem -noout -serial)" = "serial=44AFB080" ]
check "old root expired now" sh -c "! openssl verify -CAfile old.pem old.pem >/dev/null 2>&1"
check "old root valid in 2020" sh -c "openssl verify -attime $(at 2020-01-01) -CAfile old.pem old.pem >/dev/null"
check "root key usage" has old.pem "Digital Signature, Certificate Sign, CRL Sign"
check "root has an SKI" [ -n "$(ski old.pem)" ]
check "root SKI = AKI" [ "$(ski old.pem)" = "$(aki old.pem)" ]

# --- intermediate with pathlen 0 under the old root, leaf under it -----------------
ok pki cert --subject "CN=Int R3,O=Test Trust" --key-out r3.key --issuer-cert old.pem \
    --issuer-key old.key --ca --pathlen 0 --not-before 2020-10-07 --not-after 2021-09-29 --out r3.pem
check "intermediate pathlen 0" has r3.pem "CA:TRUE, pathlen:0"
check "intermediate issuer" [ "$(field r3.pem issuer)" = "C=US,O=Test Trust,CN=Old Root X1" ]
check "intermediate verifies in 2021" sh -c "openssl verify -attime $(at 2021-03-01) -CAfile old.pem r3.pem >/dev/null"
check "intermediate expired now" sh -c "openssl verify -CAfile old.pem r3.pem 2>&1 | grep -q 'certificate has expired'"

# --- new root (RSA), cross-signed by the old root ----------------------------------
ok pki cert --subject "CN=New Root X2,O=Test Trust,C=US" --key-out new.key --key-type rsa \
    --bits 2048 --ca --not-before 2015-06-04 --not-after 2035-06-04 --out new.pem
check "RSA root" has new.pem "Public-Key: (2048 bit)"
check "RSA signature" has new.pem "sha256WithRSAEncryption"
ok pki cert --subject-from new.pem --key new.key --issuer-cert old.pem --issuer-key old.key \
    --ca --not-before 2021-01-20 --not-after 2024-09-30 --out new-by-old.pem
check "cross-sign: same subject" [ "$(field new-by-old.pem subject)" = "$(field new.pem subject)" ]
check "cross-sign: same key" sh -c '[ "$(openssl x509 -in new.pem -noout -pubkey)" = "$(openssl x509 -in new-by-old.pem -noout -pubkey)" ]'
check "cross-sign: other issuer" [ "$(field new-by-old.pem issuer)" = "C=US,O=Test Trust,CN=Old Root X1" ]
check "cross-sign: subject bytes identical" sh -c '[ "$(openssl x509 -in new.pem -noout -subject_hash)" = "$(openssl x509 -in new-by-old.pem -noout -subject_hash)" ]'
ok pki cert --subject "CN=Int R10,O=Test Trust" --key-out r10.key --issuer-cert new.pem \
    --issuer-key new.key --ca --pathlen 0 --not-before now-30d --days 1000 --out r10.pem
ok pki cert --subject "CN=localhost" --key-out leaf.key --issuer-cert r10.pem --issuer-key r10.key \
    --san DNS:localhost,IP:127.0.0.1 --not-before now-1d --not-after now+90d --out leaf.pem
check "leaf under new root" sh -c "openssl verify -CAfile new.pem -untrusted r10.pem leaf.pem >/dev/null"
cat r10.pem new-by-old.pem >untrusted.pem
check "leaf via cross-sign, old root: expired" sh -c "openssl verify -CAfile old.pem -untrusted untrusted.pem leaf.pem 2>&1 | grep -q 'certificate has expired'"
check "leaf via cross-sign, new root: ok" sh -c "openssl verify -CAfile new.pem -untrusted untrusted.pem leaf.pem >/dev/null"
check "leaf SAN" has leaf.pem "DNS:localhost, IP Address:127.0.0.1"
check "leaf key usage" has leaf.pem "Digital Signature"
check "leaf CA:FALSE" has leaf.pem "CA:FALSE"
check "leaf AKI = intermediate SKI" [ "$(aki leaf.pem)" = "$(ski r10.pem)" ]
check "leaf SKI differs from its AKI" [ "$(ski leaf.pem)" != "$(aki leaf.pem)" ]
check "leaf ~90 days" sh -c "openssl x509 -in leaf.pem -noout -checkend $((89 * 86400)) >/dev/null && ! openssl x509 -in leaf.pem -noout -checkend $((91 * 86400)) >/dev/null"

# --- pathlen violated, not-yet-valid, no basicConstraints, key usage -------------------
ok pki cert --subject "CN=Sub under pathlen 0" --key-out sub.key --issuer-cert r10.pem \
    --issuer-key r10.key --ca --out sub.pem
ok pki cert --subject "CN=localhost" --key-out l2.key --issuer-cert sub.pem --issuer-key sub.key \
    --san DNS:localhost --out l2.pem
cat sub.pem r10.pem >u2.pem
check "pathlen 0 violated" sh -c "openssl verify -CAfile new.pem -untrusted u2.pem l2.pem 2>&1 | grep -q 'path length constraint exceeded'"
ok pki cert --subject "CN=future" --key-out f.key --not-before 2040-01-01 --not-after 2041-01-01 --out f.pem
check "not yet valid" sh -c "openssl verify -CAfile f.pem f.pem 2>&1 | grep -q 'not yet valid'"
check "2050+ date (GeneralizedTime)" sh -c "openssl x509 -in f.pem -noout -enddate | grep -q 2041 && \"$OTTER\" pki cert --subject CN=g --key f.key --not-after 2060-02-29 --out g.pem && openssl x509 -in g.pem -noout -enddate | grep -q 'Feb 29 00:00:00 2060'"
ok pki cert --subject "CN=v1 style" --key-out nb.key --no-basic-constraints --key-usage none --out nb.pem
check "no basicConstraints" not_has nb.pem "Basic Constraints"
check "no keyUsage" not_has nb.pem "Key Usage"
ok pki cert --subject "CN=ku" --key-out ku.key --key-usage digitalSignature,keyEncipherment --out ku.pem
check "explicit key usage" has ku.pem "Digital Signature, Key Encipherment"
ok pki cert --subject "CN=p384" --key-out p384.key --key-type ec384 --out p384.pem
check "P-384 key" has p384.pem "NIST CURVE: P-384"
ok pki cert --subject "CN=localhost" --key-out eku.key --issuer-cert r10.pem --issuer-key r10.key \
    --eku clientAuth --san DNS:localhost --out eku-client.pem
ok pki cert --subject "CN=localhost" --key eku.key --issuer-cert r10.pem --issuer-key r10.key \
    --eku serverAuth,clientAuth --san DNS:localhost --out eku-both.pem
check "EKU written" sh -c "openssl x509 -in eku-both.pem -noout -ext extendedKeyUsage | grep -q 'TLS Web Server Authentication, TLS Web Client Authentication'"
check "EKU clientAuth only: not a TLS server" sh -c "openssl verify -purpose sslserver -CAfile new.pem -untrusted r10.pem eku-client.pem 2>&1 | grep -q 'unsuitable certificate purpose'"
check "EKU serverAuth: a TLS server" sh -c "openssl verify -purpose sslserver -CAfile new.pem -untrusted r10.pem eku-both.pem >/dev/null"
ok pki key --out k.pem --type ec
check "pki key writes an EC key" sh -c "openssl pkey -in k.pem -noout -text | grep -q 'prime256v1'"
ok pki cert --subject "CN=reuse" --key k.pem --out reuse.pem
check "default leaf has keyUsage" has reuse.pem "X509v3 Key Usage: critical"
check "existing key reused" sh -c '[ "$(openssl pkey -in k.pem -pubout)" = "$(openssl x509 -in reuse.pem -noout -pubkey)" ]'

# --- bad input gives usage or failure, never a certificate ------------------------------
bad() { # bad EXPECTED-RC ARGS...
    want=$1; shift
    rm -f out.pem
    "$OTTER" pki cert "$@" --out out.pem 2>/dev/null
    rc=$?
    check "rejects: $* (rc $rc, want $want)" [ "$rc" -eq "$want" -a ! -e out.pem ]
}
bad 2 --subject CN=x --key-out x.key --not-before 2021-02-30
bad 2 --subject CN=x --key-out x.key --not-after yesterday
bad 1 --subject CN=x --key-out x.key --san FOO:bar
bad 1 --subject CN=x --key-out x.key --san IP:300.1.1.1
bad 1 --subject CN=x --key-out x.key --san IP:192.168.1.10 --san IP:1::2::3
bad 1 --subject CN=x --key-out x.key --san IP:[::1]
bad 1 --subject CN=x --key-out x.key --not-before 2030-01-01 --not-after 2029-01-01
bad 1 --subject CN=x --key k.pem --issuer-cert old.pem --issuer-key new.key
bad 2 --subject CN=x --key-out x.key --pathlen 1
bad 2 --subject CN=x --key-out x.key --issuer-cert old.pem
bad 2 --key-out x.key
bad 1 --subject CN=x --key missing.key
bad 1 --subject "nonsense" --key-out x.key
bad 1 --subject CN=x --key-out x.key --eku serverAuth,bogus

echo "test_pki: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
