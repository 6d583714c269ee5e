/* hex: prefixes, case, odd lengths, bad digits, capacity limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/hex.h"

static void test_decode_basic(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n = 99;
    assert_int_equal(hex_decode("0x0123abCD", out, sizeof out, &n), PAREVM_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\x01\x23\xab\xcd", 4);

    assert_int_equal(hex_decode("0XFFee", out, sizeof out, &n), PAREVM_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\xff\xee", 2);

    assert_int_equal(hex_decode("deadbeef", out, sizeof out, &n), PAREVM_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);

    /* empty, with and without prefix */
    assert_int_equal(hex_decode("0x", out, sizeof out, &n), PAREVM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hex_decode("", out, 0, &n), PAREVM_OK);
    assert_int_equal(n, 0);

    /* out_len is optional */
    assert_int_equal(hex_decode("0x10", out, sizeof out, NULL), PAREVM_OK);
    assert_int_equal(out[0], 0x10);
}

static void test_decode_errors(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t n;
    assert_int_equal(hex_decode("0x123", out, sizeof out, &n), PAREVM_ERR_HEX);  /* odd */
    assert_int_equal(hex_decode("0x1g", out, sizeof out, &n), PAREVM_ERR_HEX);   /* bad digit */
    assert_int_equal(hex_decode("0x 1", out, sizeof out, &n), PAREVM_ERR_HEX);   /* space */
    assert_int_equal(hex_decode("0x0x12", out, sizeof out, &n), PAREVM_ERR_HEX); /* double prefix */
    assert_int_equal(hex_decode("x12", out, sizeof out, &n), PAREVM_ERR_HEX);
    assert_int_equal(hex_decode("0x0102030405", out, sizeof out, &n), PAREVM_ERR_RANGE);
    assert_int_equal(hex_decode(NULL, out, sizeof out, &n), PAREVM_ERR_ARG);
    /* exactly at capacity is fine */
    assert_int_equal(hex_decode("0x01020304", out, sizeof out, &n), PAREVM_OK);
    assert_int_equal(n, 4);
}

static void test_decode_exact(void **state)
{
    (void)state;
    uint8_t addr[20];
    const char *a = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
    assert_int_equal(hex_decode_exact(a, addr, 20), PAREVM_OK);
    assert_int_equal(addr[0], 0xa9);
    assert_int_equal(addr[19], 0x0b);
    assert_int_equal(hex_decode_exact(a, addr, 19), PAREVM_ERR_RANGE);
    assert_int_equal(hex_decode_exact("0xa94f", addr, 20), PAREVM_ERR_RANGE);
    assert_int_equal(hex_decode_exact("0xa94", addr, 2), PAREVM_ERR_HEX);
    assert_int_equal(hex_decode_exact("0xzz", addr, 1), PAREVM_ERR_HEX);
    assert_int_equal(hex_decode_exact("", addr, 0), PAREVM_OK);
}

static void test_decode_alloc(void **state)
{
    (void)state;
    uint8_t *p;
    size_t n;
    assert_int_equal(hex_decode_alloc("0x", &p, &n), PAREVM_OK);
    assert_null(p);
    assert_int_equal(n, 0);

    assert_int_equal(hex_decode_alloc("0x6001600101", &p, &n), PAREVM_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(p, "\x60\x01\x60\x01\x01", 5);
    free(p);

    p = (uint8_t *)0x1;
    assert_int_equal(hex_decode_alloc("0x60016", &p, &n), PAREVM_ERR_HEX);
    assert_int_equal(hex_decode_alloc("0x600q", &p, &n), PAREVM_ERR_HEX);
    assert_int_equal(hex_decode_alloc(NULL, &p, &n), PAREVM_ERR_ARG);

    /* large input */
    size_t big = 100000;
    char *s = malloc(2 + 2 * big + 1);
    assert_non_null(s);
    memcpy(s, "0x", 2);
    for (size_t i = 0; i < big; i++)
        memcpy(s + 2 + 2 * i, "a5", 2);
    s[2 + 2 * big] = '\0';
    assert_int_equal(hex_decode_alloc(s, &p, &n), PAREVM_OK);
    assert_int_equal(n, big);
    for (size_t i = 0; i < big; i++)
        assert_int_equal(p[i], 0xa5);
    free(p);
    free(s);
}

static void test_encode(void **state)
{
    (void)state;
    char out[2 + 2 * 4 + 1];
    hex_encode((const uint8_t *)"\x00\x0f\xf0\xff", 4, out);
    assert_string_equal(out, "0x000ff0ff");
    hex_encode(NULL, 0, out);
    assert_string_equal(out, "0x");

    char *s = hex_encode_alloc((const uint8_t *)"\xAB\xCD", 2);
    assert_non_null(s);
    assert_string_equal(s, "0xabcd");
    free(s);
    s = hex_encode_alloc(NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "0x");
    free(s);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t in[256], back[256];
    char text[2 + 512 + 1];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    hex_encode(in, 256, text);
    size_t n;
    assert_int_equal(hex_decode(text, back, sizeof back, &n), PAREVM_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(in, back, 256);
    /* every digit in both cases decodes, every other byte value fails */
    for (int c = 1; c < 256; c++) {
        char s[3] = {'0', (char)c, 0};
        uint8_t b;
        int err = hex_decode(s, &b, 1, &n);
        bool is_digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (c == 'x' || c == 'X') { /* "0x" is the (empty) prefix */
            assert_int_equal(err, PAREVM_OK);
            assert_int_equal(n, 0);
        } else if (is_digit) {
            assert_int_equal(err, PAREVM_OK);
        } else {
            assert_int_equal(err, PAREVM_ERR_HEX);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_basic), cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_decode_exact), cmocka_unit_test(test_decode_alloc),
        cmocka_unit_test(test_encode),       cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
