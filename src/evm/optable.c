/* optable.c — per-fork opcode availability, static gas and SSTORE gas, as
 * data built from opcodes.def. */
#include "optable.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

static struct optable tables[FORK__COUNT];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

_Static_assert((OPTABLE_STACK_LIMIT + 1) * OPTABLE_ITEM_BYTES <= UINT16_MAX, "optable_check bounds fit 16 bits");

void optable_seal(struct optable *t)
{
    for (int op = 0; op < 256; op++) {
        struct optable_check *c = &t->check[op];
        /* t->gas is int16_t and never negative (build stores static
         * costs only), so it fits the check's 16 bits. */
        c->gas = (uint16_t)t->gas[op];
        c->unused = 0;
        if (t->defined[op]) {
            c->stack_min = (uint16_t)(t->stack_req[op] * OPTABLE_ITEM_BYTES);
            c->stack_span =
                (uint16_t)((OPTABLE_STACK_LIMIT - t->stack_grow[op] - t->stack_req[op]) * OPTABLE_ITEM_BYTES);
        } else {
            /* above any height: always the cold path */
            c->stack_min = (uint16_t)((OPTABLE_STACK_LIMIT + 1) * OPTABLE_ITEM_BYTES);
            c->stack_span = 0;
        }
    }
}

static const char *const opcode_names[256] = {
#define OPCODE(name, value, req, grow, gas, since, host) [value] = #name,
#include "opcodes.def"
};

const char *optable_name(uint8_t op)
{
    return opcode_names[op];
}

/* The static gas of an opcode that a fork repriced (OPCODE_FORK_GAS). */
static int repriced_gas(enum fork f, int op)
{
    int era = f >= FORK_BERLIN ? 3 : f >= FORK_ISTANBUL ? 2 : f >= FORK_TANGERINE ? 1 : 0;
    switch (op) {
#define OPCODE_FORK_GAS(name, frontier, tangerine, istanbul, berlin)                                   \
    case OP_##name:                                                                                    \
        return (const int[4]){frontier, tangerine, istanbul, berlin}[era];
#include "opcodes.def"
    default:
        assert(!"opcodes.def: OPTABLE_GAS_BY_FORK without OPCODE_FORK_GAS");
        return 0;
    }
}

/* SSTORE's cost (without the EIP-2929 cold surcharge) and refund in fork
 * f for each way a store changes its slot. */
static void build_sstore(enum fork f, struct optable *t)
{
    struct optable_sstore *s = t->sstore;
    /* EIP-1283 (Constantinople, reverted by Petersburg), EIP-2200 (Istanbul). */
    bool net_metering = f == FORK_CONSTANTINOPLE || f >= FORK_ISTANBUL;
    if (!net_metering) {
        /* Frontier: 20000 to make a zero slot non-zero, 5000 for any
         * other store, 15000 back for zeroing a non-zero one. */
        for (int st = 0; st < OPTABLE_STORAGE__COUNT; st++)
            s[st] = (struct optable_sstore){5000, 0};
        s[OPTABLE_STORAGE_ADDED].cost = 20000;
        s[OPTABLE_STORAGE_DELETED_ADDED].cost = 20000;
        s[OPTABLE_STORAGE_DELETED_RESTORED].cost = 20000;
        s[OPTABLE_STORAGE_DELETED].refund = 15000;
        s[OPTABLE_STORAGE_MODIFIED_DELETED].refund = 15000;
        s[OPTABLE_STORAGE_ADDED_DELETED].refund = 15000;
        return;
    }
    /* A no-op or a dirty slot costs EIP-2200's SLOAD_GAS, which is
     * SLOAD's static gas (EIP-1884 repriced it, EIP-2929 made it the warm
     * read cost). */
    int32_t warm = t->gas[OP_SLOAD];
    if (fork_eip(f, EIP_8038)) {
        /* EIP-8038 (Amsterdam): the access (warm 100 here, cold 2100 in
         * the interpreter), STORAGE_WRITE (10000) on the first change of
         * the slot in the transaction, given back when the slot returns
         * to its original value, and STORAGE_CLEAR_REFUND (11616) for
         * clearing a slot that was not zero. */
        const int32_t write = 10000, clear = 11616;
        s[OPTABLE_STORAGE_ASSIGNED] = (struct optable_sstore){warm, 0};
        s[OPTABLE_STORAGE_ADDED] = (struct optable_sstore){warm + write, 0};
        s[OPTABLE_STORAGE_DELETED] = (struct optable_sstore){warm + write, clear};
        s[OPTABLE_STORAGE_MODIFIED] = (struct optable_sstore){warm + write, 0};
        s[OPTABLE_STORAGE_DELETED_ADDED] = (struct optable_sstore){warm, -clear};
        s[OPTABLE_STORAGE_MODIFIED_DELETED] = (struct optable_sstore){warm, clear};
        s[OPTABLE_STORAGE_DELETED_RESTORED] = (struct optable_sstore){warm, write - clear};
        s[OPTABLE_STORAGE_ADDED_DELETED] = (struct optable_sstore){warm, write};
        s[OPTABLE_STORAGE_MODIFIED_RESTORED] = (struct optable_sstore){warm, write};
        return;
    }
    int32_t set = 20000;
    int32_t reset = f >= FORK_BERLIN ? 5000 - 2100 : 5000; /* EIP-2929: less the cold SLOAD */
    int32_t clear = f >= FORK_LONDON ? 4800 : 15000;       /* EIP-3529 */
    s[OPTABLE_STORAGE_ASSIGNED] = (struct optable_sstore){warm, 0};
    s[OPTABLE_STORAGE_ADDED] = (struct optable_sstore){set, 0};
    s[OPTABLE_STORAGE_DELETED] = (struct optable_sstore){reset, clear};
    s[OPTABLE_STORAGE_MODIFIED] = (struct optable_sstore){reset, 0};
    s[OPTABLE_STORAGE_DELETED_ADDED] = (struct optable_sstore){warm, -clear};
    s[OPTABLE_STORAGE_MODIFIED_DELETED] = (struct optable_sstore){warm, clear};
    s[OPTABLE_STORAGE_DELETED_RESTORED] = (struct optable_sstore){warm, reset - warm - clear};
    s[OPTABLE_STORAGE_ADDED_DELETED] = (struct optable_sstore){warm, set - warm};
    s[OPTABLE_STORAGE_MODIFIED_RESTORED] = (struct optable_sstore){warm, reset - warm};
}

static void def(struct optable *t, int op, int gas, int req, int grow)
{
    t->defined[op] = true;
    t->gas[op] = (int16_t)gas;
    t->stack_req[op] = (uint8_t)req;
    t->stack_grow[op] = (int8_t)grow;
}

/* The Amsterdam EIP (fork.h) that brings opcode op. */
static unsigned amsterdam_opcode_eip(int op)
{
    switch (op) {
    case OP_SLOTNUM:
        return EIP_7843;
    case OP_DUPN:
    case OP_SWAPN:
    case OP_EXCHANGE:
        return EIP_8024;
    default:
        assert(!"opcodes.def: an Amsterdam opcode without its EIP");
        return 0;
    }
}

/* Whether fork f defines opcode op, new in fork `since`. */
static bool defined_in(enum fork f, int op, enum fork since)
{
    if (since == FORK_AMSTERDAM)
        return fork_eip(f, amsterdam_opcode_eip(op));
    return f >= since;
}

static void build(enum fork f, struct optable *t)
{
    memset(t, 0, sizeof *t);
    /* One def per listed opcode, its arguments constants (the repriced
     * gas an index by era), so building all forks' tables stays cheap. */
#define OPCODE(name, value, req, grow, gas, since, host)                                              \
    if (defined_in(f, value, since))                                                                   \
        def(t, value, (gas) == OPTABLE_GAS_BY_FORK ? repriced_gas(f, value) : (gas), req, grow);
#include "opcodes.def"
    /* CREATE_ACCESS: ACCOUNT_WRITE + a cold account (EIP-8038), or + a
     * cold slot (EIP-8037 alone); the new account itself is state gas */
    if (fork_eip(f, EIP_8038))
        t->gas[OP_CREATE] = t->gas[OP_CREATE2] = 12000;
    else if (fork_eip(f, EIP_8037))
        t->gas[OP_CREATE] = t->gas[OP_CREATE2] = 11000;
    build_sstore(f, t);
}

static void build_all(void)
{
    for (int f = 0; f < FORK__COUNT; f++)
    {
        build((enum fork)f, &tables[f]);
        optable_seal(&tables[f]);
    }
}

const struct optable *optable_get(enum fork fork)
{
    pthread_once(&tables_once, build_all);
    return &tables[fork];
}
