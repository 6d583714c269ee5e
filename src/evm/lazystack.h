/*
 * lazystack — the EVM's side of lazy storage reads (state/lazy.h).
 *
 * While a frame holds a lazy read's value, each stack item carries a tag:
 * the read's handle when the item is that value plus a constant, else 0
 * (frame.tags, one per stack position, zero above the top). The
 * interpreter routes each instruction of such a frame that takes stack
 * items through its slow path, which calls lazystack_step before the
 * handler runs when an operand is tagged (POP, DUP and SWAP through
 * lazystack_shuffle instead); a frame with no tagged item runs at full
 * speed. SLOAD tags what it pushes (lazystack_sload) and SSTORE records
 * its gas cases (lazystack_sstore).
 */
#ifndef PAREVM_EVM_LAZYSTACK_H
#define PAREVM_EVM_LAZYSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/u256.h"
#include "../state/journal.h"
#include "frame.h"
#include "optable.h"

/* Before opcode op runs on the stack [stack_base, top) (its stack bounds
 * checked): give its results the tags ADD, SUB, DUP, SWAP and POP carry,
 * record the decisions of comparisons and JUMPI, and make every other
 * tagged operand's read exact. SSTORE's value keeps its tag for
 * lazystack_sstore (frame.sstore_tag). PAREVM_OK, or the view's error. */
int lazystack_step(struct frame *f, unsigned op, const u256 *stack_base, const u256 *top);

/* POP, DUPn or SWAPn (stack bounds checked) on a stack of `height`
 * items: move the tags as the items move. Inline: a frame holding a
 * lazy value runs these often (the interpreter's lazy_table sends them
 * here first, around the slow path). */
static inline void lazystack_shuffle(struct frame *f, unsigned op, size_t height)
{
    uint32_t *t = f->tags;
    if (op == OP_POP) {
        f->tagged -= t[height - 1] != 0;
        t[height - 1] = 0;
    } else if (op >= OP_DUP1 && op <= OP_DUP16) {
        uint32_t h = t[height - 1 - (op - OP_DUP1)];
        f->tagged += h != 0;
        t[height] = h;
    } else { /* SWAPn */
        size_t other = height - 2 - (op - OP_SWAP1);
        uint32_t x = t[height - 1];
        t[height - 1] = t[other];
        t[other] = x;
    }
}

/* Whether op, on a stack of `height` items, has no tagged operand: then
 * lazystack_step has nothing to do (what it pushes is untagged). */
static inline bool lazystack_untagged(const struct frame *f, unsigned op, size_t height)
{
    if (optable_deep(op))
        return false;
    for (unsigned k = 1; k <= optable_shapes[op].req; k++)
        if (f->tags[height - k])
            return false;
    return true;
}

/* SLOAD of slot s pushed its value at stack position pos: tag it when it
 * is a lazy read's value plus a constant. True when it did. */
bool lazystack_sload(struct frame *f, const struct journal_slot *s, size_t pos);

/* SSTORE of value into slot s (original and current as the journal has
 * them): record the comparisons its gas and refund depend on, and say
 * whether the value is the slot's own lazy read plus a constant
 * (*derived: write it so). PAREVM_OK, or the view's error. */
int lazystack_sstore(struct frame *f, const struct journal_slot *s, const u256 *original, const u256 *current,
                     const u256 *value, bool *derived);

/* A frame ends: clear the tags it left (the array serves the next frame
 * at its depth). */
void lazystack_end(struct frame *f);

#endif
