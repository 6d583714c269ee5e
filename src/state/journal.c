/*
 * journal.c — per-transaction state overlay with an undo log.
 *
 * Cached fields loaded from the view (base_*) are never undone: loading is
 * not a change. Every change records the old value of exactly the field it
 * modifies, so a revert cannot clobber a field loaded after the checkpoint.
 */
#include "journal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../base/invariant.h"

enum {
    LOADED_BALANCE = 1,
    LOADED_NONCE = 2, /* nonce and existence */
    LOADED_CODE = 4
};

enum {
    AF_TOUCHED = 1,    /* EIP-161 touch */
    AF_CREATED = 2,    /* created in this tx: prior storage dropped */
    AF_DESTRUCTED = 4, /* SELFDESTRUCT executed */
    AF_EXISTS = 8,     /* brought into existence in this tx */
    AF_WARM = 16       /* EIP-2929 */
};

struct journal_account {
    address addr;
    uint8_t loaded;
    uint8_t flags;
    bool base_exists;
    bool code_set;
    bool touch_permanent;
    /* EIP-7928: read or written in this transaction (not merely warmed);
     * never undone, since a reverted access is still an access. */
    bool accessed;
    u256 base_balance;
    u256 delta; /* balance = base_balance + delta (mod 2^256) */
    uint64_t base_nonce;
    uint64_t nonce;
    struct code *base_code; /* borrowed from the view */
    struct code *code;      /* == base_code unless code_set (then retained) */
};

struct journal_slot {
    address addr;
    u256 key;
    struct journal_account *acct;
    u256 view_value; /* value in the view (start of tx), when loaded */
    u256 current;    /* valid when has_current */
    /* The lazy read (state/lazy.h) that loaded view_value (0: exact), and
     * whether the current value is that read's plus a constant. */
    uint32_t lazy;
    bool derived;
    bool loaded;
    bool has_current;
    bool warm;
    bool accessed; /* EIP-7928: SLOAD or SSTORE reached it (sticky) */
};

enum undo_kind { U_DELTA, U_NONCE, U_CODE, U_FLAGS, U_SLOT, U_SLOT_WARM, U_TRANSIENT };

struct journal_undo {
    uint8_t kind;
    union {
        struct journal_account *acct;
        struct journal_slot *slot;
    } p;
    union {
        u256 delta;
        uint64_t nonce;
        struct {
            struct code *code;
            bool code_set;
        } code;
        uint8_t flags;
        struct {
            u256 current;
            bool has_current;
            bool derived;
        } slot;
        bool warm;
        struct {
            address addr;
            u256 key;
            u256 old;
        } transient;
    } u;
};

struct slot_key {
    address addr;
    u256 key;
};

/* Written as whole 8-byte words (the address's last 4 bytes with the
 * padding after them as zero), in place: the hash and the compare then
 * read it back in 8-byte words the stores forward to, where a memset and
 * struct copies left pieces no single load could be fed from. The bytes
 * are those of the zeroed struct, so hashes are unchanged. */
static void make_slot_key(struct slot_key *k, const address *a, const u256 *key)
{
    _Static_assert(sizeof(struct slot_key) == 56 && offsetof(struct slot_key, key) == 24, "slot_key layout");
    uint8_t *p = (uint8_t *)k;
    uint64_t w0, w1, w3 = key->w[0], w4 = key->w[1], w5 = key->w[2], w6 = key->w[3];
    uint32_t tail;
    memcpy(&w0, a->bytes, 8);
    memcpy(&w1, a->bytes + 8, 8);
    memcpy(&tail, a->bytes + 16, 4);
#if defined(__GNUC__)
    __asm__("" : "+r"(w3), "+r"(w4), "+r"(w5), "+r"(w6)); /* limb loads of the key (see u256_copy) */
#endif
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w2 = tail;
#else
    uint64_t w2 = (uint64_t)tail << 32;
#endif
    memcpy(p, &w0, 8);
    memcpy(p + 8, &w1, 8);
    memcpy(p + 16, &w2, 8);
    memcpy(p + 24, &w3, 8);
    memcpy(p + 32, &w4, 8);
    memcpy(p + 40, &w5, 8);
    memcpy(p + 48, &w6, 8);
}

void journal_init(struct journal *j)
{
    memset(j, 0, sizeof *j);
    hmap_init(&j->account_index, sizeof(address), sizeof(uint32_t));
    hmap_init(&j->slot_index, sizeof(struct slot_key), sizeof(uint32_t));
    hmap_init(&j->transient, sizeof(struct slot_key), sizeof(u256));
}

static void release_accounts(struct journal *j)
{
    for (uint32_t i = 0; i < j->account_count; i++) {
        struct journal_account *acc = j->accounts[i];
        if (acc->code_set)
            code_release(acc->code);
        acc->code_set = false;
    }
    /* Undo entries may hold references to replaced new code. */
    for (size_t i = 0; i < j->undo_count; i++)
        if (j->undo[i].kind == U_CODE && j->undo[i].u.code.code_set)
            code_release(j->undo[i].u.code.code);
    j->undo_count = 0;
}

void journal_free(struct journal *j)
{
    release_accounts(j);
    for (uint32_t i = 0; i < j->account_cap; i++)
        free(j->accounts[i]);
    for (uint32_t i = 0; i < j->slot_cap; i++)
        free(j->slots[i]);
    free(j->accounts);
    free(j->slots);
    free(j->undo);
    free(j->deleted);
    free(j->logs);
    bytebuf_free(&j->log_data);
    hmap_free(&j->account_index);
    hmap_free(&j->slot_index);
    hmap_free(&j->transient);
    memset(j, 0, sizeof *j);
}

void journal_begin(struct journal *j, const struct state_view *view, struct journal_rules rules)
{
    release_accounts(j);
    j->log_count = 0;
    bytebuf_reset(&j->log_data);
    j->account_count = 0;
    j->slot_count = 0;
    j->refund = 0;
    hmap_reset(&j->account_index);
    hmap_reset(&j->slot_index);
    hmap_reset(&j->transient);
    j->view = *view;
    j->rules = rules;
    j->lazy = false;
}

struct journal_checkpoint journal_checkpoint(const struct journal *j)
{
    struct journal_checkpoint cp = {j->undo_count, j->log_count, j->log_data.len, j->refund};
    return cp;
}

static int push_undo(struct journal *j, struct journal_undo **out)
{
    if (j->undo_count == j->undo_cap) {
        size_t cap = j->undo_cap ? j->undo_cap * 2 : 256;
        struct journal_undo *u = realloc(j->undo, cap * sizeof *u);
        if (!u)
            return PAREVM_ERR_NOMEM;
        j->undo = u;
        j->undo_cap = cap;
    }
    *out = &j->undo[j->undo_count++];
    return PAREVM_OK;
}

void journal_revert(struct journal *j, struct journal_checkpoint cp)
{
    /* A checkpoint is reverted at most once, innermost first: it can
     * never be deeper than what is recorded now. */
    PAREVM_ASSERT(cp.undo_count <= j->undo_count && cp.log_count <= j->log_count);
    while (j->undo_count > cp.undo_count) {
        struct journal_undo *u = &j->undo[--j->undo_count];
        switch (u->kind) {
        case U_DELTA:
            u->p.acct->delta = u->u.delta;
            break;
        case U_NONCE:
            u->p.acct->nonce = u->u.nonce;
            break;
        case U_CODE:
            if (u->p.acct->code_set)
                code_release(u->p.acct->code);
            u->p.acct->code = u->u.code.code;
            u->p.acct->code_set = u->u.code.code_set;
            break;
        case U_FLAGS:
            u->p.acct->flags = u->u.flags;
            break;
        case U_SLOT:
            u->p.slot->current = u->u.slot.current;
            u->p.slot->has_current = u->u.slot.has_current;
            u->p.slot->derived = u->u.slot.derived;
            break;
        case U_SLOT_WARM:
            u->p.slot->warm = u->u.warm;
            break;
        case U_TRANSIENT: {
            struct slot_key k;
            make_slot_key(&k, &u->u.transient.addr, &u->u.transient.key);
            u256 *v = hmap_get(&j->transient, &k);
            if (v)
                *v = u->u.transient.old;
            break;
        }
        }
    }
    j->log_count = cp.log_count;
    j->log_data.len = cp.log_data_len;
    j->refund = cp.refund;
}

/* Object `count` of a pool of individually allocated objects that keep
 * their addresses while the pool grows and are reused by later
 * transactions (not zeroed here). NULL on allocation failure. */
static void *pool_next(void ***items, uint32_t count, uint32_t *cap, size_t size)
{
    if (count == *cap) {
        uint32_t n = *cap ? *cap * 2 : 64;
        void **arr = realloc(*items, n * sizeof *arr);
        if (!arr)
            return NULL;
        for (uint32_t i = *cap; i < n; i++)
            arr[i] = NULL;
        *items = arr;
        *cap = n;
    }
    if (!(*items)[count])
        (*items)[count] = malloc(size);
    return (*items)[count];
}

/* Find or insert the cached account (nothing loaded yet). */
static int account_get(struct journal *j, const address *a, struct journal_account **out)
{
    bool inserted;
    uint32_t *idx = hmap_put(&j->account_index, a, &inserted);
    if (!idx)
        return PAREVM_ERR_NOMEM;
    if (!inserted) {
        *out = j->accounts[*idx];
        return PAREVM_OK;
    }
    struct journal_account *acc = pool_next(&j->accounts, j->account_count, &j->account_cap, sizeof *acc);
    if (!acc)
        goto nomem;
    memset(acc, 0, sizeof *acc);
    acc->addr = *a;
    *idx = j->account_count++;
    *out = acc;
    return PAREVM_OK;
nomem:
    hmap_remove(&j->account_index, a);
    return PAREVM_ERR_NOMEM;
}

/* account_get for an access of the account's state (every public
 * function but journal_warm_account): marks it accessed. */
static int account_use(struct journal *j, const address *a, struct journal_account **out)
{
    int err = account_get(j, a, out);
    if (!err)
        (*out)->accessed = true;
    return err;
}

static int load_balance(struct journal *j, struct journal_account *acc)
{
    if (acc->loaded & LOADED_BALANCE)
        return PAREVM_OK;
    int err = j->view.ops->balance(j->view.ctx, &acc->addr, &acc->base_balance);
    if (err)
        return err;
    acc->loaded |= LOADED_BALANCE;
    return PAREVM_OK;
}

static int load_nonce(struct journal *j, struct journal_account *acc)
{
    if (acc->loaded & LOADED_NONCE)
        return PAREVM_OK;
    int err = j->view.ops->nonce(j->view.ctx, &acc->addr, &acc->base_nonce, &acc->base_exists);
    if (err)
        return err;
    /* nonce holds the current value; before any set it equals the base. */
    acc->nonce = acc->base_nonce;
    acc->loaded |= LOADED_NONCE;
    return PAREVM_OK;
}

static int load_code(struct journal *j, struct journal_account *acc)
{
    if (acc->loaded & LOADED_CODE)
        return PAREVM_OK;
    struct code *c;
    int err = j->view.ops->code(j->view.ctx, &acc->addr, &c);
    if (err)
        return err;
    acc->base_code = c;
    if (!acc->code_set)
        acc->code = c;
    acc->loaded |= LOADED_CODE;
    return PAREVM_OK;
}

static bool is_ripemd(const address *a)
{
    static const uint8_t addr3[20] = {[19] = 3};
    return memcmp(a->bytes, addr3, 20) == 0;
}

static int set_flags(struct journal *j, struct journal_account *acc, uint8_t flags)
{
    /* A touch of 0x03 (RIPEMD-160) survives any revert: mainnet block
     * 2675119 cleared it despite the revert, and execution-specs keeps
     * that behaviour (incorporate_child_on_error). */
    if ((flags & AF_TOUCHED) && is_ripemd(&acc->addr))
        acc->touch_permanent = true;
    if ((acc->flags | flags) == acc->flags)
        return PAREVM_OK;
    struct journal_undo *u;
    int err = push_undo(j, &u);
    if (err)
        return err;
    u->kind = U_FLAGS;
    u->p.acct = acc;
    u->u.flags = acc->flags;
    acc->flags |= flags;
    return PAREVM_OK;
}

int journal_balance(struct journal *j, const address *a, u256 *out)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_balance(j, acc);
    if (err)
        return err;
    *out = u256_add(&acc->base_balance, &acc->delta);
    return PAREVM_OK;
}

int journal_nonce(struct journal *j, const address *a, uint64_t *out)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_nonce(j, acc);
    if (err)
        return err;
    *out = acc->nonce;
    return PAREVM_OK;
}

int journal_code(struct journal *j, const address *a, struct code **out)
{
    bool set_here;
    return journal_code_owned(j, a, out, &set_here);
}

int journal_code_owned(struct journal *j, const address *a, struct code **out, bool *set_here)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_code(j, acc);
    if (err)
        return err;
    *out = acc->code;
    *set_here = acc->code_set;
    return PAREVM_OK;
}

static int account_exists(struct journal *j, struct journal_account *acc, bool *out)
{
    int err = load_nonce(j, acc);
    if (err)
        return err;
    if (acc->base_exists || (acc->flags & (AF_EXISTS | AF_CREATED))) {
        *out = true;
        return PAREVM_OK;
    }
    /* A balance credit brings an account into the state without a nonce
     * write (a delta, from this transaction or an earlier one of the
     * block). A parallel view tells existence by the nonce location alone,
     * so an account an earlier transaction created that way reads as
     * absent there; a non-zero balance means the account is in the state
     * on every path. (The EIP-7702 refund depends on it: a transfer to X
     * in transaction i, X's authorization in transaction j > i.) */
    err = load_balance(j, acc);
    if (err)
        return err;
    u256 balance = u256_add(&acc->base_balance, &acc->delta);
    *out = !u256_is_zero(&balance);
    return PAREVM_OK;
}

int journal_exists(struct journal *j, const address *a, bool *out)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (err)
        return err;
    return account_exists(j, acc, out);
}

static int account_is_empty(struct journal *j, struct journal_account *acc, bool *out)
{
    int err = load_nonce(j, acc);
    if (!err)
        err = load_balance(j, acc);
    if (!err)
        err = load_code(j, acc);
    if (err)
        return err;
    u256 bal = u256_add(&acc->base_balance, &acc->delta);
    *out = acc->nonce == 0 && u256_is_zero(&bal) && acc->code->len == 0;
    return PAREVM_OK;
}

int journal_is_empty(struct journal *j, const address *a, bool *out)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (err)
        return err;
    return account_is_empty(j, acc, out);
}

int journal_is_empty_unaccessed(struct journal *j, const address *a, bool *out)
{
    struct journal_account *acc;
    int err = account_get(j, a, &acc);
    if (err)
        return err;
    return account_is_empty(j, acc, out);
}

int journal_set_nonce(struct journal *j, const address *a, uint64_t nonce)
{
    struct journal_account *acc;
    struct journal_undo *u;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_nonce(j, acc);
    if (!err)
        err = push_undo(j, &u);
    if (err)
        return err;
    u->kind = U_NONCE;
    u->p.acct = acc;
    u->u.nonce = acc->nonce;
    acc->nonce = nonce;
    return set_flags(j, acc, AF_EXISTS);
}

static int change_delta(struct journal *j, struct journal_account *acc, const u256 *new_delta)
{
    struct journal_undo *u;
    int err = push_undo(j, &u);
    if (err)
        return err;
    u->kind = U_DELTA;
    u->p.acct = acc;
    u->u.delta = acc->delta;
    acc->delta = *new_delta;
    return PAREVM_OK;
}

int journal_add_balance(struct journal *j, const address *a, const u256 *amount)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (err)
        return err;
    /* A credit touches the account (EIP-161) even when the amount is 0. */
    err = set_flags(j, acc, AF_TOUCHED);
    if (err || u256_is_zero(amount))
        return err;
    u256 d = u256_add(&acc->delta, amount);
    err = change_delta(j, acc, &d);
    if (err)
        return err;
    /* Before EIP-161, receiving value brings an account into existence
     * without a read: a delta to an absent account creates it anyway. */
    return PAREVM_OK;
}

int journal_sub_balance(struct journal *j, const address *a, const u256 *amount, bool *ok)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_balance(j, acc);
    if (err)
        return err;
    u256 bal = u256_add(&acc->base_balance, &acc->delta);
    if (u256_lt(&bal, amount)) {
        *ok = false;
        return PAREVM_OK;
    }
    *ok = true;
    err = set_flags(j, acc, AF_TOUCHED);
    if (err || u256_is_zero(amount))
        return err;
    u256 d = u256_sub(&acc->delta, amount);
    return change_delta(j, acc, &d);
}

int journal_set_balance(struct journal *j, const address *a, const u256 *balance)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_balance(j, acc);
    if (err)
        return err;
    u256 d = u256_sub(balance, &acc->base_balance);
    if (u256_eq(&d, &acc->delta))
        return PAREVM_OK;
    return change_delta(j, acc, &d);
}

int journal_set_code(struct journal *j, const address *a, struct code *code)
{
    struct journal_account *acc;
    struct journal_undo *u;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_code(j, acc);
    if (!err)
        err = push_undo(j, &u);
    if (err)
        return err;
    u->kind = U_CODE;
    u->p.acct = acc;
    u->u.code.code = acc->code;
    u->u.code.code_set = acc->code_set;
    acc->code = code_retain(code);
    acc->code_set = true;
    return PAREVM_OK;
}

int journal_touch(struct journal *j, const address *a)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (err)
        return err;
    return set_flags(j, acc, AF_TOUCHED);
}

int journal_ensure_exists(struct journal *j, const address *a)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_nonce(j, acc);
    if (err)
        return err;
    return set_flags(j, acc, AF_EXISTS | AF_TOUCHED);
}

int journal_create_account(struct journal *j, const address *a)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (!err)
        err = load_nonce(j, acc);
    if (err)
        return err;
    return set_flags(j, acc, AF_CREATED | AF_EXISTS | AF_TOUCHED);
}

bool journal_created_in_tx(struct journal *j, const address *a)
{
    uint32_t *idx = hmap_get(&j->account_index, a);
    return idx && (((struct journal_account *)j->accounts[*idx])->flags & AF_CREATED);
}

int journal_mark_destructed(struct journal *j, const address *a, bool *first)
{
    struct journal_account *acc;
    int err = account_use(j, a, &acc);
    if (err)
        return err;
    *first = !(acc->flags & AF_DESTRUCTED);
    return set_flags(j, acc, AF_DESTRUCTED | AF_TOUCHED);
}

/* ---- storage ---- */

static int slot_get(struct journal *j, const address *a, const u256 *key, struct journal_slot **out)
{
    struct slot_key k;
    make_slot_key(&k, a, key);
    bool inserted;
    uint32_t *idx = hmap_put(&j->slot_index, &k, &inserted);
    if (!idx)
        return PAREVM_ERR_NOMEM;
    if (!inserted) {
        *out = j->slots[*idx];
        return PAREVM_OK;
    }
    struct journal_account *acc;
    int err = account_get(j, a, &acc);
    if (err)
        goto fail;
    err = PAREVM_ERR_NOMEM;
    struct journal_slot *s = pool_next(&j->slots, j->slot_count, &j->slot_cap, sizeof *s);
    if (!s)
        goto fail;
    memset(s, 0, sizeof *s);
    s->addr = *a;
    s->key = *key;
    s->acct = acc;
    /* hmap_put above may have been invalidated by account_get's insert
     * into a different map, but not this one: idx is still valid. */
    *idx = j->slot_count++;
    *out = s;
    return PAREVM_OK;
fail:
    hmap_remove(&j->slot_index, &k);
    return err;
}

static int slot_original(struct journal *j, struct journal_slot *s, u256 *out)
{
    /* EIP-2200 original value: the value at the start of the transaction;
     * zero for an account created in this transaction (its prior storage
     * is gone). */
    if (s->acct->flags & AF_CREATED) {
        *out = u256_zero();
        return PAREVM_OK;
    }
    if (!s->loaded) {
        int err = j->view.ops->storage(j->view.ctx, &s->addr, &s->key, &s->view_value);
        if (err)
            return err;
        s->loaded = true;
        if (j->lazy) {
            s->lazy = j->view.ops->lazy->handle(j->view.ctx);
            s->derived = s->lazy != 0;
        }
    }
    *out = s->view_value;
    return PAREVM_OK;
}

int journal_slot_open(struct journal *j, const address *a, const u256 *key, bool warm, bool *was_warm,
                      struct journal_slot **out)
{
    struct journal_slot *s;
    int err = slot_get(j, a, key, &s);
    if (err)
        return err;
    *out = s;
    *was_warm = s->warm;
    if (!warm || s->warm)
        return PAREVM_OK;
    struct journal_undo *u;
    err = push_undo(j, &u);
    if (err)
        return err;
    u->kind = U_SLOT_WARM;
    u->p.slot = s;
    u->u.warm = false;
    s->warm = true;
    return PAREVM_OK;
}

int journal_slot_read(struct journal *j, struct journal_slot *s, u256 *current, u256 *original)
{
    s->accessed = true;
    s->acct->accessed = true;
    int err = slot_original(j, s, original);
    if (err)
        return err;
    *current = s->has_current ? s->current : *original;
    return PAREVM_OK;
}

int journal_slot_write(struct journal *j, struct journal_slot *s, const u256 *value)
{
    return journal_slot_write_lazy(j, s, value, false);
}

int journal_slot_write_lazy(struct journal *j, struct journal_slot *s, const u256 *value, bool derived)
{
    struct journal_undo *u;
    int err = push_undo(j, &u);
    if (err)
        return err;
    s->accessed = true;
    s->acct->accessed = true;
    u->kind = U_SLOT;
    u->p.slot = s;
    u->u.slot.current = s->current;
    u->u.slot.has_current = s->has_current;
    u->u.slot.derived = s->derived;
    s->current = *value;
    s->has_current = true;
    s->derived = derived && s->lazy;
    return PAREVM_OK;
}

uint32_t journal_slot_origin(const struct journal_slot *s)
{
    return s->lazy;
}

uint32_t journal_slot_handle(const struct journal_slot *s)
{
    return s->derived ? s->lazy : 0;
}

int journal_slot_values(struct journal *j, const address *a, const u256 *key, u256 *current, u256 *original)
{
    struct journal_slot *s;
    bool was_warm;
    int err = journal_slot_open(j, a, key, false, &was_warm, &s);
    return err ? err : journal_slot_read(j, s, current, original);
}

int journal_sload(struct journal *j, const address *a, const u256 *key, u256 *out)
{
    u256 original;
    return journal_slot_values(j, a, key, out, &original);
}

int journal_sstore(struct journal *j, const address *a, const u256 *key, const u256 *value)
{
    struct journal_slot *s;
    bool was_warm;
    int err = journal_slot_open(j, a, key, false, &was_warm, &s);
    return err ? err : journal_slot_write(j, s, value);
}

/* journal_rules.always_warm: they are all of the form 0x00..00XXXX. */
static bool always_warm(const struct journal *j, const address *a)
{
    uint64_t w0;
    uint32_t w1;
    memcpy(&w0, a->bytes, 8);
    memcpy(&w1, a->bytes + 8, 4);
    if (w0 | w1)
        return false;
    for (size_t i = 0; i < j->rules.always_warm_count; i++)
        if (address_eq(&j->rules.always_warm[i], a))
            return true;
    return false;
}

int journal_warm_account(struct journal *j, const address *a, bool *was_warm)
{
    if (always_warm(j, a)) {
        *was_warm = true;
        return PAREVM_OK;
    }
    struct journal_account *acc;
    int err = account_get(j, a, &acc);
    if (err)
        return err;
    *was_warm = (acc->flags & AF_WARM) != 0;
    return set_flags(j, acc, AF_WARM);
}

int journal_warm_slot(struct journal *j, const address *a, const u256 *key, bool *was_warm)
{
    struct journal_slot *s;
    return journal_slot_open(j, a, key, true, was_warm, &s);
}

u256 journal_tload(struct journal *j, const address *a, const u256 *key)
{
    struct slot_key k;
    make_slot_key(&k, a, key);
    u256 *v = hmap_get(&j->transient, &k);
    return v ? *v : u256_zero();
}

int journal_tstore(struct journal *j, const address *a, const u256 *key, const u256 *value)
{
    struct slot_key k;
    make_slot_key(&k, a, key);
    struct journal_undo *u;
    int err = push_undo(j, &u);
    if (err)
        return err;
    u256 *v = hmap_put(&j->transient, &k, NULL);
    if (!v) {
        j->undo_count--;
        return PAREVM_ERR_NOMEM;
    }
    u->kind = U_TRANSIENT;
    u->u.transient.addr = *a;
    u->u.transient.key = *key;
    u->u.transient.old = *v;
    *v = *value;
    return PAREVM_OK;
}

int journal_add_log(struct journal *j, const address *a, const hash32 *topics, unsigned topic_count,
                    const uint8_t *data, size_t data_len)
{
    if (j->log_count == j->log_cap) {
        size_t cap = j->log_cap ? j->log_cap * 2 : 16;
        struct log *l = realloc(j->logs, cap * sizeof *l);
        if (!l)
            return PAREVM_ERR_NOMEM;
        j->logs = l;
        j->log_cap = cap;
    }
    size_t offset = j->log_data.len;
    if (bytebuf_append(&j->log_data, data, data_len))
        return PAREVM_ERR_NOMEM;
    struct log *l = &j->logs[j->log_count];
    l->addr = *a;
    l->topic_count = (uint8_t)topic_count;
    for (unsigned i = 0; i < topic_count; i++)
        l->topics[i] = topics[i];
    l->data = (uint8_t *)(uintptr_t)offset; /* its offset, until journal_finalize */
    l->data_len = data_len;
    j->log_count++;
    return PAREVM_OK;
}

int journal_eth_log(struct journal *j, const address *from, const address *to, const u256 *value)
{
    /* keccak256("Transfer(address,address,uint256)"), keccak256("Burn(address,uint256)") */
    static const hash32 transfer = {{0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0,
                                     0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4,
                                     0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef}};
    static const hash32 burn = {{0xcc, 0x16, 0xf5, 0xdb, 0xb4, 0x87, 0x32, 0x80, 0x81, 0x5c, 0x1e,
                                 0xe0, 0x9d, 0xbd, 0x06, 0x73, 0x6c, 0xff, 0xcc, 0x18, 0x44, 0x12,
                                 0xcf, 0x7a, 0x71, 0xa0, 0xfd, 0xb7, 0x5d, 0x39, 0x7c, 0xa5}};
    address system;
    memset(system.bytes, 0xff, sizeof system.bytes);
    system.bytes[sizeof system.bytes - 1] = 0xfe;
    hash32 topics[3];
    topics[0] = to ? transfer : burn;
    memset(&topics[1], 0, 2 * sizeof topics[1]);
    memcpy(topics[1].bytes + 12, from->bytes, 20);
    if (to)
        memcpy(topics[2].bytes + 12, to->bytes, 20);
    uint8_t data[32];
    u256_to_be(value, data);
    return journal_add_log(j, &system, topics, to ? 3 : 2, data, sizeof data);
}

/* ---- finalize ---- */

/* What the end of the transaction does to an account. */
enum account_end { END_KEPT, END_DELETED, END_CLEARED };

/* A self-destructed account: deleted, or with EIP-8246 cleared but for
 * its balance (deleted when that is zero). */
static enum account_end destructed_end(struct journal *j, struct journal_account *acc, int *err)
{
    if (!j->rules.selfdestruct_keeps_balance)
        return END_DELETED;
    *err = load_balance(j, acc);
    u256 balance = u256_add(&acc->base_balance, &acc->delta);
    return !*err && !u256_is_zero(&balance) ? END_CLEARED : END_DELETED;
}

static enum account_end account_end(struct journal *j, struct journal_account *acc, int *err)
{
    *err = PAREVM_OK;
    if (acc->flags & AF_DESTRUCTED) {
        /* EIP-6780 (Cancun): SELFDESTRUCT deletes only an account created
         * in the same transaction. */
        if (!j->rules.selfdestruct_created_only || (acc->flags & AF_CREATED))
            return destructed_end(j, acc, err);
    }
    if (j->rules.clear_empty && ((acc->flags & AF_TOUCHED) || acc->touch_permanent)) {
        /* EIP-161: a touched account that is empty at the end is deleted.
         * A pure positive delta proves non-emptiness without a read. */
        if (!(acc->loaded & LOADED_BALANCE) && !u256_is_zero(&acc->delta))
            return END_KEPT;
        bool empty;
        *err = account_is_empty(j, acc, &empty);
        return !*err && empty ? END_DELETED : END_KEPT;
    }
    return END_KEPT;
}

/* EIP-7708: the balances that self-destructed accounts take with them,
 * burned with a log each, in address order. */
struct burn {
    address addr;
    u256 value;
};

static int burn_cmp(const void *a, const void *b)
{
    return memcmp(((const struct burn *)a)->addr.bytes, ((const struct burn *)b)->addr.bytes, 20);
}

static int burn_logs(struct journal *j, const uint8_t *end)
{
    struct burn *burns = NULL;
    size_t n = 0;
    int err = PAREVM_OK;
    for (uint32_t i = 0; i < j->account_count && !err; i++) {
        struct journal_account *acc = j->accounts[i];
        if (end[i] != END_DELETED || !(acc->flags & AF_DESTRUCTED))
            continue;
        err = load_balance(j, acc);
        u256 balance = u256_add(&acc->base_balance, &acc->delta);
        if (err || u256_is_zero(&balance))
            continue;
        struct burn *more = realloc(burns, (n + 1) * sizeof *burns);
        if (!more) {
            err = PAREVM_ERR_NOMEM;
            break;
        }
        burns = more;
        burns[n++] = (struct burn){acc->addr, balance};
    }
    if (n > 1)
        qsort(burns, n, sizeof *burns, burn_cmp);
    for (size_t i = 0; i < n && !err; i++)
        err = journal_eth_log(j, &burns[i].addr, NULL, &burns[i].value);
    free(burns);
    return err;
}

/* The logs, out to the caller as one allocation (log.h): the array, then
 * the data. The journal keeps its own arrays for the next transaction. */
static int take_logs(struct journal *j, struct log **logs, size_t *log_count)
{
    *logs = NULL;
    *log_count = 0;
    if (!j->log_count)
        return PAREVM_OK;
    size_t head = j->log_count * sizeof **logs;
    struct log *out = malloc(head + j->log_data.len);
    if (!out)
        return PAREVM_ERR_NOMEM;
    uint8_t *data = (uint8_t *)out + head;
    memcpy(out, j->logs, head);
    if (j->log_data.len)
        memcpy(data, j->log_data.data, j->log_data.len);
    for (size_t i = 0; i < j->log_count; i++)
        out[i].data = out[i].data_len ? data + (uintptr_t)out[i].data : NULL;
    *logs = out;
    *log_count = j->log_count;
    j->log_count = 0;
    bytebuf_reset(&j->log_data);
    return PAREVM_OK;
}

int journal_finalize(struct journal *j, struct write_set *ws, struct log **logs, size_t *log_count)
{
    write_set_reset(ws);
    int err = PAREVM_OK;
    /* deleted[i] for account i, in scratch the journal keeps. */
    if (j->account_count > j->deleted_cap) {
        uint8_t *d = realloc(j->deleted, j->account_count);
        if (!d)
            return PAREVM_ERR_NOMEM;
        j->deleted = d;
        j->deleted_cap = j->account_count;
    }
    uint8_t *deleted = j->deleted; /* enum account_end */
    for (uint32_t i = 0; i < j->account_count && !err; i++) {
        struct journal_account *acc = j->accounts[i];
        deleted[i] = (uint8_t)account_end(j, acc, &err);
        if (err)
            break;
        uint32_t flags = 0;
        if (deleted[i] == END_CLEARED) {
            /* EIP-8246: the balance alone stays */
            flags = WS_CREATE | WS_CLEAR_STORAGE | WS_BALANCE | WS_NONCE | WS_CODE;
        } else if (deleted[i] == END_DELETED) {
            bool existed = false;
            err = load_nonce(j, acc);
            existed = acc->base_exists;
            if (err)
                break;
            if (existed)
                flags = WS_DELETE;
            else
                continue;
        } else {
            if (acc->flags & AF_CREATED)
                flags |= WS_CLEAR_STORAGE;
            if ((acc->flags & (AF_EXISTS | AF_CREATED)) && !acc->base_exists)
                flags |= WS_CREATE;
            if (!u256_is_zero(&acc->delta))
                flags |= (acc->loaded & LOADED_BALANCE) ? WS_BALANCE : WS_BALANCE_DELTA;
            if ((acc->loaded & LOADED_NONCE) && acc->nonce != acc->base_nonce)
                flags |= WS_NONCE;
            if (acc->code_set && acc->code != acc->base_code)
                flags |= WS_CODE;
            if (!flags)
                continue;
        }
        struct ws_account *w = write_set_add_account(ws, &acc->addr);
        if (!w) {
            err = PAREVM_ERR_NOMEM;
            break;
        }
        w->flags = flags;
        if (flags & WS_BALANCE)
            w->balance = u256_add(&acc->base_balance, &acc->delta);
        if (flags & WS_BALANCE_DELTA)
            w->delta = acc->delta;
        if (deleted[i] == END_CLEARED) {
            w->nonce = 0;
            w->code = code_empty();
            continue;
        }
        if (flags & (WS_NONCE | WS_CREATE)) {
            w->nonce = acc->nonce;
            if (acc->loaded & LOADED_NONCE)
                w->flags |= WS_NONCE;
        }
        if (flags & WS_CODE)
            w->code = code_retain(acc->code);
    }
    for (uint32_t i = 0; i < j->slot_count && !err; i++) {
        struct journal_slot *s = j->slots[i];
        if (!s->has_current)
            continue;
        uint32_t *idx = hmap_get(&j->account_index, &s->addr);
        if (deleted[*idx])
            continue;
        u256 original;
        bool cleared = (s->acct->flags & AF_CREATED) != 0;
        if (!cleared) {
            err = slot_original(j, s, &original);
            if (err)
                break;
            if (u256_eq(&original, &s->current))
                continue;
            if (s->derived) { /* the lazy read's value plus a constant */
                u256 delta = u256_sub(&s->current, &original);
                err = write_set_add_slot_delta(ws, &s->addr, &s->key, &delta);
                continue;
            }
        } else if (u256_is_zero(&s->current)) {
            continue;
        }
        err = write_set_add_slot(ws, &s->addr, &s->key, &s->current);
    }
    if (!err && j->rules.burn_logs)
        err = burn_logs(j, deleted);
    if (err)
        return err;
    return take_logs(j, logs, log_count);
}

int journal_note_access(struct journal *j, const address *a)
{
    struct journal_account *acc;
    return account_use(j, a, &acc);
}

int journal_each_access(const struct journal *j, journal_access_fn fn, void *arg)
{
    for (uint32_t i = 0; i < j->account_count; i++) {
        const struct journal_account *acc = j->accounts[i];
        if (acc->accessed) {
            int err = fn(arg, &acc->addr, NULL);
            if (err)
                return err;
        }
    }
    for (uint32_t i = 0; i < j->slot_count; i++) {
        const struct journal_slot *s = j->slots[i];
        if (s->accessed) {
            int err = fn(arg, &s->addr, &s->key);
            if (err)
                return err;
        }
    }
    return PAREVM_OK;
}
