/* keccak-256 (the original Keccak padding 0x01 that Ethereum uses, not
 * NIST SHA3-256's 0x06). keccak-f[1600] is written here: it is on the hot
 * path of SHA3, CREATE2, mapping slot derivation and every trie node. */
#ifndef PAREVM_BASE_KECCAK_H
#define PAREVM_BASE_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

void keccak256(const void *data, size_t len, uint8_t out[32]);

static inline hash32 keccak256_hash(const void *data, size_t len)
{
    hash32 h;
    keccak256(data, len, h.bytes);
    return h;
}

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
