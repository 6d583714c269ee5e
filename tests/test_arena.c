/* arena: alignment, chunk growth, oversized requests, marks and reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../src/base/arena.h"

static void test_alignment_and_contents(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024);
    uint8_t *ptrs[500];
    for (int i = 0; i < 500; i++) {
        size_t size = (size_t)(i % 37) + 1;
        ptrs[i] = arena_alloc(&a, size);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xff, size);
    }
    /* nothing overlapped */
    for (int i = 0; i < 500; i++) {
        size_t size = (size_t)(i % 37) + 1;
        for (size_t j = 0; j < size; j++)
            assert_int_equal(ptrs[i][j], i & 0xff);
    }
    arena_free(&a);
    assert_null(a.head);
}

static void test_zero_and_large(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0); /* default chunk size */
    assert_true(a.chunk_size > 0);
    void *z1 = arena_alloc(&a, 0), *z2 = arena_alloc(&a, 0);
    assert_non_null(z1);
    assert_ptr_not_equal(z1, z2);

    /* bigger than a chunk: gets its own */
    size_t big = a.chunk_size * 3 + 5;
    uint8_t *p = arena_alloc(&a, big);
    assert_non_null(p);
    memset(p, 0xab, big);
    uint8_t *q = arena_alloc(&a, 16);
    assert_non_null(q);
    memset(q, 0xcd, 16);
    assert_int_equal(p[big - 1], 0xab);

    /* calloc zeroes, memdup copies */
    uint8_t *c = arena_calloc(&a, 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(c[i], 0);
    const char msg[] = "parevm arena";
    char *d = arena_memdup(&a, msg, sizeof msg);
    assert_string_equal(d, msg);
    assert_ptr_not_equal(d, msg);

    /* impossible sizes fail cleanly */
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 8));
    arena_free(&a);
}

static void test_mark_reset(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 256);
    char *keep = arena_alloc(&a, 32);
    memset(keep, 'k', 32);

    struct arena_mark m = arena_mark(&a);
    /* one transaction's scratch: many chunks' worth */
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 100; i++) {
            char *s = arena_alloc(&a, 40);
            assert_non_null(s);
            memset(s, 's', 40);
        }
        arena_reset(&a, m);
        /* reset rewinds: the next allocation reuses the same address */
        struct arena_mark m2 = arena_mark(&a);
        assert_ptr_equal(m2.chunk, m.chunk);
        assert_int_equal(m2.used, m.used);
    }
    void *after1 = arena_alloc(&a, 8);
    arena_reset(&a, m);
    void *after2 = arena_alloc(&a, 8);
    assert_ptr_equal(after1, after2);
    for (int i = 0; i < 32; i++)
        assert_int_equal(keep[i], 'k');

    /* a mark taken on an empty arena resets to empty */
    struct arena b;
    arena_init(&b, 128);
    struct arena_mark empty = arena_mark(&b);
    assert_null(empty.chunk);
    for (int i = 0; i < 50; i++)
        assert_non_null(arena_alloc(&b, 100));
    arena_reset(&b, empty);
    assert_null(b.head);
    arena_free(&b);
    arena_free(&a);
    arena_free(&a); /* idempotent */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_contents),
        cmocka_unit_test(test_zero_and_large),
        cmocka_unit_test(test_mark_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
