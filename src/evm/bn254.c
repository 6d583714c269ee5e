/*
 * BN254 (alt_bn128) arithmetic and the 0x06/0x07/0x08 precompiles.
 *
 * p = 36u^4 + 36u^3 + 24u^2 + 6u + 1, r = 36u^4 + 36u^3 + 18u^2 + 6u + 1,
 * u = 4965661367192848881. G1: y^2 = x^3 + 3 over Fp (cofactor 1). G2: the
 * order-r subgroup of the D-type sextic twist y^2 = x^3 + 3/xi over Fp2,
 * xi = 9 + u. Pairing: optimal ate, loop over 6u+2 (in NAF), then the two
 * Frobenius lines, then the final exponentiation (p^12 - 1)/r split into
 * the easy part (p^6 - 1)(p^2 + 1) and the hard part by the addition chain
 * of Scott et al., "On the final exponentiation for calculating pairings
 * on ordinary elliptic curves" (2009).
 *
 * Constants below were derived with a separate big-integer model of the
 * tower (Montgomery form, R = 2^256).
 */
#include <gmp.h>
#include <string.h>

#include "bn254.h"

typedef unsigned __int128 u128;

/* ---- Fp: 4x64-bit limbs, Montgomery form ------------------------------- */

static const uint64_t FP_P[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL,
                                 0x30644e72e131a029ULL};
/* -p^-1 mod 2^64 */
static const uint64_t FP_INV = 0x87d20782e4866389ULL;
/* R mod p (Montgomery 1), R^2 mod p, R^3 mod p */
static const bn254_fp FP_ONE = {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL,
                                 0x0e0a77c19a07df2fULL}};
static const bn254_fp FP_R2 = {{0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL,
                                0x06d89f71cab8351fULL}};
static const bn254_fp FP_R3 = {{0xb1cd6dafda1530dfULL, 0x62f210e6a7283db6ULL, 0xef7f0b0c0ada0afbULL,
                                0x20fd6e902d592544ULL}};
/* G1 curve constant b = 3 */
static const bn254_fp G1_B = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL,
                               0x2a1f6744ce179d8eULL}};

static inline bool fp_is_zero(const bn254_fp *a) { return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0; }

static inline bool fp_eq(const bn254_fp *a, const bn254_fp *b)
{
    return ((a->v[0] ^ b->v[0]) | (a->v[1] ^ b->v[1]) | (a->v[2] ^ b->v[2]) | (a->v[3] ^ b->v[3])) == 0;
}

/* Limb carry chains: the x86-64 intrinsics compile to adc/sbb; elsewhere
 * 128-bit arithmetic does the same job. */
#if defined(__x86_64__)
#include <immintrin.h>
#define ADDC(carry, a, b, out) (carry) = _addcarry_u64((carry), (a), (b), (unsigned long long *)&(out))
#define SUBB(borrow, a, b, out) (borrow) = _subborrow_u64((borrow), (a), (b), (unsigned long long *)&(out))
#else
#define ADDC(carry, a, b, out)                                                                     \
    do {                                                                                           \
        u128 sum_ = (u128)(a) + (b) + (carry);                                                     \
        (out) = (uint64_t)sum_;                                                                    \
        (carry) = (unsigned char)(sum_ >> 64);                                                     \
    } while (0)
#define SUBB(borrow, a, b, out)                                                                    \
    do {                                                                                           \
        u128 diff_ = (u128)(a) - (b) - (borrow);                                                   \
        (out) = (uint64_t)diff_;                                                                   \
        (borrow) = (unsigned char)((diff_ >> 64) & 1);                                             \
    } while (0)
#endif

/* t -= p when t >= p (t < 2p). Branch-free select. */
static inline void fp_reduce_once(uint64_t t[4])
{
    uint64_t s0, s1, s2, s3;
    unsigned char b = 0;
    SUBB(b, t[0], FP_P[0], s0);
    SUBB(b, t[1], FP_P[1], s1);
    SUBB(b, t[2], FP_P[2], s2);
    SUBB(b, t[3], FP_P[3], s3);
    uint64_t keep = (uint64_t)0 - b; /* all ones when t < p */
    t[0] = (t[0] & keep) | (s0 & ~keep);
    t[1] = (t[1] & keep) | (s1 & ~keep);
    t[2] = (t[2] & keep) | (s2 & ~keep);
    t[3] = (t[3] & keep) | (s3 & ~keep);
}

static inline void fp_add(bn254_fp *r, const bn254_fp *a, const bn254_fp *b)
{
    /* a, b < p < 2^254: the sum fits 256 bits. */
    uint64_t t[4];
    unsigned char c = 0;
    ADDC(c, a->v[0], b->v[0], t[0]);
    ADDC(c, a->v[1], b->v[1], t[1]);
    ADDC(c, a->v[2], b->v[2], t[2]);
    ADDC(c, a->v[3], b->v[3], t[3]);
    fp_reduce_once(t);
    r->v[0] = t[0];
    r->v[1] = t[1];
    r->v[2] = t[2];
    r->v[3] = t[3];
}

static inline void fp_sub(bn254_fp *r, const bn254_fp *a, const bn254_fp *b)
{
    uint64_t t0, t1, t2, t3;
    unsigned char borrow = 0, c = 0;
    SUBB(borrow, a->v[0], b->v[0], t0);
    SUBB(borrow, a->v[1], b->v[1], t1);
    SUBB(borrow, a->v[2], b->v[2], t2);
    SUBB(borrow, a->v[3], b->v[3], t3);
    uint64_t mask = (uint64_t)0 - borrow; /* add p back on underflow */
    ADDC(c, t0, FP_P[0] & mask, r->v[0]);
    ADDC(c, t1, FP_P[1] & mask, r->v[1]);
    ADDC(c, t2, FP_P[2] & mask, r->v[2]);
    ADDC(c, t3, FP_P[3] & mask, r->v[3]);
}

static inline void fp_dbl(bn254_fp *r, const bn254_fp *a) { fp_add(r, a, a); }

static inline void fp_neg(bn254_fp *r, const bn254_fp *a)
{
    static const bn254_fp zero;
    fp_sub(r, &zero, a);
}

/* a / 2: add p when odd (p is odd), then shift. */
static inline void fp_half(bn254_fp *r, const bn254_fp *a)
{
    uint64_t t0, t1, t2, t3, mask = (uint64_t)0 - (a->v[0] & 1);
    unsigned char c = 0;
    ADDC(c, a->v[0], FP_P[0] & mask, t0);
    ADDC(c, a->v[1], FP_P[1] & mask, t1);
    ADDC(c, a->v[2], FP_P[2] & mask, t2);
    ADDC(c, a->v[3], FP_P[3] & mask, t3);
    r->v[0] = (t0 >> 1) | (t1 << 63);
    r->v[1] = (t1 >> 1) | (t2 << 63);
    r->v[2] = (t2 >> 1) | (t3 << 63);
    r->v[3] = (t3 >> 1) | ((uint64_t)c << 63);
}

/* Montgomery product a*b/R mod p, operand scanning (CIOS). p's top limb is
 * below 2^62, so the running value never needs a fifth limb. */
static inline void fp_mul(bn254_fp *r, const bn254_fp *a, const bn254_fp *b)
{
    uint64_t t[4] = {0, 0, 0, 0};
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        uint64_t bi = b->v[i];
        u128 A = (u128)a->v[0] * bi + t[0];
        uint64_t m = (uint64_t)A * FP_INV;
        u128 C = (u128)m * FP_P[0] + (uint64_t)A;
        uint64_t a_carry = (uint64_t)(A >> 64), c_carry = (uint64_t)(C >> 64);
#pragma GCC unroll 3
        for (int j = 1; j < 4; j++) {
            A = (u128)a->v[j] * bi + t[j] + a_carry;
            a_carry = (uint64_t)(A >> 64);
            C = (u128)m * FP_P[j] + (uint64_t)A + c_carry;
            c_carry = (uint64_t)(C >> 64);
            t[j - 1] = (uint64_t)C;
        }
        t[3] = c_carry + a_carry;
    }
    fp_reduce_once(t);
    r->v[0] = t[0];
    r->v[1] = t[1];
    r->v[2] = t[2];
    r->v[3] = t[3];
}

static inline void fp_sqr(bn254_fp *r, const bn254_fp *a) { fp_mul(r, a, a); }

/* Plain (non-Montgomery) value from Montgomery form. */
static void fp_from_mont(uint64_t out[4], const bn254_fp *a)
{
    static const bn254_fp one_plain = {{1, 0, 0, 0}};
    bn254_fp t;
    fp_mul(&t, a, &one_plain);
    memcpy(out, t.v, sizeof t.v);
}

/* r = a^-1 (0 for 0). The extended GCD of GMP on the plain value z = aR:
 * z^-1 = a^-1 R^-1, and a Montgomery product with R^3 gives a^-1 R. */
static void fp_inv(bn254_fp *r, const bn254_fp *a)
{
    if (fp_is_zero(a)) {
        *r = *a;
        return;
    }
    mp_limb_t u[5], v[5], g[5], s[5];
    mp_size_t sn = 0;
    memcpy(u, a->v, 32); /* the Montgomery value itself, as a plain integer */
    memcpy(v, FP_P, 32);
    mpn_gcdext(g, s, &sn, u, 4, v, 4); /* g = 1 = a*s + p*t */
    bn254_fp z = {{0, 0, 0, 0}};
    if (sn < 0) {
        mp_limb_t neg[4] = {0, 0, 0, 0};
        memcpy(neg, s, (size_t)(-sn) * sizeof(mp_limb_t));
        mpn_sub_n((mp_limb_t *)z.v, FP_P, neg, 4);
    } else {
        memcpy(z.v, s, (size_t)sn * sizeof(mp_limb_t));
    }
    fp_mul(r, &z, &FP_R3);
}

/* Big-endian 32 bytes -> Montgomery form; false when the value is >= p. */
static bool fp_from_bytes(bn254_fp *r, const uint8_t in[32])
{
    uint64_t t[4];
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = (w << 8) | in[(3 - i) * 8 + j];
        t[i] = w;
    }
    for (int i = 3; i >= 0; i--) {
        if (t[i] < FP_P[i])
            break;
        if (t[i] > FP_P[i] || i == 0)
            return false; /* greater, or equal to p */
    }
    bn254_fp plain;
    memcpy(plain.v, t, sizeof t);
    fp_mul(r, &plain, &FP_R2);
    return true;
}

static void fp_to_bytes(uint8_t out[32], const bn254_fp *a)
{
    uint64_t t[4];
    fp_from_mont(t, a);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[(3 - i) * 8 + j] = (uint8_t)(t[i] >> (56 - 8 * j));
}

/* ---- Fp2 = Fp[i]/(i^2 + 1) --------------------------------------------- */

static inline void fp2_add(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b)
{
    fp_add(&r->c0, &a->c0, &b->c0);
    fp_add(&r->c1, &a->c1, &b->c1);
}

static inline void fp2_sub(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b)
{
    fp_sub(&r->c0, &a->c0, &b->c0);
    fp_sub(&r->c1, &a->c1, &b->c1);
}

static inline void fp2_dbl(bn254_fp2 *r, const bn254_fp2 *a)
{
    fp_dbl(&r->c0, &a->c0);
    fp_dbl(&r->c1, &a->c1);
}

static inline void fp2_neg(bn254_fp2 *r, const bn254_fp2 *a)
{
    fp_neg(&r->c0, &a->c0);
    fp_neg(&r->c1, &a->c1);
}

static inline void fp2_conj(bn254_fp2 *r, const bn254_fp2 *a)
{
    r->c0 = a->c0;
    fp_neg(&r->c1, &a->c1);
}

static inline bool fp2_is_zero(const bn254_fp2 *a) { return fp_is_zero(&a->c0) && fp_is_zero(&a->c1); }

static inline bool fp2_eq(const bn254_fp2 *a, const bn254_fp2 *b)
{
    return fp_eq(&a->c0, &b->c0) && fp_eq(&a->c1, &b->c1);
}

/* Karatsuba: 3 Fp products. r may alias a or b. */
static inline void fp2_mul(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b)
{
    bn254_fp v0, v1, s, t;
    fp_mul(&v0, &a->c0, &b->c0);
    fp_mul(&v1, &a->c1, &b->c1);
    fp_add(&s, &a->c0, &a->c1);
    fp_add(&t, &b->c0, &b->c1);
    fp_mul(&s, &s, &t);
    fp_sub(&r->c0, &v0, &v1);
    fp_sub(&s, &s, &v0);
    fp_sub(&r->c1, &s, &v1);
}

/* (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i */
static inline void fp2_sqr(bn254_fp2 *r, const bn254_fp2 *a)
{
    bn254_fp s, d, m;
    fp_add(&s, &a->c0, &a->c1);
    fp_sub(&d, &a->c0, &a->c1);
    fp_mul(&m, &a->c0, &a->c1);
    fp_mul(&r->c0, &s, &d);
    fp_dbl(&r->c1, &m);
}

static inline void fp2_mul_fp(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp *k)
{
    fp_mul(&r->c0, &a->c0, k);
    fp_mul(&r->c1, &a->c1, k);
}

static inline void fp2_half(bn254_fp2 *r, const bn254_fp2 *a)
{
    fp_half(&r->c0, &a->c0);
    fp_half(&r->c1, &a->c1);
}

/* a * xi = a * (9 + i) = (9 a0 - a1) + (a0 + 9 a1) i */
static inline void fp2_mul_xi(bn254_fp2 *r, const bn254_fp2 *a)
{
    bn254_fp n0, n1;
    fp_dbl(&n0, &a->c0);
    fp_dbl(&n0, &n0);
    fp_dbl(&n0, &n0);
    fp_add(&n0, &n0, &a->c0); /* 9 a0 */
    fp_dbl(&n1, &a->c1);
    fp_dbl(&n1, &n1);
    fp_dbl(&n1, &n1);
    fp_add(&n1, &n1, &a->c1); /* 9 a1 */
    fp_sub(&n0, &n0, &a->c1);
    fp_add(&r->c1, &n1, &a->c0);
    r->c0 = n0;
}

static void fp2_inv(bn254_fp2 *r, const bn254_fp2 *a)
{
    bn254_fp t0, t1;
    fp_sqr(&t0, &a->c0);
    fp_sqr(&t1, &a->c1);
    fp_add(&t0, &t0, &t1);
    fp_inv(&t0, &t0);
    fp_mul(&r->c0, &a->c0, &t0);
    fp_mul(&t1, &a->c1, &t0);
    fp_neg(&r->c1, &t1);
}

/* ---- Fp6 = Fp2[v]/(v^3 - xi) ------------------------------------------- */

static inline void fp6_add(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b)
{
    fp2_add(&r->c0, &a->c0, &b->c0);
    fp2_add(&r->c1, &a->c1, &b->c1);
    fp2_add(&r->c2, &a->c2, &b->c2);
}

static inline void fp6_sub(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b)
{
    fp2_sub(&r->c0, &a->c0, &b->c0);
    fp2_sub(&r->c1, &a->c1, &b->c1);
    fp2_sub(&r->c2, &a->c2, &b->c2);
}

static inline void fp6_neg(bn254_fp6 *r, const bn254_fp6 *a)
{
    fp2_neg(&r->c0, &a->c0);
    fp2_neg(&r->c1, &a->c1);
    fp2_neg(&r->c2, &a->c2);
}

/* a * v = (xi a2, a0, a1) */
static inline void fp6_mul_v(bn254_fp6 *r, const bn254_fp6 *a)
{
    bn254_fp2 t;
    fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

/* Karatsuba over Fp2 (Devegili et al.): 6 Fp2 products. Aliasing safe. */
static void fp6_mul(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b)
{
    bn254_fp2 v0, v1, v2, s, t, c0, c1, c2;
    fp2_mul(&v0, &a->c0, &b->c0);
    fp2_mul(&v1, &a->c1, &b->c1);
    fp2_mul(&v2, &a->c2, &b->c2);

    fp2_add(&s, &a->c1, &a->c2);
    fp2_add(&t, &b->c1, &b->c2);
    fp2_mul(&c0, &s, &t);
    fp2_sub(&c0, &c0, &v1);
    fp2_sub(&c0, &c0, &v2);
    fp2_mul_xi(&c0, &c0);
    fp2_add(&c0, &c0, &v0);

    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&t, &b->c0, &b->c1);
    fp2_mul(&c1, &s, &t);
    fp2_sub(&c1, &c1, &v0);
    fp2_sub(&c1, &c1, &v1);
    fp2_mul_xi(&t, &v2);
    fp2_add(&c1, &c1, &t);

    fp2_add(&s, &a->c0, &a->c2);
    fp2_add(&t, &b->c0, &b->c2);
    fp2_mul(&c2, &s, &t);
    fp2_sub(&c2, &c2, &v0);
    fp2_add(&c2, &c2, &v1);
    fp2_sub(&c2, &c2, &v2);

    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* Chung-Hasan SQR2: 2 products and 3 squarings in Fp2. */
static void fp6_sqr(bn254_fp6 *r, const bn254_fp6 *a)
{
    bn254_fp2 s0, s1, s2, s3, s4, t;
    fp2_sqr(&s0, &a->c0);
    fp2_mul(&s1, &a->c0, &a->c1);
    fp2_dbl(&s1, &s1);
    fp2_sub(&t, &a->c0, &a->c1);
    fp2_add(&t, &t, &a->c2);
    fp2_sqr(&s2, &t);
    fp2_mul(&s3, &a->c1, &a->c2);
    fp2_dbl(&s3, &s3);
    fp2_sqr(&s4, &a->c2);

    bn254_fp2 c0, c1, c2;
    fp2_mul_xi(&c0, &s3);
    fp2_add(&c0, &c0, &s0);
    fp2_mul_xi(&c1, &s4);
    fp2_add(&c1, &c1, &s1);
    fp2_add(&c2, &s1, &s2);
    fp2_add(&c2, &c2, &s3);
    fp2_sub(&c2, &c2, &s0);
    fp2_sub(&c2, &c2, &s4);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

static void fp6_inv(bn254_fp6 *r, const bn254_fp6 *a)
{
    bn254_fp2 t0, t1, t2, s, d;
    /* t0 = a0^2 - xi a1 a2, t1 = xi a2^2 - a0 a1, t2 = a1^2 - a0 a2 */
    fp2_sqr(&t0, &a->c0);
    fp2_mul(&s, &a->c1, &a->c2);
    fp2_mul_xi(&s, &s);
    fp2_sub(&t0, &t0, &s);
    fp2_sqr(&t1, &a->c2);
    fp2_mul_xi(&t1, &t1);
    fp2_mul(&s, &a->c0, &a->c1);
    fp2_sub(&t1, &t1, &s);
    fp2_sqr(&t2, &a->c1);
    fp2_mul(&s, &a->c0, &a->c2);
    fp2_sub(&t2, &t2, &s);
    /* d = a0 t0 + xi (a2 t1 + a1 t2) */
    fp2_mul(&d, &a->c2, &t1);
    fp2_mul(&s, &a->c1, &t2);
    fp2_add(&d, &d, &s);
    fp2_mul_xi(&d, &d);
    fp2_mul(&s, &a->c0, &t0);
    fp2_add(&d, &d, &s);
    fp2_inv(&d, &d);
    fp2_mul(&r->c0, &t0, &d);
    fp2_mul(&r->c1, &t1, &d);
    fp2_mul(&r->c2, &t2, &d);
}

/* ---- Fp12 = Fp6[w]/(w^2 - v) ------------------------------------------- */

static void fp12_set_one(bn254_fp12 *r)
{
    memset(r, 0, sizeof *r);
    r->c0.c0.c0 = FP_ONE;
}

static bool fp12_is_one(const bn254_fp12 *a)
{
    bn254_fp12 one;
    fp12_set_one(&one);
    return memcmp(a, &one, sizeof one) == 0; /* canonical limbs: exact */
}

static void fp12_mul(bn254_fp12 *r, const bn254_fp12 *a, const bn254_fp12 *b)
{
    bn254_fp6 v0, v1, s, t;
    fp6_mul(&v0, &a->c0, &b->c0);
    fp6_mul(&v1, &a->c1, &b->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_add(&t, &b->c0, &b->c1);
    fp6_mul(&s, &s, &t);
    fp6_sub(&s, &s, &v0);
    fp6_sub(&r->c1, &s, &v1);
    fp6_mul_v(&v1, &v1);
    fp6_add(&r->c0, &v0, &v1);
}

/* Complex squaring: c0 = (a0 + a1)(a0 + v a1) - m - v m, c1 = 2m, m = a0 a1 */
static void fp12_sqr(bn254_fp12 *r, const bn254_fp12 *a)
{
    bn254_fp6 m, s, t;
    fp6_mul(&m, &a->c0, &a->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_mul_v(&t, &a->c1);
    fp6_add(&t, &t, &a->c0);
    fp6_mul(&s, &s, &t);
    fp6_sub(&s, &s, &m);
    fp6_mul_v(&t, &m);
    fp6_sub(&r->c0, &s, &t);
    fp2_dbl(&r->c1.c0, &m.c0);
    fp2_dbl(&r->c1.c1, &m.c1);
    fp2_dbl(&r->c1.c2, &m.c2);
}

static void fp12_conj(bn254_fp12 *r, const bn254_fp12 *a)
{
    r->c0 = a->c0;
    fp6_neg(&r->c1, &a->c1);
}

static void fp12_inv(bn254_fp12 *r, const bn254_fp12 *a)
{
    bn254_fp6 t0, t1;
    fp6_sqr(&t0, &a->c0);
    fp6_sqr(&t1, &a->c1);
    fp6_mul_v(&t1, &t1);
    fp6_sub(&t0, &t0, &t1);
    fp6_inv(&t0, &t0);
    fp6_mul(&r->c0, &a->c0, &t0);
    fp6_mul(&t1, &a->c1, &t0);
    fp6_neg(&r->c1, &t1);
}

/* Multiplies f by a line l = a0 + b0 w + b1 w^3 (a0, b0, b1 in Fp2): in
 * Fp6 terms l = L0 + L1 w with L0 = (a0, 0, 0), L1 = (b0, b1, 0). */
static void fp12_mul_by_line(bn254_fp12 *f, const bn254_fp2 *a0, const bn254_fp2 *b0, const bn254_fp2 *b1)
{
    bn254_fp6 x0, x1, s;
    /* x0 = f0 * a0 */
    fp2_mul(&x0.c0, &f->c0.c0, a0);
    fp2_mul(&x0.c1, &f->c0.c1, a0);
    fp2_mul(&x0.c2, &f->c0.c2, a0);
    /* x1 = f1 * (b0 + b1 v) */
    {
        const bn254_fp6 *g = &f->c1;
        bn254_fp2 t0, t1, t;
        fp2_mul(&t0, &g->c0, b0);
        fp2_mul(&t1, &g->c1, b1);
        /* c0 = g0 b0 + xi g2 b1 */
        fp2_mul(&t, &g->c2, b1);
        fp2_mul_xi(&t, &t);
        fp2_add(&x1.c0, &t0, &t);
        /* c1 = g1 b0 + g0 b1 = (g0 + g1)(b0 + b1) - t0 - t1 */
        bn254_fp2 sa, sb;
        fp2_add(&sa, &g->c0, &g->c1);
        fp2_add(&sb, b0, b1);
        fp2_mul(&t, &sa, &sb);
        fp2_sub(&t, &t, &t0);
        fp2_sub(&x1.c1, &t, &t1);
        /* c2 = g2 b0 + g1 b1 */
        fp2_mul(&t, &g->c2, b0);
        fp2_add(&x1.c2, &t, &t1);
    }
    /* c1 = (f0 + f1)(L0 + L1) - x0 - x1, with L0 + L1 = (a0 + b0) + b1 v */
    fp6_add(&s, &f->c0, &f->c1);
    {
        bn254_fp2 e0, t0, t1, t, sa, sb;
        fp2_add(&e0, a0, b0);
        fp2_mul(&t0, &s.c0, &e0);
        fp2_mul(&t1, &s.c1, b1);
        bn254_fp6 y;
        fp2_mul(&t, &s.c2, b1);
        fp2_mul_xi(&t, &t);
        fp2_add(&y.c0, &t0, &t);
        fp2_add(&sa, &s.c0, &s.c1);
        fp2_add(&sb, &e0, b1);
        fp2_mul(&t, &sa, &sb);
        fp2_sub(&t, &t, &t0);
        fp2_sub(&y.c1, &t, &t1);
        fp2_mul(&t, &s.c2, &e0);
        fp2_add(&y.c2, &t, &t1);
        fp6_sub(&y, &y, &x0);
        fp6_sub(&f->c1, &y, &x1);
    }
    /* c0 = x0 + v x1 */
    fp6_mul_v(&x1, &x1);
    fp6_add(&f->c0, &x0, &x1);
}

/* Frobenius constants gamma_{n,k} = xi^(k (p^n - 1) / 6), k = 1..5. The
 * element sum a_k w^k (a_k in Fp2; a0,a2,a4 in c0 and a1,a3,a5 in c1) maps
 * under x -> x^(p^n) to sum conj^n(a_k) gamma_{n,k} w^k. */
static const bn254_fp2 FROB1[6] = {
    {{{0}}, {{0}}},
    {{{0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL}},
     {{0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL, 0x10a75716b3899551ULL}}},
    {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
     {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}},
    {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
     {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}},
    {{{0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL}},
     {{0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL, 0x24830a9d3171f0fdULL}}},
    {{{0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL}},
     {{0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL, 0x2f21ebb535d2925aULL}}},
};
/* gamma_{2,k} lie in Fp. */
static const bn254_fp FROB2[6] = {
    {{0}},
    {{0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL}},
    {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}},
    {{0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL}},
    {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}},
    {{0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL}},
};
static const bn254_fp2 FROB3[6] = {
    {{{0}}, {{0}}},
    {{{0x365316184e46d97dULL, 0x0af7129ed4c96d9fULL, 0x659da72fca1009b5ULL, 0x08116d8983a20d23ULL}},
     {{0xb1df4af7c39c1939ULL, 0x3d9f02878a73bf7fULL, 0x9b2220928caf0ae0ULL, 0x26684515eff054a6ULL}}},
    {{{0xc9af22f716ad6badULL, 0xb311782a4aa662b2ULL, 0x19eeaf64e248c7f4ULL, 0x20273e77e3439f82ULL}},
     {{0xacc02860f7ce93acULL, 0x3933d5817ba76b4cULL, 0x69e6188b446c8467ULL, 0x0a46036d4417cc55ULL}}},
    {{{0x5764af0aaf46471eULL, 0xdc50792e873e0fc1ULL, 0x86a673ff881d04f6ULL, 0x0b2eddb43c30a74cULL}},
     {{0x9a490f32787e8580ULL, 0x8fd16d7ff04af8b1ULL, 0x4b39888ec6027bf2ULL, 0x03dd2e705b52a15dULL}}},
    {{{0x448a93a57b6762dfULL, 0xbfd62df528fdeadfULL, 0xd858f5d00e9bd47aULL, 0x06b03d4d3476ec58ULL}},
     {{0x2b19daf4bcc936d1ULL, 0xa1a54e7a56f4299fULL, 0xb533eee05adeaef1ULL, 0x170c812b84dda0b2ULL}}},
    {{{0xe0bc4b2275cf559fULL, 0xc238b945c154e60fULL, 0x803982a5929a7d5eULL, 0x15ce052df7e4a37eULL}},
     {{0x2d28efbdbf3799a7ULL, 0x9b097e3c1ad60773ULL, 0x982d4113af4a535bULL, 0x24e18991e3056063ULL}}},
};

/* Coefficient k of w^k. */
static bn254_fp2 *fp12_coeff(bn254_fp12 *a, int k)
{
    bn254_fp6 *half = (k & 1) ? &a->c1 : &a->c0;
    return k < 2 ? &half->c0 : k < 4 ? &half->c1 : &half->c2;
}

/* r = a^(p^n), n in {1, 2, 3}. */
static void fp12_frobenius(bn254_fp12 *r, const bn254_fp12 *a, int n)
{
    *r = *a;
    for (int k = 0; k < 6; k++) {
        bn254_fp2 *c = fp12_coeff(r, k);
        if (n & 1)
            fp2_conj(c, c);
        if (k == 0)
            continue;
        if (n == 1)
            fp2_mul(c, c, &FROB1[k]);
        else if (n == 2)
            fp2_mul_fp(c, c, &FROB2[k]);
        else
            fp2_mul(c, c, &FROB3[k]);
    }
}

/* Granger-Scott squaring for elements of the cyclotomic subgroup (after
 * the easy part of the final exponentiation). View Fp12 as Fp4[z]/(z^3 - s)
 * with Fp4 = Fp2[s]/(s^2 - xi), z = w, s = w^3, so x = A0 + A1 z + A2 z^2
 * with A0 = a0 + a3 s, A1 = a1 + a4 s, A2 = a2 + a5 s. Then
 *   A0' = 3 A0^2 - 2 conj(A0), A1' = 3 s A2^2 + 2 conj(A1),
 *   A2' = 3 A1^2 - 2 conj(A2)
 * where conj negates the s part. */
static void fp4_sqr(bn254_fp2 *r0, bn254_fp2 *r1, const bn254_fp2 *x, const bn254_fp2 *y)
{
    /* (x + y s)^2 = x^2 + xi y^2 + ((x + y)^2 - x^2 - y^2) s */
    bn254_fp2 x2, y2, t;
    fp2_sqr(&x2, x);
    fp2_sqr(&y2, y);
    fp2_add(&t, x, y);
    fp2_sqr(&t, &t);
    fp2_sub(&t, &t, &x2);
    fp2_sub(r1, &t, &y2);
    fp2_mul_xi(&y2, &y2);
    fp2_add(r0, &x2, &y2);
}

static void fp12_cyclotomic_sqr(bn254_fp12 *r, const bn254_fp12 *a)
{
    bn254_fp12 in = *a;
    bn254_fp2 *a0 = fp12_coeff(&in, 0), *a1 = fp12_coeff(&in, 1), *a2 = fp12_coeff(&in, 2);
    bn254_fp2 *a3 = fp12_coeff(&in, 3), *a4 = fp12_coeff(&in, 4), *a5 = fp12_coeff(&in, 5);
    bn254_fp2 t0, t1, t2, t3, t4, t5, u;

    fp4_sqr(&t0, &t1, a0, a3); /* A0^2 */
    fp4_sqr(&t2, &t3, a1, a4); /* A1^2 */
    fp4_sqr(&t4, &t5, a2, a5); /* A2^2 */

    /* A0' = 3 A0^2 - 2 conj(A0): parts 3 t0 - 2 a0, 3 t1 + 2 a3 */
    fp2_sub(&u, &t0, a0);
    fp2_dbl(&u, &u);
    fp2_add(fp12_coeff(r, 0), &u, &t0);
    fp2_add(&u, &t1, a3);
    fp2_dbl(&u, &u);
    fp2_add(fp12_coeff(r, 3), &u, &t1);

    /* A1' = 3 s A2^2 + 2 conj(A1); s (t4 + t5 s) = xi t5 + t4 s:
     * parts 3 xi t5 + 2 a1, 3 t4 - 2 a4 */
    fp2_mul_xi(&t5, &t5);
    fp2_add(&u, &t5, a1);
    fp2_dbl(&u, &u);
    fp2_add(fp12_coeff(r, 1), &u, &t5);
    fp2_sub(&u, &t4, a4);
    fp2_dbl(&u, &u);
    fp2_add(fp12_coeff(r, 4), &u, &t4);

    /* A2' = 3 A1^2 - 2 conj(A2): parts 3 t2 - 2 a2, 3 t3 + 2 a5 */
    fp2_sub(&u, &t2, a2);
    fp2_dbl(&u, &u);
    fp2_add(fp12_coeff(r, 2), &u, &t2);
    fp2_add(&u, &t3, a5);
    fp2_dbl(&u, &u);
    fp2_add(fp12_coeff(r, 5), &u, &t3);
}

#define BN_U 0x44e992b44a6909f1ULL /* the curve parameter u (x) */

/* r = a^u for a in the cyclotomic subgroup. */
static void fp12_pow_u(bn254_fp12 *r, const bn254_fp12 *a)
{
    bn254_fp12 acc = *a;
    for (int bit = 61; bit >= 0; bit--) { /* u has 63 bits; the top one is acc = a */
        fp12_cyclotomic_sqr(&acc, &acc);
        if ((BN_U >> bit) & 1)
            fp12_mul(&acc, &acc, a);
    }
    *r = acc;
}

static void final_exponentiation(bn254_fp12 *r, const bn254_fp12 *f_in)
{
    bn254_fp12 f, t;
    /* Easy part: f^(p^6 - 1) = conj(f) / f, then ^(p^2 + 1). */
    fp12_inv(&t, f_in);
    fp12_conj(&f, f_in);
    fp12_mul(&f, &f, &t);
    fp12_frobenius(&t, &f, 2);
    fp12_mul(&f, &f, &t);

    /* Hard part (p^4 - p^2 + 1)/r, Scott et al. */
    bn254_fp12 fx, fx2, fx3, y0, y1, y2, y3, y4, y5, y6, t0, t1;
    fp12_pow_u(&fx, &f);
    fp12_pow_u(&fx2, &fx);
    fp12_pow_u(&fx3, &fx2);

    fp12_frobenius(&y0, &f, 1);
    fp12_frobenius(&t, &f, 2);
    fp12_mul(&y0, &y0, &t);
    fp12_frobenius(&t, &f, 3);
    fp12_mul(&y0, &y0, &t);
    fp12_conj(&y1, &f);
    fp12_frobenius(&y2, &fx2, 2);
    fp12_frobenius(&y3, &fx, 1);
    fp12_conj(&y3, &y3);
    fp12_frobenius(&y4, &fx2, 1);
    fp12_mul(&y4, &y4, &fx);
    fp12_conj(&y4, &y4);
    fp12_conj(&y5, &fx2);
    fp12_frobenius(&y6, &fx3, 1);
    fp12_mul(&y6, &y6, &fx3);
    fp12_conj(&y6, &y6);

    fp12_cyclotomic_sqr(&t0, &y6);
    fp12_mul(&t0, &t0, &y4);
    fp12_mul(&t0, &t0, &y5);
    fp12_mul(&t1, &y3, &y5);
    fp12_mul(&t1, &t1, &t0);
    fp12_mul(&t0, &t0, &y2);
    fp12_cyclotomic_sqr(&t1, &t1);
    fp12_mul(&t1, &t1, &t0);
    fp12_cyclotomic_sqr(&t1, &t1);
    fp12_mul(&t0, &t1, &y1);
    fp12_mul(&t1, &t1, &y0);
    fp12_cyclotomic_sqr(&t0, &t0);
    fp12_mul(r, &t0, &t1);
}

/* ---- G1: y^2 = x^3 + 3, Jacobian --------------------------------------- */

static bool g1_is_infinity(const bn254_g1 *p) { return fp_is_zero(&p->z); }

static void g1_set_infinity(bn254_g1 *p)
{
    memset(p, 0, sizeof *p);
    p->x = FP_ONE;
    p->y = FP_ONE;
}

/* dbl-2009-l (a = 0): 2M + 5S. */
static void g1_double(bn254_g1 *r, const bn254_g1 *p)
{
    if (g1_is_infinity(p) || fp_is_zero(&p->y)) {
        g1_set_infinity(r);
        return;
    }
    bn254_fp a, b, c, d, e, f, t;
    fp_sqr(&a, &p->x);
    fp_sqr(&b, &p->y);
    fp_sqr(&c, &b);
    fp_add(&t, &p->x, &b);
    fp_sqr(&t, &t);
    fp_sub(&t, &t, &a);
    fp_sub(&t, &t, &c);
    fp_dbl(&d, &t);
    fp_dbl(&e, &a);
    fp_add(&e, &e, &a);
    fp_sqr(&f, &e);
    bn254_fp z3;
    fp_mul(&z3, &p->y, &p->z);
    fp_dbl(&r->z, &z3);
    fp_dbl(&t, &d);
    fp_sub(&r->x, &f, &t);
    fp_sub(&t, &d, &r->x);
    fp_mul(&t, &e, &t);
    fp_dbl(&c, &c);
    fp_dbl(&c, &c);
    fp_dbl(&c, &c);
    fp_sub(&r->y, &t, &c);
}

/* add-2007-bl, with the doubling and inverse cases. r may alias a or b. */
void bn254_g1_add(bn254_g1 *r, const bn254_g1 *a, const bn254_g1 *b)
{
    if (g1_is_infinity(a)) {
        *r = *b;
        return;
    }
    if (g1_is_infinity(b)) {
        *r = *a;
        return;
    }
    bn254_fp z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    fp_sqr(&z1z1, &a->z);
    fp_sqr(&z2z2, &b->z);
    fp_mul(&u1, &a->x, &z2z2);
    fp_mul(&u2, &b->x, &z1z1);
    fp_mul(&s1, &a->y, &b->z);
    fp_mul(&s1, &s1, &z2z2);
    fp_mul(&s2, &b->y, &a->z);
    fp_mul(&s2, &s2, &z1z1);
    fp_sub(&h, &u2, &u1);
    fp_sub(&rr, &s2, &s1);
    if (fp_is_zero(&h)) {
        if (fp_is_zero(&rr))
            g1_double(r, a);
        else
            g1_set_infinity(r);
        return;
    }
    fp_dbl(&i, &h);
    fp_sqr(&i, &i);
    fp_mul(&j, &h, &i);
    fp_dbl(&rr, &rr);
    fp_mul(&v, &u1, &i);
    bn254_fp x3, y3, z3;
    fp_sqr(&x3, &rr);
    fp_sub(&x3, &x3, &j);
    fp_sub(&x3, &x3, &v);
    fp_sub(&x3, &x3, &v);
    fp_sub(&t, &v, &x3);
    fp_mul(&y3, &rr, &t);
    fp_mul(&t, &s1, &j);
    fp_dbl(&t, &t);
    fp_sub(&y3, &y3, &t);
    fp_add(&z3, &a->z, &b->z);
    fp_sqr(&z3, &z3);
    fp_sub(&z3, &z3, &z1z1);
    fp_sub(&z3, &z3, &z2z2);
    fp_mul(&z3, &z3, &h);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* Affine (Z = 1) x, y; infinity when p is. */
static void g1_to_affine(bn254_fp *x, bn254_fp *y, const bn254_g1 *p)
{
    bn254_fp zi, zi2;
    fp_inv(&zi, &p->z);
    fp_sqr(&zi2, &zi);
    fp_mul(x, &p->x, &zi2);
    fp_mul(&zi2, &zi2, &zi);
    fp_mul(y, &p->y, &zi2);
}

bool bn254_g1_from_bytes(bn254_g1 *p, const uint8_t in[64])
{
    bn254_fp x, y;
    if (!fp_from_bytes(&x, in) || !fp_from_bytes(&y, in + 32))
        return false;
    if (fp_is_zero(&x) && fp_is_zero(&y)) {
        g1_set_infinity(p);
        return true;
    }
    bn254_fp lhs, rhs;
    fp_sqr(&lhs, &y);
    fp_sqr(&rhs, &x);
    fp_mul(&rhs, &rhs, &x);
    fp_add(&rhs, &rhs, &G1_B);
    if (!fp_eq(&lhs, &rhs))
        return false;
    p->x = x;
    p->y = y;
    p->z = FP_ONE;
    return true;
}

void bn254_g1_to_bytes(uint8_t out[64], const bn254_g1 *p)
{
    if (g1_is_infinity(p)) {
        memset(out, 0, 64);
        return;
    }
    bn254_fp x, y;
    g1_to_affine(&x, &y, p);
    fp_to_bytes(out, &x);
    fp_to_bytes(out + 32, &y);
}

void bn254_g1_mul(bn254_g1 *r, const bn254_g1 *p, const uint8_t k[32])
{
    bn254_g1 acc;
    g1_set_infinity(&acc);
    for (int i = 0; i < 256; i++) {
        g1_double(&acc, &acc);
        if ((k[i / 8] >> (7 - i % 8)) & 1)
            bn254_g1_add(&acc, &acc, p);
    }
    *r = acc;
}

/* ---- G2: y^2 = x^3 + 3/xi over Fp2 ------------------------------------- */

static const bn254_fp2 G2_B = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}},
};

static bool g2_is_infinity(const bn254_g2 *q) { return fp2_is_zero(&q->z); }

static void g2_set_infinity(bn254_g2 *q)
{
    memset(q, 0, sizeof *q);
    q->x.c0 = FP_ONE;
    q->y.c0 = FP_ONE;
}

static void g2_double(bn254_g2 *r, const bn254_g2 *p)
{
    if (g2_is_infinity(p) || fp2_is_zero(&p->y)) {
        g2_set_infinity(r);
        return;
    }
    bn254_fp2 a, b, c, d, e, f, t, z3;
    fp2_sqr(&a, &p->x);
    fp2_sqr(&b, &p->y);
    fp2_sqr(&c, &b);
    fp2_add(&t, &p->x, &b);
    fp2_sqr(&t, &t);
    fp2_sub(&t, &t, &a);
    fp2_sub(&t, &t, &c);
    fp2_dbl(&d, &t);
    fp2_dbl(&e, &a);
    fp2_add(&e, &e, &a);
    fp2_sqr(&f, &e);
    fp2_mul(&z3, &p->y, &p->z);
    fp2_dbl(&r->z, &z3);
    fp2_dbl(&t, &d);
    fp2_sub(&r->x, &f, &t);
    fp2_sub(&t, &d, &r->x);
    fp2_mul(&t, &e, &t);
    fp2_dbl(&c, &c);
    fp2_dbl(&c, &c);
    fp2_dbl(&c, &c);
    fp2_sub(&r->y, &t, &c);
}

static void g2_add(bn254_g2 *r, const bn254_g2 *a, const bn254_g2 *b)
{
    if (g2_is_infinity(a)) {
        *r = *b;
        return;
    }
    if (g2_is_infinity(b)) {
        *r = *a;
        return;
    }
    bn254_fp2 z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t, x3, y3, z3;
    fp2_sqr(&z1z1, &a->z);
    fp2_sqr(&z2z2, &b->z);
    fp2_mul(&u1, &a->x, &z2z2);
    fp2_mul(&u2, &b->x, &z1z1);
    fp2_mul(&s1, &a->y, &b->z);
    fp2_mul(&s1, &s1, &z2z2);
    fp2_mul(&s2, &b->y, &a->z);
    fp2_mul(&s2, &s2, &z1z1);
    fp2_sub(&h, &u2, &u1);
    fp2_sub(&rr, &s2, &s1);
    if (fp2_is_zero(&h)) {
        if (fp2_is_zero(&rr))
            g2_double(r, a);
        else
            g2_set_infinity(r);
        return;
    }
    fp2_dbl(&i, &h);
    fp2_sqr(&i, &i);
    fp2_mul(&j, &h, &i);
    fp2_dbl(&rr, &rr);
    fp2_mul(&v, &u1, &i);
    fp2_sqr(&x3, &rr);
    fp2_sub(&x3, &x3, &j);
    fp2_sub(&x3, &x3, &v);
    fp2_sub(&x3, &x3, &v);
    fp2_sub(&t, &v, &x3);
    fp2_mul(&y3, &rr, &t);
    fp2_mul(&t, &s1, &j);
    fp2_dbl(&t, &t);
    fp2_sub(&y3, &y3, &t);
    fp2_add(&z3, &a->z, &b->z);
    fp2_sqr(&z3, &z3);
    fp2_sub(&z3, &z3, &z1z1);
    fp2_sub(&z3, &z3, &z2z2);
    fp2_mul(&z3, &z3, &h);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

static bool g2_eq(const bn254_g2 *a, const bn254_g2 *b)
{
    bool ia = g2_is_infinity(a), ib = g2_is_infinity(b);
    if (ia || ib)
        return ia == ib;
    bn254_fp2 z1z1, z2z2, l, r;
    fp2_sqr(&z1z1, &a->z);
    fp2_sqr(&z2z2, &b->z);
    fp2_mul(&l, &a->x, &z2z2);
    fp2_mul(&r, &b->x, &z1z1);
    if (!fp2_eq(&l, &r))
        return false;
    fp2_mul(&z1z1, &z1z1, &a->z);
    fp2_mul(&z2z2, &z2z2, &b->z);
    fp2_mul(&l, &a->y, &z2z2);
    fp2_mul(&r, &b->y, &z1z1);
    return fp2_eq(&l, &r);
}

/* psi = untwist-Frobenius-twist: (x, y) -> (conj(x) g_{1,2}, conj(y) g_{1,3}).
 * On Jacobian coordinates the same map applies with conj(Z). */
static void g2_psi(bn254_g2 *r, const bn254_g2 *q)
{
    fp2_conj(&r->x, &q->x);
    fp2_mul(&r->x, &r->x, &FROB1[2]);
    fp2_conj(&r->y, &q->y);
    fp2_mul(&r->y, &r->y, &FROB1[3]);
    fp2_conj(&r->z, &q->z);
}

/* 6u^2, 127 bits (big-endian bit string walked from the top). */
static const uint64_t SIX_U2_HI = 0x6f4d8248eeb859fbULL, SIX_U2_LO = 0xf83e9682e87cfd46ULL;

/* Subgroup membership for a point on the twist: Q in G2 iff
 * psi(Q) = [6u^2] Q (for BN curves p = r + 6u^2, so psi acts as [p] = [6u^2]
 * on G2, and no other point of the twist satisfies it: El Housni,
 * Guillevic, Piellard, "Co-factor clearing and subgroup membership testing
 * on pairing-friendly curves", 2022). Twice as fast as checking [r]Q = O. */
static bool g2_in_subgroup(const bn254_g2 *q)
{
    bn254_g2 acc = *q, lhs;
    for (int bit = 125; bit >= 0; bit--) { /* bit 126 is the top one: acc = q */
        g2_double(&acc, &acc);
        uint64_t word = bit >= 64 ? SIX_U2_HI : SIX_U2_LO;
        if ((word >> (bit & 63)) & 1)
            g2_add(&acc, &acc, q);
    }
    g2_psi(&lhs, q);
    return g2_eq(&lhs, &acc);
}

bool bn254_g2_from_bytes(bn254_g2 *q, const uint8_t in[128])
{
    bn254_fp2 x, y;
    /* EIP-197: each Fp2 element is encoded imaginary part first. */
    if (!fp_from_bytes(&x.c1, in) || !fp_from_bytes(&x.c0, in + 32) || !fp_from_bytes(&y.c1, in + 64) ||
        !fp_from_bytes(&y.c0, in + 96))
        return false;
    if (fp2_is_zero(&x) && fp2_is_zero(&y)) {
        g2_set_infinity(q);
        return true;
    }
    bn254_fp2 lhs, rhs;
    fp2_sqr(&lhs, &y);
    fp2_sqr(&rhs, &x);
    fp2_mul(&rhs, &rhs, &x);
    fp2_add(&rhs, &rhs, &G2_B);
    if (!fp2_eq(&lhs, &rhs))
        return false;
    q->x = x;
    q->y = y;
    memset(&q->z, 0, sizeof q->z);
    q->z.c0 = FP_ONE;
    return g2_in_subgroup(q);
}

/* ---- pairing ----------------------------------------------------------- */

/* Homogeneous projective point on the twist for the Miller loop:
 * (X : Y : Z) = affine (X/Z, Y/Z). */
struct miller_point {
    bn254_fp2 x, y, z;
};

/* A G1 point prepared for line evaluation. */
struct miller_g1 {
    bn254_fp neg_y;    /* -yP */
    bn254_fp x_times3; /* 3 xP */
    bn254_fp neg_x;    /* -xP */
    bn254_fp y;        /* yP */
};

/* T = 2T; f *= line tangent at T evaluated at P. The line, scaled by a
 * subfield factor that the final exponentiation removes, is
 *   -2YZ yP + 3X^2 xP w + (3b'Z^2 - Y^2) w^3. */
static void miller_double(struct miller_point *t, const struct miller_g1 *p, bn254_fp2 line[3])
{
    bn254_fp2 a, b, c, e, f, g, h, x2;
    fp2_mul(&a, &t->x, &t->y);
    fp2_half(&a, &a);        /* XY/2 */
    fp2_sqr(&b, &t->y);      /* Y^2 */
    fp2_sqr(&c, &t->z);      /* Z^2 */
    fp2_dbl(&e, &c);
    fp2_add(&e, &e, &c);
    fp2_mul(&e, &e, &G2_B);  /* 3b'Z^2 */
    fp2_dbl(&f, &e);
    fp2_add(&f, &f, &e);     /* 9b'Z^2 */
    fp2_add(&g, &b, &f);
    fp2_half(&g, &g);        /* (Y^2 + 9b'Z^2)/2 */
    fp2_add(&h, &t->y, &t->z);
    fp2_sqr(&h, &h);
    fp2_sub(&h, &h, &b);
    fp2_sub(&h, &h, &c);     /* 2YZ */
    fp2_sqr(&x2, &t->x);     /* X^2 */

    fp2_mul_fp(&line[0], &h, &p->neg_y);
    fp2_mul_fp(&line[1], &x2, &p->x_times3);
    fp2_sub(&line[2], &e, &b);

    bn254_fp2 s;
    fp2_sub(&s, &b, &f);
    fp2_mul(&t->x, &a, &s);  /* X3 = XY/2 (Y^2 - 9b'Z^2) */
    fp2_sqr(&s, &e);
    fp2_dbl(&x2, &s);
    fp2_add(&s, &s, &x2);    /* 3 (3b'Z^2)^2 = 27 b'^2 Z^4 */
    fp2_sqr(&g, &g);
    fp2_sub(&t->y, &g, &s);  /* Y3 */
    fp2_mul(&t->z, &b, &h);  /* Z3 = 2 Y^3 Z */
}

/* T = T + Q (Q affine); f *= line through T and Q at P:
 *   L yP - theta xP w + (theta xQ - L yQ) w^3,
 * theta = Y - yQ Z, L = X - xQ Z. */
static void miller_add(struct miller_point *t, const bn254_fp2 *qx, const bn254_fp2 *qy,
                       const struct miller_g1 *p, bn254_fp2 line[3])
{
    bn254_fp2 theta, lam, c, d, e, f, g, h, s;
    fp2_mul(&theta, qy, &t->z);
    fp2_sub(&theta, &t->y, &theta);
    fp2_mul(&lam, qx, &t->z);
    fp2_sub(&lam, &t->x, &lam);

    fp2_mul_fp(&line[0], &lam, &p->y);
    fp2_mul_fp(&line[1], &theta, &p->neg_x);
    fp2_mul(&line[2], &theta, qx);
    fp2_mul(&s, &lam, qy);
    fp2_sub(&line[2], &line[2], &s);

    fp2_sqr(&c, &theta);
    fp2_sqr(&d, &lam);
    fp2_mul(&e, &d, &lam);
    fp2_mul(&f, &t->z, &c);
    fp2_mul(&g, &t->x, &d);
    fp2_add(&h, &e, &f);
    fp2_sub(&h, &h, &g);
    fp2_sub(&h, &h, &g);
    fp2_mul(&t->x, &lam, &h);
    fp2_sub(&s, &g, &h);
    fp2_mul(&s, &s, &theta);
    fp2_mul(&c, &t->y, &e);
    fp2_sub(&t->y, &s, &c);
    fp2_mul(&t->z, &t->z, &e);
}

/* 6u+2 in non-adjacent form, most significant digit first (the leading 1
 * is implicit: T starts at Q). */
static const int8_t ATE_LOOP_NAF[65] = {
    0, -1, 0, 1, 0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, 1, 0, -1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 1, 0,
    0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0, -1, 0, -1, 0, 0, 1, 0, 0, 0, -1, 0, 0, -1, 0, 1, 0, 1, 0, 0, 0,
};

/* Pairs are processed in batches so the Miller loop needs no heap. */
#define PAIRING_BATCH 16

struct miller_pair {
    struct miller_g1 p;
    bn254_fp2 qx, qy, neg_qy;
    struct miller_point t;
};

static void miller_loop_batch(bn254_fp12 *f, struct miller_pair *pairs, size_t n)
{
    bn254_fp2 line[3];
    for (size_t i = 0; i < n; i++) {
        pairs[i].t.x = pairs[i].qx;
        pairs[i].t.y = pairs[i].qy;
        memset(&pairs[i].t.z, 0, sizeof pairs[i].t.z);
        pairs[i].t.z.c0 = FP_ONE;
        fp2_neg(&pairs[i].neg_qy, &pairs[i].qy);
    }
    bn254_fp12 acc;
    fp12_set_one(&acc);
    for (size_t k = 0; k < sizeof ATE_LOOP_NAF; k++) {
        if (k > 0)
            fp12_sqr(&acc, &acc);
        for (size_t i = 0; i < n; i++) {
            miller_double(&pairs[i].t, &pairs[i].p, line);
            fp12_mul_by_line(&acc, &line[0], &line[1], &line[2]);
            int digit = ATE_LOOP_NAF[k];
            if (digit != 0) {
                miller_add(&pairs[i].t, &pairs[i].qx, digit > 0 ? &pairs[i].qy : &pairs[i].neg_qy,
                           &pairs[i].p, line);
                fp12_mul_by_line(&acc, &line[0], &line[1], &line[2]);
            }
        }
    }
    /* Lines through pi(Q) and -pi^2(Q). */
    for (size_t i = 0; i < n; i++) {
        bn254_fp2 x1, y1, x2, y2;
        fp2_conj(&x1, &pairs[i].qx);
        fp2_mul(&x1, &x1, &FROB1[2]);
        fp2_conj(&y1, &pairs[i].qy);
        fp2_mul(&y1, &y1, &FROB1[3]);
        fp2_mul_fp(&x2, &pairs[i].qx, &FROB2[2]);
        fp2_mul_fp(&y2, &pairs[i].qy, &FROB2[3]);
        fp2_neg(&y2, &y2);
        miller_add(&pairs[i].t, &x1, &y1, &pairs[i].p, line);
        fp12_mul_by_line(&acc, &line[0], &line[1], &line[2]);
        miller_add(&pairs[i].t, &x2, &y2, &pairs[i].p, line);
        fp12_mul_by_line(&acc, &line[0], &line[1], &line[2]);
    }
    fp12_mul(f, f, &acc);
}

bool bn254_pairing_check(const bn254_g1 *p, const bn254_g2 *q, size_t n)
{
    bn254_fp12 f;
    fp12_set_one(&f);
    struct miller_pair batch[PAIRING_BATCH];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (g1_is_infinity(&p[i]) || g2_is_infinity(&q[i]))
            continue; /* e(O, Q) = e(P, O) = 1 */
        struct miller_pair *mp = &batch[used++];
        bn254_fp x, y;
        g1_to_affine(&x, &y, &p[i]);
        mp->p.y = y;
        fp_neg(&mp->p.neg_y, &y);
        fp_neg(&mp->p.neg_x, &x);
        fp_dbl(&mp->p.x_times3, &x);
        fp_add(&mp->p.x_times3, &mp->p.x_times3, &x);
        bn254_fp2 zi, zi2;
        fp2_inv(&zi, &q[i].z);
        fp2_sqr(&zi2, &zi);
        fp2_mul(&mp->qx, &q[i].x, &zi2);
        fp2_mul(&zi2, &zi2, &zi);
        fp2_mul(&mp->qy, &q[i].y, &zi2);
        if (used == PAIRING_BATCH) {
            miller_loop_batch(&f, batch, used);
            used = 0;
        }
    }
    if (used)
        miller_loop_batch(&f, batch, used);
    bn254_fp12 e;
    final_exponentiation(&e, &f);
    return fp12_is_one(&e);
}

/* ---- precompiles ------------------------------------------------------- */

/* Copies in[0..in_len) into buf[0..n), zero-padding (EIP-196: short input
 * reads as if padded with zeros; extra input is ignored). */
static void read_padded(uint8_t *buf, size_t n, const uint8_t *in, size_t in_len)
{
    size_t k = in_len < n ? in_len : n;
    if (k)
        memcpy(buf, in, k);
    memset(buf + k, 0, n - k);
}

/* Affine sum of two decoded (Z = 1 or infinity) points, written out in
 * the EVM encoding: one inversion, no Jacobian detour. */
static void g1_add_affine_to_bytes(uint8_t out[64], const bn254_g1 *a, const bn254_g1 *b)
{
    if (g1_is_infinity(a) || g1_is_infinity(b)) {
        bn254_g1_to_bytes(out, g1_is_infinity(a) ? b : a);
        return;
    }
    bn254_fp num, den, lambda, x3, y3, t;
    if (fp_eq(&a->x, &b->x)) {
        fp_add(&t, &a->y, &b->y);
        if (fp_is_zero(&t)) { /* b = -a */
            memset(out, 0, 64);
            return;
        }
        /* Doubling (a = b): lambda = 3x^2 / 2y */
        fp_sqr(&num, &a->x);
        fp_dbl(&t, &num);
        fp_add(&num, &num, &t);
        fp_dbl(&den, &a->y);
    } else {
        fp_sub(&num, &b->y, &a->y);
        fp_sub(&den, &b->x, &a->x);
    }
    fp_inv(&den, &den);
    fp_mul(&lambda, &num, &den);
    fp_sqr(&x3, &lambda);
    fp_sub(&x3, &x3, &a->x);
    fp_sub(&x3, &x3, &b->x);
    fp_sub(&t, &a->x, &x3);
    fp_mul(&y3, &lambda, &t);
    fp_sub(&y3, &y3, &a->y);
    fp_to_bytes(out, &x3);
    fp_to_bytes(out + 32, &y3);
}

enum precompile_status bn254_precompile_add(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    uint64_t gas = fork >= FORK_ISTANBUL ? 150 : 500; /* EIP-1108 */
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;
    uint8_t buf[128];
    read_padded(buf, sizeof buf, in, in_len);
    bn254_g1 a, b;
    if (!bn254_g1_from_bytes(&a, buf) || !bn254_g1_from_bytes(&b, buf + 64))
        return PRECOMPILE_FAILURE;
    uint8_t result[64];
    g1_add_affine_to_bytes(result, &a, &b);
    *gas_used = gas;
    return bytebuf_append(out, result, 64) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

enum precompile_status bn254_precompile_mul(enum fork fork, const uint8_t *in, size_t in_len,
                                            uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    uint64_t gas = fork >= FORK_ISTANBUL ? 6000 : 40000; /* EIP-1108 */
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;
    uint8_t buf[96];
    read_padded(buf, sizeof buf, in, in_len);
    bn254_g1 a;
    if (!bn254_g1_from_bytes(&a, buf))
        return PRECOMPILE_FAILURE;
    bn254_g1_mul(&a, &a, buf + 64);
    uint8_t result[64];
    bn254_g1_to_bytes(result, &a);
    *gas_used = gas;
    return bytebuf_append(out, result, 64) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

enum precompile_status bn254_precompile_pairing(enum fork fork, const uint8_t *in, size_t in_len,
                                                uint64_t gas_limit, uint64_t *gas_used,
                                                struct bytebuf *out)
{
    /* EIP-1108 from Istanbul: 45000 + 34000 k; before: 100000 + 80000 k. */
    uint64_t base = fork >= FORK_ISTANBUL ? 45000 : 100000;
    uint64_t per_pair = fork >= FORK_ISTANBUL ? 34000 : 80000;
    uint64_t k = (uint64_t)(in_len / 192);
    if (k > (UINT64_MAX - base) / per_pair || base + per_pair * k > gas_limit)
        return PRECOMPILE_FAILURE;
    if (in_len % 192 != 0) /* EIP-197: input must be a sequence of pairs */
        return PRECOMPILE_FAILURE;

    /* Decode and validate every pair first (an invalid point anywhere
     * fails the call), then run the Miller loop in fixed-size batches. */
    bn254_fp12 f;
    fp12_set_one(&f);
    struct miller_pair batch[PAIRING_BATCH];
    size_t used = 0;
    bool all_valid = true;
    for (uint64_t i = 0; i < k && all_valid; i++) {
        bn254_g1 p;
        bn254_g2 q;
        if (!bn254_g1_from_bytes(&p, in + 192 * i) || !bn254_g2_from_bytes(&q, in + 192 * i + 64)) {
            all_valid = false;
            break;
        }
        if (g1_is_infinity(&p) || g2_is_infinity(&q))
            continue;
        /* Decoded points are affine (Z = 1). */
        struct miller_pair *mp = &batch[used++];
        mp->p.y = p.y;
        fp_neg(&mp->p.neg_y, &p.y);
        fp_neg(&mp->p.neg_x, &p.x);
        fp_dbl(&mp->p.x_times3, &p.x);
        fp_add(&mp->p.x_times3, &mp->p.x_times3, &p.x);
        mp->qx = q.x;
        mp->qy = q.y;
        if (used == PAIRING_BATCH) {
            miller_loop_batch(&f, batch, used);
            used = 0;
        }
    }
    if (!all_valid)
        return PRECOMPILE_FAILURE;
    if (used)
        miller_loop_batch(&f, batch, used);
    bn254_fp12 e;
    final_exponentiation(&e, &f);

    uint8_t result[32] = {0};
    result[31] = fp12_is_one(&e) ? 1 : 0;
    *gas_used = base + per_pair * k;
    return bytebuf_append(out, result, 32) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}
