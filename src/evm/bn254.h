/*
 * BN254 (alt_bn128): the curve y^2 = x^3 + 3 over Fp, its twist over Fp2,
 * the tower Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3-(9+u)),
 * Fp12 = Fp6[w]/(w^2-v), and the optimal ate pairing. Used by the 0x06,
 * 0x07 and 0x08 precompiles (EIP-196, EIP-197, costs EIP-1108).
 *
 * Field elements are 4x64-bit limbs (little-endian limbs) in Montgomery
 * form. Points are Jacobian (X, Y, Z) = affine (X/Z^2, Y/Z^3); Z = 0 is the
 * point at infinity. Nothing here allocates.
 */
#ifndef PAREVM_EVM_BN254_H
#define PAREVM_EVM_BN254_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "precompiles.h"

typedef struct {
    uint64_t v[4];
} bn254_fp;
typedef struct {
    bn254_fp c0, c1; /* c0 + c1*u */
} bn254_fp2;
typedef struct {
    bn254_fp2 c0, c1, c2; /* c0 + c1*v + c2*v^2 */
} bn254_fp6;
typedef struct {
    bn254_fp6 c0, c1; /* c0 + c1*w */
} bn254_fp12;

typedef struct {
    bn254_fp x, y, z;
} bn254_g1;
typedef struct {
    bn254_fp2 x, y, z;
} bn254_g2;

/* Decoding from the EVM encoding (big-endian 32-byte coordinates; an Fp2
 * element is imaginary part first). False when a coordinate is >= p, the
 * point is not on its curve, or (G2) not in the order-r subgroup. (0, 0)
 * decodes to the point at infinity. */
bool bn254_g1_from_bytes(bn254_g1 *p, const uint8_t in[64]);
bool bn254_g2_from_bytes(bn254_g2 *q, const uint8_t in[128]);
/* Affine encoding; infinity encodes as 64 zero bytes. */
void bn254_g1_to_bytes(uint8_t out[64], const bn254_g1 *p);

void bn254_g1_add(bn254_g1 *r, const bn254_g1 *a, const bn254_g1 *b);
/* r = k * p for a 256-bit big-endian scalar k (not reduced: any k). */
void bn254_g1_mul(bn254_g1 *r, const bn254_g1 *p, const uint8_t k[32]);

/* True when prod e(p[i], q[i]) == 1 in GT (true for n == 0). Pairs with
 * either point at infinity contribute 1. */
bool bn254_pairing_check(const bn254_g1 *p, const bn254_g2 *q, size_t n);

/* The precompiles: same contract as precompile_run (out already reset). */
enum precompile_status bn254_precompile_add(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bn254_precompile_mul(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bn254_precompile_pairing(enum fork fork, const uint8_t *in, size_t in_len,
                                                uint64_t gas_limit, uint64_t *gas_used,
                                                struct bytebuf *out);

#endif
