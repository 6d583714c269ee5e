/*
 * parevm blocktest — run ethereum/tests BlockchainTests fixtures.
 *
 * Every test is one case: a chain is built from the genesis block on the
 * pre-state, then each block of the fixture is imported in order — decoded
 * from its RLP, checked against its parent (chain/validate.h), executed on
 * a copy of its parent's state with exec_block_sequential, and its header
 * checked against the result. Blocks are kept by hash, each with its
 * post-state, so a block may build on any earlier block (side chains); the
 * head is the last block imported. A block with expectException must be
 * rejected and is then forgotten. At the end the head's state is compared
 * with postState (or its root with postStateHash) and the head's hash
 * with lastblockhash.
 *
 * Files are processed by -j worker threads, each owning whole files;
 * output is printed by the main thread in file order, identical for
 * every -j.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/hex.h"
#include "../chain/block.h"
#include "../chain/validate.h"
#include "../exec/exec.h"
#include "../io/blocktest.h"
#include "../state/world.h"
#include "cli.h"

struct bt_options {
    bool json, quiet;
    const char *filter;
    unsigned jobs;
};

/* One input file and everything it printed. Filled by one worker; read by
 * the main thread after `done` is set under bt_run.lock. */
struct bt_job {
    char *path;
    struct bytebuf report; /* failure, rejection and error lines */
    struct bytebuf json;   /* --json entries, comma-separated */
    size_t passed, failed;
    bool done;
};

struct bt_run {
    const struct bt_options *opt;
    struct bt_job *jobs;
    size_t job_count;
    /* Next file to take; relaxed: it only hands out distinct indexes, the
     * results travel under `lock`. */
    atomic_size_t next;
    pthread_mutex_t lock; /* guards bt_job.done and publishes the job's output */
    pthread_cond_t cond;  /* signalled when a job becomes done */
};

void cli_blocktest_usage(FILE *out)
{
    fprintf(out,
            "usage: parevm blocktest [OPTIONS] PATH...\n"
            "\n"
            "Run ethereum/tests BlockchainTests fixtures. Each PATH is a JSON file or a\n"
            "folder searched recursively for *.json (files sorted by path). Each test is\n"
            "one case: the genesis block is checked against the pre-state, every block is\n"
            "decoded from its RLP, validated against its parent, executed and checked\n"
            "against its header; blocks with expectException must be rejected (the chain\n"
            "then continues from the blocks before). The head's state is compared with\n"
            "postState (or postStateHash) and its hash with lastblockhash.\n"
            "\n"
            "options:\n"
            "  --filter SUBSTR  run only tests whose name or file path contains SUBSTR\n"
            "  --json           print results as a JSON array of\n"
            "                   {\"file\",\"name\",\"pass\",\"lastblockhash\",\"error\"} on stdout;\n"
            "                   the other lines and the summary then go to stderr\n"
            "  --quiet          print nothing but failures and the summary line\n"
            "  -j, --jobs N     files processed in parallel (default: online CPUs)\n"
            "  -h, --help       show this help\n"
            "\n"
            "output: one line per failed test, \"FILE TEST: block N: expected X, got Y\"\n"
            "(N counts the fixture's blocks from 1; \"genesis\" and \"post\" for the checks\n"
            "before and after the blocks), one line per correctly rejected block,\n"
            "\"FILE TEST: block N: rejected (EXPECTED): REASON: DETAIL\" (not with --quiet),\n"
            "one \"FILE: error: ...\" line per file that cannot be loaded (one failure),\n"
            "then \"N passed, N failed\".\n"
            "\n"
            "exit status: 0 all tests passed, 1 a test failed or a file could not be\n"
            "loaded, 2 usage error.\n");
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void buf_printf(struct bytebuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        bytebuf_append(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bytebuf_append(b, big, (size_t)n);
    free(big);
}

static void buf_json_string(struct bytebuf *b, const char *s)
{
    bytebuf_push(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            bytebuf_push(b, '\\');
            bytebuf_push(b, c);
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            bytebuf_push(b, c);
        }
    }
    bytebuf_push(b, '"');
}

static void hash_hex(const hash32 *h, char out[67]) { hex_encode(h->bytes, 32, out); }

/* ---- expected exceptions ---- */

/* Which fixture exception names (after "BlockException." or
 * "TransactionException.") each rejection reason stands for. The names are
 * those of ethereum/execution-spec-tests; several describe one rule seen
 * from different clients. */
static const char *const block_error_aliases[BLOCKERR__COUNT][6] = {
    [BLOCKERR_RLP] = {"RLP_STRUCTURES_ENCODING", "RLP_INVALID_FIELD_OVERFLOW_64", "RLP_INVALID_ADDRESS",
                      "RLP_WITHDRAWALS_NOT_READ", "RLP_BLOCK_LIMIT_EXCEEDED"},
    [BLOCKERR_UNKNOWN_PARENT] = {"UNKNOWN_PARENT", "UNKNOWN_PARENT_ZERO"},
    [BLOCKERR_NUMBER] = {"INVALID_BLOCK_NUMBER"},
    [BLOCKERR_TIMESTAMP] = {"INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT"},
    [BLOCKERR_GAS_LIMIT] = {"INVALID_GASLIMIT", "GASLIMIT_TOO_BIG"},
    [BLOCKERR_GAS_USED_ABOVE_LIMIT] = {"GAS_USED_OVERFLOW"},
    [BLOCKERR_EXTRA_DATA] = {"EXTRA_DATA_TOO_BIG"},
    [BLOCKERR_HEADER_FIELDS] = {"RLP_STRUCTURES_ENCODING", "INCORRECT_BLOCK_FORMAT"},
    [BLOCKERR_BASE_FEE] = {"INVALID_BASEFEE_PER_GAS"},
    [BLOCKERR_DIFFICULTY] = {"IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS", "INVALID_DIFFICULTY"},
    [BLOCKERR_NONCE] = {"IMPORT_IMPOSSIBLE_NONCE_OVER_PARIS", "INVALID_BLOCK_NONCE"},
    [BLOCKERR_OMMERS_HASH] = {"IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", "INVALID_UNCLES_HASH"},
    [BLOCKERR_UNCLES] = {"IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", "TOO_MANY_UNCLES", "DUPLICATE_UNCLES"},
    [BLOCKERR_UNCLE_INVALID] = {"UNCLE_IN_CHAIN", "UNCLE_IS_ANCESTOR", "UNCLE_IS_BROTHER", "UNCLE_PARENT_INCORRECT",
                                "UNCLE_UNKNOWN_PARENT", "UNCLE_IS_OLD"},
    [BLOCKERR_EXCESS_BLOB_GAS] = {"INCORRECT_EXCESS_BLOB_GAS"},
    [BLOCKERR_BLOB_GAS_USED] = {"INCORRECT_BLOB_GAS_USED", "BLOB_GAS_USED_ABOVE_LIMIT"},
    [BLOCKERR_WITHDRAWALS] = {"RLP_WITHDRAWALS_NOT_READ", "RLP_STRUCTURES_ENCODING"},
    [BLOCKERR_TX_ROOT] = {"INVALID_TRANSACTIONS_ROOT"},
    [BLOCKERR_WITHDRAWALS_ROOT] = {"INVALID_WITHDRAWALS_ROOT"},
    [BLOCKERR_TX_SIGNATURE] = {"INVALID_SIGNATURE_VRS", "INVALID_SIGNATURE"},
    [BLOCKERR_GAS_USED] = {"INVALID_GAS_USED"},
    [BLOCKERR_RECEIPTS_ROOT] = {"INVALID_RECEIPTS_ROOT"},
    [BLOCKERR_LOGS_BLOOM] = {"INVALID_LOG_BLOOM"},
    [BLOCKERR_STATE_ROOT] = {"INVALID_STATE_ROOT"},
};

static const char *const tx_error_aliases[TXERR__COUNT][3] = {
    [TXERR_TYPE_NOT_SUPPORTED] = {"TYPE_NOT_SUPPORTED"},
    [TXERR_NONCE_TOO_LOW] = {"NONCE_MISMATCH_TOO_LOW"},
    [TXERR_NONCE_TOO_HIGH] = {"NONCE_MISMATCH_TOO_HIGH"},
    [TXERR_NONCE_MAX] = {"NONCE_IS_MAX"},
    [TXERR_INSUFFICIENT_FUNDS] = {"INSUFFICIENT_ACCOUNT_FUNDS"},
    [TXERR_INTRINSIC_GAS] = {"INTRINSIC_GAS_TOO_LOW"},
    /* A transaction asking for more gas than the block has left; when the
     * header's own gas used is also over the limit, fixtures name that. */
    [TXERR_GAS_LIMIT_EXCEEDED] = {"GAS_ALLOWANCE_EXCEEDED", "GAS_USED_OVERFLOW"},
    [TXERR_FEE_CAP_BELOW_BASE_FEE] = {"INSUFFICIENT_MAX_FEE_PER_GAS"},
    [TXERR_TIP_ABOVE_FEE_CAP] = {"PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"},
    [TXERR_SENDER_NOT_EOA] = {"SENDER_NOT_EOA"},
    [TXERR_INITCODE_TOO_LARGE] = {"INITCODE_SIZE_EXCEEDED"},
    [TXERR_BLOB_FEE_CAP_TOO_LOW] = {"INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"},
    [TXERR_BLOB_HASH_VERSION] = {"INVALID_BLOB_VERSIONED_HASH"},
    [TXERR_BLOB_COUNT] = {"TYPE_3_TX_ZERO_BLOBS", "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED",
                          "TYPE_3_TX_BLOB_COUNT_EXCEEDED"},
    [TXERR_BLOB_CREATE] = {"TYPE_3_TX_CONTRACT_CREATION"},
    [TXERR_VALUE_OVERFLOW] = {"INSUFFICIENT_ACCOUNT_FUNDS", "GASLIMIT_PRICE_PRODUCT_OVERFLOW"},
    [TXERR_CHAIN_ID] = {"INVALID_CHAINID"},
};

/* Why a block was rejected. */
struct rejection {
    enum block_error code;
    enum tx_error tx_error; /* when code == BLOCKERR_TX_INVALID */
    char detail[256];
};

/* The rejection's name as printed: the block error, or for an invalid
 * transaction the transaction error. */
static const char *rejection_name(const struct rejection *r)
{
    if (r->code == BLOCKERR_TX_INVALID && r->tx_error != TXERR_NONE)
        return tx_error_name(r->tx_error);
    return block_error_name(r->code);
}

/* Whether one alternative of expectException ("BlockException.X" or
 * "TransactionException.Y", len bytes) names the rejection. */
static bool exception_matches(const char *alt, size_t len, const struct rejection *r)
{
    const char *dot = memchr(alt, '.', len);
    const char *name = dot ? dot + 1 : alt;
    size_t n = len - (size_t)(name - alt);
    const char *const *aliases;
    size_t count;
    if (r->code == BLOCKERR_TX_INVALID) {
        if ((unsigned)r->tx_error >= TXERR__COUNT)
            return false;
        aliases = tx_error_aliases[r->tx_error];
        count = sizeof tx_error_aliases[0] / sizeof tx_error_aliases[0][0];
    } else {
        aliases = block_error_aliases[r->code];
        count = sizeof block_error_aliases[0] / sizeof block_error_aliases[0][0];
    }
    for (size_t i = 0; i < count && aliases[i]; i++)
        if (strlen(aliases[i]) == n && memcmp(aliases[i], name, n) == 0)
            return true;
    return false;
}

static bool expectation_matches(const char *expected, const struct rejection *r)
{
    for (const char *p = expected;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (exception_matches(p, len, r))
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
    struct world world;
    hash32 *uncle_hashes; /* owned */
    size_t uncle_count;
};

struct chain {
    const struct chain_config *cfg;
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
    c->head = c->count++;
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
static int reject(struct rejection *r, enum block_error code, const char *fmt, ...)
{
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    return PAREVM_OK;
}

/* Import one block given as RLP. Returns PAREVM_OK with r->code ==
 * BLOCKERR_NONE when it was added as the new head, or with the reason it
 * was rejected (the chain is then unchanged); other codes are internal
 * errors (message in r->detail). */
static int chain_import(struct chain *c, const uint8_t *rlp, size_t len, struct rejection *r)
{
    memset(r, 0, sizeof *r);
    struct block b;
    struct block_digest digest;
    char why[200];
    int err = blocktest_decode_block(rlp, len, &b, &digest, why, sizeof why);
    if (err == PAREVM_ERR_NOMEM) {
        snprintf(r->detail, sizeof r->detail, "out of memory");
        return err;
    }
    if (err)
        return reject(r, BLOCKERR_RLP, "%s", why);
    const struct block_header *h = &b.header;
    enum fork f = chain_config_header_fork(c->cfg, h);
    size_t parent = chain_find(c, &h->parent_hash);
    struct world w;
    struct block_result res;
    world_init(&w);
    memset(&res, 0, sizeof res);
    enum block_error e;
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
    if ((err = exec_block_sequential(c->cfg, &b, &w, &hashes, &res))) {
        snprintf(r->detail, sizeof r->detail, "execution failed: %s", parevm_strerror(err));
        goto done;
    }
    if (res.invalid) {
        r->tx_error = res.invalid_reason;
        if (res.invalid_tx < b.tx_count)
            r->tx_error = spec_order_tx_error(&b.txs[res.invalid_tx], h, f, res.invalid_reason);
        if (res.invalid_reason != TXERR_NONE)
            reject(r, BLOCKERR_TX_INVALID, "transaction %zu: %s", res.invalid_tx, tx_error_name(r->tx_error));
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
                                    .blob_gas_used = res.blob_gas_used};
    if ((e = validate_outcome(c->cfg, &b, &digest, &outcome, why, sizeof why))) {
        reject(r, e, "%s", why);
        goto done;
    }
    if ((err = chain_add(c, &b, parent, &w)))
        snprintf(r->detail, sizeof r->detail, "out of memory");
done:
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

struct case_result {
    bool pass;
    hash32 head_hash;
    char message[512]; /* "block N: expected X, got Y" when !pass */
};

/* Run test t; rejected blocks are reported through `rejections` (one
 * line each, without the "FILE TEST: " prefix added by the caller). */
static void run_test(const struct blocktest *t, struct case_result *res, struct bytebuf *rejections,
                     const char *prefix)
{
    memset(res, 0, sizeof *res);
    char *msg = res->message;
    const size_t cap = sizeof res->message;
    char a[67], b[67];
    struct chain_config cfg;
    if (!chain_config_from_network(&cfg, t->network)) {
        snprintf(msg, cap, "network: expected a known network, got '%s'", t->network);
        return;
    }
    if (t->seal_engine && strcmp(t->seal_engine, "NoProof") != 0) {
        snprintf(msg, cap, "sealEngine: expected NoProof (proof-of-work seals are not verified), got '%s'",
                 t->seal_engine);
        return;
    }
    struct chain chain = {.cfg = &cfg};
    struct block genesis;
    char why[200];
    int err = blocktest_decode_block(t->genesis_rlp, t->genesis_rlp_len, &genesis, NULL, why, sizeof why);
    if (err) {
        snprintf(msg, cap, "genesis: expected a decodable genesis block, got %s", why);
        return;
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
        snprintf(msg, cap, "genesis: expected a state, got error %s", parevm_strerror(err));
        goto out;
    }
    if (!hash32_eq(&pre_root, &genesis.header.state_root)) {
        hash_hex(&genesis.header.state_root, a);
        hash_hex(&pre_root, b);
        snprintf(msg, cap, "genesis: expected state root %s, got %s (pre)", a, b);
        goto out;
    }
    if ((err = chain_add(&chain, &genesis, SIZE_MAX, &pre))) {
        snprintf(msg, cap, "genesis: out of memory");
        goto out;
    }
    for (size_t i = 0; i < t->block_count; i++) {
        const struct blocktest_block *tb = &t->blocks[i];
        struct rejection rj;
        err = chain_import(&chain, tb->rlp, tb->rlp_len, &rj);
        if (err) {
            snprintf(msg, cap, "block %zu: expected a result, got error: %s", i + 1, rj.detail);
            goto out;
        }
        if (rj.code == BLOCKERR_NONE && tb->expect_exception) {
            snprintf(msg, cap, "block %zu: expected exception %s, got a valid block", i + 1, tb->expect_exception);
            goto out;
        }
        if (rj.code != BLOCKERR_NONE && !tb->expect_exception) {
            snprintf(msg, cap, "block %zu: expected a valid block, got %s: %s", i + 1, rejection_name(&rj),
                     rj.detail);
            goto out;
        }
        if (rj.code != BLOCKERR_NONE) {
            if (!expectation_matches(tb->expect_exception, &rj)) {
                snprintf(msg, cap, "block %zu: expected exception %s, got %s: %s", i + 1, tb->expect_exception,
                         rejection_name(&rj), rj.detail);
                goto out;
            }
            if (rejections)
                buf_printf(rejections, "%s: block %zu: rejected (%s): %s: %s\n", prefix, i + 1,
                           tb->expect_exception, rejection_name(&rj), rj.detail);
        }
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
            snprintf(msg, cap, "post: expected a state root, got error %s", parevm_strerror(err));
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
}

/* The message after the loader's "PATH: " prefix. */
static const char *strip_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

static void run_file(const struct bt_options *opt, struct bt_job *job)
{
    struct blocktest_file file;
    char err[512];
    if (blocktest_load_file(job->path, &file, err, sizeof err)) {
        buf_printf(&job->report, "%s: error: %s\n", job->path, strip_path(err, job->path));
        job->failed++;
        return;
    }
    for (size_t ti = 0; ti < file.count; ti++) {
        const struct blocktest *t = &file.tests[ti];
        if (opt->filter && !strstr(t->name, opt->filter) && !strstr(job->path, opt->filter))
            continue;
        char prefix[512];
        snprintf(prefix, sizeof prefix, "%s %s", job->path, t->name);
        struct case_result res;
        run_test(t, &res, opt->quiet ? NULL : &job->report, prefix);
        if (res.pass) {
            job->passed++;
        } else {
            job->failed++;
            buf_printf(&job->report, "%s: %s\n", prefix, res.message);
        }
        if (opt->json) {
            char head[67];
            hash_hex(&res.head_hash, head);
            if (job->json.len)
                bytebuf_append(&job->json, ",\n", 2);
            bytebuf_append(&job->json, "{\"file\":", 8);
            buf_json_string(&job->json, job->path);
            bytebuf_append(&job->json, ",\"name\":", 8);
            buf_json_string(&job->json, t->name);
            buf_printf(&job->json, ",\"pass\":%s,\"lastblockhash\":\"%s\",\"error\":", res.pass ? "true" : "false",
                       head);
            buf_json_string(&job->json, res.pass ? "" : res.message);
            bytebuf_push(&job->json, '}');
        }
    }
    blocktest_file_free(&file);
}

static void *worker_main(void *arg)
{
    struct bt_run *run = arg;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&run->next, 1, memory_order_relaxed);
        if (i >= run->job_count)
            break;
        run_file(run->opt, &run->jobs[i]);
        /* The mutex publishes the job's buffers to the main thread. */
        pthread_mutex_lock(&run->lock);
        run->jobs[i].done = true;
        pthread_cond_broadcast(&run->cond);
        pthread_mutex_unlock(&run->lock);
    }
    return NULL;
}

/* ---- collecting input files ---- */

struct path_list {
    char **items;
    size_t count, cap;
};

static int path_list_add(struct path_list *l, char *path)
{
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 256;
        char **grown = realloc(l->items, ncap * sizeof *grown);
        if (!grown) {
            free(path);
            return PAREVM_ERR_NOMEM;
        }
        l->items = grown;
        l->cap = ncap;
    }
    l->items[l->count++] = path;
    return PAREVM_OK;
}

static void path_list_free(struct path_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int compare_paths(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool has_json_suffix(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Append every *.json file below dir (recursively, dot-entries skipped). */
static int collect_dir(const char *dir, struct path_list *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        /* Unreadable folder: keep it as an input so loading reports it. */
        char *copy = strdup(dir);
        return copy ? path_list_add(out, copy) : PAREVM_ERR_NOMEM;
    }
    int err = PAREVM_OK;
    struct dirent *e;
    bool slash = dir[0] && dir[strlen(dir) - 1] == '/';
    while (!err && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + 1 + strlen(e->d_name) + 1;
        char *child = malloc(n);
        if (!child) {
            err = PAREVM_ERR_NOMEM;
            break;
        }
        snprintf(child, n, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        struct stat st;
        if (stat(child, &st) != 0) {
            free(child);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            err = collect_dir(child, out);
            free(child);
        } else if (S_ISREG(st.st_mode) && has_json_suffix(e->d_name)) {
            err = path_list_add(out, child);
        } else {
            free(child);
        }
    }
    closedir(d);
    return err;
}

/* Files named on the command line are taken as they are (in argument
 * order); folders contribute their *.json files sorted by path. */
static int collect_inputs(char **paths, int n, struct path_list *out)
{
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t first = out->count;
            int err = collect_dir(paths[i], out);
            if (err)
                return err;
            qsort(out->items + first, out->count - first, sizeof *out->items, compare_paths);
        } else {
            char *copy = strdup(paths[i]);
            if (!copy)
                return PAREVM_ERR_NOMEM;
            int err = path_list_add(out, copy);
            if (err)
                return err;
        }
    }
    return PAREVM_OK;
}

/* ---- arguments ---- */

/* Value of an option given as "--opt VALUE" or "--opt=VALUE" (or "-jN");
 * NULL when it is not this option. Advances *i past a separate value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return name[1] != '-' ? arg + n : NULL; /* "-j4" */
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "parevm blocktest: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'parevm blocktest --help' for usage.\n");
    return CLI_EXIT_USAGE;
}

int cli_blocktest(int argc, char **argv)
{
    struct bt_options opt = {0};
    int npaths = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        bool missing = false;
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            argv[1 + npaths++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_blocktest_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(arg, "--json") == 0) {
            opt.json = true;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            opt.quiet = true;
        } else if ((v = option_value(argc, argv, &i, "--filter", &missing))) {
            opt.filter = v;
        } else if (!missing && ((v = option_value(argc, argv, &i, "--jobs", &missing)) ||
                                (!missing && (v = option_value(argc, argv, &i, "-j", &missing))))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || n < 1 || n > 1024)
                return usage_error("bad job count '%s' (1..1024)", v);
            opt.jobs = (unsigned)n;
        } else if (missing) {
            return usage_error("option '%s' needs a value", arg);
        } else {
            return usage_error("unknown option '%s'", arg);
        }
    }
    if (npaths == 0)
        return usage_error("%s", "no PATH given");
    if (opt.jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        opt.jobs = n > 0 ? (unsigned)n : 1;
    }

    struct path_list files = {0};
    if (collect_inputs(argv + 1, npaths, &files)) {
        path_list_free(&files);
        fprintf(stderr, "parevm blocktest: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    struct bt_run run = {.opt = &opt, .job_count = files.count};
    run.jobs = calloc(files.count ? files.count : 1, sizeof *run.jobs);
    if (!run.jobs) {
        path_list_free(&files);
        fprintf(stderr, "parevm blocktest: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < files.count; i++)
        run.jobs[i].path = files.items[i];
    free(files.items);
    atomic_init(&run.next, 0);
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.cond, NULL);

    unsigned nthreads = opt.jobs;
    if (nthreads > run.job_count)
        nthreads = run.job_count ? (unsigned)run.job_count : 1;
    pthread_t *threads = calloc(nthreads, sizeof *threads);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* Nested CALLs recurse in the interpreter: workers get the room the
     * main thread has. */
    pthread_attr_setstacksize(&attr, (size_t)64 << 20);
    unsigned started = 0;
    for (unsigned i = 0; threads && i < nthreads; i++) {
        if (pthread_create(&threads[i], &attr, worker_main, &run) != 0)
            break;
        started++;
    }
    pthread_attr_destroy(&attr);
    if (started == 0)
        worker_main(&run);

    FILE *report = opt.json ? stderr : stdout;
    size_t passed = 0, failed = 0;
    bool json_first = true;
    if (opt.json)
        fputs("[\n", stdout);
    for (size_t i = 0; i < run.job_count; i++) {
        struct bt_job *job = &run.jobs[i];
        pthread_mutex_lock(&run.lock);
        while (!job->done)
            pthread_cond_wait(&run.cond, &run.lock);
        pthread_mutex_unlock(&run.lock);
        passed += job->passed;
        failed += job->failed;
        if (job->report.len)
            fwrite(job->report.data, 1, job->report.len, report);
        if (opt.json && job->json.len) {
            if (!json_first)
                fputs(",\n", stdout);
            fwrite(job->json.data, 1, job->json.len, stdout);
            json_first = false;
        }
        bytebuf_free(&job->report);
        bytebuf_free(&job->json);
        free(job->path);
    }
    if (opt.json)
        fputs(json_first ? "]\n" : "\n]\n", stdout);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(run.jobs);
    pthread_mutex_destroy(&run.lock);
    pthread_cond_destroy(&run.cond);

    fprintf(report, "%zu passed, %zu failed\n", passed, failed);
    fflush(stdout);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
