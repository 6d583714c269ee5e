/*
 * bal.c — EIP-7928 block-level access lists from a sequential run.
 *
 * Recording appends; bal_finish sorts. A unit (system call, transaction,
 * the post-transaction credits) records at most one balance, nonce and
 * code change per account, in index order, so those lists come out
 * sorted; storage changes and reads of an account are appended as they
 * come and sorted by slot (then index) at the end.
 */
#include "bal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hex.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "../chain/block.h"

void bal_init(struct bal *b)
{
    memset(b, 0, sizeof *b);
    hmap_init(&b->index, sizeof(address), sizeof(uint32_t));
}

static void account_free(struct bal_account *a)
{
    for (size_t i = 0; i < a->code_count; i++)
        code_release(a->codes[i].code);
    free(a->writes);
    free(a->reads);
    free(a->balances);
    free(a->nonces);
    free(a->codes);
}

void bal_free(struct bal *b)
{
    for (size_t i = 0; i < b->account_count; i++)
        account_free(&b->accounts[i]);
    free(b->accounts);
    free(b->pre);
    hmap_free(&b->index);
    memset(b, 0, sizeof *b);
}

/* Room for one more element in a growable array (*p, *cap elements of
 * size elem, count used). */
static int grow(void **p, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return PAREVM_OK;
    size_t n = *cap ? *cap * 2 : 4;
    void *q = realloc(*p, n * elem);
    if (!q)
        return PAREVM_ERR_NOMEM;
    *p = q;
    *cap = n;
    return PAREVM_OK;
}
#define GROW(arr, cap, count) grow((void **)&(arr), &(cap), (count), sizeof *(arr))

/* The account's entry, created empty on first use. */
static int account_at(struct bal *b, const address *a, struct bal_account **out)
{
    bool inserted;
    uint32_t *idx = hmap_put(&b->index, a, &inserted);
    if (!idx)
        return PAREVM_ERR_NOMEM;
    if (inserted) {
        if (GROW(b->accounts, b->account_cap, b->account_count)) {
            hmap_remove(&b->index, a);
            return PAREVM_ERR_NOMEM;
        }
        struct bal_account *acc = &b->accounts[b->account_count];
        memset(acc, 0, sizeof *acc);
        acc->addr = *a;
        *idx = (uint32_t)b->account_count++;
    }
    *out = &b->accounts[*idx];
    return PAREVM_OK;
}

/* Append (index, value), replacing the last entry when it has the same
 * index: within one index only the final value counts. */
static int change_set(struct bal_change **arr, size_t *count, size_t *cap, uint32_t index, const u256 *value)
{
    if (*count && (*arr)[*count - 1].index == index) {
        (*arr)[*count - 1].value = *value;
        return PAREVM_OK;
    }
    if (grow((void **)arr, cap, *count, sizeof **arr))
        return PAREVM_ERR_NOMEM;
    (*arr)[*count].index = index;
    (*arr)[*count].value = *value;
    (*count)++;
    return PAREVM_OK;
}

static int add_read(struct bal_account *acc, const u256 *key)
{
    if (GROW(acc->reads, acc->read_cap, acc->read_count))
        return PAREVM_ERR_NOMEM;
    acc->reads[acc->read_count++] = *key;
    return PAREVM_OK;
}

static int add_write(struct bal_account *acc, uint32_t index, const u256 *key, const u256 *value)
{
    if (GROW(acc->writes, acc->write_cap, acc->write_count))
        return PAREVM_ERR_NOMEM;
    struct bal_slot_change *c = &acc->writes[acc->write_count++];
    c->key = *key;
    c->index = index;
    c->value = *value;
    return PAREVM_OK;
}

/* The code change (index, code): replaces one at the same index. */
static int add_code_change(struct bal_account *acc, uint32_t index, struct code *code)
{
    if (acc->code_count && acc->codes[acc->code_count - 1].index == index) {
        code_release(acc->codes[acc->code_count - 1].code);
        acc->codes[acc->code_count - 1].code = code_retain(code);
        return PAREVM_OK;
    }
    if (GROW(acc->codes, acc->code_cap, acc->code_count))
        return PAREVM_ERR_NOMEM;
    acc->codes[acc->code_count].index = index;
    acc->codes[acc->code_count].code = code_retain(code);
    acc->code_count++;
    return PAREVM_OK;
}

int bal_on_access(void *arg, const address *a, const u256 *slot)
{
    struct bal *b = arg;
    if (b->finished)
        return PAREVM_ERR_ARG;
    struct bal_account *acc;
    int err = account_at(b, a, &acc);
    if (err || !slot)
        return err;
    /* A slot the unit also wrote becomes a change at bal_finish (writes
     * subsume reads); recording it as a read too is harmless. */
    return add_read(acc, slot);
}

int bal_record(struct bal *b, uint32_t index, const struct write_set *ws, const struct journal *j,
               const struct world *w)
{
    if (b->finished)
        return PAREVM_ERR_ARG;
    int err = PAREVM_OK;
    if (j) {
        err = journal_each_access(j, bal_on_access, b);
        if (err)
            return err;
    }
    for (size_t i = 0; i < ws->account_count && !err; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        const struct world_account *pre = world_get(w, &wa->addr);
        u256 pre_balance = pre ? pre->balance : u256_zero();
        struct bal_account *acc;
        err = account_at(b, &wa->addr, &acc);
        if (err)
            break;
        if (wa->flags & WS_DELETE) {
            /* EIP-7928: a destroyed account keeps no nonce or code change
             * (from Cancun only an account created by the same
             * transaction is destroyed: it had none before); a positive
             * balance going to zero is still recorded. Before Cancun an
             * existing contract is destroyed too: its nonce and code
             * going to zero are changes like any other, and they are
             * what tells a reader of the list that it was deleted. */
            u256 zero = u256_zero();
            if (!u256_is_zero(&pre_balance))
                err = change_set(&acc->balances, &acc->balance_count, &acc->balance_cap, index, &zero);
            if (!err && pre && pre->nonce)
                err = change_set(&acc->nonces, &acc->nonce_count, &acc->nonce_cap, index, &zero);
            if (!err && pre && pre->code->len)
                err = add_code_change(acc, index, code_empty());
            continue;
        }
        u256 post = pre_balance;
        if (wa->flags & WS_BALANCE)
            post = wa->balance;
        else if (wa->flags & WS_BALANCE_DELTA)
            post = u256_add(&pre_balance, &wa->delta);
        /* An account created with nothing in it (before Spurious Dragon
         * only: from it such an account is deleted) records a balance
         * change to zero, the one trace of its creation a list can have. */
        bool created_empty = !pre && (wa->flags & WS_CREATE) && u256_is_zero(&post) &&
                             !((wa->flags & WS_NONCE) && wa->nonce) &&
                             !((wa->flags & WS_CODE) && wa->code && wa->code->len);
        if (!u256_eq(&post, &pre_balance) || created_empty)
            err = change_set(&acc->balances, &acc->balance_count, &acc->balance_cap, index, &post);
        uint64_t pre_nonce = pre ? pre->nonce : 0;
        if (!err && (wa->flags & WS_NONCE) && wa->nonce != pre_nonce) {
            u256 n = u256_from_u64(wa->nonce);
            err = change_set(&acc->nonces, &acc->nonce_count, &acc->nonce_cap, index, &n);
        }
        if (!err && (wa->flags & WS_CODE) && wa->code) {
            bool same = pre ? hash32_eq(&pre->code->hash, &wa->code->hash) : wa->code->len == 0;
            if (!same)
                err = add_code_change(acc, index, wa->code);
        }
    }
    for (size_t i = 0; i < ws->slot_count && !err; i++) {
        const struct ws_slot *s = &ws->slots[i];
        const struct world_account *pre = world_get(w, &s->addr);
        u256 before = pre ? world_get_storage(pre, &s->key) : u256_zero();
        struct bal_account *acc;
        err = account_at(b, &s->addr, &acc);
        if (err)
            break;
        /* EIP-7928: a write of the value the slot already held is a read. */
        err =
            u256_eq(&before, &s->value) ? add_read(acc, &s->key) : add_write(acc, index, &s->key, &s->value);
    }
    return err;
}

int bal_post_begin(struct bal *b, const struct block *blk, bool rewards, const struct world *w)
{
    b->pre_count = 0;
    size_t n = (rewards ? 1 + blk->uncle_count : 0) + blk->withdrawal_count;
    for (size_t i = 0; i < n; i++) {
        const address *a = rewards && i == 0 ? &blk->header.coinbase
                           : rewards && i <= blk->uncle_count
                               ? &blk->uncles[i - 1].coinbase
                               : &blk->withdrawals[i - (rewards ? 1 + blk->uncle_count : 0)].addr;
        if (GROW(b->pre, b->pre_cap, b->pre_count))
            return PAREVM_ERR_NOMEM;
        const struct world_account *acct = world_get(w, a);
        b->pre[b->pre_count].addr = *a;
        b->pre[b->pre_count].balance = acct ? acct->balance : u256_zero();
        b->pre_count++;
    }
    return PAREVM_OK;
}

int bal_post_end(struct bal *b, uint32_t index, const struct world *w)
{
    if (b->finished)
        return PAREVM_ERR_ARG;
    for (size_t i = 0; i < b->pre_count; i++) {
        const address *a = &b->pre[i].addr;
        /* An address credited twice appears twice: the first entry's
         * snapshot is the balance before any credit. */
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = address_eq(&b->pre[k].addr, a);
        if (seen)
            continue;
        struct bal_account *acc;
        int err = account_at(b, a, &acc);
        if (err)
            return err;
        const struct world_account *acct = world_get(w, a);
        u256 post = acct ? acct->balance : u256_zero();
        if (!u256_eq(&post, &b->pre[i].balance)) {
            err = change_set(&acc->balances, &acc->balance_count, &acc->balance_cap, index, &post);
            if (err)
                return err;
        }
    }
    b->pre_count = 0;
    return PAREVM_OK;
}

/* ---- finishing ---- */

static int cmp_u256(const u256 *a, const u256 *b)
{
    return u256_lt(a, b) ? -1 : u256_lt(b, a) ? 1 : 0;
}

static int cmp_key(const void *x, const void *y)
{
    return cmp_u256(x, y);
}

static int cmp_write(const void *x, const void *y)
{
    const struct bal_slot_change *a = x, *b = y;
    int c = cmp_u256(&a->key, &b->key);
    if (c)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_account(const void *x, const void *y)
{
    const struct bal_account *a = x, *b = y;
    return memcmp(a->addr.bytes, b->addr.bytes, 20);
}

int bal_finish(struct bal *b)
{
    if (b->finished)
        return PAREVM_OK;
    for (size_t i = 0; i < b->account_count; i++) {
        struct bal_account *acc = &b->accounts[i];
        if (acc->write_count > 1)
            qsort(acc->writes, acc->write_count, sizeof *acc->writes, cmp_write);
        if (acc->read_count > 1)
            qsort(acc->reads, acc->read_count, sizeof *acc->reads, cmp_key);
        /* Reads: unique, and none that is also written (both sorted). */
        size_t out = 0, w = 0;
        for (size_t r = 0; r < acc->read_count; r++) {
            const u256 *key = &acc->reads[r];
            if (out && u256_eq(&acc->reads[out - 1], key))
                continue;
            while (w < acc->write_count && u256_lt(&acc->writes[w].key, key))
                w++;
            if (w < acc->write_count && u256_eq(&acc->writes[w].key, key))
                continue;
            acc->reads[out++] = *key;
        }
        acc->read_count = out;
    }
    if (b->account_count > 1)
        qsort(b->accounts, b->account_count, sizeof *b->accounts, cmp_account);
    for (size_t i = 0; i < b->account_count; i++) {
        uint32_t *idx = hmap_get(&b->index, &b->accounts[i].addr);
        if (idx)
            *idx = (uint32_t)i;
    }
    b->finished = true;
    return PAREVM_OK;
}

/* ---- encoding ---- */

static int encode_changes(struct bytebuf *out, const struct bal_change *c, size_t n)
{
    size_t list = rlp_list_begin(out);
    int err = PAREVM_OK;
    for (size_t i = 0; i < n && !err; i++) {
        size_t pair = rlp_list_begin(out);
        err = rlp_encode_u64(out, c[i].index);
        if (!err)
            err = rlp_encode_u256(out, &c[i].value);
        if (!err)
            err = rlp_list_end(out, pair);
    }
    return err ? err : rlp_list_end(out, list);
}

/* EIP-7928 AccountChanges: [address, storage_changes, storage_reads,
 * balance_changes, nonce_changes, code_changes]; slots, values, indices,
 * balances and nonces as RLP integers (execution-specs rlp_utils: Uint,
 * no leading zeros), code as a byte string. */
static int encode_account(struct bytebuf *out, const struct bal_account *acc)
{
    size_t account = rlp_list_begin(out);
    int err = rlp_encode_bytes(out, acc->addr.bytes, 20);
    if (err)
        return err;
    size_t changes = rlp_list_begin(out);
    for (size_t i = 0; i < acc->write_count && !err;) {
        size_t k = i;
        size_t slot = rlp_list_begin(out);
        err = rlp_encode_u256(out, &acc->writes[i].key);
        size_t list = rlp_list_begin(out);
        for (; k < acc->write_count && !err && u256_eq(&acc->writes[k].key, &acc->writes[i].key); k++) {
            size_t pair = rlp_list_begin(out);
            err = rlp_encode_u64(out, acc->writes[k].index);
            if (!err)
                err = rlp_encode_u256(out, &acc->writes[k].value);
            if (!err)
                err = rlp_list_end(out, pair);
        }
        if (!err)
            err = rlp_list_end(out, list);
        if (!err)
            err = rlp_list_end(out, slot);
        i = k;
    }
    if (!err)
        err = rlp_list_end(out, changes);
    size_t reads = rlp_list_begin(out);
    for (size_t i = 0; i < acc->read_count && !err; i++)
        err = rlp_encode_u256(out, &acc->reads[i]);
    if (!err)
        err = rlp_list_end(out, reads);
    if (!err)
        err = encode_changes(out, acc->balances, acc->balance_count);
    if (!err)
        err = encode_changes(out, acc->nonces, acc->nonce_count);
    size_t codes = rlp_list_begin(out);
    for (size_t i = 0; i < acc->code_count && !err; i++) {
        size_t pair = rlp_list_begin(out);
        err = rlp_encode_u64(out, acc->codes[i].index);
        if (!err)
            err = rlp_encode_bytes(out, acc->codes[i].code->bytes, acc->codes[i].code->len);
        if (!err)
            err = rlp_list_end(out, pair);
    }
    if (!err)
        err = rlp_list_end(out, codes);
    return err ? err : rlp_list_end(out, account);
}

int bal_encode(const struct bal *b, struct bytebuf *out)
{
    if (!b->finished)
        return PAREVM_ERR_ARG;
    size_t list = rlp_list_begin(out);
    int err = PAREVM_OK;
    for (size_t i = 0; i < b->account_count && !err; i++)
        err = encode_account(out, &b->accounts[i]);
    return err ? err : rlp_list_end(out, list);
}

int bal_hash(const struct bal *b, hash32 *out)
{
    struct bytebuf buf = {0};
    int err = bal_encode(b, &buf);
    if (!err)
        keccak256(buf.data, buf.len, out->bytes);
    bytebuf_free(&buf);
    return err;
}

/* ---- JSON ---- */

static void put_q(FILE *f, const u256 *v)
{
    char hex[67];
    u256_to_hex(v, hex);
    fputs(hex, f);
}

static void put_changes(FILE *f, const char *name, const char *field, const struct bal_change *c, size_t n)
{
    fprintf(f, ",\n    \"%s\": [", name);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s{\"blockAccessIndex\": \"0x%x\", \"%s\": \"", i ? ", " : "", (unsigned)c[i].index,
                field);
        put_q(f, &c[i].value);
        fputs("\"}", f);
    }
    fputc(']', f);
}

int bal_write_json(const struct bal *b, FILE *f)
{
    if (!b->finished)
        return PAREVM_ERR_ARG;
    fputs("[", f);
    for (size_t i = 0; i < b->account_count; i++) {
        const struct bal_account *acc = &b->accounts[i];
        char addr[43];
        hex_encode(acc->addr.bytes, 20, addr);
        fprintf(f, "%s\n  {\n    \"address\": \"%s\",\n    \"storageChanges\": [", i ? "," : "", addr);
        for (size_t k = 0; k < acc->write_count;) {
            size_t e = k;
            fputs(k ? ", {\"slot\": \"" : "{\"slot\": \"", f);
            put_q(f, &acc->writes[k].key);
            fputs("\", \"slotChanges\": [", f);
            for (; e < acc->write_count && u256_eq(&acc->writes[e].key, &acc->writes[k].key); e++) {
                fprintf(f, "%s{\"blockAccessIndex\": \"0x%x\", \"postValue\": \"", e > k ? ", " : "",
                        (unsigned)acc->writes[e].index);
                put_q(f, &acc->writes[e].value);
                fputs("\"}", f);
            }
            fputs("]}", f);
            k = e;
        }
        fputs("],\n    \"storageReads\": [", f);
        for (size_t k = 0; k < acc->read_count; k++) {
            fputs(k ? ", \"" : "\"", f);
            put_q(f, &acc->reads[k]);
            fputc('"', f);
        }
        fputc(']', f);
        put_changes(f, "balanceChanges", "postBalance", acc->balances, acc->balance_count);
        put_changes(f, "nonceChanges", "postNonce", acc->nonces, acc->nonce_count);
        fputs(",\n    \"codeChanges\": [", f);
        for (size_t k = 0; k < acc->code_count; k++) {
            fprintf(f, "%s{\"blockAccessIndex\": \"0x%x\", \"newCode\": \"", k ? ", " : "",
                    (unsigned)acc->codes[k].index);
            char *hex = hex_encode_alloc(acc->codes[k].code->bytes, acc->codes[k].code->len);
            if (!hex)
                return PAREVM_ERR_NOMEM;
            fputs(hex, f);
            free(hex);
            fputs("\"}", f);
        }
        fputs("]\n  }", f);
    }
    fputs(b->account_count ? "\n]\n" : "]\n", f);
    return ferror(f) ? PAREVM_ERR_IO : PAREVM_OK;
}

void bal_measure(const struct bal *b, struct bal_size *out)
{
    memset(out, 0, sizeof *out);
    out->accounts = b->account_count;
    for (size_t i = 0; i < b->account_count; i++) {
        const struct bal_account *acc = &b->accounts[i];
        size_t distinct = 0;
        for (size_t k = 0; k < acc->write_count; k++)
            if (k == 0 || !u256_eq(&acc->writes[k].key, &acc->writes[k - 1].key))
                distinct++;
        out->storage_keys += distinct + acc->read_count;
        out->slot_writes += acc->write_count;
        out->balance_changes += acc->balance_count;
        out->nonce_changes += acc->nonce_count;
        out->code_changes += acc->code_count;
    }
    out->items = out->storage_keys + out->accounts;
}

/* ---- decoding ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
decode_fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return PAREVM_ERR_RLP;
}

/* The list's children into items[0..*n) (up to cap), or an error. */
static int list_items(const struct rlp_item *list, struct rlp_item *items, size_t cap, size_t *n)
{
    if (!list->is_list)
        return PAREVM_ERR_RLP;
    struct rlp_iter it;
    rlp_iter_init(&it, list);
    int err = PAREVM_OK;
    struct rlp_item child;
    *n = 0;
    while (rlp_iter_next(&it, &child, &err)) {
        if (*n == cap)
            return PAREVM_ERR_RLP;
        items[(*n)++] = child;
    }
    return err;
}

static int decode_index(const struct rlp_item *item, uint32_t *out)
{
    uint64_t v;
    int err = rlp_item_u64(item, &v);
    if (err || v > UINT32_MAX)
        return PAREVM_ERR_RLP;
    *out = (uint32_t)v;
    return PAREVM_OK;
}

/* [[index, value], ...] ascending by index into arr. */
static int decode_changes(const struct rlp_item *list, struct bal_change **arr, size_t *count, size_t *cap,
                          bool is_nonce, const char *what, char *why, size_t why_len)
{
    if (!list->is_list)
        return decode_fail(why, why_len, "%s: not a list", what);
    struct rlp_iter it;
    rlp_iter_init(&it, list);
    struct rlp_item pair;
    int err = PAREVM_OK;
    while (rlp_iter_next(&it, &pair, &err)) {
        struct rlp_item f[2];
        size_t n;
        uint32_t index;
        u256 v;
        uint64_t nonce;
        if (list_items(&pair, f, 2, &n) || n != 2 || decode_index(&f[0], &index) ||
            (is_nonce ? rlp_item_u64(&f[1], &nonce) : rlp_item_u256(&f[1], &v)))
            return decode_fail(why, why_len, "%s: malformed [index, value]", what);
        if (is_nonce)
            v = u256_from_u64(nonce);
        if (*count && (*arr)[*count - 1].index >= index)
            return decode_fail(why, why_len, "%s: index %u not ascending", what, (unsigned)index);
        if (change_set(arr, count, cap, index, &v))
            return PAREVM_ERR_NOMEM;
    }
    return err ? decode_fail(why, why_len, "%s: malformed RLP", what) : PAREVM_OK;
}

static int decode_account(const struct rlp_item *item, struct bal *b, char *why, size_t why_len)
{
    struct rlp_item f[6];
    size_t n;
    if (list_items(item, f, 6, &n) || n != 6 || f[0].is_list || f[0].payload_len != 20)
        return decode_fail(why, why_len, "account %zu: not [address, 5 lists]", b->account_count);
    address a;
    memcpy(a.bytes, f[0].payload, 20);
    char hx[43];
    hex_encode(a.bytes, 20, hx);
    if (b->account_count && memcmp(b->accounts[b->account_count - 1].addr.bytes, a.bytes, 20) >= 0)
        return decode_fail(why, why_len, "account %s: addresses not ascending", hx);
    struct bal_account *acc;
    if (account_at(b, &a, &acc))
        return PAREVM_ERR_NOMEM;
    int err = PAREVM_OK;
    struct rlp_iter it;
    struct rlp_item child;
    /* storage_changes: [[slot, [[index, value], ...]], ...] */
    if (!f[1].is_list)
        return decode_fail(why, why_len, "account %s: storage_changes not a list", hx);
    rlp_iter_init(&it, &f[1]);
    while (rlp_iter_next(&it, &child, &err)) {
        struct rlp_item s[2];
        u256 key;
        if (list_items(&child, s, 2, &n) || n != 2 || rlp_item_u256(&s[0], &key) || !s[1].is_list)
            return decode_fail(why, why_len, "account %s: malformed slot changes", hx);
        if (acc->write_count && !u256_lt(&acc->writes[acc->write_count - 1].key, &key))
            return decode_fail(why, why_len, "account %s: storage_changes slots not ascending", hx);
        size_t first = acc->write_count;
        struct rlp_iter pit;
        struct rlp_item pair;
        rlp_iter_init(&pit, &s[1]);
        while (rlp_iter_next(&pit, &pair, &err)) {
            struct rlp_item p[2];
            uint32_t index;
            u256 v;
            if (list_items(&pair, p, 2, &n) || n != 2 || decode_index(&p[0], &index) ||
                rlp_item_u256(&p[1], &v))
                return decode_fail(why, why_len, "account %s: malformed storage change", hx);
            if (acc->write_count > first && acc->writes[acc->write_count - 1].index >= index)
                return decode_fail(why, why_len, "account %s: slot changes' indices not ascending", hx);
            if (add_write(acc, index, &key, &v))
                return PAREVM_ERR_NOMEM;
        }
        if (err || acc->write_count == first)
            return decode_fail(why, why_len, "account %s: empty or malformed slot change list", hx);
    }
    if (err)
        return decode_fail(why, why_len, "account %s: malformed storage_changes", hx);
    /* storage_reads: [slot, ...], ascending, none also changed */
    if (!f[2].is_list)
        return decode_fail(why, why_len, "account %s: storage_reads not a list", hx);
    rlp_iter_init(&it, &f[2]);
    size_t w = 0;
    while (rlp_iter_next(&it, &child, &err)) {
        u256 key;
        if (rlp_item_u256(&child, &key))
            return decode_fail(why, why_len, "account %s: malformed storage read", hx);
        if (acc->read_count && !u256_lt(&acc->reads[acc->read_count - 1], &key))
            return decode_fail(why, why_len, "account %s: storage_reads not ascending", hx);
        while (w < acc->write_count && u256_lt(&acc->writes[w].key, &key))
            w++;
        if (w < acc->write_count && u256_eq(&acc->writes[w].key, &key))
            return decode_fail(why, why_len, "account %s: a slot both changed and read", hx);
        if (add_read(acc, &key))
            return PAREVM_ERR_NOMEM;
    }
    if (err)
        return decode_fail(why, why_len, "account %s: malformed storage_reads", hx);
    char what[80];
    snprintf(what, sizeof what, "account %s balance_changes", hx);
    if ((err = decode_changes(&f[3], &acc->balances, &acc->balance_count, &acc->balance_cap, false, what, why,
                              why_len)))
        return err;
    snprintf(what, sizeof what, "account %s nonce_changes", hx);
    if ((err = decode_changes(&f[4], &acc->nonces, &acc->nonce_count, &acc->nonce_cap, true, what, why,
                              why_len)))
        return err;
    if (!f[5].is_list)
        return decode_fail(why, why_len, "account %s: code_changes not a list", hx);
    rlp_iter_init(&it, &f[5]);
    while (rlp_iter_next(&it, &child, &err)) {
        struct rlp_item p[2];
        uint32_t index;
        if (list_items(&child, p, 2, &n) || n != 2 || decode_index(&p[0], &index) || p[1].is_list)
            return decode_fail(why, why_len, "account %s: malformed code change", hx);
        if (acc->code_count && acc->codes[acc->code_count - 1].index >= index)
            return decode_fail(why, why_len, "account %s: code_changes indices not ascending", hx);
        if (GROW(acc->codes, acc->code_cap, acc->code_count))
            return PAREVM_ERR_NOMEM;
        struct code *c = code_new(p[1].payload, p[1].payload_len);
        if (!c)
            return PAREVM_ERR_NOMEM;
        acc->codes[acc->code_count].index = index;
        acc->codes[acc->code_count].code = c;
        acc->code_count++;
    }
    return err ? decode_fail(why, why_len, "account %s: malformed code_changes", hx) : PAREVM_OK;
}

int bal_decode(const uint8_t *data, size_t len, struct bal *b, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (b->account_count || b->finished)
        return PAREVM_ERR_ARG;
    struct rlp_item top;
    if (rlp_decode_whole(data, len, &top) || !top.is_list)
        return decode_fail(why, why_len, "not one RLP list");
    struct rlp_iter it;
    rlp_iter_init(&it, &top);
    struct rlp_item item;
    int err = PAREVM_OK;
    while (rlp_iter_next(&it, &item, &err)) {
        int e = decode_account(&item, b, why, why_len);
        if (e)
            return e;
    }
    if (err)
        return decode_fail(why, why_len, "malformed account list");
    b->finished = true; /* already in order: nothing to sort */
    return PAREVM_OK;
}

/* ---- comparing ---- */

static void q(const u256 *v, char *buf)
{
    u256_to_hex(v, buf);
}

static bool changes_equal(const char *addr, const char *what, const struct bal_change *x, size_t nx,
                          const struct bal_change *y, size_t ny, char *why, size_t why_len)
{
    char a[67], b[67];
    for (size_t i = 0; i < nx || i < ny; i++) {
        if (i >= nx || i >= ny || x[i].index != y[i].index) {
            const struct bal_change *c = i >= nx                   ? &y[i]
                                         : i >= ny                 ? &x[i]
                                         : x[i].index < y[i].index ? &x[i]
                                                                   : &y[i];
            bool in_x = i < nx && (i >= ny || x[i].index <= y[i].index);
            q(&c->value, a);
            snprintf(why, why_len, "account %s %s: index %u: expected %s, computed %s", addr, what,
                     (unsigned)c->index, in_x ? a : "none", in_x ? "none" : a);
            return false;
        }
        if (!u256_eq(&x[i].value, &y[i].value)) {
            q(&x[i].value, a);
            q(&y[i].value, b);
            snprintf(why, why_len, "account %s %s: index %u: expected %s, computed %s", addr, what,
                     (unsigned)x[i].index, a, b);
            return false;
        }
    }
    return true;
}

static bool account_equal(const struct bal_account *x, const struct bal_account *y, char *why, size_t why_len)
{
    char addr[43], k[67], a[67], b[67];
    hex_encode(x->addr.bytes, 20, addr);
    /* storage changes, in (slot, index) order */
    for (size_t i = 0; i < x->write_count || i < y->write_count; i++) {
        const struct bal_slot_change *cx = i < x->write_count ? &x->writes[i] : NULL;
        const struct bal_slot_change *cy = i < y->write_count ? &y->writes[i] : NULL;
        int order = !cx ? 1 : !cy ? -1 : cmp_write(cx, cy);
        if (order == 0 && u256_eq(&cx->value, &cy->value))
            continue;
        const struct bal_slot_change *c = order <= 0 ? cx : cy;
        q(&c->key, k);
        q(&c->value, a);
        if (order == 0) {
            q(&cy->value, b);
            snprintf(why, why_len, "account %s storage slot %s: index %u: expected %s, computed %s", addr, k,
                     (unsigned)c->index, a, b);
        } else {
            snprintf(why, why_len, "account %s storage slot %s: index %u: expected %s, computed %s", addr, k,
                     (unsigned)c->index, order < 0 ? a : "no change", order < 0 ? "no change" : a);
        }
        return false;
    }
    for (size_t i = 0; i < x->read_count || i < y->read_count; i++) {
        const u256 *rx = i < x->read_count ? &x->reads[i] : NULL,
                   *ry = i < y->read_count ? &y->reads[i] : NULL;
        if (rx && ry && u256_eq(rx, ry))
            continue;
        bool in_x = rx && (!ry || u256_lt(rx, ry));
        q(in_x ? rx : ry, k);
        snprintf(why, why_len, "account %s storage read %s: %s", addr, k,
                 in_x ? "expected, not computed" : "computed, not expected");
        return false;
    }
    if (!changes_equal(addr, "balance", x->balances, x->balance_count, y->balances, y->balance_count, why,
                       why_len))
        return false;
    if (!changes_equal(addr, "nonce", x->nonces, x->nonce_count, y->nonces, y->nonce_count, why, why_len))
        return false;
    for (size_t i = 0; i < x->code_count || i < y->code_count; i++) {
        const struct bal_code_change *cx = i < x->code_count ? &x->codes[i] : NULL;
        const struct bal_code_change *cy = i < y->code_count ? &y->codes[i] : NULL;
        if (cx && cy && cx->index == cy->index && hash32_eq(&cx->code->hash, &cy->code->hash))
            continue;
        const struct bal_code_change *c = cx && (!cy || cx->index <= cy->index) ? cx : cy;
        char hx[67], hy[67];
        if (cx)
            hex_encode(cx->code->hash.bytes, 32, hx);
        if (cy)
            hex_encode(cy->code->hash.bytes, 32, hy);
        snprintf(
            why, why_len, "account %s code: index %u: expected %s%s, computed %s%s", addr, (unsigned)c->index,
            cx && cx->index == c->index ? "code hash " : "", cx && cx->index == c->index ? hx : "no change",
            cy && cy->index == c->index ? "code hash " : "", cy && cy->index == c->index ? hy : "no change");
        return false;
    }
    return true;
}

bool bal_equal(const struct bal *a, const struct bal *b, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    char scratch[1];
    if (!why || !why_len) {
        why = scratch;
        why_len = sizeof scratch;
    }
    for (size_t i = 0; i < a->account_count || i < b->account_count; i++) {
        const struct bal_account *x = i < a->account_count ? &a->accounts[i] : NULL;
        const struct bal_account *y = i < b->account_count ? &b->accounts[i] : NULL;
        int order = !x ? 1 : !y ? -1 : memcmp(x->addr.bytes, y->addr.bytes, 20);
        if (order) {
            char hx[43];
            hex_encode((order < 0 ? x : y)->addr.bytes, 20, hx);
            snprintf(why, why_len, "account %s: %s", hx,
                     order < 0 ? "expected, not computed" : "computed, not expected");
            return false;
        }
        if (!account_equal(x, y, why, why_len))
            return false;
    }
    return true;
}
