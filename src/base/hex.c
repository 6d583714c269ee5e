/* Hex <-> bytes, for JSON fixtures, RPC and output. Every decoder checks
 * every digit and the destination size before writing past it. */
#include "hex.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"

/* Digit value, or -1 if c is not a hex digit. */
static inline int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const char *skip_prefix(const char *s)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return s + 2;
    return s;
}

/* Shared decoder: digits[0..ndigits) (an even count) into out, which
 * holds ndigits / 2 bytes. */
static int decode_digits(const char *digits, size_t ndigits, uint8_t *out)
{
    for (size_t i = 0, o = 0; i < ndigits; i += 2, o++) {
        int hi = hex_digit(digits[i]), lo = hex_digit(digits[i + 1]);
        if ((hi | lo) < 0)
            return PAREVM_ERR_HEX;
        out[o] = (uint8_t)(hi << 4 | lo);
    }
    return PAREVM_OK;
}

int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!s)
        return PAREVM_ERR_ARG;
    const char *d = skip_prefix(s);
    size_t n = strlen(d);
    if (n % 2)
        return PAREVM_ERR_HEX;
    if (n / 2 > cap)
        return PAREVM_ERR_RANGE;
    int err = decode_digits(d, n, out);
    if (err)
        return err;
    if (out_len)
        *out_len = n / 2;
    return PAREVM_OK;
}

int hex_decode_alloc(const char *s, uint8_t **out, size_t *out_len)
{
    if (!s || !out || !out_len)
        return PAREVM_ERR_ARG;
    const char *d = skip_prefix(s);
    size_t n = strlen(d);
    if (n % 2)
        return PAREVM_ERR_HEX;
    *out = NULL;
    *out_len = 0;
    if (n == 0)
        return PAREVM_OK;
    uint8_t *p = malloc(n / 2);
    if (!p)
        return PAREVM_ERR_NOMEM;
    int err = decode_digits(d, n, p);
    if (err) {
        free(p);
        return err;
    }
    *out = p;
    *out_len = n / 2;
    return PAREVM_OK;
}

int hex_decode_exact(const char *s, uint8_t *out, size_t n)
{
    if (!s)
        return PAREVM_ERR_ARG;
    const char *d = skip_prefix(s);
    size_t digits = strlen(d);
    if (digits % 2)
        return PAREVM_ERR_HEX;
    if (digits != 2 * n)
        return PAREVM_ERR_RANGE;
    return decode_digits(d, digits, out);
}

void hex_encode(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    *out++ = '0';
    *out++ = 'x';
    for (size_t i = 0; i < len; i++) {
        *out++ = digits[data[i] >> 4];
        *out++ = digits[data[i] & 15];
    }
    *out = '\0';
}

char *hex_encode_alloc(const uint8_t *data, size_t len)
{
    if (len > (SIZE_MAX - 3) / 2)
        return NULL;
    char *out = malloc(2 * len + 3);
    if (out)
        hex_encode(data, len, out);
    return out;
}
