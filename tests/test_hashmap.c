/*
 * hmap: insert/get/remove with thousands of keys of the three sizes the
 * executor uses (20-byte addresses, 52-byte address+slot, 32-byte words),
 * tombstone reuse and clean-up, iteration visiting each live key once,
 * value alignment, and a check that the hash spreads similar keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/hashmap.h"

#include "../src/base/u256.h"

/* Deterministic key i of the given size: differs from its neighbours in
 * only a few bytes, like consecutive storage slots of one contract. */
static void make_key(uint8_t *key, size_t size, uint32_t i)
{
    memset(key, 0x42, size);
    key[size - 1] = (uint8_t)i;
    key[size - 2] = (uint8_t)(i >> 8);
    key[size - 3] = (uint8_t)(i >> 16);
    if (size > 20)
        key[7] = (uint8_t)(i * 3);
}

static void check_size(size_t key_size, uint32_t n)
{
    struct hmap m;
    hmap_init(&m, key_size, sizeof(uint64_t));
    uint8_t key[64];

    for (uint32_t i = 0; i < n; i++) {
        make_key(key, key_size, i);
        bool inserted = false;
        uint64_t *v = hmap_put(&m, key, &inserted);
        assert_non_null(v);
        assert_true(inserted);
        assert_int_equal(*v, 0); /* new values are zeroed */
        *v = (uint64_t)i * 7 + 1;
    }
    assert_int_equal(m.count, n);
    assert_int_equal(m.cap & (m.cap - 1), 0);
    assert_true(m.count * 10 <= m.cap * 7);

    for (uint32_t i = 0; i < n; i++) {
        make_key(key, key_size, i);
        uint64_t *v = hmap_get(&m, key);
        assert_non_null(v);
        assert_int_equal(*v, (uint64_t)i * 7 + 1);
        /* put on an existing key returns it, unchanged */
        bool inserted = true;
        uint64_t *w = hmap_put(&m, key, &inserted);
        assert_false(inserted);
        assert_ptr_equal(v, w);
    }
    make_key(key, key_size, n + 5);
    assert_null(hmap_get(&m, key));

    /* remove the odd keys */
    for (uint32_t i = 1; i < n; i += 2) {
        make_key(key, key_size, i);
        assert_true(hmap_remove(&m, key));
        assert_false(hmap_remove(&m, key));
    }
    assert_int_equal(m.count, (n + 1) / 2);
    for (uint32_t i = 0; i < n; i++) {
        make_key(key, key_size, i);
        uint64_t *v = hmap_get(&m, key);
        if (i % 2) {
            assert_null(v);
        } else {
            assert_non_null(v);
            assert_int_equal(*v, (uint64_t)i * 7 + 1);
        }
    }

    /* iteration visits every live key exactly once */
    uint8_t *seen = calloc(n, 1);
    assert_non_null(seen);
    size_t it = 0, visits = 0;
    const void *k;
    void *val;
    while (hmap_next(&m, &it, &k, &val)) {
        uint32_t i = (uint32_t)((*(const uint64_t *)val - 1) / 7);
        assert_true(i < n);
        assert_int_equal(i % 2, 0);
        make_key(key, key_size, i);
        assert_memory_equal(k, key, key_size);
        assert_int_equal(seen[i], 0);
        seen[i] = 1;
        visits++;
    }
    assert_int_equal(visits, m.count);
    free(seen);

    hmap_clear(&m);
    assert_int_equal(m.count, 0);
    assert_int_equal(m.tombstones, 0);
    make_key(key, key_size, 0);
    assert_null(hmap_get(&m, key));
    it = 0;
    assert_false(hmap_next(&m, &it, &k, &val));
    hmap_free(&m);
}

static void test_address_keys(void **state)
{
    (void)state;
    check_size(20, 5000);
}

static void test_slot_keys(void **state)
{
    (void)state;
    check_size(52, 5000);
}

static void test_word_keys(void **state)
{
    (void)state;
    check_size(32, 5000);
}

static void test_odd_key_sizes(void **state)
{
    (void)state;
    check_size(4, 3000);
    check_size(9, 3000);
    check_size(17, 1000);
    check_size(64, 1000);
}

/* Remove/insert churn at a constant live count must not grow the table
 * without bound: tombstones are reused or swept by a same-size rebuild. */
static void test_tombstone_churn(void **state)
{
    (void)state;
    struct hmap m;
    hmap_init(&m, 20, 8);
    uint8_t key[20];
    for (uint32_t i = 0; i < 100; i++) {
        make_key(key, 20, i);
        assert_non_null(hmap_put(&m, key, NULL));
    }
    size_t cap = m.cap;
    for (uint32_t i = 100; i < 100000; i++) {
        make_key(key, 20, i - 100);
        assert_true(hmap_remove(&m, key));
        make_key(key, 20, i);
        assert_non_null(hmap_put(&m, key, NULL));
        assert_int_equal(m.count, 100);
        assert_true((m.count + m.tombstones) * 10 <= m.cap * 7);
    }
    assert_true(m.cap <= cap * 2);
    for (uint32_t i = 100000 - 100; i < 100000; i++) {
        make_key(key, 20, i);
        assert_non_null(hmap_get(&m, key));
    }
    hmap_free(&m);
}

/* A reserve that must rebuild a table full of tombstones leaves room for
 * a while: a same-size rebuild that left it near the bound would be
 * followed by another after a few writes (each a pass over the table). */
static void test_reserve_rebuild_leaves_room(void **state)
{
    (void)state;
    struct hmap m;
    hmap_init(&m, 32, 32);
    uint8_t key[32];
    uint32_t next = 0;
    do { /* live entries at 60% of a table of 1024 or more */
        make_key(key, 32, next++);
        assert_non_null(hmap_put(&m, key, NULL));
    } while (m.cap < 1024 || (m.count + 1) * 10 <= m.cap * 6);
    for (uint32_t round = 0; round < 2000; round++) {
        /* one slot zeroed, one new: a tombstone each time */
        make_key(key, 32, round);
        assert_true(hmap_remove(&m, key));
        size_t cap = m.cap, tombstones = m.tombstones;
        assert_int_equal(hmap_reserve(&m, 1), 0);
        if (m.cap != cap || m.tombstones < tombstones) /* it rebuilt */
            assert_true((m.count + 1) * 20 <= m.cap * 7);
        make_key(key, 32, next++);
        assert_non_null(hmap_put(&m, key, NULL));
    }
    for (uint32_t i = 2000; i < next; i++) {
        make_key(key, 32, i);
        assert_non_null(hmap_get(&m, key));
    }
    hmap_free(&m);
}

/* Re-inserting a removed key reuses a tombstone on its own probe path. */
static void test_tombstone_reuse(void **state)
{
    (void)state;
    struct hmap m;
    hmap_init(&m, 32, 32);
    uint8_t key[32];
    for (uint32_t i = 0; i < 10; i++) {
        make_key(key, 32, i);
        assert_non_null(hmap_put(&m, key, NULL));
    }
    size_t cap = m.cap;
    for (int round = 0; round < 1000; round++) {
        for (uint32_t i = 0; i < 10; i++) {
            make_key(key, 32, i);
            assert_true(hmap_remove(&m, key));
        }
        for (uint32_t i = 0; i < 10; i++) {
            make_key(key, 32, i);
            bool inserted;
            u256 *v = hmap_put(&m, key, &inserted);
            assert_true(inserted);
            assert_true(u256_is_zero(v));
            *v = u256_from_u64(i);
        }
    }
    assert_int_equal(m.cap, cap);
    assert_int_equal(m.count, 10);
    assert_true(m.tombstones <= 10);
    hmap_free(&m);
}

/* Values are 8-byte aligned so u256 and pointers can live in place. */
static void test_value_alignment(void **state)
{
    (void)state;
    static const size_t key_sizes[] = {1, 20, 32, 52, 7};
    for (size_t k = 0; k < sizeof key_sizes / sizeof key_sizes[0]; k++) {
        struct hmap m;
        hmap_init(&m, key_sizes[k], sizeof(u256));
        uint8_t key[64] = {0};
        for (uint32_t i = 0; i < 300; i++) {
            key[0] = (uint8_t)i;
            key[key_sizes[k] - 1] ^= (uint8_t)(i >> 8);
            u256 *v = hmap_put(&m, key, NULL);
            if (key_sizes[k] == 1 && i >= 256) {
                assert_non_null(v); /* existing key */
                continue;
            }
            assert_non_null(v);
            assert_int_equal((uintptr_t)v % 8, 0);
            v->w[3] = i;
        }
        hmap_free(&m);
    }
}

/* Random put/remove/get against a plain array, over key domains small
 * enough that probe chains wrap past the end of the table and removals
 * sweep runs of tombstones. */
static void test_random_ops(void **state)
{
    (void)state;
    static const uint32_t domains[] = {8, 40, 3000};
    uint64_t rng = 12345;
    for (size_t d = 0; d < sizeof domains / sizeof domains[0]; d++) {
        uint32_t n = domains[d];
        uint64_t *ref = calloc(n, sizeof *ref); /* 0 = absent */
        assert_non_null(ref);
        struct hmap m;
        hmap_init(&m, 20, 8);
        size_t live = 0;
        uint8_t key[20];
        for (int op = 0; op < 200000; op++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t id = (uint32_t)(rng >> 33) % n;
            make_key(key, 20, id);
            switch ((rng >> 20) % 3) {
            case 0: {
                bool inserted;
                uint64_t *v = hmap_put(&m, key, &inserted);
                assert_non_null(v);
                assert_int_equal(inserted, ref[id] == 0);
                if (inserted)
                    live++;
                *v = ref[id] = (uint64_t)op + 1;
                break;
            }
            case 1:
                assert_int_equal(hmap_remove(&m, key), ref[id] != 0);
                if (ref[id])
                    live--;
                ref[id] = 0;
                break;
            default: {
                uint64_t *v = hmap_get(&m, key);
                if (ref[id]) {
                    assert_non_null(v);
                    assert_int_equal(*v, ref[id]);
                } else {
                    assert_null(v);
                }
            }
            }
            assert_int_equal(m.count, live);
            assert_true((m.count + m.tombstones) * 10 <= m.cap * 7);
        }
        size_t it = 0, visits = 0;
        while (hmap_next(&m, &it, NULL, NULL))
            visits++;
        assert_int_equal(visits, live);
        for (uint32_t id = 0; id < n; id++) {
            make_key(key, 20, id);
            uint64_t *v = hmap_get(&m, key);
            assert_true(ref[id] ? v && *v == ref[id] : v == NULL);
        }
        hmap_free(&m);
        free(ref);
    }
}

static void test_empty_map(void **state)
{
    (void)state;
    struct hmap m;
    hmap_init(&m, 20, 4);
    uint8_t key[20] = {1};
    assert_null(hmap_get(&m, key));
    assert_false(hmap_remove(&m, key));
    size_t it = 0;
    assert_false(hmap_next(&m, &it, NULL, NULL));
    hmap_clear(&m);
    hmap_free(&m);
    /* zero-sized values work as a set */
    hmap_init(&m, 20, 0);
    assert_non_null(hmap_put(&m, key, NULL));
    assert_non_null(hmap_get(&m, key));
    hmap_free(&m);
}

/* The hash must depend on every byte and on the length, and spread
 * sequential keys over the low bits used for bucket selection. */
static void test_hash_quality(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 3, 4, 8, 15, 16, 17, 20, 31, 32, 33, 48, 49, 52, 64, 100};
    uint8_t buf[128];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t len = sizes[s];
        memset(buf, 0, sizeof buf);
        uint64_t base = hmap_hash_bytes(buf, len);
        assert_int_equal(base, hmap_hash_bytes(buf, len)); /* deterministic */
        for (size_t i = 0; i < len; i++) {
            for (int bit = 0; bit < 8; bit++) {
                buf[i] ^= (uint8_t)(1u << bit);
                assert_true(hmap_hash_bytes(buf, len) != base);
                buf[i] ^= (uint8_t)(1u << bit);
            }
        }
        if (len + 1 < sizeof buf && len > 0)
            assert_true(hmap_hash_bytes(buf, len + 1) != base);
    }

    /* 4096 sequential 52-byte keys into 4096 buckets (low 12 bits):
     * a good hash fills about 63% of them. */
    enum { N = 4096 };
    static uint8_t used[N];
    memset(used, 0, sizeof used);
    uint8_t key[52];
    for (uint32_t i = 0; i < N; i++) {
        memset(key, 0, sizeof key);
        key[51] = (uint8_t)i;
        key[50] = (uint8_t)(i >> 8);
        used[hmap_hash_bytes(key, 52) & (N - 1)] = 1;
    }
    int filled = 0;
    for (int i = 0; i < N; i++)
        filled += used[i];
    assert_true(filled > N * 55 / 100);
}

/* hmap_reset: a table of a big unit shrinks to what the last unit held
 * (and is empty); a small one keeps its capacity; both work after. */
static void test_reset_shrinks(void **state)
{
    (void)state;
    struct hmap m;
    hmap_init(&m, sizeof(uint64_t), sizeof(uint64_t));
    for (uint64_t k = 0; k < 20000; k++)
        *(uint64_t *)hmap_put(&m, &k, NULL) = k;
    size_t big = m.cap;
    hmap_reset(&m); /* held 20000: cleared in place */
    assert_int_equal(m.cap, big);
    assert_int_equal(m.count, 0);
    for (uint64_t k = 0; k < 10; k++)
        *(uint64_t *)hmap_put(&m, &k, NULL) = k + 1;
    hmap_reset(&m); /* held 10 of a big table: shrinks */
    assert_true(m.cap <= 256);
    assert_int_equal(m.count, 0);
    uint64_t k = 5;
    assert_null(hmap_get(&m, &k));
    size_t small = m.cap;
    for (k = 0; k < 40; k++)
        *(uint64_t *)hmap_put(&m, &k, NULL) = k * 3;
    for (k = 0; k < 40; k++)
        assert_int_equal(*(uint64_t *)hmap_get(&m, &k), k * 3);
    hmap_reset(&m);
    assert_true(m.cap >= small && m.cap <= 256);
    k = 7;
    assert_null(hmap_get(&m, &k));
    hmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_keys),    cmocka_unit_test(test_slot_keys),
        cmocka_unit_test(test_word_keys),       cmocka_unit_test(test_odd_key_sizes),
        cmocka_unit_test(test_tombstone_churn), cmocka_unit_test(test_tombstone_reuse),
        cmocka_unit_test(test_reserve_rebuild_leaves_room),
        cmocka_unit_test(test_value_alignment), cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_empty_map),       cmocka_unit_test(test_reset_shrinks),
        cmocka_unit_test(test_hash_quality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
