/* 0x05 MODEXP (EIP-198, EIP-2565). Not implemented yet: in progress. */
#include "precompiles.h"

uint64_t precompile_modexp_gas(enum fork fork, const uint8_t *in, size_t in_len)
{
    (void)fork, (void)in, (void)in_len;
    return UINT64_MAX;
}

enum precompile_status precompile_modexp(enum fork fork, const uint8_t *in, size_t in_len,
                                         uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork, (void)in, (void)in_len, (void)gas_limit, (void)gas_used, (void)out;
    return PRECOMPILE_ERROR; /* not implemented yet */
}
