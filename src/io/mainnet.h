/*
 * mainnet — loader for mainnet block snapshots (fixtures/mainnet/<n>/):
 *
 *   block.json         the block as eth_getBlockByNumber(n, true) returns it
 *   pre_state.json     {address: {balance, nonce, code, storage}} of every
 *                      account the block touches, before the block
 *   block_hashes.json  {"<decimal number>": "0xhash"} for BLOCKHASH
 *
 * Everything is validated while loading: every hex field, every length,
 * and every transaction's signature — the sender is recovered and must
 * equal the JSON `from`, and the re-encoded transaction must hash to its
 * `hash`. On failure the message names the file and the field
 * ("mainnet/19426587/block.json: transactions[3].r: bad hex") and nothing
 * stays allocated.
 */
#ifndef PAREVM_IO_MAINNET_H
#define PAREVM_IO_MAINNET_H

#include <stddef.h>

#include "../chain/block.h"
#include "../exec/block_hashes.h"
#include "../state/world.h"

struct block_result; /* exec/exec.h */

struct mainnet_fixture {
    char *dir; /* as given, without a trailing '/' */
    struct block block;
    struct world pre;
    struct block_hashes hashes; /* numbers sorted ascending */
    /* The chain: the config it was loaded with, or the network that
     * DIR/chain.json names ({"network": NAME}, a BlockchainTests network
     * name such as "Amsterdam": its fork schedule, the rest cfg's). */
    struct chain_config cfg;
    enum fork fork; /* of the block under cfg */
};

/* Load dir/{block,pre_state,block_hashes}.json, and dir/chain.json where
 * it exists (a block of a network other than cfg's: out->cfg); senders
 * are recovered under the fork of the block on out->cfg. Returns PAREVM_OK, or PAREVM_ERR_IO /
 * _JSON / _HEX / _RANGE / _SIGNATURE / _UNSUPPORTED / _NOMEM with a
 * message in err[0..err_len). _UNSUPPORTED also when cfg puts the block
 * in a fork parevm does not implement (fork_implemented): such a block is
 * refused, never run under another fork's rules. *out is empty on
 * failure. */
int mainnet_load(const char *dir, const struct chain_config *cfg, struct mainnet_fixture *out, char *err,
                 size_t err_len);
void mainnet_fixture_free(struct mainnet_fixture *f);

/* The three parts, from JSON text (len bytes, need not be NUL-terminated);
 * `path` is used in messages only. Same results as mainnet_load. */
int mainnet_parse_block(const char *path, const char *json, size_t len, const struct chain_config *cfg,
                        struct block *out, char *err, size_t err_len);
int mainnet_parse_state(const char *path, const char *json, size_t len, struct world *out, char *err,
                        size_t err_len);
int mainnet_parse_block_hashes(const char *path, const char *json, size_t len, struct block_hashes *out,
                               char *err, size_t err_len);
void block_hashes_free(struct block_hashes *h);
/* chain.json: {"network": NAME}; *out is cfg with NAME's fork schedule. */
int mainnet_parse_chain(const char *path, const char *json, size_t len, const struct chain_config *cfg,
                        struct chain_config *out, char *err, size_t err_len);

/* Check every header field of fx's block that the block and its
 * execution result r (exec_block_*, valid, no error) determine:
 * transactionsRoot, sha3Uncles (when the block has no uncles: the RPC
 * JSON lists uncles by hash only, so keccak(rlp(uncle headers)) is
 * unknown otherwise), withdrawalsRoot (Shanghai), gasUsed, logsBloom,
 * receiptsRoot (Byzantium on: before it receipts hold intermediate state
 * roots, which a partial state cannot give), blobGasUsed (Cancun),
 * requestsHash (Prague, EIP-7685) and the block hash (keccak of the RLP
 * header with the fields of its fork). Not checked: stateRoot (the
 * pre-state is partial) and excessBlobGas / baseFeePerGas / difficulty
 * (they derive from the parent header, which the snapshot lacks).
 * Each mismatch is appended to why as "FIELD: expected X, computed Y"
 * ("; " between two). Returns PAREVM_OK (then why->len == 0 means the
 * header holds), or PAREVM_ERR_NOMEM. */
int mainnet_check_header(const struct mainnet_fixture *fx, const struct block_result *r, struct bytebuf *why);
/* Amsterdam (h->has_bal_hash): the header's blockAccessListHash against
 * keccak(rlp(list)), the list the block produced; a mismatch appended to
 * why as above. Returns PAREVM_OK, or an error of bal_hash. */
struct bal;
int mainnet_check_bal_hash(const struct block_header *h, const struct bal *list, struct bytebuf *why);

#endif
