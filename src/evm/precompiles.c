/*
 * Precompiled contracts: activation per fork, the dispatcher, and the
 * simple ones (0x01 ecrecover, 0x02 SHA-256, 0x03 RIPEMD-160, 0x04
 * identity). MODEXP lives in modexp.c, BN254 in bn254.c, BLAKE2 F in
 * blake2f.c, KZG point evaluation in kzg.c.
 *
 * Every precompile follows one pattern: price the call from the input alone
 * (before any allocation or heavy work), fail if the price exceeds the gas
 * limit, then compute. A failure consumes the whole gas limit.
 */

/* The one-shot SHA256()/RIPEMD160() helpers of OpenSSL 3 go through the
 * provider fetch machinery on every call; the low-level *_Init/Update/Final
 * functions do not, and RIPEMD-160 through EVP may need the legacy
 * provider. They are deprecated (not removed) in 3.0: ask for the 1.1.1 API
 * in this file only, so the build stays warning-free. */
#define OPENSSL_API_COMPAT 10101
#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>

#include "../base/keccak.h"
#include "blake2f.h"
#include "bls12381.h"
#include "bn254.h"
#include "kzg.h"
#include "precompiles.h"

enum {
    PRECOMPILE_ECRECOVER = 1,
    PRECOMPILE_SHA256 = 2,
    PRECOMPILE_RIPEMD160 = 3,
    PRECOMPILE_IDENTITY = 4,
    PRECOMPILE_MODEXP = 5,
    PRECOMPILE_BN254_ADD = 6,
    PRECOMPILE_BN254_MUL = 7,
    PRECOMPILE_BN254_PAIRING = 8,
    PRECOMPILE_BLAKE2F = 9,
    PRECOMPILE_POINT_EVALUATION = 10,
    PRECOMPILE_BLS12_G1ADD = 0x0b, /* EIP-2537, 0x0b..0x11 */
    PRECOMPILE_BLS12_G1MSM = 0x0c,
    PRECOMPILE_BLS12_G2ADD = 0x0d,
    PRECOMPILE_BLS12_G2MSM = 0x0e,
    PRECOMPILE_BLS12_PAIRING_CHECK = 0x0f,
    PRECOMPILE_BLS12_MAP_FP_TO_G1 = 0x10,
    PRECOMPILE_BLS12_MAP_FP2_TO_G2 = 0x11,
};

int precompile_count(enum fork fork)
{
    if (fork >= FORK_PRAGUE)
        return 0x11; /* EIP-2537 */
    if (fork >= FORK_CANCUN)
        return 10; /* EIP-4844 */
    if (fork >= FORK_ISTANBUL)
        return 9; /* EIP-152 */
    if (fork >= FORK_BYZANTIUM)
        return 8; /* EIP-198, EIP-196, EIP-197 */
    return 4;
}

int precompile_lookup(const address *addr, enum fork fork)
{
    for (int i = 0; i < 19; i++)
        if (addr->bytes[i] != 0)
            return 0;
    int id = addr->bytes[19];
    return (id >= 1 && id <= precompile_count(fork)) ? id : 0;
}

/* base + per_word * ceil(len / 32), saturating at UINT64_MAX. */
static uint64_t linear_gas(uint64_t base, uint64_t per_word, size_t len)
{
    uint64_t words = (uint64_t)len / 32 + (len % 32 != 0);
    if (words > (UINT64_MAX - base) / per_word)
        return UINT64_MAX;
    return base + per_word * words;
}

void precompile_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data, len);
    SHA256_Final(out, &ctx);
}

/* ---- 0x01 ecrecover ---------------------------------------------------- */

/* One verification-capable context for the whole process. Created once
 * (pthread_once orders its creation before every use on every thread) and
 * read-only afterwards: libsecp256k1 allows concurrent use of a const
 * context. */
static pthread_once_t secp_once = PTHREAD_ONCE_INIT;
static secp256k1_context *secp_ctx;

static void secp_context_create(void)
{
    secp_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
}

static bool bytes_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Recovers the signer of (hash, v, r, s) from the input zero-padded to 128
 * bytes. A signature that does not recover (v not exactly 27 or 28 as a
 * 32-byte word, r or s outside [1, n-1], no point for r) is not a failure:
 * the call succeeds with empty output. There is no low-s rule here
 * (that is EIP-2 for transactions only). */
static enum precompile_status run_ecrecover(const uint8_t *in, size_t in_len, struct bytebuf *out)
{
    uint8_t buf[128] = {0};
    if (in_len)
        memcpy(buf, in, in_len < 128 ? in_len : 128);

    if (!bytes_all_zero(buf + 32, 31) || (buf[63] != 27 && buf[63] != 28))
        return PRECOMPILE_OK;
    /* parse_compact rejects r or s >= n; zero is checked here. */
    if (bytes_all_zero(buf + 64, 32) || bytes_all_zero(buf + 96, 32))
        return PRECOMPILE_OK;

    pthread_once(&secp_once, secp_context_create);
    if (secp_ctx == NULL)
        return PRECOMPILE_ERROR;

    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp_ctx, &sig, buf + 64, buf[63] - 27))
        return PRECOMPILE_OK;
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(secp_ctx, &pubkey, &sig, buf))
        return PRECOMPILE_OK;

    uint8_t serialized[65];
    size_t serialized_len = sizeof serialized;
    secp256k1_ec_pubkey_serialize(secp_ctx, serialized, &serialized_len, &pubkey,
                                  SECP256K1_EC_UNCOMPRESSED);
    uint8_t result[32];
    keccak256(serialized + 1, 64, result);
    memset(result, 0, 12); /* the address is the hash's low 20 bytes */
    return bytebuf_append(out, result, 32) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

/* ---- 0x02 SHA-256, 0x03 RIPEMD-160, 0x04 identity ---------------------- */

static enum precompile_status run_sha256(const uint8_t *in, size_t in_len, struct bytebuf *out)
{
    uint8_t digest[32];
    precompile_sha256(in, in_len, digest);
    return bytebuf_append(out, digest, 32) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

/* The 20-byte digest, left-padded with zeros to one word. */
static enum precompile_status run_ripemd160(const uint8_t *in, size_t in_len, struct bytebuf *out)
{
    uint8_t word[32] = {0};
    RIPEMD160_CTX ctx;
    RIPEMD160_Init(&ctx);
    RIPEMD160_Update(&ctx, in, in_len);
    RIPEMD160_Final(word + 12, &ctx);
    return bytebuf_append(out, word, 32) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

static enum precompile_status run_identity(const uint8_t *in, size_t in_len, struct bytebuf *out)
{
    if (in_len == 0)
        return PRECOMPILE_OK;
    return bytebuf_append(out, in, in_len) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

/* ---- dispatcher -------------------------------------------------------- */

/* Fixed-price precompiles: check the price, then run. The others price
 * themselves from their input inside their own file. */
static enum precompile_status run_priced(uint64_t gas, uint64_t gas_limit, uint64_t *gas_used,
                                         enum precompile_status (*fn)(const uint8_t *, size_t,
                                                                      struct bytebuf *),
                                         const uint8_t *in, size_t in_len, struct bytebuf *out)
{
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;
    *gas_used = gas;
    return fn(in, in_len, out);
}

enum precompile_status precompile_run(int id, enum fork fork, const uint8_t *in, size_t in_len,
                                      uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    bytebuf_reset(out);
    *gas_used = gas_limit;
    if (in == NULL)
        in_len = 0;
    if (id < 1 || id > precompile_count(fork))
        return PRECOMPILE_ERROR; /* the caller asked for a non-precompile */

    enum precompile_status st;
    switch (id) {
    case PRECOMPILE_ECRECOVER:
        st = run_priced(3000, gas_limit, gas_used, run_ecrecover, in, in_len, out);
        break;
    case PRECOMPILE_SHA256:
        st = run_priced(linear_gas(60, 12, in_len), gas_limit, gas_used, run_sha256, in, in_len, out);
        break;
    case PRECOMPILE_RIPEMD160:
        st = run_priced(linear_gas(600, 120, in_len), gas_limit, gas_used, run_ripemd160, in, in_len,
                        out);
        break;
    case PRECOMPILE_IDENTITY:
        st = run_priced(linear_gas(15, 3, in_len), gas_limit, gas_used, run_identity, in, in_len, out);
        break;
    case PRECOMPILE_MODEXP:
        st = precompile_modexp(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BN254_ADD:
        st = bn254_precompile_add(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BN254_MUL:
        st = bn254_precompile_mul(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BN254_PAIRING:
        st = bn254_precompile_pairing(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLAKE2F:
        st = blake2f_precompile(in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_POINT_EVALUATION:
        st = kzg_precompile_point_evaluation(in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_G1ADD:
        st = bls12381_g1_add(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_G1MSM:
        st = bls12381_g1_msm(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_G2ADD:
        st = bls12381_g2_add(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_G2MSM:
        st = bls12381_g2_msm(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_PAIRING_CHECK:
        st = bls12381_pairing_check(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_MAP_FP_TO_G1:
        st = bls12381_map_fp_to_g1(fork, in, in_len, gas_limit, gas_used, out);
        break;
    case PRECOMPILE_BLS12_MAP_FP2_TO_G2:
        st = bls12381_map_fp2_to_g2(fork, in, in_len, gas_limit, gas_used, out);
        break;
    default:
        st = PRECOMPILE_ERROR;
        break;
    }
    if (st != PRECOMPILE_OK) {
        bytebuf_reset(out);
        *gas_used = gas_limit;
    }
    return st;
}
