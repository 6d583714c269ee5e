/*
 * parevm t8n — geth `evm t8n` compatible state transition tool.
 *
 * Reads alloc/env/txs (files, or one JSON object on stdin when any input
 * is `stdin`), applies the transactions (invalid ones are skipped and
 * listed in result.rejected), and writes alloc/result/body to files under
 * --output.basedir or, for the name `stdout`/`stderr`, as one combined
 * JSON object on that stream. Errors exit with geth's codes (io/t8n.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/buf.h"
#include "../base/hex.h"
#include "../evm/trace.h"
#include "../exec/bal.h"
#include "../io/file.h"
#include "../io/t8n.h"
#include "cli.h"
#include "options.h"

struct t8n_options {
    const char *input_alloc, *input_env, *input_txs;
    const char *fork_name;
    uint64_t chain_id;
    bool reward_enabled;
    u256 reward;
    const char *basedir;
    const char *output_alloc, *output_result, *output_body;
    const char *output_bal; /* "": none */
    bool trace;
    /* geth's --trace.memory, --trace.nostack, --trace.returndata */
    bool trace_memory, trace_nostack, trace_returndata;
    int threads;
};

void cli_t8n_usage(FILE *out)
{
    fprintf(out, "usage: parevm t8n [OPTIONS]\n"
                 "\n"
                 "State transition as geth's `evm t8n`: apply transactions to a pre-state under\n"
                 "a block environment. Invalid transactions are skipped and listed in the\n"
                 "result's `rejected` ({index, error}); the rest run in order.\n"
                 "\n"
                 "inputs (a file name, or `stdin`: then stdin holds one JSON object\n"
                 "{\"alloc\", \"env\", \"txs\" | \"txsRlp\"} with the parts named stdin):\n"
                 "  --input.alloc FILE   pre-state {address: {balance, nonce, code, storage}}\n"
                 "                       (default alloc.json)\n"
                 "  --input.env FILE     block environment: currentCoinbase, currentGasLimit,\n"
                 "                       currentNumber, currentTimestamp, currentDifficulty or\n"
                 "                       parentDifficulty/parentTimestamp, currentRandom,\n"
                 "                       currentBaseFee or parentBaseFee/parentGasUsed/\n"
                 "                       parentGasLimit, currentExcessBlobGas or parentExcessBlobGas/\n"
                 "                       parentBlobGasUsed, parentBeaconBlockRoot, withdrawals,\n"
                 "                       blockHashes {number: hash}, ommers [{delta, address}],\n"
                 "                       slotNumber (EIP-7843's SLOTNUM; 0 when absent)\n"
                 "                       (default env.json). Required, as geth (else exit 3):\n"
                 "                       before Paris currentDifficulty, or parentDifficulty\n"
                 "                       with currentNumber > 0 and currentTimestamp >\n"
                 "                       parentTimestamp; London on currentBaseFee, or\n"
                 "                       parentBaseFee (with parentGasUsed, parentGasLimit)\n"
                 "                       and currentNumber > 0; Paris on currentRandom (and\n"
                 "                       currentDifficulty zero or absent); Shanghai on\n"
                 "                       withdrawals; Cancun on parentBeaconBlockRoot.\n"
                 "                       Cancun's currentExcessBlobGas, when absent, comes from\n"
                 "                       parentExcessBlobGas and parentBlobGasUsed, or is 0\n"
                 "                       (then a blob transaction is rejected, as in geth)\n"
                 "  --input.txs FILE     a JSON array of transactions (geth's format; unsigned\n"
                 "                       ones with a `secretKey` are signed here), or, for a\n"
                 "                       name ending in .rlp, a JSON string with the hex RLP\n"
                 "                       list of signed transactions; an element that is not a\n"
                 "                       transaction is rejected alone (default txs.json)\n"
                 "\n"
                 "state:\n"
                 "  --state.fork NAME    rules (Frontier ... Cancun, Prague, Osaka, BPO1, BPO2,\n"
                 "                       Amsterdam; MuirGlacier = Istanbul, ArrowGlacier and\n"
                 "                       GrayGlacier = London with their difficulty bomb delays\n"
                 "                       (EIP-2384, EIP-4345, EIP-5133); default GrayGlacier).\n"
                 "                       An unknown fork exits 3. BPO2+N+M... is BPO2 plus\n"
                 "                       Amsterdam EIPs N, M, to test one EIP at a time (one\n"
                 "                       that is not Amsterdam's, or one without an EIP it\n"
                 "                       needs, is refused with exit 3 and named)\n"
                 "  --state.chainid N    chain id (default 1)\n"
                 "  --state.reward WEI   block reward to the coinbase (and ommer rewards);\n"
                 "                       -1: none. 0 still touches the coinbase (default 0)\n"
                 "\n"
                 "outputs (a file name under --output.basedir, `stdout`, `stderr`, or \"\" for\n"
                 "none; all parts sent to one stream form one object {alloc, body, result}):\n"
                 "  --output.basedir DIR created if missing (default: current directory)\n"
                 "  --output.alloc NAME  post-state, same format as the input alloc\n"
                 "                       (default alloc.json)\n"
                 "  --output.result NAME stateRoot, txRoot, receiptsRoot, logsHash, logsBloom,\n"
                 "                       receipts, rejected, currentDifficulty, gasUsed,\n"
                 "                       currentBaseFee, withdrawalsRoot, currentExcessBlobGas,\n"
                 "                       blobGasUsed (default result.json)\n"
                 "  --output.body NAME   the RLP of the included transactions as a hex JSON\n"
                 "                       string (default: not written)\n"
                 "  --output.bal NAME    the EIP-7928 block access list of the run (a file\n"
                 "                       name only): {\"blockAccessListHash\", \"blockAccessList\"\n"
                 "                       (its RLP, hex)}; the transactions then run\n"
                 "                       sequentially; indices count included transactions;\n"
                 "                       recorded under the fork's own rules (docs/bal.md)\n"
                 "\n"
                 "execution:\n"
                 "  --threads N          run the transactions with the parallel engine on N\n"
                 "                       threads (default 1: sequential); results are identical\n"
                 "  --trace              write an EIP-3155 trace per executed transaction to\n"
                 "                       BASEDIR/trace-INDEX-TXHASH.jsonl (INDEX counts included\n"
                 "                       transactions, as geth), in geth's JSON logger form:\n"
                 "                       stack, no memory, no returnData. Traced runs are\n"
                 "                       sequential. Options (as geth's; also --opt=true|false):\n"
                 "  --trace.memory       add \"memory\" (hex) to each step while memory is not empty\n"
                 "  --trace.nostack      write \"stack\":null instead of the stack items\n"
                 "  --trace.returndata   add \"returnData\" to each step while it is not empty\n"
                 "  --trace.nomemory, --trace.noreturndata\n"
                 "                       older geth's names for the defaults: accepted\n"
                 "                       (--trace.tracer, --trace.jsonconfig and --trace.callframes\n"
                 "                       are refused: parevm has only the JSON opcode tracer)\n"
                 "  -h, --help           show this help\n"
                 "\n"
                 "exit status (geth's): 0 ok, 2 execution error, 3 configuration (fork, env\n"
                 "fields the fork needs), 4 a BLOCKHASH not in blockHashes, 10 bad JSON or\n"
                 "field, 11 I/O error, 12 bad RLP.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "parevm t8n: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'parevm t8n --help' for usage.\n");
    return T8N_EXIT_CONFIG;
}

/* geth's fork names that differ from ours only by the difficulty bomb
 * (their delay: chain_glacier_bomb_delay). */
static bool t8n_fork(const char *name, enum fork *f, char *err, size_t err_len)
{
    if (!strcmp(name, "MuirGlacier")) {
        *f = FORK_ISTANBUL;
        return true;
    }
    if (!strcmp(name, "ArrowGlacier") || !strcmp(name, "GrayGlacier")) {
        *f = FORK_LONDON;
        return true;
    }
    return fork_select(name, f, err, err_len);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", dir, (*dir && dir[strlen(dir) - 1] != '/') ? "/" : "", name);
    return p;
}

static int make_dirs(const char *dir)
{
    if (!*dir)
        return PAREVM_OK;
    char *p = strdup(dir);
    if (!p)
        return PAREVM_ERR_NOMEM;
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                free(p);
                return PAREVM_ERR_IO;
            }
            *s = '/';
        }
    }
    int rc = mkdir(p, 0755) != 0 && errno != EEXIST ? PAREVM_ERR_IO : PAREVM_OK;
    free(p);
    return rc;
}

static int write_file(const char *path, const struct bytebuf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return PAREVM_ERR_IO;
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = fclose(f) == 0 && ok;
    return ok ? PAREVM_OK : PAREVM_ERR_IO;
}

/* ---- traces: one file per executed transaction ---- */

struct trace_files {
    const char *basedir;
    bool memory, nostack, returndata; /* geth's --trace.* */
    struct trace_json tj;
    FILE *file;
    int error;
    char failed_path[400];
};

static struct evm_tracer *trace_begin(void *arg, size_t index, const hash32 *tx_hash)
{
    struct trace_files *tf = arg;
    char hash[67], name[128];
    hex_encode(tx_hash->bytes, 32, hash);
    snprintf(name, sizeof name, "trace-%zu-%s.jsonl", index, hash);
    char *path = join_path(tf->basedir, name);
    tf->file = path ? fopen(path, "w") : NULL;
    if (!tf->file) {
        if (!tf->error) {
            tf->error = PAREVM_ERR_IO;
            snprintf(tf->failed_path, sizeof tf->failed_path, "%s", path ? path : name);
        }
        free(path);
        return NULL;
    }
    free(path);
    trace_json_init(&tf->tj, tf->file);
    /* geth's JSON logger: no memory, stack, no returnData unless asked */
    tf->tj.with_memory = tf->memory;
    tf->tj.stack_null = tf->nostack;
    tf->tj.return_data = tf->returndata ? TRACE_RETURN_DATA_NONEMPTY : TRACE_RETURN_DATA_NEVER;
    return &tf->tj.base;
}

static void trace_end(void *arg, struct evm_tracer *t)
{
    struct trace_files *tf = arg;
    (void)t;
    trace_json_free(&tf->tj);
    if ((tf->tj.error || fclose(tf->file) != 0) && !tf->error) {
        tf->error = PAREVM_ERR_IO;
        snprintf(tf->failed_path, sizeof tf->failed_path, "a trace file");
    }
    tf->file = NULL;
}

/* ---- arguments ---- */

/* --state.reward: wei, or -1 for none (OPTION_CALL; dest: the options). */
static int parse_reward(const char *v, void *dest, char *err, size_t err_len)
{
    struct t8n_options *o = dest;
    if (!strcmp(v, "-1")) {
        o->reward_enabled = false;
        return 0;
    }
    o->reward_enabled = true;
    if (*v == '-' || !u256_from_string(v, &o->reward)) {
        snprintf(err, err_len, "bad reward '%s' (wei, or -1 for none)", v);
        return -1;
    }
    return 0;
}

/* geth's flags: "--name VALUE" or "--name=VALUE", one dash works too. The
 * boolean trace flags take "=true" / "=false". Options parevm cannot
 * honour are refused (exit 3), never silently ignored. */
static int parse_args(int argc, char **argv, struct t8n_options *o, bool *help)
{
    memset(o, 0, sizeof *o);
    o->input_alloc = "alloc.json";
    o->input_env = "env.json";
    o->input_txs = "txs.json";
    o->fork_name = "GrayGlacier";
    o->chain_id = 1;
    o->reward_enabled = true;
    o->basedir = "";
    o->output_alloc = "alloc.json";
    o->output_result = "result.json";
    o->output_body = "";
    o->output_bal = "";
    uint64_t threads = 1;
    static const char custom_tracer[] =
        "custom tracers are not supported (only the JSON opcode tracer, --trace)";
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--trace", .kind = OPTION_BOOL, .dest = &o->trace},
        {.name = "--trace.memory", .kind = OPTION_BOOL, .dest = &o->trace_memory},
        {.name = "--trace.nomemory", .kind = OPTION_BOOL, .dest = &o->trace_memory, .negate = true},
        {.name = "--trace.nostack", .kind = OPTION_BOOL, .dest = &o->trace_nostack},
        {.name = "--trace.returndata", .kind = OPTION_BOOL, .dest = &o->trace_returndata},
        {.name = "--trace.noreturndata", .kind = OPTION_BOOL, .dest = &o->trace_returndata, .negate = true},
        {.name = "--trace.tracer", .kind = OPTION_REFUSED, .help = custom_tracer},
        {.name = "--trace.jsonconfig", .kind = OPTION_REFUSED, .help = custom_tracer},
        {.name = "--trace.callframes",
         .kind = OPTION_REFUSED,
         .help = "call frame output is not supported by parevm's tracer"},
        {.name = "--input.alloc", .kind = OPTION_STRING, .dest = &o->input_alloc},
        {.name = "--input.env", .kind = OPTION_STRING, .dest = &o->input_env},
        {.name = "--input.txs", .kind = OPTION_STRING, .dest = &o->input_txs},
        {.name = "--state.fork", .kind = OPTION_STRING, .dest = &o->fork_name},
        {.name = "--state.chainid",
         .kind = OPTION_U64,
         .dest = &o->chain_id,
         .hex = true,
         .bad = "bad chain id '%s'"},
        {.name = "--state.reward", .kind = OPTION_CALL, .dest = o, .parse = parse_reward},
        {.name = "--output.basedir", .kind = OPTION_STRING, .dest = &o->basedir},
        {.name = "--output.alloc", .kind = OPTION_STRING, .dest = &o->output_alloc},
        {.name = "--output.result", .kind = OPTION_STRING, .dest = &o->output_result},
        {.name = "--output.body", .kind = OPTION_STRING, .dest = &o->output_body},
        {.name = "--output.bal", .kind = OPTION_STRING, .dest = &o->output_bal},
        {.name = "--verbosity", .kind = OPTION_STRING}, /* geth's log level: nothing to configure */
        {.name = "--threads",
         .kind = OPTION_U64,
         .dest = &threads,
         .hex = true,
         .umin = 1,
         .umax = 1024,
         .bad = "bad thread count '%s' (1..1024)"},
        {0},
    };
    int positional = 0;
    char err[256];
    int rc = options_parse(specs, OPTIONS_SINGLE_DASH, argc, argv, &positional, err, sizeof err);
    if (rc == OPTIONS_HELP) {
        *help = true;
        return 0;
    }
    if (rc)
        return usage_error("%s", err);
    if (positional)
        return usage_error("unknown argument '%s'", argv[1]);
    o->threads = (int)threads;
    return 0;
}

/* ---- the command ---- */

static int report(int err, const char *msg)
{
    int code = t8n_exit_code(err);
    fprintf(stderr, "ERROR(%d): %s\n", code, msg && *msg ? msg : parevm_strerror(err));
    return code;
}

/* One output part into basedir/name. */
static int write_part(const char *name, const char *basedir, unsigned part, const struct world *alloc,
                      const struct t8n_result *result, const struct t8n_txs *txs, char *msg, size_t msg_len)
{
    struct bytebuf out = {0};
    int err = part == T8N_PART_ALLOC    ? t8n_write_alloc(alloc, &out)
              : part == T8N_PART_RESULT ? t8n_write_result(result, &out)
                                        : t8n_write_body(result, txs, &out);
    char *path = NULL;
    if (!err) {
        path = join_path(basedir, name);
        err = path ? write_file(path, &out) : PAREVM_ERR_NOMEM;
        if (err)
            snprintf(msg, msg_len, "failed writing output %s", path ? path : name);
    }
    free(path);
    bytebuf_free(&out);
    return err;
}

/* --output.bal: the access list's hash and RLP as a JSON object. */
static int write_bal(const char *name, const char *basedir, const struct bal *bal, char *msg, size_t msg_len)
{
    struct bytebuf rlp = {0}, out = {0};
    hash32 h;
    int err = bal_encode(bal, &rlp);
    if (!err)
        err = bal_hash(bal, &h);
    char *hex = err ? NULL : hex_encode_alloc(rlp.data, rlp.len);
    char hx[67];
    if (!err && !hex)
        err = PAREVM_ERR_NOMEM;
    if (!err) {
        hex_encode(h.bytes, 32, hx);
        err = bytebuf_append(&out, "{\n  \"blockAccessListHash\": \"",
                             strlen("{\n  \"blockAccessListHash\": \""));
        if (!err)
            err = bytebuf_append(&out, hx, strlen(hx));
        if (!err)
            err = bytebuf_append(&out, "\",\n  \"blockAccessList\": \"",
                                 strlen("\",\n  \"blockAccessList\": \""));
        if (!err)
            err = bytebuf_append(&out, hex, strlen(hex));
        if (!err)
            err = bytebuf_append(&out, "\"\n}\n", strlen("\"\n}\n"));
    }
    char *path = NULL;
    if (!err) {
        path = join_path(basedir, name);
        err = path ? write_file(path, &out) : PAREVM_ERR_NOMEM;
        if (err)
            snprintf(msg, msg_len, "failed writing output %s", path ? path : name);
    }
    free(path);
    free(hex);
    bytebuf_free(&rlp);
    bytebuf_free(&out);
    return err;
}

int cli_t8n(int argc, char **argv)
{
    struct t8n_options o;
    bool help = false;
    int rc = parse_args(argc, argv, &o, &help);
    if (rc)
        return rc;
    if (help) {
        cli_t8n_usage(stdout);
        return CLI_EXIT_OK;
    }
    struct t8n_config cfg;
    memset(&cfg, 0, sizeof cfg);
    struct bal bal; /* --output.bal; freed at done: on every path */
    bal_init(&bal);
    char detail[160];
    bool known = t8n_fork(o.fork_name, &cfg.fork, detail, sizeof detail);
    if (!known || !fork_implemented(cfg.fork)) {
        /* geth: ERROR(3) "failed constructing chain configuration:
         * unsupported fork"; a fork parevm knows but does not implement
         * (Amsterdam, or some of its EIPs) is refused the same way, never
         * run as an older one. */
        if (known) {
            char missing[96];
            fork_eips_missing(fork_amsterdam_eips, missing, sizeof missing);
            snprintf(detail, sizeof detail, "not implemented by parevm%s%s", missing[0] ? "; missing EIPs: " : "",
                     missing);
        }
        char why[320];
        snprintf(why, sizeof why, "failed constructing chain configuration: unsupported fork \"%s\" (%s)",
                 o.fork_name, detail);
        return report(PAREVM_ERR_UNSUPPORTED, why);
    }
    cfg.glacier_bomb_delay = chain_glacier_bomb_delay(o.fork_name);
    cfg.chain_id = o.chain_id;
    cfg.reward_enabled = o.reward_enabled;
    cfg.reward = o.reward;
    cfg.threads = o.threads;

    char msg[512] = "";
    int err = make_dirs(o.basedir);
    if (err) {
        snprintf(msg, sizeof msg, "failed creating output basedir %s", o.basedir);
        return report(PAREVM_ERR_IO, msg);
    }

    struct world alloc;
    struct t8n_env env;
    struct t8n_txs txs;
    world_init(&alloc);
    memset(&env, 0, sizeof env);
    memset(&txs, 0, sizeof txs);
    bool alloc_stdin = !strcmp(o.input_alloc, "stdin"), env_stdin = !strcmp(o.input_env, "stdin"),
         txs_stdin = !strcmp(o.input_txs, "stdin");
    char *text = NULL;
    size_t len = 0;
    if (alloc_stdin || env_stdin || txs_stdin) {
        if ((err = io_read_file(NULL, &text, &len, NULL, 0))) {
            snprintf(msg, sizeof msg, "failed reading stdin");
            goto done;
        }
        world_free(&alloc);
        err = t8n_parse_stdin("stdin", text, len, cfg.fork, cfg.chain_id, alloc_stdin ? &alloc : NULL,
                              env_stdin ? &env : NULL, txs_stdin ? &txs : NULL, msg, sizeof msg);
        if (!alloc_stdin)
            world_init(&alloc);
        free(text);
        text = NULL;
        if (err)
            goto done;
    }
    if (!alloc_stdin) {
        if ((err = io_read_file(o.input_alloc, &text, &len, NULL, 0))) {
            snprintf(msg, sizeof msg, "failed reading alloc file %s", o.input_alloc);
            goto done;
        }
        world_free(&alloc);
        err = t8n_parse_alloc(o.input_alloc, text, len, &alloc, msg, sizeof msg);
        free(text);
        text = NULL;
        if (err)
            goto done;
    }
    if (!env_stdin) {
        if ((err = io_read_file(o.input_env, &text, &len, NULL, 0))) {
            snprintf(msg, sizeof msg, "failed reading env file %s", o.input_env);
            goto done;
        }
        err = t8n_parse_env(o.input_env, text, len, &env, msg, sizeof msg);
        free(text);
        text = NULL;
        if (err)
            goto done;
    }
    if (!txs_stdin) {
        if ((err = io_read_file(o.input_txs, &text, &len, NULL, 0))) {
            snprintf(msg, sizeof msg, "failed reading txs file %s", o.input_txs);
            goto done;
        }
        if (ends_with(o.input_txs, ".rlp"))
            err = t8n_parse_txs_rlp(o.input_txs, text, len, cfg.fork, cfg.chain_id, &txs, msg, sizeof msg);
        else
            err = t8n_parse_txs(o.input_txs, text, len, cfg.fork, cfg.chain_id, &txs, msg, sizeof msg);
        free(text);
        text = NULL;
        if (err)
            goto done;
    }

    struct trace_files tf;
    memset(&tf, 0, sizeof tf);
    tf.basedir = o.basedir;
    tf.memory = o.trace_memory;
    tf.nostack = o.trace_nostack;
    tf.returndata = o.trace_returndata;
    struct t8n_trace_hooks hooks = {trace_begin, trace_end, &tf};
    if (o.trace)
        cfg.trace = &hooks;

    if (*o.output_bal)
        cfg.bal = &bal;
    struct t8n_result result;
    err = t8n_apply(&cfg, &env, &txs, &alloc, &result, msg, sizeof msg);
    if (!err && tf.error) {
        err = tf.error;
        snprintf(msg, sizeof msg, "failed writing trace file %s", tf.failed_path);
        t8n_result_free(&result);
    }
    if (err)
        goto done;

    /* Parts sent to stdout/stderr are gathered into one object each. */
    unsigned on_stream[2] = {0, 0};
    static const unsigned part_bits[3] = {T8N_PART_ALLOC, T8N_PART_RESULT, T8N_PART_BODY};
    const char *names[3] = {o.output_alloc, o.output_result, o.output_body};
    for (int p = 0; p < 3 && !err; p++) {
        if (!strcmp(names[p], "stdout"))
            on_stream[0] |= part_bits[p];
        else if (!strcmp(names[p], "stderr"))
            on_stream[1] |= part_bits[p];
        else if (*names[p])
            err = write_part(names[p], o.basedir, part_bits[p], &alloc, &result, &txs, msg, sizeof msg);
    }
    for (int s = 0; s < 2 && !err; s++) {
        if (!on_stream[s])
            continue;
        struct bytebuf out = {0};
        err = t8n_write_combined(&alloc, &result, &txs, on_stream[s], &out);
        FILE *f = s == 0 ? stdout : stderr;
        if (!err && (fwrite(out.data, 1, out.len, f) != out.len || fflush(f) != 0)) {
            err = PAREVM_ERR_IO;
            snprintf(msg, sizeof msg, "failed writing output to %s", s == 0 ? "stdout" : "stderr");
        }
        bytebuf_free(&out);
    }
    if (!err && *o.output_bal)
        err = write_bal(o.output_bal, o.basedir, &bal, msg, sizeof msg);
    t8n_result_free(&result);
done:
    bal_free(&bal);
    world_free(&alloc);
    t8n_env_free(&env);
    t8n_txs_free(&txs);
    if (err)
        return report(err, msg);
    fflush(stdout);
    return CLI_EXIT_OK;
}
