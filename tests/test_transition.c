/*
 * chain/transition: the Prague and Osaka transaction rules, each checked
 * on a one-transaction world with the gas and balances worked out by
 * hand: the EIP-7623 calldata floor (validation and gas used), the
 * EIP-7825 gas limit cap, blobs per transaction (EIP-7691 maximum,
 * EIP-7594 cap), EIP-7702 set-code transactions (intrinsic gas, refund
 * for an existing authority, skipped authorizations, validation, the
 * EIP-3607 exception, the cost of calling a delegated account); and
 * Amsterdam's EIP-8037 state gas with its reservoir, and EIP-2780's
 * base and recipient.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/buf.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/chain/transition.h"
#include "../src/state/world.h"
#include "test_keys.h"

#define PRICE 10 /* max fee = tip + base fee: effective price 10 */
#define BASE_FEE 7
#define FUNDS 1000000000000ull

static address addr_of(uint32_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = 0xbb;
    a.bytes[18] = (uint8_t)(n >> 8);
    a.bytes[19] = (uint8_t)n;
    return a;
}

static const address SENDER = {{0xaa, 1}};
static const address COINBASE = {{0xc0, 0xff, 0xee}};

static void make_env(struct block_env *env, enum fork fork)
{
    memset(env, 0, sizeof *env);
    env->fork = fork;
    env->chain_id = 1;
    env->coinbase = COINBASE;
    env->number = 1;
    env->timestamp = 1000;
    env->gas_limit = 100000000;
    env->base_fee = u256_from_u64(BASE_FEE);
    env->blob_base_fee = u256_from_u64(1);
}

static void make_world(struct world *w)
{
    world_init(w);
    struct world_account *a = world_get_or_create(w, &SENDER);
    assert_non_null(a);
    a->balance = u256_from_u64(FUNDS);
}

static struct tx make_tx(const address *to, uint64_t gas)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.type = 2;
    t.chain_id = 1;
    t.has_chain_id = true;
    t.max_fee_per_gas = u256_from_u64(PRICE);
    t.max_priority_fee_per_gas = u256_from_u64(PRICE - BASE_FEE);
    t.gas_price = t.max_fee_per_gas;
    t.gas_limit = gas;
    t.has_to = to != NULL;
    if (to)
        t.to = *to;
    t.has_sender = true;
    t.sender = SENDER;
    return t;
}

static uint64_t balance_of(const struct world *w, const address *a)
{
    const struct world_account *acct = world_get(w, a);
    if (!acct)
        return 0;
    assert_true(u256_fits_u64(&acct->balance));
    return acct->balance.w[0];
}

/* Apply tx at fork on a copy of pre; the result, and the copy in *post
 * (when not NULL, else freed). */
static struct tx_result apply(const struct world *pre, const struct tx *tx, enum fork fork,
                              struct world *post)
{
    struct block_env env;
    make_env(&env, fork);
    struct world w;
    assert_int_equal(world_clone(pre, &w), PAREVM_OK);
    struct tx_result r;
    assert_int_equal(transition_apply_world(&env, &w, tx, 0, &r), PAREVM_OK);
    if (post)
        *post = w;
    else
        world_free(&w);
    return r;
}

/* The gas and the payments follow the final gas used. */
static void assert_paid(const struct world *post, uint64_t gas_used)
{
    assert_int_equal(balance_of(post, &SENDER), FUNDS - gas_used * PRICE);
    assert_int_equal(balance_of(post, &COINBASE), gas_used * (PRICE - BASE_FEE));
}

/* EIP-7623: 1000 non-zero calldata bytes to an account without code:
 * intrinsic 21000 + 16000 = 37000, floor 21000 + 10 * 4000 = 61000. */
static void test_calldata_floor(void **state)
{
    (void)state;
    struct world pre, post;
    make_world(&pre);
    address to = addr_of(1);
    uint8_t data[1000];
    memset(data, 0x77, sizeof data);
    struct tx tx = make_tx(&to, 100000);
    tx.data = data;
    tx.data_len = sizeof data;

    struct tx_result r = apply(&pre, &tx, FORK_CANCUN, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, 37000); /* no floor before Prague */
    assert_paid(&post, 37000);
    world_free(&post);

    r = apply(&pre, &tx, FORK_PRAGUE, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.status, TX_STATUS_SUCCESS);
    assert_int_equal(r.gas_used, 61000);
    assert_paid(&post, 61000);
    world_free(&post);

    /* The gas limit must cover the floor, not only the intrinsic gas. */
    tx.gas_limit = 60999;
    r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_INTRINSIC_GAS);
    r = apply(&pre, &tx, FORK_CANCUN, NULL);
    assert_int_equal(r.error, TXERR_NONE);
    tx.gas_limit = 61000;
    r = apply(&pre, &tx, FORK_OSAKA, NULL);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, 61000);

    /* Execution above the floor is charged as usual: a contract that
     * burns gas in a loop (JUMPDEST PUSH1 0 JUMP) runs out of its limit. */
    static const uint8_t loop[] = {0x5b, 0x60, 0x00, 0x56};
    address spinner = addr_of(2);
    struct world_account *acct = world_get_or_create(&pre, &spinner);
    struct code *c = code_new(loop, sizeof loop);
    world_set_code(acct, c);
    code_release(c);
    tx.to = spinner;
    tx.gas_limit = 80000;
    r = apply(&pre, &tx, FORK_PRAGUE, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.status, TX_STATUS_HALT);
    assert_int_equal(r.gas_used, 80000);
    assert_paid(&post, 80000);
    world_free(&post);
    world_free(&pre);
}

/* EIP-7825: from Osaka a transaction may not ask for more than 2^24 gas. */
static void test_gas_limit_cap(void **state)
{
    (void)state;
    struct world pre;
    make_world(&pre);
    address to = addr_of(1);
    struct tx tx = make_tx(&to, 16777216);
    struct tx_result r = apply(&pre, &tx, FORK_OSAKA, NULL);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, 21000);
    tx.gas_limit = 16777217;
    r = apply(&pre, &tx, FORK_OSAKA, NULL);
    assert_int_equal(r.error, TXERR_GAS_LIMIT_CAP);
    assert_string_equal(tx_error_name(TXERR_GAS_LIMIT_CAP),
                        "gas limit exceeds the transaction maximum (EIP-7825)");
    r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_NONE);
    world_free(&pre);
}

/* A contract of `code` at a, with a balance. */
static void put_code(struct world *w, const address *a, const uint8_t *code, size_t len)
{
    struct world_account *acct = world_get_or_create(w, a);
    assert_non_null(acct);
    struct code *c = code_new(code, len);
    world_set_code(acct, c);
    code_release(c);
}

/* EIP-8037 and EIP-2780 (Amsterdam), worked by hand. A call of a
 * contract costs 12000 + 3000 intrinsic; SSTORE of a new slot 2100 cold
 * (2000 + the warm 100) + 10000 (EIP-8038) regular and 64 * 1530 = 97920
 * state gas; the
 * code's PUSHes 3 each. The state gas comes from the reservoir (the gas
 * above 2^24 less the intrinsic gas) when there is one, else from the
 * gas; either way the transaction pays it, and the block counts it as
 * state gas; a REVERT gives it back. */
static void test_state_gas(void **state)
{
    (void)state;
    unsigned saved = fork_amsterdam_eips;
    fork_amsterdam_eips = AMSTERDAM_EIPS;
    struct world pre, post;
    make_world(&pre);
    address store = addr_of(3), revert = addr_of(4), dead = addr_of(5);
    static const uint8_t sstore[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x00};             /* SSTORE(0, 1) STOP */
    static const uint8_t sstore_revert[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x5f, 0x5f, 0xfd}; /* ... REVERT(0, 0) */
    put_code(&pre, &store, sstore, sizeof sstore);
    put_code(&pre, &revert, sstore_revert, sizeof sstore_revert);
    const uint64_t regular = 15000 + 3 + 3 + 12100, slot = 97920;

    struct tx tx = make_tx(&store, 200000); /* no reservoir: the state gas from the gas */
    struct tx_result r = apply(&pre, &tx, FORK_AMSTERDAM, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.status, TX_STATUS_SUCCESS);
    assert_int_equal(r.gas_used, regular + slot);
    assert_int_equal(r.block_gas, regular);
    assert_int_equal(r.block_state_gas, slot);
    assert_paid(&post, regular + slot);
    world_free(&post);

    tx.gas_limit = 16777216 + 500000; /* a reservoir of 500000: the same charges */
    tx_result_free(&r);
    r = apply(&pre, &tx, FORK_AMSTERDAM, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, regular + slot);
    assert_int_equal(r.block_state_gas, slot);
    assert_paid(&post, regular + slot);
    world_free(&post);
    tx.gas_limit = 16777216 + 500000; /* refused before Amsterdam (EIP-7825) */
    assert_int_equal(apply(&pre, &tx, FORK_OSAKA, NULL).error, TXERR_GAS_LIMIT_CAP);

    tx.gas_limit = regular + slot - 1; /* the state gas does not fit: out of gas */
    tx_result_free(&r);
    r = apply(&pre, &tx, FORK_AMSTERDAM, &post);
    assert_int_equal(r.status, TX_STATUS_HALT);
    assert_int_equal(r.gas_used, regular + slot - 1);
    assert_int_equal(r.block_state_gas, 0);
    world_free(&post);

    tx = make_tx(&revert, 200000); /* REVERT: the state gas is given back */
    tx_result_free(&r);
    r = apply(&pre, &tx, FORK_AMSTERDAM, &post);
    assert_int_equal(r.status, TX_STATUS_REVERT);
    assert_int_equal(r.gas_used, regular + 2 + 2);
    assert_int_equal(r.block_state_gas, 0);
    world_free(&post);

    /* EIP-2780: value to a dead account: 12000 + 3000 + 6000, and the new
     * account's 120 * 1530 = 183600 state gas at the top; without the
     * gas for it the call runs out of gas and nothing moves. */
    tx = make_tx(&dead, 21000 + 183600);
    tx.value = u256_from_u64(5);
    tx_result_free(&r);
    r = apply(&pre, &tx, FORK_AMSTERDAM, &post);
    assert_int_equal(r.status, TX_STATUS_SUCCESS);
    assert_int_equal(r.gas_used, 21000 + 183600);
    assert_int_equal(balance_of(&post, &dead), 5);
    world_free(&post);
    tx.gas_limit = 21000 + 183600 - 1;
    tx_result_free(&r);
    r = apply(&pre, &tx, FORK_AMSTERDAM, &post);
    assert_int_equal(r.status, TX_STATUS_HALT);
    assert_int_equal(r.gas_used, 21000 + 183600 - 1);
    assert_null(world_get(&post, &dead));
    world_free(&post);
    tx.to = SENDER; /* to itself: TX_BASE alone */
    tx.gas_limit = 12000;
    tx_result_free(&r);
    r = apply(&pre, &tx, FORK_AMSTERDAM, NULL);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, 12000);
    tx_result_free(&r);
    world_free(&pre);
    fork_amsterdam_eips = saved;
}

/* Blobs per transaction: the fork's block maximum (6 Cancun, 9 Prague,
 * EIP-7691), and at most 6 from Osaka (EIP-7594). */
static void test_blob_count(void **state)
{
    (void)state;
    struct world pre;
    make_world(&pre);
    address to = addr_of(1);
    hash32 hashes[10];
    memset(hashes, 0x01, sizeof hashes);
    struct tx tx = make_tx(&to, 21000);
    tx.type = 3;
    tx.max_fee_per_blob_gas = u256_from_u64(1);
    tx.blob_hashes = hashes;
    static const struct {
        enum fork fork;
        size_t blobs;
        enum tx_error want;
    } cases[] = {
        {FORK_CANCUN, 6, TXERR_NONE},      {FORK_CANCUN, 7, TXERR_BLOB_COUNT},  {FORK_PRAGUE, 7, TXERR_NONE},
        {FORK_PRAGUE, 9, TXERR_NONE},      {FORK_PRAGUE, 10, TXERR_BLOB_COUNT}, {FORK_OSAKA, 6, TXERR_NONE},
        {FORK_OSAKA, 7, TXERR_BLOB_COUNT}, {FORK_OSAKA, 0, TXERR_BLOB_COUNT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tx.blob_hash_count = cases[i].blobs;
        struct tx_result r = apply(&pre, &tx, cases[i].fork, NULL);
        assert_int_equal(r.error, cases[i].want);
    }
    world_free(&pre);
}

/* ---- EIP-7702 ---- */

static struct authorization make_auth(const uint8_t key[32], uint64_t chain_id, const address *target,
                                      uint64_t nonce)
{
    struct authorization a;
    memset(&a, 0, sizeof a);
    a.chain_id = u256_from_u64(chain_id);
    a.addr = *target;
    a.nonce = nonce;
    sign_authorization(&a, key);
    return a;
}

static void assert_delegated(const struct world *w, const address *a, const address *target, uint64_t nonce)
{
    const struct world_account *acct = world_get(w, a);
    assert_non_null(acct);
    assert_int_equal(acct->nonce, nonce);
    assert_int_equal(acct->code->len, 23);
    static const uint8_t marker[3] = {0xef, 0x01, 0x00};
    assert_memory_equal(acct->code->bytes, marker, 3);
    assert_memory_equal(acct->code->bytes + 3, target->bytes, 20);
}

/* Intrinsic gas 25000 per authorization; 12500 back (within the EIP-3529
 * cap of a fifth) when the authority exists; invalid authorizations are
 * skipped, the transaction stays valid. */
static void test_set_code_gas(void **state)
{
    (void)state;
    uint8_t key[32];
    memset(key, 0x5c, sizeof key);
    address authority = key_address(key), target = addr_of(9), to = addr_of(1);
    struct world pre, post;
    make_world(&pre);

    struct authorization auth = make_auth(key, 1, &target, 0);
    struct tx tx = make_tx(&to, 100000);
    tx.type = 4;
    tx.authorizations = &auth;
    tx.authorization_count = 1;

    /* A new authority: 21000 + 25000, no refund. */
    struct tx_result r = apply(&pre, &tx, FORK_PRAGUE, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.status, TX_STATUS_SUCCESS);
    assert_int_equal(r.gas_used, 46000);
    assert_paid(&post, 46000);
    assert_delegated(&post, &authority, &target, 1);
    world_free(&post);

    /* An existing authority: the 12500 refund is capped at 46000 / 5. */
    struct world_account *acct = world_get_or_create(&pre, &authority);
    acct->balance = u256_from_u64(1);
    r = apply(&pre, &tx, FORK_PRAGUE, &post);
    assert_int_equal(r.gas_used, 46000 - 9200);
    assert_delegated(&post, &authority, &target, 1);
    world_free(&post);

    /* Chain id 0 is valid on any chain; another chain's is skipped, and so
     * is a stale nonce: the gas is still paid, nothing is delegated. */
    auth = make_auth(key, 0, &target, 0);
    r = apply(&pre, &tx, FORK_OSAKA, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_delegated(&post, &authority, &target, 1);
    world_free(&post);
    struct authorization skipped[2] = {make_auth(key, 5, &target, 0), make_auth(key, 1, &target, 1)};
    tx.authorizations = skipped;
    tx.authorization_count = 2;
    r = apply(&pre, &tx, FORK_PRAGUE, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, 71000);
    acct = world_get(&post, &authority);
    assert_int_equal(acct->nonce, 0);
    assert_int_equal(acct->code->len, 0);
    world_free(&post);

    /* Validation: type 4 needs Prague, a recipient and an authorization. */
    tx.authorizations = &auth;
    tx.authorization_count = 1;
    r = apply(&pre, &tx, FORK_CANCUN, NULL);
    assert_int_equal(r.error, TXERR_TYPE_NOT_SUPPORTED);
    tx.authorization_count = 0;
    r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_EMPTY_AUTHORIZATIONS);
    tx.authorization_count = 1;
    tx.has_to = false;
    r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_SET_CODE_CREATE);
    tx.has_to = true;
    tx.gas_limit = 45999;
    r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_INTRINSIC_GAS);
    world_free(&pre);
}

/* EIP-3607 with EIP-7702: a sender whose code is a designator may send
 * from Prague; other code may not. Calling a delegated account: the
 * caller pays the delegate's access (cold 2600) besides the account's. */
static void test_delegated_accounts(void **state)
{
    (void)state;
    struct world pre, post;
    make_world(&pre);
    address target = addr_of(9), to = addr_of(1);
    uint8_t designator[23] = {0xef, 0x01, 0x00};
    memcpy(designator + 3, target.bytes, 20);
    struct world_account *sender = world_get_or_create(&pre, &SENDER);
    struct code *c = code_new(designator, sizeof designator);
    world_set_code(sender, c);
    code_release(c);
    struct tx tx = make_tx(&to, 100000);
    struct tx_result r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_NONE);
    r = apply(&pre, &tx, FORK_CANCUN, NULL);
    assert_int_equal(r.error, TXERR_SENDER_NOT_EOA);
    static const uint8_t stop[1] = {0x00};
    c = code_new(stop, sizeof stop);
    world_set_code(sender, c);
    code_release(c);
    r = apply(&pre, &tx, FORK_PRAGUE, NULL);
    assert_int_equal(r.error, TXERR_SENDER_NOT_EOA);
    world_set_code(sender, code_empty());

    /* caller: CALL(0, delegated, 0, 0, 0, 0, 0) then STOP. Delegated's
     * designator points at `target`, whose code stores 1 at slot 0 of the
     * account it runs for (the delegated account). */
    address caller = addr_of(2), delegated = addr_of(3);
    uint8_t ccode[64];
    size_t at = 0;
    for (int i = 0; i < 5; i++) {
        ccode[at++] = 0x60;
        ccode[at++] = 0x00;
    }
    ccode[at++] = 0x73;
    memcpy(ccode + at, delegated.bytes, 20);
    at += 20;
    ccode[at++] = 0x61; /* PUSH2 30000: the gas for the callee */
    ccode[at++] = 0x75;
    ccode[at++] = 0x30;
    ccode[at++] = 0xf1;
    ccode[at++] = 0x00;
    c = code_new(ccode, at);
    world_set_code(world_get_or_create(&pre, &caller), c);
    code_release(c);
    c = code_new(designator, sizeof designator);
    world_set_code(world_get_or_create(&pre, &delegated), c);
    code_release(c);
    static const uint8_t store[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x00}; /* SSTORE(0, 1) */
    c = code_new(store, sizeof store);
    world_set_code(world_get_or_create(&pre, &target), c);
    code_release(c);

    tx.to = caller;
    r = apply(&pre, &tx, FORK_PRAGUE, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.status, TX_STATUS_SUCCESS);
    /* 21000 + 7 PUSHes (21) + CALL (100 warm base + 2500 cold delegated
     * + 2600 cold delegate) + the callee's 2 PUSHes (6) and SSTORE (20000
     * + 2100 cold slot). */
    assert_int_equal(r.gas_used, 21000 + 21 + 100 + 2500 + 2600 + 6 + 22100);
    u256 key0 = u256_zero();
    u256 v = world_get_storage(world_get(&post, &delegated), &key0);
    assert_true(u256_eq(&v, &(u256){{1, 0, 0, 0}}));
    v = world_get_storage(world_get(&post, &target), &key0); /* the delegate's own storage is untouched */
    assert_true(u256_is_zero(&v));
    world_free(&post);

    /* Before Prague the designator is just code: 0xef halts the callee;
     * the CALL fails and its 30000 are lost. */
    r = apply(&pre, &tx, FORK_CANCUN, &post);
    assert_int_equal(r.error, TXERR_NONE);
    assert_int_equal(r.gas_used, 21000 + 21 + 100 + 2500 + 30000);
    world_free(&post);
    world_free(&pre);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calldata_floor),     cmocka_unit_test(test_gas_limit_cap),
        cmocka_unit_test(test_blob_count),         cmocka_unit_test(test_set_code_gas),
        cmocka_unit_test(test_delegated_accounts), cmocka_unit_test(test_state_gas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
