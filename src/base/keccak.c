/*
 * keccak-256 as Ethereum uses it: Keccak[r=1088, c=512] with the original
 * submission's multi-rate padding (domain byte 0x01), which predates the
 * FIPS 202 SHA3 padding (0x06). Output is the first 32 bytes of the state.
 *
 * The permutation works plane by plane (see keccak_round), so rho
 * rotations and the pi permutation become constants and the compiler does
 * not spill: x86-64 has 16 registers, a fully unrolled round needs ~60.
 */
#include "keccak.h"

#include <string.h>

#define KECCAK_RATE 136 /* (1600 - 2 * 256) / 8 bytes */

static const uint64_t keccak_round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

#define ROTL64(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/* One round from state a into state e (lane index x + 5y). Each output
 * plane is finished before the next is started (rho and pi gather its five
 * input lanes, chi combines them), so only the column parities and five
 * lanes are live at a time: the state stays in L1 instead of spilling the
 * registers of a fully unrolled round. */
static inline void keccak_round(const uint64_t *a, uint64_t *e, uint64_t round_constant)
{
    /* theta: column parities */
    uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    uint64_t d0 = c4 ^ ROTL64(c1, 1);
    uint64_t d1 = c0 ^ ROTL64(c2, 1);
    uint64_t d2 = c1 ^ ROTL64(c3, 1);
    uint64_t d3 = c2 ^ ROTL64(c4, 1);
    uint64_t d4 = c3 ^ ROTL64(c0, 1);
    uint64_t b0, b1, b2, b3, b4;

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

/* 24 rounds, alternating between the state and a scratch copy. */
static void keccak_f1600(uint64_t st[25])
{
    uint64_t scratch[25];
    for (int round = 0; round < 24; round += 2) {
        keccak_round(st, scratch, keccak_round_constants[round]);
        keccak_round(scratch, st, keccak_round_constants[round + 1]);
    }
}

/* Lanes are little-endian 64-bit words; memcpy keeps unaligned loads legal. */
static inline uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
#endif
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

static inline void absorb_block(uint64_t st[25], const uint8_t *block)
{
    for (int i = 0; i < KECCAK_RATE / 8; i++)
        st[i] ^= load_le64(block + 8 * i);
    keccak_f1600(st);
}

/* XOR one byte into the state at byte offset pos (little-endian lanes). */
static inline void xor_byte(uint64_t st[25], size_t pos, uint8_t byte)
{
    st[pos / 8] ^= (uint64_t)byte << (8 * (pos % 8));
}

void keccak256_init(struct keccak_ctx *ctx)
{
    memset(ctx->state, 0, sizeof ctx->state);
    ctx->pos = 0;
}

void keccak256_update(struct keccak_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    /* Finish a partial block byte by byte. */
    while (ctx->pos != 0 && len > 0) {
        xor_byte(ctx->state, ctx->pos, *p++);
        len--;
        if (++ctx->pos == KECCAK_RATE) {
            keccak_f1600(ctx->state);
            ctx->pos = 0;
        }
    }
    while (len >= KECCAK_RATE) {
        absorb_block(ctx->state, p);
        p += KECCAK_RATE;
        len -= KECCAK_RATE;
    }
    /* Whole lanes first, then the tail bytes. */
    size_t lanes = len / 8;
    for (size_t i = 0; i < lanes; i++)
        ctx->state[i] ^= load_le64(p + 8 * i);
    for (size_t i = lanes * 8; i < len; i++)
        xor_byte(ctx->state, i, p[i]);
    ctx->pos += len;
}

void keccak256_final(struct keccak_ctx *ctx, uint8_t out[32])
{
    /* Keccak pad10*1 with the 0x01 domain bit (the pre-FIPS-202 variant
     * Ethereum adopted); both bits may land in the same byte. */
    xor_byte(ctx->state, ctx->pos, 0x01);
    xor_byte(ctx->state, KECCAK_RATE - 1, 0x80);
    keccak_f1600(ctx->state);
    for (int i = 0; i < 4; i++)
        store_le64(out + 8 * i, ctx->state[i]);
    keccak256_init(ctx);
}

void keccak256(const void *data, size_t len, uint8_t out[32])
{
    struct keccak_ctx ctx;
    keccak256_init(&ctx);
    keccak256_update(&ctx, data, len);
    keccak256_final(&ctx, out);
}

const hash32 KECCAK_EMPTY = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                               0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                               0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

/* keccak256(rlp("")) = keccak256(0x80): the root of an empty trie. */
const hash32 EMPTY_TRIE_ROOT = {{0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                  0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                  0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21}};
