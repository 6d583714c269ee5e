/*
 * partition — optimistic partitioned execution (see partition.h).
 */
#include "partition.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/types.h"
#include "../chain/logs.h"
#include "chaos.h"
#include "exec_env.h"
#include "mvmemory.h"
#include "senders.h"

/* ---- the overlay: what one run read of the pre-block world and wrote ----
 *
 * One entry per account and one per storage slot the run touched, in
 * dense arrays found through open-addressing tables of indices. An
 * account's entry holds its pre-block record (looked up once), which of
 * its locations (balance, nonce, code, storage clear: the mvmemory kinds)
 * the run read from the pre-block world, and its latest written values;
 * a slot's entry likewise. So a transaction's later reads of an account
 * or slot the run has already touched cost one probe of the run's own
 * table, and the reads to validate are the entries themselves, one per
 * location however often it was read. A run is executed by one thread;
 * after the runs finish, the overlays are only read (the validation), by
 * any thread. */

/* Bits per location kind of an account (mvmemory's numbering). */
#define OV_BIT(kind) (1u << (kind))

struct ov_account {
    address addr;
    uint8_t read;                  /* kinds read from the pre-block world */
    uint8_t set;                   /* kinds holding a value written by the run */
    uint8_t wrote;                 /* set, plus MV_BALANCE when only credited (deltas) */
    uint32_t first_read;           /* the first transaction that read the pre-block world here */
    uint32_t writer[MV_CLEAR + 1]; /* per kind in set: its last writer */
    uint64_t hash;
    const struct world_account *base; /* pre-block account (NULL: none) */
    u256 balance;                     /* set MV_BALANCE: the value; else the sum of the run's credits */
    uint64_t nonce;
    bool exists;
    struct code *code;
    uint32_t *delta_writers; /* transactions that credited since the last value */
    uint32_t delta_count, delta_cap;
};

struct ov_slot {
    address addr;
    bool read; /* read from the pre-block world (value: that value, until set) */
    bool set;  /* value written by the run */
    uint32_t writer;
    uint32_t first_read;
    uint64_t hash;
    u256 key;
    u256 value;
};

/* An open-addressing index over a dense array. Per slot: the entry's
 * index + 1 in the low 32 bits (0: empty), the key hash's high 32 bits
 * above, so that a probe past another key does not touch its entry. */
struct ov_index {
    uint64_t *slots;
    size_t mask, count;
};

struct ov_table {
    struct ov_index acct_index, slot_index;
    struct ov_account *accounts;
    struct ov_slot *slots;
    size_t account_cap, slot_cap;
    bool has_clears; /* an account's storage clear was written (else storage reads skip that check) */
};

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    x ^= x >> 33;
    return x;
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t ov_hash_addr(const address *a)
{
    const uint8_t *p = a->bytes;
    return mix64(rd64(p) * 0x9E3779B97F4A7C15u ^ rd64(p + 8) ^ (rd64(p + 12) << 7));
}

static inline uint64_t ov_hash_slot(const address *a, const u256 *key)
{
    const uint8_t *p = a->bytes, *s = (const uint8_t *)key;
    uint64_t h = rd64(p) * 0x9E3779B97F4A7C15u ^ rd64(p + 8) ^ (rd64(p + 12) << 7);
    h = mix64(h ^ rd64(s)) + rd64(s + 8);
    h = mix64(h ^ rd64(s + 16)) + rd64(s + 24);
    return mix64(h);
}

static int ov_index_init(struct ov_index *x, size_t expect)
{
    size_t cap = 64;
    while (cap < expect * 2)
        cap *= 2;
    x->slots = calloc(cap, sizeof *x->slots);
    x->mask = cap - 1;
    x->count = 0;
    return x->slots ? PAREVM_OK : PAREVM_ERR_NOMEM;
}

static int ov_init(struct ov_table *t, size_t txs)
{
    memset(t, 0, sizeof *t);
    /* A transfer touches its sender and recipient; a token transfer two slots. */
    t->account_cap = txs * 2 > 16 ? txs * 2 : 16;
    t->slot_cap = txs * 2 > 16 ? txs * 2 : 16;
    t->accounts = malloc(t->account_cap * sizeof *t->accounts);
    t->slots = malloc(t->slot_cap * sizeof *t->slots);
    if (!t->accounts || !t->slots || ov_index_init(&t->acct_index, t->account_cap) ||
        ov_index_init(&t->slot_index, t->slot_cap))
        return PAREVM_ERR_NOMEM;
    return PAREVM_OK;
}

static void ov_free(struct ov_table *t)
{
    for (size_t i = 0; i < t->acct_index.count; i++)
        free(t->accounts[i].delta_writers);
    free(t->accounts);
    free(t->slots);
    free(t->acct_index.slots);
    free(t->slot_index.slots);
    memset(t, 0, sizeof *t);
}

static inline uint64_t ov_slot_word(uint64_t h, size_t index)
{
    return (h & 0xffffffff00000000u) | ((uint64_t)index + 1);
}

/* The body of a find function: return the entry of index x over array
 * `entries` with hash h that `same` (an expression of e_) accepts, or NULL. */
#define OV_FIND(x, h, entries, same)                                                                         \
    do {                                                                                                     \
        for (size_t i_ = (size_t)(h) & (x)->mask;; i_ = (i_ + 1) & (x)->mask) {                              \
            uint64_t s_ = (x)->slots[i_];                                                                    \
            if (!s_)                                                                                         \
                return NULL;                                                                                 \
            if ((s_ ^ (h)) >> 32)                                                                            \
                continue;                                                                                    \
            __typeof__(&(entries)[0]) e_ = &(entries)[(uint32_t)s_ - 1];                                     \
            if (e_->hash == (h) && (same))                                                                   \
                return e_;                                                                                   \
        }                                                                                                    \
    } while (0)

static struct ov_account *ov_find_account(const struct ov_table *t, const address *a, uint64_t h)
{
    OV_FIND(&t->acct_index, h, t->accounts, memcmp(&e_->addr, a, sizeof *a) == 0);
}

static struct ov_slot *ov_find_slot(const struct ov_table *t, const address *a, const u256 *key, uint64_t h)
{
    OV_FIND(&t->slot_index, h, t->slots,
            memcmp(&e_->key, key, sizeof *key) == 0 && memcmp(&e_->addr, a, sizeof *a) == 0);
}

/* Room for one more entry of elem bytes in *entries (capacity *cap) and
 * its index x: PAREVM_OK or PAREVM_ERR_NOMEM. */
static int ov_room(struct ov_index *x, void **entries, size_t *cap, size_t elem, size_t hash_offset)
{
    if (x->count == *cap) {
        void *e = realloc(*entries, *cap * 2 * elem);
        if (!e)
            return PAREVM_ERR_NOMEM;
        *entries = e;
        *cap *= 2;
    }
    if ((x->count + 1) * 2 > x->mask + 1) {
        size_t n = (x->mask + 1) * 2;
        uint64_t *slots = calloc(n, sizeof *slots);
        if (!slots)
            return PAREVM_ERR_NOMEM;
        for (size_t k = 0; k < x->count; k++) {
            uint64_t h;
            memcpy(&h, (const uint8_t *)*entries + k * elem + hash_offset, sizeof h);
            size_t i = (size_t)h & (n - 1);
            while (slots[i])
                i = (i + 1) & (n - 1);
            slots[i] = ov_slot_word(h, k);
        }
        free(x->slots);
        x->slots = slots;
        x->mask = n - 1;
    }
    return PAREVM_OK;
}

static void ov_index_add(struct ov_index *x, uint64_t h)
{
    size_t i = (size_t)h & x->mask;
    while (x->slots[i])
        i = (i + 1) & x->mask;
    x->slots[i] = ov_slot_word(h, x->count++);
}

/* The run's entry for account a, created (with its pre-block record
 * looked up) if missing; NULL on ENOMEM. */
static struct ov_account *ov_account_get(struct ov_table *t, const struct world *base, const address *a)
{
    uint64_t h = ov_hash_addr(a);
    struct ov_account *e = ov_find_account(t, a, h);
    if (e)
        return e;
    if (ov_room(&t->acct_index, (void **)&t->accounts, &t->account_cap, sizeof *t->accounts,
                offsetof(struct ov_account, hash)))
        return NULL;
    e = &t->accounts[t->acct_index.count];
    memset(e, 0, sizeof *e);
    e->addr = *a;
    e->hash = h;
    e->base = world_get(base, a);
    ov_index_add(&t->acct_index, h);
    return e;
}

/* The run's entry for slot (a, key), created empty if missing (NULL on ENOMEM). */
static struct ov_slot *ov_slot_get(struct ov_table *t, const address *a, const u256 *key)
{
    uint64_t h = ov_hash_slot(a, key);
    struct ov_slot *e = ov_find_slot(t, a, key, h);
    if (e)
        return e;
    if (ov_room(&t->slot_index, (void **)&t->slots, &t->slot_cap, sizeof *t->slots,
                offsetof(struct ov_slot, hash)))
        return NULL;
    e = &t->slots[t->slot_index.count];
    memset(e, 0, sizeof *e);
    e->addr = *a;
    e->key = *key;
    e->hash = h;
    ov_index_add(&t->slot_index, h);
    return e;
}

/* ---- the runs' shared state ---- */

struct part_chunk {
    /* The run's unstarted transactions [next, hi), packed as next | hi <<
     * 32: the run's thread takes them one at a time by raising next, a
     * thief takes the upper half by lowering hi (both by CAS). */
    _Alignas(64) _Atomic uint64_t span;
    size_t lo, hi; /* hi: final once the run has ended */
    struct ov_table t;
    int err;
    bool conflict;
    size_t conflict_tx;
    uint64_t ns;
};

struct part_run {
    const struct block_env *env;
    const struct world *base;
    const struct tx *txs;
    struct par_tx_output *out;
    const uint8_t *cuts;           /* see sender_cuts */
    struct part_chunk *chunks;     /* chunk_cap of them, never moved */
    size_t chunk_count, chunk_cap; /* count: under steal_lock while threads run */
    pthread_mutex_t steal_lock;
};

/* ---- the view a transaction of a run executes against ---- */

struct part_view {
    struct part_run *run;
    struct part_chunk *chunk;
    uint32_t tx;
    uint32_t *deps;
    size_t dep_count, dep_cap;
    bool oom;
};

static void pv_dep(struct part_view *pv, uint32_t writer)
{
    if (pv->dep_count == pv->dep_cap) {
        size_t cap = pv->dep_cap ? pv->dep_cap * 2 : 8;
        uint32_t *d = realloc(pv->deps, cap * sizeof *d);
        if (!d) {
            pv->oom = true;
            return;
        }
        pv->deps = d;
        pv->dep_cap = cap;
    }
    pv->deps[pv->dep_count++] = writer;
}

static inline void ov_mark_read(struct ov_account *e, enum mv_kind kind, uint32_t tx)
{
    if (!e->read)
        e->first_read = tx;
    e->read |= (uint8_t)OV_BIT(kind);
}

/* The run's entry for account a, for a read of `kind` by the view's
 * transaction: the writer of its value (if the run set one) is recorded
 * as a dependency; otherwise the read is of the pre-block world, and is
 * marked for validation. NULL on ENOMEM. */
static struct ov_account *part_account_read(struct part_view *pv, const address *a, enum mv_kind kind)
{
    struct ov_account *e = ov_account_get(&pv->chunk->t, pv->run->base, a);
    if (!e) {
        pv->oom = true;
        return NULL;
    }
    if (e->set & OV_BIT(kind))
        pv_dep(pv, e->writer[kind]);
    else
        ov_mark_read(e, kind, pv->tx);
    return e;
}

static int part_balance(void *ctx, const address *a, u256 *out)
{
    struct part_view *pv = ctx;
    struct ov_account *e = part_account_read(pv, a, MV_BALANCE);
    if (!e)
        return PAREVM_ERR_NOMEM;
    for (uint32_t i = 0; i < e->delta_count; i++)
        pv_dep(pv, e->delta_writers[i]);
    if (e->set & OV_BIT(MV_BALANCE)) {
        *out = e->balance;
        return PAREVM_OK;
    }
    u256 base = e->base ? e->base->balance : u256_zero();
    *out = u256_add(&base, &e->balance); /* the credits (zero if none) */
    return PAREVM_OK;
}

static int part_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct part_view *pv = ctx;
    struct ov_account *e = part_account_read(pv, a, MV_NONCE);
    if (!e)
        return PAREVM_ERR_NOMEM;
    if (e->set & OV_BIT(MV_NONCE)) {
        *nonce = e->nonce;
        *exists = e->exists;
    } else {
        *nonce = e->base ? e->base->nonce : 0;
        *exists = e->base != NULL;
    }
    return PAREVM_OK;
}

static int part_code(void *ctx, const address *a, struct code **out)
{
    struct part_view *pv = ctx;
    struct ov_account *e = part_account_read(pv, a, MV_CODE);
    if (!e)
        return PAREVM_ERR_NOMEM;
    if (e->set & OV_BIT(MV_CODE))
        *out = e->code;
    else
        *out = e->base ? e->base->code : code_empty();
    return PAREVM_OK;
}

static int part_has_storage(void *ctx, const address *a, bool *out)
{
    struct part_view *pv = ctx;
    struct ov_account *e = part_account_read(pv, a, MV_CLEAR);
    if (!e)
        return PAREVM_ERR_NOMEM;
    if (e->set & OV_BIT(MV_CLEAR))
        *out = false;
    else
        *out = e->base && world_account_has_storage(e->base);
    return PAREVM_OK;
}

static int part_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct part_view *pv = ctx;
    struct ov_table *t = &pv->chunk->t;
    struct ov_slot *s = ov_slot_get(t, a, key);
    if (!s) {
        pv->oom = true;
        return PAREVM_ERR_NOMEM;
    }
    const struct ov_account *clear = NULL;
    if (t->has_clears) {
        const struct ov_account *e = ov_find_account(t, a, ov_hash_addr(a));
        if (e && (e->set & OV_BIT(MV_CLEAR)))
            clear = e;
    }
    /* As in the multi-version memory: a clear newer than the slot's last
     * write wins; within one transaction the clear comes first. */
    if (clear && (!s->set || clear->writer[MV_CLEAR] > s->writer)) {
        pv_dep(pv, clear->writer[MV_CLEAR]);
        *out = u256_zero();
        return PAREVM_OK;
    }
    if (s->set) {
        pv_dep(pv, s->writer);
        *out = s->value;
        return PAREVM_OK;
    }
    if (!s->read) {
        /* The pre-block value, remembered for the run's later reads (and
         * validated against earlier runs' writes and clears). */
        const struct ov_account *e = ov_account_get(t, pv->run->base, a);
        if (!e) {
            pv->oom = true;
            return PAREVM_ERR_NOMEM;
        }
        s->value = e->base ? world_get_storage(e->base, key) : u256_zero();
        s->read = true;
        s->first_read = pv->tx;
    }
    *out = s->value;
    return PAREVM_OK;
}

static int part_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    /* immutable during the block: no read to record */
    struct part_view *pv = ctx;
    const struct block_env *env = pv->run->env;
    if (!env->block_hash)
        return PAREVM_ERR_MISSING;
    return env->block_hash(env->block_hash_arg, number, out);
}

static const struct state_view_ops part_view_ops = {
    .balance = part_balance,
    .nonce = part_nonce,
    .code = part_code,
    .storage = part_storage,
    .has_storage = part_has_storage,
    .block_hash = part_block_hash,
};

/* ---- writes into the overlay, location by location as mvmemory_record ---- */

static void ov_set_kind(struct ov_account *e, enum mv_kind kind, uint32_t tx)
{
    e->set |= (uint8_t)OV_BIT(kind);
    e->wrote |= (uint8_t)OV_BIT(kind);
    e->writer[kind] = tx;
}

static void ov_set_balance(struct ov_account *e, uint32_t tx, const u256 *v)
{
    ov_set_kind(e, MV_BALANCE, tx);
    e->balance = *v;
    e->delta_count = 0; /* credits before a value are in it */
}

static int ov_credit(struct ov_account *e, uint32_t tx, const u256 *delta)
{
    /* A value absorbs the credit; without one, the credits add up. */
    e->balance = u256_add(&e->balance, delta);
    e->wrote |= (uint8_t)OV_BIT(MV_BALANCE);
    if (e->delta_count == e->delta_cap) {
        uint32_t cap = e->delta_cap ? e->delta_cap * 2 : 4;
        uint32_t *w = realloc(e->delta_writers, cap * sizeof *w);
        if (!w)
            return PAREVM_ERR_NOMEM;
        e->delta_writers = w;
        e->delta_cap = cap;
    }
    e->delta_writers[e->delta_count++] = tx;
    return PAREVM_OK;
}

static int ov_apply(struct ov_table *t, const struct world *base, uint32_t tx, const struct write_set *ws)
{
    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        struct ov_account *e = ov_account_get(t, base, &wa->addr);
        if (!e)
            return PAREVM_ERR_NOMEM;
        if (wa->flags & WS_DELETE) {
            u256 zero = u256_zero();
            ov_set_balance(e, tx, &zero);
            ov_set_kind(e, MV_NONCE, tx);
            e->nonce = 0;
            e->exists = false;
            ov_set_kind(e, MV_CODE, tx);
            e->code = code_empty();
            ov_set_kind(e, MV_CLEAR, tx);
            t->has_clears = true;
            continue;
        }
        if (wa->flags & WS_CLEAR_STORAGE) {
            ov_set_kind(e, MV_CLEAR, tx);
            t->has_clears = true;
        }
        if (wa->flags & WS_BALANCE)
            ov_set_balance(e, tx, &wa->balance);
        else if ((wa->flags & WS_BALANCE_DELTA) && ov_credit(e, tx, &wa->delta))
            return PAREVM_ERR_NOMEM;
        if (wa->flags & WS_NONCE) {
            ov_set_kind(e, MV_NONCE, tx);
            e->nonce = wa->nonce;
            e->exists = true;
        }
        if (wa->flags & WS_CODE) {
            ov_set_kind(e, MV_CODE, tx);
            e->code = wa->code;
        }
    }
    for (size_t i = 0; i < ws->slot_count; i++) {
        struct ov_slot *s = ov_slot_get(t, &ws->slots[i].addr, &ws->slots[i].key);
        if (!s)
            return PAREVM_ERR_NOMEM;
        s->set = true;
        s->writer = tx;
        s->value = ws->slots[i].value;
    }
    return PAREVM_OK;
}

/* ---- the runs ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static inline uint64_t span_pack(size_t next, size_t hi)
{
    return (uint64_t)next | (uint64_t)hi << 32;
}

/* The run's next transaction, or false when none is left. */
static bool span_take(struct part_chunk *c, size_t *i)
{
    uint64_t s = atomic_load_explicit(&c->span, memory_order_relaxed);
    for (;;) {
        uint32_t next = (uint32_t)s, hi = (uint32_t)(s >> 32);
        if (next >= hi) {
            c->hi = next;
            return false;
        }
        if (atomic_compare_exchange_weak_explicit(&c->span, &s, span_pack(next + 1u, hi),
                                                  memory_order_relaxed, memory_order_relaxed)) {
            *i = next;
            return true;
        }
    }
}

static void part_run_chunk(struct part_run *run, struct part_chunk *c)
{
    uint64_t start = monotonic_ns();
    c->err = ov_init(&c->t, c->hi - c->lo);
    for (size_t i; !c->err && span_take(c, &i);) {
        struct par_tx_output *o = &run->out[i];
        struct part_view pv = {run, c, (uint32_t)i, NULL, 0, 0, false};
        struct state_view view = {&part_view_ops, &pv};
        struct write_set ws;
        write_set_init(&ws);
        uint64_t t0 = monotonic_ns();
        int err = transition_apply(run->env, &view, &run->txs[i], 0, &o->result, &ws);
        o->exec_ns = monotonic_ns() - t0;
        if (!err && pv.oom)
            err = PAREVM_ERR_NOMEM;
        if (err) {
            /* As in Block-STM: no writes; the error surfaces if the
             * transaction is reached in the commit. */
            write_set_reset(&ws);
            tx_result_free(&o->result);
            memset(&o->result, 0, sizeof o->result);
        }
        c->err = ov_apply(&c->t, run->base, (uint32_t)i, &ws);
        if (o->result.log_count) { /* (parallel.h: bloom) */
            logs_bloom(o->result.logs, o->result.log_count, o->bloom);
            o->bloom_set = true;
        }
        o->ws = ws;
        o->internal_err = err;
        o->incarnations = 1;
        if (pv.dep_count > 1) {
            qsort(pv.deps, pv.dep_count, sizeof *pv.deps, cmp_u32);
            size_t k = 0;
            for (size_t m = 0; m < pv.dep_count; m++)
                if (k == 0 || pv.deps[k - 1] != pv.deps[m])
                    pv.deps[k++] = pv.deps[m];
            pv.dep_count = k;
        }
        o->deps = pv.deps;
        o->dep_count = pv.dep_count;
        CHAOS_POINT(); /* runs drift apart: the validation must not care */
    }
    if (c->err) {
        /* The pass has failed: leave the rest, to thieves too. */
        uint64_t s = atomic_load_explicit(&c->span, memory_order_relaxed);
        while (!atomic_compare_exchange_weak_explicit(&c->span, &s, span_pack((uint32_t)s, (uint32_t)s),
                                                      memory_order_relaxed, memory_order_relaxed))
            ;
        c->hi = (uint32_t)s;
    }
    c->ns = monotonic_ns() - start;
}

/* A run stops only where its thread finds nothing left; one that would
 * keep a thread busy long after the others is split. A thread that has
 * ended its run takes the upper half of the unstarted transactions of
 * the run with most of them left, as a run of its own (with its own
 * overlay; the validation checks it against every run below it, like
 * any other). Returns the new run, or NULL when no run has at least
 * PART_STEAL_MIN transactions and a quarter of itself left (or no room
 * for another). */
#define PART_STEAL_MIN 2
static struct part_chunk *part_steal(struct part_run *run)
{
    struct part_chunk *stolen = NULL;
    pthread_mutex_lock(&run->steal_lock);
    while (run->chunk_count < run->chunk_cap) {
        struct part_chunk *victim = NULL;
        uint64_t vs = 0;
        uint32_t most = 0;
        for (size_t k = 0; k < run->chunk_count; k++) {
            uint64_t s = atomic_load_explicit(&run->chunks[k].span, memory_order_relaxed);
            uint32_t next = (uint32_t)s, hi = (uint32_t)(s >> 32);
            /* Only a run with a quarter or more of itself left: near the
             * end of a balanced block a split would save little and risk
             * a conflict across the new cut. */
            if (hi > next && hi - next > most && (size_t)(hi - next) * 4 >= hi - run->chunks[k].lo) {
                most = hi - next;
                victim = &run->chunks[k];
                vs = s;
            }
        }
        if (most < PART_STEAL_MIN)
            break;
        uint32_t next = (uint32_t)vs, hi = (uint32_t)(vs >> 32);
        /* Nearest the middle, a cut that puts no sender on both sides
         * (else the later run would read a nonce the earlier wrote). */
        uint32_t split = 0, mid = next + most / 2;
        for (uint32_t d = 0; !split && (d < mid - next || mid + d < hi); d++) {
            if (d < mid - next && run->cuts[mid - d])
                split = mid - d;
            else if (mid + d < hi && run->cuts[mid + d])
                split = mid + d;
        }
        if (!split)
            break;
        if (!atomic_compare_exchange_strong_explicit(&victim->span, &vs, span_pack(next, split),
                                                     memory_order_relaxed, memory_order_relaxed))
            continue; /* its thread moved on meanwhile: look again */
        stolen = &run->chunks[run->chunk_count++];
        stolen->lo = split;
        stolen->hi = hi;
        atomic_store_explicit(&stolen->span, span_pack(split, hi), memory_order_relaxed);
        break;
    }
    pthread_mutex_unlock(&run->steal_lock);
    return stolen;
}

static void part_job(void *arg, size_t ci)
{
    struct part_run *run = arg;
    part_run_chunk(run, &run->chunks[ci]);
    for (struct part_chunk *c; (c = part_steal(run));)
        part_run_chunk(run, c);
}

static int cmp_chunk(const void *a, const void *b)
{
    const struct part_chunk *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Whether run ci read from the pre-block world a location an earlier run
 * wrote (a storage slot is also written by its account's storage clear);
 * if so, conflict_tx is the first transaction of the run that did. */
static void part_validate_chunk(void *arg, size_t i)
{
    struct part_run *run = arg;
    size_t ci = i + 1; /* the first run read only the pre-block world */
    struct part_chunk *c = &run->chunks[ci];
    const struct ov_table *t = &c->t;
    uint32_t first = UINT32_MAX;
    for (size_t k = 0; k < t->acct_index.count; k++) {
        const struct ov_account *e = &t->accounts[k];
        if (!e->read || e->first_read >= first)
            continue;
        for (size_t j = 0; j < ci; j++) {
            const struct ov_account *w = ov_find_account(&run->chunks[j].t, &e->addr, e->hash);
            if (w && (w->wrote & e->read)) {
                first = e->first_read;
                break;
            }
        }
    }
    for (size_t k = 0; k < t->slot_index.count; k++) {
        const struct ov_slot *s = &t->slots[k];
        if (!s->read || s->first_read >= first)
            continue;
        uint64_t ha = 0;
        bool made = false; /* ha, the account's hash, made when first needed */
        for (size_t j = 0; j < ci; j++) {
            const struct ov_table *tj = &run->chunks[j].t;
            const struct ov_slot *w = ov_find_slot(tj, &s->addr, &s->key, s->hash);
            bool cleared = false;
            if (!(w && w->set) && tj->has_clears) {
                if (!made) {
                    ha = ov_hash_addr(&s->addr);
                    made = true;
                }
                const struct ov_account *acct = ov_find_account(tj, &s->addr, ha);
                cleared = acct && (acct->set & OV_BIT(MV_CLEAR));
            }
            if ((w && w->set) || cleared) {
                first = s->first_read;
                break;
            }
        }
    }
    c->conflict = first != UINT32_MAX;
    c->conflict_tx = first;
}

/* Runs of equal length, one per thread (partition_plausible and
 * partition_execute must cut the block alike). */
static size_t part_chunk_count(size_t n, int threads)
{
    size_t t = threads < 1 ? 1 : (size_t)threads;
    return t < n ? t : n ? n : 1;
}

static size_t part_chunk_lo(size_t n, size_t chunks, size_t c)
{
    return c * n / chunks;
}

/* cut[i] for 0 < i < n: whether cutting the block before transaction i
 * leaves no sender on both sides (malloc'd; NULL on ENOMEM), from the
 * block's sender links (senders.h; NULL: looked up here). */
static uint8_t *sender_cuts(const struct tx *txs, size_t n, const uint32_t *links)
{
    uint32_t *own = links ? NULL : malloc((n ? n : 1) * sizeof *own);
    const uint32_t *prev = links ? links : own;
    /* covered[c]: how many of a sender's consecutive pairs (p, q) have
     * p < c <= q (as differences: +1 at p + 1, -1 at q + 1) */
    int32_t *covered = calloc(n + 2, sizeof *covered);
    uint8_t *cuts = malloc(n + 1);
    if (!prev || !covered || !cuts || (own && sender_links(txs, n, own) != PAREVM_OK)) {
        free(own);
        free(covered);
        free(cuts);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (prev[i]) {
            covered[prev[i]]++; /* prev is p + 1 */
            covered[i + 1]--;
        }
    int32_t sum = 0;
    for (size_t c = 0; c <= n; c++) {
        sum += covered[c];
        cuts[c] = sum == 0;
    }
    free(own);
    free(covered);
    return cuts;
}

bool partition_plausible(const struct tx *txs, size_t n, int threads)
{
    if (threads < 2 || n < 2 || n > UINT32_MAX)
        return false;
    uint8_t *cuts = sender_cuts(txs, n, NULL);
    if (!cuts)
        return false;
    bool ok = true;
    size_t chunks = part_chunk_count(n, threads);
    for (size_t c = 1; c < chunks && ok; c++)
        ok = cuts[part_chunk_lo(n, chunks, c)];
    free(cuts);
    return ok;
}

int partition_execute(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                      int threads, struct par_tx_output *out, struct par_stats *stats, size_t *kept,
                      struct exec_env *xenv, const uint32_t *links)
{
    *kept = 0;
    if (n > UINT32_MAX)
        return PAREVM_ERR_ARG;
    size_t chunks = part_chunk_count(n, threads);
    /* Room for PART_STEALS_PER_THREAD splits per thread. */
    enum { PART_STEALS_PER_THREAD = 4 };
    struct part_run run = {.env = env,
                           .base = base,
                           .txs = txs,
                           .out = out,
                           .chunk_count = chunks,
                           .chunk_cap = chunks * (1 + PART_STEALS_PER_THREAD),
                           .steal_lock = PTHREAD_MUTEX_INITIALIZER};
    uint8_t *cuts = sender_cuts(txs, n, links);
    run.cuts = cuts;
    run.chunks = cuts ? aligned_alloc(64, run.chunk_cap * sizeof *run.chunks) : NULL;
    if (!run.chunks) {
        free(cuts);
        return PAREVM_ERR_NOMEM;
    }
    memset(run.chunks, 0, run.chunk_cap * sizeof *run.chunks);
    for (size_t c = 0; c < chunks; c++) {
        run.chunks[c].lo = part_chunk_lo(n, chunks, c);
        run.chunks[c].hi = part_chunk_lo(n, chunks, c + 1);
        atomic_init(&run.chunks[c].span, span_pack(run.chunks[c].lo, run.chunks[c].hi));
    }
    parallel_for(xenv, threads, chunks, part_job, &run);
    pthread_mutex_destroy(&run.steal_lock);
    /* In block order: each run is validated against the runs below it. */
    int used = (int)chunks;
    chunks = run.chunk_count;
    qsort(run.chunks, chunks, sizeof *run.chunks, cmp_chunk);
    int err = PAREVM_OK;
    for (size_t c = 0; c < chunks && !err; c++)
        err = run.chunks[c].err;
    if (!err && chunks > 1)
        parallel_for(xenv, threads, chunks - 1, part_validate_chunk, &run);
    /* Every run below the first that read an earlier run's write held,
     * so that run's transactions below the read are final too. */
    size_t first_run = run.chunks[0].hi;
    *kept = err ? 0 : n;
    for (size_t c = 1; c < chunks && *kept == n; c++)
        if (run.chunks[c].conflict)
            *kept = run.chunks[c].conflict_tx;
    for (size_t c = 0; c < chunks; c++) {
        ov_free(&run.chunks[c].t);
    }
    free(run.chunks);
    free(cuts);
    par_output_free(out + *kept, n - *kept); /* (zeroes them) */
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->threads = used;
        stats->executions = n;
        stats->validations = n - first_run; /* every later run's transactions, checked as one */
    }
    return err;
}
