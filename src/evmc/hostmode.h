/*
 * hostmode — the interpreter driven by an EVMC host (evmc.h): the EVMC
 * adapter's half of the evm layer's host mode (evm.h: struct
 * evm_host_ops). The arrow points one way: evmc/ includes evm/, never
 * the reverse.
 *
 * A frame with evm->host set reaches state, the block and transaction
 * context, and nested calls and creates only through the host interface;
 * arithmetic, memory, stack and jumps are the interpreter's shared code
 * (see frame.h for how the opcodes are routed). Gas and refunds follow
 * the same per-fork rules as the journal path.
 */
#ifndef PAREVM_EVMC_HOSTMODE_H
#define PAREVM_EVMC_HOSTMODE_H

#include <stdbool.h>
#include <stdint.h>

#include "../evm/evm.h"
#include "evmc.h"

struct evm_host {
    const struct evmc_host_interface *iface;
    struct evmc_host_context *ctx;
    /* This frame's refund counter plus its successful sub-calls' (EIP-2200,
     * EIP-3529 rules; negative values allowed, the host caps the total). */
    int64_t refund;
    /* Fetched from the host on first use, once per frame. */
    bool have_tx_context;
    struct evmc_tx_context tx_context;
};

/* The host-mode entry points the interpreter calls (evm->host_ops, with
 * evm->host pointing at a struct evm_host). */
extern const struct evm_host_ops hostmode_ops;

#endif
