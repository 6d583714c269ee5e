/*
 * arena_pool — arenas kept for reuse, reset rather than freed.
 *
 * An arena taken from a pool keeps its first chunk across uses: a job
 * that needs an arena per thread gets them without malloc once the pool
 * is warm. A pool keeps up to ARENA_POOL_MAX arenas; more are freed when
 * put back. Safe to use from several threads (guarded by its lock).
 */
#ifndef PAREVM_BASE_ARENA_POOL_H
#define PAREVM_BASE_ARENA_POOL_H

#include <pthread.h>
#include <stddef.h>

#include "arena.h"

#define ARENA_POOL_MAX 64

struct pooled_arena {
    struct arena arena;
    struct arena_mark start; /* after the first chunk: a reset keeps it */
};
struct arena_pool {
    pthread_mutex_t lock; /* guards the two below */
    struct pooled_arena *arenas[ARENA_POOL_MAX];
    int count;
};
#define ARENA_POOL_INIT                                                                                      \
    {                                                                                                        \
        .lock = PTHREAD_MUTEX_INITIALIZER                                                                    \
    }

/* An empty pool; PAREVM_ERR_NOMEM when its lock cannot be made. */
int arena_pool_init(struct arena_pool *p);
/* Free every kept arena and the lock. */
void arena_pool_destroy(struct arena_pool *p);

/* A kept arena, or a new one of chunk-byte chunks with its first chunk
 * allocated; NULL on allocation failure. */
struct pooled_arena *arena_pool_get(struct arena_pool *p, size_t chunk);
/* Reset a (NULL: nothing) and keep it, or free it when the pool is full.
 * What was allocated from it is gone. */
void arena_pool_put(struct arena_pool *p, struct pooled_arena *a);

#endif
