/* Tests for chain/block (fork schedules, block env, receipts, roots, header
 * hashes, rewards, withdrawals) and exec/sequential on hand-built blocks
 * (system call, invalid blocks leave the world untouched).
 *
 * Known answers are real mainnet data: block 46147 (Frontier: header hash,
 * the transactions root of its one transaction) and block 19426587
 * (Cancun: header hash, the withdrawals root of its 16 withdrawals). With
 * the fixtures present, every snapshot's header hash, transactions root
 * and withdrawals root are checked against its header too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/buf.h"
#include "../src/base/hex.h"
#include "../src/base/keccak.h"
#include "../src/chain/block.h"
#include "../src/chain/validate.h"
#include "../src/exec/exec.h"
#include "../src/io/mainnet.h"
#include "../src/state/world.h"
#include "../src/chain/system_contracts.h"

static address addr_hex(const char *s)
{
    address a;
    assert_int_equal(hex_decode_exact(s, a.bytes, 20), PAREVM_OK);
    return a;
}

static hash32 hash_hex(const char *s)
{
    hash32 h;
    assert_int_equal(hex_decode_exact(s, h.bytes, 32), PAREVM_OK);
    return h;
}

static u256 eth(uint64_t n)
{
    u256 a = u256_from_u64(n), b = u256_from_u64(1000000000000000000ull);
    return u256_mul(&a, &b);
}

/* ---- fork schedules ---- */

static void test_mainnet_schedule(void **state)
{
    (void)state;
    struct chain_config c;
    chain_config_mainnet(&c);
    assert_int_equal(c.chain_id, 1);
    static const struct {
        uint64_t number, timestamp;
        enum fork fork;
    } cases[] = {
        {0, 0, FORK_FRONTIER},
        {1149999, 0, FORK_FRONTIER},
        {1150000, 0, FORK_HOMESTEAD},
        {1920000, 0, FORK_HOMESTEAD},
        {2462999, 0, FORK_HOMESTEAD},
        {2463000, 0, FORK_TANGERINE},
        {2674999, 0, FORK_TANGERINE},
        {2675000, 0, FORK_SPURIOUS},
        {4369999, 0, FORK_SPURIOUS},
        {4370000, 0, FORK_BYZANTIUM},
        {7279999, 0, FORK_BYZANTIUM},
        {7280000, 0, FORK_PETERSBURG}, /* straight to Petersburg rules */
        {9068999, 0, FORK_PETERSBURG},
        {9069000, 0, FORK_ISTANBUL},
        {9200000, 0, FORK_ISTANBUL}, /* Muir Glacier: no EVM change */
        {12243999, 0, FORK_ISTANBUL},
        {12244000, 0, FORK_BERLIN},
        {12964999, 0, FORK_BERLIN},
        {12965000, 0, FORK_LONDON},
        {15537393, 1663224162, FORK_LONDON},
        {15537394, 1663224179, FORK_PARIS},
        {17034869, 1681338454, FORK_PARIS},
        {17034870, 1681338455, FORK_SHANGHAI},
        {19426586, 1710338123, FORK_SHANGHAI},
        {19426587, 1710338135, FORK_CANCUN},
        {22000000, 1740000000, FORK_CANCUN},
        /* EIP-7600, EIP-7607, EIP-8134, EIP-8135 activation timestamps */
        {22431083, 1746612310, FORK_CANCUN},
        {22431084, 1746612311, FORK_PRAGUE},
        {23935693, 1764798550, FORK_PRAGUE},
        {23935694, 1764798551, FORK_OSAKA},
        {23975000, 1765290070, FORK_OSAKA},
        {23975001, 1765290071, FORK_BPO1},
        {24180000, 1767747670, FORK_BPO1},
        {24180001, 1767747671, FORK_BPO2},
        {30000000, 1900000000, FORK_BPO2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum fork f = chain_config_fork(&c, cases[i].number, cases[i].timestamp);
        if (f != cases[i].fork)
            fail_msg("block %llu: got %s, want %s", (unsigned long long)cases[i].number, fork_name(f),
                     fork_name(cases[i].fork));
    }
    assert_true(c.dao_fork);
    assert_int_equal(c.dao_block, 1920000);
}

static void test_network_names(void **state)
{
    (void)state;
    struct chain_config c;
    static const struct {
        const char *name;
        enum fork fork;
    } singles[] = {
        {"Frontier", FORK_FRONTIER},
        {"Homestead", FORK_HOMESTEAD},
        {"EIP150", FORK_TANGERINE},
        {"EIP158", FORK_SPURIOUS},
        {"Byzantium", FORK_BYZANTIUM},
        {"Constantinople", FORK_CONSTANTINOPLE},
        {"ConstantinopleFix", FORK_PETERSBURG},
        {"Istanbul", FORK_ISTANBUL},
        {"Berlin", FORK_BERLIN},
        {"London", FORK_LONDON},
        {"Paris", FORK_PARIS},
        {"Merge", FORK_PARIS},
        {"Shanghai", FORK_SHANGHAI},
        {"Cancun", FORK_CANCUN},
        {"Prague", FORK_PRAGUE},
        {"Osaka", FORK_OSAKA},
        {"BPO1", FORK_BPO1},
        {"BPO2", FORK_BPO2},
    };
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        assert_true(chain_config_from_network(&c, singles[i].name));
        assert_int_equal(chain_config_fork(&c, 0, 0), singles[i].fork);
        assert_int_equal(chain_config_fork(&c, 1000000000, 2000000000), singles[i].fork);
        assert_int_equal(c.chain_id, 1);
        assert_false(c.dao_fork);
    }

    static const struct {
        const char *name;
        enum fork before, after;
        uint64_t at;
        bool by_time;
    } transitions[] = {
        {"FrontierToHomesteadAt5", FORK_FRONTIER, FORK_HOMESTEAD, 5, false},
        {"HomesteadToEIP150At5", FORK_HOMESTEAD, FORK_TANGERINE, 5, false},
        {"EIP158ToByzantiumAt5", FORK_SPURIOUS, FORK_BYZANTIUM, 5, false},
        {"ByzantiumToConstantinopleFixAt5", FORK_BYZANTIUM, FORK_PETERSBURG, 5, false},
        {"BerlinToLondonAt5", FORK_BERLIN, FORK_LONDON, 5, false},
        {"ParisToShanghaiAtTime15k", FORK_PARIS, FORK_SHANGHAI, 15000, true},
        {"ShanghaiToCancunAtTime15k", FORK_SHANGHAI, FORK_CANCUN, 15000, true},
        {"CancunToPragueAtTime15k", FORK_CANCUN, FORK_PRAGUE, 15000, true},
        {"PragueToOsakaAtTime15k", FORK_PRAGUE, FORK_OSAKA, 15000, true},
        {"OsakaToBPO1AtTime15k", FORK_OSAKA, FORK_BPO1, 15000, true},
        {"BPO1ToBPO2AtTime15k", FORK_BPO1, FORK_BPO2, 15000, true},
    };
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
        assert_true(chain_config_from_network(&c, transitions[i].name));
        uint64_t at = transitions[i].at;
        if (transitions[i].by_time) {
            assert_int_equal(chain_config_fork(&c, 100, at - 1), transitions[i].before);
            assert_int_equal(chain_config_fork(&c, 1, at), transitions[i].after);
        } else {
            assert_int_equal(chain_config_fork(&c, at - 1, 0), transitions[i].before);
            assert_int_equal(chain_config_fork(&c, at, 0), transitions[i].after);
            assert_int_equal(chain_config_fork(&c, at + 100, 0), transitions[i].after);
        }
    }

    /* DAO: Homestead rules throughout, the irregular change at block 5. */
    assert_true(chain_config_from_network(&c, "HomesteadToDaoAt5"));
    assert_int_equal(chain_config_fork(&c, 10, 0), FORK_HOMESTEAD);
    assert_true(c.dao_fork);
    assert_int_equal(c.dao_block, 5);

    /* The Merge by total difficulty: a zero-difficulty block is PoS. */
    assert_true(chain_config_from_network(&c, "ArrowGlacierToMergeAtDiffC0000"));
    struct block_header h;
    memset(&h, 0, sizeof h);
    h.number = 3;
    h.difficulty = u256_from_u64(0x20000);
    assert_int_equal(chain_config_header_fork(&c, &h), FORK_LONDON);
    h.difficulty = u256_zero();
    assert_int_equal(chain_config_header_fork(&c, &h), FORK_PARIS);

    assert_false(chain_config_from_network(&c, "NoSuchFork"));
    assert_false(chain_config_from_network(&c, "CancunToShanghaiAtTime15k"));
    assert_false(chain_config_from_network(&c, "OsakaToPragueAtTime15k"));
    assert_false(chain_config_from_network(&c, "BerlinToLondonAtx"));
    assert_false(chain_config_from_network(&c, ""));
}

/* ---- block env ---- */

static void test_block_env(void **state)
{
    (void)state;
    struct chain_config c;
    chain_config_mainnet(&c);
    struct block_header h;
    memset(&h, 0, sizeof h);
    h.number = 19426587;
    h.timestamp = 1710338135;
    h.gas_limit = 30000000;
    h.coinbase = addr_hex("0xdae56d85ff707b3d19427f23d8b03b7b76da1006");
    h.mix_hash = hash_hex("0x2617b147c1b3cf43a28d08d508ab2d8860c6cf40da58837676cfaaf4f9e07f62");
    h.has_base_fee = true;
    h.base_fee = u256_from_u64(0xe6ca77a30);
    h.has_blob_gas = true;
    h.excess_blob_gas = 0;
    struct block_env env;
    block_env_from_header(&env, &c, &h);
    assert_int_equal(env.fork, FORK_CANCUN);
    assert_int_equal(env.chain_id, 1);
    assert_true(hash32_eq(&env.prev_randao, &h.mix_hash)); /* EIP-4399 */
    assert_true(u256_eq(&env.base_fee, &h.base_fee));
    u256 one = u256_from_u64(1); /* EIP-4844: MIN_BASE_FEE_PER_BLOB_GAS at zero excess */
    assert_true(u256_eq(&env.blob_base_fee, &one));
    assert_true(address_eq(&env.coinbase, &h.coinbase));
    assert_null(env.block_hash);

    h.excess_blob_gas = 10 * 3338477; /* e^10 rounded down by fake_exponential */
    block_env_from_header(&env, &c, &h);
    u256 want = block_env_blob_base_fee(FORK_CANCUN, 10 * 3338477);
    assert_true(u256_eq(&env.blob_base_fee, &want));
    assert_true(u256_gt(&env.blob_base_fee, &one));

    /* Before London the base fee is zero whatever the header says. */
    h.number = 12000000;
    h.timestamp = 1;
    block_env_from_header(&env, &c, &h);
    assert_int_equal(env.fork, FORK_ISTANBUL);
    assert_true(u256_is_zero(&env.base_fee));
}

/* ---- receipts and roots ---- */

/* ---- blob gas per fork ---- */

/* The blob base fee uses the fork's update fraction: e^(x / fraction),
 * floored by fake_exponential. Expected values worked out with an
 * independent big-integer evaluation of EIP-4844's series. */
static void test_blob_base_fee_per_fork(void **state)
{
    (void)state;
    static const struct {
        enum fork fork;
        uint64_t excess;
        uint64_t fee;
    } cases[] = {
        {FORK_CANCUN, 0, 1},
        {FORK_PRAGUE, 0, 1},
        {FORK_BPO2, 0, 1},
        /* excess = Prague's fraction: e^1 -> 2 in Prague, e^1.5 -> 4 in Cancun */
        {FORK_CANCUN, 5007716, 4},
        {FORK_PRAGUE, 5007716, 2},
        {FORK_OSAKA, 5007716, 2},
        {FORK_BPO1, 5007716, 1},
        {FORK_BPO2, 5007716, 1},
        {FORK_CANCUN, 50077160, 0x31e19e},
        {FORK_PRAGUE, 50077160, 0x560a},
        {FORK_OSAKA, 50077160, 0x560a},
        {FORK_BPO1, 50077160, 0x193},
        {FORK_BPO2, 50077160, 0x48},
        {FORK_PRAGUE, 100000000, 0x1c0a60a5},
        {FORK_BPO1, 100000000, 0x2701d},
        {FORK_BPO2, 100000000, 0x1459},
        {FORK_CANCUN, 100000000, 0x947c00e152bull},
        {FORK_SHANGHAI, 100000000, 0x947c00e152bull}, /* before Cancun: Cancun's */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        u256 got = block_env_blob_base_fee(cases[i].fork, cases[i].excess),
             want = u256_from_u64(cases[i].fee);
        if (!u256_eq(&got, &want))
            fail_msg("case %zu (%s, excess %llu): got 0x%llx", i, fork_name(cases[i].fork),
                     (unsigned long long)cases[i].excess, (unsigned long long)got.w[0]);
    }
    /* The block env takes the header's fork. */
    struct chain_config c;
    chain_config_single(&c, FORK_PRAGUE);
    struct block_header h;
    memset(&h, 0, sizeof h);
    h.has_base_fee = h.has_blob_gas = true;
    h.excess_blob_gas = 50077160;
    struct block_env env;
    block_env_from_header(&env, &c, &h);
    assert_true(u256_eq(&env.blob_base_fee, &(u256){{0x560a, 0, 0, 0}}));
    /* Maximum blob gas per block: 6, 9, 9, 15, 21 blobs. */
    assert_int_equal(block_max_blob_gas(FORK_CANCUN), 6 * 131072);
    assert_int_equal(block_max_blob_gas(FORK_PRAGUE), 9 * 131072);
    assert_int_equal(block_max_blob_gas(FORK_OSAKA), 9 * 131072);
    assert_int_equal(block_max_blob_gas(FORK_BPO1), 15 * 131072);
    assert_int_equal(block_max_blob_gas(FORK_BPO2), 21 * 131072);
}

/* Next excess blob gas: the fork's target, and EIP-7918's reserve price
 * from Osaka (base_fee > 16 * blob_base_fee: the excess grows by
 * used * (max - target) / max). */
static void test_next_excess_blob_gas(void **state)
{
    (void)state;
    struct block_header p;
    memset(&p, 0, sizeof p);
    p.has_blob_gas = p.has_base_fee = true;
    p.excess_blob_gas = 786432; /* blob base fee 1 under every schedule here */
    p.blob_gas_used = 7 * 131072;
    /* Cancun target 3 blobs, Prague 6: parent Cancun, child Prague (the
     * child's schedule applies at the fork block, EIP-7840). */
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_CANCUN, FORK_CANCUN), 786432 + 4 * 131072);
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_CANCUN, FORK_PRAGUE), 786432 + 131072);
    /* Below the target: zero, whatever the base fee. */
    p.base_fee = u256_from_u64(1000000);
    struct block_header low = p;
    low.excess_blob_gas = 0;
    low.blob_gas_used = 5 * 131072;
    assert_int_equal(validate_next_excess_blob_gas(&low, FORK_OSAKA, FORK_OSAKA), 0);
    /* EIP-7918 boundary: blob base fee 1, so the reserve binds from base
     * fee 17 (17 * 2^13 > 2^17 * 1), not at 16 (equal prices). */
    p.base_fee = u256_from_u64(16);
    assert_false(validate_blob_reserve_binds(&p, FORK_OSAKA));
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_OSAKA, FORK_OSAKA), 786432 + 131072);
    p.base_fee = u256_from_u64(17);
    assert_true(validate_blob_reserve_binds(&p, FORK_OSAKA));
    /* 786432 + 917504 * (9 - 6) / 9 = 786432 + 305834 (floored) */
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_OSAKA, FORK_OSAKA), 786432 + 305834);
    /* Prague has no reserve price. */
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_PRAGUE, FORK_PRAGUE), 786432 + 131072);
    /* BPO1 (target 10, max 15): 7 blobs + excess 6 blobs = 13 > 10; binding:
     * 786432 + 917504 * 5 / 15 = 786432 + 305834 */
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_OSAKA, FORK_BPO1), 786432 + 305834);
    p.base_fee = u256_from_u64(16);
    assert_int_equal(validate_next_excess_blob_gas(&p, FORK_OSAKA, FORK_BPO1), 786432 + 917504 - 10 * 131072);
    /* A blob base fee of 2 moves the boundary to 33. */
    p.excess_blob_gas = 5007716; /* Osaka: fee 2 */
    p.base_fee = u256_from_u64(32);
    assert_false(validate_blob_reserve_binds(&p, FORK_OSAKA));
    p.base_fee = u256_from_u64(33);
    assert_true(validate_blob_reserve_binds(&p, FORK_OSAKA));
    /* Huge fees neither wrap nor crash. */
    p.base_fee = u256_max();
    p.excess_blob_gas = UINT64_MAX / 2;
    assert_false(validate_blob_reserve_binds(&p, FORK_OSAKA)); /* the blob fee saturates */
}

static void test_receipt_encoding(void **state)
{
    (void)state;
    struct receipt r;
    memset(&r, 0, sizeof r);
    r.tx_type = 2;
    r.has_status = true;
    r.status = true;
    r.cumulative_gas_used = 0x5208;
    struct bytebuf b = {0};
    assert_int_equal(receipt_encode(&r, &b), PAREVM_OK);
    /* 0x02 || rlp([0x01, 0x5208, bloom(256 zero bytes), []]) (EIP-2718, EIP-658) */
    assert_int_equal(b.len, 1 + 3 + 1 + 3 + 3 + 256 + 1);
    static const uint8_t head[] = {0x02, 0xf9, 0x01, 0x08, 0x01, 0x82, 0x52, 0x08, 0xb9, 0x01, 0x00};
    assert_memory_equal(b.data, head, sizeof head);
    assert_int_equal(b.data[b.len - 1], 0xc0);

    /* Failure status is the empty string; legacy has no type byte. */
    bytebuf_reset(&b);
    r.tx_type = 0;
    r.status = false;
    assert_int_equal(receipt_encode(&r, &b), PAREVM_OK);
    assert_int_equal(b.data[0], 0xf9);
    assert_int_equal(b.data[3], 0x80);

    /* Pre-Byzantium: the intermediate state root. */
    bytebuf_reset(&b);
    r.has_status = false;
    memset(r.post_state.bytes, 0xab, 32);
    assert_int_equal(receipt_encode(&r, &b), PAREVM_OK);
    assert_int_equal(b.data[3], 0xa0);
    assert_int_equal(b.data[4], 0xab);
    bytebuf_free(&b);

    hash32 root;
    assert_int_equal(receipts_root(NULL, 0, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &EMPTY_TRIE_ROOT));
    assert_int_equal(transactions_root(NULL, 0, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &EMPTY_TRIE_ROOT));
    assert_int_equal(withdrawals_root(NULL, 0, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &EMPTY_TRIE_ROOT));
}

/* Block 19426587's withdrawals and header withdrawalsRoot. */
static void test_withdrawals_root(void **state)
{
    (void)state;
    static const uint64_t amounts[16] = {0xf525ca, 0xf65a40, 0xf60bc7, 0xf64111, 0xf50553, 0xf50e7b,
                                         0xf60c17, 0xf5f7f1, 0xf5dbcd, 0xf55877, 0xf5ec19, 0xf5d33f,
                                         0xf61f76, 0xf63a44, 0xf61ec3, 0xf59b04};
    struct withdrawal w[16];
    for (int i = 0; i < 16; i++) {
        w[i].index = 0x247e4a6 + (uint64_t)i;
        w[i].validator_index = 0x1359c9 + (uint64_t)i;
        w[i].addr = addr_hex("0x2bf916f8169ed2a77324d3e168284fc252ae4087");
        w[i].amount_gwei = amounts[i];
    }
    hash32 root, want = hash_hex("0x6c119891018ed3a43d04197a8eb94d85f287304b8ace21b08e9f68cbd2f8de61");
    assert_int_equal(withdrawals_root(w, 16, &root), PAREVM_OK);
    assert_true(hash32_eq(&root, &want));
    w[15].amount_gwei++;
    assert_int_equal(withdrawals_root(w, 16, &root), PAREVM_OK);
    assert_false(hash32_eq(&root, &want));
}

/* Header JSON of blocks 46147 (with its one transaction) and 19426587. */
static const char BLOCK_46147[] =
    "{\"hash\":\"0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd\",\"parentHash\":"
    "\"0x5a41d0e66b4120775176c09fcf39e7c0520517a13d2b57b18d33d342df038bfc\",\"sha3Uncles\":"
    "\"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\",\"miner\":"
    "\"0xe6a7a1d47ff21b6321162aea7c6cb457d5476bca\",\"stateRoot\":"
    "\"0x0e0df2706b0a4fb8bd08c9246d472abbe850af446405d9eba1db41db18b4a169\",\"transactionsRoot\":"
    "\"0x4513310fcb9f6f616972a3b948dc5d547f280849a87ebb5af0191f98b87be598\",\"receiptsRoot\":"
    "\"0xfe2bf2a941abf41d72637e5b91750332a30283efd40c424dc522b77e6f0ed8c4\",\"logsBloom\":\"0x"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\","
    "\"difficulty\":\"0x153886c1bbd\",\"number\":\"0xb443\",\"gasLimit\":\"0x520b\",\"gasUsed\":\"0x5208\","
    "\"timestamp\":\"0x55c42659\",\"extraData\":\"0x657468706f6f6c2e6f7267\",\"mixHash\":"
    "\"0xb48c515a9dde8d346c3337ea520aa995a4738bb595495506125449c1149d6cf4\",\"nonce\":\"0xba4f8ecd18aab215\","
    "\"uncles\":[],\"transactions\":[{\"hash\":"
    "\"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060\","
    "\"nonce\":\"0x0\",\"from\":\"0xa1e4380a3b1f749673e270229993ee55f35663b4\",\"to\":"
    "\"0x5df9b87991262f6ba471f09758cde1c0fc1de734\",\"value\":\"0x7a69\",\"gasPrice\":\"0x2d79883d2000\","
    "\"gas\":\"0x5208\",\"input\":\"0x\",\"r\":"
    "\"0x88ff6cf0fefd94db46111149ae4bfc179e9b94721fffd821d38d16464b3f71d0\","
    "\"s\":\"0x45e0aff800961cfce805daef7016b9b675c137a6a41a548f7b60a3484c06a33a\",\"v\":\"0x1c\",\"type\":"
    "\"0x0\"}]}";

static const char BLOCK_19426587[] =
    "{\"hash\":\"0xf8e2f40d98fe5862bc947c8c83d34799c50fb344d7445d020a8a946d891b62ee\",\"parentHash\":"
    "\"0xdb672c41cfd47c84ddb478ffde5a09b76964f77dceca0e62bdf719c965d73e7f\",\"sha3Uncles\":"
    "\"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\",\"miner\":"
    "\"0xdae56d85ff707b3d19427f23d8b03b7b76da1006\",\"stateRoot\":"
    "\"0xbd33ab68095087d81beb810b3f5d0b16050b3f798ae3978e440bab048dd78992\",\"transactionsRoot\":"
    "\"0x20cbdd2cd6113eb72dade6be7ec18fe6a7167a8a0af912a2171af909a8cda9f6\",\"receiptsRoot\":"
    "\"0x59c3691e83e0ddeafeedd07f5e30850cc6c963e85327aa1201fbe1f731ff3dbc\",\"logsBloom\":\"0x"
    "0021000000000001080801008000320000000060000000000005000080c200040000100000006002440409000000010402011000"
    "890200000a201000042800440442148c010020840800400901200020000004080164480880000060002906800401200102000000"
    "2"
    "510000000020900c8122010020284000080021006000101000000401810621c00400000000010100000048001004048080006402"
    "55"
    "000002201000010002000000040c0000000000400a004000c0000884000304e00202400100402000000004204000004041008005"
    "600"
    "001000001000000003015030120012280000022020910040429204408020009000000010120000400000000400\","
    "\"difficulty\":\"0x0\",\"number\":\"0x1286d1b\",\"gasLimit\":\"0x1c9c380\",\"gasUsed\":\"0x2830cd\","
    "\"timestamp\":\"0x65f1b057\",\"extraData\":\"0xd883010d0e846765746888676f312e32312e37856c696e7578\","
    "\"mixHash\":\"0x2617b147c1b3cf43a28d08d508ab2d8860c6cf40da58837676cfaaf4f9e07f62\",\"nonce\":"
    "\"0x0000000000000000\",\"baseFeePerGas\":\"0xe6ca77a30\",\"withdrawalsRoot\":"
    "\"0x6c119891018ed3a43d04197a8eb94d85f287304b8ace21b08e9f68cbd2f8de61\",\"blobGasUsed\":\"0x0\","
    "\"excessBlobGas\":\"0x0\",\"parentBeaconBlockRoot\":"
    "\"0xb35bb80bc5f4e3d8f19b62f6274add24dca334db242546c3024403027aaf6412\",\"uncles\":[],\"transactions\":[]"
    "}";

static void test_header_hash_known(void **state)
{
    (void)state;
    struct chain_config c;
    chain_config_mainnet(&c);
    char err[256];
    struct block b;

    assert_int_equal(mainnet_parse_block("46147", BLOCK_46147, strlen(BLOCK_46147), &c, &b, err, sizeof err),
                     PAREVM_OK);
    hash32 h, want = hash_hex("0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd");
    assert_int_equal(block_header_hash(&b.header, &h), PAREVM_OK);
    assert_true(hash32_eq(&h, &want));
    /* The transaction root of its one legacy transaction; the sender was
     * recovered (and matched `from`). */
    assert_int_equal(b.tx_count, 1);
    assert_true(b.txs[0].has_sender);
    address from = addr_hex("0xa1e4380a3b1f749673e270229993ee55f35663b4");
    assert_true(address_eq(&b.txs[0].sender, &from));
    assert_int_equal(transactions_root(b.txs, b.tx_count, &h), PAREVM_OK);
    assert_true(hash32_eq(&h, &b.header.tx_root));
    /* Any header field changes the hash. */
    b.header.nonce[7] ^= 1;
    assert_int_equal(block_header_hash(&b.header, &h), PAREVM_OK);
    assert_false(hash32_eq(&h, &want));
    block_free(&b);

    assert_int_equal(
        mainnet_parse_block("19426587", BLOCK_19426587, strlen(BLOCK_19426587), &c, &b, err, sizeof err),
        PAREVM_OK);
    want = hash_hex("0xf8e2f40d98fe5862bc947c8c83d34799c50fb344d7445d020a8a946d891b62ee");
    assert_true(b.header.has_base_fee && b.header.has_withdrawals_root && b.header.has_blob_gas &&
                b.header.has_parent_beacon_root);
    assert_int_equal(block_header_hash(&b.header, &h), PAREVM_OK);
    assert_true(hash32_eq(&h, &want));
    /* Dropping the Cancun fields gives another header. */
    b.header.has_parent_beacon_root = false;
    assert_int_equal(block_header_hash(&b.header, &h), PAREVM_OK);
    assert_false(hash32_eq(&h, &want));
    block_free(&b);
}

/* ---- block-level rules on a world ---- */

static void test_rewards(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct block b;
    memset(&b, 0, sizeof b);
    struct block_header uncles[1];
    memset(uncles, 0, sizeof uncles);
    b.header.number = 100;
    b.header.coinbase = addr_hex("0x00000000000000000000000000000000000000c0");
    uncles[0].number = 99;
    uncles[0].coinbase = addr_hex("0x00000000000000000000000000000000000000c1");
    b.uncles = uncles;
    b.uncle_count = 1;
    b.unknown_uncle_count = 1;

    u256 r = block_reward(FORK_FRONTIER), want = eth(5);
    assert_true(u256_eq(&r, &want));
    r = block_reward(FORK_BYZANTIUM);
    want = eth(3);
    assert_true(u256_eq(&r, &want));
    r = block_reward(FORK_PETERSBURG);
    want = eth(2);
    assert_true(u256_eq(&r, &want));
    r = block_reward(FORK_LONDON);
    assert_true(u256_eq(&r, &want));
    r = block_reward(FORK_PARIS);
    assert_true(u256_is_zero(&r));

    assert_int_equal(block_apply_rewards(&b, FORK_FRONTIER, &w), PAREVM_OK);
    /* Miner: 5 ETH + 2 uncles * 5/32 ETH; uncle (age 1): 7/8 * 5 ETH. */
    const struct world_account *m = world_get(&w, &b.header.coinbase);
    const struct world_account *u = world_get(&w, &uncles[0].coinbase);
    assert_non_null(m);
    assert_non_null(u);
    u256 a = u256_from_u64(5312500000000000000ull), c = u256_from_u64(4375000000000000000ull);
    assert_true(u256_eq(&m->balance, &a));
    assert_true(u256_eq(&u->balance, &c));

    /* Age 6 (the oldest allowed): 2/8 of 2 ETH. */
    uncles[0].number = 94;
    b.unknown_uncle_count = 0;
    world_free(&w);
    world_init(&w);
    assert_int_equal(block_apply_rewards(&b, FORK_PETERSBURG, &w), PAREVM_OK);
    u = world_get(&w, &uncles[0].coinbase);
    c = u256_from_u64(500000000000000000ull);
    assert_true(u256_eq(&u->balance, &c));

    /* From Paris: nothing, not even an empty coinbase. */
    world_free(&w);
    world_init(&w);
    assert_int_equal(block_apply_rewards(&b, FORK_PARIS, &w), PAREVM_OK);
    assert_int_equal(w.accounts.count, 0);
    world_free(&w);
}

static void test_withdrawals_apply(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    address absent = addr_hex("0x00000000000000000000000000000000000000a1");
    address empty = addr_hex("0x00000000000000000000000000000000000000a2");
    address rich = addr_hex("0x00000000000000000000000000000000000000a3");
    assert_non_null(world_get_or_create(&w, &empty));
    struct withdrawal wd[4] = {
        {1, 1, absent, 0}, /* zero to an absent account: not created (EIP-4895) */
        {2, 2, empty, 0},  /* zero to an existing empty account: removed */
        {3, 3, rich, 2},   /* 2 gwei */
        {4, 4, rich, 3},
    };
    struct block b;
    memset(&b, 0, sizeof b);
    b.has_withdrawals = true;
    b.withdrawals = wd;
    b.withdrawal_count = 4;
    assert_int_equal(block_apply_withdrawals(&b, &w), PAREVM_OK);
    assert_null(world_get(&w, &absent));
    assert_null(world_get(&w, &empty));
    const struct world_account *r = world_get(&w, &rich);
    assert_non_null(r);
    u256 want = u256_from_u64(5000000000ull);
    assert_true(u256_eq(&r->balance, &want));
    world_free(&w);
}

static void test_block_hashes_lookup(void **state)
{
    (void)state;
    uint64_t numbers[3] = {10, 11, 14};
    hash32 hashes[3];
    for (int i = 0; i < 3; i++)
        memset(hashes[i].bytes, i + 1, 32);
    struct block_hashes bh = {numbers, hashes, 3};
    hash32 out;
    assert_int_equal(block_hashes_lookup(&bh, 11, &out), PAREVM_OK);
    assert_true(hash32_eq(&out, &hashes[1]));
    assert_int_equal(block_hashes_lookup(&bh, 14, &out), PAREVM_OK);
    assert_true(hash32_eq(&out, &hashes[2]));
    assert_int_equal(block_hashes_lookup(&bh, 10, &out), PAREVM_OK);
    assert_int_equal(block_hashes_lookup(&bh, 12, &out), PAREVM_ERR_MISSING);
    assert_int_equal(block_hashes_lookup(&bh, 9, &out), PAREVM_ERR_MISSING);
    assert_int_equal(block_hashes_lookup(&bh, 15, &out), PAREVM_ERR_MISSING);
    struct block_hashes none = {NULL, NULL, 0};
    assert_int_equal(block_hashes_lookup(&none, 1, &out), PAREVM_ERR_MISSING);
    assert_int_equal(block_hashes_lookup(NULL, 1, &out), PAREVM_ERR_MISSING);
}

/* ---- the sequential executor on hand-built blocks ---- */

/* EIP-4788 beacon roots contract (runtime code from the EIP). */
static const char BEACON_CODE[] =
    "0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f3580"
    "1560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62"
    "001fff42064281555f359062001fff015500";

#define SENDER "0x00000000000000000000000000000000000000aa"
#define RECIPIENT "0x00000000000000000000000000000000000000bb"
#define COINBASE "0x00000000000000000000000000000000000000cc"
#define DESTRUCT "0x00000000000000000000000000000000000000dd"

static void set_code(struct world *w, const address *a, const char *hex)
{
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hex_decode_alloc(hex, &bytes, &len), PAREVM_OK);
    struct world_account *acct = world_get_or_create(w, a);
    assert_non_null(acct);
    struct code *c = code_new(bytes, len);
    assert_non_null(c);
    world_set_code(acct, c);
    code_release(c);
    free(bytes);
}

static void make_world(struct world *w)
{
    world_init(w);
    address s = addr_hex(SENDER);
    struct world_account *acct = world_get_or_create(w, &s);
    assert_non_null(acct);
    acct->balance = eth(10);
    set_code(w, &BEACON_ROOTS_ADDRESS, BEACON_CODE);
    /* A contract that self-destructs to its caller, with storage. */
    address d = addr_hex(DESTRUCT);
    set_code(w, &d, "0x33ff");
    acct = world_get(w, &d);
    acct->nonce = 1;
    acct->balance = u256_from_u64(77);
    u256 k = u256_from_u64(1), v = u256_from_u64(5);
    assert_int_equal(world_set_storage(acct, &k, &v), PAREVM_OK);
}

static void make_tx(struct tx *tx, uint64_t nonce, bool has_to, const char *to, const char *data_hex)
{
    memset(tx, 0, sizeof *tx);
    tx->type = 2;
    tx->chain_id = 1;
    tx->has_chain_id = true;
    tx->nonce = nonce;
    tx->max_fee_per_gas = u256_from_u64(100);
    tx->max_priority_fee_per_gas = u256_from_u64(2);
    tx->gas_price = tx->max_fee_per_gas;
    tx->gas_limit = 200000;
    tx->has_to = has_to;
    if (has_to)
        tx->to = addr_hex(to);
    tx->value = u256_from_u64(1000);
    if (data_hex)
        assert_int_equal(hex_decode_alloc(data_hex, &tx->data, &tx->data_len), PAREVM_OK);
    tx->has_sender = true; /* no signature: the executor takes the sender as given */
    tx->sender = addr_hex(SENDER);
}

/* A Cancun block: a transfer, a create (initcode stores 1 at slot 0), a
 * call to a self-destructing contract (pre-Cancun semantics matter not:
 * under EIP-6780 it only sends its balance), and withdrawals. */
static void make_block(struct block *b, size_t tx_count)
{
    memset(b, 0, sizeof *b);
    struct block_header *h = &b->header;
    h->number = 1000;
    h->timestamp = 20000;
    h->gas_limit = 30000000;
    h->coinbase = addr_hex(COINBASE);
    h->has_base_fee = true;
    h->base_fee = u256_from_u64(7);
    h->has_withdrawals_root = true;
    h->has_blob_gas = true;
    h->has_parent_beacon_root = true;
    memset(h->parent_beacon_root.bytes, 0x42, 32);
    b->txs = calloc(tx_count, sizeof *b->txs);
    assert_non_null(b->txs);
    b->tx_count = tx_count;
    make_tx(&b->txs[0], 0, true, RECIPIENT, NULL);
    if (tx_count > 1)
        make_tx(&b->txs[1], 1, false, NULL, "0x600160005500");
    if (tx_count > 2)
        make_tx(&b->txs[2], 2, true, DESTRUCT, NULL);
    b->has_withdrawals = true;
    b->withdrawals = calloc(1, sizeof *b->withdrawals);
    assert_non_null(b->withdrawals);
    b->withdrawal_count = 1;
    b->withdrawals[0].addr = addr_hex("0x00000000000000000000000000000000000000ee");
    b->withdrawals[0].amount_gwei = 3;
}

static void test_exec_cancun_block(void **state)
{
    (void)state;
    struct chain_config c;
    chain_config_single(&c, FORK_CANCUN);
    struct world w, copy;
    make_world(&w);
    assert_int_equal(world_clone(&w, &copy), PAREVM_OK);
    struct block b;
    make_block(&b, 3);
    struct block_result r;
    assert_int_equal(exec_block_sequential(&c, &b, &w, NULL, &r), PAREVM_OK);
    assert_false(r.invalid);
    assert_int_equal(r.receipt_count, 3);
    assert_int_equal(r.receipts[0].gas_used, 21000);
    assert_int_equal(r.receipts[0].cumulative_gas_used, 21000);
    assert_true(r.receipts[0].has_status && r.receipts[0].status);
    assert_true(r.receipts[1].has_created_address);
    assert_int_equal(r.receipts[2].cumulative_gas_used, r.gas_used);
    assert_int_equal(r.gas_used, r.receipts[0].gas_used + r.receipts[1].gas_used + r.receipts[2].gas_used);

    /* EIP-4788: timestamp and root stored in the ring buffer. */
    const struct world_account *beacon = world_get(&w, &BEACON_ROOTS_ADDRESS);
    u256 k = u256_from_u64(20000 % 8191), v = world_get_storage(beacon, &k);
    u256 ts = u256_from_u64(20000);
    assert_true(u256_eq(&v, &ts));
    k = u256_from_u64(20000 % 8191 + 8191);
    v = world_get_storage(beacon, &k);
    u256 root = u256_from_be32(b.header.parent_beacon_root.bytes);
    assert_true(u256_eq(&v, &root));
    assert_null(world_get(&w, &SYSTEM_ADDRESS)); /* the system address is not created */

    /* Withdrawal credited in wei; the created contract has its slot. */
    address wa = addr_hex("0x00000000000000000000000000000000000000ee");
    u256 three_gwei = u256_from_u64(3000000000ull);
    assert_true(u256_eq(&world_get(&w, &wa)->balance, &three_gwei));
    const struct world_account *created = world_get(&w, &r.receipts[1].created_address);
    assert_non_null(created);
    k = u256_zero();
    v = world_get_storage(created, &k);
    assert_true(u256_eq(&v, &(u256){{1, 0, 0, 0}}));

    /* The same block on the same pre-state gives the same result. */
    struct block_result r2;
    assert_int_equal(exec_block_sequential(&c, &b, &copy, NULL, &r2), PAREVM_OK);
    assert_true(block_result_equal(&r, &r2));
    hash32 s1, s2;
    assert_int_equal(world_state_root(&w, &s1), PAREVM_OK);
    assert_int_equal(world_state_root(&copy, &s2), PAREVM_OK);
    assert_true(hash32_eq(&s1, &s2));
    /* One byte of one receipt differs: not equal. */
    r2.receipts[0].bloom[7] ^= 1;
    assert_false(block_result_equal(&r, &r2));
    r2.receipts[0].bloom[7] ^= 1;
    r2.receipts[0].status = false;
    assert_false(block_result_equal(&r, &r2));

    block_result_free(&r);
    block_result_free(&r2);
    block_free(&b);
    world_free(&w);
    world_free(&copy);
}

/* An invalid last transaction invalidates the block; the world (after a
 * system call, a create, a self-destruct) is exactly as before. */
static void check_invalid(enum fork f, void (*spoil)(struct tx *), enum tx_error want)
{
    struct chain_config c;
    chain_config_single(&c, f);
    struct world w;
    make_world(&w);
    hash32 before, after;
    assert_int_equal(world_state_root(&w, &before), PAREVM_OK);
    struct block b;
    make_block(&b, 4);
    make_tx(&b.txs[3], 3, true, RECIPIENT, NULL);
    spoil(&b.txs[3]);
    if (f < FORK_CANCUN) {
        b.header.has_blob_gas = b.header.has_parent_beacon_root = false;
    }
    struct block_result r;
    assert_int_equal(exec_block_sequential(&c, &b, &w, NULL, &r), PAREVM_OK);
    assert_true(r.invalid);
    assert_int_equal(r.invalid_tx, 3);
    assert_int_equal(r.invalid_reason, want);
    assert_non_null(strstr(r.invalid_message, "transaction 3"));
    assert_int_equal(world_state_root(&w, &after), PAREVM_OK);
    assert_true(hash32_eq(&before, &after));
    address d = addr_hex(DESTRUCT);
    const struct world_account *acct = world_get(&w, &d);
    assert_non_null(acct);
    u256 k = u256_from_u64(1), v = world_get_storage(acct, &k);
    assert_true(u256_eq(&v, &(u256){{5, 0, 0, 0}}));
    assert_int_equal(acct->code->len, 2);
    block_result_free(&r);
    block_free(&b);
    world_free(&w);
}

static void spoil_nonce(struct tx *tx)
{
    tx->nonce = 9;
}
static void spoil_chain_id(struct tx *tx)
{
    tx->chain_id = 5;
}
static void spoil_gas(struct tx *tx)
{
    tx->gas_limit = 30000001;
}

static void test_exec_invalid_block_untouched(void **state)
{
    (void)state;
    check_invalid(FORK_CANCUN, spoil_nonce, TXERR_NONCE_TOO_HIGH);
    check_invalid(FORK_CANCUN, spoil_chain_id, TXERR_CHAIN_ID);
    check_invalid(FORK_CANCUN, spoil_gas, TXERR_GAS_LIMIT_EXCEEDED);
    /* Shanghai: SELFDESTRUCT really deletes (storage and all) before the
     * rollback restores it. */
    check_invalid(FORK_SHANGHAI, spoil_nonce, TXERR_NONCE_TOO_HIGH);
}

static void test_exec_blob_gas_limit(void **state)
{
    (void)state;
    struct chain_config c;
    chain_config_single(&c, FORK_CANCUN);
    struct world w;
    make_world(&w);
    struct block b;
    make_block(&b, 2);
    hash32 hashes[6];
    memset(hashes, 0, sizeof hashes);
    for (int i = 0; i < 6; i++)
        hashes[i].bytes[0] = 0x01;
    for (int t = 0; t < 2; t++) {
        struct tx *tx = &b.txs[t];
        free(tx->data);
        tx->data = NULL;
        tx->data_len = 0;
        tx->type = 3;
        tx->has_to = true;
        tx->to = addr_hex(RECIPIENT);
        tx->max_fee_per_blob_gas = u256_from_u64(10);
        tx->blob_hashes = malloc(sizeof hashes);
        memcpy(tx->blob_hashes, hashes, sizeof hashes);
        tx->blob_hash_count = t == 0 ? 6 : 1; /* 7 blobs in the block */
    }
    struct block_result r;
    assert_int_equal(exec_block_sequential(&c, &b, &w, NULL, &r), PAREVM_OK);
    assert_true(r.invalid);
    assert_int_equal(r.invalid_tx, 1);
    assert_non_null(strstr(r.invalid_message, "blob gas"));
    block_result_free(&r);

    b.txs[1].blob_hash_count = 0; /* not a blob tx any more: 6 blobs fit */
    b.txs[1].type = 2;
    assert_int_equal(exec_block_sequential(&c, &b, &w, NULL, &r), PAREVM_OK);
    assert_false(r.invalid);
    assert_int_equal(r.blob_gas_used, 6 * 131072);
    block_result_free(&r);
    block_free(&b);
    world_free(&w);
}

/* EIP-2935: a Prague block stores its parent hash at slot
 * (number - 1) % 8191 of the history contract, after the beacon-roots
 * call; a Cancun block does not call it. */
static void history_block(enum fork f, uint64_t number, struct world *w, struct block_result *r)
{
    struct chain_config c;
    chain_config_single(&c, f);
    struct block b;
    make_block(&b, 1);
    b.header.number = number;
    memset(b.header.parent_hash.bytes, 0x11, 32);
    b.header.parent_hash.bytes[31] = (uint8_t)number;
    address sender = addr_hex(SENDER);
    b.txs[0].nonce = world_get(w, &sender)->nonce;
    assert_int_equal(exec_block_sequential(&c, &b, w, NULL, r), PAREVM_OK);
    block_free(&b);
}

static void test_exec_history_call(void **state)
{
    (void)state;
    struct world w;
    make_world(&w);
    set_code(&w, &HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE);
    struct block_result r;
    /* (checked requests need their contracts from Prague, EIP-7002/7251) */
    set_code(&w, &(address){{0x00, 0x00, 0x09, 0x61, 0xef, 0x48, 0x0e, 0xb5, 0x5e, 0x80,
                             0xd1, 0x9a, 0xd8, 0x35, 0x79, 0xa6, 0x4c, 0x00, 0x70, 0x02}},
             WITHDRAWAL_REQUEST_CODE);
    set_code(&w, &(address){{0x00, 0x00, 0xbb, 0xdd, 0xc7, 0xce, 0x48, 0x86, 0x42, 0xfb,
                             0x57, 0x9f, 0x8b, 0x00, 0xf3, 0xa5, 0x90, 0x00, 0x72, 0x51}},
             CONSOLIDATION_REQUEST_CODE);

    history_block(FORK_CANCUN, 1000, &w, &r);
    assert_false(r.invalid);
    block_result_free(&r);
    const struct world_account *hist = world_get(&w, &HISTORY_STORAGE_ADDRESS);
    assert_int_equal(hist->storage.count, 0);

    static const struct {
        uint64_t number, slot;
    } cases[] = {{1000, 999}, {8191, 8190}, {8192, 0}, {10000, 9999 % 8191}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        history_block(FORK_PRAGUE, cases[i].number, &w, &r);
        if (r.invalid)
            fail_msg("block %llu invalid: %s", (unsigned long long)cases[i].number, r.invalid_message);
        block_result_free(&r);
        hist = world_get(&w, &HISTORY_STORAGE_ADDRESS);
        u256 k = u256_from_u64(cases[i].slot), v = world_get_storage(hist, &k);
        hash32 want;
        memset(want.bytes, 0x11, 32);
        want.bytes[31] = (uint8_t)cases[i].number;
        u256 wv = u256_from_be32(want.bytes);
        if (!u256_eq(&v, &wv))
            fail_msg("block %llu: slot %llu does not hold the parent hash",
                     (unsigned long long)cases[i].number, (unsigned long long)cases[i].slot);
    }
    assert_int_equal(hist->storage.count, 4);
    assert_null(world_get(&w, &SYSTEM_ADDRESS));

    /* Without code the call does nothing (and creates no account). */
    world_delete(&w, &HISTORY_STORAGE_ADDRESS);
    history_block(FORK_PRAGUE, 2000, &w, &r);
    assert_false(r.invalid);
    block_result_free(&r);
    assert_null(world_get(&w, &HISTORY_STORAGE_ADDRESS));
    world_free(&w);
}

static void test_exec_missing_beacon_root(void **state)
{
    (void)state;
    struct chain_config c;
    chain_config_single(&c, FORK_CANCUN);
    struct world w;
    make_world(&w);
    struct block b;
    make_block(&b, 1);
    b.header.has_parent_beacon_root = false;
    struct block_result r;
    assert_int_equal(exec_block_sequential(&c, &b, &w, NULL, &r), PAREVM_OK);
    assert_true(r.invalid);
    block_result_free(&r);
    block_free(&b);
    world_free(&w);
}

/* With fixtures: every snapshot's header hash, transactions root and
 * withdrawals root equal its header's. */
static const char *fixtures_dir(char *buf, size_t cap)
{
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(buf, cap, "%s/mainnet", env && *env ? env : "../shared/fixtures");
    return buf;
}

static void test_fixture_headers(void **state)
{
    (void)state;
    char dir[4096];
    fixtures_dir(dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d) {
        print_message("skipped: fixtures not found\n");
        skip();
    }
    struct chain_config c;
    chain_config_mainnet(&c);
    struct dirent *e;
    int blocks = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s/block.json", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *text = malloc((size_t)n);
        assert_non_null(text);
        assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        char err[512];
        struct block b;
        int rc = mainnet_parse_block(path, text, (size_t)n, &c, &b, err, sizeof err);
        free(text);
        if (rc)
            fail_msg("%s", err);
        hash32 h;
        assert_true(b.header.has_hash);
        assert_int_equal(block_header_hash(&b.header, &h), PAREVM_OK);
        if (!hash32_eq(&h, &b.header.hash))
            fail_msg("%s: header hash differs", path);
        assert_int_equal(transactions_root(b.txs, b.tx_count, &h), PAREVM_OK);
        if (!hash32_eq(&h, &b.header.tx_root))
            fail_msg("%s: transactions root differs", path);
        if (b.header.has_withdrawals_root) {
            assert_int_equal(withdrawals_root(b.withdrawals, b.withdrawal_count, &h), PAREVM_OK);
            if (!hash32_eq(&h, &b.header.withdrawals_root))
                fail_msg("%s: withdrawals root differs", path);
        }
        block_free(&b);
        blocks++;
    }
    closedir(d);
    print_message("%d mainnet headers\n", blocks);
    assert_true(blocks > 0);
}

/* RPC JSON: a Cancun snapshot's block with "requestsHash" added loads it
 * (EIP-7685), and the header's encoding then ends with it (the 21st
 * field, after parentBeaconBlockRoot); without parentBeaconBlockRoot
 * before it the set of fork fields is inconsistent. */
static void test_rpc_requests_hash(void **state)
{
    (void)state;
    char dir[4096], path[4400];
    fixtures_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/19933612/block.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_message("skipped: fixtures not found\n");
        skip();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    static const char field[] =
        "\"requestsHash\": \"0x7777777777777777777777777777777777777777777777777777777777777777\", ";
    char *text = malloc((size_t)n + sizeof field);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, "\"parentBeaconBlockRoot\"");
    assert_non_null(at);
    size_t len = strlen(field);
    memmove(at + len, at, (size_t)(text + n + 1 - at));
    memcpy(at, field, len);
    struct chain_config c;
    chain_config_mainnet(&c);
    struct block b;
    char err[512];
    if (mainnet_parse_block(path, text, strlen(text), &c, &b, err, sizeof err))
        fail_msg("%s", err);
    assert_true(b.header.has_requests_hash);
    hash32 want;
    memset(want.bytes, 0x77, 32);
    assert_true(hash32_eq(&b.header.requests_hash, &want));
    struct bytebuf enc = {0};
    assert_int_equal(block_header_encode(&b.header, &enc), PAREVM_OK);
    assert_true(enc.len > 33);
    assert_int_equal(enc.data[enc.len - 33], 0xa0);
    assert_memory_equal(enc.data + enc.len - 32, want.bytes, 32);
    assert_memory_equal(enc.data + enc.len - 65, b.header.parent_beacon_root.bytes, 32);
    bytebuf_free(&enc);
    block_free(&b);
    /* The same without parentBeaconBlockRoot: refused. */
    at = strstr(text, "\"parentBeaconBlockRoot\"");
    memcpy(at, "\"parentBeaconBlockRooX\"", 23);
    assert_int_equal(mainnet_parse_block(path, text, strlen(text), &c, &b, err, sizeof err), PAREVM_ERR_JSON);
    assert_non_null(strstr(err, "inconsistent"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mainnet_schedule),
        cmocka_unit_test(test_network_names),
        cmocka_unit_test(test_block_env),
        cmocka_unit_test(test_blob_base_fee_per_fork),
        cmocka_unit_test(test_next_excess_blob_gas),
        cmocka_unit_test(test_receipt_encoding),
        cmocka_unit_test(test_withdrawals_root),
        cmocka_unit_test(test_header_hash_known),
        cmocka_unit_test(test_rewards),
        cmocka_unit_test(test_withdrawals_apply),
        cmocka_unit_test(test_block_hashes_lookup),
        cmocka_unit_test(test_exec_cancun_block),
        cmocka_unit_test(test_exec_invalid_block_untouched),
        cmocka_unit_test(test_exec_blob_gas_limit),
        cmocka_unit_test(test_exec_missing_beacon_root),
        cmocka_unit_test(test_exec_history_call),
        cmocka_unit_test(test_fixture_headers),
        cmocka_unit_test(test_rpc_requests_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
