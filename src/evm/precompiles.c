/*
 * Precompiled contracts: the table of addresses, activation forks and
 * entry points, the dispatcher, and the simple ones (0x01 ecrecover, 0x02
 * SHA-256, 0x03 RIPEMD-160, 0x04 identity). MODEXP lives in modexp.c,
 * BN254 in bn254.c, BLAKE2 F in blake2f.c, KZG point evaluation in kzg.c,
 * P256VERIFY in p256.c.
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
#include "../base/secp.h"
#include "blake2f.h"
#include "bn254.h"
#include "bls12381.h"
#include "kzg.h"
#include "precompiles.h"

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

    const secp256k1_context *secp_ctx = secp_verify_context();

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

/* ---- the table --------------------------------------------------------- */

/* Every precompile has one entry point of this shape: the contract of
 * precompile_run, with out already reset. */
typedef enum precompile_status (*precompile_fn)(enum fork fork, const uint8_t *in, size_t in_len,
                                                uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out);

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

static enum precompile_status entry_ecrecover(enum fork fork, const uint8_t *in, size_t in_len,
                                              uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    return run_priced(3000, gas_limit, gas_used, run_ecrecover, in, in_len, out);
}

static enum precompile_status entry_sha256(enum fork fork, const uint8_t *in, size_t in_len,
                                           uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    return run_priced(linear_gas(60, 12, in_len), gas_limit, gas_used, run_sha256, in, in_len, out);
}

static enum precompile_status entry_ripemd160(enum fork fork, const uint8_t *in, size_t in_len,
                                              uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    return run_priced(linear_gas(600, 120, in_len), gas_limit, gas_used, run_ripemd160, in, in_len, out);
}

static enum precompile_status entry_identity(enum fork fork, const uint8_t *in, size_t in_len,
                                             uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    return run_priced(linear_gas(15, 3, in_len), gas_limit, gas_used, run_identity, in, in_len, out);
}

static enum precompile_status entry_blake2f(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    return blake2f_precompile(in, in_len, gas_limit, gas_used, out);
}

static enum precompile_status entry_point_evaluation(enum fork fork, const uint8_t *in, size_t in_len,
                                                     uint64_t gas_limit, uint64_t *gas_used,
                                                     struct bytebuf *out)
{
    (void)fork;
    return kzg_precompile_point_evaluation(in, in_len, gas_limit, gas_used, out);
}

static enum precompile_status entry_p256verify(enum fork fork, const uint8_t *in, size_t in_len,
                                               uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    return precompile_p256verify(in, in_len, gas_limit, gas_used, out);
}

/* One row per precompile, in ascending address order: its id (the
 * address as a number), the first fork it is active in, its entry point.
 * The only list of precompiles: lookup, the per-fork address sets and the
 * dispatcher all read it. */
static const struct precompile_row {
    int id;
    enum fork first_fork;
    precompile_fn run;
} precompile_table[] = {
    {0x01, FORK_FRONTIER, entry_ecrecover},
    {0x02, FORK_FRONTIER, entry_sha256},
    {0x03, FORK_FRONTIER, entry_ripemd160},
    {0x04, FORK_FRONTIER, entry_identity},
    {0x05, FORK_BYZANTIUM, precompile_modexp},        /* EIP-198 */
    {0x06, FORK_BYZANTIUM, bn254_precompile_add},     /* EIP-196 */
    {0x07, FORK_BYZANTIUM, bn254_precompile_mul},     /* EIP-196 */
    {0x08, FORK_BYZANTIUM, bn254_precompile_pairing}, /* EIP-197 */
    {0x09, FORK_ISTANBUL, entry_blake2f},             /* EIP-152 */
    {0x0a, FORK_CANCUN, entry_point_evaluation},      /* EIP-4844 */
    {0x0b, FORK_PRAGUE, bls12381_g1_add},         /* EIP-2537 */
    {0x0c, FORK_PRAGUE, bls12381_g1_msm},         /* EIP-2537 */
    {0x0d, FORK_PRAGUE, bls12381_g2_add},         /* EIP-2537 */
    {0x0e, FORK_PRAGUE, bls12381_g2_msm},         /* EIP-2537 */
    {0x0f, FORK_PRAGUE, bls12381_pairing_check},  /* EIP-2537 */
    {0x10, FORK_PRAGUE, bls12381_map_fp_to_g1},   /* EIP-2537 */
    {0x11, FORK_PRAGUE, bls12381_map_fp2_to_g2},  /* EIP-2537 */
    {PRECOMPILE_ID_P256VERIFY, FORK_OSAKA, entry_p256verify}, /* EIP-7951 */
};

#define PRECOMPILE_TABLE_LEN (sizeof precompile_table / sizeof precompile_table[0])

/* The row of id when it is active in fork, else NULL. */
static const struct precompile_row *row_of(int id, enum fork fork)
{
    for (size_t i = 0; i < PRECOMPILE_TABLE_LEN; i++)
        if (precompile_table[i].id == id)
            return fork >= precompile_table[i].first_fork ? &precompile_table[i] : NULL;
    return NULL;
}

int precompile_lookup(const address *addr, enum fork fork)
{
    /* Every precompile address is below 2^16: the first 18 bytes are zero. */
    for (int i = 0; i < 18; i++)
        if (addr->bytes[i] != 0)
            return 0;
    int id = addr->bytes[18] << 8 | addr->bytes[19];
    return id != 0 && row_of(id, fork) ? id : 0;
}

/* Per-fork address sets, built from the table once (pthread_once orders
 * the build before every read on every thread; read-only afterwards). */
static pthread_once_t addresses_once = PTHREAD_ONCE_INIT;
static address fork_addresses[FORK__COUNT][PRECOMPILE_TABLE_LEN];
static size_t fork_address_count[FORK__COUNT];

static void addresses_build(void)
{
    for (int f = 0; f < FORK__COUNT; f++) {
        size_t n = 0;
        for (size_t i = 0; i < PRECOMPILE_TABLE_LEN; i++) {
            if (f < (int)precompile_table[i].first_fork)
                continue;
            address *a = &fork_addresses[f][n++];
            memset(a, 0, sizeof *a);
            a->bytes[18] = (uint8_t)(precompile_table[i].id >> 8);
            a->bytes[19] = (uint8_t)precompile_table[i].id;
        }
        fork_address_count[f] = n;
    }
}

const address *precompile_addresses(enum fork fork, size_t *count)
{
    pthread_once(&addresses_once, addresses_build);
    if ((int)fork < 0 || fork >= FORK__COUNT) {
        *count = 0;
        return fork_addresses[0];
    }
    *count = fork_address_count[fork];
    return fork_addresses[fork];
}

/* ---- dispatcher -------------------------------------------------------- */

enum precompile_status precompile_run(int id, enum fork fork, const uint8_t *in, size_t in_len,
                                      uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    bytebuf_reset(out);
    *gas_used = gas_limit;
    if (in == NULL)
        in_len = 0;
    const struct precompile_row *row = row_of(id, fork);
    if (row == NULL)
        return PRECOMPILE_ERROR; /* the caller asked for a non-precompile */

    enum precompile_status st = row->run(fork, in, in_len, gas_limit, gas_used, out);
    if (st != PRECOMPILE_OK) {
        bytebuf_reset(out);
        *gas_used = gas_limit;
    }
    return st;
}
