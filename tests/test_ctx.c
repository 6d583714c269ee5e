/*
 * Contexts own their state (issue 19, "no hidden globals"): what the
 * executors keep between blocks (worker pool, arenas, slab and scratch
 * caches, the guard's measurements, transaction contexts) lives in an
 * execution environment (exec/exec_env.h) that a parevm_ctx owns.
 *
 *   - two environments do not share guard history: measurements and
 *     contended blocks recorded in one change no decision of another,
 *     nor the process default's;
 *   - 100 contexts are created, each executes a generated block
 *     sequentially, with Block-STM at 2-4 threads and with the automatic
 *     engine, every result equal to every other, and destroyed: no
 *     thread is left running (counted in /proc/self/task), and under
 *     ASan/LeakSanitizer nothing leaks; the test also runs under TSan.
 *
 * The generator is part of the command-line tool, not the library, so it
 * is compiled into this test (as in test_gen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/tools/gen.h"

#include "../include/parevm.h"
#include "../src/exec/exec.h"
#include "../src/exec/exec_env.h"
#include "../src/exec/guard.h"
#include "../src/io/mainnet.h"

/* A fresh folder for a generated block, and its removal. */
static void make_tmpdir(char dir[64], const char *name)
{
    snprintf(dir, 64, "/tmp/parevm-test-%s-XXXXXX", name);
    assert_non_null(mkdtemp(dir));
}

static void remove_fixture(const char *dir)
{
    static const char *const files[] = {"block.json", "pre_state.json", "block_hashes.json"};
    char path[256];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* Threads of this process now. */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void *noop_thread(void *arg)
{
    return arg;
}

/* Threads of this process before a test makes any: one thread is made and
 * joined first, because ThreadSanitizer starts its own background thread
 * at the process's first pthread_create and keeps it to the end. */
static int thread_baseline(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, noop_thread, NULL) == 0)
        pthread_join(t, NULL);
    return thread_count();
}

/* ---- the guard is per environment ---- */

#define GUARD_TXS 24
#define GUARD_TX_GAS 50000

/* A block the guard may run in parallel: 24 transactions from distinct
 * senders (no sender chain bounds it), 50,000 gas each. */
static void guard_block(struct block *b, struct tx *txs, uint8_t tag)
{
    memset(b, 0, sizeof *b);
    memset(txs, 0, GUARD_TXS * sizeof *txs);
    for (size_t i = 0; i < GUARD_TXS; i++) {
        txs[i].has_sender = true;
        txs[i].sender.bytes[19] = (uint8_t)(i + 1);
        txs[i].sender.bytes[18] = tag;
        txs[i].gas_limit = GUARD_TX_GAS;
    }
    b->txs = txs;
    b->tx_count = GUARD_TXS;
    b->header.gas_used = GUARD_TXS * GUARD_TX_GAS;
    b->header.has_hash = true;
    b->header.hash.bytes[0] = tag;
}

/* Samples past the guard's exploration: parallel `par` ns per block, sequential `seq`. */
static void teach(struct exec_env *env, uint64_t seq, uint64_t par)
{
    for (int k = 0; k < 4; k++) {
        exec_guard_record(env, FORK_PARIS, false, 1, GUARD_TXS * GUARD_TX_GAS, GUARD_TXS, seq);
        exec_guard_record(env, FORK_PARIS, true, 2, GUARD_TXS * GUARD_TX_GAS, GUARD_TXS, par);
    }
}

static bool decides_parallel(struct exec_env *env, const struct block *b)
{
    struct exec_options opt = {.threads = 2, .env = env};
    return exec_use_parallel(b, FORK_PARIS, false, NULL, &opt);
}

/* Times are compared relative to their fork's sequential time per gas:
 * a fork whose gas is cheap to execute (blocks of short transactions,
 * where parallel execution loses) and one whose gas is dear (long
 * transactions, where it wins) are told apart though their blocks carry
 * the same gas per transaction. */
static void test_guard_per_fork(void **state)
{
    (void)state;
    struct exec_env *env;
    assert_int_equal(exec_env_create(&env), PAREVM_OK);
    struct block b;
    struct tx txs[GUARD_TXS];
    guard_block(&b, txs, 3);
    const uint64_t gas = GUARD_TXS * GUARD_TX_GAS;
    for (int k = 0; k < 4; k++) {
        /* London: 10 us a transaction sequentially, twice that in parallel */
        exec_guard_record(env, FORK_LONDON, false, 1, gas, GUARD_TXS, 240000);
        exec_guard_record(env, FORK_LONDON, true, 2, gas, GUARD_TXS, 480000);
        /* Cancun: 100 us a transaction, a quarter of that in parallel */
        exec_guard_record(env, FORK_CANCUN, false, 1, gas, GUARD_TXS, 2400000);
        exec_guard_record(env, FORK_CANCUN, true, 2, gas, GUARD_TXS, 600000);
    }
    struct exec_options opt = {.threads = 2, .env = env};
    for (int k = 0; k < 3; k++) {
        assert_false(exec_use_parallel(&b, FORK_LONDON, false, NULL, &opt));
        assert_true(exec_use_parallel(&b, FORK_CANCUN, false, NULL, &opt));
    }
    /* A fork not measured yet: sequential, until its rate is known. */
    assert_false(exec_use_parallel(&b, FORK_SHANGHAI, false, NULL, &opt));
    exec_env_destroy(env);
}

static void test_guard_per_env(void **state)
{
    (void)state;
    struct exec_guard before = exec_env_default()->guard;
    struct exec_env *fast_par, *fast_seq, *fresh;
    assert_int_equal(exec_env_create(&fast_par), PAREVM_OK);
    assert_int_equal(exec_env_create(&fast_seq), PAREVM_OK);
    assert_int_equal(exec_env_create(&fresh), PAREVM_OK);
    struct block b;
    struct tx txs[GUARD_TXS];
    guard_block(&b, txs, 1);

    /* One environment saw parallel execution win, another lose: each
     * decides by its own measurements (decisions 1..3, not the 16th,
     * which explores). */
    teach(fast_par, 4000000, 1000000);
    teach(fast_seq, 1000000, 4000000);
    for (int k = 0; k < 3; k++) {
        assert_true(decides_parallel(fast_par, &b));
        assert_false(decides_parallel(fast_seq, &b));
    }
    /* One with no measurements runs the fork's first blocks sequentially
     * (its sequential time per gas is what every time is compared
     * against; the first sample is a warm-up), then explores: parallel
     * first. */
    assert_false(decides_parallel(fresh, &b));
    for (int k = 0; k < 2; k++)
        exec_guard_record(fresh, FORK_PARIS, false, 1, GUARD_TXS * GUARD_TX_GAS, GUARD_TXS, 1000000);
    assert_true(decides_parallel(fresh, &b));

    /* A block the engine gave up on in one environment goes sequential
     * there only. */
    exec_guard_contended(fast_par, &b);
    assert_false(decides_parallel(fast_par, &b));
    assert_true(decides_parallel(fresh, &b));
    struct block other;
    struct tx other_txs[GUARD_TXS];
    guard_block(&other, other_txs, 2);
    assert_true(decides_parallel(fast_par, &other));

    /* The partitioned pass's failures are per environment too. */
    assert_true(exec_guard_try_partition(fresh, &b));
    exec_guard_partition_result(fresh, &b, false);
    assert_false(exec_guard_try_partition(fresh, &b));
    assert_true(exec_guard_try_partition(fast_seq, &b));

    /* None of it reached the process default. */
    assert_memory_equal(&before.seq_rate, &exec_env_default()->guard.seq_rate,
                        offsetof(struct exec_guard, partition_backoff) + sizeof before.partition_backoff -
                            offsetof(struct exec_guard, seq_rate));
    exec_env_destroy(fast_par);
    exec_env_destroy(fast_seq);
    exec_env_destroy(fresh);
}

/* ---- 100 contexts ---- */

/* What a result says (a snapshot's state is partial: no state root; the
 * receipts root covers every receipt's status, gas and logs). */
#define CONTEXTS 100

struct outcome {
    uint64_t gas;
    uint8_t receipts_root[32], bloom[256];
    size_t receipts;
};

static void outcome_of(const parevm_result *r, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->gas = parevm_result_gas_used(r);
    assert_int_equal(parevm_result_receipts_root(r, o->receipts_root), PAREVM_OK);
    parevm_result_logs_bloom(r, o->bloom);
    o->receipts = parevm_result_receipt_count(r);
}

static void run_once(parevm_ctx *ctx, const parevm_block *b, const parevm_state_provider *p,
                     parevm_engine engine, unsigned threads, struct outcome *o)
{
    parevm_execute_options opt = {engine, threads};
    parevm_result *r = NULL;
    assert_int_equal(parevm_execute_block(ctx, b, p, &opt, &r), PAREVM_OK);
    outcome_of(r, o);
    parevm_result_destroy(r);
}

static void test_hundred_contexts(void **state)
{
    (void)state;
    /* A block of ERC-20 transfers (storage, logs) among 48 accounts,
     * half of the transfers to a few hot recipients: Block-STM has
     * conflicts to resolve. */
    char dir[64];
    make_tmpdir(dir, "ctx");
    struct gen_options go;
    gen_options_default(&go);
    go.kind = GEN_ERC20;
    go.txs = 48;
    go.accounts = 64;
    go.zipf = 1.0;
    go.seed = 19;
    char err[512];
    int rc = gen_write_fixture(&go, dir, NULL, err, sizeof err);
    if (rc != PAREVM_OK)
        fail_msg("gen_write_fixture: %s", err);

    int threads_before = thread_baseline();
    assert_true(threads_before > 0);
    struct outcome first;
    bool have_first = false;
    for (int i = 0; i < CONTEXTS; i++) {
        unsigned threads = 2 + (unsigned)(i % 3);
        parevm_ctx_options co = {.threads = threads};
        parevm_ctx *ctx = parevm_ctx_create(&co);
        assert_non_null(ctx);
        parevm_block *b = NULL;
        parevm_state *st = NULL;
        assert_int_equal(parevm_block_from_fixture(ctx, dir, &b, &st, err, sizeof err), PAREVM_OK);
        parevm_state_provider p;
        assert_int_equal(parevm_state_provider_of(st, &p), PAREVM_OK);

        struct outcome seq, stm, automatic;
        run_once(ctx, b, &p, PAREVM_ENGINE_SEQUENTIAL, 1, &seq);
        run_once(ctx, b, &p, PAREVM_ENGINE_BLOCK_STM, threads, &stm);
        /* The context's own workers run it (threads - 1 of them). */
        assert_true(thread_count() >= threads_before + (int)threads - 1);
        run_once(ctx, b, &p, PAREVM_ENGINE_AUTO, 0, &automatic);
        assert_memory_equal(&seq, &stm, sizeof seq);
        assert_memory_equal(&seq, &automatic, sizeof seq);
        if (!have_first) {
            first = seq;
            have_first = true;
        }
        assert_memory_equal(&seq, &first, sizeof seq);
        assert_int_equal(seq.receipts, go.txs);

        parevm_state_destroy(st);
        parevm_block_destroy(b);
        parevm_ctx_destroy(ctx);
        /* Its workers are joined: none left running. */
        assert_int_equal(thread_count(), threads_before);
    }
    remove_fixture(dir);
}

/* Every engine of the executor in one environment (the partitioned pass,
 * Block-STM, the commit's parallel receipts root, the guard's choice),
 * results equal to the sequential run, then the environment destroyed:
 * its threads joined, nothing of it left (LeakSanitizer). */
static void test_env_engines(void **state)
{
    (void)state;
    char dir[64];
    make_tmpdir(dir, "ctx3");
    struct gen_options go;
    gen_options_default(&go);
    go.kind = GEN_TRANSFERS;
    go.txs = 96;
    go.accounts = 192;
    go.seed = 3;
    char err[512];
    int rc = gen_write_fixture(&go, dir, NULL, err, sizeof err);
    if (rc != PAREVM_OK)
        fail_msg("gen_write_fixture: %s", err);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture f;
    assert_int_equal(mainnet_load(dir, &cfg, &f, err, sizeof err), PAREVM_OK);
    int threads_before = thread_baseline();
    struct exec_env *env;
    assert_int_equal(exec_env_create(&env), PAREVM_OK);

    struct block_result want;
    struct world w;
    assert_int_equal(world_clone(&f.pre, &w), PAREVM_OK);
    struct exec_options seq = {.threads = 1, .env = env};
    assert_int_equal(exec_block_parallel(&cfg, &f.block, &w, &f.hashes, &seq, &want, NULL), PAREVM_OK);
    hash32 want_root;
    assert_int_equal(world_state_root(&w, &want_root), PAREVM_OK);
    world_free(&w);

    struct exec_options runs[] = {
        {.threads = 3, .env = env, .force = true, .partition = EXEC_PARTITION_ALWAYS},
        {.threads = 2, .env = env, .force = true, .partition = EXEC_PARTITION_OFF},
        {.threads = 4, .env = env, .force = true, .record = true},
        {.threads = 2, .env = env},
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        struct block_result got;
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        assert_int_equal(world_clone(&f.pre, &w), PAREVM_OK);
        assert_int_equal(exec_block_parallel(&cfg, &f.block, &w, &f.hashes, &runs[k], &got, &stats),
                         PAREVM_OK);
        assert_true(block_result_equal(&want, &got));
        hash32 root;
        assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
        assert_memory_equal(&root, &want_root, sizeof root);
        if (runs[k].force)
            assert_true(stats.parallel);
        exec_stats_reset(&stats);
        block_result_free(&got);
        world_free(&w);
    }
    assert_true(thread_count() > threads_before);
    exec_env_destroy(env);
    assert_int_equal(thread_count(), threads_before);
    block_result_free(&want);
    mainnet_fixture_free(&f);
    remove_fixture(dir);
}

/* Contexts alive at once, in use from several threads: each one's
 * workers are its own, and all of them are gone once they are
 * destroyed. */
struct side {
    parevm_ctx *ctx;
    const char *dir;
    struct outcome o;
};

static void *side_main(void *arg)
{
    struct side *s = arg;
    parevm_block *b = NULL;
    parevm_state *st = NULL;
    char err[512];
    if (parevm_block_from_fixture(s->ctx, s->dir, &b, &st, err, sizeof err) != PAREVM_OK)
        return NULL;
    parevm_state_provider p;
    parevm_state_provider_of(st, &p);
    parevm_execute_options opt = {PAREVM_ENGINE_BLOCK_STM, 3};
    parevm_result *r = NULL;
    if (parevm_execute_block(s->ctx, b, &p, &opt, &r) == PAREVM_OK) {
        s->o.gas = parevm_result_gas_used(r);
        parevm_result_receipts_root(r, s->o.receipts_root);
        parevm_result_logs_bloom(r, s->o.bloom);
        s->o.receipts = parevm_result_receipt_count(r);
    }
    parevm_result_destroy(r);
    parevm_state_destroy(st);
    parevm_block_destroy(b);
    return NULL;
}

static void test_contexts_at_once(void **state)
{
    (void)state;
    char dir[64];
    make_tmpdir(dir, "ctx2");
    struct gen_options go;
    gen_options_default(&go);
    go.kind = GEN_TRANSFERS;
    go.txs = 40;
    go.accounts = 80;
    go.seed = 7;
    char err[512];
    int rc = gen_write_fixture(&go, dir, NULL, err, sizeof err);
    if (rc != PAREVM_OK)
        fail_msg("gen_write_fixture: %s", err);
    int threads_before = thread_baseline();
    enum { SIDES = 4 };
    struct side sides[SIDES];
    pthread_t tids[SIDES];
    for (int i = 0; i < SIDES; i++) {
        memset(&sides[i], 0, sizeof sides[i]);
        sides[i].ctx = parevm_ctx_create(NULL);
        assert_non_null(sides[i].ctx);
        sides[i].dir = dir;
        assert_int_equal(pthread_create(&tids[i], NULL, side_main, &sides[i]), 0);
    }
    for (int i = 0; i < SIDES; i++)
        pthread_join(tids[i], NULL);
    for (int i = 0; i < SIDES; i++) {
        assert_int_equal(sides[i].o.receipts, go.txs);
        assert_memory_equal(&sides[i].o, &sides[0].o, sizeof sides[0].o);
        parevm_ctx_destroy(sides[i].ctx);
    }
    assert_int_equal(thread_count(), threads_before);
    remove_fixture(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guard_per_env),    cmocka_unit_test(test_guard_per_fork),
        cmocka_unit_test(test_hundred_contexts), cmocka_unit_test(test_env_engines),
        cmocka_unit_test(test_contexts_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
