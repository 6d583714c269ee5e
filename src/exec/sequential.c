/*
 * sequential.c — the reference block executor: the EIP-4788 and (Prague
 * on) EIP-2935 system calls, then every transaction in order on the world
 * (each write set applied before the next transaction reads), then
 * rewards, withdrawals and (Prague on) the EIP-7685 requests.
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
#include "bal.h"
#include "balexec.h"
#include "exec.h"
#include "exec_env.h"
#include "guard.h"

#include "parallel.h"
#include "partition.h"

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

/* Lookup that remembers the first number it could not find, for the
 * error message. */
struct seq_hashes {
    const struct block_hashes *hashes;
    bool missing;
    uint64_t missing_number;
};

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

struct undo_log {
    struct undo_entry *entries;
    size_t count, cap;
};

static struct undo_entry *undo_push(struct undo_log *u)
{
    if (u->count == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 256;
        struct undo_entry *e = realloc(u->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        u->entries = e;
        u->cap = cap;
    }
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

/* Record what applying ws will overwrite. */
static int undo_record(struct undo_log *u, const struct write_set *ws, const struct world *w)
{
    for (size_t i = 0; i < ws->account_count; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        const struct world_account *acct = world_get(w, &wa->addr);
        struct undo_entry *e = undo_push(u);
        if (!e)
            return PAREVM_ERR_NOMEM;
        e->kind = UNDO_ACCOUNT;
        e->addr = wa->addr;
        e->existed = acct != NULL;
        if (!acct)
            continue;
        e->value = acct->balance;
        e->nonce = acct->nonce;
        code_retain(acct->code);
        e->code = acct->code;
        if ((wa->flags & (WS_DELETE | WS_CLEAR_STORAGE)) && acct->storage.count) {
            if (!(e->storage = storage_copy(&acct->storage)))
                return PAREVM_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < ws->slot_count; i++) {
        const struct ws_slot *s = &ws->slots[i];
        const struct world_account *acct = world_get(w, &s->addr);
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
    }
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
    const struct world_account *acct = world_get(w, a);
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
    int err = undo_record(u, ws, w);
    if (!err)
        err = write_set_apply(ws, w);
    return err;
}

/* ---- results ---- */

void block_result_free(struct block_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->receipt_count; i++)
        receipt_free(&r->receipts[i]);
    free(r->receipts);
    block_requests_free(&r->requests);
    memset(r, 0, sizeof *r);
}

static bool logs_equal(const struct log *a, const struct log *b)
{
    if (!address_eq(&a->addr, &b->addr) || a->topic_count != b->topic_count || a->data_len != b->data_len)
        return false;
    for (unsigned t = 0; t < a->topic_count && t < 4; t++)
        if (!hash32_eq(&a->topics[t], &b->topics[t]))
            return false;
    return a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0;
}

static bool receipts_equal(const struct receipt *a, const struct receipt *b)
{
    if (a->tx_type != b->tx_type || a->has_status != b->has_status || a->gas_used != b->gas_used ||
        a->cumulative_gas_used != b->cumulative_gas_used || a->log_count != b->log_count ||
        a->has_created_address != b->has_created_address)
        return false;
    if (a->has_status ? a->status != b->status : !hash32_eq(&a->post_state, &b->post_state))
        return false;
    if (a->has_created_address && !address_eq(&a->created_address, &b->created_address))
        return false;
    if (memcmp(a->bloom, b->bloom, 256) != 0)
        return false;
    for (size_t i = 0; i < a->log_count; i++)
        if (!logs_equal(&a->logs[i], &b->logs[i]))
            return false;
    return true;
}

bool block_result_equal(const struct block_result *a, const struct block_result *b)
{
    if (a->receipt_count != b->receipt_count || a->gas_used != b->gas_used ||
        a->blob_gas_used != b->blob_gas_used || memcmp(a->logs_bloom, b->logs_bloom, 256) != 0 ||
        !hash32_eq(&a->receipts_root, &b->receipts_root) || a->invalid != b->invalid)
        return false;
    if (a->invalid && (a->invalid_tx != b->invalid_tx || a->invalid_reason != b->invalid_reason ||
                       a->invalid_block_error != b->invalid_block_error ||
                       strcmp(a->invalid_message, b->invalid_message) != 0))
        return false;
    if (a->has_requests != b->has_requests ||
        (a->has_requests && (!hash32_eq(&a->requests_hash, &b->requests_hash) ||
                             !block_requests_equal(&a->requests, &b->requests))))
        return false;
    for (size_t i = 0; i < a->receipt_count; i++)
        if (!receipts_equal(&a->receipts[i], &b->receipts[i]))
            return false;
    return true;
}

/* ---- the executor ---- */

struct seq_run {
    const struct chain_config *cfg;
    const struct block *b;
    struct world *w;
    struct block_result *r;
    struct block_env env;
    struct seq_hashes hashes;
    struct world_view wv;
    struct state_view view;
    struct undo_log undo;
    struct write_set ws;
    /* Parallel path: every transaction's outcome computed beforehand
     * (exec/parallel.h); committed here in order exactly like a
     * sequential run, so both paths share one commit. NULL: sequential. */
    struct par_tx_output *par;
    /* par[0..par_count) hold final outputs: all transactions when the
     * parallel run held; after the engine gave up on a contended block,
     * the prefix its partitioned pass had made final (the rest runs
     * sequentially on the world those outputs leave). */
    size_t par_count;
    /* par[0..par_cleared) were cleared by their commit (seq_tx), their
     * write sets aside under defer_apply (apply_deferred frees those):
     * no pass over every output after the commit. */
    size_t par_cleared;
    struct exec_trace *trace; /* NULL: none */
    /* Parallel path, every transaction known to commit: the in-order
     * re-checks are skipped (the undo log still records every write: an
     * allocation failure, or from Prague the requests, can still roll the
     * block back). */
    bool no_undo;
    /* With no_undo on more than one thread: the commit leaves each write
     * set in par[i].ws, and the world is written while the receipts root
     * is hashed (see apply_deferred). */
    bool defer_apply;
    /* EIP-7928 recording (exec_options.bal): each unit's accesses and
     * writes, before they are applied. NULL: off. */
    struct bal *bal;
    /* exec_options.drive: the transactions ran and were checked by the
     * list's engine (balexec.h); bal then records only the units at
     * index 0 and n + 1 (balexec_verify checks them). */
    bool drive_txs;
};

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

/* Run one transaction; on success its receipt is filled. *stop is set
 * when the block turned out invalid. */
static int seq_tx(struct seq_run *s, size_t i, uint64_t *gas_used, bool *stop)
{
    const struct tx *tx = &s->b->txs[i];
    struct tx local;
    if (!tx->has_sender) {
        /* Loaders recover senders; a hand-built block may not have. */
        local = *tx;
        if (tx_recover_sender(&local, s->env.fork) != PAREVM_OK) {
            char msg[64];
            snprintf(msg, sizeof msg, "transaction %zu: invalid signature", i);
            mark_invalid(s->r, i, TXERR_NONE, msg);
            *stop = true;
            return PAREVM_OK;
        }
        tx = &local;
    }
    if (tx->type == 3) { /* EIP-4844 block blob gas limit */
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
    if (s->par && i < s->par_count) {
        /* Executed in parallel as if no gas had been used before it: the
         * stateless checks (which precede every state check) decide with
         * the real block gas used; otherwise the validated outcome holds. */
        struct par_tx_output *o = &s->par[i];
        u256 price;
        err = o->internal_err;
        res = o->result;
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
    if (res.error != TXERR_NONE) {
        char msg[128];
        snprintf(msg, sizeof msg, "transaction %zu: %s", i, tx_error_name(res.error));
        mark_invalid(s->r, i, res.error, msg);
        tx_result_free(&res);
        *stop = true;
        return PAREVM_OK;
    }
    if (s->bal && !s->drive_txs) { /* (bal runs sequentially: s->ws is this transaction's) */
        err = bal_record(s->bal, (uint32_t)i + 1, &s->ws, NULL, s->w);
        if (err) {
            tx_result_free(&res);
            return err;
        }
    }
    if (s->defer_apply)
        err = PAREVM_OK; /* par[i].ws is written later (apply_deferred) */
    else
        err = apply_logged(&s->undo, &s->ws, s->w);
    if (err) {
        tx_result_free(&res);
        note_error(s, i, err);
        return err;
    }
    *gas_used += res.gas_used;

    struct receipt *rc = &s->r->receipts[i];
    rc->tx_type = tx->type;
    rc->has_status = s->env.fork >= FORK_BYZANTIUM; /* EIP-658 */
    rc->status = res.status == TX_STATUS_SUCCESS;
    rc->gas_used = res.gas_used;
    rc->cumulative_gas_used = *gas_used;
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
        struct write_set ws = o->ws;
        memset(o, 0, o->bloom_set ? sizeof *o : offsetof(struct par_tx_output, bloom));
        o->ws = ws;
        if (s->par_cleared == i)
            s->par_cleared = i + 1;
    } else {
        logs_bloom(rc->logs, rc->log_count, rc->bloom);
    }
    s->r->receipt_count = i + 1;
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
    static const struct {
        const address *contract;
        enum block_request_type type;
    } calls[2] = {{&WITHDRAWAL_REQUEST_ADDRESS, REQUEST_WITHDRAWAL},
                  {&CONSOLIDATION_REQUEST_ADDRESS, REQUEST_CONSOLIDATION}};
    for (int i = 0; i < 2 && !err; i++) {
        bool no_code;
        err = block_request_call(&s->env, calls[i].contract, &s->view, &s->ws,
                                 &r->requests.data[calls[i].type], &no_code, why, sizeof why);
        if (err == PAREVM_ERR_BLOCK_INVALID) {
            snprintf(msg, sizeof msg, "%s requests: %s",
                     calls[i].type == REQUEST_WITHDRAWAL ? "EIP-7002" : "EIP-7251", why);
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
    uint64_t gas_used = 0, blob_gas_used = 0;
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
        if (!transition_fits_block_gas(&s->env, tx, gas_used))
            return false;
        gas_used += o->result.gas_used;
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
    for (size_t i = 0; i < d->s->b->tx_count && !d->err; i++) {
        d->err = apply_logged(d->undo, &d->s->par[i].ws, d->s->w);
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

/* A run driven by an access list (exec_options.drive): the list its
 * commit records, and whether the run had to be given up (then the world
 * and the result are as before it, and why says why). */
struct drive_report {
    struct bal rec;
    bool degraded;
    bool mismatch; /* degraded because the recorded list differs from it */
    char why[256];
};

static int exec_block(const struct chain_config *cfg, const struct block *b, struct world *w,
                      const struct block_hashes *hashes, struct block_result *r,
                      const struct exec_options *opt, struct exec_stats *stats, struct drive_report *dr)
{
    if (!r)
        return PAREVM_ERR_ARG;
    memset(r, 0, sizeof *r);
    if (!cfg || !b || !w || (b->tx_count && !b->txs))
        return PAREVM_ERR_ARG;
    struct exec_env *env = exec_env_or_default(opt ? opt->env : NULL);
    const struct bal *drive = opt && dr ? opt->drive : NULL;
    if (drive && (opt->bal || opt->trace || opt->record || !drive->finished))
        return PAREVM_ERR_ARG;

    struct seq_run s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.b = b;
    s.w = w;
    s.r = r;
    block_env_from_header(&s.env, cfg, &b->header);
    if (!fork_implemented(s.env.fork))
        return PAREVM_ERR_UNSUPPORTED; /* never under an older fork's rules */
    s.hashes.hashes = hashes;
    s.env.block_hash = hashes ? seq_block_hash : NULL;
    s.env.block_hash_arg = &s.hashes;
    s.wv.world = w;
    s.wv.block_hash = s.env.block_hash;
    s.wv.block_hash_arg = s.env.block_hash_arg;
    s.view = world_view_make(&s.wv);
    s.trace = opt ? opt->trace : NULL;
    s.bal = drive ? &dr->rec : opt ? opt->bal : NULL;
    write_set_init(&s.ws);
    enum fork fork = s.env.fork;

    if (cfg->dao_fork && b->header.number == cfg->dao_block) {
        snprintf(r->invalid_message, sizeof r->invalid_message,
                 "block %llu: the DAO irregular state change is not implemented",
                 (unsigned long long)b->header.number);
        return PAREVM_ERR_UNSUPPORTED;
    }

    r->receipts = calloc(b->tx_count ? b->tx_count : 1, sizeof *r->receipts);
    if (!r->receipts)
        return PAREVM_ERR_NOMEM;

    int err = PAREVM_OK;
    bool stop = false;
    /* EIP-4788: the beacon roots system call precedes the transactions. */
    if (fork >= FORK_CANCUN) {
        err = block_beacon_root_call(&s.env, &b->header, &s.view, &s.ws);
        if (err == PAREVM_ERR_BLOCK_INVALID) {
            mark_invalid(r, 0, TXERR_NONE, "Cancun block without a parent beacon block root");
            err = PAREVM_OK;
            stop = true;
        } else if (!err) {
            if (s.bal)
                err = bal_record(s.bal, 0, &s.ws, transition_last_journal(), w);
            if (!err)
                err = apply_logged(&s.undo, &s.ws, w);
        }
    }
    /* EIP-2935: then the history storage call with the parent hash. */
    if (!err && !stop && fork >= FORK_PRAGUE) {
        err = block_history_call(&s.env, &b->header.parent_hash, &s.view, &s.ws);
        if (!err && s.bal)
            err = bal_record(s.bal, 0, &s.ws, transition_last_journal(), w);
        if (!err)
            err = apply_logged(&s.undo, &s.ws, w);
    }

    uint64_t block_start = monotonic_ns();
    bool ran_parallel = false, contended = false;
    /* The guard's plan for the transactions (none to make when the
     * system calls ended the block). */
    struct exec_plan plan = {.engine = EXEC_ENGINE_SEQUENTIAL, .threads = 1};
    if (!err && !stop)
        exec_guard_plan(cfg, b, &s.env, &s.view, opt, &plan);
    bool go_parallel = plan.engine == EXEC_ENGINE_PARALLEL;
    bool drove = false; /* exec_options.drive: the list's engine ran the transactions */
    struct balexec *driven = NULL;
    if (drive && !err && !stop) {
        drove = true;
        uint64_t t0 = monotonic_ns();
        s.par = scratch_get(&env->scratch, b->tx_count * sizeof *s.par);
        bool held = false, wrong = false;
        if (!s.par)
            err = PAREVM_ERR_NOMEM;
        else
            err = balexec_execute(&s.env, w, drive, b->txs, b->tx_count, plan.threads, env, s.par, &driven, &held,
                                  &wrong, dr->why, sizeof dr->why);
        s.par_count = s.par ? b->tx_count : 0;
        s.drive_txs = true;
        if (!err && !held) { /* (why says which transaction left the list) */
            dr->mismatch = wrong;
            stop = true;
        }
        if (stats)
            stats->parallel_ns = monotonic_ns() - t0;
    }
    if (go_parallel) {
        ran_parallel = true;
        /* The parallel phase reads the world as the system call left it. */
        s.par = scratch_get(&env->scratch, b->tx_count * sizeof *s.par);
        uint64_t t0 = monotonic_ns();
        /* The partitioned pass first where it may hold (not when the
         * schedule is recorded or a transaction traced: those follow
         * Block-STM's incarnations). */
        size_t kept = 0;
        struct par_stats part_stats = {0};
        if (!s.par)
            err = PAREVM_ERR_NOMEM;
        else if (plan.try_partition) {
            err = partition_execute(&s.env, w, b->txs, b->tx_count, plan.threads, s.par, &part_stats, &kept,
                                    env);
            if (!err && opt->partition == EXEC_PARTITION_AUTO)
                exec_guard_partition_result(env, b, kept == b->tx_count);
            if (stats) {
                stats->partitioned = kept == b->tx_count;
                stats->partition_kept = kept;
                stats->par = part_stats;
            }
        }
        if (!err && kept < b->tx_count) {
            /* Block-STM, from the first transaction the pass left open. */
            struct par_options popt = {.env = env,
                                       .rec = stats && opt->record ? &stats->record : NULL,
                                       .trace = opt->trace != NULL,
                                       .trace_tx = opt->trace ? opt->trace->tx : 0,
                                       .may_give_up = plan.may_give_up,
                                       .done = kept};
            err = parallel_execute_ex(&s.env, w, b->txs, b->tx_count, plan.threads, s.par,
                                      stats ? &stats->par : NULL, &popt);
            if (stats) /* the pass's executions count too, the discarded ones included */
                stats->par.executions += part_stats.executions;
        }
        if (stats)
            stats->parallel_ns = monotonic_ns() - t0;
        if (err == PAREVM_ERR_CONTENDED) {
            /* The engine gave up early (most incarnations were aborted):
             * the block runs sequentially, and its time is not a sample
             * of what parallel execution costs blocks of its class. The
             * prefix the partitioned pass made final is kept (the engine
             * leaves out[0..done) as given): only the rest runs again. */
            s.par_count = kept;
            if (!kept) {
                scratch_put(&env->scratch, s.par, b->tx_count * sizeof *s.par, false);
                s.par = NULL;
            }
            ran_parallel = false;
            contended = true;
            exec_guard_contended(env, b);
            err = PAREVM_OK;
        }
        if (!err && stats && s.par && ran_parallel) {
            stats->parallel = true;
            err = exec_stats_take_graph(stats, s.par, b->tx_count);
        }
    }

    uint64_t gas_used = 0;
    uint64_t commit_start = monotonic_ns();
    if (s.par && ran_parallel)
        s.par_count = b->tx_count;
    s.no_undo = s.par && s.par_count == b->tx_count && !err && par_all_commit(&s);
    s.defer_apply = s.no_undo && plan.threads > 1;
    for (size_t i = 0; i < b->tx_count && !err && !stop; i++)
        err = seq_tx(&s, i, &gas_used, &stop);
    if (s.par && stats)
        stats->commit_ns = monotonic_ns() - commit_start;
    bool deferred_ok = false; /* apply_deferred wrote (and freed) every write set */
    if (s.defer_apply && !err) {
        /* The world writes, overlapped with the receipts root (the
         * receipts are complete; the root reads nothing of the world). */
        struct deferred_apply apply = {&s, PAREVM_OK, false, &s.undo};
        struct overlap_runner runner_arg = {env, plan.threads, &apply, NULL, NULL};
        struct trie_runner runner = {overlap_run, &runner_arg, plan.threads};
        err = receipts_root_with(r->receipts, r->receipt_count, &runner, &r->receipts_root);
        if (!apply.done)
            apply_deferred(&apply);
        deferred_ok = !apply.err;
        if (!err)
            err = apply.err;
    }
    if (s.par) {
        /* The outputs the commit did not clear (and, under defer_apply,
         * write sets apply_deferred did not free: all where it stopped
         * early). par_output_free clears each output. */
        size_t from = s.par_cleared;
        if (s.defer_apply && (err || !deferred_ok))
            from = 0;
        par_output_free(s.par + from, b->tx_count - from);
        scratch_put(&env->scratch, s.par, b->tx_count * sizeof *s.par, true);
        s.par = NULL;
    }

    if (!err && !stop) {
        /* Block-level rules after the transactions: rewards (none from
         * Paris), withdrawals (EIP-4895), then from Prague the requests
         * (EIP-7685), in execution-specs apply_body's order. */
        err = undo_record_rewards(&s.undo, b, fork, w);
        if (!err && s.bal)
            err = bal_post_begin(s.bal, b, fork < FORK_PARIS, w);
        if (!err)
            err = block_apply_rewards(b, fork, w);
        if (!err && fork >= FORK_SHANGHAI) {
            for (size_t i = 0; i < b->withdrawal_count && !err; i++)
                err = undo_record_account(&s.undo, w, &b->withdrawals[i].addr,
                                          b->withdrawals[i].amount_gwei == 0);
            if (!err)
                err = block_apply_withdrawals(b, w);
        }
        if (!err && s.bal) /* EIP-7928: rewards and withdrawals at n + 1 */
            err = bal_post_end(s.bal, (uint32_t)b->tx_count + 1, w);
        if (!err && fork >= FORK_PRAGUE)
            err = seq_requests(&s, &stop);
    }
    if (drove && !err && !stop) {
        /* The only check of a driven run: the list its commit recorded
         * (every change, by index, and every access) is the one given. */
        err = bal_finish(s.bal);
        if (!err && !balexec_verify(driven, s.bal, b->tx_count, dr->why, sizeof dr->why)) {
            dr->mismatch = true;
            stop = true;
        }
    }
    balexec_free(driven);
    if (drive && (err || stop)) {
        /* Whatever went wrong (an invalid transaction, an error, a list
         * that differs) may be the list's doing: run the block without it. */
        if (!dr->why[0])
            snprintf(dr->why, sizeof dr->why, "%s", err ? parevm_strerror(err) : r->invalid_message);
        dr->degraded = true;
        err = PAREVM_OK;
        stop = true;
    }
    /* The receipts root before the world is final: its allocations can
     * fail too, and the block must then leave the world as it was. */
    if (!err && !stop && !s.defer_apply) { /* (else the root came with the world writes) */
        if ((ran_parallel || drove) && plan.threads > 1) {
            /* The receipts trie is hashed by the pool too: for blocks of
             * cheap transactions it is a large part of the block's work. */
            struct pool_runner_arg pool = {env, plan.threads};
            struct trie_runner runner = {pool_runner, &pool, plan.threads};
            err = receipts_root_with(r->receipts, r->receipt_count, &runner, &r->receipts_root);
        } else {
            err = receipts_root(r->receipts, r->receipt_count, &r->receipts_root);
        }
    }
    if (err || stop) {
        int rerr = undo_rollback(&s.undo, w);
        undo_free(&s.undo);
        write_set_free(&s.ws);
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
    undo_free(&s.undo);
    write_set_free(&s.ws);
    if (s.bal) {
        err = bal_finish(s.bal);
        if (err)
            return err;
    }

    r->gas_used = gas_used;
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
    /* The guard's sample: the whole block, receipts root included, on
     * either path. Forced runs measure the engine, not the choice. */
    if (plan.sample && !contended)
        exec_guard_record(env, ran_parallel, plan.threads, gas_used, b->tx_count,
                          monotonic_ns() - block_start);
    return PAREVM_OK;
}

/* exec_block's arguments, for running it on a thread with stack enough
 * for depth 1024 (deep_stack_run). */
struct exec_block_call {
    const struct chain_config *cfg;
    const struct block *b;
    struct world *w;
    const struct block_hashes *hashes;
    struct block_result *r;
    const struct exec_options *opt;
    struct exec_stats *stats;
    int err;
};

/* exec_options.drive: the list's engine; where its run cannot stand,
 * the block again without the list (the guard's engine: Block-STM or
 * sequential), on the world as it was. */
static int exec_block_driven(struct exec_block_call *c)
{
    struct drive_report *dr = calloc(1, sizeof *dr);
    if (!dr)
        return PAREVM_ERR_NOMEM;
    bal_init(&dr->rec);
    int err = exec_block(c->cfg, c->b, c->w, c->hashes, c->r, c->opt, c->stats, dr);
    bal_free(&dr->rec);
    if (!err && dr->degraded) {
        block_result_free(c->r);
        struct exec_options again = *c->opt;
        again.drive = NULL;
        err = exec_block(c->cfg, c->b, c->w, c->hashes, c->r, &again, c->stats, NULL);
        if (c->stats) {
            c->stats->bal_degraded = true;
            c->stats->bal_mismatch = dr->mismatch;
            snprintf(c->stats->bal_why, sizeof c->stats->bal_why, "%s", dr->why);
        }
    } else if (!err && c->stats) {
        c->stats->bal_driven = true;
    }
    free(dr);
    return err;
}

static void exec_block_thunk(void *p)
{
    struct exec_block_call *c = p;
    /* On the thread that runs the block (this one may be a thread of
     * deep_stack's): a context of the environment's, where it keeps
     * them, for the transactions run here. */
    struct exec_env *env = exec_env_or_default(c->opt ? c->opt->env : NULL);
    struct tx_context *bound, *prev;
    c->err = exec_env_bind_context(env, &bound, &prev);
    if (c->err)
        return;
    if (c->opt && c->opt->drive)
        c->err = exec_block_driven(c);
    else
        c->err = exec_block(c->cfg, c->b, c->w, c->hashes, c->r, c->opt, c->stats, NULL);
    exec_env_unbind_context(env, bound, prev);
}

/* The EVM recurses on the calling thread: a caller with a small stack
 * (a host's 1 MiB thread) gets the block run on a thread of ours. */
static int exec_block_deep(struct exec_block_call *c)
{
    int err = deep_stack_run(deep_stack_need(0), exec_block_thunk, c);
    return err ? err : c->err;
}

int exec_block_sequential(const struct chain_config *cfg, const struct block *b, struct world *w,
                          const struct block_hashes *hashes, struct block_result *r)
{
    struct exec_block_call c = {cfg, b, w, hashes, r, NULL, NULL, 0};
    return exec_block_deep(&c);
}

int exec_block_parallel(const struct chain_config *cfg, const struct block *b, struct world *w,
                        const struct block_hashes *hashes, const struct exec_options *opt,
                        struct block_result *r, struct exec_stats *stats)
{
    if (stats)
        exec_stats_reset(stats);
    struct exec_block_call c = {cfg, b, w, hashes, r, opt, stats, 0};
    return exec_block_deep(&c);
}
