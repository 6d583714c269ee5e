/*
 * world — the in-memory world state: accounts (balance, nonce, code,
 * storage). The sequential executor reads it through a state_view and
 * applies each transaction's write set to it in order.
 */
#ifndef PAREVM_STATE_WORLD_H
#define PAREVM_STATE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/hashmap.h"
#include "../base/types.h"
#include "../base/u256.h"
#include "code.h"

struct world_account {
    address addr;
    u256 balance;
    uint64_t nonce;
    struct code *code;   /* never NULL: code_empty() when none */
    struct hmap storage; /* u256 key -> u256 value; zero values are removed */
};

struct world {
    struct hmap accounts; /* address -> struct world_account * */
};

void world_init(struct world *w);
void world_free(struct world *w);
/* Deep copy (code objects are shared). PAREVM_ERR_NOMEM on failure. */
int world_clone(const struct world *src, struct world *dst);

/* NULL when the account does not exist. */
struct world_account *world_get(const struct world *w, const address *a);
/* Existing or newly created (zero) account; NULL on ENOMEM. */
struct world_account *world_get_or_create(struct world *w, const address *a);
void world_delete(struct world *w, const address *a);

/* Storage: absent slots read as zero; writing zero removes the slot. */
u256 world_get_storage(const struct world_account *acct, const u256 *key);
int world_set_storage(struct world_account *acct, const u256 *key, const u256 *value);
/* Replace the account's code (retains c). */
void world_set_code(struct world_account *acct, struct code *c);

/* The state root: secure MPT of rlp([nonce, balance, storage_root,
 * code_hash]) keyed by keccak(address). */
int world_state_root(const struct world *w, hash32 *out);
/* Storage root of one account. */
int world_storage_root(const struct world_account *acct, hash32 *out);

/* An account is empty (EIP-161) when nonce = 0, balance = 0, no code. */
static inline bool world_account_is_empty(const struct world_account *a)
{
    return a->nonce == 0 && u256_is_zero(&a->balance) && a->code->len == 0;
}

#endif
