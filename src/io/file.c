/* file.c — whole-file reads and text positions for the loaders. */
#include "file.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../include/parevm.h"
#include "jsonld.h"

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

/* ---- telling a refused allocation from bad syntax ----
 * cJSON returns NULL both for malformed text and when an allocation
 * fails. To report the right one, a failed parse re-reads the text with
 * the grammar cJSON 1.7 accepts, allocating nothing: text cJSON should
 * have accepted means it ran out of memory. The check is never more
 * lenient than cJSON (where cJSON is lenient, as with "01" or raw control
 * characters in strings, it is strict RFC 8259 or as lenient), so a
 * malformed file is never called "out of memory"; at worst a non-RFC
 * file under memory exhaustion is called malformed. */

#define SYNTAX_DEPTH_MAX 1000 /* cJSON's CJSON_NESTING_LIMIT */
#define SYNTAX_NUMBER_MAX 63  /* cJSON reads a number through a 64-byte buffer */

struct syntax {
    const unsigned char *p, *end;
};

static void syntax_ws(struct syntax *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static bool syntax_literal(struct syntax *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool syntax_digits(struct syntax *s)
{
    const unsigned char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > start;
}

static bool syntax_number(struct syntax *s)
{
    const unsigned char *start = s->p;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!syntax_digits(s))
        return false;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!syntax_digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!syntax_digits(s))
            return false;
    }
    return s->p - start <= SYNTAX_NUMBER_MAX;
}

/* Four hex digits at p (end checked by the caller); -1 if not. */
static long syntax_hex4(const unsigned char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string; as cJSON, raw bytes other than '"' and '\\' pass, and a
 * \u escape must not leave a UTF-16 surrogate unpaired. */
static bool syntax_string(struct syntax *s)
{
    if (s->p >= s->end || *s->p != '"')
        return false;
    s->p++;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p != '\\') {
            s->p++;
            continue;
        }
        if (s->end - s->p < 2)
            return false;
        unsigned char e = s->p[1];
        if (e != 'u') {
            if (!strchr("bfnrt\"\\/", e) || e == '\0')
                return false;
            s->p += 2;
            continue;
        }
        if (s->end - s->p < 6)
            return false;
        long first = syntax_hex4(s->p + 2);
        if (first < 0 || (first >= 0xDC00 && first <= 0xDFFF))
            return false;
        s->p += 6;
        if (first >= 0xD800 && first <= 0xDBFF) {
            if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
                return false;
            long second = syntax_hex4(s->p + 2);
            if (second < 0xDC00 || second > 0xDFFF)
                return false;
            s->p += 6;
        }
    }
    if (s->p >= s->end)
        return false;
    s->p++;
    return true;
}

static bool syntax_value(struct syntax *s, int depth)
{
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case '"':
        return syntax_string(s);
    case 'n':
        return syntax_literal(s, "null");
    case 't':
        return syntax_literal(s, "true");
    case 'f':
        return syntax_literal(s, "false");
    case '[':
    case '{': {
        bool object = *s->p == '{';
        char close = object ? '}' : ']';
        if (depth >= SYNTAX_DEPTH_MAX)
            return false;
        s->p++;
        syntax_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            syntax_ws(s);
            if (object) {
                if (!syntax_string(s))
                    return false;
                syntax_ws(s);
                if (s->p >= s->end || *s->p != ':')
                    return false;
                s->p++;
                syntax_ws(s);
            }
            if (!syntax_value(s, depth + 1))
                return false;
            syntax_ws(s);
            if (s->p < s->end && *s->p == ',') {
                s->p++;
                continue;
            }
            if (s->p < s->end && *s->p == close) {
                s->p++;
                return true;
            }
            return false;
        }
    }
    default:
        return syntax_number(s);
    }
}

/* Whether cJSON should have parsed the first value of the text (what
 * follows it is io_parse_json's business). */
static bool json_syntax_ok(const char *json, size_t len)
{
    struct syntax s = {(const unsigned char *)json, (const unsigned char *)json + len};
    syntax_ws(&s);
    return syntax_value(&s, 0);
}

/* Whether text ends inside a string, object or array, or holds nothing
 * but whitespace (a cut-off file). */
static bool json_unterminated(const char *text, size_t len)
{
    size_t depth = 0;
    bool in_string = false, escaped = false, any = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t')
            any = true;
        if (ch == '"')
            in_string = true;
        else if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && depth)
            depth--;
    }
    return in_string || depth > 0 || !any;
}

/* ---- \u0000 inside strings ----
 * cJSON stores strings NUL-terminated, so "0x12\u000034" would read as
 * "0x12": the rest of the value would be dropped silently. The text is
 * scanned for the escape (only after cJSON accepted it, so it is valid
 * JSON) while a stack of the enclosing keys and indexes names the field. */

#define NUL_SCAN_DEPTH 32 /* deeper levels are left out of the field name */

struct nul_scan_frame {
    bool object;
    size_t index;    /* arrays: the element being read */
    const char *key; /* objects: the current key's raw text */
    size_t key_len;
};

/* The field path of the frames (and of an open key, when key is not
 * NULL) into field (JSON_FIELD_MAX bytes). */
static void nul_scan_field(char *field, const struct nul_scan_frame *frames, size_t depth, const char *key,
                           size_t key_len)
{
    char name[64];
    field[0] = '\0';
    for (size_t d = 0; d < depth && d < NUL_SCAN_DEPTH; d++) {
        const struct nul_scan_frame *f = &frames[d];
        if (!f->object) {
            json_field_index(field, field, f->index);
        } else if (f->key) {
            size_t n = f->key_len < sizeof name - 1 ? f->key_len : sizeof name - 1;
            memcpy(name, f->key, n);
            name[n] = '\0';
            json_field_key(field, field, name);
        }
    }
    if (key) {
        size_t n = key_len < sizeof name - 1 ? key_len : sizeof name - 1;
        memcpy(name, key, n);
        name[n] = '\0';
        json_field_key(field, field, name);
    }
}

/* Find the first string (key or value) of valid JSON text holding the
 * escape \u0000. Returns its byte offset (of the backslash) with the
 * field path in field, or len when there is none. */
static size_t json_find_nul_escape(const char *text, size_t len, char *field)
{
    static const char escape[] = "\\u0000";
    bool any = false;
    for (size_t i = 0; i + 6 <= len && !any; i++)
        any = memcmp(text + i, escape, 6) == 0;
    if (!any)
        return len; /* the common case: one pass, no tokenizing */

    struct nul_scan_frame frames[NUL_SCAN_DEPTH];
    size_t depth = 0;
    bool expect_key = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        struct nul_scan_frame *top = depth && depth <= NUL_SCAN_DEPTH ? &frames[depth - 1] : NULL;
        if (ch == '"') {
            bool is_key = expect_key;
            size_t begin = ++i;
            for (; i < len && text[i] != '"'; i++) {
                if (text[i] != '\\')
                    continue;
                if (i + 6 <= len && memcmp(text + i, escape, 6) == 0) {
                    nul_scan_field(field, frames, depth, is_key ? text + begin : NULL, i - begin);
                    return i;
                }
                i++; /* the escaped character, which may be a quote */
            }
            if (is_key && top) {
                top->key = text + begin;
                top->key_len = i - begin;
            }
        } else if (ch == '{' || ch == '[') {
            if (depth < NUL_SCAN_DEPTH)
                frames[depth] = (struct nul_scan_frame){.object = ch == '{'};
            depth++;
            expect_key = ch == '{';
        } else if ((ch == '}' || ch == ']') && depth) {
            depth--;
            expect_key = false;
        } else if (ch == ',' && top) {
            if (top->object)
                expect_key = true;
            else
                top->index++;
        } else if (ch == ':') {
            expect_key = false;
        }
    }
    return len;
}

/* ---- duplicate keys ----
 * cJSON keeps every member of an object, and lookups find the first;
 * geth's decoder takes the last. Rather than pick one, a repeated key is
 * refused. Keys written in hex ("0x" addresses, storage slots) name a
 * number, so they are compared ignoring case and leading zeros: the
 * loaders read "0xAB" and "0x00ab" as the same account or slot. */

/* Total order on keys in which equal means "the same key" as above. */
static int json_key_cmp(const char *a, const char *b)
{
    bool ha = (a[0] == '0' && (a[1] == 'x' || a[1] == 'X'));
    bool hb = (b[0] == '0' && (b[1] == 'x' || b[1] == 'X'));
    if (ha != hb)
        return ha ? -1 : 1;
    if (!ha)
        return strcmp(a, b);
    for (a += 2; *a == '0'; a++) {
    }
    for (b += 2; *b == '0'; b++) {
    }
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    for (; *a; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb)
            return ca - cb;
    }
    return 0;
}

struct json_member_ref {
    const cJSON *item;
    size_t index; /* position in the object, so the later of a pair is named */
};

static int json_member_ref_cmp(const void *x, const void *y)
{
    const struct json_member_ref *a = x, *b = y;
    int c = json_key_cmp(a->item->string, b->item->string);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

#define DUP_SMALL 16 /* objects up to this size are checked pairwise */

/* The repeated key of obj's members (the later one's spelling), or NULL;
 * PAREVM_ERR_NOMEM in *rc when the sort buffer cannot be had. O(n log n)
 * for n members. */
static const char *json_object_duplicate(const cJSON *obj, int *rc)
{
    size_t n = 0;
    for (const cJSON *m = obj->child; m; m = m->next)
        n++;
    if (n < 2)
        return NULL;
    if (n <= DUP_SMALL) {
        for (const cJSON *m = obj->child; m; m = m->next)
            for (const cJSON *o = obj->child; o != m; o = o->next)
                if (json_key_cmp(o->string, m->string) == 0)
                    return m->string;
        return NULL;
    }
    struct json_member_ref *members = malloc(n * sizeof *members);
    if (!members) {
        *rc = PAREVM_ERR_NOMEM;
        return NULL;
    }
    n = 0;
    for (const cJSON *m = obj->child; m; m = m->next, n++)
        members[n] = (struct json_member_ref){m, n};
    qsort(members, n, sizeof *members, json_member_ref_cmp);
    const char *dup = NULL;
    size_t dup_index = 0;
    for (size_t i = 1; i < n; i++) /* the first repeat in document order */
        if (json_key_cmp(members[i - 1].item->string, members[i].item->string) == 0 &&
            (!dup || members[i].index < dup_index)) {
            dup = members[i].item->string;
            dup_index = members[i].index;
        }
    free(members);
    return dup;
}

/* Walk node's tree for a repeated key; field (JSON_FIELD_MAX bytes) holds
 * node's path on entry and the offending object's path on return. Returns
 * the key, or NULL (with *rc set on out-of-memory). */
static const char *json_find_duplicate(const cJSON *node, char *field, int *rc)
{
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return NULL;
    const char *dup = cJSON_IsObject(node) ? json_object_duplicate(node, rc) : NULL;
    if (dup || *rc)
        return dup;
    size_t keep = strlen(field), i = 0;
    for (const cJSON *m = node->child; m; m = m->next, i++) {
        if (m->string)
            json_field_key(field, field, m->string);
        else
            json_field_index(field, field, i);
        if ((dup = json_find_duplicate(m, field, rc)) || *rc)
            return dup;
        field[keep] = '\0';
    }
    return NULL;
}

int io_parse_json(const char *json, size_t len, cJSON **root, char *msg, size_t msg_len)
{
    const char *end = NULL;
    size_t line, col;
    char field[JSON_FIELD_MAX];
    *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!*root) {
        if (len && json_syntax_ok(json, len)) {
            snprintf(msg, msg_len, "out of memory");
            return PAREVM_ERR_NOMEM;
        }
        if (json_unterminated(json, len)) {
            io_text_position(json, json + len, &line, &col);
            snprintf(msg, msg_len,
                     "invalid JSON: the file ends early at line %zu, column %zu (%zu bytes; truncated?)",
                     line, col, len);
        } else if (end && end >= json && end <= json + len) {
            io_text_position(json, end, &line, &col);
            snprintf(msg, msg_len, "invalid JSON at line %zu, column %zu (byte %zu)", line, col,
                     (size_t)(end - json));
        } else {
            snprintf(msg, msg_len, "invalid JSON");
        }
        return PAREVM_ERR_JSON;
    }
    int rc = PAREVM_OK;
    /* Only whitespace may follow the value: "{...} {...}" or "{...} x"
     * would otherwise load the first value and ignore the rest. A NUL
     * byte is not an end here, len is. */
    while (end < json + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end < json + len) {
        io_text_position(json, end, &line, &col);
        snprintf(msg, msg_len, "trailing data after the JSON value at byte %zu (line %zu, column %zu)",
                 (size_t)(end - json), line, col);
        rc = PAREVM_ERR_JSON;
    }
    size_t at;
    if (!rc && (at = json_find_nul_escape(json, len, field)) < len) {
        io_text_position(json, json + at, &line, &col);
        snprintf(msg, msg_len,
                 "%s%s\\u0000 in a string at line %zu, column %zu (NUL characters are not accepted)", field,
                 *field ? ": " : "", line, col);
        rc = PAREVM_ERR_JSON;
    }
    const char *dup;
    field[0] = '\0';
    if (!rc && ((dup = json_find_duplicate(*root, field, &rc)) || rc)) {
        if (rc)
            snprintf(msg, msg_len, "out of memory");
        else
            snprintf(msg, msg_len, "%s%sduplicate key \"%s\"", field, *field ? ": " : "", dup);
        rc = rc ? rc : PAREVM_ERR_JSON;
    }
    if (rc) {
        cJSON_Delete(*root);
        *root = NULL;
    }
    return rc;
}
