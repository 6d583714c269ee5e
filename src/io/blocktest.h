/*
 * blocktest — loader for ethereum/tests BlockchainTests JSON files, and the
 * decoder of blocks from their network RLP.
 *
 * A file holds one or more named tests. Each test is a chain: a genesis
 * block (genesisRLP, whose hash must equal genesisBlockHeader.hash) on a
 * pre-state, then blocks given as RLP, some of which are expected to be
 * rejected (expectException). The expected outcome is the post-state (or
 * only its root) of the chain's head and the head's hash (lastblockhash).
 *
 * The RLP of each block is the authoritative form: the decoded
 * `blockHeader`/`transactions` members of the JSON are ignored, and a
 * block whose RLP does not decode is an invalid block (decoding happens
 * when the block is imported, with blocktest_decode_block). Everything
 * else is validated at load time; failures name the file, the test and
 * the field ("bcExample/basefeeExample.json: basefeeExample_Cancun:
 * blocks[0].rlp: bad hex"), and nothing is left allocated.
 *
 * blocktest_run runs one test: it imports the blocks into a chain that
 * keeps every accepted block with its post-state (side chains and
 * reorganisations), applying chain/validate.h and exec_block_sequential.
 */
#ifndef PAREVM_IO_BLOCKTEST_H
#define PAREVM_IO_BLOCKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../chain/block.h"
#include "../chain/transition.h"
#include "../chain/validate.h"
#include "../state/world.h"

struct blocktest_block {
    uint8_t *rlp; /* malloc'ed; NULL when rlp_len == 0 */
    size_t rlp_len;
    char *expect_exception; /* NULL when the block must be valid */
    char *chain_name;       /* `chainname`, NULL when absent */
};

struct blocktest {
    char *name;
    char *network;     /* fork schedule name ("Cancun", "ShanghaiToCancunAtTime15k") */
    char *seal_engine; /* "NoProof" (the only engine these fixtures use); NULL when absent */
    uint8_t *genesis_rlp;
    size_t genesis_rlp_len;
    hash32 genesis_hash; /* genesisBlockHeader.hash */
    struct world pre;
    bool has_post_state; /* postState given: compare whole accounts */
    struct world post;
    bool has_post_state_hash; /* postStateHash given: compare the root only */
    hash32 post_state_hash;
    hash32 last_block_hash;
    struct blocktest_block *blocks;
    size_t block_count;
};

struct blocktest_file {
    char *path; /* as given to the loader */
    struct blocktest *tests;
    size_t count;
};

/* Read and parse a file. On failure returns PAREVM_ERR_IO / _JSON / _HEX /
 * _RANGE / _NOMEM with a message in err[0..err_len) (which starts with
 * `path`), and *out is left empty. */
int blocktest_load_file(const char *path, struct blocktest_file *out, char *err, size_t err_len);

/* Parse JSON text (len bytes, need not be NUL-terminated). `path` is used
 * in messages only. Same results as blocktest_load_file. */
int blocktest_parse(const char *path, const char *json, size_t len, struct blocktest_file *out, char *err,
                    size_t err_len);

void blocktest_file_free(struct blocktest_file *f);

/* Decode a block in network form: rlp([header, transactions, uncles]) or,
 * with a fourth element, rlp([header, transactions, uncles, withdrawals])
 * (EIP-4895). The header has 15 fields, then baseFee (16, EIP-1559),
 * withdrawalsRoot (17, EIP-4895), then blobGasUsed, excessBlobGas and
 * parentBeaconBlockRoot (20, EIP-4844/4788), requestsHash (21, EIP-7685);
 * its has_* flags say which
 * were present (whether that suits the block's fork is the validator's
 * business, chain/validate.h). Each transaction is an RLP list (legacy)
 * or an RLP string holding type || payload (EIP-2718), decoded with
 * tx_decode; senders are not recovered. The block's and every uncle's
 * header hash is keccak of its RLP as given (has_hash = true).
 *
 * Strict: trailing bytes, wrong arity, wrong field sizes (20-byte
 * addresses, 32-byte hashes, 256-byte bloom, 8-byte nonce), integers with
 * leading zeros or over 64 bits (256 for difficulty and base fee) are
 * errors. Returns PAREVM_OK, or PAREVM_ERR_RLP / _RANGE / _UNSUPPORTED /
 * _NOMEM with a message ("transactions[2]: ...") in why[0..why_len); *b
 * is then left empty (block_free-able). digest may be NULL. */
int blocktest_decode_block(const uint8_t *rlp, size_t len, struct block *b, struct block_digest *digest,
                           char *why, size_t why_len);

/* Decode one header from its RLP item bytes (exactly one item); the hash
 * is computed from those bytes. Same errors as above. */
int blocktest_decode_header(const uint8_t *rlp, size_t len, struct block_header *h, char *why, size_t why_len);

/* ---- running a test ---- */

/* Which part of a block did not decode (code == BLOCKERR_RLP). */
enum blocktest_decode_part {
    BT_DECODE_BLOCK = 0,   /* the outer list: malformed, trailing bytes, arity */
    BT_DECODE_HEADER,
    BT_DECODE_TRANSACTION, /* one transaction (tx_decode) */
    BT_DECODE_UNCLE,
    BT_DECODE_WITHDRAWAL,
};

/* Why a block was rejected: enough to tell which kinds of rejection the
 * fixture's expectException names may stand for. */
struct blocktest_rejection {
    enum block_error code;
    enum tx_error tx_error; /* when code == BLOCKERR_TX_INVALID */
    enum fork fork;         /* of the rejected block (by its header) */
    /* code == BLOCKERR_RLP: where decoding failed and how
     * (PAREVM_ERR_RLP malformed, _RANGE out of range, _UNSUPPORTED unknown
     * transaction type); decode_field names a field when one is known
     * ("address" of a withdrawal), tx_reason is tx_decode's reason for a
     * transaction ("value", "to: empty (...)"; static, may be NULL). */
    enum blocktest_decode_part decode_part;
    int decode_error;
    const char *decode_field;
    const char *tx_reason;
    /* The transaction at fault (an invalid or undecodable one): its type,
     * -1 when none or unknown, and its blob count (type 3). */
    int tx_type;
    size_t tx_blob_count;
    /* TXERR_INTRINSIC_GAS: the gas limit is below the intrinsic gas, below
     * the EIP-7623 calldata floor (from Prague), or both; neither set: not
     * known (taken as the intrinsic gas). */
    bool tx_below_intrinsic, tx_below_floor;
    char detail[256]; /* the broken rule, with values */
};

/* The rejection's name: the transaction error for an invalid transaction,
 * else the block error (block_error_name). */
const char *blocktest_rejection_name(const struct blocktest_rejection *r);

/* Whether an expectException value names the kind of the rejection. The
 * value is one name or several joined with "|" (any may match; spaces
 * around each are ignored). A name is either an execution-spec-tests
 * exception with its class ("TransactionException.INTRINSIC_GAS_TOO_LOW",
 * "BlockException.INCORRECT_BLOB_GAS_USED": the class must fit, a
 * transaction-level reason is a TransactionException), or one of the older
 * retesteth spellings without a class ("TR_IntrinsicGas", "InvalidGasLimit",
 * and any "RLP_..." for a block that does not decode). An unknown name
 * matches nothing. */
bool blocktest_exception_matches(const char *expected, const struct blocktest_rejection *r);

/* The names (as above) the rejection stands for, joined with "|" into
 * out[0..cap) (truncated, always terminated): for messages. */
void blocktest_rejection_kinds(const struct blocktest_rejection *r, char *out, size_t cap);

struct blocktest_result {
    bool pass;
    hash32 head_hash; /* the chain's head at the end */
    size_t blocks_imported, blocks_rejected;
    char message[512]; /* when !pass: "block N: expected X, got Y" (N from 1),
                          or "genesis: ..." / "post: ..." */
};

/* Called for every block rejected as its expectException said (block
 * counts the fixture's blocks from 1). */
typedef void blocktest_reject_fn(void *arg, size_t block, const char *expected, const struct blocktest_rejection *r);

/* Run test t: decode the genesis block and check its hash and state root
 * against the pre-state, then import every block in order. A block is
 * decoded from its RLP, must have a known parent (any earlier block: side
 * chains are kept), is validated against the parent (validate_header,
 * validate_body, validate_uncles), has its senders recovered, runs with
 * exec_block_sequential on a copy of its parent's state (BLOCKHASH sees
 * the 256 ancestors on its own chain) and is checked against the result
 * (validate_outcome). A rejected block is dropped, and must have
 * expectException naming its reason. An accepted block becomes the head
 * if it is a proof-of-stake block (the fixture's order is the consensus
 * layer's choice), or, before the Merge, if its chain has more total
 * difficulty than the head's (equal: the lower number). Finally
 * the head's state must equal postState (or its root postStateHash) and
 * its hash lastblockhash. Returns PAREVM_OK with res filled (pass or the
 * first mismatch), PAREVM_ERR_UNSUPPORTED when the network schedules a
 * fork parevm does not implement (fork_implemented: the test is refused,
 * nothing run, res->pass false and res->message naming the fork), or an
 * internal error (ENOMEM) with res->message set. */
int blocktest_run(const struct blocktest *t, struct blocktest_result *res, blocktest_reject_fn *on_reject,
                  void *arg);
/* The same, executing blocks with exec_block_parallel under opt (NULL:
 * sequential). The outcome must not depend on opt. */
struct exec_options;
int blocktest_run_with(const struct blocktest *t, const struct exec_options *opt, struct blocktest_result *res,
                       blocktest_reject_fn *on_reject, void *arg);

#endif
