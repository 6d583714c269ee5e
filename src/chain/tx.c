/*
 * Transactions: decoding, encoding, hashing, sender recovery, intrinsic
 * gas. Field layouts (network form):
 *   0 legacy   rlp([nonce, gas_price, gas, to, value, data, v, r, s])
 *   1 EIP-2930 0x01 || rlp([chain_id, nonce, gas_price, gas, to, value, data,
 *                           access_list, y_parity, r, s])
 *   2 EIP-1559 0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas,
 *                           max_fee_per_gas, gas, to, value, data,
 *                           access_list, y_parity, r, s])
 *   3 EIP-4844 0x03 || rlp([chain_id, nonce, max_priority_fee_per_gas,
 *                           max_fee_per_gas, gas, to, value, data,
 *                           access_list, max_fee_per_blob_gas,
 *                           blob_versioned_hashes, y_parity, r, s])
 *   4 EIP-7702 0x04 || rlp([chain_id, nonce, max_priority_fee_per_gas,
 *                           max_fee_per_gas, gas, to, value, data,
 *                           access_list, authorization_list, y_parity, r, s])
 *              authorization_list = [[chain_id, address, nonce, y_parity,
 *                                     r, s], ...]
 * The signing payload of each is the same list without the signature
 * (legacy: see tx_signing_hash for EIP-155).
 */
#include "tx.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "../base/secp.h"

/* secp256k1 group order n, and n / 2 (EIP-2), big-endian. */
static const uint8_t SECP256K1_N[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                        0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t SECP256K1_HALF_N[32] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                             0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* ---- freeing ---- */

void tx_free(struct tx *tx)
{
    if (!tx)
        return;
    free(tx->data);
    for (size_t i = 0; i < tx->access_list_len; i++)
        free(tx->access_list[i].keys);
    free(tx->access_list);
    free(tx->blob_hashes);
    free(tx->authorizations);
    tx->authorizations = NULL;
    tx->authorization_count = 0;
    tx->data = NULL;
    tx->data_len = 0;
    tx->access_list = NULL;
    tx->access_list_len = 0;
    tx->blob_hashes = NULL;
    tx->blob_hash_count = 0;
}

/* ---- decoding ---- */

/* Field counts per type (exact arity). */
static const long TX_FIELD_COUNT[5] = {9, 11, 12, 14, 13};

struct tx_decoder {
    struct rlp_iter it;
    const char **why;
};

static int tx_fail(struct tx_decoder *dec, int err, const char *why)
{
    if (dec->why)
        *dec->why = why;
    return err;
}

/* Next field of the transaction list; the arity was checked up front. */
static int tx_next(struct tx_decoder *dec, struct rlp_item *item, const char *name)
{
    int err = PAREVM_OK;
    if (!rlp_iter_next(&dec->it, item, &err) || err)
        return tx_fail(dec, PAREVM_ERR_RLP, name);
    return PAREVM_OK;
}

/* An integer field and what can be wrong with it, each reason starting with
 * the field's name and ':' (blocktest maps a reason to the fixtures'
 * exception names by that prefix). Static strings: tx_decode's reason
 * outlives the call. */
struct int_field {
    const char *name, *is_list, *leading_zero, *too_long;
};
#define INT_FIELD(id, field, bytes)                                                                          \
    static const struct int_field id = {field, field ": a list where an integer belongs",                    \
                                        field ": leading zero byte (not a canonical integer)",               \
                                        field ": longer than " #bytes " bytes"}
INT_FIELD(F_CHAIN_ID, "chain_id", 8);
INT_FIELD(F_NONCE, "nonce", 8);
INT_FIELD(F_GAS_PRICE, "gas_price", 32);
INT_FIELD(F_MAX_PRIORITY_FEE, "max_priority_fee_per_gas", 32);
INT_FIELD(F_MAX_FEE, "max_fee_per_gas", 32);
INT_FIELD(F_GAS_LIMIT, "gas_limit", 8);
INT_FIELD(F_VALUE, "value", 32);
INT_FIELD(F_MAX_FEE_PER_BLOB_GAS, "max_fee_per_blob_gas", 32);
INT_FIELD(F_V, "v", 32);
INT_FIELD(F_Y_PARITY, "y_parity", 32);
INT_FIELD(F_R, "r", 32);
INT_FIELD(F_S, "s", 32);
INT_FIELD(F_AUTH_CHAIN_ID, "authorization: chain_id", 32);
INT_FIELD(F_AUTH_NONCE, "authorization: nonce", 8);
INT_FIELD(F_AUTH_Y_PARITY, "authorization: y_parity", 8);
INT_FIELD(F_AUTH_R, "authorization: r", 32);
INT_FIELD(F_AUTH_S, "authorization: s", 32);
#undef INT_FIELD

/* The reason an integer item failed rlp_item_u64/u256 with `err`. */
static int tx_int_fail(struct tx_decoder *dec, int err, const struct rlp_item *item,
                       const struct int_field *f)
{
    if (item->is_list)
        return tx_fail(dec, err, f->is_list);
    if (item->payload_len > 0 && item->payload[0] == 0)
        return tx_fail(dec, err, f->leading_zero);
    return tx_fail(dec, err, err == PAREVM_ERR_RANGE ? f->too_long : f->name);
}

static int tx_field_u64(struct tx_decoder *dec, uint64_t *out, const struct int_field *f)
{
    struct rlp_item item;
    int err = tx_next(dec, &item, f->name);
    if (err)
        return err;
    if ((err = rlp_item_u64(&item, out)))
        return tx_int_fail(dec, err, &item, f);
    return PAREVM_OK;
}

static int tx_field_u256(struct tx_decoder *dec, u256 *out, const struct int_field *f)
{
    struct rlp_item item;
    int err = tx_next(dec, &item, f->name);
    if (err)
        return err;
    if ((err = rlp_item_u256(&item, out)))
        return tx_int_fail(dec, err, &item, f);
    return PAREVM_OK;
}

/* `to`: 20 bytes, or empty for contract creation when allowed. */
static int tx_field_to(struct tx_decoder *dec, struct tx *tx, bool allow_create)
{
    struct rlp_item item;
    int err = tx_next(dec, &item, "to");
    if (err)
        return err;
    if (item.is_list)
        return tx_fail(dec, PAREVM_ERR_RLP, "to: list instead of string");
    if (item.payload_len == 0) {
        if (!allow_create)
            return tx_fail(dec, PAREVM_ERR_RLP,
                           "to: empty (types 3 and 4 cannot create, EIP-4844, EIP-7702)");
        tx->has_to = false;
        return PAREVM_OK;
    }
    if (item.payload_len != 20)
        return tx_fail(dec, PAREVM_ERR_RLP, "to: not 20 bytes");
    memcpy(tx->to.bytes, item.payload, 20);
    tx->has_to = true;
    return PAREVM_OK;
}

static int tx_field_data(struct tx_decoder *dec, struct tx *tx)
{
    struct rlp_item item;
    int err = tx_next(dec, &item, "data");
    if (err)
        return err;
    if (item.is_list)
        return tx_fail(dec, PAREVM_ERR_RLP, "data: list instead of string");
    if (item.payload_len) {
        tx->data = malloc(item.payload_len);
        if (!tx->data)
            return tx_fail(dec, PAREVM_ERR_NOMEM, "data: out of memory");
        memcpy(tx->data, item.payload, item.payload_len);
    }
    tx->data_len = item.payload_len;
    return PAREVM_OK;
}

/* A list of 32-byte strings (storage keys, blob versioned hashes) into a
 * malloc'ed array. */
static int tx_decode_hash_list(struct tx_decoder *dec, const struct rlp_item *list, hash32 **out,
                               size_t *count, const char *name)
{
    if (!list->is_list)
        return tx_fail(dec, PAREVM_ERR_RLP, name);
    long n = rlp_list_count(list);
    if (n < 0)
        return tx_fail(dec, PAREVM_ERR_RLP, name);
    *out = NULL;
    *count = 0;
    if (n == 0)
        return PAREVM_OK;
    hash32 *hashes = malloc((size_t)n * sizeof(*hashes));
    if (!hashes)
        return tx_fail(dec, PAREVM_ERR_NOMEM, name);
    struct rlp_iter it;
    struct rlp_item item;
    int err = PAREVM_OK;
    size_t i = 0;
    rlp_iter_init(&it, list);
    while (rlp_iter_next(&it, &item, &err) && !err) {
        if (item.is_list || item.payload_len != 32) {
            free(hashes);
            return tx_fail(dec, PAREVM_ERR_RLP, name);
        }
        memcpy(hashes[i++].bytes, item.payload, 32);
    }
    if (err || i != (size_t)n) {
        free(hashes);
        return tx_fail(dec, PAREVM_ERR_RLP, name);
    }
    *out = hashes;
    *count = i;
    return PAREVM_OK;
}

/* EIP-2930 access list: [[address, [key, ...]], ...]. */
static int tx_field_access_list(struct tx_decoder *dec, struct tx *tx)
{
    struct rlp_item list;
    int err = tx_next(dec, &list, "access_list");
    if (err)
        return err;
    if (!list.is_list)
        return tx_fail(dec, PAREVM_ERR_RLP, "access_list: not a list");
    long n = rlp_list_count(&list);
    if (n < 0)
        return tx_fail(dec, PAREVM_ERR_RLP, "access_list: malformed");
    if (n == 0)
        return PAREVM_OK;
    tx->access_list = calloc((size_t)n, sizeof(*tx->access_list));
    if (!tx->access_list)
        return tx_fail(dec, PAREVM_ERR_NOMEM, "access_list: out of memory");

    struct rlp_iter it;
    struct rlp_item entry;
    rlp_iter_init(&it, &list);
    while (rlp_iter_next(&it, &entry, &err) && !err) {
        if (!entry.is_list || rlp_list_count(&entry) != 2)
            return tx_fail(dec, PAREVM_ERR_RLP, "access_list: entry is not [address, keys]");
        struct rlp_iter eit;
        struct rlp_item addr, keys;
        rlp_iter_init(&eit, &entry);
        if (!rlp_iter_next(&eit, &addr, &err) || err || !rlp_iter_next(&eit, &keys, &err) || err)
            return tx_fail(dec, PAREVM_ERR_RLP, "access_list: malformed entry");
        if (addr.is_list || addr.payload_len != 20)
            return tx_fail(dec, PAREVM_ERR_RLP, "access_list: address not 20 bytes");
        /* Count the entry before filling it so tx_free releases it. */
        struct access_list_entry *e = &tx->access_list[tx->access_list_len++];
        memcpy(e->addr.bytes, addr.payload, 20);
        if ((err = tx_decode_hash_list(dec, &keys, &e->keys, &e->key_count,
                                       "access_list: storage key not 32 bytes")))
            return err;
    }
    if (err || tx->access_list_len != (size_t)n)
        return tx_fail(dec, PAREVM_ERR_RLP, "access_list: malformed");
    return PAREVM_OK;
}

/* One item of a list as a u256 / u64. */
static int tx_item_u256(struct tx_decoder *dec, struct rlp_iter *it, u256 *out, const struct int_field *f)
{
    struct rlp_item item;
    int err = PAREVM_OK;
    if (!rlp_iter_next(it, &item, &err) || err)
        return tx_fail(dec, PAREVM_ERR_RLP, f->name);
    if ((err = rlp_item_u256(&item, out)))
        return tx_int_fail(dec, err, &item, f);
    return PAREVM_OK;
}

static int tx_item_u64(struct tx_decoder *dec, struct rlp_iter *it, uint64_t *out, const struct int_field *f)
{
    struct rlp_item item;
    int err = PAREVM_OK;
    if (!rlp_iter_next(it, &item, &err) || err)
        return tx_fail(dec, PAREVM_ERR_RLP, f->name);
    if ((err = rlp_item_u64(&item, out)))
        return tx_int_fail(dec, err, &item, f);
    return PAREVM_OK;
}

/* EIP-7702 authorization list: [[chain_id, address, nonce, y_parity, r,
 * s], ...], not empty. y_parity is a U8 and nonce a U64 in the spec's
 * types: values that do not fit make the transaction undecodable. */
static int tx_field_authorizations(struct tx_decoder *dec, struct tx *tx)
{
    struct rlp_item list;
    int err = tx_next(dec, &list, "authorization_list");
    if (err)
        return err;
    if (!list.is_list)
        return tx_fail(dec, PAREVM_ERR_RLP, "authorization_list: not a list");
    long n = rlp_list_count(&list);
    if (n < 0)
        return tx_fail(dec, PAREVM_ERR_RLP, "authorization_list: malformed");
    if (n == 0)
        return tx_fail(dec, PAREVM_ERR_RLP, "authorization_list: empty (EIP-7702)");
    tx->authorizations = calloc((size_t)n, sizeof(*tx->authorizations));
    if (!tx->authorizations)
        return tx_fail(dec, PAREVM_ERR_NOMEM, "authorization_list: out of memory");

    struct rlp_iter it;
    struct rlp_item entry;
    rlp_iter_init(&it, &list);
    while (rlp_iter_next(&it, &entry, &err) && !err) {
        if (!entry.is_list || rlp_list_count(&entry) != 6)
            return tx_fail(dec, PAREVM_ERR_RLP, "authorization: not a list of 6 fields");
        struct authorization *a = &tx->authorizations[tx->authorization_count++];
        struct rlp_iter eit;
        struct rlp_item addr;
        uint64_t y_parity;
        rlp_iter_init(&eit, &entry);
        if ((err = tx_item_u256(dec, &eit, &a->chain_id, &F_AUTH_CHAIN_ID)))
            return err;
        if (!rlp_iter_next(&eit, &addr, &err) || err || addr.is_list || addr.payload_len != 20)
            return tx_fail(dec, PAREVM_ERR_RLP, "authorization: address not 20 bytes");
        memcpy(a->addr.bytes, addr.payload, 20);
        if ((err = tx_item_u64(dec, &eit, &a->nonce, &F_AUTH_NONCE)) ||
            (err = tx_item_u64(dec, &eit, &y_parity, &F_AUTH_Y_PARITY)))
            return err;
        if (y_parity > 0xff)
            return tx_fail(dec, PAREVM_ERR_RANGE, "authorization: y_parity over 8 bits");
        a->y_parity = (uint8_t)y_parity;
        if ((err = tx_item_u256(dec, &eit, &a->r, &F_AUTH_R)) ||
            (err = tx_item_u256(dec, &eit, &a->s, &F_AUTH_S)))
            return err;
    }
    if (err || tx->authorization_count != (size_t)n)
        return tx_fail(dec, PAREVM_ERR_RLP, "authorization_list: malformed");
    return PAREVM_OK;
}

/* The legacy v: 27/28, or EIP-155 {35, 36} + 2 * chain_id. Other values
 * decode (they are well-formed RLP) and fail in tx_recover_sender. */
static int tx_legacy_v(struct tx_decoder *dec, struct tx *tx)
{
    u256 v35 = u256_from_u64(35);
    tx->has_chain_id = false;
    tx->chain_id = 0;
    if (u256_lt(&tx->v, &v35))
        return PAREVM_OK;
    u256 id = u256_sub(&tx->v, &v35);
    id = u256_shr(&id, 1);
    if (!u256_fits_u64(&id))
        return tx_fail(dec, PAREVM_ERR_RANGE, "v: chain id does not fit 64 bits");
    tx->has_chain_id = true;
    tx->chain_id = id.w[0];
    return PAREVM_OK;
}

static int tx_decode_fields(struct tx_decoder *dec, struct tx *tx)
{
    int err;
    uint8_t type = tx->type;
    if (type != 0) {
        if ((err = tx_field_u64(dec, &tx->chain_id, &F_CHAIN_ID)))
            return err;
        tx->has_chain_id = true;
    }
    if ((err = tx_field_u64(dec, &tx->nonce, &F_NONCE)))
        return err;
    if (type <= 1) {
        if ((err = tx_field_u256(dec, &tx->gas_price, &F_GAS_PRICE)))
            return err;
        tx->max_priority_fee_per_gas = tx->gas_price;
        tx->max_fee_per_gas = tx->gas_price;
    } else {
        /* EIP-1559 */
        if ((err = tx_field_u256(dec, &tx->max_priority_fee_per_gas, &F_MAX_PRIORITY_FEE)))
            return err;
        if ((err = tx_field_u256(dec, &tx->max_fee_per_gas, &F_MAX_FEE)))
            return err;
        tx->gas_price = tx->max_fee_per_gas;
    }
    if ((err = tx_field_u64(dec, &tx->gas_limit, &F_GAS_LIMIT)))
        return err;
    if ((err = tx_field_to(dec, tx, type != 3 && type != 4)))
        return err;
    if ((err = tx_field_u256(dec, &tx->value, &F_VALUE)))
        return err;
    if ((err = tx_field_data(dec, tx)))
        return err;
    if (type != 0 && (err = tx_field_access_list(dec, tx)))
        return err;
    if (type == 3) {
        /* EIP-4844 */
        struct rlp_item hashes;
        if ((err = tx_field_u256(dec, &tx->max_fee_per_blob_gas, &F_MAX_FEE_PER_BLOB_GAS)))
            return err;
        if ((err = tx_next(dec, &hashes, "blob_versioned_hashes")))
            return err;
        if ((err = tx_decode_hash_list(dec, &hashes, &tx->blob_hashes, &tx->blob_hash_count,
                                       "blob_versioned_hashes: not a list of 32-byte hashes")))
            return err;
    }
    if (type == 4 && (err = tx_field_authorizations(dec, tx))) /* EIP-7702 */
        return err;
    if ((err = tx_field_u256(dec, &tx->v, type == 0 ? &F_V : &F_Y_PARITY)))
        return err;
    if ((err = tx_field_u256(dec, &tx->r, &F_R)))
        return err;
    if ((err = tx_field_u256(dec, &tx->s, &F_S)))
        return err;
    if (type == 0)
        return tx_legacy_v(dec, tx);
    /* EIP-2930/1559/4844/7702: the signature carries a bare y parity. */
    u256 one = u256_from_u64(1);
    if (u256_gt(&tx->v, &one))
        return tx_fail(dec, PAREVM_ERR_RLP, "y_parity: not 0 or 1");
    return PAREVM_OK;
}

int tx_decode(const uint8_t *raw, size_t len, struct tx *tx, const char **why)
{
    struct tx_decoder dec = {.why = why};
    if (why)
        *why = NULL;
    if (!tx)
        return PAREVM_ERR_ARG;
    memset(tx, 0, sizeof(*tx));
    if (!raw || len == 0)
        return tx_fail(&dec, PAREVM_ERR_RLP, "empty input");

    /* EIP-2718: a first byte in [0, 0x7f] is a type; a list (>= 0xc0) is a
     * legacy transaction; anything else is not a transaction. */
    uint8_t type = 0;
    if (raw[0] < 0x80) {
        type = raw[0];
        if (type > 4)
            return tx_fail(&dec, PAREVM_ERR_UNSUPPORTED, "unknown transaction type");
        if (type == 0)
            return tx_fail(&dec, PAREVM_ERR_RLP, "type 0 must be sent as a bare legacy list");
        raw++;
        len--;
    } else if (raw[0] < 0xc0) {
        return tx_fail(&dec, PAREVM_ERR_RLP, "not a list");
    }
    tx->type = type;

    struct rlp_item list;
    if (rlp_decode_whole(raw, len, &list))
        return tx_fail(&dec, PAREVM_ERR_RLP, "malformed RLP or trailing bytes");
    if (!list.is_list)
        return tx_fail(&dec, PAREVM_ERR_RLP, "not a list");
    long count = rlp_list_count(&list);
    if (count < 0)
        return tx_fail(&dec, PAREVM_ERR_RLP, "malformed list item");
    if (count != TX_FIELD_COUNT[type])
        return tx_fail(&dec, PAREVM_ERR_RLP,
                       count < TX_FIELD_COUNT[type] ? "too few fields" : "too many fields");

    rlp_iter_init(&dec.it, &list);
    int err = tx_decode_fields(&dec, tx);
    if (err) {
        tx_free(tx);
        memset(tx, 0, sizeof(*tx));
        return err;
    }
    return PAREVM_OK;
}

/* ---- encoding ---- */

static int tx_encode_access_list(const struct tx *tx, struct bytebuf *out)
{
    int err;
    size_t outer = rlp_list_begin(out);
    for (size_t i = 0; i < tx->access_list_len; i++) {
        const struct access_list_entry *e = &tx->access_list[i];
        size_t entry = rlp_list_begin(out);
        if ((err = rlp_encode_bytes(out, e->addr.bytes, 20)))
            return err;
        size_t keys = rlp_list_begin(out);
        for (size_t k = 0; k < e->key_count; k++)
            if ((err = rlp_encode_bytes(out, e->keys[k].bytes, 32)))
                return err;
        if ((err = rlp_list_end(out, keys)) || (err = rlp_list_end(out, entry)))
            return err;
    }
    return rlp_list_end(out, outer);
}

/* Append the fields shared by the signed and the signing forms: everything
 * up to (excluding) the signature. */
static int tx_encode_payload_fields(const struct tx *tx, struct bytebuf *out)
{
    int err;
    if (tx->type != 0 && (err = rlp_encode_u64(out, tx->chain_id)))
        return err;
    if ((err = rlp_encode_u64(out, tx->nonce)))
        return err;
    if (tx->type <= 1) {
        if ((err = rlp_encode_u256(out, &tx->gas_price)))
            return err;
    } else {
        if ((err = rlp_encode_u256(out, &tx->max_priority_fee_per_gas)) ||
            (err = rlp_encode_u256(out, &tx->max_fee_per_gas)))
            return err;
    }
    if ((err = rlp_encode_u64(out, tx->gas_limit)))
        return err;
    if ((err = rlp_encode_bytes(out, tx->to.bytes, tx->has_to ? 20 : 0)))
        return err;
    if ((err = rlp_encode_u256(out, &tx->value)))
        return err;
    if ((err = rlp_encode_bytes(out, tx->data, tx->data_len)))
        return err;
    if (tx->type != 0 && (err = tx_encode_access_list(tx, out)))
        return err;
    if (tx->type == 3) {
        if ((err = rlp_encode_u256(out, &tx->max_fee_per_blob_gas)))
            return err;
        size_t hashes = rlp_list_begin(out);
        for (size_t i = 0; i < tx->blob_hash_count; i++)
            if ((err = rlp_encode_bytes(out, tx->blob_hashes[i].bytes, 32)))
                return err;
        if ((err = rlp_list_end(out, hashes)))
            return err;
    }
    if (tx->type == 4) {
        /* EIP-7702 */
        size_t auths = rlp_list_begin(out);
        for (size_t i = 0; i < tx->authorization_count; i++) {
            const struct authorization *a = &tx->authorizations[i];
            size_t entry = rlp_list_begin(out);
            if ((err = rlp_encode_u256(out, &a->chain_id)) ||
                (err = rlp_encode_bytes(out, a->addr.bytes, 20)) || (err = rlp_encode_u64(out, a->nonce)) ||
                (err = rlp_encode_u64(out, a->y_parity)) || (err = rlp_encode_u256(out, &a->r)) ||
                (err = rlp_encode_u256(out, &a->s)) || (err = rlp_list_end(out, entry)))
                return err;
        }
        if ((err = rlp_list_end(out, auths)))
            return err;
    }
    return PAREVM_OK;
}

int tx_encode(const struct tx *tx, struct bytebuf *out)
{
    if (!tx || !out || tx->type > 4)
        return PAREVM_ERR_ARG;
    int err;
    if (tx->type != 0 && (err = bytebuf_push(out, tx->type)))
        return err;
    size_t list = rlp_list_begin(out);
    if ((err = tx_encode_payload_fields(tx, out)))
        return err;
    if ((err = rlp_encode_u256(out, &tx->v)) || (err = rlp_encode_u256(out, &tx->r)) ||
        (err = rlp_encode_u256(out, &tx->s)))
        return err;
    return rlp_list_end(out, list);
}

int tx_hash(const struct tx *tx, hash32 *out)
{
    if (!tx || !out)
        return PAREVM_ERR_ARG;
    struct bytebuf b = {0};
    int err = tx_encode(tx, &b);
    if (!err)
        keccak256(b.data, b.len, out->bytes);
    bytebuf_free(&b);
    return err;
}

int tx_signing_hash(const struct tx *tx, hash32 *out)
{
    if (!tx || !out || tx->type > 4)
        return PAREVM_ERR_ARG;
    struct bytebuf b = {0};
    int err = PAREVM_OK;
    /* EIP-2718: typed payloads are signed as type || rlp(fields). */
    if (tx->type != 0)
        err = bytebuf_push(&b, tx->type);
    size_t list = rlp_list_begin(&b);
    if (!err)
        err = tx_encode_payload_fields(tx, &b);
    /* EIP-155: a legacy transaction with a chain id signs
     * [..., chain_id, 0, 0]; without one, the six fields only. */
    if (!err && tx->type == 0 && tx->has_chain_id) {
        if (!(err = rlp_encode_u64(&b, tx->chain_id)) && !(err = rlp_encode_u64(&b, 0)))
            err = rlp_encode_u64(&b, 0);
    }
    if (!err)
        err = rlp_list_end(&b, list);
    if (!err)
        keccak256(b.data, b.len, out->bytes);
    bytebuf_free(&b);
    return err;
}

/* ---- sender recovery ---- */

/* The address that signed msg with (r, s, recid): the last 20 bytes of
 * keccak(X || Y) of the recovered public key. r and s were range-checked
 * by the caller. PAREVM_ERR_SIGNATURE when no key recovers. */
static int tx_recover_address(const uint8_t r[32], const uint8_t s[32], int recid, const hash32 *msg,
                              address *out)
{
    const secp256k1_context *ctx = secp_verify_context();
    uint8_t compact[64];
    memcpy(compact, r, 32);
    memcpy(compact + 32, s, 32);
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, compact, recid))
        return PAREVM_ERR_SIGNATURE;
    if (!secp256k1_ecdsa_recover(ctx, &pubkey, &sig, msg->bytes))
        return PAREVM_ERR_SIGNATURE;
    uint8_t pub[65];
    size_t pub_len = sizeof(pub);
    if (!secp256k1_ec_pubkey_serialize(ctx, pub, &pub_len, &pubkey, SECP256K1_EC_UNCOMPRESSED) ||
        pub_len != 65)
        return PAREVM_ERR_SIGNATURE;
    /* Without the 0x04 uncompressed-point prefix. */
    hash32 h;
    keccak256(pub + 1, 64, h.bytes);
    memcpy(out->bytes, h.bytes + 12, 20);
    return PAREVM_OK;
}

int tx_recover_sender(struct tx *tx, enum fork fork)
{
    if (!tx)
        return PAREVM_ERR_ARG;
    tx->has_sender = false;

    /* Recovery id from v, per type and fork. */
    int recid;
    if (tx->type != 0) {
        if (!u256_fits_u64(&tx->v) || tx->v.w[0] > 1)
            return PAREVM_ERR_SIGNATURE;
        recid = (int)tx->v.w[0];
    } else if (!tx->has_chain_id) {
        if (!u256_fits_u64(&tx->v) || (tx->v.w[0] != 27 && tx->v.w[0] != 28))
            return PAREVM_ERR_SIGNATURE;
        recid = (int)(tx->v.w[0] - 27);
    } else {
        /* EIP-155 (Spurious Dragon): v = chain_id * 2 + 35 + y_parity.
         * tx_decode derives chain_id from v; a tx built elsewhere (JSON
         * loaders) may carry both, so check they agree. */
        if (fork < FORK_SPURIOUS)
            return PAREVM_ERR_SIGNATURE;
        u256 base = u256_from_u64(tx->chain_id);
        base = u256_shl(&base, 1);
        u256 v35 = u256_from_u64(35);
        base = u256_add(&base, &v35);
        if (u256_lt(&tx->v, &base))
            return PAREVM_ERR_SIGNATURE;
        u256 parity = u256_sub(&tx->v, &base);
        if (!u256_fits_u64(&parity) || parity.w[0] > 1)
            return PAREVM_ERR_SIGNATURE;
        recid = (int)parity.w[0];
    }

    uint8_t r[32], s[32];
    u256_to_be(&tx->r, r);
    u256_to_be(&tx->s, s);
    static const uint8_t zero[32];
    if (memcmp(r, zero, 32) == 0 || memcmp(r, SECP256K1_N, 32) >= 0)
        return PAREVM_ERR_SIGNATURE;
    if (memcmp(s, zero, 32) == 0 || memcmp(s, SECP256K1_N, 32) >= 0)
        return PAREVM_ERR_SIGNATURE;
    /* EIP-2 (Homestead): s in the lower half, so signatures are not
     * malleable. */
    if (fork >= FORK_HOMESTEAD && memcmp(s, SECP256K1_HALF_N, 32) > 0)
        return PAREVM_ERR_SIGNATURE;

    hash32 msg;
    int err = tx_signing_hash(tx, &msg);
    if (err)
        return err;

    if ((err = tx_recover_address(r, s, recid, &msg, &tx->sender)))
        return err;
    tx->has_sender = true;
    return PAREVM_OK;
}

int tx_authorization_authority(const struct authorization *auth, address *authority)
{
    if (!auth || !authority)
        return PAREVM_ERR_ARG;
    /* EIP-7702: y_parity 0 or 1, 0 < r < n, 0 < s <= n/2. */
    if (auth->y_parity > 1)
        return PAREVM_ERR_SIGNATURE;
    uint8_t r[32], s[32];
    u256_to_be(&auth->r, r);
    u256_to_be(&auth->s, s);
    static const uint8_t zero[32];
    if (memcmp(r, zero, 32) == 0 || memcmp(r, SECP256K1_N, 32) >= 0)
        return PAREVM_ERR_SIGNATURE;
    if (memcmp(s, zero, 32) == 0 || memcmp(s, SECP256K1_HALF_N, 32) > 0)
        return PAREVM_ERR_SIGNATURE;

    /* EIP-7702: the authority signed keccak(MAGIC || rlp([chain_id,
     * address, nonce])), MAGIC = 0x05. */
    struct bytebuf b = {0};
    int err = bytebuf_push(&b, 0x05);
    size_t list = rlp_list_begin(&b);
    if (!err && !(err = rlp_encode_u256(&b, &auth->chain_id)) &&
        !(err = rlp_encode_bytes(&b, auth->addr.bytes, 20)) && !(err = rlp_encode_u64(&b, auth->nonce)))
        err = rlp_list_end(&b, list);
    hash32 msg;
    if (!err)
        keccak256(b.data, b.len, msg.bytes);
    bytebuf_free(&b);
    if (err)
        return err;
    return tx_recover_address(r, s, auth->y_parity, &msg, authority);
}

/* ---- intrinsic gas and fork support ---- */

static uint64_t tx_add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t tx_mul_sat(uint64_t a, uint64_t b)
{
    if (a && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

/* Number of zero bytes in data[0..len). Every transaction's intrinsic gas
 * and (Prague) floor count them, twice each per transaction, so eight
 * bytes go at a time: in y, bit 7 of a byte is set iff that byte of v is
 * zero (the low seven bits add without carrying into the next byte). */
static uint64_t tx_count_zero_bytes(const uint8_t *data, size_t len)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t zeros = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, data + i, 8);
        uint64_t y = ~(((v & low7) + low7) | v | low7);
        zeros += (uint64_t)__builtin_popcountll(y);
    }
    for (; i < len; i++)
        zeros += data[i] == 0;
    return zeros;
}

/* TOTAL_COST_FLOOR_PER_TOKEN: 10 (EIP-7623), 16 from EIP-7976. */
static uint64_t tx_floor_per_token(enum fork fork)
{
    return fork_eip(fork, EIP_7976) ? 16 : 10;
}

/* EIP-7981: an access list's floor tokens, 4 per byte of its addresses
 * (20) and keys (32). */
static uint64_t tx_access_list_tokens(const struct tx *tx)
{
    uint64_t bytes = tx_mul_sat((uint64_t)tx->access_list_len, 20);
    for (size_t i = 0; i < tx->access_list_len; i++)
        bytes = tx_add_sat(bytes, tx_mul_sat((uint64_t)tx->access_list[i].key_count, 32));
    return tx_mul_sat(bytes, 4);
}

/* EIP-2780 (Amsterdam): TX_BASE, what every transaction pays before its
 * recipient, and the recipient's part: a creation's CREATE_ACCESS (from
 * Homestead, EIP-2: 32000; EIP-8037 11000, EIP-8038 12000), a call's
 * access to another account (3000) and TX_VALUE_COST (6000) when it
 * moves value. Before EIP-2780: 21000 and the creation's part alone. */
static uint64_t tx_base_gas(const struct tx *tx, enum fork fork)
{
    bool eip2780 = fork_eip(fork, EIP_2780);
    uint64_t gas = eip2780 ? 12000 : 21000;
    if (!tx->has_to) {
        if (fork >= FORK_HOMESTEAD)
            gas += fork_eip(fork, EIP_8038) ? 12000 : fork_eip(fork, EIP_8037) ? 11000 : 32000;
    } else if (eip2780 && !(tx->has_sender && address_eq(&tx->sender, &tx->to))) {
        /* (a sender not yet recovered counts as another account) */
        gas += 3000;
        if (!u256_is_zero(&tx->value))
            gas += 6000;
    }
    return gas;
}

uint64_t tx_intrinsic_gas(const struct tx *tx, enum fork fork)
{
    uint64_t gas = tx_base_gas(tx, fork);

    uint64_t zeros = tx_count_zero_bytes(tx->data, tx->data_len);
    uint64_t nonzeros = (uint64_t)tx->data_len - zeros;
    /* EIP-2028 (Istanbul): non-zero calldata bytes cost 16 instead of 68. */
    uint64_t nonzero_cost = fork >= FORK_ISTANBUL ? 16 : 68;
    gas = tx_add_sat(gas, tx_mul_sat(zeros, 4));
    gas = tx_add_sat(gas, tx_mul_sat(nonzeros, nonzero_cost));

    /* EIP-2930: 2400 per address, 1900 per storage key. Amsterdam:
     * EIP-7981 3000 each, and the list's bytes pay the floor's price per
     * token as well (tx_access_list_tokens); EIP-8038 (which comes after
     * it, so its prices stand) a cold access less a warm one, 2900 and
     * 2000. */
    if (tx->access_list_len) {
        bool priced = fork_eip(fork, EIP_7981);
        uint64_t keys = 0;
        for (size_t i = 0; i < tx->access_list_len; i++)
            keys = tx_add_sat(keys, (uint64_t)tx->access_list[i].key_count);
        uint64_t per_address = priced ? 3000 : 2400, per_key = priced ? 3000 : 1900;
        if (fork_eip(fork, EIP_8038)) {
            per_address = 2900;
            per_key = 2000;
        }
        gas = tx_add_sat(gas, tx_mul_sat((uint64_t)tx->access_list_len, per_address));
        gas = tx_add_sat(gas, tx_mul_sat(keys, per_key));
        if (priced)
            gas = tx_add_sat(gas, tx_mul_sat(tx_access_list_tokens(tx), tx_floor_per_token(fork)));
    }

    /* EIP-3860 (Shanghai): initcode costs 2 per 32-byte word. */
    if (!tx->has_to && fork >= FORK_SHANGHAI) {
        uint64_t words = (uint64_t)(tx->data_len / 32) + (tx->data_len % 32 != 0);
        gas = tx_add_sat(gas, tx_mul_sat(words, 2));
    }

    /* EIP-7702 (Prague): PER_EMPTY_ACCOUNT_COST = 25000 per authorization
     * (part of it is refunded when the authority already exists). EIP-8037
     * (Amsterdam): 7816, what an authorization costs whatever the state;
     * the authority's write is charged as it is applied. */
    if (tx->type == 4)
        gas = tx_add_sat(gas, tx_mul_sat((uint64_t)tx->authorization_count,
                                         fork_eip(fork, EIP_8037) ? 7816 : 25000));
    return gas;
}

uint64_t tx_floor_gas(const struct tx *tx, enum fork fork)
{
    if (fork < FORK_PRAGUE)
        return 0;
    /* EIP-7623: tokens = zero bytes + 4 * non-zero bytes; floor =
     * TX_BASE_COST + TOTAL_COST_FLOOR_PER_TOKEN * tokens. EIP-7976
     * (Amsterdam): 4 tokens per byte, zero or not; EIP-7981: the access
     * list's bytes count too. */
    uint64_t tokens;
    if (fork_eip(fork, EIP_7976)) {
        tokens = tx_mul_sat((uint64_t)tx->data_len, 4);
    } else {
        uint64_t zeros = tx_count_zero_bytes(tx->data, tx->data_len);
        uint64_t nonzeros = (uint64_t)tx->data_len - zeros;
        tokens = tx_add_sat(zeros, tx_mul_sat(nonzeros, 4));
    }
    if (fork_eip(fork, EIP_7981))
        tokens = tx_add_sat(tokens, tx_access_list_tokens(tx));
    /* (EIP-2780: the floor starts from the transaction's base) */
    uint64_t base = fork_eip(fork, EIP_2780) ? tx_base_gas(tx, fork) : 21000;
    return tx_add_sat(base, tx_mul_sat(tokens, tx_floor_per_token(fork)));
}

bool tx_type_supported(uint8_t type, enum fork fork)
{
    switch (type) {
    case 0:
        return true;
    case 1:
        return fork >= FORK_BERLIN; /* EIP-2930 */
    case 2:
        return fork >= FORK_LONDON; /* EIP-1559 */
    case 3:
        return fork >= FORK_CANCUN; /* EIP-4844 */
    case 4:
        return fork >= FORK_PRAGUE; /* EIP-7702 */
    default:
        return false;
    }
}
