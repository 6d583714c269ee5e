/*
 * sequential.c — the in-order commit of a block (sequential.h): the
 * EIP-4788 and (Prague on) EIP-2935 system calls, then every transaction
 * in order on the world (each write set applied before the next
 * transaction reads), then rewards, withdrawals and (Prague on) the
 * EIP-7685 requests. The block driver (block.c) calls its steps.
 *
 * An invalid transaction makes the whole block invalid and the world must
 * be left as it was. Cloning a big world per block would cost more than
 * executing it, so every write-set application first records what it
 * overwrites (an undo log, O(changes)); an invalid block replays the log
 * backwards. The log also covers the rewards and withdrawals (a few
 * entries per block), and the receipts root is hashed before the world is
 * final, so a refused allocation anywhere leaves the world as it was (from
 * Prague the EIP-7685 requests can also invalidate the block after the
 * transactions: a deposit log with a bad layout, a request contract
 * without code or whose call fails). A parallel commit known to hold logs
 * its writes too: the log's lookups add about 0.23M instructions to a
 * block of 30-40M (callgrind, mainnet 19917570 and 17034869 at 2 threads;
 * the write job went from 0.56M to 0.80M), on the job that overlaps the
 * receipts root.
 */
#include "sequential.h"

#include "bal.h"
#include "balexec.h"
#include "exec.h"
#include "exec_env.h"
#include "parallel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/deep_stack.h"
#include "../base/scratch.h"
#include "../chain/logs.h"
#include "../chain/validate.h"
#include "../evm/trace.h"
#include "../state/state_view.h"
#include "../state/trie.h"
#include "../state/world.h"
#include "../state/write_set.h"

/* ---- BLOCKHASH ---- */

int block_hashes_lookup(void *arg, uint64_t number, hash32 *out)
{
    const struct block_hashes *h = arg;
    if (!h || !out)
        return PAREVM_ERR_MISSING;
    /* numbers[] is sorted ascending (the loaders sort it). */
    size_t lo = 0, hi = h->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->numbers[mid] < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->count && h->numbers[lo] == number) {
        *out = h->hashes[lo];
        return PAREVM_OK;
    }
    return PAREVM_ERR_MISSING;
}

static int seq_block_hash(void *arg, uint64_t number, hash32 *out)
{
    struct seq_hashes *s = arg;
    int err = block_hashes_lookup((void *)s->hashes, number, out);
    if (err == PAREVM_ERR_MISSING && !s->missing) {
        s->missing = true;
        s->missing_number = number;
    }
    return err;
}

/* ---- undo log ---- */

enum { UNDO_SLOT, UNDO_ACCOUNT };

struct undo_entry {
    uint8_t kind;
    bool existed; /* UNDO_ACCOUNT: the account was in the world */
    address addr;
    u256 key;   /* UNDO_SLOT */
    u256 value; /* UNDO_SLOT: prior value; UNDO_ACCOUNT: prior balance */
    uint64_t nonce;
    struct code *code;    /* retained */
    struct hmap *storage; /* whole prior storage when the write drops it; owned */
};

/* Room for n more entries without a move (false: none could be had). */
static bool undo_reserve(struct undo_log *u, size_t n)
{
    if (n <= u->cap - u->count)
        return true;
    size_t cap = u->cap ? u->cap : 256;
    while (cap - u->count < n) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    struct undo_entry *e = cap <= SIZE_MAX / sizeof *e ? realloc(u->entries, cap * sizeof *e) : NULL;
    if (!e)
        return false;
    u->entries = e;
    u->cap = cap;
    return true;
}

static struct undo_entry *undo_push(struct undo_log *u)
{
    if (u->count == u->cap && !undo_reserve(u, 1))
        return NULL;
    struct undo_entry *e = &u->entries[u->count++];
    memset(e, 0, sizeof *e);
    return e;
}

static void undo_entry_release(struct undo_entry *e)
{
    if (e->code)
        code_release(e->code);
    if (e->storage) {
        hmap_free(e->storage);
        free(e->storage);
    }
}

static void undo_free(struct undo_log *u)
{
    for (size_t i = 0; i < u->count; i++)
        undo_entry_release(&u->entries[i]);
    free(u->entries);
    memset(u, 0, sizeof *u);
}

static struct hmap *storage_copy(const struct hmap *src)
{
    struct hmap *m = malloc(sizeof *m);
    if (!m)
        return NULL;
    hmap_init(m, sizeof(u256), sizeof(u256));
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(src, &it, &key, &val)) {
        u256 *v = hmap_put(m, key, NULL);
        if (!v) {
            hmap_free(m);
            free(m);
            return NULL;
        }
        *v = *(const u256 *)val;
    }
    return m;
}

/* Record account a as it is (acct; NULL: absent); whole_storage: its
 * storage too. */
static int undo_account(struct undo_log *u, const address *a, const struct world_account *acct,
                        bool whole_storage)
{
    struct undo_entry *e = undo_push(u);
    if (!e)
        return PAREVM_ERR_NOMEM;
    e->kind = UNDO_ACCOUNT;
    e->addr = *a;
    e->existed = acct != NULL;
    if (!acct)
        return PAREVM_OK;
    e->value = acct->balance;
    e->nonce = acct->nonce;
    code_retain(acct->code);
    e->code = acct->code;
    if (whole_storage && acct->storage.count && !(e->storage = storage_copy(&acct->storage)))
        return PAREVM_ERR_NOMEM;
    return PAREVM_OK;
}

/* What applying a write set overwrites, as write_set_apply_observed
 * shows it (one look-up of each account serves the log and the writes). */
static int undo_see_account(void *arg, const struct ws_account *wa, const struct world_account *acct)
{
    return undo_account(arg, &wa->addr, acct, (wa->flags & (WS_DELETE | WS_CLEAR_STORAGE)) != 0);
}

static int undo_see_slot(void *arg, const struct ws_slot *s, const struct world_account *acct)
{
    struct undo_log *u = arg;
    struct undo_entry *e;
    if (!acct) {
        /* Applying the slot creates the account: undo that too, even
         * when the write set lists no account entry for it. */
        if (!(e = undo_push(u)))
            return PAREVM_ERR_NOMEM;
        e->kind = UNDO_ACCOUNT;
        e->addr = s->addr;
        e->existed = false;
    }
    if (!(e = undo_push(u)))
        return PAREVM_ERR_NOMEM;
    e->kind = UNDO_SLOT;
    e->addr = s->addr;
    e->key = s->key;
    e->value = acct ? world_get_storage(acct, &s->key) : u256_zero();
    return PAREVM_OK;
}

/* Replay the log backwards. Restoring only re-inserts what was there, so
 * the only failure is ENOMEM (then the world is unusable: internal). */
static int undo_rollback(struct undo_log *u, struct world *w)
{
    int err = PAREVM_OK;
    while (u->count) {
        struct undo_entry *e = &u->entries[--u->count];
        if (e->kind == UNDO_SLOT) {
            struct world_account *acct = world_get_or_create(w, &e->addr);
            if (!acct || world_set_storage(acct, &e->key, &e->value))
                err = PAREVM_ERR_NOMEM;
        } else if (!e->existed) {
            world_delete(w, &e->addr);
        } else {
            struct world_account *acct = world_get_or_create(w, &e->addr);
            if (!acct) {
                err = PAREVM_ERR_NOMEM;
            } else {
                acct->balance = e->value;
                acct->nonce = e->nonce;
                world_set_code(acct, e->code);
                if (e->storage) {
                    hmap_free(&acct->storage);
                    acct->storage = *e->storage; /* moves the table */
                    free(e->storage);
                    e->storage = NULL;
                }
            }
        }
        undo_entry_release(e);
    }
    return err;
}

/* Record account a as it is before a direct world change (the EIP-4895
 * withdrawals of a block whose requests can still invalidate it);
 * whole_storage: its storage too (a zero withdrawal may delete it). */
static int undo_record_account(struct undo_log *u, const struct world *w, const address *a,
                               bool whole_storage)
{
    return undo_account(u, a, world_get(w, a), whole_storage);
}

/* Record the accounts block_apply_rewards credits (the miner and each
 * uncle's miner; none from Paris): a few entries per block. */
static int undo_record_rewards(struct undo_log *u, const struct block *b, enum fork f, const struct world *w)
{
    u256 reward = block_reward(f);
    if (u256_is_zero(&reward))
        return PAREVM_OK;
    int err = undo_record_account(u, w, &b->header.coinbase, false);
    for (size_t i = 0; i < b->uncle_count && !err; i++)
        err = undo_record_account(u, w, &b->uncles[i].coinbase, false);
    return err;
}

static int apply_logged(struct undo_log *u, const struct write_set *ws, struct world *w)
{
    struct ws_observer log = {undo_see_account, undo_see_slot, u};
    return write_set_apply_observed(ws, w, &log);
}

/* A driven run's writes: the list's changes (balexec_apply), logged. */
static int apply_driven(const struct balexec *run, struct undo_log *u, struct world *w)
{
    /* The log grows once, not by doublings that each copy it: an entry
     * (an account, a slot) logs at most two records (a slot of an
     * account it creates: the account's too). */
    size_t entries = balexec_apply_entries(run);
    if (entries > SIZE_MAX / 2 || !undo_reserve(u, 2 * entries))
        return PAREVM_ERR_NOMEM;
    struct ws_observer log = {undo_see_account, undo_see_slot, u};
    return balexec_apply(run, w, &log);
}

/* ---- results ---- */

/* ---- the executor ---- */

static void mark_invalid(struct block_result *r, size_t tx, enum tx_error reason, const char *msg)
{
    r->invalid = true;
    r->invalid_tx = tx;
    r->invalid_reason = reason;
    snprintf(r->invalid_message, sizeof r->invalid_message, "%s", msg);
}

/* An internal error during transaction i: say what, when we know. */
static void note_error(struct seq_run *s, size_t i, int err)
{
    s->error_tx = i;
    if (err == PAREVM_ERR_MISSING && s->hashes.missing)
        snprintf(s->r->invalid_message, sizeof s->r->invalid_message,
                 "transaction %zu: BLOCKHASH(%llu): hash not supplied", i,
                 (unsigned long long)s->hashes.missing_number);
    else
        snprintf(s->r->invalid_message, sizeof s->r->invalid_message, "transaction %zu: %s", i,
                 parevm_strerror(err));
}

/* EIP-4844: whether blob transaction tx fits in a block of fork f after
 * used blob gas (the fork's maximum: EIP-7691, EIP-7892); *blob_gas: what
 * it adds. */
static bool blob_gas_fits(enum fork f, const struct tx *tx, uint64_t used, uint64_t *blob_gas)
{
    uint64_t max = block_max_blob_gas(f);
    *blob_gas = (uint64_t)tx->blob_hash_count * BLOB_GAS_PER_BLOB;
    return tx->blob_hash_count <= max / BLOB_GAS_PER_BLOB && used + *blob_gas <= max;
}

/* Under s->skip: transaction i is rejected for reason and skipped. When
 * the parallel engine had it valid (engine_valid), the later outputs read
 * its writes: from i on the commit executes the transactions itself. */
static int skip_tx(struct seq_run *s, size_t i, const char *reason, bool engine_valid)
{
    if (engine_valid && s->par && i < s->par_count)
        s->par_count = i; /* (par_cleared <= i: the rest is freed by the caller) */
    write_set_reset(&s->ws);
    return s->skip->rejected(s->skip->arg, i, reason);
}

/* Under s->skip, before transaction i runs: an internal error of the
 * engine's output first (as geth's t8n loop found them), then the
 * reasons to reject it without running it: the caller's, a blob
 * transaction without a blob fee, or past the block's blob gas (then
 * counted here: skip_counted takes it back). *rejected: skipped. */
static int skip_precheck(struct seq_run *s, size_t i, bool *rejected)
{
    const struct tx *tx = &s->b->txs[i];
    bool engine = s->par && i < s->par_count;
    *rejected = false;
    if (engine && s->par[i].internal_err) {
        note_error(s, i, s->par[i].internal_err);
        return s->par[i].internal_err;
    }
    bool engine_valid = engine && s->par[i].result.error == TXERR_NONE;
    *rejected = true;
    if (s->skip->invalid && s->skip->invalid[i])
        return skip_tx(s, i, s->skip->invalid[i], engine_valid);
    if (tx->type == 3 && s->skip->blob_fee_unknown)
        return skip_tx(s, i, "blob tx used but field env.ExcessBlobGas missing", engine_valid);
    if (tx->type == 3) {
        /* EIP-4844 / EIP-7691 / EIP-7892: the fork's block maximum. */
        uint64_t blob_gas, used = s->r->blob_gas_used;
        if (!blob_gas_fits(s->env.fork, tx, used, &blob_gas)) {
            char why[96];
            snprintf(why, sizeof why, "blob gas (%llu) would exceed maximum allowance %llu",
                     (unsigned long long)(used + blob_gas),
                     (unsigned long long)block_max_blob_gas(s->env.fork));
            return skip_tx(s, i, why, engine_valid);
        }
        s->r->blob_gas_used += blob_gas;
    }
    *rejected = false;
    return PAREVM_OK;
}

/* skip_tx for a transaction skip_precheck let through: the blob gas it
 * counted is taken back. */
static int skip_counted(struct seq_run *s, size_t i, const struct tx *tx, const char *reason,
                        bool engine_valid)
{
    if (tx->type == 3)
        s->r->blob_gas_used -= (uint64_t)tx->blob_hash_count * BLOB_GAS_PER_BLOB;
    return skip_tx(s, i, reason, engine_valid);
}

/* ---- the commit's look-ahead ----
 *
 * A parallel run's commit writes each output's write set into the world
 * long after the transaction ran, when the world's accounts are no longer
 * in cache: each look-up would wait for memory in turn. So the commit of
 * output i starts loading what output i + PREFETCH_* needs, in stages
 * (each needs the lines the one before loaded): the output, its write
 * set, its accounts' places in the world's map, then their records. */
enum { PREFETCH_OUTPUT = 9, PREFETCH_WS = 6, PREFETCH_PLACE = 4, PREFETCH_RECORD = 2, PREFETCH_MAX = 8 };

/* One stage for the accounts ws writes (its slots' accounts too, a run of
 * one address's slots once; at most PREFETCH_MAX of each): with place,
 * their places in the world's map (world_prefetch), else their records
 * (world_prefetch_account). */
static void prefetch_accounts(const struct write_set *ws, const struct world *w, bool place)
{
    void (*stage)(const struct world *, const address *) = place ? world_prefetch : world_prefetch_account;
    for (size_t k = 0; k < ws->account_count && k < PREFETCH_MAX; k++)
        stage(w, &ws->accounts[k].addr);
    for (size_t k = 0; k < ws->slot_count && k < PREFETCH_MAX; k++)
        if (k == 0 || !address_eq(&ws->slots[k].addr, &ws->slots[k - 1].addr))
            stage(w, &ws->slots[k].addr);
}

static void commit_prefetch(const struct par_tx_output *par, size_t count, size_t i, const struct world *w)
{
    if (i + PREFETCH_OUTPUT < count)
        __builtin_prefetch(&par[i + PREFETCH_OUTPUT].ws);
    if (i + PREFETCH_WS < count) {
        __builtin_prefetch(par[i + PREFETCH_WS].ws.accounts);
        __builtin_prefetch(par[i + PREFETCH_WS].ws.slots);
    }
    if (i + PREFETCH_PLACE < count)
        prefetch_accounts(&par[i + PREFETCH_PLACE].ws, w, true);
    if (i + PREFETCH_RECORD < count)
        prefetch_accounts(&par[i + PREFETCH_RECORD].ws, w, false);
}

/* Run one transaction; on success its receipt is filled. *stop is set
 * when the block turned out invalid. */
/* The blooms of the receipts seq_tx left pending. */
static void blooms_flush(struct seq_run *s)
{
    const struct log *logs[SEQ_BLOOM_BATCH];
    size_t n[SEQ_BLOOM_BATCH];
    uint8_t *blooms[SEQ_BLOOM_BATCH];
    for (size_t k = 0; k < s->bloom_pending_count; k++) {
        struct receipt *rc = &s->r->receipts[s->bloom_pending[k]];
        logs[k] = rc->logs;
        n[k] = rc->log_count;
        blooms[k] = rc->bloom;
    }
    logs_bloom_many(logs, n, s->bloom_pending_count, blooms);
    s->bloom_pending_count = 0;
}

static int seq_tx(struct seq_run *s, size_t i, uint64_t *gas_used, bool *stop)
{
    const struct tx *tx = &s->b->txs[i];
    struct tx local;
    if (s->skip) {
        bool rejected;
        int err = skip_precheck(s, i, &rejected);
        if (err || rejected)
            return err;
    }
    if (!tx->has_sender) {
        /* Loaders recover senders; a hand-built block may not have. */
        local = *tx;
        if (tx_recover_sender(&local, s->env.fork) != PAREVM_OK) {
            if (s->skip)
                return skip_counted(s, i, tx, "invalid signature", false);
            char msg[64];
            snprintf(msg, sizeof msg, "transaction %zu: invalid signature", i);
            mark_invalid(s->r, i, TXERR_NONE, msg);
            *stop = true;
            return PAREVM_OK;
        }
        tx = &local;
    }
    if (tx->type == 3 && !s->skip) { /* EIP-4844 block blob gas limit (skip_precheck's) */
        uint64_t blob_gas;
        if (!blob_gas_fits(s->env.fork, tx, s->r->blob_gas_used, &blob_gas)) {
            char msg[96];
            snprintf(msg, sizeof msg, "transaction %zu: blob gas exceeds the block maximum %llu", i,
                     (unsigned long long)block_max_blob_gas(s->env.fork));
            mark_invalid(s->r, i, TXERR_BLOB_COUNT, msg);
            *stop = true;
            return PAREVM_OK;
        }
        s->r->blob_gas_used += blob_gas;
    }

    struct tx_result res;
    int err;
    bool engine_valid = false; /* the parallel engine let the others read its writes */
    bool state_fits =
        !fork_eip(s->env.fork, EIP_8037) || transition_fits_block_state_gas(&s->env, tx, s->state_gas);
    if (!state_fits && !(s->par && i < s->par_count)) {
        memset(&res, 0, sizeof res);
        err = PAREVM_OK;
    } else if (s->par && i < s->par_count) {
        /* Executed in parallel as if no gas had been used before it: the
         * stateless checks (which precede every state check) decide with
         * the real block gas used; otherwise the validated outcome holds. */
        struct par_tx_output *o = &s->par[i];
        u256 price;
        err = o->internal_err;
        res = o->result;
        engine_valid = res.error == TXERR_NONE;
        memset(&o->result, 0, sizeof o->result);
        if (!s->defer_apply) {
            write_set_free(&s->ws);
            s->ws = o->ws;
            write_set_init(&o->ws);
        }
        /* no_undo: par_all_commit already ran these checks in order */
        enum tx_error e = s->no_undo ? TXERR_NONE : transition_check_static(&s->env, tx, *gas_used, &price);
        if (!err && e != TXERR_NONE) {
            tx_result_free(&res);
            write_set_reset(&s->ws);
            memset(&res, 0, sizeof res);
            res.error = e;
        }
        if (s->trace && s->trace->tx == i && !err && e == TXERR_NONE) {
            if (!o->trace) /* the memory stream failed */
                s->trace->error = PAREVM_ERR_NOMEM;
            else if (o->trace_len && fwrite(o->trace, 1, o->trace_len, s->trace->out) != o->trace_len)
                s->trace->error = PAREVM_ERR_IO;
        }
    } else if (s->trace && s->trace->tx == i) {
        struct trace_json tj;
        trace_json_init(&tj, s->trace->out);
        err = transition_apply_recorded(&s->env, &s->view, tx, *gas_used, &tj.base,
                                        s->bal ? bal_on_access : NULL, s->bal, &res, &s->ws);
        trace_json_free(&tj);
        if (tj.error)
            s->trace->error = tj.error;
    } else if (s->hooks) {
        struct evm_tracer *tracer = NULL;
        if (s->hooks->begin) {
            hash32 h;
            if ((err = tx_hash(tx, &h)))
                return err;
            tracer = s->hooks->begin(s->hooks->arg, s->r->receipt_count, &h);
        }
        err = transition_apply_recorded(&s->env, &s->view, tx, *gas_used, tracer,
                                        s->bal ? bal_on_access : NULL, s->bal, &res, &s->ws);
        if (tracer && s->hooks->end)
            s->hooks->end(s->hooks->arg, tracer);
    } else {
        /* EIP-7928 recording: the accesses are handed over on the thread
         * that ran the transaction (transition_apply_recorded) */
        err = transition_apply_recorded(&s->env, &s->view, tx, *gas_used, NULL, s->bal ? bal_on_access : NULL,
                                        s->bal, &res, &s->ws);
    }
    if (err) {
        tx_result_free(&res);
        note_error(s, i, err);
        return err;
    }
    if (unlikely(!state_fits)) {
        /* EIP-8037: the state dimension of the block gas limit, checked
         * before the transaction runs (so nothing of it is recorded) */
        tx_result_free(&res);
        write_set_reset(&s->ws);
        memset(&res, 0, sizeof res);
        res.error = TXERR_GAS_LIMIT_EXCEEDED;
    }
    if (res.error != TXERR_NONE) {
        if (s->skip) {
            enum tx_error e = res.error;
            tx_result_free(&res);
            return skip_counted(s, i, tx, tx_error_name(e), engine_valid);
        }
        char msg[128];
        snprintf(msg, sizeof msg, "transaction %zu: %s", i, tx_error_name(res.error));
        mark_invalid(s->r, i, res.error, msg);
        tx_result_free(&res);
        *stop = true;
        return PAREVM_OK;
    }
    if (s->bal && !s->driven) { /* (s->ws is this transaction's: recording keeps defer_apply off) */
        /* Block-STM's: the accesses of the incarnation that committed
         * (par_options.accesses); a sequential run's went to the list as
         * it ran. */
        if (s->par && i < s->par_count) {
            const struct par_tx_output *o = &s->par[i];
            for (size_t k = 0; k < o->access_count && !err; k++)
                err = bal_on_access(s->bal, &o->accesses[k].addr,
                                    o->accesses[k].has_slot ? &o->accesses[k].slot : NULL);
        }
        /* (the included transactions' index: i, but under s->skip) */
        if (!err)
            err = bal_record(s->bal, (uint32_t)s->r->receipt_count + 1, &s->ws, NULL, s->w);
        if (err) {
            tx_result_free(&res);
            return err;
        }
    }
    if (s->defer_apply || s->driven)
        err = PAREVM_OK; /* par[i].ws is written later (apply_deferred), or empty (driven) */
    else if (s->skip)
        err = write_set_apply(&s->ws, s->w); /* nothing to undo */
    else
        err = apply_logged(&s->undo, &s->ws, s->w);
    if (err) {
        tx_result_free(&res);
        if (!s->skip)
            note_error(s, i, err);
        return err;
    }
    *gas_used += res.block_gas;
    s->state_gas += res.block_state_gas;
    s->cumulative_gas += res.gas_used;

    /* (the receipts of a block: receipt_count is i; under s->skip it
     * counts the included transactions) */
    struct receipt *rc = &s->r->receipts[s->r->receipt_count];
    rc->tx_type = tx->type;
    rc->has_status = s->env.fork >= FORK_BYZANTIUM; /* EIP-658 */
    rc->status = res.status == TX_STATUS_SUCCESS;
    rc->gas_used = res.gas_used;
    rc->cumulative_gas_used = s->cumulative_gas;
    rc->logs = res.logs; /* moved */
    rc->log_count = res.log_count;
    rc->has_created_address = res.has_created_address;
    rc->created_address = res.created_address;
    if (s->par && i < s->par_count) {
        struct par_tx_output *o = &s->par[i];
        if (rc->log_count)
            memcpy(rc->bloom, o->bloom, sizeof rc->bloom); /* computed by the worker */
        else
            memset(rc->bloom, 0, sizeof rc->bloom); /* no logs (the worker left it unset) */
        /* Done with the output (its result moved, its write set applied
         * or left to apply_deferred): cleared now, while in cache. */
        free(o->deps);
        free(o->trace);
        free(o->accesses);
        struct write_set ws = o->ws;
        memset(o, 0, o->bloom_set ? sizeof *o : offsetof(struct par_tx_output, bloom));
        o->ws = ws;
        if (s->par_cleared == i)
            s->par_cleared = i + 1;
    } else if (!rc->log_count) {
        memset(rc->bloom, 0, sizeof rc->bloom);
    } else {
        s->bloom_pending[s->bloom_pending_count++] = s->r->receipt_count;
        if (s->bloom_pending_count == SEQ_BLOOM_BATCH)
            blooms_flush(s);
    }
    s->r->receipt_count++;
    if (!rc->has_status && !s->cfg->skip_intermediate_roots) {
        err = world_state_root(s->w, &rc->post_state);
        if (err)
            return err;
    }
    return PAREVM_OK;
}

/* Prague on, after the transactions and withdrawals, on the world:
 * the EIP-7685 requests into s->r (deposits from the receipts' logs,
 * EIP-6110; then the EIP-7002 and EIP-7251 system calls, their writes
 * applied with the undo log) and their hash. *invalid (with the reason
 * in s->r) when they make the block invalid. */
static int seq_requests(struct seq_run *s, bool *invalid)
{
    struct block_result *r = s->r;
    char why[120], msg[160];
    r->has_requests = true;
    int err = block_deposit_requests(r->receipts, r->receipt_count, &s->cfg->deposit_contract,
                                     &r->requests.data[REQUEST_DEPOSIT], why, sizeof why);
    if (err == PAREVM_ERR_BLOCK_INVALID) {
        snprintf(msg, sizeof msg, "deposit requests (EIP-6110): %s", why);
        mark_invalid(r, s->b->tx_count, TXERR_NONE, msg);
        r->invalid_block_error = BLOCKERR_DEPOSIT_LAYOUT;
        *invalid = true;
        return PAREVM_OK;
    }
    const struct block_request_contract *calls;
    size_t ncalls = block_request_contracts(s->env.fork, &calls);
    for (size_t i = 0; i < ncalls && !err; i++) {
        bool no_code;
        err = block_request_call(&s->env, calls[i].contract, &s->view, &s->ws,
                                 &r->requests.data[calls[i].type], &no_code, why, sizeof why);
        if (err == PAREVM_ERR_BLOCK_INVALID) {
            snprintf(msg, sizeof msg, "%s requests: %s", calls[i].eip, why);
            mark_invalid(r, s->b->tx_count, TXERR_NONE, msg);
            r->invalid_block_error =
                no_code ? BLOCKERR_SYSTEM_CONTRACT_EMPTY : BLOCKERR_SYSTEM_CONTRACT_FAILED;
            *invalid = true;
            return PAREVM_OK;
        }
        if (!err && s->bal)
            err = bal_record(s->bal, (uint32_t)s->b->tx_count + 1, &s->ws, transition_last_journal(), s->w);
        if (!err)
            err = apply_logged(&s->undo, &s->ws, s->w);
    }
    if (!err)
        err = block_requests_hash(&r->requests, &r->requests_hash);
    return err;
}

/* Whether every transaction of the parallel run will commit: valid as
 * executed, and passing the checks that depend on the block's gas and
 * blob gas used before it (a dry run of seq_tx's checks). */
static bool par_all_commit(const struct seq_run *s)
{
    uint64_t gas_used = 0, state_gas = 0, blob_gas_used = 0;
    for (size_t i = 0; i < s->b->tx_count; i++) {
        const struct tx *tx = &s->b->txs[i];
        const struct par_tx_output *o = &s->par[i];
        if (!tx->has_sender || o->internal_err || o->result.error != TXERR_NONE)
            return false;
        if (tx->type == 3) {
            uint64_t blob_gas;
            if (!blob_gas_fits(s->env.fork, tx, blob_gas_used, &blob_gas))
                return false;
            blob_gas_used += blob_gas;
        }
        /* Executed with no block gas used before it, every static check
         * passed (result.error NONE): only the block gas limit depends
         * on the gas used before. */
        if (!transition_fits_block_gas(&s->env, tx, gas_used) ||
            (fork_eip(s->env.fork, EIP_8037) && !transition_fits_block_state_gas(&s->env, tx, state_gas)))
            return false;
        gas_used += o->result.block_gas;
        state_gas += o->result.block_state_gas;
    }
    return true;
}

/* trie_runner over an environment's worker pool. */
struct pool_runner_arg {
    struct exec_env *env;
    int threads;
};

static void pool_runner(void *runner_arg, size_t count, void (*fn)(void *arg, size_t i), void *arg)
{
    const struct pool_runner_arg *p = runner_arg;
    parallel_for(p->env, p->threads, count, fn, arg);
}

/* The deferred world writes of a parallel commit: every transaction's
 * write set, in order (they all commit: no_undo). */
struct deferred_apply {
    const struct seq_run *s;
    int err;
    bool done;
    struct undo_log *undo; /* records what each write overwrites */
};

static void apply_deferred(struct deferred_apply *d)
{
    d->done = true;
    /* Each write set is freed once written (its job's thread frees it
     * while its memory is warm, not the caller afterwards). The undo log
     * is this job's alone until it returns. */
    if (d->s->driven) /* (its outputs' write sets are empty) */
        d->err = apply_driven(d->s->driven, d->undo, d->s->w);
    for (size_t i = 0; i < d->s->b->tx_count && !d->err; i++) {
        if (!d->s->driven) {
            commit_prefetch(d->s->par, d->s->b->tx_count, i, d->s->w);
            d->err = apply_logged(d->undo, &d->s->par[i].ws, d->s->w);
        }
        write_set_free(&d->s->par[i].ws);
    }
}

/* A trie_runner over the worker pool whose first batch of jobs also runs
 * the deferred world writes, as one more job: the receipts are encoded
 * and hashed while the world is written (the commit's writes were the
 * one long step of a parallel block left on a single thread). */
struct overlap_runner {
    struct exec_env *env;
    int threads;
    struct deferred_apply *apply;
    void (*fn)(void *arg, size_t i);
    void *fn_arg;
};

static void overlap_job(void *arg, size_t i)
{
    struct overlap_runner *o = arg;
    if (i == 0)
        apply_deferred(o->apply);
    else
        o->fn(o->fn_arg, i - 1);
}

static void overlap_run(void *arg, size_t count, void (*fn)(void *arg, size_t i), void *fn_arg)
{
    struct overlap_runner *o = arg;
    if (o->apply->done) {
        parallel_for(o->env, o->threads, count, fn, fn_arg);
        return;
    }
    o->fn = fn;
    o->fn_arg = fn_arg;
    /* job 0 first: the longest, it should start at once */
    parallel_for(o->env, o->threads, count + 1, overlap_job, o);
}

/* ---- the steps of a block (sequential.h) ---- */

/* The view of s->w, BLOCKHASH from hashes (none: NULL), an empty write
 * set. */
static void seq_bind(struct seq_run *s, const struct block_hashes *hashes)
{
    s->hashes.hashes = hashes;
    s->env.block_hash = hashes ? seq_block_hash : NULL;
    s->env.block_hash_arg = &s->hashes;
    s->wv.world = s->w;
    s->wv.block_hash = s->env.block_hash;
    s->wv.block_hash_arg = s->env.block_hash_arg;
    s->view = world_view_make(&s->wv);
    write_set_init(&s->ws);
}

/* What both openings set first: the run's inputs, nothing else. */
static void seq_start(struct seq_run *s, const struct chain_config *cfg, const struct block *b,
                      struct world *w, struct block_result *r, struct bal *bal)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->b = b;
    s->w = w;
    s->r = r;
    s->bal = bal;
}

int seq_open_env(struct seq_run *s, const struct chain_config *cfg, const struct block *b, struct world *w,
                 const struct block_env *env, const struct block_hashes *hashes, struct block_result *r,
                 struct bal *bal)
{
    seq_start(s, cfg, b, w, r, bal);
    s->env = *env;
    seq_bind(s, hashes);
    r->receipts = calloc(b->tx_count ? b->tx_count : 1, sizeof *r->receipts);
    return r->receipts ? PAREVM_OK : PAREVM_ERR_NOMEM;
}

int seq_open(struct seq_run *s, const struct chain_config *cfg, const struct block *b, struct world *w,
             const struct block_hashes *hashes, struct block_result *r, struct exec_trace *trace,
             struct bal *bal)
{
    seq_start(s, cfg, b, w, r, bal);
    block_env_from_header(&s->env, cfg, &b->header);
    if (!fork_implemented(s->env.fork))
        return PAREVM_ERR_UNSUPPORTED; /* never under an older fork's rules */
    seq_bind(s, hashes);
    s->trace = trace;

    if (cfg->dao_fork && b->header.number == cfg->dao_block) {
        snprintf(r->invalid_message, sizeof r->invalid_message,
                 "block %llu: the DAO irregular state change is not implemented",
                 (unsigned long long)b->header.number);
        return PAREVM_ERR_UNSUPPORTED;
    }

    r->receipts = calloc(b->tx_count ? b->tx_count : 1, sizeof *r->receipts);
    if (!r->receipts)
        return PAREVM_ERR_NOMEM;
    return PAREVM_OK;
}

int seq_system_calls(struct seq_run *s, bool *stop)
{
    const struct block *b = s->b;
    struct world *w = s->w;
    enum fork fork = s->env.fork;
    /* EIP-7997: the factory predeploy, first of all. */
    int err = block_factory_predeploy(&s->env, &s->view, &s->ws);
    if (!err && s->ws.account_count) {
        if (s->bal)
            err = bal_record(s->bal, 0, &s->ws, NULL, w);
        if (!err)
            err = apply_logged(&s->undo, &s->ws, w);
    }
    /* EIP-4788: the beacon roots system call precedes the transactions. */
    if (!err && fork >= FORK_CANCUN) {
        err = block_beacon_root_call(&s->env, &b->header, &s->view, &s->ws);
        if (err == PAREVM_ERR_BLOCK_INVALID) {
            mark_invalid(s->r, 0, TXERR_NONE, "Cancun block without a parent beacon block root");
            err = PAREVM_OK;
            *stop = true;
        } else if (!err) {
            if (s->bal)
                err = bal_record(s->bal, 0, &s->ws, transition_last_journal(), w);
            if (!err)
                err = apply_logged(&s->undo, &s->ws, w);
        }
    }
    /* EIP-2935: then the history storage call with the parent hash. */
    if (!err && !*stop && fork >= FORK_PRAGUE) {
        err = block_history_call(&s->env, &b->header.parent_hash, &s->view, &s->ws);
        if (!err && s->bal)
            err = bal_record(s->bal, 0, &s->ws, transition_last_journal(), w);
        if (!err)
            err = apply_logged(&s->undo, &s->ws, w);
    }
    return err;
}

int seq_transactions(struct seq_run *s, int threads, uint64_t *gas_used, bool *stop)
{
    if (*stop) /* (a driven run that did not hold: nothing commits, nothing is deferred) */
        return PAREVM_OK;
    /* (under s->skip every check runs in order, as geth's t8n) */
    s->no_undo = !s->skip && s->par && s->par_count == s->b->tx_count && par_all_commit(s);
    /* (a list recorded from Block-STM's outputs compares each write set
     * with the world before it: written in order) */
    s->defer_apply = s->no_undo && threads > 1 && !(s->bal && !s->driven);
    int err = PAREVM_OK;
    bool ahead = s->par && !s->defer_apply && !s->driven; /* (driven outputs write nothing) */
    for (size_t i = 0; i < s->b->tx_count && !err && !*stop; i++) {
        if (ahead)
            commit_prefetch(s->par, s->par_count, i, s->w);
        err = seq_tx(s, i, gas_used, stop);
    }
    blooms_flush(s);
    if (!err && !*stop && s->driven && !s->defer_apply)
        err = apply_driven(s->driven, &s->undo, s->w);
    return err;
}

int seq_apply_deferred(struct seq_run *s, struct exec_env *env, int threads)
{
    if (!s->defer_apply)
        return PAREVM_OK;
    /* The world writes, overlapped with the receipts root (the receipts
     * are complete; the root reads nothing of the world). */
    struct block_result *r = s->r;
    struct deferred_apply apply = {s, PAREVM_OK, false, &s->undo};
    struct overlap_runner runner_arg = {env, threads, &apply, NULL, NULL};
    struct trie_runner runner = {overlap_run, &runner_arg, threads};
    int err = receipts_root_with(r->receipts, r->receipt_count, &runner, &r->receipts_root);
    if (!apply.done)
        apply_deferred(&apply);
    s->deferred_ok = !apply.err;
    if (!err)
        err = apply.err;
    return err;
}

size_t seq_outputs_left(const struct seq_run *s, int err)
{
    /* The outputs the commit did not clear (and, under defer_apply,
     * write sets apply_deferred did not free: all where it stopped
     * early). */
    if (s->defer_apply && (err || !s->deferred_ok))
        return 0;
    return s->par_cleared;
}

int seq_block_rules(struct seq_run *s, bool *stop)
{
    const struct block *b = s->b;
    struct world *w = s->w;
    enum fork fork = s->env.fork;
    int err = undo_record_rewards(&s->undo, b, fork, w);
    if (!err && s->bal)
        err = bal_post_begin(s->bal, b, fork < FORK_PARIS, w);
    if (!err)
        err = block_apply_rewards(b, fork, w);
    if (!err && fork >= FORK_SHANGHAI) {
        for (size_t i = 0; i < b->withdrawal_count && !err; i++)
            err =
                undo_record_account(&s->undo, w, &b->withdrawals[i].addr, b->withdrawals[i].amount_gwei == 0);
        if (!err)
            err = block_apply_withdrawals(b, w);
    }
    if (!err && s->bal) /* EIP-7928: rewards and withdrawals at n + 1 */
        err = bal_post_end(s->bal, (uint32_t)b->tx_count + 1, w);
    if (!err && fork >= FORK_PRAGUE)
        err = seq_requests(s, stop);
    return err;
}

int seq_receipts_root(struct seq_run *s, struct exec_env *env, int threads)
{
    struct block_result *r = s->r;
    if (threads > 1) {
        struct pool_runner_arg pool = {env, threads};
        struct trie_runner runner = {pool_runner, &pool, threads};
        return receipts_root_with(r->receipts, r->receipt_count, &runner, &r->receipts_root);
    }
    return receipts_root(r->receipts, r->receipt_count, &r->receipts_root);
}

int seq_close(struct seq_run *s, uint64_t gas_used)
{
    struct block_result *r = s->r;
    undo_free(&s->undo);
    write_set_free(&s->ws);
    if (s->bal) {
        int err = bal_finish(s->bal);
        if (err)
            return err;
    }

    r->gas_used = gas_used > s->state_gas ? gas_used : s->state_gas; /* (EIP-8037: the larger) */
    /* The block's bloom: word by word, and only receipts with logs have
     * bits (for 10,000 receipts the byte loop took a millisecond). */
    uint64_t bloom[256 / 8] = {0};
    for (size_t i = 0; i < r->receipt_count; i++) {
        if (!r->receipts[i].log_count)
            continue;
        for (size_t k = 0; k < 256 / 8; k++) {
            uint64_t word;
            memcpy(&word, r->receipts[i].bloom + 8 * k, 8);
            bloom[k] |= word;
        }
    }
    memcpy(r->logs_bloom, bloom, sizeof r->logs_bloom);
    return PAREVM_OK;
}

void seq_discard(struct seq_run *s)
{
    undo_free(&s->undo);
    write_set_free(&s->ws);
}

int seq_abort(struct seq_run *s, int err)
{
    struct block_result *r = s->r;
    int rerr = undo_rollback(&s->undo, s->w);
    undo_free(&s->undo);
    write_set_free(&s->ws);
    for (size_t i = 0; i < r->receipt_count; i++)
        receipt_free(&r->receipts[i]);
    r->receipt_count = 0;
    block_requests_free(&r->requests);
    r->has_requests = false;
    /* (a parallel commit hashed the receipts before the requests
     * failed; the sequential path never got there) */
    memset(&r->receipts_root, 0, sizeof r->receipts_root);
    return err ? err : rerr;
}
