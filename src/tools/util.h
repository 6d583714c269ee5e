/* util — helpers shared by the parevm subcommands. */
#ifndef PAREVM_TOOLS_UTIL_H
#define PAREVM_TOOLS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../base/buf.h"

/* A list of owned path strings. */
struct path_list {
    char **items;
    size_t count, cap;
};

/* Append path (taking ownership; freed on failure). PAREVM_ERR_NOMEM. */
int path_list_add(struct path_list *l, char *path);
void path_list_free(struct path_list *l);

/* Files named on the command line are taken as they are (in argument
 * order); folders contribute their *.json files, recursively, sorted by
 * path. An unreadable folder is kept as an input so loading reports it. */
int collect_inputs(char **paths, int n, struct path_list *out);

/* "parevm COMMAND: <fmt with arg>" and a --help hint on stderr; returns
 * the usage exit status. */
int usage_error_for(const char *command, const char *fmt, const char *arg);

struct option_spec;
/* The front of a subcommand: options_parse (options.h) with no flags;
 * --help prints usage on stdout, an error goes out through
 * usage_error_for. Returns -1 to go on (the positional arguments in
 * argv[1 .. *positional_count]), else the exit status to return:
 * CLI_EXIT_OK after --help, CLI_EXIT_USAGE after an error. */
int cli_parse_options(const char *command, void (*usage)(FILE *out), const struct option_spec *specs,
                      int argc, char **argv, int *positional_count);

/* Folders sorted largest first by the size of their file `name` (a
 * missing file counts 0), ties in the given order: order[0..n) gets the
 * indexes. The order in which many-block tools hand out work, so the
 * longest blocks start first. */
void order_by_size(const char *const *dirs, size_t n, const char *name, size_t *order);

/* printf into a growing buffer, and a JSON string literal. On allocation
 * failure the text is dropped (callers keep their counts separately). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void buf_printf(struct bytebuf *b, const char *fmt, ...);
void buf_json_string(struct bytebuf *b, const char *s);

#endif
