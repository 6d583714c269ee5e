/*
 * RLP (Yellow Paper, appendix B). The decoder accepts exactly one encoding
 * per value, the canonical one: consensus depends on it, since a
 * transaction or block with a second valid encoding would have a second
 * hash. Each check below names the non-canonical form it rejects.
 */
#include "rlp.h"

#include <string.h>

#include "types.h"

int rlp_decode(const uint8_t *buf, size_t len, struct rlp_item *item)
{
    if (!buf || len == 0)
        return PAREVM_ERR_RLP;
    uint8_t b0 = buf[0];

    if (b0 < 0x80) { /* a single byte is its own encoding */
        item->payload = buf;
        item->payload_len = 1;
        item->encoded_len = 1;
        item->is_list = false;
        return PAREVM_OK;
    }

    bool is_list = b0 >= 0xc0;
    uint8_t base = is_list ? 0xc0 : 0x80;
    size_t header, plen;

    if (b0 - base <= 55) { /* short form: length in the tag */
        header = 1;
        plen = (size_t)(b0 - base);
        if (plen > len - 1)
            return PAREVM_ERR_RLP;
        /* A single byte < 0x80 must be encoded as itself, not 0x81 xx. */
        if (!is_list && plen == 1 && buf[1] < 0x80)
            return PAREVM_ERR_RLP;
    } else { /* long form: tag says how many length bytes follow */
        size_t lenlen = (size_t)(b0 - base - 55);
        if (lenlen > len - 1)
            return PAREVM_ERR_RLP;
        /* Length bytes are a canonical integer: no leading zero. */
        if (buf[1] == 0)
            return PAREVM_ERR_RLP;
        if (lenlen > sizeof(size_t))
            return PAREVM_ERR_RLP; /* cannot fit in any buffer we hold */
        plen = 0;
        for (size_t i = 0; i < lenlen; i++)
            plen = (plen << 8) | buf[1 + i];
        /* The long form is only for payloads of 56 bytes or more. */
        if (plen < 56)
            return PAREVM_ERR_RLP;
        header = 1 + lenlen;
        if (plen > len - header)
            return PAREVM_ERR_RLP;
    }

    item->payload = buf + header;
    item->payload_len = plen;
    item->encoded_len = header + plen;
    item->is_list = is_list;
    return PAREVM_OK;
}

int rlp_decode_whole(const uint8_t *buf, size_t len, struct rlp_item *item)
{
    int err = rlp_decode(buf, len, item);
    if (err)
        return err;
    if (item->encoded_len != len)
        return PAREVM_ERR_RLP;
    return PAREVM_OK;
}

void rlp_iter_init(struct rlp_iter *it, const struct rlp_item *list)
{
    it->pos = list->payload;
    it->end = list->payload + list->payload_len;
}

/* The child must lie inside the parent: rlp_decode is bounded by `end`,
 * so an item claiming more bytes than its parent has is an error. */
bool rlp_iter_next(struct rlp_iter *it, struct rlp_item *child, int *err)
{
    if (err)
        *err = PAREVM_OK;
    if (it->pos >= it->end)
        return false;
    int e = rlp_decode(it->pos, (size_t)(it->end - it->pos), child);
    if (e) {
        if (err)
            *err = e;
        it->pos = it->end; /* stop: no resynchronisation after garbage */
        return false;
    }
    it->pos += child->encoded_len;
    return true;
}

long rlp_list_count(const struct rlp_item *list)
{
    if (!list->is_list)
        return -1;
    struct rlp_iter it;
    struct rlp_item child;
    int err;
    long n = 0;
    rlp_iter_init(&it, list);
    while (rlp_iter_next(&it, &child, &err))
        n++;
    return err ? -1 : n;
}

int rlp_item_u64(const struct rlp_item *item, uint64_t *out)
{
    if (item->is_list)
        return PAREVM_ERR_RLP;
    /* Integers are minimal big-endian: zero is the empty string, and a
     * leading zero byte is a second encoding of the same number. */
    if (item->payload_len > 0 && item->payload[0] == 0)
        return PAREVM_ERR_RLP;
    if (item->payload_len > 8)
        return PAREVM_ERR_RANGE;
    uint64_t v = 0;
    for (size_t i = 0; i < item->payload_len; i++)
        v = (v << 8) | item->payload[i];
    *out = v;
    return PAREVM_OK;
}

int rlp_item_u256(const struct rlp_item *item, u256 *out)
{
    if (item->is_list)
        return PAREVM_ERR_RLP;
    if (item->payload_len > 0 && item->payload[0] == 0)
        return PAREVM_ERR_RLP;
    if (item->payload_len > 32)
        return PAREVM_ERR_RANGE;
    *out = u256_from_be(item->payload, item->payload_len);
    return PAREVM_OK;
}

/* Write a header for a payload of `len` bytes with tag base 0x80/0xc0 into
 * hdr (at most 9 bytes); returns its size. */
static size_t make_header(uint8_t hdr[9], uint8_t base, size_t len)
{
    if (len <= 55) {
        hdr[0] = (uint8_t)(base + len);
        return 1;
    }
    size_t lenlen = 0;
    for (size_t v = len; v; v >>= 8)
        lenlen++;
    hdr[0] = (uint8_t)(base + 55 + lenlen);
    for (size_t i = 0; i < lenlen; i++)
        hdr[lenlen - i] = (uint8_t)(len >> (8 * i));
    return 1 + lenlen;
}

int rlp_encode_bytes(struct bytebuf *b, const uint8_t *data, size_t len)
{
    if (len == 1 && data[0] < 0x80)
        return bytebuf_push(b, data[0]);
    uint8_t hdr[9];
    size_t hlen = make_header(hdr, 0x80, len);
    int err = bytebuf_reserve(b, hlen + len);
    if (err)
        return err;
    memcpy(b->data + b->len, hdr, hlen);
    if (len)
        memcpy(b->data + b->len + hlen, data, len);
    b->len += hlen + len;
    return PAREVM_OK;
}

int rlp_encode_u64(struct bytebuf *b, uint64_t v)
{
    if (v == 0)
        return bytebuf_push(b, 0x80);
    if (v < 0x80)
        return bytebuf_push(b, (uint8_t)v);
    uint8_t be[8];
    size_t n = 0;
    for (uint64_t t = v; t; t >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        be[n - 1 - i] = (uint8_t)(v >> (8 * i));
    return rlp_encode_bytes(b, be, n);
}

int rlp_encode_u256(struct bytebuf *b, const u256 *v)
{
    if (u256_fits_u64(v))
        return rlp_encode_u64(b, v->w[0]);
    uint8_t be[32];
    u256_to_be(v, be);
    unsigned n = u256_byte_len(v);
    return rlp_encode_bytes(b, be + 32 - n, n);
}

size_t rlp_list_begin(struct bytebuf *b) { return b->len; }

/* The list body was appended after begin_offset; the header goes in front
 * of it. Short headers (1 byte) are the common case: reserve, shift once. */
int rlp_list_end(struct bytebuf *b, size_t begin_offset)
{
    if (begin_offset > b->len)
        return PAREVM_ERR_ARG;
    size_t body = b->len - begin_offset;
    uint8_t hdr[9];
    size_t hlen = make_header(hdr, 0xc0, body);
    int err = bytebuf_reserve(b, hlen);
    if (err)
        return err;
    memmove(b->data + begin_offset + hlen, b->data + begin_offset, body);
    memcpy(b->data + begin_offset, hdr, hlen);
    b->len += hlen;
    return PAREVM_OK;
}

int rlp_encode_raw(struct bytebuf *b, const uint8_t *data, size_t len)
{
    return bytebuf_append(b, data, len);
}
