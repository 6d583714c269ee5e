/* env — block context helpers (see env.h). */
#include "env.h"

/* EIP-4844: BLOB_BASE_FEE_UPDATE_FRACTION for Cancun. (Prague's EIP-7691
 * raises it to 5007716; a fork-aware variant belongs here when Prague
 * fixtures arrive.) */
#define BLOB_BASE_FEE_UPDATE_FRACTION 3338477u
#define MIN_BLOB_BASE_FEE 1u

/* a * m for a 64-bit m; false if the product needs more than 256 bits. */
static bool mul_u64_checked(const u256 *a, uint64_t m, u256 *out)
{
    u256_u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        carry += (u256_u128)a->w[i] * m;
        out->w[i] = (uint64_t)carry;
        carry >>= 64;
    }
    return carry == 0;
}

/* EIP-4844 fake_exponential(factor, numerator, denominator): the Taylor
 * series of factor * e^(numerator / denominator) in integer arithmetic.
 * With a 64-bit numerator the true result can exceed 256 bits; it then
 * saturates at 2^256 - 1 (no transaction could ever pay such a fee). */
static u256 fake_exponential(uint64_t factor, uint64_t numerator, uint64_t denominator)
{
    u256 output = u256_zero();
    u256 accum = u256_from_u64(0);
    u256 f = u256_from_u64(factor);
    if (!mul_u64_checked(&f, denominator, &accum))
        return u256_max();
    for (uint64_t i = 1; !u256_is_zero(&accum); i++) {
        bool carry;
        output = u256_add_carry(&output, &accum, &carry);
        if (carry)
            return u256_max();
        u256 scaled;
        if (!mul_u64_checked(&accum, numerator, &scaled))
            return u256_max();
        /* denominator * i fits 128 bits; keep it exact as a u256. */
        u256_u128 d = (u256_u128)denominator * i;
        u256 div = {{(uint64_t)d, (uint64_t)(d >> 64), 0, 0}};
        accum = u256_div(&scaled, &div);
    }
    u256 den = u256_from_u64(denominator);
    return u256_div(&output, &den);
}

u256 block_env_blob_base_fee(uint64_t excess_blob_gas)
{
    return fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION);
}
