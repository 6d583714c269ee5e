/* mainnet — mainnet block snapshot loader (see mainnet.h). */
#include "mainnet.h"
#include "file.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/hex.h"
#include "../chain/validate.h"
#include "../exec/bal.h"
#include "../exec/exec.h"
#include "jsonld.h"

static int ld_string(struct json_ctx *ld, const cJSON *item, const char *field, const char **out)
{
    if (!cJSON_IsString(item) || !item->valuestring)
        return json_fail(ld, PAREVM_ERR_JSON, field, "expected a string");
    *out = item->valuestring;
    return PAREVM_OK;
}

static int ld_hex_error(struct json_ctx *ld, int err, const char *field, size_t want)
{
    if (err == PAREVM_ERR_NOMEM)
        return json_nomem(ld);
    if (want && err == PAREVM_ERR_RANGE)
        return json_fail(ld, PAREVM_ERR_HEX, field, "expected %zu bytes of hex", want);
    return json_fail(ld, PAREVM_ERR_HEX, field, "bad hex");
}

/* Required member of obj (named prefix.key in messages). */
static int ld_req(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key,
                  const cJSON **out, char *field)
{
    json_field_key(field, prefix, key);
    *out = json_member(obj, key);
    if (!*out)
        return json_fail(ld, PAREVM_ERR_JSON, field, "missing field");
    return PAREVM_OK;
}

static int ld_req_u64(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key,
                      uint64_t *out)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item;
    int err = ld_req(ld, obj, prefix, key, &item, f);
    return err ? err : json_u64(ld, item, f, out);
}

static int ld_req_u256(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key, u256 *out)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item;
    int err = ld_req(ld, obj, prefix, key, &item, f);
    return err ? err : json_u256(ld, item, f, out);
}

static int ld_req_fixed(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key,
                        uint8_t *out, size_t n)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item;
    int err = ld_req(ld, obj, prefix, key, &item, f);
    return err ? err : json_fixed(ld, item, f, out, n);
}

/* ---- block.json ---- */

static int ld_header(struct json_ctx *ld, const cJSON *obj, const char *prefix, struct block_header *h)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item;
    int err;
    memset(h, 0, sizeof *h);
    if ((err = ld_req_fixed(ld, obj, prefix, "parentHash", h->parent_hash.bytes, 32)) ||
        (err = ld_req_fixed(ld, obj, prefix, "sha3Uncles", h->ommers_hash.bytes, 32)) ||
        (err = ld_req_fixed(ld, obj, prefix, "miner", h->coinbase.bytes, 20)) ||
        (err = ld_req_fixed(ld, obj, prefix, "stateRoot", h->state_root.bytes, 32)) ||
        (err = ld_req_fixed(ld, obj, prefix, "transactionsRoot", h->tx_root.bytes, 32)) ||
        (err = ld_req_fixed(ld, obj, prefix, "receiptsRoot", h->receipts_root.bytes, 32)) ||
        (err = ld_req_fixed(ld, obj, prefix, "logsBloom", h->logs_bloom, 256)) ||
        (err = ld_req_u256(ld, obj, prefix, "difficulty", &h->difficulty)) ||
        (err = ld_req_u64(ld, obj, prefix, "number", &h->number)) ||
        (err = ld_req_u64(ld, obj, prefix, "gasLimit", &h->gas_limit)) ||
        (err = ld_req_u64(ld, obj, prefix, "gasUsed", &h->gas_used)) ||
        (err = ld_req_u64(ld, obj, prefix, "timestamp", &h->timestamp)) ||
        (err = ld_req_fixed(ld, obj, prefix, "mixHash", h->mix_hash.bytes, 32)) ||
        (err = ld_req_fixed(ld, obj, prefix, "nonce", h->nonce, 8)))
        return err;
    if ((err = ld_req(ld, obj, prefix, "extraData", &item, f)))
        return err;
    const char *s = NULL;
    if ((err = ld_string(ld, item, f, &s)))
        return err;
    if ((err = hex_decode(s, h->extra_data, sizeof h->extra_data, &h->extra_data_len)))
        return err == PAREVM_ERR_RANGE
                   ? json_fail(ld, PAREVM_ERR_RANGE, f, "longer than %zu bytes", sizeof h->extra_data)
                   : ld_hex_error(ld, err, f, 0);
    if ((item = json_member(obj, "baseFeePerGas"))) {
        h->has_base_fee = true;
        if ((err = json_u256(ld, item, json_field_key(f, prefix, "baseFeePerGas"), &h->base_fee)))
            return err;
    }
    if ((item = json_member(obj, "withdrawalsRoot"))) {
        h->has_withdrawals_root = true;
        if ((err = json_fixed(ld, item, json_field_key(f, prefix, "withdrawalsRoot"),
                              h->withdrawals_root.bytes, 32)))
            return err;
    }
    const cJSON *blob_used = json_member(obj, "blobGasUsed"), *excess = json_member(obj, "excessBlobGas");
    if (blob_used || excess) {
        h->has_blob_gas = true;
        if ((err = ld_req_u64(ld, obj, prefix, "blobGasUsed", &h->blob_gas_used)) ||
            (err = ld_req_u64(ld, obj, prefix, "excessBlobGas", &h->excess_blob_gas)))
            return err;
    }
    if ((item = json_member(obj, "parentBeaconBlockRoot"))) {
        h->has_parent_beacon_root = true;
        if ((err = json_fixed(ld, item, json_field_key(f, prefix, "parentBeaconBlockRoot"),
                              h->parent_beacon_root.bytes, 32)))
            return err;
    }
    if ((item = json_member(obj, "requestsHash"))) { /* EIP-7685 */
        h->has_requests_hash = true;
        if ((err =
                 json_fixed(ld, item, json_field_key(f, prefix, "requestsHash"), h->requests_hash.bytes, 32)))
            return err;
    }
    /* Amsterdam: EIP-7928's access list hash and EIP-7843's slot number */
    const cJSON *bal_hash = json_member(obj, "blockAccessListHash"), *slot = json_member(obj, "slotNumber");
    if (bal_hash || slot) {
        h->has_bal_hash = h->has_slot_number = true;
        if ((err = ld_req_fixed(ld, obj, prefix, "blockAccessListHash", h->bal_hash.bytes, 32)) ||
            (err = ld_req_u64(ld, obj, prefix, "slotNumber", &h->slot_number)))
            return err;
    }
    /* Later fields imply the earlier ones in the header's RLP. */
    if ((h->has_withdrawals_root && !h->has_base_fee) || (h->has_blob_gas && !h->has_withdrawals_root) ||
        (h->has_parent_beacon_root && !h->has_blob_gas) || (h->has_blob_gas && !h->has_parent_beacon_root) ||
        (h->has_requests_hash && !h->has_parent_beacon_root) || (h->has_bal_hash && !h->has_requests_hash))
        return json_fail(ld, PAREVM_ERR_JSON, prefix, "inconsistent set of fork fields in the header");
    if ((item = json_member(obj, "hash"))) {
        h->has_hash = true;
        if ((err = json_fixed(ld, item, json_field_key(f, prefix, "hash"), h->hash.bytes, 32)))
            return err;
    }
    return PAREVM_OK;
}

static void hex_addr(const address *a, char out[43])
{
    hex_encode(a->bytes, 20, out);
}

/* One transaction object: fields by type, then the signature checks. */
static int ld_tx(struct json_ctx *ld, const cJSON *obj, const char *prefix, enum fork fork, struct tx *tx)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item;
    int err;
    memset(tx, 0, sizeof *tx);
    if (!cJSON_IsObject(obj))
        return json_fail(ld, PAREVM_ERR_JSON, prefix,
                         "expected a transaction object (the block must be fetched with full transactions)");
    uint64_t type = 0;
    if ((item = json_member(obj, "type")) &&
        (err = json_u64(ld, item, json_field_key(f, prefix, "type"), &type)))
        return err;
    if (type > 4)
        return json_fail(ld, PAREVM_ERR_UNSUPPORTED, json_field_key(f, prefix, "type"),
                         "transaction type %llu not supported", (unsigned long long)type);
    tx->type = (uint8_t)type;
    if ((err = ld_req_u64(ld, obj, prefix, "nonce", &tx->nonce)) ||
        (err = ld_req_u64(ld, obj, prefix, "gas", &tx->gas_limit)) ||
        (err = ld_req_u256(ld, obj, prefix, "value", &tx->value)))
        return err;
    if ((item = json_member(obj, "to"))) {
        tx->has_to = true;
        if ((err = json_fixed(ld, item, json_field_key(f, prefix, "to"), tx->to.bytes, 20)))
            return err;
    }
    const char *data_key = json_member(obj, "input") ? "input" : "data";
    if ((err = ld_req(ld, obj, prefix, data_key, &item, f)) ||
        (err = json_bytes(ld, item, f, &tx->data, &tx->data_len)))
        return err;
    if (tx->type >= 2) {
        if ((err = ld_req_u256(ld, obj, prefix, "maxFeePerGas", &tx->max_fee_per_gas)) ||
            (err = ld_req_u256(ld, obj, prefix, "maxPriorityFeePerGas", &tx->max_priority_fee_per_gas)))
            return err;
        tx->gas_price = tx->max_fee_per_gas; /* RPC gasPrice is the effective price: not a field */
    } else {
        if ((err = ld_req_u256(ld, obj, prefix, "gasPrice", &tx->gas_price)))
            return err;
        tx->max_fee_per_gas = tx->gas_price;
        tx->max_priority_fee_per_gas = tx->gas_price;
    }
    if (tx->type >= 1) {
        if ((err = ld_req_u64(ld, obj, prefix, "chainId", &tx->chain_id)))
            return err;
        tx->has_chain_id = true;
        if ((err = ld_req(ld, obj, prefix, "accessList", &item, f)) ||
            (err = json_access_list(ld, item, f, &tx->access_list, &tx->access_list_len)))
            return err;
    }
    if (tx->type == 3) {
        if ((err = ld_req_u256(ld, obj, prefix, "maxFeePerBlobGas", &tx->max_fee_per_blob_gas)) ||
            (err = ld_req(ld, obj, prefix, "blobVersionedHashes", &item, f)))
            return err;
        if (!cJSON_IsArray(item))
            return json_fail(ld, PAREVM_ERR_JSON, f, "expected an array");
        size_t n = (size_t)cJSON_GetArraySize(item);
        if (n && !(tx->blob_hashes = calloc(n, sizeof *tx->blob_hashes)))
            return json_nomem(ld);
        tx->blob_hash_count = n;
        size_t i = 0;
        const cJSON *h;
        char g[JSON_FIELD_MAX];
        cJSON_ArrayForEach(h, item)
        {
            json_field_index(g, f, i);
            if ((err = json_fixed(ld, h, g, tx->blob_hashes[i++].bytes, 32)))
                return err;
        }
    }
    if (tx->type == 4 && ((err = ld_req(ld, obj, prefix, "authorizationList", &item, f)) ||
                          (err = json_authorization_list(ld, item, f, &tx->authorizations,
                                                         &tx->authorization_count, NULL)))) /* EIP-7702 */
        return err;

    /* Signature. Typed: y-parity (yParity, or v, which must agree). Legacy:
     * v is 27/28 or EIP-155 chain_id * 2 + 35/36. */
    if ((err = ld_req_u256(ld, obj, prefix, "r", &tx->r)) ||
        (err = ld_req_u256(ld, obj, prefix, "s", &tx->s)))
        return err;
    const cJSON *vj = json_member(obj, "v"), *pj = json_member(obj, "yParity");
    u256 v = u256_zero(), parity = u256_zero();
    if (vj && (err = json_u256(ld, vj, json_field_key(f, prefix, "v"), &v)))
        return err;
    if (pj && (err = json_u256(ld, pj, json_field_key(f, prefix, "yParity"), &parity)))
        return err;
    if (tx->type == 0) {
        if (!vj)
            return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, "v"), "missing field");
        tx->v = v;
        u256 v35 = u256_from_u64(35);
        if (!u256_lt(&v, &v35)) {
            u256 id = u256_sub(&v, &v35);
            id = u256_shr(&id, 1);
            if (!u256_fits_u64(&id))
                return json_fail(ld, PAREVM_ERR_RANGE, json_field_key(f, prefix, "v"),
                                 "chain id exceeds 64 bits");
            tx->has_chain_id = true;
            tx->chain_id = id.w[0];
            uint64_t given;
            if ((item = json_member(obj, "chainId"))) {
                if ((err = json_u64(ld, item, json_field_key(f, prefix, "chainId"), &given)))
                    return err;
                if (given != tx->chain_id)
                    return json_fail(ld, PAREVM_ERR_SIGNATURE, f, "%llu disagrees with v (chain id %llu)",
                                     (unsigned long long)given, (unsigned long long)tx->chain_id);
            }
        }
    } else {
        if (!vj && !pj)
            return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, "yParity"), "missing field");
        if (vj && pj && !u256_eq(&v, &parity))
            return json_fail(ld, PAREVM_ERR_SIGNATURE, json_field_key(f, prefix, "yParity"),
                             "disagrees with v");
        tx->v = pj ? parity : v;
        u256 one = u256_from_u64(1);
        if (u256_gt(&tx->v, &one))
            return json_fail(ld, PAREVM_ERR_SIGNATURE, json_field_key(f, prefix, pj ? "yParity" : "v"),
                             "not 0 or 1");
    }

    if ((err = tx_recover_sender(tx, fork))) {
        if (err == PAREVM_ERR_NOMEM)
            return json_nomem(ld);
        return json_fail(ld, PAREVM_ERR_SIGNATURE, prefix, "invalid signature: sender not recoverable");
    }
    if ((item = json_member(obj, "from"))) {
        address from;
        if ((err = json_fixed(ld, item, json_field_key(f, prefix, "from"), from.bytes, 20)))
            return err;
        if (!address_eq(&from, &tx->sender)) {
            char a[43], b[43];
            hex_addr(&tx->sender, a);
            hex_addr(&from, b);
            return json_fail(ld, PAREVM_ERR_SIGNATURE, prefix, "recovered sender %s differs from `from` %s",
                             a, b);
        }
    }
    if ((item = json_member(obj, "hash"))) {
        hash32 given, computed;
        if ((err = json_fixed(ld, item, json_field_key(f, prefix, "hash"), given.bytes, 32)))
            return err;
        if ((err = tx_hash(tx, &computed)))
            return err == PAREVM_ERR_NOMEM ? json_nomem(ld) : json_fail(ld, err, prefix, "cannot encode");
        if (!hash32_eq(&given, &computed))
            return json_fail(ld, PAREVM_ERR_JSON, f, "does not match the transaction's fields");
    }
    return PAREVM_OK;
}

static int ld_withdrawals(struct json_ctx *ld, const cJSON *arr, struct block *b)
{
    char f[JSON_FIELD_MAX];
    if (!cJSON_IsArray(arr))
        return json_fail(ld, PAREVM_ERR_JSON, "withdrawals", "expected an array");
    b->has_withdrawals = true;
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n && !(b->withdrawals = calloc(n, sizeof *b->withdrawals)))
        return json_nomem(ld);
    b->withdrawal_count = n;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        struct withdrawal *w = &b->withdrawals[i];
        json_field_index(f, "withdrawals", i++);
        if (!cJSON_IsObject(e))
            return json_fail(ld, PAREVM_ERR_JSON, f, "expected an object");
        int err;
        if ((err = ld_req_u64(ld, e, f, "index", &w->index)) ||
            (err = ld_req_u64(ld, e, f, "validatorIndex", &w->validator_index)) ||
            (err = ld_req_fixed(ld, e, f, "address", w->addr.bytes, 20)) ||
            (err = ld_req_u64(ld, e, f, "amount", &w->amount_gwei)))
            return err;
    }
    return PAREVM_OK;
}

static int ld_block(struct json_ctx *ld, const cJSON *root, const struct chain_config *cfg, struct block *b)
{
    char f[JSON_FIELD_MAX];
    int err;
    if (!cJSON_IsObject(root))
        return json_fail(ld, PAREVM_ERR_JSON, NULL, "expected a block object");
    if ((err = ld_header(ld, root, "", &b->header)))
        return err;
    enum fork fork = chain_config_header_fork(cfg, &b->header);
    /* Never run a block under an older fork's rules: a block the chain
     * config puts in a fork parevm does not implement is refused. */
    if (!fork_implemented(fork))
        return json_fail(ld, PAREVM_ERR_UNSUPPORTED, "timestamp",
                         "block %llu at timestamp %llu is in fork %s, which parevm does not implement",
                         (unsigned long long)b->header.number, (unsigned long long)b->header.timestamp,
                         fork_name(fork));
    /* EIP-7928's hash is in the header of every block of a fork with
     * the list, and of no other (a block of another chain, read under
     * this one's schedule, is refused rather than run under the wrong
     * fork) */
    if (fork_eip(fork, EIP_7928) != b->header.has_bal_hash)
        return json_fail(ld, PAREVM_ERR_JSON, "blockAccessListHash",
                         b->header.has_bal_hash
                             ? "block %llu at timestamp %llu is in fork %s, which has no block access list "
                               "(EIP-7928); a block of another network needs a chain.json naming it"
                             : "missing field: block %llu at timestamp %llu is in fork %s (EIP-7928)",
                         (unsigned long long)b->header.number, (unsigned long long)b->header.timestamp,
                         fork_name(fork));

    const cJSON *uncles = json_member(root, "uncles");
    if (uncles) {
        if (!cJSON_IsArray(uncles))
            return json_fail(ld, PAREVM_ERR_JSON, "uncles", "expected an array");
        const cJSON *u;
        size_t objects = 0;
        cJSON_ArrayForEach(u, uncles) objects += cJSON_IsObject(u);
        if (objects && !(b->uncles = calloc(objects, sizeof *b->uncles)))
            return json_nomem(ld);
        size_t i = 0;
        cJSON_ArrayForEach(u, uncles)
        {
            json_field_index(f, "uncles", i++);
            if (cJSON_IsObject(u)) {
                if ((err = ld_header(ld, u, f, &b->uncles[b->uncle_count])))
                    return err;
                b->uncle_count++;
            } else {
                hash32 h; /* a hash only (eth_getBlockByNumber) */
                if ((err = json_fixed(ld, u, f, h.bytes, 32)))
                    return err;
                b->unknown_uncle_count++;
            }
        }
    }

    const cJSON *txs = json_member(root, "transactions");
    if (!txs)
        return json_fail(ld, PAREVM_ERR_JSON, "transactions", "missing field");
    if (!cJSON_IsArray(txs))
        return json_fail(ld, PAREVM_ERR_JSON, "transactions", "expected an array");
    size_t n = (size_t)cJSON_GetArraySize(txs);
    if (n && !(b->txs = calloc(n, sizeof *b->txs)))
        return json_nomem(ld);
    const cJSON *t;
    cJSON_ArrayForEach(t, txs)
    {
        json_field_index(f, "transactions", b->tx_count);
        /* Counted before parsing so block_free releases a half-built tx. */
        struct tx *tx = &b->txs[b->tx_count++];
        if ((err = ld_tx(ld, t, f, fork, tx)))
            return err;
    }

    const cJSON *wd = json_member(root, "withdrawals");
    if (wd && (err = ld_withdrawals(ld, wd, b)))
        return err;
    return PAREVM_OK;
}

int mainnet_parse_block(const char *path, const char *json, size_t len, const struct chain_config *cfg,
                        struct block *out, char *err, size_t err_len)
{
    struct json_ctx ld = {
        .path = path ? path : "block.json", .err = err, .err_len = err_len, .dialect = JSON_RPC};
    memset(out, 0, sizeof *out);
    if (!json || !cfg)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    cJSON *root;
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = ld_block(&ld, root, cfg, out);
    cJSON_Delete(root);
    if (rc)
        block_free(out);
    return rc;
}

/* ---- pre_state.json ---- */

int mainnet_parse_state(const char *path, const char *json, size_t len, struct world *out, char *err,
                        size_t err_len)
{
    struct json_ctx ld = {
        .path = path ? path : "pre_state.json", .err = err, .err_len = err_len, .dialect = JSON_RPC};
    world_init(out);
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    cJSON *root;
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = json_accounts(&ld, root, "", out);
    cJSON_Delete(root);
    if (rc) {
        world_free(out);
        world_init(out);
    }
    return rc;
}

/* ---- block_hashes.json ---- */

void block_hashes_free(struct block_hashes *h)
{
    if (!h)
        return;
    free(h->numbers);
    free(h->hashes);
    memset(h, 0, sizeof *h);
}

struct number_hash {
    uint64_t number;
    hash32 hash;
};

static int cmp_number(const void *a, const void *b)
{
    uint64_t x = ((const struct number_hash *)a)->number, y = ((const struct number_hash *)b)->number;
    return x < y ? -1 : x > y;
}

static int ld_hashes(struct json_ctx *ld, const cJSON *root, struct block_hashes *out)
{
    if (!cJSON_IsObject(root))
        return json_fail(ld, PAREVM_ERR_JSON, NULL, "expected an object {\"<number>\": \"0xhash\"}");
    size_t n = (size_t)cJSON_GetArraySize(root);
    struct number_hash *pairs = calloc(n ? n : 1, sizeof *pairs);
    if (!pairs)
        return json_nomem(ld);
    size_t i = 0;
    const cJSON *e;
    int err = PAREVM_OK;
    cJSON_ArrayForEach(e, root)
    {
        const char *key = e->string;
        uint64_t num = 0;
        bool ok = *key != '\0';
        for (const char *p = key; *p && ok; p++) {
            if (*p < '0' || *p > '9' || num > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
                ok = false;
            else
                num = num * 10 + (uint64_t)(*p - '0');
        }
        if (!ok) {
            err = json_fail(ld, PAREVM_ERR_JSON, key, "key is not a decimal block number");
            break;
        }
        pairs[i].number = num;
        if ((err = json_fixed(ld, e, key, pairs[i].hash.bytes, 32)))
            break;
        i++;
    }
    if (!err) {
        qsort(pairs, n, sizeof *pairs, cmp_number);
        for (size_t k = 1; k < n && !err; k++)
            if (pairs[k].number == pairs[k - 1].number)
                err = json_fail(ld, PAREVM_ERR_JSON, NULL, "duplicate block number %llu",
                                (unsigned long long)pairs[k].number);
    }
    if (!err) {
        out->numbers = malloc((n ? n : 1) * sizeof *out->numbers);
        out->hashes = malloc((n ? n : 1) * sizeof *out->hashes);
        if (!out->numbers || !out->hashes) {
            err = json_nomem(ld);
        } else {
            for (size_t k = 0; k < n; k++) {
                out->numbers[k] = pairs[k].number;
                out->hashes[k] = pairs[k].hash;
            }
            out->count = n;
        }
    }
    free(pairs);
    return err;
}

int mainnet_parse_block_hashes(const char *path, const char *json, size_t len, struct block_hashes *out,
                               char *err, size_t err_len)
{
    struct json_ctx ld = {
        .path = path ? path : "block_hashes.json", .err = err, .err_len = err_len, .dialect = JSON_RPC};
    memset(out, 0, sizeof *out);
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    cJSON *root;
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = ld_hashes(&ld, root, out);
    cJSON_Delete(root);
    if (rc)
        block_hashes_free(out);
    return rc;
}

/* ---- chain.json ---- */

int mainnet_parse_chain(const char *path, const char *json, size_t len, const struct chain_config *cfg,
                        struct chain_config *out, char *err, size_t err_len)
{
    struct json_ctx ld = {
        .path = path ? path : "chain.json", .err = err, .err_len = err_len, .dialect = JSON_RPC};
    if (!json || !cfg || !out)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    cJSON *root;
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    const cJSON *net = cJSON_IsObject(root) ? json_member(root, "network") : NULL;
    struct chain_config c;
    if (!cJSON_IsObject(root))
        rc = json_fail(&ld, PAREVM_ERR_JSON, NULL, "expected an object {\"network\": \"NAME\"}");
    else if (!net)
        rc = json_fail(&ld, PAREVM_ERR_JSON, "network", "missing field");
    else if (!cJSON_IsString(net))
        rc = json_fail(&ld, PAREVM_ERR_JSON, "network", "expected a string");
    else if (!chain_config_from_network(&c, net->valuestring))
        rc = json_fail(&ld, PAREVM_ERR_JSON, "network",
                       "unknown network '%s' (a BlockchainTests network name: a fork such as Amsterdam, "
                       "or a transition such as OsakaToAmsterdamAtTime15k)",
                       net->valuestring);
    cJSON_Delete(root);
    if (rc)
        return rc;
    /* the network's schedule; the rest is the caller's */
    c.chain_id = cfg->chain_id;
    c.deposit_contract = cfg->deposit_contract;
    c.skip_intermediate_roots = cfg->skip_intermediate_roots;
    *out = c;
    return PAREVM_OK;
}

/* ---- the fixture folder ---- */

static int read_file(const char *path, char **out, size_t *len, char *err, size_t err_len)
{
    char msg[200];
    int rc = io_read_file(path, out, len, msg, sizeof msg);
    if (rc)
        snprintf(err, err_len, "%s: %s", path, msg);
    return rc;
}

void mainnet_fixture_free(struct mainnet_fixture *f)
{
    if (!f)
        return;
    free(f->dir);
    block_free(&f->block);
    world_free(&f->pre);
    block_hashes_free(&f->hashes);
    memset(f, 0, sizeof *f);
    world_init(&f->pre);
}

int mainnet_load(const char *dir, const struct chain_config *cfg, struct mainnet_fixture *out, char *err,
                 size_t err_len)
{
    char dummy[1];
    if (!err || err_len == 0) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    memset(out, 0, sizeof *out);
    world_init(&out->pre);
    if (!dir || !cfg) {
        snprintf(err, err_len, "mainnet_load: no folder given");
        return PAREVM_ERR_ARG;
    }
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    out->dir = malloc(dlen + 1);
    char *path = malloc(dlen + 32);
    if (!out->dir || !path) {
        free(path);
        free(out->dir);
        out->dir = NULL;
        snprintf(err, err_len, "%s: out of memory", dir);
        return PAREVM_ERR_NOMEM;
    }
    memcpy(out->dir, dir, dlen);
    out->dir[dlen] = '\0';

    char *json = NULL;
    size_t len;
    int rc = PAREVM_OK;
    out->cfg = *cfg;
    snprintf(path, dlen + 32, "%s/chain.json", out->dir);
    if (access(path, F_OK) == 0) { /* (optional: a block of another chain than cfg's) */
        rc = read_file(path, &json, &len, err, err_len);
        if (!rc)
            rc = mainnet_parse_chain(path, json, len, cfg, &out->cfg, err, err_len);
        free(json);
        json = NULL;
    }
    snprintf(path, dlen + 32, "%s/block.json", out->dir);
    if (!rc)
        rc = read_file(path, &json, &len, err, err_len);
    if (!rc)
        rc = mainnet_parse_block(path, json, len, &out->cfg, &out->block, err, err_len);
    free(json);
    if (!rc) {
        world_free(&out->pre);
        snprintf(path, dlen + 32, "%s/pre_state.json", out->dir);
        rc = read_file(path, &json, &len, err, err_len);
        if (!rc)
            rc = mainnet_parse_state(path, json, len, &out->pre, err, err_len);
        else
            world_init(&out->pre);
        free(json);
    }
    if (!rc) {
        snprintf(path, dlen + 32, "%s/block_hashes.json", out->dir);
        rc = read_file(path, &json, &len, err, err_len);
        if (!rc)
            rc = mainnet_parse_block_hashes(path, json, len, &out->hashes, err, err_len);
        free(json);
    }
    free(path);
    if (rc) {
        mainnet_fixture_free(out);
        return rc;
    }
    out->fork = chain_config_header_fork(&out->cfg, &out->block.header);
    return PAREVM_OK;
}

/* ---- header verification ---- */

/* Mismatches collected as text; nomem once an append failed. */
struct header_why {
    struct bytebuf *text;
    bool nomem;
};

static void why_printf(struct header_why *w, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if ((w->text->len && bytebuf_append(w->text, "; ", 2)) || bytebuf_append(w->text, line, len))
        w->nomem = true;
}

static void why_bytes(struct header_why *w, const char *field, const uint8_t *expected,
                      const uint8_t *computed, size_t n)
{
    char *a = hex_encode_alloc(expected, n), *b = hex_encode_alloc(computed, n);
    if (!a || !b)
        w->nomem = true;
    else
        why_printf(w, "%s: expected %s, computed %s", field, a, b);
    free(a);
    free(b);
}

static void check_hash(struct header_why *w, const char *field, const hash32 *expected,
                       const hash32 *computed)
{
    if (!hash32_eq(expected, computed))
        why_bytes(w, field, expected->bytes, computed->bytes, 32);
}

static void check_u64(struct header_why *w, const char *field, uint64_t expected, uint64_t computed)
{
    if (expected != computed)
        why_printf(w, "%s: expected %llu, computed %llu", field, (unsigned long long)expected,
                   (unsigned long long)computed);
}

int mainnet_check_header(const struct mainnet_fixture *fx, const struct block_result *r, struct bytebuf *why)
{
    struct header_why w = {why, false};
    const struct block *b = &fx->block;
    const struct block_header *h = &b->header;
    hash32 got;
    int err = transactions_root(b->txs, b->tx_count, &got);
    if (err)
        return err;
    check_hash(&w, "transactionsRoot", &h->tx_root, &got);
    /* The RPC JSON lists uncles by hash: their RLP, hence the ommers
     * hash, is known only for a block without uncles. */
    if (b->uncle_count == 0 && b->unknown_uncle_count == 0)
        check_hash(&w, "sha3Uncles", &h->ommers_hash, &EMPTY_OMMERS_HASH);
    if (fx->fork >= FORK_SHANGHAI || h->has_withdrawals_root || b->has_withdrawals) { /* EIP-4895 */
        if (!h->has_withdrawals_root)
            why_printf(&w, "withdrawalsRoot: missing from the header");
        else if (!b->has_withdrawals)
            why_printf(&w, "withdrawalsRoot: the block has no withdrawals list");
        else if ((err = withdrawals_root(b->withdrawals, b->withdrawal_count, &got)))
            return err;
        else
            check_hash(&w, "withdrawalsRoot", &h->withdrawals_root, &got);
    }
    check_u64(&w, "gasUsed", h->gas_used, r->gas_used);
    if (memcmp(r->logs_bloom, h->logs_bloom, 256) != 0)
        why_bytes(&w, "logsBloom", h->logs_bloom, r->logs_bloom, 256);
    if (fx->fork >= FORK_BYZANTIUM)
        check_hash(&w, "receiptsRoot", &h->receipts_root, &r->receipts_root);
    if (fx->fork >= FORK_CANCUN || h->has_blob_gas) { /* EIP-4844 */
        if (!h->has_blob_gas)
            why_printf(&w, "blobGasUsed: missing from the header, computed %llu",
                       (unsigned long long)r->blob_gas_used);
        else
            check_u64(&w, "blobGasUsed", h->blob_gas_used, r->blob_gas_used);
    }
    if (fx->fork >= FORK_PRAGUE || h->has_requests_hash) { /* EIP-7685 */
        if (!h->has_requests_hash)
            why_printf(&w, "requestsHash: missing from the header");
        else
            check_hash(&w, "requestsHash", &h->requests_hash, &r->requests_hash);
    }
    if (!h->has_hash) {
        why_printf(&w, "hash: missing from block.json");
    } else {
        if ((err = block_header_hash(h, &got)))
            return err;
        check_hash(&w, "hash", &h->hash, &got);
    }
    return w.nomem ? PAREVM_ERR_NOMEM : PAREVM_OK;
}

int mainnet_check_bal_hash(const struct block_header *h, const struct bal *list, struct bytebuf *why)
{
    struct header_why w = {why, false};
    hash32 got;
    int err = bal_hash(list, &got);
    if (err)
        return err;
    check_hash(&w, "blockAccessListHash", &h->bal_hash, &got);
    return w.nomem ? PAREVM_ERR_NOMEM : PAREVM_OK;
}
