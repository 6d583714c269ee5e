/* scratch — large zeroed buffers kept across uses.
 *
 * A block execution needs a few arrays sized by its transaction count
 * (megabytes for a 10,000-transaction block). Allocated fresh each time,
 * malloc maps them and unmaps them on free, and every page costs a fault
 * when first touched: for cheap transactions that was a large part of
 * the parallel engine's fixed cost. Buffers handed back here are kept
 * (up to a bound) and the next request of at most their size gets one,
 * cleared. A cache belongs to its owner (an execution environment,
 * exec/exec_env.h): nothing here is process-wide. Thread-safe (one mutex
 * per cache, taken twice per buffer's life). */
#ifndef PAREVM_BASE_SCRATCH_H
#define PAREVM_BASE_SCRATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define SCRATCH_SLOTS 16
#define SCRATCH_KEEP_MAX ((size_t)512 << 20) /* bytes kept in all, per cache */

struct scratch_slot {
    void *p;
    size_t cap; /* bytes usable (rounded up at allocation) */
    bool zeroed;
};

struct scratch_cache {
    pthread_mutex_t lock; /* guards the rest */
    struct scratch_slot slots[SCRATCH_SLOTS];
    size_t kept;
};

/* A static initializer, for a cache that lives as long as the process. */
#define SCRATCH_CACHE_INIT {.lock = PTHREAD_MUTEX_INITIALIZER}

/* Initialize an empty cache; PAREVM_ERR_NOMEM when its mutex cannot be
 * made. */
int scratch_cache_init(struct scratch_cache *c);
/* Free every kept buffer and the cache's mutex (no buffer may be out). */
void scratch_cache_destroy(struct scratch_cache *c);

/* size zeroed bytes aligned to 64 (a cache line) from cache c; NULL on
 * allocation failure. Free with scratch_put(c, p, size, ...) with the
 * same cache and size. */
void *scratch_get(struct scratch_cache *c, size_t size);

/* Hand back a buffer from scratch_get. zeroed: the caller cleared every
 * byte it dirtied, so the next user gets it without a memset. NULL is
 * ignored. */
void scratch_put(struct scratch_cache *c, void *p, size_t size, bool zeroed);

/* Free every kept buffer (tests and leak checkers); the cache stays
 * usable. */
void scratch_trim(struct scratch_cache *c);

#endif
