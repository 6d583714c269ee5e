/* env — block context helpers (see env.h). */
#include "env.h"

/* EIP-4844: MIN_BASE_FEE_PER_BLOB_GAS. The update fraction is the fork's
 * (fork_blob_params: EIP-4844, EIP-7691, EIP-7892). */
#define MIN_BLOB_BASE_FEE 1u

/* A 320-bit intermediate (five 64-bit limbs, least significant first):
 * the series term times a 64-bit numerator before it is divided again. */
struct wide {
    uint64_t w[5];
};

static struct wide wide_mul_u64(const u256 *a, uint64_t m)
{
    struct wide r;
    u256_u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        carry += (u256_u128)a->w[i] * m;
        r.w[i] = (uint64_t)carry;
        carry >>= 64;
    }
    r.w[4] = (uint64_t)carry;
    return r;
}

/* In-place floor division by a non-zero 64-bit divisor. */
static void wide_div_u64(struct wide *x, uint64_t d)
{
    u256_u128 rem = 0;
    for (int i = 4; i >= 0; i--) {
        u256_u128 cur = (rem << 64) | x->w[i];
        x->w[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
}

/* EIP-4844 fake_exponential(factor, numerator, denominator): the Taylor
 * series of factor * e^(numerator / denominator) in integer arithmetic.
 * Each step computes accum * numerator // (denominator * i) exactly, as
 * (accum * numerator // denominator) // i (nested floor division is the
 * same). With a 64-bit numerator the true result can exceed 256 bits; it
 * then saturates at 2^256 - 1 (no transaction could pay such a fee). */
static u256 fake_exponential(uint64_t factor, uint64_t numerator, uint64_t denominator)
{
    u256 output = u256_zero();
    u256 f = u256_from_u64(factor);
    struct wide start = wide_mul_u64(&f, denominator);
    if (start.w[4])
        return u256_max();
    u256 accum = {{start.w[0], start.w[1], start.w[2], start.w[3]}};
    for (uint64_t i = 1; !u256_is_zero(&accum); i++) {
        bool carry;
        output = u256_add_carry(&output, &accum, &carry);
        if (carry)
            return u256_max();
        struct wide next = wide_mul_u64(&accum, numerator);
        wide_div_u64(&next, denominator);
        wide_div_u64(&next, i);
        if (next.w[4]) /* the next term alone exceeds 256 bits */
            return u256_max();
        accum = (u256){{next.w[0], next.w[1], next.w[2], next.w[3]}};
    }
    u256 den = u256_from_u64(denominator);
    return u256_div(&output, &den);
}

u256 block_env_blob_base_fee(enum fork f, uint64_t excess_blob_gas)
{
    return fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, fork_blob_params(f)->update_fraction);
}
