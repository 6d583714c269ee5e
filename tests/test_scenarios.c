/*
 * parevm gen's contract scenarios (amm, lending, nft, supply, dao, mixed,
 * smart) at low (--zipf 0) and high (--zipf 1.2) contention, and the
 * adversarial ones (storm, memory, hotbalance, redeploy, create2,
 * recursion): each generated block loads with the mainnet loader,
 * reproduces its own header, has (nearly) every transaction succeed,
 * gives the same result and post-state root in the forced parallel
 * engine at 1, 2, 4 and 8 threads (adversarial: and 64) as sequentially,
 * shows the contention it promises in its dependency graph, and is
 * byte-identical when generated twice.
 *
 * The generator is part of the command-line tool, not the library: this
 * test links its objects (gen_internal.h: the steps it checks one by one).
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

#include "../src/base/keccak.h"
#include "../src/tools/cli.h"
#include "../src/tools/gen.h"
#include "../src/tools/gen_internal.h"
#include "../src/tools/workload_contracts.h"

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
    /* The contracts emit events; the adversarial ones (hand-assembled) do
     * not, and they also run at 64 threads. */
    bool adversarial = kind >= GEN_STORM;
    assert_true(adversarial || logs >= want.receipt_count / 2);

    /* Parallel, forced, at 1, 2, 4, 8 (adversarial: and 64) threads:
     * identical. */
    static const int threads[] = {1, 2, 4, 8, 64};
    size_t edges = 0;
    for (size_t t = 0; t < sizeof threads / sizeof threads[0] - !adversarial; t++) {
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
    if (kind == GEN_STORM) {
        /* With the guard on (not forced) and the partitioned pass first:
         * in a fresh process the engine tries the block, gives up on it
         * and commits the pass's final prefix before running the rest
         * sequentially. Identical all the same. */
        struct world par;
        struct block_result got;
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        struct exec_options opt = {.threads = 2, .partition = EXEC_PARTITION_ALWAYS, .no_sample = true};
        assert_int_equal(world_clone(&fx.pre, &par), PAREVM_OK);
        assert_int_equal(exec_block_parallel(&cfg, &fx.block, &par, &fx.hashes, &opt, &got, &stats),
                         PAREVM_OK);
        if (!block_result_equal(&want, &got))
            fail_msg("storm: the guarded run differs (gave up: %d, prefix kept: %zu)", stats.par.contended,
                     stats.partition_kept);
        hash32 par_root;
        assert_int_equal(world_state_root(&par, &par_root), PAREVM_OK);
        assert_memory_equal(par_root.bytes, root.bytes, 32);
        if (getenv("PAREVM_TEST_VERBOSE"))
            print_message("storm guarded: gave up %d, prefix kept %zu\n", stats.par.contended,
                          stats.partition_kept);
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

/* smart (EIP-7702, Prague): the files load and verify as the other
 * scenarios' do; the block built in memory (gen_build) is checked further:
 * transaction kinds, delegations before and after, parallel runs. */
struct smart_counts {
    size_t self_delegate, relay_delegate, self_batch, relay_batch, authorizations;
    size_t used_in_block; /* relayed batches of accounts delegated earlier in the block */
};

static bool smart_is_batcher_designator(const struct world_account *a, const address *batcher)
{
    address target;
    return a && a->code && code_delegation_target(a->code->bytes, a->code->len, &target) &&
           address_eq(&target, batcher);
}

static void check_smart(double zipf, enum expect expect)
{
    struct gen_options o = scenario_options(GEN_SMART, zipf, 7);
    o.fork = FORK_PRAGUE;
    char dir[64], again[64], err_files[512];
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
        if (f == 0) /* EIP-7702 transactions in RPC form */
            assert_non_null(strstr(a, "\"authorizationList\":[{\"chainId\":\"0x1\",\"address\":\"0x"));
        free(a);
        free(b);
    }
    remove_fixture(again);

    /* The files: the mainnet loader reads the type-4 transactions and
     * the requests hash, and executing them gives the header (EIP-7685
     * requests hash included; the Prague system contracts are in the
     * pre-state). */
    struct chain_config mainnet;
    chain_config_mainnet(&mainnet);
    struct mainnet_fixture fx;
    if (mainnet_load(dir, &mainnet, &fx, err_files, sizeof err_files) != PAREVM_OK)
        fail_msg("mainnet_load smart: %s", err_files);
    assert_int_equal(chain_config_header_fork(&mainnet, &fx.block.header), FORK_PRAGUE);
    assert_true(fx.block.header.has_requests_hash);
    struct world fw;
    struct block_result fr;
    assert_int_equal(world_clone(&fx.pre, &fw), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&mainnet, &fx.block, &fw, &fx.hashes, &fr), PAREVM_OK);
    assert_false(fr.invalid);
    assert_int_equal(fr.gas_used, fx.block.header.gas_used);
    assert_memory_equal(fr.receipts_root.bytes, fx.block.header.receipts_root.bytes, 32);
    assert_true(fr.has_requests);
    assert_memory_equal(fr.requests_hash.bytes, fx.block.header.requests_hash.bytes, 32);
    hash32 file_root;
    assert_int_equal(world_state_root(&fw, &file_root), PAREVM_OK);
    assert_memory_equal(file_root.bytes, fx.block.header.state_root.bytes, 32);
    block_result_free(&fr);
    world_free(&fw);
    mainnet_fixture_free(&fx);
    remove_fixture(dir);
    rmdir(dir);

    /* The same block in memory (as gen_write_fixture builds it). */
    o = gen_options_resolve(&o);
    struct gen g;
    memset(&g, 0, sizeof g);
    char err[512] = "";
    g.opt = &o;
    g.fp = gen_fork_params(o.fork);
    g.err = err;
    g.err_len = sizeof err;
    if (gen_build(&g) != PAREVM_OK)
        fail_msg("smart: %s", err);
    const struct block *blk = &g.block;
    assert_int_equal(blk->tx_count, SCENARIO_TXS);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    assert_int_equal(chain_config_header_fork(&cfg, &blk->header), FORK_PRAGUE);

    /* Sequential again, on a copy of the pre-state: the header's values. */
    struct world seq;
    struct block_result want;
    uint64_t parent_number = blk->header.number - 1;
    struct block_hashes hashes = {&parent_number, &g.parent_hash, 1};
    assert_int_equal(world_clone(&g.workload.pre, &seq), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, blk, &seq, &hashes, &want), PAREVM_OK);
    assert_false(want.invalid);
    assert_int_equal(want.gas_used, blk->header.gas_used);
    assert_memory_equal(want.receipts_root.bytes, blk->header.receipts_root.bytes, 32);
    hash32 root;
    assert_int_equal(world_state_root(&seq, &root), PAREVM_OK);
    assert_memory_equal(root.bytes, blk->header.state_root.bytes, 32);

    /* Every transaction kind occurs; every batch ran (its last log is
     * Batcher's Executed, emitted by the account: a call to an account
     * that is not delegated would succeed without any log). */
    static const char event[] = "Executed(address,uint256,uint256)";
    hash32 executed = keccak256_hash(event, sizeof event - 1);
    struct smart_counts n;
    memset(&n, 0, sizeof n);
    bool in_block_use[SCENARIO_TXS] = {false};
    address batcher = {{0}};
    bool have_batcher = false;
    for (size_t i = 0; i < blk->tx_count; i++) {
        const struct tx *t = &blk->txs[i];
        const struct receipt *r = &want.receipts[i];
        assert_true(r->status);
        assert_true(r->log_count >= 1);
        const struct log *last = &r->logs[r->log_count - 1];
        assert_memory_equal(last->addr.bytes, t->to.bytes, 20);
        assert_memory_equal(last->topics[0].bytes, executed.bytes, 32);
        /* The account is delegated to the Batcher after the block. */
        struct world_account *acct = world_get(&seq, &t->to);
        assert_non_null(acct);
        address target;
        assert_true(acct->code && code_delegation_target(acct->code->bytes, acct->code->len, &target));
        if (!have_batcher) {
            batcher = target;
            have_batcher = true;
        }
        assert_memory_equal(target.bytes, batcher.bytes, 20);
        bool self = address_eq(&t->sender, &t->to);
        if (t->type == 4) {
            assert_true(t->authorization_count >= 1 && t->authorization_count <= 3);
            n.authorizations += t->authorization_count;
            for (size_t k = 0; k < t->authorization_count; k++) {
                const struct authorization *au = &t->authorizations[k];
                address authority;
                assert_int_equal(tx_authorization_authority(au, &authority), PAREVM_OK);
                assert_memory_equal(au->addr.bytes, batcher.bytes, 20);
                /* Not delegated before, delegated after. */
                assert_false(smart_is_batcher_designator(world_get(&g.workload.pre, &authority), &batcher));
                assert_true(smart_is_batcher_designator(world_get(&seq, &authority), &batcher));
                const struct world_account *pre = world_get(&g.workload.pre, &authority);
                /* EIP-7702: the sender's own authorization takes its nonce + 1. */
                assert_int_equal(au->nonce, pre->nonce + address_eq(&authority, &t->sender));
            }
            if (self)
                n.self_delegate++;
            else
                n.relay_delegate++;
        } else {
            assert_int_equal(t->type, 2);
            if (self) {
                n.self_batch++;
            } else {
                n.relay_batch++;
                /* Delegated by an earlier transaction of this block? */
                if (!smart_is_batcher_designator(world_get(&g.workload.pre, &t->to), &batcher)) {
                    n.used_in_block++;
                    in_block_use[i] = true;
                }
            }
        }
    }
    assert_true(n.self_delegate > 0 && n.relay_delegate > 0 && n.self_batch > 0 && n.relay_batch > 0);
    assert_true(n.authorizations > n.self_delegate + n.relay_delegate); /* some carry several */
    assert_true(n.used_in_block > 0);

    /* Parallel, forced, at 1, 2, 4, 8 threads: identical. */
    static const int threads[] = {1, 2, 4, 8};
    size_t edges = 0;
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct world par;
        struct block_result got;
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        struct exec_options opt = {.threads = threads[t], .force = true};
        assert_int_equal(world_clone(&g.workload.pre, &par), PAREVM_OK);
        assert_int_equal(exec_block_parallel(&cfg, blk, &par, &hashes, &opt, &got, &stats), PAREVM_OK);
        if (!block_result_equal(&want, &got))
            fail_msg("smart zipf %.1f: parallel result at %d threads differs", zipf, threads[t]);
        hash32 par_root;
        assert_int_equal(world_state_root(&par, &par_root), PAREVM_OK);
        assert_memory_equal(par_root.bytes, root.bytes, 32);
        if (t == 0) {
            edges = dependency_edges(&stats);
            /* zipf 0: the batches are disjoint; a transaction depends on
             * another only by running a delegation written before it in
             * the block, and such one always does. */
            for (size_t i = 0; zipf == 0 && i < stats.tx_count; i++) {
                size_t deps = stats.dep_counts ? stats.dep_counts[i] : 0;
                if ((deps > 0) != in_block_use[i])
                    fail_msg("smart zipf 0: transaction %zu has %zu dependencies (uses a delegation of the "
                             "block: %d)",
                             i, deps, in_block_use[i]);
            }
        }
        exec_stats_reset(&stats);
        block_result_free(&got);
        world_free(&par);
    }
    if (expect == EXPECT_NONE && edges != 0)
        fail_msg("smart zipf %.1f: %zu dependencies, expected none", zipf, edges);
    if (expect == EXPECT_SOME && edges == 0)
        fail_msg("smart zipf %.1f: no dependencies, expected contention", zipf);
    block_result_free(&want);
    world_free(&seq);
    gen_free(&g);
}

/* Adversarial blocks: a conflict storm on one counter slot (a chain at
 * any zipf), memory-heavy independent transactions, a hot balance,
 * self-destruct/redeploy cycles and CREATE2 collisions. */
static void test_adversarial(void **state)
{
    (void)state;
    check_scenario(GEN_STORM, 0, EXPECT_CHAIN);
    check_scenario(GEN_MEMORY, 0, EXPECT_NONE);
    /* One account paid by every transaction: blind credits, no reads. */
    check_scenario(GEN_HOTBALANCE, 0, EXPECT_NONE);
    /* One address created and self-destructed by every transaction, and
     * a CREATE2 salt reused: chains through the factory's nonce. */
    check_scenario(GEN_REDEPLOY, 0, EXPECT_CHAIN);
    check_scenario(GEN_CREATE2, 0, EXPECT_CHAIN);
    /* Every transaction ~490 frames deep, nothing written: independent. */
    check_scenario(GEN_RECURSION, 0, EXPECT_NONE);
}

/* The EIP-3155 trace of transaction tx: sequential (threads 0) or from the
 * forced parallel engine at `threads`. Returns the text (malloc'd). */
static char *scenario_trace(const struct mainnet_fixture *fx, size_t tx, int threads)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    struct exec_trace trace = {tx, out, PAREVM_OK};
    struct exec_options opt = {.threads = threads ? threads : 1, .force = threads > 0, .trace = &trace};
    struct block_result res;
    struct world w;
    assert_int_equal(world_clone(&fx->pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_parallel(&cfg, &fx->block, &w, &fx->hashes, &opt, &res, NULL), PAREVM_OK);
    assert_false(res.invalid);
    assert_true(res.receipts[tx].status);
    block_result_free(&res);
    world_free(&w);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(trace.error, PAREVM_OK);
    return text;
}

/* recursion: how deep the chain of self-calls goes, known-answer. With
 * 16,000,000 gas, 15,979,000 after the intrinsic 21000, each frame pays
 * 19 gas (PUSH1, 4 DUP1, ADDRESS, GAS) and the warm CALL's 100, and
 * hands on the rest less a 64th (EIP-150); the 488th frame gets 0 gas and
 * fails on its first PUSH1; the 487 above it return normally. The trace
 * at 64 threads (forced) is the sequential one. */
static void test_recursion_depth(void **state)
{
    (void)state;
    struct gen_options o = scenario_options(GEN_RECURSION, 0, 11);
    o.txs = 8;
    char dir[64], err[512];
    make_tmpdir(dir, "scenarios");
    generate(&o, dir);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture fx;
    if (mainnet_load(dir, &cfg, &fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load recursion: %s", err);
    remove_fixture(dir);
    rmdir(dir);
    char *seq = scenario_trace(&fx, 3, 0), *par = scenario_trace(&fx, 3, 64);
    assert_string_equal(seq, par);
    long deepest = 0;
    size_t failed = 0;
    for (const char *p = seq; (p = strstr(p, "\"depth\":")) != NULL; p++) {
        long d = strtol(p + 8, NULL, 10);
        deepest = d > deepest ? d : deepest;
    }
    for (const char *p = seq; (p = strstr(p, "\"error\":\"out of gas\"")) != NULL; p++)
        failed++;
    assert_int_equal(deepest, 488); /* EIP-3155 depth: 1 is the transaction's frame */
    assert_int_equal(failed, 1);    /* only the deepest frame */
    free(seq);
    free(par);
    mainnet_fixture_free(&fx);
}

/* The contention probe: a block large enough to be probed (512
 * transactions or more) gives the sequential result with the guard on,
 * in any process; a storm, redeploy cycles and CREATE2 collisions run
 * sequentially (the probe saw the hot slot, address or nonce), and so
 * does a block of cheap transactions whose partitioned pass would fail
 * at two workers. */
static void check_probe(enum gen_kind kind, double zipf, int threads, bool serial)
{
    struct gen_options o = scenario_options(kind, zipf, 9);
    o.txs = 600;
    char dir[64], err[512];
    make_tmpdir(dir, "scenarios");
    generate(&o, dir);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture fx;
    if (mainnet_load(dir, &cfg, &fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load %s: %s", gen_kind_name(kind), err);
    remove_fixture(dir);
    rmdir(dir);
    struct world seq, par;
    struct block_result want, got;
    assert_int_equal(world_clone(&fx.pre, &seq), PAREVM_OK);
    assert_int_equal(world_clone(&fx.pre, &par), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, &fx.block, &seq, &fx.hashes, &want), PAREVM_OK);
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    struct exec_options opt = {.threads = threads, .no_sample = true};
    assert_int_equal(exec_block_parallel(&cfg, &fx.block, &par, &fx.hashes, &opt, &got, &stats), PAREVM_OK);
    if (!block_result_equal(&want, &got))
        fail_msg("%s: the guarded run differs", gen_kind_name(kind));
    if (serial && stats.parallel)
        fail_msg("%s: the probe let a serial block go parallel", gen_kind_name(kind));
    hash32 a, b;
    assert_int_equal(world_state_root(&seq, &a), PAREVM_OK);
    assert_int_equal(world_state_root(&par, &b), PAREVM_OK);
    assert_memory_equal(a.bytes, b.bytes, 32);
    exec_stats_reset(&stats);
    block_result_free(&want);
    block_result_free(&got);
    world_free(&seq);
    world_free(&par);
    mainnet_fixture_free(&fx);
}

static void test_probe(void **state)
{
    (void)state;
    check_probe(GEN_STORM, 0, 4, true);
    check_probe(GEN_REDEPLOY, 0, 4, true);
    check_probe(GEN_CREATE2, 0, 4, true);
    check_probe(GEN_HOTBALANCE, 0, 4, false);
    check_probe(GEN_RECURSION, 0, 4, false);
    /* Hot recipients that also send (zipf 1.5): at two workers the
     * partitioned pass would fail, and Block-STM alone does not pay for
     * transactions of 21,000 gas (guard.c, GUARD_CROSSING_MIN_GAS). */
    check_probe(GEN_TRANSFERS, 1.5, 2, true);
    /* (crossing too, with 34,000 gas a transaction: whether Block-STM
     * runs it depends on how long the probe's samples took; identical
     * either way) */
    check_probe(GEN_ERC20, 1.2, 2, false);
    /* (sampled: this one's crossing reads are not among the samples at
     * 600 transactions; identical either way) */
    check_probe(GEN_TRANSFERS, 1.2, 2, false);
    check_probe(GEN_ERC20, 0, 2, false);
}

static void test_smart(void **state)
{
    (void)state;
    /* zipf 0: disjoint batches, except the later use of a delegation a
     * relayed type-4 transaction wrote (a real dependency). */
    check_smart(0, EXPECT_SOME);
    check_smart(1.2, EXPECT_SOME);

    /* EIP-7702 needs Prague: earlier forks are refused, by name. */
    struct gen_options o = scenario_options(GEN_SMART, 0, 7);
    char err[256];
    o.fork = FORK_CANCUN;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    assert_non_null(strstr(err, "Prague"));
    o.fork = FORK_PRAGUE;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
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
    const char *smart_cancun[] = {"gen", "smart", "--txs", "4", "--fork", "Cancun", "--out", "/tmp/x"};
    assert_int_equal(cli(8, smart_cancun), CLI_EXIT_USAGE); /* EIP-7702 needs Prague */

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
    const char *smart[] = {"gen", "smart", "--txs", "6", "--out", dir}; /* Prague by default */
    assert_int_equal(cli(6, smart), CLI_EXIT_OK);
    snprintf(path, sizeof path, "%s/block.json", dir);
    char *block = read_all(path, &len);
    assert_non_null(block);
    assert_non_null(strstr(block, "\"number\":\"0x158d940\"")); /* 22600000: Prague's place */
    free(block);
    remove_fixture(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amm),
        cmocka_unit_test(test_lending),
        cmocka_unit_test(test_nft),
        cmocka_unit_test(test_supply),
        cmocka_unit_test(test_dao),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_smart),
        cmocka_unit_test(test_adversarial),
        cmocka_unit_test(test_recursion_depth),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_knobs_and_forks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
