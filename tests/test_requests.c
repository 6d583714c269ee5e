/*
 * EIP-7685 requests of Prague blocks (chain/block.h): the requests hash,
 * EIP-6110 deposit log parsing (valid and every malformed layout), the
 * EIP-7002/7251 checked system calls, and a Prague block with deposits,
 * withdrawal and consolidation requests and the EIP-2935 call executed
 * sequentially and in parallel at 1, 2, 4, 16 and 64 threads: identical
 * results and post-states, valid or invalid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/chain/block.h"
#include "../src/chain/validate.h"
#include "../src/exec/exec.h"
#include "../src/state/world.h"
#include "../src/chain/system_contracts.h"

/* EIP-4788 beacon roots contract (runtime code from the EIP, as in
 * test_block.c): data for the pre-state. */
static const char BEACON_CODE[] =
    "0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f3580"
    "1560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62"
    "001fff42064281555f359062001fff015500";

static address addr_of(uint32_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[16] = (uint8_t)(n >> 24);
    a.bytes[17] = (uint8_t)(n >> 16);
    a.bytes[18] = (uint8_t)(n >> 8);
    a.bytes[19] = (uint8_t)n;
    return a;
}

static hash32 hash_hex(const char *s)
{
    hash32 h;
    assert_int_equal(hex_decode_exact(s, h.bytes, 32), PAREVM_OK);
    return h;
}

static void set_code_bytes(struct world *w, const address *a, const uint8_t *bytes, size_t len)
{
    struct world_account *acct = world_get_or_create(w, a);
    assert_non_null(acct);
    struct code *c = code_new(bytes, len);
    assert_non_null(c);
    world_set_code(acct, c);
    code_release(c);
}

static void set_code(struct world *w, const address *a, const char *hex)
{
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hex_decode_alloc(hex, &bytes, &len), PAREVM_OK);
    set_code_bytes(w, a, bytes, len);
    free(bytes);
}

/* ---- DepositEvent data ---- */

static void put_word(uint8_t *at, uint64_t v)
{
    memset(at, 0, 32);
    for (int i = 0; i < 8; i++)
        at[31 - i] = (uint8_t)(v >> (8 * i));
}

/* The ABI encoding of DepositEvent(pubkey, withdrawal_credentials,
 * amount, signature, index) as the deposit contract logs it: five
 * offsets, then each field as a length word and its bytes padded to 32.
 * Field bytes: pubkey all `seed`, credentials seed+1, amount seed+2,
 * signature seed+3, index seed+4. */
static void deposit_event(uint8_t out[DEPOSIT_EVENT_DATA_SIZE], uint8_t seed)
{
    static const uint64_t offsets[5] = {160, 256, 320, 384, 512}, sizes[5] = {48, 32, 8, 96, 8};
    memset(out, 0, DEPOSIT_EVENT_DATA_SIZE);
    for (int i = 0; i < 5; i++) {
        put_word(out + 32 * i, offsets[i]);
        put_word(out + offsets[i], sizes[i]);
        memset(out + offsets[i] + 32, seed + i, sizes[i]);
    }
}

/* The 192-byte request deposit_event(seed) stands for. */
static void deposit_request(uint8_t out[DEPOSIT_REQUEST_SIZE], uint8_t seed)
{
    static const size_t sizes[5] = {48, 32, 8, 96, 8};
    size_t at = 0;
    for (int i = 0; i < 5; i++) {
        memset(out + at, seed + i, sizes[i]);
        at += sizes[i];
    }
}

static void test_deposit_topic(void **state)
{
    (void)state;
    /* The event's topic is the keccak of its signature. */
    static const char sig[] = "DepositEvent(bytes,bytes,bytes,bytes,bytes)";
    hash32 h;
    keccak256((const uint8_t *)sig, strlen(sig), h.bytes);
    assert_true(hash32_eq(&h, &DEPOSIT_EVENT_TOPIC));
}

static void test_deposit_parse_valid(void **state)
{
    (void)state;
    uint8_t data[DEPOSIT_EVENT_DATA_SIZE], got[DEPOSIT_REQUEST_SIZE], want[DEPOSIT_REQUEST_SIZE];
    deposit_event(data, 0x10);
    deposit_request(want, 0x10);
    char why[128] = "";
    assert_int_equal(block_deposit_request(data, sizeof data, got, why, sizeof why), PAREVM_OK);
    assert_memory_equal(got, want, sizeof want);
    /* The padding after each field is not checked (the spec reads only
     * the field's bytes). */
    data[160 + 32 + 48] = 0xee;
    assert_int_equal(block_deposit_request(data, sizeof data, got, why, sizeof why), PAREVM_OK);
    assert_memory_equal(got, want, sizeof want);
}

static void test_deposit_parse_malformed(void **state)
{
    (void)state;
    uint8_t data[DEPOSIT_EVENT_DATA_SIZE + 1], out[DEPOSIT_REQUEST_SIZE];
    char why[128];
    /* Wrong lengths. */
    deposit_event(data, 1);
    assert_int_equal(block_deposit_request(data, 575, out, why, sizeof why), PAREVM_ERR_BLOCK_INVALID);
    assert_non_null(strstr(why, "575"));
    assert_int_equal(block_deposit_request(data, 577, out, why, sizeof why), PAREVM_ERR_BLOCK_INVALID);
    assert_int_equal(block_deposit_request(data, 0, out, why, sizeof why), PAREVM_ERR_BLOCK_INVALID);
    /* Each offset word off by one, and a high byte set in it. */
    static const uint64_t offsets[5] = {160, 256, 320, 384, 512}, sizes[5] = {48, 32, 8, 96, 8};
    static const char *const names[5] = {"pubkey", "withdrawal credentials", "amount", "signature", "index"};
    for (int i = 0; i < 5; i++) {
        deposit_event(data, 1);
        put_word(data + 32 * i, offsets[i] + 1);
        assert_int_equal(block_deposit_request(data, DEPOSIT_EVENT_DATA_SIZE, out, why, sizeof why),
                         PAREVM_ERR_BLOCK_INVALID);
        assert_non_null(strstr(why, names[i]));
        assert_non_null(strstr(why, "offset"));
        deposit_event(data, 1);
        data[32 * i] = 1; /* 2^248 + offset */
        assert_int_equal(block_deposit_request(data, DEPOSIT_EVENT_DATA_SIZE, out, why, sizeof why),
                         PAREVM_ERR_BLOCK_INVALID);
    }
    /* Each size word wrong. */
    for (int i = 0; i < 5; i++) {
        deposit_event(data, 1);
        put_word(data + offsets[i], sizes[i] - 1);
        assert_int_equal(block_deposit_request(data, DEPOSIT_EVENT_DATA_SIZE, out, why, sizeof why),
                         PAREVM_ERR_BLOCK_INVALID);
        assert_non_null(strstr(why, names[i]));
        assert_non_null(strstr(why, "size"));
        deposit_event(data, 1);
        data[offsets[i] + 3] = 0x80;
        assert_int_equal(block_deposit_request(data, DEPOSIT_EVENT_DATA_SIZE, out, why, sizeof why),
                         PAREVM_ERR_BLOCK_INVALID);
    }
}

/* Deposits are taken from the deposit contract's DepositEvent logs only,
 * in receipt and log order; a bad one anywhere invalidates the block. */
static void test_deposit_requests_from_receipts(void **state)
{
    (void)state;
    address dc = addr_of(0x6110), other = addr_of(0x7777);
    uint8_t d1[DEPOSIT_EVENT_DATA_SIZE], d2[DEPOSIT_EVENT_DATA_SIZE], bad[DEPOSIT_EVENT_DATA_SIZE];
    deposit_event(d1, 0x20);
    deposit_event(d2, 0x30);
    memcpy(bad, d1, sizeof bad);
    put_word(bad, 0);
    struct log logs0[3], logs1[1];
    memset(logs0, 0, sizeof logs0);
    memset(logs1, 0, sizeof logs1);
    /* receipt 0: a deposit, the same data from another address, the
     * deposit contract with another topic (all but the first ignored) */
    logs0[0] = (struct log){
        .addr = dc, .topic_count = 1, .topics = {DEPOSIT_EVENT_TOPIC}, .data = d1, .data_len = sizeof d1};
    logs0[1] = (struct log){
        .addr = other, .topic_count = 1, .topics = {DEPOSIT_EVENT_TOPIC}, .data = d2, .data_len = sizeof d2};
    logs0[2] = (struct log){.addr = dc, .topic_count = 1, .data = bad, .data_len = sizeof bad};
    logs1[0] = (struct log){
        .addr = dc, .topic_count = 2, .topics = {DEPOSIT_EVENT_TOPIC}, .data = d2, .data_len = sizeof d2};
    struct receipt rc[2];
    memset(rc, 0, sizeof rc);
    rc[0].logs = logs0;
    rc[0].log_count = 3;
    rc[1].logs = logs1;
    rc[1].log_count = 1;
    struct bytebuf out = {0};
    char why[160];
    assert_int_equal(block_deposit_requests(rc, 2, &dc, &out, why, sizeof why), PAREVM_OK);
    assert_int_equal(out.len, 2 * DEPOSIT_REQUEST_SIZE);
    uint8_t want[DEPOSIT_REQUEST_SIZE];
    deposit_request(want, 0x20);
    assert_memory_equal(out.data, want, sizeof want);
    deposit_request(want, 0x30);
    assert_memory_equal(out.data + DEPOSIT_REQUEST_SIZE, want, sizeof want);
    /* Now the third log carries the topic: the block is invalid. */
    logs0[2].topics[0] = DEPOSIT_EVENT_TOPIC;
    bytebuf_reset(&out);
    assert_int_equal(block_deposit_requests(rc, 2, &dc, &out, why, sizeof why), PAREVM_ERR_BLOCK_INVALID);
    assert_non_null(strstr(why, "transaction 0, log 2"));
    bytebuf_free(&out);
}

/* EIP-7685 requests hash: sha256 over sha256(type || data) of each
 * non-empty type. Expected values computed independently (Python
 * hashlib) from the same inputs. */
static void test_requests_hash(void **state)
{
    (void)state;
    struct block_requests r;
    memset(&r, 0, sizeof r);
    hash32 h;
    /* No requests: sha256 of nothing. */
    assert_int_equal(block_requests_hash(&r, &h), PAREVM_OK);
    hash32 want = hash_hex("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_true(hash32_eq(&h, &want));
    /* One withdrawal request of 76 bytes 0xaa. */
    uint8_t wd[76];
    memset(wd, 0xaa, sizeof wd);
    assert_int_equal(bytebuf_append(&r.data[REQUEST_WITHDRAWAL], wd, sizeof wd), PAREVM_OK);
    assert_int_equal(block_requests_hash(&r, &h), PAREVM_OK);
    want = hash_hex("0xdc9332efe738b445eb548d6f177b29d868792322f30c67bca7cc6d335bf102ba");
    assert_true(hash32_eq(&h, &want));
    /* Plus a deposit of bytes 0, 1, ..., 191 (type 0 comes first). */
    uint8_t dep[192];
    for (int i = 0; i < 192; i++)
        dep[i] = (uint8_t)i;
    assert_int_equal(bytebuf_append(&r.data[REQUEST_DEPOSIT], dep, sizeof dep), PAREVM_OK);
    assert_int_equal(block_requests_hash(&r, &h), PAREVM_OK);
    want = hash_hex("0x735847220b787b10bccc089b07f143ebb07657f1cac962b3376a87a56f7984e3");
    assert_true(hash32_eq(&h, &want));
    block_requests_free(&r);
}

/* ---- a Prague block, sequential vs parallel ---- */

#define SENDERS 48
#define DEPOSIT_CONTRACT 0x6110

/* A contract that logs its calldata under DEPOSIT_EVENT_TOPIC (our own
 * few bytes, standing in for the deposit contract): CALLDATASIZE PUSH0
 * PUSH0 CALLDATACOPY PUSH32 topic CALLDATASIZE PUSH0 LOG1 STOP. */
static void set_deposit_logger(struct world *w, const address *a)
{
    uint8_t code[4 + 33 + 4];
    size_t n = 0;
    code[n++] = 0x36;
    code[n++] = 0x5f;
    code[n++] = 0x5f;
    code[n++] = 0x37;
    code[n++] = 0x7f;
    memcpy(code + n, DEPOSIT_EVENT_TOPIC.bytes, 32);
    n += 32;
    code[n++] = 0x36;
    code[n++] = 0x5f;
    code[n++] = 0xa1;
    code[n++] = 0x00;
    set_code_bytes(w, a, code, n);
}

static void make_pre(struct world *w)
{
    world_init(w);
    for (uint32_t i = 0; i < SENDERS; i++) {
        address s = addr_of(0x1000 + i);
        struct world_account *acct = world_get_or_create(w, &s);
        assert_non_null(acct);
        acct->balance = u256_from_u64(1000000000000000000ull);
    }
    set_code(w, &BEACON_ROOTS_ADDRESS, BEACON_CODE);
    set_code(w, &HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE);
    /* The request contracts as they are after their first system call
     * (excess no longer the inhibitor): requests are accepted at fee 1. */
    set_code(w, &WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_CODE);
    set_code(w, &CONSOLIDATION_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_CODE);
    address dc = addr_of(DEPOSIT_CONTRACT);
    set_deposit_logger(w, &dc);
}

static void make_call(struct tx *tx, uint32_t sender, const address *to, const uint8_t *data, size_t len,
                      uint64_t value)
{
    memset(tx, 0, sizeof *tx);
    tx->type = 2;
    tx->chain_id = 1;
    tx->has_chain_id = true;
    tx->max_fee_per_gas = u256_from_u64(100);
    tx->max_priority_fee_per_gas = u256_from_u64(2);
    tx->gas_price = tx->max_fee_per_gas;
    tx->gas_limit = 400000;
    tx->has_to = true;
    tx->to = *to;
    tx->value = u256_from_u64(value);
    if (len) {
        tx->data = malloc(len);
        assert_non_null(tx->data);
        memcpy(tx->data, data, len);
        tx->data_len = len;
    }
    tx->has_sender = true; /* the executor takes the sender as given */
    tx->sender = addr_of(0x1000 + sender);
}

/* SENDERS transactions, one per sender, by i % 4: a transfer, a deposit
 * (event seed i), a withdrawal request (56 bytes: pubkey i, amount i), a
 * consolidation request (96 bytes: two pubkeys). bad_deposit: the
 * deposit of transaction 5 has a broken layout. */
static void make_prague_block(struct block *b, bool bad_deposit)
{
    memset(b, 0, sizeof *b);
    struct block_header *h = &b->header;
    h->number = 20000;
    h->timestamp = 1750000000;
    h->gas_limit = 60000000;
    h->coinbase = addr_of(0xc0ffee);
    h->has_base_fee = true;
    h->base_fee = u256_from_u64(7);
    h->has_withdrawals_root = h->has_blob_gas = h->has_parent_beacon_root = h->has_requests_hash = true;
    memset(h->parent_beacon_root.bytes, 0x42, 32);
    memset(h->parent_hash.bytes, 0x35, 32);
    b->txs = calloc(SENDERS, sizeof *b->txs);
    assert_non_null(b->txs);
    b->tx_count = SENDERS;
    address dc = addr_of(DEPOSIT_CONTRACT), recipient = addr_of(0xbeef);
    for (uint32_t i = 0; i < SENDERS; i++) {
        uint8_t data[DEPOSIT_EVENT_DATA_SIZE];
        switch (i % 4) {
        case 0:
            make_call(&b->txs[i], i, &recipient, NULL, 0, 1000 + i);
            break;
        case 1:
            deposit_event(data, (uint8_t)i);
            if (bad_deposit && i == 5)
                put_word(data + 64, 321); /* amount offset */
            make_call(&b->txs[i], i, &dc, data, sizeof data, 0);
            break;
        case 2:
            memset(data, (int)i, 48);
            memset(data + 48, 0, 8);
            data[55] = (uint8_t)i;
            make_call(&b->txs[i], i, &WITHDRAWAL_REQUEST_ADDRESS, data, 56, 1);
            break;
        default:
            memset(data, (int)i, 48);
            memset(data + 48, (int)(i + 1), 48);
            make_call(&b->txs[i], i, &CONSOLIDATION_REQUEST_ADDRESS, data, 96, 1);
            break;
        }
    }
    b->has_withdrawals = true;
    b->withdrawals = calloc(2, sizeof *b->withdrawals);
    assert_non_null(b->withdrawals);
    b->withdrawal_count = 2;
    b->withdrawals[0] =
        (struct withdrawal){.index = 1, .validator_index = 2, .addr = addr_of(0x1001), .amount_gwei = 5};
    b->withdrawals[1] =
        (struct withdrawal){.index = 2, .validator_index = 3, .addr = addr_of(0xfeed), .amount_gwei = 9};
}

static void prague_config(struct chain_config *c)
{
    chain_config_single(c, FORK_PRAGUE);
    c->deposit_contract = addr_of(DEPOSIT_CONTRACT); /* as a devnet would */
}

static const int thread_counts[] = {1, 2, 4, 16, 64};

/* b on pre sequentially, then in parallel at every thread count (the
 * partitioned pass forced on every other run): identical results and
 * post-states. The sequential result is left in *ref, its root in
 * *ref_root. */
static void check_same_everywhere(const struct block *b, const struct world *pre, struct block_result *ref,
                                  hash32 *ref_root)
{
    struct chain_config cfg;
    prague_config(&cfg);
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, b, &w, NULL, ref), PAREVM_OK);
    assert_int_equal(world_state_root(&w, ref_root), PAREVM_OK);
    world_free(&w);
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        struct exec_options opt = {.threads = thread_counts[t],
                                   .force = true,
                                   .partition = t % 2 ? EXEC_PARTITION_ALWAYS : EXEC_PARTITION_AUTO};
        struct block_result res;
        struct exec_stats stats;
        memset(&stats, 0, sizeof stats);
        hash32 root;
        assert_int_equal(world_clone(pre, &w), PAREVM_OK);
        assert_int_equal(exec_block_parallel(&cfg, b, &w, NULL, &opt, &res, &stats), PAREVM_OK);
        if (!ref->invalid && thread_counts[t] > 1)
            assert_true(stats.parallel); /* the engine really ran */
        assert_int_equal(world_state_root(&w, &root), PAREVM_OK);
        if (!block_result_equal(ref, &res))
            fail_msg("%d threads: block result differs from the sequential one", thread_counts[t]);
        if (!hash32_eq(&root, ref_root))
            fail_msg("%d threads: post-state root differs from the sequential one", thread_counts[t]);
        block_result_free(&res);
        exec_stats_reset(&stats);
        world_free(&w);
    }
}

/* The request contracts each fork calls, in type order: none before
 * Prague, EIP-7002 and EIP-7251 from Prague, EIP-8282's two with it. */
static void test_request_contracts(void **state)
{
    (void)state;
    const struct block_request_contract *c;
    assert_int_equal(block_request_contracts(FORK_CANCUN, &c), 0);
    assert_int_equal(block_request_contracts(FORK_OSAKA, &c), 2);
    assert_int_equal(c[0].type, REQUEST_WITHDRAWAL);
    assert_int_equal(c[1].type, REQUEST_CONSOLIDATION);
    unsigned saved = fork_amsterdam_eips;
    fork_amsterdam_eips = EIP_8024;
    assert_int_equal(block_request_contracts(FORK_AMSTERDAM, &c), 2);
    fork_amsterdam_eips = EIP_8282;
    assert_int_equal(block_request_contracts(FORK_AMSTERDAM, &c), 4);
    assert_int_equal(c[2].type, REQUEST_BUILDER_DEPOSIT);
    assert_int_equal(c[3].type, REQUEST_BUILDER_EXIT);
    char hex[43]; /* "0x", 40 digits, NUL */
    hex_encode(c[3].contract->bytes, 20, hex);
    assert_string_equal(hex, "0x000064d678505ad48f8ccb093bc65613800e8282");
    hex_encode(c[2].contract->bytes, 20, hex);
    assert_string_equal(hex, "0x0000bff46984e3725691fa540a8c7589300d8282");
    fork_amsterdam_eips = saved;
}

static void test_prague_block_deterministic(void **state)
{
    (void)state;
    struct world pre;
    make_pre(&pre);
    struct block b;
    make_prague_block(&b, false);
    struct block_result ref;
    hash32 root;
    check_same_everywhere(&b, &pre, &ref, &root);
    if (ref.invalid)
        fail_msg("block invalid: %s", ref.invalid_message);
    for (size_t i = 0; i < ref.receipt_count; i++)
        if (!ref.receipts[i].status)
            fail_msg("transaction %zu failed", i);
    assert_true(ref.has_requests);
    /* Twelve deposits, in transaction order. */
    assert_int_equal(ref.requests.data[REQUEST_DEPOSIT].len, 12 * DEPOSIT_REQUEST_SIZE);
    uint8_t want[DEPOSIT_REQUEST_SIZE];
    deposit_request(want, 1);
    assert_memory_equal(ref.requests.data[REQUEST_DEPOSIT].data, want, sizeof want);
    deposit_request(want, 45);
    assert_memory_equal(ref.requests.data[REQUEST_DEPOSIT].data + 11 * DEPOSIT_REQUEST_SIZE, want,
                        sizeof want);
    /* Twelve withdrawal requests (at most 16 a block, EIP-7002): source
     * address (20) || pubkey (48) || amount (8). */
    const struct bytebuf *wd = &ref.requests.data[REQUEST_WITHDRAWAL];
    assert_int_equal(wd->len, 12 * 76);
    address s2 = addr_of(0x1000 + 2);
    assert_memory_equal(wd->data, s2.bytes, 20);
    for (int k = 0; k < 48; k++)
        assert_int_equal(wd->data[20 + k], 2);
    /* Consolidations: two of the twelve queued leave per block
     * (EIP-7251): source address (20) || source (48) || target (48). */
    const struct bytebuf *cons = &ref.requests.data[REQUEST_CONSOLIDATION];
    assert_int_equal(cons->len, 2 * 116);
    address s3 = addr_of(0x1000 + 3);
    assert_memory_equal(cons->data, s3.bytes, 20);
    assert_int_equal(cons->data[20], 3);
    assert_int_equal(cons->data[20 + 48], 4);
    address s7 = addr_of(0x1000 + 7);
    assert_memory_equal(cons->data + 116, s7.bytes, 20);
    /* The hash is of exactly these requests. */
    hash32 h;
    assert_int_equal(block_requests_hash(&ref.requests, &h), PAREVM_OK);
    assert_true(hash32_eq(&h, &ref.requests_hash));

    /* The post-state: EIP-2935 slot (number - 1) % 8191 holds the parent
     * hash; the withdrawal queue was drained (head = tail = 0, slots 2
     * and 3), the consolidation queue was not (head 2, tail 12). */
    struct chain_config cfg;
    prague_config(&cfg);
    struct world w;
    struct block_result again;
    assert_int_equal(world_clone(&pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_sequential(&cfg, &b, &w, NULL, &again), PAREVM_OK);
    const struct world_account *hist = world_get(&w, &HISTORY_STORAGE_ADDRESS);
    u256 k = u256_from_u64(19999 % HISTORY_SERVE_WINDOW), v = world_get_storage(hist, &k);
    u256 parent = u256_from_be32(b.header.parent_hash.bytes);
    assert_true(u256_eq(&v, &parent));
    const struct world_account *wq = world_get(&w, &WITHDRAWAL_REQUEST_ADDRESS);
    const struct world_account *cq = world_get(&w, &CONSOLIDATION_REQUEST_ADDRESS);
    u256 head = u256_from_u64(2), tail = u256_from_u64(3);
    v = world_get_storage(wq, &tail);
    assert_true(u256_is_zero(&v));
    v = world_get_storage(cq, &head);
    assert_true(u256_eq(&v, &(u256){{2, 0, 0, 0}}));
    v = world_get_storage(cq, &tail);
    assert_true(u256_eq(&v, &(u256){{12, 0, 0, 0}}));
    /* The withdrawal landed too (5 gwei on top of sender 1's balance less
     * its fees: just check the fresh account). */
    address fresh = addr_of(0xfeed);
    u256 nine_gwei = u256_from_u64(9000000000ull);
    assert_true(u256_eq(&world_get(&w, &fresh)->balance, &nine_gwei));
    block_result_free(&again);
    world_free(&w);

    block_result_free(&ref);
    block_free(&b);
    world_free(&pre);
}

/* A bad deposit layout invalidates the block after its transactions,
 * withdrawals and system calls ran: every path leaves the world as it
 * was, the parallel commit included. */
static void test_prague_invalid_requests_roll_back(void **state)
{
    (void)state;
    struct world pre;
    make_pre(&pre);
    hash32 pre_root;
    assert_int_equal(world_state_root(&pre, &pre_root), PAREVM_OK);
    struct block b;
    make_prague_block(&b, true);
    struct block_result ref;
    hash32 root;
    check_same_everywhere(&b, &pre, &ref, &root);
    assert_true(ref.invalid);
    assert_int_equal(ref.invalid_block_error, BLOCKERR_DEPOSIT_LAYOUT);
    assert_int_equal(ref.invalid_tx, SENDERS);
    assert_non_null(strstr(ref.invalid_message, "amount offset"));
    assert_true(hash32_eq(&root, &pre_root));
    block_result_free(&ref);

    /* A request contract without code (EIP-7002), and one that reverts
     * (EIP-7251: PUSH0 PUSH0 REVERT): invalid, rolled back. */
    struct world p2;
    assert_int_equal(world_clone(&pre, &p2), PAREVM_OK);
    world_delete(&p2, &WITHDRAWAL_REQUEST_ADDRESS);
    block_free(&b);
    make_prague_block(&b, false);
    for (size_t i = 2; i < SENDERS; i += 4) /* no calls to the missing contract */
        b.txs[i].to = addr_of(0xbeef);
    hash32 p2_root;
    assert_int_equal(world_state_root(&p2, &p2_root), PAREVM_OK);
    check_same_everywhere(&b, &p2, &ref, &root);
    assert_true(ref.invalid);
    assert_int_equal(ref.invalid_block_error, BLOCKERR_SYSTEM_CONTRACT_EMPTY);
    assert_true(hash32_eq(&root, &p2_root));
    block_result_free(&ref);
    world_free(&p2);

    assert_int_equal(world_clone(&pre, &p2), PAREVM_OK);
    set_code(&p2, &CONSOLIDATION_REQUEST_ADDRESS, "0x5f5ffd");
    assert_int_equal(world_state_root(&p2, &p2_root), PAREVM_OK);
    check_same_everywhere(&b, &p2, &ref, &root);
    assert_true(ref.invalid);
    assert_int_equal(ref.invalid_block_error, BLOCKERR_SYSTEM_CONTRACT_FAILED);
    assert_non_null(strstr(ref.invalid_message, "reverted"));
    assert_true(hash32_eq(&root, &p2_root));
    block_result_free(&ref);
    world_free(&p2);

    block_free(&b);
    world_free(&pre);
}

/* Before Prague there are no requests and no checked calls: a Cancun
 * block without any request contract is fine. */
static void test_cancun_has_no_requests(void **state)
{
    (void)state;
    struct world pre;
    make_pre(&pre);
    world_delete(&pre, &WITHDRAWAL_REQUEST_ADDRESS);
    world_delete(&pre, &CONSOLIDATION_REQUEST_ADDRESS);
    struct block b;
    make_prague_block(&b, false);
    b.header.has_requests_hash = false;
    for (size_t i = 2; i < SENDERS; i += 4)
        b.txs[i].to = addr_of(0xbeef);
    for (size_t i = 3; i < SENDERS; i += 4)
        b.txs[i].to = addr_of(0xbeef);
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_CANCUN);
    struct block_result r;
    assert_int_equal(exec_block_sequential(&cfg, &b, &pre, NULL, &r), PAREVM_OK);
    assert_false(r.invalid);
    assert_false(r.has_requests);
    /* and the history contract was not called */
    assert_int_equal(world_get(&pre, &HISTORY_STORAGE_ADDRESS)->storage.count, 0);
    block_result_free(&r);
    block_free(&b);
    world_free(&pre);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deposit_topic),
        cmocka_unit_test(test_deposit_parse_valid),
        cmocka_unit_test(test_deposit_parse_malformed),
        cmocka_unit_test(test_deposit_requests_from_receipts),
        cmocka_unit_test(test_requests_hash),
        cmocka_unit_test(test_request_contracts),
        cmocka_unit_test(test_prague_block_deterministic),
        cmocka_unit_test(test_prague_invalid_requests_roll_back),
        cmocka_unit_test(test_cancun_has_no_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
