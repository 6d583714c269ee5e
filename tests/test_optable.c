/* test_optable.c — the one opcode list (opcodes.def) has no repeats; the
 * per-fork opcode tables agree with the constant stack shapes and static
 * gas the threaded interpreter folds into its handlers, and with known
 * values per fork; the sealed fast check encodes exactly
 * req <= height <= limit - grow; SSTORE's per-fork costs and refunds are
 * the EIPs' numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../src/evm/optable.h"

static void test_shapes_match_every_fork(void **state)
{
    (void)state;
    for (int f = 0; f < FORK__COUNT; f++) {
        const struct optable *t = optable_get((enum fork)f);
        for (int op = 0; op < 256; op++) {
            if (!t->defined[op])
                continue;
            assert_int_equal(t->stack_req[op], optable_shapes[op].req);
            assert_int_equal(t->stack_grow[op], optable_shapes[op].grow);
            if (optable_static_gas[op] != OPTABLE_GAS_BY_FORK)
                assert_int_equal(t->gas[op], optable_static_gas[op]);
        }
    }
}

/* The fast range test admits a height exactly when the slow checks would. */
static void test_check_range_is_exact(void **state)
{
    (void)state;
    for (int f = 0; f < FORK__COUNT; f++) {
        const struct optable *t = optable_get((enum fork)f);
        for (int op = 0; op < 256; op++) {
            const struct optable_check *c = &t->check[op];
            assert_int_equal(c->gas, t->gas[op]);
            for (int h = 0; h <= OPTABLE_STACK_LIMIT; h++) {
                int64_t bytes = (int64_t)h * OPTABLE_ITEM_BYTES;
                bool fast = (uint64_t)(bytes - c->stack_min) <= (uint64_t)c->stack_span;
                bool slow = t->defined[op] && h >= t->stack_req[op] && h + t->stack_grow[op] <= OPTABLE_STACK_LIMIT;
                assert_int_equal(fast, slow);
            }
        }
    }
}

/* Every byte and every name at most once in opcodes.def; a repriced
 * opcode (OPTABLE_GAS_BY_FORK) has exactly one OPCODE_FORK_GAS line, and
 * only a repriced one has any. */
static void test_list_has_no_duplicates(void **state)
{
    (void)state;
    static const struct {
        int value;
        const char *name;
        int gas;
    } list[] = {
#define OPCODE(name, value, req, grow, gas, since, host) {value, #name, gas},
#include "../src/evm/opcodes.def"
    };
    static const char *const repriced[] = {
#define OPCODE_FORK_GAS(name, frontier, tangerine, istanbul, berlin) #name,
#include "../src/evm/opcodes.def"
    };
    size_t n = sizeof list / sizeof list[0], r = sizeof repriced / sizeof repriced[0];
    assert_int_equal(n, 154); /* 150, and Amsterdam's SLOTNUM, DUPN, SWAPN, EXCHANGE */
    for (size_t i = 0; i < n; i++) {
        assert_true(list[i].value >= 0 && list[i].value <= 255);
        if (i > 0) /* in byte order, so no byte twice */
            assert_true(list[i].value > list[i - 1].value);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(list[i].name, list[k].name);
        assert_string_equal(optable_name((uint8_t)list[i].value), list[i].name);
        size_t lines = 0;
        for (size_t k = 0; k < r; k++)
            lines += strcmp(repriced[k], list[i].name) == 0;
        assert_int_equal(lines, list[i].gas == OPTABLE_GAS_BY_FORK ? 1 : 0);
    }
    int named = 0;
    for (int op = 0; op < 256; op++)
        named += optable_name((uint8_t)op) != NULL;
    assert_int_equal(named, (int)n);
}

static int gas_in(enum fork f, enum opcode op)
{
    const struct optable *t = optable_get(f);
    assert_true(t->defined[op]);
    return t->gas[op];
}

static bool defined_in(enum fork f, enum opcode op)
{
    return optable_get(f)->defined[op];
}

/* Known values: the repricings (EIP-150, EIP-1884, EIP-2929), the forks
 * that introduced opcodes, a few shapes and names. */
static void test_spot_values(void **state)
{
    (void)state;
    /* SLOAD: 50, EIP-150 200, EIP-1884 800, EIP-2929 warm 100 */
    assert_int_equal(gas_in(FORK_FRONTIER, OP_SLOAD), 50);
    assert_int_equal(gas_in(FORK_HOMESTEAD, OP_SLOAD), 50);
    assert_int_equal(gas_in(FORK_TANGERINE, OP_SLOAD), 200);
    assert_int_equal(gas_in(FORK_PETERSBURG, OP_SLOAD), 200);
    assert_int_equal(gas_in(FORK_ISTANBUL, OP_SLOAD), 800);
    assert_int_equal(gas_in(FORK_BERLIN, OP_SLOAD), 100);
    assert_int_equal(gas_in(FORK_OSAKA, OP_SLOAD), 100);
    assert_int_equal(gas_in(FORK_FRONTIER, OP_BALANCE), 20);
    assert_int_equal(gas_in(FORK_SPURIOUS, OP_BALANCE), 400);
    assert_int_equal(gas_in(FORK_ISTANBUL, OP_BALANCE), 700);
    assert_int_equal(gas_in(FORK_LONDON, OP_BALANCE), 100);
    assert_int_equal(gas_in(FORK_FRONTIER, OP_EXTCODECOPY), 20);
    assert_int_equal(gas_in(FORK_TANGERINE, OP_EXTCODESIZE), 700);
    assert_int_equal(gas_in(FORK_BERLIN, OP_EXTCODESIZE), 100);
    assert_int_equal(gas_in(FORK_FRONTIER, OP_CALL), 40);
    assert_int_equal(gas_in(FORK_HOMESTEAD, OP_DELEGATECALL), 40);
    assert_int_equal(gas_in(FORK_BYZANTIUM, OP_STATICCALL), 700);
    assert_int_equal(gas_in(FORK_CANCUN, OP_CALLCODE), 100);
    assert_int_equal(gas_in(FORK_FRONTIER, OP_SELFDESTRUCT), 0);
    assert_int_equal(gas_in(FORK_TANGERINE, OP_SELFDESTRUCT), 5000);
    assert_int_equal(gas_in(FORK_PRAGUE, OP_SELFDESTRUCT), 5000);
    /* EXTCODEHASH: EIP-1052 (Constantinople) 400, EIP-1884 700, EIP-2929 100 */
    assert_false(defined_in(FORK_BYZANTIUM, OP_EXTCODEHASH));
    assert_int_equal(gas_in(FORK_CONSTANTINOPLE, OP_EXTCODEHASH), 400);
    assert_int_equal(gas_in(FORK_PETERSBURG, OP_EXTCODEHASH), 400);
    assert_int_equal(gas_in(FORK_ISTANBUL, OP_EXTCODEHASH), 700);
    assert_int_equal(gas_in(FORK_BERLIN, OP_EXTCODEHASH), 100);
    /* unchanged ones */
    assert_int_equal(gas_in(FORK_FRONTIER, OP_ADD), 3);
    assert_int_equal(gas_in(FORK_CANCUN, OP_KECCAK256), 30);
    assert_int_equal(gas_in(FORK_OSAKA, OP_CREATE), 32000);
    assert_int_equal(gas_in(FORK_FRONTIER, OP_LOG4), 1875);
    assert_int_equal(gas_in(FORK_LONDON, OP_SSTORE), 0);

    /* Introductions */
    assert_false(defined_in(FORK_FRONTIER, OP_DELEGATECALL));
    assert_true(defined_in(FORK_HOMESTEAD, OP_DELEGATECALL));
    assert_false(defined_in(FORK_SPURIOUS, OP_REVERT));
    assert_true(defined_in(FORK_BYZANTIUM, OP_REVERT));
    assert_true(defined_in(FORK_BYZANTIUM, OP_RETURNDATACOPY));
    assert_false(defined_in(FORK_BYZANTIUM, OP_SHL));
    assert_true(defined_in(FORK_CONSTANTINOPLE, OP_CREATE2));
    assert_false(defined_in(FORK_BYZANTIUM, OP_SAR));
    assert_false(defined_in(FORK_PETERSBURG, OP_CHAINID));
    assert_true(defined_in(FORK_ISTANBUL, OP_SELFBALANCE));
    assert_false(defined_in(FORK_BERLIN, OP_BASEFEE));
    assert_true(defined_in(FORK_LONDON, OP_BASEFEE));
    assert_false(defined_in(FORK_PARIS, OP_PUSH0)); /* EIP-3855 */
    assert_int_equal(gas_in(FORK_SHANGHAI, OP_PUSH0), 2);
    static const enum opcode cancun[] = {OP_TLOAD, OP_TSTORE, OP_MCOPY, OP_BLOBHASH, OP_BLOBBASEFEE};
    for (size_t i = 0; i < sizeof cancun / sizeof cancun[0]; i++) {
        assert_false(defined_in(FORK_SHANGHAI, cancun[i]));
        assert_true(defined_in(FORK_CANCUN, cancun[i]));
        assert_true(defined_in(FORK_OSAKA, cancun[i]));
    }
    assert_int_equal(gas_in(FORK_CANCUN, OP_TLOAD), 100);
    assert_int_equal(gas_in(FORK_CANCUN, OP_MCOPY), 3);
    assert_false(defined_in(FORK_PRAGUE, OP_CLZ)); /* EIP-7939 */
    assert_int_equal(gas_in(FORK_OSAKA, OP_CLZ), 5);
    assert_int_equal(gas_in(FORK_BPO2, OP_CLZ), 5);
    /* Amsterdam's (with every one of its EIPs, the default selection) */
    static const int amsterdam[] = {OP_SLOTNUM, OP_DUPN, OP_SWAPN, OP_EXCHANGE};
    for (size_t i = 0; i < sizeof amsterdam / sizeof amsterdam[0]; i++) {
        assert_false(defined_in(FORK_BPO2, amsterdam[i]));
        assert_true(defined_in(FORK_AMSTERDAM, amsterdam[i]));
    }
    assert_int_equal(gas_in(FORK_AMSTERDAM, OP_SLOTNUM), 2);
    assert_int_equal(gas_in(FORK_AMSTERDAM, OP_DUPN), 3);
    for (int f = 0; f < FORK__COUNT; f++) {
        assert_false(defined_in((enum fork)f, OP_INVALID));
        assert_false(defined_in((enum fork)f, 0x0c));
        assert_false(defined_in((enum fork)f, 0xef));
    }

    /* Shapes */
    assert_int_equal(optable_shapes[OP_DUP16].req, 16);
    assert_int_equal(optable_shapes[OP_DUP16].grow, 1);
    assert_int_equal(optable_shapes[OP_SWAP16].req, 17);
    assert_int_equal(optable_shapes[OP_SWAP16].grow, 0);
    assert_int_equal(optable_shapes[OP_CALL].req, 7);
    assert_int_equal(optable_shapes[OP_CALL].grow, -6);
    assert_int_equal(optable_shapes[OP_CREATE2].req, 4);
    assert_int_equal(optable_shapes[OP_CREATE2].grow, -3);
    assert_int_equal(optable_shapes[OP_LOG4].req, 6);
    assert_int_equal(optable_shapes[OP_LOG4].grow, -6);
    assert_int_equal(optable_shapes[OP_PUSH32].req, 0);
    assert_int_equal(optable_shapes[OP_PUSH32].grow, 1);

    /* Names and values */
    assert_int_equal(OP_KECCAK256, 0x20);
    assert_int_equal(OP_PUSH1, 0x60);
    assert_int_equal(OP_SELFDESTRUCT, 0xff);
    assert_string_equal(optable_name(0x20), "KECCAK256");
    assert_string_equal(optable_name(0x44), "DIFFICULTY");
    assert_string_equal(optable_name(0x7f), "PUSH32");
    assert_string_equal(optable_name(0x9f), "SWAP16");
    assert_string_equal(optable_name(0xfe), "INVALID");
    assert_null(optable_name(0x0c));
    assert_null(optable_name(0xef));
}

static void expect_sstore(enum fork f, enum optable_storage_status st, int cost, int refund)
{
    const struct optable_sstore *s = &optable_get(f)->sstore[st];
    assert_int_equal(s->cost, cost);
    assert_int_equal(s->refund, refund);
}

/* SSTORE per fork: Frontier (and Petersburg), EIP-1283 (Constantinople),
 * EIP-2200 (Istanbul), EIP-2929 (Berlin), EIP-3529 (London). */
static void test_sstore_rule(void **state)
{
    (void)state;
    static const enum fork plain[] = {FORK_FRONTIER, FORK_TANGERINE, FORK_BYZANTIUM, FORK_PETERSBURG};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        enum fork f = plain[i];
        expect_sstore(f, OPTABLE_STORAGE_ASSIGNED, 5000, 0);
        expect_sstore(f, OPTABLE_STORAGE_ADDED, 20000, 0);
        expect_sstore(f, OPTABLE_STORAGE_DELETED, 5000, 15000);
        expect_sstore(f, OPTABLE_STORAGE_MODIFIED, 5000, 0);
        expect_sstore(f, OPTABLE_STORAGE_DELETED_ADDED, 20000, 0);
        expect_sstore(f, OPTABLE_STORAGE_MODIFIED_DELETED, 5000, 15000);
        expect_sstore(f, OPTABLE_STORAGE_DELETED_RESTORED, 20000, 0);
        expect_sstore(f, OPTABLE_STORAGE_ADDED_DELETED, 5000, 15000);
        expect_sstore(f, OPTABLE_STORAGE_MODIFIED_RESTORED, 5000, 0);
    }
    /* EIP-1283: dirty and no-op stores 200 */
    expect_sstore(FORK_CONSTANTINOPLE, OPTABLE_STORAGE_ASSIGNED, 200, 0);
    expect_sstore(FORK_CONSTANTINOPLE, OPTABLE_STORAGE_ADDED, 20000, 0);
    expect_sstore(FORK_CONSTANTINOPLE, OPTABLE_STORAGE_DELETED, 5000, 15000);
    expect_sstore(FORK_CONSTANTINOPLE, OPTABLE_STORAGE_DELETED_ADDED, 200, -15000);
    expect_sstore(FORK_CONSTANTINOPLE, OPTABLE_STORAGE_ADDED_DELETED, 200, 19800);
    expect_sstore(FORK_CONSTANTINOPLE, OPTABLE_STORAGE_MODIFIED_RESTORED, 200, 4800);
    /* EIP-2200: SLOAD_GAS 800 (EIP-1884) */
    expect_sstore(FORK_ISTANBUL, OPTABLE_STORAGE_ASSIGNED, 800, 0);
    expect_sstore(FORK_ISTANBUL, OPTABLE_STORAGE_MODIFIED, 5000, 0);
    expect_sstore(FORK_ISTANBUL, OPTABLE_STORAGE_DELETED_RESTORED, 800, 5000 - 800 - 15000);
    expect_sstore(FORK_ISTANBUL, OPTABLE_STORAGE_ADDED_DELETED, 800, 19200);
    expect_sstore(FORK_ISTANBUL, OPTABLE_STORAGE_MODIFIED_RESTORED, 800, 4200);
    /* EIP-2929: warm 100, reset 5000 - 2100 */
    expect_sstore(FORK_BERLIN, OPTABLE_STORAGE_ASSIGNED, 100, 0);
    expect_sstore(FORK_BERLIN, OPTABLE_STORAGE_MODIFIED, 2900, 0);
    expect_sstore(FORK_BERLIN, OPTABLE_STORAGE_DELETED, 2900, 15000);
    expect_sstore(FORK_BERLIN, OPTABLE_STORAGE_ADDED_DELETED, 100, 19900);
    expect_sstore(FORK_BERLIN, OPTABLE_STORAGE_MODIFIED_RESTORED, 100, 2800);
    /* EIP-3529: clearing refunds 4800 */
    static const enum fork london_on[] = {FORK_LONDON, FORK_CANCUN, FORK_OSAKA, FORK_BPO2};
    for (size_t i = 0; i < sizeof london_on / sizeof london_on[0]; i++) {
        enum fork f = london_on[i];
        expect_sstore(f, OPTABLE_STORAGE_ASSIGNED, 100, 0);
        expect_sstore(f, OPTABLE_STORAGE_ADDED, 20000, 0);
        expect_sstore(f, OPTABLE_STORAGE_DELETED, 2900, 4800);
        expect_sstore(f, OPTABLE_STORAGE_MODIFIED, 2900, 0);
        expect_sstore(f, OPTABLE_STORAGE_DELETED_ADDED, 100, -4800);
        expect_sstore(f, OPTABLE_STORAGE_MODIFIED_DELETED, 100, 4800);
        expect_sstore(f, OPTABLE_STORAGE_DELETED_RESTORED, 100, 2900 - 100 - 4800);
        expect_sstore(f, OPTABLE_STORAGE_ADDED_DELETED, 100, 19900);
        expect_sstore(f, OPTABLE_STORAGE_MODIFIED_RESTORED, 100, 2800);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes_match_every_fork),
        cmocka_unit_test(test_check_range_is_exact),
        cmocka_unit_test(test_list_has_no_duplicates),
        cmocka_unit_test(test_spot_values),
        cmocka_unit_test(test_sstore_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
