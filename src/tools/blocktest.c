/*
 * parevm blocktest — run ethereum/tests BlockchainTests fixtures.
 *
 * Every test is one case: a chain is built from the genesis block on the
 * pre-state, then each block of the fixture is imported in order — decoded
 * from its RLP, checked against its parent (chain/validate.h), executed on
 * a copy of its parent's state with exec_block_sequential, and its header
 * checked against the result. Blocks are kept by hash, each with its
 * post-state, so a block may build on any earlier block (side chains); the
 * head is the last block imported. A block with expectException must be
 * rejected and is then forgotten. At the end the head's state is compared
 * with postState (or its root with postStateHash) and the head's hash
 * with lastblockhash.
 *
 * Files are processed by -j worker threads, each owning whole files;
 * output is printed by the main thread in file order, identical for
 * every -j.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/hex.h"
#include "../exec/exec.h"
#include "../io/blocktest.h"
#include "cli.h"
#include "options.h"
#include "util.h"

struct bt_options {
    bool json, quiet;
    const char *filter;
    unsigned jobs;
    struct exec_options exec; /* threads per block; 1 = sequential */
};

/* One input file and everything it printed. Filled by one worker; read by
 * the main thread after `done` is set under bt_run.lock. */
struct bt_job {
    char *path;
    struct bytebuf report; /* failure, rejection and error lines */
    struct bytebuf json;   /* --json entries, comma-separated */
    size_t passed, failed, refused;
    bool done;
};

struct bt_run {
    const struct bt_options *opt;
    struct bt_job *jobs;
    size_t job_count;
    /* Next file to take; relaxed: it only hands out distinct indexes, the
     * results travel under `lock`. */
    atomic_size_t next;
    pthread_mutex_t lock; /* guards bt_job.done and publishes the job's output */
    pthread_cond_t cond;  /* signalled when a job becomes done */
};

void cli_blocktest_usage(FILE *out)
{
    fprintf(out,
            "usage: parevm blocktest [OPTIONS] PATH...\n"
            "\n"
            "Run ethereum/tests BlockchainTests fixtures. Each PATH is a JSON file or a\n"
            "folder searched recursively for *.json (files sorted by path). Each test is\n"
            "one case: the genesis block is checked against the pre-state, every block is\n"
            "decoded from its RLP, validated against its parent, executed and checked\n"
            "against its header; blocks with expectException must be rejected (the chain\n"
            "then continues from the blocks before). The head's state is compared with\n"
            "postState (or postStateHash) and its hash with lastblockhash.\n"
            "\n"
            "A test whose network schedules a fork parevm does not implement is refused,\n"
            "never run under another fork's rules: it counts as a failed test, \"FILE\n"
            "TEST: network: refused: ...\" (every fork parevm knows, Frontier to\n"
            "Amsterdam, is implemented). An unknown network name fails the same way.\n"
            "\n"
            "A rejected block passes only when the kind of rejection is one that\n"
            "expectException names (any of its \"|\" alternatives; execution-spec-tests\n"
            "names such as TransactionException.INTRINSIC_GAS_TOO_LOW, and the older\n"
            "retesteth names such as TR_IntrinsicGas); otherwise the test fails with\n"
            "\"block N: expected exception X, got KIND: DETAIL\".\n"
            "\n"
            "options:\n"
            "  --filter SUBSTR  run only tests whose name or file path contains SUBSTR\n"
            "  --json           print results as a JSON array of\n"
            "                   {\"file\",\"name\",\"pass\",\"lastblockhash\",\"error\"} on stdout;\n"
            "                   the other lines and the summary then go to stderr\n"
            "  --quiet          print nothing but failures and the summary line\n"
            "  -j, --jobs N     files processed in parallel (default: online CPUs)\n"
            "  --threads N      threads executing each block with the parallel engine\n"
            "                   (default 1: sequential; results must be identical)\n"
            "  -h, --help       show this help\n"
            "\n"
            "output: one line per failed test, \"FILE TEST: block N: expected X, got Y\"\n"
            "(N counts the fixture's blocks from 1; \"genesis\" and \"post\" for the checks\n"
            "before and after the blocks), one line per correctly rejected block,\n"
            "\"FILE TEST: block N: rejected (EXPECTED): REASON: DETAIL\" (not with --quiet),\n"
            "one \"FILE: error: ...\" line per file that cannot be loaded (one failure),\n"
            "then \"N passed, N failed\" (followed by \"(N refused: fork not implemented)\"\n"
            "when tests were refused).\n"
            "\n"
            "exit status: 0 all tests passed, 1 a test failed or was refused or a file\n"
            "could not be loaded, or no test case matched (no *.json under PATH, no test\n"
            "in the files, or none selected by --filter: nothing ran, \"error: no test\n"
            "case matched\"), 2 usage error.\n");
}

static void hash_hex(const hash32 *h, char out[67]) { hex_encode(h->bytes, 32, out); }

/* Rejected-as-expected blocks: one report line each. */
struct reject_sink {
    struct bytebuf *out;
    const char *prefix; /* "FILE TEST" */
};

static void report_rejection(void *arg, size_t block, const char *expected, const struct blocktest_rejection *r)
{
    struct reject_sink *sink = arg;
    buf_printf(sink->out, "%s: block %zu: rejected (%s): %s: %s\n", sink->prefix, block, expected,
               blocktest_rejection_name(r), r->detail);
}

/* The message after the loader's "PATH: " prefix. */
static const char *strip_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

static void run_file(const struct bt_options *opt, struct bt_job *job)
{
    struct blocktest_file file;
    char err[512];
    if (blocktest_load_file(job->path, &file, err, sizeof err)) {
        buf_printf(&job->report, "%s: error: %s\n", job->path, strip_path(err, job->path));
        job->failed++;
        return;
    }
    for (size_t ti = 0; ti < file.count; ti++) {
        const struct blocktest *t = &file.tests[ti];
        if (opt->filter && !strstr(t->name, opt->filter) && !strstr(job->path, opt->filter))
            continue;
        char prefix[512];
        snprintf(prefix, sizeof prefix, "%s %s", job->path, t->name);
        struct blocktest_result res;
        struct reject_sink sink = {.out = &job->report, .prefix = prefix};
        int rc = blocktest_run_with(t, opt->exec.threads > 1 ? &opt->exec : NULL, &res,
                                    opt->quiet ? NULL : report_rejection, &sink);
        if (res.pass) {
            job->passed++;
        } else {
            job->failed++;
            job->refused += rc == PAREVM_ERR_UNSUPPORTED;
            buf_printf(&job->report, "%s: %s\n", prefix, res.message);
        }
        if (opt->json) {
            char head[67];
            hash_hex(&res.head_hash, head);
            if (job->json.len)
                bytebuf_append(&job->json, ",\n", 2);
            bytebuf_append(&job->json, "{\"file\":", 8);
            buf_json_string(&job->json, job->path);
            bytebuf_append(&job->json, ",\"name\":", 8);
            buf_json_string(&job->json, t->name);
            buf_printf(&job->json, ",\"pass\":%s,\"lastblockhash\":\"%s\",\"error\":", res.pass ? "true" : "false",
                       head);
            buf_json_string(&job->json, res.pass ? "" : res.message);
            bytebuf_push(&job->json, '}');
        }
    }
    blocktest_file_free(&file);
}

static void *worker_main(void *arg)
{
    struct bt_run *run = arg;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&run->next, 1, memory_order_relaxed);
        if (i >= run->job_count)
            break;
        run_file(run->opt, &run->jobs[i]);
        /* The mutex publishes the job's buffers to the main thread. */
        pthread_mutex_lock(&run->lock);
        run->jobs[i].done = true;
        pthread_cond_broadcast(&run->cond);
        pthread_mutex_unlock(&run->lock);
    }
    return NULL;
}

/* ---- collecting input files ---- */

static int usage_error(const char *fmt, const char *arg) { return usage_error_for("blocktest", fmt, arg); }

int cli_blocktest(int argc, char **argv)
{
    struct bt_options opt = {0};
    int jobs = 0;
    bool threads_given = false;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--json", .kind = OPTION_FLAG, .dest = &opt.json},
        {.name = "--quiet", .alias = "-q", .kind = OPTION_FLAG, .dest = &opt.quiet},
        {.name = "--filter", .kind = OPTION_STRING, .dest = &opt.filter},
        {.name = "--jobs",
         .alias = "-j",
         .kind = OPTION_INT,
         .dest = &jobs,
         .min = 1,
         .max = 1024,
         .bad = "bad job count '%s' (1..1024)"},
        {.name = "--threads",
         .kind = OPTION_INT,
         .dest = &opt.exec.threads,
         .min = 1,
         .max = 1024,
         .given = &threads_given,
         .bad = "bad thread count '%s' (1..1024)"},
        {0},
    };
    int npaths = 0;
    int rc = cli_parse_options("blocktest", cli_blocktest_usage, specs, argc, argv, &npaths);
    if (rc >= 0)
        return rc;
    opt.jobs = (unsigned)jobs;
    opt.exec.force = threads_given; /* conformance: exercise the engine even on tiny blocks */
    if (npaths == 0)
        return usage_error("%s", "no PATH given");
    if (opt.jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        opt.jobs = n > 0 ? (unsigned)n : 1;
    }

    struct path_list files = {0};
    if (collect_inputs(argv + 1, npaths, &files)) {
        path_list_free(&files);
        fprintf(stderr, "parevm blocktest: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    struct bt_run run = {.opt = &opt, .job_count = files.count};
    run.jobs = calloc(files.count ? files.count : 1, sizeof *run.jobs);
    if (!run.jobs) {
        path_list_free(&files);
        fprintf(stderr, "parevm blocktest: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < files.count; i++)
        run.jobs[i].path = files.items[i];
    free(files.items);
    atomic_init(&run.next, 0);
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.cond, NULL);

    unsigned nthreads = opt.jobs;
    if (nthreads > run.job_count)
        nthreads = run.job_count ? (unsigned)run.job_count : 1;
    pthread_t *threads = calloc(nthreads, sizeof *threads);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* Nested CALLs recurse in the interpreter: workers get the room the
     * main thread has. */
    pthread_attr_setstacksize(&attr, (size_t)64 << 20);
    unsigned started = 0;
    for (unsigned i = 0; threads && i < nthreads; i++) {
        if (pthread_create(&threads[i], &attr, worker_main, &run) != 0)
            break;
        started++;
    }
    pthread_attr_destroy(&attr);
    if (started == 0)
        worker_main(&run);

    FILE *report = opt.json ? stderr : stdout;
    size_t passed = 0, failed = 0, refused = 0;
    bool json_first = true;
    if (opt.json)
        fputs("[\n", stdout);
    for (size_t i = 0; i < run.job_count; i++) {
        struct bt_job *job = &run.jobs[i];
        pthread_mutex_lock(&run.lock);
        while (!job->done)
            pthread_cond_wait(&run.cond, &run.lock);
        pthread_mutex_unlock(&run.lock);
        passed += job->passed;
        failed += job->failed;
        refused += job->refused;
        if (job->report.len)
            fwrite(job->report.data, 1, job->report.len, report);
        if (opt.json && job->json.len) {
            if (!json_first)
                fputs(",\n", stdout);
            fwrite(job->json.data, 1, job->json.len, stdout);
            json_first = false;
        }
        bytebuf_free(&job->report);
        bytebuf_free(&job->json);
        free(job->path);
    }
    if (opt.json)
        fputs(json_first ? "]\n" : "\n]\n", stdout);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(run.jobs);
    pthread_mutex_destroy(&run.lock);
    pthread_cond_destroy(&run.cond);

    if (refused)
        fprintf(report, "%zu passed, %zu failed (%zu refused: fork not implemented)\n", passed, failed, refused);
    else
        fprintf(report, "%zu passed, %zu failed\n", passed, failed);
    fflush(stdout);
    /* A run that checked nothing must not read as a success. */
    if (passed + failed == 0) {
        fprintf(stderr, "parevm blocktest: error: no test case matched (%zu file%s read%s%s%s)\n",
                run.job_count, run.job_count == 1 ? "" : "s", opt.filter ? ", --filter '" : "",
                opt.filter ? opt.filter : "", opt.filter ? "'" : "");
        return CLI_EXIT_FAIL;
    }
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
