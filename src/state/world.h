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

struct world_lazy;
struct world_lazy_account;

struct world_account {
    address addr;
    u256 balance;
    uint64_t nonce;
    struct code *code;   /* never NULL: code_empty() when none */
    struct hmap storage; /* u256 key -> u256 value; zero values are removed */
    /* NULL: storage holds every slot. Otherwise the account came from the
     * world's source and a slot not in storage is read from there. */
    struct world_lazy_account *lazy;
};

struct world {
    struct hmap accounts;    /* address -> struct world_account * */
    struct world_lazy *lazy; /* NULL: no source (the world is all there is) */
};

void world_init(struct world *w);
void world_free(struct world *w);
/* Deep copy (code objects are shared). PAREVM_ERR_NOMEM on failure. Of a
 * world with a source, only what it has cached (the copy has no source). */
int world_clone(const struct world *src, struct world *dst);

/* ---- a world in front of a source ----
 *
 * A world with a source is a cache of someone else's state (a host's
 * database behind the public state provider, include/parevm.h): an
 * account or slot it does not hold is asked of the source on first use
 * and kept, absent accounts and zero slots included, so that the source
 * is asked at most once per location and the block's own deletions and
 * zero writes are never undone by a second look. Everything below reads
 * and writes it like any world; the executors need not know.
 *
 * A source call that fails cannot be reported where it happens
 * (world_get has no error channel): the account or slot then reads as
 * absent / zero, and the first error is kept for world_source_error,
 * which the caller must check after the block (the result is void if
 * it is set).
 *
 * Thread-safety: lookups and loads take the world's lock, so the
 * parallel executor's workers may read the pre-block world concurrently;
 * writes happen where they happen in any world (one thread). */
struct world_source {
    /* Account a: *exists false when absent. Otherwise *balance, *nonce,
     * *code (a new reference the world takes over; never NULL) and
     * *has_storage (any non-zero slot). Returns PAREVM_OK or an error. */
    int (*account)(void *arg, const address *a, bool *exists, u256 *balance, uint64_t *nonce,
                   struct code **code, bool *has_storage);
    /* Slot key of account a (zero when absent). */
    int (*storage)(void *arg, const address *a, const u256 *key, u256 *out);
    void *arg;
};
/* An empty world in front of src (copied). PAREVM_ERR_NOMEM. */
int world_init_source(struct world *w, const struct world_source *src);
/* The first error a source call returned (PAREVM_OK: none). */
int world_source_error(const struct world *w);
/* Empty an account's storage: every slot is zero from now on, the
 * source's included (SELFDESTRUCT, re-creation). */
void world_clear_storage(struct world_account *acct);

/* NULL when the account does not exist. */
struct world_account *world_get(const struct world *w, const address *a);
/* A hint: start loading what world_get(w, a) reads first (nothing for a
 * world with a source, whose look-ups lock). */
void world_prefetch(const struct world *w, const address *a);
/* The second step, once world_prefetch's line has arrived: find the
 * account (a look-up that then hits the cache) and start loading its
 * record. Nothing for a world with a source, or an absent account. */
void world_prefetch_account(const struct world *w, const address *a);
/* A hint: start loading where acct's storage keeps key (a write or read
 * of it soon after then hits the cache). */
void world_prefetch_storage(const struct world_account *acct, const u256 *key);
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

/* Whether the account has a non-zero slot (EIP-7610 collisions). An
 * account from a source that said it has storage counts as having it
 * until its storage is cleared: its slots cannot be enumerated, and only
 * an account with code (or a nonce, which already collides) can zero
 * them one by one. */
static inline bool world_account_has_storage(const struct world_account *a)
{
    return a->storage.count > 0 || a->lazy != NULL;
}

/* An account is empty (EIP-161) when nonce = 0, balance = 0, no code. */
static inline bool world_account_is_empty(const struct world_account *a)
{
    return a->nonce == 0 && u256_is_zero(&a->balance) && a->code->len == 0;
}

#endif
