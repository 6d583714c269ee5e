/*
 * transition.c — apply one transaction (execution-specs process_transaction
 * and check_transaction, per fork).
 *
 * Each thread keeps one journal and one EVM (frame pools) and reuses them
 * for every transaction it applies, so nothing is allocated per
 * transaction in the steady state.
 */
#include "transition.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/deep_stack.h"
#include "../evm/evm.h"
#include "../evm/precompiles.h"
#include "../state/journal.h"

#define BLOB_GAS_PER_BLOB 131072 /* EIP-4844 */
#define TX_MAX_BLOBS 6            /* EIP-7594 (Osaka): blobs per transaction */
#define PER_EMPTY_ACCOUNT_COST 25000 /* EIP-7702 */
#define PER_AUTH_BASE_COST 12500     /* EIP-7702 */

const char *tx_error_name(enum tx_error e)
{
    static const char *names[] = {
        "none",
        "type not supported",
        "nonce too low",
        "nonce too high",
        "nonce has max value",
        "insufficient funds for gas * price + value",
        "intrinsic gas too low",
        "gas limit reached",
        "max fee per gas less than block base fee",
        "max priority fee per gas higher than max fee per gas",
        "sender not an eoa",
        "max initcode size exceeded",
        "max fee per blob gas less than block blob gas fee",
        "invalid blob versioned hash",
        "invalid blob count",
        "blob transaction cannot create a contract",
        "fee or value overflows 256 bits",
        "invalid chain id",
        "gas limit exceeds the transaction maximum (EIP-7825)",
        "set code transaction cannot create a contract",
        "set code transaction with an empty authorization list",
    };
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "unknown";
}

void tx_result_free(struct tx_result *r)
{
    free(r->logs); /* (their data with them: log.h) */
    r->logs = NULL;
    r->log_count = 0;
}

/* ---- per-thread context ----
 *
 * A thread's journal and EVM (frame pool, stacks) are kept across its
 * transactions. By default a thread makes its own on first use, freed
 * when it exits; an owner of long-lived state (exec/exec_env.h) binds
 * one of its own to the calling thread for a call instead, so that
 * nothing it leaves behind outlives the owner. */

struct tx_context {
    struct journal journal;
    struct evm evm;
};

static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
/* The context bound by transition_context_bind (NULL: the thread's own). */
static _Thread_local struct tx_context *ctx_bound;

void transition_context_destroy(struct tx_context *c)
{
    if (!c)
        return;
    journal_free(&c->journal);
    evm_free(&c->evm);
    free(c);
}

static void ctx_destroy(void *p) { transition_context_destroy(p); }

static void ctx_key_init(void) { pthread_key_create(&ctx_key, ctx_destroy); }

struct tx_context *transition_context_create(void)
{
    struct tx_context *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    journal_init(&c->journal);
    evm_init(&c->evm);
    if (!c->evm.pool) {
        transition_context_destroy(c);
        return NULL;
    }
    return c;
}

struct tx_context *transition_context_bind(struct tx_context *c)
{
    struct tx_context *prev = ctx_bound;
    ctx_bound = c;
    return prev;
}

static struct tx_context *ctx_get(void)
{
    if (ctx_bound)
        return ctx_bound;
    pthread_once(&ctx_once, ctx_key_init);
    struct tx_context *c = pthread_getspecific(ctx_key);
    if (c)
        return c;
    c = transition_context_create();
    if (c && pthread_setspecific(ctx_key, c) != 0) {
        transition_context_destroy(c);
        return NULL;
    }
    return c;
}

const struct journal *transition_last_journal(void)
{
    if (ctx_bound)
        return &ctx_bound->journal;
    pthread_once(&ctx_once, ctx_key_init);
    struct tx_context *c = pthread_getspecific(ctx_key);
    return c ? &c->journal : NULL;
}

/* a * b with overflow detection (true = overflowed 256 bits). */
static bool mul_overflows(const u256 *a, uint64_t b, u256 *out)
{
    unsigned __int128 carry = 0;
    for (int i = 0; i < 4; i++) {
        carry += (unsigned __int128)a->w[i] * b;
        out->w[i] = (uint64_t)carry;
        carry >>= 64;
    }
    return carry != 0;
}

static bool add_overflows(const u256 *a, const u256 *b, u256 *out)
{
    bool c;
    *out = u256_add_carry(a, b, &c);
    return c;
}

/* Validation that needs no state (execution-specs validate_transaction and
 * the fee checks of check_transaction). */
enum tx_error transition_check_static(const struct block_env *env, const struct tx *tx, uint64_t block_gas_used,
                                      u256 *effective_price)
{
    enum fork fork = env->fork;
    if (!tx_type_supported(tx->type, fork))
        return TXERR_TYPE_NOT_SUPPORTED;
    if ((tx->type > 0 || tx->has_chain_id) && tx->chain_id != env->chain_id)
        return TXERR_CHAIN_ID;
    /* EIP-7623 (Prague): the gas limit must also cover the calldata floor. */
    uint64_t floor = tx_floor_gas(tx, fork);
    uint64_t intrinsic = tx_intrinsic_gas(tx, fork);
    if (tx->gas_limit < (intrinsic > floor ? intrinsic : floor))
        return TXERR_INTRINSIC_GAS;
    if (tx->nonce == UINT64_MAX) /* EIP-2681 */
        return TXERR_NONCE_MAX;
    if (fork >= FORK_SHANGHAI && !tx->has_to && tx->data_len > evm_max_initcode_size(fork))
        return TXERR_INITCODE_TOO_LARGE; /* EIP-3860 */
    /* EIP-7825 (Osaka); EIP-8037: the cap binds the regular gas alone
     * (the rest is the reservoir), so only a transaction whose intrinsic
     * gas or floor passes it is refused */
    if (fork_eip(fork, EIP_8037) ? (intrinsic > floor ? intrinsic : floor) > TX_MAX_GAS_LIMIT
                                 : fork >= FORK_OSAKA && tx->gas_limit > TX_MAX_GAS_LIMIT)
        return TXERR_GAS_LIMIT_CAP;
    if (!transition_fits_block_gas(env, tx, block_gas_used))
        return TXERR_GAS_LIMIT_EXCEEDED;
    if (fork >= FORK_LONDON) {
        if (tx->type >= 2) {
            if (u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas))
                return TXERR_TIP_ABOVE_FEE_CAP;
            if (u256_lt(&tx->max_fee_per_gas, &env->base_fee))
                return TXERR_FEE_CAP_BELOW_BASE_FEE;
            /* EIP-1559: price = base fee + min(tip, fee cap - base fee). */
            u256 room = u256_sub(&tx->max_fee_per_gas, &env->base_fee);
            const u256 *tip = u256_lt(&tx->max_priority_fee_per_gas, &room) ? &tx->max_priority_fee_per_gas : &room;
            *effective_price = u256_add(&env->base_fee, tip);
        } else {
            if (u256_lt(&tx->gas_price, &env->base_fee))
                return TXERR_FEE_CAP_BELOW_BASE_FEE;
            *effective_price = tx->gas_price;
        }
    } else {
        *effective_price = tx->gas_price;
    }
    if (tx->type == 3) {
        if (!tx->has_to)
            return TXERR_BLOB_CREATE;
        /* EIP-4844: at least one blob, at most what a block holds (the
         * fork's maximum, EIP-7691/7892); EIP-7594 (Osaka): at most 6. */
        size_t max_blobs = fork_blob_params(fork)->max;
        if (fork >= FORK_OSAKA && max_blobs > TX_MAX_BLOBS)
            max_blobs = TX_MAX_BLOBS;
        if (tx->blob_hash_count == 0 || tx->blob_hash_count > max_blobs)
            return TXERR_BLOB_COUNT;
        for (size_t i = 0; i < tx->blob_hash_count; i++)
            if (tx->blob_hashes[i].bytes[0] != 0x01) /* VERSIONED_HASH_VERSION_KZG */
                return TXERR_BLOB_HASH_VERSION;
        if (u256_lt(&tx->max_fee_per_blob_gas, &env->blob_base_fee))
            return TXERR_BLOB_FEE_CAP_TOO_LOW;
    }
    if (tx->type == 4) {
        /* EIP-7702: a set-code transaction calls an account and carries
         * at least one authorization (the decoder refuses both too; JSON
         * loaders build transactions directly). */
        if (!tx->has_to)
            return TXERR_SET_CODE_CREATE;
        if (tx->authorization_count == 0)
            return TXERR_EMPTY_AUTHORIZATIONS;
    }
    return TXERR_NONE;
}

static int warm_access_list(struct journal *j, const struct block_env *env, const struct tx *tx)
{
    bool w;
    int err = journal_warm_account(j, &tx->sender, &w);
    if (!err && tx->has_to)
        err = journal_warm_account(j, &tx->to, &w);
    /* (the precompiles are warm by the journal's rules) */
    if (!err && env->fork >= FORK_SHANGHAI) /* EIP-3651: warm coinbase */
        err = journal_warm_account(j, &env->coinbase, &w);
    for (size_t i = 0; i < tx->access_list_len && !err; i++) {
        const struct access_list_entry *e = &tx->access_list[i];
        err = journal_warm_account(j, &e->addr, &w);
        for (size_t k = 0; k < e->key_count && !err; k++) {
            u256 key = u256_from_be32(e->keys[k].bytes);
            err = journal_warm_slot(j, &e->addr, &key, &w);
        }
    }
    return err;
}

/* EIP-8037 (Amsterdam): what applying the authorizations charges, from
 * the transaction's gas (*gas) and its reservoir (evm_state_charge):
 * ACCOUNT_WRITE for each authority not written yet (the sender, a
 * recipient of value, an earlier authorization's authority), state gas
 * for an authority's new account and for a delegation where the
 * authority had none (before the transaction or now), each once per
 * authority. Nothing is given back. */
struct auth_charges {
    struct evm *evm;
    int64_t *gas;
    int64_t spilled;
    address *seen; /* authorities charged so far, with their flags */
    uint8_t *flags;
    size_t count;
    bool oog; /* out of gas: the caller rolls the authorizations back */
};
enum { AUTH_WRITTEN = 1, AUTH_LEAF = 2, AUTH_INDICATOR = 4, AUTH_PRE_DELEGATED = 8 };

/* The authority's flags' slot (a new one, with pre_delegated noted, on
 * first sight). */
static uint8_t *auth_flags(struct auth_charges *c, const address *a, bool delegated_now)
{
    for (size_t i = 0; i < c->count; i++)
        if (address_eq(&c->seen[i], a))
            return &c->flags[i];
    c->seen[c->count] = *a;
    c->flags[c->count] = delegated_now ? AUTH_PRE_DELEGATED : 0;
    return &c->flags[c->count++];
}

static bool auth_charge(struct auth_charges *c, const struct tx *tx, enum fork fork, const address *authority,
                        bool exists, bool delegated_now, bool clearing)
{
    uint8_t *fl = auth_flags(c, authority, delegated_now);
    bool written = (*fl & AUTH_WRITTEN) || address_eq(authority, &tx->sender) ||
                   (tx->has_to && !u256_is_zero(&tx->value) && address_eq(authority, &tx->to));
    if (!written) {
        int64_t write = fork_account_write_gas(fork);
        if (*c->gas < write)
            return false;
        *c->gas -= write;
        *fl |= AUTH_WRITTEN;
    }
    int64_t state = 0;
    if (!exists && !(*fl & AUTH_LEAF)) {
        state += STATE_GAS_NEW_ACCOUNT;
        *fl |= AUTH_LEAF;
    }
    if (!clearing && !delegated_now && !(*fl & (AUTH_PRE_DELEGATED | AUTH_INDICATOR))) {
        state += STATE_GAS_AUTH_BASE;
        *fl |= AUTH_INDICATOR;
    }
    return evm_state_charge(c->evm, c->gas, &c->spilled, state);
}

/* EIP-7702: apply a set-code transaction's authorizations in order,
 * after the sender's nonce bump and before the call. An authorization
 * that fails a check is skipped (the transaction stays valid): chain id
 * other than 0 or ours, nonce 2^64-1, a bad signature, an authority whose
 * code is neither empty nor a delegation, or whose nonce differs. For
 * each one applied: the authority is warmed (it is warmed as soon as it
 * is recovered, even if a later check skips it), 12500 goes to the refund
 * counter when the authority already exists (EIP-8037, with charges: the
 * authorization is charged instead, auth_charge; out of gas, the rest is
 * left and charges->oog set), its code becomes 0xef0100 || address (or
 * empty for the zero address) and its nonce goes up by one. All of it
 * goes through the journal, so the parallel engine sees the reads and the
 * writes. Errors are internal. */
static int apply_authorizations(struct journal *j, const struct block_env *env, const struct tx *tx,
                                struct auth_charges *charges)
{
    static const address zero_address;
    for (size_t i = 0; i < tx->authorization_count; i++) {
        const struct authorization *a = &tx->authorizations[i];
        u256 ours = u256_from_u64(env->chain_id);
        if (!u256_is_zero(&a->chain_id) && !u256_eq(&a->chain_id, &ours))
            continue;
        if (a->nonce == UINT64_MAX) /* EIP-2681 bound on the incremented nonce */
            continue;
        address authority;
        int err = tx_authorization_authority(a, &authority);
        if (err == PAREVM_ERR_SIGNATURE)
            continue;
        if (err)
            return err;
        bool was_warm;
        if ((err = journal_warm_account(j, &authority, &was_warm)))
            return err;
        struct code *code;
        uint64_t nonce;
        bool exists;
        if ((err = journal_code(j, &authority, &code)))
            return err;
        if (code->len != 0 && !code_delegation_target(code->bytes, code->len, NULL))
            continue;
        if ((err = journal_nonce(j, &authority, &nonce)))
            return err;
        if (nonce != a->nonce)
            continue;
        if ((err = journal_exists(j, &authority, &exists)))
            return err;
        /* The EIP's text says "if authority is not empty"; execution-specs
         * (set_delegation) and geth test existence, which is what we do.
         * They differ only for an existing empty account, which EIP-7523
         * rules out on live chains. */
        if (charges) { /* EIP-8037: charged as applied, nothing refunded */
            if (!auth_charge(charges, tx, env->fork, &authority, exists, code->len != 0,
                             address_eq(&a->addr, &zero_address))) {
                charges->oog = true;
                return PAREVM_OK;
            }
        } else if (exists) {
            journal_add_refund(j, PER_EMPTY_ACCOUNT_COST - PER_AUTH_BASE_COST);
        }
        struct code *designator;
        if (address_eq(&a->addr, &zero_address)) {
            designator = code_empty();
        } else {
            uint8_t bytes[CODE_DELEGATION_LEN] = {0xef, 0x01, 0x00};
            memcpy(bytes + 3, a->addr.bytes, 20);
            designator = code_new(bytes, sizeof bytes);
            if (!designator)
                return PAREVM_ERR_NOMEM;
        }
        err = journal_set_code(j, &authority, designator);
        code_release(designator); /* the journal holds its own reference */
        if (!err)
            err = journal_set_nonce(j, &authority, nonce + 1);
        if (err)
            return err;
    }
    return PAREVM_OK;
}

/* Everything after validation; errors are internal. */
static int execute(struct tx_context *c, const struct block_env *env, const struct tx *tx, const u256 *price,
                   struct evm_tracer *tracer, struct tx_result *result)
{
    struct journal *j = &c->journal;
    struct evm *evm = &c->evm;
    enum fork fork = env->fork;
    int err;

    /* Buy gas (and blob gas), bump the nonce. */
    u256 gas_fee, blob_fee = u256_zero();
    mul_overflows(price, tx->gas_limit, &gas_fee);
    if (tx->type == 3)
        mul_overflows(&env->blob_base_fee, BLOB_GAS_PER_BLOB * tx->blob_hash_count, &blob_fee);
    u256 total = u256_add(&gas_fee, &blob_fee);
    bool ok;
    err = journal_sub_balance(j, &tx->sender, &total, &ok);
    if (!err && !ok)
        err = PAREVM_ERR_INTERNAL;
    if (!err)
        err = journal_set_nonce(j, &tx->sender, tx->nonce + 1);
    if (!err && fork >= FORK_BERLIN)
        err = warm_access_list(j, env, tx);
    if (err)
        return err;

    struct tx_env txe;
    txe.origin = tx->sender;
    txe.gas_price = *price;
    txe.blob_hashes = tx->blob_hashes;
    txe.blob_hash_count = tx->blob_hash_count;
    evm_begin(evm, env, &txe, j);

    uint64_t intrinsic = tx_intrinsic_gas(tx, fork);
    int64_t gas = (int64_t)(tx->gas_limit - intrinsic);
    /* EIP-8037: execution may spend 2^24 less the intrinsic gas as
     * regular gas (EIP-7825); the rest of the gas limit is the state-gas
     * reservoir (transition_check_static: the intrinsic gas fits). */
    bool state_gas = fork_eip(fork, EIP_8037);
    int64_t reservoir = 0;
    if (state_gas) {
        int64_t budget = TX_MAX_GAS_LIMIT - (int64_t)intrinsic;
        if (gas > budget) {
            reservoir = gas - budget;
            gas = budget;
        }
        evm->reservoir = reservoir;
    }
    /* What goes before the message's frame (EIP-7702's authorizations;
     * EIP-2780's charges for the recipient) is undone, the gas all spent,
     * when it runs out of gas: back to here, after the purchase. */
    struct journal_checkpoint before = {0};
    bool prep_oog = false;
    if (tx->type == 4 || fork_eip(fork, EIP_2780)) /* (what can run out of gas here) */
        before = journal_checkpoint(j);
    if (tx->type == 4) { /* EIP-7702 */
        struct auth_charges charges = {.evm = evm, .gas = &gas};
        if (state_gas) {
            charges.seen = malloc(tx->authorization_count * sizeof *charges.seen);
            charges.flags = malloc(tx->authorization_count);
            if (!charges.seen || !charges.flags)
                err = PAREVM_ERR_NOMEM;
        }
        if (!err)
            err = apply_authorizations(j, env, tx, state_gas ? &charges : NULL);
        free(charges.seen);
        free(charges.flags);
        if (err)
            return err;
        prep_oog = charges.oog;
    }
    evm->tracer = tracer;

    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.depth = 0;
    m.gas = gas;
    m.sender = tx->sender;
    m.value = tx->value;
    m.transfers_value = true;
    m.input = tx->data;
    m.input_len = tx->data_len;
    struct evm_result r = {0};
    /* EIP-2780 / EIP-8037: the message's frame first pays for what the
     * state it finds costs: a new account for value sent to a dead
     * recipient or for a creation's target, the access to a delegated
     * recipient's delegate. As charged inside the frame, a frame that
     * fails gives the state gas back (evm_call's own unwind, one level
     * up). */
    int64_t top_reservoir = 0, top_state = 0, top_spilled = 0;
    if (state_gas) {
        top_reservoir = evm->reservoir;
        top_state = evm->state_gas;
    }
    bool new_account = false;
    if (tx->has_to) {
        m.kind = EVM_CALL;
        m.recipient = tx->to;
        m.code_address = tx->to;
        if (!prep_oog && state_gas && !u256_is_zero(&tx->value)) {
            /* (not an access yet, EIP-7928: out of gas here, the
             * recipient was never reached) */
            err = journal_is_empty_unaccessed(j, &tx->to, &new_account);
            if (err)
                return err;
            if (new_account && !evm_state_charge(evm, &gas, &top_spilled, STATE_GAS_NEW_ACCOUNT))
                prep_oog = true;
        }
        if (!prep_oog && fork >= FORK_PRAGUE) {
            /* EIP-7702: a call to a delegated account runs the delegate's
             * code (one level, precompiles disabled); the top-level call
             * warms the delegate, and pays for its access from EIP-2780
             * on. */
            struct code *code;
            err = journal_code(j, &tx->to, &code);
            if (!err && code_delegation_target(code->bytes, code->len, &m.code_address)) {
                bool was_warm;
                m.delegated = true;
                err = journal_warm_account(j, &m.code_address, &was_warm);
                int64_t cost = !fork_eip(fork, EIP_2780) ? 0 : was_warm ? 100 : fork_cold_account_cost(fork);
                if (gas < cost)
                    prep_oog = true;
                else
                    gas -= cost;
            }
            if (err)
                return err;
        }
        m.gas = gas;
        if (!prep_oog)
            evm_call(evm, &m, &r);
    } else {
        m.kind = EVM_CREATE;
        m.recipient = evm_create_address(&tx->sender, tx->nonce);
        m.code_address = m.recipient;
        bool w, has_storage = false;
        uint64_t nonce = 0;
        struct code *code = NULL;
        err = journal_warm_account(j, &m.recipient, &w);
        /* (EIP-8037: priced first, without an access: out of gas here,
         * the target was never reached, EIP-7928) */
        if (!err && state_gas && !prep_oog)
            err = journal_is_empty_unaccessed(j, &m.recipient, &new_account);
        if (!err && new_account && !evm_state_charge(evm, &gas, &top_spilled, STATE_GAS_NEW_ACCOUNT))
            prep_oog = true;
        if (!err && !prep_oog)
            err = journal_nonce(j, &m.recipient, &nonce);
        if (!err && !prep_oog)
            err = journal_code(j, &m.recipient, &code);
        if (!err && !prep_oog)
            err = j->view.ops->has_storage(j->view.ctx, &m.recipient, &has_storage);
        if (err)
            return err;
        if (!prep_oog && (nonce != 0 || code->len != 0 || has_storage)) {
            /* EIP-684/EIP-7610: collision consumes all gas. */
            r.status = EVM_CREATE_COLLISION;
            r.gas_left = 0;
        } else if (!prep_oog) {
            m.gas = gas;
            evm_create(evm, &m, &r);
        }
        if (r.status == EVM_SUCCESS && !prep_oog) {
            result->has_created_address = true;
            result->created_address = m.recipient;
        }
    }
    if (prep_oog) {
        /* the authorizations and the frame's charges undone; all gas
         * spent, the reservoir kept */
        journal_revert(j, before);
        evm->reservoir = reservoir;
        evm->state_gas = 0;
        r.status = EVM_OUT_OF_GAS;
        r.gas_left = 0;
        m.gas = gas;
    } else if (state_gas && r.status != EVM_SUCCESS && r.status != EVM_INTERNAL_ERROR) {
        evm->reservoir = top_reservoir;
        evm->state_gas = top_state;
        if (r.status == EVM_REVERT)
            r.gas_left += top_spilled;
    }
    evm->tracer = NULL;
    if (unlikely(tracer != NULL) && tracer->on_tx_end && r.status != EVM_INTERNAL_ERROR)
        tracer->on_tx_end(tracer, r.output, r.output_len, (uint64_t)(m.gas - r.gas_left), r.status);
    free(r.output);
    if (r.status == EVM_INTERNAL_ERROR)
        return evm->error ? evm->error : PAREVM_ERR_INTERNAL;

    /* Refunds: capped at half (EIP-3529 from London: a fifth) of gas used. */
    uint64_t gas_left = (uint64_t)r.gas_left;
    if (state_gas) {
        /* @ethereumjs 10.1.3: a transaction that ends out of gas after a
         * CALL ran out of gas past its target's access spends its
         * reservoir too */
        if (r.status == EVM_OUT_OF_GAS && evm->call_oog_after_access)
            evm->reservoir = 0;
        gas_left += (uint64_t)evm->reservoir; /* (unused reservoir comes back) */
    }
    uint64_t used = tx->gas_limit - gas_left;
    int64_t refund_counter = j->refund > 0 ? j->refund : 0;
    uint64_t cap = used / (fork >= FORK_LONDON ? 5 : 2);
    uint64_t refund = (uint64_t)refund_counter < cap ? (uint64_t)refund_counter : cap;
    uint64_t before_refund = used;
    used -= refund;
    /* EIP-7623 (Prague): a transaction pays at least its calldata floor. */
    uint64_t floor = tx_floor_gas(tx, fork);
    if (used < floor)
        used = floor;
    /* EIP-7778 (Amsterdam): the block counts the gas before the refund. */
    uint64_t block_gas = used, block_state_gas = 0;
    if (fork_eip(fork, EIP_7778))
        block_gas = before_refund > floor ? before_refund : floor;
    if (state_gas) {
        /* EIP-8037: the block counts state and regular gas apart: the
         * state gas the transaction used, and the rest of what it used
         * before refunds (at least the floor) */
        block_state_gas = evm->state_gas > 0 ? (uint64_t)evm->state_gas : 0;
        uint64_t regular = before_refund > block_state_gas ? before_refund - block_state_gas : 0;
        block_gas = regular > floor ? regular : floor;
    }

    u256 back;
    mul_overflows(price, tx->gas_limit - used, &back);
    err = journal_add_balance(j, &tx->sender, &back);
    if (err)
        return err;
    u256 tip = *price;
    if (fork >= FORK_LONDON)
        tip = u256_sub(price, &env->base_fee); /* the base fee is burned */
    u256 fee;
    mul_overflows(&tip, used, &fee);
    if (fork < FORK_SPURIOUS) {
        /* Before EIP-161 even a zero fee creates the coinbase account. */
        err = journal_ensure_exists(j, &env->coinbase);
        if (err)
            return err;
    }
    err = journal_add_balance(j, &env->coinbase, &fee);
    if (err)
        return err;

    result->status = r.status == EVM_SUCCESS  ? TX_STATUS_SUCCESS
                     : r.status == EVM_REVERT ? TX_STATUS_REVERT
                                              : TX_STATUS_HALT;
    result->gas_used = used;
    result->block_gas = block_gas;
    result->block_state_gas = block_state_gas;
    return PAREVM_OK;
}

static int transition_apply_here(const struct block_env *env, const struct state_view *view,
                                 const struct tx *tx, uint64_t block_gas_used, struct evm_tracer *tracer,
                                 journal_access_fn on_access, void *access_arg, struct tx_result *result,
                                 struct write_set *ws);

/* transition_apply_here's arguments, to run it where the stack has room. */
struct apply_call {
    const struct block_env *env;
    const struct state_view *view;
    const struct tx *tx;
    uint64_t block_gas_used;
    struct evm_tracer *tracer;
    journal_access_fn on_access;
    void *access_arg;
    struct tx_result *result;
    struct write_set *ws;
    int err;
};

static void apply_thunk(void *p)
{
    struct apply_call *c = p;
    c->err = transition_apply_here(c->env, c->view, c->tx, c->block_gas_used, c->tracer, c->on_access,
                                   c->access_arg, c->result, c->ws);
}

/* The EVM recurses up to 1024 deep on the calling thread: a caller whose
 * stack has less room left than that (a host's small thread) gets the
 * transaction run on a thread of ours (deep_stack.h). Workers and the
 * usual main thread have the room and take the direct path. */
int transition_apply_recorded(const struct block_env *env, const struct state_view *view, const struct tx *tx,
                              uint64_t block_gas_used, struct evm_tracer *tracer, journal_access_fn on_access,
                              void *access_arg, struct tx_result *result, struct write_set *ws)
{
    if (deep_stack_left() >= deep_stack_need(0))
        return transition_apply_here(env, view, tx, block_gas_used, tracer, on_access, access_arg, result,
                                     ws);
    struct apply_call c = {env, view, tx, block_gas_used, tracer, on_access, access_arg, result, ws, 0};
    int err = deep_stack_run(deep_stack_need(0), apply_thunk, &c);
    if (err)
        memset(result, 0, sizeof *result);
    return err ? err : c.err;
}

int transition_apply_traced(const struct block_env *env, const struct state_view *view, const struct tx *tx,
                            uint64_t block_gas_used, struct evm_tracer *tracer, struct tx_result *result,
                            struct write_set *ws)
{
    return transition_apply_recorded(env, view, tx, block_gas_used, tracer, NULL, NULL, result, ws);
}

int transition_apply(const struct block_env *env, const struct state_view *view, const struct tx *tx,
                     uint64_t block_gas_used, struct tx_result *result, struct write_set *ws)
{
    return transition_apply_traced(env, view, tx, block_gas_used, NULL, result, ws);
}

static int transition_apply_here(const struct block_env *env, const struct state_view *view,
                                 const struct tx *tx, uint64_t block_gas_used, struct evm_tracer *tracer,
                                 journal_access_fn on_access, void *access_arg, struct tx_result *result,
                                 struct write_set *ws)
{
    memset(result, 0, sizeof *result);
    write_set_reset(ws);
    if (!tx->has_sender)
        return PAREVM_ERR_ARG;
    if (!fork_implemented(env->fork))
        return PAREVM_ERR_UNSUPPORTED; /* never under an older fork's rules */
    struct tx_context *c = ctx_get();
    if (!c)
        return PAREVM_ERR_NOMEM;

    u256 price = u256_zero();
    enum tx_error txerr = transition_check_static(env, tx, block_gas_used, &price);
    if (txerr) {
        result->error = txerr;
        return PAREVM_OK;
    }
    struct journal *j = &c->journal;
    journal_begin(j, view, fork_journal_rules(env->fork));
    /* Lazy storage reads where the view offers them: the EVM tracks them,
     * except under a tracer, which shows every value as it is. */
    j->lazy = view->ops->lazy != NULL && tracer == NULL;

    /* Checks against the sender's state. */
    uint64_t nonce;
    u256 balance;
    struct code *code;
    int err = journal_nonce(j, &tx->sender, &nonce);
    if (!err)
        err = journal_balance(j, &tx->sender, &balance);
    if (!err)
        err = journal_code(j, &tx->sender, &code);
    if (err)
        return err;
    if (nonce != tx->nonce) {
        result->error = nonce > tx->nonce ? TXERR_NONCE_TOO_LOW : TXERR_NONCE_TOO_HIGH;
        return PAREVM_OK;
    }
    /* Max cost: gas_limit * fee cap + value (+ blob gas * blob fee cap). */
    u256 max_cost, tmp;
    const u256 *cap = tx->type >= 2 ? &tx->max_fee_per_gas : &tx->gas_price;
    bool over = mul_overflows(cap, tx->gas_limit, &max_cost);
    if (tx->type == 3) {
        over |= mul_overflows(&tx->max_fee_per_blob_gas, BLOB_GAS_PER_BLOB * tx->blob_hash_count, &tmp);
        over |= add_overflows(&max_cost, &tmp, &max_cost);
    }
    over |= add_overflows(&max_cost, &tx->value, &max_cost);
    if (over || u256_lt(&balance, &max_cost)) {
        result->error = TXERR_INSUFFICIENT_FUNDS;
        return PAREVM_OK;
    }
    /* EIP-3607: the sender has no code; EIP-7702 (Prague): a delegation
     * designator is allowed. */
    if (code->len != 0 && !(env->fork >= FORK_PRAGUE && code_delegation_target(code->bytes, code->len, NULL))) {
        result->error = TXERR_SENDER_NOT_EOA;
        return PAREVM_OK;
    }

    err = execute(c, env, tx, &price, tracer, result);
    if (!err)
        err = journal_finalize(j, ws, &result->logs, &result->log_count);
    if (!err && on_access) /* EIP-7928 recording, on the journal's thread */
        err = journal_each_access(j, on_access, access_arg);
    if (err) {
        tx_result_free(result);
        write_set_reset(ws);
        result->error = TXERR_NONE;
        return err;
    }
    return PAREVM_OK;
}

int transition_system_call(const struct block_env *env, const struct state_view *view, const address *from,
                           const address *to, const uint8_t *data, size_t len, uint64_t gas,
                           struct write_set *ws, enum tx_status *status)
{
    return transition_system_call_output(env, view, from, to, data, len, gas, ws, status, NULL, NULL);
}

int transition_system_call_output(const struct block_env *env, const struct state_view *view,
                                  const address *from, const address *to, const uint8_t *data, size_t len,
                                  uint64_t gas, struct write_set *ws, enum tx_status *status,
                                  uint8_t **output, size_t *output_len)
{
    write_set_reset(ws);
    if (output)
        *output = NULL;
    if (output_len)
        *output_len = 0;
    if (status)
        *status = TX_STATUS_SUCCESS;
    if (!env || !view || !from || !to || (len && !data) || gas > INT64_MAX)
        return PAREVM_ERR_ARG;
    struct tx_context *c = ctx_get();
    if (!c)
        return PAREVM_ERR_NOMEM;
    struct journal *j = &c->journal;
    journal_begin(j, view, fork_journal_rules(env->fork));

    struct code *code;
    int err = journal_code(j, to, &code);
    if (err || code->len == 0) /* EIP-4788: no code, the call fails silently */
        return err;

    /* Warm what a transaction would (gas only; a system call's gas is not
     * charged to anyone). */
    bool w;
    err = journal_warm_account(j, from, &w);
    if (!err)
        err = journal_warm_account(j, to, &w);
    if (err)
        return err;

    /* execution-specs: origin = caller = SYSTEM_ADDRESS, gas price = base fee. */
    struct tx_env txe;
    memset(&txe, 0, sizeof txe);
    txe.origin = *from;
    txe.gas_price = env->base_fee;
    evm_begin(&c->evm, env, &txe, j);

    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CALL;
    m.gas = (int64_t)gas;
    m.sender = *from;
    m.recipient = *to;
    m.code_address = *to;
    m.value = u256_zero();
    m.transfers_value = false;
    m.input = data;
    m.input_len = len;
    struct evm_result r = {0};
    evm_call(&c->evm, &m, &r);
    if (r.status == EVM_INTERNAL_ERROR) {
        free(r.output);
        return c->evm.error ? c->evm.error : PAREVM_ERR_INTERNAL;
    }
    if (output && output_len && r.status == EVM_SUCCESS) { /* EIP-7002/7251: the requests */
        *output = r.output;
        *output_len = r.output_len;
        r.output = NULL;
    }
    free(r.output);
    if (status)
        *status = r.status == EVM_SUCCESS  ? TX_STATUS_SUCCESS
                  : r.status == EVM_REVERT ? TX_STATUS_REVERT
                                           : TX_STATUS_HALT;

    struct log *logs = NULL;
    size_t log_count = 0;
    err = journal_finalize(j, ws, &logs, &log_count);
    free(logs);
    if (err) {
        write_set_reset(ws);
        if (output) {
            free(*output);
            *output = NULL;
        }
        if (output_len)
            *output_len = 0;
    }
    return err;
}

int transition_apply_world(const struct block_env *env, struct world *w, const struct tx *tx,
                           uint64_t block_gas_used, struct tx_result *result)
{
    struct world_view wv = {w, env->block_hash, env->block_hash_arg};
    struct state_view view = world_view_make(&wv);
    struct write_set ws;
    write_set_init(&ws);
    int err = transition_apply(env, &view, tx, block_gas_used, result, &ws);
    if (!err && result->error == TXERR_NONE)
        err = write_set_apply(&ws, w);
    write_set_free(&ws);
    return err;
}
