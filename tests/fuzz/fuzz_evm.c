/* The interpreter on random bytecode with a random small pre-state, and a
 * differential check of the parallel engine (Block-STM, 4 threads)
 * against sequential execution of the same random multi-transaction
 * block: any difference in state root, validity, status, gas or logs is
 * a crash.
 *
 * Input layout (a stream; missing bytes read as 0):
 *   fork (London..Osaka), transaction count (1..8),
 *   4 contracts: code length L (0..255), L code bytes, 2 storage bytes,
 *   per transaction: sender (0..2), target (contract 0..3 or create),
 *   value, calldata length C (0..63), C calldata bytes.
 * Gas is capped at 100,000 per transaction so no input runs long. */
#include <string.h>

#include "../../src/chain/transition.h"
#include "../../src/exec/exec.h"
#include "../../src/exec/parallel.h"
#include "../../src/state/code.h"
#include "../../src/state/world.h"
#include "fuzz.h"

struct stream {
    const uint8_t *p;
    size_t left;
};

static uint8_t next(struct stream *s)
{
    if (!s->left)
        return 0;
    s->left--;
    return *s->p++;
}

static size_t take(struct stream *s, size_t want, const uint8_t **out)
{
    if (want > s->left)
        want = s->left;
    *out = s->p;
    s->p += want;
    s->left -= want;
    return want;
}

static address addr_of(uint8_t kind, uint8_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = kind;
    a.bytes[19] = n;
    return a;
}

struct outcome {
    hash32 root;
    struct tx_result results[8];
    size_t n;
};

static void outcome_free(struct outcome *o)
{
    for (size_t i = 0; i < o->n; i++)
        tx_result_free(&o->results[i]);
}

static void same(const struct outcome *a, const struct outcome *b)
{
    FUZZ_CHECK(a->n == b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct tx_result *x = &a->results[i], *y = &b->results[i];
        FUZZ_CHECK(x->error == y->error);
        FUZZ_CHECK(x->status == y->status);
        FUZZ_CHECK(x->gas_used == y->gas_used);
        FUZZ_CHECK(x->has_created_address == y->has_created_address);
        FUZZ_CHECK(x->log_count == y->log_count);
        for (size_t k = 0; k < x->log_count; k++) {
            FUZZ_CHECK(memcmp(&x->logs[k].addr, &y->logs[k].addr, sizeof x->logs[k].addr) == 0);
            FUZZ_CHECK(x->logs[k].topic_count == y->logs[k].topic_count);
            FUZZ_CHECK(x->logs[k].data_len == y->logs[k].data_len);
            if (x->logs[k].data_len)
                FUZZ_CHECK(memcmp(x->logs[k].data, y->logs[k].data, x->logs[k].data_len) == 0);
        }
    }
    FUZZ_CHECK(memcmp(a->root.bytes, b->root.bytes, 32) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum fork forks[] = {FORK_LONDON, FORK_PARIS,  FORK_SHANGHAI,
                                      FORK_CANCUN, FORK_PRAGUE, FORK_OSAKA};
    struct stream s = {data, size};
    struct block_env env;
    memset(&env, 0, sizeof env);
    env.fork = forks[next(&s) % (sizeof forks / sizeof *forks)];
    env.chain_id = 1;
    env.coinbase = addr_of(0xc0, 0);
    env.number = 20000000;
    env.timestamp = 1720000000;
    env.gas_limit = 30000000;
    env.base_fee = u256_from_u64(7);
    size_t n = 1 + next(&s) % 8;

    struct world pre;
    world_init(&pre);
    for (uint8_t c = 0; c < 4; c++) {
        const uint8_t *code;
        size_t len = take(&s, next(&s), &code);
        address ca = addr_of(0xcc, c);
        struct world_account *acct = world_get_or_create(&pre, &ca);
        FUZZ_CHECK(acct != NULL);
        struct code *cd = code_new(code, len);
        FUZZ_CHECK(cd != NULL);
        world_set_code(acct, cd);
        code_release(cd);
        acct->nonce = 1;
        acct->balance = u256_from_u64(1000);
        u256 k0 = u256_from_u64(0), k1 = u256_from_u64(1);
        u256 v0 = u256_from_u64(next(&s)), v1 = u256_from_u64(next(&s));
        FUZZ_CHECK(world_set_storage(acct, &k0, &v0) == 0);
        FUZZ_CHECK(world_set_storage(acct, &k1, &v1) == 0);
    }
    for (uint8_t e = 0; e < 3; e++) {
        address ea = addr_of(0xee, e);
        struct world_account *acct = world_get_or_create(&pre, &ea);
        FUZZ_CHECK(acct != NULL);
        acct->balance = u256_from_u64(1000000000000000000ull);
    }

    struct tx txs[8];
    uint64_t nonces[3] = {0, 0, 0};
    memset(txs, 0, sizeof txs);
    for (size_t i = 0; i < n; i++) {
        struct tx *t = &txs[i];
        uint8_t who = next(&s) % 3, target = next(&s) % 5;
        t->type = 2;
        t->chain_id = 1;
        t->nonce = nonces[who]++;
        t->max_fee_per_gas = u256_from_u64(20);
        t->max_priority_fee_per_gas = u256_from_u64(2);
        t->gas_price = t->max_fee_per_gas;
        t->gas_limit = 100000;
        t->has_to = target < 4;
        if (t->has_to)
            t->to = addr_of(0xcc, target);
        t->value = u256_from_u64(next(&s));
        const uint8_t *cd;
        size_t len = take(&s, next(&s) % 64, &cd);
        if (len) {
            t->data = malloc(len);
            FUZZ_CHECK(t->data != NULL);
            memcpy(t->data, cd, len);
            t->data_len = len;
        }
        t->has_sender = true;
        t->sender = addr_of(0xee, who);
    }

    struct outcome seq = {.n = n};
    struct world w;
    FUZZ_CHECK(world_clone(&pre, &w) == 0);
    uint64_t used = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(transition_apply_world(&env, &w, &txs[i], used, &seq.results[i]) == 0);
        used += seq.results[i].gas_used;
    }
    FUZZ_CHECK(world_state_root(&w, &seq.root) == 0);
    world_free(&w);

    struct par_tx_output out[8];
    memset(out, 0, sizeof out);
    FUZZ_CHECK(parallel_execute(&env, &pre, txs, n, 4, out, NULL) == 0);
    struct outcome par = {.n = n};
    FUZZ_CHECK(world_clone(&pre, &w) == 0);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(out[i].internal_err == 0);
        if (out[i].result.error == TXERR_NONE)
            FUZZ_CHECK(write_set_apply(&out[i].ws, &w) == 0);
        par.results[i] = out[i].result;
        memset(&out[i].result, 0, sizeof out[i].result);
    }
    par_output_free(out, n);
    FUZZ_CHECK(world_state_root(&w, &par.root) == 0);
    world_free(&w);

    same(&seq, &par);
    outcome_free(&seq);
    outcome_free(&par);
    for (size_t i = 0; i < n; i++)
        tx_free(&txs[i]);
    world_free(&pre);
    return 0;
}
