/*
 * Precompiled contracts 0x01..0x0a: activation per fork, gas per fork,
 * known-answer vectors and invalid inputs.
 *
 * The tables marked "public test data" are input/output/gas triples from
 * go-ethereum's core/vm/testdata/precompiles (which collect the EIP
 * examples and the cdetrio/chfast/jeff/nagydani/... vectors); each is run
 * with exactly its gas (must succeed with that output) and with one gas
 * less (must fail, output empty, all gas consumed).
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
#include "../src/evm/blake2f.h"
#include "../src/evm/bn254.h"
#include "../src/evm/kzg.h"
#include "../src/evm/precompiles.h"

struct vector {
    const char *name;
    uint64_t gas;
    const char *input;    /* hex, no 0x */
    const char *expected; /* hex, no 0x */
};

/* ---- helpers ----------------------------------------------------------- */

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a fresh heap buffer (never NULL, so empty inputs still
 * have a valid pointer); *len receives the byte count. */
static uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    assert_int_equal(n % 2, 0);
    uint8_t *out = malloc(n / 2 + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

static void assert_bytes_hex(const uint8_t *got, size_t got_len, const char *hex, const char *what)
{
    size_t n;
    uint8_t *want = unhex(hex, &n);
    if (got_len != n || (n && memcmp(got, want, n) != 0)) {
        print_error("%s: output mismatch (got %zu bytes, want %zu)\n  got  ", what, got_len, n);
        for (size_t i = 0; i < got_len; i++)
            print_error("%02x", got[i]);
        print_error("\n  want %s\n", hex);
        free(want);
        fail();
    }
    free(want);
}

struct run_result {
    enum precompile_status status;
    uint64_t gas_used;
    struct bytebuf out;
};

static struct run_result run(int id, enum fork fork, const uint8_t *in, size_t len, uint64_t gas)
{
    struct run_result r = {0};
    /* A dirty buffer and gas counter prove that run resets them. */
    assert_int_equal(bytebuf_append(&r.out, "junk", 4), PAREVM_OK);
    r.gas_used = 12345;
    r.status = precompile_run(id, fork, in, len, gas, &r.gas_used, &r.out);
    if (r.status == PRECOMPILE_FAILURE) {
        assert_int_equal(r.out.len, 0);
        assert_int_equal(r.gas_used, gas);
    }
    if (r.status == PRECOMPILE_OK)
        assert_true(r.gas_used <= gas);
    return r;
}

static struct run_result run_hex(int id, enum fork fork, const char *hex, uint64_t gas)
{
    size_t len;
    uint8_t *in = unhex(hex, &len);
    struct run_result r = run(id, fork, in, len, gas);
    free(in);
    return r;
}

/* Expects failure (all gas consumed, empty output). */
static void expect_failure_hex(int id, enum fork fork, const char *hex, uint64_t gas, const char *what)
{
    struct run_result r = run_hex(id, fork, hex, gas);
    if (r.status != PRECOMPILE_FAILURE) {
        print_error("%s: expected failure, got status %d\n", what, r.status);
        fail();
    }
    bytebuf_free(&r.out);
}

static void expect_ok_hex(int id, enum fork fork, const char *in_hex, uint64_t gas, uint64_t want_gas,
                          const char *out_hex, const char *what)
{
    struct run_result r = run_hex(id, fork, in_hex, gas);
    if (r.status != PRECOMPILE_OK) {
        print_error("%s: expected success, got status %d\n", what, r.status);
        fail();
    }
    if (r.gas_used != want_gas) {
        print_error("%s: gas %llu, want %llu\n", what, (unsigned long long)r.gas_used,
                    (unsigned long long)want_gas);
        fail();
    }
    assert_bytes_hex(r.out.data, r.out.len, out_hex, what);
    bytebuf_free(&r.out);
}

/* Each vector: exact gas succeeds with the expected output; one gas less
 * fails. An empty expected output with a success is ecrecover's "no
 * signer" answer. */
static void run_vectors(int id, enum fork fork, const struct vector *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        expect_ok_hex(id, fork, v[i].input, v[i].gas, v[i].gas, v[i].expected, v[i].name);
        /* Plenty of gas: the price stays the same. */
        expect_ok_hex(id, fork, v[i].input, v[i].gas + 1000000, v[i].gas, v[i].expected, v[i].name);
        if (v[i].gas > 0)
            expect_failure_hex(id, fork, v[i].input, v[i].gas - 1, v[i].name);
    }
}

#define RUN_VECTORS(id, fork, table) run_vectors(id, fork, table, sizeof(table) / sizeof(table[0]))

/* ---- public test data (go-ethereum core/vm/testdata/precompiles) ------- */

static const struct vector ecrecover_vectors[] = {
    {"CallEcrecoverUnrecoverableKey", 3000,
        "a8b53bdf3306a35a7103ab5504a0c9b492295564b6202b1942a84ef30010728100000000000000000000000000000000"
        "0000000000000000000000000000001b3078356531653033663533636531386237373263636230303933666637316633"
        "663533663563373562373464636233316138356161386238383932623465386211223344556677889910111213141516"
        "17181920212223242526272829303132",
        ""},
    {"ValidKey", 3000,
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c00000000000000000000000000000000"
        "0000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
        "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
        "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"},
    {"InvalidHighV-bits-1", 3000,
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c10000000000000000000000000000000"
        "0000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
        "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
        ""},
    {"InvalidHighV-bits-2", 3000,
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c00000000000000000000000000000000"
        "0000001000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
        "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
        ""},
    {"InvalidHighV-bits-3", 3000,
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c00000000000000000000000000000000"
        "0000001000000000000000000000011c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
        "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
        ""},
};

static const struct vector blake2f_vectors[] = {
    {"vector 4", 0,
        "0000000048c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b"
        "8c68059b6bbd41fbabd9831f79217e1319cde05b61626300000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000300000000000000000000000000000001",
        "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b"
        "9442be0454267ce079217e1319cde05b"},
    {"vector 5", 12,
        "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b"
        "8c68059b6bbd41fbabd9831f79217e1319cde05b61626300000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000300000000000000000000000000000001",
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc95"
        "18d38aa8dbf1925ab92386edd4009923"},
    {"vector 6", 12,
        "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b"
        "8c68059b6bbd41fbabd9831f79217e1319cde05b61626300000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000300000000000000000000000000000000",
        "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b"
        "4e426ac4f2d3d666a610c2116fde4735"},
    {"vector 7", 1,
        "0000000148c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b"
        "8c68059b6bbd41fbabd9831f79217e1319cde05b61626300000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000300000000000000000000000000000001",
        "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923"
        "de3d64fcc68c034e717b9293fed7a421"},
    {"vector 8", 8000000,
        "007A120048c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b"
        "8c68059b6bbd41fbabd9831f79217e1319cde05b61626300000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000300000000000000000000000000000001",
        "6d2ce9e534d50e18ff866ae92d70cceba79bbcd14c63819fe48752c8aca87a4bb7dcc230d22a4047f0486cfcfb50a17b"
        "24b2899eb8fca370f22240adb5170189"},
};

/* ---- activation -------------------------------------------------------- */

static void test_count_per_fork(void **state)
{
    (void)state;
    assert_int_equal(precompile_count(FORK_FRONTIER), 4);
    assert_int_equal(precompile_count(FORK_SPURIOUS), 4);
    assert_int_equal(precompile_count(FORK_BYZANTIUM), 8);
    assert_int_equal(precompile_count(FORK_PETERSBURG), 8);
    assert_int_equal(precompile_count(FORK_ISTANBUL), 9);
    assert_int_equal(precompile_count(FORK_SHANGHAI), 9);
    assert_int_equal(precompile_count(FORK_CANCUN), 10);
    assert_int_equal(precompile_count(FORK_PRAGUE), 10 + 0 * 1); /* 0x0b+ not part of this module */
}

static void test_lookup(void **state)
{
    (void)state;
    address a = {{0}};
    assert_int_equal(precompile_lookup(&a, FORK_CANCUN), 0); /* address zero */
    for (int id = 1; id <= 10; id++) {
        a.bytes[19] = (uint8_t)id;
        assert_int_equal(precompile_lookup(&a, FORK_CANCUN), id);
        assert_int_equal(precompile_lookup(&a, FORK_FRONTIER), id <= 4 ? id : 0);
        assert_int_equal(precompile_lookup(&a, FORK_BYZANTIUM), id <= 8 ? id : 0);
        assert_int_equal(precompile_lookup(&a, FORK_ISTANBUL), id <= 9 ? id : 0);
    }
    a.bytes[19] = 11;
    assert_int_equal(precompile_lookup(&a, FORK_CANCUN), 0);
    a.bytes[19] = 1;
    a.bytes[0] = 1; /* 0x0100..01 is not a precompile */
    assert_int_equal(precompile_lookup(&a, FORK_CANCUN), 0);
    a.bytes[0] = 0;
    a.bytes[18] = 1; /* 0x..0101 neither */
    assert_int_equal(precompile_lookup(&a, FORK_CANCUN), 0);
}

static void test_run_inactive_is_error(void **state)
{
    (void)state;
    static const struct {
        int id;
        enum fork fork;
    } cases[] = {{5, FORK_HOMESTEAD}, {9, FORK_PETERSBURG}, {10, FORK_SHANGHAI}, {0, FORK_CANCUN},
                 {11, FORK_CANCUN}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run_result r = run_hex(cases[i].id, cases[i].fork, "", 100000);
        assert_int_equal(r.status, PRECOMPILE_ERROR);
        assert_int_equal(r.out.len, 0);
        bytebuf_free(&r.out);
    }
}

/* ---- 0x01 ecrecover ---------------------------------------------------- */

static void test_ecrecover_vectors(void **state)
{
    (void)state;
    RUN_VECTORS(1, FORK_FRONTIER, ecrecover_vectors);
    RUN_VECTORS(1, FORK_CANCUN, ecrecover_vectors);
}

#define ECR_HASH "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
#define ECR_R "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
#define ECR_S "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
#define W27 "000000000000000000000000000000000000000000000000000000000000001b"
#define W28 "000000000000000000000000000000000000000000000000000000000000001c"
#define ZERO32 "0000000000000000000000000000000000000000000000000000000000000000"
#define SECP_N "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
#define SECP_N_MINUS_1 "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"

static void test_ecrecover_edges(void **state)
{
    (void)state;
    const char *signer = "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b";
    /* s here is above n/2: no low-s rule for the precompile. */
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R ECR_S, 3000, 3000, signer, "valid");
    /* Extra input beyond 128 bytes is ignored. */
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R ECR_S "ffff", 3000, 3000, signer, "long input");
    /* The other parity recovers a different key (or none), never this one. */
    struct run_result r = run_hex(1, FORK_CANCUN, ECR_HASH W27 ECR_R ECR_S, 3000);
    assert_int_equal(r.status, PRECOMPILE_OK);
    assert_true(r.out.len == 0 || r.out.len == 32);
    if (r.out.len == 32) {
        size_t n;
        uint8_t *w = unhex(signer, &n);
        assert_memory_not_equal(r.out.data, w, 32);
        free(w);
    }
    bytebuf_free(&r.out);
    /* v = 0, 1, 29, and 27 + 2^8 are all invalid: empty output, gas charged. */
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH ZERO32 ECR_R ECR_S, 3000, 3000, "", "v=0");
    expect_ok_hex(1, FORK_CANCUN,
                  ECR_HASH "0000000000000000000000000000000000000000000000000000000000000001" ECR_R ECR_S,
                  3000, 3000, "", "v=1");
    expect_ok_hex(1, FORK_CANCUN,
                  ECR_HASH "000000000000000000000000000000000000000000000000000000000000001d" ECR_R ECR_S,
                  3000, 3000, "", "v=29");
    expect_ok_hex(1, FORK_CANCUN,
                  ECR_HASH "000000000000000000000000000000000000000000000000000000000000011b" ECR_R ECR_S,
                  3000, 3000, "", "v=283");
    /* r, s outside [1, n-1]. */
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 ZERO32 ECR_S, 3000, 3000, "", "r=0");
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R ZERO32, 3000, 3000, "", "s=0");
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 SECP_N ECR_S, 3000, 3000, "", "r=n");
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R SECP_N, 3000, 3000, "", "s=n");
    r = run_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R SECP_N_MINUS_1, 3000); /* in range: may recover */
    assert_int_equal(r.status, PRECOMPILE_OK);
    assert_true(r.out.len == 0 || r.out.len == 32);
    bytebuf_free(&r.out);
    /* Truncated input is zero-padded: s becomes 0, so nothing recovers. */
    expect_ok_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R, 3000, 3000, "", "no s");
    expect_ok_hex(1, FORK_CANCUN, "", 3000, 3000, "", "empty");
    /* Gas: 3000 whatever the input; one less fails. */
    expect_failure_hex(1, FORK_CANCUN, ECR_HASH W28 ECR_R ECR_S, 2999, "2999 gas");
    expect_failure_hex(1, FORK_CANCUN, "", 0, "0 gas");
}

/* ---- 0x02 SHA-256, 0x03 RIPEMD-160, 0x04 identity ---------------------- */

static void test_sha256(void **state)
{
    (void)state;
    expect_ok_hex(2, FORK_FRONTIER, "", 60, 60,
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty");
    expect_ok_hex(2, FORK_CANCUN, "616263", 72, 72,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
    /* 33 bytes = 2 words: 60 + 24. */
    struct run_result r = run_hex(2, FORK_CANCUN, ZERO32 "00", 84);
    assert_int_equal(r.status, PRECOMPILE_OK);
    assert_int_equal(r.gas_used, 84);
    assert_int_equal(r.out.len, 32);
    bytebuf_free(&r.out);
    expect_failure_hex(2, FORK_CANCUN, ZERO32 "00", 83, "sha256 83 gas");
    expect_failure_hex(2, FORK_CANCUN, "", 59, "sha256 59 gas");
}

static void test_ripemd160(void **state)
{
    (void)state;
    expect_ok_hex(3, FORK_FRONTIER, "", 600, 600,
                  "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31", "ripemd empty");
    expect_ok_hex(3, FORK_CANCUN, "616263", 720, 720,
                  "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc", "ripemd abc");
    expect_failure_hex(3, FORK_CANCUN, "616263", 719, "ripemd 719 gas");
    /* 64 bytes = 2 words: 600 + 240. */
    struct run_result r = run_hex(3, FORK_CANCUN, ZERO32 ZERO32, 1000);
    assert_int_equal(r.status, PRECOMPILE_OK);
    assert_int_equal(r.gas_used, 840);
    bytebuf_free(&r.out);
}

static void test_identity(void **state)
{
    (void)state;
    expect_ok_hex(4, FORK_FRONTIER, "", 15, 15, "", "identity empty");
    expect_ok_hex(4, FORK_CANCUN, "0102030405", 18, 18, "0102030405", "identity 5");
    expect_ok_hex(4, FORK_CANCUN, ZERO32 "ff", 100, 21, ZERO32 "ff", "identity 33");
    expect_failure_hex(4, FORK_CANCUN, ZERO32 "ff", 20, "identity 20 gas");
    /* A NULL input with length 0 is an empty input. */
    struct run_result r = run(4, FORK_CANCUN, NULL, 0, 15);
    assert_int_equal(r.status, PRECOMPILE_OK);
    assert_int_equal(r.out.len, 0);
    bytebuf_free(&r.out);
}

/* ---- 0x09 BLAKE2F ------------------------------------------------------ */

static void test_blake2f_vectors(void **state)
{
    (void)state;
    RUN_VECTORS(9, FORK_ISTANBUL, blake2f_vectors);
    RUN_VECTORS(9, FORK_CANCUN, blake2f_vectors);
}

/* EIP-152 test vector 5 (12 rounds, final) with its pieces, to build
 * variants. */
#define B2_ROUNDS12 "0000000c"
#define B2_H                                                                                       \
    "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b" \
    "6bbd41fbabd9831f79217e1319cde05b"
#define B2_M                                                                                       \
    "616263000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
    "0000000000000000000000000000000000000000000000000000000000000000"
#define B2_T "03000000000000000000000000000000"

static void test_blake2f_invalid(void **state)
{
    (void)state;
    /* go-ethereum fail-blake2f vectors: empty, 212 bytes, 214 bytes, f=2. */
    expect_failure_hex(9, FORK_CANCUN, "", 1000000, "empty");
    expect_failure_hex(9, FORK_CANCUN, B2_ROUNDS12 B2_H B2_M B2_T, 1000000, "212 bytes");
    expect_failure_hex(9, FORK_CANCUN, B2_ROUNDS12 B2_H B2_M B2_T "0100", 1000000, "214 bytes");
    expect_failure_hex(9, FORK_CANCUN, B2_ROUNDS12 B2_H B2_M B2_T "02", 1000000, "f=2");
    expect_failure_hex(9, FORK_CANCUN, B2_ROUNDS12 B2_H B2_M B2_T "ff", 1000000, "f=255");
    /* 2^32-1 rounds: priced first, so with less gas it fails at once. */
    expect_failure_hex(9, FORK_CANCUN, "ffffffff" B2_H B2_M B2_T "01", 1000000, "2^32-1 rounds");
    expect_failure_hex(9, FORK_CANCUN, "ffffffff" B2_H B2_M B2_T "01", 0xfffffffeULL, "2^32-2 gas");
    /* Zero rounds cost nothing and succeed even with zero gas. */
    struct run_result r = run_hex(9, FORK_CANCUN, "00000000" B2_H B2_M B2_T "01", 0);
    assert_int_equal(r.status, PRECOMPILE_OK);
    assert_int_equal(r.gas_used, 0);
    assert_int_equal(r.out.len, 64);
    bytebuf_free(&r.out);
}

/* The compression function alone: deterministic, and the final flag
 * changes the result. */
static void test_blake2f_compress_flag(void **state)
{
    (void)state;
    uint64_t h1[8] = {1, 2, 3, 4, 5, 6, 7, 8}, h2[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint64_t m[16] = {0}, t[2] = {0, 0};
    blake2f_compress(h1, m, t, true, 12);
    blake2f_compress(h2, m, t, false, 12);
    assert_memory_not_equal(h1, h2, sizeof h1);
    uint64_t h3[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    blake2f_compress(h3, m, t, true, 12);
    assert_memory_equal(h1, h3, sizeof h1);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_per_fork),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_run_inactive_is_error),
        cmocka_unit_test(test_ecrecover_vectors),
        cmocka_unit_test(test_ecrecover_edges),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_ripemd160),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_blake2f_vectors),
        cmocka_unit_test(test_blake2f_invalid),
        cmocka_unit_test(test_blake2f_compress_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
