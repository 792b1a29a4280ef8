#!/bin/sh
# Generate the TLS test PKI with the OpenSSL CLI into directory $1.
# Dates are fixed (openssl ca -startdate/-enddate) so that the scenarios do
# not depend on the day the tests run, as long as it is between 2024 and 2034.
#
#   root.crt            "Otter Test Root" (RSA 2048, self-signed, 2024..2040)
#   int.crt             "Otter Test Intermediate" by root (EC P-256, pathlen 0)
#   leaf.crt/key        "localhost" by int, SAN DNS:localhost; chain.pem = leaf+int
#   expired.*           leaf by int, valid 2020-01-01..2021-01-01
#   future.*            leaf by int, valid 2090-01-01..2091-01-01
#   wronghost.*         leaf by int for DNS:wrong.example only
#   selfsigned.*        self-signed "localhost"
#   evil-root.crt       "Otter Untrusted Root"; evil.* leaf by it (chain: leaf+root)
#   forum: old-root.crt "Otter Old Root X3" (expired 2021-09-30),
#          new-root.crt "Otter New Root X1"; one key "Otter R3" certified twice:
#          r3-old.crt by old root (2020-10-07..2021-09-29, the pinned one),
#          r3-new.crt by new root; forum.* leaf by R3, chain = leaf + r3-new
#   cross: root-a.crt "Otter Root A" (expired 2021-01-01), root-b.crt
#          "Otter Root B" (self-signed, valid), root-b-cross.crt (B's key
#          signed by A), cross-int.crt by B, cross.* leaf; chain = leaf +
#          cross-int + root-b-cross
set -eu
D="$1"
mkdir -p "$D/newcerts"
: > "$D/index.txt"
echo 1000 > "$D/serial"
cat > "$D/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $D
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
preserve = yes
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::SAN}
subjectKeyIdentifier = hash
EOF
export SAN="DNS:localhost"

key_ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/$1.key" 2>/dev/null; }
key_rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/$1.key" 2>/dev/null; }
csr() { openssl req -new -config "$D/ca.cnf" -key "$D/$1.key" -subj "$2" -out "$D/$1.csr"; }
# sign NAME(csr) KEYNAME ISSUER(-|cert name) EXT START END [OUT]
sign() {
    out="${7:-$1}"
    if [ "$3" = "-" ]; then
        openssl ca -batch -notext -config "$D/ca.cnf" -selfsign -keyfile "$D/$2.key" \
            -in "$D/$1.csr" -out "$D/$out.crt" -extensions "$4" -startdate "$5" -enddate "$6" 2>/dev/null
    else
        openssl ca -batch -notext -config "$D/ca.cnf" -cert "$D/$3.crt" -keyfile "$D/$3.key" \
            -in "$D/$1.csr" -out "$D/$out.crt" -extensions "$4" -startdate "$5" -enddate "$6" 2>/dev/null
    fi
}
V1=20240101000000Z
V2=20400101000000Z

key_rsa root; csr root "/O=Otter Tests/CN=Otter Test Root"; sign root root - v3_ca $V1 $V2
key_ec int; csr int "/O=Otter Tests/CN=Otter Test Intermediate"; sign int int root v3_int $V1 $V2
key_ec leaf; csr leaf "/CN=localhost"; sign leaf leaf int v3_leaf $V1 20340101000000Z
cat "$D/leaf.crt" "$D/int.crt" > "$D/chain.pem"

key_ec expired; csr expired "/CN=localhost"; sign expired expired int v3_leaf 20200101000000Z 20210101000000Z
cat "$D/expired.crt" "$D/int.crt" > "$D/expired-chain.pem"
key_ec future; csr future "/CN=localhost"; sign future future int v3_leaf 20900101000000Z 20910101000000Z
cat "$D/future.crt" "$D/int.crt" > "$D/future-chain.pem"
SAN="DNS:wrong.example" key_ec wronghost
csr wronghost "/CN=wrong.example"
SAN="DNS:wrong.example" sign wronghost wronghost int v3_leaf $V1 $V2
cat "$D/wronghost.crt" "$D/int.crt" > "$D/wronghost-chain.pem"
key_ec selfsigned; csr selfsigned "/CN=localhost"; sign selfsigned selfsigned - v3_leaf $V1 $V2

key_ec evil-root; csr evil-root "/CN=Otter Untrusted Root"; sign evil-root evil-root - v3_ca $V1 $V2
key_ec evil; csr evil "/CN=localhost"; sign evil evil evil-root v3_leaf $V1 $V2
cat "$D/evil.crt" "$D/evil-root.crt" > "$D/evil-chain.pem"

# The forum case.
key_ec old-root; csr old-root "/O=Otter Old Trust Co./CN=Otter Old Root X3"
sign old-root old-root - v3_ca 20000930000000Z 20210930000000Z
key_rsa new-root; csr new-root "/O=Otter Research Group/CN=Otter New Root X1"
sign new-root new-root - v3_ca 20150604000000Z 20350604000000Z
key_ec r3; csr r3 "/O=Otter Encrypt/CN=Otter R3"
cp "$D/r3.key" "$D/r3-old.key"; cp "$D/r3.key" "$D/r3-new.key"
sign r3 r3 old-root v3_int 20201007000000Z 20210929000000Z r3-old
sign r3 r3 new-root v3_int 20200904000000Z 20300101000000Z r3-new
key_ec forum; csr forum "/CN=localhost"; sign forum forum r3-new v3_leaf $V1 20340101000000Z
cat "$D/forum.crt" "$D/r3-new.crt" > "$D/forum-chain.pem"

# Cross-signed chain.
key_ec root-a; csr root-a "/CN=Otter Root A"; sign root-a root-a - v3_ca 20100101000000Z 20210101000000Z
key_ec root-b; csr root-b "/CN=Otter Root B"; sign root-b root-b - v3_ca 20200101000000Z 20380101000000Z
cp "$D/root-b.key" "$D/root-b-cross.key"
sign root-b root-b root-a v3_ca 20200101000000Z 20340101000000Z root-b-cross
key_ec cross-int; csr cross-int "/CN=Otter Cross Intermediate"; sign cross-int cross-int root-b v3_int $V1 $V2
key_ec cross; csr cross "/CN=localhost"; sign cross cross cross-int v3_leaf $V1 20340101000000Z
cat "$D/cross.crt" "$D/cross-int.crt" "$D/root-b-cross.crt" > "$D/cross-chain.pem"

# A bundle with several roots, the test root in the middle.
cat "$D/evil-root.crt" "$D/root.crt" "$D/new-root.crt" > "$D/bundle.pem"
