/* statetest — GeneralStateTests JSON loader (see statetest.h). */
#include "statetest.h"
#include "file.h"

#include "../base/keccak.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hex.h"
#include "jsonld.h"

/* Base fee assumed for London+ tests that give no currentBaseFee. */
#define STATETEST_DEFAULT_BASE_FEE 10

/* Field names for messages: "prefix.key" and "prefix[i]", truncated to
 * the buffer (every buffer is FIELD_MAX bytes). */
#define FIELD_MAX 256

static void field_append(char *buf, size_t cap, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (n > cap - 1 - *pos)
        n = cap - 1 - *pos;
    memcpy(buf + *pos, s, n);
    *pos += n;
    buf[*pos] = '\0';
}

static const char *field_key(char *buf, size_t cap, const char *prefix, const char *key)
{
    size_t pos = 0;
    /* prefix may alias buf when a caller extends its own name. */
    if (prefix != buf) {
        buf[0] = '\0';
        field_append(buf, cap, &pos, prefix);
    } else {
        pos = strlen(buf);
    }
    if (pos)
        field_append(buf, cap, &pos, ".");
    field_append(buf, cap, &pos, key);
    return buf;
}

static const char *field_index(char *buf, size_t cap, const char *prefix, size_t i)
{
    char num[32];
    snprintf(num, sizeof num, "[%zu]", i);
    size_t pos = 0;
    buf[0] = '\0';
    field_append(buf, cap, &pos, prefix);
    field_append(buf, cap, &pos, num);
    return buf;
}

static int ld_require(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key,
                      const cJSON **out)
{
    char f[FIELD_MAX];
    /* a JSON null is a (wrong) value here, not an absence */
    *out = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!*out)
        return json_fail(ld, PAREVM_ERR_JSON, field_key(f, sizeof f, prefix, key), "missing field");
    return PAREVM_OK;
}

static int ld_expect_string(struct json_ctx *ld, const cJSON *item, const char *field, const char **out)
{
    if (!cJSON_IsString(item) || !item->valuestring)
        return json_fail(ld, PAREVM_ERR_JSON, field, "expected a string");
    *out = item->valuestring;
    return PAREVM_OK;
}

static int ld_array(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key,
                    const cJSON **out, size_t *count)
{
    char f[FIELD_MAX];
    int err = ld_require(ld, obj, prefix, key, out);
    if (err)
        return err;
    if (!cJSON_IsArray(*out))
        return json_fail(ld, PAREVM_ERR_JSON, field_key(f, sizeof f, prefix, key), "expected an array");
    *count = (size_t)cJSON_GetArraySize(*out);
    return PAREVM_OK;
}

static int ld_object(struct json_ctx *ld, const cJSON *obj, const char *prefix, const char *key,
                     const cJSON **out)
{
    char f[FIELD_MAX];
    int err = ld_require(ld, obj, prefix, key, out);
    if (err)
        return err;
    if (!cJSON_IsObject(*out))
        return json_fail(ld, PAREVM_ERR_JSON, field_key(f, sizeof f, prefix, key), "expected an object");
    return PAREVM_OK;
}

static int ld_env(struct json_ctx *ld, const cJSON *test, struct statetest *t)
{
    const cJSON *env, *item;
    char f[FIELD_MAX];
    int err;
    if ((err = ld_object(ld, test, "", "env", &env)))
        return err;
#define ENV_REQ(key)                                                                                         \
    if ((err = ld_require(ld, env, "env", key, &item)))                                                     \
        return err;                                                                                          \
    field_key(f, sizeof f, "env", key)
    ENV_REQ("currentCoinbase");
    if ((err = json_fixed(ld, item, f, t->coinbase.bytes, 20)))
        return err;
    ENV_REQ("currentDifficulty");
    if ((err = json_u256(ld, item, f, &t->difficulty)))
        return err;
    ENV_REQ("currentGasLimit");
    if ((err = json_u64(ld, item, f, &t->gas_limit)))
        return err;
    ENV_REQ("currentNumber");
    if ((err = json_u64(ld, item, f, &t->number)))
        return err;
    ENV_REQ("currentTimestamp");
    if ((err = json_u64(ld, item, f, &t->timestamp)))
        return err;
#undef ENV_REQ
    if ((item = json_member(env, "currentBaseFee"))) {
        t->has_base_fee = true;
        if ((err = json_u256(ld, item, "env.currentBaseFee", &t->base_fee)))
            return err;
    }
    if ((item = json_member(env, "currentRandom"))) {
        t->has_random = true;
        if ((err = json_fixed(ld, item, "env.currentRandom", t->random.bytes, 32)))
            return err;
    }
    if ((item = json_member(env, "currentExcessBlobGas"))) {
        t->has_excess_blob_gas = true;
        if ((err = json_u64(ld, item, "env.currentExcessBlobGas", &t->excess_blob_gas)))
            return err;
    }
    if ((item = json_member(env, "previousHash"))) {
        t->has_previous_hash = true;
        if ((err = json_fixed(ld, item, "env.previousHash", t->previous_hash.bytes, 32)))
            return err;
    }
    return PAREVM_OK;
}

static int ld_pre(struct json_ctx *ld, const cJSON *test, struct statetest *t)
{
    const cJSON *pre;
    int err = ld_object(ld, test, "", "pre", &pre);
    return err ? err : json_accounts(ld, pre, "pre", &t->pre);
}

static void access_list_free(struct statetest_access_list *al)
{
    for (size_t i = 0; i < al->count; i++)
        free(al->entries[i].keys);
    free(al->entries);
    al->entries = NULL;
    al->count = 0;
}

static int ld_transaction(struct json_ctx *ld, const cJSON *test, struct statetest *t)
{
    const cJSON *tx, *item, *list, *el;
    char f[FIELD_MAX];
    int err;
    size_t n, i;
    if ((err = ld_object(ld, test, "", "transaction", &tx)))
        return err;

    if ((err = ld_require(ld, tx, "transaction", "nonce", &item)) ||
        (err = json_u64(ld, item, "transaction.nonce", &t->nonce)))
        return err;

    if ((item = json_member(tx, "gasPrice"))) {
        t->has_gas_price = true;
        if ((err = json_u256(ld, item, "transaction.gasPrice", &t->gas_price)))
            return err;
    }
    if ((item = json_member(tx, "maxFeePerGas"))) {
        t->has_max_fees = true;
        if ((err = json_u256(ld, item, "transaction.maxFeePerGas", &t->max_fee_per_gas)))
            return err;
        if ((err = ld_require(ld, tx, "transaction", "maxPriorityFeePerGas", &item)) ||
            (err = json_u256(ld, item, "transaction.maxPriorityFeePerGas", &t->max_priority_fee_per_gas)))
            return err;
    }
    if (!t->has_gas_price && !t->has_max_fees)
        return json_fail(ld, PAREVM_ERR_JSON, "transaction.gasPrice", "missing field (nor maxFeePerGas)");

    if ((list = json_member(tx, "blobVersionedHashes"))) {
        t->has_blob_fields = true;
        if (!cJSON_IsArray(list))
            return json_fail(ld, PAREVM_ERR_JSON, "transaction.blobVersionedHashes", "expected an array");
        n = (size_t)cJSON_GetArraySize(list);
        if (n && !(t->blob_hashes = calloc(n, sizeof *t->blob_hashes)))
            return json_nomem(ld);
        i = 0;
        cJSON_ArrayForEach(el, list)
        {
            if ((err = json_fixed(ld, el, field_index(f, sizeof f, "transaction.blobVersionedHashes", i),
                                  t->blob_hashes[i].bytes, 32)))
                return err;
            t->blob_hash_count = ++i;
        }
        if ((err = ld_require(ld, tx, "transaction", "maxFeePerBlobGas", &item)) ||
            (err = json_u256(ld, item, "transaction.maxFeePerBlobGas", &t->max_fee_per_blob_gas)))
            return err;
    }

    const char *to = NULL;
    if ((err = ld_require(ld, tx, "transaction", "to", &item)) ||
        (err = ld_expect_string(ld, item, "transaction.to", &to)))
        return err;
    if (to[0] != '\0') {
        t->has_to = true;
        if ((err = json_fixed(ld, item, "transaction.to", t->to.bytes, 20)))
            return err;
    }
    if ((err = ld_require(ld, tx, "transaction", "sender", &item)) ||
        (err = json_fixed(ld, item, "transaction.sender", t->sender.bytes, 20)))
        return err;
    if ((item = json_member(tx, "secretKey"))) {
        t->has_secret_key = true;
        if ((err = json_fixed(ld, item, "transaction.secretKey", t->secret_key.bytes, 32)))
            return err;
    }

    if ((err = ld_array(ld, tx, "transaction", "data", &list, &n)))
        return err;
    if (n && !(t->data = calloc(n, sizeof *t->data)))
        return json_nomem(ld);
    i = 0;
    cJSON_ArrayForEach(el, list)
    {
        /* Count before decoding so a failure frees what was decoded. */
        t->data_count = i + 1;
        if ((err = json_bytes(ld, el, field_index(f, sizeof f, "transaction.data", i), &t->data[i].data,
                              &t->data[i].len)))
            return err;
        i++;
    }

    if ((err = ld_array(ld, tx, "transaction", "gasLimit", &list, &n)))
        return err;
    if (n && !(t->gas_limits = calloc(n, sizeof *t->gas_limits)))
        return json_nomem(ld);
    i = 0;
    cJSON_ArrayForEach(el, list)
    {
        if ((err = json_u64(ld, el, field_index(f, sizeof f, "transaction.gasLimit", i), &t->gas_limits[i])))
            return err;
        t->gas_count = ++i;
    }

    if ((err = ld_array(ld, tx, "transaction", "value", &list, &n)))
        return err;
    if (n && !(t->values = calloc(n, sizeof *t->values)))
        return json_nomem(ld);
    i = 0;
    cJSON_ArrayForEach(el, list)
    {
        struct statetest_value *v = &t->values[i];
        if ((err = json_u256_ex(ld, el, field_index(f, sizeof f, "transaction.value", i), &v->value,
                                &v->out_of_range)))
            return err;
        t->value_count = ++i;
    }

    if ((list = json_member(tx, "accessLists"))) {
        if (!cJSON_IsArray(list))
            return json_fail(ld, PAREVM_ERR_JSON, "transaction.accessLists", "expected an array");
        n = (size_t)cJSON_GetArraySize(list);
        if (n && !(t->access_lists = calloc(n, sizeof *t->access_lists)))
            return json_nomem(ld);
        i = 0;
        cJSON_ArrayForEach(el, list)
        {
            t->access_list_count = i + 1;
            /* null: no access list for this data index (a legacy tx). */
            struct statetest_access_list *al = &t->access_lists[i];
            if (!cJSON_IsNull(el)) {
                al->present = true;
                if ((err = json_access_list(ld, el, field_index(f, sizeof f, "transaction.accessLists", i),
                                            &al->entries, &al->count)))
                    return err;
            }
            i++;
        }
    }
    if ((list = json_member(tx, "authorizationList"))) {
        t->has_authorizations = true;
        if ((err = json_authorization_list(ld, list, "transaction.authorizationList", &t->authorizations,
                                           &t->authorization_count, &t->authorizations_out_of_range)))
            return err;
    }
    return PAREVM_OK;
}

static int ld_index(struct json_ctx *ld, const cJSON *indexes, const char *prefix, const char *key,
                    size_t limit, size_t *out)
{
    const cJSON *item;
    char f[FIELD_MAX];
    int err = ld_require(ld, indexes, prefix, key, &item);
    if (err)
        return err;
    field_key(f, sizeof f, prefix, key);
    uint64_t v;
    if ((err = json_u64(ld, item, f, &v)))
        return err;
    if (v >= limit)
        return json_fail(ld, PAREVM_ERR_RANGE, f, "index %llu out of range (%zu entries)",
                         (unsigned long long)v, limit);
    *out = (size_t)v;
    return PAREVM_OK;
}

static int ld_post(struct json_ctx *ld, const cJSON *test, struct statetest *t)
{
    const cJSON *post, *fork_json, *entry;
    int err;
    if ((err = ld_object(ld, test, "", "post", &post)))
        return err;
    size_t total = 0;
    cJSON_ArrayForEach(fork_json, post)
    {
        char f[FIELD_MAX];
        field_key(f, sizeof f, "post", fork_json->string);
        if (!cJSON_IsArray(fork_json))
            return json_fail(ld, PAREVM_ERR_JSON, f, "expected an array");
        total += (size_t)cJSON_GetArraySize(fork_json);
    }
    if (total && !(t->posts = calloc(total, sizeof *t->posts)))
        return json_nomem(ld);
    cJSON_ArrayForEach(fork_json, post)
    {
        enum fork fork;
        char f[FIELD_MAX];
        field_key(f, sizeof f, "post", fork_json->string);
        if (!fork_from_name(fork_json->string, &fork))
            return json_fail(ld, PAREVM_ERR_UNSUPPORTED, f, "unknown fork");
        size_t i = 0;
        cJSON_ArrayForEach(entry, fork_json)
        {
            char g[FIELD_MAX], h[FIELD_MAX];
            struct statetest_post *p = &t->posts[t->post_count];
            field_index(g, sizeof g, f, i++);
            if (!cJSON_IsObject(entry))
                return json_fail(ld, PAREVM_ERR_JSON, g, "expected an object");
            t->post_count++;
            p->fork = fork;
            const cJSON *item, *indexes;
            if ((err = ld_require(ld, entry, g, "hash", &item)) ||
                (err = json_fixed(ld, item, field_key(h, sizeof h, g, "hash"), p->hash.bytes, 32)))
                return err;
            if ((err = ld_require(ld, entry, g, "logs", &item)) ||
                (err = json_fixed(ld, item, field_key(h, sizeof h, g, "logs"), p->logs.bytes, 32)))
                return err;
            if ((err = ld_object(ld, entry, g, "indexes", &indexes)))
                return err;
            field_key(h, sizeof h, g, "indexes");
            if ((err = ld_index(ld, indexes, h, "data", t->data_count, &p->data_index)) ||
                (err = ld_index(ld, indexes, h, "gas", t->gas_count, &p->gas_index)) ||
                (err = ld_index(ld, indexes, h, "value", t->value_count, &p->value_index)))
                return err;
            if ((item = json_member(entry, "expectException"))) {
                const char *s = NULL;
                if ((err = ld_expect_string(ld, item, field_key(h, sizeof h, g, "expectException"), &s)))
                    return err;
                if (!(p->expect_exception = strdup(s)))
                    return json_nomem(ld);
            }
        }
    }
    return PAREVM_OK;
}

static void statetest_free(struct statetest *t)
{
    free(t->name);
    world_free(&t->pre);
    free(t->blob_hashes);
    for (size_t i = 0; i < t->data_count; i++)
        free(t->data[i].data);
    free(t->data);
    free(t->gas_limits);
    free(t->values);
    for (size_t i = 0; i < t->access_list_count; i++)
        access_list_free(&t->access_lists[i]);
    free(t->access_lists);
    free(t->authorizations);
    for (size_t i = 0; i < t->post_count; i++)
        free(t->posts[i].expect_exception);
    free(t->posts);
    memset(t, 0, sizeof *t);
}

void statetest_file_free(struct statetest_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        statetest_free(&f->tests[i]);
    free(f->tests);
    free(f->path);
    memset(f, 0, sizeof *f);
}

static int ld_test(struct json_ctx *ld, const cJSON *test, struct statetest *t)
{
    int err;
    if (!cJSON_IsObject(test))
        return json_fail(ld, PAREVM_ERR_JSON, NULL, "test is not an object");
    if (!(t->name = strdup(test->string)))
        return json_nomem(ld);
    if ((err = ld_env(ld, test, t)) || (err = ld_pre(ld, test, t)) || (err = ld_transaction(ld, test, t)))
        return err;
    /* accessLists, when given, has one entry per data item. */
    if (t->access_lists && t->access_list_count != t->data_count)
        return json_fail(ld, PAREVM_ERR_JSON, "transaction.accessLists", "%zu entries for %zu data items",
                         t->access_list_count, t->data_count);
    return ld_post(ld, test, t);
}


int statetest_parse(const char *path, const char *json, size_t len, struct statetest_file *out, char *err,
                    size_t err_len)
{
    struct json_ctx ld = {.path = path, .err = err, .err_len = err_len, .dialect = JSON_STATETEST};
    memset(out, 0, sizeof *out);
    if (err && err_len)
        err[0] = '\0';
    char msg[200];
    cJSON *root;
    int rc = io_parse_json(json, len, &root, msg, sizeof msg);
    if (rc)
        return json_fail(&ld, rc, NULL, "%s", msg);
    if (!cJSON_IsObject(root)) {
        rc = json_fail(&ld, PAREVM_ERR_JSON, NULL, "top level is not an object of tests");
        goto done;
    }
    if (!(out->path = strdup(path))) {
        rc = json_nomem(&ld);
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    if (n && !(out->tests = calloc(n, sizeof *out->tests))) {
        rc = json_nomem(&ld);
        goto done;
    }
    const cJSON *test;
    cJSON_ArrayForEach(test, root)
    {
        struct statetest *t = &out->tests[out->count++];
        world_init(&t->pre);
        ld.test = test->string;
        if ((rc = ld_test(&ld, test, t)))
            goto done;
    }
done:
    cJSON_Delete(root);
    if (rc)
        statetest_file_free(out);
    return rc;
}

int statetest_load_file(const char *path, struct statetest_file *out, char *err, size_t err_len)
{
    struct json_ctx ld = {.path = path, .err = err, .err_len = err_len, .dialect = JSON_STATETEST};
    memset(out, 0, sizeof *out);
    char *buf, msg[200];
    size_t len;
    int rc = io_read_file(path, &buf, &len, msg, sizeof msg);
    if (rc)
        return json_fail(&ld, rc, NULL, "%s", msg);
    rc = statetest_parse(path, buf, len, out, err, err_len);
    free(buf);
    return rc;
}

/* BLOCKHASH in state tests: the fixtures were filled by a client whose
 * state-test harness answers every lookup with keccak256 of the block
 * number's decimal string (go-ethereum's vmTestBlockHash); previousHash
 * plays no part in the filled results. */
static int statetest_block_hash(void *arg, uint64_t number, hash32 *out)
{
    (void)arg;
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)number);
    keccak256(buf, (size_t)n, out->bytes);
    return PAREVM_OK;
}

void statetest_block_env(const struct statetest *t, enum fork fork, struct block_env *env)
{
    memset(env, 0, sizeof *env);
    env->fork = fork;
    env->chain_id = 1;
    env->coinbase = t->coinbase;
    env->number = t->number;
    env->timestamp = t->timestamp;
    env->gas_limit = t->gas_limit;
    env->difficulty = t->difficulty;
    /* From Paris (EIP-4399) currentRandom is PREVRANDAO; before it the
     * field is ignored and DIFFICULTY reads currentDifficulty. */
    if (t->has_random)
        env->prev_randao = t->random;
    /* EIP-1559 exists from London; earlier forks get no base fee even when
     * the (shared) env gives one. From London a missing currentBaseFee
     * defaults to 10, as in geth's state-test runner that filled them. */
    if (fork < FORK_LONDON)
        env->base_fee = u256_zero();
    else
        env->base_fee = t->has_base_fee ? t->base_fee : u256_from_u64(STATETEST_DEFAULT_BASE_FEE);
    env->excess_blob_gas = t->has_excess_blob_gas ? t->excess_blob_gas : 0;
    env->blob_base_fee = block_env_blob_base_fee(fork, env->excess_blob_gas);
    env->block_hash = statetest_block_hash;
    env->block_hash_arg = NULL;
}

int statetest_build_tx(const struct statetest *t, const struct statetest_post *p, struct tx *tx)
{
    memset(tx, 0, sizeof *tx);
    if (p->data_index >= t->data_count || p->gas_index >= t->gas_count || p->value_index >= t->value_count)
        return PAREVM_ERR_ARG;
    const struct statetest_value *value = &t->values[p->value_index];
    if (value->out_of_range || (t->has_authorizations && t->authorizations_out_of_range))
        return PAREVM_ERR_RANGE;
    const struct statetest_access_list *al =
        t->access_lists && p->data_index < t->access_list_count ? &t->access_lists[p->data_index] : NULL;
    if (al && !al->present)
        al = NULL;

    if (t->has_authorizations)
        tx->type = 4; /* EIP-7702 */
    else if (t->has_blob_fields)
        tx->type = 3;
    else if (t->has_max_fees)
        tx->type = 2;
    else if (al)
        tx->type = 1;
    else
        tx->type = 0;
    /* State tests sign legacy transactions without EIP-155 replay
     * protection; typed ones carry the chain id. */
    tx->chain_id = 1;
    tx->has_chain_id = tx->type != 0;
    tx->nonce = t->nonce;
    if (tx->type >= 2) {
        tx->max_fee_per_gas = t->max_fee_per_gas;
        tx->max_priority_fee_per_gas = t->max_priority_fee_per_gas;
        tx->gas_price = t->max_fee_per_gas;
    } else {
        tx->gas_price = t->gas_price;
        tx->max_fee_per_gas = t->gas_price;
        tx->max_priority_fee_per_gas = t->gas_price;
    }
    tx->gas_limit = t->gas_limits[p->gas_index];
    tx->has_to = t->has_to;
    tx->to = t->to;
    tx->value = value->value;
    tx->has_sender = true;
    tx->sender = t->sender;

    const struct statetest_bytes *data = &t->data[p->data_index];
    if (data->len) {
        if (!(tx->data = malloc(data->len)))
            goto nomem;
        memcpy(tx->data, data->data, data->len);
        tx->data_len = data->len;
    }
    if (al && al->count) {
        if (!(tx->access_list = calloc(al->count, sizeof *tx->access_list)))
            goto nomem;
        for (size_t i = 0; i < al->count; i++) {
            const struct access_list_entry *src = &al->entries[i];
            struct access_list_entry *dst = &tx->access_list[i];
            tx->access_list_len = i + 1;
            dst->addr = src->addr;
            if (src->key_count) {
                if (!(dst->keys = malloc(src->key_count * sizeof *dst->keys)))
                    goto nomem;
                memcpy(dst->keys, src->keys, src->key_count * sizeof *dst->keys);
                dst->key_count = src->key_count;
            }
        }
    }
    if (tx->type == 3) {
        tx->max_fee_per_blob_gas = t->max_fee_per_blob_gas;
        if (t->blob_hash_count) {
            if (!(tx->blob_hashes = malloc(t->blob_hash_count * sizeof *tx->blob_hashes)))
                goto nomem;
            memcpy(tx->blob_hashes, t->blob_hashes, t->blob_hash_count * sizeof *tx->blob_hashes);
            tx->blob_hash_count = t->blob_hash_count;
        }
    }
    if (tx->type == 4 && t->authorization_count) {
        if (!(tx->authorizations = malloc(t->authorization_count * sizeof *tx->authorizations)))
            goto nomem;
        memcpy(tx->authorizations, t->authorizations, t->authorization_count * sizeof *tx->authorizations);
        tx->authorization_count = t->authorization_count;
    }
    return PAREVM_OK;
nomem:
    tx_free(tx);
    return PAREVM_ERR_NOMEM;
}
