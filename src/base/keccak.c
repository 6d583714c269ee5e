/*
 * keccak-256 as Ethereum uses it: Keccak[r=1088, c=512] with the original
 * submission's multi-rate padding (domain byte 0x01), which predates the
 * FIPS 202 SHA3 padding (0x06). Output is the first 32 bytes of the state.
 *
 * The permutation keeps the 25 lanes in locals and writes each round out
 * lane by lane, so the compiler can hold the state in registers; rho
 * rotations and the pi permutation become constants.
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

/* Lanes are named a<x><y> with lane index x + 5y. */
static void keccak_f1600(uint64_t st[25])
{
    uint64_t a00 = st[0], a10 = st[1], a20 = st[2], a30 = st[3], a40 = st[4];
    uint64_t a01 = st[5], a11 = st[6], a21 = st[7], a31 = st[8], a41 = st[9];
    uint64_t a02 = st[10], a12 = st[11], a22 = st[12], a32 = st[13], a42 = st[14];
    uint64_t a03 = st[15], a13 = st[16], a23 = st[17], a33 = st[18], a43 = st[19];
    uint64_t a04 = st[20], a14 = st[21], a24 = st[22], a34 = st[23], a44 = st[24];

    for (int round = 0; round < 24; round++) {
        /* theta: column parities */
        uint64_t c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
        uint64_t c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
        uint64_t c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
        uint64_t c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
        uint64_t c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
        uint64_t d0 = c4 ^ ROTL64(c1, 1);
        uint64_t d1 = c0 ^ ROTL64(c2, 1);
        uint64_t d2 = c1 ^ ROTL64(c3, 1);
        uint64_t d3 = c2 ^ ROTL64(c4, 1);
        uint64_t d4 = c3 ^ ROTL64(c0, 1);

        /* rho + pi: B[y][2x+3y] = rot(A[x][y] ^ D[x], r[x][y]).
         * b<x><y> is the lane that lands at (x, y). */
        uint64_t b00 = a00 ^ d0;
        uint64_t b10 = ROTL64(a11 ^ d1, 44);
        uint64_t b20 = ROTL64(a22 ^ d2, 43);
        uint64_t b30 = ROTL64(a33 ^ d3, 21);
        uint64_t b40 = ROTL64(a44 ^ d4, 14);
        uint64_t b01 = ROTL64(a30 ^ d3, 28);
        uint64_t b11 = ROTL64(a41 ^ d4, 20);
        uint64_t b21 = ROTL64(a02 ^ d0, 3);
        uint64_t b31 = ROTL64(a13 ^ d1, 45);
        uint64_t b41 = ROTL64(a24 ^ d2, 61);
        uint64_t b02 = ROTL64(a10 ^ d1, 1);
        uint64_t b12 = ROTL64(a21 ^ d2, 6);
        uint64_t b22 = ROTL64(a32 ^ d3, 25);
        uint64_t b32 = ROTL64(a43 ^ d4, 8);
        uint64_t b42 = ROTL64(a04 ^ d0, 18);
        uint64_t b03 = ROTL64(a40 ^ d4, 27);
        uint64_t b13 = ROTL64(a01 ^ d0, 36);
        uint64_t b23 = ROTL64(a12 ^ d1, 10);
        uint64_t b33 = ROTL64(a23 ^ d2, 15);
        uint64_t b43 = ROTL64(a34 ^ d3, 56);
        uint64_t b04 = ROTL64(a20 ^ d2, 62);
        uint64_t b14 = ROTL64(a31 ^ d3, 55);
        uint64_t b24 = ROTL64(a42 ^ d4, 39);
        uint64_t b34 = ROTL64(a03 ^ d0, 41);
        uint64_t b44 = ROTL64(a14 ^ d1, 2);

        /* chi along rows, iota on lane (0,0) */
        a00 = b00 ^ (~b10 & b20) ^ keccak_round_constants[round];
        a10 = b10 ^ (~b20 & b30);
        a20 = b20 ^ (~b30 & b40);
        a30 = b30 ^ (~b40 & b00);
        a40 = b40 ^ (~b00 & b10);
        a01 = b01 ^ (~b11 & b21);
        a11 = b11 ^ (~b21 & b31);
        a21 = b21 ^ (~b31 & b41);
        a31 = b31 ^ (~b41 & b01);
        a41 = b41 ^ (~b01 & b11);
        a02 = b02 ^ (~b12 & b22);
        a12 = b12 ^ (~b22 & b32);
        a22 = b22 ^ (~b32 & b42);
        a32 = b32 ^ (~b42 & b02);
        a42 = b42 ^ (~b02 & b12);
        a03 = b03 ^ (~b13 & b23);
        a13 = b13 ^ (~b23 & b33);
        a23 = b23 ^ (~b33 & b43);
        a33 = b33 ^ (~b43 & b03);
        a43 = b43 ^ (~b03 & b13);
        a04 = b04 ^ (~b14 & b24);
        a14 = b14 ^ (~b24 & b34);
        a24 = b24 ^ (~b34 & b44);
        a34 = b34 ^ (~b44 & b04);
        a44 = b44 ^ (~b04 & b14);
    }

    st[0] = a00, st[1] = a10, st[2] = a20, st[3] = a30, st[4] = a40;
    st[5] = a01, st[6] = a11, st[7] = a21, st[8] = a31, st[9] = a41;
    st[10] = a02, st[11] = a12, st[12] = a22, st[13] = a32, st[14] = a42;
    st[15] = a03, st[16] = a13, st[17] = a23, st[18] = a33, st[19] = a43;
    st[20] = a04, st[21] = a14, st[22] = a24, st[23] = a34, st[24] = a44;
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
