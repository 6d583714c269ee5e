/*
 * hostmode.c — the opcodes that need the world, executed through an EVMC
 * host (evmc/evmc.h) instead of the journal.
 *
 * The interpreter runs a host-mode frame with hostmode_optable(fork) (via
 * evm->host_ops = &hostmode_ops): the fork's table with the opcodes
 * opcodes.def marks `host` undefined, so they leave the hot loop through
 * its existing undefined-instruction branch and come to hostmode_op. The
 * normal (journal) path is untouched.
 *
 * Gas is the same per-fork schedule as interpreter.c. What EVMC leaves to
 * the host stays with the host: value transfers, nonces, create addresses
 * and collisions, code deposit, precompiles, EIP-6780, reverting state of
 * failed frames. SSTORE is priced from the host's evmc_storage_status.
 */
#include "hostmode.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../evm/frame.h"

/* Everything that reads state, the block or the transaction, or sends a
 * nested message: opcodes.def's host column. */
static const bool host_opcode[256] = {
#define OPCODE(name, value, req, grow, gas, since, host) [value] = host,
#include "../evm/opcodes.def"
};

static struct optable host_tables[FORK__COUNT];
static pthread_once_t host_tables_once = PTHREAD_ONCE_INIT;

static void host_tables_init(void)
{
    for (int fork = 0; fork < FORK__COUNT; fork++) {
        host_tables[fork] = *optable_get((enum fork)fork);
        for (int op = 0; op < 256; op++)
            if (host_opcode[op])
                host_tables[fork].defined[op] = false;
        optable_seal(&host_tables[fork]);
    }
}

static const struct optable *hostmode_optable(enum fork fork)
{
    pthread_once(&host_tables_once, host_tables_init);
    return &host_tables[fork];
}

/* ---- conversions ---- */

static inline evmc_address word_to_address(const u256 *v)
{
    uint8_t b[32];
    u256_to_be(v, b);
    evmc_address a;
    memcpy(a.bytes, b + 12, 20);
    return a;
}

static inline evmc_address to_evmc_address(const address *a)
{
    evmc_address e;
    memcpy(e.bytes, a->bytes, 20);
    return e;
}

static inline u256 address_word(const evmc_address *a)
{
    return u256_from_be(a->bytes, 20);
}

static inline evmc_bytes32 word_to_bytes32(const u256 *v)
{
    evmc_bytes32 b;
    u256_to_be(v, b.bytes);
    return b;
}

static inline u256 bytes32_word(const evmc_bytes32 *b)
{
    return u256_from_be32(b->bytes);
}

static inline uint64_t num_words(uint64_t bytes)
{
    return (bytes + 31) / 32;
}

/* ---- frame helpers ---- */

static inline bool charge(struct frame *f, int64_t g) { return evm_frame_charge(f, g); }

/* Why a memory expansion failed. */
static inline enum evm_status mem_failure(const struct frame *f)
{
    return f->evm->error ? EVM_INTERNAL_ERROR : EVM_OUT_OF_GAS;
}

static const struct evmc_tx_context *tx_context(struct evm_host *h)
{
    if (!h->have_tx_context) {
        h->tx_context = h->iface->get_tx_context(h->ctx);
        h->have_tx_context = true;
    }
    return &h->tx_context;
}

/* EIP-2929: warm the account; 2500 on top of the warm cost (static gas)
 * when it was cold. Nothing before Berlin. */
static int64_t access_account_extra(const struct frame *f, struct evm_host *h, const evmc_address *a)
{
    if (f->evm->fork < FORK_BERLIN)
        return 0;
    return h->iface->access_account(h->ctx, a) == EVMC_ACCESS_COLD ? 2500 : 0;
}

/* Replace the frame's return data with a copy of data. False on ENOMEM
 * (evm->error set). */
static bool set_return_data(struct frame *f, const uint8_t *data, size_t len)
{
    free(f->ret);
    f->ret = NULL;
    f->ret_len = 0;
    if (len == 0)
        return true;
    f->ret = malloc(len);
    if (!f->ret) {
        f->evm->error = PAREVM_ERR_NOMEM;
        return false;
    }
    memcpy(f->ret, data, len);
    f->ret_len = len;
    return true;
}

static inline void release(struct evmc_result *r)
{
    if (r->release)
        r->release(r);
}

/* ---- SSTORE (EIP-1283, EIP-2200, EIP-2929, EIP-3529) ----
 *
 * The host reports how (original, current, new) relate; the fork's
 * optable prices each case (optable.c, build_sstore), as it does for the
 * interpreter. */
#define SAME_STATUS(name)                                                                              \
    _Static_assert((int)EVMC_STORAGE_##name == (int)OPTABLE_STORAGE_##name, "evmc_storage_status order")
SAME_STATUS(ASSIGNED);
SAME_STATUS(ADDED);
SAME_STATUS(DELETED);
SAME_STATUS(MODIFIED);
SAME_STATUS(DELETED_ADDED);
SAME_STATUS(MODIFIED_DELETED);
SAME_STATUS(DELETED_RESTORED);
SAME_STATUS(ADDED_DELETED);
SAME_STATUS(MODIFIED_RESTORED);
#undef SAME_STATUS

static enum evm_status host_sstore(struct frame *f, struct evm_host *h, const u256 *top)
{
    enum fork fork = f->evm->fork;
    if (f->msg->is_static)
        return EVM_STATIC_MODE_VIOLATION;
    /* EIP-2200 (Istanbul): SSTORE fails when gas left <= the call stipend. */
    if (fork >= FORK_ISTANBUL && f->gas <= 2300)
        return EVM_OUT_OF_GAS;
    evmc_address self = to_evmc_address(&f->msg->recipient);
    evmc_bytes32 key = word_to_bytes32(&top[-1]);
    evmc_bytes32 value = word_to_bytes32(&top[-2]);
    int64_t cold = 0;
    if (fork >= FORK_BERLIN && h->iface->access_storage(h->ctx, &self, &key) == EVMC_ACCESS_COLD)
        cold = 2100; /* EIP-2929 */
    /* Stored before it is paid for: running out of gas below fails the
     * frame, and the host reverts what a failed frame wrote. */
    enum evmc_storage_status st = h->iface->set_storage(h->ctx, &self, &key, &value);
    if ((unsigned)st >= OPTABLE_STORAGE__COUNT)
        st = EVMC_STORAGE_ASSIGNED;
    const struct optable_sstore *rule = &optable_get(fork)->sstore[st];
    if (!charge(f, rule->cost + cold))
        return EVM_OUT_OF_GAS;
    h->refund += rule->refund;
    return EVM_SUCCESS;
}

/* ---- calls: CALL, CALLCODE, DELEGATECALL, STATICCALL ---- */

static enum evm_status host_call(struct frame *f, struct evm_host *h, uint8_t op, u256 *top)
{
    const struct evm_message *msg = f->msg;
    enum fork fork = f->evm->fork;
    bool has_value_arg = op == OP_CALL || op == OP_CALLCODE;
    int i = 1;
    u256 gas_req = top[-i++];
    evmc_address to = word_to_address(&top[-i++]);
    u256 value = has_value_arg ? top[-i++] : u256_zero();
    u256 in_off = top[-i], in_len = top[-i - 1], out_off = top[-i - 2], out_len = top[-i - 3];
    u256 *result = &top[-i - 3];
    bool has_value = !u256_is_zero(&value);
    evmc_address self = to_evmc_address(&msg->recipient);

    int64_t extra = access_account_extra(f, h, &to);
    /* EIP-7702 (Prague): a delegated account's calls run the delegate's
     * code: charge the delegate's access (100 warm, 2600 cold), send the
     * host the delegate as code address with EVMC_DELEGATED (the host
     * then runs its code, never a precompile). */
    evmc_address code_address = to;
    bool delegated = false;
    if (fork >= FORK_PRAGUE && h->iface->get_code_size(h->ctx, &to) == CODE_DELEGATION_LEN) {
        uint8_t designator[CODE_DELEGATION_LEN];
        address target;
        if (h->iface->copy_code(h->ctx, &to, 0, designator, sizeof designator) == sizeof designator &&
            code_delegation_target(designator, sizeof designator, &target)) {
            delegated = true;
            code_address = to_evmc_address(&target);
            extra += h->iface->access_account(h->ctx, &code_address) == EVMC_ACCESS_COLD ? 2600 : 100;
        }
    }
    uint64_t io, il, oo, ol;
    if (!evm_frame_mem(f, &in_off, &in_len, &io, &il) || !evm_frame_mem(f, &out_off, &out_len, &oo, &ol))
        return mem_failure(f);
    if (has_value)
        extra += 9000;
    if (op == OP_CALL) {
        /* Creating the recipient costs 25000; from Spurious Dragon only
         * when value goes to a dead account (EIP-161: account_exists is
         * false for empty accounts then). */
        bool needs_new = fork >= FORK_SPURIOUS ? has_value && !h->iface->account_exists(h->ctx, &to)
                                               : !h->iface->account_exists(h->ctx, &to);
        if (needs_new)
            extra += 25000;
    }
    int64_t call_gas = evm_frame_call_gas(f, fork, extra, &gas_req);
    if (call_gas < 0)
        return EVM_OUT_OF_GAS;
    if (msg->is_static && has_value && op == OP_CALL)
        return EVM_STATIC_MODE_VIOLATION;
    if (has_value)
        call_gas += 2300; /* stipend */

    set_return_data(f, NULL, 0);
    *result = u256_zero();
    if (msg->depth + 1 > EVM_MAX_DEPTH) {
        f->gas += call_gas;
        return EVM_SUCCESS;
    }
    if (has_value) {
        evmc_uint256be bal_be = h->iface->get_balance(h->ctx, &self);
        u256 bal = bytes32_word(&bal_be);
        if (u256_lt(&bal, &value)) {
            f->gas += call_gas;
            return EVM_SUCCESS;
        }
    }

    struct evmc_message m;
    memset(&m, 0, sizeof m);
    m.kind = op == OP_CALLCODE ? EVMC_CALLCODE : op == OP_DELEGATECALL ? EVMC_DELEGATECALL : EVMC_CALL;
    m.flags = (msg->is_static || op == OP_STATICCALL) ? EVMC_STATIC : 0;
    if (delegated)
        m.flags |= EVMC_DELEGATED;
    m.depth = msg->depth + 1;
    m.gas = call_gas;
    m.code_address = code_address;
    m.input_data = il ? f->mem + io : NULL;
    m.input_size = il;
    switch (op) {
    case OP_CALL:
    case OP_STATICCALL:
        m.recipient = to;
        m.sender = self;
        m.value = word_to_bytes32(&value);
        break;
    case OP_CALLCODE:
        m.recipient = self;
        m.sender = self;
        m.value = word_to_bytes32(&value);
        break;
    default: /* DELEGATECALL: caller and value of the current frame */
        m.recipient = self;
        m.sender = to_evmc_address(&msg->sender);
        m.value = word_to_bytes32(&msg->value);
        break;
    }
    struct evmc_result r = h->iface->call(h->ctx, &m);
    f->gas += r.gas_left;
    h->refund += r.gas_refund; /* 0 unless the call succeeded */
    if (r.status_code == EVMC_SUCCESS)
        *result = u256_from_u64(1);
    size_t n = ol < r.output_size ? ol : r.output_size;
    if (n)
        memcpy(f->mem + oo, r.output_data, n);
    bool ok = set_return_data(f, r.output_data, r.output_size);
    release(&r);
    return ok ? EVM_SUCCESS : EVM_INTERNAL_ERROR;
}

/* ---- CREATE, CREATE2 ---- */

static enum evm_status host_create(struct frame *f, struct evm_host *h, uint8_t op, u256 *top)
{
    const struct evm_message *msg = f->msg;
    enum fork fork = f->evm->fork;
    if (msg->is_static)
        return EVM_STATIC_MODE_VIOLATION;
    u256 value = top[-1], off_word = top[-2], len_word = top[-3];
    u256 salt = op == OP_CREATE2 ? top[-4] : u256_zero();
    u256 *result = op == OP_CREATE2 ? &top[-4] : &top[-3];
    uint64_t off, len;
    if (!evm_frame_mem(f, &off_word, &len_word, &off, &len))
        return mem_failure(f);
    if (fork >= FORK_SHANGHAI) {
        /* EIP-3860: limit and meter initcode. */
        if (len > evm_max_initcode_size(fork))
            return EVM_OUT_OF_GAS;
        if (!charge(f, 2 * (int64_t)num_words(len)))
            return EVM_OUT_OF_GAS;
    }
    if (op == OP_CREATE2 && !charge(f, 6 * (int64_t)num_words(len))) /* EIP-1014: hashing the initcode */
        return EVM_OUT_OF_GAS;

    set_return_data(f, NULL, 0);
    *result = u256_zero();
    evmc_address self = to_evmc_address(&msg->recipient);
    if (msg->depth + 1 > EVM_MAX_DEPTH)
        return EVM_SUCCESS;
    if (!u256_is_zero(&value)) {
        evmc_uint256be bal_be = h->iface->get_balance(h->ctx, &self);
        u256 bal = bytes32_word(&bal_be);
        if (u256_lt(&bal, &value))
            return EVM_SUCCESS;
    }
    int64_t call_gas = fork >= FORK_TANGERINE ? f->gas - f->gas / 64 : f->gas; /* EIP-150 */
    f->gas -= call_gas;

    struct evmc_message m;
    memset(&m, 0, sizeof m);
    m.kind = op == OP_CREATE2 ? EVMC_CREATE2 : EVMC_CREATE;
    m.depth = msg->depth + 1;
    m.gas = call_gas;
    m.sender = self;
    m.input_data = len ? f->mem + off : NULL;
    m.input_size = len;
    m.value = word_to_bytes32(&value);
    m.create2_salt = word_to_bytes32(&salt);
    struct evmc_result r = h->iface->call(h->ctx, &m);
    f->gas += r.gas_left;
    h->refund += r.gas_refund;
    bool ok = true;
    if (r.status_code == EVMC_SUCCESS)
        *result = address_word(&r.create_address); /* return data stays empty */
    else
        ok = set_return_data(f, r.output_data, r.output_size);
    release(&r);
    return ok ? EVM_SUCCESS : EVM_INTERNAL_ERROR;
}

static enum evm_status host_selfdestruct(struct frame *f, struct evm_host *h, const u256 *top)
{
    enum fork fork = f->evm->fork;
    if (f->msg->is_static)
        return EVM_STATIC_MODE_VIOLATION;
    evmc_address beneficiary = word_to_address(&top[-1]);
    evmc_address self = to_evmc_address(&f->msg->recipient);
    int64_t cost = 0;
    if (fork >= FORK_BERLIN && h->iface->access_account(h->ctx, &beneficiary) == EVMC_ACCESS_COLD)
        cost += 2600; /* EIP-2929 */
    if (fork >= FORK_SPURIOUS) {
        /* EIP-161: only moving a balance to a dead account pays for it. */
        evmc_uint256be bal_be = h->iface->get_balance(h->ctx, &self);
        u256 bal = bytes32_word(&bal_be);
        if (!u256_is_zero(&bal) && !h->iface->account_exists(h->ctx, &beneficiary))
            cost += 25000;
    } else if (fork >= FORK_TANGERINE) { /* EIP-150 */
        if (!h->iface->account_exists(h->ctx, &beneficiary))
            cost += 25000;
    }
    if (!charge(f, cost))
        return EVM_OUT_OF_GAS;
    if (h->iface->selfdestruct(h->ctx, &self, &beneficiary) && fork < FORK_LONDON)
        h->refund += 24000; /* EIP-3529 removed this refund */
    return EVM_SUCCESS;
}

/* ---- the dispatcher ---- */

static enum evm_status hostmode_op(struct frame *f, uint8_t op, u256 *top)
{
    struct evm *evm = f->evm;
    struct evm_host *h = evm->host;
    const struct evmc_host_interface *host = h->iface;
    const struct optable *real = optable_get(evm->fork);
    if (!real->defined[op])
        return op == OP_INVALID ? EVM_INVALID_INSTRUCTION : EVM_UNDEFINED_INSTRUCTION;
    if (!charge(f, real->gas[op]))
        return EVM_OUT_OF_GAS;
    /* Where the instruction's (only) result goes. */
    u256 *out = top - real->stack_req[op];
    evmc_address self = to_evmc_address(&f->msg->recipient);

    switch (op) {
    case OP_BALANCE: {
        evmc_address a = word_to_address(&top[-1]);
        if (!charge(f, access_account_extra(f, h, &a)))
            return EVM_OUT_OF_GAS;
        evmc_uint256be b = host->get_balance(h->ctx, &a);
        *out = bytes32_word(&b);
        return EVM_SUCCESS;
    }
    case OP_ORIGIN:
        *out = address_word(&tx_context(h)->tx_origin);
        return EVM_SUCCESS;
    case OP_GASPRICE:
        *out = bytes32_word(&tx_context(h)->tx_gas_price);
        return EVM_SUCCESS;
    case OP_EXTCODESIZE: {
        evmc_address a = word_to_address(&top[-1]);
        if (!charge(f, access_account_extra(f, h, &a)))
            return EVM_OUT_OF_GAS;
        *out = u256_from_u64(host->get_code_size(h->ctx, &a));
        return EVM_SUCCESS;
    }
    case OP_EXTCODECOPY: {
        evmc_address a = word_to_address(&top[-1]);
        int64_t extra = access_account_extra(f, h, &a);
        uint64_t o, l;
        if (!evm_frame_mem(f, &top[-2], &top[-4], &o, &l))
            return mem_failure(f);
        if (!charge(f, 3 * (int64_t)num_words(l) + extra))
            return EVM_OUT_OF_GAS;
        if (l) {
            const u256 *src = &top[-3];
            size_t start = u256_fits_u64(src) && src->w[0] <= SIZE_MAX ? (size_t)src->w[0] : SIZE_MAX;
            size_t n = host->copy_code(h->ctx, &a, start, f->mem + o, l);
            if (n < l)
                memset(f->mem + o + n, 0, l - n);
        }
        return EVM_SUCCESS;
    }
    case OP_EXTCODEHASH: { /* EIP-1052: the host gives zero for dead accounts */
        evmc_address a = word_to_address(&top[-1]);
        if (!charge(f, access_account_extra(f, h, &a)))
            return EVM_OUT_OF_GAS;
        evmc_bytes32 hash = host->get_code_hash(h->ctx, &a);
        *out = bytes32_word(&hash);
        return EVM_SUCCESS;
    }
    case OP_BLOCKHASH: { /* one of the 256 previous blocks, else zero */
        const u256 *n = &top[-1];
        int64_t cur = tx_context(h)->block_number;
        if (cur > 0 && u256_fits_u64(n) && n->w[0] < (uint64_t)cur && (uint64_t)cur - n->w[0] <= 256) {
            evmc_bytes32 hash = host->get_block_hash(h->ctx, (int64_t)n->w[0]);
            *out = bytes32_word(&hash);
        } else {
            *out = u256_zero();
        }
        return EVM_SUCCESS;
    }
    case OP_COINBASE:
        *out = address_word(&tx_context(h)->block_coinbase);
        return EVM_SUCCESS;
    case OP_TIMESTAMP:
        *out = u256_from_u64((uint64_t)tx_context(h)->block_timestamp);
        return EVM_SUCCESS;
    case OP_NUMBER:
        *out = u256_from_u64((uint64_t)tx_context(h)->block_number);
        return EVM_SUCCESS;
    case OP_DIFFICULTY: /* PREVRANDAO from Paris (EIP-4399): one field in EVMC */
        *out = bytes32_word(&tx_context(h)->block_prev_randao);
        return EVM_SUCCESS;
    case OP_GASLIMIT:
        *out = u256_from_u64((uint64_t)tx_context(h)->block_gas_limit);
        return EVM_SUCCESS;
    case OP_CHAINID: /* EIP-1344 */
        *out = bytes32_word(&tx_context(h)->chain_id);
        return EVM_SUCCESS;
    case OP_SELFBALANCE: { /* EIP-1884 */
        evmc_uint256be b = host->get_balance(h->ctx, &self);
        *out = bytes32_word(&b);
        return EVM_SUCCESS;
    }
    case OP_BASEFEE: /* EIP-3198 */
        *out = bytes32_word(&tx_context(h)->block_base_fee);
        return EVM_SUCCESS;
    case OP_BLOBHASH: { /* EIP-4844 */
        const struct evmc_tx_context *tx = tx_context(h);
        const u256 *i = &top[-1];
        if (u256_fits_u64(i) && i->w[0] < tx->blob_hashes_count)
            *out = bytes32_word(&tx->blob_hashes[i->w[0]]);
        else
            *out = u256_zero();
        return EVM_SUCCESS;
    }
    case OP_BLOBBASEFEE: /* EIP-7516 */
        *out = bytes32_word(&tx_context(h)->blob_base_fee);
        return EVM_SUCCESS;
    case OP_SLOAD: {
        evmc_bytes32 key = word_to_bytes32(&top[-1]);
        if (evm->fork >= FORK_BERLIN && host->access_storage(h->ctx, &self, &key) == EVMC_ACCESS_COLD &&
            !charge(f, 2000)) /* EIP-2929: cold 2100 = warm 100 + 2000 */
            return EVM_OUT_OF_GAS;
        evmc_bytes32 v = host->get_storage(h->ctx, &self, &key);
        *out = bytes32_word(&v);
        return EVM_SUCCESS;
    }
    case OP_SSTORE:
        return host_sstore(f, h, top);
    case OP_TLOAD: { /* EIP-1153 */
        evmc_bytes32 key = word_to_bytes32(&top[-1]);
        evmc_bytes32 v = host->get_transient_storage(h->ctx, &self, &key);
        *out = bytes32_word(&v);
        return EVM_SUCCESS;
    }
    case OP_TSTORE: { /* EIP-1153 */
        if (f->msg->is_static)
            return EVM_STATIC_MODE_VIOLATION;
        evmc_bytes32 key = word_to_bytes32(&top[-1]);
        evmc_bytes32 v = word_to_bytes32(&top[-2]);
        host->set_transient_storage(h->ctx, &self, &key, &v);
        return EVM_SUCCESS;
    }
    case OP_LOG0:
    case OP_LOG1:
    case OP_LOG2:
    case OP_LOG3:
    case OP_LOG4: {
        unsigned n = (unsigned)op - OP_LOG0;
        if (f->msg->is_static)
            return EVM_STATIC_MODE_VIOLATION;
        uint64_t o, l;
        if (!evm_frame_mem(f, &top[-1], &top[-2], &o, &l))
            return mem_failure(f);
        if (!charge(f, 8 * (int64_t)l))
            return EVM_OUT_OF_GAS;
        evmc_bytes32 topics[4];
        for (unsigned i = 0; i < n; i++)
            topics[i] = word_to_bytes32(&top[-3 - (ptrdiff_t)i]);
        host->emit_log(h->ctx, &self, l ? f->mem + o : NULL, l, topics, n);
        return EVM_SUCCESS;
    }
    case OP_CREATE:
    case OP_CREATE2:
        return host_create(f, h, op, top);
    case OP_CALL:
    case OP_CALLCODE:
    case OP_DELEGATECALL:
    case OP_STATICCALL:
        return host_call(f, h, op, top);
    case OP_SELFDESTRUCT:
        return host_selfdestruct(f, h, top);
    default:
        /* Defined in the fork yet routed here: a bug in opcodes.def. */
        evm->error = PAREVM_ERR_INTERNAL;
        return EVM_INTERNAL_ERROR;
    }
}

const struct evm_host_ops hostmode_ops = {.optable = hostmode_optable, .op = hostmode_op};
