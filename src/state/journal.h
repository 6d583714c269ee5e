/*
 * journal — one transaction's view of state and everything it changed.
 *
 * The EVM reads state only through the journal, which loads each field
 * lazily through a state_view (and caches it), and writes only into the
 * journal. Every mutation is recorded in an undo log so nested calls can
 * checkpoint and revert. The journal owns the EIP-2929 warm sets, EIP-1153
 * transient storage, logs, the refund counter, self-destructs, created
 * accounts and EIP-161 touches. At the end, journal_finalize turns it into
 * a write set.
 *
 * Balances are kept as (base from the view, loaded on demand) + delta. A
 * credit to an account whose balance was never read stays a pure delta,
 * so in parallel execution it creates no read dependency.
 *
 * Every function that may read through the view returns an error code
 * (PAREVM_OK or what the view returned); callers propagate it.
 */
#ifndef PAREVM_STATE_JOURNAL_H
#define PAREVM_STATE_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/hashmap.h"
#include "../base/types.h"
#include "../base/u256.h"
#include "code.h"
#include "log.h"
#include "state_view.h"
#include "write_set.h"

struct journal_account;
struct journal_slot;
struct journal_undo;

/* The fork-dependent rules the journal applies when it finalizes. The EVM
 * layer sets them from the fork (evm/fork.h: fork_journal_rules), so the
 * state layer knows no fork. */
struct journal_rules {
    /* EIP-161 (Spurious Dragon): a touched account empty at the end is
     * deleted. */
    bool clear_empty;
    /* EIP-6780 (Cancun): SELFDESTRUCT deletes only an account created in
     * the same transaction. */
    bool selfdestruct_created_only;
    /* EIP-7708 (Amsterdam) without EIP-8246: a self-destructed account's
     * balance at the end of the transaction is burned with a log
     * (journal_eth_log), in address order, after the transaction's logs. */
    bool burn_logs;
    /* EIP-8246 (Amsterdam): a self-destructed account keeps its balance
     * at the end of the transaction; nonce, code and storage go (and the
     * account with them when the balance is zero). */
    bool selfdestruct_keeps_balance;
    /* EIP-2929: addresses warm from the start of every transaction and
     * never cold again (the fork's precompiles): journal_warm_account
     * reports them warm without an entry or an undo record for each. */
    const address *always_warm;
    size_t always_warm_count;
};

struct journal {
    struct state_view view;
    struct journal_rules rules;
    struct hmap account_index; /* address -> uint32 index into accounts */
    void **accounts; /* struct journal_account *: stable, reused across txs */
    uint32_t account_count, account_cap;
    struct hmap slot_index; /* (address, key) -> uint32 index into slots */
    void **slots; /* struct journal_slot *, likewise */
    uint32_t slot_count, slot_cap;
    struct hmap transient; /* (address, key) -> u256 (EIP-1153) */
    struct journal_undo *undo;
    size_t undo_count, undo_cap;
    /* The logs so far; their data in log_data (each log's data field
     * holds its offset there until journal_finalize copies both out).
     * Both are kept across transactions. */
    struct log *logs;
    size_t log_count, log_cap;
    struct bytebuf log_data;
    int64_t refund;
    /* Storage reads are lazy (see journal_slot_origin): set by whoever
     * runs the EVM on a view with lazy reads, for a transaction the EVM
     * tracks them in; journal_begin clears it. */
    bool lazy;
    uint8_t *deleted; /* journal_finalize's per-account scratch, reused */
    uint32_t deleted_cap;
};

/* A checkpoint: revert to it undoes everything recorded after it. */
struct journal_checkpoint {
    size_t undo_count;
    size_t log_count, log_data_len;
    int64_t refund;
};

void journal_init(struct journal *j);
void journal_free(struct journal *j);
/* Begin a new transaction over view under rules (clears everything, keeps
 * memory). */
void journal_begin(struct journal *j, const struct state_view *view, struct journal_rules rules);

struct journal_checkpoint journal_checkpoint(const struct journal *j);
void journal_revert(struct journal *j, struct journal_checkpoint cp);

/* Account reads. Absent accounts read as zero / empty code. */
int journal_balance(struct journal *j, const address *a, u256 *out);
int journal_nonce(struct journal *j, const address *a, uint64_t *out);
int journal_code(struct journal *j, const address *a, struct code **out);
/* journal_code, also telling whether the code was set by this transaction
 * (*set_here). Code that was not is owned by the state behind the view and
 * outlives the transaction; code that was can be dropped by a revert, so
 * a frame running it holds a reference. */
int journal_code_owned(struct journal *j, const address *a, struct code **out, bool *set_here);
/* Exists in the state (possibly empty): the pre-EIP-161 notion. */
int journal_exists(struct journal *j, const address *a, bool *out);
/* EIP-161 "dead": absent, or nonce = 0, balance = 0 and no code. */
int journal_is_empty(struct journal *j, const address *a, bool *out);
/* journal_is_empty without counting it as an access (EIP-7928): a look
 * at an account the EVM may then not touch (EIP-8037: a CREATE's target,
 * priced before the create can still fail fast). */
int journal_is_empty_unaccessed(struct journal *j, const address *a, bool *out);

/* Account writes. */
int journal_set_nonce(struct journal *j, const address *a, uint64_t nonce);
/* Credit: a delta when the balance was never read (no dependency). */
int journal_add_balance(struct journal *j, const address *a, const u256 *amount);
/* Debit; *ok = false (and nothing changes) if the balance is too low. */
int journal_sub_balance(struct journal *j, const address *a, const u256 *amount, bool *ok);
int journal_set_balance(struct journal *j, const address *a, const u256 *balance);
int journal_set_code(struct journal *j, const address *a, struct code *code);
/* Mark the account touched (EIP-161: deleted at the end if empty). */
int journal_touch(struct journal *j, const address *a);
/* The account now exists (pre-EIP-161 semantics of calls to new accounts). */
int journal_ensure_exists(struct journal *j, const address *a);
/* CREATE/CREATE2: the account is created in this transaction; its prior
 * storage (if any) is dropped; keeps any balance it already had. */
int journal_create_account(struct journal *j, const address *a);
bool journal_created_in_tx(struct journal *j, const address *a);
/* SELFDESTRUCT: mark for deletion at the end of the transaction.
 * *first = whether it was not already marked (for the pre-London refund). */
int journal_mark_destructed(struct journal *j, const address *a, bool *first);

/* Storage. */
int journal_sload(struct journal *j, const address *a, const u256 *key, u256 *out);
/* Current and original (start of transaction, EIP-2200) values. */
int journal_slot_values(struct journal *j, const address *a, const u256 *key, u256 *current, u256 *original);
int journal_sstore(struct journal *j, const address *a, const u256 *key, const u256 *value);

/* One slot, looked up once for SLOAD/SSTORE (the hash lookup of the
 * 52-byte (address, key) pair was a sixth of SLOAD-heavy code when warming,
 * reading and writing each did it). journal_slot_open finds or adds the
 * slot, *was_warm = whether it was warm (EIP-2929), and when `warm` marks it
 * warm (undone by a revert). The handle stays valid until the journal is
 * begun again or freed. journal_slot_read gives the current and original
 * (EIP-2200) values and, like journal_slot_write, records the slot as
 * accessed (EIP-7928), so open before the gas check, read or write after
 * it, as the spec orders them. */
int journal_slot_open(struct journal *j, const address *a, const u256 *key, bool warm, bool *was_warm,
                      struct journal_slot **out);
int journal_slot_read(struct journal *j, struct journal_slot *s, u256 *current, u256 *original);
int journal_slot_write(struct journal *j, struct journal_slot *s, const u256 *value);

/* Lazy reads (state/lazy.h), while journal.lazy is set: a slot loaded
 * from the view is a lazy read where the view makes it one, and
 * journal_slot_origin gives its handle (0: an exact read).
 * journal_slot_handle: the handle when the current value is that read's
 * value plus a constant (0: not, or no lazy read). A write with derived
 * set says the value written is such a one (the caller knows); a slot
 * whose final value is one goes into the write set as a delta. */
uint32_t journal_slot_origin(const struct journal_slot *s);
uint32_t journal_slot_handle(const struct journal_slot *s);
int journal_slot_write_lazy(struct journal *j, struct journal_slot *s, const u256 *value, bool derived);

/* EIP-2929 warm sets: mark warm, return whether it already was. */
int journal_warm_account(struct journal *j, const address *a, bool *was_warm);
int journal_warm_slot(struct journal *j, const address *a, const u256 *key, bool *was_warm);

/* EIP-1153 transient storage. */
u256 journal_tload(struct journal *j, const address *a, const u256 *key);
int journal_tstore(struct journal *j, const address *a, const u256 *key, const u256 *value);

/* Logs (data is copied). */
int journal_add_log(struct journal *j, const address *a, const hash32 *topics, unsigned topic_count,
                    const uint8_t *data, size_t data_len);

/* EIP-7708: the log of an ether move, emitted by the system address
 * 0xff..fe: Transfer(from, to, value) when `to` is set, else Burn(from,
 * value). */
int journal_eth_log(struct journal *j, const address *from, const address *to, const u256 *value);

static inline void journal_add_refund(struct journal *j, int64_t delta) { j->refund += delta; }

/* End of transaction: self-destructed accounts are deleted (EIP-6780 from
 * Cancun: only those created in this transaction), touched empty accounts
 * are deleted (EIP-161, from Spurious Dragon), and all changes are written
 * to ws (which is reset first). The logs move out to the caller (*logs,
 * *log_count: one allocation, see log.h; NULL and 0 when none). */
int journal_finalize(struct journal *j, struct write_set *ws, struct log **logs, size_t *log_count);

/* EIP-7928 recording: calls fn once per account the transaction accessed
 * (slot NULL) and once per storage slot it read or wrote (slot set), in
 * first-access order, reverted frames included. Warming alone (EIP-2929,
 * an EIP-2930 access list) is not an access. Valid from journal_finalize
 * until the next journal_begin; costs nothing when never called (one
 * sticky flag per cached entry). Stops at and returns fn's first error. */
typedef int (*journal_access_fn)(void *arg, const address *a, const u256 *slot);
/* Count a as accessed without reading it (EIP-7928: a delegation's
 * target that runs no code, e.g. a precompile's address). */
int journal_note_access(struct journal *j, const address *a);
int journal_each_access(const struct journal *j, journal_access_fn fn, void *arg);

#endif
