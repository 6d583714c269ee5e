/*
 * t8n — the state-transition tool interface of geth's `evm t8n` (as
 * execution-spec-tests drive it): a pre-state (alloc), a block
 * environment (env) and a list of transactions in; the post-state, a
 * result summary (roots, receipts, rejected transactions) and the body
 * (RLP of the included transactions) out.
 *
 * Unlike block execution, an invalid transaction does not invalidate
 * anything: it is skipped and listed in `rejected` ({index, error}), and
 * the next transaction runs on the state without it.
 *
 * Inputs are validated while loading; a message names the file and the
 * field ("txs.json: [2].maxFeePerGas: bad hex"). Numbers may be hex
 * ("0x..") or decimal, addresses and hashes with or without 0x, as geth
 * accepts them. Unsigned transactions (v, r, s zero) with a `secretKey`
 * are signed here (EIP-155 for legacy ones unless "protected": false).
 */
#ifndef PAREVM_IO_T8N_H
#define PAREVM_IO_T8N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../chain/block.h"
#include "../evm/evm.h"
#include "../exec/block_hashes.h"
#include "../state/world.h"

struct bal; /* exec/bal.h */

/* geth t8n's exit codes (cmd/evm/internal/t8ntool). */
enum t8n_exit {
    T8N_EXIT_OK = 0,
    T8N_EXIT_EVM = 2,               /* execution failed (internal error) */
    T8N_EXIT_CONFIG = 3,            /* bad fork, env inconsistent with the fork */
    T8N_EXIT_MISSING_BLOCKHASH = 4, /* BLOCKHASH of a block not in blockHashes */
    T8N_EXIT_JSON = 10,             /* malformed JSON or field */
    T8N_EXIT_IO = 11,               /* a file cannot be read or written */
    T8N_EXIT_RLP = 12               /* malformed RLP */
};

/* The exit code for a PAREVM_ERR_* returned by this module:
 * ARG/UNSUPPORTED -> CONFIG, MISSING -> MISSING_BLOCKHASH, JSON/HEX/RANGE/
 * SIGNATURE -> JSON, IO -> IO, RLP -> RLP, anything else -> EVM. */
int t8n_exit_code(int err);

struct t8n_ommer {
    uint64_t delta; /* how many blocks older than this one */
    address addr;
};

/* env.json. has_* flags say which optional fields were given. */
struct t8n_env {
    address coinbase;
    uint64_t gas_limit, number, timestamp;
    bool has_difficulty;
    u256 difficulty;
    bool has_random;
    hash32 random; /* PREVRANDAO (currentRandom) */
    bool has_parent_difficulty;
    u256 parent_difficulty;
    uint64_t parent_timestamp;
    bool has_parent_uncle_hash;
    hash32 parent_uncle_hash;
    bool has_base_fee;
    u256 base_fee;
    bool has_parent_base_fee;
    u256 parent_base_fee;
    uint64_t parent_gas_used, parent_gas_limit;
    bool has_excess_blob_gas;
    uint64_t excess_blob_gas;
    bool has_parent_excess_blob_gas, has_parent_blob_gas_used;
    uint64_t parent_excess_blob_gas, parent_blob_gas_used;
    bool has_parent_beacon_root;
    hash32 parent_beacon_root;
    uint64_t slot_number; /* slotNumber, Amsterdam (EIP-7843); 0 when absent */
    bool has_withdrawals;
    struct withdrawal *withdrawals; /* owned */
    size_t withdrawal_count;
    bool has_block_hashes;      /* blockHashes given (even empty) */
    struct block_hashes hashes; /* owned; numbers sorted ascending */
    struct t8n_ommer *ommers;   /* owned */
    size_t ommer_count;
};
void t8n_env_free(struct t8n_env *e);

/* The transactions, in input order. invalid[i] != NULL: transaction i
 * cannot be applied at all (it does not decode, or its sender cannot be
 * recovered; txs[i] is then zeroed) and is rejected with that message.
 * Senders of the others are set. */
struct t8n_txs {
    struct tx *txs; /* owned */
    char **invalid; /* owned strings, NULL entries for good ones */
    size_t count;
};
void t8n_txs_free(struct t8n_txs *t);

/* Loaders. Each takes JSON text (len bytes, need not be NUL-terminated);
 * `path` is used in messages only. On failure: PAREVM_ERR_JSON / _HEX /
 * _RANGE / _RLP / _NOMEM with a message in err[0..err_len), and the
 * output is left empty. Transactions are signed (secretKey) and their
 * senders recovered under fork and chain_id. */
int t8n_parse_alloc(const char *path, const char *json, size_t len, struct world *out, char *err,
                    size_t err_len);
int t8n_parse_env(const char *path, const char *json, size_t len, struct t8n_env *out, char *err,
                  size_t err_len);
/* A JSON array of transaction objects. */
int t8n_parse_txs(const char *path, const char *json, size_t len, enum fork fork, uint64_t chain_id,
                  struct t8n_txs *out, char *err, size_t err_len);
/* A ".rlp" transactions file: a JSON string holding the hex of an RLP
 * list of signed transactions (the --output.body format). As geth, an
 * element that does not decode as a transaction is rejected alone
 * (invalid[i] holds geth's message: "rlp: ...", "transaction type not
 * supported", "typed transaction too short"); an element whose header
 * overruns the list is rejected and ends it. PAREVM_ERR_RLP only when
 * the input is not an RLP list. */
int t8n_parse_txs_rlp(const char *path, const char *json, size_t len, enum fork fork, uint64_t chain_id,
                      struct t8n_txs *out, char *err, size_t err_len);
/* The stdin form: one object {"alloc":{..},"env":{..},"txs":[..]} (or
 * "txsRlp":"0x.."). Only the parts whose output pointer is non-NULL are
 * read; a missing part is an error. */
int t8n_parse_stdin(const char *path, const char *json, size_t len, enum fork fork, uint64_t chain_id,
                    struct world *alloc, struct t8n_env *env, struct t8n_txs *txs, char *err, size_t err_len);

/* Called around each transaction that reaches execution: begin returns
 * a tracer (or NULL) for the transaction with its index among the
 * included ones so far (geth's trace file numbering) and hash. */
struct t8n_trace_hooks {
    struct evm_tracer *(*begin)(void *arg, size_t included_index, const hash32 *tx_hash);
    void (*end)(void *arg, struct evm_tracer *tracer);
    void *arg;
};

struct t8n_config {
    enum fork fork;
    /* The bomb delay of a bomb-only fork name (chain_glacier_bomb_delay:
     * MuirGlacier, ArrowGlacier, GrayGlacier), used for a currentDifficulty
     * computed from the parent; 0: the fork's own (validate_bomb_delay). */
    uint64_t glacier_bomb_delay;
    uint64_t chain_id;
    bool reward_enabled;                 /* --state.reward >= 0 */
    u256 reward;                         /* wei; 0 still touches the coinbase (as geth) */
    int threads;                         /* > 1: the parallel engine (exec/parallel.h), untraced runs only */
    const struct t8n_trace_hooks *trace; /* NULL: no traces */
    /* EIP-6110 deposit contract (Prague on); NULL: mainnet's. */
    const address *deposit_contract;
    /* Non-NULL: record the EIP-7928 block access list into it (exec/bal.h,
     * bal_init'ed by the caller; finished when t8n_apply succeeds). The
     * transactions then run sequentially; indices count the included
     * transactions only; ommers' rewards are not recorded. */
    struct bal *bal;
};

struct t8n_receipt {
    struct receipt r; /* owned logs */
    hash32 tx_hash;
    u256 effective_gas_price;
    uint64_t blob_gas_used;
    u256 blob_gas_price;
    size_t input_index; /* position in the input list */
};

struct t8n_rejected {
    size_t index;
    char error[200];
};

struct t8n_result {
    hash32 state_root, tx_root, receipts_root, logs_hash;
    uint8_t logs_bloom[256];
    struct t8n_receipt *receipts; /* one per included transaction */
    size_t receipt_count;
    struct t8n_rejected *rejected;
    size_t rejected_count;
    bool has_difficulty; /* pre-Merge */
    u256 difficulty;
    uint64_t gas_used;
    bool has_base_fee;
    u256 base_fee;
    bool has_withdrawals_root;
    hash32 withdrawals_root;
    bool has_blob_gas; /* the blob base fee was known (Cancun with excess blob gas) */
    uint64_t excess_blob_gas, blob_gas_used;
    bool has_requests; /* Prague on (EIP-7685): the block's requests and their hash */
    struct block_requests requests;
    hash32 requests_hash;
    bool parallel;         /* the parallel engine ran the transactions */
    uint64_t block_number; /* env.currentNumber, for the receipts' blockNumber */
};
void t8n_result_free(struct t8n_result *r);

/* Apply txs to w (mutated into the post-state) under env and cfg.
 * Returns PAREVM_OK (then *out is filled), PAREVM_ERR_ARG for an env that
 * does not fit the fork (missing currentBaseFee from London, withdrawals
 * from Shanghai, currentRandom from Paris, an undeterminable difficulty
 * before it, parentBeaconBlockRoot from Cancun: geth's exit 3 rules), PAREVM_ERR_UNSUPPORTED for a fork
 * parevm does not implement (fork_implemented; nothing is run), PAREVM_ERR_MISSING when BLOCKHASH needed a
 * hash not given, or an internal error; the message is in err. */
int t8n_apply(const struct t8n_config *cfg, const struct t8n_env *env, const struct t8n_txs *txs,
              struct world *w, struct t8n_result *out, char *err, size_t err_len);

/* Writers (appended to out, pretty-printed JSON). alloc: {address:
 * {code, storage, balance, nonce}} sorted by address (code, storage and a
 * zero nonce omitted when empty); result: geth's result.json fields;
 * body: the JSON string "0x<rlp list of included transactions>". */
int t8n_write_alloc(const struct world *w, struct bytebuf *out);
int t8n_write_result(const struct t8n_result *r, struct bytebuf *out);
int t8n_write_body(const struct t8n_result *r, const struct t8n_txs *txs, struct bytebuf *out);
/* The object printed for outputs sent to stdout/stderr: {"alloc":..,
 * "body":..,"result":..} with the parts selected in `parts`. */
enum { T8N_PART_ALLOC = 1, T8N_PART_RESULT = 2, T8N_PART_BODY = 4 };
int t8n_write_combined(const struct world *alloc, const struct t8n_result *r, const struct t8n_txs *txs,
                       unsigned parts, struct bytebuf *out);

#endif
