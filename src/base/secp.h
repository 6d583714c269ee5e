/* The process's one secp256k1 context: created on first use, then only
 * read. libsecp256k1 (0.2 and later) lets one context recover, verify and
 * sign, and its functions may share a const context across threads, so
 * ecrecover, transaction senders, t8n's signing and the block generator
 * all use this one. */
#ifndef PAREVM_BASE_SECP_H
#define PAREVM_BASE_SECP_H

#include <secp256k1.h>

/* NULL when the library could not allocate it (callers report NOMEM). */
const secp256k1_context *secp_context(void);

#endif
