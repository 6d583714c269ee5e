/* Fixed-size byte types shared by every layer. Plain structs, passed by
 * pointer. Big-endian byte order, as on the wire. */
#ifndef PAREVM_BASE_TYPES_H
#define PAREVM_BASE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"

typedef struct {
    uint8_t bytes[20];
} address;

typedef struct {
    uint8_t bytes[32];
} hash32;

static inline bool address_eq(const address *a, const address *b)
{
    return memcmp(a->bytes, b->bytes, 20) == 0;
}

static inline bool hash32_eq(const hash32 *a, const hash32 *b)
{
    return memcmp(a->bytes, b->bytes, 32) == 0;
}

static inline bool hash32_is_zero(const hash32 *h)
{
    static const uint8_t zero[32];
    return memcmp(h->bytes, zero, 32) == 0;
}

#if defined(__GNUC__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#else
#define likely(x) (x)
#define unlikely(x) (x)
#endif

#endif
