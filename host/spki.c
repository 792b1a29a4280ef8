/* host/spki: a SubjectPublicKeyInfo from its DER (declared in x509.h). Its
 * own file so that the crypto backend (host/mbedtls/hostcrypto.c), which
 * x509.c calls to hash and verify, can parse keys without calling back up
 * into x509.c. */
#include <string.h>

#include "x509.h"

#define OID_IS(span, lit) otter_der_eq(&(span), lit, OTTER_OID_LEN(lit))

int otter_spki_parse(const uint8_t *der, size_t len, otter_spki_t *out)
{
    otter_der_t in = {der, len}, seq, alg, oid, bits;
    memset(out, 0, sizeof *out);
    if (otter_der_expect(&in, OTTER_DER_SEQUENCE, &seq) || otter_der_expect(&seq, OTTER_DER_SEQUENCE, &alg) ||
        otter_der_expect(&alg, OTTER_DER_OID, &oid) || otter_der_expect(&seq, OTTER_DER_BIT_STRING, &bits) ||
        bits.len < 2 || bits.p[0] != 0)
        return -1;
    out->key.p = bits.p + 1;
    out->key.len = bits.len - 1;
    if (OID_IS(oid, OTTER_OID_RSA)) {
        out->type = OTTER_HKEY_RSA;
    } else if (OID_IS(oid, OTTER_OID_EC)) {
        if (otter_der_expect(&alg, OTTER_DER_OID, &out->curve)) /* namedCurve only */
            return -1;
        out->type = OTTER_HKEY_EC;
    }
    return 0;
}
