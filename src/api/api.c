/*
 * api — the public API of include/parevm.h: a thin layer over the
 * internals. Contexts hold a chain config; blocks wrap struct block;
 * in-memory states wrap a world and block hashes; execution runs
 * exec/exec.h on a copy of an in-memory state's world, or on a world
 * whose source (state/world.h) is the host's provider.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../include/parevm.h"
#include "../base/error.h"
#include "../base/keccak.h"
#include "../chain/block.h"
#include "../exec/exec.h"
#include "../exec/exec_env.h"
#include "../io/blocktest.h"
#include "../io/mainnet.h"
#include "../state/world.h"

/* include/parevm.h's enum parevm_err (included first, so it is the one
 * defined here) has the values of the list in base/error.h, which the
 * layers below use. */
#define API_ERR_SAME(name, value, message)                                                                   \
    _Static_assert(name == value, #name " differs between include/parevm.h and src/base/error.h");
PAREVM_ERR_LIST(API_ERR_SAME)
#undef API_ERR_SAME
#define API_ERR_ONE(name, value, message) +1
_Static_assert(PAREVM_ERR__COUNT == 0 PAREVM_ERR_LIST(API_ERR_ONE),
               "include/parevm.h and src/base/error.h list different error codes");
#undef API_ERR_ONE

/* Code a host's provider returned, by hash, kept across executions so
 * that a contract is hashed and analysed (JUMPDESTs) once per context,
 * not once per block; up to this many bytes, then no more are added. */
#define API_CODE_CACHE_BYTES (64u << 20)

struct parevm_ctx {
    unsigned threads;
    struct chain_config cfg;
    /* The worker pool, caches, guard statistics and transaction contexts
     * of this context's executions: nothing of them is shared with
     * another context, and parevm_ctx_destroy joins and frees it all. */
    struct exec_env *env;
    pthread_mutex_t code_lock; /* guards the two below */
    struct hmap code_cache;    /* hash32 -> struct code * (a reference) */
    size_t code_bytes;
};

struct parevm_block {
    struct block block;
    enum fork fork;
};

struct parevm_state {
    struct world world;
    struct block_hashes hashes; /* numbers ascending */
    bool complete;              /* the whole state, not a block's share */
};

struct parevm_result {
    struct block_result r;
    bool invalid;
    char reason[256];
    bool has_receipts_root; /* false: pre-Byzantium receipts on a partial state */
    bool has_state_root;
    hash32 state_root;
};

static void set_err(char *err, size_t err_len, const char *fmt, const char *arg)
{
    if (err && err_len)
        snprintf(err, err_len, fmt, arg);
}

/* ---- context ---- */

parevm_ctx *parevm_ctx_create(const parevm_ctx_options *opts)
{
    parevm_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (pthread_mutex_init(&ctx->code_lock, NULL)) {
        free(ctx);
        return NULL;
    }
    hmap_init(&ctx->code_cache, sizeof(hash32), sizeof(struct code *));
    if (exec_env_create(&ctx->env) != PAREVM_OK) {
        parevm_ctx_destroy(ctx);
        return NULL;
    }
    const char *network = opts ? opts->network : NULL;
    if (opts && opts->threads > PAREVM_MAX_THREADS) {
        parevm_ctx_destroy(ctx);
        return NULL;
    }
    if (!network || strcmp(network, "mainnet") == 0) {
        chain_config_mainnet(&ctx->cfg);
    } else if (!chain_config_from_network(&ctx->cfg, network)) {
        parevm_ctx_destroy(ctx);
        return NULL;
    }
    ctx->threads = opts ? opts->threads : 0;
    if (ctx->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        ctx->threads = n < 1 ? 1 : n > PAREVM_MAX_THREADS ? PAREVM_MAX_THREADS : (unsigned)n;
    }
    return ctx;
}

void parevm_ctx_destroy(parevm_ctx *ctx)
{
    if (!ctx)
        return;
    exec_env_destroy(ctx->env); /* (joins its workers) */
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(&ctx->code_cache, &it, &key, &val))
        code_release(*(struct code **)val);
    hmap_free(&ctx->code_cache);
    pthread_mutex_destroy(&ctx->code_lock);
    free(ctx);
}

/* Cached code of that hash (a new reference), or NULL. */
static struct code *code_cache_get(parevm_ctx *ctx, const uint8_t hash[32])
{
    pthread_mutex_lock(&ctx->code_lock);
    struct code **slot = hmap_get(&ctx->code_cache, hash);
    struct code *c = slot ? code_retain(*slot) : NULL;
    pthread_mutex_unlock(&ctx->code_lock);
    return c;
}

/* Keep c (verified against its hash) while the cache has room; failing
 * to is no error. */
static void code_cache_put(parevm_ctx *ctx, struct code *c)
{
    pthread_mutex_lock(&ctx->code_lock);
    if (ctx->code_bytes + c->len <= API_CODE_CACHE_BYTES) {
        bool inserted = false;
        struct code **slot = hmap_put(&ctx->code_cache, c->hash.bytes, &inserted);
        if (slot && inserted) {
            *slot = code_retain(c);
            ctx->code_bytes += c->len;
        }
    }
    pthread_mutex_unlock(&ctx->code_lock);
}

/* ---- blocks ---- */

/* The fork of b under ctx's chain, refused when not implemented. */
static int block_fork(const parevm_ctx *ctx, const struct block *b, enum fork *out, char *err, size_t err_len)
{
    *out = chain_config_header_fork(&ctx->cfg, &b->header);
    if (!fork_implemented(*out)) {
        if (err && err_len)
            snprintf(err, err_len, "block %llu: its fork (%s) is not implemented by parevm",
                     (unsigned long long)b->header.number, fork_name(*out));
        return PAREVM_ERR_UNSUPPORTED;
    }
    return PAREVM_OK;
}

static int block_wrap(const parevm_ctx *ctx, struct block *b, parevm_block **out, char *err, size_t err_len)
{
    parevm_block *pb = malloc(sizeof *pb);
    if (!pb) {
        block_free(b);
        set_err(err, err_len, "%s", "out of memory");
        return PAREVM_ERR_NOMEM;
    }
    int rc = block_fork(ctx, b, &pb->fork, err, err_len);
    if (rc) {
        block_free(b);
        free(pb);
        return rc;
    }
    pb->block = *b;
    *out = pb;
    return PAREVM_OK;
}

int parevm_block_from_rlp(const parevm_ctx *ctx, const uint8_t *rlp, size_t len, parevm_block **out,
                          char *err, size_t err_len)
{
    if (out)
        *out = NULL;
    if (!ctx || !rlp || !out)
        return PAREVM_ERR_ARG;
    char why[200] = "";
    struct block b;
    memset(&b, 0, sizeof b);
    int rc = blocktest_decode_block(rlp, len, &b, NULL, why, sizeof why);
    if (rc) {
        set_err(err, err_len, "block RLP: %s", why);
        return rc;
    }
    enum fork fork;
    if ((rc = block_fork(ctx, &b, &fork, err, err_len))) {
        block_free(&b);
        return rc;
    }
    for (size_t i = 0; i < b.tx_count; i++) {
        if (tx_recover_sender(&b.txs[i], fork)) {
            if (err && err_len)
                snprintf(err, err_len, "block RLP: transactions[%zu]: sender cannot be recovered", i);
            block_free(&b);
            return PAREVM_ERR_SIGNATURE;
        }
    }
    return block_wrap(ctx, &b, out, err, err_len);
}

int parevm_block_from_json(const parevm_ctx *ctx, const char *name, const char *json, size_t len,
                           parevm_block **out, char *err, size_t err_len)
{
    if (out)
        *out = NULL;
    if (!ctx || !json || !out)
        return PAREVM_ERR_ARG;
    char tmp[8];
    struct block b;
    memset(&b, 0, sizeof b);
    int rc = mainnet_parse_block(name ? name : "block.json", json, len, &ctx->cfg, &b, err ? err : tmp,
                                 err ? err_len : sizeof tmp);
    if (rc)
        return rc;
    return block_wrap(ctx, &b, out, err, err_len);
}

int parevm_block_from_fixture(const parevm_ctx *ctx, const char *dir, parevm_block **out,
                              parevm_state **state, char *err, size_t err_len)
{
    if (out)
        *out = NULL;
    if (state)
        *state = NULL;
    if (!ctx || !dir || !out)
        return PAREVM_ERR_ARG;
    char tmp[8];
    struct mainnet_fixture fx;
    int rc = mainnet_load(dir, &ctx->cfg, &fx, err ? err : tmp, err ? err_len : sizeof tmp);
    if (rc)
        return rc;
    /* The context's chain governs execution: a folder whose chain.json
     * puts the block in another fork is refused, never run under the
     * context's rules. */
    enum fork own = chain_config_header_fork(&ctx->cfg, &fx.block.header);
    if (own != fx.fork) {
        if (err && err_len)
            snprintf(err, err_len,
                     "%s/chain.json: its network puts block %llu in fork %s, the context's chain in %s",
                     fx.dir, (unsigned long long)fx.block.header.number, fork_name(fx.fork), fork_name(own));
        mainnet_fixture_free(&fx);
        return PAREVM_ERR_UNSUPPORTED;
    }
    parevm_block *pb = malloc(sizeof *pb);
    parevm_state *st = state ? calloc(1, sizeof *st) : NULL;
    if (!pb || (state && !st)) {
        free(pb);
        free(st);
        mainnet_fixture_free(&fx);
        set_err(err, err_len, "%s", "out of memory");
        return PAREVM_ERR_NOMEM;
    }
    /* Move the parts out of the fixture, then free what is left. */
    pb->block = fx.block;
    pb->fork = fx.fork;
    memset(&fx.block, 0, sizeof fx.block);
    if (st) {
        st->world = fx.pre;
        st->hashes = fx.hashes;
        st->complete = false; /* a snapshot holds only what the block touches */
        world_init(&fx.pre);
        memset(&fx.hashes, 0, sizeof fx.hashes);
        *state = st;
    }
    mainnet_fixture_free(&fx);
    *out = pb;
    return PAREVM_OK;
}

void parevm_block_destroy(parevm_block *block)
{
    if (!block)
        return;
    block_free(&block->block);
    free(block);
}

uint64_t parevm_block_number(const parevm_block *block)
{
    return block ? block->block.header.number : 0;
}

size_t parevm_block_tx_count(const parevm_block *block)
{
    return block ? block->block.tx_count : 0;
}

/* ---- in-memory state ---- */

parevm_state *parevm_state_create(const parevm_ctx *ctx)
{
    if (!ctx)
        return NULL;
    parevm_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    world_init(&st->world);
    st->complete = true;
    return st;
}

void parevm_state_destroy(parevm_state *state)
{
    if (!state)
        return;
    world_free(&state->world);
    block_hashes_free(&state->hashes);
    free(state);
}

int parevm_state_set_account(parevm_state *state, const uint8_t address_[20], const uint8_t balance[32],
                             uint64_t nonce, const uint8_t *code, size_t code_len)
{
    if (!state || !address_ || !balance || (code_len && !code))
        return PAREVM_ERR_ARG;
    address a;
    memcpy(a.bytes, address_, 20);
    struct code *c = code_len ? code_new(code, code_len) : code_empty();
    if (!c)
        return PAREVM_ERR_NOMEM;
    struct world_account *acct = world_get_or_create(&state->world, &a);
    if (!acct) {
        code_release(c);
        return PAREVM_ERR_NOMEM;
    }
    acct->balance = u256_from_be(balance, 32);
    acct->nonce = nonce;
    world_set_code(acct, c);
    code_release(c); /* world_set_code took its own reference */
    return PAREVM_OK;
}

int parevm_state_set_storage(parevm_state *state, const uint8_t address_[20], const uint8_t key[32],
                             const uint8_t value[32])
{
    if (!state || !address_ || !key || !value)
        return PAREVM_ERR_ARG;
    address a;
    memcpy(a.bytes, address_, 20);
    struct world_account *acct = world_get(&state->world, &a);
    if (!acct)
        return PAREVM_ERR_ARG;
    u256 k = u256_from_be(key, 32), v = u256_from_be(value, 32);
    return world_set_storage(acct, &k, &v);
}

int parevm_state_set_block_hash(parevm_state *state, uint64_t number, const uint8_t hash[32])
{
    if (!state || !hash)
        return PAREVM_ERR_ARG;
    struct block_hashes *h = &state->hashes;
    size_t i = 0;
    while (i < h->count && h->numbers[i] < number)
        i++;
    if (i < h->count && h->numbers[i] == number) {
        memcpy(h->hashes[i].bytes, hash, 32);
        return PAREVM_OK;
    }
    uint64_t *numbers = realloc(h->numbers, (h->count + 1) * sizeof *numbers);
    if (!numbers)
        return PAREVM_ERR_NOMEM;
    h->numbers = numbers;
    hash32 *hashes = realloc(h->hashes, (h->count + 1) * sizeof *hashes);
    if (!hashes)
        return PAREVM_ERR_NOMEM;
    h->hashes = hashes;
    memmove(&numbers[i + 1], &numbers[i], (h->count - i) * sizeof *numbers);
    memmove(&hashes[i + 1], &hashes[i], (h->count - i) * sizeof *hashes);
    numbers[i] = number;
    memcpy(hashes[i].bytes, hash, 32);
    h->count++;
    return PAREVM_OK;
}

int parevm_state_is_complete(const parevm_state *state)
{
    return state && state->complete;
}

int parevm_state_get_account(const parevm_state *state, const uint8_t address_[20], int *exists,
                             parevm_account *out)
{
    if (!state || !address_ || !exists || !out)
        return PAREVM_ERR_ARG;
    address a;
    memcpy(a.bytes, address_, 20);
    const struct world_account *acct = world_get(&state->world, &a);
    *exists = acct != NULL;
    if (!acct)
        return PAREVM_OK;
    u256_to_be(&acct->balance, out->balance);
    out->nonce = acct->nonce;
    memcpy(out->code_hash, acct->code->hash.bytes, 32);
    out->has_storage = acct->storage.count > 0;
    return PAREVM_OK;
}

int parevm_state_get_storage(const parevm_state *state, const uint8_t address_[20], const uint8_t key[32],
                             uint8_t value[32])
{
    if (!state || !address_ || !key || !value)
        return PAREVM_ERR_ARG;
    address a;
    memcpy(a.bytes, address_, 20);
    const struct world_account *acct = world_get(&state->world, &a);
    u256 k = u256_from_be(key, 32);
    u256 v = acct ? world_get_storage(acct, &k) : u256_zero();
    u256_to_be(&v, value);
    return PAREVM_OK;
}

int parevm_state_get_code(const parevm_state *state, const uint8_t code_hash[32], const uint8_t **code,
                          size_t *len)
{
    if (!state || !code_hash || !code || !len)
        return PAREVM_ERR_ARG;
    const struct code *empty = code_empty();
    if (memcmp(empty->hash.bytes, code_hash, 32) == 0) {
        *code = empty->bytes;
        *len = 0;
        return PAREVM_OK;
    }
    /* Linear in the accounts: the world indexes code by account only. */
    size_t it = 0;
    const void *key;
    void *val;
    while (hmap_next(&state->world.accounts, &it, &key, &val)) {
        const struct world_account *acct = *(struct world_account *const *)val;
        if (memcmp(acct->code->hash.bytes, code_hash, 32) == 0) {
            *code = acct->code->bytes;
            *len = acct->code->len;
            return PAREVM_OK;
        }
    }
    return PAREVM_ERR_MISSING;
}

int parevm_state_get_block_hash(const parevm_state *state, uint64_t number, int *found, uint8_t hash[32])
{
    if (!state || !found || !hash)
        return PAREVM_ERR_ARG;
    hash32 h;
    *found = block_hashes_lookup((void *)&state->hashes, number, &h) == PAREVM_OK;
    if (*found)
        memcpy(hash, h.bytes, 32);
    return PAREVM_OK;
}

/* The in-memory state's provider callbacks: parevm_execute_block
 * recognises them by their address and runs on the state directly. */
static int mem_account(void *arg, const uint8_t address_[20], int *exists, parevm_account *out)
{
    return parevm_state_get_account(arg, address_, exists, out);
}

static int mem_storage(void *arg, const uint8_t address_[20], const uint8_t key[32], uint8_t value[32])
{
    return parevm_state_get_storage(arg, address_, key, value);
}

static int mem_code(void *arg, const uint8_t code_hash[32], const uint8_t **code, size_t *len)
{
    return parevm_state_get_code(arg, code_hash, code, len);
}

static int mem_block_hash(void *arg, uint64_t number, int *found, uint8_t hash[32])
{
    return parevm_state_get_block_hash(arg, number, found, hash);
}

int parevm_state_provider_of(parevm_state *state, parevm_state_provider *out)
{
    if (!state || !out)
        return PAREVM_ERR_ARG;
    out->arg = state;
    out->account = mem_account;
    out->storage = mem_storage;
    out->code = mem_code;
    out->block_hash = mem_block_hash;
    return PAREVM_OK;
}

/* ---- a host's provider as a world source ---- */

/* The world source's argument: the provider, and the context whose code
 * cache it fills. */
struct api_source {
    const parevm_state_provider *provider;
    parevm_ctx *ctx;
};

static int src_account(void *arg, const address *a, bool *exists, u256 *balance, uint64_t *nonce,
                       struct code **code, bool *has_storage)
{
    const struct api_source *as = arg;
    const parevm_state_provider *p = as->provider;
    parevm_account acct;
    memset(&acct, 0, sizeof acct);
    int found = 0;
    if (p->account(p->arg, a->bytes, &found, &acct))
        return PAREVM_ERR_IO;
    *exists = found != 0;
    if (!found)
        return PAREVM_OK;
    *balance = u256_from_be(acct.balance, 32);
    *nonce = acct.nonce;
    *has_storage = acct.has_storage != 0;
    const struct code *empty = code_empty();
    if (memcmp(acct.code_hash, empty->hash.bytes, 32) == 0) {
        *code = code_empty();
        return PAREVM_OK;
    }
    if ((*code = code_cache_get(as->ctx, acct.code_hash)))
        return PAREVM_OK;
    const uint8_t *bytes = NULL;
    size_t len = 0;
    if (!p->code || p->code(p->arg, acct.code_hash, &bytes, &len) || (len && !bytes))
        return PAREVM_ERR_IO;
    struct code *c = code_new(bytes, len);
    if (!c)
        return PAREVM_ERR_NOMEM;
    /* The provider's code must be what the account's hash names. */
    if (memcmp(c->hash.bytes, acct.code_hash, 32) != 0) {
        code_release(c);
        return PAREVM_ERR_IO;
    }
    code_cache_put(as->ctx, c);
    *code = c;
    return PAREVM_OK;
}

static int src_storage(void *arg, const address *a, const u256 *key, u256 *out)
{
    const parevm_state_provider *p = ((const struct api_source *)arg)->provider;
    uint8_t k[32], v[32];
    u256_to_be(key, k);
    if (!p->storage || p->storage(p->arg, a->bytes, k, v))
        return PAREVM_ERR_IO;
    *out = u256_from_be(v, 32);
    return PAREVM_OK;
}

/* BLOCKHASH reaches the 256 blocks before the executed one: asked of the
 * provider up front (ascending), those it knows kept. */
static int provider_block_hashes(const parevm_state_provider *p, uint64_t number, struct block_hashes *out)
{
    memset(out, 0, sizeof *out);
    if (!p->block_hash || number == 0)
        return PAREVM_OK;
    uint64_t first = number > 256 ? number - 256 : 0;
    size_t n = (size_t)(number - first);
    out->numbers = malloc(n * sizeof *out->numbers);
    out->hashes = malloc(n * sizeof *out->hashes);
    if (!out->numbers || !out->hashes) {
        block_hashes_free(out);
        return PAREVM_ERR_NOMEM;
    }
    for (uint64_t k = first; k < number; k++) {
        int found = 0;
        uint8_t h[32];
        if (p->block_hash(p->arg, k, &found, h)) {
            block_hashes_free(out);
            return PAREVM_ERR_IO;
        }
        if (!found)
            continue;
        out->numbers[out->count] = k;
        memcpy(out->hashes[out->count].bytes, h, 32);
        out->count++;
    }
    return PAREVM_OK;
}

/* ---- execution ---- */

static void result_reason(parevm_result *res)
{
    const struct block_result *r = &res->r;
    if (r->invalid_reason != TXERR_NONE)
        snprintf(res->reason, sizeof res->reason, "transaction %zu: %s%s%s", r->invalid_tx,
                 tx_error_name(r->invalid_reason), r->invalid_message[0] ? ": " : "", r->invalid_message);
    else
        snprintf(res->reason, sizeof res->reason, "%s",
                 r->invalid_message[0] ? r->invalid_message : "invalid block");
}

int parevm_execute_block(const parevm_ctx *ctx, const parevm_block *block,
                         const parevm_state_provider *provider, const parevm_execute_options *options,
                         parevm_result **result)
{
    if (!result)
        return PAREVM_ERR_ARG;
    *result = NULL;
    if (!ctx || !block || !provider || !provider->account)
        return PAREVM_ERR_ARG;
    parevm_engine engine = options ? options->engine : PAREVM_ENGINE_AUTO;
    if (engine != PAREVM_ENGINE_AUTO && engine != PAREVM_ENGINE_SEQUENTIAL &&
        engine != PAREVM_ENGINE_BLOCK_STM)
        return PAREVM_ERR_ARG;
    unsigned threads = options && options->threads ? options->threads : ctx->threads;
    if (threads > PAREVM_MAX_THREADS)
        return PAREVM_ERR_ARG;

    /* The in-memory state runs directly, on a copy of its world; a host's
     * provider behind a world that asks it on first use. */
    const parevm_state *mem = provider->account == mem_account ? provider->arg : NULL;
    struct chain_config cfg = ctx->cfg;
    cfg.skip_intermediate_roots = !(mem && mem->complete);

    parevm_result *res = calloc(1, sizeof *res);
    if (!res)
        return PAREVM_ERR_NOMEM;
    /* The context's code cache is the one thing an execution changes in
     * it, behind its lock. */
    struct api_source as = {provider, (parevm_ctx *)ctx};
    struct world w;
    struct block_hashes own_hashes;
    memset(&own_hashes, 0, sizeof own_hashes);
    const struct block_hashes *hashes = &own_hashes;
    int rc;
    if (mem) {
        rc = world_clone(&mem->world, &w);
        hashes = &mem->hashes;
    } else {
        struct world_source src = {src_account, src_storage, &as};
        rc = world_init_source(&w, &src);
        if (!rc && (rc = provider_block_hashes(provider, block->block.header.number, &own_hashes)))
            world_free(&w);
    }
    if (rc) {
        free(res);
        return rc;
    }

    /* Sequential: one thread, which the guard never runs in parallel
     * (it still learns the block's sequential cost, in ctx's guard). */
    struct exec_options opt;
    memset(&opt, 0, sizeof opt);
    opt.env = ctx->env;
    opt.threads = engine == PAREVM_ENGINE_SEQUENTIAL ? 1 : threads > 0 ? (int)threads : 1;
    opt.force = engine == PAREVM_ENGINE_BLOCK_STM;
    rc = exec_block_parallel(&cfg, &block->block, &w, hashes, &opt, &res->r, NULL);
    /* A source error makes whatever the executor saw untrustworthy. */
    int src_err = world_source_error(&w);
    if (!rc && src_err)
        rc = src_err;
    if (!rc && mem && mem->complete && !res->r.invalid) {
        rc = world_state_root(&w, &res->state_root);
        res->has_state_root = rc == PAREVM_OK;
    }
    world_free(&w);
    block_hashes_free(&own_hashes);
    if (rc) {
        parevm_result_destroy(res);
        return rc;
    }
    res->has_receipts_root = block->fork >= FORK_BYZANTIUM || !cfg.skip_intermediate_roots;
    if (res->r.invalid) {
        res->invalid = true;
        result_reason(res);
        *result = res;
        return res->r.invalid_reason != TXERR_NONE ? PAREVM_ERR_TX_INVALID : PAREVM_ERR_BLOCK_INVALID;
    }
    *result = res;
    return PAREVM_OK;
}

void parevm_result_destroy(parevm_result *result)
{
    if (!result)
        return;
    block_result_free(&result->r);
    free(result);
}

const char *parevm_result_invalid_reason(const parevm_result *result)
{
    return result && result->invalid ? result->reason : "";
}

uint64_t parevm_result_gas_used(const parevm_result *result)
{
    return result ? result->r.gas_used : 0;
}

void parevm_result_logs_bloom(const parevm_result *result, uint8_t bloom[256])
{
    if (!bloom)
        return;
    if (result)
        memcpy(bloom, result->r.logs_bloom, 256);
    else
        memset(bloom, 0, 256);
}

int parevm_result_receipts_root(const parevm_result *result, uint8_t root[32])
{
    if (!result || !root)
        return PAREVM_ERR_ARG;
    if (!result->has_receipts_root)
        return PAREVM_ERR_UNSUPPORTED;
    memcpy(root, result->r.receipts_root.bytes, 32);
    return PAREVM_OK;
}

int parevm_result_state_root(const parevm_result *result, uint8_t root[32])
{
    if (!result || !root)
        return PAREVM_ERR_ARG;
    if (!result->has_state_root)
        return PAREVM_ERR_UNSUPPORTED;
    memcpy(root, result->state_root.bytes, 32);
    return PAREVM_OK;
}

size_t parevm_result_receipt_count(const parevm_result *result)
{
    return result ? result->r.receipt_count : 0;
}

int parevm_result_receipt(const parevm_result *result, size_t i, int *status, uint64_t *cumulative_gas,
                          size_t *log_count)
{
    if (!result || i >= result->r.receipt_count)
        return PAREVM_ERR_ARG;
    const struct receipt *rc = &result->r.receipts[i];
    if (status)
        *status = rc->has_status ? (rc->status ? 1 : 0) : -1;
    if (cumulative_gas)
        *cumulative_gas = rc->cumulative_gas_used;
    if (log_count)
        *log_count = rc->log_count;
    return PAREVM_OK;
}

int parevm_result_log(const parevm_result *result, size_t i, size_t j, uint8_t address_[20],
                      const uint8_t **topics, size_t *topic_count, const uint8_t **data, size_t *data_len)
{
    if (!result || i >= result->r.receipt_count || j >= result->r.receipts[i].log_count)
        return PAREVM_ERR_ARG;
    const struct log *l = &result->r.receipts[i].logs[j];
    if (address_)
        memcpy(address_, l->addr.bytes, 20);
    if (topics)
        *topics = l->topics[0].bytes;
    if (topic_count)
        *topic_count = l->topic_count;
    if (data)
        *data = l->data_len ? l->data : NULL;
    if (data_len)
        *data_len = l->data_len;
    return PAREVM_OK;
}
