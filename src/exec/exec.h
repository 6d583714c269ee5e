/*
 * exec — executes a whole block against a world: block-level rules
 * (chain/block.h) around the transactions, which run sequentially
 * (exec_block_sequential) or in parallel (exec/parallel.h). Both produce
 * the same block_result, byte for byte.
 *
 * The folder, top down (each file calls only those below it):
 *   block.c      the block driver: exec_block_*, the engine the plan names
 *   guard.c      one plan per block (guard.h); probe.c, its contention probe
 *   sequential.c the in-order commit of a block (sequential.h)
 *   oracle.c     a run's dependency graph and oracle bound (oracle.h)
 *   partition.c  the partitioned pass before Block-STM (partition.h)
 *   scheduler.c  Block-STM's scheduler and workers (parallel.h)
 *   record.c     the schedule recording of a Block-STM run (record.h)
 *   mvview.c     the state view of one Block-STM execution (mvview.h)
 *   mvmemory.c   the multi-version memory (mvmemory.h)
 *   balexec.c    the access-list-driven engine (balexec.h); bal.c, the
 *                EIP-7928 access list (bal.h); bal_search.h, its
 *                changes searched by block access index
 *   exec_env.c   what outlives a block: pools, caches, the guard's state
 * with base/pool.c (threads) and base/arena_pool.c (arenas) beneath.
 */
#ifndef PAREVM_EXEC_EXEC_H
#define PAREVM_EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../chain/block.h"
#include "../state/world.h"
#include "block_hashes.h"
#include "oracle.h"
#include "parallel.h"

struct bal;

struct block_result {
    struct receipt *receipts; /* one per transaction, owned */
    size_t receipt_count;
    uint64_t gas_used;
    uint64_t blob_gas_used;
    uint8_t logs_bloom[256];
    hash32 receipts_root;
    /* An invalid transaction makes the block invalid: index and reason. */
    bool invalid;
    size_t invalid_tx;
    enum tx_error invalid_reason;
    char invalid_message[160]; /* block-level reasons (e.g. gas used mismatch) */
    /* A block-level reason (invalid_reason TXERR_NONE): an enum
     * block_error of chain/validate.h (0: none given). */
    int invalid_block_error;
    /* Prague on (EIP-7685): the requests the block produced (deposits,
     * EIP-6110; withdrawal and consolidation requests, EIP-7002/7251)
     * and their hash, for the header's requestsHash. */
    bool has_requests;
    struct block_requests requests;
    hash32 requests_hash;
};

void block_result_free(struct block_result *r);

/* Execute block b on world w (mutated in place; on an invalid block, and
 * on any error, the world is left as it was before the block; restoring
 * it may allocate, and if that fails too the world is unusable). Returns
 * PAREVM_OK (then check r->invalid), PAREVM_ERR_UNSUPPORTED when cfg puts
 * the block in a fork parevm does not implement (fork_implemented),
 * PAREVM_ERR_NOMEM when an allocation failed, or an internal error. */
int exec_block_sequential(const struct chain_config *cfg, const struct block *b, struct world *w,
                          const struct block_hashes *hashes, struct block_result *r);

/* ---- parallel execution ---- */

/* An EIP-3155 trace of one of the block's transactions (evm/trace.h). In
 * a parallel run it is the trace of the committed incarnation, written
 * when that transaction commits: byte-identical to the sequential trace.
 * A transaction the block never reaches (it is invalid earlier), or that
 * fails the stateless checks, writes no instruction lines. */
struct exec_trace {
    size_t tx;  /* index in the block */
    FILE *out;  /* not owned */
    int error;  /* set by the executor: PAREVM_ERR_IO if writing failed */
};

/* The partitioned pass (exec/partition.h) before Block-STM. */
enum exec_partition {
    EXEC_PARTITION_AUTO = 0, /* where it is likely to hold (the default) */
    EXEC_PARTITION_OFF,      /* never: Block-STM only */
    EXEC_PARTITION_ALWAYS    /* on every block of 2+ transactions at 2+ threads
                                (tests: its fallback runs too) */
};

struct exec_options {
    int threads;       /* workers, the calling thread included (>= 1) */
    struct exec_env *env; /* the worker pool, caches and guard statistics
                             the block runs with (exec_env.h); NULL: the
                             process default (the CLI's) */
    bool force;        /* run the parallel engine even where the guard
                          would choose sequential (tests, measurements) */
    bool record;       /* parallel runs: record the schedule and the hot
                          locations into exec_stats.record (reports); a
                          run driven by a list (drive) that held records
                          its schedule alone (no hot locations) */
    struct exec_trace *trace; /* NULL: no trace */
    enum exec_partition partition;
    bool no_sample;    /* keep this run out of the guard's measurements
                          (runs whose time is not what the block costs:
                          bench's concurrent ceiling runs) */
    struct bal *bal;   /* non-NULL: record the block's EIP-7928 access
                          list into it (exec/bal.h; bal_init'ed by the
                          caller, bal_finish'ed here when the block is
                          valid). The guard chooses the engine as
                          otherwise: Block-STM keeps each committed
                          incarnation's accesses and the in-order commit
                          records them (no partitioned pass, no lazy
                          reads, world writes not deferred) */
    /* Non-NULL: run the transactions with the access-list-driven engine
     * (exec/balexec.h) from this finished list (bal_decode); the list the
     * block's commit records must equal it, else the block is run again
     * without it (exec_stats.bal_degraded; a record is then that run's).
     * Excludes bal and trace (PAREVM_ERR_ARG). */
    const struct bal *drive;
    /* Experimental: Block-STM reads storage lazily (state/lazy.h), so a
     * slot a transaction only adds a constant to is written as a delta
     * and a change of it that decides nothing differently costs no
     * re-execution. Two or more workers only. Off by default: on the
     * blocks measured so far it costs about what the re-executions it
     * saves did. */
    bool lazy_storage;
};

/* What a parallel run saw: scheduler counters and the dependency graph of
 * the committed incarnations (deps[i]: lower transactions whose writes
 * transaction i read; cost_ns[i]: its execution time, wall-clock, capped
 * at 8x what the block's median ns/gas predicts so that a thread that was
 * descheduled mid-transaction does not fake a critical path). */
struct exec_stats {
    bool parallel; /* false: the guard ran the block sequentially */
    bool partitioned; /* the partitioned pass held (no Block-STM run) */
    size_t partition_kept; /* transactions the partitioned pass finished
                              (Block-STM ran the rest; 0: not tried) */
    struct par_stats par;
    uint64_t parallel_ns; /* the parallel phase (execution and validation) */
    uint64_t commit_ns;   /* the in-order commit of its outputs */
    size_t tx_count;
    uint32_t **deps;
    size_t *dep_counts;
    uint64_t *cost_ns;
    uint32_t *incarnations;
    struct par_record record; /* filled when exec_options.record */
    /* exec_options.drive: the list drove the run and held (bal_driven),
     * or the block ran again without it (bal_degraded; bal_why: the
     * first difference or the reason). bal_mismatch: the list the run
     * recorded differed from it (else the run stopped before the
     * comparison, on something the list cannot express, an invalid
     * transaction or an error, and the list itself is unverified). */
    bool bal_driven, bal_degraded, bal_mismatch;
    char bal_why[256];
};

/* oracle.c: */
void exec_stats_reset(struct exec_stats *s); /* frees and zeroes */
/* Move the graph of out[0..n) (deps, times, incarnations) into s. */
int exec_stats_take_graph(struct exec_stats *s, struct par_tx_output *out, size_t n);

/* Execute block b like exec_block_sequential, running its transactions
 * with the parallel engine (exec/parallel.h) when the guard (guard.h)
 * allows; the result and the world are identical either way, on error
 * too (the world is left as it was). stats may be NULL. */
int exec_block_parallel(const struct chain_config *cfg, const struct block *b, struct world *w,
                        const struct block_hashes *hashes, const struct exec_options *opt, struct block_result *r,
                        struct exec_stats *stats);

/* Compare two results field by field; true when identical. */
bool block_result_equal(const struct block_result *a, const struct block_result *b);

#endif
