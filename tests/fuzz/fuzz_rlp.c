/* RLP decoding: rlp_decode / rlp_decode_whole on arbitrary bytes, walking
 * every list recursively and reading every string as u64 and u256. A
 * decoded item must lie inside the input, and a whole-input item that
 * decodes re-encodes to the same bytes (the decoder is canonical). */
#include <string.h>

#include "../../src/base/buf.h"
#include "../../src/base/rlp.h"
#include "fuzz.h"

/* Skip the re-encoding check: nesting past the recursion cap, or a child
 * that does not decode (an outer item decodes without its children). */
static int too_deep, malformed;

static void walk(const uint8_t *lo, const uint8_t *hi, const struct rlp_item *item, int depth,
                 struct bytebuf *re)
{
    FUZZ_CHECK(item->payload >= lo && item->payload + item->payload_len <= hi);
    FUZZ_CHECK(item->encoded_len >= item->payload_len);
    if (!item->is_list) {
        uint64_t v;
        u256 w;
        (void)rlp_item_u64(item, &v);
        (void)rlp_item_u256(item, &w);
        if (re)
            FUZZ_CHECK(rlp_encode_bytes(re, item->payload, item->payload_len) == 0);
        return;
    }
    long count = rlp_list_count(item);
    size_t begin = re ? rlp_list_begin(re) : 0;
    struct rlp_iter it;
    rlp_iter_init(&it, item);
    struct rlp_item child;
    int err = 0;
    long seen = 0;
    while (rlp_iter_next(&it, &child, &err)) {
        seen++;
        if (depth < 200)
            walk(lo, hi, &child, depth + 1, re);
        else
            too_deep = 1;
    }
    if (count >= 0 && err == 0)
        FUZZ_CHECK(seen == count);
    if (err != 0)
        malformed = 1;
    else if (re)
        FUZZ_CHECK(rlp_list_end(re, begin) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rlp_item item;
    if (rlp_decode(data, size, &item) == 0) {
        FUZZ_CHECK(item.encoded_len <= size);
        walk(data, data + size, &item, 0, NULL);
    }
    if (rlp_decode_whole(data, size, &item) == 0) {
        FUZZ_CHECK(item.encoded_len == size);
        struct bytebuf re;
        memset(&re, 0, sizeof re);
        too_deep = malformed = 0;
        walk(data, data + size, &item, 0, &re);
        if (!too_deep && !malformed)
            FUZZ_CHECK(re.len == size && memcmp(re.data, data, size) == 0);
        bytebuf_free(&re);
    }
    return 0;
}
