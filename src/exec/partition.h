/*
 * partition — an optimistic partitioned pass over a block, for blocks
 * whose transactions do not touch each other's state.
 *
 * The block is cut into one contiguous run of transactions per thread.
 * Each thread executes its run in order, exactly as sequential execution
 * does, against a private overlay of what its own run wrote on top of the
 * pre-block world, and remembers every read the overlay could not answer
 * (a read of the pre-block world). When every run has finished, the pass
 * holds if no such read of run k is of a location an earlier run wrote:
 * then every transaction saw the state sequential execution would have
 * shown it, and its output is final. If one is, the pass reports a
 * conflict and the caller runs Block-STM (parallel.h) instead.
 *
 * What it saves against Block-STM: no multi-version memory, no scheduler,
 * no per-transaction validation; a thread touches only its own overlay
 * and the read-only world, so nothing bounces between cores. What it
 * risks: on a block with any cross-run dependency the pass is wasted, so
 * the caller tries it only where it is likely to hold.
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

/* Execute txs[0..n) against `base` (read-only meanwhile) in `threads`
 * runs. out[0..n) must be zeroed. PAREVM_OK with *held: out is filled
 * exactly as parallel_execute would fill it (one incarnation each).
 * PAREVM_OK with !*held: a run read what an earlier one wrote; out is
 * zeroed again and *conflict_tx names the first transaction found that
 * read such a location. Other errors (allocation): out is zeroed. */
int partition_execute(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                      int threads, struct par_tx_output *out, struct par_stats *stats, bool *held,
                      size_t *conflict_tx);

/* Whether the pass is worth trying on txs[0..n) at `threads`: no sender
 * appears in two runs (its nonce would conflict for certain). */
bool partition_plausible(const struct tx *txs, size_t n, int threads);

#endif
