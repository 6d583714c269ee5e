/*
 * Determinism: every mainnet snapshot, every BlockchainTest and generated
 * synthetic blocks (ETH and ERC-20 transfers and every contract workload,
 * independent and Zipf contended) executed with the parallel engine at 1, 2, 3, 4, 8, 16 and 64
 * threads give exactly the sequential block result and post-state.
 * PAREVM_STRESS_ROUNDS repeats each (default 1; `make stress` runs 20).
 * Without fixtures, the fixture suites print "skipped: fixtures not found"
 * and the synthetic blocks still run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/exec/exec.h"
#include "../src/io/blocktest.h"
#include "../src/io/mainnet.h"
/* The generator lives with the CLI; this test links its objects. */
#include "../src/tools/gen.h"

static const int thread_counts[] = {1, 2, 3, 4, 8, 16, 64};
#define THREAD_COUNTS (sizeof thread_counts / sizeof thread_counts[0])
/* Every other thread count tries the partitioned pass on every block
 * (exec/partition.h): where it holds its outputs are committed, where it
 * does not its fallback to Block-STM runs; the others use the default. */
static enum exec_partition partition_mode(size_t t)
{
    return t % 2 ? EXEC_PARTITION_ALWAYS : EXEC_PARTITION_AUTO;
}

static int rounds(void)
{
    const char *s = getenv("PAREVM_STRESS_ROUNDS");
    int r = s ? atoi(s) : 1;
    return r > 0 ? r : 1;
}

static const char *fixtures(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    static char path[4096];
    snprintf(path, sizeof path, "%s", env && *env ? env : "../shared/fixtures");
    struct stat st;
    return stat(path, &st) == 0 ? path : NULL;
}

/* Run f sequentially once and in parallel at every thread count, rounds
 * times; everything must be identical. */
static void check_fixture(const struct mainnet_fixture *f)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    /* As `parevm run` and `bench` do: the snapshots' pre-states are
     * partial, so pre-Byzantium receipts carry no intermediate roots, and
     * those blocks too go through the parallel engine. */
    cfg.skip_intermediate_roots = true;
    struct world w;
    struct block_result ref;
    hash32 ref_root;
    assert_int_equal(world_clone(&f->pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, &f->block, &w, &f->hashes, &ref), PAREVM_OK);
    assert_false(ref.invalid);
    assert_int_equal(world_state_root(&w, &ref_root), PAREVM_OK);
    world_free(&w);
    for (int r = 0; r < rounds(); r++) {
        for (size_t t = 0; t < THREAD_COUNTS; t++) {
            struct exec_options opt = {
                .threads = thread_counts[t], .force = true, .partition = partition_mode(t)};
            struct block_result res;
            hash32 root;
            assert_int_equal(world_clone(&f->pre, &w), PAREVM_OK);
            assert_int_equal(exec_block_parallel(&cfg, &f->block, &w, &f->hashes, &opt, &res, NULL), PAREVM_OK);
            assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
            world_free(&w);
            if (!block_result_equal(&ref, &res) || !hash32_eq(&ref_root, &root)) {
                fprintf(stderr, "block %llu differs at %d threads (round %d)\n",
                        (unsigned long long)f->block.header.number, thread_counts[t], r);
                fail();
            }
            block_result_free(&res);
        }
    }
    block_result_free(&ref);
}

static void test_mainnet(void **state)
{
    (void)state;
    const char *fx = fixtures();
    char dir[4200];
    if (!fx || (snprintf(dir, sizeof dir, "%s/mainnet", fx), access(dir, R_OK) != 0)) {
        printf("skipped: fixtures not found\n");
        skip();
    }
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int blocks = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[4500];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct chain_config cfg;
        chain_config_mainnet(&cfg);
        struct mainnet_fixture f;
        char err[256];
        assert_int_equal(mainnet_load(path, &cfg, &f, err, sizeof err), PAREVM_OK);
        check_fixture(&f);
        mainnet_fixture_free(&f);
        blocks++;
    }
    closedir(d);
    assert_true(blocks > 0);
}

static void collect_json(const char *dir, char ***out, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect_json(path, out, n, cap);
        } else if (strlen(e->d_name) > 5 && !strcmp(e->d_name + strlen(e->d_name) - 5, ".json")) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 256;
                *out = realloc(*out, *cap * sizeof **out);
            }
            (*out)[(*n)++] = strdup(path);
        }
    }
    closedir(d);
}

static void test_blockchain_tests(void **state)
{
    (void)state;
    const char *fx = fixtures();
    char dir[4200];
    if (!fx || (snprintf(dir, sizeof dir, "%s/ethereum-tests/BlockchainTests", fx), access(dir, R_OK) != 0)) {
        printf("skipped: fixtures not found\n");
        skip();
    }
    char **files = NULL;
    size_t n = 0, cap = 0;
    collect_json(dir, &files, &n, &cap);
    assert_true(n > 0);
    size_t tests = 0;
    for (size_t i = 0; i < n; i++) {
        struct blocktest_file bf;
        char err[512];
        assert_int_equal(blocktest_load_file(files[i], &bf, err, sizeof err), PAREVM_OK);
        for (size_t k = 0; k < bf.count; k++) {
            struct blocktest_result ref;
            assert_int_equal(blocktest_run(&bf.tests[k], &ref, NULL, NULL), PAREVM_OK);
            assert_true(ref.pass);
            for (int r = 0; r < rounds(); r++) {
                for (size_t t = 1; t < THREAD_COUNTS; t++) {
                    struct exec_options opt = {
                        .threads = thread_counts[t], .force = true, .partition = partition_mode(t)};
                    struct blocktest_result res;
                    assert_int_equal(blocktest_run_with(&bf.tests[k], &opt, &res, NULL, NULL), PAREVM_OK);
                    if (!res.pass) {
                        fprintf(stderr, "%s %s at %d threads: %s\n", files[i], bf.tests[k].name,
                                thread_counts[t], res.message);
                        fail();
                    }
                }
            }
            tests++;
        }
        blocktest_file_free(&bf);
        free(files[i]);
    }
    free(files);
    printf("  %zu BlockchainTests identical at every thread count\n", tests);
}

static void check_generated(enum gen_kind kind, double zipf, uint64_t txs, uint64_t accounts)
{
    struct gen_options o;
    gen_options_default(&o);
    o.kind = kind;
    o.txs = txs;
    o.accounts = accounts;
    o.zipf = zipf;
    o.seed = 42;
    if (kind == GEN_SMART)
        o.fork = FORK_PRAGUE; /* EIP-7702 set-code transactions */
    char dir[] = "/tmp/parevm-determinism-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    struct gen_summary sum;
    assert_int_equal(gen_write_fixture(&o, dir, &sum, err, sizeof err), PAREVM_OK);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture f;
    assert_int_equal(mainnet_load(dir, &cfg, &f, err, sizeof err), PAREVM_OK);
    check_fixture(&f);
    mainnet_fixture_free(&f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The EIP-3155 trace of transaction tx, from the executor: sequential
 * (threads 0) or the forced parallel engine. Returns the text (malloc'd)
 * and, for parallel runs, the transaction's incarnation count. */
static char *trace_of(const struct mainnet_fixture *f, size_t tx, int threads, uint32_t *incarnations)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    struct exec_trace trace = {tx, out, PAREVM_OK};
    struct exec_options opt = {.threads = threads ? threads : 1, .force = threads > 0, .trace = &trace};
    struct exec_stats stats = {0};
    struct block_result res;
    struct world w;
    assert_int_equal(world_clone(&f->pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_parallel(&cfg, &f->block, &w, &f->hashes, &opt, &res, &stats), PAREVM_OK);
    assert_false(res.invalid);
    assert_int_equal(stats.parallel, threads > 0);
    if (incarnations)
        *incarnations = threads > 0 ? stats.incarnations[tx] : 1;
    exec_stats_reset(&stats);
    block_result_free(&res);
    world_free(&w);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(trace.error, PAREVM_OK);
    return text;
}

/* Every step-th transaction's trace: the parallel engine's (committed
 * incarnation) equals the sequential one at 2, 4 and 8 threads. Returns
 * how many traced transactions were executed more than once. */
static int check_traces(const struct mainnet_fixture *f, size_t step)
{
    static const int threads[] = {2, 4, 8};
    int reexecuted = 0;
    for (size_t tx = 0; tx < f->block.tx_count; tx += step) {
        char *seq = trace_of(f, tx, 0, NULL);
        assert_true(strlen(seq) > 0);
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            uint32_t inc = 0;
            char *par = trace_of(f, tx, threads[t], &inc);
            if (strcmp(seq, par) != 0) {
                fprintf(stderr, "block %llu tx %zu: trace differs at %d threads (%u incarnations)\n",
                        (unsigned long long)f->block.header.number, tx, threads[t], inc);
                fail();
            }
            reexecuted += inc > 1;
            free(par);
        }
        free(seq);
    }
    return reexecuted;
}

static void test_parallel_traces(void **state)
{
    (void)state;
    /* A contended token block: transactions are re-executed, and the
     * trace must be that of the incarnation that committed. */
    struct gen_options o;
    gen_options_default(&o);
    o.kind = GEN_ERC20;
    o.txs = 200;
    o.accounts = 300;
    o.zipf = 1.2;
    o.seed = 7;
    char dir[] = "/tmp/parevm-traces-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    assert_int_equal(gen_write_fixture(&o, dir, NULL, err, sizeof err), PAREVM_OK);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture f;
    assert_int_equal(mainnet_load(dir, &cfg, &f, err, sizeof err), PAREVM_OK);
    int reexecuted = check_traces(&f, 2);
    printf("synthetic: traced transactions executed more than once: %d\n", reexecuted);
    mainnet_fixture_free(&f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);

    const char *fx = fixtures();
    static const char *const blocks[] = {"mainnet/19933597", "mainnet/15538827", "mainnet/9117466"};
    for (size_t k = 0; fx && k < sizeof blocks / sizeof blocks[0]; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", fx, blocks[k]);
        if (access(path, R_OK) != 0)
            continue;
        assert_int_equal(mainnet_load(path, &cfg, &f, err, sizeof err), PAREVM_OK);
        size_t step = f.block.tx_count / 6 + 1;
        check_traces(&f, step);
        mainnet_fixture_free(&f);
    }
}

static void test_synthetic_transfers(void **state)
{
    (void)state;
    check_generated(GEN_TRANSFERS, 0, 300, 600);
    check_generated(GEN_TRANSFERS, 1.2, 300, 400);
}

static void test_synthetic_erc20(void **state)
{
    (void)state;
    check_generated(GEN_ERC20, 0, 300, 600);
    check_generated(GEN_ERC20, 1.2, 300, 400);
}

/* The contract workloads (AMM, lending, NFT game, supply chain, DAO, the
 * blend and the EIP-7702 smart accounts), low and high contention. */
static void test_synthetic_scenarios(void **state)
{
    (void)state;
    for (enum gen_kind k = GEN_AMM; k < GEN_KIND_COUNT; k++) {
        check_generated(k, 0, 120, 240);
        check_generated(k, 1.2, 120, 240);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_transfers),
        cmocka_unit_test(test_synthetic_erc20),
        cmocka_unit_test(test_synthetic_scenarios),
        cmocka_unit_test(test_parallel_traces),
        cmocka_unit_test(test_mainnet),
        cmocka_unit_test(test_blockchain_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
