/*
 * partition — an optimistic partitioned pass over a block, for blocks
 * whose transactions do not touch each other's state.
 *
 * The block is cut into one contiguous run of transactions per thread
 * (a thread that finishes early splits off the upper half of the run
 * with most left, where no sender is on both sides of the cut, as a run
 * of its own). Each thread executes its run in order, exactly as
 * sequential execution does, against a private overlay of what its own
 * run wrote on top of the pre-block world, and remembers every read the
 * overlay could not answer (a read of the pre-block world). When every
 * run has finished, the pass holds if no such read of run k is of a
 * location an earlier run wrote: then every transaction saw the state
 * sequential execution would have shown it, and its output is final. If
 * one is, the outputs below the first transaction that did are still
 * final, and the caller runs Block-STM (parallel.h) from there.
 *
 * What it saves against Block-STM: no multi-version memory, no scheduler,
 * no per-transaction validation; a thread touches only its own overlay
 * and the read-only world, so nothing bounces between cores. What it
 * risks: the runs' work past the first cross-run dependency is wasted,
 * so the caller tries it only where it is likely to hold.
 *
 * Locations and write semantics are those of the multi-version memory
 * (mvmemory.h): balance (with deltas for blind credits), nonce and
 * existence, code, storage slots, and the account's storage clear.
 */
#ifndef PAREVM_EXEC_PARTITION_H
#define PAREVM_EXEC_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

#include "parallel.h"

/* Execute txs[0..n) against `base` (read-only meanwhile) in runs, about
 * one per thread. out[0..n) must be zeroed. On PAREVM_OK, *kept is how
 * many leading transactions have their final outputs in out, exactly as
 * parallel_execute would fill them (one incarnation each): all n when
 * the pass held; else those below the first transaction that read what
 * an earlier run wrote (the rest of out is zeroed again, for Block-STM
 * to go on from there: par_options.done). Other errors (allocation):
 * out is zeroed and *kept is 0. The runs go to xenv's worker pool
 * (exec_env.h; NULL: the process default's). links: txs' sender links
 * (senders.h), which cut the runs (NULL: looked up here). */
int partition_execute(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                      int threads, struct par_tx_output *out, struct par_stats *stats, size_t *kept,
                      struct exec_env *xenv, const uint32_t *links);

/* Whether the pass is worth trying on txs[0..n) at `threads`: no sender
 * appears in two runs (its nonce would conflict for certain). */
bool partition_plausible(const struct tx *txs, size_t n, int threads);

#endif
