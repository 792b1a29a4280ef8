/* Private to the TLS module: what tls.c, tls_explain.c and tls_format.c
 * share (the string builder is the core's, strbuf.h). */
#ifndef OTTER_TLS_PRIV_H
#define OTTER_TLS_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "strbuf.h"

/* The explanation (otter_tls_explain) appended to a builder. */
struct otter_tls_report;
void otter_tls_explain_sb(otter_sb_t *sb, const struct otter_tls_report *r);

#endif
