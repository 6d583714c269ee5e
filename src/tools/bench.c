/*
 * parevm bench — sequential versus parallel execution of block fixtures,
 * with the oracle bound of each block next to the measured speedup.
 *
 * For every block: `--reps` sequential runs and `--reps` parallel runs at
 * each thread count (each on a fresh copy of the pre-state; execution
 * alone is timed, medians reported); every parallel result is checked to
 * be identical to the sequential one (block result and post-state). One
 * extra single-thread parallel run records the dependency graph and the
 * per-transaction execution times from which the bound follows. With
 * --report, one more forced parallel run at the highest thread count
 * records the schedule and the hot locations for the report
 * (tools/report.h), also checked against the sequential result.
 * With --ceiling, each repetition also measures the machine's ceiling at
 * every thread count P of 2 or more: P sequential executions of the block
 * at once, one per thread, each on its own copy of the pre-state (see
 * run_concurrent).
 *
 * Progress goes to stderr: a live bar when stderr is a terminal, one line
 * per block otherwise.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../exec/bal.h"
#include "../exec/exec.h"
#include "../io/mainnet.h"
#include "cli.h"
#include "machine.h"
#include "options.h"
#include "parevm.h"
#include "report.h"
#include "util.h"

#define MAX_THREAD_COUNTS REPORT_MAX_THREADS

struct bench_opts {
    int threads[MAX_THREAD_COUNTS];
    int thread_count;
    int reps;
    const char *json_path;
    bool quiet;
    bool force;                    /* parallel engine even where the guard picks sequential */
    bool lazy_storage;             /* --lazy-storage (exec_options.lazy_storage) */
    enum exec_partition partition; /* --partition */
    const char *report_path;       /* --report: HTML (and JSON beside it) */
    const char *report_json;       /* --report-json: JSON path (default beside the HTML) */
    bool progress;                 /* progress on stderr (off with --quiet / --no-progress) */
    bool ceiling;                  /* --ceiling: measure the machine's ceiling per thread count */
    bool stm;                      /* --engine: Block-STM runs at each thread count (sequential: always) */
    bool bal;                      /* --engine: access-list-driven runs at each thread count */
};

/* Progress over every timed or recorded run of every block. */
struct bench_progress {
    bool tty;
    size_t done, total;
    size_t block, blocks;
    const char *label;
    double t0;
};

struct bench_row {
    const char *dir;
    char label[64]; /* the directory's base name */
    uint64_t number;
    size_t txs;
    uint64_t gas;
    double seq_ms, seq_cpu_ms;                                       /* medians over the repetitions */
    double seq_min_ms, seq_max_ms;                                   /* the spread of the repetitions */
    double par_ms[MAX_THREAD_COUNTS], par_cpu_ms[MAX_THREAD_COUNTS]; /* medians */
    double par_min_ms[MAX_THREAD_COUNTS], par_max_ms[MAX_THREAD_COUNTS];
    double bound[MAX_THREAD_COUNTS];
    double ceil_ms[MAX_THREAD_COUNTS]; /* --ceiling: P concurrent sequential runs (0: not measured) */
    double exec_per_tx[MAX_THREAD_COUNTS];
    bool ran_parallel[MAX_THREAD_COUNTS];
    bool partitioned[MAX_THREAD_COUNTS]; /* the partitioned pass held (every repetition) */
    size_t kept[MAX_THREAD_COUNTS];      /* transactions it kept (the fewest of any repetition) */
    struct oracle oracle;
    /* --engine bal: the access-list-driven engine, as par_* (bal_bound:
     * min(P, W/L) by gas, every transaction at once, longest first;
     * bal_degraded: the list did not drive the block in some repetition) */
    double bal_ms[MAX_THREAD_COUNTS], bal_cpu_ms[MAX_THREAD_COUNTS];
    double bal_min_ms[MAX_THREAD_COUNTS], bal_max_ms[MAX_THREAD_COUNTS], bal_bound[MAX_THREAD_COUNTS];
    bool bal_degraded[MAX_THREAD_COUNTS];
    struct bal_size bal_size; /* the list: its entries, RLP bytes and the EIP's cap on items */
    size_t bal_bytes;
    uint64_t bal_cap;
    bool ok;
    char error[256];
    /* kept for the report: the dependency graph of the single-thread run
     * and the recorded run at the highest thread count */
    struct exec_stats graph, recorded;
    int recorded_threads;
    /* --engine bal with --report: a recorded list-driven run at the
     * highest thread count (bal_recorded.bal_driven: the list held) */
    struct exec_stats bal_recorded;
};

void cli_bench_usage(FILE *out)
{
    fprintf(out, "usage: parevm bench [OPTIONS] BLOCK_DIR...\n"
                 "\n"
                 "Execute each block fixture (mainnet snapshot format, e.g. ../shared/fixtures/mainnet/*/\n"
                 "or the output of `parevm gen`) sequentially and with each engine of --engine at each\n"
                 "thread count, check that every result is identical to the sequential one, and print\n"
                 "first the build (version, commit), the machine (CPU model, CPUs online and usable,\n"
                 "kernel) and its load average (with a note where that load already reached the usable\n"
                 "CPUs, or where a thread count exceeds them), then one table: per block one line for\n"
                 "sequential execution (seq, the baseline) and one per engine and thread count P, with the\n"
                 "median ms and the min-max over the repetitions, Mgas/s, speedup against seq, the oracle\n"
                 "bound at P threads (min(P, W/S) from the block's dependency graph: W total work, S\n"
                 "heaviest chain, measured per transaction), eff = speedup / bound, executions per\n"
                 "transaction and CPU ms per Mgas; then the same lines for all blocks together (times,\n"
                 "minima and maxima summed), and the load average after the run. After ex/tx, 's' marks a\n"
                 "block the guard ran sequentially and 'p' one whose partitioned pass held (see\n"
                 "--partition).\n"
                 "\n"
                 "options:\n"
                 "  --engine LIST    engines, comma separated (default seq,stm): seq (sequential\n"
                 "                   execution; always measured: the reference every result is\n"
                 "                   checked against and the baseline of every speedup), stm\n"
                 "                   (Block-STM, at each thread count), bal (the access-list-driven\n"
                 "                   executor, EIP-7928, at each thread count: the block's list is\n"
                 "                   first recorded by an untimed sequential run, then drives the\n"
                 "                   timed runs; its bound is min(P, W/L) by gas, W the block's\n"
                 "                   gas, L its longest transaction's; 'd' after ex/tx marks a\n"
                 "                   block the list could not drive, run again without it).\n"
                 "                   --engine seq alone times sequential execution only (no\n"
                 "                   --ceiling); --report needs stm\n"
                 "  --threads LIST   thread counts, comma separated (default: 1,2,...,online CPUs)\n"
                 "  --reps N         repetitions, median reported (default 5); each repetition runs\n"
                 "                   the block sequentially and then at every thread count, so\n"
                 "                   drift in the machine's speed shifts all columns alike (after\n"
                 "                   one untimed warm-up run at the highest thread count)\n"
                 "  --json FILE      also write the results as JSON (- for stdout): the build and the\n"
                 "                   machine (\"parevm\", \"machine\" with the load before and after),\n"
                 "                   and per block and thread count the median, min and max ms and\n"
                 "                   Mgas/s\n"
                 "  --ceiling        also measure, per thread count P >= 2, what this machine allows:\n"
                 "                   P sequential executions of the block at once (one per thread,\n"
                 "                   each on its own copy of the pre-state; results checked), in\n"
                 "                   every repetition. ceil = P x seq ms / their wall ms: the\n"
                 "                   throughput P threads get from this block's work when they share\n"
                 "                   nothing and wait for nothing (below P where cores slow each\n"
                 "                   other down: shared caches and memory, SMT siblings, other\n"
                 "                   tenants). Adds the columns ceil and ceff = speedup / min(bound,\n"
                 "                   ceil) after eff, on the stm and bal lines alike, and \"ceiling\"\n"
                 "                   to the JSON\n"
                 "  --force          run the parallel engine even where the guard would run the\n"
                 "                   block sequentially (to measure the engine itself)\n"
                 "  --lazy-storage   experimental: Block-STM reads storage that a lower transaction\n"
                 "                   wrote lazily, validating the read by the comparisons its value\n"
                 "                   took part in, and writes a slot it only added to as a delta\n"
                 "                   (P >= 2; it saves re-executions, and so far costs about the\n"
                 "                   time they took)\n"
                 "  --partition auto|off|always\n"
                 "                   the partitioned pass before Block-STM (a contiguous run of\n"
                 "                   transactions per thread; its outputs are kept up to the first\n"
                 "                   read of what an earlier run wrote, and Block-STM goes on from\n"
                 "                   there): where it is likely to hold (default), never (Block-STM\n"
                 "                   alone), or on every block\n"
                 "  --report FILE    write an HTML report (one self-contained file, inline SVG): the\n"
                 "                   build and machine lines, the table (min-max under each time,\n"
                 "                   Mgas/s, and ceil with --ceiling), speedup against threads with\n"
                 "                   the bound per scenario and, per block, a Gantt chart of one\n"
                 "                   extra recorded parallel run at the highest thread count (forced\n"
                 "                   parallel, also checked), the dependency graph with its critical\n"
                 "                   path and the hottest state locations; with --engine bal also\n"
                 "                   the three engines against their bounds, the access list's size\n"
                 "                   and a Gantt chart of one recorded list-driven run; and the same\n"
                 "                   data as JSON beside it (FILE with .json for .html)\n"
                 "  --report-json FILE   the report's JSON somewhere else\n"
                 "  --no-progress    no progress on stderr (default: a live bar when stderr is a\n"
                 "                   terminal, else one line per block)\n"
                 "  --quiet          only the build and machine lines and the aggregate lines (and\n"
                 "                   no progress)\n"
                 "  -h, --help       show this help\n"
                 "\n"
                 "Blocks are named by their directory's base name; scenarios in the report group names\n"
                 "by the part before their last '-' (amm-low, amm-high -> amm; numbers -> mainnet).\n"
                 "\n"
                 "exit status: 0 all results identical, 1 a mismatch, a load error or a report that\n"
                 "could not be written, 2 usage error.\n");
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

/* Advance by one run and redraw: a bar on a terminal, nothing otherwise
 * (bench_progress_block prints the per-block lines then). */
static void bench_progress_step(struct bench_progress *p, const char *what)
{
    if (!p)
        return;
    p->done++;
    if (!p->tty)
        return;
    double elapsed = (now_ms(CLOCK_MONOTONIC) - p->t0) / 1e3;
    double frac = p->total ? (double)p->done / (double)p->total : 1;
    int width = 30, filled = (int)(frac * width + 0.5);
    char bar[64];
    for (int k = 0; k < width; k++)
        bar[k] = k < filled ? '#' : '.';
    bar[width] = 0;
    double eta = frac > 0 ? elapsed / frac - elapsed : 0;
    fprintf(stderr, "\r\033[K[%s] %3.0f%% block %zu/%zu %.24s %s %4.0fs, ~%.0fs left", bar, frac * 100,
            p->block, p->blocks, p->label ? p->label : "", what, elapsed, eta);
    fflush(stderr);
}

static void bench_progress_clear(const struct bench_progress *p)
{
    if (p && p->tty) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One timed execution on a fresh copy of the pre-state. threads == 0:
 * sequential. The post-state root of the (partial) world is the digest
 * compared across runs. */
/* In-order single-thread runs the per-transaction costs are taken from. */
#define GRAPH_RUNS 3

static int run_once(const struct chain_config *cfg, const struct mainnet_fixture *f, int threads, bool force,
                    bool lazy_storage, enum exec_partition partition, struct block_result *r, hash32 *digest,
                    double *wall, double *cpu, struct exec_stats *stats)
{
    struct world w;
    int err = world_clone(&f->pre, &w);
    if (err)
        return err;
    double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (threads == 0) {
        err = exec_block_sequential(cfg, &f->block, &w, &f->hashes, r);
    } else {
        struct exec_options opt = {
            .threads = threads, .force = force, .partition = partition, .lazy_storage = lazy_storage};
        err = exec_block_parallel(cfg, &f->block, &w, &f->hashes, &opt, r, stats);
    }
    *wall = now_ms(CLOCK_MONOTONIC) - t0;
    *cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!err)
        err = world_state_root(&w, digest);
    world_free(&w);
    return err;
}

/* run_once driven by the access list `list` (exec_options.drive) at
 * `threads`; *degraded: the list did not hold and the block ran again
 * without it. */
static int run_drive(const struct chain_config *cfg, const struct mainnet_fixture *f, const struct bal *list,
                     int threads, struct block_result *r, hash32 *digest, double *wall, double *cpu,
                     bool *degraded)
{
    struct world w;
    int err = world_clone(&f->pre, &w);
    if (err)
        return err;
    struct exec_options opt = {.threads = threads, .force = true, .drive = list};
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    err = exec_block_parallel(cfg, &f->block, &w, &f->hashes, &opt, r, &stats);
    *wall = now_ms(CLOCK_MONOTONIC) - t0;
    *cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *degraded = stats.bal_degraded;
    if (getenv("PAREVM_BENCH_PHASES"))
        fprintf(stderr, "  block %llu bal P=%d: parallel phase %.3f ms, commit %.3f ms, total %.3f ms\n",
                (unsigned long long)f->block.header.number, threads, stats.parallel_ns / 1e6,
                stats.commit_ns / 1e6, *wall);
    exec_stats_reset(&stats);
    if (!err)
        err = world_state_root(&w, digest);
    world_free(&w);
    return err;
}

/* A recorded run for the report (opt: record, and drive for the list's
 * engine) into *stats, checked against the sequential result ref /
 * ref_digest: a difference marks row failed, naming `what`. */
static int run_recorded(const struct chain_config *cfg, const struct mainnet_fixture *f,
                        const struct exec_options *opt, const struct block_result *ref, const hash32 *ref_digest,
                        struct exec_stats *stats, struct bench_row *row, const char *what)
{
    struct world w;
    int err = world_clone(&f->pre, &w);
    if (err)
        return err;
    struct block_result r;
    err = exec_block_parallel(cfg, &f->block, &w, &f->hashes, opt, &r, stats);
    if (!err) {
        hash32 digest;
        err = world_state_root(&w, &digest);
        if (!err && (!block_result_equal(ref, &r) || !hash32_eq(ref_digest, &digest))) {
            row->ok = false;
            snprintf(row->error, sizeof row->error, "%s at %d threads differs from sequential", what,
                     opt->threads);
        }
        block_result_free(&r);
    }
    world_free(&w);
    return err;
}

/* The block's access list, recorded by a sequential run into *list
 * (bal_init'ed). */
static int record_list(const struct chain_config *cfg, const struct mainnet_fixture *f, struct bal *list)
{
    struct world w;
    int err = world_clone(&f->pre, &w);
    if (err)
        return err;
    struct exec_options opt = {.threads = 1, .bal = list};
    struct block_result r;
    err = exec_block_parallel(cfg, &f->block, &w, &f->hashes, &opt, &r, NULL);
    if (!err && r.invalid)
        err = PAREVM_ERR_BLOCK_INVALID;
    block_result_free(&r);
    world_free(&w);
    return err;
}

/* run_concurrent's common start: the threads wait until the caller says
 * go (all of them have started) or stop (one could not be). */
struct start_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state; /* 0 wait, 1 go, 2 stop */
};

static int gate_wait(struct start_gate *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->state)
        pthread_cond_wait(&g->cond, &g->lock);
    int state = g->state;
    pthread_mutex_unlock(&g->lock);
    return state;
}

static void gate_open(struct start_gate *g, int state)
{
    pthread_mutex_lock(&g->lock);
    g->state = state;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

/* One of run_concurrent's executions: sequential (one thread), kept out
 * of the guard's samples (its time is that of a block sharing the
 * machine with copies of itself). */
struct concurrent_run {
    const struct chain_config *cfg;
    const struct mainnet_fixture *f;
    struct start_gate *gate;
    struct world w;
    struct block_result r;
    int err;
};

static void concurrent_exec(struct concurrent_run *c)
{
    struct exec_options opt = {.threads = 1, .no_sample = true};
    c->err = exec_block_parallel(c->cfg, &c->f->block, &c->w, &c->f->hashes, &opt, &c->r, NULL);
}

static void *concurrent_thread(void *arg)
{
    struct concurrent_run *c = arg;
    if (gate_wait(c->gate) == 1)
        concurrent_exec(c);
    return NULL;
}

/* The machine's ceiling at p threads: p sequential executions of the
 * block at once, each on its own copy of the pre-state (copied before the
 * clock starts), one per thread, the calling thread included. *wall is
 * the time from the common start until the last finished; every result
 * must equal ref (else *same is false). */
static int run_concurrent(const struct chain_config *cfg, const struct mainnet_fixture *f, int p,
                          const struct block_result *ref, double *wall, bool *same)
{
    struct concurrent_run *runs = calloc((size_t)p, sizeof *runs);
    pthread_t *tids = calloc((size_t)p, sizeof *tids);
    struct start_gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    int err = runs && tids ? PAREVM_OK : PAREVM_ERR_NOMEM;
    int cloned = 0, started = 1; /* the calling thread is run 0 */
    for (; !err && cloned < p; cloned++) {
        runs[cloned] = (struct concurrent_run){.cfg = cfg, .f = f, .gate = &gate};
        if ((err = world_clone(&f->pre, &runs[cloned].w)))
            break;
    }
    for (; !err && started < p; started++)
        if (pthread_create(&tids[started], NULL, concurrent_thread, &runs[started])) {
            err = PAREVM_ERR_NOMEM;
            break;
        }
    gate_open(&gate, err ? 2 : 1);
    double t0 = now_ms(CLOCK_MONOTONIC);
    if (!err)
        concurrent_exec(&runs[0]);
    for (int k = 1; k < started; k++)
        pthread_join(tids[k], NULL);
    if (!err) {
        *wall = now_ms(CLOCK_MONOTONIC) - t0;
        *same = true;
        for (int k = 0; k < p && !err; k++) {
            err = runs[k].err;
            if (!err && !block_result_equal(ref, &runs[k].r))
                *same = false;
        }
    }
    for (int k = 0; k < cloned; k++) {
        block_result_free(&runs[k].r);
        world_free(&runs[k].w);
    }
    free(runs);
    free(tids);
    return err;
}

/* The base name of a block directory ("a/b/amm-low/" -> "amm-low"). */
static void bench_label(const char *dir, char *out, size_t len)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t s = n;
    while (s > 0 && dir[s - 1] != '/')
        s--;
    snprintf(out, len, "%.*s", (int)(n - s), dir + s);
}

static void bench_block(const char *dir, const struct bench_opts *o, struct bench_row *row,
                        struct bench_progress *progress)
{
    memset(row, 0, sizeof *row);
    row->dir = dir;
    bench_label(dir, row->label, sizeof row->label);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    /* As `parevm run`: a snapshot's pre-state is partial, so the state
     * roots pre-Byzantium receipts carry would be meaningless (and cost a
     * root of the whole loaded state per transaction). */
    cfg.skip_intermediate_roots = true;
    struct mainnet_fixture f;
    char err_msg[256];
    if (mainnet_load(dir, &cfg, &f, err_msg, sizeof err_msg)) {
        snprintf(row->error, sizeof row->error, "%s", err_msg);
        return;
    }
    cfg = f.cfg; /* (chain.json's network, where the folder has one) */
    row->number = f.block.header.number;
    row->txs = f.block.tx_count;
    struct block_result ref, r;
    hash32 ref_digest, digest;
    double wall[64], cpu[64];
    int reps = o->reps > 64 ? 64 : o->reps;
    row->ok = true;
    /* The reference result (and a warm-up: code and caches). */
    double w0, c0;
    int err = run_once(&cfg, &f, 0, false, false, o->partition, &ref, &ref_digest, &w0, &c0, NULL);
    bench_progress_step(progress, "sequential");
    if (err) {
        snprintf(row->error, sizeof row->error, "sequential execution failed: %s", parevm_strerror(err));
        row->ok = false;
        mainnet_fixture_free(&f);
        return;
    }
    row->gas = ref.gas_used;
    /* --engine bal: the list that drives the timed runs, and the bound
     * by gas (every transaction at once: the longest one is the span). */
    struct bal list;
    bal_init(&list);
    if (o->bal) {
        err = record_list(&cfg, &f, &list);
        if (err) {
            snprintf(row->error, sizeof row->error, "recording the access list failed: %s",
                     parevm_strerror(err));
            row->ok = false;
            bal_free(&list);
            block_result_free(&ref);
            mainnet_fixture_free(&f);
            return;
        }
        uint64_t longest = 0;
        for (size_t i = 0; i < ref.receipt_count; i++)
            if (ref.receipts[i].gas_used > longest)
                longest = ref.receipts[i].gas_used;
        for (int t = 0; t < o->thread_count; t++) {
            double wl = longest ? (double)ref.gas_used / (double)longest : 1.0;
            row->bal_bound[t] = wl < o->threads[t] ? wl : o->threads[t];
        }
        bal_measure(&list, &row->bal_size);
        row->bal_cap = bal_item_cap(f.block.header.gas_limit);
        struct bytebuf rlp = {0};
        err = bal_encode(&list, &rlp);
        row->bal_bytes = rlp.len;
        bytebuf_free(&rlp);
        if (err) {
            snprintf(row->error, sizeof row->error, "encoding the access list failed: %s", parevm_strerror(err));
            row->ok = false;
            bal_free(&list);
            block_result_free(&ref);
            mainnet_fixture_free(&f);
            return;
        }
    }

    /* The dependency graph and per-transaction costs, from in-order
     * single-thread runs (no contention in the timings). Costs are wall
     * clock, and a transaction whose thread lost its core meanwhile would
     * look many times its cost (and could become the bound's critical
     * path): each is the least of GRAPH_RUNS runs. */
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    double w1, c1;
    if (o->stm) { /* (sequential alone: no bound to show) */
        err = run_once(&cfg, &f, 1, true, o->lazy_storage, o->partition, &r, &digest, &w1, &c1, &row->graph);
        bool have_r = !err;
        for (int k = 1; k < GRAPH_RUNS && !err && row->graph.cost_ns; k++) {
            struct block_result again;
            err = run_once(&cfg, &f, 1, true, o->lazy_storage, o->partition, &again, &digest, &w1, &c1,
                           &stats);
            if (!err) {
                for (size_t i = 0; i < row->graph.tx_count && i < stats.tx_count; i++)
                    if (stats.cost_ns[i] < row->graph.cost_ns[i])
                        row->graph.cost_ns[i] = stats.cost_ns[i];
                block_result_free(&again);
            }
            exec_stats_reset(&stats);
        }
        if (!err) {
            if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
                row->ok = false;
                snprintf(row->error, sizeof row->error, "parallel (1 thread) result differs from sequential");
            }
            oracle_compute(&row->graph, NULL, &row->oracle);
            block_result_free(&r);
        } else if (have_r) {
            block_result_free(&r);
        }
        if (!o->report_path)
            exec_stats_reset(&row->graph);
        bench_progress_step(progress, "graph");
    }

    /* A warm-up of the parallel engine at the highest thread count,
     * untimed and forced (the guard learns nothing from it): a process's
     * first parallel runs pay for starting threads and for memory the
     * engine then keeps (location slabs, arenas, scratch buffers). */
    int max_threads = 1;
    for (int t = 0; t < o->thread_count; t++)
        if (o->threads[t] > max_threads)
            max_threads = o->threads[t];
    if (!err && row->ok && o->stm && max_threads > 1) {
        err = run_once(&cfg, &f, max_threads, true, o->lazy_storage, o->partition, &r, &digest, &w1, &c1, NULL);
        if (!err) {
            if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
                row->ok = false;
                snprintf(row->error, sizeof row->error,
                         "parallel result at %d threads differs from sequential", max_threads);
            }
            block_result_free(&r);
        }
    }
    if (o->stm)
        bench_progress_step(progress, "warm-up");
    if (!err && row->ok && o->bal) { /* (the list's engine too) */
        bool degraded;
        err = run_drive(&cfg, &f, &list, max_threads, &r, &digest, &w1, &c1, &degraded);
        if (!err) {
            if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
                row->ok = false;
                snprintf(row->error, sizeof row->error,
                         "access-list-driven result at %d threads differs from sequential", max_threads);
            }
            block_result_free(&r);
        }
        bench_progress_step(progress, "warm-up bal");
    }

    /* The timed runs, interleaved: each repetition runs the block
     * sequentially and then at every thread count, so a machine whose
     * speed drifts (other tenants) shifts all columns alike rather than
     * the later ones. */
    double par_wall[MAX_THREAD_COUNTS][64], par_cpu[MAX_THREAD_COUNTS][64], execs[MAX_THREAD_COUNTS];
    double bal_wall[MAX_THREAD_COUNTS][64], bal_cpu[MAX_THREAD_COUNTS][64];
    double ceil_wall[MAX_THREAD_COUNTS][64];
    memset(execs, 0, sizeof execs);
    bool seq_failed = false;
    for (int k = 0; k < reps && !err && row->ok; k++) {
        err = run_once(&cfg, &f, 0, false, false, o->partition, &r, &digest, &wall[k], &cpu[k], NULL);
        if (err) {
            seq_failed = true;
            snprintf(row->error, sizeof row->error, "sequential execution failed: %s", parevm_strerror(err));
            break;
        }
        block_result_free(&r);
        bench_progress_step(progress, "sequential");
        /* per thread count: Block-STM, the list's engine, the ceiling */
        for (int t = 0; t < o->thread_count && !err && row->ok; t++) {
            char what[32];
            if (o->stm) {
                err = run_once(&cfg, &f, o->threads[t], o->force, o->lazy_storage, o->partition, &r, &digest,
                               &par_wall[t][k], &par_cpu[t][k], &stats);
                if (err)
                    break;
                if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
                    row->ok = false;
                    snprintf(row->error, sizeof row->error, "parallel result at %d threads differs from sequential",
                             o->threads[t]);
                }
                row->ran_parallel[t] = stats.parallel;
                row->partitioned[t] = stats.partitioned && (k == 0 || row->partitioned[t]);
                if (k == 0 || stats.partition_kept < row->kept[t])
                    row->kept[t] = stats.partition_kept;
                if (getenv("PAREVM_BENCH_PHASES") && stats.parallel)
                    fprintf(stderr,
                            "  block %llu P=%d: parallel phase %.3f ms, commit %.3f ms, %llu executions, "
                            "%llu validations, %llu aborts, %llu blocked, %llu chained\n",
                            (unsigned long long)row->number, o->threads[t], stats.parallel_ns / 1e6,
                            stats.commit_ns / 1e6, (unsigned long long)stats.par.executions,
                            (unsigned long long)stats.par.validations, (unsigned long long)stats.par.aborts,
                            (unsigned long long)stats.par.blocked, (unsigned long long)stats.par.chained);
                execs[t] += stats.parallel && row->txs ? (double)stats.par.executions / (double)row->txs : 1.0;
                block_result_free(&r);
                exec_stats_reset(&stats);
                snprintf(what, sizeof what, "P=%d", o->threads[t]);
                bench_progress_step(progress, what);
            }
            if (o->bal && row->ok) {
                bool degraded;
                err = run_drive(&cfg, &f, &list, o->threads[t], &r, &digest, &bal_wall[t][k], &bal_cpu[t][k],
                                &degraded);
                if (err)
                    break;
                if (!block_result_equal(&ref, &r) || !hash32_eq(&ref_digest, &digest)) {
                    row->ok = false;
                    snprintf(row->error, sizeof row->error,
                             "access-list-driven result at %d threads differs from sequential", o->threads[t]);
                }
                row->bal_degraded[t] |= degraded;
                block_result_free(&r);
                snprintf(what, sizeof what, "bal P=%d", o->threads[t]);
                bench_progress_step(progress, what);
            }
            if (o->ceiling && o->threads[t] > 1 && row->ok) {
                bool same = true;
                err = run_concurrent(&cfg, &f, o->threads[t], &ref, &ceil_wall[t][k], &same);
                if (err)
                    break;
                if (!same) {
                    row->ok = false;
                    snprintf(row->error, sizeof row->error,
                             "a concurrent sequential run (ceiling at %d threads) differs from sequential",
                             o->threads[t]);
                }
                snprintf(what, sizeof what, "ceiling P=%d", o->threads[t]);
                bench_progress_step(progress, what);
            }
        }
    }
    if (!err && row->ok) {
        row->seq_ms = median(wall, reps); /* sorts: min and max at the ends */
        row->seq_min_ms = wall[0];
        row->seq_max_ms = wall[reps - 1];
        row->seq_cpu_ms = median(cpu, reps);
        for (int t = 0; o->stm && t < o->thread_count; t++) {
            row->par_ms[t] = median(par_wall[t], reps);
            row->par_min_ms[t] = par_wall[t][0];
            row->par_max_ms[t] = par_wall[t][reps - 1];
            row->par_cpu_ms[t] = median(par_cpu[t], reps);
            row->exec_per_tx[t] = execs[t] / reps;
            row->bound[t] = row->txs ? oracle_bound(&row->oracle, o->threads[t]) : 1.0;
        }
        for (int t = 0; o->ceiling && t < o->thread_count; t++)
            if (o->threads[t] > 1)
                row->ceil_ms[t] = median(ceil_wall[t], reps);
        for (int t = 0; o->bal && t < o->thread_count; t++) {
            row->bal_ms[t] = median(bal_wall[t], reps);
            row->bal_min_ms[t] = bal_wall[t][0];
            row->bal_max_ms[t] = bal_wall[t][reps - 1];
            row->bal_cpu_ms[t] = median(bal_cpu[t], reps);
        }
    }
    /* The report's schedule: one recorded forced-parallel run at the
     * highest thread count, checked like the others. */
    if (!err && row->ok && o->report_path) {
        int p = 1;
        for (int t = 0; t < o->thread_count; t++)
            if (o->threads[t] > p)
                p = o->threads[t];
        struct exec_options opt = {.threads = p, .force = true, .record = true, .lazy_storage = o->lazy_storage};
        err = run_recorded(&cfg, &f, &opt, &ref, &ref_digest, &row->recorded, row, "recorded parallel run");
        row->recorded_threads = p;
        bench_progress_step(progress, "recording");
        if (!err && row->ok && o->bal) { /* the list-driven run's schedule */
            struct exec_options dopt = {.threads = p, .force = true, .drive = &list, .record = true};
            err = run_recorded(&cfg, &f, &dopt, &ref, &ref_digest, &row->bal_recorded, row,
                               "recorded access-list-driven run");
            bench_progress_step(progress, "recording bal");
        }
    }
    if (err) {
        row->ok = false;
        if (!seq_failed)
            snprintf(row->error, sizeof row->error, "parallel execution failed: %s", parevm_strerror(err));
    }
    bal_free(&list);
    block_result_free(&ref);
    mainnet_fixture_free(&f);
}

/* --engine LIST: the engines to compare, comma separated. Sequential
 * execution is always measured (the reference every result is checked
 * against, and the baseline of every speedup); "stm" adds Block-STM at
 * each thread count, "bal" the access-list-driven engine. An
 * OPTION_CALL parser (options.h): dest is the struct bench_opts. */
static int parse_engines(const char *list, void *dest, char *err, size_t err_len)
{
    struct bench_opts *o = dest;
    o->stm = false;
    o->bal = false;
    const char *s = list;
    if (!*s) {
        snprintf(err, err_len, "--engine: expected a list like seq,stm");
        return -1;
    }
    while (*s) {
        size_t len = strcspn(s, ",");
        if (len == 3 && !strncmp(s, "seq", 3)) {
            /* always measured */
        } else if (len == 3 && !strncmp(s, "stm", 3)) {
            o->stm = true;
        } else if (len == 3 && !strncmp(s, "bal", 3)) {
            o->bal = true;
        } else {
            snprintf(err, err_len, "--engine: unknown engine '%.*s' (seq, stm, bal)", (int)len, s);
            return -1;
        }
        s += len;
        if (*s == ',' && *++s == 0) {
            snprintf(err, err_len, "--engine: empty name at the end of '%s'", list);
            return -1;
        }
    }
    return 0;
}

/* --partition auto|off|always (OPTION_CALL; dest: enum exec_partition). */
static int parse_partition(const char *v, void *dest, char *err, size_t err_len)
{
    enum exec_partition *p = dest;
    if (!strcmp(v, "auto"))
        *p = EXEC_PARTITION_AUTO;
    else if (!strcmp(v, "off"))
        *p = EXEC_PARTITION_OFF;
    else if (!strcmp(v, "always"))
        *p = EXEC_PARTITION_ALWAYS;
    else {
        snprintf(err, err_len, "--partition takes auto, off or always, not '%s'", v);
        return -1;
    }
    return 0;
}

/* The table: one line per engine and thread count of each block (name,
 * txs and Mgas on its first line only), the sequential line first: the
 * baseline of every speedup. */
static void print_header(const struct bench_opts *o)
{
    printf("%-18s %6s %8s %-6s %3s %10s %-21s %8s %8s %6s %5s", "block", "txs", "Mgas", "engine", "P", "ms",
           "min-max ms", "Mgas/s", "speedup", "bound", "eff");
    if (o->ceiling)
        printf(" %5s %5s", "ceil", "ceff");
    printf(" %6s %9s\n", "ex/tx", "CPU ms/Mg");
}

/* One line of the table. label NULL: a further line of the same block.
 * bound <= 0: none (sequential); ceiling <= 0: not measured (P = 1);
 * mark: after ex/tx ("s": the guard ran it sequentially, "p": the
 * partitioned pass held). */
struct bench_line {
    const char *label;
    size_t txs;
    double gas;
    const char *engine;
    int threads;
    double ms, min_ms, max_ms, cpu_ms;
    double speedup, bound, ceiling, exec_per_tx;
    const char *mark;
};

static void print_line(const struct bench_opts *o, const struct bench_line *l)
{
    if (l->label)
        printf("%-18.18s %6zu %8.2f", l->label, l->txs, l->gas / 1e6);
    else
        printf("%-18s %6s %8s", "", "", "");
    char spread[48];
    snprintf(spread, sizeof spread, "%.3f-%.3f", l->min_ms, l->max_ms);
    printf(" %-6s %3d %10.3f %-21s %8.1f %7.2fx", l->engine, l->threads, l->ms, spread,
           l->ms > 0 ? l->gas / (l->ms * 1e3) : 0, l->speedup);
    if (l->bound > 0)
        printf(" %6.2f %5.2f", l->bound, l->speedup / l->bound);
    else
        printf(" %6s %5s", "-", "-");
    if (o->ceiling) {
        if (l->ceiling > 0 && l->bound > 0) {
            double limit = l->ceiling < l->bound ? l->ceiling : l->bound;
            printf(" %5.2f %5.2f", l->ceiling, l->speedup / limit);
        } else {
            printf(" %5s %5s", "-", "-");
        }
    }
    printf(" %5.2f%-1s %9.3f\n", l->exec_per_tx, l->mark, l->gas > 0 ? l->cpu_ms / (l->gas / 1e6) : 0);
}

/* The machine's ceiling at threads[t]: P x sequential ms / the wall ms of
 * P sequential executions at once; 0 where not measured. */
static double bench_ceiling(const struct bench_opts *o, int t, double seq_ms, double ceil_ms)
{
    return ceil_ms > 0 ? o->threads[t] * seq_ms / ceil_ms : 0;
}

static void print_row(const struct bench_opts *o, const struct bench_row *r)
{
    struct bench_line l = {.label = r->label,
                           .txs = r->txs,
                           .gas = (double)r->gas,
                           .engine = "seq",
                           .threads = 1,
                           .ms = r->seq_ms,
                           .min_ms = r->seq_min_ms,
                           .max_ms = r->seq_max_ms,
                           .cpu_ms = r->seq_cpu_ms,
                           .speedup = 1,
                           .exec_per_tx = 1,
                           .mark = ""};
    print_line(o, &l);
    for (int t = 0; o->stm && t < o->thread_count; t++) {
        l.label = NULL;
        l.engine = "stm";
        l.threads = o->threads[t];
        l.ms = r->par_ms[t];
        l.min_ms = r->par_min_ms[t];
        l.max_ms = r->par_max_ms[t];
        l.cpu_ms = r->par_cpu_ms[t];
        l.speedup = r->par_ms[t] > 0 ? r->seq_ms / r->par_ms[t] : 0;
        l.bound = r->bound[t];
        l.ceiling = bench_ceiling(o, t, r->seq_ms, r->ceil_ms[t]);
        l.exec_per_tx = r->exec_per_tx[t];
        l.mark = !r->ran_parallel[t] ? "s" : r->partitioned[t] ? "p" : "";
        print_line(o, &l);
    }
    for (int t = 0; o->bal && t < o->thread_count; t++) {
        l.label = NULL;
        l.engine = "bal";
        l.threads = o->threads[t];
        l.ms = r->bal_ms[t];
        l.min_ms = r->bal_min_ms[t];
        l.max_ms = r->bal_max_ms[t];
        l.cpu_ms = r->bal_cpu_ms[t];
        l.speedup = r->bal_ms[t] > 0 ? r->seq_ms / r->bal_ms[t] : 0;
        l.bound = r->bal_bound[t];
        l.ceiling = bench_ceiling(o, t, r->seq_ms, r->ceil_ms[t]);
        l.exec_per_tx = 1;
        l.mark = r->bal_degraded[t] ? "d" : "";
        print_line(o, &l);
    }
}

/* The lines above the table: the build, the machine and its load before
 * the run, and what the columns are. */
static void print_machine(const struct bench_opts *o, const struct machine_info *m)
{
    char load[64];
    machine_load_text(m->load_before, load, sizeof load);
    printf("parevm %s, commit %s\n", PAREVM_VERSION, machine_build_commit());
    printf("machine: %s; %d CPUs online, ", m->cpu_model, m->cpus_online);
    if (m->cpus_usable > 0)
        printf("%d usable by this process", m->cpus_usable);
    else
        printf("usable by this process unknown");
    printf("; %s\n", m->kernel);
    printf("load average (1, 5, 15 min) before: %s\n", load);
    if (machine_busy_before(m))
        printf("note: the load average before the run (%.2f) is at or above the %d usable CPUs: other work "
               "competes for them, so the times say as much about the host as about the engine\n",
               m->load_before[0], m->cpus_usable > 0 ? m->cpus_usable : m->cpus_online);
    int usable = m->cpus_usable > 0 ? m->cpus_usable : m->cpus_online, over = 0;
    for (int t = 0; o->stm && t < o->thread_count; t++)
        if (o->threads[t] > usable && (!over || o->threads[t] < over))
            over = o->threads[t];
    if (over)
        printf("note: P = %d and above exceed the %d usable CPUs: those threads take turns on the cores\n",
               over, usable);
    printf("engines: seq (sequential: the reference and the baseline of every speedup)");
    if (o->stm) {
        printf(", stm (Block-STM) at P =");
        for (int t = 0; t < o->thread_count; t++)
            printf("%s%d", t ? "," : " ", o->threads[t]);
        printf("%s", o->force ? " (forced)" : "");
    }
    if (o->bal) {
        printf(", bal (access-list-driven, EIP-7928) at P =");
        for (int t = 0; t < o->thread_count; t++)
            printf("%s%d", t ? "," : " ", o->threads[t]);
    }
    printf("; ms: median of %d repetitions, min-max beside it%s\n", o->reps,
           o->ceiling ? "; ceil: what this machine allows at P threads" : "");
}

/* A JSON string literal (the characters JSON requires escaped). */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void json_load(FILE *out, const double load[3])
{
    if (load[0] < 0)
        fputs("null", out);
    else
        fprintf(out, "[%.2f,%.2f,%.2f]", load[0], load[1], load[2]);
}

static void write_json(FILE *out, const struct bench_opts *o, const struct machine_info *m,
                       const struct bench_row *rows, size_t n)
{
    fprintf(out, "{\"parevm\":{\"version\":");
    json_string(out, PAREVM_VERSION);
    fputs(",\"commit\":", out);
    json_string(out, machine_build_commit());
    fputs("},\"machine\":{\"cpu_model\":", out);
    json_string(out, m->cpu_model);
    fprintf(out, ",\"cpus_online\":%d,\"cpus_usable\":%d,\"kernel\":", m->cpus_online, m->cpus_usable);
    json_string(out, m->kernel);
    fputs(",\"load_before\":", out);
    json_load(out, m->load_before);
    fputs(",\"load_after\":", out);
    json_load(out, m->load_after);
    fprintf(out, "},\"engines\":[\"seq\"%s%s],\"ceiling\":%s,\"force\":%s,\"threads\":[",
            o->stm ? ",\"stm\"" : "", o->bal ? ",\"bal\"" : "", o->ceiling ? "true" : "false",
            o->force ? "true" : "false");
    for (int t = 0; (o->stm || o->bal) && t < o->thread_count; t++)
        fprintf(out, "%s%d", t ? "," : "", o->threads[t]);
    fprintf(out, "],\"reps\":%d,\"blocks\":[", o->reps);
    for (size_t i = 0; i < n; i++) {
        const struct bench_row *r = &rows[i];
        double gas = (double)r->gas;
        fputs(i ? ",\n{\"dir\":" : "\n{\"dir\":", out);
        json_string(out, r->dir);
        fputs(",\"label\":", out);
        json_string(out, r->label);
        fprintf(out, ",\"number\":%llu,\"ok\":%s,\"error\":", (unsigned long long)r->number,
                r->ok ? "true" : "false");
        json_string(out, r->error);
        fprintf(out,
                ",\"txs\":%zu,\"gas\":%llu,\"seq_ms\":%.6f,\"seq_min_ms\":%.6f,\"seq_max_ms\":%.6f,"
                "\"seq_mgas_per_s\":%.3f,\"seq_cpu_ms\":%.6f,\"work_ns\":%.0f,\"span_ns\":%.0f,"
                "\"longest_ns\":%.0f,\"parallel\":[",
                r->txs, (unsigned long long)r->gas, r->seq_ms, r->seq_min_ms, r->seq_max_ms,
                r->seq_ms > 0 ? gas / (r->seq_ms * 1e3) : 0, r->seq_cpu_ms, r->oracle.work, r->oracle.span,
                r->oracle.longest);
        for (int t = 0; o->stm && t < o->thread_count; t++) {
            fprintf(out,
                    "%s{\"threads\":%d,\"ms\":%.6f,\"min_ms\":%.6f,\"max_ms\":%.6f,\"mgas_per_s\":%.3f,"
                    "\"cpu_ms\":%.6f,\"speedup\":%.4f,\"bound\":%.4f,"
                    "\"executions_per_tx\":%.4f,\"engine\":\"%s\",\"partition_kept\":%zu",
                    t ? "," : "", o->threads[t], r->par_ms[t], r->par_min_ms[t], r->par_max_ms[t],
                    r->par_ms[t] > 0 ? gas / (r->par_ms[t] * 1e3) : 0, r->par_cpu_ms[t],
                    r->par_ms[t] > 0 ? r->seq_ms / r->par_ms[t] : 0, r->bound[t], r->exec_per_tx[t],
                    !r->ran_parallel[t] ? "sequential"
                    : r->partitioned[t] ? "partitioned"
                                        : "parallel",
                    r->kept[t]);
            if (r->ceil_ms[t] > 0)
                fprintf(out, ",\"ceiling_ms\":%.6f,\"ceiling\":%.4f", r->ceil_ms[t],
                        bench_ceiling(o, t, r->seq_ms, r->ceil_ms[t]));
            fprintf(out, "}");
        }
        fprintf(out, "]");
        if (o->bal) {
            fputs(",\"bal\":[", out);
            for (int t = 0; t < o->thread_count; t++) {
                fprintf(out,
                        "%s{\"threads\":%d,\"ms\":%.6f,\"min_ms\":%.6f,\"max_ms\":%.6f,\"mgas_per_s\":%.3f,"
                        "\"cpu_ms\":%.6f,\"speedup\":%.4f,\"bound\":%.4f,\"degraded\":%s",
                        t ? "," : "", o->threads[t], r->bal_ms[t], r->bal_min_ms[t], r->bal_max_ms[t],
                        r->bal_ms[t] > 0 ? gas / (r->bal_ms[t] * 1e3) : 0, r->bal_cpu_ms[t],
                        r->bal_ms[t] > 0 ? r->seq_ms / r->bal_ms[t] : 0, r->bal_bound[t],
                        r->bal_degraded[t] ? "true" : "false");
                if (r->ceil_ms[t] > 0) /* (the same ceiling as Block-STM's line: one per repetition) */
                    fprintf(out, ",\"ceiling_ms\":%.6f,\"ceiling\":%.4f", r->ceil_ms[t],
                            bench_ceiling(o, t, r->seq_ms, r->ceil_ms[t]));
                fputc('}', out);
            }
            fprintf(out,
                    "],\"bal_list\":{\"accounts\":%zu,\"storage_keys\":%zu,\"items\":%zu,\"item_cap\":%llu,"
                    "\"bytes\":%zu}",
                    r->bal_size.accounts, r->bal_size.storage_keys, r->bal_size.items,
                    (unsigned long long)r->bal_cap, r->bal_bytes);
        }
        fprintf(out, "}");
    }
    fprintf(out, "\n]}\n");
}

int cli_bench(int argc, char **argv)
{
    struct bench_opts o;
    memset(&o, 0, sizeof o);
    o.reps = 5;
    o.progress = true;
    o.stm = true;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    for (long p = 1; p <= cpus && o.thread_count < MAX_THREAD_COUNTS; p *= 2)
        o.threads[o.thread_count++] = (int)p;
    if (o.threads[o.thread_count - 1] != cpus && o.thread_count < MAX_THREAD_COUNTS)
        o.threads[o.thread_count++] = (int)cpus;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--threads",
         .kind = OPTION_INT_LIST,
         .dest = o.threads,
         .count = &o.thread_count,
         .cap = MAX_THREAD_COUNTS,
         .min = 1,
         .max = 1024,
         .bad = "--threads: expected a list like 1,2,4 (1..1024), not '%s'"},
        {.name = "--reps",
         .kind = OPTION_INT,
         .dest = &o.reps,
         .min = 1,
         .max = 64,
         .bad = "--reps: expected 1..64, not '%s'"},
        {.name = "--json", .kind = OPTION_STRING, .dest = &o.json_path},
        {.name = "--report", .kind = OPTION_STRING, .dest = &o.report_path},
        {.name = "--report-json", .kind = OPTION_STRING, .dest = &o.report_json},
        {.name = "--no-progress", .kind = OPTION_FLAG, .dest = &o.progress, .negate = true},
        {.name = "--quiet", .kind = OPTION_FLAG, .dest = &o.quiet},
        {.name = "--engine", .kind = OPTION_CALL, .dest = &o, .parse = parse_engines},
        {.name = "--ceiling", .kind = OPTION_FLAG, .dest = &o.ceiling},
        {.name = "--force", .kind = OPTION_FLAG, .dest = &o.force},
        {.name = "--lazy-storage", .kind = OPTION_FLAG, .dest = &o.lazy_storage},
        {.name = "--partition", .kind = OPTION_CALL, .dest = &o.partition, .parse = parse_partition},
        {0},
    };
    int dir_count = 0;
    int rc = cli_parse_options("bench", cli_bench_usage, specs, argc, argv, &dir_count);
    if (rc >= 0)
        return rc;
    if (o.quiet)
        o.progress = false;
    if (dir_count == 0)
        return usage_error_for("bench", "%s", "no block directories given");
    const int first = 1; /* the folders: argv[first .. argc) */
    argc = 1 + dir_count;
    if (o.ceiling && !o.stm && !o.bal) {
        fprintf(stderr, "parevm bench: --ceiling needs a parallel engine: --engine seq,stm or seq,bal (see "
                        "parevm bench --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (o.report_path && !o.stm) { /* (its charts are Block-STM's schedule and dependency graph) */
        fprintf(stderr, "parevm bench: --report needs Block-STM: --engine seq,stm or seq,stm,bal (see parevm "
                        "bench --help)\n");
        return CLI_EXIT_USAGE;
    }
    size_t n = (size_t)(argc - first);
    struct bench_row *rows = calloc(n, sizeof *rows);
    if (!rows)
        return 1;
    struct machine_info machine;
    machine_info_read(&machine);
    print_machine(&o, &machine);
    if (!o.quiet)
        print_header(&o);
    int failed = 0;
    double seq_total = 0, gas_total = 0, par_total[MAX_THREAD_COUNTS] = {0},
           bound_time[MAX_THREAD_COUNTS] = {0}, ceil_total[MAX_THREAD_COUNTS] = {0};
    double seq_min = 0, seq_max = 0, seq_cpu = 0, par_min[MAX_THREAD_COUNTS] = {0},
           par_max[MAX_THREAD_COUNTS] = {0}, par_cpu[MAX_THREAD_COUNTS] = {0};
    double execs_total[MAX_THREAD_COUNTS] = {0};
    double bal_total[MAX_THREAD_COUNTS] = {0}, bal_min[MAX_THREAD_COUNTS] = {0},
           bal_max[MAX_THREAD_COUNTS] = {0}, bal_cpu[MAX_THREAD_COUNTS] = {0},
           bal_bound_time[MAX_THREAD_COUNTS] = {0};
    size_t txs_total = 0;
    struct bench_progress progress = {
        .tty = isatty(STDERR_FILENO) != 0, .blocks = n, .t0 = now_ms(CLOCK_MONOTONIC)};
    int ceiling_counts = 0;
    for (int t = 0; o.ceiling && t < o.thread_count; t++)
        ceiling_counts += o.threads[t] > 1;
    progress.total = (o.stm ? n * (size_t)(o.reps + 3 + o.reps * o.thread_count + (o.report_path ? 1 : 0))
                            : n * (size_t)(o.reps + 1)) +
                     n * (size_t)(o.reps * ceiling_counts);
    if (o.bal)
        progress.total += n * (size_t)(1 + o.reps * o.thread_count + (o.report_path ? 1 : 0));
    for (size_t i = 0; i < n; i++) {
        struct bench_row *r = &rows[i];
        char label[64];
        bench_label(argv[first + (int)i], label, sizeof label);
        progress.block = i + 1;
        progress.label = label;
        if (o.progress && !progress.tty) {
            fprintf(stderr, "bench: [%zu/%zu] %s (%.0f s elapsed)\n", i + 1, n, argv[first + (int)i],
                    (now_ms(CLOCK_MONOTONIC) - progress.t0) / 1e3);
            fflush(stderr);
        }
        bench_block(argv[first + (int)i], &o, r, o.progress ? &progress : NULL);
        if (o.progress)
            bench_progress_clear(&progress);
        fflush(stdout);
        if (!r->ok) {
            failed++;
            printf("%s: error: %s\n", r->dir, r->error);
            continue;
        }
        if (!o.quiet) {
            print_row(&o, r);
            fflush(stdout);
        }
        seq_total += r->seq_ms;
        seq_min += r->seq_min_ms;
        seq_max += r->seq_max_ms;
        seq_cpu += r->seq_cpu_ms;
        gas_total += (double)r->gas;
        txs_total += r->txs;
        for (int t = 0; t < o.thread_count; t++) {
            par_total[t] += r->par_ms[t];
            par_min[t] += r->par_min_ms[t];
            par_max[t] += r->par_max_ms[t];
            par_cpu[t] += r->par_cpu_ms[t];
            bound_time[t] += r->bound[t] > 0 ? r->seq_ms / r->bound[t] : r->seq_ms;
            execs_total[t] += r->exec_per_tx[t] * (double)r->txs;
            ceil_total[t] += r->ceil_ms[t];
            bal_total[t] += r->bal_ms[t];
            bal_min[t] += r->bal_min_ms[t];
            bal_max[t] += r->bal_max_ms[t];
            bal_cpu[t] += r->bal_cpu_ms[t];
            bal_bound_time[t] += r->bal_bound[t] > 0 ? r->seq_ms / r->bal_bound[t] : r->seq_ms;
        }
    }
    /* Aggregate: total times (medians, minima and maxima summed over the
     * blocks); the aggregate bound is the speedup the blocks' bounds allow
     * for the whole set (time-weighted), and the aggregate ceiling P x
     * total seq ms / total ms of the concurrent runs. */
    struct bench_line all = {.label = "all",
                             .txs = txs_total,
                             .gas = gas_total,
                             .engine = "seq",
                             .threads = 1,
                             .ms = seq_total,
                             .min_ms = seq_min,
                             .max_ms = seq_max,
                             .cpu_ms = seq_cpu,
                             .speedup = 1,
                             .exec_per_tx = 1,
                             .mark = ""};
    print_line(&o, &all);
    for (int t = 0; o.stm && t < o.thread_count; t++) {
        all.label = NULL;
        all.engine = "stm";
        all.threads = o.threads[t];
        all.ms = par_total[t];
        all.min_ms = par_min[t];
        all.max_ms = par_max[t];
        all.cpu_ms = par_cpu[t];
        all.speedup = par_total[t] > 0 ? seq_total / par_total[t] : 0;
        all.bound = bound_time[t] > 0 ? seq_total / bound_time[t] : 0;
        all.ceiling = bench_ceiling(&o, t, seq_total, ceil_total[t]);
        all.exec_per_tx = txs_total ? execs_total[t] / (double)txs_total : 0;
        print_line(&o, &all);
    }
    for (int t = 0; o.bal && t < o.thread_count; t++) {
        all.label = NULL;
        all.engine = "bal";
        all.threads = o.threads[t];
        all.ms = bal_total[t];
        all.min_ms = bal_min[t];
        all.max_ms = bal_max[t];
        all.cpu_ms = bal_cpu[t];
        all.speedup = bal_total[t] > 0 ? seq_total / bal_total[t] : 0;
        all.bound = bal_bound_time[t] > 0 ? seq_total / bal_bound_time[t] : 0;
        all.ceiling = bench_ceiling(&o, t, seq_total, ceil_total[t]);
        all.exec_per_tx = 1;
        all.mark = "";
        print_line(&o, &all);
    }
    machine_load_average(machine.load_after);
    char load[64];
    machine_load_text(machine.load_after, load, sizeof load);
    printf("load average (1, 5, 15 min) after: %s\n", load);
    printf("%zu blocks, %d failed; results identical to sequential: %s\n", n - (size_t)failed, failed,
           failed ? "NO" : "yes");
    if (o.json_path) {
        FILE *out = strcmp(o.json_path, "-") ? fopen(o.json_path, "w") : stdout;
        if (!out) {
            fprintf(stderr, "parevm bench: %s: %s\n", o.json_path, strerror(errno));
            failed++;
        } else {
            write_json(out, &o, &machine, rows, n);
            if (out != stdout)
                fclose(out);
        }
    }
    if (o.report_path) {
        struct report_block *blocks = calloc(n ? n : 1, sizeof *blocks);
        char err[512];
        int rerr = PAREVM_ERR_NOMEM;
        if (blocks) {
            for (size_t i = 0; i < n; i++) {
                const struct bench_row *r = &rows[i];
                struct report_block *b = &blocks[i];
                b->label = r->label;
                b->dir = r->dir;
                b->number = r->number;
                b->txs = r->txs;
                b->gas = r->gas;
                b->ok = r->ok;
                b->error = r->error;
                b->seq_ms = r->seq_ms;
                b->seq_min_ms = r->seq_min_ms;
                b->seq_max_ms = r->seq_max_ms;
                b->thread_count = o.thread_count;
                for (int t = 0; t < o.thread_count; t++) {
                    b->threads[t] = o.threads[t];
                    b->par_ms[t] = r->par_ms[t];
                    b->par_min_ms[t] = r->par_min_ms[t];
                    b->par_max_ms[t] = r->par_max_ms[t];
                    b->ceiling[t] = bench_ceiling(&o, t, r->seq_ms, r->ceil_ms[t]);
                    b->bound[t] = r->bound[t];
                    b->exec_per_tx[t] = r->exec_per_tx[t];
                    b->ran_parallel[t] = r->ran_parallel[t];
                }
                b->oracle = r->oracle;
                b->graph = &r->graph;
                b->recorded = &r->recorded;
                b->recorded_threads = r->recorded_threads;
                if (o.bal) {
                    b->has_bal = true;
                    for (int t = 0; t < o.thread_count; t++) {
                        b->bal_ms[t] = r->bal_ms[t];
                        b->bal_min_ms[t] = r->bal_min_ms[t];
                        b->bal_max_ms[t] = r->bal_max_ms[t];
                        b->bal_bound[t] = r->bal_bound[t];
                        b->bal_degraded[t] = r->bal_degraded[t];
                    }
                    b->bal_size = r->bal_size;
                    b->bal_bytes = r->bal_bytes;
                    b->bal_cap = r->bal_cap;
                    b->bal_recorded = &r->bal_recorded;
                }
            }
            struct report rep = {.title = o.bal ? "parevm report: sequential vs Block-STM vs access-list-driven"
                                                : "parevm report: sequential vs parallel (Block-STM)",
                                 .reps = o.reps,
                                 .version = PAREVM_VERSION,
                                 .commit = machine_build_commit(),
                                 .machine = &machine,
                                 .blocks = blocks,
                                 .block_count = n};
            snprintf(err, sizeof err, "out of memory");
            rerr = report_write_files(&rep, o.report_path, o.report_json, err, sizeof err);
            free(blocks);
        }
        if (rerr) {
            fprintf(stderr, "parevm bench: report: %s\n", err);
            failed++;
        } else {
            char jp[4096];
            if (o.report_json)
                snprintf(jp, sizeof jp, "%s", o.report_json);
            else
                report_json_path(o.report_path, jp, sizeof jp);
            printf("report: %s, %s\n", o.report_path, jp);
        }
    }
    for (size_t i = 0; i < n; i++) {
        exec_stats_reset(&rows[i].graph);
        exec_stats_reset(&rows[i].recorded);
        exec_stats_reset(&rows[i].bal_recorded);
    }
    free(rows);
    return failed ? 1 : 0;
}
