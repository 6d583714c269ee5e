/* code — immutable, reference-counted contract code (see code.h). */
#include "code.h"

#include <stdlib.h>
#include <string.h>

#include "../base/keccak.h"

/* Zero bytes after the code so the interpreter can read a PUSH32 immediate
 * at the very end without a bounds check. */
#define CODE_PADDING 33

/* The empty code object is shared by every code-less account. Its refcount
 * is never touched (retain/release recognise it), so it may live in static
 * storage and be used from any thread without setup. The hash is
 * keccak256("") = KECCAK_EMPTY, spelled out so no initialisation order or
 * locking is needed. */
#ifdef __clang__
/* A struct with a flexible array member followed by its padding: a GNU
 * extension that gcc accepts silently and clang names. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wgnu-variable-sized-type-not-at-end"
#endif
static struct {
    struct code c;
    uint8_t pad[CODE_PADDING];
} code_empty_storage = {
    .c = {.refs = 1,
          .len = 0,
          .hash = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                    0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                    0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}},
          .jumpdests = NULL},
};
#ifdef __clang__
#pragma clang diagnostic pop
#endif

/* A JUMPDEST bitmap for empty code: one zero byte, so a lookup of pc 0..7
 * is in bounds (the interpreter checks pc < len before looking anyway). */
static uint8_t code_empty_jumpdests[1];

struct code *code_empty(void)
{
    return &code_empty_storage.c;
}

/* Allocate a code object holding a copy of bytes[0..len), with its hash.
 * NULL on allocation failure (or a length whose size would overflow). */
struct code *code_new(const uint8_t *bytes, size_t len)
{
    if (len == 0)
        return code_empty();
    if (len > SIZE_MAX - sizeof(struct code) - CODE_PADDING - 64)
        return NULL;
    /* aligned_alloc: struct code is laid out by cache line; its size must
     * be a multiple of the alignment */
    size_t size = (sizeof(struct code) + len + CODE_PADDING + 63) & ~(size_t)63;
    struct code *c = aligned_alloc(64, size);
    if (!c)
        return NULL;
    atomic_init(&c->refs, 1);
    c->len = len;
    memcpy(c->bytes, bytes, len);
    memset(c->bytes + len, 0, CODE_PADDING);
    keccak256(c->bytes, len, c->hash.bytes);
    atomic_init(&c->jumpdests, NULL);
    return c;
}

struct code *code_retain(struct code *c)
{
    if (c && c != code_empty())
        /* Relaxed: taking a new reference needs no ordering, the caller
         * already holds one that keeps the object alive. */
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void code_release(struct code *c)
{
    if (!c || c == code_empty())
        return;
    /* acq_rel: the release half orders this thread's reads of the code
     * before the free in whichever thread drops the last reference; the
     * acquire half (effective for that last thread) sees the others'. */
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(atomic_load_explicit(&c->jumpdests, memory_order_relaxed));
    free(c);
}

/* Mark every JUMPDEST (0x5b) that is an opcode, skipping the immediates of
 * PUSH1..PUSH32 (0x60..0x7f carry 1..32 bytes): a 0x5b inside push data is
 * not a valid jump target. The map has CODE_MAP_SLACK bytes past len / 8 + 1
 * for the word-wide writes of the vector path. */
#define CODE_MAP_SLACK 8

/* Byte by byte from pc to end (a PUSH's data may take pc past end); the
 * pc where it stopped. */
static inline size_t scan_bytes(const uint8_t *bytes, size_t pc, size_t end, uint8_t *map)
{
    for (; pc < end; pc++) {
        uint8_t op = bytes[pc];
        if (op == 0x5b)
            map[pc >> 3] |= (uint8_t)(1u << (pc & 7));
        else if (op >= 0x60 && op <= 0x7f)
            pc += (size_t)(op - 0x5f);
    }
    return pc;
}

#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <emmintrin.h>

_Static_assert(CODE_PADDING >= 16, "a 16-byte chunk at pc < len stays in the padded code");

/* map's bits pc .. pc + 15 |= mask (one unaligned 8-byte read and write) */
static inline void map_or_bits(uint8_t *map, size_t pc, unsigned mask)
{
    uint64_t w;
    memcpy(&w, map + (pc >> 3), 8);
    w |= (uint64_t)mask << (pc & 7);
    memcpy(map + (pc >> 3), &w, 8);
}

/* 16 bytes at a time where they hold no PUSH: their JUMPDESTs are one
 * compare and a movemask, ORed into the map at bit pc. The code is padded
 * (CODE_PADDING >= 16 zero bytes), so a chunk may read past len: zero
 * bytes are STOPs, neither JUMPDEST nor PUSH, and bits past len are never
 * looked up (the interpreter checks pc < len). */
static void code_scan_jumpdests(const uint8_t *bytes, size_t len, uint8_t *map)
{
    const __m128i jumpdest = _mm_set1_epi8(0x5b);
    const __m128i push_bits = _mm_set1_epi8((char)0xe0), push = _mm_set1_epi8(0x60); /* 011xxxxx */
    size_t pc = 0;
    while (pc < len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + pc));
        __m128i is_push = _mm_cmpeq_epi8(_mm_and_si128(v, push_bits), push);
        unsigned push_mask = (unsigned)_mm_movemask_epi8(is_push);
        unsigned jd_mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, jumpdest));
        if (push_mask == 0) {
            if (jd_mask)
                map_or_bits(map, pc, jd_mask);
            pc += 16;
            continue;
        }
        /* A chunk with a PUSH, and the 48 bytes after it, go byte by byte
         * (to the end of the window, or past it over a PUSH's data):
         * compiled code has a PUSH every few bytes, and a vector step per
         * PUSH costs more than it saves. */
        size_t end = len - pc > 64 ? pc + 64 : len;
        pc = scan_bytes(bytes, pc, end, map);
    }
}
#else
static void code_scan_jumpdests(const uint8_t *bytes, size_t len, uint8_t *map)
{
    scan_bytes(bytes, 0, len, map);
}
#endif

const uint8_t *code_jumpdests(struct code *c)
{
    if (c->len == 0)
        return code_empty_jumpdests;
    /* Acquire pairs with the release in the compare-exchange below: a
     * thread that sees the pointer also sees the bitmap's contents. */
    uint8_t *map = atomic_load_explicit(&c->jumpdests, memory_order_acquire);
    if (map)
        return map;
    map = calloc(c->len / 8 + 1 + CODE_MAP_SLACK, 1);
    if (!map)
        return NULL;
    code_scan_jumpdests(c->bytes, c->len, map);
    uint8_t *expected = NULL;
    /* Several threads may build the map at once; the first to publish
     * wins (release: its bitmap contents become visible with the pointer)
     * and the others free their copy and use the winner's (acquire on
     * failure, for the same reason as the load above). */
    if (atomic_compare_exchange_strong_explicit(&c->jumpdests, &expected, map, memory_order_release,
                                                memory_order_acquire))
        return map;
    free(map);
    return expected;
}
