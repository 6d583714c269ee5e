/* file — reading fixture and input files whole, and locating a position
 * in text for error messages. Shared by the io/ loaders and the CLI. */
#ifndef PAREVM_IO_FILE_H
#define PAREVM_IO_FILE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Read all of path (standard input when path is NULL) into a malloc'ed
 * buffer, NUL-terminated after the last byte (*len excludes the NUL).
 * Returns PAREVM_OK, PAREVM_ERR_IO or PAREVM_ERR_NOMEM; on failure *data
 * is NULL and msg (if not NULL) says why: "cannot open: <reason>",
 * "read error" or "out of memory". */
int io_read_file(const char *path, char **data, size_t *len, char *msg, size_t msg_len);

/* Parse JSON text strictly, the one parser of every loader. PAREVM_OK
 * with *root (free with cJSON_Delete), or PAREVM_ERR_JSON (NOMEM when
 * memory runs out) with *root NULL and msg saying why, without the file
 * name (the caller adds it):
 *   "invalid JSON at line L, column C (byte N)"
 *   "invalid JSON: the file ends early at line L, column C (N bytes; truncated?)"
 *   "trailing data after the JSON value at byte N (line L, column C)"
 *     anything but whitespace after the value (a NUL byte included);
 *   "FIELD: \u0000 in a string at line L, column C (...)"
 *     cJSON's NUL-terminated strings would cut the value short;
 *   "FIELD: duplicate key \"K\"" (FIELD is the object's path, empty at
 *     the top level): a key given twice in one object, hex keys ("0x...")
 *     compared ignoring case and leading zeros. */
int io_parse_json(const char *json, size_t len, cJSON **root, char *msg, size_t msg_len);

/* Line and column (1-based) of pos in text. */
void io_text_position(const char *text, const char *pos, size_t *line, size_t *col);

#endif
