/*
 * 0x0a KZG point evaluation (EIP-4844), on blst directly.
 *
 * Verifying one KZG opening needs only two points of the trusted setup:
 * the G2 generator [1]_2 (a constant, which the file must agree with) and
 * [tau]_2, the second point of its monomial G2 part. So only those are read
 * from the setup file, once per process on the first 0x0a call; the 4096
 * G1 points (and the tables c-kzg would build from them, which cost about
 * two seconds of field multiplications per process) are skipped unread.
 *
 * Concurrency: the parallel engine runs precompiles from many threads.
 * pthread_once runs kzg_setup_load exactly once and orders its writes
 * before every caller that returns from pthread_once; kzg_tau_g2 and
 * kzg_setup_loaded are read-only afterwards.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define KZG_FIELD_ELEMENTS_PER_BLOB 4096 /* EIP-4844: G1 points in the setup */
#define KZG_G1_BYTES 48                  /* compressed G1 point */
#define KZG_G2_BYTES 96                  /* compressed G2 point */
#define KZG_SCALAR_BITS 255              /* scalars are < BLS_MODULUS < 2^255 */

/* mk/kzg.mk defines both: the absolute path of the unpacked package at
 * build time, and the same path relative to the project root (for a build
 * tree that was moved or copied elsewhere). */
#ifndef PAREVM_CKZG_SETUP
#define PAREVM_CKZG_SETUP "third_party/c-kzg/deps/c-kzg/trusted_setup.txt"
#endif
#ifndef PAREVM_CKZG_SETUP_RELATIVE
#define PAREVM_CKZG_SETUP_RELATIVE PAREVM_CKZG_SETUP
#endif

const char *kzg_trusted_setup_path(void)
{
    const char *env = getenv("PAREVM_TRUSTED_SETUP");
    if (env && *env)
        return env;
    if (access(PAREVM_CKZG_SETUP, R_OK) == 0)
        return PAREVM_CKZG_SETUP;
    return PAREVM_CKZG_SETUP_RELATIVE;
}

static int kzg_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the next whitespace-separated token of f, which must be exactly
 * n bytes in hex (2n digits, no prefix), into out (or only checks its
 * shape when out is NULL). Returns false on a short, long or non-hex
 * token, or at end of file. f is private to the loading thread, so the
 * unlocked getc is safe (and the 4096 skipped G1 tokens are ~400 KB). */
static bool kzg_read_hex_token(FILE *f, uint8_t *out, size_t n)
{
    int c;
    do
        c = getc_unlocked(f);
    while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
    for (size_t i = 0; i < 2 * n; i++) {
        int d = kzg_hex_digit(c);
        if (d < 0)
            return false;
        if (out)
            out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] << 4) | d : d);
        c = getc_unlocked(f);
    }
    /* The token ends here: whitespace or end of file, not more digits. */
    return c == EOF || c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static pthread_once_t kzg_setup_once = PTHREAD_ONCE_INIT;
static blst_p2 kzg_tau_g2; /* [tau]_2 */
static bool kzg_setup_loaded;

/* Reads [tau]_2 from a trusted setup file in the c-kzg text format:
 * the G1 point count, the G2 point count, the G1 points (Lagrange form,
 * 48-byte compressed, hex), the G2 points (monomial form, 96 bytes,
 * hex: [1]_2, [tau]_2, [tau^2]_2, ...), then the G1 points in monomial
 * form. Requires 4096 G1 points (EIP-4844 FIELD_ELEMENTS_PER_BLOB, which
 * the precompile returns) and at least 2 G2 points; checks the shape of
 * every skipped G1 token, that the first G2 point is the generator (so a
 * file of another layout is refused, not misread) and that [tau]_2 is a
 * point of G2. Returns false on any mismatch or I/O error. */
static bool kzg_setup_read(FILE *f, blst_p2 *tau_g2)
{
    uint64_t g1_count = 0, g2_count = 0;
    if (fscanf(f, "%" SCNu64 " %" SCNu64, &g1_count, &g2_count) != 2)
        return false;
    if (g1_count != KZG_FIELD_ELEMENTS_PER_BLOB || g2_count < 2)
        return false;
    for (uint64_t i = 0; i < g1_count; i++)
        if (!kzg_read_hex_token(f, NULL, KZG_G1_BYTES))
            return false;
    uint8_t bytes[KZG_G2_BYTES];
    blst_p2_affine one, tau;
    if (!kzg_read_hex_token(f, bytes, sizeof bytes) || blst_p2_uncompress(&one, bytes) != BLST_SUCCESS ||
        !blst_p2_affine_is_equal(&one, blst_p2_affine_generator()))
        return false;
    if (!kzg_read_hex_token(f, bytes, sizeof bytes) || blst_p2_uncompress(&tau, bytes) != BLST_SUCCESS ||
        !blst_p2_affine_in_g2(&tau))
        return false;
    blst_p2_from_affine(tau_g2, &tau);
    return true;
}

/* The pthread_once routine: loads [tau]_2, or leaves kzg_setup_loaded
 * false when the file is missing or malformed. */
static void kzg_setup_load(void)
{
    FILE *f = fopen(kzg_trusted_setup_path(), "r");
    if (f == NULL)
        return;
    kzg_setup_loaded = kzg_setup_read(f, &kzg_tau_g2);
    fclose(f);
}

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

enum precompile_status kzg_precompile_point_evaluation(const uint8_t *in, size_t in_len,
                                                       uint64_t gas_limit, uint64_t *gas_used,
                                                       struct bytebuf *out)
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
     * proof valid G1 points in the subgroup; otherwise the call fails.
     * Checked before the setup is touched: bad input needs no setup. */
    blst_scalar z, y;
    blst_p1 commitment, proof;
    if (!kzg_g1_decode(&commitment, commitment_bytes) || !kzg_fr_decode(&z, z_bytes) ||
        !kzg_fr_decode(&y, y_bytes) || !kzg_g1_decode(&proof, proof_bytes))
        return PRECOMPILE_FAILURE;

    pthread_once(&kzg_setup_once, kzg_setup_load);
    if (!kzg_setup_loaded)
        return PRECOMPILE_ERROR; /* no trusted setup: cannot judge the proof */

    if (!kzg_opening_holds(&commitment, &z, &y, &proof, &kzg_tau_g2))
        return PRECOMPILE_FAILURE;

    *gas_used = gas;
    return bytebuf_append(out, KZG_RESULT, sizeof KZG_RESULT) == PAREVM_OK ? PRECOMPILE_OK
                                                                            : PRECOMPILE_ERROR;
}
