/*
 * exec — executes a whole block against a world: block-level rules
 * (chain/block.h) around the transactions, which run sequentially
 * (exec_block_sequential) or in parallel (exec/parallel.h). Both produce
 * the same block_result, byte for byte.
 */
#ifndef PAREVM_EXEC_EXEC_H
#define PAREVM_EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../chain/block.h"
#include "../state/world.h"

/* BLOCKHASH source for a block: hashes by number. A missing needed hash
 * is an error (PAREVM_ERR_MISSING), never a silent zero. */
struct block_hashes {
    uint64_t *numbers;
    hash32 *hashes;
    size_t count;
};
int block_hashes_lookup(void *arg /* struct block_hashes * */, uint64_t number, hash32 *out);

struct block_result {
    struct receipt *receipts; /* one per transaction, owned */
    size_t receipt_count;
    uint64_t gas_used;
    uint64_t blob_gas_used;
    uint8_t logs_bloom[256];
    hash32 receipts_root;
    /* An invalid transaction makes the block invalid: index and reason. */
    bool invalid;
    size_t invalid_tx;
    enum tx_error invalid_reason;
    char invalid_message[160]; /* block-level reasons (e.g. gas used mismatch) */
};

void block_result_free(struct block_result *r);

/* Execute block b on world w (mutated in place; on an invalid block the
 * world is left as it was before the block). Returns PAREVM_OK (then
 * check r->invalid) or an internal error. */
int exec_block_sequential(const struct chain_config *cfg, const struct block *b, struct world *w,
                          const struct block_hashes *hashes, struct block_result *r);

/* Compare two results field by field; true when identical. */
bool block_result_equal(const struct block_result *a, const struct block_result *b);

#endif
