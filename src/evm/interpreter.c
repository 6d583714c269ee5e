/*
 * interpreter.c — the EVM: one dispatch loop, written once.
 *
 * Dispatch is computed goto on GCC/Clang (each handler jumps straight to
 * the next) or a plain switch with -DEVM_DISPATCH_SWITCH; the handlers
 * are the same source, each named after its opcode (CASE(ADD): the label
 * op_ADD or case OP_ADD; the threaded build's label table comes from
 * opcodes.def, so an opcode listed there without a handler does not
 * build). Before a handler runs, the common prologue checks the stack
 * bounds and charges the opcode's static gas from the fork's optable;
 * handlers charge only the dynamic part. A tracer (evm.h) costs
 * the untraced loop nothing per instruction: see traced_table. The EVMC
 * host mode (hostmode.c) enters through the same cold branch.
 *
 * Stack: `top` points one past the topmost item. Memory grows in 32-byte
 * words. The code buffer is padded with 33 zero bytes, so PUSH at the end
 * of code and running off the end (STOP) need no bounds checks.
 */
#include "evm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../base/keccak.h"
#include "../base/rlp.h"
#include "frame.h"
#include "lazystack.h"
#include "optable.h"
#include "precompiles.h"

_Static_assert(OPTABLE_STACK_LIMIT == EVM_STACK_LIMIT, "optable's fast check uses the EVM stack limit");
_Static_assert(OPTABLE_ITEM_BYTES == sizeof(u256), "optable's fast check counts the stack in bytes");

#define MEM_LIMIT ((uint64_t)1 << 32) /* beyond this, expansion gas exceeds any gas limit */

struct evm_frame_pool {
    u256 *stacks[EVM_MAX_DEPTH + 1];
    uint32_t *tags[EVM_MAX_DEPTH + 1]; /* lazystack's, allocated on first use */
    uint8_t *mem[EVM_MAX_DEPTH + 1];
    size_t mem_cap[EVM_MAX_DEPTH + 1];
};

const char *evm_status_name(enum evm_status s)
{
    static const char *names[] = {
        "success",          "revert",           "out of gas",           "undefined instruction",
        "invalid instruction", "stack underflow", "stack overflow",     "bad jump destination",
        "static mode violation", "invalid memory access", "create collision", "contract too large",
        "invalid code prefix", "precompile failure", "internal error",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void evm_init(struct evm *evm)
{
    memset(evm, 0, sizeof *evm);
    evm->pool = calloc(1, sizeof *evm->pool);
}

void evm_free(struct evm *evm)
{
    if (evm->pool) {
        for (int i = 0; i <= EVM_MAX_DEPTH; i++) {
            free(evm->pool->stacks[i]);
            free(evm->pool->tags[i]);
            free(evm->pool->mem[i]);
        }
        free(evm->pool);
    }
    memset(evm, 0, sizeof *evm);
}

void evm_begin(struct evm *evm, const struct block_env *block, const struct tx_env *tx, struct journal *j)
{
    evm->block = block;
    evm->tx = tx;
    evm->journal = j;
    evm->fork = block->fork;
    evm->error = PAREVM_OK;
    evm->tracer = NULL;
    evm->reservoir = 0;
    evm->state_gas = 0;
    evm->call_oog_after_access = false;
}

address evm_create_address(const address *sender, uint64_t nonce)
{
    /* keccak(rlp([sender, nonce]))[12:] */
    uint8_t buf[32];
    size_t n = 0;
    uint8_t nonce_bytes[9];
    size_t nonce_len;
    if (nonce == 0) {
        nonce_bytes[0] = 0x80;
        nonce_len = 1;
    } else if (nonce < 0x80) {
        nonce_bytes[0] = (uint8_t)nonce;
        nonce_len = 1;
    } else {
        int bytes = 8 - __builtin_clzll(nonce) / 8;
        nonce_bytes[0] = (uint8_t)(0x80 + bytes);
        for (int i = 0; i < bytes; i++)
            nonce_bytes[1 + i] = (uint8_t)(nonce >> (8 * (bytes - 1 - i)));
        nonce_len = 1 + (size_t)bytes;
    }
    buf[n++] = (uint8_t)(0xc0 + 21 + nonce_len);
    buf[n++] = 0x94;
    memcpy(buf + n, sender->bytes, 20);
    n += 20;
    memcpy(buf + n, nonce_bytes, nonce_len);
    n += nonce_len;
    uint8_t h[32];
    keccak256(buf, n, h);
    address a;
    memcpy(a.bytes, h + 12, 20);
    return a;
}

address evm_create2_address(const address *sender, const u256 *salt, const uint8_t *initcode, size_t len)
{
    /* EIP-1014: keccak(0xff ++ sender ++ salt ++ keccak(initcode))[12:] */
    uint8_t buf[85];
    buf[0] = 0xff;
    memcpy(buf + 1, sender->bytes, 20);
    u256_to_be(salt, buf + 21);
    keccak256(initcode, len, buf + 53);
    uint8_t h[32];
    keccak256(buf, sizeof buf, h);
    address a;
    memcpy(a.bytes, h + 12, 20);
    return a;
}

/* ---- helpers ---- */

static inline address u256_to_address(const u256 *v)
{
    uint8_t b[32];
    u256_to_be(v, b);
    address a;
    memcpy(a.bytes, b + 12, 20);
    return a;
}

/* The 20 bytes as the low 160 bits, read limb by limb: through
 * u256_from_be's zeroed 32-byte buffer the limbs were reloaded across the
 * buffer's stores (CALLER, ADDRESS, ORIGIN, COINBASE). The top limb is the
 * first 4 bytes, the high half of the first 8. */
static inline u256 address_to_u256(const address *a)
{
    u256 r = {{u256_load_be64(a->bytes + 12), u256_load_be64(a->bytes + 4), u256_load_be64(a->bytes) >> 32, 0}};
    return r;
}

static inline uint64_t num_words(uint64_t bytes) { return (bytes + 31) / 32; }

static inline int64_t memory_cost(uint64_t words) { return (int64_t)(3 * words + words * words / 512); }

/* Grow memory to cover [0, end). False when out of gas. */
static bool mem_grow(struct frame *f, uint64_t end)
{
    uint64_t new_words = num_words(end);
    uint64_t old_words = f->mem_size / 32;
    int64_t cost = memory_cost(new_words) - memory_cost(old_words);
    f->gas -= cost;
    if (f->gas < 0)
        return false;
    size_t new_size = new_words * 32;
    if (new_size > f->mem_cap) {
        size_t cap = f->mem_cap ? f->mem_cap : 4096;
        while (cap < new_size)
            cap *= 2;
        uint8_t *m = realloc(f->mem, cap);
        if (!m) {
            f->evm->error = PAREVM_ERR_NOMEM;
            f->gas = -1;
            return false;
        }
        f->mem = m;
        f->mem_cap = cap;
    }
    size_t grow = new_size - f->mem_size;
    if (grow == 32) /* one word, the common step: no libc call */
        memset(f->mem + f->mem_size, 0, 32);
    else
        memset(f->mem + f->mem_size, 0, grow);
    f->mem_size = new_size;
    return true;
}

/* Validate and expand for the region (off, len). A zero length touches
 * nothing (offset ignored). False when out of gas. */
static inline bool mem_region(struct frame *f, const u256 *off, const u256 *len, uint64_t *o, uint64_t *l)
{
    if (u256_is_zero(len)) {
        *o = 0;
        *l = 0;
        return true;
    }
    if (!u256_fits_u64(off) || !u256_fits_u64(len) || off->w[0] > MEM_LIMIT || len->w[0] > MEM_LIMIT)
        return false;
    *o = off->w[0];
    *l = len->w[0];
    if (*o + *l > f->mem_size)
        return mem_grow(f, *o + *l);
    return true;
}

bool evm_frame_mem(struct frame *f, const u256 *off, const u256 *len, uint64_t *o, uint64_t *l)
{
    return mem_region(f, off, len, o, l);
}

static inline bool charge(struct frame *f, int64_t g) { return evm_frame_charge(f, g); }

/* Copy src[src_off .. src_off+len) into memory at dst, zero-filling what
 * lies beyond src_len. */
static void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const u256 *src_off, uint64_t len)
{
    uint64_t start = (u256_fits_u64(src_off) && src_off->w[0] < src_len) ? src_off->w[0] : src_len;
    uint64_t avail = src_len - start;
    uint64_t n = avail < len ? avail : len;
    if (n)
        memcpy(dst, src + start, n);
    if (n < len)
        memset(dst + n, 0, len - n);
}

static void set_return_data(struct frame *f, uint8_t *data, size_t len)
{
    free(f->ret);
    f->ret = data;
    f->ret_len = len;
}

/* ---- tracing (cold: only with a tracer attached, see evm.h) ---- */

#if defined(__GNUC__)
#define TRACE_COLD __attribute__((noinline, cold))
#else
#define TRACE_COLD
#endif

static TRACE_COLD void trace_step(struct frame *f, uint64_t pc, uint8_t op, const u256 *stack, const u256 *top)
{
    struct evm_tracer *t = f->evm->tracer;
    if (!t->on_step)
        return;
    struct evm_trace_step s;
    s.pc = pc;
    s.op = op;
    s.depth = f->msg->depth;
    s.gas = f->gas;
    s.mem_size = f->mem_size;
    s.memory = f->mem_size ? f->mem : NULL;
    s.stack = stack;
    s.stack_height = (size_t)(top - stack);
    s.return_data = f->ret;
    s.return_data_len = f->ret_len;
    s.refund = f->evm->journal->refund;
    t->on_step(t, &s);
}

/* The current instruction has paid its whole cost (CALL*, CREATE*). */
static inline void trace_charged(struct frame *f)
{
    struct evm_tracer *t = f->evm->tracer;
    if (unlikely(t != NULL) && t->on_charged)
        t->on_charged(t, f->gas);
}

/*
 * A traced frame runs with a copy of its fork's optable in which no opcode
 * is defined: the prologue's existing "undefined instruction" branch then
 * takes every instruction to trace_defined, and the untraced loop carries
 * no test of its own. (The stack-check branches trace the instructions
 * that fail them.)
 */
static struct optable traced_tables[FORK__COUNT];
static pthread_once_t traced_once = PTHREAD_ONCE_INIT;

static void traced_tables_init(void)
{
    for (int fork = 0; fork < FORK__COUNT; fork++) {
        traced_tables[fork] = *optable_get((enum fork)fork);
        memset(traced_tables[fork].defined, 0, sizeof traced_tables[fork].defined);
        optable_seal(&traced_tables[fork]);
    }
}

static TRACE_COLD const struct optable *traced_table(enum fork fork)
{
    pthread_once(&traced_once, traced_tables_init);
    return &traced_tables[fork];
}

/* Trace the instruction; whether it really is defined in this fork. */
static TRACE_COLD bool trace_defined(struct frame *f, uint64_t pc, uint8_t op, const u256 *stack, const u256 *top)
{
    trace_step(f, pc, op, stack, top);
    return optable_get(f->evm->fork)->defined[op];
}

/* An instruction that fails its stack check: traced with its static gas
 * as the cost, as geth reports it (the frame fails and loses all its gas
 * anyway, so charging it changes nothing). */
static TRACE_COLD void trace_stack_fault(struct frame *f, uint64_t pc, uint8_t op, const u256 *stack,
                                         const u256 *top)
{
    trace_step(f, pc, op, stack, top);
    f->gas -= optable_get(f->evm->fork)->gas[op];
}

static TRACE_COLD void trace_exit(struct frame *f, enum evm_status status)
{
    struct evm_tracer *t = f->evm->tracer;
    if (t->on_exit)
        t->on_exit(t, f->msg->depth, status, f->gas);
}

#define FAIL_INTERNAL(f, e)                                                                            \
    do {                                                                                               \
        (f)->evm->error = (e);                                                                         \
        return EVM_INTERNAL_ERROR;                                                                     \
    } while (0)

/* EIP-8024: the depth DUPN and SWAPN take from their immediate x,
 * (x + 145) mod 256, 17 ... 235; 0 for an invalid immediate (91 ... 127,
 * bytes that could be JUMPDEST or PUSH). */
static inline size_t eip8024_depth(uint8_t x)
{
    return x > 0x5a && x < 0x80 ? 0 : (size_t)((x + 145) & 0xff);
}

/* Exchange two stack items (EIP-8024's SWAPN and EXCHANGE). */
static inline void swap_words(u256 *a, u256 *b)
{
    u256 t;
    u256_copy(&t, a);
    u256_copy(a, b);
    u256_copy(b, &t);
}

/* EIP-8038 (Amsterdam): EXTCODESIZE and EXTCODECOPY pay a warm read
 * (100) for the code beside the account's access. */
static inline int64_t code_read_cost(enum fork fork)
{
    return fork_eip(fork, EIP_8038) ? 100 : 0;
}

/* EIP-2929: warm the account; the cold surcharge over the static warm
 * cost (100) is the rest of fork_cold_account_cost. */
static int access_account(struct frame *f, const address *a, int64_t *extra)
{
    *extra = 0;
    if (f->evm->fork < FORK_BERLIN)
        return PAREVM_OK;
    bool was_warm;
    int err = journal_warm_account(f->evm->journal, a, &was_warm);
    if (!err && !was_warm)
        *extra = fork_cold_account_cost(f->evm->fork) - 100;
    return err;
}

/* ---- SSTORE gas (EIP-2200, EIP-1283, EIP-2929, EIP-3529) ---- */

/* How storing value over current changes a slot that held original when
 * the transaction began (EIP-2200's cases; EVMC hosts answer the same). */
static enum optable_storage_status storage_status(const u256 *original, const u256 *current, const u256 *value)
{
    if (u256_eq(current, value))
        return OPTABLE_STORAGE_ASSIGNED;
    if (u256_eq(original, current)) {
        if (u256_is_zero(original))
            return OPTABLE_STORAGE_ADDED;
        return u256_is_zero(value) ? OPTABLE_STORAGE_DELETED : OPTABLE_STORAGE_MODIFIED;
    }
    /* dirty: current != original */
    if (u256_is_zero(original))
        return u256_is_zero(value) ? OPTABLE_STORAGE_ADDED_DELETED : OPTABLE_STORAGE_ASSIGNED;
    if (u256_is_zero(current))
        return u256_eq(original, value) ? OPTABLE_STORAGE_DELETED_RESTORED : OPTABLE_STORAGE_DELETED_ADDED;
    if (u256_is_zero(value))
        return OPTABLE_STORAGE_MODIFIED_DELETED;
    return u256_eq(original, value) ? OPTABLE_STORAGE_MODIFIED_RESTORED : OPTABLE_STORAGE_ASSIGNED;
}

/* SSTORE key := value, priced by rules (the fork's optable.sstore). */
static enum evm_status op_sstore(struct frame *f, const struct optable_sstore *rules, const u256 *key,
                                 const u256 *value)
{
    struct evm *evm = f->evm;
    struct journal *j = evm->journal;
    enum fork fork = evm->fork;
    const address *self = &f->msg->recipient;
    if (f->msg->is_static)
        return EVM_STATIC_MODE_VIOLATION;
    /* EIP-2200 (Istanbul): SSTORE fails when gas left <= the call stipend. */
    if (fork >= FORK_ISTANBUL && f->gas <= 2300)
        return EVM_OUT_OF_GAS;
    /* One lookup of the slot: warmed (EIP-2929), then read. */
    struct journal_slot *slot;
    bool was_warm;
    int err = journal_slot_open(j, self, key, fork >= FORK_BERLIN, &was_warm, &slot);
    if (err)
        FAIL_INTERNAL(f, err);
    /* the warm read (100) is in the rule's cost; EIP-8038 counts it in
     * the cold access (2100) */
    int64_t cold = fork >= FORK_BERLIN && !was_warm ? (fork_eip(fork, EIP_8038) ? 2000 : 2100) : 0;
    u256 current, original;
    err = journal_slot_read(j, slot, &current, &original);
    if (err)
        FAIL_INTERNAL(f, err);
    /* A lazy read's value (state/lazy.h): record what the price and
     * refund below compare it with; is the value the slot's read plus a
     * constant? */
    bool derived = false;
    if (unlikely(f->tags != NULL) && (err = lazystack_sstore(f, slot, &original, &current, value, &derived)))
        FAIL_INTERNAL(f, err);
    enum optable_storage_status status = storage_status(&original, &current, value);
    const struct optable_sstore *rule = &rules[status];
    if (!charge(f, rule->cost + cold))
        return EVM_OUT_OF_GAS;
    journal_add_refund(j, rule->refund);
    err = journal_slot_write_lazy(j, slot, value, derived);
    if (err)
        FAIL_INTERNAL(f, err);
    /* EIP-8037: a slot that was zero when the transaction began pays
     * state gas when it becomes non-zero (0 -> 0 -> Z) and gets it back
     * when it returns to zero (0 -> Y -> 0); charged after the write, as
     * the reference does (a failure reverts both). */
    if (unlikely(fork_eip(fork, EIP_8037))) {
        bool ok = status != OPTABLE_STORAGE_ADDED ||
                  evm_state_charge(evm, &f->gas, &f->spilled, STATE_GAS_NEW_SLOT);
        if (!ok)
            return EVM_OUT_OF_GAS;
        if (status == OPTABLE_STORAGE_ADDED_DELETED)
            evm_state_credit(evm, &f->gas, &f->spilled, STATE_GAS_NEW_SLOT);
    }
    return EVM_SUCCESS;
}

/* ---- calls ---- */

/* CALL, CALLCODE, DELEGATECALL, STATICCALL. args: the popped stack items
 * (gas, to, [value], in_off, in_len, out_off, out_len); pushes the result
 * into *result. */
static enum evm_status op_call(struct frame *f, enum evm_call_kind kind, const u256 *args, u256 *result)
{
    struct evm *evm = f->evm;
    struct journal *j = evm->journal;
    enum fork fork = evm->fork;
    int i = 0;
    u256 gas_req = args[i++];
    address to = u256_to_address(&args[i++]);
    u256 value = u256_zero();
    if (kind == EVM_CALL || kind == EVM_CALLCODE)
        value = args[i++];
    const u256 *in_off = &args[i], *in_len = &args[i + 1], *out_off = &args[i + 2], *out_len = &args[i + 3];
    bool has_value = !u256_is_zero(&value);

    int64_t extra = 0, state = 0;
    int err = access_account(f, &to, &extra);
    if (err)
        FAIL_INTERNAL(f, err);
    uint64_t io, il, oo, ol;
    if (!mem_region(f, in_off, in_len, &io, &il) || !mem_region(f, out_off, out_len, &oo, &ol))
        return EVM_OUT_OF_GAS;
    if (has_value)
        extra += fork_eip(fork, EIP_8038) ? 11300 : 9000; /* EIP-8038: ACCOUNT_WRITE + stipend */
    /* EIP-7928 (execution-specs): the access and value costs and the
     * memory expansion are checked before the target's state is read
     * (its code, for a delegation; whether it is empty), so a call that
     * fails this check leaves the target out of the access list. Every
     * cost below only adds, so the halt is the one that came later. */
    if (f->gas < extra)
        return EVM_OUT_OF_GAS;
    /* EIP-7702 (Prague): calling a delegated account runs the delegate's
     * code; the delegate's access is charged too (100 warm, 2600 cold,
     * EIP-2929; EIP-8038: 3000) and it is warmed. One level: a delegate that is itself
     * delegated is run as its designator bytes (0xef halts). */
    address code_address = to;
    bool delegated = false;
    if (fork >= FORK_PRAGUE) {
        struct code *to_code;
        err = journal_code(j, &to, &to_code);
        if (err)
            FAIL_INTERNAL(f, err);
        if (code_delegation_target(to_code->bytes, to_code->len, &code_address)) {
            bool was_warm;
            delegated = true;
            err = journal_warm_account(j, &code_address, &was_warm);
            if (err)
                FAIL_INTERNAL(f, err);
            extra += was_warm ? 100 : fork_cold_account_cost(fork);
        }
    }
    if (kind == EVM_CALL) {
        bool needs_new;
        if (fork >= FORK_SPURIOUS) {
            /* EIP-161: only value sent to a dead account pays for it. */
            bool empty = false;
            if (has_value) {
                err = journal_is_empty(j, &to, &empty);
                if (err)
                    FAIL_INTERNAL(f, err);
            }
            needs_new = has_value && empty;
        } else {
            bool exists;
            err = journal_exists(j, &to, &exists);
            if (err)
                FAIL_INTERNAL(f, err);
            needs_new = !exists;
        }
        /* EIP-8037: the new account is state gas (the regular part is 0) */
        if (needs_new && fork_eip(fork, EIP_8037))
            state = STATE_GAS_NEW_ACCOUNT;
        else if (needs_new)
            extra += 25000;
    }
    /* Out of gas from here on is after the target's access (EIP-7928). */
    if (state && extra + state > f->gas + evm->reservoir) {
        evm->call_oog_after_access = true;
        return EVM_OUT_OF_GAS;
    }
    int64_t call_gas = evm_frame_call_gas(f, fork, extra, &gas_req);
    if (call_gas < 0) {
        evm->call_oog_after_access = true;
        return EVM_OUT_OF_GAS;
    }
    /* Charged before the callee runs and kept whatever it does, but given
     * back when the call fails (below). As the reference does, the
     * callee's gas was reckoned before this charge (its total was
     * checked above): the frame may owe gas until the callee returns what
     * it did not use. */
    if (state)
        evm_state_take(evm, &f->gas, &f->spilled, state);
    if (f->msg->is_static && has_value && kind == EVM_CALL)
        return EVM_STATIC_MODE_VIOLATION;
    trace_charged(f); /* geth counts the gas handed to the callee as cost */
    if (has_value)
        call_gas += 2300; /* stipend */

    set_return_data(f, NULL, 0);
    *result = u256_zero();
    bool fails_fast = f->msg->depth + 1 > EVM_MAX_DEPTH;
    if (has_value && !fails_fast) {
        u256 bal;
        err = journal_balance(j, &f->msg->recipient, &bal);
        if (err)
            FAIL_INTERNAL(f, err);
        fails_fast = u256_lt(&bal, &value);
    }
    if (fails_fast) {
        f->gas += call_gas;
        if (state)
            evm_state_credit(evm, &f->gas, &f->spilled, state);
        return EVM_SUCCESS;
    }

    struct evm_message m;
    m.kind = kind;
    m.depth = f->msg->depth + 1;
    m.gas = call_gas;
    m.code_address = code_address;
    m.delegated = delegated;
    m.input = il ? f->mem + io : NULL;
    m.input_len = il;
    m.is_static = f->msg->is_static || kind == EVM_STATICCALL;
    switch (kind) {
    case EVM_CALL:
    case EVM_STATICCALL:
        m.recipient = to;
        m.sender = f->msg->recipient;
        m.value = value;
        m.transfers_value = true;
        break;
    case EVM_CALLCODE:
        m.recipient = f->msg->recipient;
        m.sender = f->msg->recipient;
        m.value = value;
        m.transfers_value = true;
        break;
    default: /* DELEGATECALL: caller and value of the current frame */
        m.recipient = f->msg->recipient;
        m.sender = f->msg->sender;
        m.value = f->msg->value;
        m.transfers_value = false;
        break;
    }
    struct evm_result r;
    evm_call(evm, &m, &r);
    if (r.status == EVM_INTERNAL_ERROR) {
        free(r.output);
        return EVM_INTERNAL_ERROR;
    }
    f->gas += r.gas_left;
    if (unlikely(f->gas < 0)) { /* (what EIP-8037's charge left it owing) */
        free(r.output);
        return EVM_OUT_OF_GAS;
    }
    f->spilled += r.spilled;
    if (state && r.status != EVM_SUCCESS)
        evm_state_credit(evm, &f->gas, &f->spilled, state);
    if (r.status == EVM_SUCCESS)
        *result = u256_from_u64(1);
    uint64_t n = ol < r.output_len ? ol : r.output_len;
    if (n)
        memcpy(f->mem + oo, r.output, n);
    set_return_data(f, r.output, r.output_len);
    return EVM_SUCCESS;
}

/* CREATE and CREATE2. args: value, offset, length [, salt]. */
static enum evm_status op_create(struct frame *f, enum evm_call_kind kind, const u256 *args, u256 *result)
{
    struct evm *evm = f->evm;
    struct journal *j = evm->journal;
    enum fork fork = evm->fork;
    if (f->msg->is_static)
        return EVM_STATIC_MODE_VIOLATION;
    const u256 *value = &args[0];
    uint64_t off, len;
    if (!mem_region(f, &args[1], &args[2], &off, &len))
        return EVM_OUT_OF_GAS;
    if (fork >= FORK_SHANGHAI) {
        /* EIP-3860: limit and meter initcode. */
        if (len > evm_max_initcode_size(fork))
            return EVM_OUT_OF_GAS;
        if (!charge(f, 2 * (int64_t)num_words(len)))
            return EVM_OUT_OF_GAS;
    }
    if (kind == EVM_CREATE2 && !charge(f, 6 * (int64_t)num_words(len)))
        return EVM_OUT_OF_GAS;

    set_return_data(f, NULL, 0);
    *result = u256_zero();
    const address *self = &f->msg->recipient;
    u256 bal;
    uint64_t nonce;
    int err = journal_balance(j, self, &bal);
    if (!err)
        err = journal_nonce(j, self, &nonce);
    if (err)
        FAIL_INTERNAL(f, err);
    const uint8_t *initcode = len ? f->mem + off : NULL;
    address new_addr =
        kind == EVM_CREATE ? evm_create_address(self, nonce) : evm_create2_address(self, &args[3], initcode, len);
    /* EIP-8037: a target that is not yet alive (EIP-161) is a new
     * account, charged as state gas before the create can fail fast (and
     * given back if it does, or if no account results). Looked at without
     * an access: running out of gas here is the first that counts one. */
    int64_t state = 0;
    if (fork_eip(fork, EIP_8037)) {
        bool dead;
        if ((err = journal_is_empty_unaccessed(j, &new_addr, &dead)))
            FAIL_INTERNAL(f, err);
        state = dead ? STATE_GAS_NEW_ACCOUNT : 0;
        if (!evm_state_charge(evm, &f->gas, &f->spilled, state)) {
            if ((err = journal_note_access(j, &new_addr)))
                FAIL_INTERNAL(f, err);
            return EVM_OUT_OF_GAS;
        }
    }
    if (f->msg->depth + 1 > EVM_MAX_DEPTH || u256_lt(&bal, value) || nonce == UINT64_MAX) {
        if (state)
            evm_state_credit(evm, &f->gas, &f->spilled, state);
        return EVM_SUCCESS;
    }

    trace_charged(f); /* the gas handed to the initcode is not part of the cost */
    int64_t call_gas = fork >= FORK_TANGERINE ? f->gas - f->gas / 64 : f->gas;
    f->gas -= call_gas;

    if (fork >= FORK_BERLIN) {
        bool was_warm;
        err = journal_warm_account(j, &new_addr, &was_warm);
        if (err)
            FAIL_INTERNAL(f, err);
    }
    err = journal_set_nonce(j, self, nonce + 1);
    if (err)
        FAIL_INTERNAL(f, err);
    /* Collision (EIP-684, EIP-7610): the address has a nonce, code or
     * storage. The gas given to the create is lost. */
    uint64_t target_nonce;
    struct code *target_code;
    bool has_storage;
    err = journal_nonce(j, &new_addr, &target_nonce);
    if (!err)
        err = journal_code(j, &new_addr, &target_code);
    if (!err)
        err = j->view.ops->has_storage(j->view.ctx, &new_addr, &has_storage);
    if (err)
        FAIL_INTERNAL(f, err);
    if (target_nonce != 0 || target_code->len != 0 || (has_storage && !journal_created_in_tx(j, &new_addr))) {
        if (state)
            evm_state_credit(evm, &f->gas, &f->spilled, state);
        return EVM_SUCCESS;
    }

    struct evm_message m;
    m.kind = kind;
    m.depth = f->msg->depth + 1;
    m.gas = call_gas;
    m.recipient = new_addr;
    m.sender = *self;
    m.code_address = new_addr;
    m.delegated = false;
    m.value = *value;
    m.transfers_value = true;
    m.is_static = false;
    m.input = initcode;
    m.input_len = len;
    struct evm_result r;
    evm_create(evm, &m, &r);
    if (r.status == EVM_INTERNAL_ERROR) {
        free(r.output);
        return EVM_INTERNAL_ERROR;
    }
    f->gas += r.gas_left;
    if (r.status == EVM_SUCCESS) {
        f->spilled += r.spilled;
        *result = address_to_u256(&new_addr);
        free(r.output);
    } else {
        if (state) /* (no account resulted) */
            evm_state_credit(evm, &f->gas, &f->spilled, state);
        set_return_data(f, r.output, r.output_len);
    }
    return EVM_SUCCESS;
}

static enum evm_status op_selfdestruct(struct frame *f, const u256 *arg)
{
    struct evm *evm = f->evm;
    struct journal *j = evm->journal;
    enum fork fork = evm->fork;
    address beneficiary = u256_to_address(arg);
    const address *self = &f->msg->recipient;
    int64_t cost = 0;
    bool new_account = false; /* (Spurious Dragon on) a balance goes to a dead account */
    int err;
    if (fork >= FORK_BERLIN) {
        bool was_warm;
        err = journal_warm_account(j, &beneficiary, &was_warm);
        if (err)
            FAIL_INTERNAL(f, err);
        if (!was_warm)
            cost += fork_cold_account_cost(fork);
        /* EIP-7928 (execution-specs): the access cost is checked before
         * the beneficiary is read; the charge below fails the same way. */
        if (f->gas < cost)
            return EVM_OUT_OF_GAS;
    }
    u256 balance;
    err = journal_balance(j, self, &balance);
    if (err)
        FAIL_INTERNAL(f, err);
    if (fork >= FORK_SPURIOUS) {
        bool empty;
        err = journal_is_empty(j, &beneficiary, &empty);
        if (err)
            FAIL_INTERNAL(f, err);
        new_account = empty && !u256_is_zero(&balance);
        /* EIP-8038: ACCOUNT_WRITE; EIP-8037 alone: none (state gas below) */
        if (new_account)
            cost += fork_eip(fork, EIP_8038) ? 9000 : fork_eip(fork, EIP_8037) ? 0 : 25000;
    } else if (fork >= FORK_TANGERINE) {
        bool exists;
        err = journal_exists(j, &beneficiary, &exists);
        if (err)
            FAIL_INTERNAL(f, err);
        if (!exists)
            cost += 25000;
    }
    if (!charge(f, cost))
        return EVM_OUT_OF_GAS;
    if (f->msg->is_static)
        return EVM_STATIC_MODE_VIOLATION;
    /* EIP-8037: a balance sent to a dead account makes a new one */
    bool to_self = address_eq(&beneficiary, self);
    if (fork_eip(fork, EIP_8037) && new_account && !to_self &&
        !evm_state_charge(evm, &f->gas, &f->spilled, STATE_GAS_NEW_ACCOUNT))
        return EVM_OUT_OF_GAS;

    bool created = journal_created_in_tx(j, self);
    if (fork < FORK_SPURIOUS) {
        err = journal_ensure_exists(j, &beneficiary);
        if (err)
            FAIL_INTERNAL(f, err);
    }
    if (fork_eip(fork, EIP_7708) && !u256_is_zero(&balance)) {
        /* EIP-7708: the move's log; burning one's own balance (a contract
         * created in this transaction, before EIP-8246) a Burn log */
        if (!to_self)
            err = journal_eth_log(j, self, &beneficiary, &balance);
        else if (created && !fork_eip(fork, EIP_8246))
            err = journal_eth_log(j, self, NULL, &balance);
        if (err)
            FAIL_INTERNAL(f, err);
    }
    if (fork >= FORK_CANCUN && !created) {
        /* EIP-6780: only moves the balance (none moves to itself). */
        if (!address_eq(&beneficiary, self)) {
            bool ok;
            err = journal_sub_balance(j, self, &balance, &ok);
            if (!err)
                err = journal_add_balance(j, &beneficiary, &balance);
        } else {
            err = journal_touch(j, &beneficiary);
        }
        if (err)
            FAIL_INTERNAL(f, err);
        return EVM_SUCCESS;
    }
    /* Credit first, then zero: a contract naming itself burns its ether
     * (EIP-8246: it keeps it). */
    err = PAREVM_OK;
    if (!to_self || !fork_eip(fork, EIP_8246)) {
        err = journal_add_balance(j, &beneficiary, &balance);
        if (!err) {
            u256 zero = u256_zero();
            err = journal_set_balance(j, self, &zero);
        }
    }
    bool first = false;
    if (!err)
        err = journal_mark_destructed(j, self, &first);
    if (err)
        FAIL_INTERNAL(f, err);
    if (first && fork < FORK_LONDON) /* EIP-3529 removed this refund */
        journal_add_refund(j, 24000);
    return EVM_SUCCESS;
}

/* ---- the loop ---- */

#ifndef EVM_DISPATCH_SWITCH
/* Dispatch tables of the threaded build, one per fork and mode (journal
 * or EVMC host): the handler of each opcode the frame's optable defines,
 * the interpreter's `slow` path for the rest, so that a handler needs no
 * "defined in this fork" test. Built on first use from the labels that
 * only interpret() can name; afterwards read-only. */
static const void *dispatch_tables[2][FORK__COUNT][256];
static atomic_bool dispatch_ready[2][FORK__COUNT];
static pthread_mutex_t dispatch_lock = PTHREAD_MUTEX_INITIALIZER;

static const void *const *dispatch_table(const struct optable *tbl, const struct evm *evm, const void *const *labels,
                                         const void *slow)
{
    int host = evm->host != NULL;
    enum fork fork = evm->fork;
    /* acquire: pairs with the release below, so the entries written
     * before it are visible to a thread that sees the flag set. */
    if (unlikely(!atomic_load_explicit(&dispatch_ready[host][fork], memory_order_acquire))) {
        pthread_mutex_lock(&dispatch_lock);
        if (!atomic_load_explicit(&dispatch_ready[host][fork], memory_order_relaxed)) {
            for (int op = 0; op < 256; op++)
                dispatch_tables[host][fork][op] = tbl->defined[op] ? labels[op] : slow;
            atomic_store_explicit(&dispatch_ready[host][fork], true, memory_order_release);
        }
        pthread_mutex_unlock(&dispatch_lock);
    }
    return dispatch_tables[host][fork];
}

/* The tables of a frame that holds lazy reads' values (lazystack.h), one
 * per fork (never in host mode or traced): `slow`, which carries the
 * tags, for every opcode that takes items off the stack, but `shuffle`
 * for POP, DUP and SWAP (moves the tags inline); the handler itself for
 * the rest (PUSH, JUMPDEST, CALLER, ...: what they push is untagged).
 * Built like dispatch_tables. */
static const void *lazy_tables[FORK__COUNT][256];
static atomic_bool lazy_ready[FORK__COUNT];

static const void *const *lazy_table(const struct optable *tbl, enum fork fork, const void *const *labels,
                                     const void *slow, const void *shuffle)
{
    /* acquire / release: as in dispatch_table */
    if (unlikely(!atomic_load_explicit(&lazy_ready[fork], memory_order_acquire))) {
        pthread_mutex_lock(&dispatch_lock);
        if (!atomic_load_explicit(&lazy_ready[fork], memory_order_relaxed)) {
            for (int op = 0; op < 256; op++) {
                const void *to = slow;
                if (tbl->defined[op] && optable_shapes[op].req == 0 && !optable_deep(op))
                    to = labels[op];
                else if (tbl->defined[op] && (op == OP_POP || (op >= OP_DUP1 && op <= OP_SWAP16)))
                    to = shuffle;
                lazy_tables[fork][op] = to;
            }
            atomic_store_explicit(&lazy_ready[fork], true, memory_order_release);
        }
        pthread_mutex_unlock(&dispatch_lock);
    }
    return lazy_tables[fork];
}
#endif

/* The limb of push data that ends `end` bytes into p (big-endian): the 8
 * bytes before p + end, or, when end < 8, the first `end` bytes (a load
 * of p[0..8) shifted: it never reads before p). */
static inline uint64_t push_limb(const uint8_t *p, int end)
{
    if (end >= 8)
        return u256_load_be64(p + end - 8);
    if (end <= 0)
        return 0;
    return u256_load_be64(p) >> (64 - 8 * end);
}

/* dst = the n-byte big-endian immediate at p (reads p[0 .. max(n, 8))). */
static inline void push_data(u256 *dst, const uint8_t *p, int n)
{
    dst->w[0] = push_limb(p, n);
    dst->w[1] = push_limb(p, n - 8);
    dst->w[2] = push_limb(p, n - 16);
    dst->w[3] = push_limb(p, n - 24);
}

static enum evm_status interpret(struct frame *f, u256 *stack_base)
{
    struct evm *evm = f->evm;
    struct journal *j = evm->journal;
    const struct evm_message *msg = f->msg;
    /* Loaded once; the untraced loop only tests it in cold paths. */
    struct evm_tracer *const tracer = evm->tracer;
    const struct optable *tbl = unlikely(tracer != NULL)      ? traced_table(evm->fork)
                                : unlikely(evm->host != NULL) ? evm->host_ops->optable(evm->fork)
                                                              : optable_get(evm->fork);
    const uint8_t *code = f->code->bytes;
    const size_t code_len = f->code->len;
    const uint8_t *jumpdests = NULL;
    u256 *top = stack_base;
    const uint8_t *ip = code; /* the instruction pointer: code + pc */
    /* The gas counter lives in a local (a register) while the loop runs:
     * f->gas would be reloaded after every store to the stack, which may
     * alias it. SAVE_GAS before anything that reads or charges f->gas
     * (memory growth, calls, SSTORE, host mode, tracing), LOAD_GAS after. */
    int64_t gas = f->gas;
    enum evm_status status = EVM_SUCCESS;
    unsigned op;
    int err;

#ifdef EVM_DISPATCH_SWITCH
#define DISPATCH() goto next
#define CASE(name) case OP_##name:
#define CASE_SHARED(name) case OP_##name:
#define ENTER_SHARED() ((void)0)
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *labels[256] = {
        [0 ... 255] = &&op_undefined,
#define OPCODE(name, value, req, grow, gas, since, host) [value] = &&op_##name,
#include "opcodes.def"
    };
#pragma GCC diagnostic pop
    /* Threaded: every handler ends in its own indirect jump through
     * `dispatch` (the branch predictor sees one jump site per opcode) and
     * starts with its own checks (ENTER), folded at compile time from the
     * opcode's stack shape: most need one compare, JUMPDEST none. An
     * opcode the frame's table does not define, and every opcode when
     * tracing, goes to `slow` instead (see dispatch_table). */
    static const void *const all_slow[256] = {[0 ... 255] = &&slow};
    const void *const *const fast = unlikely(tracer != NULL) ? all_slow : dispatch_table(tbl, evm, labels, &&slow);
    /* lazy_table's while the frame holds a lazy read's value (lazystack.h) */
    const void *const *const tagged = f->tags ? lazy_table(tbl, evm->fork, labels, &&slow, &&shuffle) : all_slow;
    const void *const *dispatch = fast;
#define DISPATCH() goto *dispatch[*ip]
#define CASE(name) op_##name : ENTER(OP_##name);
/* A handler shared by several opcodes checks the one it runs at run time
 * (from its shape, not tbl->check: a traced table's check sends every
 * opcode to `slow`, which comes back here). */
#define CASE_SHARED(name) op_##name:
#define ENTER_SHARED()                                                                                 \
    do {                                                                                               \
        op = *ip;                                                                                      \
        const struct optable_shape *shape_ = &optable_shapes[op];                                      \
        if (unlikely((uint64_t)(((const char *)top - (const char *)stack_base) -                       \
                                shape_->req * (ptrdiff_t)sizeof(u256)) >                               \
                     (uint64_t)((EVM_STACK_LIMIT - shape_->grow - shape_->req) * (ptrdiff_t)sizeof(u256)))) \
            goto slow;                                                                                 \
        CHARGE(tbl->check[op].gas);                                                                    \
    } while (0)
/* The stack bounds of opcode x (req <= height <= limit - grow, in bytes)
 * as constants, and its static gas: a constant where no fork changed it
 * (optable_static_gas; none at all for a zero), else the fork's entry. */
#define ENTER(x)                                                                                       \
    do {                                                                                               \
        uintptr_t top_ = (uintptr_t)top, base_ = (uintptr_t)stack_base;                                \
        if (optable_shapes[x].req > 0 && optable_shapes[x].grow <= 0) {                                \
            /* cannot overflow: only underflow to test */                                              \
            if (unlikely(top_ < base_ + optable_shapes[x].req * sizeof(u256)))                         \
                goto slow;                                                                             \
        } else if (optable_shapes[x].req == 0 && optable_shapes[x].grow > 0) {                         \
            /* cannot underflow: only overflow to test */                                              \
            if (unlikely(top_ > base_ + (EVM_STACK_LIMIT - optable_shapes[x].grow) * sizeof(u256)))    \
                goto slow;                                                                             \
        } else if (optable_shapes[x].req > 0) {                                                        \
            if (unlikely((uint64_t)(top_ - base_ - optable_shapes[x].req * sizeof(u256)) >             \
                         (uint64_t)((EVM_STACK_LIMIT - optable_shapes[x].grow - optable_shapes[x].req) * \
                                    sizeof(u256))))                                                    \
                goto slow;                                                                             \
        }                                                                                              \
        if (optable_static_gas[x] == OPTABLE_GAS_BY_FORK)                                              \
            CHARGE(tbl->check[x].gas);                                                                 \
        else if (optable_static_gas[x] != 0)                                                           \
            CHARGE(optable_static_gas[x]);                                                             \
    } while (0)
#endif

#define HALT(s)                                                                                        \
    do {                                                                                               \
        status = (s);                                                                                  \
        goto done;                                                                                     \
    } while (0)
#define CHECK_INTERNAL(e)                                                                              \
    do {                                                                                               \
        int check_err_ = (e); /* evaluated once: e is usually a state read */                          \
        if (unlikely(check_err_)) {                                                                    \
            evm->error = check_err_;                                                                   \
            HALT(EVM_INTERNAL_ERROR);                                                                  \
        }                                                                                              \
    } while (0)
#define SAVE_GAS() (f->gas = gas)
#define LOAD_GAS() (gas = f->gas)
#define CHARGE(g)                                                                                      \
    do {                                                                                               \
        gas -= (int64_t)(g);                                                                           \
        if (unlikely(gas < 0))                                                                         \
            HALT(EVM_OUT_OF_GAS);                                                                      \
    } while (0)
#define MEM(off, len, o, l)                                                                            \
    do {                                                                                               \
        SAVE_GAS();                                                                                    \
        bool mem_ok_ = mem_region(f, (off), (len), (o), (l));                                          \
        LOAD_GAS();                                                                                    \
        if (unlikely(!mem_ok_)) {                                                                      \
            if (evm->error)                                                                            \
                HALT(EVM_INTERNAL_ERROR);                                                              \
            HALT(EVM_OUT_OF_GAS);                                                                      \
        }                                                                                              \
    } while (0)
#define BINOP(expr)                                                                                    \
    do {                                                                                               \
        u256 *a = &top[-1], *b = &top[-2];                                                             \
        u256 r_ = (expr);                                                                              \
        u256_copy(b, &r_); /* limb moves: see u256_copy */                                             \
        top--;                                                                                         \
        ip++;                                                                                          \
        DISPATCH();                                                                                    \
    } while (0)
#define PUSH_U256(v)                                                                                   \
    do {                                                                                               \
        *top++ = (v);                                                                                  \
    } while (0)
/* PUSHn, DUPn, SWAPn: one handler per opcode, so that n is a constant.
 * The code is padded with 33 zero bytes: push data past the end reads as
 * zero, as the spec requires, and push_data may read 8 bytes from ip + 1. */
#define PUSH_N(n)                                                                                      \
    {                                                                                                  \
        push_data(top, ip + 1, (n));                                                                   \
        top++;                                                                                         \
        ip += 1 + (n);                                                                                 \
        DISPATCH();                                                                                    \
    }
#define DUP_N(n)                                                                                       \
    {                                                                                                  \
        u256_copy(top, &top[-(n)]);                                                                    \
        top++;                                                                                         \
        ip++;                                                                                          \
        DISPATCH();                                                                                    \
    }
#define SWAP_N(n)                                                                                      \
    {                                                                                                  \
        u256 swap_;                                                                                    \
        u256_copy(&swap_, &top[-1]);                                                                   \
        u256_copy(&top[-1], &top[-1 - (n)]);                                                           \
        u256_copy(&top[-1 - (n)], &swap_);                                                             \
        ip++;                                                                                          \
        DISPATCH();                                                                                    \
    }

/* One branch for the common case (optable_seal): the stack bounds and
 * "defined" in one range test, then the static gas; `slow` sorts out
 * which of the failures, if any, it was. */
#define PROLOGUE(go)                                                                                   \
    do {                                                                                               \
        const struct optable_check *chk_ = &tbl->check[op];                                            \
        if (likely((uint64_t)(((const char *)top - (const char *)stack_base) - chk_->stack_min) <=      \
                   (uint64_t)chk_->stack_span)) {                                                      \
            CHARGE(chk_->gas);                                                                         \
            go;                                                                                        \
        }                                                                                              \
        goto slow;                                                                                     \
    } while (0)

#ifdef EVM_DISPATCH_SWITCH
next:
    op = *ip;
    if (unlikely(f->tagged))
        goto slow;
    PROLOGUE(goto run);
#else
    DISPATCH();
    /* POP, DUP, SWAP of a frame holding lazy values (lazy_table) */
shuffle:
    op = *ip;
    {
        size_t height = (size_t)(top - stack_base);
        if (unlikely(height < optable_shapes[op].req ||
                     height + (size_t)(optable_shapes[op].grow > 0) > EVM_STACK_LIMIT))
            goto slow; /* which halts */
        lazystack_shuffle(f, op, height);
        if (!f->tagged)
            dispatch = fast;
    }
    goto *labels[op];
#endif
slow:
    op = *ip;
    SAVE_GAS();
    {
        ptrdiff_t height = top - stack_base;
        if (unlikely(height < tbl->stack_req[op])) {
            if (tracer) {
                trace_stack_fault(f, (uint64_t)(ip - code), op, stack_base, top);
                LOAD_GAS();
            }
            if (!optable_get(evm->fork)->defined[op])
                HALT(op == OP_INVALID ? EVM_INVALID_INSTRUCTION : EVM_UNDEFINED_INSTRUCTION);
            HALT(EVM_STACK_UNDERFLOW);
        }
        if (unlikely(height + tbl->stack_grow[op] > EVM_STACK_LIMIT)) {
            if (tracer) {
                trace_stack_fault(f, (uint64_t)(ip - code), op, stack_base, top);
                LOAD_GAS();
            }
            HALT(EVM_STACK_OVERFLOW);
        }
        /* With a tracer every instruction comes here (traced_table); in
         * host mode every state, context, call and create opcode does. */
        if (unlikely(!tbl->defined[op])) {
            if (unlikely(evm->host != NULL)) {
                status = evm->host_ops->op(f, op, top);
                LOAD_GAS();
                if (status != EVM_SUCCESS || op == OP_SELFDESTRUCT)
                    goto done;
                top += tbl->stack_grow[op];
                ip++;
                DISPATCH();
            }
            if (!tracer || !trace_defined(f, (uint64_t)(ip - code), op, stack_base, top)) {
                LOAD_GAS();
                HALT(op == OP_INVALID ? EVM_INVALID_INSTRUCTION : EVM_UNDEFINED_INSTRUCTION);
            }
        }
        LOAD_GAS();
    }
    if (unlikely(f->tagged) && !lazystack_untagged(f, op, (size_t)(top - stack_base))) {
        CHECK_INTERNAL(lazystack_step(f, op, stack_base, top));
#ifndef EVM_DISPATCH_SWITCH
        if (!f->tagged)
            dispatch = fast;
#endif
    }
#ifdef EVM_DISPATCH_SWITCH
    CHARGE(tbl->gas[op]);
run:
    switch (op) {
#else
    /* The checks passed: the handler's ENTER repeats them and charges. */
    goto *labels[op];
#endif

    CASE(STOP) HALT(EVM_SUCCESS);
    CASE(ADD) BINOP(u256_add(a, b));
    CASE(MUL) BINOP(u256_mul(a, b));
    CASE(SUB) BINOP(u256_sub(a, b));
    CASE(DIV) BINOP(u256_div(a, b));
    CASE(SDIV) BINOP(u256_sdiv(a, b));
    CASE(MOD) BINOP(u256_mod(a, b));
    CASE(SMOD) BINOP(u256_smod(a, b));
    CASE(ADDMOD)
    {
        u256 r = u256_addmod(&top[-1], &top[-2], &top[-3]);
        u256_copy(&top[-3], &r);
        top -= 2;
        ip++;
        DISPATCH();
    }
    CASE(MULMOD)
    {
        u256 r = u256_mulmod(&top[-1], &top[-2], &top[-3]);
        u256_copy(&top[-3], &r);
        top -= 2;
        ip++;
        DISPATCH();
    }
    CASE(EXP)
    {
        /* EIP-160: 50 gas per exponent byte from Spurious Dragon (10 before). */
        int64_t per_byte = evm->fork >= FORK_SPURIOUS ? 50 : 10;
        CHARGE(per_byte * (int64_t)u256_byte_len(&top[-2]));
        BINOP(u256_exp(a, b));
    }
    CASE(SIGNEXTEND) BINOP(u256_signextend(a, b));
    CASE(LT) BINOP(u256_lt(a, b) ? u256_from_u64(1) : u256_zero());
    CASE(GT) BINOP(u256_gt(a, b) ? u256_from_u64(1) : u256_zero());
    CASE(SLT) BINOP(u256_slt(a, b) ? u256_from_u64(1) : u256_zero());
    CASE(SGT) BINOP(u256_sgt(a, b) ? u256_from_u64(1) : u256_zero());
    CASE(EQ) BINOP(u256_eq(a, b) ? u256_from_u64(1) : u256_zero());
    CASE(ISZERO)
    {
        top[-1] = u256_is_zero(&top[-1]) ? u256_from_u64(1) : u256_zero();
        ip++;
        DISPATCH();
    }
    CASE(AND) BINOP(u256_and(a, b));
    CASE(OR) BINOP(u256_or(a, b));
    CASE(XOR) BINOP(u256_xor(a, b));
    CASE(NOT)
    {
        u256 v, r;
        u256_copy(&v, &top[-1]); /* limb loads: see u256_copy */
        r = u256_not(&v);
        u256_copy(&top[-1], &r);
        ip++;
        DISPATCH();
    }
    CASE(BYTE) BINOP(u256_byte(a, b));
    CASE(SHL) BINOP(u256_shl(b, u256_fits_u64(a) && a->w[0] < 256 ? (unsigned)a->w[0] : 256));
    CASE(SHR) BINOP(u256_shr(b, u256_fits_u64(a) && a->w[0] < 256 ? (unsigned)a->w[0] : 256));
    CASE(SAR) BINOP(u256_sar(b, u256_fits_u64(a) && a->w[0] < 256 ? (unsigned)a->w[0] : 256));
    CASE(CLZ)
    {
        /* EIP-7939: CLZ, the leading zero bits of the word (256 for zero). */
        top[-1] = u256_from_u64(256 - u256_bit_len(&top[-1]));
        ip++;
        DISPATCH();
    }
    CASE(KECCAK256)
    {
        uint64_t o, l;
        MEM(&top[-1], &top[-2], &o, &l);
        CHARGE(6 * num_words(l));
        uint8_t h[32];
        keccak256_memo(l ? f->mem + o : (const uint8_t *)"", l, h);
        top[-2] = u256_from_be32(h);
        top--;
        ip++;
        DISPATCH();
    }
    CASE(ADDRESS)
    {
        PUSH_U256(address_to_u256(&msg->recipient));
        ip++;
        DISPATCH();
    }
    CASE(BALANCE)
    {
        address a = u256_to_address(&top[-1]);
        int64_t extra;
        CHECK_INTERNAL(access_account(f, &a, &extra));
        CHARGE(extra);
        CHECK_INTERNAL(journal_balance(j, &a, &top[-1]));
        ip++;
        DISPATCH();
    }
    CASE(ORIGIN)
    {
        PUSH_U256(address_to_u256(&evm->tx->origin));
        ip++;
        DISPATCH();
    }
    CASE(CALLER)
    {
        PUSH_U256(address_to_u256(&msg->sender));
        ip++;
        DISPATCH();
    }
    CASE(CALLVALUE)
    {
        PUSH_U256(msg->value);
        ip++;
        DISPATCH();
    }
    CASE(CALLDATALOAD)
    {
        uint8_t buf[32];
        copy_padded(buf, msg->input, msg->input_len, &top[-1], 32);
        top[-1] = u256_from_be32(buf);
        ip++;
        DISPATCH();
    }
    CASE(CALLDATASIZE)
    {
        PUSH_U256(u256_from_u64(msg->input_len));
        ip++;
        DISPATCH();
    }
    CASE_SHARED(CALLDATACOPY)
    CASE_SHARED(CODECOPY)
    {
        ENTER_SHARED();
        /* CALLDATACOPY / CODECOPY */
        uint64_t o, l;
        MEM(&top[-1], &top[-3], &o, &l);
        CHARGE(3 * num_words(l));
        if (l) {
            if (op == OP_CALLDATACOPY)
                copy_padded(f->mem + o, msg->input, msg->input_len, &top[-2], l);
            else
                copy_padded(f->mem + o, code, code_len, &top[-2], l);
        }
        top -= 3;
        ip++;
        DISPATCH();
    }
    CASE(CODESIZE)
    {
        PUSH_U256(u256_from_u64(code_len));
        ip++;
        DISPATCH();
    }
    CASE(GASPRICE)
    {
        PUSH_U256(evm->tx->gas_price);
        ip++;
        DISPATCH();
    }
    CASE(EXTCODESIZE)
    {
        address a = u256_to_address(&top[-1]);
        int64_t extra;
        CHECK_INTERNAL(access_account(f, &a, &extra));
        CHARGE(extra + code_read_cost(evm->fork));
        struct code *c;
        CHECK_INTERNAL(journal_code(j, &a, &c));
        top[-1] = u256_from_u64(c->len);
        ip++;
        DISPATCH();
    }
    CASE(EXTCODECOPY)
    {
        address a = u256_to_address(&top[-1]);
        int64_t extra;
        CHECK_INTERNAL(access_account(f, &a, &extra));
        uint64_t o, l;
        MEM(&top[-2], &top[-4], &o, &l);
        CHARGE(3 * num_words(l) + extra + code_read_cost(evm->fork));
        if (l) {
            struct code *c;
            CHECK_INTERNAL(journal_code(j, &a, &c));
            copy_padded(f->mem + o, c->bytes, c->len, &top[-3], l);
        } else {
            /* EIP-7928: the target is accessed even when nothing is
             * copied (the spec reads its account either way). */
            CHECK_INTERNAL(journal_note_access(j, &a));
        }
        top -= 4;
        ip++;
        DISPATCH();
    }
    CASE(RETURNDATASIZE)
    {
        PUSH_U256(u256_from_u64(f->ret_len));
        ip++;
        DISPATCH();
    }
    CASE(RETURNDATACOPY)
    {
        /* EIP-211: reading past the end of return data is a halt. */
        u256 end;
        bool carry;
        end = u256_add_carry(&top[-2], &top[-3], &carry);
        if (carry || !u256_fits_u64(&end) || end.w[0] > f->ret_len)
            HALT(EVM_INVALID_MEMORY_ACCESS);
        uint64_t o, l;
        MEM(&top[-1], &top[-3], &o, &l);
        CHARGE(3 * num_words(l));
        if (l)
            memcpy(f->mem + o, f->ret + top[-2].w[0], l);
        top -= 3;
        ip++;
        DISPATCH();
    }
    CASE(EXTCODEHASH)
    {
        address a = u256_to_address(&top[-1]);
        int64_t extra;
        CHECK_INTERNAL(access_account(f, &a, &extra));
        CHARGE(extra);
        /* EIP-1052: zero for an absent or empty (EIP-161) account. */
        bool empty;
        CHECK_INTERNAL(journal_is_empty(j, &a, &empty));
        if (empty) {
            top[-1] = u256_zero();
        } else {
            struct code *c;
            CHECK_INTERNAL(journal_code(j, &a, &c));
            top[-1] = u256_from_be32(c->hash.bytes);
        }
        ip++;
        DISPATCH();
    }
    CASE(BLOCKHASH)
    {
        u256 *n = &top[-1];
        uint64_t cur = evm->block->number;
        if (u256_fits_u64(n) && n->w[0] < cur && cur - n->w[0] <= 256) {
            hash32 h;
            CHECK_INTERNAL(j->view.ops->block_hash(j->view.ctx, n->w[0], &h));
            *n = u256_from_be32(h.bytes);
        } else {
            *n = u256_zero();
        }
        ip++;
        DISPATCH();
    }
    CASE(COINBASE)
    {
        PUSH_U256(address_to_u256(&evm->block->coinbase));
        ip++;
        DISPATCH();
    }
    CASE(TIMESTAMP)
    {
        PUSH_U256(u256_from_u64(evm->block->timestamp));
        ip++;
        DISPATCH();
    }
    CASE(NUMBER)
    {
        PUSH_U256(u256_from_u64(evm->block->number));
        ip++;
        DISPATCH();
    }
    CASE(DIFFICULTY)
    {
        /* EIP-4399: PREVRANDAO replaces DIFFICULTY from Paris. */
        if (evm->fork >= FORK_PARIS)
            PUSH_U256(u256_from_be32(evm->block->prev_randao.bytes));
        else
            PUSH_U256(evm->block->difficulty);
        ip++;
        DISPATCH();
    }
    CASE(GASLIMIT)
    {
        PUSH_U256(u256_from_u64(evm->block->gas_limit));
        ip++;
        DISPATCH();
    }
    CASE(CHAINID)
    {
        PUSH_U256(u256_from_u64(evm->block->chain_id));
        ip++;
        DISPATCH();
    }
    CASE(SELFBALANCE)
    {
        u256 bal;
        CHECK_INTERNAL(journal_balance(j, &msg->recipient, &bal));
        PUSH_U256(bal);
        ip++;
        DISPATCH();
    }
    CASE(BASEFEE)
    {
        PUSH_U256(evm->block->base_fee);
        ip++;
        DISPATCH();
    }
    CASE(BLOBHASH)
    {
        u256 *i = &top[-1];
        if (u256_fits_u64(i) && i->w[0] < evm->tx->blob_hash_count)
            *i = u256_from_be32(evm->tx->blob_hashes[i->w[0]].bytes);
        else
            *i = u256_zero();
        ip++;
        DISPATCH();
    }
    CASE(BLOBBASEFEE)
    {
        PUSH_U256(evm->block->blob_base_fee);
        ip++;
        DISPATCH();
    }
    CASE(SLOTNUM)
    {
        PUSH_U256(u256_from_u64(evm->block->slot_number));
        ip++;
        DISPATCH();
    }
    /* EIP-8024. The immediate is the next byte (zero past the end: the
     * code is padded); bytes that could be a JUMPDEST or PUSH are not
     * immediates, so JUMPDEST analysis is unchanged. */
    CASE(DUPN)
    {
        size_t n = eip8024_depth(ip[1]);
        if (!n)
            HALT(EVM_INVALID_INSTRUCTION);
        if ((size_t)(top - stack_base) < n)
            HALT(EVM_STACK_UNDERFLOW);
        u256_copy(top, &top[-(ptrdiff_t)n]);
        top++;
        ip += 2;
        DISPATCH();
    }
    CASE(SWAPN)
    {
        size_t n = eip8024_depth(ip[1]);
        if (!n)
            HALT(EVM_INVALID_INSTRUCTION);
        if ((size_t)(top - stack_base) <= n)
            HALT(EVM_STACK_UNDERFLOW);
        swap_words(&top[-1], &top[-1 - (ptrdiff_t)n]);
        ip += 2;
        DISPATCH();
    }
    CASE(EXCHANGE)
    {
        /* the pair (n, m), depths below the top: k = x ^ 0x8f, q = k / 16,
         * r = k % 16; (q + 1, r + 1) when q < r, else (r + 1, 29 - q) */
        unsigned x = ip[1];
        if (x > 0x51 && x < 0x80)
            HALT(EVM_INVALID_INSTRUCTION);
        unsigned k = x ^ 0x8f, q = k >> 4, r = k & 15;
        size_t n = q < r ? q + 1 : r + 1, m = q < r ? r + 1 : 29 - q;
        if ((size_t)(top - stack_base) <= (n > m ? n : m))
            HALT(EVM_STACK_UNDERFLOW);
        swap_words(&top[-1 - (ptrdiff_t)n], &top[-1 - (ptrdiff_t)m]);
        ip += 2;
        DISPATCH();
    }
    CASE(POP)
    {
        top--;
        ip++;
        DISPATCH();
    }
    CASE(MLOAD)
    {
        uint64_t o, l;
        u256 len32 = u256_from_u64(32);
        MEM(&top[-1], &len32, &o, &l);
        top[-1] = u256_from_be32(f->mem + o);
        ip++;
        DISPATCH();
    }
    CASE(MSTORE)
    {
        uint64_t o, l;
        u256 len32 = u256_from_u64(32);
        MEM(&top[-1], &len32, &o, &l);
        u256_to_be(&top[-2], f->mem + o);
        top -= 2;
        ip++;
        DISPATCH();
    }
    CASE(MSTORE8)
    {
        uint64_t o, l;
        u256 len1 = u256_from_u64(1);
        MEM(&top[-1], &len1, &o, &l);
        f->mem[o] = (uint8_t)top[-2].w[0];
        top -= 2;
        ip++;
        DISPATCH();
    }
    CASE(SLOAD)
    {
        /* One lookup of the slot: warmed (EIP-2929) before the charge,
         * read (and so recorded as accessed, EIP-7928) after it. */
        struct journal_slot *slot;
        bool berlin = evm->fork >= FORK_BERLIN, was_warm;
        CHECK_INTERNAL(journal_slot_open(j, &msg->recipient, &top[-1], berlin, &was_warm, &slot));
        if (berlin && !was_warm)
            CHARGE(2000); /* EIP-2929: cold 2100 = warm 100 + 2000 */
        u256 original;
        CHECK_INTERNAL(journal_slot_read(j, slot, &top[-1], &original));
        if (unlikely(f->tags != NULL) && lazystack_sload(f, slot, (size_t)(top - 1 - stack_base))) {
#ifndef EVM_DISPATCH_SWITCH
            dispatch = tagged;
#endif
        }
        ip++;
        DISPATCH();
    }
    CASE(SSTORE)
    {
        SAVE_GAS();
        status = op_sstore(f, tbl->sstore, &top[-1], &top[-2]);
        LOAD_GAS();
        if (status != EVM_SUCCESS)
            goto done;
        top -= 2;
        ip++;
        DISPATCH();
    }
    CASE(JUMP)
    {
        u256 *d = &top[-1];
        if (!jumpdests) {
            jumpdests = code_jumpdests(f->code);
            if (!jumpdests)
                CHECK_INTERNAL(PAREVM_ERR_NOMEM);
        }
        if (!u256_fits_u64(d) || d->w[0] >= code_len || !code_is_jumpdest(jumpdests, d->w[0]))
            HALT(EVM_BAD_JUMP_DESTINATION);
        ip = code + d->w[0];
        top--;
        DISPATCH();
    }
    CASE(JUMPI)
    {
        if (u256_is_zero(&top[-2])) {
            top -= 2;
            ip++;
            DISPATCH();
        }
        u256 *d = &top[-1];
        if (!jumpdests) {
            jumpdests = code_jumpdests(f->code);
            if (!jumpdests)
                CHECK_INTERNAL(PAREVM_ERR_NOMEM);
        }
        if (!u256_fits_u64(d) || d->w[0] >= code_len || !code_is_jumpdest(jumpdests, d->w[0]))
            HALT(EVM_BAD_JUMP_DESTINATION);
        ip = code + d->w[0];
        top -= 2;
        DISPATCH();
    }
    CASE(PC)
    {
        PUSH_U256(u256_from_u64((uint64_t)(ip - code)));
        ip++;
        DISPATCH();
    }
    CASE(MSIZE)
    {
        PUSH_U256(u256_from_u64(f->mem_size));
        ip++;
        DISPATCH();
    }
    CASE(GAS)
    {
        PUSH_U256(u256_from_u64((uint64_t)gas));
        ip++;
        DISPATCH();
    }
    CASE(JUMPDEST)
    {
        ip++;
        DISPATCH();
    }
    CASE(TLOAD)
    {
        top[-1] = journal_tload(j, &msg->recipient, &top[-1]);
        ip++;
        DISPATCH();
    }
    CASE(TSTORE)
    {
        if (msg->is_static)
            HALT(EVM_STATIC_MODE_VIOLATION);
        CHECK_INTERNAL(journal_tstore(j, &msg->recipient, &top[-1], &top[-2]));
        top -= 2;
        ip++;
        DISPATCH();
    }
    CASE(MCOPY)
    {
        /* EIP-5656 MCOPY: memory covers both regions. */
        uint64_t so, dl, dof, l;
        MEM(&top[-2], &top[-3], &so, &dl);
        MEM(&top[-1], &top[-3], &dof, &l);
        CHARGE(3 * num_words(l));
        if (l)
            memmove(f->mem + dof, f->mem + so, l);
        top -= 3;
        ip++;
        DISPATCH();
    }
    CASE(PUSH0)
    {
        PUSH_U256(u256_zero());
        ip++;
        DISPATCH();
    }
    CASE(PUSH1)
    {
        PUSH_U256(u256_from_u64(ip[1]));
        ip += 2;
        DISPATCH();
    }
    CASE(PUSH2) PUSH_N(2)
    CASE(PUSH3) PUSH_N(3)
    CASE(PUSH4) PUSH_N(4)
    CASE(PUSH5) PUSH_N(5)
    CASE(PUSH6) PUSH_N(6)
    CASE(PUSH7) PUSH_N(7)
    CASE(PUSH8) PUSH_N(8)
    CASE(PUSH9) PUSH_N(9)
    CASE(PUSH10) PUSH_N(10)
    CASE(PUSH11) PUSH_N(11)
    CASE(PUSH12) PUSH_N(12)
    CASE(PUSH13) PUSH_N(13)
    CASE(PUSH14) PUSH_N(14)
    CASE(PUSH15) PUSH_N(15)
    CASE(PUSH16) PUSH_N(16)
    CASE(PUSH17) PUSH_N(17)
    CASE(PUSH18) PUSH_N(18)
    CASE(PUSH19) PUSH_N(19)
    CASE(PUSH20) PUSH_N(20)
    CASE(PUSH21) PUSH_N(21)
    CASE(PUSH22) PUSH_N(22)
    CASE(PUSH23) PUSH_N(23)
    CASE(PUSH24) PUSH_N(24)
    CASE(PUSH25) PUSH_N(25)
    CASE(PUSH26) PUSH_N(26)
    CASE(PUSH27) PUSH_N(27)
    CASE(PUSH28) PUSH_N(28)
    CASE(PUSH29) PUSH_N(29)
    CASE(PUSH30) PUSH_N(30)
    CASE(PUSH31) PUSH_N(31)
    CASE(PUSH32) PUSH_N(32)
    CASE(DUP1) DUP_N(1)
    CASE(DUP2) DUP_N(2)
    CASE(DUP3) DUP_N(3)
    CASE(DUP4) DUP_N(4)
    CASE(DUP5) DUP_N(5)
    CASE(DUP6) DUP_N(6)
    CASE(DUP7) DUP_N(7)
    CASE(DUP8) DUP_N(8)
    CASE(DUP9) DUP_N(9)
    CASE(DUP10) DUP_N(10)
    CASE(DUP11) DUP_N(11)
    CASE(DUP12) DUP_N(12)
    CASE(DUP13) DUP_N(13)
    CASE(DUP14) DUP_N(14)
    CASE(DUP15) DUP_N(15)
    CASE(DUP16) DUP_N(16)
    CASE(SWAP1) SWAP_N(1)
    CASE(SWAP2) SWAP_N(2)
    CASE(SWAP3) SWAP_N(3)
    CASE(SWAP4) SWAP_N(4)
    CASE(SWAP5) SWAP_N(5)
    CASE(SWAP6) SWAP_N(6)
    CASE(SWAP7) SWAP_N(7)
    CASE(SWAP8) SWAP_N(8)
    CASE(SWAP9) SWAP_N(9)
    CASE(SWAP10) SWAP_N(10)
    CASE(SWAP11) SWAP_N(11)
    CASE(SWAP12) SWAP_N(12)
    CASE(SWAP13) SWAP_N(13)
    CASE(SWAP14) SWAP_N(14)
    CASE(SWAP15) SWAP_N(15)
    CASE(SWAP16) SWAP_N(16)
    CASE_SHARED(LOG0) CASE_SHARED(LOG1) CASE_SHARED(LOG2) CASE_SHARED(LOG3) CASE_SHARED(LOG4)
    {
        ENTER_SHARED();
        unsigned n = (unsigned)op - OP_LOG0;
        if (msg->is_static)
            HALT(EVM_STATIC_MODE_VIOLATION);
        uint64_t o, l;
        MEM(&top[-1], &top[-2], &o, &l);
        CHARGE(8 * l);
        hash32 topics[4];
        for (unsigned i = 0; i < n; i++)
            u256_to_be(&top[-3 - (ptrdiff_t)i], topics[i].bytes);
        CHECK_INTERNAL(journal_add_log(j, &msg->recipient, topics, n, l ? f->mem + o : NULL, l));
        top -= 2 + n;
        ip++;
        DISPATCH();
    }
    CASE_SHARED(CREATE) CASE_SHARED(CREATE2)
    {
        ENTER_SHARED();
        enum evm_call_kind kind = op == OP_CREATE ? EVM_CREATE : EVM_CREATE2;
        int nargs = op == OP_CREATE ? 3 : 4;
        u256 args[4];
        for (int i = 0; i < nargs; i++)
            args[i] = top[-1 - i];
        u256 result;
        SAVE_GAS();
        status = op_create(f, kind, args, &result);
        LOAD_GAS();
        if (status != EVM_SUCCESS)
            goto done;
        top -= nargs;
        *top++ = result;
        ip++;
        DISPATCH();
    }
    CASE_SHARED(CALL) CASE_SHARED(CALLCODE) CASE_SHARED(DELEGATECALL) CASE_SHARED(STATICCALL)
    {
        ENTER_SHARED();
        enum evm_call_kind kind = op == OP_CALL   ? EVM_CALL
                                  : op == OP_CALLCODE ? EVM_CALLCODE
                                  : op == OP_DELEGATECALL ? EVM_DELEGATECALL
                                               : EVM_STATICCALL;
        int nargs = (op == OP_CALL || op == OP_CALLCODE) ? 7 : 6;
        u256 args[7];
        for (int i = 0; i < nargs; i++)
            args[i] = top[-1 - i];
        u256 result;
        SAVE_GAS();
        status = op_call(f, kind, args, &result);
        LOAD_GAS();
        if (status != EVM_SUCCESS)
            goto done;
        top -= nargs;
        *top++ = result;
        ip++;
        DISPATCH();
    }
    CASE_SHARED(RETURN) CASE_SHARED(REVERT)
    {
        ENTER_SHARED();
        uint64_t o, l;
        MEM(&top[-1], &top[-2], &o, &l);
        if (l) {
            uint8_t *out = malloc(l);
            if (!out)
                CHECK_INTERNAL(PAREVM_ERR_NOMEM);
            memcpy(out, f->mem + o, l);
            f->ret_len = 0; /* reuse fields below: output goes to the caller */
            status = op == OP_RETURN ? EVM_SUCCESS : EVM_REVERT;
            /* hand the output over through the frame */
            free(f->ret);
            f->ret = out;
            f->ret_len = l;
            goto done_output;
        }
        HALT(op == OP_RETURN ? EVM_SUCCESS : EVM_REVERT);
    }
    CASE(INVALID) HALT(EVM_INVALID_INSTRUCTION);
    CASE(SELFDESTRUCT)
    {
        SAVE_GAS();
        status = op_selfdestruct(f, &top[-1]);
        LOAD_GAS();
        if (status != EVM_SUCCESS)
            goto done;
        HALT(EVM_SUCCESS);
    }
#ifdef EVM_DISPATCH_SWITCH
    default:
        HALT(EVM_UNDEFINED_INSTRUCTION);
    }
#else
op_undefined:
    HALT(EVM_UNDEFINED_INSTRUCTION);
#endif

done:
    /* Output is only produced by RETURN/REVERT; anything else clears it. */
    free(f->ret);
    f->ret = NULL;
    f->ret_len = 0;
done_output:
    (void)err;
    SAVE_GAS();
    if (unlikely(f->tagged))
        lazystack_end(f);
    if (unlikely(tracer != NULL))
        trace_exit(f, status);
    return status;
#undef HALT
#undef CHARGE
#undef MEM
#undef BINOP
#undef PUSH_U256
#undef DISPATCH
#undef CASE
#undef CASE_SHARED
#undef CHECK_INTERNAL
#undef SAVE_GAS
#undef LOAD_GAS
#undef PROLOGUE
#undef PUSH_N
#undef DUP_N
#undef SWAP_N
}

/* Run code for msg with a fresh frame whose stack and memory are the
 * pool's at index d; fills res (output owned by res). */
static void run_frame(struct evm *evm, const struct evm_message *msg, struct code *code, int d,
                      struct evm_result *res)
{
    struct evm_frame_pool *pool = evm->pool;
    res->output = NULL;
    res->output_len = 0;
    res->spilled = 0;
    if (!pool->stacks[d]) {
        pool->stacks[d] = malloc(sizeof(u256) * (EVM_STACK_LIMIT + 1));
        if (!pool->stacks[d]) {
            evm->error = PAREVM_ERR_NOMEM;
            res->status = EVM_INTERNAL_ERROR;
            res->gas_left = 0;
            return;
        }
    }
    struct frame f;
    f.evm = evm;
    f.msg = msg;
    f.code = code;
    f.gas = msg->gas;
    f.spilled = 0;
    f.mem = pool->mem[d];
    f.mem_cap = pool->mem_cap[d];
    f.mem_size = 0;
    f.ret = NULL;
    f.ret_len = 0;
    f.tags = NULL;
    f.tagged = 0;
    f.sstore_tag = 0;
    /* Lazy storage reads (state/lazy.h): tags for this depth's stack. */
    if (!evm->host && !evm->tracer && evm->journal && evm->journal->lazy) {
        if (!pool->tags[d] && !(pool->tags[d] = calloc(EVM_STACK_LIMIT + 1, sizeof *pool->tags[d]))) {
            evm->error = PAREVM_ERR_NOMEM;
            res->status = EVM_INTERNAL_ERROR;
            res->gas_left = 0;
            return;
        }
        f.tags = pool->tags[d];
    }
    enum evm_status s = interpret(&f, pool->stacks[d]);
    pool->mem[d] = f.mem;
    pool->mem_cap[d] = f.mem_cap;
    res->status = s;
    res->gas_left = (s == EVM_SUCCESS || s == EVM_REVERT) ? f.gas : 0;
    res->spilled = (s == EVM_SUCCESS || s == EVM_REVERT) ? f.spilled : 0;
    if (s == EVM_SUCCESS || s == EVM_REVERT) {
        res->output = f.ret;
        res->output_len = f.ret_len;
    } else {
        free(f.ret);
    }
}

void evm_run_code(struct evm *evm, const struct evm_message *msg, struct code *code, struct evm_result *res)
{
    /* Nested frames of a host run in other executions (other evm objects,
     * or this one later): one stack and memory serve any depth. */
    run_frame(evm, msg, code, 0, res);
}

/* EIP-8037: a frame that failed leaves the state gas as it found it:
 * the reservoir and the count back to their values at its start
 * (reservoir, state_gas), and what it took from its own gas given back
 * with a REVERT (an exceptional halt consumes it with the rest). */
static void state_gas_unwind(struct evm *evm, struct evm_result *res, int64_t reservoir, int64_t state_gas)
{
    evm->reservoir = reservoir;
    evm->state_gas = state_gas;
    if (res->status == EVM_REVERT)
        res->gas_left += res->spilled;
    res->spilled = 0;
}

void evm_call(struct evm *evm, const struct evm_message *msg, struct evm_result *res)
{
    struct journal *j = evm->journal;
    res->output = NULL;
    res->output_len = 0;
    res->gas_left = 0;
    res->spilled = 0;
    int64_t reservoir = evm->reservoir, state_gas = evm->state_gas;
    struct journal_checkpoint cp = journal_checkpoint(j);
    int err;
    if (evm->fork < FORK_SPURIOUS)
        err = journal_ensure_exists(j, &msg->recipient); /* calls create accounts before EIP-161 */
    else
        err = journal_touch(j, &msg->recipient);
    if (!err && msg->transfers_value && !u256_is_zero(&msg->value)) {
        bool ok;
        err = journal_sub_balance(j, &msg->sender, &msg->value, &ok);
        if (!err && !ok)
            err = PAREVM_ERR_INTERNAL; /* the caller checked the balance */
        if (!err)
            err = journal_add_balance(j, &msg->recipient, &msg->value);
        /* EIP-7708: the frame's first log (gone if the frame fails);
         * CALLCODE moves nothing to another account */
        if (!err && fork_eip(evm->fork, EIP_7708) && !address_eq(&msg->sender, &msg->recipient))
            err = journal_eth_log(j, &msg->sender, &msg->recipient, &msg->value);
    }
    if (err) {
        evm->error = err;
        res->status = EVM_INTERNAL_ERROR;
        return;
    }
    int id = precompile_lookup(&msg->code_address, evm->fork);
    if (id && msg->delegated) {
        /* EIP-7702: a delegation to a precompile's address runs empty
         * code (neither the precompile nor code stored there). */
        err = journal_note_access(j, &msg->code_address); /* EIP-7928 */
        if (err) {
            evm->error = err;
            res->status = EVM_INTERNAL_ERROR;
            return;
        }
        res->status = EVM_SUCCESS;
        res->gas_left = msg->gas;
    } else if (id) {
        struct bytebuf out = {0};
        uint64_t used = 0;
        enum precompile_status ps =
            precompile_run(id, evm->fork, msg->input, msg->input_len, (uint64_t)msg->gas, &used, &out);
        if (ps == PRECOMPILE_OK) {
            res->status = EVM_SUCCESS;
            res->gas_left = msg->gas - (int64_t)used;
            res->output = out.data;
            res->output_len = out.len;
        } else {
            bytebuf_free(&out);
            if (ps == PRECOMPILE_ERROR) {
                evm->error = PAREVM_ERR_NOMEM;
                res->status = EVM_INTERNAL_ERROR;
                return;
            }
            res->status = EVM_PRECOMPILE_FAILURE;
            res->gas_left = 0;
        }
    } else {
        struct code *code;
        bool set_here;
        err = journal_code_owned(j, &msg->code_address, &code, &set_here);
        if (err) {
            evm->error = err;
            res->status = EVM_INTERNAL_ERROR;
            return;
        }
        if (code->len == 0) {
            res->status = EVM_SUCCESS;
            res->gas_left = msg->gas;
        } else {
            /* Code set by this transaction can be dropped by the journal
             * (a revert), so hold a reference while the frame runs. Other
             * code belongs to the state behind the view and outlives the
             * transaction: no reference, which matters in parallel runs,
             * where every worker would otherwise write the same popular
             * contract's reference count. */
            if (set_here)
                code_retain(code);
            run_frame(evm, msg, code, msg->depth, res);
            if (set_here)
                code_release(code);
        }
    }
    if (res->status != EVM_SUCCESS && res->status != EVM_INTERNAL_ERROR) {
        journal_revert(j, cp);
        state_gas_unwind(evm, res, reservoir, state_gas);
    }
}

void evm_create(struct evm *evm, const struct evm_message *msg, struct evm_result *res)
{
    struct journal *j = evm->journal;
    enum fork fork = evm->fork;
    res->output = NULL;
    res->output_len = 0;
    res->gas_left = 0;
    res->spilled = 0;
    int64_t reservoir = evm->reservoir, state_gas = evm->state_gas;
    struct journal_checkpoint cp = journal_checkpoint(j);
    int err = journal_create_account(j, &msg->recipient);
    if (!err && fork >= FORK_SPURIOUS)
        err = journal_set_nonce(j, &msg->recipient, 1); /* EIP-161 */
    if (!err && !u256_is_zero(&msg->value)) {
        bool ok;
        err = journal_sub_balance(j, &msg->sender, &msg->value, &ok);
        if (!err && !ok)
            err = PAREVM_ERR_INTERNAL;
        if (!err)
            err = journal_add_balance(j, &msg->recipient, &msg->value);
        if (!err && fork_eip(fork, EIP_7708)) /* EIP-7708 */
            err = journal_eth_log(j, &msg->sender, &msg->recipient, &msg->value);
    }
    struct code *initcode = NULL;
    if (!err) {
        initcode = code_new(msg->input, msg->input_len);
        if (!initcode)
            err = PAREVM_ERR_NOMEM;
    }
    if (err) {
        evm->error = err;
        res->status = EVM_INTERNAL_ERROR;
        return;
    }
    if (initcode->len == 0) {
        res->status = EVM_SUCCESS;
        res->gas_left = msg->gas;
    } else {
        /* Initcode runs with empty calldata. */
        struct evm_message init_msg = *msg;
        init_msg.input = NULL;
        init_msg.input_len = 0;
        run_frame(evm, &init_msg, initcode, init_msg.depth, res);
    }
    code_release(initcode);
    if (res->status == EVM_SUCCESS) {
        uint8_t *out = res->output;
        size_t len = res->output_len;
        int64_t deposit = 200 * (int64_t)len;
        /* EIP-8037: the code's bytes are state gas; the regular part is
         * hashing it, 6 a word. */
        bool state = fork_eip(fork, EIP_8037);
        int64_t state_deposit = state ? STATE_GAS_PER_BYTE * (int64_t)len : 0, spill = 0;
        if (state) {
            deposit = 6 * (int64_t)num_words(len);
            spill = state_deposit > evm->reservoir ? state_deposit - evm->reservoir : 0;
        }
        if (fork >= FORK_LONDON && len > 0 && out[0] == 0xef) {
            res->status = EVM_INVALID_CODE_PREFIX; /* EIP-3541 */
        } else if (fork >= FORK_SPURIOUS && len > evm_max_code_size(fork)) {
            res->status = EVM_CONTRACT_TOO_LARGE; /* EIP-170 */
        } else if (res->gas_left < deposit + spill) {
            /* Frontier: not enough gas for the deposit leaves empty code. */
            if (fork >= FORK_HOMESTEAD)
                res->status = EVM_OUT_OF_GAS; /* EIP-2 */
        } else {
            res->gas_left -= deposit;
            if (state && !evm_state_charge(evm, &res->gas_left, &res->spilled, state_deposit))
                res->status = EVM_INTERNAL_ERROR, evm->error = PAREVM_ERR_INTERNAL; /* (checked above) */
            if (len) {
                struct code *c = code_new(out, len);
                err = c ? journal_set_code(j, &msg->recipient, c) : PAREVM_ERR_NOMEM;
                if (c)
                    code_release(c);
                if (err) {
                    evm->error = err;
                    res->status = EVM_INTERNAL_ERROR;
                }
            }
        }
        free(res->output);
        res->output = NULL;
        res->output_len = 0;
    }
    if (res->status != EVM_SUCCESS && res->status != EVM_INTERNAL_ERROR) {
        journal_revert(j, cp);
        state_gas_unwind(evm, res, reservoir, state_gas);
        if (res->status != EVM_REVERT) {
            res->gas_left = 0;
            free(res->output);
            res->output = NULL;
            res->output_len = 0;
        }
    }
}
