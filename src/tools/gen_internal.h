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
#include "../exec/exec.h"
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

/* ---- gen.c's block under construction ----
 * Shared with the unit tests (tests/test_gen.c, tests/test_scenarios.c),
 * which build blocks step by step; the tool itself goes through
 * gen_write_fixture. */

/* Where a supported fork puts the generated block on the mainnet
 * schedule (gen.c lists them). */
struct gen_fork_params {
    enum fork fork;
    uint64_t number;
    uint64_t timestamp;
    /* A fork not on the mainnet schedule (Amsterdam): the network the
     * block belongs to (chain.json, mainnet.h), every block in it; NULL:
     * mainnet. */
    const char *network;
};
/* NULL when gen does not support fork f. */
const struct gen_fork_params *gen_fork_params(enum fork f);
/* The chain of a block of fork f (gen_fork_params(f) non-NULL): mainnet,
 * or its network's schedule. */
void gen_chain_config(enum fork f, struct chain_config *cfg);
/* EIP-8037 (Amsterdam): room in a transaction's gas limit for the state
 * its scenario creates (new slots, accounts, delegations), at fork f; 0
 * before it. */
uint64_t gen_state_gas_room(enum fork f, uint64_t new_slots);

/* One pre-state account. */
struct gen_account {
    address addr;
    uint64_t pool_index; /* EOAs: index in the pool */
    uint8_t key[32];     /* EOAs */
    u256 balance;
    uint64_t nonce;
    u256 tokens; /* erc20: balanceOf in the token */
    bool is_eoa;
    bool is_token;
    uint8_t *code; /* system contracts: runtime code (owned) */
    size_t code_len;
};

struct gen_slot {
    u256 key, value;
};

struct gen {
    const struct gen_options *opt;
    const struct gen_fork_params *fp;
    struct gen_rng rng;
    /* per transaction: pool index of sender and recipient, amount */
    uint64_t *sender, *recipient;
    u256 *amount;
    /* touched pool indexes, sorted, unique; eoa[i] is the account of
     * touched[i] */
    uint64_t *touched;
    size_t touched_count;
    struct gen_account *eoa;
    struct gen_account coinbase, token;
    struct gen_account system[6]; /* Prague on: EIP-2935, 7002, 7251; Amsterdam: EIP-8282's two, EIP-7997 */
    size_t system_count;
    struct gen_slot *slots; /* token storage, sorted by key */
    size_t slot_count;
    struct block block;
    /* contract scenarios: the pre-state after setup (gen_workloads.c) */
    struct gen_workload workload;
    bool is_workload;
    hash32 parent_hash;
    struct block_result result;
    char *err;
    size_t err_len;
};

/* o with the defaults that depend on other options filled in. */
struct gen_options gen_options_resolve(const struct gen_options *o);
/* Who sends what to whom (transfers, erc20): g->sender, recipient, amount. */
int gen_choose(struct gen *g);
/* The pre-state of every account gen_choose touched (g->eoa, ...). */
int gen_accounts(struct gen *g);
/* Position of pool index i in g->touched (present by construction). */
size_t gen_touched_pos(const struct gen *g, uint64_t i);
/* Build g's block and pre-state and execute the block, filling in the
 * header. g is zeroed but for opt (resolved and checked), fp, err and
 * err_len; gen_free releases what this leaves in g, also on error. */
int gen_build(struct gen *g);
void gen_free(struct gen *g);
/* The size of b's RLP encoding as mainnet's `size` field counts it. */
int gen_block_size(const struct block *b, uint64_t *size);
/* The address of a valid secret key: keccak(x || y)[12..32]. */
int gen_key_address(const uint8_t key[32], address *addr);

#endif
