/*
 * trace — EIP-3155 execution traces as JSON lines.
 *
 * A trace_json is an evm_tracer (evm.h): attach it to a transaction
 * (transition_apply_traced) and it writes one line per executed
 * instruction and a summary line when the transaction's message ends:
 *
 *   {"pc":0,"op":96,"gas":"0x5f5e100","gasCost":"0x3","memSize":0,"stack":[],
 *    "depth":1,"returnData":"0x","refund":0,"opName":"PUSH1"}
 *   {"output":"","gasUsed":"0x6"}
 *
 * Fields and formats as EIP-3155 and geth's `evm` JSON logger: pc, op,
 * memSize, depth (1 = the transaction's frame) and refund are JSON
 * numbers; gas, gasCost and stack items are minimal hex quantities;
 * returnData is hex with 0x. gasCost is the instruction's whole cost as
 * computed before it runs (static + dynamic; for CALL* including the gas
 * handed to the callee, for CREATE* excluding it). An instruction that
 * halts exceptionally gets "error" (geth's message) after opName. The
 * summary has output (hex without 0x, as geth), gasUsed (the gas the
 * transaction's top frame used: no intrinsic gas, before refunds) and
 * "error" when it did not succeed.
 *
 * That is the default form; the options in struct trace_json give geth's
 * JSON logger's (t8n --trace.*): "memory" before memSize, "stack":null,
 * returnData omitted or only when non-empty.
 *
 * Lines are formatted when the next event shows the cost, so the stack is
 * the one before the instruction, and written to `out` with one fwrite
 * per line. The first write error is kept in `error` (PAREVM_ERR_IO).
 */
#ifndef PAREVM_EVM_TRACE_H
#define PAREVM_EVM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../base/buf.h"
#include "evm.h"

/* When a step line carries "returnData". */
enum trace_return_data {
    TRACE_RETURN_DATA_ALWAYS = 0, /* "0x" when empty (EIP-3155's examples) */
    TRACE_RETURN_DATA_NONEMPTY,   /* omitted when empty (geth --trace.returndata) */
    TRACE_RETURN_DATA_NEVER       /* geth's JSON logger by default */
};

struct trace_json {
    struct evm_tracer base; /* first member: &t->base is the tracer */
    FILE *out;
    int error;
    /* Output options; trace_json_init sets EIP-3155's form (stack and
     * returnData always, no memory). geth's t8n flags map to them:
     * --trace.memory: with_memory ("memory":"0x.." before memSize, omitted
     * while memory is empty), --trace.nostack: stack_null ("stack":null),
     * --trace.returndata: TRACE_RETURN_DATA_NONEMPTY (else NEVER). */
    bool with_memory;
    bool stack_null;
    enum trace_return_data return_data;
    /* The instruction whose cost is not known yet. */
    bool pending;
    int64_t pending_gas;
    uint8_t pending_op;
    struct bytebuf head; /* {"pc":..,"op":..,"gas":"0x..", */
    struct bytebuf tail; /* "memSize":.. up to "opName":".." */
    struct bytebuf line;
};

/* Attach to out (not owned). Never fails; buffers grow on first use. */
void trace_json_init(struct trace_json *t, FILE *out);
/* Write what is pending and release the buffers (the FILE stays open). */
void trace_json_free(struct trace_json *t);

/* The JSON line {"stateRoot":"0x.."} that state-test traces end with
 * (EIP-3155 summary). */
void trace_json_state_root(struct trace_json *t, const uint8_t root[32]);

/* Mnemonic of an opcode ("PUSH1", "KECCAK256"); geth's "opcode 0xef not
 * defined" style for unassigned bytes, written into buf (>= 32 bytes). */
const char *trace_opcode_name(uint8_t op, char buf[32]);

/* geth's message for an execution outcome ("out of gas", "execution
 * reverted", "invalid jump destination", ...); "" for success. */
const char *trace_status_message(enum evm_status s);

#endif
