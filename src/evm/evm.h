/*
 * evm — executes one message (call or create) against a journal.
 *
 * The interpreter reads and writes state only through the journal (which
 * reads through a state_view): the same code runs sequentially and in
 * parallel. Nested calls recurse through evm_execute.
 */
#ifndef PAREVM_EVM_EVM_H
#define PAREVM_EVM_EVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/types.h"
#include "../base/u256.h"
#include "../state/journal.h"
#include "env.h"
#include "fork.h"

#define EVM_MAX_DEPTH 1024
#define EVM_STACK_LIMIT 1024

/* The largest code a creation may deposit: 24576 (EIP-170, Spurious
 * Dragon on), 65536 with EIP-7954 (Amsterdam; the EIP's title still says
 * 32 KiB, @ethereumjs 10.1.3 and glamsterdam-devnet v8 use 64 KiB). */
static inline size_t evm_max_code_size(enum fork f)
{
    return fork_eip(f, EIP_7954) ? 65536 : 24576;
}

/* The largest initcode (EIP-3860, Shanghai on): twice the code size. */
static inline size_t evm_max_initcode_size(enum fork f)
{
    return 2 * evm_max_code_size(f);
}

enum evm_status {
    EVM_SUCCESS = 0,
    EVM_REVERT,
    /* exceptional halts: all gas of the frame is consumed */
    EVM_OUT_OF_GAS,
    EVM_UNDEFINED_INSTRUCTION,
    EVM_INVALID_INSTRUCTION, /* 0xFE */
    EVM_STACK_UNDERFLOW,
    EVM_STACK_OVERFLOW,
    EVM_BAD_JUMP_DESTINATION,
    EVM_STATIC_MODE_VIOLATION,
    EVM_INVALID_MEMORY_ACCESS, /* RETURNDATACOPY past the end */
    EVM_CREATE_COLLISION,
    EVM_CONTRACT_TOO_LARGE,
    EVM_INVALID_CODE_PREFIX, /* EIP-3541 */
    EVM_PRECOMPILE_FAILURE,
    EVM_INTERNAL_ERROR /* evm->error holds the parevm_err */
};

const char *evm_status_name(enum evm_status s);

enum evm_call_kind {
    EVM_CALL = 0,
    EVM_CALLCODE,
    EVM_DELEGATECALL,
    EVM_STATICCALL,
    EVM_CREATE,
    EVM_CREATE2
};

struct evm_message {
    enum evm_call_kind kind;
    bool is_static;
    int depth;
    int64_t gas;
    address recipient;    /* storage/balance context; for creates the new address */
    address sender;       /* CALLER */
    address code_address; /* whose code runs (== recipient except CALLCODE/DELEGATECALL) */
    u256 value;           /* CALLVALUE (apparent value for DELEGATECALL) */
    bool transfers_value; /* false for DELEGATECALL */
    /* EIP-7702: code_address is the delegate of a delegated account; its
     * code runs even if it is a precompile's address (precompiles are
     * disabled for delegations). */
    bool delegated;
    const uint8_t *input; /* calldata, or initcode for creates */
    size_t input_len;
};

struct evm_result {
    enum evm_status status;
    int64_t gas_left;
    /* EIP-8037: the state gas this frame and its successful callees took
     * from their gas rather than the reservoir (0 when it failed): what a
     * REVERT above gives back. */
    int64_t spilled;
    uint8_t *output; /* malloc'ed, owned by the receiver (free) */
    size_t output_len;
};

struct evm_frame_pool; /* per-depth stacks and memories, reused */

/* ---- tracing (EIP-3155) ----
 *
 * A tracer watches one transaction's execution instruction by instruction
 * (evm/trace.h writes EIP-3155 JSON lines). Without one the interpreter
 * does no extra work per instruction. Callbacks may be NULL.
 *
 * Sequence in a frame: on_step before each instruction; for CALL* and
 * CREATE* on_charged once the instruction has paid its whole cost and
 * before the callee's frame runs (its steps follow); on_exit when the
 * frame ends. An instruction's full cost (static + dynamic, for CALL* the
 * gas handed to the callee too, as geth reports it) is the step's gas
 * minus the gas at the next of these events in the same frame. */
struct evm_trace_step {
    uint64_t pc;
    uint8_t op;
    int depth;                  /* 0: the transaction's own frame */
    int64_t gas;                /* left before the instruction */
    size_t mem_size;            /* bytes */
    const uint8_t *memory;      /* mem_size bytes (NULL when 0) */
    const u256 *stack;          /* stack[0] is the bottom item */
    size_t stack_height;
    const uint8_t *return_data; /* of this frame's last call */
    size_t return_data_len;
    int64_t refund;             /* the transaction's refund counter */
};

struct evm_tracer {
    void (*on_step)(struct evm_tracer *t, const struct evm_trace_step *step);
    void (*on_charged)(struct evm_tracer *t, int64_t gas_left);
    /* gas_left as the frame had it: negative after a charge that failed. */
    void (*on_exit)(struct evm_tracer *t, int depth, enum evm_status status, int64_t gas_left);
    /* After the transaction's message (called by chain/transition):
     * its output, the gas its top frame used (no intrinsic gas, before
     * refunds) and its status. */
    void (*on_tx_end)(struct evm_tracer *t, const uint8_t *output, size_t output_len, uint64_t gas_used,
                      enum evm_status status);
};

/* Host mode: the frame reaches state, the block, the transaction and
 * nested messages only through a host, implemented above this layer (the
 * EVMC adapter, evmc/hostmode.c); the evm layer sees only these two
 * entry points and never the host's type.
 * - optable(fork): the fork's table with every opcode that needs state,
 *   the block or the transaction marked undefined, so those take the
 *   interpreter's existing undefined-instruction branch to op.
 * - op(frame, op, top): execute op (its stack bounds already checked,
 *   nothing charged yet) for the frame through the host. top is one past
 *   the topmost stack item; the results are written where the
 *   interpreter expects them, which then moves top by the optable's
 *   stack_grow and continues at pc + 1. Returns EVM_SUCCESS to continue
 *   (SELFDESTRUCT: to stop successfully), or the status the frame halts
 *   with. */
struct evm_host;
struct frame;
struct optable;
struct evm_host_ops {
    const struct optable *(*optable)(enum fork fork);
    enum evm_status (*op)(struct frame *f, uint8_t op, u256 *top);
};

struct evm {
    const struct block_env *block;
    const struct tx_env *tx;
    struct journal *journal;
    enum fork fork;
    int error; /* first internal error (PAREVM_ERR_*), aborts the transaction */
    struct evm_frame_pool *pool;
    struct evm_tracer *tracer; /* NULL normally; evm_begin clears it */
    /* NULL normally. Set, with host_ops (and fork; block, tx, journal
     * unused and no tracer), to run frames against a host with
     * evm_run_code. */
    struct evm_host *host;
    const struct evm_host_ops *host_ops;
    /* EIP-8037 (set by whoever starts the transaction; 0 otherwise): the
     * state-gas reservoir left, and the state gas used so far, net of
     * what was given back (it may go below zero). A frame that fails
     * puts both back as they were when it began. */
    int64_t reservoir;
    int64_t state_gas;
    /* A CALL ran out of gas after its target was accessed (EIP-7928's
     * second check). @ethereumjs 10.1.3 then burns the reservoir too if
     * the transaction ends out of gas (transition.c). */
    bool call_oog_after_access;
};

/* EIP-8037: take `amount` of state gas, from the reservoir first and the
 * rest from *gas (even below zero: the caller checked what it owes),
 * which *spilled counts. */
static inline void evm_state_take(struct evm *evm, int64_t *gas, int64_t *spilled, int64_t amount)
{
    int64_t from_reservoir = amount < evm->reservoir ? amount : evm->reservoir;
    evm->reservoir -= from_reservoir;
    *gas -= amount - from_reservoir;
    *spilled += amount - from_reservoir;
    evm->state_gas += amount;
}

/* evm_state_take when both together cover it; false, charging nothing,
 * when they fall short. */
static inline bool evm_state_charge(struct evm *evm, int64_t *gas, int64_t *spilled, int64_t amount)
{
    if (amount - (amount < evm->reservoir ? amount : evm->reservoir) > *gas)
        return false;
    evm_state_take(evm, gas, spilled, amount);
    return true;
}

/* EIP-8037: give `amount` of state gas back, last charged first: to *gas
 * up to what it spilled, the rest to the reservoir. */
static inline void evm_state_credit(struct evm *evm, int64_t *gas, int64_t *spilled, int64_t amount)
{
    int64_t to_gas = amount < *spilled ? amount : *spilled;
    *gas += to_gas;
    *spilled -= to_gas;
    evm->reservoir += amount - to_gas;
    evm->state_gas -= amount;
}

void evm_init(struct evm *evm);
void evm_free(struct evm *evm);
/* Prepare for one transaction (no tracer: set evm->tracer afterwards). */
void evm_begin(struct evm *evm, const struct block_env *block, const struct tx_env *tx, struct journal *j);

/* Execute a call message (kind CALL/CALLCODE/DELEGATECALL/STATICCALL):
 * checkpoint, value transfer, code or precompile, revert on failure. */
void evm_call(struct evm *evm, const struct evm_message *msg, struct evm_result *res);

/* Execute a create message whose recipient address is already computed:
 * collision check is the caller's; this runs the initcode and deposits
 * the code (EIP-170, EIP-3541, code deposit gas). */
void evm_create(struct evm *evm, const struct evm_message *msg, struct evm_result *res);

/* Run code for msg in a fresh frame and nothing else: no checkpoint, value
 * transfer or code deposit (an EVMC host does those). The frame uses the
 * pool's first stack and memory whatever msg->depth (so one evm serves
 * one frame at a time). res->output is malloc'ed, owned by the caller. */
void evm_run_code(struct evm *evm, const struct evm_message *msg, struct code *code, struct evm_result *res);

/* Address of a contract created by sender with nonce (CREATE), or with
 * salt and initcode (CREATE2, EIP-1014). */
address evm_create_address(const address *sender, uint64_t nonce);
address evm_create2_address(const address *sender, const u256 *salt, const uint8_t *initcode, size_t len);

#endif
