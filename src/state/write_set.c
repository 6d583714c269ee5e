/* write_set.c — growable arrays of account and slot writes, and their
 * application to a world (the sequential commit). */
#include "write_set.h"

#include <stdlib.h>
#include <string.h>

#include "world.h"

void write_set_init(struct write_set *ws)
{
    memset(ws, 0, sizeof *ws);
}

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

/* Reset an account in place to what a delete followed by a re-create gives:
 * no balance, nonce, code or storage. Never allocates. */
static void account_reset(struct world_account *acct)
{
    acct->balance = u256_zero();
    acct->nonce = 0;
    world_set_code(acct, code_empty());
    world_clear_storage(acct);
}

/*
 * Two phases. Prepare (may fail, changes nothing the world shows): count
 * the slot writes per address, create the accounts the write set needs, and
 * reserve room in the account map and in every touched storage map so that
 * no later insert allocates. Apply (cannot fail): deletes, fields, slots.
 * On PAREVM_ERR_NOMEM the accounts created by prepare are deleted again, so
 * the world (and its root) is exactly as before the call.
 */
int write_set_apply(const struct write_set *ws, struct world *w)
{
    struct hmap need; /* address -> size_t slot writes; every live account after */
    hmap_init(&need, sizeof(address), sizeof(size_t));
    address *created = NULL;
    size_t created_count = 0;
    for (size_t i = 0; i < ws->slot_count; i++) {
        size_t *n = hmap_put(&need, &ws->slots[i].addr, NULL);
        if (!n)
            goto nomem;
        (*n)++;
    }
    for (size_t i = 0; i < ws->account_count; i++)
        if (!(ws->accounts[i].flags & WS_DELETE) && !hmap_put(&need, &ws->accounts[i].addr, NULL))
            goto nomem;
    if (need.count) {
        created = malloc(need.count * sizeof *created);
        if (!created)
            goto nomem;
    }
    if (hmap_reserve(&w->accounts, need.count))
        goto nomem;
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(&need, &it, &key, &val)) {
        const address *a = key;
        struct world_account *acct = world_get(w, a);
        if (!acct) {
            acct = world_get_or_create(w, a);
            if (!acct)
                goto nomem;
            created[created_count++] = *a;
        }
        if (hmap_reserve(&acct->storage, *(const size_t *)val))
            goto nomem;
    }

    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        struct world_account *acct = world_get(w, &wa->addr);
        if (wa->flags & WS_DELETE) {
            /* An address the write set still writes to is reset in place
             * (delete + re-create) so its reserved storage stays. */
            if (acct && hmap_get(&need, &wa->addr))
                account_reset(acct);
            else
                world_delete(w, &wa->addr);
            continue;
        }
        if (wa->flags & WS_CLEAR_STORAGE)
            world_clear_storage(acct);
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
        /* Reserved above: cannot fail. */
        int err = world_set_storage(world_get(w, &s->addr), &s->key, &s->value);
        (void)err;
    }
    hmap_free(&need);
    free(created);
    return PAREVM_OK;
nomem:
    for (size_t i = 0; i < created_count; i++)
        world_delete(w, &created[i]);
    hmap_free(&need);
    free(created);
    return PAREVM_ERR_NOMEM;
}
