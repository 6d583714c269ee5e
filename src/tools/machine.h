/*
 * machine — what a benchmark says about where and from what it ran: the
 * build (version, the commit baked in by the Makefile) and the host (CPU
 * model, CPU counts, kernel, load average), so that a reader of its
 * output can tell a slow engine from a busy or small machine.
 */
#ifndef PAREVM_TOOLS_MACHINE_H
#define PAREVM_TOOLS_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct machine_info {
    char cpu_model[128]; /* /proc/cpuinfo's model name (or the like); "unknown" */
    int cpus_online;     /* online CPUs (sysconf); at least 1 */
    int cpus_usable;     /* CPUs this process may run on (its affinity mask); 0: unknown */
    char kernel[96];     /* uname: system and release; "unknown" */
    /* 1-, 5- and 15-minute load averages before and after the measured
     * run; a negative value: not available. */
    double load_before[3];
    double load_after[3];
};

/* Fill m: CPU model, counts, kernel, and the load average now into
 * load_before (load_after is set to -1: the caller reads it with
 * machine_load_average when its run is over). Never fails: what cannot
 * be read is "unknown" / 0 / -1. */
void machine_info_read(struct machine_info *m);

/* The 1-, 5- and 15-minute load averages into load; -1 each where the
 * system does not say. */
void machine_load_average(double load[3]);

/* The commit this binary was built from (`git describe --always --dirty`
 * at build time, "-dirty" when the checkout had uncommitted changes), or
 * "unknown" when it was not built in a git checkout. */
const char *machine_build_commit(void);

/* Whether the 1-minute load average before the run already reached the
 * CPUs the benchmark may use: other work competed for them, and times
 * (and the ceiling) say more about the host than about the engine. The
 * load as machine_load_text prints it (two decimals), so that a printed
 * "2.00" on 2 CPUs always comes with the note (1.996 was printed as 2.00
 * without it). */
static inline bool machine_busy_before(const struct machine_info *m)
{
    int cpus = m->cpus_usable > 0 ? m->cpus_usable : m->cpus_online;
    return m->load_before[0] >= 0 && (long long)(m->load_before[0] * 100 + 0.5) >= (long long)cpus * 100;
}

/* "1.52 1.40 1.33" into out (len bytes), or "unknown" where load[0] < 0.
 * (Inline: the report, which tests compile on their own, uses it too.) */
static inline void machine_load_text(const double load[3], char *out, size_t len)
{
    if (load[0] < 0)
        snprintf(out, len, "unknown");
    else
        snprintf(out, len, "%.2f %.2f %.2f", load[0], load[1], load[2]);
}

#endif
