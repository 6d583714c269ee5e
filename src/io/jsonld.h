/* jsonld — shared pieces of the JSON loaders (mainnet fixtures, t8n
 * inputs): a parsing context that keeps the first failure as a message
 * naming the file and the field ("block.json: transactions[3].r: bad
 * hex"), and field-path builders. */
#ifndef PAREVM_IO_JSONLD_H
#define PAREVM_IO_JSONLD_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct json_ctx {
    const char *path; /* the file, for messages */
    char *err;        /* message buffer (may be NULL) */
    size_t err_len;
    int code;         /* first failure; later ones are ignored so the
                         innermost cause is reported */
};

/* Record a failure ("PATH: FIELD: message", FIELD may be NULL) unless one
 * is recorded already; returns the recorded code. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int json_fail(struct json_ctx *c, int code, const char *field, const char *fmt, ...);
int json_nomem(struct json_ctx *c);

/* Field paths for messages, truncated to JSON_FIELD_MAX - 1 characters;
 * buf holds JSON_FIELD_MAX bytes and may alias prefix. */
#define JSON_FIELD_MAX 160
const char *json_field_key(char *buf, const char *prefix, const char *key); /* "prefix.key" */
const char *json_field_index(char *buf, const char *prefix, size_t i);      /* "prefix[i]" */

/* Parse a whole input file's text with io_parse_json's strict rules
 * (no trailing data, no \u0000 in strings, no repeated key); on failure
 * records "PATH: why" in c and returns its code, *root NULL. */
int json_parse(struct json_ctx *c, const char *json, size_t len, cJSON **root);

/* Member by exact name; absent and JSON null are both absent (NULL). */
const cJSON *json_member(const cJSON *obj, const char *key);

#endif
