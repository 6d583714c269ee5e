/*
 * parevm gen — synthetic blocks in the mainnet fixture format (see gen.h).
 *
 * Steps: pick senders and recipients from the pool (deterministic PRNG),
 * derive their keys, give every touched account a pre-state, build and
 * sign the transactions, execute the block sequentially on that
 * pre-state, put the results into the header, and print the three JSON
 * files with fixed field order and fixed formatting.
 *
 * Randomness: one xoshiro256** stream seeded from the seed drives the
 * choices in a fixed order; per-account values (balances, nonces) are
 * hashed from (seed, pool index), so they do not depend on draw order.
 * The Zipf table is computed with pow() in double precision and then
 * quantised to integers; every draw after that is integer-only.
 */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/hashmap.h"
#include "../base/hex.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "../base/secp.h"
#include "../base/u256.h"
#include "../chain/block.h"
#include "../chain/system_contracts.h"
#include "../chain/tx.h"
#include "../chain/validate.h"
#include "../exec/bal.h"
#include "../exec/exec.h"
#include "../state/world.h"
#include "cli.h"
#include "erc20_runtime.h"
#include "gen_internal.h"
#include "options.h"
#include "util.h"

/* ---- fixed parameters of a generated block ---- */

/* Where each supported fork puts the block on the mainnet schedule
 * (chain_config_mainnet): London from block 12,965,000, Paris from
 * 15,537,394, Shanghai from time 1,681,338,455, Cancun from 1,710,338,135,
 * Prague from 1,746,612,311, Osaka from 1,764,798,551 (BPO1 from
 * 1,765,290,071: the Osaka position lies before it). */
static const struct gen_fork_params gen_forks[] = {
    {FORK_LONDON, 13000000, 1629000000, NULL},
    {FORK_PARIS, 16000000, 1668000000, NULL},
    {FORK_SHANGHAI, 17500000, 1687000000, NULL},
    {FORK_CANCUN, 20000000, 1717000000, NULL},
    {FORK_PRAGUE, 22600000, 1749000000, NULL},
    {FORK_OSAKA, 23950000, 1765000000, NULL},
    /* Amsterdam is on no public schedule yet: its blocks are of the
     * network "Amsterdam" (every block in it), placed after BPO2. */
    {FORK_AMSTERDAM, 24600000, 1775000000, "Amsterdam"},
};
#define GEN_FORK_COUNT (sizeof gen_forks / sizeof gen_forks[0])

#define GWEI 1000000000ull
#define GEN_BASE_FEE (10 * GWEI)
#define GEN_TIP (1 * GWEI)
#define GEN_MIN_BLOCK_GAS 30000000ull
/* A plain transfer costs exactly 21000. The token transfer costs about
 * 35k (52k when the recipient's balance slot is zero); 90k leaves room. */
#define GEN_GAS_TRANSFER 21000ull
#define GEN_GAS_ERC20 90000ull
#define GEN_EXTRA_DATA "parevm gen"

/* Mainnet total difficulty at the Merge (every post-merge block reports
 * it); pre-merge blocks get a plausible earlier value. */
#define GEN_TD_MERGE "0xc70d815d562d3cfa955"
#define GEN_TD_LONDON "0x65a4da25d3016c00000"
#define GEN_LONDON_DIFFICULTY 0x1c6bf52634000ull

/* ---- deterministic randomness ---- */

static uint64_t gen_splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A value owned by (seed, index, tag): independent of draw order. */
uint64_t gen_hash3(uint64_t seed, uint64_t index, uint64_t tag)
{
    return gen_splitmix(gen_splitmix(gen_splitmix(seed) ^ index) ^ tag);
}

void gen_rng_init(struct gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = gen_hash3(seed, (uint64_t)i, 0x726e67 /* "rng" */);
}

static uint64_t gen_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
uint64_t gen_rng_next(struct gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = gen_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n), n >= 1, without modulo bias (rejection). */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
    uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = gen_rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

/* Zipf(s) over ranks 0..n-1: P(r) proportional to 1 / (r + 1)^s. cdf[r]
 * is the cumulative probability scaled to 2^63; cdf[n-1] = 2^63. */
int gen_zipf_init(struct gen_zipf *z, uint64_t n, double s)
{
    z->n = n;
    z->cdf = malloc(n * sizeof *z->cdf);
    if (!z->cdf)
        return PAREVM_ERR_NOMEM;
    double total = 0;
    for (uint64_t r = 0; r < n; r++)
        total += pow((double)(r + 1), -s);
    const double scale = 9223372036854775808.0; /* 2^63 */
    double partial = 0;
    for (uint64_t r = 0; r < n; r++) {
        partial += pow((double)(r + 1), -s);
        double c = partial / total * scale;
        z->cdf[r] = c >= scale ? (1ull << 63) : (uint64_t)c;
    }
    z->cdf[n - 1] = 1ull << 63;
    return PAREVM_OK;
}

uint64_t gen_zipf_draw(const struct gen_zipf *z, struct gen_rng *rng)
{
    uint64_t u = gen_rng_next(rng) >> 1; /* [0, 2^63) */
    uint64_t lo = 0, hi = z->n - 1;      /* first r with u < cdf[r] */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (u < z->cdf[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- keys ---- */

static void gen_be64(uint64_t v, uint8_t out[8])
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* The address of a valid secret key: keccak(x || y)[12..32]. */
int gen_key_address(const uint8_t key[32], address *addr)
{
    const secp256k1_context *ctx = secp_context();
    if (!ctx)
        return PAREVM_ERR_NOMEM;
    secp256k1_pubkey pub;
    if (!secp256k1_ec_pubkey_create(ctx, &pub, key))
        return PAREVM_ERR_INTERNAL;
    uint8_t ser[65];
    size_t ser_len = sizeof ser;
    secp256k1_ec_pubkey_serialize(ctx, ser, &ser_len, &pub, SECP256K1_EC_UNCOMPRESSED);
    uint8_t h[32];
    keccak256(ser + 1, 64, h);
    memcpy(addr->bytes, h + 12, 20);
    return PAREVM_OK;
}

int gen_account_key(uint64_t seed, uint64_t index, uint8_t key[32], address *addr)
{
    const secp256k1_context *ctx = secp_context();
    if (!ctx)
        return PAREVM_ERR_NOMEM;
    uint8_t in[16];
    gen_be64(seed, in);
    gen_be64(index, in + 8);
    keccak256(in, sizeof in, key);
    /* Zero or >= the group order: hash again (probability ~2^-128). */
    while (!secp256k1_ec_seckey_verify(ctx, key))
        keccak256(key, 32, key);
    return gen_key_address(key, addr);
}

address gen_token_address(void)
{
    static const char label[] = "parevm gen: ERC20 token";
    uint8_t h[32];
    keccak256(label, sizeof label - 1, h);
    address a;
    memcpy(a.bytes, h + 12, 20);
    return a;
}

static address gen_coinbase_address(uint64_t seed)
{
    uint8_t in[8 + 8] = "coinbase";
    gen_be64(seed, in + 8);
    uint8_t h[32];
    keccak256(in, sizeof in, h);
    address a;
    memcpy(a.bytes, h + 12, 20);
    return a;
}

/* A 32-byte value owned by (seed, label): parent hash, PREVRANDAO, ... */
static hash32 gen_seed_hash(uint64_t seed, const char *label)
{
    uint8_t in[8 + 64];
    size_t n = strlen(label);
    if (n > 64)
        n = 64;
    gen_be64(seed, in);
    memcpy(in + 8, label, n);
    return keccak256_hash(in, 8 + n);
}

/* ---- options ---- */

void gen_options_default(struct gen_options *o)
{
    memset(o, 0, sizeof *o);
    o->kind = GEN_TRANSFERS;
    o->seed = 1;
    o->fork = FORK_CANCUN;
}

void gen_chain_config(enum fork f, struct chain_config *cfg)
{
    const struct gen_fork_params *fp = gen_fork_params(f);
    if (!fp || !fp->network || !chain_config_from_network(cfg, fp->network))
        chain_config_mainnet(cfg);
}

/* The beacon chain's genesis time (EIP-7843's slot numbers count from it). */
#define GEN_BEACON_GENESIS 1606824023ull

uint64_t gen_state_gas_room(enum fork f, uint64_t new_slots)
{
    return fork_eip(f, EIP_8037) ? new_slots * STATE_GAS_NEW_SLOT : 0;
}

const struct gen_fork_params *gen_fork_params(enum fork f)
{
    for (size_t i = 0; i < GEN_FORK_COUNT; i++)
        if (gen_forks[i].fork == f)
            return &gen_forks[i];
    return NULL;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
gen_fail(char *err, size_t err_len, int code, const char *fmt, ...)
{
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return code;
}

static const char *const gen_kind_names[GEN_KIND_COUNT] = {
    [GEN_TRANSFERS] = "transfers",
    [GEN_ERC20] = "erc20",
    [GEN_AMM] = "amm",
    [GEN_LENDING] = "lending",
    [GEN_NFT] = "nft",
    [GEN_SUPPLY] = "supply",
    [GEN_DAO] = "dao",
    [GEN_MIXED] = "mixed",
    [GEN_SMART] = "smart",
    [GEN_STORM] = "storm",
    [GEN_MEMORY] = "memory",
    [GEN_HOTBALANCE] = "hotbalance",
    [GEN_REDEPLOY] = "redeploy",
    [GEN_CREATE2] = "create2",
    [GEN_RECURSION] = "recursion",
    [GEN_METAMORPHIC] = "metamorphic",
};

const char *gen_kind_name(enum gen_kind k)
{
    return (unsigned)k < GEN_KIND_COUNT ? gen_kind_names[k] : NULL;
}

bool gen_kind_from_name(const char *name, enum gen_kind *k)
{
    for (unsigned i = 0; i < GEN_KIND_COUNT; i++)
        if (strcmp(name, gen_kind_names[i]) == 0) {
            *k = (enum gen_kind)i;
            return true;
        }
    return false;
}

/* o with the defaults that depend on other options filled in. */
struct gen_options gen_options_resolve(const struct gen_options *o)
{
    struct gen_options r = *o;
    if (r.accounts == 0 && r.txs <= GEN_MAX_TXS)
        r.accounts = 2 * r.txs;
    return r;
}

int gen_options_check(const struct gen_options *given, char *err, size_t err_len)
{
    struct gen_options resolved = gen_options_resolve(given);
    const struct gen_options *o = &resolved;
    if ((unsigned)o->kind >= GEN_KIND_COUNT)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "unknown kind");
    if (o->txs < 1 || o->txs > GEN_MAX_TXS)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--txs must be between 1 and %u", GEN_MAX_TXS);
    if (o->pools > GEN_MAX_POOLS)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--pools must be at most %u", GEN_MAX_POOLS);
    if (o->items > GEN_MAX_ITEMS)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--items must be at most %u", GEN_MAX_ITEMS);
    if (o->proposals > GEN_MAX_PROPOSALS)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--proposals must be at most %u", GEN_MAX_PROPOSALS);
    if (o->proposals && o->proposals < 4)
        return gen_fail(err, err_len, PAREVM_ERR_ARG,
                        "--proposals must be at least 4 (one per phase and more)");
    if (o->accounts > GEN_MAX_ACCOUNTS)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--accounts must be at most %u", GEN_MAX_ACCOUNTS);
    if (!(o->zipf >= 0) || !isfinite(o->zipf))
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--zipf must be a finite number >= 0");
    if (o->zipf == 0 && o->accounts < 2 * o->txs)
        return gen_fail(
            err, err_len, PAREVM_ERR_ARG,
            "--zipf 0 (distinct senders and recipients) needs --accounts >= 2 * --txs (%llu), got %llu",
            (unsigned long long)(2 * o->txs), (unsigned long long)o->accounts);
    if (o->zipf > 0 && (o->accounts < o->txs || o->accounts < 2))
        return gen_fail(err, err_len, PAREVM_ERR_ARG,
                        "--zipf > 0 (distinct senders) needs --accounts >= --txs and >= 2, got %llu",
                        (unsigned long long)o->accounts);
    if (!fork_implemented(o->fork))
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "--fork: fork %s is not implemented",
                        fork_name(o->fork));
    if (!gen_fork_params(o->fork))
        return gen_fail(
            err, err_len, PAREVM_ERR_ARG,
            "--fork: %s not supported (London, Paris, Shanghai, Cancun, Prague, Osaka, Amsterdam)",
            fork_name(o->fork));
    /* EIP-7702 set-code transactions exist from Prague. */
    if (o->kind == GEN_SMART && o->fork < FORK_PRAGUE)
        return gen_fail(err, err_len, PAREVM_ERR_ARG,
                        "smart needs --fork Prague or later (EIP-7702 set-code transactions), not %s",
                        fork_name(o->fork));
    return PAREVM_OK;
}

/* ---- the block being built ---- */

void gen_free(struct gen *g)
{
    free(g->sender);
    free(g->recipient);
    free(g->amount);
    free(g->touched);
    free(g->eoa);
    free(g->slots);
    for (size_t i = 0; i < g->system_count; i++)
        free(g->system[i].code);
    block_free(&g->block);
    block_result_free(&g->result);
    gen_workload_free(&g->workload);
}

/* Draw m distinct values of 0..k-1 into out (partial Fisher-Yates, with
 * only the displaced entries stored). */
int gen_draw_distinct_from(struct gen_rng *rng, uint64_t k, uint64_t m, uint64_t *out)
{
    struct hmap moved; /* position -> value now at that position */
    hmap_init(&moved, sizeof(uint64_t), sizeof(uint64_t));
    for (uint64_t j = 0; j < m; j++) {
        uint64_t r = j + gen_rng_below(rng, k - j);
        uint64_t *at_r = hmap_get(&moved, &r);
        uint64_t value_r = at_r ? *at_r : r;
        uint64_t *at_j = hmap_get(&moved, &j);
        uint64_t value_j = at_j ? *at_j : j;
        out[j] = value_r;
        uint64_t *slot = hmap_put(&moved, &r, NULL);
        if (!slot) {
            hmap_free(&moved);
            return PAREVM_ERR_NOMEM;
        }
        *slot = value_j;
    }
    hmap_free(&moved);
    return PAREVM_OK;
}

/* m distinct pool indexes. */
static int gen_draw_distinct(struct gen *g, uint64_t m, uint64_t *out)
{
    return gen_draw_distinct_from(&g->rng, g->opt->accounts, m, out);
}

static u256 gen_pow10(unsigned e)
{
    u256 r = u256_from_u64(1), ten = u256_from_u64(10);
    while (e--)
        r = u256_mul(&r, &ten);
    return r;
}

/* Who sends what to whom. */
int gen_choose(struct gen *g)
{
    const struct gen_options *o = g->opt;
    uint64_t n = o->txs;
    g->sender = malloc(n * sizeof *g->sender);
    g->recipient = malloc(n * sizeof *g->recipient);
    g->amount = malloc(n * sizeof *g->amount);
    if (!g->sender || !g->recipient || !g->amount)
        return PAREVM_ERR_NOMEM;
    int err;
    if (o->zipf == 0) {
        uint64_t *drawn = malloc(2 * n * sizeof *drawn);
        if (!drawn)
            return PAREVM_ERR_NOMEM;
        if ((err = gen_draw_distinct(g, 2 * n, drawn))) {
            free(drawn);
            return err;
        }
        memcpy(g->sender, drawn, n * sizeof *drawn);
        memcpy(g->recipient, drawn + n, n * sizeof *drawn);
        free(drawn);
    } else {
        if ((err = gen_draw_distinct(g, n, g->sender)))
            return err;
        struct gen_zipf z;
        if ((err = gen_zipf_init(&z, o->accounts, o->zipf)))
            return err;
        for (uint64_t i = 0; i < n; i++) {
            /* A self-transfer would be valid but is not a transfer:
             * draw again, and after 64 tries take the next account. */
            uint64_t r = gen_zipf_draw(&z, &g->rng);
            for (int tries = 0; r == g->sender[i] && tries < 64; tries++)
                r = gen_zipf_draw(&z, &g->rng);
            if (r == g->sender[i])
                r = (r + 1) % o->accounts;
            g->recipient[i] = r;
        }
        free(z.cdf);
    }
    /* Amounts: 1..1000 milli-ether, or 1..1000 whole tokens (18 decimals). */
    u256 unit = o->kind == GEN_TRANSFERS ? gen_pow10(15) : gen_pow10(18);
    for (uint64_t i = 0; i < n; i++) {
        u256 k = u256_from_u64(1 + gen_rng_below(&g->rng, 1000));
        g->amount[i] = u256_mul(&k, &unit);
    }
    return PAREVM_OK;
}

static int gen_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Position of pool index i in g->touched (present by construction). */
size_t gen_touched_pos(const struct gen *g, uint64_t i)
{
    size_t lo = 0, hi = g->touched_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->touched[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Pre-state of every touched account: 100 ETH plus up to 1 ETH, a nonce
 * below 1000, and (erc20) one million tokens plus up to one token. */
int gen_accounts(struct gen *g)
{
    const struct gen_options *o = g->opt;
    uint64_t n = o->txs;
    g->touched = malloc(2 * n * sizeof *g->touched);
    if (!g->touched)
        return PAREVM_ERR_NOMEM;
    memcpy(g->touched, g->sender, n * sizeof *g->touched);
    memcpy(g->touched + n, g->recipient, n * sizeof *g->touched);
    qsort(g->touched, 2 * n, sizeof *g->touched, gen_cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < 2 * n; i++)
        if (u == 0 || g->touched[u - 1] != g->touched[i])
            g->touched[u++] = g->touched[i];
    g->touched_count = u;
    g->eoa = calloc(u, sizeof *g->eoa);
    if (!g->eoa)
        return PAREVM_ERR_NOMEM;

    u256 ether = gen_pow10(18);
    u256 million_tokens = gen_pow10(24);
    u256 supply = u256_zero();
    for (size_t i = 0; i < u; i++) {
        struct gen_account *a = &g->eoa[i];
        a->pool_index = g->touched[i];
        a->is_eoa = true;
        int err = gen_account_key(o->seed, a->pool_index, a->key, &a->addr);
        if (err)
            return err;
        gen_pool_account_state(o->seed, a->pool_index, &a->balance, &a->nonce);
        if (o->kind == GEN_ERC20) {
            u256 extra_tokens = u256_from_u64(gen_hash3(o->seed, a->pool_index, 3) % 1000000000000000000ull);
            a->tokens = u256_add(&million_tokens, &extra_tokens);
            supply = u256_add(&supply, &a->tokens);
        }
    }

    g->coinbase.addr = gen_coinbase_address(o->seed);
    g->coinbase.balance = ether;
    if (o->kind == GEN_ERC20) {
        g->token.addr = gen_token_address();
        g->token.is_token = true;
        g->token.nonce = 1; /* EIP-161: contracts start at nonce 1 */
        /* totalSupply, then balanceOf[a] = keccak(pad32(a) || pad32(slot)). */
        g->slots = calloc(u + 1, sizeof *g->slots);
        if (!g->slots)
            return PAREVM_ERR_NOMEM;
        g->slots[0].key = u256_from_u64(ERC20_SLOT_TOTAL_SUPPLY);
        g->slots[0].value = supply;
        for (size_t i = 0; i < u; i++) {
            uint8_t in[64] = {0};
            memcpy(in + 12, g->eoa[i].addr.bytes, 20);
            u256 p = u256_from_u64(ERC20_SLOT_BALANCE_OF);
            u256_to_be(&p, in + 32);
            uint8_t h[32];
            keccak256(in, sizeof in, h);
            g->slots[1 + i].key = u256_from_be32(h);
            g->slots[1 + i].value = g->eoa[i].tokens;
        }
        g->slot_count = u + 1;
    }
    return PAREVM_OK;
}

void gen_pool_account_state(uint64_t seed, uint64_t index, u256 *balance, uint64_t *nonce)
{
    u256 ether = gen_pow10(18), hundred = u256_from_u64(100);
    u256 extra = u256_from_u64(gen_hash3(seed, index, 1) % 1000000000000000000ull);
    *balance = u256_mul(&hundred, &ether);
    *balance = u256_add(balance, &extra);
    *nonce = gen_hash3(seed, index, 2) % 1000;
}

int gen_sign_tx(struct tx *t, const uint8_t key[32], const address *from, enum fork fork)
{
    hash32 h;
    int err = tx_signing_hash(t, &h);
    if (err)
        return err;
    const secp256k1_context *ctx = secp_context();
    secp256k1_ecdsa_recoverable_signature sig;
    /* RFC 6979 nonces: the signature is a function of key and hash; and
     * libsecp256k1 signs with low s (EIP-2). */
    if (!ctx || !secp256k1_ecdsa_sign_recoverable(ctx, &sig, h.bytes, key, NULL, NULL))
        return PAREVM_ERR_INTERNAL;
    uint8_t rs[64];
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &recid, &sig);
    t->r = u256_from_be32(rs);
    t->s = u256_from_be32(rs + 32);
    t->v = u256_from_u64((uint64_t)recid); /* typed transactions: v = y parity */
    /* Recover as a loader would, and insist it gives the signer. */
    err = tx_recover_sender(t, fork);
    if (err || !address_eq(&t->sender, from))
        return PAREVM_ERR_INTERNAL;
    return PAREVM_OK;
}

int gen_sign_digest(const uint8_t key[32], const uint8_t digest[32], uint8_t *v, uint8_t r[32], uint8_t s[32])
{
    const secp256k1_context *ctx = secp_context();
    secp256k1_ecdsa_recoverable_signature sig;
    if (!ctx || !secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest, key, NULL, NULL))
        return PAREVM_ERR_INTERNAL;
    uint8_t rs[64];
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &recid, &sig);
    memcpy(r, rs, 32);
    memcpy(s, rs + 32, 32);
    *v = (uint8_t)(27 + recid);
    return PAREVM_OK;
}

int gen_sign_authorization(struct authorization *a, const uint8_t key[32], const address *authority)
{
    /* EIP-7702: the authority signs keccak(0x05 || rlp([chain_id,
     * address, nonce])). */
    struct bytebuf msg = {0};
    int err = bytebuf_push(&msg, 0x05);
    size_t list = rlp_list_begin(&msg);
    if (!err && !(err = rlp_encode_u256(&msg, &a->chain_id)) &&
        !(err = rlp_encode_bytes(&msg, a->addr.bytes, 20)) && !(err = rlp_encode_u64(&msg, a->nonce)))
        err = rlp_list_end(&msg, list);
    uint8_t h[32];
    if (!err)
        keccak256(msg.data, msg.len, h);
    bytebuf_free(&msg);
    if (err)
        return err;
    uint8_t v, r[32], s[32];
    if ((err = gen_sign_digest(key, h, &v, r, s)))
        return err;
    a->y_parity = (uint8_t)(v - 27);
    a->r = u256_from_be32(r);
    a->s = u256_from_be32(s);
    /* Recover as execution will, and insist it gives the authority. */
    address got;
    if (tx_authorization_authority(a, &got) || !address_eq(&got, authority))
        return PAREVM_ERR_INTERNAL;
    return PAREVM_OK;
}

static int gen_sign(struct gen *g, struct tx *t, const struct gen_account *from)
{
    int err = gen_sign_tx(t, from->key, &from->addr, g->opt->fork);
    if (err == PAREVM_ERR_INTERNAL)
        return gen_fail(g->err, g->err_len, err,
                        "signing failed or the signature does not recover its signer");
    return err;
}

static int gen_transactions(struct gen *g)
{
    const struct gen_options *o = g->opt;
    struct block *b = &g->block;
    b->txs = calloc(o->txs, sizeof *b->txs);
    if (!b->txs)
        return PAREVM_ERR_NOMEM;
    b->tx_count = o->txs;
    u256 base = u256_from_u64(GEN_BASE_FEE);
    u256 tip = u256_from_u64(GEN_TIP);
    u256 max_fee = u256_add(&base, &base);
    max_fee = u256_add(&max_fee, &tip); /* room for the base fee to double */
    for (uint64_t i = 0; i < o->txs; i++) {
        const struct gen_account *from = &g->eoa[gen_touched_pos(g, g->sender[i])];
        const struct gen_account *to = &g->eoa[gen_touched_pos(g, g->recipient[i])];
        struct tx *t = &b->txs[i];
        t->type = 2;
        t->chain_id = 1;
        t->has_chain_id = true;
        t->nonce = from->nonce; /* every sender sends once */
        t->max_priority_fee_per_gas = tip;
        t->max_fee_per_gas = max_fee;
        t->gas_price = max_fee;
        t->has_to = true;
        if (o->kind == GEN_TRANSFERS) {
            t->gas_limit = GEN_GAS_TRANSFER;
            t->to = to->addr;
            t->value = g->amount[i];
        } else {
            /* transfer(address to, uint256 amount): selector, then two
             * ABI words. */
            t->gas_limit = GEN_GAS_ERC20;
            t->to = g->token.addr;
            t->data = calloc(1, 4 + 64);
            if (!t->data)
                return PAREVM_ERR_NOMEM;
            t->data_len = 4 + 64;
            uint32_t sel = ERC20_SELECTOR_TRANSFER;
            for (int k = 0; k < 4; k++)
                t->data[k] = (uint8_t)(sel >> (24 - 8 * k));
            memcpy(t->data + 4 + 12, to->addr.bytes, 20);
            u256_to_be(&g->amount[i], t->data + 4 + 32);
        }
        int err = gen_sign(g, t, from);
        if (err)
            return err;
    }
    return PAREVM_OK;
}

static int gen_world_add(struct world *w, const struct gen_account *a, const struct gen *g)
{
    struct world_account *wa = world_get_or_create(w, &a->addr);
    if (!wa)
        return PAREVM_ERR_NOMEM;
    wa->balance = a->balance;
    wa->nonce = a->nonce;
    if (a->code_len) {
        struct code *c = code_new(a->code, a->code_len);
        if (!c)
            return PAREVM_ERR_NOMEM;
        world_set_code(wa, c);
        code_release(c);
    }
    if (a->is_token) {
        struct code *c = code_new(erc20_runtime, ERC20_RUNTIME_LEN);
        if (!c)
            return PAREVM_ERR_NOMEM;
        world_set_code(wa, c);
        code_release(c);
        for (size_t i = 0; i < g->slot_count; i++) {
            int err = world_set_storage(wa, &g->slots[i].key, &g->slots[i].value);
            if (err)
                return err;
        }
    }
    return PAREVM_OK;
}

/* EIP-8282's builder request contracts have no published code yet: gen
 * installs a queue that is always empty (PUSH0 PUSH0 RETURN: no
 * requests), as the differential tests' stand-ins do when empty. */
#define GEN_EMPTY_REQUEST_QUEUE_CODE "0x5f5ff3"

/* Prague on: the system contracts the block's system calls run, with the
 * code mainnet holds (EIP-2935 history storage; EIP-7002 and EIP-7251
 * request queues, without which a block is invalid), nonce 1; Amsterdam
 * on, EIP-8282's two as well (see above) and EIP-7997's factory. */
static int gen_system_contracts(struct gen *g)
{
    if (g->opt->fork < FORK_PRAGUE)
        return PAREVM_OK;
    static const struct {
        const address *addr;
        const char *hex;
    } contracts[] = {
        {&HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE},
        {&WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_CODE},
        {&CONSOLIDATION_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_CODE},
        {&BUILDER_DEPOSIT_REQUEST_ADDRESS, GEN_EMPTY_REQUEST_QUEUE_CODE},
        {&BUILDER_EXIT_REQUEST_ADDRESS, GEN_EMPTY_REQUEST_QUEUE_CODE},
    };
    size_t count = fork_eip(g->opt->fork, EIP_8282) ? 5 : 3;
    for (size_t i = 0; i < count; i++) {
        struct gen_account *a = &g->system[g->system_count];
        memset(a, 0, sizeof *a);
        a->addr = *contracts[i].addr;
        a->nonce = 1;
        size_t len = (strlen(contracts[i].hex) - 2) / 2;
        if (!(a->code = malloc(len)))
            return PAREVM_ERR_NOMEM;
        g->system_count++;
        if (hex_decode_exact(contracts[i].hex, a->code, len) != PAREVM_OK)
            return gen_fail(g->err, g->err_len, PAREVM_ERR_INTERNAL, "system contract %zu: bad code", i);
        a->code_len = len;
    }
    if (fork_eip(g->opt->fork, EIP_7997)) {
        /* the factory a chain in the fork holds from its first block (the
         * block would otherwise install it) */
        struct gen_account *a = &g->system[g->system_count];
        memset(a, 0, sizeof *a);
        a->addr = FACTORY_PREDEPLOY_ADDRESS;
        a->nonce = 1;
        if (!(a->code = malloc(FACTORY_PREDEPLOY_CODE_LEN)))
            return PAREVM_ERR_NOMEM;
        g->system_count++;
        memcpy(a->code, FACTORY_PREDEPLOY_CODE, FACTORY_PREDEPLOY_CODE_LEN);
        a->code_len = FACTORY_PREDEPLOY_CODE_LEN;
    }
    return PAREVM_OK;
}

/* The header fields that do not depend on the transactions. */
static int gen_header_init(struct gen *g)
{
    const struct gen_options *o = g->opt;
    struct block *b = &g->block;
    struct block_header *h = &b->header;
    h->parent_hash = gen_seed_hash(o->seed, "parent");
    h->ommers_hash = keccak256_hash("\xc0", 1); /* keccak(rlp([])) */
    h->coinbase = g->coinbase.addr;
    h->number = g->fp->number;
    h->timestamp = g->fp->timestamp;
    memcpy(h->extra_data, GEN_EXTRA_DATA, sizeof GEN_EXTRA_DATA - 1);
    h->extra_data_len = sizeof GEN_EXTRA_DATA - 1;
    h->gas_limit = GEN_MIN_BLOCK_GAS;
    h->has_base_fee = true;
    h->base_fee = u256_from_u64(GEN_BASE_FEE);
    if (o->fork >= FORK_PARIS) {
        h->difficulty = u256_zero();
        h->mix_hash = gen_seed_hash(o->seed, "prevrandao");
    } else {
        h->difficulty = u256_from_u64(GEN_LONDON_DIFFICULTY);
        h->mix_hash = gen_seed_hash(o->seed, "mix");
        hash32 nonce = gen_seed_hash(o->seed, "nonce");
        memcpy(h->nonce, nonce.bytes, 8);
    }
    if (o->fork >= FORK_SHANGHAI) {
        b->has_withdrawals = true; /* none: an empty list, the empty root */
        h->has_withdrawals_root = true;
        int err = withdrawals_root(NULL, 0, &h->withdrawals_root);
        if (err)
            return err;
    }
    if (o->fork >= FORK_CANCUN) {
        h->has_blob_gas = true;
        h->has_parent_beacon_root = true;
        h->parent_beacon_root = gen_seed_hash(o->seed, "beacon root");
    }
    h->has_requests_hash = o->fork >= FORK_PRAGUE; /* EIP-7685 */
    if (fork_eip(o->fork, EIP_7928)) {             /* the list's hash: gen_header_and_execute */
        h->has_bal_hash = true;
        h->has_slot_number = true; /* EIP-7843: the slot of the block's time */
        h->slot_number = (h->timestamp - GEN_BEACON_GENESIS) / 12;
    }
    return gen_system_contracts(g);
}

/* smart: whether the batch of transaction t ran, i.e. its last log is
 * Batcher's Executed(submitter, nonce, calls) emitted by the account
 * (t's destination) for two calls or more. A call to an account that is
 * not delegated would succeed with no effect: this tells the two apart. */
static bool gen_smart_batch_ran(const struct tx *t, const struct receipt *rc)
{
    static const char event[] = "Executed(address,uint256,uint256)";
    if (rc->log_count == 0)
        return false;
    const struct log *l = &rc->logs[rc->log_count - 1];
    hash32 topic = keccak256_hash(event, sizeof event - 1);
    if (!address_eq(&l->addr, &t->to) || l->topic_count != 2 ||
        memcmp(l->topics[0].bytes, topic.bytes, 32) != 0 || l->data_len != 64)
        return false;
    u256 calls = u256_from_be32(l->data + 32), two = u256_from_u64(2);
    return !u256_lt(&calls, &two);
}

/* Execute the block on the pre-state, and record the results (gas used,
 * bloom, receipts root, state root), the gas limit, the transactions root
 * and the hash. The header is initialised (gen_header_init). */
static int gen_header_and_execute(struct gen *g)
{
    const struct gen_options *o = g->opt;
    struct block *b = &g->block;
    struct block_header *h = &b->header;
    uint64_t gas = 0;
    for (size_t i = 0; i < b->tx_count; i++)
        gas += b->txs[i].gas_limit;
    h->gas_limit = gas > GEN_MIN_BLOCK_GAS ? gas : GEN_MIN_BLOCK_GAS;

    struct chain_config cfg;
    gen_chain_config(o->fork, &cfg);
    if (chain_config_header_fork(&cfg, h) != o->fork)
        return gen_fail(g->err, g->err_len, PAREVM_ERR_INTERNAL, "block %llu at %llu is not in %s on %s",
                        (unsigned long long)h->number, (unsigned long long)h->timestamp, fork_name(o->fork),
                        g->fp->network ? g->fp->network : "mainnet");

    struct world w;
    int err = PAREVM_OK;
    if (g->is_workload) {
        if ((err = world_clone(&g->workload.pre, &w)))
            return err;
    } else
        world_init(&w);
    for (size_t i = 0; i < g->touched_count && !err; i++)
        err = gen_world_add(&w, &g->eoa[i], g);
    for (size_t i = 0; i < g->system_count && !err && !g->is_workload; i++)
        err = gen_world_add(&w, &g->system[i], g);
    if (!err && !g->is_workload)
        err = gen_world_add(&w, &g->coinbase, g);
    if (!err && o->kind == GEN_ERC20)
        err = gen_world_add(&w, &g->token, g);
    /* BLOCKHASH: only the parent is known (the transactions never ask). */
    uint64_t parent_number = h->number - 1;
    g->parent_hash = h->parent_hash;
    struct block_hashes hashes = {&parent_number, &g->parent_hash, 1};
    /* EIP-7928: the run records the block's access list for its hash */
    struct bal list;
    bal_init(&list);
    struct exec_options rec = {.threads = 1, .bal = &list, .no_sample = true};
    if (!err)
        err = h->has_bal_hash ? exec_block_parallel(&cfg, b, &w, &hashes, &rec, &g->result, NULL)
                              : exec_block_sequential(&cfg, b, &w, &hashes, &g->result);
    if (!err && h->has_bal_hash && !g->result.invalid)
        err = bal_hash(&list, &h->bal_hash);
    bal_free(&list);
    if (!err)
        err = world_state_root(&w, &h->state_root);
    world_free(&w);
    if (err)
        return gen_fail(g->err, g->err_len, err, "executing the block: %s", parevm_strerror(err));

    const struct block_result *r = &g->result;
    if (r->invalid)
        return gen_fail(g->err, g->err_len, PAREVM_ERR_INTERNAL,
                        "the generated block is invalid: tx %zu: %s %s", r->invalid_tx,
                        tx_error_name(r->invalid_reason), r->invalid_message);
    for (size_t i = 0; i < r->receipt_count; i++) {
        const struct receipt *rc = &r->receipts[i];
        /* (EIP-7708, Amsterdam: a transfer of ether logs it) */
        size_t want_logs =
            o->kind == GEN_ERC20 || (fork_eip(o->fork, EIP_7708) && !u256_is_zero(&b->txs[i].value));
        if (!rc->status || (!g->is_workload && rc->log_count != want_logs) ||
            (o->kind == GEN_SMART && !gen_smart_batch_ran(&b->txs[i], rc)))
            return gen_fail(g->err, g->err_len, PAREVM_ERR_INTERNAL,
                            "transaction %zu did not succeed as intended (status %d, %zu logs)", i,
                            rc->status, rc->log_count);
    }
    h->gas_used = r->gas_used;
    memcpy(h->logs_bloom, r->logs_bloom, 256);
    h->receipts_root = r->receipts_root;
    h->blob_gas_used = r->blob_gas_used;
    if (h->has_requests_hash) {
        if (!r->has_requests)
            return gen_fail(g->err, g->err_len, PAREVM_ERR_INTERNAL, "execution gave no requests hash");
        h->requests_hash = r->requests_hash; /* EIP-7685 */
    }
    if ((err = transactions_root(b->txs, b->tx_count, &h->tx_root)))
        return err;
    if ((err = block_header_hash(h, &h->hash)))
        return err;
    h->has_hash = true;
    return PAREVM_OK;
}

/* ---- JSON output ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
gen_printf(struct bytebuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        bytebuf_append(b, small, (size_t)n);
        return;
    }
    if (bytebuf_reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* "key":"0x<bytes>" */
static void gen_json_bytes(struct bytebuf *b, const char *key, const uint8_t *data, size_t len)
{
    gen_printf(b, "\"%s\":\"0x", key);
    static const char digits[] = "0123456789abcdef";
    if (bytebuf_reserve(b, 2 * len))
        return;
    for (size_t i = 0; i < len; i++) {
        b->data[b->len++] = (uint8_t)digits[data[i] >> 4];
        b->data[b->len++] = (uint8_t)digits[data[i] & 15];
    }
    bytebuf_push(b, '"');
}

/* "key":"0x<minimal hex>" (a JSON-RPC quantity) */
static void gen_json_u256(struct bytebuf *b, const char *key, const u256 *v)
{
    char hex[67];
    u256_to_hex(v, hex);
    gen_printf(b, "\"%s\":\"%s\"", key, hex);
}

static void gen_json_u64(struct bytebuf *b, const char *key, uint64_t v)
{
    gen_printf(b, "\"%s\":\"0x%llx\"", key, (unsigned long long)v);
}

int gen_block_size(const struct block *b, uint64_t *size)
{
    /* rlp([header, [tx...], uncles, withdrawals]): a typed transaction
     * is an RLP string holding type || payload (EIP-2718), a legacy one
     * its RLP list. Uncles are written as an empty list (generated blocks
     * have none). Checked against the `size` of real mainnet blocks. */
    struct bytebuf body = {0}, tx = {0};
    int err = block_header_encode(&b->header, &body);
    size_t list = rlp_list_begin(&body);
    for (size_t i = 0; i < b->tx_count && !err; i++) {
        bytebuf_reset(&tx);
        if ((err = tx_encode(&b->txs[i], &tx)))
            break;
        if (b->txs[i].type == 0) /* legacy: the RLP list itself */
            err = rlp_encode_raw(&body, tx.data, tx.len);
        else
            err = rlp_encode_bytes(&body, tx.data, tx.len);
    }
    if (!err)
        err = rlp_list_end(&body, list);
    if (!err) /* no uncles */
        err = rlp_list_end(&body, rlp_list_begin(&body));
    if (!err && b->has_withdrawals) { /* EIP-4895: [index, validator, address, gwei] each */
        size_t wl = rlp_list_begin(&body);
        for (size_t i = 0; i < b->withdrawal_count && !err; i++) {
            const struct withdrawal *w = &b->withdrawals[i];
            size_t one = rlp_list_begin(&body);
            if (!(err = rlp_encode_u64(&body, w->index)) &&
                !(err = rlp_encode_u64(&body, w->validator_index)) &&
                !(err = rlp_encode_bytes(&body, w->addr.bytes, 20)) &&
                !(err = rlp_encode_u64(&body, w->amount_gwei)))
                err = rlp_list_end(&body, one);
        }
        if (!err)
            err = rlp_list_end(&body, wl);
    }
    size_t all = 0;
    if (!err) {
        /* The outer list header: measure it by wrapping a copy. */
        struct bytebuf outer = {0};
        size_t o = rlp_list_begin(&outer);
        if (!(err = bytebuf_append(&outer, body.data, body.len)) && !(err = rlp_list_end(&outer, o)))
            all = outer.len;
        bytebuf_free(&outer);
    }
    bytebuf_free(&body);
    bytebuf_free(&tx);
    *size = all;
    return err;
}

static int gen_block_json(const struct gen *g, struct bytebuf *out)
{
    const struct block *b = &g->block;
    const struct block_header *h = &b->header;
    const struct gen_options *o = g->opt;
    uint64_t size;
    int err = gen_block_size(b, &size);
    if (err)
        return err;
    /* EIP-7934 (Osaka on): a block's RLP encoding has a maximum size. */
    if (o->fork >= FORK_OSAKA && size > MAX_RLP_BLOCK_SIZE)
        return gen_fail(
            g->err, g->err_len, PAREVM_ERR_ARG,
            "the block's RLP encoding is %llu bytes, over Osaka's maximum %llu (EIP-7934): use fewer "
            "--txs",
            (unsigned long long)size, (unsigned long long)MAX_RLP_BLOCK_SIZE);
    bytebuf_push(out, '{');
    gen_json_bytes(out, "hash", h->hash.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "parentHash", h->parent_hash.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "sha3Uncles", h->ommers_hash.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "miner", h->coinbase.bytes, 20);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "stateRoot", h->state_root.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "transactionsRoot", h->tx_root.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "receiptsRoot", h->receipts_root.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "logsBloom", h->logs_bloom, 256);
    bytebuf_push(out, ',');
    gen_json_u256(out, "difficulty", &h->difficulty);
    bytebuf_push(out, ',');
    gen_json_u64(out, "number", h->number);
    bytebuf_push(out, ',');
    gen_json_u64(out, "gasLimit", h->gas_limit);
    bytebuf_push(out, ',');
    gen_json_u64(out, "gasUsed", h->gas_used);
    bytebuf_push(out, ',');
    gen_json_u64(out, "timestamp", h->timestamp);
    gen_printf(out, ",\"totalDifficulty\":\"%s\",", o->fork >= FORK_PARIS ? GEN_TD_MERGE : GEN_TD_LONDON);
    gen_json_bytes(out, "extraData", h->extra_data, h->extra_data_len);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "mixHash", h->mix_hash.bytes, 32);
    bytebuf_push(out, ',');
    gen_json_bytes(out, "nonce", h->nonce, 8);
    bytebuf_push(out, ',');
    gen_json_u256(out, "baseFeePerGas", &h->base_fee);
    if (h->has_withdrawals_root) {
        bytebuf_push(out, ',');
        gen_json_bytes(out, "withdrawalsRoot", h->withdrawals_root.bytes, 32);
    }
    if (h->has_blob_gas) {
        bytebuf_push(out, ',');
        gen_json_u64(out, "blobGasUsed", h->blob_gas_used);
        bytebuf_push(out, ',');
        gen_json_u64(out, "excessBlobGas", h->excess_blob_gas);
    }
    if (h->has_parent_beacon_root) {
        bytebuf_push(out, ',');
        gen_json_bytes(out, "parentBeaconBlockRoot", h->parent_beacon_root.bytes, 32);
    }
    if (h->has_requests_hash) {
        bytebuf_push(out, ',');
        gen_json_bytes(out, "requestsHash", h->requests_hash.bytes, 32);
    }
    if (h->has_bal_hash) {
        bytebuf_push(out, ',');
        gen_json_bytes(out, "blockAccessListHash", h->bal_hash.bytes, 32);
        bytebuf_push(out, ',');
        gen_json_u64(out, "slotNumber", h->slot_number);
    }
    gen_printf(out, ",\"uncles\":[],\"transactions\":[");
    for (size_t i = 0; i < b->tx_count; i++) {
        const struct tx *t = &b->txs[i];
        hash32 th;
        if ((err = tx_hash(t, &th)))
            return err;
        /* What the sender paid per gas: min(max fee, base fee + tip). */
        u256 price = u256_add(&h->base_fee, &t->max_priority_fee_per_gas);
        if (u256_gt(&price, &t->max_fee_per_gas))
            price = t->max_fee_per_gas;
        gen_printf(out, "%s{", i ? "," : "");
        gen_json_bytes(out, "hash", th.bytes, 32);
        bytebuf_push(out, ',');
        gen_json_u64(out, "nonce", t->nonce);
        bytebuf_push(out, ',');
        gen_json_bytes(out, "blockHash", h->hash.bytes, 32);
        bytebuf_push(out, ',');
        gen_json_u64(out, "blockNumber", h->number);
        bytebuf_push(out, ',');
        gen_json_u64(out, "transactionIndex", i);
        bytebuf_push(out, ',');
        gen_json_bytes(out, "from", t->sender.bytes, 20);
        bytebuf_push(out, ',');
        gen_json_bytes(out, "to", t->to.bytes, 20);
        bytebuf_push(out, ',');
        gen_json_u256(out, "value", &t->value);
        bytebuf_push(out, ',');
        gen_json_u256(out, "gasPrice", &price);
        bytebuf_push(out, ',');
        gen_json_u64(out, "gas", t->gas_limit);
        bytebuf_push(out, ',');
        gen_json_u256(out, "maxFeePerGas", &t->max_fee_per_gas);
        bytebuf_push(out, ',');
        gen_json_u256(out, "maxPriorityFeePerGas", &t->max_priority_fee_per_gas);
        bytebuf_push(out, ',');
        gen_json_bytes(out, "input", t->data, t->data_len);
        bytebuf_push(out, ',');
        gen_json_u256(out, "r", &t->r);
        bytebuf_push(out, ',');
        gen_json_u256(out, "s", &t->s);
        bytebuf_push(out, ',');
        gen_json_u256(out, "v", &t->v);
        bytebuf_push(out, ',');
        gen_json_u256(out, "yParity", &t->v);
        bytebuf_push(out, ',');
        gen_json_u64(out, "chainId", t->chain_id);
        gen_printf(out, ",\"accessList\":[]");
        if (t->type == 4) { /* EIP-7702, as JSON-RPC writes it */
            gen_printf(out, ",\"authorizationList\":[");
            for (size_t k = 0; k < t->authorization_count; k++) {
                const struct authorization *a = &t->authorizations[k];
                gen_printf(out, "%s{", k ? "," : "");
                gen_json_u256(out, "chainId", &a->chain_id);
                bytebuf_push(out, ',');
                gen_json_bytes(out, "address", a->addr.bytes, 20);
                bytebuf_push(out, ',');
                gen_json_u64(out, "nonce", a->nonce);
                bytebuf_push(out, ',');
                gen_json_u64(out, "yParity", a->y_parity);
                bytebuf_push(out, ',');
                gen_json_u256(out, "r", &a->r);
                bytebuf_push(out, ',');
                gen_json_u256(out, "s", &a->s);
                bytebuf_push(out, '}');
            }
            bytebuf_push(out, ']');
        }
        gen_printf(out, ",\"type\":\"0x%x\"}", t->type);
    }
    gen_printf(out, "],");
    gen_json_u64(out, "size", size);
    if (b->has_withdrawals)
        gen_printf(out, ",\"withdrawals\":[]");
    gen_printf(out, "}\n");
    return PAREVM_OK;
}

static int gen_cmp_account(const void *a, const void *b)
{
    return memcmp(((const struct gen_account *const *)a)[0]->addr.bytes,
                  ((const struct gen_account *const *)b)[0]->addr.bytes, 20);
}

static void gen_account_json(const struct gen *g, const struct gen_account *a, struct bytebuf *out)
{
    char hex[67];
    hex_encode(a->addr.bytes, 20, hex);
    gen_printf(out, "\"%s\":{", hex);
    gen_json_u256(out, "balance", &a->balance);
    bytebuf_push(out, ',');
    gen_json_u64(out, "nonce", a->nonce);
    bytebuf_push(out, ',');
    if (a->is_token)
        gen_json_bytes(out, "code", erc20_runtime, ERC20_RUNTIME_LEN);
    else if (a->code_len)
        gen_json_bytes(out, "code", a->code, a->code_len);
    else
        gen_printf(out, "\"code\":\"0x\"");
    gen_printf(out, ",\"storage\":{");
    if (a->is_token) {
        for (size_t i = 0; i < g->slot_count; i++) {
            char key[67], value[67];
            u256_to_hex(&g->slots[i].key, key);
            u256_to_hex(&g->slots[i].value, value);
            gen_printf(out, "%s\"%s\":\"%s\"", i ? "," : "", key, value);
        }
    }
    gen_printf(out, "}}");
}

static int gen_cmp_world_account(const void *a, const void *b)
{
    return memcmp(((const struct world_account *const *)a)[0]->addr.bytes,
                  ((const struct world_account *const *)b)[0]->addr.bytes, 20);
}

static int gen_cmp_slot(const void *a, const void *b)
{
    const struct gen_slot *x = a, *y = b;
    return u256_lt(&x->key, &y->key) ? -1 : u256_gt(&x->key, &y->key);
}

/* The whole world as pre_state.json: accounts by address, each account's
 * storage by key, one account per line. */
static int gen_world_json(const struct world *w, struct bytebuf *out)
{
    size_t n = w->accounts.count, k = 0, it = 0;
    const void *key;
    void *val;
    const struct world_account **list = malloc((n ? n : 1) * sizeof *list);
    if (!list)
        return PAREVM_ERR_NOMEM;
    while (hmap_next(&w->accounts, &it, &key, &val) && k < n)
        list[k++] = *(const struct world_account **)val;
    qsort(list, k, sizeof *list, gen_cmp_world_account);
    struct gen_slot *slots = NULL;
    size_t slots_cap = 0;
    int err = PAREVM_OK;
    gen_printf(out, "{\n");
    for (size_t i = 0; i < k && !err; i++) {
        const struct world_account *a = list[i];
        char hex[67];
        hex_encode(a->addr.bytes, 20, hex);
        gen_printf(out, "\"%s\":{", hex);
        gen_json_u256(out, "balance", &a->balance);
        bytebuf_push(out, ',');
        gen_json_u64(out, "nonce", a->nonce);
        bytebuf_push(out, ',');
        gen_json_bytes(out, "code", a->code->bytes, a->code->len);
        gen_printf(out, ",\"storage\":{");
        size_t m = a->storage.count, s = 0, sit = 0;
        if (m > slots_cap) {
            struct gen_slot *grown = realloc(slots, m * sizeof *slots);
            if (!grown) {
                err = PAREVM_ERR_NOMEM;
                break;
            }
            slots = grown;
            slots_cap = m;
        }
        while (s < m && hmap_next(&a->storage, &sit, &key, &val)) {
            slots[s].key = *(const u256 *)key;
            slots[s++].value = *(const u256 *)val;
        }
        if (s > 1)
            qsort(slots, s, sizeof *slots, gen_cmp_slot);
        for (size_t j = 0; j < s; j++) {
            char skey[67], svalue[67];
            u256_to_hex(&slots[j].key, skey);
            u256_to_hex(&slots[j].value, svalue);
            gen_printf(out, "%s\"%s\":\"%s\"", j ? "," : "", skey, svalue);
        }
        gen_printf(out, "}}%s\n", i + 1 < k ? "," : "");
    }
    gen_printf(out, "}\n");
    free(slots);
    free(list);
    return err;
}

/* One account per line, sorted by address (as the mainnet snapshots). */
static int gen_pre_state_json(const struct gen *g, struct bytebuf *out)
{
    if (g->is_workload)
        return gen_world_json(&g->workload.pre, out);
    size_t n = g->touched_count + 1 + (g->opt->kind == GEN_ERC20) + g->system_count;
    const struct gen_account **list = malloc(n * sizeof *list);
    if (!list)
        return PAREVM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < g->touched_count; i++)
        list[k++] = &g->eoa[i];
    list[k++] = &g->coinbase;
    if (g->opt->kind == GEN_ERC20)
        list[k++] = &g->token;
    for (size_t i = 0; i < g->system_count; i++)
        list[k++] = &g->system[i];
    qsort(list, n, sizeof *list, gen_cmp_account);
    gen_printf(out, "{\n");
    for (size_t i = 0; i < n; i++) {
        gen_account_json(g, list[i], out);
        gen_printf(out, "%s\n", i + 1 < n ? "," : "");
    }
    gen_printf(out, "}\n");
    free(list);
    return PAREVM_OK;
}

static void gen_block_hashes_json(const struct gen *g, struct bytebuf *out)
{
    char hex[67];
    hex_encode(g->block.header.parent_hash.bytes, 32, hex);
    gen_printf(out, "{\n\"%llu\": \"%s\"\n}\n", (unsigned long long)(g->block.header.number - 1), hex);
}

static int gen_write_file(const char *dir, const char *name, const struct bytebuf *content, char *err,
                          size_t err_len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return gen_fail(err, err_len, PAREVM_ERR_IO, "%s/%s: path too long", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return gen_fail(err, err_len, PAREVM_ERR_IO, "%s: %s", path, strerror(errno));
    size_t written = fwrite(content->data, 1, content->len, f);
    int write_errno = errno;
    if (fclose(f) != 0 || written != content->len)
        return gen_fail(err, err_len, PAREVM_ERR_IO, "%s: write failed: %s", path, strerror(write_errno));
    return PAREVM_OK;
}

/* DIR/chain.json for a block of a network other than mainnet (mainnet.h);
 * for mainnet's none, and an old one goes. */
static int gen_write_chain(const char *dir, const struct gen_fork_params *fp, char *err, size_t err_len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/chain.json", dir) >= sizeof path)
        return gen_fail(err, err_len, PAREVM_ERR_IO, "%s/chain.json: path too long", dir);
    if (!fp->network) {
        if (unlink(path) != 0 && errno != ENOENT)
            return gen_fail(err, err_len, PAREVM_ERR_IO, "%s: %s", path, strerror(errno));
        return PAREVM_OK;
    }
    struct bytebuf text = {0};
    gen_printf(&text, "{\"network\":\"%s\"}\n", fp->network);
    int rc = text.len ? gen_write_file(dir, "chain.json", &text, err, err_len) : PAREVM_ERR_NOMEM;
    bytebuf_free(&text);
    return rc;
}

/* mkdir -p */
static int gen_mkdirs(const char *dir, char *err, size_t err_len)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return gen_fail(err, err_len, PAREVM_ERR_IO, "bad output folder '%s'", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return gen_fail(err, err_len, PAREVM_ERR_IO, "%s: %s", path, strerror(errno));
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return gen_fail(err, err_len, PAREVM_ERR_IO, "%s: not a folder", dir);
    return PAREVM_OK;
}

/* Build g's block and pre-state and execute the block, filling in the
 * header. g is zeroed but for opt (resolved and checked), fp, err and
 * err_len; gen_free releases what this leaves in g, also on error. */
int gen_build(struct gen *g)
{
    const struct gen_options *o = g->opt;
    int rc;
    gen_rng_init(&g->rng, o->seed);
    g->is_workload = o->kind != GEN_TRANSFERS && o->kind != GEN_ERC20;
    if (g->is_workload) {
        /* The scenario's setup needs the header's number and time. */
        if (!(rc = gen_header_init(g)) &&
            !(rc = gen_workload_build(o, &g->block.header, &g->workload, g->err, g->err_len))) {
            g->block.txs = g->workload.txs; /* the block owns them now */
            g->block.tx_count = g->workload.tx_count;
            g->workload.txs = NULL;
            g->workload.tx_count = 0;
            for (size_t i = 0; i < g->system_count && !rc; i++) /* into the pre-state */
                rc = gen_world_add(&g->workload.pre, &g->system[i], g);
            if (!rc)
                rc = gen_header_and_execute(g);
        }
    } else if (!(rc = gen_choose(g)) && !(rc = gen_accounts(g)) && !(rc = gen_transactions(g)) &&
               !(rc = gen_header_init(g)))
        rc = gen_header_and_execute(g);
    return rc;
}

int gen_write_fixture(const struct gen_options *given, const char *dir, struct gen_summary *summary,
                      char *err, size_t err_len)
{
    struct gen_options resolved = gen_options_resolve(given);
    const struct gen_options *o = &resolved;
    int rc = gen_options_check(o, err, err_len);
    if (rc)
        return rc;
    if (!dir)
        return gen_fail(err, err_len, PAREVM_ERR_ARG, "no output folder");
    struct gen g;
    memset(&g, 0, sizeof g);
    g.opt = o;
    g.fp = gen_fork_params(o->fork);
    g.err = err;
    g.err_len = err_len;
    if (err_len)
        err[0] = '\0';

    struct bytebuf block = {0}, pre = {0}, hashes = {0};
    rc = gen_build(&g);
    if (!rc && !(rc = gen_block_json(&g, &block)) && !(rc = gen_pre_state_json(&g, &pre)))
        gen_block_hashes_json(&g, &hashes);
    /* gen_printf drops text when memory runs out: check nothing was lost
     * by checking that every buffer ends with its closing brace. */
    if (!rc && (block.len < 2 || pre.len < 2 || hashes.len < 2 || block.data[block.len - 2] != '}' ||
                pre.data[pre.len - 2] != '}' || hashes.data[hashes.len - 2] != '}'))
        rc = PAREVM_ERR_NOMEM;
    if (!rc && !(rc = gen_mkdirs(dir, err, err_len)) &&
        !(rc = gen_write_file(dir, "block.json", &block, err, err_len)) &&
        !(rc = gen_write_file(dir, "pre_state.json", &pre, err, err_len)))
        rc = gen_write_file(dir, "block_hashes.json", &hashes, err, err_len);
    if (!rc)
        rc = gen_write_chain(dir, g.fp, err, err_len);
    if (!rc && summary) {
        summary->number = g.block.header.number;
        summary->gas_used = g.block.header.gas_used;
        summary->hash = g.block.header.hash;
        summary->accounts_touched = g.is_workload ? g.workload.pool_accounts : g.touched_count;
    }
    if (rc && err_len && err[0] == '\0')
        gen_fail(err, err_len, rc, "%s", parevm_strerror(rc));
    bytebuf_free(&block);
    bytebuf_free(&pre);
    bytebuf_free(&hashes);
    gen_free(&g);
    return rc;
}

/* ---- command line ---- */

void cli_gen_usage(FILE *out)
{
    fprintf(out,
            "usage: parevm gen SCENARIO --txs N [--accounts K] [OPTIONS] --out DIR\n"
            "\n"
            "Write a synthetic block in the mainnet fixture format: DIR/block.json (as\n"
            "eth_getBlockByNumber returns it, with full transactions), DIR/pre_state.json\n"
            "and DIR/block_hashes.json (and DIR/chain.json for Amsterdam, see --fork),\n"
            "readable by `parevm run`. The same options give byte-identical files.\n"
            "\n"
            "scenarios (the contracts are contracts/*.sol; the hot dimension is what\n"
            "--zipf draws from):\n"
            "  transfers  plain ETH transfers (gas limit 21000); hot: recipients\n"
            "  erc20      transfer(to, amount) calls (gas limit 90000) on an ERC-20 token\n"
            "             (contracts/ERC20.sol) installed in the pre-state with a balance\n"
            "             for every sender and recipient; hot: recipients\n"
            "  amm        router swapExactTokensForTokens of 1-100 tokens through one of\n"
            "             --pools constant-product pairs (0.3%% fee); hot: pools\n"
            "  lending    deposit 40%%, borrow 30%%, repay 30%% on one lending pool whose\n"
            "             interest index every call updates (serial at any --zipf); hot:\n"
            "             the account a deposit or repayment is for (zipf 0: oneself)\n"
            "  nft        game characters: battle 55%%, breed 25%% (both characters\n"
            "             change), mint 20%%; hot: the other character (its owner)\n"
            "  supply     register an item 30%%, pass custody of one's item 35%%, record\n"
            "             a checkpoint on a warehouse item 35%%; hot: warehouse items and\n"
            "             custody recipients\n"
            "  dao        staking vault with commit-reveal quadratic votes: commit 25%%,\n"
            "             reveal 45%%, claim a reward 20%%, stake 5%%, close 5%%; hot:\n"
            "             proposals\n"
            "  mixed      per transaction: transfers 25%%, erc20 20%%, amm 20%%, lending 5%%,\n"
            "             nft 10%%, supply 10%%, dao 10%%\n"
            "  smart      EIP-7702 smart accounts (Prague; the default fork for smart):\n"
            "             EOAs delegated to a batching contract (contracts/Batcher.sol)\n"
            "             run batches of 2-4 calls (token transfer 60%%, token approve\n"
            "             20%%, ether send 20%%). Per transaction: a type-4 transaction\n"
            "             by which an EOA delegates itself and runs its first batch 25%%;\n"
            "             a relayer's type-4 transaction carrying 1-3 other EOAs'\n"
            "             authorizations and running the first one's signed batch 20%%;\n"
            "             an EOA delegated in the pre-state calling itself with a batch\n"
            "             30%%; a relayer running a delegated EOA's signed batch 25%%\n"
            "             (an EOA delegated earlier in the block when there is one, so\n"
            "             later transactions use delegations written in the block); hot:\n"
            "             the calls' recipients (zipf 0: fresh addresses)\n"
            "  storm      adversarial: every transaction increments the one storage slot\n"
            "             of one counter contract (gas limit 60000): a conflict storm,\n"
            "             serial at any --zipf\n"
            "  memory     adversarial: every transaction (gas limit 1,000,000) writes a\n"
            "             word at byte 655,360 of its memory (about 880k gas of memory\n"
            "             expansion, 640 KiB per call frame); independent\n"
            "  hotbalance adversarial: every transaction pays 1 gwei to one account\n"
            "             (blind credits: independent with delta writes)\n"
            "  redeploy   adversarial: every transaction has one factory CREATE2 a child\n"
            "             at one address (salt 0) and call it; the child self-destructs\n"
            "             in the transaction that created it (EIP-6780), so the next one\n"
            "             re-creates it: serial\n"
            "  create2    adversarial: every transaction has one factory CREATE2 with a\n"
            "             salt already used: the first deploys, the rest collide; serial\n"
            "  recursion  adversarial: every transaction (gas limit 16,000,000) calls one\n"
            "             contract that calls itself with all its gas until the gas runs\n"
            "             out (488 frames deep: each passes on 63/64 of its gas, EIP-150);\n"
            "             no state written: independent\n"
            "  metamorphic adversarial: a contract with storage, in the pre-state, is\n"
            "             self-destructed by every even transaction and re-created at\n"
            "             its address (CREATE2) by every odd one. Before Cancun (--fork\n"
            "             london, shanghai) that deletes an existing account and its\n"
            "             storage; from Cancun the self-destructs delete nothing and\n"
            "             the re-creations collide; serial"
            "\n"
            "Accounts come from a pool of K keys derived from the seed: key i is\n"
            "keccak256(be64(seed) || be64(i)), re-hashed until it is a valid secp256k1\n"
            "key. Every transaction is EIP-1559 (type 2, chain id 1, max fee 21 gwei,\n"
            "tip 1 gwei, base fee 10 gwei; smart: also type 4, EIP-7702) from a\n"
            "different sender, signed with its key.\n"
            "transfers and erc20: the pre-state holds only what the block uses: the\n"
            "senders and recipients (100-101 ETH, a nonce below 1000, for erc20\n"
            "1,000,000-1,000,001 tokens), the coinbase and the token. The contract\n"
            "scenarios deploy their contracts from a deployer account and run setup\n"
            "transactions (tokens, pools and liquidity, characters, items, proposals,\n"
            "stakes and committed votes) in the block before, at zero gas price; the\n"
            "world after that is the pre-state. The header is computed by executing the\n"
            "block: gasUsed, logsBloom, receiptsRoot, stateRoot (the pre-state is the\n"
            "whole synthetic world) and from Prague requestsHash (EIP-7685; the\n"
            "pre-state then holds the EIP-2935/7002/7251 system contracts); gasLimit is\n"
            "the larger of 30,000,000 and the sum of the transactions' gas limits.\n"
            "Every transaction succeeds.\n"
            "\n"
            "options:\n"
            "  --txs N        transactions in the block (1 to %u)\n"
            "  --accounts K   size of the account pool (at most %u; default 2N)\n"
            "  --zipf S       0 (default): low contention: distinct senders, distinct\n"
            "                 recipients/partners that never send (K >= 2N), and distinct\n"
            "                 choices in the hot dimension while it lasts.\n"
            "                 S > 0: contended: recipients/partners drawn Zipf(S) over the\n"
            "                 pool (account r with weight 1/(r+1)^S; never the\n"
            "                 transaction's own sender), the hot dimension drawn Zipf(S)\n"
            "                 (rank r = pool, item, proposal r); senders distinct (K >= N)\n"
            "  --pools P      amm: pairs (default: the number of swaps, 16 to 1024; the\n"
            "                 tokens are the fewest T with T(T-1)/2 >= P)\n"
            "  --items I      supply: warehouse items (default: the number of checkpoint\n"
            "                 transactions, at least 16)\n"
            "  --proposals Q  dao: proposals (at least 4; default 2 * the dao\n"
            "                 transactions, at least 16); a quarter in the commit phase,\n"
            "                 half in the reveal phase, a quarter closed\n"
            "  --seed X       64-bit seed (decimal) for keys and choices (default 1)\n"
            "  --fork NAME    London, Paris, Shanghai, Cancun, Prague, Osaka or Amsterdam\n"
            "                 (default Cancun; smart: Prague, and it needs Prague or\n"
            "                 later); picks the block number and timestamp so that the\n"
            "                 mainnet schedule gives that fork (Cancun: block 20000000,\n"
            "                 time 1717000000; Prague: 22600000, 1749000000; Osaka:\n"
            "                 23950000, 1765000000). From Prague the pre-state holds the\n"
            "                 EIP-2935/7002/7251 system contracts and the header the\n"
            "                 EIP-7685 requests hash. Amsterdam is on no mainnet schedule:\n"
            "                 its block (24600000, 1775000000) is of the network\n"
            "                 \"Amsterdam\", which DIR/chain.json names (run, bench, bal and\n"
            "                 census read it); the header adds blockAccessListHash (EIP-7928,\n"
            "                 the list the block's execution records) and slotNumber\n"
            "                 (EIP-7843), the pre-state EIP-7997's factory and EIP-8282's two\n"
            "                 builder request queues (stand-ins, always empty: the EIP's code\n"
            "                 is not final), and each scenario transaction's gas limit room\n"
            "                 for 8 new slots of EIP-8037 state gas. An unknown fork is a\n"
            "                 usage error\n"
            "  --out DIR      output folder, created if missing; the files are replaced\n"
            "  -h, --help     show this help\n"
            "\n"
            "On success prints one line: the folder, block number, transaction count,\n"
            "pool accounts in the pre-state, gas used and block hash.\n"
            "exit status: 0 written, 1 failure, 2 usage error.\n",
            GEN_MAX_TXS, GEN_MAX_ACCOUNTS);
}

static int gen_usage_error(const char *fmt, const char *arg)
{
    return usage_error_for("gen", fmt, arg);
}

int cli_gen(int argc, char **argv)
{
    struct gen_options o;
    gen_options_default(&o);
    const char *out = NULL, *fork = NULL;
    bool has_txs = false;
    if (argc > 1 && strcmp(argv[1], "suite") == 0)
        return gen_suite_main(argc - 1, argv + 1); /* gen_suite.c */
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--txs",
         .kind = OPTION_U64,
         .dest = &o.txs,
         .given = &has_txs,
         .bad = "--txs: not a number: '%s'"},
        {.name = "--accounts",
         .kind = OPTION_U64,
         .dest = &o.accounts,
         .umin = 1,
         .bad = "--accounts: not a number >= 1: '%s'"},
        {.name = "--zipf",
         .kind = OPTION_DOUBLE,
         .dest = &o.zipf,
         .min = 0,
         .bad = "--zipf: not a finite number >= 0: '%s'"},
        {.name = "--pools",
         .kind = OPTION_U64,
         .dest = &o.pools,
         .umin = 1,
         .bad = "--pools: not a number >= 1: '%s'"},
        {.name = "--items",
         .kind = OPTION_U64,
         .dest = &o.items,
         .umin = 1,
         .bad = "--items: not a number >= 1: '%s'"},
        {.name = "--proposals",
         .kind = OPTION_U64,
         .dest = &o.proposals,
         .umin = 1,
         .bad = "--proposals: not a number >= 1: '%s'"},
        {.name = "--seed", .kind = OPTION_U64, .dest = &o.seed, .bad = "--seed: not a 64-bit number: '%s'"},
        {.name = "--fork", .kind = OPTION_STRING, .dest = &fork},
        {.name = "--out", .kind = OPTION_STRING, .dest = &out},
        {0},
    };
    int positional = 0;
    int rc = cli_parse_options("gen", cli_gen_usage, specs, argc, argv, &positional);
    if (rc >= 0)
        return rc;
    if (positional > 1)
        return gen_usage_error("unexpected argument '%s'", argv[2]);
    bool has_kind = positional == 1;
    if (has_kind && !gen_kind_from_name(argv[1], &o.kind))
        return gen_usage_error(
            "unknown scenario '%s' (transfers, erc20, amm, lending, nft, supply, dao, "
            "mixed, smart, storm, memory, hotbalance, redeploy, create2, recursion, metamorphic)",
            argv[1]);
    if (fork) {
        if (!fork_from_name(fork, &o.fork))
            return gen_usage_error("--fork: unknown fork '%s'", fork);
        if (!fork_implemented(o.fork))
            return gen_usage_error("--fork: fork '%s' is not implemented", fork);
        if (!gen_fork_params(o.fork))
            return gen_usage_error(
                "--fork: '%s' not supported (London, Paris, Shanghai, Cancun, Prague, Osaka, Amsterdam)",
                fork);
    }
    if (!has_kind)
        return gen_usage_error(
            "%s", "missing scenario (transfers, erc20, amm, lending, nft, supply, dao, "
                  "mixed, smart, storm, memory, hotbalance, redeploy, create2, recursion, metamorphic)");
    if (o.kind == GEN_SMART && !fork)
        o.fork = FORK_PRAGUE; /* EIP-7702 needs Prague */
    if (!has_txs || !out)
        return gen_usage_error("%s", "--txs and --out are required");
    /* A knob for another scenario is a mistake worth naming. */
    if (o.pools && o.kind != GEN_AMM && o.kind != GEN_MIXED)
        return gen_usage_error("--pools applies to amm and mixed, not %s", gen_kind_name(o.kind));
    if (o.items && o.kind != GEN_SUPPLY && o.kind != GEN_MIXED)
        return gen_usage_error("--items applies to supply and mixed, not %s", gen_kind_name(o.kind));
    if (o.proposals && o.kind != GEN_DAO && o.kind != GEN_MIXED)
        return gen_usage_error("--proposals applies to dao and mixed, not %s", gen_kind_name(o.kind));
    char err[512];
    rc = gen_options_check(&o, err, sizeof err);
    if (rc == PAREVM_ERR_UNSUPPORTED) {
        fprintf(stderr, "parevm gen: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    if (rc)
        return gen_usage_error("%s", err);
    struct gen_summary s;
    if (gen_write_fixture(&o, out, &s, err, sizeof err)) {
        fprintf(stderr, "parevm gen: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    char hash[67];
    hex_encode(s.hash.bytes, 32, hash);
    printf("%s: block %llu, %llu transactions, %zu pool accounts, gas used %llu, hash %s\n", out,
           (unsigned long long)s.number, (unsigned long long)o.txs, s.accounts_touched,
           (unsigned long long)s.gas_used, hash);
    return CLI_EXIT_OK;
}
