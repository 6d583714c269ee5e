/*
 * write_set — what a finished transaction changed, location by location.
 * Balance credits to accounts the transaction never read are deltas
 * (commutative: they add no read dependency in parallel execution).
 */
#ifndef PAREVM_STATE_WRITE_SET_H
#define PAREVM_STATE_WRITE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "code.h"

enum ws_flags {
    WS_BALANCE = 1 << 0,       /* balance = .balance */
    WS_BALANCE_DELTA = 1 << 1, /* balance += .delta (balance not read) */
    WS_NONCE = 1 << 2,         /* nonce = .nonce (and the account exists) */
    WS_CODE = 1 << 3,          /* code = .code */
    WS_CLEAR_STORAGE = 1 << 4, /* all prior storage dropped (destroyed or re-created) */
    WS_DELETE = 1 << 5,        /* account removed (self-destruct, EIP-161) */
    WS_CREATE = 1 << 6         /* account exists after the tx (even if empty) */
};

struct ws_account {
    address addr;
    uint32_t flags;
    u256 balance;
    u256 delta;
    uint64_t nonce;
    struct code *code; /* retained when WS_CODE */
};

struct ws_slot {
    address addr;
    u256 key;
    u256 value; /* the new value; with delta, what to add to the old one */
    bool delta; /* only from a lazy read (state/lazy.h); never after a clear */
};

struct write_set {
    struct ws_account *accounts;
    size_t account_count, account_cap;
    struct ws_slot *slots;
    size_t slot_count, slot_cap;
};

void write_set_init(struct write_set *ws);
void write_set_reset(struct write_set *ws); /* empty, keep memory (releases code refs) */
void write_set_free(struct write_set *ws);
struct ws_account *write_set_add_account(struct write_set *ws, const address *a);
int write_set_add_slot(struct write_set *ws, const address *a, const u256 *key, const u256 *value);
/* A slot written as its old value plus delta (mod 2^256). */
int write_set_add_slot_delta(struct write_set *ws, const address *a, const u256 *key, const u256 *delta);

/* Apply to a world: for each account, delete / clear storage first, then
 * fields, then slots. Slot deltas are not taken: the executor that makes
 * them resolves them to values before a write set leaves it.
 * Atomic: PAREVM_ERR_NOMEM leaves the world exactly as
 * it was (all allocation happens before the first change). */
struct world;
int write_set_apply(const struct write_set *ws, struct world *w);

/* What a caller sees of the world just before write_set_apply_observed
 * changes it (an undo log): `account` once per account entry, `slot`
 * once per slot entry, in order, each with the entry's account as it is
 * (NULL: absent). An error they return ends the application with the
 * world unchanged. */
struct world_account;
struct ws_observer {
    int (*account)(void *arg, const struct ws_account *wa, const struct world_account *before);
    int (*slot)(void *arg, const struct ws_slot *s, const struct world_account *before);
    void *arg;
};
/* write_set_apply, showing obs (may be NULL) the world before it. */
int write_set_apply_observed(const struct write_set *ws, struct world *w, const struct ws_observer *obs);

/* One account entry wa (not WS_DELETE) applied to acct, the world's
 * existing record of wa's address, which the caller already holds (no
 * look-up): obs (may be NULL) sees it first. Fails only as the observer
 * does, and then changes nothing. */
int write_set_apply_account(const struct ws_account *wa, struct world_account *acct,
                            const struct ws_observer *obs);

#endif
