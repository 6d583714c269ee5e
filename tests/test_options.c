/*
 * options: the command-line option parser of the parevm subcommands
 * (src/tools/options.h). Every form an option may take (`--name VALUE`,
 * `--name=VALUE`, `-jN`, geth's `-name`), every kind of value with its
 * range forced both ways, the errors (unknown option, missing value, bad
 * number, a value on a flag, a refused option), `--` and the positional
 * arguments gathered in order.
 *
 * The parser is part of the command-line tool, not the library: this test
 * links its object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../src/tools/options.h"

/* The options of a made-up subcommand, and where they land. */
struct values {
    bool quiet, progress, trace, jobs_given;
    const char *filter;
    int jobs;
    uint64_t seed, chain;
    double zipf;
    int threads[4];
    int thread_count;
    const char *choice;
};

static int parse_choice(const char *value, void *dest, char *err, size_t err_len)
{
    if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
        snprintf(err, err_len, "--choice: on or off, not '%s'", value);
        return -1;
    }
    *(const char **)dest = value;
    return 0;
}

/* Parses the NULL-terminated words after a command name. */
static int parse(struct values *v, unsigned flags, char **words, int *positional, char *err, size_t err_len)
{
    memset(v, 0, sizeof *v);
    v->progress = true;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--quiet", .alias = "-q", .kind = OPTION_FLAG, .dest = &v->quiet},
        {.name = "--no-progress", .kind = OPTION_FLAG, .dest = &v->progress, .negate = true},
        {.name = "--trace", .kind = OPTION_BOOL, .dest = &v->trace},
        {.name = "--filter", .kind = OPTION_STRING, .dest = &v->filter},
        {.name = "--ignored", .kind = OPTION_STRING},
        {.name = "--jobs",
         .alias = "-j",
         .kind = OPTION_INT,
         .dest = &v->jobs,
         .min = 1,
         .max = 1024,
         .given = &v->jobs_given,
         .bad = "bad job count '%s' (1..1024)"},
        {.name = "--seed", .kind = OPTION_U64, .dest = &v->seed},
        {.name = "--chain", .kind = OPTION_U64, .dest = &v->chain, .hex = true, .umin = 1, .umax = 0xffff},
        {.name = "--zipf", .kind = OPTION_DOUBLE, .dest = &v->zipf, .min = 0},
        {.name = "--threads",
         .kind = OPTION_INT_LIST,
         .dest = v->threads,
         .count = &v->thread_count,
         .cap = 4,
         .min = 1,
         .max = 64},
        {.name = "--choice", .kind = OPTION_CALL, .dest = &v->choice, .parse = parse_choice},
        {.name = "--tracer", .kind = OPTION_REFUSED, .help = "custom tracers are not supported"},
        {0},
    };
    int argc = 1;
    while (words[argc])
        argc++;
    return options_parse(specs, flags, argc, words, positional, err, err_len);
}

#define PARSE(v, flags, n, err, ...) parse(v, flags, (char *[]){"cmd", __VA_ARGS__, NULL}, n, err, sizeof err)

static void test_forms(void **state)
{
    (void)state;
    struct values v;
    char err[128];
    int n = -1;
    assert_int_equal(PARSE(&v, 0, &n, err, "a", "--jobs", "4", "b", "--filter=x=y", "-q", "c"), OPTIONS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v.jobs, 4);
    assert_true(v.jobs_given);
    assert_string_equal(v.filter, "x=y");
    assert_true(v.quiet);
    char *words[] = {"cmd", "a", "-j7", "b", "--", "--quiet", "-", NULL};
    assert_int_equal(parse(&v, 0, words, &n, err, sizeof err), OPTIONS_OK);
    assert_int_equal(v.jobs, 7);
    assert_false(v.quiet); /* after "--": a path */
    assert_int_equal(n, 4);
    assert_string_equal(words[1], "a");
    assert_string_equal(words[2], "b");
    assert_string_equal(words[3], "--quiet");
    assert_string_equal(words[4], "-");
    /* The last of a repeated option wins; a value may start with '-'. */
    assert_int_equal(PARSE(&v, 0, &n, err, "-j=2", "--jobs", "3", "--filter", "-x"), OPTIONS_OK);
    assert_int_equal(v.jobs, 3);
    assert_string_equal(v.filter, "-x");
    assert_int_equal(PARSE(&v, 0, &n, err, "--no-progress", "--ignored", "z"), OPTIONS_OK);
    assert_false(v.progress);
    assert_int_equal(n, 0);
}

static void test_help_stops(void **state)
{
    (void)state;
    struct values v;
    char err[128];
    int n;
    assert_int_equal(PARSE(&v, 0, &n, err, "--quiet", "-h", "--nosuch"), OPTIONS_HELP);
    assert_int_equal(PARSE(&v, 0, &n, err, "--nosuch", "--help"), OPTIONS_ERROR);
    assert_string_equal(err, "unknown option '--nosuch'");
}

static void test_errors(void **state)
{
    (void)state;
    struct values v;
    char err[128];
    int n;
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs"), OPTIONS_ERROR);
    assert_string_equal(err, "option '--jobs' needs a value");
    assert_int_equal(PARSE(&v, 0, &n, err, "--quiet=1"), OPTIONS_ERROR);
    assert_string_equal(err, "option '--quiet' takes no value");
    assert_int_equal(PARSE(&v, 0, &n, err, "-x"), OPTIONS_ERROR);
    assert_string_equal(err, "unknown option '-x'");
    assert_int_equal(PARSE(&v, 0, &n, err, "--tracer", "x"), OPTIONS_ERROR);
    assert_string_equal(err, "'--tracer': custom tracers are not supported");
    assert_int_equal(PARSE(&v, 0, &n, err, "--choice", "maybe"), OPTIONS_ERROR);
    assert_string_equal(err, "--choice: on or off, not 'maybe'");
    assert_int_equal(PARSE(&v, 0, &n, err, "--choice", "on"), OPTIONS_OK);
    assert_string_equal(v.choice, "on");
    /* Without OPTIONS_SINGLE_DASH, -quiet is not --quiet. */
    assert_int_equal(PARSE(&v, 0, &n, err, "-quiet"), OPTIONS_ERROR);
}

static void test_numbers(void **state)
{
    (void)state;
    struct values v;
    char err[128];
    int n;
    /* int: the range both ways, and text that is not a number */
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs", "1024"), OPTIONS_OK);
    assert_int_equal(v.jobs, 1024);
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs", "1025"), OPTIONS_ERROR);
    assert_string_equal(err, "bad job count '1025' (1..1024)");
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs", "0"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs", "4x"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs="), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--jobs", "99999999999999999999"), OPTIONS_ERROR);
    /* u64: all 64 bits, no sign; hex only where asked */
    assert_int_equal(PARSE(&v, 0, &n, err, "--seed", "18446744073709551615"), OPTIONS_OK);
    assert_true(v.seed == UINT64_MAX);
    assert_int_equal(PARSE(&v, 0, &n, err, "--seed", "18446744073709551616"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--seed", "-1"), OPTIONS_ERROR);
    assert_string_equal(err, "--seed: bad value '-1' (a number 0..18446744073709551615)");
    assert_int_equal(PARSE(&v, 0, &n, err, "--seed", "0x10"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--chain", "0x10"), OPTIONS_OK);
    assert_true(v.chain == 16);
    assert_int_equal(PARSE(&v, 0, &n, err, "--chain", "0"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--chain", "65535"), OPTIONS_OK);
    assert_int_equal(PARSE(&v, 0, &n, err, "--chain", "65536"), OPTIONS_ERROR);
    /* double: finite, >= min */
    assert_int_equal(PARSE(&v, 0, &n, err, "--zipf", "1.25"), OPTIONS_OK);
    assert_true(v.zipf == 1.25);
    assert_int_equal(PARSE(&v, 0, &n, err, "--zipf", "0"), OPTIONS_OK);
    assert_int_equal(PARSE(&v, 0, &n, err, "--zipf", "-0.5"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--zipf", "nan"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--zipf", "inf"), OPTIONS_ERROR);
    /* int list: range, room, shape */
    assert_int_equal(PARSE(&v, 0, &n, err, "--threads", "1,2,64"), OPTIONS_OK);
    assert_int_equal(v.thread_count, 3);
    assert_int_equal(v.threads[2], 64);
    assert_int_equal(PARSE(&v, 0, &n, err, "--threads", "1,2,4,8,16"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--threads", "1,65"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--threads", ",1"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&v, 0, &n, err, "--threads", ""), OPTIONS_ERROR);
}

static void test_geth_forms(void **state)
{
    (void)state;
    struct values v;
    char err[128];
    int n;
    assert_int_equal(PARSE(&v, OPTIONS_SINGLE_DASH, &n, err, "-filter", "f", "-trace"), OPTIONS_OK);
    assert_string_equal(v.filter, "f");
    assert_true(v.trace);
    assert_int_equal(PARSE(&v, OPTIONS_SINGLE_DASH, &n, err, "--trace=false"), OPTIONS_OK);
    assert_false(v.trace);
    assert_int_equal(PARSE(&v, OPTIONS_SINGLE_DASH, &n, err, "--trace", "false"), OPTIONS_OK);
    assert_true(v.trace); /* a bool takes its value after '=' only */
    assert_int_equal(n, 1);
    assert_int_equal(PARSE(&v, OPTIONS_SINGLE_DASH, &n, err, "--trace=maybe"), OPTIONS_ERROR);
    assert_string_equal(err, "--trace: bad value 'maybe' (true or false)");
    assert_int_equal(PARSE(&v, OPTIONS_SINGLE_DASH, &n, err, "-help"), OPTIONS_HELP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),   cmocka_unit_test(test_help_stops), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_numbers), cmocka_unit_test(test_geth_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
