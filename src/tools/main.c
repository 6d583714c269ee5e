/* parevm — command-line entry point: dispatches to a subcommand. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "../../include/parevm.h"
#include "cli.h"
#include "gen.h"
#include "machine.h"

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out); /* NULL: the summary says it all */
};

static int cli_version(int argc, char **argv);
static int cli_help(int argc, char **argv);

/* Every subcommand, in the order `parevm --help` lists them; main
 * dispatches through this table, so the list cannot miss one. */
static const struct cli_command commands[] = {
    {"statetest", "run ethereum/tests GeneralStateTests fixtures", cli_statetest, cli_statetest_usage},
    {"blocktest", "run ethereum/tests BlockchainTests fixtures", cli_blocktest, cli_blocktest_usage},
    {"gen", "synthetic blocks as fixtures: transfers, tokens, DeFi, games, adversarial", cli_gen,
     cli_gen_usage},
    {"run", "execute mainnet block snapshots and check them against their headers", cli_run, cli_run_usage},
    {"bench", "sequential vs parallel execution of block fixtures, the oracle bound, --report", cli_bench,
     cli_bench_usage},
    {"census", "parallelism census of many blocks: bound(P), critical path, hot contracts", cli_census,
     cli_census_usage},
    {"bal", "EIP-7928 block-level access list of block snapshots (RLP, JSON, sizes)", cli_bal, cli_bal_usage},
    {"t8n", "state transition as geth's `evm t8n` (alloc + env + txs -> post-state, receipts)", cli_t8n,
     cli_t8n_usage},
    {"version", "print the version and the commit it was built from", cli_version, NULL},
    {"help", "show this help, or `help COMMAND`: that command's options", cli_help, NULL},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: parevm COMMAND [ARGS...]\n"
                 "       parevm --help | -h | --version\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun `parevm COMMAND --help` (or `parevm help COMMAND`) for a command's options.\n"
                 "An option takes its value as `--name VALUE` or `--name=VALUE`; `--` ends the options.\n");
}

static int cli_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("parevm %s (commit %s)\n", PAREVM_VERSION, machine_build_commit());
    return CLI_EXIT_OK;
}

static int cli_help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    const struct cli_command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "parevm: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (c->usage)
        c->usage(stdout);
    else
        printf("usage: parevm %s\n\n%s\n", c->name, c->summary);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    /* Block execution allocates and frees in bursts; keep freed memory in
     * the process instead of returning it to the kernel after every block
     * (glibc would trim the heap and fault the pages in again). */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0)
        return cli_version(0, NULL);
    const struct cli_command *c = find_command(cmd);
    if (c)
        return c->run(argc - 1, argv + 1);
    fprintf(stderr, "parevm: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
