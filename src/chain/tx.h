/*
 * Transactions: types 0 (legacy, EIP-155), 1 (EIP-2930), 2 (EIP-1559),
 * 3 (EIP-4844), 4 (EIP-7702 set code). Decoding from RLP (canonical network form: legacy is an
 * RLP list, typed is type byte || RLP list), signing hash, sender
 * recovery, intrinsic gas per fork.
 */
#ifndef PAREVM_CHAIN_TX_H
#define PAREVM_CHAIN_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "../evm/fork.h"

struct access_list_entry {
    address addr;
    hash32 *keys; /* storage keys */
    size_t key_count;
};

/* EIP-7702: one entry of a set-code transaction's authorization list,
 * signed by the authority over keccak(0x05 || rlp([chain_id, address,
 * nonce])). Decoded as given; whether it is valid is decided when the
 * transaction runs (an invalid one is skipped, it does not make the
 * transaction invalid). */
struct authorization {
    u256 chain_id;
    address addr;      /* the code to delegate to; zero clears the delegation */
    uint64_t nonce;
    uint8_t y_parity;  /* valid only 0 or 1 */
    u256 r, s;
};

struct tx {
    uint8_t type;       /* 0, 1, 2, 3, 4 */
    uint64_t chain_id;  /* type >= 1, or EIP-155 legacy (has_chain_id) */
    bool has_chain_id;  /* legacy: v encodes the chain id (EIP-155) */
    uint64_t nonce;
    u256 gas_price;     /* type 0/1; for 2/3 mirrors max_fee_per_gas */
    u256 max_priority_fee_per_gas; /* type 2/3/4; for 0/1 = gas_price */
    u256 max_fee_per_gas;          /* type 2/3/4; for 0/1 = gas_price */
    uint64_t gas_limit;
    bool has_to;        /* false: contract creation */
    address to;
    u256 value;
    uint8_t *data;      /* owned (malloc) */
    size_t data_len;
    struct access_list_entry *access_list; /* owned */
    size_t access_list_len;
    u256 max_fee_per_blob_gas;   /* type 3 */
    hash32 *blob_hashes;         /* type 3, owned */
    size_t blob_hash_count;
    struct authorization *authorizations; /* type 4, owned */
    size_t authorization_count;
    u256 v, r, s;       /* signature as encoded (v: 27/28, EIP-155 or y-parity) */
    bool has_sender;    /* sender known (recovered or given) */
    address sender;
};

void tx_free(struct tx *tx); /* releases owned arrays; the struct stays */

/* Decode a transaction in network form (legacy RLP list, or type byte
 * followed by an RLP list). Strict: every field checked for type and
 * canonical encoding, list arity exact, no trailing bytes. On failure
 * returns PAREVM_ERR_RLP / PAREVM_ERR_RANGE / PAREVM_ERR_UNSUPPORTED and,
 * if why != NULL, a static reason string. tx is left freed-empty. */
int tx_decode(const uint8_t *raw, size_t len, struct tx *tx, const char **why);

/* Encode back to network form (appends to out). */
struct bytebuf;
int tx_encode(const struct tx *tx, struct bytebuf *out);

/* keccak of the network form (the transaction hash). */
int tx_hash(const struct tx *tx, hash32 *out);

/* The hash that was signed (EIP-155 for legacy with a chain id). */
int tx_signing_hash(const struct tx *tx, hash32 *out);

/* Recover the sender from (v, r, s) and set tx->sender/has_sender.
 * Enforces EIP-2 (s <= n/2) when fork >= Homestead, r and s in [1, n).
 * PAREVM_ERR_SIGNATURE on failure. */
int tx_recover_sender(struct tx *tx, enum fork fork);

/* Intrinsic gas: 21000 (53000 for creation from Homestead), calldata
 * 4/68 per byte (16 for non-zero from Istanbul, EIP-2028), access list
 * 2400 per address + 1900 per key (EIP-2930), initcode 2 per word
 * (EIP-3860, Shanghai), 25000 per authorization (EIP-7702, Prague).
 * Amsterdam: EIP-7981 3000 per address and per key, and 16 * 4 per
 * access-list byte; EIP-8038 2900 per address, 2000 per key, 12000 for a
 * creation; EIP-2780 a base of 12000, plus 3000 for a call to another
 * account (the sender's recovered address decides) and 6000 more if it
 * moves value; EIP-8037 7816 per authorization. Saturates at UINT64_MAX. */
uint64_t tx_intrinsic_gas(const struct tx *tx, enum fork fork);

/* EIP-7623 (Prague on): the calldata floor, 21000 + 10 * tokens where
 * tokens = zero bytes + 4 * non-zero bytes (EIP-7976: 16 * tokens, 4 per
 * byte; EIP-7981: plus 4 per access-list byte; EIP-2780: the base is the
 * transaction's, as tx_intrinsic_gas counts it). A transaction's gas limit must
 * cover it and it is the least gas the transaction is charged. 0 before
 * Prague (no floor). Saturates at UINT64_MAX. */
uint64_t tx_floor_gas(const struct tx *tx, enum fork fork);

/* EIP-7702: recover the authority (signer) of an authorization. Checks
 * y_parity in {0, 1}, r in [1, n), s in [1, n/2] (EIP-2) and recovers
 * from keccak(0x05 || rlp([chain_id, address, nonce])).
 * PAREVM_ERR_SIGNATURE when any of that fails. */
int tx_authorization_authority(const struct authorization *auth, address *authority);

/* Whether the fork accepts this transaction type at all. */
bool tx_type_supported(uint8_t type, enum fork fork);

#endif
