/*
 * 0x0a KZG point evaluation (EIP-4844), on blst. Of the trusted setup only
 * [tau]_2 is needed; it is read once per process, lazily, on the first
 * call that gets past the input checks (thread-safe).
 */
#ifndef PAREVM_EVM_KZG_H
#define PAREVM_EVM_KZG_H

#include <stddef.h>
#include <stdint.h>

#include "precompiles.h"

/* Input (192 bytes) = versioned_hash (32) || z (32) || y (32) ||
 * commitment (48) || proof (48). Gas 50000. Fails when the length is not
 * 192, the versioned hash is not 0x01 || sha256(commitment)[1:], z or y is
 * not below BLS_MODULUS, the commitment or proof is not a valid compressed
 * G1 point in the subgroup, or the proof does not verify. Output:
 * FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two 32-byte big-endian words.
 * PRECOMPILE_ERROR when a valid input meets a trusted setup that cannot be
 * read (missing file, or not the c-kzg text format with 4096 G1 points,
 * its first G2 point the generator and its second a point of G2). */
enum precompile_status kzg_precompile_point_evaluation(const uint8_t *in, size_t in_len,
                                                       uint64_t gas_limit, uint64_t *gas_used,
                                                       struct bytebuf *out);

/* Path of the trusted setup file (c-kzg text format: the G1 and G2 point
 * counts, the G1 points, then the G2 points [1]_2, [tau]_2, ...):
 * $PAREVM_TRUSTED_SETUP when set, else the
 * copy shipped in the c-kzg package under third_party/ (its absolute path
 * at build time when readable, else the path relative to the project
 * root). */
const char *kzg_trusted_setup_path(void);

#endif
