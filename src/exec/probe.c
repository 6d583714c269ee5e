/* probe.c — the contention probe (see probe.h). */
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../chain/transition.h"
#include "../state/write_set.h"

#define PROBE_SAMPLES 16
#define PROBE_MAX_KEYS 4096 /* locations remembered over all samples */

/* The block's value transfers: each paid account and the first
 * transaction that pays it (open addressing; cap a power of two). */
struct probe_paid {
    address addr;
    uint32_t first; /* transaction index + 1; 0: empty */
};

struct probe {
    struct state_view inner;
    uint64_t *written;    /* fingerprints written by earlier samples (unsorted) */
    uint32_t *writer_run; /* the run of the sample that wrote each */
    size_t written_count;
    struct probe_paid *paid; /* NULL: none */
    size_t paid_cap;
    const address *coinbase;
    size_t tx_count;
    int runs;      /* runs of the partitioned pass (the workers) */
    size_t index;  /* the current sample's transaction index */
    uint32_t run;  /* and its run */
    bool hit;      /* the current sample read something an earlier one wrote */
    bool crossing; /* ... that an earlier run wrote */
};

enum { PROBE_BALANCE = 1, PROBE_CODE = 2, PROBE_STORAGE = 3, PROBE_NONCE = 4 };

static uint64_t probe_key(const address *a, int kind, const u256 *slot)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)kind;
    for (int i = 0; i < 20; i++)
        h = (h ^ a->bytes[i]) * 0x100000001b3ull;
    if (slot)
        for (int i = 0; i < 4; i++)
            h = (h ^ slot->w[i]) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint32_t probe_run_of(const struct probe *p, size_t index)
{
    return (uint32_t)(index * (size_t)p->runs / p->tx_count);
}

static void probe_note(struct probe *p, uint32_t writer_run)
{
    p->hit = true;
    p->crossing |= writer_run < p->run;
}

static void probe_read(struct probe *p, uint64_t key)
{
    for (size_t i = 0; i < p->written_count && !(p->hit && p->crossing); i++)
        if (p->written[i] == key)
            probe_note(p, p->writer_run[i]);
}

static size_t probe_paid_slot(const struct probe_paid *paid, size_t cap, const address *a)
{
    uint64_t h;
    memcpy(&h, a->bytes + 12, sizeof h);
    size_t k = (size_t)((h * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
    while (paid[k].first && !address_eq(&paid[k].addr, a))
        k = (k + 1) & (cap - 1);
    return k;
}

static int probe_balance(void *ctx, const address *a, u256 *out)
{
    struct probe *p = ctx;
    probe_read(p, probe_key(a, PROBE_BALANCE, NULL));
    if (p->paid && !address_eq(a, p->coinbase)) {
        const struct probe_paid *e = &p->paid[probe_paid_slot(p->paid, p->paid_cap, a)];
        if (e->first && e->first - 1 < p->index)
            probe_note(p, probe_run_of(p, e->first - 1));
    }
    return p->inner.ops->balance(p->inner.ctx, a, out);
}
static int probe_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct probe *p = ctx;
    probe_read(p, probe_key(a, PROBE_NONCE, NULL));
    return p->inner.ops->nonce(p->inner.ctx, a, nonce, exists);
}
static int probe_code(void *ctx, const address *a, struct code **out)
{
    struct probe *p = ctx;
    probe_read(p, probe_key(a, PROBE_CODE, NULL));
    return p->inner.ops->code(p->inner.ctx, a, out);
}
static int probe_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct probe *p = ctx;
    probe_read(p, probe_key(a, PROBE_STORAGE, key));
    return p->inner.ops->storage(p->inner.ctx, a, key, out);
}
static int probe_has_storage(void *ctx, const address *a, bool *out)
{
    struct probe *p = ctx;
    return p->inner.ops->has_storage(p->inner.ctx, a, out);
}
static int probe_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    struct probe *p = ctx;
    return p->inner.ops->block_hash(p->inner.ctx, number, out);
}
static const struct state_view_ops probe_ops = {probe_balance, probe_nonce,       probe_code,
                                                probe_storage, probe_has_storage, probe_block_hash, NULL};

static void probe_write(struct probe *p, uint64_t key)
{
    if (p->written_count < PROBE_MAX_KEYS) {
        p->writer_run[p->written_count] = p->run;
        p->written[p->written_count++] = key;
    }
}

/* The table of b's value transfers (struct probe_paid) into p; left
 * NULL when it cannot be allocated (the probe then goes without). */
static void probe_paid_build(struct probe *p, const struct block *b)
{
    size_t cap = 64;
    while (cap < b->tx_count * 2)
        cap *= 2;
    if (!(p->paid = calloc(cap, sizeof *p->paid)))
        return;
    p->paid_cap = cap;
    for (size_t i = 0; i < b->tx_count; i++) {
        const struct tx *tx = &b->txs[i];
        if (!tx->has_to || u256_is_zero(&tx->value))
            continue;
        struct probe_paid *e = &p->paid[probe_paid_slot(p->paid, cap, &tx->to)];
        if (!e->first) {
            e->addr = tx->to;
            e->first = (uint32_t)i + 1;
        }
    }
}

enum probe_verdict probe_block(const struct block_env *env, const struct state_view *world,
                               const struct block *b, int runs, uint64_t *sample_ns)
{
    *sample_ns = 0;
    struct probe p = {.inner = *world, .coinbase = &env->coinbase, .tx_count = b->tx_count, .runs = runs};
    p.written = malloc(PROBE_MAX_KEYS * sizeof *p.written);
    p.writer_run = malloc(PROBE_MAX_KEYS * sizeof *p.writer_run);
    if (!p.written || !p.writer_run) {
        free(p.written);
        free(p.writer_run);
        return PROBE_INDEPENDENT;
    }
    probe_paid_build(&p, b);
    struct state_view view = {&probe_ops, &p};
    struct write_set ws;
    write_set_init(&ws);
    size_t dependent = 0, samples = 0;
    bool crossing = false;
    uint64_t t0 = monotonic_ns();
    for (size_t m = 0; m < PROBE_SAMPLES; m++) {
        p.index = m * b->tx_count / PROBE_SAMPLES;
        p.run = probe_run_of(&p, p.index);
        const struct tx *tx = &b->txs[p.index];
        struct tx_result res;
        p.hit = p.crossing = false;
        write_set_reset(&ws);
        /* As the parallel engine does: as if no gas had been used before. */
        int err = transition_apply(env, &view, tx, 0, &res, &ws);
        if (err)
            break;
        tx_result_free(&res);
        samples++;
        dependent += p.hit && m > 0;
        crossing |= p.crossing;
        for (size_t i = 0; i < ws.slot_count; i++)
            probe_write(&p, probe_key(&ws.slots[i].addr, PROBE_STORAGE, &ws.slots[i].key));
        for (size_t i = 0; i < ws.account_count; i++) {
            const struct ws_account *a = &ws.accounts[i];
            /* The fee to the coinbase is a blind credit every transaction
             * makes; reading that balance is what is rare. */
            if ((a->flags & (WS_BALANCE | WS_BALANCE_DELTA)) && !address_eq(&a->addr, &env->coinbase))
                probe_write(&p, probe_key(&a->addr, PROBE_BALANCE, NULL));
            if (a->flags & (WS_NONCE | WS_CREATE | WS_DELETE))
                probe_write(&p, probe_key(&a->addr, PROBE_NONCE, NULL));
            if (a->flags & (WS_CODE | WS_DELETE | WS_CLEAR_STORAGE))
                probe_write(&p, probe_key(&a->addr, PROBE_CODE, NULL));
        }
    }
    if (samples)
        *sample_ns = (monotonic_ns() - t0) / samples;
    write_set_free(&ws);
    free(p.written);
    free(p.writer_run);
    free(p.paid);
    if (samples < PROBE_SAMPLES)
        return PROBE_INDEPENDENT;
    if (dependent * 2 >= PROBE_SAMPLES - 1)
        return PROBE_SERIAL;
    return crossing ? PROBE_CROSSING : PROBE_INDEPENDENT;
}
