/* scratch — large zeroed buffers kept across uses.
 *
 * A block execution needs a few arrays sized by its transaction count
 * (megabytes for a 10,000-transaction block). Allocated fresh each time,
 * malloc maps them and unmaps them on free, and every page costs a fault
 * when first touched: for cheap transactions that was a large part of
 * the parallel engine's fixed cost. Buffers handed back here are kept
 * (up to a bound) and the next request of at most their size gets one,
 * cleared. Thread-safe (one mutex, taken twice per buffer's life). */
#ifndef PAREVM_BASE_SCRATCH_H
#define PAREVM_BASE_SCRATCH_H

#include <stdbool.h>
#include <stddef.h>

/* size zeroed bytes aligned to 64 (a cache line); NULL on allocation
 * failure. Free with scratch_put(p, size, ...) with the same size. */
void *scratch_get(size_t size);

/* Hand back a buffer from scratch_get. zeroed: the caller cleared every
 * byte it dirtied, so the next user gets it without a memset. NULL is
 * ignored. */
void scratch_put(void *p, size_t size, bool zeroed);

/* Free every kept buffer (tests and leak checkers). */
void scratch_trim(void);

#endif
