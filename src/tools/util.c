/* util.c — helpers shared by the parevm subcommands: fixture file
 * discovery, usage errors, JSON text output (options: options.h). */
#include "util.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../include/parevm.h"
#include "cli.h"
#include "options.h"

int path_list_add(struct path_list *l, char *path)
{
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 256;
        char **grown = realloc(l->items, ncap * sizeof *grown);
        if (!grown) {
            free(path);
            return PAREVM_ERR_NOMEM;
        }
        l->items = grown;
        l->cap = ncap;
    }
    l->items[l->count++] = path;
    return PAREVM_OK;
}

void path_list_free(struct path_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_json_suffix(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Append every *.json file below dir (recursively, dot-entries skipped). */
static int collect_dir(const char *dir, struct path_list *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        /* Unreadable folder: keep it as an input so loading reports it. */
        char *copy = strdup(dir);
        return copy ? path_list_add(out, copy) : PAREVM_ERR_NOMEM;
    }
    int err = PAREVM_OK;
    struct dirent *e;
    bool slash = dir[0] && dir[strlen(dir) - 1] == '/';
    while (!err && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + 1 + strlen(e->d_name) + 1;
        char *child = malloc(n);
        if (!child) {
            err = PAREVM_ERR_NOMEM;
            break;
        }
        snprintf(child, n, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        struct stat st;
        if (stat(child, &st) != 0) {
            free(child);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            err = collect_dir(child, out);
            free(child);
        } else if (S_ISREG(st.st_mode) && has_json_suffix(e->d_name)) {
            err = path_list_add(out, child);
        } else {
            free(child);
        }
    }
    closedir(d);
    return err;
}

/* Files named on the command line are taken as they are (in argument
 * order); folders contribute their *.json files sorted by path. */
int collect_inputs(char **paths, int n, struct path_list *out)
{
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t first = out->count;
            int err = collect_dir(paths[i], out);
            if (err)
                return err;
            qsort(out->items + first, out->count - first, sizeof *out->items, compare_paths);
        } else {
            char *copy = strdup(paths[i]);
            if (!copy)
                return PAREVM_ERR_NOMEM;
            int err = path_list_add(out, copy);
            if (err)
                return err;
        }
    }
    return PAREVM_OK;
}

int usage_error_for(const char *command, const char *fmt, const char *arg)
{
    fprintf(stderr, "parevm %s: ", command);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'parevm %s --help' for usage.\n", command);
    return CLI_EXIT_USAGE;
}

int cli_parse_options(const char *command, void (*usage)(FILE *out), const struct option_spec *specs,
                      int argc, char **argv, int *positional_count)
{
    char err[512];
    int rc = options_parse(specs, 0, argc, argv, positional_count, err, sizeof err);
    if (rc == OPTIONS_HELP) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (rc)
        return usage_error_for(command, "%s", err);
    return -1;
}

void buf_printf(struct bytebuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        bytebuf_append(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bytebuf_append(b, big, (size_t)n);
    free(big);
}

void buf_json_string(struct bytebuf *b, const char *s)
{
    bytebuf_push(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            bytebuf_push(b, '\\');
            bytebuf_push(b, c);
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            bytebuf_push(b, c);
        }
    }
    bytebuf_push(b, '"');
}

struct sized {
    long size;
    size_t index;
};

static int cmp_sized(const void *a, const void *b)
{
    const struct sized *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void order_by_size(const char *const *dirs, size_t n, const char *name, size_t *order)
{
    struct sized *s = malloc((n ? n : 1) * sizeof *s);
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        if (!s)
            continue; /* out of memory: the given order */
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dirs[i], name);
        s[i].size = stat(path, &st) ? 0 : (long)st.st_size;
        s[i].index = i;
    }
    if (!s)
        return;
    qsort(s, n, sizeof *s, cmp_sized);
    for (size_t i = 0; i < n; i++)
        order[i] = s[i].index;
    free(s);
}
