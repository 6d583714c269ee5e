/*
 * sequential — the in-order commit of one block on the world: the system
 * calls before the transactions, every transaction in order (executed
 * here, or its output from an engine that ran them beforehand,
 * parallel.h, balexec.h, committed exactly like a sequential run), the
 * block-level rules after them, and the undo log that leaves the world as
 * it was when the block turns out invalid. The block driver (block.c)
 * chooses the engine and calls these in order:
 *
 *   seq_open, seq_system_calls, [an engine fills s->par],
 *   seq_transactions, seq_apply_deferred, seq_block_rules,
 *   seq_receipts_root, then seq_close, or seq_abort on an error or an
 *   invalid block.
 *
 * Each step returns PAREVM_OK or an error; *stop is set when the block
 * turned out invalid (the reason in the result). A step after an error
 * or a stop is not called (except seq_abort).
 *
 * The t8n tool (io/t8n.c) commits its transactions through the same
 * seq_transactions under "reject and skip" rules (struct seq_skip): it
 * opens with seq_open_env, runs the system calls and block rules itself,
 * and ends with seq_discard.
 */
#ifndef PAREVM_EXEC_SEQUENTIAL_H
#define PAREVM_EXEC_SEQUENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../evm/env.h"
#include "../state/state_view.h"
#include "../state/world.h"
#include "../state/write_set.h"
#include "exec.h"

struct bal;
struct balexec;
struct evm_tracer;
struct exec_env;

/* Lookup that remembers the first number it could not find, for the
 * error message. */
struct seq_hashes {
    const struct block_hashes *hashes;
    bool missing;
    uint64_t missing_number;
};

/* What the block overwrote, to put back when it turns out invalid
 * (sequential.c). */
struct undo_entry;
struct undo_log {
    struct undo_entry *entries;
    size_t count, cap;
};

/* Reject-and-skip mode (geth t8n's rules): an invalid transaction does
 * not make the block invalid; it is reported to rejected() with geth's
 * reason and skipped, its gas, blob gas and writes left out, and the next
 * one runs on the state without it. Receipts, and the EIP-7928 indices,
 * then number the included transactions only. Nothing is undo-logged (an
 * error ends the run; the caller drops the world). */
struct seq_skip {
    /* Transaction i was rejected for `reason`; an error ends the commit. */
    int (*rejected)(void *arg, size_t i, const char *reason);
    void *arg;
    /* NULL, or per transaction a reason it is rejected before it runs
     * (the loader's: a bad signature, an undecodable transaction). */
    char *const *invalid;
    /* Blob transactions are rejected: the blob base fee is unknown. */
    bool blob_fee_unknown;
};

/* A tracer per transaction (t8n's trace files): begin returns one (or
 * NULL) for the transaction, given its index among the included ones so
 * far and its hash; end is called once it ran. Sequential commits only. */
struct seq_tx_hooks {
    struct evm_tracer *(*begin)(void *arg, size_t included_index, const hash32 *tx_hash);
    void (*end)(void *arg, struct evm_tracer *tracer);
    void *arg;
};

/* One block's commit. Its view reads s->wv: a seq_run stays where
 * seq_open made it until seq_close or seq_abort. */
#define SEQ_BLOOM_BATCH 4
struct seq_run {
    const struct chain_config *cfg;
    const struct block *b;
    struct world *w;
    struct block_result *r;
    struct block_env env;
    struct seq_hashes hashes;
    struct world_view wv;
    struct state_view view;
    struct undo_log undo;
    struct write_set ws;
    /* Parallel path: every transaction's outcome computed beforehand
     * (exec/parallel.h); committed here in order exactly like a
     * sequential run, so both paths share one commit. NULL: sequential. */
    struct par_tx_output *par;
    /* par[0..par_count) hold final outputs: all transactions when the
     * parallel run held; after the engine gave up on a contended block,
     * the prefix its partitioned pass had made final (the rest runs
     * sequentially on the world those outputs leave). */
    size_t par_count;
    /* par[0..par_cleared) were cleared by their commit (seq_tx), their
     * write sets aside under defer_apply (apply_deferred frees those):
     * no pass over every output after the commit. */
    size_t par_cleared;
    struct exec_trace *trace; /* NULL: none */
    /* The receipts' cumulative gas: the block's gas used but for
     * EIP-7778, under which the block counts gas before refunds
     * (tx_result.block_gas) and receipts the gas paid. */
    uint64_t cumulative_gas;
    /* EIP-8037: the state gas the block's transactions used (the gas
     * used seq_transactions sums is then the regular gas; the block's is
     * the larger of the two). */
    uint64_t state_gas;
    /* Parallel path, every transaction known to commit: the in-order
     * re-checks are skipped (the undo log still records every write: an
     * allocation failure, or from Prague the requests, can still roll the
     * block back). */
    bool no_undo;
    /* With no_undo on more than one thread: the commit leaves each write
     * set in par[i].ws, and the world is written while the receipts root
     * is hashed (see apply_deferred). */
    bool defer_apply;
    bool deferred_ok; /* apply_deferred wrote (and freed) every write set */
    /* EIP-7928 recording (exec_options.bal): each unit's accesses and
     * writes, before they are applied. NULL: off. */
    struct bal *bal;
    /* exec_options.drive: the transactions ran and were checked by the
     * list's engine (balexec.h); bal then records only the units at
     * index 0 and n + 1 (balexec_verify checks them), and the world is
     * written from the list (balexec_apply) once every transaction
     * committed: par[i].ws are empty. NULL: not driven. */
    const struct balexec *driven;
    const struct seq_skip *skip;      /* NULL: a block's rules (invalid: stop) */
    const struct seq_tx_hooks *hooks; /* NULL: none */
    size_t error_tx;                  /* the transaction of the internal error noted in r->invalid_message */
    /* Receipts whose bloom is still to compute (sequential path): a few
     * at a time, so that their new items share the hash's lanes
     * (logs_bloom_many); all done when seq_transactions returns. */
    size_t bloom_pending[SEQ_BLOOM_BATCH];
    size_t bloom_pending_count;
};

/* Start block b's commit on w into r (zeroed by the caller): the block
 * environment, the view of the world, r's receipts. trace and bal: as
 * exec_options (NULL: none). PAREVM_ERR_UNSUPPORTED for a fork parevm
 * does not implement or the DAO block (nothing to undo then); every
 * later failure must end with seq_abort. */
int seq_open(struct seq_run *s, const struct chain_config *cfg, const struct block *b, struct world *w,
             const struct block_hashes *hashes, struct block_result *r, struct exec_trace *trace,
             struct bal *bal);
/* seq_open for a caller that made the block environment itself (t8n,
 * whose environment rules are geth's): env is copied, its block_hash
 * replaced by a lookup in hashes. b needs only txs and tx_count (and for
 * seq_block_rules the header's coinbase, uncles and withdrawals). */
int seq_open_env(struct seq_run *s, const struct chain_config *cfg, const struct block *b, struct world *w,
                 const struct block_env *env, const struct block_hashes *hashes, struct block_result *r,
                 struct bal *bal);
/* The system calls before the transactions: EIP-4788 (Cancun on), then
 * EIP-2935 (Prague on). */
int seq_system_calls(struct seq_run *s, bool *stop);
/* Commit every transaction in order, adding each one's gas to *gas_used:
 * executed here, or, for s->par[0..s->par_count), the engine's output.
 * When all of s->par is known to commit, the in-order re-checks are
 * skipped, and with threads > 1 the world writes are left for
 * seq_apply_deferred. */
int seq_transactions(struct seq_run *s, int threads, uint64_t *gas_used, bool *stop);
/* Under s->defer_apply: write the world, overlapped on env's pool with
 * the receipts root (then complete: seq_receipts_root is not called).
 * Nothing to do otherwise. */
int seq_apply_deferred(struct seq_run *s, struct exec_env *env, int threads);
/* The outputs s->par[from..n) still hold something to free
 * (par_output_free) after the commit ended with err. */
size_t seq_outputs_left(const struct seq_run *s, int err);
/* After the transactions: rewards (none from Paris), withdrawals
 * (EIP-4895), then from Prague the requests (EIP-7685), in
 * execution-specs apply_body's order. */
int seq_block_rules(struct seq_run *s, bool *stop);
/* The receipts root, on env's pool when threads > 1 (for blocks of cheap
 * transactions it is a large part of the block's work). Before the world
 * is final: its allocations can fail too, and the block must then leave
 * the world as it was. */
int seq_receipts_root(struct seq_run *s, struct exec_env *env, int threads);
/* The block ran to its end: keep the world, finish the access list (if
 * recording), set the result's gas used (gas_used) and logs bloom. */
int seq_close(struct seq_run *s, uint64_t gas_used);
/* Free what the run holds (undo log, write set) and nothing else: the
 * world and the result stay as they are. The end of a reject-and-skip
 * run, whose caller finishes the block itself. */
void seq_discard(struct seq_run *s);
/* An error (err) or an invalid block (err PAREVM_OK): put the world back
 * and drop the receipts and requests. Returns err, or an error of the
 * undo itself. */
int seq_abort(struct seq_run *s, int err);

#endif
