/*
 * statetest — loader for ethereum/tests GeneralStateTests JSON files.
 *
 * A file holds one or more named tests. Each test is one transaction
 * template (lists of data, gas limits and values) run on one pre-state
 * under one block env; its `post` section lists, per fork, the expected
 * state root and logs hash for chosen (data, gas, value) index triples.
 *
 * The loader validates everything up front (hex, number ranges, lengths,
 * post indexes in bounds) so a runner never meets a malformed value. On
 * failure it returns an error code and writes a message naming the file,
 * the test and the field ("stExample/add11.json: add11:
 * transaction.gasLimit[0]: bad hex"); nothing is left allocated.
 */
#ifndef PAREVM_IO_STATETEST_H
#define PAREVM_IO_STATETEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"
#include "../chain/tx.h"
#include "../evm/env.h"
#include "../evm/fork.h"
#include "../state/world.h"

/* One expected outcome: the template instantiated with the given indexes
 * and run under `fork`. */
struct statetest_post {
    enum fork fork;
    size_t data_index, gas_index, value_index;
    hash32 hash;            /* expected state root */
    hash32 logs;            /* expected logs_hash() of the receipt's logs */
    char *expect_exception; /* NULL when the transaction must be valid */
};

struct statetest_bytes {
    uint8_t *data; /* malloc'ed; NULL when len == 0 */
    size_t len;
};

/* transaction.accessLists[i]: absent (null or no accessLists at all) or a
 * list, possibly empty. */
struct statetest_access_list {
    bool present;
    struct access_list_entry *entries; /* owned, with owned key arrays */
    size_t count;
};

/* transaction.value[i]: some fixtures give values beyond 256 bits
 * ("0x:bigint 0x1000...") for transactions that must be rejected as
 * unencodable; such a value is kept as out_of_range. */
struct statetest_value {
    u256 value;
    bool out_of_range;
};

struct statetest {
    char *name;

    /* env */
    address coinbase;
    u256 difficulty;
    uint64_t gas_limit, number, timestamp;
    bool has_base_fee, has_random, has_excess_blob_gas, has_previous_hash;
    u256 base_fee;
    hash32 random;
    uint64_t excess_blob_gas;
    hash32 previous_hash;

    /* pre */
    struct world pre;

    /* transaction template */
    uint64_t nonce;
    bool has_gas_price, has_max_fees, has_blob_fields;
    u256 gas_price;
    u256 max_fee_per_gas, max_priority_fee_per_gas;
    u256 max_fee_per_blob_gas;
    hash32 *blob_hashes; /* blobVersionedHashes (may be present and empty) */
    size_t blob_hash_count;
    bool has_to; /* false: contract creation ("to": "") */
    address to;
    address sender;
    bool has_secret_key;
    hash32 secret_key;
    struct statetest_bytes *data;
    size_t data_count;
    uint64_t *gas_limits;
    size_t gas_count;
    struct statetest_value *values;
    size_t value_count;
    struct statetest_access_list *access_lists; /* NULL or data_count entries */
    size_t access_list_count;
    /* EIP-7702 authorizationList: present makes the transaction type 4.
     * An entry whose nonce or y parity does not fit the RLP types (u64,
     * u8) makes the transaction unencodable (authorizations_out_of_range,
     * statetest_build_tx answers PAREVM_ERR_RANGE). */
    bool has_authorizations;
    bool authorizations_out_of_range;
    struct authorization *authorizations;
    size_t authorization_count;

    struct statetest_post *posts; /* in file order of forks, then entries */
    size_t post_count;
};

struct statetest_file {
    char *path; /* as given to the loader */
    struct statetest *tests;
    size_t count;
};

/* Read and parse a file. On failure returns PAREVM_ERR_IO / _JSON / _HEX /
 * _RANGE / _UNSUPPORTED / _NOMEM with a message in err[0..err_len) (which
 * starts with `path`), and *out is left empty. */
int statetest_load_file(const char *path, struct statetest_file *out, char *err, size_t err_len);

/* Parse JSON text (len bytes, need not be NUL-terminated). `path` is
 * used in messages only. Same results as statetest_load_file. */
int statetest_parse(const char *path, const char *json, size_t len, struct statetest_file *out, char *err,
                    size_t err_len);

void statetest_file_free(struct statetest_file *f);

/* The block env for running test t under fork: chain id 1, the blob base
 * fee derived from currentExcessBlobGas (EIP-4844), base fee zero before
 * London and currentBaseFee (default 10) from London on. */
void statetest_block_env(const struct statetest *t, enum fork fork, struct block_env *env);

/* Instantiate the transaction for post entry p (indexes checked at load
 * time). Type: 3 with blobVersionedHashes, else 2 with maxFeePerGas, else 1
 * when accessLists has a list for this data index, else 0. The sender is
 * the fixture's `sender` (has_sender = true); no signature is set.
 * Returns PAREVM_OK, PAREVM_ERR_NOMEM, or PAREVM_ERR_RANGE when the
 * template cannot be represented (a value past 256 bits): such a
 * transaction can only be rejected. tx must be freed with tx_free. */
int statetest_build_tx(const struct statetest *t, const struct statetest_post *p, struct tx *tx);

#endif
