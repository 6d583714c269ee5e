/* chaos.h — fault injection for the parallel engine's tests.
 *
 * Built with -DPAREVM_CHAOS (`make chaos`), CHAOS_POINT() randomly yields
 * the CPU or sleeps for up to ~200 us at the interleaving points of the
 * scheduler, the multi-version memory and the list-driven engine, so
 * orders that are rare on an idle machine happen often. In normal builds
 * it compiles to nothing. */
#ifndef PAREVM_EXEC_CHAOS_H
#define PAREVM_EXEC_CHAOS_H

#ifdef PAREVM_CHAOS
#include <sched.h>
#include <stdint.h>
#include <time.h>

static inline void chaos_point(void)
{
    static _Thread_local uint64_t s;
    if (!s)
        s = (uint64_t)(uintptr_t)&s ^ (uint64_t)time(NULL) ^ 0x9e3779b97f4a7c15ull;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    unsigned r = (unsigned)(s % 64);
    if (r < 8) {
        sched_yield();
    } else if (r == 8) {
        struct timespec ts = {0, (long)(s % 200000)};
        nanosleep(&ts, NULL);
    }
}
#define CHAOS_POINT() chaos_point()
#else
#define CHAOS_POINT() ((void)0)
#endif

#endif
