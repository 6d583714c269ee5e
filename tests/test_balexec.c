/* Tests for exec/balexec (the access-list-driven engine, EIP-7928).
 *
 * Every block is run sequentially (the reference: receipts, gas, bloom,
 * receipts root, state root), its access list is recorded by a second
 * sequential run, sent through RLP (bal_encode, bal_decode) and then
 * drives the block at 1, 2, 4, 16 and 64 threads: the result and the
 * post-state root must be the reference's byte for byte, and the list
 * must have driven the run (not degraded) where it can express the
 * block. A list with one value altered, and an empty list, must degrade
 * (bal_mismatch) and still give the reference result. Generated blocks
 * of each scenario (gen), and mainnet snapshots from
 * ../shared/fixtures/mainnet (or $PAREVM_FIXTURES/mainnet) when present. */
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

#include "../src/tools/gen.h"

#include "../src/exec/bal.h"
#include "../src/exec/bal_search.h"
#include "../src/exec/balexec.h"
#include "../src/exec/exec.h"
#include "../src/io/mainnet.h"
#include "fixture_dir.h"

#define GEN_TXS 80

static const int thread_counts[] = {1, 2, 4, 16, 64};

/* The reference: sequential result and post-state root. */
struct reference {
    struct block_result r;
    hash32 root;
};

static void reference_run(const struct chain_config *cfg, const struct mainnet_fixture *fx,
                          struct reference *ref)
{
    struct world w;
    assert_int_equal(world_clone(&fx->pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_sequential(cfg, &fx->block, &w, &fx->hashes, &ref->r), PAREVM_OK);
    assert_false(ref->r.invalid);
    assert_int_equal(world_state_root(&w, &ref->root), PAREVM_OK);
    world_free(&w);
}

/* The block's list from a recording run, through RLP into *drive. */
static void list_of(const struct chain_config *cfg, const struct mainnet_fixture *fx, struct bal *drive)
{
    struct world w;
    struct bal rec;
    bal_init(&rec);
    assert_int_equal(world_clone(&fx->pre, &w), PAREVM_OK);
    struct exec_options opt = {.threads = 1, .bal = &rec};
    struct block_result r;
    assert_int_equal(exec_block_parallel(cfg, &fx->block, &w, &fx->hashes, &opt, &r, NULL), PAREVM_OK);
    assert_false(r.invalid);
    block_result_free(&r);
    world_free(&w);
    struct bytebuf rlp = {0};
    assert_int_equal(bal_encode(&rec, &rlp), PAREVM_OK);
    char why[256];
    bal_init(drive);
    if (bal_decode(rlp.data, rlp.len, drive, why, sizeof why) != PAREVM_OK)
        fail_msg("bal_decode of the recorded list: %s", why);
    bytebuf_free(&rlp);
    bal_free(&rec);
}

/* Drive the block with list at `threads`; the result must be the
 * reference's. Returns the stats' verdict: 1 driven, 0 degraded (and
 * *mismatch whether the lists differed). */
static int drive_run(const struct chain_config *cfg, const struct mainnet_fixture *fx, const struct bal *list,
                     int threads, const struct reference *ref, const char *what, bool *mismatch)
{
    struct world w;
    assert_int_equal(world_clone(&fx->pre, &w), PAREVM_OK);
    struct exec_options opt = {.threads = threads, .force = true, .drive = list};
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    struct block_result r;
    assert_int_equal(exec_block_parallel(cfg, &fx->block, &w, &fx->hashes, &opt, &r, &stats), PAREVM_OK);
    if (!block_result_equal(&ref->r, &r))
        fail_msg("%s: list-driven result at %d threads differs from sequential", what, threads);
    hash32 root;
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    if (!hash32_eq(&root, &ref->root))
        fail_msg("%s: list-driven state root at %d threads differs from sequential", what, threads);
    assert_true(stats.bal_driven != stats.bal_degraded);
    if (mismatch)
        *mismatch = stats.bal_mismatch;
    int driven = stats.bal_driven;
    block_result_free(&r);
    exec_stats_reset(&stats);
    world_free(&w);
    return driven;
}

/* Alter one value of the list (the first slot change, else the first
 * balance change, at a transaction's index): true when there was one. */
static bool alter_one(struct bal *b)
{
    for (size_t i = 0; i < b->account_count; i++) {
        struct bal_account *a = &b->accounts[i];
        for (size_t k = 0; k < a->write_count; k++)
            if (a->writes[k].index >= 1) {
                u256 one = u256_from_u64(1);
                a->writes[k].value = u256_add(&a->writes[k].value, &one);
                return true;
            }
    }
    for (size_t i = 0; i < b->account_count; i++) {
        struct bal_account *a = &b->accounts[i];
        for (size_t k = 0; k < a->balance_count; k++)
            if (a->balances[k].index >= 1) {
                u256 one = u256_from_u64(1);
                a->balances[k].value = u256_add(&a->balances[k].value, &one);
                return true;
            }
    }
    return false;
}

/* Ways to make a list wrong, each keeping the EIP's order. */
enum wrong_kind {
    WRONG_NONCE,      /* a nonce change's value + 1 */
    WRONG_LAST_INDEX, /* an account's last balance change moved to the next index */
    WRONG_NO_READ,    /* a storage read dropped */
    WRONG_EDGE,       /* a change at index 0 (system calls) or n + 1 (withdrawals) altered */
    /* a balance change no transaction made, at the last transaction's
     * index, to an account it leaves alone: every transaction's check
     * holds, the commit writes the world from the list, and only the
     * final check finds it (the world must then be rolled back) */
    WRONG_EXTRA_CHANGE,
    /* a deleted account's code change to empty dropped (before Cancun,
     * what tells a reader it was deleted): its deleter's check fails */
    WRONG_NO_DELETE,
    /* a balance change to zero dropped (before Spurious Dragon, what
     * tells a reader an account was created empty; else a deletion's or
     * a drained balance's) */
    WRONG_NO_ZERO_BALANCE,
    WRONG_KIND_COUNT
};

/* Apply w to b: true when b had something to change. */
static bool make_wrong(struct bal *b, enum wrong_kind w, uint32_t last_index)
{
    u256 one = u256_from_u64(1);
    for (size_t i = 0; i < b->account_count; i++) {
        struct bal_account *a = &b->accounts[i];
        switch (w) {
        case WRONG_NONCE:
            if (a->nonce_count) {
                a->nonces[0].value = u256_add(&a->nonces[0].value, &one);
                return true;
            }
            break;
        case WRONG_LAST_INDEX:
            if (a->balance_count && a->balances[a->balance_count - 1].index < last_index) {
                a->balances[a->balance_count - 1].index++;
                return true;
            }
            break;
        case WRONG_NO_READ:
            if (a->read_count) {
                a->read_count--; /* (the last: the order holds) */
                return true;
            }
            break;
        case WRONG_EDGE:
            for (size_t k = 0; k < a->balance_count; k++)
                if (a->balances[k].index == last_index) {
                    a->balances[k].value = u256_add(&a->balances[k].value, &one);
                    return true;
                }
            for (size_t k = 0; k < a->write_count; k++)
                if (a->writes[k].index == 0) {
                    a->writes[k].value = u256_add(&a->writes[k].value, &one);
                    return true;
                }
            break;
        case WRONG_EXTRA_CHANGE:
            /* (last_index - 1: the last transaction's; most accounts'
             * last change is below it, the coinbase's is not) */
            if (a->balance_count && a->balances[a->balance_count - 1].index + 1 < last_index) {
                struct bal_change *c = realloc(a->balances, (a->balance_count + 1) * sizeof *c);
                assert_non_null(c);
                a->balances = c;
                a->balance_cap = a->balance_count + 1;
                c[a->balance_count].index = last_index - 1;
                c[a->balance_count].value = u256_add(&c[a->balance_count - 1].value, &one);
                a->balance_count++;
                return true;
            }
            break;
        case WRONG_NO_DELETE:
            for (size_t k = 0; k < a->code_count; k++)
                if (a->codes[k].index >= 1 && a->codes[k].code->len == 0) {
                    code_release(a->codes[k].code);
                    memmove(&a->codes[k], &a->codes[k + 1], (a->code_count - k - 1) * sizeof a->codes[k]);
                    a->code_count--;
                    return true;
                }
            break;
        case WRONG_NO_ZERO_BALANCE:
            for (size_t k = 0; k < a->balance_count; k++)
                if (a->balances[k].index >= 1 && a->balances[k].index < last_index &&
                    u256_is_zero(&a->balances[k].value)) {
                    memmove(&a->balances[k], &a->balances[k + 1],
                            (a->balance_count - k - 1) * sizeof a->balances[k]);
                    a->balance_count--;
                    return true;
                }
            break;
        default:
            break;
        }
    }
    return false;
}

/* The wrong_kinds the last check_block could apply (bit k: kind k). */
static unsigned wrong_applied;

/* The list Block-STM's commit records (forced onto the engine at each
 * of counts[0..ncounts) threads, exec_options.bal): the sequential
 * recording's, byte for byte, and the block's result the reference's. */
static void check_stm_list_at(const struct chain_config *cfg, const struct mainnet_fixture *fx,
                              const char *what, const struct reference *ref, const struct bal *want,
                              const int *counts, size_t ncounts)
{
    struct bytebuf want_rlp = {0};
    assert_int_equal(bal_encode(want, &want_rlp), PAREVM_OK);
    for (size_t t = 0; t < ncounts; t++) {
        struct world w;
        assert_int_equal(world_clone(&fx->pre, &w), PAREVM_OK);
        struct bal rec;
        bal_init(&rec);
        struct exec_options opt = {.threads = counts[t], .force = true, .bal = &rec};
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        struct block_result r;
        assert_int_equal(exec_block_parallel(cfg, &fx->block, &w, &fx->hashes, &opt, &r, &stats), PAREVM_OK);
        assert_true(stats.parallel); /* (forced: the engine ran, and never gives up) */
        if (!block_result_equal(&ref->r, &r))
            fail_msg("%s: Block-STM recording at %d threads: result differs from sequential", what,
                     counts[t]);
        char why[512];
        if (!bal_equal(want, &rec, why, sizeof why))
            fail_msg("%s: Block-STM's list at %d threads differs: %s", what, counts[t], why);
        struct bytebuf rlp = {0};
        assert_int_equal(bal_encode(&rec, &rlp), PAREVM_OK);
        assert_int_equal(rlp.len, want_rlp.len);
        assert_memory_equal(rlp.data, want_rlp.data, rlp.len);
        bytebuf_free(&rlp);
        block_result_free(&r);
        exec_stats_reset(&stats);
        bal_free(&rec);
        world_free(&w);
    }
    bytebuf_free(&want_rlp);
}

static void check_stm_list(const struct chain_config *cfg, const struct mainnet_fixture *fx, const char *what,
                           const struct reference *ref, const struct bal *want)
{
    check_stm_list_at(cfg, fx, what, ref, want, thread_counts,
                      sizeof thread_counts / sizeof thread_counts[0]);
}

/* The whole check on one loaded block. must_drive: the list must drive
 * it at every thread count (else degrading is allowed, the result still
 * checked). */
static void check_block(const struct chain_config *cfg, const struct mainnet_fixture *fx, const char *what,
                        bool must_drive)
{
    struct reference ref;
    reference_run(cfg, fx, &ref);
    struct bal list;
    list_of(cfg, fx, &list);
    check_stm_list(cfg, fx, what, &ref, &list);
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        int driven = drive_run(cfg, fx, &list, thread_counts[t], &ref, what, NULL);
        if (must_drive && !driven)
            fail_msg("%s: the list did not drive the block at %d threads", what, thread_counts[t]);
    }
    /* An altered value: the lists differ, the block runs again without. */
    if (alter_one(&list)) {
        /* At one thread every transaction below the one that differs has
         * run and held: the difference is proven (bal_mismatch). With
         * more, workers stop early and it may only be unproven. */
        bool mismatch = false;
        assert_int_equal(drive_run(cfg, fx, &list, 1, &ref, what, &mismatch), 0);
        assert_true(mismatch || !must_drive);
        assert_int_equal(drive_run(cfg, fx, &list, 4, &ref, what, NULL), 0);
    }
    /* Other wrong lists: each degrades to the same result. */
    wrong_applied = 0;
    for (int kind = 0; kind < WRONG_KIND_COUNT; kind++) {
        struct bal wrong;
        list_of(cfg, fx, &wrong);
        if (make_wrong(&wrong, (enum wrong_kind)kind, (uint32_t)fx->block.tx_count + 1)) {
            wrong_applied |= 1u << kind;
            bool mismatch = false;
            assert_int_equal(drive_run(cfg, fx, &wrong, 1, &ref, what, &mismatch), 0);
            if (must_drive && !mismatch)
                fail_msg("%s: wrong list (kind %d) degraded without a proven mismatch", what, kind);
            assert_int_equal(drive_run(cfg, fx, &wrong, 4, &ref, what, NULL), 0);
        }
        bal_free(&wrong);
    }
    /* An empty list for a block that changes state. */
    struct bal empty;
    bal_init(&empty);
    assert_int_equal(bal_finish(&empty), PAREVM_OK);
    assert_int_equal(drive_run(cfg, fx, &empty, 2, &ref, what, NULL), 0);
    bal_free(&empty);
    bal_free(&list);
    block_result_free(&ref.r);
}

/* A gen block of kind at fork (FORK__COUNT: gen's default, Prague for
 * smart) of txs transactions. */
/* A gen block of `txs` transactions of `kind` (in `fork`; FORK__COUNT:
 * gen's default, Prague for smart accounts, as the command line picks),
 * written and loaded back into *fx, with *cfg its chain's (mainnet's, or
 * for Amsterdam the network gen names). */
static void load_gen(enum gen_kind kind, enum fork fork, uint64_t txs, struct chain_config *cfg,
                     struct mainnet_fixture *fx)
{
    struct gen_options o;
    gen_options_default(&o);
    o.kind = kind;
    if (kind == GEN_SMART) /* (EIP-7702 set-code transactions) */
        o.fork = FORK_PRAGUE;
    if (fork != FORK__COUNT)
        o.fork = fork;
    o.txs = txs;
    o.zipf = 1.0;
    o.seed = 11;
    char dir[64], err[512];
    make_tmpdir(dir, "balexec");
    if (gen_write_fixture(&o, dir, NULL, err, sizeof err) != PAREVM_OK)
        fail_msg("gen %s: %s", gen_kind_name(kind), err);
    chain_config_mainnet(cfg);
    if (mainnet_load(dir, cfg, fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load %s: %s", gen_kind_name(kind), err);
    *cfg = fx->cfg; /* (Amsterdam: the network its chain.json names) */
    remove_fixture(dir);
}

static void check_gen_at(enum gen_kind kind, enum fork fork, uint64_t txs, bool must_drive)
{
    struct chain_config cfg;
    struct mainnet_fixture fx;
    load_gen(kind, fork, txs, &cfg, &fx);
    check_block(&cfg, &fx, gen_kind_name(kind), must_drive);
    mainnet_fixture_free(&fx);
}

static void check_gen(enum gen_kind kind, bool must_drive)
{
    check_gen_at(kind, FORK__COUNT, GEN_TXS, must_drive);
}

static void test_transfers(void **state)
{
    (void)state;
    check_gen(GEN_TRANSFERS, true);
}

static void test_erc20(void **state)
{
    (void)state;
    check_gen(GEN_ERC20, true);
    assert_true((wrong_applied & (1u << WRONG_NONCE)) && (wrong_applied & (1u << WRONG_LAST_INDEX)));
}

static void test_amm(void **state)
{
    (void)state;
    check_gen(GEN_AMM, true);
}

static void test_lending(void **state)
{
    (void)state;
    check_gen(GEN_LENDING, true);
}

static void test_mixed(void **state)
{
    (void)state;
    check_gen(GEN_MIXED, true);
}

static void test_nft(void **state)
{
    (void)state;
    check_gen(GEN_NFT, true);
}

static void test_supply(void **state)
{
    (void)state;
    check_gen(GEN_SUPPLY, true);
}

static void test_dao(void **state)
{
    (void)state;
    check_gen(GEN_DAO, true);
}

/* EIP-7702 smart accounts (delegations set in the block) */
static void test_smart(void **state)
{
    (void)state;
    check_gen(GEN_SMART, true);
}

static void test_memory(void **state)
{
    (void)state;
    check_gen(GEN_MEMORY, true);
}

static void test_recursion(void **state)
{
    (void)state;
    check_gen(GEN_RECURSION, true);
}

static void test_storm(void **state)
{
    (void)state;
    check_gen(GEN_STORM, true);
}

static void test_hotbalance(void **state)
{
    (void)state;
    check_gen(GEN_HOTBALANCE, true);
}

/* Self-destructs and CREATE2 collisions: the list may not drive these
 * (an account deleted); whatever it does, the result is sequential's. */
static void test_redeploy(void **state)
{
    (void)state;
    check_gen(GEN_REDEPLOY, false);
}

static void test_create2(void **state)
{
    (void)state;
    check_gen(GEN_CREATE2, false);
}

/* A contract of the pre-state, with storage, self-destructed and
 * re-created in turn: before Cancun each deletion is one the list says
 * (the child's nonce and code going to zero), the storage goes with it
 * (the re-creation's CREATE2 must not collide, EIP-7610, and the old
 * slot must be gone from the state), and the block ends with the child
 * deleted (an odd count) or re-created (even). From Cancun nothing is
 * deleted. The list drives every one. */
static void test_metamorphic(void **state)
{
    (void)state;
    check_gen_at(GEN_METAMORPHIC, FORK_LONDON, GEN_TXS, true);
    assert_true(wrong_applied & (1u << WRONG_NO_DELETE));
    check_gen_at(GEN_METAMORPHIC, FORK_SHANGHAI, GEN_TXS + 1, true);
    check_gen_at(GEN_METAMORPHIC, FORK_CANCUN, GEN_TXS, true);
}

/* ---- mainnet snapshots ---- */

static bool mainnet_dir(const char *number, char *out, size_t len)
{
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(out, len, "%s/mainnet/%s", env && *env ? env : "../shared/fixtures", number);
    struct stat st;
    return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

static void check_mainnet(const char *number, bool must_drive)
{
    char dir[4096], err[512];
    if (!mainnet_dir(number, dir, sizeof dir)) {
        print_message("skipped: %s not found\n", dir);
        skip();
    }
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    cfg.skip_intermediate_roots = true; /* partial states */
    struct mainnet_fixture fx;
    if (mainnet_load(dir, &cfg, &fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load %s: %s", dir, err);
    check_block(&cfg, &fx, number, must_drive);
    mainnet_fixture_free(&fx);
}

/* Every scenario in Amsterdam (a network of its own: gen's chain.json):
 * the state gas of EIP-8037, EIP-2780's transaction base and EIP-7708's
 * transfer logs, driven from the list at every thread count. Redeploy
 * and create2 may degrade, as in Cancun. */
static void test_amsterdam(void **state)
{
    (void)state;
    for (enum gen_kind k = 0; k < GEN_KIND_COUNT; k++)
        check_gen_at(k, FORK_AMSTERDAM, GEN_TXS / 2, k != GEN_REDEPLOY && k != GEN_CREATE2);
}

static void test_mainnet_cancun(void **state)
{
    (void)state;
    check_mainnet("19917570", true);
    /* (skipped without fixtures; every kind but WRONG_NO_DELETE: from
     * Cancun nothing existing is deleted) */
    assert_int_equal(wrong_applied, ((1u << WRONG_KIND_COUNT) - 1) & ~(1u << WRONG_NO_DELETE));
}

static void test_mainnet_shanghai(void **state)
{
    (void)state;
    check_mainnet("17034869", true);
}

/* Berlin, self-destructs of existing contracts (GasToken): driven, the
 * deletions read from the list. */
static void test_mainnet_selfdestructs(void **state)
{
    (void)state;
    check_mainnet("12520364", true);
}

/* Homestead and Frontier, accounts created empty (a call with no value
 * to an address not in the state), and in 116525 a contract deleted and
 * called again, which creates it empty: driven, the creations read from
 * the list's balance changes to zero. */
static void test_mainnet_created_empty(void **state)
{
    (void)state;
    check_mainnet("2462997", true);
    assert_true(wrong_applied & (1u << WRONG_NO_ZERO_BALANCE));
    check_mainnet("116525", true);
}

/* Every mainnet snapshot there is, driven by its own list at every
 * thread count: the same result and state root as sequential, and
 * driven (none degrades). */
static void test_mainnet_all(void **state)
{
    (void)state;
    char root[4096], err[512];
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(root, sizeof root, "%s/mainnet", env && *env ? env : "../shared/fixtures");
    DIR *d = opendir(root);
    if (!d) {
        print_message("skipped: %s not found\n", root);
        skip();
    }
    size_t blocks = 0, driven = 0;
    for (struct dirent *de; (de = readdir(d));) {
        char dir[4096 + 256];
        if (de->d_name[0] == '.' || !mainnet_dir(de->d_name, dir, sizeof dir))
            continue;
        struct chain_config cfg;
        chain_config_mainnet(&cfg);
        cfg.skip_intermediate_roots = true;
        struct mainnet_fixture fx;
        if (mainnet_load(dir, &cfg, &fx, err, sizeof err) != PAREVM_OK)
            fail_msg("mainnet_load %s: %s", dir, err);
        struct reference ref;
        reference_run(&cfg, &fx, &ref);
        struct bal list;
        list_of(&cfg, &fx, &list);
        /* (two counts here: every count on the blocks above and on gen's,
         * and this test runs under TSan in CI) */
        static const int stm_counts[] = {4, 64};
        check_stm_list_at(&cfg, &fx, de->d_name, &ref, &list, stm_counts, 2);
        int all = 1;
        for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++)
            all &= drive_run(&cfg, &fx, &list, thread_counts[t], &ref, de->d_name, NULL);
        blocks++;
        driven += (size_t)all;
        bal_free(&list);
        block_result_free(&ref.r);
        mainnet_fixture_free(&fx);
    }
    closedir(d);
    print_message("%zu mainnet blocks, %zu driven at every thread count\n", blocks, driven);
    assert_true(blocks > 0);
    assert_int_equal(driven, blocks); /* (each list expresses its block) */
}

/* The driven engine at two threads and more runs the transactions
 * longest gas limit first, ties in index order: every worker meets them
 * in that order (its recorded executions, one each, come at increasing
 * places of it), and the longest is some worker's first. A block of
 * transfers (every limit equal: the order is the block's) and a mixed
 * one (the limits differ: sorted). */
static void check_longest_first(enum gen_kind kind, bool all_equal)
{
    struct chain_config cfg;
    struct mainnet_fixture fx;
    load_gen(kind, FORK__COUNT, GEN_TXS, &cfg, &fx);
    const size_t n = fx.block.tx_count;
    struct bal list;
    list_of(&cfg, &fx, &list);
    /* place[i]: transaction i's place in the expected order */
    size_t *place = calloc(n, sizeof *place);
    assert_non_null(place);
    bool moved = false;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            uint64_t gi = fx.block.txs[i].gas_limit, gj = fx.block.txs[j].gas_limit;
            place[i] += gj > gi || (gj == gi && j < i);
        }
        moved |= place[i] != i;
    }
    assert_int_equal(moved, !all_equal);
    for (int threads = 2; threads <= 4; threads += 2) {
        struct world w;
        assert_int_equal(world_clone(&fx.pre, &w), PAREVM_OK);
        struct exec_options opt = {.threads = threads, .force = true, .drive = &list, .record = true};
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        struct block_result r;
        assert_int_equal(exec_block_parallel(&cfg, &fx.block, &w, &fx.hashes, &opt, &r, &stats), PAREVM_OK);
        assert_true(stats.bal_driven);
        size_t seen = 0;
        bool longest_first = false;
        for (int t = 0; t < threads; t++) {
            size_t last = SIZE_MAX; /* (none yet) */
            for (size_t e = 0; e < stats.record.event_count; e++) {
                const struct par_event *ev = &stats.record.events[e];
                if (ev->thread != t || ev->kind != PAR_EV_EXECUTE)
                    continue;
                assert_true(ev->tx < n);
                if (last == SIZE_MAX)
                    longest_first |= place[ev->tx] == 0;
                else
                    assert_true(place[ev->tx] > last);
                last = place[ev->tx];
                seen++;
            }
        }
        assert_int_equal(seen, n);
        assert_true(longest_first);
        block_result_free(&r);
        exec_stats_reset(&stats);
        world_free(&w);
    }
    free(place);
    bal_free(&list);
    mainnet_fixture_free(&fx);
}

static void test_longest_first(void **state)
{
    (void)state;
    check_longest_first(GEN_TRANSFERS, true);
    check_longest_first(GEN_MIXED, false);
}

/* index_search (bal_search.h) against a linear scan: random runs of
 * ascending indices (strictly, and with repeats), at random bounds, for
 * every limit from below the first to above the last, in entries shaped
 * like the list's (the index between other fields). */
struct search_entry {
    uint64_t before[4];
    uint32_t index;
    uint64_t after[4];
};

static void test_index_search(void **state)
{
    (void)state;
    enum { MAX = 300 };
    static struct search_entry e[MAX];
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    size_t checked = 0;
    for (int round = 0; round < 400; round++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = (size_t)(rng >> 33) % MAX;
        bool repeats = round % 3 == 0;
        uint32_t at = (uint32_t)(rng >> 20) % 5;
        for (size_t i = 0; i < n; i++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            /* mostly one apart (a hot location), sometimes far */
            uint32_t gap = (rng >> 40) % 8 ? 1 : (uint32_t)(rng >> 44) % 50 + 1;
            if (repeats && (rng >> 30) % 4 == 0)
                gap = 0;
            at += i ? gap : 0;
            e[i].index = at;
        }
        size_t lo = n ? (size_t)(rng >> 13) % (n + 1) : 0;
        size_t hi = lo + (n - lo ? (size_t)(rng >> 7) % (n - lo + 1) : 0);
        uint32_t top = n ? e[n - 1].index + 2 : 3;
        for (uint32_t limit = 0; limit <= top; limit++) {
            size_t want = lo;
            while (want < hi && e[want].index < limit)
                want++;
            size_t got = index_search((const char *)e, sizeof e[0], offsetof(struct search_entry, index), lo,
                                      hi, limit);
            if (got != want)
                fail_msg("index_search over [%zu, %zu) of %zu, limit %u: %zu, want %zu", lo, hi, n, limit,
                         got, want);
            checked++;
        }
    }
    assert_true(checked > 10000);
}

int main(void)
{
    (void)read_all; /* (fixture_dir.h) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_search),
        cmocka_unit_test(test_longest_first),
        cmocka_unit_test(test_transfers),
        cmocka_unit_test(test_erc20),
        cmocka_unit_test(test_amm),
        cmocka_unit_test(test_lending),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_nft),
        cmocka_unit_test(test_supply),
        cmocka_unit_test(test_dao),
        cmocka_unit_test(test_smart),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_recursion),
        cmocka_unit_test(test_storm),
        cmocka_unit_test(test_hotbalance),
        cmocka_unit_test(test_redeploy),
        cmocka_unit_test(test_create2),
        cmocka_unit_test(test_metamorphic),
        cmocka_unit_test(test_amsterdam),
        cmocka_unit_test(test_mainnet_cancun),
        cmocka_unit_test(test_mainnet_shanghai),
        cmocka_unit_test(test_mainnet_selfdestructs),
        cmocka_unit_test(test_mainnet_created_empty),
        cmocka_unit_test(test_mainnet_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
