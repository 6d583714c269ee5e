/* Tests for io/blocktest (BlockchainTests loader, block RLP decoder, the
 * chain runner) and chain/validate (header, body, uncle and outcome
 * rules): known fixtures end to end, strict decoding, and header rules
 * forced both ways on synthetic and real mainnet headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/chain/block.h"
#include "../src/chain/validate.h"
#include "../src/exec/exec.h"
#include "../src/io/blocktest.h"
#include "../src/io/mainnet.h"
#include "../src/chain/system_contracts.h"

/* ---- helpers ---- */

static const char *fixtures_root(void)
{
    const char *env = getenv("PAREVM_FIXTURES");
    return env && *env ? env : "../shared/fixtures";
}

/* Path of a BlockchainTests file; skips the test when it is absent. */
static const char *bt_path(const char *rel)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/ethereum-tests/BlockchainTests/%s", fixtures_root(), rel);
    if (access(path, R_OK) != 0) {
        print_message("skipped: fixtures not found (%s; set PAREVM_FIXTURES)\n", path);
        skip();
    }
    return path;
}

static void load(const char *rel, struct blocktest_file *f)
{
    char err[512];
    const char *path = bt_path(rel);
    if (blocktest_load_file(path, f, err, sizeof err))
        fail_msg("%s", err);
}

static hash32 hash_hex(const char *s)
{
    hash32 h;
    assert_int_equal(hex_decode_exact(s, h.bytes, 32), PAREVM_OK);
    return h;
}

/* Write text to a fresh file under /tmp and return its path (static). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/parevm_test_bt_%d_%s", (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    return path;
}

/* ---- fixtures end to end ---- */

struct reject_log {
    size_t count;
    char last[256];
};

static void on_reject(void *arg, size_t block, const char *expected, const struct blocktest_rejection *r)
{
    struct reject_log *log = arg;
    log->count++;
    snprintf(log->last, sizeof log->last, "%zu %s %s", block, expected, blocktest_rejection_name(r));
}

/* Run every test of a file; all must pass. Returns imported/rejected totals. */
static void run_all(const char *rel, size_t *imported, size_t *rejected, struct reject_log *log)
{
    struct blocktest_file f;
    load(rel, &f);
    assert_true(f.count > 0);
    *imported = *rejected = 0;
    for (size_t i = 0; i < f.count; i++) {
        struct blocktest_result res;
        assert_int_equal(blocktest_run(&f.tests[i], &res, on_reject, log), PAREVM_OK);
        if (!res.pass)
            fail_msg("%s %s: %s", rel, f.tests[i].name, res.message);
        assert_true(hash32_eq(&res.head_hash, &f.tests[i].last_block_hash));
        *imported += res.blocks_imported;
        *rejected += res.blocks_rejected;
    }
    blocktest_file_free(&f);
}

static void test_fixture_basefee_example(void **state)
{
    (void)state;
    struct blocktest_file f;
    load("ValidBlocks/bcExample/basefeeExample.json", &f);
    assert_int_equal(f.count, 1);
    const struct blocktest *t = &f.tests[0];
    assert_string_equal(t->network, "Cancun");
    assert_string_equal(t->seal_engine, "NoProof");
    assert_true(t->has_post_state);
    assert_false(t->has_post_state_hash);
    assert_int_equal(t->block_count, 1);
    assert_null(t->blocks[0].expect_exception);
    hash32 genesis = hash_hex("0x3f820e969b47b806b306aaedf2ad93769b6e53c60d3dbc2af6693f9a2279ec43");
    assert_true(hash32_eq(&t->genesis_hash, &genesis));

    /* The block as decoded from its RLP. */
    struct block b;
    struct block_digest d;
    char why[200];
    assert_int_equal(blocktest_decode_block(t->blocks[0].rlp, t->blocks[0].rlp_len, &b, &d, why, sizeof why),
                     PAREVM_OK);
    const struct block_header *h = &b.header;
    hash32 want = hash_hex("0xe9008b75110e5eb16e2df3466ce2b841834298beeefc31fd236ffe4515b530a9");
    assert_true(h->has_hash);
    assert_true(hash32_eq(&h->hash, &want));
    assert_true(hash32_eq(&h->parent_hash, &genesis));
    assert_int_equal(h->number, 1);
    assert_int_equal(h->gas_limit, 0x7fffffffffffffffull);
    assert_int_equal(h->gas_used, 0x0143a8);
    assert_int_equal(h->timestamp, 0x079e);
    assert_int_equal(h->extra_data_len, 1);
    assert_int_equal(h->extra_data[0], 0x42);
    assert_true(h->has_base_fee && h->has_withdrawals_root && h->has_blob_gas && h->has_parent_beacon_root);
    assert_true(u256_eq(&h->base_fee, &(u256){{0x03a699d0, 0, 0, 0}}));
    assert_int_equal(b.tx_count, 1);
    assert_int_equal(b.txs[0].type, 2);
    assert_false(b.txs[0].has_to);
    assert_int_equal(b.txs[0].access_list_len, 1);
    assert_int_equal(b.uncle_count, 0);
    assert_true(b.has_withdrawals);
    assert_int_equal(b.withdrawal_count, 0);
    /* Roots from the exact bytes match the header, and the re-encoding
     * (chain/block) agrees with them. */
    assert_true(hash32_eq(&d.tx_root, &h->tx_root));
    assert_true(hash32_eq(&d.ommers_hash, &EMPTY_OMMERS_HASH));
    assert_true(hash32_eq(&d.withdrawals_root, &h->withdrawals_root));
    hash32 re;
    assert_int_equal(block_header_hash(h, &re), PAREVM_OK);
    assert_true(hash32_eq(&re, &h->hash));
    assert_int_equal(transactions_root(b.txs, b.tx_count, &re), PAREVM_OK);
    assert_true(hash32_eq(&re, &d.tx_root));
    block_free(&b);

    struct blocktest_result res;
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);
    assert_int_equal(res.blocks_imported, 1);
    assert_int_equal(res.blocks_rejected, 0);
    blocktest_file_free(&f);
}

static void test_fixture_shanghai_withdrawals(void **state)
{
    (void)state;
    size_t imported, rejected;
    struct reject_log log = {0};
    run_all("ValidBlocks/bcExample/shanghaiExample.json", &imported, &rejected, &log);
    assert_true(imported >= 1);
    assert_int_equal(rejected, 0);
}

/* Side chains: chain B forks at the genesis, grows past A, and tries to
 * include an uncle after the Merge (rejected); the head is B's last block. */
static void test_fixture_side_chain(void **state)
{
    (void)state;
    size_t imported, rejected;
    struct reject_log log = {0};
    run_all("InvalidBlocks/bcMultiChainTest/UncleFromSideChain.json", &imported, &rejected, &log);
    assert_int_equal(imported, 7);
    assert_int_equal(rejected, 1);
    assert_string_equal(log.last, "7 BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS INVALID_OMMERS_HASH");
}

static void test_fixture_invalid_blocks(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *reason;
    } cases[] = {
        {"InvalidBlocks/bcInvalidHeaderTest/wrongParentHash.json", "UNKNOWN_PARENT"},
        {"InvalidBlocks/bcInvalidHeaderTest/GasLimitHigherThan2p63m1.json", "INVALID_GAS_LIMIT"},
        {"InvalidBlocks/bc4895-withdrawals/withdrawalsAddressBounds.json", "RLP_ENCODING"},
        {"InvalidBlocks/bcStateTests/txCost-sec73.json", "max fee per gas less than block base fee"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t imported, rejected;
        struct reject_log log = {0};
        run_all(cases[i].file, &imported, &rejected, &log);
        assert_true(rejected >= 1);
        assert_non_null(strstr(log.last, cases[i].reason));
    }
}

/* The same block with one byte appended must be rejected as RLP, and a
 * fixture expecting it valid then fails at that block. */
static void test_trailing_bytes_rejected(void **state)
{
    (void)state;
    struct blocktest_file f;
    load("ValidBlocks/bcExample/basefeeExample.json", &f);
    struct blocktest *t = &f.tests[0];
    struct blocktest_block *blk = &t->blocks[0];
    uint8_t *longer = realloc(blk->rlp, blk->rlp_len + 1);
    assert_non_null(longer);
    longer[blk->rlp_len] = 0x00;
    blk->rlp = longer;
    blk->rlp_len++;

    struct block b;
    char why[200];
    assert_int_equal(blocktest_decode_block(blk->rlp, blk->rlp_len, &b, NULL, why, sizeof why), PAREVM_ERR_RLP);
    assert_non_null(strstr(why, "trailing"));
    assert_int_equal(b.tx_count, 0);

    struct blocktest_result res;
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    assert_false(res.pass);
    assert_non_null(strstr(res.message, "block 1: expected a valid block, got RLP_ENCODING"));

    /* Declared invalid, the same block is rejected as expected, but then
     * the chain ends at the genesis and lastblockhash no longer matches. */
    blk->expect_exception = strdup("BlockException.RLP_STRUCTURES_ENCODING");
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    assert_false(res.pass);
    assert_non_null(strstr(res.message, "post: "));
    blocktest_file_free(&f);
}

/* Every block of a folder of fixtures: decoding from RLP, then
 * re-encoding the header (chain/block) gives back the same hash, and the
 * transactions/withdrawals roots of the re-encoded bodies equal the roots
 * of the bytes as given. */
static void test_reencode_matches_bytes(void **state)
{
    (void)state;
    static const char *const files[] = {
        "ValidBlocks/bcEIP1559/baseFee.json",
        "ValidBlocks/bcEIP4844-blobtransactions/blockWithAllTransactionTypes.json",
        "ValidBlocks/bcStateTests/blockhashTests.json",
    };
    size_t checked = 0;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/ethereum-tests/BlockchainTests/%s", fixtures_root(), files[k]);
        if (access(path, R_OK) != 0)
            continue;
        struct blocktest_file f;
        char err[512];
        if (blocktest_load_file(path, &f, err, sizeof err))
            fail_msg("%s", err);
        for (size_t i = 0; i < f.count; i++) {
            for (size_t j = 0; j < f.tests[i].block_count; j++) {
                const struct blocktest_block *blk = &f.tests[i].blocks[j];
                struct block b;
                struct block_digest d;
                char why[200];
                if (blocktest_decode_block(blk->rlp, blk->rlp_len, &b, &d, why, sizeof why))
                    continue; /* an invalid-RLP block */
                hash32 re;
                assert_int_equal(block_header_hash(&b.header, &re), PAREVM_OK);
                assert_true(hash32_eq(&re, &b.header.hash));
                assert_int_equal(transactions_root(b.txs, b.tx_count, &re), PAREVM_OK);
                assert_true(hash32_eq(&re, &d.tx_root));
                if (b.has_withdrawals) {
                    assert_int_equal(withdrawals_root(b.withdrawals, b.withdrawal_count, &re), PAREVM_OK);
                    assert_true(hash32_eq(&re, &d.withdrawals_root));
                }
                block_free(&b);
                checked++;
            }
        }
        blocktest_file_free(&f);
    }
    if (checked == 0) {
        print_message("skipped: fixtures not found\n");
        skip();
    }
}

/* ---- strict decoding of synthetic blocks ---- */

static void base_header(struct block_header *h)
{
    memset(h, 0, sizeof *h);
    h->ommers_hash = EMPTY_OMMERS_HASH;
    h->tx_root = EMPTY_TRIE_ROOT;
    h->receipts_root = EMPTY_TRIE_ROOT;
    h->number = 1;
    h->gas_limit = 30000000;
    h->timestamp = 12;
    h->has_base_fee = true;
    h->base_fee = u256_from_u64(7);
    h->has_withdrawals_root = true;
    h->withdrawals_root = EMPTY_TRIE_ROOT;
    h->has_blob_gas = true;
    h->has_parent_beacon_root = true;
}

/* rlp([header, [], [], []]) with the header encoded by chain/block, or
 * raw header bytes when given. */
static void encode_block(const struct block_header *h, const uint8_t *raw_header, size_t raw_len, bool withdrawals,
                         struct bytebuf *out)
{
    bytebuf_reset(out);
    size_t list = rlp_list_begin(out);
    if (raw_header)
        assert_int_equal(rlp_encode_raw(out, raw_header, raw_len), PAREVM_OK);
    else
        assert_int_equal(block_header_encode(h, out), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    if (withdrawals)
        assert_int_equal(rlp_encode_raw(out, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    assert_int_equal(rlp_list_end(out, list), PAREVM_OK);
}

static int decode(const struct bytebuf *buf, struct block *b, char *why, size_t n)
{
    int err = blocktest_decode_block(buf->data, buf->len, b, NULL, why, n);
    if (err)
        assert_int_equal(b->tx_count + b->uncle_count + b->withdrawal_count, 0);
    return err;
}

static void test_decode_synthetic(void **state)
{
    (void)state;
    struct block_header h;
    struct bytebuf buf = {0};
    struct block b;
    char why[200];
    base_header(&h);

    /* Round trip: 20 fields, hash of the header's bytes. */
    encode_block(&h, NULL, 0, true, &buf);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_OK);
    hash32 want;
    assert_int_equal(block_header_hash(&h, &want), PAREVM_OK);
    assert_true(hash32_eq(&b.header.hash, &want));
    assert_true(b.has_withdrawals);
    block_free(&b);

    /* 15 fields (pre-London) and 16 (London) decode, flags say which. */
    h.has_withdrawals_root = h.has_blob_gas = h.has_parent_beacon_root = false;
    encode_block(&h, NULL, 0, false, &buf);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_OK);
    assert_true(b.header.has_base_fee);
    assert_false(b.header.has_withdrawals_root || b.header.has_blob_gas || b.has_withdrawals);
    block_free(&b);
    h.has_base_fee = false;
    encode_block(&h, NULL, 0, false, &buf);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_OK);
    assert_false(b.header.has_base_fee);
    block_free(&b);

    /* 19 fields: blob gas without the beacon root is no fork's header. */
    base_header(&h);
    h.has_parent_beacon_root = false;
    encode_block(&h, NULL, 0, true, &buf);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_ERR_RLP);
    assert_non_null(strstr(why, "19 fields"));

    /* 5 items in the block list. */
    base_header(&h);
    encode_block(&h, NULL, 0, true, &buf);
    struct bytebuf five = {0};
    size_t list = rlp_list_begin(&five);
    struct rlp_item whole;
    assert_int_equal(rlp_decode_whole(buf.data, buf.len, &whole), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&five, whole.payload, whole.payload_len), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(&five, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    assert_int_equal(rlp_list_end(&five, list), PAREVM_OK);
    assert_int_equal(decode(&five, &b, why, sizeof why), PAREVM_ERR_RLP);
    assert_non_null(strstr(why, "more than 4"));
    bytebuf_free(&five);

    /* Non-canonical integer: a gas used of 5 encoded with a leading zero
     * byte (0x820005), in a header built field by field. */
    struct bytebuf hdr = {0};
    size_t hl = rlp_list_begin(&hdr);
    static const uint8_t zero32[32], zero256[256], zero8[8], zero20[20];
    rlp_encode_bytes(&hdr, zero32, 32);            /* parent */
    rlp_encode_bytes(&hdr, EMPTY_OMMERS_HASH.bytes, 32);
    rlp_encode_bytes(&hdr, zero20, 20);            /* coinbase */
    rlp_encode_bytes(&hdr, zero32, 32);            /* state root */
    rlp_encode_bytes(&hdr, EMPTY_TRIE_ROOT.bytes, 32);
    rlp_encode_bytes(&hdr, EMPTY_TRIE_ROOT.bytes, 32);
    rlp_encode_bytes(&hdr, zero256, 256);          /* bloom */
    rlp_encode_u64(&hdr, 0);                       /* difficulty */
    rlp_encode_u64(&hdr, 1);                       /* number */
    rlp_encode_u64(&hdr, 30000000);                /* gas limit */
    rlp_encode_bytes(&hdr, (const uint8_t *)"\x00\x05", 2); /* gas used, leading zero */
    rlp_encode_u64(&hdr, 12);                      /* timestamp */
    rlp_encode_bytes(&hdr, NULL, 0);               /* extra data */
    rlp_encode_bytes(&hdr, zero32, 32);            /* mix hash */
    rlp_encode_bytes(&hdr, zero8, 8);              /* nonce */
    assert_int_equal(rlp_list_end(&hdr, hl), PAREVM_OK);
    encode_block(NULL, hdr.data, hdr.len, false, &buf);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_ERR_RLP);
    assert_non_null(strstr(why, "header.gasUsed"));

    /* A 19-byte coinbase (RLP_INVALID_ADDRESS). */
    bytebuf_reset(&hdr);
    hl = rlp_list_begin(&hdr);
    rlp_encode_bytes(&hdr, zero32, 32);
    rlp_encode_bytes(&hdr, EMPTY_OMMERS_HASH.bytes, 32);
    rlp_encode_bytes(&hdr, zero20, 19); /* a 19-byte coinbase */
    rlp_encode_bytes(&hdr, zero32, 32);
    rlp_encode_bytes(&hdr, EMPTY_TRIE_ROOT.bytes, 32);
    rlp_encode_bytes(&hdr, EMPTY_TRIE_ROOT.bytes, 32);
    rlp_encode_bytes(&hdr, zero256, 256);
    rlp_encode_u64(&hdr, 0);
    rlp_encode_u64(&hdr, 1);
    rlp_encode_u64(&hdr, 30000000);
    rlp_encode_u64(&hdr, 0);
    rlp_encode_u64(&hdr, 12);
    rlp_encode_bytes(&hdr, NULL, 0);
    rlp_encode_bytes(&hdr, zero32, 32);
    rlp_encode_bytes(&hdr, zero8, 8);
    assert_int_equal(rlp_list_end(&hdr, hl), PAREVM_OK);
    encode_block(NULL, hdr.data, hdr.len, false, &buf);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_ERR_RLP);
    assert_non_null(strstr(why, "header.coinbase: expected a 20-byte string"));

    /* A transaction list holding a string that is not type || payload. */
    base_header(&h);
    bytebuf_reset(&buf);
    list = rlp_list_begin(&buf);
    assert_int_equal(block_header_encode(&h, &buf), PAREVM_OK);
    size_t txs = rlp_list_begin(&buf);
    rlp_encode_bytes(&buf, (const uint8_t *)"\xc1\x80", 2); /* a "typed" tx starting with 0xc1 */
    rlp_list_end(&buf, txs);
    rlp_encode_raw(&buf, (const uint8_t *)"\xc0\xc0", 2);
    rlp_list_end(&buf, list);
    assert_int_equal(decode(&buf, &b, why, sizeof why), PAREVM_ERR_RLP);
    assert_non_null(strstr(why, "transactions[0]"));

    /* Trailing bytes after a header given alone. */
    base_header(&h);
    bytebuf_reset(&hdr);
    assert_int_equal(block_header_encode(&h, &hdr), PAREVM_OK);
    struct block_header back;
    assert_int_equal(blocktest_decode_header(hdr.data, hdr.len, &back, why, sizeof why), PAREVM_OK);
    assert_true(hash32_eq(&back.hash, &want));
    bytebuf_push(&hdr, 0x80);
    assert_int_equal(blocktest_decode_header(hdr.data, hdr.len, &back, why, sizeof why), PAREVM_ERR_RLP);

    bytebuf_free(&hdr);
    bytebuf_free(&buf);
}

/* Every truncation and many single-byte corruptions of real blocks:
 * decoding never reads out of bounds (run under ASan), fails cleanly
 * (nothing left allocated, a message), or yields a block whose header
 * hash is that of the bytes. */
static void test_decode_mutations(void **state)
{
    (void)state;
    struct blocktest_file f;
    load("ValidBlocks/bcEIP4844-blobtransactions/blockWithAllTransactionTypes.json", &f);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t ok = 0, bad = 0;
    for (size_t ti = 0; ti < f.count; ti++) {
        for (size_t bi = 0; bi < f.tests[ti].block_count; bi++) {
            const struct blocktest_block *blk = &f.tests[ti].blocks[bi];
            uint8_t *copy = malloc(blk->rlp_len);
            assert_non_null(copy);
            for (size_t cut = 0; cut < blk->rlp_len; cut++) {
                struct block b;
                char why[200];
                memcpy(copy, blk->rlp, cut);
                assert_int_not_equal(blocktest_decode_block(copy, cut, &b, NULL, why, sizeof why), PAREVM_OK);
                assert_true(why[0] != '\0');
                bad++;
            }
            for (int m = 0; m < 3000; m++) {
                memcpy(copy, blk->rlp, blk->rlp_len);
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                copy[seed % blk->rlp_len] ^= (uint8_t)(1u << ((seed >> 32) % 8));
                struct block b;
                struct block_digest d;
                char why[200];
                int err = blocktest_decode_block(copy, blk->rlp_len, &b, &d, why, sizeof why);
                if (err) {
                    assert_int_equal(b.tx_count + b.uncle_count + b.withdrawal_count, 0);
                    assert_null(b.txs);
                    bad++;
                } else {
                    assert_true(b.header.has_hash);
                    block_free(&b);
                    ok++;
                }
            }
            free(copy);
        }
    }
    assert_true(ok > 0 && bad > 0);
    blocktest_file_free(&f);
}

/* ---- the loader's errors ---- */

static void test_loader_errors(void **state)
{
    (void)state;
    struct blocktest_file f;
    char err[512];
    const char *path = write_tmp("bad.json", "{\"t\": {\"network\": \"Cancun\"}}");
    assert_int_equal(blocktest_load_file(path, &f, err, sizeof err), PAREVM_ERR_JSON);
    assert_non_null(strstr(err, ": t: genesisRLP: missing field"));
    assert_null(f.tests);

    path = write_tmp("badrlp.json", "{\"t\": {\"network\": \"Cancun\", \"genesisRLP\": \"0xc0\","
                                    "\"genesisBlockHeader\": {\"hash\": \"0x00\"}}}");
    assert_int_equal(blocktest_load_file(path, &f, err, sizeof err), PAREVM_ERR_HEX);
    assert_non_null(strstr(err, "genesisBlockHeader.hash: expected 32 bytes of hex"));

    path = write_tmp("badblock.json",
                     "{\"t\": {\"network\": \"Cancun\", \"genesisRLP\": \"0xc0\", \"genesisBlockHeader\": {\"hash\": "
                     "\"0x0000000000000000000000000000000000000000000000000000000000000000\"}, \"pre\": {}, "
                     "\"postState\": {}, \"lastblockhash\": "
                     "\"0x0000000000000000000000000000000000000000000000000000000000000000\", "
                     "\"blocks\": [{\"rlp\": \"0xc0\"}, {\"rlp\": \"0xzz\"}]}}");
    assert_int_equal(blocktest_load_file(path, &f, err, sizeof err), PAREVM_ERR_HEX);
    assert_non_null(strstr(err, ": t: blocks[1].rlp: bad hex"));

    path = write_tmp("trunc.json", "{\"t\": {");
    assert_int_equal(blocktest_load_file(path, &f, err, sizeof err), PAREVM_ERR_JSON);
    assert_non_null(strstr(err, "invalid JSON"));
    assert_int_equal(blocktest_load_file("/nonexistent/x.json", &f, err, sizeof err), PAREVM_ERR_IO);
}

/* ---- header rules ---- */

/* A Cancun parent and a valid child under a single-fork Cancun chain. */
static void cancun_pair(struct chain_config *cfg, struct block_header *parent, struct block_header *child)
{
    chain_config_single(cfg, FORK_CANCUN);
    base_header(parent);
    parent->number = 10;
    parent->timestamp = 1000;
    parent->gas_limit = 30000000;
    parent->gas_used = 15000000; /* at target: base fee unchanged */
    parent->base_fee = u256_from_u64(1000);
    parent->excess_blob_gas = 0;
    parent->blob_gas_used = 0;
    parent->has_hash = true;
    assert_int_equal(block_header_hash(parent, &parent->hash), PAREVM_OK);
    base_header(child);
    child->parent_hash = parent->hash;
    child->number = 11;
    child->timestamp = 1012;
    child->gas_limit = 30000000;
    child->base_fee = u256_from_u64(1000);
}

static enum block_error check(const struct chain_config *cfg, const struct block_header *p,
                              const struct block_header *c)
{
    char why[200];
    enum block_error e = validate_header(cfg, p, c, why, sizeof why);
    if (e)
        print_message("  (%s: %s)\n", block_error_name(e), why);
    return e;
}

/* Which header fields Prague and later forks have (EIP-7685
 * requestsHash), the blob target of each fork in the excess check, and
 * a fork parevm does not implement refused. */
static void test_prague_header_fields(void **state)
{
    (void)state;
    struct chain_config cfg;
    struct block_header p, c;
    cancun_pair(&cfg, &p, &c);
    c.has_requests_hash = true; /* a Cancun header with a requests hash */
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_HEADER_FIELDS);
    static const enum fork forks[] = {FORK_PRAGUE, FORK_OSAKA, FORK_BPO1, FORK_BPO2};
    for (size_t i = 0; i < sizeof forks / sizeof forks[0]; i++) {
        cancun_pair(&cfg, &p, &c);
        chain_config_single(&cfg, forks[i]);
        p.has_requests_hash = true;
        assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
        c.parent_hash = p.hash;
        assert_int_equal(check(&cfg, &p, &c), BLOCKERR_HEADER_FIELDS); /* missing */
        c.has_requests_hash = true;
        assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
        /* Parent 10 blobs of excess, 6 used: above every target, so the
         * excess follows the fork's target (6, 6, 10, 14). A base
         * fee of 16 keeps EIP-7918's reserve price (Osaka on) from
         * binding: 16 * 2^13 is not above 2^17 * 1. */
        p.excess_blob_gas = 10 * 131072;
        p.blob_gas_used = 6 * 131072;
        p.base_fee = c.base_fee = u256_from_u64(16);
        assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
        c.parent_hash = p.hash;
        uint64_t target = fork_blob_params(forks[i])->target;
        c.excess_blob_gas = (16 - target) * 131072;
        assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
        c.excess_blob_gas = 13 * 131072; /* Cancun's answer */
        assert_int_equal(check(&cfg, &p, &c), BLOCKERR_EXCESS_BLOB_GAS);
        /* Base fee 17: from Osaka the reserve binds and the excess grows
         * by used * (max - target) / max: 10 + 6 * (9-6)/9, (15-10)/15,
         * (21-14)/21 = 12 blobs in each schedule. */
        p.base_fee = c.base_fee = u256_from_u64(17);
        assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
        c.parent_hash = p.hash;
        c.excess_blob_gas = (forks[i] >= FORK_OSAKA ? 12 : 16 - target) * 131072;
        assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    }
    /* Amsterdam wants its own two fields beside Prague's; a fork parevm
     * does not implement has no header rules to check */
    cancun_pair(&cfg, &p, &c);
    chain_config_single(&cfg, FORK_AMSTERDAM);
    c.has_requests_hash = true;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_HEADER_FIELDS);
    unsigned saved = fork_amsterdam_eips;
    fork_amsterdam_eips |= AMSTERDAM_UNKNOWN_EIP;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_UNSUPPORTED);
    fork_amsterdam_eips = saved;
}

static void test_header_rules(void **state)
{
    (void)state;
    struct chain_config cfg;
    struct block_header p, c;
    cancun_pair(&cfg, &p, &c);
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);

    /* Base fee: one wei off either way. */
    c.base_fee = u256_from_u64(1001);
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_BASE_FEE);
    c.base_fee = u256_from_u64(999);
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_BASE_FEE);
    cancun_pair(&cfg, &p, &c);

    /* Timestamp: equal to the parent's is too old; one more is fine. */
    c.timestamp = p.timestamp;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_TIMESTAMP);
    c.timestamp = p.timestamp - 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_TIMESTAMP);
    c.timestamp = p.timestamp + 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);

    /* Gas limit: strictly inside parent +- parent/1024. */
    uint64_t delta = p.gas_limit / 1024;
    c.gas_limit = p.gas_limit + delta;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_GAS_LIMIT);
    c.gas_limit = p.gas_limit + delta - 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    c.gas_limit = p.gas_limit - delta;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_GAS_LIMIT);
    c.gas_limit = p.gas_limit - delta + 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    /* ... and never below 5000 or above 2^63 - 1. */
    p.gas_limit = 5000;
    p.gas_used = 2500;
    assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
    c.parent_hash = p.hash;
    c.gas_limit = 4999;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_GAS_LIMIT);
    c.gas_limit = 5000;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    p.gas_limit = 0x7fffffffffffffffull;
    p.gas_used = p.gas_limit / 2;
    assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
    c.parent_hash = p.hash;
    c.gas_limit = 0x8000000000000000ull;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_GAS_LIMIT);
    c.gas_limit = 0x7fffffffffffffffull;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    cancun_pair(&cfg, &p, &c);

    /* Gas used above the limit. */
    c.gas_used = c.gas_limit + 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_GAS_USED_ABOVE_LIMIT);
    c.gas_used = c.gas_limit;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    cancun_pair(&cfg, &p, &c);

    /* Extra data: 32 bytes fine, 33 not. */
    c.extra_data_len = 32;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    c.extra_data_len = 33;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_EXTRA_DATA);
    cancun_pair(&cfg, &p, &c);

    /* Number, parent hash. */
    c.number = p.number + 2;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NUMBER);
    c.number = p.number;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NUMBER);
    cancun_pair(&cfg, &p, &c);
    c.parent_hash.bytes[0] ^= 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_UNKNOWN_PARENT);
    cancun_pair(&cfg, &p, &c);

    /* After the Merge: no difficulty, nonce or uncles (EIP-3675). */
    c.difficulty = u256_from_u64(1);
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_DIFFICULTY);
    cancun_pair(&cfg, &p, &c);
    c.nonce[7] = 1;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONCE);
    cancun_pair(&cfg, &p, &c);
    c.ommers_hash = EMPTY_TRIE_ROOT;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_OMMERS_HASH);
    cancun_pair(&cfg, &p, &c);

    /* Fork fields: a Cancun header must have them all. */
    c.has_parent_beacon_root = false;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_HEADER_FIELDS);
    cancun_pair(&cfg, &p, &c);

    /* EIP-4844 excess blob gas. */
    p.excess_blob_gas = 0;
    p.blob_gas_used = 6 * 131072;
    assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
    c.parent_hash = p.hash;
    c.excess_blob_gas = 0;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_EXCESS_BLOB_GAS);
    c.excess_blob_gas = 3 * 131072;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
}

static void test_base_fee_formula(void **state)
{
    (void)state;
    struct block_header p;
    memset(&p, 0, sizeof p);
    p.has_base_fee = true;
    p.gas_limit = 30000000;
    p.base_fee = u256_from_u64(1000000000);
    p.gas_used = 15000000; /* at target */
    u256 f = validate_next_base_fee(&p);
    assert_true(u256_eq(&f, &(u256){{1000000000, 0, 0, 0}}));
    p.gas_used = 30000000; /* full: +12.5% */
    f = validate_next_base_fee(&p);
    assert_true(u256_eq(&f, &(u256){{1125000000, 0, 0, 0}}));
    p.gas_used = 0; /* empty: -12.5% */
    f = validate_next_base_fee(&p);
    assert_true(u256_eq(&f, &(u256){{875000000, 0, 0, 0}}));
    /* An increase is at least 1 wei, a decrease may be 0. */
    p.base_fee = u256_from_u64(7);
    p.gas_used = 15000001;
    f = validate_next_base_fee(&p);
    assert_true(u256_eq(&f, &(u256){{8, 0, 0, 0}}));
    p.gas_used = 14999999;
    f = validate_next_base_fee(&p);
    assert_true(u256_eq(&f, &(u256){{7, 0, 0, 0}}));
    /* A huge base fee does not wrap. */
    p.base_fee = u256_max();
    p.gas_used = 30000000;
    f = validate_next_base_fee(&p);
    assert_true(u256_eq(&f, &(u256){{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}}));

    /* EIP-4844 excess blob gas. */
    struct block_header q;
    memset(&q, 0, sizeof q);
    q.has_blob_gas = true;
    q.blob_gas_used = 786432;
    assert_int_equal(validate_next_excess_blob_gas(&q, FORK_CANCUN, FORK_CANCUN), 393216);
    q.excess_blob_gas = 393216;
    q.blob_gas_used = 0;
    assert_int_equal(validate_next_excess_blob_gas(&q, FORK_CANCUN, FORK_CANCUN), 0);
    q.blob_gas_used = 131072;
    assert_int_equal(validate_next_excess_blob_gas(&q, FORK_CANCUN, FORK_CANCUN), 131072);
    assert_int_equal(validate_next_excess_blob_gas(&q, FORK_SHANGHAI, FORK_CANCUN), 0);
}

/* EIP-1559 at the London block: the gas limit may double, and the base fee
 * starts at 1 gwei. */
static void test_london_transition(void **state)
{
    (void)state;
    struct chain_config cfg;
    assert_true(chain_config_from_network(&cfg, "BerlinToLondonAt5"));
    struct block_header p, c;
    memset(&p, 0, sizeof p);
    p.ommers_hash = EMPTY_OMMERS_HASH;
    p.number = 4;
    p.timestamp = 100;
    p.gas_limit = 10000000;
    p.difficulty = u256_from_u64(MINIMUM_DIFFICULTY);
    assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
    p.has_hash = true;
    c = p;
    c.parent_hash = p.hash;
    c.number = 5;
    c.timestamp = 200;
    c.has_base_fee = true;
    c.base_fee = u256_from_u64(INITIAL_BASE_FEE);
    c.gas_limit = 20000000; /* doubled: inside (2 * parent) +- 2 * parent / 1024 */
    c.difficulty = validate_pow_difficulty(FORK_LONDON, &p, 5, 200, validate_bomb_delay(&cfg, FORK_LONDON, 5));
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
    c.gas_limit = 10000000; /* the old limit is now far outside the bounds */
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_GAS_LIMIT);
    c.gas_limit = 20000000;
    c.base_fee = u256_from_u64(INITIAL_BASE_FEE + 1);
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_BASE_FEE);
    c.has_base_fee = false;
    assert_int_equal(check(&cfg, &p, &c), BLOCKERR_HEADER_FIELDS);
}

/*
 * The bomb-only forks (no EVM change, only the bomb's delay): networks
 * named after them and the mainnet schedule. At block 11,500,000 over a
 * parent of difficulty 2^44 without uncles 10 s earlier, EIP-100's
 * adjustment is parent/2048 * max(1 - 10/9, -99) = 0, so the difficulty
 * is 2^44 + 2^(fake/100000 - 2) with fake = 11,500,000 - delay (no bomb
 * term below period 2):
 *   London (EIP-3554, 9,700,000):        fake 1,800,000 -> + 2^16
 *   ArrowGlacier (EIP-4345, 10,700,000): fake   800,000 -> + 2^6
 *   GrayGlacier (EIP-5133, 11,400,000):  fake   100,000 -> + 0
 *   MuirGlacier (EIP-2384, 9,000,000; Istanbul rules): fake 2,500,000
 *                                        -> + 2^23 (Istanbul alone,
 *                                        EIP-1234's 5,000,000: + 2^63)
 */
static void test_glacier_bomb_delays(void **state)
{
    (void)state;
    const uint64_t base = 1ull << 44;
    static const struct {
        const char *network;
        enum fork fork;
        uint64_t bomb;
    } cases[] = {
        {"London", FORK_LONDON, 1ull << 16},
        {"ArrowGlacier", FORK_LONDON, 1ull << 6},
        {"GrayGlacier", FORK_LONDON, 0},
        {"Istanbul", FORK_ISTANBUL, 1ull << 63},
        {"MuirGlacier", FORK_ISTANBUL, 1ull << 23},
        /* a transition at this very block; one block later than the
         * block, the London bomb still holds */
        {"LondonToArrowGlacierAt11500000", FORK_LONDON, 1ull << 6},
        {"LondonToArrowGlacierAt11500001", FORK_LONDON, 1ull << 16},
        {"ArrowGlacierToGrayGlacierAt11500000", FORK_LONDON, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct chain_config cfg;
        assert_true(chain_config_from_network(&cfg, cases[i].network));
        struct block_header p, c;
        memset(&p, 0, sizeof p);
        p.ommers_hash = EMPTY_OMMERS_HASH;
        p.number = 11499999;
        p.timestamp = 1000;
        p.gas_limit = 10000000;
        p.gas_used = 5000000; /* at the target: the base fee stays */
        p.difficulty = u256_from_u64(base);
        if (cases[i].fork >= FORK_LONDON) {
            p.has_base_fee = true;
            p.base_fee = u256_from_u64(1000);
        }
        assert_int_equal(block_header_hash(&p, &p.hash), PAREVM_OK);
        p.has_hash = true;
        c = p;
        c.parent_hash = p.hash;
        c.number = 11500000;
        c.timestamp = 1010;
        c.gas_used = 0;
        u256 want = {{base, 0, 0, 0}};
        bool carry = false;
        want = u256_add_carry(&want, &(u256){{cases[i].bomb, 0, 0, 0}}, &carry);
        u256 got = validate_pow_difficulty(cases[i].fork, &p, c.number, c.timestamp,
                                           validate_bomb_delay(&cfg, cases[i].fork, c.number));
        if (!u256_eq(&got, &want))
            print_error("%s: difficulty %llu + %llu wanted\n", cases[i].network, (unsigned long long)base,
                        (unsigned long long)cases[i].bomb);
        assert_true(u256_eq(&got, &want));
        /* The header with it validates; London's value is refused under
         * the glacier networks (and the other way round). */
        c.difficulty = want;
        assert_int_equal(check(&cfg, &p, &c), BLOCKERR_NONE);
        if (cases[i].fork == FORK_LONDON) {
            u256 other = {{base + (cases[i].bomb == (1ull << 16) ? 1ull << 6 : 1ull << 16), 0, 0, 0}};
            c.difficulty = other;
            assert_int_equal(check(&cfg, &p, &c), BLOCKERR_DIFFICULTY);
        }
    }
    /* Any other name sets no delay. */
    assert_int_equal(chain_glacier_bomb_delay("ArrowGlacier"), 10700000);
    assert_int_equal(chain_glacier_bomb_delay("GrayGlacier"), 11400000);
    assert_int_equal(chain_glacier_bomb_delay("MuirGlacier"), 9000000);
    assert_int_equal(chain_glacier_bomb_delay("London"), 0);
    /* "LondonToLondonAt5" is still no transition */
    struct chain_config cfg;
    assert_false(chain_config_from_network(&cfg, "LondonToLondonAt5"));
    assert_false(chain_config_from_network(&cfg, "GrayGlacierToArrowGlacierAt5"));

    /* The mainnet schedule, on each side of every bomb change. */
    chain_config_mainnet(&cfg);
    static const struct {
        enum fork fork;
        uint64_t number, delay;
    } mainnet[] = {
        {FORK_BYZANTIUM, 4370000, 3000000},                                     /* EIP-649 */
        {FORK_PETERSBURG, 7280000, 5000000},                                    /* EIP-1234 */
        {FORK_ISTANBUL, 9199999, 5000000},   {FORK_ISTANBUL, 9200000, 9000000}, /* EIP-2384 */
        {FORK_BERLIN, 12244000, 9000000},    {FORK_LONDON, 12965000, 9700000},  /* EIP-3554 */
        {FORK_LONDON, 13772999, 9700000},    {FORK_LONDON, 13773000, 10700000}, /* EIP-4345 */
        {FORK_LONDON, 15049999, 10700000},   {FORK_LONDON, 15050000, 11400000}, /* EIP-5133 */
    };
    for (size_t i = 0; i < sizeof mainnet / sizeof mainnet[0]; i++) {
        assert_int_equal(chain_config_fork(&cfg, mainnet[i].number, 0), mainnet[i].fork);
        assert_int_equal(validate_bomb_delay(&cfg, mainnet[i].fork, mainnet[i].number), mainnet[i].delay);
    }
}

/* Proof-of-work difficulty: mainnet blocks 1 and 2 (Frontier), and the
 * real headers of three mainnet parent/child pairs validate completely. */
static void test_pow_difficulty(void **state)
{
    (void)state;
    struct block_header g;
    memset(&g, 0, sizeof g);
    g.difficulty = u256_from_u64(17179869184ull); /* mainnet genesis */
    g.timestamp = 0;
    u256 d1 = validate_pow_difficulty(FORK_FRONTIER, &g, 1, 1438269988, 0);
    assert_true(u256_eq(&d1, &(u256){{17171480576ull, 0, 0, 0}}));
    g.difficulty = d1;
    g.timestamp = 1438269988;
    u256 d2 = validate_pow_difficulty(FORK_FRONTIER, &g, 2, 1438270017, 0);
    assert_true(u256_eq(&d2, &(u256){{17163096064ull, 0, 0, 0}}));
    /* Under 13 s the difficulty rises; never below the minimum. */
    u256 up = validate_pow_difficulty(FORK_FRONTIER, &g, 2, 1438269988 + 12, 0);
    assert_true(u256_gt(&up, &d1));
    g.difficulty = u256_from_u64(MINIMUM_DIFFICULTY);
    u256 low = validate_pow_difficulty(FORK_HOMESTEAD, &g, 2, 1438269988 + 10000, 0);
    assert_true(u256_eq(&low, &(u256){{MINIMUM_DIFFICULTY, 0, 0, 0}}));
    /* The bomb: 2^(period - 2) from period 2, pushed back by the delay
     * (EIP-100: a parent without uncles, 9 s: no adjustment). */
    g.ommers_hash = EMPTY_OMMERS_HASH;
    u256 bomb = validate_pow_difficulty(FORK_BYZANTIUM, &g, 3000000 + 500000, 1438269988 + 9, 3000000);
    assert_true(u256_eq(&bomb, &(u256){{MINIMUM_DIFFICULTY + 8, 0, 0, 0}}));
    /* A parent with uncles pulls it up by one step (parent / 2048). */
    memset(&g.ommers_hash, 0x11, 32);
    bomb = validate_pow_difficulty(FORK_BYZANTIUM, &g, 3000000 + 500000, 1438269988 + 9, 3000000);
    assert_true(u256_eq(&bomb, &(u256){{MINIMUM_DIFFICULTY + MINIMUM_DIFFICULTY / 2048 + 8, 0, 0, 0}}));

    static const struct {
        const char *parent, *child;
    } pairs[] = {{"1149999", "1150000"}, {"12243999", "12244000"}, {"19426586", "19426587"}};
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    size_t done = 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct mainnet_fixture p, c;
        char dir[512], err[512];
        snprintf(dir, sizeof dir, "%s/mainnet/%s", fixtures_root(), pairs[i].parent);
        if (access(dir, R_OK) != 0)
            continue;
        if (mainnet_load(dir, &cfg, &p, err, sizeof err))
            fail_msg("%s", err);
        snprintf(dir, sizeof dir, "%s/mainnet/%s", fixtures_root(), pairs[i].child);
        if (mainnet_load(dir, &cfg, &c, err, sizeof err))
            fail_msg("%s", err);
        assert_int_equal(check(&cfg, &p.block.header, &c.block.header), BLOCKERR_NONE);
        /* One unit more difficulty (or base fee) breaks it. */
        struct block_header bad = c.block.header;
        if (bad.has_base_fee) {
            u256 one = u256_from_u64(1);
            bad.base_fee = u256_add(&bad.base_fee, &one);
            assert_int_equal(check(&cfg, &p.block.header, &bad), BLOCKERR_BASE_FEE);
        } else {
            u256 one = u256_from_u64(1);
            bad.difficulty = u256_add(&bad.difficulty, &one);
            assert_int_equal(check(&cfg, &p.block.header, &bad), BLOCKERR_DIFFICULTY);
        }
        mainnet_fixture_free(&p);
        mainnet_fixture_free(&c);
        done++;
    }
    if (done == 0)
        print_message("mainnet pairs skipped: fixtures not found\n");
}

/* ---- uncles (before the Merge) ---- */

/* A Byzantium chain g <- a1 <- a2 <- ... with valid difficulties. */
static void make_child(const struct chain_config *cfg, const struct block_header *parent, uint64_t salt,
                       struct block_header *out)
{
    memset(out, 0, sizeof *out);
    out->parent_hash = parent->hash;
    out->ommers_hash = EMPTY_OMMERS_HASH;
    out->number = parent->number + 1;
    out->timestamp = parent->timestamp + 15;
    out->gas_limit = parent->gas_limit;
    out->coinbase.bytes[0] = (uint8_t)salt;
    out->difficulty = validate_pow_difficulty(FORK_BYZANTIUM, parent, out->number, out->timestamp,
                                              validate_bomb_delay(cfg, FORK_BYZANTIUM, out->number));
    assert_int_equal(block_header_hash(out, &out->hash), PAREVM_OK);
    out->has_hash = true;
}

static void test_uncle_rules(void **state)
{
    (void)state;
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_BYZANTIUM);
    enum { N = 10 };
    struct block_header chain[N]; /* chain[0] genesis .. chain[9] */
    memset(&chain[0], 0, sizeof chain[0]);
    chain[0].ommers_hash = EMPTY_OMMERS_HASH;
    chain[0].gas_limit = 8000000;
    chain[0].difficulty = u256_from_u64(MINIMUM_DIFFICULTY);
    assert_int_equal(block_header_hash(&chain[0], &chain[0].hash), PAREVM_OK);
    chain[0].has_hash = true;
    for (int i = 1; i < N; i++)
        make_child(&cfg, &chain[i - 1], 0, &chain[i]);
    assert_int_equal(check(&cfg, &chain[8], &chain[9]), BLOCKERR_NONE);

    /* The new block B at 10 has parent chain[9]; ancestry = chain[9..3]. */
    const struct block_header *anc_list[7];
    for (int k = 0; k < 7; k++)
        anc_list[k] = &chain[9 - k];
    hash32 included[1];
    struct validate_ancestry anc = {anc_list, 7, included, 0};
    struct block b;
    memset(&b, 0, sizeof b);
    make_child(&cfg, &chain[9], 0, &b.header);
    struct block_header uncles[3];
    b.uncles = uncles;
    char why[200];

    /* A sibling of chain[8] (child of chain[7]) is a fine uncle. */
    make_child(&cfg, &chain[7], 1, &uncles[0]);
    b.uncle_count = 1;
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_NONE);
    /* Two are fine, three are too many, a repeat is a duplicate. */
    make_child(&cfg, &chain[5], 2, &uncles[1]);
    b.uncle_count = 2;
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_NONE);
    make_child(&cfg, &chain[6], 3, &uncles[2]);
    b.uncle_count = 3;
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLES);
    uncles[1] = uncles[0];
    b.uncle_count = 2;
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLES);
    b.uncle_count = 1;

    /* An ancestor is no uncle. */
    uncles[0] = chain[8];
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLE_INVALID);
    /* A sibling of the block itself is not either. */
    make_child(&cfg, &chain[9], 4, &uncles[0]);
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLE_INVALID);
    /* Seven generations back is too old (child of chain[2], number 3). */
    make_child(&cfg, &chain[2], 5, &uncles[0]);
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLE_INVALID);
    /* Six back (child of chain[3], number 4) is the oldest allowed. */
    make_child(&cfg, &chain[3], 5, &uncles[0]);
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_NONE);
    /* Already included by an ancestor. */
    included[0] = uncles[0].hash;
    anc.included_uncle_count = 1;
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLE_INVALID);
    anc.included_uncle_count = 0;
    /* An uncle with a wrong difficulty is an invalid header. */
    uncles[0].difficulty = u256_from_u64(1);
    assert_int_equal(validate_uncles(&cfg, &b, &anc, why, sizeof why), BLOCKERR_UNCLE_INVALID);
    assert_non_null(strstr(why, "difficulty"));
    /* After the Merge any uncle is refused. */
    struct chain_config paris;
    chain_config_single(&paris, FORK_PARIS);
    make_child(&cfg, &chain[7], 1, &uncles[0]);
    assert_int_equal(validate_uncles(&paris, &b, &anc, why, sizeof why), BLOCKERR_UNCLES);
}

/* ---- a proof-of-work chain built here: fork choice and uncles ---- */

/* Mine an empty Byzantium block on (parent, parent_world): the header's
 * difficulty from the formula, its state root from executing it (block
 * and uncle rewards). Appends rlp([header, [], uncles]) to out_rlp. */
static void mine(const struct chain_config *cfg, const struct block_header *parent, const struct world *parent_world,
                 uint64_t dt, uint8_t miner, const struct block_header *uncles, size_t uncle_count,
                 struct block_header *out, struct world *out_world, struct bytebuf *out_rlp)
{
    struct block b;
    memset(&b, 0, sizeof b);
    struct block_header *h = &b.header;
    h->parent_hash = parent->hash;
    h->coinbase.bytes[19] = miner;
    h->tx_root = EMPTY_TRIE_ROOT;
    h->receipts_root = EMPTY_TRIE_ROOT;
    h->number = parent->number + 1;
    h->timestamp = parent->timestamp + dt;
    h->gas_limit = parent->gas_limit;
    h->difficulty = validate_pow_difficulty(FORK_BYZANTIUM, parent, h->number, h->timestamp,
                                            validate_bomb_delay(cfg, FORK_BYZANTIUM, h->number));
    struct bytebuf ul = {0};
    size_t l = rlp_list_begin(&ul);
    for (size_t i = 0; i < uncle_count; i++)
        assert_int_equal(block_header_encode(&uncles[i], &ul), PAREVM_OK);
    assert_int_equal(rlp_list_end(&ul, l), PAREVM_OK);
    keccak256(ul.data, ul.len, h->ommers_hash.bytes);
    b.uncles = (struct block_header *)uncles;
    b.uncle_count = uncle_count;

    assert_int_equal(world_clone(parent_world, out_world), PAREVM_OK);
    struct block_hashes hashes = {0};
    struct block_result res;
    assert_int_equal(exec_block_sequential(cfg, &b, out_world, &hashes, &res), PAREVM_OK);
    assert_false(res.invalid);
    block_result_free(&res);
    assert_int_equal(world_state_root(out_world, &h->state_root), PAREVM_OK);
    assert_int_equal(block_header_hash(h, &h->hash), PAREVM_OK);
    h->has_hash = true;
    *out = *h;

    bytebuf_reset(out_rlp);
    size_t list = rlp_list_begin(out_rlp);
    assert_int_equal(block_header_encode(h, out_rlp), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out_rlp, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out_rlp, ul.data, ul.len), PAREVM_OK);
    assert_int_equal(rlp_list_end(out_rlp, list), PAREVM_OK);
    bytebuf_free(&ul);
}

static void add_block(struct blocktest *t, const struct bytebuf *rlp, const char *expect)
{
    struct blocktest_block *grown = realloc(t->blocks, (t->block_count + 1) * sizeof *grown);
    assert_non_null(grown);
    t->blocks = grown;
    struct blocktest_block *b = &t->blocks[t->block_count++];
    memset(b, 0, sizeof *b);
    b->rlp = malloc(rlp->len);
    assert_non_null(b->rlp);
    memcpy(b->rlp, rlp->data, rlp->len);
    b->rlp_len = rlp->len;
    b->expect_exception = expect ? strdup(expect) : NULL;
}

/* G <- A1 <- A2 (slow blocks: less difficulty) and G <- B1 <- B2 (fast
 * blocks), imported A1, A2, B1, B2: the head is A2 until B2 gives chain B
 * more total difficulty; then C3 on B2 includes A1 as an uncle (valid:
 * two generations back, its parent G an ancestor), while C3' includes B1,
 * an ancestor (rejected). */
static void test_pow_fork_choice_and_uncles(void **state)
{
    (void)state;
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_BYZANTIUM);
    struct blocktest_file file;
    memset(&file, 0, sizeof file);
    file.tests = calloc(1, sizeof *file.tests);
    assert_non_null(file.tests);
    file.count = 1;
    struct blocktest *t = &file.tests[0];
    t->name = strdup("forkChoice");
    t->network = strdup("Byzantium");
    world_init(&t->pre);
    world_init(&t->post);
    address rich = {{0}};
    rich.bytes[0] = 0xaa;
    struct world_account *acct = world_get_or_create(&t->pre, &rich);
    assert_non_null(acct);
    acct->balance = u256_from_u64(1000000);

    struct block_header g;
    memset(&g, 0, sizeof g);
    g.ommers_hash = EMPTY_OMMERS_HASH;
    g.tx_root = EMPTY_TRIE_ROOT;
    g.receipts_root = EMPTY_TRIE_ROOT;
    g.gas_limit = 8000000;
    g.difficulty = u256_from_u64(0x20000);
    assert_int_equal(world_state_root(&t->pre, &g.state_root), PAREVM_OK);
    assert_int_equal(block_header_hash(&g, &g.hash), PAREVM_OK);
    g.has_hash = true;
    struct bytebuf rlp = {0};
    size_t list = rlp_list_begin(&rlp);
    assert_int_equal(block_header_encode(&g, &rlp), PAREVM_OK);
    rlp_encode_raw(&rlp, (const uint8_t *)"\xc0\xc0", 2);
    rlp_list_end(&rlp, list);
    t->genesis_rlp = malloc(rlp.len);
    memcpy(t->genesis_rlp, rlp.data, rlp.len);
    t->genesis_rlp_len = rlp.len;
    t->genesis_hash = g.hash;

    struct block_header a1, a2, b1, b2, c3, c3x;
    struct world wa1, wa2, wb1, wb2, wc3, wc3x;
    mine(&cfg, &g, &t->pre, 100, 1, NULL, 0, &a1, &wa1, &rlp);
    add_block(t, &rlp, NULL);
    mine(&cfg, &a1, &wa1, 100, 1, NULL, 0, &a2, &wa2, &rlp);
    add_block(t, &rlp, NULL);
    mine(&cfg, &g, &t->pre, 5, 2, NULL, 0, &b1, &wb1, &rlp);
    add_block(t, &rlp, NULL);

    /* After A1, A2, B1 the head is A2. */
    t->has_post_state_hash = true;
    assert_int_equal(world_state_root(&wa2, &t->post_state_hash), PAREVM_OK);
    t->last_block_hash = a2.hash;
    struct blocktest_result res;
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);

    /* B2 makes chain B heavier. */
    mine(&cfg, &b1, &wb1, 5, 2, NULL, 0, &b2, &wb2, &rlp);
    add_block(t, &rlp, NULL);
    assert_int_equal(world_state_root(&wb2, &t->post_state_hash), PAREVM_OK);
    t->last_block_hash = b2.hash;
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);

    /* An uncle that is an ancestor is rejected; the head stays B2. */
    mine(&cfg, &b2, &wb2, 5, 3, &b1, 1, &c3x, &wc3x, &rlp);
    add_block(t, &rlp, "BlockException.UNCLE_IS_ANCESTOR");
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);
    assert_int_equal(res.blocks_rejected, 1);

    /* A1 is a proper uncle of C3: the miner and the uncle's miner are paid. */
    mine(&cfg, &b2, &wb2, 5, 3, &a1, 1, &c3, &wc3, &rlp);
    add_block(t, &rlp, NULL);
    assert_int_equal(world_state_root(&wc3, &t->post_state_hash), PAREVM_OK);
    t->last_block_hash = c3.hash;
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);
    address uncle_miner = {{0}};
    uncle_miner.bytes[19] = 1;
    const struct world_account *um = world_get(&wc3, &uncle_miner);
    assert_non_null(um);
    /* (8 - 2) / 8 of 3 ETH for the uncle, on top of A1's and A2's own
     * rewards on chain A, which are not on this chain: exactly 2.25 ETH. */
    assert_true(u256_eq(&um->balance, &(u256){{2250000000000000000ull, 0, 0, 0}}));

    /* The same uncle again two blocks later: already included. */
    struct block_header c4;
    struct world wc4;
    mine(&cfg, &c3, &wc3, 5, 4, &a1, 1, &c4, &wc4, &rlp);
    add_block(t, &rlp, "BlockException.UNCLE_IN_CHAIN");
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);
    assert_int_equal(res.blocks_rejected, 2);

    struct world *ws[] = {&wa1, &wa2, &wb1, &wb2, &wc3, &wc3x, &wc4};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
        world_free(ws[i]);
    bytebuf_free(&rlp);
    blocktest_file_free(&file);
}

/* ---- an Osaka chain built here: requests hash, header fields, EIP-7934 ---- */

/* An empty Osaka block on (parent, parent_world): executed for its state
 * root and requests hash (the EIP-2935 call and the EIP-7002/7251
 * system calls run). rlp([header, [], [], []]) in out_rlp. */
static void osaka_child(const struct chain_config *cfg, const struct block_header *parent,
                        const struct world *parent_world, struct block_header *out, struct world *out_world,
                        struct bytebuf *out_rlp)
{
    struct block b;
    memset(&b, 0, sizeof b);
    struct block_header *h = &b.header;
    base_header(h);
    h->parent_hash = parent->hash;
    h->number = parent->number + 1;
    h->timestamp = parent->timestamp + 12;
    h->gas_limit = parent->gas_limit;
    h->base_fee = validate_next_base_fee(parent);
    h->excess_blob_gas = validate_next_excess_blob_gas(parent, FORK_OSAKA, FORK_OSAKA);
    h->has_requests_hash = true;
    b.has_withdrawals = true;
    assert_int_equal(world_clone(parent_world, out_world), PAREVM_OK);
    struct block_hashes hashes = {0};
    struct block_result res;
    assert_int_equal(exec_block_sequential(cfg, &b, out_world, &hashes, &res), PAREVM_OK);
    if (res.invalid)
        fail_msg("%s", res.invalid_message);
    assert_true(res.has_requests);
    h->requests_hash = res.requests_hash;
    block_result_free(&res);
    assert_int_equal(world_state_root(out_world, &h->state_root), PAREVM_OK);
    assert_int_equal(block_header_hash(h, &h->hash), PAREVM_OK);
    h->has_hash = true;
    *out = *h;
    encode_block(h, NULL, 0, true, out_rlp);
}

/* rlp([header, [legacy tx with data_len bytes of data], [], []]). */
static void block_with_data(const struct block_header *h, size_t data_len, struct bytebuf *out)
{
    bytebuf_reset(out);
    size_t list = rlp_list_begin(out);
    assert_int_equal(block_header_encode(h, out), PAREVM_OK);
    size_t txs = rlp_list_begin(out);
    size_t tx = rlp_list_begin(out);
    uint8_t to[20] = {0};
    uint8_t *data = calloc(data_len ? data_len : 1, 1);
    assert_non_null(data);
    assert_int_equal(rlp_encode_u64(out, 0), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(out, 1), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(out, 21000), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(out, to, 20), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(out, 0), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(out, data, data_len), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(out, 27), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(out, 1), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(out, 1), PAREVM_OK);
    free(data);
    assert_int_equal(rlp_list_end(out, tx), PAREVM_OK);
    assert_int_equal(rlp_list_end(out, txs), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out, (const uint8_t *)"\xc0\xc0", 2), PAREVM_OK);
    assert_int_equal(rlp_list_end(out, list), PAREVM_OK);
}

static void test_osaka_chain(void **state)
{
    (void)state;
    struct chain_config cfg;
    assert_true(chain_config_from_network(&cfg, "Osaka"));
    struct blocktest_file file;
    memset(&file, 0, sizeof file);
    file.tests = calloc(1, sizeof *file.tests);
    assert_non_null(file.tests);
    file.count = 1;
    struct blocktest *t = &file.tests[0];
    t->name = strdup("osakaChain");
    t->network = strdup("Osaka");
    world_init(&t->pre);
    world_init(&t->post);
    static const struct {
        const address *addr;
        const char *code;
    } contracts[] = {{&HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE},
                     {&WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_CODE},
                     {&CONSOLIDATION_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_CODE}};
    for (size_t i = 0; i < 3; i++) {
        uint8_t *bytes;
        size_t len;
        assert_int_equal(hex_decode_alloc(contracts[i].code, &bytes, &len), PAREVM_OK);
        struct world_account *acct = world_get_or_create(&t->pre, contracts[i].addr);
        assert_non_null(acct);
        struct code *c = code_new(bytes, len);
        world_set_code(acct, c);
        code_release(c);
        free(bytes);
    }
    /* Genesis: every header field up to requestsHash (no requests:
     * sha256 of nothing, EIP-7685). */
    struct block_header g;
    base_header(&g);
    g.number = 0;
    g.timestamp = 0;
    g.base_fee = u256_from_u64(1000000000);
    g.has_requests_hash = true;
    struct block_requests none;
    memset(&none, 0, sizeof none);
    assert_int_equal(block_requests_hash(&none, &g.requests_hash), PAREVM_OK);
    assert_int_equal(world_state_root(&t->pre, &g.state_root), PAREVM_OK);
    assert_int_equal(block_header_hash(&g, &g.hash), PAREVM_OK);
    g.has_hash = true;
    struct bytebuf rlp = {0};
    encode_block(&g, NULL, 0, true, &rlp);
    t->genesis_rlp = malloc(rlp.len);
    memcpy(t->genesis_rlp, rlp.data, rlp.len);
    t->genesis_rlp_len = rlp.len;
    t->genesis_hash = g.hash;
    /* The 21-field header decodes back to itself. */
    struct block back;
    char why[200];
    assert_int_equal(blocktest_decode_block(rlp.data, rlp.len, &back, NULL, why, sizeof why), PAREVM_OK);
    assert_true(back.header.has_requests_hash);
    assert_true(hash32_eq(&back.header.requests_hash, &g.requests_hash));
    assert_true(hash32_eq(&back.header.hash, &g.hash));
    block_free(&back);

    struct block_header b1, bad;
    struct world w1, wbad;
    osaka_child(&cfg, &g, &t->pre, &b1, &w1, &rlp);
    add_block(t, &rlp, NULL);
    /* EIP-2935 ran: slot 0 holds the genesis hash. */
    const struct world_account *hist = world_get(&w1, &HISTORY_STORAGE_ADDRESS);
    u256 k = u256_zero(), v = world_get_storage(hist, &k), gh = u256_from_be32(g.hash.bytes);
    assert_true(u256_eq(&v, &gh));
    t->has_post_state_hash = true;
    assert_int_equal(world_state_root(&w1, &t->post_state_hash), PAREVM_OK);
    t->last_block_hash = b1.hash;
    struct blocktest_result res;
    struct reject_log log = {0};
    assert_int_equal(blocktest_run(t, &res, on_reject, &log), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s", res.message);

    /* A wrong requests hash: INVALID_REQUESTS. */
    osaka_child(&cfg, &b1, &w1, &bad, &wbad, &rlp);
    world_free(&wbad);
    bad.requests_hash.bytes[0] ^= 1;
    assert_int_equal(block_header_hash(&bad, &bad.hash), PAREVM_OK);
    encode_block(&bad, NULL, 0, true, &rlp);
    add_block(t, &rlp, "BlockException.INVALID_REQUESTS");
    /* No requests hash at all: a header of the wrong shape. */
    osaka_child(&cfg, &b1, &w1, &bad, &wbad, &rlp);
    world_free(&wbad);
    bad.has_requests_hash = false;
    encode_block(&bad, NULL, 0, true, &rlp);
    add_block(t, &rlp, "BlockException.INCORRECT_BLOCK_FORMAT");
    assert_int_equal(blocktest_run(t, &res, on_reject, &log), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s (%s)", res.message, log.last);
    assert_int_equal(res.blocks_rejected, 2);

    /* EIP-7934: a block one byte over MAX_RLP_BLOCK_SIZE is rejected for
     * its size; one exactly at the limit is judged on its content (here
     * its transaction's gas price of 1 wei, below the base fee). */
    osaka_child(&cfg, &b1, &w1, &bad, &wbad, &rlp);
    world_free(&wbad);
    size_t data_len = MAX_RLP_BLOCK_SIZE - 2000;
    block_with_data(&bad, data_len, &rlp);
    data_len += MAX_RLP_BLOCK_SIZE - rlp.len; /* the length prefixes do not change size here */
    block_with_data(&bad, data_len, &rlp);
    assert_int_equal(rlp.len, MAX_RLP_BLOCK_SIZE);
    add_block(t, &rlp, "TransactionException.INSUFFICIENT_MAX_FEE_PER_GAS");
    block_with_data(&bad, data_len + 1, &rlp);
    assert_int_equal(rlp.len, MAX_RLP_BLOCK_SIZE + 1);
    add_block(t, &rlp, "BlockException.RLP_BLOCK_LIMIT_EXCEEDED");
    log.count = 0;
    assert_int_equal(blocktest_run(t, &res, on_reject, &log), PAREVM_OK);
    if (!res.pass)
        fail_msg("%s (%s)", res.message, log.last);
    assert_int_equal(res.blocks_rejected, 4);
    assert_non_null(strstr(log.last, "RLP_BLOCK_LIMIT_EXCEEDED"));

    world_free(&w1);
    bytebuf_free(&rlp);
    blocktest_file_free(&file);
}

/* ---- body and outcome ---- */

static void test_body_and_outcome(void **state)
{
    (void)state;
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_CANCUN);
    struct block b;
    memset(&b, 0, sizeof b);
    base_header(&b.header);
    b.has_withdrawals = true;
    struct block_digest d = {.tx_root = EMPTY_TRIE_ROOT, .ommers_hash = EMPTY_OMMERS_HASH,
                             .withdrawals_root = EMPTY_TRIE_ROOT};
    char why[200];
    assert_int_equal(validate_body(&cfg, &b, &d, why, sizeof why), BLOCKERR_NONE);
    b.has_withdrawals = false;
    assert_int_equal(validate_body(&cfg, &b, &d, why, sizeof why), BLOCKERR_WITHDRAWALS);
    b.has_withdrawals = true;
    d.ommers_hash = EMPTY_TRIE_ROOT;
    assert_int_equal(validate_body(&cfg, &b, &d, why, sizeof why), BLOCKERR_OMMERS_HASH);
    d.ommers_hash = EMPTY_OMMERS_HASH;

    uint8_t bloom[256] = {0};
    struct block_outcome o = {.gas_used = 0, .receipts_root = EMPTY_TRIE_ROOT, .logs_bloom = bloom,
                              .state_root = b.header.state_root};
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_NONE);
    o.gas_used = 1;
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_GAS_USED);
    o.gas_used = 0;
    d.tx_root.bytes[0] ^= 1;
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_TX_ROOT);
    d.tx_root = EMPTY_TRIE_ROOT;
    o.state_root.bytes[31] ^= 1;
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_STATE_ROOT);
    o.state_root = b.header.state_root;
    o.receipts_root.bytes[0] ^= 1;
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_RECEIPTS_ROOT);
    o.receipts_root = EMPTY_TRIE_ROOT;
    bloom[5] = 1;
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_LOGS_BLOOM);
    bloom[5] = 0;
    d.withdrawals_root.bytes[0] ^= 1;
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_WITHDRAWALS_ROOT);
    d.withdrawals_root = EMPTY_TRIE_ROOT;
    b.header.blob_gas_used = 131072; /* no blob transactions carried */
    assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_BLOB_GAS_USED);
}

/* Amsterdam's header: blockAccessListHash and slotNumber after the
 * requests hash, round-tripped through the encoder and the fixtures'
 * decoder; required by an Amsterdam selection with EIP-7928 and
 * EIP-7843; the access list hash checked against the execution's. */
static void test_amsterdam_header(void **state)
{
    (void)state;
    unsigned saved = fork_amsterdam_eips;
    struct block_header h;
    base_header(&h);
    h.has_requests_hash = true;
    memset(h.requests_hash.bytes, 0x33, 32);
    h.has_bal_hash = true;
    memset(h.bal_hash.bytes, 0x77, 32);
    h.has_slot_number = true;
    h.slot_number = 0x1234567890ull;
    struct bytebuf rlp = {0};
    assert_int_equal(block_header_encode(&h, &rlp), PAREVM_OK);
    struct block_header back;
    char why[200];
    assert_int_equal(blocktest_decode_header(rlp.data, rlp.len, &back, why, sizeof why), PAREVM_OK);
    assert_true(back.has_bal_hash && back.has_slot_number);
    assert_memory_equal(back.bal_hash.bytes, h.bal_hash.bytes, 32);
    assert_int_equal(back.slot_number, h.slot_number);
    struct bytebuf again = {0};
    assert_int_equal(block_header_encode(&back, &again), PAREVM_OK);
    assert_int_equal(again.len, rlp.len);
    assert_memory_equal(again.data, rlp.data, rlp.len);
    /* the slot number feeds SLOTNUM */
    struct chain_config cfg;
    chain_config_single(&cfg, FORK_AMSTERDAM);
    struct block_env env;
    block_env_from_header(&env, &cfg, &back);
    assert_int_equal(env.slot_number, h.slot_number);

    /* EIP-7928 and EIP-7843 (implemented: the selection is accepted):
     * the access list hash must be the execution's */
    fork_amsterdam_eips = EIP_7928 | EIP_7843;
    if (fork_implemented(FORK_AMSTERDAM)) {
        struct block b;
        memset(&b, 0, sizeof b);
        b.header = back;
        b.has_withdrawals = true;
        b.header.has_withdrawals_root = true;
        struct block_digest d = {.tx_root = EMPTY_TRIE_ROOT, .ommers_hash = EMPTY_OMMERS_HASH,
                                 .withdrawals_root = EMPTY_TRIE_ROOT};
        uint8_t bloom[256] = {0};
        struct block_outcome o = {.receipts_root = EMPTY_TRIE_ROOT, .logs_bloom = bloom,
                                  .state_root = back.state_root, .requests_hash = back.requests_hash,
                                  .bal_hash = back.bal_hash, .blob_gas_used = back.blob_gas_used,
                                  .gas_used = back.gas_used};
        assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_NONE);
        o.bal_hash.bytes[3] ^= 1;
        assert_int_equal(validate_outcome(&cfg, &b, &d, &o, why, sizeof why), BLOCKERR_BAL_HASH);
        assert_non_null(strstr(why, "block access list hash"));
    }
    /* an Amsterdam header without them is the wrong format */
    struct block_header parent, child = back;
    base_header(&parent);
    child.has_slot_number = false;
    enum block_error e = validate_header(&cfg, &parent, &child, why, sizeof why);
    assert_int_equal(e, BLOCKERR_HEADER_FIELDS);
    assert_non_null(strstr(why, "slotNumber missing"));
    fork_amsterdam_eips = saved;
    bytebuf_free(&again);
    bytebuf_free(&rlp);
}

static void test_exception_matching(void **state)
{
    (void)state;
    struct blocktest_rejection r = {.code = BLOCKERR_TX_INVALID, .tx_error = TXERR_INTRINSIC_GAS};
    assert_true(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", &r));
    assert_true(blocktest_exception_matches(
        "TransactionException.INSUFFICIENT_ACCOUNT_FUNDS|TransactionException.INTRINSIC_GAS_TOO_LOW", &r));
    assert_false(blocktest_exception_matches("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS", &r));
    assert_false(blocktest_exception_matches("BlockException.INTRINSIC_GAS_TOO_LOW_X", &r));
    r.code = BLOCKERR_BASE_FEE;
    assert_true(blocktest_exception_matches("BlockException.INVALID_BASEFEE_PER_GAS", &r));
    assert_false(blocktest_exception_matches("BlockException.INVALID_GASLIMIT", &r));
    assert_string_equal(blocktest_rejection_name(&r), "INVALID_BASE_FEE");
    for (int e = 0; e < BLOCKERR__COUNT; e++)
        assert_string_not_equal(block_error_name((enum block_error)e), "UNKNOWN");
    assert_string_equal(block_error_name(BLOCKERR__COUNT), "UNKNOWN");
}

static struct blocktest_rejection tx_rejection(enum tx_error e, int type, size_t blobs)
{
    struct blocktest_rejection r = {.code = BLOCKERR_TX_INVALID, .tx_error = e, .fork = FORK_CANCUN};
    r.tx_type = type;
    r.tx_blob_count = blobs;
    return r;
}

/* The kind of the rejection, not only its presence, must be the one
 * expectException names: the class counts, each "|" alternative is tried
 * (spaces ignored), names depend on the transaction (type, blobs) and the
 * fork where the fixtures tell them apart, and the older retesteth
 * spellings map to the same kinds. */
static void test_exception_kinds(void **state)
{
    (void)state;
    struct blocktest_rejection r = tx_rejection(TXERR_INTRINSIC_GAS, 2, 0);
    /* The class must fit: a transaction's reason is no BlockException. */
    assert_false(blocktest_exception_matches("BlockException.INTRINSIC_GAS_TOO_LOW", &r));
    assert_false(blocktest_exception_matches("INTRINSIC_GAS_TOO_LOW", &r));
    assert_true(blocktest_exception_matches(
        " TransactionException.NONCE_MISMATCH_TOO_LOW | TransactionException.INTRINSIC_GAS_TOO_LOW ", &r));
    assert_false(blocktest_exception_matches("", &r));
    assert_false(blocktest_exception_matches("|", &r));
    assert_true(blocktest_exception_matches("TR_IntrinsicGas", &r));
    assert_true(blocktest_exception_matches("IntrinsicGas", &r));
    assert_false(blocktest_exception_matches("TR_NoFunds", &r));

    /* EIP-7623: below the calldata floor only, below the intrinsic gas
     * only, or both (from Prague). */
    r.tx_below_floor = true;
    assert_false(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", &r));
    assert_true(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_BELOW_FLOOR_GAS_COST", &r));
    r.tx_below_intrinsic = true;
    assert_true(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", &r));
    assert_true(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_BELOW_FLOOR_GAS_COST", &r));
    r.tx_below_floor = false;
    assert_false(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_BELOW_FLOOR_GAS_COST", &r));

    /* EIP-7825 and EIP-7702 reasons. */
    r = tx_rejection(TXERR_GAS_LIMIT_CAP, 2, 0);
    assert_true(blocktest_exception_matches("TransactionException.GAS_LIMIT_EXCEEDS_MAXIMUM", &r));
    assert_false(blocktest_exception_matches("TransactionException.GAS_ALLOWANCE_EXCEEDED", &r));
    r = tx_rejection(TXERR_SET_CODE_CREATE, 4, 0);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_4_TX_CONTRACT_CREATION", &r));
    r = tx_rejection(TXERR_EMPTY_AUTHORIZATIONS, 4, 0);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_4_EMPTY_AUTHORIZATION_LIST", &r));
    r = tx_rejection(TXERR_TYPE_NOT_SUPPORTED, 4, 0);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_4_TX_PRE_FORK", &r));
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_PRE_FORK", &r));
    /* Every transaction error has a fixture name. */
    for (int e = TXERR_NONE + 1; e < TXERR__COUNT; e++) {
        r = tx_rejection((enum tx_error)e, 2, 1);
        char names[256];
        blocktest_rejection_kinds(&r, names, sizeof names);
        assert_non_null(strstr(names, "TransactionException."));
    }

    /* EIP-4844 names as execution-spec-tests spells them. */
    r = tx_rejection(TXERR_BLOB_HASH_VERSION, 3, 1);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH", &r));
    assert_false(blocktest_exception_matches("TransactionException.INVALID_BLOB_VERSIONED_HASH", &r));
    assert_true(blocktest_exception_matches("TR_BLOBVERSION_INVALID", &r));
    r = tx_rejection(TXERR_BLOB_CREATE, 3, 1);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_CONTRACT_CREATION", &r));
    /* Zero blobs and too many blobs are different rules. */
    r = tx_rejection(TXERR_BLOB_COUNT, 3, 0);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_ZERO_BLOBS", &r));
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_BLOB_COUNT_EXCEEDED", &r));
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", &r));
    r = tx_rejection(TXERR_BLOB_COUNT, 3, 7);
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_ZERO_BLOBS", &r));
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_BLOB_COUNT_EXCEEDED", &r));
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", &r));
    /* A type the fork does not have: the blob transaction before Cancun
     * has its own names, other types do not. */
    r = tx_rejection(TXERR_TYPE_NOT_SUPPORTED, 3, 1);
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_PRE_FORK", &r));
    assert_true(blocktest_exception_matches("TransactionException.TYPE_NOT_SUPPORTED", &r));
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_ZERO_BLOBS_PRE_FORK", &r));
    r.tx_blob_count = 0;
    assert_true(blocktest_exception_matches(
        "TransactionException.TYPE_3_TX_PRE_FORK|TransactionException.TYPE_3_TX_ZERO_BLOBS", &r));
    assert_true(blocktest_exception_matches("TransactionException.TYPE_3_TX_ZERO_BLOBS_PRE_FORK", &r));
    r = tx_rejection(TXERR_TYPE_NOT_SUPPORTED, 2, 0);
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_PRE_FORK", &r));
    assert_true(blocktest_exception_matches("TR_TypeNotSupported", &r));
    /* A block made invalid without a transaction error names nothing. */
    r = tx_rejection(TXERR_NONE, -1, 0);
    assert_false(blocktest_exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", &r));
    char kinds[256];
    blocktest_rejection_kinds(&r, kinds, sizeof kinds);
    assert_string_equal(kinds, "");

    /* A sender that cannot be recovered is the transaction's signature. */
    struct blocktest_rejection b = {.code = BLOCKERR_TX_SIGNATURE, .fork = FORK_CANCUN, .tx_type = -1};
    assert_true(blocktest_exception_matches("TransactionException.INVALID_SIGNATURE_VRS", &b));
    assert_false(blocktest_exception_matches("BlockException.INVALID_SIGNATURE_VRS", &b));

    /* EIP-3675: uncles and difficulty over Paris are named as such; before
     * the Merge the same errors are the proof-of-work rules. */
    b = (struct blocktest_rejection){.code = BLOCKERR_OMMERS_HASH, .fork = FORK_PARIS, .tx_type = -1};
    assert_true(blocktest_exception_matches("BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", &b));
    b.fork = FORK_LONDON;
    assert_false(blocktest_exception_matches("BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", &b));
    assert_true(blocktest_exception_matches("BlockException.INVALID_UNCLES_HASH", &b));
    assert_true(blocktest_exception_matches("InvalidUnclesHash", &b));
    b.code = BLOCKERR_DIFFICULTY;
    assert_true(blocktest_exception_matches("BlockException.INVALID_DIFFICULTY", &b));
    assert_false(blocktest_exception_matches("BlockException.IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS", &b));
    b.fork = FORK_SHANGHAI;
    assert_false(blocktest_exception_matches("BlockException.INVALID_DIFFICULTY", &b));
    assert_true(blocktest_exception_matches("BlockException.IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS", &b));

    /* retesteth block names. */
    b.code = BLOCKERR_GAS_LIMIT;
    assert_true(blocktest_exception_matches("InvalidGasLimit", &b));
    assert_true(blocktest_exception_matches("BlockException.GASLIMIT_TOO_BIG", &b));
    assert_false(blocktest_exception_matches("BlockException.INVALID_BASEFEE_PER_GAS", &b));
    assert_false(blocktest_exception_matches("RLP_InputString_TooLong_UINT64_DECODEINTO_BLOCK_EXTBLOCK_HEADER_GASLIMIT",
                                             &b));
    b.code = BLOCKERR_TIMESTAMP;
    assert_true(blocktest_exception_matches("InvalidTimestampOlderParent", &b));
    b.code = BLOCKERR_UNSUPPORTED; /* a refusal is never an expected rejection */
    assert_false(blocktest_exception_matches("BlockException.INCORRECT_BLOCK_FORMAT", &b));

    /* Blocks that do not decode: the part and field decide. */
    b = (struct blocktest_rejection){.code = BLOCKERR_RLP, .tx_type = -1, .decode_part = BT_DECODE_WITHDRAWAL,
                                     .decode_error = PAREVM_ERR_RLP, .decode_field = "address"};
    assert_true(blocktest_exception_matches("BlockException.RLP_STRUCTURES_ENCODING|BlockException.RLP_INVALID_ADDRESS",
                                            &b));
    assert_true(blocktest_exception_matches("BlockException.RLP_INVALID_ADDRESS", &b));
    assert_false(blocktest_exception_matches("BlockException.RLP_INVALID_FIELD_OVERFLOW_64", &b));
    assert_true(blocktest_exception_matches("RLP_ExpectedInputList_EXTBLOCK", &b));
    b.decode_part = BT_DECODE_HEADER;
    b.decode_field = NULL;
    b.decode_error = PAREVM_ERR_RANGE;
    assert_true(blocktest_exception_matches("BlockException.RLP_INVALID_FIELD_OVERFLOW_64", &b));
    assert_false(blocktest_exception_matches("BlockException.RLP_INVALID_ADDRESS", &b));
    b.decode_part = BT_DECODE_TRANSACTION;
    b.decode_error = PAREVM_ERR_RLP;
    b.tx_reason = "value";
    b.tx_type = 2;
    assert_true(blocktest_exception_matches("TransactionException.RLP_INVALID_VALUE", &b));
    assert_false(blocktest_exception_matches("TransactionException.RLP_INVALID_NONCE", &b));
    b.tx_reason = "to: empty (types 3 and 4 cannot create, EIP-4844, EIP-7702)";
    b.tx_type = 4;
    assert_true(blocktest_exception_matches("TransactionException.TYPE_4_TX_CONTRACT_CREATION", &b));
    assert_false(blocktest_exception_matches("TransactionException.TYPE_3_TX_CONTRACT_CREATION", &b));
    b.tx_reason = "authorization_list: empty (EIP-7702)";
    assert_true(blocktest_exception_matches("TransactionException.TYPE_4_EMPTY_AUTHORIZATION_LIST", &b));
    b.tx_reason = "authorization: address not 20 bytes";
    assert_true(blocktest_exception_matches("TransactionException.TYPE_4_INVALID_AUTHORIZATION_FORMAT", &b));
    b.tx_type = 2;
    b.tx_reason = "nonce";
    b.decode_error = PAREVM_ERR_RANGE;
    assert_true(blocktest_exception_matches("TransactionException.NONCE_OVERFLOW", &b));
    assert_false(blocktest_exception_matches("TransactionException.RLP_INVALID_NONCE", &b));
    blocktest_rejection_kinds(&b, kinds, sizeof kinds);
    assert_string_equal(kinds, "BlockException.RLP_STRUCTURES_ENCODING|TransactionException.NONCE_OVERFLOW|"
                               "InvalidNonce|NonceTooLong|LeadingZerosNonce|LeadingZerosNonceSize");
    /* Truncated, always terminated. */
    blocktest_rejection_kinds(&b, kinds, 10);
    assert_string_equal(kinds, "BlockExce");
}

/* rlp([header, [tx], [], []]): tx as given (a legacy list) or as a
 * string (a typed transaction). */
static void encode_block_with_tx(const uint8_t *tx, size_t tx_len, bool typed, struct bytebuf *out)
{
    struct block_header h;
    base_header(&h);
    bytebuf_reset(out);
    size_t list = rlp_list_begin(out);
    assert_int_equal(block_header_encode(&h, out), PAREVM_OK);
    size_t txs = rlp_list_begin(out);
    if (typed)
        assert_int_equal(rlp_encode_bytes(out, tx, tx_len), PAREVM_OK);
    else
        assert_int_equal(rlp_encode_raw(out, tx, tx_len), PAREVM_OK);
    assert_int_equal(rlp_list_end(out, txs), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    assert_int_equal(rlp_encode_raw(out, (const uint8_t *)"\xc0", 1), PAREVM_OK);
    assert_int_equal(rlp_list_end(out, list), PAREVM_OK);
}

/* Import a block holding one undecodable transaction into test t (its
 * first block replaced): it is rejected as `match` names it (the run
 * then fails only at the end: the chain is shorter than the fixture's),
 * and `other` names another kind, a failure at that block that says
 * what was expected and what came. */
static void expect_tx_decode_kind(struct blocktest *t, const struct bytebuf *tx, bool typed, const char *match,
                                  const char *other)
{
    struct blocktest_block *blk = &t->blocks[0];
    struct bytebuf block = {0};
    encode_block_with_tx(tx->data, tx->len, typed, &block);
    free(blk->rlp);
    blk->rlp = malloc(block.len);
    assert_non_null(blk->rlp);
    memcpy(blk->rlp, block.data, block.len);
    blk->rlp_len = block.len;
    bytebuf_free(&block);

    struct blocktest_result res;
    struct reject_log log = {0};
    free(blk->expect_exception);
    blk->expect_exception = strdup(match);
    assert_int_equal(blocktest_run(t, &res, on_reject, &log), PAREVM_OK);
    assert_int_equal(log.count, 1);
    assert_non_null(strstr(res.message, "post: "));

    free(blk->expect_exception);
    blk->expect_exception = strdup(other);
    assert_int_equal(blocktest_run(t, &res, NULL, NULL), PAREVM_OK);
    assert_false(res.pass);
    char want[300];
    snprintf(want, sizeof want, "block 1: expected exception %s, got RLP_ENCODING (", other);
    assert_non_null(strstr(res.message, want));
}

/* A transaction that does not decode is rejected as the fixtures name
 * the broken field (decoding happens when the block is imported). */
static void test_tx_decode_kinds(void **state)
{
    (void)state;
    struct blocktest_file f;
    load("ValidBlocks/bcExample/basefeeExample.json", &f);
    struct blocktest *t = &f.tests[0];
    struct bytebuf tx = {0};
    uint8_t hash[32] = {0x01};
    uint8_t to[20] = {0xaa};

    /* EIP-4844: a blob transaction with an empty `to`. */
    bytebuf_reset(&tx);
    bytebuf_push(&tx, 0x03);
    size_t list = rlp_list_begin(&tx);
    rlp_encode_u64(&tx, 1);          /* chain id */
    rlp_encode_u64(&tx, 0);          /* nonce */
    rlp_encode_u64(&tx, 1);          /* max priority fee */
    rlp_encode_u64(&tx, 100);        /* max fee */
    rlp_encode_u64(&tx, 21000);      /* gas */
    rlp_encode_bytes(&tx, NULL, 0);  /* to: empty */
    rlp_encode_u64(&tx, 0);          /* value */
    rlp_encode_bytes(&tx, NULL, 0);  /* data */
    rlp_encode_raw(&tx, (const uint8_t *)"\xc0", 1); /* access list */
    rlp_encode_u64(&tx, 1);          /* max fee per blob gas */
    size_t hashes = rlp_list_begin(&tx);
    rlp_encode_bytes(&tx, hash, 32);
    rlp_list_end(&tx, hashes);
    rlp_encode_u64(&tx, 0); /* y parity, r, s */
    rlp_encode_u64(&tx, 1);
    rlp_encode_u64(&tx, 1);
    /* the list starts after the type byte */
    assert_int_equal(rlp_list_end(&tx, list), PAREVM_OK);
    expect_tx_decode_kind(t, &tx, true, "TransactionException.TYPE_3_TX_CONTRACT_CREATION",
                          "TransactionException.RLP_INVALID_TO");

    /* A legacy transaction whose value is a list. */
    bytebuf_reset(&tx);
    list = rlp_list_begin(&tx);
    rlp_encode_u64(&tx, 0);
    rlp_encode_u64(&tx, 10);
    rlp_encode_u64(&tx, 21000);
    rlp_encode_bytes(&tx, to, 20);
    rlp_encode_raw(&tx, (const uint8_t *)"\xc0", 1); /* value: [] */
    rlp_encode_bytes(&tx, NULL, 0);
    rlp_encode_u64(&tx, 27);
    rlp_encode_u64(&tx, 1);
    rlp_encode_u64(&tx, 1);
    assert_int_equal(rlp_list_end(&tx, list), PAREVM_OK);
    expect_tx_decode_kind(t, &tx, false, "TransactionException.RLP_INVALID_VALUE|BlockException.INVALID_GASLIMIT",
                          "TransactionException.RLP_INVALID_NONCE");

    /* A nonce of 9 bytes (EIP-2681: nonces are 64-bit). */
    bytebuf_reset(&tx);
    list = rlp_list_begin(&tx);
    static const uint8_t big[9] = {1};
    rlp_encode_bytes(&tx, big, 9);
    rlp_encode_u64(&tx, 10);
    rlp_encode_u64(&tx, 21000);
    rlp_encode_bytes(&tx, to, 20);
    rlp_encode_u64(&tx, 0);
    rlp_encode_bytes(&tx, NULL, 0);
    rlp_encode_u64(&tx, 27);
    rlp_encode_u64(&tx, 1);
    rlp_encode_u64(&tx, 1);
    assert_int_equal(rlp_list_end(&tx, list), PAREVM_OK);
    expect_tx_decode_kind(t, &tx, false, "TransactionException.NONCE_OVERFLOW",
                          "TransactionException.INTRINSIC_GAS_TOO_LOW");

    /* A type byte no fork defines (EIP-2718). */
    bytebuf_reset(&tx);
    bytebuf_push(&tx, 0x7f);
    bytebuf_push(&tx, 0xc0);
    expect_tx_decode_kind(t, &tx, true, "TransactionException.TYPE_NOT_SUPPORTED",
                          "BlockException.RLP_INVALID_FIELD_OVERFLOW_64");

    bytebuf_free(&tx);
    blocktest_file_free(&f);
}

/* Amsterdam, with every one of its EIPs, is run (its networks were
 * refused until EIP-8037 and EIP-2780 were in): a network in it, whole
 * or from a later block, loads and runs. A network that schedules a
 * fork parevm does not implement is refused before anything runs
 * (PAREVM_ERR_UNSUPPORTED, the fork named). */
static void test_amsterdam_network_runs(void **state)
{
    (void)state;
    static const char *const networks[] = {"Amsterdam", "OsakaToAmsterdamAtTime15k"};
    for (size_t i = 0; i < sizeof networks / sizeof networks[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"t\": {\"network\": \"%s\", \"genesisRLP\": \"0xc0\", \"genesisBlockHeader\": "
                 "{\"hash\": \"0x%064d\"}, \"pre\": {}, \"blocks\": [], \"postStateHash\": \"0x%064d\", "
                 "\"lastblockhash\": \"0x%064d\"}}",
                 networks[i], 0, 0, 0);
        struct blocktest_file f;
        char err[512];
        assert_int_equal(blocktest_load_file(write_tmp("amsterdam.json", json), &f, err, sizeof err), PAREVM_OK);
        struct blocktest_result res;
        assert_int_not_equal(blocktest_run(&f.tests[0], &res, NULL, NULL), PAREVM_ERR_UNSUPPORTED);
        assert_null(strstr(res.message, "network: refused"));
        /* a fork parevm does not implement (a selection with an EIP it
         * lacks) is refused before anything runs, the fork named */
        unsigned saved = fork_amsterdam_eips;
        fork_amsterdam_eips |= AMSTERDAM_UNKNOWN_EIP;
        assert_int_equal(blocktest_run(&f.tests[0], &res, NULL, NULL), PAREVM_ERR_UNSUPPORTED);
        fork_amsterdam_eips = saved;
        assert_false(res.pass);
        assert_non_null(strstr(res.message, "network: refused"));
        assert_non_null(strstr(res.message, "schedules fork Amsterdam, which parevm does not implement"));
        blocktest_file_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_basefee_example),
        cmocka_unit_test(test_fixture_shanghai_withdrawals),
        cmocka_unit_test(test_fixture_side_chain),
        cmocka_unit_test(test_fixture_invalid_blocks),
        cmocka_unit_test(test_trailing_bytes_rejected),
        cmocka_unit_test(test_reencode_matches_bytes),
        cmocka_unit_test(test_decode_synthetic),
        cmocka_unit_test(test_decode_mutations),
        cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_osaka_chain),
        cmocka_unit_test(test_prague_header_fields),
        cmocka_unit_test(test_base_fee_formula),
        cmocka_unit_test(test_london_transition),
        cmocka_unit_test(test_pow_difficulty),
        cmocka_unit_test(test_glacier_bomb_delays),
        cmocka_unit_test(test_uncle_rules),
        cmocka_unit_test(test_pow_fork_choice_and_uncles),
        cmocka_unit_test(test_body_and_outcome),
        cmocka_unit_test(test_amsterdam_header),
        cmocka_unit_test(test_exception_matching),
        cmocka_unit_test(test_exception_kinds),
        cmocka_unit_test(test_tx_decode_kinds),
        cmocka_unit_test(test_amsterdam_network_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
