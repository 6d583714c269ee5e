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
};

static int cli_version(int argc, char **argv);
static int cli_help(int argc, char **argv);

static const struct cli_command commands[] = {
    {"statetest", "run ethereum/tests GeneralStateTests fixtures", cli_statetest},
    {"blocktest", "run ethereum/tests BlockchainTests fixtures", cli_blocktest},
    {"gen", "write a synthetic block (ETH or ERC-20 transfers) as a mainnet-format fixture", cli_gen},
    {"run", "execute mainnet block snapshots and check them against their headers", cli_run},
    {"bench", "sequential vs parallel execution of block fixtures, with the oracle bound", cli_bench},
    {"census", "parallelism census of many blocks: bound(P), critical path, hot contracts", cli_census},
    {"bal", "EIP-7928 block-level access list of block snapshots (RLP, JSON, sizes)", cli_bal},
    {"t8n", "state transition as geth's `evm t8n` (alloc + env + txs -> post-state, receipts)", cli_t8n},
    {"version", "print the version", cli_version},
    {"help", "show this help (or `help COMMAND`)", cli_help},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: parevm COMMAND [ARGS...]\n"
                 "       parevm --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun `parevm COMMAND --help` for a command's options.\n");
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
    if (argc > 1 && strcmp(argv[1], "statetest") == 0) {
        cli_statetest_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "blocktest") == 0) {
        cli_blocktest_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "gen") == 0) {
        cli_gen_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "bench") == 0) {
        cli_bench_usage(stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "census") == 0) {
        cli_census_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "t8n") == 0) {
        cli_t8n_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "bal") == 0) {
        cli_bal_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "run") == 0) {
        cli_run_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "parevm: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    usage(stdout);
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
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "parevm: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
