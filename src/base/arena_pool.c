/* arena_pool.c — arenas kept for reuse (see arena_pool.h). */
#include "arena_pool.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

int arena_pool_init(struct arena_pool *p)
{
    memset(p, 0, sizeof *p);
    return pthread_mutex_init(&p->lock, NULL) ? PAREVM_ERR_NOMEM : PAREVM_OK;
}

void arena_pool_destroy(struct arena_pool *p)
{
    for (int i = 0; i < p->count; i++) {
        arena_free(&p->arenas[i]->arena);
        free(p->arenas[i]);
    }
    p->count = 0;
    pthread_mutex_destroy(&p->lock);
}

struct pooled_arena *arena_pool_get(struct arena_pool *p, size_t chunk)
{
    pthread_mutex_lock(&p->lock);
    struct pooled_arena *a = p->count ? p->arenas[--p->count] : NULL;
    pthread_mutex_unlock(&p->lock);
    if (a)
        return a;
    a = malloc(sizeof *a);
    if (!a)
        return NULL;
    arena_init(&a->arena, chunk);
    if (!arena_alloc(&a->arena, 16)) {
        free(a);
        return NULL;
    }
    a->start = arena_mark(&a->arena);
    return a;
}

void arena_pool_put(struct arena_pool *p, struct pooled_arena *a)
{
    if (!a)
        return;
    arena_reset(&a->arena, a->start);
    pthread_mutex_lock(&p->lock);
    if (p->count < ARENA_POOL_MAX) {
        p->arenas[p->count++] = a;
        a = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (a) {
        arena_free(&a->arena);
        free(a);
    }
}
