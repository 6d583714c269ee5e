/*
 * RLP — Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B).
 *
 * Decoding is strict: every non-canonical form is rejected (a single byte
 * < 0x80 wrapped in a string header, long-form lengths that fit the short
 * form, lengths with leading zero bytes, items running past their parent).
 * Decoded items point into the caller's buffer; nothing is allocated.
 */
#ifndef PAREVM_BASE_RLP_H
#define PAREVM_BASE_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "u256.h"

struct rlp_item {
    const uint8_t *payload; /* the item's content (string bytes or list body) */
    size_t payload_len;
    size_t encoded_len; /* header + payload */
    bool is_list;
};

/* Decode one item at the start of buf[0..len). On success *item describes
 * it; bytes after it are the caller's business. PAREVM_ERR_RLP otherwise. */
int rlp_decode(const uint8_t *buf, size_t len, struct rlp_item *item);

/* Decode buf as exactly one item (trailing bytes are an error). */
int rlp_decode_whole(const uint8_t *buf, size_t len, struct rlp_item *item);

/* Iterate a list: init with the list item, then call next until it returns
 * false. *err is set to PAREVM_ERR_RLP if a child is malformed. */
struct rlp_iter {
    const uint8_t *pos;
    const uint8_t *end;
};
void rlp_iter_init(struct rlp_iter *it, const struct rlp_item *list);
bool rlp_iter_next(struct rlp_iter *it, struct rlp_item *child, int *err);

/* Count the children of a list item; -1 if malformed. */
long rlp_list_count(const struct rlp_item *list);

/* Interpret a string item as an integer: canonical (no leading zero byte),
 * at most 8 / 32 bytes. PAREVM_ERR_RLP on a list or non-canonical bytes,
 * PAREVM_ERR_RANGE on overflow. */
int rlp_item_u64(const struct rlp_item *item, uint64_t *out);
int rlp_item_u256(const struct rlp_item *item, u256 *out);

/* Encoding: append to a bytebuf. Integers use the minimal big-endian form
 * (zero encodes as the empty string 0x80). Lists: remember the offset from
 * rlp_list_begin and pass it to rlp_list_end, which inserts the header. */
int rlp_encode_bytes(struct bytebuf *b, const uint8_t *data, size_t len);
int rlp_encode_u64(struct bytebuf *b, uint64_t v);
int rlp_encode_u256(struct bytebuf *b, const u256 *v);
size_t rlp_list_begin(struct bytebuf *b);
int rlp_list_end(struct bytebuf *b, size_t begin_offset);
/* Append already-encoded RLP verbatim. */
int rlp_encode_raw(struct bytebuf *b, const uint8_t *data, size_t len);

#endif
