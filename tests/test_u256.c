/*
 * u256: known answers for every operation (values computed independently
 * with Python's arbitrary-precision integers), the EVM edge cases (division
 * by zero, SDIV overflow, shifts past 255, every SIGNEXTEND/BYTE index), and
 * a randomized cross-check against GMP with operands shaped to hit every
 * division path (one to four limbs, all-ones limbs, top-bit patterns).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/u256.h"

#define MAX_HEX "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define MIN_NEG_HEX "0x8000000000000000000000000000000000000000000000000000000000000000"
#define MAX_DEC "115792089237316195423570985008687907853269984665640564039457584007913129639935"

static u256 U(const char *s)
{
    u256 r;
    if (!u256_from_string(s, &r))
        fail_msg("bad literal %s", s);
    return r;
}

static void expect_eq(u256 got, const char *want, const char *what)
{
    u256 w = U(want);
    if (!u256_eq(&got, &w)) {
        char g[67];
        u256_to_hex(&got, g);
        fail_msg("%s: got %s want %s", what, g, want);
    }
}

/* ---- inline operations --------------------------------------------------- */

static void test_add_sub_mul(void **state)
{
    (void)state;
    u256 max = u256_max(), one = u256_from_u64(1), zero = u256_zero();
    bool carry;
    expect_eq(u256_add(&max, &one), "0x0", "max+1");
    expect_eq(u256_add_carry(&max, &one, &carry), "0x0", "max+1 carry");
    assert_true(carry);
    expect_eq(u256_add_carry(&max, &zero, &carry), MAX_HEX, "max+0");
    assert_false(carry);
    u256 a = U("0xffffffffffffffff"), b = U("0x1");
    expect_eq(u256_add(&a, &b), "0x10000000000000000", "limb carry");
    a = U("0xffffffffffffffffffffffffffffffffffffffffffffffff");
    expect_eq(u256_add(&a, &b), "0x1000000000000000000000000000000000000000000000000", "carry chain");
    expect_eq(u256_sub(&zero, &one), MAX_HEX, "0-1");
    a = U("0x10000000000000000000000000000000000000000000000000");
    expect_eq(u256_sub(&a, &one), "0xfffffffffffffffffffffffffffffffffffffffffffffffff", "borrow chain");
    expect_eq(u256_neg(&one), MAX_HEX, "-1");
    expect_eq(u256_neg(&zero), "0x0", "-0");
    u256 mn = U(MIN_NEG_HEX);
    expect_eq(u256_neg(&mn), MIN_NEG_HEX, "-(-2^255)");
    expect_eq(u256_mul(&max, &max), "0x1", "max*max");
    a = U("0x100000000000000000000000000000000"); /* 2^128 */
    expect_eq(u256_mul(&a, &a), "0x0", "2^128 squared wraps");
    b = U("0x10000000000000000"); /* 2^64 */
    expect_eq(u256_mul(&a, &b), "0x1000000000000000000000000000000000000000000000000", "2^192");
    a = U("0x123456789abcdef0fedcba9876543210");
    b = U("0x0fedcba987654321");
    expect_eq(u256_mul(&a, &b), "0x121fa00ad77d7423212849961ef529ccdeec6cd7a44a410", "128x64");
}

static void test_compare(void **state)
{
    (void)state;
    u256 zero = u256_zero(), one = u256_from_u64(1), max = u256_max(), mn = U(MIN_NEG_HEX);
    u256 hi = U("0x10000000000000000000000000000000000000000000000000"), lo = U("0xffffffffffffffff");
    assert_true(u256_lt(&zero, &one));
    assert_false(u256_lt(&one, &one));
    assert_true(u256_lt(&lo, &hi));
    assert_true(u256_gt(&max, &hi));
    assert_true(u256_eq(&max, &max));
    assert_false(u256_eq(&max, &hi));
    /* signed: max is -1, 2^255 is the most negative */
    assert_true(u256_slt(&max, &zero));
    assert_true(u256_slt(&mn, &max));
    assert_true(u256_sgt(&one, &max));
    assert_false(u256_slt(&zero, &zero));
    assert_true(u256_is_neg(&mn));
    assert_false(u256_is_neg(&hi));
    assert_true(u256_is_zero(&zero));
    assert_true(u256_fits_u64(&lo));
    assert_false(u256_fits_u64(&hi));
    assert_int_equal(u256_bit_len(&zero), 0);
    assert_int_equal(u256_bit_len(&one), 1);
    assert_int_equal(u256_bit_len(&max), 256);
    assert_int_equal(u256_bit_len(&lo), 64);
    assert_int_equal(u256_byte_len(&zero), 0);
    assert_int_equal(u256_byte_len(&one), 1);
    assert_int_equal(u256_byte_len(&lo), 8);
    assert_int_equal(u256_byte_len(&mn), 32);
}

static void test_bitwise_and_shifts(void **state)
{
    (void)state;
    u256 a = U("0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00");
    u256 b = U("0x0ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff0");
    expect_eq(u256_and(&a, &b), "0x0f000f000f000f000f000f000f000f000f000f000f000f000f000f000f000f00", "and");
    expect_eq(u256_or(&a, &b), "0xfff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0fff0", "or");
    expect_eq(u256_xor(&a, &b), "0xf0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", "xor");
    expect_eq(u256_not(&a), "0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff", "not");

    u256 one = u256_from_u64(1), max = u256_max(), mn = U(MIN_NEG_HEX);
    /* EIP-145 examples */
    expect_eq(u256_shl(&one, 0), "0x1", "1<<0");
    expect_eq(u256_shl(&one, 1), "0x2", "1<<1");
    expect_eq(u256_shl(&one, 255), MIN_NEG_HEX, "1<<255");
    expect_eq(u256_shl(&one, 256), "0x0", "1<<256");
    expect_eq(u256_shl(&max, 1), "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe", "max<<1");
    expect_eq(u256_shl(&max, 255), MIN_NEG_HEX, "max<<255");
    expect_eq(u256_shl(&max, 256), "0x0", "max<<256");
    expect_eq(u256_shl(&max, UINT32_MAX), "0x0", "max<<huge");
    expect_eq(u256_shr(&one, 0), "0x1", "1>>0");
    expect_eq(u256_shr(&one, 1), "0x0", "1>>1");
    expect_eq(u256_shr(&mn, 1), "0x4000000000000000000000000000000000000000000000000000000000000000", "2^255>>1");
    expect_eq(u256_shr(&mn, 255), "0x1", "2^255>>255");
    expect_eq(u256_shr(&mn, 256), "0x0", "2^255>>256");
    expect_eq(u256_shr(&max, 255), "0x1", "max>>255");
    expect_eq(u256_shr(&max, UINT32_MAX), "0x0", "max>>huge");
    expect_eq(u256_sar(&one, 1), "0x0", "sar 1,1");
    expect_eq(u256_sar(&mn, 1), "0xc000000000000000000000000000000000000000000000000000000000000000", "sar min,1");
    expect_eq(u256_sar(&mn, 255), MAX_HEX, "sar min,255");
    expect_eq(u256_sar(&mn, 256), MAX_HEX, "sar min,256");
    expect_eq(u256_sar(&max, 0), MAX_HEX, "sar -1,0");
    expect_eq(u256_sar(&max, UINT32_MAX), MAX_HEX, "sar -1,huge");
    u256 pos = U("0x4000000000000000000000000000000000000000000000000000000000000000");
    expect_eq(u256_sar(&pos, 254), "0x1", "sar pos,254");
    expect_eq(u256_sar(&pos, 256), "0x0", "sar pos,256");

    /* limb-boundary shifts: 63, 64, 65, 128 */
    u256 x = U("0x0123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0");
    expect_eq(u256_shl(&x, 64), "0xfedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f00000000000000000", "x<<64");
    expect_eq(u256_shr(&x, 64), "0x0123456789abcdeffedcba98765432100f1e2d3c4b5a6978", "x>>64");
    expect_eq(u256_shr(&x, 128), "0x0123456789abcdeffedcba9876543210", "x>>128");
    expect_eq(u256_shl(&x, 4), "0x123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f00", "x<<4");
    expect_eq(u256_shr(&x, 4), "0x00123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f", "x>>4");
    for (unsigned s = 0; s <= 256; s++) {
        /* shifting left then right by s keeps exactly the low 256-s bits */
        u256 l = u256_shl(&max, s), r = u256_shr(&l, s), back = u256_shr(&max, s);
        assert_true(u256_eq(&r, &back));
        assert_int_equal(u256_bit_len(&back), 256 - s);
    }
}

static void test_bytes(void **state)
{
    (void)state;
    uint8_t be[32];
    for (int i = 0; i < 32; i++)
        be[i] = (uint8_t)(i + 1);
    u256 x = u256_from_be32(be);
    expect_eq(x, "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", "from_be32");
    uint8_t out[32];
    u256_to_be(&x, out);
    assert_memory_equal(out, be, 32);
    expect_eq(u256_from_be(be, 3), "0x010203", "from_be short");
    expect_eq(u256_from_be(be, 0), "0x0", "from_be empty");
    uint8_t long_in[40];
    memset(long_in, 0xee, 8);
    memcpy(long_in + 8, be, 32);
    expect_eq(u256_from_be(long_in, 40), "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
              "from_be long keeps the low 32 bytes");
}

/* ---- division family ----------------------------------------------------- */

struct binop_vector {
    const char *a, *b, *want;
};

static void test_div_mod(void **state)
{
    (void)state;
    static const struct binop_vector div[] = {
        {"0x0", "0x0", "0x0"},
        {"0x5", "0x0", "0x0"},
        {MAX_HEX, "0x0", "0x0"},
        {"0x7", "0x2", "0x3"},
        {"0x2", "0x7", "0x0"},
        {MAX_HEX, "0x1", MAX_HEX},
        {MAX_HEX, MAX_HEX, "0x1"},
        {MAX_HEX, "0x2", "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
        {MAX_HEX, "0xa", "0x1999999999999999999999999999999999999999999999999999999999999999"},
        {MIN_NEG_HEX, "0x10000000000000000", "0x800000000000000000000000000000000000000000000000"},
        {"0xffffffffffffffffffffffffffffffff", "0x10000000000000001", "0xffffffffffffffff"},
        {"0x8000000000000000000000000000000000000000000000000000000000003039",
         "0x400000000000000000000000000000007", "0x1fffffffffffffffffffffffffffffff"},
        {"0xffffffffffffffffffffffffffffffff00000000000000000000000000000005",
         "0xfffffffffffffffffffffffffffffffe", "0x100000000000000000000000000000001"},
        {MAX_HEX, "0x1000000000000000000000000000000000000000000000003", "0xffffffffffffffff"},
        {"0x400000000000000000000010000000000000000000000063", "0x1000000000000010000000000000001",
         "0x3fffffffffffffc000"},
        /* Knuth step D6 ("add back"): the two-limb estimate is one too big. */
        {"0x7fffffffffffffff800000000000000000000000000000000000000000000000",
         "0x800000000000000000000000000000000000000000000001", "0xfffffffffffffffe"},
    };
    static const char *const mod[] = {
        "0x0", "0x0", "0x0", "0x1", "0x2", "0x0", "0x0", "0x1", "0x5", "0x0", "0x0",
        "0x320000000000000000000000000003040", "0x7", "0xfffffffffffffffffffffffffffffffd0000000000000002",
        "0x1000003fc00000000000004063", "0x7fffffffffffffffffffffffffffffff0000000000000002",
    };
    for (size_t i = 0; i < sizeof div / sizeof div[0]; i++) {
        u256 a = U(div[i].a), b = U(div[i].b), q, r;
        expect_eq(u256_div(&a, &b), div[i].want, div[i].a);
        expect_eq(u256_mod(&a, &b), mod[i], div[i].a);
        u256_divmod(&a, &b, &q, &r);
        expect_eq(q, div[i].want, "divmod q");
        expect_eq(r, mod[i], "divmod r");
        /* either output may be omitted */
        u256_divmod(&a, &b, NULL, &r);
        expect_eq(r, mod[i], "divmod r only");
        u256_divmod(&a, &b, &q, NULL);
        expect_eq(q, div[i].want, "divmod q only");
    }
}

static void test_sdiv_smod(void **state)
{
    (void)state;
    const char *m8 = "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8"; /* -8 */
    const char *m3 = "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd"; /* -3 */
    const char *m2 = "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"; /* -2 */
    static const char *const m7 = "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff9";
    const struct binop_vector sdiv[] = {
        {m8, "0x3", m2},   /* truncates toward zero */
        {"0x8", m3, m2},
        {m8, m3, "0x2"},
        {"0x8", "0x3", "0x2"},
        {m8, "0x0", "0x0"},
        {"0x0", m3, "0x0"},
        {MIN_NEG_HEX, MAX_HEX, MIN_NEG_HEX}, /* -2^255 / -1 overflows back to -2^255 */
        {MIN_NEG_HEX, "0x1", MIN_NEG_HEX},
        {MAX_HEX, MAX_HEX, "0x1"},
        {MAX_HEX, MIN_NEG_HEX, "0x0"},
        {MIN_NEG_HEX, MIN_NEG_HEX, "0x1"},
    };
    const struct binop_vector smod[] = {
        {m8, "0x3", m2}, /* sign follows the dividend */
        {"0x8", m3, "0x2"},
        {m8, m3, m2},
        {"0x8", "0x3", "0x2"},
        {m8, "0x0", "0x0"},
        {MIN_NEG_HEX, MAX_HEX, "0x0"},
        {MIN_NEG_HEX, "0x3", m2},
        {m7, MIN_NEG_HEX, m7},
        {MAX_HEX, "0x2", MAX_HEX},
    };
    for (size_t i = 0; i < sizeof sdiv / sizeof sdiv[0]; i++) {
        u256 a = U(sdiv[i].a), b = U(sdiv[i].b);
        expect_eq(u256_sdiv(&a, &b), sdiv[i].want, "sdiv");
    }
    for (size_t i = 0; i < sizeof smod / sizeof smod[0]; i++) {
        u256 a = U(smod[i].a), b = U(smod[i].b);
        expect_eq(u256_smod(&a, &b), smod[i].want, "smod");
    }
}

struct ternop_vector {
    const char *a, *b, *m, *want;
};

static void test_addmod_mulmod(void **state)
{
    (void)state;
    const char *a = "0x800000000000000000000000000000000000000000000000000000000000000b";
    const char *b = "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa";
    const char *m1 = "0x100000000000000000000000000000000000000000000000007";
    const struct ternop_vector addmod[] = {
        {"0x1", "0x2", "0x0", "0x0"}, /* m = 0 */
        {"0x1", "0x2", "0x2", "0x1"},
        {MAX_HEX, MAX_HEX, MAX_HEX, "0x0"},
        {MAX_HEX, "0x2", "0x3", "0x2"}, /* 2^256 + 1 needs the 257th bit */
        {MAX_HEX, MAX_HEX, "0x7", "0x2"},
        {a, b, m1, "0xfffffffffffffffffffffffffffffffffff58000000000000c"},
        {a, b, "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe",
         "0x8000000000000000000000000000000000000000000000000000000000000007"},
        /* EVM tests: ADDMOD(-1, -1, -1) with -1 as unsigned */
        {"0x5", "0x6", "0xb", "0x0"},
    };
    const struct ternop_vector mulmod[] = {
        {"0x3", "0x4", "0x0", "0x0"},
        {"0x3", "0x4", "0x5", "0x2"},
        {"0x0", MAX_HEX, "0x7", "0x0"},
        {MAX_HEX, MAX_HEX, MAX_HEX, "0x0"},
        {MAX_HEX, MAX_HEX, "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe", "0x1"},
        {MAX_HEX, MAX_HEX, "0xc", "0x9"},
        {a, b, m1, "0x187fffffffffffc7ffffffffffffbe"},
        {a, b, "0x400000000000000010000000000000011", "0x37668000000000036b9880000000000f0"},
        {a, b, "0xfffffffffffffffe00000000000000010000000000000000ffffffffffffffff",
         "0xffffffffffffffff6fffffffffffffff87fffffffffffffc7"},
    };
    for (size_t i = 0; i < sizeof addmod / sizeof addmod[0]; i++) {
        u256 x = U(addmod[i].a), y = U(addmod[i].b), m = U(addmod[i].m);
        expect_eq(u256_addmod(&x, &y, &m), addmod[i].want, "addmod");
        expect_eq(u256_addmod(&y, &x, &m), addmod[i].want, "addmod commuted");
    }
    for (size_t i = 0; i < sizeof mulmod / sizeof mulmod[0]; i++) {
        u256 x = U(mulmod[i].a), y = U(mulmod[i].b), m = U(mulmod[i].m);
        expect_eq(u256_mulmod(&x, &y, &m), mulmod[i].want, "mulmod");
        expect_eq(u256_mulmod(&y, &x, &m), mulmod[i].want, "mulmod commuted");
    }
}

static void test_exp(void **state)
{
    (void)state;
    static const struct binop_vector exp[] = {
        {"0x0", "0x0", "0x1"}, /* 0^0 = 1 in the EVM */
        {"0x0", "0x5", "0x0"},
        {"0x5", "0x0", "0x1"},
        {MAX_HEX, "0x0", "0x1"},
        {"0x1", MAX_HEX, "0x1"},
        {"0x2", "0xff", MIN_NEG_HEX},
        {"0x2", "0x100", "0x0"},
        {"0x2", MAX_HEX, "0x0"},
        {"0x2", "0x10000000000000000", "0x0"}, /* exponent past 64 bits */
        {"0x2", "0x3", "0x8"},
        {"0x3", MAX_HEX, "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"},
        {"0x7", "0x100000000000000000000000000000000000000000000000001",
         "0xeffd1aaf8308e800000000000000000000000000000000000000000000000007"},
        {MAX_HEX, "0x2", "0x1"},
        {MAX_HEX, "0x3", MAX_HEX},
        {"0x1234567", "0x10001", "0x8aa55eb48e45c1293458d890b47c8e076ecd6405fdabc5ce825e7a8f66b4567"},
        {"0x10000000000000001", "0x3e8", "0x9e781d80000000000079f2c00000000000003e80000000000000001"},
        {"0x100", "0x1f", "0x100000000000000000000000000000000000000000000000000000000000000"},
        {"0x100", "0x20", "0x0"},
    };
    for (size_t i = 0; i < sizeof exp / sizeof exp[0]; i++) {
        u256 b = U(exp[i].a), e = U(exp[i].b);
        expect_eq(u256_exp(&b, &e), exp[i].want, exp[i].a);
    }
}

/* ---- SIGNEXTEND and BYTE ------------------------------------------------- */

static void test_signextend(void **state)
{
    (void)state;
    u256 zero = u256_zero(), b;
    u256 x = U("0xff");
    expect_eq(u256_signextend(&zero, &x), MAX_HEX, "signextend(0, 0xff)");
    x = U("0x7f");
    expect_eq(u256_signextend(&zero, &x), "0x7f", "signextend(0, 0x7f)");
    b = u256_from_u64(1);
    x = U("0x8000");
    expect_eq(u256_signextend(&b, &x), "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8000",
              "signextend(1, 0x8000)");
    x = U("0x1234567f7f");
    expect_eq(u256_signextend(&zero, &x), "0x7f", "high garbage cleared");

    /* Every byte index: negative and positive patterns against a
     * shift-based reference (move the sign byte to the top, SAR back). */
    static const char *const patterns[] = {
        MAX_HEX, "0x0", MIN_NEG_HEX,
        "0x8080808080808080808080808080808080808080808080808080808080808080",
        "0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
        "0x0123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0",
    };
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        x = U(patterns[p]);
        for (unsigned i = 0; i < 31; i++) {
            b = u256_from_u64(i);
            unsigned s = 256 - 8 * (i + 1);
            u256 t = u256_shl(&x, s), want = u256_sar(&t, s), got = u256_signextend(&b, &x);
            assert_true(u256_eq(&got, &want));
        }
        /* index 31 and beyond leave x unchanged */
        static const char *const big_index[] = {"0x1f", "0x20", "0xffffffff", "0x10000000000000000", MAX_HEX};
        for (size_t k = 0; k < sizeof big_index / sizeof big_index[0]; k++) {
            b = U(big_index[k]);
            u256 got = u256_signextend(&b, &x);
            assert_true(u256_eq(&got, &x));
        }
    }
}

static void test_byte(void **state)
{
    (void)state;
    u256 x = U("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    for (uint64_t i = 0; i < 32; i++) {
        u256 idx = u256_from_u64(i), got = u256_byte(&idx, &x);
        assert_true(u256_fits_u64(&got));
        assert_int_equal(got.w[0], i + 1);
    }
    static const char *const out_of_range[] = {"0x20", "0x21", "0xffffffffffffffff", "0x10000000000000000",
                                               "0x10000000000000000000000000000000000000000000000000", MAX_HEX};
    for (size_t k = 0; k < sizeof out_of_range / sizeof out_of_range[0]; k++) {
        u256 idx = U(out_of_range[k]);
        expect_eq(u256_byte(&idx, &x), "0x0", out_of_range[k]);
    }
    u256 max = u256_max(), zero = u256_zero();
    expect_eq(u256_byte(&zero, &max), "0xff", "byte 0 of max");
}

/* ---- text ---------------------------------------------------------------- */

static void test_from_string(void **state)
{
    (void)state;
    u256 r;
    expect_eq(U("0x"), "0x0", "bare 0x is zero");
    expect_eq(U("0x0"), "0x0", "0x0");
    expect_eq(U("0X1F"), "0x1f", "upper case");
    expect_eq(U("0xAbCd"), "0xabcd", "mixed case");
    expect_eq(U("0x0000000000000000000000000000000000000000000000000000000000000000000000000001"), "0x1",
              "leading zeros past 64 digits");
    expect_eq(U("0x00000000000000000000000000000000000000000000000000000000000000ff"), "0xff", "fixture style");
    expect_eq(U("0"), "0x0", "decimal zero");
    expect_eq(U("00012"), "0xc", "decimal with leading zeros");
    expect_eq(U("18446744073709551616"), "0x10000000000000000", "2^64 decimal");
    expect_eq(U(MAX_DEC), MAX_HEX, "max decimal");

    static const char *const bad[] = {
        "",
        "0x1g",
        "0xx1",
        " 0x1",
        "0x1 ",
        "-1",
        "+1",
        "12a",
        "1.5",
        "0x10000000000000000000000000000000000000000000000000000000000000000", /* 2^256 */
        "0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "115792089237316195423570985008687907853269984665640564039457584007913129639936", /* 2^256 */
        "1157920892373161954235709850086879078532699846656405640394575840079131296399350",
        "0x0000000000000000000000000000000000000000000000000000000000000000000000000000000g",
        "0x10000000000000000000000000000000000000000000000000000000000000000g", /* long and junk */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (u256_from_string(bad[i], &r))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_false(u256_from_string(NULL, &r));
}

static void test_to_string(void **state)
{
    (void)state;
    char buf[80];
    u256 x = u256_zero();
    u256_to_hex(&x, buf);
    assert_string_equal(buf, "0x0");
    u256_to_dec(&x, buf);
    assert_string_equal(buf, "0");
    x = u256_max();
    u256_to_hex(&x, buf);
    assert_string_equal(buf, MAX_HEX);
    u256_to_dec(&x, buf);
    assert_string_equal(buf, MAX_DEC);
    x = U("0xabc");
    u256_to_hex(&x, buf);
    assert_string_equal(buf, "0xabc");
    x = U("0x10000000000000000");
    u256_to_hex(&x, buf);
    assert_string_equal(buf, "0x10000000000000000");
    /* 10^19 and 10^38 cross the 19-digit chunks used internally */
    x = U("10000000000000000000");
    u256_to_dec(&x, buf);
    assert_string_equal(buf, "10000000000000000000");
    x = U("100000000000000000000000000000000000000");
    u256_to_dec(&x, buf);
    assert_string_equal(buf, "100000000000000000000000000000000000000");
    x = U("100000000000000000000000000000000000007");
    u256_to_dec(&x, buf);
    assert_string_equal(buf, "100000000000000000000000000000000000007");
    x = u256_from_u64(UINT64_MAX);
    u256_to_dec(&x, buf);
    assert_string_equal(buf, "18446744073709551615");
}

/* ---- randomized cross-check against GMP ---------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Operands that exercise every path: 0-4 limbs, short top limbs, limbs of
 * all ones or all zeros, near-powers of two. */
static u256 random_u256(void)
{
    u256 r = u256_zero();
    int limbs = (int)(rng() % 5);
    for (int i = 0; i < limbs; i++) {
        switch (rng() % 6) {
        case 0:
            r.w[i] = UINT64_MAX;
            break;
        case 1:
            r.w[i] = 0;
            break;
        case 2:
            r.w[i] = 1ULL << (rng() % 64);
            break;
        default:
            r.w[i] = rng();
        }
    }
    if (limbs > 0 && rng() % 3 == 0)
        r.w[limbs - 1] >>= rng() % 64;
    if (rng() % 16 == 0)
        r = u256_not(&r);
    return r;
}

static void to_mpz(mpz_t z, const u256 *a) { mpz_import(z, 4, -1, sizeof(uint64_t), 0, 0, a->w); }

/* z mod 2^256, as two's complement for negative z */
static u256 from_mpz(const mpz_t z)
{
    mpz_t t;
    mpz_init(t);
    mpz_fdiv_r_2exp(t, z, 256);
    u256 r = u256_zero();
    size_t count;
    mpz_export(r.w, &count, -1, sizeof(uint64_t), 0, 0, t);
    mpz_clear(t);
    return r;
}

static void to_mpz_signed(mpz_t z, const u256 *a)
{
    to_mpz(z, a);
    if (u256_is_neg(a)) {
        mpz_t two256;
        mpz_init(two256);
        mpz_ui_pow_ui(two256, 2, 256);
        mpz_sub(z, z, two256);
        mpz_clear(two256);
    }
}

#define CHECK_GMP(got, z, what)                                                                              \
    do {                                                                                                     \
        u256 want_ = from_mpz(z);                                                                            \
        if (!u256_eq(&(got), &want_)) {                                                                      \
            char ha[67], hb[67], hg[67], hw[67];                                                             \
            u256_to_hex(&a, ha), u256_to_hex(&b, hb), u256_to_hex(&(got), hg), u256_to_hex(&want_, hw);      \
            fail_msg("%s(%s, %s): got %s want %s", what, ha, hb, hg, hw);                                    \
        }                                                                                                    \
    } while (0)

static void test_gmp_random(void **state)
{
    (void)state;
    mpz_t A, B, C, R, two256;
    mpz_inits(A, B, C, R, two256, NULL);
    mpz_ui_pow_ui(two256, 2, 256);
    for (int iter = 0; iter < 200000; iter++) {
        u256 a = random_u256(), b = random_u256(), c = random_u256(), got;
        to_mpz(A, &a);
        to_mpz(B, &b);
        to_mpz(C, &c);

        got = u256_div(&a, &b);
        if (mpz_sgn(B))
            mpz_fdiv_q(R, A, B);
        else
            mpz_set_ui(R, 0);
        CHECK_GMP(got, R, "div");
        got = u256_mod(&a, &b);
        if (mpz_sgn(B))
            mpz_fdiv_r(R, A, B);
        else
            mpz_set_ui(R, 0);
        CHECK_GMP(got, R, "mod");

        /* signed: GMP's tdiv truncates toward zero and its remainder
         * takes the dividend's sign, which is exactly SDIV/SMOD */
        mpz_t SA, SB;
        mpz_inits(SA, SB, NULL);
        to_mpz_signed(SA, &a);
        to_mpz_signed(SB, &b);
        got = u256_sdiv(&a, &b);
        if (mpz_sgn(SB))
            mpz_tdiv_q(R, SA, SB);
        else
            mpz_set_ui(R, 0);
        CHECK_GMP(got, R, "sdiv");
        got = u256_smod(&a, &b);
        if (mpz_sgn(SB))
            mpz_tdiv_r(R, SA, SB);
        else
            mpz_set_ui(R, 0);
        CHECK_GMP(got, R, "smod");
        mpz_clears(SA, SB, NULL);

        got = u256_addmod(&a, &b, &c);
        mpz_add(R, A, B);
        if (mpz_sgn(C))
            mpz_fdiv_r(R, R, C);
        else
            mpz_set_ui(R, 0);
        CHECK_GMP(got, R, "addmod");
        got = u256_mulmod(&a, &b, &c);
        mpz_mul(R, A, B);
        if (mpz_sgn(C))
            mpz_fdiv_r(R, R, C);
        else
            mpz_set_ui(R, 0);
        CHECK_GMP(got, R, "mulmod");

        got = u256_mul(&a, &b);
        mpz_mul(R, A, B);
        CHECK_GMP(got, R, "mul");

        if (iter % 8 == 0) {
            got = u256_exp(&a, &b);
            mpz_powm(R, A, B, two256);
            CHECK_GMP(got, R, "exp");
        }

        char text[80];
        u256 back;
        u256_to_dec(&a, text);
        char *g = mpz_get_str(NULL, 10, A);
        assert_string_equal(text, g);
        free(g);
        assert_true(u256_from_string(text, &back));
        assert_true(u256_eq(&back, &a));
        u256_to_hex(&a, text);
        g = mpz_get_str(NULL, 16, A);
        assert_string_equal(text + 2, g);
        free(g);
        assert_true(u256_from_string(text, &back));
        assert_true(u256_eq(&back, &a));
    }
    mpz_clears(A, B, C, R, two256, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_sub_mul), cmocka_unit_test(test_compare),
        cmocka_unit_test(test_bitwise_and_shifts), cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_div_mod), cmocka_unit_test(test_sdiv_smod),
        cmocka_unit_test(test_addmod_mulmod), cmocka_unit_test(test_exp),
        cmocka_unit_test(test_signextend), cmocka_unit_test(test_byte),
        cmocka_unit_test(test_from_string), cmocka_unit_test(test_to_string),
        cmocka_unit_test(test_gmp_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
