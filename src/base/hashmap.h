/*
 * hmap — open-addressing hash map with fixed-size keys and values, stored
 * inline (no per-entry allocation). Keys are compared bytewise. Iteration
 * order is the slot order: NOT deterministic across insert histories, so
 * callers that need a stable order (roots, output) sort first.
 */
#ifndef PAREVM_BASE_HASHMAP_H
#define PAREVM_BASE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap {
    uint8_t *slots;     /* cap slots: key, value (8-byte aligned), state byte */
    size_t cap;         /* power of two, or 0 */
    size_t count;       /* live entries */
    size_t tombstones;  /* removed entries still occupying slots */
    size_t key_size;
    size_t val_size;
};

void hmap_init(struct hmap *m, size_t key_size, size_t val_size);
void hmap_free(struct hmap *m);
void hmap_clear(struct hmap *m); /* remove all, keep capacity */
/* Remove all, for a map reused per unit of work (a journal's per
 * transaction): keeps the capacity, except that a table far larger than
 * what it held (one big transaction earlier) gives its memory back, so
 * that later resets do not each clear that much. Unlike hmap_clear, a
 * reservation (hmap_reserve) does not survive it. */
void hmap_reset(struct hmap *m);

/* Pointer to the value for key, or NULL. Valid until the next insert. */
void *hmap_get(const struct hmap *m, const void *key);
/* A hint: start loading the slot where a look-up of key begins. */
void hmap_prefetch(const struct hmap *m, const void *key);

/* Pointer to the value for key, inserting a zeroed value if absent
 * (*inserted tells which; may be NULL). NULL only on allocation failure.
 * Valid until the next insert. */
void *hmap_put(struct hmap *m, const void *key, bool *inserted);

/* Make room so that the next n hmap_put calls never allocate (and so never
 * fail). PAREVM_ERR_NOMEM leaves the map unchanged. */
int hmap_reserve(struct hmap *m, size_t n);

/* Remove key; returns whether it was present. */
bool hmap_remove(struct hmap *m, const void *key);

/* Iterate: size_t i = 0; while (hmap_next(m, &i, &key, &val)) ... */
bool hmap_next(const struct hmap *m, size_t *iter, const void **key, void **val);

/* 64-bit hash of bytes (fast, not cryptographic). */
uint64_t hmap_hash_bytes(const void *data, size_t len);

#endif
