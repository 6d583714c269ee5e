/*
 * parevm statetest — run ethereum/tests GeneralStateTests fixtures.
 *
 * Every (test, fork, post entry) is a case: the pre-state is cloned, the
 * transaction instantiated from the entry's (data, gas, value) indexes is
 * applied, and the resulting state root and logs hash are compared with the
 * entry's `hash` and `logs`. Entries with `expectException` must be
 * rejected by validation (no state change beyond the runner's coinbase
 * rule below).
 *
 * Files are processed by -j worker threads, each owning whole files (one
 * parsed file in memory per worker). Output is produced per file and
 * printed by the main thread strictly in file order, so it is identical for
 * every -j.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/hex.h"
#include "../chain/logs.h"
#include "../chain/transition.h"
#include "../evm/evm.h"
#include "../evm/precompiles.h"
#include "../evm/trace.h"
#include "../io/statetest.h"
#include "../state/code.h"
#include "../state/journal.h"
#include "../state/state_view.h"
#include "../state/world.h"
#include "cli.h"
#include "options.h"
#include "util.h"

struct st_options {
    bool has_fork;
    enum fork fork;
    bool json, bench, quiet, trace;
    const char *filter;
    unsigned jobs;
};

/* The outcome of one case, kept until its file's output is formatted in
 * case order. */
struct case_result {
    bool pass;
    bool refused;           /* the fork is not implemented: not run (a failure) */
    bool rejected;          /* the transaction was invalid (not applied) */
    const char *error_name; /* why it was rejected, when rejected (static) */
    hash32 root;
    /* --bench medians in ms, negative on error: the whole transaction
     * (transition_apply_world), its message's execution alone (evm_call
     * with JUMPDEST analysis already cached) and the JUMPDEST analysis of
     * the called code on a fresh code object. */
    double bench_ms, bench_exec_ms, bench_analysis_ms;
    /* Median over rounds of (whole transaction - message alone), each
     * round's pair run back to back: the transaction's setup. */
    double bench_setup_ms;
    char message[320]; /* "expected X, got Y" when !pass */
};

/* A case: post entry `post` of test `test` in the job's file. */
struct case_ref {
    uint32_t test, post;
};

/*
 * One input file. The worker that takes it loads it and lists its cases;
 * then any worker may run those cases (a slow file at the end of the run
 * is shared by every thread instead of holding up one). The worker that
 * finishes the last case formats the output in case order, frees the
 * parsed file and sets `done` under st_run.lock, which publishes the
 * buffers to the main thread.
 */
struct st_job {
    char *path;
    struct statetest_file file;
    struct case_ref *cases;
    struct case_result *results;
    size_t case_count; /* fixed before the job is shared */
    /* Next case to hand out. Relaxed: it only hands out distinct indexes;
     * the file and case list were published by the lock that made the job
     * visible to helpers. */
    atomic_size_t next_case;
    /* Cases finished; acq_rel so the finisher of the last one sees every
     * other worker's results. */
    atomic_size_t finished;
    struct bytebuf report; /* failure and error lines */
    struct bytebuf json;   /* --json entries, comma-separated */
    struct bytebuf bench;  /* --bench lines */
    size_t passed, failed, refused;
    bool done;
};

struct st_run {
    const struct st_options *opt;
    struct st_job *jobs;
    size_t job_count;
    /* Index of the next file to take. Relaxed is enough: it only hands
     * out distinct indexes. */
    atomic_size_t next;
    pthread_mutex_t lock; /* guards `active` and st_job.done */
    pthread_cond_t cond;  /* signalled when a job becomes done */
    /* Loaded files whose cases are not all finished (indexes into jobs).
     * Each has a worker inside it, so there are at most `threads`. */
    size_t *active;
    size_t active_count, active_cap;
    bool progress; /* stderr is a terminal: print progress lines */
    /* Progress counters (relaxed: only approximate counts are printed). */
    atomic_size_t cases_done, cases_failed, files_done;
};

void cli_statetest_usage(FILE *out)
{
    fprintf(out, "usage: parevm statetest [OPTIONS] PATH...\n"
                 "\n"
                 "Run ethereum/tests GeneralStateTests fixtures. Each PATH is a JSON file or a\n"
                 "folder searched recursively for *.json (files sorted by path). Every fork in\n"
                 "each test's `post` section and every post entry (data/gas/value indexes) is\n"
                 "one case: the transaction is applied to the pre-state and the state root and\n"
                 "logs hash are compared with the fixture. Cases with expectException must be\n"
                 "rejected by transaction validation.\n"
                 "\n"
                 "Forks parevm does not implement are never run under another fork's rules: a\n"
                 "case in such a fork is refused and counted as a failed case (\"refused: fork\n"
                 "NAME is not implemented\"), so a file for a newer fork cannot pass by accident\n"
                 "(every fork parevm knows, Frontier to Amsterdam, is implemented). A post key\n"
                 "naming no fork parevm knows makes the whole file fail to load (\"FILE: error:\n"
                 "post.NAME: unknown fork\").\n"
                 "\n"
                 "options:\n"
                 "  --fork NAME      run only this fork (e.g. Cancun, Berlin, EIP150); an unknown\n"
                 "                   or unimplemented fork (Amsterdam) is a usage error\n"
                 "  --filter SUBSTR  run only tests whose name or file path contains SUBSTR\n"
                 "  --json           print results as a JSON array of\n"
                 "                   {\"name\",\"pass\",\"stateRoot\",\"fork\",\"error\"} on stdout;\n"
                 "                   failure lines and the summary then go to stderr\n"
                 "  --bench          also time each case: rerun it (on a fresh copy of the\n"
                 "                   pre-state) for about 0.5 s and at least 5 runs, and print\n"
                 "                   \"NAME FORK D/G/V MEDIAN_MS exec E analysis A setup S\" (implies\n"
                 "                   -j 1): MEDIAN_MS the whole transaction, E its message's\n"
                 "                   execution alone, A the JUMPDEST analysis of the called code,\n"
                 "                   S the median of each run's total minus its execution (tx\n"
                 "                   setup); E + A is what evmone-bench's \"total\" times. With\n"
                 "                   --json, bench{Total,Exec,Analysis,Setup}Ms in each object\n"
                 "  --quiet          print nothing but the summary line (and --json output)\n"
                 "  --trace          write an EIP-3155 trace of every case to stderr: one JSON\n"
                 "                   line per instruction, then {\"output\",\"gasUsed\"[,\"error\"]}\n"
                 "                   and {\"stateRoot\"} (implies -j 1)\n"
                 "  -j, --jobs N     files processed in parallel (default: online CPUs)\n"
                 "  -h, --help       show this help\n"
                 "\n"
                 "output: one line per failed case, \"FILE TEST FORK D/G/V: expected X, got Y\",\n"
                 "one \"FILE: error: ...\" line per file that cannot be loaded (counted as one\n"
                 "failure), then \"N passed, N failed\" (followed by \"(N refused: fork not\n"
                 "implemented)\" when cases were refused). Progress lines go to stderr every\n"
                 "1000 cases when it is a terminal.\n"
                 "\n"
                 "exit status: 0 all cases passed, 1 a case failed or was refused or a file\n"
                 "could not be loaded, or no test case matched (no *.json under PATH, or none\n"
                 "selected by --fork/--filter: nothing ran, \"error: no test case matched\"),\n"
                 "2 usage error.\n");
}

static void hash_hex(const hash32 *h, char out[67])
{
    hex_encode(h->bytes, 32, out);
}

/* The state-test runner's coinbase rule (geth's state test harness, with
 * which the fixtures were filled): after the transaction, valid or not,
 * the coinbase receives a zero-value credit. Before EIP-161 that creates
 * it as an empty account if absent; from EIP-161 (Spurious Dragon) the
 * credit touches it, so an empty coinbase is removed. This is why a
 * rejected transaction's expected root can differ from the pre-state root
 * in Frontier..EIP150. */
static int statetest_touch_coinbase(struct world *w, const struct block_env *env)
{
    if (env->fork >= FORK_SPURIOUS) {
        struct world_account *cb = world_get(w, &env->coinbase);
        if (cb && world_account_is_empty(cb))
            world_delete(w, &env->coinbase);
        return PAREVM_OK;
    }
    return world_get_or_create(w, &env->coinbase) ? PAREVM_OK : PAREVM_ERR_NOMEM;
}

/* transition_apply_world with an EIP-3155 trace to stderr. */
static int apply_traced(const struct block_env *env, struct world *w, const struct tx *tx,
                        struct tx_result *r)
{
    struct world_view wv = {w, env->block_hash, env->block_hash_arg};
    struct state_view view = world_view_make(&wv);
    struct write_set ws;
    write_set_init(&ws);
    struct trace_json tj;
    trace_json_init(&tj, stderr);
    int err = transition_apply_traced(env, &view, tx, 0, &tj.base, r, &ws);
    trace_json_free(&tj);
    fflush(stderr);
    if (!err && r->error == TXERR_NONE)
        err = write_set_apply(&ws, w);
    write_set_free(&ws);
    return err;
}

/* Run one case. Returns PAREVM_OK with *res filled (pass or a mismatch),
 * PAREVM_ERR_UNSUPPORTED for a fork parevm does not implement (nothing
 * run, res->refused set), or an internal error code (then res->message
 * says what failed). */
static int run_case(const struct statetest *t, const struct statetest_post *p, bool trace,
                    struct case_result *res)
{
    memset(res, 0, sizeof *res);
    if (!fork_implemented(p->fork)) {
        /* Never run a fork under an older fork's rules. */
        res->refused = true;
        snprintf(res->message, sizeof res->message, "refused: fork %s is not implemented",
                 fork_name(p->fork));
        return PAREVM_ERR_UNSUPPORTED;
    }
    struct block_env env;
    statetest_block_env(t, p->fork, &env);
    struct world w;
    int err = world_clone(&t->pre, &w);
    if (err) {
        snprintf(res->message, sizeof res->message, "expected a result, got error: %s", parevm_strerror(err));
        return err;
    }
    struct tx tx;
    struct tx_result txr;
    memset(&txr, 0, sizeof txr);
    hash32 logs;
    err = statetest_build_tx(t, p, &tx);
    if (err == PAREVM_ERR_RANGE) {
        /* A value past 256 bits cannot be encoded in a transaction at
         * all: it is rejected before anything runs. */
        res->rejected = true;
        res->error_name = "value exceeds 256 bits";
        err = PAREVM_OK;
    } else if (err == PAREVM_OK) {
        if (trace)
            err = apply_traced(&env, &w, &tx, &txr);
        else
            err = transition_apply_world(&env, &w, &tx, 0, &txr);
        tx_free(&tx);
        if (!err && txr.error != TXERR_NONE) {
            res->rejected = true;
            res->error_name = tx_error_name(txr.error);
        }
    }
    if (!err)
        err = statetest_touch_coinbase(&w, &env);
    if (!err)
        err = world_state_root(&w, &res->root);
    if (!err && trace) {
        struct trace_json tj;
        trace_json_init(&tj, stderr);
        trace_json_state_root(&tj, res->root.bytes);
        trace_json_free(&tj);
    }
    if (!err)
        err = logs_hash(res->rejected ? NULL : txr.logs, res->rejected ? 0 : txr.log_count, &logs);
    tx_result_free(&txr);
    world_free(&w);
    if (err) {
        snprintf(res->message, sizeof res->message, "expected a result, got error: %s", parevm_strerror(err));
        return err;
    }

    char want[67], got[67];
    if (p->expect_exception && !res->rejected) {
        snprintf(res->message, sizeof res->message, "expected exception %s, got a valid transaction",
                 p->expect_exception);
    } else if (!p->expect_exception && res->rejected) {
        snprintf(res->message, sizeof res->message, "expected a valid transaction, got exception %s",
                 res->error_name);
    } else if (!hash32_eq(&res->root, &p->hash)) {
        hash_hex(&p->hash, want);
        hash_hex(&res->root, got);
        snprintf(res->message, sizeof res->message, "expected state root %s, got %s", want, got);
    } else if (!hash32_eq(&logs, &p->logs)) {
        hash_hex(&p->logs, want);
        hash_hex(&logs, got);
        snprintf(res->message, sizeof res->message, "expected logs hash %s, got %s", want, got);
    } else {
        res->pass = true;
    }
    return PAREVM_OK;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_ms(double *samples, size_t n)
{
    qsort(samples, n, sizeof *samples, compare_double);
    return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

/* One run of the case's message alone, as evmone-bench times a case: the
 * pre-state is cloned, the journal begun and the access list warmed as
 * transition would (outside the timed region); then only evm_call (code
 * lookup, checkpoint, value transfer, interpreter) is timed. A contract
 * creation is not timed (*exec_s = 0). */
static int bench_exec_once(const struct block_env *env, const struct statetest *t,
                           const struct statetest_post *p, struct journal *j, struct evm *evm, double *exec_s)
{
    struct world w;
    struct tx tx;
    *exec_s = 0;
    if (world_clone(&t->pre, &w))
        return PAREVM_ERR_NOMEM;
    int err = statetest_build_tx(t, p, &tx);
    if (err) {
        world_free(&w);
        return err == PAREVM_ERR_RANGE ? PAREVM_OK : err;
    }
    struct world_view wv = {&w, env->block_hash, env->block_hash_arg};
    struct state_view view = world_view_make(&wv);
    journal_begin(j, &view, fork_journal_rules(env->fork));
    bool was_warm;
    err = journal_warm_account(j, &tx.sender, &was_warm);
    if (!err && tx.has_to)
        err = journal_warm_account(j, &tx.to, &was_warm);
    if (!err && env->fork >= FORK_SHANGHAI)
        err = journal_warm_account(j, &env->coinbase, &was_warm);
    if (!err && tx.has_to) {
        struct tx_env txe;
        txe.origin = tx.sender;
        txe.gas_price = tx.gas_price;
        txe.blob_hashes = tx.blob_hashes;
        txe.blob_hash_count = tx.blob_hash_count;
        evm_begin(evm, env, &txe, j);
        struct evm_message m;
        memset(&m, 0, sizeof m);
        m.kind = EVM_CALL;
        m.gas = (int64_t)(tx.gas_limit - tx_intrinsic_gas(&tx, env->fork));
        m.sender = tx.sender;
        m.recipient = tx.to;
        m.code_address = tx.to;
        m.value = tx.value;
        m.transfers_value = true;
        m.input = tx.data;
        m.input_len = tx.data_len;
        struct evm_result r = {0};
        double t0 = monotonic_seconds();
        evm_call(evm, &m, &r);
        *exec_s = monotonic_seconds() - t0;
        free(r.output);
        err = evm->error;
    }
    tx_free(&tx);
    world_free(&w);
    return err;
}

/* Seconds to build the JUMPDEST map of a fresh copy of the called code
 * (what evmone-bench's "total" adds to execution: its analysis). */
static int bench_analysis_once(const struct statetest *t, const struct statetest_post *p, double *analysis_s)
{
    *analysis_s = 0;
    struct tx tx;
    int err = statetest_build_tx(t, p, &tx);
    if (err)
        return err == PAREVM_ERR_RANGE ? PAREVM_OK : err;
    const struct world_account *acct = tx.has_to ? world_get(&t->pre, &tx.to) : NULL;
    if (acct && acct->code && acct->code->len) {
        struct code *fresh = code_new(acct->code->bytes, acct->code->len);
        if (!fresh)
            err = PAREVM_ERR_NOMEM;
        else {
            double t0 = monotonic_seconds();
            if (!code_jumpdests(fresh))
                err = PAREVM_ERR_NOMEM;
            *analysis_s = monotonic_seconds() - t0;
            code_release(fresh);
        }
    }
    tx_free(&tx);
    return err;
}

/* Median times in milliseconds of this case (see case_result.bench_*),
 * over >= 5 rounds and about 0.5 s of wall time; each round runs the whole
 * transaction, the message alone and the analysis once, so the three see
 * the same machine conditions. The pre-state is cloned and the transaction
 * built outside the timed regions. Returns nonzero on an internal error. */
static int bench_case(const struct statetest *t, const struct statetest_post *p, struct case_result *res)
{
    enum { MIN_RUNS = 5, MAX_RUNS = 1000000 };
    const double budget = 0.5;
    size_t cap = 64, n = 0;
    double *samples = malloc(4 * cap * sizeof *samples);
    struct journal j;
    struct evm evm;
    journal_init(&j);
    evm_init(&evm);
    if (!samples)
        goto fail;
    struct block_env env;
    statetest_block_env(t, p->fork, &env);
    double start = monotonic_seconds();
    while (n < MAX_RUNS && (n < MIN_RUNS || monotonic_seconds() - start < budget)) {
        struct world w;
        struct tx tx;
        if (world_clone(&t->pre, &w))
            goto fail;
        int err = statetest_build_tx(t, p, &tx);
        double elapsed = 0, exec_s = 0, analysis_s = 0;
        if (err == PAREVM_OK) {
            struct tx_result txr;
            memset(&txr, 0, sizeof txr);
            double t0 = monotonic_seconds();
            err = transition_apply_world(&env, &w, &tx, 0, &txr);
            elapsed = monotonic_seconds() - t0;
            tx_result_free(&txr);
            tx_free(&tx);
        } else if (err == PAREVM_ERR_RANGE) {
            err = PAREVM_OK; /* never runs: see run_case */
        }
        world_free(&w);
        if (!err)
            err = bench_exec_once(&env, t, p, &j, &evm, &exec_s);
        if (!err)
            err = bench_analysis_once(t, p, &analysis_s);
        if (err)
            goto fail;
        if (n == cap) {
            double *grown = realloc(samples, 4 * 2 * cap * sizeof *samples);
            if (!grown)
                goto fail;
            samples = grown;
            for (size_t k = 3; k > 0; k--)
                memmove(samples + 2 * k * cap, samples + k * cap, cap * sizeof *samples);
            cap *= 2;
        }
        samples[n] = elapsed * 1e3;
        samples[cap + n] = exec_s * 1e3;
        samples[2 * cap + n] = analysis_s * 1e3;
        samples[3 * cap + n] = (elapsed - exec_s) * 1e3; /* this round's setup */
        n++;
    }
    res->bench_ms = median_ms(samples, n);
    res->bench_exec_ms = median_ms(samples + cap, n);
    res->bench_analysis_ms = median_ms(samples + 2 * cap, n);
    res->bench_setup_ms = median_ms(samples + 3 * cap, n);
    free(samples);
    journal_free(&j);
    evm_free(&evm);
    return 0;
fail:
    free(samples);
    journal_free(&j);
    evm_free(&evm);
    res->bench_ms = res->bench_exec_ms = res->bench_analysis_ms = -1;
    return -1;
}

static bool test_selected(const struct st_options *opt, const char *path, const struct statetest *t)
{
    return !opt->filter || strstr(t->name, opt->filter) || strstr(path, opt->filter);
}

static void note_progress(struct st_run *run, bool failed)
{
    if (failed)
        atomic_fetch_add_explicit(&run->cases_failed, 1, memory_order_relaxed);
    size_t done = atomic_fetch_add_explicit(&run->cases_done, 1, memory_order_relaxed) + 1;
    if (run->progress && done % 1000 == 0)
        fprintf(stderr, "progress: %zu cases, %zu failed, %zu/%zu files\n", done,
                atomic_load_explicit(&run->cases_failed, memory_order_relaxed),
                atomic_load_explicit(&run->files_done, memory_order_relaxed), run->job_count);
}

/* The message after the loader's "PATH: " prefix (the report line names
 * the file itself). */
static const char *strip_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

/* Format every case's output in case order, release the parsed file and
 * mark the job done. Called once, by the worker finishing the last case
 * (or the loader when there is nothing to run). */
static void finish_job(struct st_run *run, struct st_job *job, size_t index)
{
    const struct st_options *opt = run->opt;
    for (size_t c = 0; c < job->case_count; c++) {
        const struct statetest *t = &job->file.tests[job->cases[c].test];
        const struct statetest_post *p = &t->posts[job->cases[c].post];
        const struct case_result *res = &job->results[c];
        const char *fork = fork_name(p->fork);
        if (res->pass) {
            job->passed++;
        } else {
            job->failed++;
            job->refused += res->refused;
            buf_printf(&job->report, "%s %s %s %zu/%zu/%zu: %s\n", job->path, t->name, fork, p->data_index,
                       p->gas_index, p->value_index, res->message);
        }
        if (opt->json) {
            char root[67];
            hash_hex(&res->root, root);
            if (job->json.len)
                bytebuf_append(&job->json, ",\n", 2);
            bytebuf_append(&job->json, "{\"name\":", 8);
            buf_json_string(&job->json, t->name);
            buf_printf(&job->json,
                       ",\"pass\":%s,\"stateRoot\":\"%s\",\"fork\":", res->pass ? "true" : "false", root);
            buf_json_string(&job->json, fork);
            bytebuf_append(&job->json, ",\"error\":", 9);
            buf_json_string(&job->json, !res->pass ? res->message : res->rejected ? res->error_name : "");
            if (opt->bench && res->bench_ms >= 0)
                buf_printf(&job->json,
                           ",\"benchTotalMs\":%.6f,\"benchExecMs\":%.6f,\"benchAnalysisMs\":%.6f,"
                           "\"benchSetupMs\":%.6f",
                           res->bench_ms, res->bench_exec_ms, res->bench_analysis_ms, res->bench_setup_ms);
            bytebuf_push(&job->json, '}');
        }
        if (opt->bench) {
            if (res->bench_ms < 0)
                buf_printf(&job->bench, "%s %s %zu/%zu/%zu error\n", t->name, fork, p->data_index,
                           p->gas_index, p->value_index);
            else
                buf_printf(&job->bench, "%s %s %zu/%zu/%zu %.6f exec %.6f analysis %.6f setup %.6f\n",
                           t->name, fork, p->data_index, p->gas_index, p->value_index, res->bench_ms,
                           res->bench_exec_ms, res->bench_analysis_ms, res->bench_setup_ms);
        }
    }
    statetest_file_free(&job->file);
    free(job->cases);
    free(job->results);
    job->cases = NULL;
    job->results = NULL;
    atomic_fetch_add_explicit(&run->files_done, 1, memory_order_relaxed);

    pthread_mutex_lock(&run->lock);
    for (size_t i = 0; i < run->active_count; i++) {
        if (run->active[i] == index) {
            run->active[i] = run->active[--run->active_count];
            break;
        }
    }
    job->done = true;
    pthread_cond_broadcast(&run->cond);
    pthread_mutex_unlock(&run->lock);
}

/* Run cases of a shared job until none are left to take. */
static void work_on_job(struct st_run *run, struct st_job *job, size_t index)
{
    for (;;) {
        size_t c = atomic_fetch_add_explicit(&job->next_case, 1, memory_order_relaxed);
        if (c >= job->case_count)
            return;
        const struct statetest *t = &job->file.tests[job->cases[c].test];
        const struct statetest_post *p = &t->posts[job->cases[c].post];
        struct case_result *res = &job->results[c];
        run_case(t, p, run->opt->trace, res);
        if (run->opt->bench) {
            if (res->refused)
                res->bench_ms = res->bench_exec_ms = res->bench_analysis_ms = -1;
            else
                bench_case(t, p, res);
        }
        note_progress(run, !res->pass);
        if (atomic_fetch_add_explicit(&job->finished, 1, memory_order_acq_rel) + 1 == job->case_count)
            finish_job(run, job, index);
    }
}

/* Load job's file and list its selected cases. Returns false when there is
 * nothing to share (load error or no cases: the job is then finished). */
static bool open_job(struct st_run *run, struct st_job *job, size_t index)
{
    const struct st_options *opt = run->opt;
    char err[512];
    if (statetest_load_file(job->path, &job->file, err, sizeof err)) {
        buf_printf(&job->report, "%s: error: %s\n", job->path, strip_path(err, job->path));
        job->failed++;
        note_progress(run, true);
        goto finished;
    }
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        /* First pass counts, second fills. */
        for (size_t ti = 0; ti < job->file.count; ti++) {
            const struct statetest *t = &job->file.tests[ti];
            if (!test_selected(opt, job->path, t))
                continue;
            for (size_t pi = 0; pi < t->post_count; pi++) {
                if (opt->has_fork && t->posts[pi].fork != opt->fork)
                    continue;
                if (pass == 1)
                    job->cases[n] = (struct case_ref){(uint32_t)ti, (uint32_t)pi};
                n++;
            }
        }
        if (pass == 0) {
            if (n == 0)
                goto finished;
            job->cases = malloc(n * sizeof *job->cases);
            job->results = calloc(n, sizeof *job->results);
            if (!job->cases || !job->results) {
                buf_printf(&job->report, "%s: error: out of memory\n", job->path);
                job->failed++;
                note_progress(run, true);
                goto finished;
            }
            n = 0;
        }
    }
    job->case_count = n;
    return true;
finished:
    job->case_count = 0;
    finish_job(run, job, index);
    return false;
}

static void *worker_main(void *arg)
{
    struct st_run *run = arg;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&run->next, 1, memory_order_relaxed);
        if (i < run->job_count) {
            struct st_job *job = &run->jobs[i];
            if (!open_job(run, job, i))
                continue;
            /* Share it: idle workers may take its cases from now on. */
            pthread_mutex_lock(&run->lock);
            if (run->active_count < run->active_cap)
                run->active[run->active_count++] = i;
            pthread_mutex_unlock(&run->lock);
            work_on_job(run, job, i);
            continue;
        }
        /* No file left to open: help with the lowest-numbered file that
         * still has cases to hand out (the main thread prints in order). */
        size_t best = SIZE_MAX;
        pthread_mutex_lock(&run->lock);
        for (size_t a = 0; a < run->active_count; a++) {
            size_t j = run->active[a];
            if (j < best &&
                atomic_load_explicit(&run->jobs[j].next_case, memory_order_relaxed) < run->jobs[j].case_count)
                best = j;
        }
        pthread_mutex_unlock(&run->lock);
        if (best == SIZE_MAX)
            break;
        work_on_job(run, &run->jobs[best], best);
    }
    return NULL;
}

/* ---- collecting input files ---- */

static int usage_error(const char *fmt, const char *arg)
{
    return usage_error_for("statetest", fmt, arg);
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int cli_statetest(int argc, char **argv)
{
    struct st_options opt = {0};
    bool jobs_given = false;
    int jobs = 0;
    const char *fork = NULL;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--json", .kind = OPTION_FLAG, .dest = &opt.json},
        {.name = "--bench", .kind = OPTION_FLAG, .dest = &opt.bench},
        {.name = "--trace", .kind = OPTION_FLAG, .dest = &opt.trace},
        {.name = "--quiet", .alias = "-q", .kind = OPTION_FLAG, .dest = &opt.quiet},
        {.name = "--fork", .kind = OPTION_STRING, .dest = &fork},
        {.name = "--filter", .kind = OPTION_STRING, .dest = &opt.filter},
        {.name = "--jobs",
         .alias = "-j",
         .kind = OPTION_INT,
         .dest = &jobs,
         .min = 1,
         .max = 1024,
         .given = &jobs_given,
         .bad = "bad job count '%s' (1..1024)"},
        {0},
    };
    /* Options and paths may be mixed; "--" ends the options. Paths are
     * gathered in order into argv[1..npaths]. */
    int npaths = 0;
    int rc = cli_parse_options("statetest", cli_statetest_usage, specs, argc, argv, &npaths);
    if (rc >= 0)
        return rc;
    opt.jobs = (unsigned)jobs;
    if (fork) {
        if (!fork_from_name(fork, &opt.fork))
            return usage_error("unknown fork '%s'", fork);
        if (!fork_implemented(opt.fork))
            return usage_error("--fork: fork '%s' is not implemented", fork);
        opt.has_fork = true;
    }
    if (npaths == 0)
        return usage_error("%s", "no PATH given");
    if (!jobs_given)
        opt.jobs = online_cpus();
    /* Timings are only meaningful without other cases competing. */
    if (opt.bench || opt.trace)
        opt.jobs = 1; /* traces: one case at a time, in order */

    struct path_list files = {0};
    if (collect_inputs(argv + 1, npaths, &files)) {
        fprintf(stderr, "parevm statetest: out of memory\n");
        return CLI_EXIT_FAIL;
    }

    struct st_run run = {.opt = &opt, .job_count = files.count};
    run.jobs = calloc(files.count ? files.count : 1, sizeof *run.jobs);
    if (!run.jobs) {
        fprintf(stderr, "parevm statetest: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < files.count; i++) {
        run.jobs[i].path = files.items[i];
        atomic_init(&run.jobs[i].next_case, 0);
        atomic_init(&run.jobs[i].finished, 0);
    }
    free(files.items);
    atomic_init(&run.next, 0);
    atomic_init(&run.cases_done, 0);
    atomic_init(&run.cases_failed, 0);
    atomic_init(&run.files_done, 0);
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.cond, NULL);
    run.progress = !opt.quiet && isatty(STDERR_FILENO);

    unsigned nthreads = opt.jobs;
    if (nthreads > run.job_count)
        nthreads = run.job_count ? (unsigned)run.job_count : 1;
    pthread_t *threads = calloc(nthreads, sizeof *threads);
    run.active = calloc(nthreads, sizeof *run.active);
    run.active_cap = run.active ? nthreads : 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* Generous stacks: nested CALLs may recurse deeply in the interpreter,
     * and worker threads must not have less room than the main thread. */
    pthread_attr_setstacksize(&attr, (size_t)64 << 20);
    unsigned started = 0;
    for (unsigned i = 0; threads && i < nthreads; i++) {
        if (pthread_create(&threads[i], &attr, worker_main, &run) != 0)
            break;
        started++;
    }
    pthread_attr_destroy(&attr);
    if (started == 0) /* no threads at all: do the work here */
        worker_main(&run);

    /* Print each file's output in file order as soon as it is complete. */
    FILE *report = opt.json ? stderr : stdout;
    size_t passed = 0, failed = 0, refused = 0;
    bool json_first = true;
    if (opt.json)
        fputs("[\n", stdout);
    for (size_t i = 0; i < run.job_count; i++) {
        struct st_job *job = &run.jobs[i];
        pthread_mutex_lock(&run.lock);
        while (!job->done)
            pthread_cond_wait(&run.cond, &run.lock);
        pthread_mutex_unlock(&run.lock);
        passed += job->passed;
        failed += job->failed;
        refused += job->refused;
        if (!opt.quiet && job->report.len)
            fwrite(job->report.data, 1, job->report.len, report);
        if (opt.json && job->json.len) {
            if (!json_first)
                fputs(",\n", stdout);
            fwrite(job->json.data, 1, job->json.len, stdout);
            json_first = false;
        }
        if (job->bench.len)
            fwrite(job->bench.data, 1, job->bench.len, stdout);
        bytebuf_free(&job->report);
        bytebuf_free(&job->json);
        bytebuf_free(&job->bench);
        free(job->path);
    }
    if (opt.json)
        fputs(json_first ? "]\n" : "\n]\n", stdout);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(run.active);
    free(run.jobs);
    pthread_mutex_destroy(&run.lock);
    pthread_cond_destroy(&run.cond);

    if (refused)
        fprintf(report, "%zu passed, %zu failed (%zu refused: fork not implemented)\n", passed, failed,
                refused);
    else
        fprintf(report, "%zu passed, %zu failed\n", passed, failed);
    fflush(stdout);
    /* A run that checked nothing (an empty folder, a misspelt --filter)
     * must not read as a success. */
    if (passed + failed == 0) {
        fprintf(stderr, "parevm statetest: error: no test case matched (%zu file%s read%s%s%s%s%s)\n",
                run.job_count, run.job_count == 1 ? "" : "s", opt.filter ? ", --filter '" : "",
                opt.filter ? opt.filter : "", opt.filter ? "'" : "", opt.has_fork ? ", --fork " : "",
                opt.has_fork ? fork_name(opt.fork) : "");
        return CLI_EXIT_FAIL;
    }
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
