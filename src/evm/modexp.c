/*
 * 0x05 MODEXP: base^exp mod mod on arbitrary-length big-endian integers
 * (EIP-198), priced by EIP-198 until Istanbul, EIP-2565 from Berlin and
 * EIP-7883 from Osaka. From Osaka each length is at most 1024 (EIP-7823).
 *
 * Input: base_len, exp_len, mod_len as 32-byte big-endian words, then
 * base, exp, mod. Anything past the end of the input reads as zero bytes,
 * and the declared lengths may be absurd (up to 2^256-1). So the price is
 * computed from the three length words and at most 32 bytes of the exponent
 * before anything is allocated; lengths clamp at 2^100 (see below) and the
 * price saturates at UINT64_MAX. Only after the gas check are integers
 * built, and then only from bytes actually present in the input.
 */
#include <gmp.h>
#include <string.h>

#include "precompiles.h"

typedef unsigned __int128 u128;

/* Lengths are 256-bit words. Any length of 2^100 or more prices a call at
 * more than 2^64 gas whenever it matters (a zero base and modulus length
 * make the price independent of exp_len), so lengths are clamped there and
 * all arithmetic below fits in 128 bits exactly. */
#define MODEXP_LEN_CLAMP ((u128)1 << 100)

/* EIP-7823 (Osaka): the largest base, exponent or modulus length, bytes. */
#define MODEXP_MAX_LEN 1024

/* The 32-byte big-endian word at in[off..off+32), zero-padded past the
 * end, clamped to MODEXP_LEN_CLAMP. */
static u128 read_length_word(const uint8_t *in, size_t in_len, size_t off)
{
    uint8_t word[32] = {0};
    if (off < in_len)
        memcpy(word, in + off, in_len - off < 32 ? in_len - off : 32);
    for (int i = 0; i < 16; i++)
        if (word[i] != 0)
            return MODEXP_LEN_CLAMP;
    u128 v = 0;
    for (int i = 16; i < 32; i++)
        v = (v << 8) | word[i];
    return v < MODEXP_LEN_CLAMP ? v : MODEXP_LEN_CLAMP;
}

static uint64_t saturate_u128(u128 v) { return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v; }

/* How many bytes of the field at [off, off + len) lie inside the input
 * (the rest reads as zeros). off may be saturated. */
static size_t bytes_present(size_t in_len, uint64_t off, u128 len)
{
    if (off >= in_len)
        return 0;
    uint64_t avail = in_len - off;
    return (size_t)(len < avail ? len : avail);
}

struct modexp_header {
    u128 base_len, exp_len, mod_len;     /* clamped at MODEXP_LEN_CLAMP */
    uint64_t base_off, exp_off, mod_off; /* offsets into the input, saturated */
};

static void read_header(const uint8_t *in, size_t in_len, struct modexp_header *h)
{
    h->base_len = read_length_word(in, in_len, 0);
    h->exp_len = read_length_word(in, in_len, 32);
    h->mod_len = read_length_word(in, in_len, 64);
    h->base_off = 96;
    h->exp_off = saturate_u128(h->base_off + h->base_len);
    h->mod_off = saturate_u128(h->exp_off + h->exp_len);
}

/* EIP-198 "adjusted exponent length": for exp_len <= 32 the index of the
 * highest set bit of exp (0 when exp is 0); beyond 32 bytes,
 * per_extra_byte (8; 16 from EIP-7883) per extra byte plus that index
 * within the first 32 bytes. */
static u128 adjusted_exp_len(const uint8_t *in, size_t in_len, const struct modexp_header *h,
                             unsigned per_extra_byte)
{
    unsigned head_len = h->exp_len < 32 ? (unsigned)h->exp_len : 32;
    uint8_t head[32] = {0};
    size_t present = bytes_present(in_len, h->exp_off, head_len);
    if (present)
        memcpy(head, in + h->exp_off, present);

    unsigned highest_bit = 0;
    for (unsigned i = 0; i < head_len; i++) {
        if (head[i] != 0) {
            unsigned bits = 32 - (unsigned)__builtin_clz(head[i]); /* 1..8 */
            highest_bit = (head_len - 1 - i) * 8 + bits - 1;
            break;
        }
    }
    u128 adjusted = highest_bit;
    if (h->exp_len > 32)
        adjusted += (h->exp_len - 32) * per_extra_byte;
    return adjusted;
}

uint64_t precompile_modexp_gas(enum fork fork, const uint8_t *in, size_t in_len)
{
    struct modexp_header h;
    read_header(in, in_len, &h);
    u128 max_len = h.base_len > h.mod_len ? h.base_len : h.mod_len;
    /* EIP-7883: 16 iterations per exponent byte beyond 32 (8 before). */
    u128 iterations = adjusted_exp_len(in, in_len, &h, fork >= FORK_OSAKA ? 16 : 8);
    if (iterations < 1)
        iterations = 1;

    u128 complexity, product;
    if (fork >= FORK_OSAKA) {
        /* EIP-7883: complexity 16 up to 32 bytes, else 2 * ceil(max_len /
         * 8)^2; no division by 3; at least 500. Lengths here may exceed
         * EIP-7823's bound (the precompile refuses those before pricing):
         * saturate as for Berlin. */
        u128 words = max_len / 8 + (max_len % 8 != 0);
        if (words > ((u128)1 << 40))
            return UINT64_MAX;
        complexity = max_len > 32 ? 2 * words * words : 16;
        if (__builtin_mul_overflow(complexity, iterations, &product))
            return UINT64_MAX;
        uint64_t gas = saturate_u128(product);
        return gas < 500 ? 500 : gas;
    }
    if (fork >= FORK_BERLIN) {
        /* EIP-2565: ceil(max_len / 8)^2 * iterations / 3, at least 200.
         * Beyond 2^40 words the price exceeds 2^64 whatever the rest. */
        u128 words = max_len / 8 + (max_len % 8 != 0);
        if (words > ((u128)1 << 40))
            return UINT64_MAX;
        complexity = words * words;
        if (__builtin_mul_overflow(complexity, iterations, &product))
            return UINT64_MAX;
        uint64_t gas = saturate_u128(product / 3);
        return gas < 200 ? 200 : gas;
    }
    /* EIP-198: piecewise mult_complexity(max_len) * iterations / 20. */
    if (max_len > ((u128)1 << 40))
        return UINT64_MAX;
    u128 x = max_len;
    if (x <= 64)
        complexity = x * x;
    else if (x <= 1024)
        complexity = x * x / 4 + 96 * x - 3072;
    else
        complexity = x * x / 16 + 480 * x - 199680;
    if (__builtin_mul_overflow(complexity, iterations, &product))
        return UINT64_MAX;
    return saturate_u128(product / 20);
}

/* Sets z to the big-endian integer of `len` bytes at input offset `off`,
 * where bytes past the end of the input are zeros: the present prefix,
 * shifted up by the missing low bytes. */
static void import_field(mpz_t z, const uint8_t *in, size_t in_len, uint64_t off, u128 len)
{
    size_t present = bytes_present(in_len, off, len);
    if (present)
        mpz_import(z, present, 1, 1, 1, 0, in + off);
    else
        mpz_set_ui(z, 0);
    u128 missing = len - present; /* bounded by the gas already paid */
    if (missing && mpz_sgn(z) != 0)
        mpz_mul_2exp(z, z, (mp_bitcnt_t)missing * 8);
}

enum precompile_status precompile_modexp(enum fork fork, const uint8_t *in, size_t in_len,
                                         uint64_t gas_limit, uint64_t *gas_used, struct bytebuf *out)
{
    struct modexp_header h;
    read_header(in, in_len, &h);
    /* EIP-7823: base, exponent and modulus lengths at most 1024 bytes each,
     * else the call fails (all gas consumed), whatever its price. */
    if (fork >= FORK_OSAKA &&
        (h.base_len > MODEXP_MAX_LEN || h.exp_len > MODEXP_MAX_LEN || h.mod_len > MODEXP_MAX_LEN))
        return PRECOMPILE_FAILURE;

    uint64_t gas = precompile_modexp_gas(fork, in, in_len);
    if (gas > gas_limit)
        return PRECOMPILE_FAILURE;
    *gas_used = gas;
    if (h.mod_len == 0)
        return PRECOMPILE_OK; /* empty output, whatever base and exp are */
    /* Affordable now, so mod_len (and base_len) are bounded by the gas:
     * mod_len^2 / 64 / 3 <= gas. Still, the buffer must fit a size_t. */
    if (h.mod_len > SIZE_MAX / 2 || bytebuf_reserve(out, (size_t)h.mod_len) != PAREVM_OK)
        return PRECOMPILE_ERROR;
    size_t mod_len = (size_t)h.mod_len;
    uint8_t *result = out->data + out->len;
    memset(result, 0, mod_len);

    mpz_t base, exp, mod, r;
    mpz_inits(base, exp, mod, r, NULL);
    import_field(mod, in, in_len, h.mod_off, h.mod_len);
    if (mpz_sgn(mod) == 0)
        goto done; /* EIP-198: a zero modulus gives zero */

    /* The modulus is non-zero, so some of its bytes are in the input, and
     * base and exp (which precede it) are entirely there: the integers
     * built here are no larger than the input. */
    import_field(base, in, in_len, h.base_off, h.base_len);
    import_field(exp, in, in_len, h.exp_off, h.exp_len);
    mpz_powm(r, base, exp, mod);

    size_t r_len = (mpz_sizeinbase(r, 2) + 7) / 8;
    if (mpz_sgn(r) != 0)
        mpz_export(result + (mod_len - r_len), NULL, 1, 1, 1, 0, r);
done:
    mpz_clears(base, exp, mod, r, NULL);
    out->len += mod_len;
    return PRECOMPILE_OK;
}
