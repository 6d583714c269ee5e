/* arena — bump allocator. A block execution owns one; per-transaction
 * scratch is reset to a mark, never freed piecemeal. Not thread-safe:
 * each thread uses its own arena. */
#ifndef PAREVM_BASE_ARENA_H
#define PAREVM_BASE_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena {
    struct arena_chunk *head; /* newest chunk */
    size_t chunk_size;        /* default size of new chunks */
};

void arena_init(struct arena *a, size_t chunk_size);
/* 16-byte aligned, uninitialised; NULL on allocation failure. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t size);
void *arena_memdup(struct arena *a, const void *p, size_t size);

struct arena_mark {
    struct arena_chunk *chunk;
    size_t used;
};
struct arena_mark arena_mark(const struct arena *a);
/* Release everything allocated after the mark (chunks beyond it are freed). */
void arena_reset(struct arena *a, struct arena_mark mark);
void arena_free(struct arena *a);

#endif
