/*
 * arena — bump allocator over a singly linked list of chunks, newest
 * first. Marks record (chunk, used); resetting frees every newer chunk and
 * rewinds the marked one, so per-transaction scratch costs no free() calls.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (64 * 1024)

struct arena_chunk {
    struct arena_chunk *prev; /* older chunk */
    size_t size;              /* usable bytes in data[] */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(struct arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
}

static size_t align_up(size_t n) { return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1); }

void *arena_alloc(struct arena *a, size_t size)
{
    if (size > SIZE_MAX - 2 * ARENA_ALIGN - sizeof(struct arena_chunk))
        return NULL;
    size_t need = align_up(size ? size : 1);
    struct arena_chunk *c = a->head;
    if (c && c->size - c->used >= need) {
        void *p = c->data + c->used;
        c->used += need;
        return p;
    }
    /* New chunk: oversized requests get a chunk of their own size. */
    size_t csize = need > a->chunk_size ? need : align_up(a->chunk_size);
    struct arena_chunk *n = malloc(sizeof *n + csize);
    if (!n)
        return NULL;
    n->prev = c;
    n->size = csize;
    n->used = need;
    a->head = n;
    return n->data;
}

void *arena_calloc(struct arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t size)
{
    void *q = arena_alloc(a, size);
    if (q && size)
        memcpy(q, p, size);
    return q;
}

struct arena_mark arena_mark(const struct arena *a)
{
    struct arena_mark m = {a->head, a->head ? a->head->used : 0};
    return m;
}

void arena_reset(struct arena *a, struct arena_mark mark)
{
    while (a->head && a->head != mark.chunk) {
        struct arena_chunk *prev = a->head->prev;
        free(a->head);
        a->head = prev;
    }
    if (a->head)
        a->head->used = mark.used;
}

void arena_free(struct arena *a)
{
    struct arena_mark none = {NULL, 0};
    arena_reset(a, none);
}
