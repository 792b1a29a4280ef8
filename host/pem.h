/* host/pem: base64 and PEM blocks for the host tools (no crypto library). */
#ifndef OTTER_HOST_PEM_H
#define OTTER_HOST_PEM_H

#include <stddef.h>
#include <stdint.h>

/* Base64 of in[0..len) into out (NUL-terminated, no line breaks); out
 * needs 4 * ((len + 2) / 3) + 1 bytes. Returns the length written. */
size_t otter_base64_encode(const uint8_t *in, size_t len, char *out);

/* The next "-----BEGIN <label>-----" block at or after *pos in text[0..len)
 * decoded into a malloc'd *der (caller frees) of *der_len bytes; *pos moves
 * past its END line. Returns 1 (a block), 0 (no more), -1 (a block with a
 * missing END line or bad base64: *pos moves past its BEGIN line). */
int otter_pem_next(const char *text, size_t len, const char *label, size_t *pos, uint8_t **der,
                   size_t *der_len);

/* The PEM text of der under label, lines of 64, each ending "\n", into a
 * malloc'd NUL-terminated string, or NULL when out of memory. */
char *otter_pem_encode(const char *label, const uint8_t *der, size_t len);

#endif
