/*
 * keccak-f[1600] on vector registers: keccak256_many (many independent
 * messages, four side by side, one state per 64-bit lane of a 256-bit
 * vector) and the one-state permutation keccak.c uses where it is faster
 * than its scalar one.
 *
 * Why: a trie root hashes thousands of nodes (a block's receipts root was
 * 40-55% of its sequential execution time). With AVX-512VL's rotate
 * (vprolq) and three-input logic (vpternlogq, chi and theta's parities in
 * one instruction each), one permutation of a 256-bit vector of states
 * costs about two thirds of one scalar permutation: so four states cost
 * less than one did, and a single state, in one lane, is still faster.
 * With AVX2 alone (no rotate, no ternary logic) four lanes cost about what
 * 1.2 scalar permutations do: worth it for batches only.
 *
 * The lanes are a queue: each takes the next message when its own one is
 * done, so messages of different lengths share the vectors without
 * waiting for the longest. A step builds each word of the four blocks as
 * one vector from four scalar loads (a finished lane reads zeros) and
 * XORs it into the state, permutes, and takes the digest of each lane
 * whose message ended, clearing that lane with a mask.
 *
 * The code is written with GCC/Clang vector extensions, built once for
 * AVX-512VL and once for AVX2, chosen at run time by what the processor
 * reports; without either (or off x86-64) every message is hashed by the
 * scalar code. All paths give the same bytes (tests/test_keccak.c runs
 * every one this processor has).
 */
#include "keccak.h"
#include "keccak_simd.h"

#include <stdatomic.h>
#include <string.h>

#define KECCAK_RATE 136
#define KECCAK_WORDS (KECCAK_RATE / 8)
#define KECCAK_LANES 4

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KECCAK_SIMD 1
#endif

#ifdef KECCAK_SIMD

typedef uint64_t kvec __attribute__((vector_size(32)));

/* (the round: the scalar one's text, on vectors) */
#define KECCAK_LANE kvec
#define KECCAK_ROUND_NAME keccak_vector_round
#define KECCAK_ROUND_ATTR __attribute__((always_inline))
#include "keccak_round.h"

static inline __attribute__((always_inline)) void keccak_vector_permute(kvec a[25])
{
    kvec e[25];
    for (int round = 0; round < 24; round += 2) {
        keccak_vector_round(a, e, keccak_round_constants[round]);
        keccak_vector_round(e, a, keccak_round_constants[round + 1]);
    }
}

static inline uint64_t keccak_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* x86-64: little-endian lanes, as the state wants */
    return v;
}

/* A lane's block for this step: the message's next whole block, or its
 * tail padded (pad10*1 with Ethereum's 0x01 domain bit; both bits may
 * share a byte) in pad, or zeros for a lane with nothing to do. *last:
 * the message ends with it. */
static const uint8_t *keccak_lane_block(const uint8_t *data, size_t len, size_t off, uint8_t pad[KECCAK_RATE],
                                        bool *last)
{
    size_t left = len - off;
    *last = left < KECCAK_RATE;
    if (!*last)
        return data + off;
    memset(pad, 0, KECCAK_RATE);
    if (left)
        memcpy(pad, data + off, left);
    pad[left] ^= 0x01;
    pad[KECCAK_RATE - 1] ^= 0x80;
    return pad;
}

static const uint8_t keccak_zero_block[KECCAK_RATE];

/* keccak256_many on four lanes, built per instruction set. */
#define KECCAK_MANY_DEFINE(name, isa)                                                                        \
    __attribute__((target(isa))) static void name(const uint8_t *const *data, const size_t *len, size_t n,   \
                                                  hash32 *out)                                               \
    {                                                                                                        \
        kvec st[25];                                                                                         \
        memset(st, 0, sizeof st);                                                                            \
        size_t msg[KECCAK_LANES], off[KECCAK_LANES];                                                         \
        bool busy[KECCAK_LANES];                                                                             \
        size_t next = 0;                                                                                     \
        int active = 0;                                                                                      \
        for (int l = 0; l < KECCAK_LANES; l++) {                                                             \
            busy[l] = next < n;                                                                              \
            if (busy[l]) {                                                                                   \
                msg[l] = next++;                                                                             \
                off[l] = 0;                                                                                  \
                active++;                                                                                    \
            }                                                                                                \
        }                                                                                                    \
        uint8_t pad[KECCAK_LANES][KECCAK_RATE];                                                              \
        while (active) {                                                                                     \
            const uint8_t *blk[KECCAK_LANES];                                                                \
            bool last[KECCAK_LANES] = {false};                                                               \
            for (int l = 0; l < KECCAK_LANES; l++) {                                                         \
                blk[l] = keccak_zero_block;                                                                  \
                if (busy[l]) {                                                                               \
                    blk[l] = keccak_lane_block(data[msg[l]], len[msg[l]], off[l], pad[l], &last[l]);         \
                    off[l] += KECCAK_RATE;                                                                   \
                }                                                                                            \
            }                                                                                                \
            for (int w = 0; w < KECCAK_WORDS; w++)                                                           \
                st[w] ^= (kvec){keccak_load64(blk[0] + 8 * w), keccak_load64(blk[1] + 8 * w),                \
                                keccak_load64(blk[2] + 8 * w), keccak_load64(blk[3] + 8 * w)};               \
            keccak_vector_permute(st);                                                                       \
            kvec keep = {~0ull, ~0ull, ~0ull, ~0ull};                                                        \
            bool cleared = false;                                                                            \
            for (int l = 0; l < KECCAK_LANES; l++) {                                                         \
                if (!busy[l] || !last[l])                                                                    \
                    continue;                                                                                \
                for (int w = 0; w < 4; w++) {                                                                \
                    uint64_t word = st[w][l];                                                                \
                    memcpy(out[msg[l]].bytes + 8 * w, &word, 8);                                             \
                }                                                                                            \
                keep[l] = 0;                                                                                 \
                cleared = true;                                                                              \
                if (next < n) {                                                                              \
                    msg[l] = next++;                                                                         \
                    off[l] = 0;                                                                              \
                } else {                                                                                     \
                    busy[l] = false;                                                                         \
                    active--;                                                                                \
                }                                                                                            \
            }                                                                                                \
            if (cleared)                                                                                     \
                for (int w = 0; w < 25; w++)                                                                 \
                    st[w] &= keep;                                                                           \
        }                                                                                                    \
    }

KECCAK_MANY_DEFINE(keccak_many_avx512, "avx512f,avx512vl")
KECCAK_MANY_DEFINE(keccak_many_avx2, "avx2")

__attribute__((target("avx512f,avx512vl"))) static void keccak_one_avx512(uint64_t st[25])
{
    kvec a[25];
    for (int i = 0; i < 25; i++)
        a[i] = (kvec){st[i], 0, 0, 0};
    keccak_vector_permute(a);
    for (int i = 0; i < 25; i++)
        st[i] = a[i][0];
}

#endif /* KECCAK_SIMD */

/* What keccak256_many and keccak.c run (relaxed: every thread that asks
 * computes the same answer; keccak_use_isa is for tests). */
enum { KECCAK_ISA_UNKNOWN = 0, KECCAK_ISA_SCALAR, KECCAK_ISA_AVX2, KECCAK_ISA_AVX512 };
static atomic_int keccak_isa;

static int keccak_isa_get(void)
{
    int c = atomic_load_explicit(&keccak_isa, memory_order_relaxed);
    if (c == KECCAK_ISA_UNKNOWN) {
        c = KECCAK_ISA_SCALAR;
#ifdef KECCAK_SIMD
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
            c = KECCAK_ISA_AVX512;
        else if (__builtin_cpu_supports("avx2"))
            c = KECCAK_ISA_AVX2;
#endif
        atomic_store_explicit(&keccak_isa, c, memory_order_relaxed);
    }
    return c;
}

bool keccak_f1600_vector(uint64_t st[25])
{
#ifdef KECCAK_SIMD
    if (keccak_isa_get() == KECCAK_ISA_AVX512) {
        keccak_one_avx512(st);
        return true;
    }
#else
    (void)st;
#endif
    return false;
}

void keccak256_many(const uint8_t *const *data, const size_t *len, size_t n, hash32 *out)
{
#ifdef KECCAK_SIMD
    int isa = n > 1 ? keccak_isa_get() : KECCAK_ISA_SCALAR;
    if (isa == KECCAK_ISA_AVX512) {
        keccak_many_avx512(data, len, n, out);
        return;
    }
    if (isa == KECCAK_ISA_AVX2) {
        keccak_many_avx2(data, len, n, out);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        keccak256(data[i], len[i], out[i].bytes);
}

bool keccak_use_isa(const char *isa)
{
    int c = KECCAK_ISA_UNKNOWN;
    if (!strcmp(isa, "scalar"))
        c = KECCAK_ISA_SCALAR;
#ifdef KECCAK_SIMD
    __builtin_cpu_init();
    if (!strcmp(isa, "avx2") && __builtin_cpu_supports("avx2"))
        c = KECCAK_ISA_AVX2;
    else if (!strcmp(isa, "avx512") && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512vl"))
        c = KECCAK_ISA_AVX512;
#endif
    if (c != KECCAK_ISA_UNKNOWN)
        atomic_store_explicit(&keccak_isa, c, memory_order_relaxed);
    return c != KECCAK_ISA_UNKNOWN;
}
