/*
 * balexec — the access-list-driven executor (EIP-7928): parevm's third
 * engine, beside sequential execution and Block-STM.
 *
 * Given a block access list, no transaction needs to discover what it
 * depends on: transaction i (block access index i + 1) reads every
 * location from the list's latest change at an index in [1, i], or from
 * the world as the block's system calls left it. So every transaction
 * runs once, on any worker, longest (by gas limit) first; there is no
 * multi-version memory, no validation, no re-execution.
 *
 * Nothing here trusts the list. The caller (exec_block, with
 * exec_options.drive) commits the outputs in order exactly as it commits
 * Block-STM's, records the access list that commit produces (bal.h) and
 * compares it with the given one; any difference, or anything the list
 * cannot express (an account deleted, storage cleared, an empty account
 * created, a view question the list cannot answer), and the block is
 * rolled back and run again without the list. When the lists are equal,
 * every location each transaction read had, in the view, the value a
 * sequential run would have shown it (the list holds exactly the block's
 * changes, by index), so its output is sequential's.
 */
#ifndef PAREVM_EXEC_BALEXEC_H
#define PAREVM_EXEC_BALEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../evm/env.h"
#include "../state/world.h"
#include "bal.h"
#include "parallel.h"

/* One location a transaction accessed (journal_each_access): an account
 * (has_slot false) or one of its storage slots. */
struct balexec_access {
    address addr;
    bool has_slot;
    u256 slot;
};

/* The accesses of one transaction, in the journal's order. */
struct balexec_accesses {
    struct balexec_access *items;
    size_t count, cap;
};

/* Execute txs[0..n) against `base` (read-only meanwhile) and the finished
 * list `list`, each once, on up to `threads` workers (the calling thread
 * included), longest gas limit first. out[0..n) and acc[0..n) must be
 * zeroed; on PAREVM_OK out[i] holds what parallel_execute would (one
 * incarnation, no deps) and acc[i] the accesses of transaction i (free
 * with balexec_accesses_free). *unsure is set when a view question had
 * no certain answer from the list (the caller must not keep the run).
 * PAREVM_ERR_NOMEM; a transaction's own internal error is left in
 * out[i].internal_err, as Block-STM does. */
int balexec_execute(const struct block_env *env, const struct world *base, const struct bal *list,
                    const struct tx *txs, size_t n, int threads, struct par_tx_output *out,
                    struct balexec_accesses *acc, bool *unsure);

void balexec_accesses_free(struct balexec_accesses *acc, size_t n);

/* Whether committing ws onto w (the state before it) changes state in a
 * way an access list cannot express: an existing account deleted
 * (self-destruct, EIP-161), an account's non-empty storage cleared, or an
 * account created empty (before EIP-161). Then the views of the
 * transactions after it were not the block's state, whatever the lists'
 * comparison says. */
bool balexec_inexpressible(const struct write_set *ws, const struct world *w);

#endif
