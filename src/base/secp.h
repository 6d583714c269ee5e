/* secp256k1 contexts.
 *
 * Recovery (ecrecover, transaction senders) uses libsecp256k1's static
 * context: since 0.2 its verification tables are compiled in, so
 * recovering needs no context of our own, no allocation and no state.
 * Signing (t8n's secretKey, the block generator) needs a context of its
 * own; the process keeps one, created on first use and then only read
 * (libsecp256k1 lets threads share a const context). Execution never
 * signs, so a block run touches only the static context. */
#ifndef PAREVM_BASE_SECP_H
#define PAREVM_BASE_SECP_H

#include <secp256k1.h>

/* For parse, recover and serialize: never NULL, nothing to free. */
static inline const secp256k1_context *secp_verify_context(void) { return secp256k1_context_static; }

/* For signing and public keys from secret keys. NULL when the library
 * could not allocate it (callers report NOMEM). */
const secp256k1_context *secp_context(void);

#endif
