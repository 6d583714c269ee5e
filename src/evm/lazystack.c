/* lazystack.c — tags of lazy storage reads on the EVM stack (see lazystack.h). */
#include "lazystack.h"

#include <string.h>

#include "optable.h"

static inline const struct lazy_view_ops *lazy_ops(const struct frame *f)
{
    return f->evm->journal->view.ops->lazy;
}

static inline void *lazy_ctx(const struct frame *f)
{
    return f->evm->journal->view.ctx;
}

/* Set position p's tag, keeping the count of tagged items. */
static inline void set_tag(struct frame *f, size_t p, uint32_t h)
{
    f->tagged += (h != 0) - (f->tags[p] != 0);
    f->tags[p] = h;
}

/* Make the read behind position p's tag exact, and clear its tags
 * (every tagged item is below the top, and `tagged` counts them: the scan
 * ends at the highest). Without tags the frame runs at full speed. */
static void make_exact(struct frame *f, size_t p)
{
    uint32_t h = f->tags[p];
    if (!h)
        return;
    lazy_ops(f)->exact(lazy_ctx(f), h);
    uint32_t *t = f->tags;
    for (size_t q = 0, seen = 0, n = f->tagged; seen < n; q++) {
        if (!t[q])
            continue;
        seen++;
        if (t[q] == h) {
            t[q] = 0;
            f->tagged--;
        }
    }
}

/* Record op(a, b), a from read ha (0: a constant), b likewise. A
 * comparison of two constants decides nothing, and equality of two
 * values of one read does not depend on the read. */
static int decide(struct frame *f, uint8_t op, uint32_t ha, const u256 *a, uint32_t hb, const u256 *b)
{
    if (!ha && !hb)
        return PAREVM_OK;
    if (op == LAZY_EQ && ha == hb)
        return PAREVM_OK;
    return lazy_ops(f)->decide(lazy_ctx(f), op, ha, a, hb, b, lazy_eval(op, a, b));
}

/* A comparison of positions pa and pb (values a, b): one read at most
 * may take part in a decision, else both become exact. */
static int compare(struct frame *f, uint8_t op, size_t pa, const u256 *a, size_t pb, const u256 *b)
{
    uint32_t ha = f->tags[pa], hb = f->tags[pb];
    int err = PAREVM_OK;
    if (ha && hb && ha != hb) {
        make_exact(f, pa);
        make_exact(f, pb);
    } else {
        err = decide(f, op, ha, a, hb, b);
    }
    set_tag(f, pa, 0);
    set_tag(f, pb, 0);
    return err;
}

int lazystack_step(struct frame *f, unsigned op, const u256 *stack_base, const u256 *top)
{
    size_t h = (size_t)(top - stack_base);
    uint32_t *t = f->tags;
    static const u256 zero;
    switch (op) {
    case OP_ADD: { /* (r + c) + k stays the read's; two reads' sum is no one's */
        uint32_t a = t[h - 1], b = t[h - 2];
        if (a && b) {
            make_exact(f, h - 1);
            make_exact(f, h - 2);
        }
        set_tag(f, h - 1, 0);
        set_tag(f, h - 2, a && b ? 0 : a | b);
        return PAREVM_OK;
    }
    case OP_SUB: { /* top - second: (r + c) - k is the read's; (r + c) - (r + d) a constant */
        uint32_t a = t[h - 1], b = t[h - 2], r = 0;
        if (a && !b)
            r = a;
        else if (b && a != b) {
            make_exact(f, h - 1);
            make_exact(f, h - 2);
        }
        set_tag(f, h - 1, 0);
        set_tag(f, h - 2, r);
        return PAREVM_OK;
    }
    case OP_LT:
    case OP_GT:
    case OP_SLT:
    case OP_SGT:
    case OP_EQ: {
        static const uint8_t ops[] = {[OP_LT - OP_LT] = LAZY_LT,
                                      [OP_GT - OP_LT] = LAZY_GT,
                                      [OP_SLT - OP_LT] = LAZY_SLT,
                                      [OP_SGT - OP_LT] = LAZY_SGT,
                                      [OP_EQ - OP_LT] = LAZY_EQ};
        return compare(f, ops[op - OP_LT], h - 1, &top[-1], h - 2, &top[-2]);
    }
    case OP_ISZERO: {
        int err = decide(f, LAZY_EQ, t[h - 1], &top[-1], 0, &zero);
        set_tag(f, h - 1, 0);
        return err;
    }
    case OP_JUMPI: { /* the condition decides; a computed destination is used as is */
        make_exact(f, h - 1);
        int err = decide(f, LAZY_EQ, t[h - 2], &top[-2], 0, &zero);
        set_tag(f, h - 2, 0);
        return err;
    }
    case OP_SSTORE: /* the key is used as is; the value goes to lazystack_sstore */
        make_exact(f, h - 1);
        f->sstore_tag = t[h - 2];
        set_tag(f, h - 2, 0);
        return PAREVM_OK;
    default:
        break;
    }
    if (op == OP_POP || (op >= OP_DUP1 && op <= OP_SWAP16)) {
        lazystack_shuffle(f, op, h);
        return PAREVM_OK;
    }
    /* Any other use of a value: its read is exact, the results plain.
     * DUPN, SWAPN and EXCHANGE may reach any item: all become exact. */
    for (size_t p = optable_deep(op) ? 0 : h - optable_shapes[op].req; p < h; p++)
        make_exact(f, p);
    return PAREVM_OK;
}

bool lazystack_sload(struct frame *f, const struct journal_slot *s, size_t pos)
{
    uint32_t h = journal_slot_handle(s);
    if (h && !lazy_ops(f)->is_lazy(lazy_ctx(f), h))
        h = 0; /* exact already: a tag would only slow the frame */
    set_tag(f, pos, h);
    return h != 0;
}

int lazystack_sstore(struct frame *f, const struct journal_slot *s, const u256 *original, const u256 *current,
                     const u256 *value, bool *derived)
{
    static const u256 zero;
    uint32_t hs = journal_slot_origin(s), hc = journal_slot_handle(s), hv = f->sstore_tag;
    f->sstore_tag = 0;
    *derived = false;
    if (hv && hv != hs) { /* another slot's read, stored here: used as is */
        lazy_ops(f)->exact(lazy_ctx(f), hv);
        hv = 0;
    }
    if (!hs)
        return PAREVM_OK;
    /* EIP-2200's cases (the interpreter's storage_status) and EIP-3529's
     * refunds compare these pairs. */
    int err = decide(f, LAZY_EQ, hc, current, hv, value);
    if (!err)
        err = decide(f, LAZY_EQ, hs, original, hc, current);
    if (!err)
        err = decide(f, LAZY_EQ, hs, original, hv, value);
    if (!err)
        err = decide(f, LAZY_EQ, hs, original, 0, &zero);
    if (!err)
        err = decide(f, LAZY_EQ, hc, current, 0, &zero);
    if (!err)
        err = decide(f, LAZY_EQ, hv, value, 0, &zero);
    *derived = hv != 0;
    return err;
}

void lazystack_end(struct frame *f)
{
    /* All of it: a halt may leave the top below items a handler had
     * already taken off (and their tags). */
    if (f->tagged)
        memset(f->tags, 0, (EVM_STACK_LIMIT + 1) * sizeof *f->tags);
    f->tagged = 0;
}
