/*
 * parevm gen: generated blocks load with the mainnet loader, execute with
 * every transaction succeeding, reproduce their own header (gas used,
 * bloom, receipts/state/transactions roots, hash), move exactly the
 * balances they should, recover their senders, and are byte-identical
 * for the same seed.
 *
 * The generator is part of the command-line tool, not the library: this
 * test links its objects (gen_internal.h: the steps it checks one by one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/tools/cli.h"
#include "../src/tools/erc20_runtime.h"
#include "../src/tools/gen.h"
#include "../src/tools/gen_internal.h"

#include "../src/exec/bal.h"
#include "../src/exec/exec.h"
#include "../src/io/mainnet.h"
#include "fixture_dir.h"

/* ---- helpers ---- */

static void generate(const struct gen_options *o, const char *dir)
{
    char err[512];
    int rc = gen_write_fixture(o, dir, NULL, err, sizeof err);
    if (rc != PAREVM_OK)
        fail_msg("gen_write_fixture: %s", err);
}

static struct gen_options options(enum gen_kind kind, uint64_t txs, uint64_t accounts, double zipf,
                                  uint64_t seed)
{
    struct gen_options o;
    gen_options_default(&o);
    o.kind = kind;
    o.txs = txs;
    o.accounts = accounts;
    o.zipf = zipf;
    o.seed = seed;
    return o;
}

/* The generator's own plan for these options: who sends what to whom,
 * and every touched account's key, address and pre-state. */
static void plan(const struct gen_options *o, struct gen *g)
{
    memset(g, 0, sizeof *g);
    g->opt = o;
    g->fp = gen_fork_params(o->fork);
    gen_rng_init(&g->rng, o->seed);
    assert_int_equal(gen_choose(g), PAREVM_OK);
    assert_int_equal(gen_accounts(g), PAREVM_OK);
}

static const struct gen_account *plan_account(const struct gen *g, uint64_t pool_index)
{
    size_t pos = gen_touched_pos(g, pool_index);
    assert_true(pos < g->touched_count && g->touched[pos] == pool_index);
    return &g->eoa[pos];
}

/* Load dir with the mainnet loader, execute it on a copy of its
 * pre-state, and check that the header is what execution produces. */
struct executed {
    struct mainnet_fixture fx;
    struct world post;
    struct block_result result;
};

static void load_and_execute(const char *dir, enum fork fork, struct executed *e)
{
    memset(e, 0, sizeof *e);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    char err[512];
    if (mainnet_load(dir, &cfg, &e->fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load: %s", err);
    assert_int_equal(e->fx.fork, fork);
    cfg = e->fx.cfg; /* (Amsterdam: the network chain.json names) */
    assert_int_equal(world_clone(&e->fx.pre, &e->post), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, &e->fx.block, &e->post, &e->fx.hashes, &e->result),
                     PAREVM_OK);
    const struct block_header *h = &e->fx.block.header;
    if (e->result.invalid)
        fail_msg("block invalid: tx %zu %s %s", e->result.invalid_tx, tx_error_name(e->result.invalid_reason),
                 e->result.invalid_message);
    assert_int_equal(e->result.receipt_count, e->fx.block.tx_count);
    for (size_t i = 0; i < e->result.receipt_count; i++)
        assert_true(e->result.receipts[i].status);
    assert_int_equal(e->result.gas_used, h->gas_used);
    assert_memory_equal(e->result.logs_bloom, h->logs_bloom, 256);
    assert_memory_equal(e->result.receipts_root.bytes, h->receipts_root.bytes, 32);
    hash32 root;
    assert_int_equal(world_state_root(&e->post, &root), PAREVM_OK);
    assert_memory_equal(root.bytes, h->state_root.bytes, 32);
    assert_int_equal(transactions_root(e->fx.block.txs, e->fx.block.tx_count, &root), PAREVM_OK);
    assert_memory_equal(root.bytes, h->tx_root.bytes, 32);
    assert_true(h->has_hash);
    assert_int_equal(block_header_hash(h, &root), PAREVM_OK);
    assert_memory_equal(root.bytes, h->hash.bytes, 32);
    assert_true(h->gas_used <= h->gas_limit);
}

static void executed_free(struct executed *e)
{
    block_result_free(&e->result);
    world_free(&e->post);
    mainnet_fixture_free(&e->fx);
}

static u256 balance_of(const struct world *w, const address *a)
{
    const struct world_account *acct = world_get(w, a);
    return acct ? acct->balance : u256_zero();
}

static u256 token_slot_of(const address *a)
{
    uint8_t in[64] = {0};
    memcpy(in + 12, a->bytes, 20);
    in[63] = ERC20_SLOT_BALANCE_OF;
    uint8_t h[32];
    keccak256(in, sizeof in, h);
    return u256_from_be32(h);
}

static u256 token_balance(const struct world *w, const address *a)
{
    address token = gen_token_address();
    const struct world_account *acct = world_get(w, &token);
    assert_non_null(acct);
    u256 slot = token_slot_of(a);
    return world_get_storage(acct, &slot);
}

static void assert_u256_equal(const u256 *a, const u256 *b)
{
    if (!u256_eq(a, b)) {
        char x[67], y[67];
        u256_to_hex(a, x);
        u256_to_hex(b, y);
        fail_msg("%s != %s", x, y);
    }
}

/* Check a generated block against the generator's plan: senders (as
 * recovered by the loader), recipients, amounts, and the balances after
 * execution: ETH (value and fees, the tips to the coinbase) and, for
 * erc20, token balances (recipient = before + sum received, sender =
 * before - sent), total supply unchanged, one Transfer log per
 * transaction. */
static void check_against_plan(const struct gen_options *o, const struct executed *e)
{
    struct gen g;
    plan(o, &g);
    const struct block *b = &e->fx.block;
    const struct block_header *h = &b->header;
    assert_int_equal(b->tx_count, o->txs);
    address token = gen_token_address();

    /* Expected balances, keyed by position in g.touched. */
    u256 *eth = calloc(g.touched_count, sizeof *eth);
    u256 *tokens = calloc(g.touched_count, sizeof *tokens);
    assert_non_null(eth);
    assert_non_null(tokens);
    for (size_t i = 0; i < g.touched_count; i++) {
        eth[i] = g.eoa[i].balance;
        tokens[i] = g.eoa[i].tokens;
        u256 loaded = balance_of(&e->fx.pre, &g.eoa[i].addr);
        assert_u256_equal(&loaded, &g.eoa[i].balance);
    }
    u256 coinbase = balance_of(&e->fx.pre, &h->coinbase);

    for (size_t i = 0; i < b->tx_count; i++) {
        const struct tx *t = &b->txs[i];
        size_t from = gen_touched_pos(&g, g.sender[i]);
        size_t to = gen_touched_pos(&g, g.recipient[i]);
        const struct gen_account *sender = plan_account(&g, g.sender[i]);
        const struct gen_account *recipient = plan_account(&g, g.recipient[i]);
        /* The loader recovered the sender from (v, r, s); it must be the
         * pool account whose key signed. */
        assert_int_equal(t->type, 2);
        assert_int_equal(t->chain_id, 1);
        assert_true(t->has_sender);
        assert_memory_equal(t->sender.bytes, sender->addr.bytes, 20);
        uint8_t key[32];
        address derived;
        assert_int_equal(gen_account_key(o->seed, g.sender[i], key, &derived), PAREVM_OK);
        assert_memory_equal(derived.bytes, t->sender.bytes, 20);
        assert_int_equal(t->nonce, sender->nonce);

        const struct receipt *rc = &e->result.receipts[i];
        u256 tip = t->max_priority_fee_per_gas;
        u256 price = u256_add(&h->base_fee, &tip);
        u256 gas = u256_from_u64(rc->gas_used);
        u256 fee = u256_mul(&gas, &price);
        u256 tip_total = u256_mul(&gas, &tip);
        eth[from] = u256_sub(&eth[from], &fee);
        coinbase = u256_add(&coinbase, &tip_total);
        if (o->kind == GEN_TRANSFERS) {
            assert_memory_equal(t->to.bytes, recipient->addr.bytes, 20);
            assert_u256_equal(&t->value, &g.amount[i]);
            assert_int_equal(rc->gas_used, 21000); /* (EIP-2780: 12000 + 3000 + 6000 from Amsterdam) */
            assert_int_equal(rc->log_count, fork_eip(o->fork, EIP_7708) ? 1 : 0); /* (the transfer's log) */
            eth[from] = u256_sub(&eth[from], &g.amount[i]);
            eth[to] = u256_add(&eth[to], &g.amount[i]);
        } else {
            assert_memory_equal(t->to.bytes, token.bytes, 20);
            assert_true(u256_is_zero(&t->value));
            assert_int_equal(t->data_len, 68);
            tokens[from] = u256_sub(&tokens[from], &g.amount[i]);
            tokens[to] = u256_add(&tokens[to], &g.amount[i]);
            /* Transfer(from, to, amount) from the token. */
            static const char sig[] = "Transfer(address,address,uint256)";
            hash32 topic0 = keccak256_hash(sig, sizeof sig - 1);
            assert_int_equal(rc->log_count, 1);
            const struct log *l = &rc->logs[0];
            assert_memory_equal(l->addr.bytes, token.bytes, 20);
            assert_int_equal(l->topic_count, 3);
            assert_memory_equal(l->topics[0].bytes, topic0.bytes, 32);
            assert_memory_equal(l->topics[1].bytes + 12, sender->addr.bytes, 20);
            assert_memory_equal(l->topics[2].bytes + 12, recipient->addr.bytes, 20);
            assert_int_equal(l->data_len, 32);
            u256 logged = u256_from_be32(l->data);
            assert_u256_equal(&logged, &g.amount[i]);
        }
    }

    for (size_t i = 0; i < g.touched_count; i++) {
        u256 got = balance_of(&e->post, &g.eoa[i].addr);
        assert_u256_equal(&got, &eth[i]);
        if (o->kind == GEN_ERC20) {
            got = token_balance(&e->post, &g.eoa[i].addr);
            assert_u256_equal(&got, &tokens[i]);
        }
    }
    u256 got = balance_of(&e->post, &h->coinbase);
    assert_u256_equal(&got, &coinbase);
    if (o->kind == GEN_ERC20) {
        const struct world_account *before = world_get(&e->fx.pre, &token);
        const struct world_account *after = world_get(&e->post, &token);
        assert_non_null(before);
        assert_non_null(after);
        u256 slot = u256_from_u64(ERC20_SLOT_TOTAL_SUPPLY);
        u256 supply_before = world_get_storage(before, &slot), supply_after = world_get_storage(after, &slot);
        assert_false(u256_is_zero(&supply_before));
        assert_u256_equal(&supply_before, &supply_after);
    }
    free(eth);
    free(tokens);
    gen_free(&g);
}

/* Senders pairwise distinct; in the independent variant, no address in
 * two transactions at all; never a self-transfer. Returns the largest
 * number of transactions received by one recipient. */
static size_t check_shape(const struct gen_options *o, const struct block *b)
{
    size_t n = b->tx_count, most = 0;
    address token = gen_token_address();
    address *to = calloc(n, sizeof *to);
    assert_non_null(to);
    for (size_t i = 0; i < n; i++) {
        const struct tx *t = &b->txs[i];
        if (o->kind == GEN_TRANSFERS)
            to[i] = t->to;
        else
            memcpy(to[i].bytes, t->data + 16, 20);
        assert_false(address_eq(&to[i], &t->sender));
        assert_false(address_eq(&to[i], &token));
    }
    for (size_t i = 0; i < n; i++) {
        size_t received = 0;
        for (size_t j = 0; j < n; j++) {
            if (j != i)
                assert_false(address_eq(&b->txs[i].sender, &b->txs[j].sender));
            if (address_eq(&to[i], &to[j]))
                received++;
            if (o->zipf == 0) {
                assert_false(address_eq(&b->txs[i].sender, &to[j]));
                if (j != i)
                    assert_false(address_eq(&to[i], &to[j]));
            }
        }
        if (received > most)
            most = received;
    }
    free(to);
    return most;
}

static void run_kind(enum gen_kind kind, double zipf)
{
    struct gen_options o = options(kind, 60, zipf == 0 ? 150 : 500, zipf, 7);
    char dir[64];
    make_tmpdir(dir, "gen");
    generate(&o, dir);
    struct executed e;
    load_and_execute(dir, FORK_CANCUN, &e);
    check_against_plan(&o, &e);
    size_t most = check_shape(&o, &e.fx.block);
    if (zipf == 0) {
        assert_int_equal(most, 1);
    } else {
        /* Zipf(1.2) over 500: the top account has weight 1/4.2, about 14
         * of 60 expected; uniform would give 1 or 2. */
        assert_true(most >= 6);
    }
    executed_free(&e);
    remove_fixture(dir);
}

/* ---- tests ---- */

static void test_transfers_independent(void **state)
{
    (void)state;
    run_kind(GEN_TRANSFERS, 0);
}

static void test_transfers_contended(void **state)
{
    (void)state;
    run_kind(GEN_TRANSFERS, 1.2);
}

static void test_erc20_independent(void **state)
{
    (void)state;
    run_kind(GEN_ERC20, 0);
}

static void test_erc20_contended(void **state)
{
    (void)state;
    run_kind(GEN_ERC20, 1.2);
}

/* Same options: the same bytes in every file; another seed: another block. */
static void test_deterministic(void **state)
{
    (void)state;
    struct gen_options o = options(GEN_ERC20, 25, 300, 0.8, 12345);
    char a[64], b[64], c[64];
    make_tmpdir(a, "gen");
    make_tmpdir(b, "gen");
    make_tmpdir(c, "gen");
    generate(&o, a);
    generate(&o, b);
    o.seed = 12346;
    generate(&o, c);
    for (size_t i = 0; i < 3; i++) {
        char pa[128], pb[128], pc[128];
        snprintf(pa, sizeof pa, "%s/%s", a, fixture_files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, fixture_files[i]);
        snprintf(pc, sizeof pc, "%s/%s", c, fixture_files[i]);
        size_t la, lb, lc;
        char *da = read_all(pa, &la), *db = read_all(pb, &lb), *dc = read_all(pc, &lc);
        assert_non_null(da);
        assert_non_null(db);
        assert_non_null(dc);
        assert_true(la > 10);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
        assert_true(la != lc || memcmp(da, dc, la) != 0);
        free(da);
        free(db);
        free(dc);
    }
    remove_fixture(a);
    remove_fixture(b);
    remove_fixture(c);
}

/* Every supported fork: the block lands in that fork on the mainnet
 * schedule and verifies (pre-merge London pays the 2 ETH block reward,
 * Shanghai on carry an empty withdrawals list). */
/* Each of addrs[0..n) is in w with code. */
static void assert_have_code(const struct world *w, const address *const *addrs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct world_account *a = world_get(w, addrs[k]);
        assert_non_null(a);
        assert_true(a->code && a->code->len > 0);
    }
}

static void test_forks(void **state)
{
    (void)state;
    static const enum fork forks[] = {FORK_LONDON, FORK_PARIS, FORK_SHANGHAI, FORK_CANCUN,
                                      FORK_PRAGUE, FORK_OSAKA, FORK_AMSTERDAM};
    for (size_t i = 0; i < sizeof forks / sizeof forks[0]; i++) {
        for (int kind = GEN_TRANSFERS; kind <= GEN_ERC20; kind++) {
            struct gen_options o = options((enum gen_kind)kind, 8, 16, 0, 3);
            o.fork = forks[i];
            char dir[64];
            make_tmpdir(dir, "gen");
            generate(&o, dir);
            struct executed e;
            load_and_execute(dir, forks[i], &e);
            const struct block *b = &e.fx.block;
            assert_int_equal(b->has_withdrawals, forks[i] >= FORK_SHANGHAI);
            assert_int_equal(b->withdrawal_count, 0);
            assert_int_equal(b->header.has_parent_beacon_root, forks[i] >= FORK_CANCUN);
            assert_int_equal(u256_is_zero(&b->header.difficulty), forks[i] >= FORK_PARIS);
            /* Prague on: EIP-7685 requests hash (none here: sha256 of
             * nothing) and the system contracts whose calls the block
             * runs (EIP-7002/7251 make a block without them invalid). */
            assert_int_equal(b->header.has_requests_hash, forks[i] >= FORK_PRAGUE);
            if (forks[i] >= FORK_PRAGUE) {
                assert_true(e.result.has_requests);
                assert_memory_equal(e.result.requests_hash.bytes, b->header.requests_hash.bytes, 32);
                uint8_t empty[32];
                assert_int_equal(
                    hex_decode_exact("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                                     empty, 32),
                    PAREVM_OK);
                assert_memory_equal(b->header.requests_hash.bytes, empty, 32);
                const address *system[] = {&HISTORY_STORAGE_ADDRESS, &WITHDRAWAL_REQUEST_ADDRESS,
                                           &CONSOLIDATION_REQUEST_ADDRESS};
                assert_have_code(&e.fx.pre, system, 3);
            }
            /* Amsterdam: a network of its own (chain.json), the list's
             * hash and the slot number in the header, EIP-7997's factory
             * and EIP-8282's queues in the pre-state */
            assert_int_equal(b->header.has_bal_hash, forks[i] == FORK_AMSTERDAM);
            assert_int_equal(b->header.has_slot_number, forks[i] == FORK_AMSTERDAM);
            if (forks[i] == FORK_AMSTERDAM) {
                assert_int_equal(chain_config_header_fork(&e.fx.cfg, &b->header), FORK_AMSTERDAM);
                struct bal list;
                bal_init(&list);
                struct exec_options rec = {.threads = 1, .bal = &list, .no_sample = true};
                struct world w;
                struct block_result r;
                assert_int_equal(world_clone(&e.fx.pre, &w), PAREVM_OK);
                assert_int_equal(exec_block_parallel(&e.fx.cfg, b, &w, &e.fx.hashes, &rec, &r, NULL),
                                 PAREVM_OK);
                hash32 got;
                assert_int_equal(bal_hash(&list, &got), PAREVM_OK);
                assert_memory_equal(got.bytes, b->header.bal_hash.bytes, 32);
                block_result_free(&r);
                world_free(&w);
                bal_free(&list);
                const address *system[] = {&FACTORY_PREDEPLOY_ADDRESS, &BUILDER_DEPOSIT_REQUEST_ADDRESS,
                                           &BUILDER_EXIT_REQUEST_ADDRESS};
                assert_have_code(&e.fx.pre, system, 3);
            }
            if (forks[i] >= FORK_PARIS)
                check_against_plan(&o, &e); /* no block reward to account for */
            executed_free(&e);
            remove_fixture(dir);
        }
    }
}

/* Keys: key i = keccak256(be64(seed) || be64(i)); address from the key
 * as Ethereum defines it (known answer: secret key 1). */
static void test_keys(void **state)
{
    (void)state;
    uint8_t one[32] = {0};
    one[31] = 1;
    address a;
    assert_int_equal(gen_key_address(one, &a), PAREVM_OK);
    uint8_t want[20];
    assert_int_equal(hex_decode_exact("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", want, 20), PAREVM_OK);
    assert_memory_equal(a.bytes, want, 20);

    for (uint64_t i = 0; i < 4; i++) {
        uint8_t in[16] = {0}, expect[32], key[32];
        in[7] = 42; /* seed 42, big-endian */
        in[15] = (uint8_t)i;
        keccak256(in, sizeof in, expect);
        address addr, again;
        assert_int_equal(gen_account_key(42, i, key, &addr), PAREVM_OK);
        assert_memory_equal(key, expect, 32);
        assert_int_equal(gen_key_address(key, &again), PAREVM_OK);
        assert_memory_equal(addr.bytes, again.bytes, 20);
    }
}

/* The Zipf sampler follows its weights: s = 1 over 3 ranks gives
 * 6/11, 3/11, 2/11. */
static void test_zipf_sampler(void **state)
{
    (void)state;
    struct gen_zipf z;
    assert_int_equal(gen_zipf_init(&z, 3, 1.0), PAREVM_OK);
    assert_int_equal(z.cdf[2], 1ull << 63);
    struct gen_rng rng;
    gen_rng_init(&rng, 99);
    size_t count[3] = {0};
    const size_t draws = 110000;
    for (size_t i = 0; i < draws; i++)
        count[gen_zipf_draw(&z, &rng)]++;
    assert_in_range(count[0], 59000, 61000); /* 60000 expected, sd ~165 */
    assert_in_range(count[1], 29000, 31000);
    assert_in_range(count[2], 19000, 21000);
    free(z.cdf);

    /* rng_below stays in range, also for n = 1. */
    for (int i = 0; i < 1000; i++) {
        assert_true(gen_rng_below(&rng, 7) < 7);
        assert_int_equal(gen_rng_below(&rng, 1), 0);
    }
}

static void test_options(void **state)
{
    (void)state;
    char err[256];
    struct gen_options o = options(GEN_TRANSFERS, 10, 20, 0, 1);
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
    o.accounts = 19; /* independent needs 2N */
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    assert_non_null(strstr(err, "2 * --txs"));
    o.zipf = 1; /* contended needs N */
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
    o.accounts = 9;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    o = options(GEN_TRANSFERS, 0, 20, 0, 1);
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    o = options(GEN_TRANSFERS, 1, 1, 0.5, 1); /* a pool of one has no recipient */
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    o = options(GEN_TRANSFERS, 1, 2, -1, 1);
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    o = options(GEN_TRANSFERS, 1, 2, 0, 1);
    o.fork = FORK_BERLIN; /* no EIP-1559 */
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    /* Never a block of one fork under another's rules: BPO1 has no
     * generator position. Prague, Osaka and Amsterdam are built
     * (EIP-7685 requests hash, system contracts, Amsterdam's header
     * fields: test_forks). */
    o.fork = FORK_AMSTERDAM;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
    o.fork = FORK_BPO1;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_ERR_ARG);
    assert_non_null(strstr(err, "BPO1 not supported"));
    o.fork = FORK_PRAGUE;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
    o.fork = FORK_OSAKA;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
    o.fork = FORK_CANCUN;
    assert_int_equal(gen_options_check(&o, err, sizeof err), PAREVM_OK);
}

static int cli(int argc, const char **argv)
{
    return cli_gen(argc, (char **)argv);
}

static void test_cli(void **state)
{
    (void)state;
    const char *help[] = {"gen", "--help"};
    assert_int_equal(cli(2, help), CLI_EXIT_OK);
    const char *no_kind[] = {"gen", "--txs", "1", "--accounts", "2", "--out", "/tmp/x"};
    assert_int_equal(cli(7, no_kind), CLI_EXIT_USAGE);
    const char *bad_kind[] = {"gen", "uniswap", "--txs", "1", "--accounts", "2", "--out", "/tmp/x"};
    assert_int_equal(cli(8, bad_kind), CLI_EXIT_USAGE);
    const char *no_out[] = {"gen", "transfers", "--txs", "1", "--accounts", "2"};
    assert_int_equal(cli(6, no_out), CLI_EXIT_USAGE);
    const char *bad_number[] = {"gen", "transfers", "--txs", "-1", "--accounts", "2", "--out", "/tmp/x"};
    assert_int_equal(cli(8, bad_number), CLI_EXIT_USAGE);
    const char *bad_zipf[] = {"gen", "transfers", "--txs", "1",     "--accounts",
                              "2",   "--zipf",    "x",     "--out", "/tmp/x"};
    assert_int_equal(cli(10, bad_zipf), CLI_EXIT_USAGE);
    const char *bad_fork[] = {"gen", "transfers", "--txs",  "1",     "--accounts",
                              "2",   "--fork",    "Berlin", "--out", "/tmp/x"};
    assert_int_equal(cli(10, bad_fork), CLI_EXIT_USAGE);
    const char *unknown_fork[] = {"gen", "transfers", "--txs",    "1",     "--accounts",
                                  "2",   "--fork",    "Atlantis", "--out", "/tmp/x"};
    assert_int_equal(cli(10, unknown_fork), CLI_EXIT_USAGE);
    const char *bpo1[] = {"gen", "transfers", "--txs", "1",     "--accounts",
                          "2",   "--fork",    "BPO1",  "--out", "/tmp/x"};
    assert_int_equal(cli(10, bpo1), CLI_EXIT_USAGE);
    const char *missing_value[] = {"gen", "transfers", "--txs"};
    assert_int_equal(cli(3, missing_value), CLI_EXIT_USAGE);
    const char *too_few[] = {"gen", "transfers", "--txs", "5", "--accounts", "9", "--out", "/tmp/x"};
    assert_int_equal(cli(8, too_few), CLI_EXIT_USAGE);

    char dir[64];
    make_tmpdir(dir, "gen");
    char sub[96];
    snprintf(sub, sizeof sub, "%s/a/b", dir); /* created with its parents */
    const char *ok[] = {"gen", "erc20",  "--txs", "3",      "--accounts", "10",    "--zipf",
                        "1",   "--seed", "5",     "--fork", "Shanghai",   "--out", sub};
    assert_int_equal(cli(14, ok), CLI_EXIT_OK);
    struct executed e;
    load_and_execute(sub, FORK_SHANGHAI, &e);
    struct gen_options o = options(GEN_ERC20, 3, 10, 1, 5);
    o.fork = FORK_SHANGHAI;
    check_against_plan(&o, &e);
    executed_free(&e);
    remove_fixture(sub);
    snprintf(sub, sizeof sub, "%s/a", dir);
    rmdir(sub);
    rmdir(dir);

    /* An output path under a regular file cannot be created. */
    const char *unwritable[] = {"gen", "transfers", "--txs", "1", "--accounts", "2", "--out", "/dev/null/x"};
    assert_int_equal(cli(8, unwritable), CLI_EXIT_FAIL);
}

/* The embedded runtime is the checked-in contracts/ERC20.bin-runtime
 * (both written by scripts/compile-contracts). Needs the repository root
 * as working folder, as `make test` runs; skipped elsewhere. */
static void test_runtime_matches_bin(void **state)
{
    (void)state;
    size_t len;
    char *text = read_all("contracts/ERC20.bin-runtime", &len);
    if (!text) {
        printf("contracts/ERC20.bin-runtime not found from here: skipped\n");
        skip();
    }
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    text[len] = '\0';
    uint8_t *code;
    size_t code_len;
    assert_int_equal(hex_decode_alloc(text, &code, &code_len), PAREVM_OK);
    assert_int_equal(code_len, ERC20_RUNTIME_LEN);
    assert_memory_equal(code, erc20_runtime, ERC20_RUNTIME_LEN);
    free(code);
    free(text);
}

/* The `size` written into block.json is the length of the block's RLP:
 * checked against real mainnet blocks (those without uncles: the loader
 * keeps only uncle hashes). Skipped without the fixtures. */
static void test_size_matches_mainnet(void **state)
{
    (void)state;
    const char *env = getenv("PAREVM_FIXTURES");
    char root[512];
    snprintf(root, sizeof root, "%s/mainnet", env && *env ? env : "../shared/fixtures");
    DIR *d = opendir(root);
    if (!d) {
        printf("%s not found: skipped\n", root);
        skip();
    }
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    size_t checked = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] < '0' || ent->d_name[0] > '9')
            continue;
        char dir[1024], path[1100];
        snprintf(dir, sizeof dir, "%s/%s", root, ent->d_name);
        snprintf(path, sizeof path, "%s/block.json", dir);
        size_t len;
        char *text = read_all(path, &len);
        assert_non_null(text);
        cJSON *json = cJSON_ParseWithLength(text, len);
        assert_non_null(json);
        const cJSON *size_field = cJSON_GetObjectItemCaseSensitive(json, "size");
        const cJSON *uncles = cJSON_GetObjectItemCaseSensitive(json, "uncles");
        assert_true(cJSON_IsString(size_field));
        uint64_t want = strtoull(size_field->valuestring, NULL, 16);
        bool has_uncles = cJSON_GetArraySize(uncles) > 0;
        cJSON_Delete(json);
        free(text);
        if (has_uncles)
            continue;
        struct mainnet_fixture fx;
        char err[512];
        if (mainnet_load(dir, &cfg, &fx, err, sizeof err) != PAREVM_OK)
            fail_msg("mainnet_load: %s", err);
        uint64_t size;
        assert_int_equal(gen_block_size(&fx.block, &size), PAREVM_OK);
        if (size != want)
            fail_msg("%s: size %llu, block.json says %llu", dir, (unsigned long long)size,
                     (unsigned long long)want);
        mainnet_fixture_free(&fx);
        checked++;
    }
    closedir(d);
    assert_true(checked > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_zipf_sampler),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_transfers_independent),
        cmocka_unit_test(test_transfers_contended),
        cmocka_unit_test(test_erc20_independent),
        cmocka_unit_test(test_erc20_contended),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_forks),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_runtime_matches_bin),
        cmocka_unit_test(test_size_matches_mainnet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
