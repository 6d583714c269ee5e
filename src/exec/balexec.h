/*
 * balexec — the access-list-driven executor (EIP-7928): parevm's third
 * engine, beside sequential execution and Block-STM.
 *
 * Given a block access list, no transaction needs to discover what it
 * depends on: transaction i (block access index u = i + 1) reads every
 * location from the list's latest change at an index in [1, u), or from
 * the world as the block's system calls left it. So every transaction
 * runs once, on any worker, longest (by gas limit) first; there is no
 * multi-version memory, no validation, no re-execution.
 *
 * Nothing here trusts the list. Each worker compares what its
 * transaction did with the list at index u, against the values its view
 * showed: every change it made (a balance, nonce, code or slot differing
 * from the value before) must be the list's entry at u, and every
 * account and slot it accessed must be in the list. The caller
 * (exec_block, with exec_options.drive) commits the outputs in order as
 * it commits Block-STM's (receipts, gas; the world is written from the
 * list, balexec_apply), records the units at index 0 and n + 1 (the
 * system calls, rewards, withdrawals, requests) with bal.h, and
 * balexec_verify then checks that those are the list's entries there and
 * that every entry and read of the list was met. Together that is
 * bal_equal(list, the block's recorded list).
 *
 * Why the values the views showed are the block's: by induction on u.
 * If every transaction below u changed exactly the list's entries at its
 * index, the state before u is the world plus the list's changes below
 * u, which is u's view; so u ran as it would sequentially, and its check
 * against the view is a check against the state. (An account the list
 * shows empty after an index where it changed was deleted there, or
 * created empty, with no storage from then on: balexec.c, "accounts
 * left empty".) A list that fails any check, or a block doing what a
 * list cannot express (an existing empty account deleted, non-empty
 * storage cleared, a view question the list cannot answer), is refused:
 * the caller rolls the block back and runs it without the list.
 */
#ifndef PAREVM_EXEC_BALEXEC_H
#define PAREVM_EXEC_BALEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../evm/env.h"
#include "../state/world.h"
#include "../state/write_set.h"
#include "bal.h"
#include "parallel.h"

/* A driven run: the list, what each worker met of it. */
struct balexec;

/* Execute txs[0..n) against `base` (read-only meanwhile: the world after
 * the system calls at index 0) and the finished list `list`, each once,
 * on up to `threads` workers (the calling thread included), longest gas
 * limit first, each checked against the list at its index. out[0..n)
 * must be zeroed; on PAREVM_OK *run is the run (free with balexec_free),
 * out[i] holds what parallel_execute would (one incarnation, no deps),
 * but for its write set, left empty (balexec_apply writes the changes)
 * and *held says whether every check passed (else why says where the
 * first failing transaction left the list, and out may be incomplete:
 * workers stop early; *wrong: that proves the list wrong, rather than
 * the block being one no list can drive). A transaction's own internal
 * error is left in
 * out[i].internal_err, as Block-STM does. pool: the environment whose
 * workers run it (NULL: the process default). rec (NULL: none) gets the
 * schedule: one PAR_EV_EXECUTE event per transaction run, lane = worker,
 * timed from before the pre-state look-ups (rec->parallel_ns: until the
 * join), no hot locations; par_record_free it, after an error too.
 * PAREVM_ERR_NOMEM, _ARG. */
int balexec_execute(const struct block_env *env, const struct world *base, const struct bal *list,
                    const struct tx *txs, size_t n, int threads, struct exec_env *pool,
                    struct par_tx_output *out, struct par_record *rec, struct balexec **run, bool *held,
                    bool *wrong, char *why, size_t why_len);

/* After the commit: whether `edges` (a finished list recording only the
 * units at index 0 and n + 1, n the block's transactions) holds exactly
 * the list's entries at those indices, and every account, change and
 * read of the list was met by the transactions or by edges. Else false
 * and why names the first thing that differs. */
bool balexec_verify(struct balexec *run, const struct bal *edges, size_t n, char *why, size_t why_len);

/* The commit's writes of a driven run (out[i].ws are left empty): per
 * list account, its latest balance, nonce, code and slot values at an
 * index in [1, n], applied to w (through obs, the commit's undo log),
 * one account at a time. Once every transaction held and
 * balexec_verify passes, those are exactly what the transactions'
 * write sets, applied in order, would have left; where it fails, the
 * caller rolls the block back. PAREVM_ERR_NOMEM (w then holds the
 * accounts before the one that failed: the undo log has them). */
int balexec_apply(const struct balexec *run, struct world *w, const struct ws_observer *obs);
/* At most how many entries (accounts and slots) balexec_apply hands its
 * observer: for a log to reserve room once. */
size_t balexec_apply_entries(const struct balexec *run);

void balexec_free(struct balexec *run);

#endif
