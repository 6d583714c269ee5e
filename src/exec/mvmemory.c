/* mvmemory.c — multi-version memory for parallel execution (Block-STM). */
#include "mvmemory.h"

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/hashmap.h"
#include "../base/invariant.h"
#include "../base/scratch.h"
#include "chaos.h"

enum { V_VALUE = 0, V_DELTA = 1, V_ESTIMATE = 2 };

/* 40 bytes: which member holds the value follows from the location's
 * kind (version_set / version_get). */
struct mv_version {
    uint32_t tx;
    uint8_t flag;
    bool exists; /* nonce versions */
    union {
        u256 word; /* balance (the delta for V_DELTA) or storage value */
        uint64_t nonce;
        struct code *code;
    } u;
};

/* Most locations get one or two versions in a block: those live inside
 * the location, and only longer lists are allocated. */
#define MV_INLINE_VERSIONS 2

/* Longest probe run in the lock-free index; a key whose run is full
 * lives in its shard's map. */
#define MV_INDEX_PROBES 64

/* One transaction's write of the beneficiary balance. A sequence lock:
 * the writer makes seq odd, stores, makes it even; a reader retries until
 * it saw the same even seq before and after. Writers of one entry are
 * serialized by the scheduler (an incarnation records, or a validator
 * marks it ESTIMATE after it finished, never both at once). */
enum { FEE_NONE = 3 };
struct mv_fee {
    atomic_uint seq;
    atomic_uchar flag; /* FEE_NONE, V_VALUE, V_DELTA or V_ESTIMATE */
    _Atomic uint64_t word[4];
};

static void fee_store(struct mv_fee *f, uint8_t flag, const u256 *word)
{
    unsigned s = atomic_load_explicit(&f->seq, memory_order_relaxed);
    atomic_store_explicit(&f->seq, s + 1, memory_order_relaxed);
    /* release fence: the odd seq is visible before any of the new data */
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&f->flag, flag, memory_order_relaxed);
    for (int k = 0; k < 4; k++)
        atomic_store_explicit(&f->word[k], word ? word->w[k] : 0, memory_order_relaxed);
    /* release: the data before the even seq */
    atomic_store_explicit(&f->seq, s + 2, memory_order_release);
}

static uint8_t fee_load(struct mv_fee *f, u256 *word)
{
    for (unsigned spins = 0;; spins++) {
        /* acquire: pairs with the writer's final release */
        unsigned s1 = atomic_load_explicit(&f->seq, memory_order_acquire);
        if (s1 & 1) {
            if (spins >= 64)
                sched_yield();
            continue;
        }
        uint8_t flag = atomic_load_explicit(&f->flag, memory_order_relaxed);
        for (int k = 0; k < 4; k++)
            word->w[k] = atomic_load_explicit(&f->word[k], memory_order_relaxed);
        /* acquire fence: the data loads complete before seq is re-read */
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&f->seq, memory_order_relaxed) == s1)
            return flag;
    }
}

/* What a storage read resolves to from versions[0..k] (see sums_resolve). */
struct mv_sum {
    u256 word;       /* found: the value; else the deltas' sum */
    uint32_t writer; /* found: the value's writer */
    bool found;      /* a value, plus the deltas above it */
};

struct mv_location {
    struct mv_key key;
    uint64_t hash;               /* of key */
    atomic_flag lock;            /* guards versions/count/cap, sums */
    struct mv_version *versions; /* sorted by tx; == inline_versions or malloc'd */
    uint32_t count, cap;
    /* A storage slot's long list of versions (lazy reads' deltas, state/
     * lazy.h) caches what each prefix resolves to: sums[k] for
     * versions[0..k], current for k < sums_valid (malloc'd, cap entries;
     * NULL: none). A read of a slot thousands of transactions add to
     * would otherwise walk all their deltas. */
    struct mv_sum *sums;
    uint32_t sums_cap, sums_valid;
    struct mv_version inline_versions[MV_INLINE_VERSIONS];
};

/* From this many versions on, a storage slot caches its sums. */
#define MV_SUMS_MIN 8

/* A change at index k: the sums from there on are stale. Caller holds
 * the location lock. */
static inline void sums_stale(struct mv_location *l, uint32_t k)
{
    if (l->sums_valid > k)
        l->sums_valid = k;
}

/* Locations are carved from slabs (one allocation per 64 locations, all
 * freed together at the end of the block). */
#define MV_SLAB_LOCATIONS 64
struct mv_slab {
    struct mv_slab *next;
    size_t used;
    struct mv_location locs[MV_SLAB_LOCATIONS];
};

/* Slabs outlive the block in the environment's cache (mvmemory.h). */
int mv_slab_cache_init(struct mv_slab_cache *c)
{
    memset(c, 0, sizeof *c);
    return pthread_mutex_init(&c->lock, NULL) ? PAREVM_ERR_NOMEM : PAREVM_OK;
}

void mv_slab_cache_destroy(struct mv_slab_cache *c)
{
    for (struct mv_slab *slab = c->list, *next; slab; slab = next) {
        next = slab->next;
        free(slab);
    }
    c->list = NULL;
    c->count = 0;
    pthread_mutex_destroy(&c->lock);
}

static struct mv_slab *slab_get(struct mv_slab_cache *c)
{
    pthread_mutex_lock(&c->lock);
    struct mv_slab *slab = c->list;
    if (slab) {
        c->list = slab->next;
        c->count--;
    }
    pthread_mutex_unlock(&c->lock);
    return slab ? slab : malloc(sizeof *slab);
}

static void slab_put(struct mv_slab_cache *c, struct mv_slab *slab)
{
    pthread_mutex_lock(&c->lock);
    if (c->count < MV_SLAB_CACHE_MAX) {
        slab->next = c->list;
        c->list = slab;
        c->count++;
        slab = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(slab);
}

struct mv_shard {
    pthread_mutex_t lock;    /* guards map and graveyard */
    struct hmap map;         /* mv_key -> struct mv_location * (overflow) */
    struct code **graveyard; /* every code object ever published: released at the end */
    size_t graveyard_count, graveyard_cap;
};

static inline void loc_lock(struct mv_location *l)
{
    /* acquire: the version list written under the lock is visible to us.
     * Spin briefly, then yield: with more threads than cores the holder
     * may be preempted, and spinning would only delay it. */
    for (unsigned spins = 0; atomic_flag_test_and_set_explicit(&l->lock, memory_order_acquire); spins++)
        if (spins >= 64)
            sched_yield();
}

static inline void loc_unlock(struct mv_location *l)
{
    /* release: publish our version-list changes to the next holder */
    atomic_flag_clear_explicit(&l->lock, memory_order_release);
}

int mvmemory_init(struct mvmemory *mv, const struct world *base, size_t tx_count, const address *beneficiary,
                  size_t locations, struct scratch_cache *scratch, struct mv_slab_cache *slabs)
{
    memset(mv, 0, sizeof *mv);
    mv->scratch = scratch;
    mv->slab_cache = slabs;
    mv->base = base;
    mv->tx_count = tx_count;
    if (beneficiary)
        mv->beneficiary = *beneficiary;
    mv->fees = scratch_get(mv->scratch, (tx_count ? tx_count : 1) * sizeof *mv->fees);
    if (!mv->fees)
        return PAREVM_ERR_NOMEM;
    for (size_t i = 0; i < tx_count; i++) {
        atomic_init(&mv->fees[i].seq, 0);
        atomic_init(&mv->fees[i].flag, FEE_NONE);
        for (int k = 0; k < 4; k++)
            atomic_init(&mv->fees[i].word[k], 0);
    }
    /* The lock-free index: the expected locations fill at most two
     * thirds of it. No bigger: every probe is a likely cache miss, and
     * misses cost less in a smaller array. */
    size_t cap = 1024;
    while (cap < locations + locations / 2 && cap < ((size_t)1 << 26))
        cap *= 2;
    /* Kept across blocks (scratch): mvmemory_free clears the slots it
     * used, so a reuse costs neither page faults nor a memset. */
    mv->index = scratch_get(mv->scratch, cap * sizeof *mv->index);
    mv->index_tags = scratch_get(mv->scratch, cap * sizeof *mv->index_tags);
    mv->shard_count = 256;
    mv->shards = calloc(mv->shard_count, sizeof *mv->shards);
    if (!mv->shards || !mv->index || !mv->index_tags) {
        scratch_put(mv->scratch, mv->fees, tx_count * sizeof *mv->fees, false);
        free(mv->shards);
        scratch_put(mv->scratch, (void *)mv->index, cap * sizeof *mv->index, true);
        scratch_put(mv->scratch, (void *)mv->index_tags, cap * sizeof *mv->index_tags, true);
        memset(mv, 0, sizeof *mv);
        return PAREVM_ERR_NOMEM;
    }
    mv->index_mask = cap - 1;
    static atomic_uint_fast64_t generations;
    mv->generation = atomic_fetch_add_explicit(&generations, 1, memory_order_relaxed) + 1;
    atomic_init(&mv->slabs, NULL);
    atomic_init(&mv->overflow, false);
    atomic_init(&mv->changes, 0);
    atomic_init(&mv->grown, false);
    atomic_init(&mv->code_created, false);
    atomic_init(&mv->clear_created, false);
    for (size_t i = 0; i < mv->shard_count; i++) {
        pthread_mutex_init(&mv->shards[i].lock, NULL);
        hmap_init(&mv->shards[i].map, sizeof(struct mv_key), sizeof(struct mv_location *));
    }
    return PAREVM_OK;
}

/* Empty l's index slot, if it has one: the index goes back to the
 * scratch cache all zero, without a memset of the whole array. */
static void index_clear(struct mvmemory *mv, const struct mv_location *l)
{
    for (size_t n = 0, i = (size_t)l->hash & mv->index_mask; n < MV_INDEX_PROBES && n <= mv->index_mask;
         n++, i = (i + 1) & mv->index_mask)
        if (atomic_load_explicit(&mv->index[i], memory_order_relaxed) == l) {
            atomic_store_explicit(&mv->index[i], NULL, memory_order_relaxed);
            atomic_store_explicit(&mv->index_tags[i], 0, memory_order_relaxed);
            return;
        }
}

void mvmemory_free(struct mvmemory *mv)
{
    scratch_put(mv->scratch, mv->fees, mv->tx_count * sizeof *mv->fees, false);
    mv->fees = NULL;
    if (!mv->shards)
        return;
    /* Every location came from a slab (those in the index, those in the
     * overflow maps, and racers' unused ones). */
    size_t cap = mv->index_mask + 1, locations = 0;
    for (struct mv_slab *slab = atomic_load_explicit(&mv->slabs, memory_order_relaxed); slab;
         slab = slab->next)
        locations += slab->used;
    bool clear_each = locations < cap / 8; /* else one memset is cheaper */
    /* Each location is visited only to free a version list that grew out
     * of it, or to clear its index slot: a block of many locations with
     * none grown skips them (one more pass over megabytes of them). */
    bool visit = clear_each || atomic_load_explicit(&mv->grown, memory_order_relaxed);
    for (struct mv_slab *slab = atomic_load_explicit(&mv->slabs, memory_order_relaxed), *next; slab;
         slab = next) {
        next = slab->next;
        for (size_t k = 0; visit && k < slab->used; k++) {
            struct mv_location *l = &slab->locs[k];
            if (l->versions != l->inline_versions)
                free(l->versions);
            free(l->sums); /* (only where the versions grew) */
            if (clear_each)
                index_clear(mv, l);
        }
        slab_put(mv->slab_cache, slab);
    }
    if (!clear_each) {
        memset((void *)mv->index, 0, cap * sizeof *mv->index);
        memset((void *)mv->index_tags, 0, cap * sizeof *mv->index_tags);
    }
    scratch_put(mv->scratch, (void *)mv->index, cap * sizeof *mv->index, true);
    scratch_put(mv->scratch, (void *)mv->index_tags, cap * sizeof *mv->index_tags, true);
    for (size_t i = 0; i < mv->shard_count; i++) {
        struct mv_shard *s = &mv->shards[i];
        hmap_free(&s->map);

        for (size_t g = 0; g < s->graveyard_count; g++)
            code_release(s->graveyard[g]);
        free(s->graveyard);
        pthread_mutex_destroy(&s->lock);
    }
    free(mv->shards);
    memset(mv, 0, sizeof *mv);
}

/* A key's hash. An account's balance, nonce, code and clear keys take
 * bits 3..31 (the index position) from the address alone and the kind as
 * bits 0..2: their index slots share a cache line, so a transaction that
 * reads an account's nonce, balance and code misses once, not three
 * times. The kind is mixed into the high bits too (tags, shards). Storage
 * keys hash the whole key, so one contract's slots spread over the index. */
static inline uint64_t account_key_hash(uint64_t addr_hash, unsigned kind)
{
    uint64_t high = (addr_hash ^ ((uint64_t)(kind + 1) * 0x9E3779B97F4A7C15u)) & 0xFFFFFFFF00000000u;
    return high | (addr_hash & 0xFFFFFFF8u) | kind;
}

static inline uint64_t address_hash(const address *a)
{
    return hmap_hash_bytes(a, sizeof *a);
}

static uint64_t key_hash(const struct mv_key *key)
{
    if (key->kind == MV_STORAGE)
        return hmap_hash_bytes(key, sizeof *key);
    return account_key_hash(address_hash(&key->addr), key->kind);
}

static struct mv_shard *shard_of(struct mvmemory *mv, uint64_t hash)
{
    /* The high bits: the shard's map indexes by the low ones, which would
     * otherwise be the same for every key of a shard. */
    return &mv->shards[(hash >> 48) & (mv->shard_count - 1)];
}

/* The index slot holding key, or the empty slot where it would go (NULL
 * when the first MV_INDEX_PROBES slots hold other keys: then the key
 * belongs to the overflow maps, and always will, as slots never empty). */
static inline uint16_t index_tag(uint64_t hash)
{
    return (uint16_t)((hash >> 32) | 1);
}

static _Atomic(struct mv_location *) *index_probe(struct mvmemory *mv, const struct mv_key *key,
                                                  uint64_t hash, struct mv_location **found)
{
    *found = NULL;
    uint16_t tag = index_tag(hash);
    for (size_t n = 0, i = (size_t)hash & mv->index_mask; n < MV_INDEX_PROBES && n <= mv->index_mask;
         n++, i = (i + 1) & mv->index_mask) {
        /* acquire: a published location's key and hash are visible */
        struct mv_location *l = atomic_load_explicit(&mv->index[i], memory_order_acquire);
        if (!l)
            return &mv->index[i];
        /* The slot's tag, when already written (0: not yet), rules out
         * most other keys without touching their location's cache line.
         * relaxed: a stale 0 only means a full comparison. */
        uint16_t t = atomic_load_explicit(&mv->index_tags[i], memory_order_relaxed);
        if (t && t != tag)
            continue;
        if (l->hash == hash && memcmp(&l->key, key, sizeof *key) == 0) {
            *found = l;
            return &mv->index[i];
        }
    }
    return NULL;
}

/* The location for key, or NULL when nobody ever wrote it. Lock-free
 * unless the index overflowed into the shards' maps. */
static struct mv_location *find_hashed(struct mvmemory *mv, const struct mv_key *key, uint64_t hash)
{
    struct mv_location *l;
    index_probe(mv, key, hash, &l);
    /* acquire: pairs with the release that set overflow before the
     * first overflowing insert */
    if (l || !atomic_load_explicit(&mv->overflow, memory_order_acquire))
        return l;
    struct mv_shard *s = shard_of(mv, hash);
    pthread_mutex_lock(&s->lock);
    struct mv_location **p = hmap_get(&s->map, key);
    l = p ? *p : NULL;
    pthread_mutex_unlock(&s->lock);
    return l;
}

static struct mv_location *find(struct mvmemory *mv, const struct mv_key *key)
{
    return find_hashed(mv, key, key_hash(key));
}

uint64_t mvmemory_address_hash(const address *a)
{
    uint64_t h = address_hash(a);
    return h ? h : 1; /* the same index position and shard as 0 (bits 3..31, 48..) */
}

/* Each thread carves locations from a slab of its own (no lock); a new
 * slab is pushed on the block's list by CAS, for mvmemory_free. */
static _Thread_local struct {
    uint64_t generation; /* of the mvmemory the slab belongs to */
    struct mv_slab *slab;
} thread_slab;

static struct mv_location *new_location(struct mvmemory *mv, const struct mv_key *key, uint64_t hash)
{
    struct mv_slab *slab = thread_slab.slab;
    if (thread_slab.generation != mv->generation || !slab || slab->used == MV_SLAB_LOCATIONS) {
        slab = slab_get(mv->slab_cache);
        if (!slab)
            return NULL;
        slab->used = 0;
        slab->next = atomic_load_explicit(&mv->slabs, memory_order_relaxed);
        /* relaxed: the list is only walked after the workers are joined */
        while (!atomic_compare_exchange_weak_explicit(&mv->slabs, &slab->next, slab, memory_order_relaxed,
                                                      memory_order_relaxed))
            ;
        thread_slab.generation = mv->generation;
        thread_slab.slab = slab;
    }
    struct mv_location *l = &slab->locs[slab->used++];
    memset(l, 0, offsetof(struct mv_location, inline_versions));
    l->key = *key;
    l->hash = hash;
    /* relaxed: the location is published by the index's release CAS or
     * the shard lock */
    atomic_flag_clear_explicit(&l->lock, memory_order_relaxed);
    l->versions = l->inline_versions;
    l->cap = MV_INLINE_VERSIONS;
    return l;
}

/* The flag of the kinds whose reads look for a location only once one
 * was created (NULL: every kind else). */
static atomic_bool *created_flag(struct mvmemory *mv, unsigned kind)
{
    return kind == MV_CODE ? &mv->code_created : kind == MV_CLEAR ? &mv->clear_created : NULL;
}

/* No location of the key's kind was created yet: a look-up would find
 * none. (A creation racing with it is as if it came after the read, which
 * the read's validation sees: the flag is set before the location is
 * published, and validation follows the writer's record.) */
static inline bool none_created(struct mvmemory *mv, unsigned kind)
{
    atomic_bool *f = created_flag(mv, kind);
    /* acquire: pairs with the release in location_hashed */
    return f && !atomic_load_explicit(f, memory_order_acquire);
}

/* mvmemory_location with the key's hash already known. */
static struct mv_location *location_hashed(struct mvmemory *mv, const struct mv_key *key, uint64_t hash)
{
    atomic_bool *created = created_flag(mv, key->kind);
    if (created && !atomic_load_explicit(created, memory_order_relaxed))
        atomic_store_explicit(created, true, memory_order_release); /* before the location is published */
    struct mv_location *l;
    _Atomic(struct mv_location *) *slot = index_probe(mv, key, hash, &l);
    if (l)
        return l;
    if (slot) {
        /* Lock-free insert: claim the first empty slot by CAS. Whoever
         * races for the same key stops at the same first empty slot, so
         * one wins and the others find its location on the re-probe (and
         * leave theirs unused in the slab). */
        struct mv_location *created = new_location(mv, key, hash);
        if (!created)
            return NULL;
        while (slot) {
            struct mv_location *expected = NULL;
            /* release: the location's contents before its pointer */
            if (atomic_compare_exchange_strong_explicit(slot, &expected, created, memory_order_release,
                                                        memory_order_acquire)) {
                atomic_store_explicit(&mv->index_tags[slot - mv->index], index_tag(hash),
                                      memory_order_relaxed);
                return created;
            }
            slot = index_probe(mv, key, hash, &l);
            if (l)
                return l;
        }
    }
    /* The key's probe run is full: it lives in its shard's map. */
    struct mv_shard *s = shard_of(mv, hash);
    pthread_mutex_lock(&s->lock);
    struct mv_location **p = hmap_get(&s->map, key);
    if (p) {
        l = *p;
    } else {
        /* release: readers that see overflow set look in the maps */
        atomic_store_explicit(&mv->overflow, true, memory_order_release);
        bool inserted;
        p = hmap_put(&s->map, key, &inserted);
        l = p ? new_location(mv, key, hash) : NULL;
        if (l)
            *p = l;
        else if (p)
            hmap_remove(&s->map, key);
    }
    pthread_mutex_unlock(&s->lock);
    return l;
}

struct mv_location *mvmemory_location(struct mvmemory *mv, const struct mv_key *key)
{
    return location_hashed(mv, key, key_hash(key));
}

/* A version's value into v (the member its location's kind uses), and back. */
static inline void version_set(const struct mv_location *l, struct mv_version *ver, const struct mv_value *v)
{
    switch (l->key.kind) {
    case MV_NONCE:
        ver->u.nonce = v->nonce;
        ver->exists = v->exists;
        break;
    case MV_CODE:
        ver->u.code = v->code;
        break;
    case MV_CLEAR:
        break;
    default: /* balance, storage */
        ver->u.word = v->word;
    }
}

static inline void version_get(const struct mv_location *l, const struct mv_version *ver, struct mv_value *v)
{
    memset(v, 0, sizeof *v);
    switch (l->key.kind) {
    case MV_NONCE:
        v->nonce = ver->u.nonce;
        v->exists = ver->exists;
        break;
    case MV_CODE:
        v->code = ver->u.code;
        break;
    case MV_CLEAR:
        break;
    default:
        v->word = ver->u.word;
    }
}

/* Index of the first version with tx >= reader (versions below it are
 * the ones a reader sees). Caller holds the location lock. */
static uint32_t lower_bound(const struct mv_location *l, uint32_t reader)
{
    uint32_t lo = 0, hi = l->count;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (l->versions[mid].tx < reader)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* resolve for a storage slot of many versions, from its cached sums
 * (extended as far as the reader needs; top: the versions below it): true when it answered, false
 * when an ESTIMATE or no memory stops it (resolve walks the versions
 * then). The same answer and dependencies as the walk: a storage delta's
 * writer is no dependency. Caller holds the location lock. */
static bool sums_resolve(struct mv_location *l, uint32_t top, struct mv_value *out, u256 *delta, bool *found,
                         bool *any, uint32_t *writer, mv_dep_fn dep, void *dep_arg)
{
    if (top == 0)
        return false; /* nothing below: the walk is as short */
    top--;
    if (l->sums_cap < l->count) {
        uint32_t cap = l->cap;
        struct mv_sum *p = realloc(l->sums, cap * sizeof *p);
        if (!p)
            return false;
        l->sums = p;
        l->sums_cap = cap;
    }
    for (uint32_t k = l->sums_valid; k <= top; k++) {
        const struct mv_version *v = &l->versions[k];
        struct mv_sum *s = &l->sums[k];
        if (v->flag == V_ESTIMATE)
            return false;
        if (v->flag == V_VALUE) {
            s->word = v->u.word;
            s->writer = v->tx;
            s->found = true;
        } else if (k == 0) {
            s->word = v->u.word;
            s->writer = 0;
            s->found = false;
        } else {
            s->word = u256_add(&l->sums[k - 1].word, &v->u.word);
            s->writer = l->sums[k - 1].writer;
            s->found = l->sums[k - 1].found;
        }
        l->sums_valid = k + 1;
    }
    const struct mv_sum *s = &l->sums[top];
    *any = true;
    if (s->found) {
        memset(out, 0, sizeof *out);
        out->word = s->word;
        *found = true;
        *writer = s->writer;
        if (dep)
            dep(dep_arg, s->writer);
    } else {
        *delta = s->word;
    }
    return true;
}

/* Resolve location l (NULL: none) for reader from the versions of
 * transactions floor .. reader-1 (a storage read: those from the
 * account's last clear on). *found: a version decided it (else the
 * caller uses the base world, or zero after a clear, adding *delta:
 * balances and storage). *any: some version below the reader took part.
 * *writer: the deciding version's tx. *below (optional): how many
 * versions the location has below the reader. */
static int resolve(struct mv_location *l, uint32_t reader, uint32_t floor, struct mv_value *out, u256 *delta,
                   bool *found, bool *any, uint32_t *writer, uint32_t *blocking, mv_dep_fn dep, void *dep_arg,
                   uint32_t *below)
{
    *found = false;
    *any = false;
    if (delta)
        *delta = u256_zero();
    if (below)
        *below = 0;
    CHAOS_POINT();
    if (!l)
        return PAREVM_OK;
    int err = PAREVM_OK;
    loc_lock(l);
    uint32_t n = lower_bound(l, reader);
    if (below)
        *below = n;
    if (floor == 0 && l->count >= MV_SUMS_MIN && l->key.kind == MV_STORAGE &&
        sums_resolve(l, n, out, delta, found, any, writer, dep, dep_arg)) {
        loc_unlock(l);
        return PAREVM_OK;
    }
    for (uint32_t i = n; i-- > 0;) {
        const struct mv_version *v = &l->versions[i];
        if (v->tx < floor)
            break;
        if (v->flag == V_ESTIMATE) {
            *blocking = v->tx;
            err = PAREVM_ERR_BLOCKED;
            break;
        }
        *any = true;
        if (v->flag == V_DELTA) {
            /* A storage delta's writer is no dependency of a reader that
             * only adds to the slot too (state/lazy.h); the value's
             * writer below is. (A balance delta's is.) */
            if (dep && l->key.kind != MV_STORAGE)
                dep(dep_arg, v->tx);
            *delta = u256_add(delta, &v->u.word);
            continue;
        }
        if (dep)
            dep(dep_arg, v->tx);
        version_get(l, v, out);
        *found = true;
        *writer = v->tx;
        break;
    }
    loc_unlock(l);
    return err;
}

/* The beneficiary's balance for reader: the newest absolute write below
 * it plus the deltas above that write. */
static int read_beneficiary(struct mvmemory *mv, uint32_t reader, u256 *out, uint32_t *blocking,
                            mv_dep_fn dep, void *dep_arg)
{
    u256 delta = u256_zero(), base, word;
    bool found = false;
    for (uint32_t j = reader; j-- > 0;) {
        uint8_t flag = fee_load(&mv->fees[j], &word);
        CHAOS_POINT();
        if (flag == FEE_NONE)
            continue;
        if (flag == V_ESTIMATE) {
            *blocking = j;
            return PAREVM_ERR_BLOCKED;
        }
        if (dep)
            dep(dep_arg, j);
        if (flag == V_DELTA) {
            delta = u256_add(&delta, &word);
            continue;
        }
        base = word;
        found = true;
        break;
    }
    if (!found) {
        const struct world_account *acct = world_get(mv->base, &mv->beneficiary);
        base = acct ? acct->balance : u256_zero();
    }
    *out = u256_add(&base, &delta);
    return PAREVM_OK;
}

static inline bool is_beneficiary(const struct mvmemory *mv, const address *a)
{
    return memcmp(a->bytes, mv->beneficiary.bytes, sizeof a->bytes) == 0;
}

/* The location of key: the one a hint remembers, or the index's. */
static struct mv_location *locate(struct mvmemory *mv, enum mv_kind kind, const address *a, const u256 *slot,
                                  const struct mv_read_hint *hint)
{
    if (hint && hint->loc)
        return hint->loc;
    if (none_created(mv, kind))
        return NULL;
    struct mv_key key = mv_key_make(a, kind, slot);
    if (kind != MV_STORAGE && hint && hint->addr_hash)
        return find_hashed(mv, &key, account_key_hash(hint->addr_hash, kind));
    return find(mv, &key);
}

/* The read's account in the pre-block world (hint.acct). */
static const struct world_account *base_account(struct mvmemory *mv, const address *a,
                                                struct mv_read_hint *hint)
{
    if (hint && hint->acct_known)
        return hint->acct;
    const struct world_account *acct = world_get(mv->base, a);
    if (hint) {
        hint->acct = acct;
        hint->acct_known = true;
    }
    return acct;
}

static void hint_set(struct mv_read_hint *hint, struct mv_location *l, bool base)
{
    if (hint) {
        hint->loc = l;
        hint->base = base;
    }
}

int mvmemory_read_balance(struct mvmemory *mv, const address *a, uint32_t reader, u256 *out,
                          uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint)
{
    if (is_beneficiary(mv, a)) {
        hint_set(hint, NULL, false); /* its own entries, no location */
        return read_beneficiary(mv, reader, out, blocking, dep, dep_arg);
    }
    struct mv_location *l = locate(mv, MV_BALANCE, a, NULL, hint);
    struct mv_value v;
    u256 delta;
    bool found, any;
    uint32_t writer;
    int err = resolve(l, reader, 0, &v, &delta, &found, &any, &writer, blocking, dep, dep_arg, NULL);
    if (err)
        return err;
    hint_set(hint, l, !any);
    u256 base;
    if (found) {
        base = v.word;
    } else {
        const struct world_account *acct = base_account(mv, a, hint);
        base = acct ? acct->balance : u256_zero();
    }
    *out = u256_add(&base, &delta);
    return PAREVM_OK;
}

int mvmemory_read_nonce(struct mvmemory *mv, const address *a, uint32_t reader, uint64_t *nonce, bool *exists,
                        uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint)
{
    struct mv_location *l = locate(mv, MV_NONCE, a, NULL, hint);
    struct mv_value v;
    bool found, any;
    uint32_t writer;
    int err = resolve(l, reader, 0, &v, NULL, &found, &any, &writer, blocking, dep, dep_arg, NULL);
    if (err)
        return err;
    hint_set(hint, l, !any);
    if (found) {
        *nonce = v.nonce;
        *exists = v.exists;
    } else {
        const struct world_account *acct = base_account(mv, a, hint);
        *nonce = acct ? acct->nonce : 0;
        *exists = acct != NULL;
    }
    return PAREVM_OK;
}

int mvmemory_read_code(struct mvmemory *mv, const address *a, uint32_t reader, struct code **out,
                       uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint)
{
    struct mv_location *l = locate(mv, MV_CODE, a, NULL, hint);
    struct mv_value v;
    bool found, any;
    uint32_t writer;
    int err = resolve(l, reader, 0, &v, NULL, &found, &any, &writer, blocking, dep, dep_arg, NULL);
    if (err)
        return err;
    hint_set(hint, l, !any);
    if (found) {
        *out = v.code;
    } else {
        const struct world_account *acct = base_account(mv, a, hint);
        *out = acct ? acct->code : code_empty();
    }
    return PAREVM_OK;
}

/* The highest transaction below reader that cleared a's storage (its
 * location: clear, or NULL to look it up). */
static int last_clear(struct mv_location *clear, uint32_t reader, bool *found, uint32_t *clearer,
                      uint32_t *blocking, mv_dep_fn dep, void *dep_arg)
{
    struct mv_value v;
    bool any;
    return resolve(clear, reader, 0, &v, NULL, found, &any, clearer, blocking, dep, dep_arg, NULL);
}

int mvmemory_read_storage(struct mvmemory *mv, const address *a, const u256 *slot, uint32_t reader, u256 *out,
                          uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint)
{
    struct mv_location *l = locate(mv, MV_STORAGE, a, slot, hint);
    struct mv_value v;
    u256 delta;
    bool found, any, cleared = false;
    uint32_t writer = 0, clearer = 0;
    struct mv_location *clear = hint && hint->clear_known ? hint->clear : locate(mv, MV_CLEAR, a, NULL, NULL);
    int err = last_clear(clear, reader, &cleared, &clearer, blocking, dep, dep_arg);
    if (!err && hint) {
        hint->clear = clear;
        hint->clear_known = true;
    }
    /* A clear wins over the slot's older writes; within one transaction
     * the clear comes first (write_set_apply's order), so the floor
     * keeps the clearer's own. Deltas: lazy reads' (state/lazy.h). */
    if (!err)
        err = resolve(l, reader, cleared ? clearer : 0, &v, &delta, &found, &any, &writer, blocking, dep,
                      dep_arg, hint ? &hint->below : NULL);
    if (err)
        return err;
    hint_set(hint, l, !any && !cleared);
    u256 base;
    if (found) {
        base = v.word;
    } else if (cleared) {
        base = u256_zero();
    } else {
        const struct world_account *acct = base_account(mv, a, hint);
        base = acct ? world_get_storage(acct, slot) : u256_zero();
    }
    *out = u256_add(&base, &delta);
    return PAREVM_OK;
}

int mvmemory_read_has_storage(struct mvmemory *mv, const address *a, uint32_t reader, bool *out,
                              uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint)
{
    struct mv_location *l = locate(mv, MV_CLEAR, a, NULL, hint);
    bool cleared;
    uint32_t clearer;
    int err = last_clear(l, reader, &cleared, &clearer, blocking, dep, dep_arg);
    if (err)
        return err;
    hint_set(hint, l, !cleared);
    const struct world_account *acct = base_account(mv, a, hint);
    *out = !cleared && acct && world_account_has_storage(acct);
    return PAREVM_OK;
}

/* Whether l (NULL: none) has no version below reader. */
static bool none_below(struct mv_location *l, uint32_t reader)
{
    if (!l)
        return true;
    loc_lock(l);
    bool none = lower_bound(l, reader) == 0;
    loc_unlock(l);
    return none;
}

bool mvmemory_still_base(struct mvmemory *mv, enum mv_kind kind, const address *a, const u256 *slot,
                         uint32_t reader, const struct mv_read_hint *hint)
{
    if (!hint || !hint->base || (kind == MV_BALANCE && is_beneficiary(mv, a)))
        return false;
    if (!none_below(locate(mv, kind, a, kind == MV_STORAGE ? slot : NULL, hint), reader))
        return false;
    /* a storage read also saw no clear of the account below it */
    return kind != MV_STORAGE || none_below(locate(mv, MV_CLEAR, a, NULL, NULL), reader);
}

/* ---- writes ---- */

/* Keep a reference to code c until the memory is freed (a reader may
 * still hold the version that names it). Called before the version is
 * published: on NOMEM nothing was published, and the run fails cleanly. */
static int keep_code(struct mvmemory *mv, uint64_t hash, struct code *c)
{
    struct mv_shard *s = shard_of(mv, hash);
    pthread_mutex_lock(&s->lock);
    if (s->graveyard_count == s->graveyard_cap) {
        size_t cap = s->graveyard_cap ? s->graveyard_cap * 2 : 8;
        struct code **g = realloc(s->graveyard, cap * sizeof *g);
        if (!g) {
            pthread_mutex_unlock(&s->lock);
            return PAREVM_ERR_NOMEM;
        }
        s->graveyard = g;
        s->graveyard_cap = cap;
    }
    s->graveyard[s->graveyard_count++] = code_retain(c);
    pthread_mutex_unlock(&s->lock);
    return PAREVM_OK;
}

/* Insert or replace tx's version in l. */
static int put_version(struct mvmemory *mv, struct mv_location *l, uint32_t tx, uint8_t flag,
                       const struct mv_value *v)
{
    CHAOS_POINT();
    loc_lock(l);
    uint32_t i = lower_bound(l, tx);
    sums_stale(l, i);
    if (i < l->count && l->versions[i].tx == tx) {
        l->versions[i].flag = flag;
        version_set(l, &l->versions[i], v);
        loc_unlock(l);
        return PAREVM_OK;
    }
    if (l->count == l->cap) {
        uint32_t cap = l->cap * 2;
        bool was_inline = l->versions == l->inline_versions;
        struct mv_version *nv = realloc(was_inline ? NULL : l->versions, cap * sizeof *nv);
        if (!nv) {
            loc_unlock(l);
            return PAREVM_ERR_NOMEM;
        }
        if (was_inline) {
            memcpy(nv, l->inline_versions, sizeof l->inline_versions);
            /* relaxed: read after the workers are joined */
            atomic_store_explicit(&mv->grown, true, memory_order_relaxed);
        }
        l->versions = nv;
        l->cap = cap;
    }
    if (i < l->count) /* (most versions go last: no call for nothing) */
        memmove(&l->versions[i + 1], &l->versions[i], (l->count - i) * sizeof *l->versions);
    l->versions[i].tx = tx;
    l->versions[i].flag = flag;
    version_set(l, &l->versions[i], v);
    l->count++;
    /* versions stay sorted by tx, one per tx: lower_bound relies on it */
    PAREVM_ASSERT((i == 0 || l->versions[i - 1].tx < tx) &&
                  (i + 1 == l->count || l->versions[i + 1].tx > tx));
    loc_unlock(l);
    return PAREVM_OK;
}

static void remove_version(struct mv_location *l, uint32_t tx)
{
    loc_lock(l);
    uint32_t i = lower_bound(l, tx);
    sums_stale(l, i);
    if (i < l->count && l->versions[i].tx == tx) {
        memmove(&l->versions[i], &l->versions[i + 1], (l->count - i - 1) * sizeof *l->versions);
        l->count--;
    }
    loc_unlock(l);
}

/* Lists start in the record's stack buffer (cap = MV_RECORD_INLINE,
 * locs = that buffer, in_arena false) and move to the heap past it. */
#define MV_RECORD_INLINE 32
static int written_push(struct mv_written *w, struct mv_location **stack_buf, struct mv_location *l)
{
    if (w->count == w->cap) {
        size_t cap = w->cap * 2;
        bool on_stack = w->locs == stack_buf;
        struct mv_location **p = realloc(on_stack ? NULL : w->locs, cap * sizeof *p);
        if (!p)
            return PAREVM_ERR_NOMEM;
        if (on_stack)
            memcpy(p, stack_buf, w->count * sizeof *p);
        w->locs = p;
        w->cap = cap;
    }
    w->locs[w->count++] = l;
    return PAREVM_OK;
}

/* The record in progress: its written list (in buf until it outgrows
 * it) and the hash of the account being written. */
struct record_ctx {
    struct mv_written now;
    struct mv_location *buf[MV_RECORD_INLINE];
    uint64_t addr_hash; /* of the current account (balance/nonce/code/clear keys) */
    bool have_hash;     /* addr_hash is computed (on its first use) */
};

static int write_loc(struct mvmemory *mv, const address *a, enum mv_kind kind, const u256 *slot, uint32_t tx,
                     uint8_t flag, const struct mv_value *v, struct record_ctx *rc)
{
    struct mv_key key = mv_key_make(a, kind, slot);
    /* The account's hash once for all its locations; slots hash whole. */
    uint64_t hash;
    if (kind == MV_STORAGE) {
        hash = key_hash(&key);
    } else {
        if (!rc->have_hash) {
            rc->addr_hash = address_hash(a);
            rc->have_hash = true;
        }
        hash = account_key_hash(rc->addr_hash, kind);
    }
    struct mv_location *l = location_hashed(mv, &key, hash);
    if (!l)
        return PAREVM_ERR_NOMEM;
    if (kind == MV_CODE && v->code && keep_code(mv, hash, v->code))
        return PAREVM_ERR_NOMEM;
    int err = put_version(mv, l, tx, flag, v);
    return err ? err : written_push(&rc->now, rc->buf, l);
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (struct mv_location *const *)a,
              y = (uintptr_t) * (struct mv_location *const *)b;
    return x < y ? -1 : x > y;
}

int mvmemory_record(struct mvmemory *mv, uint32_t tx, uint32_t incarnation, const struct write_set *ws,
                    struct mv_written *written, struct arena *arena, bool *wrote_new,
                    uint64_t *changes_before)
{
    (void)incarnation;
    struct record_ctx rc;
    rc.now = (struct mv_written){rc.buf, 0, MV_RECORD_INLINE, false};
    struct record_ctx *now = &rc;
    int err = PAREVM_OK;
    struct mv_value v;
    /* The beneficiary balance this incarnation writes (FEE_NONE: none). */
    uint8_t fee_flag = FEE_NONE;
    u256 fee_word = u256_zero();
    for (size_t i = 0; i < ws->account_count && !err; i++) {
        const struct ws_account *wa = &ws->accounts[i];
        memset(&v, 0, sizeof v);
        rc.have_hash = false;
        bool beneficiary = is_beneficiary(mv, &wa->addr);
        if (beneficiary) {
            if (wa->flags & (WS_DELETE | WS_BALANCE)) {
                fee_flag = V_VALUE;
                fee_word = wa->flags & WS_DELETE ? u256_zero() : wa->balance;
            } else if (wa->flags & WS_BALANCE_DELTA) {
                fee_flag = V_DELTA;
                fee_word = wa->delta;
            }
        }
        if (wa->flags & WS_DELETE) {
            v.code = code_empty();
            if (!beneficiary)
                err = write_loc(mv, &wa->addr, MV_BALANCE, NULL, tx, V_VALUE, &v, now);
            if (!err)
                err = write_loc(mv, &wa->addr, MV_NONCE, NULL, tx, V_VALUE, &v, now);
            if (!err)
                err = write_loc(mv, &wa->addr, MV_CODE, NULL, tx, V_VALUE, &v, now);
            if (!err)
                err = write_loc(mv, &wa->addr, MV_CLEAR, NULL, tx, V_VALUE, &v, now);
            continue;
        }
        if (wa->flags & WS_CLEAR_STORAGE)
            err = write_loc(mv, &wa->addr, MV_CLEAR, NULL, tx, V_VALUE, &v, now);
        if (beneficiary) {
            /* balance recorded in mv->fees below */
        } else if (!err && (wa->flags & WS_BALANCE)) {
            v.word = wa->balance;
            err = write_loc(mv, &wa->addr, MV_BALANCE, NULL, tx, V_VALUE, &v, now);
        } else if (!err && (wa->flags & WS_BALANCE_DELTA)) {
            v.word = wa->delta;
            err = write_loc(mv, &wa->addr, MV_BALANCE, NULL, tx, V_DELTA, &v, now);
        }
        if (!err && (wa->flags & WS_NONCE)) {
            memset(&v, 0, sizeof v);
            v.nonce = wa->nonce;
            v.exists = true;
            err = write_loc(mv, &wa->addr, MV_NONCE, NULL, tx, V_VALUE, &v, now);
        }
        if (!err && (wa->flags & WS_CODE)) {
            memset(&v, 0, sizeof v);
            v.code = wa->code;
            err = write_loc(mv, &wa->addr, MV_CODE, NULL, tx, V_VALUE, &v, now);
        }
    }
    for (size_t i = 0; i < ws->slot_count && !err; i++) {
        memset(&v, 0, sizeof v);
        v.word = ws->slots[i].value;
        err = write_loc(mv, &ws->slots[i].addr, MV_STORAGE, &ws->slots[i].key, tx,
                        ws->slots[i].delta ? V_DELTA : V_VALUE, &v, now);
    }
    struct mv_written *nw = &rc.now;
    if (err) {
        if (nw->locs != rc.buf)
            free(nw->locs);
        return err;
    }
    /* Drop versions this incarnation no longer writes; report whether it
     * wrote somewhere new (sorted merge of the two location sets). A
     * first incarnation (nothing written before) skips the merge: all
     * its locations are new to it. */
    *wrote_new = written->count == 0 && nw->count > 0;
    if (written->count) {
        if (nw->count > 1)
            qsort(nw->locs, nw->count, sizeof *nw->locs, cmp_ptr);
        if (written->count > 1)
            qsort(written->locs, written->count, sizeof *written->locs, cmp_ptr);
        size_t a = 0, b = 0;
        while (a < written->count || b < nw->count) {
            if (b == nw->count || (a < written->count && written->locs[a] < nw->locs[b])) {
                remove_version(written->locs[a], tx);
                a++;
            } else if (a == written->count || nw->locs[b] < written->locs[a]) {
                *wrote_new = true;
                b++;
            } else {
                a++;
                b++;
            }
        }
    }
    /* Keep the new list: in the old list's memory when it fits (a
     * re-execution), else in new memory (the arena's, or the heap's). */
    if (nw->locs == rc.buf) {
        if (written->cap < nw->count) {
            struct mv_location **p =
                arena ? arena_alloc(arena, nw->count * sizeof *p) : malloc(nw->count * sizeof *p);
            if (!p)
                return PAREVM_ERR_NOMEM; /* the run stops (fatal) */
            if (!written->in_arena)
                free(written->locs);
            written->locs = p;
            written->cap = nw->count;
            written->in_arena = arena != NULL;
        }
        if (nw->count)
            memcpy(written->locs, nw->locs, nw->count * sizeof *nw->locs);
        written->count = nw->count;
    } else {
        if (!written->in_arena)
            free(written->locs);
        *written = *nw;
    }
    u256 old_word;
    uint8_t old = fee_load(&mv->fees[tx], &old_word);
    if (old == FEE_NONE && fee_flag != FEE_NONE)
        *wrote_new = true;
    if (old != FEE_NONE || fee_flag != FEE_NONE)
        fee_store(&mv->fees[tx], fee_flag, &fee_word);
    /* After every change above (seq_cst, see mvmemory_changes). */
    uint64_t before = atomic_fetch_add(&mv->changes, 1);
    if (changes_before)
        *changes_before = before;
    return PAREVM_OK;
}

void mvmemory_mark_estimates(struct mvmemory *mv, uint32_t tx, const struct mv_written *written)
{
    u256 word;
    if (fee_load(&mv->fees[tx], &word) != FEE_NONE)
        fee_store(&mv->fees[tx], V_ESTIMATE, NULL);
    for (size_t i = 0; i < written->count; i++) {
        struct mv_location *l = written->locs[i];
        loc_lock(l);
        uint32_t k = lower_bound(l, tx);
        if (k < l->count && l->versions[k].tx == tx)
            l->versions[k].flag = V_ESTIMATE;
        sums_stale(l, k);
        loc_unlock(l);
    }
    /* After the markings (seq_cst, see mvmemory_changes). */
    atomic_fetch_add(&mv->changes, 1);
}
