/* file.c — whole-file reads and text positions for the loaders. */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../include/parevm.h"

static int fail(int rc, char *msg, size_t msg_len, const char *what, const char *reason)
{
    if (msg && msg_len)
        snprintf(msg, msg_len, "%s%s%s", what, reason ? ": " : "", reason ? reason : "");
    return rc;
}

int io_read_file(const char *path, char **data, size_t *len, char *msg, size_t msg_len)
{
    *data = NULL;
    *len = 0;
    FILE *fp = path ? fopen(path, "rb") : stdin;
    if (!fp)
        return fail(PAREVM_ERR_IO, msg, msg_len, "cannot open", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = PAREVM_OK;
    while (buf) {
        if (cap - n < 2) { /* room for at least one byte and the NUL */
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (!buf) {
        rc = fail(PAREVM_ERR_NOMEM, msg, msg_len, "out of memory", NULL);
    } else if (ferror(fp)) {
        rc = fail(PAREVM_ERR_IO, msg, msg_len, "read error", NULL);
    } else if (!feof(fp)) {
        /* the loop stopped short of the end: realloc failed */
        rc = fail(PAREVM_ERR_NOMEM, msg, msg_len, "out of memory", NULL);
    }
    if (path)
        fclose(fp);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return PAREVM_OK;
}

void io_text_position(const char *text, const char *pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < pos; p++) {
        if (*p == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

int io_parse_json(const char *json, size_t len, cJSON **root, char *msg, size_t msg_len)
{
    const char *end = NULL;
    size_t line, col;
    *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!*root) {
        if (end && end >= json && end <= json + len) {
            io_text_position(json, end, &line, &col);
            snprintf(msg, msg_len, "invalid JSON at line %zu, column %zu", line, col);
        } else {
            snprintf(msg, msg_len, "invalid JSON");
        }
        return PAREVM_ERR_JSON;
    }
    if (end) {
        while (end < json + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
            end++;
        if (end < json + len && *end != '\0') {
            cJSON_Delete(*root);
            *root = NULL;
            io_text_position(json, end, &line, &col);
            snprintf(msg, msg_len, "trailing data after JSON at line %zu, column %zu", line, col);
            return PAREVM_ERR_JSON;
        }
    }
    return PAREVM_OK;
}
