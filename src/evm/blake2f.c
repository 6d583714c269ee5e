/*
 * BLAKE2b F compression (RFC 7693 3.2) with a variable round count, and
 * the EIP-152 precompile at 0x09.
 */
#include <string.h>

#include "blake2f.h"

static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/* Message schedule; round i uses row i mod 10 (EIP-152: rounds may exceed
 * the 12 of BLAKE2b, the schedule just cycles). */
static const uint8_t blake2b_sigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

#define BLAKE2B_G(a, b, c, d, x, y)                                                                \
    do {                                                                                           \
        v[a] = v[a] + v[b] + (x);                                                                  \
        v[d] = rotr64(v[d] ^ v[a], 32);                                                            \
        v[c] = v[c] + v[d];                                                                        \
        v[b] = rotr64(v[b] ^ v[c], 24);                                                            \
        v[a] = v[a] + v[b] + (y);                                                                  \
        v[d] = rotr64(v[d] ^ v[a], 16);                                                            \
        v[c] = v[c] + v[d];                                                                        \
        v[b] = rotr64(v[b] ^ v[c], 63);                                                            \
    } while (0)

void blake2f_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final,
                      uint32_t rounds)
{
    uint64_t v[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (final)
        v[14] = ~v[14];

    unsigned row = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        const uint8_t *s = blake2b_sigma[row];
        row = row == 9 ? 0 : row + 1;
        BLAKE2B_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        BLAKE2B_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        BLAKE2B_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        BLAKE2B_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        BLAKE2B_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        BLAKE2B_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        BLAKE2B_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        BLAKE2B_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

static void store64_le(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

enum precompile_status blake2f_precompile(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                          uint64_t *gas_used, struct bytebuf *out)
{
    /* EIP-152: exactly 213 bytes, else failure (all gas consumed). */
    if (in_len != 213)
        return PRECOMPILE_FAILURE;
    uint32_t rounds = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
    /* Price first: up to 2^32-1 rounds is affordable only with that much
     * gas, so the loop below is bounded by the caller's gas. */
    if (rounds > gas_limit)
        return PRECOMPILE_FAILURE;
    uint8_t flag = in[212];
    if (flag > 1) /* EIP-152: the final block indicator must be 0 or 1 */
        return PRECOMPILE_FAILURE;

    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; i++)
        h[i] = load64_le(in + 4 + 8 * i);
    for (int i = 0; i < 16; i++)
        m[i] = load64_le(in + 68 + 8 * i);
    t[0] = load64_le(in + 196);
    t[1] = load64_le(in + 204);

    blake2f_compress(h, m, t, flag == 1, rounds);

    uint8_t result[64];
    for (int i = 0; i < 8; i++)
        store64_le(result + 8 * i, h[i]);
    *gas_used = rounds;
    return bytebuf_append(out, result, 64) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}
