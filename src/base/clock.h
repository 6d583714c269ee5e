/* clock — the one monotonic clock durations are measured with
 * (CLOCK_MONOTONIC: never steps back, unlike wall-clock time). Values
 * count from an arbitrary start; only differences mean anything. */
#ifndef PAREVM_BASE_CLOCK_H
#define PAREVM_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Now, in nanoseconds. */
static inline uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Now, in seconds. */
static inline double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
