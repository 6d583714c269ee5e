/*
 * validate — the consensus rules a block must satisfy besides executing
 * its transactions: its header against its parent's, its body against its
 * header, its uncles against its ancestry (before the Merge), and the
 * execution result against the header.
 *
 * Each check returns BLOCKERR_NONE or the first broken rule, with a
 * message ("gas limit 5000 outside (parent 10000 +- 9)") written to
 * why[0..why_len) when why is not NULL. Proof-of-work seals (ethash) are
 * not verified: BlockchainTests run with sealEngine "NoProof".
 */
#ifndef PAREVM_CHAIN_VALIDATE_H
#define PAREVM_CHAIN_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "../evm/fork.h"
#include "block.h"

enum block_error {
    BLOCKERR_NONE = 0,
    BLOCKERR_RLP,               /* the block does not decode */
    BLOCKERR_UNKNOWN_PARENT,    /* parent hash names no known block */
    BLOCKERR_NUMBER,            /* number != parent + 1 */
    BLOCKERR_TIMESTAMP,         /* timestamp <= parent's */
    BLOCKERR_GAS_LIMIT,         /* outside parent +- parent/1024, or < 5000 */
    BLOCKERR_GAS_USED_ABOVE_LIMIT, /* header gas used > gas limit */
    BLOCKERR_EXTRA_DATA,        /* more than 32 bytes */
    BLOCKERR_HEADER_FIELDS,     /* fork-dependent fields present/absent wrongly */
    BLOCKERR_BASE_FEE,          /* EIP-1559 */
    BLOCKERR_DIFFICULTY,        /* PoW formula, or non-zero from Paris (EIP-3675) */
    BLOCKERR_NONCE,             /* non-zero from Paris (EIP-3675) */
    BLOCKERR_OMMERS_HASH,       /* does not match the uncles (or not empty from Paris) */
    BLOCKERR_UNCLES,            /* uncles from Paris, more than 2, duplicates */
    BLOCKERR_UNCLE_INVALID,     /* ancestor, already included, too old, bad header */
    BLOCKERR_EXCESS_BLOB_GAS,   /* EIP-4844 */
    BLOCKERR_BLOB_GAS_USED,     /* EIP-4844: header != blobs in the transactions, or over the maximum */
    BLOCKERR_WITHDRAWALS,       /* withdrawals list present/absent wrongly (EIP-4895) */
    BLOCKERR_TX_ROOT,
    BLOCKERR_WITHDRAWALS_ROOT,
    BLOCKERR_TX_SIGNATURE,      /* a sender cannot be recovered */
    BLOCKERR_TX_INVALID,        /* a transaction fails validation (enum tx_error) */
    BLOCKERR_GAS_USED,          /* header gas used != execution's */
    BLOCKERR_RECEIPTS_ROOT,
    BLOCKERR_LOGS_BLOOM,
    BLOCKERR_STATE_ROOT,
    BLOCKERR_UNSUPPORTED,       /* a fork whose header rules are not implemented */
    BLOCKERR_REQUESTS_HASH,     /* EIP-7685: header requests hash != the block's requests */
    BLOCKERR_DEPOSIT_LAYOUT,    /* EIP-6110: a DepositEvent log with a bad layout */
    BLOCKERR_SYSTEM_CONTRACT_EMPTY,  /* EIP-7002/7251: a request contract without code */
    BLOCKERR_SYSTEM_CONTRACT_FAILED, /* EIP-7002/7251: a request system call failed */
    BLOCKERR_BLOCK_SIZE,        /* EIP-7934: RLP-encoded block above MAX_RLP_BLOCK_SIZE */
    BLOCKERR_BAL_HASH,          /* EIP-7928: header access list hash != the execution's list */
    BLOCKERR__COUNT
};

/* Stable upper-case name ("INVALID_BASE_FEE"). Never NULL. */
const char *block_error_name(enum block_error e);

/* What a block's encoding commits to, as computed from its bytes (see
 * io/blocktest.h, blocktest_decode_block) or by re-encoding the decoded
 * parts (transactions_root, withdrawals_root in block.h). */
struct block_digest {
    hash32 tx_root;
    hash32 ommers_hash;      /* keccak(rlp(uncle headers)) */
    hash32 withdrawals_root; /* when the block has a withdrawals list */
};

/* keccak(rlp([])): the ommers hash of a block without uncles. */
extern const hash32 EMPTY_OMMERS_HASH;

/* EIP-1559 constants. */
#define BASE_FEE_ELASTICITY_MULTIPLIER 2
#define BASE_FEE_MAX_CHANGE_DENOMINATOR 8
#define INITIAL_BASE_FEE 1000000000
/* Yellow Paper: gas limit adjustment bound and floor; clients cap the
 * limit at 2^63 - 1 (go-ethereum's MaxGasLimit, BlockchainTests
 * GASLIMIT_TOO_BIG). */
#define GAS_LIMIT_ADJUSTMENT_FACTOR 1024
#define GAS_LIMIT_MINIMUM 5000
#define GAS_LIMIT_MAXIMUM 0x7fffffffffffffffULL
#define MAX_EXTRA_DATA_BYTES 32
#define MINIMUM_DIFFICULTY 131072
#define MAX_UNCLE_DEPTH 6
#define MAX_UNCLES 2
/* EIP-7934 (Osaka on): the most bytes a block's RLP encoding may take,
 * MAX_BLOCK_SIZE (10 MiB) less a SAFETY_MARGIN (2 MiB) for the beacon
 * block around it. */
#define MAX_BLOCK_SIZE 10485760
#define BLOCK_SIZE_SAFETY_MARGIN 2097152
#define MAX_RLP_BLOCK_SIZE (MAX_BLOCK_SIZE - BLOCK_SIZE_SAFETY_MARGIN)
/* EIP-7918: the execution gas a blob's reserve price is counted in. */
#define BLOB_BASE_COST 8192 /* 2^13 */

/* The header rules that need only the parent: number, timestamp, gas
 * limit (with the EIP-1559 elasticity doubling at the London block, and
 * at most GAS_LIMIT_MAXIMUM),
 * gas used <= gas limit, extra data, which optional fields the fork has,
 * base fee (EIP-1559; INITIAL_BASE_FEE at the London block), difficulty
 * (PoW formula per fork before Paris; zero from Paris, with nonce zero and
 * the empty ommers hash, EIP-3675), excess blob gas (EIP-4844), and that
 * the parent hash is the parent's hash. The fork of each header comes
 * from chain_config_header_fork. parent->hash must be set (has_hash). */
enum block_error validate_header(const struct chain_config *cfg, const struct block_header *parent,
                                 const struct block_header *h, char *why, size_t why_len);

/* The body's shape against its own header, before execution: no uncles
 * from Paris, the ommers hash, and the withdrawals list present exactly
 * from Shanghai (EIP-4895). The roots of the transactions and
 * withdrawals are compared after execution (validate_outcome), as the
 * execution specs do: an invalid transaction is the reason a block fails
 * even when its transactions root is wrong too. */
enum block_error validate_body(const struct chain_config *cfg, const struct block *b, const struct block_digest *d,
                               char *why, size_t why_len);

/* What the uncle rules need from the chain below the block: its
 * ancestors, parent first (the parent and up to MAX_UNCLE_DEPTH more),
 * each with hash set, and the hashes of the uncles those ancestors
 * included. */
struct validate_ancestry {
    const struct block_header *const *ancestors;
    size_t ancestor_count;
    const hash32 *included_uncles;
    size_t included_uncle_count;
};

/* Uncle rules before Paris (execution-specs validate_ommers): at most two,
 * no duplicates, each 1..6 generations older than the block, not the block
 * or one of its ancestors, not included before, a child of an ancestor
 * (but not a sibling of the block), and a valid header against that
 * ancestor. Uncles carry their hash (has_hash). */
enum block_error validate_uncles(const struct chain_config *cfg, const struct block *b,
                                 const struct validate_ancestry *anc, char *why, size_t why_len);

/* What executing a block's transactions produced (all valid). */
struct block_outcome {
    uint64_t gas_used;
    hash32 receipts_root;
    const uint8_t *logs_bloom; /* 256 bytes */
    hash32 state_root;
    uint64_t blob_gas_used;
    hash32 requests_hash; /* Prague on (EIP-7685) */
    hash32 bal_hash;      /* Amsterdam (EIP-7928): the executed block's access list */
};

/* The header against the execution, in the order of the execution specs
 * (Cancun state_transition): gas used, transactions root, state root,
 * receipts root, logs bloom, withdrawals root, from Cancun the blob
 * gas used (EIP-4844: also at most block_max_blob_gas of the fork),
 * from Prague the requests hash (EIP-7685), and in Amsterdam the block
 * access list hash (EIP-7928). */
enum block_error validate_outcome(const struct chain_config *cfg, const struct block *b,
                                  const struct block_digest *d, const struct block_outcome *o, char *why,
                                  size_t why_len);

/* ---- formulas ---- */

/* EIP-1559: the base fee of the block after `parent` (a London block). */
u256 validate_next_base_fee(const struct block_header *parent);

/* EIP-4844: excess blob gas of a block in fork f after `parent` (in
 * parent_fork), with f's blob target (EIP-7691, EIP-7892); pre-Cancun
 * parents count as zero excess and zero use. From Osaka, EIP-7918: when
 * validate_blob_reserve_binds, the excess grows by
 * used * (max - target) / max instead of losing the target. */
uint64_t validate_next_excess_blob_gas(const struct block_header *parent, enum fork parent_fork, enum fork f);
/* EIP-7918's condition: BLOB_BASE_COST * parent base fee > GAS_PER_BLOB *
 * the blob base fee of the parent's excess under fork f's schedule. */
bool validate_blob_reserve_binds(const struct block_header *parent, enum fork f);

/* Blocks the difficulty bomb is pushed back by under fork f at block
 * `number` (EIP-649 Byzantium 3M, EIP-1234 Constantinople 5M, EIP-2384
 * Muir Glacier 9M (Berlin in single-fork chains), EIP-3554 London 9.7M),
 * or more where one of cfg's bomb-only forks (cfg->bomb_delays: Muir,
 * Arrow, Gray Glacier on the mainnet schedule or by network name) is
 * active at `number`. 0 before Byzantium. cfg may be NULL. */
uint64_t validate_bomb_delay(const struct chain_config *cfg, enum fork f, uint64_t number);

/* Proof-of-work difficulty of a block at (number, timestamp) over parent:
 * Frontier (+-parent/2048 by a 13 s threshold), Homestead (EIP-2),
 * Byzantium on (EIP-100: uncles count, bomb delayed by bomb_delay), never
 * below MINIMUM_DIFFICULTY before the bomb term is added. */
u256 validate_pow_difficulty(enum fork f, const struct block_header *parent, uint64_t number, uint64_t timestamp,
                             uint64_t bomb_delay);

#endif
