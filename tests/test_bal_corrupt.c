/* Corrupted EIP-7928 access lists are refused, and the refusal names what
 * was corrupted (issue 18).
 *
 * Real lists come from executing blocks with recording on: one block of
 * every `gen` scenario (Prague and Osaka) and, where the fixtures are
 * present, three mainnet snapshots. Each list is first verified as
 * `parevm run --bal` verifies one (bal_decode of the RLP bytes, then
 * bal_equal against the list the run recorded) and must pass. Then
 * deterministic single-field corruptions are applied to a decoded copy
 * and re-encoded:
 *   - corruptions that keep the encoding valid (a storage, balance, nonce
 *     or code post-value; a block access index; a slot change, read,
 *     balance/nonce/code change or account dropped or added) must decode
 *     and then differ, and bal_equal's message must name the account and,
 *     where there is one, the slot and the index;
 *   - corruptions that break the EIP's order or uniqueness (two accounts,
 *     slots, reads or changes swapped; an account or index duplicated; a
 *     slot both changed and read; bytes appended or cut off) must be
 *     refused by bal_decode with a reason naming the account.
 * The counts by kind are printed; at least 1,000 corruptions in all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/tools/gen.h"

#include "../src/base/hex.h"
#include "../src/exec/bal.h"
#include "../src/exec/exec.h"
#include "../src/io/mainnet.h"
#include "fixture_dir.h"

/* ---- the corruptions ---- */

enum corruption {
    /* the encoding stays valid: bal_equal must name the difference */
    C_STORAGE_VALUE,
    C_STORAGE_INDEX,
    C_STORAGE_DROP,
    C_STORAGE_ADD_SLOT,
    C_STORAGE_ADD_CHANGE,
    C_READ_DROP,
    C_READ_ADD,
    C_BALANCE_VALUE,
    C_BALANCE_INDEX,
    C_BALANCE_DROP,
    C_BALANCE_ADD,
    C_NONCE_VALUE,
    C_NONCE_INDEX,
    C_NONCE_DROP,
    C_NONCE_ADD,
    C_CODE_VALUE,
    C_CODE_INDEX,
    C_CODE_DROP,
    C_CODE_ADD,
    C_ACCOUNT_DROP,
    C_ACCOUNT_ADD,
    /* order, uniqueness, framing: bal_decode must refuse */
    C_ACCOUNT_SWAP,
    C_ACCOUNT_DUP,
    C_SLOT_SWAP,
    C_SLOT_INDEX_ORDER,
    C_READ_SWAP,
    C_READ_OF_WRITTEN,
    C_BALANCE_ORDER,
    C_NONCE_ORDER,
    C_CODE_ORDER,
    C_BYTES_APPENDED,
    C_BYTES_CUT,
    C_COUNT
};

static const char *const corruption_name[C_COUNT] = {
    "storage value",
    "storage index",
    "storage change dropped",
    "storage slot added",
    "storage change added",
    "read dropped",
    "read added",
    "balance value",
    "balance index",
    "balance dropped",
    "balance added",
    "nonce value",
    "nonce index",
    "nonce dropped",
    "nonce added",
    "code value",
    "code index",
    "code dropped",
    "code added",
    "account dropped",
    "account added",
    "accounts swapped",
    "account duplicated",
    "slots swapped",
    "slot indices swapped",
    "reads swapped",
    "read of a written slot",
    "balance indices swapped",
    "nonce indices swapped",
    "code indices swapped",
    "bytes appended",
    "bytes cut off",
};

static size_t applied[C_COUNT];          /* corruptions applied and refused, by kind */
static size_t not_applicable[C_COUNT];   /* no target in that list */
static char first_message[C_COUNT][200]; /* the first refusal of each kind, printed */

/* splitmix64: a deterministic choice of targets. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return (size_t)(rng_next(s) % n);
}

static u256 rng_u256(uint64_t *s)
{
    u256 v;
    for (int i = 0; i < 4; i++)
        v.w[i] = rng_next(s);
    return v;
}

/* What the refusal must say: every non-empty string in must[]. */
struct expect {
    bool decode_fails;
    char must[4][96];
};

static void expect_account(struct expect *e, const struct bal_account *a)
{
    char hx[43];
    hex_encode(a->addr.bytes, 20, hx);
    snprintf(e->must[0], sizeof e->must[0], "account %s", hx);
}

static void expect_slot(struct expect *e, const char *what, const u256 *key)
{
    char k[67];
    u256_to_hex(key, k);
    snprintf(e->must[1], sizeof e->must[1], "%s %s:", what, k);
}

static void expect_index(struct expect *e, uint32_t index)
{
    snprintf(e->must[2], sizeof e->must[2], "index %u:", (unsigned)index);
}

/* An account index whose account satisfies pred, chosen by the rng; -1
 * when none does. */
typedef bool (*account_pred)(const struct bal_account *a);
static long pick_account(const struct bal *b, uint64_t *s, account_pred pred)
{
    size_t n = 0;
    for (size_t i = 0; i < b->account_count; i++)
        n += pred(&b->accounts[i]);
    if (!n)
        return -1;
    size_t k = rng_below(s, n);
    for (size_t i = 0; i < b->account_count; i++)
        if (pred(&b->accounts[i]) && k-- == 0)
            return (long)i;
    return -1;
}

static bool has_writes(const struct bal_account *a)
{
    return a->write_count > 0;
}
static bool has_two_slots(const struct bal_account *a)
{
    for (size_t i = 1; i < a->write_count; i++)
        if (!u256_eq(&a->writes[i].key, &a->writes[0].key))
            return true;
    return false;
}
static bool has_slot_with_two_changes(const struct bal_account *a)
{
    for (size_t i = 1; i < a->write_count; i++)
        if (u256_eq(&a->writes[i].key, &a->writes[i - 1].key))
            return true;
    return false;
}
static bool has_reads(const struct bal_account *a)
{
    return a->read_count > 0;
}
static bool has_two_reads(const struct bal_account *a)
{
    return a->read_count > 1;
}
static bool has_balances(const struct bal_account *a)
{
    return a->balance_count > 0;
}
static bool has_two_balances(const struct bal_account *a)
{
    return a->balance_count > 1;
}
static bool has_nonces(const struct bal_account *a)
{
    return a->nonce_count > 0;
}
static bool has_two_nonces(const struct bal_account *a)
{
    return a->nonce_count > 1;
}
static bool has_codes(const struct bal_account *a)
{
    return a->code_count > 0;
}
static bool has_two_codes(const struct bal_account *a)
{
    return a->code_count > 1;
}
static bool any_account(const struct bal_account *a)
{
    (void)a;
    return true;
}

static bool key_present(const struct bal_account *a, const u256 *key)
{
    for (size_t i = 0; i < a->write_count; i++)
        if (u256_eq(&a->writes[i].key, key))
            return true;
    for (size_t i = 0; i < a->read_count; i++)
        if (u256_eq(&a->reads[i], key))
            return true;
    return false;
}

static void *grow1(void *p, size_t count, size_t elem, size_t *cap)
{
    void *q = realloc(p, (count + 1) * elem);
    assert_non_null(q);
    *cap = count + 1;
    return q;
}

/* A new index for entry i of an ascending run idx[lo..hi) (strictly
 * between its neighbours, different from idx[i]); false when there is
 * no room. */
static bool moved_index(const uint32_t *prev, uint32_t cur, const uint32_t *next, uint32_t *out)
{
    if ((!next || cur + 1 < *next) && cur < UINT32_MAX) {
        *out = cur + 1;
        return true;
    }
    if (cur > 0 && (!prev || cur - 1 > *prev)) {
        *out = cur - 1;
        return true;
    }
    return false;
}

/* Balance/nonce change list helpers (the same shape). */
static bool corrupt_changes(enum corruption kind, struct bal_account *a, struct bal_change **arr,
                            size_t *count, size_t *cap, bool is_nonce, uint64_t *s, struct expect *e)
{
    const char *what = is_nonce ? "nonce" : "balance";
    snprintf(e->must[1], sizeof e->must[1], "%s", what);
    expect_account(e, a);
    size_t n = *count;
    struct bal_change *c = *arr;
    size_t i = n ? rng_below(s, n) : 0;
    switch (kind) {
    case C_BALANCE_VALUE:
    case C_NONCE_VALUE: {
        u256 one = u256_from_u64(1);
        c[i].value = u256_add(&c[i].value, &one);
        if (is_nonce && c[i].value.w[1]) /* keep it a u64: step down instead */
            c[i].value = u256_from_u64(c[i].value.w[0] - 2);
        expect_index(e, c[i].index);
        return true;
    }
    case C_BALANCE_INDEX:
    case C_NONCE_INDEX: {
        uint32_t to;
        if (!moved_index(i ? &c[i - 1].index : NULL, c[i].index, i + 1 < n ? &c[i + 1].index : NULL, &to))
            return false;
        expect_index(e, to < c[i].index ? to : c[i].index);
        c[i].index = to;
        return true;
    }
    case C_BALANCE_DROP:
    case C_NONCE_DROP:
        expect_index(e, c[i].index);
        memmove(&c[i], &c[i + 1], (n - i - 1) * sizeof *c);
        (*count)--;
        return true;
    case C_BALANCE_ADD:
    case C_NONCE_ADD: {
        uint32_t idx = n ? c[n - 1].index + 1 : (uint32_t)rng_below(s, 8);
        c = *arr = grow1(*arr, n, sizeof *c, cap);
        c[n].index = idx;
        c[n].value = u256_from_u64(rng_next(s) >> 1);
        (*count)++;
        expect_index(e, idx);
        return true;
    }
    case C_BALANCE_ORDER:
    case C_NONCE_ORDER: {
        size_t j = rng_below(s, n - 1);
        struct bal_change t = c[j];
        c[j] = c[j + 1];
        c[j + 1] = t;
        e->decode_fails = true;
        snprintf(e->must[1], sizeof e->must[1], "%s_changes: index", what);
        snprintf(e->must[2], sizeof e->must[2], "not ascending");
        return true;
    }
    default:
        fail();
    }
    return false;
}

/* Apply corruption `kind` to c (a decoded copy) and encode the result into
 * out; false when c has nothing to corrupt that way. */
static bool corrupt(struct bal *c, enum corruption kind, uint64_t *s, struct expect *e, struct bytebuf *out)
{
    memset(e, 0, sizeof *e);
    long ai = -1;
    struct bal_account *a = NULL;
    static const account_pred preds[C_COUNT] = {
        [C_STORAGE_VALUE] = has_writes,       [C_STORAGE_INDEX] = has_writes,
        [C_STORAGE_DROP] = has_writes,        [C_STORAGE_ADD_SLOT] = any_account,
        [C_STORAGE_ADD_CHANGE] = has_writes,  [C_READ_DROP] = has_reads,
        [C_READ_ADD] = any_account,           [C_BALANCE_VALUE] = has_balances,
        [C_BALANCE_INDEX] = has_balances,     [C_BALANCE_DROP] = has_balances,
        [C_BALANCE_ADD] = any_account,        [C_NONCE_VALUE] = has_nonces,
        [C_NONCE_INDEX] = has_nonces,         [C_NONCE_DROP] = has_nonces,
        [C_NONCE_ADD] = any_account,          [C_CODE_VALUE] = has_codes,
        [C_CODE_INDEX] = has_codes,           [C_CODE_DROP] = has_codes,
        [C_CODE_ADD] = any_account,           [C_ACCOUNT_DROP] = any_account,
        [C_SLOT_SWAP] = has_two_slots,        [C_SLOT_INDEX_ORDER] = has_slot_with_two_changes,
        [C_READ_SWAP] = has_two_reads,        [C_READ_OF_WRITTEN] = has_writes,
        [C_BALANCE_ORDER] = has_two_balances, [C_NONCE_ORDER] = has_two_nonces,
        [C_CODE_ORDER] = has_two_codes,
    };
    if (preds[kind]) {
        ai = pick_account(c, s, preds[kind]);
        if (ai < 0)
            return false;
        a = &c->accounts[ai];
        expect_account(e, a);
    }
    switch (kind) {
    case C_STORAGE_VALUE: {
        size_t i = rng_below(s, a->write_count);
        u256 one = u256_from_u64(1);
        a->writes[i].value = u256_add(&a->writes[i].value, &one);
        expect_slot(e, "storage slot", &a->writes[i].key);
        expect_index(e, a->writes[i].index);
        break;
    }
    case C_STORAGE_INDEX: {
        size_t i = rng_below(s, a->write_count);
        struct bal_slot_change *w = a->writes;
        bool prev = i > 0 && u256_eq(&w[i - 1].key, &w[i].key);
        bool next = i + 1 < a->write_count && u256_eq(&w[i + 1].key, &w[i].key);
        uint32_t to;
        if (!moved_index(prev ? &w[i - 1].index : NULL, w[i].index, next ? &w[i + 1].index : NULL, &to))
            return false;
        expect_slot(e, "storage slot", &w[i].key);
        expect_index(e, to < w[i].index ? to : w[i].index);
        w[i].index = to;
        break;
    }
    case C_STORAGE_DROP: {
        size_t i = rng_below(s, a->write_count);
        expect_slot(e, "storage slot", &a->writes[i].key);
        expect_index(e, a->writes[i].index);
        memmove(&a->writes[i], &a->writes[i + 1], (a->write_count - i - 1) * sizeof *a->writes);
        a->write_count--;
        break;
    }
    case C_STORAGE_ADD_SLOT:
    case C_READ_ADD: {
        u256 key = rng_u256(s);
        if (rng_next(s) & 1) /* a small slot too, like the ones contracts use */
            key = u256_from_u64(rng_below(s, 64));
        if (key_present(a, &key))
            return false;
        if (kind == C_READ_ADD) {
            size_t at = 0;
            while (at < a->read_count && u256_lt(&a->reads[at], &key))
                at++;
            a->reads = grow1(a->reads, a->read_count, sizeof *a->reads, &a->read_cap);
            memmove(&a->reads[at + 1], &a->reads[at], (a->read_count - at) * sizeof *a->reads);
            a->reads[at] = key;
            a->read_count++;
            expect_slot(e, "storage read", &key);
        } else {
            size_t at = 0;
            while (at < a->write_count && u256_lt(&a->writes[at].key, &key))
                at++;
            a->writes = grow1(a->writes, a->write_count, sizeof *a->writes, &a->write_cap);
            memmove(&a->writes[at + 1], &a->writes[at], (a->write_count - at) * sizeof *a->writes);
            a->writes[at].key = key;
            a->writes[at].index = (uint32_t)rng_below(s, 8);
            a->writes[at].value = rng_u256(s);
            a->write_count++;
            expect_slot(e, "storage slot", &key);
            expect_index(e, a->writes[at].index);
        }
        break;
    }
    case C_STORAGE_ADD_CHANGE: {
        /* one more change after the last of a slot's */
        size_t i = rng_below(s, a->write_count);
        while (i + 1 < a->write_count && u256_eq(&a->writes[i + 1].key, &a->writes[i].key))
            i++;
        if (a->writes[i].index == UINT32_MAX)
            return false;
        a->writes = grow1(a->writes, a->write_count, sizeof *a->writes, &a->write_cap);
        memmove(&a->writes[i + 2], &a->writes[i + 1], (a->write_count - i - 1) * sizeof *a->writes);
        a->writes[i + 1] = a->writes[i];
        a->writes[i + 1].index++;
        a->write_count++;
        expect_slot(e, "storage slot", &a->writes[i].key);
        expect_index(e, a->writes[i + 1].index);
        break;
    }
    case C_READ_DROP: {
        size_t i = rng_below(s, a->read_count);
        expect_slot(e, "storage read", &a->reads[i]);
        memmove(&a->reads[i], &a->reads[i + 1], (a->read_count - i - 1) * sizeof *a->reads);
        a->read_count--;
        break;
    }
    case C_BALANCE_VALUE:
    case C_BALANCE_INDEX:
    case C_BALANCE_DROP:
    case C_BALANCE_ADD:
    case C_BALANCE_ORDER:
        if (!corrupt_changes(kind, a, &a->balances, &a->balance_count, &a->balance_cap, false, s, e))
            return false;
        break;
    case C_NONCE_VALUE:
    case C_NONCE_INDEX:
    case C_NONCE_DROP:
    case C_NONCE_ADD:
    case C_NONCE_ORDER:
        if (!corrupt_changes(kind, a, &a->nonces, &a->nonce_count, &a->nonce_cap, true, s, e))
            return false;
        break;
    case C_CODE_VALUE: {
        size_t i = rng_below(s, a->code_count);
        struct code *old = a->codes[i].code;
        uint8_t *bytes = malloc(old->len + 1);
        assert_non_null(bytes);
        if (old->len)
            memcpy(bytes, old->bytes, old->len);
        size_t len = old->len;
        if (len && (rng_next(s) & 1))
            bytes[rng_below(s, len)] ^= 0x01; /* one byte changed */
        else
            bytes[len++] = 0x00; /* one byte appended */
        a->codes[i].code = code_new(bytes, len);
        assert_non_null(a->codes[i].code);
        code_release(old);
        free(bytes);
        snprintf(e->must[1], sizeof e->must[1], "code:");
        expect_index(e, a->codes[i].index);
        break;
    }
    case C_CODE_INDEX: {
        size_t i = rng_below(s, a->code_count), n = a->code_count;
        uint32_t to;
        if (!moved_index(i ? &a->codes[i - 1].index : NULL, a->codes[i].index,
                         i + 1 < n ? &a->codes[i + 1].index : NULL, &to))
            return false;
        snprintf(e->must[1], sizeof e->must[1], "code:");
        expect_index(e, to < a->codes[i].index ? to : a->codes[i].index);
        a->codes[i].index = to;
        break;
    }
    case C_CODE_DROP: {
        size_t i = rng_below(s, a->code_count);
        snprintf(e->must[1], sizeof e->must[1], "code:");
        expect_index(e, a->codes[i].index);
        code_release(a->codes[i].code);
        memmove(&a->codes[i], &a->codes[i + 1], (a->code_count - i - 1) * sizeof *a->codes);
        a->code_count--;
        break;
    }
    case C_CODE_ADD: {
        size_t n = a->code_count;
        uint32_t idx = n ? a->codes[n - 1].index + 1 : (uint32_t)rng_below(s, 8);
        static const uint8_t stop[] = {0x60, 0x00, 0x00};
        a->codes = grow1(a->codes, n, sizeof *a->codes, &a->code_cap);
        a->codes[n].index = idx;
        a->codes[n].code = code_new(stop, 1 + rng_below(s, 3));
        assert_non_null(a->codes[n].code);
        a->code_count++;
        snprintf(e->must[1], sizeof e->must[1], "code:");
        expect_index(e, idx);
        break;
    }
    case C_ACCOUNT_DROP: {
        snprintf(e->must[1], sizeof e->must[1], ": computed, not expected");
        for (size_t i = 0; i < a->code_count; i++)
            code_release(a->codes[i].code);
        free(a->writes);
        free(a->reads);
        free(a->balances);
        free(a->nonces);
        free(a->codes);
        memmove(a, a + 1, (c->account_count - (size_t)ai - 1) * sizeof *a);
        c->account_count--;
        break;
    }
    case C_ACCOUNT_ADD: {
        address x;
        for (int i = 0; i < 20; i++)
            x.bytes[i] = (uint8_t)rng_next(s);
        if (rng_next(s) & 1) { /* near a real one: differs in its last byte */
            const struct bal_account *near =
                &c->accounts[rng_below(s, c->account_count ? c->account_count : 1)];
            if (c->account_count) {
                x = near->addr;
                x.bytes[19] ^= 0x80;
            }
        }
        size_t at = 0;
        while (at < c->account_count && memcmp(c->accounts[at].addr.bytes, x.bytes, 20) < 0)
            at++;
        if (at < c->account_count && memcmp(c->accounts[at].addr.bytes, x.bytes, 20) == 0)
            return false;
        c->accounts = grow1(c->accounts, c->account_count, sizeof *c->accounts, &c->account_cap);
        memmove(&c->accounts[at + 1], &c->accounts[at], (c->account_count - at) * sizeof *c->accounts);
        memset(&c->accounts[at], 0, sizeof c->accounts[at]);
        c->accounts[at].addr = x;
        c->account_count++;
        if (rng_next(s) & 1) { /* with a balance change, or none (an account only touched) */
            struct bal_account *n = &c->accounts[at];
            n->balances = grow1(NULL, 0, sizeof *n->balances, &n->balance_cap);
            n->balances[0].index = (uint32_t)rng_below(s, 8);
            n->balances[0].value = u256_from_u64(rng_next(s));
            n->balance_count = 1;
        }
        expect_account(e, &c->accounts[at]);
        snprintf(e->must[1], sizeof e->must[1], ": expected, not computed");
        break;
    }
    case C_ACCOUNT_SWAP: {
        if (c->account_count < 2)
            return false;
        size_t i = rng_below(s, c->account_count - 1);
        struct bal_account t = c->accounts[i];
        c->accounts[i] = c->accounts[i + 1];
        c->accounts[i + 1] = t;
        e->decode_fails = true;
        expect_account(e, &c->accounts[i + 1]); /* where the order breaks */
        snprintf(e->must[1], sizeof e->must[1], "addresses not ascending");
        break;
    }
    case C_ACCOUNT_DUP: {
        /* a shallow copy next to the original, encoded, then taken out */
        if (!c->account_count)
            return false;
        size_t i = rng_below(s, c->account_count);
        c->accounts = grow1(c->accounts, c->account_count, sizeof *c->accounts, &c->account_cap);
        memmove(&c->accounts[i + 1], &c->accounts[i], (c->account_count - i) * sizeof *c->accounts);
        c->account_count++;
        e->decode_fails = true;
        expect_account(e, &c->accounts[i]);
        snprintf(e->must[1], sizeof e->must[1], "addresses not ascending");
        assert_int_equal(bal_encode(c, out), PAREVM_OK);
        memmove(&c->accounts[i], &c->accounts[i + 1], (c->account_count - i - 1) * sizeof *c->accounts);
        c->account_count--;
        return true;
    }
    case C_SLOT_SWAP: {
        /* the first change of a slot swapped with the last of the slot
         * before it: that slot's key comes back after a greater one */
        size_t n = 0;
        for (size_t i = 1; i < a->write_count; i++)
            n += !u256_eq(&a->writes[i].key, &a->writes[i - 1].key);
        size_t k = rng_below(s, n), i = 1;
        for (;; i++)
            if (!u256_eq(&a->writes[i].key, &a->writes[i - 1].key) && k-- == 0)
                break;
        struct bal_slot_change t = a->writes[i - 1];
        a->writes[i - 1] = a->writes[i];
        a->writes[i] = t;
        e->decode_fails = true;
        snprintf(e->must[1], sizeof e->must[1], "slots not ascending");
        break;
    }
    case C_SLOT_INDEX_ORDER: {
        size_t n = 0;
        for (size_t i = 1; i < a->write_count; i++)
            n += u256_eq(&a->writes[i].key, &a->writes[i - 1].key);
        size_t k = rng_below(s, n), i = 1;
        for (;; i++)
            if (u256_eq(&a->writes[i].key, &a->writes[i - 1].key) && k-- == 0)
                break;
        if (rng_next(s) & 1) { /* swapped, or the index repeated */
            struct bal_slot_change t = a->writes[i - 1];
            a->writes[i - 1] = a->writes[i];
            a->writes[i] = t;
        } else {
            a->writes[i].index = a->writes[i - 1].index;
        }
        e->decode_fails = true;
        snprintf(e->must[1], sizeof e->must[1], "indices not ascending");
        break;
    }
    case C_READ_SWAP: {
        size_t i = rng_below(s, a->read_count - 1);
        if (rng_next(s) & 1) {
            u256 t = a->reads[i];
            a->reads[i] = a->reads[i + 1];
            a->reads[i + 1] = t;
        } else {
            a->reads[i + 1] = a->reads[i]; /* a read repeated */
        }
        e->decode_fails = true;
        snprintf(e->must[1], sizeof e->must[1], "storage_reads not ascending");
        break;
    }
    case C_READ_OF_WRITTEN: {
        u256 key = a->writes[rng_below(s, a->write_count)].key;
        size_t at = 0;
        while (at < a->read_count && u256_lt(&a->reads[at], &key))
            at++;
        a->reads = grow1(a->reads, a->read_count, sizeof *a->reads, &a->read_cap);
        memmove(&a->reads[at + 1], &a->reads[at], (a->read_count - at) * sizeof *a->reads);
        a->reads[at] = key;
        a->read_count++;
        e->decode_fails = true;
        snprintf(e->must[1], sizeof e->must[1], "a slot both changed and read");
        break;
    }
    case C_CODE_ORDER: {
        size_t i = rng_below(s, a->code_count - 1);
        struct bal_code_change t = a->codes[i];
        a->codes[i] = a->codes[i + 1];
        a->codes[i + 1] = t;
        e->decode_fails = true;
        snprintf(e->must[1], sizeof e->must[1], "code_changes indices not ascending");
        break;
    }
    case C_BYTES_APPENDED:
    case C_BYTES_CUT:
        assert_int_equal(bal_encode(c, out), PAREVM_OK);
        if (kind == C_BYTES_APPENDED) {
            size_t n = 1 + rng_below(s, 3);
            for (size_t i = 0; i < n; i++)
                bytebuf_push(out, (uint8_t)rng_next(s));
        } else {
            if (out->len < 2)
                return false;
            out->len -= 1 + rng_below(s, out->len - 1 < 8 ? out->len - 1 : 8);
        }
        e->decode_fails = true;
        snprintf(e->must[0], sizeof e->must[0], "not one RLP list");
        return true;
    default:
        fail();
    }
    assert_int_equal(bal_encode(c, out), PAREVM_OK);
    return true;
}

/* What `parevm run --bal` does with a list file's bytes: decode, then
 * compare with the list the run recorded. 0: they agree; 1: the bytes do
 * not decode; 2: the lists differ. why gets the reason. */
static int verify(const uint8_t *bytes, size_t len, const struct bal *recorded, char *why, size_t why_len)
{
    struct bal want;
    bal_init(&want);
    int err = bal_decode(bytes, len, &want, why, why_len);
    int rc = err ? 1 : bal_equal(&want, recorded, why, why_len) ? 0 : 2;
    if (err)
        assert_int_equal(err, PAREVM_ERR_RLP);
    bal_free(&want);
    return rc;
}

/* Every corruption, `reps` times each, on the list `got` (name: for the
 * messages). */
static void corrupt_list(const char *name, const struct bal *got, uint64_t seed, int reps)
{
    struct bytebuf good = {0};
    assert_int_equal(bal_encode(got, &good), PAREVM_OK);
    char why[512];
    if (verify(good.data, good.len, got, why, sizeof why) != 0)
        fail_msg("%s: the correct list is refused: %s", name, why);
    uint64_t s = seed;
    struct bytebuf out = {0};
    for (int kind = 0; kind < C_COUNT; kind++) {
        for (int r = 0; r < reps; r++) {
            struct bal copy;
            bal_init(&copy);
            assert_int_equal(bal_decode(good.data, good.len, &copy, why, sizeof why), PAREVM_OK);
            struct expect e;
            bytebuf_reset(&out);
            if (!corrupt(&copy, (enum corruption)kind, &s, &e, &out)) {
                not_applicable[kind]++;
                bal_free(&copy);
                continue;
            }
            bal_free(&copy);
            if (out.len == good.len && memcmp(out.data, good.data, good.len) == 0)
                fail_msg("%s: %s left the bytes as they were", name, corruption_name[kind]);
            int rc = verify(out.data, out.len, got, why, sizeof why);
            if (rc == 0)
                fail_msg("%s: %s accepted", name, corruption_name[kind]);
            if (rc != (e.decode_fails ? 1 : 2))
                fail_msg("%s: %s: %s (%s)", name, corruption_name[kind],
                         rc == 1 ? "refused by bal_decode, expected to decode"
                                 : "decoded, expected a refusal",
                         why);
            for (int m = 0; m < 4; m++)
                if (e.must[m][0] && !strstr(why, e.must[m]))
                    fail_msg("%s: %s: the message \"%s\" does not name \"%s\"", name, corruption_name[kind],
                             why, e.must[m]);
            if (!applied[kind]++)
                snprintf(first_message[kind], sizeof first_message[kind], "%.199s", why);
        }
    }
    bytebuf_free(&out);
    bytebuf_free(&good);
}

/* Run the block in dir with recording on; the finished list in *b. */
static void record_block(const char *dir, struct bal *b)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    cfg.skip_intermediate_roots = true;
    char why[512];
    struct mainnet_fixture fx;
    if (mainnet_load(dir, &cfg, &fx, why, sizeof why))
        fail_msg("%s: %s", dir, why);
    struct exec_options opt = {.threads = 1, .bal = b, .no_sample = true};
    struct block_result res;
    int rc = exec_block_parallel(&cfg, &fx.block, &fx.pre, &fx.hashes, &opt, &res, NULL);
    if (rc || res.invalid)
        fail_msg("%s: %s %s", dir, parevm_strerror(rc), res.invalid_message);
    block_result_free(&res);
    mainnet_fixture_free(&fx);
    assert_true(b->finished);
}

static size_t total_applied(void)
{
    size_t n = 0;
    for (int k = 0; k < C_COUNT; k++)
        n += applied[k];
    return n;
}

/* One block of every gen scenario, Prague and Osaka alternately. */
static void test_gen_lists(void **state)
{
    (void)state;
    for (int k = 0; k < GEN_KIND_COUNT; k++) {
        struct gen_options o;
        gen_options_default(&o);
        o.kind = (enum gen_kind)k;
        o.txs = 4 + (uint64_t)(k % 5);
        o.zipf = k % 3 ? 0.0 : 1.2;
        o.seed = 1000 + (uint64_t)k;
        o.fork = k % 2 ? FORK_OSAKA : FORK_PRAGUE;
        char dir[64], err[512];
        make_tmpdir(dir, "bal-corrupt");
        if (gen_write_fixture(&o, dir, NULL, err, sizeof err))
            fail_msg("gen %s: %s", gen_kind_name(o.kind), err);
        struct bal b;
        bal_init(&b);
        record_block(dir, &b);
        remove_fixture(dir);
        char name[64];
        snprintf(name, sizeof name, "gen %s", gen_kind_name(o.kind));
        corrupt_list(name, &b, 0x5eed0000u + (uint64_t)k, 3);
        bal_free(&b);
    }
    assert_true(total_applied() >= 1000);
}

/* Mainnet snapshots (Frontier, Shanghai, Cancun), when present. */
static void test_mainnet_lists(void **state)
{
    (void)state;
    const char *env = getenv("PAREVM_FIXTURES");
    char root[4096];
    snprintf(root, sizeof root, "%s/mainnet", env && *env ? env : "../shared/fixtures");
    static const char *const blocks[] = {"1149999", "18085863", "19426587"};
    size_t done = 0;
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", root, blocks[i]);
        struct stat st;
        if (stat(dir, &st) || !S_ISDIR(st.st_mode))
            continue;
        struct bal b;
        bal_init(&b);
        record_block(dir, &b);
        char name[64];
        snprintf(name, sizeof name, "mainnet %s", blocks[i]);
        corrupt_list(name, &b, 0x3a1e0000u + i, 2);
        bal_free(&b);
        done++;
    }
    if (!done) {
        print_message("skipped: mainnet fixtures not found (%s)\n", root);
        skip();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_lists),
        cmocka_unit_test(test_mainnet_lists),
    };
    (void)read_all; /* fixture_dir.h's, unused here */
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = 0;
    printf("corruptions refused, by kind (not applicable to a list in brackets):\n");
    for (int k = 0; k < C_COUNT; k++) {
        printf("  %-26s %5zu  [%zu]  %s\n", corruption_name[k], applied[k], not_applicable[k],
               first_message[k]);
        total += applied[k];
    }
    printf("  %-26s %5zu\n", "total", total);
    return rc;
}
