/*
 * block.c — block bodies, fork schedules, the block env, block-level
 * state rules (rewards, withdrawals, the EIP-4788 system call), receipts
 * and the roots that summarise a block (see block.h).
 */
#include "block.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/hex.h"
#include "../base/keccak.h"
#include "../base/rlp.h"
#include "../evm/precompiles.h"
#include "../state/state_view.h"
#include "../state/trie.h"
#include "../state/world.h"
#include "logs.h"

const address SYSTEM_ADDRESS = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}};
const address BEACON_ROOTS_ADDRESS = {{0x00, 0x0f, 0x3d, 0xf6, 0xd7, 0x32, 0x80, 0x7e, 0xf1, 0x31,
                                       0x9f, 0xb7, 0xb8, 0xbb, 0x85, 0x22, 0xd0, 0xbe, 0xac, 0x02}};

const address HISTORY_STORAGE_ADDRESS = {{0x00, 0x00, 0xf9, 0x08, 0x27, 0xf1, 0xc5, 0x3a, 0x10, 0xcb,
                                          0x7a, 0x02, 0x33, 0x5b, 0x17, 0x53, 0x20, 0x00, 0x29, 0x35}};

const address MAINNET_DEPOSIT_CONTRACT = {{0x00, 0x00, 0x00, 0x00, 0x21, 0x9a, 0xb5, 0x40, 0x35, 0x6c,
                                           0xbb, 0x83, 0x9c, 0xbe, 0x05, 0x30, 0x3d, 0x77, 0x05, 0xfa}};
const hash32 DEPOSIT_EVENT_TOPIC = {{0x64, 0x9b, 0xbc, 0x62, 0xd0, 0xe3, 0x13, 0x42, 0xaf, 0xea, 0x4e,
                                     0x5c, 0xd8, 0x2d, 0x40, 0x49, 0xe7, 0xe1, 0xee, 0x91, 0x2f, 0xc0,
                                     0x88, 0x9a, 0xa7, 0x90, 0x80, 0x3b, 0xe3, 0x90, 0x38, 0xc5}};
const address WITHDRAWAL_REQUEST_ADDRESS = {{0x00, 0x00, 0x09, 0x61, 0xef, 0x48, 0x0e, 0xb5, 0x5e, 0x80,
                                             0xd1, 0x9a, 0xd8, 0x35, 0x79, 0xa6, 0x4c, 0x00, 0x70, 0x02}};
const address CONSOLIDATION_REQUEST_ADDRESS = {{0x00, 0x00, 0xbb, 0xdd, 0xc7, 0xce, 0x48, 0x86, 0x42, 0xfb,
                                                0x57, 0x9f, 0x8b, 0x00, 0xf3, 0xa5, 0x90, 0x00, 0x72, 0x51}};
const address BUILDER_DEPOSIT_REQUEST_ADDRESS = {{0x00, 0x00, 0xbf, 0xf4, 0x69, 0x84, 0xe3, 0x72, 0x56, 0x91,
                                                   0xfa, 0x54, 0x0a, 0x8c, 0x75, 0x89, 0x30, 0x0d, 0x82, 0x82}};
const address BUILDER_EXIT_REQUEST_ADDRESS = {{0x00, 0x00, 0x64, 0xd6, 0x78, 0x50, 0x5a, 0xd4, 0x8f, 0x8c,
                                                0xcb, 0x09, 0x3b, 0xc6, 0x56, 0x13, 0x80, 0x0e, 0x82, 0x82}};

size_t block_request_contracts(enum fork f, const struct block_request_contract **out)
{
    static const struct block_request_contract contracts[] = {
        {&WITHDRAWAL_REQUEST_ADDRESS, REQUEST_WITHDRAWAL, "EIP-7002"},
        {&CONSOLIDATION_REQUEST_ADDRESS, REQUEST_CONSOLIDATION, "EIP-7251"},
        {&BUILDER_DEPOSIT_REQUEST_ADDRESS, REQUEST_BUILDER_DEPOSIT, "EIP-8282"},
        {&BUILDER_EXIT_REQUEST_ADDRESS, REQUEST_BUILDER_EXIT, "EIP-8282"},
    };
    *out = contracts;
    if (f < FORK_PRAGUE)
        return 0;
    return fork_eip(f, EIP_8282) ? 4 : 2;
}

void block_free(struct block *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->tx_count; i++)
        tx_free(&b->txs[i]);
    free(b->txs);
    free(b->uncles);
    free(b->withdrawals);
    memset(b, 0, sizeof *b);
}

/* ---- chain configs ---- */

#define NEVER UINT64_MAX

static void chain_config_clear(struct chain_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->chain_id = 1;
    for (int f = 0; f < FORK__COUNT; f++) {
        cfg->fork_block[f] = NEVER;
        cfg->fork_time[f] = NEVER;
    }
    cfg->dao_block = NEVER;
    cfg->deposit_contract = MAINNET_DEPOSIT_CONTRACT; /* EIP-6110 */
}

void chain_config_mainnet(struct chain_config *cfg)
{
    chain_config_clear(cfg);
    cfg->fork_block[FORK_FRONTIER] = 0;
    cfg->fork_block[FORK_HOMESTEAD] = 1150000;
    cfg->dao_fork = true;
    cfg->dao_block = 1920000;
    cfg->fork_block[FORK_TANGERINE] = 2463000;
    cfg->fork_block[FORK_SPURIOUS] = 2675000;
    cfg->fork_block[FORK_BYZANTIUM] = 4370000;
    /* Mainnet went straight to Petersburg rules: Constantinople without
     * EIP-1283 never ran there. */
    cfg->fork_block[FORK_CONSTANTINOPLE] = 7280000;
    cfg->fork_block[FORK_PETERSBURG] = 7280000;
    cfg->fork_block[FORK_ISTANBUL] = 9069000;
    /* Muir Glacier, Arrow Glacier and Gray Glacier only moved the
     * difficulty bomb: no EVM change, only bomb data. */
    chain_config_add_bomb_delay(cfg, 9200000, chain_glacier_bomb_delay("MuirGlacier"));   /* EIP-2384 */
    chain_config_add_bomb_delay(cfg, 13773000, chain_glacier_bomb_delay("ArrowGlacier")); /* EIP-4345 */
    chain_config_add_bomb_delay(cfg, 15050000, chain_glacier_bomb_delay("GrayGlacier"));  /* EIP-5133 */
    cfg->fork_block[FORK_BERLIN] = 12244000;
    cfg->fork_block[FORK_LONDON] = 12965000;
    cfg->fork_block[FORK_PARIS] = 15537394;
    cfg->fork_time[FORK_SHANGHAI] = 1681338455;
    cfg->fork_time[FORK_CANCUN] = 1710338135;
    /* Activation timestamps from the upgrades' meta EIPs: EIP-7600
     * (Prague, epoch 364032), EIP-7607 (Osaka, epoch 411392), EIP-8134
     * (BPO1) and EIP-8135 (BPO2). */
    cfg->fork_time[FORK_PRAGUE] = 1746612311;
    cfg->fork_time[FORK_OSAKA] = 1764798551;
    cfg->fork_time[FORK_BPO1] = 1765290071;
    cfg->fork_time[FORK_BPO2] = 1767747671;
}

void chain_config_single(struct chain_config *cfg, enum fork f)
{
    chain_config_clear(cfg);
    for (int g = 0; g <= (int)f && g < FORK__COUNT; g++)
        cfg->fork_block[g] = 0;
}

/* Fork names of BlockchainTests networks beyond fork_from_name: forks
 * that changed no EVM rule (the bomb-only ones carry their delay), and
 * the DAO pseudo-fork. */
static const struct network_extra {
    const char *name;
    enum fork fork;
    bool dao;
    uint64_t bomb_delay;
} network_extras[] = {
    {"Dao", FORK_HOMESTEAD, true, 0},
    {"DAOFork", FORK_HOMESTEAD, true, 0},
    {"MuirGlacier", FORK_ISTANBUL, false, 9000000}, /* EIP-2384 */
    {"ArrowGlacier", FORK_LONDON, false, 10700000}, /* EIP-4345 */
    {"GrayGlacier", FORK_LONDON, false, 11400000},  /* EIP-5133 */
};

uint64_t chain_glacier_bomb_delay(const char *name)
{
    for (size_t i = 0; name && i < sizeof network_extras / sizeof network_extras[0]; i++)
        if (strcmp(name, network_extras[i].name) == 0)
            return network_extras[i].bomb_delay;
    return 0;
}

bool chain_config_add_bomb_delay(struct chain_config *cfg, uint64_t block, uint64_t delay)
{
    if (cfg->bomb_delay_count >= CHAIN_BOMB_DELAYS_MAX ||
        (cfg->bomb_delay_count && cfg->bomb_delays[cfg->bomb_delay_count - 1].block > block))
        return false;
    cfg->bomb_delays[cfg->bomb_delay_count++] = (struct chain_bomb_delay){block, delay};
    return true;
}

/* name[0..len) as a fork: *dao for the DAO pseudo-fork, *bomb_delay for a
 * bomb-only fork (0 otherwise). */
static bool network_fork(const char *name, size_t len, enum fork *out, bool *dao, uint64_t *bomb_delay)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, name, len);
    buf[len] = '\0';
    *dao = false;
    *bomb_delay = 0;
    for (size_t i = 0; i < sizeof network_extras / sizeof network_extras[0]; i++) {
        if (strcmp(buf, network_extras[i].name) == 0) {
            *out = network_extras[i].fork;
            *dao = network_extras[i].dao;
            *bomb_delay = network_extras[i].bomb_delay;
            return true;
        }
    }
    return fork_from_name(buf, out);
}

/* "15k" -> 15000, "5" -> 5; hex when is_hex ("C0000"). */
static bool network_number(const char *s, bool is_hex, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (is_hex && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (is_hex && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else if (!is_hex && (*s == 'k' || *s == 'K') && s[1] == '\0') {
            if (v > UINT64_MAX / 1000)
                return false;
            v *= 1000;
            continue;
        } else
            return false;
        uint64_t base = is_hex ? 16 : 10;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

bool chain_config_from_network(struct chain_config *cfg, const char *network)
{
    if (!cfg || !network)
        return false;
    enum fork f;
    bool dao;
    uint64_t bomb;
    /* "<From>To<To>At<N>", "<From>To<To>AtTime<N>[k]", "<From>To<To>AtDiff<HEX>". */
    const char *to = strstr(network, "To");
    const char *at = to ? strstr(to + 2, "At") : NULL;
    if (!to || !at) {
        if (!network_fork(network, strlen(network), &f, &dao, &bomb))
            return false;
        chain_config_single(cfg, f);
        if (dao) {
            cfg->dao_fork = true;
            cfg->dao_block = 0;
        }
        if (bomb)
            chain_config_add_bomb_delay(cfg, 0, bomb);
        return true;
    }
    enum fork from_fork, to_fork;
    bool from_dao, to_dao;
    uint64_t from_bomb, to_bomb;
    if (!network_fork(network, (size_t)(to - network), &from_fork, &from_dao, &from_bomb) ||
        !network_fork(to + 2, (size_t)(at - (to + 2)), &to_fork, &to_dao, &to_bomb))
        return false;
    const char *num = at + 2;
    enum { AT_BLOCK, AT_TIME, AT_DIFF } kind = AT_BLOCK;
    if (strncmp(num, "Time", 4) == 0) {
        kind = AT_TIME;
        num += 4;
    } else if (strncmp(num, "Diff", 4) == 0) {
        kind = AT_DIFF;
        num += 4;
    }
    uint64_t n;
    if (!network_number(num, kind == AT_DIFF, &n))
        return false;
    /* "LondonToArrowGlacierAt5": the same EVM fork, a later bomb. */
    bool bomb_only = to_fork == from_fork && to_bomb > from_bomb && kind == AT_BLOCK;
    if (to_fork < from_fork || (to_fork == from_fork && !to_dao && !bomb_only))
        return false;
    chain_config_single(cfg, from_fork);
    if (from_dao) {
        cfg->dao_fork = true;
        cfg->dao_block = 0;
    }
    if (from_bomb)
        chain_config_add_bomb_delay(cfg, 0, from_bomb);
    if (to_bomb && kind == AT_BLOCK)
        chain_config_add_bomb_delay(cfg, n, to_bomb);
    if (to_dao && to_fork == from_fork) { /* "HomesteadToDaoAt5" */
        cfg->dao_fork = true;
        cfg->dao_block = n;
        return true;
    }
    for (int g = (int)from_fork + 1; g <= (int)to_fork; g++) {
        if (kind == AT_TIME)
            cfg->fork_time[g] = n;
        else if (kind == AT_BLOCK)
            cfg->fork_block[g] = n;
    }
    if (kind == AT_DIFF) {
        /* Only the Merge is decided by total difficulty; parevm does not
         * track total difficulty, but a proof-of-stake block is exactly
         * one whose difficulty is zero. */
        if (to_fork != FORK_PARIS)
            return false;
        cfg->paris_at_zero_difficulty = true;
    }
    return true;
}

enum fork chain_config_fork(const struct chain_config *cfg, uint64_t number, uint64_t timestamp)
{
    for (int f = FORK__COUNT - 1; f > 0; f--) {
        if ((cfg->fork_block[f] != NEVER && number >= cfg->fork_block[f]) ||
            (cfg->fork_time[f] != NEVER && timestamp >= cfg->fork_time[f]))
            return (enum fork)f;
    }
    return FORK_FRONTIER;
}

enum fork chain_config_header_fork(const struct chain_config *cfg, const struct block_header *h)
{
    enum fork f = chain_config_fork(cfg, h->number, h->timestamp);
    if (cfg->paris_at_zero_difficulty && f < FORK_PARIS && u256_is_zero(&h->difficulty))
        f = FORK_PARIS;
    return f;
}

void block_env_from_header(struct block_env *env, const struct chain_config *cfg,
                           const struct block_header *h)
{
    memset(env, 0, sizeof *env);
    env->fork = chain_config_header_fork(cfg, h);
    env->chain_id = cfg->chain_id;
    env->coinbase = h->coinbase;
    env->number = h->number;
    env->timestamp = h->timestamp;
    env->gas_limit = h->gas_limit;
    env->difficulty = h->difficulty;
    env->prev_randao = h->mix_hash; /* EIP-4399 */
    env->base_fee = env->fork >= FORK_LONDON && h->has_base_fee ? h->base_fee : u256_zero();
    if (env->fork >= FORK_CANCUN && h->has_blob_gas) {
        env->excess_blob_gas = h->excess_blob_gas;
        env->blob_base_fee = block_env_blob_base_fee(env->fork, h->excess_blob_gas);
    } else {
        env->blob_base_fee = block_env_blob_base_fee(env->fork, 0);
    }
    if (h->has_slot_number)
        env->slot_number = h->slot_number; /* EIP-7843 */
}

/* ---- block-level rules ---- */

u256 block_reward(enum fork f)
{
    static const uint64_t eth = 1000000000000000000ull;
    if (f >= FORK_PARIS)
        return u256_zero(); /* EIP-3675 */
    if (f >= FORK_CONSTANTINOPLE)
        return u256_from_u64(2 * eth); /* EIP-1234 */
    if (f >= FORK_BYZANTIUM)
        return u256_from_u64(3 * eth); /* EIP-649 */
    return u256_from_u64(5 * eth);
}

uint64_t block_max_blob_gas(enum fork f)
{
    return (uint64_t)fork_blob_params(f)->max * BLOB_GAS_PER_BLOB;
}

int block_beacon_root_call(const struct block_env *env, const struct block_header *h,
                           const struct state_view *view, struct write_set *ws)
{
    write_set_reset(ws);
    if (env->fork < FORK_CANCUN)
        return PAREVM_OK;
    if (!h->has_parent_beacon_root)
        return PAREVM_ERR_BLOCK_INVALID;
    return transition_system_call(env, view, &SYSTEM_ADDRESS, &BEACON_ROOTS_ADDRESS,
                                  h->parent_beacon_root.bytes, 32, SYSTEM_CALL_GAS, ws, NULL);
}

const address FACTORY_PREDEPLOY_ADDRESS = {{[19] = 0x12}};

/* salt (32 bytes) || initcode in, CREATE2 with the call's value, the
 * address out (or the initcode's revert data) */
static const uint8_t factory[] = {0x60, 0x20, 0x36, 0x10, 0x60, 0x2f, 0x57, 0x60, 0x00, 0x35, 0x60,
                                  0x20, 0x36, 0x03, 0x80, 0x60, 0x20, 0x60, 0x00, 0x37, 0x60, 0x00,
                                  0x34, 0xf5, 0x80, 0x60, 0x26, 0x57, 0x3d, 0x60, 0x00, 0x60, 0x00,
                                  0x3e, 0x3d, 0x60, 0x00, 0xfd, 0x5b, 0x60, 0x00, 0x52, 0x60, 0x20,
                                  0x60, 0x00, 0xf3, 0x5b, 0x60, 0x00, 0x60, 0x00, 0xfd};
const uint8_t *const FACTORY_PREDEPLOY_CODE = factory;
const size_t FACTORY_PREDEPLOY_CODE_LEN = sizeof factory;

int block_factory_predeploy(const struct block_env *env, const struct state_view *view, struct write_set *ws)
{
    write_set_reset(ws);
    if (!fork_eip(env->fork, EIP_7997))
        return PAREVM_OK;
    struct code *code;
    int err = view->ops->code(view->ctx, &FACTORY_PREDEPLOY_ADDRESS, &code);
    if (err)
        return err;
    if (code->len == sizeof factory && memcmp(code->bytes, factory, sizeof factory) == 0)
        return PAREVM_OK;
    uint64_t nonce;
    bool exists;
    err = view->ops->nonce(view->ctx, &FACTORY_PREDEPLOY_ADDRESS, &nonce, &exists);
    if (err)
        return err;
    struct ws_account *a = write_set_add_account(ws, &FACTORY_PREDEPLOY_ADDRESS);
    struct code *c = a ? code_new(factory, sizeof factory) : NULL;
    if (!c)
        return PAREVM_ERR_NOMEM;
    a->flags = WS_CODE | WS_NONCE | (exists ? 0 : WS_CREATE);
    a->nonce = 1;
    a->code = c;
    return PAREVM_OK;
}

int block_history_call(const struct block_env *env, const hash32 *parent_hash, const struct state_view *view,
                       struct write_set *ws)
{
    write_set_reset(ws);
    if (env->fork < FORK_PRAGUE)
        return PAREVM_OK;
    if (!parent_hash)
        return PAREVM_ERR_ARG;
    /* EIP-2935: like EIP-4788's call, SYSTEM_ADDRESS, SYSTEM_CALL_GAS,
     * nothing when the contract has no code. */
    return transition_system_call(env, view, &SYSTEM_ADDRESS, &HISTORY_STORAGE_ADDRESS, parent_hash->bytes,
                                  32, SYSTEM_CALL_GAS, ws, NULL);
}

/* ---- EIP-7685 requests ---- */

void block_requests_free(struct block_requests *r)
{
    if (!r)
        return;
    for (int t = 0; t < REQUEST_TYPE_COUNT; t++)
        bytebuf_free(&r->data[t]);
}

bool block_requests_equal(const struct block_requests *a, const struct block_requests *b)
{
    for (int t = 0; t < REQUEST_TYPE_COUNT; t++) {
        if (a->data[t].len != b->data[t].len)
            return false;
        if (a->data[t].len && memcmp(a->data[t].data, b->data[t].data, a->data[t].len) != 0)
            return false;
    }
    return true;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
request_fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return PAREVM_ERR_BLOCK_INVALID;
}

/* A 32-byte big-endian word of the log data equals v. */
static bool word_is(const uint8_t *word, uint64_t v)
{
    for (int i = 0; i < 24; i++)
        if (word[i])
            return false;
    uint64_t x = 0;
    for (int i = 24; i < 32; i++)
        x = x << 8 | word[i];
    return x == v;
}

int block_deposit_request(const uint8_t *data, size_t len, uint8_t out[DEPOSIT_REQUEST_SIZE], char *why,
                          size_t why_len)
{
    /* EIP-6110: DepositEvent(bytes pubkey, bytes withdrawal_credentials,
     * bytes amount, bytes signature, bytes index), ABI-encoded: five head
     * words (the offsets), then at each offset a length word and the
     * bytes padded to 32. The layout must be exactly the one the deposit
     * contract writes. */
    static const struct {
        const char *name;
        uint64_t offset, size;
    } fields[5] = {
        {"pubkey", 160, 48}, {"withdrawal credentials", 256, 32}, {"amount", 320, 8}, {"signature", 384, 96},
        {"index", 512, 8},
    };
    if (!data && len)
        return PAREVM_ERR_ARG;
    if (len != DEPOSIT_EVENT_DATA_SIZE)
        return request_fail(why, why_len, "deposit event data of %zu bytes (must be %d)", len,
                            DEPOSIT_EVENT_DATA_SIZE);
    for (int i = 0; i < 5; i++)
        if (!word_is(data + 32 * i, fields[i].offset))
            return request_fail(why, why_len, "deposit event: %s offset is not %llu", fields[i].name,
                                (unsigned long long)fields[i].offset);
    size_t at = 0;
    for (int i = 0; i < 5; i++) {
        const uint8_t *p = data + fields[i].offset;
        if (!word_is(p, fields[i].size))
            return request_fail(why, why_len, "deposit event: %s size is not %llu", fields[i].name,
                                (unsigned long long)fields[i].size);
        memcpy(out + at, p + 32, fields[i].size);
        at += fields[i].size;
    }
    return PAREVM_OK;
}

int block_deposit_requests(const struct receipt *receipts, size_t n, const address *deposit_contract,
                           struct bytebuf *out, char *why, size_t why_len)
{
    if ((n && !receipts) || !deposit_contract || !out)
        return PAREVM_ERR_ARG;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < receipts[i].log_count; k++) {
            const struct log *l = &receipts[i].logs[k];
            if (!address_eq(&l->addr, deposit_contract) || l->topic_count == 0 ||
                !hash32_eq(&l->topics[0], &DEPOSIT_EVENT_TOPIC))
                continue;
            uint8_t req[DEPOSIT_REQUEST_SIZE];
            char inner[120];
            int err = block_deposit_request(l->data, l->data_len, req, inner, sizeof inner);
            if (err == PAREVM_ERR_BLOCK_INVALID)
                return request_fail(why, why_len, "transaction %zu, log %zu: %s", i, k, inner);
            if (err || (err = bytebuf_append(out, req, sizeof req)))
                return err;
        }
    }
    return PAREVM_OK;
}

int block_request_call(const struct block_env *env, const address *contract, const struct state_view *view,
                       struct write_set *ws, struct bytebuf *out, bool *no_code, char *why, size_t why_len)
{
    write_set_reset(ws);
    if (no_code)
        *no_code = false;
    if (!env || !contract || !view || !out)
        return PAREVM_ERR_ARG;
    char hex[43];
    hex_encode(contract->bytes, 20, hex);
    /* EIP-7002 / EIP-7251: a request contract without code makes the
     * block invalid (checked, unlike the EIP-4788/2935 calls). */
    struct code *code;
    int err = view->ops->code(view->ctx, contract, &code);
    if (err)
        return err;
    if (code->len == 0) {
        if (no_code)
            *no_code = true;
        return request_fail(why, why_len, "system contract %s has no code", hex);
    }
    enum tx_status status;
    uint8_t *output = NULL;
    size_t output_len = 0;
    err = transition_system_call_output(env, view, &SYSTEM_ADDRESS, contract, NULL, 0, SYSTEM_CALL_GAS, ws,
                                        &status, &output, &output_len);
    if (!err && status != TX_STATUS_SUCCESS) {
        write_set_reset(ws);
        err = request_fail(why, why_len, "system contract %s call %s", hex,
                           status == TX_STATUS_REVERT ? "reverted" : "failed");
    }
    if (!err && output_len)
        err = bytebuf_append(out, output, output_len);
    free(output);
    return err;
}

int block_requests_hash(const struct block_requests *r, hash32 *out)
{
    if (!r || !out)
        return PAREVM_ERR_ARG;
    /* EIP-7685: sha256(sha256(type || data) for each non-empty type). */
    uint8_t digests[REQUEST_TYPE_COUNT * 32];
    size_t n = 0;
    struct bytebuf typed = {0};
    for (int t = 0; t < REQUEST_TYPE_COUNT; t++) {
        const struct bytebuf *d = &r->data[t];
        if (!d->len)
            continue;
        bytebuf_reset(&typed);
        if (bytebuf_push(&typed, (uint8_t)t) || bytebuf_append(&typed, d->data, d->len)) {
            bytebuf_free(&typed);
            return PAREVM_ERR_NOMEM;
        }
        precompile_sha256(typed.data, typed.len, digests + 32 * n++);
    }
    bytebuf_free(&typed);
    precompile_sha256(digests, 32 * n, out->bytes);
    return PAREVM_OK;
}

static int credit(struct world *w, const address *a, const u256 *amount)
{
    struct world_account *acct = world_get_or_create(w, a);
    if (!acct)
        return PAREVM_ERR_NOMEM;
    acct->balance = u256_add(&acct->balance, amount);
    return PAREVM_OK;
}

int block_apply_rewards(const struct block *b, enum fork f, struct world *w)
{
    u256 reward = block_reward(f);
    if (u256_is_zero(&reward))
        return PAREVM_OK;
    /* execution-specs pay_rewards: the miner gets reward + reward/32 per
     * uncle; each uncle's miner (8 - (number - uncle.number)) * reward / 8. */
    size_t uncles = b->uncle_count + b->unknown_uncle_count;
    u256 per_uncle = u256_shr(&reward, 5);
    u256 count = u256_from_u64(uncles);
    u256 inclusion = u256_mul(&per_uncle, &count);
    u256 miner = u256_add(&reward, &inclusion);
    int err = credit(w, &b->header.coinbase, &miner);
    for (size_t i = 0; i < b->uncle_count && !err; i++) {
        const struct block_header *u = &b->uncles[i];
        /* Validation guarantees 1 <= age <= 6; clamp so bad input cannot
         * wrap around. */
        uint64_t age = b->header.number > u->number ? b->header.number - u->number : 8;
        uint64_t eighths = age < 8 ? 8 - age : 0;
        u256 k = u256_from_u64(eighths);
        u256 amount = u256_mul(&reward, &k);
        amount = u256_shr(&amount, 3);
        err = credit(w, &u->coinbase, &amount);
    }
    return err;
}

int block_apply_withdrawals(const struct block *b, struct world *w)
{
    static const u256 gwei = {{1000000000ull, 0, 0, 0}};
    for (size_t i = 0; i < b->withdrawal_count; i++) {
        const struct withdrawal *wd = &b->withdrawals[i];
        if (wd->amount_gwei == 0) {
            /* execution-specs: an account that exists and is empty after
             * the (zero) credit is destroyed; an absent one stays absent. */
            struct world_account *acct = world_get(w, &wd->addr);
            if (acct && world_account_is_empty(acct))
                world_delete(w, &wd->addr);
            continue;
        }
        u256 amount = u256_from_u64(wd->amount_gwei);
        amount = u256_mul(&amount, &gwei);
        int err = credit(w, &wd->addr, &amount);
        if (err)
            return err;
    }
    return PAREVM_OK;
}

/* ---- receipts and roots ---- */

void receipt_free(struct receipt *r)
{
    if (!r)
        return;
    free(r->logs); /* (their data with them: log.h) */
    r->logs = NULL;
    r->log_count = 0;
}

int receipt_encode(const struct receipt *r, struct bytebuf *out)
{
    if (!r || !out)
        return PAREVM_ERR_ARG;
    int err;
    /* EIP-2718: a typed receipt is type || rlp(fields). */
    if (r->tx_type != 0 && (err = bytebuf_push(out, r->tx_type)))
        return err;
    size_t list = rlp_list_begin(out);
    if (r->has_status) /* EIP-658: 1 success, empty string failure */
        err = rlp_encode_u64(out, r->status ? 1 : 0);
    else
        err = rlp_encode_bytes(out, r->post_state.bytes, 32);
    if (!err)
        err = rlp_encode_u64(out, r->cumulative_gas_used);
    if (!err)
        err = rlp_encode_bytes(out, r->bloom, 256);
    if (!err)
        err = logs_encode(r->logs, r->log_count, out);
    if (!err)
        err = rlp_list_end(out, list);
    return err;
}

/* Root of the ordered list of n items, item i encoded by
 * enc(items + i * size). With a runner, each concurrent subtree job
 * encodes its own items (for a block of 10,000 receipts the encoding was
 * a quarter of the root's time): encoding and hashing are one batch, with
 * no wait between them. */
struct ordered_items {
    const uint8_t *items;
    size_t size;
    int (*enc)(const void *, struct bytebuf *);
};

static int ordered_item(void *arg, size_t i, struct bytebuf *b)
{
    const struct ordered_items *o = arg;
    return o->enc(o->items + i * o->size, b);
}

static int ordered_root(const void *items, size_t size, size_t n, int (*enc)(const void *, struct bytebuf *),
                        const struct trie_runner *runner, hash32 *out)
{
    if (!out || (n && !items))
        return PAREVM_ERR_ARG;
    struct ordered_items o = {items, size, enc};
    return trie_root_ordered_encoded(n, ordered_item, &o, runner, out);
}

static int enc_receipt(const void *item, struct bytebuf *b)
{
    return receipt_encode(item, b);
}
static int enc_tx(const void *item, struct bytebuf *b)
{
    return tx_encode(item, b);
}

static int enc_withdrawal(const void *item, struct bytebuf *b)
{
    const struct withdrawal *w = item;
    size_t list = rlp_list_begin(b);
    int err = rlp_encode_u64(b, w->index);
    if (!err)
        err = rlp_encode_u64(b, w->validator_index);
    if (!err)
        err = rlp_encode_bytes(b, w->addr.bytes, 20);
    if (!err)
        err = rlp_encode_u64(b, w->amount_gwei);
    if (!err)
        err = rlp_list_end(b, list);
    return err;
}

int receipts_root(const struct receipt *receipts, size_t n, hash32 *out)
{
    return ordered_root(receipts, sizeof *receipts, n, enc_receipt, NULL, out);
}

int receipts_root_with(const struct receipt *receipts, size_t n, const struct trie_runner *runner, hash32 *out)
{
    return ordered_root(receipts, sizeof *receipts, n, enc_receipt, runner, out);
}

int transactions_root(const struct tx *txs, size_t n, hash32 *out)
{
    return ordered_root(txs, sizeof *txs, n, enc_tx, NULL, out);
}

int withdrawals_root(const struct withdrawal *w, size_t n, hash32 *out)
{
    return ordered_root(w, sizeof *w, n, enc_withdrawal, NULL, out);
}

int block_header_encode(const struct block_header *h, struct bytebuf *b)
{
    if (!h || !b || h->extra_data_len > sizeof h->extra_data)
        return PAREVM_ERR_ARG;
    size_t list = rlp_list_begin(b);
    int err = rlp_encode_bytes(b, h->parent_hash.bytes, 32);
    if (!err)
        err = rlp_encode_bytes(b, h->ommers_hash.bytes, 32);
    if (!err)
        err = rlp_encode_bytes(b, h->coinbase.bytes, 20);
    if (!err)
        err = rlp_encode_bytes(b, h->state_root.bytes, 32);
    if (!err)
        err = rlp_encode_bytes(b, h->tx_root.bytes, 32);
    if (!err)
        err = rlp_encode_bytes(b, h->receipts_root.bytes, 32);
    if (!err)
        err = rlp_encode_bytes(b, h->logs_bloom, 256);
    if (!err)
        err = rlp_encode_u256(b, &h->difficulty);
    if (!err)
        err = rlp_encode_u64(b, h->number);
    if (!err)
        err = rlp_encode_u64(b, h->gas_limit);
    if (!err)
        err = rlp_encode_u64(b, h->gas_used);
    if (!err)
        err = rlp_encode_u64(b, h->timestamp);
    if (!err)
        err = rlp_encode_bytes(b, h->extra_data, h->extra_data_len);
    if (!err)
        err = rlp_encode_bytes(b, h->mix_hash.bytes, 32);
    if (!err)
        err = rlp_encode_bytes(b, h->nonce, 8);
    /* Fields appended by later forks, in order; each implies the ones
     * before it. */
    if (!err && h->has_base_fee) /* London, EIP-1559 */
        err = rlp_encode_u256(b, &h->base_fee);
    if (!err && h->has_withdrawals_root) /* Shanghai, EIP-4895 */
        err = rlp_encode_bytes(b, h->withdrawals_root.bytes, 32);
    if (!err && h->has_blob_gas) { /* Cancun, EIP-4844 */
        err = rlp_encode_u64(b, h->blob_gas_used);
        if (!err)
            err = rlp_encode_u64(b, h->excess_blob_gas);
    }
    if (!err && h->has_parent_beacon_root) /* Cancun, EIP-4788 */
        err = rlp_encode_bytes(b, h->parent_beacon_root.bytes, 32);
    if (!err && h->has_requests_hash) /* Prague, EIP-7685 */
        err = rlp_encode_bytes(b, h->requests_hash.bytes, 32);
    if (!err && h->has_bal_hash) /* Amsterdam, EIP-7928 */
        err = rlp_encode_bytes(b, h->bal_hash.bytes, 32);
    if (!err && h->has_slot_number) /* Amsterdam, EIP-7843 */
        err = rlp_encode_u64(b, h->slot_number);
    if (!err)
        err = rlp_list_end(b, list);
    return err;
}

int block_header_hash(const struct block_header *h, hash32 *out)
{
    if (!out)
        return PAREVM_ERR_ARG;
    struct bytebuf b = {0};
    int err = block_header_encode(h, &b);
    if (!err)
        keccak256(b.data, b.len, out->bytes);
    bytebuf_free(&b);
    return err;
}
