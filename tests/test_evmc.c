/*
 * evmc: libparevm.so loaded with dlopen as an EVMC VM (ABI 12) and driven
 * by a small in-memory host (accounts, storage with original values,
 * transient storage, warm sets, logs; nested calls and creates run by
 * calling the VM again; a failed frame's changes are rolled back).
 *
 * Each program's gas is worked out by hand from the yellow paper and the
 * EIPs named beside it. The library is found through $PAREVM_EVMC_LIB, else
 * as ../libparevm.so next to this binary's directory (build/tests/ ->
 * build/libparevm.so, build/asan/tests/ -> build/asan/libparevm.so).
 *
 * Only src/evmc/evmc.h is included: everything else goes through the ABI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/evmc/evmc.h"

/* ---- opcodes used below ---- */
enum {
    STOP = 0x00,
    ADD = 0x01,
    SUB = 0x03,
    EXP = 0x0a,
    CLZ = 0x1e,
    ADDRESS = 0x30,
    BALANCE = 0x31,
    ORIGIN = 0x32,
    EXTCODESIZE = 0x3b,
    EXTCODECOPY = 0x3c,
    RETURNDATASIZE = 0x3d,
    BLOCKHASH = 0x40,
    NUMBER = 0x43,
    CHAINID = 0x46,
    BLOBHASH = 0x49,
    POP = 0x50,
    MSTORE = 0x52,
    MSTORE8 = 0x53,
    SLOAD = 0x54,
    SSTORE = 0x55,
    JUMP = 0x56,
    GAS = 0x5a,
    JUMPDEST = 0x5b,
    TLOAD = 0x5c,
    TSTORE = 0x5d,
    PUSH0 = 0x5f,
    PUSH1 = 0x60,
    PUSH2 = 0x61,
    PUSH10 = 0x69,
    SWAP1 = 0x90,
    LOG1 = 0xa1,
    CREATE = 0xf0,
    CALL = 0xf1,
    RETURN = 0xf3,
    CREATE2 = 0xf5,
    STATICCALL = 0xfa,
    REVERT = 0xfd,
    INVALID = 0xfe,
    SELFDESTRUCT = 0xff,
};

/* Addresses are 0x00..00NN; the contract under test is 0x..c0. */
#define ORIGIN_ID 0x0a
#define CONTRACT_ID 0xc0

/* ---- the test host ---- */

#define MAX_ACCOUNTS 16
#define MAX_SLOTS 8
#define MAX_CODE 128
#define MAX_LOGS 4
#define MAX_WARM 32

struct slot {
    evmc_bytes32 key, original, current;
};

struct account {
    bool used;
    evmc_address addr;
    uint64_t balance;
    uint64_t nonce;
    uint8_t code[MAX_CODE];
    size_t code_len;
    struct slot slots[MAX_SLOTS];
    int nslots;
    struct slot tslots[MAX_SLOTS];
    int ntslots;
    bool destructed;
};

struct log_entry {
    evmc_address addr;
    uint8_t data[32];
    size_t data_len;
    evmc_bytes32 topics[4];
    size_t ntopics;
};

struct warm_slot {
    evmc_address addr;
    evmc_bytes32 key;
};

/* Everything a failed frame rolls back: a plain value, copied whole. */
struct world {
    struct account accounts[MAX_ACCOUNTS];
    struct log_entry logs[MAX_LOGS];
    int nlogs;
    evmc_address warm_accounts[MAX_WARM];
    int nwarm_accounts;
    struct warm_slot warm_slots[MAX_WARM];
    int nwarm_slots;
};

struct evmc_host_context {
    struct world w;
    struct evmc_vm *vm;
    enum evmc_revision rev;
    struct evmc_tx_context tx;
    evmc_bytes32 blob_hashes[2];
    int tx_context_calls;
    int max_depth;
    evmc_bytes32 last_salt;
};

static struct evmc_vm *vm;
static void *lib;
static const struct evmc_host_interface host_iface;

static evmc_address addr_of(uint8_t id)
{
    evmc_address a;
    memset(&a, 0, sizeof a);
    a.bytes[19] = id;
    return a;
}

static evmc_bytes32 word_of(uint64_t v)
{
    evmc_bytes32 b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < 8; i++)
        b.bytes[31 - i] = (uint8_t)(v >> (8 * i));
    return b;
}

/* The low 64 bits of a big-endian word (test values are small). */
static uint64_t low64(const evmc_bytes32 *b)
{
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | b->bytes[i];
    return v;
}

static bool is_zero(const evmc_bytes32 *b)
{
    static const evmc_bytes32 zero;
    return memcmp(b, &zero, sizeof zero) == 0;
}

static bool bytes32_eq(const evmc_bytes32 *a, const evmc_bytes32 *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static struct account *find(struct evmc_host_context *c, const evmc_address *a)
{
    for (int i = 0; i < MAX_ACCOUNTS; i++)
        if (c->w.accounts[i].used && memcmp(&c->w.accounts[i].addr, a, sizeof *a) == 0)
            return &c->w.accounts[i];
    return NULL;
}

static struct account *find_or_add(struct evmc_host_context *c, const evmc_address *a)
{
    struct account *acc = find(c, a);
    if (acc)
        return acc;
    for (int i = 0; i < MAX_ACCOUNTS; i++)
        if (!c->w.accounts[i].used) {
            acc = &c->w.accounts[i];
            memset(acc, 0, sizeof *acc);
            acc->used = true;
            acc->addr = *a;
            return acc;
        }
    fail_msg("test host: too many accounts");
    return NULL;
}

static struct slot *find_slot(struct slot *slots, int *n, const evmc_bytes32 *key, bool add)
{
    for (int i = 0; i < *n; i++)
        if (bytes32_eq(&slots[i].key, key))
            return &slots[i];
    if (!add)
        return NULL;
    if (*n == MAX_SLOTS)
        fail_msg("test host: too many slots");
    struct slot *s = &slots[(*n)++];
    memset(s, 0, sizeof *s);
    s->key = *key;
    return s;
}

static bool account_is_empty(const struct account *a)
{
    return a->balance == 0 && a->nonce == 0 && a->code_len == 0;
}

static bool h_account_exists(struct evmc_host_context *c, const evmc_address *a)
{
    const struct account *acc = find(c, a);
    /* EIP-161: from Spurious Dragon an empty account counts as absent. */
    return acc && (c->rev < EVMC_SPURIOUS_DRAGON || !account_is_empty(acc));
}

static evmc_bytes32 h_get_storage(struct evmc_host_context *c, const evmc_address *a, const evmc_bytes32 *key)
{
    struct account *acc = find(c, a);
    struct slot *s = acc ? find_slot(acc->slots, &acc->nslots, key, false) : NULL;
    return s ? s->current : word_of(0);
}

/* The status from (original, current, new), as evmc.h defines it. */
static enum evmc_storage_status h_set_storage(struct evmc_host_context *c, const evmc_address *a,
                                              const evmc_bytes32 *key, const evmc_bytes32 *v)
{
    struct account *acc = find_or_add(c, a);
    struct slot *s = find_slot(acc->slots, &acc->nslots, key, true);
    evmc_bytes32 o = s->original, cur = s->current;
    s->current = *v;
    if (bytes32_eq(&cur, v))
        return EVMC_STORAGE_ASSIGNED;
    if (bytes32_eq(&o, &cur)) {
        if (is_zero(&o))
            return EVMC_STORAGE_ADDED;
        return is_zero(v) ? EVMC_STORAGE_DELETED : EVMC_STORAGE_MODIFIED;
    }
    if (!is_zero(&o) && is_zero(&cur))
        return bytes32_eq(&o, v) ? EVMC_STORAGE_DELETED_RESTORED : EVMC_STORAGE_DELETED_ADDED;
    if (!is_zero(&o) && is_zero(v))
        return EVMC_STORAGE_MODIFIED_DELETED;
    if (is_zero(&o) && is_zero(v))
        return EVMC_STORAGE_ADDED_DELETED;
    if (!is_zero(&o) && bytes32_eq(&o, v))
        return EVMC_STORAGE_MODIFIED_RESTORED;
    return EVMC_STORAGE_ASSIGNED;
}

static evmc_bytes32 h_get_transient(struct evmc_host_context *c, const evmc_address *a,
                                    const evmc_bytes32 *key)
{
    struct account *acc = find(c, a);
    struct slot *s = acc ? find_slot(acc->tslots, &acc->ntslots, key, false) : NULL;
    return s ? s->current : word_of(0);
}

static void h_set_transient(struct evmc_host_context *c, const evmc_address *a, const evmc_bytes32 *key,
                            const evmc_bytes32 *v)
{
    struct account *acc = find_or_add(c, a);
    find_slot(acc->tslots, &acc->ntslots, key, true)->current = *v;
}

static evmc_uint256be h_get_balance(struct evmc_host_context *c, const evmc_address *a)
{
    const struct account *acc = find(c, a);
    return word_of(acc ? acc->balance : 0);
}

static size_t h_get_code_size(struct evmc_host_context *c, const evmc_address *a)
{
    const struct account *acc = find(c, a);
    return acc ? acc->code_len : 0;
}

/* Not keccak: a recognisable stand-in (0xc0de, then the length). */
static evmc_bytes32 h_get_code_hash(struct evmc_host_context *c, const evmc_address *a)
{
    const struct account *acc = find(c, a);
    if (!acc || account_is_empty(acc))
        return word_of(0);
    evmc_bytes32 h = word_of(acc->code_len);
    h.bytes[0] = 0xc0;
    h.bytes[1] = 0xde;
    return h;
}

static size_t h_copy_code(struct evmc_host_context *c, const evmc_address *a, size_t off, uint8_t *buf,
                          size_t size)
{
    const struct account *acc = find(c, a);
    if (!acc || off >= acc->code_len)
        return 0;
    size_t n = acc->code_len - off < size ? acc->code_len - off : size;
    memcpy(buf, acc->code + off, n);
    return n;
}

static bool h_selfdestruct(struct evmc_host_context *c, const evmc_address *a,
                           const evmc_address *beneficiary)
{
    struct account *acc = find_or_add(c, a); /* entries never move */
    struct account *to = find_or_add(c, beneficiary);
    to->balance += acc->balance;
    acc->balance = 0;
    bool first = !acc->destructed;
    acc->destructed = true;
    return first;
}

static struct evmc_tx_context h_get_tx_context(struct evmc_host_context *c)
{
    c->tx_context_calls++;
    return c->tx;
}

/* Block n's hash: 0xbb then n. */
static evmc_bytes32 h_get_block_hash(struct evmc_host_context *c, int64_t number)
{
    (void)c;
    evmc_bytes32 h = word_of((uint64_t)number);
    h.bytes[0] = 0xbb;
    return h;
}

static void h_emit_log(struct evmc_host_context *c, const evmc_address *a, const uint8_t *data, size_t len,
                       const evmc_bytes32 topics[], size_t ntopics)
{
    if (c->w.nlogs == MAX_LOGS || len > 32)
        fail_msg("test host: log too big");
    struct log_entry *l = &c->w.logs[c->w.nlogs++];
    l->addr = *a;
    if (len)
        memcpy(l->data, data, len);
    l->data_len = len;
    for (size_t i = 0; i < ntopics; i++)
        l->topics[i] = topics[i];
    l->ntopics = ntopics;
}

static enum evmc_access_status h_access_account(struct evmc_host_context *c, const evmc_address *a)
{
    for (int i = 0; i < c->w.nwarm_accounts; i++)
        if (memcmp(&c->w.warm_accounts[i], a, sizeof *a) == 0)
            return EVMC_ACCESS_WARM;
    if (c->w.nwarm_accounts == MAX_WARM)
        fail_msg("test host: warm set full");
    c->w.warm_accounts[c->w.nwarm_accounts++] = *a;
    return EVMC_ACCESS_COLD;
}

static enum evmc_access_status h_access_storage(struct evmc_host_context *c, const evmc_address *a,
                                                const evmc_bytes32 *key)
{
    for (int i = 0; i < c->w.nwarm_slots; i++)
        if (memcmp(&c->w.warm_slots[i].addr, a, sizeof *a) == 0 && bytes32_eq(&c->w.warm_slots[i].key, key))
            return EVMC_ACCESS_WARM;
    if (c->w.nwarm_slots == MAX_WARM)
        fail_msg("test host: warm slot set full");
    c->w.warm_slots[c->w.nwarm_slots].addr = *a;
    c->w.warm_slots[c->w.nwarm_slots++].key = *key;
    return EVMC_ACCESS_COLD;
}

static struct evmc_result plain_result(enum evmc_status_code s, int64_t gas_left)
{
    struct evmc_result r;
    memset(&r, 0, sizeof r);
    r.status_code = s;
    r.gas_left = gas_left;
    return r;
}

/* Nested messages: state changes of a frame that fails are rolled back
 * (the create's nonce increment of the sender stays). */
static struct evmc_result h_call(struct evmc_host_context *c, const struct evmc_message *msg)
{
    struct world *saved = malloc(sizeof *saved);
    if (!saved)
        fail_msg("test host: out of memory");
    *saved = c->w;
    if (msg->depth > c->max_depth)
        c->max_depth = msg->depth;
    uint64_t value = low64(&msg->value);
    struct evmc_result r;

    if (msg->kind == EVMC_CREATE || msg->kind == EVMC_CREATE2) {
        struct account *sender = find_or_add(c, &msg->sender);
        uint64_t nonce = sender->nonce++;
        /* Not the real derivation: 0xcc, kind, sender nonce [, salt]. */
        evmc_address addr;
        memset(&addr, 0, sizeof addr);
        addr.bytes[0] = 0xcc;
        addr.bytes[1] = (uint8_t)msg->kind;
        addr.bytes[18] = (uint8_t)nonce;
        if (msg->kind == EVMC_CREATE2) {
            addr.bytes[19] = msg->create2_salt.bytes[31];
            c->last_salt = msg->create2_salt;
        }
        struct account *existing = find(c, &addr);
        if (existing && (existing->nonce || existing->code_len)) {
            free(saved);
            return plain_result(EVMC_FAILURE, 0);
        }
        *saved = c->w; /* the nonce increment survives failure */
        h_access_account(c, &addr);
        struct account *acc = find_or_add(c, &addr);
        acc->nonce = c->rev >= EVMC_SPURIOUS_DRAGON ? 1 : 0;
        sender = find(c, &msg->sender);
        sender->balance -= value;
        acc->balance += value;
        struct evmc_message m = *msg;
        m.recipient = addr;
        m.input_data = NULL;
        m.input_size = 0;
        r = vm->execute(vm, &host_iface, c, c->rev, &m, msg->input_data, msg->input_size);
        if (r.status_code == EVMC_SUCCESS) {
            int64_t deposit = 200 * (int64_t)r.output_size;
            if (r.gas_left < deposit || r.output_size > MAX_CODE) {
                if (r.release)
                    r.release(&r);
                r = plain_result(EVMC_OUT_OF_GAS, 0);
            } else {
                acc = find(c, &addr);
                memcpy(acc->code, r.output_data, r.output_size);
                acc->code_len = r.output_size;
                int64_t left = r.gas_left - deposit;
                int64_t refund = r.gas_refund;
                if (r.release)
                    r.release(&r);
                r = plain_result(EVMC_SUCCESS, left);
                r.gas_refund = refund;
                r.create_address = addr;
            }
        }
    } else {
        if ((msg->kind == EVMC_CALL || msg->kind == EVMC_CALLCODE) && value) {
            struct account *to = find_or_add(c, &msg->recipient);
            struct account *from = find(c, &msg->sender);
            assert_non_null(from);
            assert_true(from->balance >= value); /* the VM checked */
            from->balance -= value;
            to->balance += value;
        }
        const struct account *code_acc = find(c, &msg->code_address);
        if (!code_acc || code_acc->code_len == 0) {
            r = plain_result(EVMC_SUCCESS, msg->gas);
        } else {
            uint8_t code[MAX_CODE];
            size_t len = code_acc->code_len;
            memcpy(code, code_acc->code, len); /* the world may move under execute */
            r = vm->execute(vm, &host_iface, c, c->rev, msg, code, len);
        }
    }
    if (r.status_code != EVMC_SUCCESS)
        c->w = *saved;
    free(saved);
    return r;
}

static const struct evmc_host_interface host_iface = {
    .account_exists = h_account_exists,
    .get_storage = h_get_storage,
    .set_storage = h_set_storage,
    .get_balance = h_get_balance,
    .get_code_size = h_get_code_size,
    .get_code_hash = h_get_code_hash,
    .copy_code = h_copy_code,
    .selfdestruct = h_selfdestruct,
    .call = h_call,
    .get_tx_context = h_get_tx_context,
    .get_block_hash = h_get_block_hash,
    .emit_log = h_emit_log,
    .access_account = h_access_account,
    .access_storage = h_access_storage,
    .get_transient_storage = h_get_transient,
    .set_transient_storage = h_set_transient,
};

/* ---- fixtures ---- */

static struct evmc_host_context *new_host(enum evmc_revision rev)
{
    struct evmc_host_context *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->vm = vm;
    c->rev = rev;
    c->tx.tx_gas_price = word_of(7);
    c->tx.tx_origin = addr_of(ORIGIN_ID);
    c->tx.block_coinbase = addr_of(0xcb);
    c->tx.block_number = 1000;
    c->tx.block_timestamp = 1700000000;
    c->tx.block_gas_limit = 30000000;
    c->tx.chain_id = word_of(1);
    c->tx.block_base_fee = word_of(10);
    c->tx.blob_base_fee = word_of(1);
    c->blob_hashes[0] = word_of(0x0b10b);
    c->blob_hashes[0].bytes[0] = 0x01; /* EIP-4844 version byte */
    c->blob_hashes[1] = word_of(2);
    c->tx.blob_hashes = c->blob_hashes;
    c->tx.blob_hashes_count = 2;
    struct account *o = find_or_add(c, &c->tx.tx_origin);
    o->balance = 1000000;
    o->nonce = 1;
    /* EIP-2929: the transaction's sender and recipient start warm. */
    evmc_address self = addr_of(CONTRACT_ID);
    h_access_account(c, &c->tx.tx_origin);
    h_access_account(c, &self);
    return c;
}

static void set_code(struct evmc_host_context *c, uint8_t id, const uint8_t *code, size_t len)
{
    evmc_address a = addr_of(id);
    struct account *acc = find_or_add(c, &a);
    assert_true(len <= MAX_CODE);
    memcpy(acc->code, code, len);
    acc->code_len = len;
    if (acc->nonce == 0)
        acc->nonce = 1;
}

static void set_slot(struct evmc_host_context *c, uint8_t id, uint64_t key, uint64_t value)
{
    evmc_address a = addr_of(id);
    struct account *acc = find_or_add(c, &a);
    evmc_bytes32 k = word_of(key);
    struct slot *s = find_slot(acc->slots, &acc->nslots, &k, true);
    s->original = s->current = word_of(value);
}

static uint64_t slot_value(struct evmc_host_context *c, uint8_t id, uint64_t key)
{
    evmc_address a = addr_of(id);
    evmc_bytes32 k = word_of(key);
    evmc_bytes32 v = h_get_storage(c, &a, &k);
    return low64(&v);
}

/* Run code as the contract 0x..c0 (called by the origin with no value). */
static struct evmc_result run_flags(struct evmc_host_context *c, const uint8_t *code, size_t len, int64_t gas,
                                    uint32_t flags)
{
    set_code(c, CONTRACT_ID, code, len);
    struct evmc_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVMC_CALL;
    m.flags = flags;
    m.depth = 0;
    m.gas = gas;
    m.recipient = addr_of(CONTRACT_ID);
    m.code_address = m.recipient;
    m.sender = addr_of(ORIGIN_ID);
    return vm->execute(vm, &host_iface, c, c->rev, &m, code, len);
}

static struct evmc_result run(struct evmc_host_context *c, const uint8_t *code, size_t len, int64_t gas)
{
    return run_flags(c, code, len, gas, 0);
}

static void release(struct evmc_result *r)
{
    if (r->release)
        r->release(r);
}

/* The result has exactly this status, gas left and refund. */
static void expect(struct evmc_result *r, enum evmc_status_code status, int64_t gas_left, int64_t refund)
{
    assert_int_equal(r->status_code, status);
    assert_int_equal(r->gas_left, gas_left);
    assert_int_equal(r->gas_refund, refund);
}

static void expect_word(struct evmc_result *r, uint64_t value)
{
    assert_int_equal(r->output_size, 32);
    evmc_bytes32 w = word_of(value);
    assert_memory_equal(r->output_data, w.bytes, 32);
}

static void done(struct evmc_host_context *c, struct evmc_result *r)
{
    release(r);
    free(c);
}

/* ---- loading ---- */

static int load_vm(void **state)
{
    (void)state;
    char path[PATH_MAX + 32];
    const char *env = getenv("PAREVM_EVMC_LIB");
    if (env && *env) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) {
            fprintf(stderr, "test_evmc: cannot read /proc/self/exe; set PAREVM_EVMC_LIB\n");
            return -1;
        }
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        *slash = '\0'; /* .../build[/variant]/tests */
        snprintf(path, sizeof path, "%s/../libparevm.so", exe);
    }
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "test_evmc: cannot load %s: %s (build it with make, or set PAREVM_EVMC_LIB)\n", path,
                dlerror());
        return -1;
    }
    struct evmc_vm *(*create)(void);
    *(void **)&create = dlsym(lib, "evmc_create_parevm");
    if (!create) {
        fprintf(stderr, "test_evmc: %s has no evmc_create_parevm\n", path);
        return -1;
    }
    vm = create();
    return vm ? 0 : -1;
}

static int unload_vm(void **state)
{
    (void)state;
    if (vm)
        vm->destroy(vm);
    vm = NULL;
    if (lib)
        dlclose(lib);
    lib = NULL;
    return 0;
}

/* ---- tests ---- */

static void test_identity(void **state)
{
    (void)state;
    assert_int_equal(vm->abi_version, EVMC_ABI_VERSION);
    assert_int_equal(vm->abi_version, 12);
    assert_string_equal(vm->name, "parevm");
    assert_non_null(vm->version);
    assert_true(strlen(vm->version) > 0);
    assert_int_equal(vm->get_capabilities(vm), EVMC_CAPABILITY_EVM1);
    assert_non_null(vm->destroy);
    assert_non_null(vm->execute);
    /* Layouts the ABI fixes, worked out for LP64 (x86-64, aarch64). */
    assert_int_equal(sizeof(struct evmc_result), 72);
    assert_int_equal(offsetof(struct evmc_result, create_address), 48);
    assert_int_equal(sizeof(struct evmc_message), 184);
    assert_int_equal(offsetof(struct evmc_message, value), 80);
    assert_int_equal(offsetof(struct evmc_message, code_address), 144);
    assert_int_equal(sizeof(struct evmc_tx_context), 256);
    assert_int_equal(offsetof(struct evmc_tx_context, blob_hashes), 224);
    assert_int_equal(sizeof(struct evmc_host_interface), 16 * sizeof(void *));
    assert_int_equal(sizeof(struct evmc_vm), 56);
}

static void test_set_option(void **state)
{
    (void)state;
    assert_int_equal(vm->set_option(vm, "frame-cache", "off"), EVMC_SET_OPTION_SUCCESS);
    assert_int_equal(vm->set_option(vm, "frame-cache", "maybe"), EVMC_SET_OPTION_INVALID_VALUE);
    assert_int_equal(vm->set_option(vm, "frame-cache", NULL), EVMC_SET_OPTION_INVALID_VALUE);
    assert_int_equal(vm->set_option(vm, "no-such-option", "on"), EVMC_SET_OPTION_INVALID_NAME);
    assert_int_equal(vm->set_option(vm, "", "on"), EVMC_SET_OPTION_INVALID_NAME);
    /* Executions work with the cache off, then on again. */
    const uint8_t code[] = {PUSH1, 2, PUSH1, 3, ADD, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, code, sizeof code, 100);
    expect(&r, EVMC_SUCCESS, 76, 0);
    release(&r);
    assert_int_equal(vm->set_option(vm, "frame-cache", "on"), EVMC_SET_OPTION_SUCCESS);
    r = run(c, code, sizeof code, 100);
    expect(&r, EVMC_SUCCESS, 76, 0);
    expect_word(&r, 5);
    done(c, &r);
}

static void test_arithmetic(void **state)
{
    (void)state;
    /* 2 + 3, returned as a word: 3 pushes + ADD (3 each), MSTORE 3 + one
     * word of memory 3, two pushes 6, RETURN 0 = 24. */
    const uint8_t add[] = {PUSH1, 2, PUSH1, 3, ADD, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, add, sizeof add, 100);
    expect(&r, EVMC_SUCCESS, 100 - 24, 0);
    expect_word(&r, 5);
    release(&r);

    /* 2 ** 255: EXP is 10 + 50 per exponent byte from Spurious Dragon
     * (EIP-160), 10 + 10 before. */
    const uint8_t exp[] = {PUSH1, 255, PUSH1, 2, EXP, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN};
    uint8_t want[32] = {0x80};
    r = run(c, exp, sizeof exp, 1000);
    expect(&r, EVMC_SUCCESS, 1000 - (6 + 60 + 15), 0);
    assert_int_equal(r.output_size, 32);
    assert_memory_equal(r.output_data, want, 32);
    done(c, &r);

    c = new_host(EVMC_FRONTIER);
    r = run(c, exp, sizeof exp, 1000);
    expect(&r, EVMC_SUCCESS, 1000 - (6 + 20 + 15), 0);
    assert_memory_equal(r.output_data, want, 32);
    done(c, &r);
}

/* EIP-7939: CLZ from EVMC_OSAKA (5 gas), undefined in EVMC_PRAGUE. */
static void test_clz(void **state)
{
    (void)state;
    /* clz(0x0100) = 256 - 9 = 247: pushes 3 + 3, CLZ 5, MSTORE 3 + one
     * word 3, pushes 6, RETURN 0 = 23. */
    const uint8_t code[] = {PUSH2, 0x01, 0x00, CLZ, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN};
    struct evmc_host_context *c = new_host(EVMC_OSAKA);
    struct evmc_result r = run(c, code, sizeof code, 100);
    expect(&r, EVMC_SUCCESS, 100 - 23, 0);
    expect_word(&r, 247);
    release(&r);
    /* clz(0) = 256 */
    const uint8_t zero[] = {PUSH0, CLZ, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN};
    r = run(c, zero, sizeof zero, 100);
    expect(&r, EVMC_SUCCESS, 100 - (2 + 5 + 3 + 6 + 6), 0);
    expect_word(&r, 256);
    done(c, &r);

    c = new_host(EVMC_PRAGUE);
    r = run(c, code, sizeof code, 100);
    expect(&r, EVMC_UNDEFINED_INSTRUCTION, 0, 0);
    done(c, &r);
}

static const uint8_t store_load[] = {PUSH1, 1, PUSH1,  0,     SSTORE, PUSH1, 0, SLOAD,
                                     PUSH1, 0, MSTORE, PUSH1, 32,     PUSH1, 0, RETURN};

static void test_storage_set(void **state)
{
    (void)state;
    /* SSTORE 0 -> 1 (ADDED: 20000; EIP-2929 cold slot +2100 from Berlin),
     * then SLOAD of the now warm slot (50, 200 from EIP-150, 800 from
     * EIP-1884, warm 100 from EIP-2929); 24 for the 6 pushes and MSTORE
     * with its memory word. */
    static const struct {
        enum evmc_revision rev;
        int64_t used;
    } cases[] = {
        {EVMC_FRONTIER, 24 + 20000 + 50},    {EVMC_TANGERINE_WHISTLE, 24 + 20000 + 200},
        {EVMC_PETERSBURG, 24 + 20000 + 200}, {EVMC_ISTANBUL, 24 + 20000 + 800},
        {EVMC_BERLIN, 24 + 22100 + 100},     {EVMC_LONDON, 24 + 22100 + 100},
        {EVMC_CANCUN, 24 + 22100 + 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct evmc_host_context *c = new_host(cases[i].rev);
        struct evmc_result r = run(c, store_load, sizeof store_load, 30000);
        expect(&r, EVMC_SUCCESS, 30000 - cases[i].used, 0);
        expect_word(&r, 1);
        assert_int_equal(slot_value(c, CONTRACT_ID, 0), 1);
        done(c, &r);
    }
}

static void test_storage_refunds(void **state)
{
    (void)state;
    /* Slot 0 holds 5 when the transaction starts. */
    const uint8_t clear[] = {PUSH1, 0, PUSH1, 0, SSTORE, STOP};
    const uint8_t restore[] = {PUSH1, 0, PUSH1, 0, SSTORE, PUSH1, 5, PUSH1, 0, SSTORE, STOP};
    static const struct {
        enum evmc_revision rev;
        int64_t clear_used, clear_refund, restore_used, restore_refund;
    } cases[] = {
        /* Frontier rules: 5000 to clear (+15000 refund), 20000 to set zero. */
        {EVMC_FRONTIER, 6 + 5000, 15000, 12 + 5000 + 20000, 15000},
        {EVMC_PETERSBURG, 6 + 5000, 15000, 12 + 5000 + 20000, 15000},
        /* EIP-1283: DELETED 5000 (+15000); DELETED_RESTORED 200, refund
         * -15000 + (5000 - 200). */
        {EVMC_CONSTANTINOPLE, 6 + 5000, 15000, 12 + 5000 + 200, 15000 - 15000 + 4800},
        /* EIP-2200: the same with the 800 SLOAD of EIP-1884. */
        {EVMC_ISTANBUL, 6 + 5000, 15000, 12 + 5000 + 800, 15000 - 15000 + 4200},
        /* EIP-2929: cold 2100 + 2900, warm 100; restore refund 2900 - 100. */
        {EVMC_BERLIN, 6 + 5000, 15000, 12 + 5000 + 100, 15000 - 15000 + 2800},
        /* EIP-3529: the clearing refund is 4800. */
        {EVMC_LONDON, 6 + 5000, 4800, 12 + 5000 + 100, 4800 - 4800 + 2800},
        {EVMC_CANCUN, 6 + 5000, 4800, 12 + 5000 + 100, 4800 - 4800 + 2800},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct evmc_host_context *c = new_host(cases[i].rev);
        set_slot(c, CONTRACT_ID, 0, 5);
        struct evmc_result r = run(c, clear, sizeof clear, 30000);
        expect(&r, EVMC_SUCCESS, 30000 - cases[i].clear_used, cases[i].clear_refund);
        assert_int_equal(r.output_size, 0);
        assert_int_equal(slot_value(c, CONTRACT_ID, 0), 0);
        done(c, &r);

        c = new_host(cases[i].rev);
        set_slot(c, CONTRACT_ID, 0, 5);
        r = run(c, restore, sizeof restore, 30000);
        expect(&r, EVMC_SUCCESS, 30000 - cases[i].restore_used, cases[i].restore_refund);
        assert_int_equal(slot_value(c, CONTRACT_ID, 0), 5);
        done(c, &r);
    }

    /* 0 -> 9 -> 0 (ADDED then ADDED_DELETED), Cancun: 22100 + 100, refund
     * 20000 - 100. */
    const uint8_t add_delete[] = {PUSH1, 9, PUSH1, 1, SSTORE, PUSH1, 0, PUSH1, 1, SSTORE, STOP};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, add_delete, sizeof add_delete, 30000);
    expect(&r, EVMC_SUCCESS, 30000 - (12 + 22100 + 100), 19900);
    done(c, &r);
}

static void test_storage_failures(void **state)
{
    (void)state;
    const uint8_t store[] = {PUSH1, 1, PUSH1, 0, SSTORE, STOP};
    /* EIP-2200: with 2300 left after the pushes SSTORE fails (Istanbul on). */
    struct evmc_host_context *c = new_host(EVMC_ISTANBUL);
    struct evmc_result r = run(c, store, sizeof store, 2306);
    expect(&r, EVMC_OUT_OF_GAS, 0, 0);
    assert_int_equal(slot_value(c, CONTRACT_ID, 0), 0);
    done(c, &r);
    /* Not enough for the 22100 (the host's state after a failed
     * top-level frame is its business: use a fresh one). */
    c = new_host(EVMC_CANCUN);
    r = run(c, store, sizeof store, 22105);
    expect(&r, EVMC_OUT_OF_GAS, 0, 0);
    done(c, &r);
    c = new_host(EVMC_CANCUN);
    r = run(c, store, sizeof store, 22106);
    expect(&r, EVMC_SUCCESS, 0, 0);
    done(c, &r);
    /* Static mode. */
    c = new_host(EVMC_CANCUN);
    r = run_flags(c, store, sizeof store, 30000, EVMC_STATIC);
    expect(&r, EVMC_STATIC_MODE_VIOLATION, 0, 0);
    assert_int_equal(slot_value(c, CONTRACT_ID, 0), 0);
    done(c, &r);
}

static void test_transient_storage(void **state)
{
    (void)state;
    /* EIP-1153: TSTORE and TLOAD 100 each. */
    const uint8_t code[] = {PUSH1, 7, PUSH1,  1,     TSTORE, PUSH1, 1, TLOAD,
                            PUSH1, 0, MSTORE, PUSH1, 32,     PUSH1, 0, RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, code, sizeof code, 1000);
    expect(&r, EVMC_SUCCESS, 1000 - (24 + 200), 0);
    expect_word(&r, 7);
    assert_int_equal(slot_value(c, CONTRACT_ID, 1), 0); /* not persistent storage */
    done(c, &r);

    c = new_host(EVMC_SHANGHAI); /* not yet an opcode */
    r = run(c, code, sizeof code, 1000);
    expect(&r, EVMC_UNDEFINED_INSTRUCTION, 0, 0);
    done(c, &r);

    c = new_host(EVMC_CANCUN);
    r = run_flags(c, code, sizeof code, 1000, EVMC_STATIC);
    expect(&r, EVMC_STATIC_MODE_VIOLATION, 0, 0);
    done(c, &r);
}

static void test_logs(void **state)
{
    (void)state;
    /* MSTORE8 0xab at 0 (6 + 3 + memory 3), LOG1 of 1 byte with topic
     * 0x42: 9 for the pushes + 375 + 375 per topic + 8 per byte. */
    const uint8_t code[] = {PUSH1, 0xab, PUSH1, 0, MSTORE8, PUSH1, 0x42, PUSH1, 1, PUSH1, 0, LOG1, STOP};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, code, sizeof code, 1000);
    expect(&r, EVMC_SUCCESS, 1000 - (12 + 9 + 758), 0);
    assert_int_equal(c->w.nlogs, 1);
    evmc_address self = addr_of(CONTRACT_ID);
    assert_memory_equal(&c->w.logs[0].addr, &self, sizeof self);
    assert_int_equal(c->w.logs[0].data_len, 1);
    assert_int_equal(c->w.logs[0].data[0], 0xab);
    assert_int_equal(c->w.logs[0].ntopics, 1);
    evmc_bytes32 topic = word_of(0x42);
    assert_memory_equal(&c->w.logs[0].topics[0], &topic, 32);
    done(c, &r);

    c = new_host(EVMC_CANCUN);
    r = run_flags(c, code, sizeof code, 1000, EVMC_STATIC);
    expect(&r, EVMC_STATIC_MODE_VIOLATION, 0, 0);
    assert_int_equal(c->w.nlogs, 0);
    done(c, &r);
}

/* Returns the word 0x99: 18 gas. */
static const uint8_t callee_0x99[] = {PUSH1, 0x99, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, RETURN};

static void test_call(void **state)
{
    (void)state;
    /* CALL(gas=GAS, to=0x0b, value 0, in 0/0, out 0/32), then return
     * memory[0..32]. Berlin: 6 pushes + GAS = 20; CALL 100 warm + 2500
     * cold (EIP-2929) + 3 for the output word; the callee gets all but a
     * 64th of what is left (EIP-150) and uses 18; RETURN's pushes 6. */
    const uint8_t code[] = {PUSH1, 32,   PUSH1, 0,    PUSH1, 0,  PUSH1, 0, PUSH1, 0,
                            PUSH1, 0x0b, GAS,   CALL, PUSH1, 32, PUSH1, 0, RETURN};
    struct evmc_host_context *c = new_host(EVMC_BERLIN);
    set_code(c, 0x0b, callee_0x99, sizeof callee_0x99);
    struct evmc_result r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (20 + 2600 + 3 + 18 + 6), 0);
    expect_word(&r, 0x99);
    assert_int_equal(c->max_depth, 1);
    done(c, &r);

    /* Istanbul: CALL is 700, nothing is cold. */
    c = new_host(EVMC_ISTANBUL);
    set_code(c, 0x0b, callee_0x99, sizeof callee_0x99);
    r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (20 + 700 + 3 + 18 + 6), 0);
    expect_word(&r, 0x99);
    done(c, &r);
}

static void test_call_value(void **state)
{
    (void)state;
    /* 1 wei to the absent 0x0d with gas 0 (Berlin): 7 pushes 21; CALL 100
     * + 2500 cold + 9000 value + 25000 new account; the callee (no code)
     * gets the 2300 stipend and hands it back. */
    const uint8_t code[] = {PUSH1, 0, PUSH1, 0,    PUSH1, 0, PUSH1, 0,
                            PUSH1, 1, PUSH1, 0x0d, PUSH1, 0, CALL,  STOP};
    struct evmc_host_context *c = new_host(EVMC_BERLIN);
    evmc_address self = addr_of(CONTRACT_ID), to = addr_of(0x0d);
    find_or_add(c, &self)->balance = 10;
    struct evmc_result r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (21 + 36600 - 2300), 0);
    assert_int_equal(find(c, &self)->balance, 9);
    assert_int_equal(find(c, &to)->balance, 1);
    done(c, &r);

    /* Without the balance the call fails at once: the stipend comes back
     * too, so only the 36600 and the pushes are spent. */
    c = new_host(EVMC_BERLIN);
    r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (21 + 36600 - 2300), 0);
    assert_null(find(c, &to));
    done(c, &r);
}

static void test_staticcall_violation(void **state)
{
    (void)state;
    /* STATICCALL(gas 4096) into a contract that writes storage: the callee
     * fails (static mode) and its 4096 gas is gone; CALL pushed 0, which
     * is returned. Cancun: 6 pushes 18, 100 + 2500 cold, 4096, 15. */
    const uint8_t writer[] = {PUSH1, 1, PUSH1, 0, SSTORE, STOP};
    const uint8_t code[] = {PUSH1, 0,    PUSH1,      0,     PUSH1, 0,      PUSH1, 0,  PUSH1, 0x0c, PUSH2,
                            0x10,  0x00, STATICCALL, PUSH1, 0,     MSTORE, PUSH1, 32, PUSH1, 0,    RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    set_code(c, 0x0c, writer, sizeof writer);
    struct evmc_result r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (18 + 2600 + 4096 + 15), 0);
    expect_word(&r, 0);
    assert_int_equal(slot_value(c, 0x0c, 0), 0);
    done(c, &r);
}

static void test_revert(void **state)
{
    (void)state;
    /* Top level: REVERT keeps the gas left and the output. */
    const uint8_t code[] = {PUSH1, 0x77, PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0, REVERT};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, code, sizeof code, 1000);
    expect(&r, EVMC_REVERT, 1000 - 18, 0);
    expect_word(&r, 0x77);
    done(c, &r);

    /* Nested: the callee stores, then reverts with 1 byte; its storage is
     * rolled back by the host, the caller sees RETURNDATASIZE 1 and gets
     * the callee's unused gas back. Cancun: 20 before CALL, 100 + 2500
     * cold, callee 6 + 22100 + 6 + 6 + 6 = 22124, then 17 after. */
    const uint8_t reverter[] = {PUSH1, 1,       PUSH1, 0, SSTORE, PUSH1, 0xee,  PUSH1,
                                0,     MSTORE8, PUSH1, 1, PUSH1,  0,     REVERT};
    const uint8_t caller[] = {PUSH1, 0,      PUSH1, 0,    PUSH1, 0,    PUSH1,          0,
                              PUSH1, 0,      PUSH1, 0x0e, GAS,   CALL, RETURNDATASIZE, PUSH1,
                              0,     MSTORE, PUSH1, 32,   PUSH1, 0,    RETURN};
    c = new_host(EVMC_CANCUN);
    set_code(c, 0x0e, reverter, sizeof reverter);
    r = run(c, caller, sizeof caller, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (20 + 2600 + 22124 + 17), 0);
    expect_word(&r, 1);
    assert_int_equal(slot_value(c, 0x0e, 0), 0);
    done(c, &r);
}

/* Initcode returning the one-byte code 0x2a (18 gas). */
#define INITCODE 0x60, 0x2a, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3

static void test_create(void **state)
{
    (void)state;
    /* MSTORE the 10-byte initcode (right-aligned: bytes 22..31), CREATE
     * from there, return the address. Cancun: 12 + 9; CREATE 32000 + 2 per
     * initcode word (EIP-3860); the initcode gets all but a 64th of the
     * rest (EIP-150) and uses 18 + 200 code deposit; 12 after. */
    const uint8_t code[] = {PUSH10, INITCODE, PUSH1, 0, MSTORE, PUSH1, 10, PUSH1, 22, PUSH1,
                            0,      CREATE,   PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0,  RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    evmc_address self = addr_of(CONTRACT_ID);
    struct evmc_result r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (21 + 32002 + 218 + 12), 0);
    assert_int_equal(r.output_size, 32);
    evmc_address created;
    memcpy(created.bytes, r.output_data + 12, 20);
    assert_int_equal(created.bytes[0], 0xcc);
    assert_int_equal(created.bytes[1], EVMC_CREATE);
    const struct account *acc = find(c, &created);
    assert_non_null(acc);
    assert_int_equal(acc->code_len, 1);
    assert_int_equal(acc->code[0], 0x2a);
    assert_int_equal(acc->nonce, 1);
    assert_int_equal(find(c, &self)->nonce, 2);
    assert_int_equal(c->max_depth, 1);
    done(c, &r);

    /* Frontier: no initcode charge and no 63/64 rule. */
    c = new_host(EVMC_FRONTIER);
    r = run(c, code, sizeof code, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (21 + 32000 + 218 + 12), 0);
    done(c, &r);

    /* CREATE2 with salt 7: + 6 per initcode word for hashing (EIP-1014). */
    const uint8_t code2[] = {PUSH10, INITCODE, PUSH1, 0, MSTORE, PUSH1, 7,  PUSH1, 10, PUSH1, 22, PUSH1,
                             0,      CREATE2,  PUSH1, 0, MSTORE, PUSH1, 32, PUSH1, 0,  RETURN};
    c = new_host(EVMC_CANCUN);
    r = run(c, code2, sizeof code2, 100000);
    expect(&r, EVMC_SUCCESS, 100000 - (24 + 32008 + 218 + 12), 0);
    assert_int_equal(r.output_data[12], 0xcc);
    assert_int_equal(r.output_data[13], EVMC_CREATE2);
    assert_int_equal(r.output_data[31], 7);
    evmc_bytes32 salt = word_of(7);
    assert_memory_equal(&c->last_salt, &salt, 32);
    done(c, &r);

    /* Not in static mode. */
    const uint8_t create0[] = {PUSH1, 0, PUSH1, 0, PUSH1, 0, CREATE, STOP};
    c = new_host(EVMC_CANCUN);
    r = run_flags(c, create0, sizeof create0, 100000, EVMC_STATIC);
    expect(&r, EVMC_STATIC_MODE_VIOLATION, 0, 0);
    done(c, &r);
}

static void test_out_of_gas(void **state)
{
    (void)state;
    const uint8_t add[] = {PUSH1, 1, PUSH1, 2, ADD, STOP};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, add, sizeof add, 8);
    expect(&r, EVMC_OUT_OF_GAS, 0, 0);
    release(&r);
    r = run(c, add, sizeof add, 9);
    expect(&r, EVMC_SUCCESS, 0, 0);
    release(&r);
    const uint8_t loop[] = {JUMPDEST, PUSH1, 0, JUMP};
    r = run(c, loop, sizeof loop, 100000);
    expect(&r, EVMC_OUT_OF_GAS, 0, 0);
    assert_int_equal(r.output_size, 0);
    done(c, &r);
}

static void test_halts(void **state)
{
    (void)state;
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    const uint8_t undefined[] = {0x0c};
    struct evmc_result r = run(c, undefined, sizeof undefined, 100);
    expect(&r, EVMC_UNDEFINED_INSTRUCTION, 0, 0);
    release(&r);
    const uint8_t invalid[] = {INVALID};
    r = run(c, invalid, sizeof invalid, 100);
    expect(&r, EVMC_INVALID_INSTRUCTION, 0, 0);
    release(&r);
    const uint8_t underflow[] = {PUSH1, 1, ADD};
    r = run(c, underflow, sizeof underflow, 100);
    expect(&r, EVMC_STACK_UNDERFLOW, 0, 0);
    release(&r);
    const uint8_t push0[] = {PUSH0, STOP};
    r = run(c, push0, sizeof push0, 100);
    expect(&r, EVMC_SUCCESS, 98, 0);
    done(c, &r);
    c = new_host(EVMC_LONDON); /* PUSH0 is EIP-3855 (Shanghai) */
    r = run(c, push0, sizeof push0, 100);
    expect(&r, EVMC_UNDEFINED_INSTRUCTION, 0, 0);
    done(c, &r);
}

static void test_context(void **state)
{
    (void)state;
    /* ORIGIN, NUMBER, CHAINID, BLOBHASH(0), BLOCKHASH(NUMBER - 1) into
     * five words; memory grows a word at a time (3 each). */
    const uint8_t code[] = {ORIGIN,  PUSH1,  0,      MSTORE, NUMBER, PUSH1, 32,       MSTORE,
                            CHAINID, PUSH1,  64,     MSTORE, PUSH1,  0,     BLOBHASH, PUSH1,
                            96,      MSTORE, NUMBER, PUSH1,  1,      SWAP1, SUB,      BLOCKHASH,
                            PUSH1,   128,    MSTORE, PUSH1,  160,    PUSH1, 0,        RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, code, sizeof code, 1000);
    expect(&r, EVMC_SUCCESS, 1000 - (11 + 11 + 11 + 15 + 40 + 6), 0);
    assert_int_equal(r.output_size, 160);
    evmc_bytes32 w = word_of(ORIGIN_ID);
    assert_memory_equal(r.output_data, w.bytes, 32);
    w = word_of(1000);
    assert_memory_equal(r.output_data + 32, w.bytes, 32);
    w = word_of(1);
    assert_memory_equal(r.output_data + 64, w.bytes, 32);
    assert_memory_equal(r.output_data + 96, c->blob_hashes[0].bytes, 32);
    w = h_get_block_hash(c, 999);
    assert_memory_equal(r.output_data + 128, w.bytes, 32);
    assert_int_equal(c->tx_context_calls, 1); /* fetched once per execution */
    done(c, &r);
}

static void test_account_access(void **state)
{
    (void)state;
    /* BALANCE of 0x0f twice: cold then warm from Berlin (EIP-2929). */
    const uint8_t code[] = {PUSH1, 0x0f,   BALANCE, POP, PUSH1, 0x0f, BALANCE, PUSH1,
                            0,     MSTORE, PUSH1,   32,  PUSH1, 0,    RETURN};
    static const struct {
        enum evmc_revision rev;
        int64_t balance_cold, balance_warm;
    } cases[] = {{EVMC_FRONTIER, 20, 20},
                 {EVMC_TANGERINE_WHISTLE, 400, 400},
                 {EVMC_ISTANBUL, 700, 700},
                 {EVMC_BERLIN, 2600, 100},
                 {EVMC_CANCUN, 2600, 100}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct evmc_host_context *c = new_host(cases[i].rev);
        evmc_address a = addr_of(0x0f);
        find_or_add(c, &a)->balance = 77;
        struct evmc_result r = run(c, code, sizeof code, 10000);
        expect(&r, EVMC_SUCCESS, 10000 - (3 + 2 + 3 + 15 + cases[i].balance_cold + cases[i].balance_warm), 0);
        expect_word(&r, 77);
        done(c, &r);
    }

    /* EXTCODESIZE (cold 2600) into word 0, EXTCODECOPY of 4 bytes of the
     * now warm account into word 1 (100 + 3 per word + 3 memory), Cancun. */
    const uint8_t ext[] = {PUSH1, 0x0b, EXTCODESIZE, PUSH1, 0,           MSTORE, PUSH1, 4,     PUSH1, 0,
                           PUSH1, 32,   PUSH1,       0x0b,  EXTCODECOPY, PUSH1,  64,    PUSH1, 0,     RETURN};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    set_code(c, 0x0b, callee_0x99, sizeof callee_0x99);
    struct evmc_result r = run(c, ext, sizeof ext, 10000);
    expect(&r, EVMC_SUCCESS, 10000 - ((3 + 2600 + 3 + 6) + (12 + 100 + 3 + 3) + 6), 0);
    assert_int_equal(r.output_size, 64);
    evmc_bytes32 size = word_of(sizeof callee_0x99);
    assert_memory_equal(r.output_data, size.bytes, 32);
    uint8_t want[32] = {PUSH1, 0x99, PUSH1, 0};
    assert_memory_equal(r.output_data + 32, want, 32);
    done(c, &r);
}

static void test_selfdestruct(void **state)
{
    (void)state;
    /* To the absent 0x99 with a balance of 10: 5000 from EIP-150 (0
     * before), + 25000 for a new account (from EIP-150; EIP-161: only when
     * value moves), + 2600 cold (EIP-2929); 24000 refund until London
     * (EIP-3529). */
    const uint8_t code[] = {PUSH1, 0x99, SELFDESTRUCT};
    static const struct {
        enum evmc_revision rev;
        int64_t cost, refund;
    } cases[] = {{EVMC_FRONTIER, 0, 24000},
                 {EVMC_TANGERINE_WHISTLE, 30000, 24000},
                 {EVMC_BERLIN, 32600, 24000},
                 {EVMC_LONDON, 32600, 0},
                 {EVMC_CANCUN, 32600, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct evmc_host_context *c = new_host(cases[i].rev);
        evmc_address self = addr_of(CONTRACT_ID), to = addr_of(0x99);
        find_or_add(c, &self)->balance = 10;
        struct evmc_result r = run(c, code, sizeof code, 50000);
        expect(&r, EVMC_SUCCESS, 50000 - 3 - cases[i].cost, cases[i].refund);
        assert_int_equal(find(c, &to)->balance, 10);
        assert_true(find(c, &self)->destructed);
        done(c, &r);
    }
}

/* What test_recursion's contract leaves, mirrored: 5 pushes, ADDRESS and
 * GAS (19), CALL 100 (warm self), all but a 64th to the callee; the
 * deepest frame cannot pay for its CALL and fails. */
static int64_t self_call_left(int64_t gas, int depth, bool *ok, int *deepest)
{
    if (gas < 119) {
        *ok = false;
        return 0;
    }
    int64_t avail = gas - 119;
    int64_t callee = avail - avail / 64;
    *ok = true;
    if (depth + 1 > 1024)
        return avail;
    *deepest = depth + 1;
    bool callee_ok;
    int64_t back = self_call_left(callee, depth + 1, &callee_ok, deepest);
    return avail - callee + (callee_ok ? back : 0);
}

static void test_recursion(void **state)
{
    (void)state;
    /* The contract calls itself with all the gas it may pass on, until a
     * frame runs out: hundreds of nested executions through the host. */
    const uint8_t code[] = {PUSH1, 0, PUSH1, 0, PUSH1, 0, PUSH1, 0, PUSH1, 0, ADDRESS, GAS, CALL, STOP};
    struct evmc_host_context *c = new_host(EVMC_CANCUN);
    struct evmc_result r = run(c, code, sizeof code, 1000000);
    bool ok;
    int deepest = 0;
    int64_t left = self_call_left(1000000, 0, &ok, &deepest);
    assert_true(ok);
    expect(&r, EVMC_SUCCESS, left, 0);
    assert_int_equal(c->max_depth, deepest);
    assert_true(deepest > 300);
    done(c, &r);
}

/* test_recursion to depth 1024 (gas enough for 63/64 per call), called
 * from a host thread with a 1 MiB stack: parevm runs the frames on a
 * thread of its own when the host's stack is too small (it used to
 * overflow the host's). */
struct recursion_job {
    struct evmc_host_context *c;
    struct evmc_result r;
};

static void *recursion_thread(void *p)
{
    struct recursion_job *job = p;
    const uint8_t code[] = {PUSH1, 0, PUSH1, 0, PUSH1, 0, PUSH1, 0, PUSH1, 0, ADDRESS, GAS, CALL, STOP};
    job->r = run(job->c, code, sizeof code, 1000000000000);
    return NULL;
}

static void test_recursion_small_host_thread(void **state)
{
    (void)state;
    struct recursion_job job = {new_host(EVMC_CANCUN), {0}};
    pthread_attr_t attr;
    pthread_t tid;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, (size_t)1 << 20), 0);
    assert_int_equal(pthread_create(&tid, &attr, recursion_thread, &job), 0);
    pthread_join(tid, NULL);
    pthread_attr_destroy(&attr);
    bool ok;
    int deepest = 0;
    int64_t left = self_call_left(1000000000000, 0, &ok, &deepest);
    assert_true(ok);
    assert_int_equal(deepest, 1024);
    expect(&job.r, EVMC_SUCCESS, left, 0);
    assert_int_equal(job.c->max_depth, 1024);
    done(job.c, &job.r);
}

static void test_rejected(void **state)
{
    (void)state;
    const uint8_t code[] = {STOP};
    struct evmc_host_context *c = new_host(EVMC_EXPERIMENTAL);
    struct evmc_result r = run(c, code, sizeof code, 100);
    expect(&r, EVMC_REJECTED, 0, 0);
    release(&r);
    c->rev = EVMC_CANCUN;
    struct evmc_message m;
    memset(&m, 0, sizeof m);
    m.gas = 100;
    m.depth = 1025;
    r = vm->execute(vm, &host_iface, c, EVMC_CANCUN, &m, code, sizeof code);
    expect(&r, EVMC_REJECTED, 0, 0);
    release(&r);
    /* Empty code: nothing to run, all gas back. */
    m.depth = 0;
    r = vm->execute(vm, &host_iface, c, EVMC_CANCUN, &m, NULL, 0);
    expect(&r, EVMC_SUCCESS, 100, 0);
    done(c, &r);
}

/* Revisions after Osaka (EVMC_EXPERIMENTAL, values beyond the enum) are
 * rejected before anything runs, whatever the code, gas or host. */
static void test_rejected_later_revisions(void **state)
{
    (void)state;
    const uint8_t code[] = {PUSH1, 1, PUSH1, 2, ADD, STOP};
    const int revisions[] = {EVMC_EXPERIMENTAL, EVMC_EXPERIMENTAL + 1, 100};
    for (size_t i = 0; i < sizeof revisions / sizeof revisions[0]; i++) {
        struct evmc_host_context *c = new_host((enum evmc_revision)revisions[i]);
        struct evmc_result r = run(c, code, sizeof code, 100000);
        expect(&r, EVMC_REJECTED, 0, 0);
        done(c, &r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_set_option),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_clz),
        cmocka_unit_test(test_storage_set),
        cmocka_unit_test(test_storage_refunds),
        cmocka_unit_test(test_storage_failures),
        cmocka_unit_test(test_transient_storage),
        cmocka_unit_test(test_logs),
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_call_value),
        cmocka_unit_test(test_staticcall_violation),
        cmocka_unit_test(test_revert),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_out_of_gas),
        cmocka_unit_test(test_halts),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_account_access),
        cmocka_unit_test(test_selfdestruct),
        cmocka_unit_test(test_recursion),
        cmocka_unit_test(test_recursion_small_host_thread),
        cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_rejected_later_revisions),
    };
    return cmocka_run_group_tests(tests, load_vm, unload_vm);
}
