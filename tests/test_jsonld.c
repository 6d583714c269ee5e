/* jsonld: the field loaders every format shares, read in each dialect
 * (JSON-RPC mainnet fixtures, geth t8n inputs, state and blockchain tests):
 * what each accepts, and the exact message (file, test, field) when it
 * refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/io/jsonld.h"

struct fixture {
    struct json_ctx c;
    char err[256];
    cJSON *item;
};

/* A context in dialect d over the JSON value text. */
static struct fixture *open_value(enum json_dialect d, const char *text)
{
    static struct fixture fx;
    fx = (struct fixture){.c = {.path = "f.json", .dialect = d}};
    fx.c.err = fx.err;
    fx.c.err_len = sizeof fx.err;
    fx.item = cJSON_Parse(text);
    assert_non_null(fx.item);
    return &fx;
}

static void close_value(struct fixture *fx)
{
    cJSON_Delete(fx->item);
}

/* json_u256 in dialect d: PAREVM_OK with the value, or the message. */
static void check_number(enum json_dialect d, const char *text, int want_rc, const char *want)
{
    struct fixture *fx = open_value(d, text);
    u256 v;
    int rc = json_u256(&fx->c, fx->item, "n", &v);
    assert_int_equal(rc, want_rc);
    if (rc) {
        assert_string_equal(fx->err, want);
    } else {
        char hex[67];
        u256_to_hex(&v, hex);
        assert_string_equal(hex, want);
    }
    close_value(fx);
}

static void test_numbers_rpc(void **state)
{
    (void)state;
    check_number(JSON_RPC, "\"0x00ff\"", PAREVM_OK, "0xff");
    check_number(JSON_RPC, "\"255\"", PAREVM_ERR_HEX, "f.json: n: bad hex (expected 0x...)");
    check_number(JSON_RPC, "\"0x\"", PAREVM_ERR_HEX, "f.json: n: bad hex (empty quantity)");
    check_number(JSON_RPC, "\"0x1g\"", PAREVM_ERR_HEX, "f.json: n: bad hex");
    check_number(JSON_RPC, "255", PAREVM_ERR_JSON, "f.json: n: expected a string");
    check_number(JSON_RPC, "\"0x10000000000000000000000000000000000000000000000000000000000000000\"",
                 PAREVM_ERR_RANGE, "f.json: n: value exceeds 256 bits");
}

static void test_numbers_t8n(void **state)
{
    (void)state;
    check_number(JSON_T8N, "\"0x00ff\"", PAREVM_OK, "0xff");
    check_number(JSON_T8N, "\"255\"", PAREVM_OK, "0xff");
    check_number(JSON_T8N, "255", PAREVM_OK, "0xff");
    check_number(JSON_T8N, "\"0x\"", PAREVM_ERR_HEX, "f.json: n: bad hex (empty number)");
    check_number(JSON_T8N, "\"\"", PAREVM_ERR_JSON, "f.json: n: empty number");
    check_number(JSON_T8N, "\"12a\"", PAREVM_ERR_JSON, "f.json: n: bad number (expected 0x-hex or decimal)");
    check_number(JSON_T8N, "1.5", PAREVM_ERR_RANGE, "f.json: n: number out of range (use a string)");
    check_number(JSON_T8N, "true", PAREVM_ERR_JSON, "f.json: n: expected a number");
    /* 2^256 in decimal */
    check_number(JSON_T8N,
                 "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"",
                 PAREVM_ERR_RANGE, "f.json: n: value exceeds 256 bits");
}

static void test_numbers_statetest(void **state)
{
    (void)state;
    check_number(JSON_STATETEST, "\"0x\"", PAREVM_OK, "0x0");
    check_number(JSON_STATETEST, "\"255\"", PAREVM_OK, "0xff");
    check_number(JSON_STATETEST, "255", PAREVM_OK, "0xff");
    check_number(JSON_STATETEST, "\"0x:bigint 0x10\"", PAREVM_OK, "0x10");
    check_number(JSON_STATETEST, "\"12a\"", PAREVM_ERR_JSON, "f.json: n: bad decimal number");
    check_number(JSON_STATETEST, "1.5", PAREVM_ERR_JSON, "f.json: n: expected a non-negative integer");
    check_number(JSON_STATETEST, "true", PAREVM_ERR_JSON, "f.json: n: expected a string");

    /* past 256 bits: an error, or saturated with *overflow set */
    const char *big = "\"0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000000\"";
    check_number(JSON_STATETEST, big, PAREVM_ERR_RANGE, "f.json: n: value exceeds 256 bits");
    struct fixture *fx = open_value(JSON_STATETEST, big);
    u256 v, max = u256_max();
    bool overflow = false;
    assert_int_equal(json_u256_ex(&fx->c, fx->item, "n", &v, &overflow), PAREVM_OK);
    assert_true(overflow);
    assert_true(u256_eq(&v, &max));
    close_value(fx);
}

static void test_numbers_blocktest(void **state)
{
    (void)state;
    check_number(JSON_BLOCKTEST, "\"0x\"", PAREVM_OK, "0x0");
    check_number(JSON_BLOCKTEST, "\"255\"", PAREVM_OK, "0xff");
    check_number(JSON_BLOCKTEST, "\"0x:bigint 0x10\"", PAREVM_OK, "0x10");
    check_number(JSON_BLOCKTEST, "255", PAREVM_ERR_JSON, "f.json: n: expected a string");
    check_number(JSON_BLOCKTEST, "\"12a\"", PAREVM_ERR_JSON, "f.json: n: bad decimal number");
}

static void test_u64(void **state)
{
    (void)state;
    enum json_dialect all[] = {JSON_RPC, JSON_T8N, JSON_STATETEST, JSON_BLOCKTEST};
    for (size_t i = 0; i < 4; i++) {
        struct fixture *fx = open_value(all[i], "\"0xffffffffffffffff\"");
        uint64_t v = 0;
        assert_int_equal(json_u64(&fx->c, fx->item, "n", &v), PAREVM_OK);
        assert_true(v == UINT64_MAX);
        close_value(fx);
        fx = open_value(all[i], "\"0x10000000000000000\"");
        assert_int_equal(json_u64(&fx->c, fx->item, "n", &v), PAREVM_ERR_RANGE);
        assert_string_equal(fx->err, "f.json: n: value exceeds 64 bits");
        close_value(fx);
    }
}

static void check_fixed(enum json_dialect d, const char *text, int want_rc, const char *want_err)
{
    struct fixture *fx = open_value(d, text);
    uint8_t out[2];
    assert_int_equal(json_fixed(&fx->c, fx->item, "h", out, 2), want_rc);
    assert_string_equal(fx->err, want_err);
    if (!want_rc)
        assert_memory_equal(out, "\xab\xcd", 2);
    close_value(fx);
}

static void test_fixed_and_bytes(void **state)
{
    (void)state;
    for (enum json_dialect d = JSON_RPC; d <= JSON_STATETEST; d++) {
        check_fixed(d, "\"0xabcd\"", PAREVM_OK, "");
        check_fixed(d, "\"ABCD\"", PAREVM_OK, "");
        check_fixed(d, "\"0xabcdef\"", PAREVM_ERR_HEX, "f.json: h: expected 2 bytes of hex");
        check_fixed(d, "\"0xabzz\"", PAREVM_ERR_HEX, "f.json: h: bad hex");
    }
    /* an odd digit count: t8n measures the length first */
    check_fixed(JSON_RPC, "\"0xabc\"", PAREVM_ERR_HEX, "f.json: h: bad hex");
    check_fixed(JSON_STATETEST, "\"0xabc\"", PAREVM_ERR_HEX, "f.json: h: bad hex");
    check_fixed(JSON_T8N, "\"0xabc\"", PAREVM_ERR_HEX, "f.json: h: expected 2 bytes of hex");
    /* blockchain tests: any hex that does not decode is the wrong size */
    check_fixed(JSON_BLOCKTEST, "\"0xabcd\"", PAREVM_OK, "");
    check_fixed(JSON_BLOCKTEST, "\"0xabc\"", PAREVM_ERR_HEX, "f.json: h: expected 2 bytes of hex");
    check_fixed(JSON_BLOCKTEST, "\"0xabzz\"", PAREVM_ERR_HEX, "f.json: h: expected 2 bytes of hex");
    check_fixed(JSON_RPC, "1", PAREVM_ERR_JSON, "f.json: h: expected a string");
    check_fixed(JSON_T8N, "1", PAREVM_ERR_JSON, "f.json: h: expected a hex string");

    struct fixture *fx = open_value(JSON_T8N, "\"0x0102\"");
    uint8_t *b;
    size_t n;
    assert_int_equal(json_bytes(&fx->c, fx->item, "d", &b, &n), PAREVM_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(b, "\x01\x02", 2);
    free(b);
    close_value(fx);
    fx = open_value(JSON_RPC, "\"\"");
    assert_int_equal(json_bytes(&fx->c, fx->item, "d", &b, &n), PAREVM_OK);
    assert_null(b);
    assert_int_equal(n, 0);
    close_value(fx);
    fx = open_value(JSON_STATETEST, "\"0x012\"");
    assert_int_equal(json_bytes(&fx->c, fx->item, "d", &b, &n), PAREVM_ERR_HEX);
    assert_null(b);
    assert_string_equal(fx->err, "f.json: d: bad hex");
    close_value(fx);
}

/* A state test's name stands between the file and the field. */
static void test_message_names_test(void **state)
{
    (void)state;
    struct fixture *fx = open_value(JSON_STATETEST, "\"x\"");
    fx->c.test = "add11";
    u256 v;
    assert_int_equal(json_u256(&fx->c, fx->item, "transaction.value[0]", &v), PAREVM_ERR_JSON);
    assert_string_equal(fx->err, "f.json: add11: transaction.value[0]: bad decimal number");
    close_value(fx);
}

static void free_access_list(struct access_list_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].keys);
    free(e);
}

static int load_access_list(enum json_dialect d, const char *text, char *err, struct access_list_entry **e,
                            size_t *n)
{
    struct fixture *fx = open_value(d, text);
    *e = NULL;
    *n = 0;
    int rc = json_access_list(&fx->c, fx->item, "accessList", e, n);
    strcpy(err, fx->err);
    close_value(fx);
    return rc;
}

static void test_access_list(void **state)
{
    (void)state;
    const char *addr = "\"0x00000000000000000000000000000000000000aa\"";
    char text[512], err[256];
    struct access_list_entry *e;
    size_t n;

    snprintf(text, sizeof text, "[{\"address\":%s,\"storageKeys\":[\"0x%064x\"]}]", addr, 7);
    for (enum json_dialect d = JSON_RPC; d <= JSON_STATETEST; d++) {
        assert_int_equal(load_access_list(d, text, err, &e, &n), PAREVM_OK);
        assert_int_equal(n, 1);
        assert_int_equal(e[0].addr.bytes[19], 0xaa);
        assert_int_equal(e[0].key_count, 1);
        assert_int_equal(e[0].keys[0].bytes[31], 7);
        free_access_list(e, n);
    }

    /* t8n: storageKeys may be absent, and a key is a number */
    snprintf(text, sizeof text, "[{\"address\":%s},{\"address\":%s,\"storageKeys\":[\"0x7\"]}]", addr, addr);
    assert_int_equal(load_access_list(JSON_T8N, text, err, &e, &n), PAREVM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].key_count, 0);
    assert_int_equal(e[1].keys[0].bytes[31], 7);
    free_access_list(e, n);
    assert_int_equal(load_access_list(JSON_RPC, text, err, &e, &n), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: accessList[0].storageKeys: missing field");
    free_access_list(e, n);
    snprintf(text, sizeof text, "[{\"address\":%s,\"storageKeys\":[\"0x07\"]}]", addr);
    assert_int_equal(load_access_list(JSON_STATETEST, text, err, &e, &n), PAREVM_ERR_HEX);
    assert_string_equal(err, "f.json: accessList[0].storageKeys[0]: expected 32 bytes of hex");
    free_access_list(e, n);

    /* a JSON null: absent in RPC, a wrong value in fixtures */
    assert_int_equal(load_access_list(JSON_RPC, "[{\"address\":null}]", err, &e, &n), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: accessList[0].address: missing field");
    free_access_list(e, n);
    assert_int_equal(load_access_list(JSON_STATETEST, "[{\"address\":null}]", err, &e, &n), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: accessList[0].address: expected a string");
    free_access_list(e, n);

    assert_int_equal(load_access_list(JSON_STATETEST, "{}", err, &e, &n), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: accessList: expected an array or null");
    assert_int_equal(load_access_list(JSON_T8N, "{}", err, &e, &n), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: accessList: expected an array");
}

static int load_authorizations(enum json_dialect d, const char *entry, char *err, struct authorization **a,
                               size_t *n, bool *out_of_range)
{
    char text[512];
    snprintf(text, sizeof text, "[%s]", entry);
    struct fixture *fx = open_value(d, text);
    *a = NULL;
    *n = 0;
    int rc = json_authorization_list(&fx->c, fx->item, "auth", a, n, out_of_range);
    strcpy(err, fx->err);
    close_value(fx);
    return rc;
}

static void test_authorization_list(void **state)
{
    (void)state;
    char err[256];
    struct authorization *a;
    size_t n;
    const char *ok = "{\"chainId\":\"0x1\",\"address\":\"0x00000000000000000000000000000000000000aa\","
                     "\"nonce\":\"0x5\",\"v\":\"0x1\",\"r\":\"0x2\",\"s\":\"0x3\"}";
    for (enum json_dialect d = JSON_RPC; d <= JSON_STATETEST; d++) {
        assert_int_equal(load_authorizations(d, ok, err, &a, &n, NULL), PAREVM_OK);
        assert_int_equal(n, 1);
        assert_int_equal(a[0].nonce, 5);
        assert_int_equal(a[0].y_parity, 1);
        assert_int_equal(a[0].addr.bytes[19], 0xaa);
        assert_int_equal(a[0].s.w[0], 3);
        free(a);
    }

    /* missing chainId and address: t8n names chainId after the others */
    const char *no_chain = "{\"nonce\":\"0x5\",\"v\":\"0x1\",\"r\":\"0x2\",\"s\":\"0x3\"}";
    assert_int_equal(load_authorizations(JSON_RPC, no_chain, err, &a, &n, NULL), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: auth[0].chainId: missing field");
    free(a);
    assert_int_equal(load_authorizations(JSON_T8N, no_chain, err, &a, &n, NULL), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: auth[0].address: missing field");
    free(a);
    const char *no_r = "{\"address\":\"0x00000000000000000000000000000000000000aa\",\"nonce\":\"0x5\","
                       "\"yParity\":\"0x1\",\"s\":\"0x3\"}";
    assert_int_equal(load_authorizations(JSON_T8N, no_r, err, &a, &n, NULL), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: auth[0].chainId: missing field");
    free(a);

    /* a y parity past 8 bits: refused, or flagged for state tests */
    const char *wide = "{\"chainId\":\"0x1\",\"address\":\"0x00000000000000000000000000000000000000aa\","
                       "\"nonce\":\"0x5\",\"v\":\"0x100\",\"r\":\"0x2\",\"s\":\"0x3\"}";
    assert_int_equal(load_authorizations(JSON_RPC, wide, err, &a, &n, NULL), PAREVM_ERR_RANGE);
    assert_string_equal(err, "f.json: auth[0].v: exceeds 8 bits");
    free(a);
    bool out_of_range = false;
    assert_int_equal(load_authorizations(JSON_STATETEST, wide, err, &a, &n, &out_of_range), PAREVM_OK);
    assert_true(out_of_range);
    free(a);
    const char *bad_v = "{\"chainId\":\"0x1\",\"address\":\"0x00000000000000000000000000000000000000aa\","
                        "\"nonce\":\"0x5\",\"v\":\"0xzz\",\"r\":\"0x2\",\"s\":\"0x3\"}";
    assert_int_equal(load_authorizations(JSON_STATETEST, bad_v, err, &a, &n, &out_of_range), PAREVM_ERR_HEX);
    assert_string_equal(err, "f.json: auth[0].yParity: bad hex"); /* state tests call v yParity */
    free(a);
    const char *big_nonce = "{\"chainId\":\"0x1\",\"address\":\"0x00000000000000000000000000000000000000aa\","
                            "\"nonce\":\"0x10000000000000000\",\"v\":\"0x1\",\"r\":\"0x2\"}";
    assert_int_equal(load_authorizations(JSON_T8N, big_nonce, err, &a, &n, NULL), PAREVM_ERR_RANGE);
    assert_string_equal(err, "f.json: auth[0].nonce: value exceeds 64 bits");
    free(a);
}

/* json_accounts in dialect d over text into a fresh world: the status,
 * and the message in err ("" on success); the world is kept in *w. */
static int load_accounts(enum json_dialect d, const char *name, const char *text, struct world *w, char *err)
{
    struct fixture *fx = open_value(d, text);
    world_init(w);
    int rc = json_accounts(&fx->c, fx->item, name, w);
    if (rc)
        memcpy(err, fx->err, sizeof fx->err); /* err holds 256 bytes, as fx->err */
    else
        err[0] = '\0';
    close_value(fx);
    return rc;
}

#define ACCT "0x00000000000000000000000000000000000000aa"

/* The account map shared by pre_state.json, state tests and blockchain
 * tests: what each dialect requires, and the same message for the same
 * fault in every loader that used to have its own copy. */
static void test_accounts(void **state)
{
    (void)state;
    struct world w;
    char err[256];
    address a = {.bytes = {[19] = 0xaa}};
    u256 one = u256_from_u64(1);

    /* A full account in every dialect (numbers as each writes them). */
    const char *full[] = {
        [JSON_RPC] = "{\"" ACCT "\":{\"balance\":\"0x10\",\"nonce\":\"0x2\",\"code\":\"0x6001\","
                     "\"storage\":{\"0x1\":\"0x5\"}}}",
        [JSON_STATETEST] = "{\"" ACCT "\":{\"balance\":\"16\",\"nonce\":2,\"code\":\"0x6001\","
                           "\"storage\":{\"0x01\":\"0x05\"}}}",
        [JSON_BLOCKTEST] = "{\"" ACCT "\":{\"balance\":\"0x10\",\"nonce\":\"0x02\",\"code\":\"0x6001\","
                           "\"storage\":{\"0x01\":\"0x05\"}}}",
    };
    enum json_dialect dialects[] = {JSON_RPC, JSON_STATETEST, JSON_BLOCKTEST};
    for (size_t i = 0; i < 3; i++) {
        enum json_dialect d = dialects[i];
        assert_int_equal(load_accounts(d, "pre", full[d], &w, err), PAREVM_OK);
        struct world_account *acct = world_get(&w, &a);
        assert_non_null(acct);
        assert_int_equal(acct->balance.w[0], 16);
        assert_int_equal(acct->nonce, 2);
        assert_int_equal(acct->code->len, 2);
        u256 v = world_get_storage(acct, &one);
        assert_int_equal(v.w[0], 5);
        world_free(&w);
    }

    /* pre_state.json: every field optional, no code is no code. */
    assert_int_equal(
        load_accounts(JSON_RPC, "", "{\"" ACCT "\":{\"balance\":null,\"code\":\"0x\"}}", &w, err), PAREVM_OK);
    assert_non_null(world_get(&w, &a));
    assert_int_equal(world_get(&w, &a)->code->len, 0);
    world_free(&w);
    /* ... and names the address before the type, with no prefix */
    assert_int_equal(load_accounts(JSON_RPC, "", "{\"0x12\":5}", &w, err), PAREVM_ERR_HEX);
    assert_string_equal(err, "f.json: 0x12: account key is not a 20-byte hex address");
    world_free(&w);
    assert_int_equal(load_accounts(JSON_RPC, "", "[1]", &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: expected an object of accounts");
    world_free(&w);

    /* The fixtures: the type first, every field required. */
    assert_int_equal(load_accounts(JSON_STATETEST, "pre", "{\"0x12\":5}", &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: pre.0x12: expected an object");
    world_free(&w);
    assert_int_equal(load_accounts(JSON_BLOCKTEST, "postState", "[1]", &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: postState: expected an object");
    world_free(&w);
    assert_int_equal(load_accounts(JSON_STATETEST, "pre",
                                   "{\"" ACCT "\":{\"nonce\":\"0\",\"code\":\"\",\"storage\":{}}}", &w, err),
                     PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: pre." ACCT ".balance: missing field");
    world_free(&w);
    /* a null: a wrong value in a state test, a missing one in a blockchain test */
    const char *null_balance =
        "{\"" ACCT "\":{\"balance\":null,\"nonce\":\"0x00\",\"code\":\"\",\"storage\":{}}}";
    assert_int_equal(load_accounts(JSON_STATETEST, "pre", null_balance, &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: pre." ACCT ".balance: expected a string");
    world_free(&w);
    assert_int_equal(load_accounts(JSON_BLOCKTEST, "pre", null_balance, &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: pre." ACCT ".balance: missing field");
    world_free(&w);

    /* Two spellings of one address, and of one slot. */
    const char *dup_account = "{\"" ACCT "\":{},\"0x00000000000000000000000000000000000000AA\":{}}";
    assert_int_equal(load_accounts(JSON_RPC, "", dup_account, &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: 0x00000000000000000000000000000000000000AA: duplicate account");
    world_free(&w);
    const char *dup_slot = "{\"" ACCT "\":{\"balance\":\"0x0\",\"nonce\":\"0x0\",\"code\":\"0x\","
                           "\"storage\":{\"0x01\":\"0x02\",\"0x1\":\"0x03\"}}}";
    assert_int_equal(load_accounts(JSON_BLOCKTEST, "pre", dup_slot, &w, err), PAREVM_ERR_JSON);
    assert_string_equal(err, "f.json: pre." ACCT ".storage.0x1: duplicate storage slot");
    world_free(&w);
    /* pre_state.json takes the last (it never checked) */
    assert_int_equal(load_accounts(JSON_RPC, "", dup_slot, &w, err), PAREVM_OK);
    u256 v = world_get_storage(world_get(&w, &a), &one);
    assert_int_equal(v.w[0], 3);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_rpc),
        cmocka_unit_test(test_numbers_t8n),
        cmocka_unit_test(test_numbers_statetest),
        cmocka_unit_test(test_numbers_blocktest),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_fixed_and_bytes),
        cmocka_unit_test(test_message_names_test),
        cmocka_unit_test(test_access_list),
        cmocka_unit_test(test_authorization_list),
        cmocka_unit_test(test_accounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
