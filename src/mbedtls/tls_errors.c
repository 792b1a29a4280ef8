/* Names and words for mbedTLS's error codes, for the explanations
 * (otter_tls_backend_errname / _errtext, declared in otter/tls_report.h).
 * The table is built from the headers of the mbedTLS it is compiled with:
 * a code that a version lacks is left out, one that a version renumbers
 * gets that version's number, so the names are right by construction on
 * 2.28, 3.6 and 4.0 (where some SSL codes are PSA status codes). */
#include <mbedtls/net_sockets.h>
#include <mbedtls/version.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>
#include <psa/crypto.h>
#if MBEDTLS_VERSION_MAJOR < 4
#include <mbedtls/ctr_drbg.h> /* private in 4.0, where otter does not use it */
#endif

#include "otter/tls_report.h"

typedef struct {
    int code;
    const char *name;
    const char *text;
} errinfo_t;

#define E(name, text) {MBEDTLS_ERR_##name, #name, text}

static const errinfo_t ERRS[] = {
#ifdef PSA_ERROR_GENERIC_ERROR
    {PSA_ERROR_GENERIC_ERROR, "PSA_ERROR_GENERIC_ERROR", "generic PSA crypto error"},
#endif
#ifdef PSA_ERROR_NOT_SUPPORTED
    {PSA_ERROR_NOT_SUPPORTED, "PSA_ERROR_NOT_SUPPORTED", "an algorithm or key this build does not support"},
#endif
#ifdef PSA_ERROR_NOT_PERMITTED
    {PSA_ERROR_NOT_PERMITTED, "PSA_ERROR_NOT_PERMITTED", "operation not permitted by the key's policy"},
#endif
#ifdef PSA_ERROR_BUFFER_TOO_SMALL
    {PSA_ERROR_BUFFER_TOO_SMALL, "PSA_ERROR_BUFFER_TOO_SMALL", "buffer too small"},
#endif
#ifdef PSA_ERROR_INVALID_ARGUMENT
    {PSA_ERROR_INVALID_ARGUMENT, "PSA_ERROR_INVALID_ARGUMENT", "invalid argument (malformed input)"},
#endif
#ifdef PSA_ERROR_BAD_STATE
    {PSA_ERROR_BAD_STATE, "PSA_ERROR_BAD_STATE", "operation in a bad state"},
#endif
#ifdef PSA_ERROR_INSUFFICIENT_MEMORY
    {PSA_ERROR_INSUFFICIENT_MEMORY, "PSA_ERROR_INSUFFICIENT_MEMORY", "out of memory"},
#endif
#ifdef PSA_ERROR_COMMUNICATION_FAILURE
    {PSA_ERROR_COMMUNICATION_FAILURE, "PSA_ERROR_COMMUNICATION_FAILURE", "communication failure"},
#endif
#ifdef PSA_ERROR_HARDWARE_FAILURE
    {PSA_ERROR_HARDWARE_FAILURE, "PSA_ERROR_HARDWARE_FAILURE", "hardware failure"},
#endif
#ifdef PSA_ERROR_INSUFFICIENT_ENTROPY
    {PSA_ERROR_INSUFFICIENT_ENTROPY, "PSA_ERROR_INSUFFICIENT_ENTROPY", "the entropy source (RNG) failed"},
#endif
#ifdef PSA_ERROR_INVALID_SIGNATURE
    {PSA_ERROR_INVALID_SIGNATURE, "PSA_ERROR_INVALID_SIGNATURE", "a signature did not verify"},
#endif
#ifdef PSA_ERROR_CORRUPTION_DETECTED
    {PSA_ERROR_CORRUPTION_DETECTED, "PSA_ERROR_CORRUPTION_DETECTED", "corruption detected"},
#endif
#ifdef PSA_ERROR_INVALID_PADDING
    {PSA_ERROR_INVALID_PADDING, "PSA_ERROR_INVALID_PADDING", "invalid padding"},
#endif
#ifdef PSA_ERROR_INSUFFICIENT_DATA
    {PSA_ERROR_INSUFFICIENT_DATA, "PSA_ERROR_INSUFFICIENT_DATA", "input ends too early"},
#endif
#ifdef MBEDTLS_ERR_X509_CERT_VERIFY_FAILED
    E(X509_CERT_VERIFY_FAILED, "the server's certificate chain failed verification (the verify flags say why)"),
#endif
#ifdef MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE
    E(X509_FEATURE_UNAVAILABLE, "a certificate uses a feature this mbedTLS build lacks"),
#endif
#ifdef MBEDTLS_ERR_X509_UNKNOWN_OID
    E(X509_UNKNOWN_OID, "a certificate contains an unknown OID"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_FORMAT
    E(X509_INVALID_FORMAT, "a certificate is not valid DER (corrupt or not a certificate)"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_VERSION
    E(X509_INVALID_VERSION, "a certificate has an invalid version"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_SERIAL
    E(X509_INVALID_SERIAL, "a certificate has an invalid serial number"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_ALG
    E(X509_INVALID_ALG, "a certificate names an invalid algorithm"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_NAME
    E(X509_INVALID_NAME, "a certificate has an invalid name"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_DATE
    E(X509_INVALID_DATE, "a certificate has an invalid date"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_SIGNATURE
    E(X509_INVALID_SIGNATURE, "a certificate's signature field is malformed"),
#endif
#ifdef MBEDTLS_ERR_X509_INVALID_EXTENSIONS
    E(X509_INVALID_EXTENSIONS, "a certificate has malformed extensions"),
#endif
#ifdef MBEDTLS_ERR_X509_UNKNOWN_VERSION
    E(X509_UNKNOWN_VERSION, "a certificate has an unsupported version"),
#endif
#ifdef MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG
    E(X509_UNKNOWN_SIG_ALG, "a certificate is signed with an unsupported algorithm"),
#endif
#ifdef MBEDTLS_ERR_X509_SIG_MISMATCH
    E(X509_SIG_MISMATCH, "a certificate's two signature algorithm fields differ"),
#endif
#ifdef MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT
    E(X509_CERT_UNKNOWN_FORMAT, "the certificate data is neither PEM nor DER"),
#endif
#ifdef MBEDTLS_ERR_X509_BAD_INPUT_DATA
    E(X509_BAD_INPUT_DATA, "bad input to an X.509 function"),
#endif
#ifdef MBEDTLS_ERR_X509_ALLOC_FAILED
    E(X509_ALLOC_FAILED, "out of memory while parsing a certificate"),
#endif
#ifdef MBEDTLS_ERR_X509_FILE_IO_ERROR
    E(X509_FILE_IO_ERROR, "certificate file could not be read"),
#endif
#ifdef MBEDTLS_ERR_X509_BUFFER_TOO_SMALL
    E(X509_BUFFER_TOO_SMALL, "buffer too small for X.509 output"),
#endif
#ifdef MBEDTLS_ERR_X509_FATAL_ERROR
    E(X509_FATAL_ERROR, "fatal X.509 error"),
#endif
#ifdef MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE
    E(SSL_FEATURE_UNAVAILABLE, "the server needs a TLS feature this mbedTLS build lacks"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_INPUT_DATA
    E(SSL_BAD_INPUT_DATA, "bad input to a TLS function"),
#endif
#ifdef MBEDTLS_ERR_SSL_INVALID_MAC
    E(SSL_INVALID_MAC, "a record failed its integrity check (corrupted or tampered data)"),
#endif
#ifdef MBEDTLS_ERR_SSL_INVALID_RECORD
    E(SSL_INVALID_RECORD, "the server sent something that is not a TLS record (plain HTTP on a TLS port?)"),
#endif
#ifdef MBEDTLS_ERR_SSL_CONN_EOF
    E(SSL_CONN_EOF, "the connection was closed in the middle of the TLS exchange"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNKNOWN_CIPHER
    E(SSL_UNKNOWN_CIPHER, "unknown cipher"),
#endif
#ifdef MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN
    E(SSL_NO_CIPHER_CHOSEN, "no cipher suite in common with the server"),
#endif
#ifdef MBEDTLS_ERR_SSL_NO_RNG
    E(SSL_NO_RNG, "no random number generator configured"),
#endif
#ifdef MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE
    E(SSL_NO_CLIENT_CERTIFICATE, "the server asked for a client certificate and none was sent"),
#endif
#ifdef MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE
    E(SSL_CERTIFICATE_TOO_LARGE, "a certificate is larger than the record buffer"),
#endif
#ifdef MBEDTLS_ERR_SSL_CERTIFICATE_REQUIRED
    E(SSL_CERTIFICATE_REQUIRED, "the server requires a client certificate"),
#endif
#ifdef MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED
    E(SSL_PRIVATE_KEY_REQUIRED, "a private key is required"),
#endif
#ifdef MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED
    E(SSL_CA_CHAIN_REQUIRED, "no CA chain configured"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE
    E(SSL_UNEXPECTED_MESSAGE, "the server sent a message out of order"),
#endif
#ifdef MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE
    E(SSL_FATAL_ALERT_MESSAGE, "the server refused the handshake with a fatal alert"),
#endif
#ifdef MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED
    E(SSL_PEER_VERIFY_FAILED, "verification of the peer failed"),
#endif
#ifdef MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY
    E(SSL_PEER_CLOSE_NOTIFY, "the server closed the connection (close_notify)"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO
    E(SSL_BAD_HS_CLIENT_HELLO, "bad ClientHello"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO
    E(SSL_BAD_HS_SERVER_HELLO, "the server's ServerHello could not be parsed"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE
    E(SSL_BAD_HS_CERTIFICATE, "the server's Certificate message could not be parsed"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_REQUEST
    E(SSL_BAD_HS_CERTIFICATE_REQUEST, "bad CertificateRequest from the server"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE
    E(SSL_BAD_HS_SERVER_KEY_EXCHANGE, "the server's key exchange failed (bad signature or parameters)"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO_DONE
    E(SSL_BAD_HS_SERVER_HELLO_DONE, "bad ServerHelloDone"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE
    E(SSL_BAD_HS_CLIENT_KEY_EXCHANGE, "bad ClientKeyExchange"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP
    E(SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP, "bad ClientKeyExchange (public value)"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS
    E(SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS, "bad ClientKeyExchange (secret)"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_VERIFY
    E(SSL_BAD_HS_CERTIFICATE_VERIFY, "bad CertificateVerify"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_CHANGE_CIPHER_SPEC
    E(SSL_BAD_HS_CHANGE_CIPHER_SPEC, "bad ChangeCipherSpec"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_FINISHED
    E(SSL_BAD_HS_FINISHED, "the Finished message did not verify"),
#endif
#ifdef MBEDTLS_ERR_SSL_ALLOC_FAILED
    E(SSL_ALLOC_FAILED, "out of memory for the TLS buffers (about 2 x MBEDTLS_SSL_IN_CONTENT_LEN needed)"),
#endif
#ifdef MBEDTLS_ERR_SSL_HW_ACCEL_FAILED
    E(SSL_HW_ACCEL_FAILED, "hardware acceleration failed"),
#endif
#ifdef MBEDTLS_ERR_SSL_HW_ACCEL_FALLTHROUGH
    E(SSL_HW_ACCEL_FALLTHROUGH, "hardware acceleration fell through"),
#endif
#ifdef MBEDTLS_ERR_SSL_COMPRESSION_FAILED
    E(SSL_COMPRESSION_FAILED, "compression failed"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION
    E(SSL_BAD_HS_PROTOCOL_VERSION, "no TLS version in common with the server (this client needs TLS 1.2 or newer)"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_HS_NEW_SESSION_TICKET
    E(SSL_BAD_HS_NEW_SESSION_TICKET, "bad NewSessionTicket from the server"),
#endif
#ifdef MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED
    E(SSL_SESSION_TICKET_EXPIRED, "session ticket expired"),
#endif
#ifdef MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH
    E(SSL_PK_TYPE_MISMATCH, "key type does not match"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY
    E(SSL_UNKNOWN_IDENTITY, "unknown PSK identity"),
#endif
#ifdef MBEDTLS_ERR_SSL_INTERNAL_ERROR
    E(SSL_INTERNAL_ERROR, "internal error in mbedTLS"),
#endif
#ifdef MBEDTLS_ERR_SSL_COUNTER_WRAPPING
    E(SSL_COUNTER_WRAPPING, "record counter would wrap"),
#endif
#ifdef MBEDTLS_ERR_SSL_WAITING_SERVER_HELLO_RENEGO
    E(SSL_WAITING_SERVER_HELLO_RENEGO, "unexpected message while waiting for renegotiation"),
#endif
#ifdef MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED
    E(SSL_HELLO_VERIFY_REQUIRED, "DTLS hello verify required"),
#endif
#ifdef MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL
    E(SSL_BUFFER_TOO_SMALL, "buffer too small"),
#endif
#ifdef MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE
    E(SSL_NO_USABLE_CIPHERSUITE, "no usable cipher suite"),
#endif
#ifdef MBEDTLS_ERR_SSL_WANT_READ
    E(SSL_WANT_READ, "waiting for data from the network"),
#endif
#ifdef MBEDTLS_ERR_SSL_WANT_WRITE
    E(SSL_WANT_WRITE, "waiting to send to the network"),
#endif
#ifdef MBEDTLS_ERR_SSL_TIMEOUT
    E(SSL_TIMEOUT, "the server did not answer in time"),
#endif
#ifdef MBEDTLS_ERR_SSL_CLIENT_RECONNECT
    E(SSL_CLIENT_RECONNECT, "client reconnect"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNEXPECTED_RECORD
    E(SSL_UNEXPECTED_RECORD, "unexpected record"),
#endif
#ifdef MBEDTLS_ERR_SSL_NON_FATAL
    E(SSL_NON_FATAL, "non-fatal alert"),
#endif
#ifdef MBEDTLS_ERR_SSL_INVALID_VERIFY_HASH
    E(SSL_INVALID_VERIFY_HASH, "invalid verify hash"),
#endif
#ifdef MBEDTLS_ERR_SSL_CONTINUE_PROCESSING
    E(SSL_CONTINUE_PROCESSING, "continue processing"),
#endif
#ifdef MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS
    E(SSL_ASYNC_IN_PROGRESS, "asynchronous operation in progress"),
#endif
#ifdef MBEDTLS_ERR_SSL_EARLY_MESSAGE
    E(SSL_EARLY_MESSAGE, "early message"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNEXPECTED_CID
    E(SSL_UNEXPECTED_CID, "unexpected connection id"),
#endif
#ifdef MBEDTLS_ERR_SSL_VERSION_MISMATCH
    E(SSL_VERSION_MISMATCH, "record version mismatch"),
#endif
#ifdef MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS
    E(SSL_CRYPTO_IN_PROGRESS, "crypto operation in progress"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_CONFIG
    E(SSL_BAD_CONFIG, "invalid TLS configuration"),
#endif
#ifdef MBEDTLS_ERR_NET_RECV_FAILED
    E(NET_RECV_FAILED, "reading from the network failed"),
#endif
#ifdef MBEDTLS_ERR_NET_SEND_FAILED
    E(NET_SEND_FAILED, "sending to the network failed"),
#endif
#ifdef MBEDTLS_ERR_NET_CONN_RESET
    E(NET_CONN_RESET, "the connection was reset by the server"),
#endif
#ifdef MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED
    E(CTR_DRBG_ENTROPY_SOURCE_FAILED, "the entropy source (RNG) failed"),
#endif
#ifdef MBEDTLS_ERR_PK_KEY_INVALID_FORMAT
    E(PK_KEY_INVALID_FORMAT, "a key is malformed"),
#endif
#ifdef MBEDTLS_ERR_PK_ALLOC_FAILED
    E(PK_ALLOC_FAILED, "out of memory for a key"),
#endif
#ifdef MBEDTLS_ERR_RSA_VERIFY_FAILED
    E(RSA_VERIFY_FAILED, "an RSA signature did not verify"),
#endif
#ifdef MBEDTLS_ERR_ECP_VERIFY_FAILED
    E(ECP_VERIFY_FAILED, "an ECDSA signature did not verify"),
#endif
#ifdef MBEDTLS_ERR_ASN1_OUT_OF_DATA
    E(ASN1_OUT_OF_DATA, "DER data ends too early"),
#endif
#ifdef MBEDTLS_ERR_ASN1_UNEXPECTED_TAG
    E(ASN1_UNEXPECTED_TAG, "DER data has an unexpected tag"),
#endif
#ifdef MBEDTLS_ERR_ASN1_INVALID_LENGTH
    E(ASN1_INVALID_LENGTH, "DER data has an invalid length"),
#endif
#ifdef MBEDTLS_ERR_ASN1_LENGTH_MISMATCH
    E(ASN1_LENGTH_MISMATCH, "DER lengths do not match"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION
    E(SSL_BAD_PROTOCOL_VERSION, "no TLS version in common with the server (this client needs TLS 1.2 or newer)"),
#endif
#ifdef MBEDTLS_ERR_SSL_DECODE_ERROR
    E(SSL_DECODE_ERROR, "a handshake message from the server could not be decoded"),
#endif
#ifdef MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE
    E(SSL_HANDSHAKE_FAILURE, "the handshake failed: no parameters (cipher suite, group, signature algorithm) in common"),
#endif
#ifdef MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER
    E(SSL_ILLEGAL_PARAMETER, "the server sent an illegal parameter in the handshake"),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_CERTIFICATE
    E(SSL_BAD_CERTIFICATE, "the server's certificate could not be used"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION
    E(SSL_UNSUPPORTED_EXTENSION, "the server sent an extension the client did not offer"),
#endif
#ifdef MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL
    E(SSL_NO_APPLICATION_PROTOCOL, "no ALPN protocol in common with the server"),
#endif
#ifdef MBEDTLS_ERR_SSL_UNRECOGNIZED_NAME
    E(SSL_UNRECOGNIZED_NAME, "the server does not know the name sent as SNI"),
#endif
#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
    E(SSL_RECEIVED_NEW_SESSION_TICKET, "a TLS 1.3 session ticket arrived"),
#endif
#ifdef MBEDTLS_ERR_SSL_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME
    E(SSL_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME, "certificate verification without a host name was refused"),
#endif
#ifdef MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND
    E(SSL_CACHE_ENTRY_NOT_FOUND, "session cache entry not found"),
#endif
};

static const errinfo_t *err_find(int code)
{
    for (size_t i = 0; i < sizeof ERRS / sizeof ERRS[0]; i++) {
        if (ERRS[i].code == code) {
            return &ERRS[i];
        }
    }
    if (code < 0 && code > -0x10000) {
        /* high-level (module) part + low-level part: name the high part */
        int high = -((-code) & 0xFF80);
        if (high != code && high != 0) {
            return err_find(high);
        }
    }
    return NULL;
}

const char *otter_tls_backend_errname(int code)
{
    const errinfo_t *e = err_find(code);
    return e ? e->name : "UNKNOWN";
}

const char *otter_tls_backend_errtext(int code)
{
    const errinfo_t *e = err_find(code);
    return e ? e->text : "unknown mbedTLS error";
}
