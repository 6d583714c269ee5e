/* options.c — the command-line option parser shared by the subcommands
 * (options.h). */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the option text key[0 .. key_len) name this spelling? With
 * OPTIONS_SINGLE_DASH, `-input.alloc` names `--input.alloc`. */
static bool spelling_matches(const char *spelling, const char *key, size_t key_len, unsigned flags)
{
    if (!spelling)
        return false;
    if (strlen(spelling) == key_len && strncmp(spelling, key, key_len) == 0)
        return true;
    return (flags & OPTIONS_SINGLE_DASH) && spelling[0] == '-' && spelling[1] == '-' && key[1] != '-' &&
           strlen(spelling + 1) == key_len && strncmp(spelling + 1, key, key_len) == 0;
}

static bool takes_value(enum option_kind kind)
{
    return kind != OPTION_HELP && kind != OPTION_FLAG && kind != OPTION_BOOL && kind != OPTION_REFUSED;
}

/* The row arg names; *attached: the value after '=' (or after a
 * one-letter alias: "-j4"), NULL when none. NULL when no row matches. */
static const struct option_spec *find_spec(const struct option_spec *specs, unsigned flags, const char *arg,
                                           const char **attached)
{
    const char *eq = strchr(arg, '=');
    size_t key_len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (const struct option_spec *s = specs; s->name; s++) {
        if (spelling_matches(s->name, arg, key_len, flags) ||
            spelling_matches(s->alias, arg, key_len, flags)) {
            *attached = eq ? eq + 1 : NULL;
            return s;
        }
    }
    /* "-j4": a one-letter alias with its value attached. */
    for (const struct option_spec *s = specs; s->name; s++) {
        if (s->alias && s->alias[0] == '-' && s->alias[1] && !s->alias[2] && takes_value(s->kind) &&
            arg[1] == s->alias[1] && arg[2]) {
            *attached = arg + 2;
            return s;
        }
    }
    return NULL;
}

static int bad_value(const struct option_spec *s, const char *value, char *err, size_t err_len)
{
    if (s->bad) {
        snprintf(err, err_len, s->bad, value);
        return OPTIONS_ERROR;
    }
    switch (s->kind) {
    case OPTION_INT:
    case OPTION_INT_LIST:
        snprintf(err, err_len, "%s: bad value '%s' (%s%lld..%lld)", s->name, value,
                 s->kind == OPTION_INT_LIST ? "a comma-separated list of " : "", s->min, s->max);
        break;
    case OPTION_U64:
        snprintf(err, err_len, "%s: bad value '%s' (a number %llu..%llu)", s->name, value,
                 (unsigned long long)s->umin, (unsigned long long)(s->umax ? s->umax : UINT64_MAX));
        break;
    case OPTION_DOUBLE:
        snprintf(err, err_len, "%s: bad value '%s' (a finite number >= %lld)", s->name, value, s->min);
        break;
    case OPTION_BOOL:
        snprintf(err, err_len, "%s: bad value '%s' (true or false)", s->name, value);
        break;
    default:
        snprintf(err, err_len, "%s: bad value '%s'", s->name, value);
        break;
    }
    return OPTIONS_ERROR;
}

/* "1,2,4" (a trailing comma is tolerated) into s->dest. */
static bool parse_int_list(const struct option_spec *s, const char *value)
{
    int *items = s->dest, n = 0;
    const char *p = value;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || end == p || v < s->min || v > s->max || n == s->cap)
            return false;
        items[n++] = (int)v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return false;
    }
    if (n == 0)
        return false;
    *s->count = n;
    return true;
}

/* Stores value (NULL for a flag given without one) as s says. */
static int store(const struct option_spec *s, const char *value, char *err, size_t err_len)
{
    char *end;
    switch (s->kind) {
    case OPTION_HELP:
    case OPTION_REFUSED:
        break; /* handled by the caller */
    case OPTION_FLAG:
        *(bool *)s->dest = !s->negate;
        break;
    case OPTION_BOOL: {
        bool v = true;
        if (value && strcmp(value, "false") == 0)
            v = false;
        else if (value && strcmp(value, "true") != 0)
            return bad_value(s, value, err, err_len);
        *(bool *)s->dest = s->negate ? !v : v;
        break;
    }
    case OPTION_STRING:
        if (s->dest)
            *(const char **)s->dest = value;
        break;
    case OPTION_INT: {
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < s->min || v > s->max)
            return bad_value(s, value, err, err_len);
        *(int *)s->dest = (int)v;
        break;
    }
    case OPTION_U64: {
        /* Digits only: strtoull would take "-1" as 2^64 - 1. */
        if (*value < '0' || *value > '9')
            return bad_value(s, value, err, err_len);
        errno = 0;
        unsigned long long v = strtoull(value, &end, s->hex ? 0 : 10);
        if (errno || *end || v < s->umin || (s->umax && v > s->umax))
            return bad_value(s, value, err, err_len);
        *(uint64_t *)s->dest = v;
        break;
    }
    case OPTION_DOUBLE: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v) || !(v >= (double)s->min))
            return bad_value(s, value, err, err_len);
        *(double *)s->dest = v;
        break;
    }
    case OPTION_INT_LIST:
        if (!parse_int_list(s, value))
            return bad_value(s, value, err, err_len);
        break;
    case OPTION_CALL:
        if (s->parse(value, s->dest, err, err_len))
            return OPTIONS_ERROR;
        break;
    }
    if (s->given)
        *s->given = true;
    return OPTIONS_OK;
}

int options_parse(const struct option_spec *specs, unsigned flags, int argc, char **argv,
                  int *positional_count, char *err, size_t err_len)
{
    int positional = 0;
    bool options_done = false;
    if (err_len)
        err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            argv[1 + positional++] = arg; /* never ahead of i: safe in place */
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        const char *value = NULL;
        const struct option_spec *s = find_spec(specs, flags, arg, &value);
        if (!s) {
            snprintf(err, err_len, "unknown option '%s'", arg);
            return OPTIONS_ERROR;
        }
        size_t key_len = strcspn(arg, "=");
        if (s->kind == OPTION_REFUSED) {
            snprintf(err, err_len, "'%.*s': %s", (int)key_len, arg, s->help ? s->help : "not supported");
            return OPTIONS_ERROR;
        }
        if (!takes_value(s->kind) && s->kind != OPTION_BOOL && value) {
            snprintf(err, err_len, "option '%.*s' takes no value", (int)key_len, arg);
            return OPTIONS_ERROR;
        }
        if (s->kind == OPTION_HELP) {
            if (positional_count)
                *positional_count = positional;
            return OPTIONS_HELP;
        }
        if (takes_value(s->kind) && !value) {
            if (i + 1 >= argc) {
                snprintf(err, err_len, "option '%s' needs a value", arg);
                return OPTIONS_ERROR;
            }
            value = argv[++i];
        }
        if (store(s, value, err, err_len))
            return OPTIONS_ERROR;
    }
    if (positional_count)
        *positional_count = positional;
    return OPTIONS_OK;
}
