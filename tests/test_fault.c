/* Fault injection (issue 21, item 2): the Nth allocation fails.
 *
 * Built with -Wl,--wrap=malloc,calloc,realloc,aligned_alloc,strdup and
 * pthread_create (mk/fault.mk) so every allocation the library makes goes
 * through the counters below; cJSON is routed through them with
 * cJSON_InitHooks. For N = 1, 2, ... each operation runs with the Nth
 * allocation failing until a run completes with no failure injected.
 * Every failing run must return PAREVM_ERR_NOMEM, leave the world's root
 * unchanged and (under ASan) leak nothing; the parallel engine may also
 * recover (then its result must equal the sequential one). Operations:
 * write_set_apply, the statetest, mainnet, t8n and blocktest loaders, the
 * t8n transition and writers, exec_block_sequential, exec_block_parallel
 * at 4 threads (also recording the EIP-7928 list, which must then be the
 * sequential run's, and driven by one), and pthread_create failing the
 * Nth time (the engine runs on the threads it has, or returns NOMEM;
 * never hangs, never differs).
 * Then every call site the op reached that no Nth allocation hit (the
 * parallel engine's allocation order differs from run to run, and
 * sampling skips some N) fails by site: the first allocation made there
 * is refused, with the same checks. Each prints its allocations and
 * failure points, and the run ends with the number of distinct
 * allocation sites reached and failed; a reached site never failed is an
 * error.
 *
 * PAREVM_FAULT_FULL=1 runs every N on the larger inputs (make test samples
 * them); PAREVM_FAULT_TRACE=1 prints a backtrace of each refused
 * allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../include/parevm.h"
#include "../src/base/buf.h"
#include "../src/exec/bal.h"
#include "../src/exec/exec.h"
#include "../src/exec/exec_env.h"
#include "../src/io/blocktest.h"
#include "../src/io/file.h"
#include "../src/io/mainnet.h"
#include "../src/io/statetest.h"
#include "../src/io/t8n.h"
#include "../src/state/world.h"
#include "../src/state/write_set.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* Counters are atomic: the parallel engine allocates on its workers.
 * Exactly one call sees fault_calls reach fault_at, so the sites array
 * has one writer at a time. */
static _Atomic long fault_at;        /* 0: never fail */
static _Atomic long fault_calls;     /* allocations counted since arming */
static _Atomic int fault_hit;        /* the Nth allocation was refused */
static _Atomic long thread_fault_at; /* the same for pthread_create (0: never) */
static _Atomic long thread_calls;
static _Atomic int thread_hit;
static int fault_trace; /* PAREVM_FAULT_TRACE=1 */
/* The second mode: the first allocation made from one call site fails,
 * alone (fault_at 0) or after the Nth (a fallback reached only once
 * something else was refused). It reaches the sites the Nth-allocation
 * loop cannot pin down: those whose order differs from run to run on the
 * parallel engine's workers, and second refusals. */
static void *_Atomic fault_site;
static _Atomic long fault_site_calls;
static _Atomic int fault_site_hit;

/* What is armed, saved while a test's own checks allocate. */
struct fault_arm {
    long at;
    void *site;
};

static struct fault_arm fault_pause(void)
{
    struct fault_arm a = {fault_at, fault_site};
    fault_at = 0;
    fault_site = NULL;
    return a;
}

static void fault_resume(struct fault_arm a)
{
    fault_at = a.at;
    fault_site = a.site;
}
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

/* Every call site that allocated while armed (several threads: locked). */
static void *reached[MAX_SITES];
static size_t reached_count;
static pthread_mutex_t reached_lock = PTHREAD_MUTEX_INITIALIZER;

static void note_reached(void *ra)
{
    pthread_mutex_lock(&reached_lock);
    size_t i = 0;
    while (i < reached_count && reached[i] != ra)
        i++;
    if (i == reached_count && reached_count < MAX_SITES)
        reached[reached_count++] = ra;
    pthread_mutex_unlock(&reached_lock);
}

static int should_fail(void *ra)
{
    void *site = fault_site;
    if (site) {
        if (ra == site && atomic_fetch_add(&fault_site_calls, 1) == 0) {
            fault_site_hit = 1;
            note_site(ra);
            return 1;
        }
    } else if (fault_at) {
        note_reached(ra); /* the sites the Nth-allocation runs reach */
    }
    if (!fault_at || atomic_fetch_add(&fault_calls, 1) + 1 != fault_at)
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

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

/* Thread creation fails the Nth time (EAGAIN, as when a process is out
 * of threads or address space). */
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (thread_fault_at && atomic_fetch_add(&thread_calls, 1) + 1 == thread_fault_at) {
        thread_hit = 1;
        return EAGAIN;
    }
    return __real_pthread_create(t, attr, fn, arg);
}

char *__wrap_strdup(const char *str)
{
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    size_t n = strlen(str) + 1;
    char *p = __real_malloc(n);
    if (p)
        memcpy(p, str, n);
    return p;
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
    bool may_recover;    /* a refused allocation may also end in PAREVM_OK
                            (a fallback; run checks the result itself) */
};

static void leak_check(const char *name, long n)
{
    if (__lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check()) {
        print_error("%s: leak after failing allocation %ld\n", name, n);
        fail();
    }
}

static bool site_failed(void *ra)
{
    for (size_t i = 0; i < site_count; i++)
        if (sites[i] == ra)
            return true;
    return false;
}

/* A run in which one allocation was refused (the Nth, or the first from
 * one site: n < 0): NOMEM with the root unchanged, or, where the op
 * allows it, a recovery; no leak either way. Returns whether it recovered. */
static bool check_refused(const struct fault_op *op, int rc, long n, const hash32 *before)
{
    bool recovered = rc == PAREVM_OK && op->may_recover;
    if (recovered) {
        if (fault_trace)
            fprintf(stderr, "-- %s: allocation %ld refused, recovered\n", op->name, n);
    } else {
        if (rc != PAREVM_ERR_NOMEM) {
            print_error("%s: allocation %ld failed, got error %d (%s), want NOMEM\n", op->name, n, rc,
                        parevm_strerror(rc));
            fail();
        }
        if (op->world) {
            hash32 after;
            assert_int_equal(world_state_root(op->world, &after), PAREVM_OK);
            if (memcmp(before, &after, sizeof after) != 0) {
                print_error("%s: root changed after failing allocation %ld\n", op->name, n);
                fail();
            }
        }
    }
    leak_check(op->name, n);
    return recovered;
}

/* Tries allocated per site in the second mode before the site counts as
 * not reached again (the parallel engine reaches some sites only in some
 * interleavings). */
#define SITE_TRIES 50

static void fault_loop(const struct fault_op *op)
{
    hash32 before;
    if (op->world)
        assert_int_equal(world_state_root(op->world, &before), PAREVM_OK);
    size_t sites0 = site_count, reached0 = reached_count;
    long n = 1, tried = 0, recovered = 0, total = 0;
    for (;; n += op->step) {
        fault_calls = 0;
        fault_hit = 0;
        fault_at = n;
        int rc = op->run(op->arg);
        fault_at = 0;
        if (!fault_hit) {
            assert_int_equal(rc, PAREVM_OK);
            total = fault_calls; /* a whole run's allocations */
            break;
        }
        tried++;
        recovered += check_refused(op, rc, n, &before);
    }
    /* Second mode: every site this op reached that no Nth allocation hit,
     * first alone, then after the Nth allocation for every N. */
    size_t by_site = 0, missed = 0;
    for (size_t i = reached0; i < reached_count; i++) {
        void *ra = reached[i];
        if (site_failed(ra))
            continue;
        bool hit = false;
        for (long t = 0; t < SITE_TRIES + total && !hit; t++) {
            fault_site_calls = 0;
            fault_site_hit = 0;
            fault_calls = 0;
            fault_hit = 0;
            fault_site = ra;
            fault_at = t < SITE_TRIES ? 0 : t - SITE_TRIES + 1;
            int rc = op->run(op->arg);
            fault_site = NULL;
            fault_at = 0;
            if (!fault_site_hit) {
                if (!fault_hit)
                    assert_int_equal(rc, PAREVM_OK);
                else
                    check_refused(op, rc, t - SITE_TRIES + 1, &before);
                continue;
            }
            hit = true;
            by_site++;
            recovered += check_refused(op, rc, -1, &before);
        }
        if (!hit) {
            missed++;
            print_message("%s: a site reached once was not reached again in %ld runs:\n", op->name,
                          SITE_TRIES + total);
            backtrace_symbols_fd(&ra, 1, 1);
        }
    }
    print_message("%s: %ld allocations, %ld failure points tried, %zu more by site (%ld recovered), "
                  "%zu new sites%s\n",
                  op->name, total, tried, by_site, recovered, site_count - sites0,
                  missed ? ", some missed" : "");
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

/* A write set over `last` (odd numbers from 1) accounts, each with
 * `slots` slot writes; every third a delete (re-created by its slots). */
static void write_set_apply_case(int last, int slots)
{
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
    for (int i = 1; i <= last; i += 2) { /* existing and new accounts */
        address a = addr_of(i);
        struct ws_account *wa = write_set_add_account(&ws, &a);
        assert_non_null(wa);
        wa->flags = (i % 6 == 1) ? WS_DELETE : (WS_BALANCE | WS_NONCE | WS_CREATE);
        wa->balance = u256_from_u64(7);
        wa->nonce = 9;
        for (int k = 0; k < slots; k++) {
            u256 key = u256_from_u64((uint64_t)k * 3), val = u256_from_u64((uint64_t)(k % 4));
            assert_int_equal(write_set_add_slot(&ws, &a, &key, &val), PAREVM_OK);
        }
    }
    struct ws_arg arg = {&ws, &w};
    struct fault_op op = {"write_set_apply", run_ws_apply, &arg, &w, 1, false};
    fault_loop(&op);
    write_set_free(&ws);
    world_free(&w);
}

static void test_write_set_apply(void **state)
{
    (void)state;
    write_set_apply_case(60, 40); /* 30 accounts: the general path */
    write_set_apply_case(31, 3);  /* 16 accounts: the small path (write_set.c) */
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
    struct fault_op op = {"statetest_load_file", run_statetest_load, fixtures, NULL, 1, false};
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
    struct fault_op op = {"mainnet_load", run_mainnet_load, fixtures, NULL, step_for(7), false};
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
    struct fault_op op = {"exec_block_sequential", run_exec_sequential, &a, &a.f.pre, step_for(1), false};
    fault_loop(&op);
    mainnet_fixture_free(&a.f);
}

/* ---- the parallel engine ---- */

/* exec_block_parallel, forced onto the engine at 4 threads (the
 * allocations of its workers interleave, so which one the Nth is varies
 * from run to run; every one must still fail cleanly). A run with no
 * failure must give the sequential result. */
struct par_arg {
    struct chain_config cfg;
    struct mainnet_fixture f;
    struct block_result want;
    hash32 want_root;
    struct exec_options opt;
};

static int run_exec_parallel(void *p)
{
    struct par_arg *a = p;
    struct block_result r;
    memset(&r, 0, sizeof r);
    int rc = exec_block_parallel(&a->cfg, &a->f.block, &a->f.pre, &a->f.hashes, &a->opt, &r, NULL);
    struct fault_arm armed = fault_pause(); /* the checks are not under test */
    if (rc == PAREVM_OK) {
        /* the block ran: check it, then put the world back for the next N */
        hash32 root;
        assert_true(block_result_equal(&r, &a->want));
        assert_int_equal(world_state_root(&a->f.pre, &root), PAREVM_OK);
        assert_memory_equal(&root, &a->want_root, sizeof root);
    }
    block_result_free(&r);
    fault_resume(armed);
    return rc;
}

/* Load fixture dir into a, compute the sequential result on a copy. */
static bool par_setup(struct par_arg *a, const char *dir)
{
    snprintf(fixtures, sizeof fixtures, "%s/mainnet/%s", fixture_root(), dir);
    if (!dir_exists(fixtures))
        return false;
    chain_config_mainnet(&a->cfg);
    a->cfg.skip_intermediate_roots = true;
    char err[512];
    assert_int_equal(mainnet_load(fixtures, &a->cfg, &a->f, err, sizeof err), PAREVM_OK);
    struct mainnet_fixture copy;
    assert_int_equal(mainnet_load(fixtures, &a->cfg, &copy, err, sizeof err), PAREVM_OK);
    memset(&a->want, 0, sizeof a->want);
    assert_int_equal(exec_block_sequential(&a->cfg, &copy.block, &copy.pre, &copy.hashes, &a->want),
                     PAREVM_OK);
    assert_false(a->want.invalid);
    assert_int_equal(world_state_root(&copy.pre, &a->want_root), PAREVM_OK);
    mainnet_fixture_free(&copy);
    a->opt = (struct exec_options){.threads = 4, .force = true, .no_sample = true};
    return true;
}

static void par_teardown(struct par_arg *a)
{
    block_result_free(&a->want);
    mainnet_fixture_free(&a->f);
}

/* The world a successful run leaves is the post-state: the fault loop
 * compares roots against the pre-state, so each run starts from a fresh
 * load. It also runs in an environment of its own (exec_env.h), so the
 * caches start cold and their first fills are under test in every run. */
struct par_fresh {
    struct par_arg *a;
    const char *dir;
};

static int run_exec_parallel_fresh(void *p)
{
    struct par_fresh *x = p;
    hash32 before, after;
    struct fault_arm armed = fault_pause(); /* the reload is not under test */
    mainnet_fixture_free(&x->a->f);
    char err[512];
    assert_int_equal(mainnet_load(fixtures, &x->a->cfg, &x->a->f, err, sizeof err), PAREVM_OK);
    assert_int_equal(world_state_root(&x->a->f.pre, &before), PAREVM_OK);
    assert_int_equal(exec_env_create(&x->a->opt.env), PAREVM_OK);
    fault_calls = 0;
    fault_resume(armed);
    int rc = run_exec_parallel(x->a);
    struct fault_arm now = fault_pause();
    exec_env_destroy(x->a->opt.env);
    x->a->opt.env = NULL;
    if (rc != PAREVM_OK) {
        assert_int_equal(world_state_root(&x->a->f.pre, &after), PAREVM_OK);
        if (memcmp(&before, &after, sizeof before) != 0) {
            print_error("exec_block_parallel: root changed after failing allocation %ld (error %d)\n", now.at,
                        rc);
            fail();
        }
    }
    fault_resume(now);
    return rc;
}

static void test_exec_parallel(void **state)
{
    (void)state;
    static struct par_arg a;
    if (!par_setup(&a, "2674998"))
        skip();
    struct par_fresh x = {&a, "2674998"};
    struct fault_op op = {
        "exec_block_parallel (4 threads)", run_exec_parallel_fresh, &x, NULL, step_for(5), true};
    fault_loop(&op);
    par_teardown(&a);
}

/* The same block on Block-STM with its EIP-7928 list recorded (each
 * incarnation's accesses kept, the list built in the commit): every
 * refused allocation fails cleanly or recovers, and a run that completes
 * records the sequential run's list. */
struct rec_fresh {
    struct par_fresh fresh;
    struct bal want;
};

static int run_exec_recording(void *p)
{
    struct rec_fresh *x = p;
    struct fault_arm armed = fault_pause();
    struct bal got;
    bal_init(&got);
    x->fresh.a->opt.bal = &got;
    fault_resume(armed);
    int rc = run_exec_parallel_fresh(&x->fresh);
    armed = fault_pause();
    x->fresh.a->opt.bal = NULL;
    if (rc == PAREVM_OK) {
        char why[256];
        if (!bal_equal(&x->want, &got, why, sizeof why))
            fail_msg("recorded list differs from the sequential one: %s", why);
    }
    bal_free(&got);
    fault_resume(armed);
    return rc;
}

static void test_exec_parallel_recording(void **state)
{
    (void)state;
    static struct par_arg a;
    if (!par_setup(&a, "2674998"))
        skip();
    static struct rec_fresh x;
    x.fresh = (struct par_fresh){&a, "2674998"};
    /* the sequential recording (on a copy: a.f.pre is the pre-state) */
    bal_init(&x.want);
    struct world w;
    assert_int_equal(world_clone(&a.f.pre, &w), PAREVM_OK);
    struct exec_options seq = {.threads = 1, .bal = &x.want};
    struct block_result r;
    assert_int_equal(exec_block_parallel(&a.cfg, &a.f.block, &w, &a.f.hashes, &seq, &r, NULL), PAREVM_OK);
    assert_false(r.invalid);
    block_result_free(&r);
    world_free(&w);
    struct fault_op op = {"exec_block_parallel recording its list (4 threads)",
                          run_exec_recording,
                          &x,
                          NULL,
                          step_for(5),
                          true};
    fault_loop(&op);
    bal_free(&x.want);
    par_teardown(&a);
}

/* The same block driven by its own access list (EIP-7928, balexec.h):
 * the list's engine, its commit writing the world from the list, and the
 * run without the list it falls back to. Every refused allocation must
 * leave the world as it was, or end in the sequential result. */
static void drive_faults(const char *number, int threads, long full_step)
{
    static struct par_arg a;
    if (!par_setup(&a, number))
        skip();
    a.opt.threads = threads;
    static struct bal list;
    bal_init(&list);
    struct world w;
    assert_int_equal(world_clone(&a.f.pre, &w), PAREVM_OK);
    struct exec_options rec = {.threads = 1, .bal = &list};
    struct block_result r;
    assert_int_equal(exec_block_parallel(&a.cfg, &a.f.block, &w, &a.f.hashes, &rec, &r, NULL), PAREVM_OK);
    assert_true(list.finished);
    block_result_free(&r);
    world_free(&w);
    /* (the list drives this block: no fallback without a fault) */
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    assert_int_equal(world_clone(&a.f.pre, &w), PAREVM_OK);
    struct exec_options drive = {.threads = threads, .force = true, .drive = &list};
    assert_int_equal(exec_block_parallel(&a.cfg, &a.f.block, &w, &a.f.hashes, &drive, &r, &stats), PAREVM_OK);
    assert_true(stats.bal_driven);
    exec_stats_reset(&stats);
    block_result_free(&r);
    world_free(&w);
    a.opt.drive = &list;
    struct par_fresh x = {&a, number};
    struct fault_op op = {threads > 1 ? "exec_block_parallel driven by its access list (4 threads)"
                                      : "exec_block_parallel driven by its access list (1 thread)",
                          run_exec_parallel_fresh,
                          &x,
                          NULL,
                          step_for(full_step),
                          true};
    fault_loop(&op);
    bal_free(&list);
    par_teardown(&a);
}

static void test_exec_driven(void **state)
{
    (void)state;
    drive_faults("1150000", 4, 1);
}

/* A block whose list deletes a contract and creates empty accounts
 * (Frontier 116525), so the commit deletes, clears and creates
 * accounts from the list too; every fourth allocation (all:
 * PAREVM_FAULT_FULL). At one thread: the run without the list that a
 * refused allocation falls back to is then Block-STM on one worker,
 * whose allocations do not depend on interleavings (at four, a
 * dependency's allocation is reached in some runs only, and the loop
 * could not reach it again). */
static void test_exec_driven_deletions(void **state)
{
    (void)state;
    drive_faults("116525", 1, 4);
}

/* pthread_create failing the Nth time, in the worker pool (its threads
 * live on: later runs start fewer or none) or for a deep stack: the block
 * runs on the threads it has, or fails with an error, never hangs nor
 * gives another result. Runs before any other parallel test so that the
 * pool starts empty. */
static void test_thread_create(void **state)
{
    (void)state;
    static struct par_arg a;
    if (!par_setup(&a, "2674998"))
        skip();
    long n = 1, failed = 0, fallbacks = 0;
    for (;; n++) {
        hash32 before, after;
        mainnet_fixture_free(&a.f);
        char err[512];
        assert_int_equal(mainnet_load(fixtures, &a.cfg, &a.f, err, sizeof err), PAREVM_OK);
        assert_int_equal(world_state_root(&a.f.pre, &before), PAREVM_OK);
        thread_calls = 0;
        thread_hit = 0;
        thread_fault_at = n;
        int rc = run_exec_parallel(&a);
        thread_fault_at = 0;
        if (!thread_hit) {
            assert_int_equal(rc, PAREVM_OK);
            break;
        }
        if (rc == PAREVM_OK) {
            fallbacks++; /* fewer threads, the same result (checked) */
            continue;
        }
        failed++;
        if (rc != PAREVM_ERR_NOMEM) {
            print_error("thread creation %ld failed, got error %d (%s)\n", n, rc, parevm_strerror(rc));
            fail();
        }
        assert_int_equal(world_state_root(&a.f.pre, &after), PAREVM_OK);
        assert_memory_equal(&before, &after, sizeof before);
    }
    print_message("pthread_create: %ld failure points, %ld ran on fewer threads, %ld returned NOMEM\n", n - 1,
                  fallbacks, failed);
    par_teardown(&a);
}

/* ---- t8n: the loaders, the transition, the writers ---- */

struct t8n_arg {
    const char *dir;
    enum fork fork;
    int threads;
    char *alloc, *env, *txs;
    size_t alloc_len, env_len, txs_len;
};

static int run_t8n(void *p)
{
    struct t8n_arg *a = p;
    struct world w;
    struct t8n_env env;
    struct t8n_txs txs;
    struct t8n_result r;
    struct bytebuf out = {0};
    char err[512];
    world_init(&w);
    memset(&env, 0, sizeof env);
    memset(&txs, 0, sizeof txs);
    memset(&r, 0, sizeof r);
    int rc = t8n_parse_alloc("alloc.json", a->alloc, a->alloc_len, &w, err, sizeof err);
    if (!rc)
        rc = t8n_parse_env("env.json", a->env, a->env_len, &env, err, sizeof err);
    if (!rc)
        rc = t8n_parse_txs("txs.json", a->txs, a->txs_len, a->fork, 1, &txs, err, sizeof err);
    if (!rc) {
        struct t8n_config cfg = {
            .fork = a->fork, .chain_id = 1, .reward_enabled = true, .threads = a->threads};
        rc = t8n_apply(&cfg, &env, &txs, &w, &r, err, sizeof err);
    }
    if (!rc)
        rc = t8n_write_combined(&w, &r, &txs, T8N_PART_ALLOC | T8N_PART_RESULT | T8N_PART_BODY, &out);
    bytebuf_free(&out);
    t8n_result_free(&r);
    t8n_txs_free(&txs);
    t8n_env_free(&env);
    world_free(&w);
    return rc;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096], msg[256], *data;
    snprintf(path, sizeof path, "tests/t8n-geth/%s/%s", dir, name);
    if (io_read_file(path, &data, len, msg, sizeof msg) != PAREVM_OK)
        return NULL;
    return data;
}

static void t8n_case(const char *dir, enum fork fork, int threads)
{
    struct t8n_arg a = {dir, fork, threads, NULL, NULL, NULL, 0, 0, 0};
    a.alloc = slurp(dir, "alloc.json", &a.alloc_len);
    a.env = slurp(dir, "env.json", &a.env_len);
    a.txs = slurp(dir, "txs.json", &a.txs_len);
    if (!a.alloc || !a.env || !a.txs) {
        free(a.alloc);
        free(a.env);
        free(a.txs);
        print_message("tests/t8n-geth/%s: not found (run from the repository root)\n", dir);
        skip();
    }
    char name[96];
    snprintf(name, sizeof name, "t8n %s (%d thread%s)", dir, threads, threads > 1 ? "s" : "");
    /* at 2+ threads the engine may recover from a refusal (the result is
     * then not compared here: tests/test_t8n.c compares the engines) */
    struct fault_op op = {name, run_t8n, &a, NULL, 1, threads > 1};
    fault_loop(&op);
    free(a.alloc);
    free(a.env);
    free(a.txs);
}

static void test_t8n_shanghai(void **state)
{
    (void)state;
    t8n_case("18-shanghai", FORK_SHANGHAI, 1);
}

static void test_t8n_paris_parallel(void **state)
{
    (void)state;
    t8n_case("15-paris", FORK_PARIS, 4);
}

static void test_t8n_prague(void **state)
{
    (void)state;
    t8n_case("22-prague", FORK_PRAGUE, 1);
}

/* ---- blocktest loader ---- */

static int run_blocktest_load(void *p)
{
    struct blocktest_file f;
    char err[512];
    int rc = blocktest_load_file(p, &f, err, sizeof err);
    if (rc == PAREVM_OK)
        blocktest_file_free(&f);
    return rc;
}

static void test_blocktest_loader(void **state)
{
    (void)state;
    snprintf(fixtures, sizeof fixtures,
             "%s/ethereum-tests/BlockchainTests/ValidBlocks/bcExample/shanghaiExample.json", fixture_root());
    if (!dir_exists(fixtures))
        skip();
    struct fault_op op = {"blocktest_load_file", run_blocktest_load, fixtures, NULL, step_for(3), false};
    fault_loop(&op);
}

int main(void)
{
    cJSON_Hooks hooks = {cjson_malloc, free};
    cJSON_InitHooks(&hooks);
    const char *trace = getenv("PAREVM_FAULT_TRACE");
    fault_trace = trace && *trace == '1';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_create), /* first: the worker pool starts empty */
        cmocka_unit_test(test_write_set_apply), cmocka_unit_test(test_statetest_loader),
        cmocka_unit_test(test_mainnet_loader),  cmocka_unit_test(test_exec_sequential),
        cmocka_unit_test(test_exec_parallel),   cmocka_unit_test(test_exec_parallel_recording),
        cmocka_unit_test(test_exec_driven),     cmocka_unit_test(test_exec_driven_deletions),
        cmocka_unit_test(test_t8n_shanghai),    cmocka_unit_test(test_t8n_paris_parallel),
        cmocka_unit_test(test_t8n_prague),      cmocka_unit_test(test_blocktest_loader),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    print_message("fault: %zu distinct allocation sites reached, %zu of them failed\n", reached_count,
                  site_count);
    if (site_count < reached_count) { /* listed above, by the op that reached it */
        print_error("fault: error: %zu reached allocation sites never failed\n", reached_count - site_count);
        rc = 1;
    }
    return rc;
}
