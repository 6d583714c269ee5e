/* optable.c — per-fork opcode availability and static gas, as data. */
#include "optable.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

static struct optable tables[FORK__COUNT];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void def(struct optable *t, int op, int gas, int req, int grow)
{
    assert(optable_shapes[op].req == req && optable_shapes[op].grow == grow);
    assert(optable_static_gas[op] == OPTABLE_GAS_BY_FORK || optable_static_gas[op] == gas);
    t->defined[op] = true;
    t->gas[op] = (int16_t)gas;
    t->stack_req[op] = (uint8_t)req;
    t->stack_grow[op] = (int8_t)grow;
}

_Static_assert((OPTABLE_STACK_LIMIT + 1) * OPTABLE_ITEM_BYTES <= UINT16_MAX, "optable_check bounds fit 16 bits");

void optable_seal(struct optable *t)
{
    for (int op = 0; op < 256; op++) {
        struct optable_check *c = &t->check[op];
        /* t->gas is int16_t and never negative (def stores static costs
         * only), so it fits the check's 16 bits. */
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

/* Fork-dependent static costs of state-reading opcodes. From Berlin the
 * warm cost (100) is static and the EIP-2929 cold surcharge is dynamic. */
static int cost_sload(enum fork f)
{
    if (f >= FORK_BERLIN)
        return 100;
    if (f >= FORK_ISTANBUL)
        return 800; /* EIP-1884 */
    if (f >= FORK_TANGERINE)
        return 200; /* EIP-150 */
    return 50;
}

static int cost_balance(enum fork f)
{
    if (f >= FORK_BERLIN)
        return 100;
    if (f >= FORK_ISTANBUL)
        return 700; /* EIP-1884 */
    if (f >= FORK_TANGERINE)
        return 400;
    return 20;
}

static int cost_extcode(enum fork f)
{
    if (f >= FORK_BERLIN)
        return 100;
    if (f >= FORK_TANGERINE)
        return 700;
    return 20;
}

static int cost_extcodehash(enum fork f)
{
    if (f >= FORK_BERLIN)
        return 100;
    if (f >= FORK_ISTANBUL)
        return 700; /* EIP-1884 */
    return 400;     /* EIP-1052 */
}

static int cost_call(enum fork f)
{
    if (f >= FORK_BERLIN)
        return 100;
    if (f >= FORK_TANGERINE)
        return 700;
    return 40;
}

static void build(enum fork f, struct optable *t)
{
    memset(t, 0, sizeof *t);
    def(t, 0x00, 0, 0, 0); /* STOP */
    def(t, 0x01, 3, 2, -1);
    def(t, 0x02, 5, 2, -1);
    def(t, 0x03, 3, 2, -1);
    def(t, 0x04, 5, 2, -1);
    def(t, 0x05, 5, 2, -1);
    def(t, 0x06, 5, 2, -1);
    def(t, 0x07, 5, 2, -1);
    def(t, 0x08, 8, 3, -2);
    def(t, 0x09, 8, 3, -2);
    def(t, 0x0a, 10, 2, -1); /* EXP: + per exponent byte */
    def(t, 0x0b, 5, 2, -1);
    for (int op = 0x10; op <= 0x14; op++)
        def(t, op, 3, 2, -1);
    def(t, 0x15, 3, 1, 0);  /* ISZERO */
    def(t, 0x16, 3, 2, -1);
    def(t, 0x17, 3, 2, -1);
    def(t, 0x18, 3, 2, -1);
    def(t, 0x19, 3, 1, 0);  /* NOT */
    def(t, 0x1a, 3, 2, -1); /* BYTE */
    if (f >= FORK_CONSTANTINOPLE) { /* EIP-145 */
        def(t, 0x1b, 3, 2, -1);
        def(t, 0x1c, 3, 2, -1);
        def(t, 0x1d, 3, 2, -1);
    }
    if (f >= FORK_OSAKA) /* EIP-7939: CLZ costs 5 (GAS_LOW, as MUL) */
        def(t, 0x1e, 5, 1, 0);
    def(t, 0x20, 30, 2, -1); /* SHA3 */
    def(t, 0x30, 2, 0, 1);
    def(t, 0x31, cost_balance(f), 1, 0);
    def(t, 0x32, 2, 0, 1);
    def(t, 0x33, 2, 0, 1);
    def(t, 0x34, 2, 0, 1);
    def(t, 0x35, 3, 1, 0);
    def(t, 0x36, 2, 0, 1);
    def(t, 0x37, 3, 3, -3);
    def(t, 0x38, 2, 0, 1);
    def(t, 0x39, 3, 3, -3);
    def(t, 0x3a, 2, 0, 1);
    def(t, 0x3b, cost_extcode(f), 1, 0);
    def(t, 0x3c, cost_extcode(f), 4, -4);
    if (f >= FORK_BYZANTIUM) { /* EIP-211 */
        def(t, 0x3d, 2, 0, 1);
        def(t, 0x3e, 3, 3, -3);
    }
    if (f >= FORK_CONSTANTINOPLE) /* EIP-1052 */
        def(t, 0x3f, cost_extcodehash(f), 1, 0);
    def(t, 0x40, 20, 1, 0); /* BLOCKHASH */
    for (int op = 0x41; op <= 0x45; op++)
        def(t, op, 2, 0, 1);
    if (f >= FORK_ISTANBUL) {
        def(t, 0x46, 2, 0, 1); /* CHAINID, EIP-1344 */
        def(t, 0x47, 5, 0, 1); /* SELFBALANCE, EIP-1884 */
    }
    if (f >= FORK_LONDON)
        def(t, 0x48, 2, 0, 1); /* BASEFEE, EIP-3198 */
    if (f >= FORK_CANCUN) {
        def(t, 0x49, 3, 1, 0); /* BLOBHASH, EIP-4844 */
        def(t, 0x4a, 2, 0, 1); /* BLOBBASEFEE, EIP-7516 */
    }
    def(t, 0x50, 2, 1, -1);
    def(t, 0x51, 3, 1, 0);
    def(t, 0x52, 3, 2, -2);
    def(t, 0x53, 3, 2, -2);
    def(t, 0x54, cost_sload(f), 1, 0);
    def(t, 0x55, 0, 2, -2); /* SSTORE: all dynamic */
    def(t, 0x56, 8, 1, -1);
    def(t, 0x57, 10, 2, -2);
    def(t, 0x58, 2, 0, 1);
    def(t, 0x59, 2, 0, 1);
    def(t, 0x5a, 2, 0, 1);
    def(t, 0x5b, 1, 0, 0);
    if (f >= FORK_CANCUN) {
        def(t, 0x5c, 100, 1, 0);  /* TLOAD, EIP-1153 */
        def(t, 0x5d, 100, 2, -2); /* TSTORE */
        def(t, 0x5e, 3, 3, -3);   /* MCOPY, EIP-5656 */
    }
    if (f >= FORK_SHANGHAI)
        def(t, 0x5f, 2, 0, 1); /* PUSH0, EIP-3855 */
    for (int op = 0x60; op <= 0x7f; op++)
        def(t, op, 3, 0, 1);
    for (int n = 1; n <= 16; n++) {
        def(t, 0x7f + n, 3, n, 1);     /* DUPn */
        def(t, 0x8f + n, 3, n + 1, 0); /* SWAPn */
    }
    for (int n = 0; n <= 4; n++)
        def(t, 0xa0 + n, 375 + 375 * n, 2 + n, -(2 + n));
    def(t, 0xf0, 32000, 3, -2);
    def(t, 0xf1, cost_call(f), 7, -6);
    def(t, 0xf2, cost_call(f), 7, -6);
    def(t, 0xf3, 0, 2, -2);
    if (f >= FORK_HOMESTEAD) /* EIP-7 */
        def(t, 0xf4, cost_call(f), 6, -5);
    if (f >= FORK_CONSTANTINOPLE) /* EIP-1014 */
        def(t, 0xf5, 32000, 4, -3);
    if (f >= FORK_BYZANTIUM) {
        def(t, 0xfa, cost_call(f), 6, -5); /* STATICCALL, EIP-214 */
        def(t, 0xfd, 0, 2, -2);            /* REVERT, EIP-140 */
    }
    def(t, 0xff, f >= FORK_TANGERINE ? 5000 : 0, 1, -1);
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
