/* jsonld.c — the loaders' error context and field paths. */
#include "jsonld.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../include/parevm.h"
#include "file.h"

int json_fail(struct json_ctx *c, int code, const char *field, const char *fmt, ...)
{
    if (c->code)
        return c->code;
    c->code = code;
    if (!c->err || c->err_len == 0)
        return code;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (field && *field)
        snprintf(c->err, c->err_len, "%s: %s: %s", c->path, field, msg);
    else
        snprintf(c->err, c->err_len, "%s: %s", c->path, msg);
    return code;
}

int json_nomem(struct json_ctx *c) { return json_fail(c, PAREVM_ERR_NOMEM, NULL, "out of memory"); }

/* Append text at *pos of a JSON_FIELD_MAX buffer, truncating. */
static void field_append(char *buf, size_t *pos, const char *text)
{
    size_t n = strlen(text);
    if (n > JSON_FIELD_MAX - 1 - *pos)
        n = JSON_FIELD_MAX - 1 - *pos;
    memmove(buf + *pos, text, n);
    *pos += n;
    buf[*pos] = '\0';
}

/* Start from prefix (already in buf when they alias). */
static size_t field_start(char *buf, const char *prefix)
{
    size_t pos = 0;
    if (prefix != buf) {
        buf[0] = '\0';
        field_append(buf, &pos, prefix);
    } else {
        pos = strlen(buf);
    }
    return pos;
}

const char *json_field_key(char *buf, const char *prefix, const char *key)
{
    size_t pos = field_start(buf, prefix);
    if (pos)
        field_append(buf, &pos, ".");
    field_append(buf, &pos, key);
    return buf;
}

const char *json_field_index(char *buf, const char *prefix, size_t i)
{
    char num[32];
    snprintf(num, sizeof num, "[%zu]", i);
    size_t pos = field_start(buf, prefix);
    field_append(buf, &pos, num);
    return buf;
}

int json_parse(struct json_ctx *c, const char *json, size_t len, cJSON **root)
{
    char msg[JSON_FIELD_MAX + 128];
    int rc = io_parse_json(json, len, root, msg, sizeof msg);
    return rc ? json_fail(c, rc, NULL, "%s", msg) : PAREVM_OK;
}

const cJSON *json_member(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return item && !cJSON_IsNull(item) ? item : NULL;
}
