/* The EIP-2537 BLS12-381 (src/evm/bls12381.c) and EIP-7951 P256
 * (src/evm/p256.c) input parsers, and every other precompile, through
 * precompile_run: byte 0 picks the precompile (among those active in
 * Osaka), the rest is the input. Gas is capped at 2,000,000 so an input
 * cannot buy seconds of work (the MSM and pairing prices bound it). On
 * success the gas used is within the limit. */
#include <string.h>

#include "../../src/base/buf.h"
#include "../../src/evm/precompiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t count = 0;
    const address *addrs = precompile_addresses(FORK_OSAKA, &count);
    FUZZ_CHECK(count > 0);
    int id = precompile_lookup(&addrs[data[0] % count], FORK_OSAKA);
    FUZZ_CHECK(id > 0);
    const uint64_t limit = 2000000;
    uint64_t used = 0;
    struct bytebuf out;
    memset(&out, 0, sizeof out);
    enum precompile_status st = precompile_run(id, FORK_OSAKA, data + 1, size - 1, limit, &used, &out);
    FUZZ_CHECK(st != PRECOMPILE_ERROR);
    if (st == PRECOMPILE_OK)
        FUZZ_CHECK(used <= limit);
    else
        FUZZ_CHECK(out.len == 0);
    bytebuf_free(&out);
    return 0;
}
