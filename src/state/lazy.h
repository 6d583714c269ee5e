/*
 * lazy — storage reads validated by what their value decided.
 *
 * Block-STM re-executes a transaction when a value it read has changed.
 * Many changes do not matter: an ERC-20 transfer reads the recipient's
 * balance only to add the amount to it, check that the sum did not
 * overflow and store it back. Another transfer to the same recipient
 * changes the balance, yet the second transfer would take the same path,
 * spend the same gas and add the same amount.
 *
 * So a view that validates reads by reading them again (the multi-version
 * view) can offer lazy storage reads. The EVM then tracks, for each stack
 * item, whether it is a lazy read's value plus a constant (the read's
 * "handle"), through ADD, SUB, DUP, SWAP and POP; it records every
 * comparison such a value takes part in (a "decision": LT, GT, SLT, SGT,
 * EQ, ISZERO, a JUMPI condition, SSTORE's gas cases) with its outcome; and
 * any other use of the value (MUL, MSTORE, a call argument, ...) makes the
 * read exact, validated by its value as before. A slot whose final value
 * is its own read plus a constant is written as a delta (write_set.h).
 *
 * Validation of a lazy read whose value changed re-evaluates its
 * decisions with the new value: when all come out the same, the
 * execution would have taken the same path, spent the same gas and
 * written the same deltas, and stands.
 */
#ifndef PAREVM_STATE_LAZY_H
#define PAREVM_STATE_LAZY_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/u256.h"

/* The comparisons a decision can record (ISZERO and JUMPI: EQ with 0). */
enum lazy_op { LAZY_LT = 0, LAZY_GT, LAZY_SLT, LAZY_SGT, LAZY_EQ };

/* The outcome of op on (a, b). */
static inline bool lazy_eval(uint8_t op, const u256 *a, const u256 *b)
{
    switch (op) {
    case LAZY_LT:
        return u256_lt(a, b);
    case LAZY_GT:
        return u256_gt(a, b);
    case LAZY_SLT:
        return u256_slt(a, b);
    case LAZY_SGT:
        return u256_sgt(a, b);
    default:
        return u256_eq(a, b);
    }
}

/* What a view offering lazy reads implements (state_view_ops.lazy).
 * Handles are nonzero and name one read of one execution. */
struct lazy_view_ops {
    /* Make the storage read the view served last lazy, and name it. The
     * journal asks right after the read, and only for a transaction the
     * EVM tracks (journal.lazy): a read nobody asks about stays exact. */
    uint32_t (*handle)(void *ctx);
    /* Read h's value was used otherwise than through decisions: validate
     * it by its value. */
    void (*exact)(void *ctx, uint32_t h);
    /* Whether read h is still lazy (no exact for it yet). */
    bool (*is_lazy)(void *ctx, uint32_t h);
    /* A decision: op(a, b) == result, where a is read ha's value plus
     * a constant (ha == 0: a is a constant), likewise b, and at most one
     * handle takes part (ha == hb, or one is 0). a and b are the values
     * the execution saw. PAREVM_ERR_NOMEM when it cannot be kept. */
    int (*decide)(void *ctx, uint8_t op, uint32_t ha, const u256 *a, uint32_t hb, const u256 *b, bool result);
};

#endif
