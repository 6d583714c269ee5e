/*
 * frame.h — one executing frame of the interpreter, shared between
 * interpreter.c and the host mode above the evm layer (evmc/hostmode.c,
 * reached through evm->host_ops), which implements the state, context,
 * call and create opcodes through an EVMC host instead of the journal.
 */
#ifndef PAREVM_EVM_FRAME_H
#define PAREVM_EVM_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evm.h"
#include "optable.h"

struct frame {
    struct evm *evm;
    const struct evm_message *msg;
    struct code *code;
    int64_t gas;
    int64_t spilled; /* EIP-8037: its state gas taken from gas (evm_result.spilled) */
    uint8_t *mem;
    size_t mem_size; /* bytes, a multiple of 32 */
    size_t mem_cap;
    uint8_t *ret; /* return data of the last call from this frame (owned) */
    size_t ret_len;
    /* Lazy storage reads (lazystack.h; NULL: not tracked): a tag per
     * stack position, how many are nonzero, and SSTORE's value's. */
    uint32_t *tags;
    uint32_t tagged;
    uint32_t sstore_tag;
};

/* Take g gas from the frame; false when that leaves it below zero. */
static inline bool evm_frame_charge(struct frame *f, int64_t g)
{
    f->gas -= g;
    return f->gas >= 0;
}

/* The gas a CALL-family opcode hands to its callee, after charging the
 * frame `extra` (access, value, new account) and that gas: EIP-150 caps
 * the request at all but one 64th of what is left from Tangerine
 * Whistle on; before, the whole request is charged. -1: out of gas.
 * (Returned, not stored through a pointer: an address-taken local costs
 * a sanitizer redzone in every one of up to 1024 nested call frames.) */
static inline int64_t evm_frame_call_gas(struct frame *f, enum fork fork, int64_t extra, const u256 *gas_req)
{
    int64_t call_gas;
    if (fork >= FORK_TANGERINE) {
        if (f->gas < extra)
            return -1;
        int64_t avail = f->gas - extra;
        int64_t cap = avail - avail / 64;
        call_gas = (u256_fits_u64(gas_req) && gas_req->w[0] < (uint64_t)cap) ? (int64_t)gas_req->w[0] : cap;
    } else {
        if (!u256_fits_u64(gas_req) || gas_req->w[0] > (uint64_t)INT64_MAX)
            return -1;
        call_gas = (int64_t)gas_req->w[0];
    }
    if (!evm_frame_charge(f, extra) || !evm_frame_charge(f, call_gas))
        return -1;
    return call_gas;
}

/* Validate and expand memory for the region (off, len), charging the
 * expansion; a zero length touches nothing. False when out of gas (or out
 * of memory: then evm->error is set). (interpreter.c) */
bool evm_frame_mem(struct frame *f, const u256 *off, const u256 *len, uint64_t *o, uint64_t *l);

#endif
