/*
 * exec_env — everything the executors keep longer than one block: the
 * worker pool (base/pool.h) and the read-set arenas of the parallel
 * executor (base/arena_pool.h, parallel.h), the multi-version
 * memory's slabs (mvmemory.h), the large scratch arrays (base/scratch.h),
 * the guard's measurements (which engine pays for which blocks), and the
 * transaction contexts (journal, EVM frames) its callers' threads use.
 *
 * An environment is the caller's, like libsecp256k1's context: a library
 * context (parevm_ctx) owns one, and exec_env_destroy joins its threads
 * and frees all of it, so two environments share no learned state and
 * nothing outlives one. Code that passes no environment (NULL in
 * exec_options.env, par_options.env, parallel_for) uses the process
 * default, exec_env_default: the command-line tool's, which lives as
 * long as the process.
 */
#ifndef PAREVM_EXEC_EXEC_ENV_H
#define PAREVM_EXEC_EXEC_ENV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "../base/arena_pool.h"
#include "../base/pool.h"
#include "../base/scratch.h"
#include "../base/types.h"
#include "../evm/fork.h"
#include "mvmemory.h"

struct tx_context;

/* The guard's state (guard.h): the time of the blocks run in this
 * environment, sequentially and in parallel per thread count and class
 * of expected time per transaction, each relative to the sequential
 * time per gas of its fork (fork_rate); and the blocks the engine gave
 * up on or the partitioned pass failed on. Only guard.c reads or writes
 * it, under lock. */
#define EXEC_GUARD_BUCKETS 65
#define EXEC_GUARD_CLASSES 5
#define EXEC_GUARD_RING_MAX 64
struct exec_guard_ring { /* the most recent block hashes of some kind */
    hash32 hashes[EXEC_GUARD_RING_MAX];
    unsigned count, next;
};
struct exec_guard {
    pthread_mutex_t lock; /* guards everything below */
    double seq_rate[EXEC_GUARD_CLASSES], par_rate[EXEC_GUARD_CLASSES][EXEC_GUARD_BUCKETS];
    unsigned seq_samples[EXEC_GUARD_CLASSES], par_samples[EXEC_GUARD_CLASSES][EXEC_GUARD_BUCKETS];
    unsigned decisions[EXEC_GUARD_CLASSES];
    double fork_rate[FORK__COUNT]; /* sequential ns per gas */
    unsigned fork_samples[FORK__COUNT];
    struct exec_guard_ring contended, partition_failed;
    unsigned partition_skip, partition_backoff;
};
#define EXEC_GUARD_INIT {.lock = PTHREAD_MUTEX_INITIALIZER}

/* Transaction contexts kept for the callers' threads (bound for a block,
 * then given back): at most this many are kept, more are freed. */
#define EXEC_ENV_CONTEXTS 16

struct exec_env {
    struct pool pool;
    struct arena_pool arenas; /* the Block-STM workers' read sets */
    struct mv_slab_cache slabs;
    struct scratch_cache scratch;
    struct exec_guard guard;
    /* false for the process default: its callers' threads keep a
     * context of their own (transition.h), as they always did. */
    bool owns_contexts;
    pthread_mutex_t context_lock; /* guards the two below */
    struct tx_context *contexts[EXEC_ENV_CONTEXTS];
    int context_count;
};

/* A new environment in *out (no threads yet: they start on first use).
 * PAREVM_ERR_NOMEM when memory or a lock cannot be had (*out NULL). */
int exec_env_create(struct exec_env **out);
/* Join its threads and free everything it kept (NULL: nothing). No block
 * may be running in it. Never call it on exec_env_default(). */
void exec_env_destroy(struct exec_env *env);

/* The process default (the command-line tool's): never destroyed. */
struct exec_env *exec_env_default(void);

static inline struct exec_env *exec_env_or_default(struct exec_env *env)
{
    return env ? env : exec_env_default();
}

/* Bind a transaction context of env's to the calling thread for the
 * length of a call (transition_context_bind); *prev receives what to
 * restore with exec_env_unbind_context. Nothing to do for an env that
 * does not own contexts (*bound NULL then). PAREVM_ERR_NOMEM when none
 * can be made. */
int exec_env_bind_context(struct exec_env *env, struct tx_context **bound, struct tx_context **prev);
void exec_env_unbind_context(struct exec_env *env, struct tx_context *bound, struct tx_context *prev);

/* Call fn(arg, i) for every i < count on up to `threads` threads of
 * env's worker pool (the caller's included; env NULL: the process
 * default's); returns when every call has (pool_for). */
void parallel_for(struct exec_env *env, int threads, size_t count, void (*fn)(void *arg, size_t i),
                  void *arg);

#endif
