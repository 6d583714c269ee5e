/*
 * EIP-3155 traces (evm/trace.h): every line parses as JSON with the
 * fields in the EIP's order and types; a small program's trace matches
 * exactly; the EIP's own example (Istanbul, `evm run` of a program that
 * MSTORE8s, SSTOREs and STATICCALLs sha256) reproduces its values; gas
 * costs of CALL (including the gas handed over) and CREATE (excluding
 * it); nested frames appear in execution order; faulting instructions
 * carry "error"; tracing changes nothing about the execution.
 *
 * Not here: tracing through the parallel engine. exec/scheduler.c has no
 * hook for a per-incarnation tracer, so `run --trace` runs sequentially.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/base/hex.h"
#include "../src/chain/transition.h"
#include "../src/evm/evm.h"
#include "../src/evm/trace.h"
#include "../src/state/journal.h"
#include "../src/state/world.h"

static const char *const field_order[] = {"pc",    "op",         "gas",    "gasCost", "memSize", "stack",
                                          "depth", "returnData", "refund", "opName",  "error"};
#define FIELD_COUNT (sizeof field_order / sizeof field_order[0])

static address addr_of(uint32_t n)
{
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[0] = 0xcc;
    a.bytes[18] = (uint8_t)(n >> 8);
    a.bytes[19] = (uint8_t)n;
    return a;
}

static void set_code_hex(struct world *w, const address *a, const char *hex)
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

/* The lines of a trace, split and NUL-terminated (owned by `text`). */
struct lines {
    char *text;
    size_t text_len;
    char **line;
    size_t count;
};

static void lines_split(struct lines *l)
{
    l->line = NULL;
    l->count = 0;
    size_t cap = 0;
    char *p = l->text;
    char *end = l->text + l->text_len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl); /* every line ends with a newline */
        *nl = '\0';
        if (l->count == cap) {
            cap = cap ? cap * 2 : 64;
            l->line = realloc(l->line, cap * sizeof *l->line);
            assert_non_null(l->line);
        }
        l->line[l->count++] = p;
        p = nl + 1;
    }
}

static void lines_free(struct lines *l)
{
    free(l->text);
    free(l->line);
    memset(l, 0, sizeof *l);
}

/* Run `code` at depth 0 like geth's `evm run`: a call to a contract
 * holding it, with `gas`, no intrinsic gas. extra_code/extra_addr: a
 * second contract (may be NULL). */
static void run_code(enum fork fork, const char *code, const char *extra_code, int64_t gas, struct lines *out,
                     enum evm_status *status_out)
{
    struct world w;
    world_init(&w);
    address self = addr_of(1), caller = addr_of(0xee);
    set_code_hex(&w, &self, code);
    if (extra_code) {
        address other = addr_of(2);
        set_code_hex(&w, &other, extra_code);
    }
    struct world_account *acct = world_get_or_create(&w, &caller);
    acct->balance = u256_from_u64(1000000000);

    struct block_env env;
    memset(&env, 0, sizeof env);
    env.fork = fork;
    env.chain_id = 1;
    env.number = 1;
    env.gas_limit = 30000000;
    struct tx_env txe;
    memset(&txe, 0, sizeof txe);
    txe.origin = caller;

    struct world_view wv = {&w, NULL, NULL};
    struct state_view view = world_view_make(&wv);
    struct journal j;
    journal_init(&j);
    journal_begin(&j, &view, fork_journal_rules(fork));
    struct evm evm;
    evm_init(&evm);
    evm_begin(&evm, &env, &txe, &j);

    memset(out, 0, sizeof *out);
    FILE *f = open_memstream(&out->text, &out->text_len);
    assert_non_null(f);
    struct trace_json tj;
    trace_json_init(&tj, f);
    evm.tracer = &tj.base;

    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CALL;
    m.gas = gas;
    m.sender = caller;
    m.recipient = self;
    m.code_address = self;
    m.transfers_value = true;
    struct evm_result r;
    evm_call(&evm, &m, &r);
    assert_int_not_equal(r.status, EVM_INTERNAL_ERROR);
    tj.base.on_tx_end(&tj.base, r.output, r.output_len, (uint64_t)(gas - r.gas_left), r.status);
    if (status_out)
        *status_out = r.status;
    free(r.output);
    trace_json_free(&tj);
    assert_int_equal(tj.error, PAREVM_OK);
    assert_int_equal(fclose(f), 0);
    evm_free(&evm);
    journal_free(&j);
    world_free(&w);
    lines_split(out);
}

/* A step line: every field present in order, with its JSON type. */
static cJSON *check_step_line(const char *text)
{
    cJSON *o = cJSON_Parse(text);
    assert_non_null(o);
    assert_true(cJSON_IsObject(o));
    size_t k = 0;
    for (cJSON *c = o->child; c; c = c->next, k++) {
        assert_true(k < FIELD_COUNT);
        assert_string_equal(c->string, field_order[k]);
        const char *name = c->string;
        if (!strcmp(name, "pc") || !strcmp(name, "op") || !strcmp(name, "memSize") ||
            !strcmp(name, "depth") || !strcmp(name, "refund")) {
            assert_true(cJSON_IsNumber(c));
        } else if (!strcmp(name, "stack")) {
            assert_true(cJSON_IsArray(c));
            for (cJSON *e = c->child; e; e = e->next) {
                assert_true(cJSON_IsString(e));
                assert_true(!strncmp(e->valuestring, "0x", 2));
                /* minimal hex: no leading zero digit */
                assert_true(strlen(e->valuestring) > 2);
                assert_true(e->valuestring[2] != '0' || e->valuestring[3] == '\0');
            }
        } else {
            assert_true(cJSON_IsString(c));
            if (!strcmp(name, "gas") || !strcmp(name, "gasCost") || !strcmp(name, "returnData"))
                assert_true(!strncmp(c->valuestring, "0x", 2));
        }
    }
    /* All but "error" are required. */
    assert_true(k == FIELD_COUNT - 1 || k == FIELD_COUNT);
    return o;
}

static int64_t hex_field(const cJSON *o, const char *name)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, name);
    assert_true(cJSON_IsString(c));
    return (int64_t)strtoull(c->valuestring, NULL, 16);
}

static int num_field(const cJSON *o, const char *name)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, name);
    assert_true(cJSON_IsNumber(c));
    return c->valueint;
}

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(c) ? c->valuestring : NULL;
}

/* PUSH1 1 PUSH1 2 ADD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: exact text. */
static void test_small_program_exact(void **state)
{
    (void)state;
    struct lines l;
    enum evm_status st;
    run_code(FORK_CANCUN,
             "0x6001600201600052602060"
             "00f3",
             NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_SUCCESS);
    static const char *const want[] = {
        "{\"pc\":0,\"op\":96,\"gas\":\"0x186a0\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[],\"depth\":1,"
        "\"returnData\":\"0x\",\"refund\":0,\"opName\":\"PUSH1\"}",
        "{\"pc\":2,\"op\":96,\"gas\":\"0x1869d\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[\"0x1\"],"
        "\"depth\":1,"
        "\"returnData\":\"0x\",\"refund\":0,\"opName\":\"PUSH1\"}",
        "{\"pc\":4,\"op\":1,\"gas\":\"0x1869a\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[\"0x1\",\"0x2\"]"
        ","
        "\"depth\":1,\"returnData\":\"0x\",\"refund\":0,\"opName\":\"ADD\"}",
        "{\"pc\":5,\"op\":96,\"gas\":\"0x18697\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[\"0x3\"],"
        "\"depth\":1,"
        "\"returnData\":\"0x\",\"refund\":0,\"opName\":\"PUSH1\"}",
        "{\"pc\":7,\"op\":82,\"gas\":\"0x18694\",\"gasCost\":\"0x6\",\"memSize\":0,\"stack\":[\"0x3\","
        "\"0x0\"],"
        "\"depth\":1,\"returnData\":\"0x\",\"refund\":0,\"opName\":\"MSTORE\"}",
        "{\"pc\":8,\"op\":96,\"gas\":\"0x1868e\",\"gasCost\":\"0x3\",\"memSize\":32,\"stack\":[],\"depth\":1,"
        "\"returnData\":\"0x\",\"refund\":0,\"opName\":\"PUSH1\"}",
        "{\"pc\":10,\"op\":96,\"gas\":\"0x1868b\",\"gasCost\":\"0x3\",\"memSize\":32,\"stack\":[\"0x20\"],"
        "\"depth\":1,\"returnData\":\"0x\",\"refund\":0,\"opName\":\"PUSH1\"}",
        "{\"pc\":12,\"op\":243,\"gas\":\"0x18688\",\"gasCost\":\"0x0\",\"memSize\":32,\"stack\":[\"0x20\","
        "\"0x0\"],"
        "\"depth\":1,\"returnData\":\"0x\",\"refund\":0,\"opName\":\"RETURN\"}",
        "{\"output\":\"0000000000000000000000000000000000000000000000000000000000000003\",\"gasUsed\":"
        "\"0x18\"}",
    };
    assert_int_equal(l.count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < l.count; i++) {
        assert_string_equal(l.line[i], want[i]);
        if (i + 1 < l.count)
            cJSON_Delete(check_step_line(l.line[i]));
    }
    lines_free(&l);
}

/* EIP-3155's test case: `evm --code 6040805360406040556040600060406000600
 * 25afa6040f3 run` (Istanbul rules, 10^10 gas). Values from the EIP; its
 * sample shows memSize 96 already before the MSTORE8 that grows memory
 * (an old geth quirk) while its text says memSize is taken before the
 * operation, as here. */
static void test_eip3155_example(void **state)
{
    (void)state;
    struct lines l;
    enum evm_status st;
    run_code(FORK_ISTANBUL, "0x604080536040604055604060006040600060025afa6040f3", NULL, 10000000000, &l, &st);
    assert_int_equal(st, EVM_SUCCESS);
    static const struct {
        int pc, op;
        int64_t gas, cost;
        int mem;
        const char *stack, *ret, *name;
    } want[] = {
        {0, 96, 0x2540be400, 0x3, 0, "[]", "0x", "PUSH1"},
        {2, 128, 0x2540be3fd, 0x3, 0, "[\"0x40\"]", "0x", "DUP1"},
        {3, 83, 0x2540be3fa, 0xc, 0, "[\"0x40\",\"0x40\"]", "0x", "MSTORE8"},
        {4, 96, 0x2540be3ee, 0x3, 96, "[]", "0x", "PUSH1"},
        {6, 96, 0x2540be3eb, 0x3, 96, "[\"0x40\"]", "0x", "PUSH1"},
        {8, 85, 0x2540be3e8, 0x4e20, 96, "[\"0x40\",\"0x40\"]", "0x", "SSTORE"},
        {9, 96, 0x2540b95c8, 0x3, 96, "[]", "0x", "PUSH1"},
        {11, 96, 0x2540b95c5, 0x3, 96, "[\"0x40\"]", "0x", "PUSH1"},
        {13, 96, 0x2540b95c2, 0x3, 96, "[\"0x40\",\"0x0\"]", "0x", "PUSH1"},
        {15, 96, 0x2540b95bf, 0x3, 96, "[\"0x40\",\"0x0\",\"0x40\"]", "0x", "PUSH1"},
        {17, 96, 0x2540b95bc, 0x3, 96, "[\"0x40\",\"0x0\",\"0x40\",\"0x0\"]", "0x", "PUSH1"},
        {19, 90, 0x2540b95b9, 0x2, 96, "[\"0x40\",\"0x0\",\"0x40\",\"0x0\",\"0x2\"]", "0x", "GAS"},
        {20, 250, 0x2540b95b7, 0x24abb676c, 96, "[\"0x40\",\"0x0\",\"0x40\",\"0x0\",\"0x2\",\"0x2540b95b7\"]",
         "0x", "STATICCALL"},
        {21, 96, 0x2540b92a7, 0x3, 96, "[\"0x1\"]",
         "0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", "PUSH1"},
        {23, 243, 0x2540b92a4, 0x0, 96, "[\"0x1\",\"0x40\"]",
         "0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", "RETURN"},
    };
    size_t n = sizeof want / sizeof want[0];
    assert_int_equal(l.count, n + 1);
    for (size_t i = 0; i < n; i++) {
        cJSON *o = check_step_line(l.line[i]);
        assert_int_equal(num_field(o, "pc"), want[i].pc);
        assert_int_equal(num_field(o, "op"), want[i].op);
        assert_int_equal(hex_field(o, "gas"), want[i].gas);
        assert_int_equal(hex_field(o, "gasCost"), want[i].cost);
        assert_int_equal(num_field(o, "memSize"), want[i].mem);
        assert_int_equal(num_field(o, "depth"), 1);
        assert_int_equal(num_field(o, "refund"), 0);
        assert_string_equal(str_field(o, "returnData"), want[i].ret);
        assert_string_equal(str_field(o, "opName"), want[i].name);
        char *stack = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "stack"));
        assert_string_equal(stack, want[i].stack);
        free(stack);
        assert_null(cJSON_GetObjectItemCaseSensitive(o, "error"));
        cJSON_Delete(o);
    }
    assert_string_equal(l.line[n], "{\"output\":\"40\",\"gasUsed\":\"0x515c\"}");
    lines_free(&l);
}

/* A CALL into a contract: the callee's lines (depth 2) come right after
 * the CALL line; the CALL's cost is static + cold access + the gas handed
 * over; after it the caller resumes with what the callee returned. */
static void test_nested_call(void **state)
{
    (void)state;
    /* caller: CALL(gas 0xffff, to 0xcc..02, 0,0,0,0,0) POP STOP */
    const char *caller = "0x600060006000600060007"
                         "3cc00000000000000000000000000000000000002"
                         "61fffff15000";
    /* callee: PUSH1 1 POP STOP */
    struct lines l;
    enum evm_status st;
    run_code(FORK_CANCUN, caller, "0x60015000", 1000000, &l, &st);
    assert_int_equal(st, EVM_SUCCESS);
    /* 5 PUSH1, PUSH20, PUSH2, CALL | PUSH1 POP STOP (depth 2) | POP STOP */
    assert_int_equal(l.count, 8 + 3 + 2 + 1);
    cJSON *call = check_step_line(l.line[7]);
    assert_string_equal(str_field(call, "opName"), "CALL");
    assert_int_equal(num_field(call, "depth"), 1);
    int64_t call_gas = hex_field(call, "gas");
    /* Cancun: warm 100 static + 2500 cold surcharge + 0xffff handed over. */
    assert_int_equal(hex_field(call, "gasCost"), 100 + 2500 + 0xffff);
    for (size_t i = 8; i < 11; i++) {
        cJSON *o = check_step_line(l.line[i]);
        assert_int_equal(num_field(o, "depth"), 2);
        if (i == 8)
            assert_int_equal(hex_field(o, "gas"), 0xffff);
        cJSON_Delete(o);
    }
    cJSON *pop = check_step_line(l.line[11]);
    assert_int_equal(num_field(pop, "depth"), 1);
    assert_string_equal(str_field(pop, "opName"), "POP");
    /* The callee used PUSH1 + POP = 5 gas. */
    assert_int_equal(hex_field(pop, "gas"), call_gas - (100 + 2500 + 0xffff) + (0xffff - 5));
    cJSON_Delete(pop);
    cJSON_Delete(call);
    lines_free(&l);
}

/* CREATE's cost excludes the gas given to the initcode (geth charges that
 * inside the operation). */
static void test_create_cost(void **state)
{
    (void)state;
    /* initcode 0x00 (STOP) stored at memory 31: PUSH1 0 PUSH1 0 MSTORE
     * PUSH1 1 PUSH1 31 PUSH1 0 CREATE STOP */
    struct lines l;
    enum evm_status st;
    run_code(FORK_CANCUN,
             "0x6000600052600160"
             "1f6000f000",
             NULL, 1000000, &l, &st);
    assert_int_equal(st, EVM_SUCCESS);
    /* 3 lines, MSTORE, 3 PUSH1 ... : initcode STOP runs at depth 2 */
    size_t create = 6;
    cJSON *o = check_step_line(l.line[create]);
    assert_string_equal(str_field(o, "opName"), "CREATE");
    /* 32000 + initcode word cost (EIP-3860: 2 per word), memory unchanged */
    assert_int_equal(hex_field(o, "gasCost"), 32000 + 2);
    cJSON_Delete(o);
    o = check_step_line(l.line[create + 1]);
    assert_int_equal(num_field(o, "depth"), 2);
    assert_string_equal(str_field(o, "opName"), "STOP");
    cJSON_Delete(o);
    lines_free(&l);
}

/* Faults: the failing instruction's line has "error", and the summary
 * says why the frame failed. */
static void test_faults(void **state)
{
    (void)state;
    struct lines l;
    enum evm_status st;
    /* PUSH1 3 JUMP: 3 is not a JUMPDEST */
    run_code(FORK_CANCUN, "0x600356", NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_BAD_JUMP_DESTINATION);
    assert_int_equal(l.count, 3);
    cJSON *o = check_step_line(l.line[1]);
    assert_string_equal(str_field(o, "opName"), "JUMP");
    assert_string_equal(str_field(o, "error"), "invalid jump destination");
    assert_int_equal(hex_field(o, "gasCost"), 8);
    cJSON_Delete(o);
    assert_string_equal(l.line[2],
                        "{\"output\":\"\",\"gasUsed\":\"0x186a0\",\"error\":\"invalid jump destination\"}");
    lines_free(&l);

    /* ADD on an empty stack */
    run_code(FORK_CANCUN, "0x01", NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_STACK_UNDERFLOW);
    assert_int_equal(l.count, 2);
    o = check_step_line(l.line[0]);
    assert_string_equal(str_field(o, "error"), "stack underflow");
    assert_int_equal(hex_field(o, "gasCost"), 3); /* the static cost, as geth */
    cJSON_Delete(o);
    lines_free(&l);

    /* Out of gas in SSTORE (cold, new: 22100 > 5000) */
    run_code(FORK_CANCUN, "0x6001600055", NULL, 5000, &l, &st);
    assert_int_equal(st, EVM_OUT_OF_GAS);
    assert_int_equal(l.count, 4);
    o = check_step_line(l.line[2]);
    assert_string_equal(str_field(o, "opName"), "SSTORE");
    assert_string_equal(str_field(o, "error"), "out of gas");
    assert_int_equal(hex_field(o, "gasCost"), 22100);
    cJSON_Delete(o);
    lines_free(&l);

    /* An unassigned opcode and INVALID */
    run_code(FORK_CANCUN, "0x0c", NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_UNDEFINED_INSTRUCTION);
    o = check_step_line(l.line[0]);
    assert_string_equal(str_field(o, "opName"), "opcode 0xc not defined");
    assert_string_equal(str_field(o, "error"), "invalid opcode: opcode 0xc not defined");
    cJSON_Delete(o);
    lines_free(&l);
    run_code(FORK_CANCUN, "0xfe", NULL, 100000, &l, &st);
    o = check_step_line(l.line[0]);
    assert_string_equal(str_field(o, "error"), "invalid opcode: INVALID");
    cJSON_Delete(o);
    lines_free(&l);

    /* REVERT is not a fault of the instruction; the summary says it. */
    run_code(FORK_CANCUN, "0x60006000fd", NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_REVERT);
    assert_int_equal(l.count, 4);
    o = check_step_line(l.line[2]);
    assert_null(cJSON_GetObjectItemCaseSensitive(o, "error"));
    cJSON_Delete(o);
    assert_string_equal(l.line[3], "{\"output\":\"\",\"gasUsed\":\"0x6\",\"error\":\"execution reverted\"}");
    lines_free(&l);
}

/* EIP-7939: CLZ (0x1e) from Osaka, 5 gas, 1 -> 1; the EIP's test cases
 * plus a few words of our own, each returned as the call's output. */
static void test_clz(void **state)
{
    (void)state;
    static const struct {
        const char *word; /* 64 hex digits */
        unsigned want;
    } cases[] = {
        {"0000000000000000000000000000000000000000000000000000000000000000", 256},
        {"8000000000000000000000000000000000000000000000000000000000000000", 0},
        {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0},
        {"4000000000000000000000000000000000000000000000000000000000000000", 1},
        {"7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 1},
        {"0000000000000000000000000000000000000000000000000000000000000001", 255},
        {"0000000000000000000000000000000000000000000000010000000000000000", 191},
        {"0000000000000000000000000000000000000000000000008000000000000000", 192},
        {"00000000000000000000000000000000ffffffffffffffffffffffffffffffff", 128},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* PUSH32 w CLZ PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN */
        char code[160];
        snprintf(code, sizeof code, "0x7f%s1e60005260206000f3", cases[i].word);
        struct lines l;
        enum evm_status st;
        run_code(FORK_OSAKA, code, NULL, 100000, &l, &st);
        assert_int_equal(st, EVM_SUCCESS);
        assert_int_equal(l.count, 8);
        cJSON *o = check_step_line(l.line[1]);
        assert_string_equal(str_field(o, "opName"), "CLZ");
        assert_int_equal(num_field(o, "op"), 0x1e);
        assert_int_equal(hex_field(o, "gasCost"), 5);
        cJSON_Delete(o);
        o = check_step_line(l.line[2]); /* the PUSH1 after it: CLZ left one item */
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "stack")), 1);
        assert_int_equal(hex_field(o, "gas"), 100000 - 3 - 5);
        cJSON_Delete(o);
        char want[128];
        snprintf(want, sizeof want, "{\"output\":\"%064x\",\"gasUsed\":\"0x%x\"}", cases[i].want,
                 3 + 5 + 3 + 6 + 3 + 3);
        assert_string_equal(l.line[7], want);
        lines_free(&l);
    }

    /* Before Osaka 0x1e is undefined (named as geth names it, whatever
     * the fork). */
    struct lines l;
    enum evm_status st;
    run_code(FORK_PRAGUE, "0x60011e", NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_UNDEFINED_INSTRUCTION);
    cJSON *o = check_step_line(l.line[1]);
    assert_string_equal(str_field(o, "error"), "invalid opcode: CLZ");
    cJSON_Delete(o);
    assert_non_null(strstr(l.line[l.count - 1], "\"gasUsed\":\"0x186a0\""));
    lines_free(&l);

    /* On an empty stack: underflow at its static cost. */
    run_code(FORK_OSAKA, "0x1e", NULL, 100000, &l, &st);
    assert_int_equal(st, EVM_STACK_UNDERFLOW);
    o = check_step_line(l.line[0]);
    assert_string_equal(str_field(o, "error"), "stack underflow");
    assert_int_equal(hex_field(o, "gasCost"), 5);
    cJSON_Delete(o);
    lines_free(&l);
}

/* Through the transition: the first line has the gas left after intrinsic
 * gas, the summary the top frame's gas; the outcome and writes equal an
 * untraced run; a rejected transaction writes nothing. */
static void test_transition_traced(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    address to = addr_of(1), from = addr_of(0xee), coinbase = addr_of(0xcb);
    /* SSTORE(0, CALLVALUE) LOG0(0,0) */
    set_code_hex(&w, &to,
                 "0x34600055"
                 "60006000a0");
    world_get_or_create(&w, &from)->balance = u256_from_u64(1000000000000ull);
    struct block_env env;
    memset(&env, 0, sizeof env);
    env.fork = FORK_CANCUN;
    env.chain_id = 1;
    env.coinbase = coinbase;
    env.number = 10;
    env.gas_limit = 30000000;
    env.base_fee = u256_from_u64(7);
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.type = 2;
    tx.chain_id = 1;
    tx.max_fee_per_gas = u256_from_u64(10);
    tx.max_priority_fee_per_gas = u256_from_u64(1);
    tx.gas_price = tx.max_fee_per_gas;
    tx.gas_limit = 100000;
    tx.has_to = true;
    tx.to = to;
    tx.value = u256_from_u64(5);
    tx.has_sender = true;
    tx.sender = from;

    struct world_view wv = {&w, NULL, NULL};
    struct state_view view = world_view_make(&wv);
    struct write_set ws_plain, ws_traced;
    write_set_init(&ws_plain);
    write_set_init(&ws_traced);
    struct tx_result plain, traced;
    assert_int_equal(transition_apply(&env, &view, &tx, 0, &plain, &ws_plain), PAREVM_OK);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct trace_json tj;
    trace_json_init(&tj, f);
    assert_int_equal(transition_apply_traced(&env, &view, &tx, 0, &tj.base, &traced, &ws_traced), PAREVM_OK);
    trace_json_free(&tj);
    fclose(f);

    assert_int_equal(plain.error, TXERR_NONE);
    assert_int_equal(traced.error, TXERR_NONE);
    assert_int_equal(plain.status, traced.status);
    assert_int_equal(plain.gas_used, traced.gas_used);
    assert_int_equal(plain.log_count, 1);
    assert_int_equal(traced.log_count, 1);
    assert_int_equal(ws_plain.account_count, ws_traced.account_count);
    assert_int_equal(ws_plain.slot_count, ws_traced.slot_count);

    struct lines l = {text, len, NULL, 0};
    lines_split(&l);
    assert_int_equal(l.count, 8); /* 7 instructions + summary */
    cJSON *o = check_step_line(l.line[0]);
    assert_int_equal(hex_field(o, "gas"), 100000 - 21000);
    cJSON_Delete(o);
    o = check_step_line(l.line[2]);
    assert_string_equal(str_field(o, "opName"), "SSTORE");
    assert_int_equal(hex_field(o, "gasCost"), 22100);
    cJSON_Delete(o);
    /* 2+3+22100 (SSTORE) + 3+3+375 (LOG0) + 0 (STOP) */
    assert_string_equal(l.line[7], "{\"output\":\"\",\"gasUsed\":\"0x57d6\"}");
    assert_int_equal(traced.gas_used, 21000 + 0x57d6);
    lines_free(&l);

    /* Rejected (nonce too high): no lines at all. */
    tx_result_free(&traced);
    tx.nonce = 5;
    text = NULL;
    f = open_memstream(&text, &len);
    trace_json_init(&tj, f);
    assert_int_equal(transition_apply_traced(&env, &view, &tx, 0, &tj.base, &traced, &ws_traced), PAREVM_OK);
    assert_int_equal(traced.error, TXERR_NONCE_TOO_HIGH);
    trace_json_free(&tj);
    fclose(f);
    assert_int_equal(len, 0);
    free(text);

    tx_result_free(&plain);
    tx_result_free(&traced);
    write_set_free(&ws_plain);
    write_set_free(&ws_traced);
    world_free(&w);
}

/* A tracer must not leak into the next transaction of the same thread. */
static void test_tracer_detached(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    address to = addr_of(1), from = addr_of(0xee);
    set_code_hex(&w, &to, "0x6001600101");
    world_get_or_create(&w, &from)->balance = u256_from_u64(1000000000000ull);
    struct block_env env;
    memset(&env, 0, sizeof env);
    env.fork = FORK_SHANGHAI;
    env.chain_id = 1;
    env.gas_limit = 30000000;
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = u256_from_u64(1);
    tx.gas_limit = 50000;
    tx.has_to = true;
    tx.to = to;
    tx.has_sender = true;
    tx.sender = from;
    struct world_view wv = {&w, NULL, NULL};
    struct state_view view = world_view_make(&wv);
    struct write_set ws;
    write_set_init(&ws);
    struct tx_result r;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct trace_json tj;
    trace_json_init(&tj, f);
    assert_int_equal(transition_apply_traced(&env, &view, &tx, 0, &tj.base, &r, &ws), PAREVM_OK);
    tx_result_free(&r);
    fflush(f);
    size_t after_first = len;
    assert_true(after_first > 0);
    assert_int_equal(transition_apply(&env, &view, &tx, 0, &r, &ws), PAREVM_OK);
    tx_result_free(&r);
    fflush(f);
    assert_int_equal(len, after_first);
    trace_json_free(&tj);
    fclose(f);
    free(text);
    write_set_free(&ws);
    world_free(&w);
}

static void test_names(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(trace_opcode_name(0x60, buf), "PUSH1");
    assert_string_equal(trace_opcode_name(0x7f, buf), "PUSH32");
    assert_string_equal(trace_opcode_name(0x8f, buf), "DUP16");
    assert_string_equal(trace_opcode_name(0x90, buf), "SWAP1");
    assert_string_equal(trace_opcode_name(0x20, buf), "KECCAK256");
    assert_string_equal(trace_opcode_name(0x5f, buf), "PUSH0");
    assert_string_equal(trace_opcode_name(0x1e, buf), "CLZ");
    assert_string_equal(trace_opcode_name(0xef, buf), "opcode 0xef not defined");
    assert_string_equal(trace_status_message(EVM_SUCCESS), "");
    assert_string_equal(trace_status_message(EVM_REVERT), "execution reverted");
    assert_string_equal(trace_status_message(EVM_OUT_OF_GAS), "out of gas");
}

/* ---- the CLI (when the parevm binary is built beside the test) ---- */

static char parevm_bin[4096];

static bool fixture_dir(const char *sub, char *out, size_t len)
{
    const char *env = getenv("PAREVM_FIXTURES");
    snprintf(out, len, "%s/%s", env && *env ? env : "../shared/fixtures", sub);
    struct stat st;
    return stat(out, &st) == 0;
}

/* Run cmd with stderr into a temporary file; the lines of stderr. */
static int run_capture(const char *cmd, struct lines *out)
{
    char path[] = "/tmp/parevm-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char full[20000];
    snprintf(full, sizeof full, "%s 2>%s >/dev/null", cmd, path);
    int st = system(full);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    memset(out, 0, sizeof *out);
    fseek(f, 0, SEEK_END);
    out->text_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    out->text = malloc(out->text_len + 1);
    assert_non_null(out->text);
    assert_int_equal(fread(out->text, 1, out->text_len, f), out->text_len);
    fclose(f);
    unlink(path);
    lines_split(out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* statetest --trace: per case the instructions, the summary, then
 * {"stateRoot"} equal to the fixture's root; run --trace: one summary per
 * transaction of the block, every step line well-formed. */
static void test_cli_traces(void **state)
{
    (void)state;
    char path[4096], cmd[16384];
    if (access(parevm_bin, X_OK) != 0 ||
        !fixture_dir("ethereum-tests/GeneralStateTests/stExample/add11.json", path, sizeof path)) {
        print_message("skipped: fixtures not found or %s not built\n", parevm_bin);
        skip();
    }
    struct lines l;
    snprintf(cmd, sizeof cmd, "%s statetest --trace --fork Cancun %s", parevm_bin, path);
    assert_int_equal(run_capture(cmd, &l), 0);
    assert_int_equal(l.count, 8); /* PUSH1 PUSH1 ADD PUSH1 SSTORE STOP, summary, root */
    for (size_t i = 0; i < 6; i++)
        cJSON_Delete(check_step_line(l.line[i]));
    assert_string_equal(l.line[6], "{\"output\":\"\",\"gasUsed\":\"0x5660\"}");
    assert_string_equal(
        l.line[7], "{\"stateRoot\":\"0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530\"}");
    lines_free(&l);

    if (!fixture_dir("mainnet/4864590", path, sizeof path)) {
        print_message("mainnet part skipped: fixtures not found\n");
        return;
    }
    snprintf(cmd, sizeof cmd, "%s run --trace --threads 4 %s", parevm_bin, path);
    assert_int_equal(run_capture(cmd, &l), 0);
    size_t summaries = 0;
    for (size_t i = 0; i < l.count; i++) {
        if (!strncmp(l.line[i], "{\"output\"", 9)) {
            summaries++;
            continue;
        }
        cJSON_Delete(check_step_line(l.line[i]));
    }
    char index[4200];
    snprintf(index, sizeof index, "%s/block.json", path);
    FILE *f = fopen(index, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    cJSON *block = cJSON_ParseWithLength(text, (size_t)n);
    free(text);
    assert_int_equal(summaries,
                     (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(block, "transactions")));
    assert_true(summaries > 0);
    cJSON_Delete(block);
    lines_free(&l);
}

int main(int argc, char **argv)
{
    (void)argc;
    /* build/<variant>/tests/test_trace -> build/<variant>/parevm */
    snprintf(parevm_bin, sizeof parevm_bin, "%s", argv[0]);
    char *slash = strrchr(parevm_bin, '/');
    if (slash)
        *slash = '\0';
    slash = strrchr(parevm_bin, '/');
    if (slash) {
        *slash = '\0';
        size_t n = strlen(parevm_bin);
        snprintf(parevm_bin + n, sizeof parevm_bin - n, "/parevm");
    } else {
        snprintf(parevm_bin, sizeof parevm_bin, "../parevm");
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_program_exact),
        cmocka_unit_test(test_eip3155_example),
        cmocka_unit_test(test_nested_call),
        cmocka_unit_test(test_create_cost),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_clz),
        cmocka_unit_test(test_transition_traced),
        cmocka_unit_test(test_tracer_detached),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cli_traces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
