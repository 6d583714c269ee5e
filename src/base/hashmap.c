/*
 * hmap — open addressing, linear probing, power-of-two capacity, keys and
 * values inline in one slot array. Each slot holds key, value and a state
 * byte (EMPTY, FULL or TOMBSTONE); key and value start 8-byte aligned so
 * callers may store u256s or pointers in values and use them in place, and
 * the state byte sits in padding where there is some (a 20-byte address
 * key leaves 4 bytes before an aligned value). Removal leaves a tombstone so probe chains
 * stay intact; inserts reuse the first tombstone on their probe path, and
 * the table is rebuilt when live + tombstone slots pass 70% of capacity.
 */
#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "types.h"

enum { SLOT_EMPTY = 0, SLOT_FULL = 1, SLOT_TOMBSTONE = 2 };

#define HMAP_MIN_CAP 16

/* ---- hash ----------------------------------------------------------------
 * A multiply-fold mix over 8-byte words: each pair of words is combined with
 * secret constants and folded through a 64x64->128 multiply, whose high and
 * low halves are XORed. Keys here are 20, 32 and 52 bytes; they are handled
 * by loading whole words plus one overlapping tail word, so there are no
 * byte loops. Not cryptographic: keys come from the chain, but an attacker
 * who collides buckets only slows one block down, never changes results. */

static const uint64_t HMAP_K0 = 0xa0761d6478bd642fULL;
static const uint64_t HMAP_K1 = 0xe7037ed1a0b428dbULL;
static const uint64_t HMAP_K2 = 0x8ebc6af09c88c6e3ULL;
static const uint64_t HMAP_K3 = 0x589965cc75374cc3ULL;

static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Key equality, 8 bytes at a time (the last word overlapping the one
 * before it where the length is not a multiple of 8): keys are addresses
 * (20 bytes) and slot keys (56), and the probe key is usually one the
 * caller has just written with 8-byte stores, which libc's memcmp reads
 * with 32-byte vector loads the CPU cannot forward from them; its call
 * also cost more than the compare on keys this short. */
static inline bool key_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len < 8)
        return memcmp(a, b, len) == 0;
    uint64_t diff = rd64(a + len - 8) ^ rd64(b + len - 8);
    for (size_t i = 0; i + 8 < len; i += 8)
        diff |= rd64(a + i) ^ rd64(b + i);
    return diff == 0;
}

uint64_t hmap_hash_bytes(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t seed = HMAP_K0 ^ fold_mul((uint64_t)len ^ HMAP_K0, HMAP_K1);
    uint64_t a, b;

    if (len <= 16) {
        if (len >= 4) {
            /* Two (possibly overlapping) 4-byte reads from each end. */
            size_t mid = (len >> 3) << 2;
            a = (rd32(p) << 32) | rd32(p + mid);
            b = (rd32(p + len - 4) << 32) | rd32(p + len - 4 - mid);
        } else if (len > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = len;
        if (i > 48) {
            uint64_t s1 = seed, s2 = seed;
            do {
                seed = fold_mul(rd64(p) ^ HMAP_K1, rd64(p + 8) ^ seed);
                s1 = fold_mul(rd64(p + 16) ^ HMAP_K2, rd64(p + 24) ^ s1);
                s2 = fold_mul(rd64(p + 32) ^ HMAP_K3, rd64(p + 40) ^ s2);
                p += 48;
                i -= 48;
            } while (i > 48);
            seed ^= s1 ^ s2;
        }
        while (i > 16) {
            seed = fold_mul(rd64(p) ^ HMAP_K1, rd64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        /* Last 16 bytes, overlapping what was already consumed if needed. */
        a = rd64(p + i - 16);
        b = rd64(p + i - 8);
    }
    return fold_mul(HMAP_K1 ^ (uint64_t)len, fold_mul(a ^ HMAP_K1, b ^ seed));
}

/* ---- table --------------------------------------------------------------- */

struct slot_layout {
    size_t size;      /* bytes per slot, a multiple of 8 */
    size_t val_off;   /* key is at offset 0 */
    size_t state_off; /* the state byte */
};

static inline size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static inline struct slot_layout layout_of(const struct hmap *m)
{
    struct slot_layout l;
    if (m->key_size % 8) { /* state in the key's padding */
        l.state_off = m->key_size;
        l.val_off = round8(m->key_size);
        l.size = l.val_off + round8(m->val_size);
    } else {
        l.val_off = m->key_size;
        l.state_off = m->key_size + m->val_size;
        l.size = round8(l.state_off + 1);
    }
    return l;
}

void hmap_init(struct hmap *m, size_t key_size, size_t val_size)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
    m->tombstones = 0;
    m->key_size = key_size;
    m->val_size = val_size;
}

void hmap_free(struct hmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
    m->tombstones = 0;
}

void hmap_clear(struct hmap *m)
{
    if (m->slots)
        memset(m->slots, 0, m->cap * layout_of(m).size);
    m->count = 0;
    m->tombstones = 0;
}

/* hmap_reset keeps tables up to this many slots whatever they held. */
#define HMAP_RESET_KEEP 256

void hmap_reset(struct hmap *m)
{
    size_t used = m->count + m->tombstones;
    if (m->cap <= HMAP_RESET_KEEP || used * 4 >= m->cap) {
        hmap_clear(m);
        return;
    }
    /* A table sized for what it held (the next unit is likely alike):
     * clearing costs about its entries, not the largest unit's. Should
     * the allocation fail, the map is empty and allocates on insert. */
    hmap_free(m);
    (void)hmap_reserve(m, used);
}

/* Find the slot holding key, or NULL. */
static uint8_t *find_slot(const struct hmap *m, struct slot_layout l, const void *key)
{
    if (m->count == 0)
        return NULL;
    size_t mask = m->cap - 1;
    size_t i = (size_t)hmap_hash_bytes(key, m->key_size) & mask;
    for (;;) {
        uint8_t *s = m->slots + i * l.size;
        uint8_t st = s[l.state_off];
        if (st == SLOT_EMPTY)
            return NULL;
        if (st == SLOT_FULL && key_eq(s, key, m->key_size))
            return s;
        i = (i + 1) & mask;
    }
}

void hmap_prefetch(const struct hmap *m, const void *key)
{
    if (m->count == 0)
        return;
    size_t i = (size_t)hmap_hash_bytes(key, m->key_size) & (m->cap - 1);
    __builtin_prefetch(m->slots + i * layout_of(m).size);
}

void *hmap_get(const struct hmap *m, const void *key)
{
    struct slot_layout l = layout_of(m);
    uint8_t *s = find_slot(m, l, key);
    return s ? s + l.val_off : NULL;
}

/* Rebuild into new_cap slots, dropping tombstones. */
static int rehash(struct hmap *m, struct slot_layout l, size_t new_cap)
{
    if (new_cap > SIZE_MAX / l.size)
        return PAREVM_ERR_NOMEM;
    uint8_t *slots = calloc(new_cap, l.size);
    if (!slots)
        return PAREVM_ERR_NOMEM;
    size_t mask = new_cap - 1;
    for (size_t j = 0; j < m->cap; j++) {
        const uint8_t *s = m->slots + j * l.size;
        if (s[l.state_off] != SLOT_FULL)
            continue;
        size_t i = (size_t)hmap_hash_bytes(s, m->key_size) & mask;
        while (slots[i * l.size + l.state_off] != SLOT_EMPTY)
            i = (i + 1) & mask;
        memcpy(slots + i * l.size, s, l.size);
    }
    free(m->slots);
    m->slots = slots;
    m->cap = new_cap;
    m->tombstones = 0;
    return PAREVM_OK;
}

/* Room for n more puts: used slots (live + tombstones) stay at or under
 * 70% so every probe meets an empty slot soon. When the live entries
 * would fill under half of that, the load is mostly tombstones: rebuild
 * at the same size; else grow. (A same-size rebuild that left the table
 * near the bound would be followed by another a few writes later, each a
 * pass over the whole table.) */
static int make_room(struct hmap *m, struct slot_layout l, size_t n)
{
    if (n > SIZE_MAX / 20 - m->count - m->tombstones)
        return PAREVM_ERR_NOMEM;
    if ((m->count + m->tombstones + n) * 10 <= m->cap * 7)
        return PAREVM_OK;
    size_t new_cap = m->cap ? m->cap : HMAP_MIN_CAP;
    if ((m->count + n) * 20 > new_cap * 7) {
        do {
            if (new_cap > SIZE_MAX / 2)
                return PAREVM_ERR_NOMEM;
            new_cap *= 2;
        } while ((m->count + n) * 10 > new_cap * 7);
    }
    return rehash(m, l, new_cap);
}

int hmap_reserve(struct hmap *m, size_t n)
{
    return make_room(m, layout_of(m), n);
}

void *hmap_put(struct hmap *m, const void *key, bool *inserted)
{
    struct slot_layout l = layout_of(m);
    if ((m->count + m->tombstones + 1) * 10 > m->cap * 7 && make_room(m, l, 1))
        return NULL;
    size_t mask = m->cap - 1;
    size_t i = (size_t)hmap_hash_bytes(key, m->key_size) & mask;
    uint8_t *reuse = NULL, *s;
    for (;;) {
        s = m->slots + i * l.size;
        uint8_t st = s[l.state_off];
        if (st == SLOT_EMPTY)
            break;
        if (st == SLOT_TOMBSTONE) {
            if (!reuse)
                reuse = s;
        } else if (key_eq(s, key, m->key_size)) {
            if (inserted)
                *inserted = false;
            return s + l.val_off;
        }
        i = (i + 1) & mask;
    }
    if (reuse) {
        s = reuse;
        m->tombstones--;
    }
    s[l.state_off] = SLOT_FULL;
    memcpy(s, key, m->key_size);
    memset(s + l.val_off, 0, m->val_size);
    m->count++;
    if (inserted)
        *inserted = true;
    return s + l.val_off;
}

bool hmap_remove(struct hmap *m, const void *key)
{
    struct slot_layout l = layout_of(m);
    uint8_t *s = find_slot(m, l, key);
    if (!s)
        return false;
    size_t mask = m->cap - 1;
    size_t i = (size_t)(s - m->slots) / l.size;
    m->count--;
    /* If the next slot is empty, no probe chain continues past this one,
     * so it can become empty again instead of a tombstone; so can every
     * tombstone directly before it, whose chains also ended here. */
    if (m->slots[((i + 1) & mask) * l.size + l.state_off] != SLOT_EMPTY) {
        s[l.state_off] = SLOT_TOMBSTONE;
        m->tombstones++;
        return true;
    }
    s[l.state_off] = SLOT_EMPTY;
    for (size_t j = (i - 1) & mask; j != i; j = (j - 1) & mask) {
        uint8_t *state = &m->slots[j * l.size + l.state_off];
        if (*state != SLOT_TOMBSTONE)
            break;
        *state = SLOT_EMPTY;
        m->tombstones--;
    }
    return true;
}

bool hmap_next(const struct hmap *m, size_t *iter, const void **key, void **val)
{
    struct slot_layout l = layout_of(m);
    for (size_t i = *iter; i < m->cap; i++) {
        uint8_t *s = m->slots + i * l.size;
        if (s[l.state_off] == SLOT_FULL) {
            if (key)
                *key = s;
            if (val)
                *val = s + l.val_off;
            *iter = i + 1;
            return true;
        }
    }
    *iter = m->cap;
    return false;
}
