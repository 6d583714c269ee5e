/*
 * 0x0a KZG point evaluation (EIP-4844), on blst. Of the trusted setup only
 * [tau]_2 is needed; the mainnet setup's is a constant (kzg.c), so the
 * precompile has no state, no file and no first-call cost.
 */
#ifndef PAREVM_EVM_KZG_H
#define PAREVM_EVM_KZG_H

#include <stddef.h>
#include <stdint.h>

#include "blst.h"
#include "precompiles.h"

/* A G2 point serialized uncompressed (blst_p2_affine_serialize). */
#define KZG_G2_SERIALIZED_BYTES 192

/* Input (192 bytes) = versioned_hash (32) || z (32) || y (32) ||
 * commitment (48) || proof (48). Gas 50000. Fails when the length is not
 * 192, the versioned hash is not 0x01 || sha256(commitment)[1:], z or y is
 * not below BLS_MODULUS, the commitment or proof is not a valid compressed
 * G1 point in the subgroup, or the proof does not verify against the
 * mainnet setup's [tau]_2. Output: FIELD_ELEMENTS_PER_BLOB and
 * BLS_MODULUS as two 32-byte big-endian words. Thread-safe (no state). */
enum precompile_status kzg_precompile_point_evaluation(const uint8_t *in, size_t in_len,
                                                       uint64_t gas_limit, uint64_t *gas_used,
                                                       struct bytebuf *out);

/* The same check against another setup's [tau]_2 (tests build setups
 * with a known secret). */
enum precompile_status kzg_point_evaluation_with(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                                 uint64_t *gas_used, struct bytebuf *out, const blst_p2 *tau_g2);

/* The built-in [tau]_2, serialized (KZG_G2_SERIALIZED_BYTES bytes). */
const uint8_t *kzg_tau_g2_serialized(void);

#endif
