/*
 * balexec — execution driven by a block access list (see balexec.h).
 */
#include "balexec.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/hex.h"
#include "../chain/logs.h"
#include "../chain/transition.h"
#include "../state/state_view.h"
#include "bal_search.h"
#include "chaos.h"
#include "exec_env.h"
#include "record.h"

/* Why a transaction's check failed (the first reason; NONE: it held). */
enum fail_kind {
    FAIL_NONE,
    FAIL_ACCOUNT, /* accessed or changed an account the list lacks */
    FAIL_READ,    /* accessed a slot the list lacks */
    FAIL_BALANCE, /* its balance change is not the list's at its index */
    FAIL_NONCE,   /* likewise a nonce change */
    FAIL_CODE,    /* likewise a code change */
    FAIL_STORAGE, /* likewise a slot change */
    FAIL_DELETED, /* deleted an existing empty account: the list cannot say so */
    FAIL_CLEARED, /* cleared non-empty storage: likewise */
    FAIL_EMPTY,   /* created an account with nothing in it, unlike the list */
    FAIL_EMPTIED, /* left an account it changed empty, not deleted */
    FAIL_UNSURE   /* asked its view what the list cannot answer */
};

static const char *const fail_text[] = {
    "",
    "accessed an account the list lacks",
    "accessed a storage slot the list lacks",
    "changed a balance other than the list says at its index",
    "changed a nonce other than the list says at its index",
    "changed code other than the list says at its index",
    "changed a storage slot other than the list says at its index",
    "deleted an existing empty account (a list cannot express that)",
    "cleared non-empty storage (a list cannot express that)",
    "created an empty account without the list's balance change to zero at its index",
    "left an account it changed empty without deleting it (a list would say it was deleted)",
    "asked whether an account has storage, or read a nonce, that the list cannot answer",
};

struct tx_fail {
    uint8_t kind;
    bool has_key;
    address addr;
    u256 key;
};

struct balexec {
    const struct block_env *env;
    const struct world *base;
    const struct bal *list;
    const struct tx *txs;
    struct par_tx_output *out;
    uint32_t *order;      /* transactions, longest gas limit first */
    uint64_t *gas_before; /* (threads > 1) per position of order, the gas limits before it */
    size_t n;
    /* The list's accounts by address (see acct_find), each with its
     * record in base, looked up once. */
    struct acct_entry *accts;
    size_t acct_mask;
    /* Per list account: where its marks begin. */
    size_t *mark_base;
    /* Marks, one bit each, set when a unit met what it stands for: per
     * list account, in this order, one per slot write, balance, nonce
     * and code change and read (from mark_base[k]); then one per list
     * account, that something accessed it (from seen_base). A change at
     * index u is marked by transaction u - 1 alone, reads and accounts
     * by any. Each worker sets bits in its own words (bits + worker *
     * words: no line is written by two workers); the final check ORs
     * them after the join. */
    uint64_t *bits;
    size_t words, seen_base, workers;
    /* Per list account, its slots' table (see slot_probe): where it
     * begins in slots, and its size - 1 (0: none). */
    struct slot_entry *slots;
    size_t *slot_base, *slot_mask;
    size_t write_count;              /* the list's slot writes, all accounts' (plan_accounts) */
    struct tx_fail *fails;           /* per transaction, written by its worker */
    atomic_bool failed;              /* some transaction failed: the others stop (relaxed: a hint) */
    atomic_bool empties;             /* some list account was left empty (read after the fill's join) */
    _Alignas(64) atomic_size_t next; /* the next position of order to claim (run_share) */
    atomic_int err;                  /* an allocation failed (relaxed: read after the join) */
    /* The schedule, when asked (balexec_execute's rec): per worker its
     * runs, timed from rec_t0. */
    struct rec_worker *rec;
    uint64_t rec_t0;
    /* Per worker, the write set its transactions build (one at a time:
     * checked, then emptied; the commit writes the list's changes
     * instead, balexec_apply). */
    struct worker_ws *ws;
};

/* The entries of a position's sender and recipient (NULL: not in the
 * list), found while fetching ahead (see run_one). */
struct ahead_found {
    size_t pos; /* the position of the order they are of; SIZE_MAX: none yet */
    const struct acct_entry *e[2];
};
#define AHEAD_RING 4 /* (a power of two above the farthest stage found: see run_one) */

struct worker_ws {
    _Alignas(64) struct write_set ws; /* (a line of its own: each worker's counts) */
    struct ahead_found found[AHEAD_RING]; /* by position mod AHEAD_RING */
};

/* ---- the list, searched ---- */

static int64_t list_index(const struct bal *list, const address *a)
{
    const uint32_t *idx = hmap_get(&list->index, a);
    return idx ? (int64_t)*idx : -1;
}

/* The number of changes (sorted by index) at an index below limit. */
static size_t changes_below(const struct bal_change *c, size_t n, uint32_t limit)
{
    return index_search((const char *)c, sizeof *c, offsetof(struct bal_change, index), 0, n, limit);
}

/* Given p = changes_below(c, n, u) (one search serves both): the
 * latest change at an index in [1, u), or NULL (index 0, the system
 * calls, is already in the world); the position of the change at exactly
 * u, or -1. */
static const struct bal_change *latest_from(const struct bal_change *c, size_t p)
{
    return p && c[p - 1].index >= 1 ? &c[p - 1] : NULL;
}
static int64_t change_at_from(const struct bal_change *c, size_t n, size_t p, uint32_t u)
{
    return p < n && c[p].index == u ? (int64_t)p : -1;
}

static const struct bal_change *latest(const struct bal_change *c, size_t n, uint32_t limit)
{
    return latest_from(c, changes_below(c, n, limit));
}

static int64_t change_at(const struct bal_change *c, size_t n, uint32_t index)
{
    return change_at_from(c, n, changes_below(c, n, index), index);
}

static size_t codes_below(const struct bal_code_change *c, size_t n, uint32_t limit)
{
    return index_search((const char *)c, sizeof *c, offsetof(struct bal_code_change, index), 0, n, limit);
}

static const struct bal_code_change *latest_code(const struct bal_code_change *c, size_t n, uint32_t limit)
{
    size_t k = codes_below(c, n, limit);
    return k && c[k - 1].index >= 1 ? &c[k - 1] : NULL;
}

/* ---- the list's accounts, hashed ----
 *
 * A transaction's first question about an account is answered from one
 * line: where the account is in the list, its record in the world, and
 * the index of its first balance, nonce and code change (a sender's or
 * a recipient's first change is often the transaction's own, so its
 * view is the world's record, and the list's changes stay untouched).
 * Open-addressed (at most two thirds full), filled by the workers before
 * the transactions run. */

#define ACCT_EMPTY UINT32_MAX
#define NO_CHANGE UINT32_MAX /* (acct_entry.first_*: none at an index >= 1) */
struct acct_entry {
    _Alignas(64) address addr;
    _Atomic uint32_t k;              /* its position in the list; ACCT_EMPTY: a free entry */
    struct world_account *pre;       /* NULL: absent from the world (base's record: see apply_in_place) */
    /* the index of its first change at an index >= 1 (the system calls'
     * at 0 are already in the world), or NO_CHANGE */
    uint32_t first_balance, first_nonce, first_code;
    uint32_t first_empty; /* the first index it was left empty at (account_emptied_at), or NO_CHANGE */
};

static inline size_t acct_hash(const address *a)
{
    uint64_t h0, h1;
    memcpy(&h0, a->bytes, 8);
    memcpy(&h1, a->bytes + 12, 8);
    uint64_t h = (h0 ^ (h1 * 0x9e3779b97f4a7c15ull)) * 0xc4ceb9fe1a85ec53ull;
    return (size_t)(h ^ (h >> 29));
}

static inline bool same_address(const address *a, const address *b)
{
    uint64_t a0, a1, b0, b1;
    uint32_t a2, b2;
    memcpy(&a0, a->bytes, 8);
    memcpy(&b0, b->bytes, 8);
    memcpy(&a1, a->bytes + 8, 8);
    memcpy(&b1, b->bytes + 8, 8);
    memcpy(&a2, a->bytes + 16, 4);
    memcpy(&b2, b->bytes + 16, 4);
    return ((a0 ^ b0) | (a1 ^ b1) | (uint64_t)(a2 ^ b2)) == 0;
}

/* a's entry, or NULL: the list lacks it. (After the fill's join: the
 * entries are read as plain memory, k relaxed.) */
static const struct acct_entry *acct_find(const struct balexec *x, const address *a)
{
    for (size_t i = acct_hash(a) & x->acct_mask;; i = (i + 1) & x->acct_mask) {
        const struct acct_entry *e = &x->accts[i];
        if (atomic_load_explicit(&e->k, memory_order_relaxed) == ACCT_EMPTY)
            return NULL;
        if (same_address(&e->addr, a))
            return e;
    }
}

/* The first change of c[0..n) (by index) at an index >= 1. */
static uint32_t first_change(const struct bal_change *c, size_t n)
{
    if (n && c[0].index >= 1)
        return c[0].index;
    return n > 1 ? c[1].index : NO_CHANGE; /* (one change per index) */
}

/* ---- accounts left empty: deletions, and empty accounts created ----
 *
 * A list has no entry for "deleted", but it can say so all the same: an
 * account whose balance, nonce and code all end empty at an index where
 * it changed was deleted there (before Cancun a self-destructed
 * contract, and from Spurious Dragon any account left empty by the
 * transaction that touched it; parevm's list records a destroyed
 * account's nonce and code going to zero as changes, bal_record). Its
 * storage is gone from then on, and so is the account until it changes
 * again. Before Spurious Dragon a transaction could also bring an
 * account into being with nothing in it (a call to it, with no value);
 * parevm's list records that as a balance change to zero, and it is the
 * same event for an account that did not exist before it: the account
 * exists from then on, with no storage. Nothing is trusted: a
 * transaction that deleted an account, or created one empty, must meet
 * exactly those changes at its index, and one that left an account it
 * changed empty without deleting it fails (check_writes), so what the
 * list implies is what the block did. */

/* Whether account acc (world record pre) is empty after its changes at
 * `index` (>= 1). */
static bool empty_after(const struct bal_account *acc, const struct world_account *pre, uint32_t index)
{
    const struct bal_change *c = latest(acc->nonces, acc->nonce_count, index + 1);
    if (c ? !u256_is_zero(&c->value) : pre && pre->nonce)
        return false;
    c = latest(acc->balances, acc->balance_count, index + 1);
    if (c ? !u256_is_zero(&c->value) : pre && !u256_is_zero(&pre->balance))
        return false;
    const struct bal_code_change *cc = latest_code(acc->codes, acc->code_count, index + 1);
    return cc ? cc->code->len == 0 : !pre || pre->code->len == 0;
}

/* Of the changes c[0..n) to zero, the first at an index >= 1 after
 * which the account is empty, if below `before`; else `before`. */
static uint32_t first_emptying(const struct bal_account *acc, const struct world_account *pre,
                               const struct bal_change *c, size_t n, uint32_t before)
{
    for (size_t i = 0; i < n && c[i].index < before; i++)
        if (c[i].index >= 1 && u256_is_zero(&c[i].value) && empty_after(acc, pre, c[i].index))
            return c[i].index;
    return before;
}

/* The first index >= 1 at which account acc (world record pre) was left
 * empty, or NO_CHANGE. That is a change to empty (a balance or nonce to
 * zero, code to none): most accounts have none, and are answered from
 * the list alone, their world record untouched (a cold line each). */
static uint32_t first_emptied(const struct bal_account *acc, const struct world_account *pre)
{
    bool some = false;
    for (size_t i = 0; i < acc->nonce_count && !some; i++)
        some = u256_is_zero(&acc->nonces[i].value);
    for (size_t i = 0; i < acc->balance_count && !some; i++)
        some = u256_is_zero(&acc->balances[i].value);
    for (size_t i = 0; i < acc->code_count && !some; i++)
        some = acc->codes[i].code->len == 0;
    if (!some)
        return NO_CHANGE;
    uint32_t first = first_emptying(acc, pre, acc->balances, acc->balance_count, NO_CHANGE);
    first = first_emptying(acc, pre, acc->nonces, acc->nonce_count, first);
    for (size_t i = 0; i < acc->code_count && acc->codes[i].index < first; i++)
        if (acc->codes[i].index >= 1 && acc->codes[i].code->len == 0 &&
            empty_after(acc, pre, acc->codes[i].index))
            return acc->codes[i].index;
    return first;
}

/* Of c[0..p) (the changes below some limit), the latest to zero after
 * which the account is empty, at an index above `after`; else `after`. */
static uint32_t last_emptying(const struct bal_account *acc, const struct world_account *pre,
                              const struct bal_change *c, size_t p, uint32_t after)
{
    for (size_t i = p; i-- > 0 && c[i].index > after;)
        if (u256_is_zero(&c[i].value) && empty_after(acc, pre, c[i].index))
            return c[i].index;
    return after;
}

/* The last index in [1, limit) at which e's account was left empty
 * (deleted, or created empty: its storage is empty from there), or 0. */
static uint32_t account_emptied_at(const struct balexec *x, const struct acct_entry *e, uint32_t limit)
{
    if (!e || e->first_empty >= limit)
        return 0;
    const struct bal_account *acc = &x->list->accounts[e->k];
    uint32_t d =
        last_emptying(acc, e->pre, acc->balances, changes_below(acc->balances, acc->balance_count, limit), 0);
    d = last_emptying(acc, e->pre, acc->nonces, changes_below(acc->nonces, acc->nonce_count, limit), d);
    for (size_t i = codes_below(acc->codes, acc->code_count, limit); i-- > 0 && acc->codes[i].index > d;)
        if (acc->codes[i].code->len == 0 && empty_after(acc, e->pre, acc->codes[i].index)) {
            d = acc->codes[i].index;
            break;
        }
    return d;
}

/* Whether e's account changed (balance, nonce or code) at an index in
 * (after, limit). */
static bool changed_between(const struct balexec *x, const struct acct_entry *e, uint32_t after,
                            uint32_t limit)
{
    const struct bal_account *acc = &x->list->accounts[e->k];
    const struct bal_change *b = latest(acc->balances, acc->balance_count, limit);
    const struct bal_change *n = latest(acc->nonces, acc->nonce_count, limit);
    const struct bal_code_change *c = latest_code(acc->codes, acc->code_count, limit);
    return (b && b->index > after) || (n && n->index > after) || (c && c->index > after);
}

/* Whether e's account (absent from the list: NULL, its world record w)
 * exists before index limit: in the world or changed below it, and not
 * deleted since its last change. Left empty at d and not changed since:
 * deleted when it existed before d, else created empty there. */
static bool account_exists_before(const struct balexec *x, const struct acct_entry *e,
                                  const struct world_account *w, uint32_t limit)
{
    if (!e)
        return w != NULL;
    bool changed = e->first_nonce < limit || e->first_balance < limit || e->first_code < limit;
    if (!w && !changed)
        return false;
    uint32_t d = account_emptied_at(x, e, limit);
    return !d || changed_between(x, e, d, limit) || !account_exists_before(x, e, w, d);
}

/* Enter list account k, whose world record is pre. The list's addresses
 * are distinct, so a worker only looks for a free entry: claiming it is
 * the one atomic step, and nothing reads the rest before the join. */
static void acct_insert(struct balexec *x, size_t k, struct world_account *pre)
{
    const struct bal_account *acc = &x->list->accounts[k];
    for (size_t i = acct_hash(&acc->addr) & x->acct_mask;; i = (i + 1) & x->acct_mask) {
        struct acct_entry *e = &x->accts[i];
        uint32_t empty = ACCT_EMPTY;
        if (atomic_load_explicit(&e->k, memory_order_relaxed) != ACCT_EMPTY ||
            !atomic_compare_exchange_strong_explicit(&e->k, &empty, (uint32_t)k, memory_order_relaxed,
                                                     memory_order_relaxed))
            continue;
        CHAOS_POINT(); /* (claimed, not yet written: others probe past it) */
        e->addr = acc->addr;
        e->pre = pre;
        e->first_balance = first_change(acc->balances, acc->balance_count);
        e->first_nonce = first_change(acc->nonces, acc->nonce_count);
        e->first_code = acc->code_count && acc->codes[0].index >= 1 ? acc->codes[0].index
                        : acc->code_count > 1                       ? acc->codes[1].index
                                                                    : NO_CHANGE;
        e->first_empty = first_emptied(acc, pre);
        if (e->first_empty != NO_CHANGE)
            atomic_store_explicit(&x->empties, true, memory_order_relaxed);
        return;
    }
}

/* ---- the list's slots, hashed ----
 *
 * Every slot the list names of an account: the run of its writes in the
 * account's writes (by index), or its read. A look-up hashes once rather
 * than search the account's slots (a token's contract has one per
 * holder, and every transfer asks of two). Each account has its own
 * table (at most half full), built with its world record. */

struct slot_entry {
    u256 key;
    uint32_t first;       /* its first write, or its read's position; SLOT_EMPTY: a free entry */
    uint32_t count;       /* its writes; 0: a read */
    uint32_t first_index; /* its first write's block access index (writes only) */
};
#define SLOT_EMPTY UINT32_MAX

static inline size_t slot_hash(const u256 *key)
{
    uint64_t h = key->w[0] ^ (key->w[1] * 0x9e3779b97f4a7c15ull) ^ (key->w[2] * 0xc2b2ae3d27d4eb4full) ^
                 (key->w[3] * 0x165667b19e3779f9ull);
    h *= 0xc4ceb9fe1a85ec53ull;
    return (size_t)(h ^ (h >> 31));
}

/* Account k's table: its entry of key, or the free one to fill. NULL:
 * the account has no slots. */
static struct slot_entry *slot_probe(const struct balexec *x, size_t k, const u256 *key)
{
    size_t mask = x->slot_mask[k];
    if (!mask)
        return NULL;
    struct slot_entry *t = x->slots + x->slot_base[k];
    for (size_t i = slot_hash(key) & mask;; i = (i + 1) & mask) {
        struct slot_entry *e = &t[i];
        if (e->first == SLOT_EMPTY || u256_eq(&e->key, key))
            return e;
    }
}

static const struct slot_entry *slot_find(const struct balexec *x, size_t k, const u256 *key)
{
    const struct slot_entry *e = slot_probe(x, k, key);
    return e && e->first != SLOT_EMPTY ? e : NULL;
}

/* Per list account, in one pass over the list: where its marks begin
 * (*marks: the marks of all) and its slots' table's size and place
 * (*slots: the entries of all). */
static void plan_accounts(struct balexec *x, size_t *marks, size_t *slots)
{
    *marks = 0;
    *slots = 0;
    x->write_count = 0;
    for (size_t k = 0; k < x->list->account_count; k++) {
        const struct bal_account *acc = &x->list->accounts[k];
        x->mark_base[k] = *marks;
        *marks +=
            acc->write_count + acc->balance_count + acc->nonce_count + acc->code_count + acc->read_count;
        x->write_count += acc->write_count;
        size_t entries = acc->write_count + acc->read_count, cap = 0;
        if (entries) {
            cap = 4;
            while (cap < 2 * entries)
                cap *= 2;
        }
        x->slot_base[k] = *slots;
        x->slot_mask[k] = cap ? cap - 1 : 0;
        *slots += cap;
    }
}

/* Fill account k's table (plan_accounts placed it). */
static void slots_fill(struct balexec *x, size_t k)
{
    const struct bal_account *acc = &x->list->accounts[k];
    if (!x->slot_mask[k])
        return;
    struct slot_entry *t = x->slots + x->slot_base[k];
    for (size_t i = 0; i <= x->slot_mask[k]; i++)
        t[i].first = SLOT_EMPTY;
    for (size_t j = 0; j < acc->write_count; j++) {
        struct slot_entry *e = slot_probe(x, k, &acc->writes[j].key);
        if (e->first == SLOT_EMPTY)
            *e = (struct slot_entry){acc->writes[j].key, (uint32_t)j, 0, acc->writes[j].index};
        e->count++; /* (bal_finish: a slot's writes are adjacent) */
    }
    for (size_t j = 0; j < acc->read_count; j++) {
        struct slot_entry *e = slot_probe(x, k, &acc->reads[j]);
        if (e->first == SLOT_EMPTY) /* (bal_finish: no slot both read and written) */
            *e = (struct slot_entry){acc->reads[j], (uint32_t)j, 0, 0};
    }
}

/* Of account k's writes of slot key, the position of the first at an
 * index >= `index` (the end of its run if none); *e the slot's entry
 * (NULL: the list never writes it). */
static size_t writes_below(const struct balexec *x, size_t k, const u256 *key, uint32_t index,
                           const struct slot_entry **e)
{
    *e = slot_find(x, k, key);
    if (!*e || !(*e)->count)
        return 0;
    const struct bal_slot_change *w = x->list->accounts[k].writes;
    size_t first = (*e)->first;
    if ((*e)->count == 1) {
        /* Most slots are written once (a holder's balance): answered
         * from the table. The write itself is wanted soon (its value, by
         * a reader after it, or by the writer's check): fetched meanwhile. */
        __builtin_prefetch(&w[first]);
        return index <= (*e)->first_index ? first : first + 1;
    }
    if (index <= (*e)->first_index)
        return first;
    return index_search((const char *)w, sizeof *w, offsetof(struct bal_slot_change, index), first + 1,
                        first + (*e)->count, index);
}

/* The latest write of slot key of account k at an index in [1, limit),
 * or NULL. */
static const struct bal_slot_change *latest_write_from(const struct balexec *x, size_t k,
                                                       const struct slot_entry *e, size_t p)
{
    if (!e || !e->count || p == e->first)
        return NULL;
    const struct bal_slot_change *w = &x->list->accounts[k].writes[p - 1];
    return w->index >= 1 ? w : NULL;
}
static const struct bal_slot_change *latest_write(const struct balexec *x, size_t k, const u256 *key,
                                                  uint32_t limit)
{
    const struct slot_entry *e;
    size_t p = writes_below(x, k, key, limit, &e);
    return latest_write_from(x, k, e, p);
}

/* The position of account k's write of slot key at exactly `index`, or
 * -1 (write_at_from: given p and e from writes_below at index). */
static int64_t write_at_from(const struct balexec *x, size_t k, const struct slot_entry *e, size_t p,
                             uint32_t index)
{
    return e && e->count && p < (size_t)e->first + e->count && x->list->accounts[k].writes[p].index == index
               ? (int64_t)p
               : -1;
}
static int64_t write_at(const struct balexec *x, size_t k, const u256 *key, uint32_t index)
{
    const struct slot_entry *e;
    size_t p = writes_below(x, k, key, index, &e);
    return write_at_from(x, k, e, p, index);
}

/* Whether the list writes slot key of account k at any index. */
static bool written_ever(const struct balexec *x, size_t k, const u256 *key)
{
    const struct slot_entry *e = slot_find(x, k, key);
    return e && e->count;
}

/* The position of slot key among account k's reads, or -1. */
static int64_t read_at(const struct balexec *x, size_t k, const u256 *key)
{
    const struct slot_entry *e = slot_find(x, k, key);
    return e && !e->count ? (int64_t)e->first : -1;
}

/* Marks of account k: its writes, balances, nonces, codes, reads. */
static inline size_t mark_balance(const struct balexec *x, size_t k, size_t j)
{
    return x->mark_base[k] + x->list->accounts[k].write_count + j;
}
static inline size_t mark_nonce(const struct balexec *x, size_t k, size_t j)
{
    return mark_balance(x, k, x->list->accounts[k].balance_count) + j;
}
static inline size_t mark_code(const struct balexec *x, size_t k, size_t j)
{
    return mark_nonce(x, k, x->list->accounts[k].nonce_count) + j;
}
static inline size_t mark_read(const struct balexec *x, size_t k, size_t j)
{
    return mark_code(x, k, x->list->accounts[k].code_count) + j;
}

static inline void mark(uint64_t *bits, size_t m)
{
    bits[m / 64] |= (uint64_t)1 << (m % 64);
}

static inline bool marked(const uint64_t *bits, size_t m)
{
    return bits[m / 64] >> (m % 64) & 1;
}

/* Whether marks [0, count) are all set. */
static bool all_marked(const uint64_t *bits, size_t count)
{
    uint64_t all = ~(uint64_t)0;
    for (size_t j = 0; j < count / 64; j++)
        all &= bits[j];
    if (count % 64)
        all &= bits[count / 64] | ~(((uint64_t)1 << (count % 64)) - 1);
    return all == ~(uint64_t)0;
}

/* ---- one transaction's view: the list's changes at [1, limit), then
 * the world ---- */

#define VIEW_CACHE 16 /* a power of two */
struct balexec_view {
    struct balexec *x;
    uint32_t limit; /* the transaction's block access index */
    bool unsure;
    uint64_t *bits; /* its worker's marks */
    /* The entries of accounts asked before, direct-mapped by an address
     * byte (a transaction asks of a few accounts many times: its reads,
     * accesses and writes); NULL: empty; &acct_absent: not in the list. */
    address cache_addr[VIEW_CACHE];
    const struct acct_entry *cache_e[VIEW_CACHE];
};

static const struct acct_entry acct_absent;

static inline unsigned view_slot(const address *a)
{
    return (a->bytes[19] ^ a->bytes[7]) & (VIEW_CACHE - 1);
}

/* acct_find through the view's cache. */
static const struct acct_entry *view_entry(struct balexec_view *v, const address *a)
{
    unsigned slot = view_slot(a);
    const struct acct_entry *e = v->cache_e[slot];
    if (e && same_address(&v->cache_addr[slot], a))
        return e == &acct_absent ? NULL : e;
    e = acct_find(v->x, a);
    v->cache_addr[slot] = *a;
    v->cache_e[slot] = e ? e : &acct_absent;
    return e;
}

/* a's record in the world: its entry's, or looked up (an account the
 * list lacks fails its transaction's check). */
static const struct world_account *view_pre(const struct balexec_view *v, const struct acct_entry *e,
                                            const address *a)
{
    return e ? e->pre : world_get(v->x->base, a);
}

static const struct bal_account *entry_account(const struct balexec_view *v, const struct acct_entry *e)
{
    return &v->x->list->accounts[e->k];
}

/* e's latest balance (nonces: nonce) change below the view's index, or
 * NULL (e NULL: an account the list lacks). */
static const struct bal_change *view_latest(const struct balexec_view *v, const struct acct_entry *e,
                                            bool nonces)
{
    if (!e || (nonces ? e->first_nonce : e->first_balance) >= v->limit)
        return NULL;
    const struct bal_account *acc = entry_account(v, e);
    return nonces ? latest(acc->nonces, acc->nonce_count, v->limit)
                  : latest(acc->balances, acc->balance_count, v->limit);
}

static int view_balance(void *ctx, const address *a, u256 *out)
{
    struct balexec_view *v = ctx;
    const struct acct_entry *e = view_entry(v, a);
    const struct world_account *w = view_pre(v, e, a);
    const struct bal_change *c = view_latest(v, e, false);
    *out = c ? c->value : w ? w->balance : u256_zero();
    return PAREVM_OK;
}

static int view_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct balexec_view *v = ctx;
    const struct acct_entry *e = view_entry(v, a);
    const struct world_account *w = view_pre(v, e, a);
    const struct bal_change *c = view_latest(v, e, true);
    if (c) {
        if (c->value.w[1] | c->value.w[2] | c->value.w[3])
            v->unsure = true; /* (no nonce is that large: the list is wrong) */
        *nonce = c->value.w[0];
    } else {
        *nonce = w ? w->nonce : 0;
    }
    /* An account the world lacks exists once an earlier transaction gave
     * it a balance, nonce or code (from EIP-161 nothing else creates one;
     * an account created empty fails its creator's check), until one
     * deletes it. */
    *exists = account_exists_before(v->x, e, w, v->limit);
    return PAREVM_OK;
}

static int view_code(void *ctx, const address *a, struct code **out)
{
    struct balexec_view *v = ctx;
    const struct acct_entry *e = view_entry(v, a);
    const struct world_account *w = view_pre(v, e, a);
    const struct bal_code_change *c = NULL;
    if (e && e->first_code < v->limit) {
        const struct bal_account *acc = entry_account(v, e);
        c = latest_code(acc->codes, acc->code_count, v->limit);
    }
    *out = c ? c->code : w ? w->code : code_empty();
    return PAREVM_OK;
}

static int view_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct balexec_view *v = ctx;
    const struct acct_entry *e = view_entry(v, a);
    const struct world_account *w = view_pre(v, e, a);
    const struct bal_slot_change *c = e ? latest_write(v->x, e->k, key, v->limit) : NULL;
    uint32_t d = account_emptied_at(v->x, e, v->limit);
    if (d && (!c || c->index < d))
        *out = u256_zero(); /* (left empty since: no storage from there) */
    else
        *out = c ? c->value : w ? world_get_storage(w, key) : u256_zero();
    return PAREVM_OK;
}

/* EIP-7610 collision check. Certain when the list changed no slot of the
 * account below the transaction, or left one of them non-zero; otherwise
 * (every slot it changed is zero now, the world's other slots unknown
 * without a walk a lazy world cannot do) the view is unsure. */
static int view_has_storage(void *ctx, const address *a, bool *out)
{
    struct balexec_view *v = ctx;
    const struct acct_entry *e = view_entry(v, a);
    const struct world_account *w = view_pre(v, e, a);
    /* (left empty at d: the world's storage is gone, and the writes from
     * d on are all there is, so the answer is certain) */
    uint32_t d = account_emptied_at(v->x, e, v->limit);
    *out = !d && w && world_account_has_storage(w);
    if (!e)
        return PAREVM_OK;
    const struct bal_account *acc = entry_account(v, e);
    bool changed = false;
    for (size_t j = 0; j < acc->write_count; j++) {
        const struct bal_slot_change *s = &acc->writes[j];
        if (s->index < 1 || s->index >= v->limit || s->index < d)
            continue;
        const struct bal_slot_change *last = latest_write(v->x, e->k, &s->key, v->limit);
        changed = true;
        if (last && !u256_is_zero(&last->value)) {
            *out = true;
            return PAREVM_OK;
        }
    }
    if (changed && !d)
        v->unsure = true;
    return PAREVM_OK;
}

static int view_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    const struct block_env *env = ((struct balexec_view *)ctx)->x->env;
    if (!env->block_hash)
        return PAREVM_ERR_MISSING;
    return env->block_hash(env->block_hash_arg, number, out);
}

static const struct state_view_ops balexec_view_ops = {
    .balance = view_balance,
    .nonce = view_nonce,
    .code = view_code,
    .storage = view_storage,
    .has_storage = view_has_storage,
    .block_hash = view_block_hash,
};

/* ---- a transaction's check against the list at its index ---- */

struct tx_check {
    struct balexec *x;
    struct balexec_view *v;
    uint32_t tx;
};

static void fail(struct balexec *x, uint32_t tx, enum fail_kind kind, const address *a, const u256 *key)
{
    struct tx_fail *f = &x->fails[tx];
    if (f->kind == FAIL_NONE) {
        f->kind = (uint8_t)kind;
        f->addr = *a;
        f->has_key = key != NULL;
        f->key = key ? *key : u256_zero();
    }
    atomic_store_explicit(&x->failed, true, memory_order_relaxed);
}

/* A slot accessed without a change: a read of the list, or a slot the
 * list writes at some index (EIP-7928: writes subsume reads). */
static void check_read(struct balexec *x, uint64_t *bits, uint32_t tx, size_t k, const address *a,
                       const u256 *key)
{
    int64_t r = read_at(x, k, key);
    if (r >= 0)
        mark(bits, mark_read(x, k, (size_t)r));
    else if (!written_ever(x, k, key))
        fail(x, tx, FAIL_READ, a, key);
}

/* journal_access_fn: every account and slot the transaction accessed. */
static int on_access(void *arg, const address *a, const u256 *slot)
{
    struct tx_check *c = arg;
    const struct acct_entry *e = view_entry(c->v, a);
    if (!e) {
        fail(c->x, c->tx, FAIL_ACCOUNT, a, NULL);
        return PAREVM_OK;
    }
    mark(c->v->bits, c->x->seen_base + e->k);
    if (slot)
        check_read(c->x, c->v->bits, c->tx, e->k, a, slot);
    return PAREVM_OK;
}

/* Whether c[p] (p from change_at: -1, none) is the change to value;
 * marked. */
static bool expect_found(uint64_t *bits, const struct bal_change *c, int64_t p, size_t mark_first,
                         const u256 *value)
{
    if (p < 0 || !u256_eq(&c[p].value, value))
        return false;
    mark(bits, mark_first + (size_t)p);
    return true;
}

/* Whether the list has the change (index, value) among c[0..n); marked. */
static bool expect_change(uint64_t *bits, const struct bal_change *c, size_t n, size_t mark_first,
                          uint32_t index, const u256 *value)
{
    return expect_found(bits, c, change_at(c, n, index), mark_first, value);
}

/* Transaction tx deleted e's account, which existed: as bal_record
 * records it, each of its balance (pb: the changes below the
 * transaction's index), nonce and code that was not empty must have
 * the list's change to empty at the index, so that the list says the
 * account was deleted (see account_emptied_at). An account that was
 * empty already leaves no change to say it. */
static void check_deletion(struct balexec *x, struct balexec_view *v, uint32_t tx, const struct acct_entry *e,
                           size_t pb, size_t pn, const u256 *pre_balance, uint64_t pre_nonce)
{
    const uint32_t u = v->limit;
    const size_t k = e->k;
    const struct bal_account *acc = &x->list->accounts[k];
    struct code *before;
    view_code(v, &e->addr, &before);
    if (u256_is_zero(pre_balance) && !pre_nonce && !before->len) {
        fail(x, tx, FAIL_DELETED, &e->addr, NULL);
        return;
    }
    const u256 zero = u256_zero();
    if (!u256_is_zero(pre_balance) &&
        !expect_found(v->bits, acc->balances, change_at_from(acc->balances, acc->balance_count, pb, u),
                      mark_balance(x, k, 0), &zero))
        fail(x, tx, FAIL_BALANCE, &e->addr, NULL);
    if (pre_nonce && !expect_found(v->bits, acc->nonces, change_at_from(acc->nonces, acc->nonce_count, pn, u),
                                   mark_nonce(x, k, 0), &zero))
        fail(x, tx, FAIL_NONCE, &e->addr, NULL);
    if (before->len) {
        size_t p = codes_below(acc->codes, acc->code_count, u);
        if (p < acc->code_count && acc->codes[p].index == u && acc->codes[p].code->len == 0)
            mark(v->bits, mark_code(x, k, p));
        else
            fail(x, tx, FAIL_CODE, &e->addr, NULL);
    }
}

/* A write of wa (not a deletion) that leaves its account's balance and
 * nonce zero: it must not leave the code empty too, having changed
 * something, since the list would then say the account was deleted
 * (none of the EVM's rules does that: from Spurious Dragon the account
 * is deleted, and before it only a self-destruct empties an account). */
static void check_not_emptied(struct balexec *x, struct balexec_view *v, uint32_t tx,
                              const struct ws_account *wa, const u256 *pre_balance, uint64_t pre_nonce)
{
    struct code *before;
    view_code(v, &wa->addr, &before);
    const struct code *post = (wa->flags & WS_CODE) && wa->code ? wa->code : before;
    /* (post empty: changed when anything was not) */
    if (!post->len && (!u256_is_zero(pre_balance) || pre_nonce || before->len))
        fail(x, tx, FAIL_EMPTIED, &wa->addr, NULL);
}

/* What transaction tx (block access index u) wrote, against its view v
 * (the values before it) and the list at u: as bal_record would record
 * it, every change must be the list's. */
static void check_writes(struct balexec *x, struct balexec_view *v, uint32_t tx, const struct write_set *ws)
{
    const uint32_t u = v->limit;
    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        const struct acct_entry *e = view_entry(v, &wa->addr);
        if (!e) {
            fail(x, tx, FAIL_ACCOUNT, &wa->addr, NULL);
            continue;
        }
        const size_t k = e->k;
        mark(v->bits, x->seen_base + k);
        const struct bal_account *acc = &x->list->accounts[k];
        /* the values before it, as its view showed them (one search
         * each also finds the change at u) */
        const struct world_account *w = e->pre;
        size_t pb = changes_below(acc->balances, acc->balance_count, u);
        size_t pn = changes_below(acc->nonces, acc->nonce_count, u);
        const struct bal_change *cb = latest_from(acc->balances, pb);
        const struct bal_change *cn = latest_from(acc->nonces, pn);
        u256 pre_balance = cb ? cb->value : w ? w->balance : u256_zero();
        uint64_t pre_nonce = cn ? cn->value.w[0] : w ? w->nonce : 0;
        bool exists = account_exists_before(x, e, w, u);
        if (wa->flags & WS_DELETE) {
            if (exists)
                check_deletion(x, v, tx, e, pb, pn, &pre_balance, pre_nonce);
            continue; /* (never existed: nothing changes) */
        }
        if ((wa->flags & WS_CLEAR_STORAGE) && exists) {
            bool has;
            view_has_storage(v, &wa->addr, &has);
            if (has)
                fail(x, tx, FAIL_CLEARED, &wa->addr, NULL);
        }
        if (!exists) {
            bool trace = ((wa->flags & WS_BALANCE) && !u256_is_zero(&wa->balance)) ||
                         ((wa->flags & WS_BALANCE_DELTA) && !u256_is_zero(&wa->delta)) ||
                         ((wa->flags & WS_NONCE) && wa->nonce != 0) ||
                         ((wa->flags & WS_CODE) && wa->code && wa->code->len);
            /* created empty (before Spurious Dragon): the list's balance
             * change to zero at its index says so (bal_record) */
            const u256 zero = u256_zero();
            if (!trace && !expect_found(v->bits, acc->balances,
                                        change_at_from(acc->balances, acc->balance_count, pb, u),
                                        mark_balance(x, k, 0), &zero))
                fail(x, tx, FAIL_EMPTY, &wa->addr, NULL);
        }
        u256 post = pre_balance;
        if (wa->flags & WS_BALANCE)
            post = wa->balance;
        else if (wa->flags & WS_BALANCE_DELTA)
            post = u256_add(&pre_balance, &wa->delta);
        if (u256_is_zero(&post) && !((wa->flags & WS_NONCE) ? wa->nonce : pre_nonce))
            check_not_emptied(x, v, tx, wa, &pre_balance, pre_nonce);
        if (!u256_eq(&post, &pre_balance) &&
            !expect_found(v->bits, acc->balances, change_at_from(acc->balances, acc->balance_count, pb, u),
                          mark_balance(x, k, 0), &post))
            fail(x, tx, FAIL_BALANCE, &wa->addr, NULL);
        if ((wa->flags & WS_NONCE) && wa->nonce != pre_nonce) {
            u256 nv = u256_from_u64(wa->nonce);
            if (!expect_found(v->bits, acc->nonces, change_at_from(acc->nonces, acc->nonce_count, pn, u),
                              mark_nonce(x, k, 0), &nv))
                fail(x, tx, FAIL_NONCE, &wa->addr, NULL);
        }
        if ((wa->flags & WS_CODE) && wa->code) {
            struct code *before;
            view_code(v, &wa->addr, &before);
            bool same = exists ? hash32_eq(&before->hash, &wa->code->hash) : wa->code->len == 0;
            if (!same) {
                size_t p = codes_below(acc->codes, acc->code_count, u);
                if (p < acc->code_count && acc->codes[p].index == u &&
                    hash32_eq(&acc->codes[p].code->hash, &wa->code->hash))
                    mark(v->bits, mark_code(x, k, p));
                else
                    fail(x, tx, FAIL_CODE, &wa->addr, NULL);
            }
        }
    }
    for (size_t i = 0; i < ws->slot_count; i++) {
        const struct ws_slot *s = &ws->slots[i];
        const struct acct_entry *ae = view_entry(v, &s->addr);
        if (!ae) {
            fail(x, tx, FAIL_ACCOUNT, &s->addr, NULL);
            continue;
        }
        const size_t k = ae->k;
        mark(v->bits, x->seen_base + k);
        /* One search gives both the value before it (as view_storage
         * showed it: the latest write below u, else the world's) and
         * the list's write at u. */
        const struct bal_account *acc = &x->list->accounts[k];
        const struct slot_entry *e;
        size_t q = writes_below(x, k, &s->key, u, &e);
        const struct bal_slot_change *last = latest_write_from(x, k, e, q);
        uint32_t d = account_emptied_at(x, ae, u);
        u256 before = d && (!last || last->index < d) ? u256_zero()
                      : last                          ? last->value
                      : ae->pre                       ? world_get_storage(ae->pre, &s->key)
                                                      : u256_zero();
        if (u256_eq(&before, &s->value)) { /* EIP-7928: an unchanged slot is a read */
            check_read(x, v->bits, tx, k, &s->addr, &s->key);
            continue;
        }
        int64_t p = write_at_from(x, k, e, q, u);
        if (p >= 0 && u256_eq(&acc->writes[p].value, &s->value))
            mark(v->bits, x->mark_base[k] + (size_t)p);
        else
            fail(x, tx, FAIL_STORAGE, &s->addr, &s->key);
    }
}

/* ---- execution ---- */

/* ---- fetching ahead ----
 *
 * A transaction's first questions are of its sender and recipient, and
 * each is a chain of cold loads: its entry, then its world record and
 * list account, then the list's changes. A worker running positions k..
 * of the order starts them for the next ones in stages, a position
 * apart, so that each load is in flight while a transaction runs:
 * entries three ahead, records and list accounts two ahead, changes one
 * ahead. The entries found two ahead are kept for the later stages and
 * the run's view (the entries do not change once filled); the rest are
 * hints only. */

static void ahead_entry(const struct balexec *x, const address *a)
{
    __builtin_prefetch(&x->accts[acct_hash(a) & x->acct_mask]);
}

/* Position k's sender and recipient: their entries found (kept in w's
 * ring for the later stages and the run), and their records and list
 * accounts fetched. */
static void ahead_account(const struct balexec *x, struct worker_ws *w, size_t k)
{
    const struct tx *t = &x->txs[x->order[k]];
    struct ahead_found *f = &w->found[k & (AHEAD_RING - 1)];
    f->pos = k;
    f->e[0] = t->has_sender ? acct_find(x, &t->sender) : NULL;
    f->e[1] = t->has_to ? acct_find(x, &t->to) : NULL;
    for (int j = 0; j < 2; j++) {
        const struct acct_entry *e = f->e[j];
        if (!e)
            continue;
        if (e->pre) {
            __builtin_prefetch(&e->pre->balance);
            __builtin_prefetch(&e->pre->code);
        }
        const char *acc = (const char *)&x->list->accounts[e->k];
        __builtin_prefetch(acc);
        __builtin_prefetch(acc + sizeof(struct bal_account) - 1);
    }
}

/* What ahead_account found of position k, or NULL (it did not run). */
static const struct ahead_found *ahead_found(const struct worker_ws *w, size_t k)
{
    const struct ahead_found *f = &w->found[k & (AHEAD_RING - 1)];
    return f->pos == k ? f : NULL;
}

static void ahead_changes(const struct balexec *x, const struct worker_ws *w, size_t k)
{
    const struct ahead_found *f = ahead_found(w, k);
    for (int j = 0; f && j < 2; j++) {
        const struct acct_entry *e = f->e[j];
        if (!e)
            continue;
        const struct bal_account *acc = &x->list->accounts[e->k];
        if (e->first_balance != NO_CHANGE)
            __builtin_prefetch(acc->balances);
        if (e->first_nonce != NO_CHANGE)
            __builtin_prefetch(acc->nonces);
    }
}

/* (and its call data, which the intrinsic gas reads first: up to four
 * lines) */
static void ahead_data(const struct balexec *x, size_t k)
{
    const struct tx *t = &x->txs[x->order[k]];
    for (size_t off = 0; off < t->data_len && off < 256; off += 64)
        __builtin_prefetch(t->data + off);
}

static void ahead_entries(const struct balexec *x, size_t k)
{
    const struct tx *t = &x->txs[x->order[k]];
    if (t->has_sender)
        ahead_entry(x, &t->sender);
    if (t->has_to)
        ahead_entry(x, &t->to);
}

/* The view's cache, holding what ahead_account found of the
 * transaction's sender and recipient (their first questions then cost
 * no search). */
static void view_seed(struct balexec_view *v, const struct tx *t, const struct ahead_found *f)
{
    const address *a[2] = {t->has_sender ? &t->sender : NULL, t->has_to ? &t->to : NULL};
    for (int j = 0; j < 2; j++) {
        if (!a[j])
            continue;
        unsigned slot = view_slot(a[j]);
        v->cache_addr[slot] = *a[j];
        v->cache_e[slot] = f->e[j] ? f->e[j] : &acct_absent;
    }
}

/* Run the transaction at position k of the order on worker `worker`;
 * end: where the worker's run of positions ends (what it fetches ahead). */
static void run_one(struct balexec *x, size_t worker, size_t k, size_t end)
{
    struct worker_ws *w = &x->ws[worker];
    if (k + 3 < end)
        ahead_entries(x, k + 3);
    if (k + 2 < end) {
        ahead_account(x, w, k + 2);
        ahead_data(x, k + 2);
    }
    if (k + 1 < end)
        ahead_changes(x, w, k + 1);
    /* relaxed: a hint; a transaction run needlessly changes nothing */
    if (atomic_load_explicit(&x->failed, memory_order_relaxed))
        return;
    uint32_t i = x->order[k];
    struct par_tx_output *o = &x->out[i];
    struct balexec_view v;
    v.x = x;
    v.limit = i + 1;
    v.unsure = false;
    v.bits = x->bits + worker * x->words;
    memset(v.cache_e, 0, sizeof v.cache_e);
    const struct ahead_found *f = ahead_found(w, k);
    if (f)
        view_seed(&v, &x->txs[i], f);
    struct state_view view = {&balexec_view_ops, &v};
    struct tx_check check = {x, &v, i};
    struct write_set *ws = &w->ws;
    CHAOS_POINT();
    /* The clock only for the schedule (nothing else reads exec_ns of a
     * driven run; a read of it costs as much as a small transaction's
     * check). */
    uint64_t t0 = x->rec ? monotonic_ns() : 0;
    /* As in Block-STM: executed as if no gas had been used before it
     * (the commit re-checks the block gas limit in order). */
    int err =
        transition_apply_recorded(x->env, &view, &x->txs[i], 0, NULL, on_access, &check, &o->result, ws);
    if (x->rec) {
        uint64_t t1 = monotonic_ns();
        o->exec_ns = t1 - t0;
        rec_event(&x->rec[worker], t0, t1, i, 0, PAR_EV_EXECUTE, PAR_EV_OK, x->rec_t0);
    }
    if (err) {
        /* no writes; the error surfaces if the commit reaches it */
        tx_result_free(&o->result);
        memset(&o->result, 0, sizeof o->result);
        if (err == PAREVM_ERR_NOMEM)
            atomic_store_explicit(&x->err, err, memory_order_relaxed);
    } else if (o->result.error == TXERR_NONE) {
        CHAOS_POINT(); /* (between the run and its check: another worker's marks meanwhile) */
        check_writes(x, &v, i, ws);
        if (v.unsure) {
            address none = {{0}};
            fail(x, i, FAIL_UNSURE, &none, NULL);
        }
    }
    /* Checked: the writes are the list's at its index (o->ws stays
     * empty; balexec_apply writes the list's). */
    write_set_reset(ws);
    o->internal_err = err;
    o->incarnations = 1;
}

/* The logs blooms of the outputs of positions [start, end) of the
 * order (parallel.h: bloom), hashed across transactions a few at a time
 * (logs_bloom_many: a Transfer log's two new items fill half a hash). */
#define RUN_BLOOMS 4
static void run_blooms(struct balexec *x, size_t start, size_t end)
{
    const struct log *logs[RUN_BLOOMS];
    size_t n[RUN_BLOOMS], count = 0;
    uint8_t *blooms[RUN_BLOOMS];
    for (size_t k = start; k < end; k++) {
        struct par_tx_output *o = &x->out[x->order[k]];
        if (!o->result.log_count)
            continue;
        logs[count] = o->result.logs;
        n[count] = o->result.log_count;
        blooms[count++] = o->bloom;
        o->bloom_set = true;
        if (count == RUN_BLOOMS) {
            logs_bloom_many(logs, n, count, blooms);
            count = 0;
        }
    }
    if (count)
        logs_bloom_many(logs, n, count, blooms);
}

/* One worker's share: runs of the order, claimed from x->next. A run
 * holds up to an eighth of a worker's share of the gas limits left (at
 * least one transaction, at most 32): fewer claims of the shared
 * counter, and neighbouring outputs written by one worker; a transaction
 * that alone exceeds that runs alone, so the longest, first in the
 * order, go to different workers, and the runs shrink towards the end,
 * where the last ones decide the critical path. */
static void run_share(void *arg, size_t worker)
{
    struct balexec *x = arg;
    for (;;) {
        size_t start = atomic_load_explicit(&x->next, memory_order_relaxed);
        if (start >= x->n)
            return;
        /* gas_before[k]: the gas limits of order[0..k) */
        uint64_t left = x->gas_before[x->n] - x->gas_before[start];
        uint64_t budget = left / (8 * x->workers);
        size_t end = start + 1;
        while (end < x->n && end - start < 32 && x->gas_before[end + 1] - x->gas_before[start] <= budget)
            end++;
        CHAOS_POINT(); /* (between reading next and claiming a run) */
        /* relaxed: the runs need only be distinct (the join publishes the results) */
        if (!atomic_compare_exchange_weak_explicit(&x->next, &start, end, memory_order_relaxed,
                                                   memory_order_relaxed))
            continue;
        for (size_t k = start; k < end; k++)
            run_one(x, worker, k, end);
        run_blooms(x, start, end);
    }
}

/* Order idx[0..n) (0..n-1 on entry) longest first: by gas limit,
 * descending, ties in index order (a merge sort: qsort takes no
 * context). The limits are read once into an array of their own, and
 * sorted from there (a transaction is several lines; a pass of the sort
 * over them missed the cache at each one); a block already in that order
 * (every transfer's 21,000) is left as it is. */
static int order_longest(const struct tx *txs, uint32_t *idx, size_t n)
{
    uint64_t *gas = malloc((n ? n : 1) * sizeof *gas);
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!gas || !tmp) {
        free(gas);
        free(tmp);
        return PAREVM_ERR_NOMEM;
    }
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        gas[i] = txs[i].gas_limit;
        sorted = sorted && (i == 0 || gas[i] <= gas[i - 1]);
    }
    for (size_t width = 1; !sorted && width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = gas[idx[b]] > gas[idx[a]] ? idx[b++] : idx[a++]; /* stable: ties keep index order */
            while (a < mid)
                tmp[k++] = idx[a++];
            while (b < hi)
                tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
    free(gas);
    free(tmp);
    return PAREVM_OK;
}

/* The entries (with their world records) and slot tables of the list's
 * accounts, 256 per job. */
#define PRE_CHUNK 256
static void lookup_pre(void *arg, size_t chunk)
{
    struct balexec *x = arg;
    size_t end = (chunk + 1) * PRE_CHUNK;
    if (end > x->list->account_count)
        end = x->list->account_count;
    for (size_t k = chunk * PRE_CHUNK; k < end; k++) {
        if (k + 8 < end) { /* (what the next ones read and write: their misses overlap) */
            const struct bal_account *next = &x->list->accounts[k + 8];
            __builtin_prefetch(next->balances);
            __builtin_prefetch(next->nonces);
            __builtin_prefetch(&x->accts[acct_hash(&next->addr) & x->acct_mask], 1);
            world_prefetch(x->base, &next->addr);
        }
        acct_insert(x, k, world_get(x->base, &x->list->accounts[k].addr));
        slots_fill(x, k);
    }
}

void balexec_free(struct balexec *x)
{
    if (!x)
        return;
    free(x->order);
    free(x->gas_before);
    free(x->accts);
    free(x->mark_base);
    free(x->bits);
    free(x->slots);
    free(x->slot_base);
    free(x->slot_mask);
    free(x->fails);
    rec_workers_free(x->rec, (int)x->workers);
    for (size_t w = 0; x->ws && w < x->workers; w++)
        write_set_free(&x->ws[w].ws);
    free(x->ws);
    free(x);
}

/* why: the first failing transaction's reason. Returns whether that
 * proves the list wrong: every transaction below it ran, was valid and
 * held (so its view was the block's state) and it wrote or accessed
 * something other than the list says, rather than doing something no
 * list can express. */
static bool describe_fail(const struct balexec *x, char *why, size_t why_len)
{
    bool below_held = true;
    for (size_t i = 0; i < x->n; i++) {
        const struct tx_fail *f = &x->fails[i];
        if (f->kind == FAIL_NONE) {
            const struct par_tx_output *o = &x->out[i];
            below_held &= o->incarnations == 1 && !o->internal_err && o->result.error == TXERR_NONE;
            continue;
        }
        char a[43], key[96] = "";
        hex_encode(f->addr.bytes, 20, a);
        if (f->has_key) {
            char k[80];
            u256_to_hex(&f->key, k);
            snprintf(key, sizeof key, ", slot %s", k);
        }
        snprintf(why, why_len, "transaction %zu (index %zu) %s: account %s%s", i, i + 1, fail_text[f->kind],
                 a, key);
        /* (a list that lacks a created-empty account's mark is wrong:
         * bal_record always records it) */
        return below_held && (f->kind <= FAIL_STORAGE || f->kind == FAIL_EMPTY);
    }
    snprintf(why, why_len, "a transaction failed its check");
    return false;
}

int balexec_execute(const struct block_env *env, const struct world *base, const struct bal *list,
                    const struct tx *txs, size_t n, int threads, struct exec_env *pool,
                    struct par_tx_output *out, struct par_record *rec, struct balexec **run, bool *held,
                    bool *wrong, char *why, size_t why_len)
{
    *run = NULL;
    *held = false;
    *wrong = false;
    if (!list->finished || n > UINT32_MAX - 2)
        return PAREVM_ERR_ARG;
    struct balexec *x = calloc(1, sizeof *x);
    if (!x)
        return PAREVM_ERR_NOMEM;
    x->env = env;
    x->base = base;
    x->list = list;
    x->txs = txs;
    x->out = out;
    x->n = n;
    atomic_init(&x->failed, false);
    atomic_init(&x->empties, false);
    atomic_init(&x->next, 0);
    atomic_init(&x->err, PAREVM_OK);
    size_t accounts = list->account_count, marks = 0;
    x->order = malloc((n ? n : 1) * sizeof *x->order);
    x->fails = calloc(n ? n : 1, sizeof *x->fails);
    /* (a power of two at least 3/2 the accounts) */
    size_t acct_cap = 4;
    while (acct_cap < accounts + accounts / 2)
        acct_cap *= 2;
    x->acct_mask = acct_cap - 1;
    x->accts = aligned_alloc(_Alignof(struct acct_entry), acct_cap * sizeof *x->accts);
    for (size_t i = 0; x->accts && i < acct_cap; i++)
        atomic_init(&x->accts[i].k, ACCT_EMPTY);
    x->mark_base = malloc((accounts ? accounts : 1) * sizeof *x->mark_base);
    x->slot_base = malloc((accounts ? accounts : 1) * sizeof *x->slot_base);
    x->slot_mask = malloc((accounts ? accounts : 1) * sizeof *x->slot_mask);
    /* (at one thread, or none: one worker) */
    x->workers = threads > 1 ? (size_t)threads : 1;
    if (x->mark_base && x->slot_base && x->slot_mask) {
        size_t slots;
        plan_accounts(x, &marks, &slots);
        x->seen_base = marks;
        /* each worker's words on lines of their own */
        x->words = ((marks + accounts) / 64 + 1 + 7) / 8 * 8;
        x->bits = aligned_alloc(64, x->workers * x->words * sizeof *x->bits);
        if (x->bits)
            memset(x->bits, 0, x->workers * x->words * sizeof *x->bits);
        x->slots = malloc((slots ? slots : 1) * sizeof *x->slots);
    }
    x->ws = aligned_alloc(_Alignof(struct worker_ws), x->workers * sizeof *x->ws);
    for (size_t w = 0; x->ws && w < x->workers; w++) {
        write_set_init(&x->ws[w].ws);
        for (size_t j = 0; j < AHEAD_RING; j++)
            x->ws[w].found[j].pos = SIZE_MAX;
    }
    if (rec) {
        x->rec = calloc(x->workers, sizeof *x->rec);
        for (size_t w = 0; x->rec && w < x->workers; w++)
            x->rec[w].thread = (uint16_t)w;
    }
    if (!x->order || !x->fails || !x->accts || !x->mark_base || !x->bits || !x->slots || !x->ws ||
        (rec && !x->rec)) {
        balexec_free(x);
        return PAREVM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        x->order[i] = (uint32_t)i;
    /* At one thread the order changes nothing but the cache's. */
    int err = threads > 1 ? order_longest(txs, x->order, n) : PAREVM_OK;
    if (err) {
        balexec_free(x);
        return err;
    }
    size_t chunks = (accounts + PRE_CHUNK - 1) / PRE_CHUNK;
    x->rec_t0 = monotonic_ns(); /* (the schedule's origin: the pre-state look-ups come first) */
    if (threads > 1) {
        x->gas_before = malloc((n + 1) * sizeof *x->gas_before);
        if (!x->gas_before) {
            balexec_free(x);
            return PAREVM_ERR_NOMEM;
        }
        x->gas_before[0] = 0;
        for (size_t k = 0; k < n; k++) { /* (saturating: an invalid block's limits may be anything) */
            uint64_t g = x->gas_before[k] + txs[x->order[k]].gas_limit;
            x->gas_before[k + 1] = g < x->gas_before[k] ? UINT64_MAX : g;
        }
        parallel_for(pool, threads, chunks, lookup_pre, x);
        parallel_for(pool, threads, (size_t)threads, run_share, x);
    } else {
        for (size_t c = 0; c < chunks; c++)
            lookup_pre(x, c);
        for (size_t start = 0; start < n; start += 32) { /* (the blooms of each 32 while warm) */
            size_t end = n - start < 32 ? n : start + 32;
            for (size_t k = start; k < end; k++)
                run_one(x, 0, k, n);
            run_blooms(x, start, end);
        }
    }
    err = atomic_load_explicit(&x->err, memory_order_relaxed);
    if (!err && rec) {
        err = rec_finish(x->rec, (int)x->workers, NULL, rec);
        rec->parallel_ns = monotonic_ns() - x->rec_t0;
    }
    if (err) {
        balexec_free(x);
        return err;
    }
    *held = !atomic_load_explicit(&x->failed, memory_order_relaxed);
    if (!*held)
        *wrong = describe_fail(x, why, why_len);
    *run = x;
    return PAREVM_OK;
}

/* ---- the final check ---- */

static void verify_fail(char *why, size_t why_len, const char *what, const address *a, uint32_t index,
                        const u256 *key)
{
    char ah[43], kh[96] = "";
    hex_encode(a->bytes, 20, ah);
    if (key) {
        char k[80];
        u256_to_hex(key, k);
        snprintf(kh, sizeof kh, ", slot %s", k);
    }
    snprintf(why, why_len, "%s: account %s%s, index %u", what, ah, kh, index);
}

bool balexec_verify(struct balexec *x, const struct bal *edges, size_t n, char *why, size_t why_len)
{
    const struct bal *list = x->list;
    /* every worker's marks, in the first's */
    uint64_t *bits = x->bits;
    for (size_t w = 1; w < x->workers; w++)
        for (size_t j = 0; j < x->words; j++)
            bits[j] |= x->bits[w * x->words + j];
    /* The units at 0 and n + 1: their changes are the list's there. */
    for (size_t e = 0; e < edges->account_count; e++) {
        const struct bal_account *ea = &edges->accounts[e];
        /* (edges records index 0 and n + 1 only: the transactions' own
         * changes were checked by their workers) */
        int64_t k = list_index(list, &ea->addr);
        if (k < 0) {
            verify_fail(why, why_len,
                        "a system call, reward or withdrawal accessed an account the list lacks", &ea->addr,
                        0, NULL);
            return false;
        }
        mark(bits, x->seen_base + (size_t)k);
        const struct bal_account *acc = &list->accounts[k];
        for (size_t j = 0; j < ea->balance_count; j++)
            if (!expect_change(bits, acc->balances, acc->balance_count, mark_balance(x, (size_t)k, 0),
                               ea->balances[j].index, &ea->balances[j].value)) {
                verify_fail(why, why_len, "balance change differs from the list", &ea->addr,
                            ea->balances[j].index, NULL);
                return false;
            }
        for (size_t j = 0; j < ea->nonce_count; j++)
            if (!expect_change(bits, acc->nonces, acc->nonce_count, mark_nonce(x, (size_t)k, 0),
                               ea->nonces[j].index, &ea->nonces[j].value)) {
                verify_fail(why, why_len, "nonce change differs from the list", &ea->addr,
                            ea->nonces[j].index, NULL);
                return false;
            }
        for (size_t j = 0; j < ea->code_count; j++) {
            uint32_t index = ea->codes[j].index;
            size_t p = codes_below(acc->codes, acc->code_count, index);
            if (p >= acc->code_count || acc->codes[p].index != index ||
                !hash32_eq(&acc->codes[p].code->hash, &ea->codes[j].code->hash)) {
                verify_fail(why, why_len, "code change differs from the list", &ea->addr, index, NULL);
                return false;
            }
            mark(bits, mark_code(x, (size_t)k, p));
        }
        for (size_t j = 0; j < ea->write_count; j++) {
            const struct bal_slot_change *w = &ea->writes[j];
            int64_t p = write_at(x, (size_t)k, &w->key, w->index);
            if (p < 0 || !u256_eq(&acc->writes[p].value, &w->value)) {
                verify_fail(why, why_len, "storage change differs from the list", &ea->addr, w->index,
                            &w->key);
                return false;
            }
            mark(bits, x->mark_base[k] + (size_t)p);
        }
        for (size_t j = 0; j < ea->read_count; j++) {
            int64_t r = read_at(x, (size_t)k, &ea->reads[j]);
            if (r >= 0) {
                mark(bits, mark_read(x, (size_t)k, (size_t)r));
            } else if (!written_ever(x, (size_t)k, &ea->reads[j])) {
                verify_fail(why, why_len, "a system call accessed a storage slot the list lacks", &ea->addr,
                            0, &ea->reads[j]);
                return false;
            }
        }
    }
    /* Every account, change and read of the list met by some unit: the
     * marks all set (one look at the words, not the list); if not, the
     * first unit not met, by account. */
    if (all_marked(bits, x->seen_base + list->account_count))
        return true;
    for (size_t k = 0; k < list->account_count; k++) {
        const struct bal_account *acc = &list->accounts[k];
        if (!marked(bits, x->seen_base + k)) {
            verify_fail(why, why_len, "the list has an account the block never accessed", &acc->addr, 0,
                        NULL);
            return false;
        }
        for (size_t j = 0; j < acc->write_count; j++)
            if (!marked(bits, x->mark_base[k] + j)) {
                verify_fail(why, why_len, "the list has a storage change the block did not make", &acc->addr,
                            acc->writes[j].index, &acc->writes[j].key);
                return false;
            }
        for (size_t j = 0; j < acc->balance_count; j++)
            if (!marked(bits, mark_balance(x, k, j))) {
                verify_fail(why, why_len, "the list has a balance change the block did not make", &acc->addr,
                            acc->balances[j].index, NULL);
                return false;
            }
        for (size_t j = 0; j < acc->nonce_count; j++)
            if (!marked(bits, mark_nonce(x, k, j))) {
                verify_fail(why, why_len, "the list has a nonce change the block did not make", &acc->addr,
                            acc->nonces[j].index, NULL);
                return false;
            }
        for (size_t j = 0; j < acc->code_count; j++)
            if (!marked(bits, mark_code(x, k, j))) {
                verify_fail(why, why_len, "the list has a code change the block did not make", &acc->addr,
                            acc->codes[j].index, NULL);
                return false;
            }
        for (size_t j = 0; j < acc->read_count; j++)
            if (!marked(bits, mark_read(x, k, j))) {
                verify_fail(why, why_len, "the list has a storage read the block did not make", &acc->addr, 0,
                            &acc->reads[j]);
                return false;
            }
    }
    (void)n; /* (the list's entries at indices above n + 1 are never marked) */
    /* (unreachable: the loop visits every mark) */
    snprintf(why, why_len, "the list has a unit the block did not make");
    return false;
}

/* ---- the transactions' changes, written ---- */

/* Write sets of up to this many accounts and entries are applied with
 * their world look-ups side by side (write_set.c's small path): the
 * accounts' records are cold, and their misses then overlap. A contract
 * with more slots than that is applied in parts: one write set of all
 * its slots would reserve room for each in its storage (write_set.c's
 * general path), doubling a token's table though most of its slots
 * exist. */
#define APPLY_ADDRS 16
#define APPLY_ENTRIES 64

/* balexec_apply's write set, applied and emptied. */
static int apply_part(struct write_set *ws, size_t *addrs, struct world *w, const struct ws_observer *obs)
{
    int err = ws->account_count + ws->slot_count ? write_set_apply_observed(ws, w, obs) : PAREVM_OK;
    write_set_reset(ws);
    *addrs = 0;
    return err;
}

#define APPLY_AHEAD 4 /* (accounts fetched ahead: see balexec_apply) */

/* Whether acc writes a slot at an index in (after, end). */
static bool written_after(const struct bal_account *acc, uint32_t after, uint32_t end)
{
    for (size_t j = 0; j < acc->write_count; j++)
        if (acc->writes[j].index > after && acc->writes[j].index < end)
            return true;
    return false;
}

/* Account e's latest balance, nonce and code changes (each may be
 * NULL), written into its world record, logged by obs. */
static int apply_in_place(const struct acct_entry *e, const struct bal_change *cb,
                          const struct bal_change *cn, const struct bal_code_change *cc,
                          const struct ws_observer *obs)
{
    struct ws_account wa;
    memset(&wa, 0, sizeof wa);
    wa.addr = e->addr;
    if (cb) {
        wa.flags |= WS_BALANCE;
        wa.balance = cb->value;
    }
    if (cn) {
        wa.flags |= WS_NONCE;
        wa.nonce = cn->value.w[0];
    }
    if (cc) {
        wa.flags |= WS_CODE;
        wa.code = cc->code; /* (world_set_code takes its own reference) */
    }
    return write_set_apply_account(&wa, e->pre, obs);
}

size_t balexec_apply_entries(const struct balexec *x)
{
    return x->list->account_count + x->write_count;
}

int balexec_apply(const struct balexec *x, struct world *w, const struct ws_observer *obs)
{
    const struct bal *list = x->list;
    /* the changes at indices 1..n: below n + 1 (latest: not at 0) */
    const uint32_t end = (uint32_t)x->n + 1;
    struct write_set ws;
    write_set_init(&ws);
    size_t addrs = 0; /* the accounts in ws */
    int err = PAREVM_OK;
    /* the entries of accounts k .. k + APPLY_AHEAD - 1, found while
     * fetching ahead (by position mod APPLY_AHEAD; k's is taken before
     * k + APPLY_AHEAD's replaces it) */
    const struct acct_entry *found[APPLY_AHEAD];
    for (size_t k = 0; k < list->account_count && !err; k++) {
        const struct bal_account *acc = &list->accounts[k];
        const struct acct_entry *e = k >= APPLY_AHEAD ? found[k % APPLY_AHEAD] : acct_find(x, &acc->addr);
        /* (fetched ahead, in two stages: the world's slot and the
         * account's entry, then its record and changes) */
        if (k + 2 * APPLY_AHEAD < list->account_count) {
            const address *a = &list->accounts[k + 2 * APPLY_AHEAD].addr;
            world_prefetch(w, a);
            __builtin_prefetch(&x->accts[acct_hash(a) & x->acct_mask]);
        }
        if (k + APPLY_AHEAD < list->account_count) {
            const struct bal_account *next = &list->accounts[k + APPLY_AHEAD];
            __builtin_prefetch(next->balances);
            __builtin_prefetch(next->nonces);
            if (next->code_count) /* (the code whose count the write set takes) */
                __builtin_prefetch(next->codes[next->code_count - 1].code, 1);
            const struct acct_entry *ne = acct_find(x, &next->addr);
            found[(k + APPLY_AHEAD) % APPLY_AHEAD] = ne;
            if (ne && ne->pre) {
                __builtin_prefetch(&ne->pre->balance);
                __builtin_prefetch(&ne->pre->code);
            }
        }
        const struct bal_change *cb = latest(acc->balances, acc->balance_count, end);
        const struct bal_change *cn = latest(acc->nonces, acc->nonce_count, end);
        const struct bal_code_change *cc = latest_code(acc->codes, acc->code_count, end);
        bool in_ws = false; /* acc's address is among ws's */
        /* left empty at d (deleted, or created empty): what it held
         * before is gone, its storage too; a change after d re-creates it */
        const uint32_t d =
            atomic_load_explicit(&x->empties, memory_order_relaxed) ? account_emptied_at(x, e, end) : 0;
        if (!d && !acc->write_count && e && e->pre && w == x->base) {
            /* (the common case: an account of the world whose balance,
             * nonce or code changed, no more: written into the record
             * looked up before the transactions ran, which nothing has
             * written since) */
            if (cb || cn || cc)
                err = apply_in_place(e, cb, cn, cc, obs);
            continue;
        }
        if (d || cb || cn || cc) {
            if (addrs == APPLY_ADDRS || ws.account_count + ws.slot_count == APPLY_ENTRIES)
                err = apply_part(&ws, &addrs, w, obs);
            struct ws_account *wa = err ? NULL : write_set_add_account(&ws, &acc->addr);
            if (!wa) {
                err = err ? err : PAREVM_ERR_NOMEM;
                break;
            }
            addrs++;
            in_ws = true;
            if (d && !account_exists_before(x, e, e->pre, end) && !written_after(acc, d, end)) {
                wa->flags = WS_DELETE;
                continue;
            }
            if (d) {
                wa->flags = WS_CLEAR_STORAGE | WS_BALANCE | WS_NONCE | WS_CODE;
                wa->balance = cb && cb->index > d ? cb->value : u256_zero();
                wa->nonce = cn && cn->index > d ? cn->value.w[0] : 0;
                wa->code = code_retain(cc && cc->index > d ? cc->code : code_empty());
            } else {
                if (cb) {
                    wa->flags |= WS_BALANCE;
                    wa->balance = cb->value;
                }
                if (cn) {
                    wa->flags |= WS_NONCE;
                    wa->nonce = cn->value.w[0];
                }
                if (cc) {
                    wa->flags |= WS_CODE;
                    wa->code = code_retain(cc->code);
                }
            }
        }
        /* each slot's last write in its run (bal_finish: by key, then
         * index) at an index in [1, end). Each one's place in the world's
         * storage starts loading as it joins ws, so that the write and
         * its undo record, when ws is applied, mostly hit the cache
         * (rather than wait for each slot's line in turn). Not in a
         * world with a source, whose look-ups fetch (as world_prefetch). */
        const struct world_account *wacc = acc->write_count && !w->lazy ? world_get(w, &acc->addr) : NULL;
        for (size_t j = 0; j < acc->write_count && !err; j++) {
            const struct bal_slot_change *c = &acc->writes[j];
            bool last = j + 1 == acc->write_count || !u256_eq(&acc->writes[j + 1].key, &c->key) ||
                        acc->writes[j + 1].index >= end;
            if (!last || c->index < 1 || c->index >= end || c->index < d)
                continue;
            if (ws.account_count + ws.slot_count == APPLY_ENTRIES || (!in_ws && addrs == APPLY_ADDRS)) {
                if ((err = apply_part(&ws, &addrs, w, obs)))
                    break;
                in_ws = false;
            }
            if (wacc)
                world_prefetch_storage(wacc, &c->key);
            err = write_set_add_slot(&ws, &acc->addr, &c->key, &c->value);
            if (!in_ws) {
                addrs++;
                in_ws = true;
            }
        }
    }
    if (!err)
        err = apply_part(&ws, &addrs, w, obs);
    write_set_free(&ws);
    return err;
}
