/*
 * parevm run — execute mainnet block snapshots sequentially and check them
 * against their headers.
 *
 * Each BLOCK_DIR (fixtures/mainnet/<n>/) is loaded (senders recovered and
 * cross-checked), executed once with exec_block_parallel (the guard runs
 * small blocks sequentially) on its partial
 * pre-state, and verified against every header field it determines
 * (mainnet_check_header). Only the execution is
 * timed, not the loading.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/hex.h"
#include "../evm/precompiles.h"
#include "../evm/trace.h"
#include "../exec/bal.h"
#include "../exec/exec.h"
#include "../io/file.h"
#include "../io/mainnet.h"
#include "cli.h"
#include "farm.h"
#include "options.h"
#include "util.h"

struct run_options {
    const char *json_path; /* NULL, a file, or "-" for stdout */
    bool quiet;
    bool trace;               /* EIP-3155 traces to stderr (sequential) */
    bool mpi;                 /* --mpi: blocks over MPI ranks (farm.h) */
    long trace_tx;            /* -1, or trace only this transaction */
    struct exec_options exec; /* threads per block (1: sequential) */
    const char *bal_path;     /* --bal: an EIP-7928 access list to verify */
    bool bal_drive;           /* --engine bal: the list drives the execution */
};

void cli_run_usage(FILE *out)
{
    fprintf(out, "usage: parevm run [--threads N] [--json FILE|-] [--quiet] [--trace | --trace-tx I]\n"
                 "                  [--bal FILE|DIR [--engine bal]] BLOCK_DIR...\n"
                 "\n"
                 "Execute mainnet block snapshots (folders holding block.json, pre_state.json\n"
                 "and block_hashes.json, see fixtures/mainnet/README.md) and\n"
                 "verify every header field the block and its execution determine:\n"
                 "transactionsRoot, sha3Uncles (blocks without uncles), withdrawalsRoot\n"
                 "(Shanghai), gasUsed, logsBloom, receiptsRoot (from Byzantium, 4,370,000),\n"
                 "blobGasUsed (Cancun), requestsHash (Prague), blockAccessListHash\n"
                 "(Amsterdam: the EIP-7928 list the run records, or the --bal list that drove\n"
                 "it) and the block hash (keccak of the RLP header). Not checked: stateRoot\n"
                 "(the pre-state is partial) and the fields derived from the parent header\n"
                 "(difficulty, baseFeePerGas, excessBlobGas), which a snapshot lacks.\n"
                 "Senders are recovered from the signatures and must match each\n"
                 "transaction's `from`. Blocks follow mainnet's fork schedule, unless the\n"
                 "folder holds chain.json, {\"network\": NAME}: a block of another network\n"
                 "(NAME as BlockchainTests name them: \"Amsterdam\" for every block in\n"
                 "Amsterdam, as `parevm gen --fork amsterdam` writes, or a transition such\n"
                 "as \"OsakaToAmsterdamAtTime15k\"). A header whose fork fields do not match\n"
                 "its fork (blockAccessListHash outside Amsterdam, say) is refused.\n"
                 "\n"
                 "options:\n"
                 "  --json FILE   write the full results to FILE (\"-\": stdout, and the table\n"
                 "                goes to stderr): per block the verdict, receipts (status, gas,\n"
                 "                logs) and the post-state diff of changed accounts and slots\n"
                 "  --threads N   threads per block for the parallel engine (default: online\n"
                 "                CPUs; 1 = sequential). Small or pre-Byzantium blocks run\n"
                 "                sequentially; the results are identical either way\n"
                 "  --quiet       print only failures and the summary\n"
                 "  --mpi         under mpirun (build/parevm-mpi): the blocks are shared across\n"
                 "                ranks, largest first; rank 0 prints the same output as one\n"
                 "                process (each rank runs its blocks with --threads threads)\n"
                 "  --trace       write an EIP-3155 trace of every transaction to stderr (one\n"
                 "                JSON line per instruction, then {\"output\",\"gasUsed\"[,\"error\"]}).\n"
                 "                Traces come from a sequential execution on a copy of the\n"
                 "                pre-state, and the block itself then runs sequentially too\n"
                 "                (--threads is ignored)\n"
                 "  --trace-tx I  write the EIP-3155 trace of transaction I (0-based) only, to\n"
                 "                stderr, from the run itself: with --threads N > 1 the parallel\n"
                 "                engine executes the block (even where it would otherwise run it\n"
                 "                sequentially) and the trace is that of the transaction's\n"
                 "                committed incarnation, identical to the sequential trace\n"
                 "  --bal PATH    verify an EIP-7928 block access list: the block runs with\n"
                 "                recording on (sequentially, or with Block-STM at --threads N\n"
                 "                where it would anyway: the list comes from the committed\n"
                 "                incarnations, the same bytes) and must produce exactly the\n"
                 "                list (RLP bytes, or \"0x\" hex text) in PATH, a file (one\n"
                 "                BLOCK_DIR) or a folder holding NAME.bal.rlp per block (as\n"
                 "                `parevm bal --out` writes them; NAME: the block folder's last\n"
                 "                component); a mismatch names the first differing account,\n"
                 "                slot, index and the two values (docs/bal.md)\n"
                 "  --engine bal  with --bal: execute the block from the list (the access-list-\n"
                 "                driven engine: every transaction once, on --threads workers,\n"
                 "                reading what the list says the ones before it wrote), then\n"
                 "                check the list its commit produces equals PATH. A list that\n"
                 "                does not hold is reported as a failure and the block is run\n"
                 "                again without it (Block-STM or sequential): the results\n"
                 "                shown are always the block's own. Default: --engine auto\n"
                 "  -h, --help    show this help\n"
                 "\n"
                 "output: one line per block, \"NUMBER FORK TXS GAS MS MGAS/S VERDICT\" (on a\n"
                 "mismatch, each field that differed: FIELD: expected X, computed Y), a total\n"
                 "line (gas / execution time, loading\n"
                 "excluded), then \"N passed, N failed\".\n"
                 "\n"
                 "exit status: 0 every block passed, 1 a block failed or could not be loaded,\n"
                 "2 usage error.\n");
}

static void buf_hex(struct bytebuf *b, const uint8_t *data, size_t len)
{
    char *h = hex_encode_alloc(data, len);
    if (h) {
        buf_printf(b, "\"%s\"", h);
        free(h);
    }
}

static void buf_u256(struct bytebuf *b, const u256 *v)
{
    char h[80];
    u256_to_hex(v, h);
    buf_printf(b, "\"%s\"", h);
}

/* One-time process setup the EVM does lazily on first use (the ecrecover
 * context) is done here, before any timing, as a node does at startup.
 * The input is chosen to get past the cheap checks and then fail. The
 * KZG point evaluation (0x0a) has nothing to set up: its one setup point
 * is a constant (src/evm/kzg.c). */
static void run_warm_up(void)
{
    uint8_t in[128] = {0};
    struct bytebuf out = {0};
    uint64_t used = 0;
    address a;
    memset(&a, 0, sizeof a);
    a.bytes[19] = 0x01; /* ecrecover */
    int id = precompile_lookup(&a, FORK_CANCUN);
    if (id)
        precompile_run(id, FORK_CANCUN, in, sizeof in, 100000, &used, &out);
    bytebuf_free(&out);
}

/* ---- post-state diff (--json) ---- */

static int cmp_address(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

static int cmp_u256(const void *a, const void *b)
{
    const u256 *x = a, *y = b;
    return u256_lt(x, y) ? -1 : u256_lt(y, x);
}

/* Every address in the pre or post world, sorted (duplicates removed). */
static address *diff_addresses(const struct world *pre, const struct world *post, size_t *n)
{
    size_t cap = pre->accounts.count + post->accounts.count;
    address *all = malloc((cap ? cap : 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t k = 0, it = 0;
    const void *key;
    void *val;
    while (hmap_next(&pre->accounts, &it, &key, &val))
        memcpy(all[k++].bytes, key, 20);
    it = 0;
    while (hmap_next(&post->accounts, &it, &key, &val))
        if (!world_get(pre, key))
            memcpy(all[k++].bytes, key, 20);
    qsort(all, k, sizeof *all, cmp_address);
    *n = k;
    return all;
}

/* Slots whose value differs between a and b (either may be NULL), sorted. */
static u256 *diff_slots(const struct world_account *a, const struct world_account *b, size_t *n)
{
    size_t cap = (a ? a->storage.count : 0) + (b ? b->storage.count : 0);
    u256 *keys = malloc((cap ? cap : 1) * sizeof *keys);
    if (!keys)
        return NULL;
    size_t k = 0;
    const struct world_account *side[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        if (!side[s])
            continue;
        const struct world_account *other = side[1 - s];
        size_t it = 0;
        const void *key;
        void *val;
        while (hmap_next(&side[s]->storage, &it, &key, &val)) {
            u256 ov = other ? world_get_storage(other, key) : u256_zero();
            if (u256_eq(&ov, val))
                continue;
            if (s == 1 && a && hmap_get(&a->storage, key))
                continue; /* already listed from a */
            keys[k++] = *(const u256 *)key;
        }
    }
    qsort(keys, k, sizeof *keys, cmp_u256);
    *n = k;
    return keys;
}

/* {"0xaddr": {"balance", "nonce", "code", "storage": {...}} | {"deleted": true}}
 * with the post values of what changed. */
static void json_state_diff(struct bytebuf *b, const struct world *pre, const struct world *post)
{
    size_t n = 0;
    address *addrs = diff_addresses(pre, post, &n);
    bytebuf_push(b, '{');
    bool first = true;
    for (size_t i = 0; addrs && i < n; i++) {
        const struct world_account *a = world_get(pre, &addrs[i]);
        const struct world_account *p = world_get(post, &addrs[i]);
        size_t slot_count = 0;
        u256 *slots = diff_slots(a, p, &slot_count);
        bool balance = p && (!a || !u256_eq(&a->balance, &p->balance));
        bool nonce = p && (!a || a->nonce != p->nonce);
        bool code = p && (!a || !hash32_eq(&a->code->hash, &p->code->hash));
        bool created = p && !a;
        if (!p && !a) {
            free(slots);
            continue;
        }
        if (p && !balance && !nonce && !code && !created && slot_count == 0) {
            free(slots);
            continue;
        }
        char ah[43];
        hex_encode(addrs[i].bytes, 20, ah);
        buf_printf(b, "%s\n  \"%s\": {", first ? "" : ",", ah);
        first = false;
        if (!p) {
            buf_printf(b, "\"deleted\": true}");
            free(slots);
            continue;
        }
        const char *sep = "";
        if (created) {
            buf_printf(b, "\"created\": true");
            sep = ", ";
        }
        if (balance) {
            buf_printf(b, "%s\"balance\": ", sep);
            buf_u256(b, &p->balance);
            sep = ", ";
        }
        if (nonce) {
            buf_printf(b, "%s\"nonce\": \"0x%llx\"", sep, (unsigned long long)p->nonce);
            sep = ", ";
        }
        if (code) {
            buf_printf(b, "%s\"code\": ", sep);
            buf_hex(b, p->code->bytes, p->code->len);
            sep = ", ";
        }
        if (slot_count) {
            buf_printf(b, "%s\"storage\": {", sep);
            for (size_t k = 0; k < slot_count; k++) {
                u256 v = world_get_storage(p, &slots[k]);
                buf_printf(b, "%s", k ? ", " : "");
                buf_u256(b, &slots[k]);
                bytebuf_push(b, ':');
                buf_u256(b, &v);
            }
            bytebuf_push(b, '}');
        }
        bytebuf_push(b, '}');
        free(slots);
    }
    buf_printf(b, "%s}", first ? "" : "\n");
    free(addrs);
}

static void json_receipts(struct bytebuf *b, const struct block_result *r)
{
    bytebuf_push(b, '[');
    for (size_t i = 0; i < r->receipt_count; i++) {
        const struct receipt *rc = &r->receipts[i];
        buf_printf(b, "%s\n  {\"index\": %zu, \"type\": \"0x%x\", ", i ? "," : "", i, rc->tx_type);
        if (rc->has_status)
            buf_printf(b, "\"status\": \"0x%d\", ", rc->status ? 1 : 0);
        buf_printf(b, "\"gasUsed\": \"0x%llx\", \"cumulativeGasUsed\": \"0x%llx\", ",
                   (unsigned long long)rc->gas_used, (unsigned long long)rc->cumulative_gas_used);
        if (rc->has_created_address) {
            buf_printf(b, "\"contractAddress\": ");
            buf_hex(b, rc->created_address.bytes, 20);
            buf_printf(b, ", ");
        }
        buf_printf(b, "\"logs\": [");
        for (size_t k = 0; k < rc->log_count; k++) {
            const struct log *l = &rc->logs[k];
            buf_printf(b, "%s{\"address\": ", k ? ", " : "");
            buf_hex(b, l->addr.bytes, 20);
            buf_printf(b, ", \"topics\": [");
            for (unsigned t = 0; t < l->topic_count && t < 4; t++) {
                buf_printf(b, "%s", t ? ", " : "");
                buf_hex(b, l->topics[t].bytes, 32);
            }
            buf_printf(b, "], \"data\": ");
            buf_hex(b, l->data, l->data_len);
            bytebuf_push(b, '}');
        }
        buf_printf(b, "]}");
    }
    buf_printf(b, "%s]", r->receipt_count ? "\n" : "");
}

/* ---- one block ---- */

struct run_totals {
    size_t passed, failed;
    uint64_t gas;
    double seconds;
};

/* --trace: the block's transactions once more, sequentially on a copy of
 * the pre-state (after the EIP-4788 and EIP-2935 system calls, untraced as in geth),
 * each with an EIP-3155 tracer writing to out. Stops at an invalid
 * transaction (the block is invalid there). */
static int trace_block(const struct chain_config *cfg, const struct mainnet_fixture *fx, FILE *out)
{
    struct world w;
    int err = world_clone(&fx->pre, &w);
    if (err)
        return err;
    struct block_env env;
    block_env_from_header(&env, cfg, &fx->block.header);
    env.block_hash = block_hashes_lookup;
    env.block_hash_arg = (void *)&fx->hashes;
    struct world_view wv = {&w, env.block_hash, env.block_hash_arg};
    struct state_view view = world_view_make(&wv);
    struct write_set ws;
    write_set_init(&ws);
    err = block_factory_predeploy(&env, &view, &ws); /* EIP-7997, first */
    if (!err)
        err = write_set_apply(&ws, &w);
    if (!err && env.fork >= FORK_CANCUN) {
        err = block_beacon_root_call(&env, &fx->block.header, &view, &ws);
        if (!err)
            err = write_set_apply(&ws, &w);
    }
    if (!err && env.fork >= FORK_PRAGUE) { /* EIP-2935, after EIP-4788 */
        err = block_history_call(&env, &fx->block.header.parent_hash, &view, &ws);
        if (!err)
            err = write_set_apply(&ws, &w);
    }
    uint64_t gas_used = 0, state_gas = 0;
    for (size_t i = 0; i < fx->block.tx_count && !err; i++) {
        /* EIP-8037: the state dimension of the block gas limit, before
         * the transaction runs (as the commit checks it) */
        if (fork_eip(env.fork, EIP_8037) && !transition_fits_block_state_gas(&env, &fx->block.txs[i], state_gas))
            break;
        struct trace_json tj;
        trace_json_init(&tj, out);
        struct tx_result r;
        err = transition_apply_traced(&env, &view, &fx->block.txs[i], gas_used, &tj.base, &r, &ws);
        trace_json_free(&tj);
        bool valid = !err && r.error == TXERR_NONE;
        state_gas += valid ? r.block_state_gas : 0;
        if (valid) {
            err = write_set_apply(&ws, &w);
            gas_used += r.block_gas;
        }
        tx_result_free(&r);
        if (!err)
            err = tj.error;
        if (!valid)
            break;
    }
    fflush(out);
    write_set_free(&ws);
    world_free(&w);
    return err;
}

/* --bal PATH for the block in dir: PATH itself, or PATH/NAME.bal.rlp
 * when PATH is a folder; raw RLP, or "0x" hex text. Decoded into *b;
 * on failure why says what (and *b stays empty). */
static void load_bal(const char *path, const char *dir, struct bal *b, char *why, size_t why_len)
{
    struct stat st;
    char *file = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        const char *name = strrchr(dir, '/');
        name = name ? name + 1 : dir;
        size_t n = strlen(path) + strlen(name) + 10;
        file = malloc(n);
        if (!file) {
            snprintf(why, why_len, "out of memory");
            return;
        }
        snprintf(file, n, "%s/%s.bal.rlp", path, name);
    }
    const char *p = file ? file : path;
    char *data = NULL, msg[256];
    size_t len = 0;
    int err = io_read_file(p, &data, &len, msg, sizeof msg);
    if (err) {
        snprintf(why, why_len, "%s: %s", p, msg);
        free(file);
        return;
    }
    uint8_t *bytes = (uint8_t *)data;
    uint8_t *decoded = NULL;
    if (len >= 2 && data[0] == '0' && (data[1] == 'x' || data[1] == 'X')) {
        while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
            len--;
        data[len] = '\0';
        size_t n;
        err = hex_decode_alloc(data, &decoded, &n);
        if (err) {
            snprintf(why, why_len, "%s: not hex", p);
            free(data);
            free(file);
            return;
        }
        bytes = decoded;
        len = n;
    }
    char reason[256];
    err = bal_decode(bytes, len, b, reason, sizeof reason);
    if (err)
        snprintf(why, why_len, "%s: %s", p, err == PAREVM_ERR_RLP ? reason : parevm_strerror(err));
    free(decoded);
    free(data);
    free(file);
}

/* --engine bal, a block the list could not drive: whether a sequential
 * recording run on pre (consumed) produces exactly want (else why says
 * where they differ, or what failed). */
static bool drive_verify(const struct chain_config *cfg, const struct mainnet_fixture *fx, struct world *pre,
                         const struct bal *want, char *why, size_t why_len)
{
    struct bal got;
    bal_init(&got);
    struct exec_options exec = {.threads = 1, .bal = &got};
    struct block_result res;
    int rc = exec_block_parallel(cfg, &fx->block, pre, &fx->hashes, &exec, &res, NULL);
    bool same = false;
    if (rc)
        snprintf(why, why_len, "recording run: %s", parevm_strerror(rc));
    else if (res.invalid)
        snprintf(why, why_len, "recording run: block invalid: %s", res.invalid_message);
    else
        same = bal_equal(want, &got, why, why_len);
    block_result_free(&res);
    bal_free(&got);
    return same;
}

/* Load, execute, verify and report one folder; returns whether it passed. */
static bool run_block(const char *dir, const struct run_options *opt, FILE *table, struct bytebuf *json,
                      bool first_json, struct run_totals *tot)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    cfg.skip_intermediate_roots = true; /* the snapshot's state is partial */

    char err[512];
    struct mainnet_fixture fx;
    int rc = mainnet_load(dir, &cfg, &fx, err, sizeof err);
    if (rc) {
        fprintf(table, "%s: error: %s\n", dir, err);
        if (json) {
            buf_printf(json, "%s{\"dir\": ", first_json ? "" : ",\n");
            buf_json_string(json, dir);
            buf_printf(json, ", \"pass\": false, \"error\": ");
            buf_json_string(json, err);
            bytebuf_push(json, '}');
        }
        return false;
    }

    cfg = fx.cfg; /* (chain.json's network, where the folder has one) */
    struct world pre_copy;
    bool have_copy = false;
    if (json && world_clone(&fx.pre, &pre_copy) == PAREVM_OK)
        have_copy = true;

    if (opt->trace && (rc = trace_block(&cfg, &fx, stderr)))
        fprintf(table, "%s: trace: %s\n", dir, parevm_strerror(rc));

    const struct block_header *h = &fx.block.header;
    struct block_result res;
    struct exec_options exec = opt->exec;
    struct exec_trace trace = {0, stderr, PAREVM_OK};
    if (opt->trace_tx >= 0) {
        trace.tx = (size_t)opt->trace_tx;
        exec.trace = &trace;
        exec.force = exec.threads > 1;
        if (trace.tx >= fx.block.tx_count)
            fprintf(table, "%s: --trace-tx %ld: the block has %zu transactions\n", dir, opt->trace_tx,
                    fx.block.tx_count);
    }
    /* --bal: the list to verify, and the one the run records. */
    struct bal want, got;
    bal_init(&want);
    bal_init(&got);
    char bal_why[400] = "";
    if (opt->bal_path) {
        load_bal(opt->bal_path, fx.dir, &want, bal_why, sizeof bal_why);
        if (!opt->bal_drive)
            exec.bal = &got;
        else if (!bal_why[0])
            exec.drive = &want;
    }
    /* Amsterdam (EIP-7928): the header's hash is checked against the list
     * the block produces, recorded (by either engine) unless a given
     * list drives it. */
    if (h->has_bal_hash && !exec.drive)
        exec.bal = &got;
    struct exec_stats stats;
    memset(&stats, 0, sizeof stats);
    /* --engine bal: a block the list cannot drive is verified by a
     * recording run on a copy of the pre-state, as without --engine. */
    struct world drive_pre;
    bool have_drive_pre = exec.drive && world_clone(&fx.pre, &drive_pre) == PAREVM_OK;
    double t0 = monotonic_seconds();
    rc = exec_block_parallel(&cfg, &fx.block, &fx.pre, &fx.hashes, &exec, &res,
                             opt->bal_drive ? &stats : NULL);
    double secs = monotonic_seconds() - t0;
    fflush(stderr);
    if (trace.error)
        fprintf(table, "%s: trace: %s\n", dir, parevm_strerror(trace.error));

    /* Verdict. */
    struct bytebuf why = {0};
    if (rc) {
        buf_printf(&why, "execution error: %s%s%s", parevm_strerror(rc), res.invalid_message[0] ? ": " : "",
                   res.invalid_message);
    } else if (res.invalid) {
        buf_printf(&why, "block invalid: %s", res.invalid_message);
    } else {
        int hc = mainnet_check_header(&fx, &res, &why);
        if (hc) {
            bytebuf_reset(&why);
            buf_printf(&why, "header check: %s", parevm_strerror(hc));
        }
        if (opt->bal_path && bal_why[0])
            buf_printf(&why, "%saccess list: %s", why.len ? "; " : "", bal_why);
        else if (opt->bal_drive && stats.bal_mismatch)
            buf_printf(&why, "%saccess list differs (the block ran again without it): %s",
                       why.len ? "; " : "", stats.bal_why);
        else if (opt->bal_drive && stats.bal_degraded && !have_drive_pre)
            buf_printf(&why,
                       "%saccess list: could not drive the block (%s), and no copy of the pre-state to "
                       "verify it: out of memory",
                       why.len ? "; " : "", stats.bal_why);
        else if (opt->bal_drive && stats.bal_degraded &&
                 !drive_verify(&cfg, &fx, &drive_pre, &want, bal_why, sizeof bal_why))
            buf_printf(&why, "%saccess list differs: %s", why.len ? "; " : "", bal_why);
        else if (opt->bal_path && !opt->bal_drive && !bal_equal(&want, &got, bal_why, sizeof bal_why))
            buf_printf(&why, "%saccess list differs: %s", why.len ? "; " : "", bal_why);
        /* the block's own list: recorded, or the one that drove it
         * (held, or verified by drive_verify above) */
        const struct bal *own = exec.bal == &got                                    ? &got
                                : exec.drive && !stats.bal_mismatch && why.len == 0 ? &want
                                                                                    : NULL;
        int bc = h->has_bal_hash && own ? mainnet_check_bal_hash(h, own, &why) : PAREVM_OK;
        if (bc)
            buf_printf(&why, "%sblockAccessListHash: %s", why.len ? "; " : "", parevm_strerror(bc));
    }
    char drive_note[320] = "";
    if (opt->bal_drive && stats.bal_degraded && why.len == 0)
        snprintf(drive_note, sizeof drive_note,
                 " (access list not drivable: %s; verified by a sequential run)", stats.bal_why);
    if (have_drive_pre)
        world_free(&drive_pre);
    exec_stats_reset(&stats);
    bal_free(&want);
    bal_free(&got);
    bool pass = why.len == 0;
    bytebuf_push(&why, '\0');

    double ms = secs * 1e3;
    double mgas = secs > 0 ? (double)res.gas_used / secs / 1e6 : 0;
    if (!pass || !opt->quiet)
        fprintf(table, "%-9llu %-17s %5zu txs %10llu gas %9.3f ms %8.1f Mgas/s  %s%s\n",
                (unsigned long long)h->number, fork_name(fx.fork), fx.block.tx_count,
                (unsigned long long)res.gas_used, ms, mgas,
                pass ? "ok" : "FAIL: ", pass ? drive_note : (char *)why.data);
    if (!rc) {
        tot->gas += res.gas_used;
        tot->seconds += secs;
    }

    if (json) {
        char hx[67];
        buf_printf(json, "%s{\"dir\": ", first_json ? "" : ",\n");
        buf_json_string(json, fx.dir);
        buf_printf(json, ", \"number\": %llu, \"fork\": \"%s\", \"pass\": %s, \"error\": ",
                   (unsigned long long)h->number, fork_name(fx.fork), pass ? "true" : "false");
        if (pass)
            buf_printf(json, "null");
        else
            buf_json_string(json, (char *)why.data);
        buf_printf(
            json,
            ", \"execMs\": %.6f, \"txCount\": %zu, \"gasUsed\": \"0x%llx\", \"blobGasUsed\": \"0x%llx\"", ms,
            fx.block.tx_count, (unsigned long long)res.gas_used, (unsigned long long)res.blob_gas_used);
        if (!rc && !res.invalid) {
            buf_printf(json, ", \"logsBloom\": ");
            buf_hex(json, res.logs_bloom, 256);
            hex_encode(res.receipts_root.bytes, 32, hx);
            buf_printf(json, ", \"receiptsRoot\": \"%s\",\n \"receipts\": ", hx);
            json_receipts(json, &res);
            if (have_copy) {
                buf_printf(json, ",\n \"stateDiff\": ");
                json_state_diff(json, &pre_copy, &fx.pre);
            }
        }
        bytebuf_push(json, '}');
    }

    bytebuf_free(&why);
    if (have_copy)
        world_free(&pre_copy);
    block_result_free(&res);
    mainnet_fixture_free(&fx);
    return pass;
}

/* One block's outcome as bytes: this header, then the table text, then
 * the JSON object (no separator). The same bytes whether the block ran
 * here or on another MPI rank (farm.h), so both print identically. */
struct run_outcome {
    uint8_t pass;
    uint64_t gas;
    double seconds;
    uint64_t table_len, json_len;
};

struct run_job {
    const char *const *dirs;
    const struct run_options *opt;
    bool json;
};

static void run_work(size_t index, void *arg, struct bytebuf *out)
{
    const struct run_job *job = arg;
    char *text = NULL;
    size_t text_len = 0;
    FILE *table = open_memstream(&text, &text_len);
    struct bytebuf json = {0};
    struct run_totals tot = {0};
    struct run_outcome h = {0};
    if (table) {
        h.pass = run_block(job->dirs[index], job->opt, table, job->json ? &json : NULL, true, &tot);
        fclose(table);
    } else {
        text = strdup("run: out of memory\n");
        text_len = text ? strlen(text) : 0;
    }
    h.gas = tot.gas;
    h.seconds = tot.seconds;
    h.table_len = text_len;
    h.json_len = json.len;
    if (bytebuf_append(out, &h, sizeof h) || bytebuf_append(out, text, text_len) ||
        bytebuf_append(out, json.data, json.len))
        out->len = 0; /* run_emit reports a missing outcome */
    free(text);
    bytebuf_free(&json);
}

/* Print one block's outcome (first: the first block, for the JSON
 * separator) and add it to the totals. */
static void run_emit(const struct bytebuf *b, bool first, FILE *table, FILE *json_out, struct run_totals *tot)
{
    struct run_outcome h;
    if (b->len < sizeof h) {
        fprintf(table, "run: a block's outcome was lost (out of memory)\n");
        tot->failed++;
        return;
    }
    memcpy(&h, b->data, sizeof h);
    const uint8_t *text = b->data + sizeof h;
    fwrite(text, 1, h.table_len, table);
    fflush(table);
    if (json_out && h.json_len) {
        if (!first)
            fputs(",\n", json_out);
        fwrite(text + h.table_len, 1, h.json_len, json_out);
    }
    tot->gas += h.gas;
    tot->seconds += h.seconds;
    if (h.pass)
        tot->passed++;
    else
        tot->failed++;
}

#ifdef PAREVM_MPI
/* run --mpi: the blocks over MPI ranks, largest first; rank 0 prints the
 * outcomes in the order given. Returns whether this rank printed. */
static bool run_mpi(struct run_job *job, int count, FILE *table, FILE *json_out, struct run_totals *tot)
{
    int rank, size;
    farm_init(&rank, &size);
    size_t n = (size_t)count;
    size_t *order = malloc(n * sizeof *order);
    struct bytebuf *got = rank == 0 ? calloc(n, sizeof *got) : NULL;
    if (!order || (rank == 0 && !got)) {
        fprintf(stderr, "parevm run: rank %d: out of memory\n", rank);
        tot->failed = n;
        free(order);
        free(got);
        return rank == 0;
    }
    order_by_size(job->dirs, n, "block.json", order);
    struct farm_job fj = {.tool = "run",
                          .names = job->dirs,
                          .n = n,
                          .order = order,
                          .work = run_work,
                          .arg = job,
                          .progress = false};
    bool root = farm_run(&fj, got) == 1;
    if (root) {
        if (json_out)
            fputs("[\n", json_out);
        for (size_t i = 0; i < n; i++) {
            run_emit(&got[i], i == 0, table, json_out, tot);
            bytebuf_free(&got[i]);
        }
    }
    free(got);
    free(order);
    return root;
}

static int run_mpi_end(int rc)
{
    return farm_end(rc);
}
#else
static int run_mpi_end(int rc)
{
    return rc;
}
#endif

int cli_run(int argc, char **argv)
{
    struct run_options opt = {.trace_tx = -1};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    opt.exec.threads = cpus > 0 ? (int)cpus : 1;
    const char *engine = NULL;
    int trace_tx = -1;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--json", .kind = OPTION_STRING, .dest = &opt.json_path},
        {.name = "--bal", .kind = OPTION_STRING, .dest = &opt.bal_path},
        {.name = "--engine", .kind = OPTION_STRING, .dest = &engine},
        {.name = "--quiet", .kind = OPTION_FLAG, .dest = &opt.quiet},
        {.name = "--mpi", .kind = OPTION_FLAG, .dest = &opt.mpi},
        {.name = "--trace", .kind = OPTION_FLAG, .dest = &opt.trace},
        {.name = "--trace-tx",
         .kind = OPTION_INT,
         .dest = &trace_tx,
         .min = 0,
         .max = INT_MAX,
         .bad = "bad transaction index '%s' for --trace-tx"},
        {.name = "--threads",
         .kind = OPTION_INT,
         .dest = &opt.exec.threads,
         .min = 1,
         .max = 1024,
         .bad = "bad thread count '%s' (1..1024)"},
        {0},
    };
    int dir_count = 0;
    int rc = cli_parse_options("run", cli_run_usage, specs, argc, argv, &dir_count);
    if (rc >= 0)
        return rc;
    char **dirs = argv + 1; /* options_parse gathered the folders there */
    opt.trace_tx = trace_tx;
    if (engine && strcmp(engine, "bal") != 0 && strcmp(engine, "auto") != 0) {
        fprintf(stderr, "parevm run: --engine: unknown engine '%s' (auto, bal)\n", engine);
        return CLI_EXIT_USAGE;
    }
    opt.bal_drive = engine && strcmp(engine, "bal") == 0;
#ifndef PAREVM_MPI
    if (opt.mpi) {
        fprintf(stderr, "parevm run: --mpi: this parevm was built without MPI (build/parevm-mpi, "
                        "`make mpi`, needs libopenmpi-dev)\n");
        return CLI_EXIT_USAGE;
    }
#endif
    if (opt.trace && opt.trace_tx >= 0) {
        fprintf(stderr, "parevm run: --trace and --trace-tx exclude each other\n");
        return CLI_EXIT_USAGE;
    }
    if (opt.mpi && (opt.trace || opt.trace_tx >= 0)) {
        fprintf(stderr, "parevm run: --mpi and --trace/--trace-tx exclude each other\n");
        return CLI_EXIT_USAGE;
    }
    if (opt.bal_drive && (!opt.bal_path || opt.trace || opt.trace_tx >= 0)) {
        fprintf(stderr, "parevm run: --engine bal needs --bal PATH (the list to drive the execution) and "
                        "excludes --trace/--trace-tx\n");
        return CLI_EXIT_USAGE;
    }
    if (opt.trace)
        opt.exec.threads = 1; /* see --help: traces are sequential */
    if (dir_count == 0) {
        fprintf(stderr, "parevm run: no BLOCK_DIR given\nTry 'parevm run --help'.\n");
        return CLI_EXIT_USAGE;
    }

    FILE *json_out = NULL;
    bool json_stdout = opt.json_path && strcmp(opt.json_path, "-") == 0;
    if (opt.json_path && !json_stdout) {
        json_out = fopen(opt.json_path, "w");
        if (!json_out) {
            perror(opt.json_path);
            return CLI_EXIT_FAIL;
        }
    } else if (json_stdout) {
        json_out = stdout;
    }
    FILE *table = json_stdout ? stderr : stdout;

    run_warm_up();
    struct run_totals tot = {0};
    struct run_job job = {.dirs = (const char *const *)dirs, .opt = &opt, .json = json_out != NULL};
    bool emitted = true;
    if (opt.mpi) {
#ifdef PAREVM_MPI
        emitted = run_mpi(&job, dir_count, table, json_out, &tot);
#endif
    } else {
        if (json_out)
            fputs("[\n", json_out);
        struct bytebuf one = {0};
        for (int i = 0; i < dir_count; i++) {
            bytebuf_reset(&one);
            run_work((size_t)i, &job, &one);
            run_emit(&one, i == 0, table, json_out, &tot);
        }
        bytebuf_free(&one);
    }
    if (!emitted) { /* an MPI rank other than 0: rank 0 writes everything */
        return run_mpi_end(tot.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK);
    }
    if (json_out) {
        fputs("\n]\n", json_out);
        if (json_out != stdout && fclose(json_out) != 0)
            perror(opt.json_path);
    }
    fprintf(table, "total: %llu gas in %.3f ms of execution: %.1f Mgas/s\n", (unsigned long long)tot.gas,
            tot.seconds * 1e3, tot.seconds > 0 ? (double)tot.gas / tot.seconds / 1e6 : 0.0);
    fprintf(table, "%zu passed, %zu failed\n", tot.passed, tot.failed);
    fflush(table);
    rc = tot.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    return opt.mpi ? run_mpi_end(rc) : rc;
}
