/* keccak-256 (the original Keccak padding 0x01 that Ethereum uses, not
 * NIST SHA3-256's 0x06). keccak-f[1600] is written here: it is on the hot
 * path of SHA3, CREATE2, mapping slot derivation and every trie node. */
#ifndef PAREVM_BASE_KECCAK_H
#define PAREVM_BASE_KECCAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

void keccak256(const void *data, size_t len, uint8_t out[32]);

/* keccak256, remembering recent 32- and 64-byte inputs per thread (the
 * SHA3 opcode's mapping slots repeat): same result, fewer permutations. */
void keccak256_memo(const void *data, size_t len, uint8_t out[32]);

static inline hash32 keccak256_hash(const void *data, size_t len)
{
    hash32 h;
    keccak256(data, len, h.bytes);
    return h;
}

/* out[i] = keccak256(data[i], len[i]) for i < n: the same bytes as n
 * calls of keccak256, computed four at a time where the processor has
 * AVX-512VL or AVX2 (keccak_many.c). For batches of independent hashes:
 * the children of a trie node. */
void keccak256_many(const uint8_t *const *data, const size_t *len, size_t n, hash32 *out);

/* For tests and benchmarks: make keccak256_many and keccak256 use
 * "avx512" (AVX-512VL: batches and single states), "avx2" (batches) or
 * "scalar" from now on, in the whole process. False (nothing changed)
 * when this processor or build cannot. */
bool keccak_use_isa(const char *isa);

/* Incremental interface for data that arrives in pieces. */
struct keccak_ctx {
    uint64_t state[25];
    size_t pos; /* bytes absorbed into the current 136-byte block */
};
void keccak256_init(struct keccak_ctx *ctx);
void keccak256_update(struct keccak_ctx *ctx, const void *data, size_t len);
void keccak256_final(struct keccak_ctx *ctx, uint8_t out[32]);

/* keccak256("") and keccak256(rlp("")) = empty trie root. */
extern const hash32 KECCAK_EMPTY;
extern const hash32 EMPTY_TRIE_ROOT;

#endif
