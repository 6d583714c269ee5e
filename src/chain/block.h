/*
 * Blocks: header, body, per-fork block rules, receipts and roots.
 *
 * A block is executed against a world by exec/ (sequential or parallel);
 * this module owns the rules around the transactions: which fork applies,
 * rewards, withdrawals, the EIP-4788 beacon-root system call, blob gas
 * and base fee, and the receipts/roots that summarise the result.
 */
#ifndef PAREVM_CHAIN_BLOCK_H
#define PAREVM_CHAIN_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/types.h"
#include "../base/u256.h"
#include "../evm/env.h"
#include "../evm/fork.h"
#include "../state/log.h"
#include "transition.h"
#include "tx.h"

struct block_header {
    hash32 parent_hash;
    hash32 ommers_hash;
    address coinbase;
    hash32 state_root;
    hash32 tx_root;
    hash32 receipts_root;
    uint8_t logs_bloom[256];
    u256 difficulty;
    uint64_t number;
    uint64_t gas_limit;
    uint64_t gas_used;
    uint64_t timestamp;
    uint8_t extra_data[32 + 1024]; /* length checked by validation, not here */
    size_t extra_data_len;
    hash32 mix_hash; /* PREVRANDAO from Paris (EIP-4399) */
    uint8_t nonce[8];
    bool has_base_fee; /* London, EIP-1559 */
    u256 base_fee;
    bool has_withdrawals_root; /* Shanghai, EIP-4895 */
    hash32 withdrawals_root;
    bool has_blob_gas; /* Cancun, EIP-4844 */
    uint64_t blob_gas_used;
    uint64_t excess_blob_gas;
    bool has_parent_beacon_root; /* Cancun, EIP-4788 */
    hash32 parent_beacon_root;
    bool has_requests_hash; /* Prague, EIP-7685 */
    hash32 requests_hash;
    bool has_bal_hash; /* Amsterdam, EIP-7928: keccak of the block access list */
    hash32 bal_hash;
    bool has_slot_number; /* Amsterdam, EIP-7843 */
    uint64_t slot_number;
    bool has_hash; /* the hash below was given (loader) or computed */
    hash32 hash;
};

struct withdrawal {
    uint64_t index;
    uint64_t validator_index;
    address addr;
    uint64_t amount_gwei;
};

struct block {
    struct block_header header;
    struct tx *txs; /* owned */
    size_t tx_count;
    struct block_header *uncles; /* owned */
    size_t uncle_count;
    /* Uncles known only by hash (RPC JSON lists hashes, not headers): the
     * miner's inclusion reward counts them, their own rewards cannot be
     * paid (their coinbase and number are unknown). */
    size_t unknown_uncle_count;
    bool has_withdrawals;
    struct withdrawal *withdrawals; /* owned */
    size_t withdrawal_count;
};

void block_free(struct block *b);

/* Which fork a block is in. A chain config is either one fork for every
 * block (BlockchainTests networks such as "Cancun") or a schedule by
 * block number / timestamp (mainnet), optionally with one transition
 * ("ShanghaiToCancunAtTime15k"). */
/* A fork that only pushed the difficulty bomb back and changed no EVM
 * rule (so it has no enum fork): EIP-2384 Muir Glacier (9,000,000),
 * EIP-4345 Arrow Glacier (10,700,000), EIP-5133 Gray Glacier
 * (11,400,000). From block `block` on, the bomb counts from
 * number - delay (validate_bomb_delay). */
struct chain_bomb_delay {
    uint64_t block, delay;
};
#define CHAIN_BOMB_DELAYS_MAX 4

struct chain_config {
    uint64_t chain_id;
    /* activation block number for forks Frontier..Paris (UINT64_MAX = never) */
    uint64_t fork_block[FORK__COUNT];
    /* activation timestamp for Shanghai and later (UINT64_MAX = never) */
    uint64_t fork_time[FORK__COUNT];
    bool dao_fork; /* apply the DAO irregular state change at dao_block */
    uint64_t dao_block;
    /* Paris by terminal total difficulty ("...ToMergeAtDiff..." networks):
     * a block whose difficulty is zero is a proof-of-stake block. */
    bool paris_at_zero_difficulty;
    /* The world given to the executor holds only what the block touches
     * (mainnet snapshots): pre-Byzantium receipts then carry no
     * intermediate state root (a root of a partial state means nothing). */
    bool skip_intermediate_roots;
    /* EIP-6110: the contract whose DepositEvent logs are deposit requests
     * (mainnet's 0x00000000219ab540356cBB839Cbe05303d7705Fa by default;
     * other networks and tests set their own). */
    address deposit_contract;
    /* The bomb-only forks of this chain, ascending by block (the mainnet
     * schedule: Muir Glacier 9,200,000, Arrow Glacier 13,773,000, Gray
     * Glacier 15,050,000; a network named after one: from block 0). */
    struct chain_bomb_delay bomb_delays[CHAIN_BOMB_DELAYS_MAX];
    size_t bomb_delay_count;
};

void chain_config_mainnet(struct chain_config *cfg);
/* Every block in fork f (chain id 1). */
void chain_config_single(struct chain_config *cfg, enum fork f);
/* Parse a BlockchainTests `network` name (single fork or an "XToYAt..."
 * transition). False if unknown. */
bool chain_config_from_network(struct chain_config *cfg, const char *network);
enum fork chain_config_fork(const struct chain_config *cfg, uint64_t number, uint64_t timestamp);
/* The bomb delay a fork name stands for beyond its EVM fork's own:
 * "MuirGlacier" 9,000,000, "ArrowGlacier" 10,700,000, "GrayGlacier"
 * 11,400,000; 0 for any other name. (The EVM fork of these names is
 * Istanbul, London, London.) */
uint64_t chain_glacier_bomb_delay(const char *name);
/* Append a bomb-only fork at `block` (blocks ascending). False when the
 * table is full (CHAIN_BOMB_DELAYS_MAX) or out of order. */
bool chain_config_add_bomb_delay(struct chain_config *cfg, uint64_t block, uint64_t delay);
/* The fork of a header: chain_config_fork, plus Paris for a zero-difficulty
 * block under paris_at_zero_difficulty. */
struct block_header;
enum fork chain_config_header_fork(const struct chain_config *cfg, const struct block_header *h);

/* Build the EVM's block env for header h (fork from cfg): PREVRANDAO =
 * mix_hash (EIP-4399), base fee from London (zero before), blob base fee
 * from excess_blob_gas from Cancun (EIP-4844). The BLOCKHASH source is
 * left NULL: the executor supplies it. */
void block_env_from_header(struct block_env *env, const struct chain_config *cfg,
                           const struct block_header *h);

/* ---- block-level rules (besides the transactions) ---- */

#define BLOB_GAS_PER_BLOB 131072            /* EIP-4844 */
#define SYSTEM_CALL_GAS 30000000            /* EIP-4788 */
extern const address SYSTEM_ADDRESS;        /* 0xff..fe, EIP-4788 caller */
extern const address BEACON_ROOTS_ADDRESS;  /* 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02 */
extern const address HISTORY_STORAGE_ADDRESS; /* 0x0000F90827F1C53a10cb7A02335B175320002935, EIP-2935 */
#define HISTORY_SERVE_WINDOW 8191             /* EIP-2935: slots of the ring buffer */

/* Proof-of-work block reward in wei for fork f: 5 ETH (Frontier), 3 ETH
 * (Byzantium, EIP-649), 2 ETH (Constantinople, EIP-1234), 0 from Paris. */
u256 block_reward(enum fork f);

/* The most blob gas a block of fork f may use: the schedule's maximum
 * blobs (6 Cancun, EIP-4844; 9 Prague, EIP-7691; EIP-7892 BPO schedules)
 * times BLOB_GAS_PER_BLOB. */
uint64_t block_max_blob_gas(enum fork f);

/* EIP-4788: before the transactions of a Cancun block, call the beacon
 * roots contract from SYSTEM_ADDRESS with the parent beacon block root
 * (a no-op when the contract has no code). Writes go to ws. */
int block_beacon_root_call(const struct block_env *env, const struct block_header *h,
                           const struct state_view *view, struct write_set *ws);

/* EIP-7997 (Amsterdam): before anything else in a block, the CREATE2
 * factory's code is set at FACTORY_PREDEPLOY_ADDRESS (0x...12, the first
 * address after the BLS12-381 precompiles; the EIP's text still says
 * 0x0b, taken by EIP-2537) with nonce 1, the balance kept, unless that
 * code is there already: so it changes the state once, in the block that
 * activates Amsterdam. Writes go to ws (reset; empty when nothing to do). */
extern const address FACTORY_PREDEPLOY_ADDRESS;
extern const uint8_t *const FACTORY_PREDEPLOY_CODE; /* the factory's code, FACTORY_PREDEPLOY_CODE_LEN bytes */
extern const size_t FACTORY_PREDEPLOY_CODE_LEN;
int block_factory_predeploy(const struct block_env *env, const struct state_view *view, struct write_set *ws);

/* EIP-2935: before the transactions of a Prague block, right after the
 * beacon-roots call (execution-specs apply_body order), call the history
 * storage contract from SYSTEM_ADDRESS with the parent hash as calldata;
 * the contract stores it at slot (number - 1) % HISTORY_SERVE_WINDOW.
 * Unchecked: a no-op when the contract has no code, and a failed call
 * does not invalidate the block. Writes go to ws (reset; empty before
 * Prague). */
int block_history_call(const struct block_env *env, const hash32 *parent_hash, const struct state_view *view,
                       struct write_set *ws);

/* ---- EIP-7685 execution-layer requests (Prague on) ---- */

extern const address MAINNET_DEPOSIT_CONTRACT;   /* EIP-6110 */
extern const hash32 DEPOSIT_EVENT_TOPIC;         /* keccak("DepositEvent(bytes,bytes,bytes,bytes,bytes)") */
extern const address WITHDRAWAL_REQUEST_ADDRESS; /* EIP-7002: 0x00000961Ef480Eb55e80D19ad83579A64c007002 */
extern const address CONSOLIDATION_REQUEST_ADDRESS; /* EIP-7251: 0x0000BBdDc7CE488642fb579F8B00f3a590007251 */

/* EIP-8282 (Amsterdam, glamsterdam-devnet v7 addresses):
 * 0x0000BFF46984E3725691FA540A8C7589300D8282 and
 * 0x000064D678505AD48F8CCB093BC65613800E8282. */
extern const address BUILDER_DEPOSIT_REQUEST_ADDRESS;
extern const address BUILDER_EXIT_REQUEST_ADDRESS;

/* Request types, in the ascending order the requests hash takes them. */
enum block_request_type {
    REQUEST_DEPOSIT = 0,         /* EIP-6110 */
    REQUEST_WITHDRAWAL = 1,      /* EIP-7002 */
    REQUEST_CONSOLIDATION = 2,   /* EIP-7251 */
    REQUEST_BUILDER_DEPOSIT = 3, /* EIP-8282 */
    REQUEST_BUILDER_EXIT = 4,    /* EIP-8282 */
    REQUEST_TYPE_COUNT
};

/* The request contracts a fork calls after its transactions and
 * withdrawals (block_request_call), in type order: EIP-7002 and EIP-7251
 * from Prague, EIP-8282's two from Amsterdam. */
struct block_request_contract {
    const address *contract;
    enum block_request_type type;
    const char *eip; /* "EIP-7002", ... */
};
size_t block_request_contracts(enum fork f, const struct block_request_contract **out);

/* EIP-6110: one deposit request is pubkey (48) || withdrawal credentials
 * (32) || amount (8) || signature (96) || index (8). */
#define DEPOSIT_REQUEST_SIZE 192
#define DEPOSIT_EVENT_DATA_SIZE 576

/* A block's requests: per type, the requests' data concatenated (without
 * the type byte). */
struct block_requests {
    struct bytebuf data[REQUEST_TYPE_COUNT];
};
void block_requests_free(struct block_requests *r);
bool block_requests_equal(const struct block_requests *a, const struct block_requests *b);

/* EIP-6110: the deposit request in a DepositEvent log's data: the ABI
 * encoding of five `bytes` (pubkey 48, withdrawal credentials 32, amount
 * 8, signature 96, index 8) must be exactly 576 bytes with the offsets
 * 160, 256, 320, 384, 512 and those sizes, as the deposit contract
 * writes it. Anything else: PAREVM_ERR_BLOCK_INVALID (the block is
 * invalid), with the broken rule in why. */
int block_deposit_request(const uint8_t *data, size_t len, uint8_t out[DEPOSIT_REQUEST_SIZE], char *why,
                          size_t why_len);
/* EIP-6110: every DepositEvent (first topic DEPOSIT_EVENT_TOPIC) logged by
 * deposit_contract in the receipts, in order, appended to out.
 * PAREVM_ERR_BLOCK_INVALID when one has a bad layout. */
struct receipt;
int block_deposit_requests(const struct receipt *receipts, size_t n, const address *deposit_contract,
                           struct bytebuf *out, char *why, size_t why_len);
/* EIP-7002 / EIP-7251: the checked system call to a request contract
 * (empty calldata, SYSTEM_ADDRESS, SYSTEM_CALL_GAS) after the
 * transactions and withdrawals; its return data (the requests) is
 * appended to out and its writes go to ws. PAREVM_ERR_BLOCK_INVALID when
 * the contract has no code (then *no_code, may be NULL, is set) or the
 * call fails (execution-specs process_checked_system_transaction). */
int block_request_call(const struct block_env *env, const address *contract, const struct state_view *view,
                       struct write_set *ws, struct bytebuf *out, bool *no_code, char *why, size_t why_len);
/* EIP-7685: sha256 of the concatenated sha256(type || data) of every
 * non-empty request type, in type order. */
int block_requests_hash(const struct block_requests *r, hash32 *out); /* PAREVM_ERR_NOMEM */

/* After the transactions, on the world: pre-Paris miner and uncle
 * rewards (execution-specs pay_rewards), then from Shanghai the
 * withdrawals (EIP-4895: amount in gwei credited; an account left empty
 * by a zero-amount withdrawal is removed, so none is created). */
struct world;
int block_apply_rewards(const struct block *b, enum fork f, struct world *w);
int block_apply_withdrawals(const struct block *b, struct world *w);

/* A receipt: what one transaction left behind. */
struct receipt {
    uint8_t tx_type;
    bool has_status; /* Byzantium on (EIP-658): status; before: post_state */
    bool status;
    hash32 post_state; /* pre-Byzantium intermediate state root (when known) */
    uint64_t gas_used; /* this transaction */
    uint64_t cumulative_gas_used;
    struct log *logs; /* owned */
    size_t log_count;
    uint8_t bloom[256];
    bool has_created_address;
    address created_address;
};

void receipt_free(struct receipt *r);
/* Consensus encoding: rlp([status|post_state, cumulative_gas, bloom, logs]),
 * prefixed by the type byte for typed transactions (EIP-2718). */
struct bytebuf;
int receipt_encode(const struct receipt *r, struct bytebuf *out);
int receipts_root(const struct receipt *receipts, size_t n, hash32 *out);
/* The same, hashing subtrees concurrently through runner (state/trie.h). */
struct trie_runner;
int receipts_root_with(const struct receipt *receipts, size_t n, const struct trie_runner *runner, hash32 *out);
int transactions_root(const struct tx *txs, size_t n, hash32 *out);
int withdrawals_root(const struct withdrawal *w, size_t n, hash32 *out);
/* rlp(header) with the optional fields its has_* flags say are present
 * (appended to out). */
int block_header_encode(const struct block_header *h, struct bytebuf *out);
/* keccak(rlp(header)) with the fields present for its fork. */
int block_header_hash(const struct block_header *h, hash32 *out);

#endif
