/*
 * probe — how much a block's transactions depend on each other, from a
 * few of them run before the block (an input of the guard's plan,
 * guard.h).
 *
 * A block whose transactions mostly read what the ones before wrote (a
 * hot counter, a lending pool's global index, a balance everyone pays
 * into and spends from) costs the parallel engine its setup, a failed
 * attempt and then the sequential run anyway. The guard learns that from
 * measurements, but a fresh process has none. So before a block of at
 * least PROBE_MIN_TXS goes parallel, PROBE_SAMPLES transactions spread
 * evenly over it are executed against the pre-block world (their writes
 * discarded), recording the balance, nonce, code and storage locations
 * each one reads and writes. A sample also depends on the block's value
 * transfers: reading the balance of an account that an earlier
 * transaction of the block pays (its `to` and value, known without
 * running it) is a dependency even when the payer was not sampled.
 *
 * PROBE_SERIAL: at least half of the samples after the first read what
 * an earlier one wrote; the block runs sequentially. PROBE_CROSSING: some
 * sample reads what a transaction of an earlier run of the partitioned
 * pass (one contiguous run per worker) wrote, so that pass would fail
 * there and waste the runs' work past it; Block-STM alone is left, and
 * at two workers it pays for such blocks only where their transactions
 * carry enough work against its cost per transaction (guard.c,
 * GUARD_CROSSING_MIN_GAS and _NS: the probe times its samples), so
 * other crossing blocks run sequentially at two workers. Independent blocks pay
 * the samples' execution (under 1% of a block of 2000 transactions);
 * results never depend on the choice.
 */
#ifndef PAREVM_EXEC_PROBE_H
#define PAREVM_EXEC_PROBE_H

#include <stdint.h>

#include "../chain/block.h"
#include "../evm/env.h"
#include "../state/state_view.h"

/* Blocks of fewer transactions are not probed. */
#define PROBE_MIN_TXS 512

enum probe_verdict { PROBE_INDEPENDENT, PROBE_CROSSING, PROBE_SERIAL };

/* How much the sampled transactions of b depend on each other, for a
 * partitioned pass of `runs` runs (see above): each runs on `world`, the
 * block's state before its transactions, under env, its writes
 * discarded. *sample_ns: the mean time of one sample, the probe's own
 * bookkeeping included (0 when none ran). PROBE_INDEPENDENT when the
 * probe cannot tell (allocation, an internal error): the block then goes
 * on as the guard decided. */
enum probe_verdict probe_block(const struct block_env *env, const struct state_view *world,
                               const struct block *b, int runs, uint64_t *sample_ns);

#endif
