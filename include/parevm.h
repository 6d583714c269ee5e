/*
 * parevm — a parallel Ethereum Virtual Machine block executor.
 *
 * This is the only header users include (link with
 * `pkg-config --cflags --libs parevm`). The model is libsecp256k1's:
 *
 *   - every object is opaque and made by a parevm_*_create / _from_*
 *     function, freed by its parevm_*_destroy (NULL is accepted there);
 *   - every fallible function returns an enum parevm_err (0 = success)
 *     and checks its arguments (NULL where an object is needed:
 *     PAREVM_ERR_ARG); loaders also write a message naming the file and
 *     field to err[0..err_len) when err is not NULL;
 *   - nothing is printed, nothing exits; a function that makes an object
 *     sets *out to NULL on failure (where out is not NULL itself).
 *
 * Thread-safety: a context may be shared by any number of threads (its
 * settings are fixed at parevm_ctx_create; its code cache is locked). Blocks and states are read-only
 * while a block executes; one object may be read by several executions
 * at once, but must not be changed (parevm_state_set_*) or destroyed
 * while any is running. Results belong to the caller that got them.
 *
 * Byte conventions: addresses 20 bytes, hashes 32 bytes, 256-bit
 * integers (balances, slots, storage keys) 32 bytes big-endian.
 */
#ifndef PAREVM_H
#define PAREVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAREVM_VERSION "0.1.0"

/* Marks the functions libparevm.so exports (everything else is hidden). */
#if defined(__GNUC__)
#define PAREVM_API __attribute__((visibility("default")))
#else
#define PAREVM_API
#endif

/* Every fallible library function returns one of these (0 = success).
 * EVM exceptional halts are not errors: they are execution results.
 * (PAREVM_ERR_ENUM guards it: the library's internals define the same
 * enum, checked equal to this one.) */
#ifndef PAREVM_ERR_ENUM
#define PAREVM_ERR_ENUM
enum parevm_err {
    PAREVM_OK = 0,
    PAREVM_ERR_NOMEM,         /* allocation failed */
    PAREVM_ERR_ARG,           /* invalid argument passed by the caller */
    PAREVM_ERR_IO,            /* file could not be read or written */
    PAREVM_ERR_JSON,          /* malformed JSON or a missing/ill-typed field */
    PAREVM_ERR_HEX,           /* malformed hex string */
    PAREVM_ERR_RLP,           /* malformed or non-canonical RLP */
    PAREVM_ERR_RANGE,         /* a value does not fit its field */
    PAREVM_ERR_SIGNATURE,     /* signature invalid or sender not recoverable */
    PAREVM_ERR_TX_INVALID,    /* transaction fails validation (see tx error) */
    PAREVM_ERR_BLOCK_INVALID, /* block fails validation */
    PAREVM_ERR_MISSING,       /* required data absent (e.g. a block hash) */
    PAREVM_ERR_UNSUPPORTED,   /* fork/feature not supported */
    PAREVM_ERR_INTERNAL,      /* invariant broken: a bug in parevm */
    PAREVM_ERR_BLOCKED,       /* parallel execution: a read hit an unfinished
                                 write (internal; the executor retries) */
    PAREVM_ERR_CONTENDED,     /* parallel execution gave up: most incarnations
                                 were aborted (internal; the block then runs
                                 sequentially) */
    PAREVM_ERR__COUNT
};
#endif

/* Static, human-readable description of an error code. Never NULL.
 * Thread-safe. */
PAREVM_API const char *parevm_strerror(int err);

/* ---- context ---------------------------------------------------------- */

/* The opaque objects (below: what each is). */
typedef struct parevm_ctx parevm_ctx;
typedef struct parevm_block parevm_block;
typedef struct parevm_state parevm_state;
typedef struct parevm_result parevm_result;

/* A context: everything that lives longer than one call (the chain's
 * fork schedule, the default thread count, a cache of the code
 * providers returned, by hash: up to 64 MiB of contracts hashed and
 * analysed once, not once per block; and the executor's state: its
 * worker threads, started on first use, the memory it keeps between
 * blocks, and the guard's measurements of which engine pays for which
 * blocks). Contexts share none of it: what one context ran never
 * changes how another one runs a block. */

/* The most worker threads one execution may use. */
#define PAREVM_MAX_THREADS 1024

typedef struct parevm_ctx_options {
    /* Default worker count of parevm_execute_block (the calling thread
     * included, at most PAREVM_MAX_THREADS); 0: the number of online
     * CPUs. */
    unsigned int threads;
    /* The chain whose fork schedule decides which rules a block runs
     * under: NULL or "mainnet" (Ethereum mainnet by block number and
     * timestamp), or one fork for every block, by its BlockchainTests
     * network name ("Cancun", "Prague", "ShanghaiToCancunAtTime15k", ...).
     * Copied; need not outlive the call. */
    const char *network;
} parevm_ctx_options;

/* A new context. opts may be NULL (every field 0: defaults). Returns NULL
 * when memory runs out, opts->threads is over PAREVM_MAX_THREADS or
 * opts->network is not a known chain. Thread-safe. */
PAREVM_API parevm_ctx *parevm_ctx_create(const parevm_ctx_options *opts);
/* Frees ctx (NULL: nothing) and everything it holds: its worker threads
 * are stopped and joined before it returns. Every block, state and
 * result made with it must be destroyed first, and no execution on it
 * may be running. */
PAREVM_API void parevm_ctx_destroy(parevm_ctx *ctx);

/* ---- blocks ------------------------------------------------------------ */

/* A block (parevm_block) holds its transactions with their senders
 * recovered; immutable once made. */

/* A block from its network RLP encoding, rlp([header, transactions,
 * uncles(, withdrawals)]) (len bytes at rlp). Decoding is strict
 * (canonical RLP, exact field sizes, no trailing bytes) and every sender
 * is recovered under the block's fork in ctx's chain. The header is not
 * validated against a parent (parevm has none to compare with); the
 * execution checks what the block itself determines. Returns PAREVM_OK
 * and *out, or PAREVM_ERR_ARG / _RLP / _RANGE / _SIGNATURE /
 * _UNSUPPORTED (a fork parevm does not implement) / _NOMEM with *out
 * NULL and a message in err. */
PAREVM_API int parevm_block_from_rlp(const parevm_ctx *ctx, const uint8_t *rlp, size_t len,
                                     parevm_block **out, char *err, size_t err_len);
/* A block from mainnet-fixture JSON: the result of
 * eth_getBlockByNumber(n, true) (len bytes at json, need not be
 * NUL-terminated; name is used in messages only and may be NULL). Every
 * hex field is checked, every sender recovered and compared with the
 * JSON `from`, every transaction re-encoded and compared with its `hash`.
 * Errors as parevm_block_from_rlp, plus PAREVM_ERR_JSON / _HEX. */
PAREVM_API int parevm_block_from_json(const parevm_ctx *ctx, const char *name, const char *json, size_t len,
                                      parevm_block **out, char *err, size_t err_len);
/* A mainnet fixture folder (block.json, pre_state.json, block_hashes.json):
 * the block, and in *state (when state is not NULL) its pre-state with
 * the block hashes, as an in-memory state marked partial (it holds only
 * what the block touches). Errors as parevm_block_from_json, plus
 * PAREVM_ERR_IO; on failure *out and *state are NULL. */
PAREVM_API int parevm_block_from_fixture(const parevm_ctx *ctx, const char *dir, parevm_block **out,
                                         parevm_state **state, char *err, size_t err_len);
/* Frees block (NULL: nothing). No execution of it may be running. */
PAREVM_API void parevm_block_destroy(parevm_block *block);
/* The block's number and transaction count (0 for NULL). */
PAREVM_API uint64_t parevm_block_number(const parevm_block *block);
PAREVM_API size_t parevm_block_tx_count(const parevm_block *block);

/* ---- state: the provider interface and the in-memory state ------------- */

/* An account as a provider returns it. */
typedef struct parevm_account {
    uint8_t balance[32]; /* big-endian */
    uint64_t nonce;
    uint8_t code_hash[32]; /* keccak256 of the code (of "" when none) */
    int has_storage;       /* non-zero: the account has a non-zero slot */
} parevm_account;

/* The state a block runs on, as callbacks: a host plugs in its own
 * database. Each callback returns 0 on success; any other value fails
 * the execution with PAREVM_ERR_IO (the result is then discarded). arg is
 * passed through. parevm asks for each location at most once per
 * execution (code: at most once per account), on first use, and
 * keeps what it got for the rest of the block, its own writes on top: the provider is only read, and sees
 * nothing of the block's changes.
 *
 * With the parallel engine the callbacks may be called from several
 * worker threads, one call at a time (parevm serializes them); they must
 * not call back into parevm. */
typedef struct parevm_state_provider {
    void *arg;
    /* Account address: *exists 0 when there is none (then *out is
     * ignored), else 1 and *out filled. */
    int (*account)(void *arg, const uint8_t address[20], int *exists, parevm_account *out);
    /* Slot key of the account at address (zero when unset). Only asked of
     * accounts whose has_storage was non-zero. */
    int (*storage)(void *arg, const uint8_t address[20], const uint8_t key[32], uint8_t value[32]);
    /* The code whose keccak256 is code_hash: *code points at *len bytes
     * that stay valid until the next callback (parevm copies them and
     * checks their hash; a mismatch fails the execution). Only asked for
     * code other than the empty code that the context has not cached
     * (from this or an earlier execution). */
    int (*code)(void *arg, const uint8_t code_hash[32], const uint8_t **code, size_t *len);
    /* The hash of block number: *found 0 when unknown (a BLOCKHASH that
     * needs it then fails the execution with PAREVM_ERR_MISSING). Asked
     * for the 256 blocks before the executed one, before it runs. */
    int (*block_hash)(void *arg, uint64_t number, int *found, uint8_t hash[32]);
} parevm_state_provider;

/* An in-memory state (parevm_state): accounts, storage, code and block
 * hashes. */

/* A new, empty in-memory state, marked complete: the caller puts the
 * whole state in it (then results carry its state root). NULL when
 * memory runs out. */
PAREVM_API parevm_state *parevm_state_create(const parevm_ctx *ctx);
/* Frees state (NULL: nothing) with its accounts, code and block hashes;
 * code borrowed from it (parevm_state_get_code) goes with it. No
 * execution on it (directly or through parevm_state_provider_of) may be
 * running. */
PAREVM_API void parevm_state_destroy(parevm_state *state);
/* Set an account (created when absent; its storage is kept). code may
 * be NULL when code_len is 0. PAREVM_ERR_ARG / _NOMEM. */
PAREVM_API int parevm_state_set_account(parevm_state *state, const uint8_t address[20],
                                        const uint8_t balance[32], uint64_t nonce, const uint8_t *code,
                                        size_t code_len);
/* Set one slot of an existing account (zero removes it).
 * PAREVM_ERR_ARG (no such account) / _NOMEM. */
PAREVM_API int parevm_state_set_storage(parevm_state *state, const uint8_t address[20], const uint8_t key[32],
                                        const uint8_t value[32]);
/* Set the hash of block number. PAREVM_ERR_NOMEM. */
PAREVM_API int parevm_state_set_block_hash(parevm_state *state, uint64_t number, const uint8_t hash[32]);
/* Whether the state holds every account (parevm_state_create) or only
 * those a block touches (parevm_block_from_fixture): 1 or 0. */
PAREVM_API int parevm_state_is_complete(const parevm_state *state);
/* The in-memory state as a provider: the callbacks read state, which
 * must outlive every execution given *out. parevm_execute_block runs
 * such a provider on the state directly (no callbacks), as fast as the
 * CLI. PAREVM_ERR_ARG. */
PAREVM_API int parevm_state_provider_of(parevm_state *state, parevm_state_provider *out);
/* Reads, for hosts and tests: the same answers the provider gives. Each
 * only reads state, so any number may run at once, alongside executions
 * on it, but not alongside a parevm_state_set_* or destroy. */
/* Account address: *exists 0 when there is none (then *out is untouched),
 * else 1 and *out filled. PAREVM_ERR_ARG when an argument is NULL. */
PAREVM_API int parevm_state_get_account(const parevm_state *state, const uint8_t address[20], int *exists,
                                        parevm_account *out);
/* Slot key of the account at address into value (32 bytes, big-endian):
 * zero when the slot is unset or the account absent, which is not an
 * error. PAREVM_ERR_ARG when an argument is NULL. */
PAREVM_API int parevm_state_get_storage(const parevm_state *state, const uint8_t address[20],
                                        const uint8_t key[32], uint8_t value[32]);
/* *code borrowed: valid while state is unchanged. PAREVM_ERR_MISSING
 * when no account of the state has that code. */
PAREVM_API int parevm_state_get_code(const parevm_state *state, const uint8_t code_hash[32],
                                     const uint8_t **code, size_t *len);
/* The hash of block number (set by parevm_state_set_block_hash or a
 * fixture's block_hashes.json): *found 1 and hash filled, or *found 0
 * (hash untouched) when the state has none for number, which is not an
 * error. PAREVM_ERR_ARG when an argument is NULL. */
PAREVM_API int parevm_state_get_block_hash(const parevm_state *state, uint64_t number, int *found,
                                           uint8_t hash[32]);

/* ---- execution --------------------------------------------------------- */

typedef enum parevm_engine {
    PAREVM_ENGINE_AUTO = 0,   /* Block-STM where the guard expects it to pay
                                 (large, parallel enough), else sequential */
    PAREVM_ENGINE_SEQUENTIAL, /* one thread, in order */
    PAREVM_ENGINE_BLOCK_STM   /* Block-STM even on small blocks */
} parevm_engine;

typedef struct parevm_execute_options {
    parevm_engine engine;
    unsigned int threads; /* 0: the context's default; at most PAREVM_MAX_THREADS */
} parevm_execute_options;

/* A result (parevm_result) is what one execution produced. */

/* Execute block on the state that provider gives (unchanged by the
 * call). options may be NULL (auto engine, the context's threads). Every
 * engine gives the same result, byte for byte, at any thread count.
 *
 * Returns PAREVM_OK and *result for a valid block;
 * PAREVM_ERR_TX_INVALID or _BLOCK_INVALID and *result for an invalid one
 * (parevm_result_invalid_reason says why; the other fields are then
 * meaningless); otherwise *result NULL and PAREVM_ERR_ARG (also: an
 * unknown engine, threads over PAREVM_MAX_THREADS),
 * _UNSUPPORTED (the block's fork is not implemented),
 * _IO (a provider callback failed, or returned code whose hash differs),
 * _MISSING (a needed block hash) or _NOMEM.
 *
 * Thread-safe: calls may run at once (on one context or several); a
 * provider shared by them must then be thread-safe itself. */
PAREVM_API int parevm_execute_block(const parevm_ctx *ctx, const parevm_block *block,
                                    const parevm_state_provider *provider,
                                    const parevm_execute_options *options, parevm_result **result);
/* Frees result (NULL: nothing); what its getters lent (reasons, log
 * topics and data) goes with it. */
PAREVM_API void parevm_result_destroy(parevm_result *result);

/* Why the block is invalid ("" for a valid one). Never NULL; valid until
 * result is destroyed. */
PAREVM_API const char *parevm_result_invalid_reason(const parevm_result *result);
/* The gas the block's transactions used (for a valid block, its gasUsed; 0 for
 * NULL). Cannot fail. */
PAREVM_API uint64_t parevm_result_gas_used(const parevm_result *result);
/* The block's logs bloom (the OR of its receipts' blooms) copied to
 * bloom, 256 bytes; all zero for a NULL result, nothing done for a NULL
 * bloom. Cannot fail. */
PAREVM_API void parevm_result_logs_bloom(const parevm_result *result, uint8_t bloom[256]);
/* The receipts root. PAREVM_ERR_UNSUPPORTED before Byzantium on a
 * partial state or a provider: those receipts hold intermediate state
 * roots, which only a complete in-memory state gives. */
PAREVM_API int parevm_result_receipts_root(const parevm_result *result, uint8_t root[32]);
/* The post-block state root. Only for a complete in-memory state
 * (parevm_state_create); PAREVM_ERR_UNSUPPORTED otherwise. */
PAREVM_API int parevm_result_state_root(const parevm_result *result, uint8_t root[32]);

/* Receipts: one per transaction, in block order. */
PAREVM_API size_t parevm_result_receipt_count(const parevm_result *result);
/* Receipt i: *status 1 success / 0 failure (-1 before Byzantium, where
 * receipts carry a state root instead), *cumulative_gas, *log_count;
 * any output pointer may be NULL. PAREVM_ERR_ARG when i is out of range. */
PAREVM_API int parevm_result_receipt(const parevm_result *result, size_t i, int *status,
                                     uint64_t *cumulative_gas, size_t *log_count);
/* Log j of receipt i: the emitting address (20 bytes copied),
 * *topic_count topics (*topics: topic_count * 32 bytes, borrowed) and *data_len bytes of
 * data (borrowed, may be NULL when empty), valid until result is
 * destroyed. PAREVM_ERR_ARG when out of range. */
PAREVM_API int parevm_result_log(const parevm_result *result, size_t i, size_t j, uint8_t address[20],
                                 const uint8_t **topics, size_t *topic_count, const uint8_t **data,
                                 size_t *data_len);

#ifdef __cplusplus
}
#endif
#endif
