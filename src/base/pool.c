/* pool.c — persistent worker threads (see pool.h). */
#include "pool.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "deep_stack.h"
#include "error.h"

#include <unistd.h>

#define POOL_SPIN_NS 50000 /* how long a thread watches before it parks */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Whether threads of a job of `threads` may watch (no more than the
 * processors online: otherwise a watcher takes a processor from a
 * thread with work). */
static bool may_spin(int threads)
{
    static atomic_int cpus; /* (0: not asked yet) */
    int n = atomic_load_explicit(&cpus, memory_order_relaxed);
    if (!n) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
        atomic_store_explicit(&cpus, n, memory_order_relaxed);
    }
    return threads <= n;
}

/* What a watching thread waits for: a job after generation `seen` (a
 * worker), or every helper out of the job (the caller). */
static bool new_job(const struct pool *p, uint64_t seen)
{
    return atomic_load_explicit(&p->generation, memory_order_acquire) != seen;
}

static bool helpers_done(const struct pool *p, uint64_t unused)
{
    (void)unused;
    return atomic_load_explicit(&p->running, memory_order_acquire) == 0;
}

/* Watch until ready(p, arg), for at most POOL_SPIN_NS (a hint: the
 * locked loops after it decide). */
static void watch(const struct pool *p, bool (*ready)(const struct pool *, uint64_t), uint64_t arg)
{
    uint64_t start = monotonic_ns();
    for (unsigned i = 1; !ready(p, arg); i++) {
        cpu_relax();
        if (!(i % 64) && monotonic_ns() - start > POOL_SPIN_NS)
            return;
    }
}

int pool_init(struct pool *p)
{
    memset(p, 0, sizeof *p);
    if (pthread_mutex_init(&p->lock, NULL))
        return PAREVM_ERR_NOMEM;
    if (pthread_cond_init(&p->wake, NULL)) {
        pthread_mutex_destroy(&p->lock);
        return PAREVM_ERR_NOMEM;
    }
    if (pthread_cond_init(&p->finished, NULL)) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        return PAREVM_ERR_NOMEM;
    }
    return PAREVM_OK;
}

void pool_destroy(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    int count = p->count;
    pthread_mutex_unlock(&p->lock);
    /* (count no longer grows: only a job, and none runs, starts threads) */
    for (int i = 0; i < count; i++)
        pthread_join(p->workers[i].tid, NULL);
    p->count = 0;
    pthread_cond_destroy(&p->finished);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}

static void *pool_thread(void *arg)
{
    struct pool_worker *me = arg;
    struct pool *p = me->pool;
    int index = me->index;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (!p->stopping && p->generation == seen && may_spin(p->wanted + 1)) {
            /* (the last job's size: the next one is likely alike) */
            pthread_mutex_unlock(&p->lock);
            watch(p, new_job, seen);
            pthread_mutex_lock(&p->lock);
        }
        while (!p->stopping && (p->generation == seen || index >= p->wanted)) {
            seen = p->generation;
            pthread_cond_wait(&p->wake, &p->lock);
        }
        if (p->stopping)
            break;
        seen = p->generation;
        void *(*fn)(void *) = p->job_fn;
        void *job = p->job;
        pthread_mutex_unlock(&p->lock);
        fn(job);
        pthread_mutex_lock(&p->lock);
        if (--p->running == 0)
            pthread_cond_broadcast(&p->finished);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Called with p->lock held. */
static bool pool_grow(struct pool *p, int want)
{
    /* The EVM recurses up to 1024 frames deep on the C stack: sized to
     * that need (deep_stack.h), not more, so many workers fit in a
     * limited address space. A thread that cannot be created leaves the
     * pool smaller: pool_start hands the job to the workers it has, and
     * the caller runs it too, so no work is lost. Threads are joinable:
     * pool_destroy joins them. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, deep_stack_size());
    while (p->count < want) {
        struct pool_worker *w = &p->workers[p->count];
        w->pool = p;
        w->index = p->count;
        if (pthread_create(&w->tid, &attr, pool_thread, w) != 0)
            break;
        p->count++;
    }
    pthread_attr_destroy(&attr);
    return p->count >= want;
}

int pool_start(struct pool *p, void *(*fn)(void *), void *arg, int threads, struct pool_job *job)
{
    int helpers = threads - 1;
    job->tids = NULL;
    if (helpers <= 0) {
        job->count = 0; /* (pool_wait: nothing to wait for; not the pool's job) */
        return 0;
    }
    if (helpers > POOL_MAX)
        helpers = POOL_MAX;
    pthread_mutex_lock(&p->lock);
    if (!p->busy) {
        p->busy = true;
        pool_grow(p, helpers);
        int n = helpers < p->count ? helpers : p->count;
        p->job_fn = fn;
        p->job = arg;
        p->wanted = n;
        p->running = n;
        p->generation++;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
        job->count = -1;
        return n;
    }
    /* Busy: threads of this job's own. */
    pthread_mutex_unlock(&p->lock);
    job->tids = calloc((size_t)helpers, sizeof *job->tids);
    job->count = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, deep_stack_size());
    for (int t = 0; t < helpers && job->tids; t++) {
        if (pthread_create(&job->tids[t], &attr, fn, arg) != 0)
            break;
        job->count++;
    }
    pthread_attr_destroy(&attr);
    return job->count;
}

void pool_wait(struct pool *p, struct pool_job *job)
{
    if (job->count >= 0) {
        for (int t = 0; t < job->count; t++)
            pthread_join(job->tids[t], NULL);
        free(job->tids);
        job->tids = NULL;
        job->count = 0;
        return;
    }
    if (may_spin(p->wanted + 1))
        watch(p, helpers_done, 0);
    pthread_mutex_lock(&p->lock);
    while (p->running > 0)
        pthread_cond_wait(&p->finished, &p->lock);
    p->job = NULL;
    p->job_fn = NULL;
    p->wanted = 0;
    p->busy = false;
    pthread_mutex_unlock(&p->lock);
}

/* ---- pool_for ---- */

struct for_job {
    _Alignas(64) atomic_size_t next; /* the next index to hand out */
    size_t count;
    void (*fn)(void *arg, size_t i);
    void *arg;
};

static void *for_worker(void *p)
{
    struct for_job *j = p;
    /* relaxed: the indices only need to be distinct; the results are
     * published by pool_wait's lock and joins */
    for (size_t i; (i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->count;)
        j->fn(j->arg, i);
    return NULL;
}

static void for_worker_thunk(void *p)
{
    for_worker(p);
}

void pool_for(struct pool *p, int threads, size_t count, void (*fn)(void *arg, size_t i), void *arg)
{
    struct for_job j = {.count = count, .fn = fn, .arg = arg};
    atomic_init(&j.next, 0);
    if (threads > (int)count)
        threads = (int)count;
    struct pool_job job = {NULL, 0};
    if (threads > 1)
        pool_start(p, for_worker, &j, threads, &job);
    /* The caller's share, where the stack has room for depth 1024; if no
     * such thread can be made, here (the best left to do). */
    if (deep_stack_run(deep_stack_need(0), for_worker_thunk, &j) != PAREVM_OK)
        for_worker(&j);
    if (threads > 1)
        pool_wait(p, &job);
}
