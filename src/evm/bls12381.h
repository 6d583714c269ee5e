/*
 * EIP-2537 BLS12-381 precompiles (Prague on), on blst:
 *
 *   0x0b G1ADD       256 bytes -> 128    375 gas
 *   0x0c G1MSM   160*k bytes -> 128    k * 12000 * discount_g1(k) / 1000
 *   0x0d G2ADD       512 bytes -> 256    600 gas
 *   0x0e G2MSM   288*k bytes -> 256    k * 22500 * discount_g2(k) / 1000
 *   0x0f PAIRING 384*k bytes -> 32     32600 * k + 37700
 *   0x10 MAP_FP_TO_G1   64 bytes -> 128    5500 gas
 *   0x11 MAP_FP2_TO_G2 128 bytes -> 256   23800 gas
 *
 * Encoding (EIP-2537): an Fp element is 64 big-endian bytes whose top 16
 * are zero and whose value is < p; an Fp2 element is c0 || c1; a point is
 * x || y; the point at infinity is all zeros. A scalar is 32 big-endian
 * bytes, any value (not reduced). Points must be on their curve; MSM and
 * pairing inputs must also be in the order-q subgroup (ADD inputs need
 * not). k >= 1 and the length is exact. Any failure (bad length, bad
 * encoding, point off the curve or outside the subgroup, gas above the
 * limit) is PRECOMPILE_FAILURE and consumes all gas.
 *
 * Each entry point has the contract of precompile_modexp (precompiles.h):
 * on PRECOMPILE_OK *gas_used <= gas_limit and the output is appended to
 * out (already reset by the caller); PRECOMPILE_ERROR only when memory
 * cannot be allocated. Nothing here keeps state: safe from any thread.
 */
#ifndef PAREVM_EVM_BLS12381_H
#define PAREVM_EVM_BLS12381_H

#include <stddef.h>
#include <stdint.h>

#include "precompiles.h"

enum precompile_status bls12381_g1_add(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bls12381_g1_msm(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bls12381_g2_add(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bls12381_g2_msm(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bls12381_pairing_check(enum fork fork, const uint8_t *in, size_t in_len,
                                              uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bls12381_map_fp_to_g1(enum fork fork, const uint8_t *in, size_t in_len,
                                             uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);
enum precompile_status bls12381_map_fp2_to_g2(enum fork fork, const uint8_t *in, size_t in_len,
                                              uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);

/* EIP-2537 gas of an MSM / pairing call on in_len bytes, k = in_len / 160
 * (G1), / 288 (G2), / 384 (pairing), rounded down; the MSM price is 0 for
 * k = 0 (such a call fails anyway). Saturates at UINT64_MAX. */
uint64_t bls12381_g1_msm_gas(size_t in_len);
uint64_t bls12381_g2_msm_gas(size_t in_len);
uint64_t bls12381_pairing_gas(size_t in_len);

#endif
