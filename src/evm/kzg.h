/*
 * 0x0a KZG point evaluation (EIP-4844), on c-kzg-4844 + blst. The trusted
 * setup is loaded once per process, lazily, on first use.
 */
#ifndef PAREVM_EVM_KZG_H
#define PAREVM_EVM_KZG_H

#include <stddef.h>
#include <stdint.h>

#include "precompiles.h"

/* Input (192 bytes) = versioned_hash (32) || z (32) || y (32) ||
 * commitment (48) || proof (48). Gas 50000. Fails when the length is not
 * 192, the versioned hash is not 0x01 || sha256(commitment)[1:], a point
 * or field element is not canonical, or the proof does not verify. Output:
 * FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two 32-byte big-endian words.
 * PRECOMPILE_ERROR when the trusted setup cannot be loaded. */
enum precompile_status kzg_precompile_point_evaluation(const uint8_t *in, size_t in_len,
                                                       uint64_t gas_limit, uint64_t *gas_used,
                                                       struct bytebuf *out);

/* Path of the trusted setup file: $PAREVM_TRUSTED_SETUP when set, else the
 * copy shipped in the c-kzg package under third_party/ (its absolute path
 * at build time when readable, else the path relative to the project
 * root). */
const char *kzg_trusted_setup_path(void);

#endif
