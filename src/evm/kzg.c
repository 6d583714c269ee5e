/* 0x0a KZG point evaluation (EIP-4844). Not implemented yet: in progress. */
#include "kzg.h"

const char *kzg_trusted_setup_path(void) { return ""; }

enum precompile_status kzg_precompile_point_evaluation(const uint8_t *in, size_t in_len,
                                                       uint64_t gas_limit, uint64_t *gas_used,
                                                       struct bytebuf *out)
{
    (void)in, (void)in_len, (void)gas_limit, (void)gas_used, (void)out;
    return PRECOMPILE_ERROR; /* not implemented yet */
}
