/*
 * gen — synthetic blocks for tests and benchmarks (`parevm gen`).
 *
 * A generated block is written in the mainnet fixture format
 * (fixtures/mainnet/README.md): block.json (as eth_getBlockByNumber
 * returns it, full transactions), pre_state.json and block_hashes.json, so
 * the same loader and `parevm run` read it. Everything is a function of
 * the options: the same options give byte-identical files.
 *
 * Accounts come from a pool of K externally owned accounts; pool account i
 * has private key keccak256(be64(seed) || be64(i)), re-hashed with
 * keccak256 until libsecp256k1 accepts it as a secret key. Transactions
 * are EIP-1559 (type 2, chain id 1), signed with those keys; `smart` adds
 * EIP-7702 set-code transactions (type 4) whose authorizations are signed
 * by the delegating accounts' keys. The header is
 * self-consistent: after building the block, the generator executes it
 * with the sequential executor and writes the resulting gasUsed,
 * logsBloom, receiptsRoot, state root (the pre-state is the whole
 * world of a synthetic chain, so its root is known) and from Prague the
 * EIP-7685 requests hash (the pre-state then holds the EIP-2935/7002/7251
 * system contracts the block's system calls run), then the transactions
 * root, size and hash.
 */
#ifndef PAREVM_TOOLS_GEN_H
#define PAREVM_TOOLS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../base/types.h"
#include "../evm/fork.h"

enum gen_kind {
    GEN_TRANSFERS, /* plain ETH transfers */
    GEN_ERC20,     /* ERC-20 transfer(to, amount) calls on one token */
    /* Contract scenarios (gen_workloads.c): the pre-state is the world
     * after deploying contracts/ and running setup transactions. */
    GEN_AMM,     /* router swaps over many constant-product pairs */
    GEN_LENDING, /* deposit / borrow / repay on one pool (global index) */
    GEN_NFT,     /* game characters: battle, breed, mint */
    GEN_SUPPLY,  /* supply chain: register, custody transfer, checkpoint */
    GEN_DAO,     /* staking vault: commit, reveal, claim, stake, close */
    GEN_MIXED,   /* a blend of all of the above */
    /* EIP-7702 smart accounts (Prague on): EOAs delegated to
     * contracts/Batcher.sol run batches of token and ether calls, by
     * themselves or through a relayer; not part of mixed. */
    GEN_SMART,
    /* Adversarial blocks (hand-assembled contracts, gen_workloads.c):
     * every transaction increments one storage slot of one contract (a
     * conflict storm, serial by construction); every transaction expands
     * its memory as far as its gas allows (independent, memory-heavy). */
    GEN_STORM,
    GEN_MEMORY,
    /* Every transaction pays one account (blind credits); CREATE2 of one
     * child at one address that self-destructs in the same transaction,
     * again and again; CREATE2 with a salt already used (collisions). */
    GEN_HOTBALANCE,
    GEN_REDEPLOY,
    GEN_CREATE2,
    /* Every transaction calls one contract that calls itself with all
     * its gas until the gas runs out (EIP-150's 63/64 rule stops it near
     * depth 490 at 16M gas, before the 1024 limit); no state written. */
    GEN_RECURSION,
    /* A contract with storage, in the pre-state, that every other
     * transaction self-destructs and the ones between re-create at its
     * address with CREATE2 (a metamorphic contract): before Cancun an
     * existing account deleted, its storage wiped, and the account
     * created again; from Cancun the self-destructs delete nothing. */
    GEN_METAMORPHIC,
    GEN_KIND_COUNT
};

/* "transfers", "erc20", "amm", ...; NULL for a bad kind. */
const char *gen_kind_name(enum gen_kind k);
/* The kind of a name; false when unknown. */
bool gen_kind_from_name(const char *name, enum gen_kind *k);

struct gen_options {
    enum gen_kind kind;
    uint64_t txs;      /* transactions in the block, >= 1 */
    uint64_t accounts; /* pool size K */
    /* 0: independent (distinct senders, distinct recipients, K >= 2 txs).
     * > 0: recipients drawn Zipf(zipf) over the pool (rank r = pool
     * account r), senders distinct (K >= txs). */
    double zipf;
    uint64_t seed;
    enum fork fork; /* London .. Osaka (smart: Prague or later) */
    /* Scenario sizes; 0 = the default (see cli_gen_usage). pools: amm
     * pairs; items: supply items in the warehouse; proposals: dao
     * proposals open or closed at once. */
    uint64_t pools, items, proposals;
};

/* Limits on the options (memory grows with both). */
#define GEN_MAX_TXS 10000000u
#define GEN_MAX_ACCOUNTS 100000000u
#define GEN_MAX_POOLS 100000u /* amm pairs (each is a deployed contract) */
#define GEN_MAX_ITEMS 10000000u
#define GEN_MAX_PROPOSALS 10000000u

/* kind transfers, seed 1, zipf 0, fork Cancun; txs/accounts zero (unset:
 * accounts then defaults to 2 * txs), scenario sizes zero (defaults).
 * (The command line picks Prague for smart when --fork is not given.) */
void gen_options_default(struct gen_options *o);

/* Check the options; on failure returns PAREVM_ERR_ARG and a message. */
int gen_options_check(const struct gen_options *o, char *err, size_t err_len);

/* Build the block and its pre-state, execute it, and write
 * dir/block.json, dir/pre_state.json and dir/block_hashes.json (dir is
 * created if missing; the files are replaced). On success, *summary (if
 * not NULL) receives the block's gas used and hash. Errors: PAREVM_ERR_ARG
 * (options), PAREVM_ERR_IO (files), PAREVM_ERR_NOMEM, or PAREVM_ERR_INTERNAL
 * when the built block does not execute as intended (a bug); err gets a
 * message in every case. */
struct gen_summary {
    uint64_t number;
    uint64_t gas_used;
    hash32 hash;
    size_t accounts_touched; /* EOAs in the pre-state (senders and recipients) */
};
int gen_write_fixture(const struct gen_options *o, const char *dir, struct gen_summary *summary, char *err,
                      size_t err_len);

/* Private key and address of pool account i for a seed (see above).
 * Returns PAREVM_OK, or PAREVM_ERR_NOMEM if no secp256k1 context. */
int gen_account_key(uint64_t seed, uint64_t index, uint8_t key[32], address *addr);

/* Where `gen erc20` puts the token: the last 20 bytes of
 * keccak256("parevm gen: ERC20 token"), the same for every seed. */
address gen_token_address(void);

/* `parevm gen`: argv[0] is "gen". Exit status as in cli.h. */
int cli_gen(int argc, char **argv);
void cli_gen_usage(FILE *out);
/* `parevm gen suite ...` (gen_suite.c): argv[0] is "suite". */
int gen_suite_main(int argc, char **argv);

#endif
