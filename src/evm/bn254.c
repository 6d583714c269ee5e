/* BN254 precompiles (EIP-196, EIP-197). Not implemented yet: in progress. */
#include "bn254.h"

enum precompile_status bn254_precompile_add(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork, (void)in, (void)in_len, (void)gas_limit, (void)gas_used, (void)out;
    return PRECOMPILE_ERROR; /* not implemented yet */
}

enum precompile_status bn254_precompile_mul(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork, (void)in, (void)in_len, (void)gas_limit, (void)gas_used, (void)out;
    return PRECOMPILE_ERROR; /* not implemented yet */
}

enum precompile_status bn254_precompile_pairing(enum fork fork, const uint8_t *in, size_t in_len,
                                                uint64_t gas_limit, uint64_t *gas_used,
                                                struct bytebuf *out)
{
    (void)fork, (void)in, (void)in_len, (void)gas_limit, (void)gas_used, (void)out;
    return PRECOMPILE_ERROR; /* not implemented yet */
}
