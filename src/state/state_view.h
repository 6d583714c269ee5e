/*
 * state_view — the EVM's only window onto state. The sequential executor
 * implements it over the world state; the parallel executor over the
 * multi-version memory, recording every read for validation. Each
 * function reads one location kind, so a reader depends only on what it
 * actually looked at.
 */
#ifndef PAREVM_STATE_STATE_VIEW_H
#define PAREVM_STATE_STATE_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "code.h"
#include "lazy.h"

struct state_view_ops {
    /* Balance (zero for an absent account). */
    int (*balance)(void *ctx, const address *a, u256 *out);
    /* Nonce and existence: an account exists when it is in the state,
     * even if empty (matters before EIP-161). */
    int (*nonce)(void *ctx, const address *a, uint64_t *nonce, bool *exists);
    /* Code; *out is borrowed, valid for the whole block (never NULL). */
    int (*code)(void *ctx, const address *a, struct code **out);
    /* Storage slot (zero when absent). */
    int (*storage)(void *ctx, const address *a, const u256 *key, u256 *out);
    /* Whether the account has any non-zero storage (EIP-7610 collision). */
    int (*has_storage)(void *ctx, const address *a, bool *out);
    /* Hash of block `number`; PAREVM_ERR_MISSING when not supplied. */
    int (*block_hash)(void *ctx, uint64_t number, hash32 *out);
    /* Lazy storage reads (lazy.h); NULL: every read is exact. */
    const struct lazy_view_ops *lazy;
};

struct state_view {
    const struct state_view_ops *ops;
    void *ctx;
};

/* A view over a world (sequential execution). Block hashes come from
 * lookup (may be NULL: then every BLOCKHASH is PAREVM_ERR_MISSING). */
struct world;
struct world_view {
    struct world *world;
    int (*block_hash)(void *arg, uint64_t number, hash32 *out);
    void *block_hash_arg;
};
struct state_view world_view_make(struct world_view *wv);

#endif
