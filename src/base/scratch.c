/* scratch.c — a small cache of large zeroed buffers (see scratch.h). */
#include "scratch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SCRATCH_SLOTS 16
#define SCRATCH_KEEP_MAX ((size_t)512 << 20) /* bytes kept in all */

struct scratch_slot {
    void *p;
    size_t cap; /* bytes usable (rounded up at allocation) */
    bool zeroed;
};

static pthread_mutex_t scratch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct scratch_slot scratch_slots[SCRATCH_SLOTS];
static size_t scratch_kept;

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

void *scratch_get(size_t size)
{
    size_t cap = scratch_cap(size);
    if (cap < size)
        return NULL; /* overflow */
    /* The smallest kept buffer that fits: a big one would stay in use
     * where a later, bigger request needs it. */
    pthread_mutex_lock(&scratch_lock);
    int best = -1;
    for (int i = 0; i < SCRATCH_SLOTS; i++)
        if (scratch_slots[i].p && scratch_slots[i].cap >= cap &&
            (best < 0 || scratch_slots[i].cap < scratch_slots[best].cap))
            best = i;
    struct scratch_slot got = {NULL, 0, false};
    if (best >= 0) {
        got = scratch_slots[best];
        scratch_slots[best].p = NULL;
        scratch_kept -= got.cap;
    }
    pthread_mutex_unlock(&scratch_lock);
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

void scratch_put(void *p, size_t size, bool zeroed)
{
    if (!p)
        return;
    size_t cap = scratch_cap(size);
    pthread_mutex_lock(&scratch_lock);
    int slot = -1;
    if (scratch_kept + cap <= SCRATCH_KEEP_MAX)
        for (int i = 0; i < SCRATCH_SLOTS && slot < 0; i++)
            if (!scratch_slots[i].p)
                slot = i;
    if (slot >= 0) {
        /* Only the first cap bytes are cleared by the next memset: a
         * buffer got for less than its allocation is kept as that much. */
        scratch_slots[slot] = (struct scratch_slot){p, cap, zeroed};
        scratch_kept += cap;
        p = NULL;
    }
    pthread_mutex_unlock(&scratch_lock);
    free(p);
}

void scratch_trim(void)
{
    pthread_mutex_lock(&scratch_lock);
    for (int i = 0; i < SCRATCH_SLOTS; i++) {
        free(scratch_slots[i].p);
        scratch_slots[i].p = NULL;
    }
    scratch_kept = 0;
    pthread_mutex_unlock(&scratch_lock);
}
