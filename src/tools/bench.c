/*
 * parevm bench — sequential versus parallel execution of block fixtures,
 * with the oracle bound of each block next to the measured speedup.
 *
 * For every block: `--reps` sequential runs and `--reps` parallel runs at
 * each thread count (each on a fresh copy of the pre-state; execution
 * alone is timed, medians reported); every parallel result is checked to
 * be identical to the sequential one (block result and post-state). One
 * extra single-thread parallel run records the dependency graph and the
 * per-transaction execution times from which the bound follows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../exec/exec.h"
#include "../io/mainnet.h"
#include "cli.h"

#define MAX_THREAD_COUNTS 16

struct bench_opts {
    int threads[MAX_THREAD_COUNTS];
    int thread_count;
    int reps;
    const char *json_path;
    bool quiet;
    bool force; /* parallel engine even where the guard picks sequential */
};

struct bench_row {
    const char *dir;
    uint64_t number;
    size_t txs;
    uint64_t gas;
    double seq_ms, seq_cpu_ms;
    double par_ms[MAX_THREAD_COUNTS], par_cpu_ms[MAX_THREAD_COUNTS];
    double bound[MAX_THREAD_COUNTS];
    double exec_per_tx[MAX_THREAD_COUNTS];
    bool ran_parallel[MAX_THREAD_COUNTS];
    struct oracle oracle;
    bool ok;
    char error[256];
};

void cli_bench_usage(FILE *out)
{
    fprintf(out,
            "usage: parevm bench [OPTIONS] BLOCK_DIR...\n"
            "\n"
            "Execute each block fixture (mainnet snapshot format, e.g. ../shared/fixtures/mainnet/*/\n"
            "or the output of `parevm gen`) sequentially and in parallel at each thread count,\n"
            "check that every parallel result is identical to the sequential one, and print per\n"
            "block: txs, gas, sequential ms, parallel ms, speedup, the oracle bound at P threads\n"
            "(min(P, W/S) from the block's dependency graph: W total work, S heaviest chain,\n"
            "measured per transaction), efficiency = speedup / bound, executions per transaction\n"
            "and CPU ms per Mgas; then an aggregate row.\n"
            "\n"
            "options:\n"
            "  --threads LIST   thread counts, comma separated (default: 1,2,...,online CPUs)\n"
            "  --reps N         repetitions per measurement, median reported (default 5)\n"
            "  --json FILE      also write the results as JSON (- for stdout)\n"
            "  --force          run the parallel engine even where the guard would run the\n"
            "                   block sequentially (to measure the engine itself)\n"
            "  --quiet          only the aggregate row\n"
            "  -h, --help       show this help\n"
            "\n"
            "exit status: 0 all results identical, 1 a mismatch or a load error, 2 usage error.\n");
}

static double now_ms(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One timed execution on a fresh copy of the pre-state. threads == 0:
 * sequential. The post-state root of the (partial) world is the digest
 * compared across runs. */
static int run_once(const struct chain_config *cfg, const struct mainnet_fixture *f, int threads, bool force,
                    struct block_result *r, hash32 *digest, double *wall, double *cpu, struct exec_stats *stats)
{
    struct world w;
    int err = world_clone(&f->pre, &w);
    if (err)
        return err;
    double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (threads == 0) {
        err = exec_block_sequential(cfg, &f->block, &w, &f->hashes, r);
    } else {
        struct exec_options opt = {.threads = threads, .force = force};
        err = exec_block_parallel(cfg, &f->block, &w, &f->hashes, &opt, r, stats);
    }
    *wall = now_ms(CLOCK_MONOTONIC) - t0;
    *cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!err)
        err = world_state_root(&w, digest);
    world_free(&w);
    return err;
}

static void bench_block(const char *dir, const struct bench_opts *o, struct bench_row *row)
{
    memset(row, 0, sizeof *row);
    row->dir = dir;
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture f;
    char err_msg[256];
    if (mainnet_load(dir, &cfg, &f, err_msg, sizeof err_msg)) {
        snprintf(row->error, sizeof row->error, "%s", err_msg);
        return;
    }
    row->number = f.block.header.number;
    row->txs = f.block.tx_count;
    struct block_result ref, r;
    hash32 ref_digest, digest;
    double wall[64], cpu[64];
    int reps = o->reps > 64 ? 64 : o->reps;
    int err = PAREVM_OK;
    row->ok = true;
    for (int k = 0; k < reps && !err; k++) {
        err = run_once(&cfg, &f, 0, false, k ? &r : &ref, k ? &digest : &ref_digest, &wall[k], &cpu[k], NULL);
        if (k && !err)
            block_result_free(&r);
    }
    if (err) {
        snprintf(row->error, sizeof row->error, "sequential execution failed: %s", parevm_strerror(err));
        row->ok = false;
        mainnet_fixture_free(&f);
        return;
    }
    row->gas = ref.gas_used;
    row->seq_ms = median(wall, reps);
    row->seq_cpu_ms = median(cpu, reps);

    /* The dependency graph and per-transaction costs, from an in-order
     * single-thread run (no contention in the timings). */
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    double w1, c1;
    err = run_once(&cfg, &f, 1, true, &r, &digest, &w1, &c1, &stats);
    if (!err) {
        if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
            row->ok = false;
            snprintf(row->error, sizeof row->error, "parallel (1 thread) result differs from sequential");
        }
        oracle_compute(&stats, NULL, &row->oracle);
        block_result_free(&r);
    }
    exec_stats_reset(&stats);

    for (int t = 0; t < o->thread_count && !err && row->ok; t++) {
        double execs = 0;
        for (int k = 0; k < reps && !err; k++) {
            err = run_once(&cfg, &f, o->threads[t], o->force, &r, &digest, &wall[k], &cpu[k], &stats);
            if (err)
                break;
            if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
                row->ok = false;
                snprintf(row->error, sizeof row->error, "parallel result at %d threads differs from sequential",
                         o->threads[t]);
            }
            row->ran_parallel[t] = stats.parallel;
            if (getenv("PAREVM_BENCH_PHASES") && stats.parallel)
                fprintf(stderr,
                        "  block %llu P=%d: parallel phase %.3f ms, commit %.3f ms, %llu executions, "
                        "%llu validations, %llu aborts, %llu blocked\n",
                        (unsigned long long)row->number, o->threads[t], stats.parallel_ns / 1e6,
                        stats.commit_ns / 1e6, (unsigned long long)stats.par.executions,
                        (unsigned long long)stats.par.validations, (unsigned long long)stats.par.aborts,
                        (unsigned long long)stats.par.blocked);
            execs += stats.parallel && row->txs ? (double)stats.par.executions / (double)row->txs : 1.0;
            block_result_free(&r);
            exec_stats_reset(&stats);
        }
        if (err)
            break;
        row->par_ms[t] = median(wall, reps);
        row->par_cpu_ms[t] = median(cpu, reps);
        row->exec_per_tx[t] = execs / reps;
        row->bound[t] = row->txs ? oracle_bound(&row->oracle, o->threads[t]) : 1.0;
    }
    if (err) {
        row->ok = false;
        snprintf(row->error, sizeof row->error, "parallel execution failed: %s", parevm_strerror(err));
    }
    block_result_free(&ref);
    mainnet_fixture_free(&f);
}

static int parse_threads(const char *s, struct bench_opts *o)
{
    o->thread_count = 0;
    while (*s) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v < 1 || v > 1024 || o->thread_count == MAX_THREAD_COUNTS)
            return -1;
        o->threads[o->thread_count++] = (int)v;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return o->thread_count ? 0 : -1;
}

static void print_header(const struct bench_opts *o)
{
    printf("%-10s %6s %9s %9s", "block", "txs", "Mgas", "seq ms");
    for (int t = 0; t < o->thread_count; t++)
        printf(" | P=%-3d %8s %7s %6s %5s %5s", o->threads[t], "par ms", "speedup", "bound", "eff", "ex/tx");
    printf(" | %8s %8s\n", "seqCPU/Mg", "parCPU/Mg");
}

static void print_row(const struct bench_opts *o, const struct bench_row *r)
{
    printf("%-10llu %6zu %9.2f %9.3f", (unsigned long long)r->number, r->txs, r->gas / 1e6, r->seq_ms);
    for (int t = 0; t < o->thread_count; t++) {
        double sp = r->par_ms[t] > 0 ? r->seq_ms / r->par_ms[t] : 0;
        printf(" |       %8.3f %6.2fx %6.2f %5.2f %5.2f%s", r->par_ms[t], sp, r->bound[t],
               r->bound[t] > 0 ? sp / r->bound[t] : 0, r->exec_per_tx[t], r->ran_parallel[t] ? "" : "s");
    }
    int last = o->thread_count - 1;
    printf(" | %8.3f %8.3f\n", r->gas ? r->seq_cpu_ms / (r->gas / 1e6) : 0,
           r->gas ? r->par_cpu_ms[last] / (r->gas / 1e6) : 0);
}

static void write_json(FILE *out, const struct bench_opts *o, const struct bench_row *rows, size_t n)
{
    fprintf(out, "{\"threads\":[");
    for (int t = 0; t < o->thread_count; t++)
        fprintf(out, "%s%d", t ? "," : "", o->threads[t]);
    fprintf(out, "],\"reps\":%d,\"blocks\":[", o->reps);
    for (size_t i = 0; i < n; i++) {
        const struct bench_row *r = &rows[i];
        fprintf(out,
                "%s\n{\"dir\":\"%s\",\"number\":%llu,\"ok\":%s,\"error\":\"%s\",\"txs\":%zu,\"gas\":%llu,"
                "\"seq_ms\":%.6f,\"seq_cpu_ms\":%.6f,\"work_ns\":%.0f,\"span_ns\":%.0f,\"longest_ns\":%.0f,"
                "\"parallel\":[",
                i ? "," : "", r->dir, (unsigned long long)r->number, r->ok ? "true" : "false", r->error, r->txs,
                (unsigned long long)r->gas, r->seq_ms, r->seq_cpu_ms, r->oracle.work, r->oracle.span,
                r->oracle.longest);
        for (int t = 0; t < o->thread_count; t++)
            fprintf(out,
                    "%s{\"threads\":%d,\"ms\":%.6f,\"cpu_ms\":%.6f,\"speedup\":%.4f,\"bound\":%.4f,"
                    "\"executions_per_tx\":%.4f,\"engine\":\"%s\"}",
                    t ? "," : "", o->threads[t], r->par_ms[t], r->par_cpu_ms[t],
                    r->par_ms[t] > 0 ? r->seq_ms / r->par_ms[t] : 0, r->bound[t], r->exec_per_tx[t],
                    r->ran_parallel[t] ? "parallel" : "sequential");
        fprintf(out, "]}");
    }
    fprintf(out, "\n]}\n");
}

int cli_bench(int argc, char **argv)
{
    struct bench_opts o;
    memset(&o, 0, sizeof o);
    o.reps = 5;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    for (long p = 1; p <= cpus && o.thread_count < MAX_THREAD_COUNTS; p *= 2)
        o.threads[o.thread_count++] = (int)p;
    if (o.threads[o.thread_count - 1] != cpus && o.thread_count < MAX_THREAD_COUNTS)
        o.threads[o.thread_count++] = (int)cpus;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *a = argv[first];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cli_bench_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--threads") && first + 1 < argc) {
            if (parse_threads(argv[++first], &o)) {
                fprintf(stderr, "parevm bench: --threads: expected a list like 1,2,4 (1..1024)\n");
                return 2;
            }
        } else if (!strcmp(a, "--reps") && first + 1 < argc) {
            o.reps = atoi(argv[++first]);
            if (o.reps < 1 || o.reps > 64) {
                fprintf(stderr, "parevm bench: --reps: expected 1..64\n");
                return 2;
            }
        } else if (!strcmp(a, "--json") && first + 1 < argc) {
            o.json_path = argv[++first];
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = true;
        } else if (!strcmp(a, "--force")) {
            o.force = true;
        } else {
            fprintf(stderr, "parevm bench: unknown option '%s' (see parevm bench --help)\n", a);
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "parevm bench: no block directories given (see parevm bench --help)\n");
        return 2;
    }
    size_t n = (size_t)(argc - first);
    struct bench_row *rows = calloc(n, sizeof *rows);
    if (!rows)
        return 1;
    if (!o.quiet)
        print_header(&o);
    int failed = 0;
    double seq_total = 0, gas_total = 0, par_total[MAX_THREAD_COUNTS] = {0}, bound_time[MAX_THREAD_COUNTS] = {0};
    double execs_total[MAX_THREAD_COUNTS] = {0};
    size_t txs_total = 0;
    for (size_t i = 0; i < n; i++) {
        struct bench_row *r = &rows[i];
        if (isatty(STDERR_FILENO) && !o.quiet)
            fprintf(stderr, "\r[%zu/%zu] %s ", i + 1, n, argv[first + (int)i]);
        bench_block(argv[first + (int)i], &o, r);
        if (isatty(STDERR_FILENO) && !o.quiet)
            fprintf(stderr, "\r\033[K");
        if (!r->ok) {
            failed++;
            printf("%s: error: %s\n", r->dir, r->error);
            continue;
        }
        if (!o.quiet)
            print_row(&o, r);
        seq_total += r->seq_ms;
        gas_total += (double)r->gas;
        txs_total += r->txs;
        for (int t = 0; t < o.thread_count; t++) {
            par_total[t] += r->par_ms[t];
            bound_time[t] += r->bound[t] > 0 ? r->seq_ms / r->bound[t] : r->seq_ms;
            execs_total[t] += r->exec_per_tx[t] * (double)r->txs;
        }
    }
    /* Aggregate: total times; the aggregate bound is the speedup the
     * blocks' bounds allow for the whole set (time-weighted). */
    printf("%-10s %6zu %9.2f %9.3f", "all", txs_total, gas_total / 1e6, seq_total);
    for (int t = 0; t < o.thread_count; t++) {
        double sp = par_total[t] > 0 ? seq_total / par_total[t] : 0;
        double b = bound_time[t] > 0 ? seq_total / bound_time[t] : 0;
        printf(" |       %8.3f %6.2fx %6.2f %5.2f %5.2f ", par_total[t], sp, b, b > 0 ? sp / b : 0,
               txs_total ? execs_total[t] / (double)txs_total : 0);
    }
    printf("\n%zu blocks, %d failed; results identical to sequential: %s\n", n - (size_t)failed, failed,
           failed ? "NO" : "yes");
    if (o.json_path) {
        FILE *out = strcmp(o.json_path, "-") ? fopen(o.json_path, "w") : stdout;
        if (!out) {
            fprintf(stderr, "parevm bench: %s: %s\n", o.json_path, strerror(errno));
            failed++;
        } else {
            write_json(out, &o, rows, n);
            if (out != stdout)
                fclose(out);
        }
    }
    free(rows);
    return failed ? 1 : 0;
}
