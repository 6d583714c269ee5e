/* jsonld.c — the loaders' error context, field paths and field loaders
 * (see jsonld.h; each dialect rule is commented where it applies). */
#include "jsonld.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/parevm.h"
#include "../base/hex.h"
#include "file.h"

int json_fail(struct json_ctx *c, int code, const char *field, const char *fmt, ...)
{
    if (c->code)
        return c->code;
    c->code = code;
    if (!c->err || c->err_len == 0)
        return code;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->test && field && *field)
        snprintf(c->err, c->err_len, "%s: %s: %s: %s", c->path, c->test, field, msg);
    else if (c->test)
        snprintf(c->err, c->err_len, "%s: %s: %s", c->path, c->test, msg);
    else if (field && *field)
        snprintf(c->err, c->err_len, "%s: %s: %s", c->path, field, msg);
    else
        snprintf(c->err, c->err_len, "%s: %s", c->path, msg);
    return code;
}

int json_nomem(struct json_ctx *c) { return json_fail(c, PAREVM_ERR_NOMEM, NULL, "out of memory"); }

/* Append text at *pos of a JSON_FIELD_MAX buffer, truncating. */
static void field_append(char *buf, size_t *pos, const char *text)
{
    size_t n = strlen(text);
    if (n > JSON_FIELD_MAX - 1 - *pos)
        n = JSON_FIELD_MAX - 1 - *pos;
    memmove(buf + *pos, text, n);
    *pos += n;
    buf[*pos] = '\0';
}

/* Start from prefix (already in buf when they alias). */
static size_t field_start(char *buf, const char *prefix)
{
    size_t pos = 0;
    if (prefix != buf) {
        buf[0] = '\0';
        field_append(buf, &pos, prefix);
    } else {
        pos = strlen(buf);
    }
    return pos;
}

const char *json_field_key(char *buf, const char *prefix, const char *key)
{
    size_t pos = field_start(buf, prefix);
    if (pos)
        field_append(buf, &pos, ".");
    field_append(buf, &pos, key);
    return buf;
}

const char *json_field_index(char *buf, const char *prefix, size_t i)
{
    char num[32];
    snprintf(num, sizeof num, "[%zu]", i);
    size_t pos = field_start(buf, prefix);
    field_append(buf, &pos, num);
    return buf;
}

int json_parse(struct json_ctx *c, const char *json, size_t len, cJSON **root)
{
    char msg[JSON_FIELD_MAX + 128];
    int rc = io_parse_json(json, len, root, msg, sizeof msg);
    return rc ? json_fail(c, rc, NULL, "%s", msg) : PAREVM_OK;
}

const cJSON *json_member(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return item && !cJSON_IsNull(item) ? item : NULL;
}

/* Member in the dialect's sense: JSON_STATETEST reads a JSON null as a
 * (wrong) value, the others as an absence. */
static const cJSON *dialect_member(const struct json_ctx *c, const cJSON *obj, const char *key)
{
    return c->dialect == JSON_STATETEST ? cJSON_GetObjectItemCaseSensitive(obj, key) : json_member(obj, key);
}

/* Required member; "PREFIX.KEY: missing field" when absent. field
 * receives the member's path (JSON_FIELD_MAX bytes). */
static int require_member(struct json_ctx *c, const cJSON *obj, const char *prefix, const char *key,
                          const cJSON **out, char *field)
{
    json_field_key(field, prefix, key);
    *out = dialect_member(c, obj, key);
    return *out ? PAREVM_OK : json_fail(c, PAREVM_ERR_JSON, field, "missing field");
}

/* ---- numbers ---- */

/* A value past 256 bits: a failure, or 2^256 - 1 with *overflow set. */
static int number_too_large(struct json_ctx *c, const char *field, u256 *out, bool *overflow)
{
    if (overflow) {
        *overflow = true;
        *out = u256_max();
        return PAREVM_OK;
    }
    return json_fail(c, PAREVM_ERR_RANGE, field, "value exceeds 256 bits");
}

/* "0x" and 1..64 significant hex digits (leading zeros allowed), after
 * the prefix and the empty case are checked. */
static int hex_quantity(struct json_ctx *c, const char *s, const char *field, u256 *out, bool *overflow)
{
    const char *digits = s + 2;
    while (digits[0] == '0' && digits[1] != '\0')
        digits++;
    if (strlen(digits) > 64)
        return number_too_large(c, field, out, overflow);
    if (!u256_from_string(s, out)) /* fits: only a bad digit fails */
        return json_fail(c, PAREVM_ERR_HEX, field, "bad hex");
    return PAREVM_OK;
}

/* JSON_T8N decimal digits, overflow checked digit by digit as geth's
 * big.Int reading reports it. */
static int t8n_decimal(struct json_ctx *c, const char *s, const char *field, u256 *out, bool *overflow)
{
    if (*s == '\0')
        return json_fail(c, PAREVM_ERR_JSON, field, "empty number");
    u256 ten = u256_from_u64(10), acc = u256_zero();
    /* acc * 10 overflows when acc > (2^256 - 1) / 10 */
    u256 max = u256_max(), limit = u256_div(&max, &ten);
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return json_fail(c, PAREVM_ERR_JSON, field, "bad number (expected 0x-hex or decimal)");
        bool carry1 = u256_gt(&acc, &limit), carry2;
        acc = u256_mul(&acc, &ten);
        u256 d = u256_from_u64((uint64_t)(*s - '0'));
        acc = u256_add_carry(&acc, &d, &carry2);
        if (carry1 || carry2)
            return number_too_large(c, field, out, overflow);
    }
    *out = acc;
    return PAREVM_OK;
}

/* State and blockchain test text: every digit checked first, then the
 * size. */
static int fixture_number(struct json_ctx *c, const char *s, const char *field, u256 *out, bool *overflow)
{
    if (strncmp(s, "0x:bigint ", 10) == 0)
        s += 10;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!hex && *digits == '\0')
        return json_fail(c, PAREVM_ERR_JSON, field, "empty number");
    for (const char *p = digits; *p; p++) {
        bool ok = hex ? ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))
                      : (*p >= '0' && *p <= '9');
        if (!ok)
            return json_fail(c, hex ? PAREVM_ERR_HEX : PAREVM_ERR_JSON, field,
                             hex ? "bad hex" : "bad decimal number");
    }
    while (digits[0] == '0' && digits[1] != '\0')
        digits++;
    size_t nd = strlen(digits);
    if ((hex && nd > 64) || (!hex && nd > 78))
        return number_too_large(c, field, out, overflow);
    char norm[100];
    snprintf(norm, sizeof norm, "%s%s", hex ? "0x" : "", *digits ? digits : "0");
    if (!u256_from_string(norm, out))
        return number_too_large(c, field, out, overflow);
    return PAREVM_OK;
}

static int number_text(struct json_ctx *c, const char *s, const char *field, u256 *out, bool *overflow)
{
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    switch (c->dialect) {
    case JSON_RPC:
        if (!hex)
            return json_fail(c, PAREVM_ERR_HEX, field, "bad hex (expected 0x...)");
        if (s[2] == '\0')
            return json_fail(c, PAREVM_ERR_HEX, field, "bad hex (empty quantity)");
        return hex_quantity(c, s, field, out, overflow);
    case JSON_T8N:
        *out = u256_zero();
        if (!hex)
            return t8n_decimal(c, s, field, out, overflow);
        if (s[2] == '\0')
            return json_fail(c, PAREVM_ERR_HEX, field, "bad hex (empty number)");
        return hex_quantity(c, s, field, out, overflow);
    case JSON_STATETEST:
    case JSON_BLOCKTEST:
        break;
    }
    return fixture_number(c, s, field, out, overflow);
}

int json_u256_text(struct json_ctx *c, const char *s, const char *field, u256 *out)
{
    return number_text(c, s, field, out, NULL);
}

int json_u256_ex(struct json_ctx *c, const cJSON *item, const char *field, u256 *out, bool *overflow)
{
    if (overflow)
        *overflow = false;
    if ((c->dialect == JSON_T8N || c->dialect == JSON_STATETEST) && cJSON_IsNumber(item)) {
        /* a JSON integer, exact only below 2^53 */
        double d = item->valuedouble;
        if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d)
            return c->dialect == JSON_T8N
                       ? json_fail(c, PAREVM_ERR_RANGE, field, "number out of range (use a string)")
                       : json_fail(c, PAREVM_ERR_JSON, field, "expected a non-negative integer");
        *out = u256_from_u64((uint64_t)d);
        return PAREVM_OK;
    }
    if (!cJSON_IsString(item) || !item->valuestring)
        return json_fail(c, PAREVM_ERR_JSON, field,
                         c->dialect == JSON_T8N ? "expected a number" : "expected a string");
    return number_text(c, item->valuestring, field, out, overflow);
}

int json_u256(struct json_ctx *c, const cJSON *item, const char *field, u256 *out)
{
    return json_u256_ex(c, item, field, out, NULL);
}

int json_u64(struct json_ctx *c, const cJSON *item, const char *field, uint64_t *out)
{
    u256 v;
    int err = json_u256(c, item, field, &v);
    if (err)
        return err;
    if (!u256_fits_u64(&v))
        return json_fail(c, PAREVM_ERR_RANGE, field, "value exceeds 64 bits");
    *out = v.w[0];
    return PAREVM_OK;
}

/* ---- hex ---- */

static int expect_hex_string(struct json_ctx *c, const cJSON *item, const char *field)
{
    if (cJSON_IsString(item) && item->valuestring)
        return PAREVM_OK;
    return json_fail(c, PAREVM_ERR_JSON, field,
                     c->dialect == JSON_T8N ? "expected a hex string" : "expected a string");
}

int json_fixed_text(struct json_ctx *c, const char *s, const char *field, uint8_t *out, size_t n)
{
    const char *digits = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s + 2 : s;
    /* JSON_T8N names a wrong length before a bad (or odd) digit count */
    bool wrong_length = strlen(digits) != 2 * n;
    int err = c->dialect == JSON_T8N && wrong_length ? PAREVM_ERR_RANGE : hex_decode_exact(s, out, n);
    if (err == PAREVM_ERR_RANGE || (err && c->dialect == JSON_BLOCKTEST))
        return json_fail(c, PAREVM_ERR_HEX, field, "expected %zu bytes of hex", n);
    if (err)
        return json_fail(c, PAREVM_ERR_HEX, field, "bad hex");
    return PAREVM_OK;
}

int json_fixed(struct json_ctx *c, const cJSON *item, const char *field, uint8_t *out, size_t n)
{
    int err = expect_hex_string(c, item, field);
    return err ? err : json_fixed_text(c, item->valuestring, field, out, n);
}

int json_bytes(struct json_ctx *c, const cJSON *item, const char *field, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int err = expect_hex_string(c, item, field);
    if (err)
        return err;
    if ((err = hex_decode_alloc(item->valuestring, out, len))) {
        *out = NULL;
        *len = 0;
        return err == PAREVM_ERR_NOMEM ? json_nomem(c) : json_fail(c, PAREVM_ERR_HEX, field, "bad hex");
    }
    return PAREVM_OK;
}

/* ---- lists ---- */

/* A storage key: 32 bytes of hex, or (JSON_T8N) a number. */
static int storage_key(struct json_ctx *c, const cJSON *item, const char *field, hash32 *out)
{
    if (c->dialect != JSON_T8N)
        return json_fixed(c, item, field, out->bytes, 32);
    u256 v;
    int err = json_u256(c, item, field, &v);
    if (!err)
        u256_to_be(&v, out->bytes);
    return err;
}

int json_access_list(struct json_ctx *c, const cJSON *arr, const char *field,
                     struct access_list_entry **entries, size_t *count)
{
    char f[JSON_FIELD_MAX], g[JSON_FIELD_MAX], h[JSON_FIELD_MAX];
    if (!cJSON_IsArray(arr)) /* state tests' accessLists[i] may be null */
        return json_fail(c, PAREVM_ERR_JSON, field,
                         c->dialect == JSON_STATETEST ? "expected an array or null" : "expected an array");
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return PAREVM_OK;
    if (!(*entries = calloc(n, sizeof **entries)))
        return json_nomem(c);
    *count = n;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        struct access_list_entry *entry = &(*entries)[i];
        json_field_index(f, field, i++);
        if (!cJSON_IsObject(e))
            return json_fail(c, PAREVM_ERR_JSON, f, "expected an object");
        const cJSON *item, *keys;
        int err;
        if ((err = require_member(c, e, f, "address", &item, g)) ||
            (err = json_fixed(c, item, g, entry->addr.bytes, 20)))
            return err;
        if (c->dialect == JSON_T8N && !json_member(e, "storageKeys"))
            continue; /* geth: no keys */
        if ((err = require_member(c, e, f, "storageKeys", &keys, g)))
            return err;
        if (!cJSON_IsArray(keys))
            return json_fail(c, PAREVM_ERR_JSON, g, "expected an array");
        size_t k = (size_t)cJSON_GetArraySize(keys);
        if (k && !(entry->keys = calloc(k, sizeof *entry->keys)))
            return json_nomem(c);
        entry->key_count = k;
        size_t j = 0;
        const cJSON *key;
        cJSON_ArrayForEach(key, keys)
        {
            json_field_index(h, g, j);
            if ((err = storage_key(c, key, h, &entry->keys[j++])))
                return err;
        }
    }
    return PAREVM_OK;
}

/* One number of an authorization. Absent: "missing field", except that
 * JSON_T8N reports a missing chainId, r or s after the other fields
 * (*missing set instead). */
static int authorization_number(struct json_ctx *c, const cJSON *e, const char *prefix, const char *key,
                                u256 *out, bool *overflow, bool *missing)
{
    char f[JSON_FIELD_MAX];
    if (missing && c->dialect == JSON_T8N && !json_member(e, key)) {
        *missing = true;
        return PAREVM_OK;
    }
    const cJSON *item;
    int err = require_member(c, e, prefix, key, &item, f);
    return err ? err : json_u256_ex(c, item, f, out, overflow);
}

int json_authorization_list(struct json_ctx *c, const cJSON *arr, const char *field,
                            struct authorization **list, size_t *count, bool *out_of_range)
{
    char f[JSON_FIELD_MAX], g[JSON_FIELD_MAX];
    if (!cJSON_IsArray(arr))
        return json_fail(c, PAREVM_ERR_JSON, field, "expected an array");
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n && !(*list = calloc(n, sizeof **list)))
        return json_nomem(c);
    *count = n;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        struct authorization *a = &(*list)[i];
        json_field_index(f, field, i++);
        if (!cJSON_IsObject(e))
            return json_fail(c, PAREVM_ERR_JSON, f, "expected an object");
        const char *parity_key = json_member(e, "yParity") ? "yParity" : "v";
        bool no_chain = false, no_r = false, no_s = false, over = false;
        /* Each read resets *overflow: as the state-test loader always
         * did, what counts is the last number's (s) and the fit of the
         * nonce and the parity. */
        bool *overflow = out_of_range ? &over : NULL;
        u256 nonce, y_parity;
        const cJSON *item;
        int err;
        if ((err = authorization_number(c, e, f, "chainId", &a->chain_id, overflow, &no_chain)) ||
            (err = require_member(c, e, f, "address", &item, g)) ||
            (err = json_fixed(c, item, g, a->addr.bytes, 20)) ||
            (err = authorization_number(c, e, f, "nonce", &nonce, overflow, NULL)))
            return err;
        if (!out_of_range && !u256_fits_u64(&nonce))
            return json_fail(c, PAREVM_ERR_RANGE, json_field_key(g, f, "nonce"), "value exceeds 64 bits");
        if ((err = require_member(c, e, f, parity_key, &item, g)))
            return err;
        if (c->dialect == JSON_STATETEST) /* state tests name it yParity even when given as v */
            json_field_key(g, f, "yParity");
        if ((err = json_u256_ex(c, item, g, &y_parity, overflow)))
            return err;
        if (!out_of_range && !u256_fits_u64(&y_parity))
            return json_fail(c, PAREVM_ERR_RANGE, json_field_key(g, f, parity_key), "value exceeds 64 bits");
        if ((err = authorization_number(c, e, f, "r", &a->r, overflow, &no_r)) ||
            (err = authorization_number(c, e, f, "s", &a->s, overflow, &no_s)))
            return err;
        if (no_chain || no_r || no_s) {
            const char *key = no_chain ? "chainId" : (no_r ? "r" : "s");
            return json_fail(c, PAREVM_ERR_JSON, json_field_key(g, f, key), "missing field");
        }
        if (out_of_range) {
            if (!u256_fits_u64(&nonce) || !u256_fits_u64(&y_parity) || y_parity.w[0] > 0xff)
                over = true;
            *out_of_range |= over;
        } else if (y_parity.w[0] > 0xff) {
            return json_fail(c, PAREVM_ERR_RANGE, json_field_key(g, f, parity_key), "exceeds 8 bits");
        }
        a->nonce = nonce.w[0];
        a->y_parity = (uint8_t)y_parity.w[0];
    }
    return PAREVM_OK;
}

/* Field names in json_accounts: "prefix.key" ("key" when prefix is
 * empty), truncated to cap - 1 characters. */
#define ACCOUNT_FIELD_MAX 256
static const char *account_field(char *buf, size_t cap, const char *prefix, const char *key)
{
    const char *parts[3] = {prefix, *prefix ? "." : "", key};
    size_t pos = 0;
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]);
        if (n > cap - 1 - pos)
            n = cap - 1 - pos;
        memmove(buf + pos, parts[i], n);
        pos += n;
    }
    buf[pos] = '\0';
    return buf;
}

/* A required member of an account (the fixture dialects): state tests
 * take a JSON null as a (wrong) value, blockchain tests as absent. */
static int account_member(struct json_ctx *c, const cJSON *acct, const char *key, const char *field,
                          const cJSON **out)
{
    if (c->dialect == JSON_STATETEST)
        *out = cJSON_GetObjectItemCaseSensitive(acct, key);
    else
        *out = json_member(acct, key);
    if (!*out && c->dialect != JSON_RPC && c->dialect != JSON_T8N)
        return json_fail(c, PAREVM_ERR_JSON, field, "missing field");
    return PAREVM_OK;
}

int json_accounts(struct json_ctx *c, const cJSON *accounts, const char *name, struct world *w)
{
    /* pre_state.json and t8n's alloc: the same loose rules */
    bool t8n = c->dialect == JSON_T8N, rpc = c->dialect == JSON_RPC || t8n;
    char f[ACCOUNT_FIELD_MAX], g[ACCOUNT_FIELD_MAX], h[ACCOUNT_FIELD_MAX];
    /* The fixture loaders always named fields in 256 bytes. */
    size_t cap = rpc ? JSON_FIELD_MAX : ACCOUNT_FIELD_MAX;
    if (!name)
        name = "";
    if (!cJSON_IsObject(accounts))
        return rpc ? json_fail(c, PAREVM_ERR_JSON, NULL, "expected an object of accounts")
                   : json_fail(c, PAREVM_ERR_JSON, name, "expected an object");
    const cJSON *acct_json;
    cJSON_ArrayForEach(acct_json, accounts)
    {
        const char *key = acct_json->string;
        account_field(f, cap, name, key);
        address a;
        /* pre_state.json names a bad address first; the fixtures a
         * member that is not an object. */
        if (!rpc && !cJSON_IsObject(acct_json))
            return json_fail(c, PAREVM_ERR_JSON, f, "expected an object");
        if (t8n) { /* (its messages: a wrong length, then bad hex) */
            int err = json_fixed_text(c, key, f, a.bytes, 20);
            if (err)
                return err;
        } else if (hex_decode_exact(key, a.bytes, 20)) {
            return json_fail(c, PAREVM_ERR_HEX, f, "account key is not a 20-byte hex address");
        }
        if (!cJSON_IsObject(acct_json))
            return json_fail(c, PAREVM_ERR_JSON, f, "expected an object");
        if (world_get(w, &a))
            return json_fail(c, PAREVM_ERR_JSON, f, "duplicate account");
        struct world_account *acct = world_get_or_create(w, &a);
        if (!acct)
            return json_nomem(c);
        const cJSON *item;
        int err;
        if ((err = account_member(c, acct_json, "balance", account_field(g, cap, f, "balance"), &item)) ||
            (item && (err = json_u256(c, item, g, &acct->balance))))
            return err;
        if ((err = account_member(c, acct_json, "nonce", account_field(g, cap, f, "nonce"), &item)) ||
            (item && (err = json_u64(c, item, g, &acct->nonce))))
            return err;
        if ((err = account_member(c, acct_json, "code", account_field(g, cap, f, "code"), &item)))
            return err;
        if (item) {
            uint8_t *code;
            size_t code_len;
            if ((err = json_bytes(c, item, g, &code, &code_len)))
                return err;
            /* pre_state.json: no code is no code object (as before the
             * loaders were one); the fixtures always set one. */
            if (code_len || !rpc) {
                struct code *cd = code_new(code, code_len);
                free(code);
                if (!cd)
                    return json_nomem(c);
                world_set_code(acct, cd);
                code_release(cd);
            } else {
                free(code);
            }
        }
        if ((err = account_member(c, acct_json, "storage", account_field(g, cap, f, "storage"), &item)))
            return err;
        if (!item)
            continue;
        if (!cJSON_IsObject(item))
            return json_fail(c, PAREVM_ERR_JSON, g, "expected an object");
        const cJSON *slot;
        cJSON_ArrayForEach(slot, item)
        {
            account_field(h, cap, g, slot->string);
            u256 k, v;
            if ((err = json_u256_text(c, slot->string, h, &k)) || (err = json_u256(c, slot, h, &v)))
                return err;
            if (!rpc) {
                u256 old = world_get_storage(acct, &k);
                if (!u256_is_zero(&old))
                    return json_fail(c, PAREVM_ERR_JSON, h, "duplicate storage slot");
            }
            if (world_set_storage(acct, &k, &v))
                return json_nomem(c);
        }
    }
    return PAREVM_OK;
}
