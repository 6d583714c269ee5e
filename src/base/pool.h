/*
 * pool — worker threads that persist across jobs, and an index loop run
 * on them (pool_for).
 *
 * Creating threads (and what each builds up: large stacks, per-thread
 * caches of its callers) per job would cost more than small jobs take,
 * so a pool keeps its threads, parked on a condition variable, until
 * pool_destroy joins them. A worker done with a job, and a caller
 * waiting for its helpers, first watch for a short while (POOL_SPIN_NS)
 * before they park, where the job's threads do not outnumber the
 * processors: a block starts several short jobs in a row (look-ups,
 * execution, the receipts root), and a parked thread on a virtual
 * machine may take longer to wake than such a job takes to run. Threads
 * start on first use, with stacks of deep_stack_size() (deep_stack.h).
 * One job uses a pool at a time; a caller that finds it busy (jobs
 * started concurrently from several threads) gets threads of its own for
 * that job, joined by pool_wait. Everything in a pool is guarded by its
 * lock (generation and running are also read, atomically, by watching
 * threads); use it only through the functions below.
 */
#ifndef PAREVM_BASE_POOL_H
#define PAREVM_BASE_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_MAX 1024 /* threads a pool (or a job) has at most */

struct pool;
struct pool_worker {
    struct pool *pool;
    int index;
    pthread_t tid;
};
struct pool {
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake, finished;
    struct pool_worker workers[POOL_MAX];
    int count; /* threads started */
    /* bumped per job (atomic: a worker that just finished one watches it
     * for a while before it parks, see pool_thread) */
    _Atomic uint64_t generation;
    void *(*job_fn)(void *); /* what each worker runs: job_fn(job) */
    void *job;
    int wanted;          /* workers the job uses (indices 0..wanted-1) */
    _Atomic int running; /* workers still inside the job (atomic: pool_wait watches it first) */
    bool busy;           /* a job is using the pool */
    bool stopping;       /* pool_destroy: every worker returns */
};
#define POOL_INIT                                                                                            \
    {                                                                                                        \
        .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,                                 \
        .finished = PTHREAD_COND_INITIALIZER                                                                 \
    }

/* An empty pool (threads start on first use); PAREVM_ERR_NOMEM when its
 * locks cannot be made. */
int pool_init(struct pool *p);
/* Stop and join every worker and free the locks. No job may be running
 * (the pool's owner is done with it). */
void pool_destroy(struct pool *p);

/* One started job: whose threads run it (the pool's, or private ones
 * when the pool was busy), for pool_wait. */
struct pool_job {
    pthread_t *tids; /* private threads (count of them) */
    int count;       /* -1: the pool's threads run the job */
};

/* Start threads - 1 helpers (at most POOL_MAX) each running fn(arg): the
 * pool's threads, or, when the pool is busy with another job, threads of
 * the job's own. The caller is the job's remaining thread and runs its
 * share itself. Returns how many helpers run (fewer where threads could
 * not be created, 0 for threads <= 1); *job is for pool_wait, which must
 * follow on the same thread. */
int pool_start(struct pool *p, void *(*fn)(void *), void *arg, int threads, struct pool_job *job);
/* Wait until every helper of *job has returned from fn. */
void pool_wait(struct pool *p, struct pool_job *job);

/* Call fn(arg, i) for every i < count on up to `threads` threads of the
 * pool (the caller's included, on a stack deep enough for
 * deep_stack_need(0)); returns when every call has. */
void pool_for(struct pool *p, int threads, size_t count, void (*fn)(void *arg, size_t i), void *arg);

#endif
