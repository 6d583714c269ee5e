/*
 * Out-of-line u256 operations: division (Knuth, TAOCP vol. 2, 4.3.1,
 * algorithm D, on 64-bit limbs), the EVM's signed and modular variants,
 * exponentiation, SIGNEXTEND/BYTE, and text conversion.
 *
 * DIV/MOD/SDIV/SMOD/ADDMOD/MULMOD are on the interpreter's hot path and most
 * operands are small, so division checks the cheap cases first: both in
 * 64 bits, a < b, a one-limb divisor (short division), both in 128 bits.
 * Only what is left goes through the normalise / estimate / multiply-
 * subtract loop, inlined per divisor length.
 */
#include "u256.h"

typedef u256_u128 u128;

/* (hi:lo) / d for hi < d (so the quotient fits 64 bits); *rem gets the
 * remainder. x86-64 has this as one instruction; elsewhere the compiler's
 * 128-bit division does the same job. */
static inline uint64_t div_128_by_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__) && defined(__GNUC__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#else
    u128 n = ((u128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

/* Significant limbs of x[0..n). */
static inline int limb_count(const uint64_t *x, int n)
{
    while (n > 0 && x[n - 1] == 0)
        n--;
    return n;
}

/* Loops over limbs below run a compile-time number of times once n is a
 * constant (divmod_fixed is inlined per divisor length): asking the
 * compiler to unroll them removes the loop counters, which were a third of
 * MULMOD's instructions (callgrind, weierstrudel). */
#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 8")
#else /* clang (the fuzz build): its "unroll" fails, as an error under
       * -Werror, where a trip count is not a constant (divmod_fixed's m) */
#define UNROLL
#endif
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/*
 * Divide u[0..m) by v[0..n) (v[n-1] != 0, m >= n >= 2, m <= 8).
 * Writes q[0..m-n+1) if q is not NULL and r[0..n) if r is not NULL.
 * Knuth, algorithm D; divmod_limbs calls it with n a constant.
 */
static ALWAYS_INLINE void divmod_fixed(const uint64_t *u, int m, const uint64_t *v, const int n, uint64_t *q,
                                       uint64_t *r)
{
    /* D1: normalise so the divisor's top bit is set; then each quotient
     * digit estimate is at most 2 too large. */
    unsigned s = (unsigned)__builtin_clzll(v[n - 1]);
    uint64_t vn[8], un[9];
    if (s) {
        UNROLL
        for (int i = n - 1; i > 0; i--)
            vn[i] = (v[i] << s) | (v[i - 1] >> (64 - s));
        vn[0] = v[0] << s;
        un[m] = u[m - 1] >> (64 - s);
        UNROLL
        for (int i = m - 1; i > 0; i--)
            un[i] = (u[i] << s) | (u[i - 1] >> (64 - s));
        un[0] = u[0] << s;
    } else {
        UNROLL
        for (int i = 0; i < n; i++)
            vn[i] = v[i];
        for (int i = 0; i < m; i++)
            un[i] = u[i];
        un[m] = 0;
    }

    const uint64_t vtop = vn[n - 1], vnext = vn[n - 2];
    for (int j = m - n; j >= 0; j--) {
        /* D3: estimate qhat from the top two limbs of the remainder. The
         * invariant un[j+n] <= vtop holds; equality means qhat = B - 1. */
        uint64_t qhat;
        u128 rhat;
        if (un[j + n] >= vtop) {
            qhat = UINT64_MAX;
            rhat = (u128)un[j + n - 1] + vtop;
        } else {
            uint64_t rr;
            qhat = div_128_by_64(un[j + n], un[j + n - 1], vtop, &rr);
            rhat = rr;
        }
        while (rhat >> 64 == 0 && (u128)qhat * vnext > ((rhat << 64) | un[j + n - 2])) {
            qhat--;
            rhat += vtop;
        }

        /* D4: un[j..j+n] -= qhat * vn. */
        uint64_t *uj = un + j;
        uint64_t mul_carry = 0;
        unsigned char borrow = 0;
        UNROLL
        for (int i = 0; i < n; i++) {
            u128 p = (u128)qhat * vn[i] + mul_carry;
            mul_carry = (uint64_t)(p >> 64);
            uj[i] = u256_sbb64(uj[i], (uint64_t)p, &borrow);
        }
        uint64_t top = uj[n];
        uj[n] = u256_sbb64(top, mul_carry, &borrow);

        /* D6: the estimate was one too large (rare): add vn back. */
        if (borrow) {
            qhat--;
            unsigned char carry = 0;
            UNROLL
            for (int i = 0; i < n; i++)
                uj[i] = u256_adc64(uj[i], vn[i], &carry);
            uj[n] += carry;
        }
        if (q)
            q[j] = qhat;
    }

    /* D8: unnormalise the remainder. */
    if (r) {
        if (s) {
            UNROLL
            for (int i = 0; i < n - 1; i++)
                r[i] = (un[i] >> s) | (un[i + 1] << (64 - s));
            r[n - 1] = un[n - 1] >> s;
        } else {
            UNROLL
            for (int i = 0; i < n; i++)
                r[i] = un[i];
        }
    }
}

/*
 * Divide u[0..m) by v[0..n) (v[n-1] != 0, m >= n >= 1, m <= 8).
 * Writes q[0..m-n+1) if q is not NULL and r[0..n) if r is not NULL.
 */
static void divmod_limbs(const uint64_t *u, int m, const uint64_t *v, int n, uint64_t *q, uint64_t *r)
{
    switch (n) {
    case 1: {
        /* Short division: one 128/64 step per limb. */
        uint64_t d = v[0], rem = 0;
        for (int i = m - 1; i >= 0; i--) {
            uint64_t qi = div_128_by_64(rem, u[i], d, &rem);
            if (q)
                q[i] = qi;
        }
        if (r)
            r[0] = rem;
        return;
    }
    case 2:
        divmod_fixed(u, m, v, 2, q, r);
        return;
    case 3:
        divmod_fixed(u, m, v, 3, q, r);
        return;
    default:
        divmod_fixed(u, m, v, 4, q, r);
        return;
    }
}

void u256_divmod(const u256 *a, const u256 *b, u256 *quot, u256 *rem)
{
    u256 q = u256_zero(), r = u256_zero();
    if (u256_is_zero(b)) {
        /* EVM: x / 0 = 0 and x % 0 = 0 (Yellow Paper, DIV and MOD). */
    } else if (u256_fits_u64(a) && u256_fits_u64(b)) {
        q.w[0] = a->w[0] / b->w[0];
        r.w[0] = a->w[0] % b->w[0];
    } else if (u256_lt(a, b)) {
        r = *a;
    } else if (u256_fits_u64(b)) {
        /* One-limb divisor: short division, unrolled (a zero high limb
         * costs one divq, less than counting the limbs). */
        uint64_t d = b->w[0], rm = 0;
        q.w[3] = div_128_by_64(0, a->w[3], d, &rm);
        q.w[2] = div_128_by_64(rm, a->w[2], d, &rm);
        q.w[1] = div_128_by_64(rm, a->w[1], d, &rm);
        q.w[0] = div_128_by_64(rm, a->w[0], d, &rm);
        r.w[0] = rm;
    } else if ((a->w[2] | a->w[3] | b->w[2] | b->w[3]) == 0) {
        /* Both in 128 bits, the divisor above 64: the quotient fits one
         * limb, and libgcc's 128-bit division finds it in one step. */
        u128 x = ((u128)a->w[1] << 64) | a->w[0];
        u128 y = ((u128)b->w[1] << 64) | b->w[0];
        u128 qq = x / y, rr = x % y;
        q.w[0] = (uint64_t)qq;
        r.w[0] = (uint64_t)rr, r.w[1] = (uint64_t)(rr >> 64);
    } else {
        int m = limb_count(a->w, 4), n = limb_count(b->w, 4);
        divmod_limbs(a->w, m, b->w, n, q.w, r.w);
    }
    if (quot)
        *quot = q;
    if (rem)
        *rem = r;
}

u256 u256_div(const u256 *a, const u256 *b)
{
    u256 q;
    u256_divmod(a, b, &q, NULL);
    return q;
}

u256 u256_mod(const u256 *a, const u256 *b)
{
    u256 r;
    u256_divmod(a, b, NULL, &r);
    return r;
}

static inline u256 u256_abs(const u256 *a) { return u256_is_neg(a) ? u256_neg(a) : *a; }

/* Truncating signed division. The one overflow, -2^255 / -1, wraps back to
 * -2^255 by itself: |−2^255| is 2^255 as an unsigned value, and the signs
 * agree so no negation follows. */
/* Whether |a| fits 64 bits: a in [0, 2^64) or in [-(2^64 - 1), -1]; then
 * *mag = |a| and *neg = a < 0. Read from the limbs, without negating. */
static inline bool small_signed(const u256 *a, uint64_t *mag, bool *neg)
{
    if ((a->w[1] | a->w[2] | a->w[3]) == 0) {
        *mag = a->w[0];
        *neg = false;
        return true;
    }
    if ((a->w[1] & a->w[2] & a->w[3]) == UINT64_MAX && a->w[0] != 0) {
        *mag = -a->w[0];
        *neg = true;
        return true;
    }
    return false;
}

u256 u256_sdiv(const u256 *a, const u256 *b)
{
    if (u256_is_zero(b))
        return u256_zero();
    uint64_t ma, mb;
    bool na, nb;
    if (small_signed(a, &ma, &na) && small_signed(b, &mb, &nb)) {
        /* Small magnitudes (most signed fixed-point code): one division
         * and, for a negative quotient, its two's complement by limbs. */
        uint64_t q = ma / mb;
        if (na == nb || q == 0)
            return u256_from_u64(q);
        u256 r = {{-q, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
        return r;
    }
    u256 ua = u256_abs(a), ub = u256_abs(b);
    u256 q = u256_div(&ua, &ub);
    return u256_is_neg(a) != u256_is_neg(b) ? u256_neg(&q) : q;
}

/* SMOD: |a| % |b| with the sign of a (Yellow Paper). */
u256 u256_smod(const u256 *a, const u256 *b)
{
    if (u256_is_zero(b))
        return u256_zero();
    u256 ua = u256_abs(a), ub = u256_abs(b);
    u256 r = u256_mod(&ua, &ub);
    return u256_is_neg(a) ? u256_neg(&r) : r;
}

/* (a + b) mod m computed on the 257-bit sum. */
u256 u256_addmod(const u256 *a, const u256 *b, const u256 *m)
{
    if (u256_is_zero(m))
        return u256_zero();
    bool carry;
    u256 s = u256_add_carry(a, b, &carry);
    if (u256_lt(a, m) && u256_lt(b, m)) {
        /* a + b < 2m: one conditional subtraction (wrapping past 2^256
         * when the sum carried gives the right answer). */
        if (carry || !u256_lt(&s, m))
            s = u256_sub(&s, m);
        return s;
    }
    if (!carry)
        return u256_mod(&s, m);
    uint64_t u[5] = {s.w[0], s.w[1], s.w[2], s.w[3], 1};
    u256 r = u256_zero();
    divmod_limbs(u, 5, m->w, limb_count(m->w, 4), NULL, r.w);
    return r;
}

/* (a * b) mod m over the full 512-bit product. */
u256 u256_mulmod(const u256 *a, const u256 *b, const u256 *m)
{
    if (u256_is_zero(m))
        return u256_zero();
    if (u256_fits_u64(a) && u256_fits_u64(b) && u256_fits_u64(m)) {
        /* Small operands: the 128-bit product modulo a 64-bit m. */
        u128 p = (u128)a->w[0] * b->w[0];
        return u256_from_u64((uint64_t)(p % m->w[0]));
    }
    /* Schoolbook 4x4, unrolled (zero limbs cost less than the loop
     * bounds they would save). */
    uint64_t p[8];
    {
        uint64_t carry = 0;
        UNROLL
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[0] * b->w[j] + carry;
            p[j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[4] = carry;
    }
    UNROLL
    for (int i = 1; i < 4; i++) {
        uint64_t carry = 0;
        UNROLL
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
    int np = limb_count(p, 8);
    if (np <= 4) {
        /* Product fits in 256 bits: the ordinary path has fast cases. */
        u256 pp = {{p[0], p[1], p[2], p[3]}};
        return u256_mod(&pp, m);
    }
    u256 r = u256_zero();
    if (m->w[3] != 0) {
        /* A full-width modulus (the curve arithmetic case): the whole
         * 8-limb product with both lengths constant, every loop unrolled
         * (zero top limbs only add quotient digits that come out zero). */
        divmod_fixed(p, 8, m->w, 4, NULL, r.w);
        return r;
    }
    divmod_limbs(p, np, m->w, limb_count(m->w, 4), NULL, r.w);
    return r;
}

/* base^exponent mod 2^256 by left-to-right square-and-multiply. */
u256 u256_exp(const u256 *base, const u256 *exponent)
{
    unsigned bits = u256_bit_len(exponent);
    u256 one = u256_from_u64(1);
    if (bits == 0)
        return one; /* x^0 = 1, including 0^0 (Yellow Paper EXP) */
    if (base->w[0] == 2 && u256_fits_u64(base)) {
        /* 2^e: a shift; e >= 256 leaves nothing. */
        if (!u256_fits_u64(exponent) || exponent->w[0] >= 256)
            return u256_zero();
        return u256_shl(&one, (unsigned)exponent->w[0]);
    }
    u256 r = *base;
    for (int i = (int)bits - 2; i >= 0; i--) {
        r = u256_mul(&r, &r);
        if ((exponent->w[i / 64] >> (i % 64)) & 1)
            r = u256_mul(&r, base);
    }
    return r;
}

/* BYTE(i, x): the i-th byte counting from the most significant; 0 for
 * i >= 32. */
u256 u256_byte(const u256 *index, const u256 *x)
{
    if (!u256_fits_u64(index) || index->w[0] >= 32)
        return u256_zero();
    unsigned from_low = 31 - (unsigned)index->w[0];
    return u256_from_u64((x->w[from_low / 8] >> (8 * (from_low % 8))) & 0xff);
}

/* ---- text ---------------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Fixtures write quantities as "0x..." (any case, leading zeros allowed,
 * bare "0x" for zero) and occasionally as plain decimal. Anything else,
 * including a value past 2^256 - 1, is refused rather than truncated. */
bool u256_from_string(const char *s, u256 *out)
{
    if (!s || !out)
        return false;
    u256 r = u256_zero();
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        const char *p = s + 2;
        while (*p == '0')
            p++;
        size_t n = strlen(p);
        if (n > 64) {
            for (size_t i = 0; i < n; i++)
                if (hex_value(p[i]) < 0)
                    return false;
            return false; /* overflow */
        }
        for (size_t i = 0; i < n; i++) {
            int v = hex_value(p[i]);
            if (v < 0)
                return false;
            unsigned pos = (unsigned)(n - 1 - i) * 4; /* bit position */
            r.w[pos / 64] |= (uint64_t)v << (pos % 64);
        }
        *out = r;
        return true;
    }
    if (*s == '\0')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        /* r = r * 10 + digit; a carry out of the top limb is overflow. */
        uint64_t carry = (uint64_t)(*p - '0');
        for (int i = 0; i < 4; i++) {
            u128 t = (u128)r.w[i] * 10 + carry;
            r.w[i] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        if (carry)
            return false;
    }
    *out = r;
    return true;
}

void u256_to_hex(const u256 *a, char *buf)
{
    static const char digits[] = "0123456789abcdef";
    char *p = buf;
    *p++ = '0';
    *p++ = 'x';
    unsigned nibbles = (u256_bit_len(a) + 3) / 4;
    if (nibbles == 0)
        *p++ = '0';
    for (int i = (int)nibbles - 1; i >= 0; i--)
        *p++ = digits[(a->w[i / 16] >> (4 * (i % 16))) & 15];
    *p = '\0';
}

void u256_to_dec(const u256 *a, char *buf)
{
    /* Peel off 19 decimal digits at a time with a one-limb division. */
    static const uint64_t TEN19 = 10000000000000000000ULL;
    uint64_t chunks[5];
    int nchunks = 0;
    u256 x = *a;
    do {
        uint64_t rem = 0;
        for (int i = 3; i >= 0; i--)
            x.w[i] = div_128_by_64(rem, x.w[i], TEN19, &rem);
        chunks[nchunks++] = rem;
    } while (!u256_is_zero(&x));

    char *p = buf;
    for (int c = nchunks - 1; c >= 0; c--) {
        char tmp[20];
        int n = 0;
        uint64_t v = chunks[c];
        do {
            tmp[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (c != nchunks - 1) /* inner chunks are zero-padded to 19 digits */
            while (n < 19)
                tmp[n++] = '0';
        while (n)
            *p++ = tmp[--n];
    }
    *p = '\0';
}
