/*
 * keccak_round.h — one round of keccak-f[1600], written once for the
 * scalar permutation (keccak.c: lanes are uint64_t) and the vector
 * one (keccak_many.c: lanes are vectors of four uint64_t, GCC/Clang
 * vector extensions, where the same operators act lane by lane and a
 * scalar operand is broadcast). Internal to src/base.
 *
 * Include it after defining KECCAK_LANE (the lane type), KECCAK_ROUND_NAME
 * (the function's name) and KECCAK_ROUND_ATTR (attributes, may be empty);
 * it defines that function and undefines the three. The round constants
 * come once, with the first inclusion.
 */
#include <stdint.h>

#ifndef PAREVM_BASE_KECCAK_ROUND_CONSTANTS
#define PAREVM_BASE_KECCAK_ROUND_CONSTANTS
static const uint64_t keccak_round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

#define ROTL64(x, n) (((x) << (n)) | ((x) >> (64 - (n))))
#endif

/* One round from state a into state e (lane index x + 5y). Each output
 * plane is finished before the next is started (rho and pi gather its five
 * input lanes, chi combines them), so only the column parities and five
 * lanes are live at a time: the state stays in L1 instead of spilling the
 * registers of a fully unrolled round. */
static inline KECCAK_ROUND_ATTR void KECCAK_ROUND_NAME(const KECCAK_LANE *a, KECCAK_LANE *e,
                                                       uint64_t round_constant)
{
    /* theta: column parities */
    KECCAK_LANE c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    KECCAK_LANE c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    KECCAK_LANE c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    KECCAK_LANE c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    KECCAK_LANE c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    KECCAK_LANE d0 = c4 ^ ROTL64(c1, 1);
    KECCAK_LANE d1 = c0 ^ ROTL64(c2, 1);
    KECCAK_LANE d2 = c1 ^ ROTL64(c3, 1);
    KECCAK_LANE d3 = c2 ^ ROTL64(c4, 1);
    KECCAK_LANE d4 = c3 ^ ROTL64(c0, 1);
    KECCAK_LANE b0, b1, b2, b3, b4;

    /* rho + pi: output plane y takes, for x = 0..4, input lane
     * (x + 3y, x) rotated by its rho offset; chi along the plane. */
    b0 = a[0] ^ d0;
    b1 = ROTL64(a[6] ^ d1, 44);
    b2 = ROTL64(a[12] ^ d2, 43);
    b3 = ROTL64(a[18] ^ d3, 21);
    b4 = ROTL64(a[24] ^ d4, 14);
    e[0] = b0 ^ (~b1 & b2) ^ round_constant; /* iota */
    e[1] = b1 ^ (~b2 & b3);
    e[2] = b2 ^ (~b3 & b4);
    e[3] = b3 ^ (~b4 & b0);
    e[4] = b4 ^ (~b0 & b1);

    b0 = ROTL64(a[3] ^ d3, 28);
    b1 = ROTL64(a[9] ^ d4, 20);
    b2 = ROTL64(a[10] ^ d0, 3);
    b3 = ROTL64(a[16] ^ d1, 45);
    b4 = ROTL64(a[22] ^ d2, 61);
    e[5] = b0 ^ (~b1 & b2);
    e[6] = b1 ^ (~b2 & b3);
    e[7] = b2 ^ (~b3 & b4);
    e[8] = b3 ^ (~b4 & b0);
    e[9] = b4 ^ (~b0 & b1);

    b0 = ROTL64(a[1] ^ d1, 1);
    b1 = ROTL64(a[7] ^ d2, 6);
    b2 = ROTL64(a[13] ^ d3, 25);
    b3 = ROTL64(a[19] ^ d4, 8);
    b4 = ROTL64(a[20] ^ d0, 18);
    e[10] = b0 ^ (~b1 & b2);
    e[11] = b1 ^ (~b2 & b3);
    e[12] = b2 ^ (~b3 & b4);
    e[13] = b3 ^ (~b4 & b0);
    e[14] = b4 ^ (~b0 & b1);

    b0 = ROTL64(a[4] ^ d4, 27);
    b1 = ROTL64(a[5] ^ d0, 36);
    b2 = ROTL64(a[11] ^ d1, 10);
    b3 = ROTL64(a[17] ^ d2, 15);
    b4 = ROTL64(a[23] ^ d3, 56);
    e[15] = b0 ^ (~b1 & b2);
    e[16] = b1 ^ (~b2 & b3);
    e[17] = b2 ^ (~b3 & b4);
    e[18] = b3 ^ (~b4 & b0);
    e[19] = b4 ^ (~b0 & b1);

    b0 = ROTL64(a[2] ^ d2, 62);
    b1 = ROTL64(a[8] ^ d3, 55);
    b2 = ROTL64(a[14] ^ d4, 39);
    b3 = ROTL64(a[15] ^ d0, 41);
    b4 = ROTL64(a[21] ^ d1, 2);
    e[20] = b0 ^ (~b1 & b2);
    e[21] = b1 ^ (~b2 & b3);
    e[22] = b2 ^ (~b3 & b4);
    e[23] = b3 ^ (~b4 & b0);
    e[24] = b4 ^ (~b0 & b1);
}

#undef KECCAK_LANE
#undef KECCAK_ROUND_NAME
#undef KECCAK_ROUND_ATTR
