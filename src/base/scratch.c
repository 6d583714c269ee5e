/* scratch.c — a small cache of large zeroed buffers (see scratch.h). */
#include "scratch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "types.h"

/* Buffers from 1 MiB up are aligned to and sized in 2 MiB huge pages
 * (where the kernel grants them): they are probed at random, and with 4
 * KiB pages most probes of a big index also missed the TLB. */
#define SCRATCH_HUGE ((size_t)2 << 20)
#define SCRATCH_HUGE_FROM ((size_t)1 << 20)

/* The capacity a request of size bytes is allocated with: multiples of
 * its alignment, as aligned_alloc requires. */
static size_t scratch_cap(size_t size)
{
    if (size >= SCRATCH_HUGE_FROM)
        return (size + SCRATCH_HUGE - 1) & ~(SCRATCH_HUGE - 1);
    return size ? (size + 63) & ~(size_t)63 : 64;
}

void *scratch_get(struct scratch_cache *c, size_t size)
{
    size_t cap = scratch_cap(size);
    if (cap < size)
        return NULL; /* overflow */
    /* The smallest kept buffer that fits: a big one would stay in use
     * where a later, bigger request needs it. Of those, one kept zeroed:
     * clearing a dirty one costs a pass over cold memory. */
    pthread_mutex_lock(&c->lock);
    int best = -1;
    for (int i = 0; i < SCRATCH_SLOTS; i++)
        if (c->slots[i].p && c->slots[i].cap >= cap &&
            (best < 0 || c->slots[i].cap < c->slots[best].cap ||
             (c->slots[i].cap == c->slots[best].cap && c->slots[i].zeroed && !c->slots[best].zeroed)))
            best = i;
    struct scratch_slot got = {NULL, 0, false};
    if (best >= 0) {
        got = c->slots[best];
        c->slots[best].p = NULL;
        c->kept -= got.cap;
    }
    pthread_mutex_unlock(&c->lock);
    if (got.p) {
        if (!got.zeroed)
            memset(got.p, 0, cap);
        return got.p;
    }
    bool huge = cap >= SCRATCH_HUGE_FROM;
    void *p = aligned_alloc(huge ? SCRATCH_HUGE : 64, cap);
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (huge)
        (void)madvise(p, cap, MADV_HUGEPAGE); /* a hint: without it, small pages */
#endif
    memset(p, 0, cap);
    return p;
}

void scratch_put(struct scratch_cache *c, void *p, size_t size, bool zeroed)
{
    if (!p)
        return;
    size_t cap = scratch_cap(size);
    pthread_mutex_lock(&c->lock);
    int slot = -1;
    if (c->kept + cap <= SCRATCH_KEEP_MAX)
        for (int i = 0; i < SCRATCH_SLOTS && slot < 0; i++)
            if (!c->slots[i].p)
                slot = i;
    if (slot >= 0) {
        /* Only the first cap bytes are cleared by the next memset: a
         * buffer got for less than its allocation is kept as that much. */
        c->slots[slot] = (struct scratch_slot){p, cap, zeroed};
        c->kept += cap;
        p = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(p);
}

int scratch_cache_init(struct scratch_cache *c)
{
    memset(c, 0, sizeof *c);
    return pthread_mutex_init(&c->lock, NULL) ? PAREVM_ERR_NOMEM : PAREVM_OK;
}

void scratch_cache_destroy(struct scratch_cache *c)
{
    scratch_trim(c);
    pthread_mutex_destroy(&c->lock);
}

void scratch_trim(struct scratch_cache *c)
{
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < SCRATCH_SLOTS; i++) {
        free(c->slots[i].p);
        c->slots[i].p = NULL;
    }
    c->kept = 0;
    pthread_mutex_unlock(&c->lock);
}
