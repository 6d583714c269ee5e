/*
 * block.c — the block driver: exec_block_sequential and
 * exec_block_parallel (exec.h). It runs a block on a thread with stack
 * enough for the EVM, asks the guard for the block's plan (guard.h), runs
 * the engine the plan names over the transactions — Block-STM after the
 * partitioned pass (parallel.h, partition.h), the access-list engine
 * (balexec.h), or none: the commit executes them — and drives the
 * block's in-order commit (sequential.h) around it, then reports back to
 * the guard. Also the block result's helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/deep_stack.h"
#include "../base/scratch.h"
#include "../chain/transition.h"
#include "bal.h"
#include "balexec.h"
#include "exec.h"
#include "exec_env.h"
#include "guard.h"
#include "parallel.h"
#include "partition.h"
#include "senders.h"
#include "sequential.h"

/* ---- the block result ---- */

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

/* ---- the driver ---- */

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
    if (drive && (opt->bal || opt->trace || !drive->finished))
        return PAREVM_ERR_ARG;

    /* the access list the commit records: the driven run's own (to
     * compare with the one given), or the one asked for */
    struct bal *record = drive ? &dr->rec : opt ? opt->bal : NULL;
    struct seq_run s;
    int err = seq_open(&s, cfg, b, w, hashes, r, opt ? opt->trace : NULL, record);
    if (err)
        return err;
    bool stop = false;
    err = seq_system_calls(&s, &stop);

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
            err = balexec_execute(&s.env, w, drive, b->txs, b->tx_count, plan.threads, env, s.par,
                                  stats && opt->record ? &stats->record : NULL, &driven, &held, &wrong, dr->why,
                                  sizeof dr->why);
        s.par_count = s.par ? b->tx_count : 0;
        s.driven = driven;
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
        /* The senders' links, looked up once for both (senders.h; NULL:
         * each looks them up itself). */
        uint32_t *links = NULL;
        if (plan.threads > 1 && b->tx_count > 1) {
            links = malloc(b->tx_count * sizeof *links);
            if (links && sender_links(b->txs, b->tx_count, links) != PAREVM_OK) {
                free(links);
                links = NULL;
            }
        }
        if (!s.par)
            err = PAREVM_ERR_NOMEM;
        else if (plan.try_partition) {
            err = partition_execute(&s.env, w, b->txs, b->tx_count, plan.threads, s.par, &part_stats, &kept,
                                    env, links);
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
                                       .done = kept,
                                       .sender_links = links,
                                       .lazy_storage = opt->lazy_storage && !opt->bal,
                                       .accesses = opt->bal != NULL};
            err = parallel_execute_ex(&s.env, w, b->txs, b->tx_count, plan.threads, s.par,
                                      stats ? &stats->par : NULL, &popt);
            if (stats) /* the pass's executions count too, the discarded ones included */
                stats->par.executions += part_stats.executions;
        }
        free(links);
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
    if (!err)
        err = seq_transactions(&s, plan.threads, &gas_used, &stop);
    if (s.par && stats)
        stats->commit_ns = monotonic_ns() - commit_start;
    if (!err)
        err = seq_apply_deferred(&s, env, plan.threads);
    if (s.par) {
        /* par_output_free clears each output. */
        size_t from = seq_outputs_left(&s, err);
        par_output_free(s.par + from, b->tx_count - from);
        scratch_put(&env->scratch, s.par, b->tx_count * sizeof *s.par, true);
        s.par = NULL;
    }

    if (!err && !stop)
        err = seq_block_rules(&s, &stop);
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
    /* (under defer_apply the root came with the world writes) */
    if (!err && !stop && !s.defer_apply)
        err = seq_receipts_root(&s, env, ran_parallel || drove ? plan.threads : 1);
    if (err || stop)
        return seq_abort(&s, err);
    err = seq_close(&s, gas_used);
    if (err)
        return err;
    /* The guard's sample: the whole block, receipts root included, on
     * either path. Forced runs measure the engine, not the choice. */
    if (plan.sample && !contended)
        exec_guard_record(env, s.env.fork, ran_parallel, plan.threads, gas_used, b->tx_count,
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
        if (c->stats) /* (the record of the run given up; the next records its own) */
            par_record_free(&c->stats->record);
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
