/* Transaction decoding, every type, every fork: tx_decode on the input; a
 * transaction that decodes must re-encode to exactly the input (the
 * decoder is strict: one encoding per value) and hash, price (intrinsic
 * and floor gas) and recover its sender under every fork without a
 * sanitizer report. */
#include <string.h>

#include "../../src/base/buf.h"
#include "../../src/chain/tx.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    const char *why = NULL;
    if (tx_decode(data, size, &tx, &why) != 0) {
        FUZZ_CHECK(why != NULL);
        tx_free(&tx);
        return 0;
    }
    struct bytebuf re;
    memset(&re, 0, sizeof re);
    FUZZ_CHECK(tx_encode(&tx, &re) == 0);
    FUZZ_CHECK(re.len == size && memcmp(re.data, data, size) == 0);
    bytebuf_free(&re);
    hash32 h;
    (void)tx_hash(&tx, &h);
    (void)tx_signing_hash(&tx, &h);
    for (int f = 0; f < FORK__COUNT; f++) {
        (void)tx_type_supported(tx.type, (enum fork)f);
        (void)tx_intrinsic_gas(&tx, (enum fork)f);
        (void)tx_floor_gas(&tx, (enum fork)f);
    }
    /* Recovery is the expensive part (secp256k1): once, under the newest
     * fork and the oldest (pre-EIP-155 / pre-EIP-2 rules differ). */
    struct tx copy = tx;
    (void)tx_recover_sender(&copy, FORK_FRONTIER);
    (void)tx_recover_sender(&tx, FORK_OSAKA);
    for (size_t i = 0; i < tx.authorization_count; i++) {
        address a;
        (void)tx_authorization_authority(&tx.authorizations[i], &a);
    }
    tx_free(&tx);
    return 0;
}
