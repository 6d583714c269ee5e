/*
 * Precompiled contracts. A precompile is a pure function of its input:
 * gas cost and output, or failure. Failure (invalid input or not enough
 * gas) consumes all gas given to the call, as the spec says.
 *
 * Activation per fork (one table in precompiles.c): 0x01-0x04 Frontier,
 * 0x05-0x08 Byzantium (EIP-198, 196, 197), 0x09 Istanbul (EIP-152), 0x0a
 * Cancun (EIP-4844), 0x0b-0x11 Prague (EIP-2537 BLS12-381, bls12381.h),
 * 0x100 Osaka (EIP-7951 P256VERIFY). The set is not
 * contiguous: ask for it with precompile_addresses. Before its fork an
 * address is an ordinary (usually empty) account.
 */
#ifndef PAREVM_EVM_PRECOMPILES_H
#define PAREVM_EVM_PRECOMPILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/types.h"
#include "fork.h"

enum precompile_status {
    PRECOMPILE_OK = 0,
    PRECOMPILE_FAILURE, /* out of gas or invalid input: all gas consumed */
    PRECOMPILE_ERROR    /* internal error (allocation); the caller aborts */
};

/* Precompile id: the address read as a big-endian number (0x01..0x0a,
 * 0x100); every precompile address is below 2^16. */
enum {
    PRECOMPILE_ID_P256VERIFY = 0x100, /* EIP-7951 */
};

/* Precompile id of addr when addr is a precompile active in fork, else 0. */
int precompile_lookup(const address *addr, enum fork fork);

/* The addresses of the precompiles active in fork, ascending; *count gets
 * their number. The array is static (built once, thread-safe, never
 * freed). All of them are warm at the start of a transaction from Berlin
 * on (EIP-2929). */
const address *precompile_addresses(enum fork fork, size_t *count);

/* Run precompile id on in[0..in_len) with gas_limit. On PRECOMPILE_OK,
 * *gas_used <= gas_limit and the output is appended to out (out is reset
 * first). On PRECOMPILE_FAILURE out is empty. PRECOMPILE_ERROR when id is
 * not a precompile active in fork. */
enum precompile_status precompile_run(int id, enum fork fork, const uint8_t *in, size_t in_len,
                                      uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);

/* Internal entry points, one per file that implements a precompile (the
 * dispatcher above calls them; tests and benchmarks go through
 * precompile_run). Same contract as precompile_run, with out already reset. */
enum precompile_status precompile_modexp(enum fork fork, const uint8_t *in, size_t in_len,
                                         uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);

/* EIP-198 / EIP-2565 / EIP-7883 gas of a MODEXP call on in[0..in_len),
 * saturating at UINT64_MAX. Reads only the three length words and the
 * exponent head. The price only: EIP-7823's length bound (Osaka) is
 * checked by the precompile itself. */
uint64_t precompile_modexp_gas(enum fork fork, const uint8_t *in, size_t in_len);

/* EIP-7951 P256VERIFY (0x100, Osaka): 6900 gas; 32-byte 1 on a valid
 * secp256r1 signature, empty output on anything else (not a failure). */
enum precompile_status precompile_p256verify(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                             uint64_t *gas_used, struct bytebuf *out);

/* SHA-256 of data (used by 0x02 and by KZG's versioned hash). */
void precompile_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
