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
#include "keccak_simd.h"

#include <string.h>

#define KECCAK_RATE 136 /* (1600 - 2 * 256) / 8 bytes */

#define KECCAK_LANE uint64_t
#define KECCAK_ROUND_NAME keccak_round
#define KECCAK_ROUND_ATTR
#include "keccak_round.h"

/* 24 rounds, alternating between the state and a scratch copy (or on
 * vector registers, where that is faster: keccak_many.c). */
static void keccak_f1600(uint64_t st[25])
{
    if (keccak_f1600_vector(st))
        return;
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

/* The SHA3 opcode's memo, per thread: Solidity hashes a mapping slot
 * (key || slot: 64 bytes; or a 32-byte key) for each access, so the read
 * and the write of `balances[to] += x` hash the same bytes twice, and a
 * block's transactions keep hashing the same pool's or holder's slots
 * (measured: 27-59% of SHA3 inputs of the gen DeFi blocks, 50% on the
 * mainnet snapshots, were in a memo of 128 entries). Direct-mapped; an
 * entry holds the whole input, so a hit is exact. */
#define KECCAK_MEMO_SIZE 128
struct keccak_memo_entry {
    uint8_t in[64];
    uint8_t hash[32];
    uint8_t len; /* 0: empty */
};
static _Thread_local struct keccak_memo_entry keccak_memo[KECCAK_MEMO_SIZE];

void keccak256_memo(const void *data, size_t len, uint8_t out[32])
{
    if (len != 32 && len != 64) {
        keccak256(data, len, out);
        return;
    }
    const uint8_t *p = data;
    uint64_t x = 0;
    for (size_t k = 0; k < len; k += 8)
        x = (x ^ load_le64(p + k)) * 0x9E3779B97F4A7C15ULL;
    struct keccak_memo_entry *e = &keccak_memo[x >> 57]; /* 7 bits: 128 entries */
    if (e->len == len && memcmp(e->in, p, len) == 0) {
        memcpy(out, e->hash, 32);
        return;
    }
    keccak256(p, len, out);
    memcpy(e->in, p, len);
    memcpy(e->hash, out, 32);
    e->len = (uint8_t)len;
}

const hash32 KECCAK_EMPTY = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                               0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                               0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

/* keccak256(rlp("")) = keccak256(0x80): the root of an empty trie. */
const hash32 EMPTY_TRIE_ROOT = {{0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                  0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                  0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21}};
