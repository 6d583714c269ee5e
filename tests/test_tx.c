/*
 * Transactions: unit tests of decoding, encoding, signing hashes, sender
 * recovery and intrinsic gas; then the ethereum/tests TransactionTests
 * suite (every test at every fork it lists); then every transaction of the
 * BlockchainTests valid blocks (decoded from the block RLP, sender checked
 * against the fixture).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/base/u256.h"
#include "../src/chain/tx.h"
#include "../src/evm/fork.h"
#include "test_keys.h"

/* ---- fixture helpers ---- */

static const char *fixtures_root(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    return env && *env ? env : "../shared/fixtures";
}

static bool path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

static cJSON *load_json(const char *path)
{
    char *text = read_file(path);
    if (!text)
        return NULL;
    cJSON *json = cJSON_Parse(text);
    free(text);
    return json;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json under dir, recursively, in sorted order. */
static void walk_json(const char *dir, void (*fn)(const char *path, void *ctx), void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
            assert_non_null(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            walk_json(path, fn, ctx);
        else if (strlen(names[i]) > 5 && strcmp(names[i] + strlen(names[i]) - 5, ".json") == 0)
            fn(path, ctx);
        free(names[i]);
    }
    free(names);
}

static uint8_t *hex_or_fail(const char *s, size_t *len)
{
    uint8_t *out = NULL;
    assert_non_null(s);
    assert_int_equal(hex_decode_alloc(s, &out, len), PAREVM_OK);
    return out;
}

/* ---- unit tests ---- */

/* EIP-155's example: nonce 9, gas price 20 gwei, gas 21000, to 0x3535...,
 * value 1 ether, no data, chain id 1, private key 0x4646...46. */
static const char EIP155_SIGNED[] =
    "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340"
    "bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64"
    "214b297fb1966a3b6d83";

static void test_eip155_example(void **state)
{
    (void)state;
    size_t len;
    uint8_t *raw = hex_or_fail(EIP155_SIGNED, &len);
    struct tx tx;
    const char *why = NULL;
    assert_int_equal(tx_decode(raw, len, &tx, &why), PAREVM_OK);
    assert_int_equal(tx.type, 0);
    assert_true(tx.has_chain_id);
    assert_int_equal(tx.chain_id, 1);
    assert_int_equal(tx.nonce, 9);
    assert_int_equal(tx.gas_limit, 21000);
    assert_true(tx.has_to);
    assert_int_equal(tx.gas_price.w[0], 20000000000ull);
    assert_int_equal(tx.value.w[0], 1000000000000000000ull);
    assert_int_equal(tx.v.w[0], 37);

    /* The signing hash from the EIP text. */
    hash32 h, expect;
    assert_int_equal(tx_signing_hash(&tx, &h), PAREVM_OK);
    assert_int_equal(hex_decode_exact("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53",
                                      expect.bytes, 32),
                     PAREVM_OK);
    assert_true(hash32_eq(&h, &expect));

    /* Sender: the address of private key 0x4646...46. */
    assert_int_equal(tx_recover_sender(&tx, FORK_SPURIOUS), PAREVM_OK);
    address sender;
    assert_int_equal(hex_decode_exact("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f", sender.bytes, 20),
                     PAREVM_OK);
    assert_true(tx.has_sender);
    assert_true(address_eq(&tx.sender, &sender));

    /* A chain id that disagrees with v (a tx built by a loader). */
    tx.chain_id = 2;
    assert_int_equal(tx_recover_sender(&tx, FORK_CANCUN), PAREVM_ERR_SIGNATURE);
    tx.chain_id = 1;

    /* EIP-155 signatures are not valid before Spurious Dragon. */
    assert_int_equal(tx_recover_sender(&tx, FORK_HOMESTEAD), PAREVM_ERR_SIGNATURE);
    assert_false(tx.has_sender);

    /* Round trip and hash. */
    struct bytebuf b = {0};
    assert_int_equal(tx_encode(&tx, &b), PAREVM_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, raw, len);
    assert_int_equal(tx_hash(&tx, &h), PAREVM_OK);
    expect = keccak256_hash(raw, len);
    assert_true(hash32_eq(&h, &expect));
    bytebuf_free(&b);
    tx_free(&tx);
    free(raw);
}

static int decode_hex(const char *hex, struct tx *tx, const char **why)
{
    size_t len;
    uint8_t *raw = hex_or_fail(hex, &len);
    int err = tx_decode(raw, len, tx, why);
    free(raw);
    return err;
}

static void test_decode_rejects(void **state)
{
    (void)state;
    struct tx tx;
    const char *why;
    /* Not a list, empty, unknown type, typed with nothing after it. */
    assert_int_not_equal(decode_hex("0x80", &tx, &why), PAREVM_OK);
    assert_non_null(why);
    assert_int_not_equal(tx_decode((const uint8_t *)"", 0, &tx, &why), PAREVM_OK);
    assert_int_equal(decode_hex("0x05c0", &tx, &why), PAREVM_ERR_UNSUPPORTED);
    assert_int_equal(decode_hex("0x04c0", &tx, &why), PAREVM_ERR_RLP); /* type 4: too few fields */
    assert_int_not_equal(decode_hex("0x02", &tx, &why), PAREVM_OK);
    /* Legacy with 8 fields. */
    assert_int_not_equal(decode_hex("0xc88080808080808080", &tx, &why), PAREVM_OK);
    /* 9 zero fields decode (the signature is checked at recovery). */
    assert_int_equal(decode_hex("0xc9808080808080808080", &tx, &why), PAREVM_OK);
    assert_false(tx.has_to);
    assert_int_equal(tx_recover_sender(&tx, FORK_CANCUN), PAREVM_ERR_SIGNATURE);
    tx_free(&tx);
    /* A non-canonical nonce (leading zero byte). */
    assert_int_equal(decode_hex("0xca81008080808080808080", &tx, &why), PAREVM_ERR_RLP);
    /* `to` of 19 bytes. */
    assert_int_equal(decode_hex("0xdc80808093000000000000000000000000000000000000008080808080", &tx, &why),
                     PAREVM_ERR_RLP);
    /* Trailing byte after the list. */
    assert_int_not_equal(decode_hex("0xc980808080808080808000", &tx, &why), PAREVM_OK);
    /* Type 3 without a recipient: 14 fields with `to` empty. */
    assert_int_equal(decode_hex("0x03ce0180808080808080c080c0808080", &tx, &why), PAREVM_ERR_RLP);
    /* Type 3 with a recipient: decodes, including an empty blob list. */
    assert_int_equal(decode_hex("0x03e20180808080940000000000000000000000000000000000000001"
                                "8080c080c0808080",
                                &tx, &why),
                     PAREVM_OK);
    assert_int_equal(tx.type, 3);
    assert_true(tx.has_to);
    tx_free(&tx);
    /* Type 2 with y_parity 2. */
    assert_int_equal(decode_hex("0x02cd018080808080808080c0028080", &tx, &why), PAREVM_ERR_RLP);
    /* Type 1 access list entry with a 31-byte key. */
    assert_int_equal(decode_hex("0x01f8"
                                "4d" /* list of 0x4d bytes */
                                "0180808080808080"
                                "f838" /* access list */
                                "f7"   /* entry */
                                "940000000000000000000000000000000000000001"
                                "e1" /* keys */
                                "9f00000000000000000000000000000000000000000000000000000000000000"
                                "808080",
                                &tx, &why),
                     PAREVM_ERR_RLP);
    assert_null(tx.access_list);
}

static void test_typed_round_trip(void **state)
{
    (void)state;
    /* A type-3 transaction built by hand: encode, decode, compare. */
    struct tx tx = {0};
    tx.type = 3;
    tx.chain_id = 1;
    tx.has_chain_id = true;
    tx.nonce = 7;
    tx.max_priority_fee_per_gas = u256_from_u64(2);
    tx.max_fee_per_gas = u256_from_u64(1000);
    tx.gas_price = tx.max_fee_per_gas;
    tx.gas_limit = 100000;
    tx.has_to = true;
    memset(tx.to.bytes, 0xaa, 20);
    tx.value = u256_from_u64(5);
    uint8_t data[] = {0, 1, 0, 2};
    tx.data = data;
    tx.data_len = sizeof(data);
    hash32 keys[2];
    memset(keys, 0x11, sizeof(keys));
    struct access_list_entry al = {.key_count = 2, .keys = keys};
    memset(al.addr.bytes, 0xbb, 20);
    tx.access_list = &al;
    tx.access_list_len = 1;
    tx.max_fee_per_blob_gas = u256_from_u64(3);
    hash32 blobs[1];
    memset(blobs, 0x01, sizeof(blobs));
    tx.blob_hashes = blobs;
    tx.blob_hash_count = 1;
    tx.v = u256_from_u64(1);
    tx.r = u256_from_u64(12345);
    tx.s = u256_from_u64(67890);

    struct bytebuf b = {0};
    assert_int_equal(tx_encode(&tx, &b), PAREVM_OK);
    assert_int_equal(b.data[0], 3);
    struct tx back;
    const char *why = NULL;
    assert_int_equal(tx_decode(b.data, b.len, &back, &why), PAREVM_OK);
    assert_int_equal(back.type, 3);
    assert_int_equal(back.nonce, 7);
    assert_int_equal(back.gas_limit, 100000);
    assert_int_equal(back.data_len, 4);
    assert_memory_equal(back.data, data, 4);
    assert_int_equal(back.access_list_len, 1);
    assert_int_equal(back.access_list[0].key_count, 2);
    assert_memory_equal(back.access_list[0].keys, keys, sizeof(keys));
    assert_int_equal(back.blob_hash_count, 1);
    assert_true(u256_eq(&back.max_fee_per_blob_gas, &tx.max_fee_per_blob_gas));
    assert_true(u256_eq(&back.gas_price, &tx.max_fee_per_gas));

    /* The signing hash is keccak(0x03 || rlp(fields without signature)):
     * the signed form minus its last three one-byte items, re-headed. */
    hash32 h1, h2;
    assert_int_equal(tx_signing_hash(&back, &h1), PAREVM_OK);
    struct rlp_item list;
    assert_int_equal(rlp_decode_whole(b.data + 1, b.len - 1, &list), PAREVM_OK);
    size_t body = list.payload_len - 3 - 2 - 3; /* v = 0x01, r = 0x823039, s = 0x83010932 */
    struct bytebuf sb = {0};
    assert_int_equal(bytebuf_push(&sb, 3), PAREVM_OK);
    size_t at = rlp_list_begin(&sb);
    assert_int_equal(rlp_encode_raw(&sb, list.payload, body), PAREVM_OK);
    assert_int_equal(rlp_list_end(&sb, at), PAREVM_OK);
    h2 = keccak256_hash(sb.data, sb.len);
    assert_true(hash32_eq(&h1, &h2));

    /* Intrinsic gas: 21000 + 2*4 + 2*16 + 2400 + 2*1900. */
    assert_int_equal(tx_intrinsic_gas(&back, FORK_CANCUN), 21000 + 8 + 32 + 2400 + 3800);
    bytebuf_free(&sb);
    bytebuf_free(&b);
    tx_free(&back);
}

/* The word-at-a-time zero count behind intrinsic and floor gas, against a
 * byte-at-a-time count: every length 0..40 at every offset 0..7 (so words
 * start unaligned and tails of 0..7 bytes occur), with each byte either
 * zero, 0x80 (only the high bit), 0x01 or 0xff, from a fixed LCG. */
static void test_intrinsic_gas_zero_count(void **state)
{
    (void)state;
    static const uint8_t values[4] = {0x00, 0x80, 0x01, 0xff};
    uint8_t buf[48];
    uint32_t seed = 12345;
    for (int round = 0; round < 50; round++) {
        for (size_t k = 0; k < sizeof buf; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[k] = values[(seed >> 16) & 3];
        }
        for (size_t off = 0; off < 8; off++) {
            for (size_t len = 0; len + off <= 40; len++) {
                uint64_t zeros = 0;
                for (size_t k = 0; k < len; k++)
                    zeros += buf[off + k] == 0;
                struct tx tx = {0};
                tx.data = buf + off;
                tx.data_len = len;
                tx.has_to = true;
                assert_int_equal(tx_intrinsic_gas(&tx, FORK_ISTANBUL),
                                 21000 + 4 * zeros + 16 * (len - zeros));
                assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 21000 + 10 * (zeros + 4 * (len - zeros)));
            }
        }
    }
}

static void test_intrinsic_gas(void **state)
{
    (void)state;
    uint8_t data[64];
    memset(data, 0, 32);
    memset(data + 32, 0xff, 32);
    struct tx tx = {0};
    tx.data = data;
    tx.data_len = sizeof(data);
    tx.has_to = true;
    /* Call: 32 zero bytes * 4 + 32 non-zero * 68, then 16 from Istanbul. */
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_FRONTIER), 21000 + 128 + 32 * 68);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PETERSBURG), 21000 + 128 + 32 * 68);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_ISTANBUL), 21000 + 128 + 32 * 16);
    /* Creation: +32000 from Homestead, +2 per initcode word from Shanghai. */
    tx.has_to = false;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_FRONTIER), 21000 + 128 + 32 * 68);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_HOMESTEAD), 53000 + 128 + 32 * 68);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PARIS), 53000 + 128 + 32 * 16);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_SHANGHAI), 53000 + 128 + 32 * 16 + 2 * 2);
    tx.data_len = 33; /* a partial word rounds up */
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_SHANGHAI), 53000 + 128 + 68 - 52 + 2 * 2);

    assert_true(tx_type_supported(0, FORK_FRONTIER));
    assert_false(tx_type_supported(1, FORK_ISTANBUL));
    assert_true(tx_type_supported(1, FORK_BERLIN));
    assert_false(tx_type_supported(2, FORK_BERLIN));
    assert_true(tx_type_supported(2, FORK_LONDON));
    assert_false(tx_type_supported(3, FORK_SHANGHAI));
    assert_true(tx_type_supported(3, FORK_CANCUN));
    assert_false(tx_type_supported(4, FORK_CANCUN));
    assert_true(tx_type_supported(4, FORK_PRAGUE)); /* EIP-7702 */
    assert_true(tx_type_supported(4, FORK_OSAKA));
    assert_false(tx_type_supported(5, FORK_OSAKA));
}

/* EIP-7623: floor = 21000 + 10 * (zero bytes + 4 * non-zero bytes), from
 * Prague; EIP-7702: 25000 intrinsic gas per authorization. */
static void test_floor_gas(void **state)
{
    (void)state;
    uint8_t data[1000];
    memset(data, 0x5a, sizeof data);
    struct tx tx = {0};
    tx.type = 2;
    tx.has_to = true;
    tx.data = data;
    tx.data_len = sizeof data;
    /* 1000 non-zero bytes: 4000 tokens, floor 61000 above intrinsic 37000. */
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PRAGUE), 21000 + 1000 * 16);
    assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 61000);
    assert_int_equal(tx_floor_gas(&tx, FORK_OSAKA), 61000);
    assert_int_equal(tx_floor_gas(&tx, FORK_CANCUN), 0); /* no floor before Prague */
    /* 1000 zero bytes: 1000 tokens, floor 31000 above intrinsic 25000. */
    memset(data, 0, sizeof data);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PRAGUE), 25000);
    assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 31000);
    /* Mixed: 3 zero + 2 non-zero = 11 tokens. */
    uint8_t mixed[] = {0, 7, 0, 0, 9};
    tx.data = mixed;
    tx.data_len = sizeof mixed;
    assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 21000 + 110);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PRAGUE), 21000 + 12 + 32);
    /* No calldata: the floor is the base cost. */
    tx.data = NULL;
    tx.data_len = 0;
    assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 21000);
    /* A creation's floor has no creation or initcode part. */
    tx.has_to = false;
    tx.data = mixed;
    tx.data_len = sizeof mixed;
    assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 21000 + 110);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PRAGUE), 53000 + 12 + 32 + 2);

    struct authorization auths[3];
    memset(auths, 0, sizeof auths);
    tx.type = 4;
    tx.has_to = true;
    tx.data = NULL;
    tx.data_len = 0;
    tx.authorizations = auths;
    tx.authorization_count = 3;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PRAGUE), 21000 + 3 * 25000);
    assert_int_equal(tx_floor_gas(&tx, FORK_PRAGUE), 21000);
}

/* Amsterdam's floor and access-list pricing, one EIP at a time (the
 * selection fork_select makes from "BPO2+7976+7981"). */
static void test_floor_gas_amsterdam(void **state)
{
    (void)state;
    unsigned saved = fork_amsterdam_eips;
    uint8_t mixed[] = {0, 7, 0, 0, 9};
    hash32 keys[2] = {{{0}}};
    struct access_list_entry list[1] = {{.key_count = 2, .keys = keys}};
    struct tx tx = {0};
    tx.type = 2;
    tx.has_to = true;
    tx.data = mixed;
    tx.data_len = sizeof mixed;
    /* EIP-7976: 5 bytes are 20 tokens at 16 each, the intrinsic as before. */
    fork_amsterdam_eips = EIP_7976;
    assert_int_equal(tx_floor_gas(&tx, FORK_AMSTERDAM), 21000 + 16 * 20);
    assert_int_equal(tx_floor_gas(&tx, FORK_BPO2), 21000 + 110);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 21000 + 12 + 32);
    /* EIP-7981: an address and two keys: 84 bytes, 336 tokens, in the
     * floor and in the intrinsic gas beside 3000 per item. */
    tx.access_list = list;
    tx.access_list_len = 1;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 21000 + 12 + 32 + 2400 + 2 * 1900);
    fork_amsterdam_eips = EIP_7976 | EIP_7981;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 21000 + 12 + 32 + 3 * 3000 + 16 * 336);
    assert_int_equal(tx_floor_gas(&tx, FORK_AMSTERDAM), 21000 + 16 * (20 + 336));
    fork_amsterdam_eips = saved;
}

/* EIP-2780 (Amsterdam): TX_BASE 12000, a call to another account 3000
 * more and 6000 with value, none to oneself; a creation CREATE_ACCESS
 * (EIP-8038 12000, EIP-8037 alone 11000) and no value cost; the floor
 * starts from the same base. EIP-8037: 7816 an authorization. */
static void test_intrinsic_gas_eip2780(void **state)
{
    (void)state;
    unsigned saved = fork_amsterdam_eips;
    address sender = {{0x11}}, other = {{0x22}};
    struct tx tx = {0};
    tx.type = 2;
    tx.has_to = true;
    tx.to = other;
    tx.has_sender = true;
    tx.sender = sender;
    fork_amsterdam_eips = EIP_7708 | EIP_2780;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 15000);
    tx.value = u256_from_u64(1);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 21000);
    assert_int_equal(tx_floor_gas(&tx, FORK_AMSTERDAM), 21000);
    tx.to = sender; /* to oneself */
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 12000);
    assert_int_equal(tx_floor_gas(&tx, FORK_AMSTERDAM), 12000);
    tx.has_sender = false; /* not recovered yet: another account */
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 21000);
    tx.has_sender = true;
    tx.has_to = false; /* a creation: 2 words of initcode at 2 each */
    uint8_t init[33] = {0};
    tx.data = init;
    tx.data_len = sizeof init;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 12000 + 32000 + 33 * 4 + 4);
    fork_amsterdam_eips = EIP_7708 | EIP_2780 | EIP_7976 | EIP_7981 | EIP_8037;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 12000 + 11000 + 33 * 4 + 4);
    assert_int_equal(tx_floor_gas(&tx, FORK_AMSTERDAM), 12000 + 11000 + 16 * 4 * 33);
    fork_amsterdam_eips = AMSTERDAM_EIPS;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 12000 + 12000 + 33 * 4 + 4);
    struct authorization auths[3] = {0};
    tx.data_len = 0;
    tx.has_to = true;
    tx.to = other;
    tx.value = u256_zero();
    tx.type = 4;
    tx.authorizations = auths;
    tx.authorization_count = 3;
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_AMSTERDAM), 15000 + 3 * 7816);
    assert_int_equal(tx_intrinsic_gas(&tx, FORK_PRAGUE), 21000 + 3 * 25000);
    fork_amsterdam_eips = saved;
}

/* "BPO2+N" selects Amsterdam with EIP N alone; anything else with a '+'
 * is refused with a message; a plain name selects every Amsterdam EIP. */
static void test_fork_select(void **state)
{
    (void)state;
    unsigned saved = fork_amsterdam_eips;
    enum fork f;
    char err[160];
    assert_true(fork_select("BPO2+8024+7843", &f, err, sizeof err));
    assert_int_equal(f, FORK_AMSTERDAM);
    assert_int_equal(fork_amsterdam_eips, EIP_8024 | EIP_7843);
    assert_true(fork_implemented(FORK_AMSTERDAM));
    assert_true(fork_eip(FORK_AMSTERDAM, EIP_8024));
    assert_false(fork_eip(FORK_AMSTERDAM, EIP_7976));
    assert_false(fork_eip(FORK_BPO2, EIP_8024));
    assert_false(fork_select("Osaka+8024", &f, err, sizeof err));
    assert_string_equal(err, "\"Osaka+8024\": EIPs can be added to BPO2 only (as \"BPO2+8024\")");
    assert_false(fork_select("BPO2+1559", &f, err, sizeof err));
    assert_string_equal(err, "\"BPO2+1559\": \"1559\" is not one of Amsterdam's EIPs");
    assert_false(fork_select("BPO2+", &f, err, sizeof err));
    assert_false(fork_select("BPO2+8024x", &f, err, sizeof err));
    assert_false(fork_select("Nowhere", &f, err, sizeof err));
    assert_string_equal(err, "unknown fork \"Nowhere\"");
    assert_true(fork_select("Amsterdam", &f, err, sizeof err));
    assert_int_equal(fork_amsterdam_eips, AMSTERDAM_EIPS);
    /* every EIP is in: nothing is missing; a selection with one parevm
     * lacks is refused */
    assert_true(fork_implemented(FORK_AMSTERDAM));
    char missing[96];
    fork_eips_missing(AMSTERDAM_EIPS, missing, sizeof missing);
    assert_string_equal(missing, "");
    fork_amsterdam_eips |= AMSTERDAM_UNKNOWN_EIP;
    assert_false(fork_implemented(FORK_AMSTERDAM));
    /* an EIP without the ones it needs */
    assert_false(fork_select("BPO2+8037", &f, err, sizeof err));
    assert_string_equal(err, "\"BPO2+8037\": EIP-8037 needs 2780, 7976 and 7981");
    assert_false(fork_select("BPO2+2780", &f, err, sizeof err));
    assert_string_equal(err, "\"BPO2+2780\": EIP-2780 needs 7708");
    assert_true(fork_select("BPO2+2780+7708+7976+7981+8037", &f, err, sizeof err));
    fork_amsterdam_eips = saved;
}

/* EIP-7702 type 4: encode, decode, compare every field; the signing hash
 * is keccak(0x04 || rlp(fields without the signature)); authorities
 * recover to the keys that signed; malformed lists are refused. */
static void test_set_code_round_trip(void **state)
{
    (void)state;
    uint8_t key1[32], key2[32];
    memset(key1, 0x21, 32);
    memset(key2, 0x42, 32);
    struct authorization auths[2];
    memset(auths, 0, sizeof auths);
    auths[0].chain_id = u256_from_u64(1);
    memset(auths[0].addr.bytes, 0xcc, 20);
    auths[0].nonce = 3;
    sign_authorization(&auths[0], key1);
    auths[1].chain_id = u256_zero(); /* any chain */
    auths[1].nonce = UINT64_MAX - 1;
    sign_authorization(&auths[1], key2); /* address zero: clears a delegation */

    struct tx tx = {0};
    tx.type = 4;
    tx.chain_id = 1;
    tx.has_chain_id = true;
    tx.nonce = 9;
    tx.max_priority_fee_per_gas = u256_from_u64(2);
    tx.max_fee_per_gas = u256_from_u64(1000);
    tx.gas_price = tx.max_fee_per_gas;
    tx.gas_limit = 200000;
    tx.has_to = true;
    memset(tx.to.bytes, 0xaa, 20);
    tx.value = u256_from_u64(5);
    uint8_t data[] = {0xde, 0xad, 0, 1};
    tx.data = data;
    tx.data_len = sizeof data;
    hash32 key[1];
    memset(key, 0x11, sizeof key);
    struct access_list_entry al = {.key_count = 1, .keys = key};
    memset(al.addr.bytes, 0xbb, 20);
    tx.access_list = &al;
    tx.access_list_len = 1;
    tx.authorizations = auths;
    tx.authorization_count = 2;
    tx.v = u256_from_u64(1);
    tx.r = u256_from_u64(12345);
    tx.s = u256_from_u64(67890);

    struct bytebuf b = {0};
    assert_int_equal(tx_encode(&tx, &b), PAREVM_OK);
    assert_int_equal(b.data[0], 4);
    struct tx back;
    const char *why = NULL;
    assert_int_equal(tx_decode(b.data, b.len, &back, &why), PAREVM_OK);
    assert_int_equal(back.type, 4);
    assert_int_equal(back.nonce, 9);
    assert_int_equal(back.gas_limit, 200000);
    assert_true(back.has_to);
    assert_memory_equal(back.to.bytes, tx.to.bytes, 20);
    assert_int_equal(back.data_len, 4);
    assert_memory_equal(back.data, data, 4);
    assert_int_equal(back.access_list_len, 1);
    assert_int_equal(back.authorization_count, 2);
    for (int i = 0; i < 2; i++) {
        assert_true(u256_eq(&back.authorizations[i].chain_id, &auths[i].chain_id));
        assert_memory_equal(back.authorizations[i].addr.bytes, auths[i].addr.bytes, 20);
        assert_true(back.authorizations[i].nonce == auths[i].nonce);
        assert_int_equal(back.authorizations[i].y_parity, auths[i].y_parity);
        assert_true(u256_eq(&back.authorizations[i].r, &auths[i].r));
        assert_true(u256_eq(&back.authorizations[i].s, &auths[i].s));
    }
    /* Re-encoding gives the same bytes (the hash is stable). */
    struct bytebuf b2 = {0};
    assert_int_equal(tx_encode(&back, &b2), PAREVM_OK);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    hash32 th;
    assert_int_equal(tx_hash(&back, &th), PAREVM_OK);
    hash32 expect_hash = keccak256_hash(b.data, b.len);
    assert_true(hash32_eq(&th, &expect_hash));

    /* Signing hash: the signed list minus v (0x01), r (0x823039) and s
     * (0x83010932), re-headed, after the type byte. */
    hash32 h1, h2;
    assert_int_equal(tx_signing_hash(&back, &h1), PAREVM_OK);
    struct rlp_item list;
    assert_int_equal(rlp_decode_whole(b.data + 1, b.len - 1, &list), PAREVM_OK);
    size_t body = list.payload_len - 1 - 3 - 4;
    struct bytebuf sb = {0};
    assert_int_equal(bytebuf_push(&sb, 4), PAREVM_OK);
    size_t at = rlp_list_begin(&sb);
    assert_int_equal(rlp_encode_raw(&sb, list.payload, body), PAREVM_OK);
    assert_int_equal(rlp_list_end(&sb, at), PAREVM_OK);
    h2 = keccak256_hash(sb.data, sb.len);
    assert_true(hash32_eq(&h1, &h2));
    bytebuf_free(&sb);

    /* Authorities. */
    address who, k1 = key_address(key1), k2 = key_address(key2);
    assert_int_equal(tx_authorization_authority(&back.authorizations[0], &who), PAREVM_OK);
    assert_true(address_eq(&who, &k1));
    assert_int_equal(tx_authorization_authority(&back.authorizations[1], &who), PAREVM_OK);
    assert_true(address_eq(&who, &k2));
    /* Any change to what was signed recovers someone else. */
    struct authorization bad = back.authorizations[0];
    bad.nonce++;
    assert_true(tx_authorization_authority(&bad, &who) != PAREVM_OK || !address_eq(&who, &k1));
    /* y_parity 2, r = 0, s = 0 and a high s are refused. */
    bad = back.authorizations[0];
    bad.y_parity = 2;
    assert_int_equal(tx_authorization_authority(&bad, &who), PAREVM_ERR_SIGNATURE);
    bad = back.authorizations[0];
    bad.r = u256_zero();
    assert_int_equal(tx_authorization_authority(&bad, &who), PAREVM_ERR_SIGNATURE);
    bad = back.authorizations[0];
    bad.s = u256_zero();
    assert_int_equal(tx_authorization_authority(&bad, &who), PAREVM_ERR_SIGNATURE);
    uint8_t n[32];
    assert_int_equal(
        hex_decode_exact("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", n, 32),
        PAREVM_OK);
    u256 order = u256_from_be(n, 32);
    bad = back.authorizations[0];
    bad.s = u256_sub(&order, &bad.s); /* the malleated twin: s > n/2 (EIP-2) */
    bad.y_parity ^= 1;
    assert_int_equal(tx_authorization_authority(&bad, &who), PAREVM_ERR_SIGNATURE);
    tx_free(&back);

    /* Refused encodings: no recipient, an empty authorization list, an
     * entry of 5 fields, a y_parity over 8 bits. */
    struct tx t2 = tx;
    t2.has_to = false;
    b2.len = 0;
    assert_int_equal(tx_encode(&t2, &b2), PAREVM_OK);
    assert_int_equal(tx_decode(b2.data, b2.len, &back, &why), PAREVM_ERR_RLP);
    t2 = tx;
    t2.authorization_count = 0;
    b2.len = 0;
    assert_int_equal(tx_encode(&t2, &b2), PAREVM_OK);
    assert_int_equal(tx_decode(b2.data, b2.len, &back, &why), PAREVM_ERR_RLP);
    assert_non_null(why);
    /* 13 fields: chain, nonce, tip, fee, gas, to, value, data, [], [[1 item
     * short]], v, r, s. */
    assert_int_equal(decode_hex("0x04e7018080808094000000000000000000000000000000000000000180"
                                "80c0c6c58080808080808080",
                                &back, &why),
                     PAREVM_ERR_RLP);
    /* The same with 6 items decodes; with y_parity 0x0100 it does not. */
    assert_int_equal(decode_hex("0x04f8"
                                "3c018080808094000000000000000000000000000000000000000180"
                                "80c0"
                                "db"
                                "da"
                                "80"
                                "940000000000000000000000000000000000000002"
                                "80"
                                "80"
                                "80"
                                "80"
                                "808080",
                                &back, &why),
                     PAREVM_OK);
    assert_int_equal(back.authorization_count, 1);
    assert_int_equal(back.authorizations[0].addr.bytes[19], 2);
    tx_free(&back);
    assert_int_equal(decode_hex("0x04f8"
                                "3e018080808094000000000000000000000000000000000000000180"
                                "80c0"
                                "dd"
                                "dc"
                                "80"
                                "940000000000000000000000000000000000000002"
                                "80"
                                "820100"
                                "80"
                                "80"
                                "808080",
                                &back, &why),
                     PAREVM_ERR_RANGE);
    bytebuf_free(&b2);
    bytebuf_free(&b);
}

/* Every transaction in the eest-osaka state tests' txbytes: decodes, the
 * sender recovers to the fixture's sender, and for type 4 each
 * authorization decodes to the fixture's fields and recovers to its
 * signer (when the fixture names one and the signature is valid). */
struct txbytes_stats {
    int txs, set_code, authorities;
};

static void check_txbytes_file(const char *path, void *ctx)
{
    struct txbytes_stats *st = ctx;
    cJSON *root = load_json(path);
    assert_non_null(root);
    const cJSON *test;
    cJSON_ArrayForEach(test, root)
    {
        const cJSON *jtx = cJSON_GetObjectItem(test, "transaction");
        const cJSON *post = cJSON_GetObjectItem(test, "post");
        const cJSON *sender = cJSON_GetObjectItem(jtx, "sender");
        const cJSON *auths = cJSON_GetObjectItem(jtx, "authorizationList");
        const cJSON *fork_posts;
        cJSON_ArrayForEach(fork_posts, post)
        {
            const cJSON *entry;
            cJSON_ArrayForEach(entry, fork_posts)
            {
                const cJSON *txbytes = cJSON_GetObjectItem(entry, "txbytes");
                if (!cJSON_IsString(txbytes) || cJSON_GetObjectItem(entry, "expectException"))
                    continue;
                size_t len;
                uint8_t *raw = hex_or_fail(txbytes->valuestring, &len);
                struct tx tx;
                const char *why = NULL;
                assert_int_equal(tx_decode(raw, len, &tx, &why), PAREVM_OK);
                assert_int_equal(tx_recover_sender(&tx, FORK_OSAKA), PAREVM_OK);
                address want;
                assert_int_equal(hex_decode_exact(sender->valuestring, want.bytes, 20), PAREVM_OK);
                assert_true(address_eq(&tx.sender, &want));
                st->txs++;
                if (tx.type == 4) {
                    st->set_code++;
                    assert_int_equal((size_t)cJSON_GetArraySize(auths), tx.authorization_count);
                    for (size_t i = 0; i < tx.authorization_count; i++) {
                        const cJSON *ja = cJSON_GetArrayItem(auths, (int)i);
                        const cJSON *addr = cJSON_GetObjectItem(ja, "address");
                        const cJSON *signer = cJSON_GetObjectItem(ja, "signer");
                        assert_int_equal(hex_decode_exact(addr->valuestring, want.bytes, 20), PAREVM_OK);
                        assert_true(address_eq(&tx.authorizations[i].addr, &want));
                        address who;
                        if (cJSON_IsString(signer) &&
                            tx_authorization_authority(&tx.authorizations[i], &who) == PAREVM_OK) {
                            assert_int_equal(hex_decode_exact(signer->valuestring, want.bytes, 20),
                                             PAREVM_OK);
                            assert_true(address_eq(&who, &want));
                            st->authorities++;
                        }
                    }
                }
                /* Re-encoding reproduces the bytes. */
                struct bytebuf b = {0};
                assert_int_equal(tx_encode(&tx, &b), PAREVM_OK);
                assert_int_equal(b.len, len);
                assert_memory_equal(b.data, raw, len);
                bytebuf_free(&b);
                tx_free(&tx);
                free(raw);
            }
        }
    }
    cJSON_Delete(root);
}

static void test_eest_osaka_txbytes(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/eest-osaka", fixtures_root());
    if (!path_exists(dir)) {
        skip();
        return;
    }
    struct txbytes_stats st = {0};
    walk_json(dir, check_txbytes_file, &st);
    assert_true(st.txs > 100);
    assert_true(st.set_code >= 1);
    assert_true(st.authorities >= 1);
}

/* The secp256k1 context is created once, on first use, by whichever
 * thread gets there first: recover from several threads at once. */
static void *recover_many(void *arg)
{
    const struct tx *proto = arg;
    address expect;
    if (hex_decode_exact("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f", expect.bytes, 20) != PAREVM_OK)
        return (void *)1;
    for (int i = 0; i < 50; i++) {
        struct tx tx = *proto; /* shares no owned arrays: data is empty */
        if (tx_recover_sender(&tx, FORK_CANCUN) != PAREVM_OK || !address_eq(&tx.sender, &expect))
            return (void *)1;
    }
    return NULL;
}

static void test_recover_threads(void **state)
{
    (void)state;
    size_t len;
    uint8_t *raw = hex_or_fail(EIP155_SIGNED, &len);
    struct tx tx;
    assert_int_equal(tx_decode(raw, len, &tx, NULL), PAREVM_OK);
    assert_null(tx.data);
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, recover_many, &tx), 0);
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        assert_int_equal(pthread_join(threads[i], &ret), 0);
        assert_null(ret);
    }
    tx_free(&tx);
    free(raw);
}

/* ---- TransactionTests ---- */

/* Checks a transaction must pass at a fork besides decoding and sender
 * recovery. These belong to transaction validation (chain/transition),
 * not to tx.c; TransactionTests expect them, so the runner applies them.
 * Returns NULL when valid, else the reason. */
static const char *tx_stateless_check(const struct tx *tx, enum fork fork)
{
    if (!tx_type_supported(tx->type, fork))
        return "type not supported";
    /* The chain is mainnet (chain id 1); EIP-155 legacy and every typed
     * transaction name their chain. */
    if (tx->has_chain_id && tx->chain_id != 1)
        return "wrong chain id";
    if (tx_intrinsic_gas(tx, fork) > tx->gas_limit)
        return "intrinsic gas above gas limit";
    /* EIP-2681: the nonce must stay below 2^64 - 1. */
    if (tx->nonce == UINT64_MAX)
        return "nonce at 2^64 - 1 (EIP-2681)";
    /* EIP-1559: the tip cannot exceed the fee cap. */
    if (u256_gt(&tx->max_priority_fee_per_gas, &tx->max_fee_per_gas))
        return "max priority fee above max fee";
    /* The upfront gas cost gas_limit * max fee must fit 256 bits. */
    u256 gas = u256_from_u64(tx->gas_limit);
    u256 cost = u256_mul(&gas, &tx->max_fee_per_gas);
    if (tx->gas_limit && !u256_is_zero(&tx->max_fee_per_gas)) {
        u256 back = u256_div(&cost, &gas);
        if (!u256_eq(&back, &tx->max_fee_per_gas))
            return "gas limit * fee overflows 256 bits";
    }
    /* EIP-3860 (Shanghai): initcode at most 2 * 24576 bytes. */
    if (!tx->has_to && fork >= FORK_SHANGHAI && tx->data_len > 2 * 24576)
        return "initcode too large (EIP-3860)";
    return NULL;
}

struct tt_counts {
    int tests, cases, accepted, rejected, failures;
};

static void tt_failure(struct tt_counts *c, const char *file, const char *name, const char *fork,
                       const char *msg)
{
    c->failures++;
    printf("  FAIL %s: %s [%s]: %s\n", file, name, fork, msg);
}

static void run_tx_test(const char *file, const cJSON *test, struct tt_counts *c)
{
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(test, "txbytes"));
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(test, "result");
    assert_non_null(hex);
    assert_non_null(results);
    c->tests++;

    size_t len = 0;
    uint8_t *raw = NULL;
    bool hex_ok = hex_decode_alloc(hex, &raw, &len) == PAREVM_OK;

    const cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        enum fork fork;
        if (!fork_from_name(r->string, &fork)) {
            tt_failure(c, file, test->string, r->string, "unknown fork name");
            continue;
        }
        c->cases++;
        const cJSON *exception = cJSON_GetObjectItemCaseSensitive(r, "exception");

        struct tx tx;
        const char *why = NULL;
        int err = hex_ok ? tx_decode(raw, len, &tx, &why) : PAREVM_ERR_HEX;
        if (err == PAREVM_OK && !why) {
            if (tx_recover_sender(&tx, fork) != PAREVM_OK)
                why = "signature invalid";
            else
                why = tx_stateless_check(&tx, fork);
        } else if (!why) {
            why = "bad hex";
        }

        if (exception) {
            if (!err && !why) {
                char msg[256];
                snprintf(msg, sizeof(msg), "accepted, expected %s", cJSON_GetStringValue(exception));
                tt_failure(c, file, test->string, r->string, msg);
            } else {
                c->rejected++;
            }
            if (!err)
                tx_free(&tx);
            continue;
        }

        if (err || why) {
            char msg[256];
            snprintf(msg, sizeof(msg), "rejected (%s), expected valid", why ? why : parevm_strerror(err));
            tt_failure(c, file, test->string, r->string, msg);
            if (!err)
                tx_free(&tx);
            continue;
        }

        /* Valid: compare hash, sender, intrinsic gas, and the re-encoding. */
        hash32 h, expect_hash;
        address expect_sender;
        u256 expect_gas;
        const char *hash_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "hash"));
        const char *sender_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "sender"));
        const char *gas_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "intrinsicGas"));
        assert_non_null(hash_hex);
        assert_non_null(sender_hex);
        assert_non_null(gas_hex);
        assert_int_equal(hex_decode_exact(hash_hex, expect_hash.bytes, 32), PAREVM_OK);
        assert_int_equal(hex_decode_exact(sender_hex, expect_sender.bytes, 20), PAREVM_OK);
        assert_true(u256_from_string(gas_hex, &expect_gas));

        assert_int_equal(tx_hash(&tx, &h), PAREVM_OK);
        uint64_t gas = tx_intrinsic_gas(&tx, fork);
        struct bytebuf b = {0};
        assert_int_equal(tx_encode(&tx, &b), PAREVM_OK);
        if (!hash32_eq(&h, &expect_hash))
            tt_failure(c, file, test->string, r->string, "hash differs");
        else if (!address_eq(&tx.sender, &expect_sender))
            tt_failure(c, file, test->string, r->string, "sender differs");
        else if (!u256_fits_u64(&expect_gas) || expect_gas.w[0] != gas)
            tt_failure(c, file, test->string, r->string, "intrinsic gas differs");
        else if (b.len != len || memcmp(b.data, raw, len) != 0)
            tt_failure(c, file, test->string, r->string, "re-encoding differs from txbytes");
        else
            c->accepted++;
        bytebuf_free(&b);
        tx_free(&tx);
    }
    free(raw);
}

static void run_tx_file(const char *path, void *ctx)
{
    cJSON *doc = load_json(path);
    if (!doc)
        fail_msg("cannot read %s", path);
    const char *file = strstr(path, "TransactionTests/");
    file = file ? file + strlen("TransactionTests/") : path;
    const cJSON *test;
    cJSON_ArrayForEach(test, doc) run_tx_test(file, test, ctx);
    cJSON_Delete(doc);
}

static void test_transaction_tests(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/ethereum-tests/TransactionTests", fixtures_root());
    if (!path_exists(dir)) {
        printf("skipped: fixtures not found (%s)\n", dir);
        return;
    }
    struct tt_counts c = {0};
    walk_json(dir, run_tx_file, &c);
    printf("  TransactionTests: %d tests, %d (test, fork) cases: %d valid as expected, "
           "%d rejected as expected, %d failures\n",
           c.tests, c.cases, c.accepted, c.rejected, c.failures);
    assert_true(c.cases > 0);
    assert_int_equal(c.failures, 0);
}

/* ---- transactions of real blocks (BlockchainTests) ---- */

struct block_tx_counts {
    int txs, failures;
};

static void check_block_txs(const char *path, const cJSON *test, struct block_tx_counts *c)
{
    enum fork fork;
    const char *network = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(test, "network"));
    if (!network || !fork_from_name(network, &fork))
        return; /* transition networks ("XToYAtZ") are not needed here */
    const cJSON *block;
    cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(test, "blocks"))
    {
        const cJSON *txs_json = cJSON_GetObjectItemCaseSensitive(block, "transactions");
        const char *rlp_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(block, "rlp"));
        if (!txs_json || !rlp_hex || !cJSON_GetObjectItemCaseSensitive(block, "blockHeader"))
            continue;
        size_t len;
        uint8_t *raw = hex_or_fail(rlp_hex, &len);
        struct rlp_item blk, header, txs;
        struct rlp_iter it;
        int err = PAREVM_OK;
        assert_int_equal(rlp_decode_whole(raw, len, &blk), PAREVM_OK);
        rlp_iter_init(&it, &blk);
        assert_true(rlp_iter_next(&it, &header, &err) && !err);
        assert_true(rlp_iter_next(&it, &txs, &err) && !err);

        struct rlp_iter txit;
        struct rlp_item item;
        const cJSON *tx_json = txs_json->child;
        rlp_iter_init(&txit, &txs);
        while (rlp_iter_next(&txit, &item, &err) && !err) {
            /* EIP-2718: a typed transaction sits in the block as an RLP
             * string; a legacy one as a list. */
            const uint8_t *bytes =
                item.is_list ? item.payload - (item.encoded_len - item.payload_len) : item.payload;
            size_t n = item.is_list ? item.encoded_len : item.payload_len;
            struct tx tx;
            const char *why = NULL;
            c->txs++;
            assert_non_null(tx_json);
            if (tx_decode(bytes, n, &tx, &why) != PAREVM_OK) {
                c->failures++;
                printf("  FAIL %s: %s: decode: %s\n", path, test->string, why);
            } else {
                address expect;
                const char *sender =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx_json, "sender"));
                hash32 h;
                if (tx_recover_sender(&tx, fork) != PAREVM_OK) {
                    c->failures++;
                    printf("  FAIL %s: %s: sender not recovered\n", path, test->string);
                } else if (sender && (hex_decode_exact(sender, expect.bytes, 20) != PAREVM_OK ||
                                      !address_eq(&expect, &tx.sender))) {
                    c->failures++;
                    printf("  FAIL %s: %s: sender differs\n", path, test->string);
                } else {
                    hash32 expect_hash = keccak256_hash(bytes, n);
                    if (tx_hash(&tx, &h) != PAREVM_OK || !hash32_eq(&h, &expect_hash)) {
                        c->failures++;
                        printf("  FAIL %s: %s: hash differs\n", path, test->string);
                    }
                    struct bytebuf b = {0};
                    assert_int_equal(tx_encode(&tx, &b), PAREVM_OK);
                    if (b.len != n || memcmp(b.data, bytes, n) != 0) {
                        c->failures++;
                        printf("  FAIL %s: %s: re-encoding differs\n", path, test->string);
                    }
                    bytebuf_free(&b);
                }
                tx_free(&tx);
            }
            tx_json = tx_json->next;
        }
        assert_int_equal(err, PAREVM_OK);
        free(raw);
    }
}

static void check_block_file(const char *path, void *ctx)
{
    cJSON *doc = load_json(path);
    if (!doc)
        fail_msg("cannot read %s", path);
    const cJSON *test;
    cJSON_ArrayForEach(test, doc) check_block_txs(path, test, ctx);
    cJSON_Delete(doc);
}

static void test_block_transactions(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/ethereum-tests/BlockchainTests/ValidBlocks", fixtures_root());
    if (!path_exists(dir)) {
        printf("skipped: fixtures not found (%s)\n", dir);
        return;
    }
    struct block_tx_counts c = {0};
    walk_json(dir, check_block_file, &c);
    printf("  BlockchainTests/ValidBlocks: %d transactions decoded, senders and encodings checked, "
           "%d failures\n",
           c.txs, c.failures);
    assert_true(c.txs > 0);
    assert_int_equal(c.failures, 0);
}

/* An integer field that does not decode says which field and what is wrong
 * with it (the reason used to be the field's name alone). Legacy
 * transactions [nonce, gas_price, gas, to, value, data, v, r, s] with the
 * nonce or value malformed three ways. */
static void test_decode_reasons(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        int err;
        const char *why;
    } cases[] = {
        /* nonce 0x0001: leading zero */
        {"0xcb8200018080808080808080", PAREVM_ERR_RLP, "nonce: leading zero byte (not a canonical integer)"},
        /* nonce of 9 bytes */
        {"0xd2890102030405060708098080808080808080", PAREVM_ERR_RANGE, "nonce: longer than 8 bytes"},
        /* nonce a list */
        {"0xc9c08080808080808080", PAREVM_ERR_RLP, "nonce: a list where an integer belongs"},
        /* value of 33 bytes */
        {"0xea80808080a10102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202180808080",
         PAREVM_ERR_RANGE, "value: longer than 32 bytes"},
        /* r with a leading zero */
        {"0xcb8080808080808082000180", PAREVM_ERR_RLP, "r: leading zero byte (not a canonical integer)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tx tx;
        const char *why = NULL;
        int err = decode_hex(cases[i].hex, &tx, &why);
        if (err != cases[i].err || !why || strcmp(why, cases[i].why) != 0)
            print_error("case %zu: err %d, why '%s'\n", i, err, why ? why : "(none)");
        assert_int_equal(err, cases[i].err);
        assert_non_null(why);
        assert_string_equal(why, cases[i].why);
    }
}

int main(void)
{
    // clang-format off
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_reasons),
        cmocka_unit_test(test_eip155_example),
        cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test(test_typed_round_trip),
        cmocka_unit_test(test_intrinsic_gas),
        cmocka_unit_test(test_floor_gas),
        cmocka_unit_test(test_floor_gas_amsterdam),
        cmocka_unit_test(test_fork_select),
        cmocka_unit_test(test_intrinsic_gas_eip2780),
        cmocka_unit_test(test_set_code_round_trip),
        cmocka_unit_test(test_eest_osaka_txbytes),
        cmocka_unit_test(test_intrinsic_gas_zero_count),
        cmocka_unit_test(test_recover_threads),
        cmocka_unit_test(test_transaction_tests),
        cmocka_unit_test(test_block_transactions),
    };
    // clang-format on
    return cmocka_run_group_tests(tests, NULL, NULL);
}
