/* trace.c — EIP-3155 JSON-lines tracer (see trace.h). */
#include "trace.h"

#include <inttypes.h>
#include <string.h>

#include "optable.h"

const char *trace_opcode_name(uint8_t op, char buf[32])
{
    const char *name = optable_name(op); /* opcodes.def */
    if (name)
        return name;
    snprintf(buf, 32, "opcode 0x%x not defined", (unsigned)op);
    return buf;
}

const char *trace_status_message(enum evm_status s)
{
    switch (s) {
    case EVM_SUCCESS:
        return "";
    case EVM_REVERT:
        return "execution reverted";
    case EVM_OUT_OF_GAS:
        return "out of gas";
    case EVM_UNDEFINED_INSTRUCTION:
    case EVM_INVALID_INSTRUCTION:
        return "invalid opcode";
    case EVM_STACK_UNDERFLOW:
        return "stack underflow";
    case EVM_STACK_OVERFLOW:
        return "stack limit reached 1024";
    case EVM_BAD_JUMP_DESTINATION:
        return "invalid jump destination";
    case EVM_STATIC_MODE_VIOLATION:
        return "write protection";
    case EVM_INVALID_MEMORY_ACCESS:
        return "return data out of bounds";
    case EVM_CREATE_COLLISION:
        return "contract address collision";
    case EVM_CONTRACT_TOO_LARGE:
        return "max code size exceeded";
    case EVM_INVALID_CODE_PREFIX:
        return "invalid code: must not begin with 0xef";
    case EVM_PRECOMPILE_FAILURE:
        return "precompiled contract failed";
    case EVM_INTERNAL_ERROR:
        break;
    }
    return "internal error";
}

/* ---- formatting ---- */

static const char hex_digits[] = "0123456789abcdef";

static void put(struct trace_json *t, struct bytebuf *b, const void *data, size_t len)
{
    if (bytebuf_append(b, data, len) && !t->error)
        t->error = PAREVM_ERR_NOMEM;
}

static void put_str(struct trace_json *t, struct bytebuf *b, const char *s)
{
    put(t, b, s, strlen(s));
}

static void put_u64(struct trace_json *t, struct bytebuf *b, uint64_t v)
{
    char s[24];
    int n = snprintf(s, sizeof s, "%" PRIu64, v);
    put(t, b, s, (size_t)n);
}

static void put_i64(struct trace_json *t, struct bytebuf *b, int64_t v)
{
    char s[24];
    int n = snprintf(s, sizeof s, "%" PRId64, v);
    put(t, b, s, (size_t)n);
}

/* "0x.." minimal hex of a 64-bit quantity, quoted. */
static void put_hex_u64(struct trace_json *t, struct bytebuf *b, uint64_t v)
{
    char s[24];
    int n = snprintf(s, sizeof s, "\"0x%" PRIx64 "\"", v);
    put(t, b, s, (size_t)n);
}

static void put_hex_u256(struct trace_json *t, struct bytebuf *b, const u256 *v)
{
    char s[72];
    s[0] = '"';
    u256_to_hex(v, s + 1);
    size_t n = strlen(s);
    s[n++] = '"';
    put(t, b, s, n);
}

/* Raw bytes as hex (no quotes), 0x-prefixed when prefix. */
static void put_bytes_hex(struct trace_json *t, struct bytebuf *b, const uint8_t *data, size_t len,
                          bool prefix)
{
    if (prefix)
        put(t, b, "0x", 2);
    char chunk[256];
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        chunk[k++] = hex_digits[data[i] >> 4];
        chunk[k++] = hex_digits[data[i] & 15];
        if (k == sizeof chunk) {
            put(t, b, chunk, k);
            k = 0;
        }
    }
    if (k)
        put(t, b, chunk, k);
}

static void emit(struct trace_json *t, const struct bytebuf *b)
{
    if (t->error || !t->out || b->len == 0)
        return;
    if (fwrite(b->data, 1, b->len, t->out) != b->len)
        t->error = PAREVM_ERR_IO;
}

/* Finish the pending instruction's line with its cost (and error). */
static void flush_pending(struct trace_json *t, int64_t gas_now, const char *error)
{
    if (!t->pending)
        return;
    t->pending = false;
    bytebuf_reset(&t->line);
    put(t, &t->line, t->head.data, t->head.len);
    put_str(t, &t->line, "\"gasCost\":");
    int64_t cost = t->pending_gas - gas_now;
    put_hex_u64(t, &t->line, cost > 0 ? (uint64_t)cost : 0);
    put(t, &t->line, ",", 1);
    put(t, &t->line, t->tail.data, t->tail.len);
    if (error && *error) {
        put_str(t, &t->line, ",\"error\":\"");
        put_str(t, &t->line, error);
        put(t, &t->line, "\"", 1);
    }
    put(t, &t->line, "}\n", 2);
    emit(t, &t->line);
}

/* ---- callbacks ---- */

static void on_step(struct evm_tracer *base, const struct evm_trace_step *s)
{
    struct trace_json *t = (struct trace_json *)base;
    /* Normally flushed already (the previous instruction of this frame, or
     * the caller's CALL by on_charged); the gas tells the cost. */
    flush_pending(t, s->gas, NULL);
    bytebuf_reset(&t->head);
    bytebuf_reset(&t->tail);
    put_str(t, &t->head, "{\"pc\":");
    put_u64(t, &t->head, s->pc);
    put_str(t, &t->head, ",\"op\":");
    put_u64(t, &t->head, s->op);
    put_str(t, &t->head, ",\"gas\":");
    put_hex_u64(t, &t->head, s->gas > 0 ? (uint64_t)s->gas : 0);
    put(t, &t->head, ",", 1);

    if (t->with_memory && s->mem_size && s->memory) {
        put_str(t, &t->tail, "\"memory\":\"");
        put_bytes_hex(t, &t->tail, s->memory, s->mem_size, true);
        put_str(t, &t->tail, "\",");
    }
    put_str(t, &t->tail, "\"memSize\":");
    put_u64(t, &t->tail, s->mem_size);
    if (t->stack_null) {
        put_str(t, &t->tail, ",\"stack\":null");
    } else {
        put_str(t, &t->tail, ",\"stack\":[");
        for (size_t i = 0; i < s->stack_height; i++) {
            if (i)
                put(t, &t->tail, ",", 1);
            put_hex_u256(t, &t->tail, &s->stack[i]);
        }
        put(t, &t->tail, "]", 1);
    }
    put_str(t, &t->tail, ",\"depth\":");
    put_u64(t, &t->tail, (uint64_t)s->depth + 1);
    if (t->return_data == TRACE_RETURN_DATA_ALWAYS ||
        (t->return_data == TRACE_RETURN_DATA_NONEMPTY && s->return_data_len)) {
        put_str(t, &t->tail, ",\"returnData\":\"");
        put_bytes_hex(t, &t->tail, s->return_data, s->return_data_len, true);
        put(t, &t->tail, "\"", 1);
    }
    put_str(t, &t->tail, ",\"refund\":");
    put_i64(t, &t->tail, s->refund);
    put_str(t, &t->tail, ",\"opName\":\"");
    char name[32];
    put_str(t, &t->tail, trace_opcode_name(s->op, name));
    put(t, &t->tail, "\"", 1);

    t->pending = true;
    t->pending_gas = s->gas;
    t->pending_op = s->op;
}

static void on_charged(struct evm_tracer *base, int64_t gas_left)
{
    flush_pending((struct trace_json *)base, gas_left, NULL);
}

static void on_exit(struct evm_tracer *base, int depth, enum evm_status status, int64_t gas_left)
{
    (void)depth;
    struct trace_json *t = (struct trace_json *)base;
    if (!t->pending)
        return;
    /* The frame's last instruction: it failed when the frame did (a
     * REVERT or RETURN ends the frame without failing itself). */
    char msg[64];
    const char *error = NULL;
    if (status != EVM_SUCCESS && status != EVM_REVERT) {
        error = trace_status_message(status);
        if (status == EVM_UNDEFINED_INSTRUCTION || status == EVM_INVALID_INSTRUCTION) {
            char name[32];
            snprintf(msg, sizeof msg, "invalid opcode: %s", trace_opcode_name(t->pending_op, name));
            error = msg;
        }
    }
    flush_pending(t, gas_left, error);
}

static void on_tx_end(struct evm_tracer *base, const uint8_t *output, size_t output_len, uint64_t gas_used,
                      enum evm_status status)
{
    struct trace_json *t = (struct trace_json *)base;
    flush_pending(t, t->pending_gas, NULL);
    bytebuf_reset(&t->line);
    put_str(t, &t->line, "{\"output\":\"");
    put_bytes_hex(t, &t->line, output, output_len, false);
    put_str(t, &t->line, "\",\"gasUsed\":");
    put_hex_u64(t, &t->line, gas_used);
    if (status != EVM_SUCCESS) {
        put_str(t, &t->line, ",\"error\":\"");
        put_str(t, &t->line, trace_status_message(status));
        put(t, &t->line, "\"", 1);
    }
    put(t, &t->line, "}\n", 2);
    emit(t, &t->line);
}

void trace_json_init(struct trace_json *t, FILE *out)
{
    memset(t, 0, sizeof *t);
    t->base.on_step = on_step;
    t->base.on_charged = on_charged;
    t->base.on_exit = on_exit;
    t->base.on_tx_end = on_tx_end;
    t->out = out;
}

void trace_json_free(struct trace_json *t)
{
    flush_pending(t, t->pending_gas, NULL);
    bytebuf_free(&t->head);
    bytebuf_free(&t->tail);
    bytebuf_free(&t->line);
}

void trace_json_state_root(struct trace_json *t, const uint8_t root[32])
{
    flush_pending(t, t->pending_gas, NULL);
    bytebuf_reset(&t->line);
    put_str(t, &t->line, "{\"stateRoot\":\"");
    put_bytes_hex(t, &t->line, root, 32, true);
    put_str(t, &t->line, "\"}\n");
    emit(t, &t->line);
}
