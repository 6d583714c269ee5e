/*
 * parevm gen: the contract scenarios (amm, lending, nft, supply, dao,
 * mixed, smart); gen.c writes the files (see gen.h, gen_internal.h).
 *
 * How a scenario is built:
 *   1. Every block transaction gets a distinct sender from the pool and a
 *      partner (the account it deals with: a recipient, an opponent's
 *      owner, a custody recipient): with --zipf 0 the partners are
 *      distinct and never senders; with --zipf S > 0 they are drawn
 *      Zipf(S) over the pool (rank r = pool account r), never the
 *      transaction's own sender.
 *   2. A genesis world holds the deployer (its own key, nonce 0) and the
 *      coinbase. The scenario deploys contracts/ by running their creation
 *      code and then runs setup calls (minting, pools and liquidity,
 *      stakes, commitments, ...), each a transaction applied with the
 *      project's own transition code in the block before the generated
 *      one, at a zero base fee and gas price so that no balance moves
 *      except on purpose. A failing setup transaction is a bug: the
 *      generator stops with its name.
 *   3. The world after setup is the pre-state; the block transactions
 *      (EIP-1559, signed by the senders, nonces from that world) do the
 *      scenario's work, and gen.c checks that every one succeeds.
 *
 * Contention: each scenario has a hot dimension (pools, characters,
 * items, proposals, recipients). A wl_picker chooses in it: with --zipf 0
 * a random permutation (distinct choices until the dimension is used up),
 * else Zipf(S) draws. The defaults size each dimension to the number of
 * transactions that use it, so --zipf 0 gives independent transactions
 * except where the workload itself is serial (lending's global index,
 * the DAO vault's token balance on stake).
 *
 * Every random choice comes from one xoshiro stream in a fixed order, so
 * the same options give the same world and block.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/hashmap.h"
#include "../base/keccak.h"
#include "../chain/transition.h"
#include "../evm/env.h"
#include "gen_internal.h"
#include "workload_contracts.h"

#define WL_DEPLOYER_INDEX UINT64_MAX /* key index of the deployer (not a pool index) */
/* Gas limit of a setup transaction: EIP-7825's cap (Osaka on), 2^24. */
#define WL_GAS_SETUP 16777216ull
#define WL_GAS_SETUP_STATE (1ull << 28)
/* EIP-8037: the new slots a block transaction may create, at most (a
 * mint's or a registration's record; unused gas is not charged). */
#define WL_STATE_SLOTS 8
#define WL_DATA_MAX (4 + 32 * 10) /* longest call data (a two-hop swap: 9 words) */
#define WL_GWEI 1000000000ull
#define WL_BASE_FEE (10 * WL_GWEI) /* as gen.c's GEN_BASE_FEE */
#define WL_TIP (1 * WL_GWEI)

/* Per-transaction gas limits: measured use plus room (gen.c checks that
 * every transaction succeeds, so a limit that is too low shows at once). */
#define WL_GAS_TRANSFER 21000ull
#define WL_GAS_ERC20 90000ull
#define WL_GAS_SWAP 250000ull
#define WL_GAS_LENDING 250000ull
#define WL_GAS_NFT 300000ull
#define WL_GAS_SUPPLY 200000ull
#define WL_GAS_DAO 200000ull
/* smart: a batch's frame and signature check, each call (a token write
 * to a fresh slot or ether to a fresh account costs about 35k), and each
 * authorization (25000 intrinsic, EIP-7702) */
#define WL_GAS_BATCH 80000ull
#define WL_GAS_BATCH_CALL 60000ull
#define WL_GAS_AUTHORIZATION 30000ull
#define WL_AUTH_MAX 3 /* authorizations in one relayed set-code transaction */

/* ---- call data (Solidity ABI: a selector, then 32-byte words) ---- */

struct wl_call {
    uint8_t data[WL_DATA_MAX];
    size_t len;
};

static void wl_call_begin(struct wl_call *c, uint32_t selector)
{
    for (int k = 0; k < 4; k++)
        c->data[k] = (uint8_t)(selector >> (24 - 8 * k));
    c->len = 4;
}

static void wl_call_u256(struct wl_call *c, const u256 *v)
{
    u256_to_be(v, c->data + c->len);
    c->len += 32;
}

static void wl_call_u64(struct wl_call *c, uint64_t v)
{
    u256 w = u256_from_u64(v);
    wl_call_u256(c, &w);
}

static void wl_call_address(struct wl_call *c, const address *a)
{
    memset(c->data + c->len, 0, 12);
    memcpy(c->data + c->len + 12, a->bytes, 20);
    c->len += 32;
}

static void wl_call_word(struct wl_call *c, const uint8_t word[32])
{
    memcpy(c->data + c->len, word, 32);
    c->len += 32;
}

/* ---- the builder ---- */

struct wl_eoa {
    uint8_t key[32];
    address addr;
};

/* One planned block transaction: type 2, or (smart) type 4 with
 * authorizations by key indexes auth_key[0..auth_count) delegating to
 * `delegate`. Call data longer than WL_DATA_MAX (smart's batches) is in
 * long_data (owned) instead of call. */
struct wl_tx {
    address to;
    u256 value;
    struct wl_call call;
    uint64_t gas;
    uint8_t type; /* 0 means 2 */
    uint64_t auth_key[WL_AUTH_MAX];
    size_t auth_count;
    address delegate;
    uint8_t *long_data;
    size_t long_len;
};

struct wl {
    const struct gen_options *o;
    struct block_env env; /* the setup block's environment */
    struct world *w;
    struct gen_rng rng;
    struct hmap eoas; /* key index -> struct wl_eoa */
    size_t pool_accounts;
    uint64_t n;
    uint64_t *sender, *partner; /* per block transaction: pool indexes */
    struct wl_tx *txs;
    struct gen_zipf partner_zipf;
    char *err;
    size_t err_len;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
wl_fail(struct wl *wl, int code, const char *fmt, ...)
{
    if (wl->err && wl->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(wl->err, wl->err_len, fmt, ap);
        va_end(ap);
    }
    return code;
}

static u256 wl_tokens(uint64_t whole) /* whole tokens of 18 decimals */
{
    u256 a = u256_from_u64(whole), unit = u256_from_u64(1000000000000000000ull);
    return u256_mul(&a, &unit);
}

/* A 32-byte value owned by (seed, tag, index): ids, salts, metadata. */
static void wl_word(uint64_t seed, uint64_t tag, uint64_t index, uint8_t out[32])
{
    uint8_t in[24];
    for (int i = 0; i < 8; i++) {
        in[i] = (uint8_t)(seed >> (56 - 8 * i));
        in[8 + i] = (uint8_t)(tag >> (56 - 8 * i));
        in[16 + i] = (uint8_t)(index >> (56 - 8 * i));
    }
    keccak256(in, sizeof in, out);
}

static u256 wl_id(uint64_t seed, uint64_t tag, uint64_t index)
{
    uint8_t w[32];
    wl_word(seed, tag, index, w);
    return u256_from_be32(w);
}

/* The key and address of key index i, creating its pre-state account on
 * first use (pool accounts as `gen transfers`; the deployer with nonce 0
 * so that its contracts sit at the usual CREATE addresses). */
static int wl_eoa(struct wl *wl, uint64_t index, struct wl_eoa *out)
{
    const struct wl_eoa *known = hmap_get(&wl->eoas, &index);
    if (known) {
        *out = *known;
        return PAREVM_OK;
    }
    int err = gen_account_key(wl->o->seed, index, out->key, &out->addr);
    if (err)
        return err;
    struct world_account *a = world_get_or_create(wl->w, &out->addr);
    struct wl_eoa *slot = hmap_put(&wl->eoas, &index, NULL);
    if (!a || !slot)
        return PAREVM_ERR_NOMEM;
    *slot = *out;
    if (index == WL_DEPLOYER_INDEX) {
        a->balance = wl_tokens(1000); /* 1000 ETH */
        a->nonce = 0;
    } else {
        gen_pool_account_state(wl->o->seed, index, &a->balance, &a->nonce);
        wl->pool_accounts++;
    }
    return PAREVM_OK;
}

static int wl_addr(struct wl *wl, uint64_t index, address *out)
{
    struct wl_eoa e;
    int err = wl_eoa(wl, index, &e);
    *out = e.addr;
    return err;
}

/* Apply one setup transaction from key index `from`: a call to *to, or a
 * creation when to is NULL (then *created gets the address). */
static int wl_apply(struct wl *wl, uint64_t from, const address *to, const uint8_t *data, size_t len,
                    address *created, const char *what)
{
    struct wl_eoa e;
    int err = wl_eoa(wl, from, &e);
    if (err)
        return err;
    struct world_account *a = world_get(wl->w, &e.addr);
    struct tx t;
    memset(&t, 0, sizeof t);
    t.type = 2;
    t.chain_id = 1;
    t.has_chain_id = true;
    t.nonce = a->nonce;
    /* (EIP-8037: a deployment's code bytes and new slots are state gas,
     * from the reservoir above 2^24) */
    t.gas_limit = WL_GAS_SETUP + (fork_eip(wl->o->fork, EIP_8037) ? WL_GAS_SETUP_STATE : 0);
    t.has_to = to != NULL;
    if (to)
        t.to = *to;
    t.data = (uint8_t *)data; /* borrowed: not freed here */
    t.data_len = len;
    t.has_sender = true;
    t.sender = e.addr;
    struct tx_result r;
    if ((err = transition_apply_world(&wl->env, wl->w, &t, 0, &r)))
        return wl_fail(wl, err, "setup: %s: %s", what, parevm_strerror(err));
    bool ok = r.error == TXERR_NONE && r.status == TX_STATUS_SUCCESS && (to || r.has_created_address);
    if (ok && created)
        *created = r.created_address;
    int status = (int)r.status;
    enum tx_error why = r.error;
    tx_result_free(&r);
    if (!ok)
        return wl_fail(wl, PAREVM_ERR_INTERNAL, "setup: %s failed (%s, status %d)", what,
                       why ? tx_error_name(why) : "valid", status);
    return PAREVM_OK;
}

static int wl_setup_call(struct wl *wl, uint64_t from, const address *to, const struct wl_call *c,
                         const char *what)
{
    return wl_apply(wl, from, to, c->data, c->len, NULL, what);
}

/* Deploy creation code with ABI-encoded constructor arguments (args
 * without a selector: args->data[4..len)). */
static int wl_deploy(struct wl *wl, const unsigned char *code, size_t code_len, const struct wl_call *args,
                     address *out, const char *what)
{
    size_t arg_len = args ? args->len - 4 : 0;
    uint8_t *data = malloc(code_len + arg_len);
    if (!data)
        return PAREVM_ERR_NOMEM;
    memcpy(data, code, code_len);
    if (arg_len)
        memcpy(data + code_len, args->data + 4, arg_len);
    int err = wl_apply(wl, WL_DEPLOYER_INDEX, NULL, data, code_len + arg_len, out, what);
    free(data);
    return err;
}

/* An ERC-20 (contracts/ERC20.sol) with `supply` whole tokens, all the
 * deployer's. */
static int wl_deploy_erc20(struct wl *wl, uint64_t supply, address *out)
{
    struct wl_call args;
    wl_call_begin(&args, 0);
    u256 s = wl_tokens(supply);
    wl_call_u256(&args, &s);
    return wl_deploy(wl, erc20_creation, ERC20_CREATION_LEN, &args, out, "deploy ERC20");
}

static int wl_erc20_transfer(struct wl *wl, const address *token, uint64_t from, const address *to,
                             const u256 *v)
{
    struct wl_call c;
    wl_call_begin(&c, ERC20_SEL_TRANSFER);
    wl_call_address(&c, to);
    wl_call_u256(&c, v);
    return wl_setup_call(wl, from, token, &c, "ERC20 transfer");
}

/* from lets spender move all its tokens. */
static int wl_erc20_approve(struct wl *wl, const address *token, uint64_t from, const address *spender)
{
    struct wl_call c;
    wl_call_begin(&c, ERC20_SEL_APPROVE);
    wl_call_address(&c, spender);
    u256 all = u256_max();
    wl_call_u256(&c, &all);
    return wl_setup_call(wl, from, token, &c, "ERC20 approve");
}

/* Give pool account `who` `whole` tokens from the deployer's supply. */
static int wl_fund_tokens(struct wl *wl, const address *token, uint64_t who, uint64_t whole)
{
    address a;
    int err = wl_addr(wl, who, &a);
    u256 v = wl_tokens(whole);
    return err ? err : wl_erc20_transfer(wl, token, WL_DEPLOYER_INDEX, &a, &v);
}

/* ---- the hot dimension ---- */

struct wl_picker {
    uint64_t size;
    struct gen_zipf zipf; /* --zipf > 0 */
    uint64_t *perm;       /* --zipf 0: a permutation, used in order */
    uint64_t next;
};

static int wl_picker_init(struct wl *wl, struct wl_picker *p, uint64_t size)
{
    memset(p, 0, sizeof *p);
    p->size = size;
    if (wl->o->zipf > 0)
        return gen_zipf_init(&p->zipf, size, wl->o->zipf);
    p->perm = malloc(size * sizeof *p->perm);
    if (!p->perm)
        return PAREVM_ERR_NOMEM;
    p->next = size; /* shuffle on first use */
    return PAREVM_OK;
}

/* Zipf rank, or the next element of a fresh random permutation (distinct
 * choices until all `size` have been used, then a new permutation). */
static uint64_t wl_pick(struct wl *wl, struct wl_picker *p)
{
    if (wl->o->zipf > 0)
        return gen_zipf_draw(&p->zipf, &wl->rng);
    if (p->next == p->size) {
        for (uint64_t i = 0; i < p->size; i++)
            p->perm[i] = i;
        for (uint64_t i = p->size; i > 1; i--) {
            uint64_t j = gen_rng_below(&wl->rng, i);
            uint64_t t = p->perm[i - 1];
            p->perm[i - 1] = p->perm[j];
            p->perm[j] = t;
        }
        p->next = 0;
    }
    return p->perm[p->next++];
}

static void wl_picker_free(struct wl_picker *p)
{
    free(p->zipf.cdf);
    free(p->perm);
}

/* A knob's value: given, or the number of transactions that use the
 * dimension, clamped to [lo, hi]. */
static uint64_t wl_default(uint64_t given, uint64_t count, uint64_t lo, uint64_t hi)
{
    if (given)
        return given;
    return count < lo ? lo : count > hi ? hi : count;
}

/* ---- scenarios: each plans the block transactions idx[0..count) ---- */

static int wl_transfers(struct wl *wl, const uint64_t *idx, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        int err = wl_addr(wl, wl->partner[idx[k]], &t->to);
        if (err)
            return err;
        u256 milli = u256_from_u64(1000000000000000ull),
             amount = u256_from_u64(1 + gen_rng_below(&wl->rng, 1000));
        t->value = u256_mul(&amount, &milli);
        t->gas = WL_GAS_TRANSFER;
        t->call.len = 0;
    }
    return PAREVM_OK;
}

static int wl_erc20(struct wl *wl, const uint64_t *idx, size_t count)
{
    address token;
    int err = wl_deploy_erc20(wl, 1000000000, &token);
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k];
        struct wl_tx *t = &wl->txs[i];
        address to;
        if ((err = wl_fund_tokens(wl, &token, wl->sender[i], 1000)) ||
            (err = wl_addr(wl, wl->partner[i], &to)))
            break;
        t->to = token;
        t->gas = WL_GAS_ERC20;
        wl_call_begin(&t->call, ERC20_SEL_TRANSFER);
        wl_call_address(&t->call, &to);
        u256 v = wl_tokens(1 + gen_rng_below(&wl->rng, 100));
        wl_call_u256(&t->call, &v);
    }
    return err;
}

/* AMM: T tokens, P pairs over distinct token pairs (pool p is the p-th
 * pair (a, b), a < b, in order), each seeded with 1-2 million of both
 * tokens; every transaction swaps 1-100 tokens one way through one pool
 * (the hot dimension) via the router. */
static int wl_amm(struct wl *wl, const uint64_t *idx, size_t count)
{
    uint64_t pools = wl_default(wl->o->pools, count, 16, 1024);
    uint64_t ntokens = 2;
    while (ntokens * (ntokens - 1) / 2 < pools)
        ntokens++;
    address *tokens = calloc(ntokens, sizeof *tokens);
    uint32_t *pool_a = calloc(pools, sizeof *pool_a), *pool_b = calloc(pools, sizeof *pool_b);
    struct wl_picker pick = {0};
    int err = tokens && pool_a && pool_b ? wl_picker_init(wl, &pick, pools) : PAREVM_ERR_NOMEM;
    address factory, router;
    struct wl_call c;
    for (uint64_t t = 0; t < ntokens && !err; t++)
        err = wl_deploy_erc20(wl, 1000000000000ull, &tokens[t]);
    if (!err)
        err = wl_deploy(wl, amm_factory_creation, AMM_FACTORY_CREATION_LEN, NULL, &factory,
                        "deploy AMMFactory");
    if (!err) {
        wl_call_begin(&c, 0);
        wl_call_address(&c, &factory);
        err = wl_deploy(wl, amm_router_creation, AMM_ROUTER_CREATION_LEN, &c, &router, "deploy AMMRouter");
    }
    for (uint64_t t = 0; t < ntokens && !err; t++)
        err = wl_erc20_approve(wl, &tokens[t], WL_DEPLOYER_INDEX, &router);
    address deployer;
    if (!err)
        err = wl_addr(wl, WL_DEPLOYER_INDEX, &deployer);
    uint32_t a = 0, b = 1;
    for (uint64_t p = 0; p < pools && !err; p++) {
        pool_a[p] = a;
        pool_b[p] = b;
        wl_call_begin(&c, AMM_FACTORY_SEL_CREATE_PAIR);
        wl_call_address(&c, &tokens[a]);
        wl_call_address(&c, &tokens[b]);
        if ((err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &factory, &c, "AMMFactory.createPair")))
            break;
        wl_call_begin(&c, AMM_ROUTER_SEL_ADD_LIQUIDITY);
        wl_call_address(&c, &tokens[a]);
        wl_call_address(&c, &tokens[b]);
        u256 la = wl_tokens(1000000 + gen_hash3(wl->o->seed, p, 0x616d6d61) % 1000000);
        u256 lb = wl_tokens(1000000 + gen_hash3(wl->o->seed, p, 0x616d6d62) % 1000000);
        wl_call_u256(&c, &la);
        wl_call_u256(&c, &lb);
        wl_call_address(&c, &deployer);
        err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &router, &c, "AMMRouter.addLiquidity");
        if (++b == ntokens)
            b = ++a + 1;
    }
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k];
        uint64_t p = wl_pick(wl, &pick);
        bool forward = gen_rng_below(&wl->rng, 2);
        const address *in = &tokens[forward ? pool_a[p] : pool_b[p]];
        const address *out = &tokens[forward ? pool_b[p] : pool_a[p]];
        address trader;
        if ((err = wl_addr(wl, wl->sender[i], &trader)) ||
            (err = wl_fund_tokens(wl, in, wl->sender[i], 1000)) ||
            (err = wl_erc20_approve(wl, in, wl->sender[i], &router)))
            break;
        /* swapExactTokensForTokens(amountIn, amountOutMin, path, to, deadline) */
        struct wl_tx *t = &wl->txs[i];
        t->to = router;
        t->gas = WL_GAS_SWAP;
        wl_call_begin(&t->call, AMM_ROUTER_SEL_SWAP_EXACT_TOKENS_FOR_TOKENS);
        u256 amount = wl_tokens(1 + gen_rng_below(&wl->rng, 100));
        wl_call_u256(&t->call, &amount);
        wl_call_u64(&t->call, 1);
        wl_call_u64(&t->call, 5 * 32); /* offset of path: after the five head words */
        wl_call_address(&t->call, &trader);
        wl_call_u64(&t->call, wl->env.timestamp + 12 + 600);
        wl_call_u64(&t->call, 2);
        wl_call_address(&t->call, in);
        wl_call_address(&t->call, out);
    }
    wl_picker_free(&pick);
    free(tokens);
    free(pool_a);
    free(pool_b);
    return err;
}

/* Lending: one pool over one token, with 100 million tokens of the
 * deployer's liquidity. Each sender holds 100k tokens, has deposited
 * 10k and borrowed 2k; in the block it deposits (40%), borrows (30%) or
 * repays (30%) 1-1000 tokens. Deposits and repayments are on behalf of
 * itself (--zipf 0) or of a Zipf-drawn borrower of this scenario. */
static int wl_lending(struct wl *wl, const uint64_t *idx, size_t count)
{
    address token, pool, deployer;
    struct wl_call c;
    struct wl_picker pick = {0};
    int err = wl_picker_init(wl, &pick, count);
    if (!err)
        err = wl_deploy_erc20(wl, 1000000000000ull, &token);
    if (!err) {
        wl_call_begin(&c, 0);
        wl_call_address(&c, &token);
        err =
            wl_deploy(wl, lending_pool_creation, LENDING_POOL_CREATION_LEN, &c, &pool, "deploy LendingPool");
    }
    if (!err)
        err = wl_addr(wl, WL_DEPLOYER_INDEX, &deployer);
    if (!err)
        err = wl_erc20_approve(wl, &token, WL_DEPLOYER_INDEX, &pool);
    if (!err) {
        wl_call_begin(&c, LENDING_POOL_SEL_DEPOSIT);
        wl_call_address(&c, &deployer);
        u256 v = wl_tokens(100000000);
        wl_call_u256(&c, &v);
        err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &pool, &c, "LendingPool.deposit (liquidity)");
    }
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t s = wl->sender[idx[k]];
        address who;
        if ((err = wl_addr(wl, s, &who)) || (err = wl_fund_tokens(wl, &token, s, 100000)) ||
            (err = wl_erc20_approve(wl, &token, s, &pool)))
            break;
        wl_call_begin(&c, LENDING_POOL_SEL_DEPOSIT);
        wl_call_address(&c, &who);
        u256 v = wl_tokens(10000);
        wl_call_u256(&c, &v);
        if ((err = wl_setup_call(wl, s, &pool, &c, "LendingPool.deposit")))
            break;
        wl_call_begin(&c, LENDING_POOL_SEL_BORROW);
        v = wl_tokens(2000);
        wl_call_u256(&c, &v);
        err = wl_setup_call(wl, s, &pool, &c, "LendingPool.borrow");
    }
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k];
        struct wl_tx *t = &wl->txs[i];
        uint64_t action = gen_rng_below(&wl->rng, 100);
        u256 amount = wl_tokens(1 + gen_rng_below(&wl->rng, 1000));
        uint64_t beneficiary = wl->o->zipf > 0 ? wl->sender[idx[wl_pick(wl, &pick)]] : wl->sender[i];
        address on_behalf;
        if ((err = wl_addr(wl, beneficiary, &on_behalf)))
            break;
        t->to = pool;
        t->gas = WL_GAS_LENDING;
        if (action < 40) {
            wl_call_begin(&t->call, LENDING_POOL_SEL_DEPOSIT);
            wl_call_address(&t->call, &on_behalf);
        } else if (action < 70) {
            wl_call_begin(&t->call, LENDING_POOL_SEL_BORROW);
        } else {
            wl_call_begin(&t->call, LENDING_POOL_SEL_REPAY);
            wl_call_address(&t->call, &on_behalf);
        }
        wl_call_u256(&t->call, &amount);
    }
    wl_picker_free(&pick);
    return err;
}

/* The id NFTGame.mint(to) gives to's first character:
 * keccak256(abi.encode(to, 0)). */
static u256 wl_first_character(const address *owner)
{
    uint8_t in[64] = {0};
    memcpy(in + 12, owner->bytes, 20);
    uint8_t h[32];
    keccak256(in, sizeof in, h);
    return u256_from_be32(h);
}

/* NFT game: every sender and partner owns one character (minted in
 * setup). A sender battles its character against its partner's (55%),
 * breeds it with its partner's (25%) or mints a new one (20%). The hot
 * dimension is the partner, i.e. the other character. */
static int wl_nft(struct wl *wl, const uint64_t *idx, size_t count)
{
    address game;
    int err = wl_deploy(wl, nft_game_creation, NFT_GAME_CREATION_LEN, NULL, &game, "deploy NFTGame");
    struct hmap minted; /* pool index -> nothing */
    hmap_init(&minted, sizeof(uint64_t), 1);
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t who[2] = {wl->sender[idx[k]], wl->partner[idx[k]]};
        for (int j = 0; j < 2 && !err; j++) {
            bool inserted;
            if (!hmap_put(&minted, &who[j], &inserted)) {
                err = PAREVM_ERR_NOMEM;
                break;
            }
            if (!inserted)
                continue;
            address owner;
            struct wl_call c;
            if ((err = wl_addr(wl, who[j], &owner)))
                break;
            wl_call_begin(&c, NFT_GAME_SEL_MINT);
            wl_call_address(&c, &owner);
            err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &game, &c, "NFTGame.mint");
        }
    }
    hmap_free(&minted);
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k];
        struct wl_tx *t = &wl->txs[i];
        address me, other;
        if ((err = wl_addr(wl, wl->sender[i], &me)) || (err = wl_addr(wl, wl->partner[i], &other)))
            break;
        u256 mine = wl_first_character(&me), theirs = wl_first_character(&other);
        uint64_t action = gen_rng_below(&wl->rng, 100);
        t->to = game;
        t->gas = WL_GAS_NFT;
        if (action < 80) {
            wl_call_begin(&t->call, action < 55 ? NFT_GAME_SEL_BATTLE : NFT_GAME_SEL_BREED);
            wl_call_u256(&t->call, &mine);
            wl_call_u256(&t->call, &theirs);
        } else {
            wl_call_begin(&t->call, NFT_GAME_SEL_MINT);
            wl_call_address(&t->call, &me);
        }
    }
    return err;
}

/* Supply chain: a warehouse of N items (--items; default one per
 * checkpointing transaction, at least 16), registered in setup by pool
 * producers; each custody-passing sender registered its own item in
 * setup. In the block a sender registers a new item (30%), passes its
 * item to its partner (35%: the partner's `received` counter is the hot
 * spot) or records a checkpoint on a warehouse item (35%: the item is
 * the hot dimension). */
static int wl_supply(struct wl *wl, const uint64_t *idx, size_t count)
{
    enum { REGISTER, CUSTODY, CHECKPOINT };
    uint8_t *action = malloc(count ? count : 1);
    if (!action)
        return PAREVM_ERR_NOMEM;
    size_t checkpoints = 0;
    for (size_t k = 0; k < count; k++) {
        uint64_t r = gen_rng_below(&wl->rng, 100);
        action[k] = r < 30 ? REGISTER : r < 65 ? CUSTODY : CHECKPOINT;
        checkpoints += action[k] == CHECKPOINT;
    }
    uint64_t items = wl_default(wl->o->items, checkpoints, 16, GEN_MAX_ITEMS);
    address chain;
    struct wl_call c;
    struct wl_picker pick = {0};
    int err = wl_picker_init(wl, &pick, items);
    if (!err)
        err = wl_deploy(wl, supply_chain_creation, SUPPLY_CHAIN_CREATION_LEN, NULL, &chain,
                        "deploy SupplyChain");
    const uint64_t warehouse = 0x77617265, own = 0x6f776e, fresh = 0x6e6577, meta = 0x6d657461;
    for (uint64_t it = 0; it < items && !err; it++) {
        wl_call_begin(&c, SUPPLY_CHAIN_SEL_REGISTER);
        u256 id = wl_id(wl->o->seed, warehouse, it);
        wl_call_u256(&c, &id);
        uint8_t m[32];
        wl_word(wl->o->seed, meta, it, m);
        wl_call_word(&c, m);
        err = wl_setup_call(wl, it % wl->o->accounts, &chain, &c, "SupplyChain.register (warehouse)");
    }
    for (size_t k = 0; k < count && !err; k++) {
        if (action[k] != CUSTODY)
            continue;
        wl_call_begin(&c, SUPPLY_CHAIN_SEL_REGISTER);
        u256 id = wl_id(wl->o->seed, own, idx[k]);
        wl_call_u256(&c, &id);
        uint8_t m[32];
        wl_word(wl->o->seed, meta, idx[k], m);
        wl_call_word(&c, m);
        err = wl_setup_call(wl, wl->sender[idx[k]], &chain, &c, "SupplyChain.register (own item)");
    }
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k];
        struct wl_tx *t = &wl->txs[i];
        t->to = chain;
        t->gas = WL_GAS_SUPPLY;
        if (action[k] == REGISTER) {
            wl_call_begin(&t->call, SUPPLY_CHAIN_SEL_REGISTER);
            u256 id = wl_id(wl->o->seed, fresh, i);
            wl_call_u256(&t->call, &id);
            uint8_t m[32];
            wl_word(wl->o->seed, meta, i, m);
            wl_call_word(&t->call, m);
        } else if (action[k] == CUSTODY) {
            address to;
            if ((err = wl_addr(wl, wl->partner[i], &to)))
                break;
            wl_call_begin(&t->call, SUPPLY_CHAIN_SEL_TRANSFER_CUSTODY);
            u256 id = wl_id(wl->o->seed, own, i);
            wl_call_u256(&t->call, &id);
            wl_call_address(&t->call, &to);
        } else {
            wl_call_begin(&t->call, SUPPLY_CHAIN_SEL_CHECKPOINT);
            u256 id = wl_id(wl->o->seed, warehouse, wl_pick(wl, &pick));
            wl_call_u256(&t->call, &id);
            wl_call_u64(&t->call, gen_rng_below(&wl->rng, 1000000)); /* location code */
            /* temperature -20..39 as an int32 ABI word (sign-extended) */
            int64_t temp = (int64_t)gen_rng_below(&wl->rng, 60) - 20;
            u256 magnitude = u256_from_u64((uint64_t)(temp < 0 ? -temp : temp));
            u256 word = temp < 0 ? u256_neg(&magnitude) : magnitude;
            wl_call_u256(&t->call, &word);
        }
    }
    wl_picker_free(&pick);
    free(action);
    return err;
}

/* The commitment DAOVault.reveal checks: keccak256(abi.encode(member,
 * support, salt)). */
static void wl_commitment(const address *member, bool support, const uint8_t salt[32], uint8_t out[32])
{
    uint8_t in[96] = {0};
    memcpy(in + 12, member->bytes, 20);
    in[63] = support;
    memcpy(in + 64, salt, 32);
    keccak256(in, sizeof in, out);
}

/* DAO: P proposals (--proposals; default twice the transactions, at
 * least 16) funded with 1000 tokens of reward each; proposal p (id p + 1)
 * is in the commit phase when p % 4 == 0, in the reveal phase when
 * p % 4 is 1 or 2, closed when p % 4 == 3. Every sender has staked
 * 1000-2000 tokens. In the block a sender commits a vote (25%), reveals
 * the vote it committed in setup (45%), claims its reward from a closed
 * proposal it voted on (20%), stakes more (5%: every stake moves tokens
 * into the vault, one shared balance) or closes its own proposal (5%).
 * The proposal is the hot dimension. */
static int wl_dao(struct wl *wl, const uint64_t *idx, size_t count)
{
    enum { STAKE, COMMIT, REVEAL, CLAIM, CLOSE };
    uint64_t proposals = wl_default(wl->o->proposals, 2 * count, 16, GEN_MAX_PROPOSALS);
    /* phase sets: rank r -> proposal index */
    uint64_t set_size[3] = {(proposals + 3) / 4, (proposals + 2) / 4 + (proposals + 1) / 4, proposals / 4};
    uint8_t *action = malloc(count ? count : 1);
    uint64_t *target = malloc((count ? count : 1) * sizeof *target);
    bool *support = malloc(count ? count : 1);
    struct wl_picker pick[3] = {{0}, {0}, {0}};
    int err = action && target && support ? PAREVM_OK : PAREVM_ERR_NOMEM;
    for (int s = 0; s < 3 && !err; s++)
        err = wl_picker_init(wl, &pick[s], set_size[s]);
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t r = gen_rng_below(&wl->rng, 100);
        action[k] = r < 5 ? STAKE : r < 30 ? COMMIT : r < 75 ? REVEAL : r < 95 ? CLAIM : CLOSE;
        support[k] = gen_rng_below(&wl->rng, 2);
        target[k] = 0;
        if (action[k] == COMMIT)
            target[k] = 4 * wl_pick(wl, &pick[0]);
        else if (action[k] == REVEAL) {
            uint64_t rank = wl_pick(wl, &pick[1]);
            target[k] = 4 * (rank / 2) + 1 + rank % 2;
        } else if (action[k] == CLAIM)
            target[k] = 4 * wl_pick(wl, &pick[2]) + 3;
    }
    for (int s = 0; s < 3; s++)
        wl_picker_free(&pick[s]);

    address token, vault;
    struct wl_call c;
    const uint64_t salt_tag = 0x73616c74, own_tag = 0x6f776e70;
    if (!err)
        err = wl_deploy_erc20(wl, 1000000000000ull, &token);
    if (!err) {
        wl_call_begin(&c, 0);
        wl_call_address(&c, &token);
        err = wl_deploy(wl, dao_vault_creation, DAO_VAULT_CREATION_LEN, &c, &vault, "deploy DAOVault");
    }
    if (!err)
        err = wl_erc20_approve(wl, &token, WL_DEPLOYER_INDEX, &vault);
    for (uint64_t p = 0; p < proposals && !err; p++) {
        wl_call_begin(&c, DAO_VAULT_SEL_PROPOSE);
        wl_call_u64(&c, p + 1);
        u256 reward = wl_tokens(1000);
        wl_call_u256(&c, &reward);
        err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &vault, &c, "DAOVault.propose");
    }
    for (size_t k = 0; k < count && !err; k++) { /* every member stakes */
        uint64_t s = wl->sender[idx[k]];
        if ((err = wl_fund_tokens(wl, &token, s, 10000)) || (err = wl_erc20_approve(wl, &token, s, &vault)))
            break;
        wl_call_begin(&c, DAO_VAULT_SEL_STAKE);
        u256 v = wl_tokens(1000 + gen_hash3(wl->o->seed, s, 0x7374616b) % 1000);
        wl_call_u256(&c, &v);
        err = wl_setup_call(wl, s, &vault, &c, "DAOVault.stake");
    }
    /* The votes to reveal in the block or in setup are committed first. */
    for (size_t k = 0; k < count && !err; k++) {
        if (action[k] != REVEAL && action[k] != CLAIM)
            continue;
        address member;
        uint8_t salt[32], h[32];
        if ((err = wl_addr(wl, wl->sender[idx[k]], &member)))
            break;
        wl_word(wl->o->seed, salt_tag, idx[k], salt);
        wl_commitment(&member, support[k], salt, h);
        wl_call_begin(&c, DAO_VAULT_SEL_COMMIT);
        wl_call_u64(&c, target[k] + 1);
        wl_call_word(&c, h);
        err = wl_setup_call(wl, wl->sender[idx[k]], &vault, &c, "DAOVault.commit");
    }
    for (uint64_t p = 0; p < proposals && !err; p++) {
        if (p % 4 == 0)
            continue;
        wl_call_begin(&c, DAO_VAULT_SEL_START_REVEAL);
        wl_call_u64(&c, p + 1);
        err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &vault, &c, "DAOVault.startReveal");
    }
    for (size_t k = 0; k < count && !err; k++) {
        if (action[k] != CLAIM)
            continue;
        uint8_t salt[32];
        wl_word(wl->o->seed, salt_tag, idx[k], salt);
        wl_call_begin(&c, DAO_VAULT_SEL_REVEAL);
        wl_call_u64(&c, target[k] + 1);
        wl_call_u64(&c, support[k]);
        wl_call_word(&c, salt);
        err = wl_setup_call(wl, wl->sender[idx[k]], &vault, &c, "DAOVault.reveal");
    }
    for (uint64_t p = 3; p < proposals && !err; p += 4) {
        wl_call_begin(&c, DAO_VAULT_SEL_CLOSE);
        wl_call_u64(&c, p + 1);
        err = wl_setup_call(wl, WL_DEPLOYER_INDEX, &vault, &c, "DAOVault.close");
    }
    for (size_t k = 0; k < count && !err; k++) { /* proposals their senders close */
        if (action[k] != CLOSE)
            continue;
        u256 id = wl_id(wl->o->seed, own_tag, idx[k]);
        wl_call_begin(&c, DAO_VAULT_SEL_PROPOSE);
        wl_call_u256(&c, &id);
        wl_call_u64(&c, 0);
        if ((err = wl_setup_call(wl, wl->sender[idx[k]], &vault, &c, "DAOVault.propose (own)")))
            break;
        wl_call_begin(&c, DAO_VAULT_SEL_START_REVEAL);
        wl_call_u256(&c, &id);
        err = wl_setup_call(wl, wl->sender[idx[k]], &vault, &c, "DAOVault.startReveal (own)");
    }
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k];
        struct wl_tx *t = &wl->txs[i];
        t->to = vault;
        t->gas = WL_GAS_DAO;
        uint8_t salt[32], h[32];
        wl_word(wl->o->seed, salt_tag, i, salt);
        switch (action[k]) {
        case STAKE: {
            wl_call_begin(&t->call, DAO_VAULT_SEL_STAKE);
            u256 v = wl_tokens(1 + gen_rng_below(&wl->rng, 1000));
            wl_call_u256(&t->call, &v);
            break;
        }
        case COMMIT: {
            address member;
            if ((err = wl_addr(wl, wl->sender[i], &member)))
                break;
            wl_commitment(&member, support[k], salt, h);
            wl_call_begin(&t->call, DAO_VAULT_SEL_COMMIT);
            wl_call_u64(&t->call, target[k] + 1);
            wl_call_word(&t->call, h);
            break;
        }
        case REVEAL:
            wl_call_begin(&t->call, DAO_VAULT_SEL_REVEAL);
            wl_call_u64(&t->call, target[k] + 1);
            wl_call_u64(&t->call, support[k]);
            wl_call_word(&t->call, salt);
            break;
        case CLAIM:
            wl_call_begin(&t->call, DAO_VAULT_SEL_CLAIM);
            wl_call_u64(&t->call, target[k] + 1);
            break;
        default: {
            u256 id = wl_id(wl->o->seed, own_tag, i);
            wl_call_begin(&t->call, DAO_VAULT_SEL_CLOSE);
            wl_call_u256(&t->call, &id);
            break;
        }
        }
    }
    free(action);
    free(target);
    free(support);
    return err;
}

/* ---- smart: EIP-7702 smart accounts ---- */

/* Key index of smart account j (the delegating accounts of relayed
 * transactions): outside the pool's range and below the deployer's. */
#define WL_SMART_INDEX(j) ((1ull << 63) + (j))

struct wl_smart {
    address token, batcher;
    struct hmap batch_nonce; /* key index -> Batcher.nonce in its storage */
    uint64_t next_smart;     /* smart accounts created so far */
    uint64_t *queue;         /* delegated earlier in the block, unused */
    size_t queue_head, queue_len;
};

/* EIP-7702: the account's code becomes the delegation designator
 * 0xef0100 || address (written straight into the pre-state, as a set-code
 * transaction of an earlier block would have left it). */
static int wl_delegate(struct wl *wl, uint64_t index, const address *to)
{
    address a;
    int err = wl_addr(wl, index, &a);
    if (err)
        return err;
    uint8_t designator[23] = {0xef, 0x01, 0x00};
    memcpy(designator + 3, to->bytes, 20);
    struct code *c = code_new(designator, sizeof designator);
    if (!c)
        return PAREVM_ERR_NOMEM;
    world_set_code(world_get(wl->w, &a), c);
    code_release(c);
    return PAREVM_OK;
}

static void wl_put_word(struct bytebuf *b, const uint8_t word[32], int *err)
{
    if (!*err)
        *err = bytebuf_append(b, word, 32);
}

static void wl_put_u256(struct bytebuf *b, const u256 *v, int *err)
{
    uint8_t w[32];
    u256_to_be(v, w);
    wl_put_word(b, w, err);
}

static void wl_put_u64(struct bytebuf *b, uint64_t v, int *err)
{
    u256 w = u256_from_u64(v);
    wl_put_u256(b, &w, err);
}

static void wl_put_address(struct bytebuf *b, const address *a, int *err)
{
    uint8_t w[32] = {0};
    memcpy(w + 12, a->bytes, 20);
    wl_put_word(b, w, err);
}

/* One call of a batch: Batcher.Call {target, value, data}. */
struct wl_batch_call {
    address target;
    u256 value;
    struct wl_call data; /* len 0: a plain ether send */
};

/* The ABI encoding of a Call[] value (its length, the elements' offsets,
 * then each (address, uint256, bytes) tuple), appended to b. */
static int wl_encode_calls(struct bytebuf *b, const struct wl_batch_call *calls, size_t n)
{
    int err = PAREVM_OK;
    wl_put_u64(b, n, &err);
    uint64_t offset = 32 * n; /* from the first offset word */
    for (size_t k = 0; k < n; k++) {
        wl_put_u64(b, offset, &err);
        offset += 4 * 32 + (calls[k].data.len + 31) / 32 * 32;
    }
    for (size_t k = 0; k < n; k++) {
        const struct wl_batch_call *c = &calls[k];
        wl_put_address(b, &c->target, &err);
        wl_put_u256(b, &c->value, &err);
        wl_put_u64(b, 3 * 32, &err); /* the bytes start after the three head words */
        wl_put_u64(b, c->data.len, &err);
        if (!err && c->data.len)
            err = bytebuf_append(b, c->data.data, c->data.len);
        static const uint8_t zero[32];
        size_t pad = (32 - c->data.len % 32) % 32;
        if (!err && pad)
            err = bytebuf_append(b, zero, pad);
    }
    return err;
}

/* A batch of 2-4 calls from the account at `from`: token transfer (60%),
 * token approve (20%) or an ether send (20%) to a recipient. Recipients:
 * with --zipf 0 fresh addresses owned by (transaction, call), so that no
 * two batches share one; else pool accounts drawn Zipf(S) (the hot
 * dimension). */
static int wl_smart_batch(struct wl *wl, const struct wl_smart *sm, uint64_t tx, struct wl_batch_call *calls,
                          size_t *n)
{
    *n = 2 + gen_rng_below(&wl->rng, 3);
    for (size_t k = 0; k < *n; k++) {
        struct wl_batch_call *c = &calls[k];
        address to;
        if (wl->o->zipf > 0) {
            int err = wl_addr(wl, gen_zipf_draw(&wl->partner_zipf, &wl->rng), &to);
            if (err)
                return err;
        } else {
            uint8_t w[32];
            wl_word(wl->o->seed, 0x72637074 /* "rcpt" */, tx * 8 + k, w);
            memcpy(to.bytes, w + 12, 20);
        }
        uint64_t r = gen_rng_below(&wl->rng, 100);
        c->value = u256_zero();
        c->data.len = 0;
        if (r < 80) {
            c->target = sm->token;
            wl_call_begin(&c->data, r < 60 ? ERC20_SEL_TRANSFER : ERC20_SEL_APPROVE);
            wl_call_address(&c->data, &to);
            u256 v = wl_tokens(1 + gen_rng_below(&wl->rng, 100));
            wl_call_u256(&c->data, &v);
        } else {
            c->target = to;
            u256 micro = u256_from_u64(1000000000000ull),
                 k_units = u256_from_u64(1 + gen_rng_below(&wl->rng, 1000));
            c->value = u256_mul(&k_units, &micro); /* up to 0.001 ether */
        }
    }
    return PAREVM_OK;
}

/* The call data of Batcher.execute(calls), or, when signer is not NULL,
 * of Batcher.executeSigned(calls, v, r, s) with the signer's signature
 * over keccak256(abi.encode(chainid, account, nonce,
 * keccak256(abi.encode(calls)))), the account's batch nonce advanced. The
 * data goes into t->long_data. */
static int wl_smart_call_data(struct wl_smart *sm, struct wl_tx *t, const struct wl_batch_call *calls,
                              size_t n, const struct wl_eoa *signer, uint64_t signer_index)
{
    struct bytebuf enc = {0}, data = {0}, abi = {0};
    int err = wl_encode_calls(&enc, calls, n);
    uint8_t sel[4];
    uint32_t selector = signer ? BATCHER_SEL_EXECUTE_SIGNED : BATCHER_SEL_EXECUTE;
    for (int k = 0; k < 4; k++)
        sel[k] = (uint8_t)(selector >> (24 - 8 * k));
    if (!err)
        err = bytebuf_append(&data, sel, 4);
    if (!signer) {
        wl_put_u64(&data, 32, &err); /* offset of calls */
    } else {
        /* abi.encode(calls): one offset word, then the array. */
        wl_put_u64(&abi, 32, &err);
        if (!err)
            err = bytebuf_append(&abi, enc.data, enc.len);
        uint8_t calls_hash[32], digest_in[128], digest[32], v, r[32], s[32];
        if (!err)
            keccak256(abi.data, abi.len, calls_hash);
        bool fresh = false;
        uint64_t *nonce = err ? NULL : hmap_put(&sm->batch_nonce, &signer_index, &fresh);
        if (!err && !nonce)
            err = PAREVM_ERR_NOMEM;
        if (nonce && fresh)
            *nonce = 0; /* an account's first signed batch */
        if (!err) {
            u256 chain = u256_from_u64(1), nv = u256_from_u64((*nonce)++);
            u256_to_be(&chain, digest_in);
            memset(digest_in + 32, 0, 12);
            memcpy(digest_in + 44, signer->addr.bytes, 20);
            u256_to_be(&nv, digest_in + 64);
            memcpy(digest_in + 96, calls_hash, 32);
            keccak256(digest_in, sizeof digest_in, digest);
            err = gen_sign_digest(signer->key, digest, &v, r, s);
        }
        wl_put_u64(&data, 4 * 32, &err); /* offset of calls, after v, r, s */
        wl_put_u64(&data, v, &err);
        wl_put_word(&data, r, &err);
        wl_put_word(&data, s, &err);
    }
    if (!err)
        err = bytebuf_append(&data, enc.data, enc.len);
    bytebuf_free(&enc);
    bytebuf_free(&abi);
    if (err) {
        bytebuf_free(&data);
        return err;
    }
    t->long_data = data.data; /* owned by t now */
    t->long_len = data.len;
    return PAREVM_OK;
}

/* A new smart account (key index WL_SMART_INDEX(j)) with tokens, delegated
 * in the pre-state or not. */
static int wl_smart_account(struct wl *wl, struct wl_smart *sm, bool delegated, uint64_t *index)
{
    *index = WL_SMART_INDEX(sm->next_smart++);
    int err = wl_fund_tokens(wl, &sm->token, *index, 10000);
    if (!err && delegated)
        err = wl_delegate(wl, *index, &sm->batcher);
    return err;
}

/* smart: EOAs delegated to contracts/Batcher.sol (EIP-7702) running
 * batches. Per transaction, from its (distinct) pool sender:
 *   25% the sender delegates itself in a type-4 transaction to itself
 *       (so its authorization nonce is the transaction's nonce + 1) and
 *       runs execute(batch) at once;
 *   20% the sender relays: a type-4 transaction with 1-3 authorizations
 *       of fresh smart accounts, calling the first one's
 *       executeSigned(batch); the others wait for later transactions;
 *   30% the sender, delegated in the pre-state, calls itself with
 *       execute(batch);
 *   25% the sender relays executeSigned(batch) of a smart account: one
 *       delegated by an earlier transaction of the block when there is
 *       one, else one delegated in the pre-state.
 * Every account running a batch holds 10,000 tokens. */
static int wl_smart(struct wl *wl, const uint64_t *idx, size_t count)
{
    enum { SELF_DELEGATE, RELAY_DELEGATE, SELF_BATCH, RELAY_BATCH };
    struct wl_smart sm;
    memset(&sm, 0, sizeof sm);
    hmap_init(&sm.batch_nonce, sizeof(uint64_t), sizeof(uint64_t));
    sm.queue = malloc((WL_AUTH_MAX * count + 1) * sizeof *sm.queue);
    int err = sm.queue ? PAREVM_OK : PAREVM_ERR_NOMEM;
    if (!err)
        err = wl_deploy_erc20(wl, 1000000000000ull, &sm.token);
    if (!err)
        err = wl_deploy(wl, batcher_creation, BATCHER_CREATION_LEN, NULL, &sm.batcher, "deploy Batcher");
    if (!err && wl->o->zipf > 0 && !wl->partner_zipf.cdf)
        err = gen_zipf_init(&wl->partner_zipf, wl->o->accounts, wl->o->zipf);
    for (size_t k = 0; k < count && !err; k++) {
        uint64_t i = idx[k], sender = wl->sender[i];
        struct wl_tx *t = &wl->txs[i];
        uint64_t r = gen_rng_below(&wl->rng, 100);
        int action = r < 25 ? SELF_DELEGATE : r < 45 ? RELAY_DELEGATE : r < 75 ? SELF_BATCH : RELAY_BATCH;
        struct wl_batch_call calls[4];
        size_t n;
        struct wl_eoa runner; /* whose batch runs */
        uint64_t runner_index = sender;
        t->type = 2;
        t->delegate = sm.batcher;
        if (action == SELF_DELEGATE || action == SELF_BATCH) {
            if ((err = wl_fund_tokens(wl, &sm.token, sender, 10000)))
                break;
            if (action == SELF_DELEGATE) {
                t->type = 4;
                t->auth_key[t->auth_count++] = sender;
            } else if ((err = wl_delegate(wl, sender, &sm.batcher)))
                break;
        } else if (action == RELAY_DELEGATE) {
            t->type = 4;
            size_t m = 1 + gen_rng_below(&wl->rng, WL_AUTH_MAX);
            for (size_t a = 0; a < m && !err; a++) {
                uint64_t index;
                if (!(err = wl_smart_account(wl, &sm, false, &index))) {
                    t->auth_key[t->auth_count++] = index;
                    if (a == 0)
                        runner_index = index;
                    else
                        sm.queue[sm.queue_len++] = index;
                }
            }
        } else if (sm.queue_head < sm.queue_len) {
            runner_index = sm.queue[sm.queue_head++]; /* delegated earlier in the block */
        } else {
            err = wl_smart_account(wl, &sm, true, &runner_index);
        }
        if (err || (err = wl_eoa(wl, runner_index, &runner)) || (err = wl_smart_batch(wl, &sm, i, calls, &n)))
            break;
        err = wl_smart_call_data(&sm, t, calls, n, runner_index == sender ? NULL : &runner, runner_index);
        t->to = runner.addr;
        t->gas =
            WL_GAS_BATCH + WL_GAS_BATCH_CALL * n + WL_GAS_AUTHORIZATION * t->auth_count + 16 * t->long_len;
    }
    free(sm.queue);
    hmap_free(&sm.batch_nonce);
    return err;
}

/* ---- the block ---- */

/* ---- adversarial scenarios: hand-assembled contracts ---- */

/* Creation code that returns `runtime` (at most 255 bytes) as the
 * contract's code: CODECOPY(0, 12, len); RETURN(0, len). */
static int wl_deploy_runtime(struct wl *wl, const uint8_t *runtime, uint8_t len, address *out,
                             const char *what)
{
    uint8_t code[12 + 255] = {0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3};
    memcpy(code + 12, runtime, len);
    return wl_deploy(wl, code, 12 + (size_t)len, NULL, out, what);
}

#define WL_GAS_STORM 60000ull
#define WL_GAS_MEMORY 1000000ull

/* storm: every transaction runs slot0 = slot0 + 1 on one counter, so each
 * reads what the one before wrote: the worst case of Block-STM. */
static int wl_storm(struct wl *wl, const uint64_t *idx, size_t count)
{
    /* PUSH1 0 SLOAD PUSH1 1 ADD PUSH1 0 SSTORE STOP */
    static const uint8_t counter[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
    address c;
    int err = wl_deploy_runtime(wl, counter, sizeof counter, &c, "deploy storm counter");
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = c;
        t->gas = WL_GAS_STORM;
        t->call.len = 0;
    }
    return err;
}

/* memory: every transaction stores a word at byte 655360 (0x0a0000) of
 * its memory: 20481 words, 61443 + 20481^2/512 = 880,723 gas of memory
 * expansion (Yellow Paper C_mem), 640 KiB zeroed per call. */
static int wl_memory(struct wl *wl, const uint64_t *idx, size_t count)
{
    /* PUSH1 1 PUSH3 0x0a0000 MSTORE STOP */
    static const uint8_t grow[] = {0x60, 0x01, 0x62, 0x0a, 0x00, 0x00, 0x52, 0x00};
    address c;
    int err = wl_deploy_runtime(wl, grow, sizeof grow, &c, "deploy memory grower");
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = c;
        t->gas = WL_GAS_MEMORY;
        t->call.len = 0;
    }
    return err;
}

/* hotbalance: every transaction pays 1 gwei to one externally owned
 * account (an exchange's deposit address). Nothing reads that balance:
 * each credit is a blind write, so the block is independent for an
 * engine that keeps such credits as deltas (DESIGN.md), and a storm on
 * one balance for one that does not. */
#define WL_HOT_INDEX (UINT64_MAX - 1) /* key index of the paid account (not a pool index) */
static int wl_hotbalance(struct wl *wl, const uint64_t *idx, size_t count)
{
    address hot;
    int err = wl_addr(wl, WL_HOT_INDEX, &hot);
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = hot;
        t->value = u256_from_u64(WL_GWEI);
        t->gas = WL_GAS_TRANSFER;
        t->call.len = 0;
    }
    return err;
}

/* The child both CREATE2 scenarios deploy (init code, 11 bytes): it
 * returns the runtime CALLER SELFDESTRUCT (0x33 0xff):
 * PUSH2 0x33ff PUSH1 0 MSTORE PUSH1 2 PUSH1 30 RETURN. */
static const uint8_t wl_child_init[] = {0x61, 0x33, 0xff, 0x60, 0x00, 0x52, 0x60, 0x02, 0x60, 0x1e, 0xf3};

/* Factory runtime: CREATE2(CALLVALUE, child init, salt 0) into memory
 * bytes 21..31; then, when call_child, revert if the creation failed
 * and CALL the child (which self-destructs, its balance going back to
 * the factory). out must hold 64 bytes; returns the length. */
static uint8_t wl_factory_code(uint8_t *out, bool call_child)
{
    uint8_t n = 0;
    out[n++] = 0x6a; /* PUSH11 init */
    memcpy(out + n, wl_child_init, sizeof wl_child_init);
    n += sizeof wl_child_init;
    static const uint8_t create[] = {
        0x60, 0x00, 0x52,             /* PUSH1 0 MSTORE: init at bytes 21..31 */
        0x60, 0x00, 0x60, 0x0b, 0x60, /* salt 0, size 11, */
        0x15, 0x34, 0xf5,             /* offset 21, CALLVALUE; CREATE2 -> address */
    };
    memcpy(out + n, create, sizeof create);
    n += sizeof create;
    if (!call_child) {
        out[n++] = 0x00; /* STOP: a collision is not an error to the caller */
        return n;
    }
    /* the JUMPDEST's offset: after the check (5 bytes), five PUSH1s,
     * DUP6 GAS CALL and STOP */
    uint8_t revert_at = (uint8_t)(n + 5 + 10 + 3 + 1);
    /* clang-format off */
    const uint8_t call[] = {
        0x80, 0x15, 0x60, revert_at, 0x57, /* DUP1 ISZERO PUSH1 revert JUMPI */
        0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, /* ret, args, value 0 */
        0x85, 0x5a, 0xf1, /* DUP6 (the child) GAS CALL */
        0x00, /* STOP */
        0x5b, 0x60, 0x00, 0x80, 0xfd, /* revert: JUMPDEST PUSH1 0 DUP1 REVERT */
    };
    /* clang-format on */
    memcpy(out + n, call, sizeof call);
    return (uint8_t)(n + sizeof call);
}

#define WL_GAS_REDEPLOY 120000ull
#define WL_GAS_CREATE2 60000ull

/* redeploy: every transaction calls one factory that CREATE2s the child
 * at the same address (salt 0) and calls it; the child self-destructs in
 * the transaction that created it, so the account is deleted (before
 * Cancun by any SELFDESTRUCT; from Cancun because EIP-6780 still deletes
 * an account created in the same transaction) and the next transaction
 * re-creates it: a create/destroy cycle on one address, chained through
 * the factory's nonce and balance (each transaction sends it 1 wei,
 * forwarded to the child and returned). */
static int wl_redeploy(struct wl *wl, const uint64_t *idx, size_t count)
{
    uint8_t code[64];
    uint8_t len = wl_factory_code(code, true);
    address f;
    int err = wl_deploy_runtime(wl, code, len, &f, "deploy redeploy factory");
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = f;
        t->value = u256_from_u64(1);
        t->gas = WL_GAS_REDEPLOY;
        t->call.len = 0;
    }
    return err;
}

/* create2: every transaction calls one factory that CREATE2s the child
 * with the same salt: the first deploys it, every later one collides
 * (EIP-684: the CREATE2 fails, its gas is consumed, the factory's nonce
 * still increments) and reads what the first wrote. */
static int wl_create2(struct wl *wl, const uint64_t *idx, size_t count)
{
    uint8_t code[64];
    uint8_t len = wl_factory_code(code, false);
    address f;
    int err = wl_deploy_runtime(wl, code, len, &f, "deploy create2 factory");
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = f;
        t->gas = WL_GAS_CREATE2;
        t->call.len = 0;
    }
    return err;
}

/* metamorphic: the child's creation code (30 bytes). It sets slot 0 to
 * NUMBER and slot NUMBER to 1 (so the child of the pre-state holds a
 * slot that the block's re-creations never write: storage that outlived
 * a deletion shows in the state), and returns the runtime, which logs
 * slot 0 and self-destructs to its caller: PUSH1 0 SLOAD PUSH1 0 MSTORE
 * PUSH1 32 PUSH1 0 LOG0 CALLER SELFDESTRUCT. */
static const uint8_t wl_morph_init[] = {
    0x43, 0x60, 0x00, 0x55, /* SSTORE(0, NUMBER) */
    0x60, 0x01, 0x43, 0x55, /* SSTORE(NUMBER, 1) */
    0x6c, 0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x33, 0xff, /* PUSH13 runtime */
    0x60, 0x00, 0x52, 0x60, 0x0d, 0x60, 0x13, 0xf3, /* MSTORE; RETURN(19, 13) */
};

/* The metamorphic factory's runtime (48 bytes, then the child's
 * creation code: 78 in all). Without call data: CREATE2 the child (salt
 * 0) and, when that succeeded, keep its address in slot 0. With call
 * data: CALL the child at that address, which self-destructs. */
static uint8_t wl_morph_factory(uint8_t *out)
{
    enum { INIT = sizeof wl_morph_init, KILL = 30, END = 28, CODE = 48 };
    /* clang-format off */
    const uint8_t code[CODE] = {
        0x36, 0x60, KILL, 0x57,                         /* CALLDATASIZE PUSH1 kill JUMPI */
        0x60, INIT, 0x60, CODE, 0x60, 0x00, 0x39,       /* CODECOPY(0, init, INIT) */
        0x60, 0x00, 0x60, INIT, 0x60, 0x00, 0x60, 0x00, 0xf5, /* CREATE2(0, 0, INIT, salt 0) */
        0x80, 0x15, 0x60, END, 0x57,                    /* DUP1 ISZERO PUSH1 end JUMPI */
        0x60, 0x00, 0x55,                               /* SSTORE(0, child) */
        0x5b, 0x00,                                     /* end: JUMPDEST STOP */
        0x5b,                                           /* kill: JUMPDEST */
        0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, /* ret, args, value 0 */
        0x60, 0x00, 0x54, 0x5a, 0xf1, 0x50, 0x00,       /* SLOAD(0) GAS CALL POP STOP */
    };
    /* clang-format on */
    memcpy(out, code, CODE);
    memcpy(out + CODE, wl_morph_init, INIT);
    return (uint8_t)(CODE + INIT);
}

#define WL_GAS_METAMORPHIC 150000ull

/* metamorphic: the setup deploys the factory and has it create the child
 * (slot 0 set); then transaction k self-destructs the child (k even) or
 * re-creates it (k odd). Before Cancun the first deletes an account of
 * the pre-state with its storage, and each re-creation must find the
 * storage gone (else the CREATE2 collides, EIP-7610, and the old slot
 * stays in the state); every transaction depends on the one before. */
static int wl_metamorphic(struct wl *wl, const uint64_t *idx, size_t count)
{
    uint8_t code[128];
    uint8_t len = wl_morph_factory(code);
    address f;
    int err = wl_deploy_runtime(wl, code, len, &f, "deploy metamorphic factory");
    if (!err)
        err = wl_apply(wl, WL_DEPLOYER_INDEX, &f, NULL, 0, NULL, "create the metamorphic child");
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = f;
        t->gas = WL_GAS_METAMORPHIC;
        t->call.len = 0;
        if (k % 2 == 0)
            wl_call_begin(&t->call, 0); /* (call data: self-destruct) */
    }
    return err;
}

/* Within EIP-7825's 2^24 per-transaction cap (Osaka), so the block is
 * valid at every fork gen supports. */
#define WL_GAS_RECURSION 16000000ull

/* recursion: every transaction calls one contract whose code calls
 * itself with all its gas, frame after frame. Each frame pays about 120
 * gas and hands 63/64 of the rest on (EIP-150), so the chain stops near
 * depth 490, where a frame cannot pay for its CALL and fails; every frame
 * above it returns normally, and most of the gas comes back. The
 * 1024-frame limit itself is out of reach since EIP-150. Nothing is
 * written but the sender's nonce and balance: independent, and one frame
 * stack (and C call chain) ~490 deep per transaction on every worker. */
static int wl_recursion(struct wl *wl, const uint64_t *idx, size_t count)
{
    /* PUSH1 0 DUP1 DUP1 DUP1 DUP1 (no return data, no input, value 0)
     * ADDRESS GAS CALL STOP */
    static const uint8_t recurse[] = {0x60, 0x00, 0x80, 0x80, 0x80, 0x80, 0x30, 0x5a, 0xf1, 0x00};
    address c;
    int err = wl_deploy_runtime(wl, recurse, sizeof recurse, &c, "deploy recursion contract");
    for (size_t k = 0; k < count && !err; k++) {
        struct wl_tx *t = &wl->txs[idx[k]];
        t->to = c;
        t->gas = WL_GAS_RECURSION;
        t->call.len = 0;
    }
    return err;
}

typedef int (*wl_scenario)(struct wl *wl, const uint64_t *idx, size_t count);

/* mixed: the share of each kind in percent (sums to 100), in the order
 * their setups run. */
static const struct {
    enum gen_kind kind;
    wl_scenario build;
    unsigned percent;
} wl_mix[] = {
    {GEN_TRANSFERS, wl_transfers, 25},
    {GEN_ERC20, wl_erc20, 20},
    {GEN_AMM, wl_amm, 20},
    {GEN_LENDING, wl_lending, 5},
    {GEN_NFT, wl_nft, 10},
    {GEN_SUPPLY, wl_supply, 10},
    {GEN_DAO, wl_dao, 10},
};
#define WL_MIX_COUNT (sizeof wl_mix / sizeof wl_mix[0])

/* Senders (distinct) and partners (see the top of this file). */
static int wl_draw_people(struct wl *wl)
{
    uint64_t n = wl->n, k = wl->o->accounts;
    int err;
    if (wl->o->zipf == 0) {
        uint64_t *drawn = malloc(2 * n * sizeof *drawn);
        if (!drawn)
            return PAREVM_ERR_NOMEM;
        if (!(err = gen_draw_distinct_from(&wl->rng, k, 2 * n, drawn))) {
            memcpy(wl->sender, drawn, n * sizeof *drawn);
            memcpy(wl->partner, drawn + n, n * sizeof *drawn);
        }
        free(drawn);
        return err;
    }
    if ((err = gen_draw_distinct_from(&wl->rng, k, n, wl->sender)) ||
        (err = gen_zipf_init(&wl->partner_zipf, k, wl->o->zipf)))
        return err;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = gen_zipf_draw(&wl->partner_zipf, &wl->rng);
        for (int tries = 0; r == wl->sender[i] && tries < 64; tries++)
            r = gen_zipf_draw(&wl->partner_zipf, &wl->rng);
        wl->partner[i] = r == wl->sender[i] ? (r + 1) % k : r;
    }
    return PAREVM_OK;
}

static int wl_run(struct wl *wl)
{
    uint64_t n = wl->n;
    uint64_t *idx = malloc(n * sizeof *idx);
    if (!idx)
        return PAREVM_ERR_NOMEM;
    int err = PAREVM_OK;
    if (wl->o->kind == GEN_MIXED) {
        uint8_t *kind_of = malloc(n);
        if (!kind_of) {
            free(idx);
            return PAREVM_ERR_NOMEM;
        }
        for (uint64_t i = 0; i < n; i++) {
            uint64_t r = gen_rng_below(&wl->rng, 100);
            size_t m = 0;
            while (m + 1 < WL_MIX_COUNT && r >= wl_mix[m].percent)
                r -= wl_mix[m++].percent;
            kind_of[i] = (uint8_t)m;
        }
        for (size_t m = 0; m < WL_MIX_COUNT && !err; m++) {
            size_t count = 0;
            for (uint64_t i = 0; i < n; i++)
                if (kind_of[i] == m)
                    idx[count++] = i;
            if (count)
                err = wl_mix[m].build(wl, idx, count);
        }
        free(kind_of);
    } else {
        for (uint64_t i = 0; i < n; i++)
            idx[i] = i;
        if (wl->o->kind == GEN_SMART) /* not in the mix: it needs Prague */
            err = wl_smart(wl, idx, n);
        else if (wl->o->kind == GEN_STORM) /* adversarial: not in the mix */
            err = wl_storm(wl, idx, n);
        else if (wl->o->kind == GEN_MEMORY)
            err = wl_memory(wl, idx, n);
        else if (wl->o->kind == GEN_HOTBALANCE)
            err = wl_hotbalance(wl, idx, n);
        else if (wl->o->kind == GEN_REDEPLOY)
            err = wl_redeploy(wl, idx, n);
        else if (wl->o->kind == GEN_CREATE2)
            err = wl_create2(wl, idx, n);
        else if (wl->o->kind == GEN_RECURSION)
            err = wl_recursion(wl, idx, n);
        else if (wl->o->kind == GEN_METAMORPHIC)
            err = wl_metamorphic(wl, idx, n);
        for (size_t m = 0; m < WL_MIX_COUNT; m++)
            if (wl_mix[m].kind == wl->o->kind)
                err = wl_mix[m].build(wl, idx, n);
    }
    free(idx);
    return err;
}

/* Sign the planned transactions with the senders' nonces after setup;
 * a type-4 transaction's authorizations with the authorities' nonces
 * (EIP-7702: the sender's nonce is already incremented when its own
 * authorization is checked, so a self-authorization takes nonce + 1). */
static int wl_sign(struct wl *wl, struct tx *txs)
{
    u256 base = u256_from_u64(WL_BASE_FEE), tip = u256_from_u64(WL_TIP);
    u256 max_fee = u256_add(&base, &base);
    max_fee = u256_add(&max_fee, &tip); /* room for the base fee to double */
    for (uint64_t i = 0; i < wl->n; i++) {
        const struct wl_tx *p = &wl->txs[i];
        struct wl_eoa e;
        int err = wl_eoa(wl, wl->sender[i], &e);
        if (err)
            return err;
        struct tx *t = &txs[i];
        t->type = p->type ? p->type : 2;
        t->chain_id = 1;
        t->has_chain_id = true;
        t->nonce = world_get(wl->w, &e.addr)->nonce;
        t->max_priority_fee_per_gas = tip;
        t->max_fee_per_gas = max_fee;
        t->gas_price = max_fee;
        t->gas_limit = p->gas + gen_state_gas_room(wl->o->fork, WL_STATE_SLOTS);
        t->has_to = true;
        t->to = p->to;
        t->value = p->value;
        const uint8_t *data = p->long_len ? p->long_data : p->call.data;
        size_t len = p->long_len ? p->long_len : p->call.len;
        if (len) {
            if (!(t->data = malloc(len)))
                return PAREVM_ERR_NOMEM;
            memcpy(t->data, data, len);
            t->data_len = len;
        }
        if (p->auth_count) {
            if (!(t->authorizations = calloc(p->auth_count, sizeof *t->authorizations)))
                return PAREVM_ERR_NOMEM;
            t->authorization_count = p->auth_count;
        }
        for (size_t k = 0; k < p->auth_count; k++) {
            struct authorization *a = &t->authorizations[k];
            struct wl_eoa authority;
            if ((err = wl_eoa(wl, p->auth_key[k], &authority)))
                return err;
            a->chain_id = u256_from_u64(1);
            a->addr = p->delegate;
            a->nonce = world_get(wl->w, &authority.addr)->nonce;
            if (address_eq(&authority.addr, &e.addr))
                a->nonce++;
            if ((err = gen_sign_authorization(a, authority.key, &authority.addr)))
                return wl_fail(wl, err, "signing authorization %zu of transaction %llu failed", k,
                               (unsigned long long)i);
        }
        if ((err = gen_sign_tx(t, e.key, &e.addr, wl->o->fork)))
            return wl_fail(wl, err, "signing transaction %llu failed", (unsigned long long)i);
    }
    return PAREVM_OK;
}

int gen_workload_build(const struct gen_options *o, const struct block_header *h, struct gen_workload *out,
                       char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    world_init(&out->pre);
    struct wl wl;
    memset(&wl, 0, sizeof wl);
    wl.o = o;
    wl.w = &out->pre;
    wl.n = o->txs;
    wl.err = err;
    wl.err_len = err_len;
    /* Its own stream, apart from gen.c's, seeded from the seed and kind. */
    gen_rng_init(&wl.rng, gen_hash3(o->seed, (uint64_t)o->kind, 0x776f726b /* "work" */));
    hmap_init(&wl.eoas, sizeof(uint64_t), sizeof(struct wl_eoa));
    struct chain_config cfg;
    gen_chain_config(o->fork, &cfg);
    block_env_from_header(&wl.env, &cfg, h);
    wl.env.number = h->number - 1;
    wl.env.timestamp = h->timestamp - 12;
    wl.env.gas_limit = 1ull << 40;
    wl.env.base_fee = u256_zero(); /* setup pays no fees */

    int rc = PAREVM_OK;
    wl.sender = malloc(wl.n * sizeof *wl.sender);
    wl.partner = malloc(wl.n * sizeof *wl.partner);
    wl.txs = calloc(wl.n, sizeof *wl.txs);
    out->txs = calloc(wl.n, sizeof *out->txs);
    if (!wl.sender || !wl.partner || !wl.txs || !out->txs)
        rc = PAREVM_ERR_NOMEM;
    struct world_account *coinbase = rc ? NULL : world_get_or_create(wl.w, &h->coinbase);
    if (!rc && !coinbase)
        rc = PAREVM_ERR_NOMEM;
    if (!rc) {
        coinbase->balance = wl_tokens(1); /* 1 ETH, as gen transfers */
        struct wl_eoa deployer;
        rc = wl_eoa(&wl, WL_DEPLOYER_INDEX, &deployer);
    }
    if (!rc)
        rc = wl_draw_people(&wl);
    if (!rc)
        rc = wl_run(&wl);
    if (!rc)
        rc = wl_sign(&wl, out->txs);
    out->tx_count = wl.n;
    out->pool_accounts = wl.pool_accounts;
    free(wl.sender);
    free(wl.partner);
    for (uint64_t i = 0; wl.txs && i < wl.n; i++)
        free(wl.txs[i].long_data);
    free(wl.txs);
    free(wl.partner_zipf.cdf);
    hmap_free(&wl.eoas);
    if (rc) {
        if (err_len && !err[0])
            wl_fail(&wl, rc, "building the %s scenario: %s", gen_kind_name(o->kind), parevm_strerror(rc));
        gen_workload_free(out);
    }
    return rc;
}

void gen_workload_free(struct gen_workload *w)
{
    if (w->txs) {
        for (size_t i = 0; i < w->tx_count; i++)
            tx_free(&w->txs[i]);
        free(w->txs);
    }
    world_free(&w->pre);
    memset(w, 0, sizeof *w);
}
