/* Tests for io/statetest: parsing a real fixture, every transaction type,
 * number formats, and malformed inputs (each must fail with a message
 * naming the file and field, and leave nothing allocated). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/base/hex.h"
#include "../src/io/file.h"
#include "../src/io/statetest.h"

static hash32 hash_hex(const char *s)
{
    hash32 h;
    assert_int_equal(hex_decode_exact(s, h.bytes, 32), PAREVM_OK);
    return h;
}

static address addr_hex(const char *s)
{
    address a;
    assert_int_equal(hex_decode_exact(s, a.bytes, 20), PAREVM_OK);
    return a;
}

static void assert_u256_hex(const u256 *v, const char *want)
{
    char got[67];
    u256_to_hex(v, got);
    assert_string_equal(got, want);
}

/* Write text to a fresh file under /tmp and return its path (static). */
static const char *write_tmp(const char *name, const char *text, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/parevm_test_%d_%s", (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *fixtures_root(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    return env && *env ? env : "../shared/fixtures";
}

/* ---- a real fixture ---- */

static void test_load_add11(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ethereum-tests/GeneralStateTests/stExample/add11.json", fixtures_root());
    if (access(path, R_OK) != 0) {
        print_message("fixture %s not found; skipping (set PAREVM_FIXTURES)\n", path);
        skip();
    }
    struct statetest_file f;
    char err[512];
    int rc = statetest_load_file(path, &f, err, sizeof err);
    if (rc)
        fail_msg("%s", err);
    assert_string_equal(f.path, path);
    assert_int_equal(f.count, 1);
    const struct statetest *t = &f.tests[0];
    assert_string_equal(t->name, "add11");

    /* env */
    address cb = addr_hex("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");
    assert_true(address_eq(&t->coinbase, &cb));
    assert_u256_hex(&t->difficulty, "0x20000");
    assert_int_equal(t->gas_limit, 0xff112233445566ull);
    assert_int_equal(t->number, 1);
    assert_int_equal(t->timestamp, 1000);
    assert_true(t->has_base_fee);
    assert_u256_hex(&t->base_fee, "0xa");
    assert_true(t->has_random);
    hash32 rnd = hash_hex("0x0000000000000000000000000000000000000000000000000000000000020000");
    assert_true(hash32_eq(&t->random, &rnd));
    assert_true(t->has_excess_blob_gas);
    assert_int_equal(t->excess_blob_gas, 0);
    assert_false(t->has_previous_hash);

    /* pre */
    assert_int_equal(t->pre.accounts.count, 3);
    address contract = addr_hex("0x095e7baea6a6c7c4c2dfeb977efac326af552d87");
    const struct world_account *acct = world_get(&t->pre, &contract);
    assert_non_null(acct);
    assert_u256_hex(&acct->balance, "0xde0b6b3a7640000");
    assert_int_equal(acct->nonce, 0);
    static const uint8_t code[] = {0x60, 0x01, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    assert_int_equal(acct->code->len, sizeof code);
    assert_memory_equal(acct->code->bytes, code, sizeof code);
    assert_int_equal(acct->storage.count, 0);
    const struct world_account *coinbase = world_get(&t->pre, &cb);
    assert_non_null(coinbase);
    assert_int_equal(coinbase->nonce, 1);
    assert_ptr_equal(coinbase->code, code_empty());

    /* transaction template */
    assert_int_equal(t->nonce, 0);
    assert_true(t->has_gas_price);
    assert_false(t->has_max_fees);
    assert_false(t->has_blob_fields);
    assert_u256_hex(&t->gas_price, "0xa");
    assert_true(t->has_to);
    assert_true(address_eq(&t->to, &contract));
    address sender = addr_hex("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b");
    assert_true(address_eq(&t->sender, &sender));
    assert_true(t->has_secret_key);
    assert_int_equal(t->data_count, 1);
    assert_int_equal(t->data[0].len, 0);
    assert_int_equal(t->gas_count, 1);
    assert_int_equal(t->gas_limits[0], 0x061a80);
    assert_int_equal(t->value_count, 1);
    assert_u256_hex(&t->values[0].value, "0x186a0");
    assert_null(t->access_lists);

    /* post: Berlin, Cancun, London, Paris, Shanghai, one entry each */
    assert_int_equal(t->post_count, 5);
    int cancun = -1;
    for (size_t i = 0; i < t->post_count; i++) {
        assert_int_equal(t->posts[i].data_index, 0);
        assert_null(t->posts[i].expect_exception);
        if (t->posts[i].fork == FORK_CANCUN)
            cancun = (int)i;
    }
    assert_int_equal(t->posts[0].fork, FORK_BERLIN);
    hash32 berlin = hash_hex("0xcd39e0cdd18f8f811911222ae6779341663d0293e1a3d9501da7ac2f4da9b277");
    assert_true(hash32_eq(&t->posts[0].hash, &berlin));
    assert_true(cancun >= 0);
    const struct statetest_post *p = &t->posts[cancun];
    hash32 want = hash_hex("0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530");
    assert_true(hash32_eq(&p->hash, &want));
    hash32 logs = hash_hex("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    assert_true(hash32_eq(&p->logs, &logs));

    struct block_env env;
    statetest_block_env(t, p->fork, &env);
    assert_int_equal(env.fork, FORK_CANCUN);
    assert_int_equal(env.chain_id, 1);
    assert_true(address_eq(&env.coinbase, &cb));
    assert_int_equal(env.gas_limit, 0xff112233445566ull);
    assert_true(hash32_eq(&env.prev_randao, &rnd));
    assert_u256_hex(&env.base_fee, "0xa");
    assert_u256_hex(&env.blob_base_fee, "0x1");

    struct tx tx;
    assert_int_equal(statetest_build_tx(t, p, &tx), PAREVM_OK);
    assert_int_equal(tx.type, 0);
    assert_false(tx.has_chain_id);
    assert_int_equal(tx.gas_limit, 400000);
    assert_u256_hex(&tx.gas_price, "0xa");
    assert_u256_hex(&tx.max_fee_per_gas, "0xa");
    assert_u256_hex(&tx.max_priority_fee_per_gas, "0xa");
    assert_u256_hex(&tx.value, "0x186a0");
    assert_true(tx.has_to);
    assert_true(tx.has_sender);
    assert_true(address_eq(&tx.sender, &sender));
    assert_int_equal(tx.data_len, 0);
    tx_free(&tx);
    statetest_file_free(&f);
}

/* ---- synthetic tests: types and number formats ---- */

/* A valid test with placeholders filled by the caller: %s env extra,
 * %s transaction extra (fee fields, access lists, blobs). */
static const char *const template_head =
    "{\"t\": {\n"
    " \"env\": {\"currentCoinbase\": \"0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba\",\n"
    "   \"currentDifficulty\": \"131072\", \"currentGasLimit\": \"0x1312D00\",\n"
    "   \"currentNumber\": \"0x1\", \"currentTimestamp\": \"0x03e8\"%s},\n"
    " \"pre\": {\"0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B\": {\"balance\": \"0x0de0b6b3a7640000\",\n"
    "   \"code\": \"0x\", \"nonce\": \"0x\", \"storage\": {\"0x01\": \"0x02\", \"0x0003\": \"0x00\"}}},\n"
    " \"transaction\": {\"data\": [\"0x\", \"0x0102\"], \"gasLimit\": [\"0x5208\", \"100000\"],\n"
    "   \"value\": [\"0x00\", \"0x:bigint "
    "0x10000000000000000000000000000000000000000000000000000000000000001\"],\n"
    "   \"nonce\": \"0x0000000000000000000000000000000000000000000000000000000000000000007\",\n"
    "   \"to\": \"%s\", \"sender\": \"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b\",\n"
    "   \"secretKey\": \"0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8\"%s},\n"
    " \"post\": {\"Cancun\": [\n"
    "   {\"hash\": \"0x0000000000000000000000000000000000000000000000000000000000000001\",\n"
    "    \"logs\": \"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\",\n"
    "    \"indexes\": {\"data\": 0, \"gas\": 0, \"value\": 0}, \"txbytes\": null},\n"
    "   {\"hash\": \"0x0000000000000000000000000000000000000000000000000000000000000002\",\n"
    "    \"logs\": \"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\",\n"
    "    \"indexes\": {\"data\": 1, \"gas\": 1, \"value\": 1}, \"expectException\": "
    "\"TR_RLP_WRONGVALUE\"}],\n"
    "  \"Frontier\": [\n"
    "   {\"hash\": \"0x0000000000000000000000000000000000000000000000000000000000000003\",\n"
    "    \"logs\": \"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\",\n"
    "    \"indexes\": {\"data\": 1, \"gas\": 0, \"value\": 0}}]}\n"
    "}}\n";

static char *make_test_json(const char *env_extra, const char *to, const char *tx_extra)
{
    size_t cap = strlen(template_head) + strlen(env_extra) + strlen(to) + strlen(tx_extra) + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    snprintf(s, cap, template_head, env_extra, to, tx_extra);
    return s;
}

static void parse_ok(const char *json, struct statetest_file *f)
{
    char err[512];
    int rc = statetest_parse("synthetic.json", json, strlen(json), f, err, sizeof err);
    if (rc)
        fail_msg("unexpected error: %s", err);
}

static void test_legacy_formats(void **state)
{
    (void)state;
    char *json = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87", ", \"gasPrice\": \"0x1\"");
    struct statetest_file f;
    parse_ok(json, &f);
    const struct statetest *t = &f.tests[0];
    /* decimal, odd-length hex, "0x" alone, leading zeros past 64 digits */
    assert_u256_hex(&t->difficulty, "0x20000");
    assert_int_equal(t->gas_limit, 0x1312D00);
    assert_int_equal(t->number, 1);
    assert_int_equal(t->nonce, 7);
    assert_int_equal(t->gas_limits[1], 100000);
    assert_false(t->has_base_fee);
    assert_false(t->has_random);
    /* pre: upper-case address, zero slot dropped */
    address sender = addr_hex("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b");
    const struct world_account *a = world_get(&t->pre, &sender);
    assert_non_null(a);
    assert_int_equal(a->nonce, 0);
    assert_int_equal(a->storage.count, 1);
    u256 k = u256_from_u64(1);
    u256 v = world_get_storage(a, &k);
    assert_u256_hex(&v, "0x2");
    /* the oversized value is kept, flagged */
    assert_false(t->values[0].out_of_range);
    assert_true(t->values[1].out_of_range);
    assert_int_equal(t->post_count, 3);
    assert_string_equal(t->posts[1].expect_exception, "TR_RLP_WRONGVALUE");
    assert_int_equal(t->posts[2].fork, FORK_FRONTIER);

    struct tx tx;
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 0);
    assert_int_equal(tx.nonce, 7);
    assert_int_equal(tx.gas_limit, 0x5208);
    tx_free(&tx);
    /* value past 256 bits: the transaction cannot be built */
    assert_int_equal(statetest_build_tx(t, &t->posts[1], &tx), PAREVM_ERR_RANGE);
    tx_free(&tx);
    assert_int_equal(statetest_build_tx(t, &t->posts[2], &tx), PAREVM_OK);
    assert_int_equal(tx.data_len, 2);
    assert_int_equal(tx.data[0], 1);
    assert_int_equal(tx.data[1], 2);
    tx_free(&tx);

    struct block_env env;
    statetest_block_env(t, FORK_FRONTIER, &env);
    assert_true(u256_is_zero(&env.base_fee));
    assert_true(hash32_is_zero(&env.prev_randao));
    statetest_block_env(t, FORK_LONDON, &env); /* no currentBaseFee: 10 */
    assert_u256_hex(&env.base_fee, "0xa");
    statetest_file_free(&f);
    free(json);
}

static void test_access_list_and_create(void **state)
{
    (void)state;
    /* accessLists: a list for data 0, null for data 1 (legacy there). */
    char *json =
        make_test_json("", "",
                       ", \"gasPrice\": \"0x0a\", \"accessLists\": [[{\"address\": "
                       "\"0x095e7baea6a6c7c4c2dfeb977efac326af552d87\", \"storageKeys\": "
                       "[\"0x0000000000000000000000000000000000000000000000000000000000000001\", "
                       "\"0x0000000000000000000000000000000000000000000000000000000000000002\"]}], null]");
    struct statetest_file f;
    parse_ok(json, &f);
    const struct statetest *t = &f.tests[0];
    assert_false(t->has_to);
    assert_int_equal(t->access_list_count, 2);
    assert_true(t->access_lists[0].present);
    assert_false(t->access_lists[1].present);

    struct tx tx;
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 1);
    assert_true(tx.has_chain_id);
    assert_int_equal(tx.chain_id, 1);
    assert_false(tx.has_to);
    assert_int_equal(tx.access_list_len, 1);
    assert_int_equal(tx.access_list[0].key_count, 2);
    assert_int_equal(tx.access_list[0].keys[1].bytes[31], 2);
    tx_free(&tx);
    assert_int_equal(statetest_build_tx(t, &t->posts[2], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 0); /* data 1 has a null access list */
    tx_free(&tx);
    statetest_file_free(&f);
    free(json);
}

static void test_1559_and_blob(void **state)
{
    (void)state;
    char *json = make_test_json(
        ", \"currentBaseFee\": \"0x07\", \"currentExcessBlobGas\": \"0x1fd4ee8\", \"currentRandom\": "
        "\"0x0000000000000000000000000000000000000000000000000000000000020000\"",
        "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
        ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\"");
    struct statetest_file f;
    parse_ok(json, &f);
    const struct statetest *t = &f.tests[0];
    struct tx tx;
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 2);
    assert_u256_hex(&tx.max_fee_per_gas, "0x64");
    assert_u256_hex(&tx.gas_price, "0x64");
    assert_u256_hex(&tx.max_priority_fee_per_gas, "0x2");
    tx_free(&tx);
    struct block_env env;
    statetest_block_env(t, FORK_CANCUN, &env);
    assert_u256_hex(&env.base_fee, "0x7");
    statetest_block_env(t, FORK_BERLIN, &env); /* before EIP-1559 */
    assert_true(u256_is_zero(&env.base_fee));
    assert_int_equal(env.excess_blob_gas, 33378024);
    assert_u256_hex(&env.blob_base_fee, "0x55de"); /* fake_exponential(1, 33378024, 3338477) */
    statetest_file_free(&f);
    free(json);

    json = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
                          ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\", "
                          "\"maxFeePerBlobGas\": \"0x0a\", \"blobVersionedHashes\": "
                          "[\"0x0100000000000000000000000000000000000000000000000000000000000000\"]");
    parse_ok(json, &f);
    t = &f.tests[0];
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 3);
    assert_int_equal(tx.blob_hash_count, 1);
    assert_int_equal(tx.blob_hashes[0].bytes[0], 1);
    assert_u256_hex(&tx.max_fee_per_blob_gas, "0xa");
    tx_free(&tx);
    statetest_file_free(&f);
    free(json);

    /* An empty blob list is still a type-3 transaction (it must be
     * rejected for having no blobs, not run as type 2). */
    json = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
                          ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\", "
                          "\"maxFeePerBlobGas\": \"0x0a\", \"blobVersionedHashes\": []");
    parse_ok(json, &f);
    t = &f.tests[0];
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 3);
    assert_int_equal(tx.blob_hash_count, 0);
    tx_free(&tx);
    statetest_file_free(&f);
    free(json);
}

/* EIP-7702 authorizationList: present makes the transaction type 4
 * (even empty, which validation then rejects); v stands in for yParity;
 * a nonce past 64 bits cannot be encoded (PAREVM_ERR_RANGE at build);
 * a missing field is named in the error. */
static void test_set_code_authorizations(void **state)
{
    (void)state;
    char *json = make_test_json(
        "", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
        ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\", \"authorizationList\": ["
        "{\"chainId\": \"0x00\", \"address\": \"0x3d8e2d77bca8c0ed68f6d4860444bad2cc2cd661\", \"nonce\": "
        "\"0x07\","
        " \"v\": \"0x01\", \"yParity\": \"0x01\", \"r\": \"0x11\", \"s\": \"0x22\","
        " \"signer\": \"0x89873a93c67fc34d662483a081ebaabe443ea62f\"},"
        "{\"chainId\": \"0x01\", \"address\": \"0x0000000000000000000000000000000000000000\", \"nonce\": "
        "\"0x00\","
        " \"v\": \"0x00\", \"r\": \"0x33\", \"s\": \"0x44\"}]");
    struct statetest_file f;
    parse_ok(json, &f);
    const struct statetest *t = &f.tests[0];
    struct tx tx;
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 4);
    assert_int_equal(tx.authorization_count, 2);
    assert_true(u256_is_zero(&tx.authorizations[0].chain_id));
    assert_int_equal(tx.authorizations[0].addr.bytes[0], 0x3d);
    assert_int_equal(tx.authorizations[0].nonce, 7);
    assert_int_equal(tx.authorizations[0].y_parity, 1);
    assert_u256_hex(&tx.authorizations[0].r, "0x11");
    assert_u256_hex(&tx.authorizations[0].s, "0x22");
    assert_u256_hex(&tx.authorizations[1].chain_id, "0x1");
    assert_int_equal(tx.authorizations[1].y_parity, 0);
    assert_u256_hex(&tx.authorizations[1].s, "0x44");
    tx_free(&tx);
    statetest_file_free(&f);
    free(json);

    json = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
                          ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\", "
                          "\"authorizationList\": []");
    parse_ok(json, &f);
    t = &f.tests[0];
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_OK);
    assert_int_equal(tx.type, 4);
    assert_int_equal(tx.authorization_count, 0);
    tx_free(&tx);
    statetest_file_free(&f);
    free(json);

    json = make_test_json(
        "", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
        ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\", \"authorizationList\": ["
        "{\"chainId\": \"0x00\", \"address\": \"0x3d8e2d77bca8c0ed68f6d4860444bad2cc2cd661\","
        " \"nonce\": \"0x010000000000000000\", \"yParity\": \"0x01\", \"r\": \"0x11\", \"s\": \"0x22\"}]");
    parse_ok(json, &f);
    t = &f.tests[0];
    assert_int_equal(statetest_build_tx(t, &t->posts[0], &tx), PAREVM_ERR_RANGE);
    statetest_file_free(&f);
    free(json);

    json = make_test_json(
        "", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
        ", \"maxFeePerGas\": \"0x64\", \"maxPriorityFeePerGas\": \"0x02\", \"authorizationList\": ["
        "{\"chainId\": \"0x00\", \"address\": \"0x3d8e2d77bca8c0ed68f6d4860444bad2cc2cd661\","
        " \"nonce\": \"0x00\", \"yParity\": \"0x01\", \"s\": \"0x22\"}]");
    char err[512];
    assert_int_not_equal(statetest_parse("synthetic.json", json, strlen(json), &f, err, sizeof err),
                         PAREVM_OK);
    assert_non_null(strstr(err, "authorizationList[0].r"));
    free(json);
}

static void test_multiple_tests(void **state)
{
    (void)state;
    char *one = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87", ", \"gasPrice\": \"0x1\"");
    /* Two copies of the body under different names. */
    const char *body = strchr(one, ':') + 1;
    size_t body_len = strlen(body) - 2; /* drop the outer object's closing "}\n" */
    size_t cap = 2 * body_len + 64;
    char *two = malloc(cap);
    assert_non_null(two);
    snprintf(two, cap, "{\"first\":%.*s,\n\"second\":%.*s}", (int)body_len, body, (int)body_len, body);
    struct statetest_file f;
    parse_ok(two, &f);
    assert_int_equal(f.count, 2);
    assert_string_equal(f.tests[0].name, "first");
    assert_string_equal(f.tests[1].name, "second");
    statetest_file_free(&f);
    free(two);
    free(one);
}

/* ---- malformed inputs ---- */

/* Load text from a real file and expect failure code with a message that
 * contains every needle. */
static void expect_file_error(const char *name, const char *text, int code, const char *needle1,
                              const char *needle2)
{
    const char *path = write_tmp(name, text, strlen(text));
    struct statetest_file f;
    char err[512];
    memset(&f, 0x5a, sizeof f); /* the loader must reset it */
    int rc = statetest_load_file(path, &f, err, sizeof err);
    if (rc != code)
        fail_msg("%s: want code %d, got %d (%s)", name, code, rc, rc ? err : "ok");
    if (strncmp(err, path, strlen(path)) != 0)
        fail_msg("%s: message does not start with the file: %s", name, err);
    if (needle1 && !strstr(err, needle1))
        fail_msg("%s: message lacks '%s': %s", name, needle1, err);
    if (needle2 && !strstr(err, needle2))
        fail_msg("%s: message lacks '%s': %s", name, needle2, err);
    assert_int_equal(f.count, 0);
    assert_null(f.tests);
    assert_null(f.path);
    statetest_file_free(&f); /* harmless on an empty result */
    unlink(path);
}

/* Replace the first occurrence of `from` in the template-based JSON. */
static char *mutate(const char *from, const char *to)
{
    char *json = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87", ", \"gasPrice\": \"0x1\"");
    char *at = strstr(json, from);
    assert_non_null(at);
    size_t cap = strlen(json) + strlen(to) + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    snprintf(out, cap, "%.*s%s%s", (int)(at - json), json, to, at + strlen(from));
    free(json);
    return out;
}

static void expect_mutation_error(const char *name, const char *from, const char *to, int code,
                                  const char *needle1, const char *needle2)
{
    char *json = mutate(from, to);
    expect_file_error(name, json, code, needle1, needle2);
    free(json);
}

static void test_malformed_json(void **state)
{
    (void)state;
    char *json = make_test_json("", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87", ", \"gasPrice\": \"0x1\"");
    /* truncated in the middle of the file */
    json[strlen(json) / 2] = '\0';
    expect_file_error("truncated.json", json, PAREVM_ERR_JSON, "invalid JSON", "line");
    free(json);
    expect_file_error("notjson.json", "this is not JSON at all\n", PAREVM_ERR_JSON, "invalid JSON", NULL);
    expect_file_error("empty.json", "", PAREVM_ERR_JSON, "invalid JSON", NULL);
    expect_file_error("array.json", "[1, 2, 3]", PAREVM_ERR_JSON, "not an object", NULL);
    expect_file_error("trailing.json", "{} {}", PAREVM_ERR_JSON, "trailing", NULL);
    expect_file_error("test_not_object.json", "{\"x\": 5}", PAREVM_ERR_JSON, "x: ", "not an object");

    struct statetest_file f;
    char err[512];
    assert_int_equal(statetest_load_file("/nonexistent/parevm/none.json", &f, err, sizeof err),
                     PAREVM_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/parevm/none.json"));
    assert_non_null(strstr(err, "cannot open"));
}

/* cJSON returns NULL for bad syntax and for a refused allocation alike;
 * io_parse_json tells them apart by re-reading the text (tests/test_fault.c
 * checks the NOMEM side). Text that is valid JSON but that cJSON refuses
 * must still be "malformed", never "out of memory". */
static void test_json_refused_not_nomem(void **state)
{
    (void)state;
    static char deep[2 * 1001 + 1];
    for (int i = 0; i < 1001; i++) {
        deep[i] = '[';
        deep[1001 + i] = ']';
    }
    char number[80] = "["; /* upstream cJSON 1.7.15 reads up to 63 characters of a number */
    memset(number + 1, '1', 63);
    const char *cases[] = {
        deep,
        "[\"\\udc00\"]",        /* a lone low surrogate */
        "[\"\\ud800x\"]",       /* a high one not followed by \u */
        "[\"\\ud800\\u0041\"]", /* nor by a low one */
        "[1,]",
        "{\"a\" 1}",
        "",
        "   ",
        "[\"\\x\"]",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *root = NULL;
        char msg[256];
        int rc = io_parse_json(cases[i], strlen(cases[i]), &root, msg, sizeof msg);
        if (rc != PAREVM_ERR_JSON)
            print_error("case %zu: got %d (%s)\n", i, rc, msg);
        assert_int_equal(rc, PAREVM_ERR_JSON);
        assert_null(root);
    }
    /* 1000 levels and a 63-character number are fine (longer ones, which
     * the check calls malformed, depend on the cJSON build: only ever
     * misnamed under memory exhaustion) */
    deep[1000] = ' ';
    deep[1001] = ' ';
    cJSON *root = NULL;
    char msg[256];
    assert_int_equal(io_parse_json(deep, strlen(deep), &root, msg, sizeof msg), PAREVM_OK);
    cJSON_Delete(root);
    snprintf(number + 64, sizeof number - 64, "]");
    assert_int_equal(io_parse_json(number, strlen(number), &root, msg, sizeof msg), PAREVM_OK);
    cJSON_Delete(root);
}

/* The shared strict parser (src/io/file.c io_parse_json) refuses what
 * cJSON alone would load wrongly: data after the value, \u0000 cutting a
 * string short, and a key given twice (cJSON finds the first, geth uses
 * the last). Every message names the file and the byte or field. */
static void test_strict_json(void **state)
{
    (void)state;
    char needle[96];
    /* Trailing data: garbage, a second document; the byte is the first
     * one after the value and its whitespace. */
    char *json = mutate("}}\n", "}}\n garbage");
    snprintf(needle, sizeof needle, "trailing data after the JSON value at byte %zu",
             strlen(json) - strlen("garbage"));
    expect_file_error("trailing_garbage.json", json, PAREVM_ERR_JSON, needle, "line 24, column 2");
    free(json);
    json = mutate("}}\n", "}}\n{\"u\": {}}");
    expect_file_error("second_document.json", json, PAREVM_ERR_JSON, "trailing data after the JSON value",
                      NULL);
    free(json);
    /* a NUL byte is not the end of the text: len is */
    const char nul_text[] = "{}\0{}";
    const char *path = write_tmp("nul_byte.json", nul_text, sizeof nul_text - 1);
    struct statetest_file f;
    char err[512];
    assert_int_equal(statetest_load_file(path, &f, err, sizeof err), PAREVM_ERR_JSON);
    assert_non_null(strstr(err, "trailing data after the JSON value at byte 2"));
    unlink(path);
    /* whitespace after the value is fine */
    json = mutate("}}\n", "}}\n \r\n\t\n");
    parse_ok(json, &f);
    assert_int_equal(f.count, 1);
    statetest_file_free(&f);
    free(json);

    /* \u0000 in a value, an array element and a key, each named. */
    expect_mutation_error("nul_value.json", "\"0x095e7baea6", "\"0x095e\\u00007baea6", PAREVM_ERR_JSON,
                          "t.transaction.to: \\u0000 in a string at line 10, column 17", NULL);
    expect_mutation_error("nul_element.json", "\"0x0102\"", "\"0x01\\u000002\"", PAREVM_ERR_JSON,
                          "t.transaction.data[1]: \\u0000", NULL);
    expect_mutation_error("nul_key.json", "\"balance\"", "\"bal\\u0000ance\"", PAREVM_ERR_JSON,
                          "t.pre.0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B.bal: \\u0000", NULL);
    /* an escaped backslash before u0000 is text, not a NUL */
    json = mutate("{\"t\":", "{\"t\\\\u0000\":");
    parse_ok(json, &f);
    assert_string_equal(f.tests[0].name, "t\\u0000");
    statetest_file_free(&f);
    free(json);

    /* Duplicate keys: a field, a test name, an account given in two
     * cases, a storage slot with and without leading zeros. */
    expect_mutation_error("dup_field.json", "\"sender\":", "\"nonce\": \"0x1\", \"sender\":", PAREVM_ERR_JSON,
                          "t.transaction: duplicate key \"nonce\"", NULL);
    json = mutate("}}\n", "}, \"t\": {}}\n");
    expect_file_error("dup_test.json", json, PAREVM_ERR_JSON, ": duplicate key \"t\"", NULL);
    free(json);
    expect_mutation_error(
        "dup_account.json", "\"pre\": {",
        "\"pre\": {\"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b\": {\"balance\": \"0x1\"}, ", PAREVM_ERR_JSON,
        "t.pre: duplicate key \"0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B\"", NULL);
    expect_mutation_error("dup_slot.json", "\"0x0003\": \"0x00\"", "\"0x0003\": \"0x00\", \"0x1\": \"0x05\"",
                          PAREVM_ERR_JSON, "storage: duplicate key \"0x1\"", NULL);
    /* similar keys that are not the same: accepted */
    json = mutate("\"0x0003\": \"0x00\"", "\"0x0003\": \"0x00\", \"0x10\": \"0x05\", \"0x100\": \"0x06\"");
    parse_ok(json, &f);
    statetest_file_free(&f);
    free(json);

    /* A big object (the sorted path, more than 16 members): 40 storage
     * slots, the last repeating the 17th in upper case. */
    char slots[4096];
    size_t pos = (size_t)snprintf(slots, sizeof slots, "\"0x0003\": \"0x00\"");
    for (int i = 0; i < 40; i++)
        pos += (size_t)snprintf(slots + pos, sizeof slots - pos, ", \"0x%x\": \"0x01\"", 0xa0 + i);
    snprintf(slots + pos, sizeof slots - pos, ", \"0X%X\": \"0x02\"", 0xa0 + 16);
    expect_mutation_error("dup_big.json", "\"0x0003\": \"0x00\"", slots, PAREVM_ERR_JSON,
                          "t.pre.0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B.storage: duplicate key \"0XB0\"",
                          NULL);
    slots[pos] = '\0'; /* without the repeat: loads */
    json = mutate("\"0x0003\": \"0x00\"", slots);
    parse_ok(json, &f);
    assert_int_equal(f.count, 1);
    statetest_file_free(&f);
    free(json);
}

static void test_malformed_fields(void **state)
{
    (void)state;
    expect_mutation_error("badhex_gas.json", "\"0x5208\"", "\"0x52z8\"", PAREVM_ERR_HEX,
                          "t: transaction.gasLimit[0]: bad hex", NULL);
    expect_mutation_error("bad_decimal.json", "\"100000\"", "\"10x000\"", PAREVM_ERR_JSON,
                          "transaction.gasLimit[1]", "bad decimal");
    expect_mutation_error("gas_range.json", "\"0x5208\"", "\"0x10000000000000000\"", PAREVM_ERR_RANGE,
                          "transaction.gasLimit[0]", "64 bits");
    expect_mutation_error("missing_coinbase.json", "\"currentCoinbase\"", "\"currentCoinBase\"",
                          PAREVM_ERR_JSON, "t: env.currentCoinbase", "missing field");
    expect_mutation_error("missing_env.json", "\"env\"", "\"environment\"", PAREVM_ERR_JSON, "t: env",
                          "missing field");
    expect_mutation_error("short_address.json", "\"0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba\"",
                          "\"0x2adc\"", PAREVM_ERR_HEX, "env.currentCoinbase", "20 bytes");
    expect_mutation_error("bad_pre_key.json", "\"0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B\"",
                          "\"0xnothex\"", PAREVM_ERR_HEX, "pre.0xnothex", NULL);
    expect_mutation_error("bad_code.json", "\"code\": \"0x\"", "\"code\": \"0x6\"", PAREVM_ERR_HEX,
                          "pre.0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B.code", "bad hex");
    expect_mutation_error("bad_slot.json", "\"0x01\": \"0x02\"", "\"0x01\": \"0xg2\"", PAREVM_ERR_HEX,
                          ".storage.0x01", "bad hex");
    expect_mutation_error("data_type.json", "\"data\": [\"0x\", \"0x0102\"]", "\"data\": [\"0x\", 5]",
                          PAREVM_ERR_JSON, "transaction.data[1]", "expected a string");
    expect_mutation_error("data_not_array.json", "\"data\": [\"0x\", \"0x0102\"]", "\"data\": \"0x\"",
                          PAREVM_ERR_JSON, "transaction.data", "expected an array");
    expect_mutation_error("no_sender.json", "\"sender\"", "\"snder\"", PAREVM_ERR_JSON, "transaction.sender",
                          "missing field");
    expect_mutation_error("no_fee.json", "\"gasPrice\"", "\"gasPrize\"", PAREVM_ERR_JSON,
                          "transaction.gasPrice", NULL);
    expect_mutation_error("index_range.json", "{\"data\": 1, \"gas\": 0, \"value\": 0}",
                          "{\"data\": 2, \"gas\": 0, \"value\": 0}", PAREVM_ERR_RANGE,
                          "post.Frontier[0].indexes.data", "out of range");
    expect_mutation_error("unknown_fork.json", "\"Frontier\"", "\"Atlantis\"", PAREVM_ERR_UNSUPPORTED,
                          "post.Atlantis", "unknown fork");
    expect_mutation_error("bad_post_hash.json",
                          "0x0000000000000000000000000000000000000000000000000000000000000002", "0x02",
                          PAREVM_ERR_HEX, "post.Cancun[1].hash", "32 bytes");
    expect_mutation_error("value_range.json", "\"0x00\", \"0x:bigint", "\"0x1\" \"0x:bigint", PAREVM_ERR_JSON,
                          "invalid JSON", NULL);
    expect_mutation_error("balance_range.json", "\"0x0de0b6b3a7640000\"",
                          "\"0x10000000000000000000000000000000000000000000000000000000000000000\"",
                          PAREVM_ERR_RANGE, "balance", "256 bits");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_add11),
        cmocka_unit_test(test_legacy_formats),
        cmocka_unit_test(test_access_list_and_create),
        cmocka_unit_test(test_1559_and_blob),
        cmocka_unit_test(test_set_code_authorizations),
        cmocka_unit_test(test_multiple_tests),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_strict_json),
        cmocka_unit_test(test_json_refused_not_nomem),
        cmocka_unit_test(test_malformed_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
