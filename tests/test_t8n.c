/*
 * io/t8n (geth `evm t8n` semantics) and the `parevm t8n` command.
 *
 * - Conformance through the t8n interface: Cancun GeneralStateTests cases
 *   converted to t8n inputs (alloc = pre, env = env, txs = [the
 *   transaction with its secretKey], fork Cancun) must give the fixture's
 *   state root and logs hash. A rejected transaction (expectException)
 *   must be rejected, not fail. The reward is 0, not -1: geth's t8n then
 *   credits the coinbase 0 wei, which is exactly the state-test runner's
 *   coinbase touch (an empty coinbase is removed from EIP-161 on).
 *   At least 200 files (every Nth of the sorted list; all of them with
 *   PAREVM_T8N_ALL=1; stTimeConsuming never).
 * - Every mainnet snapshot from Byzantium on: t8n on (pre_state, env from
 *   the header, the block's transactions) reproduces the header's
 *   receiptsRoot, gasUsed and logsBloom, with nothing rejected, and the
 *   parallel engine (4 threads) gives the same result and post-state.
 * - Skipping rules: nonce gaps, block gas limit, blob gas, bad
 *   signatures; parallel with a fallback equals sequential; the body
 *   round-trips through the .rlp input; alloc round-trips; config errors
 *   and geth's exit codes; the CLI end to end (files, stdin, stdout).
 *
 * Fixtures: $PAREVM_FIXTURES or ../shared/fixtures; else the fixture
 * tests print "skipped: fixtures not found".
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/chain/logs.h"
#include "../src/chain/system_contracts.h"
#include "../src/io/mainnet.h"
#include "../src/io/t8n.h"

static char parevm_bin[4096]; /* the CLI beside the test binary, if built */

static bool fixtures_found(const char *sub, char *out, size_t len)
{
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(out, len, "%s/%s", env && *env ? env : "../shared/fixtures", sub);
    struct stat st;
    return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void hex32(const hash32 *h, char out[67])
{
    hex_encode(h->bytes, 32, out);
}

/* ---- path lists ---- */

struct paths {
    char **p;
    size_t n, cap;
};

static void paths_add(struct paths *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->p = realloc(l->p, l->cap * sizeof *l->p);
        assert_non_null(l->p);
    }
    l->p[l->n++] = strdup(s);
}

static void paths_free(struct paths *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->p[i]);
    free(l->p);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_json(const char *dir, struct paths *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "stTimeConsuming") != 0)
                collect_json(path, out);
        } else {
            size_t n = strlen(e->d_name);
            if (n > 5 && !strcmp(e->d_name + n - 5, ".json"))
                paths_add(out, path);
        }
    }
    closedir(d);
}

/* ======================================================================
 * State tests through t8n
 * ====================================================================== */

static bool has_colon_prefix(const cJSON *s)
{
    return cJSON_IsString(s) && strstr(s->valuestring, ":") != NULL;
}

/* The env for t8n: the test's env without the pre-Merge difficulty, with
 * the defaults the state-test runner uses (base fee 10, zero random and
 * excess blob gas), no withdrawals, and BLOCKHASH's keccak(decimal) for
 * the 256 blocks below. */
/* The fork under test: Cancun, or PAREVM_T8N_FORK (e.g. Berlin) to
 * explore others by hand. */
static enum fork st_fork = FORK_CANCUN;

static char *st_env(const cJSON *env)
{
    cJSON *e = cJSON_Duplicate(env, 1);
    assert_non_null(e);
    if (st_fork >= FORK_PARIS)
        cJSON_DeleteItemFromObjectCaseSensitive(e, "currentDifficulty");
    cJSON_DeleteItemFromObjectCaseSensitive(e, "previousHash");
    if (!cJSON_GetObjectItemCaseSensitive(e, "currentBaseFee"))
        cJSON_AddStringToObject(e, "currentBaseFee", "0x0a");
    if (!cJSON_GetObjectItemCaseSensitive(e, "currentRandom"))
        cJSON_AddStringToObject(e, "currentRandom", "0x00");
    if (!cJSON_GetObjectItemCaseSensitive(e, "currentExcessBlobGas"))
        cJSON_AddStringToObject(e, "currentExcessBlobGas", "0x00");
    cJSON_AddItemToObject(e, "withdrawals", cJSON_CreateArray());
    /* Cancun on the env must hold the EIP-4788 root (geth exits 3 without
     * it); state tests are filled with a zero root. */
    if (!cJSON_GetObjectItemCaseSensitive(e, "parentBeaconBlockRoot"))
        cJSON_AddStringToObject(e, "parentBeaconBlockRoot",
                                "0x0000000000000000000000000000000000000000000000000000000000000000");
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(env, "currentNumber");
    uint64_t number = strtoull(num->valuestring, NULL, 16);
    cJSON *hashes = cJSON_CreateObject();
    for (uint64_t n = number > 256 ? number - 256 : 0; n < number; n++) {
        char dec[24], hex[67];
        int len = snprintf(dec, sizeof dec, "%llu", (unsigned long long)n);
        hash32 h;
        keccak256((const uint8_t *)dec, (size_t)len, h.bytes);
        hex32(&h, hex);
        cJSON_AddStringToObject(hashes, dec, hex);
    }
    cJSON_AddItemToObject(e, "blockHashes", hashes);
    char *text = cJSON_PrintUnformatted(e);
    cJSON_Delete(e);
    return text;
}

/* [the transaction of post entry `indexes`]; NULL when the template
 * cannot be written as a transaction (values past 256 bits). */
static char *st_txs(const cJSON *t, const cJSON *indexes)
{
    int d = cJSON_GetObjectItemCaseSensitive(indexes, "data")->valueint;
    int g = cJSON_GetObjectItemCaseSensitive(indexes, "gas")->valueint;
    int v = cJSON_GetObjectItemCaseSensitive(indexes, "value")->valueint;
    const cJSON *data = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "data"), d);
    const cJSON *gas = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "gasLimit"), g);
    const cJSON *value = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "value"), v);
    if (has_colon_prefix(data) || has_colon_prefix(gas) || has_colon_prefix(value))
        return NULL;
    cJSON *tx = cJSON_CreateObject();
    const cJSON *al = NULL, *als = cJSON_GetObjectItemCaseSensitive(t, "accessLists");
    if (als && cJSON_IsArray(als))
        al = cJSON_GetArrayItem(als, d);
    if (al && cJSON_IsNull(al))
        al = NULL;
    const char *type = cJSON_GetObjectItemCaseSensitive(t, "blobVersionedHashes") ? "0x3"
                       : cJSON_GetObjectItemCaseSensitive(t, "maxFeePerGas")      ? "0x2"
                       : al                                                       ? "0x1"
                                                                                  : "0x0";
    cJSON_AddStringToObject(tx, "type", type);
    cJSON_AddStringToObject(tx, "chainId", "0x1");
    static const char *const copy[] = {"nonce",
                                       "gasPrice",
                                       "maxFeePerGas",
                                       "maxPriorityFeePerGas",
                                       "maxFeePerBlobGas",
                                       "blobVersionedHashes",
                                       "to",
                                       "secretKey"};
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(t, copy[i]);
        if (item)
            cJSON_AddItemToObject(tx, copy[i], cJSON_Duplicate(item, 1));
    }
    cJSON_AddItemToObject(tx, "gas", cJSON_Duplicate(gas, 1));
    cJSON_AddItemToObject(tx, "value", cJSON_Duplicate(value, 1));
    cJSON_AddItemToObject(tx, "input", cJSON_Duplicate(data, 1));
    if (al)
        cJSON_AddItemToObject(tx, "accessList", cJSON_Duplicate(al, 1));
    cJSON_AddStringToObject(tx, "v", "0x0");
    cJSON_AddStringToObject(tx, "r", "0x0");
    cJSON_AddStringToObject(tx, "s", "0x0");
    /* state tests sign legacy transactions without EIP-155 */
    cJSON_AddFalseToObject(tx, "protected");
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, tx);
    char *text = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return text;
}

struct st_counts {
    size_t files, cases, rejected, skipped, failed;
};

static void st_run_file(const char *path, struct st_counts *c, bool *had_cancun)
{
    size_t len;
    char *text = read_text(path, &len);
    assert_non_null(text);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) {
        print_error("%s: cannot parse\n", path);
        c->failed++;
        return;
    }
    *had_cancun = false;
    const cJSON *test;
    cJSON_ArrayForEach(test, root)
    {
        const cJSON *post = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(test, "post"),
                                                             fork_name(st_fork));
        if (!post || !cJSON_GetArraySize(post))
            continue;
        *had_cancun = true;
        const cJSON *tj = cJSON_GetObjectItemCaseSensitive(test, "transaction");
        char *alloc_text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(test, "pre"));
        char *env_text = st_env(cJSON_GetObjectItemCaseSensitive(test, "env"));
        char err[512];
        struct t8n_env env;
        assert_int_equal(t8n_parse_env("env", env_text, strlen(env_text), &env, err, sizeof err), PAREVM_OK);
        const cJSON *entry;
        size_t k = 0;
        cJSON_ArrayForEach(entry, post)
        {
            k++;
            char *txs_text = st_txs(tj, cJSON_GetObjectItemCaseSensitive(entry, "indexes"));
            if (!txs_text) {
                c->skipped++;
                continue;
            }
            c->cases++;
            struct world w;
            struct t8n_txs txs;
            int rc = t8n_parse_alloc("alloc", alloc_text, strlen(alloc_text), &w, err, sizeof err);
            if (rc == PAREVM_OK)
                rc = t8n_parse_txs("txs", txs_text, strlen(txs_text), st_fork, 1, &txs, err, sizeof err);
            else
                memset(&txs, 0, sizeof txs);
            struct t8n_config cfg = {.fork = st_fork, .chain_id = 1, .reward_enabled = true};
            struct t8n_result r;
            memset(&r, 0, sizeof r);
            if (rc == PAREVM_OK)
                rc = t8n_apply(&cfg, &env, &txs, &w, &r, err, sizeof err);
            const cJSON *expect_exc = cJSON_GetObjectItemCaseSensitive(entry, "expectException");
            hash32 want_root, want_logs;
            assert_int_equal(hex_decode_exact(cJSON_GetObjectItemCaseSensitive(entry, "hash")->valuestring,
                                              want_root.bytes, 32),
                             PAREVM_OK);
            assert_int_equal(hex_decode_exact(cJSON_GetObjectItemCaseSensitive(entry, "logs")->valuestring,
                                              want_logs.bytes, 32),
                             PAREVM_OK);
            const char *why = NULL;
            char got[67], want[67];
            if (rc != PAREVM_OK)
                why = err;
            else if (expect_exc && (r.rejected_count != 1 || r.receipt_count != 0))
                why = "expected the transaction to be rejected";
            else if (!expect_exc && (r.rejected_count != 0 || r.receipt_count != 1))
                why = r.rejected_count ? r.rejected[0].error : "expected one receipt";
            else if (!hash32_eq(&r.state_root, &want_root))
                why = "state root differs";
            else if (!expect_exc && !hash32_eq(&r.logs_hash, &want_logs))
                why = "logs hash differs";
            if (why) {
                hex32(&r.state_root, got);
                hex32(&want_root, want);
                print_error("%s %s %s entry %zu: %s (root %s, want %s)\n", path, test->string,
                            fork_name(st_fork), k - 1, why, got, want);
                c->failed++;
            }
            c->rejected += expect_exc != NULL;
            t8n_result_free(&r);
            t8n_txs_free(&txs);
            world_free(&w);
            free(txs_text);
        }
        t8n_env_free(&env);
        free(alloc_text);
        free(env_text);
    }
    cJSON_Delete(root);
}

static void test_state_tests_cancun(void **state)
{
    (void)state;
    char dir[4096];
    const char *fork = getenv("PAREVM_T8N_FORK"), *sub = getenv("PAREVM_T8N_DIR");
    if (fork && *fork)
        assert_true(fork_from_name(fork, &st_fork));
    if (!fixtures_found(sub && *sub ? sub : "ethereum-tests/GeneralStateTests", dir, sizeof dir)) {
        print_message("skipped: fixtures not found\n");
        skip();
    }
    struct paths all = {0};
    collect_json(dir, &all);
    qsort(all.p, all.n, sizeof *all.p, cmp_str);
    const char *every = getenv("PAREVM_T8N_ALL");
    /* every Nth file: about 320 files, enough for >= 200 with Cancun posts */
    size_t stride = every && *every == '1' ? 1 : (all.n > 320 ? all.n / 320 : 1);
    struct st_counts c = {0};
    for (size_t i = 0; i < all.n; i += stride) {
        bool had = false;
        st_run_file(all.p[i], &c, &had);
        c.files += had;
    }
    print_message("t8n state tests: %zu %s files, %zu cases (%zu rejected as expected), %zu skipped, "
                  "%zu failed\n",
                  c.files, fork_name(st_fork), c.cases, c.rejected, c.skipped, c.failed);
    paths_free(&all);
    assert_int_equal(c.failed, 0);
    if (st_fork == FORK_CANCUN && !(sub && *sub))
        assert_true(c.files >= 200);
}

/* ======================================================================
 * Mainnet snapshots through t8n
 * ====================================================================== */

static void add_copy(cJSON *dst, const char *key, const cJSON *src, const char *src_key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(src, src_key);
    if (item && !cJSON_IsNull(item))
        cJSON_AddItemToObject(dst, key, cJSON_Duplicate(item, 1));
}

/* env.json from a block header (block.json) and block_hashes.json. */
static char *mainnet_env(const cJSON *block, const cJSON *hashes, enum fork fork)
{
    cJSON *e = cJSON_CreateObject();
    add_copy(e, "currentCoinbase", block, "miner");
    add_copy(e, "currentGasLimit", block, "gasLimit");
    add_copy(e, "currentNumber", block, "number");
    add_copy(e, "currentTimestamp", block, "timestamp");
    if (fork >= FORK_PARIS)
        add_copy(e, "currentRandom", block, "mixHash");
    else
        add_copy(e, "currentDifficulty", block, "difficulty");
    add_copy(e, "currentBaseFee", block, "baseFeePerGas");
    add_copy(e, "withdrawals", block, "withdrawals");
    add_copy(e, "parentBeaconBlockRoot", block, "parentBeaconBlockRoot");
    add_copy(e, "currentExcessBlobGas", block, "excessBlobGas");
    if (hashes)
        cJSON_AddItemToObject(e, "blockHashes", cJSON_Duplicate(hashes, 1));
    char *text = cJSON_PrintUnformatted(e);
    cJSON_Delete(e);
    return text;
}

static void test_mainnet_receipts_root(void **state)
{
    (void)state;
    char dir[4096];
    if (!fixtures_found("mainnet", dir, sizeof dir)) {
        print_message("skipped: fixtures not found\n");
        skip();
    }
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct paths blocks = {0};
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
            paths_add(&blocks, e->d_name);
    closedir(d);
    qsort(blocks.p, blocks.n, sizeof *blocks.p, cmp_str);
    size_t checked = 0, txs_total = 0;
    for (size_t b = 0; b < blocks.n; b++) {
        char path[8192], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, blocks.p[b]);
        struct chain_config cc;
        chain_config_mainnet(&cc);
        cc.skip_intermediate_roots = true;
        struct mainnet_fixture fx;
        assert_int_equal(mainnet_load(path, &cc, &fx, err, sizeof err), PAREVM_OK);
        if (fx.fork < FORK_BYZANTIUM) {
            mainnet_fixture_free(&fx);
            continue;
        }
        char file[8300];
        size_t len;
        snprintf(file, sizeof file, "%s/block.json", path);
        char *block_text = read_text(file, &len);
        cJSON *block = cJSON_ParseWithLength(block_text, len);
        assert_non_null(block);
        snprintf(file, sizeof file, "%s/block_hashes.json", path);
        char *hashes_text = read_text(file, &len);
        cJSON *hashes = hashes_text ? cJSON_ParseWithLength(hashes_text, len) : NULL;
        snprintf(file, sizeof file, "%s/pre_state.json", path);
        size_t alloc_len;
        char *alloc_text = read_text(file, &alloc_len);
        assert_non_null(alloc_text);
        char *env_text = mainnet_env(block, hashes, fx.fork);
        char *txs_text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(block, "transactions"));

        struct t8n_env env;
        struct t8n_txs txs;
        struct world w[2];
        struct t8n_result r[2];
        assert_int_equal(t8n_parse_env("env", env_text, strlen(env_text), &env, err, sizeof err), PAREVM_OK);
        assert_int_equal(t8n_parse_txs("txs", txs_text, strlen(txs_text), fx.fork, 1, &txs, err, sizeof err),
                         PAREVM_OK);
        assert_int_equal(txs.count, fx.block.tx_count);
        for (int pass = 0; pass < 2; pass++) {
            assert_int_equal(t8n_parse_alloc("alloc", alloc_text, alloc_len, &w[pass], err, sizeof err),
                             PAREVM_OK);
            struct t8n_config cfg = {.fork = fx.fork, .chain_id = 1, .threads = pass ? 4 : 1};
            int rc = t8n_apply(&cfg, &env, &txs, &w[pass], &r[pass], err, sizeof err);
            if (rc)
                print_error("block %s: %s\n", blocks.p[b], err);
            assert_int_equal(rc, PAREVM_OK);
            if (r[pass].rejected_count)
                print_error("block %s: tx %zu rejected: %s\n", blocks.p[b], r[pass].rejected[0].index,
                            r[pass].rejected[0].error);
            assert_int_equal(r[pass].rejected_count, 0);
            assert_int_equal(r[pass].receipt_count, fx.block.tx_count);
            assert_int_equal(r[pass].parallel, pass == 1 && txs.count >= 2);
            char got[67], want[67];
            hex32(&r[pass].receipts_root, got);
            hex32(&fx.block.header.receipts_root, want);
            if (strcmp(got, want))
                print_error("block %s (threads %d): receiptsRoot %s, header %s\n", blocks.p[b], cfg.threads,
                            got, want);
            assert_string_equal(got, want);
            assert_int_equal(r[pass].gas_used, fx.block.header.gas_used);
            assert_memory_equal(r[pass].logs_bloom, fx.block.header.logs_bloom, 256);
            hash32 tx_root;
            assert_int_equal(transactions_root(fx.block.txs, fx.block.tx_count, &tx_root), PAREVM_OK);
            assert_true(hash32_eq(&r[pass].tx_root, &tx_root));
        }
        /* the parallel engine: same result, same post-state */
        assert_true(hash32_eq(&r[0].state_root, &r[1].state_root));
        assert_true(hash32_eq(&r[0].logs_hash, &r[1].logs_hash));
        struct bytebuf a = {0}, c = {0};
        assert_int_equal(t8n_write_result(&r[0], &a), PAREVM_OK);
        assert_int_equal(t8n_write_result(&r[1], &c), PAREVM_OK);
        assert_int_equal(a.len, c.len);
        assert_memory_equal(a.data, c.data, a.len);
        bytebuf_free(&a);
        bytebuf_free(&c);
        checked++;
        txs_total += txs.count;
        for (int pass = 0; pass < 2; pass++) {
            t8n_result_free(&r[pass]);
            world_free(&w[pass]);
        }
        t8n_env_free(&env);
        t8n_txs_free(&txs);
        free(env_text);
        free(txs_text);
        free(alloc_text);
        cJSON_Delete(block);
        cJSON_Delete(hashes);
        free(block_text);
        free(hashes_text);
        mainnet_fixture_free(&fx);
    }
    print_message("t8n mainnet: %zu blocks from Byzantium on, %zu transactions\n", checked, txs_total);
    assert_true(checked > 0);
    paths_free(&blocks);
}

/* ======================================================================
 * Hand-built transitions
 * ====================================================================== */

/* Sender of the key 0x45a9..d8 (the state tests' usual one). */
#define KEY "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
#define SENDER "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"

static const char *const alloc_json =
    "{\"" SENDER "\": {\"balance\": \"1000000000000000000\"},"
    " \"0x00000000000000000000000000000000000000c0\": {\"code\": \"0x600160015500\","
    " \"balance\": \"0x0\", \"nonce\": \"0x1\"}}";

static char *env_json(uint64_t gas_limit)
{
    char *s = malloc(1024);
    snprintf(
        s, 1024,
        "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\", \"currentGasLimit\": \"%llu\","
        " \"currentNumber\": \"1\", \"currentTimestamp\": \"1000\", \"currentRandom\": \"0x01\","
        " \"parentBeaconBlockRoot\": \"0x0000000000000000000000000000000000000000000000000000000000000000\","
        " \"currentBaseFee\": \"7\", \"currentExcessBlobGas\": \"0\", \"withdrawals\": [{\"index\": \"0x0\","
        " \"validatorIndex\": \"0x1\", \"address\": \"0x00000000000000000000000000000000000000aa\", "
        "\"amount\": \"0x10\"}]}",
        (unsigned long long)gas_limit);
    return s;
}

/* A type-2 transfer/call from SENDER. */
static void tx_json(struct bytebuf *b, uint64_t nonce, uint64_t gas, const char *to, bool first)
{
    char s[512];
    int n =
        snprintf(s, sizeof s,
                 "%s{\"type\": \"0x2\", \"chainId\": \"0x1\", \"nonce\": \"0x%llx\", \"gas\": \"0x%llx\","
                 " \"maxFeePerGas\": \"0x10\", \"maxPriorityFeePerGas\": \"0x1\", \"to\": \"%s\","
                 " \"value\": \"0x1\", \"input\": \"0x\", \"accessList\": [], \"v\": \"0x0\", \"r\": \"0x0\","
                 " \"s\": \"0x0\", \"secretKey\": \"" KEY "\"}",
                 first ? "" : ",", (unsigned long long)nonce, (unsigned long long)gas, to);
    bytebuf_append(b, s, (size_t)n);
}

struct run {
    struct world w;
    struct t8n_env env;
    struct t8n_txs txs;
    struct t8n_result r;
    int rc;
    char err[512];
};

static void run_t8n(struct run *x, const char *alloc, const char *env, const char *txs, enum fork fork,
                    int threads)
{
    memset(x, 0, sizeof *x);
    assert_int_equal(t8n_parse_alloc("alloc", alloc, strlen(alloc), &x->w, x->err, sizeof x->err), PAREVM_OK);
    assert_int_equal(t8n_parse_env("env", env, strlen(env), &x->env, x->err, sizeof x->err), PAREVM_OK);
    int rc = t8n_parse_txs("txs", txs, strlen(txs), fork, 1, &x->txs, x->err, sizeof x->err);
    if (rc)
        print_error("%s\n", x->err);
    assert_int_equal(rc, PAREVM_OK);
    struct t8n_config cfg = {.fork = fork, .chain_id = 1, .reward_enabled = true, .threads = threads};
    x->rc = t8n_apply(&cfg, &x->env, &x->txs, &x->w, &x->r, x->err, sizeof x->err);
}

/* run_t8n at one thread, which must apply its one transaction. */
static void run_t8n_one(struct run *x, const char *alloc, const char *env, const char *txs, enum fork fork)
{
    run_t8n(x, alloc, env, txs, fork, 1);
    if (x->rc)
        fail_msg("t8n: %s", x->err);
    assert_int_equal(x->r.receipt_count, 1);
    assert_true(x->r.receipts[0].r.status);
}

static void run_free(struct run *x)
{
    t8n_result_free(&x->r);
    t8n_txs_free(&x->txs);
    t8n_env_free(&x->env);
    world_free(&x->w);
}

static void assert_same_run(struct run *a, struct run *b)
{
    struct bytebuf x = {0}, y = {0};
    assert_int_equal(t8n_write_result(&a->r, &x), PAREVM_OK);
    assert_int_equal(t8n_write_result(&b->r, &y), PAREVM_OK);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    bytebuf_reset(&x);
    bytebuf_reset(&y);
    assert_int_equal(t8n_write_alloc(&a->w, &x), PAREVM_OK);
    assert_int_equal(t8n_write_alloc(&b->w, &y), PAREVM_OK);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    bytebuf_free(&x);
    bytebuf_free(&y);
}

/* Nonce 0, nonce 5 (too high: skipped), nonce 1 (runs after 0), then a
 * transaction past the block gas limit, then nonce 2. */
static void test_skipping(void **state)
{
    (void)state;
    const char *c0 = "0x00000000000000000000000000000000000000c0";
    struct bytebuf txs = {0};
    bytebuf_push(&txs, '[');
    tx_json(&txs, 0, 50000, c0, true);
    tx_json(&txs, 5, 50000, c0, false);
    tx_json(&txs, 1, 30000, c0, false);
    tx_json(&txs, 2, 200000, c0, false); /* only ~120000 left */
    tx_json(&txs, 2, 21000, c0, false);
    bytebuf_append(&txs, "]", 2);
    char *env = env_json(200000);
    struct run seq, par;
    run_t8n(&seq, alloc_json, env, (const char *)txs.data, FORK_CANCUN, 1);
    assert_int_equal(seq.rc, PAREVM_OK);
    assert_int_equal(seq.r.receipt_count, 3);
    assert_int_equal(seq.r.rejected_count, 2);
    assert_int_equal(seq.r.rejected[0].index, 1);
    assert_string_equal(seq.r.rejected[0].error, "nonce too high");
    assert_int_equal(seq.r.rejected[1].index, 3);
    assert_string_equal(seq.r.rejected[1].error, "gas limit reached");
    assert_int_equal(seq.r.receipts[0].input_index, 0);
    assert_int_equal(seq.r.receipts[1].input_index, 2);
    assert_int_equal(seq.r.receipts[2].input_index, 4);
    /* the first call sets slot 1 (cold, new: 22100), the second writes
     * the same value (cold: 2100 + 100); the last has only the intrinsic
     * gas and runs out at its first instruction (a failed receipt) */
    assert_int_equal(seq.r.receipts[0].r.gas_used, 21000 + 6 + 22100);
    assert_int_equal(seq.r.receipts[1].r.gas_used, 21000 + 6 + 2200);
    assert_int_equal(seq.r.receipts[2].r.gas_used, 21000);
    assert_false(seq.r.receipts[2].r.status);
    assert_true(seq.r.has_withdrawals_root);
    struct world_account *sender =
        world_get(&seq.w, &(address){{0xa9, 0x4f, 0x53, 0x74, 0xfc, 0xe5, 0xed, 0xbc, 0x8e, 0x2a,
                                      0x86, 0x97, 0xc1, 0x53, 0x31, 0x67, 0x7e, 0x6e, 0xbf, 0x0b}});
    assert_non_null(sender);
    assert_int_equal(sender->nonce, 3);
    /* withdrawal of 16 gwei */
    struct world_account *aa =
        world_get(&seq.w, &(address){{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa}});
    assert_non_null(aa);
    assert_true(u256_eq(&aa->balance, &(u256){{16000000000ull, 0, 0, 0}}));

    /* The parallel engine executed tx 3 as valid; the gas limit rejects it
     * in order and the rest reruns sequentially: the same result. */
    run_t8n(&par, alloc_json, env, (const char *)txs.data, FORK_CANCUN, 4);
    assert_int_equal(par.rc, PAREVM_OK);
    assert_true(par.r.parallel);
    assert_same_run(&seq, &par);

    /* The body round-trips through the .rlp input: same transactions. */
    struct bytebuf body = {0};
    assert_int_equal(t8n_write_body(&seq.r, &seq.txs, &body), PAREVM_OK);
    struct t8n_txs back;
    char err[256];
    assert_int_equal(
        t8n_parse_txs_rlp("body", (const char *)body.data, body.len, FORK_CANCUN, 1, &back, err, sizeof err),
        PAREVM_OK);
    assert_int_equal(back.count, 3);
    for (size_t i = 0; i < 3; i++) {
        hash32 h;
        assert_int_equal(tx_hash(&back.txs[i], &h), PAREVM_OK);
        assert_true(hash32_eq(&h, &seq.r.receipts[i].tx_hash));
        assert_null(back.invalid[i]);
        assert_true(address_eq(&back.txs[i].sender, &seq.txs.txs[0].sender));
    }
    t8n_txs_free(&back);
    bytebuf_free(&body);

    /* The post alloc parses back to the same state root. */
    struct bytebuf alloc_out = {0};
    assert_int_equal(t8n_write_alloc(&seq.w, &alloc_out), PAREVM_OK);
    struct world again;
    assert_int_equal(
        t8n_parse_alloc("out", (const char *)alloc_out.data, alloc_out.len, &again, err, sizeof err),
        PAREVM_OK);
    hash32 root;
    assert_int_equal(world_state_root(&again, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &seq.r.state_root));
    world_free(&again);
    bytebuf_free(&alloc_out);

    run_free(&seq);
    run_free(&par);
    free(env);
    bytebuf_free(&txs);
}

/* A .rlp transactions input with undecodable elements among good ones:
 * each bad element is rejected alone with geth's message, at its index
 * in the list, and the good ones around it run (as geth's t8n reads an
 * RLP stream one transaction at a time). */
static void test_rlp_undecodable(void **state)
{
    (void)state;
    const char *c0 = "0x00000000000000000000000000000000000000c0";
    struct bytebuf json = {0};
    bytebuf_push(&json, '[');
    tx_json(&json, 0, 50000, c0, true);
    tx_json(&json, 1, 50000, c0, false);
    bytebuf_append(&json, "]", 2);
    struct t8n_txs good;
    char err[256];
    assert_int_equal(
        t8n_parse_txs("txs", (const char *)json.data, json.len - 1, FORK_CANCUN, 1, &good, err, sizeof err),
        PAREVM_OK);
    struct bytebuf enc0 = {0}, enc1 = {0};
    assert_int_equal(tx_encode(&good.txs[0], &enc0), PAREVM_OK);
    assert_int_equal(tx_encode(&good.txs[1], &enc1), PAREVM_OK);

    /* [tx0, legacy list of 3 fields, type 7, tx1, the byte 0x02,
     *  type 2 with a 1-field body, type 0 envelope, then 0xc5 0x01:
     *  a list header claiming 5 bytes with 1 left] */
    static const uint8_t short_legacy[] = {0xc3, 0x01, 0x02, 0x03};
    static const uint8_t type7[] = {0x82, 0x07, 0xc0};
    static const uint8_t lone_byte[] = {0x02};
    static const uint8_t type2_short[] = {0x83, 0x02, 0xc1, 0x05};
    static const uint8_t type0[] = {0x82, 0x00, 0xc0};
    static const uint8_t overrun[] = {0xc5, 0x01};
    struct bytebuf list = {0};
    size_t at = rlp_list_begin(&list);
    assert_int_equal(rlp_encode_bytes(&list, enc0.data, enc0.len), PAREVM_OK); /* typed: a string */
    assert_int_equal(rlp_encode_raw(&list, short_legacy, sizeof short_legacy), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&list, type7, sizeof type7), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(&list, enc1.data, enc1.len), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&list, lone_byte, sizeof lone_byte), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&list, type2_short, sizeof type2_short), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&list, type0, sizeof type0), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&list, overrun, sizeof overrun), PAREVM_OK);
    assert_int_equal(rlp_list_end(&list, at), PAREVM_OK);
    char *text = malloc(2 * list.len + 5);
    assert_non_null(text);
    text[0] = '"';
    hex_encode(list.data, list.len, text + 1); /* writes 0x.. and a NUL */
    strcat(text, "\"");

    struct run x;
    memset(&x, 0, sizeof x);
    assert_int_equal(t8n_parse_alloc("alloc", alloc_json, strlen(alloc_json), &x.w, err, sizeof err),
                     PAREVM_OK);
    char *env = env_json(1000000);
    assert_int_equal(t8n_parse_env("env", env, strlen(env), &x.env, err, sizeof err), PAREVM_OK);
    int rc = t8n_parse_txs_rlp("txs.rlp", text, strlen(text), FORK_CANCUN, 1, &x.txs, err, sizeof err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, PAREVM_OK);
    assert_int_equal(x.txs.count, 8);
    struct t8n_config cfg = {.fork = FORK_CANCUN, .chain_id = 1, .reward_enabled = true, .threads = 1};
    assert_int_equal(t8n_apply(&cfg, &x.env, &x.txs, &x.w, &x.r, x.err, sizeof x.err), PAREVM_OK);

    assert_int_equal(x.r.receipt_count, 2);
    assert_int_equal(x.r.receipts[0].input_index, 0);
    assert_int_equal(x.r.receipts[1].input_index, 3);
    assert_true(x.r.receipts[0].r.status && x.r.receipts[1].r.status);
    static const struct {
        size_t index;
        const char *error;
    } want[] = {
        {1, "rlp: too few fields"},
        {2, "transaction type not supported"},
        {4, "typed transaction too short"},
        {5, "rlp: too few fields"},
        {6, "transaction type not supported"},
        {7, "rlp: malformed list element (header overruns the list or is not canonical)"},
    };
    assert_int_equal(x.r.rejected_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(x.r.rejected[i].index, want[i].index);
        assert_string_equal(x.r.rejected[i].error, want[i].error);
    }
    /* both good transactions ran: the sender's nonce is 2 */
    struct world_account *sender = world_get(&x.w, &good.txs[0].sender);
    assert_non_null(sender);
    assert_int_equal(sender->nonce, 2);
    /* the body holds the two included transactions only */
    struct bytebuf body = {0};
    assert_int_equal(t8n_write_body(&x.r, &x.txs, &body), PAREVM_OK);
    struct t8n_txs back;
    assert_int_equal(
        t8n_parse_txs_rlp("body", (const char *)body.data, body.len, FORK_CANCUN, 1, &back, err, sizeof err),
        PAREVM_OK);
    assert_int_equal(back.count, 2);
    assert_null(back.invalid[0]);
    assert_null(back.invalid[1]);
    t8n_txs_free(&back);

    bytebuf_free(&body);
    run_free(&x);
    free(env);
    free(text);
    bytebuf_free(&list);
    bytebuf_free(&enc0);
    bytebuf_free(&enc1);
    t8n_txs_free(&good);
    bytebuf_free(&json);
}

/* Rejections that never reach execution: a bad signature, blob
 * transactions past the block's blob gas. */
static void test_prechecks(void **state)
{
    (void)state;
    const char *txs =
        "[{\"type\": \"0x0\", \"nonce\": \"0x0\", \"gas\": \"0x5208\", \"gasPrice\": \"0x10\","
        " \"to\": \"0x00000000000000000000000000000000000000c0\", \"value\": \"0x0\", \"input\": \"0x\","
        " \"v\": \"0x1b\", \"r\": \"0x0\", \"s\": \"0x1\"},"
        " {\"type\": \"0x3\", \"chainId\": \"0x1\", \"nonce\": \"0x0\", \"gas\": \"0x5208\", "
        "\"maxFeePerGas\": \"0x10\","
        " \"maxPriorityFeePerGas\": \"0x1\", \"maxFeePerBlobGas\": \"0x10\", \"to\": "
        "\"0x00000000000000000000000000000000000000c0\","
        " \"value\": \"0x0\", \"input\": \"0x\", \"accessList\": [], \"blobVersionedHashes\": ["
        "\"0x0100000000000000000000000000000000000000000000000000000000000000\","
        "\"0x0100000000000000000000000000000000000000000000000000000000000001\","
        "\"0x0100000000000000000000000000000000000000000000000000000000000002\","
        "\"0x0100000000000000000000000000000000000000000000000000000000000003\"],"
        " \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\", \"secretKey\": \"" KEY "\"},"
        " {\"type\": \"0x3\", \"chainId\": \"0x1\", \"nonce\": \"0x1\", \"gas\": \"0x5208\", "
        "\"maxFeePerGas\": \"0x10\","
        " \"maxPriorityFeePerGas\": \"0x1\", \"maxFeePerBlobGas\": \"0x10\", \"to\": "
        "\"0x00000000000000000000000000000000000000c0\","
        " \"value\": \"0x0\", \"input\": \"0x\", \"accessList\": [], \"blobVersionedHashes\": ["
        "\"0x0100000000000000000000000000000000000000000000000000000000000000\","
        "\"0x0100000000000000000000000000000000000000000000000000000000000001\","
        "\"0x0100000000000000000000000000000000000000000000000000000000000002\"],"
        " \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\", \"secretKey\": \"" KEY "\"}]";
    char *env = env_json(30000000);
    struct run x;
    run_t8n(&x, alloc_json, env, txs, FORK_CANCUN, 1);
    assert_int_equal(x.rc, PAREVM_OK);
    assert_int_equal(x.r.receipt_count, 1);
    assert_int_equal(x.r.rejected_count, 2);
    assert_int_equal(x.r.rejected[0].index, 0);
    assert_string_equal(x.r.rejected[0].error, "invalid transaction v, r, s values");
    assert_int_equal(x.r.rejected[1].index, 2);
    assert_string_equal(x.r.rejected[1].error, "blob gas (917504) would exceed maximum allowance 786432");
    assert_true(x.r.has_blob_gas);
    assert_int_equal(x.r.blob_gas_used, 4 * 131072);
    assert_int_equal(x.r.receipts[0].blob_gas_used, 4 * 131072);
    run_free(&x);
    free(env);
}

/* Legacy transactions are signed with EIP-155 from Spurious Dragon unless
 * "protected": false; either way the sender is the key's address. */
static void test_signing(void **state)
{
    (void)state;
    const char *fmt = "[{\"nonce\": \"0x0\", \"gas\": \"0x5208\", \"gasPrice\": \"0x10\", \"to\": "
                      "\"0x00000000000000000000000000000000000000c0\", \"value\": \"0x0\", \"input\": \"0x\","
                      " \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\", \"secretKey\": \"" KEY "\"%s}]";
    char txs[1024];
    char err[256];
    address want;
    assert_int_equal(hex_decode_exact(SENDER, want.bytes, 20), PAREVM_OK);
    for (int protect = 0; protect < 2; protect++) {
        snprintf(txs, sizeof txs, fmt, protect ? "" : ", \"protected\": false");
        struct t8n_txs t;
        assert_int_equal(t8n_parse_txs("txs", txs, strlen(txs), FORK_BERLIN, 5, &t, err, sizeof err),
                         PAREVM_OK);
        assert_int_equal(t.count, 1);
        assert_null(t.invalid[0]);
        assert_true(address_eq(&t.txs[0].sender, &want));
        assert_int_equal(t.txs[0].has_chain_id, protect);
        if (protect) {
            assert_int_equal(t.txs[0].chain_id, 5);
            assert_true(t.txs[0].v.w[0] == 45 || t.txs[0].v.w[0] == 46); /* 5 * 2 + 35 + parity */
        } else {
            assert_true(t.txs[0].v.w[0] == 27 || t.txs[0].v.w[0] == 28);
        }
        t8n_txs_free(&t);
    }
    /* Before Spurious Dragon there is no EIP-155 to sign with. */
    snprintf(txs, sizeof txs, fmt, "");
    struct t8n_txs t;
    assert_int_equal(t8n_parse_txs("txs", txs, strlen(txs), FORK_HOMESTEAD, 1, &t, err, sizeof err),
                     PAREVM_OK);
    assert_false(t.txs[0].has_chain_id);
    t8n_txs_free(&t);
}

/* EIP-7702 in t8n's transaction JSON: an authorizationList (without a
 * "type": it is inferred) signed here by the authority's key delegates the
 * authority to contract c0 (slot 1 := 1), and the transaction's call to
 * the authority runs c0 in its storage; the same at 1 and 4 threads. A
 * y parity past 8 bits is refused with the field named. */
/* alloc (a JSON object) with Prague's system contracts added: the
 * EIP-2935 history contract and the EIP-7002/7251 request contracts, which
 * a Prague block must have (a missing request contract makes it invalid).
 * Returns a malloc'ed string. */
static char *with_system_contracts(const char *alloc)
{
    struct bytebuf b = {0};
    const char *end = strrchr(alloc, '}');
    bytebuf_append(&b, alloc, (size_t)(end - alloc));
    const char *parts[] = {", \"0x0000F90827F1C53a10cb7A02335B175320002935\": {\"code\": \"",
                           HISTORY_STORAGE_CODE,
                           "\"}, \"0x00000961Ef480Eb55e80D19ad83579A64c007002\": {\"code\": \"",
                           WITHDRAWAL_REQUEST_CODE,
                           "\"}, \"0x0000BBdDc7CE488642fb579F8B00f3a590007251\": {\"code\": \"",
                           CONSOLIDATION_REQUEST_CODE,
                           "\"}}"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        bytebuf_append(&b, parts[i], strlen(parts[i]));
    bytebuf_append(&b, "", 1); /* the NUL */
    return (char *)b.data;
}

static void test_set_code(void **state)
{
    (void)state;
    uint8_t key[32];
    memset(key, 0x62, sizeof key);
    struct authorization a;
    memset(&a, 0, sizeof a);
    a.chain_id = u256_from_u64(1);
    assert_int_equal(hex_decode_exact("0x00000000000000000000000000000000000000c0", a.addr.bytes, 20),
                     PAREVM_OK);
    struct bytebuf b = {0};
    assert_int_equal(bytebuf_push(&b, 0x05), PAREVM_OK);
    size_t at = rlp_list_begin(&b);
    assert_int_equal(rlp_encode_u256(&b, &a.chain_id), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(&b, a.addr.bytes, 20), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, 0), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, at), PAREVM_OK);
    hash32 h = keccak256_hash(b.data, b.len);
    bytebuf_free(&b);
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_recoverable_signature sig;
    assert_true(secp256k1_ecdsa_sign_recoverable(ctx, &sig, h.bytes, key, NULL, NULL));
    uint8_t rs[64], pub65[65];
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &recid, &sig);
    secp256k1_pubkey pub;
    assert_true(secp256k1_ec_pubkey_create(ctx, &pub, key));
    size_t publen = sizeof pub65;
    assert_true(secp256k1_ec_pubkey_serialize(ctx, pub65, &publen, &pub, SECP256K1_EC_UNCOMPRESSED));
    secp256k1_context_destroy(ctx);
    hash32 ph = keccak256_hash(pub65 + 1, 64);
    address authority;
    memcpy(authority.bytes, ph.bytes + 12, 20);
    char auth_hex[43], r_hex[67], s_hex[67];
    hex_encode(authority.bytes, 20, auth_hex);
    hex_encode(rs, 32, r_hex);
    hex_encode(rs + 32, 32, s_hex);

    const char *fmt =
        "[{\"type\": \"0x4\", \"chainId\": \"0x1\", \"nonce\": \"0x0\", \"gas\": \"0x30000\", \"maxFeePerGas\": \"0x10\","
        " \"maxPriorityFeePerGas\": \"0x1\", \"to\": \"%s\", \"value\": \"0x0\", \"input\": \"0x\","
        " \"accessList\": [], \"authorizationList\": [{\"chainId\": \"0x1\", \"address\":"
        " \"0x00000000000000000000000000000000000000c0\", \"nonce\": \"0x0\", \"yParity\": \"%s\","
        " \"r\": \"%s\", \"s\": \"%s\"}], \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\","
        " \"secretKey\": \"" KEY "\"}]";
    char txs[2048];
    snprintf(txs, sizeof txs, fmt, auth_hex, recid ? "0x1" : "0x0", r_hex, s_hex);
    /* Prague: the EIP-2935 call needs the parent's hash (blockHashes). */
    char *env = env_json(1000000);
    char *brace = strrchr(env, '}');
    snprintf(brace, 1024 - (size_t)(brace - env), ", \"blockHashes\": {\"0\": \"0x%064x\"}}", 0x42);
    struct run one, four;
    char *alloc = with_system_contracts(alloc_json);
    run_t8n(&one, alloc, env, txs, FORK_PRAGUE, 1);
    assert_int_equal(one.rc, PAREVM_OK);
    assert_int_equal(one.txs.txs[0].type, 4);
    assert_int_equal(one.r.rejected_count, 0);
    assert_int_equal(one.r.receipt_count, 1);
    /* 21000 + 25000 (one authorization) + c0: 2 PUSH1 and a cold SSTORE
     * 0 -> 1 (22100); the authority did not exist: no refund. */
    assert_int_equal(one.r.gas_used, 21000 + 25000 + 6 + 22100);
    const struct world_account *acct = world_get(&one.w, &authority);
    assert_non_null(acct);
    assert_int_equal(acct->nonce, 1);
    assert_int_equal(acct->code->len, 23);
    assert_memory_equal(acct->code->bytes + 3, a.addr.bytes, 20);
    u256 k1 = u256_from_u64(1);
    u256 v = world_get_storage(acct, &k1);
    assert_true(u256_eq(&v, &k1));
    run_t8n(&four, alloc, env, txs, FORK_PRAGUE, 4);
    assert_same_run(&one, &four);
    run_free(&one);
    run_free(&four);

    snprintf(txs, sizeof txs, fmt, auth_hex, "0x100", r_hex, s_hex);
    struct t8n_txs t;
    char err[512];
    assert_int_equal(t8n_parse_txs("txs", txs, strlen(txs), FORK_PRAGUE, 1, &t, err, sizeof err),
                     PAREVM_ERR_RANGE);
    assert_non_null(strstr(err, "authorizationList[0].yParity"));
    free(env);
    free(alloc);
}

/* Env that does not fit the fork, missing BLOCKHASH, malformed input. */
/* Transaction JSON is read as geth reads it: value and (typed) chainId are
 * required, a missing type is legacy (fee fields of other types do not make
 * it typed), v and yParity must agree, and secretKey is "0x" and 64 hex
 * digits. Each was filled in or accepted before. */
static void test_strict_tx_fields(void **state)
{
    (void)state;
    static const struct {
        const char *fields; /* inserted into a type-2 transaction */
        const char *field;  /* the field the error names */
        const char *what;
    } cases[] = {
        {"\"type\": \"0x2\", \"chainId\": \"0x1\", \"v\": \"0x0\", \"secretKey\": \"" KEY "\"", "[0].value",
         "missing field"},
        {"\"type\": \"0x2\", \"value\": \"0x0\", \"v\": \"0x0\", \"secretKey\": \"" KEY "\"", "[0].chainId",
         "missing field"},
        {"\"chainId\": \"0x1\", \"value\": \"0x0\", \"v\": \"0x0\", \"secretKey\": \"" KEY "\"", "[0].gasPrice",
         "missing field"},
        {"\"type\": \"0x2\", \"chainId\": \"0x1\", \"value\": \"0x0\", \"v\": \"0x1\", \"yParity\": \"0x0\","
         " \"secretKey\": \"" KEY "\"",
         "[0].yParity", "v and yParity do not match"},
        {"\"type\": \"0x2\", \"chainId\": \"0x1\", \"value\": \"0x0\", \"yParity\": \"0x2\"", "[0].yParity",
         "not 0 or 1"},
        {"\"type\": \"0x2\", \"chainId\": \"0x1\", \"value\": \"0x0\", \"v\": \"0x0\", \"secretKey\": 12345",
         "[0].secretKey", "expected a hex string of 32 bytes"},
        {"\"type\": \"0x2\", \"chainId\": \"0x1\", \"value\": \"0x0\", \"v\": \"0x0\", \"secretKey\": \"0x45a9\"",
         "[0].secretKey", "expected 0x and 64 hex digits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024], err[512];
        snprintf(text, sizeof text,
                 "[{%s, \"nonce\": \"0x0\", \"gas\": \"0x5208\", \"maxFeePerGas\": \"0x10\","
                 " \"maxPriorityFeePerGas\": \"0x1\", \"to\": \"0x00000000000000000000000000000000000000aa\","
                 " \"input\": \"0x\", \"r\": \"0x0\", \"s\": \"0x0\"}]",
                 cases[i].fields);
        struct t8n_txs txs = {0};
        int rc = t8n_parse_txs("txs", text, strlen(text), FORK_PRAGUE, 1, &txs, err, sizeof err);
        if (rc == PAREVM_OK || !strstr(err, cases[i].field) || !strstr(err, cases[i].what))
            print_error("case %zu: rc %d, error '%s'\n", i, rc, rc ? err : "");
        assert_int_not_equal(rc, PAREVM_OK);
        assert_non_null(strstr(err, cases[i].field));
        assert_non_null(strstr(err, cases[i].what));
        t8n_txs_free(&txs);
    }
}

static void test_errors(void **state)
{
    (void)state;
    char err[512];
    struct t8n_env env;
    struct world w;
    struct t8n_txs none = {0};
    struct t8n_result r;
    const char *base = "{\"currentCoinbase\": \"cb00000000000000000000000000000000000000\","
                       " \"currentGasLimit\": \"0x1000000\", \"currentNumber\": \"0x300\", "
                       "\"currentTimestamp\": \"0x10\"%s}";
    static const struct {
        enum fork fork;
        const char *extra;
        const char *message;
    } cases[] = {
        {FORK_LONDON, ", \"currentDifficulty\": \"0x20000\"",
         "EIP-1559 config but missing 'parentBaseFee' in env section"},
        /* EIP-4788: issue 21, Cancun without the root ran and skipped the
         * beacon-roots call with exit 0; geth exits 3 */
        {FORK_CANCUN,
         ", \"currentBaseFee\": \"0x7\", \"currentRandom\": \"0x0\", \"withdrawals\": [], "
         "\"currentExcessBlobGas\": \"0x0\"",
         "post-cancun env requires parentBeaconBlockRoot to be set"},
        {FORK_SHANGHAI, ", \"currentBaseFee\": \"0x7\", \"currentRandom\": \"0x0\"",
         "Shanghai config but missing 'withdrawals' in env section"},
        {FORK_PARIS, ", \"currentBaseFee\": \"0x7\"",
         "post-merge requires currentRandom to be defined in env"},
        {FORK_PARIS,
         ", \"currentBaseFee\": \"0x7\", \"currentRandom\": \"0x0\", \"currentDifficulty\": \"0x1\"",
         "post-merge difficulty must be zero (or omitted) in env"},
        {FORK_BERLIN, "",
         "currentDifficulty was not provided, and cannot be calculated due to missing parentDifficulty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, base, cases[i].extra);
        assert_int_equal(t8n_parse_env("env", text, strlen(text), &env, err, sizeof err), PAREVM_OK);
        world_init(&w);
        struct t8n_config cfg = {.fork = cases[i].fork, .chain_id = 1};
        int rc = t8n_apply(&cfg, &env, &none, &w, &r, err, sizeof err);
        assert_int_equal(rc, PAREVM_ERR_ARG);
        assert_int_equal(t8n_exit_code(rc), T8N_EXIT_CONFIG);
        assert_string_equal(err, cases[i].message);
        world_free(&w);
        t8n_env_free(&env);
    }

    /* A fork parevm does not implement is refused before anything runs
     * (geth's exit 3), never run under an older fork's rules. */
    {
        char amsterdam_env[512];
        snprintf(amsterdam_env, sizeof amsterdam_env, base,
                 ", \"currentBaseFee\": \"0x7\", \"currentRandom\": \"0x0\", \"withdrawals\": []");
        assert_int_equal(t8n_parse_env("env", amsterdam_env, strlen(amsterdam_env), &env, err, sizeof err),
                         PAREVM_OK);
        world_init(&w);
        struct t8n_config amsterdam = {.fork = FORK_AMSTERDAM, .chain_id = 1};
        unsigned saved = fork_amsterdam_eips; /* (Amsterdam with an EIP parevm lacks) */
        fork_amsterdam_eips |= AMSTERDAM_UNKNOWN_EIP;
        int rc = t8n_apply(&amsterdam, &env, &none, &w, &r, err, sizeof err);
        fork_amsterdam_eips = saved;
        assert_int_equal(rc, PAREVM_ERR_UNSUPPORTED);
        assert_int_equal(t8n_exit_code(rc), T8N_EXIT_CONFIG);
        assert_string_equal(err, "fork Amsterdam is not implemented");
        assert_int_equal(w.accounts.count, 0);
        world_free(&w);
        t8n_env_free(&env);
    }

    /* London base fee from the parent (EIP-1559): gas used above target. */
    char text[512];
    snprintf(text, sizeof text, base,
             ", \"currentDifficulty\": \"0x20000\", \"parentBaseFee\": \"0x3b9aca00\", \"parentGasUsed\": "
             "\"0xf4240\", \"parentGasLimit\": \"0x1312d00\"");
    assert_int_equal(t8n_parse_env("env", text, strlen(text), &env, err, sizeof err), PAREVM_OK);
    world_init(&w);
    struct t8n_config london = {.fork = FORK_LONDON, .chain_id = 1};
    assert_int_equal(t8n_apply(&london, &env, &none, &w, &r, err, sizeof err), PAREVM_OK);
    /* 1 gwei, 1M used of a 10M target: down by 1/8 * 9/10 */
    assert_true(u256_eq(&r.base_fee, &(u256){{1000000000ull - 1000000000ull * 9 / 10 / 8, 0, 0, 0}}));
    assert_true(r.has_difficulty);
    t8n_result_free(&r);
    world_free(&w);
    t8n_env_free(&env);

    /* Pre-Merge difficulty from the parent. */
    snprintf(text, sizeof text, base, ", \"parentDifficulty\": \"0x20000\", \"parentTimestamp\": \"0xc\"");
    assert_int_equal(t8n_parse_env("env", text, strlen(text), &env, err, sizeof err), PAREVM_OK);
    world_init(&w);
    struct t8n_config byz = {.fork = FORK_BYZANTIUM, .chain_id = 1};
    assert_int_equal(t8n_apply(&byz, &env, &none, &w, &r, err, sizeof err), PAREVM_OK);
    /* EIP-100: + parent / 2048 * max(1 - 4 / 9, -99), no bomb yet */
    assert_true(u256_eq(&r.difficulty, &(u256){{0x20000 + 0x20000 / 2048, 0, 0, 0}}));
    t8n_result_free(&r);
    world_free(&w);
    t8n_env_free(&env);

    /* BLOCKHASH of a block not given: exit code 4. */
    const char *alloc =
        "{\"" SENDER "\": {\"balance\": \"0xffffffffffff\"}, \"0x00000000000000000000000000000000000000c0\":"
        " {\"code\": \"0x600040\"}}";
    char *env_text = env_json(1000000);
    const char *txs =
        "[{\"type\": \"0x0\", \"nonce\": \"0x0\", \"gas\": \"0x10000\", \"gasPrice\": \"0x10\", \"to\":"
        " \"0x00000000000000000000000000000000000000c0\", \"value\": \"0x0\", \"input\": \"0x\","
        " \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\", \"secretKey\": \"" KEY "\"}]";
    /* block 1 asks for block 0 */
    struct run x;
    run_t8n(&x, alloc, env_text, txs, FORK_CANCUN, 1);
    assert_int_equal(x.rc, PAREVM_ERR_MISSING);
    assert_int_equal(t8n_exit_code(x.rc), T8N_EXIT_MISSING_BLOCKHASH);
    assert_non_null(strstr(x.err, "BLOCKHASH(0)"));
    run_free(&x);
    free(env_text);

    /* Malformed inputs name the field. */
    assert_int_equal(t8n_parse_alloc("a.json", "{\"0x12\": {}}", 12, &w, err, sizeof err), PAREVM_ERR_HEX);
    assert_string_equal(err, "a.json: 0x12: expected 20 bytes of hex");
    assert_int_equal(t8n_exit_code(PAREVM_ERR_HEX), T8N_EXIT_JSON);
    const char *bad_env = "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\"}";
    assert_int_equal(t8n_parse_env("e.json", bad_env, strlen(bad_env), &env, err, sizeof err),
                     PAREVM_ERR_JSON);
    assert_string_equal(err, "e.json: currentGasLimit: missing field");
    const char *bad_tx = "[{\"nonce\": \"0x0\", \"gas\": \"0xzz\", \"gasPrice\": \"0x1\"}]";
    struct t8n_txs t;
    assert_int_equal(t8n_parse_txs("t.json", bad_tx, strlen(bad_tx), FORK_CANCUN, 1, &t, err, sizeof err),
                     PAREVM_ERR_HEX);
    assert_string_equal(err, "t.json: [0].gas: bad hex");
    assert_int_equal(t8n_parse_txs("t.json", "[1,", 3, FORK_CANCUN, 1, &t, err, sizeof err), PAREVM_ERR_JSON);
    /* an RLP string, not a list of transactions: nothing can be rejected
     * per transaction, the input is refused */
    assert_int_equal(t8n_parse_txs_rlp("t.rlp", "\"0x820102\"", 10, FORK_CANCUN, 1, &t, err, sizeof err),
                     PAREVM_ERR_RLP);
    assert_string_equal(err, "t.rlp: expected an RLP list of transactions");
    assert_int_equal(t8n_exit_code(PAREVM_ERR_RLP), T8N_EXIT_RLP);
    assert_int_equal(t8n_exit_code(PAREVM_ERR_IO), T8N_EXIT_IO);
}

/* Rewards: the miner gets reward + reward/32 per ommer, each ommer's
 * address (8 - delta) * reward / 8; -1 pays and touches nothing. */
static void test_rewards(void **state)
{
    (void)state;
    const char *env =
        "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\", \"currentGasLimit\":"
        " \"0x1000000\", \"currentNumber\": \"0x10\", \"currentTimestamp\": \"0x10\","
        " \"currentDifficulty\": \"0x20000\", \"ommers\": [{\"delta\": \"0x1\", \"address\":"
        " \"0x00000000000000000000000000000000000000dd\"}]}";
    const char *alloc = "{\"0x00000000000000000000000000000000000000ee\": {\"balance\": \"0x0\"}}";
    char err[256];
    for (int enabled = 0; enabled < 2; enabled++) {
        struct world w;
        struct t8n_env e;
        struct t8n_txs none = {0};
        struct t8n_result r;
        assert_int_equal(t8n_parse_alloc("a", alloc, strlen(alloc), &w, err, sizeof err), PAREVM_OK);
        assert_int_equal(t8n_parse_env("e", env, strlen(env), &e, err, sizeof err), PAREVM_OK);
        struct t8n_config cfg = {.fork = FORK_BYZANTIUM,
                                 .chain_id = 1,
                                 .reward_enabled = enabled,
                                 .reward = u256_from_u64(3000000000000000000ull)};
        assert_int_equal(t8n_apply(&cfg, &e, &none, &w, &r, err, sizeof err), PAREVM_OK);
        const struct world_account *cb =
            world_get(&w, &(address){{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb}});
        const struct world_account *om =
            world_get(&w, &(address){{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xdd}});
        if (!enabled) {
            assert_null(cb);
            assert_null(om);
        } else {
            assert_non_null(cb);
            assert_non_null(om);
            assert_true(u256_eq(&cb->balance,
                                &(u256){{3000000000000000000ull + 3000000000000000000ull / 32, 0, 0, 0}}));
            assert_true(u256_eq(&om->balance, &(u256){{3000000000000000000ull / 8 * 7, 0, 0, 0}}));
        }
        /* the empty account in the alloc is neither touched nor removed */
        assert_non_null(
            world_get(&w, &(address){{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xee}}));
        t8n_result_free(&r);
        t8n_env_free(&e);
        world_free(&w);
    }
}

/* ======================================================================
 * The CLI end to end (when build/.../parevm exists beside the test)
 * ====================================================================== */

static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/*
 * geth's --trace.* options on the CLI. The called contract does
 * PUSH1 0x2a PUSH1 0 MSTORE (32 bytes of memory), STATICCALL of the
 * identity precompile (0x04) with them (32 bytes of return data), POP,
 * STOP. geth's JSON logger: stack always unless --trace.nostack ("stack":
 * null), memory only with --trace.memory and returnData only with
 * --trace.returndata, each omitted while empty. Options parevm cannot
 * honour are refused with exit 3.
 */
static void test_cli_trace_options(void **state)
{
    (void)state;
    if (access(parevm_bin, X_OK) != 0) {
        print_message("skipped: %s not built\n", parevm_bin);
        skip();
    }
    char dir[] = "/tmp/parevm-t8n-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[4200], cmd[8192];
    const char *alloc = "{\"" SENDER "\": {\"balance\": \"1000000000000000000\"},"
                        " \"0x00000000000000000000000000000000000000c0\": {\"code\":"
                        " \"0x602a600052600060006020600060045afa5000\", \"balance\": \"0x0\"}}";
    snprintf(path, sizeof path, "%s/alloc.json", dir);
    write_text(path, alloc);
    char *env = env_json(1000000);
    snprintf(path, sizeof path, "%s/env.json", dir);
    write_text(path, env);
    free(env);
    struct bytebuf txs = {0};
    bytebuf_push(&txs, '[');
    tx_json(&txs, 0, 100000, "0x00000000000000000000000000000000000000c0", true);
    bytebuf_append(&txs, "]", 2);
    snprintf(path, sizeof path, "%s/txs.json", dir);
    write_text(path, (const char *)txs.data);
    bytebuf_free(&txs);

    static const char word[] = "0x000000000000000000000000000000000000000000000000000000000000002a";
    static const struct {
        const char *flags;
        bool memory, returndata, stack;
    } runs[] = {
        {"--trace", false, false, true},
        {"--trace --trace.memory --trace.returndata", true, true, true},
        {"--trace=true --trace.nostack --trace.memory=false", false, false, false},
        {"--trace --trace.nomemory --trace.noreturndata", false, false, true},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        snprintf(cmd, sizeof cmd,
                 "cd %s && rm -rf out && %s t8n --state.fork Cancun --output.basedir out %s 2>/dev/null &&"
                 " cat out/trace-0-*.jsonl > trace.txt",
                 dir, parevm_bin, runs[i].flags);
        assert_int_equal(sh(cmd), 0);
        snprintf(path, sizeof path, "%s/trace.txt", dir);
        char *text = read_text(path, NULL);
        assert_non_null(text);
        /* 12 instructions (PUSH1 x2, MSTORE, PUSH1 x5, GAS, STATICCALL, POP,
         * STOP; the precompile has none) and the summary */
        size_t lines = 0;
        for (const char *c = text; *c; c++)
            lines += *c == '\n';
        assert_int_equal(lines, 13);
        const char *pop = strstr(text, "\"opName\":\"POP\"");
        assert_non_null(pop);
        const char *pop_line = pop;
        while (pop_line > text && pop_line[-1] != '\n')
            pop_line--;
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)(pop - pop_line), pop_line);
        char want[256];
        snprintf(want, sizeof want, "\"memory\":\"%s\",\"memSize\":32", word);
        assert_true((strstr(line, want) != NULL) == runs[i].memory);
        snprintf(want, sizeof want, "\"returnData\":\"%s\"", word);
        assert_true((strstr(line, want) != NULL) == runs[i].returndata);
        /* the first step: memory and return data empty, so never there */
        const char *first_end = strchr(text, '\n');
        assert_non_null(first_end);
        snprintf(line, sizeof line, "%.*s", (int)(first_end - text), text);
        assert_null(strstr(line, "\"memory\""));
        assert_null(strstr(line, "\"returnData\""));
        assert_true((strstr(text, "\"stack\":[") != NULL) == runs[i].stack);
        assert_true((strstr(text, "\"stack\":null") != NULL) == !runs[i].stack);
        if (!runs[i].returndata)
            assert_null(strstr(text, "\"returnData\""));
        if (!runs[i].memory)
            assert_null(strstr(text, "\"memory\""));
        free(text);
    }
    static const char *const refused[] = {"--trace.callframes",    "--trace.tracer callTracer",
                                          "--trace.jsonconfig {}", "--trace.bogus",
                                          "--trace.memory=maybe",  "--tracex"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(cmd, sizeof cmd,
                 "cd %s && %s t8n --state.fork Cancun --output.basedir out2 --trace %s 2>/dev/null", dir,
                 parevm_bin, refused[i]);
        assert_int_equal(sh(cmd), T8N_EXIT_CONFIG);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(sh(cmd), 0);
}

/*
 * currentDifficulty computed from the parent under the bomb-only fork
 * names (geth's --state.fork MuirGlacier / ArrowGlacier / GrayGlacier).
 * Block 11,500,000, parent difficulty 2^44 without uncles 10 s earlier:
 * EIP-100's adjustment is parent/2048 * max(1 - 10/9, -99) = 0, so the
 * difficulty is 2^44 + 2^((11,500,000 - delay)/100000 - 2) (no bomb term
 * below period 2): London (EIP-3554, 9,700,000) + 2^16, ArrowGlacier
 * (EIP-4345, 10,700,000) + 2^6, GrayGlacier (EIP-5133, 11,400,000) + 0.
 */
static const char *const glacier_env =
    "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\", \"currentGasLimit\": "
    "\"0x1000000\","
    " \"currentNumber\": \"11500000\", \"currentTimestamp\": \"1010\", \"parentTimestamp\": \"1000\","
    " \"parentDifficulty\": \"0x100000000000\", \"currentBaseFee\": \"7\"}";

static void test_glacier_difficulty(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint64_t want;
    } cases[] = {
        {"London", (1ull << 44) + (1ull << 16)},
        {"ArrowGlacier", (1ull << 44) + (1ull << 6)},
        {"GrayGlacier", 1ull << 44},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run x;
        memset(&x, 0, sizeof x);
        assert_int_equal(t8n_parse_alloc("alloc", "{}", 2, &x.w, x.err, sizeof x.err), PAREVM_OK);
        assert_int_equal(t8n_parse_env("env", glacier_env, strlen(glacier_env), &x.env, x.err, sizeof x.err),
                         PAREVM_OK);
        assert_int_equal(t8n_parse_txs("txs", "[]", 2, FORK_LONDON, 1, &x.txs, x.err, sizeof x.err),
                         PAREVM_OK);
        struct t8n_config cfg = {.fork = FORK_LONDON,
                                 .glacier_bomb_delay = chain_glacier_bomb_delay(cases[i].name),
                                 .chain_id = 1,
                                 .reward_enabled = false,
                                 .threads = 1};
        x.rc = t8n_apply(&cfg, &x.env, &x.txs, &x.w, &x.r, x.err, sizeof x.err);
        assert_int_equal(x.rc, PAREVM_OK);
        assert_true(x.r.has_difficulty);
        if (!u256_eq(&x.r.difficulty, &(u256){{cases[i].want, 0, 0, 0}}))
            print_error("%s: difficulty %llu, wanted %llu\n", cases[i].name,
                        (unsigned long long)x.r.difficulty.w[0], (unsigned long long)cases[i].want);
        assert_true(u256_eq(&x.r.difficulty, &(u256){{cases[i].want, 0, 0, 0}}));
        run_free(&x);
    }

    /* The CLI takes the delay from --state.fork (default GrayGlacier). */
    if (access(parevm_bin, X_OK) != 0) {
        print_message("skipped: %s not built\n", parevm_bin);
        return;
    }
    char dir[] = "/tmp/parevm-t8n-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[4200], cmd[8192];
    snprintf(path, sizeof path, "%s/alloc.json", dir);
    write_text(path, "{}");
    snprintf(path, sizeof path, "%s/env.json", dir);
    write_text(path, glacier_env);
    snprintf(path, sizeof path, "%s/txs.json", dir);
    write_text(path, "[]");
    static const struct {
        const char *fork; /* NULL: the default */
        const char *want;
    } cli[] = {{"ArrowGlacier", "0x100000000040"}, {"London", "0x100000010000"}, {NULL, "0x100000000000"}};
    for (size_t i = 0; i < sizeof cli / sizeof cli[0]; i++) {
        snprintf(
            cmd, sizeof cmd,
            "cd %s && %s t8n %s%s --state.reward -1 --output.alloc \"\" --output.result stdout > out.json "
            "2>/dev/null",
            dir, parevm_bin, cli[i].fork ? "--state.fork " : "", cli[i].fork ? cli[i].fork : "");
        assert_int_equal(sh(cmd), 0);
        snprintf(path, sizeof path, "%s/out.json", dir);
        char *text = read_text(path, NULL);
        assert_non_null(text);
        cJSON *out = cJSON_Parse(text);
        free(text);
        assert_non_null(out);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(out, "result"),
                                                          "currentDifficulty");
        assert_true(cJSON_IsString(d));
        assert_string_equal(d->valuestring, cli[i].want);
        cJSON_Delete(out);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(sh(cmd), 0);
}

static void test_cli(void **state)
{
    (void)state;
    if (access(parevm_bin, X_OK) != 0) {
        print_message("skipped: %s not built\n", parevm_bin);
        skip();
    }
    char dir[] = "/tmp/parevm-t8n-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[4200], cmd[16384];
    snprintf(path, sizeof path, "%s/alloc.json", dir);
    write_text(path, alloc_json);
    char *env = env_json(1000000);
    snprintf(path, sizeof path, "%s/env.json", dir);
    write_text(path, env);
    struct bytebuf txs = {0};
    bytebuf_push(&txs, '[');
    tx_json(&txs, 0, 50000, "0x00000000000000000000000000000000000000c0", true);
    tx_json(&txs, 7, 50000, "0x00000000000000000000000000000000000000c0", false);
    bytebuf_append(&txs, "]", 2);
    snprintf(path, sizeof path, "%s/txs.json", dir);
    write_text(path, (const char *)txs.data);

    /* files in, files out (basedir created), with traces */
    snprintf(cmd, sizeof cmd,
             "cd %s && %s t8n --input.alloc alloc.json --input.env env.json --input.txs txs.json "
             "--state.fork Cancun"
             " --output.basedir out/sub --output.body body.rlp --trace 2>/dev/null",
             dir, parevm_bin);
    assert_int_equal(sh(cmd), 0);
    snprintf(path, sizeof path, "%s/out/sub/result.json", dir);
    size_t len;
    char *text = read_text(path, &len);
    assert_non_null(text);
    cJSON *result = cJSON_Parse(text);
    assert_non_null(result);
    free(text);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result, "receipts")), 1);
    const cJSON *rej = cJSON_GetObjectItemCaseSensitive(result, "rejected");
    assert_int_equal(cJSON_GetArraySize(rej), 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rej, 0), "index")->valueint, 1);
    const char *tx_hash =
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "receipts"), 0), "transactionHash")
            ->valuestring;
    snprintf(path, sizeof path, "%s/out/sub/trace-0-%s.jsonl", dir, tx_hash);
    text = read_text(path, &len);
    assert_non_null(text);
    /* PUSH1 PUSH1 SSTORE STOP and the summary */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, 5);
    assert_non_null(strstr(text, "\"opName\":\"SSTORE\""));
    free(text);
    snprintf(path, sizeof path, "%s/out/sub/alloc.json", dir);
    assert_int_equal(access(path, R_OK), 0);
    /* the body is the .rlp input format: rerun from it */
    snprintf(cmd, sizeof cmd,
             "cd %s && %s t8n --input.alloc alloc.json --input.env env.json --input.txs out/sub/body.rlp"
             " --state.fork Cancun --output.basedir out2 --output.alloc \"\" 2>/dev/null",
             dir, parevm_bin);
    assert_int_equal(sh(cmd), 0);
    snprintf(path, sizeof path, "%s/out2/result.json", dir);
    text = read_text(path, &len);
    assert_non_null(text);
    cJSON *again = cJSON_Parse(text);
    free(text);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(again, "stateRoot")->valuestring,
                        cJSON_GetObjectItemCaseSensitive(result, "stateRoot")->valuestring);
    assert_null(cJSON_GetObjectItemCaseSensitive(again, "rejected"));
    cJSON_Delete(again);
    snprintf(path, sizeof path, "%s/out2/alloc.json", dir);
    assert_int_not_equal(access(path, R_OK), 0);

    /* everything through stdin and stdout, parallel */
    snprintf(path, sizeof path, "%s/input.json", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"alloc\": %s, \"env\": %s, \"txs\": %s}", alloc_json, env, (const char *)txs.data);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "cd %s && %s t8n --input.alloc stdin --input.env stdin --input.txs stdin --state.fork Cancun"
             " --output.result stdout --output.alloc stdout --output.body stdout --threads 3 < input.json > "
             "out.json",
             dir, parevm_bin);
    assert_int_equal(sh(cmd), 0);
    snprintf(path, sizeof path, "%s/out.json", dir);
    text = read_text(path, &len);
    cJSON *combined = cJSON_Parse(text);
    free(text);
    assert_non_null(combined);
    assert_string_equal(combined->child->string, "alloc");
    assert_string_equal(combined->child->next->string, "body");
    assert_string_equal(combined->child->next->next->string, "result");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(combined, "result"), "stateRoot")
            ->valuestring,
        cJSON_GetObjectItemCaseSensitive(result, "stateRoot")->valuestring);
    cJSON_Delete(combined);
    cJSON_Delete(result);

    /* geth's exit codes */
    snprintf(cmd, sizeof cmd,
             "cd %s && %s t8n --state.fork Nope --output.alloc stdout 2>/dev/null >/dev/null", dir,
             parevm_bin);
    assert_int_equal(sh(cmd), 3);
    snprintf(cmd, sizeof cmd, "cd %s && %s t8n --input.alloc missing.json --state.fork Cancun 2>/dev/null",
             dir, parevm_bin);
    assert_int_equal(sh(cmd), 11);
    write_text(path, "{\"alloc\": [");
    snprintf(cmd, sizeof cmd,
             "cd %s && %s t8n --input.alloc stdin --state.fork Cancun < out.json 2>/dev/null", dir,
             parevm_bin);
    assert_int_equal(sh(cmd), 10);
    snprintf(cmd, sizeof cmd,
             "cd %s && %s t8n --state.fork London --output.result stdout 2>/dev/null >/dev/null", dir,
             parevm_bin);
    assert_int_equal(sh(cmd), 3); /* env has no difficulty */

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    sh(cmd);
    bytebuf_free(&txs);
    free(env);
}

/* Prague: the EIP-2935 call takes env.blockHashes[number - 1]; a
 * withdrawal request queued by a transaction comes out in result.json's
 * "requests" (type byte 0x01 || source || pubkey || amount) with the
 * EIP-7685 hash; a missing request contract is an error. */
static char *prague_alloc(bool with_requests)
{
    struct bytebuf b = {0};
    char part[2048];
    snprintf(part, sizeof part,
             "{\"" SENDER "\": {\"balance\": \"1000000000000000000\"},"
             " \"0x0000F90827F1C53a10cb7A02335B175320002935\": {\"code\": \"%s\"}",
             HISTORY_STORAGE_CODE);
    bytebuf_append(&b, part, strlen(part));
    if (with_requests) {
        static const char w[] = ", \"0x00000961Ef480Eb55e80D19ad83579A64c007002\": {\"code\": \"";
        static const char c[] = "\"}, \"0x0000BBdDc7CE488642fb579F8B00f3a590007251\": {\"code\": \"";
        bytebuf_append(&b, w, strlen(w));
        bytebuf_append(&b, WITHDRAWAL_REQUEST_CODE, strlen(WITHDRAWAL_REQUEST_CODE));
        bytebuf_append(&b, c, strlen(c));
        bytebuf_append(&b, CONSOLIDATION_REQUEST_CODE, strlen(CONSOLIDATION_REQUEST_CODE));
        bytebuf_append(&b, "\"}", 2);
    }
    bytebuf_append(&b, "}", 2); /* with the NUL */
    return (char *)b.data;
}

static void test_prague_requests(void **state)
{
    (void)state;
    static const char env[] =
        "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\", \"currentGasLimit\": "
        "\"30000000\","
        " \"currentNumber\": \"5\", \"currentTimestamp\": \"1000\", \"currentRandom\": \"0x01\","
        " \"currentBaseFee\": \"7\", \"currentExcessBlobGas\": \"0\", \"withdrawals\": [],"
        " \"parentBeaconBlockRoot\": \"0x1111111111111111111111111111111111111111111111111111111111111111\","
        " \"blockHashes\": {\"4\": \"0x4444444444444444444444444444444444444444444444444444444444444444\"}}";
    /* 56 bytes: pubkey 48 x 0xab, amount 8 (0x..05) */
    char input[2 + 112 + 1] = "0x";
    for (int i = 0; i < 48; i++)
        memcpy(input + 2 + 2 * i, "ab", 2);
    memcpy(input + 2 + 96, "0000000000000005", 16);
    input[2 + 112] = '\0';
    char txs[1024];
    snprintf(txs, sizeof txs,
             "[{\"type\": \"0x2\", \"chainId\": \"0x1\", \"nonce\": \"0x0\", \"gas\": \"0x61a80\","
             " \"maxFeePerGas\": \"0x10\", \"maxPriorityFeePerGas\": \"0x1\","
             " \"to\": \"0x00000961Ef480Eb55e80D19ad83579A64c007002\", \"value\": \"0x1\", \"input\": \"%s\","
             " \"accessList\": [], \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\", \"secretKey\": \"" KEY
             "\"}]",
             input);
    char *alloc = prague_alloc(true);
    struct run x;
    run_t8n_one(&x, alloc, env, txs, FORK_PRAGUE);
    /* EIP-2935: slot 4 % 8191 holds blockHashes[4]. */
    const struct world_account *hist = world_get(&x.w, &HISTORY_STORAGE_ADDRESS);
    assert_non_null(hist);
    u256 k = u256_from_u64(4), v = world_get_storage(hist, &k);
    hash32 want;
    memset(want.bytes, 0x44, 32);
    u256 wv = u256_from_be32(want.bytes);
    assert_true(u256_eq(&v, &wv));
    /* The request: 0x01 || sender || pubkey || amount, and its hash. */
    assert_true(x.r.has_requests);
    assert_int_equal(x.r.requests.data[REQUEST_WITHDRAWAL].len, 76);
    assert_int_equal(x.r.requests.data[REQUEST_DEPOSIT].len, 0);
    assert_int_equal(x.r.requests.data[REQUEST_CONSOLIDATION].len, 0);
    struct bytebuf out = {0};
    assert_int_equal(t8n_write_result(&x.r, &out), PAREVM_OK);
    bytebuf_push(&out, 0);
    const char *text = (const char *)out.data;
    const char *req = strstr(text, "\"requests\": [");
    assert_non_null(req);
    char expect[256] = "\"0x01a94f5374fce5edbc8e2a8697c15331677e6ebf0b";
    for (int i = 0; i < 48; i++)
        strcat(expect, "ab");
    assert_non_null(strstr(req, expect));
    assert_non_null(strstr(text, "\"requestsHash\": \"0x"));
    hash32 h;
    assert_int_equal(block_requests_hash(&x.r.requests, &h), PAREVM_OK);
    assert_true(hash32_eq(&h, &x.r.requests_hash));
    /* The same with the parallel engine. */
    struct run y;
    run_t8n(&y, alloc, env, txs, FORK_PRAGUE, 4);
    assert_int_equal(y.rc, PAREVM_OK);
    assert_same_run(&x, &y);
    run_free(&y);
    bytebuf_free(&out);
    run_free(&x);
    free(alloc);

    /* Without the request contracts the block cannot be built. */
    alloc = prague_alloc(false);
    run_t8n(&x, alloc, env, "[]", FORK_PRAGUE, 1);
    assert_int_equal(x.rc, PAREVM_ERR_BLOCK_INVALID);
    assert_non_null(strstr(x.err, "no code"));
    run_free(&x);
    /* Without a blockHashes object geth's t8n makes no EIP-2935 call (its
     * cmd/evm/testdata/34 relies on it): the history contract keeps its
     * pre-state storage. */
    static const char env_no_hash[] =
        "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\", \"currentGasLimit\": "
        "\"30000000\","
        " \"currentNumber\": \"5\", \"currentTimestamp\": \"1000\", \"currentRandom\": \"0x01\","
        " \"currentBaseFee\": \"7\", \"currentExcessBlobGas\": \"0\", \"withdrawals\": [],"
        " \"parentBeaconBlockRoot\": \"0x1111111111111111111111111111111111111111111111111111111111111111\"}";
    free(alloc);
    alloc = prague_alloc(true);
    run_t8n(&x, alloc, env_no_hash, "[]", FORK_PRAGUE, 1);
    assert_int_equal(x.rc, PAREVM_OK);
    const struct world_account *history = world_get(&x.w, &HISTORY_STORAGE_ADDRESS);
    assert_true(history == NULL || history->storage.count == 0);
    run_free(&x);
    free(alloc);
}

/* EIP-7997 alone over BPO2: the factory appears at 0x12 before the
 * transactions (nonce 1, its balance kept), and a transaction deploys
 * through it with CREATE2 (salt || initcode in, the address out). A block
 * that finds the factory there changes nothing at 0x12. The parallel
 * engine agrees. */
static void test_factory_predeploy(void **state)
{
    (void)state;
    unsigned saved = fork_amsterdam_eips;
    fork_amsterdam_eips = EIP_7997;
    static const char env[] =
        "{\"currentCoinbase\": \"0x00000000000000000000000000000000000000cb\", \"currentGasLimit\": "
        "\"30000000\", \"currentNumber\": \"5\", \"currentTimestamp\": \"1000\", \"currentRandom\": \"0x01\","
        " \"currentBaseFee\": \"7\", \"currentExcessBlobGas\": \"0\", \"withdrawals\": [],"
        " \"parentBeaconBlockRoot\": \"0x1111111111111111111111111111111111111111111111111111111111111111\"}";
    /* salt 7, initcode returning the one byte 0x2a as code */
    static const uint8_t initcode[] = {0x60, 0x2a, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3};
    static const char txs[] =
        "[{\"type\": \"0x2\", \"chainId\": \"0x1\", \"nonce\": \"0x0\", \"gas\": \"0x30d40\","
        " \"maxFeePerGas\": \"0x10\", \"maxPriorityFeePerGas\": \"0x1\","
        " \"to\": \"0x0000000000000000000000000000000000000012\", \"value\": \"0x3\", \"input\": "
        "\"0x0000000000000000000000000000000000000000000000000000000000000007602a60005360016000f3\","
        " \"accessList\": [], \"v\": \"0x0\", \"r\": \"0x0\", \"s\": \"0x0\", \"secretKey\": \"" KEY "\"}]";
    /* Prague's system contracts, and 0x12 holding 5 wei */
    char *prague = prague_alloc(true);
    struct bytebuf ab = {0};
    bytebuf_append(&ab, prague, strlen(prague) - 1); /* without the closing brace */
    static const char factory_account[] = ", \"0x0000000000000000000000000000000000000012\": {\"balance\": \"0x5\"}}";
    bytebuf_append(&ab, factory_account, sizeof factory_account); /* with the NUL */
    free(prague);
    const char *alloc = (const char *)ab.data;
    struct run x;
    run_t8n_one(&x, alloc, env, txs, FORK_AMSTERDAM);
    const struct world_account *f = world_get(&x.w, &FACTORY_PREDEPLOY_ADDRESS);
    assert_non_null(f);
    assert_int_equal(f->nonce, 2); /* set to 1, then its CREATE2 */
    u256 five = u256_from_u64(5);
    assert_true(u256_eq(&f->balance, &five));
    assert_int_equal(f->code->len, 53);
    assert_int_equal(f->code->bytes[23], 0xf5); /* CREATE2 */
    u256 salt = u256_from_u64(7);
    address made = evm_create2_address(&FACTORY_PREDEPLOY_ADDRESS, &salt, initcode, sizeof initcode);
    const struct world_account *c = world_get(&x.w, &made);
    assert_non_null(c);
    assert_int_equal(c->code->len, 1);
    assert_int_equal(c->code->bytes[0], 0x2a);
    u256 three = u256_from_u64(3);
    assert_true(u256_eq(&c->balance, &three));
    struct run y;
    run_t8n(&y, alloc, env, txs, FORK_AMSTERDAM, 4);
    assert_int_equal(y.rc, PAREVM_OK);
    assert_same_run(&x, &y);
    run_free(&y);
    /* Present already (the next block): nothing to write. */
    struct write_set ws;
    write_set_init(&ws);
    struct world_view wv = {&x.w, NULL, NULL};
    struct state_view view = world_view_make(&wv);
    struct block_env benv = {.fork = FORK_AMSTERDAM};
    assert_int_equal(block_factory_predeploy(&benv, &view, &ws), PAREVM_OK);
    assert_int_equal(ws.account_count, 0);
    benv.fork = FORK_BPO2; /* nor before Amsterdam */
    struct world_view ev = {&y.w, NULL, NULL};
    world_free(&y.w);
    world_init(&y.w);
    view = world_view_make(&ev);
    assert_int_equal(block_factory_predeploy(&benv, &view, &ws), PAREVM_OK);
    assert_int_equal(ws.account_count, 0);
    write_set_free(&ws);
    run_free(&x);
    bytebuf_free(&ab);
    fork_amsterdam_eips = saved;
}

int main(int argc, char **argv)
{
    (void)argc;
    /* build/<variant>/tests/test_t8n -> build/<variant>/parevm */
    snprintf(parevm_bin, sizeof parevm_bin, "%s", argv[0]);
    char *slash = strrchr(parevm_bin, '/');
    if (slash) {
        *slash = '\0';
        slash = strrchr(parevm_bin, '/');
    }
    if (slash) {
        *slash = '\0';
        size_t n = strlen(parevm_bin);
        snprintf(parevm_bin + n, sizeof parevm_bin - n, "/parevm");
        char *abs = realpath(parevm_bin, NULL);
        if (abs) {
            snprintf(parevm_bin, sizeof parevm_bin, "%s", abs);
            free(abs);
        }
    } else {
        snprintf(parevm_bin, sizeof parevm_bin, "../parevm");
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skipping),
        cmocka_unit_test(test_prechecks),
        cmocka_unit_test(test_rlp_undecodable),
        cmocka_unit_test(test_signing),
        cmocka_unit_test(test_set_code),
        cmocka_unit_test(test_strict_tx_fields),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_rewards),
        cmocka_unit_test(test_prague_requests),
        cmocka_unit_test(test_factory_predeploy),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_glacier_difficulty),
        cmocka_unit_test(test_cli_trace_options),
        cmocka_unit_test(test_mainnet_receipts_root),
        cmocka_unit_test(test_state_tests_cancun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
