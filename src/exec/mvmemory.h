/*
 * mvmemory — Block-STM multi-version memory.
 *
 * State locations are (address, kind[, slot]); each location holds the
 * versions written by the block's transactions, ordered by transaction
 * index: an absolute value, a balance delta, or an ESTIMATE (the writer
 * was aborted and will probably write here again). A read by transaction
 * i resolves the versions below i, falling back to the pre-block world.
 *
 * Storage clearing (self-destruct, re-creation) is an account-level
 * location of its own (MV_CLEAR): a storage read sees the newer of the
 * slot's last write and the account's last clear below the reader. So a
 * contract that self-destructs and is re-created inside the block needs
 * no fallback to sequential execution.
 *
 * The block's beneficiary balance is kept apart: nearly every transaction
 * credits it its fee, which as a shared version list would put one lock
 * and one growing array on every transaction's path, bouncing between
 * cores. Instead each transaction has its own entry (value, delta,
 * estimate or nothing) under a sequence lock, and the rare read of that
 * balance sums the entries below the reader, with the same ESTIMATE and
 * dependency rules as any location.
 *
 * Concurrency: locations are found and created without locks in an
 * insert-only index (slots claimed by CAS; a key whose probe run is full
 * goes to its shard's map, under the shard's mutex);
 * each location's version list has its own spinlock. The pre-block
 * world is read-only while workers run.
 */
#ifndef PAREVM_EXEC_MVMEMORY_H
#define PAREVM_EXEC_MVMEMORY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../base/scratch.h"
#include "../base/types.h"
#include "../base/u256.h"
#include "../state/code.h"
#include "../state/world.h"
#include "../state/write_set.h"

enum mv_kind { MV_BALANCE = 0, MV_NONCE, MV_CODE, MV_STORAGE, MV_CLEAR };

struct mv_key {
    address addr;
    uint8_t kind;
    uint8_t pad[3];
    u256 slot; /* zero unless MV_STORAGE */
};

/* The key of a location (slot: storage only, else NULL). */
static inline struct mv_key mv_key_make(const address *a, enum mv_kind kind, const u256 *slot)
{
    struct mv_key k;
    memset(&k, 0, sizeof k);
    k.addr = *a;
    k.kind = (uint8_t)kind;
    if (slot)
        k.slot = *slot;
    return k;
}

/* A resolved value of any kind. */
struct mv_value {
    u256 word; /* balance or storage value */
    uint64_t nonce;
    bool exists;
    struct code *code; /* borrowed */
};

struct mv_location;
struct mv_shard;
struct mv_fee;
struct mv_slab;

/* Slabs of locations kept across blocks (up to MV_SLAB_CACHE_MAX, 1.2
 * MB): fresh memory for every block meant a page fault every few dozen
 * locations. Owned by an execution environment (exec/exec_env.h), which
 * frees them with mv_slab_cache_destroy. */
#define MV_SLAB_CACHE_MAX 4096
struct mv_slab_cache {
    pthread_mutex_t lock; /* guards the list */
    struct mv_slab *list;
    size_t count;
};
#define MV_SLAB_CACHE_INIT {.lock = PTHREAD_MUTEX_INITIALIZER}
int mv_slab_cache_init(struct mv_slab_cache *c); /* PAREVM_ERR_NOMEM: no mutex */
void mv_slab_cache_destroy(struct mv_slab_cache *c); /* frees every kept slab */

struct mvmemory {
    struct scratch_cache *scratch; /* where the big arrays come from, and go back to */
    struct mv_slab_cache *slab_cache;
    const struct world *base; /* pre-block state, read-only */
    size_t tx_count;
    /* Locations by key: an insert-only open-addressing index (slots
     * claimed by CAS, probe runs of at most 64 slots); a key whose run is
     * full goes to the sharded maps (overflow). */
    _Atomic(struct mv_location *) *index;
    _Atomic uint16_t *index_tags; /* 16 bits of each slot's key hash */
    size_t index_mask;
    atomic_bool overflow;
    uint64_t generation;             /* distinct per mvmemory_init: tells threads' slabs apart */
    _Atomic(struct mv_slab *) slabs; /* every slab locations came from */
    atomic_bool grown;               /* a version list outgrew its location (was malloc'd) */
    /* Whether a location of this kind was ever created in the block (set
     * before it is published): code and storage clears are rarely
     * written, and their reads skip the index while none is. */
    atomic_bool code_created, clear_created;
    struct mv_shard *shards;
    size_t shard_count;
    address beneficiary;
    struct mv_fee *fees; /* per transaction: its write of the beneficiary's balance */
    /* Bumped once at the end of every change to the versions (a record,
     * a marking of ESTIMATEs), after the change: a reader that saw the
     * same count before its reads and after its own record knows that
     * nothing it read has changed since (mvmemory_changes). On a cache
     * line of its own: every worker bumps it once per execution. */
    _Alignas(64) _Atomic uint64_t changes;
};

/* beneficiary: the block's coinbase. locations: how many locations the
 * block may write, an estimate that sizes the lock-free index (keys past
 * its capacity still work, through the slower shard maps). The arrays
 * come from scratch, the locations' slabs from slabs (both must outlive
 * mv; they are the caller's execution environment's). */
int mvmemory_init(struct mvmemory *mv, const struct world *base, size_t tx_count, const address *beneficiary,
                  size_t locations, struct scratch_cache *scratch, struct mv_slab_cache *slabs);
void mvmemory_free(struct mvmemory *mv);

/* Find or create the location for key (NULL on ENOMEM). Stable pointer. */
struct mv_location *mvmemory_location(struct mvmemory *mv, const struct mv_key *key);

/* What a read remembers for its validation. loc: the read's location
 * (NULL: none existed then); locations are never removed within a block,
 * so a later look-up can start from it instead of the index. base: no
 * version below the reader took part, the value is the pre-block
 * world's. In: loc, if known (else NULL). Out: both. */
struct mv_read_hint {
    struct mv_location *loc;
    bool base;
    /* Out, storage reads: how many versions the slot had below the
     * reader (how hot it is). */
    uint32_t below;
    /* Storage reads: the account's clear location (MV_CLEAR; NULL: none
     * existed) as an earlier read of the same execution found it. In:
     * used when clear_known (else looked up); out: both. A stale NULL
     * only makes the read miss a clear created meanwhile, which its
     * validation (a fresh look-up) catches. */
    bool clear_known;
    struct mv_location *clear;
    /* In (optional, 0: unknown): mvmemory_address_hash of the read's
     * address, for an execution that reads several fields of one
     * account and would hash its address for each. */
    uint64_t addr_hash;
    /* In/out (optional): the read's account in the pre-block world
     * (NULL: absent), when acct_known; a read that falls back to that
     * world sets both, and an execution that reads several fields of one
     * account looks it up once. */
    bool acct_known;
    const struct world_account *acct;
};

/* The hash an account's locations are found by (never 0 for a hint's
 * use: 0 is read as unknown). */
uint64_t mvmemory_address_hash(const address *a);

/* Resolve a read by transaction `reader` of one location kind.
 * Returns PAREVM_OK with *out (and, if deps != NULL, the writers read
 * appended via the callback), or PAREVM_ERR_BLOCKED with *blocking set to
 * the writer whose ESTIMATE was hit. hint may be NULL. */
typedef void (*mv_dep_fn)(void *arg, uint32_t writer);
int mvmemory_read_balance(struct mvmemory *mv, const address *a, uint32_t reader, u256 *out,
                          uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint);
int mvmemory_read_nonce(struct mvmemory *mv, const address *a, uint32_t reader, uint64_t *nonce, bool *exists,
                        uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint);
int mvmemory_read_code(struct mvmemory *mv, const address *a, uint32_t reader, struct code **out,
                       uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint);
int mvmemory_read_storage(struct mvmemory *mv, const address *a, const u256 *slot, uint32_t reader, u256 *out,
                          uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint);
/* Whether the account has storage for the reader: pre-block storage not
 * cleared by a lower transaction. (An account whose storage was written
 * inside the block has code or a nonce, which already decides a CREATE
 * collision, the only user of this.) Its location is the MV_CLEAR one. */
int mvmemory_read_has_storage(struct mvmemory *mv, const address *a, uint32_t reader, bool *out,
                              uint32_t *blocking, mv_dep_fn dep, void *dep_arg, struct mv_read_hint *hint);

/* For the validation of a read that came from the pre-block world (hint
 * as the read left it, base set): true when still no version below the
 * reader takes part, so the read holds without looking at the world
 * (which does not change during the block). False: resolve it again. */
bool mvmemory_still_base(struct mvmemory *mv, enum mv_kind kind, const address *a, const u256 *slot,
                         uint32_t reader, const struct mv_read_hint *hint);

/* The change count (see struct mvmemory). seq_cst: ordered with the
 * bumps, which follow the changes they count. */
static inline uint64_t mvmemory_changes(struct mvmemory *mv)
{
    return atomic_load(&mv->changes);
}

/* Publish the write set of (tx, incarnation), replacing that transaction's
 * previous versions. *wrote_new = it wrote a location its previous
 * incarnation did not (then higher transactions must be revalidated).
 * `written` is the transaction's list of written locations (owned by the
 * caller, updated here; with `arena` set, new lists come from it and are
 * never freed one by one: the caller frees the arena after the block).
 * *changes_before (may be NULL): the change count just before this
 * record's own bump. */
struct arena;
struct mv_written {
    struct mv_location **locs;
    size_t count, cap;
    bool in_arena; /* locs came from an arena */
};
int mvmemory_record(struct mvmemory *mv, uint32_t tx, uint32_t incarnation, const struct write_set *ws,
                    struct mv_written *written, struct arena *arena, bool *wrote_new,
                    uint64_t *changes_before);
/* Turn the transaction's versions into ESTIMATE markers (it was aborted). */
void mvmemory_mark_estimates(struct mvmemory *mv, uint32_t tx, const struct mv_written *written);

#endif
