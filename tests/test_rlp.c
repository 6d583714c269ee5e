/*
 * RLP: the ethereum/tests RLPTests fixtures (encode every `in`, compare
 * with `out`, decode `out` back and compare the structure; every invalid
 * case must be refused somewhere in its tree; every random case must
 * decode), plus hand-written vectors for each non-canonical form and for
 * integer extraction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/rlp.h"
#include "../src/base/u256.h"

/* ---- helpers ------------------------------------------------------------- */

static void hex_to_bytes(const char *s, uint8_t **out, size_t *len)
{
    assert_int_equal(hex_decode_alloc(s, out, len), PAREVM_OK);
}

/* Decode buf as exactly one item and every list below it. */
static int decode_tree(const uint8_t *buf, size_t len)
{
    struct rlp_item item;
    int err = rlp_decode_whole(buf, len, &item);
    if (err)
        return err;
    if (!item.is_list)
        return PAREVM_OK;
    struct rlp_iter it;
    struct rlp_item child;
    rlp_iter_init(&it, &item);
    while (rlp_iter_next(&it, &child, &err)) {
        err = decode_tree(child.payload - (child.encoded_len - child.payload_len), child.encoded_len);
        if (err)
            return err;
    }
    return err;
}

static int decode_hex_tree(const char *hex)
{
    uint8_t *bytes;
    size_t len;
    hex_to_bytes(hex, &bytes, &len);
    int err = decode_tree(bytes, len);
    free(bytes);
    return err;
}

/* ---- fixtures ------------------------------------------------------------ */

static char fixtures_dir[4096];

static bool find_fixtures(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    const char *root = env && *env ? env : "../shared/fixtures";
    snprintf(fixtures_dir, sizeof fixtures_dir, "%s/ethereum-tests/RLPTests", root);
    struct stat st;
    return stat(fixtures_dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* cJSON strings are NUL-terminated, so a "\u0000" in `in` would come back
 * empty. The loader rewrites that escape to "\u001f" (a control byte the
 * RLP fixtures never use) and strings map it back through json_bytes. */
#define NUL_STANDIN 0x1f

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    for (char *p = text; (p = strstr(p, "\\u0000")) != NULL;)
        memcpy(p, "\\u001f", 6);
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j)
        fail_msg("malformed JSON in %s", path);
    return j;
}

#define SKIP_WITHOUT_FIXTURES()                                                                              \
    do {                                                                                                     \
        if (!find_fixtures()) {                                                                              \
            print_message("skipped: fixtures not found\n");                                                  \
            skip();                                                                                          \
        }                                                                                                    \
    } while (0)

/* The bytes of a fixture string (see NUL_STANDIN); caller frees. */
static uint8_t *json_bytes(const cJSON *v, size_t *len)
{
    *len = strlen(v->valuestring);
    uint8_t *b = malloc(*len + 1);
    assert_non_null(b);
    for (size_t i = 0; i < *len; i++)
        b[i] = v->valuestring[i] == NUL_STANDIN ? 0 : (uint8_t)v->valuestring[i];
    return b;
}

/* Big-endian minimal bytes of a "#decimal" fixture integer, which may
 * exceed 256 bits (one case is 2^256); GMP is the reference. */
static uint8_t *bigint_bytes(const char *dec, size_t *len)
{
    mpz_t z;
    assert_int_equal(mpz_init_set_str(z, dec, 10), 0);
    uint8_t *b = mpz_export(NULL, len, 1, 1, 1, 0, z);
    mpz_clear(z);
    return b;
}

/* Encode a fixture `in` value: strings are bytes, numbers are integers,
 * "#123..." strings are big integers in decimal, arrays are lists. */
static void encode_json(struct bytebuf *b, const cJSON *v)
{
    if (cJSON_IsArray(v)) {
        size_t at = rlp_list_begin(b);
        const cJSON *c;
        cJSON_ArrayForEach(c, v) encode_json(b, c);
        assert_int_equal(rlp_list_end(b, at), PAREVM_OK);
    } else if (cJSON_IsString(v) && v->valuestring[0] == '#') {
        u256 x;
        if (u256_from_string(v->valuestring + 1, &x)) {
            assert_int_equal(rlp_encode_u256(b, &x), PAREVM_OK);
        } else { /* past 256 bits: plain big-endian bytes */
            size_t len;
            uint8_t *bytes = bigint_bytes(v->valuestring + 1, &len);
            assert_true(len > 32);
            assert_int_equal(rlp_encode_bytes(b, bytes, len), PAREVM_OK);
            free(bytes);
        }
    } else if (cJSON_IsString(v)) {
        size_t len;
        uint8_t *bytes = json_bytes(v, &len);
        assert_int_equal(rlp_encode_bytes(b, bytes, len), PAREVM_OK);
        free(bytes);
    } else if (cJSON_IsNumber(v)) {
        assert_true(v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0);
        assert_int_equal(rlp_encode_u64(b, (uint64_t)v->valuedouble), PAREVM_OK);
    } else {
        fail_msg("unexpected JSON type in rlptest.json");
    }
}

/* The decoded item must have the structure and contents of `v`. */
static void check_decoded(const struct rlp_item *item, const cJSON *v)
{
    if (cJSON_IsArray(v)) {
        assert_true(item->is_list);
        assert_int_equal(rlp_list_count(item), cJSON_GetArraySize(v));
        struct rlp_iter it;
        struct rlp_item child;
        int err;
        const cJSON *c = v->child;
        rlp_iter_init(&it, item);
        while (rlp_iter_next(&it, &child, &err)) {
            check_decoded(&child, c);
            c = c->next;
        }
        assert_int_equal(err, PAREVM_OK);
        assert_null(c);
    } else if (cJSON_IsString(v) && v->valuestring[0] == '#') {
        size_t len;
        uint8_t *bytes = bigint_bytes(v->valuestring + 1, &len);
        assert_int_equal(item->payload_len, len);
        assert_memory_equal(item->payload, bytes, len);
        u256 want, got;
        if (u256_from_string(v->valuestring + 1, &want)) {
            assert_int_equal(rlp_item_u256(item, &got), PAREVM_OK);
            assert_true(u256_eq(&want, &got));
        } else {
            assert_int_equal(rlp_item_u256(item, &got), PAREVM_ERR_RANGE);
        }
        free(bytes);
    } else if (cJSON_IsString(v)) {
        size_t len;
        uint8_t *bytes = json_bytes(v, &len);
        assert_false(item->is_list);
        assert_int_equal(item->payload_len, len);
        assert_memory_equal(item->payload, bytes, len);
        free(bytes);
    } else {
        uint64_t got;
        assert_int_equal(rlp_item_u64(item, &got), PAREVM_OK);
        assert_int_equal(got, (uint64_t)v->valuedouble);
    }
}

static void test_fixture_valid(void **state)
{
    (void)state;
    SKIP_WITHOUT_FIXTURES();
    char path[4200];
    snprintf(path, sizeof path, "%s/rlptest.json", fixtures_dir);
    cJSON *root = load_json(path);
    int cases = 0;
    const cJSON *tc;
    cJSON_ArrayForEach(tc, root)
    {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(tc, "in");
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(tc, "out");
        assert_non_null(in);
        assert_true(cJSON_IsString(out));

        struct bytebuf b = {0};
        encode_json(&b, in);
        char *hex = hex_encode_alloc(b.data, b.len);
        assert_non_null(hex);
        if (strcasecmp(hex, out->valuestring) != 0)
            fail_msg("%s: encoded %s, expected %s", tc->string, hex, out->valuestring);
        free(hex);

        struct rlp_item item;
        assert_int_equal(rlp_decode_whole(b.data, b.len, &item), PAREVM_OK);
        check_decoded(&item, in);
        bytebuf_free(&b);
        cases++;
    }
    assert_true(cases >= 20);
    print_message("rlptest.json: %d cases\n", cases);
    cJSON_Delete(root);
}

static void test_fixture_invalid(void **state)
{
    (void)state;
    SKIP_WITHOUT_FIXTURES();
    char path[4200];
    snprintf(path, sizeof path, "%s/invalidRLPTest.json", fixtures_dir);
    cJSON *root = load_json(path);
    int cases = 0;
    const cJSON *tc;
    cJSON_ArrayForEach(tc, root)
    {
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(tc, "out");
        assert_true(cJSON_IsString(out));
        if (decode_hex_tree(out->valuestring) == PAREVM_OK)
            fail_msg("%s: %s decoded but is invalid", tc->string, out->valuestring);
        cases++;
    }
    assert_true(cases >= 20);
    print_message("invalidRLPTest.json: %d cases\n", cases);
    cJSON_Delete(root);
}

static void test_fixture_random(void **state)
{
    (void)state;
    SKIP_WITHOUT_FIXTURES();
    char dirpath[4200];
    snprintf(dirpath, sizeof dirpath, "%s/RandomRLPTests", fixtures_dir);
    DIR *d = opendir(dirpath);
    assert_non_null(d);
    int cases = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[8400];
        snprintf(path, sizeof path, "%s/%s", dirpath, e->d_name);
        cJSON *root = load_json(path);
        const cJSON *tc;
        cJSON_ArrayForEach(tc, root)
        {
            const cJSON *out = cJSON_GetObjectItemCaseSensitive(tc, "out");
            assert_true(cJSON_IsString(out));
            int err = decode_hex_tree(out->valuestring);
            if (err)
                fail_msg("%s/%s: %s does not decode", e->d_name, tc->string, out->valuestring);
            cases++;
        }
        cJSON_Delete(root);
    }
    closedir(d);
    assert_true(cases >= 1);
    print_message("RandomRLPTests: %d cases\n", cases);
}

/* ---- hand-written vectors ------------------------------------------------ */

static void test_noncanonical_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                 /* nothing */
        "0x8100",           /* single byte < 0x80 wrapped: 0x00 */
        "0x817f",           /* ... 0x7f */
        "0xb800",           /* long-form string of length 0 */
        "0xb837" /*55*/,    /* long form for a length that fits the short form (and overruns) */
        "0xf800",           /* long-form list of length 0 */
        "0xb90037",         /* length with a leading zero byte */
        "0x83646f",         /* string runs past the buffer */
        "0xc3c0c0",         /* list runs past the buffer */
        "0xc2c3c0c0c0",     /* child runs past its parent */
        "0xb8",             /* length bytes missing */
        "0xbf0f000000000000021111", /* 8-byte length far past the buffer */
        "0xc0c0",           /* trailing bytes after one item (decode_whole) */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (decode_hex_tree(bad[i]) == PAREVM_OK)
            fail_msg("accepted %s", bad[i]);
    }

    /* A 56-byte string must use the long form; 0xb838 + 56 bytes is fine. */
    uint8_t buf[2 + 56];
    buf[0] = 0xb8;
    buf[1] = 56;
    memset(buf + 2, 'a', 56);
    assert_int_equal(decode_tree(buf, sizeof buf), PAREVM_OK);
    /* The same with a 55 length in long form is refused. */
    buf[1] = 55;
    assert_int_not_equal(decode_tree(buf, sizeof buf - 1), PAREVM_OK);
}

static void test_decode_item_fields(void **state)
{
    (void)state;
    uint8_t one[] = {0x42};
    struct rlp_item it;
    assert_int_equal(rlp_decode(one, 1, &it), PAREVM_OK);
    assert_false(it.is_list);
    assert_int_equal(it.payload_len, 1);
    assert_int_equal(it.encoded_len, 1);
    assert_ptr_equal(it.payload, one);

    /* rlp_decode ignores what follows; rlp_decode_whole does not. */
    uint8_t two[] = {0x83, 'd', 'o', 'g', 0xff};
    assert_int_equal(rlp_decode(two, sizeof two, &it), PAREVM_OK);
    assert_int_equal(it.payload_len, 3);
    assert_int_equal(it.encoded_len, 4);
    assert_memory_equal(it.payload, "dog", 3);
    assert_int_equal(rlp_decode_whole(two, sizeof two, &it), PAREVM_ERR_RLP);
    assert_int_equal(rlp_decode(NULL, 0, &it), PAREVM_ERR_RLP);

    /* ["cat", "dog", []] */
    uint8_t list[] = {0xc9, 0x83, 'c', 'a', 't', 0x83, 'd', 'o', 'g', 0xc0};
    assert_int_equal(rlp_decode_whole(list, sizeof list, &it), PAREVM_OK);
    assert_true(it.is_list);
    assert_int_equal(rlp_list_count(&it), 3);
    struct rlp_iter iter;
    struct rlp_item c;
    int err;
    rlp_iter_init(&iter, &it);
    assert_true(rlp_iter_next(&iter, &c, &err));
    assert_memory_equal(c.payload, "cat", 3);
    assert_true(rlp_iter_next(&iter, &c, &err));
    assert_memory_equal(c.payload, "dog", 3);
    assert_true(rlp_iter_next(&iter, &c, &err));
    assert_true(c.is_list);
    assert_int_equal(c.payload_len, 0);
    assert_false(rlp_iter_next(&iter, &c, &err));
    assert_int_equal(err, PAREVM_OK);

    /* A malformed child stops iteration with an error. */
    uint8_t badlist[] = {0xc2, 0x81, 0x05};
    assert_int_equal(rlp_decode_whole(badlist, sizeof badlist, &it), PAREVM_OK);
    rlp_iter_init(&iter, &it);
    assert_false(rlp_iter_next(&iter, &c, &err));
    assert_int_equal(err, PAREVM_ERR_RLP);
    assert_int_equal(rlp_list_count(&it), -1);

    /* A string is not a list. */
    assert_int_equal(rlp_decode(two, 4, &it), PAREVM_OK);
    assert_int_equal(rlp_list_count(&it), -1);
}

static void test_integers(void **state)
{
    (void)state;
    struct rlp_item it;
    uint64_t v;
    u256 x;

    uint8_t zero[] = {0x80};
    assert_int_equal(rlp_decode_whole(zero, 1, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u64(&it, &v), PAREVM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rlp_item_u256(&it, &x), PAREVM_OK);
    assert_true(u256_is_zero(&x));

    /* Zero written as a byte 0x00 is not canonical. */
    uint8_t zero_byte[] = {0x00};
    assert_int_equal(rlp_decode_whole(zero_byte, 1, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u64(&it, &v), PAREVM_ERR_RLP);
    assert_int_equal(rlp_item_u256(&it, &x), PAREVM_ERR_RLP);

    uint8_t lead0[] = {0x82, 0x00, 0x01};
    assert_int_equal(rlp_decode_whole(lead0, 3, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u64(&it, &v), PAREVM_ERR_RLP);

    uint8_t max64[] = {0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(rlp_decode_whole(max64, sizeof max64, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u64(&it, &v), PAREVM_OK);
    assert_true(v == UINT64_MAX);

    uint8_t big[] = {0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(rlp_decode_whole(big, sizeof big, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u64(&it, &v), PAREVM_ERR_RANGE);
    assert_int_equal(rlp_item_u256(&it, &x), PAREVM_OK);
    assert_true(x.w[1] == 1 && x.w[0] == 0);

    uint8_t too_big[34] = {0xa1, 0x01};
    assert_int_equal(rlp_decode_whole(too_big, sizeof too_big, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u256(&it, &x), PAREVM_ERR_RANGE);

    uint8_t list[] = {0xc0};
    assert_int_equal(rlp_decode_whole(list, 1, &it), PAREVM_OK);
    assert_int_equal(rlp_item_u64(&it, &v), PAREVM_ERR_RLP);
    assert_int_equal(rlp_item_u256(&it, &x), PAREVM_ERR_RLP);
}

static void expect_hex(const struct bytebuf *b, const char *want)
{
    char *hex = hex_encode_alloc(b->data, b->len);
    assert_non_null(hex);
    assert_string_equal(hex, want);
    free(hex);
}

static void test_encode(void **state)
{
    (void)state;
    struct bytebuf b = {0};

    assert_int_equal(rlp_encode_u64(&b, 0), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, 0x7f), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, 0x80), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, 0x0400), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, UINT64_MAX), PAREVM_OK);
    expect_hex(&b, "0x807f818082040088ffffffffffffffff");
    bytebuf_reset(&b);

    u256 x = u256_max();
    assert_int_equal(rlp_encode_u256(&b, &x), PAREVM_OK);
    x = u256_zero();
    assert_int_equal(rlp_encode_u256(&b, &x), PAREVM_OK);
    assert_int_equal(b.len, 33 + 1);
    assert_int_equal(b.data[0], 0xa0);
    assert_int_equal(b.data[33], 0x80);
    bytebuf_reset(&b);

    /* Nested lists: [[], [[]], [[], [[]]]] (the "set theoretical
     * representation of three"). */
    size_t l0 = rlp_list_begin(&b);
    size_t l1 = rlp_list_begin(&b);
    assert_int_equal(rlp_list_end(&b, l1), PAREVM_OK);
    size_t l2 = rlp_list_begin(&b);
    size_t l3 = rlp_list_begin(&b);
    assert_int_equal(rlp_list_end(&b, l3), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, l2), PAREVM_OK);
    size_t l4 = rlp_list_begin(&b);
    size_t l5 = rlp_list_begin(&b);
    assert_int_equal(rlp_list_end(&b, l5), PAREVM_OK);
    size_t l6 = rlp_list_begin(&b);
    size_t l7 = rlp_list_begin(&b);
    assert_int_equal(rlp_list_end(&b, l7), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, l6), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, l4), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, l0), PAREVM_OK);
    expect_hex(&b, "0xc7c0c1c0c3c0c1c0");
    bytebuf_reset(&b);

    /* A list whose body crosses 55 bytes gets a long header: the body
     * must be shifted by the header size, not just one byte. */
    size_t at = rlp_list_begin(&b);
    for (int i = 0; i < 300; i++)
        assert_int_equal(rlp_encode_u64(&b, 1000), PAREVM_OK); /* 3 bytes each */
    assert_int_equal(rlp_list_end(&b, at), PAREVM_OK);
    assert_int_equal(b.len, 3 + 900);
    assert_int_equal(b.data[0], 0xf9);
    assert_int_equal(b.data[1], 0x03);
    assert_int_equal(b.data[2], 0x84);
    assert_int_equal(decode_tree(b.data, b.len), PAREVM_OK);
    bytebuf_reset(&b);

    /* Raw bytes are appended verbatim; list_end with a bad offset fails. */
    uint8_t raw[] = {0xc1, 0x01};
    assert_int_equal(rlp_encode_raw(&b, raw, 2), PAREVM_OK);
    expect_hex(&b, "0xc101");
    assert_int_equal(rlp_list_end(&b, 99), PAREVM_ERR_ARG);

    /* Empty byte string and a 1-byte string >= 0x80. */
    bytebuf_reset(&b);
    uint8_t hi = 0x80;
    assert_int_equal(rlp_encode_bytes(&b, NULL, 0), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(&b, &hi, 1), PAREVM_OK);
    expect_hex(&b, "0x808180");
    bytebuf_free(&b);
    assert_null(b.data);
}

/* bytebuf, the encoder's backing store. */
static void test_bytebuf(void **state)
{
    (void)state;
    struct bytebuf b = {0};
    for (int i = 0; i < 10000; i++)
        assert_int_equal(bytebuf_push(&b, (uint8_t)i), PAREVM_OK);
    assert_int_equal(b.len, 10000);
    assert_true(b.cap >= 10000);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(b.data[i], (uint8_t)i);
    size_t cap = b.cap;
    bytebuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_int_equal(bytebuf_append(&b, "abc", 3), PAREVM_OK);
    assert_int_equal(bytebuf_append(&b, NULL, 0), PAREVM_OK);
    assert_memory_equal(b.data, "abc", 3);
    /* An impossible reservation fails and leaves the buffer intact. */
    assert_int_equal(bytebuf_reserve(&b, SIZE_MAX), PAREVM_ERR_NOMEM);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "abc", 3);
    bytebuf_free(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_valid),      cmocka_unit_test(test_fixture_invalid),
        cmocka_unit_test(test_fixture_random),     cmocka_unit_test(test_noncanonical_rejected),
        cmocka_unit_test(test_decode_item_fields), cmocka_unit_test(test_integers),
        cmocka_unit_test(test_encode),             cmocka_unit_test(test_bytebuf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
