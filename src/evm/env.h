/* The block and transaction context the EVM reads through COINBASE,
 * NUMBER, BASEFEE, ORIGIN, GASPRICE, BLOBHASH and friends. */
#ifndef PAREVM_EVM_ENV_H
#define PAREVM_EVM_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "fork.h"

struct block_env {
    enum fork fork;
    uint64_t chain_id;
    address coinbase;
    uint64_t number;
    uint64_t timestamp;
    uint64_t gas_limit;
    u256 difficulty;       /* pre-Merge DIFFICULTY */
    hash32 prev_randao;    /* Paris on: PREVRANDAO (replaces DIFFICULTY) */
    u256 base_fee;         /* London on (EIP-1559) */
    uint64_t excess_blob_gas; /* Cancun on (EIP-4844) */
    u256 blob_base_fee;    /* derived from excess_blob_gas (EIP-4844) */
    uint64_t slot_number;  /* Amsterdam on: SLOTNUM (EIP-7843) */
    /* BLOCKHASH source: the hash of block `number` (< this block), or
     * PAREVM_ERR_MISSING. NULL: every lookup is missing. */
    int (*block_hash)(void *arg, uint64_t number, hash32 *out);
    void *block_hash_arg;
};

struct tx_env {
    address origin;
    u256 gas_price;          /* effective gas price */
    const hash32 *blob_hashes; /* EIP-4844 BLOBHASH */
    size_t blob_hash_count;
};

/* Blob base fee of a block in fork f: EIP-4844 fake_exponential(1,
 * excess, update fraction), with the fork's update fraction (3338477
 * Cancun, EIP-7691 5007716 Prague and Osaka, EIP-7892 BPO schedules;
 * fork_blob_params). Forks before Cancun use Cancun's. */
u256 block_env_blob_base_fee(enum fork f, uint64_t excess_blob_gas);

#endif
