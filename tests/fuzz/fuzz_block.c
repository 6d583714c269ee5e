/* Block decoding: a whole block (header, transactions, uncles,
 * withdrawals) with blocktest_decode_block, and the input as one header
 * with blocktest_decode_header. A decoded header re-encodes to bytes that
 * decode to the same hash. */
#include <string.h>

#include "../../src/base/buf.h"
#include "../../src/chain/block.h"
#include "../../src/io/blocktest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    struct block b;
    memset(&b, 0, sizeof b);
    if (blocktest_decode_block(data, size, &b, NULL, why, sizeof why) == 0) {
        hash32 root;
        (void)transactions_root(b.txs, b.tx_count, &root);
        if (b.has_withdrawals)
            (void)withdrawals_root(b.withdrawals, b.withdrawal_count, &root);
    }
    block_free(&b);

    struct block_header h;
    memset(&h, 0, sizeof h);
    if (blocktest_decode_header(data, size, &h, why, sizeof why) == 0) {
        struct bytebuf re;
        memset(&re, 0, sizeof re);
        FUZZ_CHECK(block_header_encode(&h, &re) == 0);
        FUZZ_CHECK(re.len == size && memcmp(re.data, data, size) == 0);
        bytebuf_free(&re);
    }
    return 0;
}
