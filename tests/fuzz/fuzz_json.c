/* The JSON loaders: every loader (state test, blockchain test, mainnet
 * fixture block/state/block hashes, t8n alloc/env/txs/txs-rlp/stdin) on
 * the same input. Each must either load it or refuse it with a message;
 * what it loaded is freed (LeakSanitizer checks the error paths too). */
#include <string.h>

#include "../../src/chain/block.h"
#include "../../src/exec/exec.h"
#include "../../src/io/blocktest.h"
#include "../../src/io/mainnet.h"
#include "../../src/io/statetest.h"
#include "../../src/io/t8n.h"
#include "../../src/state/world.h"
#include "fuzz.h"

static void refused(int rc, const char *err)
{
    if (rc != 0)
        FUZZ_CHECK(err[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    const char *json = (const char *)data;
    char err[512];
    int rc;

    struct statetest_file st;
    memset(&st, 0, sizeof st);
    err[0] = 0;
    rc = statetest_parse("fuzz.json", json, size, &st, err, sizeof err);
    refused(rc, err);
    statetest_file_free(&st);

    struct blocktest_file bt;
    memset(&bt, 0, sizeof bt);
    err[0] = 0;
    rc = blocktest_parse("fuzz.json", json, size, &bt, err, sizeof err);
    refused(rc, err);
    blocktest_file_free(&bt);

    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    struct block b;
    memset(&b, 0, sizeof b);
    err[0] = 0;
    rc = mainnet_parse_block("block.json", json, size, &cfg, &b, err, sizeof err);
    refused(rc, err);
    block_free(&b);

    struct world w;
    world_init(&w);
    err[0] = 0;
    rc = mainnet_parse_state("state.json", json, size, &w, err, sizeof err);
    refused(rc, err);
    world_free(&w);

    struct block_hashes bh;
    memset(&bh, 0, sizeof bh);
    err[0] = 0;
    rc = mainnet_parse_block_hashes("block_hashes.json", json, size, &bh, err, sizeof err);
    refused(rc, err);
    block_hashes_free(&bh);

    world_init(&w);
    err[0] = 0;
    rc = t8n_parse_alloc("alloc.json", json, size, &w, err, sizeof err);
    refused(rc, err);
    world_free(&w);

    struct t8n_env env;
    memset(&env, 0, sizeof env);
    err[0] = 0;
    rc = t8n_parse_env("env.json", json, size, &env, err, sizeof err);
    refused(rc, err);
    t8n_env_free(&env);

    struct t8n_txs txs;
    memset(&txs, 0, sizeof txs);
    err[0] = 0;
    rc = t8n_parse_txs("txs.json", json, size, FORK_PRAGUE, 1, &txs, err, sizeof err);
    refused(rc, err);
    t8n_txs_free(&txs);

    memset(&txs, 0, sizeof txs);
    err[0] = 0;
    rc = t8n_parse_txs_rlp("txs.rlp", json, size, FORK_PRAGUE, 1, &txs, err, sizeof err);
    refused(rc, err);
    t8n_txs_free(&txs);

    world_init(&w);
    memset(&env, 0, sizeof env);
    memset(&txs, 0, sizeof txs);
    err[0] = 0;
    rc = t8n_parse_stdin("stdin", json, size, FORK_CANCUN, 1, &w, &env, &txs, err, sizeof err);
    refused(rc, err);
    world_free(&w);
    t8n_env_free(&env);
    t8n_txs_free(&txs);
    return 0;
}
