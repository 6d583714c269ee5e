/*
 * BLAKE2b compression function F (RFC 7693 section 3.2) with a caller-
 * chosen number of rounds, and the 0x09 precompile around it (EIP-152).
 * No allocation.
 */
#ifndef PAREVM_EVM_BLAKE2F_H
#define PAREVM_EVM_BLAKE2F_H

#include <stdbool.h>
#include <stdint.h>

#include "precompiles.h"

/* F(h, m, t, f) with `rounds` rounds (12 is BLAKE2b); updates h in place.
 * t is the 128-bit offset counter (t[0] low), final selects the last-block
 * inversion of v[14]. */
void blake2f_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final,
                      uint32_t rounds);

/* EIP-152: input exactly 213 bytes = rounds (4, big-endian) || h (64) ||
 * m (128) || t (16) || f (1), words little-endian; f must be 0 or 1.
 * Gas = rounds. Output: the 64-byte new h. */
enum precompile_status blake2f_precompile(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                          uint64_t *gas_used, struct bytebuf *out);

#endif
