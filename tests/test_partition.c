/*
 * partition: the optimistic partitioned pass (partition.h) on small
 * blocks built here. partition_plausible refuses a block whose sender
 * would sit on both sides of a cut; partition_execute keeps every
 * transaction when no run read what an earlier run wrote (dependencies
 * inside a run are fine), and otherwise keeps exactly those below the
 * first transaction that did, zeroing the rest. Kept outputs equal
 * sequential execution: per-transaction results, and the post-state
 * their write sets give when applied in order; deps name the lower
 * transactions read; one incarnation each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../src/chain/transition.h"
#include "../src/exec/parallel.h"
#include "../src/exec/partition.h"
#include "../src/state/world.h"

static const int thread_counts[] = {2, 3, 4, 8};
#define THREAD_COUNTS (sizeof thread_counts / sizeof thread_counts[0])

static address addr_of(uint32_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = 0xbb;
    a.bytes[18] = (uint8_t)(n >> 8);
    a.bytes[19] = (uint8_t)n;
    return a;
}

static void fund(struct world *w, const address *a, uint64_t wei)
{
    struct world_account *acct = world_get_or_create(w, a);
    assert_non_null(acct);
    acct->balance = u256_from_u64(wei);
}

static struct tx transfer(const address *from, uint64_t nonce, const address *to, uint64_t value,
                          uint64_t gas)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.type = 2;
    t.chain_id = 1;
    t.nonce = nonce;
    t.max_fee_per_gas = u256_from_u64(20);
    t.max_priority_fee_per_gas = u256_from_u64(2);
    t.gas_price = t.max_fee_per_gas;
    t.gas_limit = gas;
    t.has_to = true;
    t.to = *to;
    t.value = u256_from_u64(value);
    t.has_sender = true;
    t.sender = *from;
    return t;
}

static void make_env(struct block_env *env)
{
    memset(env, 0, sizeof *env);
    env->fork = FORK_CANCUN;
    env->chain_id = 1;
    env->coinbase = addr_of(0xc0);
    env->number = 20000000;
    env->timestamp = 1720000000;
    env->gas_limit = 1000000000;
    env->base_fee = u256_from_u64(7);
}

/* n transfers, sender 100 + i to recipient 200 + i, every sender funded. */
#define N 8
static void independent_block(struct world *pre, struct tx *txs)
{
    world_init(pre);
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(100 + i), to = addr_of(200 + i);
        fund(pre, &from, 1000000000ull);
        txs[i] = transfer(&from, 0, &to, 1000 + i, 21000);
    }
}

/* Sequential reference: results and post-state root. */
struct reference {
    struct tx_result results[N];
    hash32 root;
};

static void run_sequential(const struct block_env *env, const struct world *pre, const struct tx *txs,
                           size_t n, struct reference *ref)
{
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    memset(ref->results, 0, sizeof ref->results);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(transition_apply_world(env, &w, &txs[i], 0, &ref->results[i]), PAREVM_OK);
    assert_int_equal(world_state_root(&w, &ref->root), PAREVM_OK);
    world_free(&w);
}

static void reference_free(struct reference *ref, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tx_result_free(&ref->results[i]);
}

static bool output_is_zero(const struct par_tx_output *o)
{
    static const struct par_tx_output zero;
    return memcmp(o, &zero, offsetof(struct par_tx_output, bloom)) == 0;
}

/* Run the pass at `threads`; check that it kept `expect_kept`, that those
 * outputs equal the reference (and, when all were kept, that their write
 * sets give its post-state), and that the rest is zeroed. */
static void check_pass(const struct block_env *env, const struct world *pre, const struct tx *txs, size_t n,
                       int threads, const struct reference *ref, size_t expect_kept)
{
    struct par_tx_output out[N];
    memset(out, 0, sizeof out);
    struct par_stats stats;
    size_t kept = 12345;
    assert_int_equal(partition_execute(env, pre, txs, n, threads, out, &stats, &kept, NULL, NULL), PAREVM_OK);
    assert_int_equal(kept, expect_kept);
    assert_int_equal(stats.executions, n);
    assert_true(stats.threads >= 1 && stats.threads <= threads);
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    for (size_t i = 0; i < kept; i++) {
        assert_int_equal(out[i].internal_err, PAREVM_OK);
        assert_int_equal(out[i].result.error, ref->results[i].error);
        assert_int_equal(out[i].result.status, ref->results[i].status);
        assert_int_equal(out[i].result.gas_used, ref->results[i].gas_used);
        assert_int_equal(out[i].result.log_count, ref->results[i].log_count);
        assert_int_equal(out[i].incarnations, 1);
        for (size_t k = 0; k < out[i].dep_count; k++) {
            assert_true(out[i].deps[k] < i);
            assert_true(k == 0 || out[i].deps[k - 1] < out[i].deps[k]);
        }
        assert_int_equal(write_set_apply(&out[i].ws, &w), PAREVM_OK);
    }
    if (kept == n) {
        hash32 root;
        assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
        assert_true(hash32_eq(&root, &ref->root));
    }
    for (size_t i = kept; i < n; i++)
        assert_true(output_is_zero(&out[i]));
    world_free(&w);
    par_output_free(out, n);
}

/* ---- tests ---- */

static void test_plausible(void **state)
{
    (void)state;
    struct world pre;
    struct tx txs[N];
    independent_block(&pre, txs);
    for (size_t t = 0; t < THREAD_COUNTS; t++)
        assert_true(partition_plausible(txs, N, thread_counts[t]));
    /* One run, or one transaction: nothing to partition. */
    assert_false(partition_plausible(txs, N, 1));
    assert_false(partition_plausible(txs, 1, 4));

    /* Sender of tx 0 also sends tx 1: runs cut before 1 fail, others hold. */
    address s0 = txs[0].sender;
    txs[1] = transfer(&s0, 1, &txs[1].to, 5, 21000);
    assert_true(partition_plausible(txs, N, 2));  /* cut at 4 */
    assert_true(partition_plausible(txs, N, 4));  /* cuts at 2, 4, 6 */
    assert_false(partition_plausible(txs, N, 8)); /* cut at 1 */

    world_free(&pre);

    /* Sender of tx 1 again at tx 6: every cut between 1 and 6 fails. */
    independent_block(&pre, txs);
    world_free(&pre);
    address s1 = txs[1].sender;
    txs[6] = transfer(&s1, 1, &txs[6].to, 5, 21000);
    assert_false(partition_plausible(txs, N, 2));
    assert_false(partition_plausible(txs, N, 4));

    /* A recipient on both sides is no sender: still plausible. */
    independent_block(&pre, txs);
    world_free(&pre);
    txs[6].to = txs[1].to;
    assert_true(partition_plausible(txs, N, 2));
}

static void test_independent_block_holds(void **state)
{
    (void)state;
    struct block_env env;
    make_env(&env);
    struct world pre;
    struct tx txs[N];
    independent_block(&pre, txs);
    struct reference ref;
    run_sequential(&env, &pre, txs, N, &ref);
    for (size_t t = 0; t < THREAD_COUNTS; t++)
        check_pass(&env, &pre, txs, N, thread_counts[t], &ref, N);
    /* One thread: a single run, sequential execution in effect. */
    check_pass(&env, &pre, txs, N, 1, &ref, N);
    reference_free(&ref, N);
    world_free(&pre);
}

/* Inside one run a transaction may read what an earlier one of the same
 * run wrote: tx 1 is the second transaction of tx 0's sender (a run is
 * never cut between two transactions of one sender, steals included). */
static void test_dependency_inside_a_run(void **state)
{
    (void)state;
    struct block_env env;
    make_env(&env);
    struct world pre;
    struct tx txs[N];
    independent_block(&pre, txs);
    address s0 = txs[0].sender;
    txs[1] = transfer(&s0, 1, &txs[1].to, 5, 21000);
    struct reference ref;
    run_sequential(&env, &pre, txs, N, &ref);
    assert_int_equal(ref.results[1].error, TXERR_NONE);
    for (int threads = 2; threads <= 4; threads += 2) {
        assert_true(partition_plausible(txs, N, threads));
        struct par_tx_output out[N];
        memset(out, 0, sizeof out);
        size_t kept = 0;
        assert_int_equal(partition_execute(&env, &pre, txs, N, threads, out, NULL, &kept, NULL, NULL), PAREVM_OK);
        assert_int_equal(kept, N);
        assert_int_equal(out[1].dep_count, 1);
        assert_int_equal(out[1].deps[0], 0);
        for (size_t i = 2; i < N; i++)
            assert_int_equal(out[i].dep_count, 0);
        par_output_free(out, N);
        check_pass(&env, &pre, txs, N, threads, &ref, N);
    }
    reference_free(&ref, N);
    world_free(&pre);
}

/* A later run reads what an earlier run wrote: tx 6 spends from the
 * account tx 1 paid (a blind credit in run 0; run 1 read the pre-block
 * balance). Everything below 6 is kept, 6 and above are not. */
static void test_cross_run_read_is_cut(void **state)
{
    (void)state;
    struct block_env env;
    make_env(&env);
    struct world pre;
    struct tx txs[N];
    independent_block(&pre, txs);
    address payee = txs[6].sender;
    txs[1].to = payee;
    struct reference ref;
    run_sequential(&env, &pre, txs, N, &ref);
    /* At 2 threads the runs are [0, 4) and [4, 8) (steals only split a
     * run further: 1 and 6 stay in different runs at any count). */
    for (size_t t = 0; t < THREAD_COUNTS; t++)
        check_pass(&env, &pre, txs, N, thread_counts[t], &ref, 6);
    /* In one run nothing crosses a run. */
    check_pass(&env, &pre, txs, N, 1, &ref, N);
    reference_free(&ref, N);
    world_free(&pre);
}

static void set_code(struct world *w, const address *a, const uint8_t *code, size_t len)
{
    struct world_account *acct = world_get_or_create(w, a);
    assert_non_null(acct);
    struct code *c = code_new(code, len);
    world_set_code(acct, c);
    code_release(c);
    acct->nonce = 1;
}

/* Storage: tx 0 and tx 6 (in different runs at every thread count)
 * call one contract. When it only reads its slot 0, a location read by
 * two runs and written by none, the pass holds; when it increments it,
 * tx 6 read the pre-block value of a slot tx 0 wrote, and the pass keeps
 * 0..5. */
static void test_storage_conflict(void **state)
{
    (void)state;
    /* PUSH1 0 SLOAD STOP */
    static const uint8_t reader[] = {0x60, 0x00, 0x54, 0x00};
    /* PUSH1 0 SLOAD PUSH1 1 ADD PUSH1 0 SSTORE STOP */
    static const uint8_t counter[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    struct block_env env;
    make_env(&env);
    struct world pre;
    struct tx txs[N];
    independent_block(&pre, txs);
    address reading = addr_of(0x300), counting = addr_of(0x301);
    set_code(&pre, &reading, reader, sizeof reader);
    set_code(&pre, &counting, counter, sizeof counter);
    struct reference ref;
    for (int writes = 0; writes < 2; writes++) {
        for (size_t i = 0; i < N; i += 6) {
            txs[i].to = writes ? counting : reading;
            txs[i].value = u256_zero();
            txs[i].gas_limit = 100000;
        }
        run_sequential(&env, &pre, txs, N, &ref);
        assert_int_equal(ref.results[0].status, TX_STATUS_SUCCESS);
        assert_int_equal(ref.results[6].status, TX_STATUS_SUCCESS);
        for (size_t t = 0; t < THREAD_COUNTS; t++)
            check_pass(&env, &pre, txs, N, thread_counts[t], &ref, writes ? 6 : N);
        check_pass(&env, &pre, txs, N, 1, &ref, N);
        reference_free(&ref, N);
    }
    world_free(&pre);
}

/* An invalid transaction (nonce too high) is an output like any other:
 * the same error as sequential validation, no writes, and the pass holds. */
static void test_invalid_transaction_kept(void **state)
{
    (void)state;
    struct block_env env;
    make_env(&env);
    struct world pre;
    struct tx txs[N];
    independent_block(&pre, txs);
    txs[5].nonce = 9;
    struct reference ref;
    run_sequential(&env, &pre, txs, N, &ref);
    assert_int_not_equal(ref.results[5].error, TXERR_NONE);
    for (size_t t = 0; t < THREAD_COUNTS; t++)
        check_pass(&env, &pre, txs, N, thread_counts[t], &ref, N);
    reference_free(&ref, N);
    world_free(&pre);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plausible),
        cmocka_unit_test(test_independent_block_holds),
        cmocka_unit_test(test_dependency_inside_a_run),
        cmocka_unit_test(test_cross_run_read_is_cut),
        cmocka_unit_test(test_storage_conflict),
        cmocka_unit_test(test_invalid_transaction_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
