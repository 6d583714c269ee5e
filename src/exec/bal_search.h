/*
 * bal_search — the search of an access list's changes by block access
 * index, shared by the list-driven engine (balexec.c) and its test.
 */
#ifndef PAREVM_EXEC_BAL_SEARCH_H
#define PAREVM_EXEC_BAL_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/* Of entries [lo, hi) of an array ascending by block access index (the
 * uint32_t at byte `off` of each `size`-byte entry at base), the first at
 * or above limit (hi: none). The changes of a hot location are spread
 * over the block's indices about evenly, so the position interpolated
 * from the two ends is tried first, with its neighbour: a transaction
 * then finds its place in two or three reads, not a binary search's
 * log2(n) unpredictable ones. What the guess leaves is searched by
 * halves. */
#define INDEX_OF(i) (*(const uint32_t *)(base + (i) * size + off))
static inline size_t index_search(const char *base, size_t size, size_t off, size_t lo, size_t hi,
                                  uint32_t limit)
{
    if (lo >= hi || INDEX_OF(lo) >= limit)
        return lo;
    uint32_t a = INDEX_OF(lo), b = INDEX_OF(hi - 1);
    if (b < limit)
        return hi;
    /* a < limit <= b: the answer is in (lo, hi - 1]; any guess in
     * [lo, hi - 1] is safe (kept there should the product wrap, which
     * takes a run of 2^32 changes) */
    uint64_t step = (uint64_t)(limit - a) * (hi - 1 - lo) / ((uint64_t)b - a);
    size_t g = lo + (step < hi - 1 - lo ? (size_t)step : hi - 1 - lo);
    if (INDEX_OF(g) < limit) {
        if (INDEX_OF(g + 1) >= limit)
            return g + 1;
        lo = g + 2;
    } else {
        if (INDEX_OF(g - 1) < limit) /* (g > lo: INDEX_OF(lo) < limit) */
            return g;
        hi = g - 1;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (INDEX_OF(mid) < limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
#undef INDEX_OF

#endif
