/*
 * The EVM's recursion and the C stack (src/base/deep_stack.h): a
 * transaction 1024 calls deep needs no more stack than deep_stack_need
 * says, and runs correctly from a host thread with a 1 MiB stack
 * (sequentially and through Block-STM at 64 threads), where it used to
 * overflow that thread's stack.
 */
/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../src/base/deep_stack.h"
#include "../src/chain/transition.h"
#include "../src/exec/parallel.h"
#include "../src/state/code.h"
#include "../src/state/world.h"

#define DEEP_TXS 8
/* Enough gas for a 63/64-per-call chain to reach depth 1024. */
#define DEEP_GAS 1000000000000ull

static address addr_of(uint32_t tag, uint32_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = (uint8_t)tag;
    a.bytes[18] = (uint8_t)(n >> 8);
    a.bytes[19] = (uint8_t)n;
    return a;
}

/* Each frame adds 1 to slot 0, then calls itself with all the gas it may
 * pass on: the frame at depth 1024 still runs (its CALL fails for depth),
 * so slot 0 ends at 1025. */
static const uint8_t recurse_code[] = {
    0x5f, 0x54, 0x60, 0x01, 0x01, 0x5f, 0x55,       /* sstore(0, sload(0) + 1) */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x30, 0x5a, 0xf1, /* call(gas, address, 0, 0, 0, 0, 0) */
    0x00,
};

struct deep_block {
    struct block_env env;
    struct world pre;
    struct tx txs[DEEP_TXS];
};

static void deep_block_init(struct deep_block *d)
{
    memset(d, 0, sizeof *d);
    d->env.fork = FORK_CANCUN;
    d->env.chain_id = 1;
    d->env.coinbase = addr_of(0xc0, 1);
    d->env.number = 20000000;
    d->env.timestamp = 1720000000;
    d->env.gas_limit = DEEP_GAS * DEEP_TXS;
    d->env.base_fee = u256_from_u64(7);
    world_init(&d->pre);
    for (uint32_t i = 0; i < DEEP_TXS; i++) {
        address from = addr_of(0xaa, i), to = addr_of(0xcc, i);
        struct world_account *a = world_get_or_create(&d->pre, &from);
        assert_non_null(a);
        a->balance = u256_from_u64(DEEP_GAS * 30);
        a = world_get_or_create(&d->pre, &to);
        assert_non_null(a);
        struct code *c = code_new(recurse_code, sizeof recurse_code);
        world_set_code(a, c);
        code_release(c);
        a->nonce = 1;
        struct tx *t = &d->txs[i];
        t->type = 2;
        t->chain_id = 1;
        t->max_fee_per_gas = u256_from_u64(20);
        t->max_priority_fee_per_gas = u256_from_u64(2);
        t->gas_price = t->max_fee_per_gas;
        t->gas_limit = DEEP_GAS;
        t->has_to = true;
        t->to = to;
        t->has_sender = true;
        t->sender = from;
    }
}

static uint64_t slot0(const struct world *w, uint32_t i)
{
    address to = addr_of(0xcc, i);
    struct world_account *a = world_get(w, &to);
    assert_non_null(a);
    u256 key = u256_zero();
    u256 v = world_get_storage(a, &key);
    return v.w[0];
}

/* What a thread runs: every transaction, sequentially (mode 0) or through
 * parallel_execute at 64 threads (mode 1); gas used per transaction and
 * slot 0 of each contract after. */
struct deep_run {
    struct deep_block *d;
    int mode;
    int err;
    uint64_t gas[DEEP_TXS];
    uint64_t depth[DEEP_TXS];
};

static void *deep_run_thread(void *p)
{
    struct deep_run *r = p;
    struct world w;
    r->err = world_clone(&r->d->pre, &w);
    if (r->err)
        return NULL;
    if (r->mode == 0) {
        uint64_t used = 0;
        for (uint32_t i = 0; i < DEEP_TXS && !r->err; i++) {
            struct tx_result res;
            r->err = transition_apply_world(&r->d->env, &w, &r->d->txs[i], used, &res);
            if (!r->err && (res.error != TXERR_NONE || res.status != TX_STATUS_SUCCESS))
                r->err = -1;
            r->gas[i] = res.gas_used;
            used += res.gas_used;
            tx_result_free(&res);
        }
    } else {
        struct par_tx_output out[DEEP_TXS];
        memset(out, 0, sizeof out);
        r->err = parallel_execute(&r->d->env, &r->d->pre, r->d->txs, DEEP_TXS, 64, out, NULL);
        for (uint32_t i = 0; i < DEEP_TXS && !r->err; i++) {
            if (out[i].internal_err || out[i].result.error != TXERR_NONE)
                r->err = -1;
            else
                r->err = write_set_apply(&out[i].ws, &w);
            r->gas[i] = out[i].result.gas_used;
        }
        par_output_free(out, DEEP_TXS);
    }
    for (uint32_t i = 0; i < DEEP_TXS && !r->err; i++)
        r->depth[i] = slot0(&w, i);
    world_free(&w);
    return NULL;
}

/* Run r on a thread whose stack is `size` bytes at `stack` (painted with
 * 0xa5 first) or, with stack NULL, a default one of that size. */
static void run_on_thread(struct deep_run *r, void *stack, size_t size)
{
    pthread_attr_t attr;
    pthread_t tid;
    assert_int_equal(pthread_attr_init(&attr), 0);
    if (stack) {
        memset(stack, 0xa5, size);
        assert_int_equal(pthread_attr_setstack(&attr, stack, size), 0);
    } else {
        assert_int_equal(pthread_attr_setstacksize(&attr, size), 0);
    }
    assert_int_equal(pthread_create(&tid, &attr, deep_run_thread, r), 0);
    pthread_join(tid, NULL);
    pthread_attr_destroy(&attr);
}

static struct deep_block block;
static struct deep_run reference;

/* The high-water mark of a 1024-deep transaction's stack, on a thread
 * with room to spare: under deep_stack_need(0), the size the workers and
 * deep_stack_run's threads are given. Printed: the figure behind
 * DEEP_STACK_PER_DEPTH. */
static void test_stack_per_depth(void **state)
{
    (void)state;
    deep_block_init(&block);
    size_t size = (size_t)256 << 20;
    uint8_t *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(stack != MAP_FAILED);
    reference = (struct deep_run){.d = &block, .mode = 0};
    run_on_thread(&reference, stack, size);
    assert_int_equal(reference.err, 0);
    for (uint32_t i = 0; i < DEEP_TXS; i++)
        assert_int_equal(reference.depth[i], 1025);
    size_t untouched = 0;
    while (untouched < size && stack[untouched] == 0xa5)
        untouched++;
    size_t used = size - untouched;
    munmap(stack, size);
    printf("stack for 1024-deep calls: %zu bytes (%zu per depth); need %zu, worker stacks %zu\n", used,
           used / 1025, deep_stack_need(0), deep_stack_size());
    assert_true(used < deep_stack_need(0));
}

static void check_small_thread(int mode)
{
    struct deep_run r = {.d = &block, .mode = mode};
    run_on_thread(&r, NULL, (size_t)1 << 20);
    assert_int_equal(r.err, 0);
    for (uint32_t i = 0; i < DEEP_TXS; i++) {
        assert_int_equal(r.depth[i], 1025);
        assert_int_equal(r.gas[i], reference.gas[i]);
    }
}

/* A host thread with a 1 MiB stack, sequentially. */
static void test_small_host_thread_sequential(void **state)
{
    (void)state;
    check_small_thread(0);
}

/* A host thread with a 1 MiB stack, Block-STM at 64 threads (the caller
 * runs transactions too): 1024-deep recursion everywhere. */
static void test_small_host_thread_parallel_64(void **state)
{
    (void)state;
    check_small_thread(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stack_per_depth),
        cmocka_unit_test(test_small_host_thread_sequential),
        cmocka_unit_test(test_small_host_thread_parallel_64),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    world_free(&block.pre);
    return rc;
}
