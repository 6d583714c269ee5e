/* Tests for state/code, state/world (roots), chain/logs and evm/env.
 *
 * Known-answer roots come from ethereum/tests GeneralStateTests entries
 * whose transaction is rejected, so their expected post root is the root
 * of the pre-state (the coinbase is absent and, from EIP-161 on, not
 * created): stTransactionTest/ValueOverflow, stEIP1559/lowGasLimit,
 * Pyspecs/cancun/eip4844_blobs/invalid_normal_gas. Logs hashes come from
 * stLogTests, blooms from BlockchainTests bcStateTests/testOpcode_a0/a1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/chain/logs.h"
#include "../src/evm/env.h"
#include "../src/state/code.h"
#include "../src/state/world.h"
#include "../src/state/write_set.h"

static address addr_hex(const char *s)
{
    address a;
    assert_int_equal(hex_decode_exact(s, a.bytes, 20), PAREVM_OK);
    return a;
}

static hash32 hash_hex(const char *s)
{
    hash32 h;
    assert_int_equal(hex_decode_exact(s, h.bytes, 32), PAREVM_OK);
    return h;
}

static u256 u256_hex(const char *s)
{
    u256 v;
    assert_true(u256_from_string(s, &v));
    return v;
}

static void assert_hash(const hash32 *got, const char *want_hex)
{
    hash32 want = hash_hex(want_hex);
    if (!hash32_eq(got, &want)) {
        char g[67];
        hex_encode(got->bytes, 32, g);
        fail_msg("hash mismatch: got %s, want %s", g, want_hex);
    }
}

static struct world_account *add_account(struct world *w, const char *addr, const char *balance, uint64_t nonce,
                                         const char *code_hex)
{
    address a = addr_hex(addr);
    struct world_account *acct = world_get_or_create(w, &a);
    assert_non_null(acct);
    acct->balance = u256_hex(balance);
    acct->nonce = nonce;
    if (code_hex) {
        uint8_t *bytes;
        size_t len;
        assert_int_equal(hex_decode_alloc(code_hex, &bytes, &len), PAREVM_OK);
        struct code *c = code_new(bytes, len);
        assert_non_null(c);
        world_set_code(acct, c);
        code_release(c);
        free(bytes);
    }
    return acct;
}

/* ---- code ---- */

static void test_code_empty(void **state)
{
    (void)state;
    struct code *e = code_empty();
    assert_int_equal(e->len, 0);
    assert_true(hash32_eq(&e->hash, &KECCAK_EMPTY));
    assert_ptr_equal(code_new(NULL, 0), e); /* empty code is the singleton */
    assert_ptr_equal(code_retain(e), e);
    code_release(e); /* no-op, must not free static storage */
    for (int i = 0; i < 33; i++)
        assert_int_equal(e->bytes[i], 0);
    assert_non_null(code_jumpdests(e));
}

static void test_code_new_hash_padding(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x60, 0x01, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    struct code *c = code_new(bytes, sizeof bytes);
    assert_non_null(c);
    assert_int_equal(c->len, sizeof bytes);
    assert_memory_equal(c->bytes, bytes, sizeof bytes);
    for (size_t i = 0; i < 33; i++)
        assert_int_equal(c->bytes[sizeof bytes + i], 0);
    uint8_t want[32];
    keccak256(bytes, sizeof bytes, want);
    assert_memory_equal(c->hash.bytes, want, 32);
    /* refcounting: retain/release pairs keep it alive */
    assert_ptr_equal(code_retain(c), c);
    code_release(c);
    assert_int_equal(c->len, sizeof bytes);
    code_release(c);
}

static void test_code_jumpdests(void **state)
{
    (void)state;
    /* pc: 0 JUMPDEST | 1 PUSH1 0x5b (data, not a target) | 3 JUMPDEST |
     * 4 PUSH2 0x5b5b | 7 PUSH32 with 0x5b bytes | 40 JUMPDEST | 41 PUSH3
     * truncated at the end (its "data" runs past the code). */
    uint8_t bytes[45];
    size_t n = 0;
    bytes[n++] = 0x5b;
    bytes[n++] = 0x60;
    bytes[n++] = 0x5b;
    bytes[n++] = 0x5b;
    bytes[n++] = 0x61;
    bytes[n++] = 0x5b;
    bytes[n++] = 0x5b;
    bytes[n++] = 0x7f;
    for (int i = 0; i < 32; i++)
        bytes[n++] = 0x5b;
    bytes[n++] = 0x5b; /* pc 40 */
    bytes[n++] = 0x62; /* pc 41: PUSH3 */
    bytes[n++] = 0x5b;
    bytes[n++] = 0x5b;
    assert_int_equal(n, 44);
    struct code *c = code_new(bytes, n);
    assert_non_null(c);
    const uint8_t *map = code_jumpdests(c);
    assert_non_null(map);
    for (uint64_t pc = 0; pc < n; pc++) {
        int want = pc == 0 || pc == 3 || pc == 40;
        assert_int_equal(code_is_jumpdest(map, pc), want);
    }
    /* Built once: the second call returns the published map. */
    assert_ptr_equal(code_jumpdests(c), map);
    code_release(c);
}

/* The map against a byte-by-byte scan written here, on random code of
 * every length up to 300 with JUMPDESTs and PUSHes dense enough that
 * chunks with and without a PUSH, PUSH data across chunk edges and
 * immediates running past the end all occur. */
static void test_code_jumpdests_random(void **state)
{
    (void)state;
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    uint8_t bytes[300], want[300];
    for (int round = 0; round < 3000; round++) {
        size_t n = 1 + (size_t)(round % 300);
        for (size_t i = 0; i < n; i++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned r = (unsigned)(rng >> 33) % 16;
            /* 1/4 JUMPDEST, 1/16 a PUSH1..PUSH32, the rest other opcodes */
            bytes[i] = r < 4 ? 0x5b : r == 4 ? (uint8_t)(0x60 + (rng >> 20) % 32) : (uint8_t)(0x01 + (rng >> 40) % 0x50);
        }
        memset(want, 0, sizeof want);
        for (size_t pc = 0; pc < n; pc++) {
            if (bytes[pc] == 0x5b)
                want[pc] = 1;
            else if (bytes[pc] >= 0x60 && bytes[pc] <= 0x7f)
                pc += bytes[pc] - 0x5f;
        }
        struct code *c = code_new(bytes, n);
        assert_non_null(c);
        const uint8_t *map = code_jumpdests(c);
        assert_non_null(map);
        for (size_t pc = 0; pc < n; pc++)
            if (code_is_jumpdest(map, pc) != want[pc])
                fail_msg("round %d, length %zu: pc %zu is %d, want %d", round, n, pc, code_is_jumpdest(map, pc),
                         want[pc]);
        code_release(c);
    }
}

struct jd_race {
    struct code *c;
    const uint8_t *got;
};

static void *jd_thread(void *arg)
{
    struct jd_race *r = arg;
    r->got = code_jumpdests(r->c);
    return NULL;
}

static void test_code_jumpdests_concurrent(void **state)
{
    (void)state;
    /* Many threads race to build the map; all must see the same one (the
     * losers free theirs — ASan reports a leak or double free if not). */
    for (int round = 0; round < 20; round++) {
        uint8_t bytes[4096];
        for (size_t i = 0; i < sizeof bytes; i++)
            bytes[i] = (uint8_t)(i * 7 + round);
        struct code *c = code_new(bytes, sizeof bytes);
        assert_non_null(c);
        enum { N = 8 };
        pthread_t th[N];
        struct jd_race r[N];
        for (int i = 0; i < N; i++) {
            r[i].c = c;
            assert_int_equal(pthread_create(&th[i], NULL, jd_thread, &r[i]), 0);
        }
        for (int i = 0; i < N; i++)
            pthread_join(th[i], NULL);
        for (int i = 1; i < N; i++)
            assert_ptr_equal(r[i].got, r[0].got);
        code_release(c);
    }
}

/* ---- world ---- */

static void test_world_empty_root(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    hash32 root;
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &EMPTY_TRIE_ROOT));
    assert_hash(&root, "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    world_free(&w);
}

/* Pyspecs eip4844_blobs/invalid_normal_gas (Cancun): one account. */
static void test_world_root_single_account(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    add_account(&w, "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", "0x03ec31", 0, NULL);
    hash32 root;
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    assert_hash(&root, "0xb89145611758110878eb7463cc1deddf3d47dee28e6078331320248948106505");
    world_free(&w);
}

/* stTransactionTest/ValueOverflow: a funded EOA and an empty account;
 * pre-EIP-161 forks also create an empty coinbase (the runner's zero
 * credit), giving the Frontier/Homestead/EIP150 root. */
static void test_world_root_value_overflow(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    add_account(&w, "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", "0x3b9aca00", 0, NULL);
    add_account(&w, "0xd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0", "0x00", 0, NULL);
    hash32 root;
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    assert_hash(&root, "0x1751725d1aad5298768fbcf64069b2c1b85aeaffcc561146067d6beedd08052a");

    address coinbase = addr_hex("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");
    assert_non_null(world_get_or_create(&w, &coinbase));
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    assert_hash(&root, "0x7e18cda82e88b51f339192016b7f3e803051e1e115260efb25f8602b894226ec");

    /* Deleting it restores the first root. */
    world_delete(&w, &coinbase);
    assert_null(world_get(&w, &coinbase));
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    assert_hash(&root, "0x1751725d1aad5298768fbcf64069b2c1b85aeaffcc561146067d6beedd08052a");
    world_free(&w);
}

/* stEIP1559/lowGasLimit: code and one storage slot. */
static void build_low_gas_limit(struct world *w)
{
    world_init(w);
    add_account(w, "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", "0x0de0b6b3a7640000", 1, NULL);
    struct world_account *c =
        add_account(w, "0xcccccccccccccccccccccccccccccccccccccccc", "0x0de0b6b3a7640000", 0, "0x600260005500");
    u256 k = u256_zero(), v = u256_from_u64(0x60a7);
    assert_int_equal(world_set_storage(c, &k, &v), PAREVM_OK);
}

static void test_world_root_storage(void **state)
{
    (void)state;
    struct world w;
    build_low_gas_limit(&w);
    hash32 root;
    assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
    assert_hash(&root, "0xb2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e");

    /* A slot written to zero is removed: the root does not see it. */
    address a = addr_hex("0xcccccccccccccccccccccccccccccccccccccccc");
    struct world_account *c = world_get(&w, &a);
    assert_non_null(c);
    u256 k = u256_from_u64(5), v = u256_from_u64(9), zero = u256_zero();
    assert_int_equal(world_set_storage(c, &k, &v), PAREVM_OK);
    assert_int_equal(c->storage.count, 2);
    u256 got = world_get_storage(c, &k);
    assert_true(u256_eq(&got, &v));
    hash32 changed;
    assert_int_equal(world_state_root(&w, &changed), PAREVM_OK);
    assert_false(hash32_eq(&changed, &root));
    assert_int_equal(world_set_storage(c, &k, &zero), PAREVM_OK);
    assert_int_equal(c->storage.count, 1);
    got = world_get_storage(c, &k);
    assert_true(u256_is_zero(&got));
    assert_int_equal(world_state_root(&w, &changed), PAREVM_OK);
    assert_true(hash32_eq(&changed, &root));
    world_free(&w);
}

static void test_world_clone_is_deep(void **state)
{
    (void)state;
    struct world w, copy;
    build_low_gas_limit(&w);
    assert_int_equal(world_clone(&w, &copy), PAREVM_OK);
    hash32 r1, r2;
    assert_int_equal(world_state_root(&copy, &r1), PAREVM_OK);
    assert_hash(&r1, "0xb2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e");

    /* Code is shared, storage and fields are not. */
    address a = addr_hex("0xcccccccccccccccccccccccccccccccccccccccc");
    struct world_account *orig = world_get(&w, &a), *dup = world_get(&copy, &a);
    assert_ptr_not_equal(orig, dup);
    assert_ptr_equal(orig->code, dup->code);
    u256 k = u256_zero(), v = u256_from_u64(1);
    assert_int_equal(world_set_storage(dup, &k, &v), PAREVM_OK);
    dup->nonce = 7;
    address b = addr_hex("0x00000000000000000000000000000000000000aa");
    assert_non_null(world_get_or_create(&copy, &b));
    assert_int_equal(world_state_root(&w, &r2), PAREVM_OK);
    assert_hash(&r2, "0xb2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e");
    assert_int_equal(world_state_root(&copy, &r1), PAREVM_OK);
    assert_false(hash32_eq(&r1, &r2));

    /* Freeing the original leaves the copy's shared code alive. */
    world_free(&w);
    assert_int_equal(dup->code->len, 6);
    assert_int_equal(dup->code->bytes[0], 0x60);
    world_free(&copy);
}

/* Roots are independent of insertion order and of the map's history
 * (tombstones), for tries larger than the inline scratch. */
static void build_many(struct world *w, bool reverse, bool churn)
{
    world_init(w);
    enum { ACCOUNTS = 40, SLOTS = 50 };
    for (int j = 0; j < ACCOUNTS; j++) {
        int i = reverse ? ACCOUNTS - 1 - j : j;
        address a;
        memset(a.bytes, 0, 20);
        a.bytes[0] = (uint8_t)(i * 37);
        a.bytes[19] = (uint8_t)i;
        struct world_account *acct = world_get_or_create(w, &a);
        assert_non_null(acct);
        acct->balance = u256_from_u64((uint64_t)i * 1000003u);
        acct->nonce = (uint64_t)i;
        for (int s = 0; s < (i % 3 == 0 ? SLOTS : 0); s++) {
            int slot = reverse ? SLOTS - 1 - s : s;
            u256 k = u256_from_u64((uint64_t)slot * 0x9e3779b97f4a7c15ull), v = u256_from_u64((uint64_t)slot + 1);
            assert_int_equal(world_set_storage(acct, &k, &v), PAREVM_OK);
            if (churn) {
                u256 tmp = u256_from_u64(0xdead0000u + (uint64_t)slot), zero = u256_zero();
                assert_int_equal(world_set_storage(acct, &tmp, &v), PAREVM_OK);
                assert_int_equal(world_set_storage(acct, &tmp, &zero), PAREVM_OK);
            }
        }
        if (churn) {
            address gone = a;
            gone.bytes[10] = 0xee;
            assert_non_null(world_get_or_create(w, &gone));
            world_delete(w, &gone);
        }
    }
}

/* write_set_apply_account: an account entry written into a record the
 * caller holds leaves the world as write_set_apply of the same entry
 * does, the observer seeing the record before; a delete is refused, and
 * an observer's error changes nothing. */
struct seen_before {
    int calls;
    u256 balance;
    int fail; /* returned by the observer */
};

static int see_account(void *arg, const struct ws_account *wa, const struct world_account *before)
{
    (void)wa;
    struct seen_before *s = arg;
    s->calls++;
    s->balance = before->balance;
    return s->fail;
}

static void test_write_set_apply_account(void **state)
{
    (void)state;
    struct world w, copy;
    build_low_gas_limit(&w);
    assert_int_equal(world_clone(&w, &copy), PAREVM_OK);
    address a = addr_hex("0xcccccccccccccccccccccccccccccccccccccccc");
    struct world_account *rec = world_get(&w, &a);
    assert_non_null(rec);
    u256 old_balance = rec->balance;
    static const uint8_t bytes[] = {0x60, 0x01, 0x60, 0x00, 0x55};
    struct code *c = code_new(bytes, sizeof bytes);
    assert_non_null(c);

    struct write_set ws;
    write_set_init(&ws);
    struct ws_account *wa = write_set_add_account(&ws, &a);
    assert_non_null(wa);
    wa->flags = WS_BALANCE | WS_NONCE | WS_CODE;
    wa->balance = u256_from_u64(12345);
    wa->nonce = 9;
    wa->code = code_retain(c);

    /* refused: a delete, and an observer's error */
    struct ws_account del = *wa;
    del.flags = WS_DELETE;
    assert_int_equal(write_set_apply_account(&del, rec, NULL), PAREVM_ERR_ARG);
    struct seen_before seen = {0, u256_zero(), PAREVM_ERR_NOMEM};
    struct ws_observer obs = {see_account, NULL, &seen};
    assert_int_equal(write_set_apply_account(wa, rec, &obs), PAREVM_ERR_NOMEM);
    assert_true(u256_eq(&rec->balance, &old_balance));
    assert_ptr_not_equal(rec->code, c);

    seen.fail = PAREVM_OK;
    seen.calls = 0;
    assert_int_equal(write_set_apply_account(wa, rec, &obs), PAREVM_OK);
    assert_int_equal(seen.calls, 1);
    assert_true(u256_eq(&seen.balance, &old_balance));
    assert_int_equal(write_set_apply(&ws, &copy), PAREVM_OK);
    hash32 r1, r2;
    assert_int_equal(world_state_root(&w, &r1), PAREVM_OK);
    assert_int_equal(world_state_root(&copy, &r2), PAREVM_OK);
    assert_true(hash32_eq(&r1, &r2));
    assert_ptr_equal(rec->code, c);
    assert_int_equal(rec->nonce, 9);

    write_set_free(&ws);
    code_release(c);
    world_free(&w);
    world_free(&copy);
}

static void test_world_root_order_independent(void **state)
{
    (void)state;
    struct world a, b, c;
    build_many(&a, false, false);
    build_many(&b, true, false);
    build_many(&c, false, true);
    hash32 ra, rb, rc;
    assert_int_equal(world_state_root(&a, &ra), PAREVM_OK);
    assert_int_equal(world_state_root(&b, &rb), PAREVM_OK);
    assert_int_equal(world_state_root(&c, &rc), PAREVM_OK);
    assert_true(hash32_eq(&ra, &rb));
    assert_true(hash32_eq(&ra, &rc));
    assert_false(hash32_eq(&ra, &EMPTY_TRIE_ROOT));
    world_free(&a);
    world_free(&b);
    world_free(&c);
}

static void test_world_storage_root_empty(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct world_account *acct =
        add_account(&w, "0x0000000000000000000000000000000000000001", "0x01", 0, NULL);
    hash32 r;
    assert_int_equal(world_storage_root(acct, &r), PAREVM_OK);
    assert_true(hash32_eq(&r, &EMPTY_TRIE_ROOT));
    assert_true(hash32_eq(&acct->code->hash, &KECCAK_EMPTY));
    assert_false(world_account_is_empty(acct));
    acct->balance = u256_zero();
    assert_true(world_account_is_empty(acct));
    world_free(&w);
}

/* ---- logs ---- */

static void test_logs_hash(void **state)
{
    (void)state;
    hash32 h;
    /* No logs: keccak(rlp([])) = keccak(0xc0). */
    assert_int_equal(logs_hash(NULL, 0, &h), PAREVM_OK);
    assert_hash(&h, "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");

    struct log l = {0};
    l.addr = addr_hex("0x0f572e5295c57f15886f9b263e2f6d2d6c7b5ec6");
    /* stLogTests/log0_emptyMem */
    assert_int_equal(logs_hash(&l, 1, &h), PAREVM_OK);
    assert_hash(&h, "0xea63b4dbbdbca1bd985580a0c3b6f35a4955d4d4cf0b4d903003cdfc4c40ba1c");
    /* stLogTests/log1_emptyMem: one zero topic */
    l.topic_count = 1;
    assert_int_equal(logs_hash(&l, 1, &h), PAREVM_OK);
    assert_hash(&h, "0x7a0b07b554f8629b2183374bf734bfd10f641d640654b6f8e5cc088467f90b3d");
    /* stLogTests/log0_nonEmptyMem: 32 bytes of 0xff */
    uint8_t data[32];
    memset(data, 0xff, sizeof data);
    l.topic_count = 0;
    l.data = data;
    l.data_len = sizeof data;
    assert_int_equal(logs_hash(&l, 1, &h), PAREVM_OK);
    assert_hash(&h, "0x4b78f5979516c0624506af0eb4124e0a6ae9e21c82a3a90ca2999983634d7338");
}

static void check_bloom_bits(const uint8_t bloom[256], const int (*bits)[2], size_t n)
{
    uint8_t want[256] = {0};
    for (size_t i = 0; i < n; i++)
        want[bits[i][0]] = (uint8_t)bits[i][1];
    assert_memory_equal(bloom, want, 256);
}

/* The bloom of one receipt's logs, item by item (no cache, no batch). */
static void bloom_reference(const struct log *logs, size_t n, uint8_t want[256])
{
    memset(want, 0, 256);
    for (size_t i = 0; i < n; i++)
        for (unsigned t = 0; t <= logs[i].topic_count; t++) {
            uint8_t h[32];
            if (t)
                keccak256(logs[i].topics[t - 1].bytes, 32, h);
            else
                keccak256(logs[i].addr.bytes, 20, h);
            for (int k = 0; k < 6; k += 2) {
                unsigned bit = (((unsigned)h[k] << 8) | h[k + 1]) & 2047u;
                want[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
        }
}

static void test_logs_bloom(void **state)
{
    (void)state;
    uint8_t bloom[256];
    memset(bloom, 0xaa, sizeof bloom);
    logs_bloom(NULL, 0, bloom);
    uint8_t zero[256] = {0};
    assert_memory_equal(bloom, zero, 256);

    /* bcStateTests/testOpcode_a0 (Cancun): LOG0 from 0x7e57c0de..a0. */
    struct log l = {0};
    l.addr = addr_hex("0x7e57c0de000000000000000000000000000000a0");
    logs_bloom(&l, 1, bloom);
    static const int a0[][2] = {{30, 0x10}, {156, 0x02}, {242, 0x02}};
    check_bloom_bits(bloom, a0, 3);

    /* testOpcode_a1: LOG1 from 0x7e57c0de..a1 with topic 3. */
    l.addr = addr_hex("0x7e57c0de000000000000000000000000000000a1");
    l.topic_count = 1;
    memset(l.topics[0].bytes, 0, 32);
    l.topics[0].bytes[31] = 3;
    logs_bloom(&l, 1, bloom);
    static const int a1[][2] = {{52, 0x02}, {69, 0x40}, {140, 0x02}, {181, 0x80}, {190, 0x40}, {200, 0x40}};
    check_bloom_bits(bloom, a1, 6);

    /* Many logs (more items than one hashing batch, repeated items that
     * the cache holds): the bloom of keccak256 of each item, one by one. */
    struct log many[23];
    memset(many, 0, sizeof many);
    for (size_t i = 0; i < 23; i++) {
        many[i].addr.bytes[0] = (uint8_t)(i % 5);
        many[i].addr.bytes[19] = 0xa0;
        many[i].topic_count = (uint8_t)(i % 5);
        for (unsigned t = 0; t < many[i].topic_count; t++) {
            many[i].topics[t].bytes[0] = (uint8_t)(t * 7);
            many[i].topics[t].bytes[31] = (uint8_t)(i * 3 + t);
        }
    }
    uint8_t want[256];
    bloom_reference(many, 23, want);
    for (int pass = 0; pass < 2; pass++) { /* cold cache, then warm */
        logs_bloom(many, 23, bloom);
        assert_memory_equal(bloom, want, 256);
    }
}

/* Several receipts at once: each one's own bloom, whatever the others
 * hold. Transfer-like logs (one contract, one event topic, then a
 * sender and recipient drawn from few accounts, so items repeat within
 * a batch and across batches), receipts without logs between them, and
 * more new items than one hashing batch. */
static void test_logs_bloom_many(void **state)
{
    (void)state;
    enum { RECEIPTS = 11, PER = 3 };
    struct log logs[RECEIPTS][PER];
    memset(logs, 0, sizeof logs);
    const struct log *lp[RECEIPTS];
    size_t n[RECEIPTS];
    uint8_t got[RECEIPTS][256], want[256];
    uint8_t *bp[RECEIPTS];
    for (size_t r = 0; r < RECEIPTS; r++) {
        n[r] = r % 4 == 3 ? 0 : 1 + r % PER;
        for (size_t i = 0; i < n[r]; i++) {
            struct log *l = &logs[r][i];
            l->addr.bytes[19] = 0xee;
            l->topic_count = 3;
            l->topics[0].bytes[0] = 0xdd;                                     /* the event */
            l->topics[1].bytes[31] = (uint8_t)((r * 5 + i) % 7);              /* sender */
            l->topics[2].bytes[31] = (uint8_t)(0x40 + (r * 3 + i * 11) % 29); /* recipient */
        }
        lp[r] = logs[r];
        memset(got[r], 0xaa, 256);
        bp[r] = got[r];
    }
    for (size_t count = 1; count <= RECEIPTS; count += 5) /* 1, 6, 11 at a time */
        for (size_t from = 0; from + count <= RECEIPTS; from += count) {
            logs_bloom_many(lp + from, n + from, count, bp + from);
            for (size_t r = from; r < from + count; r++) {
                bloom_reference(logs[r], n[r], want);
                assert_memory_equal(got[r], want, 256);
            }
        }
}

/* ---- env ---- */

static void test_blob_base_fee(void **state)
{
    (void)state;
    /* Values from the EIP-4844 reference fake_exponential. */
    static const struct {
        uint64_t excess;
        const char *fee;
    } cases[] = {
        {0, "0x1"},
        {1, "0x1"},
        {393216, "0x1"},
        {3338477, "0x2"},
        {33384770, "0x560a"},
        {333847700, "0x13494a9b170f4017245d9f2bd5e3328913efc"},
        {500771550, "0x152cac298225930771908561c33ae3d45dba7ff27771929fb8ebb39"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        u256 got = block_env_blob_base_fee(FORK_CANCUN, cases[i].excess), want = u256_hex(cases[i].fee);
        assert_true(u256_eq(&got, &want));
    }
    /* Past 2^256 the fee saturates instead of wrapping. */
    u256 big = block_env_blob_base_fee(FORK_CANCUN, 200ull * 3338477), max = u256_max();
    assert_true(u256_eq(&big, &max));
    big = block_env_blob_base_fee(FORK_CANCUN, UINT64_MAX);
    assert_true(u256_eq(&big, &max));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_empty),
        cmocka_unit_test(test_code_new_hash_padding),
        cmocka_unit_test(test_code_jumpdests),
        cmocka_unit_test(test_code_jumpdests_random),
        cmocka_unit_test(test_code_jumpdests_concurrent),
        cmocka_unit_test(test_world_empty_root),
        cmocka_unit_test(test_world_root_single_account),
        cmocka_unit_test(test_world_root_value_overflow),
        cmocka_unit_test(test_world_root_storage),
        cmocka_unit_test(test_world_clone_is_deep),
        cmocka_unit_test(test_write_set_apply_account),
        cmocka_unit_test(test_world_root_order_independent),
        cmocka_unit_test(test_world_storage_root_empty),
        cmocka_unit_test(test_logs_hash),
        cmocka_unit_test(test_logs_bloom),
        cmocka_unit_test(test_logs_bloom_many),
        cmocka_unit_test(test_blob_base_fee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
