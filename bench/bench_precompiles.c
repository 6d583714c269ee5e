/*
 * Precompile throughput: ns per call and Mgas/s (gas charged under Osaka
 * / elapsed time) for representative inputs, by wall-clock time and by
 * this thread's CPU time. Each case runs for at least
 * PAREVM_BENCH_SECONDS (default 0.5) after one warm-up call.
 *
 * After the table, the EIP-2537 BLS12-381 cases and EIP-7951 P256VERIFY
 * are compared with the ecrecover (0x01) and 2-pair ecpairing (0x08) rates
 * of the same run: EIP-2537 prices BLS "assuming EcRecover precompile as a
 * baseline", and EIP-7951 sets P256VERIFY's 6900 gas against ecrecover's
 * 3000, so a case well below the baseline's Mgas/s is underpriced on this
 * machine.
 *
 *   build/bench_precompiles [filter]   (runs the cases whose name contains filter;
 *                                       a filter that selects a bls or p256 case
 *                                       also runs the two baselines)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/base/buf.h"
#include "../src/evm/precompiles.h"

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_seconds(void) { return clock_seconds(CLOCK_MONOTONIC); }

/* CPU time of this thread: on a shared, loaded machine it shows the cost
 * of the code itself, where wall time also counts waiting for a core. */
static double cpu_seconds(void) { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n + 1);
    if (!out)
        abort();
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(hex_nibble(hex[2 * i]) << 4 | hex_nibble(hex[2 * i + 1]));
    *len = n;
    return out;
}

/* Deterministic filler (xorshift64). */
static void fill_pseudo_random(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 32);
    }
}

static double bench_seconds = 0.5;

/* Osaka, today's mainnet rules: every precompile here is active (0x100
 * P256VERIFY from Osaka), MODEXP is priced by EIP-7883, the others cost
 * what they cost in Cancun/Prague. */
static const enum fork bench_fork = FORK_OSAKA;

/* Rates kept for the BLS comparison (name, wall and CPU Mgas/s). */
struct rate {
    const char *name;
    double mgas, cpu_mgas;
};
static struct rate rates[64];
static size_t rate_count;

static void run_case(const char *name, int id, const uint8_t *in, size_t len)
{
    struct bytebuf out = {0};
    uint64_t gas = 0;
    enum fork fork = bench_fork;
    if (precompile_run(id, fork, in, len, UINT64_MAX / 2, &gas, &out) != PRECOMPILE_OK) {
        printf("%-24s  FAILED (status not OK)\n", name);
        bytebuf_free(&out);
        return;
    }
    /* Warm-up, then calibrated batches until the time budget is spent. */
    uint64_t iters = 0, batch = 1;
    double start = now_seconds(), cpu_start = cpu_seconds(), elapsed = 0;
    while (elapsed < bench_seconds) {
        for (uint64_t i = 0; i < batch; i++) {
            uint64_t used;
            precompile_run(id, fork, in, len, UINT64_MAX / 2, &used, &out);
        }
        iters += batch;
        elapsed = now_seconds() - start;
        if (elapsed < bench_seconds / 10)
            batch *= 2;
    }
    double cpu = cpu_seconds() - cpu_start;
    double ns = elapsed * 1e9 / (double)iters, cpu_ns = cpu * 1e9 / (double)iters;
    double mgas = (double)gas * (double)iters / elapsed / 1e6;
    double cpu_mgas = (double)gas * (double)iters / cpu / 1e6;
    printf("%-24s %12.0f %12.0f %9llu %10.1f %10.1f\n", name, ns, cpu_ns, (unsigned long long)gas, mgas,
           cpu_mgas);
    if (rate_count < sizeof rates / sizeof rates[0])
        rates[rate_count++] = (struct rate){name, mgas, cpu_mgas};
    bytebuf_free(&out);
}

static const struct rate *rate_find(const char *name)
{
    for (size_t i = 0; i < rate_count; i++)
        if (strcmp(rates[i].name, name) == 0)
            return &rates[i];
    return NULL;
}

static void run_hex_case(const char *name, int id, const char *hex)
{
    size_t len;
    uint8_t *in = unhex(hex, &len);
    run_case(name, id, in, len);
    free(in);
}

/* MODEXP input with base, exp, mod of the given byte lengths, filled with
 * pseudo-random bytes; the modulus is made odd and full-length. */
static void run_modexp_case(const char *name, size_t base_len, size_t exp_len, size_t mod_len)
{
    size_t len = 96 + base_len + exp_len + mod_len;
    uint8_t *in = calloc(1, len);
    if (!in)
        abort();
    size_t lens[3] = {base_len, exp_len, mod_len};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 8; j++)
            in[32 * i + 24 + j] = (uint8_t)(lens[i] >> (56 - 8 * j));
    fill_pseudo_random(in + 96, base_len + exp_len + mod_len, 0x9e3779b97f4a7c15ULL);
    uint8_t *mod = in + 96 + base_len + exp_len;
    mod[0] |= 0x80;
    mod[mod_len - 1] |= 1;
    in[96 + base_len] |= 0x80; /* full-length exponent */
    run_case(name, 5, in, len);
    free(in);
}

#define ECRECOVER_INPUT                                                                            \
    "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"                             \
    "000000000000000000000000000000000000000000000000000000000000001c"                             \
    "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"                             \
    "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"

/* Public test data (go-ethereum testdata: bn256Add chfast1,
 * bn256ScalarMul chfast1, bn256Pairing jeff1, EIP-152 vector 5,
 * pointEvaluation1). */
#define BN_ADD_INPUT                                                                       \
    "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9"                      \
    "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266"                      \
    "07c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed"                      \
    "06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7"
#define BN_MUL_INPUT                                                                       \
    "2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb7"                      \
    "21611ce0a6af85915e2f1d70300909ce2e49dfad4a4619c8390cae66cefdb204"                      \
    "00000000000000000000000000000000000000000000000011138ce750fa15c2"
#define BN_PAIR_1                                                                          \
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59"                      \
    "3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41"                      \
    "209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"                      \
    "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678"                      \
    "2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d"                      \
    "120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
#define BN_PAIR_2                                                                          \
    "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"                      \
    "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411"                      \
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"                      \
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"                      \
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"                      \
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
#define BLAKE2F_INPUT                                                                      \
    "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f"                      \
    "3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e13"                      \
    "19cde05b61626300000000000000000000000000000000000000000000000000"                      \
    "0000000000000000000000000000000000000000000000000000000000000000"                      \
    "0000000000000000000000000000000000000000000000000000000000000000"                      \
    "0000000000000000000000000000000000000000000000000000000000000000"                      \
    "000000000300000000000000000000000000000001"
#define KZG_INPUT                                                                                  \
    "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b"                             \
    "564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306"                             \
    "24d25032e67a7e6a4910df5834b8fe70e6bcfeeac0352434196bdf4b2485d5a1"                             \
    "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7" \
    "873033e038326e87ed3e1276fd140253fa08e9fc25fb2d9a98527fc22a2c9612fbeafdad446cbc7bcdbdcd780af2c16a"

static bool selected(const char *filter, const char *name)
{
    return filter == NULL || strstr(name, filter) != NULL;
}

/* ---- EIP-2537 inputs --------------------------------------------------- */

enum { BLS_G1 = 128, BLS_G2 = 256, BLS_SCALAR = 32 };

/* A G1 (deg 1) or G2 (deg 2) point in the subgroup: MAP_FP_TO_G1 /
 * MAP_FP2_TO_G2 of pseudo-random field elements below 2^380 < p. */
static void bls_point(uint8_t *out, int deg, uint64_t seed)
{
    uint8_t u[128] = {0};
    for (int i = 0; i < deg; i++) {
        fill_pseudo_random(u + 64 * i + 16, 48, seed + (uint64_t)i);
        u[64 * i + 16] &= 0x0f;
    }
    struct bytebuf res = {0};
    uint64_t gas;
    if (precompile_run(deg == 1 ? 0x10 : 0x11, bench_fork, u, (size_t)(64 * deg), UINT64_MAX / 2, &gas,
                       &res) != PRECOMPILE_OK ||
        res.len != (size_t)(128 * deg))
        abort();
    memcpy(out, res.data, res.len);
    bytebuf_free(&res);
}

/* MSM input: k (point, full 256-bit pseudo-random scalar) pairs. */
static void run_bls_msm_case(const char *name, int deg, size_t k)
{
    size_t psize = deg == 1 ? BLS_G1 : BLS_G2, pair = psize + BLS_SCALAR;
    uint8_t *in = malloc(k * pair);
    if (!in)
        abort();
    for (size_t i = 0; i < k; i++) {
        bls_point(in + i * pair, deg, 1000 + i);
        fill_pseudo_random(in + i * pair + psize, BLS_SCALAR, 5000 + i);
    }
    run_case(name, deg == 1 ? 0x0c : 0x0e, in, k * pair);
    free(in);
}

static void run_bls_add_case(const char *name, int deg)
{
    size_t psize = deg == 1 ? BLS_G1 : BLS_G2;
    uint8_t in[2 * BLS_G2];
    bls_point(in, deg, 11);
    bls_point(in + psize, deg, 12);
    run_case(name, deg == 1 ? 0x0b : 0x0d, in, 2 * psize);
}

/* k pairs (P_i, Q_i) of independent subgroup points: the product is not 1,
 * so the call does the whole Miller loop and final exponentiation. */
static void run_bls_pairing_case(const char *name, size_t k)
{
    size_t pair = BLS_G1 + BLS_G2;
    uint8_t *in = malloc(k * pair);
    if (!in)
        abort();
    for (size_t i = 0; i < k; i++) {
        bls_point(in + i * pair, 1, 200 + i);
        bls_point(in + i * pair + BLS_G1, 2, 300 + i);
    }
    run_case(name, 0x0f, in, k * pair);
    free(in);
}

static void run_bls_map_case(const char *name, int deg)
{
    uint8_t u[128] = {0};
    for (int i = 0; i < deg; i++) {
        fill_pseudo_random(u + 64 * i + 16, 48, 77 + (uint64_t)i);
        u[64 * i + 16] &= 0x0f;
    }
    run_case(name, deg == 1 ? 0x10 : 0x11, u, (size_t)(64 * deg));
}

static const char *const COMPARED_CASES[] = {
    "bls g1add",          "bls g1msm k=1",         "bls g1msm k=16",   "bls g1msm k=128",
    "bls g1msm k=256",    "bls g2add",             "bls g2msm k=1",    "bls g2msm k=16",
    "bls g2msm k=128",    "bls g2msm k=256",       "bls pairing 1 pair", "bls pairing 2 pairs",
    "bls pairing 10 pairs", "bls map fp to g1",    "bls map fp2 to g2", "p256verify",
};
#define COMPARED_CASE_COUNT (sizeof COMPARED_CASES / sizeof COMPARED_CASES[0])

/* EIP-7951: a valid signature (the slow path: the whole verification
 * runs). Made for this benchmark with the openssl command line: key
 * `openssl ecparam -name prime256v1 -genkey`, message "parevm P256VERIFY
 * benchmark message" signed by `openssl dgst -sha256 -sign`; input =
 * sha256(message) || r || s || qx || qy. */
#define P256_INPUT                                                                                 \
    "3845de3820e69533f6cbb043a32d39bbbfe85c0e2343bda932dbf44fa933731e"                             \
    "ff22ec8cc47b1deb92427dbfc84aca068b5e07d2c5af74c1693557da4596dc22"                             \
    "ee6266b28ddfd92bf4ca157af12010f2fa9e5517553aadf7d6f657bab3a613f7"                             \
    "6153faf96ac2d214765ec33b37f8dd634eac30c958c5ea52307e02271cf31279"                             \
    "72d2ba756f67a28fda8d2d54352495722027277fd73cbb11dbc8c112bad178a8"

static void run_p256_case(const char *name)
{
    size_t len;
    uint8_t *in = unhex(P256_INPUT, &len);
    struct bytebuf out = {0};
    uint64_t gas;
    /* An invalid signature returns empty output: make sure this one verifies. */
    if (precompile_run(0x100, bench_fork, in, len, 100000, &gas, &out) != PRECOMPILE_OK || out.len != 32 ||
        out.data[31] != 1)
        printf("%-24s  FAILED (the signature does not verify)\n", name);
    else
        run_case(name, 0x100, in, len);
    bytebuf_free(&out);
    free(in);
}

static void run_compared_case(const char *name)
{
    if (strcmp(name, "bls g1add") == 0)
        run_bls_add_case(name, 1);
    else if (strcmp(name, "bls g2add") == 0)
        run_bls_add_case(name, 2);
    else if (strncmp(name, "bls g1msm k=", 12) == 0)
        run_bls_msm_case(name, 1, (size_t)atoi(name + 12));
    else if (strncmp(name, "bls g2msm k=", 12) == 0)
        run_bls_msm_case(name, 2, (size_t)atoi(name + 12));
    else if (strncmp(name, "bls pairing ", 12) == 0)
        run_bls_pairing_case(name, (size_t)atoi(name + 12));
    else if (strcmp(name, "bls map fp to g1") == 0)
        run_bls_map_case(name, 1);
    else if (strcmp(name, "bls map fp2 to g2") == 0)
        run_bls_map_case(name, 2);
    else if (strcmp(name, "p256verify") == 0)
        run_p256_case(name);
}

/* The BLS and P256 rows beside the two baselines of the same run. */
static void print_bls_comparison(void)
{
    const struct rate *ecrec = rate_find("ecrecover"), *ecpair = rate_find("bn254 pairing 2 pairs");
    bool any = false;
    for (size_t i = 0; i < COMPARED_CASE_COUNT; i++)
        any = any || rate_find(COMPARED_CASES[i]) != NULL;
    if (!any)
        return;
    printf("\nEIP-2537 and EIP-7951 vs baselines of this run (Mgas/s by CPU time; x = rate / baseline rate)\n");
    printf("%-24s %10s %10s %10s %10s %10s\n", "precompile", "Mgas/s", "ecrecover", "x ecrec", "ecpairing",
           "x ecpair");
    for (size_t i = 0; i < COMPARED_CASE_COUNT; i++) {
        const struct rate *r = rate_find(COMPARED_CASES[i]);
        if (r == NULL)
            continue;
        printf("%-24s %10.1f", r->name, r->cpu_mgas);
        if (ecrec)
            printf(" %10.1f %10.2f", ecrec->cpu_mgas, r->cpu_mgas / ecrec->cpu_mgas);
        else
            printf(" %10s %10s", "n/a", "n/a");
        if (ecpair)
            printf(" %10.1f %10.2f", ecpair->cpu_mgas, r->cpu_mgas / ecpair->cpu_mgas);
        else
            printf(" %10s %10s", "n/a", "n/a");
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    const char *secs = getenv("PAREVM_BENCH_SECONDS");
    if (secs && atof(secs) > 0)
        bench_seconds = atof(secs);

    printf("%-24s %12s %12s %9s %10s %10s\n", "precompile", "wall ns", "cpu ns", "gas", "Mgas/s",
           "cpu Mgas/s");
    bool compared = false;
    for (size_t i = 0; i < COMPARED_CASE_COUNT; i++)
        compared = compared || selected(filter, COMPARED_CASES[i]);
    if (selected(filter, "ecrecover") || compared)
        run_hex_case("ecrecover", 1, ECRECOVER_INPUT);
    if (selected(filter, "sha256 1KiB")) {
        uint8_t kib[1024];
        fill_pseudo_random(kib, sizeof kib, 1);
        run_case("sha256 1KiB", 2, kib, sizeof kib);
    }
    if (selected(filter, "modexp 32B (small)"))
        run_modexp_case("modexp 32B (small)", 32, 32, 32);
    if (selected(filter, "modexp 2048-bit"))
        run_modexp_case("modexp 2048-bit", 256, 256, 256);
    if (selected(filter, "bn254 add"))
        run_hex_case("bn254 add", 6, BN_ADD_INPUT);
    if (selected(filter, "bn254 mul"))
        run_hex_case("bn254 mul", 7, BN_MUL_INPUT);
    if (selected(filter, "bn254 pairing 2 pairs") || compared)
        run_hex_case("bn254 pairing 2 pairs", 8, BN_PAIR_1 BN_PAIR_2);
    if (selected(filter, "bn254 pairing 10 pairs"))
        run_hex_case("bn254 pairing 10 pairs", 8,
                     BN_PAIR_1 BN_PAIR_2 BN_PAIR_1 BN_PAIR_2 BN_PAIR_1 BN_PAIR_2 BN_PAIR_1 BN_PAIR_2 BN_PAIR_1
                         BN_PAIR_2);
    if (selected(filter, "blake2f 12 rounds"))
        run_hex_case("blake2f 12 rounds", 9, BLAKE2F_INPUT);
    if (selected(filter, "kzg point evaluation"))
        run_hex_case("kzg point evaluation", 10, KZG_INPUT);
    for (size_t i = 0; i < COMPARED_CASE_COUNT; i++)
        if (selected(filter, COMPARED_CASES[i]))
            run_compared_case(COMPARED_CASES[i]);
    print_bls_comparison();
    return 0;
}
