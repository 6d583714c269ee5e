/*
 * 0x100 P256VERIFY (EIP-7951, Osaka): ECDSA signature verification over
 * secp256r1 (NIST P-256), on OpenSSL's libcrypto.
 *
 * Input: exactly 160 bytes, hash (32) || r (32) || s (32) || qx (32) ||
 * qy (32), all big-endian. Output: the word 1 when the signature verifies,
 * else nothing. An invalid input or a signature that does not verify is
 * not a failure: the call succeeds, empty, and pays the same 6900 gas.
 *
 * The verification is written out step by step as the EIP states it
 * (bounds, curve equation, infinity, u1 * G + u2 * Q, the x-coordinate
 * compared modulo n) rather than handed to ECDSA_do_verify, so that each
 * rule the EIP lists is visible here and none depends on how a library
 * treats an edge case. Constant time is not required (EIP-7951, "Side-
 * Channel Resistance"): every input is public.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <pthread.h>
#include <string.h>

#include "precompiles.h"

/* EIP-7951: P256VERIFY costs 6900 gas, whatever the input. */
#define P256_GAS 6900
/* EIP-7951: the input is exactly 160 bytes. */
#define P256_INPUT_LEN 160

/* The curve, built once (pthread_once orders the build before every use
 * on every thread) and read-only afterwards: OpenSSL's EC_POINT and BN
 * functions take the group as const and keep per-call state in the
 * BN_CTX, so threads may share it. */
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;
static EC_GROUP *p256_group;
static BIGNUM *p256_p, *p256_a, *p256_b; /* field prime, curve coefficients */
static const BIGNUM *p256_n;             /* group order (owned by the group) */

static void p256_init(void)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new();
    if (!g || !p || !a || !b || !EC_GROUP_get_curve(g, p, a, b, NULL)) {
        EC_GROUP_free(g);
        BN_free(p);
        BN_free(a);
        BN_free(b);
        ERR_clear_error();
        return; /* p256_group stays NULL: every call reports PRECOMPILE_ERROR */
    }
    p256_p = p;
    p256_a = a;
    p256_b = b;
    p256_n = EC_GROUP_get0_order(g);
    p256_group = g;
}

/* Outcome of one verification. */
enum p256_result { P256_VALID, P256_INVALID, P256_ERROR };

/* EIP-7951 point validity: qy^2 == qx^3 + a*qx + b (mod p), for qx, qy
 * already reduced. 1 on the curve, 0 not, -1 on an allocation failure. */
static int p256_on_curve(const BIGNUM *x, const BIGNUM *y, BN_CTX *ctx)
{
    BIGNUM *lhs = BN_CTX_get(ctx), *rhs = BN_CTX_get(ctx), *t = BN_CTX_get(ctx);
    if (!t)
        return -1;
    if (!BN_mod_sqr(lhs, y, p256_p, ctx) ||         /* y^2 */
        !BN_mod_sqr(t, x, p256_p, ctx) ||           /* x^2 */
        !BN_mod_add(t, t, p256_a, p256_p, ctx) ||   /* x^2 + a */
        !BN_mod_mul(rhs, t, x, p256_p, ctx) ||      /* x^3 + a*x */
        !BN_mod_add(rhs, rhs, p256_b, p256_p, ctx)) /* x^3 + a*x + b */
        return -1;
    return BN_cmp(lhs, rhs) == 0;
}

/* Verifies the 160-byte input as EIP-7951 specifies: every check it lists,
 * in its order. P256_ERROR only for OpenSSL allocation failures. */
static enum p256_result p256_verify(const uint8_t in[P256_INPUT_LEN], BN_CTX *ctx)
{
    BIGNUM *h = BN_CTX_get(ctx), *r = BN_CTX_get(ctx), *s = BN_CTX_get(ctx);
    BIGNUM *qx = BN_CTX_get(ctx), *qy = BN_CTX_get(ctx), *w = BN_CTX_get(ctx);
    BIGNUM *u1 = BN_CTX_get(ctx), *u2 = BN_CTX_get(ctx), *x = BN_CTX_get(ctx);
    if (!x)
        return P256_ERROR;
    if (!BN_bin2bn(in, 32, h) || !BN_bin2bn(in + 32, 32, r) || !BN_bin2bn(in + 64, 32, s) ||
        !BN_bin2bn(in + 96, 32, qx) || !BN_bin2bn(in + 128, 32, qy))
        return P256_ERROR;

    /* EIP-7951: 0 < r < n and 0 < s < n. */
    if (BN_is_zero(r) || BN_cmp(r, p256_n) >= 0 || BN_is_zero(s) || BN_cmp(s, p256_n) >= 0)
        return P256_INVALID;
    /* EIP-7951: 0 <= qx < p and 0 <= qy < p. */
    if (BN_cmp(qx, p256_p) >= 0 || BN_cmp(qy, p256_p) >= 0)
        return P256_INVALID;
    /* EIP-7951: the point satisfies the curve equation. */
    int on_curve = p256_on_curve(qx, qy, ctx);
    if (on_curve < 0)
        return P256_ERROR;
    if (!on_curve)
        return P256_INVALID;
    /* EIP-7951: (0, 0) encodes infinity, not a public key (it is not on
     * the curve either, since b != 0; checked as the EIP lists it). */
    if (BN_is_zero(qx) && BN_is_zero(qy))
        return P256_INVALID;

    /* s1 = s^-1 mod n (n is prime and 0 < s < n, so it exists);
     * R' = (h * s1) * G + (r * s1) * Q. h is not reduced first: the
     * products are taken mod n. */
    if (!BN_mod_inverse(w, s, p256_n, ctx) || !BN_mod_mul(u1, h, w, p256_n, ctx) ||
        !BN_mod_mul(u2, r, w, p256_n, ctx))
        return P256_ERROR;

    enum p256_result result = P256_ERROR;
    EC_POINT *q = EC_POINT_new(p256_group), *rp = EC_POINT_new(p256_group);
    if (!q || !rp)
        goto done;
    /* Already checked on the curve: a failure here is OpenSSL's own. */
    if (!EC_POINT_set_affine_coordinates(p256_group, q, qx, qy, ctx))
        goto done;
    if (!EC_POINT_mul(p256_group, rp, u1, q, u2, ctx))
        goto done;
    /* EIP-7951: R' at infinity does not verify. */
    if (EC_POINT_is_at_infinity(p256_group, rp)) {
        result = P256_INVALID;
        goto done;
    }
    if (!EC_POINT_get_affine_coordinates(p256_group, rp, x, NULL, ctx))
        goto done;
    /* EIP-7951: R'.x == r (mod n); R'.x may exceed n (it is below p). */
    if (!BN_nnmod(x, x, p256_n, ctx))
        goto done;
    result = BN_cmp(x, r) == 0 ? P256_VALID : P256_INVALID;
done:
    EC_POINT_free(q);
    EC_POINT_free(rp);
    return result;
}

enum precompile_status precompile_p256verify(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                             uint64_t *gas_used, struct bytebuf *out)
{
    if (gas_limit < P256_GAS)
        return PRECOMPILE_FAILURE;
    *gas_used = P256_GAS;
    /* EIP-7951: any other length is invalid: empty output, gas charged. */
    if (in_len != P256_INPUT_LEN)
        return PRECOMPILE_OK;

    pthread_once(&p256_once, p256_init);
    if (p256_group == NULL)
        return PRECOMPILE_ERROR;
    BN_CTX *ctx = BN_CTX_new();
    if (ctx == NULL)
        return PRECOMPILE_ERROR;
    BN_CTX_start(ctx);
    enum p256_result result = p256_verify(in, ctx);
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    /* Leave nothing in this thread's OpenSSL error queue. */
    ERR_clear_error();

    if (result == P256_ERROR)
        return PRECOMPILE_ERROR;
    if (result == P256_INVALID)
        return PRECOMPILE_OK;
    uint8_t word[32] = {0};
    word[31] = 1;
    return bytebuf_append(out, word, 32) == PAREVM_OK ? PRECOMPILE_OK : PRECOMPILE_ERROR;
}
