/*
 * vm.c — parevm as an EVMC VM (ABI 12): evmc_create_parevm and the
 * evmc_vm methods.
 *
 * execute runs one message's code in the interpreter's host mode
 * (hostmode.h): every state access, context read and nested message
 * goes through the host's callbacks; the host runs nested messages by
 * calling execute again. Each execution borrows an interpreter (struct
 * evm: stack and memory buffers) from a small per-VM cache, so one VM may
 * serve recursive and concurrent executions.
 */
#include "evmc.h"
#include "hostmode.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/parevm.h" /* PAREVM_VERSION */
#include "../base/deep_stack.h"
#include "../evm/evm.h"
#include "../state/code.h"

#if defined(__GNUC__)
#define PAREVM_EXPORT __attribute__((visibility("default")))
#else
#define PAREVM_EXPORT
#endif

/* Idle interpreters kept for reuse (one per level of host recursion that
 * is commonly live at once). */
#define VM_CACHE_SIZE 8

struct parevm_vm {
    struct evmc_vm vm;    /* first: the host holds a pointer to it */
    pthread_mutex_t lock; /* guards the cache; executions may run concurrently */
    bool cache_enabled;   /* option "frame-cache" */
    struct evm *idle[VM_CACHE_SIZE];
    int idle_count;
};

static struct parevm_vm *as_parevm(struct evmc_vm *vm)
{
    return (struct parevm_vm *)vm;
}

/* An interpreter for one execution: from the cache, or new. NULL on ENOMEM. */
static struct evm *interpreter_acquire(struct parevm_vm *pv)
{
    struct evm *evm = NULL;
    pthread_mutex_lock(&pv->lock);
    if (pv->idle_count > 0)
        evm = pv->idle[--pv->idle_count];
    pthread_mutex_unlock(&pv->lock);
    if (evm)
        return evm;
    evm = malloc(sizeof *evm);
    if (!evm)
        return NULL;
    evm_init(evm);
    if (!evm->pool) {
        free(evm);
        return NULL;
    }
    return evm;
}

static void interpreter_destroy(struct evm *evm)
{
    evm_free(evm);
    free(evm);
}

static void interpreter_release(struct parevm_vm *pv, struct evm *evm)
{
    evm->host = NULL;
    evm->host_ops = NULL;
    pthread_mutex_lock(&pv->lock);
    if (pv->cache_enabled && pv->idle_count < VM_CACHE_SIZE) {
        pv->idle[pv->idle_count++] = evm;
        evm = NULL;
    }
    pthread_mutex_unlock(&pv->lock);
    if (evm)
        interpreter_destroy(evm);
}

static void vm_destroy(struct evmc_vm *vm)
{
    struct parevm_vm *pv = as_parevm(vm);
    for (int i = 0; i < pv->idle_count; i++)
        interpreter_destroy(pv->idle[i]);
    pthread_mutex_destroy(&pv->lock);
    free(pv);
}

static evmc_capabilities_flagset vm_get_capabilities(struct evmc_vm *vm)
{
    (void)vm;
    return EVMC_CAPABILITY_EVM1;
}

/*
 * Options (name: values):
 *   frame-cache: on | off  reuse interpreter buffers between executions
 *                          (default on; off frees them after each one)
 */
static enum evmc_set_option_result vm_set_option(struct evmc_vm *vm, char const *name, char const *value)
{
    struct parevm_vm *pv = as_parevm(vm);
    if (!name || strcmp(name, "frame-cache") != 0)
        return EVMC_SET_OPTION_INVALID_NAME;
    bool on;
    if (value && strcmp(value, "on") == 0)
        on = true;
    else if (value && strcmp(value, "off") == 0)
        on = false;
    else
        return EVMC_SET_OPTION_INVALID_VALUE;
    struct evm *drop[VM_CACHE_SIZE];
    int ndrop = 0;
    pthread_mutex_lock(&pv->lock);
    pv->cache_enabled = on;
    if (!on) {
        ndrop = pv->idle_count;
        memcpy(drop, pv->idle, sizeof(drop[0]) * (size_t)ndrop);
        pv->idle_count = 0;
    }
    pthread_mutex_unlock(&pv->lock);
    for (int i = 0; i < ndrop; i++)
        interpreter_destroy(drop[i]);
    return EVMC_SET_OPTION_SUCCESS;
}

static void release_output(const struct evmc_result *result)
{
    free((void *)result->output_data);
}

static enum evmc_status_code status_to_evmc(enum evm_status s, int error)
{
    switch (s) {
    case EVM_SUCCESS:
        return EVMC_SUCCESS;
    case EVM_REVERT:
        return EVMC_REVERT;
    case EVM_OUT_OF_GAS:
        return EVMC_OUT_OF_GAS;
    case EVM_UNDEFINED_INSTRUCTION:
        return EVMC_UNDEFINED_INSTRUCTION;
    case EVM_INVALID_INSTRUCTION:
        return EVMC_INVALID_INSTRUCTION;
    case EVM_STACK_UNDERFLOW:
        return EVMC_STACK_UNDERFLOW;
    case EVM_STACK_OVERFLOW:
        return EVMC_STACK_OVERFLOW;
    case EVM_BAD_JUMP_DESTINATION:
        return EVMC_BAD_JUMP_DESTINATION;
    case EVM_STATIC_MODE_VIOLATION:
        return EVMC_STATIC_MODE_VIOLATION;
    case EVM_INVALID_MEMORY_ACCESS:
        return EVMC_INVALID_MEMORY_ACCESS;
    case EVM_PRECOMPILE_FAILURE:
        return EVMC_PRECOMPILE_FAILURE;
    case EVM_INTERNAL_ERROR:
        return error == PAREVM_ERR_NOMEM ? EVMC_OUT_OF_MEMORY : EVMC_INTERNAL_ERROR;
    default: /* creation failures are the host's to report in EVMC */
        return EVMC_FAILURE;
    }
}

static struct evmc_result result_of(enum evmc_status_code status, int64_t gas_left)
{
    struct evmc_result r;
    memset(&r, 0, sizeof r);
    r.status_code = status;
    r.gas_left = gas_left;
    return r;
}

/* Translate the host's message. False if parevm cannot run it. */
static bool message_from_evmc(const struct evmc_message *in, struct evm_message *out)
{
    switch (in->kind) {
    case EVMC_CALL:
        out->kind = (in->flags & EVMC_STATIC) ? EVM_STATICCALL : EVM_CALL;
        break;
    case EVMC_DELEGATECALL:
        out->kind = EVM_DELEGATECALL;
        break;
    case EVMC_CALLCODE:
        out->kind = EVM_CALLCODE;
        break;
    case EVMC_CREATE:
        out->kind = EVM_CREATE;
        break;
    case EVMC_CREATE2:
        out->kind = EVM_CREATE2;
        break;
    default: /* EOFCREATE: EOF is not implemented */
        return false;
    }
    out->is_static = (in->flags & EVMC_STATIC) != 0;
    out->depth = in->depth;
    out->gas = in->gas;
    memcpy(out->recipient.bytes, in->recipient.bytes, 20);
    memcpy(out->sender.bytes, in->sender.bytes, 20);
    memcpy(out->code_address.bytes, in->code_address.bytes, 20);
    out->value = u256_from_be32(in->value.bytes);
    out->transfers_value = in->kind != EVMC_DELEGATECALL;
    out->delegated = (in->flags & EVMC_DELEGATED) != 0; /* EIP-7702 */
    out->input = in->input_size ? in->input_data : NULL;
    out->input_len = in->input_size;
    return true;
}

/* The fork of each EVMC revision parevm runs (Frontier .. Osaka). */
static const enum fork revision_forks[] = {
    [EVMC_FRONTIER] = FORK_FRONTIER,
    [EVMC_HOMESTEAD] = FORK_HOMESTEAD,
    [EVMC_TANGERINE_WHISTLE] = FORK_TANGERINE,
    [EVMC_SPURIOUS_DRAGON] = FORK_SPURIOUS,
    [EVMC_BYZANTIUM] = FORK_BYZANTIUM,
    [EVMC_CONSTANTINOPLE] = FORK_CONSTANTINOPLE,
    [EVMC_PETERSBURG] = FORK_PETERSBURG,
    [EVMC_ISTANBUL] = FORK_ISTANBUL,
    [EVMC_BERLIN] = FORK_BERLIN,
    [EVMC_LONDON] = FORK_LONDON,
    [EVMC_PARIS] = FORK_PARIS,
    [EVMC_SHANGHAI] = FORK_SHANGHAI,
    [EVMC_CANCUN] = FORK_CANCUN,
    [EVMC_PRAGUE] = FORK_PRAGUE,
    [EVMC_OSAKA] = FORK_OSAKA,
};

/* The fork of rev; false for a revision parevm does not run
 * (EVMC_EXPERIMENTAL, unknown values, a fork not implemented: EVMC's
 * EVMC_REJECTED, never an older revision's rules). */
static bool fork_of_revision(enum evmc_revision rev, enum fork *out)
{
    if ((int)rev < 0 || (size_t)rev >= sizeof revision_forks / sizeof revision_forks[0])
        return false;
    *out = revision_forks[rev];
    return fork_implemented(*out);
}

/*
 * Run code for msg against the host. Rejected (EVMC_REJECTED, nothing
 * run): revisions after Osaka, EOFCREATE, missing host or message,
 * depth outside 0..1024, negative gas, input or code sizes without data.
 */
static struct evmc_result vm_execute_here(struct evmc_vm *vm, const struct evmc_host_interface *host,
                                          struct evmc_host_context *context, enum evmc_revision rev,
                                          const struct evmc_message *msg, uint8_t const *code, size_t code_size)
{
    struct parevm_vm *pv = as_parevm(vm);
    struct evm_message m;
    enum fork fork;
    if (!host || !msg || !fork_of_revision(rev, &fork) || msg->depth < 0 || msg->depth > EVM_MAX_DEPTH ||
        msg->gas < 0 || (code_size && !code) || (msg->input_size && !msg->input_data) ||
        !message_from_evmc(msg, &m))
        return result_of(EVMC_REJECTED, 0);
    if (code_size == 0)
        return result_of(EVMC_SUCCESS, msg->gas); /* nothing to run: STOP */

    struct code *c = code_new(code, code_size);
    if (!c)
        return result_of(EVMC_OUT_OF_MEMORY, 0);
    struct evm *evm = interpreter_acquire(pv);
    if (!evm) {
        code_release(c);
        return result_of(EVMC_OUT_OF_MEMORY, 0);
    }
    struct evm_host h;
    memset(&h, 0, sizeof h);
    h.iface = host;
    h.ctx = context;
    evm->fork = fork;
    evm->block = NULL;
    evm->tx = NULL;
    evm->journal = NULL;
    evm->tracer = NULL;
    evm->error = PAREVM_OK;
    evm->host = &h;
    evm->host_ops = &hostmode_ops;

    struct evm_result r;
    evm_run_code(evm, &m, c, &r);
    code_release(c);

    struct evmc_result res = result_of(status_to_evmc(r.status, evm->error), r.gas_left);
    if (r.status == EVM_SUCCESS)
        res.gas_refund = h.refund;
    if (r.output_len) {
        res.output_data = r.output;
        res.output_size = r.output_len;
        res.release = release_output;
    } else {
        free(r.output);
    }
    interpreter_release(pv, evm);
    return res;
}

/* vm_execute's arguments, to run it on a thread with stack enough. */
struct vm_execute_call {
    struct evmc_vm *vm;
    const struct evmc_host_interface *host;
    struct evmc_host_context *context;
    enum evmc_revision rev;
    const struct evmc_message *msg;
    uint8_t const *code;
    size_t code_size;
    struct evmc_result result;
};

static void vm_execute_thunk(void *p)
{
    struct vm_execute_call *c = p;
    c->result = vm_execute_here(c->vm, c->host, c->context, c->rev, c->msg, c->code, c->code_size);
}

/*
 * vm_execute_here on a stack with room for the frames from msg's depth
 * down to 1024: the host's thread when it has that much left, else a
 * thread of parevm's own (the host's nested calls then run there too).
 * EVMC_OUT_OF_MEMORY when no such thread could be created.
 */
static struct evmc_result vm_execute(struct evmc_vm *vm, const struct evmc_host_interface *host,
                                     struct evmc_host_context *context, enum evmc_revision rev,
                                     const struct evmc_message *msg, uint8_t const *code, size_t code_size)
{
    struct vm_execute_call c = {vm, host, context, rev, msg, code, code_size, {0}};
    if (deep_stack_run(deep_stack_need(msg ? msg->depth : 0), vm_execute_thunk, &c) != PAREVM_OK)
        return result_of(EVMC_OUT_OF_MEMORY, 0);
    return c.result;
}

PAREVM_EXPORT struct evmc_vm *evmc_create_parevm(void)
{
    static const struct evmc_vm methods = {
        .abi_version = EVMC_ABI_VERSION,
        .name = "parevm",
        .version = PAREVM_VERSION,
        .destroy = vm_destroy,
        .execute = vm_execute,
        .get_capabilities = vm_get_capabilities,
        .set_option = vm_set_option,
    };
    struct parevm_vm *pv = calloc(1, sizeof *pv);
    if (!pv)
        return NULL;
    if (pthread_mutex_init(&pv->lock, NULL) != 0) {
        free(pv);
        return NULL;
    }
    /* abi_version is const: copy the whole initialized struct. */
    memcpy(&pv->vm, &methods, sizeof methods);
    pv->cache_enabled = true;
    return &pv->vm;
}
