/* world_view.c — state_view over the in-memory world (sequential path). */
#include <stdlib.h>

#include "state_view.h"
#include "world.h"

static int wv_balance(void *ctx, const address *a, u256 *out)
{
    struct world_view *wv = ctx;
    const struct world_account *acct = world_get(wv->world, a);
    *out = acct ? acct->balance : u256_zero();
    return PAREVM_OK;
}

static int wv_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct world_view *wv = ctx;
    const struct world_account *acct = world_get(wv->world, a);
    *nonce = acct ? acct->nonce : 0;
    *exists = acct != NULL;
    return PAREVM_OK;
}

static int wv_code(void *ctx, const address *a, struct code **out)
{
    struct world_view *wv = ctx;
    const struct world_account *acct = world_get(wv->world, a);
    *out = acct ? acct->code : code_empty();
    return PAREVM_OK;
}

static int wv_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct world_view *wv = ctx;
    const struct world_account *acct = world_get(wv->world, a);
    *out = acct ? world_get_storage(acct, key) : u256_zero();
    return PAREVM_OK;
}

static int wv_has_storage(void *ctx, const address *a, bool *out)
{
    struct world_view *wv = ctx;
    const struct world_account *acct = world_get(wv->world, a);
    *out = acct && world_account_has_storage(acct);
    return PAREVM_OK;
}

static int wv_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    struct world_view *wv = ctx;
    if (!wv->block_hash)
        return PAREVM_ERR_MISSING;
    return wv->block_hash(wv->block_hash_arg, number, out);
}

static const struct state_view_ops world_view_ops = {
    .balance = wv_balance,
    .nonce = wv_nonce,
    .code = wv_code,
    .storage = wv_storage,
    .has_storage = wv_has_storage,
    .block_hash = wv_block_hash,
};

struct state_view world_view_make(struct world_view *wv)
{
    struct state_view v = {&world_view_ops, wv};
    return v;
}
