/*
 * keccak256_many: keccak-256 of many independent messages, eight at a
 * time, one keccak-f[1600] state per 64-bit lane of a 512-bit vector.
 *
 * Why: a trie root hashes thousands of nodes (a block's receipts root was
 * 40-55% of its sequential execution time), and a log's bloom four short
 * items, each hash on its own. One permutation of eight states costs the
 * vector unit about what one scalar permutation costs the integer unit,
 * so hashing side by side is several times the throughput.
 *
 * The lanes are a queue: each takes the next message when its own one is
 * done, so messages of different lengths share the vectors without
 * waiting for the longest. The state is kept interleaved in memory
 * (word w of lane l at state[w][l]); a lane absorbs its next block with
 * scalar XORs there, then all eight states are permuted at once.
 *
 * The permutation is written with GCC/Clang vector extensions and built
 * for AVX-512 (vprolq, vpternlogq) and for AVX2, chosen at run time by
 * what the processor reports; without either (or off x86-64) every
 * message is hashed by the scalar keccak256. All paths give the same
 * bytes (tests/test_keccak.c compares them).
 */
#include "keccak.h"

#include <stdatomic.h>
#include <string.h>

#define KECCAK_RATE 136
#define KECCAK_LANES 8

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KECCAK_MANY_SIMD 1
#endif

#ifdef KECCAK_MANY_SIMD

typedef uint64_t kvec __attribute__((vector_size(64)));

/* (the round: the scalar one's text, on vectors) */
#define KECCAK_LANE kvec
#define KECCAK_ROUND_NAME keccak_many_round
#define KECCAK_ROUND_ATTR __attribute__((always_inline))
#include "keccak_round.h"

/* keccak-f[1600] on the eight interleaved states; each variant is the
 * same code built for its instruction set. */
#define KECCAK_MANY_PERMUTE(name, isa)                                                                       \
    __attribute__((target(isa))) static void name(kvec st[25])                                               \
    {                                                                                                        \
        kvec a[25], e[25];                                                                                   \
        memcpy(a, st, sizeof a);                                                                             \
        for (int round = 0; round < 24; round += 2) {                                                        \
            keccak_many_round(a, e, keccak_round_constants[round]);                                          \
            keccak_many_round(e, a, keccak_round_constants[round + 1]);                                      \
        }                                                                                                    \
        memcpy(st, a, sizeof a);                                                                             \
    }

KECCAK_MANY_PERMUTE(keccak_many_permute_avx512, "avx512f")
KECCAK_MANY_PERMUTE(keccak_many_permute_avx2, "avx2")

typedef void (*keccak_many_permute_fn)(kvec st[25]);

/* 0: not asked yet, 1: none, 2: AVX2, 3: AVX-512 (relaxed: every thread
 * that asks computes the same answer; keccak256_many_use is for tests) */
static atomic_int keccak_many_choice;

/* The permutation this processor runs; NULL: none (hash one by one). */
static keccak_many_permute_fn keccak_many_permute(void)
{
    int c = atomic_load_explicit(&keccak_many_choice, memory_order_relaxed);
    if (!c) {
        __builtin_cpu_init();
        c = __builtin_cpu_supports("avx512f") ? 3 : __builtin_cpu_supports("avx2") ? 2 : 1;
        atomic_store_explicit(&keccak_many_choice, c, memory_order_relaxed);
    }
    return c == 3 ? keccak_many_permute_avx512 : c == 2 ? keccak_many_permute_avx2 : NULL;
}

static inline uint64_t keccak_many_load(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* x86-64: little-endian lanes, as the state wants */
    return v;
}

/* Lane l's next block of message (data, len) from byte off: a whole
 * block, or the tail with its padding. Returns true when that was the
 * message's last block. */
static bool keccak_many_absorb(uint64_t (*st)[KECCAK_LANES], int l, const uint8_t *data, size_t len,
                               size_t off)
{
    size_t left = len - off;
    if (left >= KECCAK_RATE) {
        for (int w = 0; w < KECCAK_RATE / 8; w++)
            st[w][l] ^= keccak_many_load(data + off + 8 * (size_t)w);
        return false;
    }
    /* pad10*1 with Ethereum's 0x01 domain bit; both may share a byte */
    uint8_t block[KECCAK_RATE];
    memset(block, 0, sizeof block);
    if (left)
        memcpy(block, data + off, left);
    block[left] ^= 0x01;
    block[KECCAK_RATE - 1] ^= 0x80;
    for (int w = 0; w < KECCAK_RATE / 8; w++)
        st[w][l] ^= keccak_many_load(block + 8 * w);
    return true;
}

static void keccak_many_simd(keccak_many_permute_fn permute, const uint8_t *const *data, const size_t *len,
                             size_t n, hash32 *out)
{
    union {
        kvec v[25];
        uint64_t w[25][KECCAK_LANES];
    } st;
    memset(&st, 0, sizeof st);
    size_t msg[KECCAK_LANES], off[KECCAK_LANES];
    bool busy[KECCAK_LANES], last[KECCAK_LANES];
    size_t next = 0;
    int active = 0;
    for (int l = 0; l < KECCAK_LANES; l++) {
        busy[l] = next < n;
        if (busy[l]) {
            msg[l] = next++;
            off[l] = 0;
            active++;
        }
    }
    while (active) {
        for (int l = 0; l < KECCAK_LANES; l++)
            if (busy[l]) {
                last[l] = keccak_many_absorb(st.w, l, data[msg[l]], len[msg[l]], off[l]);
                off[l] += KECCAK_RATE;
            }
        permute(st.v);
        for (int l = 0; l < KECCAK_LANES; l++) {
            if (!busy[l] || !last[l])
                continue;
            for (int w = 0; w < 4; w++)
                memcpy(out[msg[l]].bytes + 8 * w, &st.w[w][l], 8);
            for (int w = 0; w < 25; w++)
                st.w[w][l] = 0;
            if (next < n) {
                msg[l] = next++;
                off[l] = 0;
            } else {
                busy[l] = false;
                active--;
            }
        }
    }
}

#endif /* KECCAK_MANY_SIMD */

void keccak256_many(const uint8_t *const *data, const size_t *len, size_t n, hash32 *out)
{
#ifdef KECCAK_MANY_SIMD
    /* One message alone is not worth eight lanes. */
    keccak_many_permute_fn permute = n > 1 ? keccak_many_permute() : NULL;
    if (permute) {
        keccak_many_simd(permute, data, len, n, out);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        keccak256(data[i], len[i], out[i].bytes);
}

bool keccak256_many_use(const char *isa)
{
    int c = 0;
    if (!strcmp(isa, "scalar"))
        c = 1;
#ifdef KECCAK_MANY_SIMD
    __builtin_cpu_init();
    if (!strcmp(isa, "avx2") && __builtin_cpu_supports("avx2"))
        c = 2;
    else if (!strcmp(isa, "avx512") && __builtin_cpu_supports("avx512f"))
        c = 3;
#endif
    if (c)
        atomic_store_explicit(&keccak_many_choice, c, memory_order_relaxed);
    return c != 0;
}
