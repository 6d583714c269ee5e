/*
 * Applying one transaction: validation, gas purchase, execution, refunds,
 * fee payment, EIP-161 cleanup. The transaction reads state only through
 * a state_view and writes only into its journal; the caller gets a write
 * set to apply (sequential) or to publish (parallel).
 */
#ifndef PAREVM_CHAIN_TRANSITION_H
#define PAREVM_CHAIN_TRANSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../evm/env.h"
#include "../state/journal.h"
#include "../state/log.h"
#include "../state/state_view.h"
#include "../state/world.h"
#include "../state/write_set.h"
#include "tx.h"

/* Why a transaction is invalid (it is then not included: no state change). */
enum tx_error {
    TXERR_NONE = 0,
    TXERR_TYPE_NOT_SUPPORTED,
    TXERR_NONCE_TOO_LOW,
    TXERR_NONCE_TOO_HIGH,
    TXERR_NONCE_MAX,           /* EIP-2681 */
    TXERR_INSUFFICIENT_FUNDS,  /* balance < gas_limit * max fee + value (+ blob) */
    TXERR_INTRINSIC_GAS,       /* gas_limit < intrinsic gas (or the EIP-7623 floor) */
    TXERR_GAS_LIMIT_EXCEEDED,  /* gas_limit > block gas available */
    TXERR_FEE_CAP_BELOW_BASE_FEE,
    TXERR_TIP_ABOVE_FEE_CAP,
    TXERR_SENDER_NOT_EOA,      /* EIP-3607 */
    TXERR_INITCODE_TOO_LARGE,  /* EIP-3860 */
    TXERR_BLOB_FEE_CAP_TOO_LOW,
    TXERR_BLOB_HASH_VERSION,
    TXERR_BLOB_COUNT,          /* zero blobs or more than the maximum */
    TXERR_BLOB_CREATE,         /* type 3 must have a recipient */
    TXERR_VALUE_OVERFLOW,      /* fee or value computation over 256 bits */
    TXERR_CHAIN_ID,            /* signed for another chain (EIP-155, typed txs) */
    TXERR_GAS_LIMIT_CAP,       /* EIP-7825 (Osaka): gas_limit above 2^24 */
    TXERR_SET_CODE_CREATE,     /* EIP-7702: type 4 must have a recipient */
    TXERR_EMPTY_AUTHORIZATIONS, /* EIP-7702: type 4 with no authorization */
    TXERR__COUNT
};
const char *tx_error_name(enum tx_error e);

enum tx_status {
    TX_STATUS_SUCCESS = 0,
    TX_STATUS_REVERT,
    TX_STATUS_HALT /* exceptional halt: all gas consumed */
};

struct tx_result {
    enum tx_error error;     /* TXERR_NONE when the transaction was applied */
    enum tx_status status;
    uint64_t gas_used;       /* after refunds, at least the EIP-7623 floor */
    uint64_t block_gas;      /* what the block counts: gas_used, or with
                                EIP-7778 (Amsterdam) the gas before refunds
                                (at least the floor); with EIP-8037 that
                                less block_state_gas: the regular gas */
    uint64_t block_state_gas; /* EIP-8037: the state gas used (0 before);
                                 the block's gas used is the larger of
                                 the two sums */
    struct log *logs;        /* owned; free with tx_result_free */
    size_t log_count;
    bool has_created_address;
    address created_address;
};
void tx_result_free(struct tx_result *r);

/* Execute tx against view under env. On success (PAREVM_OK) *result holds
 * the outcome and ws the writes (ws is empty when result->error != NONE).
 * block_gas_used is the gas already used in the block (for the gas limit
 * check). PAREVM_ERR_UNSUPPORTED when env->fork is not implemented
 * (fork_implemented); other errors are internal (ENOMEM, missing block
 * hash). Either way nothing is applied. */
int transition_apply(const struct block_env *env, const struct state_view *view, const struct tx *tx,
                     uint64_t block_gas_used, struct tx_result *result, struct write_set *ws);

/* transition_apply with a tracer (evm/evm.h, e.g. evm/trace.h's EIP-3155
 * writer) attached to the transaction's execution; NULL traces nothing.
 * It sees the frames of this transaction only, then on_tx_end; nothing
 * is traced for a transaction that validation rejects. */
struct evm_tracer;
int transition_apply_traced(const struct block_env *env, const struct state_view *view, const struct tx *tx,
                            uint64_t block_gas_used, struct evm_tracer *tracer, struct tx_result *result,
                            struct write_set *ws);

/* The checks that need no state, in the order the full validation runs
 * them (type, chain id, intrinsic gas and EIP-7623 floor, nonce cap,
 * initcode size, EIP-7825 gas cap, block gas limit, fee caps, blob rules,
 * EIP-7702 recipient and authorization list). TXERR_NONE when they pass; then
 * *effective_price holds the gas price the transaction pays. */
enum tx_error transition_check_static(const struct block_env *env, const struct tx *tx, uint64_t block_gas_used,
                                      u256 *effective_price);

#define TX_MAX_GAS_LIMIT 16777216 /* EIP-7825 (Osaka): 2^24 */

/* The one check of transition_check_static that depends on the gas the
 * block used before the transaction: its gas limit fits in the block's
 * (a parallel commit re-checks only this one for a transaction executed
 * as if first in the block). EIP-8037: block_gas_used is the regular gas,
 * which the transaction can use at most 2^24 of (EIP-7825); the state
 * dimension is transition_fits_block_state_gas, its caller's. */
static inline bool transition_fits_block_gas(const struct block_env *env, const struct tx *tx,
                                             uint64_t block_gas_used)
{
    uint64_t need = tx->gas_limit;
    if (fork_eip(env->fork, EIP_8037) && need > TX_MAX_GAS_LIMIT)
        need = TX_MAX_GAS_LIMIT;
    return need <= env->gas_limit && env->gas_limit - need >= block_gas_used;
}

/* EIP-8037: the state dimension of the same check, against the state gas
 * the block used before the transaction (the sum of block_state_gas). */
static inline bool transition_fits_block_state_gas(const struct block_env *env, const struct tx *tx,
                                                   uint64_t block_state_gas)
{
    return tx->gas_limit <= env->gas_limit && env->gas_limit - tx->gas_limit >= block_state_gas;
}

/* A system call (EIP-4788 beacon roots, later EIP-2935/7002/7251): a
 * message from `from` to `to` with calldata data[0..len) and `gas`, run
 * outside any transaction: no validation, no gas purchase or refund, no
 * fee, no nonce change, not counted in block gas. Its writes (storage of
 * the target, EIP-161 cleanup of touched empty accounts) go to ws; its
 * logs and output are dropped. When `to` has no code nothing runs and ws
 * is empty. *status (may be NULL) gets the outcome (SUCCESS when skipped).
 * Errors are internal (ENOMEM, a view error) and leave ws empty. */
int transition_system_call(const struct block_env *env, const struct state_view *view, const address *from,
                           const address *to, const uint8_t *data, size_t len, uint64_t gas,
                           struct write_set *ws, enum tx_status *status);
/* The same, handing out the call's return data when it succeeded
 * (EIP-7002/7251 system calls return their requests): *output (malloc'ed,
 * the caller frees; NULL when empty) and *output_len. */
int transition_system_call_output(const struct block_env *env, const struct state_view *view,
                                  const address *from, const address *to, const uint8_t *data, size_t len,
                                  uint64_t gas, struct write_set *ws, enum tx_status *status,
                                  uint8_t **output, size_t *output_len);

/* transition_apply_traced that also hands every location the
 * transaction accessed to on_access (journal_each_access's contract:
 * EIP-7928 recording) when it was applied (result->error NONE); NULL
 * records nothing. Use this, not transition_last_journal, for
 * transactions: a caller with a small stack gets the transaction run on
 * another thread, whose journal it cannot see. */
int transition_apply_recorded(const struct block_env *env, const struct state_view *view, const struct tx *tx,
                              uint64_t block_gas_used, struct evm_tracer *tracer, journal_access_fn on_access,
                              void *access_arg, struct tx_result *result, struct write_set *ws);

/* The journal of the calling thread's last transition_system_call*
 * (NULL before any): what the call accessed (journal_each_access, EIP-7928
 * recording) stays readable until the thread's next transition call.
 * System calls run on the calling thread. */
struct journal;
const struct journal *transition_last_journal(void);

/* A transaction context: the journal and EVM (frame pool, stacks) a
 * thread reuses across its transitions. Each thread makes its own on
 * first use, freed when it exits. An owner that must leave nothing
 * behind (exec/exec_env.h) makes its own and binds one to the calling
 * thread for the length of a call. */
struct tx_context;
struct tx_context *transition_context_create(void); /* NULL: out of memory */
void transition_context_destroy(struct tx_context *c); /* NULL: nothing; not while bound */
/* Make c the calling thread's context (NULL: back to the thread's own);
 * returns the one bound before, to restore. */
struct tx_context *transition_context_bind(struct tx_context *c);

/* Convenience for the sequential path: apply to a world in place. */
int transition_apply_world(const struct block_env *env, struct world *w, const struct tx *tx,
                           uint64_t block_gas_used, struct tx_result *result);

#endif
