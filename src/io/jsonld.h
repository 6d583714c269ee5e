/* jsonld — the JSON loaders shared by every input format (mainnet
 * fixtures, t8n inputs, state tests): a parsing context that keeps the
 * first failure as a message naming the file and the field
 * ("block.json: transactions[3].r: bad hex"), field-path builders, and
 * one loader for each kind of field (numbers, fixed-size and variable
 * hex, access lists, EIP-7702 authorization lists). Where the formats
 * read a field differently, the context's dialect says which rules
 * apply; each rule below names the format it belongs to. */
#ifndef PAREVM_IO_JSONLD_H
#define PAREVM_IO_JSONLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../base/u256.h"
#include "../chain/tx.h"
#include "../state/world.h"

/* How a format writes its fields, where the formats differ. */
enum json_dialect {
    /* Ethereum JSON-RPC (mainnet block.json, pre_state.json): a number is
     * a string "0x" and 1..64 hex digits; list members are required. */
    JSON_RPC,
    /* geth `evm t8n` inputs: a number is geth's HexOrDecimal ("0x" and
     * 1..64 hex digits, decimal digits, or a JSON integer below 2^53);
     * a non-string where hex is expected is "expected a hex string";
     * fixed-size hex is measured before its digits are checked; access
     * list storageKeys may be absent and are numbers; an authorization's
     * chainId, r and s are reported missing after its other fields. */
    JSON_T8N,
    /* ethereum/tests state tests: a number is "0x" and any count of hex
     * digits ("0x" alone is zero), decimal digits, a JSON integer below
     * 2^53, or either string after "0x:bigint " (a value that may exceed
     * 256 bits); JSON null is a value (a wrong one), not an absence. */
    JSON_STATETEST,
    /* ethereum/tests blockchain tests: numbers as JSON_STATETEST, but
     * strings only; fixed-size hex that does not decode, for any
     * reason, is "expected N bytes of hex". */
    JSON_BLOCKTEST,
};

struct json_ctx {
    const char *path; /* the file, for messages */
    char *err;        /* message buffer (may be NULL) */
    size_t err_len;
    int code;         /* first failure; later ones are ignored so the
                         innermost cause is reported */
    enum json_dialect dialect;
    const char *test; /* test being read (state and blockchain tests),
                         named after the file in messages; NULL outside */
};

/* Record a failure ("PATH: FIELD: message", or "PATH: TEST: FIELD:
 * message" inside a test; FIELD may be NULL) unless one is recorded
 * already; returns the recorded code. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int json_fail(struct json_ctx *c, int code, const char *field, const char *fmt, ...);
int json_nomem(struct json_ctx *c);

/* Field paths for messages, truncated to JSON_FIELD_MAX - 1 characters;
 * buf holds JSON_FIELD_MAX bytes and may alias prefix. */
#define JSON_FIELD_MAX 160
const char *json_field_key(char *buf, const char *prefix, const char *key); /* "prefix.key" */
const char *json_field_index(char *buf, const char *prefix, size_t i);      /* "prefix[i]" */

/* Parse a whole input file's text with io_parse_json's strict rules
 * (no trailing data, no \u0000 in strings, no repeated key); on failure
 * records "PATH: why" in c and returns its code, *root NULL. */
int json_parse(struct json_ctx *c, const char *json, size_t len, cJSON **root);

/* Member by exact name; absent and JSON null are both absent (NULL). */
const cJSON *json_member(const cJSON *obj, const char *key);

/* ---- field loaders ----
 * Each reads one JSON value (FIELD names it in messages), in the
 * context's dialect, and returns PAREVM_OK or the recorded failure:
 * PAREVM_ERR_JSON (wrong JSON type, missing member), PAREVM_ERR_HEX (bad
 * digits), PAREVM_ERR_RANGE (too large), PAREVM_ERR_NOMEM. */

/* A 256-bit number. With overflow non-NULL, a value past 256 bits is not
 * a failure: it reads as 2^256 - 1 and sets *overflow (state tests keep
 * such values to reject the transaction as unencodable). */
int json_u256(struct json_ctx *c, const cJSON *item, const char *field, u256 *out);
int json_u256_ex(struct json_ctx *c, const cJSON *item, const char *field, u256 *out, bool *overflow);
/* The same number given as text (an object key). */
int json_u256_text(struct json_ctx *c, const char *s, const char *field, u256 *out);
/* A number that must fit 64 bits ("value exceeds 64 bits"). */
int json_u64(struct json_ctx *c, const cJSON *item, const char *field, uint64_t *out);

/* Exactly n bytes of hex, "0x" optional (addresses, hashes); the text
 * form reads an object key. */
int json_fixed(struct json_ctx *c, const cJSON *item, const char *field, uint8_t *out, size_t n);
int json_fixed_text(struct json_ctx *c, const char *s, const char *field, uint8_t *out, size_t n);

/* Any even count of hex digits, "0x" optional ("" and "0x" are empty):
 * *out malloc'ed, NULL when *len is 0; both reset on failure. */
int json_bytes(struct json_ctx *c, const cJSON *item, const char *field, uint8_t **out, size_t *len);

/* EIP-2930 access list: [{address, storageKeys: [key, ...]}, ...].
 * *entries (calloc'ed, each with owned keys) and *count are set as soon
 * as the array is sized, so that on failure the caller frees what was
 * read with its usual cleanup. */
int json_access_list(struct json_ctx *c, const cJSON *arr, const char *field,
                     struct access_list_entry **entries, size_t *count);

/* EIP-7702 authorization list: [{chainId, address, nonce, yParity (or
 * v), r, s}, ...]; the authority is recovered when the transaction runs.
 * *list and *count as for json_access_list. A nonce past 64 bits or a y
 * parity past 8 bits cannot be encoded: refused (PAREVM_ERR_RANGE), or,
 * with out_of_range non-NULL, read truncated with *out_of_range set
 * (state tests, whose transaction is then rejected as unencodable; any
 * number past 256 bits likewise). */
int json_authorization_list(struct json_ctx *c, const cJSON *arr, const char *field,
                            struct authorization **list, size_t *count, bool *out_of_range);

/* An account map, {address: {balance, nonce, code, storage: {slot:
 * value}}}, into w (accounts named NAME.ADDRESS in messages; name "" or
 * NULL: ADDRESS). An address given twice (in two spellings) is
 * "duplicate account". By dialect:
 * - JSON_RPC (pre_state.json): every field optional (absent or null:
 *   left at zero; empty code: none), the address checked before the
 *   account is an object, a map that is not an object is "expected an
 *   object of accounts" without a field.
 * - JSON_STATETEST, JSON_BLOCKTEST: all four fields required (in a
 *   state test a JSON null is a wrong value, in a blockchain test a
 *   missing field), the account checked to be an object first, a slot
 *   given twice (in two spellings) is "duplicate storage slot".
 * - JSON_T8N (t8n's alloc.json): as JSON_RPC, but the address read by
 *   json_fixed_text ("expected 20 bytes of hex" for a wrong length, else
 *   "bad hex").
 * On failure w holds what was read so far: the caller frees it. */
int json_accounts(struct json_ctx *c, const cJSON *accounts, const char *name, struct world *w);

#endif
