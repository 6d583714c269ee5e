/*
 * Merkle-Patricia trie roots: known answers, then the ethereum/tests
 * TrieTests suite, then roots that real blocks commit to (BlockchainTests:
 * transactions and withdrawals tries from the block RLP, and state tries
 * of the genesis pre-state and of the post-state).
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
#include <time.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/base/u256.h"
#include "../src/state/trie.h"

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

/* Decode "0x..." hex into a malloc'ed buffer; fail the test otherwise. */
static uint8_t *hex_or_fail(const char *s, size_t *len)
{
    uint8_t *out = NULL;
    assert_int_equal(hex_decode_alloc(s, &out, len), PAREVM_OK);
    return out;
}

static void hash_from_hex(const char *s, hash32 *h)
{
    assert_int_equal(hex_decode_exact(s, h->bytes, 32), PAREVM_OK);
}

/* ---- known answers ---- */

static void test_empty(void **state)
{
    (void)state;
    hash32 root;
    hash32 expect;
    hash_from_hex("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", &expect);
    assert_int_equal(trie_root(NULL, 0, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &expect));
    assert_int_equal(trie_root_ordered(NULL, NULL, 0, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &expect));

    /* Only empty values: still the empty trie. */
    struct trie_kv kv = {(const uint8_t *)"a", 1, (const uint8_t *)"", 0};
    assert_int_equal(trie_root(&kv, 1, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &expect));
}

static void test_single_and_small(void **state)
{
    (void)state;
    /* From trieanyorder.json "singleItem" and "dogs"; the root of a trie
     * whose only node is shorter than 32 bytes is still hashed. */
    struct trie_kv one = {(const uint8_t *)"A", 1,
                          (const uint8_t *)"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 50};
    hash32 root, expect;
    assert_int_equal(trie_root(&one, 1, &root), PAREVM_OK);
    hash_from_hex("0xd23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab", &expect);
    assert_true(hash32_eq(&root, &expect));

    struct trie_kv tiny = {(const uint8_t *)"a", 1, (const uint8_t *)"b", 1};
    assert_int_equal(trie_root(&tiny, 1, &root), PAREVM_OK);
    /* The node is rlp([0x20 || "a", "b"]) = c4 82 20 61 62 (5 bytes). */
    static const uint8_t node[] = {0xc4, 0x82, 0x20, 0x61, 0x62};
    expect = keccak256_hash(node, sizeof(node));
    assert_true(hash32_eq(&root, &expect));

    struct trie_kv dogs[] = {
        {(const uint8_t *)"dogglesworth", 12, (const uint8_t *)"cat", 3},
        {(const uint8_t *)"doe", 3, (const uint8_t *)"reindeer", 8},
        {(const uint8_t *)"dog", 3, (const uint8_t *)"puppy", 5},
    };
    assert_int_equal(trie_root(dogs, 3, &root), PAREVM_OK);
    hash_from_hex("0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3", &expect);
    assert_true(hash32_eq(&root, &expect));
}

static void test_duplicates_rejected(void **state)
{
    (void)state;
    hash32 root;
    struct trie_kv dup[] = {
        {(const uint8_t *)"k", 1, (const uint8_t *)"1", 1},
        {(const uint8_t *)"x", 1, (const uint8_t *)"2", 1},
        {(const uint8_t *)"k", 1, (const uint8_t *)"3", 1},
    };
    assert_int_equal(trie_root(dup, 3, &root), PAREVM_ERR_ARG);
    /* A key both present and "absent" (empty value) is a duplicate too. */
    struct trie_kv dup_empty[] = {
        {(const uint8_t *)"k", 1, (const uint8_t *)"1", 1},
        {(const uint8_t *)"k", 1, (const uint8_t *)"", 0},
    };
    assert_int_equal(trie_root(dup_empty, 2, &root), PAREVM_ERR_ARG);
    struct trie_kv two_empty[] = {
        {(const uint8_t *)"k", 1, (const uint8_t *)"", 0},
        {(const uint8_t *)"k", 1, (const uint8_t *)"", 0},
    };
    assert_int_equal(trie_root(two_empty, 2, &root), PAREVM_ERR_ARG);
    assert_int_equal(trie_root(NULL, 1, &root), PAREVM_ERR_ARG);
}

/* trie_root_ordered must agree with trie_root over keys rlp(i), across the
 * key-shape changes at 1 (0x80 -> 0x01), 128 (one byte -> 0x81 xx) and
 * 256 (0x82 xx xx). */
static void test_ordered_matches_explicit_keys(void **state)
{
    (void)state;
    enum { N = 300 };
    static uint8_t vals[N][40];
    const uint8_t *items[N];
    size_t lens[N];
    for (size_t i = 0; i < N; i++) {
        size_t len = 1 + (i * 7) % 40; /* short and long values */
        for (size_t j = 0; j < len; j++)
            vals[i][j] = (uint8_t)(i * 31 + j);
        items[i] = vals[i];
        lens[i] = len;
    }
    for (size_t n = 1; n <= N; n += (n < 140 ? 1 : 37)) {
        struct bytebuf keys = {0};
        size_t offsets[N];
        for (size_t i = 0; i < n; i++) {
            offsets[i] = keys.len;
            assert_int_equal(rlp_encode_u64(&keys, i), PAREVM_OK);
        }
        struct trie_kv kvs[N];
        for (size_t i = 0; i < n; i++) {
            size_t end = i + 1 < n ? offsets[i + 1] : keys.len;
            kvs[i] = (struct trie_kv){keys.data + offsets[i], end - offsets[i], items[i], lens[i]};
        }
        hash32 a, b;
        assert_int_equal(trie_root(kvs, n, &a), PAREVM_OK);
        assert_int_equal(trie_root_ordered(items, lens, n, &b), PAREVM_OK);
        assert_true(hash32_eq(&a, &b));
        bytebuf_free(&keys);
    }
}

/* Insertion order must not matter (the root is a function of the set). */
/* A runner that runs the jobs in reverse order on this thread (the order
 * must not matter), counting them. */
static size_t runner_jobs;
static void reverse_runner(void *arg, size_t count, void (*fn)(void *arg, size_t i), void *fn_arg)
{
    (void)arg;
    runner_jobs += count;
    for (size_t i = count; i-- > 0;)
        fn(fn_arg, i);
}

/* trie_root_with (subtrees built as separate jobs) gives the same root as
 * trie_root: hashed keys, ordered-list keys, short values that embed,
 * sizes around the split thresholds, a key that is another's prefix. */
/* trie_root_ordered_encoded's items: item i of a (items, lens) pair. */
struct test_items {
    const uint8_t **items;
    const size_t *lens;
};

static int append_item(void *arg, size_t i, struct bytebuf *b)
{
    const struct test_items *t = arg;
    return bytebuf_append(b, t->items[i], t->lens[i]);
}

static void test_root_with_runner(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 63, 64, 65, 100, 129, 300, 1000, 2500};
    uint64_t seed = 12345;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int width = 2; width <= 8; width *= 2) {
            for (int kind = 0; kind < 3; kind++) {
                uint8_t *keys = malloc(n * 32), *vals = malloc(n * 40);
                struct trie_kv *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
                const uint8_t **items = malloc(n * sizeof *items);
                size_t *lens = malloc(n * sizeof *lens);
                assert_non_null(keys);
                for (size_t i = 0; i < n; i++) {
                    for (int k = 0; k < 40; k++) {
                        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                        vals[i * 40 + k] = (uint8_t)(seed >> 56);
                    }
                    uint8_t idx[8];
                    for (int k = 0; k < 8; k++)
                        idx[k] = (uint8_t)((i * 2654435761u) >> (8 * k));
                    keccak256(idx, 8, keys + i * 32);
                    /* kind 1: short values (embedded nodes); kind 2: keys
                     * of different lengths, some prefixes of others */
                    size_t vlen = kind == 1 ? 1 + i % 3 : 40;
                    size_t klen = kind == 2 ? 1 + i % 32 : 32;
                    if (kind == 2 && i % 7 == 0 && i > 0)
                        memcpy(keys + i * 32, keys + (i - 1) * 32, 32); /* extends key i-1 */
                    a[i] = (struct trie_kv){keys + i * 32, klen, vals + i * 40, vlen};
                    items[i] = vals + i * 40;
                    lens[i] = vlen;
                }
                /* kind 2 may repeat a key: keep only the first of each */
                size_t m = 0;
                for (size_t i = 0; i < n; i++) {
                    bool dup = false;
                    for (size_t j = 0; j < m && !dup; j++)
                        dup = a[j].key_len == a[i].key_len && !memcmp(a[j].key, a[i].key, a[i].key_len);
                    if (!dup)
                        a[m++] = a[i];
                }
                memcpy(b, a, m * sizeof *a);
                hash32 plain, split;
                struct trie_runner runner = {reverse_runner, NULL, width};
                assert_int_equal(trie_root(a, m, &plain), PAREVM_OK);
                assert_int_equal(trie_root_with(b, m, &runner, &split), PAREVM_OK);
                assert_memory_equal(plain.bytes, split.bytes, 32);
                assert_int_equal(trie_root_ordered(items, lens, n, &plain), PAREVM_OK);
                assert_int_equal(trie_root_ordered_with(items, lens, n, &runner, &split), PAREVM_OK);
                assert_memory_equal(plain.bytes, split.bytes, 32);
                /* encoded on demand, in the jobs or all on this thread */
                struct test_items ti = {items, lens};
                assert_int_equal(trie_root_ordered_encoded(n, append_item, &ti, &runner, &split), PAREVM_OK);
                assert_memory_equal(plain.bytes, split.bytes, 32);
                assert_int_equal(trie_root_ordered_encoded(n, append_item, &ti, NULL, &split), PAREVM_OK);
                assert_memory_equal(plain.bytes, split.bytes, 32);
                lens[n / 2] = 0; /* an empty item would be absent: refused */
                assert_int_equal(trie_root_ordered_encoded(n, append_item, &ti, &runner, &split),
                                 PAREVM_ERR_ARG);
                free(keys);
                free(vals);
                free(a);
                free(b);
                free(items);
                free(lens);
            }
        }
    }
    assert_true(runner_jobs > 0); /* the split was exercised */
}

static void test_order_independent(void **state)
{
    (void)state;
    enum { N = 500 };
    static uint8_t keys[N][32];
    struct trie_kv kvs[N];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < N; i++) {
        /* Keys of different lengths, many sharing prefixes. */
        size_t len = 1 + (i % 5) * 7;
        for (size_t j = 0; j < len; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            keys[i][j] = j < 2 ? (uint8_t)(x & 0x11) : (uint8_t)x;
        }
        kvs[i] = (struct trie_kv){keys[i], len, keys[i], len};
    }
    /* Drop duplicates that the generator produced. */
    size_t n = 0;
    for (size_t i = 0; i < N; i++) {
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = kvs[j].key_len == kvs[i].key_len && memcmp(kvs[j].key, kvs[i].key, kvs[i].key_len) == 0;
        if (!dup)
            kvs[n++] = kvs[i];
    }
    hash32 first, again;
    struct trie_kv copy[N];
    memcpy(copy, kvs, n * sizeof(*kvs));
    assert_int_equal(trie_root(copy, n, &first), PAREVM_OK);
    for (int round = 0; round < 5; round++) {
        memcpy(copy, kvs, n * sizeof(*kvs));
        for (size_t i = n - 1; i > 0; i--) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t j = (size_t)(x % (i + 1));
            struct trie_kv t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        assert_int_equal(trie_root(copy, n, &again), PAREVM_OK);
        assert_true(hash32_eq(&first, &again));
    }
}

/* ---- TrieTests ---- */

/* Key or value: "0x..." is hex, anything else raw ASCII. */
static uint8_t *trie_test_bytes(const cJSON *j, size_t *len)
{
    const char *s = cJSON_GetStringValue(j);
    assert_non_null(s);
    if (strncmp(s, "0x", 2) == 0)
        return hex_or_fail(s, len);
    *len = strlen(s);
    uint8_t *out = malloc(*len ? *len : 1);
    assert_non_null(out);
    memcpy(out, s, *len);
    return out;
}

struct kv_map {
    struct trie_kv *items; /* key and val owned (malloc) */
    size_t count, cap;
};

static void kv_map_free(struct kv_map *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free((void *)m->items[i].key);
        free((void *)m->items[i].val);
    }
    free(m->items);
    memset(m, 0, sizeof(*m));
}

/* Insert (takes ownership of key and val) or, when val == NULL, delete. */
static void kv_map_set(struct kv_map *m, uint8_t *key, size_t key_len, uint8_t *val, size_t val_len)
{
    for (size_t i = 0; i < m->count; i++) {
        struct trie_kv *kv = &m->items[i];
        if (kv->key_len == key_len && memcmp(kv->key, key, key_len) == 0) {
            free((void *)kv->key);
            free((void *)kv->val);
            if (val) {
                kv->key = key;
                kv->val = val;
                kv->val_len = val_len;
            } else {
                free(key);
                *kv = m->items[--m->count];
            }
            return;
        }
    }
    if (!val) {
        free(key);
        return;
    }
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->items = realloc(m->items, m->cap * sizeof(*m->items));
        assert_non_null(m->items);
    }
    m->items[m->count++] = (struct trie_kv){key, key_len, val, val_len};
}

static void kv_map_apply(struct kv_map *m, const cJSON *key_json, const cJSON *val_json, bool secure)
{
    size_t key_len, val_len = 0;
    uint8_t *key = trie_test_bytes(key_json, &key_len);
    if (secure) {
        uint8_t *hashed = malloc(32);
        assert_non_null(hashed);
        keccak256(key, key_len, hashed);
        free(key);
        key = hashed;
        key_len = 32;
    }
    uint8_t *val = cJSON_IsNull(val_json) ? NULL : trie_test_bytes(val_json, &val_len);
    kv_map_set(m, key, key_len, val, val_len);
}

/* Run one TrieTests file; returns the number of cases checked. */
static int run_trie_file(const char *name, bool secure)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/ethereum-tests/TrieTests/%s", fixtures_root(), name);
    cJSON *doc = load_json(path);
    if (!doc)
        fail_msg("cannot read %s", path);
    int cases = 0;
    const cJSON *tc;
    cJSON_ArrayForEach(tc, doc)
    {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(tc, "in");
        const char *root_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tc, "root"));
        assert_non_null(in);
        assert_non_null(root_hex);
        struct kv_map m = {0};
        const cJSON *e;
        if (cJSON_IsArray(in)) {
            cJSON_ArrayForEach(e, in)
            {
                assert_int_equal(cJSON_GetArraySize(e), 2);
                kv_map_apply(&m, cJSON_GetArrayItem(e, 0), cJSON_GetArrayItem(e, 1), secure);
            }
        } else {
            cJSON_ArrayForEach(e, in)
            {
                cJSON key = {.type = cJSON_String, .valuestring = e->string};
                kv_map_apply(&m, &key, e, secure);
            }
        }
        hash32 root, expect;
        hash_from_hex(root_hex, &expect);
        assert_int_equal(trie_root(m.items, m.count, &root), PAREVM_OK);
        if (!hash32_eq(&root, &expect)) {
            char got[67];
            hex_encode(root.bytes, 32, got);
            fail_msg("%s: %s: root %s, expected %s", name, tc->string, got, root_hex);
        }
        kv_map_free(&m);
        cases++;
    }
    cJSON_Delete(doc);
    printf("  %s: %d cases passed\n", name, cases);
    return cases;
}

static bool trie_fixtures_present(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/ethereum-tests/TrieTests", fixtures_root());
    if (path_exists(path))
        return true;
    printf("skipped: fixtures not found (%s)\n", path);
    return false;
}

static void test_trie_fixtures(void **state)
{
    (void)state;
    if (!trie_fixtures_present())
        return;
    int total = 0;
    total += run_trie_file("trietest.json", false);
    total += run_trie_file("trieanyorder.json", false);
    total += run_trie_file("trietest_secureTrie.json", true);
    total += run_trie_file("trieanyorder_secureTrie.json", true);
    total += run_trie_file("hex_encoded_securetrie_test.json", true);
    printf("  TrieTests: %d cases passed\n", total);
    /* trietestnextprev.json checks iteration (the next/previous key of a
     * given key), which needs a stored trie; parevm only computes roots. */
    printf("  trietestnextprev.json: skipped: it tests next/prev key iteration, "
           "which a root-only trie does not provide\n");
    assert_true(total > 0);
}

/* ---- roots that blocks commit to (BlockchainTests) ---- */

/* The encoded bytes of an RLP item (header included). */
static const uint8_t *item_start(const struct rlp_item *it)
{
    return it->payload - (it->encoded_len - it->payload_len);
}

/* Child i of a list item. */
static struct rlp_item list_child(const struct rlp_item *list, long index)
{
    struct rlp_iter it;
    struct rlp_item child = {0};
    int err = PAREVM_OK;
    rlp_iter_init(&it, list);
    for (long i = 0; i <= index; i++)
        assert_true(rlp_iter_next(&it, &child, &err) && !err);
    return child;
}

/* Root over the items of a list: for transactions, a typed transaction is
 * an RLP string holding type || payload and its trie value is that
 * payload; a legacy one is an RLP list and its value is the list
 * encoding. Withdrawals are always lists. */
static void ordered_root_of_list(const struct rlp_item *list, hash32 *root)
{
    long n = rlp_list_count(list);
    assert_true(n >= 0);
    const uint8_t **items = calloc((size_t)n + 1, sizeof(*items));
    size_t *lens = calloc((size_t)n + 1, sizeof(*lens));
    assert_non_null(items);
    assert_non_null(lens);
    struct rlp_iter it;
    struct rlp_item child;
    int err = PAREVM_OK;
    long i = 0;
    rlp_iter_init(&it, list);
    while (rlp_iter_next(&it, &child, &err) && !err) {
        if (child.is_list) {
            items[i] = item_start(&child);
            lens[i] = child.encoded_len;
        } else {
            items[i] = child.payload;
            lens[i] = child.payload_len;
        }
        i++;
    }
    assert_int_equal(err, PAREVM_OK);
    assert_int_equal(i, n);
    assert_int_equal(trie_root_ordered(items, lens, (size_t)n, root), PAREVM_OK);
    free(items);
    free(lens);
}

static void header_hash_field(const cJSON *header, const char *field, hash32 *out)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(header, field));
    assert_non_null(s);
    hash_from_hex(s, out);
}

/* Minimal big-endian bytes of a JSON quantity, RLP-encoded into b. */
static void rlp_quantity(struct bytebuf *b, const cJSON *j)
{
    u256 v;
    const char *s = cJSON_GetStringValue(j);
    assert_non_null(s);
    assert_true(u256_from_string(s, &v));
    assert_int_equal(rlp_encode_u256(b, &v), PAREVM_OK);
}

/* State root of a {address: {balance, nonce, code, storage}} object. The
 * account value is rlp([nonce, balance, storage_root, code_hash]), keyed by
 * keccak(address); storage values are rlp(value) keyed by keccak(slot). */
static int state_root(const cJSON *alloc, hash32 *root)
{
    int n = cJSON_GetArraySize(alloc);
    struct trie_kv *kvs = calloc((size_t)n + 1, sizeof(*kvs));
    uint8_t(*keys)[32] = calloc((size_t)n + 1, 32);
    struct bytebuf *vals = calloc((size_t)n + 1, sizeof(*vals));
    assert_non_null(kvs);
    assert_non_null(keys);
    assert_non_null(vals);
    int i = 0;
    const cJSON *acct;
    cJSON_ArrayForEach(acct, alloc)
    {
        uint8_t addr[20];
        assert_int_equal(hex_decode_exact(acct->string, addr, 20), PAREVM_OK);
        keccak256(addr, 20, keys[i]);

        /* Storage trie. */
        const cJSON *storage = cJSON_GetObjectItemCaseSensitive(acct, "storage");
        int slots = cJSON_GetArraySize(storage);
        struct trie_kv *skvs = calloc((size_t)slots + 1, sizeof(*skvs));
        uint8_t(*skeys)[32] = calloc((size_t)slots + 1, 32);
        uint8_t(*svals)[33] = calloc((size_t)slots + 1, 33);
        assert_non_null(skvs);
        assert_non_null(skeys);
        assert_non_null(svals);
        int k = 0;
        const cJSON *slot;
        cJSON_ArrayForEach(slot, storage)
        {
            u256 key, val;
            uint8_t be[32];
            assert_true(u256_from_string(slot->string, &key));
            assert_true(u256_from_string(cJSON_GetStringValue(slot), &val));
            u256_to_be(&key, be);
            keccak256(be, 32, skeys[k]);
            struct bytebuf vb = {0};
            if (!u256_is_zero(&val))
                assert_int_equal(rlp_encode_u256(&vb, &val), PAREVM_OK);
            memcpy(svals[k], vb.data, vb.len);
            skvs[k] = (struct trie_kv){skeys[k], 32, svals[k], vb.len};
            bytebuf_free(&vb);
            k++;
        }
        hash32 storage_root;
        assert_int_equal(trie_root(skvs, (size_t)k, &storage_root), PAREVM_OK);
        free(skvs);
        free(skeys);
        free(svals);

        size_t code_len = 0;
        uint8_t *code =
            hex_or_fail(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(acct, "code")), &code_len);
        hash32 code_hash = keccak256_hash(code, code_len);
        free(code);

        struct bytebuf *v = &vals[i];
        size_t list = rlp_list_begin(v);
        rlp_quantity(v, cJSON_GetObjectItemCaseSensitive(acct, "nonce"));
        rlp_quantity(v, cJSON_GetObjectItemCaseSensitive(acct, "balance"));
        assert_int_equal(rlp_encode_bytes(v, storage_root.bytes, 32), PAREVM_OK);
        assert_int_equal(rlp_encode_bytes(v, code_hash.bytes, 32), PAREVM_OK);
        assert_int_equal(rlp_list_end(v, list), PAREVM_OK);
        kvs[i] = (struct trie_kv){keys[i], 32, v->data, v->len};
        i++;
    }
    int err = trie_root(kvs, (size_t)i, root);
    for (int j = 0; j < i; j++)
        bytebuf_free(&vals[j]);
    free(vals);
    free(keys);
    free(kvs);
    return err;
}

struct block_counts {
    int tx_roots, withdrawal_roots, state_roots;
};

static void check_block_test(const char *file, const cJSON *test, struct block_counts *counts)
{
    /* Pre-state root = genesis state root. */
    const cJSON *genesis = cJSON_GetObjectItemCaseSensitive(test, "genesisBlockHeader");
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(test, "pre");
    hash32 root, expect;
    if (genesis && pre) {
        header_hash_field(genesis, "stateRoot", &expect);
        assert_int_equal(state_root(pre, &root), PAREVM_OK);
        if (!hash32_eq(&root, &expect))
            fail_msg("%s: %s: genesis state root mismatch", file, test->string);
        counts->state_roots++;
    }

    const char *last = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(test, "lastblockhash"));
    const cJSON *post = cJSON_GetObjectItemCaseSensitive(test, "postState");
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(test, "blocks");
    const cJSON *block;
    cJSON_ArrayForEach(block, blocks)
    {
        const cJSON *header = cJSON_GetObjectItemCaseSensitive(block, "blockHeader");
        const char *rlp_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(block, "rlp"));
        if (!header || !rlp_hex)
            continue; /* an invalid block (only its RLP is given) */

        size_t len;
        uint8_t *raw = hex_or_fail(rlp_hex, &len);
        struct rlp_item blk;
        assert_int_equal(rlp_decode_whole(raw, len, &blk), PAREVM_OK);
        /* block = [header, transactions, uncles, withdrawals?] */
        struct rlp_item txs = list_child(&blk, 1);
        header_hash_field(header, "transactionsTrie", &expect);
        ordered_root_of_list(&txs, &root);
        if (!hash32_eq(&root, &expect))
            fail_msg("%s: %s: transactions root mismatch", file, test->string);
        counts->tx_roots++;
        if (cJSON_GetObjectItemCaseSensitive(header, "withdrawalsRoot")) {
            struct rlp_item withdrawals = list_child(&blk, 3);
            header_hash_field(header, "withdrawalsRoot", &expect);
            ordered_root_of_list(&withdrawals, &root);
            if (!hash32_eq(&root, &expect))
                fail_msg("%s: %s: withdrawals root mismatch", file, test->string);
            counts->withdrawal_roots++;
        }
        const char *hash = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(header, "hash"));
        if (post && last && hash && strcmp(hash, last) == 0) {
            header_hash_field(header, "stateRoot", &expect);
            assert_int_equal(state_root(post, &root), PAREVM_OK);
            if (!hash32_eq(&root, &expect))
                fail_msg("%s: %s: post state root mismatch", file, test->string);
            counts->state_roots++;
        }
        free(raw);
    }
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

static void check_block_file(const char *path, void *ctx)
{
    cJSON *doc = load_json(path);
    if (!doc)
        fail_msg("cannot read %s", path);
    const cJSON *test;
    cJSON_ArrayForEach(test, doc) check_block_test(path, test, ctx);
    cJSON_Delete(doc);
}

static void test_block_roots(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/ethereum-tests/BlockchainTests/ValidBlocks", fixtures_root());
    if (!path_exists(dir)) {
        printf("skipped: fixtures not found (%s)\n", dir);
        return;
    }
    struct block_counts counts = {0};
    clock_t t0 = clock();
    walk_json(dir, check_block_file, &counts);
    printf("  BlockchainTests/ValidBlocks: %d transaction roots, %d withdrawal roots, "
           "%d state roots matched (%.2f s)\n",
           counts.tx_roots, counts.withdrawal_roots, counts.state_roots,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    assert_true(counts.tx_roots > 0 && counts.state_roots > 0);
}

/* A state-sized trie: 20000 accounts, hashed keys, ~70-byte values. Prints
 * the time so a regression is visible; asserts only that it completes. */
static void test_large_state_timing(void **state)
{
    (void)state;
    enum { N = 20000 };
    struct trie_kv *kvs = malloc(N * sizeof(*kvs));
    uint8_t(*keys)[32] = malloc((size_t)N * 32);
    uint8_t(*vals)[70] = malloc((size_t)N * 70);
    assert_non_null(kvs);
    assert_non_null(keys);
    assert_non_null(vals);
    for (uint32_t i = 0; i < N; i++) {
        keccak256(&i, sizeof(i), keys[i]);
        memset(vals[i], (int)(i & 0xff), 70);
        vals[i][0] = 0xf8;
        vals[i][1] = 68;
    }
    hash32 first, root;
    clock_t t0 = clock();
    int rounds = 10;
    for (int r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < N; i++)
            kvs[i] = (struct trie_kv){keys[(i * 7919u) % N], 32, vals[(i * 7919u) % N], 70};
        assert_int_equal(trie_root(kvs, N, &root), PAREVM_OK);
        if (r == 0)
            first = root;
        assert_true(hash32_eq(&first, &root));
    }
    printf("  %d-account root: %.2f ms each\n", N, 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC / rounds);
    free(kvs);
    free(keys);
    free(vals);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_single_and_small),
        cmocka_unit_test(test_duplicates_rejected),
        cmocka_unit_test(test_ordered_matches_explicit_keys),
        cmocka_unit_test(test_root_with_runner),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_trie_fixtures),
        cmocka_unit_test(test_block_roots),
        cmocka_unit_test(test_large_state_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
