/* gen_suite — `parevm gen suite`: a suite of M generated blocks of N
 * transactions, across every scenario and contention level, from a seed,
 * for censuses at scale without mainnet data. Block b is scenario
 * b mod 8 (transfers .. smart) at contention level (b / 8) mod 3
 * (--zipf 0, 0.8, 1.2), seed + b, written by `parevm gen` itself into
 * DIR/NNNNNN-SCENARIO-zZIPF. With --mpi (under mpirun) rank r of n writes
 * the blocks b with b mod n = r (Open MPI's OMPI_COMM_WORLD_RANK/SIZE). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "gen.h"
#include "options.h"
#include "util.h"

static const char *const suite_scenarios[] = {"transfers", "erc20",  "amm", "lending",
                                              "nft",       "supply", "dao", "smart"};
static const char *const suite_zipf[] = {"0", "0.8", "1.2"};

static void gen_suite_usage(FILE *out)
{
    fprintf(out, "usage: parevm gen suite --blocks M --txs N [--seed X] [--mpi] --out DIR\n"
                 "M blocks of N transactions: block b is scenario b mod 8 (transfers, erc20, amm,\n"
                 "lending, nft, supply, dao, smart) at --zipf 0, 0.8, 1.2 by (b / 8) mod 3, seed X + b,\n"
                 "in DIR/NNNNNN-SCENARIO-zZIPF. --mpi: under mpirun, rank r writes blocks b = r mod size.\n");
}

int gen_suite_main(int argc, char **argv)
{
    uint64_t blocks = 0, txs = 0, seed = 1;
    const char *out = NULL;
    bool mpi = false;
    int rank = 0, ranks = 1;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--blocks", .kind = OPTION_U64, .dest = &blocks, .umax = 1000000},
        {.name = "--txs", .kind = OPTION_U64, .dest = &txs, .umax = 10000000},
        {.name = "--seed", .kind = OPTION_U64, .dest = &seed},
        {.name = "--out", .kind = OPTION_STRING, .dest = &out},
        {.name = "--mpi", .kind = OPTION_FLAG, .dest = &mpi},
        {0},
    };
    int positional = 0;
    int rc = cli_parse_options("gen suite", gen_suite_usage, specs, argc, argv, &positional);
    if (rc >= 0)
        return rc;
    if (positional)
        return usage_error_for("gen suite", "unexpected argument '%s'", argv[1]);
    if (mpi) {
        const char *r = getenv("OMPI_COMM_WORLD_RANK"), *n = getenv("OMPI_COMM_WORLD_SIZE");
        if (r && n) {
            rank = atoi(r);
            ranks = atoi(n);
        }
    }
    if (!blocks || !txs || !out || ranks < 1 || rank < 0 || rank >= ranks) {
        gen_suite_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    mkdir(out, 0777);
    for (unsigned long long b = (unsigned long long)rank; b < blocks; b += (unsigned long long)ranks) {
        const char *scenario = suite_scenarios[b % 8], *zipf = suite_zipf[(b / 8) % 3];
        char dir[4096], txs_s[32], seed_s[32];
        snprintf(dir, sizeof dir, "%s/%06llu-%s-z%s", out, b, scenario, zipf);
        snprintf(txs_s, sizeof txs_s, "%llu", (unsigned long long)txs);
        snprintf(seed_s, sizeof seed_s, "%llu", seed + b);
        char *args[] = {"gen",    (char *)scenario, "--txs", txs_s, "--zipf", (char *)zipf,
                        "--seed", seed_s,           "--out", dir,   NULL};
        rc = cli_gen(10, args);
        if (rc) {
            fprintf(stderr, "gen suite: block %llu (%s) failed\n", b, dir);
            return rc;
        }
    }
    return CLI_EXIT_OK;
}
