/* t8n — geth `evm t8n` inputs, state transition and outputs (see t8n.h). */
#include "t8n.h"

#include <cjson/cJSON.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hex.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "../base/secp.h"
#include "../chain/logs.h"
#include "../chain/validate.h"
#include "../exec/bal.h"
#include "../exec/parallel.h"
#include "../exec/sequential.h"
#include "../state/state_view.h"
#include "../state/write_set.h"
#include "jsonld.h"
#include "mainnet.h"

int t8n_exit_code(int err)
{
    switch (err) {
    case PAREVM_OK:
        return T8N_EXIT_OK;
    case PAREVM_ERR_ARG:
    case PAREVM_ERR_UNSUPPORTED:
        return T8N_EXIT_CONFIG;
    case PAREVM_ERR_MISSING:
        return T8N_EXIT_MISSING_BLOCKHASH;
    case PAREVM_ERR_JSON:
    case PAREVM_ERR_HEX:
    case PAREVM_ERR_RANGE:
    case PAREVM_ERR_SIGNATURE:
        return T8N_EXIT_JSON;
    case PAREVM_ERR_IO:
        return T8N_EXIT_IO;
    case PAREVM_ERR_RLP:
        return T8N_EXIT_RLP;
    default:
        return T8N_EXIT_EVM;
    }
}

/* ======================================================================
 * Loading
 * ====================================================================== */

/* Optional member helpers: absent leaves *has false. */
static int opt_u64(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key, bool *has,
                   uint64_t *out)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item = json_member(obj, key);
    if (has)
        *has = item != NULL;
    return item ? json_u64(ld, item, json_field_key(f, prefix, key), out) : PAREVM_OK;
}

static int opt_u256(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key, bool *has,
                    u256 *out)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item = json_member(obj, key);
    if (has)
        *has = item != NULL;
    return item ? json_u256(ld, item, json_field_key(f, prefix, key), out) : PAREVM_OK;
}

static int req_u64(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key, uint64_t *out)
{
    bool has;
    int err = opt_u64(ld, obj, prefix, key, &has, out);
    if (!err && !has) {
        char f[JSON_FIELD_MAX];
        return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, key), "missing field");
    }
    return err;
}

static int req_fixed(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key, uint8_t *out,
                     size_t n)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item = json_member(obj, key);
    json_field_key(f, prefix, key);
    if (!item)
        return json_fail(ld, PAREVM_ERR_JSON, f, "missing field");
    return json_fixed(ld, item, f, out, n);
}

/* A 32-byte value given as a number (currentRandom, storage) or hash. */
static int ld_word(struct json_ctx *ld, const cJSON *item, const char *field, hash32 *out)
{
    u256 v;
    int err = json_u256(ld, item, field, &v);
    if (!err)
        u256_to_be(&v, out->bytes);
    return err;
}

/* ---- alloc ---- */

int t8n_parse_alloc(const char *path, const char *json, size_t len, struct world *out, char *err,
                    size_t err_len)
{
    struct json_ctx ld = {.path = path ? path : "alloc", .err = err, .err_len = err_len, .dialect = JSON_T8N};
    world_init(out);
    cJSON *root;
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = json_accounts(&ld, root, NULL, out);
    cJSON_Delete(root);
    if (rc) {
        world_free(out);
        world_init(out);
    }
    return rc;
}

/* ---- env ---- */

void t8n_env_free(struct t8n_env *e)
{
    if (!e)
        return;
    free(e->withdrawals);
    block_hashes_free(&e->hashes);
    free(e->ommers);
    memset(e, 0, sizeof *e);
}

static int cmp_hash_number(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int ld_block_hashes(struct json_ctx *ld, const cJSON *obj, struct block_hashes *out)
{
    char f[JSON_FIELD_MAX];
    if (!cJSON_IsObject(obj))
        return json_fail(ld, PAREVM_ERR_JSON, "blockHashes", "expected an object");
    size_t n = (size_t)cJSON_GetArraySize(obj);
    if (n == 0)
        return PAREVM_OK;
    /* sorted by number: keep (number, hash) pairs together while sorting */
    struct pair {
        uint64_t number;
        hash32 hash;
    } *pairs = calloc(n, sizeof *pairs);
    if (!pairs)
        return json_nomem(ld);
    size_t i = 0;
    const cJSON *e;
    int err = PAREVM_OK;
    cJSON_ArrayForEach(e, obj)
    {
        json_field_key(f, "blockHashes", e->string);
        u256 num;
        if ((err = json_u256_text(ld, e->string, f, &num)))
            break;
        if (!u256_fits_u64(&num)) {
            err = json_fail(ld, PAREVM_ERR_RANGE, f, "block number exceeds 64 bits");
            break;
        }
        pairs[i].number = num.w[0];
        if ((err = json_fixed(ld, e, f, pairs[i].hash.bytes, 32)))
            break;
        i++;
    }
    if (!err) {
        qsort(pairs, n, sizeof *pairs, cmp_hash_number);
        out->numbers = malloc(n * sizeof *out->numbers);
        out->hashes = malloc(n * sizeof *out->hashes);
        if (!out->numbers || !out->hashes) {
            err = json_nomem(ld);
        } else {
            for (i = 0; i < n; i++) {
                out->numbers[i] = pairs[i].number;
                out->hashes[i] = pairs[i].hash;
            }
            out->count = n;
        }
    }
    free(pairs);
    return err;
}

static int ld_env(struct json_ctx *ld, const cJSON *root, struct t8n_env *e)
{
    char f[JSON_FIELD_MAX];
    int err;
    if (!cJSON_IsObject(root))
        return json_fail(ld, PAREVM_ERR_JSON, NULL, "expected an env object");
    if ((err = req_fixed(ld, root, "", "currentCoinbase", e->coinbase.bytes, 20)) ||
        (err = req_u64(ld, root, "", "currentGasLimit", &e->gas_limit)) ||
        (err = req_u64(ld, root, "", "currentNumber", &e->number)) ||
        (err = req_u64(ld, root, "", "currentTimestamp", &e->timestamp)) ||
        (err = opt_u256(ld, root, "", "currentDifficulty", &e->has_difficulty, &e->difficulty)) ||
        (err =
             opt_u256(ld, root, "", "parentDifficulty", &e->has_parent_difficulty, &e->parent_difficulty)) ||
        (err = opt_u64(ld, root, "", "parentTimestamp", NULL, &e->parent_timestamp)) ||
        (err = opt_u256(ld, root, "", "currentBaseFee", &e->has_base_fee, &e->base_fee)) ||
        (err = opt_u256(ld, root, "", "parentBaseFee", &e->has_parent_base_fee, &e->parent_base_fee)) ||
        (err = opt_u64(ld, root, "", "parentGasUsed", NULL, &e->parent_gas_used)) ||
        (err = opt_u64(ld, root, "", "parentGasLimit", NULL, &e->parent_gas_limit)) ||
        (err = opt_u64(ld, root, "", "currentExcessBlobGas", &e->has_excess_blob_gas, &e->excess_blob_gas)) ||
        (err = opt_u64(ld, root, "", "parentExcessBlobGas", &e->has_parent_excess_blob_gas,
                       &e->parent_excess_blob_gas)) ||
        (err = opt_u64(ld, root, "", "parentBlobGasUsed", &e->has_parent_blob_gas_used,
                       &e->parent_blob_gas_used)) ||
        (err = opt_u64(ld, root, "", "slotNumber", NULL, &e->slot_number)))
        return err;
    const cJSON *item;
    if ((item = json_member(root, "currentRandom"))) {
        e->has_random = true;
        if ((err = ld_word(ld, item, "currentRandom", &e->random)))
            return err;
    }
    if ((item = json_member(root, "parentUncleHash"))) {
        e->has_parent_uncle_hash = true;
        if ((err = json_fixed(ld, item, "parentUncleHash", e->parent_uncle_hash.bytes, 32)))
            return err;
    }
    if ((item = json_member(root, "parentBeaconBlockRoot"))) {
        e->has_parent_beacon_root = true;
        if ((err = json_fixed(ld, item, "parentBeaconBlockRoot", e->parent_beacon_root.bytes, 32)))
            return err;
    }
    if ((item = json_member(root, "blockHashes"))) {
        e->has_block_hashes = true;
        if ((err = ld_block_hashes(ld, item, &e->hashes)))
            return err;
    }
    if ((item = json_member(root, "withdrawals"))) {
        if (!cJSON_IsArray(item))
            return json_fail(ld, PAREVM_ERR_JSON, "withdrawals", "expected an array");
        e->has_withdrawals = true;
        size_t n = (size_t)cJSON_GetArraySize(item);
        if (n && !(e->withdrawals = calloc(n, sizeof *e->withdrawals)))
            return json_nomem(ld);
        const cJSON *wj;
        cJSON_ArrayForEach(wj, item)
        {
            struct withdrawal *w = &e->withdrawals[e->withdrawal_count];
            json_field_index(f, "withdrawals", e->withdrawal_count++);
            if (!cJSON_IsObject(wj))
                return json_fail(ld, PAREVM_ERR_JSON, f, "expected an object");
            if ((err = req_u64(ld, wj, f, "index", &w->index)) ||
                (err = req_u64(ld, wj, f, "validatorIndex", &w->validator_index)) ||
                (err = req_fixed(ld, wj, f, "address", w->addr.bytes, 20)) ||
                (err = req_u64(ld, wj, f, "amount", &w->amount_gwei)))
                return err;
        }
    }
    if ((item = json_member(root, "ommers"))) {
        if (!cJSON_IsArray(item))
            return json_fail(ld, PAREVM_ERR_JSON, "ommers", "expected an array");
        size_t n = (size_t)cJSON_GetArraySize(item);
        if (n && !(e->ommers = calloc(n, sizeof *e->ommers)))
            return json_nomem(ld);
        const cJSON *oj;
        cJSON_ArrayForEach(oj, item)
        {
            struct t8n_ommer *o = &e->ommers[e->ommer_count];
            json_field_index(f, "ommers", e->ommer_count++);
            if (!cJSON_IsObject(oj))
                return json_fail(ld, PAREVM_ERR_JSON, f, "expected an object");
            if ((err = req_u64(ld, oj, f, "delta", &o->delta)) ||
                (err = req_fixed(ld, oj, f, "address", o->addr.bytes, 20)))
                return err;
        }
    }
    return PAREVM_OK;
}

int t8n_parse_env(const char *path, const char *json, size_t len, struct t8n_env *out, char *err,
                  size_t err_len)
{
    struct json_ctx ld = {.path = path ? path : "env", .err = err, .err_len = err_len, .dialect = JSON_T8N};
    memset(out, 0, sizeof *out);
    cJSON *root;
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = ld_env(&ld, root, out);
    cJSON_Delete(root);
    if (rc)
        t8n_env_free(out);
    return rc;
}

/* ---- transactions ---- */

void t8n_txs_free(struct t8n_txs *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->count; i++) {
        if (t->txs)
            tx_free(&t->txs[i]);
        if (t->invalid)
            free(t->invalid[i]);
    }
    free(t->txs);
    free(t->invalid);
    memset(t, 0, sizeof *t);
}

/* Sign tx with key (v, r, s set; chain id fields already decided). */
static int sign_tx(struct tx *tx, const uint8_t key[32])
{
    const secp256k1_context *sign_ctx = secp_context();
    if (!sign_ctx)
        return PAREVM_ERR_NOMEM;
    if (!secp256k1_ec_seckey_verify(sign_ctx, key))
        return PAREVM_ERR_SIGNATURE;
    hash32 h;
    int err = tx_signing_hash(tx, &h);
    if (err)
        return err;
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_sign_recoverable(sign_ctx, &sig, h.bytes, key, NULL, NULL))
        return PAREVM_ERR_SIGNATURE;
    uint8_t rs[64];
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(sign_ctx, rs, &recid, &sig);
    tx->r = u256_from_be(rs, 32);
    tx->s = u256_from_be(rs + 32, 32);
    if (tx->type != 0)
        tx->v = u256_from_u64((uint64_t)recid);
    else if (tx->has_chain_id)
        tx->v = u256_from_u64(tx->chain_id * 2 + 35 + (uint64_t)recid); /* EIP-155 */
    else
        tx->v = u256_from_u64(27 + (uint64_t)recid);
    return PAREVM_OK;
}

/* A signing key: a string of "0x" and exactly 64 hex digits, as geth reads
 * a common.Hash (a number, or a shorter or longer string, is refused). */
static int ld_secret_key(struct json_ctx *ld, const cJSON *item, const char *field, hash32 *out)
{
    if (!cJSON_IsString(item))
        return json_fail(ld, PAREVM_ERR_JSON, field, "expected a hex string of 32 bytes");
    const char *s = item->valuestring;
    if (strncmp(s, "0x", 2) != 0 || strlen(s) != 66)
        return json_fail(ld, PAREVM_ERR_JSON, field, "expected 0x and 64 hex digits, got %zu characters",
                         strlen(s));
    return ld_word(ld, item, field, out);
}

/* Sender of a loaded or signed transaction; a failure is recorded as the
 * reason the transaction is rejected. */
static int recover_or_reject(struct json_ctx *ld, struct tx *tx, enum fork fork, char **invalid)
{
    int err = tx_recover_sender(tx, fork);
    if (err == PAREVM_ERR_NOMEM)
        return json_nomem(ld);
    if (err) {
        *invalid = strdup("invalid transaction v, r, s values");
        if (!*invalid)
            return json_nomem(ld);
    }
    return PAREVM_OK;
}

/* One transaction object (geth's JSON: hex quantities). Required as geth
 * requires them: nonce, gas, value, the fee fields of the type, chainId
 * for typed transactions; v and yParity, when both given, agree. */
static int ld_tx(struct json_ctx *ld, const cJSON *obj, const char *prefix, enum fork fork, uint64_t chain_id,
                 struct tx *tx, char **invalid)
{
    char f[JSON_FIELD_MAX];
    const cJSON *item;
    int err;
    memset(tx, 0, sizeof *tx);
    if (!cJSON_IsObject(obj))
        return json_fail(ld, PAREVM_ERR_JSON, prefix, "expected a transaction object");
    /* "type" absent is a legacy transaction, as in geth: the fee fields of
     * other types do not make it one. */
    uint64_t type = 0;
    if ((item = json_member(obj, "type")) &&
        (err = json_u64(ld, item, json_field_key(f, prefix, "type"), &type)))
        return err;
    if (type > 4)
        return json_fail(ld, PAREVM_ERR_UNSUPPORTED, json_field_key(f, prefix, "type"),
                         "transaction type %llu not supported", (unsigned long long)type);
    tx->type = (uint8_t)type;
    if ((err = req_u64(ld, obj, prefix, "nonce", &tx->nonce)))
        return err;
    if (json_member(obj, "gas") || !json_member(obj, "gasLimit")) {
        if ((err = req_u64(ld, obj, prefix, "gas", &tx->gas_limit)))
            return err;
    } else if ((err = req_u64(ld, obj, prefix, "gasLimit", &tx->gas_limit))) {
        return err;
    }
    bool has_value;
    if ((err = opt_u256(ld, obj, prefix, "value", &has_value, &tx->value)))
        return err;
    if (!has_value)
        return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, "value"), "missing field");
    if ((item = json_member(obj, "to"))) {
        /* "" is a creation, as in state tests */
        if (!cJSON_IsString(item) || item->valuestring[0] != '\0') {
            tx->has_to = true;
            if ((err = json_fixed(ld, item, json_field_key(f, prefix, "to"), tx->to.bytes, 20)))
                return err;
        }
    }
    const char *data_key = json_member(obj, "input") ? "input" : "data";
    if ((item = json_member(obj, data_key)) &&
        (err = json_bytes(ld, item, json_field_key(f, prefix, data_key), &tx->data, &tx->data_len)))
        return err;
    if (tx->type >= 2) {
        bool has_fee, has_tip;
        if ((err = opt_u256(ld, obj, prefix, "maxFeePerGas", &has_fee, &tx->max_fee_per_gas)) ||
            (err =
                 opt_u256(ld, obj, prefix, "maxPriorityFeePerGas", &has_tip, &tx->max_priority_fee_per_gas)))
            return err;
        if (!has_fee || !has_tip)
            return json_fail(ld, PAREVM_ERR_JSON,
                             json_field_key(f, prefix, has_fee ? "maxPriorityFeePerGas" : "maxFeePerGas"),
                             "missing field");
        tx->gas_price = tx->max_fee_per_gas;
    } else {
        bool has_price;
        if ((err = opt_u256(ld, obj, prefix, "gasPrice", &has_price, &tx->gas_price)))
            return err;
        if (!has_price)
            return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, "gasPrice"), "missing field");
        tx->max_fee_per_gas = tx->gas_price;
        tx->max_priority_fee_per_gas = tx->gas_price;
    }
    bool has_chain_field;
    uint64_t chain_field = 0;
    if ((err = opt_u64(ld, obj, prefix, "chainId", &has_chain_field, &chain_field)))
        return err;
    if (tx->type >= 1) {
        if (!has_chain_field)
            return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, "chainId"), "missing field");
        tx->has_chain_id = true;
        tx->chain_id = chain_field;
        if ((item = json_member(obj, "accessList")) &&
            (err = json_access_list(ld, item, json_field_key(f, prefix, "accessList"), &tx->access_list,
                                    &tx->access_list_len)))
            return err;
    }
    if (tx->type == 3) {
        if ((err = opt_u256(ld, obj, prefix, "maxFeePerBlobGas", NULL, &tx->max_fee_per_blob_gas)))
            return err;
        if ((item = json_member(obj, "blobVersionedHashes"))) {
            json_field_key(f, prefix, "blobVersionedHashes");
            if (!cJSON_IsArray(item))
                return json_fail(ld, PAREVM_ERR_JSON, f, "expected an array");
            size_t n = (size_t)cJSON_GetArraySize(item);
            if (n && !(tx->blob_hashes = calloc(n, sizeof *tx->blob_hashes)))
                return json_nomem(ld);
            const cJSON *h;
            char g[JSON_FIELD_MAX];
            cJSON_ArrayForEach(h, item)
            {
                json_field_index(g, f, tx->blob_hash_count);
                if ((err = json_fixed(ld, h, g, tx->blob_hashes[tx->blob_hash_count++].bytes, 32)))
                    return err;
            }
        }
    }
    if (tx->type == 4 && (item = json_member(obj, "authorizationList")) &&
        (err = json_authorization_list(ld, item, json_field_key(f, prefix, "authorizationList"),
                                       &tx->authorizations, &tx->authorization_count, NULL)))
        return err; /* EIP-7702 (absent: empty, which validation rejects) */

    /* Signature: v (or yParity), r, s; zero with a secretKey: sign here. */
    const cJSON *vj = json_member(obj, "v"), *pj = json_member(obj, "yParity");
    u256 v = u256_zero(), parity = u256_zero();
    if ((err = opt_u256(ld, obj, prefix, "r", NULL, &tx->r)) ||
        (err = opt_u256(ld, obj, prefix, "s", NULL, &tx->s)))
        return err;
    if (vj && (err = json_u256(ld, vj, json_field_key(f, prefix, "v"), &v)))
        return err;
    if (pj && (err = json_u256(ld, pj, json_field_key(f, prefix, "yParity"), &parity)))
        return err;
    if (pj && tx->type != 0) {
        u256 one = u256_from_u64(1);
        if (u256_gt(&parity, &one))
            return json_fail(ld, PAREVM_ERR_RANGE, json_field_key(f, prefix, "yParity"), "not 0 or 1");
        if (vj && !u256_eq(&v, &parity))
            return json_fail(ld, PAREVM_ERR_JSON, json_field_key(f, prefix, "yParity"),
                             "v and yParity do not match");
    }
    const cJSON *key_item = json_member(obj, "secretKey");
    hash32 key;
    if (key_item && (err = ld_secret_key(ld, key_item, json_field_key(f, prefix, "secretKey"), &key)))
        return err;
    if (key_item && u256_is_zero(&v) && u256_is_zero(&parity) && u256_is_zero(&tx->r) &&
        u256_is_zero(&tx->s)) {
        if (tx->type == 0) {
            /* geth signs with the fork's signer: EIP-155 from Spurious
             * Dragon unless "protected": false. */
            const cJSON *prot = cJSON_GetObjectItemCaseSensitive(obj, "protected");
            bool protect = !prot || !cJSON_IsFalse(prot);
            tx->has_chain_id = protect && fork >= FORK_SPURIOUS;
            tx->chain_id = tx->has_chain_id ? (has_chain_field ? chain_field : chain_id) : 0;
        }
        err = sign_tx(tx, key.bytes);
        if (err == PAREVM_ERR_NOMEM)
            return json_nomem(ld);
        if (err)
            return json_fail(ld, PAREVM_ERR_SIGNATURE, json_field_key(f, prefix, "secretKey"),
                             "cannot sign with this key");
        return recover_or_reject(ld, tx, fork, invalid);
    }
    if (tx->type == 0) {
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
        }
    } else {
        tx->v = pj ? parity : v;
    }
    return recover_or_reject(ld, tx, fork, invalid);
}

static int txs_alloc(struct json_ctx *ld, size_t n, struct t8n_txs *out)
{
    if (n == 0)
        return PAREVM_OK;
    out->txs = calloc(n, sizeof *out->txs);
    out->invalid = calloc(n, sizeof *out->invalid);
    if (!out->txs || !out->invalid)
        return json_nomem(ld);
    return PAREVM_OK;
}

static int ld_txs(struct json_ctx *ld, const cJSON *arr, enum fork fork, uint64_t chain_id,
                  struct t8n_txs *out)
{
    char f[JSON_FIELD_MAX];
    if (!cJSON_IsArray(arr))
        return json_fail(ld, PAREVM_ERR_JSON, NULL, "expected an array of transactions");
    int err = txs_alloc(ld, (size_t)cJSON_GetArraySize(arr), out);
    if (err)
        return err;
    const cJSON *t;
    cJSON_ArrayForEach(t, arr)
    {
        size_t i = out->count++; /* counted first: t8n_txs_free releases a half-built one */
        json_field_index(f, "", i);
        if ((err = ld_tx(ld, t, f, fork, chain_id, &out->txs[i], &out->invalid[i])))
            return err;
    }
    return PAREVM_OK;
}

/* Mark transaction i undecodable: rejected with `msg` when the block
 * runs (tx i stays zeroed and is never executed or encoded). */
static int reject_undecodable(struct json_ctx *ld, struct t8n_txs *out, size_t i, const char *msg)
{
    if (!(out->invalid[i] = strdup(msg)))
        return json_nomem(ld);
    return PAREVM_OK;
}

/* geth's message for a list element that is not a transaction. typed
 * (an RLP string) with its payload; reason from tx_decode. */
static void undecodable_message(bool typed, const uint8_t *payload, size_t payload_len, int err,
                                const char *reason, char *msg, size_t msg_len)
{
    /* EIP-2718: a typed envelope is TransactionType || payload; geth says
     * "typed transaction too short" for a type byte alone and "transaction
     * type not supported" for a type it does not know (0, >= 0x80 and the
     * types after EIP-7702's 4 included). */
    if (typed && payload_len <= 1)
        snprintf(msg, msg_len, "typed transaction too short");
    else if (err == PAREVM_ERR_UNSUPPORTED || (typed && (payload[0] == 0 || payload[0] > 4)))
        snprintf(msg, msg_len, "transaction type not supported");
    else
        snprintf(msg, msg_len, "rlp: %s", reason ? reason : "bad transaction");
}

/*
 * An RLP list of signed transactions (legacy: a list, typed: a string),
 * as geth's t8n reads it: each element is decoded on its own, and one
 * that is not a transaction is rejected alone (its index in `rejected`,
 * geth's message) while the others run. An element whose header runs
 * past the end of the list (or is not canonical) rejects that index and
 * ends the list: nothing after it can be delimited (geth's stream keeps
 * returning the same error there and never ends). Fails
 * (PAREVM_ERR_RLP) only when the input is not an RLP list at all.
 */
static int ld_txs_rlp_bytes(struct json_ctx *ld, const uint8_t *raw, size_t len, enum fork fork,
                            struct t8n_txs *out)
{
    struct rlp_item list;
    if (rlp_decode_whole(raw, len, &list) || !list.is_list)
        return json_fail(ld, PAREVM_ERR_RLP, NULL, "expected an RLP list of transactions");
    /* Count the well-delimited elements, plus one for a broken tail. */
    size_t n = 0;
    struct rlp_iter it;
    struct rlp_item child;
    int rerr = PAREVM_OK;
    rlp_iter_init(&it, &list);
    while (rlp_iter_next(&it, &child, &rerr))
        n++;
    int err = txs_alloc(ld, n + (rerr ? 1 : 0), out);
    if (err)
        return err;
    rlp_iter_init(&it, &list);
    rerr = PAREVM_OK;
    while (rlp_iter_next(&it, &child, &rerr)) {
        size_t i = out->count++;
        const uint8_t *enc =
            child.is_list ? child.payload - (child.encoded_len - child.payload_len) : child.payload;
        size_t enc_len = child.is_list ? child.encoded_len : child.payload_len;
        const char *why = NULL;
        err = child.is_list || child.payload_len > 1 ? tx_decode(enc, enc_len, &out->txs[i], &why)
                                                     : PAREVM_ERR_RLP;
        if (err == PAREVM_ERR_NOMEM)
            return json_nomem(ld);
        if (err) {
            char msg[160];
            undecodable_message(!child.is_list, child.payload, child.payload_len, err, why, msg, sizeof msg);
            if ((err = reject_undecodable(ld, out, i, msg)))
                return err;
            continue;
        }
        if ((err = recover_or_reject(ld, &out->txs[i], fork, &out->invalid[i])))
            return err;
    }
    if (rerr) /* a header that overruns the list, or a bad length prefix */
        return reject_undecodable(
            ld, out, out->count++,
            "rlp: malformed list element (header overruns the list or is not canonical)");
    return PAREVM_OK;
}

static int ld_txs_rlp_item(struct json_ctx *ld, const cJSON *item, enum fork fork, struct t8n_txs *out)
{
    uint8_t *raw;
    size_t len;
    int err = json_bytes(ld, item, "", &raw, &len);
    if (err)
        return err;
    err = ld_txs_rlp_bytes(ld, raw, len, fork, out);
    free(raw);
    return err;
}

int t8n_parse_txs(const char *path, const char *json, size_t len, enum fork fork, uint64_t chain_id,
                  struct t8n_txs *out, char *err, size_t err_len)
{
    struct json_ctx ld = {.path = path ? path : "txs", .err = err, .err_len = err_len, .dialect = JSON_T8N};
    memset(out, 0, sizeof *out);
    cJSON *root;
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = ld_txs(&ld, root, fork, chain_id, out);
    cJSON_Delete(root);
    if (rc)
        t8n_txs_free(out);
    return rc;
}

int t8n_parse_txs_rlp(const char *path, const char *json, size_t len, enum fork fork, uint64_t chain_id,
                      struct t8n_txs *out, char *err, size_t err_len)
{
    (void)chain_id; /* signed transactions carry their chain id */
    struct json_ctx ld = {
        .path = path ? path : "txs.rlp", .err = err, .err_len = err_len, .dialect = JSON_T8N};
    memset(out, 0, sizeof *out);
    cJSON *root;
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    rc = ld_txs_rlp_item(&ld, root, fork, out);
    cJSON_Delete(root);
    if (rc)
        t8n_txs_free(out);
    return rc;
}

int t8n_parse_stdin(const char *path, const char *json, size_t len, enum fork fork, uint64_t chain_id,
                    struct world *alloc, struct t8n_env *env, struct t8n_txs *txs, char *err, size_t err_len)
{
    struct json_ctx ld = {.path = path ? path : "stdin", .err = err, .err_len = err_len, .dialect = JSON_T8N};
    if (alloc)
        world_init(alloc);
    if (env)
        memset(env, 0, sizeof *env);
    if (txs)
        memset(txs, 0, sizeof *txs);
    cJSON *root;
    if (!json)
        return json_fail(&ld, PAREVM_ERR_ARG, NULL, "no input");
    int rc = json_parse(&ld, json, len, &root);
    if (rc)
        return rc;
    const cJSON *item;
    if (!cJSON_IsObject(root)) {
        rc = json_fail(&ld, PAREVM_ERR_JSON, NULL, "expected an object {\"alloc\", \"env\", \"txs\"}");
    } else {
        if (alloc) {
            if (!(item = json_member(root, "alloc")))
                rc = json_fail(&ld, PAREVM_ERR_JSON, "alloc", "missing field");
            else
                rc = json_accounts(&ld, item, NULL, alloc);
        }
        if (!rc && env) {
            if (!(item = json_member(root, "env")))
                rc = json_fail(&ld, PAREVM_ERR_JSON, "env", "missing field");
            else
                rc = ld_env(&ld, item, env);
        }
        if (!rc && txs) {
            if ((item = json_member(root, "txsRlp")) && cJSON_IsString(item) && item->valuestring[0])
                rc = ld_txs_rlp_item(&ld, item, fork, txs);
            else if ((item = json_member(root, "txs")))
                rc = ld_txs(&ld, item, fork, chain_id, txs);
            /* no transactions at all: an empty list */
        }
    }
    cJSON_Delete(root);
    if (rc) {
        if (alloc) {
            world_free(alloc);
            world_init(alloc);
        }
        if (env)
            t8n_env_free(env);
        if (txs)
            t8n_txs_free(txs);
    }
    return rc;
}

/* ======================================================================
 * The transition
 * ====================================================================== */

void t8n_result_free(struct t8n_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->receipt_count; i++)
        receipt_free(&r->receipts[i].r);
    free(r->receipts);
    free(r->rejected);
    block_requests_free(&r->requests);
    memset(r, 0, sizeof *r);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(char *err, size_t err_len, const char *fmt, ...)
{
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return 0;
}

/* Everything one run keeps. */
struct t8n_run {
    const struct t8n_config *cfg;
    const struct t8n_env *env;
    const struct t8n_txs *txs;
    struct world *w;
    struct t8n_result *out;
    struct block_env benv;
    bool blob_fee_known;
    struct world_view wv;
    struct state_view view;
    struct write_set ws;
    size_t rejected_cap;
    char *err;
    size_t err_len;
    /* BLOCKHASH: the first number asked for and not given */
    bool hash_missing;
    uint64_t hash_missing_number;
};

static int run_block_hash(void *arg, uint64_t number, hash32 *out)
{
    struct t8n_run *run = arg;
    int err = block_hashes_lookup((void *)&run->env->hashes, number, out);
    if (err == PAREVM_ERR_MISSING && !run->hash_missing) {
        run->hash_missing = true;
        run->hash_missing_number = number;
    }
    return err;
}

static int reject(struct t8n_run *run, size_t index, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int reject(struct t8n_run *run, size_t index, const char *fmt, ...)
{
    struct t8n_result *out = run->out;
    if (out->rejected_count == run->rejected_cap) {
        size_t cap = run->rejected_cap ? run->rejected_cap * 2 : 8;
        struct t8n_rejected *r = realloc(out->rejected, cap * sizeof *r);
        if (!r)
            return PAREVM_ERR_NOMEM;
        out->rejected = r;
        run->rejected_cap = cap;
    }
    struct t8n_rejected *r = &out->rejected[out->rejected_count++];
    r->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    return PAREVM_OK;
}

/* seq_skip.rejected: t8n's "rejected" list. */
static int on_rejected(void *arg, size_t i, const char *reason)
{
    return reject(arg, i, "%s", reason);
}

/* The included transactions' receipts (r's, moved into run->out, in
 * order) and what t8n reports beyond a block's receipt: the input
 * position, the transaction hash, the effective gas price, the blob gas,
 * and (as geth) the address a failed creation would have had. */
static int take_receipts(struct t8n_run *run, struct block_result *r)
{
    struct t8n_result *out = run->out;
    size_t n = r->receipt_count;
    for (size_t j = 0; j < n; j++) {
        memset(&out->receipts[j], 0, sizeof out->receipts[j]);
        out->receipts[j].r = r->receipts[j]; /* moved (logs owned) */
    }
    out->receipt_count = n;
    r->receipt_count = 0;
    /* The rejected are listed in input order: the included are the rest. */
    size_t input = 0, k = 0;
    for (size_t j = 0; j < n; j++, input++) {
        while (k < out->rejected_count && out->rejected[k].index == input) {
            k++;
            input++;
        }
        struct t8n_receipt *tr = &out->receipts[j];
        const struct tx *tx = &run->txs->txs[input];
        struct receipt *rc = &tr->r;
        tr->input_index = input;
        if (!tx->has_to && !rc->has_created_address) {
            /* geth reports the address a creation would have had */
            rc->has_created_address = true;
            rc->created_address = evm_create_address(&tx->sender, tx->nonce);
        }
        int err = tx_hash(tx, &tr->tx_hash);
        if (err)
            return err;
        u256 price = u256_zero();
        transition_check_static(&run->benv, tx, 0, &price);
        tr->effective_gas_price = price;
        if (tx->type == 3) {
            tr->blob_gas_used = (uint64_t)tx->blob_hash_count * BLOB_GAS_PER_BLOB;
            tr->blob_gas_price = run->benv.blob_base_fee;
        }
    }
    return PAREVM_OK;
}

/* Whether the parallel engine may run these transactions: untraced, at
 * least two, receipts without intermediate roots (Byzantium on), every
 * transaction with a sender, and blob transactions only with a blob fee. */
static bool use_parallel(const struct t8n_run *run)
{
    const struct t8n_config *cfg = run->cfg;
    if (cfg->threads <= 1 || cfg->trace || cfg->bal || run->txs->count < 2 || cfg->fork < FORK_BYZANTIUM)
        return false;
    for (size_t i = 0; i < run->txs->count; i++)
        if (run->txs->invalid[i] || (run->txs->txs[i].type == 3 && !run->blob_fee_known))
            return false;
    return true;
}

/*
 * The transactions, committed by the block commit of exec/sequential.h
 * (seq_transactions: one place applies a transaction's writes and builds
 * its receipt, for blocks and for t8n) under geth's reject-and-skip
 * rules (struct seq_skip). With the parallel engine, its outputs go
 * through the same commit: it executes every transaction as if the ones
 * below it that it found invalid were absent, which is exactly t8n's
 * rule; what it cannot know is the block's gas and blob-gas limits, which
 * depend on which transactions were included, and the commit applies
 * them in order. A transaction the engine executed as valid but the
 * limits reject invalidates what it computed for everything after it
 * (those read its writes): from there the commit executes the rest
 * itself.
 */
static int run_transactions(struct t8n_run *run, uint64_t *gas_used, uint64_t *blob_gas_used)
{
    const struct t8n_config *cfg = run->cfg;
    size_t n = run->txs->count;
    struct chain_config cc; /* (intermediate roots kept: pre-Byzantium receipts) */
    chain_config_single(&cc, cfg->fork);
    struct block b;
    memset(&b, 0, sizeof b);
    b.txs = run->txs->txs;
    b.tx_count = n;
    struct block_result r;
    memset(&r, 0, sizeof r);
    struct seq_skip skip = {on_rejected, run, run->txs->invalid, !run->blob_fee_known};
    struct seq_tx_hooks hooks;
    struct seq_run s;
    int err = seq_open_env(&s, &cc, &b, run->w, &run->benv, &run->env->hashes, &r, cfg->bal);
    s.skip = &skip;
    if (cfg->trace) {
        hooks.begin = cfg->trace->begin;
        hooks.end = cfg->trace->end;
        hooks.arg = cfg->trace->arg;
        s.hooks = &hooks;
    }
    if (!err && use_parallel(run)) {
        run->out->parallel = true;
        s.par = calloc(n, sizeof *s.par);
        if (!s.par)
            err = PAREVM_ERR_NOMEM;
        else
            err = parallel_execute(&s.env, run->w, b.txs, n, cfg->threads, s.par, NULL);
        s.par_count = n;
    }
    bool stop = false; /* (never set under s.skip) */
    if (!err)
        err = seq_transactions(&s, 1, gas_used, &stop);
    if (s.par) {
        size_t from = seq_outputs_left(&s, err);
        par_output_free(s.par + from, n - from);
        free(s.par);
        s.par = NULL;
    }
    if (err && r.invalid_message[0]) { /* an internal error of transaction s.error_tx */
        if (err == PAREVM_ERR_MISSING && s.hashes.missing)
            fail(run->err, run->err_len,
                 "transaction %zu: BLOCKHASH(%llu) invoked, blockhash for that block not provided",
                 s.error_tx, (unsigned long long)s.hashes.missing_number);
        else
            fail(run->err, run->err_len, "%s", r.invalid_message);
    }
    if (!err)
        err = take_receipts(run, &r);
    *blob_gas_used = r.blob_gas_used;
    if (*gas_used < s.state_gas) /* EIP-8037: the larger of regular and state gas */
        *gas_used = s.state_gas;
    seq_discard(&s);
    block_result_free(&r);
    return err;
}

/* Block env for the fork; config errors (geth's ErrorConfig) as
 * PAREVM_ERR_ARG with a message. */
static int make_block_env(struct t8n_run *run)
{
    const struct t8n_config *cfg = run->cfg;
    const struct t8n_env *env = run->env;
    struct t8n_result *out = run->out;
    struct block_env *b = &run->benv;
    enum fork fork = cfg->fork;
    memset(b, 0, sizeof *b);
    b->fork = fork;
    b->chain_id = cfg->chain_id;
    b->coinbase = env->coinbase;
    b->number = env->number;
    b->timestamp = env->timestamp;
    b->gas_limit = env->gas_limit;
    b->block_hash = run_block_hash;
    b->block_hash_arg = run;

    if (fork >= FORK_LONDON) {
        if (env->has_base_fee) {
            b->base_fee = env->base_fee;
        } else if (env->has_parent_base_fee && env->number > 0) {
            struct block_header parent;
            memset(&parent, 0, sizeof parent);
            parent.base_fee = env->parent_base_fee;
            parent.gas_used = env->parent_gas_used;
            parent.gas_limit = env->parent_gas_limit;
            b->base_fee = validate_next_base_fee(&parent);
        } else {
            fail(run->err, run->err_len, "EIP-1559 config but missing 'parentBaseFee' in env section");
            return PAREVM_ERR_ARG;
        }
        out->has_base_fee = true;
        out->base_fee = b->base_fee;
    } else if (env->has_base_fee) {
        /* Before London the EVM has no base fee; geth's result still
         * echoes a given currentBaseFee. */
        out->has_base_fee = true;
        out->base_fee = env->base_fee;
    }
    if (fork >= FORK_SHANGHAI && !env->has_withdrawals) {
        fail(run->err, run->err_len, "Shanghai config but missing 'withdrawals' in env section");
        return PAREVM_ERR_ARG;
    }
    if (fork >= FORK_PARIS) {
        if (!env->has_random) {
            fail(run->err, run->err_len, "post-merge requires currentRandom to be defined in env");
            return PAREVM_ERR_ARG;
        }
        if (env->has_difficulty && !u256_is_zero(&env->difficulty)) {
            fail(run->err, run->err_len, "post-merge difficulty must be zero (or omitted) in env");
            return PAREVM_ERR_ARG;
        }
        b->prev_randao = env->random; /* EIP-4399 */
    } else if (env->has_difficulty) {
        b->difficulty = env->difficulty;
        out->has_difficulty = true;
    } else {
        if (!env->has_parent_difficulty) {
            fail(run->err, run->err_len,
                 "currentDifficulty was not provided, and cannot be calculated due to missing "
                 "parentDifficulty");
            return PAREVM_ERR_ARG;
        }
        if (env->number == 0) {
            fail(run->err, run->err_len, "currentDifficulty needs to be provided for block number 0");
            return PAREVM_ERR_ARG;
        }
        if (env->timestamp <= env->parent_timestamp) {
            fail(run->err, run->err_len,
                 "currentDifficulty cannot be calculated -- currentTime (%llu) needs to be after parent time "
                 "(%llu)",
                 (unsigned long long)env->timestamp, (unsigned long long)env->parent_timestamp);
            return PAREVM_ERR_ARG;
        }
        struct block_header parent;
        memset(&parent, 0, sizeof parent);
        parent.number = env->number - 1;
        parent.timestamp = env->parent_timestamp;
        parent.difficulty = env->parent_difficulty;
        if (env->has_parent_uncle_hash && !hash32_is_zero(&env->parent_uncle_hash)) {
            parent.ommers_hash = env->parent_uncle_hash;
        } else {
            static const uint8_t empty_rlp_list = 0xc0;
            keccak256(&empty_rlp_list, 1, parent.ommers_hash.bytes); /* no uncles */
        }
        struct chain_config cc;
        chain_config_single(&cc, fork);
        if (run->cfg->glacier_bomb_delay) /* EIP-2384 / EIP-4345 / EIP-5133 */
            chain_config_add_bomb_delay(&cc, 0, run->cfg->glacier_bomb_delay);
        b->difficulty = validate_pow_difficulty(fork, &parent, env->number, env->timestamp,
                                                validate_bomb_delay(&cc, fork, env->number));
        out->has_difficulty = true;
    }
    if (out->has_difficulty)
        out->difficulty = b->difficulty;
    /* EIP-4788: the beacon-roots system call needs the root; geth refuses
     * a Cancun env without it (exit 3) rather than skip the call. */
    if (fork >= FORK_CANCUN && !env->has_parent_beacon_root) {
        fail(run->err, run->err_len, "post-cancun env requires parentBeaconBlockRoot to be set");
        return PAREVM_ERR_ARG;
    }

    if (fork >= FORK_CANCUN) {
        if (env->has_excess_blob_gas) {
            b->excess_blob_gas = env->excess_blob_gas;
            run->blob_fee_known = true;
        } else if (env->has_parent_excess_blob_gas && env->has_parent_blob_gas_used) {
            struct block_header parent;
            memset(&parent, 0, sizeof parent);
            parent.has_blob_gas = true;
            parent.excess_blob_gas = env->parent_excess_blob_gas;
            parent.blob_gas_used = env->parent_blob_gas_used;
            /* EIP-7918 (Osaka on) compares against the parent's base fee. */
            parent.has_base_fee = env->has_parent_base_fee;
            parent.base_fee = env->parent_base_fee;
            b->excess_blob_gas = validate_next_excess_blob_gas(&parent, FORK_CANCUN, fork);
            run->blob_fee_known = true;
        }
        b->blob_base_fee = block_env_blob_base_fee(fork, b->excess_blob_gas);
    }
    b->slot_number = env->slot_number;
    return PAREVM_OK;
}

static int add_balance(struct world *w, const address *a, const u256 *amount, enum fork fork)
{
    struct world_account *acct = world_get_or_create(w, a);
    if (!acct)
        return PAREVM_ERR_NOMEM;
    acct->balance = u256_add(&acct->balance, amount);
    /* A zero credit touches: from EIP-161 an empty touched account goes. */
    if (fork >= FORK_SPURIOUS && world_account_is_empty(acct))
        world_delete(w, a);
    return PAREVM_OK;
}

/* geth t8n's miner and ommer rewards (--state.reward, 0 = touch only). */
static int pay_rewards(struct t8n_run *run)
{
    const struct t8n_env *env = run->env;
    const u256 *reward = &run->cfg->reward;
    u256 per_ommer = u256_shr(reward, 5);
    u256 count = u256_from_u64(env->ommer_count);
    u256 inclusion = u256_mul(&per_ommer, &count);
    u256 miner = u256_add(reward, &inclusion);
    for (size_t i = 0; i < env->ommer_count; i++) {
        uint64_t eighths = env->ommers[i].delta < 8 ? 8 - env->ommers[i].delta : 0;
        u256 k = u256_from_u64(eighths);
        u256 amount = u256_mul(reward, &k);
        amount = u256_shr(&amount, 3);
        int err = add_balance(run->w, &env->ommers[i].addr, &amount, run->cfg->fork);
        if (err)
            return err;
    }
    return add_balance(run->w, &env->coinbase, &miner, run->cfg->fork);
}

/* All logs of the included transactions, in order (shallow copies). */
static int block_logs_hash(const struct t8n_result *out, hash32 *h)
{
    size_t n = 0;
    for (size_t i = 0; i < out->receipt_count; i++)
        n += out->receipts[i].r.log_count;
    struct log *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return PAREVM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < out->receipt_count; i++)
        for (size_t j = 0; j < out->receipts[i].r.log_count; j++)
            all[k++] = out->receipts[i].r.logs[j];
    int err = logs_hash(all, n, h);
    free(all);
    return err;
}

/* Prague on, after the withdrawals (EIP-7685, execution-specs apply_body
 * order): the deposits in the included transactions' logs (EIP-6110),
 * then the EIP-7002 and EIP-7251 system calls on the world, and the
 * requests hash. A bad deposit layout or a failed (or code-less) request
 * contract makes the block invalid: an error here, as geth's t8n. */
static int t8n_requests(struct t8n_run *run)
{
    struct t8n_result *out = run->out;
    const address *dc = run->cfg->deposit_contract ? run->cfg->deposit_contract : &MAINNET_DEPOSIT_CONTRACT;
    size_t n = out->receipt_count;
    struct receipt *rcs = malloc((n ? n : 1) * sizeof *rcs);
    if (!rcs)
        return PAREVM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        rcs[i] = out->receipts[i].r; /* shallow: read only */
    char why[160];
    out->has_requests = true;
    int err = block_deposit_requests(rcs, n, dc, &out->requests.data[REQUEST_DEPOSIT], why, sizeof why);
    free(rcs);
    if (err == PAREVM_ERR_BLOCK_INVALID) {
        fail(run->err, run->err_len, "could not parse deposit requests (EIP-6110): %s", why);
        return err;
    }
    const struct block_request_contract *calls;
    size_t ncalls = block_request_contracts(run->benv.fork, &calls);
    struct write_set ws;
    write_set_init(&ws);
    for (size_t i = 0; i < ncalls && !err; i++) {
        err = block_request_call(&run->benv, calls[i].contract, &run->view, &ws,
                                 &out->requests.data[calls[i].type], NULL, why, sizeof why);
        if (err == PAREVM_ERR_BLOCK_INVALID)
            fail(run->err, run->err_len, "%s requests: %s", calls[i].eip, why);
        else if (!err && run->cfg->bal)
            err = bal_record(run->cfg->bal, (uint32_t)out->receipt_count + 1, &ws, transition_last_journal(),
                             run->w);
        if (!err)
            err = write_set_apply(&ws, run->w);
    }
    write_set_free(&ws);
    if (!err)
        err = block_requests_hash(&out->requests, &out->requests_hash);
    return err;
}

static int finish(struct t8n_run *run)
{
    struct t8n_result *out = run->out;
    const struct t8n_env *env = run->env;
    int err = PAREVM_OK;
    struct block b;
    memset(&b, 0, sizeof b);
    b.header.coinbase = env->coinbase;
    b.has_withdrawals = env->has_withdrawals;
    b.withdrawals = env->withdrawals;
    b.withdrawal_count = env->has_withdrawals ? env->withdrawal_count : 0;
    if (run->cfg->bal)
        err = bal_post_begin(run->cfg->bal, &b, run->cfg->reward_enabled && !u256_is_zero(&run->cfg->reward),
                             run->w);
    if (!err && run->cfg->reward_enabled)
        err = pay_rewards(run);
    if (!err && env->has_withdrawals) {
        err = block_apply_withdrawals(&b, run->w);
        if (!err) {
            out->has_withdrawals_root = true;
            err = withdrawals_root(env->withdrawals, env->withdrawal_count, &out->withdrawals_root);
        }
    }
    if (!err && run->cfg->bal) /* EIP-7928: rewards and withdrawals at n + 1 */
        err = bal_post_end(run->cfg->bal, (uint32_t)out->receipt_count + 1, run->w);
    if (!err && run->cfg->fork >= FORK_PRAGUE)
        err = t8n_requests(run);
    if (!err && run->cfg->bal)
        err = bal_finish(run->cfg->bal);
    if (!err)
        err = world_state_root(run->w, &out->state_root);
    if (err)
        return err;

    /* Roots over the included transactions and their receipts. */
    size_t n = out->receipt_count;
    struct tx *txs = malloc((n ? n : 1) * sizeof *txs);
    struct receipt *rcs = malloc((n ? n : 1) * sizeof *rcs);
    if (!txs || !rcs) {
        free(txs);
        free(rcs);
        return PAREVM_ERR_NOMEM;
    }
    memset(out->logs_bloom, 0, sizeof out->logs_bloom);
    for (size_t i = 0; i < n; i++) {
        txs[i] = run->txs->txs[out->receipts[i].input_index]; /* shallow: read only */
        rcs[i] = out->receipts[i].r;
        for (size_t k = 0; k < 256; k++)
            out->logs_bloom[k] |= rcs[i].bloom[k];
    }
    err = transactions_root(txs, n, &out->tx_root);
    if (!err)
        err = receipts_root(rcs, n, &out->receipts_root);
    free(txs);
    free(rcs);
    if (!err)
        err = block_logs_hash(out, &out->logs_hash);
    return err;
}

int t8n_apply(const struct t8n_config *cfg, const struct t8n_env *env, const struct t8n_txs *txs,
              struct world *w, struct t8n_result *out, char *err, size_t err_len)
{
    if (err && err_len)
        err[0] = '\0';
    if (!out)
        return PAREVM_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (!cfg || !env || !txs || !w || (txs->count && (!txs->txs || !txs->invalid)))
        return PAREVM_ERR_ARG;
    out->block_number = env->number;
    if (cfg->fork >= FORK__COUNT) {
        fail(err, err_len, "unknown fork");
        return PAREVM_ERR_ARG;
    }
    if (!fork_implemented(cfg->fork)) {
        /* Never run a fork under an older fork's rules. */
        fail(err, err_len, "fork %s is not implemented", fork_name(cfg->fork));
        return PAREVM_ERR_UNSUPPORTED;
    }
    struct t8n_run run;
    memset(&run, 0, sizeof run);
    run.cfg = cfg;
    run.env = env;
    run.txs = txs;
    run.w = w;
    run.out = out;
    run.err = err;
    run.err_len = err_len;
    int rc = make_block_env(&run);
    if (rc)
        return rc;
    run.wv.world = w;
    run.wv.block_hash = run.benv.block_hash;
    run.wv.block_hash_arg = run.benv.block_hash_arg;
    run.view = world_view_make(&run.wv);
    write_set_init(&run.ws);
    out->receipts = calloc(txs->count ? txs->count : 1, sizeof *out->receipts);
    if (!out->receipts) {
        write_set_free(&run.ws);
        return PAREVM_ERR_NOMEM;
    }

    /* EIP-7997: the factory predeploy, before the system calls. */
    rc = block_factory_predeploy(&run.benv, &run.view, &run.ws);
    if (!rc && cfg->bal && run.ws.account_count)
        rc = bal_record(cfg->bal, 0, &run.ws, NULL, w);
    if (!rc)
        rc = write_set_apply(&run.ws, w);
    if (rc)
        fail(err, err_len, "EIP-7997 factory predeploy: %s", parevm_strerror(rc));
    /* EIP-4788: the beacon roots system call, when a root is given. */
    if (!rc && cfg->fork >= FORK_CANCUN && env->has_parent_beacon_root) {
        struct block_header h;
        memset(&h, 0, sizeof h);
        h.has_parent_beacon_root = true;
        h.parent_beacon_root = env->parent_beacon_root;
        rc = block_beacon_root_call(&run.benv, &h, &run.view, &run.ws);
        if (!rc && cfg->bal)
            rc = bal_record(cfg->bal, 0, &run.ws, transition_last_journal(), w);
        if (!rc)
            rc = write_set_apply(&run.ws, w);
        if (rc)
            fail(err, err_len, "beacon root system call: %s", parevm_strerror(rc));
    }
    /* EIP-2935: the history storage call with the parent hash, which t8n
     * takes from env.blockHashes[number - 1]. As geth's t8n: without a
     * blockHashes object the call is not made, and an object without that
     * entry gives the zero hash. */
    if (!rc && cfg->fork >= FORK_PRAGUE && env->number > 0 && env->has_block_hashes) {
        hash32 parent;
        rc = block_hashes_lookup((void *)&env->hashes, env->number - 1, &parent);
        if (rc == PAREVM_ERR_MISSING) {
            memset(&parent, 0, sizeof parent);
            rc = PAREVM_OK;
        }
        if (rc)
            fail(err, err_len, "EIP-2935: env.blockHashes lacks the parent block %llu",
                 (unsigned long long)(env->number - 1));
        if (!rc)
            rc = block_history_call(&run.benv, &parent, &run.view, &run.ws);
        if (!rc && cfg->bal)
            rc = bal_record(cfg->bal, 0, &run.ws, transition_last_journal(), w);
        if (!rc)
            rc = write_set_apply(&run.ws, w);
        if (rc && err && err_len && !err[0])
            fail(err, err_len, "history storage system call: %s", parevm_strerror(rc));
    }

    uint64_t gas_used = 0, blob_gas_used = 0;
    if (!rc)
        rc = run_transactions(&run, &gas_used, &blob_gas_used);
    write_set_free(&run.ws);
    if (!rc) {
        out->gas_used = gas_used;
        if (run.blob_fee_known) {
            out->has_blob_gas = true;
            out->excess_blob_gas = run.benv.excess_blob_gas;
            out->blob_gas_used = blob_gas_used;
        }
        rc = finish(&run);
    }
    if (rc && err && err_len && !err[0])
        fail(err, err_len, "%s", parevm_strerror(rc));
    if (rc)
        t8n_result_free(out);
    return rc;
}

/* ======================================================================
 * Writing
 * ====================================================================== */

/* A small pretty-printing JSON writer (2-space indent). */
#define JW_MAX_DEPTH 16
struct jw {
    struct bytebuf *b;
    int err;
    int depth;
    size_t count[JW_MAX_DEPTH];
    bool after_key;
};

static void jw_put(struct jw *w, const char *s, size_t n)
{
    if (!w->err)
        w->err = bytebuf_append(w->b, s, n);
}

static void jw_puts(struct jw *w, const char *s)
{
    jw_put(w, s, strlen(s));
}

static void jw_newline(struct jw *w)
{
    jw_put(w, "\n", 1);
    for (int i = 0; i < w->depth; i++)
        jw_put(w, "  ", 2);
}

/* Position for the next member or element. */
static void jw_item(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->count[w->depth]++)
        jw_put(w, ",", 1);
    jw_newline(w);
}

static void jw_open(struct jw *w, char c)
{
    jw_item(w);
    jw_put(w, &c, 1);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    w->count[w->depth] = 0;
}

static void jw_close(struct jw *w, char c)
{
    bool any = w->count[w->depth] != 0;
    w->depth--;
    if (any)
        jw_newline(w);
    jw_put(w, &c, 1);
}

static void jw_key(struct jw *w, const char *key)
{
    jw_item(w);
    jw_put(w, "\"", 1);
    jw_puts(w, key);
    jw_put(w, "\": ", 3);
    w->after_key = true;
}

/* A raw value (number, null, true) or an already-quoted string. */
static void jw_raw(struct jw *w, const char *s)
{
    jw_item(w);
    jw_puts(w, s);
}

static void jw_str(struct jw *w, const char *s)
{
    jw_item(w);
    jw_put(w, "\"", 1);
    jw_puts(w, s);
    jw_put(w, "\"", 1);
}

static void jw_hex(struct jw *w, const uint8_t *data, size_t len)
{
    char *h = hex_encode_alloc(data, len);
    if (!h) {
        if (!w->err)
            w->err = PAREVM_ERR_NOMEM;
        return;
    }
    jw_str(w, h);
    free(h);
}

/* "0x" type || data (an EIP-7685 request list entry). */
static void jw_typed_hex(struct jw *w, uint8_t type, const uint8_t *data, size_t len)
{
    struct bytebuf b = {0};
    if (bytebuf_push(&b, type) || bytebuf_append(&b, data, len)) {
        if (!w->err)
            w->err = PAREVM_ERR_NOMEM;
    } else {
        jw_hex(w, b.data, b.len);
    }
    bytebuf_free(&b);
}

static void jw_u64(struct jw *w, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "0x%llx", (unsigned long long)v);
    jw_str(w, s);
}

static void jw_u256(struct jw *w, const u256 *v)
{
    char s[72];
    u256_to_hex(v, s);
    jw_str(w, s);
}

static void jw_member_hex(struct jw *w, const char *key, const uint8_t *data, size_t len)
{
    jw_key(w, key);
    jw_hex(w, data, len);
}

static void jw_member_u64(struct jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_u64(w, v);
}

static void jw_member_u256(struct jw *w, const char *key, const u256 *v)
{
    jw_key(w, key);
    jw_u256(w, v);
}

/* ---- alloc ---- */

static int cmp_address(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

static int cmp_slot(const void *a, const void *b)
{
    const u256 *x = a, *y = b;
    return u256_lt(x, y) ? -1 : u256_lt(y, x);
}

static void write_alloc(struct jw *w, const struct world *world)
{
    size_t n = world->accounts.count;
    address *addrs = malloc((n ? n : 1) * sizeof *addrs);
    if (!addrs) {
        w->err = PAREVM_ERR_NOMEM;
        return;
    }
    size_t k = 0, it = 0;
    const void *key;
    void *val;
    while (hmap_next(&world->accounts, &it, &key, &val) && k < n)
        memcpy(addrs[k++].bytes, key, 20);
    qsort(addrs, k, sizeof *addrs, cmp_address);
    jw_open(w, '{');
    for (size_t i = 0; i < k && !w->err; i++) {
        const struct world_account *a = world_get(world, &addrs[i]);
        char name[43];
        hex_encode(addrs[i].bytes, 20, name);
        jw_key(w, name);
        jw_open(w, '{');
        if (a->code->len)
            jw_member_hex(w, "code", a->code->bytes, a->code->len);
        if (a->storage.count) {
            size_t m = a->storage.count, j = 0, sit = 0;
            u256 *slots = malloc(m * sizeof *slots);
            if (!slots) {
                w->err = PAREVM_ERR_NOMEM;
                break;
            }
            while (hmap_next(&a->storage, &sit, &key, &val) && j < m)
                slots[j++] = *(const u256 *)key;
            qsort(slots, j, sizeof *slots, cmp_slot);
            jw_key(w, "storage");
            jw_open(w, '{');
            for (size_t s = 0; s < j; s++) {
                uint8_t kb[32], vb[32];
                char ks[67];
                u256 v = world_get_storage(a, &slots[s]);
                u256_to_be(&slots[s], kb);
                u256_to_be(&v, vb);
                hex_encode(kb, 32, ks);
                jw_member_hex(w, ks, vb, 32);
            }
            jw_close(w, '}');
            free(slots);
        }
        jw_member_u256(w, "balance", &a->balance);
        if (a->nonce)
            jw_member_u64(w, "nonce", a->nonce);
        jw_close(w, '}');
    }
    jw_close(w, '}');
    free(addrs);
}

/* ---- result ---- */

static const hash32 log_block_hash = {{0x13, 0x37}}; /* geth t8n's placeholder */

static void write_receipt(struct jw *w, const struct t8n_receipt *tr, size_t index, size_t *log_index,
                          uint64_t number)
{
    const struct receipt *r = &tr->r;
    static const uint8_t zero[32];
    jw_open(w, '{');
    if (r->tx_type != 0) /* geth: omitted for legacy receipts */
        jw_member_u64(w, "type", r->tx_type);
    if (r->has_status)
        jw_member_hex(w, "root", NULL, 0);
    else
        jw_member_hex(w, "root", r->post_state.bytes, 32);
    jw_member_u64(w, "status", r->status ? 1 : 0);
    jw_member_u64(w, "cumulativeGasUsed", r->cumulative_gas_used);
    jw_member_hex(w, "logsBloom", r->bloom, 256);
    jw_key(w, "logs");
    if (r->log_count == 0) {
        jw_raw(w, "[]");
    } else {
        jw_open(w, '[');
        for (size_t i = 0; i < r->log_count; i++) {
            const struct log *l = &r->logs[i];
            jw_open(w, '{');
            jw_member_hex(w, "address", l->addr.bytes, 20);
            jw_key(w, "topics");
            jw_open(w, '[');
            for (unsigned t = 0; t < l->topic_count && t < 4; t++)
                jw_hex(w, l->topics[t].bytes, 32);
            jw_close(w, ']');
            jw_member_hex(w, "data", l->data, l->data_len);
            jw_member_u64(w, "blockNumber", number);
            jw_member_hex(w, "transactionHash", tr->tx_hash.bytes, 32);
            jw_member_u64(w, "transactionIndex", index);
            jw_member_hex(w, "blockHash", log_block_hash.bytes, 32);
            jw_member_u64(w, "logIndex", (*log_index)++);
            jw_key(w, "removed");
            jw_raw(w, "false");
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    jw_member_hex(w, "transactionHash", tr->tx_hash.bytes, 32);
    jw_member_hex(w, "contractAddress", r->has_created_address ? r->created_address.bytes : zero, 20);
    jw_member_u64(w, "gasUsed", r->gas_used);
    /* geth's t8n leaves the receipt's effective gas price unset */
    jw_key(w, "effectiveGasPrice");
    jw_raw(w, "null");
    if (r->tx_type == 3) {
        jw_member_u64(w, "blobGasUsed", tr->blob_gas_used);
        jw_member_u256(w, "blobGasPrice", &tr->blob_gas_price);
    }
    jw_member_hex(w, "blockHash", log_block_hash.bytes, 32);
    jw_member_u64(w, "blockNumber", number);
    jw_member_u64(w, "transactionIndex", index);
    jw_close(w, '}');
}

static void write_result(struct jw *w, const struct t8n_result *r)
{
    jw_open(w, '{');
    jw_member_hex(w, "stateRoot", r->state_root.bytes, 32);
    jw_member_hex(w, "txRoot", r->tx_root.bytes, 32);
    jw_member_hex(w, "receiptsRoot", r->receipts_root.bytes, 32);
    jw_member_hex(w, "logsHash", r->logs_hash.bytes, 32);
    jw_member_hex(w, "logsBloom", r->logs_bloom, 256);
    jw_key(w, "receipts");
    jw_open(w, '[');
    size_t log_index = 0;
    for (size_t i = 0; i < r->receipt_count; i++)
        write_receipt(w, &r->receipts[i], i, &log_index, r->block_number);
    jw_close(w, ']');
    if (r->rejected_count) {
        jw_key(w, "rejected");
        jw_open(w, '[');
        for (size_t i = 0; i < r->rejected_count; i++) {
            char num[24];
            jw_open(w, '{');
            jw_key(w, "index");
            snprintf(num, sizeof num, "%zu", r->rejected[i].index);
            jw_raw(w, num);
            jw_key(w, "error");
            /* messages are ours: no quotes or control characters */
            jw_str(w, r->rejected[i].error);
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    jw_key(w, "currentDifficulty");
    if (r->has_difficulty)
        jw_u256(w, &r->difficulty);
    else
        jw_raw(w, "null");
    jw_member_u64(w, "gasUsed", r->gas_used);
    if (r->has_base_fee)
        jw_member_u256(w, "currentBaseFee", &r->base_fee);
    if (r->has_withdrawals_root)
        jw_member_hex(w, "withdrawalsRoot", r->withdrawals_root.bytes, 32);
    if (r->has_blob_gas) {
        jw_member_u64(w, "currentExcessBlobGas", r->excess_blob_gas);
        jw_member_u64(w, "blobGasUsed", r->blob_gas_used);
    }
    if (r->has_requests) {
        /* EIP-7685, as geth's t8n writes them: type byte || data for
         * each non-empty request type, then the hash. */
        jw_key(w, "requests");
        jw_open(w, '[');
        for (int t = 0; t < REQUEST_TYPE_COUNT; t++) {
            const struct bytebuf *d = &r->requests.data[t];
            if (d->len)
                jw_typed_hex(w, (uint8_t)t, d->data, d->len);
        }
        jw_close(w, ']');
        jw_member_hex(w, "requestsHash", r->requests_hash.bytes, 32);
    }
    jw_close(w, '}');
}

/* The body: rlp([tx, ...]) with typed transactions as byte strings. */
static int encode_body(const struct t8n_result *r, const struct t8n_txs *txs, struct bytebuf *rlp)
{
    struct bytebuf one = {0};
    size_t list = rlp_list_begin(rlp);
    int err = PAREVM_OK;
    for (size_t i = 0; i < r->receipt_count && !err; i++) {
        const struct tx *tx = &txs->txs[r->receipts[i].input_index];
        bytebuf_reset(&one);
        err = tx_encode(tx, &one);
        if (!err)
            err = tx->type == 0 ? rlp_encode_raw(rlp, one.data, one.len)
                                : rlp_encode_bytes(rlp, one.data, one.len);
    }
    bytebuf_free(&one);
    if (!err)
        err = rlp_list_end(rlp, list);
    return err;
}

static void write_body(struct jw *w, const struct t8n_result *r, const struct t8n_txs *txs)
{
    struct bytebuf rlp = {0};
    int err = encode_body(r, txs, &rlp);
    if (err && !w->err)
        w->err = err;
    if (!err)
        jw_hex(w, rlp.data, rlp.len);
    bytebuf_free(&rlp);
}

static int jw_finish(struct jw *w)
{
    jw_put(w, "\n", 1);
    return w->err;
}

int t8n_write_alloc(const struct world *world, struct bytebuf *out)
{
    struct jw w = {.b = out};
    write_alloc(&w, world);
    return jw_finish(&w);
}

int t8n_write_result(const struct t8n_result *r, struct bytebuf *out)
{
    struct jw w = {.b = out};
    write_result(&w, r);
    return jw_finish(&w);
}

int t8n_write_body(const struct t8n_result *r, const struct t8n_txs *txs, struct bytebuf *out)
{
    struct jw w = {.b = out};
    write_body(&w, r, txs);
    return jw_finish(&w);
}

int t8n_write_combined(const struct world *alloc, const struct t8n_result *r, const struct t8n_txs *txs,
                       unsigned parts, struct bytebuf *out)
{
    if (((parts & T8N_PART_ALLOC) && !alloc) || ((parts & (T8N_PART_RESULT | T8N_PART_BODY)) && !r) ||
        ((parts & T8N_PART_BODY) && !txs))
        return PAREVM_ERR_ARG;
    struct jw w = {.b = out};
    jw_open(&w, '{');
    if (parts & T8N_PART_ALLOC) {
        jw_key(&w, "alloc");
        write_alloc(&w, alloc);
    }
    if (parts & T8N_PART_BODY) {
        jw_key(&w, "body");
        write_body(&w, r, txs);
    }
    if (parts & T8N_PART_RESULT) {
        jw_key(&w, "result");
        write_result(&w, r);
    }
    jw_close(&w, '}');
    return jw_finish(&w);
}
