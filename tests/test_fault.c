/* Fault injection (issue 21, item 2): the Nth allocation fails.
 *
 * Built with -Wl,--wrap=malloc,... (mk/fault.mk) so every allocation the
 * library makes goes through the counters below; cJSON is routed through
 * them with cJSON_InitHooks. For N = 1, 2, ... each operation runs with the
 * Nth allocation failing until a run completes with no failure injected.
 * Every failing run must return PAREVM_ERR_NOMEM, leave the world's root
 * unchanged and (under ASan) leak nothing. PAREVM_FAULT_FULL=1 runs every
 * N on the larger inputs (make test samples them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../include/parevm.h"
#include "../src/exec/exec.h"
#include "../src/io/mainnet.h"
#include "../src/io/statetest.h"
#include "../src/state/world.h"
#include "../src/state/write_set.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static long fault_at;    /* 0: never fail */
static long fault_calls; /* allocations counted since arming */
static int fault_hit;    /* the Nth allocation was refused */
static int fault_trace;  /* PAREVM_FAULT_TRACE=1 */
#define MAX_SITES 4096
static void *sites[MAX_SITES];
static size_t site_count;

static void *note_site(void *ra)
{
    for (size_t i = 0; i < site_count; i++)
        if (sites[i] == ra)
            return NULL;
    if (site_count < MAX_SITES)
        sites[site_count++] = ra;
    return NULL;
}

static int should_fail(void *ra)
{
    if (!fault_at)
        return 0;
    if (++fault_calls != fault_at)
        return 0;
    fault_hit = 1;
    note_site(ra);
    if (fault_trace) { /* PAREVM_FAULT_TRACE=1: where each refused allocation was */
        void *frames[16];
        int n = backtrace(frames, 16);
        fprintf(stderr, "-- allocation %ld refused:\n", fault_at);
        backtrace_symbols_fd(frames, n, 2);
    }
    return 1;
}

void *__wrap_malloc(size_t n)
{
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t s)
{
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return __real_calloc(n, s);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return __real_aligned_alloc(a, n);
}

static void *cjson_malloc(size_t n)
{
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return __real_malloc(n);
}

static char fixtures[4096];

static const char *fixture_root(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    return env && *env ? env : "../shared/fixtures";
}

static bool dir_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* One operation under test: returns a parevm error; *root (when non-NULL
 * world) is compared before and after. */
struct fault_op {
    const char *name;
    int (*run)(void *arg);
    void *arg;
    struct world *world; /* whose root must not change on failure, or NULL */
    long step;           /* test every step-th N (1: all) */
};

static void leak_check(const char *name, long n)
{
    if (__lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check()) {
        print_error("%s: leak after failing allocation %ld\n", name, n);
        fail();
    }
}

static void fault_loop(const struct fault_op *op)
{
    hash32 before, after;
    if (op->world)
        assert_int_equal(world_state_root(op->world, &before), PAREVM_OK);
    size_t sites0 = site_count;
    long n = 1, tried = 0;
    for (;; n += op->step) {
        fault_calls = 0;
        fault_hit = 0;
        fault_at = n;
        int rc = op->run(op->arg);
        fault_at = 0;
        if (!fault_hit) {
            assert_int_equal(rc, PAREVM_OK);
            break;
        }
        tried++;
        if (rc != PAREVM_ERR_NOMEM) {
            print_error("%s: allocation %ld failed, got error %d (%s), want NOMEM\n", op->name, n, rc,
                        parevm_strerror(rc));
            fail();
        }
        if (op->world) {
            assert_int_equal(world_state_root(op->world, &after), PAREVM_OK);
            if (memcmp(&before, &after, sizeof before) != 0) {
                print_error("%s: root changed after failing allocation %ld\n", op->name, n);
                fail();
            }
        }
        leak_check(op->name, n);
    }
    print_message("%s: %ld allocations, %ld failure points tried, %zu new sites\n", op->name, n - 1, tried,
                  site_count - sites0);
}

static long step_for(long full_step)
{
    const char *e = getenv("PAREVM_FAULT_FULL");
    return e && *e == '1' ? 1 : full_step;
}

/* ---- write_set_apply: atomic on NOMEM ---- */

struct ws_arg {
    struct write_set *ws;
    struct world *w;
};

static int run_ws_apply(void *p)
{
    struct ws_arg *a = p;
    return write_set_apply(a->ws, a->w);
}

static address addr_of(int i)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[19] = (uint8_t)i;
    a.bytes[18] = (uint8_t)(i >> 8);
    return a;
}

static void test_write_set_apply(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    for (int i = 1; i <= 20; i++) {
        address a = addr_of(i);
        struct world_account *acct = world_get_or_create(&w, &a);
        assert_non_null(acct);
        acct->balance = u256_from_u64((uint64_t)i * 1000);
        acct->nonce = (uint64_t)i;
        for (int k = 0; k < i; k++) {
            u256 key = u256_from_u64((uint64_t)k), val = u256_from_u64((uint64_t)k + 1);
            assert_int_equal(world_set_storage(acct, &key, &val), PAREVM_OK);
        }
    }
    struct write_set ws;
    write_set_init(&ws);
    for (int i = 1; i <= 60; i += 2) { /* existing and new accounts */
        address a = addr_of(i);
        struct ws_account *wa = write_set_add_account(&ws, &a);
        assert_non_null(wa);
        wa->flags = (i % 6 == 1) ? WS_DELETE : (WS_BALANCE | WS_NONCE | WS_CREATE);
        wa->balance = u256_from_u64(7);
        wa->nonce = 9;
        for (int k = 0; k < 40; k++) {
            u256 key = u256_from_u64((uint64_t)k * 3), val = u256_from_u64((uint64_t)(k % 4));
            assert_int_equal(write_set_add_slot(&ws, &a, &key, &val), PAREVM_OK);
        }
    }
    struct ws_arg arg = {&ws, &w};
    struct fault_op op = {"write_set_apply", run_ws_apply, &arg, &w, 1};
    fault_loop(&op);
    write_set_free(&ws);
    world_free(&w);
}

/* ---- loaders and execution ---- */

static int run_statetest_load(void *p)
{
    struct statetest_file f;
    char err[512];
    int rc = statetest_load_file(p, &f, err, sizeof err);
    if (rc == PAREVM_OK)
        statetest_file_free(&f);
    return rc;
}

static void test_statetest_loader(void **state)
{
    (void)state;
    snprintf(fixtures, sizeof fixtures, "%s/ethereum-tests/GeneralStateTests/stExample/add11.json",
             fixture_root());
    if (!dir_exists(fixtures))
        skip();
    struct fault_op op = {"statetest_load_file", run_statetest_load, fixtures, NULL, 1};
    fault_loop(&op);
}

static int run_mainnet_load(void *p)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct mainnet_fixture f;
    char err[512];
    int rc = mainnet_load(p, &cfg, &f, err, sizeof err);
    if (rc == PAREVM_OK)
        mainnet_fixture_free(&f);
    return rc;
}

static void test_mainnet_loader(void **state)
{
    (void)state;
    snprintf(fixtures, sizeof fixtures, "%s/mainnet/1149999", fixture_root());
    if (!dir_exists(fixtures))
        skip();
    struct fault_op op = {"mainnet_load", run_mainnet_load, fixtures, NULL, step_for(7)};
    fault_loop(&op);
}

struct seq_arg {
    struct chain_config cfg;
    struct mainnet_fixture f;
};

static int run_exec_sequential(void *p)
{
    struct seq_arg *a = p;
    struct block_result r;
    memset(&r, 0, sizeof r);
    int rc = exec_block_sequential(&a->cfg, &a->f.block, &a->f.pre, &a->f.hashes, &r);
    block_result_free(&r);
    return rc;
}

static void test_exec_sequential(void **state)
{
    (void)state;
    snprintf(fixtures, sizeof fixtures, "%s/mainnet/1149999", fixture_root());
    if (!dir_exists(fixtures))
        skip();
    static struct seq_arg a;
    chain_config_mainnet(&a.cfg);
    a.cfg.skip_intermediate_roots = true;
    char err[512];
    assert_int_equal(mainnet_load(fixtures, &a.cfg, &a.f, err, sizeof err), PAREVM_OK);
    struct fault_op op = {"exec_block_sequential", run_exec_sequential, &a, &a.f.pre, step_for(1)};
    fault_loop(&op);
    mainnet_fixture_free(&a.f);
}

int main(void)
{
    cJSON_Hooks hooks = {cjson_malloc, free};
    cJSON_InitHooks(&hooks);
    const char *trace = getenv("PAREVM_FAULT_TRACE");
    fault_trace = trace && *trace == '1';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_set_apply),
        cmocka_unit_test(test_statetest_loader),
        cmocka_unit_test(test_mainnet_loader),
        cmocka_unit_test(test_exec_sequential),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    print_message("fault: %zu distinct allocation sites failed\n", site_count);
    return rc;
}
