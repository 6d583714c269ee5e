/*
 * Parallel execution must equal sequential execution, byte for byte, at
 * every thread count. Blocks here are built in memory: independent
 * transfers, transfers into one hot account (deltas), a fully serial
 * chain (each transaction spends what the previous one sent), a shared
 * storage counter (every transaction conflicts), and a contract that
 * self-destructs and is re-created inside the block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "../src/base/buf.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/chain/transition.h"
#include "../src/exec/exec.h"
#include "../src/exec/exec_env.h"
#include "../src/exec/guard.h"
#include "../src/exec/mvmemory.h"
#include "../src/exec/senders.h"
#include "../src/exec/parallel.h"
#include "../src/state/trie.h"
#include "../src/state/world.h"
#include "test_keys.h"

static const int thread_counts[] = {1, 2, 3, 4, 8, 16, 64};

static address addr_of(uint32_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = 0xaa;
    a.bytes[16] = (uint8_t)(n >> 24);
    a.bytes[17] = (uint8_t)(n >> 16);
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

static void set_code(struct world *w, const address *a, const uint8_t *code, size_t len)
{
    struct world_account *acct = world_get_or_create(w, a);
    struct code *c = code_new(code, len);
    world_set_code(acct, c);
    code_release(c);
    acct->nonce = 1;
}

static struct tx make_tx(const address *from, uint64_t nonce, const address *to, uint64_t value, uint64_t gas)
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
    t.has_to = to != NULL;
    if (to)
        t.to = *to;
    t.value = u256_from_u64(value);
    t.has_sender = true;
    t.sender = *from;
    return t;
}

static void make_env_fork(struct block_env *env, enum fork fork)
{
    memset(env, 0, sizeof *env);
    env->fork = fork;
    env->chain_id = 1;
    env->coinbase = addr_of(0xc0ffee);
    env->number = 20000000;
    env->timestamp = 1720000000;
    env->gas_limit = 1000000000;
    env->base_fee = u256_from_u64(7);
}

static void make_env(struct block_env *env)
{
    make_env_fork(env, FORK_CANCUN);
}

struct outcome {
    hash32 root;
    struct tx_result *results;
    size_t n;
};

static void outcome_free(struct outcome *o)
{
    for (size_t i = 0; i < o->n; i++)
        tx_result_free(&o->results[i]);
    free(o->results);
}

static void run_sequential(const struct block_env *env, const struct world *pre, const struct tx *txs, size_t n,
                           struct outcome *o)
{
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    o->n = n;
    o->results = calloc(n, sizeof *o->results);
    uint64_t used = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(transition_apply_world(env, &w, &txs[i], used, &o->results[i]), PAREVM_OK);
        used += o->results[i].gas_used;
    }
    assert_int_equal(world_state_root(&w, &o->root), PAREVM_OK);
    world_free(&w);
}

/* Block-STM at `threads`; with done > 0, it goes on from the first
 * `done` transactions' final outputs (par_options.done), taken from a
 * run at one thread. */
static void run_parallel_from(const struct block_env *env, const struct world *pre, const struct tx *txs,
                              size_t n, int threads, size_t done, struct outcome *o, struct par_stats *stats)
{
    struct par_tx_output *out = calloc(n, sizeof *out);
    if (done) {
        assert_int_equal(parallel_execute(env, pre, txs, n, 1, out, NULL), PAREVM_OK);
        par_output_free(out + done, n - done);
    }
    struct par_options opt = {.done = done};
    assert_int_equal(parallel_execute_ex(env, pre, txs, n, threads, out, stats, &opt), PAREVM_OK);
    for (size_t i = 0; i < done; i++)
        assert_int_equal(out[i].incarnations, 1); /* not run again */
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    o->n = n;
    o->results = calloc(n, sizeof *o->results);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].internal_err, PAREVM_OK);
        if (out[i].result.error == TXERR_NONE)
            assert_int_equal(write_set_apply(&out[i].ws, &w), PAREVM_OK);
        o->results[i] = out[i].result;
        memset(&out[i].result, 0, sizeof out[i].result);
    }
    par_output_free(out, n);
    free(out);
    assert_int_equal(world_state_root(&w, &o->root), PAREVM_OK);
    world_free(&w);
}

static void run_parallel(const struct block_env *env, const struct world *pre, const struct tx *txs, size_t n,
                         int threads, struct outcome *o, struct par_stats *stats)
{
    run_parallel_from(env, pre, txs, n, threads, 0, o, stats);
}

static void assert_same(const struct outcome *a, const struct outcome *b)
{
    assert_memory_equal(a->root.bytes, b->root.bytes, 32);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct tx_result *x = &a->results[i], *y = &b->results[i];
        assert_int_equal(x->error, y->error);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->gas_used, y->gas_used);
        assert_int_equal(x->log_count, y->log_count);
        for (size_t k = 0; k < x->log_count; k++) {
            assert_memory_equal(&x->logs[k].addr, &y->logs[k].addr, 20);
            assert_int_equal(x->logs[k].topic_count, y->logs[k].topic_count);
            assert_int_equal(x->logs[k].data_len, y->logs[k].data_len);
            if (x->logs[k].data_len)
                assert_memory_equal(x->logs[k].data, y->logs[k].data, x->logs[k].data_len);
        }
    }
}

/* expect_ok: how many transactions must be valid and succeed
 * sequentially (guards against a block that tests nothing). */
static void check_block_fork(const struct world *pre, const struct tx *txs, size_t n, int rounds, size_t expect_ok,
                             enum fork fork)
{
    struct block_env env;
    make_env_fork(&env, fork);
    struct outcome seq;
    run_sequential(&env, pre, txs, n, &seq);
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += seq.results[i].error == TXERR_NONE && seq.results[i].status == TX_STATUS_SUCCESS;
    assert_int_equal(ok, expect_ok);
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        for (int r = 0; r < rounds; r++) {
            struct outcome par;
            struct par_stats stats;
            run_parallel(&env, pre, txs, n, thread_counts[t], &par, &stats);
            assert_same(&seq, &par);
            assert_true(stats.executions >= n);
            outcome_free(&par);
        }
        /* Going on from a finished prefix (the partitioned pass's partial
         * hold): the dependencies across its end must resolve to its
         * writes, and it must be neither executed nor validated again. */
        const size_t dones[] = {1, n / 3, n / 2, n - 1, n};
        for (size_t d = 0; d < sizeof dones / sizeof *dones; d++) {
            struct outcome par;
            struct par_stats stats;
            run_parallel_from(&env, pre, txs, n, thread_counts[t], dones[d], &par, &stats);
            assert_same(&seq, &par);
            assert_true(stats.executions >= n - dones[d]);
            assert_true(stats.validations >= n - dones[d]);
            outcome_free(&par);
        }
    }
    outcome_free(&seq);
}

static void check_block(const struct world *pre, const struct tx *txs, size_t n, int rounds, size_t expect_ok)
{
    check_block_fork(pre, txs, n, rounds, expect_ok, FORK_CANCUN);
}

static int rounds(void)
{
    const char *s = getenv("PAREVM_STRESS_ROUNDS");
    return s ? atoi(s) : 2;
}

static void test_independent_transfers(void **state)
{
    (void)state;
    enum { N = 200 };
    struct world pre;
    world_init(&pre);
    struct tx txs[N];
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i), to = addr_of(100000 + i);
        fund(&pre, &from, 1000000000000ull);
        txs[i] = make_tx(&from, 0, &to, 1000 + i, 21000);
    }
    check_block(&pre, txs, N, rounds(), N);
    world_free(&pre);
}

static void test_hot_recipient_deltas(void **state)
{
    (void)state;
    enum { N = 200 };
    struct world pre;
    world_init(&pre);
    struct tx txs[N];
    address hot = addr_of(999999);
    fund(&pre, &hot, 5);
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i);
        fund(&pre, &from, 1000000000000ull);
        txs[i] = make_tx(&from, 0, &hot, 1 + i, 21000);
    }
    check_block(&pre, txs, N, rounds(), N);
    world_free(&pre);
}

static void test_serial_chain(void **state)
{
    (void)state;
    /* Each sender can only pay because the previous transaction funded
     * it: a fully serial block, plus a repeated sender (nonce chain). */
    enum { N = 64 };
    struct world pre;
    world_init(&pre);
    struct tx txs[N + 8];
    address first = addr_of(0);
    fund(&pre, &first, 1000000000000000ull);
    uint64_t amount = 100000000000000ull;
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i), to = addr_of(i + 1);
        amount -= 21000 * 20;
        txs[i] = make_tx(&from, 0, &to, amount, 21000);
    }
    address last = addr_of(N);
    for (uint32_t k = 0; k < 8; k++)
        txs[N + k] = make_tx(&last, k, &first, 1, 21000);
    check_block(&pre, txs, N + 8, rounds(), N + 8);
    world_free(&pre);
}

static void test_sender_links(void **state)
{
    (void)state;
    /* senders A B A C B A, and 3000 distinct ones after them (the
     * table grows, and they collide in it) */
    enum { N = 3006 };
    struct tx *txs = calloc(N, sizeof *txs);
    uint32_t *prev = malloc(N * sizeof *prev);
    assert_non_null(txs);
    assert_non_null(prev);
    const uint32_t who[6] = {1, 2, 1, 3, 2, 1};
    const uint32_t want[6] = {0, 0, 1, 0, 2, 3};
    for (size_t i = 0; i < N; i++)
        txs[i].sender = addr_of(i < 6 ? who[i] : (uint32_t)(100 + i));
    assert_int_equal(sender_links(txs, N, prev), PAREVM_OK);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(prev[i], want[i]);
    for (size_t i = 6; i < N; i++)
        assert_int_equal(prev[i], 0);
    txs[N - 1].sender = addr_of(2); /* B again, after 3000 others */
    assert_int_equal(sender_links(txs, N, prev), PAREVM_OK);
    assert_int_equal(prev[N - 1], 5);
    free(prev);
    free(txs);
}

static void test_sender_chain_runs_once(void **state)
{
    (void)state;
    /* One sender's 120 transactions, each between two of other senders.
     * A link is never started before the one it follows has executed
     * (senders.h), and nothing else conflicts: every transaction runs
     * exactly once at any thread count, where a link started early would
     * read the old nonce and run again. */
    enum { N = 240 };
    struct world pre;
    world_init(&pre);
    struct tx txs[N];
    address chain = addr_of(424242);
    fund(&pre, &chain, 1000000000000000ull);
    for (uint32_t i = 0; i < N; i++) {
        address to = addr_of(200000 + i);
        if (i % 2 == 0) {
            txs[i] = make_tx(&chain, i / 2, &to, 1 + i, 21000);
        } else {
            address from = addr_of(1000 + i);
            fund(&pre, &from, 1000000000000ull);
            txs[i] = make_tx(&from, 0, &to, 1 + i, 21000);
        }
    }
    check_block(&pre, txs, N, 1, N);
    struct block_env env;
    make_env(&env);
    struct outcome seq;
    run_sequential(&env, &pre, txs, N, &seq);
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++)
        for (int r = 0; r < rounds(); r++) {
            struct outcome par;
            struct par_stats stats;
            run_parallel(&env, &pre, txs, N, thread_counts[t], &par, &stats);
            assert_same(&seq, &par);
            assert_int_equal(stats.executions, N);
            assert_int_equal(stats.aborts, 0);
            if (thread_counts[t] == 1)
                assert_int_equal(stats.chained, 0); /* in order: nothing to wait for */
            outcome_free(&par);
        }
    outcome_free(&seq);
    world_free(&pre);
}

static void test_beneficiary_reads(void **state)
{
    (void)state;
    /* Every transaction pays the beneficiary its fee; every fourth is sent
     * by the beneficiary itself, whose balance (and so whether it can pay)
     * is the sum of all the fees before it: reads of the per-transaction
     * fee entries, their ESTIMATEs and dependencies. */
    enum { N = 120 };
    struct world pre;
    world_init(&pre);
    struct block_env env;
    make_env(&env);
    fund(&pre, &env.coinbase, 50000000);
    struct tx txs[N];
    uint64_t coinbase_nonce = 0;
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i), to = addr_of(200000 + i);
        fund(&pre, &from, 1000000000000ull);
        if (i % 4 == 3)
            txs[i] = make_tx(&env.coinbase, coinbase_nonce++, &to, 1000, 21000);
        else
            txs[i] = make_tx(&from, 0, &to, 7 + i, 21000);
    }
    check_block(&pre, txs, N, rounds(), N);
    world_free(&pre);
}

/* ---- EIP-7702 ---- */

static struct authorization make_auth(const uint8_t key[32], const address *target, uint64_t nonce)
{
    struct authorization a;
    memset(&a, 0, sizeof a);
    a.chain_id = u256_from_u64(1);
    if (target)
        a.addr = *target;
    a.nonce = nonce;
    sign_authorization(&a, key);
    return a;
}

/* A set-code transaction (type 4) carrying n authorizations (copied). */
static struct tx make_set_code_tx(const address *from, uint64_t nonce, const address *to,
                                  const struct authorization *auths, size_t n)
{
    struct tx t = make_tx(from, nonce, to, 0, 400000);
    t.type = 4;
    t.authorizations = malloc(n * sizeof *auths);
    assert_non_null(t.authorizations);
    memcpy(t.authorizations, auths, n * sizeof *auths);
    t.authorization_count = n;
    return t;
}

static void append_push20(uint8_t *code, size_t *at, const address *a)
{
    code[(*at)++] = 0x73;
    memcpy(code + *at, a->bytes, 20);
    *at += 20;
}

/* Delegations written by one transaction and run by later ones must be
 * seen identically in parallel: authorities delegate to counter
 * contracts, later transactions call them (directly, through a router's
 * CALL and DELEGATECALL), read their designator with EXTCODESIZE, send
 * from a delegated account (EIP-3607), re-delegate, clear a delegation,
 * and carry an authorization with a stale nonce (skipped). */
static void test_set_code_delegations(void **state)
{
    (void)state;
    enum { AUTHORITIES = 4, FILLER = 40 };
    struct world pre;
    world_init(&pre);
    uint8_t keys[AUTHORITIES][32];
    address auth_addr[AUTHORITIES];
    for (int k = 0; k < AUTHORITIES; k++) {
        memset(keys[k], 0x31 + k, 32);
        auth_addr[k] = key_address(keys[k]);
    }
    fund(&pre, &auth_addr[2], 1000000000000ull); /* exists (refund) and later sends */
    fund(&pre, &auth_addr[1], 1);                /* exists */
    /* C: slot0 += 1; C2: slot1 += 1 (both in the caller's storage). */
    static const uint8_t counter0[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    static const uint8_t counter1[] = {0x60, 0x01, 0x54, 0x60, 0x01, 0x01, 0x60, 0x01, 0x55, 0x00};
    address c0 = addr_of(700001), c1 = addr_of(700002), router = addr_of(700003), drouter = addr_of(700004);
    set_code(&pre, &c0, counter0, sizeof counter0);
    set_code(&pre, &c1, counter1, sizeof counter1);
    /* router: slot1 = CALL(gas, A3, 0, 0, 0, 0, 0); slot0 = EXTCODESIZE(A3). */
    uint8_t rcode[64];
    size_t at = 0;
    for (int i = 0; i < 5; i++) {
        rcode[at++] = 0x60;
        rcode[at++] = 0x00;
    }
    append_push20(rcode, &at, &auth_addr[3]);
    rcode[at++] = 0x5a; /* GAS */
    rcode[at++] = 0xf1; /* CALL */
    rcode[at++] = 0x60;
    rcode[at++] = 0x01;
    rcode[at++] = 0x55;
    append_push20(rcode, &at, &auth_addr[3]);
    rcode[at++] = 0x3b; /* EXTCODESIZE */
    rcode[at++] = 0x60;
    rcode[at++] = 0x00;
    rcode[at++] = 0x55;
    rcode[at++] = 0x00;
    set_code(&pre, &router, rcode, at);
    /* drouter: DELEGATECALL(gas, A2, 0, 0, 0, 0): runs A2's delegate here. */
    uint8_t dcode[64];
    at = 0;
    for (int i = 0; i < 4; i++) {
        dcode[at++] = 0x60;
        dcode[at++] = 0x00;
    }
    append_push20(dcode, &at, &auth_addr[2]);
    dcode[at++] = 0x5a;
    dcode[at++] = 0xf4; /* DELEGATECALL */
    dcode[at++] = 0x50; /* POP */
    dcode[at++] = 0x00;
    set_code(&pre, &drouter, dcode, at);

    struct tx txs[64];
    size_t n = 0;
    uint32_t next_sender = 0;
    address s;
#define SENDER() (s = addr_of(next_sender++), fund(&pre, &s, 1000000000000ull), &s)
    /* Independent transfers first, so the delegating transaction is not
     * the block's first. */
    for (int i = 0; i < 6; i++) {
        address to = addr_of(300000 + (uint32_t)i);
        txs[n++] = make_tx(SENDER(), 0, &to, 5, 21000);
    }
    /* Delegate A0..A3 to C and call A0: C runs in A0's storage. */
    struct authorization a4[AUTHORITIES];
    for (int k = 0; k < AUTHORITIES; k++)
        a4[k] = make_auth(keys[k], &c0, 0);
    txs[n++] = make_set_code_tx(SENDER(), 0, &auth_addr[0], a4, AUTHORITIES);
    /* Later: call A1, A2 (delegated above) and the routers. */
    for (int i = 0; i < 3; i++) {
        txs[n++] = make_tx(SENDER(), 0, &auth_addr[1], 0, 100000);
        txs[n++] = make_tx(SENDER(), 0, &router, 0, 200000);
        txs[n++] = make_tx(SENDER(), 0, &drouter, 0, 200000);
    }
    /* A2 sends a transaction itself (its code is a designator: allowed),
     * calling A0. Its nonce is 1 after the authorization. */
    txs[n++] = make_tx(&auth_addr[2], 1, &auth_addr[0], 0, 100000);
    /* Re-delegate A1 to C2 (nonce 1 now), with a stale authorization for
     * A0 (nonce 0 again: skipped), and call A1: C2 runs. */
    struct authorization re[2] = {make_auth(keys[1], &c1, 1), make_auth(keys[0], &c1, 0)};
    txs[n++] = make_set_code_tx(SENDER(), 0, &auth_addr[1], re, 2);
    txs[n++] = make_tx(SENDER(), 0, &auth_addr[1], 0, 100000);
    txs[n++] = make_tx(SENDER(), 0, &auth_addr[0], 0, 100000);
    /* Clear A3's delegation (address zero), then the router again. */
    struct authorization clear = make_auth(keys[3], NULL, 1);
    txs[n++] = make_set_code_tx(SENDER(), 0, &router, &clear, 1);
    txs[n++] = make_tx(SENDER(), 0, &router, 0, 200000);
    /* Transfers with calldata that pay the EIP-7623 floor (200 non-zero
     * bytes: 29000 against an intrinsic 24200), to the coinbase's fee. */
    static uint8_t calldata[200];
    memset(calldata, 0xff, sizeof calldata);
    for (int i = 0; i < 6; i++) {
        address to = addr_of(400000 + (uint32_t)i);
        txs[n] = make_tx(SENDER(), 0, &to, 5, 40000);
        txs[n].data = calldata;
        txs[n++].data_len = sizeof calldata;
    }
#undef SENDER
    assert_true(n <= sizeof txs / sizeof *txs);

    /* The sequential outcome does what the block says. */
    struct block_env env;
    make_env_fork(&env, FORK_PRAGUE);
    struct world w;
    assert_int_equal(world_clone(&pre, &w), PAREVM_OK);
    uint64_t used = 0;
    for (size_t i = 0; i < n; i++) {
        struct tx_result r;
        assert_int_equal(transition_apply_world(&env, &w, &txs[i], used, &r), PAREVM_OK);
        assert_int_equal(r.error, TXERR_NONE);
        assert_int_equal(r.status, TX_STATUS_SUCCESS);
        if (txs[i].data_len == 200)
            assert_int_equal(r.gas_used, 29000);
        used += r.gas_used;
        tx_result_free(&r);
    }
    u256 k0 = u256_zero(), k1 = u256_from_u64(1);
    struct world_account *acc;
    /* A0: C ran at its delegation and twice more (A2's tx, the call after
     * the skipped re-delegation); nonce 1. */
    assert_non_null(acc = world_get(&w, &auth_addr[0]));
    assert_int_equal(acc->nonce, 1);
    assert_int_equal(acc->code->len, 23);
    assert_memory_equal(acc->code->bytes + 3, c0.bytes, 20);
    u256 v = world_get_storage(acc, &k0);
    assert_true(u256_eq(&v, &(u256){{3, 0, 0, 0}}));
    /* A1: three runs of C, then two of C2 (the re-delegating transaction
     * calls A1 too); nonce 2. */
    assert_non_null(acc = world_get(&w, &auth_addr[1]));
    assert_int_equal(acc->nonce, 2);
    assert_memory_equal(acc->code->bytes, "\xef\x01\x00", 3);
    assert_memory_equal(acc->code->bytes + 3, c1.bytes, 20);
    v = world_get_storage(acc, &k0);
    assert_true(u256_eq(&v, &(u256){{3, 0, 0, 0}}));
    v = world_get_storage(acc, &k1);
    assert_true(u256_eq(&v, &(u256){{2, 0, 0, 0}}));
    /* A3: delegation cleared, nonce 2; storage from the router's calls. */
    assert_non_null(acc = world_get(&w, &auth_addr[3]));
    assert_int_equal(acc->nonce, 2);
    assert_int_equal(acc->code->len, 0);
    v = world_get_storage(acc, &k0);
    assert_true(u256_eq(&v, &(u256){{3, 0, 0, 0}}));
    /* router: the designator's size while delegated, 0 once cleared; the
     * call succeeded. drouter ran C three times in its own storage. */
    assert_non_null(acc = world_get(&w, &router));
    v = world_get_storage(acc, &k0);
    assert_true(u256_is_zero(&v));
    v = world_get_storage(acc, &k1);
    assert_true(u256_eq(&v, &(u256){{1, 0, 0, 0}}));
    assert_non_null(acc = world_get(&w, &drouter));
    v = world_get_storage(acc, &k0);
    assert_true(u256_eq(&v, &(u256){{3, 0, 0, 0}}));
    world_free(&w);

    check_block_fork(&pre, txs, n, rounds(), n, FORK_PRAGUE);
    for (size_t i = 0; i < n; i++)
        free(txs[i].authorizations);
    world_free(&pre);
}

/* EIP-7702's 12500 refund goes to an authority that exists. An account a
 * transfer brought into the state earlier in the block (a balance credit,
 * no nonce write) exists: the parallel views, which tell existence by the
 * nonce location, must see it through the balance. Found by the
 * ethereumjs differential harness (tests/diff, eip7702 seed 1 case 138). */
static void test_set_code_authority_created_in_block(void **state)
{
    (void)state;
    enum { PAIRS = 8 };
    struct world pre;
    world_init(&pre);
    static const uint8_t stop[] = {0x00};
    address target = addr_of(710001);
    set_code(&pre, &target, stop, sizeof stop);
    struct tx txs[2 * PAIRS];
    size_t n = 0;
    uint8_t keys[PAIRS][32];
    address authority[PAIRS];
    for (int k = 0; k < PAIRS; k++) {
        memset(keys[k], 0x51 + k, 32);
        authority[k] = key_address(keys[k]);
    }
    /* Transaction 2k funds authority k (new); transaction 2k+1 carries
     * its authorization. */
    for (int k = 0; k < PAIRS; k++) {
        address from = addr_of(810000 + (uint32_t)k), relayer = addr_of(820000 + (uint32_t)k);
        fund(&pre, &from, 1000000000000ull);
        fund(&pre, &relayer, 1000000000000ull);
        txs[n++] = make_tx(&from, 0, &authority[k], 1000, 21000);
        struct authorization a = make_auth(keys[k], &target, 0);
        txs[n++] = make_set_code_tx(&relayer, 0, &target, &a, 1);
    }
    /* Sequentially the refund is paid: 21000 + 25000 - min(12500, used / 5). */
    struct block_env env;
    make_env_fork(&env, FORK_PRAGUE);
    struct world w;
    assert_int_equal(world_clone(&pre, &w), PAREVM_OK);
    uint64_t used = 0;
    for (size_t i = 0; i < n; i++) {
        struct tx_result r;
        assert_int_equal(transition_apply_world(&env, &w, &txs[i], used, &r), PAREVM_OK);
        assert_int_equal(r.error, TXERR_NONE);
        assert_int_equal(r.gas_used, i % 2 ? 46000 - 46000 / 5 : 21000);
        used += r.gas_used;
        tx_result_free(&r);
    }
    world_free(&w);
    check_block_fork(&pre, txs, n, rounds(), n, FORK_PRAGUE);
    for (size_t i = 0; i < n; i++)
        free(txs[i].authorizations);
    world_free(&pre);
}

/* A fully serial chain with giving up allowed: the run either completes
 * with the sequential outcome or stops with PAREVM_ERR_CONTENDED (outputs
 * released), at every thread count; never anything else. */
static void test_give_up_on_contention(void **state)
{
    (void)state;
    enum { N = 300 };
    struct world pre;
    world_init(&pre);
    /* counter: slot0 += 1 (every transaction reads the previous write) */
    static const uint8_t code[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    address counter = addr_of(888888);
    set_code(&pre, &counter, code, sizeof code);
    struct tx txs[N];
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i);
        fund(&pre, &from, 1000000000000ull);
        txs[i] = make_tx(&from, 0, &counter, 0, 100000);
    }
    struct block_env env;
    make_env(&env);
    struct outcome seq;
    run_sequential(&env, &pre, txs, N, &seq);
    int gave_up = 0;
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        struct par_tx_output *out = calloc(N, sizeof *out);
        struct par_stats stats;
        struct par_options popt = {.may_give_up = true};
        int err = parallel_execute_ex(&env, &pre, txs, N, thread_counts[t], out, &stats, &popt);
        if (err == PAREVM_ERR_CONTENDED) {
            assert_true(stats.contended);
            for (size_t i = 0; i < N; i++)
                assert_null(out[i].ws.accounts); /* released */
            gave_up++;
        } else {
            assert_int_equal(err, PAREVM_OK);
            struct world w;
            assert_int_equal(world_clone(&pre, &w), PAREVM_OK);
            for (size_t i = 0; i < N; i++) {
                assert_int_equal(out[i].result.error, TXERR_NONE);
                assert_int_equal(out[i].result.gas_used, seq.results[i].gas_used);
                assert_int_equal(write_set_apply(&out[i].ws, &w), PAREVM_OK);
            }
            hash32 root;
            assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
            assert_memory_equal(root.bytes, seq.root.bytes, 32);
            world_free(&w);
            par_output_free(out, N);
        }
        free(out);
    }
    printf("gave up at %d of %zu thread counts\n", gave_up, sizeof thread_counts / sizeof thread_counts[0]);
    outcome_free(&seq);
    world_free(&pre);
}

/* mvmemory_location from several threads at once, for the same keys in
 * different orders, with far more keys than the index holds (so probe runs
 * fill and keys overflow to the shard maps): every thread gets the same
 * location for a key, and distinct keys get distinct locations. */
enum { LOC_KEYS = 6000, LOC_THREADS = 4 };
struct loc_job {
    struct mvmemory *mv;
    int order;
    struct mv_location **got; /* per key */
};

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

static struct mv_key loc_key(size_t i)
{
    struct mv_key k;
    memset(&k, 0, sizeof k);
    k.addr = addr_of((uint32_t)(i / 3));
    k.kind = i % 3 == 2 ? MV_STORAGE : (uint8_t)(i % 3);
    if (k.kind == MV_STORAGE)
        k.slot = u256_from_u64(i);
    return k;
}

static void *loc_worker(void *arg)
{
    struct loc_job *j = arg;
    for (size_t n = 0; n < LOC_KEYS; n++) {
        size_t i = j->order ? LOC_KEYS - 1 - n : (n * 7919) % LOC_KEYS;
        struct mv_key k = loc_key(i);
        j->got[i] = mvmemory_location(j->mv, &k);
    }
    return NULL;
}

static void test_location_races(void **state)
{
    (void)state;
    struct world base;
    world_init(&base);
    struct mvmemory mv;
    assert_int_equal(
        mvmemory_init(&mv, &base, 4, NULL, 0, &exec_env_default()->scratch, &exec_env_default()->slabs),
        PAREVM_OK); /* the smallest index */
    pthread_t tids[LOC_THREADS];
    struct loc_job jobs[LOC_THREADS];
    for (int t = 0; t < LOC_THREADS; t++) {
        jobs[t] = (struct loc_job){&mv, t % 2, calloc(LOC_KEYS, sizeof(struct mv_location *))};
        assert_int_equal(pthread_create(&tids[t], NULL, loc_worker, &jobs[t]), 0);
    }
    for (int t = 0; t < LOC_THREADS; t++)
        pthread_join(tids[t], NULL);
    for (size_t i = 0; i < LOC_KEYS; i++) {
        assert_non_null(jobs[0].got[i]);
        for (int t = 1; t < LOC_THREADS; t++)
            assert_ptr_equal(jobs[t].got[i], jobs[0].got[i]);
        struct mv_key k = loc_key(i);
        assert_ptr_equal(mvmemory_location(&mv, &k), jobs[0].got[i]);
    }
    /* distinct keys, distinct locations */
    struct mv_location **sorted = malloc(LOC_KEYS * sizeof *sorted);
    memcpy(sorted, jobs[0].got, LOC_KEYS * sizeof *sorted);
    qsort(sorted, LOC_KEYS, sizeof *sorted, cmp_ptr);
    for (size_t i = 1; i < LOC_KEYS; i++)
        assert_true(sorted[i] != sorted[i - 1]);
    assert_true(atomic_load(&mv.overflow)); /* the overflow maps were used */
    free(sorted);
    for (int t = 0; t < LOC_THREADS; t++)
        free(jobs[t].got);
    mvmemory_free(&mv);
    world_free(&base);
}

/* parallel_for runs every index exactly once, at any width. */
static void count_index(void *arg, size_t i)
{
    atomic_fetch_add_explicit(&((atomic_uint *)arg)[i], 1, memory_order_relaxed);
}

static void for_runner(void *threads, size_t count, void (*fn)(void *arg, size_t i), void *arg)
{
    parallel_for(NULL, *(int *)threads, count, fn, arg);
}

static void test_parallel_for_and_trie(void **state)
{
    (void)state;
    enum { N = 1000 };
    static atomic_uint hits[N];
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        for (size_t i = 0; i < N; i++)
            atomic_init(&hits[i], 0);
        parallel_for(NULL, thread_counts[t], N, count_index, hits);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(atomic_load(&hits[i]), 1);
    }
    /* Short jobs back to back, as a block starts them: the workers (and
     * the caller) watch before they park, and widths that fit the
     * processors alternate with ones that do not (those park at once). */
    static const int widths[] = {2, 2, 1, 2, 64, 2, 3, 2};
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < 8; i++)
            atomic_init(&hits[i], 0);
        parallel_for(NULL, widths[round % 8], 8, count_index, hits);
        for (size_t i = 0; i < 8; i++)
            assert_int_equal(atomic_load(&hits[i]), 1);
    }
    /* A receipts-like ordered trie hashed on the pool equals the plain one. */
    static uint8_t vals[N][40];
    const uint8_t *items[N];
    size_t lens[N];
    for (size_t i = 0; i < N; i++) {
        for (int k = 0; k < 40; k++)
            vals[i][k] = (uint8_t)(i * 31 + k);
        items[i] = vals[i];
        lens[i] = 40;
    }
    hash32 plain, pooled;
    assert_int_equal(trie_root_ordered(items, lens, N, &plain), PAREVM_OK);
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        int threads = thread_counts[t];
        struct trie_runner runner = {for_runner, &threads, threads};
        assert_int_equal(trie_root_ordered_with(items, lens, N, &runner, &pooled), PAREVM_OK);
        assert_memory_equal(plain.bytes, pooled.bytes, 32);
    }
}

static void test_shared_counter(void **state)
{
    (void)state;
    /* counter: slot0 += 1; LOG1(slot0) */
    static const uint8_t code[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x80, 0x60, 0x00, 0x55,
                                   0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x00};
    enum { N = 100 };
    struct world pre;
    world_init(&pre);
    address counter = addr_of(777777);
    set_code(&pre, &counter, code, sizeof code);
    struct tx txs[N];
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i);
        fund(&pre, &from, 1000000000000ull);
        txs[i] = make_tx(&from, 0, &counter, 0, 100000);
    }
    check_block(&pre, txs, N, rounds(), N);
    world_free(&pre);
}

static void test_selfdestruct_recreate(void **state)
{
    (void)state;
    /* factory: CREATE2(salt 0) of initcode that stores 1 in slot 1 and
     * deploys runtime "CALLER SELFDESTRUCT"... the created contract is
     * then called to self-destruct (allowed in the creating tx only from
     * Cancun, so the factory also calls it in the same transaction). */
    /* initcode: PUSH1 1 PUSH1 1 SSTORE; return runtime 0x33ff */
    static const uint8_t initcode[] = {0x60, 0x01, 0x60, 0x01, 0x55, 0x61, 0x33, 0xff, 0x60, 0x00,
                                       0x52, 0x60, 0x02, 0x60, 0x1e, 0xf3};
    /* factory runtime: copy initcode (its own tail) to memory, CREATE2,
     * CALL the new contract (it self-destructs), STOP. */
    uint8_t factory[128];
    size_t n = 0;
    size_t tail_at_patch;
    factory[n++] = 0x60; factory[n++] = sizeof initcode; /* size */
    factory[n++] = 0x60; tail_at_patch = n; factory[n++] = 0; /* offset of tail */
    factory[n++] = 0x60; factory[n++] = 0x00; /* dest */
    factory[n++] = 0x39;                      /* CODECOPY */
    factory[n++] = 0x60; factory[n++] = 0x00; /* salt */
    factory[n++] = 0x60; factory[n++] = sizeof initcode;
    factory[n++] = 0x60; factory[n++] = 0x00;
    factory[n++] = 0x60; factory[n++] = 0x00; /* value */
    factory[n++] = 0xf5;                      /* CREATE2 -> addr */
    /* CALL(gas, addr, 0, 0, 0, 0, 0) */
    factory[n++] = 0x60; factory[n++] = 0x00;
    factory[n++] = 0x80; factory[n++] = 0x80; factory[n++] = 0x80; factory[n++] = 0x80; /* 5 zeros */
    factory[n++] = 0x85;                      /* DUP6: addr */
    factory[n++] = 0x5a;                      /* GAS */
    factory[n++] = 0xf1;
    factory[n++] = 0x00;
    factory[tail_at_patch] = (uint8_t)n;
    memcpy(factory + n, initcode, sizeof initcode);
    n += sizeof initcode;

    enum { N = 40 };
    struct world pre;
    world_init(&pre);
    address fac = addr_of(555555);
    set_code(&pre, &fac, factory, n);
    struct tx txs[N];
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(i);
        fund(&pre, &from, 1000000000000ull);
        txs[i] = make_tx(&from, 0, &fac, 0, 300000);
    }
    check_block(&pre, txs, N, rounds(), N);
    world_free(&pre);
}

static void test_invalid_nonce_gap(void **state)
{
    (void)state;
    /* The third transaction's nonce is only valid if the second ran. */
    struct world pre;
    world_init(&pre);
    address a = addr_of(1), b = addr_of(2);
    fund(&pre, &a, 1000000000000ull);
    struct tx txs[4] = {
        make_tx(&a, 0, &b, 1, 21000),
        make_tx(&a, 1, &b, 1, 21000),
        make_tx(&a, 2, &b, 1, 21000),
        make_tx(&a, 5, &b, 1, 21000), /* nonce too high: invalid */
    };
    check_block(&pre, txs, 4, rounds(), 3);
    world_free(&pre);
}

/* A Paris block (no withdrawals, no beacon root) of n transactions, to
 * fill in; b->txs is calloc'd. */
static void init_block(struct block *b, size_t n)
{
    memset(b, 0, sizeof *b);
    b->header.number = 16000000;
    b->header.timestamp = 1670000000;
    b->header.gas_limit = 1000000000;
    b->header.coinbase = addr_of(0xc0ffee);
    b->header.has_base_fee = true;
    b->header.base_fee = u256_from_u64(7);
    b->header.gas_used = 21000ull * n;
    b->txs = calloc(n, sizeof *b->txs);
    b->tx_count = n;
    assert_non_null(b->txs);
}

/* Block b on pre through exec_block_parallel at thread_counts[first..],
 * the partitioned pass in `mode`, storage reads lazy or not: every result
 * and post-state equal to the sequential ones. Returns how many runs'
 * partitioned pass held. */
static size_t check_block_with(const struct block *b, const struct world *pre, enum exec_partition mode,
                               size_t first, size_t expect_kept, bool lazy_storage)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    struct block_result ref;
    assert_int_equal(exec_block_sequential(&cfg, b, &w, NULL, &ref), PAREVM_OK);
    assert_false(ref.invalid);
    hash32 ref_root;
    assert_int_equal(world_state_root(&w, &ref_root), PAREVM_OK);
    world_free(&w);
    size_t held = 0;
    for (size_t t = first; t < sizeof thread_counts / sizeof *thread_counts; t++) {
        assert_int_equal(world_clone(pre, &w), PAREVM_OK);
        struct exec_options opt = {
            .threads = thread_counts[t], .force = true, .partition = mode, .lazy_storage = lazy_storage};
        struct block_result r;
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        assert_int_equal(exec_block_parallel(&cfg, b, &w, NULL, &opt, &r, &stats), PAREVM_OK);
        assert_true(stats.parallel);
        held += stats.partitioned;
        if (thread_counts[t] > 1)
            assert_int_equal(stats.partition_kept, expect_kept);
        assert_true(block_result_equal(&ref, &r));
        hash32 root;
        assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
        assert_true(hash32_eq(&root, &ref_root));
        block_result_free(&r);
        exec_stats_reset(&stats);
        world_free(&w);
    }
    block_result_free(&ref);
    return held;
}

static size_t check_block_modes(const struct block *b, const struct world *pre, enum exec_partition mode,
                                size_t first, size_t expect_kept)
{
    return check_block_with(b, pre, mode, first, expect_kept, false);
}

/* The whole block through exec_block_parallel: the in-order commit, the
 * world writes overlapped with the receipts root on the worker pool
 * (which this binary runs under ThreadSanitizer), rewards. Equal to the
 * sequential block result and post-state at every thread count, with
 * Block-STM alone and with the partitioned pass, which holds here (the
 * credits to `hot` are blind, every sender is its own) at 2+ threads. */
static void test_block_commit(void **state)
{
    (void)state;
    enum { N = 300 };
    struct world pre;
    world_init(&pre);
    struct block b;
    init_block(&b, N);
    address hot = addr_of(0xbeef);
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(1000 + i), to = addr_of(5000 + i);
        fund(&pre, &from, 1000000000000ull);
        b.txs[i] = make_tx(&from, 0, i % 4 ? &to : &hot, 1 + i, 21000);
    }
    assert_int_equal(check_block_modes(&b, &pre, EXEC_PARTITION_OFF, 0, 0), 0);
    /* thread_counts[0] is 1: no pass */
    assert_int_equal(check_block_modes(&b, &pre, EXEC_PARTITION_ALWAYS, 0, N),
                     sizeof thread_counts / sizeof *thread_counts - 1);
    free(b.txs);
    world_free(&pre);
}

/* Lazy storage reads (state/lazy.h, exec_options.lazy_storage): three
 * contracts on hot slots, each transaction from its own sender. `up`
 * adds 1 to its slot while it is below 50 (GT and JUMPI decide on the
 * read), then writes 1 to a second slot: the decision flips in the
 * middle of the block. `down` subtracts 1 from its slot (30 at first)
 * until it is zero (ISZERO decides, SUB keeps the read's tag). `logged`
 * adds 1 and logs the sum (MSTORE uses the value: an exact read). Every
 * result and the post-state equal the sequential ones at every thread
 * count. */
static void test_lazy_storage(void **state)
{
    (void)state;
    static const uint8_t up[] = {0x60, 0x00, 0x54, 0x80, 0x60, 0x32, 0x11, 0x60, 0x11, 0x57, 0x50, 0x60, 0x01,
                                 0x60, 0x01, 0x55, 0x00, 0x5b, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    static const uint8_t down[] = {0x60, 0x01, 0x60, 0x00, 0x54, 0x80, 0x15, 0x60, 0x0f,
                                   0x57, 0x03, 0x60, 0x00, 0x55, 0x00, 0x5b, 0x00};
    static const uint8_t logged[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x80, 0x60, 0x00, 0x55,
                                     0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x00};
    enum { N = 240 };
    struct world pre;
    world_init(&pre);
    address contracts[3] = {addr_of(880001), addr_of(880002), addr_of(880003)};
    set_code(&pre, &contracts[0], up, sizeof up);
    set_code(&pre, &contracts[1], down, sizeof down);
    set_code(&pre, &contracts[2], logged, sizeof logged);
    u256 zero = u256_zero(), thirty = u256_from_u64(30);
    assert_int_equal(world_set_storage(world_get_or_create(&pre, &contracts[1]), &zero, &thirty), PAREVM_OK);
    struct block b;
    init_block(&b, N);
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(20000 + i);
        fund(&pre, &from, 1000000000000ull);
        b.txs[i] = make_tx(&from, 0, &contracts[i % 3], 0, 100000);
    }
    for (int round = 0; round < rounds(); round++)
        check_block_with(&b, &pre, EXEC_PARTITION_OFF, 0, 0, true);
    free(b.txs);
    world_free(&pre);
}

/* The partitioned pass must not hold when a later run reads what an
 * earlier run wrote: here the last transaction spends from the account
 * the first one paid (its balance was a delta of run 0), in a second
 * block the beneficiary's balance, which every run credits, and in a
 * third a storage slot the first transaction wrote. Each time the pass
 * keeps every transaction below the last, Block-STM runs that one, and
 * the block equals the sequential one. A slot every run only reads
 * lets the pass hold. */
static void test_partition_conflict(void **state)
{
    (void)state;
    enum { N = 200 };
    struct world pre;
    world_init(&pre);
    struct block b;
    init_block(&b, N);
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(1000 + i), to = addr_of(5000 + i);
        fund(&pre, &from, 1000000000000ull);
        b.txs[i] = make_tx(&from, 0, &to, 1 + i, 21000);
    }
    /* tx 0 pays account 7000, which tx N-1 then spends from */
    address payee = addr_of(7000);
    fund(&pre, &payee, 1000000000000ull);
    b.txs[0].to = payee;
    b.txs[N - 1] = make_tx(&payee, 0, &b.txs[N - 1].to, 5, 21000);
    assert_int_equal(check_block_modes(&b, &pre, EXEC_PARTITION_ALWAYS, 1, N - 1), 0);

    /* the last transaction pays the beneficiary's balance onwards */
    address coinbase = b.header.coinbase;
    fund(&pre, &coinbase, 1000000000000ull);
    b.txs[0].to = addr_of(5000);
    address sink = addr_of(9000);
    b.txs[N - 1] = make_tx(&coinbase, 0, &sink, 5, 21000);
    assert_int_equal(check_block_modes(&b, &pre, EXEC_PARTITION_ALWAYS, 1, N - 1), 0);

    /* Storage: every transaction reads slot 0 of a contract (a location
     * read by every run, written by none, is no conflict); then the first
     * transaction also writes it, and the last reads it from another run. */
    static const uint8_t reader[] = {0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x00};
    static const uint8_t counter[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x80, 0x60, 0x00, 0x55,
                                      0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x00};
    address looked = addr_of(8000), counted = addr_of(8001);
    set_code(&pre, &looked, reader, sizeof reader);
    set_code(&pre, &counted, counter, sizeof counter);
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(1000 + i);
        b.txs[i] = make_tx(&from, 0, &looked, 0, 100000);
    }
    assert_int_equal(check_block_modes(&b, &pre, EXEC_PARTITION_ALWAYS, 1, N),
                     sizeof thread_counts / sizeof *thread_counts - 1);
    b.txs[0].to = counted;
    b.txs[N - 1].to = counted;
    assert_int_equal(check_block_modes(&b, &pre, EXEC_PARTITION_ALWAYS, 1, N - 1), 0);
    free(b.txs);
    world_free(&pre);
}

/* The guard's sender-chain rule (exec_use_parallel): a block that is
 * mostly one sender's nonce chain runs sequentially, with or without
 * other senders in it; the same block with a sender per transaction may
 * run in parallel (this process has no measurements yet: it explores). A
 * forced run ignores the rule. */
static void test_guard_sender_chains(void **state)
{
    (void)state;
    enum { N = 40 };
    struct block b;
    init_block(&b, N);
    address hot = addr_of(0xfeed), to = addr_of(0x7000);
    struct exec_options opt = {.threads = 2};
    /* 34 of 40 transactions (85% of the gas) from one sender: its chain
     * allows 40/34 < 1.5 */
    for (uint32_t i = 0; i < N; i++) {
        address from = i < 34 ? hot : addr_of(2000 + i);
        b.txs[i] = make_tx(&from, i < 34 ? i : 0, &to, 1, 21000);
    }
    assert_false(exec_use_parallel(&b, FORK_PARIS, false, NULL, &opt));
    struct exec_options forced = {.threads = 2, .force = true};
    assert_true(exec_use_parallel(&b, FORK_PARIS, false, NULL, &forced));
    /* by gas: the hot sender's 34 cheap transactions against 6 heavy
     * ones of others (6 x 200k against 34 x 21k) allow more than 1.5 */
    for (uint32_t i = 34; i < N; i++)
        b.txs[i].gas_limit = 200000;
    assert_true(exec_use_parallel(&b, FORK_PARIS, false, NULL, &opt));
    /* a sender per transaction */
    for (uint32_t i = 0; i < N; i++) {
        address from = addr_of(3000 + i);
        b.txs[i] = make_tx(&from, 0, &to, 1, 21000);
    }
    assert_true(exec_use_parallel(&b, FORK_PARIS, false, NULL, &opt));
    free(b.txs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_independent_transfers), cmocka_unit_test(test_hot_recipient_deltas),
        cmocka_unit_test(test_serial_chain),          cmocka_unit_test(test_shared_counter),
        cmocka_unit_test(test_lazy_storage),
        cmocka_unit_test(test_selfdestruct_recreate), cmocka_unit_test(test_invalid_nonce_gap),
        cmocka_unit_test(test_beneficiary_reads),     cmocka_unit_test(test_parallel_for_and_trie),
        cmocka_unit_test(test_give_up_on_contention), cmocka_unit_test(test_location_races),
        cmocka_unit_test(test_block_commit),          cmocka_unit_test(test_partition_conflict),
        cmocka_unit_test(test_guard_sender_chains),   cmocka_unit_test(test_set_code_delegations),
        cmocka_unit_test(test_set_code_authority_created_in_block),
        cmocka_unit_test(test_sender_links),          cmocka_unit_test(test_sender_chain_runs_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
