/*
 * parevm gen's contract scenarios (amm, lending, nft, supply, dao, mixed)
 * at low (--zipf 0) and high (--zipf 1.2) contention: each generated
 * block loads with the mainnet loader, reproduces its own header, has
 * (nearly) every transaction succeed, gives the same result and post-state
 * root in the forced parallel engine at 1, 2, 4 and 8 threads as
 * sequentially, shows the contention it promises in its dependency graph,
 * and is byte-identical when generated twice.
 *
 * The generator is part of the command-line tool, not the library, so it
 * is compiled into this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/tools/gen.c"
#include "../src/tools/gen_workloads.c"

#include "../src/io/mainnet.h"
#include "fixture_dir.h"

#define SCENARIO_TXS 60


static struct gen_options scenario_options(enum gen_kind kind, double zipf, uint64_t seed)
{
    struct gen_options o;
    gen_options_default(&o);
    o.kind = kind;
    o.txs = SCENARIO_TXS;
    o.zipf = zipf;
    o.seed = seed;
    return o;
}

static void generate(const struct gen_options *o, const char *dir)
{
    char err[512];
    if (gen_write_fixture(o, dir, NULL, err, sizeof err) != PAREVM_OK)
        fail_msg("gen %s: %s", gen_kind_name(o->kind), err);
}

/* Sum of the dependency graph's edges. */
static size_t dependency_edges(const struct exec_stats *s)
{
    size_t edges = 0;
    for (size_t i = 0; i < s->tx_count; i++)
        edges += s->dep_counts ? s->dep_counts[i] : 0;
    return edges;
}

/* What contention a scenario's dependency graph must show. */
enum expect { EXPECT_NONE, EXPECT_SOME, EXPECT_CHAIN, EXPECT_ANY };

static void check_scenario(enum gen_kind kind, double zipf, enum expect expect)
{
    struct gen_options o = scenario_options(kind, zipf, 7);
    char dir[64], again[64];
    make_tmpdir(dir, "scenarios");
    make_tmpdir(again, "scenarios");
    generate(&o, dir);
    generate(&o, again);
    for (size_t f = 0; f < 3; f++) { /* deterministic */
        char pa[256], pb[256];
        snprintf(pa, sizeof pa, "%s/%s", dir, fixture_files[f]);
        snprintf(pb, sizeof pb, "%s/%s", again, fixture_files[f]);
        size_t la, lb;
        char *a = read_all(pa, &la), *b = read_all(pb, &lb);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
    }
    remove_fixture(again);

    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture fx;
    char err[512];
    if (mainnet_load(dir, &cfg, &fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load %s: %s", gen_kind_name(kind), err);
    remove_fixture(dir);
    assert_int_equal(fx.block.tx_count, SCENARIO_TXS);

    /* Sequential: the header is what execution gives. */
    struct world seq;
    struct block_result want;
    assert_int_equal(world_clone(&fx.pre, &seq), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, &fx.block, &seq, &fx.hashes, &want), PAREVM_OK);
    assert_false(want.invalid);
    const struct block_header *h = &fx.block.header;
    assert_int_equal(want.gas_used, h->gas_used);
    assert_memory_equal(want.receipts_root.bytes, h->receipts_root.bytes, 32);
    assert_memory_equal(want.logs_bloom, h->logs_bloom, 256);
    hash32 root;
    assert_int_equal(world_state_root(&seq, &root), PAREVM_OK);
    assert_memory_equal(root.bytes, h->state_root.bytes, 32);
    size_t ok = 0, logs = 0;
    for (size_t i = 0; i < want.receipt_count; i++) {
        ok += want.receipts[i].status != 0;
        logs += want.receipts[i].log_count;
    }
    assert_true(ok * 100 >= 95 * want.receipt_count); /* real work, not reverts */
    assert_true(logs >= want.receipt_count / 2);      /* the contracts emit events */

    /* Parallel, forced, at 1, 2, 4, 8 threads: identical. */
    static const int threads[] = {1, 2, 4, 8};
    size_t edges = 0;
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct world par;
        struct block_result got;
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        struct exec_options opt = {.threads = threads[t], .force = true};
        assert_int_equal(world_clone(&fx.pre, &par), PAREVM_OK);
        assert_int_equal(exec_block_parallel(&cfg, &fx.block, &par, &fx.hashes, &opt, &got, &stats),
                         PAREVM_OK);
        if (!block_result_equal(&want, &got))
            fail_msg("%s zipf %.1f: parallel result at %d threads differs", gen_kind_name(kind), zipf,
                     threads[t]);
        hash32 par_root;
        assert_int_equal(world_state_root(&par, &par_root), PAREVM_OK);
        assert_memory_equal(par_root.bytes, root.bytes, 32);
        if (t == 0)
            edges = dependency_edges(&stats);
        exec_stats_reset(&stats);
        block_result_free(&got);
        world_free(&par);
    }
    /* The dependency graph (of the one-thread run, where every read sees
     * the final writes below it) shows the contention promised. */
    switch (expect) {
    case EXPECT_NONE:
        if (edges != 0)
            fail_msg("%s zipf %.1f: %zu dependencies, expected none", gen_kind_name(kind), zipf, edges);
        break;
    case EXPECT_SOME:
        if (edges == 0)
            fail_msg("%s zipf %.1f: no dependencies, expected contention", gen_kind_name(kind), zipf);
        break;
    case EXPECT_CHAIN: /* every transaction after the first reads the one before */
        if (edges < SCENARIO_TXS - 1)
            fail_msg("%s zipf %.1f: %zu dependencies, expected a chain", gen_kind_name(kind), zipf, edges);
        break;
    case EXPECT_ANY:
        break;
    }
    block_result_free(&want);
    world_free(&seq);
    mainnet_fixture_free(&fx);
    rmdir(dir);
}

static void test_amm(void **state)
{
    (void)state;
    check_scenario(GEN_AMM, 0, EXPECT_NONE);
    check_scenario(GEN_AMM, 1.2, EXPECT_SOME);
}

static void test_lending(void **state)
{
    (void)state;
    check_scenario(GEN_LENDING, 0, EXPECT_CHAIN);
    check_scenario(GEN_LENDING, 1.2, EXPECT_CHAIN);
}

static void test_nft(void **state)
{
    (void)state;
    check_scenario(GEN_NFT, 0, EXPECT_NONE);
    check_scenario(GEN_NFT, 1.2, EXPECT_SOME);
}

static void test_supply(void **state)
{
    (void)state;
    check_scenario(GEN_SUPPLY, 0, EXPECT_NONE);
    check_scenario(GEN_SUPPLY, 1.2, EXPECT_SOME);
}

static void test_dao(void **state)
{
    (void)state;
    /* zipf 0: only the few stakes share the vault's token balance. */
    check_scenario(GEN_DAO, 0, EXPECT_ANY);
    check_scenario(GEN_DAO, 1.2, EXPECT_SOME);
}

static void test_mixed(void **state)
{
    (void)state;
    check_scenario(GEN_MIXED, 0, EXPECT_ANY); /* its lending share is serial */
    check_scenario(GEN_MIXED, 1.2, EXPECT_SOME);
}

/* Other forks, knobs and seeds give valid, different blocks. */
static void test_knobs_and_forks(void **state)
{
    (void)state;
    static const enum fork forks[] = {FORK_LONDON, FORK_PARIS, FORK_SHANGHAI};
    struct gen_summary base, s;
    char dir[64], err[512];
    make_tmpdir(dir, "scenarios");
    struct gen_options o = scenario_options(GEN_MIXED, 0.8, 3);
    o.txs = 30;
    assert_int_equal(gen_write_fixture(&o, dir, &base, err, sizeof err), PAREVM_OK);
    for (size_t f = 0; f < sizeof forks / sizeof forks[0]; f++) {
        o.fork = forks[f];
        if (gen_write_fixture(&o, dir, &s, err, sizeof err) != PAREVM_OK)
            fail_msg("%s: %s", fork_name(forks[f]), err);
        assert_memory_not_equal(s.hash.bytes, base.hash.bytes, 32);
    }
    o = scenario_options(GEN_AMM, 1.0, 3);
    o.txs = 20;
    o.pools = 3; /* three tokens, three pairs: heavy contention */
    assert_int_equal(gen_write_fixture(&o, dir, &base, err, sizeof err), PAREVM_OK);
    o.seed = 4;
    assert_int_equal(gen_write_fixture(&o, dir, &s, err, sizeof err), PAREVM_OK);
    assert_memory_not_equal(s.hash.bytes, base.hash.bytes, 32);
    o = scenario_options(GEN_SUPPLY, 0, 3);
    o.txs = 20;
    o.items = 5; /* fewer items than checkpoints: the permutation wraps */
    assert_int_equal(gen_write_fixture(&o, dir, &s, err, sizeof err), PAREVM_OK);
    o = scenario_options(GEN_DAO, 0, 3);
    o.txs = 20;
    o.proposals = 4;
    assert_int_equal(gen_write_fixture(&o, dir, &s, err, sizeof err), PAREVM_OK);
    o.proposals = 3; /* too few for three phases */
    assert_int_equal(gen_write_fixture(&o, dir, &s, err, sizeof err), PAREVM_ERR_ARG);
    assert_non_null(strstr(err, "--proposals"));
    o = scenario_options(GEN_NFT, 0, 3);
    o.accounts = 2 * o.txs - 1; /* distinct partners need 2N */
    assert_int_equal(gen_write_fixture(&o, dir, &s, err, sizeof err), PAREVM_ERR_ARG);
    remove_fixture(dir);
}

static int cli(int argc, const char **argv)
{
    return cli_gen(argc, (char **)argv);
}

static void test_cli(void **state)
{
    (void)state;
    const char *bad_scenario[] = {"gen", "uniswap", "--txs", "1", "--out", "/tmp/x"};
    assert_int_equal(cli(6, bad_scenario), CLI_EXIT_USAGE);
    const char *wrong_knob[] = {"gen", "nft", "--txs", "1", "--pools", "4", "--out", "/tmp/x"};
    assert_int_equal(cli(8, wrong_knob), CLI_EXIT_USAGE);
    const char *zero_knob[] = {"gen", "amm", "--txs", "1", "--pools", "0", "--out", "/tmp/x"};
    assert_int_equal(cli(8, zero_knob), CLI_EXIT_USAGE);
    const char *few_proposals[] = {"gen", "dao", "--txs", "1", "--proposals", "2", "--out", "/tmp/x"};
    assert_int_equal(cli(8, few_proposals), CLI_EXIT_USAGE);
    const char *no_txs[] = {"gen", "amm", "--out", "/tmp/x"};
    assert_int_equal(cli(4, no_txs), CLI_EXIT_USAGE);

    char dir[64];
    make_tmpdir(dir, "scenarios");
    const char *ok[] = {"gen",     "amm", "--txs",  "5", "--zipf", "1.2",
                        "--pools", "4",   "--seed", "9", "--out",  dir};
    assert_int_equal(cli(12, ok), CLI_EXIT_OK);
    size_t len;
    char path[128];
    snprintf(path, sizeof path, "%s/pre_state.json", dir);
    char *pre = read_all(path, &len);
    assert_non_null(pre);
    assert_true(len > AMM_PAIR_CREATION_LEN); /* pairs, router, tokens deployed */
    free(pre);
    remove_fixture(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amm), cmocka_unit_test(test_lending),
        cmocka_unit_test(test_nft), cmocka_unit_test(test_supply),
        cmocka_unit_test(test_dao), cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_cli), cmocka_unit_test(test_knobs_and_forks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
