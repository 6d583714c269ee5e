/*
 * keccak-256 known answers. Vectors come from three independent places:
 * the well-known Ethereum constants (empty string, rlp("") = empty trie
 * root), a straightforward reference implementation of the Keccak spec in
 * Python that was first checked against hashlib.sha3_256 with the FIPS 202
 * padding and then run with Ethereum's 0x01 padding (lengths around the
 * 136-byte rate, 200 x 0xa3), and transaction hashes from ethereum/tests
 * TransactionTests (hash = keccak256(txbytes)), inline and from fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/base/hex.h"
#include "../src/base/keccak.h"

static void expect_hash(const void *data, size_t len, const char *want_hex)
{
    uint8_t got[32], want[32];
    keccak256(data, len, got);
    assert_int_equal(hex_decode_exact(want_hex, want, 32), PAREVM_OK);
    if (memcmp(got, want, 32) != 0) {
        char h[67];
        hex_encode(got, 32, h);
        fail_msg("len %zu: got %s want %s", len, h, want_hex);
    }
}

static void test_empty(void **state)
{
    (void)state;
    expect_hash("", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    uint8_t h[32];
    keccak256(NULL, 0, h);
    assert_memory_equal(h, KECCAK_EMPTY.bytes, 32);
    hash32 hh = keccak256_hash("", 0);
    assert_true(hash32_eq(&hh, &KECCAK_EMPTY));
}

static void test_empty_trie_root(void **state)
{
    (void)state;
    uint8_t rlp_empty = 0x80;
    expect_hash(&rlp_empty, 1, "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    hash32 h = keccak256_hash(&rlp_empty, 1);
    assert_true(hash32_eq(&h, &EMPTY_TRIE_ROOT));
}

static void test_short_strings(void **state)
{
    (void)state;
    expect_hash("abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    const char *fox = "The quick brown fox jumps over the lazy dog";
    expect_hash(fox, strlen(fox), "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

/* Lengths at the rate boundary: 135 puts both padding bits in one byte,
 * 136 needs a whole padding block, 137 spills one byte into block two. */
static void test_rate_boundary(void **state)
{
    (void)state;
    uint8_t msg[137];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    expect_hash(msg, 135, "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62");
    expect_hash(msg, 136, "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e");
    expect_hash(msg, 137, "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db");
}

static void test_200_bytes(void **state)
{
    (void)state;
    uint8_t msg[200];
    memset(msg, 0xa3, sizeof msg);
    expect_hash(msg, sizeof msg, "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a");
}

/* ethereum/tests TransactionTests ttEIP2930/accessListStorage32Bytes:
 * a 157-byte typed transaction and its hash. */
static void test_transaction_hash(void **state)
{
    (void)state;
    const char *tx = "0x01f89a018001826a4094095e7baea6a6c7c4c2dfeb977efac326af552d878080f838f794a95e7baea6a6c7c4"
                     "c2dfeb977efac326af552d87e1a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                     "ff80a05cbd172231fc0735e0fb994dd5b1a4939170a260b36f0427a8a80866b063b948a07c230f7f578dd61785"
                     "c93361b9871c0706ebfa6d06e3f4491dc9558c5202ed36";
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hex_decode_alloc(tx, &bytes, &len), PAREVM_OK);
    assert_int_equal(len, 157);
    expect_hash(bytes, len, "b4f8b14a7aaf85ec2f76be9fbe4155deae1f87b2da95af73be3c27ed8d4c8cb7");
    free(bytes);
}

/* Feeding the same bytes in any split must give the one-shot digest. */
static void test_incremental(void **state)
{
    (void)state;
    uint8_t msg[700];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 131 + 7);

    for (size_t len = 0; len <= sizeof msg; len += (len < 300 ? 1 : 37)) {
        uint8_t want[32], got[32];
        keccak256(msg, len, want);

        /* every single split point */
        for (size_t cut = 0; cut <= len; cut += (len < 300 ? 1 : 13)) {
            struct keccak_ctx ctx;
            keccak256_init(&ctx);
            keccak256_update(&ctx, msg, cut);
            keccak256_update(&ctx, msg + cut, len - cut);
            keccak256_final(&ctx, got);
            assert_memory_equal(got, want, 32);
        }

        /* byte by byte, and uneven chunks 1, 2, 3, ... */
        struct keccak_ctx ctx;
        keccak256_init(&ctx);
        for (size_t i = 0; i < len; i++)
            keccak256_update(&ctx, msg + i, 1);
        keccak256_final(&ctx, got);
        assert_memory_equal(got, want, 32);

        /* final() leaves the context ready for a new message */
        size_t off = 0, step = 1;
        while (off < len) {
            size_t n = step < len - off ? step : len - off;
            keccak256_update(&ctx, msg + off, n);
            off += n;
            step++;
        }
        keccak256_update(&ctx, msg, 0);
        keccak256_final(&ctx, got);
        assert_memory_equal(got, want, 32);
    }
}

/* Unaligned input must not matter (lanes are loaded with memcpy). */
static void test_unaligned(void **state)
{
    (void)state;
    uint8_t buf[300 + 8];
    uint8_t want[32], got[32];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i ^ 0x5a);
    for (size_t shift = 1; shift < 8; shift++) {
        memmove(buf + shift, buf, 300);
        keccak256(buf + shift, 300, got);
        memmove(buf, buf + shift, 300);
        keccak256(buf, 300, want);
        assert_memory_equal(got, want, 32);
    }
}

/* Every transaction hash in ethereum/tests TransactionTests (when the
 * fixtures are present): sizes from ~100 bytes to ~49 KB. */
static int check_tx_dir(const char *dir, int *cases)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            check_tx_dir(path, cases);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char *text = malloc((size_t)st.st_size + 1);
        assert_non_null(text);
        assert_int_equal(fread(text, 1, (size_t)st.st_size, f), (size_t)st.st_size);
        text[st.st_size] = '\0';
        fclose(f);
        cJSON *root = cJSON_Parse(text);
        free(text);
        assert_non_null(root);
        const cJSON *tc;
        cJSON_ArrayForEach(tc, root)
        {
            const cJSON *txbytes = cJSON_GetObjectItemCaseSensitive(tc, "txbytes");
            const cJSON *result = cJSON_GetObjectItemCaseSensitive(tc, "result");
            const cJSON *fork, *hash = NULL;
            cJSON_ArrayForEach(fork, result)
            {
                hash = cJSON_GetObjectItemCaseSensitive(fork, "hash");
                if (hash)
                    break;
            }
            if (!cJSON_IsString(txbytes) || !cJSON_IsString(hash))
                continue;
            uint8_t *bytes;
            size_t len;
            assert_int_equal(hex_decode_alloc(txbytes->valuestring, &bytes, &len), PAREVM_OK);
            expect_hash(bytes, len, hash->valuestring);
            free(bytes);
            (*cases)++;
        }
        cJSON_Delete(root);
    }
    closedir(d);
    return 0;
}

static void test_fixture_tx_hashes(void **state)
{
    (void)state;
    const char *env = getenv("PAREVM_FIXTURES");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ethereum-tests/TransactionTests", env && *env ? env : "../shared/fixtures");
    int cases = 0;
    if (check_tx_dir(dir, &cases) != 0) {
        print_message("skipped: fixtures not found\n");
        skip();
    }
    print_message("TransactionTests: %d hashes\n", cases);
    assert_true(cases > 0);
}

/* keccak256_many: the known answers above in one batch (lanes refilled
 * mid-batch, lengths across the rate boundary), then batches of every
 * size up to 40 with lengths 0..700 against keccak256 one by one. */
static void check_many(void)
{
    uint8_t seq[137], a3[200];
    for (size_t i = 0; i < sizeof seq; i++)
        seq[i] = (uint8_t)i;
    memset(a3, 0xa3, sizeof a3);
    const uint8_t *data[] = {
        (const uint8_t *)"", (const uint8_t *)"abc", seq, seq, seq, a3, (const uint8_t *)"", a3, seq};
    const size_t len[] = {0, 3, 135, 136, 137, 200, 0, 200, 135};
    const char *want[] = {"c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
                          "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
                          "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62",
                          "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e",
                          "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db",
                          "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a",
                          "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
                          "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a",
                          "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"};
    size_t n = sizeof len / sizeof len[0];
    hash32 got[9];
    keccak256_many(data, len, n, got);
    for (size_t i = 0; i < n; i++) {
        uint8_t w[32];
        assert_int_equal(hex_decode_exact(want[i], w, 32), PAREVM_OK);
        if (memcmp(got[i].bytes, w, 32) != 0)
            fail_msg("batch item %zu (len %zu) differs", i, len[i]);
    }

    static uint8_t pool[4096];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < sizeof pool; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        pool[i] = (uint8_t)x;
    }
    const uint8_t *msgs[40];
    size_t lens[40];
    hash32 many[40];
    for (size_t count = 1; count <= 40; count++) {
        for (size_t i = 0; i < count; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            lens[i] = (size_t)(x % 701);
            msgs[i] = pool + (x >> 32) % (sizeof pool - 701);
        }
        keccak256_many(msgs, lens, count, many);
        for (size_t i = 0; i < count; i++) {
            uint8_t one[32];
            keccak256(msgs[i], lens[i], one);
            if (memcmp(one, many[i].bytes, 32) != 0)
                fail_msg("batch of %zu, item %zu (len %zu) differs from keccak256", count, i, lens[i]);
        }
    }
}

/* keccak256_memo: the same bytes as keccak256 for inputs it remembers
 * (32 and 64 bytes: first call, repeat, after 1000 others have evicted
 * it) and for those it does not. */
static void test_memo(void **state)
{
    (void)state;
    uint8_t in[1000][64], got[32], want[32];
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (size_t i = 0; i < 1000; i++)
        for (size_t k = 0; k < 64; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            in[i][k] = (uint8_t)x;
        }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < 1000; i++) {
            size_t len = i % 3 == 0 ? 32 : i % 3 == 1 ? 64 : i % 65;
            keccak256(in[i], len, want);
            keccak256_memo(in[i], len, got);
            assert_memory_equal(got, want, 32);
            keccak256_memo(in[i], len, got); /* (a hit when remembered) */
            assert_memory_equal(got, want, 32);
        }
    /* two inputs alike but for their last byte */
    uint8_t a[64] = {0}, b[64] = {0};
    b[63] = 1;
    keccak256(b, 64, want);
    keccak256_memo(a, 64, got);
    keccak256_memo(b, 64, got);
    assert_memory_equal(got, want, 32);
}

/* Every path this processor has (keccak256's too), the best one last. */
static void test_many(void **state)
{
    (void)state;
    const char *isa[] = {"scalar", "avx2", "avx512"};
    for (size_t k = 0; k < 3; k++)
        if (keccak_use_isa(isa[k])) {
            print_message("keccak256_many: %s\n", isa[k]);
            test_short_strings(state);
            test_rate_boundary(state);
            test_200_bytes(state);
            test_incremental(state);
            test_unaligned(state);
            check_many();
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_empty_trie_root),
        cmocka_unit_test(test_short_strings),
        cmocka_unit_test(test_rate_boundary),
        cmocka_unit_test(test_200_bytes),
        cmocka_unit_test(test_transaction_hash),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_unaligned),
        cmocka_unit_test(test_fixture_tx_hashes),
        cmocka_unit_test(test_memo), cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
