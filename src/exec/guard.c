/* guard.c — the guard: which engine runs a block, on how many workers,
 * with or without the partitioned pass (exec_guard_plan), and what it
 * learns from the blocks it ran (see guard.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"

#include "exec.h"
#include "exec_env.h"
#include "partition.h"
#include "probe.h"

/* The guard's measurements (struct exec_guard, one per execution
 * environment): the time of the blocks the environment executed,
 * sequentially and in parallel per thread count (exponentially
 * weighted), kept apart by class of expected time per transaction: what
 * parallel execution gains depends mostly on how much work each
 * transaction carries against the engine's fixed cost per transaction.
 * A block's expected time is its gas times its fork's sequential time
 * per gas (learned from the sequential blocks of that fork), and each
 * time is kept relative to it. Gas alone says little across forks: a
 * unit buys different work under different gas schedules (on the
 * mainnet snapshots, sequentially, 0.10-0.14 ns per gas on average
 * under Tangerine Whistle, Spurious Dragon and London, 0.52 under
 * Cancun), and time per gas compared across blocks said more about
 * which blocks had been measured than about the engines: blocks that
 * ran 1.4x faster in parallel were kept sequential because older,
 * cheaper blocks had set the sequential rate of their class. A block
 * runs in parallel only where parallel execution has measured faster
 * for its class; until both are known, and every 16th decision after
 * that, it explores. Results never depend on the choice, only time
 * does. */

/* Fewer transactions than this run sequentially: too few to give up on
 * (parallel.h), and the engine's fixed cost is most of such a block.
 * Forced on the mainnet snapshots at 2 threads: 4 to 16 transactions ran
 * at 0.43-0.65x, 22 to 56 at 1.1-1.3x. */
#define GUARD_MIN_TXS 20
/* Blocks whose sender chains allow less than this run sequentially
 * (guard_sender_bound). */
#define GUARD_MIN_SENDER_BOUND 1.5
#define GUARD_BUCKETS EXEC_GUARD_BUCKETS
#define GUARD_EXPLORE 2 /* samples of each mode before deciding (the first is a warm-up) */
#define GUARD_CLASSES EXEC_GUARD_CLASSES
/* A block whose probe finds it crossing (probe.h) runs sequentially at
 * two workers when its transactions average less gas than this, or its
 * sampled transactions took less time than that each: then Block-STM's
 * cost per transaction eats what the second core gives. Measured on the
 * crossing gen blocks at zipf 1.2 (5,000 transactions, 2 vCPUs, Block-STM
 * at P=2 against sequential, interleaved), by gas a transaction and time
 * a sample: transfers (21,000; 1.2-1.5 us) 0.8-1.1x; ERC-20 (34,000;
 * 4.3-5.9 us) 1.24-1.44x; supply chain (76,000; 5-8 us) 0.79x; DAO
 * (62,000; 10-16 us) 1.04-1.2x; NFT (64,000; 9-10 us) 1.22x; AMM
 * (106,000; 33-54 us) 1.3-1.6x; smart accounts (99,000; 65-70 us)
 * 1.5-1.56x. Neither alone tells the supply chain from ERC-20, so the
 * rule gives up ERC-20's gain to keep the supply chain sequential. The
 * time is this host's (2 vCPUs, AMD EPYC); the gas part holds anywhere. */
#define GUARD_CROSSING_MIN_GAS 30000
#define GUARD_CROSSING_MIN_NS 8000

static int guard_bucket(int threads) { return threads < GUARD_BUCKETS ? threads : GUARD_BUCKETS - 1; }

/* Whether fork f's sequential ns per gas is known (its second
 * sequential sample: the first is a warm-up, guard_sample). Caller holds
 * g->lock. */
static bool fork_known(const struct exec_guard *g, enum fork f)
{
    return f >= 0 && f < FORK__COUNT && g->fork_samples[f] >= 2;
}

/* The class of a block expected to take `rate` ns per gas: 0: < 4 us a
 * transaction, 1: < 8 us, 2: < 16 us, 3: < 32 us, 4: more. */
static int guard_class(double rate, uint64_t gas, size_t tx_count)
{
    double per_tx = tx_count ? rate * (double)gas / (double)tx_count : 0;
    int c = 0;
    for (double limit = 4000; per_tx >= limit && c < GUARD_CLASSES - 1; limit *= 2)
        c++;
    return c;
}

/* An exponentially weighted sample: the first of each only counts, as
 * the first blocks a process runs either way pay for cold caches and
 * fresh memory (measured: 27 ms for a block that then took 15 ms in both
 * modes), and a rate seeded with one would keep that mode looking slow. */
static void guard_sample(double *r, unsigned *n, double v)
{
    if (*n == 1)
        *r = v;
    else if (*n > 1)
        *r = 0.75 * *r + 0.25 * v;
    (*n)++;
}

void exec_guard_record(struct exec_env *env, enum fork fork, bool parallel, int threads, uint64_t gas,
                       size_t tx_count, uint64_t ns)
{
    struct exec_guard *g = &exec_env_or_default(env)->guard;
    if (gas < 100000) /* too small to say anything about throughput */
        return;
    pthread_mutex_lock(&g->lock);
    if (!parallel && fork >= 0 && fork < FORK__COUNT)
        guard_sample(&g->fork_rate[fork], &g->fork_samples[fork], (double)ns / (double)gas);
    if (!fork_known(g, fork)) { /* (no expected time to class it by or compare it with) */
        pthread_mutex_unlock(&g->lock);
        return;
    }
    double rate = g->fork_rate[fork];
    int c = guard_class(rate, gas, tx_count);
    double rel = (double)ns / (rate * (double)gas);
    if (parallel)
        guard_sample(&g->par_rate[c][guard_bucket(threads)], &g->par_samples[c][guard_bucket(threads)], rel);
    else
        guard_sample(&g->seq_rate[c], &g->seq_samples[c], rel);
    pthread_mutex_unlock(&g->lock);
}

/* A small ring of the most recent block hashes of some kind (g's). */
#define GUARD_RING_MAX EXEC_GUARD_RING_MAX

static void ring_add(struct exec_guard *g, struct exec_guard_ring *r, const struct block *b)
{
    if (!b->header.has_hash)
        return;
    pthread_mutex_lock(&g->lock);
    r->hashes[r->next] = b->header.hash;
    r->next = (r->next + 1) % GUARD_RING_MAX;
    if (r->count < GUARD_RING_MAX)
        r->count++;
    pthread_mutex_unlock(&g->lock);
}

static bool ring_has(struct exec_guard *g, const struct exec_guard_ring *r, const struct block *b)
{
    if (!b->header.has_hash)
        return false;
    bool known = false;
    pthread_mutex_lock(&g->lock);
    for (unsigned i = 0; i < r->count && !known; i++)
        known = hash32_eq(&r->hashes[i], &b->header.hash);
    pthread_mutex_unlock(&g->lock);
    return known;
}

/* Blocks the engine gave up on (PAREVM_ERR_CONTENDED): running the same
 * block again (benchmarks, re-orgs, replays) goes straight to sequential
 * execution. */
void exec_guard_contended(struct exec_env *env, const struct block *b)
{
    struct exec_guard *g = &exec_env_or_default(env)->guard;
    ring_add(g, &g->contended, b);
}

/* The partitioned pass (partition.h): blocks on which it found a
 * conflict are not tried again, and after a conflict the next 1, 2, 4 ..
 * 32 blocks (doubling per conflict in a row) skip it, so that a stream of
 * contended blocks wastes few passes; a pass that holds resets that. */
bool exec_guard_try_partition(struct exec_env *env, const struct block *b)
{
    struct exec_guard *g = &exec_env_or_default(env)->guard;
    if (ring_has(g, &g->partition_failed, b))
        return false;
    pthread_mutex_lock(&g->lock);
    bool skip = g->partition_skip > 0;
    if (skip)
        g->partition_skip--;
    pthread_mutex_unlock(&g->lock);
    return !skip;
}

void exec_guard_partition_result(struct exec_env *env, const struct block *b, bool held)
{
    struct exec_guard *g = &exec_env_or_default(env)->guard;
    if (!held)
        ring_add(g, &g->partition_failed, b);
    pthread_mutex_lock(&g->lock);
    if (held) {
        g->partition_backoff = 0;
    } else {
        g->partition_backoff = g->partition_backoff ? g->partition_backoff * 2 : 1;
        if (g->partition_backoff > 32)
            g->partition_backoff = 32;
        g->partition_skip = g->partition_backoff;
    }
    pthread_mutex_unlock(&g->lock);
}

/* The speedup the block's sender chains allow: its transactions' total
 * gas limit over the largest share of it one sender has. A sender's
 * transactions run strictly in order (each one's nonce is the previous
 * one's plus one), so a block that is mostly one sender's (an exchange's
 * hot wallet paying out) is serial whatever else it does. Measured on
 * the mainnet snapshots at 2 threads, forced: the six blocks whose chains
 * allow less than 1.15 ran at 0.51-0.91x; every block of 20 or more
 * transactions whose chains allow 1.7 or more had a bound of 1.47 or more
 * (and the blocks of mostly plain transfers among them, once kept
 * sequential as too cheap per transaction, ran at 1.15-1.55x now that the
 * partitioned pass carries them). Gas limits, not gas used: it
 * is decided before anything runs. 0 where the table cannot be made. */
static double guard_sender_bound(const struct block *b)
{
    size_t cap = 64;
    while (cap < b->tx_count * 2)
        cap *= 2;
    struct chain {
        const address *sender; /* NULL: empty */
        uint64_t gas;
    } *set = calloc(cap, sizeof *set);
    if (!set)
        return 0;
    uint64_t total = 0, heaviest = 1;
    for (size_t i = 0; i < b->tx_count; i++) {
        const address *a = &b->txs[i].sender;
        uint64_t h;
        memcpy(&h, a->bytes + 12, sizeof h);
        size_t k = (size_t)((h * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
        while (set[k].sender && memcmp(set[k].sender, a, sizeof *a) != 0)
            k = (k + 1) & (cap - 1);
        set[k].sender = a;
        set[k].gas += b->txs[i].gas_limit;
        total += b->txs[i].gas_limit;
        if (set[k].gas > heaviest)
            heaviest = set[k].gas;
    }
    free(set);
    return (double)total / (double)heaviest;
}

/* The CPUs this process may run on: its affinity mask (taskset, a
 * cpuset), else the online CPUs; at least 1. */
static int guard_usable_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)(online < 1024 ? online : 1024) : 1;
}

/* Whether the host is oversubscribed by others (see exec_guard_plan). */
static bool guard_host_oversubscribed(void)
{
    /* A 1-minute load average of twice the online CPUs or more means at
     * least as many runnable tasks as CPUs besides this process's own
     * workers (at most one per usable CPU, so they cannot cause it
     * alone). A worker then gets half a core or less, and a parallel
     * block, which waits for its slowest worker, loses to one thread
     * (measured on 2 vCPUs at load 15-30, fresh processes: independent
     * blocks ran at 1.4-2.8x sequential time in parallel). */
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    double load;
    return online > 0 && getloadavg(&load, 1) == 1 && load >= 2.0 * (double)online;
}

/* What the rules that need no measurement say of block b. */
enum guard_rule { GUARD_SEQUENTIAL, GUARD_PARALLEL, GUARD_MEASURE };

static enum guard_rule guard_rules(const struct block *b, enum fork fork, bool intermediate_roots,
                                   const struct exec_options *opt)
{
    if ((fork < FORK_BYZANTIUM && intermediate_roots) || b->tx_count == 0)
        return GUARD_SEQUENTIAL; /* receipts need a state root after every transaction */
    for (size_t i = 0; i < b->tx_count; i++)
        if (!b->txs[i].has_sender)
            return GUARD_SEQUENTIAL; /* senders are recovered by the sequential path */
    if (opt->force)
        return GUARD_PARALLEL;
    struct exec_guard *g = &exec_env_or_default(opt->env)->guard;
    if (opt->threads < 2 || b->tx_count < GUARD_MIN_TXS || ring_has(g, &g->contended, b) ||
        guard_sender_bound(b) < GUARD_MIN_SENDER_BOUND)
        return GUARD_SEQUENTIAL;
    return GUARD_MEASURE;
}

/* The measured rule: whether opt->env has seen parallel execution beat
 * sequential for b's class (of expected time per transaction, from its
 * fork's rate) and thread count, exploring both until it has, and every
 * 16th decision after that. A fork whose sequential rate is not known
 * yet runs sequentially until it is. */
static bool guard_measured(const struct block *b, enum fork fork, const struct exec_options *opt)
{
    struct exec_guard *g = &exec_env_or_default(opt->env)->guard;
    int k = guard_bucket(opt->threads);
    /* The header's gas used: the block is invalid if it lies, and then
     * only the speed of finding out depends on it. */
    pthread_mutex_lock(&g->lock);
    if (!fork_known(g, fork)) {
        /* First the fork's sequential rate (two blocks): without it no
         * time of this fork can be classed or compared. */
        pthread_mutex_unlock(&g->lock);
        return false;
    }
    int c = guard_class(g->fork_rate[fork], b->header.gas_used, b->tx_count);
    bool explore = g->seq_samples[c] < GUARD_EXPLORE || g->par_samples[c][k] < GUARD_EXPLORE ||
                   ++g->decisions[c] % 16 == 0;
    bool parallel;
    if (explore) /* samples of each; then every 16th decision tries parallel again */
        parallel = g->par_samples[c][k] < GUARD_EXPLORE || g->seq_samples[c] >= GUARD_EXPLORE;
    else
        parallel = g->par_rate[c][k] < 0.95 * g->seq_rate[c];
    pthread_mutex_unlock(&g->lock);
    return parallel;
}

bool exec_use_parallel(const struct block *b, enum fork fork, bool intermediate_roots, const struct world *w,
                       const struct exec_options *opt)
{
    (void)w; /* (kept in the interface: a guard may look at the state) */
    enum guard_rule r = guard_rules(b, fork, intermediate_roots, opt);
    return r == GUARD_PARALLEL || (r == GUARD_MEASURE && guard_measured(b, fork, opt));
}

/* Whether to try the partitioned pass before Block-STM. */
static bool guard_try_partition(const struct block *b, const struct exec_options *opt, struct exec_env *env)
{
    /* (a recorded access list follows Block-STM's incarnations too) */
    if (opt->record || opt->trace || opt->bal || opt->threads < 2 || b->tx_count < 2 ||
        opt->partition == EXEC_PARTITION_OFF)
        return false;
    if (opt->partition == EXEC_PARTITION_ALWAYS)
        return true;
    /* Runs of fewer than 32 transactions: too little to split. */
    return b->tx_count >= (size_t)opt->threads * 32 &&
           partition_plausible(b->txs, b->tx_count, opt->threads) && exec_guard_try_partition(env, b);
}

void exec_guard_plan(const struct chain_config *cfg, const struct block *b, const struct block_env *env,
                     const struct state_view *world, const struct exec_options *opt, struct exec_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->engine = EXEC_ENGINE_SEQUENTIAL;
    plan->threads = opt ? opt->threads : 1;
    /* (a recording run's time is not what the block costs: not a sample) */
    plan->sample = !opt || (!opt->force && !opt->no_sample && !opt->drive && !opt->bal);
    if (!opt)
        return;
    plan->may_give_up = !opt->force;
    /* The first rule: no more workers than CPUs to run them. Forced runs
     * keep the count asked for (tests run 64 threads on any machine). */
    struct exec_options capped = *opt;
    if (!opt->force && opt->threads > 1) {
        int cpus = guard_usable_cpus();
        if (opt->threads > cpus)
            capped.threads = plan->threads = cpus;
    }
    if (opt->drive) {
        plan->engine = EXEC_ENGINE_DRIVEN;
        return;
    }
    struct exec_env *xenv = exec_env_or_default(opt->env);
    enum guard_rule rule = guard_rules(b, env->fork, !cfg->skip_intermediate_roots, &capped);
    bool probe = rule == GUARD_MEASURE && !opt->record && !opt->trace && b->tx_count >= PROBE_MIN_TXS;
    bool cheap = b->header.gas_used < GUARD_CROSSING_MIN_GAS * b->tx_count;
    /* A block big enough to probe, of transactions that are not cheap,
     * is decided by the probe alone: it looks at this block's own
     * transactions, where the measured rule knows only other blocks of
     * its class, and a class's blocks differ (the gen supply chain and
     * AMM blocks, of one fork, 76,000 and 106,000 gas a transaction, took
     * 0.08 and 0.35 ns per gas sequentially). Nor is its time a sample
     * for that rule. Cheap transactions pay at two workers only where the
     * partitioned pass holds, which the probe cannot promise (the gen
     * transfers at zipf 1.2: independent to the probe, 0.73x in
     * parallel): there the measured rule decides, the probe only vetoes. */
    bool parallel = rule == GUARD_PARALLEL, crossing = false;
    if (rule == GUARD_MEASURE && probe && !cheap) {
        plan->sample = false;
        parallel = true;
    } else if (rule == GUARD_MEASURE) {
        parallel = guard_measured(b, env->fork, &capped);
    }
    if (parallel && probe) {
        plan->probed = true;
        uint64_t sample_ns;
        enum probe_verdict v = probe_block(env, world, b, capped.threads, &sample_ns);
        if (v == PROBE_SERIAL) {
            parallel = false;
            exec_guard_contended(xenv, b); /* (the same block again skips the probe) */
        } else if (v == PROBE_CROSSING && capped.threads <= 2 &&
                   (cheap || sample_ns < GUARD_CROSSING_MIN_NS)) {
            parallel = false; /* (not a contended block: more workers may pay) */
        }
        crossing = v == PROBE_CROSSING;
    }
    /* (after the probe, which then still marks a contended block) */
    if (parallel && !opt->force && guard_host_oversubscribed())
        parallel = false;
    if (!parallel)
        return;
    plan->engine = EXEC_ENGINE_PARALLEL;
    /* A crossing block would fail the partitioned pass (probe.h): not
     * tried, which would also make the next blocks skip it (back-off). */
    plan->try_partition = !crossing && guard_try_partition(b, &capped, xenv);
}
