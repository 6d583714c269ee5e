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
    s->delta = false;
    return PAREVM_OK;
}

int write_set_add_slot_delta(struct write_set *ws, const address *a, const u256 *key, const u256 *delta)
{
    int err = write_set_add_slot(ws, a, key, delta);
    if (!err)
        ws->slots[ws->slot_count - 1].delta = true;
    return err;
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

/* An account entry other than a delete, on its (existing) account. */
static void apply_fields(struct world_account *acct, const struct ws_account *wa)
{
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

/* ---- small write sets (nearly every transaction's) ----
 *
 * Up to WS_SMALL_ADDRS distinct addresses and WS_SMALL_ENTRIES entries:
 * no map of them, and each account looked up once, for the observer and
 * the writes alike (the general path below looks each one up three
 * times). */
#define WS_SMALL_ADDRS 16
#define WS_SMALL_ENTRIES 64 /* account and slot entries */
struct ws_addr {
    address a;
    struct world_account *acct; /* NULL: absent (until created) */
    size_t slots;               /* slot writes to it */
    bool needed;                /* slots, or an account entry that is not a delete */
};

/* The entry for a, added if new; NULL when the table is full. */
static struct ws_addr *small_find(struct ws_addr *t, size_t *n, const address *a)
{
    for (size_t i = *n; i-- > 0;)
        if (address_eq(&t[i].a, a))
            return &t[i];
    if (*n == WS_SMALL_ADDRS)
        return NULL;
    struct ws_addr *e = &t[(*n)++];
    e->a = *a;
    e->acct = NULL;
    e->slots = 0;
    e->needed = false;
    return e;
}

/* write_set_apply_observed for a write set of few addresses; *too_many:
 * it has more (nothing done: the caller takes the general path). */
static int apply_small(const struct write_set *ws, struct world *w, const struct ws_observer *obs, bool *too_many)
{
    *too_many = true;
    if (ws->account_count + ws->slot_count > WS_SMALL_ENTRIES)
        return PAREVM_OK;
    struct ws_addr t[WS_SMALL_ADDRS];
    size_t n = 0;
    /* each entry's address: t[at[i]] for account i, t[at[accounts + i]]
     * for slot i */
    uint8_t at[WS_SMALL_ENTRIES];
    const size_t slot_at = ws->account_count;
    for (size_t i = 0; i < ws->account_count; i++) {
        struct ws_addr *e = small_find(t, &n, &ws->accounts[i].addr);
        if (!e)
            return PAREVM_OK;
        if (!(ws->accounts[i].flags & WS_DELETE))
            e->needed = true;
        at[i] = (uint8_t)(e - t);
    }
    for (size_t i = 0; i < ws->slot_count; i++) {
        struct ws_addr *e = small_find(t, &n, &ws->slots[i].addr);
        if (!e)
            return PAREVM_OK;
        e->slots++;
        e->needed = true;
        at[slot_at + i] = (uint8_t)(e - t);
    }
    *too_many = false;
    size_t needed = 0;
    for (size_t i = 0; i < n; i++) {
        t[i].acct = world_get(w, &t[i].a);
        needed += t[i].needed;
    }
    if (obs) {
        for (size_t i = 0; i < ws->account_count; i++) {
            int err = obs->account(obs->arg, &ws->accounts[i], t[at[i]].acct);
            if (err)
                return err;
        }
        for (size_t i = 0; i < ws->slot_count; i++) {
            int err = obs->slot(obs->arg, &ws->slots[i], t[at[slot_at + i]].acct);
            if (err)
                return err;
        }
    }
    /* Prepare: create what is needed and absent, reserve storage. */
    if (needed && hmap_reserve(&w->accounts, needed))
        return PAREVM_ERR_NOMEM;
    bool created[WS_SMALL_ADDRS] = {false};
    for (size_t i = 0; i < n; i++) {
        if (!t[i].needed)
            continue;
        if (!t[i].acct) {
            if (!(t[i].acct = world_get_or_create(w, &t[i].a)))
                goto nomem;
            created[i] = true;
        }
        if (t[i].slots && hmap_reserve(&t[i].acct->storage, t[i].slots))
            goto nomem;
    }
    /* Apply: cannot fail. */
    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        struct ws_addr *e = &t[at[i]];
        struct world_account *acct = e->acct;
        if (wa->flags & WS_DELETE) {
            /* An address the write set still writes to is reset in place
             * (delete + re-create) so its reserved storage stays. */
            if (acct && e->needed) {
                account_reset(acct);
            } else if (acct) {
                world_delete(w, &wa->addr);
                e->acct = NULL;
            }
            continue;
        }
        apply_fields(acct, wa);
    }
    for (size_t i = 0; i < ws->slot_count; i++) {
        const struct ws_slot *s = &ws->slots[i];
        /* Reserved above: cannot fail. */
        int err = world_set_storage(t[at[slot_at + i]].acct, &s->key, &s->value);
        (void)err;
    }
    return PAREVM_OK;
nomem:
    for (size_t i = 0; i < n; i++)
        if (created[i])
            world_delete(w, &t[i].a);
    return PAREVM_ERR_NOMEM;
}

int write_set_apply_account(const struct ws_account *wa, struct world_account *acct,
                            const struct ws_observer *obs)
{
    if (wa->flags & WS_DELETE)
        return PAREVM_ERR_ARG;
    int err = obs ? obs->account(obs->arg, wa, acct) : PAREVM_OK;
    if (!err)
        apply_fields(acct, wa);
    return err;
}

int write_set_apply(const struct write_set *ws, struct world *w)
{
    return write_set_apply_observed(ws, w, NULL);
}

/*
 * Two phases on either path (small write sets above, the general one
 * below). Prepare (may fail, changes nothing the world shows): count the
 * slot writes per address, create the accounts the write set needs, and
 * reserve room in the account map and in every touched storage map so
 * that no later insert allocates. Apply (cannot fail): deletes, fields,
 * slots. On PAREVM_ERR_NOMEM the accounts created by prepare are deleted
 * again, so the world (and its root) is exactly as before the call. The
 * observer sees every entry before the first change.
 */
int write_set_apply_observed(const struct write_set *ws, struct world *w, const struct ws_observer *obs)
{
    bool too_many;
    int err = apply_small(ws, w, obs, &too_many);
    if (!too_many)
        return err;
    for (size_t i = 0; obs && i < ws->account_count && !err; i++)
        err = obs->account(obs->arg, &ws->accounts[i], world_get(w, &ws->accounts[i].addr));
    for (size_t i = 0; obs && i < ws->slot_count && !err; i++)
        err = obs->slot(obs->arg, &ws->slots[i], world_get(w, &ws->slots[i].addr));
    if (err)
        return err;
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
        apply_fields(acct, wa);
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
