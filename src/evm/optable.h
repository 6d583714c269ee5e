/* Per-fork opcode table: which opcodes exist, their static gas, their
 * stack requirements and SSTORE's gas rule. Built once per fork as data
 * (no scattered checks), every opcode fact from the one list in
 * opcodes.def. */
#ifndef PAREVM_EVM_OPTABLE_H
#define PAREVM_EVM_OPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fork.h"

/* How an SSTORE changes its slot, in EIP-2200's terms: X -> Y -> Z is the
 * slot's value when the transaction began (original), its value now
 * (current) and the value stored (new); 0 is zero, X, Y, Z non-zero and
 * distinct. The same cases and numbers as EVMC's evmc_storage_status, so
 * a host's answer indexes optable.sstore as it is. */
enum optable_storage_status {
    OPTABLE_STORAGE_ASSIGNED = 0,          /* current == new, or a dirty slot changed again */
    OPTABLE_STORAGE_ADDED = 1,             /* 0 -> 0 -> Z */
    OPTABLE_STORAGE_DELETED = 2,           /* X -> X -> 0 */
    OPTABLE_STORAGE_MODIFIED = 3,          /* X -> X -> Z */
    OPTABLE_STORAGE_DELETED_ADDED = 4,     /* X -> 0 -> Z */
    OPTABLE_STORAGE_MODIFIED_DELETED = 5,  /* X -> Y -> 0 */
    OPTABLE_STORAGE_DELETED_RESTORED = 6,  /* X -> 0 -> X */
    OPTABLE_STORAGE_ADDED_DELETED = 7,     /* 0 -> Y -> 0 */
    OPTABLE_STORAGE_MODIFIED_RESTORED = 8, /* X -> Y -> X */
    OPTABLE_STORAGE__COUNT
};

struct optable {
    int16_t gas[256];      /* static gas charged before the handler runs */
    uint8_t stack_req[256]; /* items that must be on the stack */
    int8_t stack_grow[256]; /* net change of the stack height */
    bool defined[256];
    /* The fast check, derived from the arrays above by optable_seal: an
     * opcode may run without a cold-path visit when
     * (uint64_t)(height_bytes - stack_min) <= stack_span, i.e. req <=
     * height <= OPTABLE_STACK_LIMIT - grow, with the height and both
     * bounds in bytes of stack (OPTABLE_ITEM_BYTES per item), so the
     * interpreter compares a pointer difference without a shift. An
     * undefined opcode gets a range no height meets, so one branch covers
     * underflow, overflow and "undefined". 8 bytes an entry, so one
     * scaled index addresses it; every static gas and byte bound fits
     * 16 bits (the largest: CREATE's 32000 gas, (1024 + 1) * 32 bytes). */
    struct optable_check {
        uint16_t gas;
        uint16_t stack_min;
        uint16_t stack_span;
        uint16_t unused;
    } check[256];
    /* SSTORE's cost and refund in this fork, by how the store changes its
     * slot: the one SSTORE gas rule (optable.c, build_sstore), read by the
     * interpreter and by host mode alike. The cost leaves out the EIP-2929
     * cold surcharge and the EIP-2200 stipend check: the callers apply them. */
    struct optable_sstore {
        int32_t cost;
        int32_t refund; /* negative: a refund given earlier taken back */
    } sstore[OPTABLE_STORAGE__COUNT];
};

#define OPTABLE_STACK_LIMIT 1024 /* equals EVM_STACK_LIMIT (checked in interpreter.c) */
#define OPTABLE_ITEM_BYTES 32    /* equals sizeof(u256) (checked in interpreter.c) */

#define OPTABLE_GAS_BY_FORK (-1)  /* opcodes.def: the gas is in OPCODE_FORK_GAS */
#define OPTABLE_NEVER FORK__COUNT /* opcodes.def: named, defined in no fork (INVALID) */

/* The opcodes by name (OP_ADD, OP_SSTORE, ...), from opcodes.def. */
enum opcode {
#define OPCODE(name, value, req, grow, gas, since, host) OP_##name = value,
#include "opcodes.def"
};

/* Every opcode's stack shape (items it needs, net change), the same in
 * every fork that defines it: a constant table, so the interpreter's
 * handlers fold their own stack check at compile time. */
struct optable_shape {
    uint8_t req;
    int8_t grow;
};
static const struct optable_shape optable_shapes[256] = {
#define OPCODE(name, value, req, grow, gas, since, host) [value] = {req, grow},
#include "opcodes.def"
};

/* DUPN, SWAPN, EXCHANGE (EIP-8024): they reach items deeper than their
 * req says (an immediate gives the depth). */
static inline bool optable_deep(unsigned op)
{
    return op >= OP_DUPN && op <= OP_EXCHANGE;
}

/* Every opcode's static gas where it is the same in every fork that
 * defines it (OPTABLE_GAS_BY_FORK where a fork changed it: the EIP-150,
 * EIP-1884 and EIP-2929 repricings), so the threaded interpreter charges
 * a constant instead of loading the fork's entry. */
static const int16_t optable_static_gas[256] = {
#define OPCODE(name, value, req, grow, gas, since, host) [value] = gas,
#include "opcodes.def"
};

/* The mnemonic of op ("PUSH1", "KECCAK256"), NULL for a byte that
 * opcodes.def does not list. */
const char *optable_name(uint8_t op);

/* Recompute t->check from gas, stack_req, stack_grow and defined; call
 * after changing any of them. */
void optable_seal(struct optable *t);

/* The table for fork (built on first use, thread-safe, never freed). */
const struct optable *optable_get(enum fork fork);

#endif
