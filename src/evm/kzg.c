/*
 * 0x0a KZG point evaluation (EIP-4844) on c-kzg-4844 + blst (built from
 * the npm package c-kzg by mk/kzg.mk).
 *
 * The trusted setup (4096 G1 points, 65 G2 points) is parsed once per
 * process on first use: pthread_once orders the load before every reader,
 * and the settings are read-only afterwards, which c-kzg allows from any
 * number of threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckzg.h"
#include "kzg.h"

/* EIP-4844 constants returned by the precompile. */
static const uint8_t KZG_RESULT[64] = {
    /* FIELD_ELEMENTS_PER_BLOB = 4096 */
    [30] = 0x10,
    /* BLS_MODULUS */
    [32] = 0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
};

#define VERSIONED_HASH_VERSION_KZG 0x01

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

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static KZGSettings setup;
static bool setup_loaded;

static void setup_load(void)
{
    FILE *f = fopen(kzg_trusted_setup_path(), "r");
    if (f == NULL)
        return;
    /* precompute = 0: no MSM tables; point evaluation does not use them. */
    setup_loaded = load_trusted_setup_file(&setup, f, 0) == C_KZG_OK;
    fclose(f);
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

    /* versioned_hash = 0x01 || sha256(commitment)[1:] */
    const uint8_t *versioned_hash = in, *z = in + 32, *y = in + 64, *commitment = in + 96,
                  *proof = in + 144;
    uint8_t expected[32];
    precompile_sha256(commitment, 48, expected);
    expected[0] = VERSIONED_HASH_VERSION_KZG;
    if (memcmp(expected, versioned_hash, 32) != 0)
        return PRECOMPILE_FAILURE;

    pthread_once(&setup_once, setup_load);
    if (!setup_loaded)
        return PRECOMPILE_ERROR; /* no trusted setup: cannot judge the proof */

    Bytes48 commitment_bytes, proof_bytes;
    Bytes32 z_bytes, y_bytes;
    memcpy(commitment_bytes.bytes, commitment, 48);
    memcpy(proof_bytes.bytes, proof, 48);
    memcpy(z_bytes.bytes, z, 32);
    memcpy(y_bytes.bytes, y, 32);
    bool ok = false;
    C_KZG_RET ret = verify_kzg_proof(&ok, &commitment_bytes, &z_bytes, &y_bytes, &proof_bytes, &setup);
    if (ret == C_KZG_BADARGS)
        return PRECOMPILE_FAILURE; /* z or y not canonical, points not on G1 / in the subgroup */
    if (ret != C_KZG_OK)
        return PRECOMPILE_ERROR;
    if (!ok)
        return PRECOMPILE_FAILURE;

    *gas_used = gas;
    return bytebuf_append(out, KZG_RESULT, sizeof KZG_RESULT) == PAREVM_OK ? PRECOMPILE_OK
                                                                            : PRECOMPILE_ERROR;
}
