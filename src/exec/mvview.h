/*
 * mvview — the state view of one Block-STM execution: the state_view
 * callbacks (state_view.h) that read the multi-version memory
 * (mvmemory.h) as transaction `tx` sees it, and record every read, and
 * the lower transactions whose writes it read, for validation and the
 * dependency graph. The scheduler (scheduler.c) runs an incarnation
 * through this view, then validates its read set with mvview_validate.
 */
#ifndef PAREVM_EXEC_MVVIEW_H
#define PAREVM_EXEC_MVVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../evm/env.h"
#include "../state/state_view.h"
#include "mvmemory.h"

enum read_kind { R_BALANCE, R_NONCE, R_CODE, R_STORAGE, R_HAS_STORAGE };

/* One read: 96 bytes (every execution writes one per read, and
 * blocks of cheap transactions are bound by memory traffic). */
struct read_entry {
    struct mv_location *loc; /* the location read (NULL: none existed then) */
    uint8_t kind;            /* enum read_kind */
    bool base;               /* the value was the pre-block world's (mv_read_hint) */
    bool flag;               /* has_storage: the value; nonce: whether the account exists */
    bool lazy;               /* storage: validated by its decisions (state/lazy.h) */
    address addr;
    union {
        u256 word; /* balance, storage */
        uint64_t nonce;
        struct code *code;
    } v;
    u256 slot; /* storage only */
};

/* A decision a lazy read's value took part in (state/lazy.h): op(a, b)
 * was result, where a is the read's value plus .a when a_read, else .a;
 * likewise b. */
struct read_decision {
    uint32_t read; /* its index in the read set */
    uint8_t op;    /* enum lazy_op */
    bool result, a_read, b_read;
    u256 a, b;
};

/* The reads of one incarnation. */
struct read_set {
    struct read_entry *e;
    size_t n, cap;
    struct read_decision *d; /* in the order they were made */
    size_t nd, capd;
    struct read_set *older; /* previous incarnations' sets, freed at the end */
    bool in_arena;          /* set and entries live in a worker's arena */
    /* Nonzero: the multi-version memory's change count right after this
     * incarnation's record, which was the only change since before its
     * first read. While the count still is that, nothing it read has
     * changed: validation needs no look-up (mvmemory_changes). */
    uint64_t clean_at;
};

/* The lower transactions an execution read writes of (in read order,
 * repeats next to each other dropped; oom: one could not be added). */
struct dep_list {
    uint32_t *v;
    size_t n, cap;
    bool oom;
};

/* The view of one execution: zero it, then set mv, env, arena, tx and
 * rs; the callbacks fill rs, deps and, when a read hit an ESTIMATE
 * (PAREVM_ERR_BLOCKED), blocking. */
struct mvview {
    struct mvmemory *mv;
    const struct block_env *env; /* block hashes */
    struct arena *arena;         /* where rs grows when rs->in_arena */
    uint32_t tx;
    struct read_set *rs;
    uint32_t blocking; /* the writer whose ESTIMATE stopped the execution */
    struct dep_list deps;
    /* The clear location of the account whose storage this execution
     * read last (mv_read_hint.clear): a contract's slots are read in a
     * row, and each would look it up again. */
    bool clear_known;
    address clear_addr;
    struct mv_location *clear;
    /* The last two accounts read and their hashes (mv_read_hint's
     * addr_hash; 0: empty): a transaction reads a sender's balance,
     * nonce and code, a recipient's code and balance. */
    address hash_addr[2];
    uint64_t hash_val[2];
    unsigned hash_next;
    /* How many versions the slot of the last storage read had below tx
     * (mv_read_hint.below): a lazy read only for a hot one. */
    uint32_t storage_below;
    /* and each one's pre-block account (mv_read_hint's acct), once a
     * read has looked it up */
    bool acct_known[2];
    const struct world_account *acct[2];
};

/* The callbacks; the state_view's context is a struct mvview. The lazy
 * set also offers lazy storage reads (state/lazy.h): a storage read of a
 * slot that 4 or more lower transactions wrote is validated by its
 * decisions. */
extern const struct state_view_ops mvview_ops;
extern const struct state_view_ops mvview_lazy_ops;

/* Resolve read r of tx again (reporting the writers read through dep,
 * when not NULL); true when it still sees the recorded value and hits
 * no ESTIMATE. */
bool mvview_reread(struct mvmemory *mv, uint32_t tx, const struct read_entry *r, mv_dep_fn dep,
                   void *dep_arg);
/* Re-resolve every read of tx; true when all still see the same values
 * (a lazy read: a value that decides as it did) and none hits an
 * ESTIMATE. *failed: the first read that did not. */
bool mvview_validate(struct mvmemory *mv, uint32_t tx, const struct read_set *rs, size_t *failed);
/* The multi-version location read r read. */
struct mv_key mvview_read_key(const struct read_entry *r);

#endif
