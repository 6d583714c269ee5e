/* scratch: zeroed and aligned buffers, reuse of handed-back ones (cleared
 * unless the caller says it cleared them), the bound on what is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../src/base/scratch.h"

/* One cache for the whole test (a cache is its owner's; this one lives
 * as long as the process, like the CLI's). */
static struct scratch_cache cache = SCRATCH_CACHE_INIT;

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void test_zeroed_and_aligned(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 63, 64, 1000, (size_t)1 << 20, ((size_t)3 << 20) + 5};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint8_t *p = scratch_get(&cache, sizes[k]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 64, 0);
        assert_true(all_zero(p, sizes[k]));
        memset(p, 0xab, sizes[k]);
        scratch_put(&cache, p, sizes[k], false);
    }
    scratch_trim(&cache);
}

static void test_reuse_clears_dirty_buffers(void **state)
{
    (void)state;
    uint8_t *p = scratch_get(&cache, 100000);
    assert_non_null(p);
    memset(p, 0x5a, 100000);
    scratch_put(&cache, p, 100000, false);
    /* the kept buffer serves a smaller request, cleared */
    uint8_t *q = scratch_get(&cache, 50000);
    assert_ptr_equal(q, p);
    assert_true(all_zero(q, 50000));
    /* a caller that cleared what it dirtied hands it back as zeroed */
    q[10] = 7;
    q[10] = 0;
    scratch_put(&cache, q, 50000, true);
    uint8_t *r = scratch_get(&cache, 40000);
    assert_ptr_equal(r, p);
    assert_true(all_zero(r, 40000));
    /* too big for anything kept: a fresh buffer */
    uint8_t *s = scratch_get(&cache, 200000);
    assert_non_null(s);
    assert_ptr_not_equal(s, p);
    assert_true(all_zero(s, 200000));
    scratch_put(&cache, r, 40000, false);
    scratch_put(&cache, s, 200000, false);
    /* the smallest kept buffer that fits is the one handed out */
    uint8_t *t = scratch_get(&cache, 30000);
    assert_ptr_equal(t, p);
    scratch_put(&cache, t, 30000, false);
    scratch_trim(&cache);
}

/* Of two kept buffers of one size, the zeroed one is handed out first
 * (the dirty one would cost a clearing pass). */
static void test_prefers_zeroed(void **state)
{
    (void)state;
    scratch_trim(&cache);
    uint8_t *dirty = scratch_get(&cache, 300000), *clean = scratch_get(&cache, 300000);
    assert_non_null(dirty);
    assert_non_null(clean);
    dirty[0] = 1;
    scratch_put(&cache, dirty, 300000, false);
    scratch_put(&cache, clean, 300000, true);
    uint8_t *got = scratch_get(&cache, 300000);
    assert_ptr_equal(got, clean);
    uint8_t *next = scratch_get(&cache, 300000); /* the dirty one, cleared */
    assert_ptr_equal(next, dirty);
    assert_int_equal(next[0], 0);
    scratch_put(&cache, got, 300000, false);
    scratch_put(&cache, next, 300000, false);
    scratch_trim(&cache);
}

static void test_many_buffers(void **state)
{
    (void)state;
    /* more buffers than slots: the extra ones are freed, none is lost
     * (AddressSanitizer's leak check sees the rest) */
    uint8_t *p[40];
    for (int i = 0; i < 40; i++) {
        p[i] = scratch_get(&cache, 4096 + (size_t)i * 64);
        assert_non_null(p[i]);
        p[i][0] = 1;
    }
    for (int i = 0; i < 40; i++)
        scratch_put(&cache, p[i], 4096 + (size_t)i * 64, false);
    for (int i = 0; i < 40; i++) {
        p[i] = scratch_get(&cache, 4096);
        assert_non_null(p[i]);
        assert_true(all_zero(p[i], 4096));
    }
    for (int i = 0; i < 40; i++)
        scratch_put(&cache, p[i], 4096, false);
    scratch_trim(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_and_aligned),
        cmocka_unit_test(test_reuse_clears_dirty_buffers),
        cmocka_unit_test(test_many_buffers),
        cmocka_unit_test(test_prefers_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
