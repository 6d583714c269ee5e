/* cli — the parevm command-line tool's subcommands. Each takes the
 * arguments after its name (argv[0] is the subcommand name) and returns the
 * process exit status: 0 success, 1 failure (e.g. a test failed), 2 usage
 * error. */
#ifndef PAREVM_TOOLS_CLI_H
#define PAREVM_TOOLS_CLI_H

#include <stdio.h>

/* Exit statuses shared by every subcommand. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,
    CLI_EXIT_USAGE = 2
};

int cli_statetest(int argc, char **argv);
void cli_statetest_usage(FILE *out);
int cli_blocktest(int argc, char **argv);
void cli_blocktest_usage(FILE *out);
int cli_run(int argc, char **argv);
void cli_run_usage(FILE *out);
int cli_bench(int argc, char **argv);
void cli_bench_usage(FILE *out);
int cli_census(int argc, char **argv);
void cli_census_usage(FILE *out);
int cli_bal(int argc, char **argv);
void cli_bal_usage(FILE *out);
/* t8n: its own exit statuses, geth's (io/t8n.h). */
int cli_t8n(int argc, char **argv);
void cli_t8n_usage(FILE *out);

#endif
