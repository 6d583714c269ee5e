/*
 * parallel — Block-STM execution of a block's transactions.
 *
 * Transactions run optimistically on a pthread pool over the
 * multi-version memory (mvmemory.h) through the same transition and EVM
 * as sequential execution; reads are recorded and validated, conflicting
 * incarnations are aborted and re-executed, a read that hits an aborted
 * writer's ESTIMATE waits for that writer. The collaborative scheduler
 * (Gelashvili et al., PPoPP'23) hands out the lowest-indexed execution or
 * validation task. The output per transaction is exactly what sequential
 * execution would produce; the caller commits the write sets in order.
 */
#ifndef PAREVM_EXEC_PARALLEL_H
#define PAREVM_EXEC_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../chain/transition.h"
#include "../evm/env.h"
#include "../state/world.h"
#include "../state/write_set.h"

/* What one transaction's committed incarnation produced. */
struct par_tx_output {
    struct tx_result result; /* result.error != NONE: invalid (as validated) */
    struct write_set ws;
    int internal_err;        /* an internal error of the committed incarnation */
    uint32_t *deps;          /* lower transactions whose writes it read (sorted, unique) */
    size_t dep_count;
    uint64_t exec_ns;        /* duration of the committed execution */
    uint32_t incarnations;   /* how many times it was executed */
};

struct par_stats {
    int threads;
    uint64_t executions;  /* incarnations run (>= tx count) */
    uint64_t validations;
    uint64_t aborts;      /* validation failures */
    uint64_t blocked;     /* executions stopped on an ESTIMATE */
};

/* Execute txs[0..n) against the pre-block world `base` (read-only while
 * this runs) with `threads` workers (the caller's thread is one of them).
 * out[i] is filled for every i (free with par_output_free). Transactions
 * are executed as if each had block_gas_used = 0; the caller applies the
 * block gas limit in order (transition_check_static) while committing. */
int parallel_execute(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                     int threads, struct par_tx_output *out, struct par_stats *stats);

void par_output_free(struct par_tx_output *out, size_t n);

#endif
