/* mvview.c — the state view of one Block-STM execution (see mvview.h). */
#include "mvview.h"

#include <string.h>

#include "../base/array.h"

/* The mvmemory location kind each read kind reads. */
static const uint8_t read_mv_kind[] = {
    [R_BALANCE] = MV_BALANCE, [R_NONCE] = MV_NONCE,       [R_CODE] = MV_CODE,
    [R_STORAGE] = MV_STORAGE, [R_HAS_STORAGE] = MV_CLEAR,
};

struct mv_key mvview_read_key(const struct read_entry *r)
{
    struct mv_key k;
    memset(&k, 0, sizeof k);
    k.addr = r->addr;
    k.kind = read_mv_kind[r->kind];
    if (r->kind == R_STORAGE)
        k.slot = r->slot;
    return k;
}

/* The entry of the two-account cache for a (filled: the hash). */
static unsigned pv_account(struct mvview *pv, const address *a)
{
    for (unsigned k = 0; k < 2; k++)
        if (pv->hash_val[k] && address_eq(&pv->hash_addr[k], a))
            return k;
    unsigned k = pv->hash_next++ & 1;
    pv->hash_addr[k] = *a;
    pv->hash_val[k] = mvmemory_address_hash(a);
    pv->acct_known[k] = false;
    return k;
}

/* A read's hint from the cache entry k. */
static struct mv_read_hint pv_hint(const struct mvview *pv, unsigned k)
{
    struct mv_read_hint hint = {.addr_hash = pv->hash_val[k], .acct_known = pv->acct_known[k], .acct = pv->acct[k]};
    return hint;
}

/* What the read learnt of the account, kept in entry k. */
static void pv_learn(struct mvview *pv, unsigned k, const struct mv_read_hint *hint)
{
    pv->acct_known[k] = hint->acct_known;
    pv->acct[k] = hint->acct;
}

static void add_dep(void *arg, uint32_t writer)
{
    struct dep_list *d = arg;
    if (d->n && d->v[d->n - 1] == writer)
        return;
    uint32_t *v = array_room(d->v, &d->cap, d->n, sizeof *v, 16);
    if (!v) {
        d->oom = true;
        return;
    }
    d->v = v;
    d->v[d->n++] = writer;
}

/* Room for one more of n items of size bytes in *items (capacity *cap),
 * in the view's arena when the set's memory comes from there (the old
 * array stays in it until the block ends), else on the heap. */
static bool set_room(struct mvview *pv, void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p;
    if (pv->rs->in_arena) {
        p = arena_alloc(pv->arena, ncap * size);
        if (p && n)
            memcpy(p, *items, n * size);
    } else {
        p = realloc(*items, ncap * size);
    }
    if (!p)
        return false;
    *items = p;
    *cap = ncap;
    return true;
}

static struct read_entry *push_read(struct mvview *pv)
{
    struct read_set *rs = pv->rs;
    if (!set_room(pv, (void **)&rs->e, &rs->cap, rs->n, sizeof *rs->e))
        return NULL;
    return &rs->e[rs->n++]; /* (the caller sets every field it reads back) */
}

/* The read-set entry of one answered read: its kind, where the value came
 * from (the hint) and the account; the caller adds the value. NULL when
 * the set cannot grow. */
static inline struct read_entry *note_read(struct mvview *pv, uint8_t kind, const struct mv_read_hint *hint,
                                           const address *a)
{
    struct read_entry *r = push_read(pv);
    if (r) {
        r->kind = kind;
        r->loc = hint->loc;
        r->base = hint->base;
        r->lazy = false;
        r->addr = *a;
    }
    return r;
}

static int pv_balance(void *ctx, const address *a, u256 *out)
{
    struct mvview *pv = ctx;
    unsigned k = pv_account(pv, a);
    struct mv_read_hint hint = pv_hint(pv, k);
    int err = mvmemory_read_balance(pv->mv, a, pv->tx, out, &pv->blocking, add_dep, &pv->deps, &hint);
    pv_learn(pv, k, &hint);
    if (err)
        return err;
    struct read_entry *r = note_read(pv, R_BALANCE, &hint, a);
    if (!r)
        return PAREVM_ERR_NOMEM;
    r->v.word = *out;
    return PAREVM_OK;
}

static int pv_nonce(void *ctx, const address *a, uint64_t *nonce, bool *exists)
{
    struct mvview *pv = ctx;
    unsigned k = pv_account(pv, a);
    struct mv_read_hint hint = pv_hint(pv, k);
    int err = mvmemory_read_nonce(pv->mv, a, pv->tx, nonce, exists, &pv->blocking, add_dep, &pv->deps, &hint);
    pv_learn(pv, k, &hint);
    if (err)
        return err;
    struct read_entry *r = note_read(pv, R_NONCE, &hint, a);
    if (!r)
        return PAREVM_ERR_NOMEM;
    r->v.nonce = *nonce;
    r->flag = *exists;
    return PAREVM_OK;
}

static int pv_code(void *ctx, const address *a, struct code **out)
{
    struct mvview *pv = ctx;
    unsigned k = pv_account(pv, a);
    struct mv_read_hint hint = pv_hint(pv, k);
    int err = mvmemory_read_code(pv->mv, a, pv->tx, out, &pv->blocking, add_dep, &pv->deps, &hint);
    pv_learn(pv, k, &hint);
    if (err)
        return err;
    struct read_entry *r = note_read(pv, R_CODE, &hint, a);
    if (!r)
        return PAREVM_ERR_NOMEM;
    r->v.code = *out;
    return PAREVM_OK;
}

static int pv_storage(void *ctx, const address *a, const u256 *key, u256 *out)
{
    struct mvview *pv = ctx;
    unsigned k = pv_account(pv, a);
    struct mv_read_hint hint = pv_hint(pv, k);
    hint.addr_hash = 0; /* (a storage key hashes the whole key) */
    if (pv->clear_known && address_eq(&pv->clear_addr, a)) {
        hint.clear_known = true;
        hint.clear = pv->clear;
    }
    int err = mvmemory_read_storage(pv->mv, a, key, pv->tx, out, &pv->blocking, add_dep, &pv->deps, &hint);
    pv_learn(pv, k, &hint);
    if (err)
        return err;
    pv->clear_known = hint.clear_known;
    pv->clear_addr = *a;
    pv->clear = hint.clear;
    pv->storage_below = hint.below;
    struct read_entry *r = note_read(pv, R_STORAGE, &hint, a);
    if (!r)
        return PAREVM_ERR_NOMEM;
    r->slot = *key;
    r->v.word = *out;
    return PAREVM_OK;
}

static int pv_has_storage(void *ctx, const address *a, bool *out)
{
    struct mvview *pv = ctx;
    unsigned k = pv_account(pv, a);
    struct mv_read_hint hint = pv_hint(pv, k);
    int err = mvmemory_read_has_storage(pv->mv, a, pv->tx, out, &pv->blocking, add_dep, &pv->deps, &hint);
    pv_learn(pv, k, &hint);
    if (err)
        return err;
    struct read_entry *r = note_read(pv, R_HAS_STORAGE, &hint, a);
    if (!r)
        return PAREVM_ERR_NOMEM;
    r->flag = *out;
    return PAREVM_OK;
}

static int pv_block_hash(void *ctx, uint64_t number, hash32 *out)
{
    /* Block hashes are immutable during the block: no read to record. */
    struct mvview *pv = ctx;
    const struct block_env *env = pv->env;
    if (!env->block_hash)
        return PAREVM_ERR_MISSING;
    return env->block_hash(env->block_hash_arg, number, out);
}

/* ---- lazy storage reads (state/lazy.h) ---- */

/* From this many lower writers on, a slot is hot enough for a lazy read:
 * lazy values slow the interpreter (lazystack.h), and a slot few
 * transactions write rarely changes under a reader. */
#define PV_LAZY_MIN_WRITERS 4

static uint32_t pv_lazy_handle(void *ctx)
{
    struct mvview *pv = ctx;
    struct read_set *rs = pv->rs;
    struct read_entry *r = &rs->e[rs->n - 1]; /* the storage read just served */
    if (r->base || pv->storage_below < PV_LAZY_MIN_WRITERS)
        return 0;
    r->lazy = true;
    return (uint32_t)rs->n;
}

static void pv_lazy_exact(void *ctx, uint32_t h)
{
    ((struct mvview *)ctx)->rs->e[h - 1].lazy = false;
}

static bool pv_lazy_is_lazy(void *ctx, uint32_t h) { return ((struct mvview *)ctx)->rs->e[h - 1].lazy; }

static int pv_lazy_decide(void *ctx, uint8_t op, uint32_t ha, const u256 *a, uint32_t hb, const u256 *b,
                          bool result)
{
    struct mvview *pv = ctx;
    struct read_set *rs = pv->rs;
    uint32_t h = ha ? ha : hb;
    if (!rs->e[h - 1].lazy)
        return PAREVM_OK; /* validated by its value anyway */
    if (!set_room(pv, (void **)&rs->d, &rs->capd, rs->nd, sizeof *rs->d))
        return PAREVM_ERR_NOMEM;
    const u256 *value = &rs->e[h - 1].v.word;
    struct read_decision *d = &rs->d[rs->nd++];
    d->read = h - 1;
    d->op = op;
    d->result = result;
    d->a_read = ha != 0;
    d->b_read = hb != 0;
    d->a = ha ? u256_sub(a, value) : *a;
    d->b = hb ? u256_sub(b, value) : *b;
    return PAREVM_OK;
}

static const struct lazy_view_ops pv_lazy = {
    .handle = pv_lazy_handle,
    .exact = pv_lazy_exact,
    .is_lazy = pv_lazy_is_lazy,
    .decide = pv_lazy_decide,
};

/* The reads both sets share. */
#define PV_READS                                                                                       \
    .balance = pv_balance, .nonce = pv_nonce, .code = pv_code, .storage = pv_storage,                  \
    .has_storage = pv_has_storage, .block_hash = pv_block_hash

const struct state_view_ops mvview_ops = {PV_READS};
const struct state_view_ops mvview_lazy_ops = {PV_READS, .lazy = &pv_lazy};

bool mvview_reread(struct mvmemory *mv, uint32_t tx, const struct read_entry *r, mv_dep_fn dep, void *dep_arg)
{
    /* A read of the pre-block world holds while no version below the
     * reader appeared: no need to look at the world or compare. (Not
     * when collecting dependencies: those come from the full read.) */
    struct mv_read_hint hint = {.loc = r->loc, .base = r->base};
    if (!dep && mvmemory_still_base(mv, read_mv_kind[r->kind], &r->addr, &r->slot, tx, &hint))
        return true;
    uint32_t blocking;
    hint.base = false; /* a copy: the set is shared */
    switch (r->kind) {
    case R_BALANCE: {
        u256 v;
        return !mvmemory_read_balance(mv, &r->addr, tx, &v, &blocking, dep, dep_arg, &hint) &&
               u256_eq(&v, &r->v.word);
    }
    case R_NONCE: {
        uint64_t nonce;
        bool exists;
        return !mvmemory_read_nonce(mv, &r->addr, tx, &nonce, &exists, &blocking, dep, dep_arg, &hint) &&
               nonce == r->v.nonce && exists == r->flag;
    }
    case R_CODE: {
        struct code *code;
        return !mvmemory_read_code(mv, &r->addr, tx, &code, &blocking, dep, dep_arg, &hint) &&
               (code == r->v.code || hash32_eq(&code->hash, &r->v.code->hash));
    }
    case R_STORAGE: {
        u256 v;
        return !mvmemory_read_storage(mv, &r->addr, &r->slot, tx, &v, &blocking, dep, dep_arg, &hint) &&
               u256_eq(&v, &r->v.word);
    }
    default: {
        bool has;
        return !mvmemory_read_has_storage(mv, &r->addr, tx, &has, &blocking, dep, dep_arg, &hint) &&
               has == r->flag;
    }
    }
}

/* Validate lazy read k of rs (tx's): it holds when its value now takes
 * every decision it took the way it did. */
static bool reread_lazy(struct mvmemory *mv, uint32_t tx, const struct read_set *rs, size_t k)
{
    const struct read_entry *r = &rs->e[k];
    struct mv_read_hint hint = {.loc = r->loc, .base = r->base};
    if (mvmemory_still_base(mv, MV_STORAGE, &r->addr, &r->slot, tx, &hint))
        return true;
    hint.base = false;
    uint32_t blocking;
    u256 v;
    if (mvmemory_read_storage(mv, &r->addr, &r->slot, tx, &v, &blocking, NULL, NULL, &hint))
        return false;
    if (u256_eq(&v, &r->v.word))
        return true;
    for (size_t i = 0; i < rs->nd; i++) {
        const struct read_decision *d = &rs->d[i];
        if (d->read != k)
            continue;
        u256 a = d->a_read ? u256_add(&v, &d->a) : d->a;
        u256 b = d->b_read ? u256_add(&v, &d->b) : d->b;
        if (lazy_eval(d->op, &a, &b) != d->result)
            return false;
    }
    return true;
}

bool mvview_validate(struct mvmemory *mv, uint32_t tx, const struct read_set *rs, size_t *failed)
{
    for (size_t i = 0; i < rs->n; i++)
        if (!(rs->e[i].lazy ? reread_lazy(mv, tx, rs, i) : mvview_reread(mv, tx, &rs->e[i], NULL, NULL)))
            return *failed = i, false;
    return true;
}
