/* world — the in-memory world state (see world.h). */
#include "world.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "trie.h"

/* The source behind a world (world.h): one lock for the account map and
 * every lazy account's storage, the addresses known to be absent, and the
 * first error a source call returned. */
struct world_lazy {
    struct world_source src;
    pthread_mutex_t lock;
    struct hmap absent; /* address -> nothing: absent, or deleted by the block */
    int error;
};

/* Per lazy account: the slots known to be zero (read as zero from the
 * source, or zeroed by the block), which storage itself does not hold. */
struct world_lazy_account {
    struct world_lazy *world;
    struct hmap zeroed; /* u256 key -> nothing */
};

void world_init(struct world *w)
{
    hmap_init(&w->accounts, sizeof(address), sizeof(struct world_account *));
    w->lazy = NULL;
}

static void lazy_account_free(struct world_lazy_account *la)
{
    if (la) {
        hmap_free(&la->zeroed);
        free(la);
    }
}

static void world_account_free(struct world_account *acct)
{
    code_release(acct->code);
    hmap_free(&acct->storage);
    lazy_account_free(acct->lazy);
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
    acct->lazy = NULL;
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
    if (w->lazy) {
        pthread_mutex_destroy(&w->lazy->lock);
        hmap_free(&w->lazy->absent);
        free(w->lazy);
        w->lazy = NULL;
    }
}

int world_init_source(struct world *w, const struct world_source *src)
{
    world_init(w);
    struct world_lazy *l = calloc(1, sizeof *l);
    if (!l)
        return PAREVM_ERR_NOMEM;
    if (pthread_mutex_init(&l->lock, NULL)) {
        free(l);
        return PAREVM_ERR_NOMEM;
    }
    l->src = *src;
    hmap_init(&l->absent, sizeof(address), 0);
    w->lazy = l;
    return PAREVM_OK;
}

int world_source_error(const struct world *w)
{
    if (!w->lazy)
        return PAREVM_OK;
    pthread_mutex_lock(&w->lazy->lock);
    int err = w->lazy->error;
    pthread_mutex_unlock(&w->lazy->lock);
    return err;
}

static void lazy_fail(struct world_lazy *l, int err)
{
    if (!l->error)
        l->error = err;
}

/* Account a of a world with a source, the lock held: cached, known
 * absent, or asked of the source now (and cached either way). */
static struct world_account *lazy_get(struct world *w, const address *a)
{
    struct world_lazy *l = w->lazy;
    struct world_account **slot = hmap_get(&w->accounts, a);
    if (slot)
        return *slot;
    if (hmap_get(&l->absent, a))
        return NULL;
    bool exists = false, has_storage = false;
    u256 balance = u256_zero();
    uint64_t nonce = 0;
    struct code *code = NULL;
    int err = l->src.account(l->src.arg, a, &exists, &balance, &nonce, &code, &has_storage);
    if (err) {
        if (code)
            code_release(code);
        lazy_fail(l, err);
        return NULL;
    }
    if (!exists) {
        if (code)
            code_release(code);
        if (!hmap_put(&l->absent, a, NULL))
            lazy_fail(l, PAREVM_ERR_NOMEM);
        return NULL;
    }
    if (!code)
        code = code_empty();
    struct world_account *acct = world_account_new(a);
    struct world_lazy_account *la = has_storage ? malloc(sizeof *la) : NULL;
    bool inserted = false;
    slot = acct && (la || !has_storage) ? hmap_put(&w->accounts, a, &inserted) : NULL;
    if (!slot) {
        code_release(code);
        free(la);
        if (acct)
            world_account_free(acct);
        lazy_fail(l, PAREVM_ERR_NOMEM);
        return NULL;
    }
    acct->balance = balance;
    acct->nonce = nonce;
    acct->code = code; /* the source's reference */
    if (la) {
        la->world = l;
        hmap_init(&la->zeroed, sizeof(u256), 0);
        acct->lazy = la;
    }
    *slot = acct;
    return acct;
}

void world_prefetch(const struct world *w, const address *a)
{
    if (!w->lazy)
        hmap_prefetch(&w->accounts, a);
}

void world_prefetch_account(const struct world *w, const address *a)
{
    if (w->lazy)
        return;
    struct world_account **slot = hmap_get(&w->accounts, a);
    if (slot) {
        /* its fields and its storage map's header: two lines */
        __builtin_prefetch(*slot);
        __builtin_prefetch((const char *)*slot + 64);
    }
}

void world_prefetch_storage(const struct world_account *acct, const u256 *key)
{
    hmap_prefetch(&acct->storage, key);
}

struct world_account *world_get(const struct world *w, const address *a)
{
    if (w->lazy) {
        /* The cache fills on reads: the map changes under const. */
        struct world *mw = (struct world *)w;
        pthread_mutex_lock(&w->lazy->lock);
        struct world_account *acct = lazy_get(mw, a);
        pthread_mutex_unlock(&w->lazy->lock);
        return acct;
    }
    struct world_account **slot = hmap_get(&w->accounts, a);
    return slot ? *slot : NULL;
}

struct world_account *world_get_or_create(struct world *w, const address *a)
{
    if (w->lazy) {
        /* The source's account if there is one; else a new, complete one. */
        struct world_account *acct = world_get(w, a);
        if (acct)
            return acct;
        hmap_remove(&w->lazy->absent, a);
    }
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
    /* Deleted by the block: never asked of the source again. */
    if (w->lazy && !hmap_put(&w->lazy->absent, a, NULL))
        lazy_fail(w->lazy, PAREVM_ERR_NOMEM);
}

void world_clear_storage(struct world_account *acct)
{
    hmap_clear(&acct->storage);
    lazy_account_free(acct->lazy);
    acct->lazy = NULL;
}

/* Slot key of a lazy account, its world's lock held. */
static u256 lazy_get_storage(struct world_account *acct, const u256 *key)
{
    struct world_lazy_account *la = acct->lazy;
    const u256 *v = hmap_get(&acct->storage, key);
    if (v)
        return *v;
    if (hmap_get(&la->zeroed, key))
        return u256_zero();
    u256 value = u256_zero();
    int err = la->world->src.storage(la->world->src.arg, &acct->addr, key, &value);
    if (err) {
        lazy_fail(la->world, err);
        return u256_zero();
    }
    if (u256_is_zero(&value)) {
        if (!hmap_put(&la->zeroed, key, NULL))
            lazy_fail(la->world, PAREVM_ERR_NOMEM);
    } else {
        u256 *slot = hmap_put(&acct->storage, key, NULL);
        if (slot)
            *slot = value;
        else
            lazy_fail(la->world, PAREVM_ERR_NOMEM);
    }
    return value;
}

u256 world_get_storage(const struct world_account *acct, const u256 *key)
{
    if (acct->lazy) {
        struct world_lazy *l = acct->lazy->world;
        pthread_mutex_lock(&l->lock);
        u256 value = lazy_get_storage((struct world_account *)acct, key);
        pthread_mutex_unlock(&l->lock);
        return value;
    }
    const u256 *v = hmap_get(&acct->storage, key);
    return v ? *v : u256_zero();
}

int world_set_storage(struct world_account *acct, const u256 *key, const u256 *value)
{
    /* Zero slots are absent, so the storage trie and has_storage checks
     * (EIP-7610) see exactly the non-zero slots. */
    if (u256_is_zero(value)) {
        hmap_remove(&acct->storage, key);
        /* A lazy account remembers the zero, or the source's value
         * would show through again. */
        if (acct->lazy && !hmap_put(&acct->lazy->zeroed, key, NULL)) {
            lazy_fail(acct->lazy->world, PAREVM_ERR_NOMEM);
            return PAREVM_ERR_NOMEM;
        }
        return PAREVM_OK;
    }
    if (acct->lazy)
        hmap_remove(&acct->lazy->zeroed, key);
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
        if ((err = rlp_encode_u64(&s.vals, acct->nonce)) ||
            (err = rlp_encode_u256(&s.vals, &acct->balance)) ||
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
