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
 */
#ifndef PAREVM_EXEC_PARALLEL_H
#define PAREVM_EXEC_PARALLEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../chain/transition.h"
#include "../evm/env.h"
#include "../state/world.h"
#include "../state/write_set.h"

struct exec_env; /* exec_env.h: the pool, caches and guard a run uses */

/* ---- the worker pool ----
 *
 * Workers persist across blocks: creating threads (and their journals,
 * EVM frame pools and large stacks) per block would cost more than small
 * blocks take to execute. A pool belongs to an execution environment
 * (exec_env.h), which joins its threads when it is destroyed. One block
 * uses a pool at a time; a caller that finds it busy (blocks executed
 * concurrently from several threads) gets threads of its own for that
 * block, joined before it returns. The pool also keeps the arenas the
 * workers' read sets come from (up to PAR_ARENA_POOL_MAX, reset, not
 * freed, between blocks). Everything in it is guarded by its locks;
 * use it only through parallel_execute_ex and parallel_for. */
#define PAR_POOL_MAX 1024
#define PAR_ARENA_POOL_MAX 64
struct par_pool;
struct par_worker {
    struct par_pool *pool;
    int index;
    pthread_t tid;
};
struct par_arena;
struct par_pool {
    pthread_mutex_t lock; /* guards everything below up to arena_lock */
    pthread_cond_t wake, finished;
    struct par_worker workers[PAR_POOL_MAX];
    int count;               /* threads started */
    uint64_t generation;     /* bumped per job */
    void *(*job_fn)(void *); /* what each worker runs: job_fn(job) */
    void *job;
    int wanted;                 /* workers the job uses (indices 0..wanted-1) */
    int running;                /* workers still inside the job */
    bool busy;                  /* a block is using the pool */
    bool stopping;              /* par_pool_destroy: every worker returns */
    pthread_mutex_t arena_lock; /* guards the two below */
    struct par_arena *arenas[PAR_ARENA_POOL_MAX];
    int arena_count;
};
#define PAR_POOL_INIT                                                                                        \
    {                                                                                                        \
        .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,                                 \
        .finished = PTHREAD_COND_INITIALIZER, .arena_lock = PTHREAD_MUTEX_INITIALIZER                        \
    }
/* An empty pool (threads start on first use); PAREVM_ERR_NOMEM when its
 * locks cannot be made. */
int par_pool_init(struct par_pool *p);
/* Stop and join every worker, free the kept arenas and the locks. No
 * job may be running (the pool's owner is done with it). */
void par_pool_destroy(struct par_pool *p);

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
    bool contended;   /* gave up (PAREVM_ERR_CONTENDED) */
};

/* ---- schedule recording (optional; for reports) ----
 * When parallel_execute gets a non-NULL `struct par_record *`, every task
 * a worker ran is recorded with its times, and every location that made
 * a committed incarnation depend on a lower transaction, or made a
 * validation fail, is counted. Recording costs two clock reads per task. */
enum par_event_kind { PAR_EV_EXECUTE = 0, PAR_EV_VALIDATE = 1 };
enum par_event_outcome {
    PAR_EV_OK = 0,        /* execution finished / validation passed */
    PAR_EV_ABORTED = 1,   /* validation failed: the incarnation was aborted */
    PAR_EV_BLOCKED = 2,   /* execution stopped on an ESTIMATE (re-run later) */
    PAR_EV_SUPERSEDED = 3 /* execution finished, but a later validation of
                             this incarnation failed (set after the run) */
};
struct par_event {
    uint64_t start_ns, end_ns; /* since the start of the parallel phase */
    uint32_t tx, incarnation;
    uint16_t thread; /* worker 0 = the calling thread */
    uint8_t kind, outcome;
};
/* The kinds of a recorded location: mvmemory.h's enum mv_kind, value for
 * value (checked in parallel.c), here so that a reader of the record
 * needs nothing of the multi-version memory. */
enum par_location_kind {
    PAR_LOC_BALANCE = 0,
    PAR_LOC_NONCE,
    PAR_LOC_CODE,
    PAR_LOC_STORAGE,
    PAR_LOC_CLEAR /* account storage cleared (self-destruct or re-creation) */
};
struct par_hot_location {
    address addr;
    uint8_t kind;    /* enum par_location_kind */
    u256 slot;       /* storage slots only */
    uint32_t deps;   /* committed reads of a value a lower transaction wrote */
    uint32_t aborts; /* validation failures this location caused */
};
struct par_record {
    struct par_event *events; /* in start order per thread; all threads */
    size_t event_count;
    struct par_hot_location *hot; /* sorted: deps + aborts, descending */
    size_t hot_count;
    uint64_t parallel_ns; /* wall time of the parallel phase */
};
void par_record_free(struct par_record *r);

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
};
int parallel_execute_ex(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                        int threads, struct par_tx_output *out, struct par_stats *stats,
                        const struct par_options *opt);

void par_output_free(struct par_tx_output *out, size_t n);

/* Call fn(arg, i) for every i < count on up to `threads` threads of
 * env's worker pool (the caller's included; env NULL: the process
 * default's); returns when every call has. */
void parallel_for(struct exec_env *env, int threads, size_t count, void (*fn)(void *arg, size_t i),
                  void *arg);

#endif
