/* Tests for the public API (include/parevm.h, src/api/) and the world
 * source behind it (state/world.h).
 *
 *   - a world in front of a counting source: each location asked once,
 *     absent accounts and zero slots cached, the block's deletions,
 *     zero writes and storage clears never undone by a second look, a
 *     source error kept, EIP-7610's has-storage of an account whose
 *     slots were never read;
 *   - arguments checked, contexts by network;
 *   - BlockchainTests single-block valid tests (block from RLP, complete
 *     in-memory state from the test's pre): the state root equals the
 *     test's post state; the same block through a host provider (every
 *     location asked of callbacks) gives the same gas, receipts root,
 *     bloom and receipts, sequentially and with Block-STM;
 *   - a mainnet snapshot (block from the fixture folder): header gasUsed
 *     and receiptsRoot; a provider that fails or returns wrong code makes
 *     the execution fail with PAREVM_ERR_IO and no result.
 * Fixture parts say "skipped: fixtures not found" without fixtures. */
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
#include <sys/stat.h>

#include "../include/parevm.h"
#include "../src/base/hex.h"
#include "../src/io/blocktest.h"
#include "../src/state/world.h"
#include "fixture_dir.h"

static char fixtures[4096];

static bool fixtures_found(const char *sub)
{
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(fixtures, sizeof fixtures, "%s/%s", env && *env ? env : "../shared/fixtures", sub);
    struct stat st;
    return stat(fixtures, &st) == 0 && S_ISDIR(st.st_mode);
}

#define REQUIRE_FIXTURES(sub)                                                                                \
    do {                                                                                                     \
        if (!fixtures_found(sub)) {                                                                          \
            print_message("skipped: fixtures not found\n");                                                  \
            skip();                                                                                          \
        }                                                                                                    \
    } while (0)

/* ---- the world source ---- */

struct fake_source {
    unsigned accounts, slots;
    int fail;             /* returned by every call when set */
    bool storage_no_code; /* 0x02: has storage, nonce 0, no code */
};

static int fake_account(void *arg, const address *a, bool *exists, u256 *balance, uint64_t *nonce,
                        struct code **code, bool *has_storage)
{
    struct fake_source *s = arg;
    s->accounts++;
    if (s->fail)
        return s->fail;
    /* 0x01: balance 7, nonce 1, storage; 0x02: see storage_no_code; others absent. */
    *exists = a->bytes[19] == 1 || (a->bytes[19] == 2 && s->storage_no_code);
    if (!*exists)
        return PAREVM_OK;
    *balance = u256_from_u64(7);
    *nonce = a->bytes[19] == 1 ? 1 : 0;
    *code = code_empty();
    *has_storage = true;
    return PAREVM_OK;
}

static int fake_storage(void *arg, const address *a, const u256 *key, u256 *out)
{
    struct fake_source *s = arg;
    (void)a;
    s->slots++;
    if (s->fail)
        return s->fail;
    *out = u256_from_u64(key->w[0] + 100); /* slot k holds k + 100 */
    return PAREVM_OK;
}

static address addr_n(uint8_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[19] = n;
    return a;
}

static void test_world_source(void **state)
{
    (void)state;
    struct fake_source fs = {0};
    struct world_source src = {fake_account, fake_storage, &fs};
    struct world w;
    assert_int_equal(world_init_source(&w, &src), PAREVM_OK);
    address a1 = addr_n(1), a9 = addr_n(9);

    /* Absent: asked once, then known. */
    assert_null(world_get(&w, &a9));
    assert_null(world_get(&w, &a9));
    assert_int_equal(fs.accounts, 1);

    struct world_account *acct = world_get(&w, &a1);
    assert_non_null(acct);
    assert_int_equal(acct->nonce, 1);
    assert_int_equal(acct->balance.w[0], 7);
    assert_ptr_equal(world_get(&w, &a1), acct);
    assert_int_equal(fs.accounts, 2);

    /* Slots: asked once each; a zero written stays zero; a value written wins. */
    u256 k5 = u256_from_u64(5), k6 = u256_from_u64(6), k7 = u256_from_u64(7), zero = u256_zero();
    u256 v = world_get_storage(acct, &k5);
    assert_int_equal(v.w[0], 105);
    v = world_get_storage(acct, &k5);
    assert_int_equal(v.w[0], 105);
    assert_int_equal(fs.slots, 1);
    assert_int_equal(world_set_storage(acct, &k5, &zero), PAREVM_OK);
    v = world_get_storage(acct, &k5);
    assert_true(u256_is_zero(&v));
    assert_int_equal(world_set_storage(acct, &k6, &zero), PAREVM_OK); /* never read: zero without asking */
    v = world_get_storage(acct, &k6);
    assert_true(u256_is_zero(&v));
    assert_int_equal(fs.slots, 1);
    u256 nine = u256_from_u64(9);
    assert_int_equal(world_set_storage(acct, &k5, &nine), PAREVM_OK);
    v = world_get_storage(acct, &k5);
    assert_int_equal(v.w[0], 9);

    /* Cleared storage (SELFDESTRUCT in its creating transaction, re-creation):
     * nothing is asked of the source any more. */
    world_clear_storage(acct);
    v = world_get_storage(acct, &k7);
    assert_true(u256_is_zero(&v));
    assert_int_equal(fs.slots, 1);

    /* Deleted: absent from then on, and re-created empty. */
    world_delete(&w, &a1);
    assert_null(world_get(&w, &a1));
    assert_int_equal(fs.accounts, 2);
    acct = world_get_or_create(&w, &a1);
    assert_non_null(acct);
    assert_int_equal(acct->nonce, 0);
    v = world_get_storage(acct, &k7);
    assert_true(u256_is_zero(&v));
    assert_int_equal(fs.slots, 1);
    assert_int_equal(world_source_error(&w), PAREVM_OK);

    /* A source error reads as absent and is kept. */
    fs.fail = PAREVM_ERR_IO;
    address a3 = addr_n(3);
    assert_null(world_get(&w, &a3));
    assert_int_equal(world_source_error(&w), PAREVM_ERR_IO);
    world_free(&w);

    /* EIP-7610: storage without code or nonce counts (the source said so),
     * until cleared. */
    struct fake_source fs2 = {.storage_no_code = true};
    src.arg = &fs2;
    assert_int_equal(world_init_source(&w, &src), PAREVM_OK);
    address a2 = addr_n(2);
    acct = world_get(&w, &a2);
    assert_non_null(acct);
    assert_int_equal(acct->storage.count, 0);
    assert_true(world_account_has_storage(acct));
    world_clear_storage(acct);
    assert_false(world_account_has_storage(acct));
    assert_int_equal(world_source_error(&w), PAREVM_OK);
    world_free(&w);
}

/* ---- arguments, contexts ---- */

static void test_arguments(void **state)
{
    (void)state;
    parevm_ctx *ctx = parevm_ctx_create(NULL);
    assert_non_null(ctx);
    parevm_ctx_options bad = {0, "NoSuchFork"};
    assert_null(parevm_ctx_create(&bad));
    parevm_ctx_options many = {PAREVM_MAX_THREADS + 1, NULL};
    assert_null(parevm_ctx_create(&many));
    parevm_ctx_options cancun = {2, "Cancun"};
    parevm_ctx *c2 = parevm_ctx_create(&cancun);
    assert_non_null(c2);
    parevm_ctx_destroy(c2);

    parevm_result *r = (parevm_result *)1;
    parevm_state_provider p = {0};
    assert_int_equal(parevm_execute_block(ctx, NULL, &p, NULL, &r), PAREVM_ERR_ARG);
    assert_null(r);
    assert_int_equal(parevm_execute_block(ctx, NULL, NULL, NULL, NULL), PAREVM_ERR_ARG);
    parevm_block *b = (parevm_block *)1;
    char err[128];
    uint8_t junk[3] = {0xc2, 0x80, 0x80};
    assert_int_equal(parevm_block_from_rlp(ctx, junk, sizeof junk, &b, err, sizeof err), PAREVM_ERR_RLP);
    assert_null(b);
    assert_true(strlen(err) > 0);
    assert_int_equal(parevm_block_from_json(ctx, "x.json", "{", 1, &b, err, sizeof err), PAREVM_ERR_JSON);
    assert_int_equal(parevm_block_from_fixture(ctx, "/nonexistent", &b, NULL, err, sizeof err),
                     PAREVM_ERR_IO);

    parevm_state *st = parevm_state_create(ctx);
    assert_non_null(st);
    uint8_t a[20] = {1}, k[32] = {0}, v[32] = {0};
    v[31] = 1;
    assert_int_equal(parevm_state_set_storage(st, a, k, v), PAREVM_ERR_ARG); /* no such account */
    assert_int_equal(parevm_state_set_account(st, a, v, 3, (const uint8_t *)"\x60\x00", 2), PAREVM_OK);
    assert_int_equal(parevm_state_set_storage(st, a, k, v), PAREVM_OK);
    int exists = 0;
    parevm_account acct;
    assert_int_equal(parevm_state_get_account(st, a, &exists, &acct), PAREVM_OK);
    assert_int_equal(exists, 1);
    assert_int_equal(acct.nonce, 3);
    assert_int_equal(acct.has_storage, 1);
    const uint8_t *code;
    size_t len;
    assert_int_equal(parevm_state_get_code(st, acct.code_hash, &code, &len), PAREVM_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(code, "\x60\x00", 2);
    uint8_t h[32] = {0xab};
    int found = 0;
    assert_int_equal(parevm_state_set_block_hash(st, 9, h), PAREVM_OK);
    assert_int_equal(parevm_state_set_block_hash(st, 3, h), PAREVM_OK);
    assert_int_equal(parevm_state_get_block_hash(st, 9, &found, v), PAREVM_OK);
    assert_int_equal(found, 1);
    assert_int_equal(parevm_state_get_block_hash(st, 4, &found, v), PAREVM_OK);
    assert_int_equal(found, 0);
    assert_int_equal(parevm_state_is_complete(st), 1);
    parevm_state_destroy(st);
    parevm_ctx_destroy(ctx);
}

/* ---- a host provider over an in-memory state ---- */

struct host {
    const parevm_state *st;
    long calls, fail_at; /* fail the call numbered fail_at (0: never) */
    bool bad_code;       /* return code that does not match its hash */
    long code_calls;
};

static bool host_fails(struct host *h)
{
    return ++h->calls == h->fail_at;
}

static int host_account(void *arg, const uint8_t a[20], int *exists, parevm_account *out)
{
    struct host *h = arg;
    return host_fails(h) ? -1 : parevm_state_get_account(h->st, a, exists, out);
}

static int host_storage(void *arg, const uint8_t a[20], const uint8_t k[32], uint8_t v[32])
{
    struct host *h = arg;
    return host_fails(h) ? -1 : parevm_state_get_storage(h->st, a, k, v);
}

static int host_code(void *arg, const uint8_t hash[32], const uint8_t **code, size_t *len)
{
    struct host *h = arg;
    h->code_calls++;
    if (h->bad_code) {
        *code = (const uint8_t *)"\x00";
        *len = 1;
        return 0;
    }
    return host_fails(h) ? -1 : parevm_state_get_code(h->st, hash, code, len);
}

static int host_block_hash(void *arg, uint64_t n, int *found, uint8_t hash[32])
{
    struct host *h = arg;
    return host_fails(h) ? -1 : parevm_state_get_block_hash(h->st, n, found, hash);
}

static parevm_state_provider host_provider(struct host *h)
{
    parevm_state_provider p = {h, host_account, host_storage, host_code, host_block_hash};
    return p;
}

/* Two results agree on everything the API shows. */
static void assert_results_equal(const parevm_result *a, const parevm_result *b)
{
    assert_int_equal(parevm_result_gas_used(a), parevm_result_gas_used(b));
    uint8_t ra[32], rb[32], ba[256], bb[256];
    int ea = parevm_result_receipts_root(a, ra), eb = parevm_result_receipts_root(b, rb);
    assert_int_equal(ea, eb);
    if (ea == PAREVM_OK)
        assert_memory_equal(ra, rb, 32);
    parevm_result_logs_bloom(a, ba);
    parevm_result_logs_bloom(b, bb);
    assert_memory_equal(ba, bb, 256);
    size_t n = parevm_result_receipt_count(a);
    assert_int_equal(n, parevm_result_receipt_count(b));
    for (size_t i = 0; i < n; i++) {
        int sa, sb;
        uint64_t ga, gb;
        size_t la, lb;
        assert_int_equal(parevm_result_receipt(a, i, &sa, &ga, &la), PAREVM_OK);
        assert_int_equal(parevm_result_receipt(b, i, &sb, &gb, &lb), PAREVM_OK);
        assert_int_equal(sa, sb);
        assert_int_equal(ga, gb);
        assert_int_equal(la, lb);
        for (size_t j = 0; j < la; j++) {
            uint8_t aa[20], ab[20];
            const uint8_t *ta, *tb, *da, *db;
            size_t tca, tcb, dla, dlb;
            assert_int_equal(parevm_result_log(a, i, j, aa, &ta, &tca, &da, &dla), PAREVM_OK);
            assert_int_equal(parevm_result_log(b, i, j, ab, &tb, &tcb, &db, &dlb), PAREVM_OK);
            assert_memory_equal(aa, ab, 20);
            assert_int_equal(tca, tcb);
            if (tca)
                assert_memory_equal(ta, tb, 32 * tca);
            assert_int_equal(dla, dlb);
            if (dla)
                assert_memory_equal(da, db, dla);
        }
    }
    assert_int_equal(parevm_result_receipt(a, n, NULL, NULL, NULL), PAREVM_ERR_ARG);
}

/* ---- BlockchainTests through the API ---- */

/* A complete in-memory state holding world w (through the public setters). */
static parevm_state *state_of_world(const parevm_ctx *ctx, const struct world *w)
{
    parevm_state *st = parevm_state_create(ctx);
    assert_non_null(st);
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(&w->accounts, &it, &key, &val)) {
        const struct world_account *a = *(struct world_account *const *)val;
        uint8_t bal[32];
        u256_to_be(&a->balance, bal);
        assert_int_equal(
            parevm_state_set_account(st, a->addr.bytes, bal, a->nonce, a->code->bytes, a->code->len),
            PAREVM_OK);
        size_t sit = 0;
        const void *sk;
        void *sv;
        while (hmap_next(&a->storage, &sit, &sk, &sv)) {
            uint8_t k[32], v[32];
            u256_to_be(sk, k);
            u256_to_be(sv, v);
            assert_int_equal(parevm_state_set_storage(st, a->addr.bytes, k, v), PAREVM_OK);
        }
    }
    return st;
}

struct bt_counts {
    size_t tests, skipped;
};

/* Every single-block valid test of one file. */
static void run_blocktest_file(const char *path, struct bt_counts *c)
{
    struct blocktest_file f;
    char err[512];
    if (blocktest_load_file(path, &f, err, sizeof err) != PAREVM_OK) {
        c->skipped++;
        return;
    }
    for (size_t i = 0; i < f.count; i++) {
        const struct blocktest *t = &f.tests[i];
        if (t->block_count != 1 || t->blocks[0].expect_exception || !t->blocks[0].rlp ||
            !(t->has_post_state || t->has_post_state_hash)) {
            c->skipped++;
            continue;
        }
        parevm_ctx_options o = {2, t->network};
        parevm_ctx *ctx = parevm_ctx_create(&o);
        if (!ctx) { /* a network parevm does not know: not this test's business */
            c->skipped++;
            continue;
        }
        parevm_block *b = NULL;
        int rc = parevm_block_from_rlp(ctx, t->blocks[0].rlp, t->blocks[0].rlp_len, &b, err, sizeof err);
        if (rc == PAREVM_ERR_UNSUPPORTED) {
            parevm_ctx_destroy(ctx);
            c->skipped++;
            continue;
        }
        if (rc)
            fail_msg("%s %s: %s", path, t->name, err);
        parevm_state *st = state_of_world(ctx, &t->pre);
        assert_int_equal(parevm_state_set_block_hash(st, 0, t->genesis_hash.bytes), PAREVM_OK);

        /* In memory: the state root is the test's. */
        parevm_state_provider mem;
        assert_int_equal(parevm_state_provider_of(st, &mem), PAREVM_OK);
        parevm_execute_options seq = {PAREVM_ENGINE_SEQUENTIAL, 1};
        parevm_result *r_mem = NULL;
        rc = parevm_execute_block(ctx, b, &mem, &seq, &r_mem);
        if (rc)
            fail_msg("%s %s: %s %s", path, t->name, parevm_strerror(rc), parevm_result_invalid_reason(r_mem));
        hash32 want;
        if (t->has_post_state)
            assert_int_equal(world_state_root(&t->post, &want), PAREVM_OK);
        else
            want = t->post_state_hash;
        uint8_t root[32];
        assert_int_equal(parevm_result_state_root(r_mem, root), PAREVM_OK);
        if (memcmp(root, want.bytes, 32) != 0)
            fail_msg("%s %s: state root differs", path, t->name);

        /* Through a host provider, both engines: the same results. */
        struct host h = {st, 0, 0, false, 0};
        parevm_state_provider hp = host_provider(&h);
        parevm_execute_options stm = {PAREVM_ENGINE_BLOCK_STM, 4};
        for (int e = 0; e < 2; e++) {
            parevm_result *r = NULL;
            rc = parevm_execute_block(ctx, b, &hp, e ? &stm : &seq, &r);
            if (rc)
                fail_msg("%s %s (provider): %s %s", path, t->name, parevm_strerror(rc),
                         parevm_result_invalid_reason(r));
            assert_results_equal(r_mem, r);
            assert_int_equal(parevm_result_state_root(r, root), PAREVM_ERR_UNSUPPORTED);
            parevm_result_destroy(r);
        }
        c->tests++;
        parevm_result_destroy(r_mem);
        parevm_state_destroy(st);
        parevm_block_destroy(b);
        parevm_ctx_destroy(ctx);
    }
    blocktest_file_free(&f);
}

static void run_blocktest_dir(const char *dir, struct bt_counts *c)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[8192 + 512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        run_blocktest_file(path, c);
    }
    closedir(d);
}

static void test_blocktests(void **state)
{
    (void)state;
    REQUIRE_FIXTURES("ethereum-tests/BlockchainTests/ValidBlocks");
    /* Self-destructs, re-creations, storage cleared and refilled,
     * transient storage, BLOCKHASH, blobs, withdrawals. */
    static const char *const dirs[] = {
        "bcStateTests",          "bcExample", "bcEIP1153-transientStorage", "bcEIP4844-blobtransactions",
        "bcRandomBlockhashTest", "bcEIP1559"};
    struct bt_counts c = {0, 0};
    char base[4096];
    memcpy(base, fixtures, sizeof base);
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char dir[8192];
        snprintf(dir, sizeof dir, "%s/%s", base, dirs[i]);
        run_blocktest_dir(dir, &c);
    }
    print_message("%zu single-block tests through the API (%zu other tests skipped)\n", c.tests, c.skipped);
    assert_true(c.tests >= 50);
}

/* ---- a mainnet snapshot ---- */

static void header_field(const char *dir, const char *field, char *out, size_t cap)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/block.json", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", field);
    const char *p = strstr(buf, pat);
    assert_non_null(p);
    p = strchr(p + strlen(pat), '"');
    assert_non_null(p);
    const char *q = strchr(p + 1, '"');
    assert_non_null(q);
    snprintf(out, cap, "%.*s", (int)(q - p - 1), p + 1);
}

/* A folder whose chain.json puts the block in another fork than the
 * context's chain is refused by name; a context of that network loads it. */
static void test_fixture_network(void **state)
{
    (void)state;
    REQUIRE_FIXTURES("mainnet/19426587");
    char dir[64], path[4200];
    make_tmpdir(dir, "api-network");
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/%s", fixtures, fixture_files[i]);
        char *data = read_all(path, &len);
        assert_non_null(data);
        snprintf(path, sizeof path, "%s/%s", dir, fixture_files[i]);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        fclose(f);
        free(data);
    }
    snprintf(path, sizeof path, "%s/chain.json", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("{\"network\": \"Prague\"}", f);
    fclose(f);
    parevm_ctx *ctx = parevm_ctx_create(NULL);
    parevm_block *b = NULL;
    char err[512];
    assert_int_equal(parevm_block_from_fixture(ctx, dir, &b, NULL, err, sizeof err), PAREVM_ERR_UNSUPPORTED);
    assert_null(b);
    assert_non_null(strstr(
        err, "chain.json: its network puts block 19426587 in fork Prague, the context's chain in Cancun"));
    parevm_ctx_options prague = {1, "Prague"};
    parevm_ctx *pctx = parevm_ctx_create(&prague);
    assert_int_equal(parevm_block_from_fixture(pctx, dir, &b, NULL, err, sizeof err), PAREVM_OK);
    parevm_block_destroy(b);
    parevm_ctx_destroy(pctx);
    parevm_ctx_destroy(ctx);
    remove_fixture(dir);
}

static void test_mainnet_block(void **state)
{
    (void)state;
    REQUIRE_FIXTURES("mainnet/19426587");
    char dir[4096];
    memcpy(dir, fixtures, sizeof dir);
    parevm_ctx *ctx = parevm_ctx_create(NULL);
    parevm_block *b = NULL;
    parevm_state *st = NULL;
    char err[512];
    assert_int_equal(parevm_block_from_fixture(ctx, dir, &b, &st, err, sizeof err), PAREVM_OK);
    assert_int_equal(parevm_block_number(b), 19426587);
    assert_int_equal(parevm_state_is_complete(st), 0);

    parevm_state_provider mem;
    assert_int_equal(parevm_state_provider_of(st, &mem), PAREVM_OK);
    parevm_result *r = NULL;
    assert_int_equal(parevm_execute_block(ctx, b, &mem, NULL, &r), PAREVM_OK);
    char gas[80], root_hex[80];
    header_field(dir, "gasUsed", gas, sizeof gas);
    header_field(dir, "receiptsRoot", root_hex, sizeof root_hex);
    assert_int_equal(parevm_result_gas_used(r), strtoull(gas, NULL, 16));
    uint8_t want[32], got[32];
    assert_int_equal(hex_decode_exact(root_hex, want, 32), PAREVM_OK);
    assert_int_equal(parevm_result_receipts_root(r, got), PAREVM_OK);
    assert_memory_equal(got, want, 32);
    assert_int_equal(parevm_result_state_root(r, got), PAREVM_ERR_UNSUPPORTED); /* partial state */
    assert_string_equal(parevm_result_invalid_reason(r), "");
    parevm_execute_options too_many = {PAREVM_ENGINE_AUTO, PAREVM_MAX_THREADS + 1};
    parevm_execute_options no_engine = {(parevm_engine)7, 1};
    parevm_result *rx = (parevm_result *)1;
    assert_int_equal(parevm_execute_block(ctx, b, &mem, &too_many, &rx), PAREVM_ERR_ARG);
    assert_null(rx);
    assert_int_equal(parevm_execute_block(ctx, b, &mem, &no_engine, &rx), PAREVM_ERR_ARG);

    /* A provider: the same; failing at its k-th call, or returning code
     * that is not what the hash names: PAREVM_ERR_IO and no result. */
    struct host h = {st, 0, 0, false, 0};
    parevm_state_provider hp = host_provider(&h);
    parevm_result *r2 = NULL;
    assert_int_equal(parevm_execute_block(ctx, b, &hp, NULL, &r2), PAREVM_OK);
    assert_results_equal(r, r2);
    parevm_result_destroy(r2);
    /* Again: the context has cached the code, so the provider is not asked. */
    assert_true(h.code_calls > 0);
    struct host h2 = {st, 0, 0, false, 0};
    parevm_state_provider hp2 = host_provider(&h2);
    assert_int_equal(parevm_execute_block(ctx, b, &hp2, NULL, &r2), PAREVM_OK);
    assert_results_equal(r, r2);
    parevm_result_destroy(r2);
    assert_int_equal(h2.code_calls, 0);
    long total = h2.calls;
    assert_true(total > 256);
    for (long k = 1; k <= total; k += total / 7 + 1) {
        struct host hf = {st, 0, k, false, 0};
        parevm_state_provider fp = host_provider(&hf);
        parevm_result *rf = (parevm_result *)1;
        assert_int_equal(parevm_execute_block(ctx, b, &fp, NULL, &rf), PAREVM_ERR_IO);
        assert_null(rf);
    }
    /* Wrong code: only a context that has not cached the right one asks. */
    parevm_ctx *fresh = parevm_ctx_create(NULL);
    struct host hb = {st, 0, 0, true, 0};
    parevm_state_provider bp = host_provider(&hb);
    parevm_result *rb = (parevm_result *)1;
    assert_int_equal(parevm_execute_block(fresh, b, &bp, NULL, &rb), PAREVM_ERR_IO);
    assert_null(rb);
    parevm_ctx_destroy(fresh);

    parevm_result_destroy(r);
    parevm_state_destroy(st);
    parevm_block_destroy(b);
    parevm_ctx_destroy(ctx);
}

/* Concurrent executions of one block on one context (the header's
 * thread-safety promise; run under ThreadSanitizer by make test). */
struct concurrent_run {
    const parevm_ctx *ctx;
    const parevm_block *block;
    parevm_state_provider provider;
    parevm_execute_options opt;
    parevm_result *result;
    int rc;
};

static void *concurrent_main(void *arg)
{
    struct concurrent_run *c = arg;
    c->rc = parevm_execute_block(c->ctx, c->block, &c->provider, &c->opt, &c->result);
    return NULL;
}

static void test_concurrent_executions(void **state)
{
    (void)state;
    REQUIRE_FIXTURES("mainnet/12244000");
    char dir[4096];
    memcpy(dir, fixtures, sizeof dir);
    parevm_ctx *ctx = parevm_ctx_create(NULL);
    parevm_block *b = NULL;
    parevm_state *st = NULL;
    char err[512];
    assert_int_equal(parevm_block_from_fixture(ctx, dir, &b, &st, err, sizeof err), PAREVM_OK);
    parevm_state_provider mem;
    assert_int_equal(parevm_state_provider_of(st, &mem), PAREVM_OK);
    parevm_execute_options seq = {PAREVM_ENGINE_SEQUENTIAL, 1};
    parevm_result *want = NULL;
    assert_int_equal(parevm_execute_block(ctx, b, &mem, &seq, &want), PAREVM_OK);

    /* In-memory and host providers, both engines, at once. */
    enum { RUNS = 4 };
    struct host hosts[RUNS];
    struct concurrent_run runs[RUNS];
    pthread_t th[RUNS];
    for (int i = 0; i < RUNS; i++) {
        hosts[i] = (struct host){st, 0, 0, false, 0};
        runs[i] = (struct concurrent_run){ctx,
                                          b,
                                          i % 2 ? host_provider(&hosts[i]) : mem,
                                          {i < 2 ? PAREVM_ENGINE_BLOCK_STM : PAREVM_ENGINE_AUTO, 2},
                                          NULL,
                                          -1};
        assert_int_equal(pthread_create(&th[i], NULL, concurrent_main, &runs[i]), 0);
    }
    for (int i = 0; i < RUNS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(runs[i].rc, PAREVM_OK);
        assert_results_equal(want, runs[i].result);
        parevm_result_destroy(runs[i].result);
    }
    parevm_result_destroy(want);
    parevm_state_destroy(st);
    parevm_block_destroy(b);
    parevm_ctx_destroy(ctx);
}

/* parevm_block_from_json on a snapshot's block.json: the block the folder
 * loader gives. */
static void test_block_from_json(void **state)
{
    (void)state;
    REQUIRE_FIXTURES("mainnet/19426587");
    char path[4200];
    snprintf(path, sizeof path, "%s/block.json", fixtures);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    parevm_ctx *ctx = parevm_ctx_create(NULL);
    parevm_block *b = NULL;
    char err[512];
    assert_int_equal(parevm_block_from_json(ctx, path, buf, n, &b, err, sizeof err), PAREVM_OK);
    assert_int_equal(parevm_block_number(b), 19426587);
    assert_int_equal(parevm_block_tx_count(b), 37);
    parevm_block_destroy(b);
    /* A cut-off copy names the file. */
    assert_int_not_equal(parevm_block_from_json(ctx, path, buf, n / 2, &b, err, sizeof err), PAREVM_OK);
    assert_non_null(strstr(err, "block.json"));
    parevm_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world_source),    cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_blocktests),      cmocka_unit_test(test_mainnet_block),
        cmocka_unit_test(test_block_from_json), cmocka_unit_test(test_concurrent_executions),
        cmocka_unit_test(test_fixture_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
