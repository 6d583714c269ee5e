/* write_set.c — growable arrays of account and slot writes, and their
 * application to a world (the sequential commit). */
#include "write_set.h"

#include <stdlib.h>
#include <string.h>

#include "world.h"

void write_set_init(struct write_set *ws) { memset(ws, 0, sizeof *ws); }

void write_set_reset(struct write_set *ws)
{
    for (size_t i = 0; i < ws->account_count; i++)
        if (ws->accounts[i].flags & WS_CODE)
            code_release(ws->accounts[i].code);
    ws->account_count = 0;
    ws->slot_count = 0;
}

void write_set_free(struct write_set *ws)
{
    write_set_reset(ws);
    free(ws->accounts);
    free(ws->slots);
    memset(ws, 0, sizeof *ws);
}

struct ws_account *write_set_add_account(struct write_set *ws, const address *a)
{
    if (ws->account_count == ws->account_cap) {
        size_t cap = ws->account_cap ? ws->account_cap * 2 : 4;
        struct ws_account *arr = realloc(ws->accounts, cap * sizeof *arr);
        if (!arr)
            return NULL;
        ws->accounts = arr;
        ws->account_cap = cap;
    }
    struct ws_account *w = &ws->accounts[ws->account_count++];
    memset(w, 0, sizeof *w);
    w->addr = *a;
    return w;
}

int write_set_add_slot(struct write_set *ws, const address *a, const u256 *key, const u256 *value)
{
    if (ws->slot_count == ws->slot_cap) {
        size_t cap = ws->slot_cap ? ws->slot_cap * 2 : 4;
        struct ws_slot *arr = realloc(ws->slots, cap * sizeof *arr);
        if (!arr)
            return PAREVM_ERR_NOMEM;
        ws->slots = arr;
        ws->slot_cap = cap;
    }
    struct ws_slot *s = &ws->slots[ws->slot_count++];
    s->addr = *a;
    s->key = *key;
    s->value = *value;
    return PAREVM_OK;
}

int write_set_apply(const struct write_set *ws, struct world *w)
{
    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        if (wa->flags & WS_DELETE) {
            world_delete(w, &wa->addr);
            continue;
        }
        struct world_account *acct = world_get_or_create(w, &wa->addr);
        if (!acct)
            return PAREVM_ERR_NOMEM;
        if (wa->flags & WS_CLEAR_STORAGE)
            hmap_clear(&acct->storage);
        if (wa->flags & WS_BALANCE)
            acct->balance = wa->balance;
        if (wa->flags & WS_BALANCE_DELTA)
            acct->balance = u256_add(&acct->balance, &wa->delta);
        if (wa->flags & WS_NONCE)
            acct->nonce = wa->nonce;
        if (wa->flags & WS_CODE)
            world_set_code(acct, wa->code);
    }
    for (size_t i = 0; i < ws->slot_count; i++) {
        const struct ws_slot *s = &ws->slots[i];
        struct world_account *acct = world_get_or_create(w, &s->addr);
        if (!acct)
            return PAREVM_ERR_NOMEM;
        int err = world_set_storage(acct, &s->key, &s->value);
        if (err)
            return err;
    }
    return PAREVM_OK;
}
