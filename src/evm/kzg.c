/*
 * 0x0a KZG point evaluation (EIP-4844), on blst directly.
 *
 * Verifying one KZG opening needs only two points of the trusted setup:
 * the G2 generator [1]_2 and [tau]_2, the second point of the monomial
 * G2 part of the mainnet setup (the KZG ceremony's output, which EIP-4844
 * fixes). Both are constants here, so the precompile reads no file, keeps
 * no process-wide state and has nothing to load on its first call; the
 * 4096 G1 points (and the tables c-kzg would build from them, about two
 * seconds of field multiplications per process) are never needed.
 * tests/test_precompiles.c checks KZG_TAU_G2 against the setup file in
 * the pinned c-kzg package.
 */
#include <string.h>

#include "blst.h"
#include "kzg.h"

/* EIP-4844 constants returned by the precompile. */
static const uint8_t KZG_RESULT[64] = {
    /* FIELD_ELEMENTS_PER_BLOB = 4096 */
    [30] = 0x10,
    /* BLS_MODULUS */
    [32] = 0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
};

#define KZG_VERSIONED_HASH_VERSION 0x01  /* EIP-4844 VERSIONED_HASH_VERSION_KZG */
#define KZG_G1_BYTES 48                  /* compressed G1 point */
#define KZG_SCALAR_BITS 255              /* scalars are < BLS_MODULUS < 2^255 */

/* [tau]_2 of the EIP-4844 trusted setup (the mainnet KZG ceremony):
 * the second G2 point of the setup's monomial part, serialized
 * uncompressed (x, then y; each an Fp2 element, c1 before c0, big-endian
 * 48-byte coordinates), as blst_p2_affine_serialize writes it. Compressed
 * it is b5bfd7dd...c1def2, line 4100 of c-kzg's trusted_setup.txt. */
static const uint8_t KZG_TAU_G2[KZG_G2_SERIALIZED_BYTES] = {
    0x15, 0xbf, 0xd7, 0xdd, 0x8c, 0xde, 0xb1, 0x28, 0x84, 0x3b, 0xc2, 0x87,
    0x23, 0x0a, 0xf3, 0x89, 0x26, 0x18, 0x70, 0x75, 0xcb, 0xfb, 0xef, 0xa8,
    0x10, 0x09, 0xa2, 0xce, 0x61, 0x5a, 0xc5, 0x3d, 0x29, 0x14, 0xe5, 0x87,
    0x0c, 0xb4, 0x52, 0xd2, 0xaf, 0xaa, 0xab, 0x24, 0xf3, 0x49, 0x9f, 0x72,
    0x18, 0x5c, 0xbf, 0xee, 0x53, 0x49, 0x27, 0x14, 0x73, 0x44, 0x29, 0xb7,
    0xb3, 0x86, 0x08, 0xe2, 0x39, 0x26, 0xc9, 0x11, 0xcc, 0xec, 0xea, 0xc9,
    0xa3, 0x68, 0x51, 0x47, 0x7b, 0xa4, 0xc6, 0x0b, 0x08, 0x70, 0x41, 0xde,
    0x62, 0x10, 0x00, 0xed, 0xc9, 0x8e, 0xda, 0xda, 0x20, 0xc1, 0xde, 0xf2,
    0x16, 0x66, 0xc5, 0x4b, 0x0a, 0x32, 0x52, 0x95, 0x03, 0x43, 0x2f, 0xca,
    0xe0, 0x18, 0x1b, 0x4b, 0xef, 0x79, 0xde, 0x09, 0xfc, 0x63, 0x67, 0x1f,
    0xda, 0x5e, 0xd1, 0xba, 0x9b, 0xfa, 0x07, 0x89, 0x94, 0x95, 0x34, 0x6f,
    0x3d, 0x7a, 0xc9, 0xcd, 0x23, 0x04, 0x8e, 0xf3, 0x0d, 0x0a, 0x15, 0x4f,
    0x01, 0x43, 0x53, 0xbd, 0xb9, 0x6b, 0x62, 0x6d, 0xd7, 0xd5, 0xee, 0x85,
    0x99, 0xd1, 0xfc, 0xa2, 0x13, 0x15, 0x69, 0x49, 0x0e, 0x28, 0xde, 0x18,
    0xe8, 0x24, 0x51, 0xa4, 0x96, 0xa9, 0xc9, 0x79, 0x4c, 0xe2, 0x6d, 0x10,
    0x59, 0x41, 0xf3, 0x83, 0xee, 0x68, 0x9b, 0xfb, 0xbb, 0x83, 0x2a, 0x99,
};

/* Decodes a 48-byte compressed G1 point as EIP-4844's
 * validate_kzg_g1 does: a valid encoding of a point on the curve (the
 * point at infinity included) that lies in the order-r subgroup. */
static bool kzg_g1_decode(blst_p1 *out, const uint8_t in[KZG_G1_BYTES])
{
    blst_p1_affine p;
    if (blst_p1_uncompress(&p, in) != BLST_SUCCESS)
        return false; /* bad flags, x >= p, or not on the curve */
    if (!blst_p1_affine_is_inf(&p) && !blst_p1_affine_in_g1(&p))
        return false;
    blst_p1_from_affine(out, &p);
    return true;
}

/* Decodes a 32-byte big-endian BLS scalar field element; EIP-4844's
 * bytes_to_bls_field refuses values >= BLS_MODULUS. */
static bool kzg_fr_decode(blst_scalar *out, const uint8_t in[32])
{
    blst_scalar_from_bendian(out, in);
    return blst_scalar_fr_check(out);
}

/* The KZG opening check (EIP-4844 verify_kzg_proof_impl): the commitment
 * C opens to y at z with proof pi when
 *     e(C - [y]_1, [1]_2) == e(pi, [tau]_2 - [z]_2),
 * tested as e(-(C - [y]_1), [1]_2) * e(pi, [tau]_2 - [z]_2) == 1 (one
 * final exponentiation for both Miller loops). */
static bool kzg_opening_holds(const blst_p1 *commitment, const blst_scalar *z, const blst_scalar *y,
                              const blst_p1 *proof, const blst_p2 *tau_g2)
{
    blst_p2 z_g2, tau_minus_z;
    blst_p2_mult(&z_g2, blst_p2_generator(), z->b, KZG_SCALAR_BITS);
    blst_p2_cneg(&z_g2, true);
    blst_p2_add_or_double(&tau_minus_z, tau_g2, &z_g2);

    blst_p1 y_g1, c_minus_y;
    blst_p1_mult(&y_g1, blst_p1_generator(), y->b, KZG_SCALAR_BITS);
    blst_p1_cneg(&y_g1, true);
    blst_p1_add_or_double(&c_minus_y, commitment, &y_g1);
    blst_p1_cneg(&c_minus_y, true);

    blst_p1_affine lhs_g1, rhs_g1;
    blst_p2_affine rhs_g2;
    blst_p1_to_affine(&lhs_g1, &c_minus_y);
    blst_p1_to_affine(&rhs_g1, proof);
    blst_p2_to_affine(&rhs_g2, &tau_minus_z);

    blst_fp12 lhs, rhs, product;
    blst_miller_loop(&lhs, blst_p2_affine_generator(), &lhs_g1);
    blst_miller_loop(&rhs, &rhs_g2, &rhs_g1);
    blst_fp12_mul(&product, &lhs, &rhs);
    blst_final_exp(&product, &product);
    return blst_fp12_is_one(&product);
}

enum precompile_status kzg_point_evaluation_with(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                                 uint64_t *gas_used, struct bytebuf *out, const blst_p2 *tau_g2)
{
    const uint64_t gas = 50000; /* EIP-4844 POINT_EVALUATION_PRECOMPILE_GAS */
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;
    if (in_len != 192)
        return PRECOMPILE_FAILURE;

    /* EIP-4844: versioned_hash = 0x01 || sha256(commitment)[1:] */
    const uint8_t *versioned_hash = in, *z_bytes = in + 32, *y_bytes = in + 64, *commitment_bytes = in + 96,
                  *proof_bytes = in + 144;
    uint8_t expected[32];
    precompile_sha256(commitment_bytes, 48, expected);
    expected[0] = KZG_VERSIONED_HASH_VERSION;
    if (memcmp(expected, versioned_hash, 32) != 0)
        return PRECOMPILE_FAILURE;

    /* EIP-4844 verify_kzg_proof: canonical field elements, commitment and
     * proof valid G1 points in the subgroup; otherwise the call fails. */
    blst_scalar z, y;
    blst_p1 commitment, proof;
    if (!kzg_g1_decode(&commitment, commitment_bytes) || !kzg_fr_decode(&z, z_bytes) ||
        !kzg_fr_decode(&y, y_bytes) || !kzg_g1_decode(&proof, proof_bytes))
        return PRECOMPILE_FAILURE;

    if (!kzg_opening_holds(&commitment, &z, &y, &proof, tau_g2))
        return PRECOMPILE_FAILURE;

    *gas_used = gas;
    return bytebuf_append(out, KZG_RESULT, sizeof KZG_RESULT) == PAREVM_OK ? PRECOMPILE_OK
                                                                            : PRECOMPILE_ERROR;
}

enum precompile_status kzg_precompile_point_evaluation(const uint8_t *in, size_t in_len,
                                                       uint64_t gas_limit, uint64_t *gas_used,
                                                       struct bytebuf *out)
{
    /* A constant point: deserializing it (no square root, unlike the
     * compressed form) costs microseconds against the pairing's
     * milliseconds, and keeps the precompile free of shared state. */
    blst_p2_affine a;
    blst_p2 tau_g2;
    if (blst_p2_deserialize(&a, KZG_TAU_G2) != BLST_SUCCESS)
        return PRECOMPILE_ERROR; /* cannot happen: the test checks the constant */
    blst_p2_from_affine(&tau_g2, &a);
    return kzg_point_evaluation_with(in, in_len, gas_limit, gas_used, out, &tau_g2);
}

const uint8_t *kzg_tau_g2_serialized(void) { return KZG_TAU_G2; }
