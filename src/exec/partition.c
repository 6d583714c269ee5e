/*
 * partition — optimistic partitioned execution (see partition.h).
 */
#include "partition.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/types.h"
#include "../chain/logs.h"
#include "chaos.h"
#include "mvmemory.h"

/* ---- the overlay: one run's latest write per location ----
 * Dense entries, found through an open-addressing table of indices. A
 * run is executed by one thread; after the runs finish, the overlays are
 * only read (the validation), by any thread. */

enum { OV_VALUE = 1, OV_DELTA = 2 };

struct ov_entry {
    struct mv_key key;
    uint64_t hash;
    uint32_t writer; /* the last transaction that wrote a value here */
    uint8_t flag;    /* OV_VALUE: v is the value; OV_DELTA: only deltas, to add to the world's */
    struct mv_value v;
    u256 delta;              /* OV_DELTA: the sum of the run's credits */
    uint32_t *delta_writers; /* balances: transactions that credited since the last value */
    uint32_t delta_count, delta_cap;
};

struct ov_table {
    struct ov_entry *e;
    size_t count, cap;
    /* Per slot: entry index + 1 in the low 32 bits (0: empty), the key
     * hash's high 32 bits above, so that a probe past another key does
     * not touch its entry. */
    uint64_t *slots;
    size_t mask;
    bool has_clears; /* an MV_CLEAR entry exists (else storage reads skip that look-up) */
};

/* A read the overlay could not answer: it came from the pre-block world. */
struct ov_read {
    struct mv_key key;
    uint64_t hash;
    uint32_t tx;
};

struct part_chunk {
    /* The run's unstarted transactions [next, hi), packed as next | hi <<
     * 32: the run's thread takes them one at a time by raising next, a
     * thief takes the upper half by lowering hi (both by CAS). */
    _Alignas(64) _Atomic uint64_t span;
    size_t lo, hi; /* hi: final once the run has ended */
    struct ov_table t;
    struct ov_read *reads;
    size_t read_count, read_cap;
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

static uint64_t ov_hash(const struct mv_key *k)
{
    const uint8_t *a = k->addr.bytes;
    uint64_t h =
        rd64(a) * 0x9E3779B97F4A7C15u ^ rd64(a + 8) ^ (rd64(a + 12) << 7) ^ ((uint64_t)k->kind << 56);
    if (k->kind == MV_STORAGE) {
        const uint8_t *s = (const uint8_t *)&k->slot;
        h = mix64(h ^ rd64(s)) + rd64(s + 8);
        h = mix64(h ^ rd64(s + 16)) + rd64(s + 24);
    }
    return mix64(h);
}

static int ov_init(struct ov_table *t, size_t expect)
{
    size_t cap = 64;
    while (cap < expect * 2)
        cap *= 2;
    t->slots = calloc(cap, sizeof *t->slots);
    t->mask = cap - 1;
    t->cap = expect > 16 ? expect : 16;
    t->e = malloc(t->cap * sizeof *t->e);
    t->count = 0;
    return t->slots && t->e ? PAREVM_OK : PAREVM_ERR_NOMEM;
}

static void ov_free(struct ov_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->e[i].delta_writers);
    free(t->e);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static inline uint64_t ov_slot(uint64_t h, size_t index)
{
    return (h & 0xffffffff00000000u) | ((uint64_t)index + 1);
}

static struct ov_entry *ov_find(const struct ov_table *t, const struct mv_key *k, uint64_t h)
{
    for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
        uint64_t s = t->slots[i];
        if (!s)
            return NULL;
        if ((s ^ h) >> 32)
            continue;
        struct ov_entry *e = &t->e[(uint32_t)s - 1];
        if (e->hash == h && memcmp(&e->key, k, sizeof *k) == 0)
            return e;
    }
}

static int ov_grow_slots(struct ov_table *t)
{
    size_t cap = (t->mask + 1) * 2;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return PAREVM_ERR_NOMEM;
    for (size_t n = 0; n < t->count; n++) {
        size_t i = (size_t)t->e[n].hash & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = ov_slot(t->e[n].hash, n);
    }
    free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return PAREVM_OK;
}

/* The entry for k, created empty (flag 0) if missing; NULL on ENOMEM. */
static struct ov_entry *ov_put(struct ov_table *t, const struct mv_key *k)
{
    uint64_t h = ov_hash(k);
    struct ov_entry *e = ov_find(t, k, h);
    if (e)
        return e;
    if ((t->count + 1) * 2 > t->mask + 1 && ov_grow_slots(t))
        return NULL;
    if (t->count == t->cap) {
        size_t cap = t->cap * 2;
        struct ov_entry *ne = realloc(t->e, cap * sizeof *ne);
        if (!ne)
            return NULL;
        t->e = ne;
        t->cap = cap;
    }
    e = &t->e[t->count];
    memset(e, 0, sizeof *e);
    e->key = *k;
    e->hash = h;
    size_t i = (size_t)h & t->mask;
    while (t->slots[i])
        i = (i + 1) & t->mask;
    t->slots[i] = ov_slot(h, t->count++);
    return e;
}

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

static void pv_entry_deps(struct part_view *pv, const struct ov_entry *e)
{
    if (e->flag == OV_VALUE)
        pv_dep(pv, e->writer);
    for (uint32_t i = 0; i < e->delta_count; i++)
        pv_dep(pv, e->delta_writers[i]);
}

static int pv_base_read(struct part_view *pv, const struct mv_key *k, uint64_t h)
{
    struct part_chunk *c = pv->chunk;
    if (c->read_count == c->read_cap) {
        size_t cap = c->read_cap ? c->read_cap * 2 : 256;
        struct ov_read *r = realloc(c->reads, cap * sizeof *r);
        if (!r)
            return PAREVM_ERR_NOMEM;
        c->reads = r;
        c->read_cap = cap;
    }
    c->reads[c->read_count++] = (struct ov_read){*k, h, pv->tx};
    return PAREVM_OK;
}

/* An account-level read (balance, nonce, code): the run's entry for it,
 * its writers recorded as dependencies. Unless that entry holds a value
 * (a balance may hold only deltas), the read also needs the pre-block
 * world: *acct is its account (NULL: none) and the base read is recorded
 * (*err: PAREVM_ERR_NOMEM if that failed). */
static inline const struct ov_entry *part_account_read(struct part_view *pv, const address *a,
                                                       enum mv_kind kind, const struct world_account **acct,
                                                       int *err)
{
    struct mv_key k = mv_key_make(a, kind, NULL);
    uint64_t h = ov_hash(&k);
    const struct ov_entry *e = ov_find(&pv->chunk->t, &k, h);
    if (e)
        pv_entry_deps(pv, e);
    *acct = NULL;
    *err = PAREVM_OK;
    if (e && e->flag == OV_VALUE)
        return e;
    *acct = world_get(pv->run->base, a);
    *err = pv_base_read(pv, &k, h);
    return e;
}

static int part_balance(void *ctx, const address *a, u256 *out)
{
    const struct world_account *acct;
    int err;
    const struct ov_entry *e = part_account_read(ctx, a, MV_BALANCE, &acct, &err);
    if (e && e->flag == OV_VALUE) {
        *out = e->v.word;
        return PAREVM_OK;
    }
    u256 base = acct ? acct->balance : u256_zero();
    *out = e ? u256_add(&base, &e->delta) : base;
    return err;
}

static int part_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    const struct world_account *acct;
    int err;
    const struct ov_entry *e = part_account_read(ctx, a, MV_NONCE, &acct, &err);
    if (e) { /* nonces are only ever values */
        *nonce = e->v.nonce;
        *exists = e->v.exists;
        return PAREVM_OK;
    }
    *nonce = acct ? acct->nonce : 0;
    *exists = acct != NULL;
    return err;
}

static int part_code(void *ctx, const address *a, struct code **out)
{
    const struct world_account *acct;
    int err;
    const struct ov_entry *e = part_account_read(ctx, a, MV_CODE, &acct, &err);
    if (e) { /* code is only ever a value */
        *out = e->v.code;
        return PAREVM_OK;
    }
    *out = acct ? acct->code : code_empty();
    return err;
}

static int part_storage(void *ctx, const address *a, const u256 *slot, u256 *out)
{
    struct part_view *pv = ctx;
    const struct ov_table *t = &pv->chunk->t;
    struct mv_key k = mv_key_make(a, MV_STORAGE, slot);
    uint64_t h = ov_hash(&k);
    const struct ov_entry *e = ov_find(t, &k, h), *clear = NULL;
    if (t->has_clears) {
        struct mv_key kc = mv_key_make(a, MV_CLEAR, NULL);
        clear = ov_find(t, &kc, ov_hash(&kc));
    }
    /* As in the multi-version memory: a clear newer than the slot's last
     * write wins; within one transaction the clear comes first. */
    if (clear && (!e || clear->writer > e->writer)) {
        pv_dep(pv, clear->writer);
        *out = u256_zero();
        return PAREVM_OK;
    }
    if (e) {
        pv_dep(pv, e->writer);
        *out = e->v.word;
        return PAREVM_OK;
    }
    const struct world_account *acct = world_get(pv->run->base, a);
    *out = acct ? world_get_storage(acct, slot) : u256_zero();
    return pv_base_read(pv, &k, h); /* validated against clears too */
}

static int part_has_storage(void *ctx, const address *a, bool *out)
{
    struct part_view *pv = ctx;
    struct mv_key k = mv_key_make(a, MV_CLEAR, NULL);
    uint64_t h = ov_hash(&k);
    const struct ov_entry *clear = pv->chunk->t.has_clears ? ov_find(&pv->chunk->t, &k, h) : NULL;
    if (clear) {
        pv_dep(pv, clear->writer);
        *out = false;
        return PAREVM_OK;
    }
    const struct world_account *acct = world_get(pv->run->base, a);
    *out = acct && acct->storage.count > 0;
    return pv_base_read(pv, &k, h);
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

static int ov_set(struct ov_table *t, const address *a, enum mv_kind kind, const u256 *slot, uint32_t tx,
                  const struct mv_value *v)
{
    struct mv_key k = mv_key_make(a, kind, slot);
    struct ov_entry *e = ov_put(t, &k);
    if (!e)
        return PAREVM_ERR_NOMEM;
    if (kind == MV_CLEAR)
        t->has_clears = true;
    e->flag = OV_VALUE;
    e->writer = tx;
    e->v = *v;
    e->delta = u256_zero();
    e->delta_count = 0;
    return PAREVM_OK;
}

static int ov_credit(struct ov_table *t, const address *a, uint32_t tx, const u256 *delta)
{
    struct mv_key k = mv_key_make(a, MV_BALANCE, NULL);
    struct ov_entry *e = ov_put(t, &k);
    if (!e)
        return PAREVM_ERR_NOMEM;
    if (e->flag == OV_VALUE) {
        e->v.word = u256_add(&e->v.word, delta);
    } else {
        e->flag = OV_DELTA;
        e->delta = u256_add(&e->delta, delta);
    }
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

static int ov_apply(struct ov_table *t, uint32_t tx, const struct write_set *ws)
{
    int err = PAREVM_OK;
    struct mv_value v;
    for (size_t i = 0; i < ws->account_count && !err; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        memset(&v, 0, sizeof v);
        if (wa->flags & WS_DELETE) {
            v.code = code_empty();
            err = ov_set(t, &wa->addr, MV_BALANCE, NULL, tx, &v);
            if (!err)
                err = ov_set(t, &wa->addr, MV_NONCE, NULL, tx, &v);
            if (!err)
                err = ov_set(t, &wa->addr, MV_CODE, NULL, tx, &v);
            if (!err)
                err = ov_set(t, &wa->addr, MV_CLEAR, NULL, tx, &v);
            continue;
        }
        if (wa->flags & WS_CLEAR_STORAGE)
            err = ov_set(t, &wa->addr, MV_CLEAR, NULL, tx, &v);
        if (!err && (wa->flags & WS_BALANCE)) {
            v.word = wa->balance;
            err = ov_set(t, &wa->addr, MV_BALANCE, NULL, tx, &v);
        } else if (!err && (wa->flags & WS_BALANCE_DELTA)) {
            err = ov_credit(t, &wa->addr, tx, &wa->delta);
        }
        if (!err && (wa->flags & WS_NONCE)) {
            memset(&v, 0, sizeof v);
            v.nonce = wa->nonce;
            v.exists = true;
            err = ov_set(t, &wa->addr, MV_NONCE, NULL, tx, &v);
        }
        if (!err && (wa->flags & WS_CODE)) {
            memset(&v, 0, sizeof v);
            v.code = wa->code;
            err = ov_set(t, &wa->addr, MV_CODE, NULL, tx, &v);
        }
    }
    for (size_t i = 0; i < ws->slot_count && !err; i++) {
        memset(&v, 0, sizeof v);
        v.word = ws->slots[i].value;
        err = ov_set(t, &ws->slots[i].addr, MV_STORAGE, &ws->slots[i].key, tx, &v);
    }
    return err;
}

/* ---- the runs ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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
    uint64_t start = now_ns();
    c->err = ov_init(&c->t, (c->hi - c->lo) * 6);
    for (size_t i; !c->err && span_take(c, &i);) {
        struct par_tx_output *o = &run->out[i];
        struct part_view pv = {run, c, (uint32_t)i, NULL, 0, 0, false};
        struct state_view view = {&part_view_ops, &pv};
        struct write_set ws;
        write_set_init(&ws);
        uint64_t t0 = now_ns();
        int err = transition_apply(run->env, &view, &run->txs[i], 0, &o->result, &ws);
        o->exec_ns = now_ns() - t0;
        if (!err && pv.oom)
            err = PAREVM_ERR_NOMEM;
        if (err) {
            /* As in Block-STM: no writes; the error surfaces if the
             * transaction is reached in the commit. */
            write_set_reset(&ws);
            tx_result_free(&o->result);
            memset(&o->result, 0, sizeof o->result);
        }
        c->err = ov_apply(&c->t, (uint32_t)i, &ws);
        logs_bloom(o->result.logs, o->result.log_count, o->bloom);
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
    c->ns = now_ns() - start;
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

/* Whether run ci read a location an earlier run wrote (a storage slot is
 * also written by its account's storage clear). */
static void part_validate_chunk(void *arg, size_t i)
{
    struct part_run *run = arg;
    size_t ci = i + 1; /* the first run read only the pre-block world */
    struct part_chunk *c = &run->chunks[ci];
    for (size_t r = 0; r < c->read_count && !c->conflict; r++) {
        const struct ov_read *rd = &c->reads[r];
        struct mv_key kc;
        uint64_t hc = 0;
        bool made = false; /* the account's clear key, made when first needed */
        for (size_t j = 0; j < ci; j++) {
            const struct ov_table *t = &run->chunks[j].t;
            bool cleared = false;
            if (rd->key.kind == MV_STORAGE && t->has_clears) {
                if (!made) {
                    kc = mv_key_make(&rd->key.addr, MV_CLEAR, NULL);
                    hc = ov_hash(&kc);
                    made = true;
                }
                cleared = ov_find(t, &kc, hc) != NULL;
            }
            if (cleared || ov_find(t, &rd->key, rd->hash)) {
                c->conflict = true;
                c->conflict_tx = rd->tx;
                break;
            }
        }
    }
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
 * leaves no sender on both sides (malloc'd; NULL on ENOMEM). */
static uint8_t *sender_cuts(const struct tx *txs, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    struct seen {
        address a;
        uint32_t last; /* + 1; 0: empty */
    } *set = calloc(cap, sizeof *set);
    /* covered[c]: how many of a sender's consecutive pairs (p, q) have
     * p < c <= q (as differences: +1 at p + 1, -1 at q + 1) */
    int32_t *covered = calloc(n + 2, sizeof *covered);
    uint8_t *cuts = malloc(n + 1);
    if (!set || !covered || !cuts) {
        free(set);
        free(covered);
        free(cuts);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const address *a = &txs[i].sender;
        size_t s = (size_t)mix64(rd64(a->bytes) ^ rd64(a->bytes + 12)) & (cap - 1);
        while (set[s].last && memcmp(&set[s].a, a, sizeof *a) != 0)
            s = (s + 1) & (cap - 1);
        if (set[s].last) {
            covered[set[s].last]++; /* last is p + 1 */
            covered[i + 1]--;
        }
        set[s].a = *a;
        set[s].last = (uint32_t)i + 1;
    }
    int32_t sum = 0;
    for (size_t c = 0; c <= n; c++) {
        sum += covered[c];
        cuts[c] = sum == 0;
    }
    free(set);
    free(covered);
    return cuts;
}

bool partition_plausible(const struct tx *txs, size_t n, int threads)
{
    if (threads < 2 || n < 2 || n > UINT32_MAX)
        return false;
    uint8_t *cuts = sender_cuts(txs, n);
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
                      int threads, struct par_tx_output *out, struct par_stats *stats, size_t *kept)
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
    uint8_t *cuts = sender_cuts(txs, n);
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
    parallel_for(threads, chunks, part_job, &run);
    pthread_mutex_destroy(&run.steal_lock);
    /* In block order: each run is validated against the runs below it. */
    int used = (int)chunks;
    chunks = run.chunk_count;
    qsort(run.chunks, chunks, sizeof *run.chunks, cmp_chunk);
    int err = PAREVM_OK;
    for (size_t c = 0; c < chunks && !err; c++)
        err = run.chunks[c].err;
    if (!err && chunks > 1)
        parallel_for(threads, chunks - 1, part_validate_chunk, &run);
    /* Every run below the first that read an earlier run's write held,
     * so that run's transactions below the read are final too. */
    size_t first_run = run.chunks[0].hi;
    *kept = err ? 0 : n;
    for (size_t c = 1; c < chunks && *kept == n; c++)
        if (run.chunks[c].conflict)
            *kept = run.chunks[c].conflict_tx;
    for (size_t c = 0; c < chunks; c++) {
        ov_free(&run.chunks[c].t);
        free(run.chunks[c].reads);
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
