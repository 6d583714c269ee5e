/*
 * machine — build and host description for benchmarks (see machine.h).
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "machine.h"

#include <ctype.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Set by the Makefile (from git describe); builds outside it say so. */
#ifndef PAREVM_GIT_COMMIT
#define PAREVM_GIT_COMMIT "unknown"
#endif

const char *machine_build_commit(void)
{
    return PAREVM_GIT_COMMIT[0] ? PAREVM_GIT_COMMIT : "unknown";
}

/* The value of the first /proc/cpuinfo line whose key is one of keys
 * (x86: "model name"; arm64 kernels: often none, then "CPU implementer"
 * is all there is and the model stays unknown). */
static void machine_cpu_model(char *out, size_t len)
{
    static const char *const keys[] = {"model name", "Model", "Hardware", "cpu model", "Processor", "cpu"};
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    size_t best = sizeof keys / sizeof keys[0];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        size_t klen = (size_t)(colon - line);
        while (klen > 0 && isspace((unsigned char)line[klen - 1]))
            klen--;
        for (size_t k = 0; k < best; k++) {
            if (strlen(keys[k]) != klen || strncmp(line, keys[k], klen))
                continue;
            char *v = colon + 1;
            while (isspace((unsigned char)*v))
                v++;
            size_t vlen = strlen(v);
            while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
                vlen--;
            if (vlen) {
                snprintf(out, len, "%.*s", (int)vlen, v);
                best = k; /* keep looking only for a better key */
            }
            break;
        }
        if (best == 0)
            break;
    }
    fclose(f);
}

void machine_load_average(double load[3])
{
    if (getloadavg(load, 3) != 3)
        load[0] = load[1] = load[2] = -1;
}

void machine_info_read(struct machine_info *m)
{
    memset(m, 0, sizeof *m);
    machine_cpu_model(m->cpu_model, sizeof m->cpu_model);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    m->cpus_online = online > 0 ? (int)online : 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        m->cpus_usable = CPU_COUNT(&set);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof m->kernel, "%.40s %.50s", u.sysname, u.release);
    else
        snprintf(m->kernel, sizeof m->kernel, "unknown");
    machine_load_average(m->load_before);
    m->load_after[0] = m->load_after[1] = m->load_after[2] = -1;
}
