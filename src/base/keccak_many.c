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

static const uint64_t keccak_many_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

#define KROT(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/* One round, plane by plane as in keccak.c (rho and pi gather an output
 * plane's five input lanes, chi combines them), on eight states. */
static inline __attribute__((always_inline)) void keccak_many_round(const kvec *a, kvec *e, uint64_t rc)
{
    kvec c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    kvec c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    kvec c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    kvec c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    kvec c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    kvec d0 = c4 ^ KROT(c1, 1);
    kvec d1 = c0 ^ KROT(c2, 1);
    kvec d2 = c1 ^ KROT(c3, 1);
    kvec d3 = c2 ^ KROT(c4, 1);
    kvec d4 = c3 ^ KROT(c0, 1);
    kvec b0, b1, b2, b3, b4;

    b0 = a[0] ^ d0;
    b1 = KROT(a[6] ^ d1, 44);
    b2 = KROT(a[12] ^ d2, 43);
    b3 = KROT(a[18] ^ d3, 21);
    b4 = KROT(a[24] ^ d4, 14);
    e[0] = b0 ^ (~b1 & b2) ^ rc; /* iota (a scalar operand is broadcast) */
    e[1] = b1 ^ (~b2 & b3);
    e[2] = b2 ^ (~b3 & b4);
    e[3] = b3 ^ (~b4 & b0);
    e[4] = b4 ^ (~b0 & b1);

    b0 = KROT(a[3] ^ d3, 28);
    b1 = KROT(a[9] ^ d4, 20);
    b2 = KROT(a[10] ^ d0, 3);
    b3 = KROT(a[16] ^ d1, 45);
    b4 = KROT(a[22] ^ d2, 61);
    e[5] = b0 ^ (~b1 & b2);
    e[6] = b1 ^ (~b2 & b3);
    e[7] = b2 ^ (~b3 & b4);
    e[8] = b3 ^ (~b4 & b0);
    e[9] = b4 ^ (~b0 & b1);

    b0 = KROT(a[1] ^ d1, 1);
    b1 = KROT(a[7] ^ d2, 6);
    b2 = KROT(a[13] ^ d3, 25);
    b3 = KROT(a[19] ^ d4, 8);
    b4 = KROT(a[20] ^ d0, 18);
    e[10] = b0 ^ (~b1 & b2);
    e[11] = b1 ^ (~b2 & b3);
    e[12] = b2 ^ (~b3 & b4);
    e[13] = b3 ^ (~b4 & b0);
    e[14] = b4 ^ (~b0 & b1);

    b0 = KROT(a[4] ^ d4, 27);
    b1 = KROT(a[5] ^ d0, 36);
    b2 = KROT(a[11] ^ d1, 10);
    b3 = KROT(a[17] ^ d2, 15);
    b4 = KROT(a[23] ^ d3, 56);
    e[15] = b0 ^ (~b1 & b2);
    e[16] = b1 ^ (~b2 & b3);
    e[17] = b2 ^ (~b3 & b4);
    e[18] = b3 ^ (~b4 & b0);
    e[19] = b4 ^ (~b0 & b1);

    b0 = KROT(a[2] ^ d2, 62);
    b1 = KROT(a[8] ^ d3, 55);
    b2 = KROT(a[14] ^ d4, 39);
    b3 = KROT(a[15] ^ d0, 41);
    b4 = KROT(a[21] ^ d1, 2);
    e[20] = b0 ^ (~b1 & b2);
    e[21] = b1 ^ (~b2 & b3);
    e[22] = b2 ^ (~b3 & b4);
    e[23] = b3 ^ (~b4 & b0);
    e[24] = b4 ^ (~b0 & b1);
}

/* keccak-f[1600] on the eight interleaved states; each variant is the
 * same code built for its instruction set. */
#define KECCAK_MANY_PERMUTE(name, isa)                                                                       \
    __attribute__((target(isa))) static void name(kvec st[25])                                               \
    {                                                                                                        \
        kvec a[25], e[25];                                                                                   \
        memcpy(a, st, sizeof a);                                                                             \
        for (int round = 0; round < 24; round += 2) {                                                        \
            keccak_many_round(a, e, keccak_many_rc[round]);                                                  \
            keccak_many_round(e, a, keccak_many_rc[round + 1]);                                              \
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
