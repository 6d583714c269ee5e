/*
 * bal — block-level access lists (EIP-7928), built from a sequential run.
 *
 * A block access list names every account the block accessed and, per
 * account: its storage changes (slot -> [(index, post-value)]), the slots
 * it only read, and its balance, nonce and code changes (index,
 * post-value). The index is 0 for the system calls before the
 * transactions, 1..n for the transactions, n+1 for what follows them
 * (rewards, withdrawals, the EIP-7002/7251 system calls). docs/bal.md
 * says which spec text this follows and where parevm's recording is an
 * approximation.
 *
 * The executor feeds it one unit at a time (bal_record: a write set
 * about to be applied and the journal that made it); bal_finish sorts
 * and settles it; then it can be encoded (RLP, the hash of which is the
 * header's block_access_list_hash), written as JSON, or measured.
 */
#ifndef PAREVM_EXEC_BAL_H
#define PAREVM_EXEC_BAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../base/buf.h"
#include "../base/hashmap.h"
#include "../base/types.h"
#include "../base/u256.h"
#include "../state/code.h"
#include "../state/journal.h"
#include "../state/world.h"
#include "../state/write_set.h"

/* EIP-7928 size cap: storage keys + addresses <= gas_limit / BAL_ITEM_COST. */
#define BAL_ITEM_COST 2000

struct bal_slot_change {
    u256 key;
    uint32_t index;
    u256 value;
};

struct bal_change { /* a balance or a nonce after block access index `index` */
    uint32_t index;
    u256 value;
};

struct bal_code_change {
    uint32_t index;
    struct code *code; /* retained */
};

struct bal_account {
    address addr;
    struct bal_slot_change *writes; /* after bal_finish: by (key, index) */
    size_t write_count, write_cap;
    u256 *reads; /* after bal_finish: sorted, unique, none also written */
    size_t read_count, read_cap;
    struct bal_change *balances, *nonces; /* by index */
    size_t balance_count, balance_cap, nonce_count, nonce_cap;
    struct bal_code_change *codes;
    size_t code_count, code_cap;
};

struct bal_pre_balance {
    address addr;
    u256 balance;
};

struct bal {
    struct hmap index;            /* address -> uint32 index into accounts */
    struct bal_account *accounts; /* after bal_finish: by address */
    size_t account_count, account_cap;
    bool finished;
    /* bal_post_begin's snapshot of the post-transaction credits' targets */
    struct bal_pre_balance *pre;
    size_t pre_count, pre_cap;
};

void bal_init(struct bal *b);
void bal_free(struct bal *b);

/* One unit at block access index `index`: ws, the writes about to be
 * applied to w (w holds the state before them), and j, the journal that
 * produced ws (its accesses: journal_each_access; NULL for none).
 * Balances, nonces and code are recorded only where the post-value
 * differs from w's; a slot whose post-value equals w's is a read; an
 * account deleted by ws (self-destruct, EIP-161) keeps only a balance
 * change to zero, and its accessed slots are reads. PAREVM_ERR_NOMEM;
 * PAREVM_ERR_ARG once finished. */
int bal_record(struct bal *b, uint32_t index, const struct write_set *ws, const struct journal *j,
               const struct world *w);

/* A journal_access_fn (arg: the struct bal) adding one accessed account
 * or slot (a read, unless bal_record writes it): for
 * transition_apply_recorded, which delivers a transaction's accesses on
 * the thread that ran it; then bal_record(..., j NULL, ...) its writes. */
int bal_on_access(void *bal, const address *a, const u256 *slot);

/* Rewards and withdrawals (applied to the world directly, not through a
 * write set): bal_post_begin before them snapshots the balances of the
 * accounts they credit (coinbase and ommers' coinbases when `rewards`,
 * every withdrawal's recipient, even of zero), bal_post_end after them
 * includes those accounts and records a balance change at `index` for
 * each whose balance moved. */
struct block;
int bal_post_begin(struct bal *b, const struct block *blk, bool rewards, const struct world *w);
int bal_post_end(struct bal *b, uint32_t index, const struct world *w);

/* Sort accounts, slots and changes into the EIP's order and drop reads
 * of slots that are written. Idempotent. */
int bal_finish(struct bal *b);

/* RLP of the finished list (appended to out) and its keccak-256, the
 * header's block_access_list_hash. An empty list is 0xc0. */
int bal_encode(const struct bal *b, struct bytebuf *out);
int bal_hash(const struct bal *b, hash32 *out);

/* The finished list as JSON (the execution-spec-tests fixture field
 * names: address, storageChanges [{slot, slotChanges [{blockAccessIndex,
 * postValue}]}], storageReads, balanceChanges, nonceChanges,
 * codeChanges; quantities as minimal 0x hex). PAREVM_ERR_IO. */
int bal_write_json(const struct bal *b, FILE *f);

/* Decode an RLP access list (bal_encode's form) into b (bal_init'ed,
 * empty), finished. Strict: canonical RLP, the EIP's order and
 * uniqueness (accounts, slots, reads, indices ascending; no slot both
 * changed and read; no empty slot change list); PAREVM_ERR_RLP with
 * the reason in why[0..why_len), or PAREVM_ERR_NOMEM. */
int bal_decode(const uint8_t *data, size_t len, struct bal *b, char *why, size_t why_len);

/* Compare two finished lists: true when they are identical; otherwise
 * false and why names the first difference in the EIP's order (account,
 * then storage changes, reads, balance, nonce, code), with the slot,
 * index and both values ("expected" is a, "computed" is b). */
bool bal_equal(const struct bal *a, const struct bal *b, char *why, size_t why_len);

struct bal_size {
    size_t accounts;     /* addresses */
    size_t storage_keys; /* slots written or read, over all accounts */
    size_t slot_writes;  /* (slot, index) changes */
    size_t balance_changes, nonce_changes, code_changes;
    size_t items; /* EIP-7928: storage_keys + accounts */
};
void bal_measure(const struct bal *b, struct bal_size *out);
/* The EIP-7928 cap on items for a block of this gas limit. */
static inline uint64_t bal_item_cap(uint64_t gas_limit)
{
    return gas_limit / BAL_ITEM_COST;
}

#endif
