/*
 * u256 — 256-bit unsigned words, the EVM's native type.
 *
 * Four 64-bit limbs, least significant first (w[0] is the low limb).
 * Signed operations treat the value as two's complement. Conversion to and
 * from big-endian bytes happens only at the edges (memory, RLP, hashing).
 *
 * The cheap operations are inline here (they sit on the interpreter's hot
 * path); division, modular and exponentiation routines live in u256.c.
 * Every function is total: division by zero yields zero, as in the EVM.
 */
#ifndef PAREVM_BASE_U256_H
#define PAREVM_BASE_U256_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t w[4];
} u256;

typedef unsigned __int128 u256_u128;

/* One limb of an add with carry / a subtract with borrow: on x86-64 the
 * intrinsics compile to add/adc and sub/sbb chains (GCC turns the same
 * chain written with __int128 into spills inside the interpreter loop). */
#if defined(__x86_64__) && defined(__GNUC__)
/* The builtins behind <immintrin.h>'s _addcarry_u64/_subborrow_u64 (the
 * header itself drags in stdlib.h's declarations). */
#ifdef __clang__
#define U256_SBB_BUILTIN __builtin_ia32_subborrow_u64
#else
#define U256_SBB_BUILTIN __builtin_ia32_sbb_u64
#endif
static inline uint64_t u256_adc64(uint64_t a, uint64_t b, unsigned char *carry)
{
    unsigned long long r;
    *carry = __builtin_ia32_addcarryx_u64(*carry, a, b, &r);
    return r;
}
static inline uint64_t u256_sbb64(uint64_t a, uint64_t b, unsigned char *borrow)
{
    unsigned long long r;
    *borrow = U256_SBB_BUILTIN(*borrow, a, b, &r);
    return r;
}
#else
static inline uint64_t u256_adc64(uint64_t a, uint64_t b, unsigned char *carry)
{
    uint64_t s = a + b;
    uint64_t r = s + *carry;
    *carry = (unsigned char)((s < a) | (r < s));
    return r;
}
static inline uint64_t u256_sbb64(uint64_t a, uint64_t b, unsigned char *borrow)
{
    uint64_t d = a - b;
    uint64_t r = d - *borrow;
    *borrow = (unsigned char)((a < b) | (d < *borrow));
    return r;
}
#endif

static inline u256 u256_from_u64(uint64_t v)
{
    u256 r = {{v, 0, 0, 0}};
    return r;
}

static inline u256 u256_zero(void) { return u256_from_u64(0); }

static inline u256 u256_max(void)
{
    u256 r = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    return r;
}

static inline bool u256_is_zero(const u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* True when the value fits in 64 bits (upper limbs zero). */
static inline bool u256_fits_u64(const u256 *a)
{
    return (a->w[1] | a->w[2] | a->w[3]) == 0;
}

static inline bool u256_eq(const u256 *a, const u256 *b)
{
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3])) == 0;
}

/* The hot operations below are written limb by limb, not as loops: GCC
 * -O2 keeps a loop over r.w[i] and then returns r through a stack
 * temporary, which costs the interpreter a store/reload per operation. */

/* a < b: the borrow out of a - b (no data-dependent branch). On x86-64
 * one sub/sbb chain whose carry flag is the answer (the builtins kept a
 * dead stack store per limb). */
static inline bool u256_lt(const u256 *a, const u256 *b)
{
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
    uint64_t t0 = a->w[0], t1 = a->w[1], t2 = a->w[2], t3 = a->w[3];
    bool borrow;
    __asm__("subq %5, %1\n\tsbbq %6, %2\n\tsbbq %7, %3\n\tsbbq %8, %4"
            : "=@ccc"(borrow), "+&r"(t0), "+&r"(t1), "+&r"(t2), "+&r"(t3)
            : "rm"(b->w[0]), "rm"(b->w[1]), "rm"(b->w[2]), "rm"(b->w[3]));
    return borrow;
#else
    unsigned char borrow = 0;
    (void)u256_sbb64(a->w[0], b->w[0], &borrow);
    (void)u256_sbb64(a->w[1], b->w[1], &borrow);
    (void)u256_sbb64(a->w[2], b->w[2], &borrow);
    (void)u256_sbb64(a->w[3], b->w[3], &borrow);
    return borrow != 0;
#endif
}

static inline bool u256_gt(const u256 *a, const u256 *b) { return u256_lt(b, a); }

static inline bool u256_is_neg(const u256 *a) { return (a->w[3] >> 63) != 0; }

static inline bool u256_slt(const u256 *a, const u256 *b)
{
    bool na = u256_is_neg(a), nb = u256_is_neg(b);
    if (na != nb)
        return na;
    return u256_lt(a, b);
}

static inline bool u256_sgt(const u256 *a, const u256 *b) { return u256_slt(b, a); }

#if defined(__x86_64__) && defined(__GNUC__)
/* One add/adc (sub/sbb) chain on registers. Through the carry builtins
 * GCC kept each limb's result in a stack temporary as well (the builtin's
 * out-pointer) and repacked the limbs in SSE registers: ADD took about
 * twice the instructions of the chain. The outputs are early-clobber:
 * an input holding the same value (a constant zero limb, say) must not
 * share a register with one the chain has already written. */
static inline u256 u256_add(const u256 *a, const u256 *b)
{
    uint64_t r0 = a->w[0], r1 = a->w[1], r2 = a->w[2], r3 = a->w[3];
    __asm__("addq %4, %0\n\tadcq %5, %1\n\tadcq %6, %2\n\tadcq %7, %3"
            : "+&r"(r0), "+&r"(r1), "+&r"(r2), "+&r"(r3)
            : "rm"(b->w[0]), "rm"(b->w[1]), "rm"(b->w[2]), "rm"(b->w[3])
            : "cc");
    u256 r = {{r0, r1, r2, r3}};
    return r;
}
#else
static inline u256 u256_add(const u256 *a, const u256 *b)
{
    u256 r;
    unsigned char carry = 0;
    r.w[0] = u256_adc64(a->w[0], b->w[0], &carry);
    r.w[1] = u256_adc64(a->w[1], b->w[1], &carry);
    r.w[2] = u256_adc64(a->w[2], b->w[2], &carry);
    r.w[3] = a->w[3] + b->w[3] + carry;
    return r;
}
#endif

/* a + b, reporting the carry out of bit 255. */
static inline u256 u256_add_carry(const u256 *a, const u256 *b, bool *carry)
{
    u256 r;
    unsigned char c = 0;
    r.w[0] = u256_adc64(a->w[0], b->w[0], &c);
    r.w[1] = u256_adc64(a->w[1], b->w[1], &c);
    r.w[2] = u256_adc64(a->w[2], b->w[2], &c);
    r.w[3] = u256_adc64(a->w[3], b->w[3], &c);
    *carry = c != 0;
    return r;
}

#if defined(__x86_64__) && defined(__GNUC__)
static inline u256 u256_sub(const u256 *a, const u256 *b)
{
    uint64_t r0 = a->w[0], r1 = a->w[1], r2 = a->w[2], r3 = a->w[3];
    __asm__("subq %4, %0\n\tsbbq %5, %1\n\tsbbq %6, %2\n\tsbbq %7, %3"
            : "+&r"(r0), "+&r"(r1), "+&r"(r2), "+&r"(r3)
            : "rm"(b->w[0]), "rm"(b->w[1]), "rm"(b->w[2]), "rm"(b->w[3])
            : "cc");
    u256 r = {{r0, r1, r2, r3}};
    return r;
}
#else
static inline u256 u256_sub(const u256 *a, const u256 *b)
{
    u256 r;
    unsigned char borrow = 0;
    r.w[0] = u256_sbb64(a->w[0], b->w[0], &borrow);
    r.w[1] = u256_sbb64(a->w[1], b->w[1], &borrow);
    r.w[2] = u256_sbb64(a->w[2], b->w[2], &borrow);
    r.w[3] = a->w[3] - b->w[3] - borrow;
    return r;
}
#endif

static inline u256 u256_neg(const u256 *a)
{
    u256 z = u256_zero();
    return u256_sub(&z, a);
}

/* Low 256 bits of a * b. On x86-64 one asm block: ten mulq/imulq with
 * add/adc carries into four registers (with __int128 GCC spilled most of
 * the partial products to the stack). */
#if defined(__x86_64__) && defined(__GNUC__)
static inline u256 u256_mul(const u256 *a, const u256 *b)
{
    uint64_t r0, r1, r2, r3;
    __asm__("movq %4, %%rax\n\tmulq %8\n\tmovq %%rax, %0\n\tmovq %%rdx, %1\n\t"
            "movq %4, %%rax\n\tmulq %9\n\taddq %%rax, %1\n\tadcq $0, %%rdx\n\tmovq %%rdx, %2\n\t"
            "movq %4, %%rax\n\tmulq %10\n\taddq %%rax, %2\n\tadcq $0, %%rdx\n\tmovq %%rdx, %3\n\t"
            "movq %4, %%rax\n\timulq %11, %%rax\n\taddq %%rax, %3\n\t"
            /* a1 * b, from limb 1 */
            "movq %5, %%rax\n\tmulq %8\n\taddq %%rax, %1\n\tadcq %%rdx, %2\n\tadcq $0, %3\n\t"
            "movq %5, %%rax\n\tmulq %9\n\taddq %%rax, %2\n\tadcq %%rdx, %3\n\t"
            "movq %5, %%rax\n\timulq %10, %%rax\n\taddq %%rax, %3\n\t"
            /* a2 * b, from limb 2 */
            "movq %6, %%rax\n\tmulq %8\n\taddq %%rax, %2\n\tadcq %%rdx, %3\n\t"
            "movq %6, %%rax\n\timulq %9, %%rax\n\taddq %%rax, %3\n\t"
            /* a3 * b0 into limb 3 */
            "movq %7, %%rax\n\timulq %8, %%rax\n\taddq %%rax, %3"
            : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3)
            : "m"(a->w[0]), "m"(a->w[1]), "m"(a->w[2]), "m"(a->w[3]), "m"(b->w[0]), "m"(b->w[1]), "m"(b->w[2]),
              "m"(b->w[3])
            : "rax", "rdx", "cc");
    u256 r = {{r0, r1, r2, r3}};
    return r;
}
#else
static inline u256 u256_mul(const u256 *a, const u256 *b)
{
    uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
    u256 r;
    /* Row 0: a0 * b, all four limbs. */
    u256_u128 t = (u256_u128)a0 * b0;
    r.w[0] = (uint64_t)t;
    t = (u256_u128)a0 * b1 + (uint64_t)(t >> 64);
    uint64_t r1 = (uint64_t)t;
    t = (u256_u128)a0 * b2 + (uint64_t)(t >> 64);
    uint64_t r2 = (uint64_t)t;
    uint64_t r3 = a0 * b3 + (uint64_t)(t >> 64);
    /* Row 1: a1 * b, the low three limbs, from limb 1. */
    t = (u256_u128)a1 * b0 + r1;
    r.w[1] = (uint64_t)t;
    t = (u256_u128)a1 * b1 + r2 + (uint64_t)(t >> 64);
    r2 = (uint64_t)t;
    r3 += a1 * b2 + (uint64_t)(t >> 64);
    /* Row 2: a2 * b0, a2 * b1, from limb 2. */
    t = (u256_u128)a2 * b0 + r2;
    r.w[2] = (uint64_t)t;
    r3 += a2 * b1 + (uint64_t)(t >> 64);
    /* Row 3: a3 * b0 into limb 3. */
    r.w[3] = r3 + a3 * b0;
    return r;
}
#endif

static inline u256 u256_and(const u256 *a, const u256 *b)
{
    u256 r = {{a->w[0] & b->w[0], a->w[1] & b->w[1], a->w[2] & b->w[2], a->w[3] & b->w[3]}};
    return r;
}

static inline u256 u256_or(const u256 *a, const u256 *b)
{
    u256 r = {{a->w[0] | b->w[0], a->w[1] | b->w[1], a->w[2] | b->w[2], a->w[3] | b->w[3]}};
    return r;
}

static inline u256 u256_xor(const u256 *a, const u256 *b)
{
    u256 r = {{a->w[0] ^ b->w[0], a->w[1] ^ b->w[1], a->w[2] ^ b->w[2], a->w[3] ^ b->w[3]}};
    return r;
}

static inline u256 u256_not(const u256 *a)
{
    u256 r = {{~a->w[0], ~a->w[1], ~a->w[2], ~a->w[3]}};
    return r;
}

/* Logical shift left by `shift` bits; shifts >= 256 yield zero. Whole
 * limbs move by a switch on the limb count (a loop into a temporary array
 * costs SHL/SHR-heavy code a store and reload per limb); then the bits. */
static inline u256 u256_shl(const u256 *a, unsigned shift)
{
    uint64_t x0, x1, x2, x3;
    switch (shift / 64) {
    case 0:
        x0 = a->w[0], x1 = a->w[1], x2 = a->w[2], x3 = a->w[3];
        break;
    case 1:
        x0 = 0, x1 = a->w[0], x2 = a->w[1], x3 = a->w[2];
        break;
    case 2:
        x0 = 0, x1 = 0, x2 = a->w[0], x3 = a->w[1];
        break;
    case 3:
        x0 = 0, x1 = 0, x2 = 0, x3 = a->w[0];
        break;
    default:
        return u256_zero();
    }
    unsigned bits = shift % 64;
    if (bits == 0) { /* x >> 64 would be undefined below */
        u256 r = {{x0, x1, x2, x3}};
        return r;
    }
    unsigned back = 64 - bits;
    u256 r = {{x0 << bits, (x1 << bits) | (x0 >> back), (x2 << bits) | (x1 >> back), (x3 << bits) | (x2 >> back)}};
    return r;
}

/* Logical shift right by `shift` bits; shifts >= 256 yield zero. */
static inline u256 u256_shr(const u256 *a, unsigned shift)
{
    uint64_t x0, x1, x2, x3;
    switch (shift / 64) {
    case 0:
        x0 = a->w[0], x1 = a->w[1], x2 = a->w[2], x3 = a->w[3];
        break;
    case 1:
        x0 = a->w[1], x1 = a->w[2], x2 = a->w[3], x3 = 0;
        break;
    case 2:
        x0 = a->w[2], x1 = a->w[3], x2 = 0, x3 = 0;
        break;
    case 3:
        x0 = a->w[3], x1 = 0, x2 = 0, x3 = 0;
        break;
    default:
        return u256_zero();
    }
    unsigned bits = shift % 64;
    if (bits == 0) {
        u256 r = {{x0, x1, x2, x3}};
        return r;
    }
    unsigned back = 64 - bits;
    u256 r = {{(x0 >> bits) | (x1 << back), (x1 >> bits) | (x2 << back), (x2 >> bits) | (x3 << back), x3 >> bits}};
    return r;
}

/* Arithmetic shift right; shifts >= 256 yield 0 or all ones. */
static inline u256 u256_sar(const u256 *a, unsigned shift)
{
    if (!u256_is_neg(a))
        return u256_shr(a, shift);
    if (shift >= 256)
        return u256_max();
    u256 n = u256_not(a);
    u256 s = u256_shr(&n, shift);
    return u256_not(&s);
}

/* Number of significant bits (0 for zero). */
static inline unsigned u256_bit_len(const u256 *a)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i])
            return (unsigned)(i * 64 + 64 - __builtin_clzll(a->w[i]));
    return 0;
}

/* Number of significant bytes (0 for zero). */
static inline unsigned u256_byte_len(const u256 *a) { return (u256_bit_len(a) + 7) / 8; }

/* One big-endian 64-bit word from 8 bytes, and back. A byte-at-a-time
 * loop here is a quarter of the instructions of PUSH/MLOAD-heavy code
 * (callgrind, snailtracer): GCC -O2 does not fuse it into one load. */
static inline uint64_t u256_load_be64(const uint8_t *in)
{
    uint64_t v;
    memcpy(&v, in, 8);
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#elif !defined(__GNUC__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
    v = 0;
    for (int j = 0; j < 8; j++)
        v = (v << 8) | in[j];
#endif
    return v;
}

static inline void u256_store_be64(uint8_t *out, uint64_t v)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
    memcpy(out, &v, 8);
#elif defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    memcpy(out, &v, 8);
#else
    for (int j = 0; j < 8; j++)
        out[j] = (uint8_t)(v >> (56 - 8 * j));
#endif
}

/* *dst = *src as four 64-bit moves. Results of the arithmetic reach the
 * stack as four 8-byte stores (the add/adc chains below write limbs from
 * general registers); a plain struct copy is two 16-byte SSE loads, which
 * the CPU cannot forward from those stores and so waits for them to retire
 * (DUP of the word ADD just wrote: memory_grow_mload's loop 1.16x slower).
 * Limb loads are forwarded from either kind of store. The empty asm keeps
 * GCC from merging the four loads back into vector ones. */
static inline void u256_copy(u256 *dst, const u256 *src)
{
    uint64_t w0 = src->w[0], w1 = src->w[1], w2 = src->w[2], w3 = src->w[3];
#if defined(__GNUC__)
    __asm__("" : "+r"(w0), "+r"(w1), "+r"(w2), "+r"(w3));
#endif
    dst->w[0] = w0;
    dst->w[1] = w1;
    dst->w[2] = w2;
    dst->w[3] = w3;
}

/* Big-endian 32-byte encoding. Written out limb by limb: GCC -O2 keeps
 * the four-step loop and goes through a stack temporary (MLOAD/MSTORE). */
static inline void u256_to_be(const u256 *a, uint8_t out[32])
{
    u256_store_be64(out, a->w[3]);
    u256_store_be64(out + 8, a->w[2]);
    u256_store_be64(out + 16, a->w[1]);
    u256_store_be64(out + 24, a->w[0]);
}

static inline u256 u256_from_be32(const uint8_t in[32])
{
    u256 r = {{u256_load_be64(in + 24), u256_load_be64(in + 16), u256_load_be64(in + 8), u256_load_be64(in)}};
    return r;
}

/* Big-endian bytes of any length <= 32 (shorter input is left-padded). */
static inline u256 u256_from_be(const uint8_t *in, size_t len)
{
    uint8_t buf[32] = {0};
    if (len > 32) {
        in += len - 32;
        len = 32;
    }
    memcpy(buf + 32 - len, in, len);
    return u256_from_be32(buf);
}

/* EVM SIGNEXTEND(b, x): x with bit 8b+7 copied into every bit above it
 * (x unchanged for b >= 31). Inline and without a loop: the limbs below the
 * sign limb are kept, the sign limb is sign-extended by a shift pair, the
 * limbs above get its sign, each a select on the limb index. */
static inline u256 u256_signextend(const u256 *byte_index, const u256 *x)
{
    if ((byte_index->w[1] | byte_index->w[2] | byte_index->w[3]) != 0 || byte_index->w[0] >= 31)
        return *x;
    unsigned b = (unsigned)byte_index->w[0];
    unsigned limb = b / 8;
    unsigned drop = 64 - 8 * (b % 8 + 1); /* bits above the sign bit in its limb */
    int64_t sign_limb = (int64_t)(x->w[limb] << drop) >> drop;
    uint64_t fill = (uint64_t)(sign_limb >> 63);
    uint64_t s = (uint64_t)sign_limb;
    /* Written out, not a loop over r.w[i]: GCC builds a looped result in a
     * stack array and reloads it with vector loads the stores cannot feed. */
    u256 r = {{limb == 0 ? s : x->w[0], limb == 1 ? s : limb > 1 ? x->w[1] : fill,
               limb == 2 ? s : limb > 2 ? x->w[2] : fill, limb == 3 ? s : fill}};
    return r;
}

/* Out-of-line operations (u256.c). All follow the EVM's definitions. */
u256 u256_div(const u256 *a, const u256 *b);               /* a / b, 0 if b == 0 */
u256 u256_mod(const u256 *a, const u256 *b);               /* a % b, 0 if b == 0 */
u256 u256_sdiv(const u256 *a, const u256 *b);              /* signed, truncating; -2^255 / -1 = -2^255 */
u256 u256_smod(const u256 *a, const u256 *b);              /* sign follows the dividend */
u256 u256_addmod(const u256 *a, const u256 *b, const u256 *m); /* (a + b) % m without overflow */
u256 u256_mulmod(const u256 *a, const u256 *b, const u256 *m); /* (a * b) % m, 512-bit intermediate */
u256 u256_exp(const u256 *base, const u256 *exponent);     /* base ^ exponent mod 2^256 */
u256 u256_byte(const u256 *index, const u256 *x);          /* EVM BYTE(i, x): byte i from the left */
void u256_divmod(const u256 *a, const u256 *b, u256 *quot, u256 *rem);

/* Parse "0x..." hex (or decimal when no 0x prefix, as in test fixtures).
 * Returns false on malformed input or overflow past 256 bits. */
bool u256_from_string(const char *s, u256 *out);
/* Minimal "0x..." lower-case hex ("0x0" for zero); buf >= 67 bytes. */
void u256_to_hex(const u256 *a, char *buf);
/* Decimal; buf >= 79 bytes. */
void u256_to_dec(const u256 *a, char *buf);

#endif
