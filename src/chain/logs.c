/* logs — log list hash and bloom (see logs.h). */
#include "logs.h"

#include <string.h>

#include "../base/buf.h"
#include "../base/keccak.h"
#include "../base/rlp.h"

int logs_encode(const struct log *logs, size_t n, struct bytebuf *out)
{
    int err;
    size_t outer = rlp_list_begin(out);
    for (size_t i = 0; i < n; i++) {
        const struct log *l = &logs[i];
        size_t entry = rlp_list_begin(out);
        if ((err = rlp_encode_bytes(out, l->addr.bytes, 20)))
            return err;
        size_t topics = rlp_list_begin(out);
        for (unsigned t = 0; t < l->topic_count && t < 4; t++)
            if ((err = rlp_encode_bytes(out, l->topics[t].bytes, 32)))
                return err;
        if ((err = rlp_list_end(out, topics)) || (err = rlp_encode_bytes(out, l->data, l->data_len)) ||
            (err = rlp_list_end(out, entry)))
            return err;
    }
    return rlp_list_end(out, outer);
}

int logs_hash(const struct log *logs, size_t n, hash32 *out)
{
    struct bytebuf b = {0};
    int err = logs_encode(logs, n, &b);
    if (!err)
        keccak256(b.data, b.len, out->bytes);
    bytebuf_free(&b);
    return err;
}

/* The keccak of recent bloom items, per thread: a block's logs repeat
 * their contract addresses and event signatures (every ERC-20 Transfer
 * has the same topic 0), so most items are hashed once per block instead
 * of once per log. Direct-mapped; an entry holds the whole item, so a hit
 * is exact. */
#define BLOOM_CACHE_SIZE 64
struct bloom_cache_entry {
    uint8_t item[32];
    uint8_t len; /* 0: empty */
    uint8_t hash[6]; /* the six bytes of the keccak the filter uses */
};
static _Thread_local struct bloom_cache_entry bloom_cache[BLOOM_CACHE_SIZE];

/* The cache entry of an item of 1..32 bytes. */
static struct bloom_cache_entry *bloom_cache_slot(const uint8_t *data, size_t len)
{
    unsigned slot = (unsigned)len * 31u;
    for (size_t i = 0; i < len; i += 4)
        slot = slot * 131u + data[i];
    return &bloom_cache[slot % BLOOM_CACHE_SIZE];
}

static bool bloom_cache_hit(const struct bloom_cache_entry *e, const uint8_t *data, size_t len)
{
    return e->len == len && memcmp(e->item, data, len) == 0;
}

static void bloom_cache_store(struct bloom_cache_entry *e, const uint8_t *data, size_t len, const uint8_t h[6])
{
    memcpy(e->item, data, len);
    e->len = (uint8_t)len;
    memcpy(e->hash, h, 6);
}

/* Set the filter's three bits for an item whose keccak starts with h. */
static void bloom_set(uint8_t bloom[256], const uint8_t h[6])
{
    /* Three 11-bit indices from byte pairs (0,1), (2,3), (4,5); bit k of
     * the 2048-bit big-endian filter lives in byte 255 - k/8. */
    for (int i = 0; i < 6; i += 2) {
        unsigned bit = (((unsigned)h[i] << 8) | h[i + 1]) & 2047u;
        bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

/* Items missing from the cache are hashed together (keccak256_many), up
 * to this many at a time: a Transfer log's sender and recipient topics
 * cost about one hash instead of two. */
#define BLOOM_BATCH 32

struct bloom_misses {
    struct bloom_cache_entry *entry[BLOOM_BATCH]; /* where each one's hash goes */
    const uint8_t *item[BLOOM_BATCH];
    size_t len[BLOOM_BATCH];
    uint8_t *bloom[BLOOM_BATCH]; /* the filter it belongs in */
    size_t count;
};

static void bloom_misses_flush(struct bloom_misses *m)
{
    hash32 h[BLOOM_BATCH];
    keccak256_many(m->item, m->len, m->count, h);
    for (size_t k = 0; k < m->count; k++) {
        bloom_cache_store(m->entry[k], m->item[k], m->len[k], h[k].bytes);
        bloom_set(m->bloom[k], h[k].bytes);
    }
    m->count = 0;
}

void logs_bloom_many(const struct log *const *logs, const size_t *n, size_t count, uint8_t *const *blooms)
{
    struct bloom_misses m;
    m.count = 0;
    for (size_t r = 0; r < count; r++) {
        uint8_t *bloom = blooms[r];
        memset(bloom, 0, 256);
        for (size_t i = 0; i < n[r]; i++) {
            const struct log *l = &logs[r][i];
            /* t == 0: the address, then the topics */
            for (unsigned t = 0; t <= l->topic_count && t <= 4; t++) {
                const uint8_t *item = t ? l->topics[t - 1].bytes : l->addr.bytes;
                size_t len = t ? 32 : 20;
                struct bloom_cache_entry *e = bloom_cache_slot(item, len);
                if (bloom_cache_hit(e, item, len)) {
                    bloom_set(bloom, e->hash);
                    continue;
                }
                /* (an item twice in one batch is hashed twice: both
                 * land in their own filter, the cache keeps one) */
                m.entry[m.count] = e;
                m.item[m.count] = item;
                m.len[m.count] = len;
                m.bloom[m.count++] = bloom;
                if (m.count == BLOOM_BATCH)
                    bloom_misses_flush(&m);
            }
        }
    }
    bloom_misses_flush(&m);
}

void logs_bloom(const struct log *logs, size_t n, uint8_t bloom[256])
{
    logs_bloom_many(&logs, &n, 1, &bloom);
}
