/* Tests for exec/bal (EIP-7928 block-level access lists).
 *
 * Encodings are checked byte for byte against RLP written out by hand
 * from the EIP's AccountChanges layout; the empty list's hash is the one
 * the EIP states (keccak256(rlp([]))). The block tests run a hand-built
 * Shanghai block (value transfer, contract storage, withdrawals) through
 * the sequential executor with recording on and check every entry. */
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
#include "../src/chain/block.h"
#include "../src/chain/transition.h"
#include "../src/exec/bal.h"
#include "../src/exec/exec.h"
#include "../src/state/state_view.h"
#include "../src/state/world.h"

static address addr_byte(uint8_t b)
{
    address a;
    memset(a.bytes, b, 20);
    return a;
}

static void assert_bytes_hex(const struct bytebuf *b, const char *want_hex)
{
    char *got = hex_encode_alloc(b->data, b->len);
    assert_non_null(got);
    assert_string_equal(got, want_hex);
    free(got);
}

static void encode(struct bal *b, struct bytebuf *out)
{
    assert_int_equal(bal_finish(b), PAREVM_OK);
    bytebuf_reset(out);
    assert_int_equal(bal_encode(b, out), PAREVM_OK);
}

/* EIP-7928: no state changes -> rlp([]) = 0xc0, hash 0x1dcc...9347. */
static void test_empty(void **state)
{
    (void)state;
    struct bal b;
    bal_init(&b);
    struct bytebuf out = {0};
    encode(&b, &out);
    assert_bytes_hex(&out, "0xc0");
    hash32 h;
    assert_int_equal(bal_hash(&b, &h), PAREVM_OK);
    char hx[67];
    hex_encode(h.bytes, 32, hx);
    assert_string_equal(hx, "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    bytebuf_free(&out);
    bal_free(&b);
}

/* One account: slot 1 <- 2 and balance 1 at index 1:
 * [[A, [[1, [[1, 2]]]], [], [[1, 1]], [], []]]. */
static void test_one_account(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct write_set ws;
    write_set_init(&ws);
    address a = addr_byte(0xaa);
    struct ws_account *wa = write_set_add_account(&ws, &a);
    assert_non_null(wa);
    wa->flags = WS_BALANCE;
    wa->balance = u256_from_u64(1);
    u256 key = u256_from_u64(1), val = u256_from_u64(2);
    assert_int_equal(write_set_add_slot(&ws, &a, &key, &val), PAREVM_OK);

    struct bal b;
    bal_init(&b);
    assert_int_equal(bal_record(&b, 1, &ws, NULL, &w), PAREVM_OK);
    struct bytebuf out = {0};
    encode(&b, &out);
    assert_bytes_hex(&out, "0xe4e394aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                           "c6c501c3c20102"
                           "c0"
                           "c3c20101"
                           "c0c0");
    /* Recording after bal_finish is refused. */
    assert_int_equal(bal_record(&b, 2, &ws, NULL, &w), PAREVM_ERR_ARG);
    bytebuf_free(&out);
    bal_free(&b);
    write_set_free(&ws);
    world_free(&w);
}

/* Ordering and the recording rules: accounts by address, slots by key
 * then index; a write of the slot's current value is a read; reads of
 * written slots are dropped; a balance that ends where it started is
 * left out; a deleted account keeps only its balance going to zero;
 * slot 0, index 0 and a zero value encode as the empty string 0x80. */
static void test_rules_and_order(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    address a = addr_byte(0xaa), c = addr_byte(0x0c), d = addr_byte(0xdd);
    struct world_account *wc = world_get_or_create(&w, &c);
    assert_non_null(wc);
    u256 k0 = u256_zero(), k1 = u256_from_u64(1), k2 = u256_from_u64(2), v5 = u256_from_u64(5);
    assert_int_equal(world_set_storage(wc, &k2, &v5), PAREVM_OK); /* c[2] = 5 */
    struct world_account *wd = world_get_or_create(&w, &d);
    assert_non_null(wd);
    wd->balance = u256_from_u64(9);

    struct bal b;
    bal_init(&b);
    struct write_set ws;
    write_set_init(&ws);
    /* index 0: c[1] = 3 (a change), c[2] = 5 (no-op: a read) */
    u256 v3 = u256_from_u64(3);
    assert_int_equal(write_set_add_slot(&ws, &c, &k1, &v3), PAREVM_OK);
    assert_int_equal(write_set_add_slot(&ws, &c, &k2, &v5), PAREVM_OK);
    assert_int_equal(bal_record(&b, 0, &ws, NULL, &w), PAREVM_OK);
    assert_int_equal(write_set_apply(&ws, &w), PAREVM_OK);
    /* index 2: a's balance +0 (delta 0 is never written; WS_BALANCE equal
     * to the pre-balance is left out), c[0] = 0 from 0 (read), c[1] = 0
     * (a change to zero), d deleted with balance 9 */
    write_set_reset(&ws);
    struct ws_account *wa = write_set_add_account(&ws, &a);
    wa->flags = WS_BALANCE;
    wa->balance = u256_zero();
    struct ws_account *wdel = write_set_add_account(&ws, &d);
    wdel->flags = WS_DELETE;
    u256 zero = u256_zero();
    assert_int_equal(write_set_add_slot(&ws, &c, &k0, &zero), PAREVM_OK);
    assert_int_equal(write_set_add_slot(&ws, &c, &k1, &zero), PAREVM_OK);
    assert_int_equal(bal_record(&b, 2, &ws, NULL, &w), PAREVM_OK);

    struct bal_size sz;
    struct bytebuf out = {0};
    encode(&b, &out);
    bal_measure(&b, &sz);
    assert_int_equal(sz.accounts, 3);
    assert_int_equal(sz.storage_keys, 3); /* c: 1 written, 0 and 2 read */
    assert_int_equal(sz.slot_writes, 2);
    assert_int_equal(sz.items, 6);
    /* c (0x0c..): [c, [[1, [[0, 3], [2, 0]]]], [0, 2], [], [], []]
     * a (0xaa..): [a, [], [], [], [], []]
     * d (0xdd..): [d, [], [], [[2, 0]], [], []] */
    assert_bytes_hex(&out, "0xf85f"
                           "e5940c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c"
                           "c9c801c6c28003c20280"
                           "c28002"
                           "c0c0c0"
                           "da94aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                           "c0c0c0c0c0"
                           "dd94dddddddddddddddddddddddddddddddddddddddd"
                           "c0c0"
                           "c3c20280"
                           "c0c0");
    bytebuf_free(&out);
    write_set_free(&ws);
    bal_free(&b);
    world_free(&w);
}

/* A Shanghai block through the executor: tx 0 sends 1000 wei from S to
 * R; tx 1 calls K, which SLOADs slot 1, stores 7 in slot 2 and stores 5
 * (its value already) in slot 3; then a 1 gwei withdrawal to W and a zero
 * one to Z. Index 1 and 2 for the transactions, 3 for the withdrawals. */
static void test_block(void **state)
{
    (void)state;
    address s = addr_byte(0x11), r = addr_byte(0x22), wdr = addr_byte(0x33), z = addr_byte(0x44),
            k = addr_byte(0x55), coinbase = addr_byte(0xcc);
    struct world w;
    world_init(&w);
    struct world_account *ws_ = world_get_or_create(&w, &s);
    ws_->balance = u256_from_u64(1000000000000000000ull);
    struct world_account *wk = world_get_or_create(&w, &k);
    static const uint8_t code[] = {0x60, 0x01, 0x54, 0x50, 0x60, 0x07, 0x60, 0x02,
                                   0x55, 0x60, 0x05, 0x60, 0x03, 0x55, 0x00};
    struct code *kc = code_new(code, sizeof code);
    assert_non_null(kc);
    world_set_code(wk, kc);
    code_release(kc);
    wk->nonce = 1;
    u256 k3 = u256_from_u64(3), v5 = u256_from_u64(5);
    assert_int_equal(world_set_storage(wk, &k3, &v5), PAREVM_OK);

    struct block blk;
    memset(&blk, 0, sizeof blk);
    blk.header.number = 20000000;
    blk.header.timestamp = 1700000000;
    blk.header.gas_limit = 30000000;
    blk.header.coinbase = coinbase;
    blk.header.has_base_fee = true;
    blk.header.base_fee = u256_from_u64(7);
    blk.header.has_withdrawals_root = true;
    struct tx txs[2];
    memset(txs, 0, sizeof txs);
    for (int i = 0; i < 2; i++) {
        txs[i].type = 2;
        txs[i].chain_id = 1;
        txs[i].nonce = (uint64_t)i;
        txs[i].max_fee_per_gas = u256_from_u64(10);
        txs[i].gas_price = txs[i].max_fee_per_gas;
        txs[i].max_priority_fee_per_gas = u256_from_u64(2);
        txs[i].gas_limit = 100000;
        txs[i].has_to = true;
        txs[i].has_sender = true;
        txs[i].sender = s;
    }
    txs[0].to = r;
    txs[0].value = u256_from_u64(1000);
    txs[1].to = k;
    blk.txs = txs;
    blk.tx_count = 2;
    struct withdrawal wds[2] = {{0, 0, wdr, 1}, {1, 1, z, 0}};
    blk.has_withdrawals = true;
    blk.withdrawals = wds;
    blk.withdrawal_count = 2;

    struct chain_config cfg;
    chain_config_single(&cfg, FORK_SHANGHAI);
    struct bal b;
    bal_init(&b);
    struct exec_options opt = {.threads = 1, .bal = &b, .no_sample = true};
    struct block_result res;
    assert_int_equal(exec_block_parallel(&cfg, &blk, &w, NULL, &opt, &res, NULL), PAREVM_OK);
    assert_false(res.invalid);
    assert_true(b.finished);
    uint64_t g0 = res.receipts[0].gas_used, g1 = res.receipts[1].gas_used;
    assert_int_equal(g0, 21000);

    /* S, R, W, Z, K, coinbase: sorted 0x11, 0x22, 0x33, 0x44, 0x55, 0xcc */
    assert_int_equal(b.account_count, 6);
    const struct bal_account *as = &b.accounts[0], *ar = &b.accounts[1], *aw = &b.accounts[2],
                             *az = &b.accounts[3], *ak = &b.accounts[4], *ac = &b.accounts[5];
    assert_memory_equal(as->addr.bytes, s.bytes, 20);
    assert_memory_equal(ac->addr.bytes, coinbase.bytes, 20);
    /* S: balance and nonce after each transaction (price 7 + 2 = 9) */
    assert_int_equal(as->balance_count, 2);
    assert_int_equal(as->balances[0].index, 1);
    assert_int_equal(as->balances[0].value.w[0], 1000000000000000000ull - 1000 - 9 * g0);
    assert_int_equal(as->balances[1].index, 2);
    assert_int_equal(as->balances[1].value.w[0], 1000000000000000000ull - 1000 - 9 * (g0 + g1));
    assert_int_equal(as->nonce_count, 2);
    assert_int_equal(as->nonces[0].value.w[0], 1);
    assert_int_equal(as->nonces[1].index, 2);
    assert_int_equal(as->nonces[1].value.w[0], 2);
    /* R: +1000 at 1 */
    assert_int_equal(ar->balance_count, 1);
    assert_int_equal(ar->balances[0].index, 1);
    assert_int_equal(ar->balances[0].value.w[0], 1000);
    /* W: 1 gwei at 3; Z: present, no change */
    assert_int_equal(aw->balance_count, 1);
    assert_int_equal(aw->balances[0].index, 3);
    assert_int_equal(aw->balances[0].value.w[0], 1000000000);
    assert_int_equal(az->balance_count + az->nonce_count + az->code_count + az->write_count + az->read_count,
                     0);
    /* K: slot 2 <- 7 at 2; slots 1 (SLOAD) and 3 (unchanged write) read */
    assert_int_equal(ak->write_count, 1);
    assert_int_equal(ak->writes[0].key.w[0], 2);
    assert_int_equal(ak->writes[0].index, 2);
    assert_int_equal(ak->writes[0].value.w[0], 7);
    assert_int_equal(ak->read_count, 2);
    assert_int_equal(ak->reads[0].w[0], 1);
    assert_int_equal(ak->reads[1].w[0], 3);
    assert_int_equal(ak->balance_count + ak->nonce_count + ak->code_count, 0);
    /* coinbase: the tips, cumulative (2 per gas) */
    assert_int_equal(ac->balance_count, 2);
    assert_int_equal(ac->balances[0].value.w[0], 2 * g0);
    assert_int_equal(ac->balances[1].value.w[0], 2 * (g0 + g1));

    /* The same block without recording gives the same result. */
    struct world w2;
    world_init(&w2);
    world_get_or_create(&w2, &s)->balance = u256_from_u64(1000000000000000000ull);
    struct block_result res2;
    struct world_account *wk2 = world_get_or_create(&w2, &k);
    kc = code_new(code, sizeof code);
    world_set_code(wk2, kc);
    code_release(kc);
    wk2->nonce = 1;
    assert_int_equal(world_set_storage(wk2, &k3, &v5), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, &blk, &w2, NULL, &res2), PAREVM_OK);
    assert_true(block_result_equal(&res, &res2));
    hash32 r1, r2;
    assert_int_equal(world_state_root(&w, &r1), PAREVM_OK);
    assert_int_equal(world_state_root(&w2, &r2), PAREVM_OK);
    assert_memory_equal(r1.bytes, r2.bytes, 32);

    block_result_free(&res);
    block_result_free(&res2);
    bal_free(&b);
    world_free(&w);
    world_free(&w2);
}

/* A warmed-only account (EIP-2930 access list entry) is not an access;
 * a reverted call's target and its slots are. */
/* A London block of t alone (coinbase, base fee 7) run on w, recording
 * its access list into b (bal_init'ed here); the block must be valid. */
static void run_one_tx(struct world *w, struct tx *t, const address *coinbase, struct bal *b,
                       struct block_result *res)
{
    struct block blk;
    memset(&blk, 0, sizeof blk);
    blk.header.number = 20000000;
    blk.header.gas_limit = 30000000;
    blk.header.coinbase = *coinbase;
    blk.header.has_base_fee = true;
    blk.header.base_fee = u256_from_u64(7);
    blk.txs = t;
    blk.tx_count = 1;
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_LONDON);
    bal_init(b);
    struct exec_options opt = {.threads = 1, .bal = b, .no_sample = true};
    assert_int_equal(exec_block_parallel(&cfg, &blk, w, NULL, &opt, res, NULL), PAREVM_OK);
    assert_false(res->invalid);
}

static void test_access_list_not_included(void **state)
{
    (void)state;
    address s = addr_byte(0x11), x = addr_byte(0x77), coinbase = addr_byte(0xcc), k = addr_byte(0x55);
    struct world w;
    world_init(&w);
    world_get_or_create(&w, &s)->balance = u256_from_u64(1000000000000000000ull);
    /* K: SSTORE(1, 1) then REVERT(0, 0) */
    static const uint8_t code[] = {0x60, 0x01, 0x60, 0x01, 0x55, 0x60, 0x00, 0x80, 0xfd};
    struct code *kc = code_new(code, sizeof code);
    world_set_code(world_get_or_create(&w, &k), kc);
    code_release(kc);

    struct access_list_entry al;
    memset(&al, 0, sizeof al);
    al.addr = x;
    struct tx t;
    memset(&t, 0, sizeof t);
    t.type = 1;
    t.chain_id = 1;
    t.gas_price = u256_from_u64(10);
    t.max_fee_per_gas = t.gas_price;
    t.max_priority_fee_per_gas = t.gas_price;
    t.gas_limit = 100000;
    t.has_to = true;
    t.to = k;
    t.has_sender = true;
    t.sender = s;
    t.access_list = &al;
    t.access_list_len = 1;
    struct bal b;
    struct block_result res;
    run_one_tx(&w, &t, &coinbase, &b, &res);
    assert_int_equal(res.receipts[0].status, 0); /* reverted */
    /* S, K, coinbase; not X */
    assert_int_equal(b.account_count, 3);
    assert_memory_equal(b.accounts[0].addr.bytes, s.bytes, 20);
    assert_memory_equal(b.accounts[1].addr.bytes, k.bytes, 20);
    assert_memory_equal(b.accounts[2].addr.bytes, coinbase.bytes, 20);
    /* the reverted write of K's slot 1 is a read */
    assert_int_equal(b.accounts[1].write_count, 0);
    assert_int_equal(b.accounts[1].read_count, 1);
    assert_int_equal(b.accounts[1].reads[0].w[0], 1);
    block_result_free(&res);
    bal_free(&b);
    world_free(&w);
}

/* EXTCODECOPY of length 0 copies nothing, but it still accesses its
 * address (charged cold): the address is in the list even when absent
 * (found by tests/diff/bal.mjs, bytecode family; the interpreter loaded
 * the code only for a non-empty copy, so nothing marked the access). */
static void test_extcodecopy_empty_accessed(void **state)
{
    (void)state;
    address s = addr_byte(0x11), x = addr_byte(0x77), coinbase = addr_byte(0xcc), k = addr_byte(0x55);
    struct world w;
    world_init(&w);
    world_get_or_create(&w, &s)->balance = u256_from_u64(1000000000000000000ull);
    /* K: EXTCODECOPY(X, dest 0, offset 0, size 0); STOP */
    uint8_t code[29] = {0x60, 0x00, 0x80, 0x80, 0x73};
    memcpy(code + 5, x.bytes, 20);
    code[25] = 0x3c;
    code[26] = 0x00;
    struct code *kc = code_new(code, 27);
    world_set_code(world_get_or_create(&w, &k), kc);
    code_release(kc);
    struct tx t;
    memset(&t, 0, sizeof t);
    t.type = 2;
    t.chain_id = 1;
    t.max_fee_per_gas = u256_from_u64(10);
    t.max_priority_fee_per_gas = u256_from_u64(1);
    t.gas_limit = 100000;
    t.has_to = true;
    t.to = k;
    t.has_sender = true;
    t.sender = s;
    struct bal b;
    struct block_result res;
    run_one_tx(&w, &t, &coinbase, &b, &res);
    assert_int_equal(res.receipts[0].status, 1);
    /* S, K, X, coinbase (by address) */
    assert_int_equal(b.account_count, 4);
    assert_memory_equal(b.accounts[0].addr.bytes, s.bytes, 20);
    assert_memory_equal(b.accounts[1].addr.bytes, k.bytes, 20);
    assert_memory_equal(b.accounts[2].addr.bytes, x.bytes, 20);
    assert_memory_equal(b.accounts[3].addr.bytes, coinbase.bytes, 20);
    block_result_free(&res);
    bal_free(&b);
    world_free(&w);
}

/* transition_apply_recorded hands the accesses over even when the
 * transaction runs on another thread: a caller with a small stack (here
 * 256 KiB) gets it run on a thread of parevm's (deep_stack.h), whose
 * journal transition_last_journal cannot see. */
struct small_stack_run {
    struct world *w;
    struct tx *t;
    struct bal *b;
    int err;
};

static void *small_stack_thread(void *p)
{
    struct small_stack_run *r = p;
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_SHANGHAI);
    struct block_header h;
    memset(&h, 0, sizeof h);
    h.number = 20000000;
    h.gas_limit = 30000000;
    h.coinbase = addr_byte(0xcc);
    h.has_base_fee = true;
    h.base_fee = u256_from_u64(7);
    struct block_env env;
    block_env_from_header(&env, &cfg, &h);
    struct world_view wv = {r->w, NULL, NULL};
    struct state_view view = world_view_make(&wv);
    struct tx_result res;
    struct write_set ws;
    write_set_init(&ws);
    r->err = transition_apply_recorded(&env, &view, r->t, 0, NULL, bal_on_access, r->b, &res, &ws);
    if (!r->err)
        r->err = bal_record(r->b, 1, &ws, NULL, r->w);
    tx_result_free(&res);
    write_set_free(&ws);
    return NULL;
}

static void test_recorded_on_small_stack(void **state)
{
    (void)state;
    address s = addr_byte(0x11), r = addr_byte(0x22);
    struct world w;
    world_init(&w);
    world_get_or_create(&w, &s)->balance = u256_from_u64(1000000000000000000ull);
    struct tx t;
    memset(&t, 0, sizeof t);
    t.type = 2;
    t.chain_id = 1;
    t.max_fee_per_gas = u256_from_u64(10);
    t.gas_price = t.max_fee_per_gas;
    t.max_priority_fee_per_gas = u256_from_u64(2);
    t.gas_limit = 21000;
    t.has_to = true;
    t.to = r; /* zero value: r is accessed, not changed */
    t.has_sender = true;
    t.sender = s;
    struct bal b;
    bal_init(&b);
    struct small_stack_run run = {&w, &t, &b, -1};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 << 10);
    pthread_t th;
    assert_int_equal(pthread_create(&th, &attr, small_stack_thread, &run), 0);
    pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
    assert_int_equal(run.err, PAREVM_OK);
    assert_int_equal(bal_finish(&b), PAREVM_OK);
    /* sender, recipient (no change), coinbase */
    assert_int_equal(b.account_count, 3);
    assert_memory_equal(b.accounts[1].addr.bytes, r.bytes, 20);
    assert_int_equal(b.accounts[1].balance_count, 0);
    bal_free(&b);
    world_free(&w);
}

static void decode_hex(const char *hex, struct bal *b, int want_err, const char *want_why)
{
    uint8_t *data;
    size_t len;
    assert_int_equal(hex_decode_alloc(hex, &data, &len), PAREVM_OK);
    char why[256];
    bal_init(b);
    assert_int_equal(bal_decode(data, len, b, why, sizeof why), want_err);
    if (want_why)
        assert_string_equal(why, want_why);
    free(data);
}

/* bal_decode reads back what bal_encode wrote; bal_equal names the first
 * difference with slot, index and both values. */
static void test_decode_and_compare(void **state)
{
    (void)state;
    static const char *one = "0xe4e394aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                             "c6c501c3c20102c0c3c20101c0c0";
    struct bal a, b;
    decode_hex(one, &a, PAREVM_OK, NULL);
    struct bytebuf out = {0};
    assert_int_equal(bal_encode(&a, &out), PAREVM_OK);
    assert_bytes_hex(&out, one);
    char why[256];
    assert_true(bal_equal(&a, &a, why, sizeof why));
    /* slot 1's value 2 -> 3 */
    decode_hex("0xe4e394aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "c6c501c3c20103c0c3c20101c0c0",
               &b, PAREVM_OK, NULL);
    assert_false(bal_equal(&b, &a, why, sizeof why));
    assert_string_equal(why, "account 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa storage slot 0x1: index 1: "
                             "expected 0x3, computed 0x2");
    bal_free(&b);
    /* balance at index 2 instead of 1 */
    decode_hex("0xe4e394aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "c6c501c3c20102c0c3c20201c0c0",
               &b, PAREVM_OK, NULL);
    assert_false(bal_equal(&b, &a, why, sizeof why));
    assert_string_equal(why, "account 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa balance: index 1: "
                             "expected none, computed 0x1");
    bal_free(&b);
    /* an empty list against one account */
    decode_hex("0xc0", &b, PAREVM_OK, NULL);
    assert_false(bal_equal(&b, &a, why, sizeof why));
    assert_string_equal(why, "account 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: computed, not expected");
    bal_free(&b);
    /* refused: slot 1 both changed and read; a leading zero in a key */
    decode_hex("0xe5e494aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "c6c501c3c20102c101c3c20101c0c0",
               &b, PAREVM_ERR_RLP,
               "account 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: a slot both changed and read");
    bal_free(&b);
    decode_hex("0xe6e594aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "c8c7820001c3c20102c0c3c20101c0c0",
               &b, PAREVM_ERR_RLP, NULL);
    bal_free(&b);
    /* refused: accounts out of order */
    decode_hex("0xf6da94bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbc0c0c0c0c0"
               "da94aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac0c0c0c0c0",
               &b, PAREVM_ERR_RLP,
               "account 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: addresses not ascending");
    bal_free(&b);
    bytebuf_free(&out);
    bal_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_one_account),
        cmocka_unit_test(test_rules_and_order),
        cmocka_unit_test(test_block),
        cmocka_unit_test(test_access_list_not_included),
        cmocka_unit_test(test_extcodecopy_empty_accessed),
        cmocka_unit_test(test_decode_and_compare),
        cmocka_unit_test(test_recorded_on_small_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
