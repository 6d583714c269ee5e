/*
 * gen internals shared by gen.c (options, keys, header, files) and
 * gen_workloads.c (the contract scenarios: setup and transactions). Not
 * part of gen.h's contract: only these two files and their tests use it.
 */
#ifndef PAREVM_TOOLS_GEN_INTERNAL_H
#define PAREVM_TOOLS_GEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "../chain/block.h"
#include "../chain/tx.h"
#include "../state/world.h"
#include "gen.h"

/* xoshiro256** seeded from a 64-bit seed (gen.c describes the streams). */
struct gen_rng {
    uint64_t s[4];
};
void gen_rng_init(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n); /* uniform in [0, n), n >= 1 */

/* A value owned by (seed, index, tag), independent of draw order. */
uint64_t gen_hash3(uint64_t seed, uint64_t index, uint64_t tag);

/* Zipf(s) over ranks 0..n-1 (rank r has weight 1 / (r + 1)^s). */
struct gen_zipf {
    uint64_t *cdf;
    uint64_t n;
};
int gen_zipf_init(struct gen_zipf *z, uint64_t n, double s); /* PAREVM_ERR_NOMEM */
uint64_t gen_zipf_draw(const struct gen_zipf *z, struct gen_rng *rng);

/* m distinct values of [0, k) (m <= k) into out, in draw order. */
int gen_draw_distinct_from(struct gen_rng *rng, uint64_t k, uint64_t m, uint64_t *out);

/* Pre-state of pool account `index`: 100 ETH plus up to 1 ETH, a nonce
 * below 1000 (as `gen transfers`). */
void gen_pool_account_state(uint64_t seed, uint64_t index, u256 *balance, uint64_t *nonce);

/* Sign t (type 2) with key, insisting that it recovers to `from`.
 * PAREVM_ERR_INTERNAL when signing or recovery fails. */
int gen_sign_tx(struct tx *t, const uint8_t key[32], const address *from, enum fork fork);

/* EIP-7702: sign authorization a (chain_id, addr and nonce set) with key,
 * filling y_parity, r and s, and insist that it recovers to `authority`.
 * PAREVM_ERR_INTERNAL when signing or recovery fails. */
int gen_sign_authorization(struct authorization *a, const uint8_t key[32], const address *authority);

/* Sign a 32-byte digest with key as ecrecover takes it: v = 27 or 28, r,
 * s (low s). PAREVM_ERR_INTERNAL when signing fails. */
int gen_sign_digest(const uint8_t key[32], const uint8_t digest[32], uint8_t *v, uint8_t r[32],
                    uint8_t s[32]);

/* What a contract scenario hands to gen.c: the pre-state (every account
 * the block may touch, after the scenario's setup ran), the signed block
 * transactions, and how many pool accounts the pre-state holds. */
struct gen_workload {
    struct world pre;
    struct tx *txs;
    size_t tx_count;
    size_t pool_accounts;
};

/* Build o's scenario for the block whose header h has number, timestamp,
 * coinbase and fork-dependent fields set (the setup runs in the block
 * before it, with a zero base fee). Errors: PAREVM_ERR_NOMEM, or
 * PAREVM_ERR_INTERNAL (a setup transaction failed: a bug) with a message
 * in err. out is freed-empty on error. */
int gen_workload_build(const struct gen_options *o, const struct block_header *h, struct gen_workload *out,
                       char *err, size_t err_len);
void gen_workload_free(struct gen_workload *w);

#endif
