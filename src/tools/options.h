/* options — the one command-line option parser of the parevm subcommands.
 *
 * A subcommand describes its options in a table (struct option_spec, one
 * row per option, ended by a row with a NULL name) and hands argv to
 * options_parse, which writes every value where its row says, validates
 * numbers against their range, and collects the positional arguments.
 * Forms accepted for an option that takes a value: `--name VALUE` and
 * `--name=VALUE`; a one-letter alias also takes `-jVALUE`. `--` ends the
 * options; a lone `-` is a positional argument. Options and positional
 * arguments may be mixed. The parser prints nothing: on an error it
 * writes one line naming the option (and the value) into the caller's
 * buffer, and the subcommand says it in its own voice (util.h:
 * usage_error_for). */
#ifndef PAREVM_TOOLS_OPTIONS_H
#define PAREVM_TOOLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum option_kind {
    OPTION_HELP,     /* -h/--help: parsing stops, options_parse returns OPTIONS_HELP */
    OPTION_FLAG,     /* no value: *(bool *)dest = !negate */
    OPTION_BOOL,     /* geth style: --name, --name=true, --name=false (value only after '=') */
    OPTION_STRING,   /* *(const char **)dest = value; dest NULL: accepted and ignored */
    OPTION_INT,      /* *(int *)dest: decimal in [min, max] */
    OPTION_U64,      /* *(uint64_t *)dest: unsigned (decimal, or 0x.. with hex) in [umin, umax] */
    OPTION_DOUBLE,   /* *(double *)dest: finite, >= min */
    OPTION_INT_LIST, /* "1,2,4": ints in [min, max] into (int *)dest, at most cap, count in *count */
    OPTION_CALL,     /* parse(value, dest, err, err_len): 0, or nonzero with err written */
    OPTION_REFUSED   /* known but not supported: always an error, "'--name': <help>" */
};

struct option_spec {
    const char *name;  /* "--threads" (NULL ends the table) */
    const char *alias; /* a second spelling, "-j" or "-q"; NULL: none */
    enum option_kind kind;
    void *dest;
    long long min, max;  /* OPTION_INT, OPTION_INT_LIST (and min for OPTION_DOUBLE) */
    uint64_t umin, umax; /* OPTION_U64; umax 0: no upper bound */
    bool hex;            /* OPTION_U64: strtoull base 0 (0x.. hex, as geth) instead of decimal */
    bool negate;         /* OPTION_FLAG/OPTION_BOOL: store the opposite */
    bool *given;         /* set true when the option is given (NULL: not tracked) */
    int *count;          /* OPTION_INT_LIST: the number of items */
    int cap;             /* OPTION_INT_LIST: room in dest */
    int (*parse)(const char *value, void *dest, char *err, size_t err_len); /* OPTION_CALL */
    const char *bad;  /* printf format with one %s (the value) for a value that does not
                       * parse or is out of range; NULL: a generic message naming the option */
    const char *help; /* OPTION_REFUSED: the reason; otherwise unused (the help texts are
                       * written by hand beside each table) */
};

/* Parser behaviour beyond the common one. */
enum {
    OPTIONS_SINGLE_DASH = 1u << 0, /* `-name` is `--name` (geth's flags: `-input.alloc`) */
};

enum {
    OPTIONS_OK = 0,
    OPTIONS_HELP = 1,   /* an OPTION_HELP row was given; nothing after it was read */
    OPTIONS_ERROR = -1, /* err holds one line, e.g. "unknown option '--x'" */
};

/* Parses argv[1 .. argc) against specs. The positional arguments are
 * moved, in order, to argv[1 .. *positional_count] (argv is reordered in
 * place; argv[0], the subcommand's name, is kept). Values are written as
 * their options are read, so the last of a repeated option wins. Returns
 * OPTIONS_OK, OPTIONS_HELP or OPTIONS_ERROR (err: a message without a
 * trailing newline, naming the option and, where one was given, the
 * value). */
int options_parse(const struct option_spec *specs, unsigned flags, int argc, char **argv,
                  int *positional_count, char *err, size_t err_len);

#endif
