/*
 * Merkle-Patricia trie roots (Yellow Paper, appendix D).
 *
 * parevm computes roots from a complete set of key/value pairs rather than
 * maintaining a persistent node store: state, storage, transaction,
 * receipt and withdrawal roots are all built this way. Keys are arbitrary
 * byte strings (callers hash them for the "secure" trie); empty values
 * mean "absent" and are skipped.
 */
#ifndef PAREVM_STATE_TRIE_H
#define PAREVM_STATE_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"

struct trie_kv {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *val;
    size_t val_len;
};

/* Root of the trie holding kvs[0..n). Sorts kvs in place. Duplicate keys
 * are an error (PAREVM_ERR_ARG). The empty trie's root is EMPTY_TRIE_ROOT. */
int trie_root(struct trie_kv *kvs, size_t n, hash32 *out);

/* Subtrees built concurrently: run(runner_arg, count, fn, arg) calls
 * fn(arg, i) for every i < count, on up to `width` threads, and returns
 * when all calls have. The root is the same as without a runner. */
struct trie_runner {
    void (*run)(void *runner_arg, size_t count, void (*fn)(void *arg, size_t i), void *arg);
    void *runner_arg;
    int width;
};
int trie_root_with(struct trie_kv *kvs, size_t n, const struct trie_runner *runner, hash32 *out);

/* Root of an ordered list (transactions, receipts, withdrawals): key i is
 * rlp(i), value i is items[i] (already encoded). */
int trie_root_ordered(const uint8_t *const *items, const size_t *lens, size_t n, hash32 *out);
int trie_root_ordered_with(const uint8_t *const *items, const size_t *lens, size_t n,
                           const struct trie_runner *runner, hash32 *out);
/* The same, with item i encoded on demand: enc(arg, i, b) appends it to b
 * (never empty). With a runner the items are encoded inside the
 * concurrent subtree jobs: the whole root is one batch of jobs. */
struct bytebuf;
int trie_root_ordered_encoded(size_t n, int (*enc)(void *arg, size_t i, struct bytebuf *b), void *arg,
                              const struct trie_runner *runner, hash32 *out);

#endif
