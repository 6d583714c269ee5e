/*
 * parallel — Block-STM execution of a block's transactions.
 *
 * Transactions run optimistically on a pthread pool over the
 * multi-version memory (mvmemory.h) through the same transition and EVM
 * as sequential execution; reads are recorded and validated, conflicting
 * incarnations are aborted and re-executed, a read that hits an aborted
 * writer's ESTIMATE waits for that writer. The collaborative scheduler
 * (Gelashvili et al., PPoPP'23) hands out the lowest-indexed execution or
 * validation task. The output per transaction is exactly what sequential
 * execution would produce; the caller commits the write sets in order.
 *
 * Implemented by scheduler.c (the scheduler and the worker loop) over
 * mvview.c (the view an execution reads through) and record.c (the
 * schedule recording, record.h).
 */
#ifndef PAREVM_EXEC_PARALLEL_H
#define PAREVM_EXEC_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../chain/transition.h"
#include "../evm/env.h"
#include "../state/world.h"
#include "../state/write_set.h"
#include "record.h"

struct exec_env; /* exec_env.h: the pool, caches and guard a run uses */

/* A location a transaction accessed: an account, or one of its slots. */
struct par_access {
    address addr;
    bool has_slot;
    u256 slot;
};

/* What one transaction's committed incarnation produced. */
struct par_tx_output {
    struct tx_result result; /* result.error != NONE: invalid (as validated) */
    struct write_set ws;
    int internal_err; /* an internal error of the committed incarnation */
    uint32_t *deps;   /* lower transactions whose writes it read (sorted, unique) */
    size_t dep_count;
    uint64_t exec_ns;      /* duration of the committed execution */
    uint32_t incarnations; /* how many times it was executed */
    char *trace;           /* traced transaction: the EIP-3155 lines of
                              the committed incarnation (malloc'd) */
    size_t trace_len;
    /* par_options.accesses: every location the committed incarnation
     * accessed (journal_each_access's), for an EIP-7928 list recorded in
     * the in-order commit (malloc'd; NULL when none or not asked). */
    struct par_access *accesses;
    size_t access_count;
    /* The logs bloom of result.logs, set only when it has logs (a
     * receipt without logs has a zero bloom): most transactions of a
     * block of transfers would otherwise write and copy 256 bytes for
     * nothing. Last, so that clearing an output without it is short. */
    bool bloom_set; /* bloom was ever written (par_output_free clears it) */
    uint8_t bloom[256];
};

struct par_stats {
    int threads;
    uint64_t executions; /* incarnations run (>= tx count) */
    uint64_t validations;
    uint64_t aborts;  /* validation failures */
    uint64_t blocked; /* executions stopped on an ESTIMATE */
    uint64_t chained; /* starts deferred until the sender's previous
                         transaction had executed (senders.h) */
    bool contended;   /* gave up (PAREVM_ERR_CONTENDED) */
};

/* Execute txs[0..n) against the pre-block world `base` (read-only while
 * this runs) with `threads` workers of the process default's pool (the caller's thread is one of them).
 * out[0..n) must be zeroed (calloc); out[i] is filled for every i (free
 * with par_output_free). Transactions
 * are executed as if each had block_gas_used = 0; the caller applies the
 * block gas limit in order (transition_check_static) while committing. */
int parallel_execute(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                     int threads, struct par_tx_output *out, struct par_stats *stats);
/* Giving up on a contended block: with may_give_up (blocks of at least
 * 16 transactions), once min(32, max(8, n/8)) validations have failed and
 * they are at least half the transactions started, the run stops and
 * returns PAREVM_ERR_CONTENDED (out[0..par_options.done) are then left
 * as given, final; the rest is zeroed): a block whose
 * transactions mostly read what the one before wrote is cheaper to run
 * sequentially than to keep re-executing. */
#define PAR_GIVE_UP_MAX_ABORTS 32
#define PAR_GIVE_UP_MIN_ABORTS 8

/* What parallel_execute_ex does beyond parallel_execute (zero: nothing). */
struct par_options {
    /* The pool, caches and scratch the run uses (NULL: the process
     * default, exec_env_default). */
    struct exec_env *env;
    /* Record the schedule into *rec (NULL: no recording). */
    struct par_record *rec;
    /* Trace transaction trace_tx: every incarnation of it runs with an
     * EIP-3155 tracer into memory, and out[trace_tx].trace keeps the
     * lines of the incarnation that finished last, the committed one. */
    bool trace;
    size_t trace_tx;
    /* Give up on a contended block (PAR_GIVE_UP_*). */
    bool may_give_up;
    /* out[0..done) already hold the final outputs of the first `done`
     * transactions (from the partitioned pass, partition.h): they are
     * published to the multi-version memory as executed and are neither
     * executed nor validated again; out[done..n) must be zeroed. */
    size_t done;
    /* txs' sender links (senders.h), where the caller has them (NULL: the
     * run looks them up itself when it has several workers). */
    const uint32_t *sender_links;
    /* Lazy storage reads (state/lazy.h; exec_options.lazy_storage). */
    bool lazy_storage;
    /* Keep each committed incarnation's accesses (par_tx_output.accesses). */
    bool accesses;
};
int parallel_execute_ex(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                        int threads, struct par_tx_output *out, struct par_stats *stats,
                        const struct par_options *opt);

void par_output_free(struct par_tx_output *out, size_t n);

#endif
