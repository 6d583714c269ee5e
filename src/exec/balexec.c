/*
 * balexec — execution driven by a block access list (see balexec.h).
 */
#include "balexec.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../chain/logs.h"
#include "../chain/transition.h"
#include "../state/state_view.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the run's shared, read-only state ---- */

struct balexec_run {
    const struct block_env *env;
    const struct world *base;
    const struct bal *list;
    const struct tx *txs;
    struct par_tx_output *out;
    struct balexec_accesses *acc;
    const uint32_t *order; /* transactions, longest gas limit first */
    /* Set by any worker, read after parallel_for returns (which orders
     * every worker's writes before it): relaxed is enough. */
    atomic_bool unsure;
    atomic_int err;
};

/* One transaction's view: the list's changes at indices [1, limit), then
 * the world. */
struct balexec_view {
    const struct balexec_run *run;
    uint32_t limit; /* the transaction's block access index */
    bool unsure;
};

static const struct bal_account *list_account(const struct bal *list, const address *a)
{
    const uint32_t *idx = hmap_get(&list->index, a);
    return idx ? &list->accounts[*idx] : NULL;
}

/* The number of changes (sorted by index) at an index below limit. */
static size_t below(const struct bal_change *c, size_t n, uint32_t limit)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].index < limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The latest change at an index in [1, limit), or NULL (index 0, the
 * system calls, is already in the world). */
static const struct bal_change *latest(const struct bal_change *c, size_t n, uint32_t limit)
{
    size_t k = below(c, n, limit);
    return k && c[k - 1].index >= 1 ? &c[k - 1] : NULL;
}

static const struct bal_code_change *latest_code(const struct bal_code_change *c, size_t n, uint32_t limit)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].index < limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && c[lo - 1].index >= 1 ? &c[lo - 1] : NULL;
}

/* The latest write of slot key at an index in [1, limit), or NULL
 * (writes are sorted by key, then index). */
static const struct bal_slot_change *latest_write(const struct bal_account *acc, const u256 *key,
                                                  uint32_t limit)
{
    size_t lo = 0, hi = acc->write_count;
    /* the first write of a key >= (key, limit) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct bal_slot_change *w = &acc->writes[mid];
        bool before = u256_lt(&w->key, key) || (u256_eq(&w->key, key) && w->index < limit);
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    const struct bal_slot_change *w = &acc->writes[lo - 1];
    return u256_eq(&w->key, key) && w->index >= 1 ? w : NULL;
}

static int view_balance(void *ctx, const address *a, u256 *out)
{
    struct balexec_view *v = ctx;
    const struct bal_account *acc = list_account(v->run->list, a);
    const struct bal_change *c = acc ? latest(acc->balances, acc->balance_count, v->limit) : NULL;
    if (c) {
        *out = c->value;
        return PAREVM_OK;
    }
    const struct world_account *w = world_get(v->run->base, a);
    *out = w ? w->balance : u256_zero();
    return PAREVM_OK;
}

static int view_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct balexec_view *v = ctx;
    const struct world_account *w = world_get(v->run->base, a);
    const struct bal_account *acc = list_account(v->run->list, a);
    const struct bal_change *c = acc ? latest(acc->nonces, acc->nonce_count, v->limit) : NULL;
    if (c) {
        if (c->value.w[1] | c->value.w[2] | c->value.w[3])
            v->unsure = true; /* (no nonce is that large: the list is wrong) */
        *nonce = c->value.w[0];
    } else {
        *nonce = w ? w->nonce : 0;
    }
    /* An account the world lacks exists once an earlier transaction gave
     * it a balance, nonce or code (from EIP-161 nothing else creates one;
     * a deletion is refused at the commit, balexec_inexpressible). */
    *exists = w != NULL || c ||
              (acc && (latest(acc->balances, acc->balance_count, v->limit) ||
                       latest_code(acc->codes, acc->code_count, v->limit)));
    return PAREVM_OK;
}

static int view_code(void *ctx, const address *a, struct code **out)
{
    struct balexec_view *v = ctx;
    const struct bal_account *acc = list_account(v->run->list, a);
    const struct bal_code_change *c = acc ? latest_code(acc->codes, acc->code_count, v->limit) : NULL;
    if (c) {
        *out = c->code;
        return PAREVM_OK;
    }
    const struct world_account *w = world_get(v->run->base, a);
    *out = w ? w->code : code_empty();
    return PAREVM_OK;
}

static int view_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct balexec_view *v = ctx;
    const struct bal_account *acc = list_account(v->run->list, a);
    const struct bal_slot_change *c = acc && acc->write_count ? latest_write(acc, key, v->limit) : NULL;
    if (c) {
        *out = c->value;
        return PAREVM_OK;
    }
    const struct world_account *w = world_get(v->run->base, a);
    *out = w ? world_get_storage(w, key) : u256_zero();
    return PAREVM_OK;
}

/* EIP-7610 collision check. Certain when the list changed no slot of the
 * account below the transaction, or left one of them non-zero; otherwise
 * (every slot it changed is zero now, the world's other slots unknown
 * without a walk a lazy world cannot do) the run is marked unsure. */
static int view_has_storage(void *ctx, const address *a, bool *out)
{
    struct balexec_view *v = ctx;
    const struct world_account *w = world_get(v->run->base, a);
    *out = w && world_account_has_storage(w);
    const struct bal_account *acc = list_account(v->run->list, a);
    if (!acc)
        return PAREVM_OK;
    bool changed = false;
    for (size_t k = 0; k < acc->write_count; k++) {
        const struct bal_slot_change *s = &acc->writes[k];
        if (s->index < 1 || s->index >= v->limit)
            continue;
        const struct bal_slot_change *last = latest_write(acc, &s->key, v->limit);
        changed = true;
        if (last && !u256_is_zero(&last->value)) {
            *out = true;
            return PAREVM_OK;
        }
    }
    if (changed)
        v->unsure = true;
    return PAREVM_OK;
}

static int view_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    const struct block_env *env = ((struct balexec_view *)ctx)->run->env;
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

/* ---- execution ---- */

static int note_access(void *arg, const address *a, const u256 *slot)
{
    struct balexec_accesses *acc = arg;
    if (acc->count == acc->cap) {
        size_t cap = acc->cap ? acc->cap * 2 : 16;
        struct balexec_access *p = realloc(acc->items, cap * sizeof *p);
        if (!p)
            return PAREVM_ERR_NOMEM;
        acc->items = p;
        acc->cap = cap;
    }
    struct balexec_access *e = &acc->items[acc->count++];
    e->addr = *a;
    e->has_slot = slot != NULL;
    e->slot = slot ? *slot : u256_zero();
    return PAREVM_OK;
}

static void run_one(void *arg, size_t k)
{
    struct balexec_run *run = arg;
    uint32_t i = run->order[k];
    struct par_tx_output *o = &run->out[i];
    struct balexec_view v = {run, i + 1, false};
    struct state_view view = {&balexec_view_ops, &v};
    struct write_set ws;
    write_set_init(&ws);
    uint64_t t0 = now_ns();
    /* As in Block-STM: executed as if no gas had been used before it
     * (the commit re-checks the block gas limit in order). */
    int err = transition_apply_recorded(run->env, &view, &run->txs[i], 0, NULL, note_access, &run->acc[i],
                                        &o->result, &ws);
    o->exec_ns = now_ns() - t0;
    if (err) {
        /* no writes; the error surfaces if the commit reaches it */
        write_set_reset(&ws);
        tx_result_free(&o->result);
        memset(&o->result, 0, sizeof o->result);
        if (err == PAREVM_ERR_NOMEM)
            atomic_store_explicit(&run->err, err, memory_order_relaxed);
    }
    if (o->result.log_count) { /* (parallel.h: bloom) */
        logs_bloom(o->result.logs, o->result.log_count, o->bloom);
        o->bloom_set = true;
    }
    o->ws = ws;
    o->internal_err = err;
    o->incarnations = 1;
    if (v.unsure)
        atomic_store_explicit(&run->unsure, true, memory_order_relaxed);
}

/* Order idx[0..n) longest first: by gas limit, descending, ties in index
 * order (a merge sort: qsort takes no context). */
static int order_longest(const struct tx *txs, uint32_t *idx, size_t n)
{
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return PAREVM_ERR_NOMEM;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) {
                uint64_t ga = txs[idx[a]].gas_limit, gb = txs[idx[b]].gas_limit;
                tmp[k++] = gb > ga ? idx[b++] : idx[a++]; /* stable: ties keep index order */
            }
            while (a < mid)
                tmp[k++] = idx[a++];
            while (b < hi)
                tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
    free(tmp);
    return PAREVM_OK;
}

int balexec_execute(const struct block_env *env, const struct world *base, const struct bal *list,
                    const struct tx *txs, size_t n, int threads, struct par_tx_output *out,
                    struct balexec_accesses *acc, bool *unsure)
{
    *unsure = false;
    if (!list->finished || n > UINT32_MAX - 2)
        return PAREVM_ERR_ARG;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return PAREVM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    /* At one thread the order changes nothing but the cache's. */
    int err = threads > 1 ? order_longest(txs, order, n) : PAREVM_OK;
    if (err) {
        free(order);
        return err;
    }
    struct balexec_run run = {
        .env = env, .base = base, .list = list, .txs = txs, .out = out, .acc = acc, .order = order};
    atomic_init(&run.unsure, false);
    atomic_init(&run.err, PAREVM_OK);
    if (threads > 1) {
        parallel_for(threads, n, run_one, &run);
    } else {
        for (size_t k = 0; k < n; k++)
            run_one(&run, k);
    }
    free(order);
    *unsure = atomic_load_explicit(&run.unsure, memory_order_relaxed);
    return atomic_load_explicit(&run.err, memory_order_relaxed);
}

void balexec_accesses_free(struct balexec_accesses *acc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(acc[i].items);
    memset(acc, 0, n * sizeof *acc);
}

bool balexec_inexpressible(const struct write_set *ws, const struct world *w)
{
    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *a = &ws->accounts[i];
        const struct world_account *pre = world_get(w, &a->addr);
        if ((a->flags & WS_DELETE) && pre)
            return true; /* the list keeps at most a balance change */
        if ((a->flags & WS_CLEAR_STORAGE) && pre && world_account_has_storage(pre))
            return true; /* the list says nothing of the slots it did not touch */
        if (!pre && !(a->flags & WS_DELETE)) {
            /* An account created with nothing in it leaves no trace in the
             * list (before EIP-161 an empty account exists). */
            bool trace = ((a->flags & WS_BALANCE) && !u256_is_zero(&a->balance)) ||
                         ((a->flags & WS_BALANCE_DELTA) && !u256_is_zero(&a->delta)) ||
                         ((a->flags & WS_NONCE) && a->nonce != 0) ||
                         ((a->flags & WS_CODE) && a->code && a->code->len);
            if (!trace)
                return true;
        }
    }
    return false;
}
