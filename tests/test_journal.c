/*
 * journal: a transaction's overlay over a state view. Fields load lazily
 * and once; a credit to a balance never read stays a delta; checkpoints
 * nest and a revert undoes exactly what came after its checkpoint
 * (storage, nonce, code, flags, warm sets, transient storage, logs,
 * refund); journal_finalize applies EIP-161 and EIP-6780 and yields the
 * write set; journal_each_access reports EIP-7928 accesses, reverted
 * frames included, warming alone excluded. In builds with invariants on
 * (no NDEBUG), reverting to a checkpoint deeper than the journal aborts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/evm/fork.h"
#include "../src/state/journal.h"
#include "../src/state/world.h"

/* ---- a world behind a view that counts its calls and can fail ---- */

struct counting_view {
    struct world world;
    struct world_view inner_ctx;
    struct state_view inner;
    unsigned balance_calls, nonce_calls, code_calls, storage_calls;
    int fail; /* returned by every call when non-zero */
};

static int cv_balance(void *ctx, const address *a, u256 *out)
{
    struct counting_view *cv = ctx;
    cv->balance_calls++;
    return cv->fail ? cv->fail : cv->inner.ops->balance(cv->inner.ctx, a, out);
}

static int cv_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct counting_view *cv = ctx;
    cv->nonce_calls++;
    return cv->fail ? cv->fail : cv->inner.ops->nonce(cv->inner.ctx, a, nonce, exists);
}

static int cv_code(void *ctx, const address *a, struct code **out)
{
    struct counting_view *cv = ctx;
    cv->code_calls++;
    return cv->fail ? cv->fail : cv->inner.ops->code(cv->inner.ctx, a, out);
}

static int cv_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct counting_view *cv = ctx;
    cv->storage_calls++;
    return cv->fail ? cv->fail : cv->inner.ops->storage(cv->inner.ctx, a, key, out);
}

static int cv_has_storage(void *ctx, const address *a, bool *out)
{
    struct counting_view *cv = ctx;
    return cv->fail ? cv->fail : cv->inner.ops->has_storage(cv->inner.ctx, a, out);
}

static int cv_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    struct counting_view *cv = ctx;
    return cv->inner.ops->block_hash(cv->inner.ctx, number, out);
}

static const struct state_view_ops cv_ops = {cv_balance, cv_nonce,       cv_code,
                                             cv_storage, cv_has_storage, cv_block_hash, NULL};

static address addr(uint8_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = 0x10;
    a.bytes[19] = n;
    return a;
}

static u256 word(uint64_t v)
{
    return u256_from_u64(v);
}

static void assert_word(u256 v, uint64_t expect)
{
    u256 e = word(expect);
    assert_true(u256_eq(&v, &e));
}

/* World: A (balance 100, nonce 7, slot 1 = 11, code 0x00), B absent,
 * E existing but empty. */
struct fixture {
    struct counting_view cv;
    struct journal j;
    struct write_set ws;
};

static const uint8_t code_stop[] = {0x00};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    world_init(&f->cv.world);
    address a = addr(0xa), e = addr(0xe);
    struct world_account *acct = world_get_or_create(&f->cv.world, &a);
    acct->balance = word(100);
    acct->nonce = 7;
    u256 k1 = word(1), v11 = word(11);
    assert_int_equal(world_set_storage(acct, &k1, &v11), PAREVM_OK);
    struct code *c = code_new(code_stop, sizeof code_stop);
    world_set_code(acct, c);
    code_release(c);
    assert_non_null(world_get_or_create(&f->cv.world, &e));
    f->cv.inner_ctx.world = &f->cv.world;
    f->cv.inner = world_view_make(&f->cv.inner_ctx);
    journal_init(&f->j);
    write_set_init(&f->ws);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    write_set_free(&f->ws);
    journal_free(&f->j);
    world_free(&f->cv.world);
    free(f);
    return 0;
}

static void begin(struct fixture *f, enum fork fork)
{
    struct state_view v = {&cv_ops, &f->cv};
    journal_begin(&f->j, &v, fork_journal_rules(fork));
}

/* Finalize and free the logs it hands over; returns their count. */
static size_t finalize(struct fixture *f)
{
    struct log *logs = NULL;
    size_t n = 0;
    assert_int_equal(journal_finalize(&f->j, &f->ws, &logs, &n), PAREVM_OK);
    free(logs); /* (their data with them: log.h) */
    return n;
}

static const struct ws_account *ws_find(const struct write_set *ws, const address *a)
{
    for (size_t i = 0; i < ws->account_count; i++)
        if (address_eq(&ws->accounts[i].addr, a))
            return &ws->accounts[i];
    return NULL;
}

static const struct ws_slot *ws_find_slot(const struct write_set *ws, const address *a, uint64_t key)
{
    u256 k = word(key);
    for (size_t i = 0; i < ws->slot_count; i++)
        if (address_eq(&ws->slots[i].addr, a) && u256_eq(&ws->slots[i].key, &k))
            return &ws->slots[i];
    return NULL;
}

/* ---- tests ---- */

static void test_loads_lazily_and_once(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa);
    assert_int_equal(f->cv.balance_calls + f->cv.nonce_calls + f->cv.code_calls, 0);
    u256 bal;
    uint64_t nonce;
    struct code *code;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(journal_balance(&f->j, &a, &bal), PAREVM_OK);
        assert_int_equal(journal_nonce(&f->j, &a, &nonce), PAREVM_OK);
        assert_int_equal(journal_code(&f->j, &a, &code), PAREVM_OK);
    }
    assert_word(bal, 100);
    assert_int_equal(nonce, 7);
    assert_int_equal(code->len, 1);
    assert_int_equal(f->cv.balance_calls, 1);
    assert_int_equal(f->cv.nonce_calls, 1);
    assert_int_equal(f->cv.code_calls, 1);

    u256 k1 = word(1), v;
    assert_int_equal(journal_sload(&f->j, &a, &k1, &v), PAREVM_OK);
    assert_int_equal(journal_sload(&f->j, &a, &k1, &v), PAREVM_OK);
    assert_word(v, 11);
    assert_int_equal(f->cv.storage_calls, 1);

    /* Absent accounts read as zero / empty; existence as the view says. */
    address b = addr(0xb), e = addr(0xe);
    bool exists = true, empty = false;
    assert_int_equal(journal_balance(&f->j, &b, &bal), PAREVM_OK);
    assert_word(bal, 0);
    assert_int_equal(journal_exists(&f->j, &b, &exists), PAREVM_OK);
    assert_false(exists);
    assert_int_equal(journal_exists(&f->j, &e, &exists), PAREVM_OK);
    assert_true(exists);
    assert_int_equal(journal_is_empty(&f->j, &e, &empty), PAREVM_OK);
    assert_true(empty);
    assert_int_equal(journal_is_empty(&f->j, &a, &empty), PAREVM_OK);
    assert_false(empty);

    /* Reads change nothing. */
    assert_int_equal(finalize(f), 0);
    assert_int_equal(f->ws.account_count, 0);
    assert_int_equal(f->ws.slot_count, 0);
}

static void test_view_errors_propagate(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa);
    f->cv.fail = PAREVM_ERR_MISSING;
    u256 bal, k1 = word(1), v;
    uint64_t nonce;
    assert_int_equal(journal_balance(&f->j, &a, &bal), PAREVM_ERR_MISSING);
    assert_int_equal(journal_nonce(&f->j, &a, &nonce), PAREVM_ERR_MISSING);
    assert_int_equal(journal_sload(&f->j, &a, &k1, &v), PAREVM_ERR_MISSING);
    /* A failed load is not cached: it is asked again once the view works. */
    f->cv.fail = PAREVM_OK;
    assert_int_equal(journal_balance(&f->j, &a, &bal), PAREVM_OK);
    assert_word(bal, 100);
    assert_int_equal(journal_sload(&f->j, &a, &k1, &v), PAREVM_OK);
    assert_word(v, 11);
}

static void test_blind_credit_is_a_delta(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa), b = addr(0xb);
    u256 five = word(5), thirty = word(30), bal;
    assert_int_equal(journal_add_balance(&f->j, &b, &five), PAREVM_OK);
    assert_int_equal(journal_add_balance(&f->j, &b, &five), PAREVM_OK);
    assert_int_equal(f->cv.balance_calls, 0); /* no read dependency */

    /* A debit reads the balance: an absolute write. */
    bool ok = false;
    assert_int_equal(journal_sub_balance(&f->j, &a, &thirty, &ok), PAREVM_OK);
    assert_true(ok);
    assert_int_equal(journal_balance(&f->j, &a, &bal), PAREVM_OK);
    assert_word(bal, 70);

    assert_int_equal(finalize(f), 0);
    const struct ws_account *wb = ws_find(&f->ws, &b), *wa = ws_find(&f->ws, &a);
    assert_non_null(wb);
    assert_int_equal(wb->flags & (WS_BALANCE | WS_BALANCE_DELTA), WS_BALANCE_DELTA);
    assert_word(wb->delta, 10);
    assert_non_null(wa);
    assert_int_equal(wa->flags & (WS_BALANCE | WS_BALANCE_DELTA), WS_BALANCE);
    assert_word(wa->balance, 70);
    assert_int_equal(f->cv.balance_calls, 1); /* only A's */
}

static void test_debit_too_large_changes_nothing(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa);
    u256 too_much = word(101), all = word(100), bal;
    bool ok = true;
    assert_int_equal(journal_sub_balance(&f->j, &a, &too_much, &ok), PAREVM_OK);
    assert_false(ok);
    assert_int_equal(journal_balance(&f->j, &a, &bal), PAREVM_OK);
    assert_word(bal, 100);
    assert_int_equal(journal_sub_balance(&f->j, &a, &all, &ok), PAREVM_OK); /* boundary: exactly all */
    assert_true(ok);
    assert_int_equal(journal_balance(&f->j, &a, &bal), PAREVM_OK);
    assert_word(bal, 0);
}

static void test_nested_checkpoints_revert_exactly(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa), b = addr(0xb);
    u256 k1 = word(1), k2 = word(2), v, cur, orig;
    hash32 topic;
    memset(&topic, 0x5a, sizeof topic);
    const uint8_t data[3] = {1, 2, 3};

    /* Outer frame: slot 1 = 12, one log, refund 100. */
    struct journal_checkpoint outer = journal_checkpoint(&f->j);
    u256 v12 = word(12);
    assert_int_equal(journal_sstore(&f->j, &a, &k1, &v12), PAREVM_OK);
    assert_int_equal(journal_add_log(&f->j, &a, &topic, 1, data, sizeof data), PAREVM_OK);
    journal_add_refund(&f->j, 100);

    /* Inner frame: everything else, then reverted. */
    struct journal_checkpoint inner = journal_checkpoint(&f->j);
    u256 v13 = word(13), v22 = word(22), t7 = word(7), one = word(1);
    assert_int_equal(journal_sstore(&f->j, &a, &k1, &v13), PAREVM_OK);
    assert_int_equal(journal_sstore(&f->j, &a, &k2, &v22), PAREVM_OK);
    assert_int_equal(journal_set_nonce(&f->j, &a, 8), PAREVM_OK);
    assert_int_equal(journal_add_balance(&f->j, &b, &one), PAREVM_OK);
    struct code *c = code_new(data, sizeof data);
    assert_int_equal(journal_set_code(&f->j, &b, c), PAREVM_OK);
    code_release(c);
    assert_int_equal(journal_tstore(&f->j, &a, &k1, &t7), PAREVM_OK);
    bool was_warm = true;
    assert_int_equal(journal_warm_account(&f->j, &b, &was_warm), PAREVM_OK);
    assert_false(was_warm);
    assert_int_equal(journal_warm_slot(&f->j, &a, &k2, &was_warm), PAREVM_OK);
    assert_false(was_warm);
    assert_int_equal(journal_touch(&f->j, &b), PAREVM_OK);
    assert_int_equal(journal_add_log(&f->j, &a, NULL, 0, NULL, 0), PAREVM_OK);
    journal_add_refund(&f->j, -40);
    assert_word(journal_tload(&f->j, &a, &k1), 7);

    journal_revert(&f->j, inner);
    assert_int_equal(journal_sload(&f->j, &a, &k1, &v), PAREVM_OK);
    assert_word(v, 12);
    assert_int_equal(journal_sload(&f->j, &a, &k2, &v), PAREVM_OK);
    assert_word(v, 0);
    uint64_t nonce;
    assert_int_equal(journal_nonce(&f->j, &a, &nonce), PAREVM_OK);
    assert_int_equal(nonce, 7);
    u256 bal;
    assert_int_equal(journal_balance(&f->j, &b, &bal), PAREVM_OK);
    assert_word(bal, 0);
    struct code *bc;
    assert_int_equal(journal_code(&f->j, &b, &bc), PAREVM_OK);
    assert_int_equal(bc->len, 0);
    assert_word(journal_tload(&f->j, &a, &k1), 0);
    assert_int_equal(journal_warm_account(&f->j, &b, &was_warm), PAREVM_OK);
    assert_false(was_warm); /* the warming was undone too */
    assert_int_equal(journal_warm_slot(&f->j, &a, &k2, &was_warm), PAREVM_OK);
    assert_false(was_warm);
    assert_int_equal(f->j.log_count, 1);
    assert_int_equal(f->j.refund, 100);
    /* EIP-2200 original value: the start of the transaction, whatever reverts. */
    assert_int_equal(journal_slot_values(&f->j, &a, &k1, &cur, &orig), PAREVM_OK);
    assert_word(cur, 12);
    assert_word(orig, 11);

    /* Warming outside any reverted frame sticks. */
    assert_int_equal(journal_warm_account(&f->j, &b, &was_warm), PAREVM_OK);
    assert_true(was_warm);

    journal_revert(&f->j, outer);
    assert_int_equal(journal_sload(&f->j, &a, &k1, &v), PAREVM_OK);
    assert_word(v, 11);
    assert_int_equal(f->j.log_count, 0);
    assert_int_equal(f->j.refund, 0);
    /* Reverting to the same checkpoint again is a no-op. */
    journal_revert(&f->j, outer);
    assert_int_equal(f->j.undo_count, outer.undo_count);

    assert_int_equal(finalize(f), 0);
    assert_int_equal(f->ws.slot_count, 0);
    /* B: touched only inside the reverted frame; nothing to write. */
    assert_null(ws_find(&f->ws, &b));
    assert_null(ws_find(&f->ws, &a));
}

static void test_kept_changes_reach_the_write_set(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa);
    u256 k1 = word(1), k2 = word(2), k3 = word(3), v11 = word(11), v5 = word(5), zero = word(0);
    struct journal_checkpoint cp = journal_checkpoint(&f->j);
    assert_int_equal(journal_sstore(&f->j, &a, &k2, &v5), PAREVM_OK);
    /* Written back to its original value: no write. */
    assert_int_equal(journal_sstore(&f->j, &a, &k1, &zero), PAREVM_OK);
    assert_int_equal(journal_sstore(&f->j, &a, &k1, &v11), PAREVM_OK);
    /* Zero over zero: no write either. */
    assert_int_equal(journal_sstore(&f->j, &a, &k3, &zero), PAREVM_OK);
    assert_int_equal(journal_set_nonce(&f->j, &a, 8), PAREVM_OK);
    hash32 topic;
    memset(&topic, 1, sizeof topic);
    assert_int_equal(journal_add_log(&f->j, &a, &topic, 1, NULL, 0), PAREVM_OK);
    (void)cp; /* kept: never reverted */
    assert_int_equal(finalize(f), 1);
    assert_int_equal(f->ws.slot_count, 1);
    const struct ws_slot *s = ws_find_slot(&f->ws, &a, 2);
    assert_non_null(s);
    assert_word(s->value, 5);
    const struct ws_account *wa = ws_find(&f->ws, &a);
    assert_non_null(wa);
    assert_true(wa->flags & WS_NONCE);
    assert_int_equal(wa->nonce, 8);
    assert_int_equal(f->j.log_count, 0); /* the logs moved out */
}

/* The logs a transaction hands over: one allocation (log.h), each log's
 * data its own bytes inside it, a reverted frame's logs and data gone,
 * and the next transaction starting with none. */
static void test_logs_one_allocation(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa), b = addr(0xb);
    hash32 t1, t2;
    memset(&t1, 1, sizeof t1);
    memset(&t2, 2, sizeof t2);
    uint8_t big[3000], small[5] = {9, 8, 7, 6, 5};
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    assert_int_equal(journal_add_log(&f->j, &a, &t1, 1, small, sizeof small), PAREVM_OK);
    struct journal_checkpoint cp = journal_checkpoint(&f->j);
    assert_int_equal(journal_add_log(&f->j, &b, &t2, 1, big, sizeof big), PAREVM_OK);
    journal_revert(&f->j, cp);
    /* after the revert: a log without data, then one whose data grows the
     * buffer past its first size */
    assert_int_equal(journal_add_log(&f->j, &b, NULL, 0, NULL, 0), PAREVM_OK);
    assert_int_equal(journal_add_log(&f->j, &b, &t1, 1, big, sizeof big), PAREVM_OK);
    assert_int_equal(journal_add_log(&f->j, &a, &t2, 1, small, 2), PAREVM_OK);

    struct log *logs = NULL;
    size_t n = 0;
    assert_int_equal(journal_finalize(&f->j, &f->ws, &logs, &n), PAREVM_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(logs[0].addr.bytes, a.bytes, sizeof a.bytes);
    assert_int_equal(logs[0].data_len, sizeof small);
    assert_memory_equal(logs[0].data, small, sizeof small);
    assert_int_equal(logs[1].topic_count, 0);
    assert_int_equal(logs[1].data_len, 0);
    assert_null(logs[1].data);
    assert_int_equal(logs[2].data_len, sizeof big);
    assert_memory_equal(logs[2].data, big, sizeof big);
    assert_memory_equal(logs[2].topics[0].bytes, t1.bytes, sizeof t1.bytes);
    assert_int_equal(logs[3].data_len, 2);
    assert_memory_equal(logs[3].data, small, 2);
    /* every log's data lies inside the array's own allocation, after it */
    const uint8_t *lo = (const uint8_t *)(logs + n), *hi = lo + sizeof small + sizeof big + 2;
    for (size_t i = 0; i < n; i++)
        if (logs[i].data_len)
            assert_true(logs[i].data >= lo && logs[i].data + logs[i].data_len <= hi);
    free(logs);

    /* The next transaction starts with no logs and no data. */
    begin(f, FORK_CANCUN);
    assert_int_equal(journal_add_log(&f->j, &a, NULL, 0, small, 1), PAREVM_OK);
    assert_int_equal(journal_finalize(&f->j, &f->ws, &logs, &n), PAREVM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(logs[0].data_len, 1);
    assert_int_equal(logs[0].data[0], 9);
    free(logs);
    /* none: NULL, nothing to free */
    begin(f, FORK_CANCUN);
    assert_int_equal(journal_finalize(&f->j, &f->ws, &logs, &n), PAREVM_OK);
    assert_int_equal(n, 0);
    assert_null(logs);
}

static void test_finalize_deletions(void **state)
{
    struct fixture *f = *state;
    address a = addr(0xa), e = addr(0xe), n = addr(0x4e);
    bool first = false;

    /* Cancun (EIP-6780): a pre-existing contract's SELFDESTRUCT keeps it. */
    begin(f, FORK_CANCUN);
    assert_int_equal(journal_mark_destructed(&f->j, &a, &first), PAREVM_OK);
    assert_true(first);
    assert_int_equal(journal_mark_destructed(&f->j, &a, &first), PAREVM_OK);
    assert_false(first);
    finalize(f);
    assert_null(ws_find(&f->ws, &a));

    /* Before Cancun it deletes the account. */
    begin(f, FORK_SHANGHAI);
    assert_int_equal(journal_mark_destructed(&f->j, &a, &first), PAREVM_OK);
    finalize(f);
    const struct ws_account *wa = ws_find(&f->ws, &a);
    assert_non_null(wa);
    assert_true(wa->flags & WS_DELETE);

    /* Cancun: created and destroyed in one transaction leaves no trace
     * of an account that did not exist. */
    begin(f, FORK_CANCUN);
    assert_int_equal(journal_create_account(&f->j, &n), PAREVM_OK);
    assert_true(journal_created_in_tx(&f->j, &n));
    assert_int_equal(journal_set_nonce(&f->j, &n, 1), PAREVM_OK);
    assert_int_equal(journal_mark_destructed(&f->j, &n, &first), PAREVM_OK);
    finalize(f);
    assert_null(ws_find(&f->ws, &n));

    /* A created account that survives: created, storage cleared. */
    begin(f, FORK_CANCUN);
    assert_false(journal_created_in_tx(&f->j, &n));
    assert_int_equal(journal_create_account(&f->j, &n), PAREVM_OK);
    assert_int_equal(journal_set_nonce(&f->j, &n, 1), PAREVM_OK);
    finalize(f);
    const struct ws_account *wn = ws_find(&f->ws, &n);
    assert_non_null(wn);
    assert_true(wn->flags & WS_CREATE);
    assert_true(wn->flags & WS_CLEAR_STORAGE);
    assert_int_equal(wn->nonce, 1);

    /* EIP-161: a touched empty account is deleted from Spurious Dragon... */
    begin(f, FORK_SPURIOUS);
    assert_int_equal(journal_touch(&f->j, &e), PAREVM_OK);
    finalize(f);
    const struct ws_account *we = ws_find(&f->ws, &e);
    assert_non_null(we);
    assert_true(we->flags & WS_DELETE);
    /* ...not before it. */
    begin(f, FORK_TANGERINE);
    assert_int_equal(journal_touch(&f->j, &e), PAREVM_OK);
    finalize(f);
    assert_null(ws_find(&f->ws, &e));
    /* A touch inside a reverted frame does not count. */
    begin(f, FORK_CANCUN);
    struct journal_checkpoint cp = journal_checkpoint(&f->j);
    assert_int_equal(journal_touch(&f->j, &e), PAREVM_OK);
    journal_revert(&f->j, cp);
    finalize(f);
    assert_null(ws_find(&f->ws, &e));
}

/* Amsterdam's end of a transaction for accounts created and destroyed
 * in it. EIP-7708: the balances they take with them are burned, a Burn
 * log each, in address order, after the transaction's own logs. EIP-8246:
 * they keep the balance, lose nonce, code and storage, and no log says
 * so; one left without a balance goes. */
static void test_finalize_amsterdam_destructs(void **state)
{
    struct fixture *f = *state;
    unsigned saved = fork_amsterdam_eips;
    address hi = addr(0x9b), lo = addr(0x4c), poor = addr(0x4d), self = addr(0x11);
    u256 seven = word(7), three = word(3), one = word(1);
    bool first;
    static const uint8_t code[] = {0x00};
    hash32 topic = {{0xab}};

    for (int pass = 0; pass < 2; pass++) {
        fork_amsterdam_eips = pass == 0 ? EIP_7708 : EIP_7708 | EIP_8246;
        begin(f, FORK_AMSTERDAM);
        assert_int_equal(journal_add_log(&f->j, &self, &topic, 1, NULL, 0), PAREVM_OK);
        /* created in the order hi, lo, poor: the burns still come lo, hi */
        const address *made[] = {&hi, &lo, &poor};
        for (int i = 0; i < 3; i++) {
            assert_int_equal(journal_create_account(&f->j, made[i]), PAREVM_OK);
            assert_int_equal(journal_set_nonce(&f->j, made[i], 1), PAREVM_OK);
            struct code *c = code_new(code, sizeof code);
            assert_int_equal(journal_set_code(&f->j, made[i], c), PAREVM_OK);
            code_release(c);
            assert_int_equal(journal_sstore(&f->j, made[i], &one, &one), PAREVM_OK);
            assert_int_equal(journal_mark_destructed(&f->j, made[i], &first), PAREVM_OK);
        }
        assert_int_equal(journal_add_balance(&f->j, &hi, &seven), PAREVM_OK);
        assert_int_equal(journal_add_balance(&f->j, &lo, &three), PAREVM_OK);
        struct log *logs = NULL;
        size_t n = 0;
        assert_int_equal(journal_finalize(&f->j, &f->ws, &logs, &n), PAREVM_OK);
        if (pass == 0) {
            assert_int_equal(n, 3);
            assert_true(address_eq(&logs[0].addr, &self));
            const address *order[] = {&lo, &hi};
            const u256 *amounts[] = {&three, &seven};
            for (int i = 0; i < 2; i++) {
                const struct log *l = &logs[1 + i];
                assert_int_equal(l->topic_count, 2);
                assert_int_equal(l->addr.bytes[0], 0xff);
                assert_int_equal(l->addr.bytes[19], 0xfe);
                assert_int_equal(l->topics[0].bytes[0], 0xcc); /* Burn(address,uint256) */
                assert_memory_equal(l->topics[1].bytes + 12, order[i]->bytes, 20);
                u256 v = u256_from_be32(l->data);
                assert_true(u256_eq(&v, amounts[i]));
            }
            /* none existed before: nothing to write */
            assert_null(ws_find(&f->ws, &hi));
            assert_null(ws_find(&f->ws, &lo));
        } else {
            assert_int_equal(n, 1);
            const address *kept[] = {&hi, &lo};
            const u256 *amounts[] = {&seven, &three};
            for (int i = 0; i < 2; i++) {
                const struct ws_account *wa = ws_find(&f->ws, kept[i]);
                assert_non_null(wa);
                assert_false(wa->flags & WS_DELETE);
                assert_true(wa->flags & WS_CLEAR_STORAGE);
                assert_true(wa->flags & WS_CODE);
                assert_int_equal(wa->code->len, 0);
                assert_true(wa->flags & WS_NONCE);
                assert_int_equal(wa->nonce, 0);
                assert_true(u256_eq(&wa->balance, amounts[i]));
                assert_null(ws_find_slot(&f->ws, kept[i], 1));
            }
        }
        assert_null(ws_find(&f->ws, &poor));
        free(logs);
    }
    fork_amsterdam_eips = saved;
}

static void test_begin_starts_clean(void **state)
{
    struct fixture *f = *state;
    address a = addr(0xa);
    u256 k1 = word(1), v = word(99), t = word(3);
    bool was_warm;
    begin(f, FORK_CANCUN);
    assert_int_equal(journal_sstore(&f->j, &a, &k1, &v), PAREVM_OK);
    assert_int_equal(journal_tstore(&f->j, &a, &k1, &t), PAREVM_OK);
    assert_int_equal(journal_warm_account(&f->j, &a, &was_warm), PAREVM_OK);
    journal_add_refund(&f->j, 5);
    assert_int_equal(journal_add_log(&f->j, &a, NULL, 0, NULL, 0), PAREVM_OK);

    /* The next transaction (nothing was applied to the world). */
    begin(f, FORK_CANCUN);
    u256 got;
    assert_int_equal(journal_sload(&f->j, &a, &k1, &got), PAREVM_OK);
    assert_word(got, 11);
    assert_word(journal_tload(&f->j, &a, &k1), 0);
    assert_int_equal(journal_warm_account(&f->j, &a, &was_warm), PAREVM_OK);
    assert_false(was_warm);
    assert_int_equal(f->j.refund, 0);
    assert_int_equal(f->j.log_count, 0);
    assert_int_equal(f->j.undo_count, 1); /* just the warming above */
}

/* ---- EIP-7928 accesses ---- */

struct access {
    address a;
    bool is_slot;
    uint64_t slot;
};
struct access_list {
    struct access v[16];
    size_t n;
    size_t stop_after; /* return an error after this many (0: never) */
};

static int collect(void *arg, const address *a, const u256 *slot)
{
    struct access_list *l = arg;
    if (l->stop_after && l->n == l->stop_after)
        return PAREVM_ERR_INTERNAL;
    assert_true(l->n < 16);
    l->v[l->n].a = *a;
    l->v[l->n].is_slot = slot != NULL;
    l->v[l->n].slot = slot ? slot->w[0] : 0;
    l->n++;
    return PAREVM_OK;
}

static void test_accesses(void **state)
{
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa), b = addr(0xb), c = addr(0xc), d = addr(0xd), p = addr(0x01);
    u256 k1 = word(1), k2 = word(2), k9 = word(9), v;
    bool was_warm;
    /* Warming alone (EIP-2929 / an EIP-2930 list) is no access. */
    assert_int_equal(journal_warm_account(&f->j, &c, &was_warm), PAREVM_OK);
    assert_int_equal(journal_warm_slot(&f->j, &c, &k9, &was_warm), PAREVM_OK);
    u256 bal;
    assert_int_equal(journal_balance(&f->j, &b, &bal), PAREVM_OK);
    /* Accesses in a reverted frame still count. */
    struct journal_checkpoint cp = journal_checkpoint(&f->j);
    assert_int_equal(journal_sload(&f->j, &a, &k2, &v), PAREVM_OK);
    u256 one = word(1);
    assert_int_equal(journal_sstore(&f->j, &d, &k1, &one), PAREVM_OK);
    journal_revert(&f->j, cp);
    assert_int_equal(journal_note_access(&f->j, &p), PAREVM_OK);
    /* Warmed first, accessed later: an access, at its first-seen place. */
    assert_int_equal(journal_sload(&f->j, &c, &k9, &v), PAREVM_OK);
    finalize(f);

    struct access_list got = {0};
    assert_int_equal(journal_each_access(&f->j, collect, &got), PAREVM_OK);
    /* Accounts (in first-seen order), then slots (likewise). */
    const struct access expect[] = {
        {c, false, 0}, {b, false, 0}, {a, false, 0}, {d, false, 0},
        {p, false, 0}, {c, true, 9},  {a, true, 2},  {d, true, 1},
    };
    assert_int_equal(got.n, sizeof expect / sizeof expect[0]);
    for (size_t i = 0; i < got.n; i++) {
        assert_true(address_eq(&got.v[i].a, &expect[i].a));
        assert_int_equal(got.v[i].is_slot, expect[i].is_slot);
        assert_int_equal(got.v[i].slot, expect[i].slot);
    }

    /* The callback's first error stops the walk and is returned. */
    struct access_list stop = {.stop_after = 2};
    assert_int_equal(journal_each_access(&f->j, collect, &stop), PAREVM_ERR_INTERNAL);
    assert_int_equal(stop.n, 2);
}

/* An address 0x00..00XXXX (the precompiles' form). */
static address low_addr(unsigned n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[19] = (uint8_t)n;
    a.bytes[18] = (uint8_t)(n >> 8);
    return a;
}

/* EIP-2929: the fork's precompiles are warm from the start (journal_rules.
 * always_warm), under any revert, and leave nothing in the write set;
 * the next address up is cold until warmed. */
static void test_precompiles_warm_by_rule(void **state)
{
    struct fixture *f = *state;
    static const struct {
        enum fork fork;
        unsigned last; /* the fork's highest precompile below 0x100 */
        bool p256;     /* 0x100 (EIP-7951) */
    } forks[] = {{FORK_BERLIN, 0x09, false}, {FORK_CANCUN, 0x0a, false}, {FORK_PRAGUE, 0x11, false},
                 {FORK_OSAKA, 0x11, true}};
    for (size_t k = 0; k < sizeof forks / sizeof forks[0]; k++) {
        begin(f, forks[k].fork);
        struct journal_checkpoint cp = journal_checkpoint(&f->j);
        bool was_warm;
        for (unsigned n = 1; n <= forks[k].last; n++) {
            address a = low_addr(n);
            assert_int_equal(journal_warm_account(&f->j, &a, &was_warm), PAREVM_OK);
            assert_true(was_warm);
        }
        address next = low_addr(forks[k].last + 1), p256 = low_addr(0x100), zero = low_addr(0);
        assert_int_equal(journal_warm_account(&f->j, &p256, &was_warm), PAREVM_OK);
        assert_int_equal(was_warm, forks[k].p256);
        assert_int_equal(journal_warm_account(&f->j, &zero, &was_warm), PAREVM_OK);
        assert_false(was_warm);
        assert_int_equal(journal_warm_account(&f->j, &next, &was_warm), PAREVM_OK);
        assert_false(was_warm);
        assert_int_equal(journal_warm_account(&f->j, &next, &was_warm), PAREVM_OK);
        assert_true(was_warm);
        /* A revert cools what was warmed after the checkpoint, never a
         * precompile. */
        journal_revert(&f->j, cp);
        address one = low_addr(1);
        assert_int_equal(journal_warm_account(&f->j, &next, &was_warm), PAREVM_OK);
        assert_false(was_warm);
        assert_int_equal(journal_warm_account(&f->j, &one, &was_warm), PAREVM_OK);
        assert_true(was_warm);
        finalize(f);
        assert_null(ws_find(&f->ws, &one));
    }
}

/* PAREVM_ASSERT: reverting to a checkpoint taken later than the journal's
 * current depth (a stale or foreign checkpoint) is a bug; with invariants
 * on it aborts. Run in a child process. */
static void test_revert_past_depth_aborts(void **state)
{
#ifdef NDEBUG
    (void)state;
    skip();
#else
    struct fixture *f = *state;
    begin(f, FORK_CANCUN);
    address a = addr(0xa);
    u256 k1 = word(1), v = word(5);
    assert_int_equal(journal_sstore(&f->j, &a, &k1, &v), PAREVM_OK);
    struct journal_checkpoint deep = journal_checkpoint(&f->j);
    journal_revert(&f->j, (struct journal_checkpoint){.undo_count = 0});
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* cmocka's handler would turn the abort into a failed test and
         * go on running tests in the child; the message is expected */
        signal(SIGABRT, SIG_DFL);
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        journal_revert(&f->j, deep);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_loads_lazily_and_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_errors_propagate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blind_credit_is_a_delta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debit_too_large_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_checkpoints_revert_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_changes_reach_the_write_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logs_one_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finalize_deletions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finalize_amsterdam_destructs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_begin_starts_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accesses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revert_past_depth_aborts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precompiles_warm_by_rule, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
