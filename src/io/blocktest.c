/* blocktest — BlockchainTests JSON loader and block RLP decoder (see blocktest.h). */
#include "blocktest.h"
#include "file.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hex.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "../exec/bal.h"
#include "../exec/exec.h"
#include "../state/trie.h"
#include "jsonld.h"

/* ---- messages ---- */

/* Field names for messages, truncated to FIELD_MAX bytes. */
#define FIELD_MAX 256

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static const char *field_name(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return buf;
}

/* ---- JSON values ---- */

static int bt_require(struct json_ctx *c, const cJSON *obj, const char *key, const char *field, const cJSON **out)
{
    *out = json_member(obj, key);
    if (!*out)
        return json_fail(c, PAREVM_ERR_JSON, field, "missing field");
    return PAREVM_OK;
}

static int bt_string(struct json_ctx *c, const cJSON *item, const char *field, const char **out)
{
    if (!cJSON_IsString(item) || !item->valuestring)
        return json_fail(c, PAREVM_ERR_JSON, field, "expected a string");
    *out = item->valuestring;
    return PAREVM_OK;
}

static int bt_strdup(struct json_ctx *c, const cJSON *item, const char *field, char **out)
{
    const char *s = NULL;
    int err = bt_string(c, item, field, &s);
    if (err)
        return err;
    if (!(*out = strdup(s)))
        return json_nomem(c);
    return PAREVM_OK;
}

static int bt_blocks(struct json_ctx *c, const cJSON *test, struct blocktest *t)
{
    const cJSON *blocks;
    char f[FIELD_MAX];
    int err;
    if ((err = bt_require(c, test, "blocks", "blocks", &blocks)))
        return err;
    if (!cJSON_IsArray(blocks))
        return json_fail(c, PAREVM_ERR_JSON, "blocks", "expected an array");
    size_t n = (size_t)cJSON_GetArraySize(blocks);
    if (n && !(t->blocks = calloc(n, sizeof *t->blocks)))
        return json_nomem(c);
    const cJSON *bj;
    cJSON_ArrayForEach(bj, blocks)
    {
        size_t i = t->block_count;
        struct blocktest_block *b = &t->blocks[t->block_count++];
        const cJSON *item;
        if (!cJSON_IsObject(bj))
            return json_fail(c, PAREVM_ERR_JSON, field_name(f, sizeof f, "blocks[%zu]", i), "expected an object");
        if ((err = bt_require(c, bj, "rlp", field_name(f, sizeof f, "blocks[%zu].rlp", i), &item)) ||
            (err = json_bytes(c, item, f, &b->rlp, &b->rlp_len)))
            return err;
        if ((item = json_member(bj, "expectException")) &&
            (err = bt_strdup(c, item, field_name(f, sizeof f, "blocks[%zu].expectException", i),
                             &b->expect_exception)))
            return err;
        if ((item = json_member(bj, "chainname")) &&
            (err = bt_strdup(c, item, field_name(f, sizeof f, "blocks[%zu].chainname", i), &b->chain_name)))
            return err;
    }
    return PAREVM_OK;
}

static int bt_test(struct json_ctx *c, const cJSON *test, struct blocktest *t)
{
    const cJSON *item, *header;
    int err;
    if (!(t->name = strdup(test->string)))
        return json_nomem(c);
    if (!cJSON_IsObject(test))
        return json_fail(c, PAREVM_ERR_JSON, NULL, "expected an object");
    if ((err = bt_require(c, test, "network", "network", &item)) || (err = bt_strdup(c, item, "network", &t->network)))
        return err;
    if ((item = json_member(test, "sealEngine")) && (err = bt_strdup(c, item, "sealEngine", &t->seal_engine)))
        return err;
    if ((err = bt_require(c, test, "genesisRLP", "genesisRLP", &item)) ||
        (err = json_bytes(c, item, "genesisRLP", &t->genesis_rlp, &t->genesis_rlp_len)))
        return err;
    if ((err = bt_require(c, test, "genesisBlockHeader", "genesisBlockHeader", &header)))
        return err;
    if ((err = bt_require(c, header, "hash", "genesisBlockHeader.hash", &item)) ||
        (err = json_fixed(c, item, "genesisBlockHeader.hash", t->genesis_hash.bytes, 32)))
        return err;
    if ((err = bt_require(c, test, "pre", "pre", &item)) || (err = json_accounts(c, item, "pre", &t->pre)))
        return err;
    if ((item = json_member(test, "postState"))) {
        t->has_post_state = true;
        if ((err = json_accounts(c, item, "postState", &t->post)))
            return err;
    }
    if ((item = json_member(test, "postStateHash"))) {
        t->has_post_state_hash = true;
        if ((err = json_fixed(c, item, "postStateHash", t->post_state_hash.bytes, 32)))
            return err;
    }
    if (!t->has_post_state && !t->has_post_state_hash)
        return json_fail(c, PAREVM_ERR_JSON, "postState", "missing field (neither postState nor postStateHash)");
    if ((err = bt_require(c, test, "lastblockhash", "lastblockhash", &item)) ||
        (err = json_fixed(c, item, "lastblockhash", t->last_block_hash.bytes, 32)))
        return err;
    return bt_blocks(c, test, t);
}

static void blocktest_free(struct blocktest *t)
{
    free(t->name);
    free(t->network);
    free(t->seal_engine);
    free(t->genesis_rlp);
    world_free(&t->pre);
    world_free(&t->post);
    for (size_t i = 0; i < t->block_count; i++) {
        free(t->blocks[i].rlp);
        free(t->blocks[i].expect_exception);
        free(t->blocks[i].chain_name);
    }
    free(t->blocks);
    memset(t, 0, sizeof *t);
}

void blocktest_file_free(struct blocktest_file *f)
{
    for (size_t i = 0; i < f->count; i++)
        blocktest_free(&f->tests[i]);
    free(f->tests);
    free(f->path);
    memset(f, 0, sizeof *f);
}


int blocktest_parse(const char *path, const char *json, size_t len, struct blocktest_file *out, char *err,
                    size_t err_len)
{
    struct json_ctx c = {.path = path, .err = err, .err_len = err_len, .dialect = JSON_BLOCKTEST};
    memset(out, 0, sizeof *out);
    if (err && err_len)
        err[0] = '\0';
    char msg[200];
    cJSON *root;
    int rc = io_parse_json(json, len, &root, msg, sizeof msg);
    if (rc)
        return json_fail(&c, rc, NULL, "%s", msg);
    if (!cJSON_IsObject(root)) {
        rc = json_fail(&c, PAREVM_ERR_JSON, NULL, "top level is not an object of tests");
        goto done;
    }
    if (!(out->path = strdup(path))) {
        rc = json_nomem(&c);
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    if (n && !(out->tests = calloc(n, sizeof *out->tests))) {
        rc = json_nomem(&c);
        goto done;
    }
    const cJSON *test;
    cJSON_ArrayForEach(test, root)
    {
        struct blocktest *t = &out->tests[out->count++];
        world_init(&t->pre);
        world_init(&t->post);
        c.test = test->string;
        if ((rc = bt_test(&c, test, t)))
            goto done;
    }
done:
    cJSON_Delete(root);
    if (rc)
        blocktest_file_free(out);
    return rc;
}

int blocktest_load_file(const char *path, struct blocktest_file *out, char *err, size_t err_len)
{
    struct json_ctx c = {.path = path, .err = err, .err_len = err_len, .dialect = JSON_BLOCKTEST};
    memset(out, 0, sizeof *out);
    char *buf, msg[200];
    size_t len;
    int rc = io_read_file(path, &buf, &len, msg, sizeof msg);
    if (rc)
        return json_fail(&c, rc, NULL, "%s", msg);
    rc = blocktest_parse(path, buf, len, out, err, err_len);
    free(buf);
    return rc;
}

/* ---- block RLP ---- */

/* Decoder context: the first failure's message goes to why. */
struct dec {
    char *why;
    size_t why_len;
    int code;
    /* Where decoding is (set by the callers of the dec_* helpers) and,
     * once it failed, where it failed: the kind of a decoding rejection
     * (blocktest_rejection) depends on the part and field. */
    enum blocktest_decode_part part, failed_part;
    const char *field, *failed_field; /* static; NULL: none in particular */
    const char *tx_reason;            /* tx_decode's reason (static), part TRANSACTION */
    int tx_type;                      /* the failing transaction's type, -1 unknown */
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int dec_fail(struct dec *d, int code, const char *fmt, ...)
{
    if (d->code)
        return d->code;
    d->code = code;
    d->failed_part = d->part;
    d->failed_field = d->field;
    if (d->why && d->why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->why, d->why_len, fmt, ap);
        va_end(ap);
    }
    return code;
}

static const char *err_word(int code)
{
    return code == PAREVM_ERR_RANGE ? "value out of range" : "malformed or non-canonical RLP";
}

/* The children of a list item, up to max (more is an arity error). */
static int dec_children(struct dec *d, const struct rlp_item *list, const char *what, struct rlp_item *kids,
                        size_t max, size_t *count)
{
    if (!list->is_list)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: expected a list", what);
    struct rlp_iter it;
    struct rlp_item child;
    int err;
    size_t n = 0;
    rlp_iter_init(&it, list);
    while (rlp_iter_next(&it, &child, &err)) {
        if (n == max)
            return dec_fail(d, PAREVM_ERR_RLP, "%s: more than %zu items", what, max);
        kids[n++] = child;
    }
    if (err)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: malformed or non-canonical RLP", what);
    *count = n;
    return PAREVM_OK;
}

static int dec_fixed(struct dec *d, const struct rlp_item *item, const char *what, uint8_t *out, size_t n)
{
    if (item->is_list || item->payload_len != n)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: expected a %zu-byte string", what, n);
    memcpy(out, item->payload, n);
    return PAREVM_OK;
}

static int dec_u64(struct dec *d, const struct rlp_item *item, const char *what, uint64_t *out)
{
    int err = rlp_item_u64(item, out);
    if (err)
        return dec_fail(d, err, "%s: %s", what, err == PAREVM_ERR_RANGE ? "exceeds 64 bits" : err_word(err));
    return PAREVM_OK;
}

static int dec_u256(struct dec *d, const struct rlp_item *item, const char *what, u256 *out)
{
    int err = rlp_item_u256(item, out);
    if (err)
        return dec_fail(d, err, "%s: %s", what, err == PAREVM_ERR_RANGE ? "exceeds 256 bits" : err_word(err));
    return PAREVM_OK;
}

/* An item's full encoding (header + payload). */
static const uint8_t *item_start(const struct rlp_item *item)
{
    return item->payload - (item->encoded_len - item->payload_len);
}

/* Header fields in order, for messages. */
static const char *const header_field_names[23] = {
    "parentHash",    "ommersHash",      "coinbase",    "stateRoot",     "transactionsRoot",
    "receiptsRoot",  "logsBloom",       "difficulty",  "number",        "gasLimit",
    "gasUsed",       "timestamp",       "extraData",   "mixHash",       "nonce",
    "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot",
    "requestsHash",  "blockAccessListHash", "slotNumber"};

/* One header from its list item. prefix names it in messages ("header",
 * "uncles[1]"). */
static int dec_header(struct dec *d, const struct rlp_item *item, const char *prefix, struct block_header *h)
{
    struct rlp_item f[23];
    size_t n = 0;
    char what[96];
    memset(h, 0, sizeof *h);
    int err = dec_children(d, item, prefix, f, 23, &n);
    if (err)
        return err;
    /* 15 fields (Frontier), 16 (London: base fee), 17 (Shanghai:
     * withdrawals root), 20 (Cancun: blob gas used, excess blob gas,
     * parent beacon block root), 21 (Prague: requests hash, EIP-7685),
     * 23 (Amsterdam: block access list hash, EIP-7928; slot number,
     * EIP-7843). */
    if (n != 15 && n != 16 && n != 17 && n != 20 && n != 21 && n != 23)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: %zu fields (expected 15, 16, 17, 20, 21 or 23)", prefix, n);
#define WHAT(i) (snprintf(what, sizeof what, "%s.%s", prefix, header_field_names[i]), what)
    if ((err = dec_fixed(d, &f[0], WHAT(0), h->parent_hash.bytes, 32)) ||
        (err = dec_fixed(d, &f[1], WHAT(1), h->ommers_hash.bytes, 32)) ||
        (err = dec_fixed(d, &f[2], WHAT(2), h->coinbase.bytes, 20)) ||
        (err = dec_fixed(d, &f[3], WHAT(3), h->state_root.bytes, 32)) ||
        (err = dec_fixed(d, &f[4], WHAT(4), h->tx_root.bytes, 32)) ||
        (err = dec_fixed(d, &f[5], WHAT(5), h->receipts_root.bytes, 32)) ||
        (err = dec_fixed(d, &f[6], WHAT(6), h->logs_bloom, 256)) ||
        (err = dec_u256(d, &f[7], WHAT(7), &h->difficulty)) || (err = dec_u64(d, &f[8], WHAT(8), &h->number)) ||
        (err = dec_u64(d, &f[9], WHAT(9), &h->gas_limit)) || (err = dec_u64(d, &f[10], WHAT(10), &h->gas_used)) ||
        (err = dec_u64(d, &f[11], WHAT(11), &h->timestamp)))
        return err;
    if (f[12].is_list)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: expected a string", WHAT(12));
    if (f[12].payload_len > sizeof h->extra_data)
        return dec_fail(d, PAREVM_ERR_RANGE, "%s: %zu bytes (at most %zu accepted)", WHAT(12), f[12].payload_len,
                        sizeof h->extra_data);
    if (f[12].payload_len)
        memcpy(h->extra_data, f[12].payload, f[12].payload_len);
    h->extra_data_len = f[12].payload_len;
    if ((err = dec_fixed(d, &f[13], WHAT(13), h->mix_hash.bytes, 32)) ||
        (err = dec_fixed(d, &f[14], WHAT(14), h->nonce, 8)))
        return err;
    if (n >= 16) {
        h->has_base_fee = true;
        if ((err = dec_u256(d, &f[15], WHAT(15), &h->base_fee)))
            return err;
    }
    if (n >= 17) {
        h->has_withdrawals_root = true;
        if ((err = dec_fixed(d, &f[16], WHAT(16), h->withdrawals_root.bytes, 32)))
            return err;
    }
    if (n >= 20) {
        h->has_blob_gas = true;
        h->has_parent_beacon_root = true;
        if ((err = dec_u64(d, &f[17], WHAT(17), &h->blob_gas_used)) ||
            (err = dec_u64(d, &f[18], WHAT(18), &h->excess_blob_gas)) ||
            (err = dec_fixed(d, &f[19], WHAT(19), h->parent_beacon_root.bytes, 32)))
            return err;
    }
    if (n >= 21) {
        h->has_requests_hash = true;
        if ((err = dec_fixed(d, &f[20], WHAT(20), h->requests_hash.bytes, 32)))
            return err;
    }
    if (n >= 23) {
        h->has_bal_hash = true;
        h->has_slot_number = true;
        if ((err = dec_fixed(d, &f[21], WHAT(21), h->bal_hash.bytes, 32)) ||
            (err = dec_u64(d, &f[22], WHAT(22), &h->slot_number)))
            return err;
    }
#undef WHAT
    /* The hash commits to the header exactly as encoded. */
    keccak256(item_start(item), item->encoded_len, h->hash.bytes);
    h->has_hash = true;
    return PAREVM_OK;
}

/* A list's elements as (pointer, length) pairs of their encodings, for
 * ordered trie roots. raw: whole encodings; payload: string payloads
 * (typed transactions are stored in the trie as type || payload). */
struct spans {
    const uint8_t **ptr;
    size_t *len;
};

static void spans_free(struct spans *s)
{
    free(s->ptr);
    free(s->len);
}

static int spans_alloc(struct dec *d, struct spans *s, size_t n)
{
    s->ptr = calloc(n ? n : 1, sizeof *s->ptr);
    s->len = calloc(n ? n : 1, sizeof *s->len);
    if (!s->ptr || !s->len) {
        spans_free(s);
        return dec_fail(d, PAREVM_ERR_NOMEM, "out of memory");
    }
    return PAREVM_OK;
}

static int dec_count(struct dec *d, const struct rlp_item *list, const char *what, size_t *n)
{
    if (!list->is_list)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: expected a list", what);
    long count = rlp_list_count(list);
    if (count < 0)
        return dec_fail(d, PAREVM_ERR_RLP, "%s: malformed or non-canonical RLP", what);
    *n = (size_t)count;
    return PAREVM_OK;
}

static int dec_transactions(struct dec *d, const struct rlp_item *list, struct block *b, hash32 *root)
{
    size_t n = 0;
    int err = dec_count(d, list, "transactions", &n);
    if (err)
        return err;
    struct spans sp = {0};
    if ((err = spans_alloc(d, &sp, n)))
        return err;
    if (n && !(b->txs = calloc(n, sizeof *b->txs))) {
        spans_free(&sp);
        return dec_fail(d, PAREVM_ERR_NOMEM, "out of memory");
    }
    struct rlp_iter it;
    struct rlp_item item;
    rlp_iter_init(&it, list);
    for (size_t i = 0; i < n && rlp_iter_next(&it, &item, NULL); i++) {
        /* EIP-2718: a typed transaction is an RLP string holding
         * type || payload; a legacy one is the RLP list itself. */
        const uint8_t *raw = item.is_list ? item_start(&item) : item.payload;
        size_t raw_len = item.is_list ? item.encoded_len : item.payload_len;
        if (!item.is_list && (raw_len == 0 || raw[0] >= 0x80)) {
            d->tx_reason = NULL;
            d->tx_type = -1;
            err = dec_fail(d, PAREVM_ERR_RLP, "transactions[%zu]: a typed transaction must start with a type byte",
                           i);
            break;
        }
        const char *why = NULL;
        if ((err = tx_decode(raw, raw_len, &b->txs[i], &why))) {
            d->tx_reason = why;
            d->tx_type = item.is_list ? 0 : raw[0];
            err = dec_fail(d, err, "transactions[%zu]: %s", i, why ? why : parevm_strerror(err));
            break;
        }
        b->tx_count = i + 1;
        sp.ptr[i] = raw;
        sp.len[i] = raw_len;
    }
    if (!err && root && (err = trie_root_ordered(sp.ptr, sp.len, n, root)))
        err = dec_fail(d, err, "transactions: %s", parevm_strerror(err));
    spans_free(&sp);
    return err;
}

static int dec_uncles(struct dec *d, const struct rlp_item *list, struct block *b)
{
    size_t n = 0;
    int err = dec_count(d, list, "uncles", &n);
    if (err)
        return err;
    if (n && !(b->uncles = calloc(n, sizeof *b->uncles)))
        return dec_fail(d, PAREVM_ERR_NOMEM, "out of memory");
    struct rlp_iter it;
    struct rlp_item item;
    rlp_iter_init(&it, list);
    for (size_t i = 0; i < n && rlp_iter_next(&it, &item, NULL); i++) {
        char what[32];
        snprintf(what, sizeof what, "uncles[%zu]", i);
        if ((err = dec_header(d, &item, what, &b->uncles[i])))
            return err;
        b->uncle_count = i + 1;
    }
    return PAREVM_OK;
}

/* EIP-4895: withdrawal = rlp([index, validator_index, address, amount]). */
static int dec_withdrawals(struct dec *d, const struct rlp_item *list, struct block *b, hash32 *root)
{
    size_t n = 0;
    int err = dec_count(d, list, "withdrawals", &n);
    if (err)
        return err;
    b->has_withdrawals = true;
    struct spans sp = {0};
    if ((err = spans_alloc(d, &sp, n)))
        return err;
    if (n && !(b->withdrawals = calloc(n, sizeof *b->withdrawals))) {
        spans_free(&sp);
        return dec_fail(d, PAREVM_ERR_NOMEM, "out of memory");
    }
    struct rlp_iter it;
    struct rlp_item item;
    rlp_iter_init(&it, list);
    for (size_t i = 0; i < n && rlp_iter_next(&it, &item, NULL); i++) {
        struct rlp_item f[4];
        size_t nf = 0;
        char what[64];
        struct withdrawal *w = &b->withdrawals[i];
        snprintf(what, sizeof what, "withdrawals[%zu]", i);
        if ((err = dec_children(d, &item, what, f, 4, &nf)))
            break;
        if (nf != 4) {
            err = dec_fail(d, PAREVM_ERR_RLP, "%s: %zu fields (expected 4)", what, nf);
            break;
        }
        char fw[80];
        if ((err = dec_u64(d, &f[0], (snprintf(fw, sizeof fw, "%s.index", what), fw), &w->index)) ||
            (err = dec_u64(d, &f[1], (snprintf(fw, sizeof fw, "%s.validatorIndex", what), fw), &w->validator_index)))
            break;
        d->field = "address";
        err = dec_fixed(d, &f[2], (snprintf(fw, sizeof fw, "%s.address", what), fw), w->addr.bytes, 20);
        d->field = NULL;
        if (err || (err = dec_u64(d, &f[3], (snprintf(fw, sizeof fw, "%s.amount", what), fw), &w->amount_gwei)))
            break;
        b->withdrawal_count = i + 1;
        sp.ptr[i] = item_start(&item);
        sp.len[i] = item.encoded_len;
    }
    if (!err && root && (err = trie_root_ordered(sp.ptr, sp.len, n, root)))
        err = dec_fail(d, err, "withdrawals: %s", parevm_strerror(err));
    spans_free(&sp);
    return err;
}

/* blocktest_decode_block with the decoder state left in *d (which part and
 * field failed). */
static int decode_block(const uint8_t *rlp, size_t len, struct block *b, struct block_digest *digest, struct dec *d)
{
    char *why = d->why;
    size_t why_len = d->why_len;
    struct block_digest dg;
    memset(b, 0, sizeof *b);
    memset(&dg, 0, sizeof dg);
    if (why && why_len)
        why[0] = '\0';
    struct rlp_item whole, parts[4];
    size_t n = 0;
    int err;
    if ((err = rlp_decode(rlp, len, &whole)))
        return dec_fail(d, PAREVM_ERR_RLP, "block: malformed or non-canonical RLP");
    if (whole.encoded_len != len)
        return dec_fail(d, PAREVM_ERR_RLP, "block: %zu trailing bytes after the block", len - whole.encoded_len);
    if ((err = dec_children(d, &whole, "block", parts, 4, &n)))
        return err;
    /* [header, transactions, uncles] or, from Shanghai, with withdrawals. */
    if (n != 3 && n != 4)
        return dec_fail(d, PAREVM_ERR_RLP, "block: %zu items (expected 3 or 4)", n);
    d->part = BT_DECODE_HEADER;
    if ((err = dec_header(d, &parts[0], "header", &b->header)))
        goto fail;
    d->part = BT_DECODE_TRANSACTION;
    if ((err = dec_transactions(d, &parts[1], b, &dg.tx_root)))
        goto fail;
    d->part = BT_DECODE_UNCLE;
    if ((err = dec_uncles(d, &parts[2], b)))
        goto fail;
    if (!parts[2].is_list) {
        err = dec_fail(d, PAREVM_ERR_RLP, "uncles: expected a list");
        goto fail;
    }
    keccak256(item_start(&parts[2]), parts[2].encoded_len, dg.ommers_hash.bytes);
    d->part = BT_DECODE_WITHDRAWAL;
    if (n == 4 && (err = dec_withdrawals(d, &parts[3], b, &dg.withdrawals_root)))
        goto fail;
    d->part = BT_DECODE_BLOCK;
    if (digest)
        *digest = dg;
    return PAREVM_OK;
fail:
    block_free(b);
    memset(b, 0, sizeof *b);
    return err;
}

int blocktest_decode_block(const uint8_t *rlp, size_t len, struct block *b, struct block_digest *digest,
                           char *why, size_t why_len)
{
    struct dec d = {.why = why, .why_len = why_len, .part = BT_DECODE_BLOCK, .tx_type = -1};
    return decode_block(rlp, len, b, digest, &d);
}

int blocktest_decode_header(const uint8_t *rlp, size_t len, struct block_header *h, char *why, size_t why_len)
{
    struct dec d = {.why = why, .why_len = why_len};
    struct rlp_item item;
    if (why && why_len)
        why[0] = '\0';
    memset(h, 0, sizeof *h);
    if (rlp_decode_whole(rlp, len, &item))
        return dec_fail(&d, PAREVM_ERR_RLP, "header: malformed or non-canonical RLP, or trailing bytes");
    int err = dec_header(&d, &item, "header", h);
    if (err)
        memset(h, 0, sizeof *h);
    return err;
}

/* ---- running a test ---- */

static void hash_hex(const hash32 *h, char out[67]) { hex_encode(h->bytes, 32, out); }

/* ---- expected exceptions ---- */

/*
 * A rejection stands for a list of fixture exception names: those of
 * ethereum/execution-spec-tests ("TransactionException.X",
 * "BlockException.Y", the class included) and the older retesteth
 * spellings of ethereum/tests (no class: "TR_IntrinsicGas",
 * "InvalidGasLimit"). expectException matches when one of its "|"
 * alternatives is in that list. Several names may describe one rule (the
 * fixtures name it as different clients report it); a name is listed only
 * where it describes the rule that was broken.
 */
enum { NAMES_MAX = 32 };

struct name_list {
    const char *items[NAMES_MAX];
    size_t count;
};

/* Append the non-NULL names of a table row (n entries at most). */
static void names_add(struct name_list *l, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n && names[i]; i++)
        if (l->count < NAMES_MAX)
            l->items[l->count++] = names[i];
}

#define NAMES_ADD(l, row) names_add((l), (row), sizeof(row) / sizeof((row)[0]))
#define TX_EXC(x) "TransactionException." #x
#define BLOCK_EXC(x) "BlockException." #x

/* Block-level reasons. Reasons whose name depends on the fork (uncles,
 * difficulty after the Merge) are completed in block_names. */
static const char *const block_error_names[BLOCKERR__COUNT][8] = {
    [BLOCKERR_UNKNOWN_PARENT] = {BLOCK_EXC(UNKNOWN_PARENT), BLOCK_EXC(UNKNOWN_PARENT_ZERO), "UnknownParent",
                                 "UnknownParent2"},
    [BLOCKERR_NUMBER] = {BLOCK_EXC(INVALID_BLOCK_NUMBER), "InvalidNumber"},
    [BLOCKERR_TIMESTAMP] = {BLOCK_EXC(INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT), "InvalidTimestampEqualParent",
                            "InvalidTimestampOlderParent"},
    /* Outside parent +- parent/1024, under 5000, or over 2^63 - 1. */
    [BLOCKERR_GAS_LIMIT] = {BLOCK_EXC(INVALID_GASLIMIT), BLOCK_EXC(GASLIMIT_TOO_BIG), "InvalidGasLimit",
                            "InvalidGasLimit2", "InvalidGasLimit3"},
    [BLOCKERR_GAS_USED_ABOVE_LIMIT] = {BLOCK_EXC(GAS_USED_OVERFLOW), BLOCK_EXC(INVALID_GAS_USED_ABOVE_LIMIT),
                                       "TooMuchGasUsed"},
    [BLOCKERR_EXTRA_DATA] = {BLOCK_EXC(EXTRA_DATA_TOO_BIG), "ExtraDataTooBig"},
    /* Fork fields present or absent wrongly (base fee, withdrawals root,
     * blob gas, beacon root): a block in the wrong format for its fork. */
    [BLOCKERR_HEADER_FIELDS] = {BLOCK_EXC(INCORRECT_BLOCK_FORMAT), BLOCK_EXC(RLP_STRUCTURES_ENCODING),
                                BLOCK_EXC(IMPORT_IMPOSSIBLE_LEGACY)},
    [BLOCKERR_BASE_FEE] = {BLOCK_EXC(INVALID_BASEFEE_PER_GAS), "1559BlockImportImpossible_BaseFeeWrong"},
    [BLOCKERR_NONCE] = {BLOCK_EXC(IMPORT_IMPOSSIBLE_NONCE_OVER_PARIS), "InvalidBlockNonce"},
    [BLOCKERR_UNCLE_INVALID] = {BLOCK_EXC(UNCLE_IN_CHAIN), BLOCK_EXC(UNCLE_IS_ANCESTOR),
                                BLOCK_EXC(UNCLE_IS_BROTHER), BLOCK_EXC(UNCLE_PARENT_INCORRECT),
                                BLOCK_EXC(UNCLE_UNKNOWN_PARENT), "UncleInChain", "UncleIsAncestor",
                                "UncleParentIsNotAncestor"},
    [BLOCKERR_EXCESS_BLOB_GAS] = {BLOCK_EXC(INCORRECT_EXCESS_BLOB_GAS)},
    [BLOCKERR_BLOB_GAS_USED] = {BLOCK_EXC(INCORRECT_BLOB_GAS_USED), BLOCK_EXC(BLOB_GAS_USED_ABOVE_LIMIT)},
    /* EIP-4895: the withdrawals list missing from Shanghai on, or present
     * before it. */
    [BLOCKERR_WITHDRAWALS] = {BLOCK_EXC(RLP_WITHDRAWALS_NOT_READ), BLOCK_EXC(RLP_STRUCTURES_ENCODING),
                              BLOCK_EXC(INCORRECT_BLOCK_FORMAT)},
    [BLOCKERR_TX_ROOT] = {BLOCK_EXC(INVALID_TRANSACTIONS_ROOT), "InvalidTransactionsRoot"},
    [BLOCKERR_WITHDRAWALS_ROOT] = {BLOCK_EXC(INVALID_WITHDRAWALS_ROOT)},
    /* A sender that cannot be recovered: the transaction's signature. */
    [BLOCKERR_TX_SIGNATURE] = {TX_EXC(INVALID_SIGNATURE_VRS), TX_EXC(EC_RECOVERY_FAIL), "InvalidVRS",
                               "InvalidTransactionVRS", "ECRecoveryFail"},
    [BLOCKERR_GAS_USED] = {BLOCK_EXC(INVALID_GAS_USED), "InvalidGasUsed", "InvalidGasUsed2"},
    [BLOCKERR_RECEIPTS_ROOT] = {BLOCK_EXC(INVALID_RECEIPTS_ROOT), "InvalidReceiptsStateRoot"},
    [BLOCKERR_LOGS_BLOOM] = {BLOCK_EXC(INVALID_LOG_BLOOM), "InvalidLogBloom"},
    [BLOCKERR_STATE_ROOT] = {BLOCK_EXC(INVALID_STATE_ROOT), "InvalidStateRoot"},
    [BLOCKERR_REQUESTS_HASH] = {BLOCK_EXC(INVALID_REQUESTS)},                         /* EIP-7685 */
    [BLOCKERR_DEPOSIT_LAYOUT] = {BLOCK_EXC(INVALID_DEPOSIT_EVENT_LAYOUT)},            /* EIP-6110 */
    [BLOCKERR_SYSTEM_CONTRACT_EMPTY] = {BLOCK_EXC(SYSTEM_CONTRACT_EMPTY)},            /* EIP-7002/7251 */
    [BLOCKERR_SYSTEM_CONTRACT_FAILED] = {BLOCK_EXC(SYSTEM_CONTRACT_CALL_FAILED)},     /* EIP-7002/7251 */
    [BLOCKERR_BLOCK_SIZE] = {BLOCK_EXC(RLP_BLOCK_LIMIT_EXCEEDED)},                    /* EIP-7934 */
    [BLOCKERR_BAL_HASH] = {BLOCK_EXC(INVALID_BLOCK_ACCESS_LIST), BLOCK_EXC(INVALID_BAL_HASH)}, /* EIP-7928 */
    /* BLOCKERR_RLP: by part (decode_names); BLOCKERR_TX_INVALID: by
     * transaction error (tx_error_names); BLOCKERR_UNSUPPORTED: none, a
     * refusal never passes for an expected rejection. */
};

/* Transaction-level reasons (enum tx_error). The blob count and the
 * transaction type complete some (tx_names). */
static const char *const tx_error_names[TXERR__COUNT][6] = {
    [TXERR_TYPE_NOT_SUPPORTED] = {TX_EXC(TYPE_NOT_SUPPORTED), "TR_TypeNotSupported"},
    [TXERR_NONCE_TOO_LOW] = {TX_EXC(NONCE_MISMATCH_TOO_LOW), "TR_NonceTooLow"},
    [TXERR_NONCE_TOO_HIGH] = {TX_EXC(NONCE_MISMATCH_TOO_HIGH), "TR_NonceTooHigh"},
    /* EIP-2681: the state tests' and the transaction tests' names. */
    [TXERR_NONCE_MAX] = {TX_EXC(NONCE_IS_MAX), TX_EXC(NONCE_TOO_BIG), "TR_NonceHasMaxValue", "NonceMax"},
    /* "TR_NoFundsOrGas": funds or intrinsic gas, as one retesteth name. */
    [TXERR_INSUFFICIENT_FUNDS] = {TX_EXC(INSUFFICIENT_ACCOUNT_FUNDS), "TR_NoFunds", "TR_NoFundsValue",
                                  "TR_NoFundsOrGas"},
    /* TXERR_INTRINSIC_GAS: by the rule broken (tx_names). */
    [TXERR_GAS_LIMIT_EXCEEDED] = {TX_EXC(GAS_ALLOWANCE_EXCEEDED), "TR_GasLimitReached"},
    [TXERR_FEE_CAP_BELOW_BASE_FEE] = {TX_EXC(INSUFFICIENT_MAX_FEE_PER_GAS), "TR_FeeCapLessThanBlocks"},
    [TXERR_TIP_ABOVE_FEE_CAP] = {TX_EXC(PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS),
                                 TX_EXC(PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2), "TR_TipGtFeeCap",
                                 "1559PriorityFeeGreaterThanBaseFee"},
    [TXERR_SENDER_NOT_EOA] = {TX_EXC(SENDER_NOT_EOA), "SenderNotEOA"},
    [TXERR_INITCODE_TOO_LARGE] = {TX_EXC(INITCODE_SIZE_EXCEEDED), "TR_InitCodeLimitExceeded"},
    [TXERR_BLOB_FEE_CAP_TOO_LOW] = {TX_EXC(INSUFFICIENT_MAX_FEE_PER_BLOB_GAS)},
    [TXERR_BLOB_HASH_VERSION] = {TX_EXC(TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH), "TR_BLOBVERSION_INVALID"},
    [TXERR_BLOB_CREATE] = {TX_EXC(TYPE_3_TX_CONTRACT_CREATION), "TR_BLOBCREATE"},
    /* Balance arithmetic past 256 bits: geth computes it unbounded and
     * reports insufficient funds. */
    [TXERR_VALUE_OVERFLOW] = {TX_EXC(INSUFFICIENT_ACCOUNT_FUNDS), TX_EXC(GASLIMIT_PRICE_PRODUCT_OVERFLOW),
                              "TR_NoFunds", "GasLimitPriceProductOverflow"},
    [TXERR_CHAIN_ID] = {TX_EXC(INVALID_CHAINID), "InvalidChainID"},
    [TXERR_GAS_LIMIT_CAP] = {TX_EXC(GAS_LIMIT_EXCEEDS_MAXIMUM)},           /* EIP-7825 */
    [TXERR_SET_CODE_CREATE] = {TX_EXC(TYPE_4_TX_CONTRACT_CREATION)},       /* EIP-7702 */
    [TXERR_EMPTY_AUTHORIZATIONS] = {TX_EXC(TYPE_4_EMPTY_AUTHORIZATION_LIST)}, /* EIP-7702 */
};

/* An invalid transaction (code BLOCKERR_TX_INVALID): the names of its
 * tx_error, completed by its type and blob count where the fixtures name
 * those cases apart. Nothing for TXERR_NONE (a block made invalid without
 * a transaction error names no transaction exception). */
static void tx_names(const struct blocktest_rejection *r, struct name_list *l)
{
    if ((unsigned)r->tx_error >= TXERR__COUNT)
        return;
    NAMES_ADD(l, tx_error_names[r->tx_error]);
    if (r->tx_error == TXERR_INTRINSIC_GAS) {
        /* The gas limit is below the intrinsic gas, or (EIP-7623, from
         * Prague) below the calldata floor: two names, one or both. When
         * the transaction is not known, the intrinsic gas. */
        static const char *const intrinsic[] = {TX_EXC(INTRINSIC_GAS_TOO_LOW), "TR_IntrinsicGas", "IntrinsicGas",
                                                "TR_NoFundsOrGas"};
        static const char *const floor[] = {TX_EXC(INTRINSIC_GAS_BELOW_FLOOR_GAS_COST)};
        if (r->tx_below_intrinsic || !r->tx_below_floor)
            NAMES_ADD(l, intrinsic);
        if (r->tx_below_floor)
            NAMES_ADD(l, floor);
    } else if (r->tx_error == TXERR_TYPE_NOT_SUPPORTED && r->tx_type == 3) {
        /* EIP-4844: a blob transaction before Cancun. */
        static const char *const pre_fork[] = {TX_EXC(TYPE_3_TX_PRE_FORK)};
        static const char *const zero_blobs[] = {TX_EXC(TYPE_3_TX_ZERO_BLOBS_PRE_FORK)};
        NAMES_ADD(l, pre_fork);
        if (r->tx_blob_count == 0)
            NAMES_ADD(l, zero_blobs);
    } else if (r->tx_error == TXERR_TYPE_NOT_SUPPORTED && r->tx_type == 4) {
        static const char *const pre_fork[] = {TX_EXC(TYPE_4_TX_PRE_FORK)}; /* EIP-7702 before Prague */
        NAMES_ADD(l, pre_fork);
    } else if (r->tx_error == TXERR_BLOB_COUNT) {
        /* EIP-4844: no blobs at all, or more than a block may carry (the
         * transaction's own, or with the blobs before it). */
        static const char *const none[] = {TX_EXC(TYPE_3_TX_ZERO_BLOBS), "TR_EMPTYBLOB"};
        static const char *const many[] = {TX_EXC(TYPE_3_TX_BLOB_COUNT_EXCEEDED),
                                           TX_EXC(TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED), "TR_BLOBLIST_OVERSIZE"};
        if (r->tx_blob_count == 0)
            NAMES_ADD(l, none);
        else
            NAMES_ADD(l, many);
    }
}

/* A transaction that does not decode, by the field tx_decode names (its
 * reason up to ':'): the names when the field is malformed (RLP), when
 * its value is out of range (RANGE), and the retesteth spellings. */
static const struct {
    const char *field;
    const char *malformed[4];
    const char *range[2];
    const char *legacy[5];
} tx_field_names[] = {
    {"chain_id", {TX_EXC(INVALID_CHAINID)}, {TX_EXC(INVALID_CHAINID)}, {"InvalidChainID"}},
    {"nonce",
     {TX_EXC(RLP_INVALID_NONCE), TX_EXC(RLP_LEADING_ZEROS_NONCE), TX_EXC(RLP_LEADING_ZEROS_NONCE_SIZE)},
     {TX_EXC(NONCE_OVERFLOW)},
     {"InvalidNonce", "NonceTooLong", "LeadingZerosNonce", "LeadingZerosNonceSize"}},
    {"gas_price", {TX_EXC(RLP_LEADING_ZEROS_GASPRICE)}, {TX_EXC(GASPRICE_OVERFLOW)},
     {"InvalidGasPrice", "LeadingZerosGasPrice"}},
    {"max_priority_fee_per_gas", {TX_EXC(RLP_LEADING_ZEROS_PRIORITY_FEE)}, {TX_EXC(PRIORITY_OVERFLOW)},
     {"InvalidMaxPriorityFeePerGas", "1559LeadingZerosPriorityFee"}},
    {"max_fee_per_gas", {TX_EXC(RLP_LEADING_ZEROS_BASEFEE)}, {TX_EXC(GASPRICE_OVERFLOW)},
     {"InvalidMaxFeePerGas", "1559LeadingZerosBaseFee", "1559BaseFeeTooLarge"}},
    {"gas_limit", {TX_EXC(RLP_INVALID_GASLIMIT), TX_EXC(RLP_LEADING_ZEROS_GASLIMIT)}, {TX_EXC(GASLIMIT_OVERFLOW)},
     {"InvalidGasLimit4", "InvalidGasLimit5", "LeadingZerosGasLimit"}},
    /* The recipient is not 20 bytes: too short or too long. */
    {"to",
     {TX_EXC(RLP_INVALID_TO), TX_EXC(ADDRESS_TOO_SHORT), TX_EXC(ADDRESS_TOO_LONG)},
     {NULL},
     {"InvalidTo", "AddressTooShort", "AddressTooLong"}},
    {"value", {TX_EXC(RLP_INVALID_VALUE), TX_EXC(RLP_LEADING_ZEROS_VALUE)}, {TX_EXC(VALUE_OVERFLOW)},
     {"InvalidValue", "LeadingZerosValue", "TRANSACTION_VALUE_TOOLARGE"}},
    {"data", {TX_EXC(RLP_INVALID_DATA), TX_EXC(RLP_LEADING_ZEROS_DATA_SIZE)}, {NULL},
     {"InvalidData", "LeadingZerosDataSize"}},
    {"v", {TX_EXC(RLP_LEADING_ZEROS_V), TX_EXC(INVALID_SIGNATURE_VRS)}, {TX_EXC(INVALID_CHAINID)},
     {"InvalidV", "LeadingZerosV"}},
    {"y_parity", {TX_EXC(RLP_LEADING_ZEROS_V), TX_EXC(INVALID_SIGNATURE_VRS)}, {NULL}, {"InvalidV", "LeadingZerosV"}},
    {"r", {TX_EXC(RLP_INVALID_SIGNATURE_R), TX_EXC(RLP_LEADING_ZEROS_R)}, {NULL}, {"InvalidR", "LeadingZerosR"}},
    {"s", {TX_EXC(RLP_INVALID_SIGNATURE_S), TX_EXC(RLP_LEADING_ZEROS_S)}, {NULL}, {"InvalidS", "LeadingZerosS"}},
    {"too few fields", {TX_EXC(RLP_TOO_FEW_ELEMENTS)}, {NULL}, {"RLP_TooFewElements"}},
    /* EIP-7702: an authorization tuple (or the list) in the wrong shape. */
    {"authorization", {TX_EXC(TYPE_4_INVALID_AUTHORIZATION_FORMAT)}, {TX_EXC(TYPE_4_INVALID_AUTHORIZATION_FORMAT)},
     {NULL}},
    {"authorization_list", {TX_EXC(TYPE_4_INVALID_AUTHORIZATION_FORMAT)}, {NULL}, {NULL}},
    {"too many fields", {TX_EXC(RLP_TOO_MANY_ELEMENTS)}, {NULL}, {"RLP_TooManyElements"}},
};

/* Reasons named whole: access list entries with an address or a storage
 * key of the wrong size, and EIP-7702's empty authorization list. */
static const struct {
    const char *reason;
    const char *names[4];
} tx_reason_names[] = {
    {"access_list: address not 20 bytes",
     {TX_EXC(RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_LONG), TX_EXC(RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_SHORT),
      "2930AccessListAddressTooLong", "2930AccessListAddressTooShort"}},
    {"access_list: storage key not 32 bytes",
     {TX_EXC(RLP_INVALID_ACCESS_LIST_STORAGE_TOO_LONG), TX_EXC(RLP_INVALID_ACCESS_LIST_STORAGE_TOO_SHORT),
      "2930AccessListStorageHashTooLong", "2930AccessListStorageHashTooShort"}},
    {"authorization_list: empty (EIP-7702)", {TX_EXC(TYPE_4_EMPTY_AUTHORIZATION_LIST)}},
};

/* A transaction of the block does not decode. */
static void tx_decode_names(const struct blocktest_rejection *r, struct name_list *l)
{
    const char *reason = r->tx_reason;
    if (r->decode_error == PAREVM_ERR_UNSUPPORTED) {
        /* EIP-2718: a type byte no fork defines. */
        static const char *const type[] = {TX_EXC(TYPE_NOT_SUPPORTED), "TR_TypeNotSupported"};
        NAMES_ADD(l, type);
        return;
    }
    if (reason && strncmp(reason, "to: empty", 9) == 0 && (r->tx_type == 3 || r->tx_type == 4)) {
        /* EIP-4844 / EIP-7702: a blob or set-code transaction's `to` is an
         * address, never empty. */
        static const char *const blob_create[] = {TX_EXC(TYPE_3_TX_CONTRACT_CREATION), "TR_BLOBCREATE"};
        static const char *const set_code_create[] = {TX_EXC(TYPE_4_TX_CONTRACT_CREATION)};
        if (r->tx_type == 3)
            NAMES_ADD(l, blob_create);
        else
            NAMES_ADD(l, set_code_create);
        return;
    }
    for (size_t i = 0; reason && i < sizeof tx_reason_names / sizeof tx_reason_names[0]; i++) {
        if (strcmp(reason, tx_reason_names[i].reason) == 0) {
            NAMES_ADD(l, tx_reason_names[i].names);
            return;
        }
    }
    size_t field_len = reason ? strcspn(reason, ":") : 0;
    for (size_t i = 0; reason && i < sizeof tx_field_names / sizeof tx_field_names[0]; i++) {
        if (strlen(tx_field_names[i].field) == field_len && strncmp(reason, tx_field_names[i].field, field_len) == 0) {
            if (r->decode_error == PAREVM_ERR_RANGE)
                NAMES_ADD(l, tx_field_names[i].range);
            else
                NAMES_ADD(l, tx_field_names[i].malformed);
            NAMES_ADD(l, tx_field_names[i].legacy);
            return;
        }
    }
    /* Not a list, not canonical, sizes beyond the input, trailing bytes:
     * the transaction's RLP itself. */
    static const char *const structure[] = {TX_EXC(RLP_INVALID_HEADER), TX_EXC(RLP_ERROR_EOF), TX_EXC(RLP_ERROR_SIZE),
                                            TX_EXC(RLP_ERROR_SIZE_LEADING_ZEROS), "TR_TooShort"};
    NAMES_ADD(l, structure);
}

/* A block that does not decode: the block's structures are invalid
 * (RLP_STRUCTURES_ENCODING) whatever part failed, and the part says more. */
static void decode_names(const struct blocktest_rejection *r, struct name_list *l)
{
    static const char *const structures[] = {BLOCK_EXC(RLP_STRUCTURES_ENCODING)};
    static const char *const overflow[] = {BLOCK_EXC(RLP_INVALID_FIELD_OVERFLOW_64), "BLOCKHEADER_VALUE_TOOLARGE"};
    static const char *const withdrawals[] = {BLOCK_EXC(RLP_WITHDRAWALS_NOT_READ)};
    static const char *const address[] = {BLOCK_EXC(RLP_INVALID_ADDRESS)};
    NAMES_ADD(l, structures);
    switch (r->decode_part) {
    case BT_DECODE_HEADER:
    case BT_DECODE_UNCLE:
        if (r->decode_error == PAREVM_ERR_RANGE)
            NAMES_ADD(l, overflow);
        break;
    case BT_DECODE_WITHDRAWAL: /* EIP-4895 */
        NAMES_ADD(l, withdrawals);
        if (r->decode_field && strcmp(r->decode_field, "address") == 0)
            NAMES_ADD(l, address);
        else if (r->decode_error == PAREVM_ERR_RANGE)
            NAMES_ADD(l, overflow);
        break;
    case BT_DECODE_TRANSACTION:
        tx_decode_names(r, l);
        break;
    case BT_DECODE_BLOCK:
        break;
    }
}

/* Every name the rejection stands for. */
static void rejection_names(const struct blocktest_rejection *r, struct name_list *l)
{
    l->count = 0;
    if ((unsigned)r->code >= BLOCKERR__COUNT)
        return;
    if (r->code == BLOCKERR_RLP) {
        decode_names(r, l);
        return;
    }
    if (r->code == BLOCKERR_TX_INVALID) {
        tx_names(r, l);
        return;
    }
    NAMES_ADD(l, block_error_names[r->code]);
    /* EIP-3675: from the Merge, uncles, difficulty and nonce are fixed
     * (no uncles, zero, zero): breaking them makes the block impossible
     * to import over Paris. Before it, each has its proof-of-work rule. */
    bool merged = r->fork >= FORK_PARIS;
    static const char *const uncles_over_paris[] = {BLOCK_EXC(IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS)};
    static const char *const uncles_hash[] = {BLOCK_EXC(INVALID_UNCLES_HASH), "InvalidUnclesHash"};
    static const char *const uncles_pow[] = {BLOCK_EXC(TOO_MANY_UNCLES), BLOCK_EXC(UNCLE_IS_BROTHER), "TooManyUncles",
                                             "UncleIsBrother"};
    static const char *const difficulty_over_paris[] = {BLOCK_EXC(IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS)};
    static const char *const difficulty_pow[] = {BLOCK_EXC(INVALID_DIFFICULTY), "InvalidDifficulty",
                                                 "InvalidDifficulty2"};
    switch (r->code) {
    case BLOCKERR_OMMERS_HASH:
        if (merged)
            NAMES_ADD(l, uncles_over_paris);
        NAMES_ADD(l, uncles_hash);
        break;
    case BLOCKERR_UNCLES:
        if (merged)
            NAMES_ADD(l, uncles_over_paris);
        else
            NAMES_ADD(l, uncles_pow);
        break;
    case BLOCKERR_DIFFICULTY:
        if (merged)
            NAMES_ADD(l, difficulty_over_paris);
        else
            NAMES_ADD(l, difficulty_pow);
        break;
    default:
        break;
    }
}

/* The rejection's name as printed: the block error, or for an invalid
 * transaction the transaction error. */
const char *blocktest_rejection_name(const struct blocktest_rejection *r)
{
    if (r->code == BLOCKERR_TX_INVALID && r->tx_error != TXERR_NONE)
        return tx_error_name(r->tx_error);
    return block_error_name(r->code);
}

void blocktest_rejection_kinds(const struct blocktest_rejection *r, char *out, size_t cap)
{
    if (!cap)
        return;
    out[0] = '\0';
    struct name_list l;
    rejection_names(r, &l);
    size_t pos = 0;
    for (size_t i = 0; i < l.count && pos + 1 < cap; i++) {
        int n = snprintf(out + pos, cap - pos, "%s%s", i ? "|" : "", l.items[i]);
        if (n < 0)
            break;
        pos += (size_t)n;
    }
    if (pos >= cap)
        out[cap - 1] = '\0';
}

/* Whether one alternative (len bytes, trimmed) names the rejection. */
static bool exception_matches(const char *alt, size_t len, const struct name_list *l,
                              const struct blocktest_rejection *r)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < l->count; i++)
        if (strlen(l->items[i]) == len && memcmp(l->items[i], alt, len) == 0)
            return true;
    /* retesteth named every RLP decoding failure of a block by where its
     * decoder stopped ("RLP_ExpectedInputList_...", "RLP_InputString_
     * TooLong_..."): all of them are a block that does not decode. */
    return r->code == BLOCKERR_RLP && len > 4 && memcmp(alt, "RLP_", 4) == 0;
}

bool blocktest_exception_matches(const char *expected, const struct blocktest_rejection *r)
{
    if (!expected)
        return false;
    struct name_list l;
    rejection_names(r, &l);
    for (const char *p = expected;;) {
        const char *bar = strchr(p, '|');
        const char *end = bar ? bar : p + strlen(p);
        const char *a = p;
        while (a < end && (*a == ' ' || *a == '\t'))
            a++;
        while (end > a && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (exception_matches(a, (size_t)(end - a), &l, r))
            return true;
        if (!bar)
            return false;
        p = bar + 1;
    }
}

/* ---- the chain ---- */

/* A block that was imported, with the state after it. */
struct chain_block {
    struct block_header header; /* hash set */
    size_t parent;              /* index in chain.blocks; SIZE_MAX for genesis */
    u256 total_difficulty;      /* sum of difficulties from the genesis */
    struct world world;
    hash32 *uncle_hashes; /* owned */
    size_t uncle_count;
};

struct chain {
    const struct chain_config *cfg;
    const struct exec_options *exec; /* NULL: sequential execution */
    struct chain_block *blocks;
    size_t count, cap;
    size_t head;
};

static void chain_free(struct chain *c)
{
    for (size_t i = 0; i < c->count; i++) {
        world_free(&c->blocks[i].world);
        free(c->blocks[i].uncle_hashes);
    }
    free(c->blocks);
    memset(c, 0, sizeof *c);
}

static size_t chain_find(const struct chain *c, const hash32 *hash)
{
    for (size_t i = c->count; i-- > 0;)
        if (hash32_eq(&c->blocks[i].header.hash, hash))
            return i;
    return SIZE_MAX;
}

/* Append a block (taking ownership of *w). */
static int chain_add(struct chain *c, const struct block *b, size_t parent, struct world *w)
{
    if (c->count == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 16;
        struct chain_block *grown = realloc(c->blocks, ncap * sizeof *grown);
        if (!grown)
            return PAREVM_ERR_NOMEM;
        c->blocks = grown;
        c->cap = ncap;
    }
    struct chain_block *cb = &c->blocks[c->count];
    memset(cb, 0, sizeof *cb);
    if (b->uncle_count) {
        if (!(cb->uncle_hashes = malloc(b->uncle_count * sizeof *cb->uncle_hashes)))
            return PAREVM_ERR_NOMEM;
        for (size_t i = 0; i < b->uncle_count; i++)
            cb->uncle_hashes[i] = b->uncles[i].hash;
        cb->uncle_count = b->uncle_count;
    }
    cb->header = b->header;
    cb->parent = parent;
    cb->world = *w;
    world_init(w);
    cb->total_difficulty = b->header.difficulty;
    if (parent != SIZE_MAX) {
        bool carry;
        cb->total_difficulty = u256_add_carry(&c->blocks[parent].total_difficulty, &b->header.difficulty, &carry);
        if (carry)
            cb->total_difficulty = u256_max();
    }
    size_t idx = c->count++;
    /* Fork choice. Proof of stake (EIP-3675): the consensus layer picks
     * the head, and a fixture imports blocks in the order it chose, so
     * the newest block is the head. Proof of work: the most total
     * difficulty wins; on a tie the lower block number (go-ethereum's
     * ReorgNeeded, without its random tie-break). */
    const struct chain_block *head = idx ? &c->blocks[c->head] : NULL;
    if (!head || chain_config_header_fork(c->cfg, &cb->header) >= FORK_PARIS ||
        u256_gt(&cb->total_difficulty, &head->total_difficulty) ||
        (u256_eq(&cb->total_difficulty, &head->total_difficulty) && cb->header.number < head->header.number))
        c->head = idx;
    return PAREVM_OK;
}

/* BLOCKHASH: the hashes of the 256 blocks below the new one, walking the
 * parent links from `parent` (the chain the block builds on, not
 * whichever was imported last). */
struct hash_window {
    uint64_t numbers[256];
    hash32 hashes[256];
};

static void chain_hash_window(const struct chain *c, size_t parent, struct hash_window *win,
                              struct block_hashes *out)
{
    /* block_hashes_lookup wants ascending numbers: fill from the top. */
    size_t n = 0;
    for (size_t i = parent; i != SIZE_MAX && n < 256; i = c->blocks[i].parent) {
        win->numbers[255 - n] = c->blocks[i].header.number;
        win->hashes[255 - n] = c->blocks[i].header.hash;
        n++;
    }
    out->numbers = win->numbers + (256 - n);
    out->hashes = win->hashes + (256 - n);
    out->count = n;
}

/* The uncle rules' view of the chain below a block. */
struct ancestry_buf {
    const struct block_header *ancestors[MAX_UNCLE_DEPTH + 1];
    hash32 uncles[(MAX_UNCLE_DEPTH + 1) * MAX_UNCLES * 4];
};

static void chain_ancestry(const struct chain *c, size_t parent, struct ancestry_buf *buf,
                           struct validate_ancestry *anc)
{
    size_t n = 0, u = 0;
    const size_t max_uncles = sizeof buf->uncles / sizeof buf->uncles[0];
    for (size_t i = parent; i != SIZE_MAX && n < MAX_UNCLE_DEPTH + 1; i = c->blocks[i].parent) {
        buf->ancestors[n++] = &c->blocks[i].header;
        for (size_t k = 0; k < c->blocks[i].uncle_count && u < max_uncles; k++)
            buf->uncles[u++] = c->blocks[i].uncle_hashes[k];
    }
    anc->ancestors = buf->ancestors;
    anc->ancestor_count = n;
    anc->included_uncles = buf->uncles;
    anc->included_uncle_count = u;
}

/* The reason to report for an invalid transaction, in the order the
 * execution specs check (Cancun check_transaction, then
 * process_transaction): the fee-cap rules (EIP-1559: tip above the fee
 * cap, fee cap below the base fee) come before intrinsic gas, nonce,
 * balance and sender-code checks. transition_apply may test intrinsic gas
 * first; when a transaction breaks both kinds of rule, the fixtures name
 * the fee-cap rule, so it is re-derived here from the transaction alone. */
static enum tx_error spec_order_tx_error(const struct tx *tx, const struct block_header *h, enum fork f,
                                         enum tx_error reported)
{
    switch (reported) {
    case TXERR_INTRINSIC_GAS:
    case TXERR_NONCE_MAX:
    case TXERR_INITCODE_TOO_LARGE:
    case TXERR_NONCE_TOO_LOW:
    case TXERR_NONCE_TOO_HIGH:
    case TXERR_INSUFFICIENT_FUNDS:
    case TXERR_SENDER_NOT_EOA:
        break;
    default:
        return reported;
    }
    if (f < FORK_LONDON)
        return reported;
    if ((tx->type == 2 || tx->type == 3) && u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas))
        return TXERR_TIP_ABOVE_FEE_CAP;
    if (h->has_base_fee && u256_lt(&tx->max_fee_per_gas, &h->base_fee))
        return TXERR_FEE_CAP_BELOW_BASE_FEE;
    return reported;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int reject(struct blocktest_rejection *r, enum block_error code, const char *fmt, ...)
{
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    return PAREVM_OK;
}

/* Import one block given as RLP. Returns PAREVM_OK with r->code ==
 * BLOCKERR_NONE when it was added to the chain (chain_add decides whether
 * it is the head), or with the reason it was rejected (the chain is then
 * unchanged); other codes are internal errors (message in r->detail). */
static int chain_import(struct chain *c, const uint8_t *rlp, size_t len, struct blocktest_rejection *r)
{
    memset(r, 0, sizeof *r);
    r->tx_type = -1;
    struct block b;
    struct block_digest digest;
    char why[200];
    struct dec d = {.why = why, .why_len = sizeof why, .part = BT_DECODE_BLOCK, .tx_type = -1};
    int err = decode_block(rlp, len, &b, &digest, &d);
    if (err == PAREVM_ERR_NOMEM) {
        snprintf(r->detail, sizeof r->detail, "out of memory");
        return err;
    }
    if (err) {
        r->decode_part = d.failed_part;
        r->decode_error = err;
        r->decode_field = d.failed_field;
        if (d.failed_part == BT_DECODE_TRANSACTION) {
            r->tx_reason = d.tx_reason;
            r->tx_type = d.tx_type;
        }
        return reject(r, BLOCKERR_RLP, "%s", why);
    }
    const struct block_header *h = &b.header;
    enum fork f = chain_config_header_fork(c->cfg, h);
    r->fork = f;
    size_t parent = chain_find(c, &h->parent_hash);
    struct world w;
    struct block_result res;
    struct bal bal; /* EIP-7928, when the header commits to it */
    world_init(&w);
    bal_init(&bal);
    memset(&res, 0, sizeof res);
    enum block_error e;
    if (f >= FORK_OSAKA && len > MAX_RLP_BLOCK_SIZE) {
        /* EIP-7934: checked first (execution-specs state_transition). */
        reject(r, BLOCKERR_BLOCK_SIZE, "RLP-encoded block of %zu bytes (at most %d)", len,
               MAX_RLP_BLOCK_SIZE);
        goto done;
    }
    if (parent == SIZE_MAX) {
        char hex[67];
        hash_hex(&h->parent_hash, hex);
        reject(r, BLOCKERR_UNKNOWN_PARENT, "no block with hash %s", hex);
        goto done;
    }
    if ((e = validate_header(c->cfg, &c->blocks[parent].header, h, why, sizeof why)) ||
        (e = validate_body(c->cfg, &b, &digest, why, sizeof why))) {
        reject(r, e, "%s", why);
        goto done;
    }
    struct ancestry_buf abuf;
    struct validate_ancestry anc;
    chain_ancestry(c, parent, &abuf, &anc);
    if ((e = validate_uncles(c->cfg, &b, &anc, why, sizeof why))) {
        reject(r, e, "%s", why);
        goto done;
    }
    for (size_t i = 0; i < b.tx_count; i++) {
        if (tx_recover_sender(&b.txs[i], f)) {
            reject(r, BLOCKERR_TX_SIGNATURE, "transaction %zu: sender cannot be recovered", i);
            goto done;
        }
    }
    if ((err = world_clone(&c->blocks[parent].world, &w))) {
        snprintf(r->detail, sizeof r->detail, "cannot copy the parent state: %s", parevm_strerror(err));
        goto done;
    }
    struct hash_window win;
    struct block_hashes hashes;
    chain_hash_window(c, parent, &win, &hashes);
    /* EIP-7928 (Amsterdam): the header commits to the block's access
     * list, so the run records it (a recording run is sequential). */
    bool record = fork_eip(f, EIP_7928) && h->has_bal_hash;
    if (record) {
        struct exec_options o = c->exec ? *c->exec : (struct exec_options){.threads = 1};
        o.bal = &bal;
        o.drive = NULL;
        o.trace = NULL;
        err = exec_block_parallel(c->cfg, &b, &w, &hashes, &o, &res, NULL);
    } else {
        err = c->exec ? exec_block_parallel(c->cfg, &b, &w, &hashes, c->exec, &res, NULL)
                      : exec_block_sequential(c->cfg, &b, &w, &hashes, &res);
    }
    if (err) {
        snprintf(r->detail, sizeof r->detail, "execution failed: %s", parevm_strerror(err));
        goto done;
    }
    if (res.invalid) {
        r->tx_error = res.invalid_reason;
        if (res.invalid_tx < b.tx_count) {
            const struct tx *bad = &b.txs[res.invalid_tx];
            r->tx_error = spec_order_tx_error(bad, h, f, res.invalid_reason);
            r->tx_type = bad->type;
            r->tx_blob_count = bad->blob_hash_count;
            if (r->tx_error == TXERR_INTRINSIC_GAS) {
                r->tx_below_intrinsic = bad->gas_limit < tx_intrinsic_gas(bad, f);
                r->tx_below_floor = bad->gas_limit < tx_floor_gas(bad, f); /* EIP-7623 */
            }
        }
        if (res.invalid_reason != TXERR_NONE)
            reject(r, BLOCKERR_TX_INVALID, "transaction %zu: %s", res.invalid_tx, tx_error_name(r->tx_error));
        else if (res.invalid_block_error > 0 && res.invalid_block_error < BLOCKERR__COUNT)
            reject(r, (enum block_error)res.invalid_block_error, "%s", res.invalid_message);
        else
            reject(r, BLOCKERR_TX_INVALID, "%s", res.invalid_message[0] ? res.invalid_message : "invalid block");
        goto done;
    }
    hash32 root;
    if ((err = world_state_root(&w, &root))) {
        snprintf(r->detail, sizeof r->detail, "state root: %s", parevm_strerror(err));
        goto done;
    }
    struct block_outcome outcome = {.gas_used = res.gas_used,
                                    .receipts_root = res.receipts_root,
                                    .logs_bloom = res.logs_bloom,
                                    .state_root = root,
                                    .blob_gas_used = res.blob_gas_used,
                                    .requests_hash = res.requests_hash};
    if (record && (err = bal_hash(&bal, &outcome.bal_hash))) {
        snprintf(r->detail, sizeof r->detail, "block access list: %s", parevm_strerror(err));
        goto done;
    }
    if ((e = validate_outcome(c->cfg, &b, &digest, &outcome, why, sizeof why))) {
        reject(r, e, "%s", why);
        goto done;
    }
    if ((err = chain_add(c, &b, parent, &w)))
        snprintf(r->detail, sizeof r->detail, "out of memory");
done:
    bal_free(&bal);
    block_result_free(&res);
    world_free(&w);
    block_free(&b);
    return err;
}

/* ---- comparing states ---- */

/* First difference between the head state and the expected one, as
 * "expected X, got Y" into msg; false when they are equal. */
static bool world_diff(const struct world *want, const struct world *got, char *msg, size_t cap)
{
    const void *key;
    void *val;
    char a[80], b[80];
    for (size_t it = 0; hmap_next(&want->accounts, &it, &key, &val);) {
        const struct world_account *wa = *(struct world_account **)val;
        const struct world_account *ga = world_get(got, &wa->addr);
        char addr[43];
        hex_encode(wa->addr.bytes, 20, addr);
        if (!ga) {
            snprintf(msg, cap, "expected account %s, got none", addr);
            return true;
        }
        if (!u256_eq(&wa->balance, &ga->balance)) {
            u256_to_hex(&wa->balance, a);
            u256_to_hex(&ga->balance, b);
            snprintf(msg, cap, "expected %s balance %s, got %s", addr, a, b);
            return true;
        }
        if (wa->nonce != ga->nonce) {
            snprintf(msg, cap, "expected %s nonce %llu, got %llu", addr, (unsigned long long)wa->nonce,
                     (unsigned long long)ga->nonce);
            return true;
        }
        if (!hash32_eq(&wa->code->hash, &ga->code->hash)) {
            snprintf(msg, cap, "expected %s code of %zu bytes, got other code of %zu bytes", addr, wa->code->len,
                     ga->code->len);
            return true;
        }
        const void *sk;
        void *sv;
        for (size_t s = 0; hmap_next(&wa->storage, &s, &sk, &sv);) {
            u256 k = *(const u256 *)sk;
            u256 gv = world_get_storage(ga, &k);
            if (!u256_eq((const u256 *)sv, &gv)) {
                char slot[67];
                u256_to_hex(&k, slot);
                u256_to_hex((const u256 *)sv, a);
                u256_to_hex(&gv, b);
                snprintf(msg, cap, "expected %s storage %s = %s, got %s", addr, slot, a, b);
                return true;
            }
        }
        for (size_t s = 0; hmap_next(&ga->storage, &s, &sk, &sv);) {
            u256 k = *(const u256 *)sk;
            u256 wv = world_get_storage(wa, &k);
            if (u256_is_zero(&wv)) {
                char slot[67];
                u256_to_hex(&k, slot);
                u256_to_hex((const u256 *)sv, b);
                snprintf(msg, cap, "expected %s storage %s = 0x0, got %s", addr, slot, b);
                return true;
            }
        }
    }
    for (size_t it = 0; hmap_next(&got->accounts, &it, &key, &val);) {
        const struct world_account *ga = *(struct world_account **)val;
        if (!world_get(want, &ga->addr)) {
            char addr[43];
            hex_encode(ga->addr.bytes, 20, addr);
            snprintf(msg, cap, "expected no account %s, got one", addr);
            return true;
        }
    }
    return false;
}

/* ---- one test ---- */

/* Whether cfg activates, at any block or time, a fork parevm does not
 * implement (the first such in *out). A test on such a network is refused
 * whole: even its blocks before the transition would only test the
 * import of a chain parevm cannot follow. */
static bool network_unimplemented_fork(const struct chain_config *cfg, enum fork *out)
{
    for (int f = 0; f < FORK__COUNT; f++) {
        if (fork_implemented((enum fork)f))
            continue;
        if (cfg->fork_block[f] != UINT64_MAX || cfg->fork_time[f] != UINT64_MAX) {
            *out = (enum fork)f;
            return true;
        }
    }
    return false;
}

int blocktest_run(const struct blocktest *t, struct blocktest_result *res, blocktest_reject_fn *on_reject,
                  void *arg)
{
    return blocktest_run_with(t, NULL, res, on_reject, arg);
}

int blocktest_run_with(const struct blocktest *t, const struct exec_options *opt, struct blocktest_result *res,
                       blocktest_reject_fn *on_reject, void *arg)
{
    memset(res, 0, sizeof *res);
    char *msg = res->message;
    const size_t cap = sizeof res->message;
    char a[67], b[67];
    struct chain_config cfg;
    if (!chain_config_from_network(&cfg, t->network)) {
        snprintf(msg, cap, "network: expected a known network, got '%s'", t->network);
        return PAREVM_OK;
    }
    enum fork missing;
    if (network_unimplemented_fork(&cfg, &missing)) {
        snprintf(msg, cap, "network: refused: '%s' schedules fork %s, which parevm does not implement",
                 t->network, fork_name(missing));
        return PAREVM_ERR_UNSUPPORTED;
    }
    if (t->seal_engine && strcmp(t->seal_engine, "NoProof") != 0) {
        snprintf(msg, cap, "sealEngine: expected NoProof (proof-of-work seals are not verified), got '%s'",
                 t->seal_engine);
        return PAREVM_OK;
    }
    struct chain chain = {.cfg = &cfg, .exec = opt};
    struct block genesis;
    char why[200];
    int err = blocktest_decode_block(t->genesis_rlp, t->genesis_rlp_len, &genesis, NULL, why, sizeof why);
    if (err == PAREVM_ERR_NOMEM) {
        snprintf(msg, cap, "genesis: out of memory");
        return err;
    }
    if (err) {
        snprintf(msg, cap, "genesis: expected a decodable block, got %s", why);
        return PAREVM_OK;
    }
    hash32 pre_root;
    struct world pre;
    world_init(&pre);
    if (!hash32_eq(&genesis.header.hash, &t->genesis_hash)) {
        hash_hex(&t->genesis_hash, a);
        hash_hex(&genesis.header.hash, b);
        snprintf(msg, cap, "genesis: expected hash %s, got %s", a, b);
        goto out;
    }
    if ((err = world_state_root(&t->pre, &pre_root)) || (err = world_clone(&t->pre, &pre))) {
        snprintf(msg, cap, "genesis: expected a state, got error: %s", parevm_strerror(err));
        goto out;
    }
    if (!hash32_eq(&pre_root, &genesis.header.state_root)) {
        hash_hex(&genesis.header.state_root, a);
        hash_hex(&pre_root, b);
        snprintf(msg, cap, "genesis: expected state root %s, got %s (of pre)", a, b);
        goto out;
    }
    if ((err = chain_add(&chain, &genesis, SIZE_MAX, &pre))) {
        snprintf(msg, cap, "genesis: out of memory");
        goto out;
    }
    for (size_t i = 0; i < t->block_count; i++) {
        const struct blocktest_block *tb = &t->blocks[i];
        struct blocktest_rejection rj;
        if ((err = chain_import(&chain, tb->rlp, tb->rlp_len, &rj))) {
            snprintf(msg, cap, "block %zu: expected a result, got error: %s", i + 1, rj.detail);
            goto out;
        }
        if (rj.code == BLOCKERR_NONE) {
            res->blocks_imported++;
            if (tb->expect_exception) {
                snprintf(msg, cap, "block %zu: expected exception %s, got a valid block", i + 1,
                         tb->expect_exception);
                goto out;
            }
            continue;
        }
        if (!tb->expect_exception) {
            snprintf(msg, cap, "block %zu: expected a valid block, got %s: %s", i + 1, blocktest_rejection_name(&rj),
                     rj.detail);
            goto out;
        }
        if (!blocktest_exception_matches(tb->expect_exception, &rj)) {
            /* The right block rejected for another reason is a failure:
             * the fixture names the rule the block breaks. */
            char kinds[160];
            blocktest_rejection_kinds(&rj, kinds, sizeof kinds);
            snprintf(msg, cap, "block %zu: expected exception %.120s, got %s (%s): %.120s", i + 1,
                     tb->expect_exception, blocktest_rejection_name(&rj), kinds[0] ? kinds : "no fixture name",
                     rj.detail);
            goto out;
        }
        res->blocks_rejected++;
        if (on_reject)
            on_reject(arg, i + 1, tb->expect_exception, &rj);
    }
    const struct chain_block *head = &chain.blocks[chain.head];
    res->head_hash = head->header.hash;
    char diff[400];
    if (t->has_post_state && world_diff(&t->post, &head->world, diff, sizeof diff)) {
        snprintf(msg, cap, "post: %s", diff);
        goto out;
    }
    if (t->has_post_state_hash) {
        hash32 root;
        if ((err = world_state_root(&head->world, &root))) {
            snprintf(msg, cap, "post: expected a state root, got error: %s", parevm_strerror(err));
            goto out;
        }
        if (!hash32_eq(&root, &t->post_state_hash)) {
            hash_hex(&t->post_state_hash, a);
            hash_hex(&root, b);
            snprintf(msg, cap, "post: expected state root %s, got %s", a, b);
            goto out;
        }
    }
    if (!hash32_eq(&head->header.hash, &t->last_block_hash)) {
        hash_hex(&t->last_block_hash, a);
        hash_hex(&head->header.hash, b);
        snprintf(msg, cap, "post: expected last block hash %s, got %s", a, b);
        goto out;
    }
    res->pass = true;
out:
    world_free(&pre);
    block_free(&genesis);
    chain_free(&chain);
    return err;
}
