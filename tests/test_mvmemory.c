/*
 * mvmemory: the Block-STM multi-version memory, driven directly. A read
 * by transaction i sees the newest version below i (never its own, never
 * a higher one), else the pre-block world; balance deltas add up to the
 * first absolute write below them; an ESTIMATE blocks a reader with the
 * writer's index; a new incarnation replaces its transaction's versions
 * and drops the ones it no longer writes (wrote_new when it writes
 * somewhere new); a storage clear hides older slot writes; the
 * beneficiary's balance follows the same rules through its own entries;
 * mvmemory_still_base validates a base read. Versions inserted out of
 * transaction order (and from several threads) still resolve in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../src/exec/exec_env.h"
#include "../src/exec/mvmemory.h"
#include "../src/state/world.h"
#include "../src/state/write_set.h"

#define TXS 8

static address addr(uint8_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = 0x20;
    a.bytes[19] = n;
    return a;
}

static u256 word(uint64_t v)
{
    return u256_from_u64(v);
}

/* Pre-block world: A (balance 1000, nonce 3, slot 1 = 11), the
 * beneficiary C (balance 50). B and N are absent. */
struct fixture {
    struct world world;
    struct mvmemory mv;
    struct mv_written written[TXS];
    address a, b, c, n;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->a = addr(0xa);
    f->b = addr(0xb);
    f->c = addr(0xc);
    f->n = addr(0x4e);
    world_init(&f->world);
    struct world_account *acct = world_get_or_create(&f->world, &f->a);
    acct->balance = word(1000);
    acct->nonce = 3;
    u256 k1 = word(1), v11 = word(11);
    assert_int_equal(world_set_storage(acct, &k1, &v11), PAREVM_OK);
    world_get_or_create(&f->world, &f->c)->balance = word(50);
    assert_int_equal(mvmemory_init(&f->mv, &f->world, TXS, &f->c, 16, &exec_env_default()->scratch, &exec_env_default()->slabs), PAREVM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < TXS; i++)
        if (!f->written[i].in_arena)
            free(f->written[i].locs);
    mvmemory_free(&f->mv);
    world_free(&f->world);
    free(f);
    return 0;
}

/* ---- write sets ---- */

static void ws_balance(struct write_set *ws, const address *a, uint64_t v)
{
    struct ws_account *w = write_set_add_account(ws, a);
    assert_non_null(w);
    w->flags |= WS_BALANCE;
    w->balance = word(v);
}

static void ws_delta(struct write_set *ws, const address *a, uint64_t v)
{
    struct ws_account *w = write_set_add_account(ws, a);
    assert_non_null(w);
    w->flags |= WS_BALANCE_DELTA;
    w->delta = word(v);
}

static void ws_slot(struct write_set *ws, const address *a, uint64_t key, uint64_t v)
{
    u256 k = word(key), value = word(v);
    assert_int_equal(write_set_add_slot(ws, a, &k, &value), PAREVM_OK);
}

/* Record ws as tx's next incarnation; returns wrote_new. */
static bool record(struct fixture *f, uint32_t tx, struct write_set *ws)
{
    bool wrote_new = false;
    assert_int_equal(mvmemory_record(&f->mv, tx, 0, ws, &f->written[tx], NULL, &wrote_new, NULL), PAREVM_OK);
    write_set_free(ws);
    write_set_init(ws);
    return wrote_new;
}

/* ---- reads ---- */

struct deps {
    uint32_t v[TXS * 4];
    size_t n;
};

static void collect_dep(void *arg, uint32_t writer)
{
    struct deps *d = arg;
    assert_true(d->n < TXS * 4);
    d->v[d->n++] = writer;
}

static void assert_deps(const struct deps *d, const uint32_t *expect, size_t n)
{
    assert_int_equal(d->n, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(d->v[i], expect[i]);
}

/* Balance of a as reader sees it (must not block). */
static uint64_t balance(struct fixture *f, const address *a, uint32_t reader, struct deps *d)
{
    u256 out;
    uint32_t blocking = UINT32_MAX;
    if (d)
        d->n = 0;
    assert_int_equal(
        mvmemory_read_balance(&f->mv, a, reader, &out, &blocking, d ? collect_dep : NULL, d, NULL),
        PAREVM_OK);
    assert_true(out.w[1] == 0 && out.w[2] == 0 && out.w[3] == 0);
    return out.w[0];
}

static uint64_t storage(struct fixture *f, const address *a, uint64_t key, uint32_t reader,
                        struct mv_read_hint *hint)
{
    u256 k = word(key), out;
    uint32_t blocking = UINT32_MAX;
    assert_int_equal(mvmemory_read_storage(&f->mv, a, &k, reader, &out, &blocking, NULL, NULL, hint),
                     PAREVM_OK);
    return out.w[0];
}

/* ---- tests ---- */

static void test_reads_fall_back_to_base(void **state)
{
    struct fixture *f = *state;
    struct deps d;
    assert_int_equal(balance(f, &f->a, 5, &d), 1000);
    assert_int_equal(d.n, 0);
    assert_int_equal(balance(f, &f->b, 5, NULL), 0);
    uint64_t nonce = 99;
    bool exists = false;
    uint32_t blocking;
    struct mv_read_hint hint = {0};
    assert_int_equal(mvmemory_read_nonce(&f->mv, &f->a, 5, &nonce, &exists, &blocking, NULL, NULL, &hint),
                     PAREVM_OK);
    assert_int_equal(nonce, 3);
    assert_true(exists);
    assert_true(hint.base);
    assert_int_equal(mvmemory_read_nonce(&f->mv, &f->n, 5, &nonce, &exists, &blocking, NULL, NULL, NULL),
                     PAREVM_OK);
    assert_int_equal(nonce, 0);
    assert_false(exists);
    assert_int_equal(storage(f, &f->a, 1, 5, NULL), 11);
    assert_int_equal(storage(f, &f->a, 2, 5, NULL), 0);
    bool has = false;
    assert_int_equal(mvmemory_read_has_storage(&f->mv, &f->a, 5, &has, &blocking, NULL, NULL, NULL),
                     PAREVM_OK);
    assert_true(has);
    assert_int_equal(balance(f, &f->c, 5, NULL), 50);
    assert_int_equal(mvmemory_changes(&f->mv), 0);
}

static void test_reader_sees_newest_lower_version(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    ws_balance(&ws, &f->a, 500);
    assert_true(record(f, 2, &ws));
    assert_int_equal(mvmemory_changes(&f->mv), 1);
    ws_balance(&ws, &f->a, 400);
    assert_true(record(f, 5, &ws));

    struct deps d;
    assert_int_equal(balance(f, &f->a, 0, &d), 1000);
    assert_int_equal(balance(f, &f->a, 2, &d), 1000); /* its own write is not below it */
    assert_int_equal(d.n, 0);
    assert_int_equal(balance(f, &f->a, 3, &d), 500);
    assert_deps(&d, (uint32_t[]){2}, 1);
    assert_int_equal(balance(f, &f->a, 5, &d), 500);
    assert_int_equal(balance(f, &f->a, 6, &d), 400);
    assert_deps(&d, (uint32_t[]){5}, 1);
    write_set_free(&ws);
}

static void test_out_of_order_inserts_stay_sorted(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    /* slot 7 of A written by 6, 1, 4, 0, 3 in that order (value 100 + tx) */
    const uint32_t order[] = {6, 1, 4, 0, 3};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        ws_slot(&ws, &f->a, 7, 100 + order[i]);
        record(f, order[i], &ws);
    }
    const uint64_t expect[TXS] = {0, 100, 101, 101, 103, 104, 104, 106};
    for (uint32_t r = 0; r < TXS; r++)
        assert_int_equal(storage(f, &f->a, 7, r, NULL), expect[r]);
    write_set_free(&ws);
}

static void test_deltas_add_up_to_an_absolute_write(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    ws_delta(&ws, &f->b, 10);
    record(f, 1, &ws);
    ws_delta(&ws, &f->b, 5);
    record(f, 3, &ws);
    struct deps d;
    assert_int_equal(balance(f, &f->b, 4, &d), 15);
    assert_deps(&d, (uint32_t[]){3, 1}, 2);
    assert_int_equal(balance(f, &f->b, 2, &d), 10);
    /* An absolute write between them: the deltas below it no longer count. */
    ws_balance(&ws, &f->b, 100);
    record(f, 2, &ws);
    assert_int_equal(balance(f, &f->b, 4, &d), 105);
    assert_deps(&d, (uint32_t[]){3, 2}, 2);
    /* A delta on an account of the world adds to its balance. */
    ws_delta(&ws, &f->a, 1);
    record(f, 0, &ws);
    assert_int_equal(balance(f, &f->a, 1, &d), 1001);
    assert_deps(&d, (uint32_t[]){0}, 1);
    write_set_free(&ws);
}

static void test_estimate_blocks_until_rewritten(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    ws_balance(&ws, &f->a, 500);
    ws_slot(&ws, &f->a, 1, 12);
    record(f, 2, &ws);
    mvmemory_mark_estimates(&f->mv, 2, &f->written[2]);

    u256 out, k1 = word(1);
    uint32_t blocking = UINT32_MAX;
    assert_int_equal(mvmemory_read_balance(&f->mv, &f->a, 3, &out, &blocking, NULL, NULL, NULL),
                     PAREVM_ERR_BLOCKED);
    assert_int_equal(blocking, 2);
    blocking = UINT32_MAX;
    assert_int_equal(mvmemory_read_storage(&f->mv, &f->a, &k1, 7, &out, &blocking, NULL, NULL, NULL),
                     PAREVM_ERR_BLOCKED);
    assert_int_equal(blocking, 2);
    /* Readers at or below the writer do not see the marker. */
    assert_int_equal(balance(f, &f->a, 2, NULL), 1000);

    /* The next incarnation writes the balance only: the slot's marker goes. */
    ws_balance(&ws, &f->a, 600);
    assert_false(record(f, 2, &ws));
    assert_int_equal(balance(f, &f->a, 3, NULL), 600);
    assert_int_equal(storage(f, &f->a, 1, 7, NULL), 11);
    write_set_free(&ws);
}

static void test_new_incarnation_replaces_versions(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    ws_balance(&ws, &f->a, 1);
    ws_slot(&ws, &f->a, 1, 21);
    assert_true(record(f, 1, &ws)); /* first incarnation: new locations */
    assert_int_equal(storage(f, &f->a, 1, 2, NULL), 21);

    ws_balance(&ws, &f->a, 2);
    assert_false(record(f, 1, &ws)); /* a subset: nothing new */
    assert_int_equal(balance(f, &f->a, 2, NULL), 2);
    assert_int_equal(storage(f, &f->a, 1, 2, NULL), 11); /* dropped */

    ws_balance(&ws, &f->a, 3);
    ws_slot(&ws, &f->a, 2, 22);
    assert_true(record(f, 1, &ws)); /* slot 2 is new */
    assert_int_equal(storage(f, &f->a, 2, 2, NULL), 22);

    assert_false(record(f, 1, &ws)); /* writes nothing at all now */
    assert_int_equal(balance(f, &f->a, 2, NULL), 1000);
    assert_int_equal(storage(f, &f->a, 2, 2, NULL), 0);
    assert_int_equal(f->written[1].count, 0);
    write_set_free(&ws);
}

static void test_still_base_validates_base_reads(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    u256 k1 = word(1);
    struct mv_read_hint hint = {0};
    assert_int_equal(storage(f, &f->a, 1, 4, &hint), 11);
    assert_true(hint.base);
    assert_true(mvmemory_still_base(&f->mv, MV_STORAGE, &f->a, &k1, 4, &hint));

    /* A write above the reader does not matter. */
    ws_slot(&ws, &f->a, 1, 50);
    record(f, 6, &ws);
    assert_true(mvmemory_still_base(&f->mv, MV_STORAGE, &f->a, &k1, 4, &hint));
    /* A clear of the account below the reader does. */
    struct ws_account *w = write_set_add_account(&ws, &f->a);
    w->flags = WS_CLEAR_STORAGE;
    record(f, 3, &ws);
    assert_false(mvmemory_still_base(&f->mv, MV_STORAGE, &f->a, &k1, 4, &hint));
    record(f, 3, &ws); /* (empty: the clear is gone again) */
    assert_true(mvmemory_still_base(&f->mv, MV_STORAGE, &f->a, &k1, 4, &hint));
    /* So does a write of the slot below it. */
    ws_slot(&ws, &f->a, 1, 40);
    record(f, 2, &ws);
    assert_false(mvmemory_still_base(&f->mv, MV_STORAGE, &f->a, &k1, 4, &hint));

    /* A read that did not come from the base is never "still base". */
    struct mv_read_hint h2 = {0};
    assert_int_equal(storage(f, &f->a, 1, 4, &h2), 40);
    assert_false(h2.base);
    assert_false(mvmemory_still_base(&f->mv, MV_STORAGE, &f->a, &k1, 4, &h2));
    write_set_free(&ws);
}

static void test_storage_clear(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    ws_slot(&ws, &f->a, 1, 5);
    record(f, 1, &ws);
    /* tx 3 re-creates A: clears its storage and writes slot 2 */
    struct ws_account *w = write_set_add_account(&ws, &f->a);
    w->flags = WS_CLEAR_STORAGE;
    ws_slot(&ws, &f->a, 2, 9);
    record(f, 3, &ws);

    assert_int_equal(storage(f, &f->a, 1, 2, NULL), 5);
    assert_int_equal(storage(f, &f->a, 1, 4, NULL), 0); /* the clear is newer */
    assert_int_equal(storage(f, &f->a, 2, 4, NULL), 9); /* same tx: clear first */
    bool has = false;
    uint32_t blocking;
    assert_int_equal(mvmemory_read_has_storage(&f->mv, &f->a, 3, &has, &blocking, NULL, NULL, NULL),
                     PAREVM_OK);
    assert_true(has);
    assert_int_equal(mvmemory_read_has_storage(&f->mv, &f->a, 4, &has, &blocking, NULL, NULL, NULL),
                     PAREVM_OK);
    assert_false(has);
    /* A write after the clear is seen again. */
    ws_slot(&ws, &f->a, 1, 6);
    record(f, 5, &ws);
    assert_int_equal(storage(f, &f->a, 1, 6, NULL), 6);
    write_set_free(&ws);
}

static void test_delete_and_create(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    struct ws_account *w = write_set_add_account(&ws, &f->a);
    w->flags = WS_DELETE;
    w = write_set_add_account(&ws, &f->n);
    w->flags = WS_NONCE | WS_CREATE;
    w->nonce = 1;
    record(f, 2, &ws);

    uint64_t nonce;
    bool exists;
    uint32_t blocking;
    struct code *code = NULL;
    assert_int_equal(balance(f, &f->a, 3, NULL), 0);
    assert_int_equal(mvmemory_read_nonce(&f->mv, &f->a, 3, &nonce, &exists, &blocking, NULL, NULL, NULL),
                     PAREVM_OK);
    assert_int_equal(nonce, 0);
    assert_int_equal(mvmemory_read_code(&f->mv, &f->a, 3, &code, &blocking, NULL, NULL, NULL), PAREVM_OK);
    assert_int_equal(code->len, 0);
    assert_int_equal(storage(f, &f->a, 1, 3, NULL), 0);
    assert_int_equal(storage(f, &f->a, 1, 2, NULL), 11);
    assert_int_equal(mvmemory_read_nonce(&f->mv, &f->n, 3, &nonce, &exists, &blocking, NULL, NULL, NULL),
                     PAREVM_OK);
    assert_int_equal(nonce, 1);
    assert_true(exists);
    write_set_free(&ws);
}

static void test_code_versions(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    const uint8_t bytes[] = {0x60, 0x00, 0x00};
    struct code *c = code_new(bytes, sizeof bytes);
    assert_non_null(c);
    struct ws_account *w = write_set_add_account(&ws, &f->n);
    w->flags = WS_CODE;
    w->code = code_retain(c);
    record(f, 1, &ws); /* the memory keeps its own reference */
    code_release(c);
    struct code *got = NULL;
    uint32_t blocking;
    assert_int_equal(mvmemory_read_code(&f->mv, &f->n, 2, &got, &blocking, NULL, NULL, NULL), PAREVM_OK);
    assert_int_equal(got->len, sizeof bytes);
    assert_memory_equal(got->bytes, bytes, sizeof bytes);
    assert_int_equal(mvmemory_read_code(&f->mv, &f->n, 1, &got, &blocking, NULL, NULL, NULL), PAREVM_OK);
    assert_int_equal(got->len, 0);
    write_set_free(&ws);
}

/* Code is rarely written: reads look for its location only once one
 * exists. A read made before the first write still validates against it. */
static void test_code_read_before_any_write(void **state)
{
    struct fixture *f = *state;
    struct code *got = NULL;
    uint32_t blocking;
    struct mv_read_hint hint = {0};
    assert_int_equal(mvmemory_read_code(&f->mv, &f->n, 5, &got, &blocking, NULL, NULL, &hint), PAREVM_OK);
    assert_int_equal(got->len, 0);
    assert_true(hint.base);
    assert_null(hint.loc);
    assert_true(mvmemory_still_base(&f->mv, MV_CODE, &f->n, NULL, 5, &hint));

    struct write_set ws;
    write_set_init(&ws);
    const uint8_t bytes[] = {0x60, 0x01};
    struct ws_account *w = write_set_add_account(&ws, &f->n);
    w->flags = WS_CODE;
    w->code = code_new(bytes, sizeof bytes);
    assert_non_null(w->code);
    record(f, 2, &ws);
    /* the earlier read no longer holds, and a new one sees the code */
    assert_false(mvmemory_still_base(&f->mv, MV_CODE, &f->n, NULL, 5, &hint));
    struct mv_read_hint again = {0};
    assert_int_equal(mvmemory_read_code(&f->mv, &f->n, 5, &got, &blocking, NULL, NULL, &again), PAREVM_OK);
    assert_int_equal(got->len, sizeof bytes);
    assert_false(again.base);
    /* an account whose code nobody wrote still reads the base */
    assert_int_equal(mvmemory_read_code(&f->mv, &f->a, 5, &got, &blocking, NULL, NULL, NULL), PAREVM_OK);
    write_set_free(&ws);
}

static void test_beneficiary_entries(void **state)
{
    struct fixture *f = *state;
    struct write_set ws;
    write_set_init(&ws);
    ws_delta(&ws, &f->c, 2);
    assert_true(record(f, 0, &ws));
    ws_delta(&ws, &f->c, 3);
    record(f, 1, &ws);
    ws_delta(&ws, &f->c, 4);
    record(f, 4, &ws);
    struct deps d;
    assert_int_equal(balance(f, &f->c, 0, &d), 50);
    assert_int_equal(balance(f, &f->c, 2, &d), 55);
    assert_deps(&d, (uint32_t[]){1, 0}, 2);
    assert_int_equal(balance(f, &f->c, 5, &d), 59);
    /* An absolute write of it hides what is below. */
    ws_balance(&ws, &f->c, 7);
    record(f, 3, &ws);
    assert_int_equal(balance(f, &f->c, 5, &d), 11);
    assert_deps(&d, (uint32_t[]){4, 3}, 2);
    /* ESTIMATE: the reader waits for the writer. */
    mvmemory_mark_estimates(&f->mv, 1, &f->written[1]);
    u256 out;
    uint32_t blocking = UINT32_MAX;
    assert_int_equal(mvmemory_read_balance(&f->mv, &f->c, 2, &out, &blocking, NULL, NULL, NULL),
                     PAREVM_ERR_BLOCKED);
    assert_int_equal(blocking, 1);
    assert_int_equal(balance(f, &f->c, 1, NULL), 52);
    /* Above the absolute write the marker does not matter. */
    assert_int_equal(balance(f, &f->c, 5, NULL), 11);
    /* Rewritten without a fee: that entry is gone. */
    assert_false(record(f, 1, &ws));
    assert_int_equal(balance(f, &f->c, 2, NULL), 52);
    write_set_free(&ws);
}

/* Several threads record versions of one location in scrambled order;
 * afterwards every reader sees exactly the version of the transaction
 * below it. */
#define RACE_TXS 256
#define RACE_THREADS 4
struct race {
    struct mvmemory mv;
    struct mv_written written[RACE_TXS];
    address a;
};

static void *race_worker(void *arg)
{
    void **args = arg; /* {struct race *, thread number} */
    struct race *r = args[0];
    int t = (int)(intptr_t)args[1];
    struct write_set ws;
    write_set_init(&ws);
    /* thread t: transactions t, t + T, ... from the top down */
    for (int tx = RACE_TXS - RACE_THREADS + t; tx >= 0; tx -= RACE_THREADS) {
        u256 k = word(1), v = word(1000 + (uint64_t)tx);
        if (write_set_add_slot(&ws, &r->a, &k, &v) != PAREVM_OK)
            abort();
        bool wrote_new;
        if (mvmemory_record(&r->mv, (uint32_t)tx, 0, &ws, &r->written[tx], NULL, &wrote_new, NULL) !=
            PAREVM_OK)
            abort();
        write_set_reset(&ws);
    }
    write_set_free(&ws);
    return NULL;
}

static void test_concurrent_records_resolve_in_order(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct race *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->a = addr(0xa);
    address coinbase = addr(0xc);
    assert_int_equal(mvmemory_init(&r->mv, &w, RACE_TXS, &coinbase, 4, &exec_env_default()->scratch,
                                   &exec_env_default()->slabs), PAREVM_OK);
    pthread_t th[RACE_THREADS];
    void *args[RACE_THREADS][2];
    for (int t = 0; t < RACE_THREADS; t++) {
        args[t][0] = r;
        args[t][1] = (void *)(intptr_t)t;
        assert_int_equal(pthread_create(&th[t], NULL, race_worker, args[t]), 0);
    }
    for (int t = 0; t < RACE_THREADS; t++)
        pthread_join(th[t], NULL);
    assert_int_equal(mvmemory_changes(&r->mv), RACE_TXS);
    u256 k = word(1), out;
    uint32_t blocking;
    for (uint32_t reader = 0; reader < RACE_TXS; reader++) {
        assert_int_equal(mvmemory_read_storage(&r->mv, &r->a, &k, reader, &out, &blocking, NULL, NULL, NULL),
                         PAREVM_OK);
        assert_int_equal(out.w[0], reader == 0 ? 0 : 1000 + reader - 1);
    }
    for (int i = 0; i < RACE_TXS; i++)
        free(r->written[i].locs);
    mvmemory_free(&r->mv);
    free(r);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_fall_back_to_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_sees_newest_lower_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_inserts_stay_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deltas_add_up_to_an_absolute_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_estimate_blocks_until_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_incarnation_replaces_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_still_base_validates_base_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_and_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_code_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_code_read_before_any_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_beneficiary_entries, setup, teardown),
        cmocka_unit_test(test_concurrent_records_resolve_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
