/*
 * guard — the never-slower-than-sequential guard: one plan per block,
 * made before its transactions run (exec_guard_plan), and what the
 * block driver (block.c) reports back after it ran (exec_guard_record,
 * exec_guard_contended, exec_guard_partition_result). The guard's
 * measurements live in an execution environment (exec_env.h, struct
 * exec_guard; NULL: the process default's): environments share nothing.
 */
#ifndef PAREVM_EXEC_GUARD_H
#define PAREVM_EXEC_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../chain/block.h"
#include "../evm/env.h"
#include "../state/state_view.h"
#include "../state/world.h"

struct exec_env;
struct exec_options;

/* Which engine runs a block's transactions. */
enum exec_engine {
    EXEC_ENGINE_SEQUENTIAL, /* in order on the world (sequential.c) */
    EXEC_ENGINE_PARALLEL,   /* Block-STM (parallel.h), after the partitioned
                               pass where try_partition */
    EXEC_ENGINE_DRIVEN      /* from an access list (exec_options.drive,
                               balexec.h) */
};

/* How one block runs. */
struct exec_plan {
    enum exec_engine engine;
    /* Workers, the caller included: exec_options.threads, but, unless
     * forced, no more than the CPUs this process may run on (its
     * affinity mask, else the online CPUs): more threads than CPUs only
     * take turns on them (64 workers on 2 vCPUs cost 4-9x sequential
     * time), and the result is the same at any thread count. 1 without
     * options. */
    int threads;
    /* PARALLEL: the partitioned pass (partition.h) first. Not when the
     * schedule is recorded or a transaction traced (those follow
     * Block-STM's incarnations), nor on runs of fewer than 32
     * transactions per worker, nor on a block the probe found crossing
     * (probe.h), nor where exec_guard_try_partition says no. */
    bool try_partition;
    bool probed;      /* the contention probe (probe.h) ran */
    bool may_give_up; /* PARALLEL: Block-STM may give up on a contended
                         block (parallel.h; not when forced) */
    bool sample;      /* the block's time is a sample for exec_guard_record
                         (not when forced, no_sample, driven or probed) */
};

/* The plan for block b under options opt (NULL: sequential, one thread),
 * made after the block's system calls: world is the state its
 * transactions start from, env its block environment (the contention
 * probe runs sample transactions on them). Parallel only where
 * exec_use_parallel says so; but a block of PROBE_MIN_TXS or more that
 * its rules without measurement let through is decided by the probe
 * instead of the measured rule: not where the probe finds it serial (the
 * block is then marked contended: exec_guard_contended), nor crossing at
 * two workers or fewer with little gas a transaction (guard.c,
 * GUARD_CROSSING_MIN_GAS), else parallel. Nor, unless forced, when the host is
 * oversubscribed by others (a 1-minute load average of twice the online
 * CPUs or more: a worker would get half a core or less). A block that
 * records an access list (exec_options.bal) runs sequentially. The plan
 * reads and updates the guard's state (its decision count, the
 * partitioned pass's back-off). */
void exec_guard_plan(const struct chain_config *cfg, const struct block *b, const struct block_env *env,
                     const struct state_view *world, const struct exec_options *opt, struct exec_plan *plan);

/* The plan's measured rule: whether the parallel engine can pay for this
 * block. Forks before Byzantium need a state root after every
 * transaction in their receipts (unless the chain config skips them:
 * partial pre-states such as the mainnet snapshots); a block of fewer
 * than 20 transactions is mostly the engine's fixed cost and too small
 * to give up on; nor can a block pay whose sender chains (a sender's
 * transactions run in nonce order) allow less than 1.5x: mostly one
 * sender's transactions, by gas limit. Otherwise the decision is
 * measured: parallel only where opt->env has seen parallel execution
 * beat sequential (per thread count and class of expected time per
 * transaction, each block's time relative to its gas times its fork's
 * sequential time per gas), exploring both until it has.
 * exec_guard_record feeds it.
 * w, the pre-block world, is not consulted at present. opt->threads is
 * taken as given (the plan caps it first). */
bool exec_use_parallel(const struct block *b, enum fork fork, bool intermediate_roots, const struct world *w,
                       const struct exec_options *opt);
/* The plan's rule for the partitioned pass on block b in env: not on a
 * block it failed on, and not on the next blocks after a failure (see
 * guard.c). */
bool exec_guard_try_partition(struct exec_env *env, const struct block *b);

/* ---- reports after the block ---- */

/* The block (fork, gas, tx_count) took ns on the engine the plan chose. */
void exec_guard_record(struct exec_env *env, enum fork fork, bool parallel, int threads, uint64_t gas,
                       size_t tx_count, uint64_t ns);
/* The engine gave up on block b (too contended): if it runs again, the
 * guard sends it straight to sequential execution. */
void exec_guard_contended(struct exec_env *env, const struct block *b);
/* What came of the partitioned pass on b (held: its outputs were final). */
void exec_guard_partition_result(struct exec_env *env, const struct block *b, bool held);

#endif
