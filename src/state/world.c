/* world — the in-memory world state (see world.h). */
#include "world.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "trie.h"

void world_init(struct world *w) { hmap_init(&w->accounts, sizeof(address), sizeof(struct world_account *)); }

static void world_account_free(struct world_account *acct)
{
    code_release(acct->code);
    hmap_free(&acct->storage);
    free(acct);
}

static struct world_account *world_account_new(const address *a)
{
    struct world_account *acct = malloc(sizeof *acct);
    if (!acct)
        return NULL;
    acct->addr = *a;
    acct->balance = u256_zero();
    acct->nonce = 0;
    acct->code = code_empty();
    hmap_init(&acct->storage, sizeof(u256), sizeof(u256));
    return acct;
}

void world_free(struct world *w)
{
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(&w->accounts, &it, &key, &val))
        world_account_free(*(struct world_account **)val);
    hmap_free(&w->accounts);
}

struct world_account *world_get(const struct world *w, const address *a)
{
    struct world_account **slot = hmap_get(&w->accounts, a);
    return slot ? *slot : NULL;
}

struct world_account *world_get_or_create(struct world *w, const address *a)
{
    bool inserted = false;
    struct world_account **slot = hmap_put(&w->accounts, a, &inserted);
    if (!slot)
        return NULL;
    if (!inserted)
        return *slot;
    struct world_account *acct = world_account_new(a);
    if (!acct) {
        /* Leave no NULL entry behind: every value in the map is a live account. */
        hmap_remove(&w->accounts, a);
        return NULL;
    }
    *slot = acct;
    return acct;
}

void world_delete(struct world *w, const address *a)
{
    struct world_account *acct = world_get(w, a);
    if (!acct)
        return;
    hmap_remove(&w->accounts, a);
    world_account_free(acct);
}

u256 world_get_storage(const struct world_account *acct, const u256 *key)
{
    const u256 *v = hmap_get(&acct->storage, key);
    return v ? *v : u256_zero();
}

int world_set_storage(struct world_account *acct, const u256 *key, const u256 *value)
{
    /* Zero slots are absent, so the storage trie and has_storage checks
     * (EIP-7610) see exactly the non-zero slots. */
    if (u256_is_zero(value)) {
        hmap_remove(&acct->storage, key);
        return PAREVM_OK;
    }
    u256 *v = hmap_put(&acct->storage, key, NULL);
    if (!v)
        return PAREVM_ERR_NOMEM;
    *v = *value;
    return PAREVM_OK;
}

void world_set_code(struct world_account *acct, struct code *c)
{
    /* Retain first: c may be the account's current code. */
    code_retain(c);
    code_release(acct->code);
    acct->code = c;
}

int world_clone(const struct world *src, struct world *dst)
{
    world_init(dst);
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(&src->accounts, &it, &key, &val)) {
        const struct world_account *from = *(struct world_account *const *)val;
        struct world_account *to = world_get_or_create(dst, &from->addr);
        if (!to)
            goto nomem;
        to->balance = from->balance;
        to->nonce = from->nonce;
        world_set_code(to, from->code);
        size_t sit = 0;
        const void *skey;
        void *sval;
        while (hmap_next(&from->storage, &sit, &skey, &sval)) {
            u256 *v = hmap_put(&to->storage, skey, NULL);
            if (!v)
                goto nomem;
            *v = *(const u256 *)sval;
        }
    }
    return PAREVM_OK;
nomem:
    world_free(dst);
    world_init(dst);
    return PAREVM_ERR_NOMEM;
}

/* Scratch for building one secure trie: n hashed keys, the encoded values
 * packed in one buffer, and the key/value descriptors. Small tries (the
 * common case in state tests) use the inline arrays and never allocate
 * for keys and descriptors. */
#define TRIE_INLINE 16
struct trie_scratch {
    uint8_t (*keys)[32];
    size_t *val_off;
    struct trie_kv *kvs;
    struct bytebuf vals;
    uint8_t inline_keys[TRIE_INLINE][32];
    size_t inline_off[TRIE_INLINE + 1];
    struct trie_kv inline_kvs[TRIE_INLINE];
};

static int trie_scratch_init(struct trie_scratch *s, size_t n, size_t val_hint)
{
    memset(&s->vals, 0, sizeof s->vals);
    if (n <= TRIE_INLINE) {
        s->keys = s->inline_keys;
        s->val_off = s->inline_off;
        s->kvs = s->inline_kvs;
    } else {
        s->keys = malloc(n * sizeof *s->keys);
        s->val_off = malloc((n + 1) * sizeof *s->val_off);
        s->kvs = malloc(n * sizeof *s->kvs);
        if (!s->keys || !s->val_off || !s->kvs)
            return PAREVM_ERR_NOMEM;
    }
    return bytebuf_reserve(&s->vals, n * val_hint);
}

static void trie_scratch_free(struct trie_scratch *s)
{
    if (s->keys != s->inline_keys) {
        free(s->keys);
        free(s->val_off);
        free(s->kvs);
    }
    bytebuf_free(&s->vals);
}

/* Values are appended to one buffer that may move while it grows, so the
 * descriptors are filled in only once every value is encoded. */
static int trie_scratch_root(struct trie_scratch *s, size_t n, hash32 *out)
{
    for (size_t i = 0; i < n; i++) {
        s->kvs[i].key = s->keys[i];
        s->kvs[i].key_len = 32;
        s->kvs[i].val = s->vals.data + s->val_off[i];
        s->kvs[i].val_len = s->val_off[i + 1] - s->val_off[i];
    }
    return trie_root(s->kvs, n, out);
}

int world_storage_root(const struct world_account *acct, hash32 *out)
{
    size_t n = acct->storage.count;
    if (n == 0) {
        *out = EMPTY_TRIE_ROOT;
        return PAREVM_OK;
    }
    struct trie_scratch s;
    /* A storage value encodes to at most 33 bytes (header + 32). */
    int err = trie_scratch_init(&s, n, 33);
    if (err)
        goto done;
    size_t it = 0, i = 0;
    const void *key;
    void *val;
    while (hmap_next(&acct->storage, &it, &key, &val) && i < n) {
        /* Secure trie: the key is keccak of the slot as 32 big-endian
         * bytes; the value is the RLP of the minimal big-endian integer. */
        uint8_t be[32];
        u256_to_be((const u256 *)key, be);
        keccak256(be, 32, s.keys[i]);
        s.val_off[i] = s.vals.len;
        if ((err = rlp_encode_u256(&s.vals, (const u256 *)val)))
            goto done;
        i++;
    }
    if (i != n) {
        err = PAREVM_ERR_INTERNAL;
        goto done;
    }
    s.val_off[n] = s.vals.len;
    err = trie_scratch_root(&s, n, out);
done:
    trie_scratch_free(&s);
    return err;
}

int world_state_root(const struct world *w, hash32 *out)
{
    size_t n = w->accounts.count;
    if (n == 0) {
        *out = EMPTY_TRIE_ROOT;
        return PAREVM_OK;
    }
    struct trie_scratch s;
    /* rlp([nonce, balance, storage_root, code_hash]) is at most
     * 3 (list header) + 9 + 33 + 33 + 33 = 111 bytes. */
    int err = trie_scratch_init(&s, n, 112);
    if (err)
        goto done;
    size_t it = 0, i = 0;
    const void *key;
    void *val;
    while (hmap_next(&w->accounts, &it, &key, &val) && i < n) {
        const struct world_account *acct = *(struct world_account *const *)val;
        hash32 storage_root;
        if ((err = world_storage_root(acct, &storage_root)))
            goto done;
        keccak256(acct->addr.bytes, 20, s.keys[i]);
        s.val_off[i] = s.vals.len;
        size_t list = rlp_list_begin(&s.vals);
        if ((err = rlp_encode_u64(&s.vals, acct->nonce)) || (err = rlp_encode_u256(&s.vals, &acct->balance)) ||
            (err = rlp_encode_bytes(&s.vals, storage_root.bytes, 32)) ||
            (err = rlp_encode_bytes(&s.vals, acct->code->hash.bytes, 32)) ||
            (err = rlp_list_end(&s.vals, list)))
            goto done;
        i++;
    }
    if (i != n) {
        err = PAREVM_ERR_INTERNAL;
        goto done;
    }
    s.val_off[n] = s.vals.len;
    err = trie_scratch_root(&s, n, out);
done:
    trie_scratch_free(&s);
    return err;
}
