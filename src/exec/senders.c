/* senders.c — the chains of transactions that share a sender (senders.h). */
#include "senders.h"

#include <stdlib.h>
#include <string.h>

#include "../base/error.h"

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t sender_hash(const address *a)
{
    uint64_t x = rd64(a->bytes) * 0x9E3779B97F4A7C15u ^ rd64(a->bytes + 12);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    return x;
}

int sender_links(const struct tx *txs, size_t n, uint32_t *prev)
{
    if (n >= UINT32_MAX)
        return PAREVM_ERR_ARG;
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    /* Open addressing, at most half full. A slot holds the high half of
     * its sender's hash (which rules out most other senders without
     * touching their transaction) and 1 + the index of the sender's last
     * transaction so far; 0: empty. */
    uint64_t *set = calloc(cap, sizeof *set);
    if (!set)
        return PAREVM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const address *a = &txs[i].sender;
        uint64_t h = sender_hash(a), tag = h & 0xFFFFFFFF00000000u;
        size_t s = (size_t)h & (cap - 1);
        for (;; s = (s + 1) & (cap - 1)) {
            uint64_t e = set[s];
            if (!e) {
                prev[i] = 0;
                break;
            }
            uint32_t last = (uint32_t)e;
            if ((e & 0xFFFFFFFF00000000u) == tag && memcmp(&txs[last - 1].sender, a, sizeof *a) == 0) {
                prev[i] = last;
                break;
            }
        }
        set[s] = tag | ((uint64_t)i + 1);
    }
    free(set);
    return PAREVM_OK;
}
