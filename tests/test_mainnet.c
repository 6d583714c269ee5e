/* Tests for io/mainnet and exec/sequential on the mainnet snapshots in
 * ../shared/fixtures/mainnet (or $PAREVM_FIXTURES/mainnet): every block
 * must reproduce its header's gasUsed and logsBloom, and from Byzantium
 * its receiptsRoot. Corrupted copies written under /tmp (a truncated
 * block.json, a bad signature, a wrong chain id, a BLOCKHASH whose hash is
 * missing) must fail with a message naming the file and field, never
 * crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/exec/exec.h"
#include "../src/io/mainnet.h"
#include "fixture_dir.h"

static char fixtures[4096];

static bool fixtures_found(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(fixtures, sizeof fixtures, "%s/mainnet", env && *env ? env : "../shared/fixtures");
    struct stat st;
    return stat(fixtures, &st) == 0 && S_ISDIR(st.st_mode);
}

#define REQUIRE_FIXTURES()                                                                                   \
    do {                                                                                                     \
        if (!fixtures_found()) {                                                                             \
            print_message("skipped: fixtures not found\n");                                                  \
            skip();                                                                                          \
        }                                                                                                    \
    } while (0)

static void mainnet_config(struct chain_config *c)
{
    chain_config_mainnet(c);
    c->skip_intermediate_roots = true; /* partial states */
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the numbered block folders. */
static char **list_blocks(size_t *n)
{
    DIR *d = opendir(fixtures);
    assert_non_null(d);
    size_t cap = 64, k = 0;
    char **names = malloc(cap * sizeof *names);
    assert_non_null(names);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (k == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[k++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, k, sizeof *names, cmp_str);
    *n = k;
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Execute one loaded fixture and compare with its header; on a mismatch
 * fail with the folder's name. */
static void check_block(const char *dir, struct mainnet_fixture *fx, const struct chain_config *c)
{
    struct world copy;
    assert_int_equal(world_clone(&fx->pre, &copy), PAREVM_OK);
    struct block_result r;
    int rc = exec_block_sequential(c, &fx->block, &fx->pre, &fx->hashes, &r);
    if (rc)
        fail_msg("%s: %s: %s", dir, parevm_strerror(rc), r.invalid_message);
    if (r.invalid)
        fail_msg("%s: block invalid: %s", dir, r.invalid_message);
    struct bytebuf why = {0};
    assert_int_equal(mainnet_check_header(fx, &r, &why), PAREVM_OK);
    if (why.len)
        fail_msg("%s: %.*s", dir, (int)why.len, (const char *)why.data);
    bytebuf_free(&why);
    assert_int_equal(r.receipt_count, fx->block.tx_count);

    /* Deterministic: a second run on a copy of the pre-state is identical,
     * receipts and post-state alike. */
    struct block_result r2;
    assert_int_equal(exec_block_sequential(c, &fx->block, &copy, &fx->hashes, &r2), PAREVM_OK);
    assert_true(block_result_equal(&r, &r2));
    hash32 a, b;
    assert_int_equal(world_state_root(&fx->pre, &a), PAREVM_OK);
    assert_int_equal(world_state_root(&copy, &b), PAREVM_OK);
    assert_true(hash32_eq(&a, &b));
    block_result_free(&r);
    block_result_free(&r2);
    world_free(&copy);
}

static void test_all_blocks(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    struct chain_config c;
    mainnet_config(&c);
    size_t n;
    char **names = list_blocks(&n);
    assert_true(n > 0);
    size_t byzantium = 0;
    for (size_t i = 0; i < n; i++) {
        char dir[4400], err[512];
        snprintf(dir, sizeof dir, "%s/%s", fixtures, names[i]);
        struct mainnet_fixture fx;
        int rc = mainnet_load(dir, &c, &fx, err, sizeof err);
        if (rc)
            fail_msg("%s", err);
        byzantium += fx.fork >= FORK_BYZANTIUM;
        check_block(names[i], &fx, &c);
        mainnet_fixture_free(&fx);
    }
    print_message("%zu mainnet blocks passed (%zu with receiptsRoot checked)\n", n, byzantium);
    free_list(names, n);
}

/* ---- corrupted copies ---- */

static char tmpdir[64];

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Copy fixture `number` into a fresh folder under /tmp. */
static void copy_fixture(const char *number)
{
    make_tmpdir(tmpdir, "mainnet");
    for (int i = 0; i < 3; i++) {
        char from[4400], to[512];
        snprintf(from, sizeof from, "%s/%s/%s", fixtures, number, fixture_files[i]);
        snprintf(to, sizeof to, "%s/%s", tmpdir, fixture_files[i]);
        size_t len;
        char *data = read_all(from, &len);
        assert_non_null(data);
        write_file(to, data, len);
        free(data);
    }
}

static void remove_copy(void)
{
    remove_fixture(tmpdir);
}

/* Rewrite tmpdir/block.json after edit(root). */
static void edit_block(void (*edit)(cJSON *root))
{
    char path[512];
    snprintf(path, sizeof path, "%s/block.json", tmpdir);
    size_t len;
    char *text = read_all(path, &len);
    assert_non_null(text);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(root);
    edit(root);
    char *out = cJSON_PrintUnformatted(root);
    assert_non_null(out);
    write_file(path, out, strlen(out));
    free(out);
    cJSON_Delete(root);
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
    assert_non_null(cJSON_GetObjectItemCaseSensitive(obj, key));
    assert_true(cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(value)));
}

static cJSON *tx_at(cJSON *root, int i)
{
    cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "transactions"), i);
    assert_non_null(t);
    return t;
}

/* Load tmpdir; expect failure with code `want` and a message holding
 * every string in `needles`. */
static void expect_load_error(int want, const char *const *needles)
{
    struct chain_config c;
    mainnet_config(&c);
    struct mainnet_fixture fx;
    char err[512];
    int rc = mainnet_load(tmpdir, &c, &fx, err, sizeof err);
    if (rc != want)
        fail_msg("got %s (%s), want %s", parevm_strerror(rc), rc ? err : "", parevm_strerror(want));
    for (; *needles; needles++)
        if (!strstr(err, *needles))
            fail_msg("message \"%s\" lacks \"%s\"", err, *needles);
    print_message("  %s\n", err);
    assert_null(fx.dir); /* nothing left allocated */
    assert_int_equal(fx.block.tx_count, 0);
}

static void test_truncated_block_json(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    copy_fixture("19426587");
    char path[512];
    snprintf(path, sizeof path, "%s/block.json", tmpdir);
    size_t len;
    char *text = read_all(path, &len);
    assert_non_null(text);
    /* Cut at several places, including inside a string and at 0 bytes. */
    size_t cuts[] = {0, 1, len / 3, len / 2, len - 2};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, text, cuts[i]);
        const char *needles[] = {"block.json", "JSON", "truncated", NULL};
        expect_load_error(PAREVM_ERR_JSON, needles);
    }
    free(text);
    remove_copy();
}

static void edit_bad_r(cJSON *root)
{
    /* r = 1: a valid scalar, but no key signed this. */
    set_string(tx_at(root, 3), "r", "0x1");
}

static void edit_bad_hex(cJSON *root)
{
    set_string(tx_at(root, 3), "r", "0x12zz");
}

static void edit_high_s(cJSON *root)
{
    /* s above n/2 (EIP-2): secp256k1n - 1. */
    set_string(tx_at(root, 0), "s", "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
}

static void edit_chain_id_typed(cJSON *root)
{
    /* A typed transaction's chain id is signed: another id recovers
     * another sender. */
    for (int i = 0;; i++) {
        cJSON *t = tx_at(root, i);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(t, "type");
        if (strcmp(type->valuestring, "0x2") == 0) {
            set_string(t, "chainId", "0x5");
            return;
        }
    }
}

static void edit_chain_id_legacy(cJSON *root)
{
    /* EIP-155 legacy: chainId disagrees with v. */
    for (int i = 0;; i++) {
        cJSON *t = tx_at(root, i);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(t, "type");
        if (strcmp(type->valuestring, "0x0") == 0 && cJSON_GetObjectItemCaseSensitive(t, "chainId")) {
            set_string(t, "chainId", "0x5");
            return;
        }
    }
}

static void edit_from(cJSON *root)
{
    set_string(tx_at(root, 1), "from", "0x00000000000000000000000000000000000000aa");
}

static void edit_missing_field(cJSON *root)
{
    cJSON_DeleteItemFromObjectCaseSensitive(tx_at(root, 2), "gas");
}

/* ---- EIP-7702: a type-4 transaction in RPC form ---- */

static void sign_hash(const hash32 *h, const uint8_t key[32], u256 *r, u256 *s, int *recid)
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_recoverable_signature sig;
    assert_true(secp256k1_ecdsa_sign_recoverable(ctx, &sig, h->bytes, key, NULL, NULL));
    uint8_t rs[64];
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, recid, &sig);
    secp256k1_context_destroy(ctx);
    *r = u256_from_be(rs, 32);
    *s = u256_from_be(rs + 32, 32);
}

static struct tx set_code_tx; /* signed by set_code_build, read by the edits */

static void set_code_build(void)
{
    static uint8_t data[3] = {1, 0, 2};
    static struct authorization auth;
    uint8_t key[32], auth_key[32];
    memset(key, 0x61, 32);
    memset(auth_key, 0x62, 32);
    memset(&auth, 0, sizeof auth);
    auth.chain_id = u256_from_u64(1);
    memset(auth.addr.bytes, 0x44, 20);
    auth.nonce = 5;
    struct bytebuf b = {0};
    assert_int_equal(bytebuf_push(&b, 0x05), PAREVM_OK);
    size_t at = rlp_list_begin(&b);
    assert_int_equal(rlp_encode_u256(&b, &auth.chain_id), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(&b, auth.addr.bytes, 20), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, auth.nonce), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, at), PAREVM_OK);
    hash32 h = keccak256_hash(b.data, b.len);
    bytebuf_free(&b);
    int recid;
    sign_hash(&h, auth_key, &auth.r, &auth.s, &recid);
    auth.y_parity = (uint8_t)recid;

    struct tx *t = &set_code_tx;
    memset(t, 0, sizeof *t);
    t->type = 4;
    t->chain_id = 1;
    t->has_chain_id = true;
    t->nonce = 3;
    t->max_priority_fee_per_gas = u256_from_u64(2);
    t->max_fee_per_gas = u256_from_u64(300000000000ull);
    t->gas_price = t->max_fee_per_gas;
    t->gas_limit = 100000;
    t->has_to = true;
    memset(t->to.bytes, 0x55, 20);
    t->value = u256_from_u64(9);
    t->data = data;
    t->data_len = sizeof data;
    t->authorizations = &auth;
    t->authorization_count = 1;
    assert_int_equal(tx_signing_hash(t, &h), PAREVM_OK);
    sign_hash(&h, key, &t->r, &t->s, &recid);
    t->v = u256_from_u64((uint64_t)recid);
    assert_int_equal(tx_recover_sender(t, FORK_PRAGUE), PAREVM_OK);
}

static void add_hex(cJSON *obj, const char *key, const uint8_t *bytes, size_t len)
{
    char *buf = malloc(2 * len + 3);
    assert_non_null(buf);
    hex_encode(bytes, len, buf);
    cJSON_AddStringToObject(obj, key, buf);
    free(buf);
}

static void add_u256(cJSON *obj, const char *key, const u256 *v)
{
    char buf[80];
    u256_to_hex(v, buf);
    cJSON_AddStringToObject(obj, key, buf);
}

static void add_u64(cJSON *obj, const char *key, uint64_t v)
{
    u256 w = u256_from_u64(v);
    add_u256(obj, key, &w);
}

/* set_code_tx as an RPC object (with its hash and sender, which the loader
 * checks), appended to the block's transactions. */
static cJSON *append_set_code_tx(cJSON *root)
{
    const struct tx *t = &set_code_tx;
    cJSON *o = cJSON_CreateObject();
    add_u64(o, "type", 4);
    add_u64(o, "chainId", t->chain_id);
    add_u64(o, "nonce", t->nonce);
    add_u64(o, "gas", t->gas_limit);
    add_u256(o, "maxFeePerGas", &t->max_fee_per_gas);
    add_u256(o, "maxPriorityFeePerGas", &t->max_priority_fee_per_gas);
    add_hex(o, "to", t->to.bytes, 20);
    add_u256(o, "value", &t->value);
    add_hex(o, "input", t->data, t->data_len);
    cJSON_AddItemToObject(o, "accessList", cJSON_CreateArray());
    cJSON *list = cJSON_CreateArray();
    const struct authorization *a = &t->authorizations[0];
    cJSON *ja = cJSON_CreateObject();
    add_u256(ja, "chainId", &a->chain_id);
    add_hex(ja, "address", a->addr.bytes, 20);
    add_u64(ja, "nonce", a->nonce);
    add_u64(ja, "yParity", a->y_parity);
    add_u256(ja, "r", &a->r);
    add_u256(ja, "s", &a->s);
    cJSON_AddItemToArray(list, ja);
    cJSON_AddItemToObject(o, "authorizationList", list);
    add_u256(o, "v", &t->v);
    add_u256(o, "yParity", &t->v);
    add_u256(o, "r", &t->r);
    add_u256(o, "s", &t->s);
    hash32 h;
    assert_int_equal(tx_hash(t, &h), PAREVM_OK);
    add_hex(o, "hash", h.bytes, 32);
    add_hex(o, "from", t->sender.bytes, 20);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(root, "transactions"), o);
    return o;
}

static void edit_add_set_code(cJSON *root)
{
    append_set_code_tx(root);
}

static void edit_set_code_no_list(cJSON *root)
{
    cJSON_DeleteItemFromObjectCaseSensitive(append_set_code_tx(root), "authorizationList");
}

static void edit_set_code_wrong_nonce(cJSON *root)
{
    /* The authorization's nonce changes: the hash no longer matches. */
    cJSON *list = cJSON_GetObjectItemCaseSensitive(append_set_code_tx(root), "authorizationList");
    set_string(cJSON_GetArrayItem(list, 0), "nonce", "0x6");
}

/* The loader reads type 4 with its authorization list: every field comes
 * back, the hash (which covers the list) and the sender agree; without
 * the list it is refused, and a changed field breaks the hash. */
static void test_set_code_tx(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    set_code_build();
    copy_fixture("19426587");
    edit_block(edit_add_set_code);
    struct chain_config c;
    mainnet_config(&c);
    struct mainnet_fixture fx;
    char err[512];
    int rc = mainnet_load(tmpdir, &c, &fx, err, sizeof err);
    if (rc)
        fail_msg("load: %s", err);
    const struct tx *t = &fx.block.txs[fx.block.tx_count - 1];
    assert_int_equal(t->type, 4);
    assert_int_equal(t->nonce, 3);
    assert_int_equal(t->data_len, 3);
    assert_true(address_eq(&t->sender, &set_code_tx.sender));
    assert_int_equal(t->authorization_count, 1);
    const struct authorization *a = &t->authorizations[0], *want = &set_code_tx.authorizations[0];
    assert_true(u256_eq(&a->chain_id, &want->chain_id));
    assert_true(address_eq(&a->addr, &want->addr));
    assert_int_equal(a->nonce, 5);
    assert_int_equal(a->y_parity, want->y_parity);
    assert_true(u256_eq(&a->r, &want->r));
    assert_true(u256_eq(&a->s, &want->s));
    mainnet_fixture_free(&fx);
    remove_copy();

    copy_fixture("19426587");
    edit_block(edit_set_code_no_list);
    expect_load_error(PAREVM_ERR_JSON, (const char *const[]){"authorizationList", "missing", NULL});
    remove_copy();
    copy_fixture("19426587");
    edit_block(edit_set_code_wrong_nonce);
    expect_load_error(PAREVM_ERR_SIGNATURE, (const char *const[]){"transactions[", NULL});
    remove_copy();
}

static void test_bad_signatures(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    static const struct {
        void (*edit)(cJSON *);
        int code;
        const char *needles[4];
    } cases[] = {
        {edit_bad_r, PAREVM_ERR_SIGNATURE, {"block.json", "transactions[3]", NULL}},
        {edit_bad_hex, PAREVM_ERR_HEX, {"block.json", "transactions[3].r", "bad hex", NULL}},
        {edit_high_s, PAREVM_ERR_SIGNATURE, {"transactions[0]", "signature", NULL}},
        {edit_chain_id_typed, PAREVM_ERR_SIGNATURE, {"block.json", "differs from `from`", NULL}},
        {edit_chain_id_legacy, PAREVM_ERR_SIGNATURE, {"chainId", "disagrees with v", NULL}},
        {edit_from, PAREVM_ERR_SIGNATURE, {"transactions[1]", "differs from `from`", NULL}},
        {edit_missing_field, PAREVM_ERR_JSON, {"transactions[2].gas", "missing", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        copy_fixture("19426587");
        edit_block(cases[i].edit);
        expect_load_error(cases[i].code, cases[i].needles);
        remove_copy();
    }
}

/* A block whose transactions are valid JSON and signatures but signed for
 * another chain: the executor rejects it (EIP-155/typed chain id). */
static void test_wrong_chain_id_exec(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    char dir[4400], err[512];
    snprintf(dir, sizeof dir, "%s/19426587", fixtures);
    struct chain_config c;
    mainnet_config(&c);
    c.chain_id = 5; /* the signatures say 1 */
    struct mainnet_fixture fx;
    assert_int_equal(mainnet_load(dir, &c, &fx, err, sizeof err), PAREVM_OK);
    hash32 before, after;
    assert_int_equal(world_state_root(&fx.pre, &before), PAREVM_OK);
    struct block_result r;
    assert_int_equal(exec_block_sequential(&c, &fx.block, &fx.pre, &fx.hashes, &r), PAREVM_OK);
    assert_true(r.invalid);
    assert_int_equal(r.invalid_reason, TXERR_CHAIN_ID);
    assert_non_null(strstr(r.invalid_message, "chain id"));
    assert_int_equal(world_state_root(&fx.pre, &after), PAREVM_OK);
    assert_true(hash32_eq(&before, &after));
    block_result_free(&r);
    mainnet_fixture_free(&fx);
}

/* Block 2462997's third transaction reads BLOCKHASH(2462996). */
static void test_missing_block_hash(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    copy_fixture("2462997");
    char path[512];
    snprintf(path, sizeof path, "%s/block_hashes.json", tmpdir);
    write_file(path, "{}", 2);
    struct chain_config c;
    mainnet_config(&c);
    struct mainnet_fixture fx;
    char err[512];
    assert_int_equal(mainnet_load(tmpdir, &c, &fx, err, sizeof err), PAREVM_OK);
    hash32 before, after;
    assert_int_equal(world_state_root(&fx.pre, &before), PAREVM_OK);
    struct block_result r;
    int rc = exec_block_sequential(&c, &fx.block, &fx.pre, &fx.hashes, &r);
    assert_int_equal(rc, PAREVM_ERR_MISSING);
    print_message("  %s\n", r.invalid_message);
    assert_non_null(strstr(r.invalid_message, "BLOCKHASH(2462996)"));
    assert_non_null(strstr(r.invalid_message, "transaction 2"));
    assert_int_equal(r.receipt_count, 0);
    assert_int_equal(world_state_root(&fx.pre, &after), PAREVM_OK);
    assert_true(hash32_eq(&before, &after)); /* rolled back */
    block_result_free(&r);
    mainnet_fixture_free(&fx);

    /* A malformed block_hashes.json names its key. */
    write_file(path, "{\"12x\": \"0x00\"}", 15);
    const char *needles[] = {"block_hashes.json", "12x", NULL};
    expect_load_error(PAREVM_ERR_JSON, needles);
    remove_copy();
}

static void test_missing_files(void **state)
{
    (void)state;
    struct chain_config c;
    mainnet_config(&c);
    struct mainnet_fixture fx;
    char err[512];
    assert_int_equal(mainnet_load("/nonexistent/parevm/block", &c, &fx, err, sizeof err), PAREVM_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/parevm/block/block.json"));
    /* Garbage pre_state. */
    struct world w;
    assert_int_equal(mainnet_parse_state("pre_state.json", "{\"0x12\": {}}", 12, &w, err, sizeof err),
                     PAREVM_ERR_HEX);
    assert_non_null(strstr(err, "pre_state.json: 0x12"));
    world_free(&w);
    static const char bad_balance[] =
        "{\"0x00000000000000000000000000000000000000aa\": {\"balance\": \"0xg\"}}";
    assert_int_equal(mainnet_parse_state("p.json", bad_balance, strlen(bad_balance), &w, err, sizeof err),
                     PAREVM_ERR_HEX);
    assert_non_null(strstr(err, "balance"));
    world_free(&w);
    static const char ok[] =
        "{\"0x00000000000000000000000000000000000000aa\": {\"balance\": \"0x10\", \"nonce\": "
        "\"0x2\", \"code\": \"0x6000\", \"storage\": {\"0x01\": \"0x05\", \"0x2\": \"0x0\"}}}";
    assert_int_equal(mainnet_parse_state("p.json", ok, strlen(ok), &w, err, sizeof err), PAREVM_OK);
    assert_int_equal(w.accounts.count, 1);
    world_free(&w);
    struct block b;
    assert_int_equal(mainnet_parse_block("b.json", "[]", 2, &c, &b, err, sizeof err), PAREVM_ERR_JSON);
    assert_int_equal(mainnet_parse_block("b.json", "{", 1, &c, &b, err, sizeof err), PAREVM_ERR_JSON);
    assert_non_null(strstr(err, "truncated"));
}

/* Every input of `parevm run` goes through the strict parser: text after
 * the value, \u0000 in a string and a repeated key (geth would take the
 * last, cJSON the first) are refused, naming the file and byte or field;
 * trailing whitespace is fine. */
static void test_strict_inputs(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    static const char *const files[] = {"block.json", "pre_state.json", "block_hashes.json"};
    copy_fixture("19426587");
    for (size_t i = 0; i < 3; i++) {
        char path[512], needle[96];
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        size_t len;
        char *text = read_all(path, &len);
        assert_non_null(text);
        char *more = malloc(len + 32);
        assert_non_null(more);
        memcpy(more, text, len);
        /* whitespace after the value loads */
        memcpy(more + len, " \n\t\r\n", 5);
        write_file(path, more, len + 5);
        struct chain_config c;
        mainnet_config(&c);
        struct mainnet_fixture fx;
        char err[512];
        if (mainnet_load(tmpdir, &c, &fx, err, sizeof err) != PAREVM_OK)
            fail_msg("%s with trailing whitespace: %s", files[i], err);
        mainnet_fixture_free(&fx);
        /* garbage, then a second document: the byte after the whitespace */
        memcpy(more + len + 5, "garbage", 7);
        write_file(path, more, len + 12);
        snprintf(needle, sizeof needle, "trailing data after the JSON value at byte %zu", len + 5);
        const char *needles[] = {files[i], needle, NULL};
        expect_load_error(PAREVM_ERR_JSON, needles);
        memcpy(more + len + 5, "{}", 2);
        write_file(path, more, len + 7);
        expect_load_error(PAREVM_ERR_JSON, needles);
        write_file(path, text, len);
        free(more);
        free(text);
    }
    remove_copy();

    struct world w;
    char err[512];
    /* the same account twice, in two cases: the later one is named */
    static const char dup_account[] =
        "{\"0x00000000000000000000000000000000000000aa\": {\"balance\": \"0x10\"},\n"
        " \"0x00000000000000000000000000000000000000AA\": {\"balance\": \"0x20\"}}";
    assert_int_equal(
        mainnet_parse_state("pre_state.json", dup_account, strlen(dup_account), &w, err, sizeof err),
        PAREVM_ERR_JSON);
    assert_string_equal(err, "pre_state.json: duplicate key \"0x00000000000000000000000000000000000000AA\"");
    world_free(&w);
    static const char dup_balance[] =
        "{\"0x00000000000000000000000000000000000000aa\": {\"balance\": \"0x10\", \"nonce\": \"0x1\", "
        "\"balance\": \"0x20\"}}";
    assert_int_equal(
        mainnet_parse_state("pre_state.json", dup_balance, strlen(dup_balance), &w, err, sizeof err),
        PAREVM_ERR_JSON);
    assert_string_equal(
        err, "pre_state.json: 0x00000000000000000000000000000000000000aa: duplicate key \"balance\"");
    world_free(&w);
    static const char dup_slot[] = "{\"0x00000000000000000000000000000000000000aa\": {\"storage\": "
                                   "{\"0x01\": \"0x05\", \"0x1\": \"0x6\"}}}";
    assert_int_equal(mainnet_parse_state("pre_state.json", dup_slot, strlen(dup_slot), &w, err, sizeof err),
                     PAREVM_ERR_JSON);
    assert_string_equal(
        err, "pre_state.json: 0x00000000000000000000000000000000000000aa.storage: duplicate key \"0x1\"");
    world_free(&w);
    /* \u0000 would cut the code short to "0x60" */
    static const char nul_code[] =
        "{\"0x00000000000000000000000000000000000000aa\": {\"code\": \"0x60\\u000000\"}}";
    assert_int_equal(mainnet_parse_state("pre_state.json", nul_code, strlen(nul_code), &w, err, sizeof err),
                     PAREVM_ERR_JSON);
    assert_non_null(strstr(err,
                           "pre_state.json: 0x00000000000000000000000000000000000000aa.code: \\u0000 in a "
                           "string at line 1, column 62"));
    world_free(&w);
    struct block_hashes bh;
    static const char dup_hash[] =
        "{\"1149998\": \"0xff19d1bd88ba8a520726a7c05dab8e18cab9ca25637feba4d1d4815dcc392761\",\n"
        " \"1149998\": \"0x0000000000000000000000000000000000000000000000000000000000000001\"}";
    assert_int_equal(
        mainnet_parse_block_hashes("block_hashes.json", dup_hash, strlen(dup_hash), &bh, err, sizeof err),
        PAREVM_ERR_JSON);
    assert_string_equal(err, "block_hashes.json: duplicate key \"1149998\"");
}

/* A block the chain config puts in a fork parevm does not implement is
 * refused at load time (PAREVM_ERR_UNSUPPORTED, naming the file, the field
 * and the fork), never run under another fork's rules; the same block in
 * its own fork loads. */
static void test_unimplemented_fork_refused(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    char dir[4200], err[512];
    snprintf(dir, sizeof dir, "%s/19426587", fixtures);
    struct chain_config c;
    chain_config_single(&c, FORK_AMSTERDAM);
    struct mainnet_fixture fx;
    unsigned saved = fork_amsterdam_eips; /* (Amsterdam with an EIP parevm lacks) */
    fork_amsterdam_eips |= AMSTERDAM_UNKNOWN_EIP;
    int rc = mainnet_load(dir, &c, &fx, err, sizeof err);
    fork_amsterdam_eips = saved;
    assert_int_equal(rc, PAREVM_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "block.json: timestamp: block 19426587"));
    assert_non_null(strstr(err, "fork Amsterdam, which parevm does not implement"));
    assert_null(fx.dir);
    mainnet_config(&c);
    assert_int_equal(mainnet_load(dir, &c, &fx, err, sizeof err), PAREVM_OK);
    assert_int_equal(fx.fork, FORK_CANCUN);
    mainnet_fixture_free(&fx);
}

/* chain.json: {"network": NAME} gives a folder's block another chain's
 * fork schedule (the rest of the caller's config kept); anything else is
 * refused by file and field. */
static void test_chain_json(void **state)
{
    (void)state;
    struct chain_config cfg, out;
    mainnet_config(&cfg);
    cfg.chain_id = 7;
    char err[512];
    const char *ams = "{\"network\": \"Amsterdam\"}";
    assert_int_equal(mainnet_parse_chain("d/chain.json", ams, strlen(ams), &cfg, &out, err, sizeof err),
                     PAREVM_OK);
    assert_int_equal(chain_config_fork(&out, 1, 1), FORK_AMSTERDAM);
    assert_int_equal(out.chain_id, 7);
    assert_true(out.skip_intermediate_roots == cfg.skip_intermediate_roots);
    const char *at = "{\"network\": \"OsakaToAmsterdamAtTime15k\"}";
    assert_int_equal(mainnet_parse_chain("d/chain.json", at, strlen(at), &cfg, &out, err, sizeof err),
                     PAREVM_OK);
    assert_int_equal(chain_config_fork(&out, 1, 14999), FORK_OSAKA);
    assert_int_equal(chain_config_fork(&out, 1, 15000), FORK_AMSTERDAM);
    static const struct {
        const char *json, *why;
    } bad[] = {
        {"{\"network\": \"Atlantis\"}", "d/chain.json: network: unknown network 'Atlantis'"},
        {"{}", "d/chain.json: network: missing field"},
        {"{\"network\": 5}", "d/chain.json: network: expected a string"},
        {"[]", "d/chain.json: expected an object"},
        {"{\"network\": ", "d/chain.json"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_not_equal(mainnet_parse_chain("d/chain.json", bad[i].json, strlen(bad[i].json), &cfg, &out,
                                                 err, sizeof err),
                             PAREVM_OK);
        if (!strstr(err, bad[i].why))
            fail_msg("%s: got \"%s\", want \"%s\"", bad[i].json, err, bad[i].why);
    }
}

/* Issue 21: a header field that the block or its execution determines,
 * tampered with in a copy of a fixture, is rejected by name. */
static const char *tamper_key, *tamper_value;

static void edit_tamper(cJSON *root)
{
    set_string(root, tamper_key, tamper_value);
}

static void test_header_tampered(void **state)
{
    (void)state;
    REQUIRE_FIXTURES();
    static char zero_bloom[2 + 512 + 1] = "0x";
    memset(zero_bloom + 2, '0', 512);
    const char *const cases[][3] = {
        /* field, tampered value, field named in the verdict */
        {"transactionsRoot", "0x1111111111111111111111111111111111111111111111111111111111111111",
         "transactionsRoot"},
        {"receiptsRoot", "0x2222222222222222222222222222222222222222222222222222222222222222",
         "receiptsRoot"},
        {"sha3Uncles", "0x3333333333333333333333333333333333333333333333333333333333333333", "sha3Uncles"},
        {"withdrawalsRoot", "0x4444444444444444444444444444444444444444444444444444444444444444",
         "withdrawalsRoot"},
        {"gasUsed", "0xab743f", "gasUsed"},
        {"blobGasUsed", "0x20000", "blobGasUsed"},
        {"logsBloom", zero_bloom, "logsBloom"},
        {"hash", "0x5555555555555555555555555555555555555555555555555555555555555555", "hash"},
        /* not computable itself, but the block hash covers it */
        {"extraData", "0x00", "hash"},
        {"stateRoot", "0x6666666666666666666666666666666666666666666666666666666666666666", "hash"},
        {"excessBlobGas", "0x1", "hash"},
    };
    struct chain_config c;
    mainnet_config(&c);
    for (int pass = 0; pass <= (int)(sizeof cases / sizeof cases[0]); pass++) {
        copy_fixture("19933612"); /* Cancun, no uncles */
        if (pass > 0) {
            tamper_key = cases[pass - 1][0];
            tamper_value = cases[pass - 1][1];
            edit_block(edit_tamper);
        }
        struct mainnet_fixture fx;
        char err[512];
        assert_int_equal(mainnet_load(tmpdir, &c, &fx, err, sizeof err), PAREVM_OK);
        struct block_result r;
        assert_int_equal(exec_block_sequential(&c, &fx.block, &fx.pre, &fx.hashes, &r), PAREVM_OK);
        assert_false(r.invalid);
        struct bytebuf why = {0};
        assert_int_equal(mainnet_check_header(&fx, &r, &why), PAREVM_OK);
        assert_int_equal(bytebuf_push(&why, 0), PAREVM_OK);
        const char *text = (const char *)why.data;
        if (pass == 0) {
            if (text[0])
                fail_msg("untampered block rejected: %s", text);
        } else {
            char want[64];
            snprintf(want, sizeof want, "%s: expected ", cases[pass - 1][2]);
            const char *at = strstr(text, want);
            /* "hash: " must be the field itself, not the end of "...Hash: " */
            if (!at || (at != text && at[-1] != ' '))
                fail_msg("%s tampered: verdict \"%s\" lacks \"%s\"", tamper_key, text, want);
            print_message("  %s: %s\n", tamper_key, text[0] ? "rejected" : "?");
        }
        bytebuf_free(&why);
        block_result_free(&r);
        mainnet_fixture_free(&fx);
        remove_copy();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_blocks),
        cmocka_unit_test(test_truncated_block_json),
        cmocka_unit_test(test_bad_signatures),
        cmocka_unit_test(test_wrong_chain_id_exec),
        cmocka_unit_test(test_missing_block_hash),
        cmocka_unit_test(test_missing_files),
        cmocka_unit_test(test_unimplemented_fork_refused),
        cmocka_unit_test(test_strict_inputs),
        cmocka_unit_test(test_set_code_tx),
        cmocka_unit_test(test_header_tampered),
        cmocka_unit_test(test_chain_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
