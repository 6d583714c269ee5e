/* test_optable.c — the per-fork opcode tables agree with the constant
 * stack shapes and static gas the threaded interpreter folds into its
 * handlers, and the sealed fast check encodes exactly
 * req <= height <= limit - grow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes_match_every_fork),
        cmocka_unit_test(test_check_range_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
