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

static struct read_entry *push_read(struct mvview *pv)
{
    struct read_set *rs = pv->rs;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 8;
        struct read_entry *e;
        if (rs->in_arena) {
            /* the old array stays in the arena until the block ends */
            e = arena_alloc(pv->arena, cap * sizeof *e);
            if (e && rs->n)
                memcpy(e, rs->e, rs->n * sizeof *e);
        } else {
            e = realloc(rs->e, cap * sizeof *e);
        }
        if (!e)
            return NULL;
        rs->e = e;
        rs->cap = cap;
    }
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

const struct state_view_ops mvview_ops = {
    .balance = pv_balance,
    .nonce = pv_nonce,
    .code = pv_code,
    .storage = pv_storage,
    .has_storage = pv_has_storage,
    .block_hash = pv_block_hash,
};

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

bool mvview_validate(struct mvmemory *mv, uint32_t tx, const struct read_set *rs, size_t *failed)
{
    for (size_t i = 0; i < rs->n; i++)
        if (!mvview_reread(mv, tx, &rs->e[i], NULL, NULL))
            return *failed = i, false;
    return true;
}
