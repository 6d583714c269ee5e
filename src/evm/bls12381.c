/*
 * EIP-2537 BLS12-381 precompiles 0x0b..0x11 on blst (the copy built with
 * c-kzg by mk/kzg.mk). This file does the EVM side: lengths, gas, the
 * 64-byte field encoding and its checks, and which points need a subgroup
 * check; blst does the arithmetic.
 *
 * blst conventions used here: an affine point that is all zero is the
 * point at infinity (the same convention as the EIP encoding); scalars
 * are little-endian byte strings; the multi-point functions take an array
 * of pointers where {base, NULL} means "contiguous from base".
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bls12381.h"
#include "blst.h"

enum {
    BLS_FP_SIZE = 64, /* EIP-2537: 16 zero bytes || 48-byte big-endian value */
    BLS_FP_PAD = 16,
    BLS_G1_SIZE = 128, /* x || y */
    BLS_G2_SIZE = 256, /* x.c0 || x.c1 || y.c0 || y.c1 */
    BLS_SCALAR_SIZE = 32,
    BLS_G1_PAIR_SIZE = BLS_G1_SIZE + BLS_SCALAR_SIZE,  /* 160 */
    BLS_G2_PAIR_SIZE = BLS_G2_SIZE + BLS_SCALAR_SIZE,  /* 288 */
    BLS_PAIRING_PAIR_SIZE = BLS_G1_SIZE + BLS_G2_SIZE, /* 384 */
};

/* EIP-2537 gas schedule. */
#define BLS_G1_ADD_GAS 375
#define BLS_G2_ADD_GAS 600
#define BLS_G1_MUL_GAS 12000
#define BLS_G2_MUL_GAS 22500
#define BLS_MSM_MULTIPLIER 1000
#define BLS_PAIRING_BASE_GAS 37700
#define BLS_PAIRING_PER_PAIR_GAS 32600
#define BLS_MAP_FP_TO_G1_GAS 5500
#define BLS_MAP_FP2_TO_G2_GAS 23800

/* EIP-2537 MSM discount tables: entry k-1 is discount(k) for k = 1..128;
 * for k > 128 the last entry (max_discount: 519 for G1, 524 for G2).
 * Sixteen per row: row r, column c is k = 16 r + c + 1. */
/* clang-format off */
static const uint16_t BLS_G1_MSM_DISCOUNT[128] = {
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677,
    673,  669, 665, 661, 658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627,
    625,  623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604, 603, 601, 599, 598,
    596,  595, 593, 592, 591, 589, 588, 586, 585, 584, 582, 581, 580, 579, 577, 576,
    575,  574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559,
    558,  557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545, 544,
    543,  542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531,
    530,  529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
};
static const uint16_t BLS_G2_MSM_DISCOUNT[128] = {
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717,
    711,  704,  699, 693, 688, 683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646,
    643,  640,  637, 634, 632, 629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607,
    606,  604,  602, 600, 598, 597, 595, 593, 592, 590, 589, 587, 586, 584, 583, 582,
    580,  579,  578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562,
    561,  560,  559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548, 547,
    546,  545,  545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535,
    534,  533,  532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
};
/* clang-format on */

/* The base field modulus p, 48 bytes big-endian (EIP-2537 "Curve parameters"). */
static const uint8_t BLS_P[48] = {
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
    0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
    0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab,
};

/* ---- gas ----------------------------------------------------------------- */

/* EIP-2537: k * multiplication_cost * discount(k) // 1000 with
 * k = len / pair_size rounded down (0 when k = 0), saturating. */
static uint64_t msm_gas(size_t in_len, size_t pair_size, uint64_t mul_gas, const uint16_t discount[128])
{
    uint64_t k = (uint64_t)(in_len / pair_size);
    if (k == 0)
        return 0;
    uint64_t d = k <= 128 ? discount[k - 1] : discount[127];
    if (k > UINT64_MAX / (mul_gas * d))
        return UINT64_MAX;
    return k * mul_gas * d / BLS_MSM_MULTIPLIER;
}

uint64_t bls12381_g1_msm_gas(size_t in_len)
{
    return msm_gas(in_len, BLS_G1_PAIR_SIZE, BLS_G1_MUL_GAS, BLS_G1_MSM_DISCOUNT);
}

uint64_t bls12381_g2_msm_gas(size_t in_len)
{
    return msm_gas(in_len, BLS_G2_PAIR_SIZE, BLS_G2_MUL_GAS, BLS_G2_MSM_DISCOUNT);
}

uint64_t bls12381_pairing_gas(size_t in_len)
{
    /* EIP-2537: 32600 * k + 37700, k = len / 384 rounded down. */
    uint64_t k = (uint64_t)(in_len / BLS_PAIRING_PAIR_SIZE);
    if (k > (UINT64_MAX - BLS_PAIRING_BASE_GAS) / BLS_PAIRING_PER_PAIR_GAS)
        return UINT64_MAX;
    return BLS_PAIRING_PER_PAIR_GAS * k + BLS_PAIRING_BASE_GAS;
}

/* ---- encoding ------------------------------------------------------------ */

static bool bytes_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Decodes one 64-byte field element. False when the 16 padding bytes are
 * not zero or the value is not below p (EIP-2537: both must be checked;
 * blst itself would reduce silently). */
static bool read_fp(blst_fp *out, const uint8_t in[BLS_FP_SIZE])
{
    if (!bytes_all_zero(in, BLS_FP_PAD))
        return false;
    /* Same length, big-endian: byte order is numeric order. */
    if (memcmp(in + BLS_FP_PAD, BLS_P, sizeof BLS_P) >= 0)
        return false;
    blst_fp_from_bendian(out, in + BLS_FP_PAD);
    return true;
}

/* Fp2 = c0 || c1 (EIP-2537). */
static bool read_fp2(blst_fp2 *out, const uint8_t in[2 * BLS_FP_SIZE])
{
    return read_fp(&out->fp[0], in) && read_fp(&out->fp[1], in + BLS_FP_SIZE);
}

static void write_fp(uint8_t out[BLS_FP_SIZE], const blst_fp *a)
{
    memset(out, 0, BLS_FP_PAD);
    blst_bendian_from_fp(out + BLS_FP_PAD, a);
}

/* Decodes a G1 point: valid encoding, on the curve (all zeros = infinity,
 * which blst's affine form represents the same way), and in the order-q
 * subgroup when subgroup_check. */
static bool read_g1(blst_p1_affine *out, const uint8_t in[BLS_G1_SIZE], bool subgroup_check)
{
    if (!read_fp(&out->x, in) || !read_fp(&out->y, in + BLS_FP_SIZE))
        return false;
    if (!blst_p1_affine_on_curve(out)) /* true for the all-zero infinity */
        return false;
    return !subgroup_check || blst_p1_affine_in_g1(out);
}

static bool read_g2(blst_p2_affine *out, const uint8_t in[BLS_G2_SIZE], bool subgroup_check)
{
    if (!read_fp2(&out->x, in) || !read_fp2(&out->y, in + 2 * BLS_FP_SIZE))
        return false;
    if (!blst_p2_affine_on_curve(out))
        return false;
    return !subgroup_check || blst_p2_affine_in_g2(out);
}

/* Appends the 128-byte encoding of p (all zeros for infinity). */
static enum precompile_status write_g1(struct bytebuf *out, const blst_p1 *p)
{
    uint8_t buf[BLS_G1_SIZE] = {0};
    if (!blst_p1_is_inf(p)) {
        blst_p1_affine a;
        blst_p1_to_affine(&a, p);
        write_fp(buf, &a.x);
        write_fp(buf + BLS_FP_SIZE, &a.y);
    }
    return bytebuf_append(out, buf, sizeof buf) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

static enum precompile_status write_g2(struct bytebuf *out, const blst_p2 *p)
{
    uint8_t buf[BLS_G2_SIZE] = {0};
    if (!blst_p2_is_inf(p)) {
        blst_p2_affine a;
        blst_p2_to_affine(&a, p);
        write_fp(buf, &a.x.fp[0]);
        write_fp(buf + BLS_FP_SIZE, &a.x.fp[1]);
        write_fp(buf + 2 * BLS_FP_SIZE, &a.y.fp[0]);
        write_fp(buf + 3 * BLS_FP_SIZE, &a.y.fp[1]);
    }
    return bytebuf_append(out, buf, sizeof buf) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

/* EVM scalars are big-endian, blst's little-endian. */
static void scalar_to_le(uint8_t out[BLS_SCALAR_SIZE], const uint8_t in[BLS_SCALAR_SIZE])
{
    for (int i = 0; i < BLS_SCALAR_SIZE; i++)
        out[i] = in[BLS_SCALAR_SIZE - 1 - i];
}

/* ---- 0x0b G1ADD, 0x0d G2ADD ---------------------------------------------- */

enum precompile_status bls12381_g1_add(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    if (BLS_G1_ADD_GAS > gas_limit || in_len != 2 * BLS_G1_SIZE)
        return PRECOMPILE_FAILURE;
    /* EIP-2537: no subgroup check for addition. */
    blst_p1_affine a, b;
    if (!read_g1(&a, in, false) || !read_g1(&b, in + BLS_G1_SIZE, false))
        return PRECOMPILE_FAILURE;
    blst_p1 pa, pb, sum;
    blst_p1_from_affine(&pa, &a);
    blst_p1_from_affine(&pb, &b);
    blst_p1_add_or_double(&sum, &pa, &pb); /* handles P + P and infinity */
    *gas_used = BLS_G1_ADD_GAS;
    return write_g1(out, &sum);
}

enum precompile_status bls12381_g2_add(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    if (BLS_G2_ADD_GAS > gas_limit || in_len != 2 * BLS_G2_SIZE)
        return PRECOMPILE_FAILURE;
    blst_p2_affine a, b;
    if (!read_g2(&a, in, false) || !read_g2(&b, in + BLS_G2_SIZE, false))
        return PRECOMPILE_FAILURE;
    blst_p2 pa, pb, sum;
    blst_p2_from_affine(&pa, &a);
    blst_p2_from_affine(&pb, &b);
    blst_p2_add_or_double(&sum, &pa, &pb);
    *gas_used = BLS_G2_ADD_GAS;
    return write_g2(out, &sum);
}

/* ---- 0x0c G1MSM, 0x0e G2MSM ---------------------------------------------- */

/* The pairs that contribute to an MSM: terms with the point at infinity
 * or a zero scalar are dropped before blst sees them (its batched affine
 * conversion would otherwise meet a zero denominator). One allocation:
 * count points, then count little-endian scalars. */
struct msm_terms {
    void *points;     /* blst_p1_affine[] or blst_p2_affine[] */
    uint8_t *scalars; /* count * 32 bytes, little-endian */
    size_t count;
};

static bool msm_terms_alloc(struct msm_terms *t, size_t k, size_t point_size)
{
    t->count = 0;
    t->points = malloc(k * (point_size + BLS_SCALAR_SIZE));
    t->scalars = t->points ? (uint8_t *)t->points + k * point_size : NULL;
    return t->points != NULL;
}

/* Sum of scalar_i * P_i over in[0..in_len): k = in_len / 160 pairs of a
 * G1 point (on the curve and in G1) and a 32-byte scalar. */
enum precompile_status bls12381_g1_msm(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    /* EIP-2537: k >= 1 and the length an exact multiple of 160. */
    if (in_len == 0 || in_len % BLS_G1_PAIR_SIZE != 0)
        return PRECOMPILE_FAILURE;
    uint64_t gas = bls12381_g1_msm_gas(in_len);
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;

    size_t k = in_len / BLS_G1_PAIR_SIZE;
    struct msm_terms t;
    if (!msm_terms_alloc(&t, k, sizeof(blst_p1_affine)))
        return PRECOMPILE_ERROR;
    blst_p1_affine *points = t.points;
    for (size_t i = 0; i < k; i++) {
        const uint8_t *pair = in + i * BLS_G1_PAIR_SIZE;
        if (!read_g1(&points[t.count], pair, true)) { /* EIP-2537: MSM checks the subgroup */
            free(t.points);
            return PRECOMPILE_FAILURE;
        }
        if (blst_p1_affine_is_inf(&points[t.count]) || bytes_all_zero(pair + BLS_G1_SIZE, 32))
            continue;
        scalar_to_le(t.scalars + t.count * BLS_SCALAR_SIZE, pair + BLS_G1_SIZE);
        t.count++;
    }

    blst_p1 sum;
    memset(&sum, 0, sizeof sum); /* infinity when no term is left */
    enum precompile_status st = PRECOMPILE_OK;
    if (t.count > 0) {
        /* blst picks the algorithm by count (plain multiplication for one
         * term, a windowed table for a few, Pippenger beyond). */
        void *scratch = malloc(blst_p1s_mult_pippenger_scratch_sizeof(t.count));
        if (scratch == NULL) {
            st = PRECOMPILE_ERROR;
        } else {
            const blst_p1_affine *point_list[2] = {points, NULL};
            const byte *scalar_list[2] = {t.scalars, NULL};
            blst_p1s_mult_pippenger(&sum, point_list, t.count, scalar_list, 8 * BLS_SCALAR_SIZE, scratch);
            free(scratch);
        }
    }
    free(t.points);
    if (st != PRECOMPILE_OK)
        return st;
    *gas_used = gas;
    return write_g1(out, &sum);
}

/* Sum of scalar_i * Q_i: k = in_len / 288 pairs of a G2 point (on the
 * twist and in G2) and a 32-byte scalar. */
enum precompile_status bls12381_g2_msm(enum fork fork, const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                       uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    if (in_len == 0 || in_len % BLS_G2_PAIR_SIZE != 0)
        return PRECOMPILE_FAILURE;
    uint64_t gas = bls12381_g2_msm_gas(in_len);
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;

    size_t k = in_len / BLS_G2_PAIR_SIZE;
    struct msm_terms t;
    if (!msm_terms_alloc(&t, k, sizeof(blst_p2_affine)))
        return PRECOMPILE_ERROR;
    blst_p2_affine *points = t.points;
    for (size_t i = 0; i < k; i++) {
        const uint8_t *pair = in + i * BLS_G2_PAIR_SIZE;
        if (!read_g2(&points[t.count], pair, true)) {
            free(t.points);
            return PRECOMPILE_FAILURE;
        }
        if (blst_p2_affine_is_inf(&points[t.count]) || bytes_all_zero(pair + BLS_G2_SIZE, 32))
            continue;
        scalar_to_le(t.scalars + t.count * BLS_SCALAR_SIZE, pair + BLS_G2_SIZE);
        t.count++;
    }

    blst_p2 sum;
    memset(&sum, 0, sizeof sum);
    enum precompile_status st = PRECOMPILE_OK;
    if (t.count > 0) {
        void *scratch = malloc(blst_p2s_mult_pippenger_scratch_sizeof(t.count));
        if (scratch == NULL) {
            st = PRECOMPILE_ERROR;
        } else {
            const blst_p2_affine *point_list[2] = {points, NULL};
            const byte *scalar_list[2] = {t.scalars, NULL};
            blst_p2s_mult_pippenger(&sum, point_list, t.count, scalar_list, 8 * BLS_SCALAR_SIZE, scratch);
            free(scratch);
        }
    }
    free(t.points);
    if (st != PRECOMPILE_OK)
        return st;
    *gas_used = gas;
    return write_g2(out, &sum);
}

/* ---- 0x0f PAIRING_CHECK -------------------------------------------------- */

/* 32-byte word 1 when e(P_1, Q_1) * ... * e(P_k, Q_k) == 1, else 0, for
 * k = in_len / 384 pairs of a G1 point (128 bytes) then a G2 point (256),
 * both on their curve and in their subgroup. A pair with either point at
 * infinity contributes 1 and is skipped; no pair left gives 1. */
enum precompile_status bls12381_pairing_check(enum fork fork, const uint8_t *in, size_t in_len,
                                              uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    if (in_len == 0 || in_len % BLS_PAIRING_PAIR_SIZE != 0)
        return PRECOMPILE_FAILURE;
    uint64_t gas = bls12381_pairing_gas(in_len);
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;

    size_t k = in_len / BLS_PAIRING_PAIR_SIZE;
    blst_p1_affine *ps = malloc(k * (sizeof(blst_p1_affine) + sizeof(blst_p2_affine)));
    if (ps == NULL)
        return PRECOMPILE_ERROR;
    blst_p2_affine *qs = (blst_p2_affine *)(ps + k);
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        const uint8_t *pair = in + i * BLS_PAIRING_PAIR_SIZE;
        if (!read_g1(&ps[n], pair, true) || !read_g2(&qs[n], pair + BLS_G1_SIZE, true)) {
            free(ps);
            return PRECOMPILE_FAILURE;
        }
        if (!blst_p1_affine_is_inf(&ps[n]) && !blst_p2_affine_is_inf(&qs[n]))
            n++;
    }

    bool is_one = true;
    if (n > 0) {
        const blst_p2_affine *q_list[2] = {qs, NULL};
        const blst_p1_affine *p_list[2] = {ps, NULL};
        blst_fp12 f;
        blst_miller_loop_n(&f, q_list, p_list, n);
        blst_final_exp(&f, &f);
        is_one = blst_fp12_is_one(&f);
    }
    free(ps);

    uint8_t word[32] = {0};
    word[31] = is_one;
    *gas_used = gas;
    return bytebuf_append(out, word, sizeof word) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}

/* ---- 0x10 MAP_FP_TO_G1, 0x11 MAP_FP2_TO_G2 --------------------------------- */

/* EIP-2537 (field_to_curve): simplified SWU onto the isogenous curve, the
 * isogeny map, then cofactor clearing: blst_map_to_g1 with no second
 * element does exactly these steps. */
enum precompile_status bls12381_map_fp_to_g1(enum fork fork, const uint8_t *in, size_t in_len,
                                             uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    if (BLS_MAP_FP_TO_G1_GAS > gas_limit || in_len != BLS_FP_SIZE)
        return PRECOMPILE_FAILURE;
    blst_fp u;
    if (!read_fp(&u, in))
        return PRECOMPILE_FAILURE;
    blst_p1 p;
    blst_map_to_g1(&p, &u, NULL);
    *gas_used = BLS_MAP_FP_TO_G1_GAS;
    return write_g1(out, &p);
}

enum precompile_status bls12381_map_fp2_to_g2(enum fork fork, const uint8_t *in, size_t in_len,
                                              uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    (void)fork;
    if (BLS_MAP_FP2_TO_G2_GAS > gas_limit || in_len != 2 * BLS_FP_SIZE)
        return PRECOMPILE_FAILURE;
    blst_fp2 u;
    if (!read_fp2(&u, in))
        return PRECOMPILE_FAILURE;
    blst_p2 p;
    blst_map_to_g2(&p, &u, NULL);
    *gas_used = BLS_MAP_FP2_TO_G2_GAS;
    return write_g2(out, &p);
}
